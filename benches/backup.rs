//! Snapshots at 100,000 facilities and 500,000 consultations: time and size of a snapshot
//! (online backup API) beside `VACUUM INTO`, `ctv backup`, `ctv check` and `ctv restore` as
//! whole processes, and the terminal app's launch → first full frame with the daily snapshot
//! due vs not due (a pseudo-terminal, as benches/tui.rs). Prints a Markdown table for
//! docs/PERFORMANCE.md.
//!
//! Run: `cargo bench --bench backup` (CTV_BENCH_N overrides the size, default 100000).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ctv::store::{SnapshotReason, Store};

#[path = "harness/term.rs"]
mod term;
use term::Term;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1_000_000.0
}

fn timed(cmd: &mut Command) -> f64 {
    let t = Instant::now();
    let ok = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run");
    assert!(ok.success(), "{cmd:?} failed");
    t.elapsed().as_secs_f64()
}

fn dailies_of_today(db: &Path) -> Vec<std::path::PathBuf> {
    let today = chrono::Utc::now()
        .with_timezone(&ctv::clock::vn_offset())
        .date_naive();
    ctv::store::list_snapshots(db)
        .expect("list")
        .into_iter()
        .filter(|s| s.reason == SnapshotReason::Daily && s.at.date() == today)
        .map(|s| s.path)
        .collect()
}

