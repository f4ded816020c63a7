//! A shared server's load: 20 processes on one database, each alternating a write (an edit of
//! its own facility, one `BEGIN IMMEDIATE` transaction, `synchronous = FULL`) and a read (a
//! list window of 50 and the count). Reports write latency p50/p95/max, read latency while
//! writing, and how many busy errors reached the caller (target: 0; write p95 ≤ 50 ms).
//!
//! Each session waits CTV_BENCH_THINK_MS (default 250) between rounds, as people do between
//! saves; 0 is the saturation case (every process writing back to back).
//!
//! Run: `cargo bench --bench shared` (CTV_BENCH_PROCS, default 20; CTV_BENCH_ROUNDS, default 100;
//! CTV_BENCH_THINK_MS, default 250).

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use ctv::clock::SystemClock;
use ctv::domain::{FacilityInput, ProfileInput};
use ctv::store::{FacilityFilter, FacilitySort, Store, StoreError};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    if let Ok(w) = std::env::var("CTV_BENCH_WORKER") {
        worker(
            Path::new(&std::env::var("CTV_BENCH_DB").unwrap()),
            w.parse().unwrap(),
        );
        return;
    }
    let procs = env("CTV_BENCH_PROCS", 20);
    let rounds = env("CTV_BENCH_ROUNDS", 100);
    let think = env("CTV_BENCH_THINK_MS", 250);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ctv.db");
    {
        let mut s = Store::open_with_clock(&db, Arc::new(SystemClock)).unwrap();
        s.init_profile(
            &ProfileInput {
                name: "Bench".into(),
                role: "province".into(),
                units: "01".into(),
                account: None,
            },
            false,
        )
        .unwrap();
        for i in 0..(500 + procs) {
            s.create_facility(&FacilityInput {
                name: format!("Cơ sở {i:04}"),
                commune_code: "00004".into(),
                ..Default::default()
            })
            .unwrap();
        }
    }
    let me = std::env::current_exe().unwrap();
    let t = Instant::now();
    let children: Vec<_> = (0..procs)
        .map(|w| {
            Command::new(&me)
                .env("CTV_BENCH_WORKER", w.to_string())
                .env("CTV_BENCH_DB", &db)
                .env("CTV_BENCH_ROUNDS", rounds.to_string())
                .env("CTV_BENCH_THINK_MS", think.to_string())
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let (mut writes, mut reads, mut busy, mut other) = (Vec::new(), Vec::new(), 0, 0);
    for c in children {
        let out = c.wait_with_output().unwrap();
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            let mut parts = line.split(' ');
            match (
                parts.next(),
                parts.next().and_then(|x| x.parse::<f64>().ok()),
            ) {
                (Some("w"), Some(ms)) => writes.push(ms),
                (Some("r"), Some(ms)) => reads.push(ms),
                (Some("busy"), _) => busy += 1,
                _ => other += 1,
            }
        }
    }
    let wall = t.elapsed().as_secs_f64();
    println!(
        "| processes | think | writes | write p50 | write p95 | write max | read p50 | read p95 | busy errors | other errors | wall |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    let n = writes.len();
    println!(
        "| {procs} | {think} ms | {n} | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} ms | {busy} | {other} | {wall:.1} s |",
        pct(&mut writes, 0.5),
        pct(&mut writes, 0.95),
        pct(&mut writes, 1.0),
        pct(&mut reads, 0.5),
        pct(&mut reads, 0.95),
    );
}

fn worker(db: &Path, w: usize) {
    let rounds = env("CTV_BENCH_ROUNDS", 100);
    let think = std::time::Duration::from_millis(env("CTV_BENCH_THINK_MS", 250) as u64);
    let mut s = Store::open_with_clock(db, Arc::new(SystemClock)).unwrap();
    let mine = s
        .list_facilities(&FacilityFilter::default(), FacilitySort::Name, false, w, 1)
        .unwrap()
        .remove(0);
    let mut version = mine.meta.version;
    for r in 0..rounds {
        std::thread::sleep(think);
        let input = FacilityInput {
            name: mine.data.name.clone(),
            commune_code: "00004".into(),
            notes: format!("round {r}"),
            ..Default::default()
        };
        let t = Instant::now();
        match s.update_facility(&mine.id, version, &input) {
            Ok((f, _)) => {
                println!("w {:.3}", t.elapsed().as_secs_f64() * 1000.0);
                version = f.meta.version;
            }
            Err(StoreError::Sqlite(e))
                if matches!(
                    e.sqlite_error_code(),
                    Some(rusqlite_code::Busy) | Some(rusqlite_code::Locked)
                ) =>
            {
                println!("busy");
            }
            Err(e) => println!("error {e}"),
        }
        let t = Instant::now();
        let window = s
            .list_facilities(&FacilityFilter::default(), FacilitySort::Name, false, r, 50)
            .map(|v| v.len());
        let count = s.count_facilities(&FacilityFilter::default());
        match (window, count) {
            (Ok(_), Ok(_)) => println!("r {:.3}", t.elapsed().as_secs_f64() * 1000.0),
            _ => println!("busy"),
        }
    }
}

mod rusqlite_code {
    pub use rusqlite::ErrorCode::DatabaseBusy as Busy;
    pub use rusqlite::ErrorCode::DatabaseLocked as Locked;
}
