//! "Tài khoản" (F9): a shared server's accounts, for the administrator. Read only: adding,
//! disabling and enabling accounts stay on the command line (`ctv admin user …`).

use ratatui::layout::{Constraint, Rect};
use ratatui::Frame;

use super::{Env, Screen, ScreenCmd};
use crate::store::Store;
use crate::text::sanitize;
use crate::ui::keymap::{Action, Context};
use crate::ui::widgets::table::render_list;
use crate::ui::widgets::{dim_line, list_frame};
use crate::ui::widgets::{Column, ListWindow};
use crate::words::{tr, Lang};

#[derive(Debug)]
pub struct AccountsScreen {
    lang: Lang,
    /// account, name, role, scope, state — sanitised when loaded.
    rows: Vec<[String; 5]>,
    window: ListWindow,
    error: Option<String>,
}

impl AccountsScreen {
    pub fn new(lang: Lang, store: &Store) -> AccountsScreen {
        let mut s = AccountsScreen {
            lang,
            rows: Vec::new(),
            window: ListWindow::new(),
            error: None,
        };
        s.reload(lang, store);
        s
    }

    /// The accounts shown, as (account, state) — for tests.
    pub fn accounts(&self) -> Vec<(&str, &str)> {
        self.rows
            .iter()
            .map(|r| (r[0].as_str(), r[4].as_str()))
            .collect()
    }

    fn reload(&mut self, lang: Lang, store: &Store) {
        let list = store.check_admin().and_then(|()| store.collaborators());
        match list {
            Ok(list) => {
                self.error = None;
                self.rows = list
                    .into_iter()
                    .filter_map(|p| {
                        let account = sanitize(p.account.as_deref()?);
                        let state = if p.active {
                            "cli.admin.active"
                        } else {
                            "cli.admin.disabled"
                        };
                        Some([
                            account,
                            sanitize(&p.name),
                            tr(lang, crate::words::format::role_key(p.role)).to_string(),
                            sanitize(&p.scope_label()),
                            tr(lang, state).to_string(),
                        ])
                    })
                    .collect();
            }
            Err(e) => {
                self.rows.clear();
                self.error = Some(crate::words::store_error_text(lang, &e));
            }
        }
        self.window.select(self.window.selected(), self.rows.len());
    }
}

impl Screen for AccountsScreen {
    fn title(&self, lang: Lang) -> String {
        tr(lang, "ui.accounts.title").to_string()
    }

    fn contexts(&self) -> &'static [Context] {
        &[Context::List]
    }

    fn handles(&self, action: Action) -> bool {
        action.is_move()
    }

    fn on_data_changed(&mut self, store: &mut Store) -> ScreenCmd {
        self.reload(self.lang, store);
        ScreenCmd::None
    }

    fn handle_action(&mut self, action: Action, _env: &Env, _store: &mut Store) -> ScreenCmd {
        if self.window.apply(action, self.rows.len()) {
            return ScreenCmd::None;
        }
        ScreenCmd::Unhandled
    }

    fn render(&self, frame: &mut Frame, area: Rect, env: &Env, _focused: bool) {
        let l = env.lang;
        let theme = env.theme;
        let head = ("ui.accounts.title", "ui.accounts.count", self.rows.len());
        let Some(inner) = list_frame(frame, area, env, head) else {
            return;
        };
        let bar = match &self.error {
            Some(e) => e.clone(),
            None => tr(l, "ui.accounts.hint").to_string(),
        };
        dim_line(frame, inner, &bar, theme);
        let rest = Rect {
            y: inner.y + 1,
            height: inner.height - 1,
            ..inner
        };
        let columns = [
            Column::new(tr(l, "cli.admin.h.account"), Constraint::Length(12)),
            Column::new(tr(l, "cli.admin.h.name"), Constraint::Fill(1)),
            Column::new(tr(l, "cli.admin.h.role"), Constraint::Length(22)),
            Column::new(tr(l, "cli.admin.h.scope"), Constraint::Fill(1)),
            Column::new(tr(l, "cli.admin.h.state"), Constraint::Length(10)),
        ];
        let rows = (self.rows.as_slice(), &self.window);
        render_list(frame, rest, &columns, rows, theme, "", |r| r.to_vec());
    }

    fn is_view(&self) -> bool {
        true
    }
}
