//! Suspected duplicate facilities across senders: finding them at import, listing them,
//! keeping two apart, and merging one facility into another.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;
use serde_json::{Map, Value};

use super::{DuplicatePair, Sender};
use crate::domain::dup::{DupIndex, DupKey, DupReason};
use crate::record::FacilityRecord;
use crate::store::rows::{self, DUPLICATE_VIEW_SQL, DUP_KEY, DUP_KEY_SQL};
use crate::store::{change_log, Result, Store, StoreError};

/// A stored duplicate pair with the names a person needs to decide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DuplicateRow {
    pub a: String,
    pub a_name: String,
    pub b: String,
    pub b_name: String,
    pub commune_code: String,
    pub reasons: Vec<DupReason>,
    pub status: String,
}

/// Other senders' live facilities, as the duplicate check compares them.
pub(super) fn other_senders(conn: &Connection, sender: &Sender) -> Result<DupIndex> {
    let mut idx = DupIndex::new();
    let mut stmt = conn.prepare(&format!(
        "SELECT {DUP_KEY_SQL}, (SELECT r.sender_id FROM record_revs r
                                WHERE r.entity = 'facility' AND r.id = facilities.id)
         FROM facilities WHERE archived = 0"
    ))?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let from: Option<String> = r.get(DUP_KEY.len())?;
        if from.as_deref() == Some(sender.id.as_str()) {
            continue;
        }
        idx.insert(rows::dup_key(r)?);
    }
    Ok(idx)
}

/// The pairs (smaller id first) a bundle's new or changed facilities make with another
/// sender's facility, except those the province has already decided.
pub(super) fn suspects_of(
    conn: &Connection,
    idx: &DupIndex,
    candidates: &[&FacilityRecord],
) -> Result<Vec<DuplicatePair>> {
    if idx.is_empty() {
        return Ok(Vec::new());
    }
    let mut decided =
        conn.prepare_cached("SELECT status FROM duplicate_pairs WHERE a = ?1 AND b = ?2")?;
    let mut out = Vec::new();
    for f in candidates {
        let key = DupKey {
            id: f.id.clone(),
            name: f.name.clone(),
            commune_code: f.commune_code.clone(),
            tax_code: f.tax_code.clone(),
            phone: f.phone.clone(),
        };
        for s in idx.suspects(&key) {
            let (a, b) = if f.id < s.id {
                (f.id.clone(), s.id)
            } else {
                (s.id, f.id.clone())
            };
            let status: Option<String> = decided.query_row([&a, &b], |r| r.get(0)).optional()?;
            if status.is_some_and(|s| s != "open") {
                continue;
            }
            out.push(DuplicatePair {
                a,
                b,
                reasons: s.reasons,
            });
        }
    }
    Ok(out)
}

