//! The đề án page and F5's stage and batch filters in the terminal app, over the fixture of
//! `common/project.rs` (today 25/11/2026): keys, state, and snapshots at 60×18, 80×24 and
//! 200×50. Also `ctv project show` as text and JSON.

mod common;

use common::project::{open, project_db, TODAY};
use common::ui::{app_vi, ch, key, press, screen_text, screen_text_sized, type_str};
use ctv::store::Stage;
use ctv::ui::screens::{ProposalViewScreen, ProposalsScreen};
use ctv::ui::App;
use ratatui::crossterm::event::KeyCode;

fn list(a: &App) -> &ProposalsScreen {
    match a.top_screen().downcast_ref::<ProposalsScreen>() {
        Some(p) => p,
        None => panic!("expected F5, found {:?}", a.top_screen()),
    }
}

/// F5, stage "awaiting acceptance" by `t`, then batch "Đợt 1" by `d`.
fn filtered(a: &mut App) {
    press(a, &[key(KeyCode::F(5))]);
    assert_eq!(list(a).count(), 7);
    press(a, &[ch('t')]);
    type_str(a, "chờ nghiệm");
    press(a, &[key(KeyCode::Enter)]);
    assert_eq!(
        list(a).project_filter().stage,
        Some(Stage::AwaitingAcceptance)
    );
    assert_eq!(list(a).count(), 2);
    press(a, &[ch('d')]);
    type_str(a, "Đợt 1");
    press(a, &[key(KeyCode::Enter)]);
    assert_eq!(list(a).project_filter().batch.as_deref(), Some("Đợt 1"));
}

#[test]
fn f5_filters_by_stage_and_batch_with_approved_and_paid_totals() {
    let (_dir, db, p) = project_db();
    let mut a = app_vi(open(&db));
    filtered(&mut a);
    let l = list(&a);
    assert_eq!(l.count(), 1);
    assert_eq!(l.selected_id(), Some(p.under_way.as_str()));
    let t = l.totals().total;
    assert_eq!(
        (t.asked, t.approved, t.paid),
        (200_000_000, 180_000_000, 150_000_000)
    );
    let text = screen_text(&a);
    assert!(text.contains("Lọc: Chờ nghiệm thu · Đợt 1"), "{text}");
    assert!(
        text.contains("t Giai đoạn") && text.contains("d Đợt"),
        "{text}"
    );
    insta::assert_snapshot!("f5_awaiting_batch1_vi_80x24", text);
    // Clearing the filter shows them all again.
    press(&mut a, &[ch('f')]);
    type_str(&mut a, "bỏ lọc");
    press(&mut a, &[key(KeyCode::Enter)]);
    assert_eq!(list(&a).count(), 7);
}

#[test]
fn the_page_shows_money_outcome_and_timeline_at_three_sizes() {
    let (_dir, db, p) = project_db();
    let mut a = app_vi(open(&db));
    filtered(&mut a);
    press(&mut a, &[key(KeyCode::Enter)]);
    let v = match a.top_screen().downcast_ref::<ProposalViewScreen>() {
        Some(v) => v,
        None => panic!("expected the page, found {:?}", a.top_screen()),
    };
    assert_eq!(v.record().proposal.id, p.under_way);
    let text = screen_text(&a);
    for part in [
        "Đầu tư máy dệt thổ cẩm",
        "Đang thực hiện · Chờ nghiệm thu",
        "2027 · Đợt 1",
        "QĐ 12/QĐ-SCT ngày 15/03/2026",
        "01/04/2026 – 31/03/2027",
        "Phê duyệt 180.000.000 đ · đã chi 150.000.000 đ",
        "lại 30.000.000 đ",
        "12 → —",
    ] {
        assert!(text.contains(part), "{part} not in\n{text}");
    }
    // A đề án under way can no longer be changed: no cap note (issue 16).
    assert!(
        v.record().warnings.0.is_empty(),
        "{:?}",
        v.record().warnings
    );
    assert!(!text.contains("mức trần"), "{text}");
    insta::assert_snapshot!("page_under_way_vi_80x24", text);
    insta::assert_snapshot!("page_under_way_vi_60x18", screen_text_sized(&a, 60, 18));
    let wide = screen_text_sized(&a, 200, 50);
    // At 200×50 the timeline starts on the first page, oldest first, the records in between.
    let at = |s: &str| wide.find(s).unwrap_or_else(|| panic!("{s} not in\n{wide}"));
    assert!(at("10/01/2026 · Lập đề xuất") < at("15/04/2026 · Tạm ứng"));
    assert!(at("15/04/2026 · Tạm ứng") < at("10/06/2026 · Kiểm tra, giám sát"));
    assert!(at("10/06/2026 · Kiểm tra, giám sát") < at("20/09/2026 · Điều chỉnh"));
    insta::assert_snapshot!("page_under_way_vi_200x50", wide);
    // End: the latest entry, the 100 % visit, is on screen at 80×24 (drawn there first: the
    // page measures itself when drawn).
    screen_text(&a);
    press(&mut a, &[key(KeyCode::End)]);
    let text = screen_text(&a);
    assert!(text.contains("Tiến độ: 100 %"), "{text}");
    assert!(text.contains("Cả 5 máy chạy ổn định"), "{text}");
}

fn ctv_show(db: &std::path::Path, args: &[&str]) -> (i32, String) {
    let out = std::process::Command::new(common::ctv_bin())
        .args(["project", "show"])
        .args(args)
        .env("CTV_DB", db)
        .env("CTV_NOW", TODAY)
        .env_remove("CTV_LANG")
        .env("HOME", db.parent().unwrap())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn cli_show_prints_the_page_as_text_and_json() {
    let (_dir, db, p) = project_db();
    let short = &p.accepted[p.accepted.len() - 8..];
    let (code, text) = ctv_show(&db, &[short]);
    assert_eq!(code, 0, "{text}");
    let text = text.replace(&p.accepted, "<id>").replace(short, "<short>");
    insta::assert_snapshot!("cli_project_show_accepted_vi", text);
    let (code, json) = ctv_show(&db, &[&p.under_way, "--format", "json"]);
    assert_eq!(code, 0, "{json}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["money"]["approved"], 180_000_000);
    assert_eq!(v["money"]["paid"], 150_000_000);
    assert_eq!(v["money"]["remaining"], 30_000_000);
    assert_eq!(v["approval"]["batch"], "Đợt 1");
    assert_eq!(v["awaiting_acceptance"], true);
    let kinds: Vec<&str> = v["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "status",
            "status",
            "status",
            "status",
            "status",
            "payment",
            "visit",
            "adjustment",
            "payment",
            "visit"
        ]
    );
    // An unknown id: a clear message, exit 1.
    let (code, _) = ctv_show(&db, &["khongco"]);
    assert_eq!(code, 1);
}
