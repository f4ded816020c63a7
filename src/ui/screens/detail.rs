//! One facility: every field, and panes for its consultations, proposals and change history.
//!
//! Everything shown is loaded (and formatted, sanitized) by [`DetailScreen::open`] and on
//! `on_data_changed`; drawing only wraps the prepared lines to the width it is given.

use std::cell::Cell;

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::Frame;

use super::consult::topics_text;
use super::{archived_toast, ConsultScreen, Env, Screen, ScreenCmd};
use crate::domain::consultation::{days_late, dmy, Amendment, Consultation, ConsultationField};
use crate::domain::facility::{format_phone, Facility, FacilityField, FacilityStatus};
use crate::refdata::codes;
use crate::store::{ChangeEntry, ConsultationFilter, Store, StoreError};
use crate::text::sanitize;
use crate::ui::keymap::{Action, Context};
use crate::ui::widgets::bars::wrap;
use crate::ui::widgets::screen_frame;
use crate::ui::widgets::{fit, width};
use crate::words::format;
use crate::words::{tr, trf, Lang};

/// The panes, in tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Info,
    Consultations,
    Proposals,
    History,
}

impl Pane {
    pub const ALL: [Pane; 4] = [
        Pane::Info,
        Pane::Consultations,
        Pane::Proposals,
        Pane::History,
    ];

    fn index(self) -> usize {
        match self {
            Pane::Info => 0,
            Pane::Consultations => 1,
            Pane::Proposals => 2,
            Pane::History => 3,
        }
    }

    fn label_key(self) -> &'static str {
        match self {
            Pane::Info => "ui.detail.pane.info",
            Pane::Consultations => "ui.detail.pane.consultations",
            Pane::Proposals => "ui.detail.pane.proposals",
            Pane::History => "ui.detail.pane.history",
        }
    }
}

/// A prepared line of a pane: a label (may be empty) and its text; `strong` for headings.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Item {
    label: String,
    text: String,
    strong: bool,
    dim: bool,
}

impl Item {
    fn field(label: impl Into<String>, text: impl Into<String>, empty: &str) -> Item {
        let text = text.into();
        let dim = text.is_empty();
        Item {
            label: label.into(),
            text: if dim { empty.to_string() } else { text },
            strong: false,
            dim,
        }
    }

    fn heading(text: impl Into<String>) -> Item {
        Item {
            label: String::new(),
            text: text.into(),
            strong: true,
            dim: false,
        }
    }

    fn text(text: impl Into<String>) -> Item {
        Item {
            label: String::new(),
            text: text.into(),
            strong: false,
            dim: false,
        }
    }

    fn dim(text: impl Into<String>) -> Item {
        Item {
            dim: true,
            ..Item::text(text)
        }
    }

    fn blank() -> Item {
        Item::text("")
    }
}

#[derive(Debug)]
pub struct DetailScreen {
    lang: Lang,
    facility: Facility,
    pane: Pane,
    info: Vec<Item>,
    history: Vec<Item>,
    history_count: usize,
    /// The facility's proposals, one line each (newest plan year first).
    proposals: Vec<Item>,
    /// The activities it took part in, shown after its consultations (a heading, then one
    /// line each, newest first); empty when none.
    activities: Vec<Item>,
    /// The newest consultations with the facility, and each one's lines.
    timeline: Vec<Consultation>,
    timeline_items: Vec<Vec<Item>>,
    timeline_total: usize,
    /// The selected consultation (Up/Down in the consultations pane).
    selected: usize,
    /// Scroll offset per pane.
    scroll: [usize; 4],
    /// The consultations pane's scroll, which follows the selection as it is drawn.
    scroll_cell: Cell<usize>,
    /// Lines visible and lines in the pane, as last drawn (for PgUp/PgDn and clamping).
    page: Cell<usize>,
    lines: Cell<usize>,
}

