//! Consultations: record, edit within the grace period, amend after it, follow-ups (done,
//! rescheduled), the agenda, the needs view, lists and the bulk load the demo uses.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Transaction};

use super::rows::{self, bad_date, CONSULTATION_VIEW_SQL as COLS};
use super::{change_log, found, new_id, same_version, Actor, Result, Store, StoreError};
use crate::domain::consultation::{
    days_late, group_needs, iso, order_needs_groups, parse_typed_date, validate, week_end, Agenda,
    AgendaBucket, AgendaCounts, AgendaItem, Amendment, Consultation, ConsultationData,
    ConsultationField, ConsultationInput, ConsultationPatch, ConsultationRecord, FollowUp,
    FollowUpClose, FollowUpStatus, NeedsEntry, NeedsGroup,
};
use crate::domain::issue::{FieldIssue, Issues, Problem};
use crate::refdata::codes;
use crate::text::{ingest, ingest_multiline};

/// The setting that holds the grace period, in whole hours.
pub const GRACE_HOURS_SETTING: &str = "consultation_grace_hours";
const DEFAULT_GRACE_HOURS: i64 = 24;
/// More communes than this (a province rather than a commune or an area) is a wide scope.
const WIDE_SCOPE: usize = 40;

/// Which consultations a list shows (always within the collaborator's scope).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConsultationFilter {
    pub facility_id: Option<String>,
    /// From this date on (inclusive).
    pub since: Option<NaiveDate>,
    /// Up to this date (inclusive).
    pub until: Option<NaiveDate>,
    pub mode: Option<String>,
    pub topic: Option<String>,
    pub collaborator_id: Option<String>,
}

/// How a bulk-loaded consultation's follow-up stands (when it has a follow-up date).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum BulkFollowUp {
    #[default]
    Open,
    /// Done, by the consultation at this index of the same batch and/or with a note.
    Done {
        outcome: Option<usize>,
        note: String,
    },
}

/// One row of a bulk load (the demo; later a bundle merge).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkConsultation {
    pub data: ConsultationData,
    /// When it was recorded (default: now). Past rows are past their grace period.
    pub recorded_at: Option<DateTime<Utc>>,
    pub follow_up: BulkFollowUp,
}

const FROM: &str = "FROM consultations c
    LEFT JOIN facilities f ON f.id = c.facility_id
    LEFT JOIN collaborators p ON p.id = c.collaborator_id
    LEFT JOIN follow_ups fu ON fu.consultation_id = c.id";

/// The stored comma-separated topic codes as a list (one parser for the store, export and merge).
pub(super) fn split_topics(s: &str) -> Vec<String> {
    s.split(',')
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

fn amendments_of(conn: &Connection, id: &str) -> Result<Vec<Amendment>> {
    let mut stmt = conn.prepare_cached(&rows::AMENDMENTS_OF)?;
    let rows = stmt.query_map([id], rows::consultation_amendment)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Lays the amendments over the original values, in order.
fn apply_amendments(data: &mut ConsultationData, amendments: &[Amendment]) {
    for a in amendments {
        for (k, v) in &a.changes {
            if let Some(new) = v.get(1) {
                data.apply(k, new);
            }
        }
    }
}

/// Runs a consultation query and applies amendments to the (rare) amended rows.
fn query(conn: &Connection, sql: &str, args: Vec<Value>) -> Result<Vec<Consultation>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt
        .query_map(params_from_iter(args), rows::consultation_view)?
        .collect::<Result<Vec<_>, _>>()?;
    for c in rows.iter_mut().filter(|c| c.amendments > 0) {
        apply_amendments(&mut c.data, &amendments_of(conn, &c.id)?);
    }
    Ok(rows)
}

fn load(conn: &Connection, id: &str) -> Result<Option<Consultation>> {
    let sql = format!("SELECT {COLS} {FROM} WHERE c.id = ?1");
    Ok(query(conn, &sql, vec![Value::Text(id.to_string())])?
        .into_iter()
        .next())
}

/// `commune_code IN (…)` over the profile's scope; nothing at all without a profile.
pub(super) fn push_scope(
    sql: &mut String,
    args: &mut Vec<Value>,
    column: &str,
    communes: &[String],
) {
    sql.push_str(column);
    sql.push_str(" IN (");
    if communes.is_empty() {
        sql.push_str("NULL");
    }
    for (i, c) in communes.iter().enumerate() {
        sql.push_str(if i == 0 { "?" } else { ",?" });
        args.push(Value::Text(c.clone()));
    }
    sql.push(')');
}

impl ConsultationFilter {
    fn where_clause(&self, communes: &[String]) -> (String, Vec<Value>) {
        let mut sql = String::new();
        let mut args = Vec::new();
        // A wide scope (a province's communes) would make the planner gather the whole scope
        // and sort it; the unary + keeps it on the date index, which pages newest first.
        let column = if communes.len() > WIDE_SCOPE {
            "+c.commune_code"
        } else {
            "c.commune_code"
        };
        push_scope(&mut sql, &mut args, column, communes);
        let mut eq = |col: &str, v: &Option<String>| {
            if let Some(v) = v {
                sql.push_str(&format!(" AND {col} = ?"));
                args.push(Value::Text(v.clone()));
            }
        };
        eq("c.facility_id", &self.facility_id);
        eq("c.cur_mode", &self.mode);
        eq("c.collaborator_id", &self.collaborator_id);
        if let Some(d) = self.since {
            sql.push_str(" AND c.cur_date >= ?");
            args.push(Value::Text(iso(d)));
        }
        if let Some(d) = self.until {
            sql.push_str(" AND c.cur_date <= ?");
            args.push(Value::Text(iso(d)));
        }
        if let Some(t) = &self.topic {
            sql.push_str(
                " AND c.id IN (SELECT consultation_id FROM consultation_topics WHERE topic = ?)",
            );
            args.push(Value::Text(t.clone()));
        }
        (sql, args)
    }
}

fn write_topics(tx: &Transaction<'_>, id: &str, topics: &[String], replace: bool) -> Result<()> {
    if replace {
        tx.prepare_cached("DELETE FROM consultation_topics WHERE consultation_id = ?1")?
            .execute([id])?;
    }
    let mut stmt = tx.prepare_cached(
        "INSERT INTO consultation_topics (consultation_id, topic) VALUES (?1, ?2)",
    )?;
    for t in topics {
        stmt.execute([id, t])?;
    }
    Ok(())
}

struct NewRow<'a> {
    id: &'a str,
    data: &'a ConsultationData,
    commune_code: &'a str,
    collaborator_id: &'a str,
    at: &'a str,
    actor: &'a Actor,
}

