//! The facility form: create a facility or edit one, every field of
//! [`FacilityField::ALL`] in order. A table of fields and a [`FacilityModel`] on the one form
//! engine ([`crate::ui::widgets::form`]), which owns the behaviour described below.
//!
//! Keys (all from the keymap, `Context::Form`): Tab/↓ and Shift+Tab/↑ move between fields,
//! Enter opens the fuzzy picker on a choice field (commune, entity type, trade group, typical
//! level, status), toggles a flag and moves on from a text field; Space also toggles a flag;
//! Ctrl+S (F2) saves; Esc leaves, asking first when something was changed. Text fields follow
//! the input-method rules of [`TextField`](crate::ui::widgets::TextField) (Ctrl+H is
//! backspace, the real cursor sits at the insertion point, paste is NFC); the notes field is
//! multi-line ([`NoteField`](crate::ui::widgets::NoteField)): Enter is a new line there, ↑/↓
//! leave it from its first/last row. A choice picked in its picker stays focused (Tab goes on).
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
//! a conflict (someone else saved in between) opens the engine's conflict dialog over the
//! form: the stored value beside the typed one for each field that differs, who saved it and when, and
//! three ways on (back to editing, overwrite knowingly with the new version, reload after a
//! yes/no). Any other store error is shown at the top of the form. The form keeps everything
//! typed either way.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

use super::{DetailScreen, Env, PickPurpose, ScreenCmd};
use crate::domain::dup::Suspect;
use crate::domain::facility::{
    parse_flag, validate, Facility, FacilityField, FacilityInput, FacilityStatus, TYPICAL_LEVELS,
};
use crate::domain::issue::{Issues, Severity};
use crate::refdata::{codes, units};
use crate::store::Store;
use crate::ui::keymap::{Action, Context};
use crate::ui::widgets::bars::wrap;
use crate::ui::widgets::form::{
    code_list_items, FieldKind, FieldSpec, Form, FormModel, NoteRows, SaveOutcome, Stored, Value,
    Values,
};
pub use crate::ui::widgets::form::{error_style, warning_style};
use crate::ui::widgets::{clean, popup_frame, PickItem};
use crate::words::format::{code_label_as, commune_label, CodeForm, CommuneForm};
use crate::words::{suspect_text, tr, trf, Lang};

/// The action a conflict's "reload?" question hands back to `on_confirm`.
pub use crate::ui::widgets::form::RELOAD_TAG;

/// Most characters a one-line field takes (the core's own limit is checked on save).
const MAX_SHORT: usize = 300;
const MAX_NAME: usize = 200;
const MAX_NUMBER: usize = 20;
/// The notes: 3 to 5 rows while edited, up to 3 when not.
const NOTES: NoteRows = NoteRows {
    focused: (3, 5),
    idle: 3,
};

// ------------------------------------------------------------------------------------------
// Shared labels (the setup screen uses them too)

/// Picker items for communes, sorted the Vietnamese way by name.
pub fn commune_items<'a>(lang: Lang, codes: impl IntoIterator<Item = &'a str>) -> Vec<PickItem> {
    let u = units();
    let mut list: Vec<&crate::refdata::Commune> =
        codes.into_iter().filter_map(|c| u.commune(c)).collect();
    list.sort_by(|a, b| crate::text::vn_cmp(&a.name, &b.name).then_with(|| a.code.cmp(&b.code)));
    list.into_iter()
        .map(|c| {
            PickItem::new(
                c.code.clone(),
                commune_label(&c.code, CommuneForm::WithProvince(lang)),
            )
        })
        .collect()
}

/// [`commune_items`], then each pre-2025 commune split across several of them, once per 2025
/// commune it went into ("→ Ngọc Hà" beside it): a clerk who knows only the old commune
/// types its name and chooses among the candidates (the import refuses such a row naming
/// the same ones). Found by the old name only, so a 2025 name does not bring them up.
pub fn commune_items_with_split<'a>(
    lang: Lang,
    codes: impl IntoIterator<Item = &'a str>,
) -> Vec<PickItem> {
    let mut items = commune_items(lang, codes);
    let in_list: std::collections::HashSet<String> = items.iter().map(|i| i.code.clone()).collect();
    for links in units()
        .old_to_new()
        .chunk_by(|a, b| a.old_code == b.old_code)
        .filter(|links| links.len() > 1)
    {
        let label =
            crate::words::problems::old_commune_split_label(lang, &links[0].old_code, links.len());
        items.extend(
            links
                .iter()
                .filter(|l| in_list.contains(&l.new_code))
                .map(|l| {
                    let to = commune_label(&l.new_code, CommuneForm::Name);
                    PickItem::new(l.new_code.clone(), label.clone()).with_hint(format!("→ {to}"))
                }),
        );
    }
    items
}

