//! A single-line text field on `tui-input` (grapheme-aware editing).
//!
//! Vietnamese input methods (Unikey, EVKey, fcitx) rewrite a syllable by sending backspaces
//! then the composed letter, and some send byte 0x08, which crossterm reports as Ctrl+H. So:
//! Ctrl+H, Backspace and 0x7F all delete one grapheme; every key is applied at once, none is
//! dropped or debounced; and the real terminal cursor is placed at the insertion point,
//! where input methods draw their pre-edit text.

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::Frame;
use tui_input::{Input, InputRequest};
use unicode_normalization::UnicodeNormalization;
use unicode_width::UnicodeWidthStr;

#[derive(Debug, Clone, Default)]
pub struct TextField {
    input: Input,
    /// Maximum number of characters (0 = no limit).
    max_chars: usize,
}

impl TextField {
    pub fn new() -> TextField {
        TextField::default()
    }

    pub fn with_value(value: &str) -> TextField {
        TextField {
            input: Input::new(value.nfc().collect()),
            max_chars: 0,
        }
    }

    pub fn with_max_chars(mut self, max: usize) -> TextField {
        self.max_chars = max;
        self
    }

    pub fn value(&self) -> &str {
        self.input.value()
    }

    pub fn set_value(&mut self, value: &str) {
        self.input = Input::new(value.nfc().collect());
    }

    pub fn clear(&mut self) {
        self.input.reset();
    }

    /// Cursor position in display columns from the start of the text (wide characters count 2).
    pub fn cursor_column(&self) -> usize {
        self.input.visual_cursor()
    }

