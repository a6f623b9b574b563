using Orchestrator.Server.Tests.Agents;
using Orchestrator.Server.Tests.Infrastructure;
using Orchestrator.Testing.Postgres;

namespace Orchestrator.Server.Tests.Cluster;

/// <summary>
/// Two in-process server nodes (each its own host, data folder and HTTP server) on one PostgreSQL database, the way
/// a deployment runs them: same scheduler name (one Quartz cluster), Storage=postgres. Agents enroll on node A.
/// </summary>
public sealed class TwoNodes : IAsyncDisposable
{
    private TwoNodes(AgentSite site, OrchestratorFactory b, HttpClient clientB)
    {
        Site = site;
        B = b;
        ClientB = clientB;
    }

    /// <summary>Node A with its enrolled agents (they talk to A).</summary>
    public AgentSite Site { get; }

    public OrchestratorFactory A => Site.Factory;

    public OrchestratorFactory B { get; }

    /// <summary>An admin client of node B.</summary>
    public HttpClient ClientB { get; }

    public static async Task<TwoNodes> StartAsync(PostgresCluster cluster, int agents)
    {
        var database = await cluster.CreateDatabaseAsync("nodes_" + Guid.NewGuid().ToString("N")[..12], TestContext.Current.CancellationToken);
        var scheduler = $"cluster-{Guid.NewGuid():N}";
        var a = Node(database, scheduler);
        var site = await AgentSite.StartAsync(agents, a);
        var b = Node(database, scheduler);
        return new TwoNodes(site, b, b.CreateClient());
    }

    public async ValueTask DisposeAsync()
    {
        ClientB.Dispose();
        await B.DisposeAsync();
        await Site.DisposeAsync();
    }

    private static OrchestratorFactory Node(string database, string scheduler)
    {
        var node = new OrchestratorFactory();
        node.Settings["Orchestrator:Storage"] = "postgres";
        node.Settings["Orchestrator:PostgresConnectionString"] = database;
        node.Settings["Orchestrator:SchedulerName"] = scheduler;
        return node;
    }
}
