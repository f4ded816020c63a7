//! One row mapper per record type, used by every reader: the store's own look-ups and lists,
//! the bundle export, the merge and the receipts.
//!
//! Each table's column list is written once (`FACILITY_SQL` is what a reader selects, in that
//! order) and a mapper finds each column by its name in the list. The position is worked out
//! at compile time, so a renamed or missing column fails the build and reading a row costs no
//! by-name look-up (rusqlite's `row.get("name")` searches the statement's column names on
//! every call).

use std::sync::LazyLock;

use rusqlite::types::Type;
use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};

use chrono::NaiveDate;

use super::change_log::ChangeEntry;
use super::merge::{Conflict, DuplicateRow};
use super::Result;
use crate::domain::consultation::{
    parse_date, Amendment, Consultation, ConsultationData, FollowUp, FollowUpStatus,
};
use crate::domain::dup::DupKey;
use crate::domain::facility::{Facility, FacilityData, FacilityStatus, RecordMeta};
use crate::domain::proposal::{category_order, Beneficiary, Proposal, ProposalData, ProposalMoney};
use crate::record::{
    AmendmentRecord, BeneficiaryRecord, CollaboratorRecord, ConsultationRecord, FacilityRecord,
    FollowUpRecord, ProposalRecord, TransitionRecord,
};

/// Declares a column list: `$list` the names, `$sql` the same names joined for a SELECT.
macro_rules! columns {
    ($(#[$m:meta])* $list:ident, $sql:ident = [$first:ident $(, $rest:ident)* $(,)?]) => {
        $(#[$m])*
        pub(crate) const $list: &[&str] = &[stringify!($first) $(, stringify!($rest))*];
        pub(crate) const $sql: &str = concat!(stringify!($first) $(, ", ", stringify!($rest))*);
    };
}

/// Declares the columns of a joined view: `$list` the names a mapper finds them by, `$sql` the
/// expressions selected, in the same order.
macro_rules! view_columns {
    ($(#[$m:meta])* $list:ident, $sql:ident = [
        $first:ident = $first_expr:literal $(, $rest:ident = $rest_expr:literal)* $(,)?
    ]) => {
        $(#[$m])*
        pub(crate) const $list: &[&str] = &[stringify!($first) $(, stringify!($rest))*];
        pub(crate) const $sql: &str = concat!($first_expr $(, ", ", $rest_expr)*);
    };
}

/// The position of a column in a list, evaluated at compile time.
macro_rules! col {
    ($list:ident, $name:ident) => {
        const { position($list, stringify!($name)) }
    };
}

/// Where `name` sits in `list`. Only called in constant context: a name that is not in the
/// list stops the build.
pub(crate) const fn position(list: &[&str], name: &str) -> usize {
    let mut i = 0;
    while i < list.len() {
        if same(list[i].as_bytes(), name.as_bytes()) {
            return i;
        }
        i += 1;
    }
    panic!("column not in the list")
}

// Other store modules (the đề án page) declare and read their column lists the same way.
pub(crate) use {col, columns};

const fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

fn flag(r: &Row<'_>, i: usize) -> rusqlite::Result<bool> {
    Ok(r.get::<_, i64>(i)? != 0)
}

/// A text column borrowed from the row (no copy: for the filters that skip most rows).
fn text<'r>(r: &'r Row<'_>, i: usize) -> rusqlite::Result<&'r str> {
    r.get_ref(i)?
        .as_str()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, Type::Text, Box::new(e)))
}

// ------------------------------------------------------------------------------------------
// Collaborators

columns!(
    /// `collaborators`, as a bundle record plus the row version.
    COLLABORATOR, COLLABORATOR_SQL = [id, name, role, units, active, version]
);

pub(crate) fn collaborator(r: &Row<'_>) -> rusqlite::Result<CollaboratorRecord> {
    let units: String = r.get(col!(COLLABORATOR, units))?;
    Ok(CollaboratorRecord {
        id: r.get(col!(COLLABORATOR, id))?,
        name: r.get(col!(COLLABORATOR, name))?,
        role: r.get(col!(COLLABORATOR, role))?,
        units: serde_json::from_str(&units).unwrap_or_default(),
        active: flag(r, col!(COLLABORATOR, active))?,
    })
}

pub(crate) fn collaborator_version(r: &Row<'_>) -> rusqlite::Result<i64> {
    r.get(col!(COLLABORATOR, version))
}

// ------------------------------------------------------------------------------------------
// Facilities

columns!(
    /// `facilities`: every field of the bundle record, then the row version.
    FACILITY, FACILITY_SQL = [
        id, name, entity_type, tax_code, representative, phone, address, commune_code,
        trade_group, products, workers, founded_year, craft_village, ocop_stars, ocop_year,
        typical_level, typical_year, exports, local_materials, woman_owned, ethnic_owned,
        difficult_area, status, notes, old_commune_code, archived, created_at, created_by,
        updated_at, updated_by, village_id, version
    ]
);

pub(crate) fn facility_record(r: &Row<'_>) -> rusqlite::Result<FacilityRecord> {
    Ok(FacilityRecord {
        id: r.get(col!(FACILITY, id))?,
        name: r.get(col!(FACILITY, name))?,
        entity_type: r.get(col!(FACILITY, entity_type))?,
        tax_code: r.get(col!(FACILITY, tax_code))?,
        representative: r.get(col!(FACILITY, representative))?,
        phone: r.get(col!(FACILITY, phone))?,
        address: r.get(col!(FACILITY, address))?,
        commune_code: r.get(col!(FACILITY, commune_code))?,
        trade_group: r.get(col!(FACILITY, trade_group))?,
        products: r.get(col!(FACILITY, products))?,
        workers: r.get(col!(FACILITY, workers))?,
        founded_year: r.get(col!(FACILITY, founded_year))?,
        craft_village: r.get(col!(FACILITY, craft_village))?,
        ocop_stars: r.get(col!(FACILITY, ocop_stars))?,
        ocop_year: r.get(col!(FACILITY, ocop_year))?,
        typical_level: r.get(col!(FACILITY, typical_level))?,
        typical_year: r.get(col!(FACILITY, typical_year))?,
        exports: flag(r, col!(FACILITY, exports))?,
        local_materials: flag(r, col!(FACILITY, local_materials))?,
        woman_owned: flag(r, col!(FACILITY, woman_owned))?,
        ethnic_owned: flag(r, col!(FACILITY, ethnic_owned))?,
        difficult_area: flag(r, col!(FACILITY, difficult_area))?,
        status: r.get(col!(FACILITY, status))?,
        notes: r.get(col!(FACILITY, notes))?,
        old_commune_code: r.get(col!(FACILITY, old_commune_code))?,
        archived: flag(r, col!(FACILITY, archived))?,
        created_at: r.get(col!(FACILITY, created_at))?,
        created_by: r.get(col!(FACILITY, created_by))?,
        updated_at: r.get(col!(FACILITY, updated_at))?,
        updated_by: r.get(col!(FACILITY, updated_by))?,
        village_id: r.get(col!(FACILITY, village_id))?,
    })
}

pub(crate) fn facility_version(r: &Row<'_>) -> rusqlite::Result<i64> {
    r.get(col!(FACILITY, version))
}

/// The facility's id and commune, read before the whole row (a reader that filters by them
/// maps only the rows it keeps).
pub(crate) fn facility_key<'r>(r: &'r Row<'_>) -> rusqlite::Result<(&'r str, &'r str)> {
    Ok((
        text(r, col!(FACILITY, id))?,
        text(r, col!(FACILITY, commune_code))?,
    ))
}

