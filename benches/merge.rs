//! Import of a full bundle at the province (issue 6): 100,000 facilities, 500,000
//! consultations and 20,000 proposals into an empty database, then a re-import of the same
//! records (a second full bundle: everything unchanged). Whole processes, as a clerk runs
//! them; the export is timed too (bundle-io's bench has its own figures).
//!
//! `cargo bench --bench merge`; `CTV_BENCH_N` changes the number of facilities (five
//! consultations each, one proposal per five facilities). Results go to
//! docs/PERFORMANCE.md by hand.

#[path = "harness/peak.rs"]
mod peak;

use peak::wait_peak;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// Runs one `ctv` process; returns its wall time and its peak resident memory (MB, from
/// `wait4`'s rusage for that child alone).
fn run(bin: &Path, keys: &Path, db: &Path, args: &[&str]) -> (f64, f64) {
    let out = tempfile::tempfile().expect("out");
    let err = tempfile::tempfile().expect("err");
    let t = Instant::now();
    let child = Command::new(bin)
        .arg("--db")
        .arg(db)
        .args(args)
        .env("CTV_KEYS_DIR", keys)
        .env_remove("CTV_LANG")
        .stdout(out.try_clone().expect("out"))
        .stderr(err.try_clone().expect("err"))
        .spawn()
        .expect("run ctv");
    let (status, rss_mb) = wait_peak(child);
    let secs = t.elapsed().as_secs_f64();
    let text = |mut f: std::fs::File| {
        use std::io::{Read, Seek};
        let mut s = String::new();
        f.rewind().expect("rewind");
        f.read_to_string(&mut s).expect("read");
        s
    };
    assert!(status == 0, "ctv {args:?}: {}{}", text(out), text(err));
    (secs, rss_mb)
}

/// Proposals straight into the sender's database (the demo makes none): sent to the
/// province, money that adds up, one transition each.
fn add_proposals(db: &Path, n: usize) {
    let mut c = rusqlite::Connection::open(db).expect("sqlite");
    let tx = c.transaction().expect("tx");
    let who: String = tx
        .query_row(
            "SELECT value FROM settings WHERE key = 'current_profile'",
            [],
            |r| r.get(0),
        )
        .expect("profile");
    let facilities: Vec<(String, String)> = {
        let mut s = tx
            .prepare("SELECT id, commune_code FROM facilities ORDER BY id LIMIT ?1")
            .expect("prepare");
        let rows = s
            .query_map([n as i64], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("query");
        rows.map(|r| r.expect("row")).collect()
    };
    let at = "2026-10-01T02:00:00.000Z";
    for (i, (fid, commune)) in facilities.iter().enumerate() {
        let id = format!("0190{:04x}-0000-7000-8000-{:012x}", i % 0xffff, i);
        let support = 50_000_000 + (i as i64 % 40) * 1_000_000;
        tx.execute(
            "INSERT INTO proposals (id, facility_id, commune_code, plan_year, category, funding,
                title, total_cost, support, counterpart, other_sources, status, created_at,
                created_by, updated_at, updated_by)
             VALUES (?1, ?2, ?3, 2027, 'KC03', 'KCDP', ?4, ?5, ?6, ?7, 0, 'DA_GUI_TINH', ?8, ?9, ?8, ?9)",
            rusqlite::params![id, fid, commune, format!("Đề án máy móc {i}"), support * 3, support, support * 2, at, who],
        )
        .expect("proposal");
        tx.execute(
            "INSERT INTO proposal_transitions (proposal_id, at, actor_id, actor_name, mover,
                from_status, to_status) VALUES (?1, ?2, ?3, 'Người dùng thử', 'export', 'DA_RA_SOAT', 'DA_GUI_TINH')",
            rusqlite::params![id, at, who],
        )
        .expect("transition");
    }
    tx.commit().expect("commit");
}