impl DetailScreen {
    /// Load facility `id`; `None` if there is no such record.
    pub fn open(id: &str, lang: Lang, store: &Store) -> Result<Option<DetailScreen>, StoreError> {
        let Some(facility) = store.facility(id)? else {
            return Ok(None);
        };
        let mut d = DetailScreen {
            lang,
            facility,
            pane: Pane::Info,
            info: Vec::new(),
            history: Vec::new(),
            history_count: 0,
            proposals: Vec::new(),
            activities: Vec::new(),
            timeline: Vec::new(),
            timeline_items: Vec::new(),
            timeline_total: 0,
            selected: 0,
            scroll: [0; 4],
            scroll_cell: Cell::new(0),
            page: Cell::new(1),
            lines: Cell::new(0),
        };
        d.prepare(store)?;
        Ok(Some(d))
    }

    pub fn facility(&self) -> &Facility {
        &self.facility
    }

    pub fn pane(&self) -> Pane {
        self.pane
    }

    /// The text of the current pane's lines (tests).
    pub fn pane_text(&self) -> Vec<String> {
        let flat: Vec<Item>;
        let items = match self.pane {
            Pane::Info => &self.info,
            Pane::History => &self.history,
            Pane::Consultations => {
                flat = self
                    .timeline_items
                    .iter()
                    .flatten()
                    .chain(&self.activities)
                    .cloned()
                    .collect();
                &flat
            }
            _ => return Vec::new(),
        };
        items
            .iter()
            .map(|i| {
                if i.label.is_empty() {
                    i.text.clone()
                } else {
                    format!("{}: {}", i.label, i.text)
                }
            })
            .collect()
    }

    // ----- loading -----

    fn prepare(&mut self, store: &Store) -> Result<(), StoreError> {
        let l = self.lang;
        let f = &self.facility;
        let d = &f.data;
        let empty = tr(l, "ui.detail.empty");
        let mut info = Vec::new();
        if f.meta.archived {
            info.push(Item::heading(tr(l, "ui.detail.archived_note")));
            info.push(Item::blank());
        }
        let num = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
        for field in FacilityField::ALL {
            let value = match field {
                FacilityField::Name => d.name.clone(),
                FacilityField::EntityType => {
                    format::code_with_label(l, &codes().entity_types, d.entity_type.as_deref())
                }
                FacilityField::TaxCode => d.tax_code.clone().unwrap_or_default(),
                FacilityField::Representative => d.representative.clone(),
                FacilityField::Phone => d.phone.as_deref().map(format_phone).unwrap_or_default(),
                FacilityField::Address => d.address.clone(),
                FacilityField::CommuneCode => {
                    format::commune_label(&d.commune_code, format::CommuneForm::WithProvinceFull)
                }
                FacilityField::TradeGroup => {
                    format::code_with_label(l, &codes().trade_groups, d.trade_group.as_deref())
                }
                FacilityField::Products => d.products.clone(),
                FacilityField::Workers => d
                    .workers
                    .map(|w| format::count(w.max(0) as usize))
                    .unwrap_or_default(),
                FacilityField::FoundedYear => num(d.founded_year.map(i64::from)),
                FacilityField::CraftVillage => d.craft_village.clone(),
                FacilityField::OcopStars => d
                    .ocop_stars
                    .map(|n| trf(l, "ui.detail.stars", &[&n]))
                    .unwrap_or_default(),
                FacilityField::OcopYear => num(d.ocop_year.map(i64::from)),
                FacilityField::TypicalLevel => d
                    .typical_level
                    .as_deref()
                    .map(|v| format::typical_level_label(l, v))
                    .unwrap_or_default(),
                FacilityField::TypicalYear => num(d.typical_year.map(i64::from)),
                FacilityField::Exports => format::yes_no(l, d.exports).to_string(),
                FacilityField::LocalMaterials => format::yes_no(l, d.local_materials).to_string(),
                FacilityField::WomanOwned => format::yes_no(l, d.woman_owned).to_string(),
                FacilityField::EthnicOwned => format::yes_no(l, d.ethnic_owned).to_string(),
                FacilityField::DifficultArea => format::yes_no(l, d.difficult_area).to_string(),
                FacilityField::Status => tr(l, format::status_key(d.status)).to_string(),
                FacilityField::Notes => d.notes.clone(),
            };
            info.push(Item::field(tr(l, field.label_key()), value, empty));
        }
        // The register: the village it is linked to, its products and their titles.
        if let Some(vid) = &f.village_id {
            let village = store
                .village(vid)?
                .map(|(v, _)| {
                    let status = crate::words::village::village_status_text(l, &v.status);
                    format!("{} — {status}", v.name)
                })
                .unwrap_or_default();
            info.push(Item::field(tr(l, "village.field.village"), village, empty));
        }
        let products = store.products_of(&f.id)?;
        if !products.is_empty() {
            info.push(Item::blank());
            info.push(Item::heading(tr(l, "col.products")));
            let today = store.today();
            for (p, _) in &products {
                let titles: Vec<String> = p
                    .titles
                    .iter()
                    .map(|t| crate::words::village::title_text(l, t, today))
                    .collect();
                info.push(Item::field(p.name.clone(), titles.join("; "), empty));
            }
        }
        info.push(Item::blank());
        // "when, by whom": the author's name where the profile is known, else the id.
        let when_who = |at: &str, id: &str| -> String {
            let who = match store.collaborator(id) {
                Ok(Some(p)) => p.name,
                _ => id.to_string(),
            };
            trf(l, "ui.detail.when_who", &[&format::local_time(at), &who])
        };
        let m = &f.meta;
        for (label, at, by) in [
            ("ui.detail.created", &m.created_at, &m.created_by),
            ("ui.detail.updated", &m.updated_at, &m.updated_by),
        ] {
            info.push(Item::field(tr(l, label), when_who(at, by), empty));
        }
        info.push(Item::field(
            tr(l, "ui.detail.version"),
            f.meta.version.to_string(),
            empty,
        ));
        info.push(Item::field(
            tr(l, "ui.detail.archived"),
            format::yes_no(l, f.meta.archived),
            empty,
        ));
        info.push(Item::field(tr(l, "ui.detail.id"), f.id.clone(), empty));
        self.info = info;

        self.load_timeline(store)?;

        let f = &self.facility;
        let mut entries = store.history("facility", &f.id)?;
        entries.reverse(); // newest first
        self.history_count = entries.len();
        self.history = history_items(l, &entries);
        self.activities = activity_items(l, &store.activities_of_facility(&self.facility.id)?);
        let filter = crate::store::ProposalFilter {
            facility_id: Some(self.facility.id.clone()),
            ..Default::default()
        };
        self.proposals = store
            .list_proposals(&filter, 0, 50)?
            .iter()
            .map(|p| {
                Item::text(format!(
                    "{} · {} · {} · {} · {}",
                    p.data.plan_year,
                    tr(l, super::proposals::status_short_key(p.status)),
                    sanitize(&p.data.category),
                    crate::domain::money::format_vnd(p.data.money.support),
                    sanitize(&p.data.title)
                ))
            })
            .collect();
        Ok(())
    }

