using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;

namespace Orchestrator.Agent.Windows;

/// <summary>Refuses Windows settings that would make the agent run something other than intended.</summary>
internal sealed class WindowsAgentOptionsValidator : IValidateOptions<AgentOptions>
{
    public ValidateOptionsResult Validate(string? name, AgentOptions options)
    {
        var windows = options.Windows;
        var errors = new List<string>();
        if (!Enum.IsDefined(windows.ScanMethod))
        {
            errors.Add($"Agent:Windows:ScanMethod is {windows.ScanMethod}; accepted {string.Join(", ", Enum.GetNames<Scans.WindowsScanMethod>())}.");
        }

        if (windows.CommandTimeout < TimeSpan.FromSeconds(5) || windows.CommandTimeout > TimeSpan.FromMinutes(30))
        {
            errors.Add($"Agent:Windows:CommandTimeout is {windows.CommandTimeout}; accepted 00:00:05..00:30:00.");
        }

        if (windows.SystemDirectory.Length > 0 && !IsWindowsAbsolute(windows.SystemDirectory))
        {
            errors.Add($"Agent:Windows:SystemDirectory '{windows.SystemDirectory}' must be an absolute Windows path (e.g. C:\\Windows\\System32) or empty.");
        }

        if (windows.PeerInfoInterval < TimeSpan.FromSeconds(5) || windows.PeerInfoInterval > TimeSpan.FromMinutes(10))
        {
            errors.Add($"Agent:Windows:PeerInfoInterval is {windows.PeerInfoInterval}; accepted 00:00:05..00:10:00.");
        }

        if (windows.ConnectionLogInterval < windows.PeerInfoInterval || windows.ConnectionLogInterval > TimeSpan.FromHours(24))
        {
            errors.Add($"Agent:Windows:ConnectionLogInterval is {windows.ConnectionLogInterval}; accepted from Agent:Windows:PeerInfoInterval ({windows.PeerInfoInterval}) to 1.00:00:00.");
        }

        if (windows.DropLogMaxKilobytes is < 1 or > 32767)
        {
            errors.Add($"Agent:Windows:DropLogMaxKilobytes is {windows.DropLogMaxKilobytes}; accepted 1..32767 (Set-NetFirewallProfile -LogMaxSizeKilobytes).");
        }

        if (string.IsNullOrWhiteSpace(windows.DropLogFile) || windows.DropLogFile.Contains('"', StringComparison.Ordinal) ||
            !(IsWindowsAbsolute(windows.DropLogFile) || windows.DropLogFile.StartsWith('%')))
        {
            errors.Add($"Agent:Windows:DropLogFile '{windows.DropLogFile}' must be an absolute Windows path without double quotes, e.g. %SystemRoot%\\System32\\LogFiles\\Firewall\\orchestrator-drops.log.");
        }

        if (string.IsNullOrWhiteSpace(windows.ServiceName))
        {
            errors.Add("Agent:Windows:ServiceName is empty; give the service name used with sc.exe create (e.g. OrchestratorAgent).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static bool IsWindowsAbsolute(string path) =>
        path.Length >= 3 && char.IsAsciiLetter(path[0]) && path[1] == ':' && path[2] == '\\';
}
