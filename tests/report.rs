//! The report, the dashboard and targets (issue 17): a small province (three communes, a
//! commune sender and an area sender) merges both bundles, and every figure of its report is
//! checked against what the test itself says each record counts in; the workbook read back
//! with calamine; scopes; targets carried to a commune in a receipt.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use calamine::{open_workbook, Data, Reader, Xlsx};
use common::bundles::import_bundle;
use common::projects::{as_profile, keys_dir};
use common::proposals::vn;
use common::villages::{ocop, typical, village as village_input};
use ctv::bundle::{export, receive, ExportOptions};
use ctv::clock::FixedClock;
use ctv::domain::activity::{ActivityInput, AttendeeInput};
use ctv::domain::consultation::{ConsultationInput, FollowUpClose};
use ctv::domain::product::TitleInput;
use ctv::domain::project::{PaymentInput, ResultInput};
use ctv::domain::proposal::{MoveInput, ProposalInput, ProposalStatus};
use ctv::domain::report::{Period, Target, TargetKey};
use ctv::domain::FacilityInput;
use ctv::store::report::{Dim, Metric, ReportScope};
use ctv::store::{Store, StoreError};

const A: &str = "00004"; // the commune sender's commune
const B: &str = "00008"; // the area sender's communes
const C: &str = "00025";

/// What the test expects: (metric, breakdown, code) → commune → value.
#[derive(Default)]
struct Expect(BTreeMap<(Metric, Dim, String), BTreeMap<String, i64>>);

impl Expect {
    /// A record of `commune` counts `v` in `metric`, overall and under each breakdown.
    fn add(&mut self, metric: Metric, codes: &[(Dim, &str)], commune: &str, v: i64) {
        let mut put = |d: Dim, code: &str| {
            *self
                .0
                .entry((metric, d, code.to_string()))
                .or_default()
                .entry(commune.to_string())
                .or_default() += v;
        };
        put(Dim::All, "");
        for (d, code) in codes {
            put(*d, code);
        }
    }

    fn total(&self, metric: Metric) -> i64 {
        self.0
            .get(&(metric, Dim::All, String::new()))
            .map_or(0, |m| m.values().sum())
    }
}

struct Sender {
    store: Store,
    /// What it sent, in order.
    bundles: Vec<PathBuf>,
    facilities: Vec<String>,
    proposals: Vec<String>,
}

fn facility(
    s: &mut Store,
    name: &str,
    commune: &str,
    kind: &str,
    trade: &str,
    status: &str,
) -> String {
    s.create_facility(&FacilityInput {
        name: name.into(),
        entity_type: kind.into(),
        trade_group: trade.into(),
        commune_code: commune.into(),
        status: status.into(),
        ..Default::default()
    })
    .unwrap()
    .0
    .id
}

fn consult(s: &mut Store, fac: &str, date: &str, mode: &str, topics: &str, follow: &str) -> String {
    s.add_consultation(&ConsultationInput {
        facility_id: fac.into(),
        date: date.into(),
        mode: mode.into(),
        topics: topics.into(),
        follow_up_date: follow.into(),
        ..Default::default()
    })
    .unwrap()
    .0
    .id
}

fn propose(
    s: &mut Store,
    fac: &str,
    (cat, fund): (&str, &str),
    money: [&str; 3],
    pilot: bool,
) -> String {
    let p = s
        .add_proposal(&ProposalInput {
            facility_id: fac.into(),
            plan_year: "2026".into(),
            category: cat.into(),
            funding: fund.into(),
            title: format!("Đề án {cat}"),
            total_cost: money[0].into(),
            support: money[1].into(),
            counterpart: money[2].into(),
            other_sources: "0".into(),
            is_pilot: pilot,
            ..Default::default()
        })
        .unwrap()
        .0;
    s.propose(&p.id, p.version).unwrap();
    p.id
}

/// One named attendee: facility, name, woman, ethnic minority.
type Named<'a> = (Option<&'a str>, &'a str, bool, bool);

