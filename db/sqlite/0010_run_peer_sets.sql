-- A run's peer set is stored once, not as one allow-list per member (which grew with the square of the group: about
-- 1.2 GB for one run of 10,000 members). The set is every member's usable addresses as exact ranges, one per line in
-- canonical order; a member's allow-list is the set without its own addresses (docs/decisions.md, "peer sets").
CREATE TABLE run_peer_sets (
    run_id  INTEGER PRIMARY KEY REFERENCES runs (id),
    ranges  TEXT    NOT NULL
);

-- Runs stored before: their set is the union of their members' addresses, one address per line. The server reads a
-- stored set line by line, leaves out any line the peer rule refuses and joins adjacent addresses into ranges, so
-- these rows mean exactly what the per-member allow-lists meant.
INSERT INTO run_peer_sets (run_id, ranges)
SELECT run_id, group_concat(address, char(10))
FROM (SELECT DISTINCT m.run_id AS run_id, a.value AS address FROM run_members m, json_each(m.addresses) a)
GROUP BY run_id;

ALTER TABLE run_members DROP COLUMN allowed_peers;
