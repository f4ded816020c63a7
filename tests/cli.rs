//! The command line as a script would use it: exit codes, output formats, all-or-nothing import.

mod common;

use common::ctv;

fn setup() -> (tempfile::TempDir, std::path::PathBuf) {
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
    (dir, db)
}

#[test]
fn exit_codes_are_0_1_and_2() {
    let (_d, db) = setup();
    assert_eq!(ctv(&db, &["facilities", "list"]).0, 0);
    // Bad input, reported in Vietnamese, naming the field.
    let (code, _, err) = ctv(
        &db,
        &[
            "facilities",
            "add",
            "--name",
            "Gốm",
            "--commune",
            "00004",
            "--phone",
            "123",
        ],
    );
    assert_eq!(code, 1);
    assert!(err.contains("Số điện thoại"), "{err}");
    // Usage.
    assert_eq!(ctv(&db, &["facilities", "frobnicate"]).0, 2);
    assert_eq!(ctv(&db, &["find"]).0, 2);
}

#[test]
fn a_facility_added_is_listed_found_and_archived() {
    let (_d, db) = setup();
    let (code, out, err) = ctv(
        &db,
        &[
            "facilities",
            "add",
            "--name",
            "Cơ sở bánh đa Nguyễn Văn Đức",
            "--commune",
            "4",
            "--phone",
            "0912 345 678",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Cơ sở bánh đa Nguyễn Văn Đức"));

    let (_, out, _) = ctv(&db, &["find", "duc", "--format", "tsv"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(lines[1].contains("Cơ sở bánh đa Nguyễn Văn Đức"));
    let id = lines[1].split('\t').next().unwrap().to_string();

    let (_, out, _) = ctv(&db, &["find", "banh", "da", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["id"], id.as_str());

    // A duplicate is refused unless forced, and says why.
    let (code, _, err) = ctv(
        &db,
        &[
            "facilities",
            "add",
            "--name",
            "Bánh đa Đức",
            "--commune",
            "00004",
            "--phone",
            "+84912345678",
        ],
    );
    assert_eq!(code, 1);
    assert!(err.contains("cùng số điện thoại"), "{err}");

    let (code, _, _) = ctv(&db, &["facilities", "archive", &id[id.len() - 8..]]);
    assert_eq!(code, 0);
    let (_, out, _) = ctv(&db, &["find", "duc", "--format", "tsv"]);
    assert_eq!(
        out.lines().count(),
        1,
        "archived facilities are not found: {out}"
    );
    let (_, out, _) = ctv(&db, &["facilities", "history", &id]);
    assert!(out.contains("archive") && out.contains("create"), "{out}");
}

#[test]
fn csv_output_opens_correctly_in_excel() {
    let (_d, db) = setup();
    ctv(
        &db,
        &[
            "facilities",
            "add",
            "--name",
            "Làng nghề gốm, sứ",
            "--commune",
            "00004",
        ],
    );
    let out = std::process::Command::new(common::ctv_bin())
        .args(["facilities", "list", "--format", "csv"])
        .env("CTV_DB", &db)
        .output()
        .unwrap();
    assert!(out.stdout.starts_with(b"\xef\xbb\xbf"), "UTF-8 BOM");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("\"Làng nghề gốm, sứ\""));
    assert!(text.contains("\r\n"));
    assert!(text.contains(",00004,"), "codes keep their zeros");
}

#[test]
fn english_messages_on_request() {
    let (_d, db) = setup();
    let (_, out, _) = ctv(&db, &["--lang", "en"]);
    assert!(out.contains("CNNT facilities: 0"), "{out}");
    let (_, out, _) = ctv(&db, &[]);
    assert!(out.contains("Số cơ sở CNNT: 0"), "{out}");
}

#[test]
fn init_refuses_an_unknown_unit_and_a_second_profile() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ctv.db");
    let (code, _, err) = ctv(
        &db,
        &[
            "init", "--name", "A", "--role", "commune", "--unit", "99999",
        ],
    );
    assert_eq!(code, 1);
    assert!(err.contains("99999"), "{err}");
    assert_eq!(
        ctv(
            &db,
            &["init", "--name", "A", "--role", "xã", "--unit", "00004"]
        )
        .0,
        0
    );
    let (code, _, err) = ctv(
        &db,
        &["init", "--name", "B", "--role", "xã", "--unit", "00004"],
    );
    assert_eq!(code, 1);
    assert!(err.contains("--replace"), "{err}");
}

#[test]
fn a_broken_database_file_is_reported_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ctv.db");
    std::fs::write(&db, b"PK\x03\x04 not a database").unwrap();
    let (code, _, err) = ctv(&db, &["facilities", "list"]);
    assert_eq!(code, 1);
    assert!(err.contains("không phải là cơ sở dữ liệu CTV"), "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), b"PK\x03\x04 not a database");
}
