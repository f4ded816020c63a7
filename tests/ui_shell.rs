//! The terminal app's shell, driven without a terminal: key events in, state and effects out,
//! plus snapshots of what an 80×24 screen shows.

use std::sync::Arc;

use ctv::clock::FixedClock;
use ctv::domain::{FacilityInput, ProfileInput};
use ctv::store::Store;
use ctv::ui::keymap::{Action, Context, Keymap};
use ctv::ui::theme::Theme;
use ctv::ui::widgets::TextField;
use ctv::ui::{App, AppContext, AppEvent, Effect, OverlayKind};
use ctv::words::Lang;
use ratatui::crossterm::event::{Event, KeyCode, KeyModifiers};

mod common;
use common::ui::{ch, ctrl, key, press, screen_text_sized, type_str};

fn app(lang: Lang) -> App {
    let clock = FixedClock::new(
        chrono::DateTime::parse_from_rfc3339("2025-03-01T08:00:00Z")
            .expect("time")
            .with_timezone(&chrono::Utc),
    );
    let mut store = Store::open_in_memory(Arc::new(clock)).expect("in-memory store");
    store
        .init_profile(
            &ProfileInput {
                name: "Nguyễn Thị Hoa".into(),
                role: "commune".into(),
                units: "25549".into(),
                account: None,
            },
            false,
        )
        .expect("profile");
    for name in ["Cơ sở mây tre đan Phú Vinh", "Bánh tráng Bà Tư"] {
        let input = FacilityInput {
            name: name.into(),
            commune_code: "25549".into(),
            ..Default::default()
        };
        store.create_facility(&input).expect("facility");
    }
    App::new(
        AppContext {
            lang,
            theme: Theme::mono(),
            keymap: Keymap::default(),
            who: "Nguyễn Thị Hoa · Cộng tác viên · Xã Tân Phú".to_string(),
            db_label: "/home/hoa/.local/share/ctv/ctv.db".to_string(),
        },
        store,
    )
}

#[test]
fn help_opens_with_question_mark_and_f1_and_closes_with_esc() {
    let mut a = app(Lang::Vi);
    press(&mut a, &[ch('?')]);
    assert_eq!(a.overlay(), Some(OverlayKind::Help));
    press(&mut a, &[key(KeyCode::Esc)]);
    assert_eq!(a.overlay(), None);
    // PuTTY's F1 (ESC[11~) arrives as F(1).
    press(&mut a, &[key(KeyCode::F(1))]);
    assert_eq!(a.overlay(), Some(OverlayKind::Help));
    press(&mut a, &[key(KeyCode::F(1))]);
    assert_eq!(a.overlay(), None);
}

#[test]
fn palette_finds_thoat_and_runs_it() {
    let mut a = app(Lang::Vi);
    press(&mut a, &[ch(':')]);
    assert_eq!(a.overlay(), Some(OverlayKind::Palette));
    type_str(&mut a, "thoat");
    let p = a.picker().expect("palette open");
    assert_eq!(p.query(), "thoat");
    let first = p.matches().next().expect("a match");
    assert_eq!(first.label, "Thoát");
    assert_eq!(first.code, Action::Quit.name());
    let fx = press(&mut a, &[key(KeyCode::Enter)]);
    assert_eq!(fx, vec![Effect::Quit]);
    assert!(a.should_quit());
}

#[test]
fn palette_opens_with_ctrl_p_and_q_types_q() {
    let mut a = app(Lang::Vi);
    press(&mut a, &[ctrl('p')]);
    assert_eq!(a.overlay(), Some(OverlayKind::Palette));
    let fx = press(&mut a, &[ch('q'), ch('?')]);
    assert!(fx.is_empty());
    assert!(!a.should_quit());
    assert_eq!(a.overlay(), Some(OverlayKind::Palette));
    assert_eq!(
        a.picker().map(|p| p.query().to_string()),
        Some("q?".to_string())
    );
    // Ctrl+H deletes in the palette's field, as an input method expects.
    press(&mut a, &[ctrl('h')]);
    assert_eq!(
        a.picker().map(|p| p.query().to_string()),
        Some("q".to_string())
    );
    press(&mut a, &[key(KeyCode::Esc)]);
    assert_eq!(a.overlay(), None);
}

#[test]
fn q_quits_at_the_top_level_only() {
    let mut a = app(Lang::Vi);
    press(&mut a, &[key(KeyCode::Enter)]); // open the first facility
    assert_eq!(a.screen_depth(), 2);
    let fx = press(&mut a, &[ch('q')]);
    assert!(fx.is_empty(), "q does nothing below the top level");
    assert!(!a.should_quit());
    press(&mut a, &[key(KeyCode::Esc)]);
    assert_eq!(a.screen_depth(), 1);
    // In the search field q is a letter.
    press(&mut a, &[ch('/')]);
    assert!(press(&mut a, &[ch('q')]).is_empty());
    assert!(!a.should_quit());
    press(&mut a, &[key(KeyCode::Esc)]);
    assert_eq!(press(&mut a, &[ch('q')]), vec![Effect::Quit]);
}

