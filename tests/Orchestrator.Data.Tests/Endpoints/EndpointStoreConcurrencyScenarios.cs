using Orchestrator.Data.Endpoints;
using Orchestrator.Data.Tests.Backends;

namespace Orchestrator.Data.Tests.Endpoints;

/// <summary>
/// Endpoint writes meeting each other (enrollments and imports reaching several nodes at once): an address still has
/// one holder and a hostname one endpoint, and the loser gets the store's conflict, never a database error.
/// </summary>
public abstract class EndpointStoreConcurrencyScenarios : StoreScenarios
{
    [Fact]
    public async Task TwentyEndpointsClaimingOneAddressAtOnceLeaveItWithOne()
    {
        await using var db = await NewBackendAsync();

        var results = await Concurrently.RunAsync(20, i => db.Endpoints.UpsertAsync(
            new EndpointRegistration($"claimant-{i}.example", ["198.18.0.7"], "windows", []), "agent", "test", db.Time.GetUtcNow(), Ct));

        Assert.Single(results, r => r.Error is null);
        Assert.All(results.Where(r => r.Error is not null), r => Assert.IsType<ConflictException>(r.Error));
        Assert.Single(await db.Endpoints.ListAsync(Ct));
        Assert.Equal(1, await db.ScalarAsync("SELECT count(*) FROM endpoint_addresses WHERE address = '198.18.0.7'"));
    }

    [Fact]
    public async Task TwentyUpsertsOfOneNewHostnameAtOnceCreateItOnceAndUpdateItAfterwards()
    {
        await using var db = await NewBackendAsync();

        var results = await Concurrently.RunAsync(20, i => db.Endpoints.UpsertAsync(
            new EndpointRegistration("same.example", ["198.18.0.8"], "windows", [$"tag-{i}"]), "import", "test", db.Time.GetUtcNow(), Ct));

        Assert.All(results, r => Assert.Null(r.Error));
        Assert.Single(results, r => r.Result.Created);
        Assert.Single(results.Select(r => r.Result.Endpoint.Id).Distinct());
        Assert.Single(await db.Endpoints.ListAsync(Ct));
    }
}

public sealed class EndpointStoreConcurrencyScenarios_Sqlite : EndpointStoreConcurrencyScenarios
{
    protected override Task<StoreBackend> NewBackendAsync() => SqliteBackend.CreateAsync();
}

public sealed class EndpointStoreConcurrencyScenarios_Postgres(PostgresClusterFixture cluster) : EndpointStoreConcurrencyScenarios
{
    protected override Task<StoreBackend> NewBackendAsync() => PostgresBackend.CreateAsync(cluster);
}
