//! The facility form and the first-run setup, driven by key events without a terminal, plus
//! 80×24 snapshots in Vietnamese.
//!
//! The form is driven through the whole [`App`] (list → `n` → form, pickers and dialogs as
//! the app runs them). The setup wizard is driven through a small harness that routes keys
//! the way the app does (text field first, then the keymap, pickers as overlays), because
//! the app does not open on the wizard yet.

use std::sync::Arc;

use ctv::clock::FixedClock;
use ctv::domain::facility::FacilityField;
use ctv::domain::{FacilityInput, ProfileInput, Role};
use ctv::store::{FacilityFilter, FacilitySort, Store};
use ctv::ui::keymap::{Action, Context, Keymap};
use ctv::ui::screens::form::FormScreen;
use ctv::ui::screens::setup::{SetupScreen, SetupStep};
use ctv::ui::screens::{DetailScreen, Env, ListScreen, PickPurpose, Screen, ScreenCmd};
use ctv::ui::theme::Theme;
use ctv::ui::widgets::bars::{render_footer, render_header};
use ctv::ui::widgets::picker::PickerOutcome;
use ctv::ui::widgets::Picker;
use ctv::ui::{App, AppContext, OverlayKind};
use ctv::words::Lang;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Constraint, Layout};
use ratatui::Terminal;

mod common;
use common::ui::{ch, ctrl, key, press, screen_text, type_str};

// ------------------------------------------------------------------------------------------
// helpers

fn store() -> Store {
    let clock = FixedClock::new(
        chrono::DateTime::parse_from_rfc3339("2025-09-01T08:00:00Z")
            .expect("time")
            .with_timezone(&chrono::Utc),
    );
    Store::open_in_memory(Arc::new(clock)).expect("in-memory store")
}

/// A store worked by `role` over `units` (comma-separated codes).
fn store_as(role: &str, units: &str) -> Store {
    let mut s = store();
    s.init_profile(
        &ProfileInput {
            name: "Nguyễn Thị Hoa".into(),
            role: role.into(),
            units: units.into(),
            account: None,
        },
        false,
    )
    .expect("profile");
    s
}

fn app_with(store: Store) -> App {
    App::new(
        AppContext {
            lang: Lang::Vi,
            theme: Theme::mono(),
            keymap: Keymap::default(),
            who: "Nguyễn Thị Hoa · Cộng tác viên · Phường Tân Bình".to_string(),
            db_label: "/home/hoa/.local/share/ctv/ctv.db".to_string(),
        },
        store,
    )
}

/// Phường Tân Bình, TP Hồ Chí Minh: a commune collaborator's one commune (prefilled).
const TAN_BINH: &str = "27004";

fn tab() -> KeyEvent {
    key(KeyCode::Tab)
}

fn backtab() -> KeyEvent {
    KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)
}

fn form(app: &App) -> &FormScreen {
    let other = app.top_screen();
    match other.downcast_ref::<FormScreen>() {
        Some(f) => f,
        None => panic!("expected the form, got {other:?}"),
    }
}

/// From the list, open a blank form.
fn open_new_form(app: &mut App) {
    press(app, &[ch('n')]);
    assert!(app.top_screen().is::<FormScreen>(), "n opens the form");
}

/// Move the form's focus to `field` with Tab (past every field and the register's village).
fn focus(app: &mut App, field: FacilityField) {
    for _ in 0..=FacilityField::ALL.len() {
        if form(app).focused_field() == field {
            return;
        }
        press(app, &[tab()]);
    }
    panic!("cannot reach {field:?}");
}

fn count(app: &App) -> usize {
    app.store()
        .count_facilities(&FacilityFilter::default())
        .expect("count")
}

fn cursor(app: &App) -> (u16, u16) {
    let mut term = Terminal::new(TestBackend::new(80, 24)).expect("test backend");
    term.draw(|f| app.render(f)).expect("draw");
    let p = term.get_cursor_position().expect("cursor");
    (p.x, p.y)
}

fn ime_backspace() -> KeyEvent {
    // Byte 0x08 as crossterm reports it.
    ctrl('h')
}

// ------------------------------------------------------------------------------------------
// the form

#[test]
fn tab_and_shift_tab_move_between_fields() {
    let mut app = app_with(store_as("commune", TAN_BINH));
    open_new_form(&mut app);
    assert_eq!(form(&app).focused_field(), FacilityField::Name);
    press(&mut app, &[tab()]);
    assert_eq!(form(&app).focused_field(), FacilityField::EntityType);
    press(&mut app, &[tab(), tab()]);
    assert_eq!(form(&app).focused_field(), FacilityField::Representative);
    press(&mut app, &[backtab()]);
    assert_eq!(form(&app).focused_field(), FacilityField::TaxCode);
    // ↓/↑ do the same; Shift+Tab from the first field wraps to the last.
    press(&mut app, &[key(KeyCode::Up), key(KeyCode::Up), backtab()]);
    assert_eq!(form(&app).focused_field(), FacilityField::Notes);
    press(&mut app, &[key(KeyCode::Down)]);
    assert_eq!(form(&app).focused_field(), FacilityField::Name);
    // Every field, in form order, the register's village after the free-text one.
    let mut seen = vec![form(&app).focused_key()];
    for _ in 0..FacilityField::ALL.len() {
        press(&mut app, &[tab()]);
        seen.push(form(&app).focused_key());
    }
    let mut expected: Vec<&str> = FacilityField::ALL.iter().map(|f| f.key()).collect();
    let at = expected.iter().position(|k| *k == "craft_village").unwrap() + 1;
    expected.insert(at, "village_id");
    assert_eq!(seen, expected);
}

