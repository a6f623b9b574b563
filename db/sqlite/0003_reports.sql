-- Run reports. Reports are computed on read; a final snapshot of each run's report is stored once late agent
-- reports can no longer change it.

-- Per-run sums per endpoint and per peer pair read only this index (covering), in (endpoint, peer) order, so a run
-- with a million traffic rows is summed without a sort or a table lookup. Its run_id prefix serves every query
-- ix_peer_traffic_run served, so that index goes: ingest keeps one secondary index on this hot table.
CREATE INDEX ix_peer_traffic_run_pair ON peer_traffic (run_id, endpoint_id, peer_address, bytes_served, bytes_received, peer_endpoint_id);
DROP INDEX ix_peer_traffic_run;

-- The report as JSON, with the figures a window's trend needs as columns (no JSON parsing to list a window).
CREATE TABLE run_report_snapshots (
    run_id            INTEGER PRIMARY KEY REFERENCES runs (id),
    taken_at          INTEGER NOT NULL,
    members           INTEGER NOT NULL,
    anomalies         INTEGER NOT NULL,
    critical          INTEGER NOT NULL,
    bytes_from_peers  INTEGER NOT NULL,
    bytes_from_http   INTEGER,
    report            TEXT    NOT NULL
);
