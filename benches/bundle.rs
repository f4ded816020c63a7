//! Bundles at size: 100,000 facilities, 500,000 consultations (`ctv demo`) and 20,000
//! proposals (inserted here, 2,000 of them reviewed so the export sends them). Measures a
//! full export (records, workbook, ZIP, signature, recording the sent revisions), the file
//! size, reading and checking it (`read_bundle`: caps, strict JSON, text, revs, hashes,
//! signature) plus the reference check, `ctv verify` end to end, and an incremental export
//! right after (nothing changed).
//!
//! `cargo bench --bench bundle`; `CTV_BENCH_N` changes the number of facilities (five
//! consultations each; proposals are a fifth of the facilities). Results go to
//! docs/PERFORMANCE.md by hand.

#[path = "harness/peak.rs"]
mod peak;

use peak::wait_peak;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use ctv::bundle::export::export_with_key;
use ctv::bundle::{read_bundle, ExportOptions, SigningKeyFile};
use ctv::store::Store;

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
    eprintln!(
        "demo: {n} facilities, {} consultations in {:.1} s",
        n * 5,
        t.elapsed().as_secs_f64()
    );
    let proposals = n / 5;
    add_proposals(&db, proposals);
    eprintln!("proposals: {proposals} inserted");

    // Whole processes first, while this process is still small: a child's peak memory as
    // the kernel reports it is never below the peak of the process that spawned it. (This
    // export records the reviewed proposals as sent, so the in-process one below sends none.)
    let again = dir.path().join("again.ctvb");
    let t = Instant::now();
    let child = Command::new(bin)
        .args([
            "--db",
            db.to_str().expect("utf8"),
            "export",
            "--full",
            "--out",
        ])
        .arg(&again)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("ctv export");
    let (code, export_mb) = wait_peak(child);
    assert_eq!(code, 0, "ctv export --full");
    println!(
        "ctv export --full (end to end): {:.2} s, peak {export_mb:.0} MB (target ≤ 400 MB)",
        t.elapsed().as_secs_f64()
    );

    // The command a province clerk runs (the sender's own database stands in for the
    // province's: same size of facility table).
    let t = Instant::now();
    let stdout = tempfile::tempfile().expect("stdout");
    let child = Command::new(bin)
        .args(["--db", db.to_str().expect("utf8"), "verify"])
        .arg(&again)
        .stdout(stdout.try_clone().expect("stdout"))
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("ctv verify");
    let (_, verify_mb) = wait_peak(child);
    let verify_s = t.elapsed().as_secs_f64();
    // Exit 1: the sender's key is not in this database's registry (that is reported).
    let said = {
        use std::io::{Read, Seek};
        let mut f = stdout;
        let mut s = String::new();
        f.rewind().expect("rewind");
        f.read_to_string(&mut s).expect("read");
        s
    };
    assert!(said.contains("chữ ký"), "{said}");
    println!("ctv verify (end to end): {verify_s:.2} s, peak {verify_mb:.0} MB (target ≤ 400 MB)");

    let mut store = Store::open(&db).expect("open");
    let key = SigningKeyFile::ephemeral();
    let out = dir.path().join("full.ctvb");
    let t = Instant::now();
    let o = export_with_key(
        &mut store,
        &key,
        &ExportOptions {
            full: true,
            out: Some(out.clone()),
        },
        &|_, _| {},
    )
    .expect("export");
    let export_s = t.elapsed().as_secs_f64();
    println!(
        "full export: {:.2} s — {} facilities, {} consultations, {} proposals ({} sent), file {:.1} MB",
        export_s,
        o.counts["facilities"],
        o.counts["consultations"],
        o.counts["proposals"],
        o.proposals_sent,
        o.bytes as f64 / 1e6
    );

    let t = Instant::now();
    let b = read_bundle(&out).expect("read");
    let read_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let known = store.facility_ids().expect("ids");
    b.check_references(&known).expect("references");
    let refs_s = t.elapsed().as_secs_f64();
    println!("read_bundle (all checks): {read_s:.2} s; references: {refs_s:.2} s");
    drop(b);

    let inc = dir.path().join("inc.ctvb");
    let t = Instant::now();
    let o = export_with_key(
        &mut store,
        &key,
        &ExportOptions {
            full: false,
            out: Some(inc),
        },
        &|_, _| {},
    )
    .expect("export");
    println!(
        "incremental export, nothing changed: {:.2} s ({} records)",
        t.elapsed().as_secs_f64(),
        o.counts.values().sum::<u64>()
    );
}

/// `count` proposals on the first facilities, one creation transition each; every tenth is
/// reviewed (DA_RA_SOAT), the rest drafts or proposed.
fn add_proposals(db: &Path, count: usize) {
    let mut c = rusqlite::Connection::open(db).expect("sqlite");
    let tx = c.transaction().expect("tx");
    let facilities: Vec<(String, String)> = {
        let mut st = tx
            .prepare("SELECT id, commune_code FROM facilities ORDER BY id LIMIT ?1")
            .expect("prepare");
        st.query_map([count as i64], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("query")
            .map(|r| r.expect("row"))
            .collect()
    };
    let actor: String = tx
        .query_row(
            "SELECT value FROM settings WHERE key = 'current_profile'",
            [],
            |r| r.get(0),
        )
        .expect("profile");
    {
        let mut p = tx
            .prepare(
                "INSERT INTO proposals (id, facility_id, commune_code, plan_year, category, funding,
                    title, rationale, total_cost, support, counterpart, other_sources, priorities,
                    status, created_at, created_by, updated_at, updated_by)
                 VALUES (?1, ?2, ?3, 2027, 'KC03', 'KCDP', ?4, ?5, ?6, ?7, ?8, 0, 3, ?9,
                    '2026-11-20T03:00:00.000Z', ?10, '2026-11-20T03:00:00.000Z', ?10)",
            )
            .expect("prepare");
        let mut t = tx
            .prepare(
                "INSERT INTO proposal_transitions (proposal_id, at, actor_id, actor_name, mover,
                    from_status, to_status, reason)
                 VALUES (?1, '2026-11-20T03:00:00.000Z', ?2, 'Người dùng thử', 'commune', NULL, ?3, '')",
            )
            .expect("prepare");
        for (i, (fid, commune)) in facilities.iter().cycle().take(count).enumerate() {
            let id = ctv::store::new_id();
            let status = match i % 10 {
                0 => "DA_RA_SOAT",
                1..=4 => "DE_XUAT",
                _ => "NHAP",
            };
            let total = 400_000_000 + (i as i64 % 97) * 10_000_000;
            let support = total * 3 / 10;
            p.execute(rusqlite::params![
                id,
                fid,
                commune,
                format!("Mô hình trình diễn kỹ thuật số {i}"),
                "Cơ sở thiếu thiết bị; đề nghị hỗ trợ máy chẻ nan và máy vót nan.",
                total,
                support,
                total - support,
                status,
                actor
            ])
            .expect("proposal");
            t.execute(rusqlite::params![id, actor, status])
                .expect("transition");
        }
    }
    tx.commit().expect("commit");
}
