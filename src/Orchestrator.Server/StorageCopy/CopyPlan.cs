using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Orchestrator.Server.StorageCopy;

/// <summary>One table to copy: its columns in SQLite order with the PostgreSQL type each is written as.</summary>
internal sealed record CopyTable(string Name, IReadOnlyList<CopyColumn> Columns, bool Seeded);

/// <summary>A column present on both sides; <see cref="PostgresType"/> is PostgreSQL's udt_name (int8, bool, jsonb, ...).</summary>
internal sealed record CopyColumn(string Name, string PostgresType);

/// <summary>
/// What is copied and in which order, read from both databases' catalogs rather than written down here, so that a
/// migration added to one backend but not the other stops the copy with the differing columns named instead of losing
/// a column or failing half-way.
/// </summary>
internal static class CopyPlan
{
    /// <summary>The schema the PostgreSQL migrations create the product's tables in.</summary>
    public const string Schema = "orchestrator";

    /// <summary>Each backend's own migration bookkeeping; the target records its own scripts.</summary>
    private static readonly HashSet<string> MigrationTables = new(StringComparer.Ordinal) { "schema_version", "schema_migrations" };

    /// <summary>Tables whose one row the migrations insert (the endpoint catalog's version counter): they count as empty
    /// with that row, and it is replaced by the SQLite row after everything else (the endpoints' insert triggers move it).</summary>
    private static readonly HashSet<string> SeededTables = new(StringComparer.Ordinal) { "endpoint_catalog" };

    /// <summary>The PostgreSQL column types a SQLite value is converted to (see <see cref="CopyValues"/>).</summary>
    public static readonly IReadOnlySet<string> SupportedTypes = new HashSet<string>(StringComparer.Ordinal)
    {
        "int8", "int4", "int2", "bool", "text", "varchar", "bpchar", "jsonb", "json", "float8", "float4", "numeric", "bytea",
    };

    /// <summary>The tables in foreign-key order (a referenced table before its referrers; seeded tables last).</summary>
    public static async Task<IReadOnlyList<CopyTable>> ReadAsync(SqliteConnection sqlite, NpgsqlConnection postgres, CancellationToken ct)
    {
        var sqliteTables = (await sqlite.QueryAsync<string>(
                "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid"))
            .Where(t => !MigrationTables.Contains(t))
            .ToList();
        var postgresColumns = (await postgres.QueryAsync<(string Table, string Column, string Type)>(new CommandDefinition(
                """
                SELECT table_name, column_name, udt_name FROM information_schema.columns
                WHERE table_schema = @schema AND is_generated = 'NEVER'
                ORDER BY table_name, ordinal_position
                """,
                new { schema = Schema },
                cancellationToken: ct)))
            .ToLookup(c => c.Table, StringComparer.Ordinal);

        var problems = new List<string>();
        var tables = new List<CopyTable>();
        foreach (var table in sqliteTables)
        {
            var sqliteColumns = (await sqlite.QueryAsync<string>("SELECT name FROM pragma_table_info(@table) ORDER BY cid", new { table })).ToList();
            var target = postgresColumns[table].ToDictionary(c => c.Column, c => c.Type, StringComparer.Ordinal);
            if (target.Count == 0)
            {
                problems.Add($"table {table} exists in SQLite but not in PostgreSQL schema {Schema}");
                continue;
            }

            var onlySqlite = sqliteColumns.Where(c => !target.ContainsKey(c)).ToList();
            var onlyPostgres = target.Keys.Where(c => !sqliteColumns.Contains(c, StringComparer.Ordinal)).ToList();
            if (onlySqlite.Count > 0)
            {
                problems.Add($"{table}: column(s) {string.Join(", ", onlySqlite)} only in SQLite");
            }

            if (onlyPostgres.Count > 0)
            {
                problems.Add($"{table}: column(s) {string.Join(", ", onlyPostgres)} only in PostgreSQL");
            }

            foreach (var column in sqliteColumns.Where(target.ContainsKey).Where(c => !SupportedTypes.Contains(target[c])))
            {
                problems.Add($"{table}.{column}: PostgreSQL type {target[column]} is not one a SQLite value is converted to ({string.Join(", ", SupportedTypes)})");
            }

            tables.Add(new CopyTable(table, sqliteColumns.Where(target.ContainsKey).Select(c => new CopyColumn(c, target[c])).ToList(), SeededTables.Contains(table)));
        }

        if (problems.Count > 0)
        {
            throw new CopyRefusedException(
                "The two schemas differ, so the copy would lose or invent data: " + string.Join("; ", problems) +
                ". Use the server release whose SQLite and PostgreSQL migrations match.");
        }

        return await InForeignKeyOrderAsync(sqlite, tables);
    }

    /// <summary>Every table of the product's schema in PostgreSQL but its migration bookkeeping.</summary>
    public static async Task<IReadOnlyList<string>> PostgresTablesAsync(NpgsqlConnection postgres, CancellationToken ct) =>
        (await postgres.QueryAsync<string>(new CommandDefinition(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = @schema AND table_type = 'BASE TABLE' ORDER BY table_name",
            new { schema = Schema },
            cancellationToken: ct)))
        .Where(t => !MigrationTables.Contains(t))
        .ToList();

    public static bool IsSeeded(string table) => SeededTables.Contains(table);

    private static async Task<IReadOnlyList<CopyTable>> InForeignKeyOrderAsync(SqliteConnection sqlite, List<CopyTable> tables)
    {
        var references = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            references[table.Name] = (await sqlite.QueryAsync<string>("SELECT \"table\" FROM pragma_foreign_key_list(@table)", new { table = table.Name }))
                .Where(t => t != table.Name && tables.Any(x => x.Name == t))
                .ToHashSet(StringComparer.Ordinal);
        }

        var ordered = new List<CopyTable>();
        var pending = tables.Where(t => !t.Seeded).ToList();
        while (pending.Count > 0)
        {
            var ready = pending.FirstOrDefault(t => references[t.Name].All(r => ordered.Any(o => o.Name == r) || tables.Single(x => x.Name == r).Seeded))
                ?? throw new CopyRefusedException($"the SQLite tables {string.Join(", ", pending.Select(t => t.Name))} reference each other in a cycle; no insert order satisfies their foreign keys.");
            ordered.Add(ready);
            pending.Remove(ready);
        }

        ordered.AddRange(tables.Where(t => t.Seeded));
        return ordered;
    }
}
