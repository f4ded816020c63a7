//! First-run setup: when the database has no collaborator profile, a short wizard asks who is
//! working and where, then saves the profile with the same core function as `ctv init`
//! ([`Store::init_profile`]).
//!
//! Steps: name → role (commune collaborator, area officer, provincial centre) → unit →
//! summary. The unit step depends on the role: one commune picked by fuzzy search over the
//! 3,321 communes of 2025 ("tan binh" narrows the list); for an area officer, several
//! communes added one by one and/or every commune of a pre-2025 district (expanded through
//! the 2025 mapping), with a list of the chosen ones to remove from; for the province, one of
//! the 34 provinces. Esc goes back one step; on the first step it offers to quit.

use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Widget};
use ratatui::Frame;

use super::form::{commune_items, error_style};
use super::{Env, PickPurpose, Screen, ScreenCmd};
use crate::domain::collaborator::{ProfileInput, Role};
use crate::refdata::units;
use crate::store::Store;
use crate::ui::keymap::{Action, Context};
use crate::ui::widgets::bars::wrap;
use crate::ui::widgets::{clean, fit, PickItem, TextField};
use crate::words::format::{commune_label, CommuneForm};
use crate::words::{tr, trf, Lang};

/// The wizard's steps, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetupStep {
    Name,
    Role,
    Unit,
    Confirm,
}

impl SetupStep {
    fn number(self) -> usize {
        match self {
            SetupStep::Name => 1,
            SetupStep::Role => 2,
            SetupStep::Unit => 3,
            SetupStep::Confirm => 4,
        }
    }
}

const ROLES: [Role; 3] = [Role::Commune, Role::Area, Role::Province];

fn role_label_key(r: Role) -> &'static str {
    match r {
        Role::Commune => "ui.setup.role.commune",
        Role::Area => "ui.setup.role.area",
        Role::Province => "ui.setup.role.province",
    }
}

fn role_about_key(r: Role) -> &'static str {
    match r {
        Role::Commune => "ui.setup.role.commune.about",
        Role::Area => "ui.setup.role.area.about",
        Role::Province => "ui.setup.role.province.about",
    }
}

/// Which picker is open (all of them come back through `on_pick`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UnitPick {
    Commune,
    OldDistrict,
    Province,
}

/// Rows of the area officer's unit menu before the chosen communes.
/// The two rows of a commune's or province's unit step once one is chosen.
const SINGLE_CONTINUE: usize = 0;
const SINGLE_CHOOSE_AGAIN: usize = 1;
const AREA_ADD_COMMUNE: usize = 0;
const AREA_ADD_DISTRICT: usize = 1;
const AREA_CONTINUE: usize = 2;
const AREA_FIXED_ROWS: usize = 3;

/// "Quận 1 — TP Hồ Chí Minh cũ (760)".
pub fn old_district_label(lang: Lang, code: &str) -> String {
    let u = units();
    match u.old_district(code) {
        Some(d) => {
            let province = match u.old_province(&d.province_code) {
                Some(p) if p.full_name.starts_with("Thành phố") => {
                    trf(lang, "ui.unit.city", &[&p.name])
                }
                Some(p) => p.name.clone(),
                None => d.province_code.clone(),
            };
            format!(
                "{} — {} ({})",
                d.full_name,
                trf(lang, "ui.unit.former", &[&province]),
                d.code
            )
        }
        None => clean(code),
    }
}

/// "Thành phố Hồ Chí Minh (79)".
pub fn province_label(code: &str) -> String {
    match units().province(code) {
        Some(p) => format!("{} ({})", p.full_name, p.code),
        None => clean(code),
    }
}

#[derive(Debug)]
pub struct SetupScreen {
    step: SetupStep,
    name: TextField,
    /// The name step was left empty (show "required").
    name_missing: bool,
    /// Highlighted row on the role step.
    role_sel: usize,
    role: Option<Role>,
    /// Chosen commune codes (commune and area roles) or the province code.
    units: Vec<String>,
    /// Highlighted row on the unit step (area officer's menu).
    unit_sel: usize,
    picking: Option<UnitPick>,
    /// A message on the current step (nothing chosen, a store error).
    error: Option<String>,
    done: bool,
}

