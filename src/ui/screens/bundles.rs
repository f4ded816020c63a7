//! "Gói dữ liệu" (F7): the province's side of bundles, in three panes.
//!
//! 1. Import: type the path of a bundle; Enter checks it (signature, hashes, sender's key,
//!    sequence gap) and shows the preview per entity; Enter again imports it after a
//!    confirmation (which names a new or changed key: trust on first use is that answer).
//! 2. Conflicts: the open conflicts; Enter shows the differing fields with both versions,
//!    Enter on a field switches it between the live value ("mine") and the other ("theirs"),
//!    `s` resolves after a confirmation.
//! 3. Duplicates: suspected pairs across senders; `m` merges B into A, `k` keeps them apart
//!    (each after a confirmation).

use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::{Constraint, Rect};
use ratatui::Frame;

use super::{Env, Screen, ScreenCmd};
use crate::bundle::receive::{self, Checked, Imported};
use crate::bundle::KeyStatus;
use crate::store::{Conflict, DuplicateRow, MergeReport, Side, Store};
use crate::text::sanitize;
use crate::ui::keymap::{Action, Context};
use crate::ui::widgets::bars::wrap;
use crate::ui::widgets::screen_frame;
use crate::ui::widgets::table::render_list;
use crate::ui::widgets::{fit, Column, ListWindow, Prompt};
use crate::words::format::{commune_label, entity_label, CommuneForm};
use crate::words::merge::{
    field_label, field_value, gap_text, import_from_text, key_status_text, preview_headers,
    preview_rows,
};
use crate::words::{receive_error_text, store_error_text};
use crate::words::{tr, trf, Lang};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Import,
    Conflicts,
    Duplicates,
}

/// One differing field of the conflict being resolved.
#[derive(Debug, Clone)]
struct FieldChoice {
    field: String,
    /// The field's label in the user's language (`field` is the key the resolution uses).
    label: String,
    mine: String,
    theirs: String,
    side: Side,
}

#[derive(Debug)]
pub struct BundlesScreen {
    lang: Lang,
    pane: Pane,
    /// Import: the path being typed (None once a bundle is checked).
    path: Option<Prompt>,
    checked: Option<(Checked, MergeReport)>,
    /// The last import's outcome, shown under the preview.
    outcome: Option<String>,
    conflicts: Vec<Conflict>,
    /// The conflict being resolved, field by field.
    fields: Option<(i64, Vec<FieldChoice>)>,
    duplicates: Vec<DuplicateRow>,
    window: ListWindow,
}

/// `~/Tải về/x.ctvb` as people type it in a shell: `~` is the user's home folder.
fn expand_home(raw: &str) -> std::path::PathBuf {
    let home = || directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf());
    match raw.strip_prefix('~') {
        Some("") => home().unwrap_or_else(|| raw.into()),
        Some(rest) if rest.starts_with('/') || rest.starts_with('\\') => match home() {
            Some(h) => h.join(&rest[1..]),
            None => raw.into(),
        },
        _ => raw.into(),
    }
}

fn short(id: &str) -> String {
    id[id.len().saturating_sub(8)..].to_string()
}

impl BundlesScreen {
    pub fn new(lang: Lang, store: &Store) -> BundlesScreen {
        let mut s = BundlesScreen {
            lang,
            pane: Pane::Import,
            path: None,
            checked: None,
            outcome: None,
            conflicts: Vec::new(),
            fields: None,
            duplicates: Vec::new(),
            window: ListWindow::new(),
        };
        s.ask_path("");
        s.reload(store);
        s
    }

    /// The path prompt, while the Import pane shows it (it takes typed and pasted text).
    fn import_path(&mut self) -> Option<&mut Prompt> {
        match self.pane {
            Pane::Import => self.path.as_mut(),
            _ => None,
        }
    }

    fn ask_path(&mut self, value: &str) {
        let l = self.lang;
        self.path = Some(Prompt::new(tr(l, "ui.bundles.path_title")).field(
            tr(l, "ui.bundles.path"),
            tr(l, "ui.bundles.path_hint"),
            value,
            0,
        ));
    }

    // ----- inspection (tests) -----

    pub fn pane(&self) -> Pane {
        self.pane
    }

