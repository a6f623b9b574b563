namespace Orchestrator.Core.Reports;

/// <summary>
/// "Kept off the WAN": bytes the members received from peers instead of downloading them. The share needs the
/// bytes each endpoint downloaded over HTTP, which only Delivery Optimization reports (Windows members); it is
/// computed over the endpoints that report both, and is null while none does. <see cref="BySource"/> gives the same
/// figures per source, so that no figure mixes firewall counters and Delivery Optimization unlabelled.
/// </summary>
/// <param name="BytesServed">Bytes the members served to peers, all sources.</param>
public sealed record WanSavings(
    long BytesFromPeers, long? BytesFromHttp, int EndpointsReportingHttp, int Endpoints, double? PeerShare,
    long BytesServed = 0, IReadOnlyList<SourceFigures>? BySource = null)
{
    public static WanSavings Of(IReadOnlyList<EndpointRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var fromPeers = Counters.Sum(rows, r => r.BytesReceived);
        var served = Counters.Sum(rows, r => r.BytesServed);
        var bySource = rows.GroupBy(r => r.BytesSource, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => SourceFigures.Of(g.Key, [.. g]))
            .ToList();
        var reporting = rows.Where(r => r.BytesFromHttp is not null).ToList();
        if (reporting.Count == 0)
        {
            return new WanSavings(fromPeers, null, 0, rows.Count, null, served, bySource);
        }

        var http = Counters.Sum(reporting, r => r.BytesFromHttp!.Value);
        return new WanSavings(fromPeers, http, reporting.Count, rows.Count, Share(Counters.Sum(reporting, r => r.BytesReceived), http), served, bySource);
    }

    /// <summary>In double: the two saturated sums may not fit a long together.</summary>
    internal static double? Share(long fromPeers, long fromHttp)
    {
        var total = (double)fromPeers + fromHttp;
        return total <= 0 ? null : fromPeers / total;
    }
}

/// <summary>The run's totals over the members whose bytes come from <see cref="Source"/> (a <see cref="ByteSources"/> value).</summary>
public sealed record SourceFigures(string Source, int Endpoints, long BytesFromPeers, long? BytesFromHttp, long BytesServed, double? PeerShare)
{
    public static SourceFigures Of(string source, IReadOnlyList<EndpointRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var fromPeers = Counters.Sum(rows, r => r.BytesReceived);
        var reporting = rows.Where(r => r.BytesFromHttp is not null).ToList();
        long? http = reporting.Count == 0 ? null : Counters.Sum(reporting, r => r.BytesFromHttp!.Value);
        return new SourceFigures(
            source, rows.Count, fromPeers, http, Counters.Sum(rows, r => r.BytesServed),
            http is { } h ? WanSavings.Share(Counters.Sum(reporting, r => r.BytesReceived), h) : null);
    }
}
