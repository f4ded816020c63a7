//! The province side of a bundle: every record is validated like typed data, classified
//! against what the province holds (new / updated / unchanged / conflict, and suspected
//! duplicate facilities across senders), and the whole bundle is applied in one transaction.
//!
//! Revision rule (docs/bundle-format.md): a record's `rev` is the hash of its content, and
//! `base_rev` the rev its sender last sent. At the province: absent → new; the province's rev
//! equals `rev` → unchanged; equals `base_rev` → updated; otherwise → a conflict, kept with
//! both versions. The live record of a conflict is the version with the greater
//! (updated_at, rev), so bundles from two senders give the same records in either order.

use std::collections::{BTreeMap, HashMap, HashSet};

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;
use serde_json::{Map, Value};

use super::proposals::{priorities_bits, priorities_from_bits};
use super::{change_log, Actor, Result, Store, StoreError};
use crate::record::{
    content_rev, AmendmentRecord, CollaboratorRecord, ConsultationRecord, Envelope, FacilityRecord,
    FollowUpRecord, ProposalRecord, TransitionRecord,
};
use crate::domain::consultation::{self, parse_date, ConsultationData, ConsultationInput};
use crate::domain::dup::{DupIndex, DupKey, DupReason};
use crate::domain::facility::{
    self, FacilityData, FacilityInput, FacilityStatus, ValidationContext,
};
use crate::domain::issue::{FieldIssue, Issues, Problem};
use crate::domain::proposal::{
    self, category_order, FundingSource, Mover, ProposalData, ProposalInput, ProposalMoney,
    ProposalStatus,
};
use crate::domain::{Profile, Role};
use crate::refdata::{codes, units};
use crate::text::{fold, ingest, vn_sort_key};

/// The entities a bundle carries, in the order they are merged (references point backwards).
pub const ENTITIES: [&str; 4] = ["collaborator", "facility", "consultation", "proposal"];

/// Who sent a bundle, as its manifest says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    pub id: String,
    pub name: String,
    pub role: String,
    pub units: Vec<String>,
}

/// The records of one bundle, borrowed from wherever they were read.
#[derive(Debug, Clone, Copy)]
pub struct Incoming<'a> {
    pub sender: &'a Sender,
    pub collaborators: &'a [Envelope<CollaboratorRecord>],
    pub facilities: &'a [Envelope<FacilityRecord>],
    pub consultations: &'a [Envelope<ConsultationRecord>],
    pub proposals: &'a [Envelope<ProposalRecord>],
}

/// Why a record of a bundle is refused (the whole bundle with it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum RecordProblem {
    /// The same validation as typed data failed.
    Invalid { issues: Issues },
    /// The id appears twice in the bundle.
    DuplicateId,
    /// `rev` is not the hash of the record's content.
    RevMismatch,
    /// It names a facility that is neither in the bundle nor in the database.
    MissingFacility { facility_id: String },
    /// The sender's manifest role is not a role.
    BadSender,
    /// A text field holds what typed text may not (control or escape characters, untrimmed).
    UncleanText { field: String },
}

/// Per entity: what the bundle would do.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct EntityCounts {
    pub new: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub conflicts: usize,
    /// New or changed facilities suspected to duplicate another sender's.
    pub duplicates: usize,
}

impl EntityCounts {
    /// Records taken as they came (new, updated or already there).
    pub fn accepted(&self) -> usize {
        self.new + self.updated + self.unchanged
    }
}

/// A suspected duplicate pair (smaller id first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DuplicatePair {
    pub a: String,
    pub b: String,
    pub reasons: Vec<DupReason>,
}

/// What a preview found or an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MergeReport {
    /// Keyed by entity name (see [`ENTITIES`]).
    pub counts: BTreeMap<String, EntityCounts>,
    /// (entity, record id) of each conflict.
    pub conflicts: Vec<(String, String)>,
    pub duplicates: Vec<DuplicatePair>,
}

impl MergeReport {
    pub fn count(&self, entity: &str) -> EntityCounts {
        self.counts.get(entity).copied().unwrap_or_default()
    }

    /// Whether applying it would change nothing.
    pub fn is_noop(&self) -> bool {
        self.counts
            .values()
            .all(|c| c.new == 0 && c.updated == 0 && c.conflicts == 0)
            && self.duplicates.is_empty()
    }
}

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

fn bad(entity: &str, line: usize, id: &str, problem: RecordProblem) -> StoreError {
    StoreError::BadRecord {
        entity: entity.to_string(),
        line,
        id: crate::text::sanitize(id),
        problem,
    }
}

fn invalid(entity: &str, line: usize, id: &str, field: &'static str, p: Problem) -> StoreError {
    let mut issues = Issues::default();
    issues.push(FieldIssue::error(field, p));
    bad(entity, line, id, RecordProblem::Invalid { issues })
}

// ------------------------------------------------------------------------------------------
// Records ⇄ domain values

fn facility_data(r: &FacilityRecord) -> FacilityData {
    FacilityData {
        name: r.name.clone(),
        entity_type: r.entity_type.clone(),
        tax_code: r.tax_code.clone(),
        representative: r.representative.clone(),
        phone: r.phone.clone(),
        address: r.address.clone(),
        commune_code: r.commune_code.clone(),
        trade_group: r.trade_group.clone(),
        products: r.products.clone(),
        workers: r.workers,
        founded_year: r.founded_year,
        craft_village: r.craft_village.clone(),
        ocop_stars: r.ocop_stars,
        ocop_year: r.ocop_year,
        typical_level: r.typical_level.clone(),
        typical_year: r.typical_year,
        exports: r.exports,
        local_materials: r.local_materials,
        woman_owned: r.woman_owned,
        ethnic_owned: r.ethnic_owned,
        difficult_area: r.difficult_area,
        status: FacilityStatus::parse(&r.status).unwrap_or_default(),
        notes: r.notes.clone(),
    }
}

fn proposal_data(r: &ProposalRecord) -> Option<ProposalData> {
    Some(ProposalData {
        facility_id: r.facility_id.clone(),
        plan_year: r.plan_year,
        category: r.category.clone(),
        funding: FundingSource::ALL
            .into_iter()
            .find(|f| f.code() == r.funding)?,
        title: r.title.clone(),
        rationale: r.rationale.clone(),
        objectives: r.objectives.clone(),
        content: r.content.clone(),
        place: r.place.clone(),
        time_frame: r.time_frame.clone(),
        money: ProposalMoney {
            total_cost: r.total_cost,
            support: r.support,
            counterpart: r.counterpart,
            other_sources: r.other_sources,
        },
        expected_jobs: r.expected_jobs,
        expected_products: r.expected_products.clone(),
        expected_capacity: r.expected_capacity.clone(),
        priorities: priorities_from_bits(r.priorities),
    })
}

fn status_code(s: &str) -> Option<ProposalStatus> {
    ProposalStatus::ALL.into_iter().find(|x| x.code() == s)
}

