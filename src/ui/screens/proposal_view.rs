//! One proposal: its content, money, today's warnings (caps, eligibility) and its history —
//! who moved it, when, from which status to which, and why.
//!
//! The moves offered are those the current profile's role may make from the status it has
//! (`ProposalRecord::actions`, from the core's one rule): propose (asks first), review (with
//! a comment), return (with a reason), withdraw (with a reason), and `e` edits a draft. A key
//! for a move the role may not make still goes to the core, which refuses it in words. A
//! proposal someone else moved meanwhile is refused as stale (the core's Conflict): the
//! message is shown and the proposal reloaded.

use std::cell::Cell;

use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::Frame;

use super::form::warning_style;
use super::{Env, ProposalFormScreen, Screen, ScreenCmd};
use crate::domain::issue::Severity;
use crate::domain::money::format_vnd;
use crate::domain::proposal::{
    BeneficiaryLine, MoveInput, Needs, Proposal, ProposalRecord, ProposalStatus,
};
use crate::store::{ProjectPage, Store, StoreError};
use crate::text::sanitize;
use crate::ui::keymap::{Action, Context};
use crate::ui::widgets::bars::wrap;
use crate::ui::widgets::screen_frame;
use crate::ui::widgets::{fit, width, Prompt};
use crate::words::format::{commune_label, CommuneForm};
use crate::words::project_page as project;
use crate::words::{tr, trf, Lang};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Plain,
    Heading,
    Dim,
    Warning,
}

/// A prepared line: a label (may be empty) and its text.
#[derive(Debug, Clone)]
struct Item {
    label: String,
    text: String,
    kind: Kind,
}

impl Item {
    fn new(label: impl Into<String>, text: impl Into<String>, kind: Kind) -> Item {
        Item {
            label: label.into(),
            text: text.into(),
            kind,
        }
    }
}

/// The status a move action leads to for this record: "return" is the province's return
/// for revision where the role may make it, else the area officer's return to draft.
fn target(action: Action, record: &ProposalRecord) -> Option<ProposalStatus> {
    match action {
        Action::Propose => Some(ProposalStatus::DeXuat),
        Action::Review => Some(ProposalStatus::DaRaSoat),
        Action::ReturnProposal
            if record
                .actions
                .iter()
                .any(|(s, _)| *s == ProposalStatus::TraLai) =>
        {
            Some(ProposalStatus::TraLai)
        }
        Action::ReturnProposal => Some(ProposalStatus::Nhap),
        Action::Withdraw => Some(ProposalStatus::Rut),
        Action::Approve => Some(ProposalStatus::PheDuyet),
        Action::Refuse => Some(ProposalStatus::KhongDuyet),
        Action::StartProject => Some(ProposalStatus::DangThucHien),
        Action::StopProject => Some(ProposalStatus::Dung),
        _ => None,
    }
}

/// The prompt a move asks, when it carries anything: the approval (amount prefilled with
/// the support asked, decision number and date, funding source, batch), the start (date,
/// implementing unit, planned end), or a reason.
fn move_prompt(l: Lang, to: ProposalStatus, needs: Needs, p: &Proposal) -> Option<Prompt> {
    let f = |k: &'static str| tr(l, crate::domain::proposal::field_label_key(k).unwrap_or(k));
    if needs.approval {
        return Some(
            Prompt::new(tr(l, "ui.proposal.approve_title"))
                .field(
                    f("approved_support"),
                    tr(l, "ui.proposal.money_hint"),
                    &crate::domain::money::format_vnd(p.data.money.support),
                    40,
                )
                .field(f("decision_no"), "", "", 100)
                .field(f("decision_date"), tr(l, "ui.proposal.date_hint"), "", 20)
                .field(
                    f("approved_funding"),
                    tr(l, "ui.proposal.funding_hint"),
                    p.data.funding.short(),
                    10,
                )
                .field(f("batch"), "", "", 100),
        );
    }
    if needs.start {
        return Some(
            Prompt::new(tr(l, "ui.proposal.start_title"))
                .field(f("start_date"), tr(l, "ui.proposal.date_hint"), "", 20)
                .field(f("implementing_unit"), "", "", 300)
                .field(f("planned_end"), tr(l, "ui.proposal.date_hint"), "", 20),
        );
    }
    if !needs.reason {
        return None;
    }
    let (title, label) = match to {
        ProposalStatus::DaRaSoat => ("ui.proposal.review_title", "ui.proposal.comment"),
        ProposalStatus::Nhap => ("ui.proposal.return_title", "ui.proposal.reason"),
        ProposalStatus::TraLai => ("ui.proposal.province_return_title", "ui.proposal.reason"),
        ProposalStatus::KhongDuyet => ("ui.proposal.refuse_title", "ui.proposal.reason"),
        ProposalStatus::Dung => ("ui.proposal.stop_title", "ui.proposal.reason"),
        _ => ("ui.proposal.withdraw_title", "ui.proposal.reason"),
    };
    Some(Prompt::new(tr(l, title)).field(tr(l, label), tr(l, "ui.proposal.reason_hint"), "", 500))
}

