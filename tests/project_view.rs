//! The đề án page's read model and F5's stage and batch filters and totals
//! (`store/project_view.rs`), over the fixture of `common/project.rs`.

mod common;

use std::collections::BTreeSet;

use common::project::{open, project_db, Projects};
use ctv::domain::proposal::FundingSource;
use ctv::store::{EventDetail, ProjectFilter, ProjectSums, Stage, Store};

fn ids(s: &Store, f: &ProjectFilter) -> BTreeSet<String> {
    let listed: BTreeSet<String> = s
        .list_projects(f, 0, 1000)
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(s.count_projects(f).unwrap(), listed.len(), "{f:?}");
    listed
}

fn set(v: &[&String]) -> BTreeSet<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn stage(st: Stage) -> ProjectFilter {
    ProjectFilter {
        stage: Some(st),
        ..Default::default()
    }
}

#[test]
fn stage_filters_pick_by_status_and_by_dates_and_visits() {
    let (_dir, db, p) = project_db();
    let s = open(&db);
    let Projects {
        draft,
        proposed,
        approved,
        under_way,
        overdue,
        accepted,
        stopped,
        ..
    } = &p;
    assert_eq!(ids(&s, &stage(Stage::Draft)), set(&[draft]));
    assert_eq!(ids(&s, &stage(Stage::Proposed)), set(&[proposed]));
    assert_eq!(ids(&s, &stage(Stage::Approved)), set(&[approved]));
    assert_eq!(ids(&s, &stage(Stage::UnderWay)), set(&[under_way, overdue]));
    assert_eq!(ids(&s, &stage(Stage::Accepted)), set(&[accepted]));
    assert_eq!(ids(&s, &stage(Stage::Stopped)), set(&[stopped]));
    assert!(ids(&s, &stage(Stage::Withdrawn)).is_empty());
    // Overdue: the end passed and still under way. Not the one whose end an adjustment moved
    // to 2027, nor the accepted or the stopped ones (their ends passed too), nor the one
    // outside the scope.
    assert_eq!(ids(&s, &stage(Stage::Overdue)), set(&[overdue]));
    // Awaiting acceptance: the last visit found it 100 % done, or the end passed.
    assert_eq!(
        ids(&s, &stage(Stage::AwaitingAcceptance)),
        set(&[under_way, overdue])
    );
    // Seven in the scope; the eighth (commune 00008) is not listed.
    assert_eq!(ids(&s, &ProjectFilter::default()).len(), 7);
    assert!(!ids(&s, &ProjectFilter::default()).contains(&p.outside));
}

#[test]
fn batch_filter_alone_and_with_a_stage() {
    let (_dir, db, p) = project_db();
    let s = open(&db);
    let batch = |b: &str, st: Option<Stage>| ProjectFilter {
        batch: Some(b.into()),
        stage: st,
        ..Default::default()
    };
    assert_eq!(
        ids(&s, &batch("Đợt 1", None)),
        set(&[&p.approved, &p.under_way, &p.accepted])
    );
    assert_eq!(
        ids(&s, &batch("Đợt 2", Some(Stage::AwaitingAcceptance))),
        set(&[&p.overdue])
    );
    assert!(ids(&s, &batch("Đợt 3", None)).is_empty());
    // The batches offered are those of the scope.
    assert_eq!(s.project_batches().unwrap(), vec!["Đợt 1", "Đợt 2"]);
}

#[test]
fn the_page_flags_agree_with_the_filters() {
    let (_dir, db, _p) = project_db();
    let s = open(&db);
    let overdue = ids(&s, &stage(Stage::Overdue));
    let awaiting = ids(&s, &stage(Stage::AwaitingAcceptance));
    for id in ids(&s, &ProjectFilter::default()) {
        let page = s.project_page(&id).unwrap().unwrap();
        assert_eq!(page.overdue, overdue.contains(&id), "{id}");
        assert_eq!(page.awaiting_acceptance, awaiting.contains(&id), "{id}");
    }
}

fn sums(count: usize, asked: i64, approved: i64, paid: i64) -> ProjectSums {
    const M: i64 = 1_000_000;
    ProjectSums {
        count,
        asked: asked * M,
        approved: approved * M,
        paid: paid * M,
    }
}

#[test]
fn totals_per_category_and_granted_funding_source() {
    let (_dir, db, _p) = project_db();
    let s = open(&db);
    let t = s.project_totals(&ProjectFilter::default()).unwrap();
    // Worked out by hand from the fixture (millions): the under-way one counts its adjusted
    // 180, the approved one its granted source KCĐP (asked KCQG).
    assert_eq!(
        t.by_category,
        vec![
            ("KC01".to_string(), sums(2, 90, 90, 57)),
            ("KC03".to_string(), sums(3, 875, 430, 150)),
            ("KC05".to_string(), sums(2, 220, 100, 0)),
        ]
    );
    assert_eq!(
        t.by_funding,
        vec![
            (FundingSource::Kcqg, sums(3, 635, 240, 207)),
            (FundingSource::Kcdp, sums(4, 550, 380, 0)),
        ]
    );
    assert_eq!(t.total, sums(7, 1185, 620, 207));
    // For a filtered set only.
    let t = s.project_totals(&stage(Stage::UnderWay)).unwrap();
    assert_eq!(t.total, sums(2, 300, 280, 150));
}

