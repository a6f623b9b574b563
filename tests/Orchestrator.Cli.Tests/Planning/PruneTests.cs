using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Orchestrator.Cli.Tests.Infrastructure;

namespace Orchestrator.Cli.Tests.Planning;

/// <summary>--prune on a server of its own: it deletes everything of a declared kind that the files do not name.</summary>
public sealed class PruneTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    private readonly SiteFiles _files = new();
    private readonly CliRun _cli = new(server.BaseAddress);

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task Prune_deletes_only_what_the_files_no_longer_name_and_only_when_asked()
    {
        var path = _files.Write("site.yaml", Site(includeSecond: true));
        Assert.Equal(ExitCodes.Ok, (await _cli.RunAsync("apply", "-f", path)).ExitCode);
        _files.Write("site.yaml", Site(includeSecond: false));

        var plan = await _cli.RunAsync("plan", "-f", path);
        Assert.Contains("0 to create, 0 to update, 0 to delete, 3 unchanged", plan.Stdout);
        Assert.Contains("? keep   window 'second window'", plan.Stdout);
        Assert.Contains("3 object(s) on the server are not in the files; apply --prune would delete them.", plan.Stdout);

        var withoutPrune = await _cli.RunAsync("apply", "-f", path);
        Assert.Contains("No changes", withoutPrune.Stdout);
        Assert.Equal(2, (await ListAsync("windows")).Count);

        var prunePlan = await _cli.RunAsync("plan", "-f", path, "--prune", "-o", "json");
        Assert.Equal(
            ["delete endpoint ws2.example", "delete group second group", "delete window second window"],
            prunePlan.Json()["changes"]!.AsArray().Select(c => $"{c!["action"]} {c["kind"]} {c["name"]}").Order());

        var prune = await _cli.RunAsync("apply", "-f", path, "--prune");
        Assert.True(prune.ExitCode == ExitCodes.Ok, prune.ToString());
        Assert.Contains("Applied: 0 created, 0 updated, 3 deleted, 3 unchanged.", prune.Stdout);
        Assert.Equal(["first window"], (await ListAsync("windows")).Select(w => w!["name"]!.GetValue<string>()));
        Assert.Equal(["first group"], (await ListAsync("groups")).Select(w => w!["name"]!.GetValue<string>()));
        Assert.Equal(["ws1.example"], (await ListAsync("endpoints")).Select(w => w!["hostname"]!.GetValue<string>()));

        var audit = server.AuditCount();
        var again = await _cli.RunAsync("apply", "-f", path, "--prune");
        Assert.Contains("No changes", again.Stdout);
        Assert.Equal(audit, server.AuditCount());

        // A file that declares only windows prunes windows, never the groups or endpoints it does not mention.
        var windowsOnly = _files.Write("windows-only.yaml", "windows: []\n");
        var onlyWindows = await _cli.RunAsync("apply", "-f", windowsOnly, "--prune");
        Assert.Contains("Applied: 0 created, 0 updated, 1 deleted, 0 unchanged.", onlyWindows.Stdout);
        Assert.Single(await ListAsync("groups"));
        Assert.Single(await ListAsync("endpoints"));
    }

    private async Task<JsonArray> ListAsync(string what) =>
        (await server.Client.GetFromJsonAsync<JsonArray>($"/api/v1/{what}", TestContext.Current.CancellationToken))!;

    private static string Site(bool includeSecond)
    {
        var second = includeSecond;
        return $"""
            endpoints:
              - hostname: ws1.example
                addresses: [198.18.0.1]
            {(second ? "  - hostname: ws2.example\n    addresses: [198.18.0.2]" : "")}
            groups:
              - name: first group
                cidrs: [198.18.0.0/24]
            {(second ? "  - name: second group\n    tags: [two]" : "")}
            windows:
              - name: first window
                cron: "0 0 22 ? * TUE#2"
                timeZone: Europe/Berlin
                duration: PT4H
                groups: [first group]
            {(second ? "  - name: second window\n    cron: \"0 0 6 ? * SAT\"\n    timeZone: UTC\n    duration: PT2H\n    groups: [second group]" : "")}

            """;
    }
}
