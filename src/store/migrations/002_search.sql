-- What search reads, and nothing else: the searched texts of live facilities. `ctv find` and the
-- terminal app load all of it at once; read from the wide facilities table that meant copying
-- three times the bytes (docs/PERFORMANCE.md). Triggers keep it in step with every write, in
-- the same transaction, whichever code path writes.
CREATE TABLE facility_search (
    fid                 INTEGER PRIMARY KEY,  -- facilities.rowid
    id                  TEXT NOT NULL,
    name                TEXT NOT NULL,
    name_fold           TEXT NOT NULL,
    representative      TEXT NOT NULL,
    representative_fold TEXT NOT NULL,
    products            TEXT NOT NULL,
    products_fold       TEXT NOT NULL,
    commune_code        TEXT NOT NULL,
    phone               TEXT NOT NULL
) STRICT;

INSERT INTO facility_search
SELECT rowid, id, name, name_fold, representative, representative_fold, products, products_fold,
       commune_code, coalesce(phone, '')
FROM facilities WHERE archived = 0;

CREATE TRIGGER facility_search_insert AFTER INSERT ON facilities WHEN new.archived = 0
BEGIN
    INSERT INTO facility_search
    VALUES (new.rowid, new.id, new.name, new.name_fold, new.representative, new.representative_fold,
            new.products, new.products_fold, new.commune_code, coalesce(new.phone, ''));
END;

CREATE TRIGGER facility_search_update AFTER UPDATE ON facilities
BEGIN
    DELETE FROM facility_search WHERE fid = old.rowid;
    INSERT INTO facility_search
    SELECT new.rowid, new.id, new.name, new.name_fold, new.representative, new.representative_fold,
           new.products, new.products_fold, new.commune_code, coalesce(new.phone, '')
    WHERE new.archived = 0;
END;

CREATE TRIGGER facility_search_delete AFTER DELETE ON facilities
BEGIN
    DELETE FROM facility_search WHERE fid = old.rowid;
END;
