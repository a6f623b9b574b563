using Orchestrator.Core.Reports;
using Orchestrator.Data.DeliveryOptimization;
using Orchestrator.Data.Endpoints;
using Orchestrator.Data.Tests.Backends;
using Orchestrator.Data.Traffic;

namespace Orchestrator.Data.Tests.DeliveryOptimization;

public abstract class DeliveryOptimizationStoreScenarios : StoreScenarios
{
    private static readonly TimeSpan Grace = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task AReportCountsOnceForTheOpenRunAndNotAtAllOutsideRuns()
    {
        await using var db = await NewBackendAsync();
        var (run, a, b) = await db.OpenRunOfTwoAsync();
        var (outside, _) = await db.Endpoints.UpsertAsync(new EndpointRegistration("c.example", ["198.18.0.3"], "windows", []), "api", "api", db.Time.GetUtcNow(), Ct);
        var now = db.Time.GetUtcNow();
        var report = new DeliveryOptimizationReport(a, "do-1", Bytes(http: 1000, peers: 600), [new PeerBytes("198.18.0.2", 10, 400), new PeerBytes("203.0.113.5", 0, 200)]);

        Assert.Equal(run, await db.DeliveryOptimization.StoreAsync(report, now, Grace, Ct));
        Assert.Null(await db.DeliveryOptimization.StoreAsync(report, now, Grace, Ct));
        Assert.Null(await db.DeliveryOptimization.StoreAsync(report with { EndpointId = outside.Id }, now, Grace, Ct));
        Assert.Equal(run, await db.DeliveryOptimization.StoreAsync(report with { ReportId = "do-2", Peers = [] }, now, Grace, Ct));

        var stats = await db.DeliveryOptimization.GetRunAsync(run, peerLimit: 1, Ct);
        Assert.Equal((2000L, 1200L), (stats.Members[a].FromHttp, stats.Members[a].FromPeers));
        Assert.False(stats.Members.ContainsKey(b));
        Assert.Equal([a], stats.WindowsMembers);
        Assert.Equal(2, stats.PeerRows);
        Assert.Equal(new DeliveryOptimizationPeerRow(a, "a.example", "198.18.0.2", b, "b.example", 10, 400, true), Assert.Single(stats.Peers));
        Assert.Equal(0, await db.ScalarAsync($"SELECT count(*) FROM delivery_optimization_reports WHERE endpoint_id = {outside.Id}"));
    }

    [Fact]
    public async Task FiguresPastTheLongRangeSaturateInsteadOfFailingTheRead()
    {
        await using var db = await NewBackendAsync();
        var (run, a, _) = await db.OpenRunOfTwoAsync();
        for (var i = 0; i < 2; i++)
        {
            await db.DeliveryOptimization.StoreAsync(
                new DeliveryOptimizationReport(a, $"huge-{i}", Bytes(long.MaxValue, long.MaxValue), [new PeerBytes("198.18.0.2", long.MaxValue, long.MaxValue)]),
                db.Time.GetUtcNow(), Grace, Ct);
        }

        var stats = await db.DeliveryOptimization.GetRunAsync(run, 10, Ct);
        Assert.Equal((long.MaxValue, long.MaxValue), (stats.Members[a].FromHttp, stats.Members[a].FromPeers));
        Assert.Equal((long.MaxValue, long.MaxValue), Assert.Single(stats.Peers) is var p ? (p.BytesSent, p.BytesReceived) : default);
    }

    private static DeliveryOptimizationBytes Bytes(long http, long peers) => new(http, peers, peers, 0, 0, 0, 0, 0, 0);
}

public sealed class DeliveryOptimizationStoreScenarios_Sqlite : DeliveryOptimizationStoreScenarios
{
    protected override Task<StoreBackend> NewBackendAsync() => SqliteBackend.CreateAsync();
}

public sealed class DeliveryOptimizationStoreScenarios_Postgres(PostgresClusterFixture cluster) : DeliveryOptimizationStoreScenarios
{
    protected override Task<StoreBackend> NewBackendAsync() => PostgresBackend.CreateAsync(cluster);
}
