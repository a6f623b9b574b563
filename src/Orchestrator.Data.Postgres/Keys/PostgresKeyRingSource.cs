using Npgsql;

namespace Orchestrator.Data.Postgres.Keys;

/// <summary>The key ring's own connection pool, disposed with the container.</summary>
internal sealed class PostgresKeyRingSource(NpgsqlDataSource dataSource) : IDisposable
{
    public NpgsqlDataSource DataSource { get; } = dataSource;

    public void Dispose() => DataSource.Dispose();
}
