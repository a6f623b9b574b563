using System.ComponentModel.DataAnnotations;

namespace Orchestrator.Server.Notifications;

/// <summary>Settings of outgoing calls (webhooks and window hooks), section "Orchestrator:Notifications".</summary>
public sealed class NotificationOptions
{
    public const string Section = "Orchestrator:Notifications";

    /// <summary>Hangfire queue that holds webhook deliveries; served by its own workers so a slow
    /// receiver never holds a worker that opens or closes a run.</summary>
    public const string Queue = "notifications";

    /// <summary>Hangfire queue of pre-open and post-close hook calls, with its own workers again: a flood of slow webhook
    /// deliveries never delays a run's pre-open hook (and so its opening).</summary>
    public const string HookQueue = "hooks";

    /// <summary>How long one delivery attempt may take before it counts as failed (timed out).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00", ErrorMessage = "{0} must be between {1} and {2}")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts per event and webhook, the first included.</summary>
    [Range(1, 10)]
    public int MaxAttempts { get; set; } = 5;

    /// <summary>Wait before the first retry; each further retry waits twice as long (exponential backoff).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:05:00", ErrorMessage = "{0} must be between {1} and {2}")]
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Worker threads of the notifications queue (deliveries), apart from the lifecycle workers.</summary>
    [Range(1, 32)]
    public int Workers { get; set; } = 4;

    /// <summary>Worker threads of the hooks queue.</summary>
    [Range(1, 32)]
    public int HookWorkers { get; set; } = 2;

    /// <summary>Longest answer of a hook kept with the run (characters); the rest is cut.</summary>
    [Range(100, 100_000)]
    public int MaxHookAnswerChars { get; set; } = 2_000;

    /// <summary>Whether webhooks and hooks may target loopback addresses (127.0.0.0/8, ::1, localhost). Off by default so
    /// that an operator key cannot make the server call services listening only on its own host (SSRF); tests and
    /// single-host labs turn it on.</summary>
    public bool AllowLoopbackTargets { get; set; }

    /// <summary>A run opened later than this after its start is reported as "run.notOpenedOnTime".</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "{0} must be between {1} and {2}")]
    public TimeSpan LateOpenThreshold { get; set; } = TimeSpan.FromSeconds(60);
}
