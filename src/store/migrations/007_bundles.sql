-- CTV schema, version 7: bundles — the collaborator's signing key, what this installation
-- has sent (per-sender sequence, change-log position, sent revisions) and, at the province,
-- the registry of senders' keys and the bundles received.

-- The public half of the profile's Ed25519 key (the secret stays in the user's key folder).
ALTER TABLE collaborators ADD COLUMN public_key TEXT;
ALTER TABLE collaborators ADD COLUMN key_fingerprint TEXT;

-- The sender's side: one row per profile that has exported.
CREATE TABLE bundle_outgoing (
    sender_id        TEXT PRIMARY KEY,
    last_seq         INTEGER NOT NULL,      -- the sequence number of the last bundle written
    last_change_seq  INTEGER NOT NULL,      -- change_log.seq carried up to (inclusive)
    last_at          TEXT NOT NULL,
    last_file        TEXT NOT NULL DEFAULT ''
) STRICT;

-- The revision of each record as this sender last sent it: the next bundle's base_rev.
CREATE TABLE bundle_sent_revs (
    sender_id  TEXT NOT NULL,
    entity     TEXT NOT NULL,               -- collaborator, facility, consultation, proposal
    record_id  TEXT NOT NULL,
    rev        TEXT NOT NULL,
    PRIMARY KEY (sender_id, entity, record_id)
) STRICT, WITHOUT ROWID;

-- The province's side: the senders' keys it trusts (one per sender).
CREATE TABLE bundle_senders (
    collaborator_id TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    role            TEXT NOT NULL,
    scope           TEXT NOT NULL,          -- JSON array of unit codes
    public_key      TEXT NOT NULL,
    fingerprint     TEXT NOT NULL,
    trusted_at      TEXT NOT NULL
) STRICT;

-- Every bundle imported: a sequence gap shows as a missing seq.
CREATE TABLE bundles_received (
    sender_id    TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    sha256       TEXT NOT NULL,             -- of the whole file
    received_at  TEXT NOT NULL,
    counts       TEXT NOT NULL,             -- JSON object: entity -> records
    PRIMARY KEY (sender_id, seq)
) STRICT, WITHOUT ROWID;
