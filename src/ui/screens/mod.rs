//! Screens: the body of the app, kept in a stack by [`crate::ui::App`].
//!
//! A screen owns the data it shows. Its handlers (`handle_action`, `on_pick`, `on_confirm`,
//! `on_data_changed`) get `&mut Store` and load what they need into the screen's state;
//! `render` draws that state and never sees the store. A screen says which keymap
//! [`Context`]s are live while it is on top, handles the [`Action`]s the keymap resolves for
//! it, and answers with a [`ScreenCmd`] for anything that concerns the app (push or replace a
//! screen, leave, ask a question, open a picker, show a toast, build the search index).
//!
//! After a screen is popped, the one that becomes top gets `on_data_changed(store)`: that is
//! how a form tells the list or the detail "I saved" (they reload if the change log moved).
//!
//! To add a screen: write one file with the screen's struct and an `impl Screen for …` block
//! (only `title`, `contexts`, `handles`, `handle_action` and `render` are required; the rest
//! have defaults that suit a read-only view), and add its `pub mod` line here. A screen that
//! F-keys open from anywhere also gets one entry in [`open_view`] and its action in
//! [`Action::VIEWS`]. Keys are never matched here: add a binding in `keymap.rs` if a new action
//! is needed, and list the actions the screen honours in `handles`, so that the footer, the
//! help and the palette show exactly those.

pub mod accounts;
pub mod activities;
pub mod activity_form;
pub mod agenda;
pub mod bundles;
pub mod consult;
pub mod dashboard;
pub mod detail;
pub mod form;
pub mod list;
pub mod needs;
pub mod plan;
pub mod proposal_form;
pub mod proposal_view;
pub mod proposals;
pub mod report;
pub mod setup;
pub mod snapshots;
pub mod village_form;
pub mod villages;

use std::any::Any;

use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::Frame;

use crate::domain::facility::Facility;
use crate::store::Store;
use crate::ui::event::IndexReady;
use crate::ui::keymap::{Action, Context, Keymap};
use crate::ui::theme::Theme;
use crate::ui::widgets::PickItem;
use crate::words::Lang;

pub use accounts::AccountsScreen;
pub use activities::ActivitiesScreen;
pub use activity_form::ActivityFormScreen;
pub use agenda::AgendaScreen;
pub use bundles::BundlesScreen;
pub use consult::ConsultScreen;
pub use dashboard::DashboardScreen;
pub use detail::DetailScreen;
pub use form::FormScreen;
pub use list::ListScreen;
pub use needs::NeedsScreen;
pub use plan::PlanScreen;
pub use proposal_form::ProposalFormScreen;
pub use proposal_view::ProposalViewScreen;
pub use proposals::ProposalsScreen;
pub use report::ReportScreen;
pub use setup::SetupScreen;
pub use snapshots::SnapshotsScreen;

/// "Archived …" or "Restored …": what the list and the detail say after (un)archiving `f`.
pub(crate) fn archived_toast(lang: Lang, archived: bool, f: &Facility) -> ScreenCmd {
    let key = if archived {
        "ui.list.archived"
    } else {
        "ui.list.restored"
    };
    ScreenCmd::Toast(crate::words::trf(
        lang,
        key,
        &[&crate::text::sanitize(&f.data.name)],
    ))
}

/// What a view shows after loading: each loaded item made a row, or no rows and the error
/// worded in `lang` (shown in their place).
pub(crate) fn rows_or_error<T, R>(
    lang: Lang,
    loaded: crate::store::Result<Vec<T>>,
    row: impl Fn(&T) -> R,
) -> (Vec<R>, Option<String>) {
    match loaded {
        Ok(items) => (items.iter().map(row).collect(), None),
        Err(e) => (Vec::new(), Some(crate::words::store_error_text(lang, &e))),
    }
}

