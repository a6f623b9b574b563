using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Reports;

/// <summary>One in-process server with <see cref="DeliveryOptimizationScenario"/> seeded; its tests only read.</summary>
public sealed class DeliveryOptimizationSiteFixture : IAsyncLifetime
{
    public OrchestratorFactory Factory { get; } = new();

    public HttpClient Client { get; private set; } = null!;

    public DeliveryOptimizationScenario Scenario { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Client = Factory.CreateClient();
        Scenario = await DeliveryOptimizationScenario.SeedAsync(Client);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Factory.DisposeAsync();
    }
}
