//! Validation problems, duplicate reasons and suspects in words: "<field label>: <problem>".

use crate::domain::consultation::ConsultationField;
use crate::domain::dup::{DupReason, Suspect};
use crate::domain::facility::{format_phone, FacilityField, FacilityStatus};
use crate::domain::issue::Problem;
use crate::domain::money::format_vnd;
use crate::domain::proposal::{field_label_key, who_may_key, ProposalStatus, Refusal};
use crate::text::sanitize;
use crate::words::format::{
    commune_label, proposal_status_label, short_id, status_key, CommuneForm,
};
use crate::words::{tr, trf, Lang};

/// "<field label>: <problem>" for proposal fields; other fields as [`describe`] words them.
pub fn describe_proposal(l: Lang, field: &str, problem: &Problem) -> String {
    match field_label_key(field).or((field == "status").then_some("proposal.field.status")) {
        Some(k) => format!("{}: {}", tr(l, k), problem_text(l, problem)),
        None => describe(l, field, problem),
    }
}

/// "<field label>: <problem>" for consultation fields and the command's own options;
/// facility fields as the facility commands word them.
pub fn describe(l: Lang, field: &str, problem: &Problem) -> String {
    let label = match ConsultationField::from_key(field) {
        Some(f) => tr(l, f.label_key()),
        None => match field {
            "since" => tr(l, "consult.opt.since"),
            "until" => tr(l, "consult.opt.until"),
            "outcome_id" => tr(l, "consult.opt.by"),
            _ => return describe_facility(l, field, problem),
        },
    };
    format!("{label}: {}", problem_text(l, problem))
}

/// "<field label>: <problem>", e.g. "Mã số thuế: Chữ số kiểm tra không khớp (có thể gõ nhầm)".
/// A field that is not a facility field is named by its key.
pub fn describe_facility(lang: Lang, field: &str, problem: &Problem) -> String {
    let label = FacilityField::from_key(field).map_or(field, |f| tr(lang, f.label_key()));
    format!("{label}: {}", problem_text(lang, problem))
}

/// A problem in words, in `lang`.
pub fn problem_text(lang: Lang, problem: &Problem) -> String {
    match problem {
        Problem::Required => tr(lang, "problem.required").to_string(),
        Problem::UnknownCommune { code } => trf(lang, "problem.unknown_commune", &[code]),
        Problem::CommuneOutOfScope { code } => trf(lang, "problem.commune_out_of_scope", &[code]),
        Problem::UnknownCode { code } => trf(lang, "problem.unknown_code", &[code]),
        Problem::TaxFormat => tr(lang, "problem.tax_format").to_string(),
        Problem::TaxBranchZero => tr(lang, "problem.tax_branch_zero").to_string(),
        Problem::TaxCheckDigit { .. } => tr(lang, "problem.tax_check_digit").to_string(),
        Problem::PhoneFormat => tr(lang, "problem.phone_format").to_string(),
        Problem::NotAWholeNumber { value } => trf(lang, "problem.not_a_whole_number", &[value]),
        Problem::Negative => tr(lang, "problem.negative").to_string(),
        Problem::YearInFuture { year } => trf(lang, "problem.year_in_future", &[year]),
        Problem::YearTooOld { year } => trf(lang, "problem.year_too_old", &[year]),
        Problem::OcopStars => tr(lang, "problem.ocop_stars").to_string(),
        Problem::UnknownStatus { value } => trf(lang, "problem.unknown_status", &[value]),
        Problem::UnknownRole { value } => trf(lang, "problem.unknown_role", &[value]),
        Problem::UnknownUnit { code } => trf(lang, "problem.unknown_unit", &[code]),
        Problem::ScopeShape => tr(lang, "problem.scope_shape").to_string(),
        Problem::TooLong { max } => trf(lang, "problem.too_long", &[max]),
        Problem::NotABoolean { value } => trf(lang, "problem.not_a_boolean", &[value]),
        Problem::DateFormat { value } => trf(lang, "problem.date_format", &[value]),
        Problem::DateInFuture { date } => trf(lang, "problem.date_in_future", &[date]),
        Problem::BeforeDate { date } => trf(lang, "problem.before_date", &[date]),
        Problem::NoTopic => tr(lang, "problem.no_topic").to_string(),
        Problem::NotAmendable => tr(lang, "problem.not_amendable").to_string(),
        Problem::OtherFacility => tr(lang, "problem.other_facility").to_string(),
        other => proposal_problem_text(lang, other),
    }
}

