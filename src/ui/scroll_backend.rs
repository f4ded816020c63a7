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
//!
//! The wrapper also remembers where it left the cursor and answers ratatui's
//! `get_cursor_position` from that memory: it never asks the terminal (ESC[6n). Many terminals
//! never answer (tmux in some setups, old PuTTY, a slow SSH link), and crossterm then fails
//! after two seconds, which `Terminal::clear` (Ctrl+L, the redraw after a restore) turned into
//! the app exiting.

use std::io::{self, Write};

use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::{Buffer, Cell};
use ratatui::layout::{Position, Rect, Size};
use ratatui::style::{Color, Modifier};

/// Fewest consecutive shifted rows worth a scroll (a scroll costs ~20 bytes of codes).
const MIN_BAND: usize = 4;

pub struct ScrollBackend<B> {
    inner: B,
    /// What the terminal shows; `None` when unknown (then frames pass straight through).
    screen: Option<Buffer>,
    /// Whether the cursor is hidden, when known: ratatui hides it before every frame.
    cursor_hidden: Option<bool>,
    /// Where the cursor is, as far as this wrapper moved it (never asked of the terminal).
    cursor: Position,
}

impl<B> ScrollBackend<B> {
    pub fn new(inner: B) -> Self {
        ScrollBackend {
            inner,
            screen: None,
            cursor_hidden: None,
            cursor: Position::ORIGIN,
        }
    }
}