/// Inserts a consultation, its topics, its follow-up (open) and the change-log row.
fn insert_row(tx: &Transaction<'_>, n: &NewRow<'_>) -> Result<()> {
    let d = n.data;
    tx.prepare_cached(
        "INSERT INTO consultations (id, facility_id, commune_code, collaborator_id, date, mode, topics,
            difficulties, needs, advice, next_step, follow_up_date, cur_date, cur_mode, amendments,
            created_at, created_by, updated_at, updated_by, version)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?5, ?6, 0, ?13, ?14, ?13, ?14, 1)",
    )?
    .execute(params![
        n.id,
        d.facility_id,
        n.commune_code,
        n.collaborator_id,
        iso(d.date),
        d.mode,
        d.topics.join(","),
        d.difficulties,
        d.needs,
        d.advice,
        d.next_step,
        d.follow_up_date.map(iso),
        n.at,
        n.actor.id,
    ])?;
    write_topics(tx, n.id, &d.topics, false)?;
    if let Some(due) = d.follow_up_date {
        insert_follow_up(tx, n.id, d, n.commune_code, due, n.at, &n.actor.id)?;
    }
    change_log::record(
        tx,
        n.at,
        n.actor,
        "consultation",
        n.id,
        "create",
        1,
        &ConsultationData::diff(None, d),
    )
}

fn insert_follow_up(
    tx: &Transaction<'_>,
    id: &str,
    d: &ConsultationData,
    commune_code: &str,
    due: NaiveDate,
    at: &str,
    actor_id: &str,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO follow_ups (consultation_id, facility_id, commune_code, due_date, status,
            live, updated_at, updated_by, version)
         VALUES (?1, ?2, ?3, ?4, 'open',
            (SELECT 1 - archived FROM facilities WHERE id = ?2), ?5, ?6, 1)",
    )?
    .execute(params![
        id,
        d.facility_id,
        commune_code,
        iso(due),
        at,
        actor_id
    ])?;
    Ok(())
}

/// A quick hash for the needs view's maps of ids and topic lists: a province's year hashes a
/// quarter of a million ids, and SipHash showed in profiles (foldhash, as hashbrown uses).
type Words = foldhash::fast::FixedState;

/// A text column read without copying (the needs view's pass over a province).
fn text(v: rusqlite::types::ValueRef<'_>, i: usize) -> Result<&str> {
    v.as_str().map_err(|e| {
        StoreError::Sqlite(rusqlite::Error::FromSqlConversionFailure(
            i,
            v.data_type(),
            Box::new(e),
        ))
    })
}

fn invalid(field: &'static str, problem: Problem) -> StoreError {
    let mut i = Issues::default();
    i.push(FieldIssue::error(field, problem));
    StoreError::Invalid(i)
}

impl Store {
    /// How long after recording a consultation its author may still edit it in place
    /// (setting `consultation_grace_hours`, default 24).
    pub fn consultation_grace(&self) -> Result<Duration> {
        let hours = self
            .setting(GRACE_HOURS_SETTING)?
            .and_then(|s| s.trim().parse::<i64>().ok())
            .filter(|h| *h >= 0)
            .unwrap_or(DEFAULT_GRACE_HOURS);
        Ok(Duration::hours(hours))
    }

    /// The end of `c`'s grace period.
    pub fn editable_until(&self, c: &Consultation) -> Result<DateTime<Utc>> {
        let created = DateTime::parse_from_rfc3339(&c.created_at)
            .map_err(|e| StoreError::Corrupt(format!("created_at of {}: {e}", c.id)))?;
        Ok(created.with_timezone(&Utc) + self.consultation_grace()?)
    }

    /// Whether the current profile may still edit `c` in place: its author, within the grace
    /// period, and not yet amended (after an amendment, corrections stay amendments).
    pub fn consultation_editable(&self, c: &Consultation) -> Result<bool> {
        let mine = self.profile().is_some_and(|p| p.id == c.created_by);
        Ok(mine && c.amendments == 0 && self.clock().now() < self.editable_until(c)?)
    }

    /// Validates and records a consultation with the facility, by the current profile.
    /// Returns it with any warnings.
    pub fn add_consultation(
        &mut self,
        input: &ConsultationInput,
    ) -> Result<(Consultation, Issues)> {
        let actor = self.actor()?;
        let (data, warnings) = validate(input, self.today())?;
        let facility = self
            .facility(&data.facility_id)?
            .ok_or_else(|| StoreError::NotFound(data.facility_id.clone()))?;
        self.check_scope(&facility.data.commune_code)?;
        let id = new_id();
        let now = self.now_string();
        self.write(|tx| {
            insert_row(
                tx,
                &NewRow {
                    id: &id,
                    data: &data,
                    commune_code: &facility.data.commune_code,
                    collaborator_id: &actor.id,
                    at: &now,
                    actor: &actor,
                },
            )
        })?;
        let c = self.consultation(&id)?.ok_or(StoreError::NotFound(id))?;
        Ok((c, warnings))
    }

