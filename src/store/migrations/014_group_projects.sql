-- CTV schema, version 14: đề án with several beneficiaries or none (issue 17), and a đề án's
-- money and stage kept on its row so that F5's stage filters and totals are plain column
-- reads at province scale (issue 15).
--
-- proposals is rebuilt because facility_id may now be NULL (a đề án the centre runs with no
-- facility; for a group đề án it is the lead beneficiary). Foreign keys stay on during
-- migrations, so the checks are deferred to the end of this migration's transaction: the rows
-- are set aside, the table dropped and made again under its own name, and the rows put back
-- into it, so that every child (transitions, the five project tables) has its parent again
-- before the commit.

PRAGMA defer_foreign_keys = ON;

DROP VIEW project_money;
DROP TRIGGER facility_commune_moves_proposals;
CREATE TEMP TABLE proposals_v13 AS SELECT * FROM proposals;
DROP TABLE proposals;

CREATE TABLE proposals (
    id                TEXT PRIMARY KEY,
    -- The facility supported; for a group đề án the lead beneficiary (all of them, with their
    -- shares, are in proposal_beneficiaries); NULL for a đề án with no facility.
    facility_id       TEXT REFERENCES facilities (id),
    -- The facility's commune (or, with no facility, where the đề án takes place), copied so
    -- that scope filters need no join; kept in step by the trigger below.
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
    priorities        INTEGER NOT NULL DEFAULT 0,
    status            TEXT NOT NULL CHECK (status IN ('NHAP', 'DE_XUAT', 'DA_RA_SOAT',
                          'DA_GUI_TINH', 'TRA_LAI', 'PHE_DUYET', 'KHONG_DUYET',
                          'DANG_THUC_HIEN', 'HOAN_THANH', 'DUNG', 'RUT')),
    decision_no       TEXT,
    approved_support  INTEGER CHECK (approved_support IS NULL OR approved_support >= 0),
    decision_date     TEXT,
    approved_funding  TEXT CHECK (approved_funding IS NULL OR approved_funding IN ('KCQG', 'KCDP')),
    batch             TEXT NOT NULL DEFAULT '',
    start_date        TEXT,
    implementing_unit TEXT NOT NULL DEFAULT '',
    planned_end       TEXT,
    stop_reason       TEXT NOT NULL DEFAULT '',
    created_at        TEXT NOT NULL,
    created_by        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    updated_by        TEXT NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1,
    -- A pilot (đề án điểm): its own line in reports.
    is_pilot          INTEGER NOT NULL DEFAULT 0 CHECK (is_pilot IN (0, 1)),
    -- Kept by the triggers below from the project records; never written by the program and
    -- never carried in bundles (each side computes them from the records it holds):
    -- the approved support and planned end after adjustments, the sum paid, the latest
    -- visit's progress, and whether a passing acceptance exists.
    cur_support       INTEGER,
    cur_end           TEXT,
    paid              INTEGER NOT NULL DEFAULT 0,
    last_progress     INTEGER,
    accepted          INTEGER NOT NULL DEFAULT 0,
    -- The facility's Vietnamese sort key, copied so that a list ordered by facility name needs
    -- no lookup of every facility (kept by triggers too; NULL with no facility).
    facility_sort     BLOB,
    CHECK (total_cost = support + counterpart + other_sources)
) STRICT;

INSERT INTO proposals (id, facility_id, commune_code, plan_year, category, funding, title,
    rationale, objectives, content, place, time_frame, total_cost, support, counterpart,
    other_sources, expected_jobs, expected_products, expected_capacity, priorities, status,
    decision_no, approved_support, decision_date, approved_funding, batch, start_date,
    implementing_unit, planned_end, stop_reason, created_at, created_by, updated_at,
    updated_by, version)
SELECT id, facility_id, commune_code, plan_year, category, funding, title,
    rationale, objectives, content, place, time_frame, total_cost, support, counterpart,
    other_sources, expected_jobs, expected_products, expected_capacity, priorities, status,
    decision_no, approved_support, decision_date, approved_funding, batch, start_date,
    implementing_unit, planned_end, stop_reason, created_at, created_by, updated_at,
    updated_by, version
FROM temp.proposals_v13;
DROP TABLE temp.proposals_v13;

CREATE INDEX proposals_scope ON proposals (commune_code, plan_year, status);
CREATE INDEX proposals_year ON proposals (plan_year, category, funding);
CREATE INDEX proposals_facility ON proposals (facility_id, status);
-- F5 at province scale: a stage's đề án in the list's order, with everything the stage
-- conditions, the scope and the totals read, so that count, totals and the list's order are
-- answered from this index alone. It replaces (status, plan_year) of migration 10, its prefix;
-- an index on (status, cur_end) is left out on purpose: the planner then prefers it for the
-- overdue stage and reads every row from the table (measured: 14 ms against 6 ms).
CREATE INDEX proposals_f5 ON proposals (status, plan_year DESC, category, facility_sort, id,
    commune_code, funding, approved_funding, support, cur_support, paid, cur_end, accepted,
    last_progress, batch);

