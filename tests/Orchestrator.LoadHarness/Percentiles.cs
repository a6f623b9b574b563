using System.Globalization;

namespace Orchestrator.LoadHarness;

internal sealed record Percentiles(int Count, double Min, double P10, double P50, double P95, double P99, double Max)
{
    public static Percentiles Of(IReadOnlyCollection<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return new Percentiles(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        }

        double At(double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new Percentiles(sorted.Length, sorted[0], At(0.10), At(0.50), At(0.95), At(0.99), sorted[^1]);
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"n={Count} min={Min:F0} ms p10={P10:F0} ms p50={P50:F0} ms p95={P95:F0} ms p99={P99:F0} ms max={Max:F0} ms");
}
