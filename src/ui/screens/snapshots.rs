//! "Sao lưu / khôi phục": the snapshots beside the database, newest first (F6 from anywhere).
//!
//! `b` takes a manual snapshot after a confirmation. Enter (or `r`) restores the selected
//! one after a confirmation: the screen only asks; the event loop does the restore
//! ([`ScreenCmd::RestoreDatabase`]), because the app's own connection must be closed first.

use std::path::PathBuf;

use ratatui::layout::{Constraint, Rect};
use ratatui::Frame;

use super::{rows_or_error, Env, Screen, ScreenCmd};
use crate::store::{Snapshot, SnapshotReason, Store};
use crate::text::sanitize;
use crate::ui::keymap::{Action, Context};
use crate::ui::widgets::bars::wrap;
use crate::ui::widgets::table::render_list;
use crate::ui::widgets::{dim_line, screen_frame};
use crate::ui::widgets::{Column, ListWindow};
use crate::words::format;
use crate::words::{tr, trf, Lang};

/// One row, formatted when loaded.
#[derive(Debug, Clone)]
struct Row {
    path: PathBuf,
    at: String,
    reason: String,
    facilities: String,
    consultations: String,
    size: String,
}

impl Row {
    fn new(lang: Lang, s: &Snapshot) -> Row {
        Row {
            path: s.path.clone(),
            at: s.at.format("%d/%m/%Y %H:%M").to_string(),
            reason: crate::words::format::reason_label(lang, s.reason).to_string(),
            facilities: count_i64(s.facilities),
            consultations: count_i64(s.consultations),
            size: format::megabytes(s.bytes),
        }
    }
}

fn count_i64(n: i64) -> String {
    format::count(usize::try_from(n).unwrap_or(0))
}

#[derive(Debug)]
pub struct SnapshotsScreen {
    lang: Lang,
    rows: Vec<Row>,
    window: ListWindow,
    /// The snapshots folder, shown above the list (None for an in-memory store).
    dir: Option<String>,
    /// "On disk: … / cap …", shown beside the count.
    usage: String,
    error: Option<String>,
}

impl SnapshotsScreen {
    pub fn new(lang: Lang, store: &Store) -> SnapshotsScreen {
        let mut s = SnapshotsScreen {
            lang,
            rows: Vec::new(),
            window: ListWindow::new(),
            dir: None,
            usage: String::new(),
            error: None,
        };
        s.reload(store);
        s
    }

    // ----- inspection (tests) -----

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The snapshot under the cursor.
    pub fn selected_path(&self) -> Option<&std::path::Path> {
        self.rows
            .get(self.window.selected())
            .map(|r| r.path.as_path())
    }

    // ----- input -----

    // ----- drawing -----

    fn render_text(&self, frame: &mut Frame, area: Rect, text: &str, env: &Env) {
        let w = area.width as usize;
        for (n, line) in wrap(text, w).iter().enumerate().take(area.height as usize) {
            frame
                .buffer_mut()
                .set_stringn(area.x, area.y + n as u16, line, w, env.theme.dim);
        }
    }
}

impl Screen for SnapshotsScreen {
    fn reload(&mut self, store: &Store) {
        let Some(db) = store.path() else {
            self.rows.clear();
            self.dir = None;
            self.error = None;
            return;
        };
        self.dir = Some(crate::store::snapshots_dir(db).display().to_string());
        let keep = self.selected_path().map(PathBuf::from);
        // `list_snapshots` is newest first already.
        let lang = self.lang;
        let loaded = crate::store::list_snapshots(db);
        if let Ok(snaps) = &loaded {
            let cap = crate::store::snapshot_cap_of(db);
            self.usage = format::snapshot_usage(lang, snaps, cap);
        }
        (self.rows, self.error) = rows_or_error(lang, loaded, |s| Row::new(lang, s));
        self.window
            .reselect(&self.rows, |r| keep.as_ref() == Some(&r.path));
    }

    fn title(&self, lang: Lang) -> String {
        tr(lang, "ui.snapshots.title").to_string()
    }

