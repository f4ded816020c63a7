//! The annual plan (issue 17): grouped by content, then by implementing unit (the centre,
//! the facilities) with subtotals; group and pilot đề án marked; the centre's activities
//! with their cost once; the 20 June date counted down on the app's clock; what is still
//! undecided, by status. Fixture and hand-computed totals: tests/common/plan.rs.

mod common;

use common::plan::{fixture, open};
use common::proposals::{as_role, vn};
use ctv::domain::plan::{days_left, deadline, UnitKind};
use ctv::domain::proposal::{FundingSource, ProposalStatus as S};
use ctv::words::plan::{deadline_text, pending_lines, plan_lines, LineKind};
use ctv::words::Lang;

fn d(y: i32, m: u32, day: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[test]
fn the_plan_groups_by_content_then_by_implementing_unit() {
    let f = fixture();
    let s = open(&f);
    let plan = s.annual_plan(2027, false).unwrap();

    // The draft (KC01) stays out: one content, the centre first, then the facilities.
    assert_eq!(plan.groups.len(), 1);
    let g = &plan.groups[0];
    assert_eq!(g.category, "KC03");
    let units: Vec<(UnitKind, Vec<&str>, i64, i64)> = g
        .units
        .iter()
        .map(|u| {
            (
                u.unit,
                u.items.iter().map(|i| i.id.as_str()).collect(),
                u.subtotal.total_cost,
                u.subtotal.support,
            )
        })
        .collect();
    assert_eq!(
        units,
        vec![
            (
                UnitKind::Centre,
                vec![f.centre.as_str()],
                300_000_000,
                300_000_000
            ),
            (
                UnitKind::Facility,
                vec![f.group.as_str(), f.single.as_str()],
                1_750_000_000,
                525_000_000
            ),
        ]
    );
    assert_eq!(
        (g.subtotal.count, g.subtotal.total_cost, g.subtotal.support),
        (3, 2_050_000_000, 825_000_000)
    );
    // Per funding source and in all.
    let by: Vec<(FundingSource, i64)> = plan
        .by_funding
        .iter()
        .map(|(f, t)| (*f, t.total_cost))
        .collect();
    assert_eq!(
        by,
        vec![
            (FundingSource::Kcqg, 1_250_000_000),
            (FundingSource::Kcdp, 800_000_000)
        ]
    );
    assert_eq!(
        (plan.total.count, plan.total.total_cost),
        (3, 2_050_000_000)
    );

    // Within a unit, facilities in Vietnamese order («Cơ sở gốm…» before «HTX…»). The group:
    // two beneficiaries, a pilot; the centre's: no facility.
    let group = &g.units[1].items[0];
    assert_eq!((group.beneficiaries, group.is_pilot), (2, true));
    let centre = &g.units[0].items[0];
    assert_eq!(centre.facility_name, "");

    // In words: the headings, «Nhóm 2 cơ sở», the pilot marker, the centre named.
    let lines = plan_lines(Lang::Vi, &plan);
    let texts: Vec<(LineKind, &str)> = lines
        .iter()
        .map(|l| (l.kind, l.texts[1].as_str()))
        .collect();
    assert_eq!(
        &texts[..4],
        &[
            (
                LineKind::Content,
                "KC03 — Xây dựng mô hình trình diễn kỹ thuật"
            ),
            (LineKind::Unit, "Trung tâm Khuyến công thực hiện"),
            (LineKind::Item, "Trung tâm Khuyến công"),
            (LineKind::Subtotal, "Cộng KC03 — Trung tâm"),
        ]
    );
    assert_eq!(texts[4], (LineKind::Unit, "Cơ sở CNNT thực hiện"));
    let group_line = lines
        .iter()
        .find(|l| l.texts[5] == "Đề án KC03" && l.texts[4] == "KCĐP")
        .unwrap();
    assert_eq!(group_line.texts[1], "Nhóm 2 cơ sở: Cơ sở gốm Bát Tràng");
    assert!(
        group_line.texts[6].starts_with("Đề án điểm"),
        "{:?}",
        group_line.texts
    );
    assert_eq!(texts[7], (LineKind::Subtotal, "Cộng KC03 — cơ sở"));
    assert_eq!(lines[7].money[0], Some(1_750_000_000));
    assert_eq!(texts[8], (LineKind::Subtotal, "Cộng KC03"));
}

#[test]
fn the_centres_activities_appear_by_kind_with_their_cost_once() {
    let f = fixture();
    let s = open(&f);
    let plan = s.annual_plan(2027, false).unwrap();
    // 2027's only (the workshop of 2028 is left out), in the code list's order.
    let kinds: Vec<(&str, usize, i64)> = plan
        .activities
        .iter()
        .map(|k| (k.kind.as_str(), k.activities.len(), k.cost))
        .collect();
    assert_eq!(kinds, vec![("TAP_HUAN", 1, 45_000_000), ("HOI_CHO", 1, 0)]);
    // The fair is part of the đề án «single»: listed with its cost, not added again.
    let fair = &plan.activities[1].activities[0];
    assert_eq!(
        (fair.cost, fair.proposal_id.as_deref()),
        (20_000_000, Some(f.single.as_str()))
    );
    assert_eq!(plan.activities_cost, 45_000_000);
    assert_eq!(plan.grand_total_cost(), 2_050_000_000 + 45_000_000);

    let lines = plan_lines(Lang::Vi, &plan);
    let heading = lines
        .iter()
        .position(|l| l.texts[1] == "Hoạt động của Trung tâm")
        .unwrap();
    assert_eq!(lines[heading].kind, LineKind::Content);
    let fair_line = lines
        .iter()
        .find(|l| l.texts[5] == "Gian hàng hội chợ của mô hình")
        .unwrap();
    assert_eq!(fair_line.money[0], Some(20_000_000));
    assert!(
        fair_line.texts[6].starts_with("Thuộc đề án"),
        "{:?}",
        fair_line.texts
    );
    assert_eq!(fair_line.texts[7], "20/09/2027");
    let total = lines
        .iter()
        .find(|l| l.texts[1] == "Cộng hoạt động của Trung tâm")
        .unwrap();
    assert_eq!(total.money, [Some(45_000_000), None, None, None]);
    let last = lines.last().unwrap();
    assert_eq!(last.texts[1], "Tổng kinh phí kế hoạch");
    assert_eq!(last.money[0], Some(2_095_000_000));
}

#[test]
fn a_province_drafted_dean_for_a_facility_stays_the_facilitys_and_drafts_come_in_when_asked() {
    let f = fixture();
    let mut s = open(&f);
    as_role(&mut s, "Trung tâm Khuyến công Hà Nội", "province", "01");
    let p = common::proposals::add(
        &mut s,
        &f.c,
        "KC03",
        "KCDP",
        ["200.000.000", "60.000.000", "140.000.000", ""],
    );
    let plan = s.annual_plan(2027, true).unwrap();
    // The centre writes many đề án for facilities: the facility still carries it out.
    let kc03 = plan.groups.iter().find(|g| g.category == "KC03").unwrap();
    let unit_of = |id: &str| {
        kc03.units
            .iter()
            .find(|u| u.items.iter().any(|i| i.id == id))
            .map(|u| u.unit)
    };
    assert_eq!(unit_of(&p.id), Some(UnitKind::Facility));
    // With drafts, KC01 (the commune's draft) comes first, under the facilities.
    assert_eq!(plan.groups[0].category, "KC01");
    assert_eq!(plan.groups[0].units[0].unit, UnitKind::Facility);
    assert_eq!(plan.groups[0].units[0].items[0].id, f.draft);
}

#[test]
fn the_20_june_date_is_counted_down_on_the_apps_clock() {
    // The plan for 2027 goes upward by 20/06/2026.
    assert_eq!(deadline(2027), d(2026, 6, 20));
    assert_eq!(days_left(2027, d(2026, 6, 10)), 10);
    assert_eq!(days_left(2027, d(2026, 6, 21)), -1);

    let f = fixture();
    let s = open(&f);
    assert_eq!(
        deadline_text(Lang::Vi, 2027, s.today()),
        "Hạn gửi kế hoạch năm 2027: 20/06/2026 — còn 10 ngày"
    );
    f.clock.set(vn(2026, 6, 20, 23));
    assert_eq!(
        deadline_text(Lang::Vi, 2027, s.today()),
        "Hạn gửi kế hoạch năm 2027: 20/06/2026 — hôm nay là hạn cuối"
    );
    // 21/06 at 01:00 in Vietnam is still 20/06 in UTC: the collaborator's day counts.
    f.clock.set(vn(2026, 6, 21, 1));
    assert_eq!(
        deadline_text(Lang::Vi, 2027, s.today()),
        "Hạn gửi kế hoạch năm 2027: 20/06/2026 — đã quá hạn 1 ngày"
    );
    assert_eq!(
        deadline_text(Lang::En, 2027, s.today()),
        "The 2027 plan was due by 20/06/2026: 1 day(s) ago"
    );
}

#[test]
fn what_is_still_undecided_is_counted_by_status() {
    let f = fixture();
    let s = open(&f);
    let plan = s.annual_plan(2027, false).unwrap();
    assert_eq!(
        plan.pending,
        vec![(S::Nhap, 1), (S::DeXuat, 2), (S::DaGuiTinh, 1)]
    );
    assert_eq!(plan.pending_count(), 4);
    assert!(plan.area_review);
    let (head, parts) = pending_lines(Lang::Vi, &plan);
    assert_eq!(head, "Còn 4 đề xuất năm 2027 chưa xử lý xong");
    assert_eq!(
        parts,
        vec![
            "Nháp, chưa gửi: 1",
            "Đã đề xuất, chưa rà soát: 2",
            "Đã gửi tỉnh, chưa quyết định: 1"
        ]
    );
    // Without an area review, a proposed đề án waits to be sent, not reviewed.
    let mut s = open(&f);
    s.set_setting("area_review", "no").unwrap();
    let plan = s.annual_plan(2027, false).unwrap();
    assert_eq!(
        pending_lines(Lang::Vi, &plan).1[1],
        "Đã đề xuất, chưa gửi tỉnh: 2"
    );
    // Another year: nothing undecided.
    let other = s.annual_plan(2028, false).unwrap();
    assert_eq!(
        pending_lines(Lang::Vi, &other).0,
        "Mọi đề xuất năm 2028 đã được quyết định."
    );
}

#[test]
fn ctv_plan_prints_the_date_and_the_undecided_under_the_table() {
    let f = fixture();
    let run = |now: &str| {
        let out = std::process::Command::new(common::ctv_bin())
            .args(["plan", "--year", "2027"])
            .env("CTV_DB", &f.db)
            .env("CTV_NOW", now)
            .env_remove("CTV_LANG")
            .env("HOME", f.dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let out = run("2026-06-10T03:00:00Z");
    assert!(out.contains("Trung tâm Khuyến công thực hiện"), "{out}");
    assert!(out.contains("Nhóm 2 cơ sở"), "{out}");
    assert!(out.contains("Hoạt động của Trung tâm"), "{out}");
    assert!(
        out.contains("Hạn gửi kế hoạch năm 2027: 20/06/2026 — còn 10 ngày"),
        "{out}"
    );
    assert!(
        out.contains("Còn 4 đề xuất năm 2027 chưa xử lý xong:"),
        "{out}"
    );
    assert!(out.contains("  - Đã đề xuất, chưa rà soát: 2"), "{out}");
    let out = run("2026-06-21T03:00:00Z");
    assert!(out.contains("đã quá hạn 1 ngày"), "{out}");
    // JSON carries the grouping.
    let out = std::process::Command::new(common::ctv_bin())
        .args(["plan", "--year", "2027", "--format", "json"])
        .env("CTV_DB", &f.db)
        .env("HOME", f.dir.path())
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["groups"][0]["units"][0]["unit"], "centre");
    assert_eq!(v["activities_cost"], 45_000_000);
}

#[test]
fn the_workbook_carries_the_date_and_the_undecided_under_the_table_and_csv_stays_lines_only() {
    use calamine::{open_workbook, Data, Reader, Xlsx};
    let f = fixture();
    let ctv = |args: &[&str]| {
        let out = std::process::Command::new(common::ctv_bin())
            .args(["plan", "--year", "2027"])
            .args(args)
            .env("CTV_DB", &f.db)
            .env("CTV_NOW", "2026-06-10T03:00:00Z")
            .env_remove("CTV_LANG")
            .env("HOME", f.dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let path = f.dir.path().join("kh2027.xlsx");
    ctv(&["--format", "xlsx", "--out", path.to_str().unwrap()]);
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    let name = wb.sheet_names()[0].clone();
    assert_eq!(name, "Kế hoạch 2027");
    let rows: Vec<Vec<Data>> = wb
        .worksheet_range(&name)
        .unwrap()
        .rows()
        .map(|r| r.to_vec())
        .collect();
    let text = |d: &Data| match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    };
    let money = |d: &Data| match d {
        Data::Float(x) => Some(*x as i64),
        Data::Int(x) => Some(*x),
        Data::Empty => None,
        other => panic!("not money: {other:?}"),
    };

    // The table unchanged: the header, then one row per plan line with the same amounts.
    let s = open(&f);
    let plan = s.annual_plan(2027, false).unwrap();
    let lines = plan_lines(Lang::Vi, &plan);
    assert_eq!(text(&rows[0][1]), "Cơ sở / đơn vị");
    for (i, line) in lines.iter().enumerate() {
        let row = &rows[i + 1];
        let got: Vec<Option<i64>> = row[6..10].iter().map(money).collect();
        assert_eq!(got, line.money, "row {} ({:?})", i + 1, line.texts);
    }
    let last = &rows[lines.len()];
    assert_eq!(text(&last[1]), "Tổng kinh phí kế hoạch");
    assert_eq!(money(&last[6]), Some(2_050_000_000 + 45_000_000));

    // A blank row, then the date and the undecided đề án by status (the list one column in).
    let notes: Vec<Vec<String>> = rows[lines.len() + 1..]
        .iter()
        .map(|r| r[..2].iter().map(text).collect::<Vec<_>>())
        .collect();
    assert_eq!(
        notes,
        vec![
            vec![String::new(), String::new()],
            vec![
                "Hạn gửi kế hoạch năm 2027: 20/06/2026 — còn 10 ngày".to_string(),
                String::new()
            ],
            vec![
                "Còn 4 đề xuất năm 2027 chưa xử lý xong:".to_string(),
                String::new()
            ],
            vec![String::new(), "Nháp, chưa gửi: 1".to_string()],
            vec![String::new(), "Đã đề xuất, chưa rà soát: 2".to_string()],
            vec![String::new(), "Đã gửi tỉnh, chưa quyết định: 1".to_string()],
        ]
    );
    // Nothing else in the sheet below the table but those texts.
    assert!(rows[lines.len() + 1..]
        .iter()
        .all(|r| r[2..].iter().all(|d| *d == Data::Empty)));

    // CSV stays machine-readable: the header and the lines, no notes under them.
    let csv = String::from_utf8(ctv(&["--format", "csv"])).unwrap();
    assert_eq!(csv.lines().count(), lines.len() + 1, "{csv}");
    assert!(!csv.contains("Hạn gửi"), "{csv}");
    assert!(!csv.contains("chưa xử lý xong"), "{csv}");

    // JSON: the undecided by status, the due date and the days left as fields.
    let v: serde_json::Value = serde_json::from_slice(&ctv(&["--format", "json"])).unwrap();
    assert_eq!(v["deadline"], "2026-06-20");
    assert_eq!(v["days_left"], 10);
    assert_eq!(
        v["pending"],
        serde_json::json!([["NHAP", 1], ["DE_XUAT", 2], ["DA_GUI_TINH", 1]])
    );
    assert_eq!(v["total"]["total_cost"], 2_050_000_000_i64);
}
