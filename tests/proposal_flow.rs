//! Proposals for two-level government (issue 15): the one transition rule for every role ×
//! from × to × flow against a table written out here; the whole round between a commune and
//! the province through real bundle and receipt files, without and with an area review; and
//! the refusals (a decision by someone who may not decide, approving more than asked, a
//! returned proposal exported before revision).

mod common;

use ctv::domain::proposal::{
    allowed_transitions, check_transition, Flow, Mover, ProposalStatus as S, Refusal,
};
use ctv::domain::Role;
use ctv::words::problems::refusal_text;
use ctv::words::Lang;

const MOVERS: [Mover; 5] = [
    Mover::Person(Role::Commune),
    Mover::Person(Role::Area),
    Mover::Person(Role::Province),
    Mover::Export,
    Mover::Decision,
];

/// Which flows a row holds in.
#[derive(Clone, Copy, PartialEq)]
enum W {
    Both,
    Off,
    On,
}

/// The allowed transitions, written out by hand: (movers, from, to, flow, needs (reason,
/// decision no., approval, start, acceptance)).
type Row = (Vec<Mover>, Option<S>, S, W, [bool; 5]);

fn table() -> Vec<Row> {
    let people = vec![
        Mover::Person(Role::Commune),
        Mover::Person(Role::Area),
        Mover::Person(Role::Province),
    ];
    let area = vec![Mover::Person(Role::Area)];
    let export = vec![Mover::Export];
    let province = vec![Mover::Person(Role::Province), Mover::Decision];
    let none = [false; 5];
    let reason = [true, false, false, false, false];
    let approval = [false, true, true, false, false];
    let start = [false, false, false, true, false];
    let acceptance = [false, false, false, false, true];
    vec![
        (people.clone(), None, S::Nhap, W::Both, none),
        (people.clone(), Some(S::Nhap), S::DeXuat, W::Both, none),
        (people.clone(), Some(S::TraLai), S::DeXuat, W::Both, none),
        (people.clone(), Some(S::Nhap), S::Rut, W::Both, reason),
        (people.clone(), Some(S::TraLai), S::Rut, W::Both, reason),
        (people.clone(), Some(S::DeXuat), S::Rut, W::Both, reason),
        (people, Some(S::DaRaSoat), S::Rut, W::Both, reason),
        (area.clone(), Some(S::DeXuat), S::DaRaSoat, W::On, reason),
        (area.clone(), Some(S::DeXuat), S::Nhap, W::On, reason),
        (area, Some(S::DaRaSoat), S::Nhap, W::On, reason),
        (export.clone(), Some(S::DeXuat), S::DaGuiTinh, W::Off, none),
        (export, Some(S::DaRaSoat), S::DaGuiTinh, W::Both, none),
        (
            province.clone(),
            Some(S::DaGuiTinh),
            S::PheDuyet,
            W::Both,
            approval,
        ),
        (
            province.clone(),
            Some(S::DaGuiTinh),
            S::KhongDuyet,
            W::Both,
            reason,
        ),
        (
            province.clone(),
            Some(S::DaGuiTinh),
            S::TraLai,
            W::Both,
            reason,
        ),
        (
            province.clone(),
            Some(S::DeXuat),
            S::PheDuyet,
            W::Off,
            approval,
        ),
        (
            province.clone(),
            Some(S::DeXuat),
            S::KhongDuyet,
            W::Off,
            reason,
        ),
        (province.clone(), Some(S::DeXuat), S::TraLai, W::Off, reason),
        (
            province.clone(),
            Some(S::DaRaSoat),
            S::PheDuyet,
            W::Both,
            approval,
        ),
        (
            province.clone(),
            Some(S::DaRaSoat),
            S::KhongDuyet,
            W::Both,
            reason,
        ),
        (
            province.clone(),
            Some(S::DaRaSoat),
            S::TraLai,
            W::Both,
            reason,
        ),
        (
            province.clone(),
            Some(S::PheDuyet),
            S::DangThucHien,
            W::Both,
            start,
        ),
        (
            province.clone(),
            Some(S::PheDuyet),
            S::Dung,
            W::Both,
            reason,
        ),
        (
            province.clone(),
            Some(S::DangThucHien),
            S::Dung,
            W::Both,
            reason,
        ),
        (
            province,
            Some(S::DangThucHien),
            S::HoanThanh,
            W::Both,
            acceptance,
        ),
    ]
}