fn main() {
    let n: usize = std::env::var("CTV_BENCH_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let bin = Path::new(env!("CARGO_BIN_EXE_ctv"));
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = dir.path().join("keys");
    let sender = dir.path().join("sender.db");
    let province = dir.path().join("province.db");
    let (t, _) = run(
        bin,
        &keys,
        &sender,
        &["demo", "--facilities", &n.to_string()],
    );
    add_proposals(&sender, n / 5);
    eprintln!(
        "sender: {n} facilities, {} consultations, {} proposals in {t:.1} s",
        n * 5,
        n / 5
    );

    let b1 = dir.path().join("b1.ctvb");
    let b2 = dir.path().join("b2.ctvb");
    let (t, mem) = run(
        bin,
        &keys,
        &sender,
        &["export", "--full", "--out", b1.to_str().expect("utf8")],
    );
    let size = std::fs::metadata(&b1).map(|m| m.len()).unwrap_or(0);
    eprintln!(
        "export --full: {t:.1} s, peak {mem:.0} MB (target ≤ 400 MB), {:.1} MB file",
        size as f64 / 1e6
    );
    run(
        bin,
        &keys,
        &sender,
        &["export", "--full", "--out", b2.to_str().expect("utf8")],
    );

    run(
        bin,
        &keys,
        &province,
        &[
            "init",
            "--name",
            "Trung tâm Khuyến công",
            "--role",
            "province",
            "--unit",
            "01",
        ],
    );
    let r1 = dir.path().join("r1.ctvb");
    let r2 = dir.path().join("r2.ctvb");
    // Issue 18: trusting the sender's key reads the manifest and its signature only; the
    // dry run below reads and verifies the whole file (the reference).
    let (trust, trust_mem) = run(
        bin,
        &keys,
        &province,
        &["keys", "trust", b1.to_str().expect("utf8")],
    );
    eprintln!("keys trust FILE (manifest + signature of the {:.1} MB bundle): {trust:.2} s (target ≤ 0.5 s), peak {trust_mem:.0} MB", size as f64 / 1e6);
    let (verify, verify_mem) = {
        // Exit 1 is expected (a new key is reported); only the figures count here.
        let t = Instant::now();
        let child = Command::new(bin)
            .arg("--db")
            .arg(&province)
            .args(["verify", b1.to_str().expect("utf8")])
            .env("CTV_KEYS_DIR", &keys)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("verify");
        let (_, mem) = wait_peak(child);
        (t.elapsed().as_secs_f64(), mem)
    };
    eprintln!("verify FILE: {verify:.1} s, peak {verify_mem:.0} MB (target ≤ 6 s, ≤ 400 MB)");
    let (dry, dry_mem) = run(
        bin,
        &keys,
        &province,
        &["import", b1.to_str().expect("utf8"), "--dry-run"],
    );
    eprintln!("import --dry-run (read, verify, preview) into an empty database: {dry:.1} s, peak {dry_mem:.0} MB");
    let (first, first_mem) = run(
        bin,
        &keys,
        &province,
        &[
            "import",
            b1.to_str().expect("utf8"),
            "--accept-key",
            "--receipt-out",
            r1.to_str().expect("utf8"),
        ],
    );
    eprintln!("import into an empty database (read, verify, merge, receipt): {first:.1} s (target ≤ 10 s), peak {first_mem:.0} MB (target ≤ 400 MB)");
    let (again, again_mem) = run(
        bin,
        &keys,
        &province,
        &[
            "import",
            b2.to_str().expect("utf8"),
            "--receipt-out",
            r2.to_str().expect("utf8"),
        ],
    );
    eprintln!("re-import (bundle 2, the same records, all unchanged): {again:.1} s (target ≤ 5 s), peak {again_mem:.0} MB (target ≤ 400 MB)");
    let (same, same_mem) = run(
        bin,
        &keys,
        &province,
        &[
            "import",
            b1.to_str().expect("utf8"),
            "--receipt-out",
            r1.to_str().expect("utf8"),
        ],
    );
    eprintln!("the same file again (already imported): {same:.1} s, peak {same_mem:.0} MB");
}
