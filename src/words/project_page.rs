//! A đề án's page in words, for the terminal app and `ctv project show` alike: the header,
//! the money line, expected beside actual, and each timeline entry (a head line and details).
//! Texts from records are returned as stored; each front end sanitises what it prints.

use chrono::NaiveDate;

use super::format::{code_label, commune_label, proposal_status_label, CommuneForm};
use super::{tr, trf, Lang};
use crate::domain::money::format_vnd;
use crate::domain::proposal::Mover;
use crate::refdata::codes;
use crate::store::{Event, EventDetail, Outcome, ProjectMoney, ProjectPage, Stage};

/// `2026-03-15` → `15/03/2026` (anything else as it is).
pub fn iso_dmy(iso: &str) -> String {
    NaiveDate::parse_from_str(iso, "%Y-%m-%d")
        .map(|d| d.format("%d/%m/%Y").to_string())
        .unwrap_or_else(|_| iso.to_string())
}

pub fn stage_label(l: Lang, s: Stage) -> &'static str {
    tr(
        l,
        match s {
            Stage::Draft => "page.stage.draft",
            Stage::Proposed => "page.stage.proposed",
            Stage::UnderReview => "page.stage.under_review",
            Stage::Sent => "page.stage.sent",
            Stage::Returned => "page.stage.returned",
            Stage::Approved => "page.stage.approved",
            Stage::UnderWay => "page.stage.under_way",
            Stage::Overdue => "page.stage.overdue",
            Stage::AwaitingAcceptance => "page.stage.awaiting_acceptance",
            Stage::Accepted => "page.stage.accepted",
            Stage::Stopped => "page.stage.stopped",
            Stage::Refused => "page.stage.refused",
            Stage::Withdrawn => "page.stage.withdrawn",
        },
    )
}

/// A code of the project records (payment kind, acceptance result, results stage) in words.
fn code_word(l: Lang, code: &str) -> String {
    let key = match code {
        "TAM_UNG" => "page.code.tam_ung",
        "THANH_TOAN" => "page.code.thanh_toan",
        "QUYET_TOAN" => "page.code.quyet_toan",
        "DAT" => "page.code.dat",
        "KHONG_DAT" => "page.code.khong_dat",
        "DAT_CO_DIEU_KIEN" => "page.code.dat_co_dieu_kien",
        "NGHIEM_THU" => "page.code.nghiem_thu",
        "DANH_GIA" => "page.code.danh_gia",
        other => return other.to_string(),
    };
    tr(l, key).to_string()
}

fn opt_vnd(v: Option<i64>) -> String {
    v.map(format_vnd).unwrap_or_else(|| "—".into())
}

fn opt_num(v: Option<i64>) -> String {
    v.map(super::format::group_thousands)
        .unwrap_or_else(|| "—".into())
}

fn or_dash(s: &str) -> String {
    if s.trim().is_empty() {
        "—".into()
    } else {
        s.to_string()
    }
}

