//! The đề án after approval: adjustments, monitoring visits, the acceptance, payments and
//! results — added and read back, refused when they may not be, completing the đề án, on the
//! agenda, and travelling between a collaborator and the province.

mod common;

use std::path::Path;

use common::bundles::{export_to, import_bundle as import};
use common::projects::{
    approve, approve_and_start, as_profile, keys_dir, open, project_under_way, reviewed_proposal,
};
use common::proposals::vn;
use ctv::bundle::receive;
use ctv::bundle::{export, ExportOptions};
use ctv::clock::FixedClock;
use ctv::domain::consultation::AgendaBucket;
use ctv::domain::issue::Problem;
use ctv::domain::project::{
    AcceptanceInput, AdjustmentInput, PaymentInput, ProjectKind, ProjectRefusal, ResultInput,
    VisitInput,
};
use ctv::domain::proposal::ProposalStatus;
use ctv::store::{Store, StoreError};
use ctv::words::{store_error_text, Lang};

fn clock() -> FixedClock {
    FixedClock::new(vn(2027, 3, 10, 9))
}

fn pay(s: &mut Store, id: &str, amount: &str) -> Result<ctv::record::PaymentRecord, StoreError> {
    s.add_payment(
        id,
        &PaymentInput {
            amount: amount.into(),
            kind: "tạm ứng".into(),
            doc_no: "PC-01".into(),
            ..Default::default()
        },
    )
}

fn visit(follow_up: &str) -> VisitInput {
    VisitInput {
        date: "5/3/27".into(),
        visitor: "Lê Thị Bình".into(),
        checked: "Lắp đặt máy chẻ nan".into(),
        progress_pct: "60%".into(),
        findings: "Đúng tiến độ".into(),
        follow_up_date: follow_up.into(),
    }
}

fn acceptance(result: &str, total: &str) -> AcceptanceInput {
    AcceptanceInput {
        date: "9/3/2027".into(),
        units: "Sở Công Thương, UBND xã, HTX".into(),
        result: result.into(),
        actual_total: total.into(),
        actual_support: "80tr".into(),
        actual_counterpart: "200tr".into(),
        actual_other: "".into(),
        notes: "".into(),
    }
}

fn results(stage: &str) -> ResultInput {
    ResultInput {
        stage: stage.into(),
        jobs_created: "12".into(),
        workers_trained: "30".into(),
        revenue_before: "1 tỷ 250 triệu".into(),
        revenue_after: "2 tỷ".into(),
        products: "Nan tre đều, bóng".into(),
        equipment_in_use: "Máy chẻ nan: đang dùng".into(),
        ..Default::default()
    }
}

fn refusal(e: StoreError) -> ProjectRefusal {
    match e {
        StoreError::Project { refusal, .. } => refusal,
        other => panic!("not a refusal: {other:?}"),
    }
}

#[test]
fn each_record_is_added_and_read_back_with_its_change_log() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut s, _, id) = project_under_way(tmp.path(), &clock(), 80_000_000);
    let before = s.change_count().unwrap();

    let adj = s
        .add_adjustment(
            &id,
            &AdjustmentInput {
                decision_no: "45/QĐ-SCT".into(),
                date: "1/3/27".into(),
                new_support: "90tr".into(),
                new_end: "30/6/2027".into(),
                reason: "Giá thiết bị tăng".into(),
            },
        )
        .unwrap();
    let v = s.add_visit(&id, &visit("")).unwrap();
    let a = s
        .add_acceptance(&id, &acceptance("không đạt", "280tr"))
        .unwrap();
    let p = pay(&mut s, &id, "30.000.000").unwrap();
    let r = s.add_result(&id, &results("nghiệm thu")).unwrap();
    assert_eq!(s.change_count().unwrap(), before + 5);

    let all = s.project_records(&id).unwrap();
    assert_eq!(all.adjustments, vec![adj.clone()]);
    assert_eq!(all.visits, vec![v.clone()]);
    assert_eq!(all.acceptances, vec![a.clone()]);
    assert_eq!(all.payments, vec![p.clone()]);
    assert_eq!(all.results, vec![r.clone()]);
    assert_eq!(adj.new_support, Some(90_000_000));
    assert_eq!(adj.new_end.as_deref(), Some("2027-06-30"));
    assert_eq!((v.date.as_str(), v.progress_pct), ("2027-03-05", Some(60)));
    assert_eq!(
        (a.result.as_str(), a.actual_total),
        ("KHONG_DAT", 280_000_000)
    );
    assert_eq!((p.kind.as_str(), p.amount), ("TAM_UNG", 30_000_000));
    assert_eq!(r.revenue_before, Some(1_250_000_000));
    assert_eq!(r.stage, "NGHIEM_THU");
    // A failed acceptance leaves the đề án under way.
    assert_eq!(
        s.proposal(&id).unwrap().unwrap().status,
        ProposalStatus::DangThucHien
    );
    // The adjusted support is the approved one now; the sum paid counts.
    let m = s.project_money(&id).unwrap().unwrap();
    assert_eq!((m.approved, m.paid), (Some(90_000_000), 30_000_000));
    assert_eq!(m.planned_end.as_deref(), Some("2027-06-30"));
    let log = s.history("project_payment", &p.id).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].action, "create");
    assert_eq!(
        log[0].changes["amount"],
        serde_json::json!([null, 30_000_000])
    );
}

