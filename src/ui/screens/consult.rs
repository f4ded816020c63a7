//! The consultation form: log a visit, call or meeting with a facility (`c` on a facility or
//! from the agenda), or correct one already logged.
//!
//! The facility and the collaborator are fixed and shown at the top; the date starts at today.
//! Mode is chosen in a picker; topics too, one at a time (each pick adds a topic, picking it
//! again takes it away; Backspace removes the last). The four texts are multi-line
//! ([`NoteField`]: Enter is a new line, ↑/↓ leave from the first/last row), with the same
//! input-method rules as every field. Validation is the core's [`validate`], shown under each
//! field once visited; Ctrl+S (F2) saves, Esc leaves (asking first if something was typed).
//!
//! Three purposes share the form: a new consultation (optionally the visit that closes an
//! earlier follow-up, from the agenda), an edit in place within the grace period, and an
//! amendment after it, which also asks why (the original stays as recorded).

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::layout::{Position, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Widget};
use ratatui::Frame;

use super::form::{error_style, warning_style, NoteField};
use super::{Env, PickPurpose, ScreenCmd};
use crate::domain::consultation::{
    dmy, validate, Consultation, ConsultationField, ConsultationInput, ConsultationPatch,
    FollowUpClose,
};
use crate::domain::issue::{Issues, Severity};
use crate::refdata::{codes, CodeList};
use crate::store::{Store, StoreError};
use crate::ui::i18n::{tr, trf, Lang};
use crate::ui::keymap::{Action, Context};
use crate::ui::widgets::bars::wrap;
use crate::ui::widgets::{
    clean, fit, ConflictChoice, ConflictDialog, ConflictRow, PickItem, TextField,
};

/// The action a conflict's "reload?" question hands back to `on_confirm`.
const RELOAD_TAG: Action = Action::Save;

const LABEL_W: usize = 20;
const VALUE_X: u16 = 2 + LABEL_W as u16 + 1;
/// Rows a multi-line field shows at most when focused (it scrolls inside).
const NOTES_ROWS: usize = 5;

/// The editable fields, in form order (the facility is fixed).
const FIELDS: [ConsultationField; 8] = [
    ConsultationField::Date,
    ConsultationField::Mode,
    ConsultationField::Topics,
    ConsultationField::Difficulties,
    ConsultationField::Needs,
    ConsultationField::Advice,
    ConsultationField::NextStep,
    ConsultationField::FollowUpDate,
];

#[derive(Debug, Clone)]
enum Editor {
    Text(TextField),
    Notes(NoteField),
    /// A code of consultation_modes.
    Mode(String),
    /// Codes of support_categories, in the order picked.
    Topics(Vec<String>),
}

impl Editor {
    fn value(&self) -> String {
        match self {
            Editor::Text(t) => t.value().to_string(),
            Editor::Notes(n) => n.value().to_string(),
            Editor::Mode(m) => m.clone(),
            Editor::Topics(t) => t.join(", "),
        }
    }
}

/// What saving does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConsultPurpose {
    /// A new consultation. With `closes`, it is the visit an earlier follow-up led to: that
    /// consultation's id and its follow-up's version.
    New { closes: Option<(String, i64)> },
    /// The author's edit within the grace period.
    Edit { id: String, version: i64 },
    /// A correction kept beside the original.
    Amend { id: String, version: i64 },
}

#[derive(Debug)]
pub struct ConsultScreen {
    purpose: ConsultPurpose,
    facility_id: String,
    facility_name: String,
    collaborator: String,
    editors: Vec<Editor>,
    /// Amendments say why (required there).
    reason: TextField,
    initial: Vec<String>,
    focus: usize,
    touched: Vec<bool>,
    issues: Issues,
    banner: Option<String>,
    /// Someone else saved the consultation since it was opened: theirs beside ours.
    conflict: Option<ConflictDialog<Consultation>>,
    saved: bool,
    scroll: std::cell::Cell<usize>,
}