fn holds(w: W, flow: Flow) -> bool {
    match w {
        W::Both => true,
        W::Off => !flow.area_review,
        W::On => flow.area_review,
    }
}

#[test]
fn every_role_from_to_and_flow_is_decided_by_the_one_rule() {
    let table = table();
    let froms: Vec<Option<S>> = std::iter::once(None).chain(S::ALL.map(Some)).collect();
    let mut n_ok = 0;
    let mut n_refused = 0;
    for area_review in [false, true] {
        let flow = Flow { area_review };
        for mover in MOVERS {
            for &from in &froms {
                for to in S::ALL {
                    let got = check_transition(flow, mover, from, to);
                    let rows: Vec<_> = table.iter().filter(|r| r.1 == from && r.2 == to).collect();
                    let row = rows.iter().find(|r| holds(r.3, flow));
                    match row.filter(|r| r.0.contains(&mover)) {
                        Some(r) => {
                            let n = got.unwrap_or_else(|e| {
                                panic!("{flow:?} {mover:?} {from:?}→{to:?}: {e}")
                            });
                            let needs =
                                [n.reason, n.decision_no, n.approval, n.start, n.acceptance];
                            assert_eq!(needs, r.4, "{flow:?} {mover:?} {from:?}→{to:?}");
                            n_ok += 1;
                        }
                        None => {
                            let refusal =
                                got.expect_err(&format!("{flow:?} {mover:?} {from:?}→{to:?}"));
                            let expect = if from.is_some_and(|f| f.is_final()) {
                                "final"
                            } else if rows.is_empty() {
                                "no_such"
                            } else if row.is_none() {
                                "not_in_flow"
                            } else if to == S::DaGuiTinh {
                                "export_only"
                            } else {
                                "wrong_mover"
                            };
                            let kind = match refusal {
                                Refusal::Final { .. } => "final",
                                Refusal::ExportOnly => "export_only",
                                Refusal::WrongMover { .. } => "wrong_mover",
                                Refusal::NotInFlow { .. } => "not_in_flow",
                                Refusal::NoSuchTransition { .. } => "no_such",
                            };
                            assert_eq!(kind, expect, "{flow:?} {mover:?} {from:?}→{to:?}");
                            let vi = refusal_text(Lang::Vi, &refusal);
                            assert!(vi.ends_with('.'), "{vi}");
                            assert!(!refusal_text(Lang::En, &refusal).is_empty());
                            n_refused += 1;
                        }
                    }
                }
            }
        }
    }
    let per_flow = |f: Flow| {
        table
            .iter()
            .filter(|r| holds(r.3, f))
            .map(|r| r.0.len())
            .sum::<usize>()
    };
    assert_eq!(
        n_ok,
        per_flow(Flow { area_review: false }) + per_flow(Flow { area_review: true })
    );
    assert_eq!(n_ok + n_refused, 2 * MOVERS.len() * 12 * 11);
}

