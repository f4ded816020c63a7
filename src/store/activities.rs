//! Activities with attendees (migration 015): add, edit, archive, list, and what a bundle and
//! a receipt carry of them.
//!
//! One row mapper (`load_activity` / `write_activity`) serves the store, the merge (`Kind`)
//! and receipts; the attendees are part of the record (rewritten with it, in order). Scope is
//! the commune where the activity takes place. Attendee facilities may lie in any commune the
//! writer may read — a provincial training course gathers facilities from the whole province —
//! and must exist here.

use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Transaction};
use serde::Serialize;
use serde_json::Value as Json;

use super::merge::write::json_diff;
use super::{change_log, found, new_id, same_version, Actor, Result, Store, StoreError};
use crate::domain::activity::{self, ActivityData, ActivityInput, AttendeeCounts};
use crate::domain::issue::{FieldIssue, Issues, Problem};
use crate::record::{ActivityRecord, AttendeeRecord};
use crate::text::fold;

/// The entity name (change log, record revs, conflicts).
pub const ENTITY: &str = "activity";

const COLUMNS: &str = "id, kind, title, start_date, end_date, commune_code, place, organiser,
    proposal_id, cost, unnamed_count, unnamed_women, unnamed_minority, notes, archived,
    created_at, created_by, updated_at, updated_by, version";

/// An activity and its row version, with its attendees in order.
pub(crate) fn load_activity(conn: &Connection, id: &str) -> Result<Option<(ActivityRecord, i64)>> {
    let row = conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM activities WHERE id = ?1"))?
        .query_row([id], |r| {
            Ok((
                ActivityRecord {
                    id: r.get(0)?,
                    kind: r.get(1)?,
                    title: r.get(2)?,
                    start_date: r.get(3)?,
                    end_date: r.get(4)?,
                    commune_code: r.get(5)?,
                    place: r.get(6)?,
                    organiser: r.get(7)?,
                    proposal_id: r.get(8)?,
                    cost: r.get(9)?,
                    unnamed_count: r.get(10)?,
                    unnamed_women: r.get(11)?,
                    unnamed_minority: r.get(12)?,
                    notes: r.get(13)?,
                    attendees: Vec::new(),
                    archived: r.get(14)?,
                    created_at: r.get(15)?,
                    created_by: r.get(16)?,
                    updated_at: r.get(17)?,
                    updated_by: r.get(18)?,
                },
                r.get::<_, i64>(19)?,
            ))
        })
        .optional()?;
    let Some((mut rec, version)) = row else {
        return Ok(None);
    };
    let mut stmt = conn.prepare_cached(
        "SELECT facility_id, person_name, gender, ethnic_minority FROM activity_attendees
         WHERE activity_id = ?1 ORDER BY position",
    )?;
    rec.attendees = stmt
        .query_map([id], |r| {
            Ok(AttendeeRecord {
                facility_id: r.get(0)?,
                person_name: r.get(1)?,
                gender: r.get(2)?,
                ethnic_minority: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some((rec, version)))
}

/// Stores `r` as row `version` (inserted, or replacing the row of the same id), its
/// attendees rewritten in order.
pub(crate) fn write_activity(tx: &Transaction<'_>, r: &ActivityRecord, version: i64) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO activities (id, kind, title, title_fold, start_date, end_date, commune_code,
            place, organiser, proposal_id, cost, unnamed_count, unnamed_women, unnamed_minority,
            notes, archived, created_at, created_by, updated_at, updated_by, version)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
            ?19, ?20, ?21)
         ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, title = excluded.title,
            title_fold = excluded.title_fold, start_date = excluded.start_date,
            end_date = excluded.end_date, commune_code = excluded.commune_code,
            place = excluded.place, organiser = excluded.organiser,
            proposal_id = excluded.proposal_id, cost = excluded.cost,
            unnamed_count = excluded.unnamed_count, unnamed_women = excluded.unnamed_women,
            unnamed_minority = excluded.unnamed_minority, notes = excluded.notes,
            archived = excluded.archived, created_at = excluded.created_at,
            created_by = excluded.created_by, updated_at = excluded.updated_at,
            updated_by = excluded.updated_by, version = excluded.version",
    )?
    .execute(params![
        r.id,
        r.kind,
        r.title,
        fold(&r.title),
        r.start_date,
        r.end_date,
        r.commune_code,
        r.place,
        r.organiser,
        r.proposal_id,
        r.cost,
        r.unnamed_count,
        r.unnamed_women,
        r.unnamed_minority,
        r.notes,
        r.archived,
        r.created_at,
        r.created_by,
        r.updated_at,
        r.updated_by,
        version
    ])?;
    tx.prepare_cached("DELETE FROM activity_attendees WHERE activity_id = ?1")?
        .execute([&r.id])?;
    let mut ins = tx.prepare_cached(
        "INSERT INTO activity_attendees (activity_id, position, facility_id, person_name, gender,
            ethnic_minority) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (i, a) in r.attendees.iter().enumerate() {
        ins.execute(params![
            r.id,
            i as i64,
            a.facility_id,
            a.person_name,
            a.gender,
            a.ethnic_minority
        ])?;
    }
    Ok(())
}

