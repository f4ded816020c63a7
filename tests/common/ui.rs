//! Driving the terminal app in tests: keys, typing, and the drawn screen as text.

use ctv::ui::{App, Effect};
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;

pub fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

pub fn ch(c: char) -> KeyEvent {
    key(KeyCode::Char(c))
}

pub fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

/// Press the keys in turn; the effects they asked of the event loop, in order.
pub fn press(app: &mut App, keys: &[KeyEvent]) -> Vec<Effect> {
    keys.iter().flat_map(|k| app.handle_key(*k)).collect()
}

/// Type `s` one character at a time, as a terminal sends it (a line break is Enter).
pub fn type_str(app: &mut App, s: &str) {
    for c in s.chars() {
        app.handle_key(if c == '\n' {
            key(KeyCode::Enter)
        } else {
            ch(c)
        });
    }
}

/// The app drawn at `w`×`h`, as text.
pub fn screen_text_sized(app: &App, w: u16, h: u16) -> String {
    let mut term = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    term.draw(|f| app.render(f)).expect("draw");
    term.backend().to_string()
}

/// The app drawn at 80×24 (the snapshot size), as text.
pub fn screen_text(app: &App) -> String {
    screen_text_sized(app, 80, 24)
}

/// The app over `store` in Vietnamese, monochrome, default keys, as a commune collaborator.
pub fn app_vi(store: ctv::store::Store) -> App {
    App::new(
        ctv::ui::AppContext {
            lang: ctv::words::Lang::Vi,
            theme: ctv::ui::theme::Theme::mono(),
            keymap: ctv::ui::keymap::Keymap::default(),
            who: "Trần Thị Bình · cán bộ xã".to_string(),
            db_label: "/home/binh/.local/share/ctv/ctv.db".to_string(),
        },
        store,
    )
}
