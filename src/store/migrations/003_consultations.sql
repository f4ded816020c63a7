-- CTV schema, version 2: consultations (ghi nhận làm việc / tư vấn), their amendments and
-- follow-ups. Dates are Vietnam local dates as yyyy-mm-dd; times are RFC 3339 UTC.

-- The content columns (date … follow_up_date) keep the values as recorded: written at
-- creation and by the author's edits within the grace period, never by an amendment.
CREATE TABLE consultations (
    id              TEXT PRIMARY KEY,
    facility_id     TEXT NOT NULL REFERENCES facilities (id),
    -- The facility's commune, copied so that scope filters need no join; the trigger below
    -- keeps it in step when a facility moves.
    commune_code    TEXT NOT NULL,
    collaborator_id TEXT NOT NULL,
    date            TEXT NOT NULL,
    mode            TEXT NOT NULL,
    topics          TEXT NOT NULL DEFAULT '',   -- support category codes, comma separated
    difficulties    TEXT NOT NULL DEFAULT '',
    needs           TEXT NOT NULL DEFAULT '',
    advice          TEXT NOT NULL DEFAULT '',
    next_step       TEXT NOT NULL DEFAULT '',
    follow_up_date  TEXT,                       -- as agreed at the consultation
    -- The date and mode after amendments: what lists sort and filter on.
    cur_date        TEXT NOT NULL,
    cur_mode        TEXT NOT NULL,
    amendments      INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    updated_by      TEXT NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1
) STRICT;

-- A facility's timeline, newest first: one backward walk of this index.
CREATE INDEX consultations_timeline ON consultations (facility_id, cur_date, id);
-- Lists over a scope or one collaborator's work, by date; the newest pages of a wide scope
-- (a province) walk the date index instead of sorting the whole scope.
CREATE INDEX consultations_scope ON consultations (commune_code, cur_date);
CREATE INDEX consultations_date ON consultations (cur_date, id);
CREATE INDEX consultations_collaborator ON consultations (collaborator_id, cur_date);

-- The current topics (after amendments), one row each: the topic filter and the needs view.
CREATE TABLE consultation_topics (
    consultation_id TEXT NOT NULL REFERENCES consultations (id),
    topic           TEXT NOT NULL,
    PRIMARY KEY (consultation_id, topic)
) STRICT, WITHOUT ROWID;

CREATE INDEX consultation_topics_topic ON consultation_topics (topic, consultation_id);

-- Corrections, kept beside the original and never changed.
CREATE TABLE consultation_amendments (
    id              TEXT PRIMARY KEY,
    consultation_id TEXT NOT NULL REFERENCES consultations (id),
    at              TEXT NOT NULL,
    actor_id        TEXT NOT NULL,
    actor_name      TEXT NOT NULL,
    reason          TEXT NOT NULL DEFAULT '',
    changes         TEXT NOT NULL              -- JSON object: field -> [old, new]
) STRICT;

CREATE INDEX consultation_amendments_of ON consultation_amendments (consultation_id, at, id);

-- The follow-up agreed at a consultation: workflow state (rescheduled, done), so it lives
-- apart from the consultation's history; every change is in the change log.
CREATE TABLE follow_ups (
    consultation_id TEXT PRIMARY KEY REFERENCES consultations (id),
    facility_id     TEXT NOT NULL,
    commune_code    TEXT NOT NULL,             -- as on consultations, for the agenda's scope
    live            INTEGER NOT NULL DEFAULT 1, -- 0 while the facility is archived (trigger below)
    due_date        TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
    outcome_id      TEXT REFERENCES consultations (id),
    note            TEXT NOT NULL DEFAULT '',
    closed_at       TEXT,
    closed_by       TEXT,
    updated_at      TEXT NOT NULL,
    updated_by      TEXT NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1
) STRICT, WITHOUT ROWID;

-- The agenda and the overdue count: open follow-ups of a commune by due date. Done ones
-- (the great majority over the years) are not in the index at all. status and live are in
-- the key so that counts and id windows never read the table (SQLite re-checks the partial
-- index's condition; measured: 120 ms → 3 ms to count 20,000 open follow-ups).
CREATE INDEX follow_ups_open ON follow_ups (commune_code, due_date, status, live)
    WHERE status = 'open';
-- The same by date first, for a wide scope (a province): the first n of a bucket are the
-- first n entries, without sorting the whole bucket.
CREATE INDEX follow_ups_open_by_date ON follow_ups (due_date, commune_code, status, live)
    WHERE status = 'open';

-- A facility that moves to another commune takes its consultations into that commune's scope.
CREATE TRIGGER facility_commune_moves AFTER UPDATE OF commune_code ON facilities
WHEN OLD.commune_code IS NOT NEW.commune_code
BEGIN
    UPDATE consultations SET commune_code = NEW.commune_code WHERE facility_id = NEW.id;
    UPDATE follow_ups SET commune_code = NEW.commune_code
     WHERE consultation_id IN (SELECT id FROM consultations WHERE facility_id = NEW.id);
END;

-- Archiving a facility takes its open follow-ups off the agenda; restoring brings them back.
CREATE TRIGGER facility_archived_changes AFTER UPDATE OF archived ON facilities
WHEN OLD.archived IS NOT NEW.archived
BEGIN
    UPDATE follow_ups SET live = 1 - NEW.archived
     WHERE consultation_id IN (SELECT id FROM consultations WHERE facility_id = NEW.id);
END;
