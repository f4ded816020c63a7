//! Root on a shared database without a profile of its own (issue 13): the terminal app opens
//! on the facility list showing every commune's records, refuses at the key press every
//! action that would write a record (saying why), and keeps the administrator's screens —
//! F6 snapshots — reachable. Never the first-run setup, whose save a shared database refuses.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use ctv::clock::FixedClock;
use ctv::domain::{FacilityInput, ProfileInput};
use ctv::store::Store;
use ctv::ui::keymap::Keymap;
use ctv::ui::screens::{AccountsScreen, ListScreen, SnapshotsScreen};
use ctv::ui::theme::Theme;
use ctv::ui::{App, AppContext};
use ctv::words::{tr, Lang};
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 11, 25, 2, 0, 0).unwrap(),
    ))
}

fn ctx() -> AppContext {
    AppContext {
        lang: Lang::Vi,
        theme: Theme::mono(),
        keymap: Keymap::default(),
        who: "root · quản trị viên · chỉ xem".to_string(),
        db_label: "/srv/ctv/ctv.db".to_string(),
    }
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn screen_text(a: &App) -> String {
    let mut term = Terminal::new(TestBackend::new(100, 24)).unwrap();
    term.draw(|f| a.render(f)).unwrap();
    term.backend().to_string()
}

/// A shared database with facilities in two communes, and the account `lan` of one of them.
fn shared_db(path: &std::path::Path) {
    let mut s = Store::open_with_clock(path, clock()).unwrap();
    // A province officer (reaches both communes) enters the data before the file is shared.
    s.init_profile(
        &ProfileInput {
            name: "Phòng QLCN".into(),
            role: "province".into(),
            units: "01".into(),
            account: None,
        },
        false,
    )
    .unwrap();
    for (name, commune) in [
        ("Cơ sở gốm Minh Đức", "00004"),
        ("HTX mây tre Phú Vinh", "00070"),
    ] {
        s.create_facility(&FacilityInput {
            name: name.into(),
            commune_code: commune.into(),
            ..Default::default()
        })
        .unwrap();
    }
    s.mark_shared().unwrap();
    s.work_as_admin("root");
    s.add_collaborator(&ProfileInput {
        name: "Trần Thị Lan".into(),
        role: "commune".into(),
        units: "00004".into(),
        account: Some("lan".into()),
    })
    .unwrap();
}

/// The store as `bind_account` leaves it for root without a profile.
fn as_root(path: &std::path::Path) -> Store {
    let mut s = Store::open_with_clock(path, clock()).unwrap();
    assert!(s.is_shared());
    s.work_as_admin("root");
    s
}

#[test]
fn root_without_a_profile_opens_on_the_list_of_everything_never_the_setup() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ctv.db");
    shared_db(&db);
    let app = App::new(ctx(), as_root(&db));
    assert!(app.is_admin_view());
    let Some(list) = app.top_screen().downcast_ref::<ListScreen>() else {
        panic!("not the list: {}", screen_text(&app));
    };
    assert_eq!(list.total(), 2, "both communes' facilities are shown");
    let text = screen_text(&app);
    assert!(
        text.contains("Minh Đức") && text.contains("Phú Vinh"),
        "{text}"
    );
    assert!(!text.contains("Họ và tên"), "the first-run setup: {text}");
}

#[test]
fn writes_are_refused_at_the_key_press_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ctv.db");
    shared_db(&db);
    let mut app = App::new(ctx(), as_root(&db));
    let before = app.store().last_change_seq().unwrap();
    // n (new facility), then Enter into the first facility and e / a / c there.
    app.handle_key(key(KeyCode::Char('n')));
    assert_eq!(app.screen_depth(), 1, "no form opened");
    assert_eq!(app.toast(), Some(tr(Lang::Vi, "ui.admin.read_only")));
    app.handle_key(key(KeyCode::Enter));
    assert_eq!(app.screen_depth(), 2, "reading a facility is allowed");
    for c in ['e', 'a', 'c'] {
        app.handle_key(key(KeyCode::Char(c)));
        assert_eq!(app.screen_depth(), 2, "{c} opened something");
        assert!(app.overlay().is_none(), "{c} asked something");
    }
    let text = screen_text(&app);
    assert!(text.contains("chỉ được xem"), "the reason is shown: {text}");
    assert_eq!(
        app.store().last_change_seq().unwrap(),
        before,
        "nothing written"
    );
}

#[test]
fn f6_snapshots_are_reachable_for_root() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ctv.db");
    shared_db(&db);
    let mut app = App::new(ctx(), as_root(&db));
    app.handle_key(key(KeyCode::F(6)));
    assert!(
        app.top_screen().is::<SnapshotsScreen>(),
        "{}",
        screen_text(&app)
    );
}

#[test]
fn a_shared_database_without_an_administrator_still_gets_no_read_everything_view() {
    // A profile-less store that is not root's (no `work_as_admin`): not the admin view.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ctv.db");
    shared_db(&db);
    let s = Store::open_with_clock(&db, clock()).unwrap();
    let app = App::new(ctx(), s);
    assert!(!app.is_admin_view());
}

#[test]
fn f9_lists_the_accounts_read_only() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ctv.db");
    shared_db(&db);
    let mut app = App::new(ctx(), as_root(&db));
    app.handle_key(key(KeyCode::F(9)));
    let Some(accounts) = app.top_screen().downcast_ref::<AccountsScreen>() else {
        panic!("not the accounts: {}", screen_text(&app));
    };
    assert_eq!(accounts.accounts(), [("lan", "đang dùng")]);
    let text = screen_text(&app);
    assert!(text.contains("Trần Thị Lan"), "{text}");
    insta::assert_snapshot!(text);
}
