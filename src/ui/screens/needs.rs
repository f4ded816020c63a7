//! "Nhu cầu hỗ trợ": the difficulties and needs recorded across the scope, grouped by support
//! category with how many facilities raised each (`Store::needs_by_topic`).
//!
//! Groups start folded (the overview is the point); Enter unfolds one to list its entries —
//! facility, date, difficulties and needs, wrapped — and Enter on an entry opens the
//! facility. `f` narrows by date range, mode, topic or collaborator; the filter bar says what
//! is applied. The cursor moves over headings and entries; an entry is several lines, so the
//! view scrolls by whole entries, wrapping only what is drawn.

use std::cell::Cell;
use std::collections::HashSet;

use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::Frame;

use super::{code_items, filter_picker, rows_or_error, Env, PickPurpose, Screen, ScreenCmd};
use crate::domain::consultation::{dmy, parse_typed_date, NeedsGroup};
use crate::domain::issue::Problem;
use crate::refdata::codes;
use crate::store::{ConsultationFilter, Store};
use crate::text::sanitize;
use crate::ui::keymap::{Action, Context};
use crate::ui::widgets::bars::wrap;
use crate::ui::widgets::table::reselected;
use crate::ui::widgets::{dim_line, screen_frame};
use crate::ui::widgets::{fit, width, PickItem, Prompt};
use crate::words::format;
use crate::words::{tr, trf, Lang};

#[derive(Debug, Clone)]
struct Entry {
    facility_id: String,
    facility: String,
    date: String,
    difficulties: String,
    needs: String,
}

#[derive(Debug, Clone)]
struct Group {
    topic: Option<String>,
    title: String,
    facilities: usize,
    /// Consultations that raised something here; `entries` lists the newest of them.
    raised: usize,
    entries: Vec<Entry>,
}

impl Group {
    fn new(lang: Lang, g: &NeedsGroup) -> Group {
        let title = match &g.topic {
            Some(t) => format!(
                "{t} {}",
                format::code_label(lang, &codes().support_categories, Some(t))
            ),
            None => tr(lang, "ui.needs.no_topic").to_string(),
        };
        Group {
            topic: g.topic.clone(),
            title: sanitize(&title),
            facilities: g.facilities,
            raised: g.raised,
            entries: g
                .entries
                .iter()
                .map(|e| Entry {
                    facility_id: e.facility_id.clone(),
                    facility: sanitize(&e.facility_name),
                    date: dmy(e.date),
                    difficulties: e.difficulties.clone(),
                    needs: e.needs.clone(),
                })
                .collect(),
        }
    }
}

/// A place the cursor can be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sel {
    Group(usize),
    Entry(usize, usize),
}

/// Which date the open prompt sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DateBound {
    Since,
    Until,
}

/// A drawn line: a dim label, text, a right-aligned note, indent, style role.
struct Drawn {
    label: String,
    text: String,
    right: String,
    indent: u16,
    role: Role,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Heading,
    EntryHead,
    Text,
}

#[derive(Debug)]
pub struct NeedsScreen {
    lang: Lang,
    filter: ConsultationFilter,
    /// The name of the collaborator filtered on (shown in the filter bar).
    filter_who: Option<String>,
    groups: Vec<Group>,
    /// Unfolded groups, by topic (kept across reloads and filter changes).
    expanded: HashSet<Option<String>>,
    items: Vec<Sel>,
    selected: usize,
    /// First item drawn, and items that fitted, as last drawn.
    offset: Cell<usize>,
    page: Cell<usize>,
    asking: Option<(Prompt, DateBound)>,
    error: Option<String>,
}

/// Entries listed per group at most (the newest); the counts cover them all.
pub const PER_GROUP: usize = 200;

impl NeedsScreen {
    pub fn new(lang: Lang, store: &Store) -> NeedsScreen {
        let mut s = NeedsScreen {
            lang,
            // What was raised over the last twelve months: the material of next year's plan,
            // and a bound on what a province's view reads (the filter bar shows it; `f`
            // changes or clears it).
            filter: ConsultationFilter {
                since: Some(
                    store
                        .today()
                        .checked_sub_months(chrono::Months::new(12))
                        .unwrap_or_else(|| store.today()),
                ),
                ..Default::default()
            },
            filter_who: None,
            groups: Vec::new(),
            expanded: HashSet::new(),
            items: Vec::new(),
            selected: 0,
            offset: Cell::new(0),
            page: Cell::new(1),
            asking: None,
            error: None,
        };
        s.reload(store);
        s
    }

