//! A backend wrapper that turns a list scrolling by one row into one terminal scroll.
//!
//! ratatui diffs cells: when a list moves by one row every visible row changes, and the whole
//! list is rewritten (~850 bytes at 80×24, several times the cost of a cursor move inside the
//! page — and over a slow SSH link, visible). This wrapper keeps a copy of what the terminal
//! shows, sees when the new frame is the old one shifted by a row over a band of rows, asks
//! the terminal to scroll that band (DECSTBM + SU/SD, which xterm, PuTTY and the Linux console
//! all know), and then writes only the cells that still differ.
//!
//! The copy is always exactly the screen: ratatui's own diff is applied to it, so cells ratatui
//! did not send are the same on both sides.

use std::io::{self, Write};

use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::{Buffer, Cell};
use ratatui::layout::{Position, Rect, Size};

/// Fewest consecutive shifted rows worth a scroll (a scroll costs ~20 bytes of codes).
const MIN_BAND: usize = 4;

pub struct ScrollBackend<B> {
    inner: B,
    /// What the terminal shows; `None` when unknown (then frames pass straight through).
    screen: Option<Buffer>,
}

impl<B> ScrollBackend<B> {
    pub fn new(inner: B) -> Self {
        ScrollBackend {
            inner,
            screen: None,
        }
    }
}

/// A band of rows whose content moved by one row: `up` means row y now shows old row y+1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Shift {
    top: u16,
    bottom: u16,
    up: bool,
}

fn row(b: &Buffer, y: u16) -> &[Cell] {
    let w = b.area.width as usize;
    let start = y as usize * w;
    &b.content[start..start + w]
}

/// The longest band where `new` is `old` shifted by one row (in either direction), if any.
fn detect_shift(old: &Buffer, new: &Buffer) -> Option<Shift> {
    let h = old.area.height;
    if h < 3 || old.area != new.area {
        return None;
    }
    let mut best: Option<(usize, Shift)> = None;
    for up in [true, false] {
        let mut run_start: Option<u16> = None;
        let mut run_len = 0usize;
        let consider =
            |start: Option<u16>, end: u16, len: usize, best: &mut Option<(usize, Shift)>| {
                if let Some(s) = start {
                    if len >= MIN_BAND && best.is_none_or(|(l, _)| len > l) {
                        // Up: rows s..=end show old s+1..=end+1, so the band reaches end+1.
                        let shift = if up {
                            Shift {
                                top: s,
                                bottom: end + 1,
                                up,
                            }
                        } else {
                            Shift {
                                top: s - 1,
                                bottom: end,
                                up,
                            }
                        };
                        *best = Some((len, shift));
                    }
                }
            };
        let ys: Vec<u16> = if up {
            (0..h - 1).collect()
        } else {
            (1..h).collect()
        };
        let mut last = 0;
        for y in ys {
            let src = if up { y + 1 } else { y - 1 };
            let moved = row(new, y) == row(old, src) && row(new, y) != row(old, y);
            if moved {
                if run_start.is_none() {
                    run_start = Some(y);
                    run_len = 0;
                }
                run_len += 1;
                last = y;
            } else if run_start.is_some() && y > last + 2 {
                // Allow a gap of two rows (the selection leaving or entering) inside a band.
                consider(run_start, last, run_len, &mut best);
                run_start = None;
            }
        }
        consider(run_start, last, run_len, &mut best);
    }
    best.map(|(_, s)| s)
}

/// Moves the rows of `b` the way the terminal does for `s`; the row scrolled in is blank.
fn apply_shift(b: &mut Buffer, s: Shift) {
    let w = b.area.width as usize;
    let (top, bottom) = (s.top as usize, s.bottom as usize);
    if s.up {
        b.content[top * w..(bottom + 1) * w].rotate_left(w);
        b.content[bottom * w..(bottom + 1) * w].fill(Cell::default());
    } else {
        b.content[top * w..(bottom + 1) * w].rotate_right(w);
        b.content[top * w..(top + 1) * w].fill(Cell::default());
    }
}

/// Cells closer than this on one row are joined by rewriting the cells between them: a cursor
/// jump costs ~7 bytes, a narrow letter 1–3.
const MAX_BRIDGE: u16 = 8;

