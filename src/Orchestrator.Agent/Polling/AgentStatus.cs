using Orchestrator.Protocol;

namespace Orchestrator.Agent.Polling;

/// <summary>What the poll and scan loops learned that the report loop must tell the server.</summary>
internal sealed class AgentStatus
{
    private readonly Lock sync = new();
    private readonly List<ScanOutcomeV1> scans = [];
    private long? appliedVersion;
    private string? applyError;
    private bool applyChanged;

    /// <summary>Raised when something should be reported now rather than at the next interval.</summary>
    public event Action? Changed;

    public void Applied(long version) => SetApply(version, null);

    /// <summary>The previously applied version stays in force (a refused state changes nothing).</summary>
    public void ApplyFailed(long version, string error) => SetApply(null, $"version {version}: {error}");

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
            var snapshot = new StatusSnapshot(appliedVersion, applyError, applyChanged, [.. scans]);
            scans.Clear();
            applyChanged = false;
            return snapshot;
        }
    }

    private void SetApply(long? version, string? error)
    {
        lock (sync)
        {
            appliedVersion = version ?? appliedVersion;
            applyError = error;
            applyChanged = true;
        }

        Changed?.Invoke();
    }
}

internal sealed record StatusSnapshot(long? AppliedVersion, string? ApplyError, bool ApplyChanged, IReadOnlyList<ScanOutcomeV1> Scans);