/// What the prompt of a move to `to` holds, as the core reads it.
fn move_input(to: ProposalStatus, prompt: &Prompt) -> MoveInput {
    let v = |i: usize| prompt.value(i).to_string();
    match to {
        ProposalStatus::PheDuyet => MoveInput {
            approved_support: v(0),
            decision_no: v(1),
            decision_date: v(2),
            funding: v(3),
            batch: v(4),
            ..Default::default()
        },
        ProposalStatus::DangThucHien => MoveInput {
            start_date: v(0),
            implementing_unit: v(1),
            planned_end: v(2),
            ..Default::default()
        },
        _ => MoveInput::with_reason(v(0)),
    }
}

#[derive(Debug)]
pub struct ProposalViewScreen {
    lang: Lang,
    record: ProposalRecord,
    /// The đề án's page: approval, money, expected vs actual, timeline.
    project: Option<ProjectPage>,
    /// A group đề án's beneficiaries with their shares and what each was paid (empty for a
    /// đề án of one facility or none).
    group: Vec<BeneficiaryLine>,
    items: Vec<Item>,
    scroll: Cell<usize>,
    page: Cell<usize>,
    lines: Cell<usize>,
    /// The reason or comment prompt of a move, and where it leads.
    asking: Option<(Prompt, ProposalStatus)>,
}

impl ProposalViewScreen {
    pub fn open(
        id: &str,
        lang: Lang,
        store: &Store,
    ) -> Result<Option<ProposalViewScreen>, StoreError> {
        let Some(record) = store.proposal_record(id)? else {
            return Ok(None);
        };
        let project = store.project_page(id)?;
        let group = store.beneficiary_lines(id)?;
        let mut s = ProposalViewScreen {
            lang,
            items: Vec::new(),
            record,
            project,
            group,
            scroll: Cell::new(0),
            page: Cell::new(1),
            lines: Cell::new(0),
            asking: None,
        };
        s.prepare();
        Ok(Some(s))
    }

    // ----- inspection (tests) -----

    pub fn record(&self) -> &ProposalRecord {
        &self.record
    }

    pub fn is_asking(&self) -> bool {
        self.asking.is_some()
    }

    pub fn prompt_error(&self) -> Option<&str> {
        self.asking.as_ref().and_then(|(p, _)| p.error())
    }

    fn allows(&self, to: ProposalStatus) -> bool {
        self.record.actions.iter().any(|(s, _)| *s == to)
    }

    // ----- loading -----

    fn reload(&mut self, store: &Store) -> Option<String> {
        let id = &self.record.proposal.id;
        match store
            .proposal_record(id)
            .and_then(|r| Ok((r, store.project_page(id)?, store.beneficiary_lines(id)?)))
        {
            Ok((Some(r), project, group)) => {
                self.record = r;
                self.project = project;
                self.group = group;
                self.prepare();
                None
            }
            Ok((None, _, _)) => Some(tr(self.lang, "ui.proposal.gone").to_string()),
            Err(e) => Some(crate::words::store_error_text(self.lang, &e)),
        }
    }

