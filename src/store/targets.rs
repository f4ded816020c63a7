//! The province's yearly targets (migration 017): set by the province, read everywhere,
//! carried to communes in receipts (`Receipt.targets`) and taken over there.

use rusqlite::{params, OptionalExtension, Transaction};

use super::{change_log, Actor, Result, Store};
use crate::domain::report::{Target, TargetKey};

fn key_of(code: &str) -> rusqlite::Result<TargetKey> {
    TargetKey::parse(code).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            1,
            rusqlite::types::Type::Text,
            format!("unknown target {code}").into(),
        )
    })
}

/// Sets one target inside the caller's transaction (nothing when it already holds `value`),
/// with its change-log row. Returns whether it changed.
fn set_in(tx: &Transaction<'_>, now: &str, actor: &Actor, t: &Target) -> Result<bool> {
    let old: Option<(i64, i64)> = tx
        .query_row(
            "SELECT value, version FROM targets WHERE year = ?1 AND key = ?2",
            params![t.year, t.key.code()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if old.is_some_and(|(v, _)| v == t.value) {
        return Ok(false);
    }
    let version = old.map_or(1, |(_, v)| v + 1);
    tx.execute(
        "INSERT INTO targets (year, key, value, updated_at, updated_by, version)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (year, key) DO UPDATE SET value = excluded.value,
            updated_at = excluded.updated_at, updated_by = excluded.updated_by,
            version = excluded.version",
        params![t.year, t.key.code(), t.value, now, actor.id, version],
    )?;
    let mut changes = serde_json::Map::new();
    changes.insert(
        "value".into(),
        serde_json::json!([old.map(|(v, _)| v), t.value]),
    );
    let id = format!("{}/{}", t.year, t.key.code());
    let action = if old.is_some() { "update" } else { "create" };
    change_log::record(tx, now, actor, "target", &id, action, version, &changes)?;
    Ok(true)
}

/// A commune takes over the province's targets from a receipt, inside the receipt's
/// transaction. Returns how many changed.
pub fn take_targets_in(
    tx: &Transaction<'_>,
    now: &str,
    province: &Actor,
    targets: &[Target],
) -> Result<usize> {
    let mut changed = 0;
    for t in targets {
        changed += usize::from(set_in(tx, now, province, t)?);
    }
    Ok(changed)
}

impl Store {
    /// The province sets a target (anyone else is refused: `ProvinceOnly`).
    pub fn set_target(&mut self, t: &Target) -> Result<bool> {
        self.own_province()?;
        let actor = self.actor()?;
        let now = self.now_string();
        self.write(|tx| set_in(tx, &now, &actor, t))
    }

    /// The targets held here (of one year, or all), by year and key.
    pub fn targets(&self, year: Option<i32>) -> Result<Vec<Target>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT year, key, value FROM targets WHERE ?1 IS NULL OR year = ?1
             ORDER BY year, key",
        )?;
        let rows = stmt.query_map([year], |r| {
            Ok(Target {
                year: r.get(0)?,
                key: key_of(&r.get::<_, String>(1)?)?,
                value: r.get(2)?,
            })
        })?;
        let mut v: Vec<Target> = rows.collect::<rusqlite::Result<_>>()?;
        v.sort_by_key(|t| (t.year, t.key));
        Ok(v)
    }

    /// The province's targets, for a receipt (None from anyone but the province, or when it
    /// has set none).
    pub fn targets_for_receipt(&self) -> Result<Option<Vec<Target>>> {
        if self.own_province().is_err() {
            return Ok(None);
        }
        let t = self.targets(None)?;
        Ok((!t.is_empty()).then_some(t))
    }
}
