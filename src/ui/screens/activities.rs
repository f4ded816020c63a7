//! "Hoạt động" (F10 from anywhere): activities with attendees of the user's area, newest
//! first — dates, kind, title, commune, attendees (women, ethnic minorities), cost.
//!
//! `n` records a new one, Enter or `e` opens the selected one in the form, `a` archives it
//! (after a question), `f` shows one kind only.

use ratatui::layout::{Constraint, Rect};
use ratatui::Frame;

use super::activity_form::ActivityFormScreen;
use super::{filter_picker, rows_or_error, Env, PickPurpose, Screen, ScreenCmd};
use crate::domain::consultation::{dmy, parse_date};
use crate::domain::money::format_vnd;
use crate::store::{ActivityFilter, ActivityRow, Store};
use crate::ui::keymap::{Action, Context};
use crate::ui::widgets::table::render_list;
use crate::ui::widgets::{dim_line, list_frame, Column, ListWindow};
use crate::words::activity::{activity_row_cells, kind_label, LIST_HEADERS};
use crate::words::format;
use crate::words::{store_error_text, tr, trf, Lang};

/// One row, its cells worded when loaded.
#[derive(Debug, Clone)]
struct Row {
    id: String,
    version: i64,
    title: String,
    cells: Vec<String>,
}

#[derive(Debug)]
pub struct ActivitiesScreen {
    lang: Lang,
    filter: ActivityFilter,
    rows: Vec<Row>,
    window: ListWindow,
    error: Option<String>,
}

impl ActivitiesScreen {
    pub fn new(lang: Lang, store: &Store) -> ActivitiesScreen {
        let mut s = ActivitiesScreen {
            lang,
            filter: ActivityFilter::default(),
            rows: Vec::new(),
            window: ListWindow::new(),
            error: None,
        };
        s.reload(store);
        s
    }

    fn row(lang: Lang, r: &ActivityRow) -> Row {
        let date = |s: &str| parse_date(s).map(dmy).unwrap_or_else(|| s.to_string());
        // The screen shows no id column and the start date alone (80 columns).
        let mut cells = activity_row_cells(lang, r, &date, &format_vnd);
        cells.remove(0);
        cells[0] = date(&r.record.start_date);
        Row {
            id: r.record.id.clone(),
            version: r.version,
            title: r.record.title.clone(),
            cells,
        }
    }

    // ----- inspection (tests) -----

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The id of the activity under the cursor.
    pub fn selected_id(&self) -> Option<&str> {
        self.rows.get(self.window.selected()).map(|r| r.id.as_str())
    }

    /// Every row's cells, as shown (tests).
    pub fn cells(&self) -> Vec<Vec<String>> {
        self.rows.iter().map(|r| r.cells.clone()).collect()
    }

    fn open_selected(&self, env: &Env, store: &Store) -> ScreenCmd {
        let Some(r) = self.rows.get(self.window.selected()) else {
            return ScreenCmd::None;
        };
        let opened = store.activity(&r.id).and_then(|found| match found {
            Some((rec, version)) => ActivityFormScreen::edit(&rec, version, store).map(Some),
            None => Ok(None),
        });
        match opened {
            Ok(Some(form)) => ScreenCmd::Push(Box::new(form)),
            Ok(None) => ScreenCmd::Error(tr(env.lang, "ui.list.gone").to_string()),
            Err(e) => ScreenCmd::Error(store_error_text(env.lang, &e)),
        }
    }
}

impl Screen for ActivitiesScreen {
    fn reload(&mut self, store: &Store) {
        let keep = self.selected_id().map(str::to_string);
        let lang = self.lang;
        let loaded = store.activities(&self.filter);
        (self.rows, self.error) = rows_or_error(lang, loaded, |r| Self::row(lang, r));
        self.window
            .reselect(&self.rows, |r| keep.as_deref() == Some(r.id.as_str()));
    }

    fn title(&self, lang: Lang) -> String {
        tr(lang, "ui.activity.list_title").to_string()
    }