impl Default for SetupScreen {
    fn default() -> Self {
        SetupScreen::new()
    }
}

impl SetupScreen {
    pub fn new() -> SetupScreen {
        SetupScreen {
            step: SetupStep::Name,
            name: TextField::new().with_max_chars(200),
            name_missing: false,
            role_sel: 0,
            role: None,
            units: Vec::new(),
            unit_sel: 0,
            picking: None,
            error: None,
            done: false,
        }
    }

    // ----- inspection -----

    pub fn step(&self) -> SetupStep {
        self.step
    }

    pub fn name(&self) -> &str {
        self.name.value()
    }

    pub fn role(&self) -> Option<Role> {
        self.role
    }

    /// The chosen units (commune codes, or the province code).
    pub fn units(&self) -> &[String] {
        &self.units
    }

    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    // ----- update -----

    fn back(&mut self) -> ScreenCmd {
        self.error = None;
        match self.step {
            // Nothing is saved yet: Esc at the first step offers to leave CTV.
            SetupStep::Name => ScreenCmd::Quit,
            SetupStep::Role => {
                self.step = SetupStep::Name;
                ScreenCmd::None
            }
            SetupStep::Unit => {
                self.step = SetupStep::Role;
                ScreenCmd::None
            }
            SetupStep::Confirm => {
                self.step = SetupStep::Unit;
                // A single commune or province: land on "continue with it".
                if self.role != Some(Role::Area) {
                    self.unit_sel = SINGLE_CONTINUE;
                }
                ScreenCmd::None
            }
        }
    }

    fn unit_action(&mut self, action: Action, lang: Lang) -> ScreenCmd {
        match self.role {
            Some(Role::Area) => {
                let rows = AREA_FIXED_ROWS + self.units.len();
                match action {
                    Action::Up => self.unit_sel = self.unit_sel.saturating_sub(1),
                    Action::Down => self.unit_sel = (self.unit_sel + 1).min(rows - 1),
                    Action::Home => self.unit_sel = 0,
                    Action::End => self.unit_sel = rows - 1,
                    Action::Open => {
                        return match self.unit_sel {
                            AREA_ADD_COMMUNE => self.open_picker(UnitPick::Commune, lang),
                            AREA_ADD_DISTRICT => self.open_picker(UnitPick::OldDistrict, lang),
                            AREA_CONTINUE => self.go_to_confirm(lang),
                            i => {
                                // A chosen commune: Enter takes it off the list.
                                let k = i - AREA_FIXED_ROWS;
                                if k < self.units.len() {
                                    self.units.remove(k);
                                }
                                let rows = AREA_FIXED_ROWS + self.units.len();
                                self.unit_sel = self.unit_sel.min(rows - 1);
                                ScreenCmd::None
                            }
                        };
                    }
                    _ => return ScreenCmd::Unhandled,
                }
                ScreenCmd::None
            }
            role => {
                let pick = if role == Some(Role::Province) {
                    UnitPick::Province
                } else {
                    UnitPick::Commune
                };
                // Once one is chosen (coming back from the last step), two rows: go on with
                // it, or choose again.
                if self.units.is_empty() {
                    return match action {
                        Action::Open => self.open_picker(pick, lang),
                        _ => ScreenCmd::Unhandled,
                    };
                }
                match action {
                    Action::Up | Action::Home => self.unit_sel = SINGLE_CONTINUE,
                    Action::Down | Action::End => self.unit_sel = SINGLE_CHOOSE_AGAIN,
                    Action::Open if self.unit_sel == SINGLE_CONTINUE => {
                        return self.go_to_confirm(lang)
                    }
                    Action::Open => return self.open_picker(pick, lang),
                    _ => return ScreenCmd::Unhandled,
                }
                ScreenCmd::None
            }
        }
    }