/// The store's own view of a facility (the same row as [`facility_record`]).
pub(crate) fn facility(r: &Row<'_>) -> rusqlite::Result<Facility> {
    Ok(facility_from_record(
        facility_record(r)?,
        facility_version(r)?,
    ))
}

/// A facility record as the domain value (an unknown status reads as the default one).
pub(crate) fn facility_from_record(rec: FacilityRecord, version: i64) -> Facility {
    Facility {
        id: rec.id,
        data: FacilityData {
            name: rec.name,
            entity_type: rec.entity_type,
            tax_code: rec.tax_code,
            representative: rec.representative,
            phone: rec.phone,
            address: rec.address,
            commune_code: rec.commune_code,
            trade_group: rec.trade_group,
            products: rec.products,
            workers: rec.workers,
            founded_year: rec.founded_year,
            craft_village: rec.craft_village,
            ocop_stars: rec.ocop_stars,
            ocop_year: rec.ocop_year,
            typical_level: rec.typical_level,
            typical_year: rec.typical_year,
            exports: rec.exports,
            local_materials: rec.local_materials,
            woman_owned: rec.woman_owned,
            ethnic_owned: rec.ethnic_owned,
            difficult_area: rec.difficult_area,
            status: FacilityStatus::parse(&rec.status).unwrap_or_default(),
            notes: rec.notes,
        },
        old_commune_code: rec.old_commune_code,
        village_id: rec.village_id,
        meta: RecordMeta {
            created_at: rec.created_at,
            created_by: rec.created_by,
            updated_at: rec.updated_at,
            updated_by: rec.updated_by,
            version,
            archived: rec.archived,
        },
    }
}

columns!(
    /// What the duplicate rule compares of a facility.
    DUP_KEY, DUP_KEY_SQL = [id, name, commune_code, tax_code, phone]
);

pub(crate) fn dup_key(r: &Row<'_>) -> rusqlite::Result<DupKey> {
    Ok(DupKey {
        id: r.get(col!(DUP_KEY, id))?,
        name: r.get(col!(DUP_KEY, name))?,
        commune_code: r.get(col!(DUP_KEY, commune_code))?,
        tax_code: r.get(col!(DUP_KEY, tax_code))?,
        phone: r.get(col!(DUP_KEY, phone))?,
    })
}

// ------------------------------------------------------------------------------------------
// Consultations and what belongs to them

columns!(
    /// `consultations`: the record's own fields, the copied commune, how many amendments it
    /// has, and the row version.
    CONSULTATION, CONSULTATION_SQL = [
        id, facility_id, commune_code, collaborator_id, date, mode, topics, difficulties, needs,
        advice, next_step, follow_up_date, cur_date, cur_mode, amendments, created_at,
        created_by, updated_at, updated_by, version
    ]
);

