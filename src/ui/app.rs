//! App state and update, Elm style: events go in through [`App::handle_event`] /
//! [`App::handle_key`], which change the state and return [`Effect`]s for the loop to carry
//! out; [`App::render`] draws the state and changes nothing (apart from remembered scroll
//! offsets). No terminal is needed to build or drive an `App`, so tests feed it keys.
//!
//! Layers, top first: overlays (help, palette, picker, confirm; a stack), then the screen
//! stack. Esc backs out one level: overlay → screen → previous screen. `q` quits only at the
//! top level (first screen, no overlay); Ctrl+C leaves from anywhere. Leaving a screen (or the
//! app) with unsaved changes asks first, default No.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use ratatui::crossterm::event::{Event, KeyEvent, KeyEventKind};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::Frame;

use crate::store::Store;
use crate::ui::event::{AppEvent, EventSender, IndexReady, JobEvent};
use crate::ui::keymap::{Action, Context, Keymap};
use crate::ui::screens::{Env, PickPurpose, Screen, ScreenCmd};
use crate::ui::theme::Theme;
use crate::ui::widgets::bars::{render_footer, render_header_with_alert, render_toast};
use crate::ui::widgets::confirm::ConfirmOutcome;
use crate::ui::widgets::help::{help_line_count, render_help};
use crate::ui::widgets::picker::PickerOutcome;
use crate::ui::widgets::{ConfirmDialog, HelpState, PickItem, Picker};
use crate::words::{tr, trf, Lang};

/// Root on a shared database, working without a collaborator profile.
fn admin_view(store: &Store) -> bool {
    store.is_shared() && store.profile().is_none() && store.check_admin().is_ok()
}

/// The actions that write records (facilities, consultations, follow-ups, proposals,
/// bundles), refused in the administrator's read-only view.
fn writes_records(action: Action) -> bool {
    matches!(
        action,
        Action::New
            | Action::Edit
            | Action::Archive
            | Action::Restore
            | Action::Save
            | Action::LogConsultation
            | Action::Flag
            | Action::FollowUpDone
            | Action::Reschedule
            | Action::LogVisit
            | Action::Propose
            | Action::Review
            | Action::ReturnProposal
            | Action::Withdraw
            | Action::Approve
            | Action::Refuse
            | Action::StartProject
            | Action::StopProject
            | Action::ResolveConflict
            | Action::MergeDuplicate
            | Action::KeepApart
            | Action::Export
    )
}

const TOAST_INFO: Duration = Duration::from_secs(4);
const TOAST_ERROR: Duration = Duration::from_secs(8);
const MAX_TOASTS: usize = 8;

fn toast_ttl(error: bool) -> Duration {
    if error {
        TOAST_ERROR
    } else {
        TOAST_INFO
    }
}

/// Everything the app needs that comes from outside (config, command line, profile).
#[derive(Debug, Clone)]
pub struct AppContext {
    pub lang: Lang,
    pub theme: Theme,
    pub keymap: Keymap,
    /// Who is working, e.g. "Nguyễn Thị Hoa · Cộng tác viên · Xã Tân Phú".
    pub who: String,
    /// Which database, e.g. its path (shortened from the left to fit).
    pub db_label: String,
}

/// Something for the event loop to do after an update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Restore the terminal and leave.
    Quit,
    /// Clear the terminal and redraw everything (Ctrl+L).
    ClearScreen,
    /// Restore the database from this snapshot and reopen the app on it
    /// (`ui::restore_and_reopen`): the app's connection must be closed first.
    Restore(std::path::PathBuf),
}

/// What a Yes in the confirm dialog does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnYes {
    PopScreen,
    Quit,
    /// Hand the action back to the top screen's `on_confirm`.
    Screen(Action),
    /// Write the bundle for the province.
    Export,
}

#[derive(Debug)]
enum Overlay {
    Help(HelpState),
    Palette(Picker),
    Picker(Picker, PickPurpose),
    Confirm(ConfirmDialog<OnYes>),
}

/// Which overlay is on top (for tests and the loop).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverlayKind {
    Help,
    Palette,
    Picker,
    Confirm,
}

#[derive(Debug, Clone)]
struct Toast {
    text: String,
    error: bool,
    until: Instant,
    /// The depth of the screen that said it (None: the app): it goes when that screen does.
    owner: Option<usize>,
}

pub struct App {
    lang: Lang,
    theme: Theme,
    keymap: Keymap,
    who: String,
    db_label: String,
    /// The database. Handlers get `&mut Store`; render never sees it.
    store: Store,
    /// Where background jobs answer (set by the event loop; tests run jobs inline).
    jobs: Option<EventSender>,
    /// The export job's progress (done, total) while it runs.
    export_progress: Option<(u64, u64)>,
    /// Where F8 writes bundles (None: `bundle::default_export_dir()`).
    export_dir: Option<std::path::PathBuf>,
    /// The profile the header was made for (the first-run wizard creates one).
    who_for: Option<String>,
    /// Never empty: the first screen is the top level.
    screens: Vec<Box<dyn Screen>>,
    overlays: Vec<Overlay>,
    /// Messages; the first is shown, the rest wait their turn (startup warnings can be several).
    toasts: VecDeque<Toast>,
    quit: bool,
    dirty: bool,
    /// The header's overdue follow-ups, and the (change-log position, day) it was counted
    /// at: recounted only when either moved.
    overdue: usize,
    overdue_at: Option<(i64, chrono::NaiveDate)>,
    /// `PRAGMA data_version` when the visible screen last matched the file: another
    /// process's commit moves it (see [`App::poll_outside_changes`]).
    data_version: Option<i64>,
}

