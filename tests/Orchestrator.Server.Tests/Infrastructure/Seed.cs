using System.Text.Json.Nodes;

namespace Orchestrator.Server.Tests.Infrastructure;

/// <summary>A small site: three endpoints in group "floor-3", and helpers to define windows over it.</summary>
public static class Seed
{
    public const string Group = "floor-3";

    public static async Task SiteAsync(HttpClient client)
    {
        for (var i = 1; i <= 3; i++)
        {
            await client.CreateAsync("/api/v1/endpoints", new { hostname = $"pc-{i}", addresses = new[] { $"198.18.0.{10 + i}" }, os = "windows", tags = new[] { "floor-3" } });
        }

        await client.CreateAsync("/api/v1/groups", new { name = Group, tags = new[] { "floor-3" } });
    }

    /// <summary>A window that only opens when asked (ad-hoc runs): its schedule is once a year.</summary>
    public static async Task<long> YearlyWindowAsync(HttpClient client, string name = "floor-3 patch")
    {
        var window = await client.CreateAsync("/api/v1/windows", new
        {
            name,
            cron = "0 0 3 1 1 ?",
            timeZone = "Etc/UTC",
            duration = "PT1H",
            groups = new[] { Group },
        });
        return (long)window["id"]!;
    }

    /// <summary>A one-off window at <paramref name="startUtc"/> (UTC wall-clock), for <paramref name="duration"/>.</summary>
    public static async Task<long> OneOffWindowAsync(HttpClient client, string name, DateTimeOffset startUtc, string duration)
    {
        var window = await client.CreateAsync("/api/v1/windows", new
        {
            name,
            at = startUtc.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
            timeZone = "Etc/UTC",
            duration,
            groups = new[] { Group },
        });
        return (long)window["id"]!;
    }

    public static async Task<JsonNode> RunAsync(HttpClient client, long runId) => (await client.GetJsonAsync($"/api/v1/runs/{runId}"))["run"]!;

    public static async Task<JsonArray> RunsOfAsync(HttpClient client, long windowId) => (await client.GetJsonAsync($"/api/v1/runs?windowId={windowId}&limit=1000")).AsArray();
}
