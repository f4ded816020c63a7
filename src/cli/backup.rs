//! `ctv backup [FILE]`: a manual snapshot beside the database, or a copy to FILE.

use std::path::PathBuf;

use clap::Args;

use super::{CliError, Ctx};
use crate::store::SnapshotReason;
use crate::ui::i18n::trf;

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// Write the copy to this new file (default: a snapshot in the snapshots folder)
    pub file: Option<PathBuf>,
}

pub fn run(ctx: &Ctx, a: BackupArgs) -> Result<(), CliError> {
    let l = ctx.lang;
    // Opening first refuses a damaged, foreign or newer file with the usual message.
    let store = ctx.open_without_daily()?;
    let (path, f, c) = match a.file {
        Some(dest) => {
            drop(store);
            let info = crate::store::backup_to(&ctx.db_path, &dest)?;
            (dest, info.facilities, info.consultations)
        }
        None => match store.snapshot(SnapshotReason::Manual)? {
            Some(s) => (s.path, s.facilities, s.consultations),
            None => return Ok(()),
        },
    };
    println!("{}", trf(l, "cli.backup.done", &[&path.display(), &f, &c]));
    Ok(())
}
