//! The facility list: the home screen.
//!
//! Only a window of rows is ever in memory: the screen knows the count and loads
//! `Store::list_facilities(.., offset, limit)` around the cursor when the cursor leaves what
//! is loaded (a few hundred rows at most, whatever the size of the registry). Rows are
//! formatted (and sanitized) when loaded, so drawing a frame is only copying strings.
//!
//! `/` searches as you type with the shared [`crate::search::SearchIndex`]. The index is built
//! the first time it is needed, on a job thread with its own connection when the store is a
//! file (100,000 facilities take a while), and rebuilt after the data changed. Results
//! replace the list while the query is not empty; Esc clears the search.

use std::sync::Arc;

use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::{Constraint, Rect};
use ratatui::Frame;

use super::{archived_toast, code_items, filter_picker, Env, PickPurpose, Screen, ScreenCmd};
use crate::domain::facility::{Facility, FacilityStatus};
use crate::refdata::codes;
use crate::search::{Field, SearchIndex};
use crate::store::{FacilityFilter, FacilitySort, Store, StoreError};
use crate::text::sanitize;
use crate::ui::event::IndexReady;
use crate::ui::keymap::{Action, Context};
use crate::ui::widgets::screen_frame;
use crate::ui::widgets::table::{render_table, TableCell};
use crate::ui::widgets::{fit, Column, ListWindow, PickItem, TextField};
use crate::words::format;
use crate::words::{tr, trf, Lang};

/// Rows loaded at a time (at least; more on a very tall terminal).
const CHUNK: usize = 200;
/// Rows kept loaded beyond the visible ones, so scrolling line by line rarely queries.
const MARGIN: usize = 50;
/// Visible rows assumed before the first draw (and the least ever assumed).
const MIN_PAGE: usize = 100;
/// Marks a facility with an open support proposal (markers column).
pub const OPEN_PROPOSAL: &str = "⚑";
/// Search results shown at most.
pub const SEARCH_LIMIT: usize = 500;
/// Search results whose list columns are read beyond the visible ones (and the least
/// number of visible rows assumed before the first draw).
const RESULT_MARGIN: usize = 20;
const MIN_RESULT_PAGE: usize = 40;

/// One row, formatted when loaded.
#[derive(Debug, Clone)]
struct Row {
    id: String,
    version: i64,
    name: String,
    commune: String,
    trade_group: String,
    workers: String,
    markers: String,
    status: String,
}

impl Row {
    fn new(lang: Lang, f: &Facility) -> Row {
        let d = &f.data;
        Row {
            id: f.id.clone(),
            version: f.meta.version,
            name: sanitize(&d.name),
            commune: sanitize(&format::commune_label(
                &d.commune_code,
                format::CommuneForm::Name,
            )),
            trade_group: sanitize(d.trade_group.as_deref().unwrap_or("")),
            workers: d
                .workers
                .map(|w| format::count(w.max(0) as usize))
                .unwrap_or_default(),
            markers: format::markers(lang, d.ocop_stars, d.typical_level.as_deref()),
            status: format::status_short(lang, d.status).to_string(),
        }
    }

    fn mark_open_proposal(&mut self) {
        self.markers = format!("{OPEN_PROPOSAL} {}", self.markers)
            .trim_end()
            .to_string();
    }
}

/// What the list marks beside a window of facilities, read in one go: an open proposal,
/// and the best title of their products (dated against the store's today; a facility
/// without product titles keeps the marks of its own old OCOP/typical fields).
struct Marks {
    open: std::collections::HashSet<String>,
    titles: std::collections::HashMap<String, Vec<crate::record::TitleRecord>>,
    today: chrono::NaiveDate,
}

impl Marks {
    fn load(store: &Store, ids: &[String]) -> Marks {
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        Marks {
            open: store
                .facilities_with_open_proposals(ids)
                .unwrap_or_default(),
            titles: store.titles_of_facilities(&refs).unwrap_or_default(),
            today: store.today(),
        }
    }

    fn apply(&self, lang: Lang, row: &mut Row) {
        if let Some(ts) = self.titles.get(&row.id) {
            row.markers = crate::words::village::title_mark(lang, ts, self.today);
        }
        if self.open.contains(&row.id) {
            row.mark_open_proposal();
        }
    }
}

impl Row {
    /// The cells after the name and the commune, in `list_columns` order.
    fn other_cells(&self) -> [TableCell; 4] {
        [
            &self.trade_group,
            &self.workers,
            &self.markers,
            &self.status,
        ]
        .map(|s| TableCell::new(s.clone()))
    }
}

