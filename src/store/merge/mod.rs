//! The province side of a bundle: every record is validated like typed data, classified
//! against what the province holds (new / updated / unchanged / conflict, and suspected
//! duplicate facilities across senders), and the whole bundle is applied in one transaction.
//!
//! Revision rule (docs/bundle-format.md): a record's `rev` is the hash of its content, and
//! `base_rev` the rev its sender last sent. At the province: absent → new; the province's rev
//! equals `rev` → unchanged; equals `base_rev` → updated; otherwise → a conflict, kept with
//! both versions. The live record of a conflict is the version with the greater
//! (updated_at, rev), so bundles from two senders give the same records in either order.

//!
//! Split by job: `checks` (the same rules as typed data), `classify` (what each record would
//! do), `write` (applying a plan in the caller's transaction), `conflicts` and `duplicates`
//! (what the province decides afterwards). The rows are read by `store::rows`, as elsewhere.

mod checks;
mod classify;
mod conflicts;
mod duplicates;
mod engine;
pub(super) mod write;

use std::collections::BTreeMap;

use rusqlite::{Connection, Transaction};
use serde::de::DeserializeOwned;
use serde::Serialize;

pub use conflicts::{Conflict, Side};
pub(crate) use duplicates::parse_reasons;
pub use duplicates::{DuplicateRow, MergeMoves};

use self::checks::{checker, Checker, Refs};
use self::classify::Decision;
use self::engine::{Batch, Notes, Run};
pub(crate) use self::engine::{Flow, Sink, Source};
use self::write::Writer;
use super::rows;
use super::{Actor, Result, Store, StoreError};
use crate::domain::dup::DupReason;
use crate::domain::issue::{FieldIssue, Issues, Problem};
use crate::domain::Profile;
use crate::record::{
    AcceptanceRecord, ActivityRecord, AdjustmentRecord, CollaboratorRecord, ConsultationRecord,
    Envelope, FacilityRecord, PaymentRecord, ProductRecord, ProjectEnvelopes, ProjectRecords,
    ProposalRecord, RegisterEnvelopes, ResultRecord, VillageRecord, VisitRecord,
};

/// The entities a bundle carries, in the order they are merged (references point backwards).
/// (The register's villages and products come last in rank; villages are written before the
/// facilities that point at them, products after.)
pub const ENTITIES: [&str; 12] = [
    "collaborator",
    "facility",
    "consultation",
    "proposal",
    "project_adjustment",
    "project_visit",
    "project_acceptance",
    "project_payment",
    "project_result",
    "activity",
    "craft_village",
    "product",
];

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
    /// The đề án's records after approval (format version 2; `ProjectEnvelopes::none()`).
    pub projects: &'a ProjectEnvelopes,
    /// Activities with their attendees (optional entry; none in older bundles).
    pub activities: &'a [Envelope<ActivityRecord>],
    /// Craft villages and products (`RegisterEnvelopes::none()` when the bundle has none).
    pub registers: &'a RegisterEnvelopes,
}

impl Source for Incoming<'_> {
    fn sender(&self) -> &Sender {
        self.sender
    }
    fn total(&self) -> usize {
        self.facilities.len()
            + self.consultations.len()
            + self.proposals.len()
            + self.projects.len()
            + self.activities.len()
            + self.registers.villages.len()
            + self.registers.products.len()
    }
    fn checked(&self) -> bool {
        false
    }
    fn each<T: Kind>(&mut self, f: &mut Sink<'_, T>) -> Result<Flow> {
        f(0, T::of(self))?;
        Ok(Flow::Done)
    }
    fn finish(&mut self) -> Result<Flow> {
        Ok(Flow::Done)
    }
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
    /// A đề án record names a proposal that is neither in the bundle nor in the database.
    MissingProposal { proposal_id: String },
    /// A facility names a craft village that is neither in the bundle nor in the database.
    MissingVillage { village_id: String },
    /// A đề án record the sender may not make, or on a proposal at a stage that takes none.
    Refused {
        proposal_id: String,
        refusal: Box<crate::domain::project::ProjectRefusal>,
    },
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

pub(super) fn bad(entity: &str, line: usize, id: &str, problem: RecordProblem) -> StoreError {
    StoreError::BadRecord {
        entity: entity.to_string(),
        line,
        id: crate::text::sanitize(id),
        problem,
    }
}

