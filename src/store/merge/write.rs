//! Writing a classified bundle inside the caller's transaction: each record as a row with
//! its change-log entry and record rev, conflicts kept with both versions.

use std::collections::{HashMap, HashSet};

use rusqlite::{params, OptionalExtension, Transaction};
use serde_json::{Map, Value};

use super::classify::Decision;
use super::Kind;
use crate::record::{
    CollaboratorRecord, ConsultationRecord, Envelope, FacilityRecord, ProposalRecord,
};
use crate::store::{change_log, rows, Actor, Result, StoreError};
use crate::text::{fold, vn_sort_key};

/// Field → [old, new] between two records' JSON (None: creation, empty values left out).
pub(in crate::store) fn json_diff(old: Option<&Value>, new: &Value) -> Map<String, Value> {
    let mut out = Map::new();
    let Some(n) = new.as_object() else {
        return out;
    };
    let o = old.and_then(Value::as_object);
    for (k, nv) in n {
        let ov = o.and_then(|o| o.get(k)).cloned().unwrap_or(Value::Null);
        let empty = match nv {
            Value::Null => true,
            Value::String(s) => s.is_empty(),
            Value::Bool(b) => !b,
            Value::Array(a) => a.is_empty(),
            _ => false,
        };
        if ov != *nv && !(old.is_none() && empty) {
            out.insert(k.clone(), serde_json::json!([ov, nv]));
        }
    }
    // A field left out when empty (a facility's `village_id`) that was set before: logged as
    // cleared, or the walk back to a created record's rev could not restore it (issue 18).
    for (k, ov) in o.into_iter().flatten() {
        if !ov.is_null() && !n.contains_key(k) {
            out.insert(k.clone(), serde_json::json!([ov, Value::Null]));
        }
    }
    out
}

/// `json_diff(None, new)` without its array fields, as JSON text: `{"field":[null,value]}`
/// for every non-empty scalar field, in key order.
fn created_changes(new: &Value) -> String {
    let mut out = String::from("{");
    if let Some(n) = new.as_object() {
        for (k, v) in n {
            let skip = match v {
                Value::Null | Value::Array(_) => true,
                Value::String(s) => s.is_empty(),
                Value::Bool(b) => !b,
                _ => false,
            };
            if skip {
                continue;
            }
            if out.len() > 1 {
                out.push(',');
            }
            out.push_str(&serde_json::to_string(k).unwrap_or_default());
            out.push_str(":[null,");
            out.push_str(&serde_json::to_string(v).unwrap_or_default());
            out.push(']');
        }
    }
    out.push('}');
    out
}

pub(crate) struct Writer<'a, 'c> {
    pub(super) tx: &'a Transaction<'c>,
    pub(super) now: &'a str,
    pub(super) actor: &'a Actor,
    /// The bundle's facilities: commune, and whether the row holds the bundle's version once
    /// written (spares a look-up per consultation and proposal).
    pub(super) facilities: &'a HashMap<String, (String, bool)>,
}

impl Writer<'_, '_> {
    pub(super) fn log(
        &self,
        entity: &str,
        id: &str,
        action: &str,
        version: i64,
        changes: &Map<String, Value>,
    ) -> Result<()> {
        change_log::record(
            self.tx, self.now, self.actor, entity, id, action, version, changes,
        )
    }

