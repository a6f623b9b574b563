using System.Data;
using Dapper;

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
