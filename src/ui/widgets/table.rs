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
use ratatui::style::{Modifier, Style};
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

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

    /// After a reload: select the first row `was_selected` picks (the one selected before),
    /// else stay at the same place, so a refresh does not lose the user's row.
    pub fn reselect<T>(&mut self, rows: &[T], was_selected: impl FnMut(&T) -> bool) {
        self.selected = reselected(rows, self.selected, was_selected);
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

    /// Scroll position as last drawn (the first visible row).
    pub fn offset(&self) -> usize {
        self.offset.get()
    }
}

/// The row to select after a reload: the first `was_selected` picks (the one selected
/// before), else the same place `selected`, kept within `rows`.
pub fn reselected<T>(rows: &[T], selected: usize, was_selected: impl FnMut(&T) -> bool) -> usize {
    let at = rows.iter().position(was_selected).unwrap_or(selected);
    at.min(rows.len().saturating_sub(1))
}

/// A column: its title and width. A `Length(n)` column is as wide as its widest visible
/// cell (or title), at most `n` when room is short and wider when the `Fill` columns have
/// room to spare; a column whose visible cells are all empty is hidden. `Fill` columns
/// (the name) get the rest.
#[derive(Debug, Clone)]
pub struct Column {
    pub title: String,
    pub width: Constraint,
    /// Numbers line up on the right.
    pub align_right: bool,
}

impl Column {
    pub fn new(title: impl Into<String>, width: Constraint) -> Column {
        Column {
            title: title.into(),
            width,
            align_right: false,
        }
    }

    /// Right-aligned (title and cells).
    pub fn right(mut self) -> Column {
        self.align_right = true;
        self
    }
}

/// One cell with some characters emphasised (search matches). `marks` are char indices into
/// `text`, sorted; `text` must already be sanitized one char for one char (so the indices of
/// the stored text still hold).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableCell {
    pub text: String,
    pub marks: Vec<usize>,
    /// Drawn dim (secondary information).
    pub dim: bool,
    /// When the text is too wide, the part from this char on stays whole and the part
    /// before it is cut (a search result matched in another field keeps the match in view).
    pub keep_from: Option<usize>,
}

impl TableCell {
    pub fn new(text: impl Into<String>) -> TableCell {
        TableCell {
            text: text.into(),
            ..TableCell::default()
        }
    }

    pub fn marked(text: impl Into<String>, marks: Vec<usize>) -> TableCell {
        TableCell {
            text: text.into(),
            marks,
            ..TableCell::default()
        }
    }

    /// Keeps the text from char `at` on in view when the column is too narrow.
    pub fn keep_from(mut self, at: Option<usize>) -> TableCell {
        self.keep_from = at;
        self
    }

    /// The text and marks as drawn in `max` columns: cut at the end, or before `keep_from`.
    fn fitted(&self, max: usize) -> (String, std::borrow::Cow<'_, [usize]>) {
        let text = clean(&self.text);
        let split = self
            .keep_from
            .filter(|_| text.width() > max)
            .and_then(|at| text.char_indices().nth(at).map(|(b, _)| (at, b)));
        if let Some((at, b)) = split {
            let tail = &text[b..];
            if tail.width() + 2 <= max {
                let head = fit(&text[..b], max - tail.width());
                let shift = head.chars().count();
                let kept = head.chars().count().saturating_sub(1);
                let marks = self
                    .marks
                    .iter()
                    .filter_map(|&m| match m {
                        m if m < kept => Some(m),
                        m if m >= at => Some(m - at + shift),
                        _ => None,
                    })
                    .collect();
                return (format!("{head}{tail}"), std::borrow::Cow::Owned(marks));
            }
        }
        (fit(&text, max), std::borrow::Cow::Borrowed(&self.marks))
    }
}

impl From<String> for TableCell {
    fn from(text: String) -> TableCell {
        TableCell::new(text)
    }
}

/// How emphasised characters are drawn: on top of the row's style, so they show on the
/// selected row and in monochrome too.
pub const MARK: Modifier = Modifier::BOLD.union(Modifier::UNDERLINED);