impl ConsultScreen {
    fn build(
        purpose: ConsultPurpose,
        facility_id: &str,
        facility_name: &str,
        store: &Store,
        input: &ConsultationInput,
    ) -> ConsultScreen {
        let editors = FIELDS
            .iter()
            .map(|f| {
                let v = input_value(input, *f);
                match f {
                    ConsultationField::Mode => Editor::Mode(v.trim().to_string()),
                    ConsultationField::Topics => Editor::Topics(
                        v.split(',')
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .map(String::from)
                            .collect(),
                    ),
                    ConsultationField::Difficulties
                    | ConsultationField::Needs
                    | ConsultationField::Advice
                    | ConsultationField::NextStep => Editor::Notes(NoteField::with_value(&v)),
                    _ => Editor::Text(
                        TextField::with_value(&crate::text::sanitize(&v)).with_max_chars(20),
                    ),
                }
            })
            .collect();
        let mut s = ConsultScreen {
            purpose,
            facility_id: facility_id.to_string(),
            facility_name: facility_name.to_string(),
            collaborator: store.profile().map(|p| p.name.clone()).unwrap_or_default(),
            editors,
            reason: TextField::new().with_max_chars(300),
            initial: Vec::new(),
            focus: 0,
            touched: vec![false; FIELDS.len() + 1],
            issues: Issues::default(),
            banner: None,
            conflict: None,
            saved: false,
            scroll: std::cell::Cell::new(0),
        };
        s.initial = s.values();
        s
    }

    /// A new consultation with the facility, dated today, by the current profile.
    pub fn new_for(facility_id: &str, facility_name: &str, store: &Store) -> ConsultScreen {
        let input = ConsultationInput {
            facility_id: facility_id.to_string(),
            date: dmy(store.today()),
            mode: codes()
                .consultation_modes
                .items()
                .first()
                .map(|i| i.code.clone())
                .unwrap_or_default(),
            ..Default::default()
        };
        Self::build(
            ConsultPurpose::New { closes: None },
            facility_id,
            facility_name,
            store,
            &input,
        )
    }

    /// The visit an open follow-up of `earlier` led to: saving also marks that follow-up done.
    pub fn closing(earlier: &Consultation, follow_up_version: i64, store: &Store) -> ConsultScreen {
        let mut s = Self::new_for(&earlier.data.facility_id, &earlier.facility_name, store);
        s.purpose = ConsultPurpose::New {
            closes: Some((earlier.id.clone(), follow_up_version)),
        };
        s
    }

    /// Correct `c`: in place while its author's grace period lasts, else as an amendment.
    pub fn correcting(c: &Consultation, store: &Store) -> ConsultScreen {
        let editable = store.consultation_editable(c).unwrap_or(false);
        let purpose = if editable {
            ConsultPurpose::Edit {
                id: c.id.clone(),
                version: c.version,
            }
        } else {
            ConsultPurpose::Amend {
                id: c.id.clone(),
                version: c.version,
            }
        };
        let input = ConsultationInput::from_data(&c.data);
        Self::build(
            purpose,
            &c.data.facility_id,
            &c.facility_name,
            store,
            &input,
        )
    }

    pub fn purpose(&self) -> &ConsultPurpose {
        &self.purpose
    }

    /// An amendment does not move the follow-up (the agenda reschedules it): that row is
    /// shown, not edited.
    fn editable(&self, row: usize) -> bool {
        !(self.is_amend() && FIELDS.get(row) == Some(&ConsultationField::FollowUpDate))
    }

    fn is_amend(&self) -> bool {
        matches!(self.purpose, ConsultPurpose::Amend { .. })
    }

    /// Rows of the form: the fields, then (amendments only) the reason.
    fn rows(&self) -> usize {
        FIELDS.len() + usize::from(self.is_amend())
    }

    fn values(&self) -> Vec<String> {
        let mut v: Vec<String> = self.editors.iter().map(Editor::value).collect();
        v.push(self.reason.value().to_string());
        v
    }

