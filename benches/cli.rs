//! Whole-process benchmarks of the command line at 100,000 facilities, beside the peers the
//! issues name: `ctv facilities import` vs sqlite3 `.import`, `ctv find` vs `fzf --filter`,
//! and the peak memory of `ctv find`. Prints a Markdown table for docs/PERFORMANCE.md.
//!
//! Run: `cargo bench --bench cli` (needs `fzf` and `sqlite3`: `apt-get install fzf sqlite3`).
//! CTV_BENCH_N overrides the size (default 100000).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ctv::demo;

struct Run {
    wall: Duration,
    ok: bool,
}

/// Runs a command to completion, measuring wall time (peak memory: `max_rss_kb`).
fn run(cmd: &mut Command) -> Run {
    let start = Instant::now();
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let ok = child.wait().is_ok_and(|st| st.success());
    Run {
        wall: start.elapsed(),
        ok,
    }
}

/// Peak RSS of one run, in KiB, through GNU time: `wait4`'s figure for a child started
/// with posix_spawn includes the benchmark process's own pages.
fn max_rss_kb(bin: &Path, args: &[&str], db: &Path) -> Option<i64> {
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%M"])
        .arg(bin)
        .args(args)
        .env("CTV_DB", db)
        .stdout(Stdio::null())
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .last()?
        .trim()
        .parse()
        .ok()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn main() {
    let n: usize = std::env::var("CTV_BENCH_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let bin = Path::new(env!("CARGO_BIN_EXE_ctv"));
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("bench.db");
    let csv = dir.path().join("facilities.csv");
    let ctv = |args: &[&str]| {
        let mut c = Command::new(bin);
        c.args(args).env("CTV_DB", &db);
        c
    };

    // A province officer of Hà Nội: every commune of the province is in scope.
    assert!(
        run(&mut ctv(&[
            "init", "--name", "Bench", "--role", "province", "--unit", "01"
        ]))
        .ok
    );
    let communes: Vec<String> = ctv::refdata::units()
        .communes_in_province("01")
        .iter()
        .map(|c| c.code.clone())
        .collect();
    let rows = demo::generate(n, 7, &communes);
    demo::write_csv(
        &rows,
        std::io::BufWriter::new(std::fs::File::create(&csv).expect("csv")),
    )
    .expect("write csv");
    let csv_bytes = std::fs::metadata(&csv).map(|m| m.len()).unwrap_or(0);

    println!(
        "## CLI benchmarks, {n} facilities ({} MB CSV)\n",
        csv_bytes / 1_000_000
    );
    println!("| measurement | CTV | peer | ratio / target |");
    println!("|---|---|---|---|");

    // 1. Import: the whole process, one transaction, validation and duplicate checks included.
    let csv_arg = csv.to_str().expect("utf8 path");
    let imp = run(&mut ctv(&["facilities", "import", csv_arg]));
    assert!(imp.ok, "import failed");
    // The same import again into a fresh database, for its peak memory alone.
    let db2 = dir.path().join("rss.db");
    let _ = Command::new(bin)
        .args([
            "init", "--name", "Bench", "--role", "province", "--unit", "01",
        ])
        .env("CTV_DB", &db2)
        .output();
    let imp_rss = max_rss_kb(bin, &["facilities", "import", csv_arg], &db2).unwrap_or(-1);
    let ctv_rate = n as f64 / imp.wall.as_secs_f64();
    let peer = if have("sqlite3") {
        let sdb = dir.path().join("peer.db");
        let r = run(Command::new("sqlite3")
            .arg(&sdb)
            .arg(".mode csv")
            .arg(format!(".import {} t", csv.display())));
        format!(
            "sqlite3 .import: {:.0} rows/s ({:.2} s)",
            n as f64 / r.wall.as_secs_f64(),
            r.wall.as_secs_f64()
        )
    } else {
        "sqlite3 not installed".into()
    };
    println!(
        "| import {n} rows (rows/s) | {ctv_rate:.0} rows/s ({:.2} s, max RSS {} MB) | {peer} | target ≥ 50,000 rows/s |",
        imp.wall.as_secs_f64(),
        imp_rss / 1024
    );

    // SQLite's own floor for what CTV stores: the rows CTV wrote (wide rows with folded keys
    // and sort keys, the change-log row of each, the search rows), copied by the sqlite3 shell
    // into a fresh CTV database with the same bulk path (indexes dropped, filled, re-created
    // in one transaction). No parsing, validation or duplicate checks: what is left of the
    // target once only the writing remains.
    if have("sqlite3") {
        let floor_db = dir.path().join("floor.db");
        let _ = Command::new(bin)
            .args([
                "init", "--name", "Floor", "--role", "province", "--unit", "01",
            ])
            .env("CTV_DB", &floor_db)
            .output();
        let idx = |db: &Path| -> Vec<String> {
            let out = Command::new("sqlite3")
                .arg(db)
                .arg("SELECT sql || ';' FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('facilities', 'change_log')")
                .output()
                .expect("sqlite3");
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .map(String::from)
                .collect()
        };
        let creates = idx(&floor_db);
        let drops: Vec<String> = creates
            .iter()
            .filter_map(|c| {
                c.split_whitespace()
                    .nth(2)
                    .map(|n| format!("DROP INDEX {n};"))
            })
            .collect();
        let sql = format!(
            "PRAGMA cache_size = -131072; ATTACH '{}' AS src; BEGIN IMMEDIATE; {} \
             INSERT INTO main.facilities SELECT * FROM src.facilities; \
             INSERT INTO main.change_log (at, actor_id, actor_name, entity, record_id, action, version, changes) \
             SELECT at, actor_id, actor_name, entity, record_id, action, version, changes FROM src.change_log WHERE entity = 'facility'; \
             {} COMMIT;",
            db.display(),
            drops.join(" "),
            creates.join(" ")
        );
        let r = run(Command::new("sqlite3").arg(&floor_db).arg(&sql));
        println!(
            "| the same rows written by SQLite alone (sqlite3 copying CTV's rows into an empty CTV database) | — | {:.0} rows/s ({:.2} s) | the most any import can reach here |",
            n as f64 / r.wall.as_secs_f64(),
            r.wall.as_secs_f64()
        );
    }

    // 2. `ctv find` as a whole process vs `fzf --filter` over the same names.
    let names = dir.path().join("names.txt");
    std::fs::write(
        &names,
        rows.iter()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>()
            .join("\n"),
    )
    .expect("names");
    let queries = [
        "nguyen van duc",
        "lang nghe gom",
        "may tre dan",
        "banh da",
        "hoa",
    ];
    for q in queries {
        let mut ct = Vec::new();
        let mut args = vec!["find", "--limit", "20"];
        args.extend(q.split(' '));
        for _ in 0..7 {
            let r = run(&mut ctv(&args));
            assert!(r.ok, "ctv find failed");
            ct.push(r.wall);
        }
        let rss = max_rss_kb(bin, &args, &db).unwrap_or(-1);
        let c = median(ct);
        let peer = if have("fzf") {
            let mut ft = Vec::new();
            for _ in 0..7 {
                let f = std::fs::File::open(&names).expect("names");
                ft.push(run(Command::new("fzf").args(["--filter", q]).stdin(f)).wall);
            }
            let f = median(ft);
            (
                format!("fzf --filter: {:.1} ms", ms(f)),
                format!("{:.2}× fzf's time", ms(c) / ms(f)),
            )
        } else {
            ("fzf not installed".into(), String::new())
        };
        println!(
            "| `ctv find {q}` (median of 7, whole process) | {:.1} ms, max RSS {:.1} MB | {} | {} (target ≤ 1×; RSS ≤ 50 MB) |",
            ms(c),
            rss as f64 / 1024.0,
            peer.0,
            peer.1
        );
    }
}