#[test]
fn paying_more_than_approved_is_refused_with_the_figures_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut s, _, id) = project_under_way(tmp.path(), &clock(), 80_000_000);
    pay(&mut s, &id, "60tr").unwrap();
    let before = s.change_count().unwrap();
    let e = pay(&mut s, &id, "30tr").unwrap_err();
    assert_eq!(
        store_error_text(Lang::Vi, &e),
        "Đã chi 60.000.000 đ + 30.000.000 đ vượt kinh phí được duyệt 80.000.000 đ: \
         chỉ còn chi được 20.000.000 đ."
    );
    assert_eq!(
        refusal(e),
        ProjectRefusal::OverPaid {
            paid: 60_000_000,
            amount: 30_000_000,
            approved: 80_000_000
        }
    );
    assert_eq!(s.change_count().unwrap(), before);
    assert_eq!(s.project_records(&id).unwrap().payments.len(), 1);
    // Exactly what remains may be paid; an adjustment raising the support allows more.
    pay(&mut s, &id, "20tr").unwrap();
    assert!(pay(&mut s, &id, "1").is_err());
    s.add_adjustment(
        &id,
        &AdjustmentInput {
            decision_no: "45/QĐ-SCT".into(),
            new_support: "100tr".into(),
            reason: "Bổ sung kinh phí".into(),
            ..Default::default()
        },
    )
    .unwrap();
    pay(&mut s, &id, "20tr").unwrap();
    assert_eq!(s.project_money(&id).unwrap().unwrap().paid, 100_000_000);
}

#[test]
fn acceptance_parts_that_do_not_add_up_are_refused_naming_the_figures() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut s, _, id) = project_under_way(tmp.path(), &clock(), 80_000_000);
    let before = s.change_count().unwrap();
    let e = s
        .add_acceptance(&id, &acceptance("đạt", "300.000.000"))
        .unwrap_err();
    let StoreError::Invalid(issues) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(
        issues.errors().next().map(|i| (i.field, i.problem.clone())),
        Some((
            "actual_total",
            Problem::SumMismatch {
                total: 300_000_000,
                parts: 280_000_000
            }
        ))
    );
    let text = store_error_text(Lang::Vi, &e);
    assert!(text.starts_with("Tổng chi phí thực tế: "), "{text}");
    assert!(
        text.contains("300.000.000 đ") && text.contains("280.000.000 đ"),
        "{text}"
    );
    assert_eq!(s.change_count().unwrap(), before);
    assert_eq!(
        s.proposal(&id).unwrap().unwrap().status,
        ProposalStatus::DangThucHien
    );
}

#[test]
fn a_passed_acceptance_completes_the_de_an_in_the_same_write() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut s, _, id) = project_under_way(tmp.path(), &clock(), 80_000_000);
    let a = s
        .add_acceptance(&id, &acceptance("đạt có điều kiện", "280tr"))
        .unwrap();
    assert_eq!(a.result, "DAT_CO_DIEU_KIEN");
    let p = s.proposal(&id).unwrap().unwrap();
    assert_eq!(p.status, ProposalStatus::HoanThanh);
    let last = s.proposal_history(&id).unwrap().pop().unwrap();
    assert_eq!(
        (last.from, last.to, last.at),
        (
            Some(ProposalStatus::DangThucHien),
            ProposalStatus::HoanThanh,
            a.created_at.clone()
        )
    );
    // Results and an evaluation can follow on the completed đề án.
    s.add_result(&id, &results("đánh giá")).unwrap();
}

