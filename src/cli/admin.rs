//! `ctv admin`: set up a shared provincial server and map Unix accounts to profiles
//! (docs/shared-server.md).
//!
//! A shared server is a Linux machine (setgid, groups, Unix accounts): elsewhere every
//! `ctv admin` command says so and does nothing, and the rest of this module is unused.
#![cfg_attr(not(unix), allow(dead_code))]

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use super::{CliError, Ctx};
use crate::domain::ProfileInput;
use crate::shared::{self, SystemConfig};
use crate::store::Store;
use crate::words::format::role_key;
use crate::words::{tr, trf, Lang};

#[derive(Debug, Subcommand)]
pub enum AdminCmd {
    /// (root) Create the `ctv` group, the data directory and the shared database in DIR
    SetupShared(SetupArgs),
    /// Accounts of the shared database: add, list, disable, enable
    #[command(subcommand)]
    User(UserCmd),
}

#[derive(Debug, Args)]
pub struct SetupArgs {
    /// The data directory (e.g. /srv/ctv): closed to everyone but the group
    pub dir: PathBuf,
    /// Install this program setgid at PATH (e.g. /usr/local/bin/ctv): the only way in
    #[arg(long, value_name = "PATH")]
    pub install: Option<PathBuf>,
    /// The group that owns the data (default: ctv)
    #[arg(long, default_value = shared::GROUP)]
    pub group: String,
    /// Where to write the system configuration (default: beside the installed program's
    /// prefix, e.g. /usr/local/etc/ctv/shared.toml, else /etc/ctv/shared.toml)
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum UserCmd {
    /// Map a Unix account to a new collaborator profile
    Add(UserAddArgs),
    /// The accounts and their profiles
    List,
    /// Refuse an account from now on (its records keep their author)
    Disable { account: String },
    /// Let a disabled account in again
    Enable { account: String },
    /// Remove an account from CTV: its profile is archived (disabled, no longer mapped to
    /// the account), its records and history kept
    Remove { account: String },
}

#[derive(Debug, Args)]
pub struct UserAddArgs {
    pub account: String,
    /// Full name
    #[arg(long)]
    pub name: String,
    /// commune, area or province
    #[arg(long)]
    pub role: String,
    /// 2025 commune code(s), pre-2025 district code(s) for an area, or a province code
    #[arg(long, value_name = "CODE[,CODE…]")]
    pub unit: String,
}

#[cfg(not(unix))]
pub fn run(ctx: &Ctx, _c: AdminCmd) -> Result<(), CliError> {
    Err(CliError::Message(
        tr(ctx.lang, "cli.admin.unix_only").to_string(),
    ))
}

#[cfg(unix)]
pub fn run(ctx: &Ctx, c: AdminCmd) -> Result<(), CliError> {
    match c {
        AdminCmd::SetupShared(a) => setup_shared(ctx.lang, a),
        AdminCmd::User(u) => user(ctx, u),
    }
}

fn user(ctx: &Ctx, c: UserCmd) -> Result<(), CliError> {
    let l = ctx.lang;
    let mut store = ctx.open_to_read()?;
    match c {
        UserCmd::Add(a) => {
            let input = ProfileInput {
                name: a.name,
                role: a.role,
                units: a.unit,
                account: Some(a.account.clone()),
            };
            if store.collaborator_by_account(&a.account)?.is_some() {
                return Err(CliError::Message(trf(
                    l,
                    "cli.admin.account_exists",
                    &[&crate::text::sanitize(&a.account)],
                )));
            }
            let p = store.add_collaborator(&input)?;
            println!(
                "{}",
                trf(
                    l,
                    "cli.admin.user_added",
                    &[
                        &crate::text::sanitize(&a.account),
                        &p.name,
                        &tr(l, role_key(p.role)),
                        &p.scope_label()
                    ]
                )
            );
        }
        UserCmd::List => {
            store.check_admin()?;
            let rows: Vec<Vec<String>> = store
                .collaborators()?
                .into_iter()
                .filter(|p| p.account.is_some())
                .map(|p| {
                    vec![
                        crate::text::sanitize(p.account.as_deref().unwrap_or_default()),
                        crate::text::sanitize(&p.name),
                        tr(l, role_key(p.role)).to_string(),
                        crate::text::sanitize(&p.scope_label()),
                        tr(
                            l,
                            if p.active {
                                "cli.admin.active"
                            } else {
                                "cli.admin.disabled"
                            },
                        )
                        .to_string(),
                    ]
                })
                .collect();
            let headers = [
                tr(l, "cli.admin.h.account"),
                tr(l, "cli.admin.h.name"),
                tr(l, "cli.admin.h.role"),
                tr(l, "cli.admin.h.scope"),
                tr(l, "cli.admin.h.state"),
            ];
            let mut out = std::io::stdout().lock();
            super::output::table(&mut out, &headers, &rows, 40)
                .map_err(|e| CliError::Io("stdout".into(), e))?;
        }
        UserCmd::Disable { account } => set_active(l, &mut store, &account, false)?,
        UserCmd::Enable { account } => set_active(l, &mut store, &account, true)?,
        UserCmd::Remove { account } => {
            let p = store.remove_account(&account)?;
            println!(
                "{}",
                trf(
                    l,
                    "cli.admin.user_removed",
                    &[
                        &crate::text::sanitize(&account),
                        &crate::text::sanitize(&p.name)
                    ]
                )
            );
        }
    }
    Ok(())
}

fn set_active(l: Lang, store: &mut Store, account: &str, active: bool) -> Result<(), CliError> {
    let p = store.set_account_active(account, active)?;
    let key = if active {
        "cli.admin.enabled_done"
    } else {
        "cli.admin.disabled_done"
    };
    println!(
        "{}",
        trf(l, key, &[&crate::text::sanitize(account), &p.name])
    );
    Ok(())
}

/// Creates the group, the data directory (root:GROUP 2770) and the database in it (0660),
/// marks the database shared, optionally installs the program setgid, and writes the
/// system configuration. Safe to run again.
fn setup_shared(l: Lang, a: SetupArgs) -> Result<(), CliError> {
    if !shared::is_root() {
        return Err(CliError::Message(tr(l, "cli.admin.need_root").to_string()));
    }
    let gid = match shared::group_id(&a.group) {
        Some(g) => g,
        None => {
            run_tool("groupadd", &["--system", &a.group])?;
            shared::group_id(&a.group)
                .ok_or_else(|| CliError::Message(trf(l, "cli.admin.no_group", &[&a.group])))?
        }
    };
    let dir = &a.dir;
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    own(dir, gid, 0o2770)?;
    let snapshots = dir.join("snapshots");
    std::fs::create_dir_all(&snapshots).map_err(io(&snapshots))?;
    own(&snapshots, gid, 0o2770)?;
    let db = dir.join("ctv.db");
    {
        let mut store = Store::open(&db)?;
        if !store.is_shared() {
            store.mark_shared()?;
        }
    }
    // The writer queue's lock file too: `mark_shared` above created it with the new
    // database's private mode, and every account must be able to take its turn.
    for suffix in ["", "-wal", "-shm", "-lock"] {
        let mut p = db.clone().into_os_string();
        p.push(suffix);
        let p = PathBuf::from(p);
        if p.exists() {
            own(&p, gid, 0o660)?;
        }
    }
    let config = match (&a.config, &a.install) {
        (Some(c), _) => c.clone(),
        (None, Some(bin)) => bin
            .parent()
            .and_then(Path::parent)
            .map(|prefix| prefix.join("etc/ctv/shared.toml"))
            .unwrap_or_else(|| PathBuf::from(shared::SYSTEM_CONFIG)),
        (None, None) => PathBuf::from(shared::SYSTEM_CONFIG),
    };
    let db_abs = std::fs::canonicalize(&db).map_err(io(&db))?;
    shared::write_system_config(&config, &SystemConfig { db: db_abs.clone() })
        .map_err(io(&config))?;
    if let Some(bin) = &a.install {
        let me = std::env::current_exe().map_err(|e| CliError::Io("ctv".into(), e))?;
        if let Some(parent) = bin.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        // Copy beside, then rename: a running copy of the old program is never truncated.
        let tmp = bin.with_extension("ctv-new");
        std::fs::copy(&me, &tmp).map_err(io(&tmp))?;
        own(&tmp, gid, 0o2755)?;
        std::fs::rename(&tmp, bin).map_err(io(bin))?;
        println!(
            "{}",
            trf(l, "cli.admin.installed", &[&bin.display(), &a.group])
        );
    }
    println!(
        "{}",
        trf(
            l,
            "cli.admin.setup_done",
            &[&db_abs.display(), &a.group, &config.display()]
        )
    );
    Ok(())
}

fn io(p: &Path) -> impl FnOnce(std::io::Error) -> CliError + '_ {
    move |e| CliError::Io(p.display().to_string(), e)
}

/// root:gid and the mode, set after the chown (which clears the setgid bit).
fn own(p: &Path, gid: u32, mode: u32) -> Result<(), CliError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::os::unix::fs::chown(p, Some(0), Some(gid)).map_err(io(p))?;
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).map_err(io(p))?;
    }
    #[cfg(not(unix))]
    let _ = (p, gid, mode);
    Ok(())
}

fn run_tool(cmd: &str, args: &[&str]) -> Result<(), CliError> {
    let st = std::process::Command::new(cmd)
        .args(args)
        .status()
        .map_err(|e| CliError::Io(cmd.into(), e))?;
    if st.success() {
        Ok(())
    } else {
        Err(CliError::Message(format!("{cmd} {}: {st}", args.join(" "))))
    }
}
