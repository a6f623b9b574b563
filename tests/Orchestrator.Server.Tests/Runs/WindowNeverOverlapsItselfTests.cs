using System.Net;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Runs;

/// <summary>Regression: a window never has two open runs, and is not deleted from under an open run.</summary>
public sealed class WindowNeverOverlapsItselfTests
{
    [Fact]
    public async Task DeletingAWindowWithAnOpenRunIsRefusedWith409AndChangesNothing()
    {
        await using var factory = new OrchestratorFactory();
        using var client = factory.CreateClient();
        var (windowId, runId) = await WindowWithAnOpenRunAsync(client);

        var (status, problem) = await client.SendAsync(HttpMethod.Delete, $"/api/v1/windows/{windowId}");

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains($"run {runId} (Open until", (string?)problem!["detail"], StringComparison.Ordinal);
        Assert.Contains("closeRuns=true", (string?)problem["detail"], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Get, $"/api/v1/windows/{windowId}")).Status);
        Assert.Equal("Open", (string?)(await Seed.RunAsync(client, runId))["state"]);
    }

    [Fact]
    public async Task DeletingWithCloseRunsClosesTheOpenRunThenDeletesTheWindow()
    {
        await using var factory = new OrchestratorFactory();
        using var client = factory.CreateClient();
        var (windowId, runId) = await WindowWithAnOpenRunAsync(client);

        var (status, _) = await client.SendAsync(HttpMethod.Delete, $"/api/v1/windows/{windowId}?closeRuns=true");

        Assert.Equal(HttpStatusCode.NoContent, status);
        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(HttpMethod.Get, $"/api/v1/windows/{windowId}")).Status);
        var closed = await ApiClient.EventuallyAsync(() => Seed.RunAsync(client, runId), r => (string?)r["state"] == "Closed", TimeSpan.FromSeconds(20), "closed");
        Assert.Equal("ClosedByOperator", (string?)closed["closeReason"]);
    }

    [Fact]
    public async Task AnAdHocRunWhileTheWindowHasAnOpenRunIsRefusedWith409()
    {
        await using var factory = new OrchestratorFactory();
        using var client = factory.CreateClient();
        var (windowId, runId) = await WindowWithAnOpenRunAsync(client);

        var (status, problem) = await client.PostAsync($"/api/v1/windows/{windowId}/runs", new { duration = "PT10M" });

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains($"POST /api/v1/runs/{runId}/close", (string?)problem!["detail"], StringComparison.Ordinal);
        Assert.Single(await Seed.RunsOfAsync(client, windowId));
    }

    /// <summary>The seeded site, a yearly window and an ad-hoc run of it that is Open.</summary>
    private static async Task<(long WindowId, long RunId)> WindowWithAnOpenRunAsync(HttpClient client)
    {
        await Seed.SiteAsync(client);
        var windowId = await Seed.YearlyWindowAsync(client);
        var runId = (long)(await client.CreateAsync($"/api/v1/windows/{windowId}/runs", new { duration = "PT10M" }))["id"]!;
        await ApiClient.EventuallyAsync(() => Seed.RunAsync(client, runId), r => (string?)r["state"] == "Open", TimeSpan.FromSeconds(20), "open");
        return (windowId, runId);
    }
}