    pub fn input(&self) -> ConsultationInput {
        let mut i = ConsultationInput {
            facility_id: self.facility_id.clone(),
            ..Default::default()
        };
        for (f, e) in FIELDS.iter().zip(&self.editors) {
            let v = e.value();
            match f {
                ConsultationField::Date => i.date = v,
                ConsultationField::Mode => i.mode = v,
                ConsultationField::Topics => i.topics = v,
                ConsultationField::Difficulties => i.difficulties = v,
                ConsultationField::Needs => i.needs = v,
                ConsultationField::Advice => i.advice = v,
                ConsultationField::NextStep => i.next_step = v,
                ConsultationField::FollowUpDate => i.follow_up_date = v,
                ConsultationField::Facility => {}
            }
        }
        i
    }

    /// Typed text of one field (tests).
    pub fn value(&self, field: ConsultationField) -> String {
        FIELDS
            .iter()
            .position(|f| *f == field)
            .and_then(|i| self.editors.get(i))
            .map(Editor::value)
            .unwrap_or_default()
    }

    pub fn banner(&self) -> Option<&str> {
        self.banner.as_deref()
    }

    pub fn messages(&self, field: ConsultationField, lang: Lang) -> Vec<(Severity, String)> {
        match FIELDS.iter().position(|f| *f == field) {
            Some(i) if self.touched[i] => self
                .issues
                .for_field(field.key())
                .map(|i| (i.severity, crate::import::problem_text(lang, &i.problem)))
                .collect(),
            _ => Vec::new(),
        }
    }

    pub fn title(&self, lang: Lang) -> String {
        let key = match self.purpose {
            ConsultPurpose::New { .. } => "ui.consult.title_new",
            ConsultPurpose::Edit { .. } => "ui.consult.title_edit",
            ConsultPurpose::Amend { .. } => "ui.consult.title_amend",
        };
        trf(lang, key, &[&clean(&self.facility_name)])
    }

