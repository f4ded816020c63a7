//! Fixtures for the đề án after approval: a file database with an approved proposal under
//! way, and the key folder bundles need.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use ctv::clock::FixedClock;
use ctv::domain::proposal::{BeneficiaryInput, MoveInput, ProposalInput, ProposalStatus};
use ctv::domain::{FacilityInput, ProfileInput};
use ctv::store::Store;

/// One key folder for the whole test process (keys are per profile id inside it).
pub fn keys_dir() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    let d = DIR.get_or_init(|| {
        let d = tempfile::tempdir().unwrap();
        std::env::set_var("CTV_KEYS_DIR", d.path());
        d
    });
    d.path()
}

pub fn as_profile(s: &mut Store, name: &str, role: &str, units: &str) {
    s.init_profile(
        &ProfileInput {
            name: name.into(),
            role: role.into(),
            units: units.into(),
            account: None,
        },
        true,
    )
    .unwrap();
}

pub fn open(dir: &Path, name: &str, clock: &FixedClock) -> (Store, PathBuf) {
    let path = dir.join(name);
    let s = Store::open_with_clock(&path, Arc::new(clock.clone())).unwrap();
    (s, path)
}

/// A commune collaborator of 00004 drafts and proposes a proposal for a facility (300 million
/// total, 100 million asked); an area officer of the same database reviews it. Returns its id.
/// The profile is left as the area officer (the one whose export sends it to the province).
pub fn reviewed_proposal(s: &mut Store) -> String {
    reviewed(s, |s| ProposalInput {
        facility_id: facility_in(s, "HTX mây tre đan Phú Vinh", "00004"),
        ..proposal_300_100()
    })
}

/// A facility of `commune` (an HTX of 25 workers); returns its id.
pub fn facility_in(s: &mut Store, name: &str, commune: &str) -> String {
    s.create_facility(&FacilityInput {
        name: name.into(),
        entity_type: "HTX".into(),
        commune_code: commune.into(),
        workers: "25".into(),
        ..Default::default()
    })
    .unwrap()
    .0
    .id
}

/// The proposal's own fields: 300 million total, 100 million asked, 200 million counterpart.
pub fn proposal_300_100() -> ProposalInput {
    ProposalInput {
        plan_year: "2027".into(),
        category: "KC03".into(),
        funding: "KCDP".into(),
        title: "Máy chẻ nan".into(),
        total_cost: "300.000.000".into(),
        support: "100.000.000".into(),
        counterpart: "200.000.000".into(),
        other_sources: "0".into(),
        ..Default::default()
    }
}

/// The three facilities of a group đề án in 00004 with (support, counterpart) shares of the
/// 300/100 proposal: 50/100, 30/60 and 20/40 million (the first is the lead).
pub fn group_of_three(s: &mut Store) -> Vec<BeneficiaryInput> {
    [
        ("HTX mây tre đan Phú Vinh", "50tr", "100tr"),
        ("Cơ sở mây tre Hòa Bình", "30tr", "60tr"),
        ("Tổ hợp tác đan lát Phú Nghĩa", "20tr", "40tr"),
    ]
    .into_iter()
    .map(|(name, support, counterpart)| BeneficiaryInput {
        facility_id: facility_in(s, name, "00004"),
        support: support.into(),
        counterpart: counterpart.into(),
    })
    .collect()
}

/// Like [`reviewed_proposal`] for a group đề án of three facilities (a pilot).
pub fn reviewed_group_proposal(s: &mut Store) -> String {
    reviewed(s, |s| ProposalInput {
        beneficiaries: group_of_three(s),
        is_pilot: true,
        ..proposal_300_100()
    })
}

/// The province's setting, a commune collaborator drafting `input` and proposing it, the
/// area officer reviewing it.
fn reviewed(s: &mut Store, input: impl FnOnce(&mut Store) -> ProposalInput) -> String {
    // A province with an area review between commune and province (issue 15's setting).
    as_profile(s, "Trung tâm Khuyến công Hà Nội", "province", "01");
    s.set_area_review(true).unwrap();
    as_profile(s, "Nguyễn Văn An", "commune", "00004");
    let input = input(s);
    let p = s.add_proposal(&input).unwrap().0;
    s.propose(&p.id, p.version).unwrap();
    as_profile(s, "Lê Thị Bình", "area", "00004,00376");
    let v = s.proposal(&p.id).unwrap().unwrap().version;
    s.review_proposal(&p.id, v, "Đủ điều kiện").unwrap();
    p.id
}

/// The province approves `approved` (decision 123/QĐ-SCT of 02/01/2027) through the one
/// transition rule. The profile must be the province's.
pub fn approve(s: &mut Store, id: &str, approved: i64) {
    let v = s.proposal(id).unwrap().unwrap().version;
    let input = MoveInput {
        approved_support: approved.to_string(),
        decision_no: "123/QĐ-SCT".into(),
        decision_date: "02/01/2027".into(),
        ..Default::default()
    };
    s.move_proposal_with(id, v, ProposalStatus::PheDuyet, &input)
        .unwrap();
}

/// The province approves `approved` and starts the đề án (the facility carries it out).
pub fn approve_and_start(s: &mut Store, id: &str, approved: i64) {
    approve(s, id, approved);
    let v = s.proposal(id).unwrap().unwrap().version;
    let input = MoveInput {
        start_date: "04/01/2027".into(),
        implementing_unit: "HTX mây tre đan Phú Vinh".into(),
        planned_end: "30/06/2027".into(),
        ..Default::default()
    };
    s.move_proposal_with(id, v, ProposalStatus::DangThucHien, &input)
        .unwrap();
}

/// A single province database holding a proposal under way with `approved` support: drafted
/// by the commune, reviewed by the area officer, sent by the export, approved and started by
/// the province (whose profile is left current).
pub fn project_under_way(
    dir: &Path,
    clock: &FixedClock,
    approved: i64,
) -> (Store, PathBuf, String) {
    let (mut s, path) = open(dir, "province.db", clock);
    let id = reviewed_proposal(&mut s);
    s.mark_sent_to_province(std::slice::from_ref(&id)).unwrap();
    as_profile(&mut s, "Trung tâm Khuyến công Hà Nội", "province", "01");
    approve_and_start(&mut s, &id, approved);
    (s, path, id)
}
