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
//! To add a screen: add a module here, a variant to [`Screen`], and one arm to each `match` in
//! `impl Screen`. Keys are never matched here: add a binding in `keymap.rs` if a new action
//! is needed, and list the actions the screen honours in `handles`, so that the footer, the
//! help and the palette show exactly those.

pub mod accounts;
pub mod agenda;
pub mod bundles;
pub mod consult;
pub mod detail;
pub mod form;
pub mod list;
pub mod needs;
pub mod proposal_form;
pub mod proposal_view;
pub mod proposals;
pub mod setup;
pub mod snapshots;

use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::Frame;

use crate::domain::facility::Facility;
use crate::store::Store;
use crate::ui::event::IndexReady;
use crate::ui::i18n::Lang;
use crate::ui::keymap::{Action, Context, Keymap};
use crate::ui::theme::Theme;
use crate::ui::widgets::PickItem;

pub use accounts::AccountsScreen;
pub use agenda::AgendaScreen;
pub use bundles::BundlesScreen;
pub use consult::ConsultScreen;
pub use detail::DetailScreen;
pub use form::FormScreen;
pub use list::ListScreen;
pub use needs::NeedsScreen;
pub use proposal_form::ProposalFormScreen;
pub use proposal_view::ProposalViewScreen;
pub use proposals::ProposalsScreen;
pub use setup::SetupScreen;
pub use snapshots::SnapshotsScreen;

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
}

/// What a screen asks of the app.
#[derive(Debug)]
pub enum ScreenCmd {
    /// Done; nothing more to do (the screen is redrawn).
    None,
    /// Not an action for this screen: the app may handle it (e.g. Back pops the screen).
    Unhandled,
    Push(Box<Screen>),
    /// Swap the top screen for this one (no unsaved-changes question), e.g. the first-run
    /// wizard handing over to the list (`Screen::home(lang, store)`).
    Replace(Box<Screen>),
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
    Toast(String),
    Error(String),
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
    /// `Screen::on_search_index`.
    BuildSearchIndex,
    /// Replace the database by this snapshot: the event loop closes the app's connection,
    /// restores, and reopens the app on the result (`Effect::Restore`).
    RestoreDatabase(std::path::PathBuf),
}

/// `n`: the facility form, blank.
pub fn new_facility_form(env: &Env, store: &mut Store) -> ScreenCmd {
    ScreenCmd::Push(Box::new(Screen::Form(FormScreen::new_create(env, store))))
}

/// `e`: the facility form over `facility` (saving checks its version).
pub fn edit_facility_form(facility: Facility, env: &Env, store: &mut Store) -> ScreenCmd {
    let _ = store;
    ScreenCmd::Push(Box::new(Screen::Form(FormScreen::edit(facility, env))))
}

/// `c`: log a consultation with the facility (dated today, by the current profile).
pub fn log_consultation(facility_id: &str, facility_name: &str, store: &Store) -> ScreenCmd {
    ScreenCmd::Push(Box::new(Screen::Consult(ConsultScreen::new_for(
        facility_id,
        facility_name,
        store,
    ))))
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
        Ok(Some(c)) => ScreenCmd::Push(Box::new(Screen::Consult(ConsultScreen::closing(
            &c,
            follow_up_version,
            store,
        )))),
        Ok(None) => ScreenCmd::Error(crate::ui::i18n::tr(env.lang, "ui.list.gone").to_string()),
        Err(e) => ScreenCmd::Error(crate::cli::store_error_text(env.lang, &e)),
    }
}

/// `f` on a facility: a proposal form prefilled from it and its recorded needs.
pub fn flag_facility(facility_id: &str, env: &Env, store: &mut Store) -> ScreenCmd {
    match ProposalFormScreen::new_for(facility_id, store) {
        Ok(s) => ScreenCmd::Push(Box::new(Screen::ProposalForm(s))),
        Err(e) => ScreenCmd::Error(crate::cli::store_error_text(env.lang, &e)),
    }
}

