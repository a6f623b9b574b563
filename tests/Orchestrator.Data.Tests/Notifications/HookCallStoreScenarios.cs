using Orchestrator.Data.Notifications;
using Orchestrator.Data.Tests.Backends;

namespace Orchestrator.Data.Tests.Notifications;

public abstract class HookCallStoreScenarios : StoreScenarios
{
    [Fact]
    public async Task ARunsHookCallsAreListedOldestFirstAndOnlyItsOwn()
    {
        await using var db = await NewBackendAsync();
        var (run, _, _) = await db.OpenRunOfTwoAsync();
        var t = db.Time.GetUtcNow();
        var preOpen = new HookCall(run, "preOpen", "https://hooks.example/pre", t, 200, 15, "go", "{\"go\":true}");
        var postClose = new HookCall(run, "postClose", "https://hooks.example/post", t.AddHours(4), null, 5000, "failed", null);

        await db.HookCalls.RecordAsync(preOpen, Ct);
        await db.HookCalls.RecordAsync(postClose, Ct);

        Assert.Equal([preOpen, postClose], await db.HookCalls.ListForRunAsync(run, Ct));
        Assert.Empty(await db.HookCalls.ListForRunAsync(run + 1, Ct));
    }
}

public sealed class HookCallStoreScenarios_Sqlite : HookCallStoreScenarios
{
    protected override Task<StoreBackend> NewBackendAsync() => SqliteBackend.CreateAsync();
}

public sealed class HookCallStoreScenarios_Postgres(PostgresClusterFixture cluster) : HookCallStoreScenarios
{
    protected override Task<StoreBackend> NewBackendAsync() => PostgresBackend.CreateAsync(cluster);
}
