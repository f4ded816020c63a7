//! `ctv facilities import FILE [--skip-invalid] [--dry-run]`: all rows or none, every bad row
//! reported with its line, field and reason; duplicate suspects reported, never merged.

use std::path::PathBuf;

use super::{CliError, Ctx};
use crate::import;
use crate::words::problems::describe_facility;
use crate::words::problems::suspect_summary;
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
    }
    for (line, name, commune) in &prepared.unmatched_villages {
        let text = trf(
            l,
            "import.village.unmatched",
            &[
                name,
                &crate::words::format::commune_label(
                    commune,
                    crate::words::format::CommuneForm::FullNameCode,
                ),
            ],
        );
        eprintln!("{}", trf(l, "cli.import.row_warning", &[line, &text]));
    }
    let n_bad = prepared.invalid.len();
    let n_good = prepared.valid.len();
    let n_dup = report_suspects(l, &file, &prepared)?;
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
    // The raw cells and the suspects are no longer needed: freed before writing, so the
    // peak holds one copy of the rows, not three.
    drop(table);
    let (data, old_codes, villages) = prepared.into_import_parts();
    let out = store.import_facilities_linked(&data, &old_codes, &villages)?;
    println!("{}", trf(l, "cli.import.done", &[&out.inserted, &n_dup]));
    let linked = villages.iter().flatten().count();
    if linked > 0 {
        println!("{}", trf(l, "import.village.matched", &[&linked]));
    }
    Ok(())
}

/// Rows shown with their suspects; the rest are counted, and all are in the suspects file.
const SUSPECTS_SHOWN: usize = 20;

/// The duplicate suspects: a summary by reason, the first rows with their lines, and the
/// full list written beside the input (a list of a million rows would print a gigabyte).
/// Returns how many rows have suspects.
fn report_suspects(
    l: crate::words::Lang,
    file: &std::path::Path,
    prepared: &import::Prepared,
) -> Result<usize, CliError> {
    let counts = prepared.suspect_counts();
    if counts.rows == 0 {
        return Ok(0);
    }
    eprintln!("{}", suspect_summary(l, &counts));
    for row in prepared.rows_with_suspects().take(SUSPECTS_SHOWN) {
        let mut text = suspect_text(l, &row.suspects[0]);
        if row.suspects.len() > 1 {
            let others = trf(l, "cli.import.suspect_others", &[&(row.suspects.len() - 1)]);
            text = format!("{text} {others}");
        }
        eprintln!("{}", trf(l, "cli.import.row_suspect", &[&row.line, &text]));
    }
    if counts.rows > SUSPECTS_SHOWN {
        let more = counts.rows - SUSPECTS_SHOWN;
        eprintln!("{}", trf(l, "cli.import.suspect_more", &[&more]));
    }
    let path = import::suspects_path(file);
    import::write_suspects(&path, prepared, l)
        .map_err(|e| CliError::Message(import_error_text(l, &path, &e)))?;
    eprintln!(
        "{}",
        trf(l, "cli.import.suspects_written", &[&path.display()])
    );
    Ok(counts.rows)
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
