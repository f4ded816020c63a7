//! `ctv report --period P [--scope S] [--format table|xlsx|json] [--out FILE]`: the report of
//! a period and scope (`store::report`): figures with their total and, for a province, its
//! areas; by commune; the workbook adds the records behind each figure.

use std::path::PathBuf;

use clap::Args;

use super::output;
use super::{CliError, Ctx};
use crate::domain::report::Period;
use crate::words::report::{commune_lines, period_error_text, report_table, value_text};
use crate::words::{tr, trf, Lang};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Table,
    Xlsx,
    Json,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The period: 2026-Q4, 2026-H1, 2026 or 01/07/2026-31/12/2026
    #[arg(long)]
    pub period: String,
    /// Narrow the scope: a commune code, or an area officer (name or id)
    #[arg(long)]
    pub scope: Option<String>,
    /// table, xlsx (needs --out) or json
    #[arg(long, value_enum, default_value = "table")]
    pub format: ReportFormat,
    /// Write to this file instead of the screen
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// The period as typed, or its refusal in words.
pub fn period(l: Lang, text: &str) -> Result<Period, CliError> {
    Period::parse(text).map_err(|e| CliError::Message(period_error_text(l, &e)))
}

pub fn run(ctx: &Ctx, a: ReportArgs) -> Result<(), CliError> {
    let l = ctx.lang;
    let p = period(l, &a.period)?;
    let store = ctx.open_to_read()?;
    let scope = store.report_scope(a.scope.as_deref())?;
    let report = store.report(&p, &scope)?;
    let io = |e| CliError::Io("report".into(), e);
    let mut buf: Vec<u8> = Vec::new();
    match a.format {
        ReportFormat::Xlsx => {
            let path = a
                .out
                .ok_or_else(|| CliError::Message(tr(l, "report.xlsx_needs_out").into()))?;
            crate::report_book::write_report_xlsx(&store, l, &report, &scope, &path).map_err(
                |e| {
                    CliError::Io(
                        path.display().to_string(),
                        std::io::Error::other(e.to_string()),
                    )
                },
            )?;
            println!("{}", trf(l, "report.written", &[&p.text, &path.display()]));
            return Ok(());
        }
        ReportFormat::Json => output::json(&mut buf, &report).map_err(io)?,
        ReportFormat::Table => {
            let t = report_table(l, &report);
            let heads: Vec<&str> = t.headings.iter().map(String::as_str).collect();
            let rows: Vec<Vec<String>> = t
                .lines
                .iter()
                .map(|line| {
                    std::iter::once(line.label.clone())
                        .chain(line.values.iter().map(|v| value_text(line.money, *v)))
                        .collect()
                })
                .collect();
            use std::io::Write;
            let scope_label = store.profile().map(|p| p.scope_label()).unwrap_or_default();
            let what = a
                .scope
                .as_deref()
                .map_or(scope_label, crate::text::sanitize);
            writeln!(buf, "{}", trf(l, "report.title", &[&p.text, &what])).map_err(io)?;
            output::table(&mut buf, &heads, &rows, 60).map_err(io)?;
            let by = commune_lines(l, &report);
            if scope.communes.len() > 1 && !by.is_empty() {
                writeln!(buf, "\n{}", tr(l, "report.by_commune")).map_err(io)?;
                let rows: Vec<Vec<String>> = by.into_iter().map(Vec::from).collect();
                let heads = [
                    tr(l, "report.col.commune"),
                    tr(l, "report.col.figure"),
                    tr(l, "report.col.value"),
                ];
                output::table(&mut buf, &heads, &rows, 60).map_err(io)?;
            }
        }
    }
    if let (true, Some(path)) = (output::deliver(a.out.as_deref(), &buf)?, &a.out) {
        println!("{}", trf(l, "report.written", &[&p.text, &path.display()]));
    }
    Ok(())
}
