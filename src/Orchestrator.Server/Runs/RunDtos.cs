using Orchestrator.Data.Runs;

namespace Orchestrator.Server.Runs;

/// <summary>A run. <c>warnings</c> (only on the answer that started it): what the server changed about the request,
/// e.g. an ad-hoc cutoff scaled down so that scans have time.</summary>
public sealed record RunResponse(
    long Id,
    long WindowId,
    string WindowName,
    string OccurrenceKey,
    string Kind,
    string State,
    DateTimeOffset PlannedStart,
    DateTimeOffset PlannedEnd,
    DateTimeOffset CutoffAt,
    DateTimeOffset? OpenedAt,
    DateTimeOffset? ClosedAt,
    string? CloseReason,
    IReadOnlyList<string> Groups,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyList<string>? Warnings = null)
{
    public static RunResponse From(RunRecord r) => new(
        r.Id, r.WindowId, r.WindowName, r.OccurrenceKey, r.Kind.ToString(), r.State.ToString(), r.PlannedStart, r.PlannedEnd, r.CutoffAt,
        r.OpenedAt, r.ClosedAt, r.CloseReason?.ToString(), r.Definition.Groups);
}

public sealed record RunDetailResponse(RunResponse Run, IReadOnlyList<RunMemberResponse> Members);

/// <summary>A frozen member, the addresses it accepts the peering ports from during the run, and what its agent confirmed.
/// <c>closeState</c>, settled once the grace after the close has passed: Confirmed; without a confirmation
/// ClosedByExpiryUnconfirmed (the opening had expired) or Unconfirmed (its expiry, the planned end, is still ahead:
/// the port may be open there until then); ConfirmedLate when the confirmation came after the grace.
/// <c>applyError</c>: what the member's agent last reported it could not apply (it then fails closed: the
/// refused openings, or all of them, are not in force there); null when its last state applied in full.</summary>
public sealed record RunMemberResponse(
    long EndpointId, string Hostname, IReadOnlyList<string> Addresses, IReadOnlyList<string> AllowedPeers,
    DateTimeOffset? OpenAckedAt, DateTimeOffset? CloseAckedAt, string? CloseState, string? ApplyError = null);
