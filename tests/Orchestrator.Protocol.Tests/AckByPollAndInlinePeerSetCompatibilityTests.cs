using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.Protocol.Tests;

/// <summary>
/// PeerSetRefV1.Ranges (a small set inline) and DesiredStateV1.AcknowledgeByPoll are additive in both directions: a
/// state from an older server reads on today's agent with both null and writes back byte for byte, so today's agent
/// fetches the set and acknowledges by report; and the new state reads on an older agent (frozen copies of the records
/// before the members existed) as the same opening, which that agent fetches by hash as before.
/// </summary>
public sealed class AckByPollAndInlinePeerSetCompatibilityTests
{
    private static readonly JsonSerializerOptions Wire = new(JsonSerializerDefaults.Web) { WriteIndented = true, NewLine = "\n" };

    [Fact]
    public void AStateFromAnOlderServerReadsWithoutInlineRangesOrAckByPollAndWritesAsBefore()
    {
        var golden = Golden("desired-state-peer-set");

        var read = JsonSerializer.Deserialize<DesiredStateV1>(golden, Wire)!;

        Assert.Null(read.AcknowledgeByPoll);
        Assert.Null(read.Openings.Single().PeerSet!.Ranges);
        Assert.Equal(golden, JsonSerializer.Serialize(read, Wire));
    }

    [Fact]
    public void AStateWithAnInlineSetReadsOnAnOlderAgentAsTheSameReference()
    {
        var read = JsonSerializer.Deserialize<OlderDesiredState>(Golden("desired-state-inline-peer-set"), JsonSerializerOptions.Web)!;

        var reference = read.Openings.Single().PeerSet!;
        Assert.Equal(44, read.Version);
        Assert.Equal("f059168b2aa5d48c5b18514baf1b2839d7ae0a052540b5bca4eb807f52093efc", reference.Hash);
        Assert.Equal(10_256, reference.Addresses);
        Assert.Equal(["198.18.0.17"], reference.Except);
    }

    [Fact]
    public void TheInlineRangesAreTheSetTheFetchAnswers()
    {
        var inline = JsonSerializer.Deserialize<DesiredStateV1>(Golden("desired-state-inline-peer-set"), Wire)!.Openings.Single().PeerSet!;
        var fetched = JsonSerializer.Deserialize<PeerSetV1>(Golden("peer-set"), Wire)!;

        Assert.Equal(fetched.Hash, inline.Hash);
        Assert.Equal(fetched.Ranges, inline.Ranges);
    }

    private static string Golden(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", name + ".json")).ReplaceLineEndings("\n").TrimEnd('\n');

    /// <summary>DesiredStateV1, OpeningV1 and PeerSetRefV1 as v1 agents with peer sets declared them before this change.</summary>
    [JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
    private sealed record OlderDesiredState(long Version, IReadOnlyList<OlderOpening> Openings, DeliveryOptimizationV1 DeliveryOptimization, IReadOnlyList<ScanRequestV1> Scans);

    [JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
    private sealed record OlderOpening(long RunId, int Port, string Transport, IReadOnlyList<string> AllowedPeers, int SecondsRemaining, OlderPeerSetRef? PeerSet = null);

    [JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
    private sealed record OlderPeerSetRef(string Hash, long Addresses, IReadOnlyList<string> Except);
}
