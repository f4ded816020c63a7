-- CTV schema, version 1: collaborators, facilities, the change log and settings.
-- Ids are UUIDv7 strings made on the collaborator's machine; times are RFC 3339 UTC.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE collaborators (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    name_fold   TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('commune', 'area', 'province')),
    units       TEXT NOT NULL,            -- JSON array of 2025 commune codes, or one province code
    account     TEXT UNIQUE,              -- Unix account on a shared server, if any
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE TABLE facilities (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    name_fold       TEXT NOT NULL,
    sort_key        BLOB NOT NULL,        -- Vietnamese alphabetical order, memcmp-comparable
    entity_type     TEXT,
    tax_code        TEXT,
    representative  TEXT NOT NULL DEFAULT '',
    representative_fold TEXT NOT NULL DEFAULT '',
    phone           TEXT,
    address         TEXT NOT NULL DEFAULT '',
    commune_code    TEXT NOT NULL,
    trade_group     TEXT,
    products        TEXT NOT NULL DEFAULT '',
    products_fold   TEXT NOT NULL DEFAULT '',
    workers         INTEGER CHECK (workers IS NULL OR workers >= 0),
    founded_year    INTEGER,
    craft_village   TEXT NOT NULL DEFAULT '',
    ocop_stars      INTEGER CHECK (ocop_stars IS NULL OR ocop_stars BETWEEN 3 AND 5),
    ocop_year       INTEGER,
    typical_level   TEXT,
    typical_year    INTEGER,
    exports         INTEGER NOT NULL DEFAULT 0,
    local_materials INTEGER NOT NULL DEFAULT 0,
    woman_owned     INTEGER NOT NULL DEFAULT 0,
    ethnic_owned    INTEGER NOT NULL DEFAULT 0,
    difficult_area  INTEGER NOT NULL DEFAULT 0,
    status          TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'closed')),
    notes           TEXT NOT NULL DEFAULT '',
    old_commune_code TEXT,                -- pre-2025 code carried by migrated records, read-only
    archived        INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    updated_by      TEXT NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1
) STRICT;

-- The list pages through these in order (LIMIT/OFFSET over an index, never a sort of the
-- whole table): one index per sort order the list offers, the id as the final tie-break.
CREATE INDEX facilities_sort ON facilities (archived, sort_key, id);
CREATE INDEX facilities_commune ON facilities (archived, commune_code, sort_key, id);
CREATE INDEX facilities_trade ON facilities (archived, trade_group, sort_key, id);
CREATE INDEX facilities_workers ON facilities (archived, workers, sort_key, id);
CREATE INDEX facilities_updated ON facilities (archived, updated_at, id);
CREATE INDEX facilities_tax ON facilities (tax_code) WHERE tax_code IS NOT NULL;
CREATE INDEX facilities_phone ON facilities (phone) WHERE phone IS NOT NULL;

-- Every change to every record, written in the same transaction as the change.
CREATE TABLE change_log (
    seq        INTEGER PRIMARY KEY,     -- rows are never deleted, so rowids only grow
    at         TEXT NOT NULL,
    actor_id   TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    entity     TEXT NOT NULL,             -- 'facility', 'collaborator', …
    record_id  TEXT NOT NULL,
    action     TEXT NOT NULL,             -- 'create', 'update', 'archive', 'restore'
    version    INTEGER NOT NULL,          -- the record's version after this change
    changes    TEXT NOT NULL              -- JSON object: field -> [old, new]
) STRICT;

CREATE INDEX change_log_record ON change_log (entity, record_id, seq);
