//! The proposal form: `f` on a facility flags it as a candidate for khuyến công support.
//!
//! A new proposal starts from `Store::proposal_prefill` (next year, the most raised support
//! category with a title, the recorded difficulties and needs as the rationale, the place, the
//! facility's priority markers); a draft is edited in the same form. Money is typed the
//! Vietnamese way (`1,25 tỷ`, `800 triệu`, `1.250.000.000`), read by `parse_vnd` and shown
//! formatted once the field is left. Validation is the core's `validate` (the parts must add
//! up to the total: its message sits under the total and the save is refused); the cap and
//! eligibility warnings come from `assess`, with their reasons. Ctrl+S (F2) saves, Esc leaves
//! (asking first if something changed).

use std::cell::Cell;

use chrono::NaiveDate;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Widget};
use ratatui::Frame;

use super::consult::code_label;
use super::form::{error_style, warning_style, NoteField};
use super::{Env, PickPurpose, ScreenCmd};
use crate::domain::facility::FacilityData;
use crate::domain::issue::{Issues, Severity};
use crate::domain::money::{format_vnd, group_thousands, parse_vnd};
use crate::domain::proposal::{
    assess, field_label_key, validate, FundingSource, Priorities, Proposal, ProposalInput,
    ProposalPatch,
};
use crate::refdata::codes;
use crate::store::{Store, StoreError};
use crate::text::sanitize;
use crate::ui::i18n::{tr, trf, Lang};
use crate::ui::keymap::{Action, Context};
use crate::ui::widgets::bars::wrap;
use crate::ui::widgets::{
    clean, fit, ConflictChoice, ConflictDialog, ConflictRow, PickItem, TextField,
};

/// The action a conflict's "reload?" question hands back to `on_confirm`.
const RELOAD_TAG: Action = Action::Save;

const LABEL_W: usize = 22;
const VALUE_X: u16 = 2 + LABEL_W as u16 + 1;
/// Rows a multi-line field shows at most when focused (it scrolls inside).
const NOTES_ROWS: usize = 4;
const MARKERS: [&str; 6] = [
    "exports",
    "local_materials",
    "workers_50",
    "woman_owned",
    "ethnic_owned",
    "difficult_area",
];

/// A drawn row: its label, the lines of its value, and the messages under it.
type RowLayout = (String, usize, Vec<(Style, String)>);

#[derive(Debug, Clone)]
enum Editor {
    Text(TextField),
    /// An amount of VND as typed; reformatted `1.250.000.000` when left.
    Money(TextField),
    Notes(NoteField),
    /// A code chosen in a picker (support category, funding source).
    Pick(String),
    /// A priority marker.
    Flag(bool),
}

impl Editor {
    fn value(&self) -> String {
        match self {
            Editor::Text(t) | Editor::Money(t) => t.value().to_string(),
            Editor::Notes(n) => n.value().to_string(),
            Editor::Pick(c) => c.clone(),
            Editor::Flag(on) => on.to_string(),
        }
    }
}

/// What saving does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProposalPurpose {
    New,
    /// A draft, as loaded at `version`.
    Edit {
        id: String,
        version: i64,
    },
}

