namespace Orchestrator.Server.Api;

/// <summary>Names written to the audit log for changes that no signed-in person made.</summary>
internal static class Actor
{
    /// <summary>An API caller (until API credentials name the person or key).</summary>
    public const string Api = "api";

    /// <summary>Quartz/Hangfire acting on a schedule.</summary>
    public const string Scheduler = "scheduler";
}
