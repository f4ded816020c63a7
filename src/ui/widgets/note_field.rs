//! A multi-line text field (notes, rationale…): Enter is a new line, long lines wrap at
//! word boundaries, ↑/↓ leave it from the first/last row.

use std::cell::Cell;

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

use super::clean;

/// Most characters a multi-line field takes (the core's own limits are checked on save).
const MAX_NOTES: usize = 4000;

/// A multi-line text field: Enter is a new line; Backspace, Ctrl+H (an input method's 0x08)
/// and 0x7F delete one grapheme; ←/→ move by grapheme; ↑/↓ move by screen row and report
/// "not used" at the first/last row so the form can move to another field. Long lines wrap
/// at word boundaries. Text is kept in NFC; pasted line breaks are kept.
#[derive(Debug, Clone, Default)]
pub struct NoteField {
    text: String,
    /// Byte offset, always on a grapheme boundary.
    cursor: usize,
    max_chars: usize,
    /// Wrap width of the last draw, for ↑/↓ (view state, like a list's scroll offset).
    width: Cell<usize>,
}

impl NoteField {
    pub fn with_value(value: &str) -> NoteField {
        let mut f = NoteField {
            max_chars: MAX_NOTES,
            width: Cell::new(40),
            ..NoteField::default()
        };
        f.text = normalize_notes(value);
        f.cursor = f.text.len();
        f
    }

    pub fn value(&self) -> &str {
        &self.text
    }

    /// (row, column) of the cursor on screen when wrapped to `width` cells.
    pub fn cursor_row_col(&self, width: usize) -> (usize, usize) {
        let rows = self.rows(width);
        let r = rows
            .iter()
            .rposition(|&(s, _)| s <= self.cursor)
            .unwrap_or(0);
        let start = rows.get(r).map_or(0, |&(s, _)| s);
        let col = self.text.get(start..self.cursor).map_or(0, |t| t.width());
        (r, col)
    }

    /// Number of screen rows at `width`.
    pub fn row_count(&self, width: usize) -> usize {
        self.rows(width).len()
    }

