//! Support caps as data the province loads (issue 15): `ctv caps import` of a table made in
//! Excel, every kind of bad file refused naming its line with nothing changed, only the
//! province may load, the cap in force by date, "no cap known", and the table travelling to
//! a commune with a receipt.

mod common;

use std::path::Path;
use std::sync::{Arc, OnceLock};

use common::caps::example_caps_file;
use common::proposals::{as_role, facility, vn};
use common::{commune_db, ctv};
use ctv::bundle::receive;
use ctv::bundle::{export, ExportOptions};
use ctv::clock::FixedClock;
use ctv::domain::caps::{cap_date, check_rows, rows_from_table, Owner};
use ctv::domain::issue::{FieldIssue, Problem};
use ctv::domain::proposal::{assess, validate, ProposalInput};
use ctv::store::{Store, StoreError};
use ctv::words::Lang;

const HEADER: &str =
    "Mã tỉnh;Nội dung;Nguồn kinh phí;Từ ngày;Đến ngày;Tỷ lệ (%);Mức tối đa (đồng);Căn cứ";

/// Test rows (the sources name a test resolution, not a real one): money and dates the way
/// people type them, a province code that lost its leading zero in Excel.
const GOOD_ROWS: [&str; 3] = [
    "1;KC03;KCĐP;01/01/2026;31/12/2026;30%;800.000.000;NQ kiểm thử 1/2026/NQ-HĐND, Điều 4",
    "01;KC03;KCĐP;01/01/2027;;50;1 tỷ;NQ kiểm thử 7/2026/NQ-HĐND, Điều 2",
    "01;KC05;*;01/07/2025;;;400tr;NQ kiểm thử 1/2026/NQ-HĐND, Điều 5",
];

/// A CSV as Excel's "CSV UTF-8" writes it in Vietnam: BOM, `;`, CRLF.
fn excel_csv(dir: &Path, name: &str, header: &str, rows: &[&str]) -> std::path::PathBuf {
    let mut text = String::from("\u{feff}");
    for line in std::iter::once(header).chain(rows.iter().copied()) {
        text.push_str(line);
        text.push_str("\r\n");
    }
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn province_db() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ctv.db");
    let init = [
        "init",
        "--name",
        "Trung tâm Khuyến công Hà Nội",
        "--role",
        "province",
        "--unit",
        "01",
    ];
    assert_eq!(ctv(&db, &init).0, 0);
    (dir, db)
}

