//! Facilities: create, edit (with a version check), archive, list, and bulk import.

use rusqlite::{params, OptionalExtension, Transaction};

use super::{change_log, found, new_id, same_version, Actor, Result, Store, StoreError};
use crate::domain::dup::{DupIndex, DupKey, Suspect};
use crate::domain::facility::{
    validate, Facility, FacilityData, FacilityInput, FacilityStatus, ValidationContext,
};
use crate::domain::issue::Issues;
use crate::record::{content_rev, FacilityRecord};
use crate::text::{fold, vn_sort_key};

use super::rows::{self, DUP_KEY_SQL, FACILITY_SQL};

/// Which facilities a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FacilityFilter {
    /// Only these communes (None: all).
    pub communes: Option<Vec<String>>,
    pub trade_group: Option<String>,
    pub status: Option<FacilityStatus>,
    /// false: only live records; true: only archived ones.
    pub archived: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FacilitySort {
    /// Vietnamese alphabetical order of the name.
    #[default]
    Name,
    Commune,
    TradeGroup,
    Workers,
    Updated,
}

impl FacilitySort {
    fn order_by(self, desc: bool) -> String {
        // Each order matches an index of migration 018, so a window is an index walk; the
        // rowid that ends every index entry breaks ties (the text id is not in them).
        let d = if desc { " DESC" } else { "" };
        match self {
            FacilitySort::Name => format!("sort_key{d}, rowid{d}"),
            FacilitySort::Commune => format!("commune_code{d}, sort_key{d}, rowid{d}"),
            FacilitySort::TradeGroup => format!("trade_group{d}, sort_key{d}, rowid{d}"),
            FacilitySort::Workers => format!("workers{d}, sort_key{d}, rowid{d}"),
            FacilitySort::Updated => format!("updated_at{d}, rowid{d}"),
        }
    }
}

impl FacilityFilter {
    /// `scope`: the communes the reader may see (None: all), on top of the filter's own.
    fn where_clause(&self, scope: Option<&[String]>) -> (String, Vec<rusqlite::types::Value>) {
        use rusqlite::types::Value;
        let mut sql = String::from("archived = ?");
        let mut args = vec![Value::Integer(i64::from(self.archived))];
        let narrowed: Option<Vec<String>> = match (&self.communes, scope) {
            (Some(cs), Some(sc)) => Some(cs.iter().filter(|c| sc.contains(c)).cloned().collect()),
            (Some(cs), None) => Some(cs.clone()),
            (None, Some(sc)) => Some(sc.to_vec()),
            (None, None) => None,
        };
        if let Some(cs) = &narrowed {
            // A scope can hold a whole province (~170 communes): one placeholder each is fine.
            sql.push_str(" AND commune_code IN (");
            for (i, c) in cs.iter().enumerate() {
                sql.push_str(if i == 0 { "?" } else { ",?" });
                args.push(Value::Text(c.clone()));
            }
            if cs.is_empty() {
                sql.push_str("NULL");
            }
            sql.push(')');
        }
        if let Some(t) = &self.trade_group {
            sql.push_str(" AND trade_group = ?");
            args.push(Value::Text(t.clone()));
        }
        if let Some(s) = self.status {
            sql.push_str(" AND status = ?");
            args.push(Value::Text(s.as_str().into()));
        }
        (sql, args)
    }
}

/// What a bulk import wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOutcome {
    pub inserted: usize,
    pub ids: Vec<String>,
}

/// The values of a facility row in column order: ?1 id, ?2–?28 the data (with folded keys and
/// the sort key), ?29 the time, ?30 the actor, then any `extra` (the UPDATE's version, ?31).
/// One list for the INSERT and the UPDATE, so they cannot drift apart.
macro_rules! facility_params {
    ($id:expr, $d:expr, $now:expr, $actor:expr $(, $extra:expr)*) => {
        params![
            $id,
            $d.name,
            fold(&$d.name),
            vn_sort_key(&$d.name),
            $d.entity_type,
            $d.tax_code,
            $d.representative,
            fold(&$d.representative),
            $d.phone,
            $d.address,
            $d.commune_code,
            $d.trade_group,
            $d.products,
            fold(&$d.products),
            $d.workers,
            $d.founded_year,
            $d.craft_village,
            $d.ocop_stars,
            $d.ocop_year,
            $d.typical_level,
            $d.typical_year,
            $d.exports,
            $d.local_materials,
            $d.woman_owned,
            $d.ethnic_owned,
            $d.difficult_area,
            $d.status.as_str(),
            $d.notes,
            $now,
            $actor
            $(, $extra)*
        ]
    };
}