#[test]
fn refusals_say_what_the_user_can_do() {
    let off = Flow { area_review: false };
    let on = Flow { area_review: true };
    let commune = Mover::Person(Role::Commune);
    // A commune trying to approve what waits for the province.
    let r = check_transition(off, commune, Some(S::DaGuiTinh), S::PheDuyet).unwrap_err();
    assert_eq!(
        refusal_text(Lang::Vi, &r),
        "Đề xuất đang chờ tỉnh quyết định; bạn không cần làm gì thêm với đề xuất này."
    );
    let r = check_transition(off, commune, Some(S::DeXuat), S::PheDuyet).unwrap_err();
    assert_eq!(
        refusal_text(Lang::Vi, &r),
        "Đề xuất đang chờ tỉnh quyết định; bạn có thể: rút đề xuất."
    );
    let r = check_transition(on, commune, Some(S::DeXuat), S::DaRaSoat).unwrap_err();
    assert_eq!(
        refusal_text(Lang::Vi, &r),
        "Đề xuất đang chờ cán bộ khu vực rà soát; bạn có thể: rút đề xuất."
    );
    // An area review the province does not use.
    let r =
        check_transition(off, Mover::Person(Role::Area), Some(S::DeXuat), S::DaRaSoat).unwrap_err();
    assert_eq!(
        refusal_text(Lang::Vi, &r),
        "Tỉnh không dùng bước rà soát của cán bộ khu vực: đề xuất đi thẳng lên tỉnh."
    );
    // The screens' action lists come from the same rule.
    let moves = |f, m, s| {
        allowed_transitions(f, m, s)
            .into_iter()
            .map(|(s, _)| s)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        moves(on, Mover::Person(Role::Area), S::DeXuat),
        vec![S::Nhap, S::DaRaSoat, S::Rut]
    );
    assert_eq!(
        moves(off, Mover::Person(Role::Area), S::DeXuat),
        vec![S::Rut]
    );
    assert_eq!(
        moves(off, Mover::Person(Role::Province), S::DeXuat),
        vec![S::TraLai, S::PheDuyet, S::KhongDuyet, S::Rut]
    );
}

// ---------------------------------------------------------------- the round, two databases

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use common::proposals::{as_role, vn};
use ctv::bundle::receive::{self, Imported};
use ctv::bundle::{export, ExportOptions};
use ctv::clock::FixedClock;
use ctv::domain::project::{AcceptanceInput, PaymentInput, ResultInput, VisitInput};
use ctv::domain::proposal::{MoveInput, ProposalInput};
use ctv::domain::FacilityInput;
use ctv::store::{Store, StoreError};

fn keys_dir() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    let d = DIR.get_or_init(|| {
        let d = tempfile::tempdir().unwrap();
        std::env::set_var("CTV_KEYS_DIR", d.path());
        d
    });
    d.path()
}

struct Round {
    tmp: tempfile::TempDir,
    clock: FixedClock,
    commune: Store,
    province: Store,
    n: u32,
}

impl Round {
    fn new(area_review: bool) -> (Round, String) {
        keys_dir();
        let tmp = tempfile::tempdir().unwrap();
        let clock = FixedClock::new(vn(2026, 11, 12, 9));
        let open = |n: &str| Store::open_with_clock(&tmp.path().join(n), Arc::new(clock.clone()));
        let mut commune = open("commune.db").unwrap();
        let mut province = open("province.db").unwrap();
        as_role(
            &mut province,
            "Trung tâm Khuyến công Hà Nội",
            "province",
            "01",
        );
        province.set_area_review(area_review).unwrap();
        as_role(&mut commune, "Nguyễn Văn An", "commune", "00004");
        // The commune learns the flow from receipts; until the first one, the setting is
        // given as the province announced it.
        commune
            .set_setting("area_review", if area_review { "yes" } else { "no" })
            .unwrap();
        let f = commune
            .create_facility(&FacilityInput {
                name: "HTX mây tre đan Phú Vinh".into(),
                entity_type: "HTX".into(),
                commune_code: "00004".into(),
                workers: "25".into(),
                ..Default::default()
            })
            .unwrap()
            .0
            .id;
        let p = commune
            .add_proposal(&ProposalInput {
                facility_id: f,
                plan_year: "2027".into(),
                category: "KC03".into(),
                funding: "KCDP".into(),
                title: "Máy chẻ nan".into(),
                total_cost: "300.000.000".into(),
                support: "100.000.000".into(),
                counterpart: "200.000.000".into(),
                ..Default::default()
            })
            .unwrap()
            .0;
        let id = p.id.clone();
        (
            Round {
                tmp,
                clock,
                commune,
                province,
                n: 0,
            },
            id,
        )
    }