/// Adds the unchanged cells of short gaps between updates on the same row, so the terminal gets
/// one run of text instead of a cursor jump per word. Only narrow (one-column) cells are
/// bridged: a wide character's trailing cell must never be written on its own.
fn bridge_gaps(next: &Buffer, updates: Vec<(u16, u16, &Cell)>) -> Vec<(u16, u16, Cell)> {
    let narrow = |c: &Cell| unicode_width::UnicodeWidthStr::width(c.symbol()) == 1;
    let mut out: Vec<(u16, u16, Cell)> = Vec::with_capacity(updates.len());
    for (x, y, cell) in updates {
        if let Some(&(px, py, ref pc)) = out.last() {
            let gap = x.saturating_sub(px + 1);
            if py == y && x > px + 1 && gap <= MAX_BRIDGE && narrow(pc) {
                let between: Vec<&Cell> = (px + 1..x).map(|gx| &next[(gx, y)]).collect();
                if between.iter().all(|c| narrow(c)) {
                    for (gx, c) in (px + 1..x).zip(between) {
                        out.push((gx, y, c.clone()));
                    }
                }
            }
        }
        out.push((x, y, cell.clone()));
    }
    out
}

impl<B: Backend<Error = io::Error> + Write> Backend for ScrollBackend<B> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let size = self.inner.size()?;
        let area = Rect::new(0, 0, size.width, size.height);
        let Some(mut screen) = self.screen.take().filter(|s| s.area == area) else {
            return self.inner.draw(content);
        };
        let mut next = screen.clone();
        for (x, y, cell) in content {
            if x < area.width && y < area.height {
                next[(x, y)] = cell.clone();
            }
        }
        if let Some(s) = detect_shift(&screen, &next) {
            // Reset attributes first: the row scrolled in takes the current background.
            write!(
                self.inner,
                "\x1b[0m\x1b[{};{}r\x1b[1{}\x1b[r",
                s.top + 1,
                s.bottom + 1,
                if s.up { 'S' } else { 'T' }
            )?;
            apply_shift(&mut screen, s);
        }
        let updates = bridge_gaps(&next, screen.diff(&next));
        self.inner
            .draw(updates.iter().map(|(x, y, c)| (*x, *y, c)))?;
        self.screen = Some(next);
        Ok(())
    }

    fn append_lines(&mut self, n: u16) -> io::Result<()> {
        self.screen = None;
        self.inner.append_lines(n)
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        self.inner.hide_cursor()
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        self.inner.show_cursor()
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        self.inner.get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        self.inner.set_cursor_position(position)
    }

    fn clear(&mut self) -> io::Result<()> {
        self.inner.clear()?;
        let size = self.inner.size()?;
        self.screen = Some(Buffer::empty(Rect::new(0, 0, size.width, size.height)));
        Ok(())
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        self.inner.clear_region(clear_type)?;
        self.screen = match clear_type {
            ClearType::All => {
                let size = self.inner.size()?;
                Some(Buffer::empty(Rect::new(0, 0, size.width, size.height)))
            }
            _ => None,
        };
        Ok(())
    }

    fn size(&self) -> io::Result<Size> {
        self.inner.size()
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        self.inner.window_size()
    }

    fn flush(&mut self) -> io::Result<()> {
        Backend::flush(&mut self.inner)
    }
}

