namespace Orchestrator.Core.Reports;

/// <summary>
/// Sums of stored counters. Agents' counters are bounded on input (docs/security.md), but a report must answer
/// whatever the database holds (an older server's rows, a hand edit): sums saturate at <see cref="long.MaxValue"/>
/// (and <see cref="long.MinValue"/>) instead of throwing, where LINQ's checked Sum would turn a report into a 500.
/// </summary>
public static class Counters
{
    public static long Sum<T>(IEnumerable<T> items, Func<T, long> value)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(value);
        long total = 0;
        foreach (var item in items)
        {
            total = Add(total, value(item));
        }

        return total;
    }

    public static long Add(long a, long b)
    {
        var sum = unchecked(a + b);
        // Overflow happened when both operands share a sign the result lacks.
        return ((a ^ sum) & (b ^ sum)) < 0 ? (a < 0 ? long.MinValue : long.MaxValue) : sum;
    }
}
