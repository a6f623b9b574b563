using System.Globalization;

namespace Orchestrator.Core.Reports;

/// <summary>The anomaly rules that only Delivery Optimization's statistics (Windows members) can show.</summary>
public static class DeliveryOptimizationAnomalies
{
    /// <summary>Warning: a member downloaded over HTTP only, while other members of its run had content to serve.</summary>
    public const string HttpOnlyWhilePeersHadContent = "http-only-while-peers-had-content";

    /// <summary>Critical: a member sent content to an address that is no member of the run. The port is open only to the
    /// run's members, so this should be impossible: enforcement failed, or content went over another path.</summary>
    public const string ServedOutsideRun = "served-outside-run";

    public static void Detect(RunFacts run, IReadOnlyList<EndpointRow> rows, List<Anomaly> found)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(found);
        var outside = (run.DeliveryOptimizationPeers ?? []).Where(p => !p.InRun && p.BytesSent > 0).OrderByDescending(p => p.BytesSent).ToList();
        if (outside.Count > 0)
        {
            var servers = outside.Select(p => p.Hostname).Distinct(StringComparer.Ordinal).Count();
            found.Add(new Anomaly(ServedOutsideRun, AnomalySeverity.Critical,
                $"{servers} {Endpoints(servers)} served content to {outside.Select(p => p.PeerAddress).Distinct(StringComparer.OrdinalIgnoreCase).Count()} {(outside.Count == 1 ? "address" : "addresses")} outside the run (Delivery Optimization): the peering port should admit only the run's members, so enforcement did not hold there or content went another way.",
                outside.Count,
                outside.Take(Anomaly.MaxExamples).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Hostname} → {p.PeerAddress} {p.BytesSent} bytes")).ToList()));
        }

        var httpOnly = HttpOnly(rows);
        if (httpOnly.Count > 0)
        {
            found.Add(new Anomaly(HttpOnlyWhilePeersHadContent, AnomalySeverity.Warning,
                $"{httpOnly.Count} {Endpoints(httpOnly.Count)} downloaded everything over HTTP and served none while other members of the run served content to peers (Delivery Optimization): peering did not work for {(httpOnly.Count == 1 ? "it" : "them")}.",
                httpOnly.Count, httpOnly.Take(Anomaly.MaxExamples).Select(r => r.Hostname).ToList()));
        }
    }

    /// <summary>Members with Delivery Optimization figures that took bytes over HTTP, none from peers and served none,
    /// while another member of the run served content to peers (so peers had content to give). A member that served is a
    /// seed: someone has to download first, and that is peering working, not failing.</summary>
    public static IReadOnlyList<EndpointRow> HttpOnly(IReadOnlyList<EndpointRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return rows.Where(r => r.BytesSource == ByteSources.DeliveryOptimization && r.BytesFromHttp > 0 && r.BytesReceived == 0 && r.BytesServed == 0
                && rows.Any(o => o.EndpointId != r.EndpointId && o.BytesServed > 0))
            .ToList();
    }

    /// <summary>The hostnames <see cref="ServedOutsideRun"/> names.</summary>
    public static IReadOnlySet<string> ServedOutside(RunFacts run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return (run.DeliveryOptimizationPeers ?? []).Where(p => !p.InRun && p.BytesSent > 0).Select(p => p.Hostname).ToHashSet(StringComparer.Ordinal);
    }

    private static string Endpoints(int n) => n == 1 ? "endpoint" : "endpoints";
}
