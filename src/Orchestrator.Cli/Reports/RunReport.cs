using Orchestrator.Cli.Api;

namespace Orchestrator.Cli.Reports;

/// <summary>
/// What on-call reads about one run, assembled from GET /runs/{id} and /runs/{id}/traffic until the server builds reports
/// itself: who was in it, who served whom, who was blocked.
/// </summary>
/// <param name="TrafficError">Set when the traffic could not be read: the report then says so instead of claiming that
/// nothing was transferred or blocked.</param>
internal sealed record RunReport(
    RunDto Run, RunSummary Summary, IReadOnlyList<RunMemberDto> Members, IReadOnlyList<TransferDto> Transfers, IReadOnlyList<BlockedDto> Blocked,
    string? TrafficError = null)
{
    public static RunReport From(RunDetailDto detail, RunTrafficDto traffic, string? trafficError = null)
    {
        var members = detail.Members.OrderBy(m => m.Hostname, StringComparer.OrdinalIgnoreCase).ToList();
        var transfers = traffic.Transfers.OrderByDescending(t => t.Bytes).ThenBy(t => t.ServingHostname, StringComparer.OrdinalIgnoreCase).ToList();
        var blocked = traffic.Blocked.OrderByDescending(b => b.Count).ThenBy(b => b.SourceAddress, StringComparer.Ordinal).ToList();
        var summary = new RunSummary(
            members.Count,
            members.Count(m => m.OpenAckedAt is not null),
            members.Count(m => m.CloseState is "Confirmed" or "ConfirmedLate"),
            members.Count(m => m.CloseState is "ClosedByExpiryUnconfirmed" or "Unconfirmed"),
            transfers.Sum(t => t.Bytes),
            transfers.Count,
            blocked.Sum(b => b.Count),
            blocked.Select(b => b.SourceAddress).Distinct(StringComparer.Ordinal).Count(),
            detail.Run.OpenedAt is { } opened && detail.Run.ClosedAt is { } closed ? closed - opened : null);
        return new RunReport(detail.Run, summary, members, transfers, blocked, trafficError);
    }
}

/// <param name="OpenFor">From the first opening to the close, when both happened.</param>
internal sealed record RunSummary(
    int Members, int OpenConfirmed, int CloseConfirmed, int CloseUnconfirmed, long BytesTransferred, int PeerPairs,
    long BlockedAttempts, int BlockedSources, TimeSpan? OpenFor);
