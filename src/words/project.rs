//! The đề án's records after approval in words: refusals (saying what the person can do),
//! the codes of acceptance results, payment kinds and result stages.

use crate::domain::consultation::{dmy, parse_date};
use crate::domain::issue::Problem;
use crate::domain::money::format_vnd;
use crate::domain::project::{
    field_label_key, AcceptanceResult, PaymentKind, ProjectKind, ProjectRefusal, ResultStage,
};
use crate::domain::proposal::ProposalStatus;
use crate::record::ProjectRecords;
use crate::text::sanitize;
use crate::words::format::{proposal_status_label, short_id};
use crate::words::problems::problem_text;
use crate::words::{tr, trf, Lang};

/// "kiểm tra, giám sát", "khoản chi" …
pub fn kind_label(l: Lang, k: ProjectKind) -> &'static str {
    tr(l, k.label_key())
}

/// A refusal of a đề án record, with what the person can do instead.
pub fn refusal_text(l: Lang, proposal_id: &str, r: &ProjectRefusal) -> String {
    let id = short_id(proposal_id);
    match r {
        ProjectRefusal::Stage { kind, status } => {
            use ProposalStatus as S;
            let hint = match (kind, status) {
                (_, S::KhongDuyet | S::Rut) => "project.hint.closed",
                (ProjectKind::Acceptance, S::PheDuyet) => "project.hint.start_first",
                (ProjectKind::Acceptance, S::Dung) => "project.hint.stopped",
                _ => "project.hint.not_yet",
            };
            format!(
                "{} {}",
                trf(
                    l,
                    "project.err.stage",
                    &[
                        &id,
                        &proposal_status_label(l, *status),
                        &kind_label(l, *kind)
                    ]
                ),
                tr(l, hint)
            )
        }
        ProjectRefusal::ProvinceOnly { kind } => {
            trf(l, "project.err.province_only", &[&kind_label(l, *kind)])
        }
        ProjectRefusal::NoApprovedSupport => trf(l, "project.err.no_approved", &[&id]),
        ProjectRefusal::OverPaid {
            paid,
            amount,
            approved,
        } => trf(
            l,
            "project.err.over_paid",
            &[
                &format_vnd(*paid),
                &format_vnd(*amount),
                &format_vnd(*approved),
                &format_vnd((approved - paid).max(0)),
            ],
        ),
        ProjectRefusal::NotABeneficiary { facility } => trf(
            l,
            "project.err.not_a_beneficiary",
            &[&sanitize(facility), &id],
        ),
        ProjectRefusal::OverShare {
            facility,
            paid,
            amount,
            share,
        } => trf(
            l,
            "project.err.over_share",
            &[
                &sanitize(facility),
                &format_vnd(*paid),
                &format_vnd(*amount),
                &format_vnd(*share),
                &format_vnd((share - paid).max(0)),
            ],
        ),
    }
}

/// "--amount (Số tiền): Bắt buộc": a command-line option and its problem.
pub fn option_problem(l: Lang, option: &str, field: &str, problem: &Problem) -> String {
    let label = field_label_key(field).map_or(field, |k| tr(l, k));
    trf(
        l,
        "cli.project.bad_option",
        &[&option, &label, &problem_text(l, problem)],
    )
}

/// The columns of a đề án's records as a list.
pub const RECORD_HEADERS: [&str; 5] = [
    "cli.project.h.kind",
    "cli.project.h.date",
    "cli.project.h.figure",
    "cli.project.h.detail",
    "cli.project.h.id",
];

/// `2027-03-05` as `05/03/2027` (stored dates are ISO; anything else is shown as it is).
fn day(iso: &str) -> String {
    parse_date(iso).map_or_else(|| iso.to_string(), dmy)
}

fn code_word<T: Copy>(
    l: Lang,
    code: &str,
    parse: fn(&str) -> Option<T>,
    key: fn(T) -> &'static str,
) -> String {
    parse(code).map_or_else(|| code.to_string(), |c| tr(l, key(c)).to_string())
}

/// One row per record (kind, date, the figure, what it says, short id), by kind then date.
pub fn record_rows(l: Lang, r: &ProjectRecords) -> Vec<Vec<String>> {
    let joined = |parts: &[&str]| {
        parts
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" — ")
    };
    let mut rows = Vec::new();
    let mut row = |kind: ProjectKind, date: &str, figure: String, detail: String, id: &str| {
        rows.push(vec![
            kind_label(l, kind).to_string(),
            day(date),
            figure,
            detail,
            short_id(id).to_string(),
        ]);
    };
    for a in &r.adjustments {
        let figure = [
            a.new_support.map(format_vnd).unwrap_or_default(),
            a.new_end.as_deref().map(day).unwrap_or_default(),
        ]
        .iter()
        .filter(|s| !s.is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
        row(
            ProjectKind::Adjustment,
            &a.date,
            figure,
            joined(&[&a.decision_no, &a.reason]),
            &a.id,
        );
    }
    for v in &r.visits {
        let figure = v.progress_pct.map(|p| format!("{p}%")).unwrap_or_default();
        let follow = match (&v.follow_up_date, v.follow_up_done) {
            (Some(d), false) => trf(l, "cli.project.follow_up", &[&day(d)]),
            _ => String::new(),
        };
        row(
            ProjectKind::Visit,
            &v.date,
            figure,
            joined(&[&v.visitor, &v.checked, &v.findings, &follow]),
            &v.id,
        );
    }
    for a in &r.acceptances {
        let result = code_word(
            l,
            &a.result,
            AcceptanceResult::parse,
            AcceptanceResult::label_key,
        );
        row(
            ProjectKind::Acceptance,
            &a.date,
            format_vnd(a.actual_total),
            joined(&[&result, &a.units, &a.notes]),
            &a.id,
        );
    }
    for p in &r.payments {
        let kind = code_word(l, &p.kind, PaymentKind::parse, PaymentKind::label_key);
        row(
            ProjectKind::Payment,
            &p.date,
            format_vnd(p.amount),
            joined(&[&kind, &p.doc_no, &p.notes]),
            &p.id,
        );
    }
    for x in &r.results {
        let stage = code_word(l, &x.stage, ResultStage::parse, ResultStage::label_key);
        let kind = if x.stage == ResultStage::DanhGia.code() {
            ProjectKind::Evaluation
        } else {
            ProjectKind::Result
        };
        let figure = x
            .jobs_created
            .map(|j| trf(l, "cli.project.jobs", &[&j]))
            .unwrap_or_default();
        row(
            kind,
            &x.date,
            figure,
            joined(&[&stage, &x.products, &x.equipment_in_use]),
            &x.id,
        );
    }
    rows
}

/// The agenda's visit follow-ups as rows: due, days late, facility, đề án, visit short id.
pub fn visit_due_rows(l: Lang, due: &[crate::domain::project::VisitDue]) -> Vec<Vec<String>> {
    due.iter()
        .map(|d| {
            let late = if d.days_late > 0 {
                trf(l, "cli.agenda.days_late", &[&d.days_late])
            } else {
                String::new()
            };
            vec![
                d.visit
                    .follow_up_date
                    .as_deref()
                    .map(day)
                    .unwrap_or_default(),
                late,
                d.facility_name.clone(),
                d.proposal_title.clone(),
                short_id(&d.visit.id).to_string(),
            ]
        })
        .collect()
}
