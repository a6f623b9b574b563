using Orchestrator.Protocol;

namespace Orchestrator.Agent.Polling;

/// <summary>What the poll and scan loops learned that the report loop must tell the server.</summary>
internal sealed class AgentStatus
{
    private readonly Lock sync = new();
    private readonly List<ScanOutcomeV1> scans = [];
    private readonly List<FirewallRepairV1> repairs = [];
    private long? appliedVersion;
    private string? applyError;
    private bool applyChanged;

    /// <summary>Raised when something should be reported now rather than at the next interval.</summary>
    public event Action? Changed;

    /// <summary>Most repairs held for the next report (the server accepts up to 20 per report).</summary>
    public const int MaxPendingRepairs = 20;

    /// <summary>The server refuses a report whose applyError is longer (400), and a refused report would be retried
    /// forever; a long list of refused openings is cut here instead.</summary>
    public const int MaxApplyErrorLength = 2_000;

    /// <summary>The server's limit for a repair's finding.</summary>
    public const int MaxFindingLength = 500;

    /// <summary>Version <paramref name="version"/> is in force; <paramref name="note"/> (e.g. settings not applicable on
    /// this endpoint) travels in applyError without taking the version back. <paramref name="reportNow"/> false: the
    /// server acknowledges it from the next poll, so it waits for the next regular report instead of one of its own.</summary>
    public void Applied(long version, string? note = null, bool reportNow = true) =>
        SetApply(version, note is null ? null : Fit(note, MaxApplyErrorLength), reportNow: reportNow);

    /// <summary>Version <paramref name="version"/> (null when the state could not even be read) is not fully in force:
    /// the enforcer failed closed (applied only the valid openings, or none), so no version is reported as applied.</summary>
    public void ApplyFailed(long? version, string error) =>
        SetApply(null, Fit(version is { } v ? $"version {v}: {error}" : error, MaxApplyErrorLength), keepApplied: false);

    /// <summary>The firewall guard re-installed rules someone else removed or altered.</summary>
    public void Repaired(Enforcement.FirewallRepair repair)
    {
        lock (sync)
        {
            // Bounded: a host that flushes in a loop must not grow the report without limit; the latest repairs matter.
            if (repairs.Count >= MaxPendingRepairs)
            {
                repairs.RemoveAt(0);
            }

            repairs.Add(new FirewallRepairV1(Fit(repair.Finding, MaxFindingLength), repair.OpeningsRestored));
        }

        Changed?.Invoke();
    }

    public void ScanFinished(ScanOutcomeV1 outcome)
    {
        lock (sync)
        {
            scans.Add(outcome);
        }

        Changed?.Invoke();
    }

    /// <summary>Takes the scan outcomes not yet reported and whether the apply state changed since the last take.</summary>
    public StatusSnapshot Take()
    {
        lock (sync)
        {
            var snapshot = new StatusSnapshot(appliedVersion, applyError, applyChanged, [.. scans], [.. repairs]);
            scans.Clear();
            repairs.Clear();
            applyChanged = false;
            return snapshot;
        }
    }

    /// <summary>Control characters out (the server refuses them) and cut to <paramref name="max"/> characters.</summary>
    private static string Fit(string text, int max)
    {
        var clean = new string(text.Select(c => char.IsControl(c) ? ' ' : c).ToArray());
        return clean.Length <= max ? clean : string.Concat(clean.AsSpan(0, max - 1), "…");
    }

    private void SetApply(long? version, string? error, bool keepApplied = true, bool reportNow = true)
    {
        lock (sync)
        {
            appliedVersion = version ?? (keepApplied ? appliedVersion : null);
            applyError = error;
            applyChanged = true;
        }

        if (reportNow)
        {
            Changed?.Invoke();
        }
    }
}

internal sealed record StatusSnapshot(
    long? AppliedVersion, string? ApplyError, bool ApplyChanged, IReadOnlyList<ScanOutcomeV1> Scans, IReadOnlyList<FirewallRepairV1>? Repairs = null);