    fn contexts(&self) -> &'static [Context] {
        &[Context::Snapshots, Context::List]
    }

    fn handles(&self, action: Action) -> bool {
        match action {
            _ if action.is_move() => true,
            Action::Snapshots => true,
            Action::BackupNow => self.dir.is_some(),
            Action::RestoreSnapshot => !self.rows.is_empty(),
            _ => false,
        }
    }

    fn handle_action(&mut self, action: Action, env: &Env, store: &mut Store) -> ScreenCmd {
        let l = env.lang;
        if self.window.apply(action, self.rows.len()) {
            return ScreenCmd::None;
        }
        match action {
            Action::Snapshots => {
                self.reload(store);
                ScreenCmd::None
            }
            Action::BackupNow if self.dir.is_some() => ScreenCmd::Confirm {
                message: tr(l, "ui.snapshots.confirm_backup").to_string(),
                action: Action::BackupNow,
            },
            Action::Open | Action::RestoreSnapshot => match self.rows.get(self.window.selected()) {
                Some(r) => ScreenCmd::Confirm {
                    message: trf(
                        l,
                        "ui.snapshots.confirm_restore",
                        &[&r.at, &r.reason, &r.facilities, &r.consultations],
                    ),
                    action: Action::RestoreSnapshot,
                },
                None => ScreenCmd::None,
            },
            _ => ScreenCmd::Unhandled,
        }
    }

    fn render(&self, frame: &mut Frame, area: Rect, env: &Env, _focused: bool) {
        let l = env.lang;
        let theme = env.theme;
        let mut count = trf(l, "ui.snapshots.count", &[&format::count(self.rows.len())]);
        if !self.usage.is_empty() {
            count = format!("{count} · {}", self.usage);
        }
        let title = tr(l, "ui.snapshots.title");
        let right = Some((count.as_str(), theme.base));
        let Some(inner) = screen_frame(frame, area, theme, title, right, (20, 3)) else {
            return;
        };
        let Some(dir) = &self.dir else {
            self.render_text(frame, inner, tr(l, "ui.snapshots.no_file"), env);
            return;
        };
        let bar = trf(l, "cli.snapshots.dir", &[&sanitize(dir)]);
        dim_line(frame, inner, &bar, theme);
        let rest = Rect {
            y: inner.y + 1,
            height: inner.height - 1,
            ..inner
        };
        if self.rows.is_empty() {
            let text = match &self.error {
                Some(e) => e.clone(),
                None => {
                    let key = env.keymap.keys_for(Action::BackupNow, Context::Snapshots);
                    trf(l, "ui.snapshots.empty", &[&key])
                }
            };
            let below = Rect {
                y: rest.y + 1,
                height: rest.height.saturating_sub(1),
                ..rest
            };
            self.render_text(frame, below, &text, env);
            return;
        }
        let columns = [
            Column::new(tr(l, "cli.snapshots.col.at"), Constraint::Length(16)),
            Column::new(tr(l, "cli.snapshots.col.reason"), Constraint::Fill(1)),
            Column::new(
                tr(l, "cli.snapshots.col.facilities"),
                Constraint::Length(10),
            )
            .right(),
            Column::new(
                tr(l, "cli.snapshots.col.consultations"),
                Constraint::Length(13),
            )
            .right(),
            Column::new(tr(l, "cli.snapshots.col.size"), Constraint::Length(10)).right(),
        ];
        let rows = (self.rows.as_slice(), &self.window);
        render_list(frame, rest, &columns, rows, theme, "", |r| {
            vec![
                r.at.clone(),
                r.reason.clone(),
                r.facilities.clone(),
                r.consultations.clone(),
                r.size.clone(),
            ]
        });
    }

    fn on_confirm(&mut self, action: Action, env: &Env, store: &mut Store) -> ScreenCmd {
        let l = env.lang;
        match action {
            Action::BackupNow => {
                let taken = store.snapshot(SnapshotReason::Manual);
                self.reload(store);
                match taken {
                    Ok(Some(s)) => {
                        // Select the new one (newest first: the top row).
                        if let Some(i) = self.rows.iter().position(|r| r.path == s.path) {
                            self.window.select(i, self.rows.len());
                        }
                        ScreenCmd::Toast(trf(
                            l,
                            "ui.snapshots.backed_up",
                            &[&sanitize(&s.file_name())],
                        ))
                    }
                    Ok(None) => ScreenCmd::Error(tr(l, "ui.snapshots.no_file").to_string()),
                    Err(e) => ScreenCmd::Error(crate::words::store_error_text(l, &e)),
                }
            }
            Action::RestoreSnapshot => match self.selected_path() {
                Some(p) => ScreenCmd::RestoreDatabase(p.to_path_buf()),
                None => ScreenCmd::None,
            },
            _ => ScreenCmd::None,
        }
    }

    fn is_view(&self) -> bool {
        true
    }
}
