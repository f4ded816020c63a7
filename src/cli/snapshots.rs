//! `ctv snapshots`: the snapshots beside the database, newest first, with their counts.

use super::{output, CliError, Ctx};
use crate::words::format::reason_label;
use crate::words::{tr, trf};

pub fn run(ctx: &Ctx) -> Result<(), CliError> {
    let l = ctx.lang;
    // On a shared server only an account with a profile (or root) may look.
    if crate::shared::is_setgid() && !crate::shared::is_root() {
        ctx.open_to_read()?;
    }
    let dir = crate::store::snapshots_dir(&ctx.db_path);
    let snaps = crate::store::list_snapshots(&ctx.db_path)?;
    if snaps.is_empty() {
        println!("{}", trf(l, "cli.snapshots.none", &[&dir.display()]));
        return Ok(());
    }
    println!("{}", trf(l, "cli.snapshots.dir", &[&dir.display()]));
    let rows: Vec<Vec<String>> = snaps
        .iter()
        .map(|s| {
            vec![
                s.at.format("%d/%m/%Y %H:%M:%S").to_string(),
                reason_label(l, s.reason).to_string(),
                crate::words::format::group_thousands(s.facilities),
                crate::words::format::group_thousands(s.consultations),
                crate::words::format::megabytes(s.bytes),
                s.file_name(),
            ]
        })
        .collect();
    let headers = [
        tr(l, "cli.snapshots.col.at"),
        tr(l, "cli.snapshots.col.reason"),
        tr(l, "cli.snapshots.col.facilities"),
        tr(l, "cli.snapshots.col.consultations"),
        tr(l, "cli.snapshots.col.size"),
        tr(l, "cli.snapshots.col.file"),
    ];
    let mut out = std::io::stdout().lock();
    output::table(&mut out, &headers, &rows, 80).map_err(|e| CliError::Io("stdout".into(), e))?;
    let cap = crate::store::snapshot_cap_of(&ctx.db_path);
    println!("{}", crate::words::format::snapshot_usage(l, &snaps, cap));
    println!("{}", tr(l, "cli.snapshots.cap_hint"));
    println!("{}", tr(l, "cli.snapshots.hint"));
    Ok(())
}
