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

/// <summary>Mode: one of <see cref="PeeringModeV1"/>, HttpOnly outside windows; GroupId is stable per group.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed record DeliveryOptimizationV1(string Mode, string? GroupId);

/// <summary>A scan the agent should run once; <see cref="ScanId"/> makes repeats idempotent.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed record ScanRequestV1(string ScanId, long RunId, int TimeoutSeconds);