/// `old_code`: the pre-2025 commune code a migrated record came with (kept, read-only).
fn insert_row(
    tx: &Transaction<'_>,
    id: &str,
    d: &FacilityData,
    (old_code, village_id): (Option<&str>, Option<&str>),
    now: &str,
    actor: &Actor,
) -> Result<()> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO facilities (id, name, name_fold, sort_key, entity_type, tax_code, representative,
            representative_fold, phone, address, commune_code, trade_group, products, products_fold, workers,
            founded_year, craft_village, ocop_stars, ocop_year, typical_level, typical_year, exports,
            local_materials, woman_owned, ethnic_owned, difficult_area, status, notes,
            created_at, created_by, updated_at, updated_by, version, archived, old_commune_code,
            village_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
            ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?29, ?30, 1, 0, ?31, ?32)",
    )?;
    stmt.execute(facility_params!(id, d, now, actor.id, old_code, village_id))?;
    // The log keeps version 1's rev, not its body (issue 18): the body is the current row
    // with the later diffs undone, and `ctv check` walks that back to this rev.
    let rev = content_rev(&created_record(
        id,
        d,
        (old_code, village_id),
        now,
        &actor.id,
    ));
    change_log::record_created(tx, (now, actor), ("facility", id), &rev, None)
}

/// The bundle record of a facility as [`insert_row`] writes it (what its rev hashes).
fn created_record(
    id: &str,
    d: &FacilityData,
    (old_code, village_id): (Option<&str>, Option<&str>),
    now: &str,
    actor_id: &str,
) -> FacilityRecord {
    FacilityRecord {
        id: id.to_string(),
        name: d.name.clone(),
        entity_type: d.entity_type.clone(),
        tax_code: d.tax_code.clone(),
        representative: d.representative.clone(),
        phone: d.phone.clone(),
        address: d.address.clone(),
        commune_code: d.commune_code.clone(),
        trade_group: d.trade_group.clone(),
        products: d.products.clone(),
        workers: d.workers,
        founded_year: d.founded_year,
        craft_village: d.craft_village.clone(),
        ocop_stars: d.ocop_stars,
        ocop_year: d.ocop_year,
        typical_level: d.typical_level.clone(),
        typical_year: d.typical_year,
        exports: d.exports,
        local_materials: d.local_materials,
        woman_owned: d.woman_owned,
        ethnic_owned: d.ethnic_owned,
        difficult_area: d.difficult_area,
        status: d.status.as_str().to_string(),
        notes: d.notes.clone(),
        old_commune_code: old_code.map(str::to_string),
        archived: false,
        created_at: now.to_string(),
        created_by: actor_id.to_string(),
        updated_at: now.to_string(),
        updated_by: actor_id.to_string(),
        village_id: village_id.map(str::to_string),
    }
}

