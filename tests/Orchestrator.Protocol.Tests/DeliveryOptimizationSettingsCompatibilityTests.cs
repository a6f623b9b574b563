using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.Protocol.Tests;

/// <summary>
/// DeliveryOptimizationV1.Settings is additive in both directions: a desired state from an older server (no settings)
/// reads on today's agent with Settings null and serializes byte for byte as before, and a desired state carrying
/// settings reads on an older agent (a frozen copy of the record before the member existed) as the same mode and group.
/// </summary>
public sealed class DeliveryOptimizationSettingsCompatibilityTests
{
    private static readonly JsonSerializerOptions Wire = new(JsonSerializerDefaults.Web) { WriteIndented = true, NewLine = "\n" };

    [Fact]
    public void AStateFromAnOlderServerReadsWithoutSettingsAndWritesAsBefore()
    {
        var golden = Golden("desired-state");

        var read = JsonSerializer.Deserialize<DesiredStateV1>(golden, Wire)!;

        Assert.Null(read.DeliveryOptimization.Settings);
        Assert.Equal(golden, JsonSerializer.Serialize(read, Wire));
    }

    [Fact]
    public void AStateWithSettingsReadsOnAnOlderAgentAsTheSameModeAndGroup()
    {
        var read = JsonSerializer.Deserialize<OlderDesiredState>(Golden("desired-state-delivery-optimization-settings"), JsonSerializerOptions.Web)!;

        Assert.Equal(PeeringModeV1.Lan, read.DeliveryOptimization.Mode);
        Assert.Null(read.DeliveryOptimization.GroupId);
        Assert.Equal(44, read.Version);
        Assert.Equal(["198.18.0.18"], read.Openings.Single().AllowedPeers);
    }

    [Fact]
    public void OnlyTheSettingsAWindowSetsGoOnTheWire()
    {
        var json = JsonSerializer.Serialize(new DeliveryOptimizationSettingsV1(MinRamToPeerGB: 2), Wire);

        Assert.Equal("{\n  \"minRamToPeerGB\": 2\n}", json);
    }

    private static string Golden(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", name + ".json")).ReplaceLineEndings("\n").TrimEnd('\n');

    /// <summary>DesiredStateV1 and DeliveryOptimizationV1 as v1 agents before this change declared them.</summary>
    [JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
    private sealed record OlderDesiredState(long Version, IReadOnlyList<OpeningV1> Openings, OlderDeliveryOptimization DeliveryOptimization, IReadOnlyList<ScanRequestV1> Scans);

    [JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
    private sealed record OlderDeliveryOptimization(string Mode, string? GroupId);
}