/// A filter's picker: "all" (the empty code, worded by `all_key`) first, then `choices`.
pub(crate) fn filter_picker(
    lang: Lang,
    title_key: &'static str,
    all_key: &'static str,
    purpose: PickPurpose,
    choices: impl IntoIterator<Item = PickItem>,
) -> ScreenCmd {
    let mut items = vec![PickItem::new("", crate::words::tr(lang, all_key))];
    items.extend(choices);
    ScreenCmd::OpenPicker {
        title: crate::words::tr(lang, title_key).to_string(),
        items,
        purpose,
    }
}

/// The contexts of a screen that may be asking in a prompt: the form's while it asks (printable
/// keys type the answer), else its own.
pub(crate) fn prompt_contexts(asking: bool, otherwise: &'static [Context]) -> &'static [Context] {
    if asking {
        &[Context::Form]
    } else {
        otherwise
    }
}

/// What a one-field prompt answers to: Enter or Save submits, Back cancels.
pub(crate) fn prompt_handles(action: Action) -> bool {
    matches!(action, Action::Open | Action::Save | Action::Back)
}

/// Every entry of a code list as a picker item, in `form`.
pub(crate) fn code_items(
    lang: Lang,
    list: &crate::refdata::CodeList,
    form: crate::words::format::CodeForm,
) -> Vec<PickItem> {
    list.items()
        .iter()
        .map(|i| {
            let label = crate::words::format::code_label_as(lang, list, Some(&i.code), form);
            PickItem::new(i.code.as_str(), label)
        })
        .collect()
}

/// What the app hands a screen: read-only settings. The store is passed separately (`&mut
/// Store`) to the handlers, never to `render`: handlers load data into the screen's state,
/// render draws that state.
#[derive(Clone, Copy)]
pub struct Env<'a> {
    pub lang: Lang,
    pub keymap: &'a Keymap,
    pub theme: &'a Theme,
}

/// Why a picker was opened; handed back to the screen with the chosen code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickPurpose {
    /// Form: the facility's commune.
    Commune,
    /// Form: entity type code.
    EntityType,
    /// Form: trade group code.
    TradeGroup,
    /// Form: typical-product level.
    TypicalLevel,
    /// Form: status.
    Status,
    /// List: filter by commune ("" = all).
    FilterCommune,
    /// List: filter by trade group ("" = all).
    FilterTradeGroup,
    /// List: filter by status ("" = all).
    FilterStatus,
    /// List: sort order.
    Sort,
    /// List: the filter menu (which filter to change). Needs view: its own filter menu.
    FilterMenu,
    /// Consultation form: how it happened.
    ConsultMode,
    /// Consultation form: add or take away a support topic.
    ConsultTopic,
    /// Needs view: filter by consultation mode ("" = all).
    FilterMode,
    /// Needs view: filter by support category ("" = all).
    FilterTopic,
    /// Needs view: filter by collaborator ("" = all).
    FilterCollaborator,
    /// Proposal form: the support category.
    ProposalCategory,
    /// Proposal form: the funding source.
    ProposalFunding,
    /// Proposals: filter by status ("" = all).
    ProposalStatus,
    /// Proposals: filter by plan year ("" = all).
    ProposalYear,
    /// Proposals: filter by funding source ("" = all).
    ProposalFundingFilter,
    /// Proposals (F5): filter by stage ("" = all).
    ProjectStage,
    /// Proposals (F5): filter by batch ("" = all).
    ProjectBatch,
    /// Activity form: its kind.
    ActivityKind,
    /// Activity form: add or take away an attendee facility.
    ActivityFacility,
    /// Activities (F10): filter by kind ("" = all).
    ActivityKindFilter,
    /// Facility form: the registered craft village ("" = none).
    Village,
    /// Report: the period.
    ReportPeriod,
    /// Report: the scope ("" = the profile's).
    ReportScope,
    /// Dashboard: the year.
    DashboardYear,
    /// Dashboard: which target to set.
    TargetKey,
}

