-- Delivery Optimization statistics from Windows agents (AgentReportV1.deliveryOptimization), kept apart from
-- peer_traffic because Delivery Optimization measures them itself (all its connections, by source), not the firewall.
-- One row per accepted report that carried them, attributed to the endpoint's run open when it arrived (or ended
-- within the late-report grace); the key makes a retried report (same report id) a no-op.
CREATE TABLE delivery_optimization_reports (
    endpoint_id               INTEGER NOT NULL REFERENCES endpoints (id),
    report_id                 TEXT    NOT NULL,
    run_id                    INTEGER NOT NULL REFERENCES runs (id),
    reported_at               INTEGER NOT NULL,
    bytes_from_http           INTEGER NOT NULL,
    bytes_from_peers          INTEGER NOT NULL,
    bytes_from_lan_peers      INTEGER NOT NULL,
    bytes_from_group_peers    INTEGER NOT NULL,
    bytes_from_internet_peers INTEGER NOT NULL,
    bytes_from_cache_server   INTEGER NOT NULL,
    bytes_to_lan_peers        INTEGER NOT NULL,
    bytes_to_group_peers      INTEGER NOT NULL,
    bytes_to_internet_peers   INTEGER NOT NULL,
    PRIMARY KEY (endpoint_id, report_id)
);

CREATE INDEX ix_delivery_optimization_reports_run ON delivery_optimization_reports (run_id, endpoint_id);

-- Per peer address of one report: bytes the endpoint sent to and received from it.
CREATE TABLE delivery_optimization_peers (
    endpoint_id      INTEGER NOT NULL,
    report_id        TEXT    NOT NULL,
    run_id           INTEGER NOT NULL REFERENCES runs (id),
    peer_address     TEXT    NOT NULL,
    peer_endpoint_id INTEGER REFERENCES endpoints (id),
    bytes_sent       INTEGER NOT NULL,
    bytes_received   INTEGER NOT NULL,
    FOREIGN KEY (endpoint_id, report_id) REFERENCES delivery_optimization_reports (endpoint_id, report_id)
);

CREATE INDEX ix_delivery_optimization_peers_run ON delivery_optimization_peers (run_id, endpoint_id, peer_address);