/// An activity of `kind` in `commune` starting `start` (dd/mm/yyyy), with its not-named
/// counts (all, women, ethnic minority) and named attendees; its id.
fn activity(
    s: &mut Store,
    (kind, commune, start): (&str, &str, &str),
    unnamed: (i64, i64, i64),
    named: &[Named<'_>],
) -> String {
    let attendees = named
        .iter()
        .map(|(fac, name, woman, minority)| AttendeeInput {
            facility_id: fac.unwrap_or_default().to_string(),
            person_name: (*name).into(),
            gender: if *woman { "NU" } else { "NAM" }.into(),
            ethnic_minority: *minority,
        })
        .collect();
    s.add_activity(&ActivityInput {
        kind: kind.into(),
        title: format!("Hoạt động {kind} ngày {start}"),
        start_date: start.into(),
        commune_code: commune.into(),
        unnamed_count: unnamed.0.to_string(),
        unnamed_women: unnamed.1.to_string(),
        unnamed_minority: unnamed.2.to_string(),
        attendees,
        ..Default::default()
    })
    .unwrap()
    .id
}

/// A craft village of `commune` at `status` (CONG_NHAN, CHUA_CONG_NHAN); its id.
fn village(s: &mut Store, name: &str, commune: &str, status: &str) -> String {
    s.add_village(&ctv::domain::village::VillageInput {
        status: status.into(),
        ..village_input(name, commune)
    })
    .unwrap()
    .id
}

/// A title issued on `issued` (dd/mm/yyyy) running to `expiry` (empty: none). Each OCOP title
/// here is given its expiry, not left to the three-year rule, so what the test expects does
/// not rest on the code under test.
fn title(base: TitleInput, issued: &str, expiry: &str) -> TitleInput {
    TitleInput {
        issued_date: issued.into(),
        expiry_date: expiry.into(),
        ..base
    }
}

fn send(s: &mut Store, dir: &Path, name: &str) -> PathBuf {
    export(
        s,
        &ExportOptions {
            full: false,
            out: Some(dir.join(name)),
        },
        &|_, _| {},
    )
    .unwrap()
    .path
}

/// The commune sender (00004): two facilities, three consultations (one before the period),
/// an overdue follow-up and one done, two proposals, a training course, a recognised craft
/// village and a product with two titles.
fn commune_sender(dir: &Path, clock: &FixedClock, e: &mut Expect) -> Sender {
    let mut s = Store::open_with_clock(&dir.join("a.db"), Arc::new(clock.clone())).unwrap();
    as_profile(&mut s, "Nguyễn Văn An", "commune", A);
    let f1 = facility(&mut s, "HTX chè Tân Cương", A, "HTX", "NN1", "");
    let f2 = facility(&mut s, "Hộ mộc Đức", A, "HKD", "NN4", "paused");
    for (kind, trade, active) in [("HTX", "NN1", true), ("HKD", "NN4", false)] {
        let codes = [(Dim::TradeGroup, trade), (Dim::EntityType, kind)];
        e.add(Metric::FacilitiesRegistered, &codes, A, 1);
        if active {
            e.add(Metric::FacilitiesActive, &codes, A, 1);
        }
    }
    // Overdue on 25/11 (due 20/11, open).
    consult(
        &mut s,
        &f1,
        "15/10/2026",
        "TRUC_TIEP",
        "KC03, KC08",
        "20/11/2026",
    );
    e.add(Metric::Consultations, &[(Dim::Mode, "TRUC_TIEP")], A, 1);
    e.add(Metric::ConsultationTopics, &[(Dim::Topic, "KC03")], A, 1);
    e.add(Metric::ConsultationTopics, &[(Dim::Topic, "KC08")], A, 1);
    e.add(Metric::FollowUpsOverdue, &[], A, 1);
    // Done today.
    let c2 = consult(
        &mut s,
        &f2,
        "01/11/2026",
        "DIEN_THOAI",
        "KC01",
        "30/11/2026",
    );
    e.add(Metric::Consultations, &[(Dim::Mode, "DIEN_THOAI")], A, 1);
    e.add(Metric::ConsultationTopics, &[(Dim::Topic, "KC01")], A, 1);
    // A new follow-up is at version 1.
    s.complete_follow_up(
        &c2,
        1,
        &FollowUpClose {
            outcome_id: None,
            note: "Đã gọi lại".into(),
        },
    )
    .unwrap();
    e.add(Metric::FollowUpsDone, &[], A, 1);
    // Before the period: counts nowhere in Q4.
    consult(&mut s, &f1, "20/09/2026", "TRUC_TIEP", "KC03", "");
    let p1 = propose(
        &mut s,
        &f1,
        ("KC03", "KCDP"),
        ["300 triệu", "100 triệu", "200 triệu"],
        false,
    );
    let p2 = propose(
        &mut s,
        &f2,
        ("KC01", "KCQG"),
        ["100 triệu", "50 triệu", "50 triệu"],
        false,
    );

    // A training course: 10 not named (6 women, 2 ethnic minority) and two named (a woman
    // of a minority from the first facility, and a man).
    activity(
        &mut s,
        ("TAP_HUAN", A, "12/10/2026"),
        (10, 6, 2),
        &[
            (Some(&f1), "Lò Thị Mai", true, true),
            (None, "Trần Văn Hùng", false, false),
        ],
    );
    let course = [(Dim::Kind, "TAP_HUAN")];
    e.add(Metric::Activities, &course, A, 1);
    e.add(Metric::Attendees, &course, A, 10 + 2);
    e.add(Metric::AttendeesWomen, &course, A, 6 + 1);
    e.add(Metric::AttendeesMinority, &course, A, 2 + 1);

    // A recognised craft village.
    village(&mut s, "Làng chè Tân Cương", A, "CONG_NHAN");
    let recognised = [(Dim::VillageStatus, "CONG_NHAN")];
    e.add(Metric::CraftVillages, &recognised, A, 1);

    // A product with both titles: OCOP of 2025 (to 2028) and typical product of 2026.
    let titles = [
        title(ocop("4", "01/03/2025"), "01/03/2025", "01/03/2028"),
        title(typical("TINH", "2026"), "10/09/2026", ""),
    ];
    s.add_product(&f1, "Chè búp Tân Cương", "", &titles)
        .unwrap();
    e.add(Metric::ProductsTitled, &[], A, 1);
    e.add(Metric::ProductTitles, &[(Dim::TitleKind, "OCOP")], A, 1);
    e.add(
        Metric::ProductTitles,
        &[(Dim::TitleKind, "TIEU_BIEU")],
        A,
        1,
    );

    let bundle = send(&mut s, dir, "a.ctvb");
    Sender {
        store: s,
        bundles: vec![bundle],
        facilities: vec![f1, f2],
        proposals: vec![p1, p2],
    }
}

/// The area sender (00008 and 00025): three facilities, two consultations, one pilot
/// proposal, three activities (one before the period, one archived), two craft villages (one
/// archived) and two products (one whose title has expired).
fn area_sender(dir: &Path, clock: &FixedClock, e: &mut Expect) -> Sender {
    let mut s = Store::open_with_clock(&dir.join("b.db"), Arc::new(clock.clone())).unwrap();
    as_profile(&mut s, "Lê Thị Bình", "area", &format!("{B},{C}"));
    let mut facilities = Vec::new();
    for (name, commune, kind, trade) in [
        ("Công ty gốm Ngọc Hà", B, "DNNVV", "NN1"),
        ("Tổ hợp tác thêu Giảng Võ", C, "THT", "NN2"),
        ("HTX mây tre Giảng Võ", C, "HTX", "NN4"),
    ] {
        facilities.push(facility(&mut s, name, commune, kind, trade, ""));
        let codes = [(Dim::TradeGroup, trade), (Dim::EntityType, kind)];
        e.add(Metric::FacilitiesRegistered, &codes, commune, 1);
        e.add(Metric::FacilitiesActive, &codes, commune, 1);
    }
    consult(&mut s, &facilities[0], "05/10/2026", "HOI_NGHI", "KC02", "");
    e.add(Metric::Consultations, &[(Dim::Mode, "HOI_NGHI")], B, 1);
    e.add(Metric::ConsultationTopics, &[(Dim::Topic, "KC02")], B, 1);
    consult(
        &mut s,
        &facilities[2],
        "10/11/2026",
        "TRUC_TIEP",
        "KC03, KC06",
        "",
    );
    e.add(Metric::Consultations, &[(Dim::Mode, "TRUC_TIEP")], C, 1);
    e.add(Metric::ConsultationTopics, &[(Dim::Topic, "KC03")], C, 1);
    e.add(Metric::ConsultationTopics, &[(Dim::Topic, "KC06")], C, 1);
    // A pilot (đề án điểm): counted on the pilot lines once the province approves it.
    let p = propose(
        &mut s,
        &facilities[1],
        ("KC06", "KCDP"),
        ["200 triệu", "80 triệu", "120 triệu"],
        true,
    );

    // A fair with one woman named.
    activity(
        &mut s,
        ("HOI_CHO", C, "05/12/2026"),
        (0, 0, 0),
        &[(None, "Vũ Thị Lan", true, false)],
    );
    let fair = [(Dim::Kind, "HOI_CHO")];
    e.add(Metric::Activities, &fair, C, 1);
    e.add(Metric::Attendees, &fair, C, 1);
    e.add(Metric::AttendeesWomen, &fair, C, 1);
    // A course before the period (Q3: counts nowhere in Q4), and one in the period that is
    // archived after it was sent (below: counts nowhere at all).
    activity(&mut s, ("TAP_HUAN", B, "20/09/2026"), (30, 10, 0), &[]);
    let gone = activity(&mut s, ("TAP_HUAN", B, "20/10/2026"), (30, 10, 0), &[]);

    // Craft villages: one not yet recognised, and a recognised one archived after it was
    // sent (below).
    village(&mut s, "Làng thêu Giảng Võ", C, "CHUA_CONG_NHAN");
    let pending = [(Dim::VillageStatus, "CHUA_CONG_NHAN")];
    e.add(Metric::CraftVillages, &pending, C, 1);
    let closed = village(&mut s, "Làng mây tre Giảng Võ", C, "CONG_NHAN");

    // Products: an OCOP title that expired in 2025 (counts nowhere), and a typical product
    // of 2026.
    let expired = [title(ocop("3", "01/05/2022"), "01/05/2022", "01/05/2025")];
    s.add_product(&facilities[0], "Bình gốm men lam", "", &expired)
        .unwrap();
    let typical_2026 = [title(typical("TINH", "2026"), "20/10/2026", "")];
    s.add_product(&facilities[2], "Khay mây đan", "", &typical_2026)
        .unwrap();
    e.add(Metric::ProductsTitled, &[], C, 1);
    e.add(
        Metric::ProductTitles,
        &[(Dim::TitleKind, "TIEU_BIEU")],
        C,
        1,
    );

    let first = send(&mut s, dir, "b1.ctvb");
    // Archived since: the next bundle carries the archiving as a change.
    s.archive_activity(&gone, 1).unwrap();
    s.set_village_archived(&closed, 1, true).unwrap();
    let second = send(&mut s, dir, "b2.ctvb");
    Sender {
        store: s,
        bundles: vec![first, second],
        facilities,
        proposals: vec![p],
    }
}

fn approve(s: &mut Store, id: &str, approved: &str, date: &str) {
    let v = s.proposal(id).unwrap().unwrap().version;
    let input = MoveInput {
        approved_support: approved.into(),
        decision_no: "12/QĐ-SCT".into(),
        decision_date: date.into(),
        ..Default::default()
    };
    s.move_proposal_with(id, v, ProposalStatus::PheDuyet, &input)
        .unwrap();
}

struct Province {
    _dir: tempfile::TempDir,
    db: PathBuf,
    store: Store,
    a: Sender,
    expect: Expect,
}

/// The province (Hà Nội) imports both bundles, decides, pays and records results; every other
/// record comes from the senders.
fn province() -> Province {
    keys_dir();
    let dir = tempfile::tempdir().unwrap();
    let clock = FixedClock::new(vn(2026, 11, 25, 10));
    let mut e = Expect::default();
    let a = commune_sender(dir.path(), &clock, &mut e);
    let b = area_sender(dir.path(), &clock, &mut e);
    let db = dir.path().join("province.db");
    let mut p = Store::open_with_clock(&db, Arc::new(clock.clone())).unwrap();
    as_profile(&mut p, "Trung tâm Khuyến công Hà Nội", "province", "01");
    // Every record the report counts below, but the province's decisions, payments and
    // results, was written by a sender and reaches the province in its bundles: activities,
    // craft villages, products with their titles, the pilot flag; the archiving of an
    // activity and a village as an update. (new, updated) of activities, villages, products:
    let travels = [
        (&a.bundles[0], [(1, 0), (1, 0), (1, 0)]),
        (&b.bundles[0], [(3, 0), (2, 0), (2, 0)]),
        (&b.bundles[1], [(0, 1), (0, 1), (0, 0)]),
    ];
    for (bundle, want) in travels {
        let r = import_bundle(&mut p, bundle);
        let got = ["activity", "craft_village", "product"].map(|k| {
            let c = r.count(k);
            (c.new, c.updated)
        });
        assert_eq!(got, want, "{r:?}");
    }
    approve(&mut p, &a.proposals[0], "90 triệu", "10/11/2026");
    approve(&mut p, &b.proposals[0], "80 triệu", "15/10/2026");
    p.add_payment(
        &a.proposals[0],
        &PaymentInput {
            date: "20/11/2026".into(),
            amount: "40 triệu".into(),
            kind: "TAM_UNG".into(),
            ..Default::default()
        },
    )
    .unwrap();
    let result = |date: &str, jobs: &str, trained: &str| ResultInput {
        stage: "DANH_GIA".into(),
        date: date.into(),
        jobs_created: jobs.into(),
        workers_trained: trained.into(),
        ..Default::default()
    };
    // Two results of the same đề án in the period: the later one counts.
    p.add_result(&a.proposals[0], &result("12/11/2026", "3", "10"))
        .unwrap();
    p.add_result(&a.proposals[0], &result("22/11/2026", "5", "12"))
        .unwrap();
    e.add(Metric::JobsCreated, &[], A, 5);
    e.add(Metric::WorkersTrained, &[], A, 12);
    // Stages: one approved of each sender, one still sent.
    e.add(Metric::Proposals, &[(Dim::Status, "PHE_DUYET")], A, 1);
    e.add(Metric::Proposals, &[(Dim::Status, "DA_GUI_TINH")], A, 1);
    e.add(Metric::Proposals, &[(Dim::Status, "PHE_DUYET")], C, 1);
    for (commune, cat, money, paid) in [
        (A, "KC03", 90_000_000, 40_000_000),
        (C, "KC06", 80_000_000, 0),
    ] {
        let codes = [(Dim::Category, cat), (Dim::Funding, "KCDP")];
        e.add(Metric::ProjectsApproved, &codes, commune, 1);
        e.add(Metric::MoneyApproved, &codes, commune, money);
        if paid > 0 {
            e.add(Metric::MoneyPaid, &codes, commune, paid);
        }
    }
    // The area's đề án, approved, is a pilot.
    e.add(Metric::PilotsApproved, &[], C, 1);
    e.add(Metric::PilotMoneyApproved, &[], C, 80_000_000);
    Province {
        _dir: dir,
        db,
        store: p,
        a,
        expect: e,
    }
}

/// Every figure of the report, as the test's map (zero totals left out).
fn figures(
    r: &ctv::store::report::Report,
) -> BTreeMap<(Metric, Dim, String), BTreeMap<String, i64>> {
    r.figures
        .iter()
        .filter(|f| f.total != 0)
        .map(|f| ((f.metric, f.dim, f.code.clone()), f.by_commune.clone()))
        .collect()
}

#[test]
fn every_figure_of_the_province_report_matches_the_records() {
    let p = province();
    let scope = p.store.report_scope(None).unwrap();
    let q4 = Period::parse("2026-Q4").unwrap();
    let r = p.store.report(&q4, &scope).unwrap();
    let got = figures(&r);
    for (k, v) in &p.expect.0 {
        assert_eq!(got.get(k), Some(v), "{k:?}");
    }
    for k in got.keys() {
        assert!(
            p.expect.0.contains_key(k),
            "unexpected figure {k:?}: {:?}",
            got[k]
        );
    }
    // Every headline figure is there, also when nothing is counted.
    for m in Metric::ALL {
        assert!(r.figure(m, Dim::All, "").is_some(), "{m:?}");
    }
    assert_eq!(r.value(Metric::PilotMoneyPaid, Dim::All, ""), 0);

    // Areas: the area officer's communes, and the rest of the province in none.
    let names: Vec<&str> = scope.areas.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["Lê Thị Bình", ""]);
    assert_eq!(scope.areas[0].communes, [B, C]);
    assert!(scope.areas[1].communes.contains(&A.to_string()));
    let reg = r
        .figure(Metric::FacilitiesRegistered, Dim::All, "")
        .unwrap();
    assert_eq!(r.area_value(reg, &scope.areas[0]), 3);
    assert_eq!(r.area_value(reg, &scope.areas[1]), 2);
    let money = r.figure(Metric::MoneyApproved, Dim::All, "").unwrap();
    assert_eq!(r.area_value(money, &scope.areas[0]), 80_000_000);
    assert_eq!(r.area_value(money, &scope.areas[1]), 90_000_000);

    // The records behind each total add up to it.
    let mut traced: BTreeMap<Metric, i64> = BTreeMap::new();
    p.store
        .report_records(&q4, &scope, |row| {
            for (m, v) in row.counts {
                *traced.entry(m).or_default() += v;
            }
            Ok(())
        })
        .unwrap();
    for m in Metric::ALL {
        assert_eq!(
            traced.get(&m).copied().unwrap_or(0),
            p.expect.total(m),
            "{m:?}"
        );
    }

    // Another period: Q3 holds the consultation, and the course, before Q4.
    let q3 = p
        .store
        .report(&Period::parse("2026-Q3").unwrap(), &scope)
        .unwrap();
    assert_eq!(q3.value(Metric::Consultations, Dim::All, ""), 1);
    assert_eq!(q3.value(Metric::Activities, Dim::Kind, "TAP_HUAN"), 1);
    assert_eq!(q3.value(Metric::Attendees, Dim::All, ""), 30);
    assert_eq!(q3.value(Metric::ProjectsApproved, Dim::All, ""), 0);
}

