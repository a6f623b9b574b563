using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Orchestrator.Data.Storage;

namespace Orchestrator.Data.Sqlite;

internal sealed class SqliteDialect : ISqlDialect
{
    public static readonly SqliteDialect Instance = new();

    /// <summary>SQLITE_CONSTRAINT_UNIQUE: an INSERT or UPDATE met a unique index.</summary>
    private const int UniqueViolation = 2067;

    public string ByteOrder => "";

    public string SaturatingSum(string column) => Sql.SaturatingSum(column);

    public bool IsUniqueViolation(DbException exception) => exception is SqliteException { SqliteExtendedErrorCode: UniqueViolation };

    public Task LockRowAsync(IDbConnection connection, IDbTransaction transaction, string table, long id) => Task.CompletedTask;
}
