//! Conflicts kept by the merge: listing them, the live and the other version, and resolving
//! one field by field as the province's edit.

use std::collections::HashMap;

use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use serde_json::{Map, Value};

use super::checks::{one_issue, sender_profile, Checker};
use super::write::{json_diff, Writer};
use super::{by_entity, Kind, RecordProblem, Sender};
use crate::domain::issue::Problem;
use crate::record::content_rev;
use crate::store::rows::{self, CONFLICT_SQL};
use crate::store::{Result, Store, StoreError};

/// A stored conflict: both versions, the newer one live.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conflict {
    pub id: i64,
    pub entity: String,
    pub record_id: String,
    pub older_rev: String,
    pub older: Value,
    pub newer_rev: String,
    pub newer: Value,
    pub sender_id: String,
    pub found_at: String,
    pub status: String,
}

impl Conflict {
    /// The top-level fields whose values differ, in record order.
    pub fn differing_fields(&self) -> Vec<String> {
        let (Some(a), Some(b)) = (self.older.as_object(), self.newer.as_object()) else {
            return Vec::new();
        };
        b.iter()
            .filter(|(k, v)| a.get(k.as_str()) != Some(v))
            .map(|(k, _)| k.clone())
            .collect()
    }
}

/// Which version a resolution takes for one field: the database's live value ("mine") or
/// the other version kept in the conflict ("theirs").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Mine,
    Theirs,
}

impl Side {
    pub fn parse(s: &str) -> Option<Side> {
        match s.trim().to_ascii_lowercase().as_str() {
            "mine" | "cua-toi" | "toi" => Some(Side::Mine),
            "theirs" | "cua-ho" | "ho" => Some(Side::Theirs),
            _ => None,
        }
    }
}