/// Sorts topic codes in code-list order, as the forms store them.
fn sort_topics(t: &mut [String]) {
    t.sort_by(|a, b| category_order(a).cmp(&category_order(b)).then(a.cmp(b)));
}

/// The sender as a profile: the scope its records must lie in.
fn sender_profile(s: &Sender) -> Option<Profile> {
    Some(Profile {
        id: s.id.clone(),
        name: s.name.clone(),
        role: Role::parse(&s.role)?,
        units: s.units.clone(),
        account: None,
        active: true,
    })
}

// ------------------------------------------------------------------------------------------
// Reading records back from the database (the province's side of a comparison)

pub(crate) fn collaborator_record(
    conn: &Connection,
    id: &str,
) -> Result<Option<(CollaboratorRecord, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, role, units, active, version FROM collaborators WHERE id = ?1",
    )?;
    Ok(stmt
        .query_row([id], |r| {
            let units: String = r.get(3)?;
            Ok((
                CollaboratorRecord {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    role: r.get(2)?,
                    units: serde_json::from_str(&units).unwrap_or_default(),
                    active: r.get::<_, i64>(4)? != 0,
                },
                r.get(5)?,
            ))
        })
        .optional()?)
}

pub(crate) fn facility_record(
    conn: &Connection,
    id: &str,
) -> Result<Option<(FacilityRecord, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, entity_type, tax_code, representative, phone, address, commune_code,
            trade_group, products, workers, founded_year, craft_village, ocop_stars, ocop_year,
            typical_level, typical_year, exports, local_materials, woman_owned, ethnic_owned,
            difficult_area, status, notes, old_commune_code, archived, created_at, created_by,
            updated_at, updated_by, version
         FROM facilities WHERE id = ?1",
    )?;
    Ok(stmt
        .query_row([id], |r| {
            Ok((
                FacilityRecord {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    entity_type: r.get(2)?,
                    tax_code: r.get(3)?,
                    representative: r.get(4)?,
                    phone: r.get(5)?,
                    address: r.get(6)?,
                    commune_code: r.get(7)?,
                    trade_group: r.get(8)?,
                    products: r.get(9)?,
                    workers: r.get(10)?,
                    founded_year: r.get(11)?,
                    craft_village: r.get(12)?,
                    ocop_stars: r.get(13)?,
                    ocop_year: r.get(14)?,
                    typical_level: r.get(15)?,
                    typical_year: r.get(16)?,
                    exports: r.get::<_, i64>(17)? != 0,
                    local_materials: r.get::<_, i64>(18)? != 0,
                    woman_owned: r.get::<_, i64>(19)? != 0,
                    ethnic_owned: r.get::<_, i64>(20)? != 0,
                    difficult_area: r.get::<_, i64>(21)? != 0,
                    status: r.get(22)?,
                    notes: r.get(23)?,
                    old_commune_code: r.get(24)?,
                    archived: r.get::<_, i64>(25)? != 0,
                    created_at: r.get(26)?,
                    created_by: r.get(27)?,
                    updated_at: r.get(28)?,
                    updated_by: r.get(29)?,
                },
                r.get(30)?,
            ))
        })
        .optional()?)
}