impl Store {
    /// The context a facility is validated in: this collaborator's scope, today's date.
    pub fn validation_context(&self, spreadsheet: bool) -> ValidationContext<'_> {
        ValidationContext {
            profile: self.profile(),
            today: self.today(),
            spreadsheet,
        }
    }

    /// Validates and saves a new facility. Returns it with any warnings.
    pub fn create_facility(&mut self, input: &FacilityInput) -> Result<(Facility, Issues)> {
        self.require_profile()?;
        let (data, warnings) = validate(input, &self.validation_context(false))?;
        let f = self.insert_facility(&data)?;
        Ok((f, warnings))
    }

    /// Saves already-validated data as a new facility.
    pub fn insert_facility(&mut self, data: &FacilityData) -> Result<Facility> {
        let actor = self.actor()?;
        self.check_scope(&data.commune_code)?;
        let id = new_id();
        let now = self.now_string();
        self.write(|tx| insert_row(tx, &id, data, (None, None), &now, &actor))?;
        self.facility(&id)?.ok_or(StoreError::NotFound(id))
    }

    /// Saves many validated facilities in one transaction: all of them or none.
    pub fn import_facilities(&mut self, rows: &[FacilityData]) -> Result<ImportOutcome> {
        self.import_facilities_with_old_codes(rows, &[])
    }

    /// [`Store::import_facilities`], keeping the pre-2025 commune code each row was given in
    /// (`old_codes[k]` for `rows[k]`; missing entries are `None`).
    pub fn import_facilities_with_old_codes(
        &mut self,
        rows: &[FacilityData],
        old_codes: &[Option<String>],
    ) -> Result<ImportOutcome> {
        self.import_facilities_linked(rows, old_codes, &[])
    }

    /// [`Store::import_facilities_with_old_codes`], each row also linked to the registered
    /// craft village its list named (`village_ids[k]` for `rows[k]`; missing: none).
    pub fn import_facilities_linked(
        &mut self,
        rows: &[FacilityData],
        old_codes: &[Option<String>],
        village_ids: &[Option<String>],
    ) -> Result<ImportOutcome> {
        let actor = self.actor()?;
        for d in rows {
            self.check_scope(&d.commune_code)?;
        }
        let now = self.now_string();
        let ids: Vec<String> = rows.iter().map(|_| new_id()).collect();
        let existing = self.count_all_facilities()?;
        let rebuild = rows.len() >= 5000 && rows.len() >= existing;
        self.bulk_write(rows.len(), rebuild, &["facilities", "change_log"], |tx| {
            for (k, (id, d)) in ids.iter().zip(rows).enumerate() {
                let old = old_codes.get(k).and_then(Option::as_deref);
                let village = village_ids.get(k).and_then(Option::as_deref);
                insert_row(tx, id, d, (old, village), &now, &actor)?;
            }
            Ok(())
        })?;
        Ok(ImportOutcome {
            inserted: rows.len(),
            ids,
        })
    }

    /// Saves an edit made on version `expected_version`. If someone changed the record since,
    /// nothing is written and `Conflict` says so. An edit that changes nothing writes nothing.
    pub fn update_facility(
        &mut self,
        id: &str,
        expected_version: i64,
        input: &FacilityInput,
    ) -> Result<(Facility, Issues)> {
        self.require_profile()?;
        let (data, warnings) = validate(input, &self.validation_context(false))?;
        let f = self.update_facility_data(id, expected_version, &data)?;
        Ok((f, warnings))
    }

    pub fn update_facility_data(
        &mut self,
        id: &str,
        expected_version: i64,
        data: &FacilityData,
    ) -> Result<Facility> {
        let actor = self.actor()?;
        let now = self.now_string();
        let profile = self.profile.clone();
        self.write(|tx| {
            let old = found(id, load(tx, id)?)?;
            for c in [&old.data.commune_code, &data.commune_code] {
                if !profile.as_ref().is_some_and(|p| p.covers_commune(c)) {
                    return Err(StoreError::OutOfScope(c.clone()));
                }
            }
            same_version(id, expected_version, old.meta.version)?;
            let changes = FacilityData::diff(Some(&old.data), data);
            if changes.is_empty() {
                return Ok(());
            }
            let version = old.meta.version + 1;
            let d = data;
            tx.execute(
                "UPDATE facilities SET name = ?2, name_fold = ?3, sort_key = ?4, entity_type = ?5, tax_code = ?6,
                    representative = ?7, representative_fold = ?8, phone = ?9, address = ?10, commune_code = ?11,
                    trade_group = ?12, products = ?13, products_fold = ?14, workers = ?15, founded_year = ?16,
                    craft_village = ?17, ocop_stars = ?18, ocop_year = ?19, typical_level = ?20, typical_year = ?21,
                    exports = ?22, local_materials = ?23, woman_owned = ?24, ethnic_owned = ?25,
                    difficult_area = ?26, status = ?27, notes = ?28, updated_at = ?29, updated_by = ?30,
                    version = ?31
                 WHERE id = ?1",
                facility_params!(id, d, now, actor.id, version),
            )?;
            change_log::record(tx, &now, &actor, "facility", id, "update", version, &changes)
        })?;
        found(id, self.facility(id)?)
    }

    /// Archives (soft-deletes) or restores a facility; the record and its history stay.
    pub fn set_facility_archived(
        &mut self,
        id: &str,
        expected_version: i64,
        archived: bool,
    ) -> Result<Facility> {
        let actor = self.actor()?;
        let now = self.now_string();
        let profile = self.profile.clone();
        self.write(|tx| {
            let old = found(id, load(tx, id)?)?;
            if !profile.as_ref().is_some_and(|p| p.covers_commune(&old.data.commune_code)) {
                return Err(StoreError::OutOfScope(old.data.commune_code.clone()));
            }
            same_version(id, expected_version, old.meta.version)?;
            if old.meta.archived == archived {
                return Ok(());
            }
            let version = old.meta.version + 1;
            tx.execute(
                "UPDATE facilities SET archived = ?2, updated_at = ?3, updated_by = ?4, version = ?5 WHERE id = ?1",
                params![id, archived, now, actor.id, version],
            )?;
            let mut changes = serde_json::Map::new();
            changes.insert("archived".into(), serde_json::json!([old.meta.archived, archived]));
            let action = if archived { "archive" } else { "restore" };
            change_log::record(tx, &now, &actor, "facility", id, action, version, &changes)
        })?;
        found(id, self.facility(id)?)
    }

    pub fn facility(&self, id: &str) -> Result<Option<Facility>> {
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {FACILITY_SQL} FROM facilities WHERE id = ?1"),
                [id],
                rows::facility,
            )
            .optional()?)
    }

    /// Finds a facility by its full id, or by a unique ending of it (the short id lists show:
    /// the last characters of a UUIDv7 are its random part).
    /// On a shared database a facility outside the reader's scope is not found.
    pub fn facility_by_ref(&self, reference: &str) -> Result<Option<Facility>> {
        self.by_ref_in_scope(
            "facilities",
            reference,
            |id| self.facility(id),
            |f| &f.data.commune_code,
        )
    }

    /// One window of the list, in the order asked for.
    pub fn list_facilities(
        &self,
        filter: &FacilityFilter,
        sort: FacilitySort,
        desc: bool,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<Facility>> {
        let scope = self.read_scope();
        let (w, mut args) = filter.where_clause(scope.as_deref());
        let sql = format!(
            "SELECT {FACILITY_SQL} FROM facilities WHERE {w} ORDER BY {} LIMIT ? OFFSET ?",
            sort.order_by(desc)
        );
        args.push(rusqlite::types::Value::Integer(limit as i64));
        args.push(rusqlite::types::Value::Integer(offset as i64));
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args), rows::facility)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Every facility, archived or not.
    pub fn count_all_facilities(&self) -> Result<usize> {
        let n: i64 = self
            .conn()
            .query_row("SELECT count(*) FROM facilities", [], |r| r.get(0))?;
        Ok(n as usize)
    }

    /// Where `id` stands in the list of `filter` in this order (0-based), None when the
    /// filter leaves it out.
    pub fn facility_position(
        &self,
        filter: &FacilityFilter,
        sort: FacilitySort,
        desc: bool,
        id: &str,
    ) -> Result<Option<usize>> {
        let scope = self.read_scope();
        let (w, mut args) = filter.where_clause(scope.as_deref());
        let sql = format!(
            // By rowid: the list indexes hold it, not the text id, so the walk reads no row.
            "SELECT pos FROM (SELECT rowid AS r, row_number() OVER (ORDER BY {}) - 1 AS pos \
             FROM facilities WHERE {w}) WHERE r = (SELECT rowid FROM facilities WHERE id = ?)",
            sort.order_by(desc)
        );
        args.push(rusqlite::types::Value::Text(id.to_string()));
        let pos: Option<i64> = self
            .conn()
            .query_row(&sql, rusqlite::params_from_iter(args), |r| r.get(0))
            .optional()?;
        Ok(pos.map(|p| p as usize))
    }

    pub fn count_facilities(&self, filter: &FacilityFilter) -> Result<usize> {
        let scope = self.read_scope();
        let (w, args) = filter.where_clause(scope.as_deref());
        let n: i64 = self.conn().query_row(
            &format!("SELECT count(*) FROM facilities WHERE {w}"),
            rusqlite::params_from_iter(args),
            |r| r.get(0),
        )?;
        Ok(n as usize)
    }

    /// The ids of the facilities `filter` shows (for narrowing search results to the user's
    /// own area; a commune or an area holds a few thousand at most).
    pub fn facility_ids_shown(
        &self,
        filter: &FacilityFilter,
    ) -> Result<std::collections::HashSet<String>> {
        let scope = self.read_scope();
        let (w, args) = filter.where_clause(scope.as_deref());
        let mut stmt = self
            .conn()
            .prepare(&format!("SELECT id FROM facilities WHERE {w}"))?;
        let ids = stmt
            .query_map(rusqlite::params_from_iter(args), |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(ids)
    }

    /// Live facilities that `data` may duplicate (same tax number, same phone, or a close name
    /// in the same commune), `exclude` being the record itself when editing.
    pub fn duplicate_suspects(
        &self,
        data: &FacilityData,
        exclude: Option<&str>,
    ) -> Result<Vec<Suspect>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {DUP_KEY_SQL} FROM facilities
             WHERE archived = 0 AND (commune_code = ?1 OR tax_code = ?2 OR phone = ?3)"
        ))?;
        let mut idx = DupIndex::new();
        let rows = stmt.query_map(
            params![data.commune_code, data.tax_code, data.phone],
            rows::dup_key,
        )?;
        for k in rows {
            idx.insert(k?);
        }
        let cand = DupKey {
            id: exclude.unwrap_or("").to_string(),
            name: data.name.clone(),
            commune_code: data.commune_code.clone(),
            tax_code: data.tax_code.clone(),
            phone: data.phone.clone(),
        };
        // A suspect the reader may not read is reported without name, commune or id (the
        // one read-scope check, `may_read`): "a facility outside your area" — ask the province.
        Ok(idx
            .suspects(&cand)
            .into_iter()
            .map(|mut s| {
                if !self.may_read(&s.commune_code) {
                    s.id.clear();
                    s.name.clear();
                    s.commune_code.clear();
                }
                s
            })
            .collect())
    }

    /// Every live facility in a duplicate index, for bulk checks.
    pub fn dup_index(&self) -> Result<DupIndex> {
        let mut stmt = self.conn().prepare(&format!(
            "SELECT {DUP_KEY_SQL} FROM facilities WHERE archived = 0"
        ))?;
        let mut idx = DupIndex::new();
        for k in stmt.query_map([], rows::dup_key)? {
            idx.insert(k?);
        }
        Ok(idx)
    }

    /// The search index over live facilities (name, representative, products, commune, phone).
    pub fn search_index(&self) -> Result<crate::search::SearchIndex> {
        use crate::search::{DocRef, SearchIndex};
        use std::collections::HashMap;
        // Two cores, two halves: this thread reads the rows (SQLite, UTF-8 checks) and hands
        // them over in batches — the texts of 2,048 rows in one String, with each row's field
        // boundaries — while a second thread builds the index (docs/PERFORMANCE.md). The
        // reader copies bytes and checks a whole batch is UTF-8 at once (the builder is the
        // busier thread), not each of its 20,000 short fields.
        const BATCH: usize = 2048;
        struct Batch {
            text: String,
            /// Per row: where each of its ten fields starts, and where the last ends.
            rows: Vec<[u32; 11]>,
        }
        let (tx, rx) = std::sync::mpsc::sync_channel::<Batch>(4);
        let builder = std::thread::Builder::new()
            .name("ctv-search-index".into())
            .spawn(move || {
                let units = crate::refdata::units();
                let mut communes: HashMap<String, (String, String)> = HashMap::new();
                let mut idx = SearchIndex::new();
                for batch in rx {
                    let text = batch.text;
                    for at in &batch.rows {
                        // A field that is not UTF-8 on its own cannot sit in valid UTF-8
                        // but at a char boundary; if it did not, it reads as empty.
                        let field = |i: usize| {
                            text.get(at[i] as usize..at[i + 1] as usize)
                                .unwrap_or_default()
                        };
                        let [id, name, name_f, rep, rep_f, prod, prod_f, code, phone, tax] =
                            std::array::from_fn(field);
                        if !communes.contains_key(code) {
                            let n = units
                                .commune(code)
                                .map_or_else(|| code.to_string(), |c| c.name.clone());
                            let folded = fold(&n);
                            communes.insert(code.to_string(), (n, folded));
                        }
                        let (cname, cfold) = &communes[code];
                        let doc = DocRef {
                            id,
                            name,
                            representative: rep,
                            products: prod,
                            commune: cname,
                            phone,
                            tax_code: tax,
                        };
                        idx.push_stored(doc, [name_f, rep_f, prod_f, cfold, phone]);
                    }
                }
                idx
            })
            .map_err(|e| StoreError::Corrupt(format!("search index thread: {e}")))?;
        let scope: Option<std::collections::HashSet<String>> =
            self.read_scope().map(|v| v.into_iter().collect());
        let read = (|| -> Result<()> {
            let mut stmt = self.conn().prepare(
                "SELECT id, name, name_fold, representative, representative_fold, products,
                        products_fold, commune_code, phone, tax_code
                 FROM facility_search ORDER BY sort_key, fid",
            )?;
            let mut rows = stmt.query([])?;
            let fresh = || (Vec::with_capacity(BATCH * 200), Vec::with_capacity(BATCH));
            let seal = |(bytes, rows): (Vec<u8>, Vec<[u32; 11]>)| -> Result<Batch> {
                let text = String::from_utf8(bytes).map_err(|_| {
                    StoreError::Corrupt("facility_search: text is not UTF-8".into())
                })?;
                Ok(Batch { text, rows })
            };
            let mut batch: (Vec<u8>, Vec<[u32; 11]>) = fresh();
            while let Some(r) = rows.next()? {
                if let Some(scope) = &scope {
                    if !scope.contains(r.get_ref(7)?.as_str().unwrap_or_default()) {
                        continue;
                    }
                }
                let mut at = [0u32; 11];
                for (i, start) in at.iter_mut().take(10).enumerate() {
                    *start = u32::try_from(batch.0.len()).unwrap_or(u32::MAX);
                    let t = r
                        .get_ref(i)?
                        .as_bytes()
                        .map_err(|e| StoreError::Sqlite(rusqlite::Error::from(e)))?;
                    batch.0.extend_from_slice(t);
                }
                at[10] = u32::try_from(batch.0.len()).unwrap_or(u32::MAX);
                batch.1.push(at);
                if batch.1.len() == BATCH {
                    let full = std::mem::replace(&mut batch, fresh());
                    if tx.send(seal(full)?).is_err() {
                        break;
                    }
                }
            }
            if !batch.1.is_empty() {
                let _ = tx.send(seal(batch)?);
            }
            Ok(())
        })();
        drop(tx);
        let idx = builder
            .join()
            .map_err(|_| StoreError::Corrupt("search index thread failed".into()))?;
        read?;
        Ok(idx)
    }
}

fn load(tx: &Transaction<'_>, id: &str) -> Result<Option<Facility>> {
    Ok(tx
        .query_row(
            &format!("SELECT {FACILITY_SQL} FROM facilities WHERE id = ?1"),
            [id],
            rows::facility,
        )
        .optional()?)
}
