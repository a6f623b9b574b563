using System.Text.Json;
using static Orchestrator.Agent.Windows.DeliveryOptimization.JsonRows;

namespace Orchestrator.Agent.Windows.DeliveryOptimization;

/// <summary>Parses <see cref="DeliveryOptimizationScripts.Status"/> output. Field names are Microsoft's
/// (learn.microsoft.com, "Monitor Delivery Optimization": FileId, BytesFromPeers, BytesFromHttp, BytesFromLanPeers, …),
/// matched ignoring case because the docs themselves spell BytesFromHttp two ways.</summary>
internal static class DeliveryOptimizationStatusParser
{
    public static IReadOnlyList<CachedFileStatus> Parse(string json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return [];
        }

        using var document = JsonDocument.Parse(json);
        return Rows(document.RootElement)
            .Select(row => new CachedFileStatus(
                Text(row, "FileId") ?? "",
                Text(row, "Status"),
                Long(row, "TotalBytesDownloaded"),
                Long(row, "BytesFromPeers"),
                Long(row, "BytesFromHttp"),
                Long(row, "BytesFromCacheServer"),
                Long(row, "BytesFromLanPeers"),
                Long(row, "BytesFromGroupPeers"),
                Long(row, "BytesFromInternetPeers"),
                Long(row, "BytesToLanPeers"),
                Long(row, "BytesToGroupPeers"),
                Long(row, "BytesToInternetPeers")))
            .ToList();
    }
}
