//! A list/table that draws only the rows in view.
//!
//! The caller gives the total row count and a closure that produces the cells of row `i`; the
//! closure is called only for the visible window, so a screen can hold 3,321 communes (or a
//! page fetched from the store) without building 3,321 rows per frame. Every cell passes
//! through [`super::clean`].

use std::cell::Cell;
use std::ops::Range;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;

use super::{clean, fit};
use crate::ui::keymap::Action;
use crate::ui::theme::Theme;

/// Selection and scroll position of a list.
///
/// `offset` and the page height are view state remembered from the last draw (like ratatui's
/// `TableState`), so scrolling is smooth and PgUp/PgDn move by what is actually visible.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListWindow {
    selected: usize,
    offset: Cell<usize>,
    page: Cell<usize>,
}

impl ListWindow {
    pub fn new() -> ListWindow {
        ListWindow::default()
    }

    pub fn selected(&self) -> usize {
        self.selected
    }

    pub fn select(&mut self, index: usize, total: usize) {
        self.selected = if total == 0 { 0 } else { index.min(total - 1) };
    }

    /// Rows per page as last drawn (at least 1).
    pub fn page(&self) -> usize {
        self.page.get().max(1)
    }

    /// Apply a movement action; returns whether it was one.
    pub fn apply(&mut self, action: Action, total: usize) -> bool {
        let page = self.page();
        let target = match action {
            Action::Up => self.selected.saturating_sub(1),
            Action::Down => self.selected + 1,
            Action::PageUp => self.selected.saturating_sub(page),
            Action::PageDown => self.selected + page,
            Action::Home => 0,
            Action::End => total.saturating_sub(1),
            _ => return false,
        };
        self.select(target, total);
        true
    }

    /// The rows to draw in `height` lines, keeping the selection in view with as little
    /// scrolling as possible.
    pub fn visible_range(&self, total: usize, height: usize) -> Range<usize> {
        self.page.set(height);
        if height == 0 || total == 0 {
            return 0..0;
        }
        let selected = self.selected.min(total - 1);
        let mut offset = self.offset.get().min(total.saturating_sub(height));
        if selected < offset {
            offset = selected;
        } else if selected >= offset + height {
            offset = selected + 1 - height;
        }
        self.offset.set(offset);
        offset..(offset + height).min(total)
    }
}

/// A column: its title and width.
#[derive(Debug, Clone)]
pub struct Column {
    pub title: String,
    pub width: Constraint,
}

impl Column {
    pub fn new(title: impl Into<String>, width: Constraint) -> Column {
        Column {
            title: title.into(),
            width,
        }
    }
}

/// Draw a table into `area`: an optional header line, then the visible rows.
///
/// `row(i)` returns the cells of row `i` (fewer cells than columns is fine). `empty` is shown
/// when there are no rows.
#[allow(clippy::too_many_arguments)]
pub fn render_table<F>(
    buf: &mut Buffer,
    area: Rect,
    columns: &[Column],
    show_header: bool,
    total: usize,
    window: &ListWindow,
    theme: &Theme,
    empty: &str,
    mut row: F,
) where
    F: FnMut(usize) -> Vec<String>,
{
    if area.width == 0 || area.height == 0 {
        return;
    }
    let constraints: Vec<Constraint> = columns.iter().map(|c| c.width).collect();
    let mut body = area;
    let cells_of = |line: Rect| {
        Layout::horizontal(constraints.clone())
            .spacing(1)
            .split(line)
    };
    if show_header {
        let line = Rect { height: 1, ..area };
        for (col, rect) in columns.iter().zip(cells_of(line).iter()) {
            let text = fit(&col.title, rect.width as usize);
            buf.set_stringn(rect.x, rect.y, text, rect.width as usize, theme.title);
        }
        body = Rect {
            y: area.y + 1,
            height: area.height - 1,
            ..area
        };
    }
    if total == 0 {
        if body.height > 0 {
            buf.set_stringn(
                body.x,
                body.y,
                fit(empty, body.width as usize),
                body.width as usize,
                theme.dim,
            );
        }
        return;
    }
    let range = window.visible_range(total, body.height as usize);
    for (line_no, i) in range.enumerate() {
        let line = Rect {
            y: body.y + line_no as u16,
            height: 1,
            ..body
        };
        let style = if i == window.selected() {
            theme.selected
        } else {
            Style::default()
        };
        buf.set_style(line, style);
        let cells = row(i);
        for (cell, rect) in cells.iter().zip(cells_of(line).iter()) {
            let text = fit(&clean(cell), rect.width as usize);
            buf.set_stringn(rect.x, rect.y, text, rect.width as usize, style);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_scrolls_minimally() {
        let mut w = ListWindow::new();
        assert_eq!(w.visible_range(100, 10), 0..10);
        w.select(12, 100);
        assert_eq!(w.visible_range(100, 10), 3..13);
        w.select(5, 100);
        assert_eq!(w.visible_range(100, 10), 3..13, "still in view: no scroll");
        w.select(1, 100);
        assert_eq!(w.visible_range(100, 10), 1..11);
        w.select(5, 100);
        assert!(w.apply(Action::PageDown, 100));
        assert_eq!(w.selected(), 15);
        assert!(w.apply(Action::End, 100));
        assert_eq!(w.visible_range(100, 10), 90..100);
        assert!(!w.apply(Action::Save, 100));
    }

    #[test]
    fn only_visible_rows_are_built_and_cells_are_sanitized() {
        let area = Rect::new(0, 0, 30, 4);
        let mut buf = Buffer::empty(area);
        let cols = [
            Column::new("Mã", Constraint::Length(5)),
            Column::new("Tên", Constraint::Fill(1)),
        ];
        let w = ListWindow::new();
        let mut asked = Vec::new();
        render_table(
            &mut buf,
            area,
            &cols,
            true,
            3321,
            &w,
            &Theme::mono(),
            "",
            |i| {
                asked.push(i);
                vec![format!("{i:05}"), "Xã\u{1b}[31m Tân Phú".to_string()]
            },
        );
        assert_eq!(asked, vec![0, 1, 2]);
        let text: String = (0..30).map(|x| buf[(x, 1)].symbol().to_string()).collect();
        assert!(!text.contains('\u{1b}'), "{text:?}");
        assert!(text.starts_with("00000 Xã"), "{text:?}");
    }
}
