//! The one form engine: a form is a list of [`FieldSpec`]s plus a [`FormModel`] that loads
//! the values, validates them with the core, and saves them. The engine owns everything else:
//! focus (Tab/↓, Shift+Tab/↑, Enter moves on from a text field), editing (text, multi-line,
//! money, date, picker, multi-select, yes/no box), the layout at any width (labels wrap to two
//! lines; narrow screens put the label above its value), scrolling when the form is taller
//! than the screen, the messages under each field once it was visited, focusing the first
//! field with an error on save, the conflict dialog when someone else saved the record in
//! between, and the unsaved-changes guard.
//!
//! Rules shared by every form:
//! - Enter on a picker opens it; choosing (Enter in the picker) sets the value and stays on
//!   the field, so Tab goes on to the next one. A multi-select toggles the chosen item.
//! - Backspace empties an optional picker and takes the last item off a multi-select.
//! - A field not being edited shows its start (first lines of a multi-line field; all chosen
//!   items of a multi-select, wrapped).
//! - Money (`300tr`, `1 tỷ 250 triệu`) is shown `1.250.000.000` once left; a relative or
//!   short date (`+7`, `15/1/27`) is shown `dd/mm/yyyy` once left.
//! - The "còn N lỗi" message of a refused save is withdrawn when the count changes.

use std::cell::Cell;

use chrono::NaiveDate;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::layout::{Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Widget};
use ratatui::Frame;

use super::bars::wrap;
use super::{clean, fit, ConflictChoice, ConflictDialog, ConflictRow, NoteField, TextField};
use crate::domain::consultation::{dmy, parse_date, parse_typed_date};
use crate::domain::issue::{Issues, Severity};
use crate::domain::money::{format_vnd, group_thousands, parse_vnd};
use crate::store::{Store, StoreError};
use crate::ui::keymap::{Action, Context};
use crate::ui::screens::{Env, PickPurpose, ScreenCmd};
use crate::ui::theme::{Theme, ThemeName};
use crate::ui::widgets::PickItem;
use crate::words::{tr, trf, Lang};

/// The action a conflict's "reload?" question hands back to `on_confirm`.
pub const RELOAD_TAG: Action = Action::Save;

/// Below this many cells for a value beside its label, labels go above their values.
const MIN_VALUE_W: usize = 16;
/// Rows a multi-select shows at most (then "+N").
const MULTI_ROWS: usize = 3;

/// Inline error text style: red (bold in monochrome).
pub fn error_style(theme: &Theme) -> Style {
    match theme.name {
        ThemeName::Mono => Style::default().add_modifier(Modifier::BOLD),
        ThemeName::Default => Style::default().fg(Color::LightRed),
    }
}

/// Inline warning text style: yellow (plain in monochrome; the words say "Lưu ý").
pub fn warning_style(theme: &Theme) -> Style {
    match theme.name {
        ThemeName::Mono => Style::default(),
        ThemeName::Default => Style::default().fg(Color::Yellow),
    }
}

/// A picker's items for a code list: the label in the user's language, the code as the hint
/// ("● code" when among `chosen`), the other language's label found too.
pub fn code_list_items(
    lang: Lang,
    list: &crate::refdata::CodeList,
    chosen: &[String],
) -> Vec<PickItem> {
    list.items()
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
        .collect()
}

/// Rows of a multi-line field: (least, most) while edited, most when not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoteRows {
    pub focused: (usize, usize),
    pub idle: usize,
}

/// How a field is edited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// One line of text, at most `max` characters.
    Text {
        max: usize,
    },
    MultiLine(NoteRows),
    /// VND as typed (`1,25 tỷ`, `300tr`); `1.250.000.000` once left.
    Money,
    /// A date as typed (`25/11/2026`, `15/1/27`, `+7`).
    Date,
    /// A code chosen in a picker. `clearable`: Backspace empties it; `hint`: the string-table
    /// key of "{key}: choose" shown while it is empty and focused.
    Picker {
        purpose: PickPurpose,
        clearable: bool,
        hint: &'static str,
    },
    /// Codes chosen one at a time in a picker (choosing one again takes it away).
    MultiSelect {
        purpose: PickPurpose,
        hint: &'static str,
    },
    /// A yes/no box; `text` (string-table key) is drawn after the box.
    Flag {
        text: &'static str,
    },
    /// Shown, not edited (skipped by Tab): `note` is a string-table key with one `{}` for the
    /// value.
    Fixed {
        note: &'static str,
    },
}

/// One field of a form: its key (the core's field key, used for validation messages), its
/// label (a string-table key; None for a box without a row label), kind and whether it must
/// be filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    pub key: &'static str,
    pub label: Option<&'static str>,
    pub kind: FieldKind,
    pub required: bool,
    /// False for a field that is not part of the stored record (an amendment's reason): the
    /// conflict dialog leaves it out.
    pub stored: bool,
}

impl FieldSpec {
    pub const fn new(key: &'static str, label: &'static str, kind: FieldKind) -> FieldSpec {
        FieldSpec {
            key,
            label: Some(label),
            kind,
            required: false,
            stored: true,
        }
    }

    pub const fn text(key: &'static str, label: &'static str, max: usize) -> FieldSpec {
        FieldSpec::new(key, label, FieldKind::Text { max })
    }

    pub const fn notes(key: &'static str, label: &'static str, rows: NoteRows) -> FieldSpec {
        FieldSpec::new(key, label, FieldKind::MultiLine(rows))
    }

    /// A yes/no box with its text after it and no row label.
    pub const fn flag(key: &'static str, text: &'static str) -> FieldSpec {
        FieldSpec {
            key,
            label: None,
            kind: FieldKind::Flag { text },
            required: false,
            stored: true,
        }
    }

    pub const fn required(mut self) -> FieldSpec {
        self.required = true;
        self
    }

    pub const fn labelled(mut self, label: Option<&'static str>) -> FieldSpec {
        self.label = label;
        self
    }

