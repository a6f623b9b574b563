using System.Data;
using System.Data.Common;
using Dapper;
using Npgsql;
using Orchestrator.Data.Storage;

namespace Orchestrator.Data.Postgres;

internal sealed class PostgresDialect : ISqlDialect
{
    public static readonly PostgresDialect Instance = new();

    // The C collation sorts as SQLite's default collation does (byte order), whatever the database's collation.
    public string ByteOrder => " COLLATE \"C\"";

    public string SaturatingSum(string column) => Sql.SaturatingSum(column);

    public bool IsUniqueViolation(DbException exception) => exception is PostgresException { SqlState: Sql.UniqueViolation };

    public Task LockRowAsync(IDbConnection connection, IDbTransaction transaction, string table, long id) =>
        connection.ExecuteAsync($"SELECT id FROM {table} WHERE id = @id FOR UPDATE", new { id }, transaction);
}