    pub fn contexts(&self) -> &'static [Context] {
        if self.conflict.is_some() {
            &[Context::Confirm]
        } else {
            &[Context::Form]
        }
    }

    /// The conflict dialog, if it is open (tests).
    pub fn conflict(&self) -> Option<&ConflictDialog<Consultation>> {
        self.conflict.as_ref()
    }

    pub fn handles(&self, action: Action) -> bool {
        if self.conflict.is_some() {
            return ConflictDialog::<Consultation>::handles(action);
        }
        matches!(
            action,
            Action::Save | Action::NextField | Action::PrevField | Action::Open
        )
    }

    pub fn has_unsaved_changes(&self) -> bool {
        !self.saved && self.values() != self.initial
    }

    // ----- update -----

    pub fn handle_text_key(&mut self, key: &KeyEvent) -> bool {
        if self.conflict.is_some() {
            return false;
        }
        if self.focus == FIELDS.len() {
            return self.reason.handle_key(key);
        }
        match self.editors.get_mut(self.focus) {
            Some(Editor::Text(t)) => t.handle_key(key),
            Some(Editor::Notes(n)) => n.handle_key(key),
            Some(Editor::Topics(t)) => {
                let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
                let erase = matches!(key.code, KeyCode::Backspace | KeyCode::Delete)
                    || (ctrl && key.code == KeyCode::Char('h'))
                    || matches!(key.code, KeyCode::Char('\u{8}') | KeyCode::Char('\u{7f}'));
                if erase && key.kind != KeyEventKind::Release {
                    t.pop();
                    true
                } else {
                    false
                }
            }
            Some(Editor::Mode(_)) | None => false,
        }
    }

    pub fn handle_paste(&mut self, text: &str) -> bool {
        if self.conflict.is_some() {
            return false;
        }
        if self.focus == FIELDS.len() {
            self.reason.insert_str(text);
            return true;
        }
        match self.editors.get_mut(self.focus) {
            Some(Editor::Text(t)) => {
                t.insert_str(text);
                true
            }
            Some(Editor::Notes(n)) => {
                n.insert_str(text);
                true
            }
            _ => false,
        }
    }

    pub fn handle_action(&mut self, action: Action, env: &Env, store: &mut Store) -> ScreenCmd {
        if self.conflict.is_some() {
            return self.conflict_action(action, env, store);
        }
        let n = self.rows();
        match action {
            Action::NextField | Action::PrevField => {
                self.leave_field(store);
                let step = if action == Action::NextField {
                    1
                } else {
                    n - 1
                };
                self.focus = (self.focus + step) % n;
                if !self.editable(self.focus) {
                    self.focus = (self.focus + step) % n;
                }
                ScreenCmd::None
            }
            Action::Open => match self.editors.get(self.focus) {
                Some(Editor::Mode(_)) => self.picker(env.lang, PickPurpose::ConsultMode),
                Some(Editor::Topics(_)) => self.picker(env.lang, PickPurpose::ConsultTopic),
                _ => self.handle_action(Action::NextField, env, store),
            },
            Action::Save => self.save(env, store),
            _ => ScreenCmd::Unhandled,
        }
    }

    fn picker(&self, lang: Lang, purpose: PickPurpose) -> ScreenCmd {
        let (title, list) = match purpose {
            PickPurpose::ConsultMode => ("ui.consult.pick.mode", &codes().consultation_modes),
            _ => ("ui.consult.pick.topic", &codes().support_categories),
        };
        let chosen: Vec<String> = match self.editors.get(self.focus) {
            Some(Editor::Topics(t)) => t.clone(),
            Some(Editor::Mode(m)) => vec![m.clone()],
            _ => Vec::new(),
        };
        let items = list
            .items()
            .iter()
            .map(|i| {
                let (label, other) = match lang {
                    Lang::Vi => (&i.label_vi, &i.label_en),
                    Lang::En => (&i.label_en, &i.label_vi),
                };
                let hint = if chosen.contains(&i.code) {
                    format!("● {}", i.code)
                } else {
                    i.code.clone()
                };
                PickItem::new(i.code.clone(), label.clone())
                    .with_hint(hint)
                    .with_extra(other.clone())
            })
            .collect();
        ScreenCmd::OpenPicker {
            title: tr(lang, title).to_string(),
            items,
            purpose,
        }
    }

    pub fn on_pick(
        &mut self,
        purpose: PickPurpose,
        code: &str,
        _env: &Env,
        store: &mut Store,
    ) -> ScreenCmd {
        let want = match purpose {
            PickPurpose::ConsultMode => ConsultationField::Mode,
            PickPurpose::ConsultTopic => ConsultationField::Topics,
            _ => return ScreenCmd::None,
        };
        let Some(i) = FIELDS.iter().position(|f| *f == want) else {
            return ScreenCmd::None;
        };
        match self.editors.get_mut(i) {
            Some(Editor::Mode(m)) => *m = code.to_string(),
            Some(Editor::Topics(t)) => {
                // Picking a chosen topic again takes it away.
                if let Some(k) = t.iter().position(|c| c == code) {
                    t.remove(k);
                } else {
                    t.push(code.to_string());
                }
            }
            _ => {}
        }
        self.focus = i;
        self.leave_field(store);
        if want == ConsultationField::Mode {
            self.focus = i + 1;
        }
        ScreenCmd::None
    }

    pub fn on_data_changed(&mut self, _store: &mut Store) -> ScreenCmd {
        ScreenCmd::None
    }

    /// A Yes to "drop what you typed and take the stored version?" (the conflict's reload).
    pub fn on_confirm(&mut self, action: Action, _env: &Env, store: &mut Store) -> ScreenCmd {
        if action == RELOAD_TAG {
            if let Some(c) = self.conflict.take() {
                let focus = self.focus;
                *self = ConsultScreen::correcting(&c.stored, store);
                self.focus = focus.min(self.rows().saturating_sub(1));
            }
        }
        ScreenCmd::None
    }

    fn conflict_action(&mut self, action: Action, env: &Env, store: &mut Store) -> ScreenCmd {
        let Some(c) = self.conflict.as_mut() else {
            return ScreenCmd::None;
        };
        match c.apply(action) {
            None => ScreenCmd::None,
            Some(ConflictChoice::Edit) => {
                self.conflict = None;
                ScreenCmd::None
            }
            Some(ConflictChoice::Overwrite) => {
                let found = c.found;
                self.conflict = None;
                if let ConsultPurpose::Edit { version, .. }
                | ConsultPurpose::Amend { version, .. } = &mut self.purpose
                {
                    *version = found;
                }
                self.save(env, store)
            }
            Some(ConflictChoice::Reload) => ScreenCmd::Confirm {
                message: tr(env.lang, "ui.conflict.reload_confirm").to_string(),
                action: RELOAD_TAG,
            },
        }
    }

    /// Theirs beside ours, for every field (the dialog keeps those that differ).
    fn conflict_rows(&self, lang: Lang, stored: &Consultation) -> Vec<ConflictRow> {
        let theirs = ConsultationInput::from_data(&stored.data);
        let shown = |f: ConsultationField, v: &str| -> String {
            match f {
                ConsultationField::Mode => code_label(lang, &codes().consultation_modes, v.trim()),
                ConsultationField::Topics => {
                    let list: Vec<String> = v
                        .split(',')
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .map(String::from)
                        .collect();
                    topics_text(lang, &list)
                }
                _ => v.trim().to_string(),
            }
        };
        FIELDS
            .iter()
            .zip(&self.editors)
            .map(|(&f, e)| ConflictRow {
                label: tr(lang, f.label_key()).to_string(),
                theirs: shown(f, &input_value(&theirs, f)),
                mine: shown(f, &e.value()),
            })
            .collect()
    }

    fn revalidate(&mut self, store: &Store) {
        self.issues = match validate(&self.input(), store.today()) {
            Ok((_, warnings)) => warnings,
            Err(issues) => issues,
        };
    }

    fn leave_field(&mut self, store: &Store) {
        if let Some(t) = self.touched.get_mut(self.focus) {
            *t = true;
        }
        self.revalidate(store);
    }

    fn first_field_with(&self, issues: &Issues) -> Option<usize> {
        FIELDS.iter().position(|f| {
            issues
                .for_field(f.key())
                .any(|i| i.severity == Severity::Error)
        })
    }

    fn save(&mut self, env: &Env, store: &mut Store) -> ScreenCmd {
        let lang = env.lang;
        self.banner = None;
        self.touched = vec![true; FIELDS.len() + 1];
        let input = self.input();
        if let Err(issues) = validate(&input, store.today()) {
            let n = issues.errors().count();
            if let Some(i) = self.first_field_with(&issues) {
                self.focus = i;
            }
            self.issues = issues;
            return ScreenCmd::Error(trf(lang, "ui.form.has_errors", &[&n]));
        }
        let result = match self.purpose.clone() {
            ConsultPurpose::New { closes } => match store.add_consultation(&input) {
                Ok((c, _)) => match closes {
                    // The visit is saved either way; a follow-up someone else closed or moved
                    // in the meantime is only reported.
                    Some((earlier, version)) => {
                        let close = FollowUpClose {
                            outcome_id: Some(c.id.clone()),
                            note: String::new(),
                        };
                        match store.complete_follow_up(&earlier, version, &close) {
                            Ok(_) => Ok((tr(lang, "ui.consult.saved_closed").to_string(), false)),
                            Err(e) => Ok((
                                trf(
                                    lang,
                                    "ui.consult.saved_not_closed",
                                    &[&crate::cli::store_error_text(lang, &e)],
                                ),
                                true,
                            )),
                        }
                    }
                    None => Ok((tr(lang, "ui.consult.saved").to_string(), false)),
                },
                Err(e) => Err(e),
            },
            ConsultPurpose::Edit { id, version } => {
                let patch = patch_of(&input);
                store
                    .edit_consultation(&id, version, &patch)
                    .map(|_| (tr(lang, "ui.consult.saved").to_string(), false))
            }
            ConsultPurpose::Amend { id, version } => {
                let reason = self.reason.value().trim().to_string();
                if reason.is_empty() {
                    self.focus = FIELDS.len();
                    return ScreenCmd::Error(tr(lang, "ui.consult.reason_required").to_string());
                }
                let mut patch = patch_of(&input);
                // The follow-up date is moved by rescheduling, not amended.
                patch.follow_up_date = None;
                store
                    .amend_consultation(&id, version, &patch, &reason)
                    .map(|_| (tr(lang, "ui.consult.amended").to_string(), false))
            }
        };
        match result {
            Ok((message, error)) => {
                self.saved = true;
                ScreenCmd::PopWith { message, error }
            }
            Err(StoreError::Invalid(issues)) => {
                if let Some(i) = self.first_field_with(&issues) {
                    self.focus = i;
                }
                let n = issues.errors().count();
                self.issues = issues;
                ScreenCmd::Error(trf(lang, "ui.form.has_errors", &[&n]))
            }
            Err(e) => {
                if let StoreError::Conflict { id, found, .. } = &e {
                    match store.consultation(id) {
                        Ok(Some(stored)) => {
                            let rows = self.conflict_rows(lang, &stored);
                            let (by, at) = (stored.updated_by.clone(), stored.updated_at.clone());
                            self.conflict =
                                Some(ConflictDialog::new(store, rows, &by, &at, *found, stored));
                        }
                        Ok(None) => {
                            let text = tr(lang, "ui.conflict.gone").to_string();
                            self.banner = Some(text.clone());
                            return ScreenCmd::Error(text);
                        }
                        Err(_) => {}
                    }
                }
                if let Some(c) = &self.conflict {
                    // The dialog says it all; a toast would cover it.
                    self.banner = Some(trf(lang, "ui.conflict.banner", &[&c.found]));
                    return ScreenCmd::None;
                }
                let text = crate::cli::store_error_text(lang, &e);
                self.banner = Some(text.clone());
                ScreenCmd::Error(text)
            }
        }
    }

    // ----- drawing -----

    pub fn render(&self, frame: &mut Frame, area: Rect, env: &Env, focused: bool) {
        let lang = env.lang;
        let theme = env.theme;
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border)
            .title(format!(
                " {} ",
                fit(&self.title(lang), (area.width as usize).saturating_sub(4))
            ))
            .title_style(theme.title)
            .title_bottom(
                Line::from(format!(
                    " {} ",
                    trf(lang, "ui.form.position", &[&(self.focus + 1), &self.rows()])
                ))
                .right_aligned(),
            );
        let inner = block.inner(area);
        block.render(area, frame.buffer_mut());
        if inner.height < 4 || inner.width < VALUE_X + 8 {
            return;
        }
        let value_w = (inner.width - VALUE_X - 1) as usize;
        // Fixed lines: who and with whom, then any banner.
        let mut fixed: Vec<(String, String, ratatui::style::Style)> = vec![
            (
                tr(lang, "consult.field.facility").to_string(),
                clean(&self.facility_name),
                theme.base,
            ),
            (
                tr(lang, "ui.consult.collaborator").to_string(),
                clean(&self.collaborator),
                theme.base,
            ),
        ];
        if let Some(b) = &self.banner {
            for line in wrap(&clean(b), value_w).into_iter().take(2) {
                fixed.push((String::new(), line, error_style(theme)));
            }
        }
        let buf = frame.buffer_mut();
        let mut y = inner.y;
        for (label, text, style) in &fixed {
            buf.set_stringn(inner.x + 2, y, fit(label, LABEL_W), LABEL_W, theme.dim);
            buf.set_stringn(inner.x + VALUE_X, y, fit(text, value_w), value_w, *style);
            y += 1;
        }
        let view_top = y + 1;
        let height = (inner.y + inner.height).saturating_sub(view_top) as usize;

        // Lay out every row: (label, value rows, messages).
        struct RowLayout {
            label: String,
            value_rows: usize,
            messages: Vec<(ratatui::style::Style, String)>,
        }
        let mut rows: Vec<RowLayout> = Vec::new();
        for (i, f) in FIELDS.iter().enumerate() {
            let mut label = tr(lang, f.label_key()).to_string();
            if matches!(f, ConsultationField::Date | ConsultationField::Mode) {
                label.push_str(" *");
            }
            let value_rows = match self.editors.get(i) {
                Some(Editor::Notes(n)) => {
                    let r = n.row_count(value_w.saturating_sub(1).max(1));
                    if i == self.focus {
                        r.clamp(2, NOTES_ROWS)
                    } else {
                        r.clamp(1, 3)
                    }
                }
                _ => 1,
            };
            let mut messages = Vec::new();
            for (sev, text) in self.messages(*f, lang) {
                let (key, style) = match sev {
                    Severity::Error => ("ui.form.error", error_style(theme)),
                    Severity::Warning => ("ui.form.warning", warning_style(theme)),
                };
                for line in wrap(&trf(lang, key, &[&text]), value_w) {
                    messages.push((style, line));
                }
            }
            rows.push(RowLayout {
                label,
                value_rows,
                messages,
            });
        }
        if self.is_amend() {
            rows.push(RowLayout {
                label: format!("{} *", tr(lang, "ui.consult.reason")),
                value_rows: 1,
                messages: Vec::new(),
            });
        }
        let heights: Vec<usize> = rows
            .iter()
            .map(|r| r.value_rows + r.messages.len())
            .collect();
        let starts: Vec<usize> = heights
            .iter()
            .scan(0, |acc, h| {
                let s = *acc;
                *acc += h;
                Some(s)
            })
            .collect();
        let total: usize = heights.iter().sum();
        let f_top = starts.get(self.focus).copied().unwrap_or(0);
        let f_h = heights.get(self.focus).copied().unwrap_or(1);
        let mut scroll = self.scroll.get().min(total.saturating_sub(height));
        if f_top < scroll {
            scroll = f_top;
        } else if f_top + f_h > scroll + height {
            scroll = (f_top + f_h).saturating_sub(height).min(f_top);
        }
        self.scroll.set(scroll);

        let mut cursor: Option<Position> = None;
        let buf = frame.buffer_mut();
        for (i, r) in rows.iter().enumerate() {
            let start = starts[i];
            let row_y = |k: usize| -> Option<u16> {
                let abs = start + k;
                (abs >= scroll && abs < scroll + height).then(|| view_top + (abs - scroll) as u16)
            };
            let is_focus = i == self.focus;
            if let Some(y) = row_y(0) {
                if is_focus {
                    buf.set_stringn(inner.x, y, "›", 1, theme.title);
                }
                let style = if is_focus { theme.selected } else { theme.base };
                buf.set_stringn(inner.x + 2, y, fit(&r.label, LABEL_W), LABEL_W, style);
            }
            let vx = inner.x + VALUE_X;
            let vw = value_w as u16;
            if i == FIELDS.len() {
                if let Some(y) = row_y(0) {
                    let rect = Rect::new(vx, y, vw, 1);
                    self.reason.render_text(buf, rect, theme.input);
                    if is_focus {
                        cursor = Some(self.reason.cursor_position(rect));
                    }
                }
                continue;
            }
            match self.editors.get(i) {
                Some(Editor::Text(t)) if !self.editable(i) => {
                    if let Some(y) = row_y(0) {
                        let text = trf(lang, "ui.consult.not_amended", &[&clean(t.value())]);
                        buf.set_stringn(vx, y, fit(&text, value_w), value_w, theme.dim);
                    }
                }
                Some(Editor::Text(t)) => {
                    if let Some(y) = row_y(0) {
                        let rect = Rect::new(vx, y, vw, 1);
                        t.render_text(buf, rect, theme.input);
                        if is_focus {
                            cursor = Some(t.cursor_position(rect));
                        }
                    }
                }
                Some(Editor::Notes(n)) => {
                    if let (Some(y0), Some(_)) = (row_y(0), row_y(r.value_rows - 1)) {
                        let rect = Rect::new(vx, y0, vw, r.value_rows as u16);
                        let pos = n.render_text(buf, rect, theme.input);
                        if is_focus {
                            cursor = Some(pos);
                        }
                    }
                }
                Some(Editor::Mode(code)) => {
                    if let Some(y) = row_y(0) {
                        let text = code_label(lang, &codes().consultation_modes, code);
                        buf.set_stringn(vx, y, fit(&text, value_w), value_w, theme.base);
                    }
                }
                Some(Editor::Topics(list)) => {
                    if let Some(y) = row_y(0) {
                        let (text, style) = if list.is_empty() {
                            let keys = env.keymap.keys_for(Action::Open, Context::Form);
                            let hint = if is_focus {
                                trf(lang, "ui.consult.topics_hint", &[&keys])
                            } else {
                                "—".to_string()
                            };
                            (hint, theme.dim)
                        } else {
                            (topics_text(lang, list), theme.base)
                        };
                        buf.set_stringn(vx, y, fit(&text, value_w), value_w, style);
                    }
                }
                None => {}
            }
            for (k, (style, line)) in r.messages.iter().enumerate() {
                if let Some(y) = row_y(r.value_rows + k) {
                    buf.set_stringn(vx, y, line, value_w, *style);
                }
            }
        }
        if let Some(c) = &self.conflict {
            c.render(frame, area, theme, lang, env.keymap);
        } else if focused {
            if let Some(pos) = cursor {
                frame.set_cursor_position(pos);
            }
        }
    }
}