pub(crate) fn consultation_record(
    conn: &Connection,
    id: &str,
) -> Result<Option<(ConsultationRecord, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, facility_id, collaborator_id, date, mode, topics, difficulties, needs, advice,
            next_step, follow_up_date, cur_date, cur_mode, created_at, created_by, updated_at,
            updated_by, version
         FROM consultations WHERE id = ?1",
    )?;
    let Some((mut rec, version)) = stmt
        .query_row([id], |r| {
            let topics: String = r.get(5)?;
            Ok((
                ConsultationRecord {
                    id: r.get(0)?,
                    facility_id: r.get(1)?,
                    collaborator_id: r.get(2)?,
                    date: r.get(3)?,
                    mode: r.get(4)?,
                    topics: super::consultations::split_topics(&topics),
                    difficulties: r.get(6)?,
                    needs: r.get(7)?,
                    advice: r.get(8)?,
                    next_step: r.get(9)?,
                    follow_up_date: r.get(10)?,
                    cur_date: r.get(11)?,
                    cur_mode: r.get(12)?,
                    cur_topics: Vec::new(),
                    amendments: Vec::new(),
                    follow_up: None,
                    created_at: r.get(13)?,
                    created_by: r.get(14)?,
                    updated_at: r.get(15)?,
                    updated_by: r.get(16)?,
                },
                r.get::<_, i64>(17)?,
            ))
        })
        .optional()?
    else {
        return Ok(None);
    };
    let mut t =
        conn.prepare_cached("SELECT topic FROM consultation_topics WHERE consultation_id = ?1")?;
    rec.cur_topics = t
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    sort_topics(&mut rec.cur_topics);
    let mut a = conn.prepare_cached(
        "SELECT id, at, actor_id, actor_name, reason, changes FROM consultation_amendments
         WHERE consultation_id = ?1 ORDER BY at, id",
    )?;
    rec.amendments = a
        .query_map([id], |r| {
            let changes: String = r.get(5)?;
            Ok(AmendmentRecord {
                id: r.get(0)?,
                at: r.get(1)?,
                actor_id: r.get(2)?,
                actor_name: r.get(3)?,
                reason: r.get(4)?,
                changes: serde_json::from_str(&changes).unwrap_or_default(),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut f = conn.prepare_cached(
        "SELECT due_date, status, outcome_id, note, closed_at, closed_by, updated_at, updated_by
         FROM follow_ups WHERE consultation_id = ?1",
    )?;
    rec.follow_up = f
        .query_row([id], |r| {
            Ok(FollowUpRecord {
                due_date: r.get(0)?,
                status: r.get(1)?,
                outcome_id: r.get(2)?,
                note: r.get(3)?,
                closed_at: r.get(4)?,
                closed_by: r.get(5)?,
                updated_at: r.get(6)?,
                updated_by: r.get(7)?,
            })
        })
        .optional()?;
    Ok(Some((rec, version)))
}

pub(crate) fn proposal_record(
    conn: &Connection,
    id: &str,
) -> Result<Option<(ProposalRecord, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, facility_id, plan_year, category, funding, title, rationale, objectives,
            content, place, time_frame, total_cost, support, counterpart, other_sources,
            expected_jobs, expected_products, expected_capacity, priorities, status, decision_no,
            created_at, created_by, updated_at, updated_by, version
         FROM proposals WHERE id = ?1",
    )?;
    let Some((mut rec, version)) = stmt
        .query_row([id], |r| {
            Ok((
                ProposalRecord {
                    id: r.get(0)?,
                    facility_id: r.get(1)?,
                    plan_year: r.get(2)?,
                    category: r.get(3)?,
                    funding: r.get(4)?,
                    title: r.get(5)?,
                    rationale: r.get(6)?,
                    objectives: r.get(7)?,
                    content: r.get(8)?,
                    place: r.get(9)?,
                    time_frame: r.get(10)?,
                    total_cost: r.get(11)?,
                    support: r.get(12)?,
                    counterpart: r.get(13)?,
                    other_sources: r.get(14)?,
                    expected_jobs: r.get(15)?,
                    expected_products: r.get(16)?,
                    expected_capacity: r.get(17)?,
                    priorities: r.get(18)?,
                    status: r.get(19)?,
                    decision_no: r.get(20)?,
                    transitions: Vec::new(),
                    created_at: r.get(21)?,
                    created_by: r.get(22)?,
                    updated_at: r.get(23)?,
                    updated_by: r.get(24)?,
                },
                r.get::<_, i64>(25)?,
            ))
        })
        .optional()?
    else {
        return Ok(None);
    };
    let mut t = conn.prepare_cached(
        "SELECT at, actor_id, actor_name, mover, from_status, to_status, reason, decision_no
         FROM proposal_transitions WHERE proposal_id = ?1 ORDER BY seq",
    )?;
    rec.transitions = t
        .query_map([id], |r| {
            Ok(TransitionRecord {
                at: r.get(0)?,
                actor_id: r.get(1)?,
                actor_name: r.get(2)?,
                mover: r.get(3)?,
                from_status: r.get(4)?,
                to_status: r.get(5)?,
                reason: r.get(6)?,
                decision_no: r.get(7)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Some((rec, version)))
}

// ------------------------------------------------------------------------------------------
// Validation: the same rules as typed data

struct Checker<'a> {
    today: chrono::NaiveDate,
    sender: Profile,
    province: Option<&'a Profile>,
}

impl Checker<'_> {
    fn scope(&self, entity: &str, line: usize, id: &str, commune: &str) -> Result<()> {
        let ok = self.sender.covers_commune(commune)
            && self.province.is_none_or(|p| p.covers_commune(commune));
        if ok {
            Ok(())
        } else {
            Err(invalid(
                entity,
                line,
                id,
                "commune_code",
                Problem::CommuneOutOfScope {
                    code: commune.to_string(),
                },
            ))
        }
    }

    fn text(
        &self,
        entity: &str,
        line: usize,
        id: &str,
        field: &'static str,
        v: &str,
    ) -> Result<()> {
        // Received text passes the ingest typed text passes: already clean, or refused.
        if crate::text::ingest_multiline(v) != v {
            return Err(bad(
                entity,
                line,
                id,
                RecordProblem::UncleanText {
                    field: field.to_string(),
                },
            ));
        }
        Ok(())
    }

    fn collaborator(&self, line: usize, r: &CollaboratorRecord) -> Result<()> {
        let e = "collaborator";
        self.text(e, line, &r.id, "name", &r.name)?;
        if ingest(&r.name).is_empty() {
            return Err(invalid(e, line, &r.id, "name", Problem::Required));
        }
        if Role::parse(&r.role).is_none() {
            return Err(invalid(
                e,
                line,
                &r.id,
                "role",
                Problem::UnknownRole {
                    value: crate::text::sanitize(&r.role),
                },
            ));
        }
        let u = units();
        for unit in &r.units {
            if u.commune(unit).is_none() && u.province(unit).is_none() {
                return Err(invalid(
                    e,
                    line,
                    &r.id,
                    "units",
                    Problem::UnknownUnit {
                        code: crate::text::sanitize(unit),
                    },
                ));
            }
        }
        Ok(())
    }

    fn facility(&self, line: usize, r: &FacilityRecord) -> Result<()> {
        let e = "facility";
        if FacilityStatus::parse(&r.status).is_none() {
            return Err(invalid(
                e,
                line,
                &r.id,
                "status",
                Problem::UnknownStatus {
                    value: crate::text::sanitize(&r.status),
                },
            ));
        }
        for (f, v) in [
            ("name", &r.name),
            ("representative", &r.representative),
            ("address", &r.address),
            ("products", &r.products),
            ("craft_village", &r.craft_village),
            ("notes", &r.notes),
        ] {
            self.text(e, line, &r.id, f, v)?;
        }
        let data = facility_data(r);
        let ctx = ValidationContext {
            profile: Some(&self.sender),
            today: self.today,
            spreadsheet: false,
        };
        if let Err(issues) = facility::validate(&FacilityInput::from_data(&data), &ctx) {
            return Err(bad(e, line, &r.id, RecordProblem::Invalid { issues }));
        }
        self.scope(e, line, &r.id, &r.commune_code)
    }

    fn consultation(&self, line: usize, r: &ConsultationRecord) -> Result<()> {
        let e = "consultation";
        let date = |field: &'static str, v: &str| {
            parse_date(v).ok_or_else(|| {
                invalid(
                    e,
                    line,
                    &r.id,
                    field,
                    Problem::DateFormat {
                        value: crate::text::sanitize(v),
                    },
                )
            })
        };
        let d = date("date", &r.date)?;
        date("cur_date", &r.cur_date)?;
        let follow_up_date = match &r.follow_up_date {
            Some(f) => Some(date("follow_up_date", f)?),
            None => None,
        };
        for (f, v) in [
            ("difficulties", &r.difficulties),
            ("needs", &r.needs),
            ("advice", &r.advice),
            ("next_step", &r.next_step),
        ] {
            self.text(e, line, &r.id, f, v)?;
        }
        let data = ConsultationData {
            facility_id: r.facility_id.clone(),
            date: d,
            mode: r.mode.clone(),
            topics: r.topics.clone(),
            difficulties: r.difficulties.clone(),
            needs: r.needs.clone(),
            advice: r.advice.clone(),
            next_step: r.next_step.clone(),
            follow_up_date,
        };
        if let Err(issues) =
            consultation::validate(&ConsultationInput::from_data(&data), self.today)
        {
            return Err(bad(e, line, &r.id, RecordProblem::Invalid { issues }));
        }
        let c = codes();
        if !c.consultation_modes.contains(&r.cur_mode) {
            return Err(invalid(
                e,
                line,
                &r.id,
                "mode",
                Problem::UnknownCode {
                    code: crate::text::sanitize(&r.cur_mode),
                },
            ));
        }
        if let Some(t) = r
            .cur_topics
            .iter()
            .find(|t| !c.support_categories.contains(t))
        {
            return Err(invalid(
                e,
                line,
                &r.id,
                "topics",
                Problem::UnknownCode {
                    code: crate::text::sanitize(t),
                },
            ));
        }
        if let Some(f) = &r.follow_up {
            date("follow_up_date", &f.due_date)?;
            if consultation::FollowUpStatus::parse(&f.status).is_none() {
                return Err(invalid(
                    e,
                    line,
                    &r.id,
                    "follow_up",
                    Problem::UnknownStatus {
                        value: crate::text::sanitize(&f.status),
                    },
                ));
            }
        }
        if ingest(&r.collaborator_id).is_empty() {
            return Err(invalid(
                e,
                line,
                &r.id,
                "collaborator_id",
                Problem::Required,
            ));
        }
        Ok(())
    }

    fn proposal(&self, line: usize, r: &ProposalRecord) -> Result<()> {
        let e = "proposal";
        let Some(data) = proposal_data(r) else {
            return Err(invalid(
                e,
                line,
                &r.id,
                "funding",
                Problem::UnknownCode {
                    code: crate::text::sanitize(&r.funding),
                },
            ));
        };
        for (f, v) in [
            ("title", &r.title),
            ("rationale", &r.rationale),
            ("objectives", &r.objectives),
            ("content", &r.content),
            ("place", &r.place),
            ("time_frame", &r.time_frame),
            ("expected_products", &r.expected_products),
            ("expected_capacity", &r.expected_capacity),
        ] {
            self.text(e, line, &r.id, f, v)?;
        }
        if status_code(&r.status).is_none() {
            return Err(invalid(
                e,
                line,
                &r.id,
                "status",
                Problem::UnknownStatus {
                    value: crate::text::sanitize(&r.status),
                },
            ));
        }
        if r.priorities < 0
            || r.priorities >= 64
            || priorities_bits(&priorities_from_bits(r.priorities)) != r.priorities
        {
            return Err(invalid(
                e,
                line,
                &r.id,
                "priorities",
                Problem::NotAWholeNumber {
                    value: r.priorities.to_string(),
                },
            ));
        }
        for t in &r.transitions {
            let ok = status_code(&t.to_status).is_some()
                && t.from_status
                    .as_deref()
                    .is_none_or(|f| status_code(f).is_some())
                && Mover::from_key(&t.mover).is_some();
            if !ok {
                return Err(invalid(
                    e,
                    line,
                    &r.id,
                    "transitions",
                    Problem::UnknownStatus {
                        value: crate::text::sanitize(&t.to_status),
                    },
                ));
            }
        }
        if let Err(issues) = proposal::validate(&ProposalInput::from_data(&data), self.today) {
            return Err(bad(e, line, &r.id, RecordProblem::Invalid { issues }));
        }
        Ok(())
    }
}

fn one_issue(field: &'static str, p: Problem) -> Issues {
    let mut i = Issues::default();
    i.push(FieldIssue::error(field, p));
    i
}

// ------------------------------------------------------------------------------------------
// Classification

#[derive(Debug, Clone)]
enum Decision {
    New,
    Update {
        version: i64,
        old: Value,
    },
    Unchanged,
    /// Changed on both sides. `incoming_wins`: the incoming version becomes live.
    Conflict {
        version: i64,
        old: Value,
        old_rev: String,
        incoming_wins: bool,
    },
}

/// What the province holds of one record: its rev and row version.
fn province_rev<T: Serialize>(
    conn: &Connection,
    table: &str,
    entity: &str,
    id: &str,
    load: impl Fn(&Connection, &str) -> Result<Option<(T, i64)>>,
) -> Result<Option<(String, i64, Option<T>)>> {
    // One look-up for the row's version and the rev it was merged as.
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT t.version, r.rev, r.version FROM {table} t
         LEFT JOIN record_revs r ON r.entity = ?2 AND r.id = t.id WHERE t.id = ?1"
    ))?;
    let row: Option<(i64, Option<String>, Option<i64>)> = stmt
        .query_row([id, entity], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let Some((version, rev, rev_version)) = row else {
        return Ok(None);
    };
    match (rev, rev_version) {
        (Some(rev), Some(v)) if v == version => Ok(Some((rev, version, None))),
        // Changed here since it was merged (or made here): its rev is its content's.
        _ => match load(conn, id)? {
            Some((rec, v)) => Ok(Some((content_rev(&rec), v, Some(rec)))),
            None => Ok(None),
        },
    }
}

/// Classifies one envelope. `updated_at` orders versions in a conflict.
fn classify<T: Serialize + Clone>(
    conn: &Connection,
    entity: &str,
    table: &str,
    env: &Envelope<T>,
    id: &str,
    updated_at: impl Fn(&T) -> String,
    load: impl Fn(&Connection, &str) -> Result<Option<(T, i64)>> + Copy,
) -> Result<Decision> {
    let Some((rev, version, loaded)) = province_rev(conn, table, entity, id, load)? else {
        return Ok(Decision::New);
    };
    if rev == env.rev {
        return Ok(Decision::Unchanged);
    }
    let old = match loaded {
        Some(r) => r,
        None => load(conn, id)?
            .map(|(r, _)| r)
            .ok_or_else(|| StoreError::NotFound(id.to_string()))?,
    };
    let old_json = serde_json::to_value(&old).unwrap_or(Value::Null);
    if env.base_rev.as_deref() == Some(rev.as_str()) {
        return Ok(Decision::Update {
            version,
            old: old_json,
        });
    }
    let incoming_wins =
        (updated_at(&env.record), env.rev.as_str()) > (updated_at(&old), rev.as_str());
    Ok(Decision::Conflict {
        version,
        old: old_json,
        old_rev: rev,
        incoming_wins,
    })
}

struct Plan {
    report: MergeReport,
    collaborators: Vec<Decision>,
    facilities: Vec<Decision>,
    consultations: Vec<Decision>,
    proposals: Vec<Decision>,
}

fn count(report: &mut MergeReport, entity: &str, id: &str, d: &Decision) {
    let c = report.counts.entry(entity.to_string()).or_default();
    match d {
        Decision::New => c.new += 1,
        Decision::Update { .. } => c.updated += 1,
        Decision::Unchanged => c.unchanged += 1,
        Decision::Conflict { .. } => {
            c.conflicts += 1;
            report.conflicts.push((entity.to_string(), id.to_string()));
        }
    }
}

fn check_ids<'a>(entity: &str, ids: impl Iterator<Item = &'a str>) -> Result<()> {
    let mut seen = HashSet::new();
    for (i, id) in ids.enumerate() {
        if id.is_empty() || !seen.insert(id) {
            return Err(bad(entity, i + 1, id, RecordProblem::DuplicateId));
        }
    }
    Ok(())
}

