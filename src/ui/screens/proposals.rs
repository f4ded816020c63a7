//! "Đề xuất hỗ trợ": the proposals of the scope (F5 from anywhere).
//!
//! A list (year, status, category, funding source, facility, requested support) narrowed by
//! `f` — status, plan year, category, funding source, commune — and under it, for the whole
//! filter (not only the rows loaded), the totals of requested support and of total cost per
//! support category, with a bar of the requested support, then per funding source and in all
//! (`Store::proposal_totals`, one grouped query). Enter opens a proposal with its history and
//! the moves the current role may make.

use chrono::Datelike;
use ratatui::layout::{Constraint, Rect};
use ratatui::Frame;

use super::form::commune_items;
use super::{Env, PickPurpose, Screen, ScreenCmd};
use crate::domain::money::format_vnd;
use crate::domain::proposal::{FundingSource, Proposal, ProposalStatus};
use crate::refdata::codes;
use crate::store::{ProjectFilter, ProjectSums, ProjectTotals, ProposalFilter, Stage, Store};
use crate::text::sanitize;
use crate::ui::keymap::{Action, Context};
use crate::ui::widgets::bars::wrap;
use crate::ui::widgets::table::render_list;
use crate::ui::widgets::{dim_line, screen_frame};
use crate::ui::widgets::{fit, width, Column, ListWindow, PickItem};
use crate::words::format;
use crate::words::project_page as project;
use crate::words::{tr, trf, Lang};

/// Proposals listed at most (the count and the totals cover them all).
pub const LIMIT: usize = 500;
/// Width of an amount column ("12.345.678.900 đ").
const AMOUNT_W: usize = 16;

/// One row, formatted when loaded.
#[derive(Debug, Clone)]
struct Row {
    id: String,
    year: String,
    status: String,
    category: String,
    funding: String,
    facility: String,
    support: String,
}

impl Row {
    fn new(lang: Lang, p: &Proposal) -> Row {
        Row {
            id: p.id.clone(),
            year: p.data.plan_year.to_string(),
            status: tr(lang, status_short_key(p.status)).to_string(),
            category: sanitize(&p.data.category),
            funding: p.data.funding.short().to_string(),
            facility: sanitize(&format!(
                "{} · {}",
                crate::words::group::facility_label(lang, p),
                p.data.title
            )),
            support: format_vnd(p.data.money.support),
        }
    }
}

/// The short label of a status, for narrow columns.
pub fn status_short_key(s: ProposalStatus) -> &'static str {
    match s {
        ProposalStatus::Nhap => "ui.proposal.status.nhap",
        ProposalStatus::DeXuat => "ui.proposal.status.de_xuat",
        ProposalStatus::DaRaSoat => "ui.proposal.status.da_ra_soat",
        ProposalStatus::DaGuiTinh => "ui.proposal.status.da_gui_tinh",
        ProposalStatus::TraLai => "ui.proposal.status.tra_lai",
        ProposalStatus::PheDuyet => "ui.proposal.status.phe_duyet",
        ProposalStatus::KhongDuyet => "ui.proposal.status.khong_duyet",
        ProposalStatus::DangThucHien => "ui.proposal.status.dang_thuc_hien",
        ProposalStatus::HoanThanh => "ui.proposal.status.hoan_thanh",
        ProposalStatus::Dung => "ui.proposal.status.dung",
        ProposalStatus::Rut => "ui.proposal.status.rut",
    }
}

#[derive(Debug)]
pub struct ProposalsScreen {
    lang: Lang,
    filter: ProjectFilter,
    rows: Vec<Row>,
    /// Proposals matching the filter (may be more than the rows loaded).
    count: usize,
    totals: ProjectTotals,
    window: ListWindow,
    /// Communes of the scope (the commune filter offers these).
    scope: Vec<String>,
    this_year: i32,
    error: Option<String>,
}

impl ProposalsScreen {
    pub fn new(lang: Lang, store: &Store) -> ProposalsScreen {
        let mut s = ProposalsScreen {
            lang,
            filter: ProjectFilter::default(),
            rows: Vec::new(),
            count: 0,
            totals: ProjectTotals::default(),
            window: ListWindow::new(),
            scope: store.profile().map(|p| p.communes()).unwrap_or_default(),
            this_year: store.today().year(),
            error: None,
        };
        s.reload(store);
        s
    }