    fn file(&mut self, what: &str) -> PathBuf {
        self.n += 1;
        self.tmp.path().join(format!("{}-{what}.ctvb", self.n))
    }

    /// The commune exports (full: every record in scope) and the province imports.
    fn send(&mut self) -> (ctv::bundle::ExportOutcome, ctv::store::MergeReport) {
        let path = self.file("bundle");
        let out = export(
            &mut self.commune,
            &ExportOptions {
                full: true,
                out: Some(path),
            },
            &|_, _| {},
        )
        .unwrap();
        let c = receive::check(&self.province, &out.path).unwrap();
        let Imported::Merged(r) = receive::import(&mut self.province, &c, true).unwrap() else {
            panic!("already imported")
        };
        (out, r)
    }

    /// The province writes the receipt for the commune's last bundle; the commune reads it.
    fn answer(&mut self) -> usize {
        let key = ctv::bundle::signing_key(&mut self.province).unwrap();
        let me = self.commune.profile().unwrap().id.clone();
        let path = self.file("receipt");
        receive::write_receipt(&self.province, &key, &me, None, &path).unwrap();
        let c = receive::check(&self.commune, &path).unwrap();
        receive::apply_receipt(&mut self.commune, &c, true)
            .unwrap()
            .decisions_applied
    }

    /// Both ends agree: the same proposal record, and the next bundle finds it unchanged.
    fn agree(&mut self, id: &str) {
        let a = self.commune.all_records().unwrap().proposals;
        let b = self.province.all_records().unwrap().proposals;
        assert_eq!(a, b);
        let (_, r) = self.send();
        let c = r.count("proposal");
        assert_eq!((c.new, c.updated, c.conflicts), (0, 0, 0), "{r:?}");
        assert!(c.unchanged >= 1, "{id}: {r:?}");
    }

    fn at(&self, db: &Store, id: &str) -> ctv::domain::proposal::Proposal {
        let _ = self;
        db.proposal(id).unwrap().unwrap()
    }

    fn tick(&mut self, day: u32) {
        self.clock.set(vn(2026, 11, day, 9));
    }
}