impl<B: Write> Write for ScrollBackend<B> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::backend::CrosstermBackend;
    use ratatui::widgets::{List, ListItem, ListState, Paragraph, StatefulWidget};
    use ratatui::Terminal;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);
    impl Write for Shared {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// A crossterm backend writing into memory, with a fixed 40×12 size.
    struct MemBackend(CrosstermBackend<Shared>);
    impl Write for MemBackend {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0.write(b)
        }
        fn flush(&mut self) -> io::Result<()> {
            Write::flush(&mut self.0)
        }
    }
    impl Backend for MemBackend {
        type Error = io::Error;
        fn draw<'a, I: Iterator<Item = (u16, u16, &'a Cell)>>(&mut self, c: I) -> io::Result<()> {
            self.0.draw(c)
        }
        fn hide_cursor(&mut self) -> io::Result<()> {
            self.0.hide_cursor()
        }
        fn show_cursor(&mut self) -> io::Result<()> {
            self.0.show_cursor()
        }
        fn get_cursor_position(&mut self) -> io::Result<Position> {
            Ok(Position::new(0, 0))
        }
        fn set_cursor_position<P: Into<Position>>(&mut self, p: P) -> io::Result<()> {
            self.0.set_cursor_position(p)
        }
        fn clear(&mut self) -> io::Result<()> {
            self.0.clear()
        }
        fn clear_region(&mut self, t: ClearType) -> io::Result<()> {
            self.0.clear_region(t)
        }
        fn size(&self) -> io::Result<Size> {
            Ok(Size::new(40, 12))
        }
        fn window_size(&mut self) -> io::Result<WindowSize> {
            Ok(WindowSize {
                columns_rows: Size::new(40, 12),
                pixels: Size::new(0, 0),
            })
        }
        fn flush(&mut self) -> io::Result<()> {
            Backend::flush(&mut self.0)
        }
    }

    fn frame(
        term: &mut Terminal<ScrollBackend<MemBackend>>,
        out: &Shared,
        offset: usize,
        selected: usize,
    ) -> usize {
        let before = out.0.lock().unwrap().len();
        term.draw(|f| {
            let items: Vec<ListItem> = (0..100)
                .map(|i| ListItem::new(format!("Cơ sở số {i} — Làng nghề")))
                .collect();
            let mut state = ListState::default()
                .with_offset(offset)
                .with_selected(Some(selected));
            f.render_widget(Paragraph::new("CTV │ tiêu đề"), Rect::new(0, 0, 40, 1));
            StatefulWidget::render(
                List::new(items).highlight_symbol("› "),
                Rect::new(0, 1, 40, 10),
                f.buffer_mut(),
                &mut state,
            );
            f.render_widget(Paragraph::new("F1 Trợ giúp"), Rect::new(0, 11, 40, 1));
        })
        .unwrap();
        out.0.lock().unwrap().len() - before
    }

    fn screen_rows(out: &Shared) -> Vec<String> {
        let mut parser = vt100::Parser::new(12, 40, 0);
        parser.process(&out.0.lock().unwrap());
        parser.screen().rows(0, 40).collect()
    }

    #[test]
    fn a_one_row_scroll_is_a_terminal_scroll_and_the_screen_stays_exact() {
        let out = Shared::default();
        let mut term = Terminal::new(ScrollBackend::new(MemBackend(CrosstermBackend::new(
            out.clone(),
        ))))
        .unwrap();
        term.clear().unwrap();
        frame(&mut term, &out, 0, 9);
        let mut worst = 0;
        for step in 1..20 {
            worst = worst.max(frame(&mut term, &out, step, 9 + step));
        }
        // Scroll back up too.
        for step in (10..19).rev() {
            worst = worst.max(frame(&mut term, &out, step, step));
        }
        let rows = screen_rows(&out);
        assert!(rows[0].starts_with("CTV │ tiêu đề"), "{rows:#?}");
        assert!(rows[11].starts_with("F1 Trợ giúp"), "{rows:#?}");
        assert!(rows[1].starts_with("› Cơ sở số 10 "), "{rows:#?}");
        assert!(rows[10].starts_with("  Cơ sở số 19 "), "{rows:#?}");
        let raw = out.0.lock().unwrap().clone();
        assert!(
            raw.windows(4).any(|w| w == b"\x1b[1S"),
            "a terminal scroll was used"
        );
        assert!(
            raw.windows(4).any(|w| w == b"\x1b[1T"),
            "a reverse scroll was used"
        );
        assert!(worst < 200, "a one-row scroll cost {worst} bytes");
    }

    #[test]
    fn shifts_are_detected_in_both_directions() {
        let area = Rect::new(0, 0, 4, 8);
        let mut old = Buffer::empty(area);
        for y in 0..8 {
            old.set_string(0, y, format!("r{y}"), ratatui::style::Style::default());
        }
        let mut up = old.clone();
        apply_shift(
            &mut up,
            Shift {
                top: 1,
                bottom: 6,
                up: true,
            },
        );
        assert_eq!(
            detect_shift(&old, &up),
            Some(Shift {
                top: 1,
                bottom: 6,
                up: true
            })
        );
        let mut down = old.clone();
        apply_shift(
            &mut down,
            Shift {
                top: 1,
                bottom: 6,
                up: false,
            },
        );
        assert_eq!(
            detect_shift(&old, &down),
            Some(Shift {
                top: 1,
                bottom: 6,
                up: false
            })
        );
        assert_eq!(detect_shift(&old, &old), None);
    }
}
