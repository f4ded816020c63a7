//! `ctv facilities import` and `facilities list --format csv` as a clerk uses them: the duplicate
//! report of a large file, the Excel round trip, and lists that still carry pre-2025 communes.

mod common;

use common::ctv;

/// A provincial officer of Hà Nội (province 01).
fn hanoi_db() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ctv.db");
    let init = [
        "init",
        "--name",
        "Lê Thị Hoa",
        "--role",
        "province",
        "--unit",
        "01",
    ];
    let (code, _, err) = ctv(&db, &init);
    assert_eq!(code, 0, "{err}");
    (dir, db)
}

fn write(dir: &std::path::Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn the_duplicate_report_is_a_summary_and_the_full_list_goes_to_a_file() {
    let (dir, db) = hanoi_db();
    // 30 rows with one phone number: rows 3.. each suspect the rows above them.
    let mut csv = String::from("Tên cơ sở,Mã xã,Điện thoại\n");
    for i in 0..30 {
        csv.push_str(&format!("Cơ sở số {i},00004,0912345678\n"));
    }
    let file = write(dir.path(), "ds.csv", &csv);
    let (code, out, err) = ctv(&db, &["facilities", "import", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Đã nhập 30 cơ sở"), "{out}");
    // A summary by reason, then at most 20 rows, each with its line written «dòng N».
    assert!(!err.contains("ine:"), "no mangled row ids: {err}");
    assert!(err.contains("29 dòng nghi trùng"), "{err}");
    assert!(err.contains("cùng số điện thoại: 29"), "{err}");
    assert!(
        err.contains("dòng 2"),
        "the earlier row is named by its line: {err}"
    );
    let row_lines = err.lines().filter(|l| l.starts_with("Dòng ")).count();
    assert_eq!(row_lines, 20, "{err}");
    assert!(err.contains("và 9 dòng khác"), "{err}");
    // The whole list beside the input, named in the output.
    let report = dir.path().join("ds.nghi_trung.csv");
    assert!(err.contains(report.to_str().unwrap()), "{err}");
    let bytes = std::fs::read(&report).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "Excel's UTF-8 BOM");
    let text = String::from_utf8(bytes).unwrap();
    // Header + one line per (row, suspect) pair: row k (0-based) suspects the k rows above.
    let pairs: usize = (0..30).sum();
    assert_eq!(text.lines().count(), 1 + pairs, "{text}");
    assert!(text.contains("dòng 2"), "{text}");
    assert!(!text.contains("ine:"), "{text}");
}

#[test]
fn list_csv_imports_back_into_a_fresh_database_unchanged() {
    let (dir, db) = hanoi_db();
    let add = |args: &[&str]| {
        let mut all = vec!["facilities", "add"];
        all.extend_from_slice(args);
        all.push("--force");
        let (code, _, err) = ctv(&db, &all);
        assert_eq!(code, 0, "{err}");
    };
    add(&[
        "--name",
        "Hợp tác xã gốm, sứ \"Bát Tràng\"",
        "--commune",
        "00004",
        "--entity-type",
        "HTX",
        "--tax-code",
        "0100233488",
        "--representative",
        "Nguyễn Văn Đức",
        "--phone",
        "0912 345 678",
        "--address",
        "Thôn 1\nXóm Chùa",
        "--trade-group",
        "NN3",
        "--products",
        "gốm sứ",
        "--workers",
        "1250",
        "--founded-year",
        "1998",
        "--notes",
        "đã khảo sát",
    ]);
    add(&["--name", "Cơ sở mây tre đan Phú Vinh", "--commune", "00008"]);
    // A flag and a status other than the default, set the way a clerk edits them.
    let (_, tsv, _) = ctv(&db, &["facilities", "list", "--format", "tsv"]);
    let id = tsv
        .lines()
        .find(|l| l.contains("Phú Vinh"))
        .and_then(|l| l.split('\t').next())
        .unwrap()
        .to_string();
    let edit = [
        "facilities",
        "edit",
        &id,
        "--set",
        "status=paused",
        "--set",
        "woman_owned=1",
        "--set",
        "ocop_stars=3",
        "--set",
        "ocop_year=2024",
        "--set",
        "craft_village=Làng mây tre Phú Vinh",
    ];
    let (code, _, err) = ctv(&db, &edit);
    assert_eq!(code, 0, "{err}");

    let out = std::process::Command::new(common::ctv_bin())
        .args(["facilities", "list", "--format", "csv"])
        .env("CTV_DB", &db)
        .env_remove("CTV_LANG")
        .output()
        .unwrap();
    assert!(out.stdout.starts_with(b"\xEF\xBB\xBF"), "UTF-8 BOM");
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    let header = text.lines().next().unwrap();
    assert!(
        header.contains("Tên cơ sở") && header.contains("Mã xã/phường"),
        "Vietnamese headers: {header}"
    );
    assert!(!header.contains("entity_type"), "{header}");
    assert!(
        text.contains("Tạm ngừng"),
        "Vietnamese status words: {text}"
    );
    let file = dir.path().join("export.csv");
    std::fs::write(&file, &out.stdout).unwrap();

    let (dir2, db2) = hanoi_db();
    let (code, _, err) = ctv(&db2, &["facilities", "import", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let json = |db: &std::path::Path| -> Vec<serde_json::Value> {
        let (_, out, _) = ctv(db, &["facilities", "list", "--format", "json"]);
        let v: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
        v.into_iter()
            .map(|mut f| {
                let o = f.as_object_mut().unwrap();
                for k in [
                    "id",
                    "created_at",
                    "created_by",
                    "updated_at",
                    "updated_by",
                    "version",
                ] {
                    o.remove(k);
                }
                f
            })
            .collect()
    };
    // `find --format csv` writes the same sheet for the facilities it finds.
    let (code, found, err) = ctv(&db, &["find", "--format", "csv", "phu vinh"]);
    assert_eq!(code, 0, "{err}");
    let list_header = text.lines().next().unwrap().trim_start_matches('\u{feff}');
    let mut lines = found.lines();
    let find_header = lines.next().unwrap().trim_start_matches('\u{feff}');
    assert_eq!(find_header, list_header);
    assert!(lines.next().unwrap().contains("Tạm ngừng"), "{found}");
    let (a, b) = (json(&db), json(&db2));
    assert_eq!(a.len(), 2);
    assert_eq!(a, b, "the same facilities after the round trip");
    drop(dir2);
}

/// Lists kept since before the 2025 reform: old commune codes, or the commune, district and
/// province names as clerks write them.
#[test]
fn pre_2025_communes_are_mapped_and_split_ones_refused_with_candidates() {
    let (dir, db) = hanoi_db();
    let csv = "Tên cơ sở,Mã xã,Xã,Huyện,Tỉnh\n\
               Cơ sở mộc Vĩnh Phúc,6,,,\n\
               Cơ sở gốm Phúc Xá,,Phường Phúc Xá,Quận Ba Đình,TP Hà Nội\n\
               Cơ sở rèn Cống Vị,00007,,,\n\
               Cơ sở nón Ba Đình,00004,,,\n";
    let file = write(dir.path(), "cu.csv", csv);
    // The split commune refuses the file, naming the 2025 communes it went into.
    let (code, _, err) = ctv(&db, &["facilities", "import", file.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    let line = err.lines().find(|l| l.starts_with("Dòng 4")).unwrap_or("");
    assert!(line.contains("Cống Vị"), "{err}");
    assert!(
        line.contains("Ngọc Hà (00008)") && line.contains("Giảng Võ (00025)"),
        "{err}"
    );
    assert_eq!(
        err.lines().filter(|l| l.starts_with("Dòng ")).count(),
        1,
        "{err}"
    );

    let (code, _, err) = ctv(
        &db,
        &[
            "facilities",
            "import",
            "--skip-invalid",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (_, out, _) = ctv(&db, &["facilities", "list", "--format", "tsv"]);
    let commune_of = |name: &str| -> String {
        let line = out.lines().find(|l| l.contains(name)).unwrap_or("");
        line.split('\t').nth(7).unwrap_or("").to_string()
    };
    assert_eq!(
        commune_of("Vĩnh Phúc"),
        "00008",
        "old 00006 → Ngọc Hà: {out}"
    );
    assert_eq!(commune_of("Phúc Xá"), "00097", "names → Hồng Hà: {out}");
    assert_eq!(
        commune_of("nón Ba Đình"),
        "00004",
        "a 2025 code stays: {out}"
    );
    assert!(!out.contains("Cống Vị"), "{out}");
    // The old code is kept on the record.
    let (_, show, _) = ctv(&db, &["facilities", "list", "--format", "json"]);
    let v: Vec<serde_json::Value> = serde_json::from_str(&show).unwrap();
    let old = |name: &str| {
        v.iter()
            .find(|f| f["name"].as_str().unwrap_or("").contains(name))
            .map(|f| f["old_commune_code"].clone())
            .unwrap()
    };
    assert_eq!(old("Vĩnh Phúc"), "00006");
    assert_eq!(old("Phúc Xá"), "00001");
    assert_eq!(old("nón Ba Đình"), serde_json::Value::Null);
    let id = v
        .iter()
        .find(|f| f["name"].as_str().unwrap_or("").contains("Vĩnh Phúc"))
        .and_then(|f| f["id"].as_str())
        .unwrap()
        .to_string();
    let (_, show, _) = ctv(&db, &["facilities", "show", &id]);
    assert!(
        show.contains("Mã xã cũ (trước 2025)") && show.contains("Phường Vĩnh Phúc"),
        "{show}"
    );
}