    // ----- inspection (tests) -----

    pub fn filter(&self) -> &ProposalFilter {
        &self.filter.base
    }

    /// The whole filter, stage and batch included.
    pub fn project_filter(&self) -> &ProjectFilter {
        &self.filter
    }

    pub fn count(&self) -> usize {
        self.count
    }

    pub fn totals(&self) -> &ProjectTotals {
        &self.totals
    }

    /// The id of the proposal under the cursor.
    pub fn selected_id(&self) -> Option<&str> {
        self.rows.get(self.window.selected()).map(|r| r.id.as_str())
    }

    // ----- loading -----

    fn reload(&mut self, store: &Store) {
        let keep = self.selected_id().map(String::from);
        // The totals count the whole filter already: no separate count.
        let loaded = store.project_totals(&self.filter).and_then(|totals| {
            Ok((
                totals.total.count,
                store.list_projects(&self.filter, 0, LIMIT)?,
                totals,
            ))
        });
        match loaded {
            Ok((n, list, totals)) => {
                self.error = None;
                self.count = n;
                self.rows = list.iter().map(|p| Row::new(self.lang, p)).collect();
                self.totals = totals;
            }
            Err(e) => {
                self.count = 0;
                self.rows.clear();
                self.totals = ProjectTotals::default();
                self.error = Some(crate::words::store_error_text(self.lang, &e));
            }
        }
        self.window
            .reselect(&self.rows, |r| keep.as_deref() == Some(r.id.as_str()));
    }

    fn refilter(&mut self, store: &Store) {
        self.window = ListWindow::new();
        self.reload(store);
    }

    // ----- input -----

    fn filter_menu(&self) -> Vec<PickItem> {
        let l = self.lang;
        let all = tr(l, "ui.filter.all").to_string();
        let f = &self.filter.base;
        let status = f
            .statuses
            .first()
            .map(|s| crate::words::format::proposal_status_label(l, *s))
            .unwrap_or(all.clone());
        let year = f.year.map(|y| y.to_string()).unwrap_or(all.clone());
        let category = f.category.clone().unwrap_or(all.clone());
        let funding = f
            .funding
            .map(|x| x.short().to_string())
            .unwrap_or(all.clone());
        let commune = f
            .commune
            .as_deref()
            .map(|c| format::commune_label(c, format::CommuneForm::Name))
            .unwrap_or(all.clone());
        let stage = self
            .filter
            .stage
            .map(|s| project::stage_label(l, s).to_string())
            .unwrap_or(all.clone());
        let batch = self.filter.batch.clone().unwrap_or(all);
        vec![
            PickItem::new("status", tr(l, "ui.proposals.filter.status")).with_hint(status),
            PickItem::new("year", tr(l, "ui.proposals.filter.year")).with_hint(year),
            PickItem::new("category", tr(l, "ui.proposals.filter.category")).with_hint(category),
            PickItem::new("funding", tr(l, "ui.proposals.filter.funding")).with_hint(funding),
            PickItem::new("commune", tr(l, "ui.proposals.filter.commune")).with_hint(commune),
            PickItem::new("stage", tr(l, "ui.proposals.stage_title")).with_hint(stage),
            PickItem::new("batch", tr(l, "ui.proposals.batch_title")).with_hint(batch),
            PickItem::new("clear", tr(l, "ui.filter.clear")),
        ]
    }

