using System.Data;
using System.Data.Common;

namespace Orchestrator.Data.Storage;

/// <summary>The small differences between the backends that statements otherwise written once in
/// <see cref="Storage"/> need; each backend has one implementation (docs/decisions.md, "Shared Dapper statements").</summary>
internal interface ISqlDialect
{
    /// <summary>Appended to a text ORDER BY term so that it sorts by bytes, as SQLite's default collation does (empty there).</summary>
    string ByteOrder { get; }

    /// <summary>A sum of counters that cannot fail and reads as a bigint (saturating); see each backend's <c>Sql.SaturatingSum</c>.</summary>
    string SaturatingSum(string column);

    /// <summary>Whether the statement failed on a unique index.</summary>
    bool IsUniqueViolation(DbException exception);

    /// <summary>Locks the row for the rest of the transaction against writers on other nodes (SQLite runs one writer at a
    /// time and needs nothing).</summary>
    Task LockRowAsync(IDbConnection connection, IDbTransaction transaction, string table, long id);
}