fn check_rev<T: Serialize>(entity: &str, line: usize, id: &str, env: &Envelope<T>) -> Result<()> {
    if content_rev(&env.record) != env.rev {
        return Err(bad(entity, line, id, RecordProblem::RevMismatch));
    }
    Ok(())
}

/// Where a refusal sits: (entity rank, line index, 0 for validation / 1 for the reference
/// check of the same record). The first in this order is the one reported, as when the
/// records were checked one after the other.
type At = (usize, usize, u8);

/// Validates every record that would be written (the same rules as typed data). Pure: it
/// may run on another thread while the writes go on; the first refusal in record order wins.
fn validate(checker: &Checker<'_>, inc: &Incoming<'_>, p: &Plan) -> Option<(At, StoreError)> {
    let written = |d: &Decision| !matches!(d, Decision::Unchanged);
    let run = |rank: usize, i: usize, r: Result<()>| r.err().map(|e| ((rank, i, 0), e));
    for (i, (env, d)) in inc.collaborators.iter().zip(&p.collaborators).enumerate() {
        if written(d) {
            let r = &env.record;
            let res = check_rev("collaborator", i + 1, &r.id, env)
                .and_then(|_| checker.collaborator(i + 1, r));
            if let Some(e) = run(0, i, res) {
                return Some(e);
            }
        }
    }
    for (i, (env, d)) in inc.facilities.iter().zip(&p.facilities).enumerate() {
        if written(d) {
            let r = &env.record;
            let res =
                check_rev("facility", i + 1, &r.id, env).and_then(|_| checker.facility(i + 1, r));
            if let Some(e) = run(1, i, res) {
                return Some(e);
            }
        }
    }
    for (i, (env, d)) in inc.consultations.iter().zip(&p.consultations).enumerate() {
        if written(d) {
            let r = &env.record;
            let res = check_rev("consultation", i + 1, &r.id, env)
                .and_then(|_| checker.consultation(i + 1, r));
            if let Some(e) = run(2, i, res) {
                return Some(e);
            }
        }
    }
    for (i, (env, d)) in inc.proposals.iter().zip(&p.proposals).enumerate() {
        if written(d) {
            let r = &env.record;
            let res =
                check_rev("proposal", i + 1, &r.id, env).and_then(|_| checker.proposal(i + 1, r));
            if let Some(e) = run(3, i, res) {
                return Some(e);
            }
        }
    }
    None
}

