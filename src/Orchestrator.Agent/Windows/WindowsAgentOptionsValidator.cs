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

        if (string.IsNullOrWhiteSpace(windows.ServiceName))
        {
            errors.Add("Agent:Windows:ServiceName is empty; give the service name used with sc.exe create (e.g. OrchestratorAgent).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static bool IsWindowsAbsolute(string path) =>
        path.Length >= 3 && char.IsAsciiLetter(path[0]) && path[1] == ':' && path[2] == '\\';
}
