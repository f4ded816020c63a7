//! "Làng nghề" (F12): the craft-village register of the reader's scope — name, communes,
//! recognition decision, status and how many facilities are linked. `n` registers a village,
//! Enter or `e` edits the selected one, `a` archives it (both on the one form engine).

use ratatui::layout::{Constraint, Rect};
use ratatui::Frame;

use super::village_form::VillageFormScreen;
use super::{Env, Screen, ScreenCmd};
use crate::record::VillageRecord;
use crate::store::Store;
use crate::text::sanitize;
use crate::ui::keymap::{Action, Context};
use crate::ui::widgets::table::table_view;
use crate::ui::widgets::{Column, ListWindow};
use crate::words::format;
use crate::words::village::{communes_text, village_status_text};
use crate::words::{store_error_text, tr, trf, Lang};

#[derive(Debug)]
pub struct VillagesScreen {
    lang: Lang,
    villages: Vec<(VillageRecord, i64)>,
    /// name, communes, decision, status, facilities — sanitised when loaded.
    rows: Vec<Vec<String>>,
    window: ListWindow,
    error: Option<String>,
}

impl VillagesScreen {
    pub fn new(lang: Lang, store: &Store) -> VillagesScreen {
        let mut s = VillagesScreen {
            lang,
            villages: Vec::new(),
            rows: Vec::new(),
            window: ListWindow::new(),
            error: None,
        };
        s.load(store);
        s
    }

    /// The names shown, in order (tests).
    pub fn names(&self) -> Vec<&str> {
        self.villages.iter().map(|(v, _)| v.name.as_str()).collect()
    }

    fn load(&mut self, store: &Store) {
        let l = self.lang;
        match store.list_villages(None, false) {
            Ok(vs) => {
                self.error = None;
                self.rows = vs
                    .iter()
                    .map(|(v, _)| {
                        let communes = communes_text(&v.communes, format::CommuneForm::Name, ", ");
                        let linked = store.village_facilities(&v.id).map_or(0, |f| f.len());
                        vec![
                            sanitize(&v.name),
                            sanitize(&communes),
                            sanitize(&v.decision_no),
                            village_status_text(l, &v.status),
                            format::count(linked),
                        ]
                    })
                    .collect();
                self.villages = vs;
            }
            Err(e) => {
                self.rows.clear();
                self.villages.clear();
                self.error = Some(store_error_text(l, &e));
            }
        }
        self.window.select(self.window.selected(), self.rows.len());
    }

    fn selected(&self) -> Option<&(VillageRecord, i64)> {
        self.villages.get(self.window.selected())
    }
}

impl Screen for VillagesScreen {
    fn title(&self, lang: Lang) -> String {
        tr(lang, "ui.villages.title").to_string()
    }

    fn contexts(&self) -> &'static [Context] {
        &[Context::List]
    }

    fn handles(&self, action: Action) -> bool {
        action.is_move()
            || action == Action::New
            || (matches!(action, Action::Open | Action::Edit | Action::Archive)
                && self.selected().is_some())
    }

    fn reload(&mut self, store: &Store) {
        self.load(store);
    }

    fn handle_action(&mut self, action: Action, env: &Env, store: &mut Store) -> ScreenCmd {
        if self.window.apply(action, self.rows.len()) {
            return ScreenCmd::None;
        }
        match action {
            Action::New => ScreenCmd::Push(Box::new(VillageFormScreen::new(store))),
            Action::Open | Action::Edit => match self.selected() {
                Some((v, version)) => {
                    ScreenCmd::Push(Box::new(VillageFormScreen::edit(v, *version, store)))
                }
                None => ScreenCmd::None,
            },
            Action::Archive => {
                let Some((v, version)) = self.selected().cloned() else {
                    return ScreenCmd::None;
                };
                let r = store.set_village_archived(&v.id, version, true);
                self.load(store);
                match r {
                    Ok(v) => ScreenCmd::Toast(trf(
                        env.lang,
                        "cli.village.archived",
                        &[&sanitize(&v.name)],
                    )),
                    Err(e) => ScreenCmd::Error(store_error_text(env.lang, &e)),
                }
            }
            _ => ScreenCmd::Unhandled,
        }
    }

    fn render(&self, frame: &mut Frame, area: Rect, env: &Env, _focused: bool) {
        let l = env.lang;
        let theme = env.theme;
        let count = trf(l, "ui.villages.count", &[&format::count(self.rows.len())]);
        let bar = match &self.error {
            Some(e) => e.clone(),
            None if self.rows.is_empty() => tr(l, "ui.villages.empty").to_string(),
            None => tr(l, "ui.villages.hint").to_string(),
        };
        let columns = [
            Column::new(tr(l, "village.field.name"), Constraint::Fill(2)),
            Column::new(tr(l, "village.field.communes"), Constraint::Fill(1)),
            Column::new(tr(l, "ui.villages.col.decision"), Constraint::Length(14)),
            Column::new(tr(l, "ui.villages.col.status"), Constraint::Length(14)),
            Column::new(tr(l, "ui.villages.col.facilities"), Constraint::Length(6)).right(),
        ];
        let title = tr(l, "ui.villages.title");
        let (window, rows) = (&self.window, &self.rows);
        table_view(
            frame,
            area,
            theme,
            (title, &count, &bar),
            &columns,
            window,
            rows,
        );
    }

    fn is_view(&self) -> bool {
        true
    }
}