/// F3 / F4 / F5 / F6 (or the palette) on a screen that does not handle them: open the agenda or the
/// needs view. From one of the two, the other takes its place, so the stack stays shallow.
pub fn open_view(action: Action, top: &Screen, env: &Env, store: &mut Store) -> ScreenCmd {
    let screen = match action {
        Action::Agenda => Screen::Agenda(AgendaScreen::new(env.lang, store)),
        Action::Needs => Screen::Needs(NeedsScreen::new(env.lang, store)),
        Action::Proposals => Screen::Proposals(ProposalsScreen::new(env.lang, store)),
        Action::Snapshots => Screen::Snapshots(SnapshotsScreen::new(env.lang, store)),
        Action::Accounts => Screen::Accounts(AccountsScreen::new(env.lang, store)),
        Action::Bundles => Screen::Bundles(BundlesScreen::new(env.lang, store)),
        _ => return ScreenCmd::None,
    };
    match top {
        Screen::Agenda(_)
        | Screen::Needs(_)
        | Screen::Proposals(_)
        | Screen::Snapshots(_)
        | Screen::Accounts(_)
        | Screen::Bundles(_) => ScreenCmd::Replace(Box::new(screen)),
        _ => ScreenCmd::Push(Box::new(screen)),
    }
}

/// A few screens live at a time (a stack a handful deep): their size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Screen {
    List(ListScreen),
    Detail(DetailScreen),
    Form(FormScreen),
    Setup(SetupScreen),
    Consult(ConsultScreen),
    Agenda(AgendaScreen),
    Needs(NeedsScreen),
    Proposals(ProposalsScreen),
    ProposalView(ProposalViewScreen),
    ProposalForm(ProposalFormScreen),
    Snapshots(SnapshotsScreen),
    Accounts(AccountsScreen),
    Bundles(BundlesScreen),
}

impl Screen {
    /// The screen the app opens on (and the first-run wizard hands over to): the facility list.
    pub fn home(lang: Lang, store: &Store) -> Screen {
        Screen::List(ListScreen::new(lang, store))
    }

    pub fn title(&self, lang: Lang) -> String {
        match self {
            Screen::List(s) => s.title(lang),
            Screen::Detail(s) => s.title(lang),
            Screen::Form(s) => s.title(lang),
            Screen::Consult(s) => s.title(lang),
            Screen::Setup(s) => s.title(lang),
            Screen::Agenda(s) => s.title(lang),
            Screen::Needs(s) => s.title(lang),
            Screen::Proposals(s) => s.title(lang),
            Screen::ProposalView(s) => s.title(lang),
            Screen::ProposalForm(s) => s.title(lang),
            Screen::Snapshots(s) => s.title(lang),
            Screen::Accounts(s) => s.title(lang),
            Screen::Bundles(s) => s.title(lang),
        }
    }