#[test]
fn a_narrowed_scope_counts_only_its_communes_and_is_checked() {
    let p = province();
    let q4 = Period::parse("2026-Q4").unwrap();
    let one = p.store.report_scope(Some(A)).unwrap();
    assert_eq!(one.communes, [A]);
    let r = p.store.report(&q4, &one).unwrap();
    for f in &r.figures {
        let want = p
            .expect
            .0
            .get(&(f.metric, f.dim, f.code.clone()))
            .and_then(|m| m.get(A))
            .copied()
            .unwrap_or(0);
        assert_eq!(f.total, want, "{:?} {:?} {}", f.metric, f.dim, f.code);
    }
    // The area officer by name: its two communes.
    let area = p.store.report_scope(Some("le thi binh")).unwrap();
    assert_eq!(area.communes, [B, C]);
    let r = p.store.report(&q4, &area).unwrap();
    assert_eq!(r.value(Metric::FacilitiesRegistered, Dim::All, ""), 3);
    assert_eq!(r.value(Metric::Attendees, Dim::All, ""), 1);

    // The commune sender may not look at another commune, nor at an unknown area.
    let a = &p.a.store;
    assert!(matches!(
        a.report_scope(Some(B)),
        Err(StoreError::OutOfScope(c)) if c == B
    ));
    assert!(matches!(
        a.report_scope(Some("Không có ai")),
        Err(StoreError::NotFound(_))
    ));
    // Its own report is its commune's.
    let own = a.report_scope(None).unwrap();
    assert_eq!(
        own,
        ReportScope {
            communes: vec![A.to_string()],
            narrowed_to: None,
            areas: Vec::new()
        }
    );
    let r = a.report(&q4, &own).unwrap();
    assert_eq!(r.value(Metric::FacilitiesRegistered, Dim::All, ""), 2);
    assert_eq!(r.value(Metric::Consultations, Dim::All, ""), 2);
}

