namespace Orchestrator.Server.Reports;

/// <summary>A window's runs, newest first, with the figures that show its trend.</summary>
/// <param name="TimeZone">The window's IANA time zone (null when the window is deleted); pages show times in it as well as UTC.</param>
public sealed record WindowReport(long WindowId, string WindowName, DateTimeOffset GeneratedAt, IReadOnlyList<WindowRunLine> Runs, string? TimeZone = null);

/// <param name="PeerShare">Share of downloaded bytes that came from peers; null while no endpoint reports HTTP bytes.</param>
/// <param name="Source">"snapshot" (the stored final report) or "live".</param>
public sealed record WindowRunLine(
    long RunId,
    string State,
    DateTimeOffset PlannedStart,
    DateTimeOffset? OpenedAt,
    DateTimeOffset? ClosedAt,
    int Members,
    int Anomalies,
    int Critical,
    long BytesFromPeers,
    long? BytesFromHttp,
    double? PeerShare,
    string Source);
