-- CTV schema: the province side of bundles — record revisions, conflicts kept with both
-- versions, suspected duplicates across senders, facility merges, and receipts.

-- The content revision (bundle::model::content_rev) each record had when it was last merged
-- from a bundle, and the row version it was written as. A row whose version has moved on
-- since was changed here, and its revision is computed from its content again.
CREATE TABLE record_revs (
    entity    TEXT NOT NULL,              -- 'collaborator', 'facility', 'consultation', 'proposal'
    id        TEXT NOT NULL,
    rev       TEXT NOT NULL,
    version   INTEGER NOT NULL,
    sender_id TEXT NOT NULL,              -- who last sent it
    PRIMARY KEY (entity, id)
) STRICT, WITHOUT ROWID;

-- A record changed on both sides: both versions, in canonical order (older (updated_at, rev)
-- first), so that two senders give the same row in either order. The live record is the
-- newer one until a person resolves the conflict field by field.
CREATE TABLE merge_conflicts (
    id          INTEGER PRIMARY KEY,
    entity      TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    older_rev   TEXT NOT NULL,
    older_json  TEXT NOT NULL,
    newer_rev   TEXT NOT NULL,
    newer_json  TEXT NOT NULL,
    sender_id   TEXT NOT NULL,            -- the sender whose bundle met the conflict
    found_at    TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    resolved_at TEXT,
    resolved_by TEXT,
    resolution  TEXT,                     -- JSON object: field -> 'mine' | 'theirs'
    UNIQUE (entity, record_id, older_rev, newer_rev)
) STRICT;

CREATE INDEX merge_conflicts_open ON merge_conflicts (status, entity, record_id);

-- Facilities from different senders that may be one: a person merges them or keeps them
-- apart. The pair is stored smaller id first; a decided pair is never suggested again.
CREATE TABLE duplicate_pairs (
    a          TEXT NOT NULL,
    b          TEXT NOT NULL,
    reasons    TEXT NOT NULL,             -- JSON array of domain::dup::DupReason
    found_at   TEXT NOT NULL,
    status     TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'merged', 'kept_apart')),
    decided_at TEXT,
    decided_by TEXT,
    PRIMARY KEY (a, b),
    CHECK (a < b)
) STRICT, WITHOUT ROWID;

CREATE INDEX duplicate_pairs_status ON duplicate_pairs (status, a, b);

-- Which facility a merged one went into (the loser is archived, never deleted).
CREATE TABLE facility_merges (
    loser     TEXT PRIMARY KEY REFERENCES facilities (id),
    winner    TEXT NOT NULL REFERENCES facilities (id),
    at        TEXT NOT NULL,
    actor_id  TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- Receipts the province wrote and receipts a sender read back.
CREATE TABLE receipts (
    direction   TEXT NOT NULL CHECK (direction IN ('sent', 'received')),
    sender_id   TEXT NOT NULL,            -- the collaborator whose bundle it answers
    bundle_seq  INTEGER NOT NULL,
    at          TEXT NOT NULL,            -- when the province imported the bundle
    body        TEXT NOT NULL,            -- the receipt's JSON
    PRIMARY KEY (direction, sender_id, bundle_seq)
) STRICT, WITHOUT ROWID;
