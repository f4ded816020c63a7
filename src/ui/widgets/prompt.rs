//! A small popup asking for one or a few lines of text (a note, a date): labelled fields,
//! a hint under each, and the error of the last attempt. The screen that opens it owns it,
//! lists [`crate::ui::keymap::Context::Form`] while it is open (printable keys type text),
//! sends it the keys, and decides what Enter does with the values.

use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::{Margin, Rect};
use ratatui::Frame;

use super::bars::wrap;
use super::{clean, fit, popup_frame, width, TextField};
use crate::ui::theme::Theme;
use crate::words::{tr, Lang};

#[derive(Debug, Clone)]
struct PromptField {
    label: String,
    hint: String,
    field: TextField,
}

#[derive(Debug, Clone)]
pub struct Prompt {
    title: String,
    fields: Vec<PromptField>,
    focus: usize,
    /// What went wrong with the last attempt (shown until the next one).
    error: Option<String>,
}

impl Prompt {
    pub fn new(title: impl Into<String>) -> Prompt {
        Prompt {
            title: title.into(),
            fields: Vec::new(),
            focus: 0,
            error: None,
        }
    }

    /// Add a field (`max_chars` 0 = no limit).
    pub fn field(
        mut self,
        label: impl Into<String>,
        hint: impl Into<String>,
        value: &str,
        max_chars: usize,
    ) -> Prompt {
        self.fields.push(PromptField {
            label: label.into(),
            hint: hint.into(),
            field: TextField::with_value(value).with_max_chars(max_chars),
        });
        self
    }

    /// The text of field `i` ("" if there is no such field).
    pub fn value(&self, i: usize) -> &str {
        self.fields.get(i).map_or("", |f| f.field.value())
    }

    pub fn focus(&self) -> usize {
        self.focus
    }

    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    pub fn set_error(&mut self, error: Option<String>) {
        self.error = error;
    }

    pub fn next_field(&mut self) {
        if !self.fields.is_empty() {
            self.focus = (self.focus + 1) % self.fields.len();
        }
    }

    pub fn prev_field(&mut self) {
        if !self.fields.is_empty() {
            self.focus = (self.focus + self.fields.len() - 1) % self.fields.len();
        }
    }

    /// A key for the focused field; true if it was text editing.
    pub fn handle_key(&mut self, key: &KeyEvent) -> bool {
        match self.fields.get_mut(self.focus) {
            Some(f) => f.field.handle_key(key),
            None => false,
        }
    }

    pub fn paste(&mut self, text: &str) {
        if let Some(f) = self.fields.get_mut(self.focus) {
            f.field.insert_str(text);
        }
    }

    /// Draw centred in `area`; the real cursor goes into the focused field when `focused`.
    pub fn render(&self, frame: &mut Frame, area: Rect, theme: &Theme, lang: Lang, focused: bool) {
        let w = area.width.min(66);
        if w < 20 || area.height < 5 {
            return;
        }
        let inner_w = w.saturating_sub(4) as usize;
        let label_w = self
            .fields
            .iter()
            .map(|f| width(&f.label))
            .max()
            .unwrap_or(0)
            .min(inner_w / 3);
        let error_lines = self
            .error
            .as_deref()
            .map(|e| {
                e.lines()
                    .flat_map(|l| wrap(&clean(l), inner_w))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        let keys = tr(lang, "ui.prompt.keys");
        // A line per field and per hint, the error, a blank line and the keys.
        let hints = self.fields.iter().filter(|f| !f.hint.is_empty()).count();
        let body = self.fields.len() + hints + error_lines.len() + 2;
        let h = (body as u16 + 2).min(area.height);
        let title = fit(&clean(&self.title), inner_w);
        let inner = popup_frame(frame, area, (w, h), &title, theme).inner(Margin::new(1, 0));
        let bottom = inner.y + inner.height;
        let mut y = inner.y;
        let mut cursor = None;
        for (i, f) in self.fields.iter().enumerate() {
            if y >= bottom {
                break;
            }
            let buf = frame.buffer_mut();
            buf.set_stringn(inner.x, y, fit(&f.label, label_w), label_w, theme.title);
            let x = inner.x + label_w as u16 + 1;
            let rect = Rect {
                x,
                y,
                width: (inner.x + inner.width).saturating_sub(x),
                height: 1,
            };
            f.field.render_text(frame.buffer_mut(), rect, theme.input);
            if i == self.focus {
                cursor = Some(f.field.cursor_position(rect));
            }
            y += 1;
            if !f.hint.is_empty() && y < bottom {
                frame.buffer_mut().set_stringn(
                    x,
                    y,
                    fit(&f.hint, rect.width as usize),
                    rect.width as usize,
                    theme.dim,
                );
                y += 1;
            }
        }
        for line in &error_lines {
            if y >= bottom {
                break;
            }
            frame
                .buffer_mut()
                .set_stringn(inner.x, y, line, inner_w, theme.error);
            y += 1;
        }
        if bottom > inner.y {
            frame.buffer_mut().set_stringn(
                inner.x,
                bottom - 1,
                fit(keys, inner_w),
                inner_w,
                theme.dim,
            );
        }
        if focused {
            if let Some(pos) = cursor {
                frame.set_cursor_position(pos);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::{KeyCode, KeyModifiers};

    #[test]
    fn keys_go_to_the_focused_field() {
        let mut p = Prompt::new("Hẹn lại")
            .field("Ngày mới", "dd/mm/yyyy", "", 10)
            .field("Lý do", "", "", 0);
        for c in "1/12/2026".chars() {
            assert!(p.handle_key(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)));
        }
        p.next_field();
        p.paste("bận\nthu hoạch");
        assert_eq!(p.value(0), "1/12/2026");
        assert_eq!(p.value(1), "bận thu hoạch");
        p.next_field();
        assert_eq!(p.focus(), 0);
        assert!(!p.handle_key(&KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
    }
}
