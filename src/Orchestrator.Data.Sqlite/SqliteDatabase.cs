using System.Runtime.CompilerServices;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Orchestrator.Data.Sqlite;

/// <summary>The embedded store: one SQLite file in WAL mode. Every connection gets the same pragmas.</summary>
public sealed class SqliteDatabase
{
    /// <summary>How long a statement waits for another writer's lock before it fails with SQLITE_BUSY.</summary>
    public static readonly TimeSpan DefaultBusyTimeout = TimeSpan.FromSeconds(5);

    private readonly string _connectionString;
    private readonly string _pragmas;

    // Pooled connections keep their native handle, and a handle keeps its pragmas: each is set up once, not at every open.
    private readonly ConditionalWeakTable<SQLitePCL.sqlite3, object> _prepared = [];

    static SqliteDatabase() => DefaultTypeMap.MatchNamesWithUnderscores = true;

    /// <param name="busyTimeout">How long a statement waits for a lock held by another connection or process before
    /// it fails with SQLITE_BUSY (the server answers 503 then); null: <see cref="DefaultBusyTimeout"/>.</param>
    public SqliteDatabase(string path, TimeSpan? busyTimeout = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var busy = busyTimeout ?? DefaultBusyTimeout;
        ArgumentOutOfRangeException.ThrowIfLessThan(busy, TimeSpan.FromMilliseconds(1));
        BusyTimeout = busy;
        Path = System.IO.Path.GetFullPath(path);
        _pragmas = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"PRAGMA busy_timeout = {(long)busy.TotalMilliseconds}; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;");
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            // Microsoft.Data.Sqlite retries a busy statement itself until this many seconds have passed, on top of
            // busy_timeout: kept as short as busy_timeout so that a locked database fails in bounded time, not 30 s.
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(busy.TotalSeconds)),
        }.ToString();
    }

    public string Path { get; }

    public TimeSpan BusyTimeout { get; }

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        if (!_prepared.TryGetValue(connection.Handle!, out _))
        {
            // busy_timeout lets concurrent writers queue instead of failing with SQLITE_BUSY.
            await connection.ExecuteAsync(_pragmas);
            _prepared.AddOrUpdate(connection.Handle!, this);
        }

        return connection;
    }
}
