//! Classification: what each record of a bundle would do against what the province holds
//! (new / updated / unchanged / conflict).

use rusqlite::{Connection, OptionalExtension};
use serde_json::Value;

use super::{Kind, MergeReport};
use crate::record::{content_rev, Envelope};
use crate::store::{Result, StoreError};

#[derive(Debug, Clone)]
pub(crate) enum Decision {
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
pub(super) fn classify<T: Kind>(conn: &Connection, env: &Envelope<T>) -> Result<Decision> {
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

/// Counts one decision in `report`.
pub(super) fn count(report: &mut MergeReport, entity: &str, id: &str, d: &Decision) {
    let c = match report.counts.get_mut(entity) {
        Some(c) => c,
        None => report.counts.entry(entity.to_string()).or_default(),
    };
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
