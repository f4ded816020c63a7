//! `ctv plan --year Y [--format table|csv|xlsx] [--out FILE]`: the draft annual plan, one row
//! per đề án, grouped by content (support category) and within it by implementing unit (the
//! centre, the facilities) with subtotals, totals per funding source and in all, then the
//! centre's activities of the year; under the table, the 20 June date and what is still
//! undecided (`words::plan` lays it out, for the plan screen too) — in the table and the
//! workbook; CSV carries the lines only, JSON the date and the days left as fields.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use clap::Args;

use super::output;
use super::{CliError, Ctx};
use crate::domain::money::format_vnd;
use crate::domain::plan::{days_left, deadline, Plan};
use crate::words::plan::{
    cells, deadline_text, headers, pending_lines, plan_lines, LineKind, PlanLine,
};
use crate::words::{tr, trf, Lang};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PlanFormat {
    Table,
    Csv,
    Xlsx,
    Json,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The plan year
    #[arg(long, value_parser = super::help::plan_year())]
    pub year: i32,
    /// table, csv (Excel, UTF-8 with BOM), xlsx (needs --out) or json
    #[arg(long, value_enum, default_value = "table")]
    pub format: PlanFormat,
    /// Write to this file instead of the screen
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Include drafts (by default: proposed and beyond, without withdrawn or refused ones)
    #[arg(long)]
    pub include_drafts: bool,
}

pub fn run(ctx: &Ctx, a: PlanArgs) -> Result<(), CliError> {
    let l = ctx.lang;
    let store = ctx.open_to_read()?;
    store.require_profile()?;
    let plan = store.annual_plan(a.year, a.include_drafts)?;
    let lines = plan_lines(l, &plan);
    let io = |what: String| move |e| CliError::Io(what.clone(), e);
    if a.format == PlanFormat::Xlsx {
        let path = a
            .out
            .ok_or_else(|| CliError::Message(tr(l, "cli.plan.xlsx_needs_out").into()))?;
        write_xlsx(l, &plan, &lines, store.today(), &path)
            .map_err(|e| CliError::Io(path.display().to_string(), std::io::Error::other(e)))?;
        println!(
            "{}",
            trf(l, "cli.plan.written", &[&path.display(), &plan.total.count])
        );
        return Ok(());
    }
    let mut buf: Vec<u8> = Vec::new();
    match a.format {
        PlanFormat::Json => {
            let today = store.today();
            let json = PlanJson {
                plan: &plan,
                deadline: deadline(plan.year).to_string(),
                days_left: days_left(plan.year, today),
            };
            serde_json::to_writer_pretty(&mut buf, &json)
                .map_err(|e| CliError::Io("plan".into(), e.into()))?;
            buf.push(b'\n');
        }
        PlanFormat::Csv => {
            // Plain integers: Excel reads them as numbers and formats them in its own locale.
            let rows: Vec<Vec<String>> =
                lines.iter().map(|x| cells(x, |m| m.to_string())).collect();
            output::csv_for_excel(&mut buf, &headers(l), &rows).map_err(io("plan".into()))?;
        }
        PlanFormat::Table | PlanFormat::Xlsx => {
            writeln!(buf, "{}", trf(l, "cli.plan.title", &[&plan.year]))
                .map_err(io("plan".into()))?;
            let rows: Vec<Vec<String>> = lines.iter().map(|x| cells(x, format_vnd)).collect();
            output::table(&mut buf, &headers(l), &rows, 40).map_err(io("plan".into()))?;
            // The 20 June date and what is still undecided, under the table.
            writeln!(buf).map_err(io("plan".into()))?;
            let (due, head, parts) = notes(l, &plan, store.today());
            writeln!(buf, "{due}").map_err(io("plan".into()))?;
            writeln!(buf, "{head}").map_err(io("plan".into()))?;
            for p in parts {
                writeln!(buf, "  - {p}").map_err(io("plan".into()))?;
            }
        }
    }
    if let (true, Some(path)) = (output::deliver(a.out.as_deref(), &buf)?, &a.out) {
        println!(
            "{}",
            trf(l, "cli.plan.written", &[&path.display(), &plan.total.count])
        );
    }
    Ok(())
}

