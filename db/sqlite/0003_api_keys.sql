-- Ops API keys. The key itself is shown once at creation; only its SHA-256 hash is stored.
CREATE TABLE api_keys (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT    NOT NULL,
    key_hash      TEXT    NOT NULL UNIQUE,
    role          TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    created_by    TEXT    NOT NULL,
    expires_at    INTEGER,
    revoked_at    INTEGER,
    last_used_at  INTEGER
);
CREATE UNIQUE INDEX ux_api_keys_name ON api_keys (lower(name)) WHERE revoked_at IS NULL;
