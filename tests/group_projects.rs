//! Group đề án (several beneficiaries), the centre's own đề án (no facility) and the pilot
//! flag (issue 17): stored with their beneficiaries, carried to the province and back
//! unchanged, money paid per beneficiary within its share, refusals that write nothing.

mod common;

use common::bundles::{export_to, import_bundle as import};
use common::projects::{
    approve_and_start, as_profile, facility_in, group_of_three, keys_dir, open, proposal_300_100,
    reviewed_group_proposal,
};
use common::proposals::vn;
use common::{commune_db, ctv};
use ctv::bundle::receive;
use ctv::clock::FixedClock;
use ctv::domain::issue::Problem;
use ctv::domain::project::{PaymentInput, ProjectRefusal, ResultInput};
use ctv::domain::proposal::{Beneficiary, ProposalInput, ProposalStatus};
use ctv::domain::report::{Period, TargetKey};
use ctv::store::report::{Dim, Metric};
use ctv::store::{ProposalFilter, Store, StoreError};
use ctv::words::{store_error_text, Lang};

fn pay(s: &mut Store, id: &str, facility: &str, amount: &str) -> Result<(), StoreError> {
    s.add_payment(
        id,
        &PaymentInput {
            amount: amount.into(),
            kind: "tạm ứng".into(),
            doc_no: "PC-01".into(),
            facility: facility.into(),
            ..Default::default()
        },
    )
    .map(|_| ())
}

fn store_at(clock: &FixedClock) -> (tempfile::TempDir, Store) {
    let tmp = tempfile::tempdir().unwrap();
    let (s, _) = open(tmp.path(), "ctv.db", clock);
    (tmp, s)
}

const M: i64 = 1_000_000;

#[test]
fn a_group_of_three_travels_to_the_province_and_back_and_both_sides_agree() {
    keys_dir();
    let tmp = tempfile::tempdir().unwrap();
    let clock = FixedClock::new(vn(2027, 1, 5, 9));
    let (mut a, a_path) = open(tmp.path(), "collaborator.db", &clock);
    let id = reviewed_group_proposal(&mut a);
    let mine = a.proposal(&id).unwrap().unwrap();
    let shares: Vec<(i64, i64)> = mine
        .data
        .beneficiaries
        .iter()
        .map(|b| (b.support, b.counterpart))
        .collect();
    assert_eq!(
        shares,
        [(50 * M, 100 * M), (30 * M, 60 * M), (20 * M, 40 * M)]
    );
    assert_eq!(
        mine.data.facility_id,
        mine.data.beneficiaries[0].facility_id
    );
    assert!(mine.data.is_pilot);

    let b1 = export_to(&mut a, tmp.path().join("b1.ctvb"));
    let (mut p, p_path) = open(tmp.path(), "province.db", &clock);
    as_profile(&mut p, "Trung tâm Khuyến công Hà Nội", "province", "01");
    let r = import(&mut p, &b1);
    assert_eq!(r.count("proposal").new, 1, "{r:?}");
    let theirs = p.proposal(&id).unwrap().unwrap();
    assert_eq!(theirs.data.beneficiaries, mine.data.beneficiaries);
    assert!(theirs.data.is_pilot);
    approve_and_start(&mut p, &id, 80 * M);

    // Shares of the approved 80 million: 40, 24 and 16 million.
    let group: Vec<Beneficiary> = theirs.data.beneficiaries.clone();
    pay(&mut p, &id, &group[1].facility_id, "24tr").unwrap();
    let err = pay(&mut p, &id, &group[1].facility_id, "1").unwrap_err();
    match &err {
        StoreError::Project {
            refusal:
                ProjectRefusal::OverShare {
                    paid,
                    amount,
                    share,
                    ..
                },
            ..
        } => assert_eq!((*paid, *amount, *share), (24 * M, 1, 24 * M)),
        other => panic!("{other:?}"),
    }
    let text = store_error_text(Lang::Vi, &err);
    assert!(text.contains("24.000.000"), "{text}");
    pay(&mut p, &id, &group[0].facility_id, "40tr").unwrap();
    p.add_result(
        &id,
        &ResultInput {
            stage: "nghiệm thu".into(),
            date: "20/3/2027".into(),
            jobs_created: "4".into(),
            facility: group[2].facility_id.clone(),
            ..Default::default()
        },
    )
    .unwrap_err(); // an acceptance comes first
    let lines = p.beneficiary_lines(&id).unwrap();
    let paid: Vec<i64> = lines.iter().map(|l| l.paid).collect();
    assert_eq!(paid, [40 * M, 24 * M, 0]);

    // The receipt brings the decision and the payments back: both sides agree.
    let pkey = ctv::bundle::signing_key(&mut p).unwrap();
    let sender = a.profile().unwrap().id.clone();
    let r1 = tmp.path().join("r1.ctvb");
    receive::write_receipt(&p, &pkey, &sender, None, &r1).unwrap();
    let c = receive::check(&a, &r1).unwrap();
    receive::apply_receipt(&mut a, &c, true).unwrap();
    let back = a.proposal(&id).unwrap().unwrap();
    assert_eq!(back.status, ProposalStatus::DangThucHien);
    assert_eq!(back.data.beneficiaries, mine.data.beneficiaries);
    assert_eq!(
        a.project_records(&id).unwrap(),
        p.project_records(&id).unwrap()
    );
    assert_eq!(a.beneficiary_lines(&id).unwrap(), lines);
    // Both sides count the group once, its approved 80 million once, in the lead's commune.
    for s in [&p, &a] {
        money_counted_once(s, 80 * M, 64 * M);
    }

    // The collaborator's next bundle shows the đề án unchanged at the province.
    clock.set(vn(2027, 3, 11, 9));
    let b2 = export_to(&mut a, tmp.path().join("b2.ctvb"));
    let c2 = receive::check(&p, &b2).unwrap();
    let r = c2.preview(&p).unwrap();
    for e in ["proposal", "project_payment"] {
        assert_eq!(
            r.count(e).new + r.count(e).updated + r.count(e).conflicts,
            0,
            "{e}: {r:?}"
        );
    }
    let changes = p.change_count().unwrap();
    import(&mut p, &b2);
    assert!(p.conflicts(true).unwrap().is_empty());
    assert_eq!(p.change_count().unwrap(), changes);

    // Both databases pass `ctv check` (integrity, keys, versions, kept money).
    for path in [&a_path, &p_path] {
        let report = ctv::store::check_database(path).unwrap();
        assert!(report.is_ok(), "{}: {report:?}", path.display());
    }
}

