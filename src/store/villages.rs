//! The craft-village register: add, edit (with a version check), archive, list, find by
//! folded name; a facility's link to its village; adopting the free-text village names.
//!
//! One reader ([`load_village`]) and one writer ([`write_village`]) serve the store, the
//! merge and the export, so a village reads and writes the same way everywhere.

use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde_json::{json, Map, Value as Json};

use super::merge::write::json_diff;
use super::{change_log, found, new_id, same_version, Actor, Result, Store, StoreError};
use crate::domain::village::{validate, VillageData, VillageInput, VillageStatus};
use crate::record::VillageRecord;
use crate::text::{fold, vn_sort_key};

/// The change-log entity of a village.
pub const VILLAGE: &str = "craft_village";

const VILLAGE_SQL: &str = "SELECT id, name, trade_group, traditional, decision_no, decision_date,
    status, notes, archived, created_at, created_by, updated_at, updated_by, version
    FROM craft_villages";

fn village_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(VillageRecord, i64)> {
    Ok((
        VillageRecord {
            id: r.get(0)?,
            name: r.get(1)?,
            communes: Vec::new(),
            trade_group: r.get(2)?,
            traditional: r.get::<_, i64>(3)? != 0,
            decision_no: r.get(4)?,
            decision_date: r.get(5)?,
            status: r.get(6)?,
            notes: r.get(7)?,
            archived: r.get::<_, i64>(8)? != 0,
            created_at: r.get(9)?,
            created_by: r.get(10)?,
            updated_at: r.get(11)?,
            updated_by: r.get(12)?,
        },
        r.get(13)?,
    ))
}

fn communes_of(conn: &Connection, id: &str) -> Result<Vec<String>> {
    let mut s = conn.prepare_cached(
        "SELECT commune_code FROM craft_village_communes WHERE village_id = ?1 ORDER BY position",
    )?;
    let out = s
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(out)
}

/// A village with its communes, and its row version.
pub(crate) fn load_village(conn: &Connection, id: &str) -> Result<Option<(VillageRecord, i64)>> {
    let row = conn
        .prepare_cached(&format!("{VILLAGE_SQL} WHERE id = ?1"))?
        .query_row([id], village_row)
        .optional()?;
    let Some((mut rec, version)) = row else {
        return Ok(None);
    };
    rec.communes = communes_of(conn, id)?;
    Ok(Some((rec, version)))
}

