//! "Báo cáo" (F11): the report of a period and scope — preview and workbook.
//!
//! `p` picks the period (this year and last: the year, halves, quarters), `s` narrows the
//! scope (a commune of the profile's, an area of the province), `x` writes the workbook into
//! the export folder, `d` opens the dashboard. The counting runs as a job
//! ([`ScreenCmd::ComputeReport`]); the screen shows its progress until the report arrives.

use chrono::Datelike;
use ratatui::layout::{Constraint, Rect};
use ratatui::Frame;

use super::{Env, PickPurpose, Screen, ScreenCmd};
use crate::domain::report::Period;
use crate::domain::Role;
use crate::store::report::{Report, ReportScope};
use crate::store::Store;
use crate::ui::keymap::{Action, Context};
use crate::ui::widgets::table::render_list;
use crate::ui::widgets::{dim_line, screen_frame, Column, ListWindow, PickItem};
use crate::words::format::{commune_label, CommuneForm};
use crate::words::report::{area_label, report_table, value_text, ReportTable};
use crate::words::{store_error_text, tr, trf, Lang};

#[derive(Debug)]
pub struct ReportScreen {
    lang: Lang,
    period: Period,
    /// What `s` chose ("" = the profile's scope).
    narrow: String,
    scope: Result<ReportScope, String>,
    report: Option<Report>,
    table: Option<ReportTable>,
    /// Parts counted of all, while the job runs.
    progress: Option<(usize, usize)>,
    error: Option<String>,
    window: ListWindow,
    /// The profile's communes and the province's areas, for the scope picker.
    choices: Vec<PickItem>,
    today: chrono::NaiveDate,
}

impl ReportScreen {
    /// This year's report of the profile's scope (counted once shown).
    pub fn new(lang: Lang, store: &Store) -> ReportScreen {
        let today = store.today();
        let scope = store
            .report_scope(None)
            .map_err(|e| store_error_text(lang, &e));
        let mut choices = vec![PickItem::new("", tr(lang, "ui.report.scope_all"))];
        if let Ok(s) = &scope {
            if store.profile().is_some_and(|p| p.role != Role::Commune) {
                for a in s.areas.iter().filter(|a| a.collaborator_id.is_some()) {
                    let id = a.collaborator_id.clone().unwrap_or_default();
                    let label = trf(lang, "ui.report.area", &[&area_label(lang, a)]);
                    choices.push(PickItem::new(id.as_str(), label));
                }
                for c in &s.communes {
                    choices.push(PickItem::new(
                        c.as_str(),
                        commune_label(c, CommuneForm::FullName),
                    ));
                }
            }
        }
        ReportScreen {
            lang,
            period: Period::year(today.year()),
            narrow: String::new(),
            scope,
            report: None,
            table: None,
            progress: None,
            error: None,
            window: ListWindow::new(),
            choices,
            today,
        }
    }

    // ----- inspection (tests) -----

    pub fn report(&self) -> Option<&Report> {
        self.report.as_ref()
    }

    pub fn period(&self) -> &Period {
        &self.period
    }

    // ----- input -----

    fn compute(&mut self) -> ScreenCmd {
        match &self.scope {
            Ok(scope) => {
                self.progress = Some((0, 1));
                self.error = None;
                ScreenCmd::ComputeReport {
                    period: self.period.clone(),
                    scope: scope.clone(),
                }
            }
            Err(e) => ScreenCmd::Error(e.clone()),
        }
    }

    fn period_picker(&self) -> ScreenCmd {
        let y = self.today.year();
        let mut items = Vec::new();
        for year in [y, y - 1] {
            for part in ["", "-H1", "-H2", "-Q1", "-Q2", "-Q3", "-Q4"] {
                let code = format!("{year}{part}");
                if let Ok(p) = Period::parse(&code) {
                    let label = trf(
                        self.lang,
                        "ui.report.period_item",
                        &[&p.text, &dmy(p.from), &dmy(p.to)],
                    );
                    items.push(PickItem::new(code.as_str(), label));
                }
            }
        }
        ScreenCmd::OpenPicker {
            title: tr(self.lang, "ui.report.pick_period").to_string(),
            items,
            purpose: PickPurpose::ReportPeriod,
        }
    }

    /// The workbook goes to the export folder; the event loop writes it on a job thread.
    fn export(&self, store: &Store) -> ScreenCmd {
        let _ = store;
        let (Some(report), Ok(scope)) = (&self.report, &self.scope) else {
            return ScreenCmd::None;
        };
        ScreenCmd::WriteReport {
            report: Box::new(report.clone()),
            scope: scope.clone(),
            file_name: format!("bao-cao-{}.xlsx", self.period.text.replace('/', "-")),
        }
    }

    fn scope_text(&self) -> String {
        if self.narrow.is_empty() {
            return tr(self.lang, "ui.report.scope_all").to_string();
        }
        self.choices
            .iter()
            .find(|c| c.code == self.narrow)
            .map(|c| c.label.clone())
            .unwrap_or_else(|| crate::text::sanitize(&self.narrow))
    }
}