    pub fn preview(&self) -> Option<&MergeReport> {
        self.checked.as_ref().map(|(_, r)| r)
    }

    pub fn outcome(&self) -> Option<&str> {
        self.outcome.as_deref()
    }

    pub fn conflict_count(&self) -> usize {
        self.conflicts.len()
    }

    pub fn duplicate_count(&self) -> usize {
        self.duplicates.len()
    }

    pub fn is_resolving(&self) -> bool {
        self.fields.is_some()
    }

    // ----- loading -----

    fn rows(&self) -> usize {
        match (self.pane, &self.fields) {
            (Pane::Conflicts, Some((_, f))) => f.len(),
            (Pane::Conflicts, None) => self.conflicts.len(),
            (Pane::Duplicates, _) => self.duplicates.len(),
            (Pane::Import, _) => 0,
        }
    }

    fn switch(&mut self, pane: Pane, store: &Store) {
        self.pane = pane;
        self.fields = None;
        self.window = ListWindow::new();
        self.reload(store);
    }

    // ----- input -----

    fn check_path(&mut self, store: &Store) -> ScreenCmd {
        let l = self.lang;
        let Some(p) = self.path.as_mut() else {
            return ScreenCmd::None;
        };
        let raw = p.value(0).trim().to_string();
        if raw.is_empty() {
            p.set_error(Some(tr(l, "ui.bundles.path_required").to_string()));
            return ScreenCmd::None;
        }
        let checked = receive::check(store, &expand_home(&raw));
        match checked.and_then(|c| c.preview(store).map(|r| (c, r))) {
            Ok(pair) => {
                self.path = None;
                self.checked = Some(pair);
                self.outcome = None;
                ScreenCmd::None
            }
            Err(e) => {
                p.set_error(Some(receive_error_text(l, &e)));
                ScreenCmd::None
            }
        }
    }

    fn open_conflict(&mut self, at: usize, store: &Store) -> ScreenCmd {
        let Some(c) = self.conflicts.get(at) else {
            return ScreenCmd::None;
        };
        let mine = store
            .conflict_live(c)
            .ok()
            .flatten()
            .unwrap_or(serde_json::Value::Null);
        let theirs = store.conflict_other(c).unwrap_or(serde_json::Value::Null);
        let fields: Vec<FieldChoice> = match theirs.as_object() {
            Some(o) => o
                .iter()
                // Who changed it last is bookkeeping: the resolution is the province's edit.
                .filter(|(k, v)| {
                    mine.get(k.as_str()) != Some(v)
                        && k.as_str() != "updated_at"
                        && k.as_str() != "updated_by"
                })
                .map(|(k, v)| FieldChoice {
                    field: k.clone(),
                    label: field_label(self.lang, &c.entity, k),
                    mine: field_value(self.lang, mine.get(k.as_str())),
                    theirs: field_value(self.lang, Some(v)),
                    side: Side::Mine,
                })
                .collect(),
            None => Vec::new(),
        };
        self.fields = Some((c.id, fields));
        self.window = ListWindow::new();
        let n = self.rows();
        self.window.select(0, n);
        ScreenCmd::None
    }

    // ----- drawing -----

    fn text(&self, frame: &mut Frame, area: Rect, text: &str, style: ratatui::style::Style) -> u16 {
        let w = area.width as usize;
        let mut n = 0u16;
        for line in text.lines() {
            for part in wrap(line, w) {
                if n >= area.height {
                    return n;
                }
                frame
                    .buffer_mut()
                    .set_stringn(area.x, area.y + n, fit(&part, w), w, style);
                n += 1;
            }
        }
        n
    }

