//! Support proposals: money that adds up, caps, eligibility (incl. a phường of Đồng Nai before
//! and after 30/4/2026), every transition per mover, history rows, totals and the plan.

mod common;
use common::caps::example_caps;
use common::proposals::{as_role, facility, seven_proposals, store, vn};

use chrono::NaiveDate;
use ctv::domain::consultation::ConsultationInput;
use ctv::domain::facility::FacilityData;
use ctv::domain::issue::{Problem, Severity};
use ctv::domain::money::{format_vnd, parse_vnd, MoneyError};
use ctv::domain::plan::{build, UnitKind};
use ctv::domain::proposal::{
    cap_limit, check_cap, check_eligibility, validate, FundingSource, Mover, Priorities,
    ProposalData, ProposalInput, ProposalMoney, ProposalPatch, ProposalStatus, Refusal,
};
use ctv::domain::Role;
use ctv::store::{ProposalFilter, Store, StoreError};
use ctv::words::Lang;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

// ---------------------------------------------------------------- money

#[test]
fn money_is_read_vietnamese_style_and_ambiguity_is_refused() {
    let ok = [
        ("1.250.000.000", 1_250_000_000),
        ("1250000000", 1_250_000_000),
        ("1 250 000 000", 1_250_000_000),
        ("1.250.000.000 đ", 1_250_000_000),
        ("1.250.000.000đ", 1_250_000_000),
        ("1250000000 VND", 1_250_000_000),
        ("1,25 tỷ", 1_250_000_000),
        ("1,25 ty", 1_250_000_000),
        ("2 tỷ", 2_000_000_000),
        ("800 triệu", 800_000_000),
        ("800 triệu đồng", 800_000_000),
        ("0,5 triệu", 500_000),
        ("500 nghìn", 500_000),
        ("0", 0),
    ];
    for (raw, want) in ok {
        assert_eq!(parse_vnd(raw), Ok(Some(want)), "{raw}");
    }
    assert_eq!(parse_vnd("  "), Ok(None));
    for amb in ["1,250", "1,250,000", "1.5", "1.5 tỷ", "12.50"] {
        assert_eq!(parse_vnd(amb), Err(MoneyError::Ambiguous), "{amb}");
    }
    for bad in ["abc", "1.25.000", "tỷ", "1,2,3 tỷ", "12a"] {
        assert!(
            matches!(
                parse_vnd(bad),
                Err(MoneyError::Format | MoneyError::Ambiguous)
            ),
            "{bad}: {:?}",
            parse_vnd(bad)
        );
    }
    assert_eq!(parse_vnd("-5.000"), Err(MoneyError::Negative));
    assert_eq!(parse_vnd("1,0000000001 tỷ"), Err(MoneyError::Fraction));
    assert_eq!(parse_vnd("99999999999999999999"), Err(MoneyError::TooLarge));
    assert_eq!(parse_vnd("99999999999 tỷ"), Err(MoneyError::TooLarge));
    assert_eq!(format_vnd(1_250_000_000), "1.250.000.000 đ");
    assert_eq!(format_vnd(10_000_000), "10.000.000 đ");
}

fn input() -> ProposalInput {
    ProposalInput {
        facility_id: "f".into(),
        plan_year: "2027".into(),
        category: "KC03".into(),
        funding: "KCĐP".into(),
        title: "Mô hình trình diễn máy chẻ nan".into(),
        total_cost: "1.250.000.000".into(),
        support: "375.000.000".into(),
        counterpart: "875.000.000".into(),
        ..Default::default()
    }
}