impl Store {
    pub fn duplicate_pairs(&self, only_open: bool) -> Result<Vec<DuplicateRow>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {DUPLICATE_VIEW_SQL}
             FROM duplicate_pairs d
             LEFT JOIN facilities fa ON fa.id = d.a LEFT JOIN facilities fb ON fb.id = d.b
             WHERE (?1 = 0 OR d.status = 'open') ORDER BY d.found_at, d.a, d.b"
        ))?;
        let rows = stmt.query_map([i64::from(only_open)], rows::duplicate_view)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    fn set_pair_status(
        tx: &Transaction<'_>,
        a: &str,
        b: &str,
        status: &str,
        now: &str,
        by: &str,
    ) -> Result<()> {
        let (a, b) = if a < b { (a, b) } else { (b, a) };
        tx.execute(
            "INSERT INTO duplicate_pairs (a, b, reasons, found_at, status, decided_at, decided_by)
             VALUES (?1, ?2, '[]', ?4, ?3, ?4, ?5)
             ON CONFLICT (a, b) DO UPDATE SET status = excluded.status,
                decided_at = excluded.decided_at, decided_by = excluded.decided_by",
            params![a, b, status, now, by],
        )?;
        Ok(())
    }

    /// Two facilities are different: the pair is never suggested again.
    pub fn keep_apart(&mut self, a: &str, b: &str) -> Result<()> {
        let actor = self.actor()?;
        let now = self.now_string();
        for id in [a, b] {
            let f = self
                .facility(id)?
                .ok_or_else(|| StoreError::NotFound(id.to_string()))?;
            self.check_scope(&f.data.commune_code)?;
        }
        if a == b {
            return Err(StoreError::NotFound(b.to_string()));
        }
        self.write(|tx| {
            Self::set_pair_status(tx, a, b, "kept_apart", &now, &actor.id)?;
            let mut changes = Map::new();
            changes.insert("kept_apart_from".into(), serde_json::json!([null, b]));
            let v: i64 =
                tx.query_row("SELECT version FROM facilities WHERE id = ?1", [a], |r| {
                    r.get(0)
                })?;
            change_log::record(tx, &now, &actor, "facility", a, "keep_apart", v, &changes)
        })
    }

    /// Merges facility `loser` into `winner`: its consultations (with their follow-ups) and
    /// proposals move to the winner, each with a change-log row, and the loser is archived
    /// and recorded as merged. One transaction.
    pub fn merge_facilities(&mut self, winner: &str, loser: &str) -> Result<MergeMoves> {
        let actor = self.actor()?;
        let now = self.now_string();
        if winner == loser {
            return Err(StoreError::NotFound(loser.to_string()));
        }
        let w = self
            .facility(winner)?
            .ok_or_else(|| StoreError::NotFound(winner.to_string()))?;
        let l = self
            .facility(loser)?
            .ok_or_else(|| StoreError::NotFound(loser.to_string()))?;
        self.check_scope(&w.data.commune_code)?;
        self.check_scope(&l.data.commune_code)?;
        if w.meta.archived {
            return Err(StoreError::NotFound(winner.to_string()));
        }
        self.write(|tx| {
            let mut moves = MergeMoves::default();
            for (table, entity) in [("consultations", "consultation"), ("proposals", "proposal")] {
                let ids: Vec<(String, i64)> = {
                    let mut s = tx.prepare(&format!("SELECT id, version FROM {table} WHERE facility_id = ?1 ORDER BY id"))?;
                    let rows = s.query_map([loser], |r| Ok((r.get(0)?, r.get(1)?)))?;
                    rows.collect::<rusqlite::Result<_>>()?
                };
                for (id, v) in ids {
                    tx.execute(
                        &format!("UPDATE {table} SET facility_id = ?2, commune_code = ?3, version = ?4,
                            updated_at = ?5, updated_by = ?6 WHERE id = ?1"),
                        params![id, winner, w.data.commune_code, v + 1, now, actor.id],
                    )?;
                    let mut changes = Map::new();
                    changes.insert("facility_id".into(), serde_json::json!([loser, winner]));
                    change_log::record(tx, &now, &actor, entity, &id, "merge_move", v + 1, &changes)?;
                    if entity == "consultation" {
                        moves.consultations.push(id);
                    } else {
                        moves.proposals.push(id);
                    }
                }
            }
            tx.execute(
                "UPDATE follow_ups SET facility_id = ?2, commune_code = ?3,
                    live = (SELECT 1 - archived FROM facilities WHERE id = ?2)
                 WHERE facility_id = ?1",
                params![loser, winner, w.data.commune_code],
            )?;
            let version = l.meta.version + 1;
            tx.execute(
                "UPDATE facilities SET archived = 1, updated_at = ?2, updated_by = ?3, version = ?4 WHERE id = ?1",
                params![loser, now, actor.id, version],
            )?;
            let mut changes = Map::new();
            changes.insert("archived".into(), serde_json::json!([l.meta.archived, true]));
            changes.insert("merged_into".into(), serde_json::json!([null, winner]));
            change_log::record(tx, &now, &actor, "facility", loser, "merge", version, &changes)?;
            tx.execute(
                "INSERT INTO facility_merges (loser, winner, at, actor_id) VALUES (?1, ?2, ?3, ?4)",
                params![loser, winner, now, actor.id],
            )?;
            Self::set_pair_status(tx, winner, loser, "merged", &now, &actor.id)?;
            Ok(moves)
        })
    }

    /// The facility a merged one went into, if it was merged.
    pub fn merged_into(&self, id: &str) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT winner FROM facility_merges WHERE loser = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?)
    }
}

/// What a facility merge moved.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MergeMoves {
    pub consultations: Vec<String>,
    pub proposals: Vec<String>,
}

pub(crate) fn parse_reasons(s: &str) -> Vec<DupReason> {
    // DupReason is written by this module only; an unreadable value shows as no reason.
    let v: Vec<Value> = serde_json::from_str(s).unwrap_or_default();
    v.into_iter()
        .filter_map(|r| {
            Some(match r.get("reason")?.as_str()? {
                "same_tax_code" => DupReason::SameTaxCode {
                    tax_code: r.get("tax_code")?.as_str()?.to_string(),
                },
                "same_phone" => DupReason::SamePhone {
                    phone: r.get("phone")?.as_str()?.to_string(),
                },
                _ => DupReason::SimilarName {
                    similarity: r.get("similarity")?.as_u64().map(|s| s.min(100) as u8)?,
                },
            })
        })
        .collect()
}
