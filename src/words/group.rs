//! Words of group đề án (issue 17): beneficiaries, shares, the pilot flag.

use crate::domain::money::format_vnd;
use crate::domain::proposal::{BeneficiaryLine, Proposal};
use crate::text::sanitize;
use crate::words::format::short_id;
use crate::words::{tr, trf, Lang};

/// Labelled rows for a page: the first beneficiary under "Beneficiaries", the others below.
pub fn beneficiary_rows(l: Lang, lines: &[BeneficiaryLine]) -> Vec<(String, String)> {
    beneficiary_lines(l, lines)
        .into_iter()
        .enumerate()
        .map(|(i, line)| {
            let label = if i == 0 {
                tr(l, "proposal.field.beneficiaries").to_string()
            } else {
                String::new()
            };
            (label, line)
        })
        .collect()
}

/// One line per beneficiary: "1. Name [short id] — support share …, paid …".
pub fn beneficiary_lines(l: Lang, lines: &[BeneficiaryLine]) -> Vec<String> {
    lines
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let who = format!(
                "{} [{}]",
                sanitize(&b.facility_name),
                short_id(&b.facility_id)
            );
            trf(
                l,
                "proposal.beneficiary_paid",
                &[
                    &(i + 1).to_string(),
                    &who,
                    &format_vnd(b.support),
                    &format_vnd(b.counterpart),
                    &format_vnd(b.paid),
                ],
            )
        })
        .collect()
}

/// Who carries a đề án out, for a list's facility column or a page's title: the facility's
/// name, «Nhóm N cơ sở» for a group đề án, «Trung tâm» for the centre's own (no facility).
/// Not sanitised: the caller sanitises the name as it does any stored text.
pub fn facility_label(l: Lang, p: &Proposal) -> String {
    if !p.data.has_facility() {
        tr(l, "proposal.centre").to_string()
    } else if p.group_size >= 2 {
        trf(l, "proposal.group_of", &[&p.group_size])
    } else {
        p.facility_name.clone()
    }
}

/// One line per beneficiary with its shares only (a draft, nothing paid yet): "1. Name —
/// support …, counterpart …". Sanitised.
pub fn share_lines(l: Lang, lines: &[BeneficiaryLine]) -> Vec<String> {
    lines
        .iter()
        .enumerate()
        .map(|(i, b)| {
            trf(
                l,
                "proposal.beneficiary_share",
                &[
                    &(i + 1).to_string(),
                    &sanitize(&b.facility_name),
                    &format_vnd(b.support),
                    &format_vnd(b.counterpart),
                ],
            )
        })
        .collect()
}

/// (key, Vietnamese, English).
pub(crate) const GROUP: &[super::table::Entry] = &[
    ("problem.group_too_small", "Đề án nhóm cần ít nhất 2 cơ sở thụ hưởng", "A group đề án needs at least 2 beneficiaries"),
    ("problem.beneficiary_twice", "Cơ sở {} có tên hai lần trong danh sách thụ hưởng", "Facility {} is listed twice among the beneficiaries"),
    ("problem.shares_mismatch_support", "Tổng phần hỗ trợ của các cơ sở là {}, không bằng kinh phí khuyến công {}", "The beneficiaries' support shares add up to {}, not the khuyến công support {}"),
    ("problem.shares_mismatch_counterpart", "Tổng phần đối ứng của các cơ sở là {}, không bằng vốn đối ứng {}", "The beneficiaries' counterpart shares add up to {}, not the counterpart {}"),
    ("project.err.not_a_beneficiary", "Cơ sở {} không thụ hưởng đề án {}.", "Facility {} is not a beneficiary of đề án {}."),
    ("project.err.over_share", "Đã chi cho cơ sở {} là {} + {} vượt phần hỗ trợ được duyệt của cơ sở {}: chỉ còn chi được {}.", "Paid to facility {} {} + {} exceeds its approved share {}: at most {} remains."),
    ("proposal.field.beneficiaries", "Cơ sở thụ hưởng", "Beneficiaries"),
    ("proposal.field.commune", "Xã thực hiện", "Commune where it takes place"),
    ("proposal.field.pilot", "Đề án điểm", "Pilot đề án"),
    ("proposal.no_facility", "(trung tâm thực hiện, không có cơ sở)", "(run by the centre, no facility)"),
    ("proposal.centre", "Trung tâm", "The centre"),
    ("proposal.group_of", "Nhóm {} cơ sở", "Group of {} facilities"),
    ("proposal.beneficiary_share", "{}. {} — hỗ trợ {}, đối ứng {}", "{}. {} — support {}, counterpart {}"),
    ("ui.pform.more_beneficiaries", "… và {} cơ sở nữa (xem trang đề án)", "… and {} more (see the đề án's page)"),
    ("proposal.pilot_mark", "Có (đề án điểm)", "Yes (a pilot đề án)"),
    ("proposal.beneficiary_paid", "{}. {} — hỗ trợ {}, đối ứng {}, đã chi {}", "{}. {} — support {}, counterpart {}, paid {}"),
    ("help.proposal.add.facility", "Cơ sở: mã đầy đủ hoặc mã ngắn; đề án nhóm: lặp MÃ=HỖ_TRỢ[/ĐỐI_ỨNG] cho từng cơ sở (cơ sở đầu là chủ trì); bỏ trống: đề án do trung tâm thực hiện (cấp tỉnh, kèm --commune)", "The facility: id or short id; a group đề án: repeat ID=SUPPORT[/COUNTERPART] per facility (the first is the lead); none: a đề án the centre runs (province, with --commune)"),
    ("help.proposal.add.pilot", "Đề án điểm", "A pilot đề án (đề án điểm)"),
    ("help.proposal.add.commune", "Xã nơi thực hiện đề án không có cơ sở (chỉ hồ sơ cấp tỉnh)", "Commune where a đề án with no facility takes place (province profile only)"),
    ("help.project.pay.facility", "Cơ sở thụ hưởng nhận khoản chi (đề án nhóm)", "The beneficiary paid (group đề án)"),
    ("help.project.result.facility", "Cơ sở thụ hưởng của kết quả (đề án nhóm)", "The beneficiary the result is for (group đề án)"),
];
