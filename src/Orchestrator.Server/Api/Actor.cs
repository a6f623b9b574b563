namespace Orchestrator.Server.Api;

/// <summary>Names written to the audit log for changes that no API key made.</summary>
internal static class Actor
{
    /// <summary>Quartz/Hangfire acting on a schedule.</summary>
    public const string Scheduler = "scheduler";
}