#[test]
fn who_may_record_what() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut s, _, id) = project_under_way(tmp.path(), &clock(), 80_000_000);
    // A commune collaborator at the facility: visits and evaluations, not money.
    as_profile(&mut s, "Nguyễn Văn An", "commune", "00004");
    let before = s.change_count().unwrap();
    let e = pay(&mut s, &id, "10tr").unwrap_err();
    let text = store_error_text(Lang::Vi, &e);
    assert!(
        text.starts_with("Chỉ Trung tâm Khuyến công tỉnh ghi khoản chi."),
        "{text}"
    );
    assert!(text.contains("ctv project visit"), "{text}");
    assert_eq!(
        refusal(e),
        ProjectRefusal::ProvinceOnly {
            kind: ProjectKind::Payment
        }
    );
    for e in [
        s.add_acceptance(&id, &acceptance("đạt", "280tr"))
            .unwrap_err(),
        s.add_result(&id, &results("nghiệm thu")).unwrap_err(),
        s.add_adjustment(
            &id,
            &AdjustmentInput {
                decision_no: "1".into(),
                new_support: "1tr".into(),
                reason: "x".into(),
                ..Default::default()
            },
        )
        .unwrap_err(),
    ] {
        assert!(matches!(refusal(e), ProjectRefusal::ProvinceOnly { .. }));
    }
    assert_eq!(s.change_count().unwrap(), before);
    s.add_visit(&id, &visit("")).unwrap();
    s.add_result(&id, &results("DANH_GIA")).unwrap();

    // Outside the collaborator's communes nothing is written.
    as_profile(&mut s, "Trần Văn Cường", "commune", "00376");
    let before = s.change_count().unwrap();
    let e = s.add_visit(&id, &visit("")).unwrap_err();
    assert!(
        matches!(e, StoreError::OutOfScope(ref c) if c == "00004"),
        "{e:?}"
    );
    assert_eq!(s.change_count().unwrap(), before);
}

#[test]
fn records_wait_for_approval_and_none_go_on_a_withdrawn_proposal() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut s, _) = open(tmp.path(), "a.db", &clock());
    let id = reviewed_proposal(&mut s);
    // Reviewed, not yet approved: not even a visit.
    let e = s.add_visit(&id, &visit("")).unwrap_err();
    let text = store_error_text(Lang::Vi, &e);
    assert_eq!(
        refusal(e),
        ProjectRefusal::Stage {
            kind: ProjectKind::Visit,
            status: ProposalStatus::DaRaSoat
        }
    );
    assert!(
        text.contains("Chỉ ghi được khi tỉnh đã phê duyệt đề án."),
        "{text}"
    );
    // Withdrawn: nothing, ever.
    let v = s.proposal(&id).unwrap().unwrap().version;
    s.withdraw_proposal(&id, v, "Cơ sở không còn nhu cầu")
        .unwrap();
    as_profile(&mut s, "Trung tâm Khuyến công Hà Nội", "province", "01");
    let before = s.change_count().unwrap();
    for e in [
        pay(&mut s, &id, "1tr").unwrap_err(),
        s.add_result(&id, &results("nghiệm thu")).unwrap_err(),
        s.add_acceptance(&id, &acceptance("đạt", "280tr"))
            .unwrap_err(),
    ] {
        assert!(
            matches!(
                refusal(e),
                ProjectRefusal::Stage {
                    status: ProposalStatus::Rut,
                    ..
                }
            ),
            "refused for its stage"
        );
    }
    assert_eq!(s.change_count().unwrap(), before);
}