#[test]
fn the_money_must_add_up_and_the_message_names_fields_and_difference() {
    let (p, w) = validate(&input(), d(2026, 11, 25)).unwrap();
    assert!(w.0.is_empty(), "{w:?}");
    assert_eq!(p.money.total_cost, 1_250_000_000);
    assert_eq!(p.funding, FundingSource::Kcdp);
    assert_eq!(p.category, "KC03");

    let mut i = input();
    i.counterpart = "825.000.000".into();
    let e = validate(&i, d(2026, 11, 25)).unwrap_err();
    let issue = e.errors().next().unwrap();
    assert_eq!(issue.field, "total_cost");
    assert_eq!(
        issue.problem,
        Problem::SumMismatch {
            total: 1_250_000_000,
            parts: 1_200_000_000
        }
    );
    let text = ctv::words::describe_proposal(Lang::Vi, issue.field, &issue.problem);
    for part in [
        "Tổng kinh phí",
        "kinh phí khuyến công + vốn đối ứng + nguồn khác",
        "1.250.000.000 đ",
        "1.200.000.000 đ",
        "chênh lệch 50.000.000 đ",
    ] {
        assert!(text.contains(part), "{part} not in {text}");
    }
    // Other sources make it add up again.
    i.other_sources = "50 triệu".into();
    assert!(validate(&i, d(2026, 11, 25)).is_ok());

    // Required, unknown, ambiguous: each names its field.
    let bad = ProposalInput {
        funding: "NSNN".into(),
        category: "KC99".into(),
        support: "1,5".into(),
        total_cost: String::new(),
        plan_year: "2040".into(),
        title: String::new(),
        ..input()
    };
    let e = validate(&bad, d(2026, 11, 25)).unwrap_err();
    let fields: Vec<(&str, &Problem)> = e.errors().map(|i| (i.field, &i.problem)).collect();
    assert!(fields.contains(&(
        "funding",
        &Problem::UnknownCode {
            code: "NSNN".into()
        }
    )));
    assert!(fields.contains(&(
        "category",
        &Problem::UnknownCode {
            code: "KC99".into()
        }
    )));
    assert!(fields.contains(&(
        "support",
        &Problem::MoneyAmbiguous {
            value: "1,5".into()
        }
    )));
    assert!(fields.contains(&("total_cost", &Problem::Required)));
    assert!(fields.contains(&("title", &Problem::Required)));
    assert!(fields.contains(&("plan_year", &Problem::YearInFuture { year: 2040 })));
}

// ---------------------------------------------------------------- caps

fn data(category: &str, total: i64, support: i64) -> ProposalData {
    ProposalData {
        facility_id: "f".into(),
        plan_year: 2027,
        category: category.into(),
        funding: FundingSource::Kcdp,
        title: "t".into(),
        rationale: String::new(),
        objectives: String::new(),
        content: String::new(),
        place: String::new(),
        time_frame: String::new(),
        money: ProposalMoney {
            total_cost: total,
            support,
            counterpart: total - support,
            other_sources: 0,
        },
        expected_jobs: None,
        expected_products: String::new(),
        expected_capacity: String::new(),
        priorities: Priorities::default(),
        beneficiaries: Vec::new(),
        is_pilot: false,
    }
}

