using System.Data.Common;
using Orchestrator.Core.Groups;
using Orchestrator.Data.Groups;

namespace Orchestrator.Data.Storage;

/// <summary>The group store of both backends, written once (docs/decisions.md, "Shared Dapper statements"): each backend derives
/// from it with its connections and its dialect.</summary>
internal abstract class DapperGroupStore(ISqlDialect dialect) : IGroupStore
{
    protected abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    public async Task<GroupRecord> CreateAsync(GroupDefinition group, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(group);
        await using var connection = await OpenAsync(cancellationToken);
        return await GroupQueries.CreateAsync(connection, group, actor, now, dialect, cancellationToken);
    }

    public async Task<GroupRecord?> UpdateAsync(long id, GroupDefinition group, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(group);
        await using var connection = await OpenAsync(cancellationToken);
        return await GroupQueries.UpdateAsync(connection, id, group, actor, now, dialect, cancellationToken);
    }

    public async Task<bool> DeleteAsync(long id, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await GroupQueries.DeleteAsync(connection, id, actor, now, dialect, cancellationToken);
    }

    public async Task<GroupRecord?> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await GroupQueries.GetAsync(connection, id, null);
    }

    public async Task<IReadOnlyList<GroupRecord>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await GroupQueries.ListAsync(connection, dialect);
    }
}
