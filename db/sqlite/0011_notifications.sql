-- Webhook targets, every delivery attempt to them, and the answers of windows' pre-open/post-close hooks.
-- The signing secret is stored encrypted by the server (ASP.NET Data Protection); the API never returns it.
CREATE TABLE webhooks (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    name             TEXT    NOT NULL,
    url              TEXT    NOT NULL,
    format           TEXT    NOT NULL,
    events           TEXT    NOT NULL,
    secret_protected TEXT    NOT NULL,
    enabled          INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    deleted_at       INTEGER
);
CREATE UNIQUE INDEX ux_webhooks_name ON webhooks (lower(name)) WHERE deleted_at IS NULL;

-- One row per attempt; attempts of one event to one webhook share delivery_id.
CREATE TABLE webhook_deliveries (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id   INTEGER NOT NULL REFERENCES webhooks (id),
    delivery_id  TEXT    NOT NULL,
    event        TEXT    NOT NULL,
    run_id       INTEGER,
    attempt      INTEGER NOT NULL,
    at           INTEGER NOT NULL,
    status_code  INTEGER,
    latency_ms   INTEGER NOT NULL,
    succeeded    INTEGER NOT NULL,
    error        TEXT
);
CREATE INDEX ix_webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id);
CREATE INDEX ix_webhook_deliveries_run ON webhook_deliveries (run_id) WHERE run_id IS NOT NULL;

-- The outcome of a run's hook calls: kind 'preOpen' or 'postClose'; verdict 'go', 'noGo', 'failed' (post-close: 'ok', 'failed').
CREATE TABLE run_hook_calls (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id       INTEGER NOT NULL REFERENCES runs (id),
    kind         TEXT    NOT NULL,
    url          TEXT    NOT NULL,
    at           INTEGER NOT NULL,
    status_code  INTEGER,
    latency_ms   INTEGER NOT NULL,
    verdict      TEXT    NOT NULL,
    answer       TEXT
);
CREATE INDEX ix_run_hook_calls_run ON run_hook_calls (run_id);
