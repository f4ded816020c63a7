//! A yes/no dialog. The default answer is No, so a stray Enter never discards or archives.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};
use ratatui::Frame;

use super::{clean, popup_frame, width};
use crate::ui::keymap::Action;
use crate::ui::theme::Theme;
use crate::words::{tr, Lang};

/// The dialog; `tag` says what a Yes will do (the app decides).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmDialog<T> {
    pub message: String,
    pub yes_focused: bool,
    pub tag: T,
}

/// What a key did to the dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfirmOutcome {
    Open,
    Yes,
    No,
}

impl<T> ConfirmDialog<T> {
    pub fn new(message: impl Into<String>, tag: T) -> ConfirmDialog<T> {
        ConfirmDialog {
            message: message.into(),
            yes_focused: false,
            tag,
        }
    }

    pub fn apply(&mut self, action: Action) -> ConfirmOutcome {
        match action {
            Action::Yes => ConfirmOutcome::Yes,
            Action::No | Action::Back => ConfirmOutcome::No,
            Action::Open => {
                if self.yes_focused {
                    ConfirmOutcome::Yes
                } else {
                    ConfirmOutcome::No
                }
            }
            Action::NextField | Action::PrevField => {
                self.yes_focused = !self.yes_focused;
                ConfirmOutcome::Open
            }
            _ => ConfirmOutcome::Open,
        }
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, theme: &Theme, lang: Lang) {
        let w = (width(&self.message) as u16 + 6).clamp(30, 60);
        let text_w = w.saturating_sub(4).max(1) as usize;
        let text_lines = width(&self.message).div_ceil(text_w).max(1) as u16;
        let title = tr(lang, "ui.confirm.title");
        let inner = popup_frame(frame, area, (w, text_lines + 5), title, theme);
        let yes = format!("[ {} ]", tr(lang, "ui.action.yes"));
        let no = format!("[ {} ]", tr(lang, "ui.action.no"));
        let (ys, ns) = if self.yes_focused {
            (theme.button_focused, theme.button)
        } else {
            (theme.button, theme.button_focused)
        };
        let buttons = Line::from(vec![
            Span::styled(yes, ys),
            Span::raw("   "),
            Span::styled(no, ns),
        ])
        .centered();
        let mut lines: Vec<Line> = vec![Line::from(clean(&self.message))];
        lines.push(Line::default());
        lines.push(buttons);
        Paragraph::new(lines).wrap(Wrap { trim: true }).render(
            inner.inner(ratatui::layout::Margin::new(1, 0)),
            frame.buffer_mut(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_no() {
        let mut d = ConfirmDialog::new("Bỏ thay đổi?", ());
        assert_eq!(d.apply(Action::Open), ConfirmOutcome::No);
        assert_eq!(d.apply(Action::NextField), ConfirmOutcome::Open);
        assert_eq!(d.apply(Action::Open), ConfirmOutcome::Yes);
        assert_eq!(d.apply(Action::Back), ConfirmOutcome::No);
        assert_eq!(d.apply(Action::Yes), ConfirmOutcome::Yes);
    }
}
