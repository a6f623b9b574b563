using System.Net;
using System.Text.Json.Nodes;
using Orchestrator.Testing.Lab;

namespace Orchestrator.EndToEnd.Tests.Probes;

/// <summary>
/// The agent's IPv4 allow set on one lab host as nft lists it, read independently of the agent's code: each element as
/// the first and last address it admits (nft prints a single address, <c>{"range": [a, b]}</c> or, for a range that is a
/// whole prefix, <c>{"prefix": {"addr", "len"}}</c>).
/// </summary>
public sealed record AllowSetListing(IReadOnlyList<(IPAddress First, IPAddress Last)> Elements)
{
    /// <summary>True when at least one element admits more than one address (the server sent a peer set as ranges).</summary>
    public bool HasRange => Elements.Any(e => !e.First.Equals(e.Last));

    /// <summary>Every address the set admits, for comparison with the members (small lab sets only).</summary>
    public IReadOnlySet<IPAddress> Addresses => Elements.SelectMany(e => Expand(e.First, e.Last)).ToHashSet();

    public static async Task<AllowSetListing> ReadAsync(NetworkLab lab, string host)
    {
        ArgumentNullException.ThrowIfNull(lab);
        var json = (await lab.ExecAsync(host, LabPrerequisites.NftPath, "-j", "list", "set", "inet", "orchestrator", "allowed4"))
            .EnsureSuccess($"nft list set on {host}").StandardOutput;
        var elements = new List<(IPAddress, IPAddress)>();
        foreach (var item in JsonNode.Parse(json)!["nftables"]!.AsArray())
        {
            foreach (var element in item?["set"]?["elem"]?.AsArray() ?? [])
            {
                var address = element!["elem"]!["val"]!["concat"]![0]!;
                elements.Add(address switch
                {
                    JsonValue single => (IPAddress.Parse(single.GetValue<string>()), IPAddress.Parse(single.GetValue<string>())),
                    JsonObject o when o["range"] is JsonArray r => (IPAddress.Parse(r[0]!.GetValue<string>()), IPAddress.Parse(r[1]!.GetValue<string>())),
                    JsonObject o when o["prefix"] is JsonObject p => Prefix(IPAddress.Parse(p["addr"]!.GetValue<string>()), p["len"]!.GetValue<int>()),
                    _ => throw new FormatException($"unexpected allow element {element.ToJsonString()}"),
                });
            }
        }

        return new AllowSetListing(elements);
    }

    public override string ToString() => string.Join(", ", Elements.Select(e => e.First.Equals(e.Last) ? $"{e.First}" : $"{e.First}-{e.Last}"));

    private static (IPAddress, IPAddress) Prefix(IPAddress network, int length)
    {
        var value = Number(network) | (length == 32 ? 0u : uint.MaxValue >> length);
        return (network, Address(value));
    }

    private static IEnumerable<IPAddress> Expand(IPAddress first, IPAddress last)
    {
        for (var value = Number(first); value <= Number(last); value++)
        {
            yield return Address(value);
        }
    }

    private static uint Number(IPAddress address) => System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(address.GetAddressBytes());

    private static IPAddress Address(uint value)
    {
        var bytes = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new IPAddress(bytes);
    }
}