/// The list's columns, shared by the list and the search results.
fn list_columns(lang: Lang) -> [Column; 6] {
    [
        Column::new(tr(lang, "ui.list.col.name"), Constraint::Fill(1)),
        Column::new(tr(lang, "ui.list.col.commune"), Constraint::Length(12)),
        Column::new(tr(lang, "ui.list.col.trade_group"), Constraint::Length(4)),
        Column::new(tr(lang, "ui.list.col.workers"), Constraint::Length(5)).right(),
        Column::new(tr(lang, "ui.list.col.markers"), Constraint::Length(11)),
        Column::new(tr(lang, "ui.list.col.status"), Constraint::Length(10)),
    ]
}

/// One search result, formatted when found.
#[derive(Debug, Clone)]
struct ResultRow {
    id: String,
    /// Name, then "· người đại diện: …" when another field matched.
    text: String,
    marks: Vec<usize>,
    /// Where the matched field's value starts in `text`, when it is not the name.
    keep_from: Option<usize>,
    commune: String,
    commune_marks: Vec<usize>,
    /// The list's other columns (trade group, workers, markers, status), read from the store
    /// when the result comes into view (`load_result_rows`).
    row: Option<Row>,
}

#[derive(Debug, Default)]
struct Search {
    field: TextField,
    /// The query the hits are for (re-query only when it changed).
    searched_for: String,
    hits: Vec<ResultRow>,
    window: ListWindow,
}

/// Where the search index is.
#[derive(Clone, Default)]
enum IndexState {
    #[default]
    Missing,
    Building,
    Ready {
        index: Arc<SearchIndex>,
        /// `Store::last_change_seq()` when it was built.
        generation: i64,
        /// The data changed since: rebuild it the next time it is needed.
        stale: bool,
        /// A newer one is being built; this one is used meanwhile.
        rebuilding: bool,
    },
}

impl std::fmt::Debug for IndexState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IndexState::Missing => f.write_str("Missing"),
            IndexState::Building => f.write_str("Building"),
            IndexState::Ready {
                index, generation, ..
            } => write!(f, "Ready({} docs, generation {generation})", index.len()),
        }
    }
}

#[derive(Debug)]
pub struct ListScreen {
    lang: Lang,
    filter: FacilityFilter,
    sort: FacilitySort,
    desc: bool,
    /// Rows matching the filter.
    total: usize,
    window: ListWindow,
    /// The loaded window: `rows[0]` is row `rows_from` of the list.
    rows: Vec<Row>,
    rows_from: usize,
    /// How many windows were loaded (tests check that scrolling stays cheap).
    loads: usize,
    /// Communes in the collaborator's scope (the commune filter offers these).
    scope: Vec<String>,
    /// A commune or area collaborator's own communes: the list and the search show only
    /// these until `o` shows the other areas too (read-only). None for a province.
    own_area: Option<Vec<String>>,
    /// `o`: the other areas are shown too.
    other_areas: bool,
    /// The ids of the facilities in the own area (search results are narrowed to them).
    own_ids: Option<std::collections::HashSet<String>>,
    search: Option<Search>,
    index: IndexState,
    /// A load failed: said instead of the rows.
    error: Option<String>,
}

impl ListScreen {
    pub fn new(lang: Lang, store: &Store) -> ListScreen {
        let mut s = ListScreen {
            lang,
            filter: FacilityFilter::default(),
            sort: FacilitySort::Name,
            desc: false,
            total: 0,
            window: ListWindow::new(),
            rows: Vec::new(),
            rows_from: 0,
            loads: 0,
            scope: Vec::new(),
            own_area: store.own_area(),
            other_areas: false,
            own_ids: None,
            search: None,
            index: IndexState::Missing,
            error: None,
        };
        // Count first: the reference data may still be loading on another thread.
        s.reload(store);
        s.scope = store.profile().map(|p| p.communes()).unwrap_or_default();
        s
    }

    // ----- inspection (tests) -----

    /// Rows matching the filter.
    pub fn total(&self) -> usize {
        self.total
    }

    /// Rows held in memory right now.
    pub fn loaded_rows(&self) -> usize {
        self.rows.len()
    }

    /// How many times a window was fetched from the store.
    pub fn loads(&self) -> usize {
        self.loads
    }

    /// Index of the cursor in the list (or in the search results while searching).
    pub fn selected(&self) -> usize {
        match &self.search {
            Some(s) if s.active() => s.window.selected(),
            _ => self.window.selected(),
        }
    }

    /// The names of the loaded rows, in order.
    pub fn loaded_names(&self) -> Vec<&str> {
        self.rows.iter().map(|r| r.name.as_str()).collect()
    }

    /// The name under the cursor (list mode).
    pub fn selected_name(&self) -> Option<&str> {
        self.current_row().map(|r| r.name.as_str())
    }

    pub fn is_searching(&self) -> bool {
        self.search.is_some()
    }

