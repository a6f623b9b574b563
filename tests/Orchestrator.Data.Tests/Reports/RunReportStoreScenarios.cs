using Orchestrator.Data.Reports;
using Orchestrator.Data.Tests.Backends;
using Orchestrator.Data.Traffic;

namespace Orchestrator.Data.Tests.Reports;

public abstract class RunReportStoreScenarios : StoreScenarios
{
    private static readonly TimeSpan Grace = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task FactsSumEachMembersTrafficAndTransfersArePagedLargestFirst()
    {
        await using var db = await NewBackendAsync();
        var (run, a, b) = await db.OpenRunOfTwoAsync();
        var now = db.Time.GetUtcNow();
        Assert.True(await db.Traffic.StoreAsync(new AgentReport("agent-a", a, "a1", [new PeerBytes("198.18.0.2", 100, 7)], [], []), now, Grace, Ct));
        Assert.True(await db.Traffic.StoreAsync(new AgentReport("agent-a", a, "a2", [new PeerBytes("198.18.0.2", 200, 0)], [], []), now, Grace, Ct));
        Assert.True(await db.Traffic.StoreAsync(
            new AgentReport("agent-b", b, "b1", [new PeerBytes("198.18.0.1", 50, 300)], [new BlockedCount("198.18.9.9", 7680, 5)], []), now, Grace, Ct));

        var facts = await db.Reports.GetFactsAsync(run, Ct);

        Assert.Equal(
            [(a, "a.example", 300L, 7L), (b, "b.example", 50L, 300L)],
            facts.Members.OrderBy(m => m.EndpointId).Select(m => (m.EndpointId, m.Hostname, m.BytesServed, m.BytesReceived)));
        Assert.Equal(["198.18.0.1"], facts.Members.Single(m => m.EndpointId == a).Addresses);
        Assert.Equal(2, facts.TransferPairs);
        var blocked = Assert.Single(facts.Blocked);
        Assert.Equal(("198.18.9.9", (long?)null, b, "b.example", 7680L, 5L), (blocked.SourceAddress, blocked.SourceEndpointId, blocked.TargetEndpointId, blocked.TargetHostname, blocked.Port, blocked.Count));
        Assert.Contains(facts.Audit, e => e.Action.Contains("open", StringComparison.OrdinalIgnoreCase));

        Assert.Equal([(a, "198.18.0.2", (long?)b, "b.example", 300L)], (await db.Reports.GetTransfersAsync(run, 0, 1, Ct)).Select(Pair));
        Assert.Equal([(b, "198.18.0.1", (long?)a, "a.example", 50L)], (await db.Reports.GetTransfersAsync(run, 1, 5, Ct)).Select(Pair));
        var streamed = new List<PeerTransfer>();
        await foreach (var transfer in db.Reports.StreamTransfersAsync(run, Ct))
        {
            streamed.Add(transfer);
        }

        Assert.Equal([300L, 50L], streamed.Select(t => t.Bytes));
    }

    [Fact]
    public async Task ASnapshotIsReplacedBySavingAgainAndListedWithoutItsText()
    {
        await using var db = await NewBackendAsync();
        var (run, _, _) = await db.OpenRunOfTwoAsync("snapshots");
        var window = Assert.Single(await db.Windows.ListAsync(Ct));
        var t = db.Time.GetUtcNow();

        Assert.Null(await db.Reports.GetSnapshotAsync(run, Ct));
        await db.Reports.SaveSnapshotAsync(new RunReportSnapshot(run, t, 2, 1, 0, 10, null, "{\"v\":1}"), Ct);
        await db.Reports.SaveSnapshotAsync(new RunReportSnapshot(run, t.AddMinutes(1), 2, 0, 0, long.MaxValue, 5, "{\"v\":2}"), Ct);

        Assert.Equal(new RunReportSnapshot(run, t.AddMinutes(1), 2, 0, 0, long.MaxValue, 5, "{\"v\":2}"), await db.Reports.GetSnapshotAsync(run, Ct));
        Assert.Equal([new RunReportSnapshot(run, t.AddMinutes(1), 2, 0, 0, long.MaxValue, 5, "")], await db.Reports.ListSnapshotFiguresAsync(window.Id, Ct));
        Assert.Empty(await db.Reports.ListSnapshotFiguresAsync(window.Id + 1, Ct));
    }

    private static (long, string, long?, string?, long) Pair(PeerTransfer t) => (t.ServingEndpointId, t.PeerAddress, t.ReceivingEndpointId, t.ReceivingHostname, t.Bytes);
}

public sealed class RunReportStoreScenarios_Sqlite : RunReportStoreScenarios
{
    protected override Task<StoreBackend> NewBackendAsync() => SqliteBackend.CreateAsync();
}

public sealed class RunReportStoreScenarios_Postgres(PostgresClusterFixture cluster) : RunReportStoreScenarios
{
    protected override Task<StoreBackend> NewBackendAsync() => PostgresBackend.CreateAsync(cluster);
}
