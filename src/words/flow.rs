//! The province's flow and a proposal's approval and implementation, in words.

use super::{tr, trf, Lang};
use crate::domain::consultation::dmy;
use crate::domain::money::format_vnd;
use crate::domain::proposal::{Flow, Proposal};

/// «có (xã → khu vực rà soát → tỉnh)» / «không (xã → tỉnh)».
pub fn area_review_text(l: Lang, flow: Flow) -> String {
    let k = if flow.area_review {
        "flow.area_review.on"
    } else {
        "flow.area_review.off"
    };
    tr(l, k).to_string()
}

/// An ISO date as dd/mm/yyyy (as stored text, shown as is when it does not read).
fn date(iso: &Option<String>) -> String {
    iso.as_deref()
        .map(|s| {
            chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_or_else(|_| s.to_string(), dmy)
        })
        .unwrap_or_default()
}

/// The approval, start and stop of a proposal as (label, value) rows; empty values for what
/// has not happened (a list drops them).
pub fn approval_rows(l: Lang, p: &Proposal) -> Vec<(String, String)> {
    let label = |k: &'static str| tr(l, k).to_string();
    vec![
        (
            label("proposal.field.approved_support"),
            p.approved_support.map(format_vnd).unwrap_or_default(),
        ),
        (
            label("proposal.field.decision_date"),
            date(&p.decision_date),
        ),
        (
            label("proposal.field.approved_funding"),
            p.approved_funding
                .map(|f| f.short().to_string())
                .unwrap_or_default(),
        ),
        (label("proposal.field.batch"), p.batch.clone()),
        (label("proposal.field.start_date"), date(&p.start_date)),
        (
            label("proposal.field.implementing_unit"),
            p.implementing_unit.clone(),
        ),
        (label("proposal.field.planned_end"), date(&p.planned_end)),
        (label("proposal.field.stop_reason"), p.stop_reason.clone()),
    ]
}

/// «1 đề xuất bị tỉnh trả lại chưa sửa — sửa rồi đề xuất lại.», or nothing.
pub fn returned_unrevised_text(l: Lang, n: usize) -> Option<String> {
    (n > 0).then(|| trf(l, "export.returned_unrevised", &[&n]))
}
