using Orchestrator.Core.Groups;
using Orchestrator.Core.Schedules;
using Orchestrator.Data.Groups;
using Orchestrator.Data.Windows;
using Orchestrator.Server.Endpoints;

namespace Orchestrator.Server.Calendar;

/// <summary>One coming start of a window, as the home page and the calendar export show it.</summary>
/// <param name="Members">Endpoints its groups resolve to now (the run freezes its members when it opens).</param>
internal sealed record UpcomingOccurrence(
    long WindowId, string WindowName, string? Description, string TimeZone, IReadOnlyList<string> Groups, int Members, Occurrence Occurrence);

/// <summary>
/// The coming occurrences of every enabled window, from the schedule code's own calculation (DST, day offsets and
/// blackout dates as the scheduler applies them); skipped ones are included with their reason.
/// </summary>
internal sealed class UpcomingOccurrences(IWindowStore windows, IGroupStore groups, EndpointDirectory endpoints)
{
    /// <summary>At most this many occurrences per window (as the occurrences API): a cron firing every few minutes must
    /// not flood a page or a calendar.</summary>
    public const int MaxPerWindow = 500;

    public async Task<IReadOnlyList<UpcomingOccurrence>> ListAsync(
        DateTimeOffset fromUtc, TimeSpan horizon, Func<WindowRecord, bool>? include, CancellationToken ct)
    {
        var byName = (await groups.ListAsync(ct)).ToDictionary(g => g.Definition.Name, StringComparer.OrdinalIgnoreCase);
        var all = await endpoints.ListAsync(ct);
        var until = fromUtc + horizon;
        var list = new List<UpcomingOccurrence>();
        foreach (var window in await windows.ListAsync(ct))
        {
            var w = window.Definition;
            if (!w.Enabled || (include is not null && !include(window)))
            {
                continue;
            }

            var members = w.Groups
                .Where(byName.ContainsKey)
                .SelectMany(name => GroupMembership.Resolve(byName[name].Definition, all))
                .Select(e => e.Id)
                .Distinct()
                .Count();
            foreach (var occurrence in OccurrenceCalculator.From(w.Schedule, fromUtc).TakeWhile(o => o.StartUtc < until).Take(MaxPerWindow))
            {
                list.Add(new UpcomingOccurrence(window.Id, w.Name, w.Description, w.Schedule.TimeZone, w.Groups, members, occurrence));
            }
        }

        return list.OrderBy(o => o.Occurrence.StartUtc).ThenBy(o => o.WindowName, StringComparer.OrdinalIgnoreCase).ToList();
    }
}