fn sheet(path: &Path, n: usize) -> Vec<Vec<Data>> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let name = wb.sheet_names()[n].clone();
    let range = wb.worksheet_range(&name).unwrap();
    range.rows().map(|r| r.to_vec()).collect()
}

fn num(d: &Data) -> i64 {
    match d {
        Data::Float(f) => *f as i64,
        Data::Int(i) => *i,
        other => panic!("not a number: {other:?}"),
    }
}

#[test]
fn the_workbook_totals_equal_the_table_and_its_records_add_up() {
    let p = province();
    let db = p.db.clone();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bao-cao.xlsx");
    let (code, json, err) =
        common::ctv(&db, &["report", "--period", "2026-Q4", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let (code, msg, err) = common::ctv(
        &db,
        &[
            "report",
            "--period",
            "2026-Q4",
            "--format",
            "xlsx",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(msg.contains("2026-Q4"), "{msg}");
    let (code, table, err) = common::ctv(&db, &["report", "--period", "2026-Q4"]);
    assert_eq!(code, 0, "{err}");

    // Sheet 1: one line per figure, its total in column B as the JSON has it; the areas.
    let totals = sheet(&out, 0);
    let figs = v["figures"].as_array().unwrap();
    assert_eq!(totals.len(), figs.len() + 1);
    assert_eq!(totals[0][2].to_string(), "Lê Thị Bình");
    assert_eq!(totals[0][3].to_string(), "Không thuộc khu vực");
    let mut by_label: BTreeMap<String, i64> = BTreeMap::new();
    let mut money_labels = Vec::new();
    for (row, f) in totals[1..].iter().zip(figs) {
        assert_eq!(num(&row[1]), f["total"].as_i64().unwrap(), "{row:?}");
        let areas = num(&row[2]) + num(&row[3]);
        assert_eq!(areas, f["total"].as_i64().unwrap(), "{row:?}");
        if f["dim"] == "all" {
            by_label.insert(row[0].to_string(), num(&row[1]));
            if f["metric"].as_str().unwrap().contains("money") {
                money_labels.push(row[0].to_string());
            }
        }
    }
    // The table says the same totals.
    for (label, total) in &by_label {
        let line = table
            .lines()
            .find(|l| l.trim_start().starts_with(label.as_str()))
            .unwrap_or_else(|| panic!("{label} not in\n{table}"));
        let money = money_labels.contains(label);
        let shown = if money {
            ctv::domain::money::format_vnd(*total)
        } else {
            ctv::words::format::group_thousands(*total)
        };
        assert!(line.contains(&shown), "{label}: {shown} not in {line}");
    }
    assert_eq!(by_label["Cơ sở đăng ký mới"], 5);
    assert_eq!(by_label["Kinh phí được duyệt"], 170_000_000);

    // Sheet 2: the records; per figure they add up to its total, each with its id.
    let records = sheet(&out, 1);
    let mut sums: BTreeMap<String, i64> = BTreeMap::new();
    for row in &records[1..] {
        *sums.entry(row[0].to_string()).or_default() += num(&row[2]);
        assert!(!row[3].to_string().is_empty());
    }
    for (label, total) in &by_label {
        assert_eq!(sums.get(label).copied().unwrap_or(0), *total, "{label}");
    }
    let fac: Vec<&Vec<Data>> = records[1..]
        .iter()
        .filter(|r| r[0] == "Cơ sở đăng ký mới")
        .collect();
    assert_eq!(fac.len(), 5);
    assert!(fac.iter().any(|r| r[3].to_string() == p.a.facilities[0]
        && r[1].to_string().contains("Hợp tác xã")
        && r[5].to_string().contains("Ba Đình")));

    // Bad periods and a missing --out are refused in words.
    let (code, _, err) = common::ctv(&db, &["report", "--period", "2026-Q5"]);
    assert_eq!(code, 1);
    assert!(err.contains("quý «Q5»"), "{err}");
    let (code, _, err) = common::ctv(&db, &["report", "--period", "2026", "--format", "xlsx"]);
    assert_eq!(code, 1);
    assert!(err.contains("--out"), "{err}");
}

#[test]
fn the_provinces_targets_reach_a_commune_in_a_receipt_and_the_dashboard_counts_the_year() {
    let mut p = province();
    let set = |s: &mut Store, key: &str, v: &str| {
        s.set_target(&Target::parse("2026", key, v).unwrap())
            .unwrap()
    };
    assert!(set(&mut p.store, "money", "500 triệu"));
    assert!(set(&mut p.store, "training_classes", "4"));
    assert!(!set(&mut p.store, "training_classes", "4"));
    assert!(matches!(
        p.a.store
            .set_target(&Target::parse("2026", "money", "1").unwrap()),
        Err(StoreError::ProvinceOnly)
    ));

    let scope = p.store.report_scope(None).unwrap();
    let d = p.store.dashboard(2026, &scope).unwrap();
    let row = |k: TargetKey| d.rows.iter().find(|r| r.key == k).unwrap().clone();
    let money = row(TargetKey::Money);
    assert_eq!(money.target, Some(500_000_000));
    assert_eq!(money.achieved, 170_000_000);
    assert_eq!(money.by_month[9], 80_000_000);
    assert_eq!(money.by_month[10], 90_000_000);
    // Two courses in 2026 (one archived does not count).
    let training = row(TargetKey::TrainingClasses);
    assert_eq!((training.target, training.achieved), (Some(4), 2));
    assert_eq!((training.by_month[8], training.by_month[9]), (1, 1));
    let fac = row(TargetKey::FacilitiesSupported);
    assert_eq!((fac.target, fac.achieved), (None, 2));
    let typical = row(TargetKey::TypicalProducts);
    assert_eq!(typical.achieved, 2);
    assert_eq!((typical.by_month[8], typical.by_month[9]), (1, 1));

    // The commune's dashboard before the receipt: no target yet, and its own course (12/10).
    let own = p.a.store.report_scope(None).unwrap();
    let classes = |s: &Store| {
        let d = s.dashboard(2026, &own).unwrap();
        let r = d
            .rows
            .into_iter()
            .find(|r| r.key == TargetKey::TrainingClasses);
        let r = r.unwrap();
        (r.target, r.achieved, r.by_month)
    };
    let (target, achieved, _) = classes(&p.a.store);
    assert_eq!((target, achieved), (None, 1));
    // The province runs a course of its own in the commune (14/11) and one in 00008: records
    // only the province writes here, for the receipt to bring.
    let theirs = activity(&mut p.store, ("TAP_HUAN", A, "14/11/2026"), (20, 5, 0), &[]);
    activity(&mut p.store, ("TAP_HUAN", B, "16/11/2026"), (15, 0, 0), &[]);

    // The receipt for the commune carries the targets; the commune takes them over.
    let pkey = ctv::bundle::signing_key(&mut p.store).unwrap();
    let me = p.a.store.profile().unwrap().id.clone();
    let dir = tempfile::tempdir().unwrap();
    let rfile = dir.path().join("a.receipt.ctvb");
    let receipt = receive::write_receipt(&p.store, &pkey, &me, None, &rfile).unwrap();
    assert_eq!(receipt.targets.as_ref().map(Vec::len), Some(2));
    // Of activities it carries the province's course in the commune only: not the course
    // the commune sent itself, nor the one in another commune.
    let carried: Vec<&str> = receipt.activities.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(carried, [theirs.as_str()]);
    let rc = receive::check(&p.a.store, &rfile).unwrap();
    receive::apply_receipt(&mut p.a.store, &rc, true).unwrap();
    assert_eq!(
        p.a.store.targets(Some(2026)).unwrap(),
        p.store.targets(Some(2026)).unwrap()
    );
    let hist = p.a.store.history("target", "2026/money").unwrap();
    assert_eq!(hist.len(), 1);
    assert_eq!(hist[0].actor_name, "Trung tâm Khuyến công Hà Nội");
    // The commune's dashboard: the province's targets over its own commune, its own course
    // (October) and the province's course the receipt brought (November).
    let (target, achieved, by_month) = classes(&p.a.store);
    assert_eq!((target, achieved), (Some(4), 2));
    assert_eq!((by_month[9], by_month[10]), (1, 1));
    // Read again: nothing changes.
    let n = p.a.store.change_count().unwrap();
    let rc = receive::check(&p.a.store, &rfile).unwrap();
    receive::apply_receipt(&mut p.a.store, &rc, false).unwrap();
    assert_eq!(p.a.store.change_count().unwrap(), n);
    // A receipt without targets (an older province) still reads.
    let mut old = serde_json::to_value(&receipt).unwrap();
    old.as_object_mut().unwrap().remove("targets");
    let back: receive::Receipt = serde_json::from_value(old).unwrap();
    assert_eq!(back.targets, None);

    // The command line: set by the province, refused words, the list.
    let Province {
        _dir, db, store, ..
    } = p;
    drop(store);
    let (code, out, err) = common::ctv(&db, &["targets", "set", "2026", "typical-products", "3"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Sản phẩm tiêu biểu"), "{out}");
    let (code, _, err) = common::ctv(&db, &["targets", "set", "2026", "stars", "3"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("«stars»") && err.contains("typical_products"),
        "{err}"
    );
    let (code, out, err) = common::ctv(
        &db,
        &["targets", "list", "--year", "2026", "--format", "json"],
    );
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["rows"][3]["key"], "typical_products");
    assert_eq!(v["rows"][3]["target"], 3);
    assert_eq!(v["rows"][3]["achieved"], 2);
}

#[test]
fn f11_shows_the_report_a_period_is_picked_and_d_opens_the_dashboard() {
    use common::ui::{app_vi, ch, key, press, screen_text, type_str};
    use ctv::ui::screens::{DashboardScreen, ReportScreen};
    use ratatui::crossterm::event::KeyCode;

    let p = province();
    let mut app = app_vi(p.store);
    press(&mut app, &[key(KeyCode::F(11))]);
    let r = app.top_screen().downcast_ref::<ReportScreen>().unwrap();
    assert_eq!(r.period().text, "2026");
    let shown = r.report().unwrap();
    assert_eq!(shown.value(Metric::FacilitiesRegistered, Dim::All, ""), 5);
    let text = screen_text(&app);
    assert!(text.contains("Kỳ 2026 (01/01/2026 – 31/12/2026)"), "{text}");
    assert!(text.contains("Cơ sở đăng ký mới"), "{text}");
    assert!(text.contains("Lê Thị Bình"), "{text}");

    // The third quarter: the consultation of 20/09 and the course before Q4.
    press(&mut app, &[ch('p')]);
    type_str(&mut app, "2026-Q3");
    press(&mut app, &[key(KeyCode::Enter)]);
    let r = app.top_screen().downcast_ref::<ReportScreen>().unwrap();
    assert_eq!(r.period().text, "2026-Q3");
    let shown = r.report().unwrap();
    assert_eq!(shown.value(Metric::Consultations, Dim::All, ""), 1);
    assert_eq!(shown.value(Metric::Attendees, Dim::All, ""), 30);

    // `x` writes the workbook into the export folder and says where.
    let out = tempfile::tempdir().unwrap();
    app.set_export_dir(out.path().to_path_buf());
    press(&mut app, &[ch('x')]);
    let file = out.path().join("bao-cao-2026-Q3.xlsx");
    let toast = app.toast().expect("a message").to_string();
    assert!(toast.contains("Đã ghi báo cáo vào"), "{toast}");
    assert!(toast.contains("bao-cao-2026-Q3.xlsx"), "{toast}");
    let records = sheet(&file, 1);
    assert!(records.len() > 1, "the records sheet has rows");

    press(&mut app, &[ch('d')]);
    let d = app.top_screen().downcast_ref::<DashboardScreen>().unwrap();
    let money = d
        .dashboard()
        .unwrap()
        .rows
        .iter()
        .find(|r| r.key == TargetKey::Money)
        .unwrap()
        .clone();
    assert_eq!(money.achieved, 170_000_000);
    let text = screen_text(&app);
    assert!(text.contains("Chỉ tiêu năm 2026"), "{text}");
    assert!(
        text.contains("Kinh phí hỗ trợ: đạt 170.000.000 đ / chỉ tiêu chưa đặt"),
        "{text}"
    );
}
