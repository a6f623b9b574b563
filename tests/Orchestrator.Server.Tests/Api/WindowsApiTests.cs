using System.Net;
using System.Text.Json.Nodes;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Api;

public sealed class WindowsApiTests : IClassFixture<OrchestratorFactory>, IAsyncLifetime
{
    private readonly HttpClient _client;
    private readonly ProductTables _tables;

    public WindowsApiTests(OrchestratorFactory factory)
    {
        _client = factory.CreateClient();
        _tables = new ProductTables(factory.DataDirectory);
    }

    public async ValueTask InitializeAsync()
    {
        // Every test's windows name these; a second test class instance finds them already there.
        foreach (var group in new[] { "seed-group", "second-group" })
        {
            var (status, body) = await _client.SendAsync(HttpMethod.Post, "/api/v1/groups", Bodies.Group(group));
            Assert.True(status is HttpStatusCode.Created or HttpStatusCode.BadRequest, $"group {group}: {(int)status} {body}");
        }
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task AWindowIsCreatedReadListedUpdatedAndDeleted()
    {
        var (created, window) = await _client.SendAsync(HttpMethod.Post, "/api/v1/windows", Bodies.Window("crud-window"));
        var id = (long)window!["id"]!;
        var read = await _client.GetJsonAsync($"/api/v1/windows/{id}");
        var listed = await _client.GetJsonAsync("/api/v1/windows");
        var (updated, changed) = await _client.SendAsync(HttpMethod.Put, $"/api/v1/windows/{id}", Bodies.Window("crud-window", w =>
        {
            w["duration"] = "PT2H";
            w["groups"] = new JsonArray("second-group");
            w["scan"]!["maxConcurrency"] = 10;
        }));

        Assert.Equal(HttpStatusCode.Created, created);
        Assert.Equal(1, (int)read["revision"]!);
        Assert.Equal("0 0 22 ? * TUE#2", (string?)read["cron"]);
        Assert.Equal("PT4H", (string?)read["duration"]);
        Assert.Equal("PT30M", (string?)read["cutoff"]);
        Assert.Equal("25%", (string?)read["scan"]!["maxConcurrency"]);
        Assert.Equal(["2091-12-24"], read["blackoutDates"]!.AsArray().Select(d => (string?)d));
        Assert.Equal(7680, (int)read["ports"]![0]!["port"]!);
        Assert.Contains(listed.AsArray(), w => (long)w!["id"]! == id);
        Assert.Equal(HttpStatusCode.OK, updated);
        Assert.Equal(2, (int)changed!["revision"]!);
        Assert.Equal("PT2H", (string?)changed["duration"]);
        Assert.Equal("10", (string?)changed["scan"]!["maxConcurrency"]);
        Assert.Equal(["second-group"], changed["groups"]!.AsArray().Select(g => (string?)g));
        Assert.Equal(1, await _tables.CountAsync("window_groups", $"window_id = {id}"));
        Assert.Equal(1, await _tables.CountAsync("window_groups", $"window_id = {id} AND group_id = (SELECT id FROM groups WHERE name = 'second-group')"));

        var (deleted, _) = await _client.SendAsync(HttpMethod.Delete, $"/api/v1/windows/{id}");
        var (gone, _) = await _client.SendAsync(HttpMethod.Get, $"/api/v1/windows/{id}");

        Assert.Equal(HttpStatusCode.NoContent, deleted);
        Assert.Equal(HttpStatusCode.NotFound, gone);
        Assert.DoesNotContain((await _client.GetJsonAsync("/api/v1/windows")).AsArray(), w => (long)w!["id"]! == id);
        Assert.Equal(0, await _tables.CountAsync("window_groups", $"window_id = {id}"));
        Assert.Equal(["created", "updated", "deleted"], (await _tables.AuditAsync("window", id)).Select(a => a.Action));
    }

    [Fact]
    public async Task ADeletedWindowsNameCanBeUsedAgain()
    {
        var first = await _client.CreateAsync("/api/v1/windows", JsonNode.Parse(Bodies.Window("reused-name"))!);
        Assert.Equal(HttpStatusCode.NoContent, (await _client.SendAsync(HttpMethod.Delete, $"/api/v1/windows/{first["id"]}")).Status);

        var (status, second) = await _client.SendAsync(HttpMethod.Post, "/api/v1/windows", Bodies.Window("reused-name"));

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.NotEqual((long)first["id"]!, (long)second!["id"]!);
    }

    [Fact]
    public async Task NextOccurrenceIsTheFirstStartThatIsNotBlackedOut()
    {
        // Second Tuesday of January 2090 is the 10th; offsetDays +1 makes it the 11th, which is blacked out.
        var window = await _client.CreateAsync("/api/v1/windows", JsonNode.Parse(Bodies.Window("next-occurrence", w =>
            w["blackoutDates"] = new JsonArray("2090-01-11")))!);

        var next = window["nextOccurrence"]!;
        Assert.Equal("2090-02-15T22:00:00", (string?)next["key"]);
        Assert.Equal(new DateTimeOffset(2090, 2, 15, 22, 0, 0, TimeSpan.FromHours(1)), DateTimeOffset.Parse((string)next["localStart"]!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("+01:00", (string?)next["utcOffset"]);
        Assert.False((bool)next["skipped"]!);
    }

    [Fact]
    public async Task ADisabledWindowHasNoNextOccurrence()
    {
        var window = await _client.CreateAsync("/api/v1/windows", JsonNode.Parse(Bodies.Window("disabled", w => w["enabled"] = false))!);

        Assert.Null(window["nextOccurrence"]);
    }

    [Fact]
    public async Task OccurrencesListLocalStartsWithOffsetUtcStartAndEndAndSkippedBlackouts()
    {
        var window = await _client.CreateAsync("/api/v1/windows", JsonNode.Parse(Bodies.Window("patch-tuesday-plus-1", w =>
        {
            w.Remove("notBefore");
            w.Remove("notAfter");
            w["blackoutDates"] = new JsonArray("2027-02-10");
        }))!);

        var rows = (await _client.GetJsonAsync($"/api/v1/windows/{window["id"]}/occurrences?from=2027-01-01T00:00:00Z&count=4")).AsArray();

        Assert.Equal(
            [
                "2027-01-13T22:00:00+01:00 2027-01-13T21:00:00Z-2027-01-14T01:00:00Z",
                "2027-02-10T22:00:00+01:00 2027-02-10T21:00:00Z-2027-02-11T01:00:00Z skipped blackout",
                "2027-03-10T22:00:00+01:00 2027-03-10T21:00:00Z-2027-03-11T01:00:00Z",
                "2027-04-14T22:00:00+02:00 2027-04-14T20:00:00Z-2027-04-15T00:00:00Z",
            ],
            rows.Select(Describe));
    }

    [Fact]
    public async Task OccurrencesStartAtFromAndDefaultToTen()
    {
        var window = await _client.CreateAsync("/api/v1/windows", JsonNode.Parse(Bodies.Window("from-and-count", w =>
        {
            w.Remove("notBefore");
            w.Remove("notAfter");
        }))!);

        var fromMarch = (await _client.GetJsonAsync($"/api/v1/windows/{window["id"]}/occurrences?from=2027-02-11T00:00:00%2B01:00&count=1")).AsArray();
        var defaults = (await _client.GetJsonAsync($"/api/v1/windows/{window["id"]}/occurrences?from=2027-01-01T00:00:00Z")).AsArray();

        Assert.Equal("2027-03-10T22:00:00", (string?)Assert.Single(fromMarch)!["key"]);
        Assert.Equal(10, defaults.Count);
        Assert.Equal("2027-10-13T22:00:00", (string?)defaults[9]!["key"]);
    }

    [Fact]
    public async Task OccurrencesOfAWindowThatDoesNotExistIsNotFound()
    {
        var (status, _) = await _client.SendAsync(HttpMethod.Get, "/api/v1/windows/987654/occurrences");

        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    private static string Describe(JsonNode? row)
    {
        var local = (string)row!["localStart"]!;
        var start = DateTimeOffset.Parse((string)row["startUtc"]!, System.Globalization.CultureInfo.InvariantCulture).UtcDateTime;
        var end = DateTimeOffset.Parse((string)row["endUtc"]!, System.Globalization.CultureInfo.InvariantCulture).UtcDateTime;
        var skipped = (bool)row["skipped"]! ? $" skipped {row["skipReason"]}" : "";
        return $"{local} {start:yyyy-MM-dd'T'HH:mm:ss'Z'}-{end:yyyy-MM-dd'T'HH:mm:ss'Z'}{skipped}";
    }
}