pub(super) fn invalid(
    entity: &str,
    line: usize,
    id: &str,
    field: &'static str,
    p: Problem,
) -> StoreError {
    let mut issues = Issues::default();
    issues.push(FieldIssue::error(field, p));
    bad(entity, line, id, RecordProblem::Invalid { issues })
}

/// The page cache of a large merge (KiB, negative as SQLite takes it): big enough that the
/// tables' and indexes' hot pages stay, small enough that a province server running many
/// sessions can afford the import (issue 18: ≤ 400 MB in all).
const MERGE_CACHE_SIZE: i64 = -131_072;

impl Store {
    fn province_profile(&self) -> Option<&Profile> {
        self.profile()
    }

    /// What importing `inc` would do, without writing anything. A bad record refuses the
    /// whole bundle (`StoreError::BadRecord`, naming the entity and the line).
    pub fn preview_merge(&self, inc: &Incoming<'_>) -> Result<MergeReport> {
        self.preview_merge_from(&mut inc.clone())
    }

    /// [`Store::preview_merge`] of the records `src` hands over.
    pub(crate) fn preview_merge_from<S: Source>(&self, src: &mut S) -> Result<MergeReport> {
        let sender = src.sender().clone();
        let now = self.now_string();
        let actor = Actor {
            id: sender.id.clone(),
            name: sender.name.clone(),
        };
        let run = Run {
            conn: self.conn(),
            tx: None,
            now: &now,
            actor: &actor,
            sender: &sender,
            checker: checker(
                &sender,
                self.today(),
                self.province_profile(),
                src.checked(),
            )?,
            bulk: false,
        };
        engine::run(&run, src)
    }

    /// Imports `inc` in one transaction: all of it or nothing. `also` runs inside the same
    /// transaction after the records (the bundle registry, the receipt).
    pub fn apply_merge(
        &mut self,
        inc: &Incoming<'_>,
        also: impl FnOnce(&Transaction<'_>, &MergeReport) -> Result<()>,
    ) -> Result<MergeReport> {
        self.apply_merge_from(&mut inc.clone(), also)
    }

    /// [`Store::apply_merge`] of the records `src` hands over, batch by batch: each is
    /// classified, checked and written before the next is read.
    pub(crate) fn apply_merge_from<S: Source>(
        &mut self,
        src: &mut S,
        also: impl FnOnce(&Transaction<'_>, &MergeReport) -> Result<()>,
    ) -> Result<MergeReport> {
        self.require_profile()?;
        let today = self.today();
        let province = self.profile().cloned();
        let now = self.now_string();
        let sender = src.sender().clone();
        let actor = Actor {
            id: sender.id.clone(),
            name: sender.name.clone(),
        };
        let total = src.total();
        let checked = src.checked();
        let big = total > 1000;
        if big {
            self.conn()
                .execute_batch(&format!("PRAGMA cache_size = {MERGE_CACHE_SIZE}"))?;
        }
        let empty: bool = self
            .conn()
            .query_row("SELECT NOT EXISTS (SELECT 1 FROM consultations) AND NOT EXISTS (SELECT 1 FROM facilities)", [], |r| r.get(0))?;
        let result = self.write(|tx| {
            let run = Run {
                conn: tx,
                tx: Some(tx),
                now: &now,
                actor: &actor,
                sender: &sender,
                checker: checker(&sender, today, province.as_ref(), checked)?,
                bulk: empty && total >= 5000,
            };
            let report = engine::run(&run, src)?;
            also(tx, &report)?;
            Ok(report)
        });
        if big {
            self.conn().execute_batch(&format!(
                "PRAGMA cache_size = {}",
                super::DEFAULT_CACHE_SIZE
            ))?;
        }
        result
    }

    /// Every record of the database as bundle records (for comparisons and receipts).
    pub fn all_records(&self) -> Result<AllRecords> {
        let conn = self.conn();
        Ok(AllRecords {
            collaborators: all_of(conn)?,
            facilities: all_of(conn)?,
            consultations: all_of(conn)?,
            proposals: all_of(conn)?,
            projects: ProjectRecords {
                adjustments: all_of(conn)?,
                visits: all_of(conn)?,
                acceptances: all_of(conn)?,
                payments: all_of(conn)?,
                results: all_of(conn)?,
            },
            activities: all_of(conn)?,
            villages: all_of(conn)?,
            products: all_of(conn)?,
        })
    }
}

/// Every record of one kind, in id order.
fn all_of<T: Kind>(conn: &Connection) -> Result<Vec<T>> {
    let mut s = conn.prepare(&format!("SELECT id FROM {} ORDER BY id", T::TABLE))?;
    let ids = s
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        out.extend(T::load(conn, &id)?.map(|r| r.0));
    }
    Ok(out)
}

/// Every record of a database, by entity, ordered by id.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AllRecords {
    pub collaborators: Vec<CollaboratorRecord>,
    pub facilities: Vec<FacilityRecord>,
    pub consultations: Vec<ConsultationRecord>,
    pub proposals: Vec<ProposalRecord>,
    pub projects: ProjectRecords,
    pub activities: Vec<ActivityRecord>,
    pub villages: Vec<VillageRecord>,
    pub products: Vec<ProductRecord>,
}

