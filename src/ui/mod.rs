//! The terminal front end.
//!
//! # How the pieces fit
//! - [`keymap`] is the one source of key bindings: `Action` (what), `Context` (where), `Key`s.
//!   The footer ([`App::footer_hints`]), the help overlay (`widgets::help`) and the command
//!   palette are all generated from it, so they cannot drift. `[keys]` in the config file
//!   overrides keys by action name (`quit = "x"`). Ctrl+H is never bound (input methods send
//!   it as backspace).
//! - [`app::App`] holds the state: a stack of [`screens::Screen`]s with overlays on top
//!   (help, palette, picker, confirm). Keys go: focused text field first (so `q` types a `q`
//!   in a field), then `Keymap::resolve` over [`App::contexts`], then `App::dispatch`, which
//!   handles app-level actions (help, palette, quit, back) and hands the rest to the top
//!   screen. Updates return [`Effect`]s; [`App::render`] only draws.
//! - [`event`]: one mpsc channel of [`AppEvent`]s fed by the input thread, the signal thread
//!   (SIGTERM/SIGHUP) and background jobs. [`run`] blocks on it, drains every queued event,
//!   then draws once if something changed. After [`app::POLL_IDLE`] without any event it
//!   asks `PRAGMA data_version` whether another process changed the data
//!   ([`App::poll_outside_changes`]): one statement, no transaction left open, nothing drawn
//!   unless a visible list changed, so an idle app uses almost no CPU and writes nothing.
//! - [`terminal`]: raw mode, alternate screen, bracketed paste, panic hook, restore guard.
//!
//! # Screens
//! The app opens on the facility list (`screens::list`), or on the first-run wizard
//! (`screens::setup`) when the database has no collaborator profile. Enter opens a facility
//! (`screens::detail`); `n`/`e` open the facility form (`screens::form`). [`launch`] is what
//! `ctv` with no subcommand runs.
//! F6 opens the snapshots screen (`screens::snapshots`): a restore there ends in
//! [`Effect::Restore`], which [`run`]'s loop carries out with [`restore_and_reopen`] (the
//! app's connection must be closed while the file is replaced).
//!
//! # Adding a screen
//! 1. Write `screens/<name>.rs` with the screen's state (including the data it shows), a
//!    `handles(Action)` list, `handle_action`, and `render` (draw only; no store access).
//! 2. Add a variant to `screens::Screen` and an arm to each of its methods; return `Context`s
//!    from `Screen::contexts` (List, Search, Detail, Form…).
//! 3. If a new command is needed, add an `Action` with its name and label key, bind it in
//!    `keymap::defaults()` in the right context, and add the label to the `UI` table in
//!    `words/table.rs` (Vietnamese first). The footer, help and palette pick it up by themselves.
//! 4. Push it from another screen with `ScreenCmd::Push` (or swap with `Replace`). For a
//!    picker (communes, code lists) return `ScreenCmd::OpenPicker` with a new `PickPurpose`;
//!    the code comes back through `Screen::on_pick`. For "archive?" return
//!    `ScreenCmd::Confirm`; a Yes comes back through `Screen::on_confirm`. Report unsaved
//!    edits from `has_unsaved_changes` and the app asks before leaving.
//!
//! # The store seam
//! [`App`] owns the `Store`. Screen handlers (`handle_action`, `on_pick`, `on_confirm`,
//! `on_data_changed`) get `&mut Store` and load what they show into their own state; `render`
//! never sees the store. After a screen is popped, the new top gets `on_data_changed` (a
//! form saved: the detail and the list reload). Slow work runs on a job thread with its own
//! connection and answers through `AppEvent::Job`: the search index is built that way the
//! first time `/` is pressed (`ScreenCmd::BuildSearchIndex`), so launch costs one count and
//! one window of rows. `AppEvent::DataChanged` asks the top screen to reload.

pub mod app;
pub mod charset;
pub mod config;
pub mod event;
pub mod keymap;
pub mod screens;
pub mod scroll_backend;
pub mod terminal;
pub mod theme;
pub mod widgets;

use std::io;
use std::sync::mpsc::RecvTimeoutError;
use std::time::Instant;

pub use app::{App, AppContext, Effect, OnYes, OverlayKind};
pub use config::Config;
pub use event::{AppEvent, EventReceiver, EventSender, JobEvent};
pub use keymap::{Action, Context, Keymap};
pub use theme::Theme;

use crate::text;
use crate::words::format;
use crate::words::{tr, trf, Lang};

