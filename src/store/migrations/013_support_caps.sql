-- CTV schema, version 13: support caps as data the province loads (issue 15).
-- A table of caps is loaded whole (`ctv caps import`, or received with a receipt at a
-- commune) and replaces the province's table in force; the replaced one stays, with when it
-- was replaced, as the history.

CREATE TABLE support_cap_tables (
    id             INTEGER PRIMARY KEY,
    province_code  TEXT NOT NULL,
    -- 'import' (the province's own file) or 'receipt' (a copy received from the province).
    origin         TEXT NOT NULL CHECK (origin IN ('import', 'receipt')),
    file_name      TEXT NOT NULL DEFAULT '',
    loaded_at      TEXT NOT NULL,
    loaded_by      TEXT NOT NULL,
    loaded_by_name TEXT NOT NULL,
    -- NULL: the table in force.
    replaced_at    TEXT
) STRICT;

-- One table in force per province.
CREATE UNIQUE INDEX support_cap_tables_in_force ON support_cap_tables (province_code)
    WHERE replaced_at IS NULL;

CREATE TABLE support_caps (
    table_id       INTEGER NOT NULL REFERENCES support_cap_tables (id),
    -- The line of the file the row came from (for messages and the listing's order).
    line           INTEGER NOT NULL,
    province_code  TEXT NOT NULL,
    category       TEXT NOT NULL,
    funding        TEXT NOT NULL CHECK (funding IN ('KCQG', 'KCDP', '*')),
    effective_from TEXT NOT NULL,
    effective_to   TEXT CHECK (effective_to IS NULL OR effective_to >= effective_from),
    percent        INTEGER CHECK (percent IS NULL OR percent BETWEEN 0 AND 100),
    max_vnd        INTEGER CHECK (max_vnd IS NULL OR max_vnd >= 0),
    source         TEXT NOT NULL CHECK (source <> ''),
    CHECK (percent IS NOT NULL OR max_vnd IS NOT NULL),
    PRIMARY KEY (table_id, line)
) STRICT;