columns!(
    /// `consultation_amendments`.
    AMENDMENT, AMENDMENT_SQL = [consultation_id, id, at, actor_id, actor_name, reason, changes]
);

columns!(
    /// `follow_ups`, as the record carries them.
    FOLLOW_UP, FOLLOW_UP_SQL = [
        consultation_id, due_date, status, outcome_id, note, closed_at, closed_by, updated_at,
        updated_by
    ]
);

/// A consultation without its current topics, amendments and follow-up (other tables).
pub(crate) fn consultation_record(r: &Row<'_>) -> rusqlite::Result<ConsultationRecord> {
    let topics: String = r.get(col!(CONSULTATION, topics))?;
    Ok(ConsultationRecord {
        id: r.get(col!(CONSULTATION, id))?,
        facility_id: r.get(col!(CONSULTATION, facility_id))?,
        collaborator_id: r.get(col!(CONSULTATION, collaborator_id))?,
        date: r.get(col!(CONSULTATION, date))?,
        mode: r.get(col!(CONSULTATION, mode))?,
        topics: super::consultations::split_topics(&topics),
        difficulties: r.get(col!(CONSULTATION, difficulties))?,
        needs: r.get(col!(CONSULTATION, needs))?,
        advice: r.get(col!(CONSULTATION, advice))?,
        next_step: r.get(col!(CONSULTATION, next_step))?,
        follow_up_date: r.get(col!(CONSULTATION, follow_up_date))?,
        cur_date: r.get(col!(CONSULTATION, cur_date))?,
        cur_mode: r.get(col!(CONSULTATION, cur_mode))?,
        cur_topics: Vec::new(),
        amendments: Vec::new(),
        follow_up: None,
        created_at: r.get(col!(CONSULTATION, created_at))?,
        created_by: r.get(col!(CONSULTATION, created_by))?,
        updated_at: r.get(col!(CONSULTATION, updated_at))?,
        updated_by: r.get(col!(CONSULTATION, updated_by))?,
    })
}

pub(crate) fn consultation_version(r: &Row<'_>) -> rusqlite::Result<i64> {
    r.get(col!(CONSULTATION, version))
}

/// The consultation's id, commune and whether it has amendments, read before the whole row.
pub(crate) fn consultation_key<'r>(r: &'r Row<'_>) -> rusqlite::Result<(&'r str, &'r str, bool)> {
    Ok((
        text(r, col!(CONSULTATION, id))?,
        text(r, col!(CONSULTATION, commune_code))?,
        r.get::<_, i64>(col!(CONSULTATION, amendments))? > 0,
    ))
}

/// An amendment and the consultation it belongs to.
pub(crate) fn amendment(r: &Row<'_>) -> rusqlite::Result<(String, AmendmentRecord)> {
    let changes: String = r.get(col!(AMENDMENT, changes))?;
    Ok((
        r.get(col!(AMENDMENT, consultation_id))?,
        AmendmentRecord {
            id: r.get(col!(AMENDMENT, id))?,
            at: r.get(col!(AMENDMENT, at))?,
            actor_id: r.get(col!(AMENDMENT, actor_id))?,
            actor_name: r.get(col!(AMENDMENT, actor_name))?,
            reason: r.get(col!(AMENDMENT, reason))?,
            changes: serde_json::from_str(&changes).unwrap_or_default(),
        },
    ))
}

/// An amendment as the store shows it (the same row as [`amendment`]).
pub(crate) fn consultation_amendment(r: &Row<'_>) -> rusqlite::Result<Amendment> {
    let (consultation_id, a) = amendment(r)?;
    Ok(Amendment {
        id: a.id,
        consultation_id,
        at: a.at,
        actor_id: a.actor_id,
        actor_name: a.actor_name,
        reason: a.reason,
        changes: a.changes,
    })
}

view_columns!(
    /// The consultation lists read (`consultations c`, its facility `f`, its author `p` and its
    /// follow-up `fu`): the row as stored, the names beside it and the follow-up.
    CONSULTATION_VIEW, CONSULTATION_VIEW_SQL = [
        id = "c.id", facility_id = "c.facility_id", facility_name = "coalesce(f.name, '')",
        commune_code = "c.commune_code", date = "c.date", mode = "c.mode", topics = "c.topics",
        difficulties = "c.difficulties", needs = "c.needs", advice = "c.advice",
        next_step = "c.next_step", follow_up_date = "c.follow_up_date",
        collaborator_id = "c.collaborator_id", collaborator_name = "coalesce(p.name, '')",
        created_at = "c.created_at", created_by = "c.created_by", updated_at = "c.updated_at",
        updated_by = "c.updated_by", version = "c.version", amendments = "c.amendments",
        fu_due_date = "fu.due_date", fu_status = "fu.status", fu_outcome_id = "fu.outcome_id",
        fu_note = "fu.note", fu_closed_at = "fu.closed_at", fu_closed_by = "fu.closed_by",
        fu_updated_at = "fu.updated_at", fu_version = "fu.version",
    ]
);