#[test]
fn ime_replay_with_ctrl_h_types_viet_and_the_cursor_follows() {
    let mut app = app_with(store_as("commune", TAN_BINH));
    open_new_form(&mut app);
    let bs = ime_backspace();
    press(
        &mut app,
        &[
            ch('v'),
            ch('i'),
            ch('e'),
            bs,
            ch('ê'),
            ch('t'),
            bs,
            bs,
            ch('ệ'),
            ch('t'),
        ],
    );
    assert_eq!(form(&app).value(FacilityField::Name), "việt");
    // Nothing else happened: no overlay, no screen change (Ctrl+H runs no command).
    assert_eq!(app.overlay(), None);
    assert_eq!(app.screen_depth(), 2);
    // The real cursor sits after "việt" (4 cells) in the value column.
    let text = screen_text(&app);
    let row = text.lines().nth(2).expect("row");
    assert!(row.contains("│› Tên cơ sở *            việt "), "{row}");
    // The value column starts at x = 26 (border, marker, space, 22-cell label, space).
    assert_eq!(cursor(&app), (26 + 4, 2), "{text}");
    // ← moves by grapheme: the cursor is then before "t".
    press(&mut app, &[key(KeyCode::Left)]);
    assert_eq!(cursor(&app), (26 + 3, 2));
    // Pasted decomposed text arrives as NFC.
    app.handle_paste("Vie\u{0323}\u{0302}t");
    assert_eq!(form(&app).value(FacilityField::Name), "việViệtt");
}

#[test]
fn invalid_phone_shows_the_message_beside_the_field_and_nothing_is_saved() {
    let mut app = app_with(store_as("commune", TAN_BINH));
    open_new_form(&mut app);
    type_str(&mut app, "Cơ sở mây tre đan Phú Vinh");
    focus(&mut app, FacilityField::Phone);
    type_str(&mut app, "12345");
    press(&mut app, &[tab()]);
    let msgs = form(&app).messages(FacilityField::Phone, Lang::Vi);
    assert_eq!(msgs.len(), 1, "{msgs:?}");
    assert!(
        msgs[0].1.starts_with("Số điện thoại không hợp lệ"),
        "{msgs:?}"
    );
    let text = screen_text(&app);
    assert!(text.contains("Lỗi: Số điện thoại không hợp lệ"), "{text}");
    // Fields not visited yet say nothing.
    assert!(form(&app)
        .messages(FacilityField::FoundedYear, Lang::Vi)
        .is_empty());
    // Ctrl+S: nothing saved, the phone (first invalid field) is focused, the form stays.
    focus(&mut app, FacilityField::Notes);
    press(&mut app, &[ctrl('s')]);
    assert_eq!(count(&app), 0);
    assert!(app.top_screen().is::<FormScreen>());
    assert_eq!(form(&app).focused_field(), FacilityField::Phone);
    assert!(
        app.toast().is_some_and(|t| t.contains("1 lỗi")),
        "{:?}",
        app.toast()
    );
    assert_eq!(form(&app).value(FacilityField::Phone), "12345");
}

#[test]
fn a_valid_form_saves_and_logs_the_creation() {
    let mut app = app_with(store_as("commune", TAN_BINH));
    let changes_before = app.store().change_count().expect("count");
    open_new_form(&mut app);
    // The collaborator's only commune is filled in.
    assert_eq!(form(&app).value(FacilityField::CommuneCode), TAN_BINH);
    type_str(&mut app, "Cơ sở mây tre đan Phú Vinh");
    focus(&mut app, FacilityField::Phone);
    type_str(&mut app, "0912 345 678");
    focus(&mut app, FacilityField::Workers);
    type_str(&mut app, "12");
    focus(&mut app, FacilityField::WomanOwned);
    press(&mut app, &[ch(' ')]);
    assert_eq!(form(&app).value(FacilityField::WomanOwned), "1");
    focus(&mut app, FacilityField::Notes);
    type_str(&mut app, "Dòng một");
    press(&mut app, &[key(KeyCode::Enter)]);
    type_str(&mut app, "Dòng hai");
    assert_eq!(form(&app).value(FacilityField::Notes), "Dòng một\nDòng hai");
    assert!(form(&app).has_unsaved_changes());
    press(&mut app, &[ctrl('s')]);
    // Saved and back on the list, with no "discard?" question.
    assert_eq!(count(&app), 1);
    assert_eq!(app.screen_depth(), 1, "the form pops after a save");
    assert_eq!(app.overlay(), None);
    let f = app
        .store()
        .list_facilities(&FacilityFilter::default(), FacilitySort::Name, false, 0, 10)
        .expect("list")
        .remove(0);
    assert_eq!(f.data.name, "Cơ sở mây tre đan Phú Vinh");
    assert_eq!(f.data.phone.as_deref(), Some("0912345678"));
    assert_eq!(f.data.workers, Some(12));
    assert!(f.data.woman_owned);
    assert_eq!(f.data.notes, "Dòng một\nDòng hai");
    let history = app.store().history("facility", &f.id).expect("history");
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].action, "create");
    assert_eq!(
        app.store().change_count().expect("count"),
        changes_before + 1
    );
}

#[test]
fn tax_check_digit_warning_is_shown_and_does_not_block() {
    let mut app = app_with(store_as("commune", TAN_BINH));
    open_new_form(&mut app);
    type_str(&mut app, "HTX Gốm Bát Tràng");
    focus(&mut app, FacilityField::TaxCode);
    type_str(&mut app, "0100233487");
    press(&mut app, &[tab()]);
    let msgs = form(&app).messages(FacilityField::TaxCode, Lang::Vi);
    assert_eq!(msgs.len(), 1, "{msgs:?}");
    assert_eq!(msgs[0].0, ctv::domain::issue::Severity::Warning);
    assert!(screen_text(&app).contains("Lưu ý: Chữ số kiểm tra không khớp (có thể gõ nhầm)"));
    press(&mut app, &[ctrl('s')]);
    assert_eq!(count(&app), 1, "a warning does not stop the save");
}