    /// The facility's consultations, newest first, as the timeline shows them.
    fn load_timeline(&mut self, store: &Store) -> Result<(), StoreError> {
        let l = self.lang;
        // Keep the same consultation selected when others add one above it.
        let keep = self.timeline.get(self.selected).map(|c| c.id.clone());
        self.timeline = store.facility_timeline(&self.facility.id, 0, TIMELINE_MAX)?;
        if let Some(at) = keep.and_then(|id| self.timeline.iter().position(|c| c.id == id)) {
            self.selected = at;
        }
        self.timeline_total = store
            .count_consultations(&ConsultationFilter {
                facility_id: Some(self.facility.id.clone()),
                ..Default::default()
            })?
            .max(self.timeline.len());
        let today = store.today();
        let mut groups = Vec::with_capacity(self.timeline.len());
        for c in &self.timeline {
            let amendments = if c.amendments > 0 {
                store.amendments(&c.id)?
            } else {
                Vec::new()
            };
            groups.push(timeline_items(l, c, &amendments, today));
        }
        self.timeline_items = groups;
        self.selected = self.selected.min(self.timeline.len().saturating_sub(1));
        Ok(())
    }

    /// The consultation selected in the timeline, if any.
    pub fn selected_consultation(&self) -> Option<&Consultation> {
        self.timeline.get(self.selected)
    }

