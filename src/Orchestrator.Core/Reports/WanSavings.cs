namespace Orchestrator.Core.Reports;

/// <summary>
/// "Kept off the WAN": bytes the members received from peers instead of downloading them. The share needs the
/// bytes each endpoint downloaded over HTTP, which only some agent backends report; it is computed over the
/// endpoints that report both, and is null while none does.
/// </summary>
public sealed record WanSavings(long BytesFromPeers, long? BytesFromHttp, int EndpointsReportingHttp, int Endpoints, double? PeerShare)
{
    public static WanSavings Of(IReadOnlyList<EndpointRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var fromPeers = Counters.Sum(rows, r => r.BytesReceived);
        var reporting = rows.Where(r => r.BytesFromHttp is not null).ToList();
        if (reporting.Count == 0)
        {
            return new WanSavings(fromPeers, null, 0, rows.Count, null);
        }

        var http = Counters.Sum(reporting, r => r.BytesFromHttp!.Value);
        var peersOfReporting = Counters.Sum(reporting, r => r.BytesReceived);
        // In double: the two saturated sums may not fit a long together.
        var total = (double)peersOfReporting + http;
        return new WanSavings(fromPeers, http, reporting.Count, rows.Count, total <= 0 ? null : peersOfReporting / total);
    }
}
