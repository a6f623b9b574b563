-- Agents, their enrollment, and what they report. Secrets and tokens are stored as SHA-256 hashes only: both
-- are 256-bit random values, so a fast hash is enough and a stolen database yields no usable credential.

CREATE TABLE enrollment_tokens (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    token_hash  TEXT    NOT NULL UNIQUE,
    single_use  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER,
    uses        INTEGER NOT NULL DEFAULT 0,
    revoked_at  INTEGER
);

CREATE TABLE agents (
    id               TEXT    PRIMARY KEY,
    endpoint_id      INTEGER NOT NULL REFERENCES endpoints (id),
    secret_hash      TEXT    NOT NULL,
    token_id         INTEGER REFERENCES enrollment_tokens (id),
    agent_version    TEXT    NOT NULL,
    enrolled_at      INTEGER NOT NULL,
    rotated_at       INTEGER,
    revoked_at       INTEGER,
    last_seen_at     INTEGER,
    applied_version  INTEGER,
    apply_error      TEXT
);
CREATE INDEX ix_agents_endpoint ON agents (endpoint_id);

-- Addresses of endpoints, for mapping a reported peer or source address to the endpoint behind it.
CREATE TABLE endpoint_addresses (
    address      TEXT    NOT NULL,
    endpoint_id  INTEGER NOT NULL REFERENCES endpoints (id),
    PRIMARY KEY (address, endpoint_id)
);
INSERT INTO endpoint_addresses (address, endpoint_id)
SELECT DISTINCT j.value, e.id FROM endpoints e, json_each(e.addresses) j;

-- Report ids already stored: a retried report is answered but not stored twice.
CREATE TABLE agent_reports (
    report_id    TEXT    NOT NULL,
    agent_id     TEXT    NOT NULL,
    received_at  INTEGER NOT NULL,
    PRIMARY KEY (agent_id, report_id)
);

-- Bytes on the peering port, as each side's agent reported them (deltas).
CREATE TABLE peer_traffic (
    id                INTEGER PRIMARY KEY,
    run_id            INTEGER REFERENCES runs (id),
    endpoint_id       INTEGER NOT NULL,
    peer_address      TEXT    NOT NULL,
    peer_endpoint_id  INTEGER,
    bytes_served      INTEGER NOT NULL,
    bytes_received    INTEGER NOT NULL,
    reported_at       INTEGER NOT NULL
);
CREATE INDEX ix_peer_traffic_run ON peer_traffic (run_id);

-- Inbound attempts on a guarded port that the endpoint's firewall dropped.
CREATE TABLE blocked_attempts (
    id                  INTEGER PRIMARY KEY,
    run_id              INTEGER REFERENCES runs (id),
    endpoint_id         INTEGER NOT NULL,
    source_address      TEXT    NOT NULL,
    source_endpoint_id  INTEGER,
    port                INTEGER NOT NULL,
    count               INTEGER NOT NULL,
    reported_at         INTEGER NOT NULL
);
CREATE INDEX ix_blocked_attempts_run ON blocked_attempts (run_id);
CREATE INDEX ix_blocked_attempts_endpoint ON blocked_attempts (endpoint_id, reported_at);

-- Update scans handed to endpoints, and their outcome.
CREATE TABLE scans (
    id             TEXT    PRIMARY KEY,
    run_id         INTEGER NOT NULL REFERENCES runs (id),
    endpoint_id    INTEGER NOT NULL,
    dispatched_at  INTEGER NOT NULL,
    timeout_seconds INTEGER NOT NULL,
    outcome        TEXT,
    exit_code      INTEGER,
    duration_ms    INTEGER,
    reported_at    INTEGER
);
CREATE UNIQUE INDEX ux_scans_run_endpoint ON scans (run_id, endpoint_id);

-- Per-endpoint acknowledgement of a run's opening and closing.
ALTER TABLE run_members ADD COLUMN open_acked_at INTEGER;
ALTER TABLE run_members ADD COLUMN close_acked_at INTEGER;
ALTER TABLE run_members ADD COLUMN close_state TEXT;