/// What a screen asks of the app.
#[derive(Debug)]
pub enum ScreenCmd {
    /// Done; nothing more to do (the screen is redrawn).
    None,
    /// Not an action for this screen: the app may handle it (e.g. Back pops the screen).
    Unhandled,
    Push(Box<dyn Screen>),
    /// Swap the top screen for this one (no unsaved-changes question), e.g. the first-run
    /// wizard handing over to the list (`screens::home(lang, store)`).
    Replace(Box<dyn Screen>),
    /// Leave CTV, asking first ("Thoát CTV?").
    Quit,
    /// Leave this screen (the app asks first if it has unsaved changes). The screen that
    /// becomes top gets `on_data_changed(store)` so it can reload (e.g. after a save).
    Pop,
    /// Leave this screen (as `Pop`), then say something: "Đã lưu", or what went wrong after
    /// the part that was saved.
    PopWith {
        message: String,
        error: bool,
    },
    /// Leave this screen (as `PopWith`, not an error) and show the saved record `id` in the
    /// screen below (the facility list puts its cursor on it).
    PopSaved {
        message: String,
        id: String,
    },
    Toast(String),
    Error(String),
    /// Take back a message this screen showed (it no longer holds), then do `then`.
    Withdraw {
        text: String,
        then: Box<ScreenCmd>,
    },
    OpenPicker {
        title: String,
        items: Vec<PickItem>,
        purpose: PickPurpose,
    },
    /// Ask yes/no (default no); on yes the screen's `on_confirm(action)` runs.
    Confirm {
        message: String,
        action: Action,
    },
    /// Build the search index (on a job thread when the store is a file); it arrives through
    /// [`Screen::on_search_index`].
    BuildSearchIndex,
    /// Replace the database by this snapshot: the event loop closes the app's connection,
    /// restores, and reopens the app on the result (`Effect::Restore`).
    RestoreDatabase(std::path::PathBuf),
    /// Count the report of `period` over `scope`: on a job thread with progress when the
    /// database is a file (a province's year takes a while), else right here; the result
    /// arrives through [`Screen::on_report`].
    ComputeReport {
        period: crate::domain::report::Period,
        scope: crate::store::report::ReportScope,
    },
    /// Write the report's workbook (the records behind each figure are read again: at a
    /// province's size, seconds) as `file_name` in the export folder (where F8 writes): on a
    /// job thread when the database is a file; a message says when it is written.
    WriteReport {
        report: Box<crate::store::report::Report>,
        scope: crate::store::report::ReportScope,
        file_name: String,
    },
}

/// `n`: the facility form, blank.
pub fn new_facility_form(env: &Env, store: &mut Store) -> ScreenCmd {
    ScreenCmd::Push(Box::new(FormScreen::new_create(env, store)))
}

/// Refused at the key press, with the reason, when the facility lies outside the user's
/// area: never after a filled form (the store refuses the save anyway).
fn refuse_out_of_scope(lang: Lang, store: &Store, commune_code: &str) -> Option<ScreenCmd> {
    store
        .check_scope(commune_code)
        .err()
        .map(|e| ScreenCmd::Error(crate::words::store_error_text(lang, &e)))
}

/// The commune of a facility, for the check above (None when it is gone).
fn commune_of(store: &Store, facility_id: &str) -> Option<String> {
    store
        .facility(facility_id)
        .ok()
        .flatten()
        .map(|f| f.data.commune_code)
}

/// [`refuse_out_of_scope`] for the facility `facility_id` (None when it is gone: the action
/// says so itself).
pub(super) fn refuse_for_facility(
    lang: Lang,
    store: &Store,
    facility_id: &str,
) -> Option<ScreenCmd> {
    commune_of(store, facility_id).and_then(|c| refuse_out_of_scope(lang, store, &c))
}

/// `e`: the facility form over `facility` (saving checks its version).
pub fn edit_facility_form(facility: Facility, env: &Env, store: &mut Store) -> ScreenCmd {
    if let Some(refused) = refuse_out_of_scope(env.lang, store, &facility.data.commune_code) {
        return refused;
    }
    ScreenCmd::Push(Box::new(FormScreen::edit(facility, env, store)))
}

/// `c`: log a consultation with the facility (dated today, by the current profile).
pub fn log_consultation(
    facility_id: &str,
    facility_name: &str,
    lang: Lang,
    store: &Store,
) -> ScreenCmd {
    if let Some(refused) = refuse_for_facility(lang, store, facility_id) {
        return refused;
    }
    ScreenCmd::Push(Box::new(ConsultScreen::new_for(
        facility_id,
        facility_name,
        store,
    )))
}

