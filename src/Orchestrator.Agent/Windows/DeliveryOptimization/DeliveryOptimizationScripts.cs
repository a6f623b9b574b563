using System.Globalization;
using System.Text;
using Orchestrator.Agent.Windows.Commands;
using Orchestrator.Agent.Windows.State;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Windows.DeliveryOptimization;

/// <summary>The exact PowerShell for the Delivery Optimization policy and statistics.</summary>
internal static class DeliveryOptimizationScripts
{
    /// <summary>Printed by <see cref="Apply"/> when Delivery Optimization took the new download mode only after a restart.</summary>
    public const string RestartedMarker = "DoSvc restarted";

    /// <summary>Writes the policy for <paramref name="settings"/> (null = outside every window = HTTP only): the download
    /// mode and group id, then the window's other values (outside a window: the values <paramref name="recorded"/> holds),
    /// then reads the download mode back and restarts DoSvc once when it did not apply (whether Delivery Optimization
    /// picks up a policy write without a restart is undocumented). Throws <see cref="InvalidOperationException"/> for
    /// a setting the agent will not write.</summary>
    public static string Apply(DeliveryOptimizationV1? settings, HostSnapshot? recorded = null)
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
        var window = mode == 0 ? null : settings?.Settings;
        foreach (var (name, restore, write) in WindowPolicyValues.For(window, recorded))
        {
            script.Append(WindowValueLine(name, restore, write));
        }

        script.Append(string.Create(CultureInfo.InvariantCulture, $$"""
            if (Get-Command -Name Get-DOConfig -ErrorAction SilentlyContinue) {
              $expected = @('{{mode}}', '{{ModeName(mode)}}')
              if ([string](Get-DOConfig).DownloadMode -notin $expected) {
                Restart-Service -Name DoSvc -Force
                $now = [string](Get-DOConfig).DownloadMode
                if ($now -notin $expected) { throw "Delivery Optimization reports download mode $now after the policy write and a DoSvc restart; expected {{mode}}" }
                '{{RestartedMarker}}: the download mode applied only after a restart'
              }
            }

            """));
        return script.ToString();
    }

    /// <summary>The same, for the close task's command line: the window values back to <paramref name="recorded"/>, as one
    /// line free of double quotes.</summary>
    public static string RestoreWindowValues(HostSnapshot? recorded) => string.Concat(
        $"$key = {PowerShell.Quote(PolicyRegistry.Key)}; if (Test-Path -Path $key) {{ ",
        string.Concat(WindowPolicyValues.For(null, recorded).Select(v => WindowValueLine(v.Name, v.Restore, v.Write).TrimEnd('\n') + "; ")),
        "}");

    private static string WindowValueLine(string name, PolicyValueState? restore, long? write)
    {
        if (write is { } value)
        {
            if (value is < 0 or > uint.MaxValue)
            {
                throw new InvalidOperationException($"Delivery Optimization {name} = {value} does not fit a DWORD; refused.");
            }

            // The registry provider takes a DWORD as Int32: values above 2^31-1 go as their two's-complement twin (same bits).
            return string.Create(CultureInfo.InvariantCulture,
                $"New-ItemProperty -Path $key -Name {PowerShell.Quote(name)} -PropertyType DWord -Value {unchecked((int)(uint)value)} -Force | Out-Null\n");
        }

        if (restore is { Kind: "DWord" or "QWord" or "String" or "ExpandString" })
        {
            return $"New-ItemProperty -Path $key -Name {PowerShell.Quote(name)} -PropertyType {restore.Kind} -Value {PowerShell.Quote(restore.Value ?? "")} -Force | Out-Null\n";
        }

        return $"Remove-ItemProperty -Path $key -Name {PowerShell.Quote(name)} -ErrorAction SilentlyContinue\n";
    }

    /// <summary>The name Get-DOConfig may print for <paramref name="mode"/>; the wire values copy Windows' names.</summary>
    private static string ModeName(int mode) => mode switch
    {
        0 => PeeringModeV1.HttpOnly,
        1 => PeeringModeV1.Lan,
        _ => PeeringModeV1.Group,
    };

    /// <summary>One row per file in the Delivery Optimization cache, as a JSON array (also for zero or one row).
    /// Status is converted to its name so it does not depend on how the enum serializes.</summary>
    public const string Status = """
        $ErrorActionPreference = 'Stop'
        $files = Get-DeliveryOptimizationStatus | Select-Object FileId, @{ n = 'Status'; e = { [string]$_.Status } }, TotalBytesDownloaded, BytesFromPeers, BytesFromHttp, BytesFromCacheServer, BytesFromLanPeers, BytesFromGroupPeers, BytesFromInternetPeers, BytesToLanPeers, BytesToGroupPeers, BytesToInternetPeers
        ConvertTo-Json -Compress -Depth 2 -InputObject @($files)

        """;

    /// <summary>The peers of the current jobs (live connections), as a JSON array; sampled during an open run.</summary>
    public const string PeerInfo = """
        $ErrorActionPreference = 'Stop'
        ConvertTo-Json -Compress -Depth 4 -InputObject @(Get-DeliveryOptimizationStatus -PeerInfo)

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
