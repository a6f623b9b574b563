using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Enforcement;
using Orchestrator.Agent.Identity;
using Orchestrator.Agent.Polling;
using Orchestrator.Agent.Scans;
using Orchestrator.Agent.Windows;
using Orchestrator.Agent.Windows.Commands;
using Orchestrator.Agent.Windows.DeliveryOptimization;
using Orchestrator.Agent.Windows.Firewall;
using Orchestrator.Agent.Windows.Scans;

namespace Orchestrator.Agent.Tests.Windows;

/// <summary>The Windows object graph and its settings, built on Linux (everything but the service lifetime and ACLs).</summary>
public sealed class WindowsWiringTests
{
    [Fact]
    public void The_windows_backend_resolves_with_settings_from_the_agent_windows_section()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Agent:ServerUrl"] = "https://orchestrator:8443",
            ["Agent:StateDirectory"] = "/tmp/orchestrator-wiring",
            ["Agent:Windows:ScanMethod"] = "ConfigurationManager",
            ["Agent:Windows:SystemDirectory"] = @"D:\Windows\System32",
        }).Build();
        using var host = new FakeWindowsHost();
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(TimeProvider.System)
            .AddSingleton<ICommandRunner>(host)
            .AddSingleton<ILocalAddresses>(new LocalAddresses(["198.18.0.1"]))
            .AddSingleton<AgentStatus>()
            .AddSingleton<ScanQueue>();
        services.AddOptions<AgentOptions>().Bind(configuration.GetSection(AgentOptions.SectionName));
        services.AddWindowsBackend(d => Directory.CreateDirectory(d));
        using var provider = services.BuildServiceProvider();

        Assert.IsType<WindowsFirewallEnforcer>(provider.GetRequiredService<IFirewallEnforcer>());
        Assert.Equal(
            [nameof(DeliveryOptimizationSampler), nameof(WindowsScanRunner)],
            provider.GetServices<IHostedService>().Select(s => s.GetType().Name).Order(StringComparer.Ordinal));
        Assert.Equal(@"D:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe", provider.GetRequiredService<PowerShell>().Executable);
        Assert.Equal(WindowsScanMethod.ConfigurationManager, provider.GetRequiredService<IOptions<AgentOptions>>().Value.Windows.ScanMethod);
        Assert.Same(host, provider.GetRequiredService<ICommandRunner>());
    }

    [Theory]
    [InlineData("CommandTimeout", "00:00:01", "Agent:Windows:CommandTimeout")]
    [InlineData("SystemDirectory", "/usr/bin", "Agent:Windows:SystemDirectory")]
    [InlineData("ServiceName", " ", "Agent:Windows:ServiceName")]
    [InlineData("PeerInfoInterval", "00:00:01", "Agent:Windows:PeerInfoInterval")]
    [InlineData("ConnectionLogInterval", "00:00:10", "Agent:Windows:ConnectionLogInterval")]
    public void A_bad_windows_setting_is_refused_naming_the_setting(string setting, string value, string named)
    {
        var options = new AgentOptions { ServerUrl = "https://orchestrator:8443" };
        switch (setting)
        {
            case "CommandTimeout": options.Windows.CommandTimeout = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case "SystemDirectory": options.Windows.SystemDirectory = value; break;
            case "PeerInfoInterval": options.Windows.PeerInfoInterval = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case "ConnectionLogInterval": options.Windows.ConnectionLogInterval = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            default: options.Windows.ServiceName = value; break;
        }

        var result = new WindowsAgentOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(named, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Windows_defaults_are_valid() =>
        Assert.True(new WindowsAgentOptionsValidator().Validate(null, new AgentOptions { ServerUrl = "https://o" }).Succeeded);
}