/// The reports of 2027 count a group đề án approved for `approved` (paid `paid`) once: one
/// đề án, its money once (in the proposal's commune, the lead's), a pilot once, and on the
/// dashboard its three beneficiaries as three facilities supported.
fn money_counted_once(s: &Store, approved: i64, paid: i64) {
    let scope = s.report_scope(None).unwrap();
    let year = Period::year(2027);
    let r = s.report(&year, &scope).unwrap();
    assert_eq!(r.value(Metric::ProjectsApproved, Dim::All, ""), 1);
    assert_eq!(r.value(Metric::MoneyApproved, Dim::All, ""), approved);
    assert_eq!(r.value(Metric::MoneyPaid, Dim::All, ""), paid);
    assert_eq!(r.value(Metric::PilotsApproved, Dim::All, ""), 1);
    assert_eq!(r.value(Metric::PilotMoneyApproved, Dim::All, ""), approved);
    let money = r.figure(Metric::MoneyApproved, Dim::All, "").unwrap();
    assert_eq!(
        money.by_commune,
        std::collections::BTreeMap::from([("00004".to_string(), approved)])
    );
    let mut traced = 0;
    s.report_records(&year, &scope, |row| {
        for (m, v) in row.counts {
            if m == Metric::MoneyApproved {
                traced += v;
            }
        }
        Ok(())
    })
    .unwrap();
    assert_eq!(
        traced, approved,
        "the workbook's records add up to the total"
    );
    let dash = s.dashboard(2027, &scope).unwrap();
    let row = |k: TargetKey| dash.rows.iter().find(|r| r.key == k).unwrap().achieved;
    assert_eq!(row(TargetKey::Money), approved);
    assert_eq!(row(TargetKey::FacilitiesSupported), 3);
}

#[test]
fn a_payment_to_a_facility_outside_the_group_is_refused() {
    keys_dir();
    let clock = FixedClock::new(vn(2027, 1, 5, 9));
    let (_tmp, mut s) = store_at(&clock);
    let id = reviewed_group_proposal(&mut s);
    as_profile(&mut s, "Trung tâm Khuyến công Hà Nội", "province", "01");
    approve_and_start(&mut s, &id, 80 * M);
    let outsider = facility_in(&mut s, "Cơ sở ngoài nhóm", "00004");
    let changes = s.change_count().unwrap();
    let err = pay(&mut s, &id, &outsider, "10tr").unwrap_err();
    assert!(
        matches!(&err, StoreError::Project { refusal: ProjectRefusal::NotABeneficiary { facility }, .. } if *facility == outsider),
        "{err:?}"
    );
    let text = store_error_text(Lang::Vi, &err);
    assert!(text.contains("không thụ hưởng"), "{text}");
    assert_eq!(s.change_count().unwrap(), changes, "nothing written");
    assert!(s.project_records(&id).unwrap().payments.is_empty());
}