/// A yyyy-mm-dd column that holds something else.
pub(crate) fn bad_date(i: usize) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        i,
        Type::Text,
        Box::new(std::io::Error::other("not a yyyy-mm-dd date")),
    )
}

fn date_col(r: &Row<'_>, i: usize) -> rusqlite::Result<NaiveDate> {
    let s: String = r.get(i)?;
    parse_date(&s).ok_or_else(|| bad_date(i))
}

fn opt_date_col(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<NaiveDate>> {
    match r.get::<_, Option<String>>(i)? {
        Some(s) => parse_date(&s).map(Some).ok_or_else(|| bad_date(i)),
        None => Ok(None),
    }
}

/// A consultation of [`CONSULTATION_VIEW`] as stored: the original values (amendments not
/// yet applied).
pub(crate) fn consultation_view(r: &Row<'_>) -> rusqlite::Result<Consultation> {
    let topics: String = r.get(col!(CONSULTATION_VIEW, topics))?;
    let follow_up = match opt_date_col(r, col!(CONSULTATION_VIEW, fu_due_date))? {
        Some(due_date) => {
            let status: String = r.get(col!(CONSULTATION_VIEW, fu_status))?;
            Some(FollowUp {
                due_date,
                status: FollowUpStatus::parse(&status).unwrap_or(FollowUpStatus::Open),
                outcome_id: r.get(col!(CONSULTATION_VIEW, fu_outcome_id))?,
                note: r.get(col!(CONSULTATION_VIEW, fu_note))?,
                closed_at: r.get(col!(CONSULTATION_VIEW, fu_closed_at))?,
                closed_by: r.get(col!(CONSULTATION_VIEW, fu_closed_by))?,
                updated_at: r.get(col!(CONSULTATION_VIEW, fu_updated_at))?,
                version: r.get(col!(CONSULTATION_VIEW, fu_version))?,
            })
        }
        None => None,
    };
    Ok(Consultation {
        id: r.get(col!(CONSULTATION_VIEW, id))?,
        data: ConsultationData {
            facility_id: r.get(col!(CONSULTATION_VIEW, facility_id))?,
            date: date_col(r, col!(CONSULTATION_VIEW, date))?,
            mode: r.get(col!(CONSULTATION_VIEW, mode))?,
            topics: super::consultations::split_topics(&topics),
            difficulties: r.get(col!(CONSULTATION_VIEW, difficulties))?,
            needs: r.get(col!(CONSULTATION_VIEW, needs))?,
            advice: r.get(col!(CONSULTATION_VIEW, advice))?,
            next_step: r.get(col!(CONSULTATION_VIEW, next_step))?,
            follow_up_date: opt_date_col(r, col!(CONSULTATION_VIEW, follow_up_date))?,
        },
        facility_name: r.get(col!(CONSULTATION_VIEW, facility_name))?,
        commune_code: r.get(col!(CONSULTATION_VIEW, commune_code))?,
        collaborator_id: r.get(col!(CONSULTATION_VIEW, collaborator_id))?,
        collaborator_name: r.get(col!(CONSULTATION_VIEW, collaborator_name))?,
        created_at: r.get(col!(CONSULTATION_VIEW, created_at))?,
        created_by: r.get(col!(CONSULTATION_VIEW, created_by))?,
        updated_at: r.get(col!(CONSULTATION_VIEW, updated_at))?,
        updated_by: r.get(col!(CONSULTATION_VIEW, updated_by))?,
        version: r.get(col!(CONSULTATION_VIEW, version))?,
        amendments: r.get(col!(CONSULTATION_VIEW, amendments))?,
        follow_up,
    })
}

/// A follow-up and the consultation it belongs to.
pub(crate) fn follow_up(r: &Row<'_>) -> rusqlite::Result<(String, FollowUpRecord)> {
    Ok((
        r.get(col!(FOLLOW_UP, consultation_id))?,
        FollowUpRecord {
            due_date: r.get(col!(FOLLOW_UP, due_date))?,
            status: r.get(col!(FOLLOW_UP, status))?,
            outcome_id: r.get(col!(FOLLOW_UP, outcome_id))?,
            note: r.get(col!(FOLLOW_UP, note))?,
            closed_at: r.get(col!(FOLLOW_UP, closed_at))?,
            closed_by: r.get(col!(FOLLOW_UP, closed_by))?,
            updated_at: r.get(col!(FOLLOW_UP, updated_at))?,
            updated_by: r.get(col!(FOLLOW_UP, updated_by))?,
        },
    ))
}

// ------------------------------------------------------------------------------------------
// Proposals and their status history

columns!(
    /// `proposals`: the record's own fields, the copied commune and the row version.
    PROPOSAL, PROPOSAL_SQL = [
        id, facility_id, commune_code, plan_year, category, funding, title, rationale,
        objectives, content, place, time_frame, total_cost, support, counterpart, other_sources,
        expected_jobs, expected_products, expected_capacity, priorities, status, decision_no,
        created_at, created_by, updated_at, updated_by, version, approved_support, decision_date,
        approved_funding, batch, start_date, implementing_unit, planned_end, stop_reason, is_pilot
    ]
);

view_columns!(
    /// The proposal lists read (`proposals p` and its facility `f`): the row and the
    /// facility's name.
    PROPOSAL_VIEW, PROPOSAL_VIEW_SQL = [
        id = "p.id", facility_id = "p.facility_id", facility_name = "coalesce(f.name, '')",
        commune_code = "p.commune_code", plan_year = "p.plan_year", category = "p.category",
        funding = "p.funding", title = "p.title", rationale = "p.rationale",
        objectives = "p.objectives", content = "p.content", place = "p.place",
        time_frame = "p.time_frame", total_cost = "p.total_cost", support = "p.support",
        counterpart = "p.counterpart", other_sources = "p.other_sources",
        expected_jobs = "p.expected_jobs", expected_products = "p.expected_products",
        expected_capacity = "p.expected_capacity", priorities = "p.priorities",
        status = "p.status", decision_no = "p.decision_no", created_at = "p.created_at",
        created_by = "p.created_by", updated_at = "p.updated_at", updated_by = "p.updated_by",
        version = "p.version", approved_support = "p.approved_support",
        decision_date = "p.decision_date", approved_funding = "p.approved_funding",
        batch = "p.batch", start_date = "p.start_date",
        implementing_unit = "p.implementing_unit", planned_end = "p.planned_end",
        stop_reason = "p.stop_reason", is_pilot = "p.is_pilot",
        group_size = "(SELECT count(*) FROM proposal_beneficiaries b WHERE b.proposal_id = p.id)",
    ]
);

/// A proposal of [`PROPOSAL_VIEW`] as the store shows it.
pub(crate) fn proposal_view(r: &Row<'_>) -> rusqlite::Result<Proposal> {
    use super::proposals::{
        code_at, funding_from_code, opt_code_at, priorities_from_bits, status_from_code,
    };
    Ok(Proposal {
        id: r.get(col!(PROPOSAL_VIEW, id))?,
        data: ProposalData {
            // NULL: a đề án the centre runs with no facility.
            facility_id: r
                .get::<_, Option<String>>(col!(PROPOSAL_VIEW, facility_id))?
                .unwrap_or_default(),
            plan_year: r.get(col!(PROPOSAL_VIEW, plan_year))?,
            category: r.get(col!(PROPOSAL_VIEW, category))?,
            funding: code_at(
                r,
                col!(PROPOSAL_VIEW, funding),
                "funding source",
                funding_from_code,
            )?,
            title: r.get(col!(PROPOSAL_VIEW, title))?,
            rationale: r.get(col!(PROPOSAL_VIEW, rationale))?,
            objectives: r.get(col!(PROPOSAL_VIEW, objectives))?,
            content: r.get(col!(PROPOSAL_VIEW, content))?,
            place: r.get(col!(PROPOSAL_VIEW, place))?,
            time_frame: r.get(col!(PROPOSAL_VIEW, time_frame))?,
            money: ProposalMoney {
                total_cost: r.get(col!(PROPOSAL_VIEW, total_cost))?,
                support: r.get(col!(PROPOSAL_VIEW, support))?,
                counterpart: r.get(col!(PROPOSAL_VIEW, counterpart))?,
                other_sources: r.get(col!(PROPOSAL_VIEW, other_sources))?,
            },
            expected_jobs: r.get(col!(PROPOSAL_VIEW, expected_jobs))?,
            expected_products: r.get(col!(PROPOSAL_VIEW, expected_products))?,
            expected_capacity: r.get(col!(PROPOSAL_VIEW, expected_capacity))?,
            priorities: priorities_from_bits(r.get(col!(PROPOSAL_VIEW, priorities))?),
            // Another table: read with the one proposal (`Store::proposal`), not in lists.
            beneficiaries: Vec::new(),
            is_pilot: r.get(col!(PROPOSAL_VIEW, is_pilot))?,
        },
        status: code_at(
            r,
            col!(PROPOSAL_VIEW, status),
            "proposal status",
            status_from_code,
        )?,
        decision_no: r.get(col!(PROPOSAL_VIEW, decision_no))?,
        approved_support: r.get(col!(PROPOSAL_VIEW, approved_support))?,
        decision_date: r.get(col!(PROPOSAL_VIEW, decision_date))?,
        approved_funding: opt_code_at(
            r,
            col!(PROPOSAL_VIEW, approved_funding),
            "funding source",
            funding_from_code,
        )?,
        batch: r.get(col!(PROPOSAL_VIEW, batch))?,
        start_date: r.get(col!(PROPOSAL_VIEW, start_date))?,
        implementing_unit: r.get(col!(PROPOSAL_VIEW, implementing_unit))?,
        planned_end: r.get(col!(PROPOSAL_VIEW, planned_end))?,
        stop_reason: r.get(col!(PROPOSAL_VIEW, stop_reason))?,
        facility_name: r.get(col!(PROPOSAL_VIEW, facility_name))?,
        group_size: usize::try_from(r.get::<_, i64>(col!(PROPOSAL_VIEW, group_size))?).unwrap_or(0),
        commune_code: r.get(col!(PROPOSAL_VIEW, commune_code))?,
        created_at: r.get(col!(PROPOSAL_VIEW, created_at))?,
        created_by: r.get(col!(PROPOSAL_VIEW, created_by))?,
        updated_at: r.get(col!(PROPOSAL_VIEW, updated_at))?,
        updated_by: r.get(col!(PROPOSAL_VIEW, updated_by))?,
        version: r.get(col!(PROPOSAL_VIEW, version))?,
    })
}

columns!(
    /// `proposal_transitions`, as the record carries them.
    TRANSITION, TRANSITION_SQL = [
        proposal_id, at, actor_id, actor_name, mover, from_status, to_status, reason, decision_no,
        approved_support, decision_date
    ]
);

/// A proposal without its transitions (another table).
pub(crate) fn proposal_record(r: &Row<'_>) -> rusqlite::Result<ProposalRecord> {
    Ok(ProposalRecord {
        id: r.get(col!(PROPOSAL, id))?,
        facility_id: r.get(col!(PROPOSAL, facility_id))?,
        plan_year: r.get(col!(PROPOSAL, plan_year))?,
        category: r.get(col!(PROPOSAL, category))?,
        funding: r.get(col!(PROPOSAL, funding))?,
        title: r.get(col!(PROPOSAL, title))?,
        rationale: r.get(col!(PROPOSAL, rationale))?,
        objectives: r.get(col!(PROPOSAL, objectives))?,
        content: r.get(col!(PROPOSAL, content))?,
        place: r.get(col!(PROPOSAL, place))?,
        time_frame: r.get(col!(PROPOSAL, time_frame))?,
        total_cost: r.get(col!(PROPOSAL, total_cost))?,
        support: r.get(col!(PROPOSAL, support))?,
        counterpart: r.get(col!(PROPOSAL, counterpart))?,
        other_sources: r.get(col!(PROPOSAL, other_sources))?,
        expected_jobs: r.get(col!(PROPOSAL, expected_jobs))?,
        expected_products: r.get(col!(PROPOSAL, expected_products))?,
        expected_capacity: r.get(col!(PROPOSAL, expected_capacity))?,
        priorities: r.get(col!(PROPOSAL, priorities))?,
        status: r.get(col!(PROPOSAL, status))?,
        decision_no: r.get(col!(PROPOSAL, decision_no))?,
        approved_support: r.get(col!(PROPOSAL, approved_support))?,
        decision_date: r.get(col!(PROPOSAL, decision_date))?,
        approved_funding: r.get(col!(PROPOSAL, approved_funding))?,
        batch: r.get(col!(PROPOSAL, batch))?,
        start_date: r.get(col!(PROPOSAL, start_date))?,
        implementing_unit: r.get(col!(PROPOSAL, implementing_unit))?,
        planned_end: r.get(col!(PROPOSAL, planned_end))?,
        stop_reason: r.get(col!(PROPOSAL, stop_reason))?,
        beneficiaries: Vec::new(),
        is_pilot: r.get(col!(PROPOSAL, is_pilot))?,
        transitions: Vec::new(),
        created_at: r.get(col!(PROPOSAL, created_at))?,
        created_by: r.get(col!(PROPOSAL, created_by))?,
        updated_at: r.get(col!(PROPOSAL, updated_at))?,
        updated_by: r.get(col!(PROPOSAL, updated_by))?,
    })
}

pub(crate) fn proposal_version(r: &Row<'_>) -> rusqlite::Result<i64> {
    r.get(col!(PROPOSAL, version))
}

/// The proposal's id and commune, read before the whole row.
pub(crate) fn proposal_key<'r>(r: &'r Row<'_>) -> rusqlite::Result<(&'r str, &'r str)> {
    Ok((
        text(r, col!(PROPOSAL, id))?,
        text(r, col!(PROPOSAL, commune_code))?,
    ))
}