    /// "Lọc: Đã đề xuất · 2027 · KC03 · KCQG · Sóc Sơn".
    fn filter_line(&self) -> Option<String> {
        let l = self.lang;
        let f = &self.filter.base;
        let mut parts: Vec<String> = self
            .filter
            .stage
            .map(|s| project::stage_label(l, s).to_string())
            .into_iter()
            .chain(self.filter.batch.clone())
            .collect();
        parts.extend(
            f.statuses
                .iter()
                .map(|s| crate::words::format::proposal_status_label(l, *s)),
        );
        if let Some(y) = f.year {
            parts.push(y.to_string());
        }
        if let Some(c) = &f.category {
            parts.push(c.clone());
        }
        if let Some(x) = f.funding {
            parts.push(x.short().to_string());
        }
        if let Some(c) = &f.commune {
            parts.push(format::commune_label(c, format::CommuneForm::Name));
        }
        (!parts.is_empty()).then(|| trf(l, "ui.list.filtered_by", &[&sanitize(&parts.join(" · "))]))
    }

    fn stage_picker(&self) -> ScreenCmd {
        let l = self.lang;
        let mut items = vec![PickItem::new("", tr(l, "ui.proposals.all_stages"))];
        items.extend(
            Stage::ALL
                .iter()
                .map(|s| PickItem::new(s.key(), project::stage_label(l, *s))),
        );
        ScreenCmd::OpenPicker {
            title: tr(l, "ui.proposals.stage_title").to_string(),
            items,
            purpose: PickPurpose::ProjectStage,
        }
    }

    /// The batches given in the scope; a message when there is none yet.
    fn batch_picker(&self, store: &Store) -> ScreenCmd {
        let l = self.lang;
        match store.project_batches() {
            Ok(b) if b.is_empty() => ScreenCmd::Toast(tr(l, "ui.proposals.no_batches").to_string()),
            Ok(batches) => {
                let mut items = vec![PickItem::new("", tr(l, "ui.proposals.all_batches"))];
                items.extend(
                    batches
                        .iter()
                        .map(|b| PickItem::new(b.as_str(), sanitize(b))),
                );
                ScreenCmd::OpenPicker {
                    title: tr(l, "ui.proposals.batch_title").to_string(),
                    items,
                    purpose: PickPurpose::ProjectBatch,
                }
            }
            Err(e) => ScreenCmd::Error(crate::words::store_error_text(l, &e)),
        }
    }

    // ----- drawing -----

    fn panel_height(&self) -> u16 {
        // Heading, categories, a rule, funding sources, the total.
        (1 + self.totals.by_category.len() + 1 + self.totals.by_funding.len() + 1) as u16
    }

    fn render_list(&self, frame: &mut Frame, area: Rect, env: &Env) {
        let l = env.lang;
        let columns = [
            Column::new(tr(l, "ui.proposals.col.year"), Constraint::Length(4)),
            Column::new(tr(l, "ui.proposals.col.status"), Constraint::Length(10)),
            Column::new(tr(l, "ui.proposals.col.category"), Constraint::Length(4)),
            Column::new(tr(l, "ui.proposals.col.funding"), Constraint::Length(5)),
            Column::new(tr(l, "ui.proposals.col.facility"), Constraint::Fill(1)),
            Column::new(
                tr(l, "ui.proposals.col.support"),
                Constraint::Length(AMOUNT_W as u16),
            )
            .right(),
        ];
        let rows = (self.rows.as_slice(), &self.window);
        render_list(frame, area, &columns, rows, env.theme, "", |r| {
            vec![
                r.year.clone(),
                r.status.clone(),
                r.category.clone(),
                r.funding.clone(),
                r.facility.clone(),
                r.support.clone(),
            ]
        });
    }

