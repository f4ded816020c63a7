//! The follow-up agenda: the open follow-ups of the collaborator's scope, in four buckets
//! (overdue, today, this week, later), each headed by its full count.
//!
//! Only a window of each bucket is loaded (`Store::agenda_limited`): a province can hold tens
//! of thousands of open follow-ups, and the earliest due are the ones to act on. A bucket
//! that holds more than is listed says "… và N mục nữa".
//!
//! On the selected follow-up: mark it done with a note, move it to another date, record the
//! consultation it led to, or open the facility. Notes and dates are asked in a small
//! [`Prompt`] the screen owns; the core validates, and its message (naming the field) stays
//! in the prompt until the next try. A stale version closes the prompt, reloads and says so.

use std::cell::Cell;

use chrono::{Datelike, NaiveDate};
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::Frame;

use super::detail::DetailScreen;
use super::{Env, Screen, ScreenCmd};
use crate::domain::consultation::{dmy, AgendaBucket, AgendaCounts, AgendaItem, FollowUpClose};
use crate::refdata::codes;
use crate::store::{Store, StoreError};
use crate::text::sanitize;
use crate::ui::keymap::{Action, Context};
use crate::ui::widgets::bars::wrap;
use crate::ui::widgets::screen_frame;
use crate::ui::widgets::table::reselected;
use crate::ui::widgets::{fit, Prompt};
use crate::words::format;
use crate::words::{tr, trf, Lang};

/// Follow-ups listed per bucket at most (the earliest due).
pub const PER_BUCKET: usize = 50;
/// Longest closing note or reschedule reason typed here.
const NOTE_MAX: usize = 2000;

/// One follow-up, formatted (and sanitized) when loaded.
#[derive(Debug, Clone)]
struct Row {
    consultation_id: String,
    facility_id: String,
    fu_version: i64,
    bucket: AgendaBucket,
    due: String,
    /// "trễ 3 ngày", "hôm nay", "Thứ Sáu", "còn 12 ngày".
    when: String,
    facility: String,
    commune: String,
    next_step: String,
    date: String,
    mode: String,
}

impl Row {
    fn new(lang: Lang, today: NaiveDate, item: &AgendaItem) -> Option<Row> {
        let c = &item.consultation;
        let fu = c.open_follow_up()?;
        let when = match item.bucket {
            AgendaBucket::Overdue => late_text(lang, item.days_late),
            AgendaBucket::Today => tr(lang, "ui.agenda.when_today").to_string(),
            AgendaBucket::ThisWeek => tr(lang, weekday_key(fu.due_date)).to_string(),
            AgendaBucket::Later => trf(
                lang,
                "ui.agenda.in_days",
                &[&(fu.due_date - today).num_days()],
            ),
        };
        Some(Row {
            consultation_id: c.id.clone(),
            facility_id: c.data.facility_id.clone(),
            fu_version: fu.version,
            bucket: item.bucket,
            due: dmy(fu.due_date),
            when,
            facility: sanitize(&c.facility_name),
            commune: sanitize(&format::commune_label(
                &c.commune_code,
                format::CommuneForm::Name,
            )),
            // One line in the list: line breaks become spaces.
            next_step: sanitize(&c.data.next_step.replace('\n', " ")),
            date: dmy(c.data.date),
            mode: format::code_label(lang, &codes().consultation_modes, Some(&c.data.mode)),
        })
    }
}

/// "trễ 3 ngày".
fn late_text(lang: Lang, days: i64) -> String {
    if days == 1 {
        tr(lang, "ui.agenda.late_one").to_string()
    } else {
        trf(lang, "ui.agenda.late", &[&days])
    }
}

fn weekday_key(d: NaiveDate) -> &'static str {
    match d.weekday().num_days_from_monday() {
        0 => "ui.weekday.mon",
        1 => "ui.weekday.tue",
        2 => "ui.weekday.wed",
        3 => "ui.weekday.thu",
        4 => "ui.weekday.fri",
        5 => "ui.weekday.sat",
        _ => "ui.weekday.sun",
    }
}

