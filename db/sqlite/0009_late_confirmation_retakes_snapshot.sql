-- A close confirmation that arrives after the members were settled turns the verdict into ConfirmedLate. The run's
-- final report snapshot was taken with the old verdict (e.g. "port may be open until …"): drop it, so that the next
-- read of the report takes it again with the truth.
CREATE TRIGGER run_members_late_confirmation_retakes_snapshot
AFTER UPDATE OF close_state ON run_members
WHEN NEW.close_state = 'ConfirmedLate' AND OLD.close_state IS NOT 'ConfirmedLate'
BEGIN
    DELETE FROM run_report_snapshots WHERE run_id = NEW.run_id;
END;
