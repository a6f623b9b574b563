using Orchestrator.Core.Groups;

namespace Orchestrator.Data.Groups;

public interface IGroupStore
{
    /// <exception cref="ConflictException">the name is taken.</exception>
    Task<GroupRecord> CreateAsync(GroupDefinition group, string actor, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <returns>null when no such group.</returns>
    Task<GroupRecord?> UpdateAsync(long id, GroupDefinition group, string actor, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <exception cref="ConflictException">a window still names the group.</exception>
    Task<bool> DeleteAsync(long id, string actor, DateTimeOffset now, CancellationToken cancellationToken = default);

    Task<GroupRecord?> GetAsync(long id, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<GroupRecord>> ListAsync(CancellationToken cancellationToken = default);
}
