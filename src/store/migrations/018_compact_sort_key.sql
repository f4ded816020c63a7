-- CTV schema, version 18: the Vietnamese sort key in about a third of its bytes (`vn_sort_key`
-- now packs each level in bits; same order), and the list indexes without the 36-character
-- text id: ties between equal names (and equal update times) are broken by rowid, which
-- every index holds anyway. At 100,000 facilities the key was stored six times and the id
-- five (docs/PERFORMANCE.md, "Database size").
--
-- This part clears what is built from the keys; the hook of this migration (src/store/mod.rs)
-- then rewrites every stored key and runs 018_compact_sort_key_rebuild.sql.
DROP INDEX facilities_sort;
DROP INDEX facilities_commune;
DROP INDEX facilities_trade;
DROP INDEX facilities_workers;
DROP INDEX facilities_updated;
DROP INDEX craft_villages_commune;

-- The search table is refilled in key order below, so its pages come out full.
DROP TRIGGER facility_search_insert;
DROP TRIGGER facility_search_update;
DROP TRIGGER facility_search_delete;
DELETE FROM facility_search;