/// What the merge needs to know of each kind of record; one implementation per entity, so
/// that classifying, checking, writing and resolving are written once.
pub(crate) trait Kind: Serialize + DeserializeOwned + Clone + Send + Sync + 'static {
    /// The entity name (change log, record revs, conflicts; see [`ENTITIES`]).
    const ENTITY: &'static str;
    const TABLE: &'static str;
    /// Its place in [`ENTITIES`]: a refusal of an earlier entity is reported first.
    const RANK: usize;
    fn id(&self) -> &str;
    /// Orders the two versions of a conflict (with the rev).
    fn updated_at(&self) -> &str;
    /// The records of this kind in a bundle held in memory.
    fn of<'a>(inc: &Incoming<'a>) -> &'a [Envelope<Self>];
    /// The province's copy and its row version.
    fn load(conn: &Connection, id: &str) -> Result<Option<(Self, i64)>>;
    /// The same rules as typed data (`line`: 1-based line in the bundle, 0 if none).
    fn check(&self, c: &Checker<'_>, line: usize) -> Result<()>;
    /// Stores the record as row `version` (1: a new row).
    fn write(&self, w: &Writer<'_, '_>, version: i64) -> Result<()>;
    /// Its references (to records of the bundle or here), checked before it is written.
    fn refs(&self, _r: &mut Refs<'_, '_>, _line: usize) -> Result<()> {
        Ok(())
    }
    /// What later kinds look up of a batch of this kind, noted before it is written.
    fn note(_b: &Batch<'_, Self>, _notes: &mut Notes) -> Result<()> {
        Ok(())
    }
}

impl Kind for CollaboratorRecord {
    const ENTITY: &'static str = "collaborator";
    const TABLE: &'static str = "collaborators";
    const RANK: usize = 0;
    fn id(&self) -> &str {
        &self.id
    }
    fn updated_at(&self) -> &str {
        // Collaborators carry no stamp: a conflict is ordered by rev alone.
        ""
    }
    fn of<'a>(inc: &Incoming<'a>) -> &'a [Envelope<Self>] {
        inc.collaborators
    }
    fn load(conn: &Connection, id: &str) -> Result<Option<(Self, i64)>> {
        rows::load_collaborator(conn, id)
    }
    fn check(&self, c: &Checker<'_>, line: usize) -> Result<()> {
        c.collaborator(line, self)
    }
    fn write(&self, w: &Writer<'_, '_>, version: i64) -> Result<()> {
        w.collaborator(self, version)
    }
}

impl Kind for FacilityRecord {
    const ENTITY: &'static str = "facility";
    const TABLE: &'static str = "facilities";
    const RANK: usize = 1;
    fn id(&self) -> &str {
        &self.id
    }
    fn updated_at(&self) -> &str {
        &self.updated_at
    }
    fn of<'a>(inc: &Incoming<'a>) -> &'a [Envelope<Self>] {
        inc.facilities
    }
    fn load(conn: &Connection, id: &str) -> Result<Option<(Self, i64)>> {
        rows::load_facility(conn, id)
    }
    fn check(&self, c: &Checker<'_>, line: usize) -> Result<()> {
        c.facility(line, self)
    }
    fn write(&self, w: &Writer<'_, '_>, version: i64) -> Result<()> {
        w.facility(self, version)
    }
    fn refs(&self, r: &mut Refs<'_, '_>, line: usize) -> Result<()> {
        r.village(line, self)
    }
    fn note(b: &Batch<'_, Self>, notes: &mut Notes) -> Result<()> {
        notes.facility_batch(b)
    }
}

