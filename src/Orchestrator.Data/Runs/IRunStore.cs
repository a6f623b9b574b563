using Orchestrator.Core.Enforcement;
using Orchestrator.Core.Runs;

namespace Orchestrator.Data.Runs;

public interface IRunStore
{
    /// <summary>Creates the run for an occurrence, or returns the one that exists: a window+occurrence key pair
    /// never has two runs. A window never has two open runs either: an Opening run whose window still has a run
    /// Opening, Open or in Cutoff past its start is recorded Skipped instead, with the reason in the audit log (defence
    /// in depth: validation refuses a schedule that overlaps itself, but a window edited while a run is open may).</summary>
    Task<(RunRecord Run, bool Created)> CreateAsync(NewRun run, string actor, DateTimeOffset now, CancellationToken cancellationToken = default);

    Task<RunRecord?> GetAsync(long id, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<RunRecord>> ListAsync(RunQuery query, CancellationToken cancellationToken = default);

    /// <summary>Runs that still need a close (Opening, Open, Cutoff, Closing).</summary>
    Task<IReadOnlyList<RunRecord>> ListNotFinalAsync(CancellationToken cancellationToken = default);

    /// <summary>Closed runs whose members' close states are not settled yet (<see cref="SettleCloseStatesAsync"/>), among
    /// the runs closed within <paramref name="ofLastClose"/> of the most recent close: the runs a stop during their close
    /// confirmation grace left unsettled. Oldest close first.</summary>
    Task<IReadOnlyList<RunRecord>> ListUnsettledClosedAsync(TimeSpan ofLastClose, CancellationToken cancellationToken = default);

    /// <summary>Closed runs closed within <paramref name="ofLastClose"/> of the most recent close, settled or not: the runs
    /// whose follow-up work (a post-close hook call) a stop may have cut short. Oldest close first.</summary>
    Task<IReadOnlyList<RunRecord>> ListRecentlyClosedAsync(TimeSpan ofLastClose, CancellationToken cancellationToken = default);

    /// <summary>Opening → Open: freezes the members and, once for the run, its peer set (every member's usable address).
    /// False when the run was not Opening (a repeated job), in which case nothing changes.</summary>
    Task<bool> OpenAsync(long runId, IReadOnlyList<RunMemberRecord> members, string actor, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Moves the run to <paramref name="target"/> if it is in one of the states that may move to <paramref name="target"/>.
    /// False when it was not (a repeated or late job): nothing changes.</summary>
    Task<bool> TransitionAsync(long runId, RunState target, string actor, DateTimeOffset now, CloseReason? reason = null, CancellationToken cancellationToken = default);

    /// <summary>The run's peer set as frozen when it opened; null for a run that never opened.</summary>
    Task<RunPeerSet?> GetPeerSetAsync(long runId, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<RunMemberRecord>> GetMembersAsync(long runId, CancellationToken cancellationToken = default);

    /// <summary>Runs in Open or Cutoff whose end is after <paramref name="now"/> and that include the endpoint.</summary>
    Task<IReadOnlyList<OpenRun>> ListOpenForEndpointAsync(long endpointId, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary><see cref="ListOpenForEndpointAsync"/> for many endpoints in one read (every endpoint given is a key, with
    /// an empty list when it is in no open run): when a run of 10,000 members opens, one read instead of 10,000.</summary>
    Task<IReadOnlyDictionary<long, IReadOnlyList<OpenRun>>> ListOpenForEndpointsAsync(
        IReadOnlyCollection<long> endpointIds, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>The endpoint's agent applied a state holding exactly <paramref name="heldRunIds"/>: those runs' openings
    /// are acknowledged, and every other run it was a member of that has stopped being open is acknowledged closed.</summary>
    Task AcknowledgeAsync(long endpointId, IReadOnlyCollection<long> heldRunIds, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Openings acknowledged by agents' state polls (ack-by-poll), many endpoints in one write: each listed run's
    /// opening of the endpoint is acknowledged at the acknowledgement's own time, unless it already was (an earlier time
    /// stays). Closes are not touched: they are acknowledged by <see cref="AcknowledgeAsync"/> from the report that carries
    /// the run's last counters (traffic reported after the end counts for a run only until its close is acknowledged).</summary>
    Task AcknowledgeOpeningsAsync(IReadOnlyCollection<OpeningAcknowledgement> acknowledgements, CancellationToken cancellationToken = default);

    /// <summary>Settles each member's close state once the grace period has passed (<paramref name="now"/>): Confirmed,
    /// or without a confirmation ClosedByExpiryUnconfirmed when the run's planned end (the opening's expiry on the
    /// endpoint) is past, Unconfirmed when it is still ahead. A later confirmation turns either into ConfirmedLate.</summary>
    Task<CloseSettlement> SettleCloseStatesAsync(long runId, DateTimeOffset now, CancellationToken cancellationToken = default);
}
