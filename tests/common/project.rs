//! A file database with đề án at every stage, for the page, F5 and `ctv project show`.
//!
//! The proposals are made through the store; the province's data (statuses, approval,
//! adjustments, visits, acceptance, payments, results) are written by SQL, because the write
//! API for them is being built at the same time (switch these to `Store` calls once it is
//! there). "Today" is 25/11/2026 (`TODAY`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ctv::clock::FixedClock;
use ctv::store::Store;
use rusqlite::{params, Connection};

use super::proposals::{add, as_role, facility, vn};

/// `CTV_NOW` for the command line: 25/11/2026 10:00 in Vietnam.
pub const TODAY: &str = "2026-11-25T03:00:00Z";

/// The đề án of the fixture, by what they show.
pub struct Projects {
    /// NHAP.
    pub draft: String,
    /// DE_XUAT.
    pub proposed: String,
    /// PHE_DUYET 250tr of 300tr asked, granted from KCĐP (asked KCQG), Đợt 1.
    pub approved: String,
    /// Under way, Đợt 1: 200tr approved then adjusted to 180tr and its end from 31/10/2026 to
    /// 31/03/2027; two visits (40 %, then 100 %); 150tr paid. Awaiting acceptance, not overdue.
    pub under_way: String,
    /// Under way, Đợt 2, planned end 01/11/2026 passed, last visit 60 %: overdue and awaiting.
    pub overdue: String,
    /// Accepted (đạt) at 190tr, results, 57tr paid (quyết toán); its end passed long ago.
    pub accepted: String,
    /// Stopped; its end passed.
    pub stopped: String,
    /// Under way and overdue, in commune 00008: outside the reader's scope.
    pub outside: String,
}

/// The store at `TODAY`, as the fixture's commune collaborator (00004, 00376).
pub fn open(db: &Path) -> Store {
    let clock = FixedClock::new(vn(2026, 11, 25, 10));
    let mut s = Store::open_with_clock(db, Arc::new(clock)).unwrap();
    as_role(&mut s, "Trần Thị Bình", "commune", "00004,00376");
    s
}

/// A status move: date, mover, from, to.
type Step<'a> = (&'a str, &'a str, &'a str, &'a str);

