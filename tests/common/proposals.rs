//! The proposal fixtures shared by `proposals.rs` and `ui_proposals.rs`.

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use ctv::clock::FixedClock;
use ctv::domain::proposal::{Proposal, ProposalInput, ProposalStatus as S};
use ctv::domain::{FacilityInput, ProfileInput};
use ctv::store::Store;

/// A Vietnam wall-clock hour as UTC.
pub fn vn(y: i32, m: u32, day: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, day, h, 0, 0).unwrap() - Duration::hours(7)
}

pub fn as_role(s: &mut Store, name: &str, role: &str, units: &str) {
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

/// An in-memory store at 25/11/2026 10:00, a commune collaborator for 00004 and 00376, in a
/// province that uses an area review (the area officer's moves are tested here).
pub fn store() -> (Store, FixedClock) {
    let clock = FixedClock::new(vn(2026, 11, 25, 10));
    let mut s = Store::open_in_memory(Arc::new(clock.clone())).unwrap();
    s.set_setting("area_review", "yes").unwrap();
    as_role(&mut s, "Trần Thị Bình", "commune", "00004,00376");
    (s, clock)
}

pub fn facility(s: &mut Store, name: &str, commune: &str, workers: &str) -> String {
    s.create_facility(&FacilityInput {
        name: name.into(),
        entity_type: "HTX".into(),
        commune_code: commune.into(),
        workers: workers.into(),
        woman_owned: "1".into(),
        craft_village: "Làng nghề mây tre đan Phú Vinh".into(),
        ..Default::default()
    })
    .unwrap()
    .0
    .id
}

/// A draft proposal for 2027: `money` is total, support, counterpart, other sources.
pub fn add(s: &mut Store, fac: &str, cat: &str, fund: &str, money: [&str; 4]) -> Proposal {
    s.add_proposal(&ProposalInput {
        facility_id: fac.into(),
        plan_year: "2027".into(),
        category: cat.into(),
        funding: fund.into(),
        title: format!("Đề án {cat}"),
        total_cost: money[0].into(),
        support: money[1].into(),
        counterpart: money[2].into(),
        other_sources: money[3].into(),
        ..Default::default()
    })
    .unwrap()
    .0
}

/// The seven proposals of the plan test over facilities `a` and `b` (their totals are worked
/// out by hand beside `plan_fixture` in `proposals.rs`): five proposed, one draft, one
/// withdrawn.
pub fn seven_proposals(s: &mut Store, a: &str, b: &str) {
    let rows: [(&str, &str, &str, [&str; 4], S); 7] = [
        (
            a,
            "KC03",
            "KCQG",
            ["1.250.000.000", "375.000.000", "875.000.000", ""],
            S::DeXuat,
        ),
        (
            b,
            "KC03",
            "KCQG",
            ["2 tỷ", "600 triệu", "1,3 tỷ", "100 triệu"],
            S::DeXuat,
        ),
        (
            a,
            "KC03",
            "KCDP",
            ["500000000", "150000000", "350000000", "0"],
            S::DeXuat,
        ),
        (
            b,
            "KC05",
            "KCDP",
            ["1 tỷ", "300 triệu", "700 triệu", ""],
            S::DeXuat,
        ),
        (
            a,
            "KC10",
            "KCDP",
            ["30.000.000", "10.000.000", "20.000.000", ""],
            S::DeXuat,
        ),
        (
            b,
            "KC01",
            "KCDP",
            ["80.000.000", "50.000.000", "30.000.000", ""],
            S::Nhap,
        ),
        (
            a,
            "KC05",
            "KCQG",
            ["700.000.000", "200.000.000", "500.000.000", ""],
            S::Rut,
        ),
    ];
    for (fac, cat, fund, money, status) in rows {
        let p = add(s, fac, cat, fund, money);
        match status {
            S::DeXuat => {
                s.propose(&p.id, p.version).unwrap();
            }
            S::Rut => {
                s.withdraw_proposal(&p.id, p.version, "Cơ sở không còn nhu cầu")
                    .unwrap();
            }
            _ => {}
        }
    }
}
