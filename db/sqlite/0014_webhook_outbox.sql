-- Every webhook delivery queued, until it is settled (delivered, given up after its last attempt, or its webhook
-- deleted). Hangfire holds the delivery's job; this row is what survives without it: a server start queues a delivery
-- again when no job holds it (Hangfire's jobs are not copied by storage copy-to-postgres), under the same delivery id.
-- payload is the event as JSON, as the delivery job takes it.
CREATE TABLE webhook_outbox (
    delivery_id  TEXT    PRIMARY KEY,
    webhook_id   INTEGER NOT NULL REFERENCES webhooks (id),
    payload      TEXT    NOT NULL,
    queued_at    INTEGER NOT NULL,
    settled_at   INTEGER
);
CREATE INDEX ix_webhook_outbox_unsettled ON webhook_outbox (queued_at) WHERE settled_at IS NULL;
