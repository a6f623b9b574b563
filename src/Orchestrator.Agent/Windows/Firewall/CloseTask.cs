using System.Globalization;
using System.Xml.Linq;
using Orchestrator.Agent.Windows.Commands;

namespace Orchestrator.Agent.Windows.Firewall;

/// <summary>
/// The one-shot scheduled task that closes a run's opening at the window end with no help from the agent. It runs
/// as SYSTEM, also after a missed start (machine asleep or off: <c>StartWhenAvailable</c>), and its command is
/// self-contained: remove the run's rule; if no other run rule remains on that port, reset the guard to refuse
/// everyone; then delete itself.
/// </summary>
internal static class CloseTask
{
    private static readonly XNamespace Ns = "http://schemas.microsoft.com/windows/2004/02/mit/task";

    /// <summary>How long after its start boundary a missed close may still run. Task Scheduler applies
    /// <c>StartWhenAvailable</c> only to a trigger with an end boundary (or infinite repetition), so without one a laptop
    /// asleep or off at the window end might never run the close. Past this the agent's own start-up removes the rule.</summary>
    public static readonly TimeSpan LateRunAllowance = TimeSpan.FromDays(30);

    /// <summary>The command line (after the program) the task runs; kept free of double quotes so it survives
    /// being one double-quoted <c>-Command</c> argument. <paramref name="afterLastRun"/> runs when no run rule of the port
    /// is left (the window's Delivery Optimization values back to their recorded state).</summary>
    public static string Command(RunOpening run, string? afterLastRun = null) =>
        $"Remove-NetFirewallRule -Name {PowerShell.Quote(run.RuleName)} -ErrorAction SilentlyContinue; " +
        $"Get-NetFirewallRule -Name {PowerShell.Quote(FirewallNames.PartPattern(run.RuleName))} -ErrorAction SilentlyContinue | Remove-NetFirewallRule; " +
        $"if (-not (Get-NetFirewallRule -Name {PowerShell.Quote(FirewallNames.RunRulePattern(run.Port))} -ErrorAction SilentlyContinue)) " +
        $"{{ Set-NetFirewallRule -Name {PowerShell.Quote(FirewallNames.Guard(run.Port))} -RemoteAddress Any; " +
        $"Get-NetFirewallRule -Name {PowerShell.Quote(FirewallNames.PartPattern(FirewallNames.Guard(run.Port)))} -ErrorAction SilentlyContinue | Remove-NetFirewallRule" +
        (afterLastRun is null ? "" : "; " + afterLastRun) + " }; " +
        $"Unregister-ScheduledTask -TaskPath '\\Orchestrator\\' -TaskName {PowerShell.Quote(run.TaskName)} -Confirm:$false -ErrorAction SilentlyContinue";

    public static string Arguments(RunOpening run, string? afterLastRun = null) =>
        $"-NoProfile -NonInteractive -ExecutionPolicy Bypass -Command \"{Command(run, afterLastRun)}\"";

    /// <summary>The local trigger time: <paramref name="now"/> (the endpoint's clock at apply time) plus the
    /// opening's remaining seconds, written with its UTC offset so Task Scheduler fires at that instant even
    /// across a daylight-saving change.</summary>
    public static string StartBoundary(RunOpening run, DateTimeOffset now)
    {
        var at = now.AddSeconds(run.Seconds);
        return at.AddTicks(-(at.Ticks % TimeSpan.TicksPerSecond)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
    }

    public static string EndBoundary(RunOpening run, DateTimeOffset now) =>
        DateTimeOffset.Parse(StartBoundary(run, now), CultureInfo.InvariantCulture).Add(LateRunAllowance)
            .ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    public static string Xml(RunOpening run, DateTimeOffset now, string powerShellExecutable, string? afterLastRun = null) =>
        new XElement(Ns + "Task",
            new XAttribute("version", "1.2"),
            new XElement(Ns + "RegistrationInfo",
                new XElement(Ns + "Author", "orchestrator-agent"),
                new XElement(Ns + "Description", string.Create(CultureInfo.InvariantCulture,
                    $"Closes TCP {run.Port} for run {run.RunId} at the window end, also when the agent is not running."))),
            new XElement(Ns + "Triggers",
                new XElement(Ns + "TimeTrigger",
                    new XElement(Ns + "StartBoundary", StartBoundary(run, now)),
                    new XElement(Ns + "EndBoundary", EndBoundary(run, now)),
                    new XElement(Ns + "Enabled", "true"))),
            new XElement(Ns + "Principals",
                new XElement(Ns + "Principal", new XAttribute("id", "System"),
                    new XElement(Ns + "UserId", "S-1-5-18"),
                    new XElement(Ns + "RunLevel", "HighestAvailable"))),
            new XElement(Ns + "Settings",
                new XElement(Ns + "MultipleInstancesPolicy", "IgnoreNew"),
                new XElement(Ns + "DisallowStartIfOnBatteries", "false"),
                new XElement(Ns + "StopIfGoingOnBatteries", "false"),
                new XElement(Ns + "StartWhenAvailable", "true"),
                new XElement(Ns + "ExecutionTimeLimit", "PT10M"),
                new XElement(Ns + "RestartOnFailure",
                    new XElement(Ns + "Interval", "PT1M"),
                    new XElement(Ns + "Count", "3"))),
            new XElement(Ns + "Actions", new XAttribute("Context", "System"),
                new XElement(Ns + "Exec",
                    new XElement(Ns + "Command", powerShellExecutable),
                    new XElement(Ns + "Arguments", Arguments(run, afterLastRun)))))
        .ToString()
        .ReplaceLineEndings("\n");
}
