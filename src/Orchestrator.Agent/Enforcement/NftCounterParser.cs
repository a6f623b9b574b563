using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Orchestrator.Agent.Enforcement;

/// <summary>Reads the per-element counters out of <c>nft -j list table inet orchestrator</c>.</summary>
internal static class NftCounterParser
{
    public static FirewallCounters Parse(string json)
    {
        var served = new Dictionary<string, long>();
        var received = new Dictionary<string, long>();
        var blocked = new Dictionary<BlockedKey, long>();

        using var document = JsonDocument.Parse(json);
        foreach (var item in document.RootElement.GetProperty("nftables").EnumerateArray())
        {
            if (!item.TryGetProperty("set", out var set) || !set.TryGetProperty("elem", out var elements))
            {
                continue;
            }

            var name = set.GetProperty("name").GetString();
            if (name is not ("served4" or "served6" or "received4" or "received6" or "blocked4" or "blocked6"))
            {
                continue;
            }

            foreach (var element in elements.EnumerateArray())
            {
                // Elements with attributes (counter, expires) are wrapped as {"elem": {"val": …}}; bare ones are plain values.
                if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty("elem", out var inner) || !inner.TryGetProperty("counter", out var counter))
                {
                    continue;
                }

                var value = inner.GetProperty("val");
                switch (name)
                {
                    case "served4" or "served6":
                        Add(served, Canonical(value.GetString()!), counter.GetProperty("bytes").GetInt64());
                        break;
                    case "received4" or "received6":
                        Add(received, Canonical(value.GetString()!), counter.GetProperty("bytes").GetInt64());
                        break;
                    case "blocked4" or "blocked6":
                        var parts = value.GetProperty("concat");
                        var key = new BlockedKey(Canonical(parts[0].GetString()!), PortOf(parts[1]));
                        Add(blocked, key, counter.GetProperty("packets").GetInt64());
                        break;
                    default:
                        break;
                }
            }
        }

        return new FirewallCounters(served, received, blocked);
    }

    private static void Add<TKey>(Dictionary<TKey, long> counters, TKey key, long value) where TKey : notnull =>
        counters[key] = counters.GetValueOrDefault(key) + value;

    private static string Canonical(string address) => IPAddress.Parse(address).ToString();

    // nft prints well-known ports by number in JSON, but a service name is possible with some settings.
    private static int PortOf(JsonElement port) => port.ValueKind == JsonValueKind.Number
        ? port.GetInt32()
        : int.Parse(port.GetString()!, CultureInfo.InvariantCulture);
}