    /// The page, top to bottom: title and header, money, warnings, expected vs actual, what
    /// was proposed, then the timeline. The timeline runs oldest first, as the paper file of
    /// a đề án does (proposal, decision, implementation, visits, acceptance, payment): a
    /// province officer reads it as a story, cause before effect; it ends the page, so End
    /// shows the latest entry.
    fn prepare(&mut self) {
        let l = self.lang;
        let mut out = vec![Item::new(
            "",
            sanitize(&self.record.proposal.data.title),
            Kind::Heading,
        )];
        if let Some(page) = &self.project {
            out.extend(head_items(l, page));
        }
        for w in &self.record.warnings.0 {
            let kind = if w.severity == Severity::Error {
                Kind::Heading
            } else {
                Kind::Warning
            };
            let text = crate::words::problem_text(l, &w.problem);
            out.push(Item::new("", trf(l, "ui.form.warning", &[&text]), kind));
        }
        if let Some(page) = &self.project {
            out.extend(outcome_items(l, page));
        }
        out.extend(content_items(
            l,
            &self.record.proposal,
            &self.group,
            self.project.is_none(),
        ));
        if let Some(page) = &self.project {
            out.extend(timeline_items(l, page));
        }
        self.items = out;
    }

    // ----- input -----

    /// Ask the core to move the proposal, on the version shown.
    fn move_to(&mut self, to: ProposalStatus, input: &MoveInput, store: &mut Store) -> ScreenCmd {
        let l = self.lang;
        let p = &self.record.proposal;
        match store.move_proposal_with(&p.id, p.version, to, input) {
            Ok(moved) => {
                self.asking = None;
                let text = trf(
                    l,
                    "ui.proposal.moved",
                    &[&crate::words::format::proposal_status_label(
                        l,
                        moved.status,
                    )],
                );
                match self.reload(store) {
                    Some(e) => ScreenCmd::Error(e),
                    None => ScreenCmd::Toast(text),
                }
            }
            Err(StoreError::Invalid(issues)) if self.asking.is_some() => {
                let text = issues
                    .errors()
                    .map(|i| crate::words::describe_proposal(l, i.field, &i.problem))
                    .collect::<Vec<_>>()
                    .join("\n");
                if let Some((prompt, _)) = self.asking.as_mut() {
                    prompt.set_error(Some(text));
                }
                ScreenCmd::None
            }
            Err(e) => {
                self.asking = None;
                let text = crate::words::store_error_text(l, &e);
                // Stale: show what is there now.
                if matches!(e, StoreError::Conflict { .. }) {
                    if let Some(gone) = self.reload(store) {
                        return ScreenCmd::Error(format!("{text}\n{gone}"));
                    }
                }
                ScreenCmd::Error(text)
            }
        }
    }

    // ----- drawing -----

    fn layout(&self, w: usize) -> Vec<(String, String, Kind)> {
        let label_w = self
            .items
            .iter()
            .map(|i| width(&i.label))
            .max()
            .unwrap_or(0)
            .min(w / 3);
        let mut out = Vec::new();
        for item in &self.items {
            let (indent, vw) = if item.label.is_empty() && item.kind == Kind::Dim {
                // A move's reason sits under the move.
                (3, w.saturating_sub(3).max(1))
            } else if item.label.is_empty() {
                (0, w.max(1))
            } else {
                (label_w + 2, w.saturating_sub(label_w + 2).max(1))
            };
            let mut first = true;
            for para in item.text.split('\n') {
                let mut pieces = wrap(&sanitize(para), vw);
                if pieces.is_empty() {
                    pieces.push(String::new());
                }
                for piece in pieces {
                    let label = if first && !item.label.is_empty() {
                        format!("{:<label_w$}  ", fit(&item.label, label_w))
                    } else {
                        " ".repeat(indent)
                    };
                    out.push((label, piece, item.kind));
                    first = false;
                }
            }
        }
        out
    }
}

/// Header rows and the money line.
fn head_items(l: Lang, page: &ProjectPage) -> Vec<Item> {
    let mut out: Vec<Item> = project::header_rows(l, page)
        .into_iter()
        .map(|(k, v)| Item::new(k, v, Kind::Plain))
        .collect();
    out.push(Item::new(
        tr(l, "page.money_label"),
        project::money_line(l, &page.money, page.proposal.data.money.support),
        Kind::Heading,
    ));
    out
}

/// A blank line and a section's heading.
fn section(l: Lang, heading: &'static str) -> Vec<Item> {
    vec![
        Item::new("", "", Kind::Plain),
        Item::new("", tr(l, heading), Kind::Heading),
    ]
}

