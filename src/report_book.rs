//! The report's workbook (`ctv report --format xlsx`, the report screen's export): sheet 1
//! the totals (each figure, its total, areas or communes), sheet 2 the records behind them —
//! one row per record and figure it counts in, so a total is the sum of its rows (a filter
//! or SUMIF in Excel traces it back).

use std::path::Path;

use rust_xlsxwriter::{Workbook, XlsxError};

use crate::bundle::workbook::{self, Formats};
use crate::store::report::{Report, ReportScope};
use crate::store::{Store, StoreError};
use crate::words::report::{codes_text, commune_heading, entity_text, metric_label, report_table};
use crate::words::{tr, Lang};

/// Why the workbook could not be written.
#[derive(Debug, thiserror::Error)]
pub enum BookError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Xlsx(#[from] XlsxError),
}

fn value(
    ws: &mut rust_xlsxwriter::Worksheet,
    f: &Formats,
    r: u32,
    c: u16,
    money: bool,
    v: i64,
) -> Result<(), XlsxError> {
    // Counts and VND amounts stay far below 2^53: f64 holds them exactly.
    if money {
        ws.write_number_with_format(r, c, v as f64, &f.money)?;
    } else {
        ws.write_number(r, c, v as f64)?;
    }
    Ok(())
}

/// Writes the report of `scope` to `path` (with the user's own rights). Returns the number of
/// record rows (sheet 2 and the sheets after it).
pub fn write_report_xlsx(
    store: &Store,
    l: Lang,
    report: &Report,
    scope: &ReportScope,
    path: &Path,
) -> Result<usize, BookError> {
    let f = workbook::formats();
    let mut wb = Workbook::new();
    let table = report_table(l, report);
    {
        let ws = wb.add_worksheet();
        ws.set_name(tr(l, "report.sheet.totals"))?;
        let heads: Vec<(&str, f64)> = table
            .headings
            .iter()
            .enumerate()
            .map(|(i, h)| (h.as_str(), if i == 0 { 48.0 } else { 18.0 }))
            .collect();
        workbook::header(ws, &f, &heads)?;
        for (i, line) in table.lines.iter().enumerate() {
            let r = (i + 1) as u32;
            workbook::text(ws, r, 0, &line.label)?;
            for (c, v) in line.values.iter().enumerate() {
                value(ws, &f, r, (c + 1) as u16, line.money, *v)?;
            }
        }
    }
    // Sheet 2 and, past Excel's row limit, sheets 3, 4 … of the same columns.
    let first = wb.worksheets().len();
    let mut sheet = 0usize;
    add_records_sheet(&mut wb, &f, l, sheet)?;
    let mut r = 0u32;
    let mut rows = 0usize;
    let mut failed: Option<XlsxError> = None;
    store.report_records(&report.period, scope, |row| {
        let breakdown = codes_text(l, &row.codes);
        let commune = commune_heading(&row.commune);
        for (metric, v) in &row.counts {
            let mut put = || -> Result<(), XlsxError> {
                if r + 1 >= MAX_ROWS {
                    sheet += 1;
                    add_records_sheet(&mut wb, &f, l, sheet)?;
                    r = 0;
                }
                r += 1;
                let ws = wb.worksheet_from_index(first + sheet)?;
                workbook::text(ws, r, 0, metric_label(l, *metric))?;
                workbook::text(ws, r, 1, &breakdown)?;
                value(ws, &f, r, 2, metric.is_money(), *v)?;
                workbook::text(ws, r, 3, &row.id)?;
                workbook::text(ws, r, 4, entity_text(l, row.entity))?;
                workbook::text(ws, r, 5, &commune)?;
                workbook::date(ws, &f, r, 6, &row.date)
            };
            match put() {
                Ok(()) => rows += 1,
                Err(e) => {
                    failed.get_or_insert(e);
                }
            }
        }
        Ok(())
    })?;
    if let Some(e) = failed {
        return Err(e.into());
    }
    // Saved to memory, then written with the user's own rights (a shared server).
    let bytes = wb.save_to_buffer()?;
    crate::shared::user_file::write(path, &bytes).map_err(XlsxError::IoError)?;
    Ok(rows)
}

/// Excel's rows per sheet.
const MAX_ROWS: u32 = 1_048_576;

/// A records sheet (`n` = 0 for the first, «Hồ sơ»; then «Hồ sơ (2)» …) with its header.
fn add_records_sheet(wb: &mut Workbook, f: &Formats, l: Lang, n: usize) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet_with_constant_memory()?;
    let name = tr(l, "report.sheet.records");
    if n == 0 {
        ws.set_name(name)?;
    } else {
        ws.set_name(format!("{name} ({})", n + 1))?;
    }
    let cols = [
        ("report.col.figure", 36.0),
        ("report.col.breakdown", 40.0),
        ("report.col.value", 14.0),
        ("report.col.record", 38.0),
        ("report.col.kind", 16.0),
        ("report.col.commune", 24.0),
        ("report.col.date", 12.0),
    ];
    let heads: Vec<(&str, f64)> = cols.iter().map(|(k, w)| (tr(l, k), *w)).collect();
    workbook::header(ws, f, &heads)
}
