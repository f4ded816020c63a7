//! Classification: what each record of a bundle would do against what the province holds
//! (new / updated / unchanged / conflict), and which facilities look like duplicates.

use std::collections::HashSet;

use rusqlite::{Connection, OptionalExtension};
use serde_json::Value;

use super::checks::{check_ids, check_refs, checker, first_refusal, validate};
use super::duplicates::suspects;
use super::{EntityCounts, Incoming, Kind, MergeReport, ENTITIES};
use crate::domain::Profile;
use crate::record::{
    content_rev, AcceptanceRecord, ActivityRecord, AdjustmentRecord, CollaboratorRecord,
    ConsultationRecord, Envelope, FacilityRecord, PaymentRecord, ProductRecord, ProposalRecord,
    ResultRecord, VillageRecord, VisitRecord,
};
use crate::store::{Result, StoreError};

#[derive(Debug, Clone)]
pub(super) enum Decision {
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

/// What the province holds of one record: its rev and row version, and the record itself
/// when it had to be read to know its rev.
fn province_rev<T: Kind>(conn: &Connection, id: &str) -> Result<Option<(String, i64, Option<T>)>> {
    // One look-up for the row's version and the rev it was merged as.
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT t.version, r.rev, r.version FROM {} t
         LEFT JOIN record_revs r ON r.entity = ?2 AND r.id = t.id WHERE t.id = ?1",
        T::TABLE
    ))?;
    let row: Option<(i64, Option<String>, Option<i64>)> = stmt
        .query_row([id, T::ENTITY], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let Some((version, rev, rev_version)) = row else {
        return Ok(None);
    };
    match (rev, rev_version) {
        (Some(rev), Some(v)) if v == version => Ok(Some((rev, version, None))),
        // Changed here since it was merged (or made here): its rev is its content's.
        _ => match T::load(conn, id)? {
            Some((rec, v)) => Ok(Some((content_rev(&rec), v, Some(rec)))),
            None => Ok(None),
        },
    }
}

/// Classifies one envelope. (updated_at, rev) orders the versions in a conflict.
fn classify<T: Kind>(conn: &Connection, env: &Envelope<T>) -> Result<Decision> {
    let id = env.record.id();
    let Some((rev, version, loaded)) = province_rev::<T>(conn, id)? else {
        return Ok(Decision::New);
    };
    if rev == env.rev {
        return Ok(Decision::Unchanged);
    }
    let old = match loaded {
        Some(r) => r,
        None => T::load(conn, id)?
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
        (env.record.updated_at(), env.rev.as_str()) > (old.updated_at(), rev.as_str());
    Ok(Decision::Conflict {
        version,
        old: old_json,
        old_rev: rev,
        incoming_wins,
    })
}

/// Classifies every record of one kind, counting them in `report`.
fn classify_kind<T: Kind>(
    conn: &Connection,
    envs: &[Envelope<T>],
    report: &mut MergeReport,
) -> Result<Vec<Decision>> {
    let mut out = Vec::with_capacity(envs.len());
    for env in envs {
        let d = classify(conn, env)?;
        count(report, T::ENTITY, env.record.id(), &d);
        out.push(d);
    }
    Ok(out)
}

/// The decisions for a bundle, entity by entity in record order, and what they add up to.
pub(super) struct Plan {
    pub(super) report: MergeReport,
    pub(super) collaborators: Vec<Decision>,
    pub(super) facilities: Vec<Decision>,
    pub(super) consultations: Vec<Decision>,
    pub(super) proposals: Vec<Decision>,
    /// The đề án records, in the order of `record::PROJECT_ENTRIES`.
    pub(super) projects: [Vec<Decision>; 5],
    pub(super) activities: Vec<Decision>,
    pub(super) villages: Vec<Decision>,
    pub(super) products: Vec<Decision>,
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

/// Decides what each record would do (no validation: see [`validate`], [`check_refs`]).
/// Reads only.
pub(super) fn classify_all(conn: &Connection, inc: &Incoming<'_>) -> Result<Plan> {
    check_ids(inc.collaborators)?;
    check_ids(inc.facilities)?;
    check_ids(inc.consultations)?;
    check_ids(inc.proposals)?;
    let pr = inc.projects;
    check_ids(&pr.adjustments)?;
    check_ids(&pr.visits)?;
    check_ids(&pr.acceptances)?;
    check_ids(&pr.payments)?;
    check_ids(&pr.results)?;
    check_ids(inc.activities)?;
    check_ids(&inc.registers.villages)?;
    check_ids(&inc.registers.products)?;

    let mut report = MergeReport::default();
    for e in ENTITIES {
        report.counts.insert(e.to_string(), EntityCounts::default());
    }
    let collaborators = classify_kind::<CollaboratorRecord>(conn, inc.collaborators, &mut report)?;
    let facilities = classify_kind::<FacilityRecord>(conn, inc.facilities, &mut report)?;
    let consultations = classify_kind::<ConsultationRecord>(conn, inc.consultations, &mut report)?;
    let proposals = classify_kind::<ProposalRecord>(conn, inc.proposals, &mut report)?;
    let projects = [
        classify_kind::<AdjustmentRecord>(conn, &pr.adjustments, &mut report)?,
        classify_kind::<VisitRecord>(conn, &pr.visits, &mut report)?,
        classify_kind::<AcceptanceRecord>(conn, &pr.acceptances, &mut report)?,
        classify_kind::<PaymentRecord>(conn, &pr.payments, &mut report)?,
        classify_kind::<ResultRecord>(conn, &pr.results, &mut report)?,
    ];
    let activities = classify_kind::<ActivityRecord>(conn, inc.activities, &mut report)?;
    let villages = classify_kind::<VillageRecord>(conn, &inc.registers.villages, &mut report)?;
    let products = classify_kind::<ProductRecord>(conn, &inc.registers.products, &mut report)?;

    report.duplicates = suspects(conn, inc, &facilities)?;
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
        projects,
        activities,
        villages,
        products,
    })
}

/// Validates every record and decides what each would do. Reads only.
pub(super) fn plan(
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
