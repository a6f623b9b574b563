using System.Globalization;
using Microsoft.Extensions.Options;
using Orchestrator.Data.Groups;
using Orchestrator.Data.Windows;
using Orchestrator.Server.Api;
using Orchestrator.Server.Hosting;

namespace Orchestrator.Server.Calendar;

/// <summary>/api/v1/calendar.ics: the coming occurrences (the home page's horizon) for a team calendar, all windows or
/// those of one group (<c>?group=name</c>) or one window (<c>?window=id or name</c>).</summary>
internal static class CalendarApi
{
    public static RouteGroupBuilder MapCalendarApi(this RouteGroupBuilder api)
    {
        api.MapGet("/calendar.ics", CalendarAsync).WithTags("Calendar").Produces(StatusCodes.Status200OK, contentType: IcsCalendar.ContentType);
        return api;
    }

    private static async Task<IResult> CalendarAsync(HttpContext http, IWindowStore windows, IGroupStore groups, TimeProvider time, IOptions<OrchestratorOptions> options, CancellationToken ct)
    {
        // Read from the query itself: "?group=" (present but empty) is a mistake to name, not "every group".
        var group = http.Request.Query.TryGetValue("group", out var g) ? g.ToString() : null;
        var window = http.Request.Query.TryGetValue("window", out var w) ? w.ToString() : null;
        Func<WindowRecord, bool>? include = null;
        if (group is not null)
        {
            var all = await groups.ListAsync(ct);
            var found = all.FirstOrDefault(x => string.Equals(x.Definition.Name, group.Trim(), StringComparison.OrdinalIgnoreCase));
            if (found is null)
            {
                return Problems.Invalid("group", $"no group is named '{Core.FreeText.Sanitize(group, multiLine: false)}'; accepted: the name of an existing group ({all.Count} exist)");
            }

            include = r => r.Definition.Groups.Contains(found.Definition.Name, StringComparer.OrdinalIgnoreCase);
        }

        if (window is not null)
        {
            var all = await windows.ListAsync(ct);
            var found = all.FirstOrDefault(r => string.Equals(r.Definition.Name, window.Trim(), StringComparison.OrdinalIgnoreCase))
                ?? (long.TryParse(window, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? all.FirstOrDefault(r => r.Id == id) : null);
            if (found is null)
            {
                return Problems.Invalid("window", $"no window has the id or name '{Core.FreeText.Sanitize(window, multiLine: false)}'; accepted: an existing window's id or name");
            }

            var byGroup = include;
            include = r => r.Id == found.Id && (byGroup is null || byGroup(r));
        }

        var now = time.GetUtcNow();
        var upcoming = await ActivatorUtilities.CreateInstance<UpcomingOccurrences>(http.RequestServices).ListAsync(now, options.Value.UpcomingHorizon, include, ct);
        var host = options.Value.PublicUrl is { } url ? new Uri(url).Host : "orchestrator";
        http.Response.Headers.ContentDisposition = "inline; filename=\"orchestrator.ics\"";
        return TypedResults.Text(IcsCalendar.Render(upcoming, now, host), IcsCalendar.ContentType);
    }
}