#[test]
fn commune_is_picked_by_typing_without_diacritics() {
    let mut app = app_with(store_as("province", "79"));
    open_new_form(&mut app);
    focus(&mut app, FacilityField::CommuneCode);
    assert_eq!(form(&app).value(FacilityField::CommuneCode), "");
    press(&mut app, &[key(KeyCode::Enter)]);
    assert_eq!(app.overlay(), Some(OverlayKind::Picker));
    let all = app.picker().expect("picker").match_count();
    assert!(all > 100, "a province officer's scope: {all}");
    type_str(&mut app, "tan binh");
    let picker = app.picker().expect("picker");
    // 2025 communes; the pre-2025 communes split across several of them come after in
    // their own words (issue 16).
    let new = picker
        .matches()
        .filter(|i| !i.label.contains("trước 2025"))
        .count();
    assert!(new < 10, "{new}");
    // Among the first few (the picker ranks "Bình Tân" alike: both words match).
    let pos = picker
        .matches()
        .position(|i| i.code == TAN_BINH)
        .expect("Tân Bình matches");
    assert!(pos < 3, "{pos}");
    let item = picker.matches().nth(pos).expect("item");
    assert_eq!(item.label, "Phường Tân Bình (27004) — TP Hồ Chí Minh");
    for _ in 0..pos {
        press(&mut app, &[key(KeyCode::Down)]);
    }
    press(&mut app, &[key(KeyCode::Enter)]);
    assert_eq!(app.overlay(), None);
    assert_eq!(form(&app).value(FacilityField::CommuneCode), TAN_BINH);
    // Issue 16: Enter in the picker chooses and stays on the field (it also moved on, so the
    // Tab after it skipped a field); Tab goes on.
    assert_eq!(form(&app).focused_field(), FacilityField::CommuneCode);
    press(&mut app, &[tab()]);
    assert_eq!(form(&app).focused_field(), FacilityField::TradeGroup);
    assert!(screen_text(&app).contains("Phường Tân Bình (27004) — TP Hồ Chí Minh"));
}

/// Field trial (issue 16): a clerk who knows only the pre-2025 commune types its name; where it
/// was split (Phường Cống Vị → Ngọc Hà and Giảng Võ), the picker offers each 2025 commune it
/// went into, under the old name, and the choice sets the 2025 code.
#[test]
fn a_split_pre_2025_commune_offers_its_2025_communes() {
    let mut app = app_with(store_as("province", "01"));
    open_new_form(&mut app);
    focus(&mut app, FacilityField::CommuneCode);
    press(&mut app, &[key(KeyCode::Enter)]);
    type_str(&mut app, "cong vi");
    let picker = app.picker().expect("picker");
    let offered: Vec<(String, String)> = picker
        .matches()
        .filter(|i| i.label.contains("Cống Vị"))
        .map(|i| (i.code.clone(), i.hint.clone()))
        .collect();
    assert_eq!(
        offered,
        [
            ("00008".to_string(), "→ Ngọc Hà".to_string()),
            ("00025".to_string(), "→ Giảng Võ".to_string()),
        ]
    );
    let label = &picker.matches().next().expect("a match").label;
    assert_eq!(
        label,
        "Phường Cống Vị, Quận Ba Đình (00007) — trước 2025, nay chia cho 2 xã"
    );
    let pos = picker
        .matches()
        .position(|i| i.code == "00025" && i.label.contains("Cống Vị"))
        .expect("Giảng Võ offered");
    for _ in 0..pos {
        press(&mut app, &[key(KeyCode::Down)]);
    }
    press(&mut app, &[key(KeyCode::Enter)]);
    assert_eq!(app.overlay(), None);
    assert_eq!(form(&app).value(FacilityField::CommuneCode), "00025");
    assert!(screen_text(&app).contains("Phường Giảng Võ (00025)"));
}

#[test]
fn code_lists_status_and_flags_are_chosen_not_typed() {
    let mut app = app_with(store_as("commune", TAN_BINH));
    open_new_form(&mut app);
    focus(&mut app, FacilityField::EntityType);
    // Letters do not type into a choice field.
    type_str(&mut app, "xyz");
    assert_eq!(form(&app).value(FacilityField::EntityType), "");
    press(&mut app, &[key(KeyCode::Enter)]);
    type_str(&mut app, "hop tac xa");
    press(&mut app, &[key(KeyCode::Enter)]);
    assert_eq!(form(&app).value(FacilityField::EntityType), "HTX");
    // Backspace (or an input method's Ctrl+H) empties an optional choice. (Issue 16: the
    // pick no longer moves on, so no Shift+Tab back to the field first.)
    press(&mut app, &[ime_backspace()]);
    assert_eq!(form(&app).value(FacilityField::EntityType), "");
    focus(&mut app, FacilityField::Status);
    press(&mut app, &[key(KeyCode::Enter)]);
    type_str(&mut app, "tam ngung");
    press(&mut app, &[key(KeyCode::Enter)]);
    assert_eq!(form(&app).value(FacilityField::Status), "paused");
    focus(&mut app, FacilityField::Exports);
    press(&mut app, &[key(KeyCode::Enter)]);
    assert_eq!(form(&app).value(FacilityField::Exports), "1");
    press(&mut app, &[ch(' ')]);
    assert_eq!(form(&app).value(FacilityField::Exports), "");
}

fn with_existing_facility(phone: &str) -> App {
    let mut s = store_as("commune", TAN_BINH);
    s.create_facility(&FacilityInput {
        name: "Hợp tác xã Mây tre Phú Vinh".into(),
        phone: phone.into(),
        commune_code: TAN_BINH.into(),
        ..Default::default()
    })
    .expect("facility");
    app_with(s)
}

fn fill_same_phone(app: &mut App) {
    open_new_form(app);
    type_str(app, "Cơ sở đan lát Bà Năm");
    focus(app, FacilityField::Phone);
    type_str(app, "0912.345.678");
    press(app, &[ctrl('s')]);
}