/// What the list shows of an activity: the record, its attendee counts and row version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActivityRow {
    #[serde(flatten)]
    pub record: ActivityRecord,
    pub counts: AttendeeCounts,
    pub version: i64,
}

/// Which activities a list shows (all fields optional: everything in scope, not archived).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActivityFilter {
    /// Taking place (start..end) on or after this date.
    pub since: Option<chrono::NaiveDate>,
    /// Starting on or before this date.
    pub until: Option<chrono::NaiveDate>,
    pub kind: Option<String>,
    pub commune: Option<String>,
    /// Words of the title (folded, any order).
    pub text: Option<String>,
    /// Only those a facility took part in.
    pub facility_id: Option<String>,
    pub include_archived: bool,
}

impl ActivityFilter {
    fn where_clause(&self, scope: Option<&[String]>) -> (String, Vec<Value>) {
        let mut sql = String::from("1");
        let mut args = Vec::new();
        if let Some(communes) = scope {
            sql.push_str(" AND ");
            super::consultations::push_scope(&mut sql, &mut args, "a.commune_code", communes);
        }
        if !self.include_archived {
            sql.push_str(" AND a.archived = 0");
        }
        if let Some(d) = self.since {
            sql.push_str(" AND coalesce(a.end_date, a.start_date) >= ?");
            args.push(Value::Text(crate::domain::consultation::iso(d)));
        }
        if let Some(d) = self.until {
            sql.push_str(" AND a.start_date <= ?");
            args.push(Value::Text(crate::domain::consultation::iso(d)));
        }
        if let Some(k) = &self.kind {
            sql.push_str(" AND a.kind = ?");
            args.push(Value::Text(k.clone()));
        }
        if let Some(c) = &self.commune {
            sql.push_str(" AND a.commune_code = ?");
            args.push(Value::Text(c.clone()));
        }
        if let Some(t) = &self.text {
            for word in fold(t).split_whitespace() {
                sql.push_str(" AND instr(a.title_fold, ?) > 0");
                args.push(Value::Text(word.to_string()));
            }
        }
        if let Some(f) = &self.facility_id {
            sql.push_str(
                " AND EXISTS (SELECT 1 FROM activity_attendees x
                    WHERE x.activity_id = a.id AND x.facility_id = ?)",
            );
            args.push(Value::Text(f.clone()));
        }
        (sql, args)
    }
}

/// The record a new activity or an edit writes: the validated content with id and stamps.
fn record_of(
    d: &ActivityData,
    id: String,
    created: (&str, &str),
    now: &str,
    by: &str,
) -> ActivityRecord {
    ActivityRecord {
        id,
        kind: d.kind.clone(),
        title: d.title.clone(),
        start_date: crate::domain::consultation::iso(d.start_date),
        end_date: d.end_date.map(crate::domain::consultation::iso),
        commune_code: d.commune_code.clone(),
        place: d.place.clone(),
        organiser: d.organiser.clone(),
        proposal_id: d.proposal_id.clone(),
        cost: d.cost,
        unnamed_count: d.unnamed_count,
        unnamed_women: d.unnamed_women,
        unnamed_minority: d.unnamed_minority,
        notes: d.notes.clone(),
        attendees: d.attendees.iter().map(|a| a.to_record()).collect(),
        archived: false,
        created_at: created.0.to_string(),
        created_by: created.1.to_string(),
        updated_at: now.to_string(),
        updated_by: by.to_string(),
    }
}

