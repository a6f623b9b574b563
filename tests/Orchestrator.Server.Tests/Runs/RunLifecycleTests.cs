using System.Net;
using Orchestrator.Server.Tests.Infrastructure;
using Orchestrator.Testing.Postgres;

namespace Orchestrator.Server.Tests.Runs;

/// <summary>A run's whole life through the real scheduler and job queue, on each storage backend.</summary>
public abstract class RunLifecycleTests
{
    [Fact]
    public async Task AnAdHocRunOpensFreezesItsMembersAndClosesAndItsJobsCarryReadableNamesInTheDashboard()
    {
        await using var factory = new OrchestratorFactory { PostgresConnectionString = await PostgresDatabaseAsync() };
        using var client = factory.CreateClient();
        await Seed.SiteAsync(client);
        var windowId = await Seed.YearlyWindowAsync(client);

        var runId = (long)(await client.CreateAsync($"/api/v1/windows/{windowId}/runs", new { duration = "PT5S" }))["id"]!;
        await ApiClient.EventuallyAsync(() => Seed.RunAsync(client, runId), r => (string?)r["state"] == "Open", TimeSpan.FromSeconds(20), "open");
        var members = (await client.GetJsonAsync($"/api/v1/runs/{runId}"))["members"]!.AsArray();
        await client.CreateAsync("/api/v1/endpoints", new { hostname = "pc-late", addresses = new[] { "198.18.0.99" }, tags = new[] { "floor-3" } });
        var closed = await ApiClient.EventuallyAsync(() => Seed.RunAsync(client, runId), r => (string?)r["state"] == "Closed", TimeSpan.FromSeconds(20), "closed");

        Assert.Equal(3, members.Count);
        Assert.Equal(3, (await client.GetJsonAsync($"/api/v1/runs/{runId}"))["members"]!.AsArray().Count);
        Assert.Equal("Ended", (string?)closed["closeReason"]);

        using var person = Access.Browser.For(factory);
        var browser = person.Client;
        (await person.SignInAsync(OrchestratorFactory.AdminKey)).Dispose();

        var page = await ApiClient.EventuallyAsync(
            async () => WebUtility.HtmlDecode(await browser.GetStringAsync("/hangfire/jobs/succeeded", TestContext.Current.CancellationToken)),
            html => html.Contains($"Close window \"floor-3 patch\" · run {runId}", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10),
            "the close job listed as succeeded");
        Assert.Contains($"Open window \"floor-3 patch\" · run {runId}", page, StringComparison.Ordinal);
    }

    /// <summary>The PostgreSQL database to store into, or null for SQLite files.</summary>
    protected abstract Task<string?> PostgresDatabaseAsync();
}

public sealed class RunLifecycleTests_Sqlite : RunLifecycleTests
{
    protected override Task<string?> PostgresDatabaseAsync() => Task.FromResult<string?>(null);
}

public sealed class RunLifecycleTests_Postgres(PostgresClusterFixture cluster) : RunLifecycleTests
{
    protected override async Task<string?> PostgresDatabaseAsync() => await cluster.CreateDatabaseAsync("lifecycle", TestContext.Current.CancellationToken);
}
