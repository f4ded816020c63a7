//! `ctv register [--year Y] [--format table|csv|xlsx|json] [--out FILE]`: the province
//! register of đề án, one row per proposal in scope with its approval, money, stage,
//! acceptance and results, and a totals row.

use std::path::{Path, PathBuf};

use clap::Args;

use super::output;
use super::{CliError, Ctx};
use crate::bundle::workbook::{self, Formats};
use crate::domain::consultation::dmy;
use crate::domain::money::format_vnd;
use crate::store::register::{RegisterRow, RegisterTotals};
use crate::words::format::{commune_label, proposal_status_label, short_id, CommuneForm};
use crate::words::{tr, trf, Lang};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RegisterFormat {
    Table,
    Csv,
    Xlsx,
    Json,
}

#[derive(Debug, Args)]
pub struct RegisterArgs {
    /// Only this plan year
    #[arg(long)]
    pub year: Option<i32>,
    /// table, csv (Excel, UTF-8 with BOM), xlsx (needs --out) or json
    #[arg(long, value_enum, default_value = "table")]
    pub format: RegisterFormat,
    /// Write to this file instead of the screen
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// One cell of the register, typed so each format writes it its own way.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(Option<i64>),
    Money(Option<i64>),
    /// ISO yyyy-mm-dd.
    Date(Option<String>),
}

/// The column headings' keys, in order, with their width in the workbook.
const COLUMNS: [(&str, f64); 22] = [
    ("plan.col.no", 6.0),
    ("register.col.id", 10.0),
    ("proposal.field.facility", 30.0),
    ("proposal.col.commune", 22.0),
    ("register.col.year", 7.0),
    ("proposal.col.category", 9.0),
    ("proposal.col.funding", 8.0),
    ("proposal.field.title", 36.0),
    ("register.col.asked", 16.0),
    ("register.col.approved", 16.0),
    ("register.col.decision_no", 14.0),
    ("register.col.decision_date", 12.0),
    ("register.col.batch", 8.0),
    ("register.col.stage", 16.0),
    ("register.col.start", 12.0),
    ("register.col.planned_end", 12.0),
    ("register.col.paid", 16.0),
    ("register.col.remaining", 16.0),
    ("register.col.acceptance", 14.0),
    ("register.col.acceptance_date", 12.0),
    ("register.col.jobs", 10.0),
    ("register.col.trained", 10.0),
];

pub fn headers(l: Lang) -> Vec<&'static str> {
    COLUMNS.iter().map(|(k, _)| tr(l, k)).collect()
}

/// The acceptance result as people read it.
fn acceptance_label(l: Lang, code: &str) -> String {
    match code {
        "DAT" => tr(l, "register.result.dat").to_string(),
        "KHONG_DAT" => tr(l, "register.result.khong_dat").to_string(),
        "DAT_CO_DIEU_KIEN" => tr(l, "register.result.co_dieu_kien").to_string(),
        other => other.to_string(),
    }
}

/// A đề án's cells, numbered `n`.
pub fn row_cells(l: Lang, n: usize, r: &RegisterRow) -> Vec<Cell> {
    let text = |s: &str| Cell::Text(s.to_string());
    vec![
        Cell::Number(Some(n as i64)),
        text(short_id(&r.id)),
        Cell::Text(if r.centre {
            tr(l, "proposal.centre").to_string()
        } else if r.group_size >= 2 {
            trf(l, "proposal.group_of", &[&r.group_size])
        } else {
            r.facility_name.clone()
        }),
        Cell::Text(commune_label(&r.commune_code, CommuneForm::FullName)),
        Cell::Number(Some(i64::from(r.plan_year))),
        text(&r.category),
        text(r.funding.short()),
        text(&r.title),
        Cell::Money(Some(r.asked_support)),
        Cell::Money(r.approved),
        text(r.decision_no.as_deref().unwrap_or("")),
        Cell::Date(r.decision_date.clone()),
        text(&r.batch),
        Cell::Text(proposal_status_label(l, r.status)),
        Cell::Date(r.start_date.clone()),
        Cell::Date(r.planned_end.clone()),
        Cell::Money(Some(r.paid)),
        Cell::Money(r.remaining),
        Cell::Text(
            r.acceptance_result
                .as_deref()
                .map(|c| acceptance_label(l, c))
                .unwrap_or_default(),
        ),
        Cell::Date(r.acceptance_date.clone()),
        Cell::Number(r.jobs_created),
        Cell::Number(r.workers_trained),
    ]
}

