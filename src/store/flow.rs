//! The province's choice of flow (issue 15): whether an area officer reviews proposals
//! between the commune and the province. Kept in `settings`, set by the province (at
//! `ctv init` or later), carried in every receipt and stored at the sender when it is read.

use rusqlite::{Connection, OptionalExtension, Transaction};

use super::{change_log, Actor, Result, Store, StoreError};
use crate::domain::proposal::Flow;
use crate::domain::Role;

/// The setting's key; its value is `yes` or `no` (absent: no area review).
pub const AREA_REVIEW_SETTING: &str = "area_review";

/// The approval and implementation fields a decision sets, by their record names.
pub(crate) const DECISION_FIELDS: [&str; 9] = [
    "decision_no",
    "approved_support",
    "decision_date",
    "approved_funding",
    "batch",
    "start_date",
    "implementing_unit",
    "planned_end",
    "stop_reason",
];

/// Adds field → [old, new] to a change-log entry for each of `keys` that differs between
/// two serialized versions of a proposal.
pub(crate) fn diff_fields(
    old: &serde_json::Value,
    new: &serde_json::Value,
    keys: &[&str],
    changes: &mut serde_json::Map<String, serde_json::Value>,
) {
    for k in keys {
        let (o, n) = (old.get(*k), new.get(*k));
        if o != n {
            changes.insert((*k).into(), serde_json::json!([o, n]));
        }
    }
}

/// The flow as this database holds it.
pub(crate) fn flow_in(conn: &Connection) -> Result<Flow> {
    let v: Option<String> = conn
        .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
        .query_row([AREA_REVIEW_SETTING], |r| r.get(0))
        .optional()?;
    Ok(Flow {
        area_review: v.as_deref() == Some("yes"),
    })
}

/// Stores `flow` inside the caller's transaction (the province's own setting, or a
/// receipt's at the sender), with a change-log row when it changes.
pub fn set_flow_in(tx: &Transaction<'_>, flow: Flow, at: &str, actor: &Actor) -> Result<()> {
    let old = flow_in(tx)?;
    let value = if flow.area_review { "yes" } else { "no" };
    tx.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [AREA_REVIEW_SETTING, value],
    )?;
    if old != flow {
        let mut changes = serde_json::Map::new();
        changes.insert(
            AREA_REVIEW_SETTING.into(),
            serde_json::json!([old.area_review, flow.area_review]),
        );
        change_log::record(
            tx,
            at,
            actor,
            "setting",
            AREA_REVIEW_SETTING,
            "update",
            1,
            &changes,
        )?;
    }
    Ok(())
}

impl Store {
    /// The province's flow as known here (the province's own, or the last receipt's).
    pub fn flow(&self) -> Result<Flow> {
        flow_in(self.conn())
    }

    /// The province centre switches the area review on or off; anyone else is refused.
    pub fn set_area_review(&mut self, on: bool) -> Result<()> {
        let p = self.require_profile()?;
        if p.role != Role::Province {
            return Err(StoreError::FlowProvinceOnly);
        }
        let actor = Actor {
            id: p.id.clone(),
            name: p.name.clone(),
        };
        let now = self.now_string();
        self.write(|tx| set_flow_in(tx, Flow { area_review: on }, &now, &actor))
    }
}