    fn reload(&mut self, store: &Store) -> ScreenCmd {
        match store.facility(&self.facility.id) {
            Ok(Some(f)) => {
                self.facility = f;
                match self.prepare(store) {
                    Ok(()) => ScreenCmd::None,
                    Err(e) => ScreenCmd::Error(crate::words::store_error_text(self.lang, &e)),
                }
            }
            Ok(None) => ScreenCmd::Error(tr(self.lang, "ui.list.gone").to_string()),
            Err(e) => ScreenCmd::Error(crate::words::store_error_text(self.lang, &e)),
        }
    }

    // ----- actions -----

    fn set_pane(&mut self, pane: Pane) {
        self.pane = pane;
    }

    fn scroll_by(&mut self, action: Action) {
        let page = self.page.get().max(1);
        let max = self.lines.get().saturating_sub(page);
        let s = &mut self.scroll[self.pane.index()];
        *s = match action {
            Action::Up => s.saturating_sub(1),
            Action::Down => (*s + 1).min(max),
            Action::PageUp => s.saturating_sub(page),
            Action::PageDown => (*s + page).min(max),
            Action::Home => 0,
            Action::End => max,
            _ => *s,
        };
    }

    fn select_by(&mut self, action: Action) {
        let n = self.timeline.len();
        if n == 0 {
            return;
        }
        self.selected = match action {
            Action::Up => self.selected.saturating_sub(1),
            Action::Down => (self.selected + 1).min(n - 1),
            Action::PageUp => self.selected.saturating_sub(5),
            Action::PageDown => (self.selected + 5).min(n - 1),
            Action::Home => 0,
            _ => n - 1,
        };
    }

    fn set_archived(&mut self, archived: bool, store: &mut Store) -> ScreenCmd {
        let f = &self.facility;
        let result = store.set_facility_archived(&f.id, f.meta.version, archived);
        let reloaded = self.reload(store);
        match result {
            Ok(f) => archived_toast(self.lang, archived, &f),
            Err(e) => {
                let _ = reloaded;
                ScreenCmd::Error(crate::words::store_error_text(self.lang, &e))
            }
        }
    }

    // ----- drawing -----

    /// The timeline wrapped to `w`, and the line range of the selected consultation.
    fn timeline_lines(&self, l: Lang, w: usize) -> (Vec<Laid>, (usize, usize)) {
        let mut lines = vec![Laid {
            label: String::new(),
            indent: 0,
            text: {
                let mut t = trf(l, "ui.timeline.count", &[&self.timeline_total]);
                if self.timeline_total > self.timeline.len() {
                    t.push_str(" · ");
                    t.push_str(&trf(
                        l,
                        "ui.timeline.more",
                        &[&(self.timeline_total - self.timeline.len())],
                    ));
                }
                t
            },
            strong: false,
            dim: true,
            selected: false,
        }];
        let mut range = (0, 0);
        for (i, group) in self.timeline_items.iter().enumerate() {
            lines.push(Laid {
                label: String::new(),
                indent: 0,
                text: String::new(),
                strong: false,
                dim: false,
                selected: false,
            });
            let start = lines.len();
            let mut laid = layout_items(group, w);
            if i == self.selected {
                if let Some(first) = laid.first_mut() {
                    first.selected = true;
                    first.text = format!("› {}", first.text);
                }
                range = (start, start + laid.len());
            }
            lines.append(&mut laid);
        }
        (lines, range)
    }