#[test]
fn an_acceptance_waits_for_the_start_and_a_payment_for_an_approved_amount() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut s, path) = open(tmp.path(), "a.db", &clock());
    let id = reviewed_proposal(&mut s);
    s.mark_sent_to_province(std::slice::from_ref(&id)).unwrap();
    as_profile(&mut s, "Trung tâm Khuyến công Hà Nội", "province", "01");
    approve(&mut s, &id, 80_000_000);
    let e = s
        .add_acceptance(&id, &acceptance("đạt", "280tr"))
        .unwrap_err();
    assert!(store_error_text(Lang::Vi, &e).contains("«Đang thực hiện»"));
    // An approval always carries its amount now (empty: what was asked), so a payment
    // may follow it at once, up to that amount.
    pay(&mut s, &id, "10tr").unwrap();
    let _ = path;
}

#[test]
fn a_visit_follow_up_lands_on_the_agenda_until_it_is_done() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut s, _, id) = project_under_way(tmp.path(), &clock(), 80_000_000);
    as_profile(&mut s, "Nguyễn Văn An", "commune", "00004");
    let v = s.add_visit(&id, &visit("+2")).unwrap();
    s.add_visit(&id, &visit("")).unwrap();
    let agenda = s.agenda().unwrap();
    assert_eq!(agenda.visits.len(), 1);
    let due = &agenda.visits[0];
    assert_eq!(due.visit.id, v.id);
    assert_eq!(due.visit.follow_up_date.as_deref(), Some("2027-03-12"));
    assert_eq!(due.bucket, AgendaBucket::ThisWeek);
    assert_eq!(due.facility_name, "HTX mây tre đan Phú Vinh");
    assert_eq!(due.proposal_title, "Máy chẻ nan");
    // Someone else's communes do not see it.
    as_profile(&mut s, "Trần Văn Cường", "commune", "00376");
    assert!(s.agenda().unwrap().visits.is_empty());
    as_profile(&mut s, "Nguyễn Văn An", "commune", "00004");
    let (found, version) = s.visit_by_ref(&v.id[v.id.len() - 8..]).unwrap().unwrap();
    assert_eq!(found, v);
    s.close_visit_follow_up(&v.id, version).unwrap();
    assert!(s.agenda().unwrap().visits.is_empty());
    assert!(matches!(
        s.close_visit_follow_up(&v.id, version + 1),
        Err(StoreError::FollowUpDone(_))
    ));
}

