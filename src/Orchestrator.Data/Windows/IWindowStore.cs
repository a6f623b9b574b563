using Orchestrator.Core.Windows;

namespace Orchestrator.Data.Windows;

public interface IWindowStore
{
    /// <exception cref="ConflictException">the name is taken.</exception>
    Task<WindowRecord> CreateAsync(WindowDefinition window, IReadOnlyList<long> groupIds, string actor, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <returns>null when no such window.</returns>
    Task<WindowRecord?> UpdateAsync(long id, WindowDefinition window, IReadOnlyList<long> groupIds, string actor, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Deletes the definition; its runs stay as history.</summary>
    Task<bool> DeleteAsync(long id, string actor, DateTimeOffset now, CancellationToken cancellationToken = default);

    Task<WindowRecord?> GetAsync(long id, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<WindowRecord>> ListAsync(CancellationToken cancellationToken = default);
}