/// Draw `cell` into the one-line `rect`: cut to fit, aligned, marks emphasised.
fn draw_cell(
    buf: &mut Buffer,
    rect: Rect,
    cell: &TableCell,
    align_right: bool,
    style: Style,
    dim: Style,
) {
    let max = rect.width as usize;
    if max == 0 {
        return;
    }
    let (text, marks) = cell.fitted(max);
    let w = text.width();
    let mut x = rect.x
        + if align_right {
            (max - w.min(max)) as u16
        } else {
            0
        };
    let base = if cell.dim { style.patch(dim) } else { style };
    if marks.is_empty() {
        buf.set_stringn(x, rect.y, &text, max, base);
        return;
    }
    let end = rect.x + rect.width;
    let mut char_idx = 0usize;
    let mut marks = marks.iter().peekable();
    for g in text.graphemes(true) {
        let n = g.chars().count();
        while marks.peek().is_some_and(|&&m| m < char_idx) {
            marks.next();
        }
        let marked = marks.peek().is_some_and(|&&m| m < char_idx + n);
        let st = if marked {
            base.add_modifier(MARK)
        } else {
            base
        };
        let gw = g.width() as u16;
        if x + gw > end {
            break;
        }
        buf.set_stringn(x, rect.y, g, (end - x) as usize, st);
        x += gw;
        char_idx += n;
    }
}

/// [`render_table`] of a view's list: a header, then `rows` as `cells` words each (`empty`
/// when there are none).
pub fn render_list<T>(
    frame: &mut ratatui::Frame,
    area: Rect,
    columns: &[Column],
    (rows, window): (&[T], &ListWindow),
    theme: &Theme,
    empty: &str,
    cells: impl Fn(&T) -> Vec<String>,
) {
    let row = |i: usize| rows.get(i).map(&cells).unwrap_or_default();
    render_table(
        frame.buffer_mut(),
        area,
        columns,
        true,
        rows.len(),
        window,
        theme,
        empty,
        row,
    );
}