    fn render_tabs(&self, frame: &mut Frame, area: Rect, env: &Env) {
        let theme = env.theme;
        let buf = frame.buffer_mut();
        let mut x = area.x;
        let end = area.x + area.width;
        // Every tab stays reachable on a narrow screen: the counts go first, then the names
        // of the tabs not shown (their digit stays).
        let labels = |counts: bool, names: bool| -> Vec<String> {
            Pane::ALL
                .iter()
                .enumerate()
                .map(|(i, pane)| {
                    let count = match pane {
                        Pane::Consultations => self.timeline_total,
                        Pane::History => self.history_count,
                        _ => 0,
                    };
                    let name = tr(env.lang, pane.label_key());
                    match (names || *pane == self.pane, counts && count > 0) {
                        (true, true) => format!(" {} {name} ({count}) ", i + 1),
                        (true, false) => format!(" {} {name} ", i + 1),
                        (false, _) => format!(" {} ", i + 1),
                    }
                })
                .collect()
        };
        let fits = |ls: &[String]| {
            ls.iter().map(|l| width(l) + 1).sum::<usize>() <= area.width as usize + 1
        };
        let labels = [(true, true), (false, true), (false, false)]
            .into_iter()
            .map(|(c, n)| labels(c, n))
            .find(|ls| fits(ls))
            .unwrap_or_else(|| labels(false, false));
        for (pane, label) in Pane::ALL.iter().zip(&labels) {
            let w = width(label) as u16;
            if x + w > end {
                break;
            }
            let style = if *pane == self.pane {
                theme.selected
            } else {
                theme.base
            };
            buf.set_stringn(x, area.y, label, w as usize, style);
            x += w + 1;
        }
    }
}

/// A wrapped line ready to draw.
struct Laid {
    label: String,
    indent: usize,
    text: String,
    strong: bool,
    dim: bool,
    selected: bool,
}

/// Wrap items to `w` cells: labels in a left column, values wrapped beside them; multi-line
/// values (notes) keep their line breaks.
fn layout_items(items: &[Item], w: usize) -> Vec<Laid> {
    let label_w = items
        .iter()
        .map(|i| width(&i.label))
        .max()
        .unwrap_or(0)
        .min(w / 2);
    let indent = if label_w == 0 { 0 } else { label_w + 2 };
    let value_w = w.saturating_sub(indent).max(1);
    let mut out = Vec::new();
    for item in items {
        let mut first = true;
        let label = fit(&item.label, label_w);
        let (ind, vw) = if item.label.is_empty() {
            (0, w.max(1))
        } else {
            (indent, value_w)
        };
        for para in item.text.split('\n') {
            let mut wrapped = wrap(&sanitize(para), vw);
            if wrapped.is_empty() {
                wrapped.push(String::new());
            }
            for piece in wrapped {
                out.push(Laid {
                    label: if first { label.clone() } else { String::new() },
                    indent: ind,
                    text: piece,
                    strong: item.strong,
                    dim: item.dim,
                    selected: false,
                });
                first = false;
            }
        }
    }
    out
}

/// The activities a facility took part in: a heading, then «dates · kind · title» each.
fn activity_items(l: Lang, rows: &[crate::store::ActivityRow]) -> Vec<Item> {
    if rows.is_empty() {
        return Vec::new();
    }
    let mut items = vec![
        Item::blank(),
        Item::heading(trf(l, "ui.activity.detail_heading", &[&rows.len()])),
    ];
    items.extend(rows.iter().map(|r| &r.record).map(|r| {
        Item::text(format!(
            "{} · {} · {}",
            crate::words::activity::period_text(&r.start_date, r.end_date.as_deref()),
            crate::words::activity::kind_label(l, &r.kind),
            sanitize(&r.title)
        ))
    }));
    items
}

/// At most this many consultations are loaded into a facility's timeline.
const TIMELINE_MAX: usize = 200;