/// How long the app must be idle before it asks whether someone else changed the data,
/// and how often it asks again while idle.
pub const POLL_IDLE: Duration = Duration::from_millis(1500);

impl App {
    /// The app on `store`: the facility list, or the first-run wizard when the database has
    /// no collaborator profile yet.
    /// Root on a shared database without a profile of its own opens on the list too,
    /// reading everything and writing nothing (see [`App::is_admin_view`]).
    pub fn new(ctx: AppContext, store: Store) -> App {
        let first = match store.profile() {
            Some(_) => crate::ui::screens::home(ctx.lang, &store),
            None if admin_view(&store) => crate::ui::screens::home(ctx.lang, &store),
            // The wizard replaces itself with the list once the profile is saved.
            None => Box::new(crate::ui::screens::SetupScreen::new()),
        };
        App {
            who_for: store.profile().map(|p| p.id.clone()),
            store,
            jobs: None,
            export_progress: None,
            export_dir: None,
            lang: ctx.lang,
            theme: ctx.theme,
            keymap: ctx.keymap,
            who: ctx.who,
            db_label: ctx.db_label,
            screens: vec![first],
            overlays: Vec::new(),
            toasts: VecDeque::new(),
            quit: false,
            dirty: true,
            overdue: 0,
            overdue_at: None,
            data_version: None,
        }
        .with_overdue_count()
    }

    /// Root administering a shared database without a profile: every record is shown,
    /// none may be written (the core refuses too; the app says why at the key press).
    pub fn is_admin_view(&self) -> bool {
        admin_view(&self.store)
    }

    fn with_overdue_count(mut self) -> App {
        self.refresh_overdue();
        self.data_version = self.store.data_version().ok();
        self
    }

    /// The idle tick: if another connection committed since the last look (one `PRAGMA
    /// data_version`, no transaction left open), reload what the top screen shows. Lists
    /// and views keep their selected record and scroll; a form, the first-run wizard, or an
    /// open overlay (a picker, a question about the selected record) is left alone — the
    /// change is picked up once the overlay closes, and a list under a form reloads when the
    /// form is left. Nothing is redrawn when nothing changed. True when something reloaded.
    pub fn poll_outside_changes(&mut self) -> bool {
        let Ok(now) = self.store.data_version() else {
            return false;
        };
        if self.data_version == Some(now) {
            return false;
        }
        self.refresh_overdue();
        if !self.overlays.is_empty() {
            return false;
        }
        self.data_version = Some(now);
        if !self.top_screen().follows_outside_changes() {
            return false;
        }
        self.dirty = true;
        let cmd = self.with_screen(|s, _, store| s.on_data_changed(store));
        self.apply_cmd(cmd);
        true
    }

    /// How many follow-ups the header says are overdue.
    pub fn overdue_count(&self) -> usize {
        self.overdue
    }

    /// Recount the overdue follow-ups if the data or the date changed since the last count
    /// (an indexed count, ~1 ms on a province; the check itself is one max() lookup).
    fn refresh_overdue(&mut self) {
        let at = (
            self.store.last_change_seq().unwrap_or(-1),
            self.store.today(),
        );
        if self.overdue_at != Some(at) {
            self.overdue = self.store.overdue_count().unwrap_or(0);
            self.overdue_at = Some(at);
            self.dirty = true;
        }
    }

    // ----- inspection (tests, the loop) -----

    pub fn lang(&self) -> Lang {
        self.lang
    }

    pub fn keymap(&self) -> &Keymap {
        &self.keymap
    }

    pub fn should_quit(&self) -> bool {
        self.quit
    }

    /// Whether something changed since the last [`App::take_dirty`].
    pub fn is_dirty(&self) -> bool {
        self.dirty
    }

    /// Read and reset the redraw flag.
    pub fn take_dirty(&mut self) -> bool {
        std::mem::take(&mut self.dirty)
    }

    pub fn overlay(&self) -> Option<OverlayKind> {
        self.overlays.last().map(|o| match o {
            Overlay::Help(_) => OverlayKind::Help,
            Overlay::Palette(_) => OverlayKind::Palette,
            Overlay::Picker(..) => OverlayKind::Picker,
            Overlay::Confirm(_) => OverlayKind::Confirm,
        })
    }

    pub fn overlay_depth(&self) -> usize {
        self.overlays.len()
    }

    pub fn screen_depth(&self) -> usize {
        self.screens.len()
    }

    pub fn top_screen(&self) -> &dyn Screen {
        // `screens` is never empty; fall back to the first to avoid an unwrap.
        let last = self.screens.len().saturating_sub(1);
        self.screens[last].as_ref()
    }