/// From the agenda: log the visit an open follow-up led to; saving also marks it done.
pub fn log_visit_closing(
    env: &Env,
    store: &mut Store,
    facility_id: &str,
    consultation_id: &str,
    follow_up_version: i64,
) -> ScreenCmd {
    let _ = facility_id;
    match store.consultation(consultation_id) {
        Ok(Some(c)) => ScreenCmd::Push(Box::new(ConsultScreen::closing(
            &c,
            follow_up_version,
            store,
        ))),
        Ok(None) => ScreenCmd::Error(crate::words::tr(env.lang, "ui.list.gone").to_string()),
        Err(e) => ScreenCmd::Error(crate::words::store_error_text(env.lang, &e)),
    }
}

/// Enter on a facility anywhere: push its detail screen ("gone" when it no longer exists).
pub fn open_facility(id: &str, lang: Lang, store: &Store) -> ScreenCmd {
    match DetailScreen::open(id, lang, store) {
        Ok(Some(d)) => ScreenCmd::Push(Box::new(d)),
        Ok(None) => ScreenCmd::Error(crate::words::tr(lang, "ui.list.gone").to_string()),
        Err(e) => ScreenCmd::Error(crate::words::store_error_text(lang, &e)),
    }
}

/// `f` on a facility: a proposal form prefilled from it and its recorded needs.
pub fn flag_facility(facility_id: &str, env: &Env, store: &mut Store) -> ScreenCmd {
    if let Some(refused) = refuse_for_facility(env.lang, store, facility_id) {
        return refused;
    }
    match ProposalFormScreen::new_for(facility_id, store) {
        Ok(s) => ScreenCmd::Push(Box::new(s)),
        Err(e) => ScreenCmd::Error(crate::words::store_error_text(env.lang, &e)),
    }
}

/// The screen the app opens on (and the first-run wizard hands over to): the facility list.
pub fn home(lang: Lang, store: &Store) -> Box<dyn Screen> {
    Box::new(ListScreen::new(lang, store))
}

/// One of [`Action::VIEWS`] (F-key or palette) on a screen that does not handle it: open that
/// view. From one view another takes its place, so the stack stays shallow. This is the one
/// registry of views: a new one adds its line here and its action to `Action::VIEWS`.
pub fn open_view(action: Action, top: &dyn Screen, env: &Env, store: &mut Store) -> ScreenCmd {
    let screen: Box<dyn Screen> = match action {
        Action::Agenda => Box::new(AgendaScreen::new(env.lang, store)),
        Action::Needs => Box::new(NeedsScreen::new(env.lang, store)),
        Action::Proposals => Box::new(ProposalsScreen::new(env.lang, store)),
        Action::Snapshots => Box::new(SnapshotsScreen::new(env.lang, store)),
        Action::Accounts => Box::new(AccountsScreen::new(env.lang, store)),
        Action::Bundles => Box::new(BundlesScreen::new(env.lang, store)),
        Action::Activities => Box::new(ActivitiesScreen::new(env.lang, store)),
        Action::Villages => Box::new(villages::VillagesScreen::new(env.lang, store)),
        Action::Report => Box::new(ReportScreen::new(env.lang, store)),
        Action::Dashboard => Box::new(DashboardScreen::new(env.lang, store)),
        Action::Plan => Box::new(PlanScreen::new(env.lang, store)),
        _ => return ScreenCmd::None,
    };
    if top.is_view() {
        ScreenCmd::Replace(screen)
    } else {
        ScreenCmd::Push(screen)
    }
}

/// Lets the app and the tests look at the concrete screen behind a `dyn Screen`; every
/// screen has it through the blanket impl, nothing to write.
pub trait AsAny: Any {
    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

impl<T: Any> AsAny for T {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// A screen of the stack. Required: what it is called, which keymap contexts are live, which
/// actions it honours, what it does with them, and how it looks. Everything else has a
/// default fit for a read-only view: no text field, no picker, no question, nothing unsaved,
/// reloads when the data changes.
pub trait Screen: AsAny + std::fmt::Debug {
    fn title(&self, lang: Lang) -> String;

