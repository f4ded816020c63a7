//! Words of group đề án (issue 17): beneficiaries, shares, the pilot flag.

/// (key, Vietnamese, English).
pub(crate) const GROUP: &[(&str, &str, &str)] = &[
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
    ("proposal.beneficiary_line", "{}. {} — hỗ trợ {}, đối ứng {}", "{}. {} — support {}, counterpart {}"),
    ("proposal.beneficiary_paid", "{}. {} — phần hỗ trợ {}, đã chi {}", "{}. {} — support share {}, paid {}"),
    ("help.proposal.add.share", "Phần của cơ sở --facility ngay trước: HỖ_TRỢ[/ĐỐI_ỨNG]; lặp --facility/--share cho đề án nhóm (cơ sở đầu tiên là cơ sở chủ trì)", "Share of the --facility just before: SUPPORT[/COUNTERPART]; repeat --facility/--share for a group đề án (the first is the lead)"),
    ("help.proposal.add.pilot", "Đề án điểm", "A pilot đề án (đề án điểm)"),
    ("help.proposal.add.commune", "Xã nơi thực hiện đề án không có cơ sở (chỉ hồ sơ cấp tỉnh)", "Commune where a đề án with no facility takes place (province profile only)"),
    ("help.project.pay.facility", "Cơ sở thụ hưởng nhận khoản chi (đề án nhóm)", "The beneficiary paid (group đề án)"),
    ("help.project.result.facility", "Cơ sở thụ hưởng của kết quả (đề án nhóm)", "The beneficiary the result is for (group đề án)"),
];
