using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace Orchestrator.Server.StorageCopy;

/// <summary>
/// Writes one SQLite value (long, double, string, byte[] or null: SQLite's storage classes) into a binary COPY as the
/// target column's PostgreSQL type. Where the backends store a value differently (integer 0/1 as boolean, JSON text as
/// jsonb) it is converted here; a value that does not fit its column stops the copy with the row named.
/// </summary>
internal static class CopyValues
{
    public static Task WriteAsync(NpgsqlBinaryImporter writer, object value, CopyColumn column, string table, long rowId, CancellationToken ct)
    {
        if (value is DBNull)
        {
            return writer.WriteNullAsync(ct);
        }

        try
        {
            return column.PostgresType switch
            {
                "int8" => writer.WriteAsync(Integer(value), NpgsqlDbType.Bigint, ct),
                "int4" => writer.WriteAsync(checked((int)Integer(value)), NpgsqlDbType.Integer, ct),
                "int2" => writer.WriteAsync(checked((short)Integer(value)), NpgsqlDbType.Smallint, ct),
                "bool" => writer.WriteAsync(Boolean(value), NpgsqlDbType.Boolean, ct),
                "text" or "varchar" or "bpchar" => writer.WriteAsync(Text(value), NpgsqlDbType.Text, ct),
                "jsonb" => writer.WriteAsync(Text(value), NpgsqlDbType.Jsonb, ct),
                "json" => writer.WriteAsync(Text(value), NpgsqlDbType.Json, ct),
                "float8" => writer.WriteAsync(Convert.ToDouble(value, CultureInfo.InvariantCulture), NpgsqlDbType.Double, ct),
                "float4" => writer.WriteAsync(Convert.ToSingle(value, CultureInfo.InvariantCulture), NpgsqlDbType.Real, ct),
                "numeric" => writer.WriteAsync(Convert.ToDecimal(value, CultureInfo.InvariantCulture), NpgsqlDbType.Numeric, ct),
                "bytea" => writer.WriteAsync(value as byte[] ?? throw new FormatException("not a blob"), NpgsqlDbType.Bytea, ct),
                _ => throw new FormatException($"no conversion to {column.PostgresType}"),
            };
        }
        catch (Exception e) when (e is FormatException or InvalidCastException or OverflowException)
        {
            throw new CopyRefusedException(
                $"{table}.{column.Name} of the row with rowid {rowId.ToString(CultureInfo.InvariantCulture)}: the SQLite value {Describe(value)} does not fit the PostgreSQL type {column.PostgresType} ({e.Message}).");
        }
    }

    private static long Integer(object value) => value switch
    {
        long l => l,
        // SQLite keeps whatever it is given: a REAL or TEXT holding a whole number is taken, anything else is not.
        double d when d == Math.Floor(d) => checked((long)d),
        string s => long.Parse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
        _ => throw new FormatException("not an integer"),
    };

    /// <summary>SQLite has no boolean: the product stores 0 and 1. Any other number is a corrupt row, not "true".</summary>
    private static bool Boolean(object value) => Integer(value) switch
    {
        0 => false,
        1 => true,
        _ => throw new FormatException("a boolean is stored as 0 or 1"),
    };

    private static string Text(object value) => value switch
    {
        string s => s,
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        _ => throw new FormatException("not text"),
    };

    private static string Describe(object value) => value switch
    {
        string s => $"'{(s.Length > 40 ? s[..40] + "…" : s)}'",
        byte[] b => $"<{b.Length.ToString(CultureInfo.InvariantCulture)} bytes>",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}