/// A transition and the proposal it belongs to.
pub(crate) fn transition(r: &Row<'_>) -> rusqlite::Result<(String, TransitionRecord)> {
    Ok((
        r.get(col!(TRANSITION, proposal_id))?,
        TransitionRecord {
            at: r.get(col!(TRANSITION, at))?,
            actor_id: r.get(col!(TRANSITION, actor_id))?,
            actor_name: r.get(col!(TRANSITION, actor_name))?,
            mover: r.get(col!(TRANSITION, mover))?,
            from_status: r.get(col!(TRANSITION, from_status))?,
            to_status: r.get(col!(TRANSITION, to_status))?,
            reason: r.get(col!(TRANSITION, reason))?,
            decision_no: r.get(col!(TRANSITION, decision_no))?,
            approved_support: r.get(col!(TRANSITION, approved_support))?,
            decision_date: r.get(col!(TRANSITION, decision_date))?,
        },
    ))
}

/// Adds one transition of a proposal's history (the merge and the province's decisions).
pub(crate) fn insert_transition(
    tx: &Transaction<'_>,
    proposal_id: &str,
    t: &TransitionRecord,
) -> Result<()> {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        format!(
            "INSERT INTO proposal_transitions ({TRANSITION_SQL})
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
        )
    });
    // The parameters follow TRANSITION in order.
    tx.prepare_cached(&SQL)?.execute(params![
        proposal_id,
        t.at,
        t.actor_id,
        t.actor_name,
        t.mover,
        t.from_status,
        t.to_status,
        t.reason,
        t.decision_no,
        t.approved_support,
        t.decision_date
    ])?;
    Ok(())
}