fn list_json(db: &Path) -> serde_json::Value {
    let (code, out, err) = ctv(db, &["caps", "list", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap()
}

#[test]
fn a_table_made_in_excel_is_imported_and_listed_with_its_source() {
    let (dir, db) = province_db();
    let file = excel_csv(dir.path(), "muc_ho_tro.csv", HEADER, &GOOD_ROWS);
    let (code, out, err) = ctv(&db, &["caps", "import", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Đã nạp 3 dòng"), "{out}");

    let v = list_json(&db);
    let rows = v["tables"][0]["rows"].as_array().unwrap();
    assert_eq!(v["tables"][0]["origin"], "import");
    assert_eq!(v["tables"][0]["file_name"], "muc_ho_tro.csv");
    assert_eq!(v["tables"][0]["loaded_by"], "Trung tâm Khuyến công Hà Nội");
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["province_code"], "01");
    assert_eq!(rows[0]["funding"], "KCDP");
    assert_eq!(rows[0]["effective_from"], "2026-01-01");
    assert_eq!(rows[0]["effective_to"], "2026-12-31");
    assert_eq!(rows[0]["percent"], 30);
    assert_eq!(rows[0]["max_vnd"], 800_000_000);
    assert_eq!(rows[1]["effective_to"], serde_json::Value::Null);
    assert_eq!(rows[1]["max_vnd"], 1_000_000_000);
    assert_eq!(rows[2]["funding"], "*");
    assert_eq!(rows[2]["percent"], serde_json::Value::Null);
    assert_eq!(rows[2]["max_vnd"], 400_000_000);
    assert_eq!(rows[2]["source"], "NQ kiểm thử 1/2026/NQ-HĐND, Điều 5");
    // Nothing shipped pretends to be a national table.
    assert_eq!(v["national"].as_array().unwrap().len(), 0);

    // The table for people shows each cap beside its source.
    let (_, out, _) = ctv(&db, &["caps", "list"]);
    assert!(out.contains("800.000.000 đ"), "{out}");
    assert!(out.contains("NQ kiểm thử 7/2026/NQ-HĐND, Điều 2"), "{out}");
    assert!(out.contains("31/12/2026"), "{out}");

    // A new table replaces the old one; the change log keeps who loaded both.
    let file2 = excel_csv(dir.path(), "moi.csv", HEADER, &GOOD_ROWS[..1]);
    let (code, out, _) = ctv(&db, &["caps", "import", file2.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(out.contains("bảng trước: 3 dòng"), "{out}");
    assert_eq!(
        list_json(&db)["tables"][0]["rows"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn every_kind_of_bad_file_is_refused_naming_the_line_and_nothing_changes() {
    let (dir, db) = province_db();
    let good = excel_csv(dir.path(), "good.csv", HEADER, &GOOD_ROWS);
    assert_eq!(ctv(&db, &["caps", "import", good.to_str().unwrap()]).0, 0);
    let before = list_json(&db);

    let ok = GOOD_ROWS[2];
    let cases: [(&str, &str, &str); 11] = [
        (
            HEADER,
            "01;KC99;KCQG;01/01/2026;;30;;NQ 1",
            "dòng 3: mã nội dung KC99",
        ),
        (
            HEADER,
            "01;KC03;KCX;01/01/2026;;30;;NQ 1",
            "dòng 3: nguồn kinh phí «KCX»",
        ),
        (
            HEADER,
            "01;KC03;KCQG;31/02/2026;;30;;NQ 1",
            "dòng 3: «31/02/2026» ở cột «Từ ngày»",
        ),
        (
            HEADER,
            "01;KC03;KCQG;01/06/2026;01/01/2026;30;;NQ 1",
            "dòng 3: từ ngày 01/06/2026 sau đến ngày 01/01/2026",
        ),
        (
            HEADER,
            "01;KC03;KCQG;01/01/2026;;30;;",
            "dòng 3: cột «Căn cứ» để trống",
        ),
        (
            HEADER,
            "04;KC03;KCQG;01/01/2026;;30;;NQ 1",
            "dòng 3: mã tỉnh 04 không phải tỉnh của bạn (01)",
        ),
        (
            HEADER,
            "*;KC03;KCQG;01/01/2026;;30;;NQ 1",
            "dòng 3: dấu * (quy định toàn quốc)",
        ),
        (
            HEADER,
            "01;KC03;KCQG;01/01/2026;;150;;NQ 1",
            "dòng 3: tỷ lệ «150»",
        ),
        (
            HEADER,
            "01;KC03;KCQG;01/01/2026;;;;NQ 1",
            "dòng 3: cần tỷ lệ hoặc mức tối đa",
        ),
        (
            HEADER,
            "01;KC03;KCQG;01/01/2026;;30;mười triệu;NQ 1",
            "dòng 3: mức tối đa «mười triệu»",
        ),
        (
            "Mã tỉnh;Nội dung;Nguồn kinh phí;Từ ngày;Tỷ lệ (%)",
            "01;KC03;KCQG;01/01/2026;30",
            "tệp: thiếu cột «Căn cứ»",
        ),
    ];
    for (i, (header, bad, expected)) in cases.iter().enumerate() {
        let file = excel_csv(dir.path(), &format!("bad{i}.csv"), header, &[ok, bad]);
        let (code, out, err) = ctv(&db, &["caps", "import", file.to_str().unwrap()]);
        assert_eq!(code, 1, "{bad}: {out}");
        assert!(
            err.contains(expected),
            "{bad}: expected «{expected}» in {err}"
        );
        assert!(err.contains("không có gì thay đổi"), "{err}");
        assert_eq!(list_json(&db), before, "{bad} changed the table");
    }
}

#[test]
fn overlapping_periods_are_refused_naming_both_lines() {
    let (dir, db) = province_db();
    let rows = [
        "01;KC03;KCQG;01/01/2026;31/12/2026;30;;NQ 1, Điều 1",
        "01;KC03;KCQG;01/01/2027;;40;;NQ 2, Điều 1",
        // Shares 2026 with line 2's table row one (file line 2).
        "01;KC03;KCQG;01/07/2026;;35;;NQ 3, Điều 1",
        // The other funding source may have its own period.
        "01;KC03;KCĐP;01/07/2026;;35;;NQ 3, Điều 2",
    ];
    let file = excel_csv(dir.path(), "overlap.csv", HEADER, &rows);
    let (code, _, err) = ctv(&db, &["caps", "import", file.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("dòng 4: trùng thời gian với dòng 2"), "{err}");
    assert!(!err.contains("dòng 5"), "{err}");
    assert_eq!(list_json(&db)["tables"].as_array().unwrap().len(), 0);
}

#[test]
fn only_the_province_loads_a_table() {
    let (dir, db) = commune_db();
    let file = excel_csv(dir.path(), "caps.csv", HEADER, &GOOD_ROWS);
    let (code, _, err) = ctv(&db, &["caps", "import", file.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("Chỉ Trung tâm Khuyến công tỉnh"), "{err}");
    assert_eq!(list_json(&db)["tables"].as_array().unwrap().len(), 0);
    let (_, out, _) = ctv(&db, &["caps", "list"]);
    assert!(out.contains("Chưa có bảng mức hỗ trợ"), "{out}");
}

/// The province's store at 25/11/2026 with the test table loaded.
fn province_store(clock: &FixedClock) -> Store {
    let mut s = Store::open_in_memory(Arc::new(clock.clone())).unwrap();
    as_role(&mut s, "Trung tâm Khuyến công Hà Nội", "province", "01");
    let dir = tempfile::tempdir().unwrap();
    let file = excel_csv(dir.path(), "caps.csv", HEADER, &GOOD_ROWS);
    let t = ctv::import::read_table(&file).unwrap();
    let rows = rows_from_table(&t.headers, &t.rows, "01").unwrap();
    let caps = check_rows(&rows, Owner::Province("01")).unwrap();
    s.import_support_caps(&caps, "caps.csv").unwrap();
    s
}

fn proposal(year: &str, category: &str, funding: &str, fac: &str) -> ProposalInput {
    ProposalInput {
        facility_id: fac.into(),
        plan_year: year.into(),
        category: category.into(),
        funding: funding.into(),
        title: "Máy chẻ nan".into(),
        total_cost: "1 tỷ".into(),
        support: "400 triệu".into(),
        counterpart: "600 triệu".into(),
        other_sources: "0".into(),
        ..Default::default()
    }
}

fn cap_warning(w: &[FieldIssue]) -> Option<&Problem> {
    w.iter()
        .map(|w| &w.problem)
        .find(|p| matches!(p, Problem::OverCap { .. } | Problem::NoCapKnown { .. }))
}

/// The cap warning the province's store gives a proposal of `fac` (the warnings a proposal
/// carries, with the caps in force in the store).
fn warnings_at(s: &Store, input: &ProposalInput, fac: &str) -> Vec<FieldIssue> {
    let (data, _) = validate(input, s.today()).unwrap();
    let f = s.facility(fac).unwrap().unwrap();
    assess(
        &data,
        &f.data,
        s.in_recognised_village(fac).unwrap(),
        s.today(),
        &s.support_caps().unwrap(),
    )
    .0
}

#[test]
fn the_cap_in_force_is_the_one_of_the_plan_year_and_its_source_is_named() {
    let clock = FixedClock::new(vn(2026, 11, 25, 10));
    let mut s = province_store(&clock);
    let fac = facility(&mut s, "HTX mây tre đan Phú Vinh", "00004", "25");

    // 2026 (this year, so today): 30% of 1 tỷ = 300 triệu, and 400 triệu is over it.
    let w = warnings_at(&s, &proposal("2026", "KC03", "KCDP", &fac), &fac);
    let p = cap_warning(&w).unwrap();
    assert!(
        matches!(
            p,
            Problem::OverCap {
                limit: 300_000_000,
                ..
            }
        ),
        "{p:?}"
    );
    let text = ctv::words::describe_proposal(Lang::Vi, "support", p);
    assert!(
        text.contains("NQ kiểm thử 1/2026/NQ-HĐND, Điều 4"),
        "{text}"
    );

    // 2027 (from 01/01/2027): 50%, so 400 triệu is within the cap.
    let w = warnings_at(&s, &proposal("2027", "KC03", "KCDP", &fac), &fac);
    assert_eq!(cap_warning(&w), None);

    // KC05 has a row for both funding sources (at most 400 triệu): a national-source
    // proposal of exactly that is within it — no "no cap known".
    let w = warnings_at(&s, &proposal("2027", "KC05", "KCQG", &fac), &fac);
    assert_eq!(cap_warning(&w), None);

    // KC03 from national funds has no row: said plainly, nothing else applied.
    let w = warnings_at(&s, &proposal("2027", "KC03", "KCQG", &fac), &fac);
    let p = cap_warning(&w).unwrap();
    assert_eq!(
        ctv::words::problems::problem_text(Lang::Vi, p),
        "Chưa có mức trần cho nội dung KC03 (KCQG) của tỉnh — tỉnh chưa nạp bảng mức hỗ trợ"
    );
    // The plan year decides (issue 16), not the day a decision was signed.
    let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap();
    assert_eq!(cap_date(2027, d(2026, 11, 25)), d(2027, 1, 1));
    assert_eq!(cap_date(2026, d(2026, 11, 25)), d(2026, 11, 25));
}

#[test]
fn a_store_refuses_a_table_from_anyone_but_the_province() {
    let clock = FixedClock::new(vn(2026, 11, 25, 10));
    let mut s = Store::open_in_memory(Arc::new(clock)).unwrap();
    as_role(&mut s, "Trần Thị Bình", "commune", "00004");
    let caps = common::caps::example_caps();
    let changes = s.change_count().unwrap();
    assert!(matches!(
        s.import_support_caps(caps.all(), "x.csv"),
        Err(StoreError::ProvinceOnly)
    ));
    assert_eq!(s.change_count().unwrap(), changes);
}

/// One key folder for the whole test process (keys are per profile id inside it).
fn keys_dir() {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = tempfile::tempdir().unwrap();
        std::env::set_var("CTV_KEYS_DIR", d.path());
        d
    });
}

#[test]
fn the_provinces_table_reaches_a_commune_with_a_receipt() {
    keys_dir();
    let tmp = tempfile::tempdir().unwrap();
    let clock = FixedClock::new(vn(2026, 11, 25, 10));
    let open = |name: &str| {
        Store::open_with_clock(&tmp.path().join(name), Arc::new(clock.clone())).unwrap()
    };

    // A commune with one facility sends its bundle; no table here yet.
    let mut a = open("commune.db");
    as_role(&mut a, "Nguyễn Văn An", "commune", "00004");
    let fac = facility(&mut a, "HTX mây tre đan Phú Vinh", "00004", "25");
    let (_, w) = a
        .add_proposal(&proposal("2026", "KC03", "KCDP", &fac))
        .unwrap();
    let w: Vec<_> = w.warnings().cloned().collect();
    assert!(matches!(cap_warning(&w), Some(Problem::NoCapKnown { .. })));
    let b1 = export(
        &mut a,
        &ExportOptions {
            full: false,
            out: Some(tmp.path().join("b1.ctvb")),
        },
        &|_, _| {},
    )
    .unwrap()
    .path;

    // The province, with its table loaded, imports it and answers.
    let mut p = open("province.db");
    as_role(&mut p, "Trung tâm Khuyến công Hà Nội", "province", "01");
    let t = ctv::import::read_table(&example_caps_file()).unwrap();
    let rows = rows_from_table(&t.headers, &t.rows, "01").unwrap();
    p.import_support_caps(&check_rows(&rows, Owner::Province("01")).unwrap(), "vd.csv")
        .unwrap();
    let c = receive::check(&p, &b1).unwrap();
    receive::import(&mut p, &c, true).unwrap();
    let pkey = ctv::bundle::signing_key(&mut p).unwrap();
    let rfile = tmp.path().join("b1.receipt.ctvb");
    let me = a.profile().unwrap().id.clone();
    let receipt = receive::write_receipt(&p, &pkey, &me, None, &rfile).unwrap();
    assert_eq!(receipt.caps.as_ref().unwrap().rows.len(), 3);

    // The commune takes the table over; its draft is now checked against it.
    let rc = receive::check(&a, &rfile).unwrap();
    receive::apply_receipt(&mut a, &rc, true).unwrap();
    let tables = a.cap_tables().unwrap();
    assert_eq!(tables.len(), 1);
    assert_eq!(tables[0].origin, "receipt");
    assert_eq!(tables[0].loaded_by, "Trung tâm Khuyến công Hà Nội");
    assert_eq!(tables[0].rows, p.cap_tables().unwrap()[0].rows);
    let (_, w) = a
        .add_proposal(&proposal("2026", "KC03", "KCDP", &fac))
        .unwrap();
    let w: Vec<_> = w.warnings().cloned().collect();
    assert!(
        matches!(
            cap_warning(&w),
            Some(Problem::OverCap {
                limit: 300_000_000,
                ..
            })
        ),
        "{w:?}"
    );
    // The same receipt again changes nothing.
    let changes = a.change_count().unwrap();
    let rc = receive::check(&a, &rfile).unwrap();
    receive::apply_receipt(&mut a, &rc, false).unwrap();
    assert_eq!(a.change_count().unwrap(), changes);

    // A receipt without the field (an older province) still reads.
    let mut old = serde_json::to_value(&receipt).unwrap();
    old.as_object_mut().unwrap().remove("caps");
    let back: receive::Receipt = serde_json::from_value(old).unwrap();
    assert_eq!(back.caps, None);
}

#[test]
fn a_workbook_with_real_dates_numbers_and_a_percent_cell_is_imported() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let (dir, db) = province_db();
    let path = dir.path().join("muc_ho_tro.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in HEADER.split(';').enumerate() {
        ws.write_string(0, c as u16, h).unwrap();
    }
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let pct = Format::new().set_num_format("0%");
    ws.write_number(1, 0, 1.0).unwrap();
    ws.write_string(1, 1, "KC03").unwrap();
    ws.write_string(1, 2, "KCĐP").unwrap();
    let from = ExcelDateTime::from_ymd(2026, 1, 1).unwrap();
    ws.write_datetime_with_format(1, 3, &from, &date).unwrap();
    ws.write_number_with_format(1, 5, 0.3, &pct).unwrap();
    ws.write_number(1, 6, 800_000_000.0).unwrap();
    ws.write_string(1, 7, "NQ kiểm thử 1/2026/NQ-HĐND, Điều 4")
        .unwrap();
    wb.save(&path).unwrap();

    let (code, _, err) = ctv(&db, &["caps", "import", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let row = &list_json(&db)["tables"][0]["rows"][0];
    assert_eq!(row["province_code"], "01");
    assert_eq!(row["effective_from"], "2026-01-01");
    assert_eq!(row["percent"], 30);
    assert_eq!(row["max_vnd"], 800_000_000);
}
