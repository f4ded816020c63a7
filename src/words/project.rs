//! The đề án's records after approval in words: refusals (saying what the person can do),
//! the codes of acceptance results, payment kinds and result stages.

use crate::domain::money::format_vnd;
use crate::domain::project::{ProjectKind, ProjectRefusal};
use crate::domain::proposal::ProposalStatus;
use crate::words::format::{proposal_status_label, short_id};
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
    }
}