#[test]
fn caps_of_a_loaded_table_warn_naming_the_cap_and_its_source() {
    let caps = example_caps();
    assert_eq!(caps.all().len(), 3);
    let on = d(2026, 11, 25);
    let kc03 = caps.cap_for("01", "KC03", "KCQG", on).unwrap();
    assert_eq!((kc03.percent, kc03.max_vnd), (Some(30), Some(800_000_000)));
    let kc05 = caps.cap_for("01", "KC05", "KCDP", on).unwrap();
    assert_eq!((kc05.percent, kc05.max_vnd), (Some(30), Some(400_000_000)));
    let kc10 = caps.cap_for("01", "KC10", "KCDP", on).unwrap();
    assert_eq!((kc10.percent, kc10.max_vnd), (None, Some(10_000_000)));
    assert!(caps.cap_for("01", "KC01", "KCDP", on).is_none());
    // Another province's table is not this one's.
    assert!(caps.cap_for("75", "KC03", "KCDP", on).is_none());
    // Not yet in force before its effective date.
    assert!(caps.cap_for("01", "KC03", "KCDP", d(2025, 6, 30)).is_none());

    // 30% of 1.250.000.000 = 375.000.000 (under the 800 million maximum).
    assert_eq!(
        cap_limit(Some(30), Some(800_000_000), 1_250_000_000),
        Some(375_000_000)
    );
    // 30% of 5 billion is 1.5 billion: the maximum binds.
    assert_eq!(
        cap_limit(Some(30), Some(800_000_000), 5_000_000_000),
        Some(800_000_000)
    );
    assert_eq!(cap_limit(None, Some(10_000_000), 1), Some(10_000_000));

    assert!(check_cap(&data("KC03", 1_250_000_000, 375_000_000), "01", on, &caps).is_none());
    let w = check_cap(&data("KC03", 1_250_000_000, 375_000_001), "01", on, &caps).unwrap();
    assert_eq!(w.severity, Severity::Warning);
    assert_eq!(w.field, "support");
    let text = ctv::words::describe_proposal(Lang::Vi, w.field, &w.problem);
    for part in [
        "KC03",
        "30%",
        "800.000.000 đ",
        "375.000.000 đ",
        "01/07/2025",
        "Published example",
    ] {
        assert!(text.contains(part), "{part} not in {text}");
    }
    let w = check_cap(&data("KC03", 5_000_000_000, 900_000_000), "01", on, &caps).unwrap();
    assert!(matches!(
        w.problem,
        Problem::OverCap {
            limit: 800_000_000,
            ..
        }
    ));
    let w = check_cap(&data("KC05", 2_000_000_000, 500_000_000), "01", on, &caps).unwrap();
    assert!(matches!(
        w.problem,
        Problem::OverCap {
            limit: 400_000_000,
            ..
        }
    ));
    let w = check_cap(&data("KC10", 50_000_000, 10_000_001), "01", on, &caps).unwrap();
    let text = ctv::words::describe_proposal(Lang::Vi, w.field, &w.problem);
    assert!(text.contains("KC10") && text.contains("10.000.000 đ") && !text.contains('%'));
    assert!(check_cap(&data("KC10", 50_000_000, 10_000_000), "01", on, &caps).is_none());
}

// ---------------------------------------------------------------- eligibility

fn facility_data(commune: &str, craft_village: &str) -> FacilityData {
    FacilityData {
        name: "Cơ sở".into(),
        entity_type: Some("HKD".into()),
        commune_code: commune.into(),
        craft_village: craft_village.into(),
        ..Default::default()
    }
}

fn city_ward_warning(f: &FacilityData, on: NaiveDate) -> Option<String> {
    check_eligibility(f, false, on)
        .into_iter()
        .find(|i| matches!(i.problem, Problem::CityWardOutsideCraftVillage { .. }))
        .map(|i| ctv::words::describe_proposal(Lang::Vi, i.field, &i.problem))
}