    fn set_rev(&self, entity: &str, id: &str, rev: &str, version: i64) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO record_revs (entity, id, rev, version, sender_id) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (entity, id) DO UPDATE SET rev = excluded.rev, version = excluded.version,
                    sender_id = excluded.sender_id",
            )?
            .execute(params![entity, id, rev, version, self.actor.id])?;
        Ok(())
    }

    pub(super) fn collaborator(&self, r: &CollaboratorRecord, version: i64) -> Result<()> {
        let units = serde_json::to_string(&r.units).unwrap_or_else(|_| "[]".into());
        if version == 1 {
            self.tx
                .prepare_cached(
                    "INSERT INTO collaborators (id, name, name_fold, role, units, active, created_at,
                        created_by, updated_at, updated_by, version)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?7, ?8, 1)",
                )?
                .execute(params![r.id, r.name, fold(&r.name), r.role, units, r.active, self.now, self.actor.id])?;
        } else {
            self.tx
                .prepare_cached(
                    "UPDATE collaborators SET name = ?2, name_fold = ?3, role = ?4, units = ?5, active = ?6,
                        updated_at = ?7, updated_by = ?8, version = ?9 WHERE id = ?1",
                )?
                .execute(params![r.id, r.name, fold(&r.name), r.role, units, r.active, self.now, self.actor.id, version])?;
        }
        Ok(())
    }

    pub(super) fn facility(&self, r: &FacilityRecord, version: i64) -> Result<()> {
        let sql = if version == 1 {
            "INSERT INTO facilities (id, name, name_fold, sort_key, entity_type, tax_code, representative,
                representative_fold, phone, address, commune_code, trade_group, products, products_fold,
                workers, founded_year, craft_village, ocop_stars, ocop_year, typical_level, typical_year,
                exports, local_materials, woman_owned, ethnic_owned, difficult_area, status, notes,
                old_commune_code, archived, created_at, created_by, updated_at, updated_by, version,
                village_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
                ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35,
                ?36)"
        } else {
            "UPDATE facilities SET name = ?2, name_fold = ?3, sort_key = ?4, entity_type = ?5,
                tax_code = ?6, representative = ?7, representative_fold = ?8, phone = ?9, address = ?10,
                commune_code = ?11, trade_group = ?12, products = ?13, products_fold = ?14, workers = ?15,
                founded_year = ?16, craft_village = ?17, ocop_stars = ?18, ocop_year = ?19,
                typical_level = ?20, typical_year = ?21, exports = ?22, local_materials = ?23,
                woman_owned = ?24, ethnic_owned = ?25, difficult_area = ?26, status = ?27, notes = ?28,
                old_commune_code = ?29, archived = ?30, created_at = ?31, created_by = ?32,
                updated_at = ?33, updated_by = ?34, version = ?35, village_id = ?36
             WHERE id = ?1"
        };
        self.tx.prepare_cached(sql)?.execute(params![
            r.id,
            r.name,
            fold(&r.name),
            vn_sort_key(&r.name),
            r.entity_type,
            r.tax_code,
            r.representative,
            fold(&r.representative),
            r.phone,
            r.address,
            r.commune_code,
            r.trade_group,
            r.products,
            fold(&r.products),
            r.workers,
            r.founded_year,
            r.craft_village,
            r.ocop_stars,
            r.ocop_year,
            r.typical_level,
            r.typical_year,
            r.exports,
            r.local_materials,
            r.woman_owned,
            r.ethnic_owned,
            r.difficult_area,
            r.status,
            r.notes,
            r.old_commune_code,
            r.archived,
            r.created_at,
            r.created_by,
            r.updated_at,
            r.updated_by,
            version,
            r.village_id
        ])?;
        Ok(())
    }

    /// The commune of the facility a record points at, as its row holds it.
    fn commune_of(&self, facility_id: &str) -> Result<String> {
        if let Some((c, true)) = self.facilities.get(facility_id) {
            return Ok(c.clone());
        }
        Ok(self
            .tx
            .prepare_cached("SELECT commune_code FROM facilities WHERE id = ?1")?
            .query_row([facility_id], |row| row.get(0))?)
    }

    pub(super) fn consultation(&self, r: &ConsultationRecord, version: i64) -> Result<()> {
        let tx = self.tx;
        let commune = self.commune_of(&r.facility_id)?;
        let sql = if version == 1 {
            "INSERT INTO consultations (id, facility_id, commune_code, collaborator_id, date, mode, topics,
                difficulties, needs, advice, next_step, follow_up_date, cur_date, cur_mode, amendments,
                created_at, created_by, updated_at, updated_by, version)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
                ?19, ?20)"
        } else {
            "UPDATE consultations SET facility_id = ?2, commune_code = ?3, collaborator_id = ?4, date = ?5,
                mode = ?6, topics = ?7, difficulties = ?8, needs = ?9, advice = ?10, next_step = ?11,
                follow_up_date = ?12, cur_date = ?13, cur_mode = ?14, amendments = ?15, created_at = ?16,
                created_by = ?17, updated_at = ?18, updated_by = ?19, version = ?20
             WHERE id = ?1"
        };
        tx.prepare_cached(sql)?.execute(params![
            r.id,
            r.facility_id,
            commune,
            r.collaborator_id,
            r.date,
            r.mode,
            r.topics.join(","),
            r.difficulties,
            r.needs,
            r.advice,
            r.next_step,
            r.follow_up_date,
            r.cur_date,
            r.cur_mode,
            r.amendments.len() as i64,
            r.created_at,
            r.created_by,
            r.updated_at,
            r.updated_by,
            version
        ])?;
        if version > 1 {
            tx.prepare_cached("DELETE FROM consultation_topics WHERE consultation_id = ?1")?
                .execute([&r.id])?;
        }
        let mut topic = tx.prepare_cached(
            "INSERT OR IGNORE INTO consultation_topics (consultation_id, topic) VALUES (?1, ?2)",
        )?;
        for t in &r.cur_topics {
            topic.execute([&r.id, t])?;
        }
        if !r.amendments.is_empty() {
            let mut a = tx.prepare_cached(
                "INSERT OR IGNORE INTO consultation_amendments (id, consultation_id, at, actor_id,
                    actor_name, reason, changes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for am in &r.amendments {
                let changes = serde_json::to_string(&am.changes).unwrap_or_else(|_| "{}".into());
                a.execute(params![
                    am.id,
                    r.id,
                    am.at,
                    am.actor_id,
                    am.actor_name,
                    am.reason,
                    changes
                ])?;
            }
        }
        match &r.follow_up {
            Some(f) => {
                tx.prepare_cached(
                    "INSERT INTO follow_ups (consultation_id, facility_id, commune_code, live, due_date,
                        status, outcome_id, note, closed_at, closed_by, updated_at, updated_by, version)
                     VALUES (?1, ?2, ?3, (SELECT 1 - archived FROM facilities WHERE id = ?2), ?4, ?5,
                        NULL, ?7, ?8, ?9, ?10, ?11, 1)
                     ON CONFLICT (consultation_id) DO UPDATE SET facility_id = excluded.facility_id,
                        commune_code = excluded.commune_code, live = excluded.live,
                        due_date = excluded.due_date, status = excluded.status, note = excluded.note,
                        closed_at = excluded.closed_at, closed_by = excluded.closed_by,
                        updated_at = excluded.updated_at, updated_by = excluded.updated_by,
                        version = follow_ups.version + 1",
                )?
                .execute(params![
                    r.id,
                    r.facility_id,
                    commune,
                    f.due_date,
                    f.status,
                    f.outcome_id,
                    f.note,
                    f.closed_at,
                    f.closed_by,
                    f.updated_at,
                    f.updated_by
                ])?;
            }
            None if version > 1 => {
                tx.prepare_cached("DELETE FROM follow_ups WHERE consultation_id = ?1")?
                    .execute([&r.id])?;
            }
            None => {}
        }
        Ok(())
    }

    /// Outcomes point at consultations that may come later in the bundle: set them last.
    pub(super) fn proposal(&self, r: &ProposalRecord, version: i64) -> Result<()> {
        let tx = self.tx;
        if version > 1 {
            returned_only_by_revision(tx, r)?;
        }
        let fid = r.facility_id.as_deref().ok_or_else(|| {
            StoreError::NotFound(format!("{}: facility", crate::text::sanitize(&r.id)))
        })?;
        let commune = self.commune_of(fid)?;
        let sql = if version == 1 {
            "INSERT INTO proposals (id, facility_id, commune_code, plan_year, category, funding, title,
                rationale, objectives, content, place, time_frame, total_cost, support, counterpart,
                other_sources, expected_jobs, expected_products, expected_capacity, priorities, status,
                decision_no, created_at, created_by, updated_at, updated_by, version,
                approved_support, decision_date, approved_funding, batch, start_date,
                implementing_unit, planned_end, stop_reason, is_pilot)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
                ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34,
                ?35, ?36)"
        } else {
            "UPDATE proposals SET facility_id = ?2, commune_code = ?3, plan_year = ?4, category = ?5,
                funding = ?6, title = ?7, rationale = ?8, objectives = ?9, content = ?10, place = ?11,
                time_frame = ?12, total_cost = ?13, support = ?14, counterpart = ?15,
                other_sources = ?16, expected_jobs = ?17, expected_products = ?18,
                expected_capacity = ?19, priorities = ?20, status = ?21, decision_no = ?22,
                created_at = ?23, created_by = ?24, updated_at = ?25, updated_by = ?26, version = ?27,
                approved_support = ?28, decision_date = ?29, approved_funding = ?30, batch = ?31,
                start_date = ?32, implementing_unit = ?33, planned_end = ?34, stop_reason = ?35,
                is_pilot = ?36
             WHERE id = ?1"
        };
        tx.prepare_cached(sql)?.execute(params![
            r.id,
            r.facility_id,
            commune,
            r.plan_year,
            r.category,
            r.funding,
            r.title,
            r.rationale,
            r.objectives,
            r.content,
            r.place,
            r.time_frame,
            r.total_cost,
            r.support,
            r.counterpart,
            r.other_sources,
            r.expected_jobs,
            r.expected_products,
            r.expected_capacity,
            r.priorities,
            r.status,
            r.decision_no,
            r.created_at,
            r.created_by,
            r.updated_at,
            r.updated_by,
            version,
            r.approved_support,
            r.decision_date,
            r.approved_funding,
            r.batch,
            r.start_date,
            r.implementing_unit,
            r.planned_end,
            r.stop_reason,
            r.is_pilot
        ])?;
        rows::write_beneficiaries(tx, &r.id, &r.beneficiaries)?;
        // History only grows: add the transitions the province does not have yet.
        let have: HashSet<(String, String, String)> = if version == 1 {
            HashSet::new()
        } else {
            let mut s = tx.prepare_cached(
                "SELECT at, mover, to_status FROM proposal_transitions WHERE proposal_id = ?1",
            )?;
            let rows = s.query_map([&r.id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        for t in &r.transitions {
            if !have.contains(&(t.at.clone(), t.mover.clone(), t.to_status.clone())) {
                rows::insert_transition(tx, &r.id, t)?;
            }
        }
        Ok(())
    }

    fn conflict(&self, entity: &str, id: &str, a: (&str, &Value), b: (&str, &Value)) -> Result<()> {
        let stamp = |v: &Value| {
            v.get("updated_at")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        let (older, newer) = if (stamp(a.1), a.0) <= (stamp(b.1), b.0) {
            (a, b)
        } else {
            (b, a)
        };
        self.tx
            .prepare_cached(
                "INSERT OR IGNORE INTO merge_conflicts (entity, record_id, older_rev, older_json,
                    newer_rev, newer_json, sender_id, found_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                entity,
                id,
                older.0,
                older.1.to_string(),
                newer.0,
                newer.1.to_string(),
                self.actor.id,
                self.now
            ])?;
        Ok(())
    }
}

/// Applies the decisions for one kind of record.
pub(super) fn write_batch<T: Kind>(
    w: &Writer<'_, '_>,
    envs: &[Envelope<T>],
    decisions: &[Decision],
) -> Result<()> {
    let entity = T::ENTITY;
    for (env, d) in envs.iter().zip(decisions) {
        let id = env.record.id();
        let (version, old, action) = match d {
            Decision::Unchanged => continue,
            Decision::New => (1, None, "create"),
            Decision::Update { version, old } => (version + 1, Some(old), "update"),
            Decision::Conflict {
                version,
                old,
                old_rev,
                incoming_wins,
            } => {
                let new = serde_json::to_value(&env.record).unwrap_or(Value::Null);
                w.conflict(entity, id, (old_rev, old), (&env.rev, &new))?;
                if !*incoming_wins {
                    continue;
                }
                (version + 1, Some(old), "merge_conflict")
            }
        };
        env.record.write(w, version)?;
        let new = serde_json::to_value(&env.record).unwrap_or(Value::Null);
        if action == "create" && change_log::rev_shaped(entity) {
            // Version 1 here is the record as it came: its rev, and the sender's stamps the
            // walk back cannot give (issue 18).
            let stamp = |k: &str| new.get(k).and_then(Value::as_str).unwrap_or_default();
            change_log::record_created(
                w.tx,
                (w.now, w.actor),
                (entity, id),
                &env.rev,
                Some((stamp("updated_at"), stamp("updated_by"))),
            )?;
        } else if action == "create" {
            // The record as it came is in the bundle; the log keeps the fields, not the
            // nested history (transitions, amendments), which have their own tables.
            // Written straight as text: the same JSON as `json_diff(None, ..)` minus arrays.
            change_log::record_json(
                w.tx,
                w.now,
                w.actor,
                entity,
                id,
                action,
                version,
                &created_changes(&new),
            )?;
        } else {
            w.log(entity, id, action, version, &json_diff(old, &new))?;
        }
        w.set_rev(entity, id, &env.rev, version)?;
    }
    Ok(())
}

/// Indexes of the tables a bulk merge fills, to build once at the end when they start empty.
pub(super) fn bulk_indexes(tx: &Transaction<'_>) -> Result<Vec<(String, String)>> {
    let mut stmt = tx.prepare(
        "SELECT name, sql FROM sqlite_master
         WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('facilities', 'consultations',
            'consultation_topics', 'follow_ups', 'proposals', 'proposal_transitions')",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// A proposal the province returned (TRA_LAI) leaves that status only by the sender's
/// revision (→ DE_XUAT) or withdrawal (→ RUT): a bundle that moves it any other way is
/// refused, whole.
fn returned_only_by_revision(tx: &rusqlite::Transaction<'_>, r: &ProposalRecord) -> Result<()> {
    use crate::domain::proposal::{ProposalStatus as S, Refusal};
    let here: Option<String> = tx
        .prepare_cached("SELECT status FROM proposals WHERE id = ?1")?
        .query_row([&r.id], |row| row.get(0))
        .optional()?;
    if here.as_deref() != Some(S::TraLai.code()) || r.status == S::TraLai.code() {
        return Ok(());
    }
    // A revision the province does not hold yet (an earlier round's is in both).
    let revisions_here: i64 = tx
        .prepare_cached(
            "SELECT count(*) FROM proposal_transitions WHERE proposal_id = ?1
                AND from_status = 'TRA_LAI' AND to_status IN ('DE_XUAT', 'RUT')",
        )?
        .query_row([&r.id], |row| row.get(0))?;
    let revisions = r
        .transitions
        .iter()
        .filter(|t| {
            t.from_status.as_deref() == Some(S::TraLai.code())
                && (t.to_status == S::DeXuat.code() || t.to_status == S::Rut.code())
        })
        .count();
    if revisions as i64 > revisions_here {
        return Ok(());
    }
    let to = S::ALL
        .into_iter()
        .find(|s| s.code() == r.status)
        .unwrap_or(S::TraLai);
    Err(StoreError::Transition {
        id: r.id.clone(),
        refusal: Refusal::NoSuchTransition {
            from: Some(S::TraLai),
            to,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_left_out_of_the_new_record_is_logged_as_cleared() {
        let old = serde_json::json!({"name": "A", "village_id": "v1", "none": null});
        let new = serde_json::json!({"name": "A"});
        let d = json_diff(Some(&old), &new);
        assert_eq!(
            Value::Object(d),
            serde_json::json!({"village_id": ["v1", null]})
        );
    }

    #[test]
    fn created_changes_is_the_diff_from_nothing_without_arrays() {
        let new = serde_json::json!({
            "id": "a\"b", "name": "Cơ sở \u{1}", "empty": "", "none": null, "no": false,
            "yes": true, "zero": 0, "n": -3.5, "list": [1, 2], "nothing": [],
            "obj": {"k": [1]}
        });
        let mut expected = json_diff(None, &new);
        expected.retain(|_, v| !v.get(1).is_some_and(Value::is_array));
        assert_eq!(
            created_changes(&new),
            serde_json::to_string(&expected).expect("json")
        );
        assert_eq!(created_changes(&serde_json::json!({})), "{}");
    }
}