fn dmy(d: chrono::NaiveDate) -> String {
    crate::domain::consultation::dmy(d)
}

impl Screen for ReportScreen {
    fn title(&self, lang: Lang) -> String {
        tr(lang, "ui.report.title").to_string()
    }

    fn contexts(&self) -> &'static [Context] {
        &[Context::Report, Context::List]
    }

    fn handles(&self, action: Action) -> bool {
        match action {
            _ if action.is_move() => true,
            Action::Report | Action::ReportPeriod | Action::Dashboard => true,
            Action::ReportScope => self.choices.len() > 1,
            Action::ReportExport => self.report.is_some(),
            _ => false,
        }
    }

    fn handle_action(&mut self, action: Action, env: &Env, store: &mut Store) -> ScreenCmd {
        let total = self.table.as_ref().map_or(0, |t| t.lines.len());
        if self.window.apply(action, total) {
            return ScreenCmd::None;
        }
        match action {
            Action::Report => self.compute(),
            Action::ReportPeriod => self.period_picker(),
            Action::ReportScope if self.choices.len() > 1 => ScreenCmd::OpenPicker {
                title: tr(env.lang, "ui.report.pick_scope").to_string(),
                items: self.choices.clone(),
                purpose: PickPurpose::ReportScope,
            },
            Action::ReportExport => self.export(store),
            _ => ScreenCmd::Unhandled,
        }
    }

    fn on_pick(&mut self, p: PickPurpose, code: &str, env: &Env, store: &mut Store) -> ScreenCmd {
        match p {
            PickPurpose::ReportPeriod => match Period::parse(code) {
                Ok(p) => {
                    self.period = p;
                    self.compute()
                }
                Err(e) => ScreenCmd::Error(crate::words::report::period_error_text(env.lang, &e)),
            },
            PickPurpose::ReportScope => {
                let narrow = (!code.is_empty()).then_some(code);
                match store.report_scope(narrow) {
                    Ok(s) => {
                        self.narrow = code.to_string();
                        self.scope = Ok(s);
                        self.compute()
                    }
                    Err(e) => ScreenCmd::Error(store_error_text(env.lang, &e)),
                }
            }
            _ => ScreenCmd::None,
        }
    }

    fn on_shown(&mut self, _store: &mut Store) -> ScreenCmd {
        self.compute()
    }

    fn on_report(&mut self, result: Result<Report, String>) {
        self.progress = None;
        match result {
            Ok(r) => {
                self.table = Some(report_table(self.lang, &r));
                self.report = Some(r);
                self.error = None;
                let total = self.table.as_ref().map_or(0, |t| t.lines.len());
                self.window.select(0, total);
            }
            Err(e) => self.error = Some(e),
        }
    }

    fn on_report_progress(&mut self, done: usize, total: usize) {
        if self.progress.is_some() {
            self.progress = Some((done, total));
        }
    }

    fn render(&self, frame: &mut Frame, area: Rect, env: &Env, _focused: bool) {
        let l = env.lang;
        let theme = env.theme;
        let Some(inner) = screen_frame(frame, area, theme, tr(l, "ui.report.title"), None, (30, 4))
        else {
            return;
        };
        let head = trf(
            l,
            "ui.report.period_line",
            &[
                &self.period.text,
                &dmy(self.period.from),
                &dmy(self.period.to),
                &self.scope_text(),
            ],
        );
        dim_line(frame, inner, &head, theme);
        let rest = Rect {
            y: inner.y + 1,
            height: inner.height.saturating_sub(1),
            ..inner
        };
        let status = match (&self.progress, &self.error, &self.table) {
            (Some((done, total)), _, _) => Some(trf(l, "ui.report.computing", &[done, total])),
            (None, Some(e), _) => Some(e.clone()),
            (None, None, None) => Some(tr(l, "ui.report.computing_start").to_string()),
            _ => None,
        };
        if let Some(s) = status {
            dim_line(frame, rest, &s, theme);
            return;
        }
        let Some(t) = &self.table else {
            return;
        };
        // The figure column takes what the value columns leave; values as many as fit.
        let fit = (usize::from(rest.width).saturating_sub(36) / 16).max(1);
        let shown = t.headings.len().saturating_sub(1).min(fit);
        let mut columns = vec![Column::new(t.headings[0].as_str(), Constraint::Fill(1))];
        columns.extend(
            t.headings[1..=shown]
                .iter()
                .map(|h| Column::new(h.as_str(), Constraint::Length(16)).right()),
        );
        render_list(
            frame,
            rest,
            &columns,
            (&t.lines, &self.window),
            theme,
            "",
            |line| {
                std::iter::once(line.label.clone())
                    .chain(
                        line.values
                            .iter()
                            .take(shown)
                            .map(|v| value_text(line.money, *v)),
                    )
                    .collect()
            },
        );
    }

    fn follows_outside_changes(&self) -> bool {
        // A report is counted when asked (F11 counts it again), not at every change.
        false
    }

    fn is_view(&self) -> bool {
        true
    }
}
