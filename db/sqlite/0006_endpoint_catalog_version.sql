-- What group membership is resolved from (hostname, addresses, os, tags) carries a version that moves with every
-- change to it, whoever writes: the server keeps the parsed endpoint list in memory and re-reads it only when the
-- version moved, so opening a run resolves its groups without reading every endpoint again.
CREATE TABLE endpoint_catalog (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    version  INTEGER NOT NULL
);
INSERT INTO endpoint_catalog (id, version) VALUES (1, 0);

CREATE TRIGGER tr_endpoints_catalog_insert AFTER INSERT ON endpoints
BEGIN
    UPDATE endpoint_catalog SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER tr_endpoints_catalog_delete AFTER DELETE ON endpoints
BEGIN
    UPDATE endpoint_catalog SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER tr_endpoints_catalog_update AFTER UPDATE OF hostname, addresses, os, tags ON endpoints
WHEN OLD.hostname IS NOT NEW.hostname OR OLD.addresses IS NOT NEW.addresses OR OLD.os IS NOT NEW.os OR OLD.tags IS NOT NEW.tags
BEGIN
    UPDATE endpoint_catalog SET version = version + 1 WHERE id = 1;
END;
