-- CTV schema, version 16: the craft-village register and a facility's products with their
-- titles (issue 17). Both are records that travel in bundles (UUIDv7 id, version, change
-- log, rev). A village's communes and a product's titles are part of their record.

-- Làng nghề / làng nghề truyền thống. Scope: its first commune (commune_code).
CREATE TABLE craft_villages (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    name_fold      TEXT NOT NULL,                -- text::fold: import matches names folded
    sort_key       BLOB NOT NULL,                -- Vietnamese alphabetical order
    commune_code   TEXT NOT NULL,                -- the (first) commune, for scope
    trade_group    TEXT,                         -- rural_trade_groups.csv
    traditional    INTEGER NOT NULL DEFAULT 0 CHECK (traditional IN (0, 1)),
    decision_no    TEXT NOT NULL DEFAULT '',     -- the recognition decision
    decision_date  TEXT,                         -- YYYY-MM-DD
    status         TEXT NOT NULL DEFAULT 'CONG_NHAN'
                       CHECK (status IN ('CONG_NHAN', 'CHUA_CONG_NHAN', 'THU_HOI')),
    notes          TEXT NOT NULL DEFAULT '',
    archived       INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
    created_at     TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    updated_by     TEXT NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX craft_villages_commune ON craft_villages (commune_code, sort_key);
CREATE INDEX craft_villages_fold ON craft_villages (name_fold);

-- A village may span several communes; position 0 is commune_code.
CREATE TABLE craft_village_communes (
    village_id    TEXT NOT NULL REFERENCES craft_villages (id),
    position      INTEGER NOT NULL CHECK (position >= 0),
    commune_code  TEXT NOT NULL,
    PRIMARY KEY (village_id, position),
    UNIQUE (village_id, commune_code)
) STRICT;
CREATE INDEX craft_village_communes_code ON craft_village_communes (commune_code);

-- A facility belongs to a registered village (the free-text craft_village stays for what a
-- list said and could not be matched).
ALTER TABLE facilities ADD COLUMN village_id TEXT REFERENCES craft_villages (id);
CREATE INDEX facilities_village ON facilities (village_id) WHERE village_id IS NOT NULL;

-- A facility's products. Scope comes from the facility.
CREATE TABLE facility_products (
    id           TEXT PRIMARY KEY,
    facility_id  TEXT NOT NULL REFERENCES facilities (id),
    name         TEXT NOT NULL,
    name_fold    TEXT NOT NULL,
    notes        TEXT NOT NULL DEFAULT '',
    archived     INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
    created_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    updated_by   TEXT NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX facility_products_of ON facility_products (facility_id);

-- A product's titles: OCOP stars (3–5; a certificate lasts 36 months) or a typical rural
-- industrial product (sản phẩm CNNT tiêu biểu) at a level. Part of the product record.
CREATE TABLE product_titles (
    product_id    TEXT NOT NULL REFERENCES facility_products (id),
    position      INTEGER NOT NULL CHECK (position >= 0),
    kind          TEXT NOT NULL CHECK (kind IN ('OCOP', 'TIEU_BIEU')),
    year          INTEGER NOT NULL,
    -- OCOP: '3', '4' or '5' (stars); TIEU_BIEU: 'HUYEN', 'TINH', 'KHU_VUC' or 'QUOC_GIA'.
    level         TEXT NOT NULL,
    certificate   TEXT NOT NULL DEFAULT '',
    issued_date   TEXT,                         -- YYYY-MM-DD
    expiry_date   TEXT,                         -- YYYY-MM-DD; OCOP: issued + 36 months
    PRIMARY KEY (product_id, position)
) STRICT;
CREATE INDEX product_titles_expiry ON product_titles (expiry_date);
