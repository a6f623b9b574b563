using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text;
using Orchestrator.Agent.Windows.Commands;
using Engine = System.Management.Automation.PowerShell;

namespace Orchestrator.Agent.Tests.Windows;

/// <summary>
/// A recording <see cref="ICommandRunner"/> that also <em>executes</em> the generated PowerShell, with the real
/// PowerShell language engine (System.Management.Automation 7, on Linux) but fake NetSecurity, ScheduledTasks and
/// registry cmdlets that keep an in-memory firewall, task folder and policy key.
/// </summary>
/// <remarks>
/// What this proves: the scripts parse, their quoting, here-strings, filters and ordering do what we intend, and
/// the scheduled task's own command line closes the port with no agent involved — against the fakes' reading of
/// the cmdlets (parameter names as documented on learn.microsoft.com). What it cannot prove: that real Windows
/// Firewall, Task Scheduler and Windows PowerShell 5.1 behave like the fakes. On Windows this backend is verified
/// only by these tests until it runs on a real host.
/// </remarks>
internal sealed class FakeWindowsHost : ICommandRunner, IDisposable
{
    /// <summary>Fake cmdlets. Each call is logged as "Verb-Noun name" to $global:Calls.</summary>
    private const string Fakes = """
        $global:Rules = [ordered]@{}
        $global:Tasks = [ordered]@{}
        $global:Policy = $null
        $global:Calls = [System.Collections.Generic.List[string]]::new()
        function Get-NetFirewallRule {
          [CmdletBinding()] param([string[]] $Name, [string] $Group)
          $all = @($global:Rules.Values)
          if ($Name) {
            $found = @($all | Where-Object { $n = $_.Name; @($Name | Where-Object { $n -like $_ }).Count -gt 0 })
            if ($found.Count -eq 0 -and -not ($Name -join '').Contains('*')) { Write-Error "No MSFT_NetFirewallRule objects found with property 'Name' equal to '$Name'." }
            return $found
          }
          if ($Group) { return @($all | Where-Object { $_.Group -eq $Group }) }
          return $all
        }
        function New-NetFirewallRule {
          [CmdletBinding()] param([string] $Name, [string] $DisplayName, [string] $Group, [string] $Direction, [string] $Action, [string] $Protocol, [string] $LocalPort, [string[]] $RemoteAddress, [string] $Profile, [string] $Enabled)
          if ($global:Rules.Contains($Name)) { throw "rule $Name exists" }
          $global:Calls.Add("New-NetFirewallRule $Name")
          $rule = [pscustomobject]@{ Name = $Name; DisplayName = $DisplayName; Group = $Group; Direction = $Direction; Action = $Action; Protocol = $Protocol; LocalPort = $LocalPort; RemoteAddress = @($RemoteAddress); Profile = $Profile; Enabled = $Enabled }
          $global:Rules[$Name] = $rule
          $rule
        }
        function Set-NetFirewallRule {
          [CmdletBinding()] param([string] $Name, [string] $Direction, [string] $Action, [string] $Protocol, [string] $LocalPort, [string[]] $RemoteAddress, [string] $Profile, [string] $Enabled)
          if (-not $global:Rules.Contains($Name)) { Write-Error "No MSFT_NetFirewallRule objects found with property 'Name' equal to '$Name'."; return }
          $global:Calls.Add("Set-NetFirewallRule $Name")
          $rule = $global:Rules[$Name]
          foreach ($p in $PSBoundParameters.Keys) { if ($p -ne 'Name' -and $rule.PSObject.Properties[$p]) { $rule.$p = $PSBoundParameters[$p] } }
        }
        function Remove-NetFirewallRule {
          [CmdletBinding()] param([Parameter(ValueFromPipeline = $true)] $InputObject, [string[]] $Name)
          process {
            $names = if ($InputObject) { @($InputObject.Name) } else { @($Name) }
            foreach ($n in $names) {
              if ($global:Rules.Contains($n)) { $global:Rules.Remove($n); $global:Calls.Add("Remove-NetFirewallRule $n") }
              else { Write-Error "No MSFT_NetFirewallRule objects found with property 'Name' equal to '$n'." }
            }
          }
        }
        function Get-NetFirewallAddressFilter {
          [CmdletBinding()] param([Parameter(ValueFromPipeline = $true)] $AssociatedNetFirewallRule)
          process { [pscustomobject]@{ RemoteAddress = @($AssociatedNetFirewallRule.RemoteAddress) } }
        }
        function Get-ScheduledTask {
          [CmdletBinding()] param([string] $TaskPath, [string] $TaskName)
          @($global:Tasks.Values | Where-Object { (-not $TaskPath -or $_.TaskPath -eq $TaskPath) -and (-not $TaskName -or $_.TaskName -eq $TaskName) })
        }
        function Register-ScheduledTask {
          [CmdletBinding()] param([string] $TaskName, [string] $TaskPath, [string] $Xml, [switch] $Force)
          if ($global:Tasks.Contains($TaskName) -and -not $Force) { throw "task $TaskName exists" }
          [xml] $parsed = $Xml
          $global:Calls.Add("Register-ScheduledTask $TaskName")
          $task = [pscustomobject]@{ TaskName = $TaskName; TaskPath = $TaskPath; Xml = $Xml }
          $global:Tasks[$TaskName] = $task
          $task
        }
        function Unregister-ScheduledTask {
          [CmdletBinding()] param([Parameter(ValueFromPipeline = $true)] $InputObject, [string] $TaskPath, [string] $TaskName, [switch] $Confirm)
          process {
            $n = if ($InputObject) { $InputObject.TaskName } else { $TaskName }
            if ($global:Tasks.Contains($n)) { $global:Tasks.Remove($n); $global:Calls.Add("Unregister-ScheduledTask $n") }
            else { Write-Error "No MSFT_ScheduledTask objects found with property 'TaskName' equal to '$n'." }
          }
        }
        function Test-Path { [CmdletBinding()] param([string] $Path) $null -ne $global:Policy }
        function New-Item { [CmdletBinding()] param([string] $Path, [switch] $Force) $global:Policy = [ordered]@{}; $global:Calls.Add("New-Item $Path") }
        function Remove-Item { [CmdletBinding()] param([string] $Path) $global:Policy = $null; $global:Calls.Add("Remove-Item $Path") }
        function Get-Item { [CmdletBinding()] param([string] $Path) [pscustomobject]@{ Property = @($global:Policy.Keys) } }
        function New-ItemProperty {
          [CmdletBinding()] param([string] $Path, [string] $Name, [string] $PropertyType, [string] $Value, [switch] $Force)
          if ($null -eq $global:Policy) { throw "key $Path missing" }
          $global:Policy[$Name] = "${PropertyType}:$Value"; $global:Calls.Add("New-ItemProperty $Name")
        }
        # Delivery Optimization's live configuration: by default it follows the policy key at once; with
        # $global:DoNeedsRestart it keeps the mode it had until DoSvc restarts (undocumented which one Windows does).
        $global:DoNeedsRestart = $false
        $global:DoLiveMode = $null
        function Get-DOConfig {
          [CmdletBinding()] param()
          $policyMode = if ($null -ne $global:Policy -and $global:Policy.Contains('DODownloadMode')) { ($global:Policy['DODownloadMode'] -split ':')[1] } else { '1' }
          $mode = if ($global:DoNeedsRestart -and $null -ne $global:DoLiveMode) { $global:DoLiveMode } else { $policyMode }
          [pscustomobject]@{ DownloadMode = $mode }
        }
        function Restart-Service {
          [CmdletBinding()] param([string] $Name, [switch] $Force)
          $global:Calls.Add("Restart-Service $Name")
          $global:DoLiveMode = $null
        }
        # The endpoint's clock as the test sets it ($global:FakeNow), so scripts compare against the fake time.
        $global:FakeNow = $null
        function Get-Date { if ($null -ne $global:FakeNow) { $global:FakeNow } else { [DateTimeOffset]::Now } }
        # Firewall profiles' logging settings (Set-NetFirewallProfile parameters as documented: LogBlocked False/True/NotConfigured,
        # LogMaxSizeKilobytes 1..32767), starting at Windows' defaults.
        $global:Profiles = [ordered]@{}
        foreach ($n in 'Domain', 'Private', 'Public') { $global:Profiles[$n] = [pscustomobject]@{ Name = $n; LogBlocked = 'False'; LogFileName = '%systemroot%\system32\LogFiles\Firewall\pfirewall.log'; LogMaxSizeKilobytes = '4096' } }
        function Set-NetFirewallProfile {
          [CmdletBinding()] param([string[]] $Name, [string] $LogBlocked, [string] $LogFileName, [UInt64] $LogMaxSizeKilobytes)
          foreach ($n in $Name) {
            if (-not $global:Profiles.Contains($n)) { throw "No MSFT_NetFirewallProfile objects found with property 'Name' equal to '$n'." }
            $global:Calls.Add("Set-NetFirewallProfile $n")
            $p = $global:Profiles[$n]
            if ($PSBoundParameters.ContainsKey('LogBlocked')) { if ($LogBlocked -notin 'True', 'False', 'NotConfigured') { throw "LogBlocked '$LogBlocked' is not accepted" }; $p.LogBlocked = $LogBlocked }
            if ($PSBoundParameters.ContainsKey('LogFileName')) { $p.LogFileName = $LogFileName }
            if ($PSBoundParameters.ContainsKey('LogMaxSizeKilobytes')) { if ($LogMaxSizeKilobytes -lt 1 -or $LogMaxSizeKilobytes -gt 32767) { throw "LogMaxSizeKilobytes $LogMaxSizeKilobytes is out of range" }; $p.LogMaxSizeKilobytes = [string]$LogMaxSizeKilobytes }
          }
        }
        function Remove-ItemProperty {
          [CmdletBinding()] param([string] $Path, [string] $Name)
          if ($null -ne $global:Policy -and $global:Policy.Contains($Name)) { $global:Policy.Remove($Name); $global:Calls.Add("Remove-ItemProperty $Name") }
          else { Write-Error "Property $Name does not exist at path $Path." }
        }
        """;

