namespace Orchestrator.Agent.Windows.Scans;

/// <summary>How the Windows agent triggers an update scan.</summary>
public enum WindowsScanMethod
{
    /// <summary>Windows Update Agent API: <c>Microsoft.Update.Session</c> searcher, synchronous; the exit code
    /// reflects the search result. Works with Windows Update, WSUS and Windows Update for Business.</summary>
    WindowsUpdateAgent,

    /// <summary><c>UsoClient.exe StartScan</c>: what the Settings app does; undocumented, returns at once, its exit
    /// code says only that the request was handed over.</summary>
    UsoClient,

    /// <summary>Configuration Manager client actions: Software Updates Scan Cycle, then Software Updates Deployment
    /// Evaluation Cycle (<c>SMS_Client.TriggerSchedule</c>); asynchronous, exit 0 = both triggered.</summary>
    ConfigurationManager,
}