#[test]
fn a_phuong_of_dong_nai_qualifies_before_30_4_2026_and_only_in_a_craft_village_after() {
    let before = d(2026, 4, 29);
    let after = d(2026, 4, 30);
    // 25195 Phường Bình Phước: a phường since the reform; Đồng Nai a tỉnh until 30/4/2026.
    let ward = facility_data("25195", "");
    assert!(check_eligibility(&ward, false, before).is_empty());
    let w = city_ward_warning(&ward, after).expect("a phường of a city after 30/4/2026");
    for part in [
        "Phường Bình Phước",
        "Đồng Nai",
        "30/04/2026",
        "làng nghề",
        "235/2025",
    ] {
        assert!(w.contains(part), "{part} not in {w}");
    }
    // Inside a recognised craft village of the register it qualifies; a name typed as free
    // text does not make it one.
    assert!(check_eligibility(&facility_data("25195", ""), true, after).is_empty());
    assert!(city_ward_warning(&facility_data("25195", "Làng nghề mây tre đan"), after).is_some());
    // 25270: a xã that became a phường on the same day.
    assert!(check_eligibility(&facility_data("25270", ""), false, before).is_empty());
    assert!(city_ward_warning(&facility_data("25270", ""), after).is_some());
    // A phường of Hà Nội (a city all along); a xã of Hà Nội.
    assert!(city_ward_warning(&facility_data("00004", ""), before).is_some());
    assert!(check_eligibility(&facility_data("00376", ""), false, after).is_empty());
    // The kind of entity must be known; a closed facility is flagged.
    let mut f = facility_data("00376", "");
    f.entity_type = None;
    f.status = ctv::domain::FacilityStatus::Closed;
    let problems: Vec<Problem> = check_eligibility(&f, false, after)
        .into_iter()
        .map(|i| i.problem)
        .collect();
    assert!(problems.contains(&Problem::EntityTypeMissing));
    assert!(problems.contains(&Problem::FacilityNotActive {
        status: "closed".into()
    }));
    assert!(check_eligibility(&f, false, after)
        .iter()
        .all(|i| i.severity == Severity::Warning));
}

use ProposalStatus as S;

// ---------------------------------------------------------------- the store