#[derive(Debug)]
pub struct ProposalFormScreen {
    purpose: ProposalPurpose,
    facility_id: String,
    facility_name: String,
    /// For the cap and eligibility warnings while typing.
    facility: FacilityData,
    today: NaiveDate,
    /// (field key, editor) in form order; markers are keyed by their marker key.
    rows: Vec<(&'static str, Editor)>,
    initial: Vec<String>,
    focus: usize,
    touched: Vec<bool>,
    issues: Issues,
    banner: Option<String>,
    /// Someone else saved the draft since it was opened: theirs beside ours.
    conflict: Option<ConflictDialog<Proposal>>,
    saved: bool,
    scroll: Cell<usize>,
}

fn text(v: &str, max: usize) -> Editor {
    Editor::Text(TextField::with_value(&sanitize(v)).with_max_chars(max))
}

fn money(v: &str) -> Editor {
    Editor::Money(TextField::with_value(&sanitize(v)).with_max_chars(30))
}

impl ProposalFormScreen {
    fn build(
        purpose: ProposalPurpose,
        facility_name: &str,
        facility: FacilityData,
        input: &ProposalInput,
        today: NaiveDate,
    ) -> ProposalFormScreen {
        let i = input;
        let mut rows: Vec<(&'static str, Editor)> = vec![
            ("plan_year", text(&i.plan_year, 4)),
            ("category", Editor::Pick(i.category.clone())),
            ("funding", Editor::Pick(i.funding.clone())),
            ("title", text(&i.title, 300)),
            (
                "rationale",
                Editor::Notes(NoteField::with_value(&i.rationale)),
            ),
            (
                "objectives",
                Editor::Notes(NoteField::with_value(&i.objectives)),
            ),
            ("content", Editor::Notes(NoteField::with_value(&i.content))),
            ("place", text(&i.place, 300)),
            ("time_frame", text(&i.time_frame, 100)),
            ("total_cost", money(&i.total_cost)),
            ("support", money(&i.support)),
            ("counterpart", money(&i.counterpart)),
            ("other_sources", money(&i.other_sources)),
            ("expected_jobs", text(&i.expected_jobs, 9)),
            (
                "expected_products",
                Editor::Notes(NoteField::with_value(&i.expected_products)),
            ),
            (
                "expected_capacity",
                Editor::Notes(NoteField::with_value(&i.expected_capacity)),
            ),
        ];
        for (k, on) in i.priorities.flags() {
            rows.push((k, Editor::Flag(on)));
        }
        let n = rows.len();
        let mut s = ProposalFormScreen {
            purpose,
            facility_id: i.facility_id.clone(),
            facility_name: facility_name.to_string(),
            facility,
            today,
            rows,
            initial: Vec::new(),
            focus: 0,
            touched: vec![false; n],
            issues: Issues::default(),
            banner: None,
            conflict: None,
            saved: false,
            scroll: Cell::new(0),
        };
        s.initial = s.values();
        s.revalidate();
        s
    }

    /// A new proposal for a facility, prefilled from it and its recorded needs.
    pub fn new_for(facility_id: &str, store: &Store) -> Result<ProposalFormScreen, StoreError> {
        let pre = store.proposal_prefill(facility_id)?;
        Ok(Self::build(
            ProposalPurpose::New,
            &pre.facility.data.name,
            pre.facility.data.clone(),
            &pre.input,
            store.today(),
        ))
    }

    /// A draft to change.
    pub fn edit(p: &Proposal, store: &Store) -> Result<ProposalFormScreen, StoreError> {
        let facility = store
            .facility(&p.data.facility_id)?
            .ok_or_else(|| StoreError::NotFound(p.data.facility_id.clone()))?;
        Ok(Self::build(
            ProposalPurpose::Edit {
                id: p.id.clone(),
                version: p.version,
            },
            &p.facility_name,
            facility.data,
            &ProposalInput::from_data(&p.data),
            store.today(),
        ))
    }

    // ----- inspection (tests) -----

    pub fn purpose(&self) -> &ProposalPurpose {
        &self.purpose
    }