    fn top_screen_mut(&mut self) -> &mut dyn Screen {
        let last = self.screens.len().saturating_sub(1);
        self.screens[last].as_mut()
    }

    /// The palette or picker on top, if any (to inspect its query and matches).
    pub fn picker(&self) -> Option<&Picker> {
        match self.overlays.last() {
            Some(Overlay::Palette(p)) | Some(Overlay::Picker(p, _)) => Some(p),
            _ => None,
        }
    }

    /// The message on screen, if any.
    pub fn toast(&self) -> Option<&str> {
        self.toasts.front().map(|t| t.text.as_str())
    }

    /// When the loop must wake up without input (a toast to expire), if ever.
    pub fn deadline(&self) -> Option<Instant> {
        self.toasts.front().map(|t| t.until)
    }

    /// Drop what has expired by `now` (called when the deadline passes); the next message in
    /// line gets its full time from now.
    pub fn tick(&mut self, now: Instant) {
        if self.toasts.front().is_some_and(|t| t.until <= now) {
            self.toasts.pop_front();
            if let Some(next) = self.toasts.front_mut() {
                next.until = now + toast_ttl(next.error);
            }
            self.dirty = true;
        }
    }

    fn at_top_level(&self) -> bool {
        self.overlays.is_empty() && self.screens.len() == 1
    }

    /// The keymap contexts live right now, most specific first.
    pub fn contexts(&self) -> Vec<Context> {
        match self.overlays.last() {
            Some(Overlay::Help(_)) => vec![Context::HelpOverlay, Context::Global],
            Some(Overlay::Palette(_)) => vec![Context::Palette, Context::Global],
            Some(Overlay::Picker(..)) => vec![Context::Picker, Context::Global],
            Some(Overlay::Confirm(_)) => vec![Context::Confirm],
            None => self.screen_contexts(),
        }
    }

    fn screen_contexts(&self) -> Vec<Context> {
        let mut v = self.top_screen().contexts().to_vec();
        if self.screens.len() == 1 {
            v.push(Context::TopLevel);
        }
        v.push(Context::Global);
        v
    }

    /// Whether `action` would do something in the current state (footer and palette filter).
    fn available(&self, action: Action) -> bool {
        match action {
            Action::Help | Action::Palette | Action::Redraw | Action::Exit => true,
            // Only a shared server's administrator has accounts to look at.
            Action::Accounts => {
                self.overlays.is_empty()
                    && self.store.is_shared()
                    && self.store.check_admin().is_ok()
            }
            a if a.opens_view() || a == Action::Export => self.overlays.is_empty(),
            Action::Quit => self.at_top_level(),
            Action::Back => !self.at_top_level() || self.top_screen().handles(Action::Back),
            other => match self.overlays.last() {
                Some(_) => true,
                None => self.top_screen().handles(other),
            },
        }
    }

    /// Footer hints for the current state: (keys, label key).
    pub fn footer_hints(&self) -> Vec<(String, &'static str)> {
        self.keymap.footer(&self.contexts(), &|a| self.available(a))
    }

    /// Change the header's "who is working".
    pub fn set_who(&mut self, who: String) {
        self.who = who;
        self.dirty = true;
    }

    /// Where F8 writes bundles, instead of the Documents folder.
    pub fn set_export_dir(&mut self, dir: std::path::PathBuf) {
        self.export_dir = Some(dir);
    }

    /// Let background jobs answer on `tx` (the event loop's channel).
    pub fn set_job_sender(&mut self, tx: EventSender) {
        self.jobs = Some(tx);
    }