impl Kind for ConsultationRecord {
    const ENTITY: &'static str = "consultation";
    const TABLE: &'static str = "consultations";
    const RANK: usize = 2;
    fn id(&self) -> &str {
        &self.id
    }
    fn updated_at(&self) -> &str {
        &self.updated_at
    }
    fn of<'a>(inc: &Incoming<'a>) -> &'a [Envelope<Self>] {
        inc.consultations
    }
    fn load(conn: &Connection, id: &str) -> Result<Option<(Self, i64)>> {
        rows::load_consultation(conn, id)
    }
    fn check(&self, c: &Checker<'_>, line: usize) -> Result<()> {
        c.consultation(line, self)
    }
    fn write(&self, w: &Writer<'_, '_>, version: i64) -> Result<()> {
        w.consultation(self, version)
    }
    fn refs(&self, r: &mut Refs<'_, '_>, line: usize) -> Result<()> {
        r.facility(Self::ENTITY, line, &self.id, &self.facility_id)
    }
    fn note(b: &Batch<'_, Self>, notes: &mut Notes) -> Result<()> {
        for (e, d) in b.envs.iter().zip(b.ds) {
            let outcome = e
                .record
                .follow_up
                .as_ref()
                .and_then(|f| f.outcome_id.as_ref());
            if let Some(o) = outcome.filter(|_| !matches!(d, Decision::Unchanged)) {
                notes.outcomes.push((e.record.id.clone(), o.clone()));
            }
        }
        Ok(())
    }
}

impl Kind for ProposalRecord {
    const ENTITY: &'static str = "proposal";
    const TABLE: &'static str = "proposals";
    const RANK: usize = 3;
    fn id(&self) -> &str {
        &self.id
    }
    fn updated_at(&self) -> &str {
        &self.updated_at
    }
    fn of<'a>(inc: &Incoming<'a>) -> &'a [Envelope<Self>] {
        inc.proposals
    }
    fn load(conn: &Connection, id: &str) -> Result<Option<(Self, i64)>> {
        rows::load_proposal(conn, id)
    }
    fn check(&self, c: &Checker<'_>, line: usize) -> Result<()> {
        c.proposal(line, self)
    }
    fn write(&self, w: &Writer<'_, '_>, version: i64) -> Result<()> {
        w.proposal(self, version)
    }
    fn refs(&self, r: &mut Refs<'_, '_>, line: usize) -> Result<()> {
        r.proposal(line, self)
    }
    fn note(b: &Batch<'_, Self>, notes: &mut Notes) -> Result<()> {
        notes.proposal_batch(b)
    }
}

/// The merge of a đề án record: the generic reader and writer of `store::projects`, the
/// checks of `Checker::$check` and `Refs::project`.
macro_rules! project_kind {
    ($t:ty, $rank:literal, $validate:path) => {
        impl Kind for $t {
            const ENTITY: &'static str = <$t as crate::record::ProjectItem>::ENTITY;
            const TABLE: &'static str = <$t as crate::record::ProjectItem>::TABLE;
            const RANK: usize = $rank;
            fn id(&self) -> &str {
                &self.id
            }
            fn updated_at(&self) -> &str {
                &self.updated_at
            }
            fn of<'a>(inc: &Incoming<'a>) -> &'a [Envelope<Self>] {
                <$t as crate::record::ProjectItem>::envs(inc.projects)
            }
            fn load(conn: &Connection, id: &str) -> Result<Option<(Self, i64)>> {
                super::projects::load_item(conn, id)
            }
            fn check(&self, c: &Checker<'_>, line: usize) -> Result<()> {
                c.project(line, self, $validate)
            }
            fn write(&self, w: &Writer<'_, '_>, version: i64) -> Result<()> {
                super::projects::write_item(w.tx, self, version)
            }
            fn refs(&self, r: &mut Refs<'_, '_>, line: usize) -> Result<()> {
                r.project(line, self)
            }
        }
    };
}

project_kind!(
    AdjustmentRecord,
    4,
    crate::domain::project::validate_adjustment
);
project_kind!(VisitRecord, 5, crate::domain::project::validate_visit);
project_kind!(
    AcceptanceRecord,
    6,
    crate::domain::project::validate_acceptance
);
project_kind!(PaymentRecord, 7, crate::domain::project::validate_payment);
project_kind!(ResultRecord, 8, crate::domain::project::validate_result);