#[test]
fn shares_that_do_not_add_up_are_refused_naming_the_figures() {
    let clock = FixedClock::new(vn(2027, 1, 5, 9));
    let (_tmp, mut s) = store_at(&clock);
    as_profile(&mut s, "Nguyễn Văn An", "commune", "00004");
    let mut group = group_of_three(&mut s);
    group[2].support = "10tr".into();
    let changes = s.change_count().unwrap();
    let err = s
        .add_proposal(&ProposalInput {
            beneficiaries: group.clone(),
            ..proposal_300_100()
        })
        .unwrap_err();
    let StoreError::Invalid(issues) = &err else {
        panic!("{err:?}")
    };
    let problems: Vec<&Problem> = issues
        .for_field("beneficiaries")
        .map(|i| &i.problem)
        .collect();
    assert_eq!(
        problems,
        [&Problem::SharesMismatch {
            counterpart: false,
            total: 100 * M,
            shares: 90 * M
        }]
    );
    let text = store_error_text(Lang::Vi, &err);
    assert!(
        text.contains("Cơ sở thụ hưởng")
            && text.contains("90.000.000")
            && text.contains("100.000.000"),
        "{text}"
    );
    assert_eq!(s.change_count().unwrap(), changes, "nothing written");
    assert_eq!(s.count_proposals(&ProposalFilter::default()).unwrap(), 0);

    // One facility is no group, and no facility may be named twice.
    group[2].support = "20tr".into();
    let err = s
        .add_proposal(&ProposalInput {
            beneficiaries: vec![group[0].clone(), group[0].clone()],
            ..proposal_300_100()
        })
        .unwrap_err();
    let StoreError::Invalid(issues) = &err else {
        panic!("{err:?}")
    };
    assert!(issues
        .for_field("beneficiaries")
        .any(|i| matches!(&i.problem, Problem::BeneficiaryTwice { facility } if *facility == group[0].facility_id)));
    let err = s
        .add_proposal(&ProposalInput {
            beneficiaries: vec![group[0].clone()],
            ..proposal_300_100()
        })
        .unwrap_err();
    let StoreError::Invalid(issues) = &err else {
        panic!("{err:?}")
    };
    assert!(issues
        .for_field("beneficiaries")
        .any(|i| i.problem == Problem::GroupTooSmall));
    assert_eq!(s.count_proposals(&ProposalFilter::default()).unwrap(), 0);
}

#[test]
fn a_beneficiary_outside_the_writers_scope_is_refused() {
    let clock = FixedClock::new(vn(2027, 1, 5, 9));
    let (_tmp, mut s) = store_at(&clock);
    as_profile(&mut s, "Lê Thị Bình", "area", "00004,00376");
    let mut group = group_of_three(&mut s);
    group[2].facility_id = facility_in(&mut s, "Cơ sở xã bên", "00376");
    as_profile(&mut s, "Nguyễn Văn An", "commune", "00004");
    let err = s
        .add_proposal(&ProposalInput {
            beneficiaries: group,
            ..proposal_300_100()
        })
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::OutOfScope(c) if c == "00376"),
        "{err:?}"
    );
    assert_eq!(s.count_proposals(&ProposalFilter::default()).unwrap(), 0);
}

