//! The facility form: create a facility or edit one, every field of
//! [`FacilityField::ALL`] in order.
//!
//! Keys (all from the keymap, `Context::Form`): Tab/↓ and Shift+Tab/↑ move between fields,
//! Enter opens the fuzzy picker on a choice field (commune, entity type, trade group, typical
//! level, status), toggles a flag and moves on from a text field; Space also toggles a flag;
//! Ctrl+S (F2) saves; Esc leaves, asking first when something was changed. Text fields follow
//! the input-method rules of [`TextField`] (Ctrl+H is backspace, the real cursor sits at the
//! insertion point, paste is NFC); the notes field is multi-line ([`NoteField`]): Enter is a
//! new line there, ↑/↓ leave it from its first/last row.
//!
//! Validation is the core's [`validate`]: it runs when a field is left and on save, and each
//! field shows its own messages under its value (errors in red, warnings such as the tax
//! check digit's "có thể gõ nhầm" in yellow) once the field has been visited. A save with
//! errors saves nothing and focuses the first invalid field.
//!
//! Saving a new facility first asks the store for duplicate suspects; if there are any, a
//! dialog (in the screen, keys from `Context::Confirm`) lists them with their reasons and
//! offers: open a suspect instead (pushed on top, so the typed form is still there after
//! Esc), save anyway, or back to the form. An edit saves with the version it was opened at;
//! a conflict (someone else saved in between) opens [`ConflictDialog`] over the form: the
//! stored value beside the typed one for each field that differs, who saved it and when, and
//! three ways on (back to editing, overwrite knowingly with the new version, reload after a
//! yes/no). Any other store error is shown at the top of the form. The form keeps everything
//! typed either way.

use std::cell::Cell;

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::layout::{Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Widget};
use ratatui::Frame;
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

use super::{DetailScreen, Env, PickPurpose, Screen, ScreenCmd};
use crate::domain::dup::{DupReason, Suspect};
use crate::domain::facility::{
    format_phone, parse_flag, validate, Facility, FacilityField, FacilityInput, FacilityStatus,
    TYPICAL_LEVELS,
};
use crate::domain::issue::{Issues, Severity};
use crate::refdata::{codes, units, CodeList, ProvinceKind};
use crate::store::Store;
use crate::ui::i18n::{tr, trf, Lang};
use crate::ui::keymap::{Action, Context};
use crate::ui::theme::{Theme, ThemeName};
use crate::ui::widgets::bars::wrap;
use crate::ui::widgets::{
    clean, fit, popup_area, ConflictChoice, ConflictDialog, ConflictRow, PickItem, TextField,
};

/// The action a conflict's "reload?" question hands back to `on_confirm`.
pub const RELOAD_TAG: Action = Action::Save;

/// Width of the label column, in cells.
const LABEL_W: usize = 22;
/// Cells before the value column: focus marker, space, label, space.
const VALUE_X: u16 = 2 + LABEL_W as u16 + 1;
/// Most characters a one-line field takes (the core's own limit is checked on save).
const MAX_SHORT: usize = 300;
const MAX_NAME: usize = 200;
const MAX_NUMBER: usize = 20;
const MAX_NOTES: usize = 4000;
/// Rows the notes field shows at most (it scrolls inside).
const NOTES_ROWS: usize = 5;

// ------------------------------------------------------------------------------------------
// Shared labels (the setup screen uses them too)

/// "TP Hồ Chí Minh", "Cao Bằng": a 2025 province, short.
pub fn province_short(lang: Lang, code: &str) -> String {
    match units().province(code) {
        Some(p) if p.kind == ProvinceKind::ThanhPho => trf(lang, "ui.unit.city", &[&p.name]),
        Some(p) => p.name.clone(),
        None => clean(code),
    }
}

/// "Phường Tân Bình (27004) — TP Hồ Chí Minh"; the code itself when it is unknown.
pub fn commune_label(lang: Lang, code: &str) -> String {
    match units().commune(code) {
        Some(c) => format!(
            "{} ({}) — {}",
            c.full_name,
            c.code,
            province_short(lang, &c.province_code)
        ),
        None => clean(code),
    }
}

/// Picker items for communes, sorted the Vietnamese way by name.
pub fn commune_items<'a>(lang: Lang, codes: impl IntoIterator<Item = &'a str>) -> Vec<PickItem> {
    let u = units();
    let mut list: Vec<&crate::refdata::Commune> =
        codes.into_iter().filter_map(|c| u.commune(c)).collect();
    list.sort_by(|a, b| crate::text::vn_cmp(&a.name, &b.name).then_with(|| a.code.cmp(&b.code)));
    list.into_iter()
        .map(|c| PickItem::new(c.code.clone(), commune_label(lang, &c.code)))
        .collect()
}

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

fn code_list_label(lang: Lang, list: &CodeList, code: &str) -> String {
    match list.get(code) {
        Some(i) => {
            let label = match lang {
                Lang::Vi => &i.label_vi,
                Lang::En => &i.label_en,
            };
            format!("{label} ({})", i.code)
        }
        None => clean(code),
    }
}

/// The form's text for a status: "" for active (as `FacilityInput::from_data` writes it).
fn status_value(s: FacilityStatus) -> String {
    match s {
        FacilityStatus::Active => String::new(),
        other => other.as_str().to_string(),
    }
}

/// One duplicate suspect in words (same wording as the command line's).
pub fn suspect_text(lang: Lang, s: &Suspect) -> String {
    let reasons: Vec<String> = s
        .reasons
        .iter()
        .map(|r| match r {
            DupReason::SameTaxCode { tax_code } => trf(lang, "dup.same_tax", &[tax_code]),
            DupReason::SamePhone { phone } => trf(lang, "dup.same_phone", &[&format_phone(phone)]),
            DupReason::SimilarName { similarity } => trf(lang, "dup.similar_name", &[similarity]),
        })
        .collect();
    let short_id = &s.id[s.id.len().saturating_sub(8)..];
    clean(&trf(
        lang,
        "dup.suspect",
        &[
            &s.name,
            &commune_label(lang, &s.commune_code),
            &reasons.join(", "),
            &short_id,
        ],
    ))
}

// ------------------------------------------------------------------------------------------
// Multi-line notes

