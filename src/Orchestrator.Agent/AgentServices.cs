using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Enforcement;
using Orchestrator.Agent.Enrollment;
using Orchestrator.Agent.Identity;
using Orchestrator.Agent.Polling;
using Orchestrator.Agent.Reporting;
using Orchestrator.Agent.Scans;
using Orchestrator.Agent.Server;
using Orchestrator.Agent.Windows;

namespace Orchestrator.Agent;

/// <summary>The agent's object graph. The only OS decision of the agent is made here, once.</summary>
internal static class AgentServices
{
    public static IServiceCollection AddAgent(this IServiceCollection services, Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        services.AddOptions<AgentOptions>()
            .Bind(configuration.GetSection(AgentOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<AgentOptions>, AgentOptionsValidator>();
        services.AddSingleton(TimeProvider.System);

        services.AddSingleton<PeerSetStore>();
        services.AddSingleton(sp => new PeerSetResolver(
            sp.GetRequiredService<AgentServerClient>(), sp.GetRequiredService<PeerSetStore>(), Options(sp).MaxPeerSetAddresses,
            sp.GetRequiredService<ILogger<PeerSetResolver>>()));
        services.AddSingleton<ILocalAddresses>(sp => new LocalAddresses(Options(sp).Addresses));
        if (OperatingSystem.IsWindows())
        {
            // Windows Firewall + scheduled removals, Delivery Optimization policy, Windows scan methods.
            var windows = configuration.GetSection(AgentOptions.SectionName).GetSection(nameof(AgentOptions.Windows)).Get<WindowsAgentOptions>();
            services.AddWindowsAgent(windows?.ServiceName ?? new WindowsAgentOptions().ServiceName);
        }
        else
        {
            services.AddSingleton(AgentPlatform.Linux);
            services.AddSingleton<IStateDirectory>(UnixStateDirectory.Instance);
            services.AddSingleton<IPeeringPolicy, NoPeeringPolicy>();
            services.AddSingleton<INftRunner>(sp => new ProcessNftRunner(Options(sp).Nft, Options(sp).NftTimeout));
            services.AddSingleton<IFirewallEnforcer>(sp => OperatingSystem.IsLinux()
                ? new NftablesEnforcer(
                    sp.GetRequiredService<INftRunner>(),
                    Options(sp).EffectiveGuardedPorts,
                    sp.GetRequiredService<ILocalAddresses>(),
                    sp.GetRequiredService<TimeProvider>(),
                    sp.GetRequiredService<ILogger<NftablesEnforcer>>(),
                    sp.GetRequiredService<PeerSetStore>())
                : throw new PlatformNotSupportedException("Only the Linux (nftables) and Windows enforcers exist."));
            services.AddHostedService<ScanRunner>();
        }

        services.AddSingleton(sp => new ServerNodes(ServerNodes.Parse(Options(sp).ServerUrl).OfType<Uri>().ToList()));
        services.AddTransient<ServerFailoverHandler>();
        services.AddHttpClient<AgentServerClient>(AgentServerClient.HttpClientName, (sp, http) =>
        {
            var agent = Options(sp);
            http.BaseAddress = sp.GetRequiredService<ServerNodes>().Urls[0];
            http.Timeout = TimeSpan.FromSeconds(agent.PollWaitSeconds + agent.HttpGraceSeconds);
        })
            .AddHttpMessageHandler<ServerFailoverHandler>()
            .ConfigurePrimaryHttpMessageHandler(sp => ServerCertificatePin.CreateHandler(Options(sp).ServerCertificateSha256));
        services.AddSingleton(sp => new CredentialStore(Options(sp).StateDirectory, sp.GetRequiredService<IStateDirectory>()));
        services.AddSingleton<CredentialSession>();
        services.AddSingleton<AgentStatus>();
        services.AddSingleton<ScanQueue>();

        services.AddHostedService<DesiredStatePoller>();
        services.AddHostedService<ReportLoop>();
        services.AddHostedService<FirewallGuard>();
        return services;
    }

    private static AgentOptions Options(IServiceProvider services) => services.GetRequiredService<IOptions<AgentOptions>>().Value;
}
