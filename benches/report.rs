//! Reports at province scale (issue 17): 100,000 facilities and 500,000 consultations
//! (`ctv demo`), then 20,000 đề án (half approved during the year, with a payment and a
//! result each), 5,000 activities with 100,000 named attendees, craft villages and products
//! (plain SQL, as benches/project.rs). Times, on the opened database: the province's year
//! report, a commune's year report, the dashboard, and the province's workbook once. Targets:
//! province year ≤ 2 s, a commune's ≤ 100 ms, the dashboard ≤ 100 ms (p95).
//!
//! `cargo bench --bench report`; `CTV_BENCH_N` changes the number of facilities (the rest
//! scales with it). Results go to docs/PERFORMANCE.md by hand.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use ctv::clock::SystemClock;
use ctv::domain::report::Period;
use ctv::store::report::{Dim, Metric};
use ctv::store::Store;
use ctv::words::Lang;

#[path = "harness/stats.rs"]
mod stats;
use stats::{ms, pct};

fn main() {
    let n: usize = std::env::var("CTV_BENCH_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let bin = Path::new(env!("CARGO_BIN_EXE_ctv"));
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("bench.db");
    let t = Instant::now();
    let ok = Command::new(bin)
        .args(["--db", db.to_str().expect("utf8"), "demo", "--facilities"])
        .arg(n.to_string())
        .output()
        .expect("ctv demo");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    eprintln!("demo: {n} facilities in {:.1} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let (projects, activities, attendees) = add_records(&db, n / 5, n / 20, 20);
    eprintln!(
        "{projects} đề án, {activities} activities, {attendees} attendees inserted in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let store = Store::open_with_clock(&db, Arc::new(SystemClock)).expect("open");
    let year = Period::year(2026);
    let province = store.report_scope(None).expect("scope");
    let mut times = Vec::new();
    let mut approved = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let r = store.report(&year, &province).expect("report");
        times.push(ms(t.elapsed()));
        approved = r.value(Metric::ProjectsApproved, Dim::All, "");
    }
    println!(
        "| province year report ({} communes, {approved} đề án approved) | p50 {:>7.1} ms | p95 {:>7.1} ms |",
        province.communes.len(),
        pct(&mut times, 0.5),
        pct(&mut times, 0.95)
    );
    // The busiest communes.
    let busiest: Vec<String> = {
        let c = rusqlite::Connection::open(&db).expect("sqlite");
        let mut st = c
            .prepare(
                "SELECT commune_code FROM facilities GROUP BY commune_code
                 ORDER BY count(*) DESC LIMIT 10",
            )
            .expect("prepare");
        st.query_map([], |r| r.get(0))
            .expect("query")
            .map(|r| r.expect("row"))
            .collect()
    };
    let mut times = Vec::new();
    for code in busiest.iter().cycle().take(30) {
        let scope = store.report_scope(Some(code)).expect("commune");
        let t = Instant::now();
        let r = store.report(&year, &scope).expect("report");
        times.push(ms(t.elapsed()));
        assert!(r.value(Metric::FacilitiesActive, Dim::All, "") > 0);
    }
    println!(
        "| a commune's year report (10 busiest)              | p50 {:>7.1} ms | p95 {:>7.1} ms |",
        pct(&mut times, 0.5),
        pct(&mut times, 0.95)
    );
    let mut times = Vec::new();
    for _ in 0..30 {
        let t = Instant::now();
        let d = store.dashboard(2026, &province).expect("dashboard");
        times.push(ms(t.elapsed()));
        assert_eq!(d.rows.len(), 4);
    }
    println!(
        "| dashboard, province, 2026                         | p50 {:>7.1} ms | p95 {:>7.1} ms |",
        pct(&mut times, 0.5),
        pct(&mut times, 0.95)
    );
    let out = dir.path().join("report.xlsx");
    let t = Instant::now();
    let r = store.report(&year, &province).expect("report");
    let rows =
        ctv::report_book::write_report_xlsx(&store, Lang::Vi, &r, &province, &out).expect("xlsx");
    println!(
        "| province year workbook ({rows} record rows)         | once {:>7.1} ms |",
        ms(t.elapsed())
    );
}

/// `projects` đề án (every other one approved in 2026, with a payment and a result),
/// `activities` activities with `per` named attendees each, a craft village per commune and
/// a product with a title for every twentieth facility.
fn add_records(db: &Path, projects: usize, activities: usize, per: usize) -> (usize, usize, usize) {
    let mut c = rusqlite::Connection::open(db).expect("sqlite");
    let tx = c.transaction().expect("tx");
    let facilities: Vec<(String, String)> = {
        let mut st = tx
            .prepare("SELECT id, commune_code FROM facilities ORDER BY id")
            .expect("prepare");
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("query")
            .map(|r| r.expect("row"))
            .collect()
    };
    let stamp = "2026-01-20T03:00:00.000Z";
    let mut attendees = 0;
    {
        let mut p = tx
            .prepare(
                "INSERT INTO proposals (id, facility_id, commune_code, plan_year, category, funding,
                    title, total_cost, support, counterpart, other_sources, status,
                    approved_support, approved_funding, decision_no, decision_date, is_pilot,
                    created_at, created_by, updated_at, updated_by)
                 VALUES (?1, ?2, ?3, 2026, ?4, 'KCDP', 'Đề án', ?5, ?6, ?7, 0, ?8, ?9, ?10, ?11,
                    ?12, ?13, ?14, 'bench', ?14, 'bench')",
            )
            .expect("prepare");
        let mut pay = tx
            .prepare(
                "INSERT INTO project_payments (id, proposal_id, date, amount, kind, created_at,
                    created_by, updated_at, updated_by)
                 VALUES (?1, ?2, ?3, ?4, 'TAM_UNG', ?5, 'bench', ?5, 'bench')",
            )
            .expect("prepare");
        let mut res = tx
            .prepare(
                "INSERT INTO project_results (id, proposal_id, stage, date, jobs_created,
                    workers_trained, created_at, created_by, updated_at, updated_by)
                 VALUES (?1, ?2, 'DANH_GIA', ?3, 4, 9, ?4, 'bench', ?4, 'bench')",
            )
            .expect("prepare");
        for (i, (fid, commune)) in facilities.iter().cycle().take(projects).enumerate() {
            let id = ctv::store::new_id();
            let approved = i % 2 == 0;
            let total = 400_000_000 + (i as i64 % 97) * 10_000_000;
            let support = total * 3 / 10;
            let date = format!("2026-{:02}-{:02}", 1 + i % 12, 1 + i % 28);
            p.execute(rusqlite::params![
                id,
                fid,
                commune,
                ["KC01", "KC03", "KC05", "KC07"][i % 4],
                total,
                support,
                total - support,
                if approved { "PHE_DUYET" } else { "DA_GUI_TINH" },
                approved.then_some(support),
                approved.then_some(["KCQG", "KCDP"][i % 2]),
                approved.then_some("12/QĐ-SCT"),
                approved.then_some(date.clone()),
                i64::from(i % 10 == 0),
                stamp
            ])
            .expect("proposal");
            if approved {
                pay.execute(rusqlite::params![
                    ctv::store::new_id(),
                    id,
                    date,
                    support / 2,
                    stamp
                ])
                .expect("payment");
                res.execute(rusqlite::params![ctv::store::new_id(), id, date, stamp])
                    .expect("result");
            }
        }
        let mut a = tx
            .prepare(
                "INSERT INTO activities (id, kind, title, title_fold, start_date, commune_code,
                    unnamed_count, unnamed_women, unnamed_minority, created_at, created_by,
                    updated_at, updated_by)
                 VALUES (?1, ?2, 'Lớp tập huấn', 'lop tap huan', ?3, ?4, 10, 4, 1, ?5, 'bench',
                    ?5, 'bench')",
            )
            .expect("prepare");
        let mut at = tx
            .prepare(
                "INSERT INTO activity_attendees (activity_id, position, facility_id, person_name,
                    gender, ethnic_minority) VALUES (?1, ?2, ?3, 'Người tham dự', ?4, ?5)",
            )
            .expect("prepare");
        for i in 0..activities {
            let id = ctv::store::new_id();
            let (_, commune) = &facilities[(i * 7919) % facilities.len()];
            let date = format!("2026-{:02}-{:02}", 1 + i % 12, 1 + i % 28);
            let kind = ["TAP_HUAN", "HOI_THAO", "HOI_CHO", "TUYEN_TRUYEN"][i % 4];
            a.execute(rusqlite::params![id, kind, date, commune, stamp])
                .expect("activity");
            for k in 0..per {
                let (fid, _) = &facilities[(i * per + k) % facilities.len()];
                at.execute(rusqlite::params![
                    id,
                    k as i64,
                    fid,
                    ["NAM", "NU"][k % 2],
                    i64::from(k % 7 == 0)
                ])
                .expect("attendee");
                attendees += 1;
            }
        }
        let communes: std::collections::BTreeSet<&String> =
            facilities.iter().map(|(_, c)| c).collect();
        let mut v = tx
            .prepare(
                "INSERT INTO craft_villages (id, name, name_fold, sort_key, commune_code, status,
                    created_at, created_by, updated_at, updated_by)
                 VALUES (?1, 'Làng nghề', 'lang nghe', X'00', ?2, 'CONG_NHAN', ?3, 'bench', ?3,
                    'bench')",
            )
            .expect("prepare");
        for c in communes {
            v.execute(rusqlite::params![ctv::store::new_id(), c, stamp])
                .expect("village");
        }
        let mut fp = tx
            .prepare(
                "INSERT INTO facility_products (id, facility_id, name, name_fold, created_at,
                    created_by, updated_at, updated_by)
                 VALUES (?1, ?2, 'Sản phẩm', 'san pham', ?3, 'bench', ?3, 'bench')",
            )
            .expect("prepare");
        let mut pt = tx
            .prepare(
                "INSERT INTO product_titles (product_id, position, kind, year, level, issued_date,
                    expiry_date) VALUES (?1, 0, ?2, 2025, '4', '2025-06-01', '2028-06-01')",
            )
            .expect("prepare");
        for (fid, _) in facilities.iter().step_by(20) {
            let id = ctv::store::new_id();
            fp.execute(rusqlite::params![id, fid, stamp])
                .expect("product");
            pt.execute(rusqlite::params![id, "OCOP"]).expect("title");
        }
    }
    tx.commit().expect("commit");
    (projects, activities, attendees)
}