fn input_value(i: &ConsultationInput, f: ConsultationField) -> String {
    match f {
        ConsultationField::Facility => i.facility_id.clone(),
        ConsultationField::Date => i.date.clone(),
        ConsultationField::Mode => i.mode.clone(),
        ConsultationField::Topics => i.topics.clone(),
        ConsultationField::Difficulties => i.difficulties.clone(),
        ConsultationField::Needs => i.needs.clone(),
        ConsultationField::Advice => i.advice.clone(),
        ConsultationField::NextStep => i.next_step.clone(),
        ConsultationField::FollowUpDate => i.follow_up_date.clone(),
    }
}

/// Every field as a patch (the core keeps what did not change).
fn patch_of(i: &ConsultationInput) -> ConsultationPatch {
    ConsultationPatch {
        date: Some(i.date.clone()),
        mode: Some(i.mode.clone()),
        topics: Some(i.topics.clone()),
        difficulties: Some(i.difficulties.clone()),
        needs: Some(i.needs.clone()),
        advice: Some(i.advice.clone()),
        next_step: Some(i.next_step.clone()),
        follow_up_date: Some(i.follow_up_date.clone()),
    }
}

/// "Làm việc trực tiếp tại cơ sở" for a mode code (the code itself when unknown).
pub fn code_label(lang: Lang, list: &CodeList, code: &str) -> String {
    match list.get(code) {
        Some(i) => match lang {
            Lang::Vi => i.label_vi.clone(),
            Lang::En => i.label_en.clone(),
        },
        None => clean(code),
    }
}