/// The form's text for a status: "" for active (as `FacilityInput::from_data` writes it).
fn status_value(s: FacilityStatus) -> String {
    match s {
        FacilityStatus::Active => String::new(),
        other => other.as_str().to_string(),
    }
}

// ------------------------------------------------------------------------------------------
// The form: a table of fields and the facility's load/validate/save

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

/// The form's key of the registered craft village (not a field of `FacilityData`: saved by
/// `Store::link_village` after the facility itself).
const VILLAGE: &str = "village_id";

/// Every field of [`FacilityField::ALL`], in order, the register's village after the
/// free-text one.
fn specs() -> Vec<FieldSpec> {
    let mut v = facility_specs();
    let at = v
        .iter()
        .position(|s| s.key == FacilityField::CraftVillage.key())
        .map_or(v.len(), |i| i + 1);
    let village = FieldSpec::new(
        VILLAGE,
        "village.field.village",
        FieldKind::Picker {
            purpose: PickPurpose::Village,
            clearable: true,
            hint: "ui.form.choose_hint",
        },
    )
    .not_stored();
    v.insert(at, village);
    v
}

fn facility_specs() -> Vec<FieldSpec> {
    FacilityField::ALL
        .iter()
        .map(|&f| {
            let required = matches!(f, FacilityField::Name | FacilityField::CommuneCode);
            let kind = if f == FacilityField::Notes {
                FieldKind::MultiLine(NOTES)
            } else if let Some(purpose) = pick_purpose(f) {
                FieldKind::Picker {
                    purpose,
                    // A facility always has a status ("" is active).
                    clearable: !required && f != FacilityField::Status,
                    hint: "ui.form.choose_hint",
                }
            } else if f.is_flag() {
                FieldKind::Flag {
                    text: f.label_key(),
                }
            } else {
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
                FieldKind::Text { max }
            };
            let spec = FieldSpec::new(f.key(), f.label_key(), kind);
            let spec = if f.is_flag() {
                spec.labelled(None)
            } else {
                spec
            };
            if required {
                spec.required()
            } else {
                spec
            }
        })
        .collect()
}