impl Store {
    pub fn conflicts(&self, only_open: bool) -> Result<Vec<Conflict>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {CONFLICT_SQL} FROM merge_conflicts WHERE (?1 = 0 OR status = 'open') ORDER BY id"
        ))?;
        let rows = stmt.query_map([i64::from(only_open)], rows::conflict)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    pub fn conflict(&self, id: i64) -> Result<Option<Conflict>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {CONFLICT_SQL} FROM merge_conflicts WHERE id = ?1"
        ))?;
        Ok(stmt.query_row([id], rows::conflict).optional()?)
    }

    /// The live record of a conflict as JSON ("mine": what the database holds now).
    pub fn conflict_live(&self, c: &Conflict) -> Result<Option<Value>> {
        let conn = self.conn();
        let id = &c.record_id;
        let v = by_entity!(c.entity.as_str(), T => T::load(conn, id)?.map(|r| serde_json::to_value(r.0)), _ => None);
        Ok(v.and_then(|v| v.ok()))
    }

    /// The version of a conflict that is not live ("theirs").
    pub fn conflict_other(&self, c: &Conflict) -> Result<Value> {
        let live = self.conflict_live(c)?;
        let live_rev = live.as_ref().map(|v| content_rev_of_value(&c.entity, v));
        Ok(if live_rev.as_deref() == Some(c.newer_rev.as_str()) {
            c.older.clone()
        } else if live_rev.as_deref() == Some(c.older_rev.as_str()) {
            c.newer.clone()
        } else {
            // Changed since: the version that was not chosen at import.
            c.older.clone()
        })
    }

    /// Resolves a conflict field by field: every field takes the live value ("mine") unless
    /// `take` says "theirs". The result is validated like typed data and written as an edit by
    /// the current profile; the conflict is marked resolved.
    pub fn resolve_conflict(&mut self, id: i64, take: &[(String, Side)]) -> Result<Value> {
        let actor = self.actor()?;
        let c = self
            .conflict(id)?
            .ok_or_else(|| StoreError::NotFound(id.to_string()))?;
        if c.status != "open" {
            return Err(StoreError::NotFound(id.to_string()));
        }
        let live = self
            .conflict_live(&c)?
            .ok_or_else(|| StoreError::NotFound(c.record_id.clone()))?;
        let other = self.conflict_other(&c)?;
        let mut merged = live.clone();
        let (Some(m), Some(o)) = (merged.as_object_mut(), other.as_object()) else {
            return Err(StoreError::Corrupt(format!("conflict {id}")));
        };
        for (field, side) in take {
            if field == "id" || !o.contains_key(field) {
                return Err(StoreError::BadRecord {
                    entity: c.entity.clone(),
                    line: 0,
                    id: c.record_id.clone(),
                    problem: RecordProblem::Invalid {
                        issues: one_issue(
                            "field",
                            Problem::UnknownCode {
                                code: crate::text::sanitize(field),
                            },
                        ),
                    },
                });
            }
            if *side == Side::Theirs {
                m.insert(field.clone(), o[field].clone());
            }
        }
        let now = self.now_string();
        // The resolved record is the province's edit.
        if m.contains_key("updated_at") {
            m.insert("updated_at".into(), Value::String(now.clone()));
            m.insert("updated_by".into(), Value::String(actor.id.clone()));
        }
        let today = self.today();
        let province = self.profile().cloned();
        let resolution: Map<String, Value> = take
            .iter()
            .map(|(f, s)| (f.clone(), serde_json::to_value(s).unwrap_or(Value::Null)))
            .collect();
        let entity = c.entity.clone();
        let rid = c.record_id.clone();
        let merged_out = merged.clone();
        self.write(|tx| {
            // The resolved record goes through the same checks as a received one, in the
            // province's own scope.
            let sender = Sender {
                id: actor.id.clone(),
                name: actor.name.clone(),
                role: province
                    .as_ref()
                    .map(|p| p.role.as_str().to_string())
                    .unwrap_or_default(),
                units: province
                    .as_ref()
                    .map(|p| p.units.clone())
                    .unwrap_or_default(),
            };
            let checker = Checker {
                text_checked: false,
                today,
                sender: sender_profile(&sender).ok_or(StoreError::NoProfile)?,
                province: province.as_ref(),
            };
            let w = Writer {
                tx,
                now: &now,
                actor: &actor,
                facilities: &HashMap::new(),
            };
            let parse_err =
                |e: serde_json::Error| StoreError::Corrupt(format!("conflict {id}: {e}"));
            by_entity!(
                entity.as_str(),
                T => {
                    let rec: T = serde_json::from_value(merged.clone()).map_err(parse_err)?;
                    rec.check(&checker, 0)?;
                    let (old, version) =
                        T::load(tx, &rid)?.ok_or_else(|| StoreError::NotFound(rid.clone()))?;
                    let old = serde_json::to_value(&old).unwrap_or(Value::Null);
                    let changes = json_diff(Some(&old), &merged);
                    if !changes.is_empty() {
                        rec.write(&w, version + 1)?;
                        w.log(&entity, &rid, "resolve", version + 1, &changes)?;
                    }
                },
                _ => {
                    return Err(StoreError::Corrupt(format!(
                        "conflict {id}: entity {entity}"
                    )))
                }
            );
            tx.execute(
                "UPDATE merge_conflicts SET status = 'resolved', resolved_at = ?2, resolved_by = ?3,
                    resolution = ?4 WHERE id = ?1",
                params![id, now, actor.id, Value::Object(resolution).to_string()],
            )?;
            Ok(())
        })?;
        Ok(merged_out)
    }
}

fn content_rev_of_value(entity: &str, v: &Value) -> String {
    // A Value's key order is not the declared order: revs are computed from the typed structs.
    fn via<T: Kind>(v: &Value) -> String {
        serde_json::from_value::<T>(v.clone())
            .map(|r| content_rev(&r))
            .unwrap_or_default()
    }
    by_entity!(entity, T => via::<T>(v), _ => via::<crate::record::ProposalRecord>(v))
}
