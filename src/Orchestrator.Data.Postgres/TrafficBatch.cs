using System.Net;
using Dapper;
using Npgsql;
using NpgsqlTypes;
using Orchestrator.Core.Enforcement;
using Orchestrator.Data.Storage;
using Orchestrator.Data.Traffic;

namespace Orchestrator.Data.Postgres;

/// <summary>
/// Writes one batch of agent reports inside the caller's transaction, with the attribution rules of
/// <see cref="ITrafficStore.StoreAsync"/>. The batch is cut into segments in which no endpoint or agent appears twice:
/// each segment is a handful of set-based statements (report ids by unnest, candidate runs by <c>= ANY</c>, rows by
/// binary COPY), and a later report of the same endpoint sees what the earlier one recorded (its close acknowledgement
/// decides where its blocked counts go), exactly as when each report is written on its own.
/// </summary>
internal sealed class TrafficBatch(NpgsqlConnection connection, NpgsqlTransaction transaction, PeerSetCache peerSets)
{
    // The runs a report can belong to: open when the report arrived, or ended within the grace period (the last counters
    // of a run arrive after its end), latest first. Read for the whole segment with its widest bounds; each report then
    // keeps the runs that match its own time (see Candidates).
    private const string CandidateRuns =
        """
        SELECT m.endpoint_id AS EndpointId, r.id AS RunId, r.opened_at AS OpenedAt, r.planned_end AS PlannedEnd, m.addresses AS Addresses,
               m.close_acked_at IS NOT NULL AS CloseAcknowledged
        FROM runs r JOIN run_members m ON m.run_id = r.id
        WHERE m.endpoint_id = ANY(@endpoints) AND r.opened_at IS NOT NULL AND r.opened_at <= @maxAt AND r.planned_end + @maxGrace >= @minAt
        ORDER BY r.opened_at DESC, r.id DESC
        """;

    public async Task<bool[]> WriteAsync(IReadOnlyList<(AgentReport Report, long At, long Grace)> reports)
    {
        var stored = new bool[reports.Count];
        var outsideRuns = new HashSet<long>();
        foreach (var segment in Segments(reports))
        {
            await WriteSegmentAsync(segment.Select(i => (i, reports[i].Report, reports[i].At, reports[i].Grace)).ToList(), stored, outsideRuns);
        }

        if (outsideRuns.Count > 0)
        {
            await PruneOutsideRunsAsync([.. outsideRuns]);
        }

        return stored;
    }

    /// <summary>Forgets report ids received before <paramref name="before"/> (Unix ms), in slices so that the first trim
    /// of a big table is short.</summary>
    public Task ForgetReportIdsAsync(long before) => connection.ExecuteAsync(
        """
        DELETE FROM agent_reports WHERE (agent_id, report_id) IN
            (SELECT agent_id, report_id FROM agent_reports WHERE received_at < @before ORDER BY received_at LIMIT 20000)
        """,
        new { before }, transaction);

    /// <summary>Runs of report indexes, in order, in which no endpoint and no agent appears twice.</summary>
    private static List<List<int>> Segments(IReadOnlyList<(AgentReport Report, long At, long Grace)> reports)
    {
        var segments = new List<List<int>>();
        var current = new List<int>();
        var endpoints = new HashSet<long>();
        var agents = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < reports.Count; i++)
        {
            var report = reports[i].Report;
            if (endpoints.Contains(report.EndpointId) || agents.Contains(report.AgentId))
            {
                segments.Add(current);
                current = [];
                endpoints.Clear();
                agents.Clear();
            }

            current.Add(i);
            endpoints.Add(report.EndpointId);
            agents.Add(report.AgentId);
        }

        if (current.Count > 0)
        {
            segments.Add(current);
        }