/// The header under the title: (label, value), empty values left out.
pub fn header_rows(l: Lang, page: &ProjectPage) -> Vec<(String, String)> {
    let p = &page.proposal;
    let a = &page.approval;
    let f = |k: &'static str| tr(l, k).to_string();
    let mut status = proposal_status_label(l, p.status);
    for (on, s) in [
        (page.overdue, Stage::Overdue),
        (page.awaiting_acceptance, Stage::AwaitingAcceptance),
    ] {
        if on {
            status = format!("{status} · {}", stage_label(l, s));
        }
    }
    let mut year = p.data.plan_year.to_string();
    if !a.batch.is_empty() {
        year = format!("{year} · {}", a.batch);
    }
    let mut rows = vec![
        (
            f("proposal.field.facility"),
            format!(
                "{} · {}",
                crate::words::group::facility_label(l, p),
                commune_label(&p.commune_code, CommuneForm::Name)
            ),
        ),
        (f("proposal.field.status"), status),
        (f("page.year_batch"), year),
        (
            f("proposal.field.category"),
            format!(
                "{} {} · {}",
                p.data.category,
                code_label(l, &codes().support_categories, Some(&p.data.category)),
                a.approved_funding.unwrap_or(p.data.funding).short()
            ),
        ),
    ];
    if let Some(no) = &p.decision_no {
        let mut d = trf(l, "page.decision", &[no]);
        if let Some(date) = &a.decision_date {
            d = trf(l, "page.decision_dated", &[&d, &iso_dmy(date)]);
        }
        rows.push((f("page.decision_label"), d));
    }
    let end = page.money.planned_end.as_deref().map(iso_dmy);
    if a.start_date.is_some() || end.is_some() {
        let mut text = trf(
            l,
            "page.implementation",
            &[
                &a.start_date.as_deref().map(iso_dmy).unwrap_or("…".into()),
                &end.unwrap_or("…".into()),
            ],
        );
        if !a.implementing_unit.is_empty() {
            text = format!("{text} · {}", a.implementing_unit);
        }
        rows.push((f("page.implementation_label"), text));
    }
    if !a.stop_reason.is_empty() {
        rows.push((f("page.stop_reason"), a.stop_reason.clone()));
    }
    rows
}

/// "Phê duyệt 180.000.000 đ · Đã chi 150.000.000 đ · Còn lại 30.000.000 đ", or what was
/// asked before approval.
pub fn money_line(l: Lang, m: &ProjectMoney, asked: i64) -> String {
    match (m.approved, m.remaining) {
        (Some(a), Some(r)) => trf(
            l,
            "page.money",
            &[&format_vnd(a), &format_vnd(m.paid), &format_vnd(r)],
        ),
        _ => trf(l, "page.money_asked", &[&format_vnd(asked)]),
    }
}

/// Expected beside actual: (label, expected, actual), "—" where there is none.
pub fn outcome_rows(l: Lang, o: &Outcome) -> Vec<(String, String, String)> {
    let f = |k: &'static str| tr(l, k).to_string();
    let revenue = match (o.revenue_before, o.revenue_after) {
        (None, None) => "—".to_string(),
        (b, a) => format!("{} → {}", opt_vnd(b), opt_vnd(a)),
    };
    let mut rows = vec![
        (
            f("proposal.field.total_cost"),
            format_vnd(o.asked_total),
            opt_vnd(o.actual_total),
        ),
        (
            f("proposal.field.support"),
            format_vnd(o.asked_support),
            opt_vnd(o.actual_support),
        ),
        (
            f("page.jobs"),
            opt_num(o.expected_jobs),
            opt_num(o.jobs_created),
        ),
        (
            f("page.products"),
            or_dash(&o.expected_products),
            or_dash(&o.products),
        ),
        (
            f("page.capacity"),
            or_dash(&o.expected_capacity),
            or_dash(&o.equipment_in_use),
        ),
        (f("page.trained"), "—".into(), opt_num(o.workers_trained)),
        (f("page.revenue"), "—".into(), revenue),
    ];
    if let Some(r) = &o.acceptance_result {
        rows.push((f("page.acceptance"), "—".into(), code_word(l, r)));
    }
    // A measure with neither a plan nor a result says nothing.
    rows.retain(|(_, e, a)| e != "—" || a != "—");
    rows
}