/// The words of the proposal problems.
fn proposal_problem_text(l: Lang, p: &Problem) -> String {
    match p {
        Problem::MoneyFormat { value } => trf(l, "problem.money_format", &[value]),
        Problem::MoneyAmbiguous { value } => trf(l, "problem.money_ambiguous", &[value]),
        Problem::MoneyNotWhole { value } => trf(l, "problem.money_not_whole", &[value]),
        Problem::TooLarge => tr(l, "problem.too_large").to_string(),
        Problem::SumMismatch { total, parts } => trf(
            l,
            "problem.sum_mismatch",
            &[
                &format_vnd(*total),
                &format_vnd(*parts),
                &format_vnd((total - parts).abs()),
            ],
        ),
        Problem::OverCap {
            category,
            percent,
            max_vnd,
            effective_date,
            limit,
            source,
        } => {
            let mut terms = Vec::new();
            if let Some(p) = percent {
                terms.push(trf(l, "problem.cap_percent", &[p]));
            }
            if let Some(m) = max_vnd {
                terms.push(trf(l, "problem.cap_max", &[&format_vnd(*m)]));
            }
            trf(
                l,
                "problem.over_cap",
                &[
                    &format_vnd(*limit),
                    category,
                    &terms.join(", "),
                    effective_date,
                    source,
                ],
            )
        }
        Problem::NoCapKnown { category, funding } => {
            trf(l, "problem.no_cap_known", &[category, funding])
        }
        Problem::EntityTypeMissing => tr(l, "problem.entity_type_missing").to_string(),
        Problem::FacilityNotActive { status } => {
            let s = FacilityStatus::parse(status)
                .map(|s| tr(l, status_key(s)).to_string())
                .unwrap_or_else(|| status.clone());
            trf(l, "problem.facility_not_active", &[&s])
        }
        Problem::CityWardOutsideCraftVillage {
            commune,
            province,
            city_since,
        } => trf(l, "problem.city_ward", &[commune, province, city_since]),
        _ => String::new(),
    }
}

pub fn dup_reason_text(l: Lang, r: &DupReason) -> String {
    match r {
        DupReason::SameTaxCode { tax_code } => trf(l, "dup.same_tax", &[tax_code]),
        DupReason::SamePhone { phone } => trf(l, "dup.same_phone", &[&format_phone(phone)]),
        DupReason::SimilarName { similarity } => trf(l, "dup.similar_name", &[similarity]),
    }
}

/// One duplicate suspect in words (same wording as the command line's).
pub fn suspect_text(lang: Lang, s: &Suspect) -> String {
    // Outside the reader's scope the store leaves no id, name or commune.
    if s.id.is_empty() {
        return sanitize(tr(lang, "dup.outside_scope"));
    }
    let reasons: Vec<String> = s.reasons.iter().map(|r| dup_reason_text(lang, r)).collect();
    let short_id = short_id(&s.id);
    sanitize(&trf(
        lang,
        "dup.suspect",
        &[
            &s.name,
            &commune_label(&s.commune_code, CommuneForm::WithProvince(lang)),
            &reasons.join(", "),
            &short_id,
        ],
    ))
}

/// A refused transition in words, e.g. «Chỉ cán bộ khu vực được chuyển đề xuất từ «Đã đề xuất»
/// sang «Đã rà soát»».
pub fn refusal_text(l: Lang, refusal: &Refusal) -> String {
    let status = |s: Option<ProposalStatus>| match s {
        Some(s) => proposal_status_label(l, s),
        None => tr(l, "proposal.status.new").to_string(),
    };
    match *refusal {
        Refusal::Final { from } => trf(
            l,
            "proposal.refused.final",
            &[&proposal_status_label(l, from)],
        ),
        Refusal::ExportOnly => tr(l, "proposal.refused.export_only").to_string(),
        Refusal::WrongMover { mover, from, to } => {
            let by = who_may_key(from, to).map_or("", |k| tr(l, k));
            trf(
                l,
                "proposal.refused.wrong_mover",
                &[
                    &by,
                    &status(from),
                    &status(Some(to)),
                    &tr(l, mover.label_key()),
                ],
            )
        }
        Refusal::NoSuchTransition { from, to } => trf(
            l,
            "proposal.refused.no_such",
            &[&status(from), &status(Some(to))],
        ),
    }
}