/// References of written consultations and proposals: to a facility of the bundle, or of
/// the database (in the sender's scope). Returns the first refusal in record order.
fn check_refs(
    conn: &Connection,
    checker: &Checker<'_>,
    inc: &Incoming<'_>,
    p: &Plan,
) -> Result<Option<(At, StoreError)>> {
    let facility_commune: HashMap<&str, &str> = inc
        .facilities
        .iter()
        .map(|e| (e.record.id.as_str(), e.record.commune_code.as_str()))
        .collect();
    let mut db_commune: HashMap<String, Option<String>> = HashMap::new();
    let mut commune_stmt =
        conn.prepare_cached("SELECT commune_code FROM facilities WHERE id = ?1")?;
    let mut facility_ref = |entity: &str, line: usize, id: &str, fid: &str| -> Result<()> {
        let commune = match facility_commune.get(fid) {
            Some(c) => Some(c.to_string()),
            None => match db_commune.get(fid) {
                Some(c) => c.clone(),
                None => {
                    let c: Option<String> =
                        commune_stmt.query_row([fid], |r| r.get(0)).optional()?;
                    db_commune.insert(fid.to_string(), c.clone());
                    c
                }
            },
        };
        match commune {
            Some(c) => checker.scope(entity, line, id, &c),
            None => Err(bad(
                entity,
                line,
                id,
                RecordProblem::MissingFacility {
                    facility_id: crate::text::sanitize(fid),
                },
            )),
        }
    };
    for (i, (env, d)) in inc.consultations.iter().zip(&p.consultations).enumerate() {
        if !matches!(d, Decision::Unchanged) {
            let r = &env.record;
            match facility_ref("consultation", i + 1, &r.id, &r.facility_id) {
                Err(e @ StoreError::BadRecord { .. }) => return Ok(Some(((2, i, 1), e))),
                Err(e) => return Err(e),
                Ok(()) => {}
            }
        }
    }
    for (i, (env, d)) in inc.proposals.iter().zip(&p.proposals).enumerate() {
        if !matches!(d, Decision::Unchanged) {
            let r = &env.record;
            match facility_ref("proposal", i + 1, &r.id, &r.facility_id) {
                Err(e @ StoreError::BadRecord { .. }) => return Ok(Some(((3, i, 1), e))),
                Err(e) => return Err(e),
                Ok(()) => {}
            }
        }
    }
    Ok(None)
}

/// The first of two refusals in record order.
fn first_refusal(a: Option<(At, StoreError)>, b: Option<(At, StoreError)>) -> Option<StoreError> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if a.0 <= b.0 { a.1 } else { b.1 }),
        (Some(a), None) | (None, Some(a)) => Some(a.1),
        (None, None) => None,
    }
}

fn checker<'a>(
    inc: &Incoming<'_>,
    today: chrono::NaiveDate,
    province: Option<&'a Profile>,
) -> Result<Checker<'a>> {
    let sender = sender_profile(inc.sender)
        .ok_or_else(|| bad("manifest", 0, &inc.sender.id, RecordProblem::BadSender))?;
    Ok(Checker {
        today,
        sender,
        province,
    })
}

/// Decides what each record would do (no validation: see [`validate`], [`check_refs`]).
/// Reads only.
fn classify_all(conn: &Connection, inc: &Incoming<'_>) -> Result<Plan> {
    check_ids(
        "collaborator",
        inc.collaborators.iter().map(|e| e.record.id.as_str()),
    )?;
    check_ids(
        "facility",
        inc.facilities.iter().map(|e| e.record.id.as_str()),
    )?;
    check_ids(
        "consultation",
        inc.consultations.iter().map(|e| e.record.id.as_str()),
    )?;
    check_ids(
        "proposal",
        inc.proposals.iter().map(|e| e.record.id.as_str()),
    )?;

    let mut report = MergeReport::default();
    for e in ENTITIES {
        report.counts.insert(e.to_string(), EntityCounts::default());
    }

    let mut collaborators = Vec::with_capacity(inc.collaborators.len());
    for env in inc.collaborators {
        let r = &env.record;
        let d = classify(
            conn,
            "collaborator",
            "collaborators",
            env,
            &r.id,
            |_| String::new(),
            collaborator_record,
        )?;
        count(&mut report, "collaborator", &r.id, &d);
        collaborators.push(d);
    }
    let mut facilities = Vec::with_capacity(inc.facilities.len());
    for env in inc.facilities {
        let r = &env.record;
        let d = classify(
            conn,
            "facility",
            "facilities",
            env,
            &r.id,
            |r| r.updated_at.clone(),
            facility_record,
        )?;
        count(&mut report, "facility", &r.id, &d);
        facilities.push(d);
    }
    let mut consultations = Vec::with_capacity(inc.consultations.len());
    for env in inc.consultations {
        let r = &env.record;
        let d = classify(
            conn,
            "consultation",
            "consultations",
            env,
            &r.id,
            |r| r.updated_at.clone(),
            consultation_record,
        )?;
        count(&mut report, "consultation", &r.id, &d);
        consultations.push(d);
    }
    let mut proposals = Vec::with_capacity(inc.proposals.len());
    for env in inc.proposals {
        let r = &env.record;
        let d = classify(
            conn,
            "proposal",
            "proposals",
            env,
            &r.id,
            |r| r.updated_at.clone(),
            proposal_record,
        )?;
        count(&mut report, "proposal", &r.id, &d);
        proposals.push(d);
    }

    report.duplicates = duplicates(conn, inc, &facilities)?;
    if let Some(c) = report.counts.get_mut("facility") {
        let mut ids: HashSet<&str> = HashSet::new();
        for p in &report.duplicates {
            ids.insert(&p.a);
            ids.insert(&p.b);
        }
        c.duplicates = inc
            .facilities
            .iter()
            .filter(|e| ids.contains(e.record.id.as_str()))
            .count();
    }
    Ok(Plan {
        report,
        collaborators,
        facilities,
        consultations,
        proposals,
    })
}

