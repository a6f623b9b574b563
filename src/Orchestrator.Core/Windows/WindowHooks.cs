namespace Orchestrator.Core.Windows;

/// <summary>HTTP calls around a window's runs. <see cref="PreOpen"/> must answer "go" before a run opens;
/// <see cref="PostClose"/> is told after a run closed (its answer is recorded, it changes nothing).</summary>
public sealed record WindowHooks
{
    public HookTarget? PreOpen { get; init; }

    public HookTarget? PostClose { get; init; }
}

/// <param name="Timeout">How long the server waits for the answer; a pre-open hook that has not answered "go" by then
/// counts as "no go".</param>
public sealed record HookTarget(string Url, TimeSpan Timeout)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(2);
}
