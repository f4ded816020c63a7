//! The change log: who changed which record, when, and what — written in the same transaction.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;
use serde_json::Value;

use super::rows::{self, CHANGE_SQL, FACILITY_SQL};
use super::{Actor, Result, Store};
use crate::domain::FacilityField;
use crate::record::{content_rev, FacilityRecord};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangeEntry {
    pub seq: i64,
    pub at: String,
    pub actor_id: String,
    pub actor_name: String,
    pub entity: String,
    pub record_id: String,
    pub action: String,
    pub version: i64,
    /// field → [old, new]
    pub changes: serde_json::Map<String, serde_json::Value>,
    /// A creation that came in a bundle: the bundle's sequence number from its sender (the
    /// actor), when it is still known.
    pub from_bundle: Option<i64>,
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn record(
    tx: &Transaction<'_>,
    at: &str,
    actor: &Actor,
    entity: &str,
    record_id: &str,
    action: &str,
    version: i64,
    changes: &serde_json::Map<String, serde_json::Value>,
) -> Result<()> {
    let changes = serde_json::to_string(changes).unwrap_or_else(|_| "{}".into());
    record_json(tx, at, actor, entity, record_id, action, version, &changes)
}

/// [`record`] with the changes already as JSON text (bulk writers build it directly).
#[allow(clippy::too_many_arguments)]
pub(crate) fn record_json(
    tx: &Transaction<'_>,
    at: &str,
    actor: &Actor,
    entity: &str,
    record_id: &str,
    action: &str,
    version: i64,
    changes: &str,
) -> Result<()> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO change_log (at, actor_id, actor_name, entity, record_id, action, version, changes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    stmt.execute(params![
        at, actor.id, actor.name, entity, record_id, action, version, changes
    ])?;
    Ok(())
}

impl Store {
    /// The history of one record, oldest first. A creation logged as its rev shows the first
    /// version rebuilt from the later changes, as a creation logged with its body did.
    pub fn history(&self, entity: &str, record_id: &str) -> Result<Vec<ChangeEntry>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {CHANGE_SQL} FROM change_log WHERE entity = ?1 AND record_id = ?2 ORDER BY seq"
        ))?;
        let rows = stmt.query_map([entity, record_id], rows::change)?;
        let mut entries = rows.collect::<Result<Vec<_>, _>>()?;
        let rebuild = rev_shaped(entity)
            && entries
                .iter()
                .any(|e| e.action == "create" && created_rev(&e.changes).is_some());
        let first = if rebuild {
            first_facility(self.conn(), record_id)?
        } else {
            None
        };
        for e in entries.iter_mut().filter(|e| e.action == "create") {
            if created_by_bundle(&e.changes) {
                e.from_bundle = self.bundle_at(&e.actor_id, &e.at)?;
            }
            if created_rev(&e.changes).is_some() {
                if let Some(f) = &first {
                    e.changes = created_body(&f.record);
                }
            }
        }
        Ok(entries)
    }

    /// The bundle from `sender_id` that was being imported at `at`: the last one received at
    /// or before it (its `received_at` is taken just before the merge writes its rows).
    fn bundle_at(&self, sender_id: &str, at: &str) -> Result<Option<i64>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT seq FROM bundles_received WHERE sender_id = ?1 AND received_at <= ?2
                 ORDER BY received_at DESC, seq DESC LIMIT 1",
                [sender_id, at],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// A facility's first version rebuilt from its history (see [`first_facility`]).
    pub fn first_facility_version(&self, id: &str) -> Result<Option<FirstVersion>> {
        Ok(first_facility(self.conn(), id)?)
    }

    /// The newest change's sequence number: a cheap "has anything changed?" for screens.
    pub fn last_change_seq(&self) -> Result<i64> {
        Ok(self
            .conn()
            .query_row("SELECT coalesce(max(seq), 0) FROM change_log", [], |r| {
                r.get(0)
            })?)
    }

    /// How many change-log rows there are (all records).
    pub fn change_count(&self) -> Result<i64> {
        Ok(self
            .conn()
            .query_row("SELECT count(*) FROM change_log", [], |r| r.get(0))?)
    }
}

/// The key of a rev-shaped creation row: `{"rev": "<content rev of version 1>"}`.
const REV_KEY: &str = "rev";

/// Stamps a creation row from a bundle keeps: version 1's `updated_at`/`updated_by` are the
/// sender's, not the row's own `at`/actor, so the walk could not give them back otherwise.
/// Their presence is also how a creation by a bundle is told from a local one (a body-shaped
/// row from a bundle holds them too, a local body never does).
const BUNDLE_STAMPS: [&str; 2] = ["updated_at", "updated_by"];

/// The entities whose creation row holds the rev instead of the body (issue 18). Their first
/// version is rebuilt by [`first_facility`]: the current row with the later field → [old,
/// new] diffs undone. Other entities keep the body: their records nest history (amendments,
/// transitions, attendees) or kept columns that the diffs do not name.
pub(crate) fn rev_shaped(entity: &str) -> bool {
    entity == "facility"
}