    private readonly Runspace runspace;
    private readonly List<WindowsCommand> commands = [];
    private readonly Dictionary<string, CommandResult> canned = new(StringComparer.Ordinal);

    public FakeWindowsHost()
    {
        runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
        runspace.Open();
        Execute(Fakes, localScope: false);
    }

    /// <summary>Every command the backend ran, in order.</summary>
    public IReadOnlyList<WindowsCommand> Commands => commands;

    /// <summary>PowerShell scripts among <see cref="Commands"/>, in order.</summary>
    public IReadOnlyList<string> Scripts => commands.Where(c => c.StandardInput is not null).Select(c => c.StandardInput!).ToList();

    /// <summary>When a script equal to <paramref name="script"/> (or a non-PowerShell command with that text) runs, answer
    /// <paramref name="result"/> instead of executing it (for cmdlets the fakes lack, e.g. ConvertTo-Json).</summary>
    public void Answer(string script, CommandResult result) => canned[script] = result;

    public Func<WindowsCommand, CancellationToken, Task<CommandResult>>? Override { get; set; }

    /// <summary>The endpoint's clock while a script runs (what its <c>Get-Date</c> returns); null = the real clock.</summary>
    public Func<DateTimeOffset>? Clock { get; set; }

    public Task<CommandResult> RunAsync(WindowsCommand command, CancellationToken cancellationToken)
    {
        commands.Add(command);
        if (Override is { } handler)
        {
            return handler(command, cancellationToken);
        }

        if (Clock is { } clock)
        {
            Execute($"$global:FakeNow = [DateTimeOffset]::Parse('{clock().ToString("O", CultureInfo.InvariantCulture)}', [cultureinfo]::InvariantCulture)");
        }

        var key = command.StandardInput ?? command.ToString();
        if (canned.TryGetValue(key, out var answer))
        {
            return Task.FromResult(answer);
        }

        if (command.StandardInput is null)
        {
            return Task.FromResult(new CommandResult(0, "", ""));
        }

        return Task.FromResult(Execute(command.StandardInput));
    }

