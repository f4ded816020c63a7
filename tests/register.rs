//! `ctv register`: one row per đề án with approval, money (adjusted approval, paid,
//! remaining), stage, acceptance and latest results; the xlsx read back with calamine equals
//! the register's rows and totals.

mod common;

use std::path::Path;
use std::sync::Arc;

use calamine::{Data, DataType, Reader};
use chrono::NaiveDate;
use common::ctv;
use common::proposals::{add, as_role, facility, vn};
use ctv::clock::FixedClock;
use ctv::store::Store;

/// The đề án's records after approval, written by SQL: the store has no API for them yet
/// (the "project" work adds it), so this helper stands in for the province's decisions,
/// adjustments, payments, acceptance and results.
fn sql_project_records(db: &Path, p1: &str) {
    let c = rusqlite::Connection::open(db).unwrap();
    let stamp = "'2027-01-01T00:00:00.000Z', 'test', '2027-01-01T00:00:00.000Z', 'test'";
    c.execute_batch(&format!(
        "UPDATE proposals SET status = 'DANG_THUC_HIEN', approved_support = 300000000,
            decision_no = '12/QĐ-SCT', decision_date = '2027-03-15', approved_funding = 'KCDP',
            batch = '1', start_date = '2027-04-01', planned_end = '2027-10-31'
         WHERE id = '{p1}';
         INSERT INTO project_adjustments (id, proposal_id, decision_no, date, new_support,
            new_end, reason, created_at, created_by, updated_at, updated_by)
         VALUES ('adj1', '{p1}', '30/QĐ-SCT', '2027-06-01', 320000000, '2027-12-31',
            'Tăng giá thiết bị', {stamp});
         INSERT INTO project_payments (id, proposal_id, date, amount, kind, doc_no,
            created_at, created_by, updated_at, updated_by)
         VALUES ('pay1', '{p1}', '2027-04-10', 100000000, 'TAM_UNG', 'UNC 1', {stamp}),
                ('pay2', '{p1}', '2027-12-25', 150000000, 'THANH_TOAN', 'UNC 2', {stamp});
         INSERT INTO project_acceptances (id, proposal_id, date, units, result, actual_total,
            actual_support, actual_counterpart, actual_other, created_at, created_by,
            updated_at, updated_by)
         VALUES ('acc1', '{p1}', '2027-12-20', 'Sở Công Thương, UBND xã, cơ sở', 'DAT',
            1250000000, 320000000, 930000000, 0, {stamp});
         INSERT INTO project_results (id, proposal_id, stage, date, jobs_created,
            workers_trained, created_at, created_by, updated_at, updated_by)
         VALUES ('res1', '{p1}', 'NGHIEM_THU', '2027-12-20', 5, 20, {stamp}),
                ('res2', '{p1}', 'DANH_GIA', '2028-12-20', 8, 25, {stamp});"
    ))
    .unwrap();
}

/// Days since Excel's epoch, the way a date cell holds it.
fn serial(y: i32, m: u32, d: u32) -> f64 {
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30).unwrap();
    (NaiveDate::from_ymd_opt(y, m, d).unwrap() - epoch).num_days() as f64
}

fn s(x: &str) -> Data {
    Data::String(x.into())
}

fn n(x: i64) -> Data {
    Data::Float(x as f64)
}

