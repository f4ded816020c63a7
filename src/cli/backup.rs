//! `ctv backup [FILE]`: a manual snapshot beside the database, or a copy to FILE.

use std::path::PathBuf;

use clap::Args;

use super::{CliError, Ctx};
use crate::store::SnapshotReason;
use crate::words::trf;

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// Write the copy to this new file (default: a snapshot in the snapshots folder)
    pub file: Option<PathBuf>,
}

pub fn run(ctx: &Ctx, a: BackupArgs) -> Result<(), CliError> {
    let l = ctx.lang;
    // Opening first refuses a damaged, foreign or newer file with the usual message.
    let store = ctx.open_without_daily()?;
    if a.file.is_some() {
        store.check_may_backup_to_file()?;
    }
    let (path, f, c) = match a.file {
        Some(dest) if crate::shared::is_setgid() => {
            drop(store);
            let info = backup_as_user(ctx, &dest)?;
            (dest, info.facilities, info.consultations)
        }
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

/// The setgid program of a shared server: the copy is made in the group's snapshots folder,
/// then written into FILE opened with the user's own rights (so FILE can never be a file
/// only the group may write, such as the database).
fn backup_as_user(
    ctx: &Ctx,
    dest: &std::path::Path,
) -> Result<crate::store::DatabaseInfo, CliError> {
    use crate::shared::user_file;
    let io = |p: &std::path::Path, e| CliError::Io(p.display().to_string(), e);
    let mut out = user_file::create_new(dest).map_err(|e| io(dest, e))?;
    let dir = crate::store::snapshots_dir(&ctx.db_path);
    let tmp = dir.join(format!(".backup-{}.tmp", std::process::id()));
    let result = (|| {
        let info = crate::store::backup_to(&ctx.db_path, &tmp)?;
        let mut src = std::fs::File::open(&tmp).map_err(|e| io(&tmp, e))?;
        std::io::copy(&mut src, &mut out).map_err(|e| io(dest, e))?;
        out.sync_all().map_err(|e| io(dest, e))?;
        Ok(info)
    })();
    let _ = std::fs::remove_file(&tmp);
    if result.is_err() {
        if let Ok(_rights) = crate::shared::UserRights::enter() {
            let _ = std::fs::remove_file(dest);
        }
    }
    result
}