    /// The query typed, if searching.
    pub fn query(&self) -> Option<&str> {
        self.search.as_ref().map(|s| s.field.value())
    }

    /// The search results shown (their text, name first).
    pub fn result_texts(&self) -> Vec<&str> {
        self.search
            .as_ref()
            .map(|s| s.hits.iter().map(|h| h.text.as_str()).collect())
            .unwrap_or_default()
    }

    /// Whether a search index is ready.
    pub fn index_ready(&self) -> bool {
        matches!(self.index, IndexState::Ready { .. })
    }

    pub fn filter(&self) -> &FacilityFilter {
        &self.filter
    }

    /// Whether the facilities outside the own area are shown too (`o`).
    pub fn shows_other_areas(&self) -> bool {
        self.other_areas
    }

    /// What the store is asked for: the user's filter, within the own area unless `o`.
    fn shown_filter(&self) -> FacilityFilter {
        let mut f = self.filter.clone();
        if let (Some(own), false, None) = (&self.own_area, self.other_areas, &f.communes) {
            f.communes = Some(own.clone());
        }
        f
    }

    // ----- loading -----

    fn current_row(&self) -> Option<&Row> {
        let i = self.window.selected().checked_sub(self.rows_from)?;
        if self.window.selected() >= self.total {
            return None;
        }
        self.rows.get(i)
    }

    /// Count again and reload the window, keeping the cursor on the same record if it is
    /// still near (an edit can move it far away in the sort order: then the position stays).
    fn reload(&mut self, store: &Store) {
        let keep = self.current_row().map(|r| r.id.clone());
        let shown = self.shown_filter();
        self.own_ids = match (&self.own_area, self.other_areas) {
            (Some(_), false) => store.facility_ids_shown(&shown).ok(),
            _ => None,
        };
        match store.count_facilities(&shown) {
            Ok(n) => {
                self.total = n;
                self.error = None;
            }
            Err(e) => {
                self.total = 0;
                self.error = Some(crate::words::store_error_text(self.lang, &e));
            }
        }
        self.rows.clear();
        self.rows_from = 0;
        let sel = self.window.selected();
        self.window.select(sel, self.total);
        self.ensure_loaded(store);
        if let Some(id) = keep {
            if let Some(pos) = self.rows.iter().position(|r| r.id == id) {
                self.window.select(self.rows_from + pos, self.total);
                self.ensure_loaded(store);
            }
        }
    }

    /// Put the cursor on the facility `id` (just saved), if the filter shows it.
    pub fn select_id(&mut self, id: &str, store: &Store) {
        if self.search.as_ref().is_some_and(|s| s.active()) {
            return;
        }
        if let Ok(Some(pos)) =
            store.facility_position(&self.shown_filter(), self.sort, self.desc, id)
        {
            self.window.select(pos, self.total);
            self.ensure_loaded(store);
        }
    }

    /// Make sure the rows about to be drawn are loaded (plus a margin).
    fn ensure_loaded(&mut self, store: &Store) {
        if self.total == 0 {
            self.rows.clear();
            self.rows_from = 0;
            return;
        }
        let page = self.window.page().max(MIN_PAGE);
        let vis = self.window.visible_range(self.total, self.window.page());
        let need_end = (vis.start + page).min(self.total);
        let have_end = self.rows_from + self.rows.len();
        if vis.start >= self.rows_from && need_end <= have_end && !self.rows.is_empty() {
            return;
        }
        let from = vis.start.saturating_sub(MARGIN);
        let limit = (page + 2 * MARGIN).max(CHUNK);
        match store.list_facilities(&self.shown_filter(), self.sort, self.desc, from, limit) {
            Ok(fs) => {
                self.rows = fs.iter().map(|f| Row::new(self.lang, f)).collect();
                // One lookup for the whole window, not one per drawn row.
                let ids: Vec<String> = fs.iter().map(|f| f.id.clone()).collect();
                let marks = Marks::load(store, &ids);
                for r in self.rows.iter_mut() {
                    marks.apply(self.lang, r);
                }
                self.rows_from = from;
                self.loads += 1;
            }
            Err(e) => {
                self.rows.clear();
                self.rows_from = from;
                self.error = Some(crate::words::store_error_text(self.lang, &e));
            }
        }
    }

    fn refilter(&mut self, store: &Store) {
        self.window.select(0, 0);
        self.rows.clear();
        self.rows_from = 0;
        self.reload(store);
    }

    // ----- search -----

