//! Placeholder for a section that is not built yet. It carries one scratch text field so the
//! form machinery (real cursor, input-method backspaces, unsaved-changes question) can be
//! tried end to end before the real forms exist. Nothing typed here is stored.

use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders, Widget};
use ratatui::Frame;

use super::{Env, ScreenCmd};
use crate::ui::i18n::{tr, Lang};
use crate::ui::keymap::Action;
use crate::ui::widgets::{fit, TextField};

#[derive(Debug)]
pub struct PlaceholderScreen {
    /// i18n key of the section's name.
    title_key: &'static str,
    scratch: TextField,
}

impl PlaceholderScreen {
    pub fn new(title_key: &'static str) -> PlaceholderScreen {
        PlaceholderScreen {
            title_key,
            scratch: TextField::new().with_max_chars(200),
        }
    }

    pub fn scratch(&self) -> &str {
        self.scratch.value()
    }

    pub fn title(&self, lang: Lang) -> String {
        tr(lang, self.title_key).to_string()
    }

    pub fn handles(&self, action: Action) -> bool {
        matches!(action, Action::Save)
    }

    pub fn handle_text_key(&mut self, key: &KeyEvent) -> bool {
        self.scratch.handle_key(key)
    }

    pub fn handle_paste(&mut self, text: &str) -> bool {
        self.scratch.insert_str(text);
        true
    }

    pub fn has_unsaved_changes(&self) -> bool {
        !self.scratch.value().is_empty()
    }

    pub fn handle_action(&mut self, action: Action, env: &Env) -> ScreenCmd {
        match action {
            Action::Save => ScreenCmd::Toast(tr(env.lang, "ui.placeholder.not_saved").to_string()),
            _ => ScreenCmd::Unhandled,
        }
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, env: &Env, focused: bool) {
        let theme = env.theme;
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border)
            .title(format!(" {} ", tr(env.lang, self.title_key)))
            .title_style(theme.title);
        let inner = block.inner(area);
        block.render(area, frame.buffer_mut());
        if inner.height < 4 || inner.width < 6 {
            return;
        }
        let w = inner.width as usize - 2;
        let buf = frame.buffer_mut();
        let body = tr(env.lang, "ui.placeholder.body");
        buf.set_stringn(inner.x + 1, inner.y, fit(body, w), w, theme.base);
        let label = tr(env.lang, "ui.placeholder.scratch");
        buf.set_stringn(inner.x + 1, inner.y + 2, fit(label, w), w, theme.dim);
        let field = Rect {
            x: inner.x + 1,
            y: inner.y + 3,
            width: inner.width - 2,
            height: 1,
        };
        self.scratch.render(frame, field, theme.input, focused);
    }
}
