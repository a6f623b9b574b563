using System.Runtime.Versioning;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Enforcement;
using Orchestrator.Agent.Enrollment;
using Orchestrator.Agent.Identity;
using Orchestrator.Agent.Polling;
using Orchestrator.Agent.Reporting;
using Orchestrator.Agent.Scans;
using Orchestrator.Agent.Windows.Commands;
using Orchestrator.Agent.Windows.DeliveryOptimization;
using Orchestrator.Agent.Windows.Firewall;
using Orchestrator.Agent.Windows.Scans;
using Orchestrator.Agent.Windows.Service;
using Orchestrator.Agent.Windows.State;

namespace Orchestrator.Agent.Windows;

/// <summary>The Windows half of the agent's object graph; <see cref="AgentServices"/> picks it once, at start-up.</summary>
internal static class WindowsAgentServices
{
    [SupportedOSPlatform("windows")]
    public static IServiceCollection AddWindowsAgent(this IServiceCollection services, string serviceName)
    {
        // A no-op unless the process was started by the Service Control Manager.
        services.AddWindowsService(o => o.ServiceName = serviceName);
        services.AddAgentEventLogSource(serviceName);
        return services.AddWindowsBackend(WindowsStateDirectory.Ensure);
    }

    /// <summary>Everything but the Windows-only service lifetime and ACLs, so the graph is also built in tests.
    /// A test registers its own <see cref="ICommandRunner"/> first.</summary>
    internal static IServiceCollection AddWindowsBackend(this IServiceCollection services, Action<string> ensureStateDirectory)
    {
        services.AddSingleton(AgentPlatform.Windows);
        services.AddSingleton<IStateDirectory>(new AclStateDirectory(ensureStateDirectory));
        services.AddSingleton<IPeeringPolicy>(sp => sp.GetRequiredService<DeliveryOptimizationPolicy>());
        services.AddSingleton<IValidateOptions<AgentOptions>, WindowsAgentOptionsValidator>();
        services.TryAddSingleton<ICommandRunner, ProcessCommandRunner>();
        services.AddSingleton(sp => new PowerShell(SystemDirectory(sp)));
        services.AddSingleton(sp => new HostTakeover(
            sp.GetRequiredService<ICommandRunner>(),
            sp.GetRequiredService<PowerShell>(),
            new WindowsStateFiles(Options(sp).StateDirectory, ensureStateDirectory),
            Options(sp).Windows.CommandTimeout,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<HostTakeover>>()));
        services.AddSingleton(sp => new WindowsUninstall(
            sp.GetRequiredService<ICommandRunner>(),
            sp.GetRequiredService<PowerShell>(),
            new WindowsStateFiles(Options(sp).StateDirectory, ensureStateDirectory),
            Options(sp).Windows.CommandTimeout,
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new DeliveryOptimizationPolicy(
            sp.GetRequiredService<ICommandRunner>(),
            sp.GetRequiredService<PowerShell>(),
            Options(sp).Windows.CommandTimeout,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<DeliveryOptimizationPolicy>>(),
            new WindowsStateFiles(Options(sp).StateDirectory, ensureStateDirectory).ReadSnapshot));
        services.AddSingleton(sp => new DeliveryOptimizationStatisticsReader(
            sp.GetRequiredService<ICommandRunner>(),
            sp.GetRequiredService<PowerShell>(),
            Options(sp).Windows.CommandTimeout,
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IFirewallEnforcer>(sp => sp.GetRequiredService<WindowsFirewallEnforcer>());
        services.AddSingleton<IOpenRuns>(sp => sp.GetRequiredService<WindowsFirewallEnforcer>());
        services.AddSingleton(new PendingDeliveryOptimization());
        services.AddSingleton<IDeliveryOptimizationFeed>(sp => sp.GetRequiredService<PendingDeliveryOptimization>());
        services.AddSingleton<IHostedService>(sp => new DeliveryOptimizationSampler(
            sp.GetRequiredService<DeliveryOptimizationStatisticsReader>(),
            sp.GetRequiredService<IOpenRuns>(),
            sp.GetRequiredService<PendingDeliveryOptimization>(),
            Options(sp).Windows,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<DeliveryOptimizationSampler>>()));
        services.AddSingleton(sp => new WindowsFirewallEnforcer(
            sp.GetRequiredService<ICommandRunner>(),
            sp.GetRequiredService<PowerShell>(),
            sp.GetRequiredService<HostTakeover>(),
            sp.GetRequiredService<DeliveryOptimizationPolicy>(),
            Options(sp).EffectiveGuardedPorts,
            sp.GetRequiredService<ILocalAddresses>(),
            Options(sp).Windows.CommandTimeout,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<WindowsFirewallEnforcer>>(),
            sp.GetService<PeerSetStore>(),
            Options(sp).Windows.LogDroppedPackets ? new DropLog(Options(sp).Windows.DropLogFile, Options(sp).Windows.DropLogMaxKilobytes) : null));
        services.AddSingleton<IHostedService>(sp => new WindowsScanRunner(
            sp.GetRequiredService<ICommandRunner>(),
            WindowsScanCommands.For(Options(sp).Windows.ScanMethod, SystemDirectory(sp), sp.GetRequiredService<PowerShell>()),
            Options(sp).ScanTimeout,
            sp.GetRequiredService<ScanQueue>(),
            sp.GetRequiredService<AgentStatus>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<WindowsScanRunner>>()));
        return services;
    }

    private static string SystemDirectory(IServiceProvider services) => Options(services).Windows.SystemDirectory switch
    {
        { Length: > 0 } configured => configured,
        _ when Environment.SystemDirectory.Length > 0 => Environment.SystemDirectory,
        _ => @"C:\Windows\System32",
    };

    private static AgentOptions Options(IServiceProvider services) => services.GetRequiredService<IOptions<AgentOptions>>().Value;
}