    /// Run the query again if it changed (or `force`, e.g. a new index).
    fn requery(&mut self, force: bool) {
        let IndexState::Ready { index, .. } = &self.index else {
            return;
        };
        let Some(search) = self.search.as_mut() else {
            return;
        };
        let q = search.field.value().to_string();
        if q == search.searched_for && !force {
            return;
        }
        search.searched_for = q.clone();
        let lang = self.lang;
        let own = self.own_ids.as_ref();
        // Narrowed to the own area after ranking: ask for more so that the area's best
        // matches are still among them.
        let limit = if own.is_some() {
            SEARCH_LIMIT * 4
        } else {
            SEARCH_LIMIT
        };
        search.hits = index
            .search(&q, limit)
            .into_iter()
            .filter(|h| own.is_none_or(|ids| ids.contains(index.doc(h.index).id)))
            .take(SEARCH_LIMIT)
            .map(|h| {
                let doc = index.doc(h.index);
                let name = sanitize(doc.name);
                let commune = sanitize(doc.commune);
                let (text, marks, commune_marks, keep_from) = match h.field {
                    Field::Name => (name, h.positions, Vec::new(), None),
                    Field::Commune => (name, Vec::new(), h.positions, None),
                    other => {
                        let label = tr(lang, search_field_key(other));
                        let prefix = format!("{name} · {label}: ");
                        let shift = prefix.chars().count();
                        let marks = h.positions.iter().map(|p| p + shift).collect();
                        (
                            format!("{prefix}{}", sanitize(doc.field(other))),
                            marks,
                            Vec::new(),
                            Some(shift),
                        )
                    }
                };
                ResultRow {
                    id: doc.id.to_string(),
                    text,
                    marks,
                    keep_from,
                    commune,
                    commune_marks,
                    row: None,
                }
            })
            .collect();
        search.window = ListWindow::new();
    }

    /// Read the list's columns of the search results in view (and a margin) that are not
    /// read yet: one look-up per result, a page at a time.
    fn load_result_rows(&mut self, store: &Store) {
        let lang = self.lang;
        let Some(search) = self.search.as_mut().filter(|s| s.active()) else {
            return;
        };
        let n = search.hits.len();
        let start = search.window.visible_range(n, search.window.page()).start;
        let page = search.window.page().max(MIN_RESULT_PAGE);
        let range = start.saturating_sub(RESULT_MARGIN)..(start + page + RESULT_MARGIN).min(n);
        let missing: Vec<usize> = range.filter(|&i| search.hits[i].row.is_none()).collect();
        if missing.is_empty() {
            return;
        }
        let ids: Vec<String> = missing.iter().map(|&i| search.hits[i].id.clone()).collect();
        let marks = Marks::load(store, &ids);
        for (i, id) in missing.into_iter().zip(&ids) {
            if let Ok(Some(f)) = store.facility(id) {
                let mut row = Row::new(lang, &f);
                marks.apply(lang, &mut row);
                search.hits[i].row = Some(row);
            }
        }
    }

    /// A search index arrived (built now or on a job thread).
    pub fn on_search_index(&mut self, ready: &IndexReady) {
        self.index = IndexState::Ready {
            index: Arc::clone(&ready.index),
            generation: ready.generation,
            stale: false,
            rebuilding: false,
        };
        self.requery(true);
    }

    /// Building the index failed: stop waiting for it.
    pub fn on_search_index_failed(&mut self) {
        if matches!(self.index, IndexState::Building) {
            self.index = IndexState::Missing;
        } else if let IndexState::Ready { rebuilding, .. } = &mut self.index {
            *rebuilding = false;
        }
    }

    /// Whether the index needs (re)building; marks it as being built.
    fn want_index(&mut self) -> bool {
        match &mut self.index {
            IndexState::Missing => {
                self.index = IndexState::Building;
                true
            }
            IndexState::Building => false,
            IndexState::Ready {
                stale, rebuilding, ..
            } => {
                if *stale && !*rebuilding {
                    *rebuilding = true;
                    true
                } else {
                    false
                }
            }
        }
    }

    // ----- actions -----

    fn search_action(&mut self, action: Action, store: &mut Store) -> ScreenCmd {
        let Some(search) = self.search.as_mut() else {
            return ScreenCmd::Unhandled;
        };
        match action {
            Action::Back => {
                self.search = None;
                ScreenCmd::None
            }
            Action::Open if search.active() => match search.hits.get(search.window.selected()) {
                Some(hit) => super::open_facility(&hit.id.clone(), self.lang, store),
                None => ScreenCmd::None,
            },
            // An empty query shows the list: Enter opens from there.
            Action::Open => match self.current_row() {
                Some(r) => super::open_facility(&r.id.clone(), self.lang, store),
                None => ScreenCmd::None,
            },
            other if search.active() => {
                search.window.apply(other, search.hits.len());
                self.load_result_rows(store);
                ScreenCmd::None
            }
            other => {
                if self.window.apply(other, self.total) {
                    self.ensure_loaded(store);
                }
                ScreenCmd::None
            }
        }
    }