CREATE TRIGGER facility_commune_moves_proposals AFTER UPDATE OF commune_code ON facilities
WHEN OLD.commune_code IS NOT NEW.commune_code
BEGIN
    UPDATE proposals SET commune_code = NEW.commune_code WHERE facility_id = NEW.id;
END;

UPDATE proposals SET facility_sort =
    (SELECT f.sort_key FROM facilities f WHERE f.id = proposals.facility_id);
CREATE TRIGGER facility_renamed_proposals AFTER UPDATE OF sort_key ON facilities
WHEN OLD.sort_key IS NOT NEW.sort_key
BEGIN
    UPDATE proposals SET facility_sort = NEW.sort_key WHERE facility_id = NEW.id;
END;
CREATE TRIGGER proposals_facility_sort AFTER UPDATE OF facility_id ON proposals
BEGIN
    UPDATE proposals SET facility_sort =
        (SELECT f.sort_key FROM facilities f WHERE f.id = NEW.facility_id) WHERE id = NEW.id;
END;

-- A group đề án's beneficiaries and their shares of the money (which add up to the
-- proposal's support and counterpart; the domain checks it). Part of the proposal record:
-- written with it, versioned with it, carried inside it in bundles. The lead is position 0
-- and is also proposals.facility_id.
CREATE TABLE proposal_beneficiaries (
    proposal_id  TEXT NOT NULL REFERENCES proposals (id),
    position     INTEGER NOT NULL CHECK (position >= 0),
    facility_id  TEXT NOT NULL REFERENCES facilities (id),
    support      INTEGER NOT NULL CHECK (support >= 0),
    counterpart  INTEGER NOT NULL DEFAULT 0 CHECK (counterpart >= 0),
    PRIMARY KEY (proposal_id, position),
    UNIQUE (proposal_id, facility_id)
) STRICT;
CREATE INDEX proposal_beneficiaries_facility ON proposal_beneficiaries (facility_id);

-- Money paid and results are per đề án and, for a group đề án, per beneficiary.
ALTER TABLE project_payments ADD COLUMN facility_id TEXT REFERENCES facilities (id);
ALTER TABLE project_results ADD COLUMN facility_id TEXT REFERENCES facilities (id);

-- The one definition of a đề án's money and stage from its records: the approved support
-- and planned end are the latest adjustment's when there is one (by decision date, then
-- entry). The triggers copy it onto the proposal's row; `ctv check` compares the two.
CREATE VIEW project_calc AS
SELECT
    p.id AS proposal_id,
    COALESCE(
        (SELECT a.new_support FROM project_adjustments a
         WHERE a.proposal_id = p.id AND a.new_support IS NOT NULL
         ORDER BY a.date DESC, a.created_at DESC LIMIT 1),
        p.approved_support) AS approved,
    COALESCE(
        (SELECT a.new_end FROM project_adjustments a
         WHERE a.proposal_id = p.id AND a.new_end IS NOT NULL
         ORDER BY a.date DESC, a.created_at DESC LIMIT 1),
        p.planned_end) AS planned_end,
    (SELECT COALESCE(SUM(x.amount), 0) FROM project_payments x
     WHERE x.proposal_id = p.id) AS paid,
    (SELECT v.progress_pct FROM project_visits v WHERE v.proposal_id = p.id
     ORDER BY v.date DESC, v.created_at DESC LIMIT 1) AS last_progress,
    EXISTS (SELECT 1 FROM project_acceptances c
            WHERE c.proposal_id = p.id AND c.result <> 'KHONG_DAT') AS accepted
FROM proposals p;

-- What every reader uses (the page, F5, the register, the payment check): the kept columns.
CREATE VIEW project_money AS
SELECT id AS proposal_id, cur_support AS approved, cur_end AS planned_end, paid,
       last_progress, accepted
FROM proposals;

UPDATE proposals SET (cur_support, cur_end, paid, last_progress, accepted) =
    (SELECT approved, planned_end, paid, last_progress, accepted FROM project_calc c
     WHERE c.proposal_id = proposals.id);

-- Keeping the columns in step. Recursive triggers are off, so the proposal's own triggers do
-- not fire themselves.
CREATE TRIGGER proposals_calc_insert AFTER INSERT ON proposals
BEGIN
    UPDATE proposals SET (cur_support, cur_end, paid, last_progress, accepted) =
        (SELECT approved, planned_end, paid, last_progress, accepted FROM project_calc c
         WHERE c.proposal_id = proposals.id) WHERE id = NEW.id;
    UPDATE proposals SET facility_sort =
        (SELECT f.sort_key FROM facilities f WHERE f.id = NEW.facility_id) WHERE id = NEW.id;
