using Orchestrator.Agent.Windows.Commands;

namespace Orchestrator.Agent.Windows.Scans;

/// <summary>The exact command each <see cref="WindowsScanMethod"/> runs.</summary>
internal static class WindowsScanCommands
{
    /// <summary>Searches for applicable updates. IUpdateSearcher.Search returns an ISearchResult whose ResultCode
    /// is an OperationResultCode: 2 succeeded, 3 succeeded with errors, 4 failed, 5 aborted. Exit 0 only for 2;
    /// otherwise the result code itself, so the report says which.</summary>
    public const string WindowsUpdateAgentScript = """
        $ErrorActionPreference = 'Stop'
        $session = New-Object -ComObject 'Microsoft.Update.Session'
        $session.ClientApplicationID = 'orchestrator-agent'
        $result = $session.CreateUpdateSearcher().Search('IsInstalled=0 and IsHidden=0')
        Write-Output ('ResultCode={0} Updates={1}' -f [int]$result.ResultCode, $result.Updates.Count)
        if ([int]$result.ResultCode -eq 2) { exit 0 } else { exit [int]$result.ResultCode }

        """;

    /// <summary>Software Updates Scan Cycle ({…113}), then Software Updates Deployment Evaluation Cycle ({…108}),
    /// the schedule ids Microsoft lists for SMS_Client.TriggerSchedule.</summary>
    public const string ConfigurationManagerScript = """
        $ErrorActionPreference = 'Stop'
        foreach ($schedule in @('{00000000-0000-0000-0000-000000000113}', '{00000000-0000-0000-0000-000000000108}')) {
          Invoke-CimMethod -Namespace 'root\ccm' -ClassName 'SMS_Client' -MethodName 'TriggerSchedule' -Arguments @{ sScheduleID = $schedule } | Out-Null
        }

        """;

    public static WindowsCommand For(WindowsScanMethod method, string systemDirectory, PowerShell powerShell) => method switch
    {
        WindowsScanMethod.WindowsUpdateAgent => powerShell.Script(WindowsUpdateAgentScript),
        WindowsScanMethod.UsoClient => new WindowsCommand(systemDirectory.TrimEnd('\\') + @"\UsoClient.exe", ["StartScan"], null),
        WindowsScanMethod.ConfigurationManager => powerShell.Script(ConfigurationManagerScript),
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown scan method."),
    };
}