    /// On to the last step when the profile would be valid (at least one commune, all in one
    /// province — the same check the store makes when saving).
    fn go_to_confirm(&mut self, lang: Lang) -> ScreenCmd {
        if self.units.is_empty() {
            self.error = Some(tr(lang, "ui.setup.none_chosen").to_string());
            return ScreenCmd::None;
        }
        let input = ProfileInput {
            name: self.name.value().to_string(),
            role: self.role.unwrap_or(Role::Commune).as_str().to_string(),
            units: self.units.join(","),
            account: None,
        };
        match input.validate() {
            Ok(_) => {
                self.error = None;
                self.step = SetupStep::Confirm;
            }
            Err(issues) => {
                self.error = issues
                    .errors()
                    .next()
                    .map(|i| crate::words::problem_text(lang, &i.problem));
            }
        }
        ScreenCmd::None
    }

    fn open_picker(&mut self, kind: UnitPick, lang: Lang) -> ScreenCmd {
        self.picking = Some(kind);
        let u = units();
        let (title, items) = match kind {
            UnitPick::Commune => (
                "ui.setup.pick.commune",
                commune_items(lang, u.communes().iter().map(|c| c.code.as_str())),
            ),
            UnitPick::OldDistrict => {
                let mut ds: Vec<&crate::refdata::OldDistrict> = u.old_districts().iter().collect();
                ds.sort_by(|a, b| {
                    a.province_code
                        .cmp(&b.province_code)
                        .then_with(|| crate::text::vn_cmp(&a.name, &b.name))
                });
                (
                    "ui.setup.pick.district",
                    ds.into_iter()
                        .map(|d| PickItem::new(d.code.clone(), old_district_label(lang, &d.code)))
                        .collect(),
                )
            }
            UnitPick::Province => {
                let mut ps: Vec<&crate::refdata::Province> = u.provinces().iter().collect();
                ps.sort_by(|a, b| crate::text::vn_cmp(&a.name, &b.name));
                (
                    "ui.setup.pick.province",
                    ps.into_iter()
                        .map(|p| PickItem::new(p.code.clone(), province_label(&p.code)))
                        .collect(),
                )
            }
        };
        ScreenCmd::OpenPicker {
            title: tr(lang, title).to_string(),
            items,
            // Which list it was is remembered in `picking`.
            purpose: PickPurpose::Commune,
        }
    }

    fn save(&mut self, env: &Env, store: &mut Store) -> ScreenCmd {
        let lang = env.lang;
        let Some(role) = self.role else {
            self.step = SetupStep::Role;
            return ScreenCmd::None;
        };
        let input = ProfileInput {
            name: self.name.value().to_string(),
            role: role.as_str().to_string(),
            units: self.units.join(","),
            account: None,
        };
        match store.init_profile(&input, false) {
            Ok(_) => {
                self.done = true;
                self.error = None;
                next_screen(env, store)
            }
            Err(e) => {
                self.error = Some(crate::words::store_error_text(lang, &e));
                ScreenCmd::None
            }
        }
    }

    // ----- view -----

    /// "Phường Tân Bình (27004) — TP Hồ Chí Minh", or "12 xã/phường: A, B, …".
    fn scope_summary(&self, lang: Lang) -> String {
        match (self.role, self.units.as_slice()) {
            (Some(Role::Province), [p]) => province_label(p),
            (_, [c]) => commune_label(c, CommuneForm::WithProvince(lang)),
            (_, many) => {
                let names: Vec<String> = many
                    .iter()
                    .take(6)
                    .map(|c| commune_label(c, CommuneForm::FullName))
                    .collect();
                let more = if many.len() > names.len() {
                    ", …"
                } else {
                    ""
                };
                trf(
                    lang,
                    "ui.setup.scope_many",
                    &[&many.len(), &format!("{}{more}", names.join(", "))],
                )
            }
        }
    }

