-- CTV schema, version 11: the đề án after approval (issue 15). Each table is a record that
-- travels in bundles and receipts (UUIDv7 id, version, change log, rev in record_revs).
-- Scope comes from the proposal (its commune_code); dates are YYYY-MM-DD; money whole VND.

-- Điều chỉnh: a decision that changes the approved support or the planned end.
CREATE TABLE project_adjustments (
    id           TEXT PRIMARY KEY,
    proposal_id  TEXT NOT NULL REFERENCES proposals (id),
    decision_no  TEXT NOT NULL,
    date         TEXT NOT NULL,
    new_support  INTEGER CHECK (new_support IS NULL OR new_support >= 0),
    new_end      TEXT,
    reason       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    updated_by   TEXT NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1,
    CHECK (new_support IS NOT NULL OR new_end IS NOT NULL)
) STRICT;
CREATE INDEX project_adjustments_of ON project_adjustments (proposal_id, date);

-- Kiểm tra / giám sát: a monitoring visit, by a collaborator at the facility or by the province.
CREATE TABLE project_visits (
    id              TEXT PRIMARY KEY,
    proposal_id     TEXT NOT NULL REFERENCES proposals (id),
    date            TEXT NOT NULL,
    visitor         TEXT NOT NULL,               -- who went (names, free text)
    checked         TEXT NOT NULL DEFAULT '',    -- what was checked
    progress_pct    INTEGER CHECK (progress_pct IS NULL OR progress_pct BETWEEN 0 AND 100),
    findings        TEXT NOT NULL DEFAULT '',
    follow_up_date  TEXT,                        -- lands on the agenda while not done
    follow_up_done  INTEGER NOT NULL DEFAULT 0 CHECK (follow_up_done IN (0, 1)),
    created_at      TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    updated_by      TEXT NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX project_visits_of ON project_visits (proposal_id, date);
CREATE INDEX project_visits_follow_up ON project_visits (follow_up_date)
    WHERE follow_up_date IS NOT NULL AND follow_up_done = 0;

-- Nghiệm thu: the acceptance, with the actual cost whose parts add up.
CREATE TABLE project_acceptances (
    id                  TEXT PRIMARY KEY,
    proposal_id         TEXT NOT NULL REFERENCES proposals (id),
    date                TEXT NOT NULL,
    units               TEXT NOT NULL,           -- the units taking part
    result              TEXT NOT NULL CHECK (result IN ('DAT', 'KHONG_DAT', 'DAT_CO_DIEU_KIEN')),
    actual_total        INTEGER NOT NULL CHECK (actual_total >= 0),
    actual_support      INTEGER NOT NULL CHECK (actual_support >= 0),
    actual_counterpart  INTEGER NOT NULL DEFAULT 0 CHECK (actual_counterpart >= 0),
    actual_other        INTEGER NOT NULL DEFAULT 0 CHECK (actual_other >= 0),
    notes               TEXT NOT NULL DEFAULT '',
    created_at          TEXT NOT NULL,
    created_by          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    updated_by          TEXT NOT NULL,
    version             INTEGER NOT NULL DEFAULT 1,
    CHECK (actual_total = actual_support + actual_counterpart + actual_other)
) STRICT;
CREATE INDEX project_acceptances_of ON project_acceptances (proposal_id, date);

-- Tạm ứng, thanh toán, quyết toán. The store refuses a payment that would take the sum paid
-- above the approved (adjusted) support.
CREATE TABLE project_payments (
    id           TEXT PRIMARY KEY,
    proposal_id  TEXT NOT NULL REFERENCES proposals (id),
    date         TEXT NOT NULL,
    amount       INTEGER NOT NULL CHECK (amount > 0),
    kind         TEXT NOT NULL CHECK (kind IN ('TAM_UNG', 'THANH_TOAN', 'QUYET_TOAN')),
    doc_no       TEXT NOT NULL DEFAULT '',
    notes        TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    updated_by   TEXT NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX project_payments_of ON project_payments (proposal_id, date);

-- Results: at acceptance, and again at a later evaluation (đánh giá hiệu quả sau hỗ trợ).
CREATE TABLE project_results (
    id                TEXT PRIMARY KEY,
    proposal_id       TEXT NOT NULL REFERENCES proposals (id),
    stage             TEXT NOT NULL CHECK (stage IN ('NGHIEM_THU', 'DANH_GIA')),
    date              TEXT NOT NULL,
    jobs_created      INTEGER CHECK (jobs_created IS NULL OR jobs_created >= 0),
    workers_trained   INTEGER CHECK (workers_trained IS NULL OR workers_trained >= 0),
    revenue_before    INTEGER CHECK (revenue_before IS NULL OR revenue_before >= 0),
    revenue_after     INTEGER CHECK (revenue_after IS NULL OR revenue_after >= 0),
    products          TEXT NOT NULL DEFAULT '',
    equipment_in_use  TEXT NOT NULL DEFAULT '',
    notes             TEXT NOT NULL DEFAULT '',
    created_at        TEXT NOT NULL,
    created_by        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    updated_by        TEXT NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX project_results_of ON project_results (proposal_id, stage, date);