fn whole_round(area_review: bool) {
    let (mut r, id) = Round::new(area_review);
    // The commune proposes; with an area review, an area officer reviews it.
    let p = r.at(&r.commune, &id);
    r.commune.propose(&id, p.version).unwrap();
    if area_review {
        as_role(&mut r.commune, "Lê Thị Bình", "area", "00004,00376");
        let v = r.at(&r.commune, &id).version;
        r.commune.review_proposal(&id, v, "Đủ hồ sơ").unwrap();
    }
    let (out, _) = r.send();
    assert_eq!(out.proposals_sent, 1);
    assert_eq!(r.at(&r.commune, &id).status, S::DaGuiTinh);
    assert_eq!(r.at(&r.province, &id).status, S::DaGuiTinh);

    // The province returns it with a reason; the receipt brings the reason back.
    r.tick(13);
    let v = r.at(&r.province, &id).version;
    r.province
        .return_proposal(&id, v, "Bổ sung báo giá máy")
        .unwrap();
    assert_eq!(r.at(&r.province, &id).status, S::TraLai);
    assert_eq!(r.answer(), 1);
    let back = r.commune.proposal_record(&id).unwrap().unwrap();
    assert_eq!(back.proposal.status, S::TraLai);
    assert!(back.editable);
    assert_eq!(back.history.last().unwrap().reason, "Bổ sung báo giá máy");
    r.agree(&id);

    // The commune revises and proposes again (with an area review, the area officer's
    // database sends: the officer revises it there, as anyone in scope may).
    r.tick(14);
    let v = r.at(&r.commune, &id).version;
    let patch = ctv::domain::proposal::ProposalPatch {
        rationale: Some("Đã bổ sung báo giá máy chẻ nan".into()),
        ..Default::default()
    };
    let (p, _) = r.commune.edit_proposal(&id, v, &patch).unwrap();
    r.commune.propose(&id, p.version).unwrap();
    if area_review {
        let v = r.at(&r.commune, &id).version;
        r.commune.review_proposal(&id, v, "Đã bổ sung").unwrap();
    }
    let (out, m) = r.send();
    assert_eq!(out.proposals_sent, 1);
    assert_eq!(m.count("proposal").updated, 1, "{m:?}");
    assert_eq!(r.at(&r.province, &id).status, S::DaGuiTinh);

    // The province approves 80 % of what was asked.
    r.tick(15);
    let v = r.at(&r.province, &id).version;
    let approve = MoveInput {
        approved_support: "80tr".into(),
        decision_no: "123/QĐ-SCT".into(),
        decision_date: "15/11/2026".into(),
        funding: "KCĐP".into(),
        batch: "Đợt 1".into(),
        ..Default::default()
    };
    r.province
        .move_proposal_with(&id, v, S::PheDuyet, &approve)
        .unwrap();
    assert_eq!(r.answer(), 1);
    let p = r.at(&r.commune, &id);
    assert_eq!(p.status, S::PheDuyet);
    assert_eq!(p.approved_support, Some(80_000_000));
    assert_eq!(p.decision_date.as_deref(), Some("2026-11-15"));
    assert_eq!(p.batch, "Đợt 1");
    // Every round is in the history.
    let h = r.commune.proposal_history(&id).unwrap();
    let to: Vec<S> = h.iter().map(|t| t.to).collect();
    assert_eq!(to.iter().filter(|s| **s == S::DaGuiTinh).count(), 2);
    assert!(to.contains(&S::TraLai));
    assert_eq!(h.last().unwrap().approved_support, Some(80_000_000));
    r.agree(&id);
    // The receipt carried the province's flow.
    assert_eq!(r.commune.flow().unwrap().area_review, area_review);

    // After approval: the province starts the đề án; the receipt tells the commune.
    r.tick(16);
    let v = r.at(&r.province, &id).version;
    let start = MoveInput {
        start_date: "16/11/2026".into(),
        implementing_unit: "HTX mây tre đan Phú Vinh".into(),
        planned_end: "30/6/2027".into(),
        ..Default::default()
    };
    r.province
        .move_proposal_with(&id, v, S::DangThucHien, &start)
        .unwrap();
    assert_eq!(r.answer(), 1);
    assert_eq!(r.at(&r.commune, &id).status, S::DangThucHien);
    r.agree(&id);

    // The collaborator records a monitoring visit at the facility; it reaches the province.
    r.tick(20);
    let visit = r
        .commune
        .add_visit(
            &id,
            &VisitInput {
                date: "20/11/2026".into(),
                visitor: "Nguyễn Văn An".into(),
                checked: "Máy chẻ nan đã lắp đặt".into(),
                progress_pct: "60".into(),
                findings: "Đúng tiến độ".into(),
                follow_up_date: "+30".into(),
            },
        )
        .unwrap();
    let (_, m) = r.send();
    assert_eq!(m.count("project_visit").new, 1, "{m:?}");
    let at_province = r.province.project_records(&id).unwrap();
    assert_eq!(at_province.visits, vec![visit.clone()]);

    // The province records the acceptance (parts add up), two payments and the results.
    r.tick(25);
    let acceptance = AcceptanceInput {
        date: "25/11/2026".into(),
        units: "Sở Công Thương, UBND phường Ba Đình, HTX".into(),
        result: "đạt".into(),
        actual_total: "290tr".into(),
        actual_support: "80tr".into(),
        actual_counterpart: "210tr".into(),
        actual_other: "0".into(),
        notes: String::new(),
    };
    r.province.add_acceptance(&id, &acceptance).unwrap();
    assert_eq!(r.at(&r.province, &id).status, S::HoanThanh);
    for (amount, kind, doc) in [
        ("50tr", "tạm ứng", "TU-01"),
        ("30tr", "quyết toán", "QT-01"),
    ] {
        r.province
            .add_payment(
                &id,
                &PaymentInput {
                    date: "25/11/2026".into(),
                    amount: amount.into(),
                    kind: kind.into(),
                    doc_no: doc.into(),
                    notes: String::new(),
                    facility: String::new(),
                },
            )
            .unwrap();
    }
    r.province
        .add_result(
            &id,
            &ResultInput {
                stage: "nghiem-thu".into(),
                date: "25/11/2026".into(),
                jobs_created: "6".into(),
                workers_trained: "12".into(),
                revenue_before: "1 tỷ".into(),
                revenue_after: "1 tỷ 400 triệu".into(),
                products: "Nan tre chẻ máy".into(),
                equipment_in_use: "Máy chẻ nan".into(),
                notes: String::new(),
                facility: String::new(),
            },
        )
        .unwrap();

    // The receipt brings the decision, the money and the acceptance back: both ends hold
    // the same records, and the commune's next bundle finds everything unchanged.
    assert!(r.answer() >= 1);
    assert_eq!(r.at(&r.commune, &id).status, S::HoanThanh);
    let here = r.commune.project_records(&id).unwrap();
    let there = r.province.project_records(&id).unwrap();
    assert_eq!(here, there);
    assert_eq!(here.payments.len(), 2);
    assert_eq!(here.acceptances.len(), 1);
    assert_eq!(here.results.len(), 1);
    let money = r.commune.project_money(&id).unwrap().unwrap();
    assert_eq!(
        (money.approved, money.paid, money.remaining),
        (Some(80_000_000), 80_000_000, Some(0))
    );
    let (_, m) = r.send();
    for entity in ["proposal", "project_visit"] {
        let c = m.count(entity);
        assert_eq!(
            (c.new, c.updated, c.conflicts),
            (0, 0, 0),
            "{entity}: {m:?}"
        );
    }
}

