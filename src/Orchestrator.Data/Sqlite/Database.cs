using System.Runtime.CompilerServices;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Orchestrator.Data.Sqlite;

/// <summary>The embedded store: one SQLite file in WAL mode. Every connection gets the same pragmas.</summary>
public sealed class Database
{
    private readonly string _connectionString;

    // Pooled connections keep their native handle, and a handle keeps its pragmas: each is set up once, not at every open.
    private readonly ConditionalWeakTable<SQLitePCL.sqlite3, object> _prepared = [];

    static Database() => DefaultTypeMap.MatchNamesWithUnderscores = true;

    public Database(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string Path { get; }

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        if (!_prepared.TryGetValue(connection.Handle!, out _))
        {
            // busy_timeout lets concurrent writers queue instead of failing with SQLITE_BUSY.
            await connection.ExecuteAsync("PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;");
            _prepared.AddOrUpdate(connection.Handle!, this);
        }

        return connection;
    }
}