// ------------------------------------------------------------------------------------------
// One record by id, with its row version (the merge's side of a comparison, receipts)

pub(crate) fn load_collaborator(
    conn: &Connection,
    id: &str,
) -> Result<Option<(CollaboratorRecord, i64)>> {
    static SQL: LazyLock<String> =
        LazyLock::new(|| format!("SELECT {COLLABORATOR_SQL} FROM collaborators WHERE id = ?1"));
    let mut stmt = conn.prepare_cached(&SQL)?;
    Ok(stmt
        .query_row([id], |r| Ok((collaborator(r)?, collaborator_version(r)?)))
        .optional()?)
}

pub(crate) fn load_facility(conn: &Connection, id: &str) -> Result<Option<(FacilityRecord, i64)>> {
    static SQL: LazyLock<String> =
        LazyLock::new(|| format!("SELECT {FACILITY_SQL} FROM facilities WHERE id = ?1"));
    let mut stmt = conn.prepare_cached(&SQL)?;
    Ok(stmt
        .query_row([id], |r| Ok((facility_record(r)?, facility_version(r)?)))
        .optional()?)
}

/// Sorts topic codes in code-list order, as the forms store them.
pub(crate) fn sort_topics(t: &mut [String]) {
    t.sort_by(|a, b| category_order(a).cmp(&category_order(b)).then(a.cmp(b)));
}