#[test]
fn the_whole_round_without_area_review() {
    whole_round(false);
}

#[test]
fn the_whole_round_with_area_review() {
    whole_round(true);
}

#[test]
fn refusals_change_nothing() {
    let (mut r, id) = Round::new(false);
    let p = r.at(&r.commune, &id);
    r.commune.propose(&id, p.version).unwrap();
    // A commune (or an area officer) may not decide.
    let v = r.at(&r.commune, &id).version;
    let approve = MoveInput {
        decision_no: "1/QĐ".into(),
        decision_date: "12/11/2026".into(),
        ..Default::default()
    };
    let changes = r.commune.change_count().unwrap();
    let e = r
        .commune
        .move_proposal_with(&id, v, S::PheDuyet, &approve)
        .unwrap_err();
    assert!(matches!(
        e,
        StoreError::Transition {
            refusal: Refusal::WrongMover { .. },
            ..
        }
    ));
    as_role(&mut r.commune, "Lê Thị Bình", "area", "00004");
    let e = r
        .commune
        .move_proposal_with(&id, v, S::PheDuyet, &approve)
        .unwrap_err();
    assert!(matches!(e, StoreError::Transition { .. }));
    assert_eq!(r.commune.change_count().unwrap(), changes + 1); // the profile
    as_role(&mut r.commune, "Nguyễn Văn An", "commune", "00004");
    r.send();

    // Approving more than asked names both figures; nothing changes.
    let v = r.at(&r.province, &id).version;
    let changes = r.province.change_count().unwrap();
    let e = r
        .province
        .move_proposal_with(
            &id,
            v,
            S::PheDuyet,
            &MoveInput {
                approved_support: "120tr".into(),
                ..approve.clone()
            },
        )
        .unwrap_err();
    let text = ctv::words::store_error_text(Lang::Vi, &e);
    assert!(
        text.contains("120.000.000") && text.contains("100.000.000"),
        "{text}"
    );
    assert_eq!(r.province.change_count().unwrap(), changes);

    // A returned proposal exported before revision stays returned and is not sent.
    r.province.return_proposal(&id, v, "Thiếu hồ sơ").unwrap();
    r.answer();
    let (out, m) = r.send();
    assert_eq!(out.proposals_sent, 0);
    assert_eq!(out.returned_unrevised, 1);
    assert_eq!(
        ctv::words::flow::returned_unrevised_text(Lang::Vi, out.returned_unrevised).unwrap(),
        "1 đề xuất bị tỉnh trả lại chưa sửa — sửa rồi đề xuất lại."
    );
    assert_eq!(r.at(&r.commune, &id).status, S::TraLai);
    assert_eq!(r.at(&r.province, &id).status, S::TraLai);
    assert_eq!(m.count("proposal").conflicts, 0);
}