#[test]
fn the_centre_runs_a_de_an_without_facility_and_a_commune_may_not() {
    let clock = FixedClock::new(vn(2027, 1, 5, 9));
    let (tmp, mut s) = store_at(&clock);
    as_profile(&mut s, "Nguyễn Văn An", "commune", "00004");
    let own = ProposalInput {
        commune_code: "00004".into(),
        title: "Hội chợ hàng thủ công".into(),
        ..proposal_300_100()
    };
    let err = s.add_proposal(&own).unwrap_err();
    let StoreError::Invalid(issues) = &err else {
        panic!("{err:?}")
    };
    assert!(issues
        .for_field("facility_id")
        .any(|i| i.problem == Problem::Required));
    assert_eq!(s.count_proposals(&ProposalFilter::default()).unwrap(), 0);

    as_profile(&mut s, "Trung tâm Khuyến công Hà Nội", "province", "01");
    let err = s
        .add_proposal(&ProposalInput {
            commune_code: String::new(),
            ..own.clone()
        })
        .unwrap_err();
    let StoreError::Invalid(issues) = &err else {
        panic!("{err:?}")
    };
    assert!(issues
        .for_field("commune_code")
        .any(|i| i.problem == Problem::Required));

    let (p, _) = s.add_proposal(&own).unwrap();
    assert_eq!(p.commune_code, "00004");
    assert!(!p.data.has_facility());
    assert!(p.data.beneficiaries.is_empty());
    let listed = s.list_proposals(&ProposalFilter::default(), 0, 10).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, p.id);
    assert_eq!(listed[0].facility_name, "");
    // Its record carries no facility.
    let rec = s.all_records().unwrap();
    let r = rec.proposals.iter().find(|r| r.id == p.id).unwrap();
    assert_eq!(r.facility_id, None);
    drop(s);
    let report = ctv::store::check_database(&tmp.path().join("ctv.db")).unwrap();
    assert!(report.is_ok(), "{report:?}");
}

#[test]
fn the_command_line_adds_a_group_and_shows_its_shares() {
    let (_dir, db) = commune_db();
    let mut s = common::project::open(&db);
    let ids = [
        facility_in(&mut s, "Cơ sở Một", "00004"),
        facility_in(&mut s, "Cơ sở Hai", "00004"),
    ];
    drop(s);
    let add = |b_share: &str| {
        let a = format!("{}=60tr/150tr", ids[0]);
        let b = format!("{}={b_share}", ids[1]);
        ctv(
            &db,
            &[
                "proposal",
                "add",
                "--facility",
                &a,
                "--facility",
                &b,
                "--pilot",
                "--year",
                "2027",
                "--category",
                "KC03",
                "--funding",
                "KCDP",
                "--title",
                "Lò sấy chung",
                "--total",
                "300tr",
                "--support",
                "100tr",
                "--counterpart",
                "200tr",
                "--other",
                "0",
            ],
        )
    };
    // Counterpart shares 150 + 40 million are not the 200 million counterpart.
    let (code, _, err) = add("40tr/40tr");
    assert_ne!(code, 0);
    assert!(
        err.contains("Cơ sở thụ hưởng")
            && err.contains("190.000.000")
            && err.contains("200.000.000"),
        "{err}"
    );
    let (code, _, err) = add("40tr/50tr");
    assert_eq!(code, 0, "{err}");
    let s = common::project::open(&db);
    let listed = s.list_proposals(&ProposalFilter::default(), 0, 10).unwrap();
    assert_eq!(listed.len(), 1);
    let id = listed[0].id.clone();
    drop(s);
    let (code, out, err) = ctv(&db, &["proposal", "show", &id]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("Cơ sở thụ hưởng") && out.contains("Đề án điểm"),
        "{out}"
    );
    assert!(
        out.contains("Cơ sở Một") && out.contains("60.000.000") && out.contains("150.000.000"),
        "{out}"
    );
    assert!(
        out.contains("Cơ sở Hai") && out.contains("40.000.000"),
        "{out}"
    );
    // The list and the register name the group, not only its first facility.
    for cmd in [&["proposal", "list"][..], &["register"][..]] {
        let (code, out, err) = ctv(&db, cmd);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("Nhóm 2 cơ sở"), "{cmd:?}: {out}");
    }
}

/// The app on F5 with the proposal `id` opened (its row selected by moving down).
fn open_in_f5(a: &mut ctv::ui::App, id: &str) {
    use common::ui::{key, press};
    use ratatui::crossterm::event::KeyCode;
    press(
        a,
        &[key(KeyCode::Esc), key(KeyCode::Esc), key(KeyCode::F(5))],
    );
    for _ in 0..10 {
        let on = a
            .top_screen()
            .downcast_ref::<ctv::ui::screens::ProposalsScreen>()
            .and_then(|l| l.selected_id().map(|s| s == id))
            .unwrap_or(false);
        if on {
            break;
        }
        press(a, &[key(KeyCode::Down)]);
    }
    press(a, &[key(KeyCode::Enter)]);
    let v = a
        .top_screen()
        .downcast_ref::<ctv::ui::screens::ProposalViewScreen>()
        .expect("the proposal view");
    assert_eq!(v.record().proposal.id, id);
}

