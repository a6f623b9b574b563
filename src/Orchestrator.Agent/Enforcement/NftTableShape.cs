using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Core.Enforcement;

namespace Orchestrator.Agent.Enforcement;

/// <summary>
/// Reads <c>nft -j list table inet orchestrator</c> for verification: the table's structure (sets, chains, rules, without
/// kernel handles and without the elements that change by themselves) and the elements of the allow sets.
/// </summary>
internal sealed record NftTableShape(string Structure, IReadOnlyDictionary<(string Peer, int Port), long> Allowed)
{
    private static readonly string[] AllowSets = ["allowed4", "allowed6"];

    public static NftTableShape Parse(string json)
    {
        var structure = new StringBuilder();
        var allowed = new Dictionary<(string Peer, int Port), long>();
        var items = JsonNode.Parse(json)?["nftables"]?.AsArray() ?? throw new FormatException("no 'nftables' array in the listing");
        foreach (var item in items.OfType<JsonObject>())
        {
            var (kind, body) = item.Single();
            if (kind == "metainfo" || body is not JsonObject obj)
            {
                continue;
            }

            var copy = (JsonObject)obj.DeepClone();
            copy.Remove("handle");
            var name = copy["name"]?.GetValue<string>();
            if (kind == "set" && name != "guarded_ports")
            {
                // Counter sets fill and expire by themselves; allow-set elements are compared one by one below.
                if (AllowSets.Contains(name) && copy["elem"] is JsonArray elements)
                {
                    ReadAllowed(elements, allowed);
                }

                copy.Remove("elem");
            }

            structure.Append(kind).Append(' ').Append(copy.ToJsonString()).Append('\n');
        }

        return new NftTableShape(structure.ToString(), allowed);
    }

    /// <summary>Why <paramref name="live"/> differs from <paramref name="installed"/> plus the allowances still due
    /// (<paramref name="expected"/>: peer/port → remaining seconds), or null when it does not. An element may expire up to
    /// <paramref name="slack"/> + 1 s later than counted (the apply's own duration, and rounding to whole seconds).</summary>
    public static string? Difference(NftTableShape installed, NftTableShape live, IReadOnlyDictionary<(string Peer, int Port), long> expected, long slack = 0)
    {
        if (installed.Structure != live.Structure)
        {
            return "the rules of table inet orchestrator were altered";
        }

        foreach (var (key, expires) in live.Allowed)
        {
            if (!expected.TryGetValue(key, out var remaining))
            {
                return $"an opening for {key.Peer} port {key.Port} that the agent did not install";
            }

            if (expires > remaining + 1 + slack)
            {
                return $"the opening for {key.Peer} port {key.Port} expires later than the agent set it";
            }
        }

        foreach (var (key, remaining) in expected)
        {
            if (remaining > 2 && !live.Allowed.ContainsKey(key))
            {
                return $"the opening for {key.Peer} port {key.Port} is missing";
            }
        }

        return null;
    }

    private static void ReadAllowed(JsonArray elements, Dictionary<(string Peer, int Port), long> allowed)
    {
        foreach (var node in elements)
        {
            // {"elem": {"val": {"concat": ["198.18.0.2", 7680]}, "timeout": 600, "expires": 599}}
            var elem = node?["elem"];
            var concat = elem?["val"]?["concat"]?.AsArray();
            if (concat is not { Count: 2 })
            {
                allowed[(node?.ToJsonString() ?? "?", 0)] = long.MaxValue;
                continue;
            }

            if (Peer(concat[0]) is not { } peer)
            {
                allowed[(node?.ToJsonString() ?? "?", 0)] = long.MaxValue;
                continue;
            }

            var port = concat[1]!.GetValue<int>();
            var expires = elem?["expires"]?.GetValue<long>() ?? long.MaxValue;
            allowed[(peer, port)] = expires;
        }
    }

    /// <summary>
    /// The element's address part in the agent's own text (<see cref="AddressRange"/>): nft lists a single address as a
    /// string, a range as <c>{"range": [first, last]}</c>, and a range that happens to be a whole prefix as
    /// <c>{"prefix": {"addr", "len"}}</c> (198.18.0.0-198.18.0.255 comes back as 198.18.0.0/24). Null when unreadable.
    /// </summary>
    private static string? Peer(JsonNode? value)
    {
        if (Address(value) is { } single)
        {
            return single.ToString();
        }

        if (value is not JsonObject shape)
        {
            return null;
        }

        if (shape["range"] is JsonArray { Count: 2 } range && Address(range[0]) is { } first && Address(range[1]) is { } last
            && first.AddressFamily == last.AddressFamily && Compare(first, last) <= 0)
        {
            return AddressRange.Of(first, last).ToString();
        }

        if (shape["prefix"] is JsonObject prefix && Address(prefix["addr"]) is { } network
            && prefix["len"] is JsonValue len && len.TryGetValue<int>(out var length) && length >= 0 && length <= network.GetAddressBytes().Length * 8)
        {
            var bytes = network.GetAddressBytes();
            for (var bit = length; bit < bytes.Length * 8; bit++)
            {
                bytes[bit / 8] |= (byte)(0x80 >> (bit % 8));
            }

            return AddressRange.Of(network, new IPAddress(bytes)).ToString();
        }

        return null;
    }

    private static IPAddress? Address(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) && IPAddress.TryParse(text, out var address) ? address : null;

    private static int Compare(IPAddress a, IPAddress b) => a.GetAddressBytes().AsSpan().SequenceCompareTo(b.GetAddressBytes());

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Allowed.Count} allowed, {Structure.Length} chars");
}
