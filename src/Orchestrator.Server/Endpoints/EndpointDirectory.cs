using Orchestrator.Core.Endpoints;
using Orchestrator.Data.Endpoints;

namespace Orchestrator.Server.Endpoints;

/// <summary>
/// Every endpoint, parsed once per catalog version: group membership is resolved against this list. Asking costs one
/// one-row read while nothing changed; a change made by anyone (API, enrollment, another process) moves the version
/// in the database, and the next ask reads the list again. Opening 100 runs at once reads it once, not 100 times.
/// <see cref="EndpointDirectoryRefresher"/> reads it again in the background once a change has settled, so that the
/// opening after an enrollment wave does not pay for it.
/// </summary>
internal sealed class EndpointDirectory(IEndpointStore endpoints)
{
    private Snapshot _current = new(-1, []);

    /// <summary>The catalog version of the list held now; −1 before the first read.</summary>
    public long Version => Volatile.Read(ref _current).Version;

    public async Task<IReadOnlyList<EndpointInfo>> ListAsync(CancellationToken cancellationToken = default)
    {
        var current = Volatile.Read(ref _current);
        if (await endpoints.ListIfChangedAsync(current.Version, cancellationToken) is not { } changed)
        {
            return current.Endpoints;
        }

        var next = new Snapshot(changed.Version, changed.Endpoints.Select(EndpointsApi.ToInfo).ToList());

        // Concurrent readers may each load a version; keep the newest.
        while (next.Version > current.Version && Interlocked.CompareExchange(ref _current, next, current) != current)
        {
            current = Volatile.Read(ref _current);
        }

        return next.Endpoints;
    }

    private sealed record Snapshot(long Version, IReadOnlyList<EndpointInfo> Endpoints);
}