    /// Live keymap contexts, most specific first (the app adds TopLevel and Global).
    fn contexts(&self) -> &'static [Context];

    /// Whether the screen does something with `action` (footer, help and palette use this).
    fn handles(&self, action: Action) -> bool;

    fn handle_action(&mut self, action: Action, env: &Env, store: &mut Store) -> ScreenCmd;

    /// Draw into `area`. `focused` is false when an overlay is on top (no cursor then).
    fn render(&self, frame: &mut Frame, area: Rect, env: &Env, focused: bool);

    /// A key for the focused text field, before the keymap sees it. True if used.
    fn handle_text_key(&mut self, key: &KeyEvent) -> bool {
        let _ = key;
        false
    }

    /// Pasted text for the focused text field. True if used.
    fn handle_paste(&mut self, text: &str) -> bool {
        let _ = text;
        false
    }

    /// The code chosen in a picker this screen opened.
    fn on_pick(&mut self, p: PickPurpose, code: &str, env: &Env, store: &mut Store) -> ScreenCmd {
        let _ = (p, code, env, store);
        ScreenCmd::None
    }

    /// Yes to a question this screen asked with [`ScreenCmd::Confirm`].
    fn on_confirm(&mut self, action: Action, env: &Env, store: &mut Store) -> ScreenCmd {
        let _ = (action, env, store);
        ScreenCmd::None
    }

    /// Load what is shown from the store again. A view does it when the data changes (the
    /// default [`Self::on_data_changed`]); the default loads nothing.
    fn reload(&mut self, store: &Store) {
        let _ = store;
    }

    /// The database changed (a child screen saved, another process, an import), or this
    /// screen became top again after a pop: reload what is shown.
    fn on_data_changed(&mut self, store: &mut Store) -> ScreenCmd {
        self.reload(store);
        ScreenCmd::None
    }

    /// Read from the store what the screen is about to show, after typed text, a paste or a
    /// new search index changed it (rendering never reads; e.g. the search results' columns).
    fn load_shown(&mut self, store: &Store) {
        let _ = store;
    }

    /// A search index is ready (or failed: `None`). Screens that search keep it.
    fn on_search_index(&mut self, ready: Option<&IndexReady>) {
        let _ = ready;
    }

    /// Whether the screen reloads when another process changes the data (lists and views);
    /// forms and the wizard say no: what the user types is not touched.
    fn follows_outside_changes(&self) -> bool {
        true
    }

    fn has_unsaved_changes(&self) -> bool {
        false
    }

    /// The screen was just pushed (or put in place of another): a first load that runs as a
    /// job starts here.
    fn on_shown(&mut self, store: &mut Store) -> ScreenCmd {
        let _ = store;
        ScreenCmd::None
    }

    /// A report asked for with [`ScreenCmd::ComputeReport`] is ready (or failed, in words).
    fn on_report(&mut self, result: Result<crate::store::report::Report, String>) {
        let _ = result;
    }

    /// The report job's progress: parts done of all.
    fn on_report_progress(&mut self, done: usize, total: usize) {
        let _ = (done, total);
    }

    /// Whether this is one of the views [`open_view`] opens (another view replaces it rather
    /// than stacking on it).
    fn is_view(&self) -> bool {
        false
    }
}

impl dyn Screen {
    /// Whether the screen is a `T`.
    pub fn is<T: Screen>(&self) -> bool {
        self.as_any().is::<T>()
    }

    /// The screen as a `T`, if it is one.
    pub fn downcast_ref<T: Screen>(&self) -> Option<&T> {
        self.as_any().downcast_ref::<T>()
    }

    /// The screen as a `T`, if it is one, to change it.
    pub fn downcast_mut<T: Screen>(&mut self) -> Option<&mut T> {
        self.as_any_mut().downcast_mut::<T>()
    }
}
