//! "Chỉ tiêu năm" (from the report, `d`, or the palette): this year's targets against what the
//! scope has achieved — facilities supported, money, training classes, typical products — as
//! bars (share of the target) and a sparkline per month. A province sees the province; an
//! area its communes; a commune its own. `p` picks the year. The targets are the province's
//! (`ctv targets set`), carried to communes in receipts.

use chrono::Datelike;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::widgets::{Bar, BarChart, BarGroup, Sparkline};
use ratatui::Frame;

use super::{Env, PickPurpose, Screen, ScreenCmd};
use crate::domain::report::{Target, TargetKey};
use crate::domain::Role;
use crate::store::report::{months_so_far, Dashboard};
use crate::store::Store;
use crate::ui::keymap::{Action, Context};
use crate::ui::widgets::{dim_line, screen_frame, PickItem, Prompt};
use crate::words::report::{target_label, target_value};
use crate::words::{store_error_text, tr, trf, Lang};

#[derive(Debug)]
pub struct DashboardScreen {
    lang: Lang,
    year: i32,
    today: chrono::NaiveDate,
    dashboard: Result<Dashboard, String>,
    /// Whether this profile sets the targets (the province).
    sets_targets: bool,
    /// The target being typed, and its prompt.
    asking: Option<(TargetKey, Prompt)>,
}

impl DashboardScreen {
    pub fn new(lang: Lang, store: &Store) -> DashboardScreen {
        let today = store.today();
        let mut s = DashboardScreen {
            lang,
            year: today.year(),
            today,
            dashboard: Err(String::new()),
            sets_targets: store.profile().is_some_and(|p| p.role == Role::Province),
            asking: None,
        };
        s.reload(store);
        s
    }

    /// What is shown (tests).
    pub fn dashboard(&self) -> Option<&Dashboard> {
        self.dashboard.as_ref().ok()
    }

    fn ask_value(&mut self, l: Lang, key: TargetKey) {
        let now = self
            .dashboard
            .as_ref()
            .ok()
            .and_then(|d| d.rows.iter().find(|r| r.key == key))
            .and_then(|r| r.target)
            .map(|v| target_value(key, v))
            .unwrap_or_default();
        let title = trf(
            l,
            "ui.dashboard.value_title",
            &[&self.year, &target_label(l, key)],
        );
        let prompt = Prompt::new(title).field(
            tr(l, "ui.dashboard.value"),
            tr(l, "ui.dashboard.value_hint"),
            &now,
            30,
        );
        self.asking = Some((key, prompt));
    }

    /// Enter on the prompt: the value read and saved, or its error shown in the prompt.
    fn submit(&mut self, l: Lang, store: &mut Store) -> ScreenCmd {
        let Some((key, prompt)) = self.asking.as_mut() else {
            return ScreenCmd::None;
        };
        let saved = Target::parse(&self.year.to_string(), key.code(), prompt.value(0))
            .map_err(|e| crate::words::report::target_error_text(l, &e))
            .and_then(|t| {
                store
                    .set_target(&t)
                    .map(|_| t)
                    .map_err(|e| store_error_text(l, &e))
            });
        match saved {
            Ok(t) => {
                self.asking = None;
                self.reload(store);
                ScreenCmd::Toast(trf(
                    l,
                    "target.set",
                    &[
                        &t.year,
                        &target_label(l, t.key),
                        &target_value(t.key, t.value),
                    ],
                ))
            }
            Err(e) => {
                prompt.set_error(Some(e));
                ScreenCmd::None
            }
        }
    }
}

impl Screen for DashboardScreen {
    fn title(&self, lang: Lang) -> String {
        tr(lang, "ui.dashboard.title").to_string()
    }