/// The JSON output: the plan, and its due date (ISO) with the days left before it (negative
/// once passed) on the app's clock.
#[derive(serde::Serialize)]
struct PlanJson<'a> {
    #[serde(flatten)]
    plan: &'a Plan,
    deadline: String,
    days_left: i64,
}

/// What the table and the workbook carry under the plan (CSV stays lines only, for
/// machines): the 20 June line, the undecided heading (with a colon when a list follows) and
/// one «label: n» per status.
fn notes(l: Lang, plan: &Plan, today: NaiveDate) -> (String, String, Vec<String>) {
    let (head, parts) = pending_lines(l, plan);
    let head = if parts.is_empty() {
        head
    } else {
        format!("{head}:")
    };
    (deadline_text(l, plan.year, today), head, parts)
}

/// The VND number format. `#,##0` puts the *locale's* thousands separator between groups: a
/// Vietnamese Excel (or LibreOffice) shows 1.250.000.000 đ, an English one 1,250,000,000 đ. A
/// literal "." in the code would instead be read as a decimal point by Excel everywhere (and
/// scale the value), so the locale-aware form is the one that keeps real, summable numbers
/// and still reads the Vietnamese way on a Vietnamese machine.
pub const VND_FORMAT: &str = "#,##0 \"đ\"";

fn write_xlsx(
    l: Lang,
    plan: &Plan,
    lines: &[PlanLine],
    today: NaiveDate,
    path: &Path,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, FormatAlign, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(trf(l, "plan.sheet", &[&plan.year]))?;
    let head = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_background_color("#DDEBF7");
    let money = Format::new().set_num_format(VND_FORMAT);
    let bold = Format::new().set_bold();
    let bold_money = Format::new().set_bold().set_num_format(VND_FORMAT);
    let wrap = Format::new().set_text_wrap();
    for (c, h) in headers(l).iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &head)?;
    }
    // The header row stays in view while scrolling.
    ws.set_freeze_panes(1, 0)?;
    for (c, w) in [
        6.0, 32.0, 24.0, 9.0, 8.0, 44.0, 18.0, 18.0, 18.0, 18.0, 22.0, 18.0,
    ]
    .into_iter()
    .enumerate()
    {
        ws.set_column_width(c as u16, w)?;
    }
    for (i, line) in lines.iter().enumerate() {
        let r = (i + 1) as u32;
        let strong = !matches!(line.kind, LineKind::Item | LineKind::Activity);
        let text_cols: [u16; 8] = [0, 1, 2, 3, 4, 5, 10, 11];
        for (k, col) in text_cols.into_iter().enumerate() {
            let s = &line.texts[k];
            if s.is_empty() {
                continue;
            }
            // The row number is a number; everything else is text.
            match (col, line.kind, s.parse::<f64>()) {
                (0, LineKind::Item | LineKind::Activity, Ok(n)) => {
                    ws.write_number(r, 0, n)?;
                }
                _ if strong => {
                    ws.write_string_with_format(r, col, s, &bold)?;
                }
                _ => {
                    ws.write_string_with_format(r, col, s, &wrap)?;
                }
            }
        }
        for (k, v) in line.money.iter().enumerate() {
            let Some(v) = v else { continue };
            // VND amounts stay far below 2^53, so f64 holds them exactly.
            let f = if strong { &bold_money } else { &money };
            ws.write_number_with_format(r, 6 + k as u16, *v as f64, f)?;
        }
    }
    // Under the table, after a blank row: the 20 June line and what is still undecided, as
    // text (the list one column in, as the table indents it).
    let (due, head, parts) = notes(l, plan, today);
    let mut r = lines.len() as u32 + 2;
    ws.write_string_with_format(r, 0, due, &bold)?;
    r += 1;
    ws.write_string(r, 0, head)?;
    for p in parts {
        r += 1;
        ws.write_string(r, 1, p)?;
    }
    // Saved to memory, then written with the user's own rights (a shared server).
    let bytes = wb.save_to_buffer()?;
    crate::shared::user_file::write(path, &bytes).map_err(rust_xlsxwriter::XlsxError::IoError)?;
    Ok(())
}
