namespace Orchestrator.Data.Postgres;

/// <summary>SQL fragments shared by the stores.</summary>
internal static class Sql
{
    /// <summary>
    /// A sum of counters that cannot fail and reads as a bigint, as on SQLite (<c>Sql.SaturatingSum</c> there):
    /// PostgreSQL's <c>sum(bigint)</c> is numeric and exact, so it never overflows, but a total past 2^63 would not fit
    /// the long the stores read. It is clamped to the bigint range, so the sum saturates (regression on SQLite: two
    /// reports of long.MaxValue bytes made every report of their run fail). An empty sum is NULL, as on SQLite.
    /// </summary>
    public static string SaturatingSum(string column) =>
        $"(least(greatest(sum({column}), -9223372036854775808), 9223372036854775807))::bigint";

    /// <summary>SQLSTATE unique_violation: an INSERT or UPDATE met a unique index (SQLite's constraint error 2067).</summary>
    public const string UniqueViolation = "23505";
}