    pub const fn not_stored(mut self) -> FieldSpec {
        self.stored = false;
        self
    }
}

/// A field's value as loaded or saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Text(String),
    Codes(Vec<String>),
    Flag(bool),
}

impl Value {
    pub fn text(s: &str) -> Value {
        Value::Text(s.to_string())
    }
}

/// Every field's value, by key (what a model validates and saves).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Values(pub Vec<(&'static str, Value)>);

impl Values {
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    /// The text of a field (codes joined with ", "; "" when unknown or a box).
    pub fn text(&self, key: &str) -> String {
        match self.get(key) {
            Some(Value::Text(t)) => t.clone(),
            Some(Value::Codes(c)) => c.join(", "),
            _ => String::new(),
        }
    }

    pub fn flag(&self, key: &str) -> bool {
        matches!(self.get(key), Some(Value::Flag(true)))
    }
}

/// The record's side of a stored version, for the conflict dialog.
pub struct Stored<R> {
    pub record: R,
    pub values: Values,
    pub updated_by: String,
    pub updated_at: String,
}

/// What a model's save did.
pub enum SaveOutcome {
    /// Saved: the form closes with this command (`Pop`, `PopWith`).
    Saved(ScreenCmd),
    /// Not saved yet, the model asks something first (its own dialog, a notice): stay.
    Stay(ScreenCmd),
    /// Not saved: focus this field and say why (`error`: as an error, else a notice).
    Refused {
        key: &'static str,
        message: String,
        error: bool,
    },
    /// The store refused: shown by the engine (field errors, conflict dialog, banner).
    Failed(StoreError),
}

/// The domain side of a form: load, validate, save, and the words for codes.
pub trait FormModel: Sized + std::fmt::Debug {
    /// The stored record (kept by the conflict dialog for a reload).
    type Record: std::fmt::Debug;
    /// Width of the label column, in cells.
    const LABEL_WIDTH: usize = 22;

    fn title(&self, lang: Lang) -> String;

    /// Fixed lines above the fields: (label, text, style).
    fn header(
        &self,
        _lang: Lang,
        _theme: &Theme,
        _issues: &Issues,
        _value_w: usize,
    ) -> Vec<(String, String, Style)> {
        Vec::new()
    }

    /// How a picker's code reads; None for "nothing chosen" (the hint is shown instead).
    fn choice_text(&self, lang: Lang, key: &str, code: &str) -> Option<String>;

    /// The picker of a field: its title and items (`chosen`: the field's codes now).
    fn picker(
        &self,
        lang: Lang,
        key: &str,
        chosen: &[String],
        store: &Store,
    ) -> Option<(String, Vec<PickItem>)>;

    /// Every finding of the core's validation (errors refuse a save; warnings do not).
    fn validate(&self, values: &Values, store: &Store) -> Issues;

    /// Save. `seen[i]`: whether field i was visited before this save.
    fn save(&mut self, values: &Values, seen: &[bool], env: &Env, store: &mut Store)
        -> SaveOutcome;

    /// The stored version after a conflict (None: it is gone).
    fn stored(&self, store: &Store) -> Result<Option<Stored<Self::Record>>, StoreError>;

    /// Save over `version` next time (the user chose to overwrite).
    fn set_version(&mut self, version: i64);

    /// The form over the stored record (the user took it instead of their text).
    fn reopen(record: Self::Record, store: &Store) -> Result<Form<Self>, StoreError>;

    /// The name a conflict message uses for the record, if the store's id would be shown.
    fn conflict_name(&self) -> Option<String> {
        None
    }

    /// A dialog of the model's own over the form (its contexts while open).
    fn dialog_contexts(&self) -> Option<&'static [Context]> {
        None
    }

    /// An action while the model's dialog is open (None: no dialog).
    fn dialog_action(
        &mut self,
        _action: Action,
        _env: &Env,
        _store: &mut Store,
    ) -> Option<SaveOutcome> {
        None
    }

    /// Draw the model's dialog; false when there is none.
    fn render_dialog(&self, _frame: &mut Frame, _area: Rect, _env: &Env) -> bool {
        false
    }
}

#[derive(Debug, Clone)]
enum Editor {
    Text(TextField),
    Notes(NoteField),
    Codes(Vec<String>),
    Flag(bool),
}

impl Editor {
    fn new(kind: FieldKind, value: Value) -> Editor {
        let text = |v: &Value| match v {
            Value::Text(t) => t.clone(),
            Value::Codes(c) => c.join(", "),
            Value::Flag(b) => if *b { "1" } else { "" }.to_string(),
        };
        match kind {
            FieldKind::MultiLine(_) => Editor::Notes(NoteField::with_value(&text(&value))),
            FieldKind::Text { max } => Editor::Text(
                TextField::with_value(&crate::text::sanitize(&text(&value))).with_max_chars(max),
            ),
            FieldKind::Money => Editor::Text(
                TextField::with_value(&crate::text::sanitize(&text(&value))).with_max_chars(30),
            ),
            FieldKind::Date | FieldKind::Fixed { .. } => Editor::Text(
                TextField::with_value(&crate::text::sanitize(&text(&value))).with_max_chars(20),
            ),
            FieldKind::Picker { .. } => Editor::Codes(match value {
                Value::Codes(c) => c.into_iter().take(1).collect(),
                v => {
                    let t = crate::text::sanitize(&text(&v)).trim().to_string();
                    if t.is_empty() {
                        Vec::new()
                    } else {
                        vec![t]
                    }
                }
            }),
            FieldKind::MultiSelect { .. } => Editor::Codes(match value {
                Value::Codes(c) => c,
                v => text(&v)
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect(),
            }),
            FieldKind::Flag { .. } => Editor::Flag(match value {
                Value::Flag(b) => b,
                Value::Text(t) => !t.trim().is_empty(),
                Value::Codes(c) => !c.is_empty(),
            }),
        }
    }

