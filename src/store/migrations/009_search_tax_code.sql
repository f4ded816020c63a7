-- The tax number in the search table: `ctv find 0136059794` and the terminal app's search
-- find a facility by its mã số thuế as they do by its phone.
ALTER TABLE facility_search ADD COLUMN tax_code TEXT NOT NULL DEFAULT '';

UPDATE facility_search
SET tax_code = coalesce((SELECT f.tax_code FROM facilities f WHERE f.rowid = facility_search.fid), '');

DROP TRIGGER facility_search_insert;
DROP TRIGGER facility_search_update;

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
