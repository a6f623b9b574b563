-- A final report's critical-anomaly alert is sent once per run: the snapshot job records the run here before it
-- queues the deliveries, and sends nothing when the row exists (a job run again from the dashboard, or queued again at
-- start-up after a stop or a copy). Kept apart from run_report_snapshots, which a late close confirmation deletes so
-- that the report is taken again.
CREATE TABLE run_report_alerts (
    run_id   INTEGER PRIMARY KEY REFERENCES runs (id),
    sent_at  INTEGER NOT NULL
);