    /// Per category: code, a bar of the support asked, then support asked, approved
    /// (adjusted) and paid; then per funding source (granted, else asked) and in all.
    fn render_totals(&self, frame: &mut Frame, area: Rect, env: &Env) {
        let l = env.lang;
        let theme = env.theme;
        let w = area.width as usize;
        let label_w = 5usize;
        let amounts_w = 3 * (AMOUNT_W + 1);
        let bar_w = w.saturating_sub(label_w + amounts_w + 1);
        let buf = frame.buffer_mut();
        // The three amounts, right-aligned in their columns at the right edge.
        let amounts = |buf: &mut ratatui::buffer::Buffer,
                       y: u16,
                       cells: [&str; 3],
                       style: ratatui::style::Style| {
            for (n, cell) in cells.iter().enumerate() {
                let x = area.x + (w.saturating_sub(amounts_w) + n * (AMOUNT_W + 1) + 1) as u16;
                let s = fit(cell, AMOUNT_W);
                let pad = AMOUNT_W.saturating_sub(width(&s)) as u16;
                buf.set_stringn(x + pad, y, &s, AMOUNT_W, style);
            }
        };
        let money = |t: &ProjectSums| {
            [
                format_vnd(t.asked),
                format_vnd(t.approved),
                format_vnd(t.paid),
            ]
        };
        let mut y = area.y;
        let end = area.y + area.height;
        let heading = tr(l, "ui.proposals.totals.heading");
        let head_w = w.saturating_sub(amounts_w);
        buf.set_stringn(area.x, y, fit(heading, head_w), head_w, theme.title);
        amounts(
            buf,
            y,
            [
                tr(l, "ui.proposals.totals.asked"),
                tr(l, "ui.proposals.totals.approved"),
                tr(l, "ui.proposals.totals.paid"),
            ],
            theme.title,
        );
        y += 1;
        let max = self
            .totals
            .by_category
            .iter()
            .map(|(_, t)| t.asked)
            .max()
            .unwrap_or(0);
        // Keep room for the rule, the funding sources and the total.
        let tail = (1 + self.totals.by_funding.len() + 1) as u16;
        let cat_rows = end.saturating_sub(y + tail) as usize;
        let cats = &self.totals.by_category;
        for (i, (code, t)) in cats.iter().enumerate().take(cat_rows) {
            if i + 1 == cat_rows && cats.len() > cat_rows {
                let more = trf(l, "ui.proposals.totals.more", &[&(cats.len() - i)]);
                buf.set_stringn(area.x, y, fit(&more, w), w, theme.dim);
                y += 1;
                break;
            }
            buf.set_stringn(
                area.x,
                y,
                fit(&sanitize(code), label_w),
                label_w,
                theme.base,
            );
            let bar = bar(t.asked, max, bar_w);
            buf.set_stringn(area.x + label_w as u16, y, &bar, bar_w, theme.base);
            let m = money(t);
            amounts(buf, y, [&m[0], &m[1], &m[2]], theme.base);
            y += 1;
        }
        if y < end {
            buf.set_stringn(area.x, y, "─".repeat(w), w, theme.dim);
            y += 1;
        }
        // On a narrow screen the short label (the source's code, "Cộng") instead of a cut one.
        let line = |buf: &mut ratatui::buffer::Buffer,
                    y: u16,
                    (label, short): (&str, &str),
                    t: &ProjectSums| {
            let label = if width(label) > head_w { short } else { label };
            buf.set_stringn(area.x, y, fit(label, head_w), head_w, theme.base);
            let m = money(t);
            amounts(buf, y, [&m[0], &m[1], &m[2]], theme.base);
        };
        for (f, t) in &self.totals.by_funding {
            if y >= end {
                return;
            }
            let label = trf(l, "ui.proposals.totals.funding", &[&f.short(), &t.count]);
            line(buf, y, (&label, f.short()), t);
            y += 1;
        }
        if y < end {
            let t = &self.totals.total;
            let label = trf(l, "ui.proposals.totals.all", &[&t.count]);
            line(buf, y, (&label, tr(l, "ui.proposals.totals.all_short")), t);
        }
    }
}

/// A horizontal bar of `value` out of `max` in `width` cells, in eighths of a block (any
/// amount above zero shows at least a sliver).
pub fn bar(value: i64, max: i64, width: usize) -> String {
    if max <= 0 || value <= 0 || width == 0 {
        return String::new();
    }
    let eighths = (i128::from(value) * (width as i128) * 8 / i128::from(max)).max(1) as usize;
    let full = eighths / 8;
    let part = eighths % 8;
    let mut s = "█".repeat(full.min(width));
    if part > 0 && full < width {
        s.push([' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'][part]);
    }
    s
}

impl Screen for ProposalsScreen {
    fn title(&self, lang: Lang) -> String {
        tr(lang, "ui.proposals.title").to_string()
    }