    /// Apply a key. Returns true if the field used it (then it must not run a command).
    pub fn handle_key(&mut self, key: &KeyEvent) -> bool {
        if key.kind == KeyEventKind::Release {
            return false;
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        let req = match key.code {
            KeyCode::Backspace if alt || ctrl => InputRequest::DeletePrevWord,
            KeyCode::Backspace => InputRequest::DeletePrevChar,
            // 0x08 and 0x7F, however the terminal reported them.
            KeyCode::Char('h') if ctrl && !alt => InputRequest::DeletePrevChar,
            KeyCode::Char('\u{8}') | KeyCode::Char('\u{7f}') => InputRequest::DeletePrevChar,
            KeyCode::Delete if ctrl => InputRequest::DeleteNextWord,
            KeyCode::Delete => InputRequest::DeleteNextChar,
            KeyCode::Left if ctrl || alt => InputRequest::GoToPrevWord,
            KeyCode::Left => InputRequest::GoToPrevChar,
            KeyCode::Right if ctrl || alt => InputRequest::GoToNextWord,
            KeyCode::Right => InputRequest::GoToNextChar,
            KeyCode::Home => InputRequest::GoToStart,
            KeyCode::End => InputRequest::GoToEnd,
            KeyCode::Char(c) if ctrl && !alt => match c.to_ascii_lowercase() {
                'a' => InputRequest::GoToStart,
                'e' => InputRequest::GoToEnd,
                'b' => InputRequest::GoToPrevChar,
                'f' => InputRequest::GoToNextChar,
                'u' => InputRequest::DeleteLine,
                'w' => InputRequest::DeletePrevWord,
                'k' => InputRequest::DeleteTillEnd,
                'd' => InputRequest::DeleteNextChar,
                _ => return false,
            },
            // Ctrl+Alt+char is AltGr on Windows keyboards: text.
            KeyCode::Char(c) if !alt || ctrl => {
                if c.is_control() {
                    return false;
                }
                self.insert_char(c);
                return true;
            }
            _ => return false,
        };
        self.input.handle(req);
        true
    }

    /// Insert pasted (or otherwise external) text: NFC, line breaks and tabs become spaces,
    /// other control characters are dropped.
    pub fn insert_str(&mut self, text: &str) {
        let clean: String = text
            .replace("\r\n", "\n")
            .nfc()
            .filter_map(|c| match c {
                '\r' | '\n' | '\t' => Some(' '),
                c if c.is_control() => None,
                c => Some(c),
            })
            .collect();
        for c in clean.chars() {
            self.insert_char(c);
        }
        self.renormalize();
    }

    fn insert_char(&mut self, c: char) {
        if self.max_chars > 0 && self.input.value().chars().count() >= self.max_chars {
            return;
        }
        self.input.handle(InputRequest::InsertChar(c));
        if !c.is_ascii() {
            // A combining mark typed after its letter: keep the text in NFC.
            self.renormalize();
        }
    }

    /// Re-compose the text before the cursor to NFC, keeping the cursor after the same text.
    fn renormalize(&mut self) {
        let value = self.input.value();
        let split = value
            .char_indices()
            .nth(self.input.cursor())
            .map(|(i, _)| i)
            .unwrap_or(value.len());
        let (raw_before, raw_after) = value.split_at(split);
        let before: String = raw_before.nfc().collect();
        let after: String = raw_after.nfc().collect();
        if before == raw_before && after == raw_after {
            return; // already NFC
        }
        let cursor = before.chars().count();
        self.input = Input::new(format!("{before}{after}")).with_cursor(cursor);
    }

    /// Draw the text into `area` (one line), scrolled so the cursor is visible.
    pub fn render_text(&self, buf: &mut Buffer, area: Rect, style: Style) {
        if area.width == 0 || area.height == 0 {
            return;
        }
        let area = Rect { height: 1, ..area };
        buf.set_style(area, style);
        let scroll = self
            .input
            .visual_scroll(area.width.saturating_sub(1) as usize);
        let mut skipped = 0usize;
        let mut start = 0usize;
        for (i, g) in
            unicode_segmentation::UnicodeSegmentation::grapheme_indices(self.value(), true)
        {
            if skipped >= scroll {
                start = i;
                break;
            }
            skipped += g.width();
            start = i + g.len();
        }
        let visible = self.value().get(start..).unwrap_or("");
        buf.set_stringn(area.x, area.y, visible, area.width as usize, style);
    }

    /// Where the terminal cursor belongs when the field is drawn in `area`.
    pub fn cursor_position(&self, area: Rect) -> Position {
        let width = area.width.saturating_sub(1) as usize;
        let scroll = self.input.visual_scroll(width);
        let col = self.input.visual_cursor().saturating_sub(scroll).min(width);
        Position::new(area.x + col as u16, area.y)
    }

    /// Draw the field and, when focused, put the real cursor at the insertion point.
    pub fn render(&self, frame: &mut Frame, area: Rect, style: Style, focused: bool) {
        self.render_text(frame.buffer_mut(), area, style);
        if focused && area.width > 0 && area.height > 0 {
            frame.set_cursor_position(self.cursor_position(area));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ch(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    fn replay(bs: KeyEvent) -> String {
        let mut f = TextField::new();
        for k in crate::ui::widgets::ime_typing_viet(bs) {
            assert!(f.handle_key(&k));
        }
        f.value().to_string()
    }

    #[test]
    fn ime_replay_with_ctrl_h() {
        assert_eq!(
            replay(KeyEvent::new(KeyCode::Char('h'), KeyModifiers::CONTROL)),
            "việt"
        );
    }

    #[test]
    fn ime_replay_with_backspace() {
        assert_eq!(
            replay(KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE)),
            "việt"
        );
        assert_eq!(replay(ch('\u{7f}')), "việt");
    }

    #[test]
    fn paste_is_nfc() {
        let mut f = TextField::new();
        f.insert_str("Vie\u{0323}\u{0302}t");
        assert_eq!(f.value(), "Việt");
        assert_eq!(f.value().chars().count(), 4);
        assert_eq!(f.cursor_column(), 4);
    }

    #[test]
    fn combining_mark_typed_after_letter_composes() {
        let mut f = TextField::new();
        for k in [
            ch('V'),
            ch('i'),
            ch('e'),
            ch('\u{0323}'),
            ch('\u{0302}'),
            ch('t'),
        ] {
            f.handle_key(&k);
        }
        assert_eq!(f.value(), "Việt");
    }

    #[test]
    fn cursor_counts_wide_characters() {
        let mut f = TextField::new();
        f.insert_str("越南a");
        assert_eq!(f.cursor_column(), 5);
        let pos = f.cursor_position(Rect::new(10, 3, 20, 1));
        assert_eq!(pos, Position::new(15, 3));
    }

    #[test]
    fn paste_drops_control_characters() {
        let mut f = TextField::new();
        f.insert_str("a\u{1b}[31mb\r\nc");
        assert_eq!(f.value(), "a[31mb c");
    }
}
