//! The terminal app at 100,000 facilities, driven in a pseudo-terminal: time to the first full
//! frame, bytes written per cursor move and per typed search letter, bytes and CPU while idle,
//! and peak memory. Prints a Markdown table for docs/PERFORMANCE.md.
//!
//! Run: `cargo bench --bench tui` (CTV_BENCH_N overrides the size, default 100000).

use std::time::Duration;

#[path = "harness/term.rs"]
mod term;
use term::Term;

fn proc_field(pid: u32, file: &str, key: &str) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/{file}")).ok()?;
    s.lines()
        .find(|l| l.starts_with(key))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// utime + stime of a process, in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = s.rsplit_once(')').map(|x| x.1).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    f.get(11).and_then(|x| x.parse::<u64>().ok()).unwrap_or(0)
        + f.get(12).and_then(|x| x.parse::<u64>().ok()).unwrap_or(0)
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() - 1) as f64 * p).round() as usize]
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
    let ok = std::process::Command::new(bin)
        .args(["--db", db_s, "demo", "--facilities", &n.to_string()])
        .stdout(std::process::Stdio::null())
        .status()
        .expect("demo");
    assert!(ok.success());
    // The day's snapshot, as after the first start of a day: the app would otherwise copy the
    // database on a background thread during the measurements below (the first start of a
    // day is measured in `benches/backup.rs`).
    ctv::store::take_daily_if_due(&db, chrono::Utc::now()).expect("daily snapshot");
    let total = ctv::words::format::group_thousands(n as i64);

    // Launch to first full frame (the list with its counter), median of 5 warm launches.
    let mut launches = Vec::new();
    for _ in 0..5 {
        let mut t = Term::spawn(bin, db_s, home);
        launches.push(
            t.wait_for(&format!("/ {total} cơ sở"), Duration::from_secs(30))
                .as_secs_f64()
                * 1000.0,
        );
        t.send(b"q");
        let _ = t.child.wait();
    }
    let mut t = Term::spawn(bin, db_s, home);
    t.wait_for(&format!("/ {total} cơ sở"), Duration::from_secs(30));
    let pid = t.child.process_id().expect("pid");
    t.settle(0, Duration::from_millis(300));

    // Bytes per cursor move: 15 moves inside the first page, then 40 that scroll the list
    // by one row each, then 15 back up inside the page.
    let (mut in_page, mut scrolling) = (Vec::new(), Vec::new());
    for i in 0..70 {
        let before = t.len();
        t.send(if i < 55 { b"\x1b[B" } else { b"\x1b[A" });
        let b = t.settle(before, Duration::from_millis(40)) as f64;
        if i == 30 && std::env::var_os("CTV_BENCH_DUMP").is_some() {
            // What one scrolling move writes, to see where the bytes go.
            let raw = t.raw.lock().expect("lock");
            eprintln!("{}", String::from_utf8_lossy(&raw[before..]).escape_debug());
        }
        if (15..55).contains(&i) {
            scrolling.push(b);
        } else {
            in_page.push(b);
        }
    }

    // Idle for 10 s: bytes written and CPU ticks.
    let (b0, c0) = (t.len(), cpu_ticks(pid));
    std::thread::sleep(Duration::from_secs(10));
    let (idle_bytes, idle_ticks) = (t.len() - b0, cpu_ticks(pid) - c0);

    // Search: open it, wait for the index, then type a query letter by letter.
    t.send(b"/");
    t.settle(t.len(), Duration::from_millis(200));
    std::thread::sleep(Duration::from_secs(3)); // the index builds in the background
    let mut letters = Vec::new();
    for c in "nguyen van duc".chars() {
        let before = t.len();
        t.send(c.to_string().as_bytes());
        letters.push(t.settle(before, Duration::from_millis(60)) as f64);
    }
    let rss_mb = proc_field(pid, "status", "VmHWM:").unwrap_or(0) as f64 / 1024.0;
    t.send(b"\x1b");
    std::thread::sleep(Duration::from_millis(100));
    t.send(b"\x1b");
    std::thread::sleep(Duration::from_millis(100));
    t.send(b"q");
    let _ = t.child.wait();

    println!("## Terminal app, {n} facilities, 80×24 pseudo-terminal\n");
    println!("| measurement | result | target |");
    println!("|---|---|---|");
    println!("| launch → first full frame (median of 5; min / max) | {:.0} ms ({:.0} / {:.0}) | ≤ 50 ms |", pct(&mut launches.clone(), 0.5), pct(&mut launches.clone(), 0.0), pct(&mut launches, 1.0));
    println!(
        "| bytes per cursor move inside the page (p50 / p95 / max of 30) | {:.0} / {:.0} / {:.0} | ≤ 200 |",
        pct(&mut in_page.clone(), 0.5),
        pct(&mut in_page.clone(), 0.95),
        pct(&mut in_page, 1.0)
    );
    println!(
        "| bytes per cursor move that scrolls the list one row (p50 / max of 40) | {:.0} / {:.0} | ≤ 200 |",
        pct(&mut scrolling.clone(), 0.5),
        pct(&mut scrolling, 1.0)
    );
    println!(
        "| bytes per typed search letter (p50 / max, \"nguyen van duc\") | {:.0} / {:.0} | — |",
        pct(&mut letters.clone(), 0.5),
        pct(&mut letters, 1.0)
    );
    println!("| idle 10 s: bytes written / CPU ticks | {idle_bytes} / {idle_ticks} | 0 / 0 |");
    println!("| max RSS (VmHWM) after browsing and searching | {rss_mb:.1} MB | ≤ 60 MB |");
}