/// A multi-line text field: Enter is a new line; Backspace, Ctrl+H (an input method's 0x08)
/// and 0x7F delete one grapheme; ←/→ move by grapheme; ↑/↓ move by screen row and report
/// "not used" at the first/last row so the form can move to another field. Long lines wrap
/// at word boundaries. Text is kept in NFC; pasted line breaks are kept.
#[derive(Debug, Clone, Default)]
pub struct NoteField {
    text: String,
    /// Byte offset, always on a grapheme boundary.
    cursor: usize,
    max_chars: usize,
    /// Wrap width of the last draw, for ↑/↓ (view state, like a list's scroll offset).
    width: Cell<usize>,
}

impl NoteField {
    pub fn with_value(value: &str) -> NoteField {
        let mut f = NoteField {
            max_chars: MAX_NOTES,
            width: Cell::new(40),
            ..NoteField::default()
        };
        f.text = normalize_notes(value);
        f.cursor = f.text.len();
        f
    }

    pub fn value(&self) -> &str {
        &self.text
    }

    /// (row, column) of the cursor on screen when wrapped to `width` cells.
    pub fn cursor_row_col(&self, width: usize) -> (usize, usize) {
        let rows = self.rows(width);
        let r = rows
            .iter()
            .rposition(|&(s, _)| s <= self.cursor)
            .unwrap_or(0);
        let start = rows.get(r).map_or(0, |&(s, _)| s);
        let col = self.text.get(start..self.cursor).map_or(0, |t| t.width());
        (r, col)
    }

    /// Number of screen rows at `width`.
    pub fn row_count(&self, width: usize) -> usize {
        self.rows(width).len()
    }

    pub fn handle_key(&mut self, key: &KeyEvent) -> bool {
        if key.kind == KeyEventKind::Release {
            return false;
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        match key.code {
            KeyCode::Enter => self.insert_char('\n'),
            KeyCode::Backspace if ctrl || alt => self.delete_prev_word(),
            KeyCode::Backspace => self.delete_prev(),
            KeyCode::Char('h') if ctrl && !alt => self.delete_prev(),
            KeyCode::Char('\u{8}') | KeyCode::Char('\u{7f}') => self.delete_prev(),
            KeyCode::Delete => self.delete_next(),
            KeyCode::Left => self.cursor = self.prev_boundary(),
            KeyCode::Right => self.cursor = self.next_boundary(),
            KeyCode::Home => self.cursor = self.line_start(),
            KeyCode::End => self.cursor = self.line_end(),
            KeyCode::Up => return self.move_row(false),
            KeyCode::Down => return self.move_row(true),
            KeyCode::Char(c) if ctrl && !alt => match c.to_ascii_lowercase() {
                'a' => self.cursor = self.line_start(),
                'e' => self.cursor = self.line_end(),
                'b' => self.cursor = self.prev_boundary(),
                'f' => self.cursor = self.next_boundary(),
                'w' => self.delete_prev_word(),
                'u' => {
                    let s = self.line_start();
                    self.text.replace_range(s..self.cursor, "");
                    self.cursor = s;
                }
                'k' => {
                    let e = self.line_end();
                    self.text.replace_range(self.cursor..e, "");
                }
                'd' => self.delete_next(),
                _ => return false,
            },
            // Ctrl+Alt+char is AltGr on Windows keyboards: text.
            KeyCode::Char(c) if !alt || ctrl => {
                if c.is_control() {
                    return false;
                }
                self.insert_char(c);
            }
            _ => return false,
        }
        true
    }

    /// Pasted text: NFC, line breaks kept (CRLF → LF), tabs → space, other controls dropped.
    pub fn insert_str(&mut self, text: &str) {
        for c in normalize_notes(text).chars() {
            self.insert_char(c);
        }
    }

    fn insert_char(&mut self, c: char) {
        if self.max_chars > 0 && self.text.chars().count() >= self.max_chars {
            return;
        }
        self.text.insert(self.cursor, c);
        self.cursor += c.len_utf8();
        if !c.is_ascii() {
            // A combining mark typed after its letter: keep the text in NFC.
            let before = crate::text::nfc(&self.text[..self.cursor]);
            let after = crate::text::nfc(&self.text[self.cursor..]);
            self.cursor = before.len();
            self.text = before + &after;
        }
    }

    fn prev_boundary(&self) -> usize {
        self.text[..self.cursor]
            .grapheme_indices(true)
            .next_back()
            .map_or(0, |(i, _)| i)
    }

    fn next_boundary(&self) -> usize {
        self.text[self.cursor..]
            .graphemes(true)
            .next()
            .map_or(self.cursor, |g| self.cursor + g.len())
    }

    fn line_start(&self) -> usize {
        self.text[..self.cursor].rfind('\n').map_or(0, |i| i + 1)
    }

    fn line_end(&self) -> usize {
        self.text[self.cursor..]
            .find('\n')
            .map_or(self.text.len(), |i| self.cursor + i)
    }

    fn delete_prev(&mut self) {
        let p = self.prev_boundary();
        self.text.replace_range(p..self.cursor, "");
        self.cursor = p;
    }

    fn delete_next(&mut self) {
        let n = self.next_boundary();
        self.text.replace_range(self.cursor..n, "");
    }

    fn delete_prev_word(&mut self) {
        let before = &self.text[..self.cursor];
        let trimmed = before.trim_end_matches(' ');
        let start = trimmed
            .rfind([' ', '\n'])
            .map_or(0, |i| i + 1)
            .min(trimmed.len());
        // At the start of a line, join it with the previous one.
        let start = if start == self.cursor {
            self.prev_boundary()
        } else {
            start
        };
        self.text.replace_range(start..self.cursor, "");
        self.cursor = start;
    }

    fn move_row(&mut self, down: bool) -> bool {
        let width = self.width.get().max(1);
        let rows = self.rows(width);
        let (r, col) = self.cursor_row_col(width);
        let target = if down {
            if r + 1 >= rows.len() {
                return false;
            }
            r + 1
        } else {
            if r == 0 {
                return false;
            }
            r - 1
        };
        let (start, end) = rows[target];
        let mut pos = start;
        let mut used = 0;
        for (i, g) in self.text[start..end].grapheme_indices(true) {
            let w = g.width();
            if used + w > col {
                break;
            }
            used += w;
            pos = start + i + g.len();
        }
        // The end of a soft-wrapped row is drawn at the start of the next one: stay before it.
        let soft = rows.get(target + 1).is_some_and(|&(s, _)| s == end);
        if soft && pos == end && pos > start {
            pos = self.text[start..end]
                .grapheme_indices(true)
                .next_back()
                .map_or(start, |(i, _)| start + i);
        }
        self.cursor = pos;
        true
    }

    /// Byte ranges of the screen rows at `width` cells (line breaks excluded).
    fn rows(&self, width: usize) -> Vec<(usize, usize)> {
        let width = width.max(1);
        let mut rows = Vec::new();
        let mut offset = 0;
        for line in self.text.split('\n') {
            let mut row_start = 0;
            let mut used = 0;
            let mut last_break: Option<usize> = None;
            for (i, g) in line.grapheme_indices(true) {
                let w = g.width();
                while used + w > width && i > row_start {
                    let cut = match last_break {
                        Some(b) if b > row_start && b <= i => b,
                        _ => i,
                    };
                    rows.push((offset + row_start, offset + cut));
                    row_start = cut;
                    used = line[row_start..i].width();
                    last_break = None;
                }
                used += w;
                if g == " " {
                    last_break = Some(i + g.len());
                }
            }
            rows.push((offset + row_start, offset + line.len()));
            offset += line.len() + 1;
        }
        rows
    }

    /// Draw into `area` (as many rows as it has), scrolled to the cursor; returns where the
    /// terminal cursor belongs.
    pub fn render_text(&self, buf: &mut Buffer, area: Rect, style: Style) -> Position {
        let width = (area.width as usize).saturating_sub(1).max(1);
        self.width.set(width);
        buf.set_style(area, style);
        let rows = self.rows(width);
        let (r, col) = self.cursor_row_col(width);
        let height = (area.height as usize).max(1);
        let top = (r + 1).saturating_sub(height);
        for (i, &(s, e)) in rows.iter().skip(top).take(height).enumerate() {
            let line = clean(&self.text[s..e]);
            buf.set_stringn(area.x, area.y + i as u16, line, area.width as usize, style);
        }
        Position::new(
            area.x + col.min(width) as u16,
            area.y + (r - top).min(height - 1) as u16,
        )
    }
}

fn normalize_notes(s: &str) -> String {
    let s = s.replace("\r\n", "\n").replace('\r', "\n");
    let s: String = s
        .chars()
        .filter_map(|c| match c {
            '\n' => Some('\n'),
            '\t' => Some(' '),
            c if crate::text::is_control_char(c) => None,
            c => Some(c),
        })
        .collect();
    crate::text::nfc(&s)
}

// ------------------------------------------------------------------------------------------
// The form

/// How a field is edited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    Notes,
    /// Chosen in a picker; the value is a code.
    Choice,
    /// A yes/no box.
    Flag,
}

