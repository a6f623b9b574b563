using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Orchestrator.Cli.Tests.Infrastructure;

namespace Orchestrator.Cli.Tests.Planning;

/// <summary>plan and apply against a real server process on real SQLite. Tests share the server and use their own names;
/// none prunes (see <see cref="PruneTests"/>).</summary>
public sealed class PlanApplyTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    private readonly SiteFiles _files = new();
    private readonly CliRun _cli = new(server.BaseAddress);

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task Apply_creates_the_example_site_and_a_second_apply_changes_nothing_on_the_server()
    {
        var plan = await _cli.RunAsync("plan", "-f", SiteFiles.Example, "--detailed-exitcode");
        Assert.True(plan.ExitCode == ExitCodes.NotDone, plan.ToString());
        Assert.Contains("+ create window 'Patch Tuesday Berlin'", plan.Stdout);
        Assert.Contains("cron", plan.Stdout);

        var first = await _cli.RunAsync("apply", "-f", SiteFiles.Example);
        Assert.True(first.ExitCode == ExitCodes.Ok, first.ToString());
        Assert.Contains("Applied: 11 created, 0 updated, 0 deleted", first.Stdout);
        Assert.Contains("created window 'Munich feature update'", first.Stdout);

        var before = await SnapshotAsync();
        var audit = server.AuditCount();

        var second = await _cli.RunAsync("apply", "-f", SiteFiles.Example);
        Assert.True(second.ExitCode == ExitCodes.Ok, second.ToString());
        Assert.Contains("No changes: the server already matches the files (11 object(s) unchanged).", second.Stdout);
        Assert.Equal(before, await SnapshotAsync());
        Assert.Equal(audit, server.AuditCount());

        var again = await _cli.RunAsync("plan", "-f", SiteFiles.Example, "--detailed-exitcode");
        Assert.True(again.ExitCode == ExitCodes.Ok, again.ToString());
        Assert.Contains("0 to create, 0 to update, 0 to delete, 11 unchanged", again.Stdout);
    }

    [Fact]
    public async Task Plan_shows_an_update_field_by_field_and_apply_makes_exactly_that_change()
    {
        var path = _files.Write("site.yaml", Site("upd", duration: "PT4H", blackout: "[]"));
        Assert.Equal(ExitCodes.Ok, (await _cli.RunAsync("apply", "-f", path)).ExitCode);
        _files.Write("site.yaml", Site("upd", duration: "PT3H", blackout: "[2027-12-24]"));

        var plan = await _cli.RunAsync("plan", "-f", path);

        Assert.True(plan.ExitCode == ExitCodes.Ok, plan.ToString());
        Assert.Contains("0 to create, 1 to update, 0 to delete, 1 unchanged", plan.Stdout);
        Assert.Matches(@"~ update window 'upd window' \(id \d+\)", plan.Stdout);
        Assert.Matches(@"duration\s+PT4H → PT3H", plan.Stdout);
        Assert.Matches(@"blackoutDates\s+\(none\) → 2027-12-24", plan.Stdout);

        var json = (await _cli.RunAsync("plan", "-f", path, "-o", "json")).Json();
        var change = json["changes"]!.AsArray().Single(c => c!["action"]!.GetValue<string>() is "update" or "create" or "delete")!;
        Assert.Equal("update", change["action"]!.GetValue<string>());
        Assert.Equal($"{path}:5:5", change["source"]!.GetValue<string>());
        Assert.Equal(["blackoutDates", "duration"], change["fields"]!.AsArray().Select(f => f!["field"]!.GetValue<string>()).Order());

        var apply = await _cli.RunAsync("apply", "-f", path);
        Assert.Contains("Applied: 0 created, 1 updated, 0 deleted, 1 unchanged.", apply.Stdout);
        var window = (await WindowsAsync()).Single(w => w!["name"]!.GetValue<string>() == "upd window")!;
        Assert.Equal("PT3H", window["duration"]!.GetValue<string>());
        Assert.Equal(2, window["revision"]!.GetValue<int>());
    }

    /// <summary>Second Tuesdays 22:00 Berlin from 2030 (notBefore pins them): 2030-01-08 (CET), 2030-02-12, 2030-03-12;
    /// the window is not on the server yet, so Core's schedule engine computes them.</summary>
    [Fact]
    public async Task Plan_shows_each_windows_next_three_starts_in_local_time_and_utc()
    {
        var path = _files.Write("site.yaml", Site("next", duration: "PT4H", blackout: "[2030-02-12]") + "    notBefore: 2030-01-01T00:00:00+01:00\n");

        var plan = await _cli.RunAsync("plan", "-f", path);
        var json = await _cli.RunAsync("plan", "-f", path, "-o", "json");

        Assert.True(plan.ExitCode == ExitCodes.Ok, plan.ToString());
        Assert.Contains("Next starts (at most 3 per window; local time in the window's zone, then UTC):", plan.Stdout);
        Assert.Contains("next window (Europe/Berlin)", plan.Stdout);
        Assert.Contains("Tue 2030-01-08 22:00 +01:00   2030-01-08 21:00:00Z", plan.Stdout);
        Assert.Matches(@"Tue 2030-02-12 22:00 \+01:00   2030-02-12 21:00:00Z\s+skipped \(blackout\)", plan.Stdout);
        Assert.Contains("Tue 2030-03-12 22:00 +01:00   2030-03-12 21:00:00Z", plan.Stdout);
        Assert.DoesNotContain("2030-04-09", plan.Stdout);
        var starts = json.Json()["nextStarts"]!.AsArray().Single(w => w!["window"]!.GetValue<string>() == "next window")!["starts"]!.AsArray();
        Assert.Equal(["2030-01-08T22:00:00", "2030-02-12T22:00:00", "2030-03-12T22:00:00"], starts.Select(s => s!["key"]!.GetValue<string>()));
        Assert.Equal([false, true, false], starts.Select(s => s!["skipped"]!.GetValue<bool>()));
    }

    /// <summary>plan warns like validate: the warning names the Quartz day, and the plan is still made (exit 0).</summary>
    [Fact]
    public async Task Plan_warns_about_a_numeric_day_of_week_and_still_plans()
    {
        var path = _files.Write("site.yaml", Site("dow", duration: "PT4H", blackout: "[]").Replace("TUE#2", "3", StringComparison.Ordinal));

        var plan = await _cli.RunAsync("plan", "-f", path);

        Assert.True(plan.ExitCode == ExitCodes.Ok, plan.ToString());
        Assert.Contains($"{path}:7:11: warning: cron: day-of-week is a number: in Quartz 3 = Tuesday", plan.Stderr);
        Assert.Contains("+ create window 'dow window'", plan.Stdout);
    }

    [Fact]
    public async Task On_a_terminal_apply_runs_under_a_progress_bar_then_lists_the_changes_in_colour()
    {
        var path = _files.Write("site.yaml", Site("tty", duration: "PT4H", blackout: "[]"));
        var cli = new CliRun(server.BaseAddress) { OutputIsTerminal = true };

        var result = await cli.RunAsync("apply", "-f", path);

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Contains("\u001b[", result.Stdout);
        Assert.Contains("\u001b[?25l", result.Stdout); // the progress display hides the cursor while it draws
        Assert.Contains("group 'tty group'", result.Stdout);
        Assert.Contains("window 'tty window'", result.Stdout);
    }

    [Fact]
    public async Task A_window_naming_a_group_neither_the_files_nor_the_server_have_is_refused_before_anything_is_sent()
    {
        var path = _files.Write("site.yaml", "windows:\n  - name: orphan window\n    cron: \"0 0 1 * * ?\"\n    timeZone: UTC\n    duration: PT1H\n    groups: [no-such-group]\n");
        var audit = server.AuditCount();

        var result = await _cli.RunAsync("apply", "-f", path);

        Assert.True(result.ExitCode == ExitCodes.Invalid, result.ToString());
        Assert.Contains($"{path}:6:14: error: groups[0]: no group named 'no-such-group' in these files or on the server", result.Stderr);
        Assert.Contains("nothing was sent to the server", result.Stderr);
        Assert.Equal(audit, server.AuditCount());
    }

    [Fact]
    public async Task A_refusal_by_the_server_exits_3_and_points_at_the_line_of_the_refused_field()
    {
        // --min-duration lets the short window past local validation; the server (5 min) refuses it.
        var path = _files.Write("site.yaml", Site("short", duration: "PT1M", blackout: "[]"));

        var result = await _cli.RunAsync("apply", "-f", path, "--min-duration", "PT1M");

        Assert.True(result.ExitCode == ExitCodes.ServerError, result.ToString());
        Assert.Contains("creating window 'short window' failed: the server answered POST /api/v1/windows with 400", result.Stderr);
        Assert.Contains($"{path}:10:15: duration: PT1M is out of range; accepted PT5M to PT24H", result.Stderr);
        Assert.Contains("created group 'short group'", result.Stdout);
    }

    /// <summary>Pins that offline validation and the server refuse the same fields: both read windows with Core's
    /// WindowSpelling, but each maps its own DTOs to it and adds its own checks around it.</summary>
    [Theory]
    [InlineData("offsetDays: 7", "offsetDays")]
    [InlineData("cutoff: PT5H", "cutoff")]
    [InlineData("peering: wan", "peering")]
    [InlineData("ports: [{port: 0}]", "ports[0].port")]
    [InlineData("ports: [{protocol: tcp}]", "ports[0].port")]
    [InlineData("scan: {maxConcurrency: 101%}", "scan.maxConcurrency")]
    [InlineData("scan: {maxErrors: -1}", "scan.maxErrors")]
    [InlineData("at: 2027-05-01T22:00:00", "at")]
    [InlineData("notAfter: 1969-12-31T00:00:00Z", "cron")]
    [InlineData("blackoutDates: [2027-02-30]", "blackoutDates[0]")]
    public async Task The_server_refuses_the_same_fields_that_validate_reports(string extra, string field)
    {
        var prefix = "mirror " + Guid.NewGuid().ToString("n")[..8];
        var yaml = extra.StartsWith("blackoutDates: ", StringComparison.Ordinal)
            ? Site(prefix, duration: "PT4H", blackout: extra["blackoutDates: ".Length..])
            : Site(prefix, duration: "PT4H", blackout: "[]") + "    " + extra + "\n";
        var path = _files.Write("w.yaml", yaml);
        var validate = await _cli.RunAsync("validate", "-f", path, "-o", "json");
        var local = validate.Json()["diagnostics"]!.AsArray().Where(d => d!["severity"]!.GetValue<string>() == "error")
            .Select(d => d!["field"]!.GetValue<string>()).ToHashSet();

        var diagnostics = new List<Orchestrator.Cli.Config.ConfigDiagnostic>();
        var window = Orchestrator.Cli.Config.ConfigLoader.Load([path], diagnostics).Windows.Single().Body;
        using var group = await server.Client.PostAsJsonAsync("/api/v1/groups", new { name = prefix + " group", tags = new[] { "x" } }, TestContext.Current.CancellationToken);
        using var response = await server.Client.PostAsJsonAsync("/api/v1/windows", window, Orchestrator.Cli.Api.ApiJson.Options, TestContext.Current.CancellationToken);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        var remote = problem["errors"]!.AsObject().Select(e => e.Key).ToHashSet();

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains(field, local);
        Assert.Contains(field, remote);
        Assert.Subset(local, remote);
    }

    private async Task<string> SnapshotAsync()
    {
        var parts = new List<string>();
        foreach (var path in new[] { "/api/v1/endpoints", "/api/v1/groups", "/api/v1/windows" })
        {
            var list = await server.Client.GetFromJsonAsync<JsonArray>(path, TestContext.Current.CancellationToken);
            parts.AddRange(list!.Select(o => $"{path} {o!["id"]} {o["updatedAt"]} {o["revision"]}"));
        }

        return string.Join('\n', parts.Order(StringComparer.Ordinal));
    }

    private async Task<JsonArray> WindowsAsync() =>
        (await server.Client.GetFromJsonAsync<JsonArray>("/api/v1/windows", TestContext.Current.CancellationToken))!;

    /// <summary>A group and a window named after <paramref name="prefix"/>; the window's mapping starts at 5:5, its
    /// duration is on line 10.</summary>
    internal static string Site(string prefix, string duration, string blackout) => $"""
        groups:
          - name: {prefix} group
            tags: [{prefix}]
        windows:
          - name: {prefix} window
            groups: [{prefix} group]
            cron: "0 0 22 ? * TUE#2"
            timeZone: Europe/Berlin
            blackoutDates: {blackout}
            duration: {duration}

        """;
}