    /// The typed text of a field (`"true"`/`"false"` for a marker).
    pub fn value(&self, key: &str) -> String {
        self.rows
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, e)| e.value())
            .unwrap_or_default()
    }

    /// The key of the focused field.
    pub fn focused_field(&self) -> &'static str {
        self.rows.get(self.focus).map_or("", |(k, _)| k)
    }

    pub fn banner(&self) -> Option<&str> {
        self.banner.as_deref()
    }

    /// What is shown under a field: (severity, text).
    pub fn messages(&self, key: &str, lang: Lang) -> Vec<(Severity, String)> {
        let shown = key == "facility_id"
            || self
                .rows
                .iter()
                .position(|(k, _)| *k == key)
                .is_some_and(|i| self.touched[i]);
        if !shown {
            return Vec::new();
        }
        self.issues
            .for_field(key)
            .map(|i| (i.severity, crate::import::problem_text(lang, &i.problem)))
            .collect()
    }

    pub fn title(&self, lang: Lang) -> String {
        let key = match self.purpose {
            ProposalPurpose::New => "ui.pform.title_new",
            ProposalPurpose::Edit { .. } => "ui.pform.title_edit",
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
    pub fn conflict(&self) -> Option<&ConflictDialog<Proposal>> {
        self.conflict.as_ref()
    }

    pub fn handles(&self, action: Action) -> bool {
        if self.conflict.is_some() {
            return ConflictDialog::<Proposal>::handles(action);
        }
        matches!(
            action,
            Action::Save | Action::NextField | Action::PrevField | Action::Open
        )
    }

    pub fn has_unsaved_changes(&self) -> bool {
        !self.saved && self.values() != self.initial
    }

    fn values(&self) -> Vec<String> {
        self.rows.iter().map(|(_, e)| e.value()).collect()
    }

    pub fn input(&self) -> ProposalInput {
        let mut i = ProposalInput {
            facility_id: self.facility_id.clone(),
            ..Default::default()
        };
        let mut p = Priorities::default();
        for (k, e) in &self.rows {
            let v = e.value();
            let on = matches!(e, Editor::Flag(true));
            match *k {
                "plan_year" => i.plan_year = v,
                "category" => i.category = v,
                "funding" => i.funding = v,
                "title" => i.title = v,
                "rationale" => i.rationale = v,
                "objectives" => i.objectives = v,
                "content" => i.content = v,
                "place" => i.place = v,
                "time_frame" => i.time_frame = v,
                "total_cost" => i.total_cost = v,
                "support" => i.support = v,
                "counterpart" => i.counterpart = v,
                "other_sources" => i.other_sources = v,
                "expected_jobs" => i.expected_jobs = v,
                "expected_products" => i.expected_products = v,
                "expected_capacity" => i.expected_capacity = v,
                "exports" => p.exports = on,
                "local_materials" => p.local_materials = on,
                "workers_50" => p.workers_50 = on,
                "woman_owned" => p.woman_owned = on,
                "ethnic_owned" => p.ethnic_owned = on,
                "difficult_area" => p.difficult_area = on,
                _ => {}
            }
        }
        i.priorities = p;
        i
    }

    // ----- update -----

    pub fn handle_text_key(&mut self, key: &KeyEvent) -> bool {
        if self.conflict.is_some() {
            return false;
        }
        match self.rows.get_mut(self.focus) {
            Some((_, Editor::Text(t) | Editor::Money(t))) => t.handle_key(key),
            Some((_, Editor::Notes(n))) => n.handle_key(key),
            _ => false,
        }
    }

    pub fn handle_paste(&mut self, text: &str) -> bool {
        if self.conflict.is_some() {
            return false;
        }
        match self.rows.get_mut(self.focus) {
            Some((_, Editor::Text(t) | Editor::Money(t))) => {
                t.insert_str(text);
                true
            }
            Some((_, Editor::Notes(n))) => {
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
        let n = self.rows.len();
        match action {
            Action::NextField | Action::PrevField => {
                self.leave_field();
                let step = if action == Action::NextField {
                    1
                } else {
                    n - 1
                };
                self.focus = (self.focus + step) % n;
                ScreenCmd::None
            }
            Action::Open => match self.rows.get_mut(self.focus) {
                Some(("category", Editor::Pick(_))) => self.category_picker(env.lang),
                Some((_, Editor::Pick(_))) => self.funding_picker(env.lang),
                Some((_, Editor::Flag(on))) => {
                    *on = !*on;
                    self.leave_field();
                    ScreenCmd::None
                }
                _ => self.handle_action(Action::NextField, env, store),
            },
            Action::Save => self.save(env, store),
            _ => ScreenCmd::Unhandled,
        }
    }

    fn category_picker(&self, lang: Lang) -> ScreenCmd {
        let items = codes()
            .support_categories
            .items()
            .iter()
            .map(|i| {
                let (label, other) = match lang {
                    Lang::Vi => (&i.label_vi, &i.label_en),
                    Lang::En => (&i.label_en, &i.label_vi),
                };
                PickItem::new(i.code.clone(), label.clone())
                    .with_hint(i.code.clone())
                    .with_extra(other.clone())
            })
            .collect();
        ScreenCmd::OpenPicker {
            title: tr(lang, "ui.pform.pick.category").to_string(),
            items,
            purpose: PickPurpose::ProposalCategory,
        }
    }

    fn funding_picker(&self, lang: Lang) -> ScreenCmd {
        let items = FundingSource::ALL
            .iter()
            .map(|f| {
                PickItem::new(f.code(), tr(lang, f.label_key()))
                    .with_hint(f.short())
                    .with_extra(f.short())
            })
            .collect();
        ScreenCmd::OpenPicker {
            title: tr(lang, "ui.pform.pick.funding").to_string(),
            items,
            purpose: PickPurpose::ProposalFunding,
        }
    }

    pub fn on_pick(
        &mut self,
        purpose: PickPurpose,
        code: &str,
        _env: &Env,
        _store: &mut Store,
    ) -> ScreenCmd {
        let key = match purpose {
            PickPurpose::ProposalCategory => "category",
            PickPurpose::ProposalFunding => "funding",
            _ => return ScreenCmd::None,
        };
        let Some(i) = self.rows.iter().position(|(k, _)| *k == key) else {
            return ScreenCmd::None;
        };
        if let Some((_, Editor::Pick(c))) = self.rows.get_mut(i) {
            *c = code.to_string();
        }
        self.focus = i;
        self.leave_field();
        self.focus = (i + 1) % self.rows.len();
        ScreenCmd::None
    }

    /// A Yes to "drop what you typed and take the stored version?" (the conflict's reload).
    pub fn on_confirm(&mut self, action: Action, env: &Env, store: &mut Store) -> ScreenCmd {
        if action == RELOAD_TAG {
            if let Some(c) = self.conflict.take() {
                let focus = self.focus;
                match Self::edit(&c.stored, store) {
                    Ok(s) => {
                        *self = s;
                        self.focus = focus.min(self.rows.len().saturating_sub(1));
                    }
                    Err(e) => return ScreenCmd::Error(crate::cli::store_error_text(env.lang, &e)),
                }
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
                if let ProposalPurpose::Edit { version, .. } = &mut self.purpose {
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
    fn conflict_rows(&self, lang: Lang, stored: &Proposal) -> Vec<ConflictRow> {
        let theirs = Self::build(
            self.purpose.clone(),
            &self.facility_name,
            self.facility.clone(),
            &ProposalInput::from_data(&stored.data),
            self.today,
        );
        let shown = |key: &str, e: &Editor| -> String {
            match e {
                Editor::Pick(code) if code.is_empty() => String::new(),
                Editor::Pick(code) if key == "category" => format!(
                    "{} {}",
                    clean(code),
                    code_label(lang, &codes().support_categories, code)
                ),
                Editor::Pick(code) => FundingSource::parse(code)
                    .map(|f| tr(lang, f.label_key()).to_string())
                    .unwrap_or_else(|| clean(code)),
                Editor::Flag(on) => crate::ui::format::yes_no(lang, *on).to_string(),
                Editor::Money(t) => match parse_vnd(t.value()) {
                    Ok(Some(v)) => group_thousands(v),
                    _ => t.value().trim().to_string(),
                },
                other => other.value().trim().to_string(),
            }
        };
        self.rows
            .iter()
            .zip(&theirs.rows)
            .map(|((key, mine), (_, th))| ConflictRow {
                label: Self::label(lang, key),
                theirs: shown(key, th),
                mine: shown(key, mine),
            })
            .collect()
    }

    /// Errors of the core's validation, or its warnings plus the cap and eligibility ones.
    fn revalidate(&mut self) {
        self.issues = match validate(&self.input(), self.today) {
            Ok((data, mut warnings)) => {
                warnings
                    .0
                    .extend(assess(&data, &self.facility, self.today).0);
                warnings
            }
            Err(issues) => {
                // The eligibility warnings do not depend on what is typed: keep them shown.
                let mut issues = issues;
                issues.0.extend(crate::domain::proposal::check_eligibility(
                    &self.facility,
                    self.today,
                ));
                issues
            }
        };
    }

    fn leave_field(&mut self) {
        if let Some((_, Editor::Money(t))) = self.rows.get_mut(self.focus) {
            if let Ok(Some(v)) = parse_vnd(t.value()) {
                t.set_value(&group_thousands(v));
            }
        }
        if let Some(t) = self.touched.get_mut(self.focus) {
            *t = true;
        }
        self.revalidate();
    }

    fn first_error(&self, issues: &Issues) -> Option<usize> {
        self.rows
            .iter()
            .position(|(k, _)| issues.for_field(k).any(|i| i.severity == Severity::Error))
    }

    fn save(&mut self, env: &Env, store: &mut Store) -> ScreenCmd {
        let lang = env.lang;
        self.banner = None;
        self.leave_field();
        self.touched = vec![true; self.rows.len()];
        let input = self.input();
        if let Err(issues) = validate(&input, store.today()) {
            let n = issues.errors().count();
            if let Some(i) = self.first_error(&issues) {
                self.focus = i;
            }
            self.revalidate();
            return ScreenCmd::Error(trf(lang, "ui.form.has_errors", &[&n]));
        }
        let result = match self.purpose.clone() {
            ProposalPurpose::New => store.add_proposal(&input).map(|(_, w)| w),
            ProposalPurpose::Edit { id, version } => store
                .edit_proposal(&id, version, &patch_of(&input))
                .map(|(_, w)| w),
        };
        match result {
            Ok(warnings) => {
                self.saved = true;
                let n = warnings.warnings().count();
                let message = if n == 0 {
                    tr(lang, "ui.pform.saved").to_string()
                } else {
                    trf(lang, "ui.pform.saved_with_warnings", &[&n])
                };
                ScreenCmd::PopWith {
                    message,
                    error: false,
                }
            }
            Err(StoreError::Invalid(issues)) => {
                if let Some(i) = self.first_error(&issues) {
                    self.focus = i;
                }
                let n = issues.errors().count();
                self.issues = issues;
                ScreenCmd::Error(trf(lang, "ui.form.has_errors", &[&n]))
            }
            Err(e) => {
                if let (StoreError::Conflict { found, .. }, ProposalPurpose::Edit { id, .. }) =
                    (&e, &self.purpose)
                {
                    match store.proposal(id) {
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

    fn label(lang: Lang, key: &str) -> String {
        match key {
            "exports" => tr(lang, "ui.pform.marker.exports").to_string(),
            "local_materials" => tr(lang, "ui.pform.marker.local_materials").to_string(),
            "workers_50" => tr(lang, "ui.pform.marker.workers_50").to_string(),
            "woman_owned" => tr(lang, "ui.pform.marker.woman_owned").to_string(),
            "ethnic_owned" => tr(lang, "ui.pform.marker.ethnic_owned").to_string(),
            "difficult_area" => tr(lang, "ui.pform.marker.difficult_area").to_string(),
            k => field_label_key(k)
                .map(|l| tr(lang, l))
                .unwrap_or("")
                .to_string(),
        }
    }

    fn message_lines(&self, key: &str, lang: Lang, env: &Env, w: usize) -> Vec<(Style, String)> {
        let mut out = Vec::new();
        for (sev, text) in self.messages(key, lang) {
            let (k, style) = match sev {
                Severity::Error => ("ui.form.error", error_style(env.theme)),
                Severity::Warning => ("ui.form.warning", warning_style(env.theme)),
            };
            for line in wrap(&trf(lang, k, &[&text]), w) {
                out.push((style, line));
            }
        }
        out
    }

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
                    trf(
                        lang,
                        "ui.form.position",
                        &[&(self.focus + 1), &self.rows.len()]
                    )
                ))
                .right_aligned(),
            );
        let inner = block.inner(area);
        block.render(area, frame.buffer_mut());
        if inner.height < 4 || inner.width < VALUE_X + 8 {
            return;
        }
        let value_w = (inner.width - VALUE_X - 1) as usize;
        // Fixed lines: the facility, its eligibility warnings, any banner.
        let mut fixed: Vec<(String, String, Style)> = vec![(
            tr(lang, "proposal.field.facility").to_string(),
            clean(&self.facility_name),
            theme.base,
        )];
        for (style, line) in self
            .message_lines("facility_id", lang, env, value_w)
            .into_iter()
            .take(3)
        {
            fixed.push((String::new(), line, style));
        }
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
        let view_top = y;
        let height = (inner.y + inner.height).saturating_sub(view_top) as usize;

        // Lay out every row: (label, value rows, messages).
        let mut layout: Vec<RowLayout> = Vec::new();
        for (i, (key, e)) in self.rows.iter().enumerate() {
            let mut label = Self::label(lang, key);
            if matches!(
                *key,
                "plan_year" | "category" | "funding" | "title" | "total_cost" | "support"
            ) {
                label.push_str(" *");
            }
            if MARKERS.first() == Some(key) {
                label = tr(lang, "ui.pform.priorities").to_string();
            } else if MARKERS.contains(key) {
                label = String::new();
            }
            let value_rows = match e {
                Editor::Notes(n) => {
                    let r = n.row_count(value_w.saturating_sub(1).max(1));
                    if i == self.focus {
                        r.clamp(2, NOTES_ROWS)
                    } else {
                        r.clamp(1, 2)
                    }
                }
                _ => 1,
            };
            let messages = self.message_lines(key, lang, env, value_w);
            layout.push((label, value_rows, messages));
        }
        let heights: Vec<usize> = layout.iter().map(|(_, v, m)| v + m.len()).collect();
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
        for (i, ((key, e), (label, value_rows, messages))) in
            self.rows.iter().zip(&layout).enumerate()
        {
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
                buf.set_stringn(inner.x + 2, y, fit(label, LABEL_W), LABEL_W, style);
            }
            let vx = inner.x + VALUE_X;
            let vw = value_w as u16;
            match e {
                Editor::Text(t) => {
                    if let Some(y) = row_y(0) {
                        let rect = Rect::new(vx, y, vw, 1);
                        if is_focus {
                            t.render_text(buf, rect, theme.input);
                            cursor = Some(t.cursor_position(rect));
                        } else {
                            // Left fields show their start, not where the cursor was.
                            let s = fit(&clean(t.value()), value_w);
                            buf.set_stringn(vx, y, s, value_w, theme.input);
                        }
                    }
                }
                Editor::Money(t) => {
                    if let Some(y) = row_y(0) {
                        let rect = Rect::new(vx, y, vw, 1);
                        match parse_vnd(t.value()) {
                            Ok(Some(v)) if !is_focus => {
                                let s = format_vnd(v);
                                buf.set_stringn(vx, y, fit(&s, value_w), value_w, theme.input);
                            }
                            _ => t.render_text(buf, rect, theme.input),
                        }
                        if is_focus {
                            cursor = Some(t.cursor_position(rect));
                        }
                    }
                }
                Editor::Notes(n) => {
                    if let (Some(y0), Some(_)) = (row_y(0), row_y(value_rows - 1)) {
                        let rect = Rect::new(vx, y0, vw, *value_rows as u16);
                        let pos = n.render_text(buf, rect, theme.input);
                        if is_focus {
                            cursor = Some(pos);
                        }
                    }
                }
                Editor::Pick(code) => {
                    if let Some(y) = row_y(0) {
                        let (s, style) = if code.is_empty() {
                            let keys = env.keymap.keys_for(Action::Open, Context::Form);
                            (trf(lang, "ui.pform.pick_hint", &[&keys]), theme.dim)
                        } else if *key == "category" {
                            (
                                format!(
                                    "{} {}",
                                    clean(code),
                                    code_label(lang, &codes().support_categories, code)
                                ),
                                theme.base,
                            )
                        } else {
                            let label = FundingSource::parse(code)
                                .map(|f| tr(lang, f.label_key()).to_string())
                                .unwrap_or_else(|| clean(code));
                            (label, theme.base)
                        };
                        buf.set_stringn(vx, y, fit(&s, value_w), value_w, style);
                    }
                }
                Editor::Flag(on) => {
                    if let Some(y) = row_y(0) {
                        let mark = if *on { "[x]" } else { "[ ]" };
                        let style = if is_focus { theme.selected } else { theme.base };
                        buf.set_stringn(vx, y, mark, 3, style);
                        let w = value_w.saturating_sub(4);
                        let text = Self::label(lang, key);
                        buf.set_stringn(vx + 4, y, fit(&text, w), w, theme.base);
                    }
                }
            }
            for (k, (style, line)) in messages.iter().enumerate() {
                if let Some(y) = row_y(value_rows + k) {
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

/// Every field as a patch (the core keeps what did not change).
fn patch_of(i: &ProposalInput) -> ProposalPatch {
    let s = |v: &String| Some(v.clone());
    ProposalPatch {
        plan_year: s(&i.plan_year),
        category: s(&i.category),
        funding: s(&i.funding),
        title: s(&i.title),
        rationale: s(&i.rationale),
        objectives: s(&i.objectives),
        content: s(&i.content),
        place: s(&i.place),
        time_frame: s(&i.time_frame),
        total_cost: s(&i.total_cost),
        support: s(&i.support),
        counterpart: s(&i.counterpart),
        other_sources: s(&i.other_sources),
        expected_jobs: s(&i.expected_jobs),
        expected_products: s(&i.expected_products),
        expected_capacity: s(&i.expected_capacity),
        priorities: Some(i.priorities),
    }
}

impl super::Screen for ProposalFormScreen {
    fn title(&self, lang: Lang) -> String {
        ProposalFormScreen::title(self, lang)
    }

    fn contexts(&self) -> &'static [Context] {
        ProposalFormScreen::contexts(self)
    }

    fn handles(&self, action: Action) -> bool {
        ProposalFormScreen::handles(self, action)
    }

    fn handle_action(&mut self, action: Action, env: &Env, store: &mut Store) -> ScreenCmd {
        ProposalFormScreen::handle_action(self, action, env, store)
    }

    fn render(&self, frame: &mut Frame, area: Rect, env: &Env, focused: bool) {
        ProposalFormScreen::render(self, frame, area, env, focused)
    }

    fn handle_text_key(&mut self, key: &KeyEvent) -> bool {
        ProposalFormScreen::handle_text_key(self, key)
    }

    fn handle_paste(&mut self, text: &str) -> bool {
        ProposalFormScreen::handle_paste(self, text)
    }

    fn on_pick(
        &mut self,
        purpose: PickPurpose,
        code: &str,
        env: &Env,
        store: &mut Store,
    ) -> ScreenCmd {
        ProposalFormScreen::on_pick(self, purpose, code, env, store)
    }

    fn on_confirm(&mut self, action: Action, env: &Env, store: &mut Store) -> ScreenCmd {
        ProposalFormScreen::on_confirm(self, action, env, store)
    }

    /// What the user types is never reloaded under them.
    fn follows_outside_changes(&self) -> bool {
        false
    }

    fn has_unsaved_changes(&self) -> bool {
        ProposalFormScreen::has_unsaved_changes(self)
    }
}