/// Validates every record and decides what each would do. Reads only.
fn plan(
    conn: &Connection,
    inc: &Incoming<'_>,
    today: chrono::NaiveDate,
    province: Option<&Profile>,
) -> Result<Plan> {
    let checker = checker(inc, today, province)?;
    let p = classify_all(conn, inc)?;
    let refs = check_refs(conn, &checker, inc, &p)?;
    if let Some(e) = first_refusal(validate(&checker, inc, &p), refs) {
        return Err(e);
    }
    Ok(p)
}

/// New or changed facilities of the bundle that look like another sender's (or the
/// province's own) live facility. Pairs already decided are not suggested again.
fn duplicates(
    conn: &Connection,
    inc: &Incoming<'_>,
    decisions: &[Decision],
) -> Result<Vec<DuplicatePair>> {
    let candidates: Vec<&FacilityRecord> = inc
        .facilities
        .iter()
        .zip(decisions)
        .filter(|(e, d)| !e.record.archived && !matches!(d, Decision::Unchanged))
        .map(|(e, _)| &e.record)
        .collect();
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    let mut idx = DupIndex::new();
    let mut stmt = conn.prepare(
        "SELECT f.id, f.name, f.commune_code, f.tax_code, f.phone, r.sender_id
         FROM facilities f LEFT JOIN record_revs r ON r.entity = 'facility' AND r.id = f.id
         WHERE f.archived = 0",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        let sender: Option<String> = r.get(5)?;
        // The sender's own records were checked when typed; only others' are compared.
        if sender.as_deref() == Some(inc.sender.id.as_str()) {
            continue;
        }
        idx.insert(DupKey {
            id,
            name: r.get(1)?,
            commune_code: r.get(2)?,
            tax_code: r.get(3)?,
            phone: r.get(4)?,
        });
    }
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
    out.sort_by(|x, y| (&x.a, &x.b).cmp(&(&y.a, &y.b)));
    out.dedup_by(|x, y| x.a == y.a && x.b == y.b);
    Ok(out)
}

// ------------------------------------------------------------------------------------------
// Writing