    fn contexts(&self) -> &'static [Context] {
        &[Context::List]
    }

    fn handles(&self, action: Action) -> bool {
        match action {
            _ if action.is_move() => true,
            Action::Activities | Action::New | Action::Filter => true,
            Action::Open | Action::Edit | Action::Archive => !self.rows.is_empty(),
            _ => false,
        }
    }

    fn handle_action(&mut self, action: Action, env: &Env, store: &mut Store) -> ScreenCmd {
        let l = env.lang;
        if self.window.apply(action, self.rows.len()) {
            return ScreenCmd::None;
        }
        match action {
            Action::Activities => {
                self.reload(store);
                ScreenCmd::None
            }
            Action::New => match ActivityFormScreen::new_activity(store) {
                Ok(f) => ScreenCmd::Push(Box::new(f)),
                Err(e) => ScreenCmd::Error(store_error_text(l, &e)),
            },
            Action::Open | Action::Edit => self.open_selected(env, store),
            Action::Archive => match self.rows.get(self.window.selected()) {
                Some(r) => ScreenCmd::Confirm {
                    message: trf(
                        l,
                        "ui.activity.confirm_archive",
                        &[&crate::text::sanitize(&r.title)],
                    ),
                    action: Action::Archive,
                },
                None => ScreenCmd::None,
            },
            Action::Filter => filter_picker(
                l,
                "ui.activity.pick_kind",
                "ui.activity.all_kinds",
                PickPurpose::ActivityKindFilter,
                super::code_items(
                    l,
                    &crate::refdata::codes().activity_kinds,
                    format::CodeForm::Label,
                ),
            ),
            _ => ScreenCmd::Unhandled,
        }
    }

    fn on_pick(
        &mut self,
        purpose: PickPurpose,
        code: &str,
        _env: &Env,
        store: &mut Store,
    ) -> ScreenCmd {
        if purpose == PickPurpose::ActivityKindFilter {
            self.filter.kind = Some(code.to_string()).filter(|c| !c.is_empty());
            self.window.select(0, 0);
            self.reload(store);
        }
        ScreenCmd::None
    }

    fn on_confirm(&mut self, action: Action, env: &Env, store: &mut Store) -> ScreenCmd {
        if action != Action::Archive {
            return ScreenCmd::None;
        }
        let Some(r) = self.rows.get(self.window.selected()).cloned() else {
            return ScreenCmd::None;
        };
        let done = store.archive_activity(&r.id, r.version);
        self.reload(store);
        match done {
            Ok(_) => ScreenCmd::Toast(trf(
                env.lang,
                "ui.activity.archived",
                &[&crate::text::sanitize(&r.title)],
            )),
            Err(e) => ScreenCmd::Error(store_error_text(env.lang, &e)),
        }
    }

    fn render(&self, frame: &mut Frame, area: Rect, env: &Env, _focused: bool) {
        let l = env.lang;
        let theme = env.theme;
        let head = (
            "ui.activity.list_title",
            "cli.activity.count",
            self.rows.len(),
        );
        let Some(inner) = list_frame(frame, area, env, head) else {
            return;
        };
        let bar = match &self.filter.kind {
            Some(k) => trf(l, "ui.activity.only_kind", &[&kind_label(l, k)]),
            None => tr(l, "ui.activity.all_kinds").to_string(),
        };
        dim_line(frame, inner, &bar, theme);
        let rest = Rect {
            y: inner.y + 1,
            height: inner.height.saturating_sub(1),
            ..inner
        };
        // Length columns are sized by their content up to these widths (money in full:
        // "1.250.000.000 đ"); the title takes the rest.
        let widths = [
            Constraint::Length(10),
            Constraint::Length(14),
            Constraint::Fill(1),
            Constraint::Length(16),
            Constraint::Length(8),
            Constraint::Length(3),
            Constraint::Length(4),
            Constraint::Length(15),
        ];
        // Narrow terminals keep date, kind, title, attendees and cost: the place and the
        // women / minority counts are on the activity's page.
        let keep = |i: usize| rest.width >= 72 || !matches!(i, 3 | 5 | 6);
        let columns: Vec<Column> = LIST_HEADERS[1..]
            .iter()
            .zip(widths)
            .enumerate()
            .filter(|(i, _)| keep(*i))
            .map(|(i, (k, w))| {
                let c = Column::new(tr(l, k), w);
                match i {
                    4..=7 => c.right(),
                    _ => c,
                }
            })
            .collect();
        let empty = match &self.error {
            Some(e) => e.clone(),
            None => {
                let key = env.keymap.keys_for(Action::New, Context::List);
                trf(l, "ui.activity.empty", &[&key])
            }
        };
        let rows = (self.rows.as_slice(), &self.window);
        render_list(frame, rest, &columns, rows, theme, &empty, |r| {
            let cells = r.cells.iter().enumerate().filter(|(i, _)| keep(*i));
            cells.map(|(_, c)| c.clone()).collect()
        });
    }

    fn is_view(&self) -> bool {
        true
    }
}