impl AppContext {
    /// Build the context from the config file, a `--lang` override, who is working and the
    /// database label. Returns warnings about bad key overrides (show them as toasts).
    pub fn from_config(
        cfg: &Config,
        lang: Option<Lang>,
        who: String,
        db_label: String,
    ) -> (AppContext, Vec<String>) {
        let lang = lang.unwrap_or(cfg.lang);
        let (keymap, warnings) = Keymap::with_overrides(&cfg.keys, lang);
        let ctx = AppContext {
            lang,
            theme: Theme::from_config(cfg.theme),
            keymap,
            who,
            db_label,
        };
        (ctx, warnings)
    }
}

/// Why the terminal app could not start: the database (worded by the caller), or the
/// terminal itself (`what` already worded).
#[derive(Debug)]
pub enum LaunchError {
    Store(crate::store::StoreError),
    Terminal(String, io::Error),
    /// The user left at the terminal check (already told why): exit 1, nothing more to say.
    Declined,
}

/// `ctv` with no subcommand: open the database at `db_path` (with `clock`, through
/// `Store::open_for_work`) and run the terminal app on it. The config file gives the language,
/// theme and keys; `lang_arg` (`--lang`), then `CTV_LANG`, wins over it. A database that cannot
/// be opened is reported before the terminal is touched (the caller prints the error and
/// exits 1).
pub fn launch(
    db_path: &std::path::Path,
    lang_arg: Option<Lang>,
    clock: std::sync::Arc<dyn crate::clock::Clock>,
) -> Result<(), LaunchError> {
    // Parse the reference data on another core while the database counts the facilities:
    // both are needed for the first frame, neither needs the other.
    let _ = std::thread::Builder::new()
        .name("ctv-refdata".into())
        .spawn(|| {
            crate::refdata::units();
            crate::refdata::codes();
        });
    let store = crate::store::Store::open_for_work(db_path, clock).map_err(LaunchError::Store)?;
    let (cfg, cfg_warning) = Config::load(None);
    let lang = lang_arg
        .or_else(|| crate::env::var("CTV_LANG").as_deref().and_then(Lang::parse))
        .unwrap_or(cfg.lang);
    // A shared run ignores the test and tuning variables: said once, before the screen opens.
    if let Some(text) = crate::words::env_ignored_text(lang) {
        eprintln!("{text}");
    }
    let db_label = db_path.display().to_string();
    let (actx, key_warnings) = AppContext::from_config(&cfg, Some(lang), String::new(), db_label);
    let mut app = App::new(actx, store);
    app.set_who(who_label(&app));
    for w in cfg_warning.into_iter().chain(key_warnings) {
        app.show_toast(w, true);
    }
    // Before anything is drawn: a terminal that would show Vietnamese as mojibake gets told
    // how to switch to UTF-8 instead (and may leave).
    match charset::ensure_utf8(lang) {
        Ok(true) => {}
        Ok(false) => return Err(LaunchError::Declined),
        Err(e) => {
            return Err(LaunchError::Terminal(
                tr(lang, "ui.launch.terminal").to_string(),
                e,
            ))
        }
    }
    let (tx, rx) = event::channel();
    spawn_daily_snapshot(db_path, app.store().clock().now(), lang, tx.clone());
    run_with_channel(app, tx, rx)
        .map_err(|e| LaunchError::Terminal(tr(lang, "ui.launch.terminal").to_string(), e))
}

/// The header's "who is working": the profile, or the administrator's read-only view.
fn who_label(app: &App) -> String {
    let lang = app.lang();
    if app.is_admin_view() {
        let account = crate::shared::real_account().unwrap_or_else(|| "root".to_string());
        return crate::words::trf(lang, "ui.header.admin", &[&text::sanitize(&account)]);
    }
    format::who_label(lang, app.store().profile())
}

/// The first start of the day takes the daily snapshot on a job thread with its own
/// connection, so the first frame is not held up by copying a large database. Only a
/// failure is reported (as a toast).
pub fn spawn_daily_snapshot(
    db: &std::path::Path,
    now: chrono::DateTime<chrono::Utc>,
    lang: Lang,
    tx: EventSender,
) -> Option<std::thread::JoinHandle<()>> {
    if !crate::store::daily_due(db, now) {
        return None;
    }
    let db = db.to_path_buf();
    std::thread::Builder::new()
        .name("ctv-daily-snapshot".into())
        .spawn(move || {
            if let Err(e) = crate::store::take_daily_if_due(&db, now) {
                let message = trf(
                    lang,
                    "cli.daily_failed",
                    &[&crate::words::store_error_text(lang, &e)],
                );
                let _ = tx.send(AppEvent::Job(JobEvent::Failed { message }));
            }
        })
        .ok()
}

/// Take over the terminal and run `app` until the user quits or a signal arrives. The
/// terminal is restored on every way out, including a panic.
pub fn run(app: App) -> io::Result<()> {
    let (tx, rx) = event::channel();
    run_with_channel(app, tx, rx)
}

