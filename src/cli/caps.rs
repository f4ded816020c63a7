//! `ctv caps import FILE` (province): load the province's table of support caps, checked
//! whole before anything changes; `ctv caps list [--format …]`: the table in force, with
//! its source.

use std::path::PathBuf;

use clap::Subcommand;

use super::output::{self, Format};
use super::{CliError, Ctx};
use crate::domain::caps::{check_rows, rows_from_table, Owner, SupportCap};
use crate::domain::consultation::dmy;
use crate::domain::money::format_vnd;
use crate::words::caps::{cap_column_label, cap_issue_text};
use crate::words::{tr, trf, Lang};

#[derive(Debug, Subcommand)]
pub enum CapsCmd {
    /// Load the province's table of caps from a CSV or XLSX file (replaces the table in force)
    Import {
        /// The table: CSV (UTF-8, `,` or `;`) or XLSX, Vietnamese or code headers
        file: PathBuf,
    },
    /// The caps in force, with their sources
    List {
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
}

pub fn run(ctx: &Ctx, cmd: CapsCmd) -> Result<(), CliError> {
    match cmd {
        CapsCmd::Import { file } => import(ctx, file),
        CapsCmd::List { format } => list(ctx, format),
    }
}

fn import(ctx: &Ctx, file: PathBuf) -> Result<(), CliError> {
    let l = ctx.lang;
    let mut store = ctx.open()?;
    // Refused before the file is even read: only the province loads a table.
    let own = store.own_province()?;
    let table = crate::import::read_table(&file).map_err(|e| {
        CliError::Message(trf(
            l,
            "cli.import.file_error",
            &[&file.display(), &e.to_string()],
        ))
    })?;
    let checked = rows_from_table(&table.headers, &table.rows, &own)
        .and_then(|rows| check_rows(&rows, Owner::Province(&own)));
    let caps = match checked {
        Ok(caps) => caps,
        Err(issues) => {
            for i in &issues {
                eprintln!("{}", cap_issue_text(l, i));
            }
            eprintln!("{}", trf(l, "cli.caps.refused", &[&issues.len()]));
            return Err(CliError::Reported);
        }
    };
    let name = file
        .file_name()
        .map(|n| crate::text::ingest(&n.to_string_lossy()))
        .unwrap_or_default();
    let done = store.import_support_caps(&caps, &name)?;
    println!(
        "{}",
        trf(
            l,
            "cli.caps.imported",
            &[&done.rows, &own, &done.replaced_rows]
        )
    );
    Ok(())
}

/// One cap as the cells of the listing.
fn cells(c: &SupportCap, money: impl Fn(i64) -> String) -> Vec<String> {
    vec![
        c.province_code.clone().unwrap_or_else(|| "*".into()),
        c.category.clone(),
        crate::domain::FundingSource::parse(&c.funding)
            .map_or_else(|| c.funding.clone(), |f| f.short().to_string()),
        dmy(c.effective_from),
        c.effective_to.map(dmy).unwrap_or_default(),
        c.percent.map(|p| p.to_string()).unwrap_or_default(),
        c.max_vnd.map(&money).unwrap_or_default(),
        c.source.clone(),
    ]
}

fn headers(l: Lang) -> Vec<&'static str> {
    [
        "province_code",
        "category",
        "funding",
        "effective_from",
        "effective_to",
        "percent",
        "max_vnd",
        "source",
    ]
    .into_iter()
    .map(|c| cap_column_label(l, c))
    .collect()
}

fn list(ctx: &Ctx, format: Format) -> Result<(), CliError> {
    let l = ctx.lang;
    let store = ctx.open_to_read()?;
    store.require_profile()?;
    let tables = store.cap_tables()?;
    let national = crate::domain::caps::shipped_caps().all();
    let io = |e| CliError::Io("stdout".into(), e);
    let mut out = std::io::stdout().lock();
    if format == Format::Json {
        let value = serde_json::json!({ "tables": tables, "national": national });
        return output::json(&mut out, &value).map_err(io);
    }
    // Plain integers for a spreadsheet or a script, Vietnamese grouping for people.
    let money = |m: i64| match format {
        Format::Table => format_vnd(m),
        _ => m.to_string(),
    };
    let rows: Vec<Vec<String>> = tables
        .iter()
        .flat_map(|t| t.rows.iter())
        .chain(national)
        .map(|c| cells(c, money))
        .collect();
    let h = headers(l);
    match format {
        Format::Csv => output::csv_for_excel(&mut out, &h, &rows).map_err(io),
        Format::Tsv => output::tsv(&mut out, &h, &rows).map_err(io),
        _ => {
            if tables.is_empty() && national.is_empty() {
                println!("{}", tr(l, "cli.caps.none"));
                return Ok(());
            }
            for t in &tables {
                let origin = match t.origin.as_str() {
                    "import" => trf(l, "caps.origin.import", &[&t.file_name]),
                    _ => tr(l, "caps.origin.receipt").to_string(),
                };
                println!(
                    "{}",
                    crate::text::sanitize(&trf(
                        l,
                        "cli.caps.table",
                        &[
                            &t.province_code,
                            &origin,
                            &crate::words::format::local_time(&t.loaded_at),
                            &t.loaded_by
                        ]
                    ))
                );
            }
            output::table(&mut out, &h, &rows, 60).map_err(io)
        }
    }
}
