using System.Globalization;
using System.Text;
using Orchestrator.Agent.Windows.Commands;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Windows.DeliveryOptimization;

/// <summary>The exact PowerShell for the Delivery Optimization policy and statistics.</summary>
internal static class DeliveryOptimizationScripts
{
    /// <summary>Writes the policy for <paramref name="settings"/> (null = outside every window = HTTP only). Throws
    /// <see cref="InvalidOperationException"/> for a mode or group id the agent will not write.</summary>
    public static string Apply(DeliveryOptimizationV1? settings)
    {
        var (mode, groupId) = Resolve(settings);
        var script = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $$"""
            $ErrorActionPreference = 'Stop'
            $key = {{PowerShell.Quote(PolicyRegistry.Key)}}
            if (-not (Test-Path -Path $key)) { New-Item -Path $key -Force | Out-Null }
            New-ItemProperty -Path $key -Name 'DODownloadMode' -PropertyType DWord -Value {{mode}} -Force | Out-Null

            """));
        script.Append(groupId is null
            ? "Remove-ItemProperty -Path $key -Name 'DOGroupId' -ErrorAction SilentlyContinue\n"
            : $"New-ItemProperty -Path $key -Name 'DOGroupId' -PropertyType String -Value {PowerShell.Quote(groupId)} -Force | Out-Null\n");
        script.Append("Remove-ItemProperty -Path $key -Name 'DOGroupIdSource' -ErrorAction SilentlyContinue\n");
        return script.ToString();
    }

    /// <summary>One row per file in the Delivery Optimization cache, as a JSON array (also for zero or one row).
    /// Status is converted to its name so it does not depend on how the enum serializes.</summary>
    public const string Status = """
        $ErrorActionPreference = 'Stop'
        $files = Get-DeliveryOptimizationStatus | Select-Object FileId, @{ n = 'Status'; e = { [string]$_.Status } }, TotalBytesDownloaded, BytesFromPeers, BytesFromHttp, BytesFromCacheServer, BytesFromLanPeers, BytesFromGroupPeers, BytesFromInternetPeers, BytesToLanPeers, BytesToGroupPeers, BytesToInternetPeers
        ConvertTo-Json -Compress -Depth 2 -InputObject @($files)

        """;

    /// <summary>Per-connection rows from the Delivery Optimization log (can take minutes on a large log).</summary>
    public const string Connections = """
        $ErrorActionPreference = 'Stop'
        ConvertTo-Json -Compress -Depth 4 -InputObject @(Get-DeliveryOptimizationLogAnalysis -ListConnections)

        """;

    private static (int Mode, string? GroupId) Resolve(DeliveryOptimizationV1? settings)
    {
        switch (settings?.Mode ?? PeeringModeV1.HttpOnly)
        {
            case PeeringModeV1.HttpOnly:
                return (0, null);
            case PeeringModeV1.Lan:
                return (1, null);
            case PeeringModeV1.Group:
                // DOGroupId must be a GUID (Group Policy's own rule); anything else would be written and silently ignored.
                return Guid.TryParse(settings!.GroupId, out var group)
                    ? (2, group.ToString("D"))
                    : throw new InvalidOperationException(
                        $"Delivery Optimization mode Group needs a GUID groupId; got '{settings.GroupId}'.");
            default:
                throw new InvalidOperationException(
                    $"Delivery Optimization mode '{settings!.Mode}' is not supported; expected HttpOnly, Lan or Group.");
        }
    }
}
