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

// ---------------------------------------------------------------- consultations and agenda

/// `ctv` with the clock pinned (`CTV_NOW`, RFC 3339) and optionally a language.
fn ctv_at(db: &std::path::Path, now: &str, args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(common::ctv_bin())
        .args(args)
        .env("CTV_DB", db)
        .env("CTV_NOW", now)
        .env_remove("CTV_LANG")
        .env("HOME", db.parent().unwrap())
        .output()
        .expect("run ctv");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// 25/11/2026 10:00 in Việt Nam (a Wednesday).
const NOW: &str = "2026-11-25T03:00:00Z";

/// A collaborator of 00004 with one facility; returns its id.
fn setup_facility() -> (tempfile::TempDir, std::path::PathBuf, String) {
    let (d, db) = setup();
    let (code, _, err) = ctv(
        &db,
        &[
            "facilities",
            "add",
            "--name",
            "HTX mây tre đan Phú Vinh",
            "--commune",
            "00004",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (_, out, _) = ctv(&db, &["facilities", "list", "--format", "tsv"]);
    let id = out
        .lines()
        .nth(1)
        .unwrap()
        .split('\t')
        .next()
        .unwrap()
        .to_string();
    (d, db, id)
}

fn add_consultation(db: &std::path::Path, fac: &str, date: &str, follow_up: &str) -> String {
    let (code, out, err) = ctv_at(
        db,
        NOW,
        &[
            "consult",
            "add",
            "--facility",
            fac,
            "--date",
            date,
            "--mode",
            "truc_tiep",
            "--topic",
            "KC6",
            "--topic",
            "KC02,4",
            "--difficulties",
            "Thiếu máy sấy\nMặt bằng chật",
            "--needs",
            "Hỗ trợ máy sấy, bao bì",
            "--next-step",
            "Gửi báo giá máy sấy",
            "--follow-up",
            follow_up,
        ],
    );
    assert_eq!(code, 0, "{err}");
    // "… (mã 1a2b3c4d)."
    let start = out.find("(mã ").unwrap() + "(mã ".len();
    out[start..start + 8].to_string()
}

#[test]
fn consultations_round_trip_through_list_formats_and_the_agenda() {
    let (_d, db, fac) = setup_facility();
    let short = &fac[fac.len() - 8..];
    add_consultation(&db, short, "20/11/2026", "24/11/2026");
    add_consultation(&db, &fac, "2026-11-21", "25/11/2026");
    add_consultation(&db, short, "22/11/2026", "27/11/2026");

    let (code, out, _) = ctv_at(&db, NOW, &["consult", "list", "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let list = v.as_array().unwrap();
    assert_eq!(list.len(), 3);
    assert_eq!(list[0]["date"], "2026-11-22", "newest first");
    assert_eq!(
        list[0]["topics"],
        serde_json::json!(["KC02", "KC04", "KC06"])
    );
    assert_eq!(list[0]["difficulties"], "Thiếu máy sấy\nMặt bằng chật");
    assert_eq!(list[0]["mode"], "TRUC_TIEP");
    assert_eq!(list[0]["follow_up"]["status"], "open");
    assert_eq!(list[0]["facility_id"], fac.as_str());

    let out = std::process::Command::new(common::ctv_bin())
        .args(["consult", "list", "--format", "csv"])
        .env("CTV_DB", &db)
        .output()
        .unwrap();
    assert!(out.stdout.starts_with(b"\xef\xbb\xbf"), "UTF-8 BOM");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(",22/11/2026,"), "{text}");
    assert!(text.contains("\"Thiếu máy sấy\nMặt bằng chật\""), "{text}");
    assert!(text.contains("\r\n"));

    let (_, out, _) = ctv_at(
        &db,
        NOW,
        &[
            "consult",
            "list",
            "--since",
            "21/11/2026",
            "--until",
            "21/11/2026",
            "--format",
            "tsv",
        ],
    );
    assert_eq!(out.lines().count(), 2, "{out}");
    assert!(out.contains("\t2026-11-21\t"), "{out}");
    let (_, out, _) = ctv_at(
        &db,
        NOW,
        &["consult", "list", "--topic", "KC07", "--format", "tsv"],
    );
    assert_eq!(out.lines().count(), 1, "{out}");
    let (_, out, _) = ctv_at(
        &db,
        NOW,
        &[
            "consult",
            "list",
            "--collaborator",
            "tran thi binh",
            "--mode",
            "TRUC_TIEP",
        ],
    );
    assert!(out.contains("3 lần làm việc."), "{out}");

    let (code, out, _) = ctv_at(&db, NOW, &["agenda", "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["today"], "2026-11-25");
    assert_eq!(v["counts"]["overdue"], 1);
    let items = v["items"].as_array().unwrap();
    let shape: Vec<(&str, i64)> = items
        .iter()
        .map(|i| {
            (
                i["bucket"].as_str().unwrap(),
                i["days_late"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(shape, [("overdue", 1), ("today", 0), ("this_week", 0)]);
    let (_, out, _) = ctv_at(&db, NOW, &["agenda"]);
    assert!(
        out.contains("Quá hạn (1)") && out.contains("1 ngày"),
        "{out}"
    );
    assert!(
        out.contains("Hôm nay (1)") && out.contains("Sau này (0)"),
        "{out}"
    );
    // Just after midnight in Việt Nam the day has turned, though not in UTC.
    let (_, out, _) = ctv_at(&db, "2026-11-25T17:00:00Z", &["agenda", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["today"], "2026-11-26");
    assert_eq!(v["counts"]["overdue"], 2);
    // The summary shows what is overdue.
    let (_, out, _) = ctv_at(&db, NOW, &[]);
    assert!(out.contains("Việc theo dõi quá hạn: 1"), "{out}");

    let (_, out, _) = ctv_at(&db, NOW, &["consult", "needs", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 3, "one group per topic");
    assert_eq!(v[0]["facilities"], 1);
    assert_eq!(v[0]["entries"].as_array().unwrap().len(), 3);
}

#[test]
fn bad_consultations_are_refused_naming_the_field_and_nothing_is_written() {
    let (_d, db, fac) = setup_facility();
    let base = ["consult", "add", "--facility", fac.as_str()];
    let run = |extra: &[&str], lang: Option<&str>| {
        let mut args: Vec<&str> = base.to_vec();
        args.extend_from_slice(extra);
        if let Some(l) = lang {
            args.extend_from_slice(&["--lang", l]);
        }
        ctv_at(&db, NOW, &args)
    };
    for (extra, words) in [
        (
            vec!["--mode", "TRUC_TIEP", "--date", "31/02/2026"],
            vec!["Ngày làm việc", "\"31/02/2026\" không phải ngày hợp lệ"],
        ),
        (
            vec!["--mode", "TRUC_TIEP", "--date", "26/11/2026"],
            vec!["Ngày làm việc", "chưa tới"],
        ),
        (
            vec![
                "--mode",
                "TRUC_TIEP",
                "--date",
                "20/11/2026",
                "--follow-up",
                "19/11/2026",
            ],
            vec!["Ngày hẹn theo dõi", "Không được trước ngày 20/11/2026"],
        ),
        (
            vec!["--mode", "bay"],
            vec!["Hình thức", "\"bay\" không có trong danh mục"],
        ),
        (
            vec!["--mode", "TRUC_TIEP", "--topic", "KC99"],
            vec!["Nội dung hỗ trợ", "KC99"],
        ),
    ] {
        let (code, _, err) = run(&extra, None);
        assert_eq!(code, 1, "{extra:?}");
        for w in words {
            assert!(err.contains(w), "{extra:?}: {err}");
        }
    }
    let (code, _, err) = run(
        &["--mode", "TRUC_TIEP", "--follow-up", "hôm qua"],
        Some("en"),
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("Follow-up date: \"hôm qua\" is not a valid date"),
        "{err}"
    );
    let (code, _, err) = ctv_at(
        &db,
        NOW,
        &[
            "consult",
            "add",
            "--facility",
            "ffffffff",
            "--mode",
            "TRUC_TIEP",
        ],
    );
    assert_eq!(code, 1);
    assert!(err.contains("Không tìm thấy cơ sở"), "{err}");
    let (code, _, err) = ctv_at(&db, NOW, &["consult", "list", "--since", "1/13/2026"]);
    assert_eq!(code, 1);
    assert!(err.contains("Từ ngày"), "{err}");
    let (_, out, _) = ctv_at(&db, NOW, &["consult", "list", "--format", "json"]);
    assert_eq!(out.trim(), "[]", "nothing was written");
    // A warning is not a refusal.
    let (code, _, err) = run(&["--mode", "TRUC_TIEP", "--needs", "Vay vốn"], None);
    assert_eq!(code, 0);
    assert!(
        err.contains("Cảnh báo") && err.contains("Chưa phân loại"),
        "{err}"
    );
}

#[test]
fn edit_amend_show_done_and_reschedule() {
    let (_d, db, fac) = setup_facility();
    let first = add_consultation(&db, &fac, "20/11/2026", "24/11/2026");
    let next = add_consultation(&db, &fac, "24/11/2026", "01/12/2026");
    // Within the grace period the author edits.
    let (code, out, err) = ctv_at(
        &db,
        "2026-11-25T20:00:00Z",
        &["consult", "edit", &first, "--advice", "Lập đề án máy sấy"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Đã sửa"), "{out}");
    // Two days later: locked, amend instead.
    let later = "2026-11-27T03:00:00Z";
    let (code, _, err) = ctv_at(
        &db,
        later,
        &["consult", "edit", &first, "--mode", "DIEN_THOAI"],
    );
    assert_eq!(code, 1);
    assert!(err.contains("ctv consult amend"), "{err}");
    let (code, out, err) = ctv_at(
        &db,
        later,
        &[
            "consult",
            "amend",
            &first,
            "--mode",
            "DIEN_THOAI",
            "--reason",
            "Ghi nhầm: làm việc qua điện thoại",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("bản gốc được giữ nguyên"), "{out}");
    let (_, out, _) = ctv_at(&db, later, &["consult", "show", &first]);
    assert!(out.contains("Đính chính (1)"), "{out}");
    assert!(out.contains("TRUC_TIEP → DIEN_THOAI"), "{out}");
    assert!(out.contains("Ghi nhầm: làm việc qua điện thoại"), "{out}");
    assert!(out.contains("đã khóa"), "{out}");
    assert!(
        out.contains("Thiếu máy sấy\n"),
        "multi-line text kept: {out}"
    );
    let (_, out, _) = ctv_at(&db, later, &["consult", "list"]);
    assert!(out.contains(&format!("{first}*")), "{out}");
    let (code, _, err) = ctv_at(
        &db,
        later,
        &["consult", "amend", &first, "--follow-up", "01/12/2026"],
    );
    assert_eq!(code, 2, "not an amend option: {err}");

    // The first visit's follow-up was done by the second.
    let (code, out, err) = ctv_at(&db, later, &["consult", "done", &first, "--by", &next]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Đã hoàn thành"), "{out}");
    let (code, _, err) = ctv_at(&db, later, &["consult", "done", &first]);
    assert_eq!(code, 1);
    assert!(err.contains("đã hoàn thành"), "{err}");
    // The second's follow-up moves, not into the past.
    let (code, _, err) = ctv_at(&db, later, &["consult", "reschedule", &next, "26/11/2026"]);
    assert_eq!(code, 1);
    assert!(err.contains("Không được trước ngày 27/11/2026"), "{err}");
    let (code, out, err) = ctv_at(
        &db,
        later,
        &[
            "consult",
            "reschedule",
            &next,
            "04/12/2026",
            "--reason",
            "Chủ cơ sở đi vắng",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("04/12/2026"), "{out}");
    let (_, out, _) = ctv_at(&db, later, &["agenda", "--format", "tsv"]);
    let rows: Vec<&str> = out.lines().skip(1).collect();
    assert_eq!(rows.len(), 1, "{out}");
    assert!(rows[0].starts_with("later\t2026-12-04\t0\t"), "{out}");
}

// ---------------------------------------------------------------- proposals and the plan

fn proposal_id(out: &str) -> String {
    // "… (mã 1a2b3c4d), …"
    let start = out.find("(mã ").unwrap() + "(mã ".len();
    out[start..start + 8].to_string()
}

#[test]
fn proposals_move_through_the_cli_and_the_plan_opens_in_excel() {
    use calamine::{Data, Reader};
    let (d, db, fac) = setup_facility();
    let add = |total: &str, support: &str, counterpart: &str, cat: &str| {
        let (code, out, err) = ctv_at(
            &db,
            NOW,
            &[
                "proposal",
                "add",
                "--facility",
                &fac,
                "--category",
                cat,
                "--funding",
                "KCQG",
                "--total",
                total,
                "--support",
                support,
                "--counterpart",
                counterpart,
            ],
        );
        (code, out, err)
    };
    // Money that does not add up is refused, naming the fields and the difference.
    let (code, _, err) = add("1.250.000.000", "375.000.000", "800.000.000", "KC03");
    assert_eq!(code, 1);
    assert!(
        err.contains("Tổng kinh phí") && err.contains("chênh lệch 75.000.000 đ"),
        "{err}"
    );
    let (code, out, err) = add("1,25 tỷ", "375.000.000", "875.000.000", "KC03");
    assert_eq!(code, 0, "{err}");
    let p1 = proposal_id(&out);
    let (code, out, err) = add("30.000.000", "12.000.000", "18.000.000", "KC10");
    assert_eq!(code, 0, "{err}");
    // No table of caps has reached this commune: a warning saying so, saved anyway.
    assert!(
        err.contains("Cảnh báo") && err.contains("Chưa có mức trần cho nội dung KC10"),
        "{err}"
    );
    let p2 = proposal_id(&out);
    for p in [&p1, &p2] {
        let (code, _, err) = ctv_at(&db, NOW, &["proposal", "propose", p]);
        assert_eq!(code, 0, "{err}");
    }
    // Without an area review (the default), no one reviews: the refusal says so.
    let (code, _, err) = ctv_at(&db, NOW, &["proposal", "review", &p1, "--comment", "ok"]);
    assert_eq!(code, 1);
    assert!(err.contains("Tỉnh không dùng bước rà soát"), "{err}");
    // A commune collaborator may not decide: the refusal says what they can do.
    let (code, _, err) = ctv_at(
        &db,
        NOW,
        &[
            "proposal",
            "approve",
            &p1,
            "--decision-no",
            "1/QĐ",
            "--decision-date",
            "20/11/2026",
        ],
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("Đề xuất đang chờ tỉnh quyết định; bạn có thể: rút đề xuất."),
        "{err}"
    );
    // The flow is the province's: a commune may not set it, at init or later.
    let (code, _, err) = ctv(&db, &["settings", "area-review", "yes"]);
    assert_eq!(code, 1);
    assert!(err.contains("Chỉ Trung tâm Khuyến công tỉnh"), "{err}");
    let (code, _, err) = ctv(
        &db,
        &[
            "init",
            "--replace",
            "--name",
            "Trần Thị Bình",
            "--role",
            "commune",
            "--unit",
            "00004",
            "--area-review",
            "yes",
        ],
    );
    assert_eq!(code, 1);
    assert!(err.contains("--area-review"), "{err}");
    // The province (on the same database, no bundle) decides on what is proposed.
    let (code, out, err) = ctv(
        &db,
        &[
            "init",
            "--replace",
            "--name",
            "Phạm Thu Hà",
            "--role",
            "province",
            "--unit",
            "01",
            "--area-review",
            "no",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Rà soát của cán bộ khu vực: không"), "{out}");
    let approve = |amount: &str, date: &str| {
        ctv_at(
            &db,
            NOW,
            &[
                "proposal",
                "approve",
                &p1,
                "--amount",
                amount,
                "--decision-no",
                "12/QĐ-SCT",
                "--decision-date",
                date,
                "--funding",
                "KCQG",
                "--batch",
                "Đợt 1",
            ],
        )
    };
    // Bad input names the field and changes nothing.
    let (code, _, err) = approve("500tr", "20/11/2026");
    assert_eq!(code, 1);
    assert!(err.contains("nhiều hơn kinh phí đề nghị"), "{err}");
    let (code, _, err) = approve("300tr", "32/11/2026");
    assert_eq!(code, 1);
    assert!(err.contains("Ngày quyết định"), "{err}");
    let (code, _, err) = approve("300tr", "20/11/2026");
    assert_eq!(code, 0, "{err}");
    let (_, out, _) = ctv_at(&db, NOW, &["proposal", "show", &p1]);
    assert!(
        out.contains("300.000.000 đ") && out.contains("Đợt 1"),
        "{out}"
    );
    assert!(
        out.contains("20/11/2026") && out.contains("12/QĐ-SCT"),
        "{out}"
    );
    let (code, _, err) = ctv_at(
        &db,
        NOW,
        &["proposal", "return", &p2, "--reason", "Vượt mức"],
    );
    assert_eq!(code, 0, "{err}");
    let (_, out, _) = ctv_at(&db, NOW, &["proposal", "show", &p2]);
    assert!(
        out.contains("Đã đề xuất → Tỉnh trả lại để sửa — Vượt mức"),
        "{out}"
    );
    assert!(out.contains("Phạm Thu Hà"), "{out}");
    // The province sees and sets its flow; a typo names the option.
    let (code, out, _) = ctv(&db, &["settings", "area-review"]);
    assert_eq!(code, 0);
    assert!(out.contains("không (xã → tỉnh)"), "{out}");
    let (code, _, err) = ctv(&db, &["settings", "area-review", "maybe"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("--area-review") && err.contains("maybe"),
        "{err}"
    );
    let (code, out, err) = ctv(&db, &["settings", "area-review", "có"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("có (xã → khu vực rà soát → tỉnh)"), "{out}");

    let (code, out, _) = ctv_at(&db, NOW, &["proposal", "list", "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["totals"]["total"]["support"], 387_000_000);
    let (_, out, _) = ctv_at(&db, NOW, &["proposal", "list"]);
    assert!(
        out.contains("1.250.000.000 đ") && out.contains("Tổng cộng"),
        "{out}"
    );

    // The plan: CSV with plain numbers, and an xlsx read back.
    let (code, out, _) = ctv_at(&db, NOW, &["plan", "--year", "2027", "--format", "csv"]);
    assert_eq!(code, 0);
    assert!(out.starts_with('\u{feff}'));
    assert!(out.contains(",1250000000,375000000,875000000,0,"), "{out}");
    let xlsx = d.path().join("ke-hoach.xlsx");
    let (code, _, err) = ctv_at(
        &db,
        NOW,
        &[
            "plan",
            "--year",
            "2027",
            "--format",
            "xlsx",
            "--include-drafts",
            "--out",
            xlsx.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    let sheet = wb.sheet_names()[0].clone();
    assert_eq!(sheet, "Kế hoạch 2027");
    let r = wb.worksheet_range(&sheet).unwrap();
    let cell = |row: usize, col: usize| r.get((row, col)).cloned().unwrap_or(Data::Empty);
    assert_eq!(cell(0, 1), Data::String("Cơ sở".into()));
    assert_eq!(cell(0, 6), Data::String("Tổng kinh phí".into()));
    let rows: Vec<Vec<Data>> = r.rows().map(|x| x.to_vec()).collect();
    let find = |label: &str| {
        rows.iter()
            .find(|x| x.get(1) == Some(&Data::String(label.into())))
            .unwrap_or_else(|| panic!("no row {label}: {rows:?}"))
            .clone()
    };
    // The proposal row: a real number, not text.
    let row = rows
        .iter()
        .find(|x| {
            x.get(5)
                .is_some_and(|c| c.to_string().starts_with("Xây dựng mô hình"))
        })
        .unwrap();
    assert_eq!(row[6], Data::Float(1_250_000_000.0));
    assert_eq!(row[7], Data::Float(375_000_000.0));
    assert_eq!(row[1], Data::String("HTX mây tre đan Phú Vinh".into()));
    assert_eq!(row[2], Data::String("Phường Ba Đình".into()));
    let sub = find("Cộng KC03 — KCQG");
    assert_eq!(sub[6], Data::Float(1_250_000_000.0));
    let total = find("Tổng cộng");
    assert_eq!(total[6], Data::Float(1_280_000_000.0));
    assert_eq!(total[7], Data::Float(387_000_000.0));
    assert_eq!(total[8], Data::Float(893_000_000.0));
    // Number formats and the frozen header, from the file itself (calamine does not expose
    // them): every amount cell of the money columns uses the VND format.
    let xml = |name: &str| -> String {
        let f = std::fs::File::open(&xlsx).unwrap();
        let mut z = zip::ZipArchive::new(f).unwrap();
        let mut part = z.by_name(name).unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut part, &mut text).unwrap();
        text
    };
    let styles = xml("xl/styles.xml");
    let attr = |tag: &str, name: &str| -> Option<String> {
        let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        Some(tag[at..at + tag[at..].find('"')?].to_string())
    };
    let vnd_id = styles
        .split("<numFmt ")
        .skip(1)
        .find(|t| t.contains("formatCode=\"#,##0 &quot;đ&quot;\""))
        .and_then(|t| attr(&format!(" {t}"), "numFmtId"))
        .expect("the VND number format is defined");
    let xfs = &styles[styles.find("<cellXfs").unwrap()..];
    let xf_fmt: Vec<String> = xfs
        .split("<xf ")
        .skip(1)
        .map(|t| attr(&format!(" {t}"), "numFmtId").unwrap_or_default())
        .collect();
    let sheet = xml("xl/worksheets/sheet1.xml");
    assert!(
        sheet.contains("state=\"frozen\""),
        "the header row is frozen"
    );
    let money_cells: Vec<&str> = sheet
        .split("<c ")
        .skip(1)
        .filter(|c| {
            let r = attr(&format!(" {c}"), "r").unwrap_or_default();
            let col: String = r
                .chars()
                .take_while(|ch| ch.is_ascii_alphabetic())
                .collect();
            let row: usize = r[col.len()..].parse().unwrap_or(0);
            ["G", "H", "I", "J"].contains(&col.as_str()) && row > 1 && c.contains("<v>")
        })
        .collect();
    assert!(!money_cells.is_empty());
    for c in money_cells {
        let s: usize = attr(&format!(" {c}"), "s").unwrap().parse().unwrap();
        assert_eq!(xf_fmt[s], vnd_id, "cell {c}");
    }
    // xlsx without --out is refused.
    let (code, _, err) = ctv_at(&db, NOW, &["plan", "--year", "2027", "--format", "xlsx"]);
    assert_eq!(code, 1);
    assert!(err.contains("--out"), "{err}");
}

/// `ctv | head -1`, `ctv facilities list | head -1`: when the reader goes away the command
/// ends quietly, as other tools do, with no panic message.
#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ctv.db");
    assert_eq!(common::ctv(&db, &["demo", "--facilities", "50"]).0, 0);
    for args in [&[][..], &["facilities", "list"][..], &["agenda"][..]] {
        let mut child = Command::new(common::ctv_bin())
            .args(args)
            .env("CTV_DB", &db)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The reader goes away before anything is read.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

#[test]
fn find_by_tax_number_and_says_how_many_more() {
    let (_d, db) = setup();
    let add = |name: &str, tax: &str| {
        let mut args = vec!["facilities", "add", "--name", name, "--commune", "4"];
        if !tax.is_empty() {
            args.extend(["--tax-code", tax]);
        }
        args.push("--force");
        let (code, _, err) = ctv(&db, &args);
        assert_eq!(code, 0, "{name}: {err}");
    };
    add("Công ty TNHH gốm Sao Mai", "0100109106");
    for i in 0..22 {
        add(&format!("Cơ sở gốm số {i}"), "");
    }
    for q in [
        &["0100109106"][..],
        &["0100", "109", "106"],
        &["0100.109.106"],
    ] {
        let mut args = vec!["find", "--format", "tsv"];
        args.extend(q);
        let (code, out, err) = ctv(&db, &args);
        assert_eq!(code, 0, "{err}");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 2, "{q:?}: {out}");
        assert!(lines[1].contains("Công ty TNHH gốm Sao Mai"), "{out}");
    }
    // 23 match "gom"; 20 are shown, and the rest counted.
    let (_, out, _) = ctv(&db, &["find", "gom"]);
    assert!(out.contains("… và 3 cơ sở khác"), "{out}");
    let (_, out, _) = ctv(&db, &["find", "gom", "--limit", "30"]);
    assert!(!out.contains("cơ sở khác"), "{out}");
    // The list's columns.
    assert!(
        out.contains("Nhóm nghề") && out.contains("Lao động"),
        "{out}"
    );
}

/// Field trial (issue 16): a commune collaborator's `facilities list` and `find` show their own
/// commune by default; `--all` shows the rest too.
#[test]
fn list_and_find_keep_to_the_own_area_unless_all() {
    use ctv::domain::{FacilityInput, ProfileInput};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ctv.db");
    {
        let mut s = ctv::store::Store::open(&db).unwrap();
        let profile = |role: &str, units: &str| ProfileInput {
            name: "Nguyễn Thị Hoa".into(),
            role: role.into(),
            units: units.into(),
            account: None,
        };
        s.init_profile(&profile("province", "01"), false).unwrap();
        for (name, commune) in [
            ("Cơ sở gốm sứ Minh Đức", "00577"),
            ("HTX mây tre đan Phú Vinh", "00091"),
        ] {
            s.create_facility(&FacilityInput {
                name: name.into(),
                commune_code: commune.into(),
                ..Default::default()
            })
            .unwrap();
        }
        s.init_profile(&profile("commune", "00577"), true).unwrap();
    }
    let (code, out, err) = ctv(&db, &["facilities", "list"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("Minh Đức") && !out.contains("Phú Vinh"),
        "{out}"
    );
    let (_, out, _) = ctv(&db, &["facilities", "list", "--all"]);
    assert!(
        out.contains("Minh Đức") && out.contains("Phú Vinh"),
        "{out}"
    );
    let (code, out, err) = ctv(&db, &["find", "phu vinh"]);
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains("Phú Vinh"), "{out}");
    let (_, out, _) = ctv(&db, &["find", "phu vinh", "--all"]);
    assert!(out.contains("Phú Vinh"), "{out}");
}
