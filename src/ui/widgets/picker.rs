//! A fuzzy picker popup: type to filter, ↑↓ to move, Enter picks, Esc cancels.
//!
//! Filtering runs on folded text (`crate::text::fold`: no diacritics, đ→d, lowercase) on both
//! sides, because `fuzzy-matcher` only ignores ASCII case: "tan phu" finds "Xã Tân Phú" and
//! "duc" finds "Đức". The list re-filters only when the query changed. Also used for the
//! command palette, where `hint` shows the keys.

use fuzzy_matcher::skim::SkimMatcherV2;
use fuzzy_matcher::FuzzyMatcher;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Block, Borders, Widget};
use ratatui::Frame;

use super::table::{render_table, Column, ListWindow};
use super::text_field::TextField;
use super::{clean, fit, popup_area};
use crate::ui::keymap::Action;
use crate::ui::theme::Theme;
use crate::words::{trf, Lang};

/// One choice: a code (returned when picked), the label shown, a hint shown on the right, and
/// extra words that also match (e.g. the English name of a command).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickItem {
    pub code: String,
    pub label: String,
    pub hint: String,
    pub extra: String,
}

impl PickItem {
    pub fn new(code: impl Into<String>, label: impl Into<String>) -> PickItem {
        PickItem {
            code: code.into(),
            label: label.into(),
            hint: String::new(),
            extra: String::new(),
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> PickItem {
        self.hint = hint.into();
        self
    }

    pub fn with_extra(mut self, extra: impl Into<String>) -> PickItem {
        self.extra = extra.into();
        self
    }
}

/// What a key did to the picker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PickerOutcome {
    /// Still open.
    Open,
    /// Enter on an item: its code.
    Picked(String),
    /// Esc.
    Cancelled,
}

#[derive(Debug, Clone)]
pub struct Picker {
    title: String,
    items: Vec<PickItem>,
    /// Folded search text of each item (label, code, extra).
    keys: Vec<String>,
    query: TextField,
    filtered_for: String,
    /// Indices into `items`, best match first.
    matches: Vec<usize>,
    window: ListWindow,
}

impl Picker {
    pub fn new(title: impl Into<String>, items: Vec<PickItem>) -> Picker {
        let keys = items
            .iter()
            .map(|it| crate::text::fold(&format!("{} {} {}", it.label, it.code, it.extra)))
            .collect();
        let matches = (0..items.len()).collect();
        Picker {
            title: title.into(),
            items,
            keys,
            query: TextField::new(),
            filtered_for: String::new(),
            matches,
            window: ListWindow::new(),
        }
    }

    pub fn query(&self) -> &str {
        self.query.value()
    }

    /// The items that match the query, best first.
    pub fn matches(&self) -> impl Iterator<Item = &PickItem> + '_ {
        self.matches.iter().filter_map(|&i| self.items.get(i))
    }

    pub fn match_count(&self) -> usize {
        self.matches.len()
    }

    pub fn selected(&self) -> Option<&PickItem> {
        self.matches
            .get(self.window.selected())
            .and_then(|&i| self.items.get(i))
    }

    /// A key for the query field (typing, backspace, cursor movement). True if used.
    pub fn handle_text_key(&mut self, key: &KeyEvent) -> bool {
        let used = self.query.handle_key(key);
        if used {
            self.refilter();
        }
        used
    }

    pub fn paste(&mut self, text: &str) {
        self.query.insert_str(text);
        self.refilter();
    }

    /// A keymap action in the picker context.
    pub fn apply(&mut self, action: Action) -> PickerOutcome {
        match action {
            Action::Open => match self.selected() {
                Some(it) => PickerOutcome::Picked(it.code.clone()),
                None => PickerOutcome::Open,
            },
            Action::Back => PickerOutcome::Cancelled,
            other => {
                self.window.apply(other, self.matches.len());
                PickerOutcome::Open
            }
        }
    }

    fn refilter(&mut self) {
        if self.query.value() == self.filtered_for {
            return;
        }
        self.filtered_for = self.query.value().to_string();
        let q = crate::text::fold(self.query.value());
        let q = q.trim();
        if q.is_empty() {
            self.matches = (0..self.items.len()).collect();
        } else {
            // Every word must match (like `crate::search`), so word order does not matter.
            let matcher = SkimMatcherV2::default();
            let words: Vec<&str> = q.split_whitespace().collect();
            let mut scored: Vec<(i64, usize)> = self
                .keys
                .iter()
                .enumerate()
                .filter_map(|(i, k)| {
                    words
                        .iter()
                        .map(|w| {
                            // Skim scores "3320" in "332 00332" like the real "3320": prefer
                            // the item that contains the word as typed.
                            let bonus = if k.contains(w) { 100 } else { 0 };
                            matcher.fuzzy_match(k, w).map(|s| s + bonus)
                        })
                        .sum::<Option<i64>>()
                        // The whole phrase as typed ("tan binh" in "phuong tan binh") beats
                        // the same words in another order ("binh tan").
                        .map(|s| {
                            (
                                s + if words.len() > 1 && k.contains(q) {
                                    300
                                } else {
                                    0
                                },
                                i,
                            )
                        })
                })
                .collect();
            scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            self.matches = scored.into_iter().map(|(_, i)| i).collect();
        }
        self.window.select(0, self.matches.len());
    }

