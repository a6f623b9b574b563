using Dapper;
using Npgsql;

namespace Orchestrator.Data.Postgres;

/// <summary>
/// The store for several server nodes: one PostgreSQL database shared by every node, reached through one pooled
/// <see cref="NpgsqlDataSource"/>. The product's tables live in schema <see cref="Schema"/> (Quartz and Hangfire keep
/// theirs in schemas of their own in the same database); every connection's search_path is that schema.
/// </summary>
public sealed class PostgresDatabase : IAsyncDisposable, IDisposable
{
    /// <summary>The schema holding the product's tables and its version table.</summary>
    public const string Schema = "orchestrator";

    private readonly NpgsqlDataSource _dataSource;

    static PostgresDatabase() => DefaultTypeMap.MatchNamesWithUnderscores = true;

    /// <param name="connectionString">An Npgsql connection string (host, port, database, user, password...); its
    /// search path is replaced by <see cref="Schema"/>.</param>
    public PostgresDatabase(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = Schema };
        DatabaseName = builder.Database;
        _dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
    }

    /// <summary>The database's name, for messages (never the password).</summary>
    public string? DatabaseName { get; }

    /// <summary>The pool every store opens its connections from.</summary>
    public NpgsqlDataSource DataSource => _dataSource;

    public async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken = default) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    public void Dispose() => _dataSource.Dispose();
}