    /// <summary>Runs <paramref name="script"/> the way powershell.exe -Command would: exit 1 on a terminating error.</summary>
    public CommandResult Execute(string script) => Execute(script, localScope: true);

    private CommandResult Execute(string script, bool localScope)
    {
        using var shell = Engine.Create();
        shell.Runspace = runspace;
        // Local scope: like a fresh powershell.exe, a script's $ErrorActionPreference must not leak into the next.
        shell.AddScript(script, localScope);
        try
        {
            var output = shell.Invoke();
            var errors = string.Join("\n", shell.Streams.Error.Select(e => e.ToString()));
            return new CommandResult(0, string.Join("\n", output.Select(o => o?.ToString())), errors);
        }
        catch (RuntimeException ex)
        {
            return new CommandResult(1, "", ex.Message);
        }
    }

    /// <summary>Names of the rules in the fake firewall, sorted.</summary>
    public IReadOnlyList<string> RuleNames => Strings("$global:Rules.Keys").Order(StringComparer.Ordinal).ToList();

    public IReadOnlyList<string> TaskNames => Strings("$global:Tasks.Keys").Order(StringComparer.Ordinal).ToList();

    public IReadOnlyList<string> Calls => Strings("$global:Calls");

    /// <summary>"Action Port Enabled remote,remote" of one rule, or null when absent.</summary>
    public string? Rule(string name) => Global($"$r = $global:Rules['{name}']; if ($r) {{ '{{0}} {{1}} {{2}} {{3}}' -f $r.Action, $r.LocalPort, $r.Enabled, ($r.RemoteAddress -join ',') }}") as string;