/// Field → [old, new] between two records' JSON (None: creation, empty values left out).
fn json_diff(old: Option<&Value>, new: &Value) -> Map<String, Value> {
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

struct Writer<'a, 'c> {
    tx: &'a Transaction<'c>,
    now: &'a str,
    actor: &'a Actor,
    /// Commune of each facility whose row holds the bundle's version once its facilities
    /// are written (spares a look-up per consultation and proposal).
    communes: HashMap<&'a str, &'a str>,
}

impl Writer<'_, '_> {
    fn log(
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

    fn collaborator(&self, r: &CollaboratorRecord, version: i64) -> Result<()> {
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

    fn facility(&self, r: &FacilityRecord, version: i64) -> Result<()> {
        let sql = if version == 1 {
            "INSERT INTO facilities (id, name, name_fold, sort_key, entity_type, tax_code, representative,
                representative_fold, phone, address, commune_code, trade_group, products, products_fold,
                workers, founded_year, craft_village, ocop_stars, ocop_year, typical_level, typical_year,
                exports, local_materials, woman_owned, ethnic_owned, difficult_area, status, notes,
                old_commune_code, archived, created_at, created_by, updated_at, updated_by, version)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
                ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35)"
        } else {
            "UPDATE facilities SET name = ?2, name_fold = ?3, sort_key = ?4, entity_type = ?5,
                tax_code = ?6, representative = ?7, representative_fold = ?8, phone = ?9, address = ?10,
                commune_code = ?11, trade_group = ?12, products = ?13, products_fold = ?14, workers = ?15,
                founded_year = ?16, craft_village = ?17, ocop_stars = ?18, ocop_year = ?19,
                typical_level = ?20, typical_year = ?21, exports = ?22, local_materials = ?23,
                woman_owned = ?24, ethnic_owned = ?25, difficult_area = ?26, status = ?27, notes = ?28,
                old_commune_code = ?29, archived = ?30, created_at = ?31, created_by = ?32,
                updated_at = ?33, updated_by = ?34, version = ?35
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
            version
        ])?;
        Ok(())
    }

    /// The commune of the facility a record points at, as its row holds it.
    fn commune_of(&self, facility_id: &str) -> Result<String> {
        if let Some(c) = self.communes.get(facility_id) {
            return Ok(c.to_string());
        }
        Ok(self
            .tx
            .prepare_cached("SELECT commune_code FROM facilities WHERE id = ?1")?
            .query_row([facility_id], |row| row.get(0))?)
    }

    fn consultation(&self, r: &ConsultationRecord, version: i64) -> Result<()> {
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
    fn follow_up_outcome(&self, r: &ConsultationRecord) -> Result<()> {
        if let Some(o) = r.follow_up.as_ref().and_then(|f| f.outcome_id.as_ref()) {
            self.tx
                .prepare_cached(
                    "UPDATE follow_ups SET outcome_id =
                        (SELECT id FROM consultations WHERE id = ?2) WHERE consultation_id = ?1",
                )?
                .execute([&r.id, o])?;
        }
        Ok(())
    }

    fn proposal(&self, r: &ProposalRecord, version: i64) -> Result<()> {
        let tx = self.tx;
        let commune = self.commune_of(&r.facility_id)?;
        let sql = if version == 1 {
            "INSERT INTO proposals (id, facility_id, commune_code, plan_year, category, funding, title,
                rationale, objectives, content, place, time_frame, total_cost, support, counterpart,
                other_sources, expected_jobs, expected_products, expected_capacity, priorities, status,
                decision_no, created_at, created_by, updated_at, updated_by, version)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
                ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27)"
        } else {
            "UPDATE proposals SET facility_id = ?2, commune_code = ?3, plan_year = ?4, category = ?5,
                funding = ?6, title = ?7, rationale = ?8, objectives = ?9, content = ?10, place = ?11,
                time_frame = ?12, total_cost = ?13, support = ?14, counterpart = ?15,
                other_sources = ?16, expected_jobs = ?17, expected_products = ?18,
                expected_capacity = ?19, priorities = ?20, status = ?21, decision_no = ?22,
                created_at = ?23, created_by = ?24, updated_at = ?25, updated_by = ?26, version = ?27
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
            version
        ])?;
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
        let mut ins = tx.prepare_cached(
            "INSERT INTO proposal_transitions (proposal_id, at, actor_id, actor_name, mover,
                from_status, to_status, reason, decision_no)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
        for t in &r.transitions {
            if have.contains(&(t.at.clone(), t.mover.clone(), t.to_status.clone())) {
                continue;
            }
            ins.execute(params![
                r.id,
                t.at,
                t.actor_id,
                t.actor_name,
                t.mover,
                t.from_status,
                t.to_status,
                t.reason,
                t.decision_no
            ])?;
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

/// Applies one entity's decisions. `write` stores a record as the given row version.
fn apply_entity<T: Serialize>(
    w: &Writer<'_, '_>,
    entity: &str,
    envs: &[Envelope<T>],
    decisions: &[Decision],
    id_of: impl Fn(&T) -> &str,
    write: impl Fn(&Writer<'_, '_>, &T, i64) -> Result<()>,
) -> Result<()> {
    for (env, d) in envs.iter().zip(decisions) {
        let id = id_of(&env.record);
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
        write(w, &env.record, version)?;
        let new = serde_json::to_value(&env.record).unwrap_or(Value::Null);
        if action == "create" {
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
fn bulk_indexes(tx: &Transaction<'_>) -> Result<Vec<(String, String)>> {
    let mut stmt = tx.prepare(
        "SELECT name, sql FROM sqlite_master
         WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('facilities', 'consultations',
            'consultation_topics', 'follow_ups', 'proposals', 'proposal_transitions')",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Writes a classified (and, by the caller, validated) bundle inside `tx`.
fn write_plan(
    tx: &Transaction<'_>,
    inc: &Incoming<'_>,
    p: &Plan,
    now: &str,
    actor: &Actor,
    bulk: bool,
) -> Result<()> {
    // An empty database filled by a large bundle: build the indexes once at the end
    // (a sort) rather than by random inserts, inside the same transaction.
    let indexes = if bulk { bulk_indexes(tx)? } else { Vec::new() };
    for (name, _) in &indexes {
        tx.execute_batch(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))?;
    }
    // A facility kept in its province version (a conflict the province's side wins) is
    // not the bundle's: its commune is looked up.
    let communes = inc
        .facilities
        .iter()
        .zip(&p.facilities)
        .filter(|(_, d)| {
            !matches!(
                d,
                Decision::Conflict {
                    incoming_wins: false,
                    ..
                }
            )
        })
        .map(|(e, _)| (e.record.id.as_str(), e.record.commune_code.as_str()))
        .collect();
    let w = Writer {
        tx,
        now,
        actor,
        communes,
    };
    apply_entity(
        &w,
        "collaborator",
        inc.collaborators,
        &p.collaborators,
        |r| &r.id,
        |w, r, v| w.collaborator(r, v),
    )?;
    apply_entity(
        &w,
        "facility",
        inc.facilities,
        &p.facilities,
        |r| &r.id,
        |w, r, v| w.facility(r, v),
    )?;
    apply_entity(
        &w,
        "consultation",
        inc.consultations,
        &p.consultations,
        |r| &r.id,
        |w, r, v| w.consultation(r, v),
    )?;
    for (env, d) in inc.consultations.iter().zip(&p.consultations) {
        if !matches!(d, Decision::Unchanged) {
            w.follow_up_outcome(&env.record)?;
        }
    }
    apply_entity(
        &w,
        "proposal",
        inc.proposals,
        &p.proposals,
        |r| &r.id,
        |w, r, v| w.proposal(r, v),
    )?;
    for (_, sql) in &indexes {
        tx.execute_batch(sql)?;
    }
    Ok(())
}

impl Store {
    fn province_profile(&self) -> Option<&Profile> {
        self.profile()
    }

    /// What importing `inc` would do, without writing anything. A bad record refuses the
    /// whole bundle (`StoreError::BadRecord`, naming the entity and the line).
    pub fn preview_merge(&self, inc: &Incoming<'_>) -> Result<MergeReport> {
        Ok(plan(self.conn(), inc, self.today(), self.province_profile())?.report)
    }

    /// Imports `inc` in one transaction: all of it or nothing. `also` runs inside the same
    /// transaction after the records (the bundle registry, the receipt).
    pub fn apply_merge(
        &mut self,
        inc: &Incoming<'_>,
        also: impl FnOnce(&Transaction<'_>, &MergeReport) -> Result<()>,
    ) -> Result<MergeReport> {
        self.require_profile()?;
        let today = self.today();
        let province = self.profile().cloned();
        let now = self.now_string();
        let actor = Actor {
            id: inc.sender.id.clone(),
            name: inc.sender.name.clone(),
        };
        let total = inc.facilities.len() + inc.consultations.len() + inc.proposals.len();
        let big = total > 1000;
        if big {
            self.conn().execute_batch("PRAGMA cache_size = -262144")?;
        }
        let empty: bool = self
            .conn()
            .query_row("SELECT NOT EXISTS (SELECT 1 FROM consultations) AND NOT EXISTS (SELECT 1 FROM facilities)", [], |r| r.get(0))?;
        let result = self.write(|tx| {
            let checker = checker(inc, today, province.as_ref())?;
            let p = classify_all(tx, inc)?;
            if let Some((at, e)) = check_refs(tx, &checker, inc, &p)? {
                // An earlier record's validation refusal is reported first.
                return Err(match validate(&checker, inc, &p) {
                    Some((v, ve)) if v < at => ve,
                    _ => e,
                });
            }
            // Validation runs on another core while SQLite writes; a refusal rolls the
            // whole transaction back, and is reported rather than any write error it caused.
            let (refused, written) = std::thread::scope(|s| {
                let v = s.spawn(|| validate(&checker, inc, &p));
                let w = write_plan(tx, inc, &p, &now, &actor, empty && total >= 5000);
                let refused = v.join().unwrap_or_else(|_| {
                    Some(((0, 0, 0), StoreError::Corrupt("validation failed".into())))
                });
                (refused, w)
            });
            if let Some((_, e)) = refused {
                return Err(e);
            }
            written?;
            let mut pair = tx.prepare_cached(
                "INSERT OR IGNORE INTO duplicate_pairs (a, b, reasons, found_at) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for d in &p.report.duplicates {
                let reasons = serde_json::to_string(&d.reasons).unwrap_or_else(|_| "[]".into());
                pair.execute(params![d.a, d.b, reasons, now])?;
            }
            also(tx, &p.report)?;
            Ok(p.report)
        });
        if big {
            self.conn().execute_batch(&format!(
                "PRAGMA cache_size = {}",
                super::DEFAULT_CACHE_SIZE
            ))?;
        }
        result
    }

    // --------------------------------------------------------------------------------------
    // Conflicts

    pub fn conflicts(&self, only_open: bool) -> Result<Vec<Conflict>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, entity, record_id, older_rev, older_json, newer_rev, newer_json, sender_id,
                found_at, status
             FROM merge_conflicts WHERE (?1 = 0 OR status = 'open') ORDER BY id",
        )?;
        let rows = stmt.query_map([i64::from(only_open)], conflict_from_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    pub fn conflict(&self, id: i64) -> Result<Option<Conflict>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, entity, record_id, older_rev, older_json, newer_rev, newer_json, sender_id,
                found_at, status
             FROM merge_conflicts WHERE id = ?1",
        )?;
        Ok(stmt.query_row([id], conflict_from_row).optional()?)
    }

    /// The live record of a conflict as JSON ("mine": what the database holds now).
    pub fn conflict_live(&self, c: &Conflict) -> Result<Option<Value>> {
        let conn = self.conn();
        let v = match c.entity.as_str() {
            "collaborator" => {
                collaborator_record(conn, &c.record_id)?.map(|r| serde_json::to_value(r.0))
            }
            "facility" => facility_record(conn, &c.record_id)?.map(|r| serde_json::to_value(r.0)),
            "consultation" => {
                consultation_record(conn, &c.record_id)?.map(|r| serde_json::to_value(r.0))
            }
            "proposal" => proposal_record(conn, &c.record_id)?.map(|r| serde_json::to_value(r.0)),
            _ => None,
        };
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
                today,
                sender: sender_profile(&sender).ok_or(StoreError::NoProfile)?,
                province: province.as_ref(),
            };
            let w = Writer {
                tx,
                now: &now,
                actor: &actor,
                communes: HashMap::new(),
            };
            let parse_err =
                |e: serde_json::Error| StoreError::Corrupt(format!("conflict {id}: {e}"));
            macro_rules! resolve {
                ($t:ty, $load:expr, $check:ident, $write:ident) => {{
                    let rec: $t = serde_json::from_value(merged.clone()).map_err(parse_err)?;
                    checker.$check(0, &rec)?;
                    let (old, version) =
                        $load(tx, &rid)?.ok_or_else(|| StoreError::NotFound(rid.clone()))?;
                    let old = serde_json::to_value(&old).unwrap_or(Value::Null);
                    let changes = json_diff(Some(&old), &merged);
                    if !changes.is_empty() {
                        w.$write(&rec, version + 1)?;
                        w.log(&entity, &rid, "resolve", version + 1, &changes)?;
                    }
                }};
            }
            match entity.as_str() {
                "collaborator" => resolve!(
                    CollaboratorRecord,
                    collaborator_record,
                    collaborator,
                    collaborator
                ),
                "facility" => resolve!(FacilityRecord, facility_record, facility, facility),
                "consultation" => resolve!(
                    ConsultationRecord,
                    consultation_record,
                    consultation,
                    consultation
                ),
                "proposal" => resolve!(ProposalRecord, proposal_record, proposal, proposal),
                _ => {
                    return Err(StoreError::Corrupt(format!(
                        "conflict {id}: entity {entity}"
                    )))
                }
            }
            tx.execute(
                "UPDATE merge_conflicts SET status = 'resolved', resolved_at = ?2, resolved_by = ?3,
                    resolution = ?4 WHERE id = ?1",
                params![id, now, actor.id, Value::Object(resolution).to_string()],
            )?;
            Ok(())
        })?;
        Ok(merged_out)
    }

    // --------------------------------------------------------------------------------------
    // Duplicates

    pub fn duplicate_pairs(&self, only_open: bool) -> Result<Vec<DuplicateRow>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT d.a, coalesce(fa.name, ''), d.b, coalesce(fb.name, ''), coalesce(fa.commune_code, ''),
                d.reasons, d.status
             FROM duplicate_pairs d
             LEFT JOIN facilities fa ON fa.id = d.a LEFT JOIN facilities fb ON fb.id = d.b
             WHERE (?1 = 0 OR d.status = 'open') ORDER BY d.found_at, d.a, d.b",
        )?;
        let rows = stmt.query_map([i64::from(only_open)], |r| {
            let reasons: String = r.get(5)?;
            Ok(DuplicateRow {
                a: r.get(0)?,
                a_name: r.get(1)?,
                b: r.get(2)?,
                b_name: r.get(3)?,
                commune_code: r.get(4)?,
                reasons: parse_reasons(&reasons),
                status: r.get(6)?,
            })
        })?;
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

    /// Every record of the database as bundle records (for comparisons and receipts).
    pub fn all_records(&self) -> Result<AllRecords> {
        let conn = self.conn();
        let ids = |table: &str| -> Result<Vec<String>> {
            let mut s = conn.prepare(&format!("SELECT id FROM {table} ORDER BY id"))?;
            let rows = s.query_map([], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        };
        let mut out = AllRecords::default();
        for id in ids("collaborators")? {
            out.collaborators
                .extend(collaborator_record(conn, &id)?.map(|r| r.0));
        }
        for id in ids("facilities")? {
            out.facilities
                .extend(facility_record(conn, &id)?.map(|r| r.0));
        }
        for id in ids("consultations")? {
            out.consultations
                .extend(consultation_record(conn, &id)?.map(|r| r.0));
        }
        for id in ids("proposals")? {
            out.proposals
                .extend(proposal_record(conn, &id)?.map(|r| r.0));
        }
        Ok(out)
    }
}

/// What a facility merge moved.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MergeMoves {
    pub consultations: Vec<String>,
    pub proposals: Vec<String>,
}