fn main() {
    let n: usize = std::env::var("CTV_BENCH_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let bin = env!("CARGO_BIN_EXE_ctv");
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("bench.db");
    let (db_s, home) = (
        db.to_str().expect("utf8"),
        dir.path().to_str().expect("utf8"),
    );
    let ctv = |args: &[&str]| {
        let mut c = Command::new(bin);
        c.args(["--db", db_s]).args(args).env("HOME", home);
        c
    };
    let demo = timed(&mut ctv(&["demo", "--facilities", &n.to_string()]));
    let db_bytes = std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0);
    let (facilities, consultations) = {
        let s = Store::open(&db).expect("open");
        let c: i64 = rusqlite::Connection::open(&db)
            .and_then(|c| c.query_row("SELECT count(*) FROM consultations", [], |r| r.get(0)))
            .expect("count");
        (s.count_all_facilities().expect("count"), c)
    };

    println!(
        "## Backups, {facilities} facilities, {consultations} consultations ({:.0} MB database; demo made in {demo:.1} s)\n",
        mb(db_bytes)
    );
    println!("| measurement | result | target |");
    println!("|---|---|---|");

    // 1. A snapshot in process (what the daily, before-import and before-migration ones do).
    let store = Store::open(&db).expect("open");
    let mut times = Vec::new();
    let mut size = 0;
    for _ in 0..3 {
        let t = Instant::now();
        let s = store
            .snapshot(SnapshotReason::Manual)
            .expect("snapshot")
            .expect("file");
        times.push(t.elapsed().as_secs_f64());
        size = s.bytes;
    }
    drop(store);
    println!(
        "| snapshot (online backup API + zstd level 3 + fsync, median of 3) | {:.2} s, {:.0} MB ({:.1} % of the database) | — |",
        median(times),
        mb(size),
        100.0 * size as f64 / db_bytes.max(1) as f64
    );

    // 2. VACUUM INTO, the alternative: smaller file, slower.
    let vac = dir.path().join("vacuum.db");
    let conn = rusqlite::Connection::open(&db).expect("open");
    let t = Instant::now();
    conn.execute("VACUUM INTO ?1", [vac.to_str().expect("utf8")])
        .expect("vacuum into");
    let vac_time = t.elapsed().as_secs_f64();
    drop(conn);
    println!(
        "| `VACUUM INTO` for comparison (no fsync) | {vac_time:.2} s, {:.0} MB | — |",
        mb(std::fs::metadata(&vac).map(|m| m.len()).unwrap_or(0))
    );

    // 3. The commands as whole processes.
    let copy = dir.path().join("copy.db");
    let backup = timed(&mut ctv(&["backup", copy.to_str().expect("utf8")]));
    println!("| `ctv backup FILE` (whole process) | {backup:.2} s | — |");
    let check = timed(&mut ctv(&["check"]));
    println!("| `ctv check` (integrity, links, change log, codes) | {check:.2} s | — |");
    let restore = timed(&mut ctv(&["restore", copy.to_str().expect("utf8")]));
    println!("| `ctv restore FILE` (check + keep current + replace) | {restore:.2} s | — |");

    // 4. Compressed snapshots (issue 18): restore and check straight from one, and the cap
    //    after 60 simulated days of a daily and a before-import snapshot each.
    capped(&db, dir.path(), &ctv);

    // 5. The terminal app: launch → first full frame, daily snapshot not due vs due.
    let total = ctv::words::format::group_thousands(n as i64);
    let frame = format!("/ {total} cơ sở");
    // Make sure today's daily exists (not due).
    if dailies_of_today(&db).is_empty() {
        let s = Store::open(&db).expect("open");
        s.snapshot(SnapshotReason::Daily).expect("daily");
    }
    let mut not_due = Vec::new();
    for _ in 0..5 {
        let t = Term::spawn(bin, db_s, home);
        not_due.push(t.wait_for(&frame, Duration::from_secs(60)).as_secs_f64() * 1000.0);
        t.quit();
    }
    let mut due = Vec::new();
    let mut background = Vec::new();
    for _ in 0..5 {
        for p in dailies_of_today(&db) {
            std::fs::remove_file(p).expect("remove daily");
        }
        let start = Instant::now();
        let t = Term::spawn(bin, db_s, home);
        due.push(t.wait_for(&frame, Duration::from_secs(60)).as_secs_f64() * 1000.0);
        // Let the snapshot finish before quitting.
        while dailies_of_today(&db).is_empty() {
            assert!(
                start.elapsed() < Duration::from_secs(120),
                "no daily snapshot"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        background.push(start.elapsed().as_secs_f64());
        t.quit();
    }
    let (nd, d) = (median(not_due), median(due));
    println!(
        "| launch → first full frame, daily snapshot not due (median of 5) | {nd:.0} ms | — |"
    );
    println!(
        "| launch → first full frame, daily snapshot due (median of 5; runs on a job thread) | {d:.0} ms (+{:.0} ms) | ≤ +100 ms |",
        d - nd
    );
    println!(
        "| launch → daily snapshot on disk, in the background (median of 5) | {:.2} s | — |",
        median(background)
    );
}

/// Restore and check from a compressed snapshot, then 60 days of snapshots under the cap.
/// The 60 days' files are sparse files of the measured compressed size (the rules read sizes
/// and names only; writing 120 real copies would take 120 × the snapshot time): what
/// `rotate_at` keeps on disk is compared with the cap (5 × the database) and with what the
/// rotation alone kept before issue 18 (plain copies, no cap).
fn capped(db: &Path, dir: &Path, ctv: &dyn Fn(&[&str]) -> Command) {
    let snap = ctv::store::list_snapshots(db)
        .expect("list")
        .into_iter()
        .find(|s| s.is_compressed())
        .expect("a compressed snapshot");
    let t = Instant::now();
    let report = ctv::store::check_database(&snap.path).expect("check");
    let check = t.elapsed().as_secs_f64();
    assert!(report.is_ok(), "{report:?}");
    println!(
        "| check of a compressed snapshot (unpack beside it + the checks) | {check:.2} s | — |"
    );
    let restore = timed(&mut ctv(&["restore", snap.path.to_str().expect("utf8")]));
    println!(
        "| `ctv restore SNAPSHOT.db.zst` (verify: unpack + check; unpack beside the database + check; keep current; rename) | {restore:.2} s | — |"
    );

    let db_bytes = ctv::store::database_bytes(db);
    // As compressed now; then as plain copies (older snapshots, or a database that does not
    // compress), where the cap has to act.
    simulate_60_days(dir, db_bytes, snap.bytes, "compressed");
    simulate_60_days(dir, db_bytes, db_bytes, "plain-size");
}

fn simulate_60_days(dir: &Path, db_bytes: u64, packed: u64, label: &str) {
    let sim = dir.join(format!("sim-{label}"));
    std::fs::create_dir_all(sim.join("snapshots")).expect("mkdir");
    let sim_db = sim.join("ctv.db");
    // The simulated database has the real one's size (sparse: no space taken).
    std::fs::File::create(&sim_db)
        .and_then(|f| f.set_len(db_bytes))
        .expect("sim db");
    let start = chrono::NaiveDate::from_ymd_opt(2026, 9, 1).expect("date");
    let mut made = 0u64;
    let mut rotated = Vec::new();
    for day in 0..60 {
        let d = start + chrono::Days::new(day);
        for (time, reason) in [("08-00-00", "daily"), ("09-00-00", "before-import")] {
            let name = format!(
                "ctv_{}_{time}_{reason}_f100000_c500000.db.zst",
                d.format("%Y-%m-%d")
            );
            std::fs::File::create(sim.join("snapshots").join(name))
                .and_then(|f| f.set_len(packed))
                .expect("sim snapshot");
            made += 1;
        }
        let now = d.and_hms_opt(9, 0, 1).expect("time");
        let t = Instant::now();
        ctv::store::rotate_at(&sim_db, now, None).expect("rotate");
        rotated.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let left = ctv::store::list_snapshots(&sim_db).expect("list");
    let total: u64 = left.iter().map(|s| s.bytes).sum();
    let cap = ctv::store::snapshot_cap(&sim_db, None);
    let dailies = left
        .iter()
        .filter(|s| s.reason == SnapshotReason::Daily)
        .count();
    let imports = left.len() - dailies;
    // Before issue 18: the rotation kept 7 + 4 dailies and 3 before-import copies, uncompressed.
    let before = (7 + 4 + 3) as u64 * db_bytes;
    println!(
        "| snapshots on disk after 60 simulated days, {label} files of {:.1} MB ({made} taken: a daily and a before-import each) | {:.0} MB ({dailies} daily, {imports} before-import; cap {:.0} MB = 5 × {:.0} MB); before issue 18 the same days kept {:.0} MB | ≤ 5 × database {} |",
        mb(packed),
        mb(total),
        mb(cap),
        mb(db_bytes),
        mb(before),
        if total <= cap { "✔" } else { "✘" }
    );
    println!(
        "| rotation + cap per snapshot taken (list, rules, deletes), median | {:.1} ms | — |",
        median(rotated)
    );
}
