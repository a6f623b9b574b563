using System.Globalization;
using System.Net;
using System.Text;
using Orchestrator.Agent.Windows.Commands;

namespace Orchestrator.Agent.Windows.Firewall;

/// <summary>
/// The exact PowerShell the Windows enforcer runs (NetSecurity and ScheduledTasks modules). One script per change,
/// ordered so that every intermediate state is at most as open as the state before or after it:
/// <list type="bullet">
/// <item>a guard block rule per guarded port refuses the port to everyone but the allowed peers; Windows Firewall
/// lets a block rule win over any allow rule, so no other rule (a re-enabled built-in, a GPO, a third-party
/// product) can open the port;</item>
/// <item>the guard narrows before anything opens and widens last;</item>
/// <item>a run's scheduled removal is registered before its allow rule exists, so there is never an opening
/// without its own expiry on the endpoint.</item>
/// </list>
/// </summary>
internal static class FirewallScripts
{
    /// <summary>Upserts one of our rules by its stable Name. Set-NetFirewallRule keeps the rule (and with it
    /// established flows' rule match) when only the addresses change; New-NetFirewallRule runs only once.</summary>
    private const string Prelude = """
        $ErrorActionPreference = 'Stop'
        function Set-OrchestratorRule([string] $Name, [string] $Action, [int] $Port, [string[]] $Remote) {
          if (Get-NetFirewallRule -Name $Name -ErrorAction SilentlyContinue) {
            Set-NetFirewallRule -Name $Name -Direction Inbound -Action $Action -Protocol TCP -LocalPort $Port -RemoteAddress $Remote -Profile Any -Enabled True
          } else {
            New-NetFirewallRule -Name $Name -DisplayName $Name -Group 'Orchestrator' -Direction Inbound -Action $Action -Protocol TCP -LocalPort $Port -RemoteAddress $Remote -Profile Any -Enabled True | Out-Null
          }
        }
        # A guard split into several block rules (each part a comma-joined address list). When more than one rule changes,
        # the first refuses everyone until the others are in place: no moment is more open than before or after.
        function Set-OrchestratorGuard([int] $Port, [string[]] $Parts) {
          $base = "Orchestrator-Guard-Tcp$Port"
          $stale = @(Get-NetFirewallRule -Name "$base-Part*" -ErrorAction SilentlyContinue)
          if ($Parts.Count -eq 1 -and $stale.Count -eq 0) { Set-OrchestratorRule $base Block $Port ($Parts[0] -split ','); return }
          Set-OrchestratorRule $base Block $Port @('Any')
          $keep = @(for ($i = 1; $i -lt $Parts.Count; $i++) { "$base-Part$($i + 1)" })
          for ($i = 1; $i -lt $Parts.Count; $i++) { Set-OrchestratorRule $keep[$i - 1] Block $Port ($Parts[$i] -split ',') }
          $stale | Where-Object { $_.Name -notin $keep } | Remove-NetFirewallRule
          Set-OrchestratorRule $base Block $Port ($Parts[0] -split ',')
        }

        """;

    /// <summary>The closed state: guards refuse every guarded port to everyone (first), the built-in Delivery
    /// Optimization rules are disabled, every other rule and task of ours is removed.</summary>
    public static string InstallClosed(IReadOnlyList<int> guardedPorts)
    {
        var script = new StringBuilder(Prelude);
        foreach (var port in guardedPorts)
        {
            script.Append(CultureInfo.InvariantCulture, $"Set-OrchestratorRule {PowerShell.Quote(FirewallNames.Guard(port))} Block {port} @('Any')\n");
        }

        script.Append(CultureInfo.InvariantCulture, $$"""
            foreach ($name in {{PowerShell.Array(FirewallNames.BuiltInDeliveryOptimizationRules)}}) {
              if (Get-NetFirewallRule -Name $name -ErrorAction SilentlyContinue) { Set-NetFirewallRule -Name $name -Enabled False }
            }
            Get-NetFirewallRule -Group 'Orchestrator' -ErrorAction SilentlyContinue | Where-Object { $_.Name -notin {{PowerShell.Array(guardedPorts.Select(FirewallNames.Guard))}} } | Remove-NetFirewallRule
            Get-ScheduledTask -TaskPath '\Orchestrator\' -ErrorAction SilentlyContinue | Unregister-ScheduledTask -Confirm:$false

            """);
        return script.ToString();
    }