#[test]
fn duplicate_dialog_lists_suspects_and_save_anyway_saves() {
    let mut app = with_existing_facility("0912345678");
    fill_same_phone(&mut app);
    assert_eq!(count(&app), 1, "nothing saved before the user decides");
    let suspects = form(&app).duplicate_suspects().expect("dialog").to_vec();
    assert_eq!(suspects.len(), 1);
    let text = screen_text(&app);
    assert!(text.contains("cùng số điện thoại 0912 345 678"), "{text}");
    // y: save anyway.
    press(&mut app, &[ch('y')]);
    assert_eq!(count(&app), 2);
    assert_eq!(app.screen_depth(), 1);
}

#[test]
fn duplicate_dialog_back_and_open_suspect_keep_the_form() {
    let mut app = with_existing_facility("0912345678");
    fill_same_phone(&mut app);
    // Esc: back to the form, nothing saved, everything typed still there.
    press(&mut app, &[key(KeyCode::Esc)]);
    assert!(form(&app).duplicate_suspects().is_none());
    assert_eq!(count(&app), 1);
    assert_eq!(
        form(&app).value(FacilityField::Name),
        "Cơ sở đan lát Bà Năm"
    );
    // Again, and Enter opens the highlighted suspect instead (on top of the form).
    press(&mut app, &[ctrl('s')]);
    assert!(form(&app).duplicate_suspects().is_some());
    press(&mut app, &[key(KeyCode::Enter)]);
    let other = app.top_screen();
    match other.downcast_ref::<DetailScreen>() {
        Some(d) => assert_eq!(d.facility().data.name, "Hợp tác xã Mây tre Phú Vinh"),
        None => panic!("expected the suspect's detail, got {other:?}"),
    }
    assert_eq!(count(&app), 1);
    press(&mut app, &[key(KeyCode::Esc)]);
    assert_eq!(
        form(&app).value(FacilityField::Name),
        "Cơ sở đan lát Bà Năm"
    );
    // Tab twice reaches "back to the form"; Enter there saves nothing.
    press(&mut app, &[ctrl('s'), tab(), tab(), key(KeyCode::Enter)]);
    assert!(form(&app).duplicate_suspects().is_none());
    assert_eq!(count(&app), 1);
    // Tab once reaches "save anyway".
    press(&mut app, &[ctrl('s'), tab(), key(KeyCode::Enter)]);
    assert_eq!(count(&app), 2);
}

#[test]
fn edit_with_a_stale_version_shows_the_conflict_and_keeps_the_text() {
    let mut app = with_existing_facility("0912345678");
    // From the list: e edits the selected facility.
    press(&mut app, &[ch('e')]);
    assert!(form(&app).is_edit());
    assert_eq!(
        form(&app).value(FacilityField::Name),
        "Hợp tác xã Mây tre Phú Vinh"
    );
    // Someone else saves the same record meanwhile.
    let f = app
        .store()
        .list_facilities(&FacilityFilter::default(), FacilitySort::Name, false, 0, 1)
        .expect("list")
        .remove(0);
    let mut other = FacilityInput::from_data(&f.data);
    other.workers = "30".into();
    app.store_mut()
        .update_facility(&f.id, f.meta.version, &other)
        .expect("other edit");
    // Our edit: a longer name, then save.
    press(&mut app, &[key(KeyCode::End)]);
    type_str(&mut app, " (cơ sở 2)");
    press(&mut app, &[ctrl('s')]);
    assert!(app.top_screen().is::<FormScreen>(), "the form stays");
    let banner = form(&app).banner().expect("a message").to_string();
    assert!(banner.contains("Người khác đã lưu bản ghi này"), "{banner}");
    assert!(banner.contains("vẫn còn nguyên"), "{banner}");
    assert!(form(&app).conflict().is_some(), "both versions are shown");
    assert_eq!(
        form(&app).value(FacilityField::Name),
        "Hợp tác xã Mây tre Phú Vinh (cơ sở 2)"
    );
    let text = screen_text(&app);
    assert!(text.contains("Người khác vừa sửa bản ghi này"), "{text}");
    // Nothing was overwritten.
    let now = app.store().facility(&f.id).expect("load").expect("exists");
    assert_eq!(now.data.name, "Hợp tác xã Mây tre Phú Vinh");
    assert_eq!(now.data.workers, Some(30));
    assert_eq!(now.meta.version, 2);
}

#[test]
fn an_edit_saves_with_its_version() {
    let mut app = with_existing_facility("0912345678");
    press(&mut app, &[ch('e')]);
    assert!(!form(&app).has_unsaved_changes());
    focus(&mut app, FacilityField::Workers);
    type_str(&mut app, "25");
    press(&mut app, &[ctrl('s')]);
    assert_eq!(app.screen_depth(), 1);
    let f = app
        .store()
        .list_facilities(&FacilityFilter::default(), FacilitySort::Name, false, 0, 1)
        .expect("list")
        .remove(0);
    assert_eq!(f.data.workers, Some(25));
    assert_eq!(f.meta.version, 2);
}

