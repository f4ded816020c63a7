//! Backups, restore, the health check and broken files: each failure gives its message and
//! exit code and leaves the file byte for byte as it was.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use ctv::clock::FixedClock;
use ctv::domain::{FacilityInput, ProfileInput};
use ctv::store::{SnapshotReason, Store};

/// `ctv` with the clock pinned and optional extra environment.
fn ctv_env(db: &Path, env: &[(&str, &str)], args: &[&str]) -> (i32, String, String) {
    let mut cmd = std::process::Command::new(common::ctv_bin());
    cmd.args(args)
        .env("CTV_DB", db)
        .env("CTV_NOW", "2026-11-25T03:00:00Z")
        .env_remove("CTV_LANG")
        .env("HOME", db.parent().unwrap());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run ctv");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ctv(db: &Path, args: &[&str]) -> (i32, String, String) {
    ctv_env(db, &[], args)
}

/// A database with a profile and `n` facilities, made through the command line.
fn setup(n: usize) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ctv.db");
    let (code, _, err) = ctv(
        &db,
        &[
            "init",
            "--name",
            "Trần Thị Bình",
            "--role",
            "commune",
            "--unit",
            "00004",
        ],
    );
    assert_eq!(code, 0, "{err}");
    for i in 0..n {
        let name = format!("Cơ sở mây tre đan số {i}");
        let (code, _, err) = ctv(
            &db,
            &[
                "facilities",
                "add",
                "--name",
                &name,
                "--commune",
                "00004",
                "--force",
            ],
        );
        assert_eq!(code, 0, "{err}");
    }
    (dir, db)
}

/// Every row of every table, in a stable order: "exactly the same state".
fn dump(db: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut out = Vec::new();
    for t in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{t}\"")).unwrap();
        let cols = stmt.column_count();
        let mut rows: Vec<String> = stmt
            .query_map([], |r| {
                let mut s = format!("{t}:");
                for i in 0..cols {
                    s.push_str(&format!("{:?}|", r.get_ref(i)?));
                }
                Ok(s)
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        rows.sort();
        out.extend(rows);
    }
    out
}