/// A line of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ListLine {
    Heading(AgendaBucket),
    Item(usize),
    /// "… và N mục nữa".
    More(usize),
    Blank,
}

/// What the open prompt is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ask {
    /// `empty_ok`: an empty note was refused once; Enter again closes without one.
    Done {
        empty_ok: bool,
    },
    Reschedule,
}

#[derive(Debug, Clone)]
struct Asking {
    ask: Ask,
    row: Row,
    prompt: Prompt,
}

#[derive(Debug)]
pub struct AgendaScreen {
    lang: Lang,
    today: NaiveDate,
    counts: AgendaCounts,
    rows: Vec<Row>,
    lines: Vec<ListLine>,
    /// The line of each row.
    row_line: Vec<usize>,
    selected: usize,
    /// First line shown and lines visible, as last drawn.
    offset: Cell<usize>,
    page: Cell<usize>,
    asking: Option<Asking>,
    error: Option<String>,
}

impl AgendaScreen {
    pub fn new(lang: Lang, store: &Store) -> AgendaScreen {
        let mut s = AgendaScreen {
            lang,
            today: store.today(),
            counts: AgendaCounts::default(),
            rows: Vec::new(),
            lines: Vec::new(),
            row_line: Vec::new(),
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

    /// The facility names listed, in order.
    pub fn facility_names(&self) -> Vec<&str> {
        self.rows.iter().map(|r| r.facility.as_str()).collect()
    }

    /// The selected row's (consultation id, due date as shown).
    pub fn selected_item(&self) -> Option<(&str, &str)> {
        self.rows
            .get(self.selected)
            .map(|r| (r.consultation_id.as_str(), r.due.as_str()))
    }

    pub fn selected(&self) -> usize {
        self.selected
    }

    pub fn counts(&self) -> AgendaCounts {
        self.counts
    }

    /// Whether a note or date prompt is open.
    pub fn is_asking(&self) -> bool {
        self.asking.is_some()
    }

    /// The error shown in the open prompt.
    pub fn prompt_error(&self) -> Option<&str> {
        self.asking.as_ref().and_then(|a| a.prompt.error())
    }

    // ----- loading -----

    fn layout_lines(&mut self) {
        self.lines.clear();
        self.row_line.clear();
        for bucket in AgendaBucket::ALL {
            let count = bucket_count(&self.counts, bucket);
            if count == 0 {
                continue;
            }
            if !self.lines.is_empty() {
                self.lines.push(ListLine::Blank);
            }
            self.lines.push(ListLine::Heading(bucket));
            let mut listed = 0;
            for (i, _) in self
                .rows
                .iter()
                .enumerate()
                .filter(|(_, r)| r.bucket == bucket)
            {
                self.row_line.push(self.lines.len());
                self.lines.push(ListLine::Item(i));
                listed += 1;
            }
            if count > listed {
                self.lines.push(ListLine::More(count - listed));
            }
        }
    }

    // ----- input -----

    /// Enter in the prompt: hand the values to the core.
    fn submit(&mut self, store: &mut Store) -> ScreenCmd {
        let l = self.lang;
        let Some(asking) = self.asking.as_mut() else {
            return ScreenCmd::None;
        };
        let row = asking.row.clone();
        let result = match asking.ask {
            Ask::Done { empty_ok } => {
                let note = asking.prompt.value(0).trim().to_string();
                if note.is_empty() && !empty_ok {
                    // Allowed by the core, but the note is the only trace of how it ended:
                    // ask once more rather than refuse.
                    asking.ask = Ask::Done { empty_ok: true };
                    asking
                        .prompt
                        .set_error(Some(tr(l, "ui.agenda.note_empty").to_string()));
                    return ScreenCmd::None;
                }
                store
                    .complete_follow_up(
                        &row.consultation_id,
                        row.fu_version,
                        &FollowUpClose {
                            outcome_id: None,
                            note,
                        },
                    )
                    .map(|_| trf(l, "ui.agenda.done", &[&row.facility]))
            }
            Ask::Reschedule => {
                let date = asking.prompt.value(0).to_string();
                let reason = asking.prompt.value(1).to_string();
                store
                    .reschedule_follow_up(&row.consultation_id, row.fu_version, &date, &reason)
                    .map(|f| {
                        trf(
                            l,
                            "ui.agenda.rescheduled",
                            &[&row.facility, &dmy(f.due_date)],
                        )
                    })
            }
        };
        match result {
            Ok(message) => {
                self.asking = None;
                self.reload(store);
                ScreenCmd::Toast(message)
            }
            // The value is wrong: say so in the prompt (the core names the field).
            Err(e @ StoreError::Invalid(_)) => {
                asking
                    .prompt
                    .set_error(Some(crate::words::store_error_text(l, &e)));
                ScreenCmd::None
            }
            // Someone else moved or closed it, or it is gone: show what is true now.
            Err(e) => {
                self.asking = None;
                self.reload(store);
                ScreenCmd::Error(crate::words::store_error_text(l, &e))
            }
        }
    }

    // ----- drawing -----

    fn render_list(&self, frame: &mut Frame, area: Rect, env: &Env) {
        let l = env.lang;
        let theme = env.theme;
        let cols = Layout::horizontal([
            Constraint::Length(10),
            Constraint::Length(12),
            Constraint::Fill(1),
            Constraint::Fill(1),
            Constraint::Length(10),
        ])
        .spacing(1)
        .split(Rect { height: 1, ..area });
        let put =
            |buf: &mut ratatui::buffer::Buffer, i: usize, y: u16, text: &str, style: Style| {
                let r = cols[i];
                buf.set_stringn(r.x, y, fit(text, r.width as usize), r.width as usize, style);
            };
        let buf = frame.buffer_mut();
        for (i, key) in [
            "ui.agenda.col.due",
            "ui.agenda.col.when",
            "ui.agenda.col.facility",
            "ui.agenda.col.next_step",
            "ui.agenda.col.date",
        ]
        .iter()
        .enumerate()
        {
            put(buf, i, area.y, tr(l, key), theme.title);
        }
        let height = area.height.saturating_sub(1) as usize;
        self.page.set(height.max(1));
        let offset = self.scroll_offset(height);
        let sticky = self.sticky_heading(offset);
        for (n, line) in self.lines.iter().skip(offset).take(height).enumerate() {
            let y = area.y + 1 + n as u16;
            let w = area.width as usize;
            let line = match sticky {
                Some(b) if n == 0 => ListLine::Heading(b),
                _ => *line,
            };
            match line {
                ListLine::Heading(b) => {
                    let text = format!(
                        "{} ({})",
                        tr(l, b.label_key()),
                        format::count(bucket_count(&self.counts, b))
                    );
                    let style = if b == AgendaBucket::Overdue {
                        theme.warning
                    } else {
                        theme.title
                    };
                    buf.set_stringn(area.x, y, fit(&text, w), w, style);
                }
                ListLine::More(n) => {
                    let text = trf(l, "ui.agenda.more", &[&format::count(n)]);
                    buf.set_stringn(area.x, y, fit(&text, w), w, theme.dim);
                }
                ListLine::Blank => {}
                ListLine::Item(i) => {
                    let Some(r) = self.rows.get(i) else { continue };
                    let selected = i == self.selected;
                    let base = if selected {
                        theme.selected
                    } else {
                        Style::default()
                    };
                    if selected {
                        buf.set_style(
                            Rect {
                                x: area.x,
                                y,
                                width: area.width,
                                height: 1,
                            },
                            base,
                        );
                    }
                    let when_style = if selected {
                        base
                    } else if r.bucket == AgendaBucket::Overdue {
                        theme.warning
                    } else {
                        theme.dim
                    };
                    let next = if r.next_step.is_empty() {
                        tr(l, "ui.detail.empty")
                    } else {
                        r.next_step.as_str()
                    };
                    put(buf, 0, y, &r.due, base);
                    put(buf, 1, y, &r.when, when_style);
                    put(buf, 2, y, &r.facility, base);
                    put(buf, 3, y, next, base);
                    put(buf, 4, y, &r.date, base);
                }
            }
        }
    }

    /// The first line to draw so that the selected row (and its bucket heading, when it is
    /// the first of its bucket) is in view, scrolling as little as possible.
    fn scroll_offset(&self, height: usize) -> usize {
        let Some(&sel) = self.row_line.get(self.selected) else {
            self.offset.set(0);
            return 0;
        };
        if height == 0 {
            return 0;
        }
        let mut offset = self
            .offset
            .get()
            .min(self.lines.len().saturating_sub(height));
        // Show the heading above the first row of a bucket; the very top above the first row.
        let want_top = if self.selected == 0 {
            0
        } else if sel > 0 && matches!(self.lines.get(sel - 1), Some(ListLine::Heading(_))) {
            sel - 1
        } else {
            sel
        };
        // The "… và N mục nữa" under the last row of a bucket.
        let want_bottom = match self.lines.get(sel + 1) {
            Some(ListLine::More(_)) => sel + 1,
            _ => sel,
        };
        if want_top < offset {
            offset = want_top;
        } else if want_bottom >= offset + height {
            offset = (want_bottom + 1 - height).min(want_top);
        }
        // The top line gives way to its bucket's heading (see `sticky_heading`): never let
        // that be the selected row.
        if offset == sel && self.sticky_heading(offset).is_some() {
            offset -= 1;
        }
        self.offset.set(offset);
        offset
    }

    /// When the list is scrolled into a bucket, its heading stays on the first line.
    fn sticky_heading(&self, offset: usize) -> Option<AgendaBucket> {
        if offset == 0
            || !matches!(
                self.lines.get(offset),
                Some(ListLine::Item(_) | ListLine::More(_))
            )
        {
            return None;
        }
        self.lines[..offset].iter().rev().find_map(|l| match l {
            ListLine::Heading(b) => Some(*b),
            _ => None,
        })
    }

    fn render_selected(&self, frame: &mut Frame, area: Rect, env: &Env) {
        let l = env.lang;
        let theme = env.theme;
        let Some(r) = self.rows.get(self.selected) else {
            return;
        };
        let w = area.width as usize;
        let buf = frame.buffer_mut();
        buf.set_stringn(area.x, area.y, "─".repeat(w), w, theme.border);
        let head = trf(
            l,
            "ui.agenda.selected",
            &[&r.facility, &r.commune, &r.date, &r.mode],
        );
        buf.set_stringn(area.x, area.y + 1, fit(&head, w), w, theme.title);
        let next = if r.next_step.is_empty() {
            tr(l, "ui.agenda.no_next_step").to_string()
        } else {
            trf(l, "ui.agenda.next_step", &[&r.next_step])
        };
        // Two lines of it; the rest is in the facility's consultations.
        let lines = wrap(&next, w);
        for (n, line) in lines.iter().take(2).enumerate() {
            let text = if n == 1 && lines.len() > 2 {
                fit(&format!("{line} …"), w)
            } else {
                line.clone()
            };
            buf.set_stringn(area.x, area.y + 2 + n as u16, text, w, Style::default());
        }
    }
}

fn bucket_count(c: &AgendaCounts, b: AgendaBucket) -> usize {
    match b {
        AgendaBucket::Overdue => c.overdue,
        AgendaBucket::Today => c.today,
        AgendaBucket::ThisWeek => c.this_week,
        AgendaBucket::Later => c.later,
    }
}

impl Screen for AgendaScreen {
    fn reload(&mut self, store: &Store) {
        let keep = self
            .rows
            .get(self.selected)
            .map(|r| r.consultation_id.clone());
        self.today = store.today();
        match store.agenda_limited(PER_BUCKET) {
            Ok(agenda) => {
                self.error = None;
                self.counts = agenda.counts;
                self.rows = agenda
                    .items
                    .iter()
                    .filter_map(|i| Row::new(self.lang, agenda.today, i))
                    .collect();
            }
            Err(e) => {
                self.counts = AgendaCounts::default();
                self.rows.clear();
                self.error = Some(crate::words::store_error_text(self.lang, &e));
            }
        }
        self.layout_lines();
        self.selected = reselected(&self.rows, self.selected, |r| {
            keep.as_deref() == Some(r.consultation_id.as_str())
        });
    }

    fn title(&self, lang: Lang) -> String {
        tr(lang, "ui.agenda.title").to_string()
    }

    fn contexts(&self) -> &'static [Context] {
        super::prompt_contexts(self.asking.is_some(), &[Context::Agenda, Context::List])
    }

    fn handles(&self, action: Action) -> bool {
        if self.asking.is_some() {
            return matches!(
                action,
                Action::Open | Action::Save | Action::Back | Action::NextField | Action::PrevField
            );
        }
        match action {
            _ if action.is_move() => true,
            Action::Agenda => true,
            Action::Open | Action::FollowUpDone | Action::Reschedule | Action::LogVisit => {
                self.rows.get(self.selected).is_some()
            }
            _ => false,
        }
    }

    fn handle_action(&mut self, action: Action, env: &Env, store: &mut Store) -> ScreenCmd {
        if let Some(asking) = self.asking.as_mut() {
            match action {
                Action::Back => self.asking = None,
                Action::NextField => asking.prompt.next_field(),
                Action::PrevField => asking.prompt.prev_field(),
                Action::Open | Action::Save => return self.submit(store),
                // Nothing else while a question is open (F3/F4 would leave it behind).
                _ => {}
            }
            return ScreenCmd::None;
        }
        let l = env.lang;
        match action {
            Action::Up | Action::Down | Action::PageUp | Action::PageDown => {
                let page = self.page.get().max(1);
                let last = self.rows.len().saturating_sub(1);
                self.selected = match action {
                    Action::Up => self.selected.saturating_sub(1),
                    Action::Down => (self.selected + 1).min(last),
                    Action::PageUp => self.selected.saturating_sub(page),
                    _ => (self.selected + page).min(last),
                };
                ScreenCmd::None
            }
            Action::Home => {
                self.selected = 0;
                ScreenCmd::None
            }
            Action::End => {
                self.selected = self.rows.len().saturating_sub(1);
                ScreenCmd::None
            }
            // Already here: F3 reloads.
            Action::Agenda => {
                self.reload(store);
                ScreenCmd::None
            }
            Action::Open => match self.rows.get(self.selected) {
                Some(r) => match DetailScreen::open(&r.facility_id, l, store) {
                    Ok(Some(d)) => ScreenCmd::Push(Box::new(d)),
                    Ok(None) => {
                        self.reload(store);
                        ScreenCmd::Error(tr(l, "ui.list.gone").to_string())
                    }
                    Err(e) => ScreenCmd::Error(crate::words::store_error_text(l, &e)),
                },
                None => ScreenCmd::None,
            },
            Action::FollowUpDone => {
                let Some(row) = self.rows.get(self.selected).cloned() else {
                    return ScreenCmd::None;
                };
                let prompt = Prompt::new(trf(l, "ui.agenda.done_title", &[&row.facility])).field(
                    tr(l, "ui.agenda.note"),
                    tr(l, "ui.agenda.note_hint"),
                    "",
                    NOTE_MAX,
                );
                self.asking = Some(Asking {
                    ask: Ask::Done { empty_ok: false },
                    row,
                    prompt,
                });
                ScreenCmd::None
            }
            Action::Reschedule => {
                let Some(row) = self.rows.get(self.selected).cloned() else {
                    return ScreenCmd::None;
                };
                let prompt = Prompt::new(trf(
                    l,
                    "ui.agenda.reschedule_title",
                    &[&row.facility, &row.due],
                ))
                .field(
                    tr(l, "ui.agenda.new_date"),
                    trf(l, "ui.agenda.new_date_hint", &[&dmy(self.today)]),
                    "",
                    10,
                )
                .field(
                    tr(l, "ui.agenda.reason"),
                    tr(l, "ui.agenda.reason_hint"),
                    "",
                    NOTE_MAX,
                );
                self.asking = Some(Asking {
                    ask: Ask::Reschedule,
                    row,
                    prompt,
                });
                ScreenCmd::None
            }
            Action::LogVisit => match self.rows.get(self.selected).cloned() {
                Some(r) => super::log_visit_closing(
                    env,
                    store,
                    &r.facility_id,
                    &r.consultation_id,
                    r.fu_version,
                ),
                None => ScreenCmd::None,
            },
            _ => ScreenCmd::Unhandled,
        }
    }

    fn render(&self, frame: &mut Frame, area: Rect, env: &Env, focused: bool) {
        let l = env.lang;
        let theme = env.theme;
        let pos = if self.rows.is_empty() {
            0
        } else {
            self.selected + 1
        };
        let total =
            self.counts.overdue + self.counts.today + self.counts.this_week + self.counts.later;
        let position = trf(
            l,
            "ui.agenda.position",
            &[&format::count(pos), &format::count(total)],
        );
        let title = tr(l, "ui.agenda.title");
        let right = Some((position.as_str(), theme.base));
        let Some(inner) = screen_frame(frame, area, theme, title, right, (20, 4)) else {
            return;
        };
        let w = inner.width as usize;
        let today = trf(
            l,
            "ui.agenda.today_is",
            &[&tr(l, weekday_key(self.today)), &dmy(self.today)],
        );
        frame
            .buffer_mut()
            .set_stringn(inner.x, inner.y, fit(&today, w), w, theme.dim);
        let body = Rect {
            y: inner.y + 1,
            height: inner.height - 1,
            ..inner
        };
        if self.rows.is_empty() && total == 0 {
            let text = match &self.error {
                Some(e) => e.clone(),
                None => tr(l, "ui.agenda.empty").to_string(),
            };
            for (n, line) in wrap(&text, w)
                .iter()
                .enumerate()
                .take(body.height as usize - 1)
            {
                frame
                    .buffer_mut()
                    .set_stringn(body.x, body.y + 1 + n as u16, line, w, theme.dim);
            }
        } else {
            // The selected follow-up in full below the list, when there is room.
            let detail_h = if body.height >= 12 { 4 } else { 0 };
            let list = Rect {
                height: body.height - detail_h,
                ..body
            };
            self.render_list(frame, list, env);
            if detail_h > 0 {
                let detail = Rect {
                    y: list.y + list.height,
                    height: detail_h,
                    ..body
                };
                self.render_selected(frame, detail, env);
            }
        }
        if let Some(a) = &self.asking {
            a.prompt.render(frame, area, theme, l, focused);
        }
    }

    fn handle_text_key(&mut self, key: &KeyEvent) -> bool {
        self.asking
            .as_mut()
            .is_some_and(|a| a.prompt.handle_key(key))
    }

    fn handle_paste(&mut self, text: &str) -> bool {
        self.asking.as_mut().map(|a| a.prompt.paste(text)).is_some()
    }

    /// Back on top (a facility was edited or archived, a visit logged) or told the data
    /// changed: load the agenda again (a few indexed queries).
    fn is_view(&self) -> bool {
        true
    }
}