        return segments;
    }

    private async Task WriteSegmentAsync(List<(int Index, AgentReport Report, long At, long Grace)> segment, bool[] stored, HashSet<long> outsideRuns)
    {
        // Agents are unique in a segment: the agent ids the insert returns are the reports stored now.
        var inserted = (await connection.QueryAsync<string>(
            """
            INSERT INTO agent_reports (report_id, agent_id, received_at)
            SELECT * FROM unnest(@reportIds, @agentIds, @ats)
            ON CONFLICT DO NOTHING RETURNING agent_id
            """,
            new
            {
                reportIds = segment.Select(s => s.Report.ReportId).ToArray(),
                agentIds = segment.Select(s => s.Report.AgentId).ToArray(),
                ats = segment.Select(s => s.At).ToArray(),
            },
            transaction)).ToHashSet(StringComparer.Ordinal);

        var fresh = segment.Where(s => inserted.Contains(s.Report.AgentId)).ToList();
        foreach (var s in fresh)
        {
            stored[s.Index] = true;
        }

        var withRows = fresh.Where(s => s.Report.Traffic.Count + s.Report.Blocked.Count > 0).ToList();
        var candidates = withRows.Count == 0 ? [] : await CandidatesAsync(withRows);
        var traffic = new List<(long? RunId, long EndpointId, PeerBytes Row, long At)>();
        var blocked = new List<(long? RunId, long EndpointId, BlockedCount Row, long At)>();
        // Thousands of agents report the same few hundred peers: each address text is parsed once per segment.
        var addresses = new Dictionary<string, IPAddress?>(StringComparer.Ordinal);
        foreach (var (_, report, at, grace) in withRows)
        {
            var runs = candidates.TryGetValue(report.EndpointId, out var all)
                ? all.Where(c => c.OpenedAt <= at && c.PlannedEnd + grace >= at).ToList()
                : [];
            foreach (var row in report.Traffic)
            {
                if (!addresses.TryGetValue(row.Peer, out var peer))
                {
                    peer = IPAddress.TryParse(row.Peer, out var parsed) ? parsed : null;
                    addresses[row.Peer] = peer;
                }

                var runId = peer is null ? null : runs.FirstOrDefault(c => c.Allows(peer))?.RunId;
                traffic.Add((runId, report.EndpointId, row, at));
                if (runId is null)
                {
                    outsideRuns.Add(report.EndpointId);
                }
            }

            // Blocked counts after the run's end count for it only until the member's agent acknowledged the close (the
            // report that carries that acknowledgement holds the run's last counters).
            foreach (var row in report.Blocked)
            {
                var runId = runs.FirstOrDefault(c => at <= c.PlannedEnd || !c.CloseAcknowledged)?.RunId;
                blocked.Add((runId, report.EndpointId, row, at));
                if (runId is null)
                {
                    outsideRuns.Add(report.EndpointId);
                }
            }
        }

        if (traffic.Count + blocked.Count > 0)
        {
            var owners = await OwnersAsync(traffic.Select(t => t.Row.Peer).Concat(blocked.Select(b => b.Row.Source)));
            await CopyTrafficAsync(traffic, owners);
            await CopyBlockedAsync(blocked, owners);
        }

        foreach (var (_, report, at, _) in fresh)
        {
            foreach (var scan in report.Scans)
            {
                await connection.ExecuteAsync(
                    """
                    UPDATE scans SET outcome = @Outcome, exit_code = @ExitCode, duration_ms = @DurationMs, reported_at = @at
                    WHERE id = @ScanId AND endpoint_id = @EndpointId AND outcome IS NULL
                    """,
                    new { scan.ScanId, scan.Outcome, scan.ExitCode, scan.DurationMs, report.EndpointId, at }, transaction);
            }
        }

        // After the reports' rows, for duplicates too: blocked counts before a close acknowledgement still count for the run.
        await RecordAgentsAsync(segment);
    }

    private async Task<Dictionary<long, List<CandidateRun>>> CandidatesAsync(List<(int Index, AgentReport Report, long At, long Grace)> reports)
    {
        var rows = (await connection.QueryAsync<CandidateRow>(
            CandidateRuns,
            new
            {
                endpoints = reports.Select(r => r.Report.EndpointId).ToArray(),
                minAt = reports.Min(r => r.At),
                maxAt = reports.Max(r => r.At),
                maxGrace = reports.Max(r => r.Grace),
            },
            transaction)).ToList();

        var missing = rows.Select(r => r.RunId).Distinct().Where(id => !peerSets.TryGet(id, out _)).ToArray();
        if (missing.Length > 0)
        {
            var texts = (await connection.QueryAsync<(long RunId, string Ranges)>(
                "SELECT run_id, ranges FROM run_peer_sets WHERE run_id = ANY(@missing)", new { missing }, transaction)).ToDictionary(r => r.RunId, r => r.Ranges);
            foreach (var id in missing)
            {
                peerSets.Add(id, texts.GetValueOrDefault(id));
            }
        }

        return rows
            .Select(r =>
            {
                peerSets.TryGet(r.RunId, out var set);
                return new CandidateRun(r.EndpointId, r.RunId, r.OpenedAt, r.PlannedEnd, set, CandidateRun.OwnOf(set, r.Addresses), r.CloseAcknowledged);
            })
            .GroupBy(c => c.EndpointId)
            .ToDictionary(g => g.Key, g => g.ToList());
    }

    /// <summary>The endpoint behind each address (the lowest id when two share it), for the rows' peer/source endpoint.</summary>
    private async Task<Dictionary<string, long>> OwnersAsync(IEnumerable<string> addresses)
    {
        var distinct = addresses.Distinct(StringComparer.Ordinal).ToArray();
        var rows = await connection.QueryAsync<(string Address, long EndpointId)>(
            "SELECT DISTINCT ON (address) address, endpoint_id FROM endpoint_addresses WHERE address = ANY(@distinct) ORDER BY address, endpoint_id",
            new { distinct }, transaction);
        return rows.ToDictionary(r => r.Address, r => r.EndpointId, StringComparer.Ordinal);
    }

    private async Task CopyTrafficAsync(List<(long? RunId, long EndpointId, PeerBytes Row, long At)> rows, Dictionary<string, long> owners)
    {
        if (rows.Count == 0)
        {
            return;
        }

        await using var copy = await connection.BeginBinaryImportAsync(
            "COPY peer_traffic (run_id, endpoint_id, peer_address, peer_endpoint_id, bytes_served, bytes_received, reported_at) FROM STDIN (FORMAT BINARY)");
        foreach (var (runId, endpointId, row, at) in rows)
        {
            await copy.StartRowAsync();
            await WriteNullableAsync(copy, runId);
            await copy.WriteAsync(endpointId, NpgsqlDbType.Bigint);
            await copy.WriteAsync(row.Peer, NpgsqlDbType.Text);
            await WriteNullableAsync(copy, owners.TryGetValue(row.Peer, out var owner) ? owner : null);
            await copy.WriteAsync(row.Served, NpgsqlDbType.Bigint);
            await copy.WriteAsync(row.Received, NpgsqlDbType.Bigint);
            await copy.WriteAsync(at, NpgsqlDbType.Bigint);
        }

        await copy.CompleteAsync();
    }

    private async Task CopyBlockedAsync(List<(long? RunId, long EndpointId, BlockedCount Row, long At)> rows, Dictionary<string, long> owners)
    {
        if (rows.Count == 0)
        {
            return;
        }

        await using var copy = await connection.BeginBinaryImportAsync(
            "COPY blocked_attempts (run_id, endpoint_id, source_address, source_endpoint_id, port, count, reported_at) FROM STDIN (FORMAT BINARY)");
        foreach (var (runId, endpointId, row, at) in rows)
        {
            await copy.StartRowAsync();
            await WriteNullableAsync(copy, runId);
            await copy.WriteAsync(endpointId, NpgsqlDbType.Bigint);
            await copy.WriteAsync(row.Source, NpgsqlDbType.Text);
            await WriteNullableAsync(copy, owners.TryGetValue(row.Source, out var owner) ? owner : null);
            await copy.WriteAsync((long)row.Port, NpgsqlDbType.Bigint);
            await copy.WriteAsync(row.Count, NpgsqlDbType.Bigint);
            await copy.WriteAsync(at, NpgsqlDbType.Bigint);
        }

        await copy.CompleteAsync();
    }

    private static async Task WriteNullableAsync(NpgsqlBinaryImporter copy, long? value)
    {
        if (value is { } v)
        {
            await copy.WriteAsync(v, NpgsqlDbType.Bigint);
        }
        else
        {
            await copy.WriteNullAsync();
        }
    }

    /// <summary>The agents' applied state and the endpoints' acknowledgements (as <see cref="Runs.IRunStore.AcknowledgeAsync"/>).</summary>
    private async Task RecordAgentsAsync(List<(int Index, AgentReport Report, long At, long Grace)> segment)
    {
        var applied = segment.Where(s => s.Report.Applied is not null).OrderBy(s => s.Report.AgentId, StringComparer.Ordinal).ToList();
        if (applied.Count > 0)
        {
            await connection.ExecuteAsync(
                """
                UPDATE agents a SET applied_version = COALESCE(u.version, a.applied_version), apply_error = u.error, last_seen_at = u.at
                FROM unnest(@agentIds, @versions, @errors, @ats) AS u(id, version, error, at)
                WHERE a.id = u.id
                """,
                new
                {
                    agentIds = applied.Select(s => s.Report.AgentId).ToArray(),
                    versions = applied.Select(s => s.Report.Applied!.Version).ToArray(),
                    errors = applied.Select(s => s.Report.Applied!.Error).ToArray(),
                    ats = applied.Select(s => s.At).ToArray(),
                },
                transaction);
        }

        foreach (var (_, report, at, _) in segment.Where(s => s.Report.Acknowledge is not null).OrderBy(s => s.Report.EndpointId))
        {
            await PostgresRunStore.AcknowledgeAsync(connection, transaction, report.EndpointId, report.Acknowledge!, at);
        }
    }

    /// <summary>Keeps the newest <see cref="ITrafficStore.MaxRowsOutsideRunsPerEndpoint"/> rows of each kind that belong to
    /// no run, per endpoint (the partial indexes on rows outside runs hold only those rows).</summary>
    private Task<int> PruneOutsideRunsAsync(long[] endpoints) => connection.ExecuteAsync(
        """
        DELETE FROM peer_traffic t USING (
            SELECT e.id AS endpoint_id,
                   (SELECT id FROM peer_traffic WHERE run_id IS NULL AND endpoint_id = e.id ORDER BY id DESC LIMIT 1 OFFSET @keep) AS cut
            FROM unnest(@endpoints) AS e(id)) c
        WHERE t.run_id IS NULL AND t.endpoint_id = c.endpoint_id AND t.id <= c.cut;
        DELETE FROM blocked_attempts b USING (
            SELECT e.id AS endpoint_id,
                   (SELECT id FROM blocked_attempts WHERE run_id IS NULL AND endpoint_id = e.id ORDER BY id DESC LIMIT 1 OFFSET @keep) AS cut
            FROM unnest(@endpoints) AS e(id)) c
        WHERE b.run_id IS NULL AND b.endpoint_id = c.endpoint_id AND b.id <= c.cut;
        """,
        new { endpoints, keep = ITrafficStore.MaxRowsOutsideRunsPerEndpoint },
        transaction);

    /// <summary>A run a report may belong to: a peer is the run's when it is in the run's set and not one of the
    /// reporter's own addresses (the reporter's allow-list; a lookup, not a list per member).</summary>
    private sealed record CandidateRun(
        long EndpointId, long RunId, long OpenedAt, long PlannedEnd, RunPeerSet PeerSet, HashSet<IPAddress> Own, bool CloseAcknowledged)
    {
        public bool Allows(IPAddress peer) =>
            PeerSet.Contains(peer) && !Own.Contains(peer.IsIPv4MappedToIPv6 ? peer.MapToIPv4() : peer);

        public static HashSet<IPAddress> OwnOf(RunPeerSet set, string addressesJson) =>
            [.. set.OwnInText(Json.Read<string[]>(addressesJson))];
    }

    private sealed class CandidateRow
    {
        public long EndpointId { get; init; }

        public long RunId { get; init; }

        public long OpenedAt { get; init; }

        public long PlannedEnd { get; init; }

        public string Addresses { get; init; } = "[]";

        public bool CloseAcknowledged { get; init; }
    }
}
