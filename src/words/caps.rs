//! Support caps worded for people: a refused table's problems, each naming its line, and a
//! cap's origin.

use super::{tr, trf, Lang};
use crate::domain::caps::{CapIssue, CapProblem};

/// The header a person sees for a cap column key.
pub fn cap_column_label(l: Lang, column: &str) -> &'static str {
    match column {
        "province_code" => tr(l, "caps.col.province_code"),
        "category" => tr(l, "caps.col.category"),
        "funding" => tr(l, "caps.col.funding"),
        "effective_from" => tr(l, "caps.col.effective_from"),
        "effective_to" => tr(l, "caps.col.effective_to"),
        "percent" => tr(l, "caps.col.percent"),
        "max_vnd" => tr(l, "caps.col.max_vnd"),
        _ => tr(l, "caps.col.source"),
    }
}

/// «dòng 4: …», or «tệp: …» for a problem of the whole file.
pub fn cap_issue_text(l: Lang, issue: &CapIssue) -> String {
    let col = |c: &str| cap_column_label(l, c);
    let what = match &issue.problem {
        CapProblem::MissingColumn { column } => trf(l, "caps.p.missing_column", &[&col(column)]),
        CapProblem::NoRows => tr(l, "caps.p.no_rows").to_string(),
        CapProblem::Required { column } => trf(l, "caps.p.required", &[&col(column)]),
        CapProblem::UnknownProvince { code } => trf(l, "caps.p.unknown_province", &[code]),
        CapProblem::OtherProvince { code, own } => trf(l, "caps.p.other_province", &[code, own]),
        CapProblem::NationalRow => tr(l, "caps.p.national_row").to_string(),
        CapProblem::UnknownCategory { code } => trf(l, "caps.p.unknown_category", &[code]),
        CapProblem::UnknownFunding { value } => trf(l, "caps.p.unknown_funding", &[value]),
        CapProblem::BadDate { column, value } => trf(l, "caps.p.bad_date", &[value, &col(column)]),
        CapProblem::FromAfterTo { from, to } => trf(l, "caps.p.from_after_to", &[from, to]),
        CapProblem::BadPercent { value } => trf(l, "caps.p.bad_percent", &[value]),
        CapProblem::BadMoney { value } => trf(l, "caps.p.bad_money", &[value]),
        CapProblem::NoLimit => tr(l, "caps.p.no_limit").to_string(),
        CapProblem::Overlap { other_line } => trf(l, "caps.p.overlap", &[other_line]),
    };
    let what = crate::text::sanitize(&what);
    match issue.line {
        0 => trf(l, "caps.file", &[&what]),
        n => trf(l, "caps.line", &[&n, &what]),
    }
}
