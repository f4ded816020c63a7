//! Reusable pieces: the windowed table, the text field, the fuzzy picker, the help overlay,
//! the confirm dialog and the header/footer bars, plus width-aware text helpers.
//!
//! Anything that came from data is passed through [`clean`] (→ `crate::text::sanitize`) before
//! it is drawn, so a control character in a record can never move the cursor or change colours.

pub mod bars;
pub mod confirm;
pub mod conflict;
pub mod form;
pub mod help;
pub mod note_field;
pub mod picker;
pub mod prompt;
pub mod table;
pub mod text_field;

use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Widget};
use ratatui::Frame;

use crate::ui::theme::Theme;
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

pub use confirm::ConfirmDialog;
pub use conflict::{ConflictChoice, ConflictDialog, ConflictRow};
pub use help::HelpState;
pub use note_field::NoteField;
pub use picker::{PickItem, Picker};
pub use prompt::Prompt;
pub use table::{Column, ListWindow};
pub use text_field::TextField;

/// Data text made safe to draw (control characters replaced).
pub fn clean(s: &str) -> String {
    let cleaned = crate::text::sanitize(s);
    AsRef::<str>::as_ref(&cleaned).to_string()
}

/// Display width in terminal cells.
pub fn width(s: &str) -> usize {
    s.width()
}

/// `s` cut to at most `max` cells, ending in "…" when something was cut.
pub fn fit(s: &str, max: usize) -> String {
    if s.width() <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for g in s.graphemes(true) {
        let w = g.width();
        if used + w > max - 1 {
            break;
        }
        out.push_str(g);
        used += w;
    }
    out.push('…');
    out
}

/// `s` cut from the left to at most `max` cells ("…/ctv/data.db"): for paths, whose end matters.
pub fn fit_left(s: &str, max: usize) -> String {
    if s.width() <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut kept: Vec<&str> = Vec::new();
    let mut used = 0;
    for g in s.graphemes(true).rev() {
        let w = g.width();
        if used + w > max - 1 {
            break;
        }
        kept.push(g);
        used += w;
    }
    kept.reverse();
    format!("…{}", kept.concat())
}

/// The frame of a list or view screen: a border, `title` at the left, `right` (a count, a
/// position, a state) at the right in `right_style`. Draws it and returns the inside less one
/// column each side, or `None` when the inside is under `min_w`×`min_h` (nothing fits then).
pub fn screen_frame(
    frame: &mut Frame,
    area: Rect,
    theme: &Theme,
    title: &str,
    right: Option<(&str, Style)>,
    (min_w, min_h): (u16, u16),
) -> Option<Rect> {
    // The right part (a counter, the tabs) is kept whole; a title that would run under it is
    // cut with "…" (or left out) rather than show a fragment.
    let right_w = right.map_or(0, |(r, _)| width(r) + 2);
    let room = (area.width as usize).saturating_sub(2 + right_w + 1 + 2);
    let title = if room >= 4 {
        fit(title, room)
    } else {
        String::new()
    };
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border);
    if !title.is_empty() {
        block = block.title(Line::from(format!(" {title} ")).style(theme.title));
    }
    if let Some((right, style)) = right {
        block = block.title(
            Line::from(format!(" {right} "))
                .alignment(Alignment::Right)
                .style(style),
        );
    }
    let inner = block.inner(area);
    block.render(area, frame.buffer_mut());
    if inner.height < min_h || inner.width < min_w {
        return None;
    }
    Some(Rect {
        x: inner.x + 1,
        width: inner.width - 2,
        ..inner
    })
}

/// [`screen_frame`] of a list view: `(title, count, n)` — its title (string-table key) at the
/// left and its count (a string-table key with one `{}`, given `n`) at the right.
pub fn list_frame(
    frame: &mut Frame,
    area: Rect,
    env: &crate::ui::screens::Env,
    (title_key, count_key, n): (&'static str, &'static str, usize),
) -> Option<Rect> {
    let count = crate::words::trf(env.lang, count_key, &[&crate::words::format::count(n)]);
    let title = crate::words::tr(env.lang, title_key);
    let right = Some((count.as_str(), env.theme.base));
    screen_frame(frame, area, env.theme, title, right, (20, 3))
}

/// One line of dim text (a hint, a filter, a folder) on the top row of `area`, cut to its width.
pub fn dim_line(frame: &mut Frame, area: Rect, text: &str, theme: &Theme) {
    let w = area.width as usize;
    frame
        .buffer_mut()
        .set_stringn(area.x, area.y, fit(text, w), w, theme.dim);
}

/// A rectangle of at most `w`×`h` centred in `area`.
pub fn popup_area(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// Clear `popup` and the rows it spans across `area` (inside the screen's frame, whose side
/// borders stay): no cut words of the screen below are left at the popup's edges.
pub fn clear_popup(buf: &mut ratatui::buffer::Buffer, area: Rect, popup: Rect) {
    let inner = area.inner(ratatui::layout::Margin::new(1, 1));
    let band = Rect {
        x: inner.x,
        width: inner.width,
        ..popup
    }
    .intersection(inner);
    Clear.render(band, buf);
    // A pop-up as tall as the screen covers the frame's top and bottom rows: the frame's
    // line is drawn again beside it (the title and counter would be cut there).
    let area = area.intersection(buf.area);
    for y in [area.y, area.bottom().saturating_sub(1)] {
        if area.height < 2 || y < popup.y || y >= popup.bottom() {
            continue;
        }
        let style = buf[(area.x, y)].style();
        for x in inner.left()..inner.right() {
            if x < popup.x || x >= popup.right() {
                buf[(x, y)].set_symbol("─").set_style(style);
            }
        }
    }
    Clear.render(popup, buf);
}

/// A dialog of at most `w`×`h` centred in `area`: clears it, draws its border and ` title `,
/// and returns the inside of the border.
pub fn popup_frame(
    frame: &mut Frame,
    area: Rect,
    (w, h): (u16, u16),
    title: &str,
    theme: &Theme,
) -> Rect {
    let popup = popup_area(area, w, h);
    clear_popup(frame.buffer_mut(), area, popup);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.popup_border)
        .title(format!(" {title} "))
        .style(theme.popup);
    let inner = block.inner(popup);
    block.render(popup, frame.buffer_mut());
    inner
}

/// The keys a Vietnamese input method sends for "việt": it takes back each letter it
/// replaces with `bs` (Backspace, or Ctrl+H on some terminals).
#[cfg(test)]
pub(crate) fn ime_typing_viet(
    bs: ratatui::crossterm::event::KeyEvent,
) -> [ratatui::crossterm::event::KeyEvent; 10] {
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let ch = |c: char| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
    [
        ch('v'),
        ch('i'),
        ch('e'),
        bs,
        ch('ê'),
        ch('t'),
        bs,
        bs,
        ch('ệ'),
        ch('t'),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_counts_cells() {
        assert_eq!(fit("Nguyễn Văn An", 20), "Nguyễn Văn An");
        assert_eq!(fit("Nguyễn Văn An", 8), "Nguyễn …");
        assert_eq!(width(&fit("越南越南", 5)), 5);
        assert_eq!(
            fit_left("/home/hoa/.local/share/ctv/ctv.db", 12),
            "…/ctv/ctv.db"
        );
    }

    #[test]
    fn popup_is_clamped() {
        let r = popup_area(Rect::new(0, 0, 80, 24), 100, 10);
        assert_eq!(r, Rect::new(0, 7, 80, 10));
    }
}
