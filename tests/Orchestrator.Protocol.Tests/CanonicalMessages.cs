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

    /// <summary>File name (without .json) → message.</summary>
    public static readonly IReadOnlyDictionary<string, object> All = new Dictionary<string, object>(StringComparer.Ordinal)
    {
        ["enroll-request"] = EnrollRequest,
        ["enroll-response"] = EnrollResponse,
        ["desired-state"] = DesiredState,
        ["desired-state-delivery-optimization-settings"] = DesiredStateWithSettings,
        ["desired-state-closed"] = ClosedState,
        ["agent-report"] = AgentReport,
        ["agent-report-apply-error"] = ApplyErrorReport,
        ["agent-report-repairs"] = RepairReport,
    };
}
