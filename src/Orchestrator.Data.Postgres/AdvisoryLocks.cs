using System.Data;
using Dapper;
using Npgsql;

namespace Orchestrator.Data.Postgres;

/// <summary>
/// Transaction-level advisory locks for the few writes whose rule spans rows no single row lock covers (an address
/// belongs to one endpoint; the last admin key stays): SQLite runs one writer at a time, so it never needed them, and
/// taking one here gives the same one-at-a-time order to those writes only, on every node. Released at commit or rollback.
/// </summary>
internal static class AdvisoryLocks
{
    /// <summary>Endpoint writes (create, update, delete, enrollment): held addresses and hostnames are checked, then written.</summary>
    public const long Endpoints = 0x6f72632d65700001;

    /// <summary>API key role changes and revocations: the last active admin key is checked, then changed.</summary>
    public const long ApiKeys = 0x6f72632d61700001;

    public static Task TakeAsync(IDbConnection connection, IDbTransaction transaction, long key) =>
        connection.ExecuteAsync("SELECT pg_advisory_xact_lock(@key)", new { key }, transaction);
}

/// <summary>
/// Session-level advisory locks, held across transactions for work that must run on one node at a time (the migrations,
/// start-up recovery). Released explicitly, and by PostgreSQL when the session ends, so a node that dies holding one
/// does not keep it.
/// </summary>
public static class SessionLocks
{
    /// <summary>Runs <paramref name="work"/> while <paramref name="connection"/>'s session holds the lock
    /// <paramref name="key"/>, waiting for it first.</summary>
    public static async Task<T> WhileHeldAsync<T>(NpgsqlConnection connection, long key, Func<Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(work);
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_lock(@key)", new { key }, cancellationToken: cancellationToken));
        try
        {
            return await work();
        }
        finally
        {
            await connection.ExecuteAsync("SELECT pg_advisory_unlock(@key)", new { key });
        }
    }
}
