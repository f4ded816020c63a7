//! `ctv project adjust|visit|accept|pay|result|records|visit-done`: the đề án after
//! approval. ID is a proposal's id or the 8-character short id lists show.

use std::io::Write;

use clap::{Args, Subcommand};

use super::output::{self, Format};
use super::{CliError, Ctx};
use crate::domain::consultation::parse_date;
use crate::domain::money::format_vnd;
use crate::domain::project::{
    AcceptanceInput, AdjustmentInput, PaymentInput, ResultInput, VisitInput,
};
use crate::domain::proposal::Proposal;
use crate::record::ProjectRecords;
use crate::store::{Store, StoreError};
use crate::words::format::short_id;
use crate::words::project::{option_problem, record_rows, RECORD_HEADERS};
use crate::words::{tr, trf, Lang};

#[derive(Debug, Subcommand)]
pub enum ProjectCmd {
    /// Record an adjustment decision: a new approved support and/or a new end date (province)
    Adjust(Box<AdjustArgs>),
    /// Record a monitoring visit (kiểm tra, giám sát); its follow-up date goes on the agenda
    Visit(Box<VisitArgs>),
    /// Record the acceptance (nghiệm thu); a passed one completes the đề án (province)
    Accept(Box<AcceptArgs>),
    /// Record a payment: tạm ứng, thanh toán or quyết toán (province)
    Pay(Box<PayArgs>),
    /// Record results: at acceptance (province) or at a later evaluation
    Result(Box<ResultArgs>),
    /// Every record of a đề án, by kind and date
    Records {
        id: String,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Mark a visit's follow-up done (VISIT: its id or short id)
    VisitDone { visit: String },
    /// One đề án: approval, money approved / paid / remaining, expected vs actual, timeline
    Show(super::project_show::ShowArgs),
}

#[derive(Debug, Args)]
pub struct AdjustArgs {
    pub id: String,
    #[arg(long, default_value = "")]
    pub decision_no: String,
    /// Decision date, dd/mm/yyyy; default today
    #[arg(long, default_value = "")]
    pub date: String,
    /// The new approved support (300tr, 1 tỷ 250 triệu, 300.000.000)
    #[arg(long, default_value = "")]
    pub new_support: String,
    /// The new planned end, dd/mm/yyyy
    #[arg(long, default_value = "")]
    pub new_end: String,
    #[arg(long, default_value = "")]
    pub reason: String,
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct VisitArgs {
    pub id: String,
    /// dd/mm/yyyy; default today
    #[arg(long, default_value = "")]
    pub date: String,
    /// Who went; default your name
    #[arg(long)]
    pub by: Option<String>,
    /// What was checked
    #[arg(long, default_value = "")]
    pub checked: String,
    /// Progress in per cent, 0–100
    #[arg(long, default_value = "")]
    pub progress: String,
    #[arg(long, default_value = "")]
    pub findings: String,
    /// When to check again (dd/mm/yyyy, +7); goes on the agenda
    #[arg(long, default_value = "")]
    pub follow_up: String,
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct AcceptArgs {
    pub id: String,
    /// dd/mm/yyyy; default today
    #[arg(long, default_value = "")]
    pub date: String,
    /// The units taking part (Sở Công Thương, UBND xã, the facility …)
    #[arg(long, default_value = "")]
    pub units: String,
    /// dat | khong-dat | dat-co-dieu-kien (or "đạt", "không đạt", "đạt có điều kiện")
    #[arg(long, default_value = "")]
    pub result: String,
    /// Actual total cost = support + counterpart + other
    #[arg(long, default_value = "")]
    pub actual_total: String,
    #[arg(long, default_value = "")]
    pub actual_support: String,
    #[arg(long, default_value = "")]
    pub actual_counterpart: String,
    #[arg(long, default_value = "")]
    pub actual_other: String,
    #[arg(long, default_value = "")]
    pub notes: String,
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct PayArgs {
    pub id: String,
    /// The amount (30tr, 30.000.000)
    #[arg(long, default_value = "")]
    pub amount: String,
    /// tam-ung | thanh-toan | quyet-toan (or "tạm ứng" …)
    #[arg(long, default_value = "")]
    pub kind: String,
    /// dd/mm/yyyy; default today
    #[arg(long, default_value = "")]
    pub date: String,
    /// Document number (chứng từ)
    #[arg(long, default_value = "")]
    pub doc_no: String,
    #[arg(long, default_value = "")]
    pub notes: String,
    /// The beneficiary paid (a group đề án)
    #[arg(long, default_value = "")]
    pub facility: String,
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct ResultArgs {
    pub id: String,
    /// nghiem-thu (at acceptance) | danh-gia (a later evaluation)
    #[arg(long, default_value = "")]
    pub stage: String,
    /// dd/mm/yyyy; default today
    #[arg(long, default_value = "")]
    pub date: String,
    #[arg(long, default_value = "")]
    pub jobs: String,
    #[arg(long, default_value = "")]
    pub trained: String,
    #[arg(long, default_value = "")]
    pub revenue_before: String,
    #[arg(long, default_value = "")]
    pub revenue_after: String,
    #[arg(long, default_value = "")]
    pub products: String,
    #[arg(long, default_value = "")]
    pub equipment: String,
    #[arg(long, default_value = "")]
    pub notes: String,
    /// The beneficiary the results are for (a group đề án)
    #[arg(long, default_value = "")]
    pub facility: String,
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

/// The command-line option of a record field (where its name differs).
fn option_of(field: &str) -> &str {
    match field {
        "visitor" => "by",
        "progress_pct" => "progress",
        "follow_up_date" => "follow-up",
        "jobs_created" => "jobs",
        "workers_trained" => "trained",
        "equipment_in_use" => "equipment",
        other => other,
    }
}

/// A store call: a validation failure is worded option by option.
fn checked<T>(l: Lang, r: Result<T, StoreError>) -> Result<T, CliError> {
    r.map_err(|e| match &e {
        StoreError::Invalid(issues) => CliError::Message(
            issues
                .errors()
                .map(|i| {
                    option_problem(
                        l,
                        &option_of(i.field).replace('_', "-"),
                        i.field,
                        &i.problem,
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        _ => CliError::Store(e),
    })
}

fn io(e: std::io::Error) -> CliError {
    CliError::Io("stdout".into(), e)
}

/// Prints a new record: as JSON, or one line of words and the đề án's money after it.
fn added<T: serde::Serialize>(
    ctx: &Ctx,
    store: &Store,
    p: &Proposal,
    format: Format,
    record: &T,
    what: &str,
) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    if format == Format::Json {
        return output::json(&mut out, record).map_err(io);
    }
    let l = ctx.lang;
    let line = trf(
        l,
        "cli.project.added",
        &[
            &what,
            &short_id(&p.id),
            &crate::text::sanitize(&p.data.title),
        ],
    );
    writeln!(out, "{line}").map_err(io)?;
    if let Some(m) = store.project_money(&p.id)? {
        let approved = m
            .approved
            .map(format_vnd)
            .unwrap_or_else(|| tr(l, "cli.project.no_approved").to_string());
        let money = trf(l, "cli.project.money", &[&format_vnd(m.paid), &approved]);
        writeln!(out, "{money}").map_err(io)?;
    }
    Ok(())
}

/// Adds one record to the đề án `id` with `add`, then prints it (see [`added`]).
fn record<T: serde::Serialize>(
    ctx: &Ctx,
    id: &str,
    format: Format,
    what: &str,
    add: impl FnOnce(&mut Store, &str) -> Result<T, StoreError>,
) -> Result<(), CliError> {
    let mut store = ctx.open()?;
    let p = super::lookup::proposal(ctx.lang, &store, id)?;
    let r = checked(ctx.lang, add(&mut store, &p.id))?;
    added(ctx, &store, &p, format, &r, what)
}

pub fn run(ctx: &Ctx, cmd: ProjectCmd) -> Result<(), CliError> {
    let l = ctx.lang;
    match cmd {
        ProjectCmd::Adjust(a) => {
            let input = AdjustmentInput {
                decision_no: a.decision_no,
                date: a.date,
                new_support: a.new_support,
                new_end: a.new_end,
                reason: a.reason,
            };
            let what = tr(l, "project.kind.adjustment");
            record(ctx, &a.id, a.format, what, |s, id| {
                s.add_adjustment(id, &input)
            })
        }
        ProjectCmd::Visit(a) => {
            let what = tr(l, "project.kind.visit");
            let (pid, format) = (a.id.clone(), a.format);
            record(ctx, &pid, format, what, |s, id| {
                let visitor = match a.by {
                    Some(b) => b,
                    None => s.require_profile()?.name.clone(),
                };
                let input = VisitInput {
                    date: a.date,
                    visitor,
                    checked: a.checked,
                    progress_pct: a.progress,
                    findings: a.findings,
                    follow_up_date: a.follow_up,
                };
                s.add_visit(id, &input)
            })
        }
        ProjectCmd::Accept(a) => {
            let input = AcceptanceInput {
                date: a.date,
                units: a.units,
                result: a.result,
                actual_total: a.actual_total,
                actual_support: a.actual_support,
                actual_counterpart: a.actual_counterpart,
                actual_other: a.actual_other,
                notes: a.notes,
            };
            let what = tr(l, "project.kind.acceptance");
            record(ctx, &a.id, a.format, what, |s, id| {
                s.add_acceptance(id, &input)
            })
        }
        ProjectCmd::Pay(a) => {
            let input = PaymentInput {
                date: a.date,
                amount: a.amount,
                kind: a.kind,
                doc_no: a.doc_no,
                notes: a.notes,
                facility: a.facility,
            };
            let what = tr(l, "project.kind.payment");
            record(ctx, &a.id, a.format, what, |s, id| {
                s.add_payment(id, &input)
            })
        }
        ProjectCmd::Result(a) => {
            let input = ResultInput {
                stage: a.stage,
                date: a.date,
                jobs_created: a.jobs,
                workers_trained: a.trained,
                revenue_before: a.revenue_before,
                revenue_after: a.revenue_after,
                products: a.products,
                equipment_in_use: a.equipment,
                notes: a.notes,
                facility: a.facility,
            };
            let what = tr(l, "project.field.result");
            record(ctx, &a.id, a.format, what, |s, id| s.add_result(id, &input))
        }
        ProjectCmd::Records { id, format } => {
            let store = ctx.open_to_read()?;
            let p = super::lookup::proposal(ctx.lang, &store, &id)?;
            let records = store.project_records(&p.id)?;
            print_records(l, &records, format)
        }
        ProjectCmd::Show(a) => super::project_show::show(ctx, a),
        ProjectCmd::VisitDone { visit } => {
            let mut store = ctx.open()?;
            let (v, version) = store.visit_by_ref(&visit)?.ok_or_else(|| {
                CliError::Message(trf(l, "cli.project.visit_not_found", &[&visit]))
            })?;
            let v = store.close_visit_follow_up(&v.id, version)?;
            let due = v
                .follow_up_date
                .as_deref()
                .and_then(parse_date)
                .map(crate::domain::consultation::dmy)
                .unwrap_or_default();
            println!(
                "{}",
                trf(l, "cli.project.visit_done", &[&short_id(&v.id), &due])
            );
            Ok(())
        }
    }
}

fn print_records(l: Lang, records: &ProjectRecords, format: Format) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    if format == Format::Json {
        return output::json(&mut out, records).map_err(io);
    }
    let headers: Vec<&str> = RECORD_HEADERS.iter().map(|k| tr(l, k)).collect();
    let rows = record_rows(l, records);
    match format {
        Format::Table => output::table(&mut out, &headers, &rows, 60),
        other => output::delimited(&mut out, other, &headers, &rows),
    }
    .map_err(io)
}
