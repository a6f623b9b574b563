using Orchestrator.Agent.Windows.Scans;

namespace Orchestrator.Agent.Windows;

/// <summary>Settings only the Windows agent reads, bound from <c>Agent:Windows</c>. Ignored on Linux.</summary>
public sealed class WindowsAgentOptions
{
    /// <summary>How an update scan is triggered; default the Windows Update Agent API.</summary>
    public WindowsScanMethod ScanMethod { get; set; } = WindowsScanMethod.WindowsUpdateAgent;

    /// <summary>Longest time one firewall, policy or statistics command (a powershell.exe run) may take; the
    /// NetSecurity cmdlets can need several seconds each on a busy host.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Windows' System32 directory, where powershell.exe and UsoClient.exe are started from by absolute
    /// path; empty = the running system's.</summary>
    public string SystemDirectory { get; set; } = "";

    /// <summary>While a run is open, how often Delivery Optimization's status (bytes by source) and live peers
    /// (<c>Get-DeliveryOptimizationStatus -PeerInfo</c>) are sampled: two powershell.exe runs each time. Default 30 s;
    /// accepted 5 s to 10 min.</summary>
    public TimeSpan PeerInfoInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>While a run is open, how often Delivery Optimization's connection log
    /// (<c>Get-DeliveryOptimizationLogAnalysis -ListConnections</c>, slow on a large log) is read; it is also read once
    /// after the close. Default 10 min; accepted from <see cref="PeerInfoInterval"/> to 24 h.</summary>
    public TimeSpan ConnectionLogInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Opt-in: while a run is open, Windows Firewall logs dropped packets (every profile's LogBlocked, into
    /// <see cref="DropLogFile"/>) and the agent reports inbound TCP drops on the guarded ports from addresses outside the
    /// run as blocked attempts. The previous logging settings are recorded in the takeover record and put back at the
    /// close, by the close task and by uninstall. Off by default: the firewall then logs every dropped packet of the
    /// host, which costs disk writes (see docs/windows-agent.md).</summary>
    public bool LogDroppedPackets { get; set; }

    /// <summary>The drop log's file while <see cref="LogDroppedPackets"/> is on; the firewall service (MpsSvc) must be able
    /// to write its folder. Default <c>%SystemRoot%\System32\LogFiles\Firewall\orchestrator-drops.log</c>, next to
    /// Windows' own pfirewall.log.</summary>
    public string DropLogFile { get; set; } = @"%SystemRoot%\System32\LogFiles\Firewall\orchestrator-drops.log";

    /// <summary>Largest size of the drop log in KB before Windows starts it again (LogMaxSizeKilobytes); default 4096 (Windows'
    /// own default), accepted 1 to 32767.</summary>
    public int DropLogMaxKilobytes { get; set; } = 4096;

    /// <summary>Name of the Windows service (as given to <c>sc.exe create</c>); used for the event log source.</summary>
    public string ServiceName { get; set; } = "OrchestratorAgent";
}
