namespace Orchestrator.Protocol;

/// <summary>
/// Routes, headers and limits of agent protocol v1. Agents initiate every connection; the server
/// never calls an endpoint.
/// </summary>
/// <remarks>Compatibility: within v1 a message may gain fields, never lose or change one. Both sides ignore fields they
/// do not know (every message type says so with <c>JsonUnmappedMemberHandling.Skip</c>), so a newer agent can talk to an
/// older server and the other way round. The golden files in tests/Orchestrator.Protocol.Tests pin every message.</remarks>
public static class AgentProtocolV1
{
    public const string Version = "v1";

    /// <summary>Every route of v1 is below this path.</summary>
    public const string BasePath = "/agent/v1";

    /// <summary>POST <see cref="EnrollRequestV1"/> → <see cref="EnrollResponseV1"/>. Authenticated by the enrollment token in the body.</summary>
    public const string EnrollPath = BasePath + "/enroll";

    /// <summary><see cref="StatePath"/> below <see cref="BasePath"/>.</summary>
    public const string StateRoute = "/state";

    /// <summary><see cref="ReportPath"/> below <see cref="BasePath"/>.</summary>
    public const string ReportRoute = "/reports";

    /// <summary><see cref="RotatePath"/> below <see cref="BasePath"/>.</summary>
    public const string RotateRoute = "/rotate";

    /// <summary><see cref="PeerSetsPath"/> below <see cref="BasePath"/>.</summary>
    public const string PeerSetsRoute = "/peer-sets";

    /// <summary>GET <see cref="PeerSetsPath"/>/{hash} → <see cref="PeerSetV1"/>, for a set named by an opening the agent's
    /// endpoint holds (404 otherwise). Immutable: answered with <c>ETag</c> = the hash and a long private cache lifetime,
    /// compressed when the agent accepts it (<c>Accept-Encoding: br, gzip</c>).</summary>
    public const string PeerSetsPath = BasePath + PeerSetsRoute;

    /// <summary>Query parameter of <see cref="StatePath"/>: comma-separated features the agent understands (added later
    /// in v1; a server ignores features it does not know, an older server ignores the parameter).</summary>
    public const string FeaturesQuery = "features";

    /// <summary>Feature: openings may name a <see cref="PeerSetRefV1"/> instead of listing every peer.</summary>
    public const string PeerSetsFeature = "peer-sets";

    /// <summary>Feature: the server records the acknowledgement of a state's openings from the agent's next poll
    /// (<see cref="AppliedQuery"/>) and says so with <see cref="DesiredStateV1.AcknowledgeByPoll"/>. The close of a run is
    /// still acknowledged by a report, which carries the run's last counters.</summary>
    public const string AckByPollFeature = "ack-by-poll";

    /// <summary>Query parameter of <see cref="StatePath"/> (with <see cref="AckByPollFeature"/>): the version the agent holds
    /// and has in force in full, with nothing to report about it (no apply error, no note). Left out otherwise.</summary>
    public const string AppliedQuery = "applied";

    /// <summary>Query parameter of <see cref="StatePath"/>: the state version the agent holds.</summary>
    public const string VersionQuery = "version";

    /// <summary>Query parameter of <see cref="StatePath"/>: how long the server may hold the poll, in seconds.</summary>
    public const string WaitQuery = "wait";

    /// <summary>GET, long-poll. Query <c>version</c> = the version the agent holds; answers at once when the
    /// server's version differs, otherwise holds up to <c>wait</c> seconds (≤ <see cref="MaxWaitSeconds"/>)
    /// and answers 304 when nothing changed.</summary>
    public const string StatePath = BasePath + StateRoute;

    /// <summary>POST <see cref="AgentReportV1"/>; idempotent by <see cref="AgentReportV1.ReportId"/>.</summary>
    public const string ReportPath = BasePath + ReportRoute;

    /// <summary>POST; replaces the agent's secret and answers the new one (<see cref="EnrollResponseV1"/>).</summary>
    public const string RotatePath = BasePath + RotateRoute;

    /// <summary>Scheme of the Authorization header: <c>Agent {agentId}:{secret}</c>.</summary>
    public const string AuthScheme = "Agent";

    /// <summary>The header that carries <see cref="AuthScheme"/>.</summary>
    public const string AuthorizationHeader = "Authorization";

    public const int MaxWaitSeconds = 30;

    /// <summary>Largest report body the server accepts; agents split larger batches.</summary>
    public const int MaxReportBytes = 256 * 1024;

    /// <summary>Most traffic or blocked rows in one report.</summary>
    public const int MaxRowsPerReport = 2_000;

    /// <summary>Largest byte count one traffic row may carry (each of served and received): 2^40 bytes (1 TiB). Counters
    /// are deltas since the agent's previous report (every 5 s by default): a 10 Gbit/s link moves 1 TiB in about 15
    /// minutes, 180 report intervals. A larger value is a broken or hostile counter, and refused; bounded rows also keep
    /// a run's sums far from overflowing (2^23 rows at the bound before 2^63).</summary>
    public const long MaxBytesPerRow = 1L << 40;

    /// <summary>Largest count one blocked row may carry: 2^32 dropped attempts, more than a 10 Gbit/s link can carry in
    /// minimum-size packets (14.9 million a second) in the same 15 minutes.</summary>
    public const long MaxBlockedPerRow = 1L << 32;

    /// <summary>Longest scan duration a report may state: 24 hours in milliseconds, the longest run.</summary>
    public const long MaxScanDurationMs = 24L * 60 * 60 * 1000;
}