/// Villages matching `cond` (SQL over `craft_villages`), in Vietnamese name order.
fn select_villages(
    conn: &Connection,
    cond: &str,
    args: &[&dyn rusqlite::ToSql],
) -> Result<Vec<(VillageRecord, i64)>> {
    let mut s =
        conn.prepare_cached(&format!("{VILLAGE_SQL} WHERE {cond} ORDER BY sort_key, id"))?;
    let rows = s
        .query_map(args, village_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out = Vec::with_capacity(rows.len());
    for (mut rec, v) in rows {
        rec.communes = communes_of(conn, &rec.id)?;
        out.push((rec, v));
    }
    Ok(out)
}

/// Stores `rec` as row `version` (inserted, or replacing the row and its communes).
pub(crate) fn write_village(tx: &Transaction<'_>, rec: &VillageRecord, version: i64) -> Result<()> {
    let first = rec
        .communes
        .first()
        .ok_or_else(|| StoreError::Corrupt(format!("village {} has no commune", rec.id)))?;
    let cols = [
        "id",
        "name",
        "name_fold",
        "sort_key",
        "commune_code",
        "trade_group",
        "traditional",
        "decision_no",
        "decision_date",
        "status",
        "notes",
    ];
    let values = vec![
        Value::from(rec.id.clone()),
        Value::from(rec.name.clone()),
        Value::from(fold(&rec.name)),
        Value::from(vn_sort_key(&rec.name)),
        Value::from(first.clone()),
        Value::from(rec.trade_group.clone()),
        Value::from(rec.traditional),
        Value::from(rec.decision_no.clone()),
        Value::from(rec.decision_date.clone()),
        Value::from(rec.status.clone()),
        Value::from(rec.notes.clone()),
    ];
    let stamps = stamps!(rec, version);
    upsert_row(tx, "craft_villages", &cols, values, &stamps)?;
    let rows = rec
        .communes
        .iter()
        .map(|c| vec![Value::from(c.clone())])
        .collect();
    let part = (
        "craft_village_communes",
        "village_id",
        &["commune_code"][..],
    );
    replace_parts(tx, part, &rec.id, rows)
}

/// The [`Stamps`] of a register record (its `archived` and four stamp fields) at `version`.
macro_rules! stamps {
    ($rec:expr, $version:expr) => {
        $crate::store::villages::Stamps {
            archived: $rec.archived,
            at: [
                &$rec.created_at,
                &$rec.created_by,
                &$rec.updated_at,
                &$rec.updated_by,
            ],
            version: $version,
        }
    };
}
pub(crate) use stamps;

/// The bookkeeping every register row ends with.
pub(crate) struct Stamps<'a> {
    pub archived: bool,
    /// created_at, created_by, updated_at, updated_by
    pub at: [&'a str; 4],
    pub version: i64,
}

/// Inserts a register row, or replaces the one of the same id: `cols`/`values` its content
/// (`id` first), then the stamps.
pub(crate) fn upsert_row(
    tx: &Transaction<'_>,
    table: &str,
    cols: &[&str],
    mut values: Vec<Value>,
    stamps: &Stamps<'_>,
) -> Result<()> {
    const STAMP_COLS: [&str; 6] = [
        "archived",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
        "version",
    ];
    values.push(Value::from(stamps.archived));
    values.extend(stamps.at.iter().map(|s| Value::from(s.to_string())));
    values.push(Value::from(stamps.version));
    let all: Vec<&str> = cols.iter().copied().chain(STAMP_COLS).collect();
    let marks = vec!["?"; all.len()].join(", ");
    let set = all
        .iter()
        .filter(|c| **c != "id")
        .map(|c| format!("{c} = excluded.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "INSERT INTO {table} ({}) VALUES ({marks}) ON CONFLICT (id) DO UPDATE SET {set}",
        all.join(", ")
    );
    tx.prepare_cached(&sql)?
        .execute(rusqlite::params_from_iter(values))?;
    Ok(())
}

/// Replaces the parts of a record (a village's communes, a product's titles): `part` is
/// (table, the column naming the record, the part's own columns after `position`).
pub(crate) fn replace_parts(
    tx: &Transaction<'_>,
    (table, key, cols): (&str, &str, &[&str]),
    id: &str,
    rows: Vec<Vec<Value>>,
) -> Result<()> {
    tx.prepare_cached(&format!("DELETE FROM {table} WHERE {key} = ?1"))?
        .execute([id])?;
    let marks = vec!["?"; cols.len() + 2].join(", ");
    let mut ins = tx.prepare_cached(&format!(
        "INSERT INTO {table} ({key}, position, {}) VALUES ({marks})",
        cols.join(", ")
    ))?;
    for (i, row) in rows.into_iter().enumerate() {
        let mut values = vec![Value::from(id.to_string()), Value::from(i as i64)];
        values.extend(row);
        ins.execute(rusqlite::params_from_iter(values))?;
    }
    Ok(())
}

/// A record's JSON (for the change log's field → [old, new]).
fn as_json<T: serde::Serialize>(r: &T) -> Json {
    serde_json::to_value(r).unwrap_or(Json::Null)
}

/// Writes `rec` as version `version` of a register record with its change-log row (the
/// difference from `old`, None: created) — the one way the store writes these records.
pub(crate) fn write_logged<T: serde::Serialize>(
    tx: &Transaction<'_>,
    (now, actor): (&str, &Actor),
    (entity, id, action): (&str, &str, &str),
    old: Option<&T>,
    rec: &T,
    version: i64,
    write: impl FnOnce(&Transaction<'_>, &T, i64) -> Result<()>,
) -> Result<()> {
    let changes = json_diff(old.map(as_json).as_ref(), &as_json(rec));
    write(tx, rec, version)?;
    change_log::record(tx, now, actor, entity, id, action, version, &changes)
}

fn record_of(id: &str, d: VillageData, stamps: [&str; 4], archived: bool) -> VillageRecord {
    VillageRecord {
        id: id.to_string(),
        name: d.name,
        communes: d.communes,
        trade_group: d.trade_group,
        traditional: d.traditional,
        decision_no: d.decision_no,
        decision_date: d.decision_date,
        status: d.status.code().to_string(),
        notes: d.notes,
        archived,
        created_at: stamps[0].to_string(),
        created_by: stamps[1].to_string(),
        updated_at: stamps[2].to_string(),
        updated_by: stamps[3].to_string(),
    }
}

/// Registers a new village inside `tx` (logged as `action`: create, import, adopt).
fn create_in(
    tx: &Transaction<'_>,
    (now, actor): (&str, &Actor),
    data: VillageData,
    action: &str,
) -> Result<VillageRecord> {
    let id = new_id();
    let rec = record_of(&id, data, [now, &actor.id, now, &actor.id], false);
    write_logged(
        tx,
        (now, actor),
        (VILLAGE, &id, action),
        None,
        &rec,
        1,
        write_village,
    )?;
    Ok(rec)
}

/// What `validate` reads back from a stored village (to edit it, or check a received one).
pub fn village_input(r: &VillageRecord) -> VillageInput {
    VillageInput {
        name: r.name.clone(),
        communes: r.communes.join(", "),
        trade_group: r.trade_group.clone().unwrap_or_default(),
        traditional: if r.traditional { "1" } else { "0" }.into(),
        decision_no: r.decision_no.clone(),
        decision_date: r.decision_date.clone().unwrap_or_default(),
        status: r.status.clone(),
        notes: r.notes.clone(),
    }
}

/// Whether a village's status code is recognised (công nhận).
pub fn is_recognised(status: &str) -> bool {
    status == VillageStatus::CongNhan.code()
}

impl Store {
    fn village_scope(&self, communes: &[String]) -> Result<()> {
        communes.iter().try_for_each(|c| self.check_scope(c))
    }

    /// Validates and registers a new village (every commune in the writer's scope).
    pub fn add_village(&mut self, input: &VillageInput) -> Result<VillageRecord> {
        let data = validate(input, self.profile(), self.today()).map_err(StoreError::Invalid)?;
        self.insert_village(data)
    }

    fn insert_village(&mut self, data: VillageData) -> Result<VillageRecord> {
        let actor = self.actor()?;
        self.village_scope(&data.communes)?;
        let now = self.now_string();
        self.write(|tx| create_in(tx, (&now, &actor), data, "create"))
    }

    /// Saves an edit made on version `expected_version` (a `Conflict` if it changed since);
    /// the writer covers the communes before and after. An edit changing nothing writes nothing.
    pub fn edit_village(
        &mut self,
        id: &str,
        expected_version: i64,
        input: &VillageInput,
    ) -> Result<VillageRecord> {
        let data = validate(input, self.profile(), self.today()).map_err(StoreError::Invalid)?;
        self.change_village(id, expected_version, "update", |old| {
            record_of(
                id,
                data,
                [&old.created_at, &old.created_by, "", ""],
                old.archived,
            )
        })
    }

    /// Archives or restores a village; the record and its history stay.
    pub fn set_village_archived(
        &mut self,
        id: &str,
        expected_version: i64,
        archived: bool,
    ) -> Result<VillageRecord> {
        let action = if archived { "archive" } else { "restore" };
        self.change_village(id, expected_version, action, |old| VillageRecord {
            archived,
            ..old.clone()
        })
    }

    fn change_village(
        &mut self,
        id: &str,
        expected_version: i64,
        action: &str,
        new: impl FnOnce(&VillageRecord) -> VillageRecord,
    ) -> Result<VillageRecord> {
        let actor = self.actor()?;
        let now = self.now_string();
        let (old, version) = found(id, load_village(self.conn(), id)?)?;
        self.village_scope(&old.communes)?;
        let mut rec = new(&old);
        self.village_scope(&rec.communes)?;
        rec.updated_at = old.updated_at.clone();
        rec.updated_by = old.updated_by.clone();
        if rec == old {
            same_version(id, expected_version, version)?;
            return Ok(old);
        }
        rec.updated_at = now.clone();
        rec.updated_by = actor.id.clone();
        self.write(|tx| {
            let (_, stored) = found(id, load_village(tx, id)?)?;
            same_version(id, expected_version, stored)?;
            write_logged(
                tx,
                (&now, &actor),
                (VILLAGE, id, action),
                Some(&old),
                &rec,
                stored + 1,
                write_village,
            )
        })?;
        Ok(rec)
    }

    /// A village and its row version (None: unknown, or outside a shared reader's scope).
    pub fn village(&self, id: &str) -> Result<Option<(VillageRecord, i64)>> {
        Ok(load_village(self.conn(), id)?
            .filter(|(r, _)| r.communes.iter().any(|c| self.may_read(c))))
    }

    /// A village by its full id or the short form lists show.
    pub fn village_by_ref(&self, reference: &str) -> Result<Option<(VillageRecord, i64)>> {
        self.by_ref("craft_villages", reference, |id| self.village(id))
    }

    /// The villages of `commune` (None: of the reader's scope, or all), in name order;
    /// `archived` lists the archived ones instead of the live ones.
    pub fn list_villages(
        &self,
        commune: Option<&str>,
        archived: bool,
    ) -> Result<Vec<(VillageRecord, i64)>> {
        let cond = "archived = ?1 AND (?2 IS NULL OR id IN
            (SELECT village_id FROM craft_village_communes WHERE commune_code = ?2))";
        let all = select_villages(self.conn(), cond, &[&archived, &commune])?;
        Ok(all
            .into_iter()
            .filter(|(r, _)| r.communes.iter().any(|c| self.may_read(c)))
            .collect())
    }

    /// Live villages whose folded name is `name`'s (an import's match), those lying in
    /// `commune` first.
    pub fn find_villages(
        &self,
        name: &str,
        commune: Option<&str>,
    ) -> Result<Vec<(VillageRecord, i64)>> {
        let key = fold(&crate::text::ingest(name));
        let mut v = select_villages(self.conn(), "archived = 0 AND name_fold = ?1", &[&key])?;
        v.retain(|(r, _)| r.communes.iter().any(|c| self.may_read(c)));
        if let Some(c) = commune {
            v.sort_by_key(|(r, _)| !r.communes.iter().any(|x| x == c));
        }
        Ok(v)
    }

    /// Links facility `facility_id` (at version `expected_version`) to a village, or unlinks
    /// it (None): one facility version and one change-log row.
    pub fn link_village(
        &mut self,
        facility_id: &str,
        expected_version: i64,
        village_id: Option<&str>,
    ) -> Result<()> {
        let actor = self.actor()?;
        let now = self.now_string();
        let f = found(facility_id, self.facility(facility_id)?)?;
        self.check_scope(&f.data.commune_code)?;
        if let Some(v) = village_id {
            found(v, self.village(v)?)?;
        }
        self.write(|tx| {
            link_in(
                tx,
                (&now, &actor),
                facility_id,
                expected_version,
                village_id,
            )
        })
    }

    /// The status of the village a facility is linked to (None: not linked).
    pub fn facility_village_status(&self, facility_id: &str) -> Result<Option<VillageStatus>> {
        let s: Option<String> = self
            .conn()
            .query_row(
                "SELECT v.status FROM facilities f JOIN craft_villages v ON v.id = f.village_id
                 WHERE f.id = ?1 AND v.archived = 0",
                [facility_id],
                |r| r.get(0),
            )
            .optional()?;
        Ok(s.and_then(|s| VillageStatus::ALL.into_iter().find(|x| x.code() == s)))
    }

    /// Creates a village for each distinct (free-text name, commune) of live facilities not
    /// yet linked, in the writer's scope — or uses the registered one of that folded name and
    /// commune — and links those facilities; all in one transaction, each step logged.
    /// Returns (villages created, facilities linked).
    pub fn adopt_villages(&mut self) -> Result<(usize, usize)> {
        let actor = self.actor()?;
        let now = self.now_string();
        let profile = self.require_profile()?.clone();
        let mut s = self.conn().prepare(
            "SELECT id, version, craft_village, commune_code FROM facilities
             WHERE archived = 0 AND village_id IS NULL AND trim(craft_village) <> ''
             ORDER BY commune_code, sort_key",
        )?;
        let rows: Vec<(String, i64, String, String)> = s
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<rusqlite::Result<_>>()?;
        drop(s);
        let rows: Vec<_> = rows
            .into_iter()
            .filter(|(_, _, _, c)| profile.covers_commune(c))
            .collect();
        let mut created = 0;
        let linked = rows.len();
        self.write(|tx| {
            let mut made: std::collections::HashMap<(String, String), String> = Default::default();
            for (fid, version, name, commune) in &rows {
                let key = (fold(name), commune.clone());
                let vid = match made.get(&key) {
                    Some(v) => v.clone(),
                    None => {
                        let existing: Option<String> = tx
                            .query_row(
                                "SELECT v.id FROM craft_villages v JOIN craft_village_communes c
                                    ON c.village_id = v.id
                                 WHERE v.archived = 0 AND v.name_fold = ?1 AND c.commune_code = ?2
                                 ORDER BY v.id LIMIT 1",
                                params![key.0, commune],
                                |r| r.get(0),
                            )
                            .optional()?;
                        let vid = match existing {
                            Some(v) => v,
                            None => {
                                // Adopted from a list: its recognition is not known.
                                let data = VillageData {
                                    name: name.clone(),
                                    communes: vec![commune.clone()],
                                    status: VillageStatus::ChuaCongNhan,
                                    ..Default::default()
                                };
                                created += 1;
                                create_in(tx, (&now, &actor), data, "adopt")?.id
                            }
                        };
                        made.insert(key, vid.clone());
                        vid
                    }
                };
                link_in(tx, (&now, &actor), fid, *version, Some(&vid))?;
            }
            Ok(())
        })?;
        Ok((created, linked))
    }
}

/// Sets a facility's village inside `tx`: a new facility version and its change-log row.
pub(crate) fn link_in(
    tx: &Transaction<'_>,
    (now, actor): (&str, &Actor),
    facility_id: &str,
    expected_version: i64,
    village_id: Option<&str>,
) -> Result<()> {
    let (version, old): (i64, Option<String>) = found(
        facility_id,
        tx.query_row(
            "SELECT version, village_id FROM facilities WHERE id = ?1",
            [facility_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?,
    )?;
    same_version(facility_id, expected_version, version)?;
    if old.as_deref() == village_id {
        return Ok(());
    }
    tx.execute(
        "UPDATE facilities SET village_id = ?2, updated_at = ?3, updated_by = ?4, version = ?5
         WHERE id = ?1",
        params![facility_id, village_id, now, actor.id, version + 1],
    )?;
    let mut changes = Map::new();
    changes.insert("village_id".into(), json!([old, village_id]));
    change_log::record(
        tx,
        now,
        actor,
        "facility",
        facility_id,
        "update",
        version + 1,
        &changes,
    )
}

impl Store {
    /// The villages of a bundle: every commune in the selection's scope (the province checks
    /// each), and changed since the last bundle when it says so.
    pub fn village_records(
        &self,
        sel: &super::bundles::Selection<'_>,
    ) -> Result<Vec<VillageRecord>> {
        let all = select_villages(self.conn(), "1", &[])?;
        Ok(all
            .into_iter()
            .map(|(r, _)| r)
            .filter(|r| {
                r.communes.iter().all(|c| sel.scope.contains(c))
                    && sel.only.is_none_or(|o| o.contains(&r.id))
            })
            .collect())
    }
}

/// What a list of villages gave: (registered, already there), or each bad line's issues.
pub type VillageImport =
    std::result::Result<(usize, usize), Vec<(usize, crate::domain::issue::Issues)>>;

impl Store {
    /// The live facilities linked to a village: (id, name), in name order.
    pub fn village_facilities(&self, village_id: &str) -> Result<Vec<(String, String)>> {
        let mut s = self.conn().prepare_cached(
            "SELECT id, name, commune_code FROM facilities WHERE village_id = ?1 AND archived = 0
             ORDER BY sort_key",
        )?;
        let rows = s
            .query_map([village_id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows
            .into_iter()
            .filter(|(_, _, c)| self.may_read(c))
            .map(|(id, name, _)| (id, name))
            .collect())
    }

    /// Registers the villages of a list, each row `(line, input)` checked first: any row with
    /// an error refuses them all (`Err` names each line). A row naming a village already
    /// registered (same folded name, same first commune), here or earlier in the list, is
    /// left as it is. Returns (registered, already there).
    pub fn import_villages(&mut self, rows: &[(usize, VillageInput)]) -> Result<VillageImport> {
        let today = self.today();
        let mut bad = Vec::new();
        let mut good = Vec::new();
        for (line, input) in rows {
            match validate(input, self.profile(), today) {
                Ok(d) => good.push(d),
                Err(i) => bad.push((*line, i)),
            }
        }
        if !bad.is_empty() {
            return Ok(Err(bad));
        }
        let actor = self.actor()?;
        let now = self.now_string();
        let mut seen = std::collections::HashSet::new();
        let mut fresh = Vec::new();
        for d in good {
            let key = (fold(&d.name), d.communes[0].clone());
            let known = self
                .find_villages(&d.name, None)?
                .iter()
                .any(|(v, _)| v.communes.first() == Some(&key.1));
            if seen.insert(key) && !known {
                fresh.push(d);
            }
        }
        let already = rows.len() - fresh.len();
        let n = fresh.len();
        self.write(|tx| {
            fresh
                .into_iter()
                .try_for_each(|d| create_in(tx, (&now, &actor), d, "import").map(drop))
        })?;
        Ok(Ok((n, already)))
    }
}

impl Store {
    /// Whether a facility is linked to a live village of the register that is recognised
    /// (CONG_NHAN): what eligibility asks of a phường of a centrally-run city.
    pub fn in_recognised_village(&self, facility_id: &str) -> Result<bool> {
        Ok(self.facility_village_status(facility_id)? == Some(VillageStatus::CongNhan))
    }
}
