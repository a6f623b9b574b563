-- Orchestrator schema v1. Times are UTC Unix milliseconds (INTEGER): portable, sortable, range-friendly.
-- Lists are JSON text. Names are unique case-insensitively through lower(name) indexes (SQLite and PostgreSQL).

CREATE TABLE endpoints (
    id            INTEGER PRIMARY KEY,
    hostname      TEXT    NOT NULL,
    addresses     TEXT    NOT NULL,
    os            TEXT    NOT NULL,
    tags          TEXT    NOT NULL,
    source        TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    last_seen_at  INTEGER
);
CREATE UNIQUE INDEX ux_endpoints_hostname ON endpoints (lower(hostname));

CREATE TABLE groups (
    id              INTEGER PRIMARY KEY,
    name            TEXT    NOT NULL,
    description     TEXT,
    static_members  TEXT    NOT NULL,
    cidrs           TEXT    NOT NULL,
    tags            TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX ux_groups_name ON groups (lower(name));

CREATE TABLE windows (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    enabled     INTEGER NOT NULL,
    definition  TEXT    NOT NULL,
    revision    INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    deleted_at  INTEGER
);
CREATE UNIQUE INDEX ux_windows_name ON windows (lower(name)) WHERE deleted_at IS NULL;

-- Which groups a window names: lets a group in use refuse deletion.
CREATE TABLE window_groups (
    window_id  INTEGER NOT NULL REFERENCES windows (id),
    group_id   INTEGER NOT NULL REFERENCES groups (id),
    PRIMARY KEY (window_id, group_id)
);

-- One row per window occurrence (or ad-hoc run). UNIQUE (window_id, occurrence_key) is what guarantees
-- that no occurrence ever produces two runs, whichever job fires twice.
CREATE TABLE runs (
    id              INTEGER PRIMARY KEY,
    window_id       INTEGER NOT NULL REFERENCES windows (id),
    window_name     TEXT    NOT NULL,
    occurrence_key  TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    state           TEXT    NOT NULL,
    planned_start   INTEGER NOT NULL,
    planned_end     INTEGER NOT NULL,
    cutoff_at       INTEGER NOT NULL,
    opened_at       INTEGER,
    closed_at       INTEGER,
    close_reason    TEXT,
    definition      TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    UNIQUE (window_id, occurrence_key)
);
CREATE INDEX ix_runs_state ON runs (state);
CREATE INDEX ix_runs_planned_start ON runs (planned_start);

-- Membership frozen at the run's start, with each member's computed allow-list.
CREATE TABLE run_members (
    run_id         INTEGER NOT NULL REFERENCES runs (id),
    endpoint_id    INTEGER NOT NULL REFERENCES endpoints (id),
    hostname       TEXT    NOT NULL,
    addresses      TEXT    NOT NULL,
    allowed_peers  TEXT    NOT NULL,
    PRIMARY KEY (run_id, endpoint_id)
);
CREATE INDEX ix_run_members_endpoint ON run_members (endpoint_id);

-- Append-only: rows are inserted, never updated or deleted.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    actor      TEXT    NOT NULL,
    entity     TEXT    NOT NULL,
    entity_id  TEXT,
    action     TEXT    NOT NULL,
    detail     TEXT
);
CREATE INDEX ix_audit_log_entity ON audit_log (entity, entity_id);
CREATE INDEX ix_audit_log_at ON audit_log (at);
