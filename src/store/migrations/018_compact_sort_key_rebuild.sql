-- Migration 018, after the hook has rewritten facilities.sort_key and craft_villages.sort_key
-- (the proposals' facility_sort copies followed through their trigger of migration 014).
INSERT INTO facility_search
    (sort_key, fid, id, name, name_fold, representative, representative_fold, products,
     products_fold, commune_code, phone, tax_code)
SELECT sort_key, rowid, id, name, name_fold, representative, representative_fold, products,
       products_fold, commune_code, coalesce(phone, ''), coalesce(tax_code, '')
FROM facilities WHERE archived = 0
ORDER BY sort_key, rowid;

-- One index per sort order the list offers, as in migration 001; the rowid each index
-- entry ends with is the final tie-break (`ORDER BY sort_key, rowid` is an index walk).
CREATE INDEX facilities_sort ON facilities (archived, sort_key);
CREATE INDEX facilities_commune ON facilities (archived, commune_code, sort_key);
CREATE INDEX facilities_trade ON facilities (archived, trade_group, sort_key);
CREATE INDEX facilities_workers ON facilities (archived, workers, sort_key);
CREATE INDEX facilities_updated ON facilities (archived, updated_at);
CREATE INDEX craft_villages_commune ON craft_villages (commune_code, sort_key);

-- The triggers of migrations 006 and 009, unchanged.
CREATE TRIGGER facility_search_insert AFTER INSERT ON facilities WHEN new.archived = 0
BEGIN
    INSERT INTO facility_search
        (sort_key, fid, id, name, name_fold, representative, representative_fold, products,
         products_fold, commune_code, phone, tax_code)
    VALUES (new.sort_key, new.rowid, new.id, new.name, new.name_fold, new.representative,
            new.representative_fold, new.products, new.products_fold, new.commune_code,
            coalesce(new.phone, ''), coalesce(new.tax_code, ''));
END;

CREATE TRIGGER facility_search_update AFTER UPDATE ON facilities
BEGIN
    DELETE FROM facility_search WHERE sort_key = old.sort_key AND fid = old.rowid;
    INSERT INTO facility_search
        (sort_key, fid, id, name, name_fold, representative, representative_fold, products,
         products_fold, commune_code, phone, tax_code)
    SELECT new.sort_key, new.rowid, new.id, new.name, new.name_fold, new.representative,
           new.representative_fold, new.products, new.products_fold, new.commune_code,
           coalesce(new.phone, ''), coalesce(new.tax_code, '')
    WHERE new.archived = 0;
END;

CREATE TRIGGER facility_search_delete AFTER DELETE ON facilities
BEGIN
    DELETE FROM facility_search WHERE sort_key = old.sort_key AND fid = old.rowid;
END;
