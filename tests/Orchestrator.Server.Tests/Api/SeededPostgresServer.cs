using Orchestrator.Testing.Postgres;

namespace Orchestrator.Server.Tests.Api;

/// <summary><see cref="SeededServer"/> storing into a fresh database of the assembly's PostgreSQL cluster.</summary>
public sealed class SeededPostgresServer(PostgresClusterFixture cluster) : SeededServer
{
    protected override async Task<string?> PostgresDatabaseAsync() =>
        await cluster.CreateDatabaseAsync("seeded", TestContext.Current.CancellationToken);
}
