//! Validation problems, duplicate reasons and suspects in words: "<field label>: <problem>".

use crate::domain::consultation::ConsultationField;
use crate::domain::dup::{DupReason, Suspect};
use crate::domain::facility::{format_phone, FacilityField, FacilityStatus};
use crate::domain::issue::Problem;
use crate::domain::money::format_vnd;
use crate::domain::proposal::{
    allowed_transitions, field_label_key, who_may_key, ProposalStatus, ProposalStatus as S, Refusal,
};
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
            "unit" => tr(l, "field.unit"),
            "role" => tr(l, "field.role"),
            "beneficiaries" => tr(l, "proposal.field.beneficiaries"),
            _ => match crate::domain::village::field_label_key(field)
                .or_else(|| crate::domain::project::field_label_key(field))
            {
                Some(k) => tr(l, k),
                None => return describe_facility(l, field, problem),
            },
        },
    };
    format!(
        "{label}: {}{}",
        problem_text(l, problem),
        valid_codes_hint(l, field, problem)
    )
}

/// After "not in the code list": the codes the field accepts, so that a typo at the command
/// line can be put right without opening the documentation.
fn valid_codes_hint(l: Lang, field: &str, problem: &Problem) -> String {
    if !matches!(problem, Problem::UnknownCode { .. }) {
        return String::new();
    }
    let c = crate::refdata::codes();
    let list = match field {
        "mode" => &c.consultation_modes,
        "topics" | "topic" | "category" => &c.support_categories,
        "trade_group" => &c.trade_groups,
        "entity_type" => &c.entity_types,
        _ => return String::new(),
    };
    let codes: Vec<&str> = list.items().iter().map(|i| i.code.as_str()).collect();
    format!(" {}", trf(l, "problem.valid_codes", &[&codes.join(", ")]))
}

/// "<field label>: <problem>", e.g. "Mã số thuế: Chữ số kiểm tra không khớp (có thể gõ nhầm)".
/// A field that is not a facility field is named by its key.
pub fn describe_facility(lang: Lang, field: &str, problem: &Problem) -> String {
    let label = FacilityField::from_key(field).map_or(field, |f| tr(lang, f.label_key()));
    format!(
        "{label}: {}{}",
        problem_text(lang, problem),
        valid_codes_hint(lang, field, problem)
    )
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
        Problem::ScopeProvinces { provinces } => trf(lang, "problem.scope_provinces", &[provinces]),
        Problem::TooLong { max } => trf(lang, "problem.too_long", &[max]),
        Problem::NotABoolean { value } => trf(lang, "problem.not_a_boolean", &[value]),
        Problem::DateFormat { value } => trf(lang, "problem.date_format", &[value]),
        Problem::DateInFuture { date } => trf(lang, "problem.date_in_future", &[date]),
        Problem::BeforeDate { date } => trf(lang, "problem.before_date", &[date]),
        Problem::NoTopic => tr(lang, "problem.no_topic").to_string(),
        Problem::NotAmendable => tr(lang, "problem.not_amendable").to_string(),
        Problem::OtherFacility => tr(lang, "problem.other_facility").to_string(),
        Problem::OldCommuneSplit {
            old_code,
            candidates,
        } => {
            let names: Vec<String> = candidates
                .iter()
                .map(|c| commune_label(c, CommuneForm::FullNameCode))
                .collect();
            let old = old_commune_label(old_code);
            trf(
                lang,
                "problem.old_commune_split",
                &[&old, &names.join(", ")],
            )
        }
        Problem::UnknownOldCommune { code } => trf(lang, "problem.unknown_old_commune", &[code]),
        Problem::OldCommuneNotFound {
            commune,
            district,
            province,
            matches,
        } => {
            let key = if *matches > 1 {
                "problem.old_commune_ambiguous"
            } else {
                "problem.old_commune_not_found"
            };
            trf(lang, key, &[commune, district, province])
        }
        Problem::OverCount { count } => trf(lang, "activity.p.over_count", &[count]),
        Problem::AttendeeEmpty { position } => trf(lang, "activity.p.attendee_empty", &[position]),
        Problem::AttendeeTwice { position } => trf(lang, "activity.p.attendee_twice", &[position]),
        Problem::AttendeeGender { position, value } => {
            trf(lang, "activity.p.attendee_gender", &[position, value])
        }
        Problem::AttendeeUnknownFacility { position } => {
            trf(lang, "activity.p.attendee_unknown_facility", &[position])
        }
        other => proposal_problem_text(lang, other),
    }
}