/// [`run`] with a channel made by the caller, so background jobs can hold a sender
/// (`tx.clone()`) before the app starts.
pub fn run_with_channel(mut app: App, tx: EventSender, rx: EventReceiver) -> io::Result<()> {
    app.set_job_sender(tx.clone());
    let (mut term, _guard) = terminal::init()?;
    event::spawn_signal_thread(tx.clone())?;
    event::spawn_input_thread(tx.clone())?;
    let result = event_loop(app, &mut term, &rx, &tx);
    drop(term);
    terminal::restore()?;
    result
}

fn event_loop(
    mut app: App,
    term: &mut terminal::Term,
    rx: &EventReceiver,
    tx: &EventSender,
) -> io::Result<()> {
    // Asked only after POLL_IDLE without any event: typing never waits for it.
    let mut next_poll = Instant::now() + app::POLL_IDLE;
    loop {
        if app.take_dirty() {
            draw(term, &app)?;
        }
        // Block until something happens; wake early for a toast that must disappear, or to
        // ask (one cheap PRAGMA) whether another process changed the data.
        let wake = app.deadline().map_or(next_poll, |d| d.min(next_poll));
        let first = match rx.recv_timeout(wake.saturating_duration_since(Instant::now())) {
            Ok(ev) => Some(ev),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => return Ok(()),
        };
        let now = Instant::now();
        if first.is_some() {
            next_poll = now + app::POLL_IDLE;
        } else if now >= next_poll {
            app.poll_outside_changes();
            next_poll = now + app::POLL_IDLE;
        }
        // Handle the whole burst before drawing once.
        for ev in first
            .into_iter()
            .chain(std::iter::from_fn(|| rx.try_recv().ok()))
        {
            for effect in app.handle_event(ev) {
                match effect {
                    Effect::Quit => return Ok(()),
                    // `Terminal::clear` saves and puts back the cursor; our backend answers
                    // where it is from memory, never by asking the terminal (ESC[6n).
                    Effect::ClearScreen => term.clear()?,
                    Effect::Restore(from) => {
                        // The terminal stays in raw mode: only the app is rebuilt.
                        app = restore_and_reopen(app, &from).map_err(io::Error::other)?;
                        app.set_job_sender(tx.clone());
                        term.clear()?;
                    }
                }
            }
        }
        app.tick(Instant::now());
    }
}

/// Restores the database under `app` from the snapshot `from` and returns a fresh app on
/// the result, with a toast saying what happened. The app (and so its connection) is dropped
/// first: `store::restore` refuses while the database is open. If the restore fails, the
/// database is reopened unchanged and the toast says why. Err (a message) only when the
/// database cannot be reopened at all.
pub fn restore_and_reopen(app: App, from: &std::path::Path) -> Result<App, String> {
    let ctx = app.context();
    let lang = ctx.lang;
    let store = app.into_store();
    let Some(db) = store.path().map(std::path::Path::to_path_buf) else {
        let mut app = App::new(ctx, store);
        app.show_toast(tr(lang, "ui.snapshots.no_file"), true);
        return Ok(app);
    };
    if store.is_shared() && !crate::shared::is_root() {
        let mut app = App::new(ctx, store);
        app.show_toast(tr(lang, "cli.shared.restore_admin"), true);
        return Ok(app);
    }
    let clock = store.clock().clone();
    let now = clock.now();
    drop(store);
    let result = crate::store::restore(&db, from, now);
    let store = crate::store::Store::open_for_work(&db, clock).map_err(|e| {
        trf(
            lang,
            "ui.snapshots.reopen_failed",
            &[&crate::words::store_error_text(lang, &e)],
        )
    })?;
    let mut app = App::new(ctx, store);
    app.set_who(who_label(&app));
    let name = text::sanitize(&from.file_name().unwrap_or_default().to_string_lossy());
    match result {
        Ok(out) => {
            let message = match out.kept {
                Some(kept) => trf(
                    lang,
                    "ui.snapshots.restored",
                    &[&name, &text::sanitize(&kept.display().to_string())],
                ),
                None => trf(lang, "ui.snapshots.restored_plain", &[&name]),
            };
            app.show_toast(message, false);
        }
        Err(e) => {
            let why = crate::words::store_error_text(lang, &e);
            app.show_toast(trf(lang, "ui.snapshots.restore_failed", &[&why]), true);
        }
    }
    Ok(app)
}

/// One frame: ratatui flushes it once at the end, and the terminal writer sends it whole
/// (in synchronized-output codes when it is large, see `TermWriter`).
fn draw(term: &mut terminal::Term, app: &App) -> io::Result<()> {
    term.draw(|frame| app.render(frame))?;
    Ok(())
}