    // ----- inspection (tests) -----

    pub fn filter(&self) -> &ConsultationFilter {
        &self.filter
    }

    /// (topic, facilities, entries) of each group.
    pub fn group_shape(&self) -> Vec<(Option<&str>, usize, usize)> {
        self.groups
            .iter()
            .map(|g| (g.topic.as_deref(), g.facilities, g.raised))
            .collect()
    }

    pub fn is_asking(&self) -> bool {
        self.asking.is_some()
    }

    pub fn prompt_error(&self) -> Option<&str> {
        self.asking.as_ref().and_then(|(p, _)| p.error())
    }

    // ----- loading -----

    /// What identifies an item across reloads: its topic and, for an entry, the facility
    /// and date.
    fn key_of(&self, s: Sel) -> (Option<String>, Option<(String, String)>) {
        match s {
            Sel::Group(g) => (self.groups.get(g).and_then(|g| g.topic.clone()), None),
            Sel::Entry(g, e) => {
                let group = self.groups.get(g);
                (
                    group.and_then(|g| g.topic.clone()),
                    group
                        .and_then(|g| g.entries.get(e))
                        .map(|e| (e.facility_id.clone(), e.date.clone())),
                )
            }
        }
    }

    fn rebuild_items(&mut self) {
        self.items.clear();
        for (gi, g) in self.groups.iter().enumerate() {
            self.items.push(Sel::Group(gi));
            if self.expanded.contains(&g.topic) {
                self.items
                    .extend((0..g.entries.len()).map(|ei| Sel::Entry(gi, ei)));
            }
        }
    }

    fn refilter(&mut self, store: &Store) {
        self.selected = 0;
        self.offset.set(0);
        self.reload(store);
    }

    // ----- input -----

    /// Enter in the date prompt: empty clears the bound; a bad date is said in the prompt.
    fn submit_date(&mut self, store: &Store) {
        let l = self.lang;
        let Some((prompt, bound)) = self.asking.as_mut() else {
            return;
        };
        let (key, raw) = match bound {
            DateBound::Since => ("since", prompt.value(0).trim().to_string()),
            DateBound::Until => ("until", prompt.value(0).trim().to_string()),
        };
        let date = if raw.is_empty() {
            None
        } else {
            match parse_typed_date(&raw, store.today()) {
                Some(d) => Some(d),
                None => {
                    let problem = Problem::DateFormat { value: raw };
                    prompt.set_error(Some(crate::words::describe(l, key, &problem)));
                    return;
                }
            }
        };
        let (since, until) = match bound {
            DateBound::Since => (date, self.filter.until),
            DateBound::Until => (self.filter.since, date),
        };
        if let (Some(s), Some(u)) = (since, until) {
            if u < s {
                let problem = Problem::BeforeDate { date: dmy(s) };
                prompt.set_error(Some(crate::words::describe(l, "until", &problem)));
                return;
            }
        }
        self.filter.since = since;
        self.filter.until = until;
        self.asking = None;
        self.refilter(store);
    }

    fn filter_menu(&self) -> Vec<PickItem> {
        let l = self.lang;
        let all = tr(l, "ui.filter.all");
        let date = |d: Option<chrono::NaiveDate>| d.map(dmy).unwrap_or(all.to_string());
        let mode = self
            .filter
            .mode
            .as_deref()
            .map(|m| format::code_label(l, &codes().consultation_modes, Some(m)))
            .unwrap_or(all.to_string());
        let topic = self.filter.topic.clone().unwrap_or(all.to_string());
        let who = self.filter_who.clone().unwrap_or(all.to_string());
        vec![
            PickItem::new("since", tr(l, "ui.needs.filter.since"))
                .with_hint(date(self.filter.since)),
            PickItem::new("until", tr(l, "ui.needs.filter.until"))
                .with_hint(date(self.filter.until)),
            PickItem::new("mode", tr(l, "ui.needs.filter.mode")).with_hint(mode),
            PickItem::new("topic", tr(l, "ui.needs.filter.topic")).with_hint(topic),
            PickItem::new("collaborator", tr(l, "ui.needs.filter.collaborator")).with_hint(who),
            PickItem::new("clear", tr(l, "ui.filter.clear")),
        ]
    }

