//! The annual plan's fixture (tests/plan.rs, tests/ui_plan.rs): a commune collaborator's
//! database file at 10/06/2026, with đề án for 2027 of every kind the plan groups — one
//! facility's, a pilot group of two facilities, the centre's own (no facility), a draft —
//! and the centre's activities of 2027, one of them part of a đề án.
//!
//! Everything goes through the store API, each đề án along its real path: the group and the
//! pilot flag in the commune's `ProposalInput`, the centre's own drafted by a province
//! profile, reviewed by the area officer and marked sent as the export does.

use std::path::PathBuf;
use std::sync::Arc;

use ctv::clock::FixedClock;
use ctv::domain::activity::ActivityInput;
use ctv::domain::proposal::{BeneficiaryInput, ProposalInput};
use ctv::store::Store;

use super::proposals::{add, as_role, facility, vn};

/// Ids of the fixture's đề án.
pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    pub clock: FixedClock,
    /// A's KC03 đề án (KCQG, proposed).
    pub single: String,
    /// B's KC03 pilot group with C (KCĐP, proposed).
    pub group: String,
    /// The centre's own KC03 đề án (no facility, KCĐP, sent to the province).
    pub centre: String,
    /// A's KC01 draft.
    pub draft: String,
    /// Facility C (the group's second beneficiary).
    pub c: String,
}

/// Opens the fixture's database again with its clock.
pub fn open(f: &Fixture) -> Store {
    Store::open_with_clock(&f.db, Arc::new(f.clock.clone())).unwrap()
}

/// | đề án  | content | unit      | source | total         | support     | counterpart | status      |
/// |--------|---------|-----------|--------|---------------|-------------|-------------|-------------|
/// | centre | KC03    | centre    | KCĐP   | 300.000.000   | 300.000.000 | 0           | DA_GUI_TINH |
/// | single | KC03    | facility  | KCQG   | 1.250.000.000 | 375.000.000 | 875.000.000 | DE_XUAT     |
/// | group  | KC03    | facility  | KCĐP   | 500.000.000   | 150.000.000 | 350.000.000 | DE_XUAT     |
/// | draft  | KC01    | facility  | KCĐP   | 80.000.000    | 50.000.000  | 30.000.000  | NHAP        |
///
/// Activities of 2027: a training course (45.000.000, counted), a fair that is part of
/// `single` (20.000.000, not counted again); one of 2028 (left out).
pub fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ctv.db");
    let clock = FixedClock::new(vn(2026, 6, 10, 10));
    let mut s = Store::open_with_clock(&db, Arc::new(clock.clone())).unwrap();
    s.set_setting("area_review", "yes").unwrap();
    as_role(&mut s, "Trần Thị Bình", "commune", "00004,00376");
    let a = facility(&mut s, "HTX mây tre đan Phú Vinh", "00004", "");
    let b = facility(&mut s, "Cơ sở gốm Bát Tràng", "00376", "");
    let c = facility(&mut s, "Tổ hợp tác thêu Quất Động", "00376", "");
    let money = |m: [&'static str; 4]| m;
    let single = add(
        &mut s,
        &a,
        "KC03",
        "KCQG",
        money(["1.250.000.000", "375.000.000", "875.000.000", ""]),
    );
    s.propose(&single.id, single.version).unwrap();
    // B leads, C follows; their shares add up to the đề án's support and counterpart.
    let share = |f: &str, support: &str, counterpart: &str| BeneficiaryInput {
        facility_id: f.to_string(),
        support: support.into(),
        counterpart: counterpart.into(),
    };
    let group = s
        .add_proposal(&ProposalInput {
            facility_id: String::new(),
            plan_year: "2027".into(),
            category: "KC03".into(),
            funding: "KCDP".into(),
            title: "Đề án KC03".into(),
            total_cost: "500.000.000".into(),
            support: "150.000.000".into(),
            counterpart: "350.000.000".into(),
            beneficiaries: vec![
                share(&b, "100.000.000", "200.000.000"),
                share(&c, "50.000.000", "150.000.000"),
            ],
            is_pilot: true,
            ..Default::default()
        })
        .unwrap()
        .0;
    s.propose(&group.id, group.version).unwrap();
    let draft = add(
        &mut s,
        &a,
        "KC01",
        "KCDP",
        money(["80.000.000", "50.000.000", "30.000.000", ""]),
    );
    let activity =
        |kind: &str, title: &str, start: &str, cost: &str, proposal: &str| ActivityInput {
            kind: kind.into(),
            title: title.into(),
            start_date: start.into(),
            commune_code: "00004".into(),
            organiser: "Trung tâm Khuyến công".into(),
            cost: cost.into(),
            proposal_id: proposal.into(),
            unnamed_count: "20".into(),
            ..Default::default()
        };
    s.add_activity(&activity(
        "TAP_HUAN",
        "Lớp tập huấn đan mây xuất khẩu",
        "12/03/2027",
        "45 triệu",
        "",
    ))
    .unwrap();
    s.add_activity(&activity(
        "HOI_CHO",
        "Gian hàng hội chợ của mô hình",
        "20/09/2027",
        "20 triệu",
        &single.id,
    ))
    .unwrap();
    s.add_activity(&activity(
        "HOI_THAO",
        "Hội thảo năm sau",
        "10/01/2028",
        "10 triệu",
        "",
    ))
    .unwrap();

    // The centre's own đề án (no facility): only a province profile may draft one. It is
    // proposed, reviewed by the area officer and sent as the export sends it.
    as_role(&mut s, "Trung tâm Khuyến công Hà Nội", "province", "01");
    let centre = s
        .add_proposal(&ProposalInput {
            commune_code: "00004".into(),
            plan_year: "2027".into(),
            category: "KC03".into(),
            funding: "KCDP".into(),
            title: "Mô hình trình diễn của Trung tâm".into(),
            total_cost: "300.000.000".into(),
            support: "300.000.000".into(),
            counterpart: "0".into(),
            ..Default::default()
        })
        .unwrap()
        .0;
    let centre = s.propose(&centre.id, centre.version).unwrap();
    as_role(&mut s, "Lê Thị Bình", "area", "00004,00376");
    s.review_proposal(&centre.id, centre.version, "Đủ điều kiện")
        .unwrap();
    s.mark_sent_to_province(std::slice::from_ref(&centre.id))
        .unwrap();
    // The file is the commune collaborator's again.
    as_role(&mut s, "Trần Thị Bình", "commune", "00004,00376");
    drop(s);
    Fixture {
        dir,
        db,
        clock,
        single: single.id,
        group: group.id,
        centre: centre.id,
        draft: draft.id,
        c,
    }
}