/// Draw a table into `area`: an optional header line, then the visible rows.
///
/// `row(i)` returns the cells of row `i` (fewer cells than columns is fine): plain words, or
/// [`TableCell`]s for emphasised characters and dim cells. `empty` is shown when there are no
/// rows.
#[allow(clippy::too_many_arguments)]
pub fn render_table<F, C>(
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
    F: FnMut(usize) -> Vec<C>,
    C: Into<TableCell>,
{
    if area.width == 0 || area.height == 0 {
        return;
    }
    let mut body = area;
    if show_header {
        body = Rect {
            y: area.y + 1,
            height: area.height - 1,
            ..area
        };
    }
    let range = window.visible_range(total, body.height as usize);
    let rows: Vec<(usize, Vec<TableCell>)> = range
        .map(|i| (i, row(i).into_iter().map(Into::into).collect()))
        .collect();
    // Columns are laid out once; every line uses the same x positions (None: hidden).
    let xs = column_rects(Rect { height: 1, ..area }, columns, &rows);
    let cells_of = |line: Rect| xs.iter().map(move |r| r.map(|r| Rect { y: line.y, ..r }));
    if show_header {
        let line = Rect { height: 1, ..area };
        for (col, rect) in columns.iter().zip(cells_of(line)) {
            if let Some(rect) = rect {
                let cell = TableCell::new(col.title.clone());
                draw_cell(buf, rect, &cell, col.align_right, theme.title, theme.dim);
            }
        }
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
    for (line_no, (i, cells)) in rows.iter().enumerate() {
        let line = Rect {
            y: body.y + line_no as u16,
            height: 1,
            ..body
        };
        // One selection style everywhere: the whole row.
        let selected = *i == window.selected();
        let style = if selected {
            theme.selected
        } else {
            Style::default()
        };
        buf.set_style(line, style);
        let dim = if selected {
            Style::default()
        } else {
            theme.dim
        };
        for ((cell, rect), col) in cells.iter().zip(cells_of(line)).zip(columns) {
            if let Some(rect) = rect {
                draw_cell(buf, rect, cell, col.align_right, style, dim);
            }
        }
    }
}

/// Where each column goes on a line of `line.width` cells, by the content of the visible
/// rows (see [`Column`]); None for a hidden column.
fn column_rects(
    line: Rect,
    columns: &[Column],
    rows: &[(usize, Vec<TableCell>)],
) -> Vec<Option<Rect>> {
    let content = |c: usize| {
        rows.iter()
            .filter_map(|(_, cells)| cells.get(c))
            .map(|cell| clean(&cell.text).width())
            .max()
            .unwrap_or(0)
    };
    // (narrow, wanted) widths of the Length columns; None for Fill columns.
    let mut sized: Vec<Option<(usize, usize)>> = columns
        .iter()
        .enumerate()
        .map(|(c, col)| match col.width {
            Constraint::Length(n) => {
                let widest = content(c);
                let want = if widest == 0 && !rows.is_empty() {
                    0
                } else {
                    widest.max(col.title.width())
                };
                Some((want.min(n as usize), want))
            }
            _ => None,
        })
        .collect();
    let shown = |s: &Option<(usize, usize)>| s.is_none_or(|(_, want)| want > 0);
    let gaps = sized.iter().filter(|s| shown(s)).count().saturating_sub(1);
    let avail = (line.width as usize).saturating_sub(gaps);
    let fill_want: usize = columns
        .iter()
        .enumerate()
        .filter(|(c, _)| sized[*c].is_none())
        .map(|(c, col)| content(c).max(col.title.width()))
        .sum();
    let has_fill = sized.iter().any(Option::is_none);
    let narrow: usize = sized.iter().flatten().map(|(n, _)| n).sum();
    // Short of room, the Fill columns (the name) keep at least two fifths of the line (or
    // what they need): the Length columns then give up the part of their title that is
    // wider than their content (the title is cut, the values are not).
    let fill_min = fill_want.min(avail * 2 / 5);
    if has_fill && avail.saturating_sub(narrow) < fill_min {
        let mut short = fill_min - avail.saturating_sub(narrow);
        for (c, s) in sized.iter_mut().enumerate() {
            if let Some((n, want)) = s {
                let floor = content(c).clamp(2, *n);
                let give = (*n - floor).min(short);
                *n -= give;
                *want = (*want).max(*n);
                short -= give;
            }
        }
    }
    let narrow: usize = sized.iter().flatten().map(|(n, _)| n).sum();
    // Room the Fill columns do not need: the Length columns grow towards their content.
    let mut spare = avail.saturating_sub(narrow + fill_want);
    for (n, want) in sized.iter_mut().flatten() {
        let grow = (*want - *n).min(spare);
        *n += grow;
        spare -= grow;
    }
    let visible: Vec<usize> = (0..columns.len()).filter(|&c| shown(&sized[c])).collect();
    let constraints: Vec<Constraint> = visible
        .iter()
        .map(|&c| match sized[c] {
            Some((n, _)) => Constraint::Length(n as u16),
            None => columns[c].width,
        })
        .collect();
    let rects = Layout::horizontal(constraints).spacing(1).split(line);
    let mut out = vec![None; columns.len()];
    for (k, &c) in visible.iter().enumerate() {
        out[c] = Some(rects[k]);
    }
    out
}

/// A whole read-only view: its frame (title, and `right` on the top border), a dim line (a
/// hint, or what went wrong) and a table of `rows` under it.
pub fn table_view(
    frame: &mut ratatui::Frame,
    area: Rect,
    theme: &Theme,
    (title, right, bar): (&str, &str, &str),
    columns: &[Column],
    window: &ListWindow,
    rows: &[Vec<String>],
) {
    let Some(inner) = super::screen_frame(
        frame,
        area,
        theme,
        title,
        Some((right, theme.base)),
        (20, 3),
    ) else {
        return;
    };
    super::dim_line(frame, inner, bar, theme);
    let rest = Rect {
        y: inner.y + 1,
        height: inner.height - 1,
        ..inner
    };
    render_table(
        frame.buffer_mut(),
        rest,
        columns,
        true,
        rows.len(),
        window,
        theme,
        "",
        |i| rows.get(i).cloned().unwrap_or_default(),
    );
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
    fn marks_and_right_alignment() {
        let area = Rect::new(0, 0, 20, 1);
        let mut buf = Buffer::empty(area);
        let cols = [
            Column::new("", Constraint::Length(10)),
            Column::new("Tổng", Constraint::Length(5)).right(),
        ];
        let w = ListWindow::new();
        render_table(
            &mut buf,
            area,
            &cols,
            false,
            1,
            &w,
            &Theme::mono(),
            "",
            |_| {
                vec![
                    TableCell::marked("Cơ sở Đức", vec![6, 7, 8]),
                    TableCell::new("12"),
                ]
            },
        );
        let text: String = (0..20).map(|x| buf[(x, 0)].symbol().to_string()).collect();
        // Each column as wide as its content (or title): "12" right-aligned under "Tổng".
        assert_eq!(text, "Cơ sở Đức   12      ");
        assert!(buf[(6, 0)].modifier.contains(MARK));
        assert!(!buf[(5, 0)].modifier.contains(Modifier::UNDERLINED));
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

    /// The table of `rows` under `cols` drawn `width` cells wide, with `selected` row,
    /// as (buffer, trimmed lines).
    fn drawn<const N: usize>(
        width: u16,
        cols: &[Column],
        header: bool,
        rows: &[[&str; N]],
        selected: usize,
    ) -> (Buffer, Vec<String>) {
        let area = Rect::new(0, 0, width, rows.len() as u16 + u16::from(header));
        let mut buf = Buffer::empty(area);
        let mut w = ListWindow::new();
        w.select(selected, rows.len());
        render_table(
            &mut buf,
            area,
            cols,
            header,
            rows.len(),
            &w,
            &Theme::mono(),
            "",
            |i| rows[i].iter().map(|c| c.to_string()).collect(),
        );
        let lines = (0..area.height)
            .map(|y| {
                (0..width)
                    .map(|x| buf[(x, y)].symbol().to_string())
                    .collect::<String>()
                    .trim_end()
                    .to_string()
            })
            .collect();
        (buf, lines)
    }

    fn list_like(width: u16, rows: &[[&str; 4]]) -> Vec<String> {
        let cols = [
            Column::new("Tên", Constraint::Fill(1)),
            Column::new("Xã/phường", Constraint::Length(12)),
            Column::new("LĐ", Constraint::Length(5)).right(),
            Column::new("Trạng thái", Constraint::Length(10)),
        ];
        drawn(width, &cols, true, rows, 0).1
    }

    #[test]
    fn columns_take_their_content_width_and_empty_ones_hide() {
        let rows = [
            [
                "Công ty cổ phần bánh chưng Minh Long",
                "Bát Tràng",
                "12",
                "",
            ],
            ["Cơ sở gốm Đức", "Bát Tràng", "5", ""],
        ];
        let lines = list_like(50, &rows);
        // The commune takes 9 cells, not 12; the empty status column is gone; the name
        // gets the rest and is not cut.
        assert_eq!(
            lines[0],
            "Tên                                   Xã/phường LĐ"
        );
        assert_eq!(
            lines[1],
            "Công ty cổ phần bánh chưng Minh Long  Bát Tràng 12"
        );
        assert_eq!(
            lines[2],
            "Cơ sở gốm Đức                         Bát Tràng  5"
        );
    }

    #[test]
    fn a_wide_screen_does_not_cut_the_commune() {
        let long = "Công ty cổ phần bánh chưng Minh Long";
        let rows = [[long, "Thị trấn Nông trường Mộc Châu", "5", "Tạm ngừng"]];
        let wide = list_like(120, &rows);
        assert!(wide[1].starts_with(long), "{wide:?}");
        assert!(
            wide[1].contains("Thị trấn Nông trường Mộc Châu"),
            "{wide:?}"
        );
        // Narrow: the commune keeps its 12 cells at most, the name the rest.
        let narrow = list_like(60, &rows);
        assert!(narrow[1].contains(" Thị trấn Nô… "), "{narrow:?}");
        assert!(
            narrow[1].starts_with("Công ty cổ phần bánh chưng"),
            "{narrow:?}"
        );
    }

    #[test]
    fn short_of_room_titles_give_way_before_the_name() {
        let rows = [[
            "Công ty cổ phần bánh chưng Minh Long",
            "Bát Tràng",
            "12",
            "Đóng cửa",
        ]];
        let lines = list_like(34, &rows);
        // The status column is as wide as "Đóng cửa", its title cut; the name keeps 12.
        assert!(lines[0].ends_with("Trạng t…"), "{lines:?}");
        assert!(lines[1].ends_with("Đóng cửa"), "{lines:?}");
        assert!(lines[1].starts_with("Công ty cổ …"), "{lines:?}");
    }

    #[test]
    fn the_selected_row_is_highlighted_whole() {
        let cols = [
            Column::new("", Constraint::Fill(1)),
            Column::new("", Constraint::Length(5)),
        ];
        let (buf, _) = drawn(30, &cols, false, &[["Cơ sở 0", "12"], ["Cơ sở 1", "12"]], 1);
        for x in 0..30 {
            assert_eq!(buf[(x, 1)].style(), buf[(0, 1)].style(), "cell {x}");
            assert_ne!(buf[(x, 1)].style(), buf[(x, 0)].style(), "cell {x}");
        }
    }
}
