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
fn table() -> Vec<(Vec<Mover>, Option<S>, S, W, [bool; 5])> {
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