    fn value(&self, kind: FieldKind) -> Value {
        match self {
            Editor::Text(t) => Value::Text(t.value().to_string()),
            Editor::Notes(n) => Value::Text(n.value().to_string()),
            Editor::Codes(c) if matches!(kind, FieldKind::Picker { .. }) => {
                Value::Text(c.first().cloned().unwrap_or_default())
            }
            Editor::Codes(c) => Value::Codes(c.clone()),
            Editor::Flag(b) => Value::Flag(*b),
        }
    }
}

/// The rows one field takes.
#[derive(Debug)]
struct FieldRows {
    label_lines: Vec<String>,
    /// Rows before the value (the label above it on a narrow screen).
    above: usize,
    value_rows: usize,
    messages: Vec<(Style, String)>,
}

impl FieldRows {
    fn height(&self) -> usize {
        let beside = if self.above > 0 {
            0
        } else {
            self.label_lines.len()
        };
        beside
            .max(self.above + self.value_rows + self.messages.len())
            .max(1)
    }
}

/// A form: the model, its fields, and the editing state.
#[derive(Debug)]
pub struct Form<M: FormModel> {
    pub model: M,
    specs: Vec<FieldSpec>,
    editors: Vec<Editor>,
    initial: Values,
    focus: usize,
    /// Fields whose messages are shown (visited, or everything after a save attempt).
    touched: Vec<bool>,
    issues: Issues,
    /// Why the last save failed (a store error), shown at the top.
    banner: Option<String>,
    conflict: Option<ConflictDialog<M::Record>>,
    saved: bool,
    /// The "còn N lỗi" message of the last refused save, while it may be on screen.
    error_shown: Option<(usize, String)>,
    today: NaiveDate,
    /// First row of the field list in view (remembered from the last draw).
    scroll: Cell<usize>,
}

impl<M: FormModel> Form<M> {
    /// A form over `values` (in the order of `specs`; a missing one is empty).
    pub fn new(model: M, specs: Vec<FieldSpec>, values: Values, today: NaiveDate) -> Form<M> {
        let editors: Vec<Editor> = specs
            .iter()
            .map(|s| {
                let v = values
                    .get(s.key)
                    .cloned()
                    .unwrap_or(Value::Text(String::new()));
                Editor::new(s.kind, v)
            })
            .collect();
        let n = specs.len();
        let mut form = Form {
            model,
            specs,
            editors,
            initial: Values::default(),
            focus: 0,
            touched: vec![false; n],
            issues: Issues::default(),
            banner: None,
            conflict: None,
            saved: false,
            error_shown: None,
            today,
            scroll: Cell::new(0),
        };
        form.initial = form.values();
        form.focus = form.next_editable(0, 1);
        form
    }

    // ----- inspection -----

    pub fn values(&self) -> Values {
        Values(
            self.specs
                .iter()
                .zip(&self.editors)
                .map(|(s, e)| (s.key, e.value(s.kind)))
                .collect(),
        )
    }

    /// The typed text of a field (`"true"`/`"false"` for a box).
    pub fn text(&self, key: &str) -> String {
        match self
            .index_of(key)
            .map(|i| self.editors[i].value(self.specs[i].kind))
        {
            Some(Value::Flag(b)) => b.to_string(),
            Some(Value::Text(t)) => t,
            Some(Value::Codes(c)) => c.join(", "),
            None => String::new(),
        }
    }

