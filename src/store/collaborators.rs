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

    /// The name of whoever a record's `updated_by`/`created_by` names: a profile's name, an
    /// administering account (`account:NAME`), or the id itself when neither is known.
    pub fn actor_name(&self, id: &str) -> String {
        if let Some(account) = id.strip_prefix("account:") {
            return account.to_string();
        }
        match self.collaborator(id) {
            Ok(Some(p)) => p.name,
            _ => id.to_string(),
        }
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
        // On a shared server profiles are the administrator's (`ctv admin user add`).
        if self.shared {
            return Err(StoreError::NotAdmin);
        }
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

    /// Adds a collaborator without switching to it (a shared server's accounts). On a shared
    /// database only an administrator may, and a province officer only within the province.
    pub fn add_collaborator(&mut self, input: &ProfileInput) -> Result<Profile> {
        let data = input.validate().map_err(StoreError::Invalid)?;
        if self.shared {
            self.check_admin()?;
            let account = data.account.as_deref().unwrap_or_default();
            self.check_may_administer(account, data.role)?;
            if let Some(p) = self.profile.clone() {
                let inside = match data.role {
                    Role::Province => data.units.iter().all(|u| p.units.contains(u)),
                    Role::Commune | Role::Area => data.units.iter().all(|c| p.covers_commune(c)),
                };
                if !inside {
                    let unit = data.units.first().cloned().unwrap_or_default();
                    return Err(StoreError::OutOfScope(unit));
                }
            }
        }
        let actor = self.actor()?;
        let id = new_id();
        let now = self.now_string();
        self.write(|tx| insert_collaborator(tx, &id, &data, &now, &actor))?;
        self.collaborator(&id)?.ok_or(StoreError::NotFound(id))
    }
}

impl Store {
    /// Marks this database as a shared server's (`ctv admin setup-shared`).
    pub fn mark_shared(&mut self) -> Result<()> {
        self.set_setting(super::SHARED_SETTING, "1")?;
        self.shared = true;
        if self.path().is_some() {
            crate::env::mark_shared_run();
        }
        self.profile = None;
        Ok(())
    }

    /// On a shared database: works as the profile of this Unix account. An account without a
    /// profile, or a disabled one, is refused.
    pub fn work_as_account(&mut self, account: &str) -> Result<&Profile> {
        let p = self
            .collaborator_by_account(account)?
            .ok_or_else(|| StoreError::NoAccountProfile(account.to_string()))?;
        if !p.active {
            return Err(StoreError::AccountDisabled(account.to_string()));
        }
        Ok(self.profile.insert(p))
    }

    /// On a shared database, works as whoever the kernel says runs this process: root is the
    /// administrator (with its own profile if the account `root` has one); anyone else
    /// must have an active profile for their account. Nothing to do elsewhere.
    pub fn bind_account(&mut self) -> Result<()> {
        if !self.shared {
            return Ok(());
        }
        let account = crate::shared::real_account()
            .ok_or_else(|| StoreError::NoAccountProfile(String::from("?")))?;
        if crate::shared::is_root() {
            self.work_as_admin(&account);
            if let Some(p) = self.collaborator_by_account(&account)?.filter(|p| p.active) {
                self.profile = Some(p);
            }
            return Ok(());
        }
        self.work_as_account(&account).map(drop)
    }

    /// Root administering a shared database: writes are attributed to the account name.
    pub fn work_as_admin(&mut self, account: &str) {
        self.admin = Some(Actor {
            id: format!("account:{account}"),
            name: account.to_string(),
        });
    }

    /// Root alone creates, changes, disables or removes the profile of root or of a province
    /// officer: a province officer must not demote root or another officer.
    fn check_may_administer(&self, account: &str, role: Role) -> Result<()> {
        // `admin` is set for root only (`bind_account`).
        let is_root = self.admin.is_some();
        if is_root || !self.shared {
            return Ok(());
        }
        if account == "root" || role == Role::Province {
            return Err(StoreError::RootOnly(account.to_string()));
        }
        Ok(())
    }

    /// Removes an account's profile (`ctv admin user remove`): the profile is archived —
    /// disabled and no longer mapped to the account — and its records and history keep it.
    pub fn remove_account(&mut self, account: &str) -> Result<Profile> {
        let p = self.administered_profile(account)?;
        let actor = self.actor()?;
        let now = self.now_string();
        let id = p.id.clone();
        self.write(|tx| {
            let version: i64 = tx.query_row(
                "UPDATE collaborators SET active = 0, account = NULL, version = version + 1,
                        updated_at = ?2, updated_by = ?3
                 WHERE id = ?1 RETURNING version",
                params![id, now, actor.id],
                |r| r.get(0),
            )?;
            let mut changes = serde_json::Map::new();
            changes.insert("account".into(), serde_json::json!([account, null]));
            changes.insert("active".into(), serde_json::json!([p.active, false]));
            change_log::record(
                tx,
                &now,
                &actor,
                "collaborator",
                &id,
                "remove",
                version,
                &changes,
            )
        })?;
        self.collaborator(&p.id)?.ok_or(StoreError::NotFound(p.id))
    }

    /// The profile of an account the current administrator may manage (remove, disable).
    fn administered_profile(&self, account: &str) -> Result<Profile> {
        self.check_admin()?;
        let p = self
            .collaborator_by_account(account)?
            .ok_or_else(|| StoreError::NoAccountProfile(account.to_string()))?;
        if let Some(me) = &self.profile {
            if me.role == Role::Province && !p.communes().iter().all(|c| me.covers_commune(c)) {
                return Err(StoreError::OutOfScope(
                    p.units.first().cloned().unwrap_or_default(),
                ));
            }
        }
        self.check_may_administer(account, p.role)?;
        Ok(p)
    }

    /// The administrator is root (see `work_as_admin`) or a province officer.
    pub fn check_admin(&self) -> Result<()> {
        match &self.profile {
            Some(p) if p.role == Role::Province => Ok(()),
            Some(_) => Err(StoreError::NotAdmin),
            None if self.admin.is_some() => Ok(()),
            None => Err(StoreError::NotAdmin),
        }
    }

    pub fn collaborator_by_account(&self, account: &str) -> Result<Option<Profile>> {
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {PROFILE_COLS} FROM collaborators WHERE account = ?1"),
                [account],
                profile_from_row,
            )
            .optional()?)
    }

    /// Disables (or enables again) an account's profile; its records keep their author.
    pub fn set_account_active(&mut self, account: &str, active: bool) -> Result<Profile> {
        let p = self.administered_profile(account)?;
        if p.active == active {
            return Ok(p);
        }
        let actor = self.actor()?;
        let now = self.now_string();
        let id = p.id.clone();
        self.write(|tx| {
            let version: i64 = tx.query_row(
                "UPDATE collaborators SET active = ?2, version = version + 1, updated_at = ?3,
                        updated_by = ?4
                 WHERE id = ?1 RETURNING version",
                params![id, active, now, actor.id],
                |r| r.get(0),
            )?;
            let mut changes = serde_json::Map::new();
            changes.insert("active".into(), serde_json::json!([p.active, active]));
            let action = if active { "enable" } else { "disable" };
            change_log::record(
                tx,
                &now,
                &actor,
                "collaborator",
                &id,
                action,
                version,
                &changes,
            )
        })?;
        self.collaborator(&p.id)?.ok_or(StoreError::NotFound(p.id))
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