fn facility_count(db: &Path) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("SELECT count(*) FROM facilities", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn backup_add_restore_gives_back_exactly_the_backed_up_state() {
    let (dir, db) = setup(3);
    let before = dump(&db);
    let copy = dir.path().join("copy.db");
    let (code, out, err) = ctv(&db, &["backup", copy.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("Đã sao lưu") && out.contains("3 cơ sở"),
        "{out}"
    );
    // A backup never overwrites.
    let (code, _, err) = ctv(&db, &["backup", copy.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("đã có"), "{err}");

    let (code, _, err) = ctv(
        &db,
        &[
            "facilities",
            "add",
            "--name",
            "Gốm Bát Tràng",
            "--commune",
            "00004",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(facility_count(&db), 4);

    let (code, out, err) = ctv(&db, &["restore", copy.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Đã khôi phục"), "{out}");
    assert_eq!(dump(&db), before);
    assert!(!Path::new(&format!("{}-wal", db.display())).exists());

    // The database as it was before the restore is kept, and can itself be restored.
    let snaps = ctv::store::list_snapshots(&db).unwrap();
    let kept = snaps
        .iter()
        .find(|s| s.reason == SnapshotReason::BeforeRestore)
        .expect("a before-restore snapshot");
    assert_eq!(kept.facilities, 4);
    let (code, _, err) = ctv(&db, &["restore", kept.path.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(facility_count(&db), 4);

    // `ctv snapshots` lists them with their counts.
    let (code, out, _) = ctv(&db, &["snapshots"]);
    assert_eq!(code, 0);
    assert!(out.contains("trước khi khôi phục"), "{out}");
    assert!(out.contains("ctv restore"), "{out}");
}

#[test]
fn a_manual_snapshot_and_one_before_each_import() {
    let (dir, db) = setup(1);
    let (code, out, err) = ctv(&db, &["backup"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("snapshots"), "{out}");
    let csv = dir.path().join("f.csv");
    std::fs::write(&csv, "name,commune_code\nHTX dệt lụa Vạn Phúc,00004\n").unwrap();
    let (code, _, err) = ctv(&db, &["facilities", "import", csv.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let snaps = ctv::store::list_snapshots(&db).unwrap();
    let reasons: Vec<_> = snaps.iter().map(|s| s.reason).collect();
    assert!(reasons.contains(&SnapshotReason::Manual), "{reasons:?}");
    let before_import = snaps
        .iter()
        .find(|s| s.reason == SnapshotReason::BeforeImport)
        .expect("a snapshot before the import");
    assert_eq!(before_import.facilities, 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let dir_mode = std::fs::metadata(ctv::store::snapshots_dir(&db))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(dir_mode & 0o777, 0o700);
        let file_mode = std::fs::metadata(&before_import.path)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(file_mode & 0o777, 0o600);
    }
}

#[test]
fn the_daily_snapshot_is_taken_at_the_first_start_of_each_day() {
    let (_d, db) = setup(1);
    let daily = |db: &Path| {
        ctv::store::list_snapshots(db)
            .unwrap()
            .into_iter()
            .filter(|s| s.reason == SnapshotReason::Daily)
            .count()
    };
    // `setup` ran `facilities add` after `init`: the day's snapshot is there, once.
    assert_eq!(daily(&db), 1);
    ctv(
        &db,
        &[
            "facilities",
            "add",
            "--name",
            "Cơ sở B",
            "--commune",
            "00004",
        ],
    );
    assert_eq!(daily(&db), 1);
    // The next day: a command that only reads takes none (nothing to protect yet, and a
    // lookup must not wait for a copy of a large file); the first that writes takes it.
    let next_day = [("CTV_NOW", "2026-11-26T01:00:00Z")];
    ctv_env(&db, &next_day, &["facilities", "list"]);
    assert_eq!(daily(&db), 1);
    ctv_env(
        &db,
        &next_day,
        &[
            "facilities",
            "add",
            "--name",
            "Cơ sở C",
            "--commune",
            "00004",
        ],
    );
    assert_eq!(daily(&db), 2);
}

#[test]
fn rotation_keeps_seven_days_four_weeks_and_the_last_few_of_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ctv.db");
    let start = Utc.with_ymd_and_hms(2026, 9, 1, 1, 0, 0).unwrap();
    let clock = FixedClock::new(start);
    let mut store = Store::open_with_clock(&db, Arc::new(clock.clone())).unwrap();
    store
        .init_profile(
            &ProfileInput {
                name: "Lê Văn Cường".into(),
                role: "commune".into(),
                units: "00004".into(),
                account: None,
            },
            false,
        )
        .unwrap();
    // 60 days of use, one daily snapshot each, and an import every day.
    for day in 0..60 {
        clock.set(start + Duration::days(day));
        assert!(store.take_daily_if_due().unwrap().is_some());
        assert!(store.take_daily_if_due().unwrap().is_none(), "once a day");
        store.snapshot(SnapshotReason::BeforeImport).unwrap();
        store
            .create_facility(&FacilityInput {
                name: format!("Cơ sở {day}"),
                commune_code: "00004".into(),
                ..Default::default()
            })
            .unwrap();
    }
    for i in 0..8 {
        clock.set(start + Duration::days(59) + Duration::minutes(i));
        store.snapshot(SnapshotReason::Manual).unwrap();
    }
    let snaps = ctv::store::list_snapshots(&db).unwrap();
    let days: Vec<String> = snaps
        .iter()
        .filter(|s| s.reason == SnapshotReason::Daily)
        .map(|s| s.at.format("%Y-%m-%d").to_string())
        .collect();
    // 30/10 is day 59 (a Friday). The last 7 days, then the newest of each older ISO week:
    // weeks of 19/10 (Sun 25/10 … Mon 19/10 → 23/10 is the newest not among the 7),
    // 12/10 (18/10), 5/10 (11/10), 28/9 (4/10).
    assert_eq!(
        days,
        [
            "2026-10-30",
            "2026-10-29",
            "2026-10-28",
            "2026-10-27",
            "2026-10-26",
            "2026-10-25",
            "2026-10-24",
            "2026-10-23",
            "2026-10-18",
            "2026-10-11",
            "2026-10-04"
        ]
    );
    let count = |r| snaps.iter().filter(|s| s.reason == r).count();
    assert_eq!(count(SnapshotReason::BeforeImport), 3);
    assert_eq!(count(SnapshotReason::Manual), 5);
    // The newest import snapshot holds the 59 facilities made before it.
    let newest_import = snaps
        .iter()
        .find(|s| s.reason == SnapshotReason::BeforeImport)
        .unwrap();
    assert_eq!(newest_import.facilities, 59);
}

/// Runs `args` and checks: exit 1, `expect` in the message, and the file unchanged.
fn refused(db: &Path, env: &[(&str, &str)], args: &[&str], expect: &[&str]) -> String {
    let before = std::fs::read(db).unwrap();
    let (code, _, err) = ctv_env(db, env, args);
    assert_eq!(code, 1, "{err}");
    for e in expect {
        assert!(err.contains(e), "expected {e:?} in {err}");
    }
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        std::fs::read(db).unwrap() == before,
        "{} changed",
        db.display()
    );
    err
}

#[test]
fn a_full_disk_fails_the_save_with_a_message_and_writes_nothing() {
    let (dir, db) = setup(2);
    let before = dump(&db);
    let csv = dir.path().join("f.csv");
    let mut text = String::from("name,commune_code,notes\n");
    for i in 0..400 {
        text.push_str(&format!(
            "Hợp tác xã số {i},00004,{}\n",
            "ghi chú ".repeat(40)
        ));
    }
    std::fs::write(&csv, text).unwrap();
    refused(
        &db,
        &[("CTV_MAX_PAGE_COUNT", "1")],
        &["facilities", "import", csv.to_str().unwrap()],
        &["Đĩa đã đầy", "Không có gì bị ghi dở"],
    );
    refused(
        &db,
        &[("CTV_MAX_PAGE_COUNT", "1")],
        &[
            "facilities",
            "add",
            "--name",
            "Gốm Phù Lãng",
            "--commune",
            "00004",
            "--notes",
            &"rất dài ".repeat(480),
        ],
        &["Đĩa đã đầy"],
    );
    assert_eq!(dump(&db), before);
    let (code, out, _) = ctv(&db, &["check"]);
    assert_eq!(code, 0, "{out}");
}

#[test]
#[cfg(unix)]
fn a_read_only_file_is_refused_untouched() {
    use std::os::unix::fs::PermissionsExt;
    let (_d, db) = setup(1);
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
    refused(
        &db,
        &[],
        &["facilities", "add", "--name", "Gốm", "--commune", "00004"],
        &["chỉ cho phép đọc", "Tệp không bị thay đổi"],
    );
}

#[test]
fn a_truncated_file_is_refused_and_the_latest_snapshot_offered() {
    let (_d, db) = setup(30);
    let (code, _, err) = ctv(&db, &["backup"]);
    assert_eq!(code, 0, "{err}");
    let bytes = std::fs::read(&db).unwrap();
    std::fs::write(&db, &bytes[..bytes.len() / 2 + 100]).unwrap();
    let err = refused(
        &db,
        &[],
        &["facilities", "list"],
        &["bị hỏng", "Bản sao lưu gần nhất", "ctv --db", "restore"],
    );
    // The offered command works.
    let cmd = err.lines().find(|l| l.contains("restore \"")).unwrap();
    let snap = cmd.rsplit('"').nth(1).unwrap();
    let (code, _, err) = ctv(&db, &["check"]);
    assert_eq!(code, 1, "{err}");
    let (code, _, err) = ctv(&db, &["restore", snap]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(facility_count(&db), 30);
    // The broken file was kept too, byte for byte.
    let kept = ctv::store::list_snapshots(&db)
        .unwrap()
        .into_iter()
        .find(|s| s.reason == SnapshotReason::BeforeRestore)
        .unwrap();
    assert_eq!(
        std::fs::read(kept.path).unwrap().len(),
        bytes.len() / 2 + 100
    );
}

#[test]
fn garbage_and_a_renamed_spreadsheet_are_refused_untouched() {
    let (dir, db) = setup(1);
    let (code, _, _) = ctv(&db, &["backup"]);
    assert_eq!(code, 0);
    let xlsx = dir.path().join("ctv.db");
    std::fs::write(&xlsx, b"PK\x03\x04\x14\x00\x06\x00 [Content_Types].xml").unwrap();
    refused(
        &xlsx,
        &[],
        &["facilities", "list"],
        &["không phải là cơ sở dữ liệu CTV", "Bản sao lưu gần nhất"],
    );
    // An SQLite header over garbage pages.
    let mut g = b"SQLite format 3\0".to_vec();
    g.extend((0..8176u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8));
    std::fs::write(&db, &g).unwrap();
    refused(&db, &[], &["facilities", "list"], &["bị hỏng"]);
    // Another program's SQLite database is not filled with CTV's tables.
    let other = dir.path().join("other.db");
    let conn = rusqlite::Connection::open(&other).unwrap();
    conn.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .unwrap();
    drop(conn);
    refused(
        &other,
        &[],
        &["facilities", "list"],
        &["không phải là cơ sở dữ liệu CTV"],
    );
}

#[test]
fn a_newer_schema_is_refused_naming_both_versions() {
    let (_d, db) = setup(1);
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch("PRAGMA user_version = 99").unwrap();
    drop(conn);
    let known = ctv::store::schema_version().to_string();
    refused(
        &db,
        &[],
        &["facilities", "list"],
        &["lược đồ 99", &known, "cập nhật CTV"],
    );
    // Nor restored from.
    let (_d2, db2) = setup(1);
    let before = std::fs::read(&db2).unwrap();
    let (code, _, err) = ctv(&db2, &["restore", db.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("lược đồ 99"), "{err}");
    assert_eq!(std::fs::read(&db2).unwrap(), before);
}

#[test]
fn restore_refuses_a_bad_source_the_database_itself_and_an_open_database() {
    let (dir, db) = setup(1);
    let before = std::fs::read(&db).unwrap();
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"not a database at all").unwrap();
    let (code, _, err) = ctv(&db, &["restore", junk.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("không phải là một bản sao lưu CTV"), "{err}");
    let (code, _, err) = ctv(&db, &["restore", db.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("chính là cơ sở dữ liệu đang dùng"), "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), before);

    let copy = dir.path().join("copy.db");
    assert_eq!(ctv(&db, &["backup", copy.to_str().unwrap()]).0, 0);
    // Another CTV has the database open.
    let other = Store::open(&db).unwrap();
    let (code, _, err) = ctv(&db, &["restore", copy.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("đang được một chương trình khác mở"), "{err}");
    drop(other);
}

#[test]
fn a_database_locked_by_another_program_is_reported() {
    let (_d, db) = setup(1);
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    let (code, _, err) = ctv(
        &db,
        &["facilities", "add", "--name", "Gốm", "--commune", "00004"],
    );
    assert_eq!(code, 1);
    assert!(err.contains("đang bị một chương trình khác khóa"), "{err}");
    conn.execute_batch("ROLLBACK").unwrap();
}

#[test]
fn check_reports_version_mismatches_and_codes_that_no_longer_exist() {
    let (_d, db) = setup(2);
    let (code, out, _) = ctv(&db, &["check"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("không phát hiện vấn đề"), "{out}");
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(
        "UPDATE facilities SET version = 5 WHERE rowid = (SELECT min(rowid) FROM facilities);
         UPDATE facilities SET commune_code = '99999' WHERE rowid = (SELECT max(rowid) FROM facilities);",
    )
    .unwrap();
    drop(conn);
    let (code, out, _) = ctv(&db, &["check"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("phiên bản 5, nhật ký thay đổi ghi 1"), "{out}");
    assert!(out.contains("\"99999\""), "{out}");
    assert!(out.contains("✓ Tính toàn vẹn"), "{out}");
}

#[test]
fn an_older_schema_is_snapshotted_before_it_is_migrated() {
    let (_d, db) = setup(2);
    // Turn the file back into schema 2: without what migrations 3, 4, 7, 8 and 10–17 add.
    let conn = rusqlite::Connection::open(&db).unwrap();
    common::back_to_schema_13(&conn);
    conn.execute_batch(
        "DROP TABLE support_caps; DROP TABLE support_cap_tables;
         DROP VIEW project_money; DROP TABLE project_adjustments; DROP TABLE project_visits;
         DROP TABLE project_acceptances; DROP TABLE project_payments; DROP TABLE project_results;
         DROP TABLE bundle_outgoing; DROP TABLE bundle_sent_revs; DROP TABLE bundle_senders;
         DROP TABLE bundles_received;
         ALTER TABLE collaborators DROP COLUMN public_key;
         ALTER TABLE collaborators DROP COLUMN key_fingerprint;
         DROP TRIGGER facility_commune_moves_proposals;
         DROP TABLE proposal_transitions; DROP TABLE proposals;
         DROP TRIGGER facility_commune_moves; DROP TRIGGER facility_archived_changes;
         DROP TABLE follow_ups; DROP TABLE consultation_amendments;
         DROP TABLE consultation_topics; DROP TABLE consultations;
         DROP TABLE receipts; DROP TABLE facility_merges; DROP TABLE duplicate_pairs;
         DROP TABLE merge_conflicts; DROP TABLE record_revs;
         PRAGMA user_version = 2;",
    )
    .unwrap();
    drop(conn);
    let (code, _, err) = ctv(&db, &["facilities", "list"]);
    assert_eq!(code, 0, "{err}");
    let snap = ctv::store::list_snapshots(&db)
        .unwrap()
        .into_iter()
        .find(|s| s.reason == SnapshotReason::BeforeMigration)
        .expect("a snapshot before the migration");
    let conn = rusqlite::Connection::open(&snap.path).unwrap();
    let v: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, 2);
    assert_eq!(snap.facilities, 2);
}