/// The totals row: its label in the facility column, the sums under their columns.
pub fn total_cells(l: Lang, t: &RegisterTotals) -> Vec<Cell> {
    let mut v: Vec<Cell> = COLUMNS.iter().map(|_| Cell::Text(String::new())).collect();
    v[2] = Cell::Text(trf(l, "register.total", &[&t.count]));
    v[8] = Cell::Money(Some(t.asked_support));
    v[9] = Cell::Money(Some(t.approved));
    v[16] = Cell::Money(Some(t.paid));
    v[17] = Cell::Money(Some(t.remaining));
    v[20] = Cell::Number(Some(t.jobs_created));
    v[21] = Cell::Number(Some(t.workers_trained));
    v
}

/// A cell as text: money by `money`, dates dd/mm/yyyy.
fn cell_text(c: &Cell, money: fn(i64) -> String) -> String {
    match c {
        Cell::Text(s) => s.clone(),
        Cell::Number(n) => n.map(|n| n.to_string()).unwrap_or_default(),
        Cell::Money(m) => m.map(money).unwrap_or_default(),
        Cell::Date(d) => d
            .as_deref()
            .map(|s| match crate::domain::consultation::parse_date(s) {
                Some(d) => dmy(d),
                None => s.to_string(),
            })
            .unwrap_or_default(),
    }
}

pub fn run(ctx: &Ctx, a: RegisterArgs) -> Result<(), CliError> {
    let l = ctx.lang;
    let store = ctx.open_to_read()?;
    store.require_profile()?;
    let rows = store.register(a.year)?;
    let totals = RegisterTotals::of(&rows);
    let mut lines: Vec<Vec<Cell>> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| row_cells(l, i + 1, r))
        .collect();
    lines.push(total_cells(l, &totals));
    let io = |what: String| move |e| CliError::Io(what.clone(), e);
    let mut buf: Vec<u8> = Vec::new();
    match a.format {
        RegisterFormat::Xlsx => {
            let path = a
                .out
                .ok_or_else(|| CliError::Message(tr(l, "cli.plan.xlsx_needs_out").into()))?;
            write_xlsx(l, &lines, &path)
                .map_err(|e| CliError::Io(path.display().to_string(), std::io::Error::other(e)))?;
            println!(
                "{}",
                trf(l, "cli.register.written", &[&path.display(), &totals.count])
            );
            return Ok(());
        }
        RegisterFormat::Json => {
            let value = serde_json::json!({ "rows": rows, "totals": totals });
            output::json(&mut buf, &value).map_err(io("register".into()))?;
        }
        RegisterFormat::Csv => {
            // Plain integers: Excel reads them as numbers in its own locale.
            let cells: Vec<Vec<String>> = lines
                .iter()
                .map(|r| r.iter().map(|c| cell_text(c, |m| m.to_string())).collect())
                .collect();
            output::csv_for_excel(&mut buf, &headers(l), &cells).map_err(io("register".into()))?;
        }
        RegisterFormat::Table => {
            let cells: Vec<Vec<String>> = lines
                .iter()
                .map(|r| r.iter().map(|c| cell_text(c, format_vnd)).collect())
                .collect();
            output::table(&mut buf, &headers(l), &cells, 30).map_err(io("register".into()))?;
        }
    }
    if let (true, Some(path)) = (output::deliver(a.out.as_deref(), &buf)?, &a.out) {
        println!(
            "{}",
            trf(l, "cli.register.written", &[&path.display(), &totals.count])
        );
    }
    Ok(())
}

fn write_cell(
    ws: &mut rust_xlsxwriter::Worksheet,
    f: &Formats,
    r: u32,
    c: u16,
    cell: &Cell,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    match cell {
        Cell::Text(s) => workbook::text(ws, r, c, s)?,
        // VND amounts and counts stay far below 2^53, so f64 holds them exactly.
        Cell::Number(Some(n)) => {
            ws.write_number(r, c, *n as f64)?;
        }
        Cell::Money(Some(m)) => {
            ws.write_number_with_format(r, c, *m as f64, &f.money)?;
        }
        Cell::Date(Some(d)) => workbook::date(ws, f, r, c, d)?,
        Cell::Number(None) | Cell::Money(None) | Cell::Date(None) => {}
    }
    Ok(())
}

fn write_xlsx(l: Lang, lines: &[Vec<Cell>], path: &Path) -> Result<(), rust_xlsxwriter::XlsxError> {
    let f = workbook::formats();
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(tr(l, "register.sheet"))?;
    let heads: Vec<(&str, f64)> = COLUMNS.iter().map(|(k, w)| (tr(l, k), *w)).collect();
    workbook::header(ws, &f, &heads)?;
    for (i, line) in lines.iter().enumerate() {
        for (c, cell) in line.iter().enumerate() {
            write_cell(ws, &f, (i + 1) as u32, c as u16, cell)?;
        }
    }
    // Saved to memory, then written with the user's own rights (a shared server).
    let bytes = wb.save_to_buffer()?;
    crate::shared::user_file::write(path, &bytes).map_err(rust_xlsxwriter::XlsxError::IoError)?;
    Ok(())
}
