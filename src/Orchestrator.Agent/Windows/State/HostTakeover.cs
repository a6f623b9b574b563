using Microsoft.Extensions.Logging;
using Orchestrator.Agent.Enforcement;
using Orchestrator.Agent.Windows.Commands;

namespace Orchestrator.Agent.Windows.State;

/// <summary>Inspects the host before the agent changes anything, refuses a host whose firewall cannot enforce,
/// and records the pre-agent state once (with the restore script generated from it).</summary>
internal sealed class HostTakeover(
    ICommandRunner runner, PowerShell powerShell, WindowsStateFiles files, TimeSpan commandTimeout, TimeProvider time, ILogger logger)
{
    /// <summary>The pre-agent state once <see cref="EnsureRecordedAsync"/> has run (null before).</summary>
    public HostSnapshot? Recorded { get; private set; }

    /// <summary>What the start-up inspection found that weakens enforcement (<see cref="HostSnapshot.EnforcementFindings"/>).</summary>
    public IReadOnlyList<string> Findings { get; private set; } = [];

    /// <summary>Returns the recorded pre-agent state. Throws <see cref="FirewallUnavailableException"/> when the
    /// host cannot be inspected or its firewall would ignore the agent's rules.</summary>
    public async Task<HostSnapshot> EnsureRecordedAsync(CancellationToken cancellationToken)
    {
        CommandResult result;
        try
        {
            result = await runner.RunAsync(powerShell.Script(HostScripts.Inspect()), commandTimeout, time, cancellationToken);
        }
        catch (Exception ex) when (ex is CommandUnavailableException or TimeoutException)
        {
            throw new FirewallUnavailableException($"Cannot inspect Windows Firewall: {ex.Message}", ex);
        }

        if (!result.Succeeded)
        {
            throw new FirewallUnavailableException(
                $"Inspecting Windows Firewall failed ({result.Describe()}). The agent must run as LocalSystem or an administrator.");
        }

        var current = HostSnapshot.Parse(result.StandardOutput);
        if (current.EnforcementProblem() is { } problem)
        {
            throw new FirewallUnavailableException($"Windows Firewall would not enforce the agent's rules: {problem}");
        }

        Findings = current.EnforcementFindings();
        foreach (var finding in Findings)
        {
            logger.LogWarning("Enforcement on this endpoint is weaker than it looks: {Finding}", finding);
        }

        if (files.ReadSnapshot() is { } recorded)
        {
            // A record from an older agent lacks the values it did not manage; this agent has not touched them yet, so
            // their current state is still the pre-agent state: add it, once.
            var missing = current.PolicyValues.Where(v => recorded.PolicyValues.All(r => r.Name != v.Name)).ToList();
            var logsMissing = recorded.ProfileLogs is null && current.ProfileLogs is not null;
            if (missing.Count > 0 || logsMissing)
            {
                recorded = recorded with
                {
                    PolicyValues = [.. recorded.PolicyValues, .. missing],
                    ProfileLogs = recorded.ProfileLogs ?? current.ProfileLogs,
                };
                files.WriteSnapshot(recorded);
                files.WriteRestoreScript(HostScripts.Restore(recorded));
                var added = missing.Select(v => v.Name).ToList();
                if (logsMissing)
                {
                    added.Add("the profiles' logging settings");
                }

                logger.LogInformation("Added {Values} to the takeover record", string.Join(", ", added));
            }

            Recorded = recorded;
            return recorded;
        }

        Recorded = current;
        files.WriteSnapshot(current);
        files.WriteRestoreScript(HostScripts.Restore(current));
        logger.LogInformation("Recorded the host's Delivery Optimization rules and policy before the first change; uninstall with {Script}",
            files.RestoreScriptPath);
        return current;
    }
}