    /// The author's edit within the grace period, made on `expected_version`. It rewrites the
    /// recorded values and logs field → [old, new]; afterwards `Locked` (amend instead).
    pub fn edit_consultation(
        &mut self,
        id: &str,
        expected_version: i64,
        patch: &ConsultationPatch,
    ) -> Result<(Consultation, Issues)> {
        let actor = self.actor()?;
        let now = self.now_string();
        let today = self.today();
        let old = found(id, self.consultation(id)?)?;
        self.check_scope(&old.commune_code)?;
        if !self.consultation_editable(&old)? {
            return Err(StoreError::Locked(id.to_string()));
        }
        let (data, warnings) = validate(&patch.over(&old.data), today)?;
        self.write(|tx| {
            // Re-read inside the transaction: the version check must see the latest row.
            let cur = found(id, load(tx, id)?)?;
            same_version(id, expected_version, cur.version)?;
            let changes = ConsultationData::diff(Some(&cur.data), &data);
            if changes.is_empty() {
                return Ok(());
            }
            let version = cur.version + 1;
            tx.execute(
                "UPDATE consultations SET date = ?2, mode = ?3, topics = ?4, difficulties = ?5,
                    needs = ?6, advice = ?7, next_step = ?8, follow_up_date = ?9, cur_date = ?2,
                    cur_mode = ?3, updated_at = ?10, updated_by = ?11, version = ?12
                 WHERE id = ?1",
                params![
                    id,
                    iso(data.date),
                    data.mode,
                    data.topics.join(","),
                    data.difficulties,
                    data.needs,
                    data.advice,
                    data.next_step,
                    data.follow_up_date.map(iso),
                    now,
                    actor.id,
                    version
                ],
            )?;
            if cur.data.topics != data.topics {
                write_topics(tx, id, &data.topics, true)?;
            }
            if cur.data.follow_up_date != data.follow_up_date {
                // The follow-up follows the agreed date while it is still open; one that is
                // already done stays as it ended.
                match (&cur.follow_up, data.follow_up_date) {
                    (Some(f), Some(due)) if f.status == FollowUpStatus::Open => {
                        tx.execute(
                            "UPDATE follow_ups SET due_date = ?2, updated_at = ?3, updated_by = ?4,
                                version = version + 1 WHERE consultation_id = ?1",
                            params![id, iso(due), now, actor.id],
                        )?;
                    }
                    (Some(f), None) if f.status == FollowUpStatus::Open => {
                        // Made by mistake minutes ago; the change log keeps the trace.
                        tx.execute("DELETE FROM follow_ups WHERE consultation_id = ?1", [id])?;
                    }
                    (None, Some(due)) => {
                        insert_follow_up(tx, id, &data, &cur.commune_code, due, &now, &actor.id)?;
                    }
                    _ => {}
                }
            }
            change_log::record(
                tx,
                &now,
                &actor,
                "consultation",
                id,
                "update",
                version,
                &changes,
            )
        })?;
        let c = found(id, self.consultation(id)?)?;
        Ok((c, warnings))
    }

