namespace Orchestrator.Protocol;

/// <summary>
/// Routes, headers and limits of agent protocol v1. Agents initiate every connection; the server
/// never calls an endpoint.
/// </summary>
public static class AgentProtocolV1
{
    public const string Version = "v1";

    /// <summary>POST <see cref="EnrollRequestV1"/> → <see cref="EnrollResponseV1"/>. Authenticated by the enrollment token in the body.</summary>
    public const string EnrollPath = "/agent/v1/enroll";

    /// <summary>GET, long-poll. Query <c>version</c> = the version the agent holds; answers at once when the
    /// server's version differs, otherwise holds up to <c>wait</c> seconds (≤ <see cref="MaxWaitSeconds"/>)
    /// and answers 304 when nothing changed.</summary>
    public const string StatePath = "/agent/v1/state";

    /// <summary>POST <see cref="AgentReportV1"/>; idempotent by <see cref="AgentReportV1.ReportId"/>.</summary>
    public const string ReportPath = "/agent/v1/reports";

    /// <summary>POST; replaces the agent's secret and answers the new one (<see cref="EnrollResponseV1"/>).</summary>
    public const string RotatePath = "/agent/v1/rotate";

    /// <summary>Scheme of the Authorization header: <c>Agent {agentId}:{secret}</c>.</summary>
    public const string AuthScheme = "Agent";

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