/// One consultation's amendments, oldest first.
pub(crate) static AMENDMENTS_OF: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {AMENDMENT_SQL} FROM consultation_amendments
         WHERE consultation_id = ?1 ORDER BY at, id"
    )
});

pub(crate) fn load_consultation(
    conn: &Connection,
    id: &str,
) -> Result<Option<(ConsultationRecord, i64)>> {
    static SQL: LazyLock<String> =
        LazyLock::new(|| format!("SELECT {CONSULTATION_SQL} FROM consultations WHERE id = ?1"));
    static FOLLOW_UPS: LazyLock<String> = LazyLock::new(|| {
        format!("SELECT {FOLLOW_UP_SQL} FROM follow_ups WHERE consultation_id = ?1")
    });
    let mut stmt = conn.prepare_cached(&SQL)?;
    let Some((mut rec, version)) = stmt
        .query_row([id], |r| {
            Ok((consultation_record(r)?, consultation_version(r)?))
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
    let mut a = conn.prepare_cached(&AMENDMENTS_OF)?;
    rec.amendments = a
        .query_map([id], |r| Ok(amendment(r)?.1))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut f = conn.prepare_cached(&FOLLOW_UPS)?;
    rec.follow_up = f.query_row([id], |r| Ok(follow_up(r)?.1)).optional()?;
    Ok(Some((rec, version)))
}

pub(crate) fn load_proposal(conn: &Connection, id: &str) -> Result<Option<(ProposalRecord, i64)>> {
    static SQL: LazyLock<String> =
        LazyLock::new(|| format!("SELECT {PROPOSAL_SQL} FROM proposals WHERE id = ?1"));
    static TRANSITIONS: LazyLock<String> = LazyLock::new(|| {
        format!(
            "SELECT {TRANSITION_SQL} FROM proposal_transitions WHERE proposal_id = ?1 ORDER BY seq"
        )
    });
    let mut stmt = conn.prepare_cached(&SQL)?;
    let Some((mut rec, version)) = stmt
        .query_row([id], |r| Ok((proposal_record(r)?, proposal_version(r)?)))
        .optional()?
    else {
        return Ok(None);
    };
    let mut t = conn.prepare_cached(&TRANSITIONS)?;
    rec.transitions = t
        .query_map([id], |r| Ok(transition(r)?.1))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rec.beneficiaries = beneficiaries_of(conn, id)?;
    Ok(Some((rec, version)))
}

// ------------------------------------------------------------------------------------------
// A group đề án's beneficiaries (part of the proposal record)

/// `proposal_beneficiaries` of one proposal, the lead (position 0) first.
pub(crate) fn beneficiaries_of(conn: &Connection, id: &str) -> Result<Vec<BeneficiaryRecord>> {
    let mut stmt = conn.prepare_cached(
        "SELECT facility_id, support, counterpart FROM proposal_beneficiaries
         WHERE proposal_id = ?1 ORDER BY position",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok(BeneficiaryRecord {
            facility_id: r.get(0)?,
            support: r.get(1)?,
            counterpart: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Replaces a proposal's beneficiaries (within the caller's transaction), in list order.
pub(crate) fn write_beneficiaries(
    conn: &Connection,
    id: &str,
    list: &[BeneficiaryRecord],
) -> Result<()> {
    conn.prepare_cached("DELETE FROM proposal_beneficiaries WHERE proposal_id = ?1")?
        .execute([id])?;
    let mut ins = conn.prepare_cached(
        "INSERT INTO proposal_beneficiaries (proposal_id, position, facility_id, support,
            counterpart) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (pos, b) in list.iter().enumerate() {
        ins.execute(params![
            id,
            pos as i64,
            b.facility_id,
            b.support,
            b.counterpart
        ])?;
    }
    Ok(())
}

/// A beneficiary as the domain holds it.
pub(crate) fn beneficiary_data(b: &BeneficiaryRecord) -> Beneficiary {
    Beneficiary {
        facility_id: b.facility_id.clone(),
        support: b.support,
        counterpart: b.counterpart,
    }
}

/// A beneficiary as the record carries it.
pub(crate) fn beneficiary_record(b: &Beneficiary) -> BeneficiaryRecord {
    BeneficiaryRecord {
        facility_id: b.facility_id.clone(),
        support: b.support,
        counterpart: b.counterpart,
    }
}

// ------------------------------------------------------------------------------------------
// The change log, merge conflicts and suspected duplicates (as the screens list them)

columns!(
    /// `change_log`.
    CHANGE, CHANGE_SQL = [seq, at, actor_id, actor_name, entity, record_id, action, version, changes]
);

pub(crate) fn change(r: &Row<'_>) -> rusqlite::Result<ChangeEntry> {
    let changes: String = r.get(col!(CHANGE, changes))?;
    Ok(ChangeEntry {
        seq: r.get(col!(CHANGE, seq))?,
        at: r.get(col!(CHANGE, at))?,
        actor_id: r.get(col!(CHANGE, actor_id))?,
        actor_name: r.get(col!(CHANGE, actor_name))?,
        entity: r.get(col!(CHANGE, entity))?,
        record_id: r.get(col!(CHANGE, record_id))?,
        action: r.get(col!(CHANGE, action))?,
        version: r.get(col!(CHANGE, version))?,
        changes: serde_json::from_str(&changes).unwrap_or_default(),
        from_bundle: None,
    })
}

columns!(
    /// `merge_conflicts`.
    CONFLICT, CONFLICT_SQL = [
        id, entity, record_id, older_rev, older_json, newer_rev, newer_json, sender_id, found_at,
        status
    ]
);

pub(crate) fn conflict(r: &Row<'_>) -> rusqlite::Result<Conflict> {
    let older: String = r.get(col!(CONFLICT, older_json))?;
    let newer: String = r.get(col!(CONFLICT, newer_json))?;
    Ok(Conflict {
        id: r.get(col!(CONFLICT, id))?,
        entity: r.get(col!(CONFLICT, entity))?,
        record_id: r.get(col!(CONFLICT, record_id))?,
        older_rev: r.get(col!(CONFLICT, older_rev))?,
        older: serde_json::from_str(&older).unwrap_or(serde_json::Value::Null),
        newer_rev: r.get(col!(CONFLICT, newer_rev))?,
        newer: serde_json::from_str(&newer).unwrap_or(serde_json::Value::Null),
        sender_id: r.get(col!(CONFLICT, sender_id))?,
        found_at: r.get(col!(CONFLICT, found_at))?,
        status: r.get(col!(CONFLICT, status))?,
    })
}

view_columns!(
    /// `duplicate_pairs d` with the names and commune of its two facilities (`fa`, `fb`).
    DUPLICATE_VIEW, DUPLICATE_VIEW_SQL = [
        a = "d.a", a_name = "coalesce(fa.name, '')", b = "d.b", b_name = "coalesce(fb.name, '')",
        commune_code = "coalesce(fa.commune_code, '')", reasons = "d.reasons", status = "d.status",
    ]
);

pub(crate) fn duplicate_view(r: &Row<'_>) -> rusqlite::Result<DuplicateRow> {
    let reasons: String = r.get(col!(DUPLICATE_VIEW, reasons))?;
    Ok(DuplicateRow {
        a: r.get(col!(DUPLICATE_VIEW, a))?,
        a_name: r.get(col!(DUPLICATE_VIEW, a_name))?,
        b: r.get(col!(DUPLICATE_VIEW, b))?,
        b_name: r.get(col!(DUPLICATE_VIEW, b_name))?,
        commune_code: r.get(col!(DUPLICATE_VIEW, commune_code))?,
        reasons: super::merge::parse_reasons(&reasons),
        status: r.get(col!(DUPLICATE_VIEW, status))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_lists_and_positions_agree() {
        assert_eq!(COLLABORATOR_SQL, "id, name, role, units, active, version");
        assert_eq!(FACILITY_SQL.split(", ").count(), FACILITY.len());
        assert_eq!(col!(FACILITY, id), 0);
        assert_eq!(col!(FACILITY, version), FACILITY.len() - 1);
        assert_eq!(FACILITY[col!(FACILITY, commune_code)], "commune_code");
        assert_eq!(PROPOSAL[col!(PROPOSAL, decision_no)], "decision_no");
        // insert_transition binds eleven parameters in this order.
        assert_eq!(
            TRANSITION,
            [
                "proposal_id",
                "at",
                "actor_id",
                "actor_name",
                "mover",
                "from_status",
                "to_status",
                "reason",
                "decision_no",
                "approved_support",
                "decision_date"
            ]
        );
    }
}
