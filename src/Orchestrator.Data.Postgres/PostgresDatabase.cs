using System.Data.Common;
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

    /// <summary>
    /// Statements each pooled connection keeps prepared (Npgsql's automatic preparation) unless the connection string
    /// says otherwise: the stores run the same few dozen statements thousands of times a minute, and a prepared one
    /// skips PostgreSQL's parse and plan.
    /// </summary>
    internal const int AutoPrepared = 64;

    /// <param name="connectionString">An Npgsql connection string (host, port, database, user, password...); its
    /// search path is replaced by <see cref="Schema"/>.</param>
    public PostgresDatabase(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = Schema };
        if (!Names(connectionString, "MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = AutoPrepared;
        }

        DatabaseName = builder.Database;
        _dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
    }

    /// <summary>Whether the connection string itself sets <paramref name="keyword"/> (any case, with or without spaces):
    /// Npgsql's builder answers <c>ContainsKey</c> for every keyword it knows, set or not.</summary>
    private static bool Names(string connectionString, string keyword) =>
        new DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Any(k => string.Equals(k.Replace(" ", "", StringComparison.Ordinal), keyword, StringComparison.OrdinalIgnoreCase));

    /// <summary>The database's name, for messages (never the password).</summary>
    public string? DatabaseName { get; }

    /// <summary>The pool every store opens its connections from.</summary>
    public NpgsqlDataSource DataSource => _dataSource;

    public async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken = default) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    public void Dispose() => _dataSource.Dispose();
}