    /// The record under the cursor disappeared (someone archived it): reload and say so.
    fn gone(&mut self, store: &Store) -> ScreenCmd {
        self.reload(store);
        ScreenCmd::Error(tr(self.lang, "ui.list.gone").to_string())
    }

    fn set_archived(&mut self, archived: bool, store: &mut Store) -> ScreenCmd {
        let Some(row) = self.current_row().cloned() else {
            return ScreenCmd::None;
        };
        let result = store.set_facility_archived(&row.id, row.version, archived);
        self.reload(store);
        self.index_is_stale();
        match result {
            Ok(f) => archived_toast(self.lang, archived, &f),
            Err(e) => store_error(self.lang, &e),
        }
    }

    fn index_is_stale(&mut self) {
        if let IndexState::Ready { stale, .. } = &mut self.index {
            *stale = true;
        }
    }

    // ----- sorting and filtering -----

    fn sort_items(&self) -> Vec<PickItem> {
        SORTS
            .iter()
            .map(|(code, sort, desc, key)| {
                let item = PickItem::new(*code, tr(self.lang, key));
                if *sort == self.sort && *desc == self.desc {
                    item.with_hint("●")
                } else {
                    item
                }
            })
            .collect()
    }

    fn sort_label(&self) -> &'static str {
        SORTS
            .iter()
            .find(|(_, s, d, _)| *s == self.sort && *d == self.desc)
            .map(|(_, _, _, key)| tr(self.lang, key))
            .unwrap_or("")
    }

    fn filter_menu(&self) -> Vec<PickItem> {
        let l = self.lang;
        let all = tr(l, "ui.filter.all");
        let commune = match &self.filter.communes {
            Some(cs) if cs.len() == 1 => format::commune_label(&cs[0], format::CommuneForm::Name),
            _ => all.to_string(),
        };
        let group = self.filter.trade_group.clone().unwrap_or(all.to_string());
        let status = self
            .filter
            .status
            .map(|s| tr(l, format::status_key(s)).to_string())
            .unwrap_or(all.to_string());
        let archived = if self.filter.archived {
            "ui.filter.show_live"
        } else {
            "ui.filter.show_archived"
        };
        vec![
            PickItem::new("commune", tr(l, "ui.filter.by_commune")).with_hint(commune),
            PickItem::new("trade_group", tr(l, "ui.filter.by_trade_group")).with_hint(group),
            PickItem::new("status", tr(l, "ui.filter.by_status")).with_hint(status),
            PickItem::new("archived", tr(l, archived)),
            PickItem::new("clear", tr(l, "ui.filter.clear")),
        ]
    }

    /// "Sắp xếp: Tên (A → Z) · Lọc: Tân Phú, NN1 · Đã lưu trữ".
    fn info_line(&self) -> String {
        let l = self.lang;
        let mut parts = vec![trf(l, "ui.list.sorted_by", &[&self.sort_label()])];
        let mut filters: Vec<String> = Vec::new();
        if let Some(cs) = &self.filter.communes {
            filters.extend(
                cs.iter()
                    .map(|c| format::commune_label(c, format::CommuneForm::Name)),
            );
        }
        if let Some(g) = &self.filter.trade_group {
            filters.push(g.clone());
        }
        if let Some(s) = self.filter.status {
            filters.push(tr(l, format::status_key(s)).to_string());
        }
        if !filters.is_empty() {
            parts.push(trf(l, "ui.list.filtered_by", &[&filters.join(", ")]));
        }
        if self.filter.archived {
            parts.push(tr(l, "ui.list.archive_view").to_string());
        }
        parts.join(" · ")
    }

    // ----- drawing -----

    fn render_rows(&self, frame: &mut Frame, area: Rect, env: &Env) {
        let lang = env.lang;
        let columns = list_columns(lang);
        let empty = match &self.error {
            Some(e) => e.clone(),
            None if self.filter != FacilityFilter::default() => {
                tr(lang, "ui.list.empty_filtered").to_string()
            }
            None => {
                let key = env.keymap.keys_for(Action::New, Context::List);
                trf(lang, "ui.list.empty", &[&key])
            }
        };
        if self.total == 0 {
            // Said in full (wrapped): it tells a newcomer what to do.
            let w = area.width as usize;
            let lines = crate::ui::widgets::bars::wrap(&empty, w);
            for (n, line) in lines.iter().enumerate().take(area.height as usize) {
                frame
                    .buffer_mut()
                    .set_stringn(area.x, area.y + n as u16, line, w, env.theme.dim);
            }
            return;
        }
        render_table(
            frame.buffer_mut(),
            area,
            &columns,
            true,
            self.total,
            &self.window,
            env.theme,
            &empty,
            |i| {
                let Some(r) = i.checked_sub(self.rows_from).and_then(|k| self.rows.get(k)) else {
                    return Vec::new();
                };
                let mut cells = vec![
                    TableCell::new(r.name.clone()),
                    TableCell::new(r.commune.clone()),
                ];
                cells.extend(r.other_cells());
                cells
            },
        );
    }

    fn render_results(&self, frame: &mut Frame, area: Rect, env: &Env, s: &Search) {
        let lang = env.lang;
        let columns = list_columns(lang);
        let empty = if self.index_ready() {
            tr(lang, "ui.search.none")
        } else {
            ""
        };
        render_table(
            frame.buffer_mut(),
            area,
            &columns,
            true,
            s.hits.len(),
            &s.window,
            env.theme,
            empty,
            |i| match s.hits.get(i) {
                Some(h) => {
                    let mut cells = vec![
                        TableCell::marked(h.text.clone(), h.marks.clone()).keep_from(h.keep_from),
                        TableCell::marked(h.commune.clone(), h.commune_marks.clone()),
                    ];
                    cells.extend(h.row.iter().flat_map(Row::other_cells));
                    cells
                }
                None => Vec::new(),
            },
        );
    }
}

