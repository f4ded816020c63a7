//! Placeholder home screen: the menu of sections. Each entry opens a placeholder until the
//! registry screens exist.

use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Block, Borders, Widget};
use ratatui::Frame;

use super::{Env, PickPurpose, PlaceholderScreen, Screen, ScreenCmd};
use crate::ui::i18n::{tr, trf, Lang};
use crate::ui::keymap::{Action, Context};
use crate::ui::widgets::table::render_table;
use crate::ui::widgets::{fit, Column, ListWindow, PickItem};

/// (code, label key, description key) of each section.
pub const SECTIONS: &[(&str, &str, &str)] = &[
    (
        "facilities",
        "ui.section.facilities",
        "ui.section.facilities.about",
    ),
    (
        "consultations",
        "ui.section.consultations",
        "ui.section.consultations.about",
    ),
    (
        "proposals",
        "ui.section.proposals",
        "ui.section.proposals.about",
    ),
    (
        "exchange",
        "ui.section.exchange",
        "ui.section.exchange.about",
    ),
];

#[derive(Debug, Default)]
pub struct HomeScreen {
    window: ListWindow,
}

impl HomeScreen {
    pub fn new() -> HomeScreen {
        HomeScreen::default()
    }

    pub fn selected(&self) -> usize {
        self.window.selected()
    }

    pub fn title(&self, lang: Lang) -> String {
        tr(lang, "ui.home.title").to_string()
    }

    pub fn handles(&self, action: Action) -> bool {
        matches!(
            action,
            Action::Up
                | Action::Down
                | Action::PageUp
                | Action::PageDown
                | Action::Home
                | Action::End
                | Action::Open
                | Action::Search
        )
    }

    fn open(&self, code: &str) -> ScreenCmd {
        match SECTIONS.iter().find(|(c, _, _)| *c == code) {
            Some((_, label, _)) => {
                ScreenCmd::Push(Box::new(Screen::Placeholder(PlaceholderScreen::new(label))))
            }
            None => ScreenCmd::None,
        }
    }

    pub fn handle_action(&mut self, action: Action, env: &Env) -> ScreenCmd {
        match action {
            Action::Open => match SECTIONS.get(self.window.selected()) {
                Some((code, _, _)) => self.open(code),
                None => ScreenCmd::None,
            },
            Action::Search => ScreenCmd::OpenPicker {
                title: tr(env.lang, "ui.home.jump").to_string(),
                items: SECTIONS
                    .iter()
                    .map(|(code, label, _)| PickItem::new(*code, tr(env.lang, label)))
                    .collect(),
                purpose: PickPurpose::Section,
            },
            other if self.window.apply(other, SECTIONS.len()) => ScreenCmd::None,
            _ => ScreenCmd::Unhandled,
        }
    }

    pub fn on_pick(&mut self, purpose: PickPurpose, code: &str, _env: &Env) -> ScreenCmd {
        match purpose {
            PickPurpose::Section => {
                if let Some(i) = SECTIONS.iter().position(|(c, _, _)| *c == code) {
                    self.window.select(i, SECTIONS.len());
                }
                self.open(code)
            }
        }
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, env: &Env) {
        let lang = env.lang;
        let theme = env.theme;
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border)
            .title(format!(" {} ", tr(lang, "ui.home.title")))
            .title_style(theme.title);
        let inner = block.inner(area);
        block.render(area, frame.buffer_mut());
        if inner.height < 3 || inner.width < 4 {
            return;
        }
        let w = inner.width as usize - 2;
        let open_key = env.keymap.keys_for(Action::Open, Context::List);
        let greeting = trf(lang, "ui.home.greeting", &[&open_key]);
        let buf = frame.buffer_mut();
        buf.set_stringn(inner.x + 1, inner.y, fit(&greeting, w), w, theme.base);
        let table = Rect {
            x: inner.x + 1,
            y: inner.y + 2,
            width: inner.width - 2,
            height: inner.height - 2,
        };
        let columns = [
            Column::new(tr(lang, "ui.home.col_section"), Constraint::Length(22)),
            Column::new(tr(lang, "ui.home.col_about"), Constraint::Fill(1)),
        ];
        render_table(
            buf,
            table,
            &columns,
            true,
            SECTIONS.len(),
            &self.window,
            theme,
            "",
            |i| {
                SECTIONS
                    .get(i)
                    .map(|(_, label, about)| {
                        vec![tr(lang, label).to_string(), tr(lang, about).to_string()]
                    })
                    .unwrap_or_default()
            },
        );
    }
}
