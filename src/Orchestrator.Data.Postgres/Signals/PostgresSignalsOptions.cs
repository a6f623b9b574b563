using System.ComponentModel.DataAnnotations;

namespace Orchestrator.Data.Postgres.Signals;

/// <summary>Limits and timeouts of the signals between server nodes over PostgreSQL LISTEN/NOTIFY.</summary>
public sealed class PostgresSignalsOptions
{
    /// <summary>The NOTIFY channel every node of one database listens on (a plain lower-case identifier).</summary>
    [RegularExpression("^[a-z_][a-z0-9_]{0,62}$")]
    public string Channel { get; set; } = "orchestrator_signals";

    /// <summary>How often the idle listening connection is checked, so a dead server or network is noticed and the
    /// listener reconnects instead of waiting forever on a connection that will never deliver again.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>First wait before reconnecting a lost listener; doubles (with jitter) up to <see cref="MaxReconnectDelay"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest wait between reconnection attempts.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Largest payload of one notification. PostgreSQL refuses 8,000 bytes and more; a signal naming more keys
    /// is sent as several notifications.</summary>
    [Range(256, 7_999)]
    public int MaxPayloadBytes { get; set; } = 7_900;

    /// <summary>Most notifications one signal is split into (10,000 endpoint ids take about 8); beyond that the other
    /// nodes are told "everything of this topic changed", which costs them a re-read of what they hold.</summary>
    [Range(1, 1_000)]
    public int MaxNotificationsPerSignal { get; set; } = 16;

    /// <summary>How long <see cref="Data.Signals.IClusterSignals.PublishAndSettleAsync"/> waits after sending: a node
    /// trusts its caches only while it has confirmed, within this long, that it has applied every signal sent before
    /// (<see cref="Data.Signals.IClusterSignals.IsCaughtUp"/>). A revoke through a node of a cluster is answered this
    /// much later.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan AppliedEverywhereWithin { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a node confirms that it has applied every signal sent before (it reads the last signal number
    /// and waits for every number up to it). Must be shorter than <see cref="AppliedEverywhereWithin"/>, with room for
    /// the confirmation itself.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:30")]
    public TimeSpan CatchUpInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How long a confirmation waits for a signal number still on its way. Past it the number may never come
    /// (its sender failed between taking it and sending it): "everything changed" is delivered in its place.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan NotificationLateAfter { get; set; } = TimeSpan.FromSeconds(2);
}
