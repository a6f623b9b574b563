using System.Data;
using Dapper;
using Orchestrator.Data.Notifications;

namespace Orchestrator.Data.Storage;

/// <summary>The hook-call statements, the same in both dialects (docs/decisions.md, "Shared Dapper statements").</summary>
internal static class HookCallQueries
{
    public static Task RecordAsync(IDbConnection connection, HookCall call) =>
        connection.ExecuteAsync(
            """
            INSERT INTO run_hook_calls (run_id, kind, url, at, status_code, latency_ms, verdict, answer)
            VALUES (@RunId, @Kind, @Url, @at, @statusCode, @LatencyMs, @Verdict, @Answer)
            """,
            new { call.RunId, call.Kind, call.Url, at = UnixMs.From(call.At), statusCode = (long?)call.StatusCode, call.LatencyMs, call.Verdict, call.Answer });

    public static async Task<IReadOnlyList<HookCall>> ListForRunAsync(IDbConnection connection, long runId)
    {
        var rows = await connection.QueryAsync<Row>(
            """
            SELECT run_id AS RunId, kind AS Kind, url AS Url, at AS At, status_code AS StatusCode, latency_ms AS LatencyMs, verdict AS Verdict, answer AS Answer
            FROM run_hook_calls WHERE run_id = @runId ORDER BY id
            """,
            new { runId });
        return rows.Select(r => new HookCall(r.RunId, r.Kind, r.Url, UnixMs.To(r.At), r.StatusCode is { } s ? (int)s : null, r.LatencyMs, r.Verdict, r.Answer)).ToList();
    }

    // Settable properties: Dapper converts a column's type through a setter, where constructor matching needs the exact type.
    private sealed class Row
    {
        public long RunId { get; init; }
        public string Kind { get; init; } = "";
        public string Url { get; init; } = "";
        public long At { get; init; }
        public long? StatusCode { get; init; }
        public long LatencyMs { get; init; }
        public string Verdict { get; init; } = "";
        public string? Answer { get; init; }
    }
}