/// "Dự kiến → thực tế", one row per measure.
fn outcome_items(l: Lang, page: &ProjectPage) -> Vec<Item> {
    let mut out = section(l, "page.outcome");
    for (label, expected, actual) in project::outcome_rows(l, &page.outcome) {
        out.push(Item::new(
            label,
            format!("{expected} → {actual}"),
            Kind::Plain,
        ));
    }
    out
}

/// Every entry: its head line, then its details under it.
fn timeline_items(l: Lang, page: &ProjectPage) -> Vec<Item> {
    let mut out = section(l, "page.timeline");
    for e in &page.timeline {
        out.push(Item::new("", project::event_head(l, e), Kind::Plain));
        for d in project::event_details(l, e) {
            out.push(Item::new("", d, Kind::Dim));
        }
    }
    out
}

/// What was proposed: who carries it out (a group's beneficiaries with their shares and what
/// each was paid; the centre and its commune when no header says so), the pilot mark,
/// funding, money asked, priorities, texts.
fn content_items(l: Lang, p: &Proposal, group: &[BeneficiaryLine], no_header: bool) -> Vec<Item> {
    let d = &p.data;
    let f = |k: &'static str| tr(l, k).to_string();
    let mut out = section(l, "ui.proposal.asked");
    if !d.has_facility() && no_header {
        out.push(Item::new(
            f("proposal.field.facility"),
            format!(
                "{} · {}",
                tr(l, "proposal.centre"),
                commune_label(&p.commune_code, CommuneForm::Name)
            ),
            Kind::Plain,
        ));
    }
    for (label, line) in crate::words::group::beneficiary_rows(l, group) {
        // The beneficiaries after the first sit under it, in the value column (a blank
        // label, not none: an unlabelled line would start at the left edge).
        let label = if label.is_empty() { " ".into() } else { label };
        out.push(Item::new(label, line, Kind::Plain));
    }
    if d.is_pilot {
        out.push(Item::new(
            f("proposal.field.pilot"),
            tr(l, "proposal.pilot_mark"),
            Kind::Plain,
        ));
    }
    out.push(Item::new(
        f("proposal.field.funding"),
        tr(l, d.funding.label_key()),
        Kind::Plain,
    ));
    let m = &d.money;
    for (k, v) in [
        ("proposal.field.total_cost", m.total_cost),
        ("proposal.field.support", m.support),
        ("proposal.field.counterpart", m.counterpart),
        ("proposal.field.other_sources", m.other_sources),
    ] {
        out.push(Item::new(f(k), format_vnd(v), Kind::Plain));
    }
    let markers = crate::words::format::priorities_text(l, &d.priorities);
    out.push(Item::new(
        f("ui.pform.priorities"),
        if markers.is_empty() {
            "—".into()
        } else {
            markers
        },
        Kind::Plain,
    ));
    for (k, v) in [
        ("proposal.field.place", &d.place),
        ("proposal.field.time_frame", &d.time_frame),
        ("proposal.field.rationale", &d.rationale),
        ("proposal.field.objectives", &d.objectives),
        ("proposal.field.content", &d.content),
    ] {
        if !v.trim().is_empty() {
            out.push(Item::new(f(k), v.clone(), Kind::Plain));
        }
    }
    out
}

impl Screen for ProposalViewScreen {
    fn title(&self, lang: Lang) -> String {
        trf(
            lang,
            "ui.proposal.title",
            &[&sanitize(&crate::words::group::facility_label(
                lang,
                &self.record.proposal,
            ))],
        )
    }

