//! The plan screen (`K` from F5, or the palette): the year with ←/→, the 20 June date, what
//! is still undecided, the plan's lines by content and implementing unit, scrolling. Driven
//! by key events over the plan fixture (tests/common/plan.rs) at a fixed clock
//! (10/06/2026), with snapshots at 80×24 and 60×18.

mod common;

use common::plan::{fixture, open};
use common::ui::{app_vi, ch, key, press, screen_text, screen_text_sized, type_str};
use ctv::ui::screens::{PlanScreen, ProposalsScreen};
use ratatui::crossterm::event::KeyCode;

fn plan_screen(app: &ctv::ui::App) -> &PlanScreen {
    let top = app.top_screen();
    match top.downcast_ref::<PlanScreen>() {
        Some(p) => p,
        None => panic!("expected the plan screen, found {top:?}"),
    }
}

#[test]
fn k_on_f5_opens_next_years_plan_and_arrows_change_the_year() {
    let f = fixture();
    let mut app = app_vi(open(&f));
    press(&mut app, &[key(KeyCode::F(5))]);
    assert!(app.top_screen().is::<ProposalsScreen>());
    press(&mut app, &[ch('K')]);
    let p = plan_screen(&app);
    assert_eq!(p.year(), 2027);
    assert_eq!(p.plan().unwrap().total.count, 3);
    let text = screen_text(&app);
    assert!(text.contains("còn 10 ngày"), "{text}");
    assert!(text.contains("Còn 4 đề xuất năm 2027"), "{text}");
    assert!(text.contains("Trung tâm Khuyến công thực hiện"), "{text}");
    assert!(text.contains("1.250.000.000 đ"), "{text}");
    insta::assert_snapshot!("plan_vi_80x24", text);
    insta::assert_snapshot!("plan_vi_60x18", screen_text_sized(&app, 60, 18));

    // Scrolling reaches the activities and the plan's total.
    press(&mut app, &[key(KeyCode::End)]);
    let text = screen_text(&app);
    assert!(text.contains("Tổng kinh phí kế hoạch"), "{text}");
    assert!(text.contains("2.095.000.000 đ"), "{text}");
    insta::assert_snapshot!("plan_end_vi_80x24", text);

    // ←: 2026 has nothing (and its date has passed); →→: 2028.
    press(&mut app, &[key(KeyCode::Left)]);
    assert_eq!(plan_screen(&app).year(), 2026);
    let text = screen_text(&app);
    assert!(
        text.contains("Chưa có đề án hay hoạt động nào cho năm 2026."),
        "{text}"
    );
    assert!(text.contains("đã quá hạn 355 ngày"), "{text}");
    press(&mut app, &[key(KeyCode::Right), key(KeyCode::Right)]);
    assert_eq!(plan_screen(&app).year(), 2028);
    // Esc goes back.
    press(&mut app, &[key(KeyCode::Esc)]);
    assert!(!app.top_screen().is::<PlanScreen>());
}

#[test]
fn the_palette_opens_the_plan_and_titles_are_sanitised() {
    let f = fixture();
    // By SQL on purpose: the store API cleans an escape sequence out of a title where it
    // enters, so only a row written some other way (an older file, a hand edit) still holds
    // one — the case the screen must sanitise.
    let c = common::sql(&f.db);
    c.execute(
        "UPDATE proposals SET title = 'Mô hình\u{1b}[31m đỏ' WHERE id = ?1",
        [&f.centre],
    )
    .unwrap();
    let mut app = app_vi(open(&f));
    press(&mut app, &[ch(':')]);
    type_str(&mut app, "ke hoach nam");
    press(&mut app, &[key(KeyCode::Enter)]);
    assert_eq!(plan_screen(&app).year(), 2027);
    let text = screen_text_sized(&app, 200, 50);
    assert!(!text.contains('\u{1b}'), "{text}");
    assert!(text.contains("Mô hình"), "{text}");
    // The wide screen shows every amount and the source.
    assert!(text.contains("Vốn đối ứng"), "{text}");
    assert!(text.contains("KCQG"), "{text}");
}
