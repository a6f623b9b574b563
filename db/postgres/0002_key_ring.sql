-- The Data Protection key ring (cookie, antiforgery and webhook-secret keys) shared by every server node: one node
-- keeps it in its data folder; several nodes must all read the keys any of them created. Each row is one key element
-- as Data Protection writes it (the key material is in the XML: the table is as secret as the data folder's keys/).
CREATE TABLE key_ring (
    name        text   PRIMARY KEY,
    xml         text   NOT NULL,
    created_at  bigint NOT NULL
);