    pub fn handle_key(&mut self, key: &KeyEvent) -> bool {
        if key.kind == KeyEventKind::Release {
            return false;
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        match key.code {
            KeyCode::Enter => self.insert_char('\n'),
            KeyCode::Backspace if ctrl || alt => self.delete_prev_word(),
            KeyCode::Backspace => self.delete_prev(),
            KeyCode::Char('h') if ctrl && !alt => self.delete_prev(),
            KeyCode::Char('\u{8}') | KeyCode::Char('\u{7f}') => self.delete_prev(),
            KeyCode::Delete => self.delete_next(),
            KeyCode::Left => self.cursor = self.prev_boundary(),
            KeyCode::Right => self.cursor = self.next_boundary(),
            KeyCode::Home => self.cursor = self.line_start(),
            KeyCode::End => self.cursor = self.line_end(),
            KeyCode::Up => return self.move_row(false),
            KeyCode::Down => return self.move_row(true),
            KeyCode::Char(c) if ctrl && !alt => match c.to_ascii_lowercase() {
                'a' => self.cursor = self.line_start(),
                'e' => self.cursor = self.line_end(),
                'b' => self.cursor = self.prev_boundary(),
                'f' => self.cursor = self.next_boundary(),
                'w' => self.delete_prev_word(),
                'u' => {
                    let s = self.line_start();
                    self.text.replace_range(s..self.cursor, "");
                    self.cursor = s;
                }
                'k' => {
                    let e = self.line_end();
                    self.text.replace_range(self.cursor..e, "");
                }
                'd' => self.delete_next(),
                _ => return false,
            },
            // Ctrl+Alt+char is AltGr on Windows keyboards: text.
            KeyCode::Char(c) if !alt || ctrl => {
                if c.is_control() {
                    return false;
                }
                self.insert_char(c);
            }
            _ => return false,
        }
        true
    }

    /// Pasted text: NFC, line breaks kept (CRLF → LF), tabs → space, other controls dropped.
    pub fn insert_str(&mut self, text: &str) {
        for c in normalize_notes(text).chars() {
            self.insert_char(c);
        }
    }

    fn insert_char(&mut self, c: char) {
        if self.max_chars > 0 && self.text.chars().count() >= self.max_chars {
            return;
        }
        self.text.insert(self.cursor, c);
        self.cursor += c.len_utf8();
        if !c.is_ascii() {
            // A combining mark typed after its letter: keep the text in NFC.
            let before = crate::text::nfc(&self.text[..self.cursor]);
            let after = crate::text::nfc(&self.text[self.cursor..]);
            self.cursor = before.len();
            self.text = before + &after;
        }
    }

    fn prev_boundary(&self) -> usize {
        self.text[..self.cursor]
            .grapheme_indices(true)
            .next_back()
            .map_or(0, |(i, _)| i)
    }

    fn next_boundary(&self) -> usize {
        self.text[self.cursor..]
            .graphemes(true)
            .next()
            .map_or(self.cursor, |g| self.cursor + g.len())
    }

    fn line_start(&self) -> usize {
        self.text[..self.cursor].rfind('\n').map_or(0, |i| i + 1)
    }

    fn line_end(&self) -> usize {
        self.text[self.cursor..]
            .find('\n')
            .map_or(self.text.len(), |i| self.cursor + i)
    }

    fn delete_prev(&mut self) {
        let p = self.prev_boundary();
        self.text.replace_range(p..self.cursor, "");
        self.cursor = p;
    }

    fn delete_next(&mut self) {
        let n = self.next_boundary();
        self.text.replace_range(self.cursor..n, "");
    }

    fn delete_prev_word(&mut self) {
        let before = &self.text[..self.cursor];
        let trimmed = before.trim_end_matches(' ');
        let start = trimmed
            .rfind([' ', '\n'])
            .map_or(0, |i| i + 1)
            .min(trimmed.len());
        // At the start of a line, join it with the previous one.
        let start = if start == self.cursor {
            self.prev_boundary()
        } else {
            start
        };
        self.text.replace_range(start..self.cursor, "");
        self.cursor = start;
    }

    fn move_row(&mut self, down: bool) -> bool {
        let width = self.width.get().max(1);
        let rows = self.rows(width);
        let (r, col) = self.cursor_row_col(width);
        let target = if down {
            if r + 1 >= rows.len() {
                return false;
            }
            r + 1
        } else {
            if r == 0 {
                return false;
            }
            r - 1
        };
        let (start, end) = rows[target];
        let mut pos = start;
        let mut used = 0;
        for (i, g) in self.text[start..end].grapheme_indices(true) {
            let w = g.width();
            if used + w > col {
                break;
            }
            used += w;
            pos = start + i + g.len();
        }
        // The end of a soft-wrapped row is drawn at the start of the next one: stay before it.
        let soft = rows.get(target + 1).is_some_and(|&(s, _)| s == end);
        if soft && pos == end && pos > start {
            pos = self.text[start..end]
                .grapheme_indices(true)
                .next_back()
                .map_or(start, |(i, _)| start + i);
        }
        self.cursor = pos;
        true
    }

    /// Byte ranges of the screen rows at `width` cells (line breaks excluded).
    fn rows(&self, width: usize) -> Vec<(usize, usize)> {
        let width = width.max(1);
        let mut rows = Vec::new();
        let mut offset = 0;
        for line in self.text.split('\n') {
            let mut row_start = 0;
            let mut used = 0;
            let mut last_break: Option<usize> = None;
            for (i, g) in line.grapheme_indices(true) {
                let w = g.width();
                while used + w > width && i > row_start {
                    let cut = match last_break {
                        Some(b) if b > row_start && b <= i => b,
                        _ => i,
                    };
                    rows.push((offset + row_start, offset + cut));
                    row_start = cut;
                    used = line[row_start..i].width();
                    last_break = None;
                }
                used += w;
                if g == " " {
                    last_break = Some(i + g.len());
                }
            }
            rows.push((offset + row_start, offset + line.len()));
            offset += line.len() + 1;
        }
        rows
    }

    /// Draw into `area` (as many rows as it has), scrolled to the cursor; returns where the
    /// terminal cursor belongs.
    pub fn render_text(&self, buf: &mut Buffer, area: Rect, style: Style) -> Position {
        self.draw(buf, area, style, true)
    }

    /// Draw a field that is not being edited: its first rows, wherever the cursor was left.
    pub fn render_idle(&self, buf: &mut Buffer, area: Rect, style: Style) {
        self.draw(buf, area, style, false);
    }

    fn draw(&self, buf: &mut Buffer, area: Rect, style: Style, at_cursor: bool) -> Position {
        let width = (area.width as usize).saturating_sub(1).max(1);
        self.width.set(width);
        buf.set_style(area, style);
        let rows = self.rows(width);
        let (r, col) = self.cursor_row_col(width);
        let height = (area.height as usize).max(1);
        let top = if at_cursor {
            (r + 1).saturating_sub(height)
        } else {
            0
        };
        for (i, &(s, e)) in rows.iter().skip(top).take(height).enumerate() {
            let line = clean(&self.text[s..e]);
            buf.set_stringn(area.x, area.y + i as u16, line, area.width as usize, style);
        }
        Position::new(
            area.x + col.min(width) as u16,
            area.y + r.saturating_sub(top).min(height - 1) as u16,
        )
    }
}

fn normalize_notes(s: &str) -> String {
    let s = s.replace("\r\n", "\n").replace('\r', "\n");
    let s: String = s
        .chars()
        .filter_map(|c| match c {
            '\n' => Some('\n'),
            '\t' => Some(' '),
            c if crate::text::is_control_char(c) => None,
            c => Some(c),
        })
        .collect();
    crate::text::nfc(&s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ch(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn notes_take_newlines_and_ime_backspaces() {
        let mut n = NoteField::with_value("");
        let bs = KeyEvent::new(KeyCode::Char('h'), KeyModifiers::CONTROL);
        let typed = crate::ui::widgets::ime_typing_viet(bs);
        for k in typed.iter().chain(&[key(KeyCode::Enter), ch('x')]) {
            assert!(n.handle_key(k));
        }
        assert_eq!(n.value(), "việt\nx");
    }

    #[test]
    fn notes_wrap_and_move_by_row() {
        let mut n = NoteField::with_value("một hai ba bốn năm");
        n.width.set(8);
        assert_eq!(n.row_count(8), 3);
        assert_eq!(n.cursor_row_col(8), (2, 3)); // "một hai " / "ba bốn " / "năm"
        assert!(n.handle_key(&key(KeyCode::Up)));
        assert_eq!(n.cursor_row_col(8).0, 1);
        assert!(n.handle_key(&key(KeyCode::Up)));
        assert!(
            !n.handle_key(&key(KeyCode::Up)),
            "first row: the form moves on"
        );
        assert!(n.handle_key(&key(KeyCode::Down)));
        assert!(n.handle_key(&key(KeyCode::Down)));
        assert!(!n.handle_key(&key(KeyCode::Down)));
    }

    #[test]
    fn notes_paste_keeps_lines_and_composes() {
        let mut n = NoteField::with_value("");
        n.insert_str("Vie\u{0323}\u{0302}t\r\nNam\u{1b}");
        assert_eq!(n.value(), "Việt\nNam");
        assert!(n.handle_key(&key(KeyCode::Left)));
        assert!(n.handle_key(&key(KeyCode::Home)));
        assert!(n.handle_key(&KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE)));
        assert_eq!(n.value(), "ViệtNam");
    }

    #[test]
    fn a_field_left_shows_its_first_lines_not_its_last() {
        // Issue 16: a multi-line field showed its last lines when not focused.
        let n = NoteField::with_value("một\nhai\nba\nbốn");
        let area = Rect::new(0, 0, 10, 2);
        let mut buf = Buffer::empty(area);
        n.render_idle(&mut buf, area, Style::default());
        let row = |y: u16| -> String {
            (0..10)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
                .trim_end()
                .to_string()
        };
        assert_eq!((row(0), row(1)), ("một".to_string(), "hai".to_string()));
        // Being edited, it follows the cursor (at the end).
        let mut buf2 = Buffer::empty(area);
        n.render_text(&mut buf2, area, Style::default());
        assert_eq!(buf2[(0, 1)].symbol(), "b");
    }

    #[test]
    fn long_word_is_cut() {
        let n = NoteField::with_value("abcdefghij");
        assert_eq!(n.rows(4), vec![(0, 4), (4, 8), (8, 10)]);
    }
}