/// "KC01 Đào tạo nghề…, KC06 …": topic codes with their short labels.
pub fn topics_text(lang: Lang, topics: &[String]) -> String {
    topics
        .iter()
        .map(|t| {
            let label = code_label(lang, &codes().support_categories, t);
            format!("{} {}", clean(t), label)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

impl super::Screen for ConsultScreen {
    fn title(&self, lang: Lang) -> String {
        ConsultScreen::title(self, lang)
    }

    fn contexts(&self) -> &'static [Context] {
        ConsultScreen::contexts(self)
    }

    fn handles(&self, action: Action) -> bool {
        ConsultScreen::handles(self, action)
    }

    fn handle_action(&mut self, action: Action, env: &Env, store: &mut Store) -> ScreenCmd {
        ConsultScreen::handle_action(self, action, env, store)
    }

    fn render(&self, frame: &mut Frame, area: Rect, env: &Env, focused: bool) {
        ConsultScreen::render(self, frame, area, env, focused)
    }

    fn handle_text_key(&mut self, key: &KeyEvent) -> bool {
        ConsultScreen::handle_text_key(self, key)
    }

    fn handle_paste(&mut self, text: &str) -> bool {
        ConsultScreen::handle_paste(self, text)
    }

    fn on_pick(
        &mut self,
        purpose: PickPurpose,
        code: &str,
        env: &Env,
        store: &mut Store,
    ) -> ScreenCmd {
        ConsultScreen::on_pick(self, purpose, code, env, store)
    }

    fn on_confirm(&mut self, action: Action, env: &Env, store: &mut Store) -> ScreenCmd {
        ConsultScreen::on_confirm(self, action, env, store)
    }

    fn on_data_changed(&mut self, store: &mut Store) -> ScreenCmd {
        ConsultScreen::on_data_changed(self, store)
    }

    /// What the user types is never reloaded under them.
    fn follows_outside_changes(&self) -> bool {
        false
    }

    fn has_unsaved_changes(&self) -> bool {
        ConsultScreen::has_unsaved_changes(self)
    }
}