pub fn project_db() -> (tempfile::TempDir, PathBuf, Projects) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ctv.db");
    let clock = FixedClock::new(vn(2026, 1, 10, 9));
    let mut s = Store::open_with_clock(&db, Arc::new(clock)).unwrap();
    as_role(&mut s, "Trần Thị Bình", "commune", "00004,00376,00008");
    let phu_vinh = facility(&mut s, "HTX mây tre đan Phú Vinh", "00004", "30");
    let hoa_ban = facility(&mut s, "Cơ sở dệt thổ cẩm Hoa Ban", "00376", "12");
    let other = facility(&mut s, "Xưởng gỗ Đông Anh", "00008", "8");
    let mut ids = Vec::new();
    let rows: [(&str, &str, &str, [&str; 4]); 8] = [
        (
            &phu_vinh,
            "KC03",
            "KCQG",
            ["1.250.000.000", "375.000.000", "875.000.000", ""],
        ),
        (
            &phu_vinh,
            "KC05",
            "KCDP",
            ["400.000.000", "120.000.000", "280.000.000", ""],
        ),
        (
            &phu_vinh,
            "KC03",
            "KCQG",
            ["600.000.000", "300.000.000", "300.000.000", ""],
        ),
        (
            &hoa_ban,
            "KC03",
            "KCQG",
            ["500.000.000", "200.000.000", "300.000.000", ""],
        ),
        (
            &hoa_ban,
            "KC05",
            "KCDP",
            ["300.000.000", "100.000.000", "200.000.000", ""],
        ),
        (
            &phu_vinh,
            "KC01",
            "KCQG",
            ["200.000.000", "60.000.000", "140.000.000", ""],
        ),
        (
            &hoa_ban,
            "KC01",
            "KCDP",
            ["90.000.000", "30.000.000", "60.000.000", ""],
        ),
        (
            &other,
            "KC03",
            "KCQG",
            ["100.000.000", "50.000.000", "50.000.000", ""],
        ),
    ];
    for (fac, cat, fund, money) in rows {
        ids.push(add(&mut s, fac, cat, fund, money).id);
    }
    let me = s.profile().unwrap().id.clone();
    drop(s);
    let c = Connection::open(&db).unwrap();
    let p = Projects {
        draft: ids[0].clone(),
        proposed: ids[1].clone(),
        approved: ids[2].clone(),
        under_way: ids[3].clone(),
        overdue: ids[4].clone(),
        accepted: ids[5].clone(),
        stopped: ids[6].clone(),
        outside: ids[7].clone(),
    };
    c.execute(
        "UPDATE proposals SET title = 'Đầu tư máy dệt thổ cẩm', expected_jobs = 12,
            expected_products = 'Vải thổ cẩm khổ rộng', expected_capacity = '2.000 m/năm'
         WHERE id = ?1",
        [&p.under_way],
    )
    .unwrap();
    // Status moves, oldest first: (at, mover, from, to, decision_no, approved, decision date).
    let proposed = ("2026-01-20", "commune", "NHAP", "DE_XUAT");
    let sent = ("2026-02-01", "export", "DE_XUAT", "DA_GUI_TINH");
    let approve = ("2026-03-15", "decision", "DA_GUI_TINH", "PHE_DUYET");
    let start = ("2026-04-01", "decision", "PHE_DUYET", "DANG_THUC_HIEN");
    let moves: Vec<(&str, Vec<Step>)> = vec![
        (&p.proposed, vec![proposed]),
        (&p.approved, vec![proposed, sent, approve]),
        (&p.under_way, vec![proposed, sent, approve, start]),
        (&p.overdue, vec![proposed, sent, approve, start]),
        (
            &p.accepted,
            vec![
                proposed,
                sent,
                approve,
                start,
                ("2026-10-10", "decision", "DANG_THUC_HIEN", "HOAN_THANH"),
            ],
        ),
        (
            &p.stopped,
            vec![
                proposed,
                sent,
                approve,
                start,
                ("2026-05-05", "decision", "DANG_THUC_HIEN", "DUNG"),
            ],
        ),
        (&p.outside, vec![proposed, sent, approve, start]),
    ];
    for (id, steps) in &moves {
        for (date, mover, from, to) in steps {
            let decision = (*to == "PHE_DUYET").then_some("12/QĐ-SCT");
            let reason = if *to == "DUNG" {
                "Cơ sở ngừng sản xuất"
            } else {
                ""
            };
            c.execute(
                "INSERT INTO proposal_transitions (proposal_id, at, actor_id, actor_name, mover,
                    from_status, to_status, reason, decision_no, decision_date)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    id,
                    format!("{date}T02:00:00.000Z"),
                    me,
                    "Trần Thị Bình",
                    mover,
                    from,
                    to,
                    reason,
                    decision,
                    decision.map(|_| "2026-03-15"),
                ],
            )
            .unwrap();
            c.execute(
                "UPDATE proposals SET status = ?2 WHERE id = ?1",
                params![id, to],
            )
            .unwrap();
        }
    }
    // The approval: (id, approved, funding granted, batch, planned end, stop reason).
    let approvals = [
        (&p.approved, 250_000_000, "KCDP", "Đợt 1", "2026-12-31", ""),
        (&p.under_way, 200_000_000, "KCQG", "Đợt 1", "2026-10-31", ""),
        (&p.overdue, 100_000_000, "KCDP", "Đợt 2", "2026-11-01", ""),
        (&p.accepted, 60_000_000, "KCQG", "Đợt 1", "2026-09-30", ""),
        (
            &p.stopped,
            30_000_000,
            "KCDP",
            "Đợt 2",
            "2026-06-30",
            "Cơ sở ngừng sản xuất",
        ),
        (&p.outside, 50_000_000, "KCQG", "Đợt 1", "2026-08-31", ""),
    ];
    for (id, money, funding, batch, end, stop) in approvals {
        c.execute(
            "UPDATE proposals SET approved_support = ?2, approved_funding = ?3, batch = ?4,
                planned_end = ?5, stop_reason = ?6, decision_no = '12/QĐ-SCT',
                decision_date = '2026-03-15',
                start_date = CASE WHEN status = 'PHE_DUYET' THEN NULL ELSE '2026-04-01' END,
                implementing_unit = CASE WHEN status = 'PHE_DUYET' THEN ''
                    ELSE (SELECT name FROM facilities WHERE id = facility_id) END
             WHERE id = ?1",
            params![id, money, funding, batch, end, stop],
        )
        .unwrap();
    }
    c.execute(
        "UPDATE proposal_transitions SET approved_support =
            (SELECT approved_support FROM proposals p WHERE p.id = proposal_id)
         WHERE to_status = 'PHE_DUYET'",
        [],
    )
    .unwrap();
    let meta = |date: &str| (format!("{date}T03:00:00.000Z"), me.clone());
    let record = |sql: &str, id: &str, date: &str, rest: &[&dyn rusqlite::ToSql]| {
        let (at, by) = meta(date);
        let new_id = format!("{id}-{date}-{}", rest.len());
        let mut args: Vec<&dyn rusqlite::ToSql> = vec![&new_id, &id, &date, &at, &by];
        args.extend_from_slice(rest);
        c.execute(sql, args.as_slice()).unwrap();
    };
    let adjustment = "INSERT INTO project_adjustments (id, proposal_id, date, created_at,
            created_by, updated_at, updated_by, decision_no, new_support, new_end, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?4, ?5, ?6, ?7, ?8, ?9)";
    record(
        adjustment,
        &p.under_way,
        "2026-09-20",
        &[
            &"45/QĐ-SCT",
            &180_000_000i64,
            &"2027-03-31",
            &"Giá máy giảm; lắp đặt chậm do mưa lũ",
        ],
    );
    let visit = "INSERT INTO project_visits (id, proposal_id, date, created_at, created_by,
            updated_at, updated_by, visitor, checked, progress_pct, findings)
         VALUES (?1, ?2, ?3, ?4, ?5, ?4, ?5, ?6, ?7, ?8, ?9)";
    record(
        visit,
        &p.under_way,
        "2026-06-10",
        &[
            &"Trần Thị Bình",
            &"Tiến độ lắp đặt máy",
            &40i64,
            &"Đã nhận 2 trên 5 máy dệt",
        ],
    );
    record(
        visit,
        &p.under_way,
        "2026-11-20",
        &[
            &"Trần Thị Bình, Sở Công Thương",
            &"Vận hành thử",
            &100i64,
            &"Cả 5 máy chạy ổn định",
        ],
    );
    record(
        visit,
        &p.overdue,
        "2026-10-15",
        &[&"Trần Thị Bình", &"Tiến độ", &60i64, &"Chậm giao thiết bị"],
    );
    let payment = "INSERT INTO project_payments (id, proposal_id, date, created_at, created_by,
            updated_at, updated_by, kind, amount, doc_no)
         VALUES (?1, ?2, ?3, ?4, ?5, ?4, ?5, ?6, ?7, ?8)";
    record(
        payment,
        &p.under_way,
        "2026-04-15",
        &[&"TAM_UNG", &100_000_000i64, &"PC 01/2026"],
    );
    record(
        payment,
        &p.under_way,
        "2026-10-05",
        &[&"THANH_TOAN", &50_000_000i64, &"PC 17/2026"],
    );
    record(
        payment,
        &p.accepted,
        "2026-10-20",
        &[&"QUYET_TOAN", &57_000_000i64, &"PC 21/2026"],
    );
    record(
        "INSERT INTO project_acceptances (id, proposal_id, date, created_at, created_by,
            updated_at, updated_by, units, result, actual_total, actual_support,
            actual_counterpart, actual_other)
         VALUES (?1, ?2, ?3, ?4, ?5, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        &p.accepted,
        "2026-10-10",
        &[
            &"Sở Công Thương, UBND xã, cơ sở",
            &"DAT",
            &190_000_000i64,
            &57_000_000i64,
            &133_000_000i64,
            &0i64,
        ],
    );
    record(
        "INSERT INTO project_results (id, proposal_id, date, created_at, created_by,
            updated_at, updated_by, stage, jobs_created, workers_trained, revenue_before,
            revenue_after, products)
         VALUES (?1, ?2, ?3, ?4, ?5, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        &p.accepted,
        "2026-10-10",
        &[
            &"NGHIEM_THU",
            &5i64,
            &20i64,
            &800_000_000i64,
            &1_100_000_000i64,
            &"Bàn ghế mây xuất khẩu",
        ],
    );
    drop(c);
    (dir, db, p)
}
