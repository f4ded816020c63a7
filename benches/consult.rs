//! Consultations at size: 100,000 facilities and 500,000 consultations (`ctv demo`), then the
//! two screens issue 4 times — a facility's timeline (the detail screen as it opens, with its
//! consultations, amendments and history) and the agenda (the screen as it opens) — each on a
//! freshly opened database, as a collaborator would open them.
//!
//! `cargo bench --bench consult`; `CTV_BENCH_N` changes the number of facilities (five
//! consultations each); `CTV_BENCH_DB` keeps the generated database at that path and reuses it
//! when it exists (a before/after comparison on the same data, without regenerating).
//! Results go to docs/PERFORMANCE.md by hand.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use ctv::clock::SystemClock;
use ctv::store::Store;
use ctv::ui::screens::{AgendaScreen, DetailScreen, NeedsScreen};
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
    let kept = std::env::var_os("CTV_BENCH_DB").map(std::path::PathBuf::from);
    let db = kept.clone().unwrap_or_else(|| dir.path().join("bench.db"));
    if kept.as_ref().is_some_and(|p| p.exists()) {
        eprintln!("reusing {}", db.display());
    } else {
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
        eprintln!(
            "demo: {n} facilities, {} consultations in {:.1} s",
            n * 5,
            t.elapsed().as_secs_f64()
        );
    }

    // Facilities to open, spread over the table.
    let ids: Vec<String> = {
        let s = Store::open(&db).expect("open");
        let c = rusqlite::Connection::open(&db).expect("sqlite");
        let mut st = c
            .prepare("SELECT facility_id FROM consultations GROUP BY facility_id ORDER BY random() LIMIT 40")
            .expect("prepare");
        let v: Vec<String> = st
            .query_map([], |r| r.get(0))
            .expect("query")
            .map(|r| r.expect("row"))
            .collect();
        drop(s);
        v
    };

    // A facility's timeline: open the database, open the detail screen (facility, timeline
    // with amendments, change history), as `Enter` on the list does.
    let mut timeline = Vec::new();
    let mut shown = 0;
    for id in &ids {
        let store = Store::open_with_clock(&db, Arc::new(SystemClock)).expect("open");
        let t = Instant::now();
        let d = DetailScreen::open(id, Lang::Vi, &store)
            .expect("detail")
            .expect("found");
        timeline.push(ms(t.elapsed()));
        shown += usize::from(d.selected_consultation().is_some());
    }
    assert_eq!(shown, ids.len(), "every facility had consultations");

    // The agenda: its counts, the overdue count of the header, and the rows it lists.
    let mut agenda = Vec::new();
    let mut header = Vec::new();
    let mut items = 0;
    for _ in 0..20 {
        let store = Store::open_with_clock(&db, Arc::new(SystemClock)).expect("open");
        let t = Instant::now();
        let n = store.overdue_count().expect("overdue");
        header.push(ms(t.elapsed()));
        let t = Instant::now();
        let a = store.agenda_limited(50).expect("agenda");
        agenda.push(ms(t.elapsed()));
        items = a.items.len();
        let _ = n;
    }

    // The screens as F3 and F4 open them.
    let mut agenda_screen = Vec::new();
    let mut needs_screen = Vec::new();
    let mut needs_core = Vec::new();
    for _ in 0..5 {
        let store = Store::open_with_clock(&db, Arc::new(SystemClock)).expect("open");
        let t = Instant::now();
        let _a = AgendaScreen::new(Lang::Vi, &store);
        agenda_screen.push(ms(t.elapsed()));
        let t = Instant::now();
        let _n = NeedsScreen::new(Lang::Vi, &store);
        needs_screen.push(ms(t.elapsed()));
        let f = ctv::store::ConsultationFilter {
            since: store.today().checked_sub_months(chrono::Months::new(12)),
            ..Default::default()
        };
        let t = Instant::now();
        let _g = store.needs_overview(&f, ctv::ui::screens::needs::PER_GROUP);
        needs_core.push(ms(t.elapsed()));
    }

    println!(
        "## Consultations, {n} facilities and {} consultations\n",
        n * 5
    );
    println!("| measurement | p50 | p95 | max | target |");
    println!("|---|---|---|---|---|");
    let row = |name: &str, v: &mut Vec<f64>, target: &str| {
        println!(
            "| {name} | {:.1} ms | {:.1} ms | {:.1} ms | {target} |",
            pct(v, 0.5),
            pct(v, 0.95),
            pct(v, 1.0)
        );
    };
    row(
        &format!(
            "open a facility's timeline (detail screen, {} facilities)",
            ids.len()
        ),
        &mut timeline,
        "≤ 30 ms",
    );
    row(
        &format!("open the agenda ({items} rows listed, 50 per bucket)"),
        &mut agenda,
        "≤ 30 ms",
    );
    row("header overdue count", &mut header, "—");
    row("open the agenda screen (F3)", &mut agenda_screen, "≤ 30 ms");
    row("open the needs view (F4)", &mut needs_screen, "—");
    row("of which the core's needs_overview", &mut needs_core, "—");
}