    /// "Lọc: từ 01/11/2026 · đến 30/11/2026 · Điện thoại · KC04 · Trần Thị Bình".
    fn filter_line(&self) -> Option<String> {
        let l = self.lang;
        let f = &self.filter;
        let mut parts = Vec::new();
        if let Some(d) = f.since {
            parts.push(trf(l, "ui.needs.bar.since", &[&dmy(d)]));
        }
        if let Some(d) = f.until {
            parts.push(trf(l, "ui.needs.bar.until", &[&dmy(d)]));
        }
        if let Some(m) = &f.mode {
            parts.push(format::code_label(l, &codes().consultation_modes, Some(m)));
        }
        if let Some(t) = &f.topic {
            parts.push(t.clone());
        }
        if f.collaborator_id.is_some() {
            parts.push(self.filter_who.clone().unwrap_or_default());
        }
        (!parts.is_empty()).then(|| trf(l, "ui.list.filtered_by", &[&sanitize(&parts.join(" · "))]))
    }

    // ----- drawing -----

    /// The lines of item `s` at width `w`.
    fn item_lines(&self, s: Sel, w: usize) -> Vec<Drawn> {
        let l = self.lang;
        let mut out = Vec::new();
        match s {
            Sel::Group(g) => {
                let Some(g) = self.groups.get(g) else {
                    return out;
                };
                let mark = if self.expanded.contains(&g.topic) {
                    "▾"
                } else {
                    "▸"
                };
                out.push(Drawn {
                    label: String::new(),
                    text: format!("{mark} {}", g.title),
                    right: trf(
                        l,
                        "ui.needs.group_count",
                        &[&format::count(g.facilities), &format::count(g.raised)],
                    ),
                    indent: 0,
                    role: Role::Heading,
                });
            }
            Sel::Entry(g, e) => {
                let Some(e) = self.groups.get(g).and_then(|g| g.entries.get(e)) else {
                    return out;
                };
                out.push(Drawn {
                    label: String::new(),
                    text: format!("{}  {}", e.date, e.facility),
                    right: String::new(),
                    indent: 2,
                    role: Role::EntryHead,
                });
                // "Khó khăn, vướng mắc: …" wrapped under itself, line breaks kept.
                for (key, text) in [
                    ("consult.field.difficulties", &e.difficulties),
                    ("consult.field.needs", &e.needs),
                ] {
                    if text.trim().is_empty() {
                        continue;
                    }
                    let label = format!("{}: ", tr(l, key));
                    let tw = w.saturating_sub(6).max(1);
                    // A line of the text after its first, under the text.
                    let continued = |piece: String| Drawn {
                        label: String::new(),
                        text: piece,
                        right: String::new(),
                        indent: 6,
                        role: Role::Text,
                    };
                    let mut first = true;
                    for para in text.split('\n') {
                        let room = if first {
                            w.saturating_sub(4 + width(&label)).max(1)
                        } else {
                            tw
                        };
                        let mut pieces = wrap(&sanitize(para), room).into_iter();
                        if first {
                            out.push(Drawn {
                                label: label.clone(),
                                text: pieces.next().unwrap_or_default(),
                                right: String::new(),
                                indent: 4,
                                role: Role::Text,
                            });
                            first = false;
                            // The rest of the first paragraph at the continuation width.
                            let rest: Vec<String> = pieces.collect();
                            for piece in wrap(&rest.join(" "), tw) {
                                if !piece.is_empty() {
                                    out.push(continued(piece));
                                }
                            }
                            continue;
                        }
                        for piece in pieces.filter(|p| !p.is_empty()) {
                            out.push(continued(piece));
                        }
                    }
                }
            }
        }
        out
    }

    /// The first item to draw: the selection in view, scrolling by whole items as little as
    /// possible (a tall entry at least starts at the top).
    fn scroll_offset(&self, height: usize, w: usize) -> usize {
        if self.items.is_empty() {
            return 0;
        }
        let sel = self.selected.min(self.items.len() - 1);
        let mut offset = self.offset.get().min(sel);
        loop {
            let used: usize = self.items[offset..=sel]
                .iter()
                .map(|s| self.item_lines(*s, w).len())
                .sum();
            if used <= height || offset == sel {
                break;
            }
            offset += 1;
        }
        self.offset.set(offset);
        offset
    }
}

impl Screen for NeedsScreen {
    fn reload(&mut self, store: &Store) {
        let keep = self
            .items
            .get(self.selected)
            .copied()
            .map(|s| self.key_of(s));
        let lang = self.lang;
        let loaded = store.needs_overview(&self.filter, PER_GROUP);
        (self.groups, self.error) = rows_or_error(lang, loaded, |g| Group::new(lang, g));
        self.rebuild_items();
        self.selected = reselected(&self.items, self.selected, |s| {
            keep.as_ref() == Some(&self.key_of(*s))
        });
    }