    fn contexts(&self) -> &'static [Context] {
        super::prompt_contexts(self.asking.is_some(), &[Context::Report])
    }

    fn handles(&self, action: Action) -> bool {
        if self.asking.is_some() {
            return super::prompt_handles(action);
        }
        match action {
            Action::Dashboard | Action::ReportPeriod | Action::Report => true,
            Action::SetTarget => self.sets_targets,
            _ => false,
        }
    }

    fn handle_action(&mut self, action: Action, env: &Env, store: &mut Store) -> ScreenCmd {
        if self.asking.is_some() {
            return match action {
                Action::Back => {
                    self.asking = None;
                    ScreenCmd::None
                }
                Action::Open | Action::Save => self.submit(env.lang, store),
                _ => ScreenCmd::None,
            };
        }
        match action {
            Action::SetTarget if self.sets_targets => ScreenCmd::OpenPicker {
                title: tr(env.lang, "ui.dashboard.pick_key").to_string(),
                items: TargetKey::ALL
                    .iter()
                    .map(|k| PickItem::new(k.code(), target_label(env.lang, *k)))
                    .collect(),
                purpose: PickPurpose::TargetKey,
            },
            Action::Dashboard => {
                self.reload(store);
                ScreenCmd::None
            }
            Action::ReportPeriod => {
                let y = self.today.year();
                let items = (y - 4..=y + 1)
                    .rev()
                    .map(|year| PickItem::new(year.to_string(), year.to_string()))
                    .collect();
                ScreenCmd::OpenPicker {
                    title: tr(env.lang, "ui.dashboard.pick_year").to_string(),
                    items,
                    purpose: PickPurpose::DashboardYear,
                }
            }
            _ => ScreenCmd::Unhandled,
        }
    }

    fn on_pick(&mut self, p: PickPurpose, code: &str, env: &Env, store: &mut Store) -> ScreenCmd {
        if let (PickPurpose::TargetKey, Some(k)) = (p, TargetKey::parse(code)) {
            self.ask_value(env.lang, k);
            return ScreenCmd::None;
        }
        if let (PickPurpose::DashboardYear, Ok(y)) = (p, code.parse::<i32>()) {
            self.year = y;
            self.reload(store);
        }
        ScreenCmd::None
    }

    fn reload(&mut self, store: &Store) {
        self.today = store.today();
        self.dashboard = store
            .report_scope(None)
            .and_then(|scope| store.dashboard(self.year, &scope))
            .map_err(|e| store_error_text(self.lang, &e));
    }

    fn handle_text_key(&mut self, key: &KeyEvent) -> bool {
        self.asking.as_mut().is_some_and(|(_, p)| p.handle_key(key))
    }

    fn handle_paste(&mut self, text: &str) -> bool {
        self.asking.as_mut().map(|(_, p)| p.paste(text)).is_some()
    }

    fn render(&self, frame: &mut Frame, area: Rect, env: &Env, focused: bool) {
        self.render_board(frame, area, env);
        if let Some((_, p)) = &self.asking {
            p.render(frame, area, env.theme, env.lang, focused);
        }
    }

    fn is_view(&self) -> bool {
        true
    }
}

impl DashboardScreen {
    fn render_board(&self, frame: &mut Frame, area: Rect, env: &Env) {
        let l = env.lang;
        let theme = env.theme;
        let title = trf(l, "ui.dashboard.heading", &[&self.year]);
        let Some(inner) = screen_frame(frame, area, theme, &title, None, (30, 6)) else {
            return;
        };
        let d = match &self.dashboard {
            Ok(d) => d,
            Err(e) => {
                dim_line(frame, inner, e, theme);
                return;
            }
        };
        // Bars: the share of each target achieved (no target: no bar, said in the label).
        let bars: Vec<Bar> = d
            .rows
            .iter()
            .map(|r| {
                let pct = Dashboard::percent(r);
                Bar::default()
                    .value(pct.unwrap_or(0).max(0) as u64)
                    .text_value(pct.map_or("—".to_string(), |p| format!("{p}%")))
                    .label(ratatui::text::Line::from(target_label(l, r.key)))
                    .style(theme.title)
                    .value_style(theme.selected)
            })
            .collect();
        let chart_h = inner
            .height
            .saturating_sub(2 * d.rows.len() as u16)
            .clamp(3, 10);
        let chart_area = Rect {
            height: chart_h.min(inner.height),
            ..inner
        };
        let width = (inner.width.saturating_sub(d.rows.len() as u16 * 2)
            / d.rows.len().max(1) as u16)
            .clamp(3, 20);
        let chart = BarChart::default()
            .data(BarGroup::default().bars(&bars))
            .bar_width(width)
            .bar_gap(2)
            .max(100);
        frame.render_widget(chart, chart_area);
        // Each target: its line, and the months so far as a sparkline.
        let months = months_so_far(self.year, self.today);
        let mut y = inner.y + chart_area.height;
        for r in &d.rows {
            if y + 1 >= inner.y + inner.height {
                break;
            }
            let target = r
                .target
                .map(|t| target_value(r.key, t))
                .unwrap_or_else(|| tr(l, "ui.dashboard.no_target").to_string());
            let line = trf(
                l,
                "ui.dashboard.line",
                &[
                    &target_label(l, r.key),
                    &target_value(r.key, r.achieved),
                    &target,
                ],
            );
            dim_line(
                frame,
                Rect {
                    y,
                    height: 1,
                    ..inner
                },
                &line,
                theme,
            );
            // Each month a few cells wide, so a year reads at a glance.
            let per = (usize::from(inner.width) / months.max(1)).clamp(1, 3);
            let data: Vec<u64> = r.by_month[..months]
                .iter()
                .flat_map(|v| std::iter::repeat_n((*v).max(0) as u64, per))
                .collect();
            let spark = Sparkline::default().data(&data).style(theme.title);
            let w = (data.len() as u16).min(inner.width);
            frame.render_widget(
                spark,
                Rect {
                    y: y + 1,
                    height: 1,
                    width: w,
                    ..inner
                },
            );
            y += 2;
        }
    }
}