#[test]
fn the_register_lists_each_de_an_and_its_workbook_reads_back_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ctv.db");
    let clock = FixedClock::new(vn(2026, 11, 25, 10));
    let (p1, p2) = {
        let mut st = Store::open_with_clock(&db, Arc::new(clock)).unwrap();
        as_role(&mut st, "Trần Thị Bình", "commune", "00004,00376");
        let a = facility(&mut st, "HTX mây tre đan Phú Vinh", "00376", "60");
        let b = facility(&mut st, "Cơ sở mộc Ba Đình", "00004", "12");
        let p1 = add(
            &mut st,
            &a,
            "KC03",
            "KCDP",
            ["1,25 tỷ", "375 triệu", "875 triệu", "0"],
        );
        let p2 = add(
            &mut st,
            &b,
            "KC10",
            "KCDP",
            ["30 triệu", "12 triệu", "18 triệu", "0"],
        );
        let other = ctv::domain::proposal::ProposalInput {
            facility_id: b.clone(),
            plan_year: "2026".into(),
            category: "KC10".into(),
            funding: "KCQG".into(),
            title: "Năm khác".into(),
            total_cost: "100 triệu".into(),
            support: "50 triệu".into(),
            counterpart: "50 triệu".into(),
            ..Default::default()
        };
        st.add_proposal(&other).unwrap();
        // The province reads the register.
        as_role(&mut st, "Trung tâm Khuyến công Hà Nội", "province", "01");
        (p1.id, p2.id)
    };
    sql_project_records(&db, &p1);

    // JSON: the rows as the store reads them.
    let (code, out, err) = ctv(&db, &["register", "--year", "2027", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{out}");
    let r1 = &rows[0];
    assert_eq!(r1["id"], p1.as_str());
    assert_eq!(r1["asked_support"], 375_000_000);
    // The adjustment's amount and end, not the decision's.
    assert_eq!(r1["approved"], 320_000_000);
    assert_eq!(r1["planned_end"], "2027-12-31");
    assert_eq!(r1["paid"], 250_000_000);
    assert_eq!(r1["remaining"], 70_000_000);
    assert_eq!(r1["acceptance_result"], "DAT");
    // The latest results: the evaluation's.
    assert_eq!(
        (r1["jobs_created"].clone(), r1["workers_trained"].clone()),
        (8.into(), 25.into())
    );
    assert_eq!(rows[1]["id"], p2.as_str());
    assert_eq!(rows[1]["approved"], serde_json::Value::Null);
    assert_eq!(rows[1]["remaining"], serde_json::Value::Null);
    let t = &v["totals"];
    assert_eq!(t["count"], 2);
    assert_eq!(t["asked_support"], 387_000_000);
    assert_eq!(t["approved"], 320_000_000);
    assert_eq!(t["paid"], 250_000_000);
    assert_eq!(t["remaining"], 70_000_000);
    // Without a year: the 2026 proposal too.
    let (_, out, _) = ctv(&db, &["register", "--format", "json"]);
    let all: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(all["totals"]["count"], 3);

    // The table for people: VND and dd/mm/yyyy.
    let (_, out, _) = ctv(&db, &["register", "--year", "2027"]);
    for part in [
        "320.000.000 đ",
        "31/12/2027",
        "Đạt",
        "Tổng cộng (2 đề án)",
        "387.000.000 đ",
    ] {
        assert!(out.contains(part), "{part} not in {out}");
    }

    // The workbook: the same rows and totals, numbers as numbers, dates as dates.
    let xlsx = dir.path().join("so_de_an.xlsx");
    let (code, out, err) = ctv(
        &db,
        &[
            "register",
            "--year",
            "2027",
            "--format",
            "xlsx",
            "--out",
            xlsx.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("2 đề án"), "{out}");
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    let range = wb.worksheet_range("Sổ đề án").unwrap();
    let got: Vec<Vec<Data>> = range.rows().map(|r| r.to_vec()).collect();
    assert_eq!(got.len(), 4, "header, two đề án, totals");
    assert_eq!(got[0][8], s("KP đề nghị hỗ trợ"));
    assert_eq!(got[0][21], s("Lao động được đào tạo"));
    let date = |c: &Data| match c {
        Data::DateTime(d) => d.as_f64(),
        other => panic!("not a date: {other:?}"),
    };
    let r = &got[1];
    assert_eq!(r[0], n(1));
    assert_eq!(r[1], s(&p1[p1.len() - 8..]));
    assert_eq!(r[2], s("HTX mây tre đan Phú Vinh"));
    assert_eq!(r[4], n(2027));
    assert_eq!((r[5].clone(), r[6].clone()), (s("KC03"), s("KCĐP")));
    assert_eq!(r[8], n(375_000_000));
    assert_eq!(r[9], n(320_000_000));
    assert_eq!(r[10], s("12/QĐ-SCT"));
    assert_eq!(date(&r[11]), serial(2027, 3, 15));
    assert_eq!(r[12], s("1"));
    assert_eq!(r[13], s("Đang thực hiện"));
    assert_eq!(date(&r[14]), serial(2027, 4, 1));
    assert_eq!(date(&r[15]), serial(2027, 12, 31));
    assert_eq!(r[16], n(250_000_000));
    assert_eq!(r[17], n(70_000_000));
    assert_eq!(r[18], s("Đạt"));
    assert_eq!(date(&r[19]), serial(2027, 12, 20));
    assert_eq!((r[20].clone(), r[21].clone()), (n(8), n(25)));
    // Not approved: the money and dates after approval stay empty.
    let r = &got[2];
    assert_eq!(r[8], n(12_000_000));
    for c in [9, 11, 14, 15, 17, 19, 20, 21] {
        assert_eq!(r[c], Data::Empty, "column {c}");
    }
    assert_eq!(r[16], n(0));
    // The totals row equals the JSON totals (and the sum of the rows above it).
    let tot = &got[3];
    assert_eq!(tot[2], s("Tổng cộng (2 đề án)"));
    for (c, key) in [
        (8, "asked_support"),
        (9, "approved"),
        (16, "paid"),
        (17, "remaining"),
    ] {
        assert_eq!(tot[c], n(t[key].as_i64().unwrap()), "{key}");
        let sum: f64 = got[1..3].iter().map(|r| r[c].as_f64().unwrap_or(0.0)).sum();
        assert_eq!(tot[c], Data::Float(sum), "{key}");
    }
    assert_eq!((tot[20].clone(), tot[21].clone()), (n(8), n(25)));
}
