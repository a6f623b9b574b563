using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Orchestrator.Cli.Tests.Infrastructure;

namespace Orchestrator.Cli.Tests.Commands;

/// <summary>windows, runs, report and close against a real server process; each test applies its own window.</summary>
public sealed class RunCommandsTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    /// <summary>Each test's endpoint gets its own address on the shared server (an address belongs to one endpoint).</summary>
    private static int _lastAddress;

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
        Assert.Contains("the server answered GET /api/v1/runs/987654/report with 404 NotFound: Run 987654 was not found.", report.Stderr);
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
    }

    /// <summary>A script that closes "to be sure" must not fail when the run has already ended: exit 0 and a note (it
    /// exited 3 with the server's 409). Nothing changes: no audit entry by an operator (the scheduler's own moves of
    /// runs, Closing → Closed, may still be written meanwhile).</summary>
    [Fact]
    public async Task Close_on_an_already_closed_run_exits_0_with_a_note_and_changes_nothing()
    {
        var run = await StartRunAsync("Closed twice");
        var id = run.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(ExitCodes.Ok, (await _cli.RunAsync("close", id, "--yes")).ExitCode);
        var audit = OperatorAudit();

        var again = await _cli.RunAsync("close", id, "--yes");
        var json = await _cli.RunAsync("close", id, "--yes", "-o", "json");
        var asked = await new CliRun(server.BaseAddress) { InputIsTerminal = true, OutputIsTerminal = true, Input = "y\n" }.RunAsync("close", id);

        Assert.True(again.ExitCode == ExitCodes.Ok, again.ToString());
        Assert.Matches($@"Run {id} of Closed twice is already (Closing|Closed|Cancelled).*; nothing was changed\.", again.Stdout);
        Assert.True(json.ExitCode == ExitCodes.Ok, json.ToString());
        Assert.Contains(json.Json()["state"]!.GetValue<string>(), new[] { "Closing", "Closed", "Cancelled" });
        Assert.Contains($"note: run {id} of Closed twice is already", json.Stderr);
        Assert.True(asked.ExitCode == ExitCodes.Ok, asked.ToString());
        Assert.DoesNotContain("Close it now?", asked.Stdout);
        Assert.Equal(audit, OperatorAudit());
    }

    [Fact]
    public async Task Runs_start_starts_an_ad_hoc_run_for_the_duration_with_the_given_cutoff()
    {
        await ApplyWindowAsync("Started", "\"0 0 3 1 1 ? 2099\"", "cutoff: PT30M");

        var result = await _cli.RunAsync("runs", "start", "started", "--duration", "PT10M", "--cutoff", "PT2M", "-o", "json");

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Equal("", result.Stderr);
        var run = result.Json();
        Assert.Equal("AdHoc", run["kind"]!.GetValue<string>());
        var start = run["plannedStart"]!.GetValue<DateTimeOffset>();
        var end = run["plannedEnd"]!.GetValue<DateTimeOffset>();
        Assert.Equal(TimeSpan.FromMinutes(10), end - start);
        Assert.Equal(TimeSpan.FromMinutes(2), end - run["cutoffAt"]!.GetValue<DateTimeOffset>());
        var stored = await server.Client.GetFromJsonAsync<JsonObject>($"/api/v1/runs/{run["id"]}", TestContext.Current.CancellationToken);
        Assert.Equal(end.AddMinutes(-2), stored!["run"]!["cutoffAt"]!.GetValue<DateTimeOffset>());
    }

    /// <summary>The README's "run it now for five minutes" on a window with a 30-minute cutoff: without --cutoff the
    /// cutoff fell at the start and no scan was ever dispatched. The server now scales it to the window's share
    /// (PT30M of PT4H: an eighth, PT1M15S of PT10M) and the CLI prints the server's warning.</summary>
    [Fact]
    public async Task Runs_start_prints_the_servers_warning_when_it_scaled_the_windows_cutoff_down()
    {
        await ApplyWindowAsync("Short run", "\"0 0 3 1 1 ? 2099\"", "cutoff: PT30M");

        var result = await _cli.RunAsync("runs", "start", "Short run", "--duration", "PT10M");

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Contains("warning: The window's cutoff PT30M would fall at or before the start of this PT10M run, so no scan could be dispatched; it was scaled to PT1M15S", result.Stderr);
        Assert.Matches(@"Started run \d+ of Short run: (Opening|Open), .* no new scans after ", result.Stdout);
    }

    [Theory]
    [InlineData("00:05:00", ExitCodes.Usage, "--duration '00:05:00' is not an ISO-8601 duration; write it like PT30M")]
    [InlineData("PT1M", ExitCodes.ServerError, "duration: PT1M is out of range; accepted PT5M to PT24H")]
    public async Task Runs_start_refuses_a_bad_duration_in_iso_8601_words_and_starts_nothing(string duration, int exitCode, string message)
    {
        await ApplyWindowAsync("Bad duration " + exitCode, "\"0 0 3 1 1 ? 2099\"");

        var result = await _cli.RunAsync("runs", "start", "Bad duration " + exitCode, "--duration", duration);
        var runs = await _cli.RunAsync("runs", "list", "--window", "Bad duration " + exitCode, "-o", "json");

        Assert.True(result.ExitCode == exitCode, result.ToString());
        Assert.Contains(message, result.Stderr);
        Assert.DoesNotContain("00:01:00", result.Stderr);
        Assert.Empty(runs.Json().AsArray());
    }

    [Fact]
    public async Task Runs_start_refuses_a_cutoff_longer_than_the_run()
    {
        await ApplyWindowAsync("Long cutoff", "\"0 0 3 1 1 ? 2099\"");

        var result = await _cli.RunAsync("runs", "start", "Long cutoff", "--duration", "PT10M", "--cutoff", "PT11M");

        Assert.True(result.ExitCode == ExitCodes.Usage, result.ToString());
        Assert.Contains("--cutoff PT11M is longer than the run; accepted PT0S up to --duration (PT10M)", result.Stderr);
    }

    /// <summary>Members with their confirmations (from the run) and scan outcomes and anomalies (from the server's
    /// report). The member has no agent, so its opening is never confirmed and no scan is dispatched.</summary>
    [Fact]
    public async Task Runs_show_prints_the_state_members_with_their_confirmations_and_the_scans()
    {
        var run = await StartRunAsync("Shown");
        await OpenedAsync(run);
        var id = run.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var table = await _cli.With("COLUMNS", "200").RunAsync("runs", "show", id);
        var json = await _cli.RunAsync("runs", "show", id, "-o", "json");

        Assert.True(table.ExitCode == ExitCodes.Ok, table.ToString());
        Assert.Contains($"Run {id} of Shown (window ", table.Stdout);
        Assert.Contains("members  1: opening confirmed by 0, close confirmed by 0", table.Stdout);
        Assert.Matches(@"scans    0 succeeded, 0 failed, 0 running, \d+ not dispatched", table.Stdout);
        Assert.Contains("shown-ws.example", table.Stdout);
        Assert.Matches(@"peers    1 address in 1 range: \S+", table.Stdout);
        Assert.Contains("Opening confirmed", table.Stdout);
        Assert.Contains("Anomalies (", table.Stdout);
        var doc = json.Json();
        Assert.Equal(run, doc["run"]!["id"]!.GetValue<long>());
        var member = doc["members"]!.AsArray().Single()!;
        Assert.Equal("shown-ws.example", member["hostname"]!.GetValue<string>());
        // The run's peer set once, not a list of peers per member.
        Assert.Equal(1, doc["peerSet"]!["addresses"]!.GetValue<long>());
        Assert.False(member.AsObject().ContainsKey("allowedPeers"));
        Assert.Null(member["openAckedAt"]);
        Assert.NotNull(member["scan"]);
        Assert.NotNull(doc["scans"]!["notDispatched"]);
        Assert.NotEmpty(doc["anomalies"]!.AsArray());
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

    /// <summary>report prints the server's report (anomalies, scans), not the CLI's own weaker copy of the run and its
    /// traffic (which had no anomalies and no scan outcomes).</summary>
    [Fact]
    public async Task Report_prints_the_servers_report_with_anomalies_and_scan_outcomes()
    {
        var run = await StartRunAsync("Reported");
        await OpenedAsync(run);
        var id = run.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var markdown = await _cli.RunAsync("report", id);
        var json = await _cli.RunAsync("report", id, "--format", "json");
        var global = await _cli.RunAsync("report", id, "-o", "json");
        var csv = await _cli.RunAsync("report", id, "--format", "csv");
        var transfers = await _cli.RunAsync("report", id, "--format", "transfers-csv");
        var served = await server.Client.GetStringAsync($"/api/v1/runs/{id}/report?format=md", TestContext.Current.CancellationToken);

        Assert.True(markdown.ExitCode == ExitCodes.Ok, markdown.ToString());
        Assert.StartsWith($"### Run {id} · window “Reported”", markdown.Stdout, StringComparison.Ordinal);
        Assert.Contains("**Anomalies (", markdown.Stdout);
        Assert.Contains("scans ok / failed", markdown.Stdout);
        Assert.Equal(served.Split('\n')[0], markdown.Stdout.Split('\n')[0]);
        // Without Orchestrator:PublicUrl the server's links are relative: it never builds them from the Host header.
        Assert.Contains($"Full report: /reports/runs/{id}", markdown.Stdout);
        Assert.True(json.ExitCode == ExitCodes.Ok, json.ToString());
        var report = json.Json();
        Assert.Equal(run, report["run"]!["id"]!.GetValue<long>());
        Assert.NotEmpty(report["anomalies"]!.AsArray());
        Assert.Equal(1, report["summary"]!["members"]!.GetValue<int>());
        Assert.NotNull(report["summary"]!["scansNotDispatched"]);
        Assert.Equal("reported-ws.example", report["endpoints"]!.AsArray().Single()!["hostname"]!.GetValue<string>());
        Assert.Equal(run, global.Json()["run"]!["id"]!.GetValue<long>());
        Assert.StartsWith("run_id,endpoint_id,hostname,address,agent,", csv.Stdout, StringComparison.Ordinal);
        Assert.Contains(",reported-ws.example,", csv.Stdout);
        Assert.StartsWith("run_id,serving_endpoint_id,serving_hostname,peer_address,receiving_endpoint_id,receiving_hostname,bytes", transfers.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Agents_list_answers_with_the_enrolled_agents()
    {
        var result = await _cli.RunAsync("agents", "list", "-o", "json");

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.NotNull(result.Json().AsArray());
    }

    private long OperatorAudit() => server.Scalar("SELECT COUNT(*) FROM audit_log WHERE actor <> 'scheduler'");

    private async Task<long> ApplyWindowAsync(string name, string cron, string extra = "")
    {
        var slug = name.Replace(' ', '-').ToLowerInvariant();
        var path = _files.Write(slug + ".yaml", $"""
            endpoints:
              - hostname: {slug}-ws.example
                addresses: [198.18.50.{Interlocked.Increment(ref _lastAddress)}]
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