    fn render_import(&self, frame: &mut Frame, area: Rect, env: &Env, focused: bool) {
        let l = env.lang;
        let theme = env.theme;
        if let Some(p) = &self.path {
            let used = self.text(frame, area, tr(l, "ui.bundles.import_intro"), theme.dim);
            let _ = used;
            p.render(frame, area, theme, l, focused);
            return;
        }
        let Some((c, report)) = &self.checked else {
            return;
        };
        let mut lines = vec![import_from_text(l, c)];
        lines.extend(key_status_text(l, c).map(|(text, _)| text));
        lines.extend(gap_text(l, c));
        if let Some(at) = &c.already {
            lines.push(trf(
                l,
                "merge.import.seen",
                &[&crate::words::format::local_time(at)],
            ));
        }
        let mut y = area.y;
        for line in &lines {
            let r = Rect {
                y,
                height: area.height.saturating_sub(y - area.y),
                ..area
            };
            y += self.text(frame, r, line, theme.base);
        }
        // Imported already: a table of zeros would only puzzle.
        if c.already.is_some() && report.is_noop() {
            return;
        }
        y += 1;
        let headers = preview_headers(l);
        let columns: Vec<Column> = headers
            .iter()
            .enumerate()
            .map(|(i, h)| {
                if i == 0 {
                    Column::new(*h, Constraint::Length(20))
                } else {
                    Column::new(*h, Constraint::Length(11)).right()
                }
            })
            .collect();
        let rows = preview_rows(report, l);
        let table = Rect {
            y,
            height: (rows.len() as u16 + 1).min(area.height.saturating_sub(y - area.y)),
            ..area
        };
        let window = ListWindow::new();
        render_list(
            frame,
            table,
            &columns,
            (&rows, &window),
            theme,
            "",
            Vec::clone,
        );
        y += table.height + 1;
        let footer = match &self.outcome {
            Some(o) => o.clone(),
            None => {
                let key = env.keymap.keys_for(Action::Open, Context::List);
                trf(l, "ui.bundles.apply_hint", &[&key])
            }
        };
        if y < area.y + area.height {
            let r = Rect {
                y,
                height: area.y + area.height - y,
                ..area
            };
            self.text(frame, r, &footer, theme.dim);
        }
    }

    fn render_conflicts(&self, frame: &mut Frame, area: Rect, env: &Env) {
        let l = env.lang;
        let theme = env.theme;
        if let Some((id, fields)) = &self.fields {
            let head = trf(l, "ui.bundles.resolving", &[id]);
            self.text(frame, area, &head, theme.base);
            let rest = Rect {
                y: area.y + 1,
                height: area.height - 1,
                ..area
            };
            let columns = [
                Column::new(tr(l, "merge.col.field"), Constraint::Length(18)),
                Column::new(tr(l, "merge.col.mine"), Constraint::Fill(1)),
                Column::new(tr(l, "merge.col.theirs"), Constraint::Fill(1)),
                Column::new(tr(l, "ui.bundles.col.take"), Constraint::Length(10)),
            ];
            render_list(
                frame,
                rest,
                &columns,
                (fields, &self.window),
                theme,
                "",
                |f| {
                    vec![
                        f.label.clone(),
                        f.mine.clone(),
                        f.theirs.clone(),
                        match f.side {
                            Side::Mine => tr(l, "ui.bundles.mine").to_string(),
                            Side::Theirs => tr(l, "ui.bundles.theirs").to_string(),
                        },
                    ]
                },
            );
            return;
        }
        let columns = [
            Column::new("#", Constraint::Length(5)),
            Column::new(tr(l, "merge.col.entity"), Constraint::Length(18)),
            Column::new(tr(l, "merge.col.record"), Constraint::Length(9)),
            Column::new(tr(l, "merge.col.fields"), Constraint::Fill(1)),
        ];
        let empty = tr(l, "merge.conflicts.none");
        render_list(
            frame,
            area,
            &columns,
            (&self.conflicts, &self.window),
            theme,
            empty,
            |c| {
                let mut fields = c.differing_fields();
                fields.retain(|f| f != "updated_at" && f != "updated_by");
                let fields: Vec<String> = fields
                    .iter()
                    .map(|f| field_label(l, &c.entity, f))
                    .collect();
                vec![
                    c.id.to_string(),
                    entity_label(l, &c.entity).to_string(),
                    short(&c.record_id),
                    fields.join(", "),
                ]
            },
        );
    }

