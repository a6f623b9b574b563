using Orchestrator.Protocol;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Agents;

/// <summary>What a member's agent could not apply, and what it had to repair, is visible on the run.</summary>
public sealed class FailClosedAndRepairReportTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AMembersApplyErrorIsShownOnTheRunDetailAndInItsReport()
    {
        await using var site = await AgentSite.StartAsync(2);
        var runId = await site.StartRunAsync(await site.WindowAsync());
        await site.WaitRunStateAsync(runId, "Open");
        var state = await site.Agents[0].StateAsync();
        const string Error = "0 valid opening(s) applied, the rest left closed: opening of run 1: peer 'fe80::1%4' is a range, prefix or scoped address";

        await site.Agents[0].ReportAsync(new("failed", null, $"version {state.Version}: {Error}", [], [], []));

        var members = (await site.RunDetailAsync(runId))["members"]!.AsArray().ToDictionary(m => (string)m!["hostname"]!);
        Assert.Contains("fe80::1%4", (string?)members["pc-1"]!["applyError"], StringComparison.Ordinal);
        Assert.Null((string?)members["pc-2"]!["applyError"]);
        var report = await site.Client.GetJsonAsync($"/api/v1/runs/{runId}/report");
        Assert.Contains("apply-error", report.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains("fe80::1%4", report.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFirewallRepairIsOnTheRunsTimelineAndAnAnomalyOnceEvenWhenTheReportIsRetried()
    {
        await using var site = await AgentSite.StartAsync(2);
        var runId = await site.StartRunAsync(await site.WindowAsync());
        await site.WaitRunStateAsync(runId, "Open");
        var report = new AgentReportV1("repaired-1", null, null, [], [], [], [new FirewallRepairV1("table inet orchestrator was removed", 1)]);

        await site.Agents[1].ReportAsync(report);
        await site.Agents[1].ReportAsync(report);

        var json = await site.Client.GetJsonAsync($"/api/v1/runs/{runId}/report");
        var repairs = json["timeline"]!.AsArray().Where(e => (string?)e!["event"] == "firewall repaired").ToList();
        Assert.Contains("table inet orchestrator was removed", (string?)Assert.Single(repairs)!["detail"], StringComparison.Ordinal);
        var anomaly = json["anomalies"]!.AsArray().Single(a => (string?)a!["code"] == "firewall-repaired");
        Assert.Equal("pc-2", (string?)anomaly!["examples"]![0]);
    }

    [Fact]
    public async Task AReportWithoutTheRepairsMemberIsAcceptedAsV1AlwaysWas()
    {
        await using var site = await AgentSite.StartAsync(1);
        using var request = new HttpRequestMessage(HttpMethod.Post, AgentProtocolV1.ReportPath)
        {
            Content = new StringContent("""{"reportId":"old-agent","appliedVersion":null,"applyError":null,"scans":[],"traffic":[],"blocked":[]}""",
                System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", site.Agents[0].Authorization);

        using var response = await site.Client.SendAsync(request, Ct);

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }
}