#[test]
fn esc_backs_out_one_level_at_a_time() {
    let mut a = app(Lang::Vi);
    press(&mut a, &[key(KeyCode::Down), key(KeyCode::Enter)]);
    assert_eq!(a.screen_depth(), 2);
    press(&mut a, &[key(KeyCode::F(1))]);
    assert_eq!(a.overlay(), Some(OverlayKind::Help));
    press(&mut a, &[ctrl('p')]);
    assert_eq!(a.overlay_depth(), 2);
    press(&mut a, &[key(KeyCode::Esc)]);
    assert_eq!(a.overlay(), Some(OverlayKind::Help));
    press(&mut a, &[key(KeyCode::Esc)]);
    assert_eq!(a.overlay(), None);
    assert_eq!(a.screen_depth(), 2);
    press(&mut a, &[key(KeyCode::Esc)]);
    assert_eq!(a.screen_depth(), 1);
    // At the top level Esc only explains how to quit.
    let fx = press(&mut a, &[key(KeyCode::Esc)]);
    assert!(fx.is_empty());
    assert_eq!(a.screen_depth(), 1);
    assert!(a.toast().is_some_and(|t| t.contains('q')));
}

#[test]
fn leaving_unsaved_changes_asks_and_defaults_to_no() {
    let mut a = app(Lang::Vi);
    press(&mut a, &[ch('n')]);
    assert_eq!(a.screen_depth(), 2, "the new-facility form");
    type_str(&mut a, "Cơ sở");
    press(&mut a, &[key(KeyCode::Esc)]);
    assert_eq!(a.overlay(), Some(OverlayKind::Confirm));
    press(&mut a, &[key(KeyCode::Enter)]); // default is No
    assert_eq!(a.overlay(), None);
    assert_eq!(a.screen_depth(), 2);
    press(&mut a, &[key(KeyCode::Esc), ch('c')]); // "Có"
    assert_eq!(a.screen_depth(), 1);
}

#[test]
fn ctrl_c_with_unsaved_changes_asks_first() {
    let mut a = app(Lang::En);
    press(&mut a, &[ch('n')]);
    type_str(&mut a, "x");
    assert!(press(&mut a, &[ctrl('c')]).is_empty());
    assert_eq!(a.overlay(), Some(OverlayKind::Confirm));
    assert_eq!(press(&mut a, &[ch('y')]), vec![Effect::Quit]);
}

#[test]
fn signals_quit_without_asking() {
    let mut a = app(Lang::Vi);
    press(&mut a, &[ch('n')]);
    type_str(&mut a, "x");
    assert_eq!(a.handle_event(AppEvent::Signal(15)), vec![Effect::Quit]);
}

#[test]
fn picker_finds_a_commune_by_folded_name() {
    let mut a = app(Lang::Vi);
    press(&mut a, &[ch('f')]);
    assert_eq!(a.overlay(), Some(OverlayKind::Picker));
    type_str(&mut a, "theo xa");
    press(&mut a, &[key(KeyCode::Enter)]);
    assert_eq!(a.overlay(), Some(OverlayKind::Picker));
    type_str(&mut a, "tan phu");
    assert_eq!(
        a.picker()
            .and_then(|p| p.selected())
            .map(|i| i.code.as_str()),
        Some("25549")
    );
    press(&mut a, &[key(KeyCode::Enter)]);
    assert_eq!(a.overlay(), None);
    assert!(screen_text_sized(&a, 80, 24).contains("Lọc: Tân Phú"));
}