/// A pre-2025 commune as "Phường Cống Vị, Quận Ba Đình (00007)", or its code alone.
pub fn old_commune_label(code: &str) -> String {
    let units = crate::refdata::units();
    match units.old_commune(code) {
        Some(c) => match units.old_district(&c.district_code) {
            Some(d) => format!("{}, {} ({code})", c.full_name, d.full_name),
            None => format!("{} ({code})", c.full_name),
        },
        None => code.to_string(),
    }
}

/// A pre-2025 commune that was split, as a choice is offered under it: "Phường Cống Vị, Quận
/// Ba Đình (00007) — trước 2025, nay chia cho 2 xã".
pub fn old_commune_split_label(lang: Lang, old_code: &str, parts: usize) -> String {
    trf(
        lang,
        "ui.pick.old_commune_split",
        &[&old_commune_label(old_code), &parts],
    )
}

/// The words of the proposal problems.
fn proposal_problem_text(l: Lang, p: &Problem) -> String {
    match p {
        Problem::MoneyFormat { value } => trf(l, "problem.money_format", &[value]),
        Problem::MoneyAmbiguous { value } => trf(l, "problem.money_ambiguous", &[value]),
        Problem::MoneyNotWhole { value } => trf(l, "problem.money_not_whole", &[value]),
        Problem::TooLarge => tr(l, "problem.too_large").to_string(),
        Problem::OverAsked { approved, asked } => trf(
            l,
            "problem.over_asked",
            &[&format_vnd(*approved), &format_vnd(*asked)],
        ),
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
        Problem::PercentRange => tr(l, "problem.percent_range").to_string(),
        Problem::AdjustmentEmpty => tr(l, "problem.adjustment_empty").to_string(),
        Problem::GroupTooSmall => tr(l, "problem.group_too_small").to_string(),
        Problem::BeneficiaryTwice { facility } => {
            trf(l, "problem.beneficiary_twice", &[&sanitize(facility)])
        }
        Problem::SharesMismatch {
            counterpart,
            total,
            shares,
        } => trf(
            l,
            if *counterpart {
                "problem.shares_mismatch_counterpart"
            } else {
                "problem.shares_mismatch_support"
            },
            &[&format_vnd(*shares), &format_vnd(*total)],
        ),

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

/// One duplicate suspect in words (same wording as the command line's). An earlier row of
/// the file being imported is named by its line («dòng 12»), a stored facility by its id.
pub fn suspect_text(lang: Lang, s: &Suspect) -> String {
    // Outside the reader's scope the store leaves no id, name or commune.
    if s.id.is_empty() {
        return sanitize(tr(lang, "dup.outside_scope"));
    }
    let reasons: Vec<String> = s.reasons.iter().map(|r| dup_reason_text(lang, r)).collect();
    let reference = match crate::import::line_of(&s.id) {
        Some(_) => suspect_ref(lang, &s.id),
        None => trf(lang, "dup.ref_id", &[&short_id(&s.id)]),
    };
    sanitize(&trf(
        lang,
        "dup.suspect",
        &[
            &s.name,
            &commune_label(&s.commune_code, CommuneForm::WithProvince(lang)),
            &reasons.join(", "),
            &reference,
        ],
    ))
}

/// "dòng 12" (a line of the file being read).
pub fn line_label(lang: Lang, line: usize) -> String {
    trf(lang, "dup.ref_line", &[&line])
}

/// Which facility a suspect is: «dòng N» for an earlier row of the file, else its full id.
pub fn suspect_ref(lang: Lang, id: &str) -> String {
    match crate::import::line_of(id) {
        Some(n) => line_label(lang, n),
        None => id.to_string(),
    }
}

/// The columns of the suspects file written beside an imported file.
pub fn suspects_file_header(lang: Lang) -> [&'static str; 7] {
    [
        "dup.file.line",
        "dup.file.name",
        "dup.file.commune",
        "dup.file.other",
        "dup.file.other_commune",
        "dup.file.other_ref",
        "dup.file.reasons",
    ]
    .map(|k| tr(lang, k))
}

/// The import's duplicate summary: "29 dòng nghi trùng (435 cặp) — cùng số điện thoại: 29".
pub fn suspect_summary(lang: Lang, c: &crate::import::SuspectCounts) -> String {
    let by_reason: Vec<String> = [
        ("dup.kind.tax", c.same_tax),
        ("dup.kind.phone", c.same_phone),
        ("dup.kind.name", c.similar_name),
    ]
    .iter()
    .filter(|(_, n)| *n > 0)
    .map(|(k, n)| format!("{}: {n}", tr(lang, k)))
    .collect();
    trf(
        lang,
        "dup.summary",
        &[&c.rows, &c.pairs, &by_reason.join(", ")],
    )
}

/// A refused transition in words: where the proposal stands and what the user can do
/// (e.g. «Đề xuất đang chờ tỉnh quyết định; bạn có thể: rút đề xuất.»), never the state
/// machine's own terms.
pub fn refusal_text(l: Lang, refusal: &Refusal) -> String {
    match *refusal {
        Refusal::Final { from } => trf(
            l,
            "proposal.refused.final",
            &[&proposal_status_label(l, from)],
        ),
        Refusal::ExportOnly => tr(l, "proposal.refused.export_only").to_string(),
        Refusal::WrongMover {
            mover,
            from,
            to,
            flow,
        } => {
            let waiting = match from {
                Some(S::DeXuat) if flow.area_review => Some("proposal.refused.waits_area"),
                Some(S::DeXuat | S::DaRaSoat | S::DaGuiTinh) => {
                    Some("proposal.refused.waits_province")
                }
                Some(S::PheDuyet | S::DangThucHien) => Some("proposal.refused.province_follows"),
                _ => None,
            };
            let situation = match waiting {
                Some(k) => tr(l, k).to_string(),
                None => {
                    let by = who_may_key(from, to).map_or("", |k| tr(l, k));
                    trf(l, "proposal.refused.done_by", &[&by])
                }
            };
            let can = match from {
                Some(f) => allowed_transitions(flow, mover, f),
                None => Vec::new(),
            };
            let can = can
                .iter()
                .filter(|(s, _)| *s != to)
                .map(|(s, _)| tr(l, move_verb_key(*s)))
                .collect::<Vec<_>>();
            if can.is_empty() {
                trf(l, "proposal.refused.nothing_to_do", &[&situation])
            } else {
                trf(
                    l,
                    "proposal.refused.you_can",
                    &[&situation, &can.join(", ")],
                )
            }
        }
        Refusal::NotInFlow { to, flow, .. } => {
            let key = match (flow.area_review, to) {
                (false, S::DaRaSoat | S::Nhap) => "proposal.refused.no_area_review",
                (false, _) => "proposal.refused.goes_straight",
                (true, _) => "proposal.refused.review_first",
            };
            tr(l, key).to_string()
        }
        Refusal::NoSuchTransition { from, to } => trf(
            l,
            "proposal.refused.no_such",
            &[
                &from.map_or_else(
                    || tr(l, "proposal.status.new").to_string(),
                    |s| proposal_status_label(l, s),
                ),
                &proposal_status_label(l, to),
            ],
        ),
    }
}

/// The verb a person uses for a move to `to` ("rút đề xuất", "phê duyệt"): a refusal's "you
/// can" list and the screens' action labels.
pub fn move_verb_key(to: ProposalStatus) -> &'static str {
    match to {
        S::Nhap => "proposal.verb.to_draft",
        S::DeXuat => "proposal.verb.propose",
        S::DaRaSoat => "proposal.verb.review",
        S::DaGuiTinh => "proposal.verb.send",
        S::TraLai => "proposal.verb.return",
        S::PheDuyet => "proposal.verb.approve",
        S::KhongDuyet => "proposal.verb.refuse",
        S::DangThucHien => "proposal.verb.start",
        S::HoanThanh => "proposal.verb.complete",
        S::Dung => "proposal.verb.stop",
        S::Rut => "proposal.verb.withdraw",
    }
}