    fn render_duplicates(&self, frame: &mut Frame, area: Rect, env: &Env) {
        let l = env.lang;
        let columns = [
            Column::new("A", Constraint::Fill(1)),
            Column::new("B", Constraint::Fill(1)),
            Column::new(tr(l, "merge.col.commune"), Constraint::Length(16)),
            Column::new(tr(l, "merge.col.reasons"), Constraint::Fill(1)),
        ];
        let empty = tr(l, "merge.duplicates.none");
        render_list(
            frame,
            area,
            &columns,
            (&self.duplicates, &self.window),
            env.theme,
            empty,
            |d| {
                vec![
                    d.a_name.clone(),
                    d.b_name.clone(),
                    commune_label(&d.commune_code, CommuneForm::FullNameCode),
                    d.reasons
                        .iter()
                        .map(|r| crate::words::dup_reason_text(l, r))
                        .collect::<Vec<_>>()
                        .join("; "),
                ]
            },
        );
    }
}

impl Screen for BundlesScreen {
    fn reload(&mut self, store: &Store) {
        self.conflicts = store.conflicts(true).unwrap_or_default();
        self.duplicates = store.duplicate_pairs(true).unwrap_or_default();
        let n = self.rows();
        self.window
            .select(self.window.selected().min(n.saturating_sub(1)), n);
    }

    fn title(&self, lang: Lang) -> String {
        tr(lang, "ui.bundles.title").to_string()
    }

