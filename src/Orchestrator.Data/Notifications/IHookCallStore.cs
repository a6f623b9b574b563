namespace Orchestrator.Data.Notifications;

/// <summary>The answers of a run's pre-open and post-close hooks.</summary>
public interface IHookCallStore
{
    Task RecordAsync(HookCall hookCall, CancellationToken cancellationToken = default);

    /// <summary>Oldest first.</summary>
    Task<IReadOnlyList<HookCall>> ListForRunAsync(long runId, CancellationToken cancellationToken = default);
}