impl Kind for ActivityRecord {
    const ENTITY: &'static str = super::activities::ENTITY;
    const TABLE: &'static str = "activities";
    const RANK: usize = 9;
    fn id(&self) -> &str {
        &self.id
    }
    fn updated_at(&self) -> &str {
        &self.updated_at
    }
    fn of<'a>(inc: &Incoming<'a>) -> &'a [Envelope<Self>] {
        inc.activities
    }
    fn load(conn: &Connection, id: &str) -> Result<Option<(Self, i64)>> {
        super::activities::load_activity(conn, id)
    }
    fn check(&self, c: &Checker<'_>, line: usize) -> Result<()> {
        c.activity(line, self)
    }
    fn write(&self, w: &Writer<'_, '_>, version: i64) -> Result<()> {
        super::activities::write_activity(w.tx, self, version)
    }
    fn refs(&self, r: &mut Refs<'_, '_>, line: usize) -> Result<()> {
        r.activity(line, self)
    }
}

impl Kind for VillageRecord {
    const ENTITY: &'static str = super::villages::VILLAGE;
    const TABLE: &'static str = "craft_villages";
    const RANK: usize = 10;
    fn id(&self) -> &str {
        &self.id
    }
    fn updated_at(&self) -> &str {
        &self.updated_at
    }
    fn of<'a>(inc: &Incoming<'a>) -> &'a [Envelope<Self>] {
        &inc.registers.villages
    }
    fn load(conn: &Connection, id: &str) -> Result<Option<(Self, i64)>> {
        super::villages::load_village(conn, id)
    }
    fn check(&self, c: &Checker<'_>, line: usize) -> Result<()> {
        c.village(line, self)
    }
    fn write(&self, w: &Writer<'_, '_>, version: i64) -> Result<()> {
        super::villages::write_village(w.tx, self, version)
    }
    fn note(b: &Batch<'_, Self>, notes: &mut Notes) -> Result<()> {
        notes
            .villages
            .extend(b.envs.iter().map(|e| e.record.id.clone()));
        Ok(())
    }
}

impl Kind for ProductRecord {
    const ENTITY: &'static str = super::products::PRODUCT;
    const TABLE: &'static str = "facility_products";
    const RANK: usize = 11;
    fn id(&self) -> &str {
        &self.id
    }
    fn updated_at(&self) -> &str {
        &self.updated_at
    }
    fn of<'a>(inc: &Incoming<'a>) -> &'a [Envelope<Self>] {
        &inc.registers.products
    }
    fn load(conn: &Connection, id: &str) -> Result<Option<(Self, i64)>> {
        super::products::load_product(conn, id)
    }
    fn check(&self, c: &Checker<'_>, line: usize) -> Result<()> {
        c.product(line, self)
    }
    fn write(&self, w: &Writer<'_, '_>, version: i64) -> Result<()> {
        super::products::write_product(w.tx, self, version)
    }
    fn refs(&self, r: &mut Refs<'_, '_>, line: usize) -> Result<()> {
        r.facility(Self::ENTITY, line, &self.id, &self.facility_id)
    }
}

/// Runs `$body` with `$t` the record type of entity `$entity`; `$other` for an unknown one.
macro_rules! by_entity {
    ($entity:expr, $t:ident => $body:expr, _ => $other:expr) => {
        by_entity!(@arms $entity, $t, $body, $other;
            "collaborator" => CollaboratorRecord,
            "facility" => FacilityRecord,
            "consultation" => ConsultationRecord,
            "proposal" => ProposalRecord,
            "project_adjustment" => AdjustmentRecord,
            "project_visit" => VisitRecord,
            "project_acceptance" => AcceptanceRecord,
            "project_payment" => PaymentRecord,
            "project_result" => ResultRecord,
            "activity" => ActivityRecord,
            "craft_village" => VillageRecord,
            "product" => ProductRecord)
    };
    (@arms $entity:expr, $t:ident, $body:expr, $other:expr; $($name:literal => $ty:ident),*) => {
        match $entity {
            $($name => {
                type $t = crate::record::$ty;
                $body
            })*
            _ => $other,
        }
    };
}
use by_entity;