    /// <summary>
    /// Replaces every opening with <paramref name="runs"/>. <paramref name="previous"/> = the peers allowed per port by
    /// the last successful apply (empty after install; null when unknown, after a failure); <paramref name="now"/> = the endpoint's
    /// local time, from which each removal's trigger is computed (SecondsRemaining after now).
    /// </summary>
    /// <remarks>Each run's close task and allow rules are created only while the endpoint's clock is still before the
    /// task's start boundary: an apply that outlives the window prints <see cref="ExpiredMarker"/> and the rule name
    /// instead of registering a close in the past. <paramref name="afterLastRun"/> goes into each close task (see
    /// <see cref="CloseTask.Command"/>).</remarks>
    public static string Apply(
        IReadOnlyList<RunOpening> runs, IReadOnlyDictionary<int, IReadOnlySet<IPAddress>>? previous, IReadOnlyList<int> guardedPorts,
        DateTimeOffset now, string powerShellExecutable, string? afterLastRun = null)
    {
        var script = new StringBuilder(Prelude);
        var final = guardedPorts.ToDictionary(p => p, p => runs.Where(r => r.Port == p).SelectMany(r => r.Peers).ToHashSet());

        script.Append("# 1. Narrow: while rules change, the guards let in only peers allowed both before and after.\n");
        foreach (var port in guardedPorts)
        {
            var before = previous?.GetValueOrDefault(port) ?? new HashSet<IPAddress>();
            var both = final[port].Where(before.Contains).ToHashSet();
            // Skipped only when the guard is known to be that narrow already.
            if (previous is null || !both.SetEquals(before))
            {
                script.Append(GuardLine(port, both));
            }
        }

        script.Append(CultureInfo.InvariantCulture, $$"""
            # 2. Openings no longer wanted: the rule goes first, then its scheduled removal.
            Get-NetFirewallRule -Group 'Orchestrator' -ErrorAction SilentlyContinue | Where-Object { $_.Name -like 'Orchestrator-Run-*' -and $_.Name -notin {{PowerShell.Array(runs.SelectMany(RuleParts).Select(p => p.Name))}} } | Remove-NetFirewallRule
            Get-ScheduledTask -TaskPath '\Orchestrator\' -ErrorAction SilentlyContinue | Where-Object { $_.TaskName -notin {{PowerShell.Array(runs.Select(r => r.TaskName))}} } | Unregister-ScheduledTask -Confirm:$false
            # 3. Each opening: its removal at the window end is registered before the rule exists.

            """);
        foreach (var run in runs)
        {
            script.Append(CultureInfo.InvariantCulture, $$"""
                if ([DateTimeOffset](Get-Date) -lt [DateTimeOffset]'{{CloseTask.StartBoundary(run, now)}}') {
                Register-ScheduledTask -TaskPath '\Orchestrator\' -TaskName {{PowerShell.Quote(run.TaskName)}} -Force -Xml @'
                {{CloseTask.Xml(run, now, powerShellExecutable, afterLastRun)}}
                '@ | Out-Null

                """);
            foreach (var (name, addresses) in RuleParts(run))
            {
                script.Append(CultureInfo.InvariantCulture, $"Set-OrchestratorRule {PowerShell.Quote(name)} Allow {run.Port} {PowerShell.Array(addresses)}\n");
            }

            script.Append(CultureInfo.InvariantCulture, $"}} else {{ '{ExpiredMarker} {run.RuleName}' }}\n");
        }

        script.Append("# 4. Widen: the guards leave out exactly the allowed peers.\n");
        foreach (var port in guardedPorts)
        {
            script.Append(GuardLine(port, final[port]));
        }

        return script.ToString();
    }

    /// <summary>Lists every rule of ours as <c>Name|Action|Enabled|remote,remote</c>, one per line, for verification.
    /// Windows keeps a rule's addresses in its address filter, not on the rule object.</summary>
    public static string ListRules() => """
        $ErrorActionPreference = 'Stop'
        Get-NetFirewallRule -Group 'Orchestrator' -ErrorAction SilentlyContinue | ForEach-Object {
          $remote = @(($_ | Get-NetFirewallAddressFilter).RemoteAddress) -join ','
          '{0}|{1}|{2}|{3}' -f $_.Name, $_.Action, $_.Enabled, $remote
        }

        """;

    /// <summary>Printed with the rule name for each run whose window ended before its turn in the apply script came.</summary>
    public const string ExpiredMarker = "Expired during apply:";

    /// <summary>The allow rules of <paramref name="run"/>: its peers in parts of at most 1,000 entries.</summary>
    public static IEnumerable<(string Name, IReadOnlyList<string> Addresses)> RuleParts(RunOpening run) =>
        RemoteAddressChunks.Split(run.Peers.Select(p => p.ToString())).Select((part, i) => (FirewallNames.Part(run.RuleName, i), part));

    /// <summary>The guard rules of <paramref name="port"/>: the complement of <paramref name="allowed"/> in parts.</summary>
    public static IEnumerable<(string Name, IReadOnlyList<string> Addresses)> GuardParts(int port, IEnumerable<IPAddress> allowed) =>
        RemoteAddressChunks.Split(AddressComplement.Of(allowed)).Select((part, i) => (FirewallNames.Part(FirewallNames.Guard(port), i), part));

    private static string GuardLine(int port, IEnumerable<IPAddress> allowed) => string.Create(
        CultureInfo.InvariantCulture,
        $"Set-OrchestratorGuard {port} {PowerShell.Array(GuardParts(port, allowed).Select(p => string.Join(',', p.Addresses)))}\n");
}