    /// The database (tests inspect it; screens get it through their handlers).
    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }

    /// The settings the app was built with (a restore rebuilds the app with them).
    pub fn context(&self) -> AppContext {
        AppContext {
            lang: self.lang,
            theme: self.theme,
            keymap: self.keymap.clone(),
            who: self.who.clone(),
            db_label: self.db_label.clone(),
        }
    }

    /// Give up the app and keep its store (to close the connection before a restore).
    pub fn into_store(self) -> Store {
        self.store
    }

    /// Run `f` on the top screen with the read-only environment and the store (disjoint
    /// field borrows).
    fn with_screen(
        &mut self,
        f: impl FnOnce(&mut dyn Screen, &Env, &mut Store) -> ScreenCmd,
    ) -> ScreenCmd {
        let env = Env {
            lang: self.lang,
            keymap: &self.keymap,
            theme: &self.theme,
        };
        match self.screens.last_mut() {
            Some(s) => f(s.as_mut(), &env, &mut self.store),
            None => ScreenCmd::None,
        }
    }

    // ----- update -----

    /// Handle one event from the channel.
    pub fn handle_event(&mut self, event: AppEvent) -> Vec<Effect> {
        match event {
            AppEvent::Input(Event::Key(key)) => self.handle_key(key),
            AppEvent::Input(Event::Paste(text)) => self.handle_paste(&text),
            AppEvent::Input(Event::Resize(_, _)) => {
                self.dirty = true;
                Vec::new()
            }
            AppEvent::Input(_) => Vec::new(),
            // The terminal is going away: no questions, leave now.
            AppEvent::Signal(_) | AppEvent::InputClosed(_) => {
                self.quit = true;
                vec![Effect::Quit]
            }
            AppEvent::Job(JobEvent::Finished { message }) => {
                self.show_toast(message, false);
                Vec::new()
            }
            AppEvent::Job(JobEvent::Failed { message }) => {
                self.show_toast(message, true);
                Vec::new()
            }
            AppEvent::Job(JobEvent::SearchIndex(result)) => {
                self.deliver_index(result);
                Vec::new()
            }
            AppEvent::Job(JobEvent::ExportProgress { done, total }) => {
                if self.export_progress.is_some() {
                    self.export_progress = Some((done, total));
                    self.dirty = true;
                }
                Vec::new()
            }
            AppEvent::Job(JobEvent::ReportProgress { done, total }) => {
                self.dirty = true;
                if let Some(s) = self.screens.last_mut() {
                    s.on_report_progress(done, total);
                }
                Vec::new()
            }
            AppEvent::Job(JobEvent::ReportWritten { message, error }) => {
                self.show_toast(message, error);
                Vec::new()
            }
            AppEvent::Job(JobEvent::ReportDone(result)) => {
                self.dirty = true;
                if let Some(s) = self.screens.last_mut() {
                    s.on_report(*result);
                }
                Vec::new()
            }
            AppEvent::Job(JobEvent::ExportDone { message, error }) => {
                self.export_progress = None;
                self.show_toast(message, error);
                // Proposals may have moved to "sent to the province": the screen reloads.
                let cmd = self.with_screen(|s, _, store| s.on_data_changed(store));
                self.apply_cmd(cmd)
            }
            AppEvent::DataChanged => {
                self.dirty = true;
                let cmd = self.with_screen(|s, _, store| s.on_data_changed(store));
                self.apply_cmd(cmd)
            }
        }
    }

    /// Show a message at the bottom of the body for a few seconds. Errors wait in line;
    /// a new notice replaces a notice that is alone on screen; repeats are not queued.
    pub fn show_toast(&mut self, text: impl Into<String>, error: bool) {
        self.show_toast_from(text.into(), error, None);
    }

    /// A message from the screen at `owner` depth (see [`Toast::owner`]).
    fn show_toast_from(&mut self, text: String, error: bool, owner: Option<usize>) {
        let now = Instant::now();
        self.dirty = true;
        if let Some(last) = self.toasts.back_mut() {
            if last.text == text {
                if self.toasts.len() == 1 {
                    if let Some(front) = self.toasts.front_mut() {
                        front.until = now + toast_ttl(error);
                    }
                }
                return;
            }
        }
        if !error && self.toasts.len() == 1 && self.toasts.front().is_some_and(|t| !t.error) {
            self.toasts.clear();
        }
        if self.toasts.len() >= MAX_TOASTS {
            return;
        }
        self.toasts.push_back(Toast {
            text,
            error,
            until: now + toast_ttl(error),
            owner,
        });
    }

    /// Show a confirm dialog (default No).
    pub fn confirm(&mut self, message: impl Into<String>, on_yes: OnYes) {
        self.overlays
            .push(Overlay::Confirm(ConfirmDialog::new(message, on_yes)));
        self.dirty = true;
    }

    /// Open a fuzzy picker; the chosen code goes to the top screen's `on_pick`.
    pub fn open_picker(&mut self, title: String, items: Vec<PickItem>, purpose: PickPurpose) {
        self.overlays
            .push(Overlay::Picker(Picker::new(title, items), purpose));
        self.dirty = true;
    }

    /// Pasted text goes to whatever text field has focus; elsewhere it is ignored.
    pub fn handle_paste(&mut self, text: &str) -> Vec<Effect> {
        let used = match self.overlays.last_mut() {
            Some(Overlay::Palette(p)) | Some(Overlay::Picker(p, _)) => {
                p.paste(text);
                true
            }
            Some(_) => false,
            None => {
                let used = self.top_screen_mut().handle_paste(text);
                self.load_shown();
                used
            }
        };
        self.dirty |= used;
        Vec::new()
    }

    /// The top screen reads what it is about to show (`Screen::load_shown`).
    fn load_shown(&mut self) {
        if let Some(s) = self.screens.last_mut() {
            s.load_shown(&self.store);
        }
    }

    /// Handle one key press. Text fields see it first; then the keymap decides.
    pub fn handle_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        if key.kind == KeyEventKind::Release {
            return Vec::new();
        }
        // A key press always gets a redraw: ratatui only sends the cells that changed.
        self.dirty = true;
        let used_as_text = match self.overlays.last_mut() {
            Some(Overlay::Palette(p)) | Some(Overlay::Picker(p, _)) => p.handle_text_key(&key),
            Some(_) => false,
            None => {
                let used = self.top_screen_mut().handle_text_key(&key);
                if used {
                    self.load_shown();
                }
                used
            }
        };
        if used_as_text {
            return Vec::new();
        }
        let contexts = self.contexts();
        let action = match self.keymap.resolve(&contexts, &key) {
            Some(a) => Some(a),
            // Ctrl+L still works under a modal dialog.
            None if self.keymap.resolve(&[Context::Global], &key) == Some(Action::Redraw) => {
                Some(Action::Redraw)
            }
            None => None,
        };
        match action {
            Some(action) => self.dispatch(action),
            None => Vec::new(),
        }
    }

    /// Run an action as if its key was pressed (the palette uses this too).
    pub fn dispatch(&mut self, action: Action) -> Vec<Effect> {
        self.dirty = true;
        if self.overlays.is_empty() && writes_records(action) && self.is_admin_view() {
            self.show_toast(tr(self.lang, "ui.admin.read_only"), true);
            return Vec::new();
        }
        match action {
            Action::Redraw => return vec![Effect::ClearScreen],
            Action::Exit => return self.request_quit(),
            Action::Help if !matches!(self.overlays.last(), Some(Overlay::Confirm(_))) => {
                if matches!(self.overlays.last(), Some(Overlay::Help(_))) {
                    self.overlays.pop();
                } else {
                    self.overlays.push(Overlay::Help(HelpState::new()));
                }
                return Vec::new();
            }
            Action::Palette if !matches!(self.overlays.last(), Some(Overlay::Confirm(_))) => {
                if matches!(self.overlays.last(), Some(Overlay::Palette(_))) {
                    self.overlays.pop();
                } else {
                    self.open_palette();
                }
                return Vec::new();
            }
            _ => {}
        }
        match self.overlays.pop() {
            Some(overlay) => self.dispatch_overlay(overlay, action),
            None => self.dispatch_screen(action),
        }
    }

    /// `overlay` has been taken off the stack; put it back unless the action closes it.
    fn dispatch_overlay(&mut self, overlay: Overlay, action: Action) -> Vec<Effect> {
        match overlay {
            Overlay::Help(mut h) => {
                if action != Action::Back {
                    h.apply(action, help_line_count(&self.keymap));
                    self.overlays.push(Overlay::Help(h));
                }
                Vec::new()
            }
            Overlay::Palette(mut p) => match p.apply(action) {
                PickerOutcome::Open => {
                    self.overlays.push(Overlay::Palette(p));
                    Vec::new()
                }
                PickerOutcome::Cancelled => Vec::new(),
                PickerOutcome::Picked(name) => match Action::from_name(&name) {
                    Some(a) => self.dispatch(a),
                    None => Vec::new(),
                },
            },
            Overlay::Picker(mut p, purpose) => match p.apply(action) {
                PickerOutcome::Open => {
                    self.overlays.push(Overlay::Picker(p, purpose));
                    Vec::new()
                }
                PickerOutcome::Cancelled => Vec::new(),
                PickerOutcome::Picked(code) => {
                    let cmd =
                        self.with_screen(|s, env, store| s.on_pick(purpose, &code, env, store));
                    self.apply_cmd(cmd)
                }
            },
            Overlay::Confirm(mut c) => match c.apply(action) {
                ConfirmOutcome::Open => {
                    self.overlays.push(Overlay::Confirm(c));
                    Vec::new()
                }
                ConfirmOutcome::No => Vec::new(),
                ConfirmOutcome::Yes => match c.tag {
                    OnYes::PopScreen => {
                        self.pop_screen();
                        Vec::new()
                    }
                    OnYes::Quit => {
                        self.quit = true;
                        vec![Effect::Quit]
                    }
                    OnYes::Screen(a) => {
                        let cmd = self.with_screen(|s, env, store| s.on_confirm(a, env, store));
                        self.apply_cmd(cmd)
                    }
                    OnYes::Export => self.start_export(),
                },
            },
        }
    }

    fn dispatch_screen(&mut self, action: Action) -> Vec<Effect> {
        if action == Action::Export {
            return self.ask_export();
        }
        if action == Action::Quit {
            return if self.at_top_level() {
                self.request_quit()
            } else {
                Vec::new()
            };
        }
        let cmd = self.with_screen(|s, env, store| s.handle_action(action, env, store));
        match cmd {
            ScreenCmd::Unhandled if action == Action::Back => self.leave_screen(),
            ScreenCmd::Unhandled if action.opens_view() => {
                let last = self.screens.len().saturating_sub(1);
                let env = Env {
                    lang: self.lang,
                    keymap: &self.keymap,
                    theme: &self.theme,
                };
                let cmd = crate::ui::screens::open_view(
                    action,
                    self.screens[last].as_ref(),
                    &env,
                    &mut self.store,
                );
                self.apply_cmd(cmd)
            }
            other => self.apply_cmd(other),
        }
    }

    fn apply_cmd(&mut self, cmd: ScreenCmd) -> Vec<Effect> {
        self.refresh_who();
        self.refresh_overdue();
        match cmd {
            ScreenCmd::BuildSearchIndex => self.build_search_index(),
            ScreenCmd::None | ScreenCmd::Unhandled => {}
            ScreenCmd::Push(screen) => {
                self.screens.push(screen);
                let cmd = self.with_screen(|s, _, store| s.on_shown(store));
                return self.apply_cmd(cmd);
            }
            ScreenCmd::Replace(screen) => {
                if let Some(top) = self.screens.last_mut() {
                    *top = screen;
                }
                let cmd = self.with_screen(|s, _, store| s.on_shown(store));
                return self.apply_cmd(cmd);
            }
            ScreenCmd::ComputeReport { period, scope } => {
                return self.compute_report(period, scope)
            }
            ScreenCmd::WriteReport {
                report,
                scope,
                file_name,
            } => return self.write_report(*report, scope, &file_name),
            ScreenCmd::Pop => return self.leave_screen(),
            ScreenCmd::PopWith { message, error } => {
                let effects = self.leave_screen();
                self.show_toast(message, error);
                return effects;
            }
            ScreenCmd::PopSaved { message, id } => {
                let effects = self.leave_screen();
                if let Some(list) = self
                    .screens
                    .last_mut()
                    .and_then(|s| s.downcast_mut::<crate::ui::screens::ListScreen>())
                {
                    list.select_id(&id, &self.store);
                }
                self.show_toast(message, false);
                return effects;
            }
            ScreenCmd::Quit => {
                self.confirm(tr(self.lang, "ui.confirm.quit"), OnYes::Quit);
            }
            ScreenCmd::Toast(t) => self.show_toast_from(t, false, Some(self.screens.len())),
            ScreenCmd::Error(t) => self.show_toast_from(t, true, Some(self.screens.len())),
            ScreenCmd::Withdraw { text, then } => {
                self.toasts.retain(|t| t.text != text);
                self.dirty = true;
                return self.apply_cmd(*then);
            }
            ScreenCmd::OpenPicker {
                title,
                items,
                purpose,
            } => self.open_picker(title, items, purpose),
            ScreenCmd::Confirm { message, action } => self.confirm(message, OnYes::Screen(action)),
            ScreenCmd::RestoreDatabase(from) => return vec![Effect::Restore(from)],
        }
        Vec::new()
    }

    /// The first-run wizard may have just created the profile: the header follows.
    fn refresh_who(&mut self) {
        let now = self.store.profile().map(|p| p.id.clone());
        if now != self.who_for {
            self.who = crate::words::format::who_label(self.lang, self.store.profile());
            self.who_for = now;
        }
    }

    /// F8: asks first, since an export moves reviewed proposals to "sent to the province".
    fn ask_export(&mut self) -> Vec<Effect> {
        if self.export_progress.is_some() {
            self.show_toast(tr(self.lang, "ui.export.running"), false);
        } else {
            self.confirm(tr(self.lang, "ui.export.confirm"), OnYes::Export);
        }
        Vec::new()
    }

    /// Writes the next bundle: on a job thread with its own connection when the database is
    /// a file and the loop listens (a province-size export takes seconds), else right here.
    fn start_export(&mut self) -> Vec<Effect> {
        let lang = self.lang;
        let dir = self
            .export_dir
            .clone()
            .unwrap_or_else(crate::bundle::default_export_dir);
        let run = move |store: &mut Store, progress: &(dyn Fn(u64, u64) + Sync)| {
            let opts = crate::bundle::ExportOptions {
                full: false,
                out: Some(dir.clone()),
            };
            match crate::bundle::export(store, &opts, progress) {
                Ok(out) => {
                    let n = |k: &str| out.counts.get(k).copied().unwrap_or(0);
                    let path = std::path::absolute(&out.path).unwrap_or(out.path.clone());
                    let text = trf(
                        lang,
                        "ui.export.done",
                        &[
                            &out.seq,
                            &n("facilities"),
                            &n("consultations"),
                            &n("proposals"),
                            &path.display(),
                        ],
                    );
                    // A returned proposal not yet revised is said, so it is not forgotten.
                    let text = match crate::words::flow::returned_unrevised_text(
                        lang,
                        out.returned_unrevised,
                    ) {
                        Some(r) => format!("{text}\n{r}"),
                        None => text,
                    };
                    (crate::text::sanitize(&text), false)
                }
                Err(e) => (
                    trf(
                        lang,
                        "ui.export.failed",
                        &[&crate::words::bundle_error_text(lang, &e)],
                    ),
                    true,
                ),
            }
        };
        if let (Some(tx), Some(path)) = (self.jobs.clone(), self.store.path()) {
            let path = path.to_path_buf();
            let clock = self.store.clock().clone();
            let job = run.clone();
            let spawned = std::thread::Builder::new()
                .name("ctv-export".into())
                .spawn(move || {
                    let progress_tx = std::sync::Mutex::new(tx.clone());
                    let progress = move |done: u64, total: u64| {
                        if let Ok(t) = progress_tx.lock() {
                            let _ = t.send(AppEvent::Job(JobEvent::ExportProgress { done, total }));
                        }
                    };
                    let (message, error) = match Store::open_for_work(&path, clock) {
                        Ok(mut store) => job(&mut store, &progress),
                        Err(e) => (crate::words::store_error_text(lang, &e), true),
                    };
                    let _ = tx.send(AppEvent::Job(JobEvent::ExportDone { message, error }));
                });
            if spawned.is_ok() {
                self.export_progress = Some((0, 1000));
                self.dirty = true;
                return Vec::new();
            }
        }
        let (message, error) = run(&mut self.store, &|_, _| {});
        self.handle_event(AppEvent::Job(JobEvent::ExportDone { message, error }))
    }

    /// Counts a report: on a job thread with its own connection and progress when the
    /// database is a file and the loop listens (a province's year takes a second or two),
    /// else right here. The screen on top gets it (`Screen::on_report`).
    fn compute_report(
        &mut self,
        period: crate::domain::report::Period,
        scope: crate::store::report::ReportScope,
    ) -> Vec<Effect> {
        let lang = self.lang;
        if let (Some(tx), Some(path)) = (self.jobs.clone(), self.store.path()) {
            let path = path.to_path_buf();
            let clock = self.store.clock().clone();
            let (p, sc) = (period.clone(), scope.clone());
            let spawned = std::thread::Builder::new()
                .name("ctv-report".into())
                .spawn(move || {
                    let mut progress = |done: usize, total: usize| {
                        let _ = tx.send(AppEvent::Job(JobEvent::ReportProgress { done, total }));
                    };
                    let result = Store::open_for_work(&path, clock)
                        .and_then(|s| s.report_with_progress(&p, &sc, &mut progress))
                        .map_err(|e| crate::words::store_error_text(lang, &e));
                    let _ = tx.send(AppEvent::Job(JobEvent::ReportDone(Box::new(result))));
                });
            if spawned.is_ok() {
                return Vec::new();
            }
        }
        let result = self
            .store
            .report(&period, &scope)
            .map_err(|e| crate::words::store_error_text(lang, &e));
        self.handle_event(AppEvent::Job(JobEvent::ReportDone(Box::new(result))))
    }

    /// Writes a report's workbook: on a job thread with its own connection when the database
    /// is a file and the loop listens (a province's year reads every record behind its
    /// figures), else right here. A message says it is being written, then where it went.
    fn write_report(
        &mut self,
        report: crate::store::report::Report,
        scope: crate::store::report::ReportScope,
        file_name: &str,
    ) -> Vec<Effect> {
        let lang = self.lang;
        let dir = self
            .export_dir
            .clone()
            .unwrap_or_else(crate::bundle::default_export_dir);
        if let Err(e) = std::fs::create_dir_all(&dir) {
            let text = trf(lang, "ui.report.export_failed", &[&e]);
            self.show_toast(crate::text::sanitize(&text), true);
            return Vec::new();
        }
        let path = dir.join(file_name);
        let write = move |store: &Store| match crate::report_book::write_report_xlsx(
            store, lang, &report, &scope, &path,
        ) {
            Ok(_) => (
                crate::text::sanitize(&trf(lang, "ui.report.written", &[&path.display()])),
                false,
            ),
            Err(e) => (
                crate::text::sanitize(&trf(lang, "ui.report.export_failed", &[&e])),
                true,
            ),
        };
        if let (Some(tx), Some(db)) = (self.jobs.clone(), self.store.path()) {
            let db = db.to_path_buf();
            let clock = self.store.clock().clone();
            let write = write.clone();
            let spawned = std::thread::Builder::new()
                .name("ctv-report-book".into())
                .spawn(move || {
                    let (message, error) = match Store::open_for_work(&db, clock) {
                        Ok(s) => write(&s),
                        Err(e) => (crate::words::store_error_text(lang, &e), true),
                    };
                    let _ = tx.send(AppEvent::Job(JobEvent::ReportWritten { message, error }));
                });
            if spawned.is_ok() {
                self.show_toast(tr(lang, "ui.report.writing"), false);
                return Vec::new();
            }
        }
        let (message, error) = write(&self.store);
        self.show_toast(message, error);
        Vec::new()
    }

    /// Build the search index: on a job thread with its own connection when the database is
    /// a file and the loop listens (100,000 facilities take a while), else right here.
    fn build_search_index(&mut self) {
        let generation = self.store.last_change_seq().unwrap_or(-1);
        let lang = self.lang;
        if let (Some(tx), Some(path)) = (self.jobs.clone(), self.store.path()) {
            let path = path.to_path_buf();
            let clock = self.store.clock().clone();
            let spawned = std::thread::Builder::new()
                .name("ctv-search-index".into())
                .spawn(move || {
                    let result = Store::open_for_work(&path, clock)
                        .and_then(|s| s.search_index())
                        .map(|mut index| {
                            index.shrink_to_fit();
                            index.prepare();
                            IndexReady {
                                index: std::sync::Arc::new(index),
                                generation,
                            }
                        })
                        .map_err(|e| crate::words::store_error_text(lang, &e));
                    let _ = tx.send(AppEvent::Job(JobEvent::SearchIndex(result)));
                });
            if spawned.is_ok() {
                return;
            }
        }
        let result = self
            .store
            .search_index()
            .map(|index| IndexReady {
                index: std::sync::Arc::new(index),
                generation,
            })
            .map_err(|e| crate::words::store_error_text(lang, &e));
        self.deliver_index(result);
    }

    /// Hand a finished search index to every screen that searches.
    fn deliver_index(&mut self, result: Result<IndexReady, String>) {
        self.dirty = true;
        match result {
            Ok(ready) => {
                for s in &mut self.screens {
                    s.on_search_index(Some(&ready));
                }
                self.load_shown();
            }
            Err(message) => {
                for s in &mut self.screens {
                    s.on_search_index(None);
                }
                self.show_toast(message, true);
            }
        }
    }

    /// Back from a screen: pop it (asking first if it has unsaved changes); at the top level
    /// say how to quit instead.
    fn leave_screen(&mut self) -> Vec<Effect> {
        if self.screens.len() <= 1 {
            let keys = self.keymap.keys_for(Action::Quit, Context::TopLevel);
            self.show_toast(trf(self.lang, "ui.toast.quit_hint", &[&keys]), false);
        } else if self.top_screen().has_unsaved_changes() {
            self.confirm(tr(self.lang, "ui.confirm.discard"), OnYes::PopScreen);
        } else {
            self.pop_screen();
        }
        Vec::new()
    }

    /// Pop the top screen; the new top reloads (a child may have saved something).
    fn pop_screen(&mut self) {
        if self.screens.len() > 1 {
            self.screens.pop();
            // What the screen said about itself goes with it (issue 16: "còn 3 lỗi" stayed
            // after the form was discarded).
            let depth = self.screens.len();
            let before = self.toasts.len();
            self.toasts.retain(|t| t.owner.is_none_or(|o| o <= depth));
            self.dirty |= self.toasts.len() != before;
            let cmd = self.with_screen(|s, _, store| s.on_data_changed(store));
            self.apply_cmd(cmd);
        }
    }

    fn request_quit(&mut self) -> Vec<Effect> {
        if self.screens.iter().any(|s| s.has_unsaved_changes()) {
            self.overlays.retain(|o| !matches!(o, Overlay::Confirm(_)));
            self.confirm(tr(self.lang, "ui.confirm.quit_unsaved"), OnYes::Quit);
            Vec::new()
        } else {
            self.quit = true;
            vec![Effect::Quit]
        }
    }

    fn open_palette(&mut self) {
        let contexts = self.contexts();
        let entries = self
            .keymap
            .palette_entries(&contexts, &|a| self.available(a));
        let items = entries
            .into_iter()
            .map(|(action, label, keys)| {
                PickItem::new(action.name(), tr(self.lang, label))
                    .with_hint(keys)
                    .with_extra(action.name().replace('_', " "))
            })
            .collect();
        self.overlays.push(Overlay::Palette(Picker::new(
            tr(self.lang, "ui.palette.title"),
            items,
        )));
    }

    // ----- view -----

    /// Draw the whole app. Pure with respect to the app state.
    pub fn render(&self, frame: &mut Frame) {
        let area = frame.area();
        if area.width == 0 || area.height == 0 {
            return;
        }
        let [header, body, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(1),
        ])
        .areas(area);
        let env = Env {
            lang: self.lang,
            keymap: &self.keymap,
            theme: &self.theme,
        };
        let alert = (self.overdue > 0).then(|| {
            trf(
                self.lang,
                "ui.header.overdue",
                &[&crate::words::format::count(self.overdue)],
            )
        });
        render_header_with_alert(
            frame.buffer_mut(),
            header,
            &self.who,
            &self.db_label,
            alert.as_deref(),
            &self.theme,
        );
        self.top_screen()
            .render(frame, body, &env, self.overlays.is_empty());
        let top = self.overlays.len().saturating_sub(1);
        for (i, overlay) in self.overlays.iter().enumerate() {
            self.render_overlay(frame, body, overlay, i == top);
        }
        if let Some(t) = self.toasts.front() {
            let style = if t.error {
                self.theme.error
            } else {
                self.theme.info
            };
            // Inside the screen's frame: the message never covers its bottom border.
            let inside = Rect {
                x: body.x + 1,
                width: body.width.saturating_sub(2),
                height: body.height.saturating_sub(1),
                ..body
            };
            render_toast(frame.buffer_mut(), inside, &t.text, style);
        }
        match self.export_progress {
            Some((done, total)) => {
                let ratio = if total == 0 {
                    0.0
                } else {
                    (done as f64 / total as f64).clamp(0.0, 1.0)
                };
                let label = trf(
                    self.lang,
                    "ui.export.busy",
                    &[&((ratio * 100.0).round() as u64)],
                );
                frame.render_widget(
                    ratatui::widgets::Gauge::default()
                        .gauge_style(self.theme.info)
                        .ratio(ratio)
                        .label(label),
                    footer,
                );
            }
            None => render_footer(
                frame.buffer_mut(),
                footer,
                &self.footer_hints(),
                &self.theme,
                self.lang,
            ),
        }
    }

    fn render_overlay(&self, frame: &mut Frame, area: Rect, overlay: &Overlay, focused: bool) {
        match overlay {
            Overlay::Help(h) => render_help(frame, area, &self.keymap, h, &self.theme, self.lang),
            Overlay::Palette(p) | Overlay::Picker(p, _) => {
                p.render(frame, area, &self.theme, self.lang, focused)
            }
            Overlay::Confirm(c) => c.render(frame, area, &self.theme, self.lang),
        }
    }
}
