using System.Text.Json.Serialization;

namespace Orchestrator.Protocol;

/// <summary>
/// Everything one endpoint must enforce now. An empty <see cref="Openings"/> list means closed.
/// Durations are relative seconds so that an endpoint's clock skew never changes when a port closes.
/// </summary>
/// <remarks>
/// <see cref="AcknowledgeByPoll"/> was added later in v1. A server sends <c>true</c> only to an agent that asked for
/// <see cref="AgentProtocolV1.AckByPollFeature"/>: it then records the acknowledgement of this state's openings from the
/// agent's next poll (<see cref="AgentProtocolV1.AppliedQuery"/> = <see cref="Version"/>), so the agent need not send a
/// report at once to acknowledge them. An older server never sends it, and the agent then acknowledges by report as before.
/// </remarks>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed record DesiredStateV1(
    long Version,
    IReadOnlyList<OpeningV1> Openings,
    DeliveryOptimizationV1 DeliveryOptimization,
    IReadOnlyList<ScanRequestV1> Scans,
    // Left out when null, so a state for an agent that did not ask is byte-for-byte what v1 servers always sent.
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? AcknowledgeByPoll = null);

/// <summary>Inbound <see cref="Port"/>/<see cref="Transport"/> accepted only from <see cref="AllowedPeers"/>
/// (single addresses, never a range) for <see cref="SecondsRemaining"/> more seconds.</summary>
/// <remarks>
/// <see cref="PeerSet"/> was added later in v1. A server sends it only to an agent that asked for peer sets
/// (<see cref="AgentProtocolV1.FeaturesQuery"/> = <see cref="AgentProtocolV1.PeerSetsFeature"/> on the state poll); then
/// <see cref="AllowedPeers"/> is empty and the peers are the referenced set without <see cref="PeerSetRefV1.Except"/>.
/// An older agent never asks, so it keeps receiving the full list; an older server ignores the query.
/// </remarks>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed record OpeningV1(
    long RunId,
    int Port,
    string Transport,
    IReadOnlyList<string> AllowedPeers,
    int SecondsRemaining,
    // Left out when null, so an opening without a peer set is byte-for-byte what v1 servers always sent.
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] PeerSetRefV1? PeerSet = null);

/// <summary>
/// A run's peer set by content: fetch <see cref="AgentProtocolV1.PeerSetsPath"/>/<see cref="Hash"/> once (an agent that
/// already holds a set with this hash fetches nothing). The set holds <see cref="Addresses"/> addresses; this endpoint
/// accepts every one of them except <see cref="Except"/>, its own addresses in the run.
/// </summary>
/// <remarks>
/// <see cref="Ranges"/> was added later in v1: a set of a few ranges (e.g. a group whose addresses are one contiguous
/// block) comes inline, exactly the <see cref="PeerSetV1.Ranges"/> the fetch would answer, and the agent fetches nothing.
/// It verifies them as a fetched set (hash, canonical order, address count). Larger sets are left out here and fetched
/// by hash. An older agent ignores the member and fetches as before; an older server never sends it.
/// </remarks>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed record PeerSetRefV1(
    string Hash,
    long Addresses,
    IReadOnlyList<string> Except,
    // Left out when null, so a reference to a fetched set is byte-for-byte what it was before.
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Ranges = null);

/// <summary>
/// The body of <see cref="AgentProtocolV1.PeerSetsPath"/>/<see cref="Hash"/>: the addresses of every member of a run as
/// exact ranges (<c>198.18.0.1</c> or <c>198.18.0.1-198.18.3.254</c>, IPv4 first, ascending, disjoint, not adjacent).
/// <see cref="Hash"/> is the lowercase hex SHA-256 of the ranges joined by <c>\n</c> in UTF-8; the agent recomputes it
/// and refuses a set that does not match, holds more than <see cref="PeerSetRefV1.Addresses"/> addresses, or reaches
/// into space no peer may be (loopback, multicast, link-local, reserved).
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed record PeerSetV1(string Hash, IReadOnlyList<string> Ranges);

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
