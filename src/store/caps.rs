//! Support caps in the database (migration 013): the table in force per province, loaded
//! whole by the province (`ctv caps import`) or received with a receipt at a commune. A new
//! table replaces the old one in one transaction; the old one stays (its `replaced_at` set)
//! as the history, and the change log names who loaded which.

use chrono::NaiveDate;
use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;

use super::{change_log, Actor, Result, Store, StoreError};
use crate::domain::caps::{shipped_caps, SupportCap, SupportCaps};
use crate::domain::collaborator::Role;
use crate::domain::consultation::iso;

/// Where a table in force came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CapTable {
    pub province_code: String,
    /// `import` or `receipt`.
    pub origin: String,
    pub file_name: String,
    pub loaded_at: String,
    pub loaded_by: String,
    pub rows: Vec<SupportCap>,
}

/// What an import replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CapsLoaded {
    pub rows: usize,
    /// Rows of the table it replaced (0: none).
    pub replaced_rows: usize,
}

fn date(s: Option<String>) -> rusqlite::Result<Option<NaiveDate>> {
    s.map(|s| {
        NaiveDate::parse_from_str(&s, "%Y-%m-%d").map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
        })
    })
    .transpose()
}

fn rows_of(conn: &rusqlite::Connection, table_id: i64) -> Result<Vec<SupportCap>> {
    let mut stmt = conn.prepare_cached(
        "SELECT province_code, category, funding, effective_from, effective_to, percent, max_vnd,
            source FROM support_caps WHERE table_id = ?1 ORDER BY line",
    )?;
    let rows = stmt.query_map([table_id], |r| {
        Ok(SupportCap {
            province_code: Some(r.get(0)?),
            category: r.get(1)?,
            funding: r.get(2)?,
            effective_from: date(Some(r.get(3)?))?.unwrap_or_default(),
            effective_to: date(r.get(4)?)?,
            percent: r.get::<_, Option<i64>>(5)?.map(|p| p.clamp(0, 100) as u32),
            max_vnd: r.get(6)?,
            source: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The id and rows of the table in force for a province.
fn in_force(conn: &rusqlite::Connection, province: &str) -> Result<Option<(i64, Vec<SupportCap>)>> {
    let id: Option<i64> = conn
        .query_row(
            "SELECT id FROM support_cap_tables WHERE province_code = ?1 AND replaced_at IS NULL",
            [province],
            |r| r.get(0),
        )
        .optional()?;
    id.map(|id| Ok((id, rows_of(conn, id)?))).transpose()
}

/// Replaces the province's table in force by `caps`, inside the caller's transaction: the old
/// one is marked replaced (kept as history), the new one inserted, and a change-log row says
/// who loaded what. Returns the rows of the table replaced.
fn replace_in(
    tx: &Transaction<'_>,
    now: &str,
    actor: &Actor,
    province: &str,
    origin: &str,
    file_name: &str,
    caps: &[SupportCap],
) -> Result<usize> {
    let old = in_force(tx, province)?;
    if let Some((id, _)) = &old {
        tx.execute(
            "UPDATE support_cap_tables SET replaced_at = ?2 WHERE id = ?1",
            params![id, now],
        )?;
    }
    tx.execute(
        "INSERT INTO support_cap_tables (province_code, origin, file_name, loaded_at, loaded_by,
            loaded_by_name) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![province, origin, file_name, now, actor.id, actor.name],
    )?;
    let table_id = tx.last_insert_rowid();
    let mut stmt = tx.prepare_cached(
        "INSERT INTO support_caps (table_id, line, province_code, category, funding,
            effective_from, effective_to, percent, max_vnd, source)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for (i, c) in caps.iter().enumerate() {
        stmt.execute(params![
            table_id,
            i as i64 + 1,
            province,
            c.category,
            c.funding,
            iso(c.effective_from),
            c.effective_to.map(iso),
            c.percent.map(i64::from),
            c.max_vnd,
            c.source,
        ])?;
    }
    let old_rows = old.as_ref().map_or(0, |(_, r)| r.len());
    let mut changes = serde_json::Map::new();
    changes.insert(
        "table".into(),
        serde_json::json!([old.as_ref().map(|(id, _)| id), table_id]),
    );
    changes.insert("rows".into(), serde_json::json!([old_rows, caps.len()]));
    if !file_name.is_empty() {
        changes.insert("file".into(), serde_json::json!([null, file_name]));
    }
    change_log::record(
        tx,
        now,
        actor,
        "support_caps",
        province,
        origin,
        table_id,
        &changes,
    )?;
    Ok(old_rows)
}

/// A commune takes the province's table from a receipt, inside the receipt's transaction;
/// nothing changes when it is the table already in force. Returns whether it changed.
pub fn take_caps_in(
    tx: &Transaction<'_>,
    now: &str,
    province_actor: &Actor,
    province: &str,
    caps: &[SupportCap],
) -> Result<bool> {
    if in_force(tx, province)?.is_some_and(|(_, rows)| rows == caps) {
        return Ok(false);
    }
    replace_in(tx, now, province_actor, province, "receipt", "", caps)?;
    Ok(true)
}

impl Store {
    /// The province code of a province profile; anyone else is refused.
    pub fn own_province(&self) -> Result<String> {
        let p = self.require_profile()?;
        match (p.role, p.units.first()) {
            (Role::Province, Some(code)) => Ok(code.clone()),
            _ => Err(StoreError::ProvinceOnly),
        }
    }

    /// The province whose caps apply here: the profile's province (a commune's or an area's
    /// is its communes' province).
    pub fn caps_province(&self) -> Option<String> {
        let p = self.profile()?;
        match p.role {
            Role::Province => p.units.first().cloned(),
            Role::Commune | Role::Area => p
                .units
                .first()
                .and_then(|c| crate::refdata::units().commune(c))
                .map(|c| c.province_code.clone()),
        }
    }

    /// The province loads its own table (already checked whole by
    /// `domain::caps::check_rows`); it replaces the table in force in one transaction.
    pub fn import_support_caps(
        &mut self,
        caps: &[SupportCap],
        file_name: &str,
    ) -> Result<CapsLoaded> {
        let province = self.own_province()?;
        if caps
            .iter()
            .any(|c| c.province_code.as_deref() != Some(province.as_str()))
        {
            return Err(StoreError::ProvinceOnly);
        }
        let actor = self.actor()?;
        let now = self.now_string();
        let replaced_rows =
            self.write(|tx| replace_in(tx, &now, &actor, &province, "import", file_name, caps))?;
        Ok(CapsLoaded {
            rows: caps.len(),
            replaced_rows,
        })
    }

    /// Every table in force here (normally one: the province's own).
    pub fn cap_tables(&self) -> Result<Vec<CapTable>> {
        let mut stmt = self.conn().prepare(
            "SELECT id, province_code, origin, file_name, loaded_at, loaded_by_name
             FROM support_cap_tables WHERE replaced_at IS NULL ORDER BY province_code",
        )?;
        let heads = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    CapTable {
                        province_code: r.get(1)?,
                        origin: r.get(2)?,
                        file_name: r.get(3)?,
                        loaded_at: r.get(4)?,
                        loaded_by: r.get(5)?,
                        rows: Vec::new(),
                    },
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        heads
            .into_iter()
            .map(|(id, mut t)| {
                t.rows = rows_of(self.conn(), id)?;
                Ok(t)
            })
            .collect()
    }

    /// The caps that apply here: the tables in force and the shipped national rows.
    pub fn support_caps(&self) -> Result<SupportCaps> {
        let loaded: Vec<SupportCap> = self
            .cap_tables()?
            .into_iter()
            .flat_map(|t| t.rows)
            .collect();
        Ok(SupportCaps::new(loaded).with(shipped_caps().all()))
    }

    /// The province's own table in force, for a receipt (None elsewhere or when not loaded).
    pub fn caps_for_receipt(&self) -> Result<Option<CapTable>> {
        let Ok(province) = self.own_province() else {
            return Ok(None);
        };
        Ok(self
            .cap_tables()?
            .into_iter()
            .find(|t| t.province_code == province))
    }
}