#[test]
fn the_records_travel_to_the_province_and_back_and_both_sides_agree() {
    keys_dir();
    let tmp = tempfile::tempdir().unwrap();
    let clock = FixedClock::new(vn(2027, 1, 5, 9));
    // The collaborator's database: a proposal reviewed and sent.
    let (mut a, _) = open(tmp.path(), "collaborator.db", &clock);
    let id = reviewed_proposal(&mut a);
    let b1 = export_to(&mut a, tmp.path().join("b1.ctvb"));
    let (mut p, p_path) = open(tmp.path(), "province.db", &clock);
    as_profile(&mut p, "Trung tâm Khuyến công Hà Nội", "province", "01");
    import(&mut p, &b1);
    approve_and_start(&mut p, &id, 80_000_000);
    let _ = &p_path;
    let pkey = ctv::bundle::signing_key(&mut p).unwrap();
    let sender = a.profile().unwrap().id.clone();
    let r1 = tmp.path().join("r1.ctvb");
    receive::write_receipt(&p, &pkey, &sender, None, &r1).unwrap();
    let c = receive::check(&a, &r1).unwrap();
    assert_eq!(
        receive::apply_receipt(&mut a, &c, true)
            .unwrap()
            .decisions_applied,
        1
    );
    assert_eq!(
        a.proposal(&id).unwrap().unwrap().status,
        ProposalStatus::DangThucHien
    );

    // The collaborator records a visit; it reaches the province in the next bundle.
    clock.set(vn(2027, 3, 10, 9));
    let v = a.add_visit(&id, &visit("+7")).unwrap();
    let b2 = export_to(&mut a, tmp.path().join("b2.ctvb"));
    let r = import(&mut p, &b2);
    assert_eq!(r.count("project_visit").new, 1, "{r:?}");
    assert_eq!(p.project_records(&id).unwrap().visits, vec![v.clone()]);
    // The same records again (a full bundle) change nothing.
    let full = tmp.path().join("b3.ctvb");
    keys_dir();
    export(
        &mut a,
        &ExportOptions {
            full: true,
            out: Some(full.clone()),
        },
        &|_, _| {},
    )
    .unwrap();
    let changes = p.change_count().unwrap();
    let r = import(&mut p, &full);
    assert_eq!(r.count("project_visit").unchanged, 1, "{r:?}");
    assert!(r.is_noop(), "{r:?}");
    assert_eq!(p.change_count().unwrap(), changes);

    // The province records the acceptance, payments and results; the receipt brings them.
    p.add_acceptance(&id, &acceptance("đạt", "280tr")).unwrap();
    pay(&mut p, &id, "30tr").unwrap();
    pay(&mut p, &id, "50tr").unwrap();
    p.add_result(&id, &results("nghiệm thu")).unwrap();
    let r2 = tmp.path().join("r2.ctvb");
    let receipt = receive::write_receipt(&p, &pkey, &sender, None, &r2).unwrap();
    // The collaborator's own visit does not come back: it has it.
    assert!(receipt.projects.visits.is_empty());
    assert_eq!(receipt.projects.payments.len(), 2);
    let c = receive::check(&a, &r2).unwrap();
    let applied = receive::apply_receipt(&mut a, &c, false).unwrap();
    assert_eq!(
        (applied.decisions_applied, applied.projects_applied),
        (1, 4)
    );
    assert_eq!(
        a.proposal(&id).unwrap().unwrap().status,
        ProposalStatus::HoanThanh
    );
    assert_eq!(
        a.project_records(&id).unwrap(),
        p.project_records(&id).unwrap()
    );
    assert_eq!(
        a.all_records().unwrap().projects,
        p.all_records().unwrap().projects
    );
    // Read twice, nothing more changes.
    let c = receive::check(&a, &r2).unwrap();
    assert_eq!(
        receive::apply_receipt(&mut a, &c, false)
            .unwrap()
            .projects_applied,
        0
    );

    // The collaborator's next bundle shows the province's records unchanged.
    clock.set(vn(2027, 3, 11, 9));
    let b4 = export_to(&mut a, tmp.path().join("b4.ctvb"));
    let c4 = receive::check(&p, &b4).unwrap();
    let r = c4.preview(&p).unwrap();
    for e in ["project_acceptance", "project_payment", "project_result"] {
        assert_eq!(
            r.count(e).new + r.count(e).updated + r.count(e).conflicts,
            0,
            "{e}: {r:?}"
        );
    }
    assert_eq!(r.count("project_payment").unchanged, 2, "{r:?}");
    let changes = p.change_count().unwrap();
    import(&mut p, &b4);
    assert!(p.conflicts(true).unwrap().is_empty());
    assert_eq!(
        p.change_count().unwrap(),
        changes,
        "nothing of the đề án changed at the province"
    );

    // The collaborator closes its visit's follow-up: the province takes the update.
    let (_, version) = a.visit_by_ref(&v.id).unwrap().unwrap();
    let closed = a.close_visit_follow_up(&v.id, version).unwrap();
    let b5 = export_to(&mut a, tmp.path().join("b5.ctvb"));
    let r = import(&mut p, &b5);
    assert_eq!(r.count("project_visit").updated, 1, "{r:?}");
    assert_eq!(p.project_records(&id).unwrap().visits, vec![closed]);
    assert!(p.conflicts(true).unwrap().is_empty());

    // Both sides' kept money and stage columns are what their records give, and agree.
    let a_money = a.project_money(&id).unwrap().unwrap();
    assert_eq!(a_money, p.project_money(&id).unwrap().unwrap());
    assert_eq!(
        (a_money.approved, a_money.paid),
        (Some(80_000_000), 80_000_000)
    );
    drop((a, p));
    for db in ["collaborator.db", "province.db"] {
        let report = ctv::store::check_database(&tmp.path().join(db)).unwrap();
        assert_eq!(report.kept_money_total, 0, "{db}: {report:?}");
        assert!(report.is_ok(), "{db}: {report:?}");
    }
}

#[test]
fn check_finds_kept_money_that_differs_from_the_records() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut s, path, id) = project_under_way(tmp.path(), &clock(), 80_000_000);
    pay(&mut s, &id, "30tr").unwrap();
    drop(s);
    assert_eq!(
        ctv::store::check_database(&path).unwrap().kept_money_total,
        0
    );
    // Written behind the program's back: the triggers do not run for the kept column itself.
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute("UPDATE proposals SET paid = 1 WHERE id = ?1", [&id])
        .unwrap();
    let report = ctv::store::check_database(&path).unwrap();
    assert_eq!(report.kept_money, vec![id]);
    assert!(!report.is_ok());
}

