-- CTV schema, version 10: proposals for two-level government (issue 15).
-- New statuses TRA_LAI (returned by the province for revision) and DUNG (stopped), and the
-- province's approval and implementation data on the proposal itself. SQLite cannot change a
-- CHECK constraint, so the table is rebuilt. Foreign keys are on during migrations, so the
-- child rows (transitions) are set aside while the old table is dropped, then put back.

DROP TRIGGER facility_commune_moves_proposals;

CREATE TABLE proposals_v10 (
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
                          'DA_GUI_TINH', 'TRA_LAI', 'PHE_DUYET', 'KHONG_DUYET',
                          'DANG_THUC_HIEN', 'HOAN_THANH', 'DUNG', 'RUT')),
    decision_no       TEXT,
    -- The province's approval: the support granted (may be lower than asked), the decision's
    -- date (YYYY-MM-DD), the funding source granted, and the batch (đợt) of the year.
    approved_support  INTEGER CHECK (approved_support IS NULL OR approved_support >= 0),
    decision_date     TEXT,
    approved_funding  TEXT CHECK (approved_funding IS NULL OR approved_funding IN ('KCQG', 'KCDP')),
    batch             TEXT NOT NULL DEFAULT '',
    -- Implementation: start, who carries it out, planned end (dates YYYY-MM-DD); why it stopped.
    start_date        TEXT,
    implementing_unit TEXT NOT NULL DEFAULT '',
    planned_end       TEXT,
    stop_reason       TEXT NOT NULL DEFAULT '',
    created_at        TEXT NOT NULL,
    created_by        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    updated_by        TEXT NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1,
    -- The money adds up, whatever front end wrote it.
    CHECK (total_cost = support + counterpart + other_sources)
) STRICT;

INSERT INTO proposals_v10 (id, facility_id, commune_code, plan_year, category, funding, title,
    rationale, objectives, content, place, time_frame, total_cost, support, counterpart,
    other_sources, expected_jobs, expected_products, expected_capacity, priorities, status,
    decision_no, created_at, created_by, updated_at, updated_by, version)
SELECT id, facility_id, commune_code, plan_year, category, funding, title,
    rationale, objectives, content, place, time_frame, total_cost, support, counterpart,
    other_sources, expected_jobs, expected_products, expected_capacity, priorities, status,
    decision_no, created_at, created_by, updated_at, updated_by, version
FROM proposals;

CREATE TEMP TABLE transitions_v9 AS SELECT * FROM proposal_transitions;
DELETE FROM proposal_transitions;
DROP TABLE proposals;
ALTER TABLE proposals_v10 RENAME TO proposals;
INSERT INTO proposal_transitions SELECT * FROM temp.transitions_v9;
DROP TABLE temp.transitions_v9;

CREATE INDEX proposals_scope ON proposals (commune_code, plan_year, status);
CREATE INDEX proposals_year ON proposals (plan_year, category, funding);
CREATE INDEX proposals_facility ON proposals (facility_id, status);
-- F5's stage filters and the đợt of a year.
CREATE INDEX proposals_status ON proposals (status, plan_year);

CREATE TRIGGER facility_commune_moves_proposals AFTER UPDATE OF commune_code ON facilities
WHEN OLD.commune_code IS NOT NEW.commune_code
BEGIN
    UPDATE proposals SET commune_code = NEW.commune_code WHERE facility_id = NEW.id;
END;

-- The approval data travel with a decision; the transition row keeps them for the history.
ALTER TABLE proposal_transitions ADD COLUMN approved_support INTEGER;
ALTER TABLE proposal_transitions ADD COLUMN decision_date TEXT;
