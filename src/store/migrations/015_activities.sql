-- CTV schema, version 15: activities with attendees (issue 17) — training courses, workshops,
-- fairs, study tours, outreach, typical-product votes (data/codes/activity_kinds.csv). An
-- activity is a record that travels in bundles (UUIDv7 id, version, change log, rev); its
-- attendees are part of it (written, versioned and carried with it), like a proposal's
-- beneficiaries. Scope comes from the commune where it takes place.

CREATE TABLE activities (
    id               TEXT PRIMARY KEY,
    kind             TEXT NOT NULL,              -- activity_kinds.csv
    title            TEXT NOT NULL,
    title_fold       TEXT NOT NULL,              -- text::fold, for search
    start_date       TEXT NOT NULL,              -- YYYY-MM-DD
    end_date         TEXT,                       -- YYYY-MM-DD, NULL for a one-day activity
    commune_code     TEXT NOT NULL,              -- where it takes place (scope)
    place            TEXT NOT NULL DEFAULT '',
    organiser        TEXT NOT NULL DEFAULT '',
    proposal_id      TEXT REFERENCES proposals (id),   -- the đề án it belongs to, if any
    cost             INTEGER CHECK (cost IS NULL OR cost >= 0),
    -- Attendees not listed by name, and how many of them are women / ethnic minorities.
    unnamed_count    INTEGER NOT NULL DEFAULT 0 CHECK (unnamed_count >= 0),
    unnamed_women    INTEGER NOT NULL DEFAULT 0 CHECK (unnamed_women >= 0),
    unnamed_minority INTEGER NOT NULL DEFAULT 0 CHECK (unnamed_minority >= 0),
    notes            TEXT NOT NULL DEFAULT '',
    archived         INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
    created_at       TEXT NOT NULL,
    created_by       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    updated_by       TEXT NOT NULL,
    version          INTEGER NOT NULL DEFAULT 1,
    CHECK (end_date IS NULL OR end_date >= start_date),
    CHECK (unnamed_women <= unnamed_count AND unnamed_minority <= unnamed_count)
) STRICT;
CREATE INDEX activities_scope ON activities (commune_code, start_date);
CREATE INDEX activities_date ON activities (start_date, kind);
CREATE INDEX activities_proposal ON activities (proposal_id) WHERE proposal_id IS NOT NULL;

-- Who attended: a facility from the registry, a named person (with their facility if any),
-- or both. Gender and ethnic minority are what the programme reports.
CREATE TABLE activity_attendees (
    activity_id      TEXT NOT NULL REFERENCES activities (id),
    position         INTEGER NOT NULL CHECK (position >= 0),
    facility_id      TEXT REFERENCES facilities (id),
    person_name      TEXT NOT NULL DEFAULT '',
    gender           TEXT CHECK (gender IS NULL OR gender IN ('NAM', 'NU')),
    ethnic_minority  INTEGER NOT NULL DEFAULT 0 CHECK (ethnic_minority IN (0, 1)),
    PRIMARY KEY (activity_id, position),
    CHECK (facility_id IS NOT NULL OR person_name <> '')
) STRICT;
CREATE INDEX activity_attendees_facility ON activity_attendees (facility_id)
    WHERE facility_id IS NOT NULL;