#[test]
fn a_proposal_goes_from_draft_to_completed_with_its_history() {
    let (mut s, clock) = store();
    let fac = facility(&mut s, "HTX mây tre đan Phú Vinh", "00376", "60");

    // The form is prefilled from the facility and its recorded needs.
    s.add_consultation(&ConsultationInput {
        facility_id: fac.clone(),
        mode: "TRUC_TIEP".into(),
        topics: "KC03".into(),
        difficulties: "Chẻ nan thủ công".into(),
        needs: "Máy chẻ nan".into(),
        ..Default::default()
    })
    .unwrap();
    let pre = s.proposal_prefill(&fac).unwrap();
    assert_eq!(pre.input.category, "KC03");
    assert_eq!(pre.input.plan_year, "2027");
    assert!(
        pre.input.rationale.contains("Máy chẻ nan"),
        "{}",
        pre.input.rationale
    );
    assert!(pre.input.title.contains("HTX mây tre đan Phú Vinh"));
    assert!(
        pre.input.place.contains("Xã Sóc Sơn"),
        "{}",
        pre.input.place
    );
    assert!(pre.input.priorities.workers_50 && pre.input.priorities.woman_owned);
    assert!(!pre.input.priorities.exports);
    assert_eq!(pre.needs.len(), 1);

    let mut input = pre.input.clone();
    input.funding = "KCDP".into();
    input.total_cost = "1,25 tỷ".into();
    input.support = "400.000.000".into();
    input.counterpart = "850.000.000".into();
    let (p, warnings) = s.add_proposal(&input).unwrap();
    assert_eq!(p.status, S::Nhap);
    // No table of caps has reached this commune: said plainly, no example applied.
    let no_cap = warnings
        .warnings()
        .find(|w| matches!(w.problem, Problem::NoCapKnown { .. }))
        .unwrap();
    assert_eq!(
        ctv::words::describe_proposal(Lang::Vi, no_cap.field, &no_cap.problem),
        "Kinh phí khuyến công: Chưa có mức trần cho nội dung KC03 (KCĐP) của tỉnh — tỉnh chưa nạp bảng mức hỗ trợ"
    );
    assert!(!warnings
        .warnings()
        .any(|w| matches!(w.problem, Problem::OverCap { .. })));
    assert!(s
        .facilities_with_open_proposals(std::slice::from_ref(&fac))
        .unwrap()
        .contains(&fac));

    // A draft is edited; the commune cannot review.
    let (p, _) = s
        .edit_proposal(
            &p.id,
            p.version,
            &ProposalPatch {
                support: Some("375.000.000".into()),
                counterpart: Some("875.000.000".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(p.data.money.support, 375_000_000);
    let e = s.review_proposal(&p.id, p.version, "ok").unwrap_err();
    assert!(matches!(
        e,
        StoreError::Transition {
            refusal: Refusal::NoSuchTransition { .. },
            ..
        }
    ));
    let p = s.propose(&p.id, p.version).unwrap();
    assert_eq!(p.status, S::DeXuat);
    // Only a draft may change.
    let e = s
        .edit_proposal(
            &p.id,
            p.version,
            &ProposalPatch {
                title: Some("x".into()),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert!(matches!(
        e,
        StoreError::NotEditable {
            status: S::DeXuat,
            ..
        }
    ));

    // The area officer returns it (a reason is required), the commune proposes again.
    clock.set(vn(2026, 11, 26, 9));
    as_role(&mut s, "Lê Văn Cường", "area", "00376,00004");
    let e = s.return_proposal(&p.id, p.version, "  ").unwrap_err();
    assert!(matches!(&e, StoreError::Invalid(i) if i.errors().any(|i| i.field == "reason")));
    let p = s
        .return_proposal(&p.id, p.version, "Bổ sung báo giá")
        .unwrap();
    assert_eq!(p.status, S::Nhap);
    // A stale version is a conflict.
    let e = s.withdraw_proposal(&p.id, p.version - 1, "x").unwrap_err();
    assert!(matches!(e, StoreError::Conflict { .. }));
    as_role(&mut s, "Trần Thị Bình", "commune", "00376");
    let p = s.propose(&p.id, p.version).unwrap();
    as_role(&mut s, "Lê Văn Cường", "area", "00376");
    let p = s
        .review_proposal(&p.id, p.version, "Đủ hồ sơ, đề nghị tỉnh xem xét")
        .unwrap();
    assert_eq!(p.status, S::DaRaSoat);
    // "Sent" only by the export.
    let e = s
        .move_proposal(&p.id, p.version, S::DaGuiTinh, "", None)
        .unwrap_err();
    assert!(matches!(
        e,
        StoreError::Transition {
            refusal: Refusal::ExportOnly,
            ..
        }
    ));
    let sent = s
        .mark_sent_to_province(std::slice::from_ref(&p.id))
        .unwrap();
    assert_eq!(sent[0].status, S::DaGuiTinh);
    let p = sent[0].clone();

    // The province approves with a decision number, then it runs and completes.
    as_role(&mut s, "Phạm Thu Hà", "province", "01");
    let e = s
        .move_proposal(&p.id, p.version, S::PheDuyet, "", None)
        .unwrap_err();
    assert!(matches!(&e, StoreError::Invalid(i) if i.errors().any(|i| i.field == "decision_no")));
    let approve = ctv::domain::proposal::MoveInput {
        decision_no: "123/QĐ-UBND".into(),
        decision_date: "20/11/2026".into(),
        ..Default::default()
    };
    let p = s
        .move_proposal_with(&p.id, p.version, S::PheDuyet, &approve)
        .unwrap();
    assert_eq!(p.decision_no.as_deref(), Some("123/QĐ-UBND"));
    // Approved as asked when no amount is typed.
    assert_eq!(p.approved_support, Some(p.data.money.support));
    let start = ctv::domain::proposal::MoveInput {
        start_date: "1/12/2026".into(),
        implementing_unit: "Trung tâm Khuyến công".into(),
        planned_end: "30/6/2027".into(),
        ..Default::default()
    };
    let p = s
        .move_proposal_with(&p.id, p.version, S::DangThucHien, &start)
        .unwrap();
    // Completion needs a passed acceptance record (recorded by `ctv project accept`).
    let e = s
        .move_proposal(&p.id, p.version, S::HoanThanh, "", None)
        .unwrap_err();
    assert!(matches!(e, StoreError::NeedsAcceptance(_)));
    let p = s
        .move_proposal(&p.id, p.version, S::Dung, "Cơ sở ngừng sản xuất", None)
        .unwrap();
    assert_eq!(p.stop_reason, "Cơ sở ngừng sản xuất");
    let e = s
        .move_proposal(&p.id, p.version, S::Rut, "x", None)
        .unwrap_err();
    assert!(matches!(
        e,
        StoreError::Transition {
            refusal: Refusal::Final { .. },
            ..
        }
    ));
    assert!(s
        .facilities_with_open_proposals(std::slice::from_ref(&fac))
        .unwrap()
        .is_empty());

    // History: who, when, from, to, why.
    let h = s.proposal_history(&p.id).unwrap();
    let steps: Vec<(Option<S>, S, &str, &str)> = h
        .iter()
        .map(|t| (t.from, t.to, t.actor_name.as_str(), t.reason.as_str()))
        .collect();
    assert_eq!(
        steps,
        vec![
            (None, S::Nhap, "Trần Thị Bình", ""),
            (Some(S::Nhap), S::DeXuat, "Trần Thị Bình", ""),
            (Some(S::DeXuat), S::Nhap, "Lê Văn Cường", "Bổ sung báo giá"),
            (Some(S::Nhap), S::DeXuat, "Trần Thị Bình", ""),
            (
                Some(S::DeXuat),
                S::DaRaSoat,
                "Lê Văn Cường",
                "Đủ hồ sơ, đề nghị tỉnh xem xét"
            ),
            (Some(S::DaRaSoat), S::DaGuiTinh, "Lê Văn Cường", ""),
            (Some(S::DaGuiTinh), S::PheDuyet, "Phạm Thu Hà", ""),
            (Some(S::PheDuyet), S::DangThucHien, "Phạm Thu Hà", ""),
            (
                Some(S::DangThucHien),
                S::Dung,
                "Phạm Thu Hà",
                "Cơ sở ngừng sản xuất"
            ),
        ]
    );
    // The approval's data are on the transition too.
    assert_eq!(h[6].decision_date.as_deref(), Some("2026-11-20"));
    assert_eq!(h[6].approved_support, Some(p.data.money.support));
    assert_eq!(h[2].mover, Mover::Person(Role::Area));
    assert_eq!(h[5].mover, Mover::Export);
    assert_eq!(h[6].decision_no.as_deref(), Some("123/QĐ-UBND"));
    assert_eq!(h[2].at, "2026-11-26T02:00:00.000Z");
    // And the change log has the creation, the edit and every move.
    let log = s.history("proposal", &p.id).unwrap();
    assert_eq!(log.len(), 10);
    assert_eq!(log[1].action, "update");
    assert_eq!(log[3].action, "area");
    assert_eq!(
        log[3].changes["status"],
        serde_json::json!(["DE_XUAT", "NHAP"])
    );
    assert_eq!(log.last().unwrap().version, p.version);
}

#[test]
fn scope_and_roles_are_enforced_by_the_store() {
    let (mut s, _) = store();
    let fac = facility(&mut s, "Cơ sở rèn Phúc An", "00376", "");
    as_role(&mut s, "Người ngoài", "commune", "00008");
    let e = s
        .add_proposal(&ProposalInput {
            facility_id: fac.clone(),
            ..input()
        })
        .unwrap_err();
    assert!(matches!(e, StoreError::OutOfScope(_)));
    // An area officer drafts in scope too (issue 15: anyone in scope drafts).
    as_role(&mut s, "Lê Văn Cường", "area", "00376");
    s.add_proposal(&ProposalInput {
        facility_id: fac.clone(),
        ..input()
    })
    .unwrap();
    // The money is refused before anything is written.
    as_role(&mut s, "Trần Thị Bình", "commune", "00376");
    let e = s
        .add_proposal(&ProposalInput {
            facility_id: fac.clone(),
            other_sources: "1".into(),
            ..input()
        })
        .unwrap_err();
    assert!(matches!(&e, StoreError::Invalid(i) if i.errors().any(|i| i.field == "total_cost")));
    // Only the area officer's draft is there.
    assert_eq!(s.count_proposals(&ProposalFilter::default()).unwrap(), 1);
}

/// The fixture of the plan test, and its totals computed by hand:
///
/// | facility | cat  | source | total         | support     | counterpart   | other      | status     |
/// |----------|------|--------|---------------|-------------|---------------|------------|------------|
/// | A        | KC03 | KCQG   | 1.250.000.000 | 375.000.000 | 875.000.000   | 0          | DE_XUAT    |
/// | B        | KC03 | KCQG   | 2.000.000.000 | 600.000.000 | 1.300.000.000 | 100.000.000| DE_XUAT    |
/// | A        | KC03 | KCĐP   | 500.000.000   | 150.000.000 | 350.000.000   | 0          | DE_XUAT    |
/// | B        | KC05 | KCĐP   | 1.000.000.000 | 300.000.000 | 700.000.000   | 0          | DE_XUAT    |
/// | A        | KC10 | KCĐP   | 30.000.000    | 10.000.000  | 20.000.000    | 0          | DE_XUAT    |
/// | B        | KC01 | KCĐP   | 80.000.000    | 50.000.000  | 30.000.000    | 0          | NHAP       |
/// | A        | KC05 | KCQG   | 700.000.000   | 200.000.000 | 500.000.000   | 0          | RUT        |
///
/// Plan (drafts and withdrawn out): KC03/KCQG 2 rows 3.250.000.000 / 975.000.000 /
/// 2.175.000.000 / 100.000.000; KC03/KCĐP 500.000.000 / 150.000.000; KC05/KCĐP 1.000.000.000 /
/// 300.000.000; KC10/KCĐP 30.000.000 / 10.000.000. KCQG 3.250.000.000 / 975.000.000; KCĐP
/// 1.530.000.000 / 460.000.000; grand total 4.780.000.000 / 1.435.000.000 / 3.245.000.000 /
/// 100.000.000 in 5 rows.
pub fn plan_fixture(s: &mut Store) {
    let a = facility(s, "Cơ sở A", "00376", "");
    let b = facility(s, "Cơ sở B", "00004", "");
    seven_proposals(s, &a, &b);
}

#[test]
fn totals_and_the_plan_match_the_hand_computed_fixture() {
    let (mut s, _) = store();
    plan_fixture(&mut s);

    let plan = s.annual_plan(2027, false).unwrap();
    // By content, then by implementing unit (the commune's own đề án: the facilities).
    let groups: Vec<(&str, usize, i64, i64, i64, i64)> = plan
        .groups
        .iter()
        .map(|g| {
            let t = &g.subtotal;
            (
                g.category.as_str(),
                t.count,
                t.total_cost,
                t.support,
                t.counterpart,
                t.other_sources,
            )
        })
        .collect();
    use FundingSource::{Kcdp, Kcqg};
    assert_eq!(
        groups,
        vec![
            (
                "KC03",
                3,
                3_750_000_000,
                1_125_000_000,
                2_525_000_000,
                100_000_000
            ),
            ("KC05", 1, 1_000_000_000, 300_000_000, 700_000_000, 0),
            ("KC10", 1, 30_000_000, 10_000_000, 20_000_000, 0),
        ]
    );
    assert!(plan
        .groups
        .iter()
        .all(|g| g.units.len() == 1 && g.units[0].unit == UnitKind::Facility));
    let f: Vec<(FundingSource, i64, i64)> = plan
        .by_funding
        .iter()
        .map(|(f, t)| (*f, t.total_cost, t.support))
        .collect();
    assert_eq!(
        f,
        vec![
            (Kcqg, 3_250_000_000, 975_000_000),
            (Kcdp, 1_530_000_000, 460_000_000)
        ]
    );
    let t = plan.total;
    assert_eq!(
        (
            t.count,
            t.total_cost,
            t.support,
            t.counterpart,
            t.other_sources
        ),
        (5, 4_780_000_000, 1_435_000_000, 3_245_000_000, 100_000_000)
    );
    // Within a unit, facilities in Vietnamese order.
    let names: Vec<&str> = plan.groups[0].units[0]
        .items
        .iter()
        .map(|p| p.facility_name.as_str())
        .collect();
    assert_eq!(names, vec!["Cơ sở A", "Cơ sở A", "Cơ sở B"]);
    // With drafts: KC01 joins.
    let with = s.annual_plan(2027, true).unwrap();
    assert_eq!(with.total.count, 6);
    assert_eq!(with.groups[0].category, "KC01");

    // The list's totals for a filter, computed in SQL, agree with the plan's arithmetic.
    let open = ProposalFilter {
        statuses: S::ALL.into_iter().filter(|s| s.is_open()).collect(),
        ..Default::default()
    };
    let totals = s.proposal_totals(&open).unwrap();
    assert_eq!(totals.total.count, 6);
    assert_eq!(totals.total.support, 1_485_000_000);
    let cats: Vec<(&str, usize, i64)> = totals
        .by_category
        .iter()
        .map(|(c, t)| (c.as_str(), t.count, t.support))
        .collect();
    assert_eq!(
        cats,
        vec![
            ("KC01", 1, 50_000_000),
            ("KC03", 3, 1_125_000_000),
            ("KC05", 1, 300_000_000),
            ("KC10", 1, 10_000_000)
        ]
    );
    let listed = s.list_proposals(&open, 0, 100).unwrap();
    assert_eq!(ctv::domain::proposal::ProposalTotals::of(&listed), totals);
    let kcqg = ProposalFilter {
        funding: Some(Kcqg),
        ..Default::default()
    };
    assert_eq!(s.count_proposals(&kcqg).unwrap(), 3);
    assert_eq!(
        s.proposal_totals(&kcqg).unwrap().total.total_cost,
        3_950_000_000
    );
    let one_commune = ProposalFilter {
        commune: Some("00004".into()),
        category: Some("KC03".into()),
        ..Default::default()
    };
    assert_eq!(s.list_proposals(&one_commune, 0, 100).unwrap().len(), 1);
    // Outside the scope, nothing is listed.
    as_role(&mut s, "Người ngoài", "commune", "00008");
    assert_eq!(s.count_proposals(&ProposalFilter::default()).unwrap(), 0);
    assert!(s.annual_plan(2027, true).unwrap().groups.is_empty());
    // A plan of nothing is all zeros.
    assert_eq!(
        build(2027, Vec::new(), Vec::new(), Vec::new(), false)
            .total
            .count,
        0
    );
}

#[test]
fn the_list_follows_facility_names_and_a_renamed_facility_moves() {
    let (mut s, _clock) = store();
    let binh = facility(&mut s, "HTX Bình Minh", "00004", "12");
    let an = facility(&mut s, "HTX An Phú", "00004", "9");
    let money = ["300tr", "150tr", "150tr", "0"];
    let pb = common::proposals::add(&mut s, &binh, "KC01", "KCQG", money).id;
    let pa = common::proposals::add(&mut s, &an, "KC01", "KCQG", money).id;
    let order = |s: &Store| -> Vec<String> {
        s.list_proposals(&ProposalFilter::default(), 0, 10)
            .unwrap()
            .into_iter()
            .map(|p| p.id)
            .collect()
    };
    assert_eq!(order(&s), vec![pa.clone(), pb.clone()]);
    // Renamed, «An Phú» becomes «Yên Phú» and now sorts after «Bình Minh».
    let f = s.facility(&an).unwrap().unwrap();
    let data = FacilityData {
        name: "HTX Yên Phú".into(),
        ..f.data.clone()
    };
    s.update_facility_data(&an, f.meta.version, &data).unwrap();
    assert_eq!(order(&s), vec![pb, pa]);
}