    /// <summary>"LogBlocked LogFileName LogMaxSizeKilobytes" of one firewall profile.</summary>
    public string? Profile(string name) => Global($"$p = $global:Profiles['{name}']; '{{0}} {{1}} {{2}}' -f $p.LogBlocked, $p.LogFileName, $p.LogMaxSizeKilobytes") as string;

    public string? TaskXml(string name) => Global($"$global:Tasks['{name}'].Xml") as string;

    /// <summary>The policy key's values as "Name=Type:Value", sorted; null when the key does not exist.</summary>
    public IReadOnlyList<string>? Policy => Global("$null -eq $global:Policy") is true
        ? null
        : Strings("$global:Policy.Keys | ForEach-Object { '{0}={1}' -f $_, $global:Policy[$_] }").Order(StringComparer.Ordinal).ToList();

    /// <summary>Adds a rule as Windows ships it (e.g. the built-in Delivery Optimization rules).</summary>
    public void AddRule(string name, string group, string action, int port, string remote, bool enabled) =>
        Execute($"$global:Rules['{name}'] = [pscustomobject]@{{ Name = '{name}'; DisplayName = '{name}'; Group = '{group}'; Direction = 'Inbound'; Action = '{action}'; Protocol = 'TCP'; LocalPort = '{port}'; RemoteAddress = @('{remote}'); Profile = 'Any'; Enabled = '{(enabled ? "True" : "False")}' }}");

    public void SetPolicy(params (string Name, string TypedValue)[] values)
    {
        var script = new StringBuilder("$global:Policy = [ordered]@{}\n");
        foreach (var (name, value) in values)
        {
            script.Append(CultureInfo.InvariantCulture, $"$global:Policy['{name}'] = '{value}'\n");
        }

        Execute(script.ToString());
    }

    /// <summary>What a Group Policy refresh that does not know our rules does: every Orchestrator-* rule disappears.</summary>
    public void RemoveOurRules() =>
        Execute("@($global:Rules.Keys) | Where-Object { $_ -like 'Orchestrator-*' } | ForEach-Object { $global:Rules.Remove($_) }");

    public void ClearCalls() => Execute("$global:Calls.Clear()");

    public void Dispose() => runspace.Dispose();

    private List<string> Strings(string expression)
    {
        using var shell = Engine.Create();
        shell.Runspace = runspace;
        shell.AddScript(expression);
        return shell.Invoke().Where(r => r is not null).Select(r => r.BaseObject.ToString()!).ToList();
    }

    private object? Global(string expression)
    {
        using var shell = Engine.Create();
        shell.Runspace = runspace;
        shell.AddScript(expression);
        var result = shell.Invoke();
        return result.Count switch
        {
            0 => null,
            1 => result[0]?.BaseObject,
            _ => result.Select(r => r?.BaseObject).ToList(),
        };
    }
}
