//! Collaborator profiles and the profile this installation works as.

use rusqlite::{params, OptionalExtension, Row};

use super::{change_log, new_id, Actor, Result, Store, StoreError};
use crate::domain::collaborator::{Profile, ProfileData, ProfileInput, Role};
use crate::domain::issue::Issues;
use crate::text::fold;

const CURRENT_PROFILE: &str = "current_profile";

fn profile_from_row(r: &Row<'_>) -> rusqlite::Result<Profile> {
    let role: String = r.get(2)?;
    let units: String = r.get(3)?;
    Ok(Profile {
        id: r.get(0)?,
        name: r.get(1)?,
        role: Role::parse(&role).unwrap_or(Role::Commune),
        units: serde_json::from_str(&units).unwrap_or_default(),
        account: r.get(4)?,
        active: r.get::<_, i64>(5)? != 0,
    })
}

const PROFILE_COLS: &str = "id, name, role, units, account, active";

impl Store {
    pub(super) fn load_current_profile(&self) -> Result<Option<Profile>> {
        let Some(id) = self.setting(CURRENT_PROFILE)? else {
            return Ok(None);
        };
        self.collaborator(&id)
    }

    pub fn collaborator(&self, id: &str) -> Result<Option<Profile>> {
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {PROFILE_COLS} FROM collaborators WHERE id = ?1"),
                [id],
                profile_from_row,
            )
            .optional()?)
    }

    pub fn collaborators(&self) -> Result<Vec<Profile>> {
        let mut stmt = self.conn().prepare(&format!(
            "SELECT {PROFILE_COLS} FROM collaborators ORDER BY name"
        ))?;
        let rows = stmt.query_map([], profile_from_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// `ctv init` and the first-run setup: validates, saves the profile and works as it.
    /// Refuses to replace an existing profile unless `replace` is set (then the old profile
    /// stays in the database, inactive, so its records keep their author).
    pub fn init_profile(&mut self, input: &ProfileInput, replace: bool) -> Result<Profile> {
        let data = input.validate().map_err(StoreError::Invalid)?;
        if self.profile.is_some() && !replace {
            return Err(StoreError::ProfileExists);
        }
        let previous = self.profile.as_ref().map(|p| p.id.clone());
        let id = new_id();
        let now = self.now_string();
        let profile = Profile {
            id: id.clone(),
            name: data.name.clone(),
            role: data.role,
            units: data.units.clone(),
            account: data.account.clone(),
            active: true,
        };
        let actor = Actor {
            id: id.clone(),
            name: data.name.clone(),
        };
        self.write(|tx| {
            insert_collaborator(tx, &id, &data, &now, &actor)?;
            if let Some(prev) = &previous {
                tx.execute(
                    "UPDATE collaborators SET active = 0, version = version + 1 WHERE id = ?1",
                    [prev],
                )?;
            }
            tx.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [CURRENT_PROFILE, &id],
            )?;
            Ok(())
        })?;
        self.profile = Some(profile.clone());
        Ok(profile)
    }

    /// Adds a collaborator without switching to it (a shared server's accounts).
    pub fn add_collaborator(&mut self, input: &ProfileInput) -> Result<Profile> {
        let data = input.validate().map_err(StoreError::Invalid)?;
        let actor = self.actor()?;
        let id = new_id();
        let now = self.now_string();
        self.write(|tx| insert_collaborator(tx, &id, &data, &now, &actor))?;
        self.collaborator(&id)?.ok_or(StoreError::NotFound(id))
    }
}

fn insert_collaborator(
    tx: &rusqlite::Transaction<'_>,
    id: &str,
    data: &ProfileData,
    now: &str,
    actor: &Actor,
) -> Result<()> {
    let units =
        serde_json::to_string(&data.units).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    tx.execute(
        "INSERT INTO collaborators (id, name, name_fold, role, units, account, active,
                                    created_at, created_by, updated_at, updated_by, version)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7, ?8, ?7, ?8, 1)",
        params![
            id,
            data.name,
            fold(&data.name),
            data.role.as_str(),
            units,
            data.account,
            now,
            actor.id
        ],
    )?;
    let mut changes = serde_json::Map::new();
    changes.insert("name".into(), serde_json::json!([null, data.name]));
    changes.insert("role".into(), serde_json::json!([null, data.role.as_str()]));
    changes.insert("units".into(), serde_json::json!([null, data.units]));
    change_log::record(tx, now, actor, "collaborator", id, "create", 1, &changes)
}

impl From<Issues> for StoreError {
    fn from(i: Issues) -> Self {
        StoreError::Invalid(i)
    }
}
