//! Screens: the body of the app, kept in a stack by [`crate::ui::App`].
//!
//! A screen owns the data it shows (handed to it through the app state; it never queries the
//! store while drawing), says which keymap [`Context`]s are live while it is on top, handles
//! the [`Action`]s the keymap resolves for it, and answers with a [`ScreenCmd`] for anything
//! that concerns the app (push a screen, leave, ask a question, open a picker, show a toast).
//!
//! To add a screen: add a module here, a variant to [`Screen`], and one arm to each `match` in
//! `impl Screen`. Keys are never matched here: add a binding in `keymap.rs` if a new action
//! is needed, and list the actions the screen honours in `handles`, so that the footer, the
//! help and the palette show exactly those.

pub mod home;
pub mod placeholder;

use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::Frame;

use crate::ui::i18n::Lang;
use crate::ui::keymap::{Action, Context, Keymap};
use crate::ui::theme::Theme;
use crate::ui::widgets::PickItem;

pub use home::HomeScreen;
pub use placeholder::PlaceholderScreen;

/// What the app hands a screen: read-only settings. (The store's data will come through the
/// screen's own state, filled by the app's effect handler, not through this.)
#[derive(Clone, Copy)]
pub struct Env<'a> {
    pub lang: Lang,
    pub keymap: &'a Keymap,
    pub theme: &'a Theme,
}

/// Why a picker was opened; handed back to the screen with the chosen code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickPurpose {
    /// Home: jump to a section.
    Section,
}

/// What a screen asks of the app.
#[derive(Debug)]
pub enum ScreenCmd {
    /// Done; nothing more to do (the screen is redrawn).
    None,
    /// Not an action for this screen: the app may handle it (e.g. Back pops the screen).
    Unhandled,
    Push(Box<Screen>),
    /// Leave this screen (the app asks first if it has unsaved changes).
    Pop,
    Toast(String),
    Error(String),
    OpenPicker {
        title: String,
        items: Vec<PickItem>,
        purpose: PickPurpose,
    },
    /// Ask yes/no (default no); on yes the screen's `on_confirm(action)` runs.
    Confirm {
        message: String,
        action: Action,
    },
}

#[derive(Debug)]
pub enum Screen {
    Home(HomeScreen),
    Placeholder(PlaceholderScreen),
}

impl Screen {
    pub fn title(&self, lang: Lang) -> String {
        match self {
            Screen::Home(s) => s.title(lang),
            Screen::Placeholder(s) => s.title(lang),
        }
    }

    /// Live keymap contexts, most specific first (the app adds TopLevel and Global).
    pub fn contexts(&self) -> &'static [Context] {
        match self {
            Screen::Home(_) => &[Context::List],
            Screen::Placeholder(_) => &[Context::Form],
        }
    }

    /// Whether the screen does something with `action` (footer, help and palette use this).
    pub fn handles(&self, action: Action) -> bool {
        match self {
            Screen::Home(s) => s.handles(action),
            Screen::Placeholder(s) => s.handles(action),
        }
    }

    /// A key for the focused text field, before the keymap sees it. True if used.
    pub fn handle_text_key(&mut self, key: &KeyEvent) -> bool {
        match self {
            Screen::Home(_) => false,
            Screen::Placeholder(s) => s.handle_text_key(key),
        }
    }

    /// Pasted text for the focused text field. True if used.
    pub fn handle_paste(&mut self, text: &str) -> bool {
        match self {
            Screen::Home(_) => false,
            Screen::Placeholder(s) => s.handle_paste(text),
        }
    }

    pub fn handle_action(&mut self, action: Action, env: &Env) -> ScreenCmd {
        match self {
            Screen::Home(s) => s.handle_action(action, env),
            Screen::Placeholder(s) => s.handle_action(action, env),
        }
    }

    pub fn on_pick(&mut self, purpose: PickPurpose, code: &str, env: &Env) -> ScreenCmd {
        match self {
            Screen::Home(s) => s.on_pick(purpose, code, env),
            Screen::Placeholder(_) => ScreenCmd::None,
        }
    }

    pub fn on_confirm(&mut self, action: Action, env: &Env) -> ScreenCmd {
        let _ = (action, env);
        match self {
            Screen::Home(_) | Screen::Placeholder(_) => ScreenCmd::None,
        }
    }

    /// The database changed underneath (another process, an import): reload what is shown.
    pub fn on_data_changed(&mut self) -> ScreenCmd {
        ScreenCmd::None
    }

    pub fn has_unsaved_changes(&self) -> bool {
        match self {
            Screen::Home(_) => false,
            Screen::Placeholder(s) => s.has_unsaved_changes(),
        }
    }

    /// Draw into `area`. `focused` is false when an overlay is on top (no cursor then).
    pub fn render(&self, frame: &mut Frame, area: Rect, env: &Env, focused: bool) {
        match self {
            Screen::Home(s) => s.render(frame, area, env),
            Screen::Placeholder(s) => s.render(frame, area, env, focused),
        }
    }
}