/// One consultation as timeline lines: when, how and by whom; topics; what was said; the
/// follow-up; and each correction (who, when, why, what changed) under it.
fn timeline_items(
    l: Lang,
    c: &Consultation,
    amendments: &[Amendment],
    today: chrono::NaiveDate,
) -> Vec<Item> {
    let d = &c.data;
    let mut out = vec![Item::heading(trf(
        l,
        "ui.timeline.by",
        &[
            &dmy(d.date),
            &format::code_label(l, &codes().consultation_modes, Some(&d.mode)),
            &sanitize(&c.collaborator_name),
        ],
    ))];
    let label = |f: ConsultationField| tr(l, f.label_key()).to_string();
    if !d.topics.is_empty() {
        out.push(Item::field(
            label(ConsultationField::Topics),
            topics_text(l, &d.topics),
            "",
        ));
    }
    for (f, text) in [
        (ConsultationField::Difficulties, &d.difficulties),
        (ConsultationField::Needs, &d.needs),
        (ConsultationField::Advice, &d.advice),
        (ConsultationField::NextStep, &d.next_step),
    ] {
        if !text.is_empty() {
            out.push(Item::field(label(f), text.clone(), ""));
        }
    }
    if let Some(fu) = &c.follow_up {
        let text = match fu.status {
            crate::domain::consultation::FollowUpStatus::Done => trf(
                l,
                "ui.timeline.follow_up_done",
                &[
                    &dmy(fu.due_date),
                    &fu.closed_at
                        .as_deref()
                        .map(format::local_time)
                        .unwrap_or_default(),
                ],
            ),
            _ if fu.due_date < today => trf(
                l,
                "ui.timeline.follow_up_late",
                &[&dmy(fu.due_date), &days_late(fu.due_date, today)],
            ),
            _ => trf(l, "ui.timeline.follow_up_open", &[&dmy(fu.due_date)]),
        };
        out.push(Item::text(text));
    }
    if !amendments.is_empty() {
        out.push(Item::dim(trf(
            l,
            "ui.timeline.amended",
            &[&amendments.len()],
        )));
        for a in amendments {
            out.push(Item::dim(format!(
                "  {}",
                trf(
                    l,
                    "ui.timeline.amendment",
                    &[
                        &format::local_time(&a.at),
                        &sanitize(&a.actor_name),
                        &sanitize(&a.reason)
                    ],
                )
            )));
            for (k, v) in &a.changes {
                let name = ConsultationField::from_key(k)
                    .map(|f| tr(l, f.label_key()).to_string())
                    .unwrap_or_else(|| sanitize(k));
                let show = |v: Option<&serde_json::Value>| match v {
                    Some(serde_json::Value::String(s)) if !s.is_empty() => sanitize(s),
                    Some(serde_json::Value::Array(a)) if !a.is_empty() => a
                        .iter()
                        .filter_map(|x| x.as_str())
                        .map(sanitize)
                        .collect::<Vec<_>>()
                        .join(", "),
                    Some(serde_json::Value::Null) | None => tr(l, "ui.history.empty").to_string(),
                    Some(other) => sanitize(&other.to_string()),
                };
                out.push(Item::dim(format!(
                    "    {name}: {} → {}",
                    show(v.get(0)),
                    show(v.get(1))
                )));
            }
        }
    }
    out
}

/// The change log as lines, in the order given (newest first).
fn history_items(l: Lang, entries: &[ChangeEntry]) -> Vec<Item> {
    let mut out = Vec::new();
    for (n, e) in entries.iter().enumerate() {
        if n > 0 {
            out.push(Item::blank());
        }
        let action = match e.from_bundle {
            Some(seq) if e.action == "create" => trf(
                l,
                "history.create_from_bundle",
                &[&seq, &sanitize(&e.actor_name)],
            ),
            _ => crate::words::format::history_action_key(&e.action)
                .map(|k| tr(l, k).to_string())
                .unwrap_or_else(|| sanitize(&e.action)),
        };
        out.push(Item::heading(trf(
            l,
            "ui.history.entry",
            &[
                &format::local_time(&e.at),
                &sanitize(&e.actor_name),
                &action,
                &e.version,
            ],
        )));
        match e.action.as_str() {
            "create" => {
                let fields: Vec<&str> = e
                    .changes
                    .iter()
                    .filter(|(_, v)| !is_empty_json(v.get(1)))
                    .map(|(k, _)| field_label(l, k))
                    .collect();
                if !fields.is_empty() {
                    out.push(Item::text(format!(
                        "  {}",
                        trf(l, "ui.history.created_with", &[&fields.join(", ")])
                    )));
                }
            }
            "archive" | "restore" => {}
            _ => {
                for (k, v) in &e.changes {
                    let old = value_text(l, k, v.get(0));
                    let new = value_text(l, k, v.get(1));
                    out.push(Item::text(format!(
                        "  {}: {old} → {new}",
                        field_label(l, k)
                    )));
                }
            }
        }
    }
    out
}

fn field_label(l: Lang, key: &str) -> &'static str {
    match FacilityField::from_key(key) {
        Some(f) => tr(l, f.label_key()),
        None => "?",
    }
}