#[test]
fn only_the_province_sets_the_flow() {
    let (mut r, _) = Round::new(false);
    let e = r.commune.set_area_review(true).unwrap_err();
    assert_eq!(
        ctv::words::store_error_text(Lang::Vi, &e),
        "Chỉ Trung tâm Khuyến công tỉnh mới đặt được việc có rà soát của cán bộ khu vực hay không."
    );
    assert!(!r.commune.flow().unwrap().area_review);
    r.province.set_area_review(true).unwrap();
    assert!(r.province.flow().unwrap().area_review);
}

#[test]
fn a_schema_9_database_keeps_its_proposals_and_transitions() {
    let (mut r, id) = Round::new(true);
    let v = r.at(&r.commune, &id).version;
    r.commune.propose(&id, v).unwrap();
    let before = r.commune.all_records().unwrap().proposals;
    let history = r.commune.proposal_history(&id).unwrap();
    assert_eq!(history.len(), 2);
    let path = r.tmp.path().join("commune.db");
    drop(r.commune);
    // Turn the file back into schema 9: without what migrations 10 to 17 add.
    let conn = rusqlite::Connection::open(&path).unwrap();
    common::back_to_schema_13(&conn);
    conn.execute_batch(
        "DROP VIEW project_money;
         DROP TABLE support_caps; DROP TABLE support_cap_tables;
         DROP TABLE project_results; DROP TABLE project_payments;
         DROP TABLE project_acceptances; DROP TABLE project_visits;
         DROP TABLE project_adjustments;
         DROP INDEX proposals_status;
         ALTER TABLE proposals DROP COLUMN approved_support;
         ALTER TABLE proposals DROP COLUMN decision_date;
         ALTER TABLE proposals DROP COLUMN approved_funding;
         ALTER TABLE proposals DROP COLUMN batch;
         ALTER TABLE proposals DROP COLUMN start_date;
         ALTER TABLE proposals DROP COLUMN implementing_unit;
         ALTER TABLE proposals DROP COLUMN planned_end;
         ALTER TABLE proposals DROP COLUMN stop_reason;
         ALTER TABLE proposal_transitions DROP COLUMN approved_support;
         ALTER TABLE proposal_transitions DROP COLUMN decision_date;
         PRAGMA user_version = 9;",
    )
    .unwrap();
    drop(conn);
    let s = Store::open_with_clock(&path, Arc::new(r.clock.clone())).unwrap();
    assert_eq!(s.all_records().unwrap().proposals, before);
    assert_eq!(s.proposal_history(&id).unwrap(), history);
    assert_eq!(s.proposal(&id).unwrap().unwrap().status, S::DeXuat);
    let v: i64 = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v as usize, ctv::store::schema_version());
}