    fn contexts(&self) -> &'static [Context] {
        if self.asking.is_some() {
            &[Context::Form]
        } else {
            &[Context::Proposal, Context::Detail]
        }
    }

    fn handles(&self, action: Action) -> bool {
        if self.asking.is_some() {
            return matches!(action, Action::Open | Action::Save | Action::Back);
        }
        if let Some(to) = target(action, &self.record) {
            return self.allows(to);
        }
        match action {
            Action::Edit => self.record.editable,
            _ if action.is_move() => true,
            _ => false,
        }
    }

    fn handle_action(&mut self, action: Action, env: &Env, store: &mut Store) -> ScreenCmd {
        let l = env.lang;
        if let Some((prompt, to)) = self.asking.as_ref() {
            return match action {
                Action::Back => {
                    self.asking = None;
                    ScreenCmd::None
                }
                Action::Open | Action::Save => {
                    let (input, to) = (move_input(*to, prompt), *to);
                    self.move_to(to, &input, store)
                }
                _ => ScreenCmd::None,
            };
        }
        if let Some(to) = target(action, &self.record) {
            let needs = self
                .record
                .actions
                .iter()
                .find(|(s, _)| *s == to)
                .map(|(_, n)| *n);
            let prompt = needs.and_then(|n| move_prompt(l, to, n, &self.record.proposal));
            return match (needs, prompt) {
                (Some(_), Some(prompt)) => {
                    self.asking = Some((prompt, to));
                    ScreenCmd::None
                }
                (Some(_), None) => ScreenCmd::Confirm {
                    message: trf(
                        l,
                        "ui.proposal.confirm_move",
                        &[&crate::words::format::proposal_status_label(l, to)],
                    ),
                    action,
                },
                // Not this role's move: the core says why.
                (None, _) => self.move_to(to, &MoveInput::default(), store),
            };
        }
        let page = self.page.get().max(1);
        let max = self.lines.get().saturating_sub(page);
        let s = self.scroll.get();
        let next = match action {
            Action::Up => s.saturating_sub(1),
            Action::Down => (s + 1).min(max),
            Action::PageUp => s.saturating_sub(page),
            Action::PageDown => (s + page).min(max),
            Action::Home => 0,
            Action::End => max,
            Action::Edit if self.record.editable => {
                return match ProposalFormScreen::edit(&self.record.proposal, store) {
                    Ok(f) => ScreenCmd::Push(Box::new(f)),
                    Err(e) => ScreenCmd::Error(crate::words::store_error_text(l, &e)),
                };
            }
            Action::Edit => {
                let e = StoreError::NotEditable {
                    id: self.record.proposal.id.clone(),
                    status: self.record.proposal.status,
                };
                return ScreenCmd::Error(crate::words::store_error_text(l, &e));
            }
            _ => return ScreenCmd::Unhandled,
        };
        self.scroll.set(next);
        ScreenCmd::None
    }

    fn render(&self, frame: &mut Frame, area: Rect, env: &Env, focused: bool) {
        let l = env.lang;
        let theme = env.theme;
        let p = &self.record.proposal;
        let title = fit(&self.title(l), (area.width as usize).saturating_sub(30));
        let right = Some((
            tr(l, super::proposals::status_short_key(p.status)),
            theme.base,
        ));
        let Some(inner) = screen_frame(frame, area, theme, &title, right, (20, 2)) else {
            return;
        };
        let w = inner.width as usize;
        let lines = self.layout(w);
        let height = inner.height as usize;
        self.page.set(height);
        self.lines.set(lines.len());
        let top = self.scroll.get().min(lines.len().saturating_sub(height));
        let buf = frame.buffer_mut();
        for (n, (label, text, kind)) in lines.iter().skip(top).take(height).enumerate() {
            let y = inner.y + n as u16;
            let lw = width(label);
            buf.set_stringn(inner.x, y, label, lw, theme.dim);
            let style: Style = match kind {
                Kind::Plain => theme.base,
                Kind::Heading => theme.title,
                Kind::Dim => theme.dim,
                Kind::Warning => warning_style(theme),
            };
            let room = w.saturating_sub(lw);
            buf.set_stringn(inner.x + lw as u16, y, text, room, style);
        }
        if let Some((prompt, _)) = &self.asking {
            prompt.render(frame, area, theme, l, focused);
        }
    }

    fn handle_text_key(&mut self, key: &KeyEvent) -> bool {
        self.asking.as_mut().is_some_and(|(p, _)| p.handle_key(key))
    }

    fn handle_paste(&mut self, text: &str) -> bool {
        self.asking.as_mut().map(|(p, _)| p.paste(text)).is_some()
    }

    fn on_confirm(&mut self, action: Action, _env: &Env, store: &mut Store) -> ScreenCmd {
        match target(action, &self.record) {
            Some(to) => self.move_to(to, &MoveInput::default(), store),
            None => ScreenCmd::None,
        }
    }

    fn on_data_changed(&mut self, store: &mut Store) -> ScreenCmd {
        match self.reload(store) {
            Some(e) => ScreenCmd::Error(e),
            None => ScreenCmd::None,
        }
    }
}
