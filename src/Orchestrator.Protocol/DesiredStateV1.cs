using System.Text.Json.Serialization;

namespace Orchestrator.Protocol;

/// <summary>
/// Everything one endpoint must enforce now. An empty <see cref="Openings"/> list means closed.
/// Durations are relative seconds so that an endpoint's clock skew never changes when a port closes.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed record DesiredStateV1(
    long Version,
    IReadOnlyList<OpeningV1> Openings,
    DeliveryOptimizationV1 DeliveryOptimization,
    IReadOnlyList<ScanRequestV1> Scans);

/// <summary>Inbound <see cref="Port"/>/<see cref="Transport"/> accepted only from <see cref="AllowedPeers"/>
/// (single addresses, never a range) for <see cref="SecondsRemaining"/> more seconds.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed record OpeningV1(
    long RunId,
    int Port,
    string Transport,
    IReadOnlyList<string> AllowedPeers,
    int SecondsRemaining);

/// <summary>Mode: one of <see cref="PeeringModeV1"/>, HttpOnly outside windows; GroupId is stable per group.
/// <see cref="Settings"/> was added later in v1 and is optional: the window's other Delivery Optimization settings, left
/// out when the window sets none (an older agent ignores it; an older server never sends it).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed record DeliveryOptimizationV1(
    string Mode,
    string? GroupId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DeliveryOptimizationSettingsV1? Settings = null);

/// <summary>
/// Delivery Optimization policy values for the open window, each in the unit of its Windows policy (named in brackets);
/// a member left out = the endpoint keeps the value it had before the agent took it over. Windows agents write them
/// at open and put back the recorded values at close; agents without Delivery Optimization report them as not
/// applicable and apply the rest of the state.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed record DeliveryOptimizationSettingsV1(
    /* DOMaxForegroundDownloadBandwidth, KB/s, 0 = unlimited */
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? MaxForegroundBandwidthKBps = null,
    /* DOMaxBackgroundDownloadBandwidth, KB/s, 0 = unlimited */
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? MaxBackgroundBandwidthKBps = null,
    /* DOPercentageMaxForegroundBandwidth, 0-100 */
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? MaxForegroundBandwidthPercent = null,
    /* DOPercentageMaxBackgroundBandwidth, 0-100 */
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? MaxBackgroundBandwidthPercent = null,
    /* DOMinFileSizeToCache, MB */
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? MinFileSizeToCacheMB = null,
    /* DOMinRAMAllowedToPeer, GB */
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? MinRamToPeerGB = null,
    /* DOMinDiskSizeAllowedToPeer, GB */
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? MinDiskSizeToPeerGB = null,
    /* DOMinBatteryPercentageAllowedToUpload, 0-100 */
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? MinBatteryPercentToUpload = null,
    /* DORestrictPeerSelectionBy: one of PeerSelectionV1 */
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? RestrictPeerSelectionBy = null);

/// <summary>A scan the agent should run once; <see cref="ScanId"/> makes repeats idempotent.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed record ScanRequestV1(string ScanId, long RunId, int TimeoutSeconds);