#[test]
fn the_terminal_shows_a_groups_shares_and_pilot_mark_and_the_centres_own_de_an() {
    use common::ui::{app_vi, ch, ctrl, press, screen_text_sized};
    use ctv::domain::proposal::BeneficiaryInput;
    use ctv::ui::screens::ProposalFormScreen;
    let (mut s, _clock) = common::proposals::store();
    let group = vec![
        BeneficiaryInput {
            facility_id: common::proposals::facility(
                &mut s,
                "HTX mây tre đan Phú Vinh",
                "00004",
                "60",
            ),
            support: "60tr".into(),
            counterpart: "150tr".into(),
        },
        BeneficiaryInput {
            facility_id: common::proposals::facility(
                &mut s,
                "Cơ sở gốm <Bát Tràng>\u{1b}[31m",
                "00004",
                "12",
            ),
            support: "40tr".into(),
            counterpart: "50tr".into(),
        },
    ];
    let g = s
        .add_proposal(&ProposalInput {
            beneficiaries: group,
            is_pilot: true,
            ..proposal_300_100()
        })
        .unwrap()
        .0
        .id;
    common::proposals::as_role(&mut s, "Trung tâm Khuyến công Hà Nội", "province", "01");
    let own = s
        .add_proposal(&ProposalInput {
            commune_code: "00004".into(),
            title: "Hội chợ hàng thủ công".into(),
            ..proposal_300_100()
        })
        .unwrap()
        .0
        .id;
    common::proposals::as_role(&mut s, "Trần Thị Bình", "commune", "00004,00376");
    let mut a = app_vi(s);

    // F5: the group and the centre in the facility column.
    press(
        &mut a,
        &[common::ui::key(ratatui::crossterm::event::KeyCode::F(5))],
    );
    let text = screen_text_sized(&a, 120, 30);
    assert!(text.contains("Nhóm 2 cơ sở · Máy chẻ nan"), "{text}");
    assert!(text.contains("Trung tâm · Hội chợ hàng thủ công"), "{text}");

    // The group's page: each beneficiary with its shares, the pilot mark; the stored name
    // drawn without its control characters.
    open_in_f5(&mut a, &g);
    let text = screen_text_sized(&a, 120, 50);
    assert!(text.contains("Nhóm 2 cơ sở"), "{text}");
    assert!(text.contains("Cơ sở thụ hưởng"), "{text}");
    assert!(
        text.contains("1. HTX mây tre đan Phú Vinh")
            && text.contains("hỗ trợ 60.000.000 đ, đối ứng 150.000.000 đ"),
        "{text}"
    );
    assert!(
        text.contains("hỗ trợ 40.000.000 đ, đối ứng 50.000.000 đ"),
        "{text}"
    );
    assert!(text.contains("Cơ sở gốm <Bát Tràng>"), "{text}");
    assert!(!text.contains('\u{1b}'), "{text:?}");
    assert!(
        text.contains("Đề án điểm") && text.contains("Có (đề án điểm)"),
        "{text}"
    );

    // Its draft in the form: the beneficiaries and shares above the fields; saving keeps
    // them and the pilot flag.
    let before = a.store().proposal(&g).unwrap().unwrap().version;
    press(&mut a, &[ch('e')]);
    assert!(a
        .top_screen()
        .downcast_ref::<ProposalFormScreen>()
        .is_some());
    let text = screen_text_sized(&a, 120, 50);
    assert!(
        text.contains("Cơ sở thụ hưởng")
            && text.contains("1. HTX mây tre đan Phú Vinh — hỗ trợ 60.000.000 đ"),
        "{text}"
    );
    assert!(text.contains("Có (đề án điểm)"), "{text}");
    let input = a
        .top_screen()
        .downcast_ref::<ProposalFormScreen>()
        .unwrap()
        .input();
    assert_eq!(input.beneficiaries.len(), 2);
    assert!(input.is_pilot);
    press(&mut a, &[ctrl('s')]);
    let back = a.store().proposal(&g).unwrap().unwrap();
    assert!(
        a.toast().is_some_and(|t| t.contains("Đã lưu")),
        "{:?}",
        a.toast()
    );
    assert_eq!(back.version, before, "nothing changed, nothing written");
    assert_eq!(back.data.beneficiaries.len(), 2, "the save keeps the group");
    assert!(back.data.is_pilot);

    // The centre's own đề án: no facility, no panic, the centre and its commune.
    open_in_f5(&mut a, &own);
    let text = screen_text_sized(&a, 120, 50);
    assert!(text.contains("Đề xuất: Trung tâm"), "{text}");
    assert!(text.contains("Trung tâm · Ba Đình"), "{text}");
}
