namespace Orchestrator.Core.Windows;

/// <summary>
/// How update scans are triggered in a run: at most <see cref="MaxConcurrency"/> endpoints scanning at
/// once; dispatching stops once more than <see cref="MaxErrors"/> scans failed (0 = stop at the first failure;
/// null = never stop).
/// </summary>
public sealed record ScanPolicy(bool Enabled, ConcurrencyLimit MaxConcurrency, int? MaxErrors)
{
    public static readonly ScanPolicy Default = new(true, ConcurrencyLimit.Parse("25%"), null);
}