#[test]
fn a_bundle_may_not_carry_money_from_a_collaborator() {
    keys_dir();
    let tmp = tempfile::tempdir().unwrap();
    let clock = FixedClock::new(vn(2027, 1, 5, 9));
    let (mut a, a_path) = open(tmp.path(), "collaborator.db", &clock);
    let id = reviewed_proposal(&mut a);
    let b1 = export_to(&mut a, tmp.path().join("b1.ctvb"));
    let (mut p, _) = open(tmp.path(), "province.db", &clock);
    as_profile(&mut p, "Trung tâm Khuyến công Hà Nội", "province", "01");
    import(&mut p, &b1);
    // A payment written into the collaborator's database by other means (a forged record),
    // with the change-log row that makes the export carry it.
    let c = rusqlite::Connection::open(&a_path).unwrap();
    c.execute_batch(&format!(
        "INSERT INTO project_payments (id, proposal_id, date, amount, kind, doc_no, notes,
            created_at, created_by, updated_at, updated_by, version)
         VALUES ('0190f000-0000-7000-8000-00000000beef', '{id}', '2027-01-05', 10000000,
            'TAM_UNG', '', '', '2027-01-05T02:00:00.000Z', 'x', '2027-01-05T02:00:00.000Z', 'x', 1);
         INSERT INTO change_log (at, actor_id, actor_name, entity, record_id, action, version, changes)
         VALUES ('2027-01-05T02:00:00.000Z', 'x', 'x', 'project_payment',
            '0190f000-0000-7000-8000-00000000beef', 'create', 1, '{{}}');"
    ))
    .unwrap();
    drop(c);
    let b2 = export_to(&mut a, tmp.path().join("b2.ctvb"));
    let c = receive::check(&p, &b2).unwrap();
    assert_eq!(c.bundle.projects.payments.len(), 1);
    let changes = p.change_count().unwrap();
    let e = match receive::import(&mut p, &c, false) {
        Err(receive::ReceiveError::Store(e)) => e,
        other => panic!("{other:?}"),
    };
    let text = store_error_text(Lang::Vi, &e);
    assert!(
        text.contains("Chỉ Trung tâm Khuyến công tỉnh ghi khoản chi."),
        "{text}"
    );
    assert_eq!(p.change_count().unwrap(), changes);
    assert!(p.project_records(&id).unwrap().payments.is_empty());
}