/// "20/11/2026 · Kiểm tra, giám sát · Trần Thị Bình".
pub fn event_head(l: Lang, e: &Event) -> String {
    let (kind, who) = match &e.detail {
        EventDetail::Status {
            from, to, mover, ..
        } => (
            match from {
                None => tr(l, "page.event.created").to_string(),
                Some(_) => trf(l, "page.event.status", &[&proposal_status_label(l, *to)]),
            },
            match mover {
                Mover::Person(_) => e.who.clone(),
                m => tr(l, m.label_key()).to_string(),
            },
        ),
        EventDetail::Adjustment { .. } => (tr(l, "page.event.adjustment").into(), e.who.clone()),
        EventDetail::Visit { .. } => (tr(l, "page.event.visit").into(), e.who.clone()),
        EventDetail::Acceptance { .. } => (tr(l, "page.event.acceptance").into(), e.who.clone()),
        EventDetail::Payment { payment_kind, .. } => (code_word(l, payment_kind), e.who.clone()),
        EventDetail::Result { stage, .. } => (
            trf(l, "page.event.result", &[&code_word(l, stage)]),
            e.who.clone(),
        ),
    };
    let mut head = format!("{} · {kind}", iso_dmy(&e.date));
    if !who.is_empty() {
        head = format!("{head} · {who}");
    }
    head
}

/// The entry's details, one line each (empty ones left out).
pub fn event_details(l: Lang, e: &Event) -> Vec<String> {
    let mut out = Vec::new();
    let mut push = |key: &'static str, v: &str| {
        if !v.trim().is_empty() {
            out.push(trf(l, key, &[&v]));
        }
    };
    match &e.detail {
        EventDetail::Status {
            from,
            reason,
            decision_no,
            approved_support,
            ..
        } => {
            if let Some(from) = from {
                push("page.detail.from", &proposal_status_label(l, *from));
            }
            if let Some(no) = decision_no {
                push("page.detail.decision", no);
            }
            if let Some(a) = approved_support {
                push("page.detail.approved", &format_vnd(*a));
            }
            push("page.detail.reason", reason);
        }
        EventDetail::Adjustment {
            decision_no,
            new_support,
            new_end,
            reason,
        } => {
            push("page.detail.decision", decision_no);
            if let Some(s) = new_support {
                push("page.detail.new_support", &format_vnd(*s));
            }
            if let Some(d) = new_end {
                push("page.detail.new_end", &iso_dmy(d));
            }
            push("page.detail.reason", reason);
        }
        EventDetail::Visit {
            checked,
            progress_pct,
            findings,
            follow_up_date,
        } => {
            push("page.detail.checked", checked);
            if let Some(p) = progress_pct {
                push("page.detail.progress", &p.to_string());
            }
            push("page.detail.findings", findings);
            if let Some(d) = follow_up_date {
                push("page.detail.follow_up", &iso_dmy(d));
            }
        }
        EventDetail::Acceptance {
            units,
            result,
            actual_total,
            actual_support,
            actual_counterpart,
            actual_other,
            notes,
        } => {
            push("page.detail.result", &code_word(l, result));
            push(
                "page.detail.actual",
                &trf(
                    l,
                    "page.detail.actual_parts",
                    &[
                        &format_vnd(*actual_total),
                        &format_vnd(*actual_support),
                        &format_vnd(*actual_counterpart),
                        &format_vnd(*actual_other),
                    ],
                ),
            );
            push("page.detail.units", units);
            push("page.detail.notes", notes);
        }
        EventDetail::Payment {
            amount,
            doc_no,
            notes,
            ..
        } => {
            push("page.detail.amount", &format_vnd(*amount));
            push("page.detail.doc", doc_no);
            push("page.detail.notes", notes);
        }
        EventDetail::Result {
            jobs_created,
            workers_trained,
            revenue_before,
            revenue_after,
            products,
            equipment_in_use,
            notes,
            ..
        } => {
            if let Some(j) = jobs_created {
                push("page.detail.jobs", &j.to_string());
            }
            if let Some(w) = workers_trained {
                push("page.detail.trained", &w.to_string());
            }
            if revenue_before.is_some() || revenue_after.is_some() {
                push(
                    "page.detail.revenue",
                    &format!("{} → {}", opt_vnd(*revenue_before), opt_vnd(*revenue_after)),
                );
            }
            push("page.detail.products", products);
            push("page.detail.equipment", equipment_in_use);
            push("page.detail.notes", notes);
        }
    }
    out
}