    fn render_unit(&self, frame: &mut Frame, inner: Rect, env: &Env) {
        let lang = env.lang;
        let theme = env.theme;
        let x = inner.x + 1;
        let w = inner.width as usize - 2;
        let bottom = inner.y + inner.height;
        let mut y = inner.y;
        let role = self.role.unwrap_or(Role::Commune);
        let intro = match role {
            Role::Commune => "ui.setup.unit.commune",
            Role::Area => "ui.setup.unit.area",
            Role::Province => "ui.setup.unit.province",
        };
        for line in wrap(tr(lang, intro), w) {
            frame.buffer_mut().set_stringn(x, y, line, w, theme.base);
            y += 1;
        }
        y += 1;
        let keys = env.keymap.keys_for(Action::Open, Context::List);
        if role != Role::Area && !self.units.is_empty() {
            // Chosen already (back from the last step): continue with it, or choose again.
            let chosen = match role {
                Role::Province => self.units.first().map(|p| province_label(p)),
                _ => self
                    .units
                    .first()
                    .map(|c| commune_label(c, CommuneForm::WithProvince(lang))),
            };
            if let Some(c) = chosen {
                let text = trf(lang, "ui.setup.chosen", &[&c]);
                frame
                    .buffer_mut()
                    .set_stringn(x, y, fit(&text, w), w, theme.base);
                y += 2;
            }
            let again = if role == Role::Province {
                "ui.setup.choose_province"
            } else {
                "ui.setup.choose_commune"
            };
            let rows = [tr(lang, "ui.setup.area.continue"), tr(lang, again)];
            for (i, label) in rows.iter().enumerate() {
                let sel = i == self.unit_sel.min(SINGLE_CHOOSE_AGAIN);
                menu_row(frame.buffer_mut(), (x, y, w), label, sel, theme);
                y += 1;
            }
            return;
        }
        if role != Role::Area {
            let (button, chosen) = match role {
                Role::Province => (
                    "ui.setup.choose_province",
                    self.units.first().map(|p| province_label(p)),
                ),
                _ => (
                    "ui.setup.choose_commune",
                    self.units
                        .first()
                        .map(|c| commune_label(c, CommuneForm::WithProvince(lang))),
                ),
            };
            let text = format!("{} ({keys})", tr(lang, button));
            let buf = frame.buffer_mut();
            menu_row(buf, (x, y, w), &text, true, theme);
            y += 2;
            if let Some(c) = chosen {
                let text = trf(lang, "ui.setup.chosen", &[&c]);
                buf.set_stringn(x, y, fit(&text, w), w, theme.base);
            }
            return;
        }
        // Area officer: a menu, then the chosen communes (Enter removes one).
        let fixed = [
            tr(lang, "ui.setup.area.add_commune").to_string(),
            tr(lang, "ui.setup.area.add_district").to_string(),
            tr(lang, "ui.setup.area.continue").to_string(),
        ];
        // Menu rows, a blank line, the heading, then the list.
        let list_top = y + fixed.len() as u16 + 2;
        for (i, label) in fixed.iter().enumerate() {
            let sel = i == self.unit_sel;
            menu_row(frame.buffer_mut(), (x, y, w), label, sel, theme);
            y += 1;
        }
        y += 1;
        let heading = if self.units.is_empty() {
            tr(lang, "ui.setup.area.none_yet").to_string()
        } else {
            trf(lang, "ui.setup.area.chosen", &[&self.units.len(), &keys])
        };
        if y < bottom {
            frame
                .buffer_mut()
                .set_stringn(x, y, fit(&heading, w), w, theme.dim);
        }
        // The chosen communes, scrolled so the highlighted one shows; leave room for an error.
        let reserve = if self.error.is_some() { 3 } else { 0 };
        let room = bottom.saturating_sub(list_top + reserve) as usize;
        if room == 0 || self.units.is_empty() {
            return;
        }
        let sel = self.unit_sel.checked_sub(AREA_FIXED_ROWS);
        let first = match sel {
            Some(s) if s >= room => s + 1 - room,
            _ => 0,
        };
        for (k, code) in self.units.iter().enumerate().skip(first).take(room) {
            let yy = list_top + (k - first) as u16;
            let label = commune_label(code, CommuneForm::WithProvince(lang));
            menu_row(
                frame.buffer_mut(),
                (x + 2, yy, w - 2),
                &label,
                sel == Some(k),
                theme,
            );
        }
    }
}