    /// Draw as a centred popup over `area`, with the real cursor in the query field.
    pub fn render(&self, frame: &mut Frame, area: Rect, theme: &Theme, lang: Lang, focused: bool) {
        let popup = popup_area(
            area,
            area.width.saturating_sub(8).clamp(20, 72),
            area.height.saturating_sub(4),
        );
        super::clear_popup(frame.buffer_mut(), area, popup);
        let count = trf(
            lang,
            "ui.picker.count",
            &[&self.matches.len(), &self.items.len()],
        );
        let title = fit(
            &clean(&self.title),
            (popup.width as usize).saturating_sub(4),
        );
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.popup_border)
            .title(format!(" {title} "))
            .title_bottom(format!(" {count} "))
            .style(theme.popup);
        let inner = block.inner(popup).inner(ratatui::layout::Margin::new(1, 0));
        block.render(popup, frame.buffer_mut());
        if inner.height < 2 || inner.width < 4 {
            return;
        }
        let prompt = "› ";
        frame
            .buffer_mut()
            .set_stringn(inner.x, inner.y, prompt, inner.width as usize, theme.title);
        let field = Rect {
            x: inner.x + 2,
            width: inner.width - 2,
            height: 1,
            ..inner
        };
        self.query.render(frame, field, theme.input, focused);
        let list = Rect {
            y: inner.y + 1,
            height: inner.height - 1,
            ..inner
        };
        let hint_width = self
            .matches()
            .map(|it| super::width(&it.hint))
            .max()
            .unwrap_or(0)
            .min(24) as u16;
        let columns = [
            Column::new("", Constraint::Fill(1)),
            Column::new("", Constraint::Length(hint_width)),
        ];
        let empty = crate::words::tr(lang, "ui.picker.no_match");
        render_table(
            frame.buffer_mut(),
            list,
            &columns,
            false,
            self.matches.len(),
            &self.window,
            theme,
            empty,
            |row| match self.matches.get(row).and_then(|&i| self.items.get(i)) {
                Some(it) => vec![it.label.clone(), it.hint.clone()],
                None => Vec::new(),
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::{KeyCode, KeyModifiers};

    fn type_str(p: &mut Picker, s: &str) {
        for c in s.chars() {
            assert!(p.handle_text_key(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)));
        }
    }

    fn communes() -> Vec<PickItem> {
        vec![
            PickItem::new("00001", "Phường Ba Đình"),
            PickItem::new("25117", "Xã Tân Phú"),
            PickItem::new("26734", "Xã Đức Hòa"),
            PickItem::new("27001", "Phường Tân Phú"),
        ]
    }

    #[test]
    fn filters_on_folded_text() {
        let mut p = Picker::new("Xã", communes());
        type_str(&mut p, "duc");
        assert_eq!(p.selected().map(|i| i.code.as_str()), Some("26734"));
        let mut p = Picker::new("Xã", communes());
        type_str(&mut p, "tân phú");
        let codes: Vec<&str> = p.matches().map(|i| i.code.as_str()).collect();
        assert_eq!(codes.len(), 2, "{codes:?}");
        assert!(codes.contains(&"25117") && codes.contains(&"27001"));
    }

    #[test]
    fn enter_picks_and_esc_cancels() {
        let mut p = Picker::new("Xã", communes());
        type_str(&mut p, "25117");
        assert_eq!(p.apply(Action::Open), PickerOutcome::Picked("25117".into()));
        assert_eq!(p.apply(Action::Back), PickerOutcome::Cancelled);
        let mut p = Picker::new("Xã", communes());
        type_str(&mut p, "zzzz");
        assert_eq!(p.match_count(), 0);
        assert_eq!(p.apply(Action::Open), PickerOutcome::Open);
    }

    #[test]
    fn thousands_of_communes() {
        let items: Vec<PickItem> = (0..3321)
            .map(|i| PickItem::new(format!("{i:05}"), format!("Xã Tân Phú {i}")))
            .collect();
        let mut p = Picker::new("Xã", items);
        type_str(&mut p, "tan phu 3320");
        assert_eq!(p.selected().map(|i| i.code.as_str()), Some("03320"));
    }

    #[test]
    fn backspace_widens_again() {
        let mut p = Picker::new("Xã", communes());
        type_str(&mut p, "ducx");
        assert_eq!(p.match_count(), 0);
        assert!(p.handle_text_key(&KeyEvent::new(KeyCode::Char('h'), KeyModifiers::CONTROL)));
        assert_eq!(p.match_count(), 1);
    }
}