impl Search {
    /// Results replace the list only while there is a query.
    fn active(&self) -> bool {
        !self.field.value().trim().is_empty()
    }
}

/// (picker code, sort, descending, label key), in the order the sort picker lists them.
const SORTS: &[(&str, FacilitySort, bool, &str)] = &[
    ("name", FacilitySort::Name, false, "ui.sort.name"),
    ("name_desc", FacilitySort::Name, true, "ui.sort.name_desc"),
    ("commune", FacilitySort::Commune, false, "ui.sort.commune"),
    (
        "trade_group",
        FacilitySort::TradeGroup,
        false,
        "ui.sort.trade_group",
    ),
    (
        "workers_desc",
        FacilitySort::Workers,
        true,
        "ui.sort.workers_desc",
    ),
    ("workers", FacilitySort::Workers, false, "ui.sort.workers"),
    (
        "updated_desc",
        FacilitySort::Updated,
        true,
        "ui.sort.updated_desc",
    ),
    ("updated", FacilitySort::Updated, false, "ui.sort.updated"),
];

fn search_field_key(field: Field) -> &'static str {
    match field {
        Field::Name => "ui.search.field.name",
        Field::Representative => "ui.search.field.representative",
        Field::Products => "ui.search.field.products",
        Field::Commune => "ui.search.field.commune",
        Field::Phone => "ui.search.field.phone",
        Field::TaxCode => "ui.search.field.tax_code",
    }
}

fn store_error(lang: Lang, e: &StoreError) -> ScreenCmd {
    ScreenCmd::Error(crate::words::store_error_text(lang, e))
}

impl Screen for ListScreen {
    fn title(&self, lang: Lang) -> String {
        tr(lang, "ui.list.title").to_string()
    }

