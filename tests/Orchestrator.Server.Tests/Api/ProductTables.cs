using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Orchestrator.Server.Tests.Api;

/// <summary>
/// Reads the product's tables straight from the database the running server stores into (orchestrator.db beside it,
/// or its PostgreSQL database), so that tests see what was stored and not what the API says it stored.
/// </summary>
public sealed class ProductTables
{
    public static readonly IReadOnlyList<string> Names =
    [
        "endpoints", "groups", "windows", "window_groups", "runs", "run_members", "audit_log",
        "enrollment_tokens", "agents", "endpoint_addresses", "agent_reports", "peer_traffic", "blocked_attempts", "scans",
        "delivery_optimization_reports", "delivery_optimization_peers",
        "webhooks", "webhook_deliveries", "run_hook_calls",
    ];

    private readonly Func<DbConnection> _connect;

    // Every row in a fixed order: SQLite's rowid; on PostgreSQL the row's text (rows have no order of their own there).
    private readonly Func<string, string> _order;

    /// <summary>The SQLite file of a server whose data folder is <paramref name="dataDirectory"/>.</summary>
    public ProductTables(string dataDirectory)
    {
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(dataDirectory, "orchestrator.db"),
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString();
        _connect = () => new SqliteConnection(connectionString);
        _order = _ => "rowid";
    }

    private ProductTables(Func<DbConnection> connect, Func<string, string> order) => (_connect, _order) = (connect, order);

    /// <summary>The PostgreSQL database of a server that stores there (its tables are in schema <c>orchestrator</c>).</summary>
    public static ProductTables Postgres(string connectionString)
    {
        var readOnly = new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = "orchestrator", Pooling = false }.ConnectionString;
        return new ProductTables(() => new NpgsqlConnection(readOnly), table => $"{table}::text");
    }

    /// <summary>Row count and a fingerprint of every value of every product table, one line per table, so that a
    /// failed comparison shows which table changed.</summary>
    public async Task<string> SnapshotAsync()
    {
        await using var connection = await OpenAsync();
        var lines = new List<string>();
        foreach (var table in Names)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM {table} ORDER BY {_order(table)}";
            await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
            var rows = 0;
            var content = new StringBuilder();
            while (await reader.ReadAsync(TestContext.Current.CancellationToken))
            {
                rows++;
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    content.Append(Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture)).Append('\u001f');
                }

                content.Append('\u001e');
            }

            var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(content.ToString())))[..12];
            lines.Add($"{table}: {rows} rows #{hash}");
        }

        return string.Join(Environment.NewLine, lines);
    }

    public async Task<long> CountAsync(string table, string where = "1 = 1")
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM {table} WHERE {where}";
        return (long)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }

    /// <summary>The audit rows of one entity since it was last created, oldest first. SQLite gives a new row the id of
    /// a deleted one when that was the highest, so an id's earlier rows may belong to an entity deleted before.</summary>
    public async Task<IReadOnlyList<AuditRow>> AuditAsync(string entity, object entityId)
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT actor, action, detail FROM audit_log WHERE entity = @entity AND entity_id = @id ORDER BY id";
        Add(command, "entity", entity);
        Add(command, "id", Convert.ToString(entityId, CultureInfo.InvariantCulture)!);
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        var rows = new List<AuditRow>();
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            rows.Add(new AuditRow(reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
        }

        var created = rows.FindLastIndex(r => r.Action == "created");
        return created < 0 ? rows : rows[created..];
    }

    private static void Add(DbCommand command, string name, string value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    private async Task<DbConnection> OpenAsync()
    {
        var connection = _connect();
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        return connection;
    }
}

public sealed record AuditRow(string Actor, string Action, string? Detail);
