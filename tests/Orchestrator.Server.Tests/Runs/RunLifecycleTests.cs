using System.Net;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Runs;

public sealed class RunLifecycleTests
{
    [Fact]
    public async Task AnAdHocRunOpensFreezesItsMembersAndClosesAndItsJobsCarryReadableNamesInTheDashboard()
    {
        await using var factory = new OrchestratorFactory();
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
}
