-- The agent path: every desired-state read looks up the endpoint's pending scans. Without this index that lookup
-- scans every scan row ever dispatched (ux_scans_run_endpoint leads with run_id).
CREATE INDEX ix_scans_endpoint_pending ON scans (endpoint_id) WHERE outcome IS NULL;