    /// Live keymap contexts, most specific first (the app adds TopLevel and Global).
    pub fn contexts(&self) -> &'static [Context] {
        match self {
            Screen::List(s) => s.contexts(),
            Screen::Detail(s) => s.contexts(),
            Screen::Form(s) => s.contexts(),
            Screen::Consult(s) => s.contexts(),
            Screen::Setup(s) => s.contexts(),
            Screen::Agenda(s) => s.contexts(),
            Screen::Needs(s) => s.contexts(),
            Screen::Proposals(s) => s.contexts(),
            Screen::ProposalView(s) => s.contexts(),
            Screen::ProposalForm(s) => s.contexts(),
            Screen::Snapshots(s) => s.contexts(),
            Screen::Accounts(s) => s.contexts(),
            Screen::Bundles(s) => s.contexts(),
        }
    }

    /// Whether the screen does something with `action` (footer, help and palette use this).
    pub fn handles(&self, action: Action) -> bool {
        match self {
            Screen::List(s) => s.handles(action),
            Screen::Detail(s) => s.handles(action),
            Screen::Form(s) => s.handles(action),
            Screen::Consult(s) => s.handles(action),
            Screen::Setup(s) => s.handles(action),
            Screen::Agenda(s) => s.handles(action),
            Screen::Needs(s) => s.handles(action),
            Screen::Proposals(s) => s.handles(action),
            Screen::ProposalView(s) => s.handles(action),
            Screen::ProposalForm(s) => s.handles(action),
            Screen::Snapshots(s) => s.handles(action),
            Screen::Accounts(s) => s.handles(action),
            Screen::Bundles(s) => s.handles(action),
        }
    }

    /// A key for the focused text field, before the keymap sees it. True if used.
    pub fn handle_text_key(&mut self, key: &KeyEvent) -> bool {
        match self {
            Screen::List(s) => s.handle_text_key(key),
            Screen::Detail(_) => false,
            Screen::Form(s) => s.handle_text_key(key),
            Screen::Consult(s) => s.handle_text_key(key),
            Screen::Setup(s) => s.handle_text_key(key),
            Screen::Agenda(s) => s.handle_text_key(key),
            Screen::Needs(s) => s.handle_text_key(key),
            Screen::Proposals(_) => false,
            Screen::ProposalView(s) => s.handle_text_key(key),
            Screen::ProposalForm(s) => s.handle_text_key(key),
            Screen::Snapshots(_) | Screen::Accounts(_) => false,
            Screen::Bundles(s) => s.handle_text_key(key),
        }
    }

    /// Pasted text for the focused text field. True if used.
    pub fn handle_paste(&mut self, text: &str) -> bool {
        match self {
            Screen::List(s) => s.handle_paste(text),
            Screen::Detail(_) => false,
            Screen::Form(s) => s.handle_paste(text),
            Screen::Consult(s) => s.handle_paste(text),
            Screen::Setup(s) => s.handle_paste(text),
            Screen::Agenda(s) => s.handle_paste(text),
            Screen::Needs(s) => s.handle_paste(text),
            Screen::Proposals(_) => false,
            Screen::ProposalView(s) => s.handle_paste(text),
            Screen::ProposalForm(s) => s.handle_paste(text),
            Screen::Snapshots(_) | Screen::Accounts(_) => false,
            Screen::Bundles(s) => s.handle_paste(text),
        }
    }

    pub fn handle_action(&mut self, action: Action, env: &Env, store: &mut Store) -> ScreenCmd {
        match self {
            Screen::List(s) => s.handle_action(action, env, store),
            Screen::Detail(s) => s.handle_action(action, env, store),
            Screen::Form(s) => s.handle_action(action, env, store),
            Screen::Consult(s) => s.handle_action(action, env, store),
            Screen::Setup(s) => s.handle_action(action, env, store),
            Screen::Agenda(s) => s.handle_action(action, env, store),
            Screen::Needs(s) => s.handle_action(action, env, store),
            Screen::Proposals(s) => s.handle_action(action, env, store),
            Screen::ProposalView(s) => s.handle_action(action, env, store),
            Screen::ProposalForm(s) => s.handle_action(action, env, store),
            Screen::Snapshots(s) => s.handle_action(action, env, store),
            Screen::Accounts(s) => s.handle_action(action),
            Screen::Bundles(s) => s.handle_action(action, env, store),
        }
    }

    pub fn on_pick(
        &mut self,
        purpose: PickPurpose,
        code: &str,
        env: &Env,
        store: &mut Store,
    ) -> ScreenCmd {
        match self {
            Screen::List(s) => s.on_pick(purpose, code, env, store),
            Screen::Form(s) => s.on_pick(purpose, code, env, store),
            Screen::Consult(s) => s.on_pick(purpose, code, env, store),
            Screen::Setup(s) => s.on_pick(purpose, code, env, store),
            Screen::Needs(s) => s.on_pick(purpose, code, env, store),
            Screen::Proposals(s) => s.on_pick(purpose, code, env, store),
            Screen::ProposalForm(s) => s.on_pick(purpose, code, env, store),
            Screen::Detail(_) | Screen::Agenda(_) | Screen::ProposalView(_) => ScreenCmd::None,
            Screen::Snapshots(_) | Screen::Accounts(_) | Screen::Bundles(_) => ScreenCmd::None,
        }
    }

    pub fn on_confirm(&mut self, action: Action, env: &Env, store: &mut Store) -> ScreenCmd {
        match self {
            Screen::List(s) => s.on_confirm(action, env, store),
            Screen::Detail(s) => s.on_confirm(action, env, store),
            Screen::Form(s) => s.on_confirm(action, env, store),
            Screen::Consult(s) => s.on_confirm(action, env, store),
            Screen::Setup(s) => s.on_confirm(action, env, store),
            Screen::Agenda(_) | Screen::Needs(_) => ScreenCmd::None,
            Screen::Proposals(_) => ScreenCmd::None,
            Screen::ProposalForm(s) => s.on_confirm(action, env, store),
            Screen::ProposalView(s) => s.on_confirm(action, env, store),
            Screen::Snapshots(s) => s.on_confirm(action, env, store),
            Screen::Accounts(_) => ScreenCmd::None,
            Screen::Bundles(s) => s.on_confirm(action, env, store),
        }
    }

    /// The database changed (a child screen saved, another process, an import), or this
    /// screen became top again after a pop: reload what is shown.
    pub fn on_data_changed(&mut self, store: &mut Store) -> ScreenCmd {
        match self {
            Screen::List(s) => s.on_data_changed(store),
            Screen::Detail(s) => s.on_data_changed(store),
            Screen::Form(s) => s.on_data_changed(store),
            Screen::Consult(s) => s.on_data_changed(store),
            Screen::Setup(s) => s.on_data_changed(store),
            Screen::Agenda(s) => s.on_data_changed(store),
            Screen::Needs(s) => s.on_data_changed(store),
            Screen::Proposals(s) => s.on_data_changed(store),
            Screen::ProposalView(s) => s.on_data_changed(store),
            Screen::Snapshots(s) => s.on_data_changed(store),
            Screen::Accounts(s) => s.on_data_changed(store),
            Screen::Bundles(s) => s.on_data_changed(store),
            Screen::ProposalForm(_) => ScreenCmd::None,
        }
    }

    /// A search index is ready (or failed: `None`). Screens that search keep it.
    pub fn on_search_index(&mut self, ready: Option<&IndexReady>) {
        match (self, ready) {
            (Screen::List(s), Some(r)) => s.on_search_index(r),
            (Screen::List(s), None) => s.on_search_index_failed(),
            _ => {}
        }
    }

    /// Whether the screen reloads when another process changes the data (lists and views);
    /// forms and the wizard never do: what the user types is not touched.
    pub fn follows_outside_changes(&self) -> bool {
        match self {
            Screen::List(_) | Screen::Detail(_) | Screen::Agenda(_) | Screen::Needs(_) => true,
            Screen::Proposals(_)
            | Screen::ProposalView(_)
            | Screen::Snapshots(_)
            | Screen::Accounts(_) => true,
            // The Bundles screen holds a typed path and a preview: it reloads after its own
            // actions only.
            Screen::Form(_) | Screen::Consult(_) | Screen::ProposalForm(_) | Screen::Setup(_) => {
                false
            }
            Screen::Bundles(_) => false,
        }
    }

    pub fn has_unsaved_changes(&self) -> bool {
        match self {
            Screen::List(_) | Screen::Detail(_) | Screen::Agenda(_) | Screen::Needs(_) => false,
            Screen::Proposals(_)
            | Screen::ProposalView(_)
            | Screen::Snapshots(_)
            | Screen::Accounts(_) => false,
            Screen::Bundles(_) => false,
            Screen::ProposalForm(s) => s.has_unsaved_changes(),
            Screen::Form(s) => s.has_unsaved_changes(),
            Screen::Consult(s) => s.has_unsaved_changes(),
            Screen::Setup(s) => s.has_unsaved_changes(),
        }
    }

    /// Draw into `area`. `focused` is false when an overlay is on top (no cursor then).
    pub fn render(&self, frame: &mut Frame, area: Rect, env: &Env, focused: bool) {
        match self {
            Screen::List(s) => s.render(frame, area, env, focused),
            Screen::Detail(s) => s.render(frame, area, env),
            Screen::Form(s) => s.render(frame, area, env, focused),
            Screen::Consult(s) => s.render(frame, area, env, focused),
            Screen::Setup(s) => s.render(frame, area, env, focused),
            Screen::Agenda(s) => s.render(frame, area, env, focused),
            Screen::Needs(s) => s.render(frame, area, env, focused),
            Screen::Proposals(s) => s.render(frame, area, env),
            Screen::ProposalView(s) => s.render(frame, area, env, focused),
            Screen::ProposalForm(s) => s.render(frame, area, env, focused),
            Screen::Snapshots(s) => s.render(frame, area, env),
            Screen::Accounts(s) => s.render(frame, area, env),
            Screen::Bundles(s) => s.render(frame, area, env, focused),
        }
    }
}