/// Writes the creation row of a record as its rev (see [`rev_shaped`]). `bundle_stamps`:
/// version 1's `updated_at` and `updated_by` when the record came in a bundle.
pub(crate) fn record_created(
    tx: &Transaction<'_>,
    (at, actor): (&str, &Actor),
    (entity, record_id): (&str, &str),
    rev: &str,
    bundle_stamps: Option<(&str, &str)>,
) -> Result<()> {
    let mut m = serde_json::Map::new();
    m.insert(REV_KEY.into(), rev.into());
    if let Some((updated_at, updated_by)) = bundle_stamps {
        m.insert(BUNDLE_STAMPS[0].into(), updated_at.into());
        m.insert(BUNDLE_STAMPS[1].into(), updated_by.into());
    }
    record(tx, at, actor, entity, record_id, "create", 1, &m)
}

/// The rev a rev-shaped creation row holds (None for a row that holds the body).
pub(crate) fn created_rev(changes: &serde_json::Map<String, Value>) -> Option<&str> {
    changes.get(REV_KEY).and_then(Value::as_str)
}

/// Whether a creation row came from a bundle (both shapes).
pub(crate) fn created_by_bundle(changes: &serde_json::Map<String, Value>) -> bool {
    BUNDLE_STAMPS.iter().all(|k| changes.contains_key(*k))
}

/// A facility's first version, rebuilt from its current row and its history.
#[derive(Debug, Clone, PartialEq)]
pub struct FirstVersion {
    pub record: FacilityRecord,
    /// The history gives back what the creation row logged: the rev for a rev-shaped row,
    /// the logged values for a body-shaped one; and every later diff's new value matched.
    pub reproduced: bool,
}

/// Rebuilds a facility's first version by walking back from its current row through the
/// later diffs (`None` when the facility or its creation row is missing).
pub(crate) fn first_facility(
    conn: &Connection,
    id: &str,
) -> rusqlite::Result<Option<FirstVersion>> {
    let current = conn
        .query_row(
            &format!("SELECT {FACILITY_SQL} FROM facilities WHERE id = ?1"),
            [id],
            rows::facility_record,
        )
        .optional()?;
    let Some(current) = current else {
        return Ok(None);
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {CHANGE_SQL} FROM change_log WHERE entity = 'facility' AND record_id = ?1 ORDER BY seq"
    ))?;
    let entries = stmt
        .query_map([id], rows::change)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(walk_back(current, &entries))
}

/// Stamps that every write sets without naming them in its diff: not compared on the way back.
fn is_stamp(key: &str) -> bool {
    matches!(key, "updated_at" | "updated_by")
}

fn walk_back(current: FacilityRecord, entries: &[ChangeEntry]) -> Option<FirstVersion> {
    let create_at = entries.iter().position(|e| e.action == "create")?;
    let create = &entries[create_at];
    let mut cur = serde_json::to_value(&current).ok()?;
    let obj = cur.as_object_mut()?;
    // `village_id` is left out of the JSON when empty; it is still a field of the record.
    obj.entry("village_id").or_insert(Value::Null);
    let mut reproduced = true;
    for e in entries[create_at + 1..].iter().rev() {
        for (k, pair) in &e.changes {
            let Some(slot) = obj.get_mut(k) else {
                continue; // not a field of the record (kept_apart_from, merged_into)
            };
            let (Some(old), Some(new)) = (pair.get(0), pair.get(1)) else {
                reproduced = false;
                continue;
            };
            if !is_stamp(k) && slot != new {
                reproduced = false;
            }
            *slot = old.clone();
        }
    }
    let logged = &create.changes;
    let stamp = |k: &str, own: &str| -> Value {
        logged
            .get(k)
            .filter(|_| created_by_bundle(logged))
            .and_then(|v| match v {
                Value::Array(a) => a.get(1).cloned(), // a body: [null, value]
                v => Some(v.clone()),
            })
            .unwrap_or_else(|| Value::String(own.to_string()))
    };
    obj.insert("updated_at".into(), stamp("updated_at", &create.at));
    obj.insert("updated_by".into(), stamp("updated_by", &create.actor_id));
    if let Some(rev) = created_rev(logged) {
        let record: FacilityRecord = serde_json::from_value(cur).ok()?;
        reproduced &= content_rev(&record) == rev;
        return Some(FirstVersion { record, reproduced });
    }
    // A body written before issue 18: the values it logged must be the rebuilt ones.
    for (k, pair) in logged {
        if let (Some(slot), Some(v)) = (obj.get(k), pair.get(1)) {
            if slot != v {
                reproduced = false;
            }
        }
    }
    let record: FacilityRecord = serde_json::from_value(cur).ok()?;
    Some(FirstVersion { record, reproduced })
}

/// A first version as a body-shaped creation row showed it: field → [null, value] for every
/// field of the form (and the village, the pre-2025 code) that is not empty.
fn created_body(r: &FacilityRecord) -> serde_json::Map<String, Value> {
    let mut out = serde_json::Map::new();
    let Ok(Value::Object(all)) = serde_json::to_value(r) else {
        return out;
    };
    for (k, v) in all {
        let shown = FacilityField::from_key(&k).is_some()
            || matches!(k.as_str(), "village_id" | "old_commune_code");
        let empty = match &v {
            Value::Null => true,
            Value::String(s) => s.is_empty(),
            Value::Bool(b) => !b,
            _ => false,
        };
        if shown && !empty {
            out.insert(k, serde_json::json!([Value::Null, v]));
        }
    }
    out
}