#[test]
fn editing_keeps_multi_line_notes() {
    let mut s = store_as("commune", TAN_BINH);
    s.create_facility(&FacilityInput {
        name: "Lò gạch Hưng Thịnh".into(),
        commune_code: TAN_BINH.into(),
        notes: "Dòng một\nDòng hai".into(),
        ..Default::default()
    })
    .expect("facility");
    let mut app = app_with(s);
    press(&mut app, &[ch('e')]);
    assert_eq!(form(&app).value(FacilityField::Notes), "Dòng một\nDòng hai");
    assert!(!form(&app).has_unsaved_changes());
    focus(&mut app, FacilityField::Notes);
    let text = screen_text(&app);
    let lines: Vec<&str> = text.lines().collect();
    let row = lines
        .iter()
        .position(|l| l.contains("Ghi chú") && l.contains("Dòng một"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(lines[row + 1].contains("Dòng hai"), "{text}");
    // The cursor is at the end of the notes (second line, after "Dòng hai").
    assert_eq!(cursor(&app), (26 + 8, row as u16 + 1));
    // ↑ moves inside the notes first, then leaves them for the field above.
    press(&mut app, &[key(KeyCode::Up)]);
    assert_eq!(form(&app).focused_field(), FacilityField::Notes);
    press(&mut app, &[key(KeyCode::Up)]);
    assert_eq!(form(&app).focused_field(), FacilityField::Status);
}

#[test]
fn esc_with_changes_asks_before_discarding() {
    let mut app = app_with(store_as("commune", TAN_BINH));
    // No changes: Esc leaves at once.
    open_new_form(&mut app);
    assert!(!form(&app).has_unsaved_changes());
    press(&mut app, &[key(KeyCode::Esc)]);
    assert_eq!(app.screen_depth(), 1);
    // Changes: Esc asks, default No keeps the form.
    open_new_form(&mut app);
    type_str(&mut app, "Lò rèn Phúc Sen");
    press(&mut app, &[key(KeyCode::Esc)]);
    assert_eq!(app.overlay(), Some(OverlayKind::Confirm));
    press(&mut app, &[key(KeyCode::Enter)]);
    assert_eq!(app.overlay(), None);
    assert_eq!(form(&app).value(FacilityField::Name), "Lò rèn Phúc Sen");
    // Yes discards.
    press(&mut app, &[key(KeyCode::Esc), ch('y')]);
    assert_eq!(app.screen_depth(), 1);
    assert_eq!(count(&app), 0);
}

#[test]
fn issue16_the_errors_message_goes_when_fixed_and_when_the_form_is_discarded() {
    // "Chưa lưu: còn 2 lỗi" stayed on screen after the errors were fixed, and after the
    // form was discarded.
    let mut app = app_with(store_as("commune", TAN_BINH));
    open_new_form(&mut app);
    focus(&mut app, FacilityField::Phone);
    type_str(&mut app, "12345");
    press(&mut app, &[ctrl('s')]);
    assert!(
        app.toast().is_some_and(|t| t.contains("2 lỗi")),
        "{:?}",
        app.toast()
    );
    // The save focused the name (first error): typing it and moving on fixes one error.
    assert_eq!(form(&app).focused_field(), FacilityField::Name);
    type_str(&mut app, "Lò rèn Phúc Sen");
    press(&mut app, &[tab()]);
    assert!(
        !app.toast().is_some_and(|t| t.contains("lỗi")),
        "a count that no longer holds is taken back: {:?}",
        app.toast()
    );
    press(&mut app, &[ctrl('s')]);
    assert!(
        app.toast().is_some_and(|t| t.contains("1 lỗi")),
        "{:?}",
        app.toast()
    );
    // Discarding the form takes its message with it.
    press(&mut app, &[key(KeyCode::Esc), ch('y')]);
    assert_eq!(app.screen_depth(), 1);
    assert_eq!(app.toast(), None);
    assert_eq!(count(&app), 0);
}

#[test]
fn issue16_a_new_facility_is_announced_and_selected_in_the_list() {
    let mut s = store_as("commune", TAN_BINH);
    for name in ["Cơ sở An Khang", "Cơ sở Bình Minh", "Cơ sở Cẩm Tú"] {
        s.create_facility(&FacilityInput {
            name: name.into(),
            commune_code: TAN_BINH.into(),
            ..Default::default()
        })
        .expect("facility");
    }
    let mut app = app_with(s);
    open_new_form(&mut app);
    type_str(&mut app, "Xưởng gốm Yên Thành");
    press(&mut app, &[ctrl('s')]);
    assert_eq!(app.screen_depth(), 1, "saved and back on the list");
    assert_eq!(count(&app), 4);
    assert!(
        app.toast()
            .is_some_and(|t| t.contains("Đã lưu") && t.contains("Xưởng gốm Yên Thành")),
        "{:?}",
        app.toast()
    );
    match app.top_screen().downcast_ref::<ListScreen>() {
        Some(l) => {
            assert_eq!(l.selected_name(), Some("Xưởng gốm Yên Thành"));
            assert_eq!(l.selected(), 3, "last by name");
        }
        None => panic!("expected the list, got {:?}", app.top_screen()),
    }
}

#[test]
fn a_narrow_screen_puts_labels_above_values_and_keeps_the_focus_in_view() {
    let mut app = app_with(store_as("commune", TAN_BINH));
    open_new_form(&mut app);
    type_str(&mut app, "Lò rèn Phúc Sen");
    focus(&mut app, FacilityField::Workers);
    type_str(&mut app, "12");
    let mut term = Terminal::new(TestBackend::new(36, 14)).expect("test backend");
    term.draw(|f| app.render(f)).expect("draw");
    let text = term.backend().to_string();
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("› Số lao động"))
        .unwrap_or_else(|| panic!("the focused label is in view:\n{text}"));
    assert!(lines[at + 1].contains("12"), "its value under it:\n{text}");
    // The cursor is in the value, on the row under the label.
    let p = term.get_cursor_position().expect("cursor");
    assert_eq!(usize::from(p.y), at + 1);
}

#[test]
fn printable_keys_type_text_instead_of_running_commands() {
    let mut app = app_with(store_as("commune", TAN_BINH));
    open_new_form(&mut app);
    // q, ?, :, n, e would be commands on the list; here they are letters.
    type_str(&mut app, "q?:ne");
    assert_eq!(form(&app).value(FacilityField::Name), "q?:ne");
    assert_eq!(app.overlay(), None);
    assert!(!app.should_quit());
}

// ------------------------------------------------------------------------------------------
// snapshots of the form

#[test]
fn snapshot_empty_create_form() {
    let mut app = app_with(store_as("province", "79"));
    open_new_form(&mut app);
    insta::assert_snapshot!("form_empty_vi_80x24", screen_text(&app));
}

#[test]
fn snapshot_form_with_inline_errors() {
    let mut app = app_with(store_as("province", "79"));
    open_new_form(&mut app);
    focus(&mut app, FacilityField::TaxCode);
    type_str(&mut app, "0100233487");
    press(&mut app, &[tab(), tab()]);
    type_str(&mut app, "12345");
    focus(&mut app, FacilityField::Workers);
    type_str(&mut app, "mười hai");
    press(&mut app, &[ctrl('s')]);
    // The first invalid field (the name) is focused; the others show their messages.
    assert_eq!(form(&app).focused_field(), FacilityField::Name);
    press(&mut app, &[tab(), tab(), tab(), tab()]);
    insta::assert_snapshot!("form_errors_vi_80x24", screen_text(&app));
}

#[test]
fn snapshot_commune_picker_filtered() {
    let mut app = app_with(store_as("province", "79"));
    open_new_form(&mut app);
    focus(&mut app, FacilityField::CommuneCode);
    press(&mut app, &[key(KeyCode::Enter)]);
    type_str(&mut app, "tan binh");
    insta::assert_snapshot!("form_commune_picker_tan_binh_vi_80x24", screen_text(&app));
}

#[test]
fn snapshot_duplicate_dialog() {
    let mut app = with_existing_facility("0912345678");
    let id = app
        .store()
        .list_facilities(&FacilityFilter::default(), FacilitySort::Name, false, 0, 1)
        .expect("list")
        .remove(0)
        .id;
    fill_same_phone(&mut app);
    // The id is random: mask its short form.
    let text = screen_text(&app).replace(&id[id.len() - 8..], "########");
    insta::assert_snapshot!("form_duplicate_dialog_vi_80x24", text);
}

#[test]
fn snapshot_edit_conflict() {
    let mut app = with_existing_facility("0912345678");
    press(&mut app, &[ch('e')]);
    let f = app
        .store()
        .list_facilities(&FacilityFilter::default(), FacilitySort::Name, false, 0, 1)
        .expect("list")
        .remove(0);
    let mut other = FacilityInput::from_data(&f.data);
    other.workers = "30".into();
    app.store_mut()
        .update_facility(&f.id, f.meta.version, &other)
        .expect("other edit");
    press(&mut app, &[key(KeyCode::End)]);
    type_str(&mut app, " (cơ sở 2)");
    press(&mut app, &[ctrl('s')]);
    let text = screen_text(&app);
    assert!(
        !text.contains(&f.id),
        "the message names the facility, not its id"
    );
    insta::assert_snapshot!("form_edit_conflict_vi_80x24", text);
}

// ------------------------------------------------------------------------------------------
// the first-run setup, through a harness that routes keys like the app

struct Harness {
    screen: Box<dyn Screen>,
    store: Store,
    keymap: Keymap,
    theme: Theme,
    picker: Option<(Picker, PickPurpose)>,
    toast: Option<String>,
    quit_asked: bool,
}

impl Harness {
    fn new() -> Harness {
        Harness {
            screen: Box::new(SetupScreen::new()),
            store: store(),
            keymap: Keymap::default(),
            theme: Theme::mono(),
            picker: None,
            toast: None,
            quit_asked: false,
        }
    }

    fn setup(&self) -> &SetupScreen {
        let other = self.screen.as_ref();
        match other.downcast_ref::<SetupScreen>() {
            Some(s) => s,
            None => panic!("expected the wizard, got {other:?}"),
        }
    }

    fn contexts(&self) -> Vec<Context> {
        if self.picker.is_some() {
            return vec![Context::Picker, Context::Global];
        }
        let mut v = self.screen.contexts().to_vec();
        v.push(Context::TopLevel);
        v.push(Context::Global);
        v
    }

    fn key(&mut self, k: KeyEvent) {
        let env_keymap = self.keymap.clone();
        let theme = self.theme;
        let env = Env {
            lang: Lang::Vi,
            keymap: &env_keymap,
            theme: &theme,
        };
        if let Some((p, purpose)) = self.picker.as_mut() {
            if p.handle_text_key(&k) {
                return;
            }
            let purpose = *purpose;
            let Some(action) = self.keymap.resolve(&[Context::Picker, Context::Global], &k) else {
                return;
            };
            match p.apply(action) {
                PickerOutcome::Open => {}
                PickerOutcome::Cancelled => self.picker = None,
                PickerOutcome::Picked(code) => {
                    self.picker = None;
                    let cmd = self.screen.on_pick(purpose, &code, &env, &mut self.store);
                    self.apply(cmd);
                }
            }
            return;
        }
        if self.screen.handle_text_key(&k) {
            return;
        }
        let contexts = self.contexts();
        if let Some(action) = self.keymap.resolve(&contexts, &k) {
            let cmd = self.screen.handle_action(action, &env, &mut self.store);
            self.apply(cmd);
        }
    }

    fn keys(&mut self, ks: &[KeyEvent]) {
        for k in ks {
            self.key(*k);
        }
    }

    fn type_str(&mut self, s: &str) {
        for c in s.chars() {
            self.key(ch(c));
        }
    }

    fn apply(&mut self, cmd: ScreenCmd) {
        match cmd {
            ScreenCmd::OpenPicker {
                title,
                items,
                purpose,
            } => {
                self.picker = Some((Picker::new(title, items), purpose));
            }
            ScreenCmd::Replace(s) => self.screen = s,
            ScreenCmd::Toast(t) | ScreenCmd::Error(t) => self.toast = Some(t),
            ScreenCmd::Quit => self.quit_asked = true,
            ScreenCmd::None | ScreenCmd::Unhandled => {}
            other => panic!("unexpected command from the wizard: {other:?}"),
        }
    }

    /// The frame the app would draw: header, body, picker on top, footer.
    fn screen_text(&self) -> String {
        let mut term = Terminal::new(TestBackend::new(80, 24)).expect("test backend");
        let env = Env {
            lang: Lang::Vi,
            keymap: &self.keymap,
            theme: &self.theme,
        };
        term.draw(|f| {
            let [header, body, footer] = Layout::vertical([
                Constraint::Length(1),
                Constraint::Fill(1),
                Constraint::Length(1),
            ])
            .areas(f.area());
            render_header(
                f.buffer_mut(),
                header,
                "Chưa có hồ sơ",
                "/home/hoa/.local/share/ctv/ctv.db",
                &self.theme,
            );
            self.screen.render(f, body, &env, self.picker.is_none());
            if let Some((p, _)) = &self.picker {
                p.render(f, body, &self.theme, Lang::Vi, true);
            }
            let contexts = self.contexts();
            let hints = self.keymap.footer(&contexts, &|a| match a {
                Action::Help | Action::Palette | Action::Redraw | Action::Exit | Action::Quit => {
                    true
                }
                Action::Back => self.picker.is_some(),
                other => self.picker.is_some() || self.screen.handles(other),
            });
            render_footer(f.buffer_mut(), footer, &hints, &self.theme, Lang::Vi);
        })
        .expect("draw");
        term.backend().to_string()
    }
}

fn enter() -> KeyEvent {
    key(KeyCode::Enter)
}

#[test]
fn setup_commune_role() {
    let mut h = Harness::new();
    assert_eq!(h.setup().step(), SetupStep::Name);
    // An empty name does not go on.
    h.keys(&[enter()]);
    assert_eq!(h.setup().step(), SetupStep::Name);
    assert!(h.screen_text().contains("Lỗi: Bắt buộc nhập"));
    // The input-method replay works here too.
    let bs = ime_backspace();
    h.type_str("Nguyễn Thị Hoa v");
    h.keys(&[
        ch('i'),
        ch('e'),
        bs,
        ch('ê'),
        ch('t'),
        bs,
        bs,
        ch('ệ'),
        ch('t'),
    ]);
    assert_eq!(h.setup().name(), "Nguyễn Thị Hoa việt");
    h.keys(&[ctrl('w')]);
    h.keys(&[ctrl('h')]);
    assert_eq!(h.setup().name(), "Nguyễn Thị Hoa");
    h.keys(&[enter()]);
    assert_eq!(h.setup().step(), SetupStep::Role);
    // Commune is the first role: Enter picks it and opens the commune picker.
    h.keys(&[enter()]);
    assert_eq!(h.setup().step(), SetupStep::Unit);
    let (p, _) = h.picker.as_ref().expect("picker");
    assert_eq!(p.match_count(), 3321);
    h.type_str("tan binh");
    let (p, _) = h.picker.as_ref().expect("picker");
    assert!(p.match_count() < 200, "{}", p.match_count());
    let pos = p
        .matches()
        .position(|i| i.code == TAN_BINH)
        .expect("Tân Bình");
    assert!(pos < 5, "{pos}");
    // Pick Phường Tân Bình (move to it if another Tân Bình ranks first).
    while h
        .picker
        .as_ref()
        .and_then(|(p, _)| p.selected())
        .map(|i| i.code.clone())
        != Some(TAN_BINH.to_string())
    {
        h.keys(&[key(KeyCode::Down)]);
    }
    h.keys(&[enter()]);
    assert_eq!(h.setup().step(), SetupStep::Confirm);
    assert_eq!(h.setup().units(), [TAN_BINH.to_string()]);
    h.keys(&[enter()]);
    let p = h.store.profile().expect("profile saved").clone();
    assert_eq!(p.name, "Nguyễn Thị Hoa");
    assert_eq!(p.role, Role::Commune);
    assert_eq!(p.units, vec![TAN_BINH.to_string()]);
    assert!(h.screen.is::<ListScreen>(), "the list takes over");
}

#[test]
fn setup_area_role_via_an_old_district() {
    let mut h = Harness::new();
    h.type_str("Lê Văn Tám");
    h.keys(&[enter(), key(KeyCode::Down), enter()]);
    assert_eq!(h.setup().role(), Some(Role::Area));
    assert_eq!(h.setup().step(), SetupStep::Unit);
    assert!(h.picker.is_none(), "an area officer first sees the menu");
    // Continue with nothing chosen: refused with a message.
    h.keys(&[key(KeyCode::Down), key(KeyCode::Down), enter()]);
    assert_eq!(h.setup().step(), SetupStep::Unit);
    assert!(h.setup().error().is_some());
    // Add a whole pre-2025 district: Quận Tân Bình (766).
    h.keys(&[key(KeyCode::Up), enter()]);
    h.type_str("quan tan binh");
    let (p, _) = h.picker.as_ref().expect("district picker");
    let pos = p
        .matches()
        .position(|i| i.code == "766")
        .expect("Quận Tân Bình");
    assert!(pos < 3, "{pos}");
    assert_eq!(
        p.matches().nth(pos).map(|i| i.label.as_str()),
        Some("Quận Tân Bình — TP Hồ Chí Minh cũ (766)")
    );
    for _ in 0..pos {
        h.keys(&[key(KeyCode::Down)]);
    }
    h.keys(&[enter()]);
    let expected: Vec<String> = ctv::refdata::units()
        .new_communes_of_old_district("766")
        .into_iter()
        .map(str::to_string)
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(h.setup().units(), expected.as_slice());
    assert!(h.toast.as_deref().is_some_and(|t| t.starts_with("Đã thêm")));
    // Add one more commune, then remove it again from the list.
    h.keys(&[key(KeyCode::Home), enter()]);
    h.type_str("00004");
    h.keys(&[enter()]);
    assert!(h.setup().units().contains(&"00004".to_string()));
    assert_eq!(h.setup().units().len(), expected.len() + 1);
    // "00004" sorts first in the chosen list: row 3.
    h.keys(&[
        key(KeyCode::Home),
        key(KeyCode::Down),
        key(KeyCode::Down),
        key(KeyCode::Down),
    ]);
    h.keys(&[enter()]);
    assert_eq!(h.setup().units(), expected.as_slice());
    // Continue, confirm, save.
    h.keys(&[
        key(KeyCode::Home),
        key(KeyCode::Down),
        key(KeyCode::Down),
        enter(),
    ]);
    assert_eq!(h.setup().step(), SetupStep::Confirm);
    h.keys(&[enter()]);
    let p = h.store.profile().expect("profile saved").clone();
    assert_eq!(p.role, Role::Area);
    assert_eq!(p.units, expected);
}

#[test]
fn setup_province_role_and_back_steps() {
    let mut h = Harness::new();
    h.type_str("Phạm Minh Đức");
    h.keys(&[enter(), key(KeyCode::End), enter()]);
    assert_eq!(h.setup().role(), Some(Role::Province));
    // Esc in the picker closes it; Enter opens it again.
    h.keys(&[key(KeyCode::Esc)]);
    assert!(h.picker.is_none());
    assert_eq!(h.setup().step(), SetupStep::Unit);
    h.keys(&[enter()]);
    let (p, _) = h.picker.as_ref().expect("province picker");
    assert_eq!(p.match_count(), 34);
    h.type_str("ho chi minh");
    h.keys(&[enter()]);
    assert_eq!(h.setup().step(), SetupStep::Confirm);
    assert_eq!(h.setup().units(), ["79".to_string()]);
    // Esc goes back one step at a time, keeping what was entered.
    h.keys(&[key(KeyCode::Esc)]);
    assert_eq!(h.setup().step(), SetupStep::Unit);
    h.keys(&[key(KeyCode::Esc)]);
    assert_eq!(h.setup().step(), SetupStep::Role);
    h.keys(&[key(KeyCode::Esc)]);
    assert_eq!(h.setup().step(), SetupStep::Name);
    assert_eq!(h.setup().name(), "Phạm Minh Đức");
    // On the first step Esc offers to leave CTV (the app asks "Thoát CTV?").
    h.keys(&[key(KeyCode::Esc)]);
    assert!(h.quit_asked);
    assert!(h.setup().has_unsaved_changes());
    // Forward again: the province is still chosen.
    h.keys(&[enter(), enter()]);
    h.keys(&[key(KeyCode::Esc)]);
    h.keys(&[enter()]);
    h.type_str("ho chi minh");
    h.keys(&[enter(), enter()]);
    let p = h.store.profile().expect("profile saved").clone();
    assert_eq!(p.role, Role::Province);
    assert_eq!(p.units, vec!["79".to_string()]);
    assert!(p.communes().len() > 100);
}

#[test]
fn snapshot_setup_steps() {
    let mut h = Harness::new();
    insta::assert_snapshot!("setup_1_name_vi_80x24", h.screen_text());
    h.type_str("Nguyễn Thị Hoa");
    h.keys(&[enter()]);
    insta::assert_snapshot!("setup_2_role_vi_80x24", h.screen_text());
    h.keys(&[enter()]);
    h.type_str("tan binh");
    insta::assert_snapshot!("setup_3_commune_picker_vi_80x24", h.screen_text());
    h.keys(&[
        key(KeyCode::Esc),
        key(KeyCode::Esc),
        key(KeyCode::Down),
        enter(),
    ]);
    h.keys(&[key(KeyCode::Down), enter()]);
    h.type_str("quan tan binh");
    while h
        .picker
        .as_ref()
        .and_then(|(p, _)| p.selected())
        .map(|i| i.code.clone())
        != Some("766".to_string())
    {
        h.keys(&[key(KeyCode::Down)]);
    }
    insta::assert_snapshot!("setup_3_district_picker_vi_80x24", h.screen_text());
    h.keys(&[enter()]);
    h.toast = None;
    insta::assert_snapshot!("setup_3_area_vi_80x24", h.screen_text());
    h.keys(&[key(KeyCode::Down), enter()]);
    insta::assert_snapshot!("setup_4_confirm_area_vi_80x24", h.screen_text());
    h.keys(&[
        key(KeyCode::Esc),
        key(KeyCode::Esc),
        key(KeyCode::End),
        enter(),
    ]);
    h.type_str("ho chi minh");
    insta::assert_snapshot!("setup_3_province_picker_vi_80x24", h.screen_text());
    h.keys(&[enter()]);
    insta::assert_snapshot!("setup_4_confirm_province_vi_80x24", h.screen_text());
}

/// Field trial (issue 16): a commune collaborator who goes back from the last step can go on
/// again without choosing the commune anew; an area officer cannot go on with communes of two
/// provinces.
#[test]
fn setup_back_from_the_last_step_and_an_area_across_provinces() {
    let mut h = Harness::new();
    h.type_str("Nguyễn Thị Hoa");
    h.keys(&[enter(), enter()]);
    h.type_str("00004");
    h.keys(&[enter()]);
    assert_eq!(h.setup().step(), SetupStep::Confirm);
    h.keys(&[key(KeyCode::Esc)]);
    assert_eq!(h.setup().step(), SetupStep::Unit);
    assert!(h.picker.is_none());
    let text = h.screen_text();
    assert!(
        text.contains("Tiếp tục") && text.contains("Ba Đình"),
        "{text}"
    );
    h.keys(&[enter()]);
    assert_eq!(
        h.setup().step(),
        SetupStep::Confirm,
        "Enter goes on with the chosen commune"
    );
    // Or choose again: Esc, Down, Enter opens the picker.
    h.keys(&[key(KeyCode::Esc), key(KeyCode::Down), enter()]);
    assert!(h.picker.is_some());

    let mut h = Harness::new();
    h.type_str("Lê Văn Tám");
    h.keys(&[enter(), key(KeyCode::Down), enter()]);
    h.keys(&[enter()]);
    h.type_str("00004");
    h.keys(&[enter()]);
    h.keys(&[enter()]);
    h.type_str("tan binh");
    h.keys(&[enter()]);
    assert_eq!(h.setup().units().len(), 2, "{:?}", h.setup().units());
    h.keys(&[
        key(KeyCode::Home),
        key(KeyCode::Down),
        key(KeyCode::Down),
        enter(),
    ]);
    assert_eq!(h.setup().step(), SetupStep::Unit);
    let err = h.setup().error().expect("refused").to_string();
    assert!(err.contains("cùng một tỉnh"), "{err}");
}