END;
CREATE TRIGGER proposals_calc_update AFTER UPDATE OF approved_support, planned_end ON proposals
BEGIN
    UPDATE proposals SET (cur_support, cur_end, paid, last_progress, accepted) =
        (SELECT approved, planned_end, paid, last_progress, accepted FROM project_calc c
         WHERE c.proposal_id = proposals.id) WHERE id = NEW.id;
END;

CREATE TRIGGER project_adjustments_calc_insert AFTER INSERT ON project_adjustments
BEGIN
    UPDATE proposals SET (cur_support, cur_end, paid, last_progress, accepted) =
        (SELECT approved, planned_end, paid, last_progress, accepted FROM project_calc c
         WHERE c.proposal_id = proposals.id) WHERE id IN (NEW.proposal_id);
END;
CREATE TRIGGER project_adjustments_calc_update AFTER UPDATE ON project_adjustments
BEGIN
    UPDATE proposals SET (cur_support, cur_end, paid, last_progress, accepted) =
        (SELECT approved, planned_end, paid, last_progress, accepted FROM project_calc c
         WHERE c.proposal_id = proposals.id) WHERE id IN (OLD.proposal_id, NEW.proposal_id);
END;
CREATE TRIGGER project_adjustments_calc_delete AFTER DELETE ON project_adjustments
BEGIN
    UPDATE proposals SET (cur_support, cur_end, paid, last_progress, accepted) =
        (SELECT approved, planned_end, paid, last_progress, accepted FROM project_calc c
         WHERE c.proposal_id = proposals.id) WHERE id IN (OLD.proposal_id);
END;
CREATE TRIGGER project_payments_calc_insert AFTER INSERT ON project_payments
BEGIN
    UPDATE proposals SET (cur_support, cur_end, paid, last_progress, accepted) =
        (SELECT approved, planned_end, paid, last_progress, accepted FROM project_calc c
         WHERE c.proposal_id = proposals.id) WHERE id IN (NEW.proposal_id);
END;
CREATE TRIGGER project_payments_calc_update AFTER UPDATE ON project_payments
BEGIN
    UPDATE proposals SET (cur_support, cur_end, paid, last_progress, accepted) =
        (SELECT approved, planned_end, paid, last_progress, accepted FROM project_calc c
         WHERE c.proposal_id = proposals.id) WHERE id IN (OLD.proposal_id, NEW.proposal_id);
END;
CREATE TRIGGER project_payments_calc_delete AFTER DELETE ON project_payments
BEGIN
    UPDATE proposals SET (cur_support, cur_end, paid, last_progress, accepted) =
        (SELECT approved, planned_end, paid, last_progress, accepted FROM project_calc c
         WHERE c.proposal_id = proposals.id) WHERE id IN (OLD.proposal_id);
END;
CREATE TRIGGER project_visits_calc_insert AFTER INSERT ON project_visits
BEGIN
    UPDATE proposals SET (cur_support, cur_end, paid, last_progress, accepted) =
        (SELECT approved, planned_end, paid, last_progress, accepted FROM project_calc c
         WHERE c.proposal_id = proposals.id) WHERE id IN (NEW.proposal_id);
END;
CREATE TRIGGER project_visits_calc_update AFTER UPDATE ON project_visits
BEGIN
    UPDATE proposals SET (cur_support, cur_end, paid, last_progress, accepted) =
        (SELECT approved, planned_end, paid, last_progress, accepted FROM project_calc c
         WHERE c.proposal_id = proposals.id) WHERE id IN (OLD.proposal_id, NEW.proposal_id);
END;
CREATE TRIGGER project_visits_calc_delete AFTER DELETE ON project_visits
BEGIN
    UPDATE proposals SET (cur_support, cur_end, paid, last_progress, accepted) =
        (SELECT approved, planned_end, paid, last_progress, accepted FROM project_calc c
         WHERE c.proposal_id = proposals.id) WHERE id IN (OLD.proposal_id);
END;
CREATE TRIGGER project_acceptances_calc_insert AFTER INSERT ON project_acceptances
BEGIN
    UPDATE proposals SET (cur_support, cur_end, paid, last_progress, accepted) =
        (SELECT approved, planned_end, paid, last_progress, accepted FROM project_calc c
         WHERE c.proposal_id = proposals.id) WHERE id IN (NEW.proposal_id);
END;
CREATE TRIGGER project_acceptances_calc_update AFTER UPDATE ON project_acceptances
BEGIN
    UPDATE proposals SET (cur_support, cur_end, paid, last_progress, accepted) =
        (SELECT approved, planned_end, paid, last_progress, accepted FROM project_calc c
         WHERE c.proposal_id = proposals.id) WHERE id IN (OLD.proposal_id, NEW.proposal_id);
END;
CREATE TRIGGER project_acceptances_calc_delete AFTER DELETE ON project_acceptances
BEGIN
    UPDATE proposals SET (cur_support, cur_end, paid, last_progress, accepted) =
        (SELECT approved, planned_end, paid, last_progress, accepted FROM project_calc c
         WHERE c.proposal_id = proposals.id) WHERE id IN (OLD.proposal_id);
END;