    /// Records a correction beside the original (allowed at any time, by anyone in scope):
    /// the original values stay as they were. The follow-up date is not amended: reschedule.
    pub fn amend_consultation(
        &mut self,
        id: &str,
        expected_version: i64,
        patch: &ConsultationPatch,
        reason: &str,
    ) -> Result<(ConsultationRecord, Issues)> {
        let actor = self.actor()?;
        let now = self.now_string();
        let today = self.today();
        if patch.follow_up_date.is_some() {
            return Err(invalid("follow_up_date", Problem::NotAmendable));
        }
        let old = found(id, self.consultation(id)?)?;
        self.check_scope(&old.commune_code)?;
        let (data, warnings) = validate(&patch.over(&old.data), today)?;
        let reason = ingest_multiline(reason);
        self.write(|tx| {
            let cur = found(id, load(tx, id)?)?;
            same_version(id, expected_version, cur.version)?;
            let mut changes = ConsultationData::diff(Some(&cur.data), &data);
            changes.retain(|k, _| {
                ConsultationField::from_key(k).is_some_and(ConsultationField::amendable)
            });
            if changes.is_empty() {
                return Ok(());
            }
            let json =
                serde_json::to_string(&changes).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            tx.execute(
                "INSERT INTO consultation_amendments (id, consultation_id, at, actor_id, actor_name,
                    reason, changes)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![new_id(), id, now, actor.id, actor.name, reason, json],
            )?;
            let version = cur.version + 1;
            // Only the derived columns and the bookkeeping change: the recorded values stay.
            tx.execute(
                "UPDATE consultations SET cur_date = ?2, cur_mode = ?3, amendments = amendments + 1,
                    updated_at = ?4, updated_by = ?5, version = ?6
                 WHERE id = ?1",
                params![id, iso(data.date), data.mode, now, actor.id, version],
            )?;
            if cur.data.topics != data.topics {
                write_topics(tx, id, &data.topics, true)?;
            }
            let mut logged = changes.clone();
            if !reason.is_empty() {
                logged.insert("reason".into(), serde_json::json!([null, reason]));
            }
            change_log::record(
                tx,
                &now,
                &actor,
                "consultation",
                id,
                "amend",
                version,
                &logged,
            )
        })?;
        let rec = found(id, self.consultation_record(id)?)?;
        Ok((rec, warnings))
    }

    /// Marks a consultation's open follow-up done, by the consultation it led to (same
    /// facility, not earlier) and/or with a note. `expected_version` is the follow-up's.
    pub fn complete_follow_up(
        &mut self,
        id: &str,
        expected_version: i64,
        close: &FollowUpClose,
    ) -> Result<FollowUp> {
        let actor = self.actor()?;
        let now = self.now_string();
        let c = found(id, self.consultation(id)?)?;
        self.check_scope(&c.commune_code)?;
        let outcome = match close.outcome_id.as_deref().map(str::trim) {
            Some(o) if !o.is_empty() => {
                let other = self
                    .consultation(o)?
                    .ok_or_else(|| StoreError::NotFound(o.to_string()))?;
                if other.id == c.id || other.data.facility_id != c.data.facility_id {
                    return Err(invalid("outcome_id", Problem::OtherFacility));
                }
                if other.data.date < c.data.date {
                    return Err(invalid(
                        "outcome_id",
                        Problem::BeforeDate {
                            date: crate::domain::consultation::dmy(c.data.date),
                        },
                    ));
                }
                Some(other.id)
            }
            _ => None,
        };
        let note = ingest_multiline(&close.note);
        self.write(|tx| {
            let cur = found(id, load(tx, id)?)?;
            let f = cur
                .follow_up
                .ok_or_else(|| StoreError::NoFollowUp(id.to_string()))?;
            if f.status == FollowUpStatus::Done {
                return Err(StoreError::FollowUpDone(id.to_string()));
            }
            same_version(id, expected_version, f.version)?;
            let version = f.version + 1;
            tx.execute(
                "UPDATE follow_ups SET status = 'done', outcome_id = ?2, note = ?3, closed_at = ?4,
                    closed_by = ?5, updated_at = ?4, updated_by = ?5, version = ?6
                 WHERE consultation_id = ?1",
                params![id, outcome, note, now, actor.id, version],
            )?;
            let mut changes = serde_json::Map::new();
            changes.insert("status".into(), serde_json::json!(["open", "done"]));
            if let Some(o) = &outcome {
                changes.insert("outcome_id".into(), serde_json::json!([null, o]));
            }
            if !note.is_empty() {
                changes.insert("note".into(), serde_json::json!([f.note, note]));
            }
            change_log::record(tx, &now, &actor, "follow_up", id, "done", version, &changes)
        })?;
        self.follow_up(id)
    }

    /// Moves a follow-up to a new date (today or later, not before the consultation), or
    /// schedules one the consultation did not have (`expected_version` 0). The old and new
    /// dates, and the reason if given, go to the change log.
    pub fn reschedule_follow_up(
        &mut self,
        id: &str,
        expected_version: i64,
        date: &str,
        reason: &str,
    ) -> Result<FollowUp> {
        let actor = self.actor()?;
        let now = self.now_string();
        let today = self.today();
        let c = found(id, self.consultation(id)?)?;
        self.check_scope(&c.commune_code)?;
        let raw = ingest(date);
        let due = match parse_typed_date(&raw, today) {
            None if raw.is_empty() => return Err(invalid("follow_up_date", Problem::Required)),
            None => {
                return Err(invalid(
                    "follow_up_date",
                    Problem::DateFormat { value: raw },
                ))
            }
            Some(d) => d,
        };
        let floor = today.max(c.data.date);
        if due < floor {
            return Err(invalid(
                "follow_up_date",
                Problem::BeforeDate {
                    date: crate::domain::consultation::dmy(floor),
                },
            ));
        }
        if due > today + Duration::days(5 * 366) {
            return Err(invalid(
                "follow_up_date",
                Problem::YearInFuture {
                    year: chrono::Datelike::year(&due),
                },
            ));
        }
        let reason = ingest_multiline(reason);
        self.write(|tx| {
            let cur = found(id, load(tx, id)?)?;
            let found = cur.follow_up.as_ref().map_or(0, |f| f.version);
            same_version(id, expected_version, found)?;
            let mut changes = serde_json::Map::new();
            let (action, version) = match &cur.follow_up {
                Some(f) if f.status == FollowUpStatus::Done => {
                    return Err(StoreError::FollowUpDone(id.to_string()))
                }
                Some(f) if f.due_date == due => return Ok(()),
                Some(f) => {
                    tx.execute(
                        "UPDATE follow_ups SET due_date = ?2, updated_at = ?3, updated_by = ?4,
                            version = ?5 WHERE consultation_id = ?1",
                        params![id, iso(due), now, actor.id, f.version + 1],
                    )?;
                    changes.insert(
                        "due_date".into(),
                        serde_json::json!([iso(f.due_date), iso(due)]),
                    );
                    ("reschedule", f.version + 1)
                }
                None => {
                    insert_follow_up(tx, id, &cur.data, &cur.commune_code, due, &now, &actor.id)?;
                    changes.insert("due_date".into(), serde_json::json!([null, iso(due)]));
                    ("schedule", 1)
                }
            };
            if !reason.is_empty() {
                changes.insert("reason".into(), serde_json::json!([null, reason]));
            }
            change_log::record(tx, &now, &actor, "follow_up", id, action, version, &changes)
        })?;
        self.follow_up(id)
    }

    fn follow_up(&self, id: &str) -> Result<FollowUp> {
        self.consultation(id)?
            .and_then(|c| c.follow_up)
            .ok_or_else(|| StoreError::NoFollowUp(id.to_string()))
    }

    /// One consultation with its current values (any scope: reading is not restricted).
    pub fn consultation(&self, id: &str) -> Result<Option<Consultation>> {
        load(self.conn(), id)
    }

    /// By full id or a unique ending of it (the 8-character short id lists show).
    /// On a shared database a consultation outside the reader's scope is not found.
    pub fn consultation_by_ref(&self, reference: &str) -> Result<Option<Consultation>> {
        self.by_ref_in_scope(
            "consultations",
            reference,
            |id| self.consultation(id),
            |c| &c.commune_code,
        )
    }

    /// The original values, each amendment, and the current values: what a screen shows as
    /// "original + corrections".
    pub fn consultation_record(&self, id: &str) -> Result<Option<ConsultationRecord>> {
        let sql = format!("SELECT {COLS} {FROM} WHERE c.id = ?1");
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let Some(original) = stmt.query_row([id], rows::consultation_view).optional()? else {
            return Ok(None);
        };
        if !self.may_read(&original.commune_code) {
            return Ok(None);
        }
        let amendments = amendments_of(self.conn(), id)?;
        let mut consultation = original.clone();
        apply_amendments(&mut consultation.data, &amendments);
        let until = self.editable_until(&original)?;
        let editable = self.consultation_editable(&original)?;
        Ok(Some(ConsultationRecord {
            consultation,
            original: original.data,
            amendments,
            editable_until: until.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            editable,
        }))
    }

    pub fn amendments(&self, id: &str) -> Result<Vec<Amendment>> {
        amendments_of(self.conn(), id)
    }

    /// A facility's consultations, newest first (an index walk: `consultations_timeline`).
    pub fn facility_timeline(
        &self,
        facility_id: &str,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<Consultation>> {
        let sql = format!(
            "SELECT {COLS} {FROM} WHERE c.facility_id = ?
             ORDER BY c.cur_date DESC, c.id DESC LIMIT ? OFFSET ?"
        );
        query(
            self.conn(),
            &sql,
            vec![
                Value::Text(facility_id.to_string()),
                Value::Integer(limit.min(i64::MAX as usize) as i64),
                Value::Integer(offset.min(i64::MAX as usize) as i64),
            ],
        )
    }

    /// Consultations in the collaborator's scope matching `filter`, newest first.
    pub fn list_consultations(
        &self,
        filter: &ConsultationFilter,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<Consultation>> {
        let (w, mut args) = filter.where_clause(&self.scope_communes());
        let sql = format!(
            "SELECT {COLS} {FROM} WHERE {w} ORDER BY c.cur_date DESC, c.id DESC LIMIT ? OFFSET ?"
        );
        args.push(Value::Integer(limit.min(i64::MAX as usize) as i64));
        args.push(Value::Integer(offset.min(i64::MAX as usize) as i64));
        query(self.conn(), &sql, args)
    }

    pub fn count_consultations(&self, filter: &ConsultationFilter) -> Result<usize> {
        let (w, args) = filter.where_clause(&self.scope_communes());
        let n: i64 = self.conn().query_row(
            &format!("SELECT count(*) FROM consultations c WHERE {w}"),
            params_from_iter(args),
            |r| r.get(0),
        )?;
        Ok(n as usize)
    }

    /// The open follow-ups of the collaborator's scope (live facilities only), by due date,
    /// in buckets computed from the injected clock's Vietnam-local today.
    pub fn agenda(&self) -> Result<Agenda> {
        self.agenda_limited(usize::MAX)
    }

    /// The agenda with at most `per_bucket` items in each bucket (the earliest due);
    /// `counts` still counts them all. Each bucket's window is picked from the index
    /// `follow_ups_open` alone, and only the rows shown are read.
    pub fn agenda_limited(&self, per_bucket: usize) -> Result<Agenda> {
        let today = self.today();
        let end = week_end(today);
        let (scope, scope_args) = self.open_follow_ups_scope();
        let (t, e) = (iso(today), iso(end));
        let text = |s: &str| Value::Text(s.to_string());

        // One count per bucket, each a range of the commune-first index: a province's
        // counts seek each commune's range instead of testing every open follow-up against
        // the list of its communes (measured at 100,000 facilities: 32 ms → about 10 ms).
        let (count_scope, count_args) = self.open_follow_ups_scope_by_commune();
        let count = |range: &str, values: &[&str]| -> Result<usize> {
            let mut args = count_args.clone();
            args.extend(values.iter().map(|v| text(v)));
            let n: i64 = self.conn().query_row(
                &format!("SELECT count(*) FROM follow_ups WHERE {count_scope} AND {range}"),
                params_from_iter(args),
                |r| r.get(0),
            )?;
            Ok(n as usize)
        };
        let counts = AgendaCounts {
            overdue: count("due_date < ?", &[&t])?,
            today: count("due_date = ?", &[&t])?,
            this_week: count("due_date > ? AND due_date <= ?", &[&t, &e])?,
            later: count("due_date > ?", &[&e])?,
        };

        let limit = Value::Integer(per_bucket.min(i64::MAX as usize) as i64);
        let ranges: [(&str, Vec<Value>, usize); 4] = [
            ("due_date < ?", vec![text(&t)], counts.overdue),
            ("due_date = ?", vec![text(&t)], counts.today),
            (
                "due_date > ? AND due_date <= ?",
                vec![text(&t), text(&e)],
                counts.this_week,
            ),
            ("due_date > ?", vec![text(&e)], counts.later),
        ];
        let mut items = Vec::new();
        for (range, range_args, n) in ranges {
            if n == 0 || per_bucket == 0 {
                continue;
            }
            let mut args = scope_args.clone();
            args.extend(range_args);
            args.push(limit.clone());
            let sql = format!(
                "SELECT {COLS} FROM (
                    SELECT consultation_id FROM follow_ups WHERE {scope} AND {range}
                    ORDER BY due_date, consultation_id LIMIT ?) w
                    JOIN consultations c ON c.id = w.consultation_id
                    JOIN follow_ups fu ON fu.consultation_id = c.id
                    LEFT JOIN facilities f ON f.id = c.facility_id
                    LEFT JOIN collaborators p ON p.id = c.collaborator_id
                 ORDER BY fu.due_date, f.sort_key, c.id"
            );
            items.extend(query(self.conn(), &sql, args)?.into_iter().filter_map(|c| {
                let due = c.open_follow_up()?.due_date;
                Some(AgendaItem {
                    bucket: AgendaBucket::of(due, today),
                    days_late: days_late(due, today),
                    consultation: c,
                })
            }));
        }
        Ok(Agenda {
            today,
            week_end: end,
            items,
            counts,
            visits: self.visit_follow_ups(per_bucket)?,
        })
    }

    /// The condition (and its values) that selects the scope's open follow-ups of live
    /// facilities, answered by the index `follow_ups_open` alone.
    fn open_follow_ups_scope(&self) -> (String, Vec<Value>) {
        let communes = self.scope_communes();
        let mut sql = String::from("status = 'open' AND live = 1 AND ");
        let mut args = Vec::new();
        // Wide scopes walk follow_ups_open_by_date (see the migration); the + keeps the
        // planner off the commune-first index.
        let column = if communes.len() > WIDE_SCOPE {
            "+commune_code"
        } else {
            "commune_code"
        };
        push_scope(&mut sql, &mut args, column, &communes);
        (sql, args)
    }

    /// As [`Store::open_follow_ups_scope`], always on the commune-first index: for counts,
    /// which visit every entry of a range anyway.
    fn open_follow_ups_scope_by_commune(&self) -> (String, Vec<Value>) {
        let communes = self.scope_communes();
        let mut sql = String::from("status = 'open' AND live = 1 AND ");
        let mut args = Vec::new();
        push_scope(&mut sql, &mut args, "commune_code", &communes);
        (sql, args)
    }

    /// How many open follow-ups of the scope are past due (the header's counter).
    pub fn overdue_count(&self) -> Result<usize> {
        let (scope, mut args) = self.open_follow_ups_scope_by_commune();
        args.push(Value::Text(iso(self.today())));
        let n: i64 = self.conn().query_row(
            &format!("SELECT count(*) FROM follow_ups WHERE {scope} AND due_date < ?"),
            params_from_iter(args),
            |r| r.get(0),
        )?;
        Ok(n as usize)
    }

    /// The difficulties and needs recorded in the scope (narrowed by `filter`), grouped by
    /// support category, with how many distinct facilities raised each.
    pub fn needs_by_topic(&self, filter: &ConsultationFilter) -> Result<Vec<NeedsGroup>> {
        let (w, args) = filter.where_clause(&self.scope_communes());
        // Amended rows may have gained needs: keep them for the check after amendments apply.
        let sql = format!(
            "SELECT {COLS} {FROM} WHERE {w}
               AND (c.needs <> '' OR c.difficulties <> '' OR c.amendments > 0)"
        );
        let rows = query(self.conn(), &sql, args)?;
        Ok(group_needs(&rows, filter.topic.as_deref()))
    }

    /// The needs view's groups without loading a province's every text: counts (facilities,
    /// consultations) are exact; each group lists only its newest `per_group` entries.
    ///
    /// One pass walks the index `consultations_needs` alone, newest date first, in the index's
    /// own order (asking SQLite for `id DESC` within a date too would sort the whole window);
    /// each row is read borrowed, a facility's groups are bits of one word per facility, and
    /// within a date the ties are kept and ordered by id at the end. Corrected rows are loaded
    /// whole (their amendments applied); the texts and facility names are then read for the
    /// listed entries only.
    ///
    /// Counting in SQL was measured first and was slower: `count(DISTINCT facility_id)`
    /// per topic over `consultation_topics` joined to the window builds temporary b-trees
    /// (0.96 s in the sqlite3 shell for a province's year, against 0.24–0.28 s for this whole
    /// pass measured under load; docs/PERFORMANCE.md, «Consultations»).
    pub fn needs_overview(
        &self,
        filter: &ConsultationFilter,
        per_group: usize,
    ) -> Result<Vec<NeedsGroup>> {
        use std::borrow::Cow;
        use std::collections::HashMap;
        /// A listed entry before its texts are read: the date as stored, then parsed.
        struct Pending {
            id: String,
            facility_id: String,
            cur_date: String,
        }
        let (w, args) = filter.where_clause(&self.scope_communes());
        let sql = format!(
            "SELECT c.facility_id, c.topics, c.amendments, c.cur_date, c.id
             FROM consultations c INDEXED BY consultations_needs
             WHERE {w} AND (c.has_text OR c.amendments > 0)
             ORDER BY c.cur_date DESC"
        );
        let list = &codes().support_categories;
        let items = list.items();
        // Group slots: the code list's positions, then one for «no topic» (and unknown codes,
        // as `group_needs` files them).
        let none = items.len();
        let slot = |t: &str| items.iter().position(|i| i.code == t).unwrap_or(none);
        let only = filter.topic.as_deref().map(&slot);
        let words = none / 64 + 1;
        let mut raised = vec![0usize; none + 1];
        let mut facilities = vec![0usize; none + 1];
        let mut pending: Vec<Vec<Pending>> = (0..=none).map(|_| Vec::new()).collect();
        // Each facility's groups so far, `words` bits per facility.
        let mut seen_slot: HashMap<String, usize, Words> = HashMap::default();
        // A stored topic list → its group slots (a province has a few hundred lists).
        let mut slots_of: HashMap<String, Vec<usize>, Words> = HashMap::default();
        let mut seen: Vec<u64> = Vec::new();
        // Corrected consultations, loaded whole: their texts are known after the pass.
        let mut corrected: HashMap<String, Consultation> = HashMap::new();
        let mut keys: Vec<usize> = Vec::new();
        {
            let mut stmt = self.conn().prepare(&sql)?;
            let mut rows = stmt.query(params_from_iter(args))?;
            while let Some(r) = rows.next()? {
                let amended: i64 = r.get(2)?;
                keys.clear();
                // The facility and the date as the row gives them (the corrected values for a
                // corrected row).
                let (fid, date): (Cow<'_, str>, Cow<'_, str>);
                let mut corrected_id = None;
                if amended > 0 {
                    let id: String = r.get(4)?;
                    let Some(c) = self.consultation(&id)? else {
                        continue;
                    };
                    if c.data.needs.is_empty() && c.data.difficulties.is_empty() {
                        continue;
                    }
                    if c.data.topics.is_empty() {
                        keys.push(none);
                    } else {
                        keys.extend(c.data.topics.iter().map(|t| slot(t)));
                    }
                    fid = c.data.facility_id.clone().into();
                    date = iso(c.data.date).into();
                    corrected_id = Some(id.clone());
                    corrected.insert(id, c);
                } else {
                    let topics = text(r.get_ref(1)?, 1)?;
                    match slots_of.get(topics) {
                        Some(s) => keys.extend_from_slice(s),
                        None => {
                            let s: Vec<usize> = if topics.trim().is_empty() {
                                vec![none]
                            } else {
                                topics.split(',').map(|t| slot(t.trim())).collect()
                            };
                            keys.extend_from_slice(&s);
                            slots_of.insert(topics.to_string(), s);
                        }
                    }
                    fid = text(r.get_ref(0)?, 0)?.into();
                    date = text(r.get_ref(3)?, 3)?.into();
                }
                let at = match seen_slot.get(fid.as_ref()) {
                    Some(&at) => at,
                    None => {
                        let at = seen.len();
                        seen.extend(std::iter::repeat_n(0, words));
                        seen_slot.insert(fid.to_string(), at);
                        at
                    }
                };
                for &k in &keys {
                    if only.is_some_and(|o| o != k) {
                        continue;
                    }
                    raised[k] += 1;
                    let (word, bit) = (at + k / 64, 1u64 << (k % 64));
                    if seen[word] & bit == 0 {
                        seen[word] |= bit;
                        facilities[k] += 1;
                    }
                    // The newest `per_group`, and every tie on the last listed date: ids order
                    // them below.
                    let p = &mut pending[k];
                    let take = p.len() < per_group
                        || (per_group > 0 && p.last().is_some_and(|l| l.cur_date == date));
                    if take {
                        let id = match &corrected_id {
                            Some(id) => id.clone(),
                            None => text(r.get_ref(4)?, 4)?.to_string(),
                        };
                        p.push(Pending {
                            id,
                            facility_id: fid.to_string(),
                            cur_date: date.to_string(),
                        });
                    }
                }
            }
        }
        // The texts and facility names of the listed entries.
        let mut texts = self.conn().prepare_cached(
            "SELECT c.needs, c.difficulties, coalesce(f.name, '')
             FROM consultations c LEFT JOIN facilities f ON f.id = c.facility_id
             WHERE c.id = ?1",
        )?;
        let mut cache: HashMap<String, (String, String, String)> = HashMap::new();
        let mut groups = Vec::new();
        for (k, mut p) in pending.into_iter().enumerate() {
            if raised[k] == 0 {
                continue;
            }
            p.sort_by(|a, b| b.cur_date.cmp(&a.cur_date).then_with(|| b.id.cmp(&a.id)));
            p.truncate(per_group);
            let mut entries = Vec::with_capacity(p.len());
            for e in p {
                let (needs, difficulties, name) = match (corrected.get(&e.id), cache.get(&e.id)) {
                    (Some(c), _) => (
                        c.data.needs.clone(),
                        c.data.difficulties.clone(),
                        c.facility_name.clone(),
                    ),
                    (None, Some(t)) => t.clone(),
                    (None, None) => {
                        let t: (String, String, String) =
                            texts.query_row([&e.id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
                        cache.insert(e.id.clone(), t.clone());
                        t
                    }
                };
                let date = NaiveDate::parse_from_str(&e.cur_date, "%Y-%m-%d")
                    .map_err(|_| StoreError::Sqlite(bad_date(3)))?;
                entries.push(NeedsEntry {
                    consultation_id: e.id,
                    facility_id: e.facility_id,
                    facility_name: name,
                    date,
                    difficulties,
                    needs,
                });
            }
            let key = (k < none).then_some(k);
            groups.push((
                key,
                NeedsGroup {
                    topic: key.map(|i| items[i].code.clone()),
                    facilities: facilities[k],
                    raised: raised[k],
                    entries,
                },
            ));
        }
        // In the order `group_needs` gives.
        Ok(order_needs_groups(groups))
    }

    /// Loads many consultations in one transaction, all or none, as the current profile: the
    /// demo's hundreds of thousands of rows. Every facility must exist and lie in scope.
    /// Returns the new ids in input order.
    pub fn import_consultations(&mut self, rows: &[BulkConsultation]) -> Result<Vec<String>> {
        let actor = self.actor()?;
        let profile = self.require_profile()?.clone();
        let now = self.clock().now();
        let ids: Vec<String> = rows.iter().map(|_| new_id()).collect();
        let existing: i64 =
            self.conn()
                .query_row("SELECT count(*) FROM consultations", [], |r| r.get(0))?;
        // As the facility import: indexes built once at the end when the table is mostly new.
        let rebuild = rows.len() >= 5000 && rows.len() as i64 >= existing;
        let tables = ["consultations", "consultation_topics", "follow_ups"];
        self.bulk_write(rows.len(), rebuild, &tables, |tx| {
            let mut commune_of = std::collections::HashMap::<String, String>::new();
            let mut facility_stmt =
                tx.prepare_cached("SELECT commune_code FROM facilities WHERE id = ?1")?;
            for (id, row) in ids.iter().zip(rows) {
                let fid = &row.data.facility_id;
                if !commune_of.contains_key(fid) {
                    let code: String = facility_stmt
                        .query_row([fid], |r| r.get(0))
                        .optional()?
                        .ok_or_else(|| StoreError::NotFound(fid.clone()))?;
                    if !profile.covers_commune(&code) {
                        return Err(StoreError::OutOfScope(code));
                    }
                    commune_of.insert(fid.clone(), code);
                }
                let commune = commune_of.get(fid).map(String::as_str).unwrap_or_default();
                let at = row
                    .recorded_at
                    .unwrap_or(now)
                    .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
                insert_row(
                    tx,
                    &NewRow {
                        id,
                        data: &row.data,
                        commune_code: commune,
                        collaborator_id: &actor.id,
                        at: &at,
                        actor: &actor,
                    },
                )?;
            }
            // Outcomes refer to rows of the batch, so they are set once all exist.
            let mut close = tx.prepare_cached(
                "UPDATE follow_ups SET status = 'done', outcome_id = ?2, note = ?3,
                    closed_at = ?4, closed_by = ?5, updated_at = ?4, version = 2
                 WHERE consultation_id = ?1",
            )?;
            for (i, row) in rows.iter().enumerate() {
                let (BulkFollowUp::Done { outcome, note }, Some(due)) =
                    (&row.follow_up, row.data.follow_up_date)
                else {
                    continue;
                };
                let outcome_id = outcome.and_then(|o| ids.get(o));
                // Closed on the day it was due (or when the next visit happened).
                let closed_on = outcome
                    .and_then(|o| rows.get(o))
                    .map_or(due, |r| r.data.date)
                    .and_hms_opt(10, 0, 0)
                    .map(|t| t - Duration::hours(7))
                    .map(|t| {
                        DateTime::<Utc>::from_naive_utc_and_offset(t, Utc)
                            .min(now)
                            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
                    })
                    .unwrap_or_default();
                close.execute(params![ids[i], outcome_id, note, closed_on, actor.id])?;
            }
            Ok(())
        })?;
        Ok(ids)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::clock::FixedClock;
    use crate::domain::ProfileInput;

    fn plan(store: &Store, sql: &str, args: Vec<Value>) -> String {
        let mut stmt = store
            .conn()
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap();
        let rows = stmt
            .query_map(params_from_iter(args), |r| r.get::<_, String>(3))
            .unwrap();
        rows.map(|r| r.unwrap()).collect::<Vec<_>>().join("\n")
    }

    fn store() -> Store {
        let clock = FixedClock::new(Utc::now());
        let mut s = Store::open_in_memory(Arc::new(clock)).unwrap();
        s.init_profile(
            &ProfileInput {
                name: "A".into(),
                role: "province".into(),
                units: "01".into(),
                account: None,
            },
            false,
        )
        .unwrap();
        // The planner's choices depend on statistics; give it some, as a used database has.
        s.conn().execute_batch("ANALYZE").unwrap();
        s
    }

    #[test]
    fn a_province_pages_its_consultations_by_the_date_index() {
        let s = store();
        let (w, args) = ConsultationFilter::default().where_clause(&s.scope_communes());
        let sql =
            format!("SELECT {COLS} {FROM} WHERE {w} ORDER BY c.cur_date DESC, c.id DESC LIMIT 50");
        let p = plan(&s, &sql, args);
        assert!(p.contains("consultations_date"), "{p}");
        assert!(!p.contains("TEMP B-TREE"), "{p}");
    }

    #[test]
    fn a_commune_seeks_its_own_open_follow_ups() {
        let mut s = store();
        s.init_profile(
            &ProfileInput {
                name: "B".into(),
                role: "commune".into(),
                units: "00004".into(),
                account: None,
            },
            true,
        )
        .unwrap();
        let (scope, mut args) = s.open_follow_ups_scope();
        args.push(Value::Text("2026-11-25".into()));
        let sql = format!(
            "SELECT consultation_id FROM follow_ups WHERE {scope} AND due_date > ?
             ORDER BY due_date, consultation_id LIMIT 50"
        );
        let p = plan(&s, &sql, args);
        assert!(p.contains("COVERING INDEX follow_ups_open ("), "{p}");
    }

    #[test]
    fn the_timeline_walks_its_index_without_sorting() {
        let s = store();
        let sql = format!(
            "SELECT {COLS} {FROM} WHERE c.facility_id = ?
             ORDER BY c.cur_date DESC, c.id DESC LIMIT 50"
        );
        let p = plan(&s, &sql, vec![Value::Text("x".into())]);
        assert!(p.contains("consultations_timeline"), "{p}");
        assert!(!p.contains("TEMP B-TREE"), "{p}");
    }

    #[test]
    fn the_agenda_and_the_overdue_count_use_the_open_follow_up_index() {
        let s = store();
        let communes = s.scope_communes();
        let mut args = Vec::new();
        let mut scope = String::new();
        push_scope(&mut scope, &mut args, "commune_code", &communes);
        args.push(Value::Text("2026-11-25".into()));
        let p = plan(
            &s,
            &format!(
                "SELECT consultation_id FROM follow_ups
                 WHERE status = 'open' AND {scope} AND due_date > ?"
            ),
            args.clone(),
        );
        assert!(p.contains("follow_ups_open"), "{p}");
        let p = plan(
            &s,
            &format!(
                "SELECT count(*) FROM follow_ups fu JOIN facilities f ON f.id = fu.facility_id
                 WHERE fu.status = 'open' AND {} AND fu.due_date < ? AND f.archived = 0",
                scope.replace("commune_code", "fu.commune_code")
            ),
            args,
        );
        assert!(p.contains("follow_ups_open"), "{p}");
        assert!(
            !p.contains("SCAN fu") && !p.contains("SCAN follow_ups "),
            "{p}"
        );
    }
}
