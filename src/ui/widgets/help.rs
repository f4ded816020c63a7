//! The help overlay: every binding of the keymap, grouped by context, scrollable. Generated
//! from [`Keymap::help_sections`], so it cannot disagree with what the keys do.

use std::cell::Cell;

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Widget};
use ratatui::Frame;

use super::{fit, popup_area, width};
use crate::ui::keymap::{Action, Keymap};
use crate::ui::theme::Theme;
use crate::words::{tr, trf, Lang};

/// Scroll position of the help overlay.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HelpState {
    scroll: usize,
    /// Lines visible at the last draw (for PgUp/PgDn and clamping).
    page: Cell<usize>,
}

impl HelpState {
    pub fn new() -> HelpState {
        HelpState::default()
    }

    pub fn scroll(&self) -> usize {
        self.scroll
    }

    /// Apply a movement action given the number of lines; returns whether it was one.
    pub fn apply(&mut self, action: Action, total_lines: usize) -> bool {
        let page = self.page.get().max(1);
        let max = total_lines.saturating_sub(page);
        self.scroll = match action {
            Action::Up => self.scroll.saturating_sub(1),
            Action::Down => self.scroll + 1,
            Action::PageUp => self.scroll.saturating_sub(page),
            Action::PageDown => self.scroll + page,
            Action::Home => 0,
            Action::End => max,
            _ => return false,
        }
        .min(max);
        true
    }
}

/// The help text as lines (section titles, then "keys  label" rows).
pub fn help_lines(keymap: &Keymap, lang: Lang, theme: &Theme) -> Vec<Line<'static>> {
    let sections = keymap.help_sections();
    let key_width = sections
        .iter()
        .flat_map(|(_, rows)| rows.iter().map(|(k, _)| width(k)))
        .max()
        .unwrap_or(0)
        .min(24);
    let mut lines = Vec::new();
    for (i, (ctx, rows)) in sections.iter().enumerate() {
        if i > 0 {
            lines.push(Line::default());
        }
        lines.push(Line::from(Span::styled(
            tr(lang, ctx.label_key()),
            theme.title,
        )));
        for (keys, label) in rows {
            let keys = fit(keys, key_width);
            let pad = " ".repeat(key_width.saturating_sub(width(&keys)));
            lines.push(Line::from(vec![
                Span::raw("  "),
                Span::styled(format!("{keys}{pad}"), theme.footer_key),
                Span::raw("  "),
                Span::raw(tr(lang, label)),
            ]));
        }
    }
    lines
}

/// Number of help lines (for scrolling without drawing).
pub fn help_line_count(keymap: &Keymap) -> usize {
    let sections = keymap.help_sections();
    sections
        .iter()
        .map(|(_, rows)| rows.len() + 1)
        .sum::<usize>()
        + sections.len().saturating_sub(1)
}

pub fn render_help(
    frame: &mut Frame,
    area: Rect,
    keymap: &Keymap,
    state: &HelpState,
    theme: &Theme,
    lang: Lang,
) {
    let popup = popup_area(area, 64, area.height);
    super::clear_popup(frame.buffer_mut(), area, popup);
    let lines = help_lines(keymap, lang, theme);
    let inner_h = popup.height.saturating_sub(2) as usize;
    state.page.set(inner_h);
    let max = lines.len().saturating_sub(inner_h);
    let scroll = state.scroll.min(max);
    let shown_to = (scroll + inner_h).min(lines.len());
    let position = trf(
        lang,
        "ui.help.position",
        &[&(scroll + 1).min(lines.len()), &shown_to, &lines.len()],
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.popup_border)
        .title(format!(" {} ", tr(lang, "ui.help.title")))
        .title_bottom(format!(" {position} "))
        .style(theme.popup);
    let inner = block.inner(popup);
    block.render(popup, frame.buffer_mut());
    for (row, line) in lines.iter().skip(scroll).take(inner_h).enumerate() {
        frame.buffer_mut().set_line(
            inner.x + 1,
            inner.y + row as u16,
            line,
            inner.width.saturating_sub(1),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_count_matches_lines() {
        let km = Keymap::default();
        assert_eq!(
            help_line_count(&km),
            help_lines(&km, Lang::Vi, &Theme::mono()).len()
        );
    }

    #[test]
    fn scrolling_is_clamped() {
        let mut h = HelpState::new();
        h.page.set(10);
        assert!(h.apply(Action::End, 50));
        assert_eq!(h.scroll(), 40);
        h.apply(Action::Down, 50);
        assert_eq!(h.scroll(), 40);
        h.apply(Action::PageUp, 50);
        assert_eq!(h.scroll(), 30);
        h.apply(Action::Home, 50);
        assert_eq!(h.scroll(), 0);
    }
}
