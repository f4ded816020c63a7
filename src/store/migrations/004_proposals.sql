-- CTV schema, version 4: support proposals (đề xuất hỗ trợ) and their status history.
-- Money is whole VND (INTEGER); times are RFC 3339 UTC.

CREATE TABLE proposals (
    id                TEXT PRIMARY KEY,
    facility_id       TEXT NOT NULL REFERENCES facilities (id),
    -- The facility's commune, copied so that scope filters need no join; kept in step by the
    -- trigger below.
    commune_code      TEXT NOT NULL,
    plan_year         INTEGER NOT NULL,
    category          TEXT NOT NULL,             -- support_categories.csv
    funding           TEXT NOT NULL CHECK (funding IN ('KCQG', 'KCDP')),
    title             TEXT NOT NULL,
    rationale         TEXT NOT NULL DEFAULT '',
    objectives        TEXT NOT NULL DEFAULT '',
    content           TEXT NOT NULL DEFAULT '',
    place             TEXT NOT NULL DEFAULT '',
    time_frame        TEXT NOT NULL DEFAULT '',
    total_cost        INTEGER NOT NULL CHECK (total_cost >= 0),
    support           INTEGER NOT NULL CHECK (support >= 0),
    counterpart       INTEGER NOT NULL DEFAULT 0 CHECK (counterpart >= 0),
    other_sources     INTEGER NOT NULL DEFAULT 0 CHECK (other_sources >= 0),
    expected_jobs     INTEGER CHECK (expected_jobs IS NULL OR expected_jobs >= 0),
    expected_products TEXT NOT NULL DEFAULT '',
    expected_capacity TEXT NOT NULL DEFAULT '',
    -- Priority markers, one bit each: exports 1, local materials 2, 50+ workers 4,
    -- woman-owned 8, ethnic-minority-owned 16, difficult area 32.
    priorities        INTEGER NOT NULL DEFAULT 0,
    status            TEXT NOT NULL CHECK (status IN ('NHAP', 'DE_XUAT', 'DA_RA_SOAT',
                          'DA_GUI_TINH', 'PHE_DUYET', 'KHONG_DUYET', 'DANG_THUC_HIEN',
                          'HOAN_THANH', 'RUT')),
    decision_no       TEXT,
    created_at        TEXT NOT NULL,
    created_by        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    updated_by        TEXT NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1,
    -- The money adds up, whatever front end wrote it.
    CHECK (total_cost = support + counterpart + other_sources)
) STRICT;

-- Lists and totals over a scope, by year; the plan of a year; a facility's proposals.
CREATE INDEX proposals_scope ON proposals (commune_code, plan_year, status);
CREATE INDEX proposals_year ON proposals (plan_year, category, funding);
CREATE INDEX proposals_facility ON proposals (facility_id, status);

-- Every status change, never changed: who, when, from, to and why.
CREATE TABLE proposal_transitions (
    seq          INTEGER PRIMARY KEY,
    proposal_id  TEXT NOT NULL REFERENCES proposals (id),
    at           TEXT NOT NULL,
    actor_id     TEXT NOT NULL,
    actor_name   TEXT NOT NULL,
    mover        TEXT NOT NULL,                  -- commune, area, province, export, decision
    from_status  TEXT,                           -- NULL: created
    to_status    TEXT NOT NULL,
    reason       TEXT NOT NULL DEFAULT '',
    decision_no  TEXT
) STRICT;

CREATE INDEX proposal_transitions_of ON proposal_transitions (proposal_id, seq);

-- A facility that moves to another commune takes its proposals into that commune's scope.
CREATE TRIGGER facility_commune_moves_proposals AFTER UPDATE OF commune_code ON facilities
WHEN OLD.commune_code IS NOT NEW.commune_code
BEGIN
    UPDATE proposals SET commune_code = NEW.commune_code WHERE facility_id = NEW.id;
END;
