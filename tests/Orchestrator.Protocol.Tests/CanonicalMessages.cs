using Orchestrator.Protocol;

namespace Orchestrator.Protocol.Tests;

/// <summary>One instance of every v1 message with every field set (and nullable ones once null), as the golden
/// files in Golden/ hold them.</summary>
internal static class CanonicalMessages
{
    public static readonly EnrollRequestV1 EnrollRequest = new(
        "oet_0123456789abcdef", "pc-17.example", ["198.18.0.17", "2001:db8::17"], "linux", ["floor-3", "lab"], "1.4.0");

    public static readonly EnrollResponseV1 EnrollResponse = new("8f14e45fceea167a5a36dedd4bea2543", 17, "oas_secret-shown-once");

    public static readonly DesiredStateV1 DesiredState = new(
        42,
        [new OpeningV1(7, 7680, TransportV1.Tcp, ["198.18.0.18", "198.18.0.19"], 3540)],
        new DeliveryOptimizationV1(PeeringModeV1.Group, "6f1c1f0e-1f1a-4a59-9f0e-0c1d2e3f4a5b"),
        [new ScanRequestV1("scan-7-17", 7, 900)]);

    public static readonly DesiredStateV1 PeerSetState = new(
        44,
        [new OpeningV1(
            8, 7680, TransportV1.Tcp, [], 3540,
            new PeerSetRefV1("f059168b2aa5d48c5b18514baf1b2839d7ae0a052540b5bca4eb807f52093efc", 10_256, ["198.18.0.17"]))],
        new DeliveryOptimizationV1(PeeringModeV1.Group, "6f1c1f0e-1f1a-4a59-9f0e-0c1d2e3f4a5b"),
        []);

    /// <summary>For an agent that asked for peer sets and ack-by-poll: the set inline (a few ranges) and the server's
    /// word that the next poll acknowledges the openings.</summary>
    public static readonly DesiredStateV1 InlinePeerSetState = new(
        44,
        [new OpeningV1(
            8, 7680, TransportV1.Tcp, [], 3540,
            new PeerSetRefV1(
                "f059168b2aa5d48c5b18514baf1b2839d7ae0a052540b5bca4eb807f52093efc", 10_256, ["198.18.0.17"],
                ["198.18.0.1-198.18.39.16", "198.19.0.5", "2001:db8::1-2001:db8::ff"]))],
        new DeliveryOptimizationV1(PeeringModeV1.Group, "6f1c1f0e-1f1a-4a59-9f0e-0c1d2e3f4a5b"),
        [],
        AcknowledgeByPoll: true);

    public static readonly PeerSetV1 PeerSet = new(
        "f059168b2aa5d48c5b18514baf1b2839d7ae0a052540b5bca4eb807f52093efc",
        ["198.18.0.1-198.18.39.16", "198.19.0.5", "2001:db8::1-2001:db8::ff"]);

    public static readonly DesiredStateV1 DesiredStateWithSettings = new(
        44,
        [new OpeningV1(7, 7680, TransportV1.Tcp, ["198.18.0.18"], 3540)],
        new DeliveryOptimizationV1(
            PeeringModeV1.Lan,
            null,
            new DeliveryOptimizationSettingsV1(
                MaxForegroundBandwidthKBps: 0, MaxBackgroundBandwidthPercent: 50, MinFileSizeToCacheMB: 10, MinRamToPeerGB: 2,
                MinDiskSizeToPeerGB: 16, MinBatteryPercentToUpload: 40, RestrictPeerSelectionBy: PeerSelectionV1.None)),
        []);

    public static readonly DesiredStateV1 ClosedState = new(43, [], new DeliveryOptimizationV1(PeeringModeV1.HttpOnly, null), []);

    public static readonly AgentReportV1 AgentReport = new(
        "b1946ac92492d2347c6235b4d2611184",
        42,
        null,
        [new ScanOutcomeV1("scan-7-17", ScanOutcomeNameV1.Failed, 3, 12_500)],
        [new PeerTrafficV1("198.18.0.18", 4_000_000, 1_200)],
        [new BlockedAttemptV1("198.18.0.99", 7680, 7)]);

    public static readonly AgentReportV1 ApplyErrorReport = new(
        "c4ca4238a0b923820dcc509a6f75849b", null, "openings[0].allowedPeers[1]: 'fe80::1%eth0' has a zone id", [], [], []);

    public static readonly AgentReportV1 RepairReport = new(
        "eccbc87e4b5ce2fe28308fd9f2a7baf3", 42, null, [], [], [], [new FirewallRepairV1("table inet orchestrator was missing", 1)]);

    public static readonly AgentReportV1 DeliveryOptimizationReport = new(
        "a87ff679a2f3e71d9181a67b7542122c", 42, null, [], [], [], null,
        new DeliveryOptimizationStatsV1(
            BytesFromHttp: 52_428_800, BytesFromPeers: 157_286_400, BytesFromLanPeers: 104_857_600, BytesFromGroupPeers: 52_428_800,
            BytesFromInternetPeers: 0, BytesFromCacheServer: 0, BytesToLanPeers: 31_457_280, BytesToGroupPeers: 10_485_760,
            BytesToInternetPeers: 0,
            Peers: [new PeerTrafficV1("198.18.0.18", 41_943_040, 104_857_600), new PeerTrafficV1("2001:db8::19", 0, 52_428_800)]));

    /// <summary>File name (without .json) → message.</summary>
    public static readonly IReadOnlyDictionary<string, object> All = new Dictionary<string, object>(StringComparer.Ordinal)
    {
        ["enroll-request"] = EnrollRequest,
        ["enroll-response"] = EnrollResponse,
        ["desired-state"] = DesiredState,
        ["desired-state-delivery-optimization-settings"] = DesiredStateWithSettings,
        ["desired-state-closed"] = ClosedState,
        ["desired-state-peer-set"] = PeerSetState,
        ["desired-state-inline-peer-set"] = InlinePeerSetState,
        ["peer-set"] = PeerSet,
        ["agent-report"] = AgentReport,
        ["agent-report-apply-error"] = ApplyErrorReport,
        ["agent-report-repairs"] = RepairReport,
        ["agent-report-delivery-optimization"] = DeliveryOptimizationReport,
    };
}