    fn title(&self, lang: Lang) -> String {
        tr(lang, "ui.needs.title").to_string()
    }

    fn contexts(&self) -> &'static [Context] {
        super::prompt_contexts(self.asking.is_some(), &[Context::List])
    }

    fn handles(&self, action: Action) -> bool {
        if self.asking.is_some() {
            return super::prompt_handles(action);
        }
        match action {
            _ if action.is_move() => true,
            Action::Filter | Action::Needs => true,
            Action::Open => !self.items.is_empty(),
            _ => false,
        }
    }

    fn handle_action(&mut self, action: Action, env: &Env, store: &mut Store) -> ScreenCmd {
        let l = env.lang;
        if self.asking.is_some() {
            match action {
                Action::Back => self.asking = None,
                Action::Open | Action::Save => self.submit_date(store),
                _ => {}
            }
            return ScreenCmd::None;
        }
        let last = self.items.len().saturating_sub(1);
        let page = self.page.get().max(1);
        match action {
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => self.selected = (self.selected + 1).min(last),
            Action::PageUp => self.selected = self.selected.saturating_sub(page),
            Action::PageDown => self.selected = (self.selected + page).min(last),
            Action::Home => self.selected = 0,
            Action::End => self.selected = last,
            Action::Needs => self.reload(store),
            Action::Filter => {
                return ScreenCmd::OpenPicker {
                    title: tr(l, "ui.needs.filter_title").to_string(),
                    items: self.filter_menu(),
                    purpose: PickPurpose::FilterMenu,
                }
            }
            Action::Open => match self.items.get(self.selected).copied() {
                Some(Sel::Group(g)) => {
                    if let Some(topic) = self.groups.get(g).map(|g| g.topic.clone()) {
                        if !self.expanded.remove(&topic) {
                            self.expanded.insert(topic);
                        }
                        self.rebuild_items();
                    }
                }
                Some(Sel::Entry(g, e)) => {
                    let Some(id) = self
                        .groups
                        .get(g)
                        .and_then(|g| g.entries.get(e))
                        .map(|e| e.facility_id.clone())
                    else {
                        return ScreenCmd::None;
                    };
                    return super::open_facility(&id, l, store);
                }
                None => {}
            },
            _ => return ScreenCmd::Unhandled,
        }
        ScreenCmd::None
    }

    fn render(&self, frame: &mut Frame, area: Rect, env: &Env, focused: bool) {
        let l = env.lang;
        let theme = env.theme;
        let entries: usize = self.groups.iter().map(|g| g.raised).sum();
        let count = trf(
            l,
            "ui.needs.count",
            &[&format::count(self.groups.len()), &format::count(entries)],
        );
        let title = tr(l, "ui.needs.title");
        let right = Some((count.as_str(), theme.base));
        let Some(inner) = screen_frame(frame, area, theme, title, right, (20, 3)) else {
            return;
        };
        let w = inner.width as usize;
        let bar = match self.filter_line() {
            Some(f) => f,
            None => {
                let key = env.keymap.keys_for(Action::Filter, Context::List);
                trf(l, "ui.needs.no_filter", &[&key])
            }
        };
        dim_line(frame, inner, &bar, theme);
        let body = Rect {
            y: inner.y + 2,
            height: inner.height.saturating_sub(2),
            ..inner
        };
        if self.items.is_empty() {
            let text = match &self.error {
                Some(e) => e.clone(),
                None if self.filter != ConsultationFilter::default() => {
                    tr(l, "ui.needs.empty_filtered").to_string()
                }
                None => tr(l, "ui.needs.empty").to_string(),
            };
            for (n, line) in wrap(&text, w).iter().enumerate().take(body.height as usize) {
                frame
                    .buffer_mut()
                    .set_stringn(body.x, body.y + n as u16, line, w, theme.dim);
            }
        } else {
            let height = body.height as usize;
            let offset = self.scroll_offset(height, w);
            let mut y = 0usize;
            let mut shown = 0usize;
            let buf = frame.buffer_mut();
            for (i, s) in self.items.iter().enumerate().skip(offset) {
                if y >= height {
                    break;
                }
                let selected = i == self.selected;
                for (n, d) in self.item_lines(*s, w).into_iter().enumerate() {
                    if y >= height {
                        break;
                    }
                    let yy = body.y + y as u16;
                    let x = body.x + d.indent;
                    let room = w.saturating_sub(d.indent as usize);
                    let style = match d.role {
                        Role::Heading => theme.title,
                        Role::EntryHead | Role::Text => Style::default(),
                    };
                    let style = if selected && n == 0 {
                        theme.selected
                    } else {
                        style
                    };
                    let rw = width(&d.right);
                    let left_room = if rw > 0 {
                        room.saturating_sub(rw + 2)
                    } else {
                        room
                    };
                    if selected && n == 0 {
                        buf.set_style(
                            Rect {
                                x,
                                y: yy,
                                width: room as u16,
                                height: 1,
                            },
                            style,
                        );
                    }
                    let lw = width(&d.label).min(left_room);
                    if lw > 0 {
                        buf.set_stringn(x, yy, &d.label, lw, theme.dim);
                    }
                    let tx = x + lw as u16;
                    let room_left = left_room - lw;
                    buf.set_stringn(tx, yy, fit(&d.text, room_left), room_left, style);
                    if rw > 0 && rw < room {
                        let rx = body.x + body.width - rw as u16;
                        let rstyle = if selected { style } else { theme.dim };
                        buf.set_stringn(rx, yy, &d.right, rw, rstyle);
                    }
                    y += 1;
                }
                shown += 1;
            }
            self.page.set(shown.max(1));
        }
        if let Some((p, _)) = &self.asking {
            p.render(frame, area, theme, l, focused);
        }
    }

    fn handle_text_key(&mut self, key: &KeyEvent) -> bool {
        self.asking.as_mut().is_some_and(|(p, _)| p.handle_key(key))
    }

    fn handle_paste(&mut self, text: &str) -> bool {
        self.asking.as_mut().map(|(p, _)| p.paste(text)).is_some()
    }

    fn on_pick(&mut self, p: PickPurpose, code: &str, env: &Env, store: &mut Store) -> ScreenCmd {
        let l = env.lang;
        let some = |c: &str| (!c.is_empty()).then(|| c.to_string());
        match p {
            PickPurpose::FilterMenu => match code {
                "since" | "until" => {
                    let (bound, label, value) = if code == "since" {
                        (DateBound::Since, "ui.needs.filter.since", self.filter.since)
                    } else {
                        (DateBound::Until, "ui.needs.filter.until", self.filter.until)
                    };
                    let prompt = Prompt::new(tr(l, "ui.needs.filter_title")).field(
                        tr(l, label),
                        tr(l, "ui.needs.date_hint"),
                        &value.map(dmy).unwrap_or_default(),
                        10,
                    );
                    self.asking = Some((prompt, bound));
                    ScreenCmd::None
                }
                "mode" => filter_picker(
                    l,
                    "ui.needs.filter.mode",
                    "ui.needs.all_modes",
                    PickPurpose::FilterMode,
                    code_items(l, &codes().consultation_modes, format::CodeForm::Label),
                ),
                "topic" => filter_picker(
                    l,
                    "ui.needs.filter.topic",
                    "ui.needs.all_topics",
                    PickPurpose::FilterTopic,
                    code_items(l, &codes().support_categories, format::CodeForm::CodeLabel),
                ),
                "collaborator" => match store.collaborators() {
                    Ok(people) => filter_picker(
                        l,
                        "ui.needs.filter.collaborator",
                        "ui.needs.all_collaborators",
                        PickPurpose::FilterCollaborator,
                        people
                            .iter()
                            .map(|p| PickItem::new(p.id.as_str(), sanitize(&p.name))),
                    ),
                    Err(e) => ScreenCmd::Error(crate::words::store_error_text(l, &e)),
                },
                "clear" => {
                    self.filter = ConsultationFilter::default();
                    self.filter_who = None;
                    self.refilter(store);
                    ScreenCmd::None
                }
                _ => ScreenCmd::None,
            },
            PickPurpose::FilterMode => {
                self.filter.mode = some(code);
                self.refilter(store);
                ScreenCmd::None
            }
            PickPurpose::FilterTopic => {
                self.filter.topic = some(code);
                self.refilter(store);
                ScreenCmd::None
            }
            PickPurpose::FilterCollaborator => {
                self.filter.collaborator_id = some(code);
                self.filter_who = match &self.filter.collaborator_id {
                    Some(id) => store
                        .collaborator(id)
                        .ok()
                        .flatten()
                        .map(|p| sanitize(&p.name)),
                    None => None,
                };
                self.refilter(store);
                ScreenCmd::None
            }
            _ => ScreenCmd::None,
        }
    }

    fn is_view(&self) -> bool {
        true
    }
}
