-- Rows that belong to no run are kept only up to a bound per endpoint (ITrafficStore.MaxRowsOutsideRunsPerEndpoint):
-- the store prunes them after each batch. These partial indexes hold only those rows, so pruning reads a few thousand
-- index entries and the hot path (rows of a run) maintains no extra index.
CREATE INDEX ix_peer_traffic_outside_runs ON peer_traffic (endpoint_id, id) WHERE run_id IS NULL;
CREATE INDEX ix_blocked_attempts_outside_runs ON blocked_attempts (endpoint_id, id) WHERE run_id IS NULL;

-- Rows already stored outside runs before this bound existed: keep the newest 1,000 per endpoint of each kind.
DELETE FROM peer_traffic WHERE run_id IS NULL AND id NOT IN (
    SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY endpoint_id ORDER BY id DESC) AS n FROM peer_traffic WHERE run_id IS NULL) WHERE n <= 1000);
DELETE FROM blocked_attempts WHERE run_id IS NULL AND id NOT IN (
    SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY endpoint_id ORDER BY id DESC) AS n FROM blocked_attempts WHERE run_id IS NULL) WHERE n <= 1000);

-- Report ids are remembered for a day (ITrafficStore.ReportIdRetention) to answer retries as duplicates; the writer
-- forgets older ones through this index. Ids only grow with time, so the index is appended to at its end.
CREATE INDEX ix_agent_reports_received ON agent_reports (received_at);