fn is_empty_json(v: Option<&serde_json::Value>) -> bool {
    match v {
        None | Some(serde_json::Value::Null) => true,
        Some(serde_json::Value::String(s)) => s.is_empty(),
        Some(serde_json::Value::Bool(b)) => !b,
        _ => false,
    }
}

/// A change-log value as people read it.
fn value_text(l: Lang, key: &str, v: Option<&serde_json::Value>) -> String {
    use serde_json::Value;
    let empty = || tr(l, "ui.history.empty").to_string();
    match v {
        None | Some(Value::Null) => empty(),
        Some(Value::Bool(b)) => format::yes_no(l, *b).to_string(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) if s.is_empty() => empty(),
        Some(Value::String(s)) => match FacilityField::from_key(key) {
            Some(FacilityField::CommuneCode) => {
                format!(
                    "{} ({s})",
                    format::commune_label(s, format::CommuneForm::Name)
                )
            }
            Some(FacilityField::Status) => FacilityStatus::parse(s)
                .map(|st| tr(l, format::status_key(st)).to_string())
                .unwrap_or_else(|| sanitize(s)),
            Some(FacilityField::TypicalLevel) => format::typical_level_label(l, s),
            Some(FacilityField::Phone) => format_phone(s),
            _ => sanitize(&s.replace('\n', " ")),
        },
        Some(other) => sanitize(&other.to_string()),
    }
}

impl Screen for DetailScreen {
    fn title(&self, _lang: Lang) -> String {
        sanitize(&self.facility.data.name)
    }

