-- The province's yearly targets (dashboard: targets against what is achieved). Set by the
-- province (`ctv targets set`, the dashboard) and carried to communes in receipts; one row per
-- year and key, versioned like every record, each change in the change log.
CREATE TABLE targets (
    year        INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    key         TEXT NOT NULL CHECK (key IN ('facilities_supported', 'money',
                    'training_classes', 'typical_products')),
    value       INTEGER NOT NULL CHECK (value >= 0),
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (year, key)
) STRICT, WITHOUT ROWID;

-- The report counts by period first: a đề án's decision date, a follow-up's closing.
CREATE INDEX proposals_decision ON proposals (decision_date) WHERE decision_date IS NOT NULL;

-- The report groups a scope's consultations of a period by mode and joins their topics: the
-- scope index also holds the mode and the id, so neither needs the table row.
DROP INDEX consultations_scope;
CREATE INDEX consultations_scope ON consultations (commune_code, cur_date, cur_mode, id);

-- Follow-ups done in a period, by commune (the open ones have their partial indexes).
CREATE INDEX follow_ups_closed ON follow_ups (commune_code, closed_at) WHERE status = 'done';