    pub fn focused_key(&self) -> &'static str {
        self.specs.get(self.focus).map_or("", |s| s.key)
    }

    pub fn index_of(&self, key: &str) -> Option<usize> {
        self.specs.iter().position(|s| s.key == key)
    }

    /// Focus a field by key (a model's own checks).
    pub fn focus_key(&mut self, key: &str) {
        if let Some(i) = self.index_of(key) {
            self.focus = i;
        }
    }

    /// The messages shown under a field right now: (severity, text).
    pub fn messages(&self, key: &str, lang: Lang) -> Vec<(Severity, String)> {
        match self.index_of(key) {
            Some(i) if self.touched[i] => self.findings(key, lang),
            _ => Vec::new(),
        }
    }

    /// Every finding about `key`, shown or not (a model's header lines).
    pub fn findings(&self, key: &str, lang: Lang) -> Vec<(Severity, String)> {
        self.issues
            .for_field(key)
            .map(|i| (i.severity, crate::words::problem_text(lang, &i.problem)))
            .collect()
    }

    pub fn banner(&self) -> Option<&str> {
        self.banner.as_deref()
    }

    pub fn set_banner(&mut self, text: Option<String>) {
        self.banner = text;
    }

    pub fn conflict(&self) -> Option<&ConflictDialog<M::Record>> {
        self.conflict.as_ref()
    }

    pub fn contexts(&self) -> &'static [Context] {
        if self.conflict.is_some() {
            &[Context::Confirm]
        } else {
            self.model.dialog_contexts().unwrap_or(&[Context::Form])
        }
    }

    pub fn handles(&self, action: Action) -> bool {
        if self.conflict.is_some() {
            ConflictDialog::<M::Record>::handles(action)
        } else if self.model.dialog_contexts().is_some() {
            matches!(
                action,
                Action::Yes | Action::No | Action::Open | Action::NextField | Action::PrevField
            )
        } else {
            matches!(
                action,
                Action::Save | Action::NextField | Action::PrevField | Action::Open
            )
        }
    }

    pub fn has_unsaved_changes(&self) -> bool {
        !self.saved && self.values() != self.initial
    }

    fn dialog_open(&self) -> bool {
        self.conflict.is_some() || self.model.dialog_contexts().is_some()
    }

    fn editable(&self, i: usize) -> bool {
        !matches!(self.specs[i].kind, FieldKind::Fixed { .. })
    }

    /// The first editable field from `i` on, stepping by `step` (1 or n-1) around the form.
    fn next_editable(&self, i: usize, step: usize) -> usize {
        let n = self.specs.len().max(1);
        let mut j = i % n;
        for _ in 0..n {
            if self.specs.is_empty() || self.editable(j) {
                return j;
            }
            j = (j + step) % n;
        }
        i % n
    }

    // ----- update -----

    pub fn handle_text_key(&mut self, key: &KeyEvent) -> bool {
        if self.dialog_open() || key.kind == KeyEventKind::Release {
            return false;
        }
        let kind = match self.specs.get(self.focus) {
            Some(s) => s.kind,
            None => return false,
        };
        let plain = !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        // Backspace/Delete; Ctrl+H (an input method's 0x08) counts as Backspace.
        let erase = matches!(key.code, KeyCode::Backspace | KeyCode::Delete)
            || (key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('h'))
            || matches!(key.code, KeyCode::Char('\u{8}') | KeyCode::Char('\u{7f}'));
        match (&mut self.editors[self.focus], kind) {
            (_, FieldKind::Fixed { .. }) => false,
            (Editor::Text(t), _) => t.handle_key(key),
            (Editor::Notes(n), _) => n.handle_key(key),
            (Editor::Flag(b), _) => {
                if key.code == KeyCode::Char(' ') && plain {
                    *b = !*b;
                    true
                } else {
                    false
                }
            }
            (Editor::Codes(c), FieldKind::Picker { clearable, .. }) if erase => {
                if clearable {
                    c.clear();
                }
                true
            }
            (Editor::Codes(c), FieldKind::MultiSelect { .. }) if erase => {
                c.pop();
                true
            }
            (Editor::Codes(_), _) => false,
        }
    }

    pub fn handle_paste(&mut self, text: &str) -> bool {
        if self.dialog_open()
            || !self
                .specs
                .get(self.focus)
                .is_some_and(|_| self.editable(self.focus))
        {
            return false;
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
        if let Some(outcome) = self.model.dialog_action(action, env, store) {
            return self.outcome(outcome, env.lang, store);
        }
        let n = self.specs.len();
        if n == 0 {
            return ScreenCmd::Unhandled;
        }
        match action {
            Action::NextField | Action::PrevField => {
                let cmd = self.leave_field(store);
                let step = if action == Action::NextField {
                    1
                } else {
                    n - 1
                };
                self.focus = self.next_editable((self.focus + step) % n, step);
                cmd
            }
            Action::Open => match self.specs[self.focus].kind {
                FieldKind::Picker { purpose, .. } | FieldKind::MultiSelect { purpose, .. } => {
                    self.open_picker(purpose, env.lang, store)
                }
                FieldKind::Flag { .. } => {
                    if let Editor::Flag(b) = &mut self.editors[self.focus] {
                        *b = !*b;
                    }
                    self.leave_field(store)
                }
                _ => self.handle_action(Action::NextField, env, store),
            },
            Action::Save => self.save(env, store),
            _ => ScreenCmd::Unhandled,
        }
    }

    fn open_picker(&self, purpose: PickPurpose, lang: Lang, store: &Store) -> ScreenCmd {
        let key = self.specs[self.focus].key;
        let chosen = match &self.editors[self.focus] {
            Editor::Codes(c) => c.clone(),
            _ => Vec::new(),
        };
        match self.model.picker(lang, key, &chosen, store) {
            Some((title, items)) => ScreenCmd::OpenPicker {
                title,
                items,
                purpose,
            },
            None => ScreenCmd::None,
        }
    }

    /// A code chosen in a field's picker: set (or toggled in a multi-select); the focus stays
    /// on the field, so Tab goes on to the next one (issue 16: Enter both chose and moved on,
    /// and the Tab after it skipped a field).
    pub fn on_pick(&mut self, purpose: PickPurpose, code: &str, store: &mut Store) -> ScreenCmd {
        let Some(i) = self.specs.iter().position(|s| match s.kind {
            FieldKind::Picker { purpose: p, .. } | FieldKind::MultiSelect { purpose: p, .. } => {
                p == purpose
            }
            _ => false,
        }) else {
            return ScreenCmd::None;
        };
        let multi = matches!(self.specs[i].kind, FieldKind::MultiSelect { .. });
        if let Editor::Codes(c) = &mut self.editors[i] {
            if !multi {
                *c = vec![code.to_string()];
            } else if let Some(k) = c.iter().position(|x| x == code) {
                c.remove(k);
            } else {
                c.push(code.to_string());
            }
        }
        self.focus = i;
        self.leave_field(store)
    }

    /// A Yes to "drop what you typed and take the stored version?" (the conflict's reload).
    pub fn on_confirm(&mut self, action: Action, env: &Env, store: &mut Store) -> ScreenCmd {
        if action != RELOAD_TAG {
            return ScreenCmd::None;
        }
        let Some(c) = self.conflict.take() else {
            return ScreenCmd::None;
        };
        let focus = self.focus;
        match M::reopen(c.stored, store) {
            Ok(form) => {
                *self = form;
                self.focus = self.next_editable(focus.min(self.specs.len().saturating_sub(1)), 1);
                ScreenCmd::None
            }
            Err(e) => ScreenCmd::Error(crate::words::store_error_text(env.lang, &e)),
        }
    }

    /// Leaving a field: money and short dates are shown written out, the field's messages
    /// appear, and a "còn N lỗi" message that no longer holds is withdrawn.
    fn leave_field(&mut self, store: &Store) -> ScreenCmd {
        let today = self.today;
        if let (Some(spec), Some(Editor::Text(t))) =
            (self.specs.get(self.focus), self.editors.get_mut(self.focus))
        {
            match spec.kind {
                FieldKind::Money => {
                    if let Ok(Some(v)) = parse_vnd(t.value()) {
                        t.set_value(&group_thousands(v));
                    }
                }
                FieldKind::Date if parse_date(t.value()).is_none() => {
                    if let Some(d) = parse_typed_date(t.value(), today) {
                        t.set_value(&dmy(d));
                    }
                }
                _ => {}
            }
        }
        if let Some(t) = self.touched.get_mut(self.focus) {
            *t = true;
        }
        self.revalidate(store)
    }

    /// Run the model's validation again; withdraw a stale "còn N lỗi".
    pub fn revalidate(&mut self, store: &Store) -> ScreenCmd {
        self.issues = self.model.validate(&self.values(), store);
        let now = self.issues.errors().count();
        match self.error_shown.take() {
            Some((n, text)) if n != now => ScreenCmd::Withdraw {
                text,
                then: Box::new(ScreenCmd::None),
            },
            other => {
                self.error_shown = other;
                ScreenCmd::None
            }
        }
    }

    fn first_error(&self, issues: &Issues) -> Option<usize> {
        self.specs.iter().position(|s| {
            issues
                .for_field(s.key)
                .any(|i| i.severity == Severity::Error)
        })
    }

    /// Refuse a save over `issues`: focus the first field with an error, say how many.
    fn refuse(&mut self, issues: Issues, lang: Lang) -> ScreenCmd {
        let n = issues.errors().count();
        if let Some(i) = self.first_error(&issues) {
            self.focus = i;
        }
        self.issues = issues;
        let text = trf(lang, "ui.form.has_errors", &[&n]);
        self.error_shown = Some((n, text.clone()));
        ScreenCmd::Error(text)
    }

    fn save(&mut self, env: &Env, store: &mut Store) -> ScreenCmd {
        self.banner = None;
        // Seen before this save (the field being typed in is not, until it is left).
        let seen = self.touched.clone();
        let stale = self.leave_field(store);
        self.touched = vec![true; self.specs.len()];
        let values = self.values();
        let issues = self.model.validate(&values, store);
        let cmd = if issues.errors().count() > 0 {
            self.refuse(issues, env.lang)
        } else {
            self.issues = issues;
            let outcome = self.model.save(&values, &seen, env, store);
            self.outcome(outcome, env.lang, store)
        };
        match stale {
            ScreenCmd::Withdraw { text, .. } => ScreenCmd::Withdraw {
                text,
                then: Box::new(cmd),
            },
            _ => cmd,
        }
    }

    fn outcome(&mut self, outcome: SaveOutcome, lang: Lang, store: &Store) -> ScreenCmd {
        match outcome {
            SaveOutcome::Saved(cmd) => {
                self.saved = true;
                cmd
            }
            SaveOutcome::Stay(cmd) => cmd,
            SaveOutcome::Refused {
                key,
                message,
                error,
            } => {
                self.focus_key(key);
                if error {
                    ScreenCmd::Error(message)
                } else {
                    ScreenCmd::Toast(message)
                }
            }
            SaveOutcome::Failed(e) => self.store_failed(lang, store, &e),
        }
    }

    /// A save failed: field errors go under their fields, a conflict opens the dialog, any
    /// other error is said at the top. Every value is kept.
    fn store_failed(&mut self, lang: Lang, store: &Store, e: &StoreError) -> ScreenCmd {
        match e {
            StoreError::Invalid(issues) => return self.refuse(issues.clone(), lang),
            StoreError::Conflict { found, .. } => match self.model.stored(store) {
                Ok(Some(s)) => {
                    let rows = self.conflict_rows(lang, &s.values);
                    self.conflict = Some(ConflictDialog::new(
                        store,
                        rows,
                        &s.updated_by,
                        &s.updated_at,
                        *found,
                        s.record,
                    ));
                    // The dialog says it all; a notice would cover it.
                    self.banner = Some(trf(lang, "ui.conflict.banner", &[found]));
                    return ScreenCmd::None;
                }
                Ok(None) => {
                    self.banner = Some(tr(lang, "ui.conflict.gone").to_string());
                    return ScreenCmd::None;
                }
                Err(_) => {}
            },
            _ => {}
        }
        // A conflict names the record by its id; the person knows it by its name.
        let named;
        let e = match (e, self.model.conflict_name()) {
            (
                StoreError::Conflict {
                    expected, found, ..
                },
                Some(name),
            ) => {
                named = StoreError::Conflict {
                    id: format!("«{}»", clean(&name)),
                    expected: *expected,
                    found: *found,
                };
                &named
            }
            _ => e,
        };
        let text = trf(
            lang,
            "ui.form.not_saved",
            &[&crate::words::store_error_text(lang, e)],
        );
        self.banner = Some(text);
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
                self.model.set_version(found);
                self.save(env, store)
            }
            Some(ConflictChoice::Reload) => ScreenCmd::Confirm {
                message: tr(env.lang, "ui.conflict.reload_confirm").to_string(),
                action: RELOAD_TAG,
            },
        }
    }

    /// How a value reads outside its editor (the conflict dialog).
    fn shown(&self, lang: Lang, spec: &FieldSpec, v: Option<&Value>) -> String {
        let text = match v {
            Some(Value::Text(t)) => t.trim().to_string(),
            Some(Value::Codes(c)) => c.join(", "),
            Some(Value::Flag(b)) => return crate::words::format::yes_no(lang, *b).to_string(),
            None => String::new(),
        };
        match spec.kind {
            FieldKind::Picker { .. } if text.is_empty() => String::new(),
            FieldKind::Picker { .. } => self
                .model
                .choice_text(lang, spec.key, &text)
                .unwrap_or_default(),
            FieldKind::MultiSelect { .. } => match v {
                Some(Value::Codes(c)) => self.item_texts(lang, spec.key, c).join("; "),
                _ => text,
            },
            FieldKind::Money => match parse_vnd(&text) {
                Ok(Some(n)) => group_thousands(n),
                _ => text,
            },
            FieldKind::Flag { .. } => {
                crate::words::format::yes_no(lang, !text.is_empty()).to_string()
            }
            _ => text,
        }
    }

    /// Theirs beside ours, for every stored field (the dialog keeps those that differ).
    fn conflict_rows(&self, lang: Lang, theirs: &Values) -> Vec<ConflictRow> {
        let mine = self.values();
        self.specs
            .iter()
            .filter(|s| s.stored)
            .map(|s| {
                let label = match (s.kind, s.label) {
                    (FieldKind::Flag { text }, _) => tr(lang, text),
                    (_, Some(l)) => tr(lang, l),
                    (_, None) => "",
                };
                ConflictRow {
                    label: label.to_string(),
                    theirs: self.shown(lang, s, theirs.get(s.key)),
                    mine: self.shown(lang, s, mine.get(s.key)),
                }
            })
            .collect()
    }

    fn item_texts(&self, lang: Lang, key: &str, codes: &[String]) -> Vec<String> {
        codes
            .iter()
            .map(|c| {
                self.model
                    .choice_text(lang, key, c)
                    .unwrap_or_else(|| clean(c))
            })
            .collect()
    }

    // ----- view -----

    /// A multi-select's chosen items in at most `MULTI_ROWS` rows of `w` cells, "+N" for
    /// those that do not fit (issue 16: only the first item was shown).
    fn multi_lines(&self, lang: Lang, key: &str, codes: &[String], w: usize) -> Vec<String> {
        let items = self.item_texts(lang, key, codes);
        let mut lines: Vec<String> = Vec::new();
        for (k, item) in items.iter().enumerate() {
            let sep = if k + 1 < items.len() { ";" } else { "" };
            let piece = format!("{item}{sep}");
            match lines.last_mut() {
                Some(l) if super::width(l) + 1 + super::width(&piece) <= w => {
                    l.push(' ');
                    l.push_str(&piece);
                }
                _ => {
                    if lines.len() == MULTI_ROWS {
                        let more = format!(" +{}", items.len() - k);
                        let last = lines.last_mut().map(std::mem::take).unwrap_or_default();
                        let room = w.saturating_sub(super::width(&more));
                        let head = fit(last.trim_end_matches(';'), room);
                        if let Some(l) = lines.last_mut() {
                            *l = format!("{head}{more}");
                        }
                        return lines;
                    }
                    lines.push(fit(&piece, w));
                }
            }
        }
        lines
    }

    fn layout(&self, env: &Env, value_w: usize, stacked: bool) -> Vec<FieldRows> {
        let lang = env.lang;
        let label_w = if stacked { value_w } else { M::LABEL_WIDTH };
        self.specs
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let label_lines = match s.label {
                    None => Vec::new(),
                    Some(key) => {
                        let mut label = tr(lang, key).to_string();
                        if s.required {
                            label.push_str(" *");
                        }
                        label_lines(&label, label_w)
                    }
                };
                let value_rows = match (&self.editors[i], s.kind) {
                    (Editor::Notes(n), FieldKind::MultiLine(rows)) => {
                        let r = n.row_count(value_w.saturating_sub(1).max(1));
                        if i == self.focus {
                            r.clamp(rows.focused.0, rows.focused.1)
                        } else {
                            r.clamp(1, rows.idle)
                        }
                    }
                    (Editor::Codes(c), FieldKind::MultiSelect { .. }) if !c.is_empty() => {
                        self.multi_lines(lang, s.key, c, value_w).len().max(1)
                    }
                    _ => 1,
                };
                let mut messages = Vec::new();
                for (sev, text) in self.messages(s.key, lang) {
                    let (key, style) = match sev {
                        Severity::Error => ("ui.form.error", error_style(env.theme)),
                        Severity::Warning => ("ui.form.warning", warning_style(env.theme)),
                    };
                    for line in wrap(&trf(lang, key, &[&text]), value_w) {
                        messages.push((style, line));
                    }
                }
                let above = if stacked { label_lines.len() } else { 0 };
                FieldRows {
                    label_lines,
                    above,
                    value_rows,
                    messages,
                }
            })
            .collect()
    }

    /// Draw into `area`. `focused` is false when an overlay is on top (no cursor then).
    pub fn render(&self, frame: &mut Frame, area: Rect, env: &Env, focused: bool) {
        let lang = env.lang;
        let theme = env.theme;
        let position = trf(
            lang,
            "ui.form.position",
            &[&(self.focus + 1), &self.specs.len()],
        );
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border)
            .title(format!(
                " {} ",
                fit(
                    &self.model.title(lang),
                    (area.width as usize).saturating_sub(4)
                )
            ))
            .title_style(theme.title)
            .title_bottom(Line::from(format!(" {position} ")).right_aligned());
        let inner = block.inner(area);
        block.render(area, frame.buffer_mut());
        if inner.height < 3 || inner.width < 12 {
            return;
        }
        // Beside: "› label   value"; stacked (narrow): the label above its value.
        let label_w = M::LABEL_WIDTH as u16;
        let stacked = (inner.width as usize) < M::LABEL_WIDTH + 3 + 1 + MIN_VALUE_W;
        let value_x: u16 = if stacked { 2 } else { 2 + label_w + 1 };
        let value_w = (inner.width - value_x - 1) as usize;
        let mut top = inner.y;
        let mut height = inner.height as usize;
        // Fixed lines: the model's header, then any banner.
        for (label, text, style) in self.model.header(lang, theme, &self.issues, value_w) {
            if height <= 2 {
                break;
            }
            let buf = frame.buffer_mut();
            if stacked {
                let t = if label.is_empty() {
                    text
                } else {
                    format!("{label}: {text}")
                };
                buf.set_stringn(inner.x + 2, top, fit(&t, value_w), value_w, style);
            } else {
                let lw = M::LABEL_WIDTH;
                buf.set_stringn(inner.x + 2, top, fit(&label, lw), lw, theme.dim);
                buf.set_stringn(inner.x + value_x, top, fit(&text, value_w), value_w, style);
            }
            top += 1;
            height -= 1;
        }
        if let Some(b) = &self.banner {
            let style = error_style(theme);
            let w = inner.width as usize - 2;
            let mut lines = wrap(&clean(b), w);
            lines.truncate(3.min(height.saturating_sub(2)));
            for line in &lines {
                frame
                    .buffer_mut()
                    .set_stringn(inner.x + 1, top, line, w, style);
                top += 1;
                height -= 1;
            }
        }
        let rows = self.layout(env, value_w, stacked);
        // Scroll so the focused field (with its messages) is in view.
        let starts: Vec<usize> = rows
            .iter()
            .scan(0usize, |acc, r| {
                let s = *acc;
                *acc += r.height();
                Some(s)
            })
            .collect();
        let total: usize = rows.iter().map(FieldRows::height).sum();
        let f_top = starts.get(self.focus).copied().unwrap_or(0);
        let f_h = rows.get(self.focus).map_or(1, FieldRows::height);
        let mut scroll = self.scroll.get().min(total.saturating_sub(height));
        if f_top < scroll {
            scroll = f_top;
        } else if f_top + f_h > scroll + height {
            scroll = (f_top + f_h).saturating_sub(height).min(f_top);
        }
        self.scroll.set(scroll);

        let mut cursor: Option<Position> = None;
        for (i, (s, r)) in self.specs.iter().zip(&rows).enumerate() {
            let start = starts[i];
            if start + r.height() <= scroll || start >= scroll + height {
                continue;
            }
            let is_focus = i == self.focus;
            let row_y = |k: usize| -> Option<u16> {
                let abs = start + k;
                (abs >= scroll && abs < scroll + height).then(|| top + (abs - scroll) as u16)
            };
            let buf = frame.buffer_mut();
            if is_focus {
                if let Some(y) = row_y(0) {
                    buf.set_stringn(inner.x, y, "›", 1, theme.title);
                }
            }
            let label_style = if is_focus { theme.selected } else { theme.base };
            let lw = if stacked { value_w } else { M::LABEL_WIDTH };
            for (k, line) in r.label_lines.iter().enumerate() {
                if let Some(y) = row_y(k) {
                    buf.set_stringn(inner.x + 2, y, line, lw, label_style);
                }
            }
            let vx = inner.x + value_x;
            let vw = value_w as u16;
            let v0 = r.above;
            match (&self.editors[i], s.kind) {
                (Editor::Text(t), FieldKind::Fixed { note }) => {
                    if let Some(y) = row_y(v0) {
                        let text = trf(lang, note, &[&clean(t.value())]);
                        buf.set_stringn(vx, y, fit(&text, value_w), value_w, theme.dim);
                    }
                }
                (Editor::Text(t), kind) => {
                    if let Some(y) = row_y(v0) {
                        let rect = Rect::new(vx, y, vw, 1);
                        if is_focus {
                            t.render_text(buf, rect, theme.input);
                            cursor = Some(t.cursor_position(rect));
                        } else {
                            // A field left shows its start, not where the cursor was.
                            let shown = match (kind, parse_vnd(t.value())) {
                                (FieldKind::Money, Ok(Some(v))) => format_vnd(v),
                                _ => clean(t.value()),
                            };
                            buf.set_style(rect, theme.input);
                            buf.set_stringn(vx, y, fit(&shown, value_w), value_w, theme.input);
                        }
                    }
                }
                (Editor::Notes(n), _) => {
                    // Drawn whole or not at all (it scrolls inside itself).
                    if let (Some(y0), Some(_)) = (row_y(v0), row_y(v0 + r.value_rows - 1)) {
                        let rect = Rect::new(vx, y0, vw, r.value_rows as u16);
                        if is_focus {
                            cursor = Some(n.render_text(buf, rect, theme.input));
                        } else {
                            n.render_idle(buf, rect, theme.input);
                        }
                    }
                }
                (Editor::Codes(c), kind) => {
                    let hint = match kind {
                        FieldKind::Picker { hint, .. } | FieldKind::MultiSelect { hint, .. } => {
                            hint
                        }
                        _ => "ui.form.choose_hint",
                    };
                    let lines: Vec<String> = match kind {
                        FieldKind::MultiSelect { .. } => self.multi_lines(lang, s.key, c, value_w),
                        _ => {
                            let code = c.first().map_or("", String::as_str);
                            self.model
                                .choice_text(lang, s.key, code)
                                .map(|t| vec![fit(&t, value_w)])
                                .unwrap_or_default()
                        }
                    };
                    if lines.is_empty() {
                        if let Some(y) = row_y(v0) {
                            let text = if is_focus {
                                let keys = env.keymap.keys_for(Action::Open, Context::Form);
                                trf(lang, hint, &[&keys])
                            } else {
                                "—".to_string()
                            };
                            buf.set_stringn(vx, y, fit(&text, value_w), value_w, theme.dim);
                        }
                    }
                    for (k, line) in lines.iter().enumerate() {
                        if let Some(y) = row_y(v0 + k) {
                            buf.set_stringn(vx, y, line, value_w, theme.base);
                        }
                    }
                }
                (Editor::Flag(on), kind) => {
                    if let Some(y) = row_y(v0) {
                        let mark = if *on { "[x]" } else { "[ ]" };
                        let style = if is_focus { theme.selected } else { theme.base };
                        buf.set_stringn(vx, y, mark, 3, style);
                        if let FieldKind::Flag { text } = kind {
                            let w = value_w.saturating_sub(4);
                            buf.set_stringn(vx + 4, y, fit(tr(lang, text), w), w, theme.base);
                        }
                    }
                }
            }
            for (k, (style, line)) in r.messages.iter().enumerate() {
                if let Some(y) = row_y(v0 + r.value_rows + k) {
                    buf.set_stringn(vx, y, line, value_w, *style);
                }
            }
        }
        if let Some(c) = &self.conflict {
            c.render(frame, area, theme, lang, env.keymap);
        } else if self.model.render_dialog(frame, area, env) {
            // The model's dialog has the keys.
        } else if focused {
            if let Some(pos) = cursor {
                frame.set_cursor_position(pos);
            }
        }
    }
}