#[test]
fn ime_replay_in_the_search_field() {
    for bs in [ctrl('h'), key(KeyCode::Backspace)] {
        let mut a = app(Lang::Vi);
        press(&mut a, &[ch('/')]);
        press(
            &mut a,
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
        let text = screen_text_sized(&a, 80, 24);
        assert!(text.contains("việt"), "{text}");
    }
}

#[test]
fn paste_goes_to_the_field_as_nfc() {
    let mut a = app(Lang::Vi);
    press(&mut a, &[ch('/')]);
    a.handle_event(AppEvent::Input(Event::Paste(
        "Vie\u{0323}\u{0302}t".to_string(),
    )));
    let text = screen_text_sized(&a, 80, 24);
    assert!(text.contains("Việt"), "{text}");
}

#[test]
fn text_field_ime_replay() {
    for bs in [ctrl('h'), key(KeyCode::Backspace)] {
        let mut f = TextField::new();
        for k in [
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
        ] {
            assert!(f.handle_key(&k));
        }
        assert_eq!(f.value(), "việt");
    }
    let mut f = TextField::new();
    f.insert_str("Vie\u{0323}\u{0302}t");
    assert_eq!(f.value(), "Việt");
}

#[test]
fn keymap_has_no_ctrl_h_and_labels_everything() {
    let km = Keymap::default();
    for b in km.bindings() {
        assert!(
            !b.keys
                .iter()
                .any(|k| k.code == KeyCode::Char('h') && k.mods.contains(KeyModifiers::CONTROL)),
            "{:?} is bound to Ctrl+H",
            b.action
        );
        assert_ne!(
            ctv::words::tr(Lang::Vi, b.label),
            b.label,
            "no label for {:?}",
            b.action
        );
    }
    for a in Action::ALL {
        assert_ne!(
            ctv::words::tr(Lang::Vi, a.label_key()),
            a.label_key(),
            "no label for {a:?}"
        );
        assert_ne!(
            ctv::words::tr(Lang::En, a.label_key()),
            a.label_key(),
            "no label for {a:?}"
        );
    }
}

#[test]
fn footer_for_the_list_context_shows_the_help_key() {
    let km = Keymap::default();
    let hints = km.footer(
        &[Context::List, Context::TopLevel, Context::Global],
        &|_| true,
    );
    assert!(
        hints
            .iter()
            .any(|(k, l)| k == "F1" && *l == "ui.action.help"),
        "{hints:?}"
    );
    let a = app(Lang::Vi);
    assert_eq!(
        a.footer_hints().first().map(|(k, _)| k.as_str()),
        Some("F1")
    );
    assert!(screen_text_sized(&a, 80, 24)
        .lines()
        .last()
        .is_some_and(|l| l.contains("F1 Trợ giúp")));
}

#[test]
fn redraw_asks_for_a_clear() {
    let mut a = app(Lang::Vi);
    assert_eq!(press(&mut a, &[ctrl('l')]), vec![Effect::ClearScreen]);
}

#[test]
fn idle_app_is_not_dirty_after_a_draw() {
    let mut a = app(Lang::Vi);
    assert!(a.take_dirty());
    assert!(!a.take_dirty());
    assert_eq!(a.deadline(), None, "no timer while nothing is time-bound");
    // An unbound key changes nothing the user can see, but costs at most one diff.
    a.handle_event(AppEvent::Input(Event::FocusGained));
    assert!(!a.is_dirty());
}

#[test]
fn renders_at_tiny_sizes_without_panicking() {
    let mut a = app(Lang::Vi);
    for (w, h) in [(1, 1), (10, 3), (20, 5), (40, 10), (200, 60)] {
        screen_text_sized(&a, w, h);
    }
    press(&mut a, &[key(KeyCode::F(1))]);
    for (w, h) in [(1, 1), (10, 3), (20, 5)] {
        screen_text_sized(&a, w, h);
    }
    press(&mut a, &[key(KeyCode::Esc), ch('/')]);
    for (w, h) in [(1, 1), (10, 3), (20, 5)] {
        screen_text_sized(&a, w, h);
    }
}

#[test]
fn snapshot_first_screen_vi_80x24() {
    let a = app(Lang::Vi);
    insta::assert_snapshot!("first_screen_vi_80x24", screen_text_sized(&a, 80, 24));
}

#[test]
fn snapshot_help_vi_80x24() {
    let mut a = app(Lang::Vi);
    press(&mut a, &[ch('?')]);
    insta::assert_snapshot!("help_vi_80x24", screen_text_sized(&a, 80, 24));
}

#[test]
fn snapshot_palette_vi_80x24() {
    let mut a = app(Lang::Vi);
    press(&mut a, &[ch(':')]);
    type_str(&mut a, "tim");
    insta::assert_snapshot!("palette_vi_80x24", screen_text_sized(&a, 80, 24));
}

#[test]
fn snapshot_confirm_vi_80x24() {
    let mut a = app(Lang::Vi);
    press(&mut a, &[key(KeyCode::Down), ch('a')]);
    insta::assert_snapshot!("confirm_vi_80x24", screen_text_sized(&a, 80, 24));
}

#[test]
fn toasts_wait_their_turn_and_expire() {
    let mut a = app(Lang::Vi);
    a.show_toast("một", true);
    a.show_toast("hai", true);
    assert_eq!(a.toast(), Some("một"));
    let d = a.deadline().expect("deadline");
    a.tick(d);
    assert_eq!(a.toast(), Some("hai"));
    let d = a.deadline().expect("deadline");
    a.tick(d);
    assert_eq!(a.toast(), None);
    assert_eq!(a.deadline(), None);
}
