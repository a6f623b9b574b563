using System.Globalization;
using System.Net;
using System.Text;
using Orchestrator.Core.Schedules;
using Orchestrator.Server.Tests.Home;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Calendar;

public sealed class CalendarApiTests
{
    private static async Task<(HttpResponseMessage Response, string Body)> GetAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);
        return (response, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    /// <summary>The calendar's events, each as its unfolded properties (name → value).</summary>
    private static List<Dictionary<string, string>> Events(string ics)
    {
        var unfolded = ics.Replace("\r\n ", "", StringComparison.Ordinal);
        var events = new List<Dictionary<string, string>>();
        Dictionary<string, string>? current = null;
        foreach (var line in unfolded.Split("\r\n", StringSplitOptions.RemoveEmptyEntries))
        {
            if (line == "BEGIN:VEVENT")
            {
                current = [];
            }
            else if (line == "END:VEVENT")
            {
                events.Add(current!);
                current = null;
            }
            else if (current is not null)
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                current[line[..colon]] = line[(colon + 1)..];
            }
        }

        return events;
    }

    private static string Utc(DateTimeOffset value) => value.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    [Fact]
    public async Task TheCalendarListsTheSchedulesOwnOccurrencesAcrossADstChangeAtTheRightInstants()
    {
        // Long enough to reach Berlin's next change of UTC offset whenever the test runs (they are at most 210 days apart).
        await using var factory = new OrchestratorFactory();
        factory.Settings["Orchestrator:UpcomingHorizon"] = "215.00:00:00";
        using var client = factory.CreateClient();
        await HomeSite.SeedAsync(client);
        var now = DateTimeOffset.UtcNow;

        var (response, ics) = await GetAsync(client, $"/api/v1/calendar.ics?window={Uri.EscapeDataString(HomeSite.Window)}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/calendar", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:", ics, StringComparison.Ordinal);
        Assert.EndsWith("END:VCALENDAR\r\n", ics, StringComparison.Ordinal);
        Assert.All(ics.Split("\r\n"), line => Assert.True(Encoding.UTF8.GetByteCount(line) <= 75, $"line over 75 octets: {line}"));
        var expected = OccurrenceCalculator.From(
                new WindowSchedule { Cron = HomeSite.Cron, TimeZone = HomeSite.Zone, Duration = TimeSpan.FromHours(1), BlackoutDates = [HomeSite.BlackoutDate(now)] }, now)
            .TakeWhile(o => o.StartUtc < now.AddDays(215))
            .ToList();
        var events = Events(ics);
        Assert.Equal(expected.Select(o => Utc(o.StartUtc)), events.Select(e => e["DTSTART"]));
        Assert.Equal(expected.Select(o => Utc(o.EndUtc)), events.Select(e => e["DTEND"]));
        Assert.Equal(expected.Select(o => o.Skipped is null ? "CONFIRMED" : "CANCELLED"), events.Select(e => e["STATUS"]));
        Assert.Equal(events.Count, events.Select(e => e["UID"]).Distinct().Count());

        // Across the change the local start stays 02:30 (or moves out of a gap as the schedule code says), so the UTC
        // instant moves by an hour: both offsets appear, each event at the instant the scheduler opens it.
        Assert.Equal(2, expected.Select(o => o.LocalStart.Offset).Distinct().Count());
        var change = expected.FindIndex(1, o => o.LocalStart.Offset != expected[0].LocalStart.Offset);
        Assert.Equal(Utc(expected[change].StartUtc), events[change]["DTSTART"]);
        Assert.Contains($"Starts {expected[change].LocalStart:yyyy-MM-dd HH:mm} Europe/Berlin (UTC+", events[change]["DESCRIPTION"], StringComparison.Ordinal);
        Assert.Contains("2 member(s) now", events[0]["DESCRIPTION"], StringComparison.Ordinal);
        Assert.Single(events, e => e["SUMMARY"] == $"Skipped: {HomeSite.Window}" && e["DESCRIPTION"].Contains("Skipped: blackout", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheCalendarOfAGroupHoldsOnlyItsWindowsAndNeedsAKey()
    {
        await using var factory = new OrchestratorFactory();
        using var client = factory.CreateClient();
        await HomeSite.SeedAsync(client);
        await client.CreateAsync("/api/v1/groups", new { name = "lab", tags = new[] { "lab" } });
        await client.CreateAsync("/api/v1/windows", new { name = "lab-weekly", description = "Lab; weekly, on Monday", cron = "0 0 22 ? * MON", timeZone = "America/New_York", duration = "PT2H", groups = new[] { "lab" } });
        using var anonymous = factory.CreateAnonymousClient();

        var (_, all) = await GetAsync(client, "/api/v1/calendar.ics");
        var (_, lab) = await GetAsync(client, "/api/v1/calendar.ics?group=LAB");
        var (refused, _) = await GetAsync(anonymous, "/api/v1/calendar.ics");

        Assert.Contains(Events(all), e => e["SUMMARY"] == HomeSite.Window);
        Assert.Contains(Events(all), e => e["SUMMARY"] == "lab-weekly" && e["DESCRIPTION"].EndsWith(@"\nLab\; weekly\, on Monday", StringComparison.Ordinal));
        var labEvents = Events(lab);
        Assert.InRange(labEvents.Count, 2, 3);
        Assert.All(labEvents, e => Assert.Equal("lab-weekly", e["SUMMARY"]));
        Assert.All(labEvents, e => Assert.Contains("America/New_York", e["DESCRIPTION"], StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }
}
