//! The "someone else saved this record meanwhile" dialog the forms show over themselves when
//! a save meets a newer version (the core's `StoreError::Conflict`).
//!
//! It lists, field by field, the stored value ("theirs": who saved it and when) beside the
//! value in the form ("yours"), and offers three ways on: back to editing (the default, so a
//! stray Enter changes nothing), overwrite knowingly (save the form over the new version),
//! and reload (take the stored record, after the app's yes/no question). The form keeps
//! every typed value while the dialog is open; nothing is ever overwritten silently.

use ratatui::layout::Rect;
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

use super::bars::wrap;
use super::{clean, fit, popup_frame};
use crate::store::Store;
use crate::ui::keymap::{Action, Context, Keymap};
use crate::ui::theme::Theme;
use crate::words::{tr, trf, Lang};

/// One field whose stored value differs from the form's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConflictRow {
    pub label: String,
    pub theirs: String,
    pub mine: String,
}

/// What the user chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConflictChoice {
    /// Close the dialog; the form keeps its text (a later save meets the conflict again).
    Edit,
    /// Save the form over the stored version (with that version as the expected one).
    Overwrite,
    /// Take the stored record instead of the form (the screen asks first).
    Reload,
}

const CHOICES: [ConflictChoice; 3] = [
    ConflictChoice::Edit,
    ConflictChoice::Overwrite,
    ConflictChoice::Reload,
];

/// The dialog's state. `R` is the stored record, kept for a reload.
#[derive(Debug, Clone)]
pub struct ConflictDialog<R> {
    pub rows: Vec<ConflictRow>,
    /// Who saved the stored version (a name), and when (local time).
    pub who: String,
    pub when: String,
    /// The stored version: an overwrite expects it.
    pub found: i64,
    pub stored: R,
    focus: usize,
}

impl<R> ConflictDialog<R> {
    /// `rows` are (label, theirs, mine) for every field of the form; only those that differ
    /// are kept. `updated_by`/`updated_at` are the stored record's.
    pub fn new(
        store: &Store,
        rows: Vec<ConflictRow>,
        updated_by: &str,
        updated_at: &str,
        found: i64,
        stored: R,
    ) -> ConflictDialog<R> {
        ConflictDialog {
            rows: rows.into_iter().filter(|r| r.theirs != r.mine).collect(),
            who: store.actor_name(updated_by),
            when: crate::words::format::local_time(updated_at),
            found,
            stored,
            focus: 0,
        }
    }

    pub fn focused(&self) -> ConflictChoice {
        CHOICES[self.focus % CHOICES.len()]
    }

    /// A key in the dialog (keymap `Context::Confirm`): Some when a choice is made.
    pub fn apply(&mut self, action: Action) -> Option<ConflictChoice> {
        match action {
            Action::NextField => {
                self.focus = (self.focus + 1) % CHOICES.len();
                None
            }
            Action::PrevField => {
                self.focus = (self.focus + CHOICES.len() - 1) % CHOICES.len();
                None
            }
            Action::Open => Some(self.focused()),
            Action::No | Action::Back => Some(ConflictChoice::Edit),
            _ => None,
        }
    }

    /// The actions the dialog honours (footer, help, palette).
    pub fn handles(action: Action) -> bool {
        matches!(
            action,
            Action::No | Action::Open | Action::NextField | Action::PrevField
        )
    }

    pub fn render(
        &self,
        frame: &mut Frame,
        area: Rect,
        theme: &Theme,
        lang: Lang,
        keymap: &Keymap,
    ) {
        let w = area.width.saturating_sub(2).min(78);
        let text_w = w.saturating_sub(4).max(8) as usize;
        let mut lines: Vec<(ratatui::style::Style, String)> = Vec::new();
        let intro = trf(
            lang,
            "ui.conflict.intro",
            &[&clean(&self.who), &self.when, &self.found],
        );
        for l in wrap(&intro, text_w) {
            lines.push((theme.base, l));
        }
        lines.push((theme.base, String::new()));
        if self.rows.is_empty() {
            for l in wrap(tr(lang, "ui.conflict.same"), text_w) {
                lines.push((theme.base, l));
            }
        } else {
            // Three columns: the field, theirs, yours.
            let label_w = self
                .rows
                .iter()
                .map(|r| r.label.width())
                .max()
                .unwrap_or(0)
                .clamp(8, 20)
                .min(text_w / 3);
            let value_w = text_w.saturating_sub(label_w + 4) / 2;
            let cell = |s: &str, w: usize| {
                let s = fit(&clean(s), w);
                let pad = w.saturating_sub(s.width());
                format!("{s}{}", " ".repeat(pad))
            };
            let heading = format!(
                "{}  {}  {}",
                cell("", label_w),
                cell(tr(lang, "ui.conflict.theirs"), value_w),
                cell(tr(lang, "ui.conflict.mine"), value_w)
            );
            lines.push((theme.dim, heading));
            for r in &self.rows {
                let empty = tr(lang, "ui.conflict.empty");
                let or_empty = |s: &str| {
                    if s.trim().is_empty() {
                        empty.to_string()
                    } else {
                        s.replace('\n', " ⏎ ")
                    }
                };
                lines.push((
                    theme.base,
                    format!(
                        "{}  {}  {}",
                        cell(&r.label, label_w),
                        cell(&or_empty(&r.theirs), value_w),
                        cell(&or_empty(&r.mine), value_w)
                    ),
                ));
            }
        }
        let hint = keymap.hint(
            lang,
            "ui.conflict.keys",
            Context::Confirm,
            &[Action::Open, Action::NextField, Action::No],
        );
        let hint_lines = wrap(&hint, text_w);
        let buttons: Vec<String> = [
            "ui.conflict.edit",
            "ui.conflict.overwrite",
            "ui.conflict.reload",
        ]
        .iter()
        .map(|k| format!("[ {} ]", tr(lang, k)))
        .collect();
        let h = (lines.len() + hint_lines.len() + buttons.len() + 4) as u16;
        let inner = popup_frame(frame, area, (w, h), tr(lang, "ui.conflict.title"), theme);
        if inner.height < 3 || inner.width < 6 {
            return;
        }
        let buf = frame.buffer_mut();
        let x = inner.x + 1;
        let max_y = inner.y + inner.height;
        // Keep the choices and the key hint; cut the field list if the screen is short.
        let reserved = (hint_lines.len() + buttons.len() + 1) as u16;
        let room = max_y.saturating_sub(reserved).saturating_sub(inner.y) as usize;
        let shown = if lines.len() > room {
            room.saturating_sub(1)
        } else {
            lines.len()
        };
        let mut y = inner.y;
        for (style, l) in lines.iter().take(shown) {
            buf.set_stringn(x, y, l, text_w, *style);
            y += 1;
        }
        if shown < lines.len() {
            let more = trf(lang, "ui.conflict.more", &[&(lines.len() - shown)]);
            buf.set_stringn(x, y, fit(&more, text_w), text_w, theme.dim);
        }
        let by = max_y.saturating_sub(reserved);
        for (i, b) in buttons.iter().enumerate() {
            let style = if i == self.focus {
                theme.button_focused
            } else {
                theme.button
            };
            buf.set_stringn(x, by + i as u16, b, text_w, style);
        }
        for (k, l) in hint_lines.iter().enumerate() {
            let yy = by + buttons.len() as u16 + 1 + k as u16;
            if yy < max_y {
                buf.set_stringn(x, yy, l, text_w, theme.dim);
            }
        }
    }
}