fn values_of(input: &FacilityInput, village: Option<&str>) -> Values {
    let mut v: Vec<(&'static str, Value)> = FacilityField::ALL
        .iter()
        .map(|&f| {
            let v = input.get(f);
            let v = if f.is_flag() {
                Value::Flag(parse_flag(v).unwrap_or(false))
            } else {
                Value::text(v)
            };
            (f.key(), v)
        })
        .collect();
    v.push((VILLAGE, Value::text(village.unwrap_or(""))));
    Values(v)
}

/// The villages the form offers: those of `commune` first, then the rest of the reader's
/// register, each (id, name, its communes' names).
fn village_choices(store: &Store, commune: &str) -> Vec<(String, String, String)> {
    let mut all = store.list_villages(None, false).unwrap_or_default();
    all.sort_by_key(|(v, _)| !v.communes.iter().any(|c| c == commune));
    all.into_iter()
        .map(|(v, _)| {
            let communes =
                crate::words::village::communes_text(&v.communes, CommuneForm::Name, ", ");
            (v.id, v.name, communes)
        })
        .collect()
}

fn input_of(values: &Values) -> FacilityInput {
    let mut input = FacilityInput::default();
    for f in FacilityField::ALL {
        let v = if f.is_flag() {
            if values.flag(f.key()) { "1" } else { "" }.to_string()
        } else {
            values.text(f.key())
        };
        input.set(f, v);
    }
    input
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
    /// What is saved if the user saves anyway.
    input: FacilityInput,
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

/// The facility side of the form.
#[derive(Debug)]
pub struct FacilityModel {
    mode: Mode,
    dup: Option<DupDialog>,
    /// The register's villages, read when the form opens: (id, name, communes), those of the
    /// facility's commune first.
    villages: Vec<(String, String, String)>,
    /// The village chosen, as the form holds it ("" none), for the save after the facility's.
    village: String,
}

impl FacilityModel {
    fn new(mode: Mode, store: &Store, commune: &str) -> FacilityModel {
        FacilityModel {
            mode,
            dup: None,
            villages: village_choices(store, commune),
            village: String::new(),
        }
    }

    /// Links the saved facility `id` to the chosen village when that changed.
    fn link(&self, id: &str, store: &mut Store) -> crate::store::Result<()> {
        let Some(f) = store.facility(id)? else {
            return Ok(());
        };
        let chosen = Some(self.village.as_str()).filter(|v| !v.is_empty());
        if f.village_id.as_deref() == chosen {
            return Ok(());
        }
        store.link_village(id, f.meta.version, chosen)
    }

    fn create(&self, lang: Lang, input: &FacilityInput, store: &mut Store) -> SaveOutcome {
        let saved = store
            .create_facility(input)
            .and_then(|(f, _)| self.link(&f.id, store).map(|()| f));
        match saved {
            // Issue 16: a new facility was saved without a word and not shown in the list.
            Ok(f) => SaveOutcome::Saved(ScreenCmd::PopSaved {
                message: trf(lang, "ui.form.saved_new", &[&clean(&f.data.name)]),
                id: f.id,
            }),
            Err(e) => SaveOutcome::Failed(e),
        }
    }

    fn dup_action(&mut self, action: Action, env: &Env, store: &mut Store) -> SaveOutcome {
        let Some(dup) = self.dup.as_mut() else {
            return SaveOutcome::Stay(ScreenCmd::None);
        };
        let n = dup.choices();
        let save_anyway = |m: &mut Self, store: &mut Store| match m.dup.take() {
            Some(d) => m.create(env.lang, &d.input, store),
            None => SaveOutcome::Stay(ScreenCmd::None),
        };
        match action {
            Action::NextField => {
                dup.focus = (dup.focus + 1) % n;
                SaveOutcome::Stay(ScreenCmd::None)
            }
            Action::PrevField => {
                dup.focus = (dup.focus + n - 1) % n;
                SaveOutcome::Stay(ScreenCmd::None)
            }
            Action::Yes => save_anyway(self, store),
            Action::No | Action::Back => {
                self.dup = None;
                SaveOutcome::Stay(ScreenCmd::None)
            }
            Action::Open => {
                let focus = dup.focus;
                if focus == dup.save_index() {
                    save_anyway(self, store)
                } else if focus > dup.save_index() {
                    self.dup = None;
                    SaveOutcome::Stay(ScreenCmd::None)
                } else {
                    let id = dup.suspects[focus].id.clone();
                    self.dup = None;
                    SaveOutcome::Stay(open_suspect(&id, env, store))
                }
            }
            _ => SaveOutcome::Stay(ScreenCmd::None),
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
        let hint = env.keymap.hint(
            lang,
            "ui.form.dup.keys",
            Context::Confirm,
            &[Action::Open, Action::NextField, Action::Yes, Action::No],
        );
        let hint_lines = wrap(&hint, text_w);
        let h = (lines.len() + hint_lines.len() + 4) as u16;
        let inner = popup_frame(frame, area, (w, h), tr(lang, "ui.form.dup.title"), theme);
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

impl FormModel for FacilityModel {
    type Record = Facility;

    fn title(&self, lang: Lang) -> String {
        match &self.mode {
            Mode::Create => tr(lang, "ui.form.title_new").to_string(),
            Mode::Edit { name, .. } => trf(lang, "ui.form.title_edit", &[&clean(name)]),
        }
    }

    fn choice_text(&self, lang: Lang, key: &str, code: &str) -> Option<String> {
        if key == VILLAGE {
            return self
                .villages
                .iter()
                .find(|(id, _, _)| id == code)
                .map(|(_, name, communes)| clean(&format!("{name} ({communes})")));
        }
        let f = FacilityField::from_key(key)?;
        if f == FacilityField::Status {
            return Some(match FacilityStatus::parse(code) {
                Some(s) => tr(lang, crate::words::format::status_key(s)).to_string(),
                None => clean(code),
            });
        }
        if code.trim().is_empty() {
            return None;
        }
        Some(match f {
            FacilityField::CommuneCode => commune_label(code, CommuneForm::WithProvince(lang)),
            FacilityField::EntityType => {
                code_label_as(lang, &codes().entity_types, Some(code), CodeForm::LabelCode)
            }
            FacilityField::TradeGroup => {
                code_label_as(lang, &codes().trade_groups, Some(code), CodeForm::LabelCode)
            }
            _ => match crate::words::format::typical_level_key(code) {
                Some(k) => tr(lang, k).to_string(),
                None => clean(code),
            },
        })
    }

    fn picker(
        &self,
        lang: Lang,
        key: &str,
        _chosen: &[String],
        store: &Store,
    ) -> Option<(String, Vec<PickItem>)> {
        if key == VILLAGE {
            let mut items = vec![PickItem::new("", tr(lang, "ui.form.none"))];
            items.extend(self.villages.iter().map(|(id, name, communes)| {
                PickItem::new(id.clone(), clean(name)).with_hint(clean(communes))
            }));
            return Some((tr(lang, "village.field.village").to_string(), items));
        }
        let field = FacilityField::from_key(key)?;
        let none = || PickItem::new("", tr(lang, "ui.form.none"));
        let (title, items) = match field {
            FacilityField::CommuneCode => {
                let items = match store.profile() {
                    Some(p) => {
                        let scope = p.communes();
                        commune_items_with_split(lang, scope.iter().map(String::as_str))
                    }
                    None => commune_items_with_split(
                        lang,
                        units().communes().iter().map(|c| c.code.as_str()),
                    ),
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
                items.extend(code_list_items(lang, list, &[]));
                (key, items)
            }
            FacilityField::TypicalLevel => {
                let mut items = vec![none()];
                items.extend(TYPICAL_LEVELS.iter().filter_map(|code| {
                    crate::words::format::typical_level_key(code)
                        .map(|k| PickItem::new(*code, tr(lang, k)))
                }));
                ("ui.form.pick.typical_level", items)
            }
            FacilityField::Status => {
                let items = FacilityStatus::ALL
                    .iter()
                    .map(|s| {
                        PickItem::new(
                            status_value(*s),
                            tr(lang, crate::words::format::status_key(*s)),
                        )
                    })
                    .collect();
                ("ui.form.pick.status", items)
            }
            _ => return None,
        };
        Some((tr(lang, title).to_string(), items))
    }

    fn validate(&self, values: &Values, store: &Store) -> Issues {
        match validate(&input_of(values), &store.validation_context(false)) {
            Ok((_, warnings)) => warnings,
            Err(issues) => issues,
        }
    }

    fn save(
        &mut self,
        values: &Values,
        seen: &[bool],
        env: &Env,
        store: &mut Store,
    ) -> SaveOutcome {
        let lang = env.lang;
        let input = input_of(values);
        self.village = values.text(VILLAGE);
        let (data, warnings) = match validate(&input, &store.validation_context(false)) {
            Ok(ok) => ok,
            Err(issues) => return SaveOutcome::Failed(crate::store::StoreError::Invalid(issues)),
        };
        // Warnings on fields the user has not looked at yet: show them before saving.
        let unseen = warnings.0.iter().find_map(|w| {
            FacilityField::ALL
                .iter()
                .position(|f| f.key() == w.field)
                .filter(|&i| !seen.get(i).copied().unwrap_or(true))
                .map(|i| FacilityField::ALL[i].key())
        });
        if let Some(key) = unseen {
            let keys = env.keymap.keys_for(Action::Save, Context::Form);
            return SaveOutcome::Refused {
                key,
                message: trf(lang, "ui.form.check_warnings", &[&keys]),
                error: false,
            };
        }
        match self.mode.clone() {
            Mode::Create => match store.duplicate_suspects(&data, None) {
                Ok(suspects) if !suspects.is_empty() => {
                    self.dup = Some(DupDialog {
                        suspects,
                        input,
                        focus: 0,
                    });
                    SaveOutcome::Stay(ScreenCmd::None)
                }
                Ok(_) => self.create(lang, &input, store),
                Err(e) => SaveOutcome::Failed(e),
            },
            Mode::Edit { id, version, .. } => match store
                .update_facility(&id, version, &input)
                .and_then(|_| self.link(&id, store))
            {
                Ok(()) => SaveOutcome::Saved(ScreenCmd::Pop),
                Err(e) => SaveOutcome::Failed(e),
            },
        }
    }

    fn stored(&self, store: &Store) -> Result<Option<Stored<Facility>>, crate::store::StoreError> {
        let Mode::Edit { id, .. } = &self.mode else {
            return Ok(None);
        };
        Ok(store.facility(id)?.map(|f| Stored {
            values: values_of(&FacilityInput::from_data(&f.data), f.village_id.as_deref()),
            updated_by: f.meta.updated_by.clone(),
            updated_at: f.meta.updated_at.clone(),
            record: f,
        }))
    }

    fn set_version(&mut self, found: i64) {
        if let Mode::Edit { version, .. } = &mut self.mode {
            *version = found;
        }
    }

    fn reopen(record: Facility, store: &Store) -> Result<Form<Self>, crate::store::StoreError> {
        Ok(edit_form(record, store))
    }

    fn conflict_name(&self) -> Option<String> {
        match &self.mode {
            Mode::Edit { name, .. } => Some(name.clone()),
            Mode::Create => None,
        }
    }

    fn dialog_contexts(&self) -> Option<&'static [Context]> {
        self.dup.as_ref().map(|_| &[Context::Confirm][..])
    }

    fn dialog_action(
        &mut self,
        action: Action,
        env: &Env,
        store: &mut Store,
    ) -> Option<SaveOutcome> {
        self.dup
            .is_some()
            .then(|| self.dup_action(action, env, store))
    }

    fn render_dialog(&self, frame: &mut Frame, area: Rect, env: &Env) -> bool {
        match &self.dup {
            Some(dup) => {
                self.render_dup(frame, area, env, dup);
                true
            }
            None => false,
        }
    }
}

fn edit_form(facility: Facility, store: &Store) -> Form<FacilityModel> {
    let values = values_of(
        &FacilityInput::from_data(&facility.data),
        facility.village_id.as_deref(),
    );
    let commune = facility.data.commune_code.clone();
    let mode = Mode::Edit {
        id: facility.id,
        version: facility.meta.version,
        name: facility.data.name,
    };
    Form::new(
        FacilityModel::new(mode, store, &commune),
        specs(),
        values,
        store.today(),
    )
}

/// The facility form: a new facility or an edit.
#[derive(Debug)]
pub struct FormScreen {
    form: Form<FacilityModel>,
}

impl FormScreen {
    crate::ui::widgets::form::form_screen_methods!(Facility);

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
        let model = FacilityModel::new(Mode::Create, store, &input.commune_code);
        FormScreen {
            form: Form::new(model, specs(), values_of(&input, None), store.today()),
        }
    }

    /// A form over a stored facility; saving checks that nobody changed it since
    /// (`facility.meta.version`).
    pub fn edit(facility: Facility, env: &Env, store: &Store) -> FormScreen {
        let _ = env;
        FormScreen {
            form: edit_form(facility, store),
        }
    }

    // ----- inspection -----

    /// Everything as typed, one text per field.
    pub fn input(&self) -> FacilityInput {
        input_of(&self.form.values())
    }

    pub fn value(&self, field: FacilityField) -> String {
        self.input().get(field).to_string()
    }

    /// The key of the focused field (a facility field's, or the register's village).
    pub fn focused_key(&self) -> &'static str {
        self.form.focused_key()
    }

    pub fn focused_field(&self) -> FacilityField {
        FacilityField::from_key(self.form.focused_key()).unwrap_or(FacilityField::Name)
    }

    pub fn is_edit(&self) -> bool {
        matches!(self.form.model.mode, Mode::Edit { .. })
    }

    /// The messages shown beside `field` right now: (severity, text).
    pub fn messages(&self, field: FacilityField, lang: Lang) -> Vec<(Severity, String)> {
        self.form.messages(field.key(), lang)
    }

    /// The duplicate suspects being shown, if the dialog is open.
    pub fn duplicate_suspects(&self) -> Option<&[Suspect]> {
        self.form.model.dup.as_ref().map(|d| d.suspects.as_slice())
    }

    // ----- update -----
}

/// Open a suspected duplicate instead of saving: its detail screen is pushed on top of the
/// form, so Esc comes back to what was typed (and the form can still be saved or dropped).
fn open_suspect(id: &str, env: &Env, store: &mut Store) -> ScreenCmd {
    match DetailScreen::open(id, env.lang, store) {
        Ok(Some(d)) => ScreenCmd::Push(Box::new(d)),
        Ok(None) => ScreenCmd::Error(crate::words::store_error_text(
            env.lang,
            &crate::store::StoreError::NotFound(id.to_string()),
        )),
        Err(e) => ScreenCmd::Error(crate::words::store_error_text(env.lang, &e)),
    }
}

crate::ui::widgets::form::form_screen_impl!(FormScreen);
