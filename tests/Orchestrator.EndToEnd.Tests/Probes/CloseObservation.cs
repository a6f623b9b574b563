using Orchestrator.Testing.Lab;

namespace Orchestrator.EndToEnd.Tests.Probes;

/// <summary>
/// Connect attempts around a planned end. The port closed between <see cref="LastOpen"/> (the last connect that
/// succeeded) and <see cref="FirstClosed"/> (the start of the first failed attempt after which none succeeded).
/// </summary>
public sealed record CloseObservation(DateTimeOffset PlannedEnd, DateTimeOffset? LastOpen, DateTimeOffset? FirstClosed, int Attempts)
{
    /// <summary>Upper bound of the close time relative to the planned end (negative = before it).</summary>
    public TimeSpan? ClosedBy => FirstClosed - PlannedEnd;

    /// <summary>How long after (or, negative, before) the planned end the port was last seen open.</summary>
    public TimeSpan? LastSeenOpen => LastOpen - PlannedEnd;

    public static CloseObservation From(DateTimeOffset plannedEnd, IReadOnlyList<PeerFetch> attempts)
    {
        ArgumentNullException.ThrowIfNull(attempts);
        var lastOpen = attempts.LastOrDefault(a => a.Connected);
        var firstClosed = attempts.Where(a => !a.Connected && (lastOpen is null || a.StartedAt > lastOpen.ConnectedAt)).FirstOrDefault();
        return new CloseObservation(plannedEnd, lastOpen?.ConnectedAt, firstClosed?.StartedAt, attempts.Count);
    }

    public override string ToString() =>
        $"last open {Ms(LastSeenOpen)} / closed by {Ms(ClosedBy)} relative to the planned end ({Attempts} connect attempts)";

    private static string Ms(TimeSpan? value) => value is { } v ? $"{v.TotalMilliseconds:+0;-0} ms" : "never";
}