/// A label in at most two lines of `width` cells. A word left alone on the second line takes
/// the previous one with it ("Cấp sản phẩm CNNT / tiêu biểu", not "… tiêu / biểu").
fn label_lines(label: &str, width: usize) -> Vec<String> {
    let mut lines = wrap(label, width);
    if lines.len() == 2 && !lines[1].contains(' ') {
        if let Some((head, last)) = lines[0].rsplit_once(' ') {
            let second = format!("{last} {}", lines[1]);
            if super::width(&second) <= width && head.contains(' ') {
                lines = vec![head.to_string(), second];
            }
        }
    }
    if lines.len() > 2 {
        let rest = lines[1..].join(" ");
        lines = vec![lines[0].clone(), fit(&rest, width)];
    }
    lines
}

/// The methods every form screen has, handed to its `form` field (a screen is a `Form` plus
/// what is its own: constructors and inspection by domain field). `$record` is the model's
/// record type.
macro_rules! form_screen_methods {
    ($record:ty) => {
        pub fn banner(&self) -> Option<&str> {
            self.form.banner()
        }

        pub fn title(&self, lang: $crate::words::Lang) -> String {
            $crate::ui::widgets::form::FormModel::title(&self.form.model, lang)
        }

        pub fn contexts(&self) -> &'static [$crate::ui::keymap::Context] {
            self.form.contexts()
        }

        pub fn handles(&self, action: $crate::ui::keymap::Action) -> bool {
            self.form.handles(action)
        }

        pub fn has_unsaved_changes(&self) -> bool {
            self.form.has_unsaved_changes()
        }

        /// The conflict dialog, if it is open (tests).
        pub fn conflict(&self) -> Option<&$crate::ui::widgets::ConflictDialog<$record>> {
            self.form.conflict()
        }

        pub fn handle_text_key(&mut self, key: &ratatui::crossterm::event::KeyEvent) -> bool {
            self.form.handle_text_key(key)
        }

        pub fn handle_paste(&mut self, text: &str) -> bool {
            self.form.handle_paste(text)
        }

        pub fn handle_action(
            &mut self,
            action: $crate::ui::keymap::Action,
            env: &$crate::ui::screens::Env,
            store: &mut $crate::store::Store,
        ) -> $crate::ui::screens::ScreenCmd {
            self.form.handle_action(action, env, store)
        }

        pub fn on_pick(
            &mut self,
            purpose: $crate::ui::screens::PickPurpose,
            code: &str,
            _env: &$crate::ui::screens::Env,
            store: &mut $crate::store::Store,
        ) -> $crate::ui::screens::ScreenCmd {
            self.form.on_pick(purpose, code, store)
        }

        /// A Yes to "drop what you typed and take the stored version?" (a conflict's reload).
        pub fn on_confirm(
            &mut self,
            action: $crate::ui::keymap::Action,
            env: &$crate::ui::screens::Env,
            store: &mut $crate::store::Store,
        ) -> $crate::ui::screens::ScreenCmd {
            self.form.on_confirm(action, env, store)
        }

        pub fn on_data_changed(
            &mut self,
            _store: &mut $crate::store::Store,
        ) -> $crate::ui::screens::ScreenCmd {
            $crate::ui::screens::ScreenCmd::None
        }

        /// Draw into `area`. `focused` is false when an overlay is on top (no cursor then).
        pub fn render(
            &self,
            frame: &mut ratatui::Frame,
            area: ratatui::layout::Rect,
            env: &$crate::ui::screens::Env,
            focused: bool,
        ) {
            self.form.render(frame, area, env, focused);
        }
    };
}
pub(crate) use form_screen_methods;