/// Every record of a database, by entity, ordered by id.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AllRecords {
    pub collaborators: Vec<CollaboratorRecord>,
    pub facilities: Vec<FacilityRecord>,
    pub consultations: Vec<ConsultationRecord>,
    pub proposals: Vec<ProposalRecord>,
}

fn parse_reasons(s: &str) -> Vec<DupReason> {
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

fn content_rev_of_value(entity: &str, v: &Value) -> String {
    // A Value's key order is not the declared order: revs are computed from the typed structs.
    fn via<T: serde::de::DeserializeOwned + Serialize>(v: &Value) -> String {
        serde_json::from_value::<T>(v.clone())
            .map(|r| content_rev(&r))
            .unwrap_or_default()
    }
    match entity {
        "collaborator" => via::<CollaboratorRecord>(v),
        "facility" => via::<FacilityRecord>(v),
        "consultation" => via::<ConsultationRecord>(v),
        _ => via::<ProposalRecord>(v),
    }
}

fn conflict_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Conflict> {
    let older: String = r.get(4)?;
    let newer: String = r.get(6)?;
    Ok(Conflict {
        id: r.get(0)?,
        entity: r.get(1)?,
        record_id: r.get(2)?,
        older_rev: r.get(3)?,
        older: serde_json::from_str(&older).unwrap_or(Value::Null),
        newer_rev: r.get(5)?,
        newer: serde_json::from_str(&newer).unwrap_or(Value::Null),
        sender_id: r.get(7)?,
        found_at: r.get(8)?,
        status: r.get(9)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
