using System.Data.Common;
using Orchestrator.Data.Notifications;

namespace Orchestrator.Data.Storage;

/// <summary>The hook-call store of both backends, written once (docs/decisions.md, "Shared Dapper statements"): each backend derives
/// from it with its connections.</summary>
internal abstract class DapperHookCallStore : IHookCallStore
{
    protected abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    public async Task RecordAsync(HookCall hookCall, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hookCall);
        await using var connection = await OpenAsync(cancellationToken);
        await HookCallQueries.RecordAsync(connection, hookCall);
    }

    public async Task<IReadOnlyList<HookCall>> ListForRunAsync(long runId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await HookCallQueries.ListForRunAsync(connection, runId);
    }
}