    fn contexts(&self) -> &'static [Context] {
        &[Context::List]
    }

    fn handles(&self, action: Action) -> bool {
        match action {
            _ if action.is_move() => true,
            Action::Filter | Action::Proposals => true,
            Action::StageFilter | Action::BatchFilter => true,
            Action::Open => !self.rows.is_empty(),
            _ => false,
        }
    }

    fn handle_action(&mut self, action: Action, env: &Env, store: &mut Store) -> ScreenCmd {
        let l = env.lang;
        if self.window.apply(action, self.rows.len()) {
            return ScreenCmd::None;
        }
        match action {
            Action::Proposals => self.reload(store),
            Action::StageFilter => return self.stage_picker(),
            Action::BatchFilter => return self.batch_picker(store),
            Action::Filter => {
                return ScreenCmd::OpenPicker {
                    title: tr(l, "ui.proposals.filter_title").to_string(),
                    items: self.filter_menu(),
                    purpose: PickPurpose::FilterMenu,
                }
            }
            Action::Open => {
                let Some(id) = self.selected_id().map(String::from) else {
                    return ScreenCmd::None;
                };
                return match super::ProposalViewScreen::open(&id, l, store) {
                    Ok(Some(v)) => ScreenCmd::Push(Box::new(v)),
                    Ok(None) => {
                        self.reload(store);
                        ScreenCmd::Error(tr(l, "ui.proposal.gone").to_string())
                    }
                    Err(e) => ScreenCmd::Error(crate::words::store_error_text(l, &e)),
                };
            }
            _ => return ScreenCmd::Unhandled,
        }
        ScreenCmd::None
    }

    fn render(&self, frame: &mut Frame, area: Rect, env: &Env, _focused: bool) {
        let l = env.lang;
        let theme = env.theme;
        let shown = if self.rows.len() < self.count {
            trf(
                l,
                "ui.proposals.count_some",
                &[&format::count(self.rows.len()), &format::count(self.count)],
            )
        } else {
            trf(l, "ui.proposals.count", &[&format::count(self.count)])
        };
        let title = tr(l, "ui.proposals.title");
        let right = Some((shown.as_str(), theme.base));
        let Some(inner) = screen_frame(frame, area, theme, title, right, (40, 4)) else {
            return;
        };
        let w = inner.width as usize;
        let bar = self.filter_line().unwrap_or_else(|| {
            let key = env.keymap.keys_for(Action::Filter, Context::List);
            trf(l, "ui.proposals.no_filter", &[&key])
        });
        dim_line(frame, inner, &bar, theme);
        let rest = inner.height.saturating_sub(1);
        if self.count == 0 {
            let text = match &self.error {
                Some(e) => e.clone(),
                None if self.filter != ProjectFilter::default() => {
                    tr(l, "ui.proposals.empty_filtered").to_string()
                }
                None => tr(l, "ui.proposals.empty").to_string(),
            };
            for (n, line) in wrap(&text, w).iter().enumerate().take(rest as usize) {
                frame
                    .buffer_mut()
                    .set_stringn(inner.x, inner.y + 2 + n as u16, line, w, theme.dim);
            }
            return;
        }
        // The list comes first: it keeps half the height (a header and three rows at the
        // least) when it has rows to show; the totals take what is left and shorten.
        let rows_wanted = u16::try_from(self.count.saturating_add(1)).unwrap_or(u16::MAX);
        let list_min = rows_wanted.min(rest / 2).max(4);
        let wanted = self.panel_height();
        let panel_h = wanted.min(rest.saturating_sub(list_min + 1));
        let list_h = rest.saturating_sub(panel_h + u16::from(panel_h > 0));
        let list = Rect {
            y: inner.y + 1,
            height: list_h,
            ..inner
        };
        self.render_list(frame, list, env);
        if panel_h > 0 {
            let panel = Rect {
                y: list.y + list_h + 1,
                height: panel_h,
                ..inner
            };
            self.render_totals(frame, panel, env);
        }
    }

    fn on_pick(&mut self, p: PickPurpose, code: &str, env: &Env, store: &mut Store) -> ScreenCmd {
        let l = env.lang;
        let some = |c: &str| (!c.is_empty()).then(|| c.to_string());
        let picker =
            |title: &str, items: Vec<PickItem>, purpose: PickPurpose| ScreenCmd::OpenPicker {
                title: title.to_string(),
                items,
                purpose,
            };
        match p {
            PickPurpose::FilterMenu => match code {
                "status" => {
                    let mut items = vec![PickItem::new("", tr(l, "ui.filter.all_statuses"))];
                    items.extend(ProposalStatus::ALL.iter().map(|s| {
                        PickItem::new(s.code(), crate::words::format::proposal_status_label(l, *s))
                    }));
                    picker(
                        tr(l, "ui.proposals.filter.status"),
                        items,
                        PickPurpose::ProposalStatus,
                    )
                }
                "year" => {
                    let mut items = vec![PickItem::new("", tr(l, "ui.proposals.all_years"))];
                    items.extend(
                        (self.this_year - 3..=self.this_year + 2)
                            .rev()
                            .map(|y| PickItem::new(y.to_string(), y.to_string())),
                    );
                    picker(
                        tr(l, "ui.proposals.filter.year"),
                        items,
                        PickPurpose::ProposalYear,
                    )
                }
                "category" => {
                    let mut items = vec![PickItem::new("", tr(l, "ui.needs.all_topics"))];
                    items.extend(codes().support_categories.items().iter().map(|i| {
                        let label =
                            format::code_label(l, &codes().support_categories, Some(&i.code));
                        PickItem::new(i.code.as_str(), format!("{} — {label}", i.code))
                    }));
                    picker(
                        tr(l, "ui.proposals.filter.category"),
                        items,
                        PickPurpose::FilterTopic,
                    )
                }
                "funding" => {
                    let mut items = vec![PickItem::new("", tr(l, "ui.proposals.all_funding"))];
                    items.extend(
                        FundingSource::ALL
                            .iter()
                            .map(|f| PickItem::new(f.code(), tr(l, f.label_key()))),
                    );
                    picker(
                        tr(l, "ui.proposals.filter.funding"),
                        items,
                        PickPurpose::ProposalFundingFilter,
                    )
                }
                "commune" => {
                    let mut items = vec![PickItem::new("", tr(l, "ui.filter.all_communes"))];
                    items.extend(commune_items(l, self.scope.iter().map(String::as_str)));
                    picker(
                        tr(l, "ui.proposals.filter.commune"),
                        items,
                        PickPurpose::FilterCommune,
                    )
                }
                "stage" => self.stage_picker(),
                "batch" => self.batch_picker(store),
                "clear" => {
                    self.filter = ProjectFilter::default();
                    self.refilter(store);
                    ScreenCmd::None
                }
                _ => ScreenCmd::None,
            },
            PickPurpose::ProjectStage => {
                self.filter.stage = Stage::parse(code);
                self.refilter(store);
                ScreenCmd::None
            }
            PickPurpose::ProjectBatch => {
                self.filter.batch = some(code);
                self.refilter(store);
                ScreenCmd::None
            }
            PickPurpose::ProposalStatus => {
                self.filter.base.statuses = ProposalStatus::ALL
                    .into_iter()
                    .filter(|s| s.code() == code)
                    .collect();
                self.refilter(store);
                ScreenCmd::None
            }
            PickPurpose::ProposalYear => {
                self.filter.base.year = code.parse().ok();
                self.refilter(store);
                ScreenCmd::None
            }
            PickPurpose::FilterTopic => {
                self.filter.base.category = some(code);
                self.refilter(store);
                ScreenCmd::None
            }
            PickPurpose::ProposalFundingFilter => {
                self.filter.base.funding =
                    FundingSource::ALL.into_iter().find(|f| f.code() == code);
                self.refilter(store);
                ScreenCmd::None
            }
            PickPurpose::FilterCommune => {
                self.filter.base.commune = some(code);
                self.refilter(store);
                ScreenCmd::None
            }
            _ => ScreenCmd::None,
        }
    }

    fn on_data_changed(&mut self, store: &mut Store) -> ScreenCmd {
        self.reload(store);
        ScreenCmd::None
    }

    fn is_view(&self) -> bool {
        true
    }
}
