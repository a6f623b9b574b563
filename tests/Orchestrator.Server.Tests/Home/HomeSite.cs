using System.Text.Json.Nodes;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Home;

/// <summary>A site in Europe/Berlin: endpoints pc-a and pc-b (tag "berlin") in group "berlin", and the window
/// "berlin nightly" at 02:30 Berlin time every day with a blackout <see cref="BlackoutInDays"/> days from today
/// (Berlin's date). Shared by the home page, report and calendar tests and the browser test.</summary>
public static class HomeSite
{
    public const string Group = "berlin";
    public const string Window = "berlin nightly";
    public const string Cron = "0 30 2 * * ?";
    public const string Zone = "Europe/Berlin";
    public const int BlackoutInDays = 3;

    public static DateOnly BlackoutDate(DateTimeOffset now) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, TimeZoneInfo.FindSystemTimeZoneById(Zone)).DateTime).AddDays(BlackoutInDays);

    /// <summary>Creates the group and the window (and pc-a, pc-b when <paramref name="withEndpoints"/>); answers the window's id.</summary>
    public static async Task<long> SeedAsync(HttpClient client, bool withEndpoints = true)
    {
        if (withEndpoints)
        {
            await client.CreateAsync("/api/v1/endpoints", new { hostname = "pc-a", addresses = new[] { "198.18.1.1" }, os = "windows", tags = new[] { Group } });
            await client.CreateAsync("/api/v1/endpoints", new { hostname = "pc-b", addresses = new[] { "198.18.1.2" }, os = "windows", tags = new[] { Group } });
        }

        await client.CreateAsync("/api/v1/groups", new { name = Group, tags = new[] { Group } });
        var blackout = BlackoutDate(DateTimeOffset.UtcNow).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        JsonNode window = await client.CreateAsync("/api/v1/windows", new
        {
            name = Window,
            cron = Cron,
            timeZone = Zone,
            duration = "PT1H",
            groups = new[] { Group },
            blackoutDates = new[] { blackout },
        });
        return (long)window["id"]!;
    }
}
