namespace Orchestrator.Core.Reports;

/// <summary>How many endpoints acknowledged within each latency bucket, and how many never did.</summary>
public sealed record LatencyDistribution(IReadOnlyList<LatencyBucket> Buckets, int Missing, TimeSpan? Median, TimeSpan? P95, TimeSpan? Max)
{
    /// <summary>Upper bounds of the buckets; the last bucket holds everything slower.</summary>
    private static readonly (TimeSpan Upper, string Label)[] Bounds =
    [
        (TimeSpan.FromSeconds(1), "< 1 s"),
        (TimeSpan.FromSeconds(5), "1–5 s"),
        (TimeSpan.FromSeconds(15), "5–15 s"),
        (TimeSpan.FromSeconds(60), "15–60 s"),
        (TimeSpan.FromMinutes(5), "1–5 min"),
        (TimeSpan.MaxValue, "≥ 5 min"),
    ];

    public static LatencyDistribution Of(IEnumerable<TimeSpan?> latencies)
    {
        ArgumentNullException.ThrowIfNull(latencies);
        var missing = 0;
        var known = new List<TimeSpan>();
        foreach (var latency in latencies)
        {
            if (latency is { } l)
            {
                known.Add(l);
            }
            else
            {
                missing++;
            }
        }

        known.Sort();
        var counts = new int[Bounds.Length];
        foreach (var l in known)
        {
            counts[Array.FindIndex(Bounds, b => l < b.Upper)]++;
        }

        return new LatencyDistribution(
            Bounds.Select((b, i) => new LatencyBucket(b.Label, counts[i])).ToList(),
            missing,
            Percentile(known, 0.5),
            Percentile(known, 0.95),
            known.Count == 0 ? null : known[^1]);
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    internal static TimeSpan? Percentile(List<TimeSpan> sorted, double p) =>
        sorted.Count == 0 ? null : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}

public sealed record LatencyBucket(string Label, int Count);
