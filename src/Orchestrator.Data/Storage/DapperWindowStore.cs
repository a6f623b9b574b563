using System.Data.Common;
using System.Data;
using Dapper;
using Orchestrator.Core.Windows;
using Orchestrator.Data.Windows;

namespace Orchestrator.Data.Storage;

/// <summary>The window store of both backends, written once (docs/decisions.md, "Shared Dapper statements"): each backend derives
/// from it with its connections and its dialect.</summary>
internal abstract class DapperWindowStore(ISqlDialect dialect) : IWindowStore
{
    protected abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    public async Task<WindowRecord> CreateAsync(WindowDefinition window, IReadOnlyList<long> groupIds, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(window);
        ArgumentNullException.ThrowIfNull(groupIds);
        await using var connection = await OpenAsync(cancellationToken);
        return await WindowQueries.CreateAsync(connection, window, groupIds, actor, now, dialect, LinkGroupsAsync, cancellationToken);
    }

    public async Task<WindowRecord?> UpdateAsync(long id, WindowDefinition window, IReadOnlyList<long> groupIds, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(window);
        ArgumentNullException.ThrowIfNull(groupIds);
        await using var connection = await OpenAsync(cancellationToken);
        return await WindowQueries.UpdateAsync(connection, id, window, groupIds, actor, now, dialect, LinkGroupsAsync, cancellationToken);
    }

    public async Task<bool> DeleteAsync(long id, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await WindowQueries.DeleteAsync(connection, id, actor, now, cancellationToken);
    }

    public async Task<WindowRecord?> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await WindowQueries.GetAsync(connection, id, null);
    }

    public async Task<IReadOnlyList<WindowRecord>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await WindowQueries.ListAsync(connection, dialect);
    }

    /// <summary>Inserts the links of window <paramref name="windowId"/> to the distinct groups given (how differs by dialect).</summary>
    protected abstract Task LinkGroupsAsync(IDbConnection connection, IDbTransaction transaction, long windowId, IReadOnlyList<long> groupIds);
}
