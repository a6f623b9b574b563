using System.Net;
using System.Text.Json;
using static Orchestrator.Agent.Windows.DeliveryOptimization.JsonRows;

namespace Orchestrator.Agent.Windows.DeliveryOptimization;

/// <summary>
/// Parses <see cref="DeliveryOptimizationScripts.Connections"/> output. Microsoft documents the content of
/// <c>-ListConnections</c> only in words ("destination IP address, peer type, status code, bytes sent, bytes
/// received, file ID"; learn.microsoft.com, "Delivery Optimization … Work with Delivery Optimization logs"), not the
/// property names, so each field accepts the plausible spellings listed below, and rows may sit at the top level or
/// in an array property of a summary object. Confirm the names on a real host before relying on the numbers.
/// </summary>
internal static class ConnectionListParser
{
    private static readonly string[] AddressNames = ["DestinationIp", "DestinationIpAddress", "DestIp", "Destination", "IpAddress", "Ip", "PeerIp", "Address"];
    private static readonly string[] TypeNames = ["PeerType", "Type"];
    private static readonly string[] StatusNames = ["StatusCode", "Status", "Result"];
    private static readonly string[] SentNames = ["BytesSent", "BytesUploaded", "SentBytes"];
    private static readonly string[] ReceivedNames = ["BytesReceived", "BytesRecvd", "BytesDownloaded", "ReceivedBytes"];

    public static IReadOnlyList<PeerConnection> Parse(string json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return [];
        }

        using var document = JsonDocument.Parse(json);
        var connections = new List<PeerConnection>();
        foreach (var row in Candidates(document.RootElement))
        {
            if (Address(row) is not { } peer)
            {
                continue;
            }

            connections.Add(new PeerConnection(
                peer, Text(row, TypeNames), Text(row, StatusNames), Long(row, SentNames), Long(row, ReceivedNames), Text(row, "FileId")));
        }

        return connections;
    }

    /// <summary>Top-level rows, plus the rows of any array-of-objects property of a top-level object (the summary
    /// object that the cmdlet prints without <c>-ListConnections</c> may carry the list).</summary>
    private static IEnumerable<JsonElement> Candidates(JsonElement root)
    {
        foreach (var row in Rows(root))
        {
            yield return row;
            foreach (var property in row.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Array))
            {
                foreach (var nested in Rows(property.Value))
                {
                    yield return nested;
                }
            }
        }
    }

    /// <summary>The peer's canonical address; "ip:port" and "[ipv6]:port" lose the port.</summary>
    private static string? Address(JsonElement row)
    {
        var text = Text(row, AddressNames)?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (IPAddress.TryParse(text, out var address) || IPEndPoint.TryParse(text, out var endPoint) && (address = endPoint.Address) is not null)
        {
            return (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
        }

        return null;
    }
}
