using System.Text.Json.Nodes;
using Orchestrator.Protocol;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Agents;

/// <summary>A window's Delivery Optimization settings go through the REST API as written, come back on read, and reach
/// the members' desired state while a run is open; a window without them sends none.</summary>
public sealed class DeliveryOptimizationSettingsTests
{
    [Fact]
    public async Task AWindowsSettingsAreReadBackAndSentToItsMembersWhileARunIsOpen()
    {
        await using var site = await AgentSite.StartAsync(2);
        var window = await site.Client.CreateAsync("/api/v1/windows", new
        {
            name = "tuned",
            cron = "0 0 3 1 1 ?",
            timeZone = "Etc/UTC",
            duration = "PT1H",
            cutoff = "PT0S",
            groups = new[] { "floor-3" },
            scan = new { enabled = false },
            peering = "lan",
            deliveryOptimization = new
            {
                maxBackgroundBandwidthPercent = 50,
                minFileSizeToCacheMB = 10,
                minRamToPeerGB = 2,
                minBatteryPercentToUpload = 40,
                restrictPeerSelectionBy = "none",
            },
        });
        var windowId = (long)window["id"]!;

        var read = await site.Client.GetJsonAsync($"/api/v1/windows/{windowId}");
        Assert.Equal(
            """{"maxBackgroundBandwidthPercent":50,"minFileSizeToCacheMB":10,"minRamToPeerGB":2,"minBatteryPercentToUpload":40,"restrictPeerSelectionBy":"none"}""",
            WithoutNulls(read["deliveryOptimization"]!));

        await site.StartRunAsync(windowId);
        var state = await site.Agents[0].StateAsync();

        Assert.Single(state.Openings);
        Assert.Equal(PeeringModeV1.Lan, state.DeliveryOptimization.Mode);
        Assert.Equal(
            new DeliveryOptimizationSettingsV1(
                MaxBackgroundBandwidthPercent: 50, MinFileSizeToCacheMB: 10, MinRamToPeerGB: 2, MinBatteryPercentToUpload: 40,
                RestrictPeerSelectionBy: PeerSelectionV1.None),
            state.DeliveryOptimization.Settings);
    }

    [Fact]
    public async Task AWindowWithoutSettingsSendsNone()
    {
        await using var site = await AgentSite.StartAsync(2);
        await site.StartRunAsync(await site.WindowAsync());

        var state = await site.Agents[0].StateAsync();

        Assert.Single(state.Openings);
        Assert.Null(state.DeliveryOptimization.Settings);
    }

    private static string WithoutNulls(JsonNode node)
    {
        var copy = new JsonObject();
        foreach (var (key, value) in node.AsObject())
        {
            if (value is not null)
            {
                copy[key] = value.DeepClone();
            }
        }

        return copy.ToJsonString();
    }
}
