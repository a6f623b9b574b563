using Orchestrator.Core.Endpoints;
using Orchestrator.Data.Agents;
using Orchestrator.Data.Endpoints;
using Orchestrator.Data.Tests.Backends;

namespace Orchestrator.Data.Tests.Agents;

/// <summary>Two agents enrolling as one new hostname at once (two nodes, two tokens): one wins, the other is told the
/// endpoint exists, exactly as when they come one after the other. Regression on PostgreSQL: both found the hostname
/// free, and the second took the first's endpoint over (its agent revoked).</summary>
public abstract class EnrollmentRaceScenarios : StoreScenarios
{
    [Fact]
    public async Task TwoAgentsEnrollingAsOneNewHostnameAtOnceMakeOneEndpointAndOneConflict()
    {
        await using var db = await NewBackendAsync();
        var now = db.Time.GetUtcNow();
        var anywhere = new EnrollmentScope(null, null, []);
        await db.Agents.CreateTokenAsync("t1", "hash-1", singleUse: false, now.AddHours(1), anywhere, "alice", now, Ct);
        await db.Agents.CreateTokenAsync("t2", "hash-2", singleUse: false, now.AddHours(1), anywhere, "alice", now, Ct);
        using var gate = new ManualResetEventSlim();

        var attempts = new[] { ("hash-1", "198.18.2.1", "agent-1"), ("hash-2", "198.18.2.2", "agent-2") }.Select(e => Task.Run(
            async () =>
            {
                gate.Wait(Ct);
                try
                {
                    var enrollment = new Enrollment(e.Item1, new EndpointRegistration("same.example", [e.Item2], "linux", []), e.Item3, "secret", "1.0.0");
                    return (await db.Agents.EnrollAsync(enrollment, now, Ct)).Agent is not null ? "enrolled" : "refused";
                }
                catch (ConflictException error)
                {
                    Assert.Contains("same.example", error.Message, StringComparison.Ordinal);
                    return "conflict";
                }
            },
            Ct)).ToList();
        gate.Set();

        Assert.Equal(["conflict", "enrolled"], (await Task.WhenAll(attempts)).Order(StringComparer.Ordinal));
        Assert.Single(await db.Endpoints.ListAsync(Ct));
        Assert.Single(await db.Agents.ListAsync(Ct));
    }
}

public sealed class EnrollmentRaceScenarios_Sqlite : EnrollmentRaceScenarios
{
    protected override Task<StoreBackend> NewBackendAsync() => SqliteBackend.CreateAsync();
}

public sealed class EnrollmentRaceScenarios_Postgres(PostgresClusterFixture cluster) : EnrollmentRaceScenarios
{
    protected override Task<StoreBackend> NewBackendAsync() => PostgresBackend.CreateAsync(cluster);
}
