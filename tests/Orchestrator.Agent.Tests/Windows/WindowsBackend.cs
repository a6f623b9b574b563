using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Agent.Identity;
using Orchestrator.Agent.Windows.Commands;
using Orchestrator.Agent.Windows.DeliveryOptimization;
using Orchestrator.Agent.Windows.Firewall;
using Orchestrator.Agent.Windows.State;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Tests.Windows;

/// <summary>The Windows enforcer wired to a <see cref="FakeWindowsHost"/>, a fake clock in Europe/Berlin and a temporary
/// state directory: the whole backend as it runs on Windows, minus Windows.</summary>
internal sealed class WindowsBackend : IDisposable
{
    public const string System32 = @"C:\Windows\System32";
    public const string PowerShellExe = @"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe";

    /// <summary>What the inspection finds on a stock Windows 11: both built-in DO rules enabled, no DO policy, firewall on.</summary>
    public const string StockHostJson = """
        {"firewallRules":[{"name":"DeliveryOptimization-TCP-In","exists":true,"enabled":true},{"name":"DeliveryOptimization-UDP-In","exists":true,"enabled":true}],"policyKeyExisted":false,"policyValues":[{"name":"DODownloadMode","exists":false,"kind":null,"value":null},{"name":"DOGroupId","exists":false,"kind":null,"value":null},{"name":"DOGroupIdSource","exists":false,"kind":null,"value":null}],"profiles":[{"name":"Domain","enabled":"True","allowLocalFirewallRules":"NotConfigured"},{"name":"Private","enabled":"True","allowLocalFirewallRules":"NotConfigured"},{"name":"Public","enabled":"True","allowLocalFirewallRules":"NotConfigured"}]}
        """;

    public WindowsBackend(string? inspection = StockHostJson, DropLog? dropLog = null)
    {
        Time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 10, 21, 0, 0, TimeSpan.Zero));
        Time.SetLocalTimeZone(TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"));
        StateDirectory = Path.Combine(Path.GetTempPath(), "orchestrator-windows-" + Guid.NewGuid().ToString("N"));
        if (inspection is not null)
        {
            Host.Answer(HostScripts.Inspect(), new CommandResult(0, inspection, ""));
        }

        Host.AddRule("DeliveryOptimization-TCP-In", "DeliveryOptimization", "Allow", 7680, "LocalSubnet", enabled: true);
        Host.AddRule("DeliveryOptimization-UDP-In", "DeliveryOptimization", "Allow", 7680, "LocalSubnet", enabled: true);
        var powerShell = new PowerShell(System32);
        Files = new WindowsStateFiles(StateDirectory, d => Directory.CreateDirectory(d));
        Host.Clock = () => Time.GetUtcNow() + ScriptDelay;
        Policy = new DeliveryOptimizationPolicy(Host, powerShell, TimeSpan.FromMinutes(2), Time, NullLogger<DeliveryOptimizationPolicy>.Instance, Files.ReadSnapshot);
        Enforcer = new WindowsFirewallEnforcer(
            Host,
            powerShell,
            new HostTakeover(Host, powerShell, Files, TimeSpan.FromMinutes(2), Time, NullLogger.Instance),
            Policy,
            [7680],
            new OwnAddresses(),
            TimeSpan.FromMinutes(2),
            Time,
            NullLogger<WindowsFirewallEnforcer>.Instance,
            dropLog: dropLog);
    }

    public FakeWindowsHost Host { get; } = new();

    public FakeTimeProvider Time { get; }

    /// <summary>How much later than the agent built it a script runs on the endpoint (a slow apply).</summary>
    public TimeSpan ScriptDelay { get; set; }

    public string StateDirectory { get; }

    public WindowsStateFiles Files { get; }

    public DeliveryOptimizationPolicy Policy { get; }

    public WindowsFirewallEnforcer Enforcer { get; }

    public static OpeningV1 Opening(long runId, int seconds, params string[] peers) => new(runId, 7680, "tcp", peers, seconds);

    public void Dispose()
    {
        Enforcer.Dispose();
        Host.Dispose();
        if (Directory.Exists(StateDirectory))
        {
            Directory.Delete(StateDirectory, recursive: true);
        }
    }

    private sealed class OwnAddresses : ILocalAddresses
    {
        public IReadOnlyList<string> Reported() => ["198.18.0.1"];

        public IReadOnlySet<IPAddress> Own() => new HashSet<IPAddress> { IPAddress.Parse("198.18.0.1") };
    }
}