    fn contexts(&self) -> &'static [Context] {
        &[Context::Detail]
    }

    fn handles(&self, action: Action) -> bool {
        match action {
            Action::Archive | Action::LogConsultation | Action::Flag => {
                !self.facility.meta.archived
            }
            Action::Restore => self.facility.meta.archived,
            Action::Edit
            | Action::NextPane
            | Action::PrevPane
            | Action::Pane1
            | Action::Pane2
            | Action::Pane3
            | Action::Pane4 => true,
            _ if action.is_move() => true,
            _ => false,
        }
    }

    fn handle_action(&mut self, action: Action, env: &Env, store: &mut Store) -> ScreenCmd {
        let i = self.pane.index();
        match action {
            Action::NextPane => self.set_pane(Pane::ALL[(i + 1) % 4]),
            Action::PrevPane => self.set_pane(Pane::ALL[(i + 3) % 4]),
            Action::Pane1 => self.set_pane(Pane::Info),
            Action::Pane2 => self.set_pane(Pane::Consultations),
            Action::Pane3 => self.set_pane(Pane::Proposals),
            Action::Pane4 => self.set_pane(Pane::History),
            _ if action.is_move() && self.pane == Pane::Consultations => self.select_by(action),
            _ if action.is_move() => self.scroll_by(action),
            Action::LogConsultation if !self.facility.meta.archived => {
                return super::log_consultation(
                    &self.facility.id,
                    &self.facility.data.name,
                    self.lang,
                    store,
                )
            }
            Action::Flag if !self.facility.meta.archived => {
                return super::flag_facility(&self.facility.id, env, store)
            }
            Action::Edit if self.pane == Pane::Consultations => {
                if let Some(c) = self.selected_consultation() {
                    return ScreenCmd::Push(Box::new(ConsultScreen::correcting(c, store)));
                }
            }
            Action::Edit => return super::edit_facility_form(self.facility.clone(), env, store),
            Action::Archive | Action::Restore
                if store.check_scope(&self.facility.data.commune_code).is_err() =>
            {
                return super::refuse_for_facility(self.lang, store, &self.facility.id)
                    .unwrap_or(ScreenCmd::None)
            }
            Action::Archive if !self.facility.meta.archived => {
                return ScreenCmd::Confirm {
                    message: trf(
                        env.lang,
                        "ui.list.confirm_archive",
                        &[&sanitize(&self.facility.data.name)],
                    ),
                    action: Action::Archive,
                }
            }
            Action::Restore if self.facility.meta.archived => {
                return self.set_archived(false, store)
            }
            _ => return ScreenCmd::Unhandled,
        }
        ScreenCmd::None
    }

    fn render(&self, frame: &mut Frame, area: Rect, env: &Env, _focused: bool) {
        let l = env.lang;
        let theme = env.theme;
        let name = sanitize(&self.facility.data.name);
        let max_title = (area.width as usize).saturating_sub(20);
        let badge = if self.facility.meta.archived {
            Some((tr(l, "ui.detail.archived_badge"), theme.error))
        } else if self.facility.data.status != FacilityStatus::Active {
            Some((
                tr(l, format::status_key(self.facility.data.status)),
                theme.base,
            ))
        } else {
            None
        };
        let title = fit(&name, max_title);
        let Some(inner) = screen_frame(frame, area, theme, &title, badge, (12, 3)) else {
            return;
        };
        self.render_tabs(frame, Rect { height: 1, ..inner }, env);
        let body = Rect {
            y: inner.y + 2,
            height: inner.height - 2,
            ..inner
        };
        let lines = match self.pane {
            Pane::Info => layout_items(&self.info, body.width as usize),
            Pane::History if self.history.is_empty() => layout_items(
                &[Item::dim(tr(l, "ui.detail.no_history"))],
                body.width as usize,
            ),
            Pane::History => layout_items(&self.history, body.width as usize),
            Pane::Consultations if self.timeline.is_empty() => {
                let keys = env
                    .keymap
                    .keys_for(Action::LogConsultation, Context::Detail);
                let mut items = vec![Item::dim(trf(l, "ui.detail.no_consultations", &[&keys]))];
                items.extend(self.activities.iter().cloned());
                layout_items(&items, body.width as usize)
            }
            Pane::Consultations => {
                let (mut lines, (start, end)) = self.timeline_lines(l, body.width as usize);
                lines.extend(layout_items(&self.activities, body.width as usize));
                // Keep the selected consultation in view (its top first).
                let page = body.height as usize;
                let s = &self.scroll_cell;
                let mut top = s.get().min(lines.len().saturating_sub(page));
                if start < top {
                    top = start;
                } else if end > top + page {
                    top = end.saturating_sub(page).min(start);
                }
                s.set(top);
                lines
            }
            Pane::Proposals if self.proposals.is_empty() => layout_items(
                &[Item::dim(tr(l, "ui.detail.no_proposals"))],
                body.width as usize,
            ),
            Pane::Proposals => layout_items(&self.proposals, body.width as usize),
        };
        let page = body.height as usize;
        self.page.set(page);
        self.lines.set(lines.len());
        let scroll = if self.pane == Pane::Consultations {
            self.scroll_cell.get()
        } else {
            self.scroll[self.pane.index()]
        }
        .min(lines.len().saturating_sub(page));
        let buf = frame.buffer_mut();
        for (row, line) in lines.iter().skip(scroll).take(page).enumerate() {
            let y = body.y + row as u16;
            let mut x = body.x;
            let w = body.width as usize;
            if !line.label.is_empty() {
                buf.set_stringn(x, y, &line.label, w, theme.dim);
            }
            x += line.indent as u16;
            let style = if line.selected {
                theme.selected
            } else if line.strong {
                theme.title
            } else if line.dim {
                theme.dim
            } else {
                Style::default()
            };
            buf.set_stringn(x, y, &line.text, w.saturating_sub(line.indent), style);
        }
        if lines.len() > page {
            let more = trf(
                l,
                "ui.detail.lines",
                &[
                    &(scroll + 1),
                    &(scroll + page).min(lines.len()),
                    &lines.len(),
                ],
            );
            let mw = width(&more) as u16 + 2;
            if mw < area.width {
                buf.set_stringn(
                    area.x + area.width - mw - 1,
                    area.y + area.height - 1,
                    format!(" {more} "),
                    mw as usize,
                    theme.dim,
                );
            }
        }
    }

    fn on_confirm(&mut self, action: Action, _env: &Env, store: &mut Store) -> ScreenCmd {
        match action {
            Action::Archive => self.set_archived(true, store),
            _ => ScreenCmd::None,
        }
    }

    /// Back on top (a form may have saved) or told the data changed: load it again (one
    /// record and its history, by id: cheap).
    fn on_data_changed(&mut self, store: &mut Store) -> ScreenCmd {
        self.reload(store)
    }
}