/// `impl Screen` for a form screen: every method hands over to the screen's own (those of
/// [`form_screen_methods`]); what the user types is never reloaded under them.
macro_rules! form_screen_impl {
    ($ty:ty) => {
        impl $crate::ui::screens::Screen for $ty {
            fn title(&self, lang: $crate::words::Lang) -> String {
                <$ty>::title(self, lang)
            }

            fn contexts(&self) -> &'static [$crate::ui::keymap::Context] {
                <$ty>::contexts(self)
            }

            fn handles(&self, action: $crate::ui::keymap::Action) -> bool {
                <$ty>::handles(self, action)
            }

            fn handle_action(
                &mut self,
                action: $crate::ui::keymap::Action,
                env: &$crate::ui::screens::Env,
                store: &mut $crate::store::Store,
            ) -> $crate::ui::screens::ScreenCmd {
                <$ty>::handle_action(self, action, env, store)
            }

            fn render(
                &self,
                frame: &mut ratatui::Frame,
                area: ratatui::layout::Rect,
                env: &$crate::ui::screens::Env,
                focused: bool,
            ) {
                <$ty>::render(self, frame, area, env, focused)
            }

            fn handle_text_key(&mut self, key: &ratatui::crossterm::event::KeyEvent) -> bool {
                <$ty>::handle_text_key(self, key)
            }

            fn handle_paste(&mut self, text: &str) -> bool {
                <$ty>::handle_paste(self, text)
            }

            fn on_pick(
                &mut self,
                purpose: $crate::ui::screens::PickPurpose,
                code: &str,
                env: &$crate::ui::screens::Env,
                store: &mut $crate::store::Store,
            ) -> $crate::ui::screens::ScreenCmd {
                <$ty>::on_pick(self, purpose, code, env, store)
            }

            fn on_confirm(
                &mut self,
                action: $crate::ui::keymap::Action,
                env: &$crate::ui::screens::Env,
                store: &mut $crate::store::Store,
            ) -> $crate::ui::screens::ScreenCmd {
                <$ty>::on_confirm(self, action, env, store)
            }

            fn on_data_changed(
                &mut self,
                store: &mut $crate::store::Store,
            ) -> $crate::ui::screens::ScreenCmd {
                <$ty>::on_data_changed(self, store)
            }

            fn follows_outside_changes(&self) -> bool {
                false
            }

            fn has_unsaved_changes(&self) -> bool {
                <$ty>::has_unsaved_changes(self)
            }
        }
    };
}
pub(crate) use form_screen_impl;
