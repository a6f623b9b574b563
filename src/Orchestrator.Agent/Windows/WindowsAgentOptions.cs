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

    /// <summary>Name of the Windows service (as given to <c>sc.exe create</c>); used for the event log source.</summary>
    public string ServiceName { get; set; } = "OrchestratorAgent";
}