    fn contexts(&self) -> &'static [Context] {
        if self.pane == Pane::Import && self.path.is_some() {
            &[Context::Form]
        } else {
            &[Context::Bundles, Context::List]
        }
    }

    fn handles(&self, action: Action) -> bool {
        if self.pane == Pane::Import && self.path.is_some() {
            return matches!(
                action,
                Action::Open | Action::Back | Action::NextField | Action::Bundles
            );
        }
        match action {
            _ if action.is_move() => true,
            Action::NextPane | Action::Pane1 | Action::Pane2 | Action::Pane3 | Action::Bundles => {
                true
            }
            Action::Open => match self.pane {
                Pane::Import => self.checked.is_some(),
                Pane::Conflicts => !self.conflicts.is_empty(),
                Pane::Duplicates => !self.duplicates.is_empty(),
            },
            Action::ResolveConflict => self.fields.is_some(),
            Action::MergeDuplicate | Action::KeepApart => {
                self.pane == Pane::Duplicates && !self.duplicates.is_empty()
            }
            Action::Back => self.fields.is_some() || self.checked.is_some(),
            _ => false,
        }
    }

    fn handle_action(&mut self, action: Action, env: &Env, store: &mut Store) -> ScreenCmd {
        let l = env.lang;
        if self.pane == Pane::Import && self.path.is_some() {
            return match action {
                Action::Open => self.check_path(store),
                // Esc empties a typed path first; only an empty box lets the screen close.
                Action::Back if self.path.as_ref().is_some_and(|p| !p.value(0).is_empty()) => {
                    self.ask_path("");
                    ScreenCmd::None
                }
                Action::NextField => {
                    self.switch(Pane::Conflicts, store);
                    ScreenCmd::None
                }
                Action::Bundles => ScreenCmd::None,
                _ => ScreenCmd::Unhandled,
            };
        }
        let pane = match action {
            Action::Pane1 => Some(Pane::Import),
            Action::Pane2 => Some(Pane::Conflicts),
            Action::Pane3 => Some(Pane::Duplicates),
            Action::NextPane | Action::Bundles => Some(match self.pane {
                Pane::Import => Pane::Conflicts,
                Pane::Conflicts => Pane::Duplicates,
                Pane::Duplicates => Pane::Import,
            }),
            _ => None,
        };
        if let Some(p) = pane {
            self.switch(p, store);
            if p == Pane::Import && self.checked.is_none() {
                self.ask_path("");
            }
            return ScreenCmd::None;
        }
        if self.window.apply(action, self.rows()) {
            return ScreenCmd::None;
        }
        match (self.pane, action) {
            (Pane::Import, Action::Back) => {
                let old = self
                    .checked
                    .take()
                    .map(|_| String::new())
                    .unwrap_or_default();
                self.ask_path(&old);
                ScreenCmd::None
            }
            (Pane::Import, Action::Open) => match &self.checked {
                Some((c, _)) => {
                    let m = &c.bundle.manifest;
                    let key = match &c.key {
                        KeyStatus::Known => String::new(),
                        KeyStatus::New => trf(
                            l,
                            "ui.bundles.trust_new",
                            &[&sanitize(&m.sender.fingerprint)],
                        ),
                        KeyStatus::Changed { on_file } => trf(
                            l,
                            "ui.bundles.trust_changed",
                            &[&sanitize(on_file), &sanitize(&m.sender.fingerprint)],
                        ),
                    };
                    ScreenCmd::Confirm {
                        message: format!(
                            "{}{}",
                            trf(
                                l,
                                "ui.bundles.confirm_import",
                                &[&m.seq, &sanitize(&m.sender.name)]
                            ),
                            key
                        ),
                        action: Action::Open,
                    }
                }
                None => ScreenCmd::None,
            },
            (Pane::Conflicts, Action::Back) => {
                self.fields = None;
                self.window = ListWindow::new();
                self.reload(store);
                ScreenCmd::None
            }
            (Pane::Conflicts, Action::Open) => {
                let at = self.window.selected();
                match self.fields.as_mut() {
                    Some((_, fields)) => {
                        if let Some(f) = fields.get_mut(at) {
                            f.side = if f.side == Side::Mine {
                                Side::Theirs
                            } else {
                                Side::Mine
                            };
                        }
                        ScreenCmd::None
                    }
                    None => self.open_conflict(at, store),
                }
            }
            (Pane::Conflicts, Action::ResolveConflict) => match &self.fields {
                Some((id, fields)) => {
                    let theirs: Vec<&str> = fields
                        .iter()
                        .filter(|f| f.side == Side::Theirs)
                        .map(|f| f.field.as_str())
                        .collect();
                    ScreenCmd::Confirm {
                        message: trf(
                            l,
                            "ui.bundles.confirm_resolve",
                            &[
                                id,
                                &if theirs.is_empty() {
                                    "—".to_string()
                                } else {
                                    theirs.join(", ")
                                },
                            ],
                        ),
                        action: Action::ResolveConflict,
                    }
                }
                None => ScreenCmd::None,
            },
            (Pane::Duplicates, Action::Open | Action::MergeDuplicate) => {
                match self.duplicates.get(self.window.selected()) {
                    Some(d) => ScreenCmd::Confirm {
                        message: trf(
                            l,
                            "ui.bundles.confirm_merge",
                            &[
                                &sanitize(&d.b_name),
                                &short(&d.b),
                                &sanitize(&d.a_name),
                                &short(&d.a),
                            ],
                        ),
                        action: Action::MergeDuplicate,
                    },
                    None => ScreenCmd::None,
                }
            }
            (Pane::Duplicates, Action::KeepApart) => {
                match self.duplicates.get(self.window.selected()) {
                    Some(d) => ScreenCmd::Confirm {
                        message: trf(
                            l,
                            "ui.bundles.confirm_keep_apart",
                            &[&sanitize(&d.a_name), &sanitize(&d.b_name)],
                        ),
                        action: Action::KeepApart,
                    },
                    None => ScreenCmd::None,
                }
            }
            _ => ScreenCmd::Unhandled,
        }
    }

    fn render(&self, frame: &mut Frame, area: Rect, env: &Env, focused: bool) {
        let l = env.lang;
        let theme = env.theme;
        let tabs = [
            (Pane::Import, tr(l, "ui.bundles.tab_import").to_string()),
            (
                Pane::Conflicts,
                trf(l, "ui.bundles.tab_conflicts", &[&self.conflicts.len()]),
            ),
            (
                Pane::Duplicates,
                trf(l, "ui.bundles.tab_duplicates", &[&self.duplicates.len()]),
            ),
        ];
        let tab_line: String = tabs
            .iter()
            .enumerate()
            .map(|(i, (p, t))| {
                if *p == self.pane {
                    format!("[{} {}]", i + 1, t)
                } else {
                    format!(" {} {} ", i + 1, t)
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
        let title = tr(l, "ui.bundles.title");
        let right = Some((tab_line.as_str(), theme.base));
        let Some(inner) = screen_frame(frame, area, theme, title, right, (30, 4)) else {
            return;
        };
        match self.pane {
            Pane::Import => self.render_import(frame, inner, env, focused),
            Pane::Conflicts => self.render_conflicts(frame, inner, env),
            Pane::Duplicates => self.render_duplicates(frame, inner, env),
        }
    }

    fn handle_text_key(&mut self, key: &KeyEvent) -> bool {
        self.import_path().is_some_and(|p| p.handle_key(key))
    }

    fn handle_paste(&mut self, text: &str) -> bool {
        self.import_path().map(|p| p.paste(text)).is_some()
    }

    fn on_confirm(&mut self, action: Action, env: &Env, store: &mut Store) -> ScreenCmd {
        let l = env.lang;
        match (self.pane, action) {
            (Pane::Import, Action::Open) => {
                let Some((c, _)) = &self.checked else {
                    return ScreenCmd::None;
                };
                match receive::import(store, c, true) {
                    Ok(Imported::Merged(r)) => {
                        let total: usize = crate::store::ENTITIES
                            .iter()
                            .map(|e| r.count(e).accepted())
                            .sum();
                        let conflicts: usize = crate::store::ENTITIES
                            .iter()
                            .map(|e| r.count(e).conflicts)
                            .sum();
                        let msg = trf(
                            l,
                            "merge.import.done",
                            &[&total, &conflicts, &r.duplicates.len()],
                        );
                        self.outcome = Some(msg.clone());
                        self.reload(store);
                        ScreenCmd::Toast(msg)
                    }
                    Ok(Imported::AlreadyImported { at }) => {
                        let msg = trf(
                            l,
                            "merge.import.already",
                            &[&crate::words::format::local_time(&at)],
                        );
                        self.outcome = Some(msg.clone());
                        ScreenCmd::Toast(msg)
                    }
                    Err(e) => ScreenCmd::Error(receive_error_text(l, &e)),
                }
            }
            (Pane::Conflicts, Action::ResolveConflict) => {
                let Some((id, fields)) = &self.fields else {
                    return ScreenCmd::None;
                };
                let take: Vec<(String, Side)> =
                    fields.iter().map(|f| (f.field.clone(), f.side)).collect();
                let id = *id;
                match store.resolve_conflict(id, &take) {
                    Ok(_) => {
                        self.fields = None;
                        self.window = ListWindow::new();
                        self.reload(store);
                        ScreenCmd::Toast(trf(l, "merge.conflicts.resolved", &[&id]))
                    }
                    Err(e) => ScreenCmd::Error(store_error_text(l, &e)),
                }
            }
            (Pane::Duplicates, Action::MergeDuplicate | Action::KeepApart) => {
                let Some(d) = self.duplicates.get(self.window.selected()).cloned() else {
                    return ScreenCmd::None;
                };
                let done = if action == Action::MergeDuplicate {
                    store.merge_facilities(&d.a, &d.b).map(|m| {
                        trf(
                            l,
                            "merge.duplicates.merged",
                            &[
                                &short(&d.b),
                                &short(&d.a),
                                &m.consultations.len(),
                                &m.proposals.len(),
                            ],
                        )
                    })
                } else {
                    store.keep_apart(&d.a, &d.b).map(|_| {
                        trf(
                            l,
                            "merge.duplicates.kept_apart",
                            &[&short(&d.a), &short(&d.b)],
                        )
                    })
                };
                self.reload(store);
                match done {
                    Ok(m) => ScreenCmd::Toast(m),
                    Err(e) => ScreenCmd::Error(store_error_text(l, &e)),
                }
            }
            _ => ScreenCmd::None,
        }
    }

    /// It holds a typed path and a preview: it reloads after its own actions only.
    fn follows_outside_changes(&self) -> bool {
        false
    }

    fn is_view(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::expand_home;

    #[test]
    fn a_leading_tilde_is_the_home_folder() {
        let home = directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf());
        if let Some(h) = home {
            assert_eq!(expand_home("~/Tải về/b.ctvb"), h.join("Tải về/b.ctvb"));
            assert_eq!(expand_home("~"), h);
        }
        assert_eq!(expand_home("/tmp/~x"), std::path::PathBuf::from("/tmp/~x"));
        assert_eq!(
            expand_home("~other/x"),
            std::path::PathBuf::from("~other/x")
        );
    }
}
