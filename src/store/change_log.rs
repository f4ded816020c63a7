//! The change log: who changed which record, when, and what — written in the same transaction.

use rusqlite::{params, Transaction};
use serde::Serialize;

use super::rows::{self, CHANGE_SQL};
use super::{Actor, Result, Store};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangeEntry {
    pub seq: i64,
    pub at: String,
    pub actor_id: String,
    pub actor_name: String,
    pub entity: String,
    pub record_id: String,
    pub action: String,
    pub version: i64,
    /// field → [old, new]
    pub changes: serde_json::Map<String, serde_json::Value>,
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn record(
    tx: &Transaction<'_>,
    at: &str,
    actor: &Actor,
    entity: &str,
    record_id: &str,
    action: &str,
    version: i64,
    changes: &serde_json::Map<String, serde_json::Value>,
) -> Result<()> {
    let changes = serde_json::to_string(changes).unwrap_or_else(|_| "{}".into());
    record_json(tx, at, actor, entity, record_id, action, version, &changes)
}

/// [`record`] with the changes already as JSON text (bulk writers build it directly).
#[allow(clippy::too_many_arguments)]
pub(crate) fn record_json(
    tx: &Transaction<'_>,
    at: &str,
    actor: &Actor,
    entity: &str,
    record_id: &str,
    action: &str,
    version: i64,
    changes: &str,
) -> Result<()> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO change_log (at, actor_id, actor_name, entity, record_id, action, version, changes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    stmt.execute(params![
        at, actor.id, actor.name, entity, record_id, action, version, changes
    ])?;
    Ok(())
}

impl Store {
    /// The history of one record, oldest first.
    pub fn history(&self, entity: &str, record_id: &str) -> Result<Vec<ChangeEntry>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {CHANGE_SQL} FROM change_log WHERE entity = ?1 AND record_id = ?2 ORDER BY seq"
        ))?;
        let rows = stmt.query_map([entity, record_id], rows::change)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// The newest change's sequence number: a cheap "has anything changed?" for screens.
    pub fn last_change_seq(&self) -> Result<i64> {
        Ok(self
            .conn()
            .query_row("SELECT coalesce(max(seq), 0) FROM change_log", [], |r| {
                r.get(0)
            })?)
    }

    /// How many change-log rows there are (all records).
    pub fn change_count(&self) -> Result<i64> {
        Ok(self
            .conn()
            .query_row("SELECT count(*) FROM change_log", [], |r| r.get(0))?)
    }
}
