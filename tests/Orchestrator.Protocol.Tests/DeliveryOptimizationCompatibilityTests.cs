using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.Protocol.Tests;

/// <summary>
/// The Delivery Optimization statistics member is additive in both directions: a report from an agent that predates
/// it reads on today's server with the member null, and a report that carries it reads on a server that predates it
/// (<see cref="AgentReportV1BeforeDeliveryOptimization"/>, the record as it was) as the same report without it.
/// </summary>
public sealed class DeliveryOptimizationCompatibilityTests
{
    /// <summary>The server's HTTP JSON options (OrchestratorHost): unknown members disallowed unless a type skips them.</summary>
    private static readonly JsonSerializerOptions Strict = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    [Theory]
    [InlineData("agent-report")]
    [InlineData("agent-report-repairs")]
    [InlineData("agent-report-apply-error")]
    public void AReportFromAnOlderAgentReadsOnTodaysServerWithoutStatistics(string name)
    {
        var read = JsonSerializer.Deserialize<AgentReportV1>(Golden(name), Strict);

        Assert.NotNull(read);
        Assert.Null(read.DeliveryOptimization);
        Assert.Equal(((AgentReportV1)CanonicalMessages.All[name]).ReportId, read.ReportId);
    }

    [Fact]
    public void AReportWithStatisticsReadsOnAnOlderServerAsTheSameReportWithoutThem()
    {
        var golden = Golden("agent-report-delivery-optimization");
        Assert.Contains("\"deliveryOptimization\"", golden, StringComparison.Ordinal);

        var read = JsonSerializer.Deserialize<AgentReportV1BeforeDeliveryOptimization>(golden, Strict);

        var sent = CanonicalMessages.DeliveryOptimizationReport;
        Assert.NotNull(read);
        Assert.Equal(
            new AgentReportV1BeforeDeliveryOptimization(sent.ReportId, sent.AppliedVersion, sent.ApplyError, [], [], [], null),
            read with { Scans = [], Traffic = [], Blocked = [] });
        Assert.Empty(read.Scans);
        Assert.Empty(read.Traffic);
        Assert.Empty(read.Blocked);
    }

    [Fact]
    public void AReportWithoutStatisticsIsByteForByteWhatOlderAgentsSent()
    {
        var wire = new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true, NewLine = "\n" };
        var report = CanonicalMessages.AgentReport;

        var today = JsonSerializer.Serialize(report, wire);
        var before = JsonSerializer.Serialize(
            new AgentReportV1BeforeDeliveryOptimization(report.ReportId, report.AppliedVersion, report.ApplyError, report.Scans, report.Traffic, report.Blocked, null),
            wire);

        Assert.DoesNotContain("deliveryOptimization", today, StringComparison.Ordinal);
        Assert.Equal(before, today);
    }

    private static string Golden(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", name + ".json")).ReplaceLineEndings("\n").TrimEnd('\n');
}

/// <summary><see cref="AgentReportV1"/> as servers before the Delivery Optimization statistics knew it (frozen copy).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
internal sealed record AgentReportV1BeforeDeliveryOptimization(
    string ReportId,
    long? AppliedVersion,
    string? ApplyError,
    IReadOnlyList<ScanOutcomeV1> Scans,
    IReadOnlyList<PeerTrafficV1> Traffic,
    IReadOnlyList<BlockedAttemptV1> Blocked,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<FirewallRepairV1>? Repairs);