/// One row of a menu at `(x, y)`, `w` wide: "›" before the selected row, which is highlighted.
fn menu_row(
    buf: &mut ratatui::buffer::Buffer,
    (x, y, w): (u16, u16, usize),
    label: &str,
    selected: bool,
    theme: &crate::ui::theme::Theme,
) {
    if selected {
        buf.set_stringn(x, y, "›", 1, theme.title);
    }
    let style = if selected { theme.selected } else { theme.base };
    buf.set_stringn(x + 2, y, fit(label, w - 2), w - 2, style);
}

/// Where the app goes once the profile is saved: the facility list, in place of the wizard.
fn next_screen(env: &Env, store: &mut Store) -> ScreenCmd {
    ScreenCmd::Replace(super::home(env.lang, store))
}

impl Screen for SetupScreen {
    fn title(&self, lang: Lang) -> String {
        tr(lang, "ui.setup.title").to_string()
    }

    fn contexts(&self) -> &'static [Context] {
        match self.step {
            SetupStep::Name => &[Context::Form],
            _ => &[Context::List],
        }
    }

    fn handles(&self, action: Action) -> bool {
        match self.step {
            SetupStep::Name => matches!(action, Action::Open | Action::NextField),
            SetupStep::Role => matches!(
                action,
                Action::Up | Action::Down | Action::Home | Action::End | Action::Open
            ),
            SetupStep::Unit if self.role == Some(Role::Area) || !self.units.is_empty() => matches!(
                action,
                Action::Up | Action::Down | Action::Home | Action::End | Action::Open
            ),
            SetupStep::Unit | SetupStep::Confirm => matches!(action, Action::Open),
        }
    }

    fn handle_action(&mut self, action: Action, env: &Env, store: &mut Store) -> ScreenCmd {
        let lang = env.lang;
        if action == Action::Back {
            return self.back();
        }
        match self.step {
            SetupStep::Name => match action {
                Action::Open | Action::NextField => {
                    if crate::text::ingest(self.name.value()).is_empty() {
                        self.name_missing = true;
                    } else {
                        self.name_missing = false;
                        self.step = SetupStep::Role;
                    }
                    ScreenCmd::None
                }
                _ => ScreenCmd::Unhandled,
            },
            SetupStep::Role => match action {
                Action::Up => {
                    self.role_sel = self.role_sel.saturating_sub(1);
                    ScreenCmd::None
                }
                Action::Down => {
                    self.role_sel = (self.role_sel + 1).min(ROLES.len() - 1);
                    ScreenCmd::None
                }
                Action::Home => {
                    self.role_sel = 0;
                    ScreenCmd::None
                }
                Action::End => {
                    self.role_sel = ROLES.len() - 1;
                    ScreenCmd::None
                }
                Action::Open => {
                    let role = ROLES[self.role_sel.min(ROLES.len() - 1)];
                    if self.role != Some(role) {
                        self.units.clear();
                        self.unit_sel = 0;
                    }
                    self.role = Some(role);
                    self.error = None;
                    self.step = SetupStep::Unit;
                    match role {
                        // One choice to make: open the picker straight away.
                        Role::Commune => self.open_picker(UnitPick::Commune, lang),
                        Role::Province => self.open_picker(UnitPick::Province, lang),
                        Role::Area => ScreenCmd::None,
                    }
                }
                _ => ScreenCmd::Unhandled,
            },
            SetupStep::Unit => self.unit_action(action, lang),
            SetupStep::Confirm => match action {
                Action::Open => self.save(env, store),
                _ => ScreenCmd::Unhandled,
            },
        }
    }

    fn render(&self, frame: &mut Frame, area: Rect, env: &Env, focused: bool) {
        let lang = env.lang;
        let theme = env.theme;
        let step = trf(lang, "ui.setup.step", &[&self.step.number(), &4]);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border)
            .title(format!(" {} ", tr(lang, "ui.setup.title")))
            .title_style(theme.title)
            .title_bottom(Line::from(format!(" {step} ")).right_aligned());
        let inner = block.inner(area);
        block.render(area, frame.buffer_mut());
        if inner.height < 4 || inner.width < 20 {
            return;
        }
        let x = inner.x + 1;
        let w = inner.width as usize - 2;
        let bottom = inner.y + inner.height;
        let mut y = inner.y;
        // A paragraph of wrapped lines; returns false once the area is full.
        let para = |frame: &mut Frame, y: &mut u16, text: &str, style: Style| {
            for line in wrap(text, w) {
                if *y >= bottom {
                    return;
                }
                frame.buffer_mut().set_stringn(x, *y, line, w, style);
                *y += 1;
            }
        };
        // A step's closing hint: its key to go on and the one to go back.
        let hint = |frame: &mut Frame, y: &mut u16, key: &'static str| {
            let keys = env.keymap.keys_for(Action::Open, Context::List);
            let back = env.keymap.keys_for(Action::Back, Context::Global);
            para(frame, y, &trf(lang, key, &[&keys, &back]), theme.dim);
        };
        match self.step {
            SetupStep::Name => {
                para(frame, &mut y, tr(lang, "ui.setup.welcome"), theme.base);
                y += 1;
                let label = tr(lang, "ui.setup.name");
                let lw = crate::ui::widgets::width(label) as u16 + 1;
                if y < bottom {
                    frame.buffer_mut().set_stringn(x, y, label, w, theme.title);
                    let field = Rect::new(x + lw, y, (w as u16).saturating_sub(lw).min(40), 1);
                    self.name.render(frame, field, theme.input, focused);
                    y += 1;
                }
                if self.name_missing {
                    let msg = trf(lang, "ui.form.error", &[&tr(lang, "problem.required")]);
                    if y < bottom {
                        frame.buffer_mut().set_stringn(
                            x + lw,
                            y,
                            msg,
                            w.saturating_sub(lw as usize),
                            error_style(theme),
                        );
                    }
                }
                y += 2;
                let keys = env.keymap.keys_for(Action::Open, Context::Form);
                para(
                    frame,
                    &mut y,
                    &trf(lang, "ui.setup.name.hint", &[&keys]),
                    theme.dim,
                );
            }
            SetupStep::Role => {
                para(
                    frame,
                    &mut y,
                    &trf(lang, "ui.setup.role.question", &[&clean(self.name.value())]),
                    theme.base,
                );
                y += 1;
                for (i, r) in ROLES.iter().enumerate() {
                    if y + 1 >= bottom {
                        break;
                    }
                    let sel = i == self.role_sel;
                    let mark = if sel { "›" } else { " " };
                    let style = if sel { theme.selected } else { theme.base };
                    let buf = frame.buffer_mut();
                    buf.set_stringn(x, y, mark, 1, theme.title);
                    buf.set_stringn(
                        x + 2,
                        y,
                        fit(tr(lang, role_label_key(*r)), w - 2),
                        w - 2,
                        style,
                    );
                    buf.set_stringn(
                        x + 4,
                        y + 1,
                        fit(tr(lang, role_about_key(*r)), w - 4),
                        w - 4,
                        theme.dim,
                    );
                    y += 3;
                }
                hint(frame, &mut y, "ui.setup.choose_hint");
            }
            SetupStep::Unit => self.render_unit(frame, inner, env),
            SetupStep::Confirm => {
                para(
                    frame,
                    &mut y,
                    tr(lang, "ui.setup.confirm.intro"),
                    theme.base,
                );
                y += 1;
                let role = self.role.map_or("", |r| tr(lang, role_label_key(r)));
                let rows = [
                    (tr(lang, "ui.setup.name"), clean(self.name.value())),
                    (tr(lang, "ui.setup.role"), role.to_string()),
                    (tr(lang, "ui.setup.unit"), self.scope_summary(lang)),
                ];
                let lw = rows
                    .iter()
                    .map(|(l, _)| crate::ui::widgets::width(l))
                    .max()
                    .unwrap_or(0)
                    + 1;
                for (label, value) in rows {
                    if y >= bottom {
                        break;
                    }
                    frame
                        .buffer_mut()
                        .set_stringn(x + 2, y, label, w - 2, theme.title);
                    let vw = w.saturating_sub(lw + 2);
                    for line in wrap(&value, vw).into_iter().take(4) {
                        if y >= bottom {
                            break;
                        }
                        frame
                            .buffer_mut()
                            .set_stringn(x + 2 + lw as u16, y, line, vw, theme.base);
                        y += 1;
                    }
                }
                y += 1;
                if y < bottom {
                    let button = format!("[ {} ]", tr(lang, "ui.setup.save"));
                    frame
                        .buffer_mut()
                        .set_stringn(x + 2, y, button, w - 2, theme.button_focused);
                    y += 2;
                }
                hint(frame, &mut y, "ui.setup.confirm.hint");
            }
        }
        if let Some(e) = &self.error {
            let lines = wrap(&clean(e), w);
            let n = lines.len().min(3) as u16;
            let top = bottom.saturating_sub(n);
            for (i, line) in lines.iter().take(3).enumerate() {
                frame
                    .buffer_mut()
                    .set_stringn(x, top + i as u16, line, w, error_style(theme));
            }
        }
    }

    fn handle_text_key(&mut self, key: &KeyEvent) -> bool {
        if self.step != SetupStep::Name {
            return false;
        }
        let used = self.name.handle_key(key);
        if used {
            self.name_missing = false;
        }
        used
    }

    fn handle_paste(&mut self, text: &str) -> bool {
        if self.step != SetupStep::Name {
            return false;
        }
        self.name.insert_str(text);
        true
    }

    fn on_pick(
        &mut self,
        _purpose: PickPurpose,
        code: &str,
        env: &Env,
        _store: &mut Store,
    ) -> ScreenCmd {
        let lang = env.lang;
        let Some(kind) = self.picking.take() else {
            return ScreenCmd::None;
        };
        self.error = None;
        match (kind, self.role) {
            (UnitPick::Commune, Some(Role::Area)) => {
                if !self.units.iter().any(|c| c == code) {
                    self.units.push(code.to_string());
                    self.units.sort();
                }
                ScreenCmd::None
            }
            (UnitPick::OldDistrict, _) => {
                let new = units().new_communes_of_old_district(code);
                let before = self.units.len();
                for c in new {
                    if !self.units.iter().any(|x| x == c) {
                        self.units.push(c.to_string());
                    }
                }
                self.units.sort();
                let added = self.units.len() - before;
                ScreenCmd::Toast(trf(
                    lang,
                    "ui.setup.district_added",
                    &[&added, &old_district_label(lang, code)],
                ))
            }
            (UnitPick::Commune, _) | (UnitPick::Province, _) => {
                self.units = vec![code.to_string()];
                self.step = SetupStep::Confirm;
                ScreenCmd::None
            }
        }
    }

    fn on_confirm(&mut self, _action: Action, _env: &Env, _store: &mut Store) -> ScreenCmd {
        ScreenCmd::None
    }

    fn on_data_changed(&mut self, _store: &mut Store) -> ScreenCmd {
        ScreenCmd::None
    }

    /// What the user types is never reloaded under them.
    fn follows_outside_changes(&self) -> bool {
        false
    }

    fn has_unsaved_changes(&self) -> bool {
        !self.done && (!self.name.value().trim().is_empty() || self.role.is_some())
    }
}
