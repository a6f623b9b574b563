using Orchestrator.Core.Reports;

namespace Orchestrator.Data.Reports;

/// <summary>What run reports read (members with their agents, scans and traffic sums; blocked attempts; audit
/// entries; transfers between peers, paged) and the final snapshots they store.</summary>
public interface IRunReportStore
{
    /// <summary>The run's members, blocked attempts and audit entries. Traffic is summed per member in the database.</summary>
    Task<RunReportFacts> GetFactsAsync(long runId, CancellationToken cancellationToken = default);

    /// <summary>One page of who served whom, largest first. How many pairs there are in all is
    /// <see cref="RunReportFacts.TransferPairs"/>, counted in the pass that read makes anyway.</summary>
    Task<IReadOnlyList<PeerTransfer>> GetTransfersAsync(long runId, int offset, int limit, CancellationToken cancellationToken = default);

    /// <summary>Every pair, largest first, without holding them all in memory (CSV export).</summary>
    IAsyncEnumerable<PeerTransfer> StreamTransfersAsync(long runId, CancellationToken cancellationToken = default);

    /// <summary>Stores (or replaces) the run's final report snapshot.</summary>
    Task SaveSnapshotAsync(RunReportSnapshot snapshot, CancellationToken cancellationToken = default);

    Task<RunReportSnapshot?> GetSnapshotAsync(long runId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records that the run's final-report alert was handed to every webhook's outbox, at <paramref name="at"/>; false
    /// when it was recorded before (by this or another execution, on any node). A recorded alert is not sent again.
    /// </summary>
    Task<bool> RecordReportAlertAsync(long runId, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>Of <paramref name="runIds"/>, the runs whose final report still has work to do: no snapshot yet, or a
    /// snapshot with a critical anomaly whose alert is not recorded as sent.</summary>
    Task<IReadOnlyList<long>> ListReportsPendingAsync(IReadOnlyCollection<long> runIds, CancellationToken cancellationToken = default);

    /// <summary>The snapshot figures (without the report text) of the window's runs that have one.</summary>
    Task<IReadOnlyList<RunReportSnapshot>> ListSnapshotFiguresAsync(long windowId, CancellationToken cancellationToken = default);
}

/// <param name="TransferPairs">How many (server, peer) pairs moved bytes in the run.</param>
public sealed record RunReportFacts(
    IReadOnlyList<MemberFacts> Members, IReadOnlyList<BlockedFacts> Blocked, IReadOnlyList<AuditFact> Audit, long TransferPairs);

/// <summary>Bytes <see cref="ServingHostname"/> served to <see cref="PeerAddress"/> (the receiving endpoint when known).</summary>
public sealed record PeerTransfer(
    long ServingEndpointId, string ServingHostname, string PeerAddress, long? ReceivingEndpointId, string? ReceivingHostname, long Bytes);

public sealed record TransferPage(IReadOnlyList<PeerTransfer> Transfers, int Offset, int Limit, long Total);

/// <summary>A stored final report. <see cref="Report"/> is JSON; empty in lists of figures.</summary>
public sealed record RunReportSnapshot(
    long RunId, DateTimeOffset TakenAt, int Members, int Anomalies, int Critical, long BytesFromPeers, long? BytesFromHttp, string Report);
