using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Orchestrator.Cli.Tests.Infrastructure;

namespace Orchestrator.Cli.Tests.Planning;

/// <summary>Regression: apply --prune does not delete a window from under an open run unless --close-runs.</summary>
public sealed class PruneOpenRunTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    private readonly SiteFiles _files = new();
    private readonly CliRun _cli = new(server.BaseAddress);

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task Apply_prune_stops_at_a_window_with_an_open_run_and_close_runs_closes_it_then_deletes()
    {
        var ct = TestContext.Current.CancellationToken;
        var site = _files.Write("site.yaml", """
            endpoints:
              - hostname: open-ws.example
                addresses: [198.18.60.1]
            groups:
              - name: open group
                staticMembers: [open-ws.example]
            windows:
              - name: open window
                cron: "0 0 3 1 1 ? 2099"
                timeZone: UTC
                duration: PT1H
                groups: [open group]

            """);
        Assert.Equal(ExitCodes.Ok, (await _cli.RunAsync("apply", "-f", site)).ExitCode);
        var windowId = (await ListAsync("windows")).Single()!["id"]!.GetValue<long>();
        using var started = await server.Client.PostAsJsonAsync($"/api/v1/windows/{windowId}/runs", new { duration = "PT10M" }, ct);
        var runId = (await started.Content.ReadFromJsonAsync<JsonObject>(ct))!["id"]!.GetValue<long>();
        var windowsOnly = _files.Write("windows-only.yaml", "windows: []\n");

        var refused = await _cli.RunAsync("apply", "-f", windowsOnly, "--prune");

        Assert.True(refused.ExitCode == ExitCodes.ServerError, refused.ToString());
        Assert.Contains("deleting window 'open window' failed", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains($"run {runId} (", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("--close-runs", refused.Stderr, StringComparison.Ordinal);
        Assert.Single(await ListAsync("windows"));

        var closing = await _cli.RunAsync("apply", "-f", windowsOnly, "--prune", "--close-runs");

        Assert.True(closing.ExitCode == ExitCodes.Ok, closing.ToString());
        Assert.Empty(await ListAsync("windows"));
        var run = (await server.Client.GetFromJsonAsync<JsonObject>($"/api/v1/runs/{runId}", ct))!["run"]!;
        Assert.Equal("ClosedByOperator", run["closeReason"]?.GetValue<string>());
    }

    private async Task<JsonArray> ListAsync(string what) =>
        (await server.Client.GetFromJsonAsync<JsonArray>($"/api/v1/{what}", TestContext.Current.CancellationToken))!;
}
