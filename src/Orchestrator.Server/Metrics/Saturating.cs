namespace Orchestrator.Server.Metrics;

/// <summary>Sums of agent counters for metrics: a report may carry values near long.MaxValue (they are valid deltas), and
/// a metric is not worth an overflow.</summary>
internal static class Saturating
{
    public static long Sum(IEnumerable<long> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var sum = 0L;
        foreach (var value in values)
        {
            sum = value > 0 && sum > long.MaxValue - value ? long.MaxValue : sum + Math.Max(0, value);
        }

        return sum;
    }
}
