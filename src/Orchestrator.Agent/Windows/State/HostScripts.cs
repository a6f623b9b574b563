using System.Globalization;
using System.Text;
using Orchestrator.Agent.Windows.Commands;
using Orchestrator.Agent.Windows.DeliveryOptimization;
using Orchestrator.Agent.Windows.Firewall;

namespace Orchestrator.Agent.Windows.State;

/// <summary>The read-only inspection run before the first change, and the restore script written from its result.</summary>
internal static class HostScripts
{
    /// <summary>The Delivery Optimization port, whose Group Policy allow rules the inspection lists.</summary>
    public const int DeliveryOptimizationPort = 7680;

    /// <summary>Prints one JSON object (see <see cref="HostSnapshot"/>). Profiles come from the ActiveStore, i.e.
    /// after group policy is merged.</summary>
    public static string Inspect() => $$"""
        $ErrorActionPreference = 'Stop'
        $rules = foreach ($name in {{PowerShell.Array(FirewallNames.BuiltInDeliveryOptimizationRules)}}) {
          $rule = Get-NetFirewallRule -Name $name -ErrorAction SilentlyContinue
          [pscustomobject]@{ name = $name; exists = [bool]$rule; enabled = [bool]($rule -and [string]$rule.Enabled -eq 'True') }
        }
        $key = {{PowerShell.Quote(PolicyRegistry.Key)}}
        $keyExists = Test-Path -Path $key
        $values = foreach ($name in {{PowerShell.Array(PolicyRegistry.ManagedValues)}}) {
          $item = if ($keyExists) { Get-ItemProperty -Path $key -Name $name -ErrorAction SilentlyContinue } else { $null }
          if ($null -eq $item) { [pscustomobject]@{ name = $name; exists = $false; kind = $null; value = $null } }
          else { [pscustomobject]@{ name = $name; exists = $true; kind = [string](Get-Item -Path $key).GetValueKind($name); value = [string]$item.$name } }
        }
        $profiles = foreach ($p in Get-NetFirewallProfile -PolicyStore ActiveStore) {
          [pscustomobject]@{ name = [string]$p.Name; enabled = [string]$p.Enabled; allowLocalFirewallRules = [string]$p.AllowLocalFirewallRules; blockAllInbound = [string]$p.BlockAllInboundTraffic; defaultInboundAction = [string]$p.DefaultInboundAction }
        }
        $policyRules = @(Get-NetFirewallRule -PolicyStore RSOP -Direction Inbound -Action Allow -Enabled True -ErrorAction SilentlyContinue | Where-Object { @(($_ | Get-NetFirewallPortFilter).LocalPort) -contains '{{DeliveryOptimizationPort}}' } | ForEach-Object { [string]$_.Name })
        $profileLogs = foreach ($p in Get-NetFirewallProfile -PolicyStore PersistentStore) {
          [pscustomobject]@{ name = [string]$p.Name; logBlocked = [string]$p.LogBlocked; logFileName = [string]$p.LogFileName; logMaxSizeKilobytes = [string]$p.LogMaxSizeKilobytes }
        }
        ConvertTo-Json -Compress -Depth 3 -InputObject ([pscustomobject]@{ firewallRules = @($rules); policyKeyExisted = $keyExists; policyValues = @($values); profiles = @($profiles); policyRules = @($policyRules); profileLogs = @($profileLogs) })

        """;

    /// <summary>Undoes everything the agent did and puts back what <paramref name="before"/> recorded: our tasks and
    /// rules go, the built-in rules, the policy values and the profiles' logging settings return to their recorded state.</summary>
    public static string Restore(HostSnapshot before)
    {
        var script = new StringBuilder("""
            # Written by orchestrator-agent when it first took over this endpoint. Stop the agent service first:
            # a running agent closes the port again at its next start.
            $ErrorActionPreference = 'Stop'
            Get-ScheduledTask -TaskPath '\Orchestrator\' -ErrorAction SilentlyContinue | Unregister-ScheduledTask -Confirm:$false
            Get-NetFirewallRule -Group 'Orchestrator' -ErrorAction SilentlyContinue | Remove-NetFirewallRule

            """);
        foreach (var rule in before.FirewallRules.Where(r => r.Exists))
        {
            script.Append(CultureInfo.InvariantCulture, $"Set-NetFirewallRule -Name {PowerShell.Quote(rule.Name)} -Enabled {(rule.Enabled ? "True" : "False")}\n");
        }

        script.Append(CultureInfo.InvariantCulture, $"$key = {PowerShell.Quote(PolicyRegistry.Key)}\n");
        script.Append("if (Test-Path -Path $key) {\n");
        // Every managed value, also one the record lacks (then it is removed: the agent may have written it).
        var values = before.PolicyValues.Concat(PolicyRegistry.ManagedValues
            .Where(name => before.PolicyValues.All(v => v.Name != name))
            .Select(name => new PolicyValueState(name, false, null, null)));
        foreach (var value in values)
        {
            if (value is { Exists: true, Kind: not ("DWord" or "QWord" or "String" or "ExpandString") })
            {
                throw new InvalidDataException($"Recorded policy value {value.Name} has kind '{value.Kind}'; only DWord, QWord, String and ExpandString are restored.");
            }

            script.Append(value is { Exists: true, Kind: not null }
                ? $"  New-ItemProperty -Path $key -Name {PowerShell.Quote(value.Name)} -PropertyType {value.Kind} -Value {PowerShell.Quote(value.Value ?? "")} -Force | Out-Null\n"
                : $"  Remove-ItemProperty -Path $key -Name {PowerShell.Quote(value.Name)} -ErrorAction SilentlyContinue\n");
        }

        if (!before.PolicyKeyExisted)
        {
            script.Append("  if (-not (Get-Item -Path $key).Property) { Remove-Item -Path $key }\n");
        }

        script.Append("}\n");
        if (Firewall.DropLogScripts.Restore(before) is { } logging)
        {
            script.Append(logging).Append('\n');
        }

        return script.ToString();
    }
}
