namespace Orchestrator.Server.Notifications;

/// <summary>The events a webhook can subscribe to, as they appear in its <c>events</c> list and in payloads.</summary>
internal static class NotificationEvents
{
    public const string RunOpened = "run.opened";
    public const string RunClosed = "run.closed";

    /// <summary>The run did not open at its start: its pre-open hook said no (or did not answer), or it opened late.</summary>
    public const string RunNotOpenedOnTime = "run.notOpenedOnTime";

    /// <summary>The run's report has at least one critical anomaly (once its final report is taken).</summary>
    public const string CriticalAnomaly = "run.criticalAnomaly";

    /// <summary>Members did not confirm the close within the grace.</summary>
    public const string CloseUnconfirmed = "run.closeUnconfirmed";

    /// <summary>The whole window passed while the server was down: the run is recorded Missed.</summary>
    public const string WindowMissed = "window.missed";

    /// <summary>At the run's opening, members had no agent or an agent not seen within AgentOfflineAfter.</summary>
    public const string AgentOffline = "member.agentOffline";

    /// <summary>Sent only by the test route, whatever the webhook subscribes to.</summary>
    public const string Test = "test";

    public static readonly IReadOnlyList<string> All = [RunOpened, RunClosed, RunNotOpenedOnTime, CriticalAnomaly, CloseUnconfirmed, WindowMissed, AgentOffline];

    /// <summary>Subscribes to every event, present and future.</summary>
    public const string Wildcard = "*";
}