pub fn field_kind(f: FacilityField) -> FieldKind {
    match f {
        FacilityField::Notes => FieldKind::Notes,
        FacilityField::CommuneCode
        | FacilityField::EntityType
        | FacilityField::TradeGroup
        | FacilityField::TypicalLevel
        | FacilityField::Status => FieldKind::Choice,
        f if f.is_flag() => FieldKind::Flag,
        _ => FieldKind::Text,
    }
}

/// A label in at most two lines of `width` cells. A word left alone on the second line takes
/// the previous one with it ("Cấp sản phẩm CNNT / tiêu biểu", not "… tiêu / biểu").
fn label_lines(label: &str, width: usize) -> Vec<String> {
    let mut lines = wrap(label, width);
    if lines.len() == 2 && !lines[1].contains(' ') {
        if let Some((head, last)) = lines[0].rsplit_once(' ') {
            let second = format!("{last} {}", lines[1]);
            if crate::ui::widgets::width(&second) <= width && head.contains(' ') {
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

/// Fields that must be filled (marked with `*`).
fn is_required(f: FacilityField) -> bool {
    matches!(f, FacilityField::Name | FacilityField::CommuneCode)
}

fn pick_purpose(f: FacilityField) -> Option<PickPurpose> {
    Some(match f {
        FacilityField::CommuneCode => PickPurpose::Commune,
        FacilityField::EntityType => PickPurpose::EntityType,
        FacilityField::TradeGroup => PickPurpose::TradeGroup,
        FacilityField::TypicalLevel => PickPurpose::TypicalLevel,
        FacilityField::Status => PickPurpose::Status,
        _ => return None,
    })
}

fn purpose_field(p: PickPurpose) -> Option<FacilityField> {
    Some(match p {
        PickPurpose::Commune => FacilityField::CommuneCode,
        PickPurpose::EntityType => FacilityField::EntityType,
        PickPurpose::TradeGroup => FacilityField::TradeGroup,
        PickPurpose::TypicalLevel => FacilityField::TypicalLevel,
        PickPurpose::Status => FacilityField::Status,
        _ => return None,
    })
}

#[derive(Debug, Clone)]
enum Editor {
    Text(TextField),
    Notes(NoteField),
    Choice(String),
    Flag(bool),
}

impl Editor {
    fn new(f: FacilityField, value: &str) -> Editor {
        // Notes keep their line breaks (`NoteField` drops the other control characters);
        // everything else is one line, made safe to draw.
        let kind = field_kind(f);
        if kind == FieldKind::Notes {
            return Editor::Notes(NoteField::with_value(value));
        }
        let value = crate::text::sanitize(value);
        match kind {
            FieldKind::Notes => Editor::Notes(NoteField::with_value(&value)),
            FieldKind::Choice => Editor::Choice(value.trim().to_string()),
            FieldKind::Flag => Editor::Flag(parse_flag(&value).unwrap_or(false)),
            FieldKind::Text => {
                let max = match f {
                    FacilityField::Name => MAX_NAME,
                    FacilityField::Workers
                    | FacilityField::FoundedYear
                    | FacilityField::OcopStars
                    | FacilityField::OcopYear
                    | FacilityField::TypicalYear
                    | FacilityField::Phone
                    | FacilityField::TaxCode => MAX_NUMBER,
                    _ => MAX_SHORT,
                };
                Editor::Text(TextField::with_value(&value).with_max_chars(max))
            }
        }
    }

    fn value(&self) -> String {
        match self {
            Editor::Text(t) => t.value().to_string(),
            Editor::Notes(n) => n.value().to_string(),
            Editor::Choice(c) => c.clone(),
            Editor::Flag(true) => "1".to_string(),
            Editor::Flag(false) => String::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Mode {
    Create,
    Edit {
        id: String,
        version: i64,
        name: String,
    },
}

/// The duplicate-suspects dialog over a new facility's form.
#[derive(Debug, Clone)]
struct DupDialog {
    suspects: Vec<Suspect>,
    /// 0..n: a suspect; n: save anyway; n + 1: back to the form.
    focus: usize,
}

impl DupDialog {
    fn choices(&self) -> usize {
        self.suspects.len() + 2
    }
    fn save_index(&self) -> usize {
        self.suspects.len()
    }
}

#[derive(Debug)]
pub struct FormScreen {
    mode: Mode,
    editors: Vec<Editor>,
    initial: FacilityInput,
    focus: usize,
    /// Fields whose messages are shown (visited, or everything after a save attempt).
    touched: Vec<bool>,
    /// The last validation's findings, all fields.
    issues: Issues,
    /// Why the last save failed (a store error such as a conflict), shown at the top.
    banner: Option<String>,
    dup: Option<DupDialog>,
    /// Someone else saved the record since it was opened: theirs beside ours.
    conflict: Option<ConflictDialog<Facility>>,
    saved: bool,
    /// First row of the field list in view (remembered from the last draw).
    scroll: Cell<usize>,
}

impl FormScreen {
    fn from_input(mode: Mode, input: &FacilityInput) -> FormScreen {
        let editors: Vec<Editor> = FacilityField::ALL
            .iter()
            .map(|&f| Editor::new(f, input.get(f)))
            .collect();
        let mut form = FormScreen {
            mode,
            editors,
            initial: FacilityInput::default(),
            focus: 0,
            touched: vec![false; FacilityField::ALL.len()],
            issues: Issues::default(),
            banner: None,
            dup: None,
            conflict: None,
            saved: false,
            scroll: Cell::new(0),
        };
        form.initial = form.input();
        form
    }

    /// A blank form for a new facility. The commune is filled in when the collaborator has
    /// exactly one.
    pub fn new_create(env: &Env, store: &Store) -> FormScreen {
        let _ = env;
        let mut input = FacilityInput::default();
        if let Some(p) = store.profile() {
            if let [only] = p.communes().as_slice() {
                input.commune_code = only.clone();
            }
        }
        FormScreen::from_input(Mode::Create, &input)
    }

    /// A form over a stored facility; saving checks that nobody changed it since
    /// (`facility.meta.version`).
    pub fn edit(facility: Facility, env: &Env) -> FormScreen {
        let _ = env;
        let input = FacilityInput::from_data(&facility.data);
        FormScreen::from_input(
            Mode::Edit {
                id: facility.id,
                version: facility.meta.version,
                name: facility.data.name,
            },
            &input,
        )
    }

    // ----- inspection -----

    /// Everything as typed, one text per field.
    pub fn input(&self) -> FacilityInput {
        let mut input = FacilityInput::default();
        for (f, e) in FacilityField::ALL.iter().zip(&self.editors) {
            input.set(*f, e.value());
        }
        input
    }

    pub fn value(&self, field: FacilityField) -> String {
        self.index_of(field)
            .and_then(|i| self.editors.get(i))
            .map(Editor::value)
            .unwrap_or_default()
    }

    pub fn focused_field(&self) -> FacilityField {
        FacilityField::ALL[self.focus.min(FacilityField::ALL.len() - 1)]
    }

    pub fn is_edit(&self) -> bool {
        matches!(self.mode, Mode::Edit { .. })
    }

    /// The messages shown beside `field` right now: (severity, text).
    pub fn messages(&self, field: FacilityField, lang: Lang) -> Vec<(Severity, String)> {
        match self.index_of(field) {
            Some(i) if self.touched[i] => self
                .issues
                .for_field(field.key())
                .map(|i| (i.severity, crate::import::problem_text(lang, &i.problem)))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The message at the top of the form (a store error), if any.
    pub fn banner(&self) -> Option<&str> {
        self.banner.as_deref()
    }

    /// The duplicate suspects being shown, if the dialog is open.
    pub fn duplicate_suspects(&self) -> Option<&[Suspect]> {
        self.dup.as_ref().map(|d| d.suspects.as_slice())
    }

    pub fn title(&self, lang: Lang) -> String {
        match &self.mode {
            Mode::Create => tr(lang, "ui.form.title_new").to_string(),
            Mode::Edit { name, .. } => trf(lang, "ui.form.title_edit", &[&clean(name)]),
        }
    }

    pub fn contexts(&self) -> &'static [Context] {
        if self.dup.is_some() || self.conflict.is_some() {
            &[Context::Confirm]
        } else {
            &[Context::Form]
        }
    }

    pub fn handles(&self, action: Action) -> bool {
        if self.conflict.is_some() {
            ConflictDialog::<Facility>::handles(action)
        } else if self.dup.is_some() {
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
        !self.saved && self.input() != self.initial
    }

    fn index_of(&self, field: FacilityField) -> Option<usize> {
        FacilityField::ALL.iter().position(|f| *f == field)
    }

    // ----- update -----

    pub fn handle_text_key(&mut self, key: &KeyEvent) -> bool {
        if self.dup.is_some() || self.conflict.is_some() {
            return false;
        }
        let f = self.focused_field();
        match self.editors.get_mut(self.focus) {
            Some(Editor::Text(t)) => t.handle_key(key),
            Some(Editor::Notes(n)) => n.handle_key(key),
            Some(Editor::Flag(b)) => {
                let plain = !key
                    .modifiers
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
                if key.code == KeyCode::Char(' ') && plain && key.kind != KeyEventKind::Release {
                    *b = !*b;
                    true
                } else {
                    false
                }
            }
            Some(Editor::Choice(c)) => {
                // Backspace/Delete empty an optional choice; Ctrl+H (0x08) counts as Backspace.
                let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
                let erase = matches!(key.code, KeyCode::Backspace | KeyCode::Delete)
                    || (ctrl && key.code == KeyCode::Char('h'))
                    || matches!(key.code, KeyCode::Char('\u{8}') | KeyCode::Char('\u{7f}'));
                if erase && key.kind != KeyEventKind::Release {
                    if !is_required(f) && f != FacilityField::Status {
                        c.clear();
                    }
                    true
                } else {
                    false
                }
            }
            None => false,
        }
    }

    pub fn handle_paste(&mut self, text: &str) -> bool {
        if self.dup.is_some() || self.conflict.is_some() {
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
        if self.dup.is_some() {
            return self.dup_action(action, env, store);
        }
        match action {
            Action::NextField => {
                self.leave_field(store);
                self.focus = (self.focus + 1) % self.editors.len();
                ScreenCmd::None
            }
            Action::PrevField => {
                self.leave_field(store);
                self.focus = (self.focus + self.editors.len() - 1) % self.editors.len();
                ScreenCmd::None
            }
            Action::Open => {
                let f = self.focused_field();
                match field_kind(f) {
                    FieldKind::Choice => self.open_picker(f, env, store),
                    FieldKind::Flag => {
                        if let Some(Editor::Flag(b)) = self.editors.get_mut(self.focus) {
                            *b = !*b;
                        }
                        ScreenCmd::None
                    }
                    FieldKind::Text | FieldKind::Notes => {
                        self.handle_action(Action::NextField, env, store)
                    }
                }
            }
            Action::Save => self.save(env, store),
            _ => ScreenCmd::Unhandled,
        }
    }

    pub fn on_pick(
        &mut self,
        purpose: PickPurpose,
        code: &str,
        _env: &Env,
        store: &mut Store,
    ) -> ScreenCmd {
        let Some(field) = purpose_field(purpose) else {
            return ScreenCmd::None;
        };
        let Some(i) = self.index_of(field) else {
            return ScreenCmd::None;
        };
        if let Some(Editor::Choice(c)) = self.editors.get_mut(i) {
            *c = code.to_string();
        }
        self.focus = i;
        self.leave_field(store);
        self.focus = (i + 1) % self.editors.len();
        ScreenCmd::None
    }

    /// A Yes to "drop what you typed and take the stored version?" (the conflict's reload).
    pub fn on_confirm(&mut self, action: Action, env: &Env, _store: &mut Store) -> ScreenCmd {
        if action == RELOAD_TAG {
            if let Some(c) = self.conflict.take() {
                let focus = self.focus;
                *self = FormScreen::edit(c.stored, env);
                self.focus = focus.min(self.editors.len().saturating_sub(1));
            }
        }
        ScreenCmd::None
    }

    /// The conflict dialog, if it is open (tests).
    pub fn conflict(&self) -> Option<&ConflictDialog<Facility>> {
        self.conflict.as_ref()
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
                if let Mode::Edit { version, .. } = &mut self.mode {
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
    fn conflict_rows(&self, lang: Lang, stored: &Facility) -> Vec<ConflictRow> {
        let theirs = FacilityInput::from_data(&stored.data);
        FacilityField::ALL
            .iter()
            .zip(&self.editors)
            .map(|(&f, e)| {
                let (t, m) = (theirs.get(f).to_string(), e.value());
                let shown = |v: &str| match field_kind(f) {
                    FieldKind::Choice if v.trim().is_empty() => String::new(),
                    FieldKind::Choice => self.choice_label(lang, f, v),
                    FieldKind::Flag => {
                        crate::ui::format::yes_no(lang, parse_flag(v).unwrap_or(false)).to_string()
                    }
                    _ => v.trim().to_string(),
                };
                ConflictRow {
                    label: tr(lang, f.label_key()).to_string(),
                    theirs: shown(&t),
                    mine: shown(&m),
                }
            })
            .collect()
    }

    pub fn on_data_changed(&mut self, _store: &mut Store) -> ScreenCmd {
        ScreenCmd::None
    }

    fn revalidate(&mut self, store: &Store) {
        let input = self.input();
        self.issues = match validate(&input, &store.validation_context(false)) {
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

    fn open_picker(&self, field: FacilityField, env: &Env, store: &Store) -> ScreenCmd {
        let lang = env.lang;
        let Some(purpose) = pick_purpose(field) else {
            return ScreenCmd::None;
        };
        let none = || PickItem::new("", tr(lang, "ui.form.none"));
        let (title, items) = match field {
            FacilityField::CommuneCode => {
                let items = match store.profile() {
                    Some(p) => {
                        let scope = p.communes();
                        commune_items(lang, scope.iter().map(String::as_str))
                    }
                    None => commune_items(lang, units().communes().iter().map(|c| c.code.as_str())),
                };
                ("ui.form.pick.commune", items)
            }
            FacilityField::EntityType | FacilityField::TradeGroup => {
                let (key, list) = if field == FacilityField::EntityType {
                    ("ui.form.pick.entity_type", &codes().entity_types)
                } else {
                    ("ui.form.pick.trade_group", &codes().trade_groups)
                };
                let mut items = vec![none()];
                items.extend(list.items().iter().map(|i| {
                    let (label, other) = match lang {
                        Lang::Vi => (&i.label_vi, &i.label_en),
                        Lang::En => (&i.label_en, &i.label_vi),
                    };
                    PickItem::new(i.code.clone(), label.clone())
                        .with_hint(i.code.clone())
                        .with_extra(other.clone())
                }));
                (key, items)
            }
            FacilityField::TypicalLevel => {
                let mut items = vec![none()];
                items.extend(TYPICAL_LEVELS.iter().filter_map(|code| {
                    crate::ui::format::typical_level_key(code)
                        .map(|k| PickItem::new(*code, tr(lang, k)))
                }));
                ("ui.form.pick.typical_level", items)
            }
            _ => {
                let items = FacilityStatus::ALL
                    .iter()
                    .map(|s| {
                        PickItem::new(
                            status_value(*s),
                            tr(lang, crate::ui::format::status_key(*s)),
                        )
                    })
                    .collect();
                ("ui.form.pick.status", items)
            }
        };
        ScreenCmd::OpenPicker {
            title: tr(lang, title).to_string(),
            items,
            purpose,
        }
    }

    fn save(&mut self, env: &Env, store: &mut Store) -> ScreenCmd {
        let lang = env.lang;
        self.banner = None;
        let seen = std::mem::replace(&mut self.touched, vec![true; self.editors.len()]);
        let input = self.input();
        let (data, warnings) = match validate(&input, &store.validation_context(false)) {
            Ok(ok) => ok,
            Err(issues) => {
                let n = issues.errors().count();
                if let Some(i) = self.first_field_with(&issues, true) {
                    self.focus = i;
                }
                self.issues = issues;
                return ScreenCmd::Error(trf(lang, "ui.form.has_errors", &[&n]));
            }
        };
        // Warnings on fields the user has not looked at yet: show them before saving.
        let unseen = warnings.0.iter().find_map(|w| {
            FacilityField::from_key(w.field)
                .and_then(|f| self.index_of(f))
                .filter(|&i| !seen[i])
        });
        self.issues = warnings;
        if let Some(i) = unseen {
            self.focus = i;
            let keys = env.keymap.keys_for(Action::Save, Context::Form);
            return ScreenCmd::Toast(trf(lang, "ui.form.check_warnings", &[&keys]));
        }
        match self.mode.clone() {
            Mode::Create => match store.duplicate_suspects(&data, None) {
                Ok(suspects) if !suspects.is_empty() => {
                    self.dup = Some(DupDialog { suspects, focus: 0 });
                    ScreenCmd::None
                }
                Ok(_) => self.create(lang, store),
                Err(e) => self.store_failed(lang, store, &e),
            },
            Mode::Edit { id, version, .. } => match store.update_facility(&id, version, &input) {
                Ok(_) => {
                    self.saved = true;
                    ScreenCmd::Pop
                }
                Err(e) => self.store_failed(lang, store, &e),
            },
        }
    }

    fn create(&mut self, lang: Lang, store: &mut Store) -> ScreenCmd {
        match store.create_facility(&self.input()) {
            Ok(_) => {
                self.saved = true;
                ScreenCmd::Pop
            }
            Err(e) => self.store_failed(lang, store, &e),
        }
    }

    /// A save failed: say why at the top of the form; keep every value.
    fn store_failed(
        &mut self,
        lang: Lang,
        store: &Store,
        e: &crate::store::StoreError,
    ) -> ScreenCmd {
        if let crate::store::StoreError::Invalid(issues) = e {
            if let Some(i) = self.first_field_with(issues, true) {
                self.focus = i;
            }
            self.issues = issues.clone();
        }
        if let (crate::store::StoreError::Conflict { found, .. }, Mode::Edit { id, .. }) =
            (e, &self.mode)
        {
            match store.facility(id) {
                Ok(Some(stored)) => {
                    let rows = self.conflict_rows(lang, &stored);
                    let (by, at) = (
                        stored.meta.updated_by.clone(),
                        stored.meta.updated_at.clone(),
                    );
                    self.conflict =
                        Some(ConflictDialog::new(store, rows, &by, &at, *found, stored));
                }
                Ok(None) => {
                    self.banner = Some(tr(lang, "ui.conflict.gone").to_string());
                    return ScreenCmd::None;
                }
                Err(_) => {}
            }
        }
        if let Some(c) = &self.conflict {
            self.banner = Some(trf(lang, "ui.conflict.banner", &[&c.found]));
            return ScreenCmd::None;
        }
        // A conflict names the record by its id; the person knows it by its name.
        let named;
        let e = match (e, &self.mode) {
            (
                crate::store::StoreError::Conflict {
                    expected, found, ..
                },
                Mode::Edit { name, .. },
            ) => {
                named = crate::store::StoreError::Conflict {
                    id: format!("«{}»", clean(name)),
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
            &[&crate::cli::store_error_text(lang, e)],
        );
        self.banner = Some(text);
        ScreenCmd::None
    }

    fn first_field_with(&self, issues: &Issues, errors: bool) -> Option<usize> {
        FacilityField::ALL.iter().position(|f| {
            issues
                .for_field(f.key())
                .any(|i| !errors || i.severity == Severity::Error)
        })
    }

    fn dup_action(&mut self, action: Action, env: &Env, store: &mut Store) -> ScreenCmd {
        let Some(dup) = self.dup.as_mut() else {
            return ScreenCmd::None;
        };
        let n = dup.choices();
        match action {
            Action::NextField => {
                dup.focus = (dup.focus + 1) % n;
                ScreenCmd::None
            }
            Action::PrevField => {
                dup.focus = (dup.focus + n - 1) % n;
                ScreenCmd::None
            }
            Action::Yes => {
                self.dup = None;
                self.create(env.lang, store)
            }
            Action::No | Action::Back => {
                self.dup = None;
                ScreenCmd::None
            }
            Action::Open => {
                let focus = dup.focus;
                if focus == dup.save_index() {
                    self.dup = None;
                    self.create(env.lang, store)
                } else if focus > dup.save_index() {
                    self.dup = None;
                    ScreenCmd::None
                } else {
                    let id = dup.suspects[focus].id.clone();
                    self.dup = None;
                    open_suspect(&id, env, store)
                }
            }
            _ => ScreenCmd::None,
        }
    }

    // ----- view -----

    /// Rows of each field at a value width of `value_w` cells: (label lines, value rows,
    /// messages as (style, line)).
    fn layout(&self, lang: Lang, theme: &Theme, value_w: usize) -> Vec<FieldRows> {
        FacilityField::ALL
            .iter()
            .enumerate()
            .map(|(i, &f)| {
                let label_lines = if field_kind(f) == FieldKind::Flag {
                    Vec::new()
                } else {
                    let mut label = tr(lang, f.label_key()).to_string();
                    if is_required(f) {
                        label.push_str(" *");
                    }
                    label_lines(&label, LABEL_W)
                };
                let value_rows = match self.editors.get(i) {
                    Some(Editor::Notes(n)) => {
                        let rows = n.row_count(value_w.saturating_sub(1).max(1));
                        if i == self.focus {
                            rows.clamp(3, NOTES_ROWS)
                        } else {
                            rows.clamp(1, 3)
                        }
                    }
                    _ => 1,
                };
                let mut messages = Vec::new();
                for (sev, text) in self.messages(f, lang) {
                    let (key, style) = match sev {
                        Severity::Error => ("ui.form.error", error_style(theme)),
                        Severity::Warning => ("ui.form.warning", warning_style(theme)),
                    };
                    for line in wrap(&trf(lang, key, &[&text]), value_w) {
                        messages.push((style, line));
                    }
                }
                FieldRows {
                    label_lines,
                    value_rows,
                    messages,
                }
            })
            .collect()
    }

    /// The text shown for a choice field's code.
    fn choice_label(&self, lang: Lang, f: FacilityField, code: &str) -> String {
        match f {
            FacilityField::CommuneCode => commune_label(lang, code),
            FacilityField::EntityType => code_list_label(lang, &codes().entity_types, code),
            FacilityField::TradeGroup => code_list_label(lang, &codes().trade_groups, code),
            FacilityField::TypicalLevel => match crate::ui::format::typical_level_key(code) {
                Some(k) => tr(lang, k).to_string(),
                None => clean(code),
            },
            _ => match FacilityStatus::parse(code) {
                Some(s) => tr(lang, crate::ui::format::status_key(s)).to_string(),
                None => clean(code),
            },
        }
    }

    /// Draw into `area`. `focused` is false when an overlay is on top (no cursor then).
    pub fn render(&self, frame: &mut Frame, area: Rect, env: &Env, focused: bool) {
        let lang = env.lang;
        let theme = env.theme;
        let position = trf(
            lang,
            "ui.form.position",
            &[&(self.focus + 1), &self.editors.len()],
        );
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border)
            .title(format!(
                " {} ",
                fit(&self.title(lang), (area.width as usize).saturating_sub(4))
            ))
            .title_style(theme.title)
            .title_bottom(Line::from(format!(" {position} ")).right_aligned());
        let inner = block.inner(area);
        block.render(area, frame.buffer_mut());
        if inner.height < 3 || inner.width < VALUE_X + 8 {
            return;
        }
        let mut top = inner.y;
        let mut height = inner.height as usize;
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
        let value_w = (inner.width - VALUE_X - 1) as usize;
        let rows = self.layout(lang, theme, value_w);
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

        let view = Rect {
            x: inner.x,
            y: top,
            width: inner.width,
            height: height as u16,
        };
        let mut cursor: Option<Position> = None;
        for (i, (&f, r)) in FacilityField::ALL.iter().zip(&rows).enumerate() {
            let start = starts[i];
            if start + r.height() <= scroll || start >= scroll + height {
                continue;
            }
            let is_focus = i == self.focus;
            let row_y = |k: usize| -> Option<u16> {
                let abs = start + k;
                (abs >= scroll && abs < scroll + height).then(|| view.y + (abs - scroll) as u16)
            };
            let buf = frame.buffer_mut();
            if is_focus {
                if let Some(y) = row_y(0) {
                    buf.set_stringn(view.x, y, "›", 1, theme.title);
                }
            }
            let label_style = if is_focus { theme.selected } else { theme.base };
            for (k, line) in r.label_lines.iter().enumerate() {
                if let Some(y) = row_y(k) {
                    buf.set_stringn(view.x + 2, y, line, LABEL_W, label_style);
                }
            }
            let vx = view.x + VALUE_X;
            let vw = value_w as u16;
            match self.editors.get(i) {
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
                    // Drawn whole or not at all (it scrolls inside itself).
                    if let (Some(y0), Some(_)) = (row_y(0), row_y(r.value_rows - 1)) {
                        let rect = Rect::new(vx, y0, vw, r.value_rows as u16);
                        let pos = n.render_text(buf, rect, theme.input);
                        if is_focus {
                            cursor = Some(pos);
                        }
                    }
                }
                Some(Editor::Choice(code)) => {
                    if let Some(y) = row_y(0) {
                        if code.is_empty() && f != FacilityField::Status {
                            let hint = if is_focus {
                                let keys = env.keymap.keys_for(Action::Open, Context::Form);
                                trf(lang, "ui.form.choose_hint", &[&keys])
                            } else {
                                "—".to_string()
                            };
                            buf.set_stringn(vx, y, fit(&hint, value_w), value_w, theme.dim);
                        } else {
                            let text = self.choice_label(lang, f, code);
                            buf.set_stringn(vx, y, fit(&text, value_w), value_w, theme.base);
                        }
                    }
                }
                Some(Editor::Flag(on)) => {
                    if let Some(y) = row_y(0) {
                        let mark = if *on { "[x]" } else { "[ ]" };
                        let style = if is_focus { theme.selected } else { theme.base };
                        buf.set_stringn(vx, y, mark, 3, style);
                        let label = tr(lang, f.label_key());
                        let w = value_w.saturating_sub(4);
                        buf.set_stringn(vx + 4, y, fit(label, w), w, theme.base);
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
        } else if let Some(dup) = &self.dup {
            self.render_dup(frame, area, env, dup);
        } else if focused {
            if let Some(pos) = cursor {
                frame.set_cursor_position(pos);
            }
        }
    }

    fn render_dup(&self, frame: &mut Frame, area: Rect, env: &Env, dup: &DupDialog) {
        let lang = env.lang;
        let theme = env.theme;
        let w = area.width.saturating_sub(4).min(74);
        let text_w = w.saturating_sub(4).max(8) as usize;
        let mut lines: Vec<(Style, String)> = Vec::new();
        let intro = trf(lang, "ui.form.dup.intro", &[&dup.suspects.len()]);
        for l in wrap(&intro, text_w) {
            lines.push((theme.base, l));
        }
        lines.push((theme.base, String::new()));
        for (i, s) in dup.suspects.iter().enumerate() {
            let style = if dup.focus == i {
                theme.selected
            } else {
                theme.base
            };
            for (k, l) in wrap(&suspect_text(lang, s), text_w - 2)
                .into_iter()
                .enumerate()
            {
                let mark = if k == 0 {
                    if dup.focus == i {
                        "› "
                    } else {
                        "• "
                    }
                } else {
                    "  "
                };
                lines.push((style, format!("{mark}{l}")));
            }
        }
        lines.push((theme.base, String::new()));
        let keys = |a: Action| env.keymap.keys_for(a, Context::Confirm);
        let hint = trf(
            lang,
            "ui.form.dup.keys",
            &[
                &keys(Action::Open),
                &keys(Action::NextField),
                &keys(Action::Yes),
                &keys(Action::No),
            ],
        );
        let hint_lines = wrap(&hint, text_w);
        let h = (lines.len() + hint_lines.len() + 4) as u16;
        let popup = popup_area(area, w, h.min(area.height));
        Clear.render(popup, frame.buffer_mut());
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.popup_border)
            .title(format!(" {} ", tr(lang, "ui.form.dup.title")))
            .style(theme.popup);
        let inner = block.inner(popup);
        block.render(popup, frame.buffer_mut());
        if inner.height < 3 || inner.width < 6 {
            return;
        }
        let buf = frame.buffer_mut();
        let x = inner.x + 1;
        let max_y = inner.y + inner.height;
        // Keep the buttons and the key hint; cut the suspect list if the screen is short.
        let reserved = (hint_lines.len() + 2) as u16;
        for (y, (style, l)) in (inner.y..max_y.saturating_sub(reserved)).zip(&lines) {
            buf.set_stringn(x, y, l, text_w, *style);
        }
        let save = format!("[ {} ]", tr(lang, "ui.form.dup.save_anyway"));
        let back = format!("[ {} ]", tr(lang, "ui.form.dup.back"));
        let style_of = |i: usize| {
            if dup.focus == i {
                theme.button_focused
            } else {
                theme.button
            }
        };
        let by = max_y.saturating_sub(reserved);
        buf.set_stringn(x, by, &save, text_w, style_of(dup.save_index()));
        let bx = x + save.width() as u16 + 3;
        if bx < x + text_w as u16 {
            let room = (x + text_w as u16 - bx) as usize;
            buf.set_stringn(bx, by, &back, room, style_of(dup.save_index() + 1));
        }
        for (k, l) in hint_lines.iter().enumerate() {
            let yy = by + 2 + k as u16;
            if yy < max_y {
                buf.set_stringn(x, yy, l, text_w, theme.dim);
            }
        }
    }
}

/// The rows one field takes in the list.
#[derive(Debug)]
struct FieldRows {
    label_lines: Vec<String>,
    value_rows: usize,
    messages: Vec<(Style, String)>,
}

impl FieldRows {
    fn height(&self) -> usize {
        self.label_lines
            .len()
            .max(self.value_rows + self.messages.len())
            .max(1)
    }
}

/// Open a suspected duplicate instead of saving: its detail screen is pushed on top of the
/// form, so Esc comes back to what was typed (and the form can still be saved or dropped).
fn open_suspect(id: &str, env: &Env, store: &mut Store) -> ScreenCmd {
    match DetailScreen::open(id, env.lang, store) {
        Ok(Some(d)) => ScreenCmd::Push(Box::new(d)),
        Ok(None) => ScreenCmd::Error(crate::cli::store_error_text(
            env.lang,
            &crate::store::StoreError::NotFound(id.to_string()),
        )),
        Err(e) => ScreenCmd::Error(crate::cli::store_error_text(env.lang, &e)),
    }
}

impl Screen for FormScreen {
    fn title(&self, lang: Lang) -> String {
        FormScreen::title(self, lang)
    }

    fn contexts(&self) -> &'static [Context] {
        FormScreen::contexts(self)
    }

    fn handles(&self, action: Action) -> bool {
        FormScreen::handles(self, action)
    }

    fn handle_action(&mut self, action: Action, env: &Env, store: &mut Store) -> ScreenCmd {
        FormScreen::handle_action(self, action, env, store)
    }

    fn render(&self, frame: &mut Frame, area: Rect, env: &Env, focused: bool) {
        FormScreen::render(self, frame, area, env, focused)
    }

    fn handle_text_key(&mut self, key: &KeyEvent) -> bool {
        FormScreen::handle_text_key(self, key)
    }

    fn handle_paste(&mut self, text: &str) -> bool {
        FormScreen::handle_paste(self, text)
    }

    fn on_pick(
        &mut self,
        purpose: PickPurpose,
        code: &str,
        env: &Env,
        store: &mut Store,
    ) -> ScreenCmd {
        FormScreen::on_pick(self, purpose, code, env, store)
    }

    fn on_confirm(&mut self, action: Action, env: &Env, store: &mut Store) -> ScreenCmd {
        FormScreen::on_confirm(self, action, env, store)
    }

    fn on_data_changed(&mut self, store: &mut Store) -> ScreenCmd {
        FormScreen::on_data_changed(self, store)
    }

    /// What the user types is never reloaded under them.
    fn follows_outside_changes(&self) -> bool {
        false
    }

    fn has_unsaved_changes(&self) -> bool {
        FormScreen::has_unsaved_changes(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ch(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn notes_take_newlines_and_ime_backspaces() {
        let mut n = NoteField::with_value("");
        let bs = KeyEvent::new(KeyCode::Char('h'), KeyModifiers::CONTROL);
        for k in [
            ch('v'),
            ch('i'),
            ch('e'),
            bs,
            ch('ê'),
            ch('t'),
            bs,
            bs,
            ch('ệ'),
            ch('t'),
            key(KeyCode::Enter),
            ch('x'),
        ] {
            assert!(n.handle_key(&k));
        }
        assert_eq!(n.value(), "việt\nx");
    }

    #[test]
    fn notes_wrap_and_move_by_row() {
        let mut n = NoteField::with_value("một hai ba bốn năm");
        n.width.set(8);
        assert_eq!(n.row_count(8), 3);
        assert_eq!(n.cursor_row_col(8), (2, 3)); // "một hai " / "ba bốn " / "năm"
        assert!(n.handle_key(&key(KeyCode::Up)));
        assert_eq!(n.cursor_row_col(8).0, 1);
        assert!(n.handle_key(&key(KeyCode::Up)));
        assert!(
            !n.handle_key(&key(KeyCode::Up)),
            "first row: the form moves on"
        );
        assert!(n.handle_key(&key(KeyCode::Down)));
        assert!(n.handle_key(&key(KeyCode::Down)));
        assert!(!n.handle_key(&key(KeyCode::Down)));
    }

    #[test]
    fn notes_paste_keeps_lines_and_composes() {
        let mut n = NoteField::with_value("");
        n.insert_str("Vie\u{0323}\u{0302}t\r\nNam\u{1b}");
        assert_eq!(n.value(), "Việt\nNam");
        assert!(n.handle_key(&key(KeyCode::Left)));
        assert!(n.handle_key(&key(KeyCode::Home)));
        assert!(n.handle_key(&KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE)));
        assert_eq!(n.value(), "ViệtNam");
    }

    #[test]
    fn long_word_is_cut() {
        let n = NoteField::with_value("abcdefghij");
        assert_eq!(n.rows(4), vec![(0, 4), (4, 8), (8, 10)]);
    }
}
