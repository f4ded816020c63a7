//! `ctv facilities import FILE [--skip-invalid] [--dry-run]`: all rows or none, every bad row
//! reported with its line, field and reason; duplicate suspects reported, never merged.

use std::path::PathBuf;

use super::{CliError, Ctx};
use crate::import;
use crate::words::problems::describe_facility;
use crate::words::suspect_text;
use crate::words::trf;

pub fn run(ctx: &Ctx, file: PathBuf, skip_invalid: bool, dry_run: bool) -> Result<(), CliError> {
    let l = ctx.lang;
    let mut store = ctx.open()?;
    store.require_profile()?;
    let table = import::read_table(&file)
        .map_err(|e| CliError::Message(import_error_text(l, &file, &e)))?;
    let prepared = import::prepare(&store, &table)
        .map_err(|e| CliError::Message(import_error_text(l, &file, &e)))?;

    if !prepared.ignored_columns.is_empty() {
        eprintln!(
            "{}",
            trf(
                l,
                "cli.import.ignored_columns",
                &[&prepared.ignored_columns.join(", ")]
            )
        );
    }
    for (line, _, errors) in &prepared.invalid {
        for e in errors {
            eprintln!(
                "{}",
                trf(
                    l,
                    "cli.import.row_error",
                    &[line, &describe_facility(l, e.field, &e.problem)]
                )
            );
        }
    }
    for row in &prepared.valid {
        for w in &row.warnings {
            eprintln!(
                "{}",
                trf(
                    l,
                    "cli.import.row_warning",
                    &[&row.line, &describe_facility(l, w.field, &w.problem)]
                )
            );
        }
        for s in &row.suspects {
            eprintln!(
                "{}",
                trf(
                    l,
                    "cli.import.row_suspect",
                    &[&row.line, &suspect_text(l, s)]
                )
            );
        }
    }
    let n_bad = prepared.invalid.len();
    let n_good = prepared.valid.len();
    let n_dup = prepared
        .valid
        .iter()
        .filter(|r| !r.suspects.is_empty())
        .count();
    if n_bad > 0 && !skip_invalid {
        eprintln!(
            "{}",
            trf(l, "cli.import.refused", &[&n_bad, &(n_bad + n_good)])
        );
        return Err(CliError::Reported);
    }
    if dry_run {
        println!(
            "{}",
            trf(l, "cli.import.dry_run", &[&n_good, &n_bad, &n_dup])
        );
        return Ok(());
    }
    // The way back if the import was the wrong file: taken before anything is written.
    if let Some(s) = store.snapshot(crate::store::SnapshotReason::BeforeImport)? {
        eprintln!(
            "{}",
            trf(l, "cli.backup.before_import", &[&s.path.display()])
        );
    }
    if n_bad > 0 {
        let rejects = import::rejects_path(&file);
        import::write_rejects(&rejects, &table, &prepared)
            .map_err(|e| CliError::Message(import_error_text(l, &rejects, &e)))?;
        eprintln!(
            "{}",
            trf(
                l,
                "cli.import.rejects_written",
                &[&n_bad, &rejects.display()]
            )
        );
    }
    let rows: Vec<_> = prepared.valid.iter().map(|r| r.data.clone()).collect();
    let out = store.import_facilities(&rows)?;
    println!("{}", trf(l, "cli.import.done", &[&out.inserted, &n_dup]));
    Ok(())
}

fn import_error_text(
    l: crate::words::Lang,
    file: &std::path::Path,
    e: &import::ImportError,
) -> String {
    trf(
        l,
        "cli.import.file_error",
        &[&file.display(), &e.to_string()],
    )
}
