using System.Globalization;
using System.Net;

namespace Orchestrator.Agent.Windows.Firewall;

/// <summary>One dropped packet of the firewall log.</summary>
internal sealed record DroppedPacket(string Protocol, string Source, int DestinationPort, string? Path);

/// <summary>
/// Reads Windows Firewall's log (W3C-style text: <c>#</c> header lines, then one space-separated line per packet). The
/// columns come from the log's own <c>#Fields:</c> line; until one is seen, Windows' usual list is assumed
/// (<c>date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode
/// info path</c>, newer builds append <c>pid</c>), as Microsoft's own examples show it. Only DROP lines come out.
/// Keeps the columns between chunks, so a log read in pieces parses the same as read whole.
/// </summary>
internal sealed class DropLogLines
{
    private static readonly string[] UsualFields =
        ["date", "time", "action", "protocol", "src-ip", "dst-ip", "src-port", "dst-port", "size", "tcpflags", "tcpsyn", "tcpack", "tcpwin", "icmptype", "icmpcode", "info", "path"];

    private Dictionary<string, int> columns = Columns(UsualFields);

    public IEnumerable<DroppedPacket> Parse(string chunk)
    {
        foreach (var raw in chunk.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith("#Fields:", StringComparison.OrdinalIgnoreCase))
            {
                columns = Columns(line["#Fields:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries));
                continue;
            }

            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (Field(parts, "action") is not { } action || !action.Equals("DROP", StringComparison.OrdinalIgnoreCase) ||
                Field(parts, "protocol") is not { } protocol ||
                !IPAddress.TryParse(Field(parts, "src-ip"), out var source) ||
                !int.TryParse(Field(parts, "dst-port"), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
            {
                continue;
            }

            yield return new DroppedPacket(
                protocol.ToUpperInvariant(), (source.IsIPv4MappedToIPv6 ? source.MapToIPv4() : source).ToString(), port, Field(parts, "path"));
        }
    }

    private string? Field(string[] parts, string name) =>
        columns.TryGetValue(name, out var i) && i < parts.Length && parts[i] != "-" ? parts[i] : null;

    private static Dictionary<string, int> Columns(IEnumerable<string> names) =>
        names.Select((n, i) => (n, i)).GroupBy(c => c.n, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.First().i, StringComparer.OrdinalIgnoreCase);
}
