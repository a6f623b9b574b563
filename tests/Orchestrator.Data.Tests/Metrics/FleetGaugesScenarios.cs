using Orchestrator.Core.Endpoints;
using Orchestrator.Core.Runs;
using Orchestrator.Data.Agents;
using Orchestrator.Data.Endpoints;
using Orchestrator.Data.Tests.Backends;

namespace Orchestrator.Data.Tests.Metrics;

public abstract class FleetGaugesScenarios : StoreScenarios
{
    [Fact]
    public async Task GaugesCountRunsPerStateOpenMembersAndAgentsHeardFromWithinTheThreshold()
    {
        await using var db = await NewBackendAsync();
        await db.OpenRunOfTwoAsync();
        var t0 = db.Time.GetUtcNow();
        await db.Agents.CreateTokenAsync("t", "hash", singleUse: false, t0.AddHours(1), new EnrollmentScope(null, null, []), "alice", t0, Ct);
        foreach (var (host, address) in new[] { ("x", "198.18.5.1"), ("y", "198.18.5.2"), ("z", "198.18.5.3") })
        {
            await db.Agents.EnrollAsync(new Enrollment("hash", new EndpointRegistration($"{host}.example", [address], "linux", []), $"agent-{host}", "s", "1.0"), t0, Ct);
        }

        await db.Agents.TouchAsync("agent-x", t0.AddMinutes(10), Ct);
        await db.Agents.RevokeAsync("agent-z", "alice", t0, Ct);

        var gauges = await db.FleetGauges.ReadAsync(t0.AddMinutes(10), TimeSpan.FromMinutes(5), Ct);

        Assert.Equal(Enum.GetNames<RunState>().Order(StringComparer.Ordinal), gauges.RunsByState.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(1, gauges.RunsByState[nameof(RunState.Open)]);
        Assert.Equal(0, gauges.RunsByState.Where(s => s.Key != nameof(RunState.Open)).Sum(s => s.Value));
        Assert.Equal((2L, 1L, 1L), (gauges.MembersOpen, gauges.AgentsOnline, gauges.AgentsOffline));
    }
}

public sealed class FleetGaugesScenarios_Sqlite : FleetGaugesScenarios
{
    protected override Task<StoreBackend> NewBackendAsync() => SqliteBackend.CreateAsync();
}

public sealed class FleetGaugesScenarios_Postgres(PostgresClusterFixture cluster) : FleetGaugesScenarios
{
    protected override Task<StoreBackend> NewBackendAsync() => PostgresBackend.CreateAsync(cluster);
}
