-- Enrollment cannot take over an endpoint (issue 12). A token may be scoped: a host name pattern, the CIDRs its
-- agents' addresses must lie in (JSON array; NULL: any) and the tags it grants (JSON array). Tags select group
-- members, so a token grants none unless listed; tokens created before this migration grant none.
ALTER TABLE enrollment_tokens ADD COLUMN hostname_pattern TEXT;
ALTER TABLE enrollment_tokens ADD COLUMN address_cidrs TEXT;
ALTER TABLE enrollment_tokens ADD COLUMN granted_tags TEXT NOT NULL DEFAULT '[]';

-- Enrolling as an endpoint that already exists (registered by operators, or enrolled before) needs an administrator's
-- decision: a one-shot permission until the given time, used up by the next enrollment as that endpoint.
ALTER TABLE endpoints ADD COLUMN reenroll_until INTEGER;
