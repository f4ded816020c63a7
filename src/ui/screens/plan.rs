//! "Kế hoạch năm" (`K` from anywhere, F5 included, or the palette): the annual plan of the
//! scope as the province receives it — per content, per implementing unit (centre,
//! facilities) with subtotals, totals per funding source, the centre's activities — with the
//! 20 June date in view (days left or passed) and what is still undecided, by status.
//! ←/→ change the year; the lines scroll.

use ratatui::layout::{Constraint, Rect};
use ratatui::Frame;

use super::{Env, Screen, ScreenCmd};
use crate::domain::money::format_vnd;
use crate::domain::plan::{days_left, default_year, Plan};
use crate::store::Store;
use crate::text::sanitize;
use crate::ui::keymap::{Action, Context};
use crate::ui::widgets::bars::wrap;
use crate::ui::widgets::table::render_list;
use crate::ui::widgets::{dim_line, screen_frame, Column, ListWindow};
use crate::words::plan::{deadline_text, pending_lines, plan_lines, PlanLine};
use crate::words::{store_error_text, tr, trf, Lang};

/// Years a plan may have (as `ctv plan --year`).
const YEARS: std::ops::RangeInclusive<i32> = 2012..=2100;
/// Width of an amount column ("12.345.678.900 đ").
const AMOUNT_W: u16 = 16;

#[derive(Debug)]
pub struct PlanScreen {
    lang: Lang,
    year: i32,
    today: chrono::NaiveDate,
    plan: Result<Plan, String>,
    /// The plan's lines, texts sanitized.
    lines: Vec<PlanLine>,
    window: ListWindow,
}

impl PlanScreen {
    /// Next year's plan (the one being gathered for 20 June).
    pub fn new(lang: Lang, store: &Store) -> PlanScreen {
        let today = store.today();
        let mut s = PlanScreen {
            lang,
            year: default_year(today),
            today,
            plan: Err(String::new()),
            lines: Vec::new(),
            window: ListWindow::new(),
        };
        s.reload(store);
        s
    }

    // ----- inspection (tests) -----

    pub fn year(&self) -> i32 {
        self.year
    }

    pub fn plan(&self) -> Option<&Plan> {
        self.plan.as_ref().ok()
    }

    fn set_year(&mut self, year: i32, store: &Store) {
        if YEARS.contains(&year) {
            self.year = year;
            self.window = ListWindow::new();
            self.reload(store);
        }
    }
}

impl Screen for PlanScreen {
    fn title(&self, lang: Lang) -> String {
        tr(lang, "ui.action.plan").to_string()
    }

    fn contexts(&self) -> &'static [Context] {
        &[Context::Plan, Context::List]
    }

    fn handles(&self, action: Action) -> bool {
        action.is_move() || matches!(action, Action::Plan | Action::PrevYear | Action::NextYear)
    }

    fn handle_action(&mut self, action: Action, _env: &Env, store: &mut Store) -> ScreenCmd {
        if self.window.apply(action, self.lines.len()) {
            return ScreenCmd::None;
        }
        match action {
            Action::Plan => self.reload(store),
            Action::PrevYear => self.set_year(self.year - 1, store),
            Action::NextYear => self.set_year(self.year + 1, store),
            _ => return ScreenCmd::Unhandled,
        }
        ScreenCmd::None
    }

    fn reload(&mut self, store: &Store) {
        self.today = store.today();
        self.plan = store
            .annual_plan(self.year, false)
            .map_err(|e| store_error_text(self.lang, &e));
        self.lines = match &self.plan {
            Ok(p) if p.total.count > 0 || !p.activities.is_empty() => plan_lines(self.lang, p)
                .into_iter()
                .map(|mut line| {
                    for t in line.texts.iter_mut() {
                        *t = sanitize(t);
                    }
                    line
                })
                .collect(),
            _ => Vec::new(),
        };
        let total = self.lines.len();
        let at = self.window.selected();
        self.window.select(at, total);
    }

    fn render(&self, frame: &mut Frame, area: Rect, env: &Env, _focused: bool) {
        let l = env.lang;
        let theme = env.theme;
        let title = trf(l, "ui.plan.title", &[&self.year]);
        let years = trf(l, "ui.plan.years", &[&self.year]);
        let right = Some((years.as_str(), theme.base));
        let Some(inner) = screen_frame(frame, area, theme, &title, right, (20, 4)) else {
            return;
        };
        let plan = match &self.plan {
            Ok(p) => p,
            Err(e) => {
                dim_line(frame, inner, e, theme);
                return;
            }
        };
        let w = usize::from(inner.width);
        let mut y = inner.y;
        let bottom = inner.y + inner.height;
        // The 20 June date: a warning when close (a month) or passed.
        let deadline = deadline_text(l, self.year, self.today);
        let style = if days_left(self.year, self.today) <= 30 {
            theme.warning
        } else {
            theme.base
        };
        // Wrapped on a narrow screen: the days left are its point.
        for line in wrap(&deadline, w.max(1)).into_iter().take(2) {
            if y >= bottom {
                break;
            }
            let text = crate::ui::widgets::fit(&line, w);
            frame.buffer_mut().set_stringn(inner.x, y, text, w, style);
            y += 1;
        }
        // What is undecided: the count, then each status, wrapped (a third of the height at
        // most, so the lines keep most of the screen).
        let (head, parts) = pending_lines(l, plan);
        let text = if parts.is_empty() {
            head
        } else {
            format!("{head}: {}", parts.join(" · "))
        };
        let room = usize::from(inner.height / 3).max(1);
        for line in wrap(&text, w.max(1)).into_iter().take(room) {
            if y >= bottom {
                break;
            }
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
            y += 1;
        }
        let rest = Rect {
            y,
            height: bottom.saturating_sub(y),
            ..inner
        };
        if rest.height < 2 {
            return;
        }
        // The line's text takes what the amounts leave: total cost always, support from 80
        // columns, the four amounts (and source, status) on a wide screen.
        let money_n = match inner.width {
            w if w >= 150 => 4,
            w if w >= 70 => 2,
            _ => 1,
        };
        let wide = inner.width >= 150;
        let h = crate::words::plan::headers(l);
        let mut columns = vec![Column::new(tr(l, "ui.plan.col.line"), Constraint::Fill(1))];
        if wide {
            columns.push(Column::new(h[4], Constraint::Length(6)));
            columns.push(Column::new(h[11], Constraint::Length(26)));
        }
        for title in &h[6..6 + money_n] {
            columns.push(Column::new(*title, Constraint::Length(AMOUNT_W)).right());
        }
        let empty = trf(l, "ui.plan.empty", &[&self.year]);
        render_list(
            frame,
            rest,
            &columns,
            (&self.lines, &self.window),
            theme,
            &empty,
            |line| {
                let mut cells = vec![line.outline()];
                if wide {
                    cells.push(line.texts[4].clone());
                    cells.push(line.texts[7].clone());
                }
                cells.extend(
                    line.money[..money_n]
                        .iter()
                        .map(|m| m.map(format_vnd).unwrap_or_default()),
                );
                cells
            },
        );
    }

    fn is_view(&self) -> bool {
        true
    }
}
