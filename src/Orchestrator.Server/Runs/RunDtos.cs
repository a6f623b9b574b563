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

/// <summary>A run with its members and, once it opened, its peer set: stored and answered once per run, never one
/// allow-list per member (a group of 10,000 would answer 10,000 × 10,000 addresses).</summary>
public sealed record RunDetailResponse(RunResponse Run, IReadOnlyList<RunMemberResponse> Members, RunPeerSetResponse? PeerSet);

/// <summary>The addresses of every member, frozen when the run opened, as exact ranges (<c>first-last</c> holds every
/// address between, each one a member's). A member accepts the peering ports from these except its own addresses.
/// <c>hash</c> is the content hash the agents' desired states name the set by.</summary>
public sealed record RunPeerSetResponse(string Hash, long Addresses, IReadOnlyList<string> Ranges);

/// <summary>A frozen member, its addresses, and what its agent confirmed. It accepts the peering ports from the run's
/// peer set without its own addresses.
/// <c>closeState</c>, settled once the grace after the close has passed: Confirmed; without a confirmation
/// ClosedByExpiryUnconfirmed (the opening had expired) or Unconfirmed (its expiry, the planned end, is still ahead:
/// the port may be open there until then); ConfirmedLate when the confirmation came after the grace.
/// <c>applyError</c>: what the member's agent last reported it could not apply (it then fails closed: the
/// refused openings, or all of them, are not in force there); null when its last state applied in full.</summary>
public sealed record RunMemberResponse(
    long EndpointId, string Hostname, IReadOnlyList<string> Addresses,
    DateTimeOffset? OpenAckedAt, DateTimeOffset? CloseAckedAt, string? CloseState, string? ApplyError = null);
