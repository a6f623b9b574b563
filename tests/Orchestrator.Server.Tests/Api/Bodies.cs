using System.Text.Json.Nodes;

namespace Orchestrator.Server.Tests.Api;

/// <summary>
/// Valid request bodies that a test changes in one place, so that a rejected body is rejected for that change only.
/// The window never fires during a test run: its validity period starts in 2090.
/// </summary>
public static class Bodies
{
    public static string Endpoint(string hostname, Action<JsonObject>? change = null) => Build(
        new JsonObject
        {
            ["hostname"] = hostname,
            ["addresses"] = new JsonArray(AddressOf(hostname)),
            ["os"] = "windows",
            ["tags"] = new JsonArray("ring1"),
        },
        change);

    public static string Group(string name, Action<JsonObject>? change = null) => Build(
        new JsonObject
        {
            ["name"] = name,
            ["description"] = "test group",
            ["staticMembers"] = new JsonArray("seed-host.example"),
            ["cidrs"] = new JsonArray("198.18.0.0/24"),
            ["tags"] = new JsonArray("ring1"),
        },
        change);

    public static string Window(string name, Action<JsonObject>? change = null) => Build(
        new JsonObject
        {
            ["name"] = name,
            ["cron"] = "0 0 22 ? * TUE#2",
            ["timeZone"] = "Europe/Berlin",
            ["offsetDays"] = 1,
            ["duration"] = "PT4H",
            ["cutoff"] = "PT30M",
            ["blackoutDates"] = new JsonArray("2091-12-24"),
            ["notBefore"] = "2090-01-01T00:00:00Z",
            ["notAfter"] = "2095-01-01T00:00:00Z",
            ["groups"] = new JsonArray("seed-group"),
            ["ports"] = new JsonArray(new JsonObject { ["port"] = 7680, ["protocol"] = "tcp" }),
            ["scan"] = new JsonObject { ["enabled"] = true, ["maxConcurrency"] = "25%", ["maxErrors"] = 3 },
            ["peering"] = "group",
            ["enabled"] = true,
        },
        change);

    private static string Build(JsonObject body, Action<JsonObject>? change)
    {
        change?.Invoke(body);
        return body.ToJsonString();
    }

    /// <summary>An address of its own for each hostname (any case): an address belongs to one endpoint.</summary>
    public static string AddressOf(string hostname)
    {
        var hash = 2166136261u;
        foreach (var c in hostname.ToLowerInvariant())
        {
            hash = (hash ^ c) * 16777619u;
        }

        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"198.18.{1 + (hash % 250)}.{1 + (hash / 250 % 250)}");
    }
}
