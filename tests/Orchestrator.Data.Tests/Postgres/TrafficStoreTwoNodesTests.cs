using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orchestrator.Data.Postgres;
using Orchestrator.Data.Tests.Backends;
using Orchestrator.Data.Traffic;

namespace Orchestrator.Data.Tests.Postgres;

/// <summary>
/// Two server nodes, each with its own report writer and connection pool, on one database: an agent that retries a
/// report through the other node (its first node died, or a load balancer moved it) gets it stored once.
/// </summary>
public sealed class TrafficStoreTwoNodesTests(PostgresClusterFixture cluster)
{
    [Fact]
    public async Task EachReportSentToBothNodesAtOnceIsStoredOnceWithItsRowsOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        var connectionString = await cluster.CreateDatabaseAsync(ct);
        await using var nodeA = Node(connectionString);
        await using var nodeB = Node(connectionString);
        await PostgresMigrator.MigrateAsync(nodeA.GetRequiredService<PostgresDatabase>(), TimeProvider.System, ct);
        var now = StoreBackend.Start;

        // 300 agents (endpoints in no run: rows outside runs, one endpoint each so no bound is reached), each report sent
        // to both nodes at the same moment.
        var reports = Enumerable.Range(1, 300).Select(i => new AgentReport(
            $"agent-{i}", i, $"report-{i}", [new PeerBytes("198.18.0.1", i, 1), new PeerBytes("198.18.0.2", i, 2)], [new BlockedCount("198.18.0.3", 7680, 1)], [])).ToList();
        var writes = reports.SelectMany(r => new[] { nodeA, nodeB }.Select(n => n.GetRequiredService<ITrafficStore>().StoreAsync(r, now, TimeSpan.FromMinutes(2), ct))).ToList();
        var stored = await Task.WhenAll(writes);

        Assert.Equal(300, stored.Count(s => s));
        for (var i = 0; i < reports.Count; i++)
        {
            Assert.True(stored[2 * i] ^ stored[(2 * i) + 1], $"report {i + 1}: exactly one node stores it");
        }

        await using var connection = await nodeA.GetRequiredService<PostgresDatabase>().OpenAsync(ct);
        await using var count = new NpgsqlCommand(
            "SELECT (SELECT count(*) FROM peer_traffic) * 1000000 + (SELECT count(*) FROM blocked_attempts) * 1000 + (SELECT count(DISTINCT endpoint_id) FROM peer_traffic) / 1", connection);
        Assert.Equal(600L * 1_000_000 + (300L * 1000) + 300, await count.ExecuteScalarAsync(ct));
    }

    private static ServiceProvider Node(string connectionString) =>
        new ServiceCollection().AddOrchestratorPostgres(connectionString).BuildServiceProvider();
}
