using System.Text.Json.Nodes;
using Orchestrator.Server.Tests.Agents;
using Orchestrator.Server.Tests.Api;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Runs;

/// <summary>An ad-hoc run whose window's cutoff would fall at or before its start never scanned, silently.</summary>
public sealed class AdHocCutoffTests
{
    /// <summary>Regression: the README's "run it now" on a window with a long cutoff clamped the cutoff to the start and
    /// no scan was ever dispatched. PT30M of the window's PT1H is half: a PT20S run gets PT10S.</summary>
    [Fact]
    public async Task AWindowCutoffThatWouldLeaveNoTimeForScansIsScaledWithAWarningInTheAnswerAndTheReport()
    {
        await using var site = await AgentSite.StartAsync(2);
        var windowId = await site.WindowAsync(new { enabled = true, maxConcurrency = "100%" }, cutoff: "PT30M");

        var run = await site.Client.CreateAsync($"/api/v1/windows/{windowId}/runs", new { duration = "PT20S" });

        var runId = (long)run["id"]!;
        Assert.Equal(TimeSpan.FromSeconds(10), At(run, "plannedEnd") - At(run, "cutoffAt"));
        var warning = (string)Assert.Single(run["warnings"]!.AsArray())!;
        Assert.Contains("The window's cutoff PT30M would fall at or before the start of this PT20S run", warning, StringComparison.Ordinal);
        Assert.Contains("scaled to PT10S", warning, StringComparison.Ordinal);

        // The scaled cutoff leaves room: both members are sent their scan.
        await ApiClient.EventuallyAsync(
            () => new ProductTables(site.Factory.DataDirectory).CountAsync("scans", $"run_id = {runId}"),
            count => count == 2,
            TimeSpan.FromSeconds(15),
            "both members sent a scan");

        var report = await site.Client.GetJsonAsync($"/api/v1/runs/{runId}/report");
        Assert.Equal(At(run, "cutoffAt"), At(report["run"]!, "cutoffAt"));
        var anomaly = Assert.Single(report["anomalies"]!.AsArray(), a => (string?)a!["code"] == "cutoff-scaled")!;
        Assert.Equal("warning", (string?)anomaly["severity"]);
        Assert.Equal(warning, (string?)anomaly["message"]);
        Assert.Contains(report["timeline"]!.AsArray(), e => (string?)e!["event"] == "cutoff scaled");
    }

    [Theory]
    [InlineData("PT5S", null, 5)]
    [InlineData("PT30M", "PT0S", 0)]
    [InlineData("PT30M", "PT20S", 20)]
    public async Task AWindowCutoffShorterThanTheRunOrAnExplicitCutoffIsTakenAsItIsWithoutWarning(string windowCutoff, string? cutoff, int expectedSeconds)
    {
        await using var site = await AgentSite.StartAsync(1);
        var windowId = await site.WindowAsync(new { enabled = true, maxConcurrency = "100%" }, cutoff: windowCutoff);

        var run = await site.Client.CreateAsync($"/api/v1/windows/{windowId}/runs", cutoff is null ? new { duration = "PT20S" } : new { duration = "PT20S", cutoff });

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), At(run, "plannedEnd") - At(run, "cutoffAt"));
        Assert.Null(run["warnings"]);
        var report = await site.Client.GetJsonAsync($"/api/v1/runs/{(long)run["id"]!}/report");
        Assert.DoesNotContain(report["anomalies"]!.AsArray(), a => (string?)a!["code"] == "cutoff-scaled");
    }

    private static DateTimeOffset At(JsonNode node, string name) =>
        DateTimeOffset.Parse((string)node[name]!, System.Globalization.CultureInfo.InvariantCulture);
}