#[test]
fn the_command_line_records_and_refuses_in_words() {
    let tmp = tempfile::tempdir().unwrap();
    let (s, db, id) = project_under_way(tmp.path(), &clock(), 80_000_000);
    drop(s);
    let short = &id[id.len() - 8..];
    let run = |args: &[&str]| common::ctv(&db, args);

    let (code, out, err) = run(&[
        "project", "pay", short, "--amount", "60tr", "--kind", "tam-ung",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("Đã chi 60.000.000 đ / kinh phí được duyệt 80.000.000 đ."),
        "{out}"
    );

    let changes = || {
        let s = Store::open(&db).unwrap();
        (s.change_count().unwrap(), s.project_records(&id).unwrap())
    };
    let before = changes();
    let (code, _, err) = run(&[
        "project",
        "pay",
        short,
        "--amount",
        "30tr",
        "--kind",
        "tạm ứng",
    ]);
    assert_eq!(code, 1);
    assert!(
        err.contains("Đã chi 60.000.000 đ + 30.000.000 đ vượt kinh phí được duyệt 80.000.000 đ"),
        "{err}"
    );
    let (code, _, err) = run(&[
        "project",
        "pay",
        short,
        "--amount",
        "ba chục",
        "--kind",
        "tiền mặt",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("--amount (Số tiền): "), "{err}");
    assert!(err.contains("--kind (Loại khoản chi): "), "{err}");
    let (code, _, err) = run(&[
        "project",
        "accept",
        short,
        "--units",
        "Sở, xã, HTX",
        "--result",
        "đạt",
        "--actual-total",
        "300tr",
        "--actual-support",
        "80tr",
        "--actual-counterpart",
        "200tr",
    ]);
    assert_eq!(code, 1);
    assert!(
        err.contains("--actual-total (Tổng chi phí thực tế): "),
        "{err}"
    );
    assert!(err.contains("300.000.000 đ"), "{err}");
    assert_eq!(changes(), before, "a refused command writes nothing");

    let (code, out, err) = run(&[
        "project",
        "visit",
        short,
        "--progress",
        "50",
        "--follow-up",
        "+3",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["visitor"], "Trung tâm Khuyến công Hà Nội");
    assert_eq!(v["progress_pct"], 50);

    let (code, out, _) = run(&["project", "records", short, "--format", "json"]);
    assert_eq!(code, 0);
    let all: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(all["payments"].as_array().unwrap().len(), 1);
    assert_eq!(all["payments"][0]["amount"], 60_000_000);
    assert_eq!(all["visits"].as_array().unwrap().len(), 1);
    let (code, out, _) = run(&["project", "records", short]);
    assert_eq!(code, 0);
    assert!(
        out.contains("khoản chi") && out.contains("60.000.000 đ") && out.contains("Tạm ứng"),
        "{out}"
    );

    let (code, out, _) = run(&["agenda"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("Kiểm tra lại đề án (1)") && out.contains("Máy chẻ nan"),
        "{out}"
    );
    let (code, _, err) = run(&[
        "project", "pay", "ffffffff", "--amount", "1tr", "--kind", "tam-ung",
    ]);
    assert_eq!(code, 1);
    assert!(
        err.contains("Không tìm thấy đề xuất có mã ffffffff."),
        "{err}"
    );
}

/// `file` written again as format `version` (same entries, manifest re-signed by `key`).
fn as_version(file: &Path, version: u32, key: &ctv::bundle::SigningKeyFile, out: &Path) {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(file).unwrap()).unwrap();
    let mut entries = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().to_string();
        if name == "manifest.json" || name == "signature" {
            continue;
        }
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut bytes).unwrap();
        entries.push((name, bytes));
    }
    let mut manifest = ctv::bundle::read_bundle(file).unwrap().manifest;
    manifest.format_version = version;
    manifest.entries.clear();
    ctv::bundle::container::write_manifest(out, manifest, entries, key).unwrap();
}

#[test]
fn a_version_1_bundle_is_still_read_but_may_not_carry_de_an_records() {
    keys_dir();
    let tmp = tempfile::tempdir().unwrap();
    let clock = FixedClock::new(vn(2027, 3, 10, 9));
    let (mut a, a_path) = open(tmp.path(), "collaborator.db", &clock);
    let id = reviewed_proposal(&mut a);
    let key = ctv::bundle::signing_key(&mut a).unwrap();
    let b1 = export_to(&mut a, tmp.path().join("b1.ctvb"));
    assert_eq!(
        ctv::bundle::read_bundle(&b1)
            .unwrap()
            .manifest
            .format_version,
        2
    );
    let v1 = tmp.path().join("v1.ctvb");
    as_version(&b1, 1, &key, &v1);
    let (mut p, _) = open(tmp.path(), "province.db", &clock);
    as_profile(&mut p, "Trung tâm Khuyến công Hà Nội", "province", "01");
    let r = import(&mut p, &v1);
    assert_eq!(r.count("proposal").new, 1);
    assert!(p.proposal(&id).unwrap().is_some());

    // A visit travels in its own entry, which a version 1 bundle may not hold.
    let c = rusqlite::Connection::open(&a_path).unwrap();
    c.execute(
        "UPDATE proposals SET status = 'DANG_THUC_HIEN' WHERE id = ?1",
        [&id],
    )
    .unwrap();
    drop(c);
    a.add_visit(&id, &visit("")).unwrap();
    let b2 = export_to(&mut a, tmp.path().join("b2.ctvb"));
    let b2_read = ctv::bundle::read_bundle(&b2).unwrap();
    assert_eq!(b2_read.projects.visits.len(), 1);
    assert_eq!(b2_read.manifest.counts.get("project_visits"), Some(&1));
    let v1 = tmp.path().join("v1b.ctvb");
    as_version(&b2, 1, &key, &v1);
    let e = ctv::bundle::read_bundle(&v1).unwrap_err();
    assert!(
        matches!(e, ctv::bundle::BundleError::BadEntryName(ref n) if n == "project_visits.ndjson"),
        "{e:?}"
    );
}
