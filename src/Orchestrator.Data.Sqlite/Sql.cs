namespace Orchestrator.Data.Sqlite;

/// <summary>SQL fragments shared by the stores.</summary>
internal static class Sql
{
    /// <summary>
    /// A sum of counters that cannot fail: SQLite's <c>sum()</c> raises "integer overflow" once the total passes
    /// 2^63 — and then every query over those rows fails, for good (regression: two reports of long.MaxValue bytes made
    /// every report of their run answer 500). <c>total()</c> sums in floating point and never overflows, and a CAST of a
    /// REAL beyond the INTEGER range gives the largest (or smallest) INTEGER: the sum saturates. Exact up to 2^53
    /// (8 PiB), far beyond what counters bounded on input add up to in one run.
    /// </summary>
    public static string SaturatingSum(string column) => $"CAST(total({column}) AS INTEGER)";
}