/// The record without its stamps, for the change log's field → [old, new].
fn content(r: &ActivityRecord) -> Json {
    let mut v = serde_json::to_value(r).unwrap_or(Json::Null);
    if let Some(m) = v.as_object_mut() {
        for k in ["created_at", "created_by", "updated_at", "updated_by"] {
            m.remove(k);
        }
    }
    v
}

/// What a typed facility reference finds (an attendee by id, short id or name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FacilityMatch {
    One(String),
    NotFound,
    /// Several facilities: (id, name), at most six.
    Many(Vec<(String, String)>),
}

impl Store {
    /// The facility `text` names: its id or short id; else the readable facilities whose
    /// name holds the text (folded; one whose name is exactly the text wins).
    pub fn match_facility(&self, text: &str) -> Result<FacilityMatch> {
        let text = crate::text::ingest(text);
        if let Some(f) = self.facility_by_ref(&text)? {
            return Ok(FacilityMatch::One(f.id));
        }
        let folded = fold(&text);
        if folded.is_empty() {
            return Ok(FacilityMatch::NotFound);
        }
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, name, name_fold, commune_code FROM facilities
             WHERE archived = 0 AND instr(name_fold, ?1) > 0 ORDER BY sort_key, rowid LIMIT 200",
        )?;
        let found: Vec<(String, String, String)> = stmt
            .query_map([&folded], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, String>(3)?))
            })?
            .filter_map(|r| match r {
                Ok((id, name, f, c)) => self.may_read(&c).then_some(Ok((id, name, f))),
                Err(e) => Some(Err(e)),
            })
            .collect::<rusqlite::Result<_>>()?;
        let exact: Vec<&(String, String, String)> =
            found.iter().filter(|(_, _, f)| *f == folded).collect();
        if let [one] = exact.as_slice() {
            return Ok(FacilityMatch::One(one.0.clone()));
        }
        Ok(match found.as_slice() {
            [one] => FacilityMatch::One(one.0.clone()),
            [] => FacilityMatch::NotFound,
            many => FacilityMatch::Many(
                many.iter()
                    .take(6)
                    .map(|(id, name, _)| (id.clone(), name.clone()))
                    .collect(),
            ),
        })
    }

    /// The facilities an attendee may be picked from: those the reader may read, not
    /// archived, by name — (id, name, commune code).
    pub fn attendee_choices(&self) -> Result<Vec<(String, String, String)>> {
        let scope = self.read_scope();
        let mut cond = String::from("archived = 0");
        let mut args = Vec::new();
        if let Some(communes) = scope.as_deref() {
            cond.push_str(" AND ");
            super::consultations::push_scope(&mut cond, &mut args, "commune_code", communes);
        }
        let sql = format!(
            "SELECT id, name, commune_code FROM facilities WHERE {cond} ORDER BY sort_key, rowid"
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let rows = stmt.query_map(params_from_iter(args), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Checks what the store knows and the domain does not: the commune in the writer's
    /// scope, each attendee facility held here and readable by the writer, a linked đề án
    /// that exists.
    fn check_activity(&self, d: &ActivityData) -> Result<()> {
        self.check_scope(&d.commune_code)?;
        let mut issues = Issues::default();
        for (i, a) in d.attendees.iter().enumerate() {
            let Some(fid) = &a.facility_id else { continue };
            let commune: Option<String> = self
                .conn()
                .prepare_cached("SELECT commune_code FROM facilities WHERE id = ?1")?
                .query_row([fid], |r| r.get(0))
                .optional()?;
            if !commune.is_some_and(|c| self.may_read(&c)) {
                issues.push(FieldIssue::error(
                    "attendees",
                    Problem::AttendeeUnknownFacility { position: i + 1 },
                ));
            }
        }
        if let Some(p) = &d.proposal_id {
            if self
                .proposal(p)?
                .is_none_or(|p| !self.may_read(&p.commune_code))
            {
                issues.push(FieldIssue::error(
                    "proposal_id",
                    Problem::UnknownCode {
                        code: crate::text::sanitize(p),
                    },
                ));
            }
        }
        if issues.has_errors() {
            return Err(StoreError::Invalid(issues));
        }
        Ok(())
    }

    /// Records a new activity with its attendees, in one transaction with its change-log row.
    pub fn add_activity(&mut self, input: &ActivityInput) -> Result<ActivityRecord> {
        let (d, _) = activity::validate(input, self.today()).map_err(StoreError::Invalid)?;
        self.check_activity(&d)?;
        let actor = self.actor()?;
        let now = self.now_string();
        let rec = record_of(&d, new_id(), (&now, &actor.id), &now, &actor.id);
        let changes = json_diff(None, &content(&rec));
        self.write(|tx| {
            write_activity(tx, &rec, 1)?;
            change_log::record(tx, &now, &actor, ENTITY, &rec.id, "create", 1, &changes)?;
            Ok(rec)
        })
    }

    /// Replaces an activity's content (attendees included) as made on `expected_version`; a
    /// different stored version is a `Conflict` and nothing is written. Both the old and the
    /// new commune must be in the writer's scope.
    pub fn edit_activity(
        &mut self,
        id: &str,
        expected_version: i64,
        input: &ActivityInput,
    ) -> Result<ActivityRecord> {
        let (d, _) = activity::validate(input, self.today()).map_err(StoreError::Invalid)?;
        self.check_activity(&d)?;
        self.change_activity(id, expected_version, "update", |old, now, by| {
            let created = (old.created_at.as_str(), old.created_by.as_str());
            let mut rec = record_of(&d, id.to_string(), created, now, by);
            rec.archived = old.archived;
            rec
        })
    }

    /// Archives an activity (records are never deleted), on the version the person saw.
    pub fn archive_activity(&mut self, id: &str, expected_version: i64) -> Result<ActivityRecord> {
        self.change_activity(id, expected_version, "archive", |old, now, by| {
            let mut rec = old.clone();
            rec.archived = true;
            rec.updated_at = now.to_string();
            rec.updated_by = by.to_string();
            rec
        })
    }

    /// One write of a stored activity in the writer's scope: `change` makes the new record
    /// from the stored one (with the time and the writer) when it is still at
    /// `expected_version` (else a `Conflict`); nothing is written when the content is the
    /// same, else the row and a change-log row `action` with the fields that changed.
    fn change_activity(
        &mut self,
        id: &str,
        expected_version: i64,
        action: &str,
        change: impl FnOnce(&ActivityRecord, &str, &str) -> ActivityRecord,
    ) -> Result<ActivityRecord> {
        let (old, _) = found(id, load_activity(self.conn(), id)?)?;
        self.check_scope(&old.commune_code)?;
        let actor = self.actor()?;
        let now = self.now_string();
        self.write(|tx| {
            let (old, version) = found(id, load_activity(tx, id)?)?;
            same_version(id, expected_version, version)?;
            let rec = change(&old, &now, &actor.id);
            let changes = json_diff(Some(&content(&old)), &content(&rec));
            if changes.is_empty() {
                return Ok(old);
            }
            write_activity(tx, &rec, version + 1)?;
            change_log::record(tx, &now, &actor, ENTITY, id, action, version + 1, &changes)?;
            Ok(rec)
        })
    }

    /// One activity with its row version (None outside the reader's scope).
    pub fn activity(&self, id: &str) -> Result<Option<(ActivityRecord, i64)>> {
        Ok(load_activity(self.conn(), id)?.filter(|(r, _)| self.may_read(&r.commune_code)))
    }

    /// An activity by id or the short form of its id.
    pub fn activity_by_ref(&self, reference: &str) -> Result<Option<(ActivityRecord, i64)>> {
        self.by_ref("activities", reference, |id| self.activity(id))
    }

    /// The activities of the reader's scope that `filter` selects, newest first.
    pub fn activities(&self, filter: &ActivityFilter) -> Result<Vec<ActivityRow>> {
        let scope = self.read_scope();
        let (cond, args) = filter.where_clause(scope.as_deref());
        let sql = format!(
            "SELECT a.id FROM activities a WHERE {cond} ORDER BY a.start_date DESC, a.id DESC"
        );
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let ids: Vec<String> = stmt
            .query_map(params_from_iter(args), |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some((record, version)) = load_activity(self.conn(), &id)? {
                let counts = AttendeeCounts::of(&record);
                out.push(ActivityRow {
                    record,
                    counts,
                    version,
                });
            }
        }
        Ok(out)
    }

    /// The activities a facility took part in (as a facility or through a named person of
    /// it), newest first, archived ones left out.
    pub fn activities_of_facility(&self, facility_id: &str) -> Result<Vec<ActivityRow>> {
        self.activities(&ActivityFilter {
            facility_id: Some(facility_id.to_string()),
            ..Default::default()
        })
    }

    /// The activities of a bundle: those in `sel.scope`, and for an incremental bundle only
    /// the ids in `sel.only`; by id.
    pub fn activity_records(
        &self,
        sel: &super::bundles::Selection<'_>,
    ) -> Result<Vec<ActivityRecord>> {
        let mut stmt = self
            .conn()
            .prepare("SELECT id, commune_code FROM activities ORDER BY id")?;
        let ids: Vec<(String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut out = Vec::new();
        for (id, commune) in ids {
            if sel.scope.contains(&commune) && sel.only.is_none_or(|o| o.contains(&id)) {
                out.extend(load_activity(self.conn(), &id)?.map(|r| r.0));
            }
        }
        Ok(out)
    }

    /// What a receipt to `sender_id` carries of activities: the province's activities in the
    /// sender's communes, except those the sender sent (it has them).
    pub fn activities_for_receipt(&self, sender_id: &str) -> Result<Vec<ActivityRecord>> {
        let sender: Option<(String, String)> = self
            .conn()
            .prepare_cached("SELECT role, scope FROM bundle_senders WHERE collaborator_id = ?1")?
            .query_row([sender_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let Some(role) = sender
            .as_ref()
            .and_then(|(role, _)| crate::domain::Role::parse(role))
        else {
            return Ok(Vec::new());
        };
        let units: Vec<String> = sender
            .map(|(_, scope)| serde_json::from_str(&scope).unwrap_or_default())
            .unwrap_or_default();
        let communes = crate::domain::Profile {
            id: sender_id.to_string(),
            name: String::new(),
            role,
            units,
            account: None,
            active: true,
        }
        .communes();
        let mut cond = String::new();
        let mut args = vec![Value::Text(sender_id.to_string())];
        super::consultations::push_scope(&mut cond, &mut args, "a.commune_code", &communes);
        let sql = format!(
            "SELECT a.id FROM activities a WHERE NOT EXISTS (SELECT 1 FROM record_revs x
                WHERE x.entity = 'activity' AND x.id = a.id AND x.sender_id = ?) AND {cond}
             ORDER BY a.id"
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let ids: Vec<String> = stmt
            .query_map(params_from_iter(args), |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.extend(load_activity(self.conn(), &id)?.map(|r| r.0));
        }
        Ok(out)
    }
}

/// The sender takes over the province's activities of a receipt, inside its transaction:
/// absent → added; different → the province's version; the same → nothing. An activity
/// naming a facility or a đề án this database does not hold is skipped (its commune's own
/// records are here; another commune's facility is not). Returns how many changed.
pub fn take_activities_in(
    tx: &Transaction<'_>,
    records: &[ActivityRecord],
    province: &Actor,
    at: &str,
) -> Result<usize> {
    let mut changed = 0;
    let held = |table: &str, id: &str| -> Result<bool> {
        Ok(tx
            .prepare_cached(&format!("SELECT 1 FROM {table} WHERE id = ?1"))?
            .query_row([id], |_| Ok(()))
            .optional()?
            .is_some())
    };
    'records: for r in records {
        for f in r.attendees.iter().filter_map(|a| a.facility_id.as_deref()) {
            if !held("facilities", f)? {
                continue 'records;
            }
        }
        if let Some(p) = &r.proposal_id {
            if !held("proposals", p)? {
                continue;
            }
        }
        let (version, changes) = match load_activity(tx, &r.id)? {
            Some((local, _)) if local == *r => continue,
            Some((local, v)) => (v + 1, json_diff(Some(&content(&local)), &content(r))),
            None => (1, json_diff(None, &content(r))),
        };
        write_activity(tx, r, version)?;
        change_log::record(
            tx, at, province, ENTITY, &r.id, "receipt", version, &changes,
        )?;
        changed += 1;
    }
    Ok(changed)
}
