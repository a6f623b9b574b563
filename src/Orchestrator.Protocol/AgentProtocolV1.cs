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
}
