using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Enrollment;
using Orchestrator.Agent.Identity;
using Orchestrator.Agent.Polling;
using Orchestrator.Agent.Reporting;
using Orchestrator.Agent.Scans;
using Orchestrator.Agent.Server;
using Orchestrator.Agent.Windows;
using Orchestrator.Agent.Windows.Commands;
using Orchestrator.Agent.Tests.Windows;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Tests.Enrollment;

/// <summary>The server labels a member's figures by the OS given at enrollment (firewall counters on Linux, Delivery
/// Optimization on Windows): a Windows agent that said "linux" had its silent Delivery Optimization member labelled as
/// firewall counters. The Windows graph is built on Linux with fake cmdlets (nothing of it runs here).</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class EnrollmentOsTests : IDisposable
{
    private readonly string stateDirectory = Path.Combine(Path.GetTempPath(), "orchestrator-agent-enroll-os-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(stateDirectory))
        {
            Directory.Delete(stateDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task The_windows_agent_enrolls_as_windows_FakeWindowsCmdlets()
    {
        using var host = new FakeWindowsHost();
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(TimeProvider.System)
            .AddSingleton<ICommandRunner>(host)
            .AddSingleton<ILocalAddresses>(new LocalAddresses(["198.18.0.1"]))
            .AddSingleton<AgentStatus>()
            .AddSingleton<ScanQueue>();
        services.AddOptions<AgentOptions>().Bind(Configuration().GetSection(AgentOptions.SectionName));
        services.AddWindowsBackend(d => Directory.CreateDirectory(d));
        using var provider = services.BuildServiceProvider();

        var sent = await EnrollAsync(provider.GetRequiredService<AgentPlatform>());

        Assert.Equal("windows", sent.Os);
        Assert.NotNull(provider.GetService<IDeliveryOptimizationFeed>());
    }

    [Fact]
    public async Task The_linux_agent_enrolls_as_linux_and_has_no_delivery_optimization_feed()
    {
        using var provider = new ServiceCollection().AddLogging().AddAgent(Configuration()).BuildServiceProvider();

        var sent = await EnrollAsync(provider.GetRequiredService<AgentPlatform>());

        Assert.Equal("linux", sent.Os);
        Assert.Null(provider.GetService<IDeliveryOptimizationFeed>());
    }

    private IConfiguration Configuration() => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Agent:ServerUrl"] = "http://198.18.0.250",
        ["Agent:StateDirectory"] = stateDirectory,
        ["Agent:EnrollmentToken"] = "oet_test",
    }).Build();

    private async Task<EnrollRequestV1> EnrollAsync(AgentPlatform platform)
    {
        var handler = new EnrollHandler();
        var options = Options.Create(new AgentOptions { ServerUrl = "http://198.18.0.250", StateDirectory = stateDirectory, EnrollmentToken = "oet_test" });
        var client = new AgentServerClient(new HttpClient(handler) { BaseAddress = new Uri(options.Value.ServerUrl) });
        using var session = new CredentialSession(
            options, new CredentialStore(stateDirectory), client, new LocalAddresses(["198.18.0.1"]), platform, NullLogger<CredentialSession>.Instance);

        _ = await session.GetAsync(TestContext.Current.CancellationToken);

        return Assert.Single(handler.Requests);
    }

    private sealed class EnrollHandler : HttpMessageHandler
    {
        public List<EnrollRequestV1> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Assert.Equal(AgentProtocolV1.EnrollPath, request.RequestUri!.AbsolutePath);
            Requests.Add((await request.Content!.ReadFromJsonAsync<EnrollRequestV1>(cancellationToken))!);
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = JsonContent.Create(new EnrollResponseV1("agent-1", 1, "s3cret")) };
        }
    }
}