/// Where the terminal leaves the cursor after writing `cell` at (x, y): just after it, or on
/// the last column when the row is full.
fn after(x: u16, y: u16, cell: &Cell, width: u16) -> Position {
    let w = unicode_width::UnicodeWidthStr::width(cell.symbol()) as u16;
    Position::new(x.saturating_add(w).min(width.saturating_sub(1)), y)
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

/// Whether [`encode`] writes this cell exactly as crossterm would (anything unusual, such as an
/// underline colour or a zero-width symbol, goes through crossterm instead).
fn encodable(c: &Cell) -> bool {
    let w = unicode_width::UnicodeWidthStr::width(c.symbol());
    (w == 1 || w == 2) && c.underline_color == Color::Reset
}

/// Writes cells with the fewest codes: a style only when it changes, as one SGR; a move only
/// when the cursor is not already there (a forward move within a row as `CSI n C`); and at the
/// end one reset instead of crossterm's four. The cells come row by row, left to right.
fn encode(out: &mut Vec<u8>, cells: &[(u16, u16, Cell)]) {
    let mut cursor: Option<(u16, u16)> = None;
    let mut style = (Color::Reset, Color::Reset, Modifier::empty());
    for (x, y, cell) in cells {
        if cursor != Some((*x, *y)) {
            let absolute = format!("\x1b[{};{}H", y + 1, x + 1);
            match cursor {
                Some((cx, cy)) if cy == *y && *x > cx && (x - cx) < 1000 => {
                    let n = x - cx;
                    let forward = if n == 1 {
                        "\x1b[C".to_string()
                    } else {
                        format!("\x1b[{n}C")
                    };
                    let shortest = if forward.len() < absolute.len() {
                        forward
                    } else {
                        absolute
                    };
                    out.extend_from_slice(shortest.as_bytes());
                }
                _ => out.extend_from_slice(absolute.as_bytes()),
            }
        }
        let want = (cell.fg, cell.bg, cell.modifier);
        if want != style {
            sgr(out, style, want);
            style = want;
        }
        out.extend_from_slice(cell.symbol().as_bytes());
        let w = unicode_width::UnicodeWidthStr::width(cell.symbol()) as u16;
        cursor = Some((x + w, *y));
    }
    if style != (Color::Reset, Color::Reset, Modifier::empty()) {
        out.extend_from_slice(b"\x1b[0m");
    }
}

/// One SGR sequence taking the terminal from style `from` to `to`. Taking a modifier away
/// starts from a reset (the off-codes are not uniform: bold and dim share one).
fn sgr(out: &mut Vec<u8>, from: (Color, Color, Modifier), to: (Color, Color, Modifier)) {
    let mut codes: Vec<String> = Vec::new();
    let reset = !(from.2 - to.2).is_empty();
    let (old_fg, old_bg, old_mod) = if reset {
        codes.push("0".into());
        (Color::Reset, Color::Reset, Modifier::empty())
    } else {
        from
    };
    for (m, code) in [
        (Modifier::BOLD, "1"),
        (Modifier::DIM, "2"),
        (Modifier::ITALIC, "3"),
        (Modifier::UNDERLINED, "4"),
        (Modifier::SLOW_BLINK, "5"),
        (Modifier::RAPID_BLINK, "6"),
        (Modifier::REVERSED, "7"),
        (Modifier::HIDDEN, "8"),
        (Modifier::CROSSED_OUT, "9"),
    ] {
        if to.2.contains(m) && !old_mod.contains(m) {
            codes.push(code.into());
        }
    }
    if to.0 != old_fg {
        codes.push(color_code(to.0, false));
    }
    if to.1 != old_bg {
        codes.push(color_code(to.1, true));
    }
    if !codes.is_empty() {
        out.extend_from_slice(format!("\x1b[{}m", codes.join(";")).as_bytes());
    }
}

fn color_code(c: Color, bg: bool) -> String {
    let base = |n: u8| {
        if bg {
            (n + 10).to_string()
        } else {
            n.to_string()
        }
    };
    match c {
        Color::Reset => base(39),
        Color::Black => base(30),
        Color::Red => base(31),
        Color::Green => base(32),
        Color::Yellow => base(33),
        Color::Blue => base(34),
        Color::Magenta => base(35),
        Color::Cyan => base(36),
        Color::Gray => base(37),
        Color::DarkGray => base(90),
        Color::LightRed => base(91),
        Color::LightGreen => base(92),
        Color::LightYellow => base(93),
        Color::LightBlue => base(94),
        Color::LightMagenta => base(95),
        Color::LightCyan => base(96),
        Color::White => base(97),
        Color::Indexed(n) => format!("{};5;{n}", if bg { 48 } else { 38 }),
        Color::Rgb(r, g, b) => format!("{};2;{r};{g};{b}", if bg { 48 } else { 38 }),
    }
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
            let mut last = None;
            let content = content.inspect(|(x, y, c)| last = Some(after(*x, *y, c, area.width)));
            self.inner.draw(content)?;
            if let Some(p) = last {
                self.cursor = p;
            }
            return Ok(());
        };
        let mut next = screen.clone();
        for (x, y, cell) in content {
            if x < area.width && y < area.height {
                next[(x, y)] = cell.clone();
                // ratatui never sends the cells a wide character covers; its buffer holds
                // blank cells there, and so must the copy, or a later diff against a shifted
                // copy would trust stale text under the character.
                let w = unicode_width::UnicodeWidthStr::width(cell.symbol()) as u16;
                for cx in x + 1..(x + w).min(area.width) {
                    next[(cx, y)] = Cell::EMPTY;
                }
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
            // Setting the scroll region moves the cursor home.
            self.cursor = Position::ORIGIN;
        }
        let updates = bridge_gaps(&next, screen.diff(&next));
        if updates.iter().any(|(_, _, c)| !encodable(c)) {
            self.inner
                .draw(updates.iter().map(|(x, y, c)| (*x, *y, c)))?;
        } else {
            let mut out = Vec::with_capacity(updates.len() * 4 + 64);
            encode(&mut out, &updates);
            self.inner.write_all(&out)?;
        }
        if let Some((x, y, c)) = updates.last() {
            self.cursor = after(*x, *y, c, area.width);
        }
        self.screen = Some(next);
        Ok(())
    }

    fn append_lines(&mut self, n: u16) -> io::Result<()> {
        self.screen = None;
        self.cursor_hidden = None;
        self.inner.append_lines(n)?;
        // Each line feed moves the cursor down a row, scrolling at the bottom.
        let bottom = self.inner.size()?.height.saturating_sub(1);
        self.cursor.y = self.cursor.y.saturating_add(n).min(bottom);
        Ok(())
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        if self.cursor_hidden == Some(true) && self.screen.is_some() {
            return Ok(());
        }
        self.cursor_hidden = Some(true);
        self.inner.hide_cursor()
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        self.cursor_hidden = Some(false);
        self.inner.show_cursor()
    }

    /// From memory, never from the terminal (see the module comment).
    fn get_cursor_position(&mut self) -> io::Result<Position> {
        Ok(self.cursor)
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        let position = position.into();
        self.inner.set_cursor_position(position)?;
        self.cursor = position;
        Ok(())
    }

    fn clear(&mut self) -> io::Result<()> {
        self.clear_region(ClearType::All)
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        self.inner.clear_region(clear_type)?;
        self.screen = match clear_type {
            ClearType::All => {
                // Erasing the screen leaves the cursor where it was, which may be anywhere
                // (the alternate screen keeps it): put it home so the memory of it is exact.
                self.set_cursor_position(Position::ORIGIN)?;
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
            // A terminal that never answers the query (ESC[6n): the wrapper must not ask.
            Err(io::Error::other(
                "The cursor position could not be read within a normal duration",
            ))
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

    fn vt_color(c: Color) -> vt100::Color {
        match c {
            Color::Reset => vt100::Color::Default,
            Color::Black => vt100::Color::Idx(0),
            Color::Red => vt100::Color::Idx(1),
            Color::Green => vt100::Color::Idx(2),
            Color::Yellow => vt100::Color::Idx(3),
            Color::Blue => vt100::Color::Idx(4),
            Color::Magenta => vt100::Color::Idx(5),
            Color::Cyan => vt100::Color::Idx(6),
            Color::Gray => vt100::Color::Idx(7),
            Color::DarkGray => vt100::Color::Idx(8),
            Color::LightRed => vt100::Color::Idx(9),
            Color::LightGreen => vt100::Color::Idx(10),
            Color::LightYellow => vt100::Color::Idx(11),
            Color::LightBlue => vt100::Color::Idx(12),
            Color::LightMagenta => vt100::Color::Idx(13),
            Color::LightCyan => vt100::Color::Idx(14),
            Color::White => vt100::Color::Idx(15),
            Color::Indexed(n) => vt100::Color::Idx(n),
            Color::Rgb(r, g, b) => vt100::Color::Rgb(r, g, b),
        }
    }

    /// Random styled frames, lists that scroll and rows that change: after every frame the
    /// terminal (vt100) shows exactly ratatui's buffer, text, colours and attributes.
    #[test]
    fn the_encoder_leaves_the_screen_exactly_as_the_buffer_says() {
        use rand::{Rng, SeedableRng};
        use ratatui::style::Style;
        let out = Shared::default();
        let mut term = Terminal::new(ScrollBackend::new(MemBackend(CrosstermBackend::new(
            out.clone(),
        ))))
        .unwrap();
        term.clear().unwrap();
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let colors = [
            Color::Reset,
            Color::Red,
            Color::LightBlue,
            Color::DarkGray,
            Color::Indexed(8),
            Color::Indexed(214),
            Color::Rgb(10, 20, 30),
            Color::White,
        ];
        let mods = [
            Modifier::empty(),
            Modifier::BOLD,
            Modifier::DIM,
            Modifier::BOLD | Modifier::REVERSED,
            Modifier::ITALIC | Modifier::UNDERLINED,
        ];
        let words = [
            "Cơ sở",
            "làng nghề",
            "Đức",
            "漢字",
            "x",
            "  ",
            "Bát Tràng",
            "0912",
        ];
        let lines: Vec<(String, Style)> = (0..60)
            .map(|_| {
                let text: Vec<&str> = (0..rng.gen_range(1..6))
                    .map(|_| words[rng.gen_range(0..words.len())])
                    .collect();
                let style = Style::default()
                    .fg(colors[rng.gen_range(0..colors.len())])
                    .bg(colors[rng.gen_range(0..colors.len())])
                    .add_modifier(mods[rng.gen_range(0..mods.len())]);
                (text.join(" "), style)
            })
            .collect();
        let mut offset = 0usize;
        for step in 0..80 {
            // Mostly one-row scrolls, sometimes a jump, sometimes a changed header.
            offset = match rng.gen_range(0..10) {
                0 => rng.gen_range(0..40),
                1..=5 => (offset + 1).min(49),
                _ => offset.saturating_sub(1),
            };
            let selected = offset + rng.gen_range(0..10);
            let header = (step % 7, colors[step % colors.len()]);
            let completed = term
                .draw(|f| {
                    let buf = f.buffer_mut();
                    buf.set_string(
                        0,
                        0,
                        format!("CTV {} │ {}", header.0, "tiêu đề"),
                        Style::default().fg(header.1).add_modifier(Modifier::BOLD),
                    );
                    for row in 0..10u16 {
                        let i = offset + row as usize;
                        let (text, mut style) = lines[i].clone();
                        if i == selected {
                            style = style.add_modifier(Modifier::REVERSED);
                        }
                        buf.set_string(0, row + 1, &text, style);
                        buf.set_string(30, row + 1, format!("{i:>4}"), Style::default());
                    }
                    buf.set_string(0, 11, "F1 Trợ giúp", Style::default().fg(Color::Yellow));
                })
                .unwrap()
                .buffer
                .clone();
            let mut parser = vt100::Parser::new(12, 40, 0);
            parser.process(&out.0.lock().unwrap());
            let screen = parser.screen();
            for y in 0..12u16 {
                for x in 0..40u16 {
                    let want = &completed[(x, y)];
                    let Some(got) = screen.cell(y, x) else {
                        panic!("no cell {x},{y}")
                    };
                    if got.is_wide_continuation() {
                        continue;
                    }
                    let at = format!("step {step}, cell {x},{y}");
                    let text = got.contents();
                    let text = if text.is_empty() { " " } else { text };
                    assert_eq!(text, want.symbol(), "{at}");
                    assert_eq!(got.fgcolor(), vt_color(want.fg), "{at}");
                    assert_eq!(got.bgcolor(), vt_color(want.bg), "{at}");
                    assert_eq!(got.bold(), want.modifier.contains(Modifier::BOLD), "{at}");
                    assert_eq!(
                        got.italic(),
                        want.modifier.contains(Modifier::ITALIC),
                        "{at}"
                    );
                    assert_eq!(
                        got.underline(),
                        want.modifier.contains(Modifier::UNDERLINED),
                        "{at}"
                    );
                    assert_eq!(
                        got.inverse(),
                        want.modifier.contains(Modifier::REVERSED),
                        "{at}"
                    );
                }
            }
        }
    }

    /// `Terminal::clear` (Ctrl+L) saves and puts back the cursor: with a terminal that never
    /// answers a position query it still works, and the cursor ends where the frame put it.
    #[test]
    fn clear_never_asks_the_terminal_where_the_cursor_is() {
        let out = Shared::default();
        let mut term = Terminal::new(ScrollBackend::new(MemBackend(CrosstermBackend::new(
            out.clone(),
        ))))
        .unwrap();
        term.clear().unwrap();
        // A frame with a text cursor (a form field), then one without, then scrolled lists.
        term.draw(|f| {
            f.render_widget(Paragraph::new("Tên cơ sở: Gốm"), Rect::new(0, 2, 40, 1));
            f.set_cursor_position(Position::new(14, 2));
        })
        .unwrap();
        term.clear().unwrap();
        let mut parser = vt100::Parser::new(12, 40, 0);
        parser.process(&out.0.lock().unwrap());
        assert_eq!(parser.screen().cursor_position(), (2, 14));
        assert_eq!(term.get_cursor_position().unwrap(), Position::new(14, 2));
        for step in 0..5 {
            frame(&mut term, &out, step, step + 3);
            term.clear().unwrap();
        }
        // What the memory says is where the terminal's cursor is.
        let mut parser = vt100::Parser::new(12, 40, 0);
        parser.process(&out.0.lock().unwrap());
        let (row, col) = parser.screen().cursor_position();
        assert_eq!(term.get_cursor_position().unwrap(), Position::new(col, row));
        // And the frame after a clear is whole.
        frame(&mut term, &out, 4, 7);
        let rows = screen_rows(&out);
        assert!(rows[1].starts_with("  Cơ sở số 4 "), "{rows:#?}");
        assert!(rows[11].starts_with("F1 Trợ giúp"), "{rows:#?}");
    }

    /// After every frame, the remembered cursor is where the terminal's cursor is.
    #[test]
    fn the_remembered_cursor_follows_the_frames() {
        let out = Shared::default();
        let mut term = Terminal::new(ScrollBackend::new(MemBackend(CrosstermBackend::new(
            out.clone(),
        ))))
        .unwrap();
        term.clear().unwrap();
        for step in 0..12 {
            frame(&mut term, &out, step, step + 2);
            let mut parser = vt100::Parser::new(12, 40, 0);
            parser.process(&out.0.lock().unwrap());
            let (row, col) = parser.screen().cursor_position();
            let mem = term.backend_mut().get_cursor_position().unwrap();
            assert_eq!(mem, Position::new(col, row), "step {step}");
        }
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
