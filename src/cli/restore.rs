//! `ctv restore FILE`: check FILE, keep the current database as a snapshot, then replace it
//! (written beside, fsynced, renamed).

use std::path::PathBuf;

use clap::Args;

use super::{CliError, Ctx};
use crate::store::StoreError;
use crate::words::trf;

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup to restore: a snapshot (see `ctv snapshots`) or a file made by `ctv backup`
    pub file: PathBuf,
}

pub fn run(ctx: &Ctx, a: RestoreArgs) -> Result<(), CliError> {
    let l = ctx.lang;
    // A shared server's database is restored by its administrator only; the setgid program
    // must not read a user's file into the group's database either.
    if crate::shared::is_setgid() && !crate::shared::is_root() {
        return Err(CliError::Message(
            crate::words::tr(l, "cli.shared.restore_admin").to_string(),
        ));
    }
    // The source is checked on its own first, so that its faults are named as its own.
    crate::store::verify_database(&a.file).map_err(|e| match e {
        StoreError::NotADatabase(p) | StoreError::Damaged(p) => {
            CliError::Message(trf(l, "cli.dbrestore.bad_source", &[&p.display()]))
        }
        e => e.into(),
    })?;
    if let Some(dir) = ctx.db_path.parent() {
        let is_default = crate::store::default_db_path().as_deref() == Some(ctx.db_path.as_path());
        if is_default && !dir.exists() {
            crate::store::create_private_dir(dir)
                .map_err(|e| CliError::Io(dir.display().to_string(), e))?;
        }
    }
    let now = crate::clock::Clock::now(&crate::clock::SystemClock);
    let out = crate::store::restore(&ctx.db_path, &a.file, now)?;
    println!(
        "{}",
        trf(
            l,
            "cli.dbrestore.done",
            &[
                &a.file.display(),
                &out.restored.facilities,
                &out.restored.consultations,
                &out.restored.schema
            ]
        )
    );
    if let Some(kept) = out.kept {
        println!("{}", trf(l, "cli.dbrestore.kept", &[&kept.display()]));
    }
    Ok(())
}
