using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Reports;

/// <summary>One in-process server with <see cref="ReportScenario"/> seeded, shared by the report API tests (they
/// only read, except the snapshot test, whose write no other test depends on).</summary>
public sealed class ReportSiteFixture : IAsyncLifetime
{
    public OrchestratorFactory Factory { get; } = new();

    public HttpClient Client { get; private set; } = null!;

    public ReportScenario Scenario { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Client = Factory.CreateClient();
        Scenario = await ReportScenario.SeedAsync(Client);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Factory.DisposeAsync();
    }
}