#[test]
fn page_money_counts_the_adjustment_and_the_payments() {
    let (_dir, db, p) = project_db();
    let s = open(&db);
    let page = s.project_page(&p.under_way).unwrap().unwrap();
    assert_eq!(page.approval.approved_support, Some(200_000_000));
    assert_eq!(page.approval.planned_end.as_deref(), Some("2026-10-31"));
    assert_eq!(page.approval.batch, "Đợt 1");
    assert_eq!(page.money.approved, Some(180_000_000));
    assert_eq!(page.money.paid, 150_000_000);
    assert_eq!(page.money.remaining, Some(30_000_000));
    assert_eq!(page.money.planned_end.as_deref(), Some("2027-03-31"));
    assert!(!page.overdue);
    assert!(page.awaiting_acceptance);
    // Before approval there is nothing approved nor remaining.
    let draft = s.project_page(&p.draft).unwrap().unwrap();
    assert_eq!((draft.money.approved, draft.money.remaining), (None, None));
    assert_eq!(draft.money.paid, 0);
}

#[test]
fn timeline_is_one_list_in_date_order() {
    let (_dir, db, p) = project_db();
    let s = open(&db);
    let page = s.project_page(&p.under_way).unwrap().unwrap();
    let seen: Vec<(String, String)> = page
        .timeline
        .iter()
        .map(|e| {
            let what = match &e.detail {
                EventDetail::Status { to, .. } => to.code().to_string(),
                EventDetail::Adjustment { .. } => "adjustment".into(),
                EventDetail::Visit { progress_pct, .. } => {
                    format!("visit {}", progress_pct.unwrap_or(0))
                }
                EventDetail::Acceptance { .. } => "acceptance".into(),
                EventDetail::Payment { payment_kind, .. } => payment_kind.clone(),
                EventDetail::Result { .. } => "result".into(),
            };
            (e.date.clone(), what)
        })
        .collect();
    let want = [
        ("2026-01-10", "NHAP"),
        ("2026-01-20", "DE_XUAT"),
        ("2026-02-01", "DA_GUI_TINH"),
        ("2026-03-15", "PHE_DUYET"),
        ("2026-04-01", "DANG_THUC_HIEN"),
        ("2026-04-15", "TAM_UNG"),
        ("2026-06-10", "visit 40"),
        ("2026-09-20", "adjustment"),
        ("2026-10-05", "THANH_TOAN"),
        ("2026-11-20", "visit 100"),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(d, w)| (d.to_string(), w.to_string()))
        .collect();
    assert_eq!(seen, want);
    // Who: the visitors named on the visit, the person who entered the others.
    assert_eq!(page.timeline[9].who, "Trần Thị Bình, Sở Công Thương");
    assert_eq!(page.timeline[5].who, "Trần Thị Bình");
    match &page.timeline[3].detail {
        EventDetail::Status {
            approved_support,
            decision_no,
            ..
        } => {
            assert_eq!(*approved_support, Some(200_000_000));
            assert_eq!(decision_no.as_deref(), Some("12/QĐ-SCT"));
        }
        other => panic!("not a status: {other:?}"),
    }
}

#[test]
fn expected_beside_actual() {
    let (_dir, db, p) = project_db();
    let s = open(&db);
    let o = s.project_page(&p.accepted).unwrap().unwrap().outcome;
    assert_eq!((o.asked_total, o.asked_support), (200_000_000, 60_000_000));
    assert_eq!(o.actual_total, Some(190_000_000));
    assert_eq!(o.actual_support, Some(57_000_000));
    assert_eq!(o.acceptance_result.as_deref(), Some("DAT"));
    assert_eq!(o.results_stage.as_deref(), Some("NGHIEM_THU"));
    assert_eq!((o.jobs_created, o.workers_trained), (Some(5), Some(20)));
    assert_eq!(
        (o.revenue_before, o.revenue_after),
        (Some(800_000_000), Some(1_100_000_000))
    );
    let o = s.project_page(&p.under_way).unwrap().unwrap().outcome;
    assert_eq!(o.expected_jobs, Some(12));
    assert_eq!(o.expected_capacity, "2.000 m/năm");
    assert_eq!((o.actual_total, o.jobs_created), (None, None));
}

#[test]
fn page_of_an_unknown_id_is_none() {
    let (_dir, db, _p) = project_db();
    let s = open(&db);
    assert!(s.project_page("no-such-id").unwrap().is_none());
}