    fn contexts(&self) -> &'static [Context] {
        if self.search.is_some() {
            &[Context::Search]
        } else {
            &[Context::List]
        }
    }

    fn handles(&self, action: Action) -> bool {
        if self.search.is_some() {
            return matches!(
                action,
                Action::Up
                    | Action::Down
                    | Action::PageUp
                    | Action::PageDown
                    | Action::Open
                    | Action::Back
            );
        }
        match action {
            _ if action.is_move() => true,
            Action::Search | Action::Sort | Action::Filter => true,
            Action::OtherAreas => self.own_area.is_some(),
            // Esc leaves the archive view.
            Action::Back => self.filter.archived,
            // New facilities are added from the current list, not from the archive.
            Action::New => !self.filter.archived,
            Action::Open | Action::Edit => self.current_row().is_some(),
            Action::Archive | Action::LogConsultation | Action::Flag => {
                !self.filter.archived && self.current_row().is_some()
            }
            Action::Restore => self.filter.archived && self.current_row().is_some(),
            _ => false,
        }
    }

    fn handle_action(&mut self, action: Action, env: &Env, store: &mut Store) -> ScreenCmd {
        if self.search.is_some() {
            return self.search_action(action, store);
        }
        if matches!(action, Action::Archive | Action::Restore) {
            let refused = self
                .current_row()
                .and_then(|r| super::refuse_for_facility(self.lang, store, &r.id));
            if let Some(refused) = refused {
                return refused;
            }
        }
        match action {
            Action::Search => {
                self.search = Some(Search::default());
                if self.want_index() {
                    ScreenCmd::BuildSearchIndex
                } else {
                    ScreenCmd::None
                }
            }
            Action::Open => match self.current_row() {
                Some(r) => super::open_facility(&r.id.clone(), self.lang, store),
                None => ScreenCmd::None,
            },
            Action::New if !self.filter.archived => super::new_facility_form(env, store),
            Action::Edit => match self.current_row().map(|r| r.id.clone()) {
                Some(id) => match store.facility(&id) {
                    Ok(Some(f)) => super::edit_facility_form(f, env, store),
                    Ok(None) => self.gone(store),
                    Err(e) => store_error(self.lang, &e),
                },
                None => ScreenCmd::None,
            },
            Action::Flag if !self.filter.archived => match self.current_row() {
                Some(r) => {
                    let id = r.id.clone();
                    super::flag_facility(&id, env, store)
                }
                None => ScreenCmd::None,
            },
            Action::LogConsultation if !self.filter.archived => {
                match self.current_row().map(|r| r.id.clone()) {
                    Some(id) => match store.facility(&id) {
                        Ok(Some(f)) => {
                            super::log_consultation(&f.id, &f.data.name, self.lang, store)
                        }
                        Ok(None) => self.gone(store),
                        Err(e) => store_error(self.lang, &e),
                    },
                    None => ScreenCmd::None,
                }
            }
            Action::OtherAreas => {
                self.other_areas = !self.other_areas;
                self.refilter(store);
                self.requery(true);
                ScreenCmd::None
            }
            Action::Back if self.filter.archived => {
                self.filter.archived = false;
                self.refilter(store);
                ScreenCmd::None
            }
            Action::Archive => match self.current_row() {
                Some(r) if !self.filter.archived => ScreenCmd::Confirm {
                    message: trf(env.lang, "ui.list.confirm_archive", &[&r.name]),
                    action: Action::Archive,
                },
                _ => ScreenCmd::None,
            },
            // Only in the archive view: `u` on a current facility restores nothing.
            Action::Restore if self.filter.archived => self.set_archived(false, store),
            Action::Sort => ScreenCmd::OpenPicker {
                title: tr(env.lang, "ui.sort.title").to_string(),
                items: self.sort_items(),
                purpose: PickPurpose::Sort,
            },
            Action::Filter => ScreenCmd::OpenPicker {
                title: tr(env.lang, "ui.filter.title").to_string(),
                items: self.filter_menu(),
                purpose: PickPurpose::FilterMenu,
            },
            other if self.window.apply(other, self.total) => {
                self.ensure_loaded(store);
                ScreenCmd::None
            }
            _ => ScreenCmd::Unhandled,
        }
    }

    fn render(&self, frame: &mut Frame, area: Rect, env: &Env, focused: bool) {
        let lang = env.lang;
        let theme = env.theme;
        let searching = self.search.as_ref().is_some_and(Search::active);
        let counter = match &self.search {
            Some(s) if searching => {
                let n = s.hits.len();
                let more = if n >= SEARCH_LIMIT { "+" } else { "" };
                trf(lang, "ui.search.count", &[&format::count(n), &more])
            }
            _ => {
                let pos = if self.total == 0 {
                    0
                } else {
                    self.window.selected() + 1
                };
                format::position_of(lang, pos, self.total)
            }
        };
        let title_key = match (self.filter.archived, self.other_areas) {
            (true, false) => "ui.list.title_archived",
            (true, true) => "ui.list.title_archived_other_areas",
            (false, false) => "ui.list.title",
            (false, true) => "ui.list.title_other_areas",
        };
        let title = tr(lang, title_key);
        let right = Some((counter.as_str(), theme.base));
        let Some(inner) = screen_frame(frame, area, theme, title, right, (10, 3)) else {
            return;
        };
        let top = Rect { height: 1, ..inner };
        let w = top.width as usize;
        match &self.search {
            Some(s) => {
                let prompt = tr(lang, "ui.search.prompt");
                let pw = (crate::ui::widgets::width(prompt) as u16).min(top.width / 2);
                frame
                    .buffer_mut()
                    .set_stringn(top.x, top.y, prompt, pw as usize, theme.title);
                let mut field = Rect {
                    x: top.x + pw,
                    width: top.width - pw,
                    ..top
                };
                let status = match &self.index {
                    IndexState::Missing | IndexState::Building => {
                        Some(tr(lang, "ui.search.indexing"))
                    }
                    IndexState::Ready { rebuilding, .. } if *rebuilding => {
                        Some(tr(lang, "ui.search.reindexing"))
                    }
                    _ => None,
                };
                if let Some(st) = status {
                    let sw = (crate::ui::widgets::width(st) as u16).min(field.width / 2);
                    let x = field.x + field.width - sw;
                    frame
                        .buffer_mut()
                        .set_stringn(x, top.y, st, sw as usize, theme.dim);
                    field.width = field.width.saturating_sub(sw + 1);
                }
                s.field.render(frame, field, theme.input, focused);
            }
            None => {
                let info = fit(&self.info_line(), w);
                frame
                    .buffer_mut()
                    .set_stringn(top.x, top.y, info, w, theme.dim);
            }
        }
        let table = Rect {
            y: inner.y + 1,
            height: inner.height - 1,
            ..inner
        };
        if let Some(s) = self.search.as_ref().filter(|s| s.active()) {
            self.render_results(frame, table, env, s);
        } else {
            self.render_rows(frame, table, env);
        }
    }

    fn handle_text_key(&mut self, key: &KeyEvent) -> bool {
        let Some(s) = self.search.as_mut() else {
            return false;
        };
        let used = s.field.handle_key(key);
        if used {
            self.requery(false);
        }
        used
    }

    fn handle_paste(&mut self, text: &str) -> bool {
        let Some(s) = self.search.as_mut() else {
            return false;
        };
        s.field.insert_str(text);
        self.requery(false);
        true
    }

    fn on_pick(&mut self, p: PickPurpose, code: &str, env: &Env, store: &mut Store) -> ScreenCmd {
        let l = env.lang;
        match p {
            PickPurpose::Sort => {
                if let Some((_, sort, desc, _)) = SORTS.iter().find(|(c, ..)| *c == code) {
                    self.sort = *sort;
                    self.desc = *desc;
                    self.refilter(store);
                }
                ScreenCmd::None
            }
            PickPurpose::FilterMenu => match code {
                "commune" => filter_picker(
                    l,
                    "ui.filter.by_commune",
                    "ui.filter.all_communes",
                    PickPurpose::FilterCommune,
                    self.scope.iter().map(|c| {
                        PickItem::new(
                            c.as_str(),
                            sanitize(&format::commune_label(c, format::CommuneForm::FullNameCode)),
                        )
                    }),
                ),
                "trade_group" => filter_picker(
                    l,
                    "ui.filter.by_trade_group",
                    "ui.filter.all_trade_groups",
                    PickPurpose::FilterTradeGroup,
                    code_items(l, &codes().trade_groups, format::CodeForm::CodeLabel),
                ),
                "status" => filter_picker(
                    l,
                    "ui.filter.by_status",
                    "ui.filter.all_statuses",
                    PickPurpose::FilterStatus,
                    FacilityStatus::ALL
                        .iter()
                        .map(|s| PickItem::new(s.as_str(), tr(l, format::status_key(*s)))),
                ),
                "archived" => {
                    self.filter.archived = !self.filter.archived;
                    self.refilter(store);
                    ScreenCmd::None
                }
                "clear" => {
                    self.filter = FacilityFilter::default();
                    self.refilter(store);
                    ScreenCmd::None
                }
                _ => ScreenCmd::None,
            },
            PickPurpose::FilterCommune => {
                self.filter.communes = (!code.is_empty()).then(|| vec![code.to_string()]);
                self.refilter(store);
                ScreenCmd::None
            }
            PickPurpose::FilterTradeGroup => {
                self.filter.trade_group = (!code.is_empty()).then(|| code.to_string());
                self.refilter(store);
                ScreenCmd::None
            }
            PickPurpose::FilterStatus => {
                self.filter.status = FacilityStatus::parse(code).filter(|_| !code.is_empty());
                self.refilter(store);
                ScreenCmd::None
            }
            _ => ScreenCmd::None,
        }
    }

    fn on_confirm(&mut self, action: Action, _env: &Env, store: &mut Store) -> ScreenCmd {
        match action {
            Action::Archive => self.set_archived(true, store),
            _ => ScreenCmd::None,
        }
    }

    /// Back on top after a child screen (which may have saved), or told the data changed:
    /// reload the window (a count and one page), and check whether the search index is
    /// still current.
    fn on_data_changed(&mut self, store: &mut Store) -> ScreenCmd {
        self.reload(store);
        if let Some(s) = self.search.as_mut() {
            s.hits.iter_mut().for_each(|h| h.row = None);
        }
        self.load_result_rows(store);
        if let IndexState::Ready { generation, .. } = &self.index {
            if store.last_change_seq().ok() != Some(*generation) {
                self.index_is_stale();
            }
        }
        if self.search.is_some() && self.want_index() {
            return ScreenCmd::BuildSearchIndex;
        }
        ScreenCmd::None
    }

    fn load_shown(&mut self, store: &Store) {
        self.load_result_rows(store);
    }

    fn on_search_index(&mut self, ready: Option<&IndexReady>) {
        match ready {
            Some(r) => ListScreen::on_search_index(self, r),
            None => self.on_search_index_failed(),
        }
    }
}
