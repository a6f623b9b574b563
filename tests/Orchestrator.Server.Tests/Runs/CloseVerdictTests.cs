using Orchestrator.Server.Tests.Agents;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Runs;

/// <summary>Regression: close verdicts tell the truth.</summary>
public sealed class CloseVerdictTests
{
    /// <summary>Regression: after a close-now the silent agent's member was recorded ClosedByExpiryUnconfirmed ("its
    /// firewall expiry closed it") although its opening expires only at the planned end, an hour later.</summary>
    [Fact]
    public async Task AfterACloseNowASilentMemberIsUnconfirmedAndCriticalUntilItsExpiryAndALateConfirmationIsRecordedLate()
    {
        await using var site = await AgentSite.StartAsync(2);
        var windowId = await site.WindowAsync();
        var runId = await site.StartRunAsync(windowId, "PT1H");
        await site.WaitRunStateAsync(runId, "Open");
        var (talker, silent) = (site.Agents[0], site.Agents[1]);
        await talker.AcknowledgeAsync((await talker.StateAsync()).Version);
        await silent.AcknowledgeAsync((await silent.StateAsync()).Version);

        Assert.Equal(System.Net.HttpStatusCode.Accepted, (await site.Client.SendAsync(HttpMethod.Post, $"/api/v1/runs/{runId}/close")).Status);
        await site.WaitRunStateAsync(runId, "Closed");
        await talker.AcknowledgeAsync((await talker.StateAsync()).Version);

        // The grace in tests is 5 s, counted from the close.
        var settled = await ApiClient.EventuallyAsync(
            () => site.RunDetailAsync(runId),
            d => d["members"]!.AsArray().All(m => m!["closeState"] is not null),
            TimeSpan.FromSeconds(20),
            "both members settled");
        var states = settled["members"]!.AsArray().ToDictionary(m => (string)m!["hostname"]!, m => (string?)m!["closeState"]);
        Assert.Equal("Confirmed", states["pc-1"]);
        Assert.Equal("Unconfirmed", states["pc-2"]);

        var report = await site.Client.GetJsonAsync($"/api/v1/runs/{runId}/report");
        var first = report["anomalies"]!.AsArray()[0]!;
        Assert.Equal("close-unconfirmed-may-be-open", (string?)first["code"]);
        Assert.Equal("critical", (string?)first["severity"]);
        Assert.Contains("the port may be open on it until", (string?)first["message"], StringComparison.Ordinal);
        Assert.DoesNotContain(report["anomalies"]!.AsArray(), a => (string?)a!["code"] == "close-unconfirmed");

        // The silent agent comes back: its confirmation, after the grace, updates the verdict.
        await silent.AcknowledgeAsync((await silent.StateAsync()).Version);
        var late = (await site.RunDetailAsync(runId))["members"]!.AsArray().Single(m => (string?)m!["hostname"] == "pc-2")!;
        Assert.Equal("ConfirmedLate", (string?)late["closeState"]);
        Assert.NotNull((string?)late["closeAckedAt"]);
        var after = await site.Client.GetJsonAsync($"/api/v1/runs/{runId}/report");
        Assert.DoesNotContain(after["anomalies"]!.AsArray(), a => (string?)a!["code"] == "close-unconfirmed-may-be-open");
        var row = after["endpoints"]!.AsArray().Single(e => (string?)e!["hostname"] == "pc-2")!;
        Assert.Equal("ConfirmedLate", (string?)row["close"]);
        Assert.True((long)row["closeAckMs"]! >= 5_000, $"late by {row["closeAckMs"]} ms");
    }
}
