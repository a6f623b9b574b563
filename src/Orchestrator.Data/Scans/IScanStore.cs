namespace Orchestrator.Data.Scans;

/// <summary>A scan handed to an endpoint that has not reported its outcome yet.</summary>
public sealed record PendingScan(string ScanId, long RunId, long EndpointId, int TimeoutSeconds, DateTimeOffset DispatchedAt);

/// <summary>Where a run's scans stand.</summary>
public sealed record ScanTally(int Dispatched, int InFlight, int Succeeded, int Failed);

public interface IScanStore
{
    /// <summary>Scans of open runs (Open or Cutoff) that the endpoint has not reported on.</summary>
    Task<IReadOnlyList<PendingScan>> ListPendingAsync(long endpointId, CancellationToken cancellationToken = default);

    /// <summary><see cref="ListPendingAsync"/> for many endpoints in one read; endpoints with none are left out.</summary>
    Task<IReadOnlyDictionary<long, IReadOnlyList<PendingScan>>> ListPendingForEndpointsAsync(
        IReadOnlyCollection<long> endpointIds, CancellationToken cancellationToken = default);

    /// <summary>Records scans for the given members; a member already dispatched in this run is skipped. Returns the
    /// endpoints actually dispatched.</summary>
    Task<IReadOnlyList<long>> DispatchAsync(long runId, IReadOnlyList<long> endpointIds, int timeoutSeconds, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Members of the run that have no scan yet and an agent to run one (a member without an agent would only
    /// time out as a failed scan and count against maxErrors), in hostname order.</summary>
    Task<IReadOnlyList<long>> ListUndispatchedAsync(long runId, CancellationToken cancellationToken = default);

    /// <summary>A scan without an outcome after its timeout plus <paramref name="grace"/> counts as in flight no more,
    /// and as failed.</summary>
    Task<ScanTally> TallyAsync(long runId, DateTimeOffset now, TimeSpan grace, CancellationToken cancellationToken = default);
}
