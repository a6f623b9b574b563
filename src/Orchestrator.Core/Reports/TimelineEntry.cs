namespace Orchestrator.Core.Reports;

public enum TimelineKind
{
    /// <summary>A planned instant of the run (start, cutoff, end).</summary>
    Planned,

    /// <summary>An audit log entry: a transition or another recorded event.</summary>
    Audit,

    /// <summary>Derived from the members' acknowledgements.</summary>
    Endpoints,
}

public sealed record TimelineEntry(DateTimeOffset At, TimelineKind Kind, string Event, string? Actor, string? Detail);

/// <summary>The run's planned instants, its audit entries and its first and last acknowledgements, in time order.</summary>
public static class Timeline
{
    public static IReadOnlyList<TimelineEntry> Of(RunFacts run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var entries = new List<TimelineEntry>
        {
            new(run.PlannedStart, TimelineKind.Planned, "planned start", null, null),
            new(run.PlannedEnd, TimelineKind.Planned, "planned end", null, null),
        };
        if (run.CutoffAt < run.PlannedEnd)
        {
            entries.Add(new(run.CutoffAt, TimelineKind.Planned, "cutoff: no new scans from here", null, null));
        }

        entries.AddRange(run.Audit.Select(a => new TimelineEntry(a.At, TimelineKind.Audit, a.Action, a.Actor, a.Detail)));
        AddSpread(entries, run.Members.Select(m => m.OpenAckedAt), "opening acknowledged", run.Members.Count);
        AddSpread(entries, run.Members.Select(m => m.CloseAckedAt), "close acknowledged", run.Members.Count);

        // Stable order: time, then planned before what happened at the same instant.
        return entries.OrderBy(e => e.At).ThenBy(e => e.Kind).ToList();
    }

    private static void AddSpread(List<TimelineEntry> into, IEnumerable<DateTimeOffset?> times, string what, int members)
    {
        var known = times.OfType<DateTimeOffset>().Order().ToList();
        if (known.Count == 0)
        {
            return;
        }

        into.Add(new(known[0], TimelineKind.Endpoints, $"first {what}", null, $"{known.Count} of {members} endpoints acknowledged"));
        if (known.Count > 1)
        {
            into.Add(new(known[^1], TimelineKind.Endpoints, $"last {what}", null, null));
        }
    }
}
