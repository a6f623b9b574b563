using Orchestrator.Data.Notifications;
using Orchestrator.Data.Storage;

namespace Orchestrator.Data.Postgres;

internal sealed class PostgresHookCallStore(PostgresDatabase database) : IHookCallStore
{
    public async Task RecordAsync(HookCall hookCall, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hookCall);
        await using var connection = await database.OpenAsync(cancellationToken);
        await HookCallQueries.RecordAsync(connection, hookCall);
    }

    public async Task<IReadOnlyList<HookCall>> ListForRunAsync(long runId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await HookCallQueries.ListForRunAsync(connection, runId);
    }
}
