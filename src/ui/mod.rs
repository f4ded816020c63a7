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
//!   then draws once if something changed: an idle app uses no CPU and writes nothing.
//! - [`terminal`]: raw mode, alternate screen, bracketed paste, panic hook, restore guard.
//!
//! # Adding a screen
//! 1. Write `screens/<name>.rs` with the screen's state (including the data it shows), a
//!    `handles(Action)` list, `handle_action`, and `render` (draw only; no store access).
//! 2. Add a variant to `screens::Screen` and an arm to each of its methods; return `Context`s
//!    from `Screen::contexts` (List, Detail, Form…).
//! 3. If a new command is needed, add an `Action` with its name and label key, bind it in
//!    `keymap::defaults()` in the right context, and add the label to the `UI` table in
//!    `i18n.rs` (Vietnamese first). The footer, help and palette pick it up by themselves.
//! 4. Push it from another screen with `ScreenCmd::Push`. For a picker (communes, code
//!    lists) return `ScreenCmd::OpenPicker` with a new `PickPurpose`; the code comes back
//!    through `Screen::on_pick`. For "archive?" return `ScreenCmd::Confirm`; a Yes comes back
//!    through `Screen::on_confirm`. Report unsaved edits from `has_unsaved_changes` and the
//!    app asks before leaving.
//!
//! # The store seam
//! Screens receive data through their state. The loop in [`run_with_channel`] is the one
//! place where effects are carried out: a future `Effect::Store(request)` runs there against
//! the `Store` (or on a job thread that answers with `AppEvent::Job`), and the result is put
//! into the app state before the next draw. `AppEvent::DataChanged` asks the top screen to
//! reload.

pub mod app;
pub mod config;
pub mod event;
pub mod i18n;
pub mod keymap;
pub mod screens;
pub mod terminal;
pub mod theme;
pub mod widgets;

use std::io;
use std::sync::mpsc::RecvTimeoutError;
use std::time::Instant;

use ratatui::crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
use ratatui::crossterm::{execute, queue};

pub use app::{App, AppContext, Effect, OnYes, OverlayKind};
pub use config::Config;
pub use event::{AppEvent, EventReceiver, EventSender, JobEvent};
pub use keymap::{Action, Context, Keymap};
pub use theme::Theme;

use i18n::Lang;

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

/// Take over the terminal and run `app` until the user quits or a signal arrives. The
/// terminal is restored on every way out, including a panic.
pub fn run(app: App) -> io::Result<()> {
    let (tx, rx) = event::channel();
    run_with_channel(app, tx, rx)
}

/// [`run`] with a channel made by the caller, so background jobs can hold a sender
/// (`tx.clone()`) before the app starts.
pub fn run_with_channel(mut app: App, tx: EventSender, rx: EventReceiver) -> io::Result<()> {
    let (mut term, _guard) = terminal::init()?;
    event::spawn_signal_thread(tx.clone())?;
    event::spawn_input_thread(tx)?;
    let result = event_loop(&mut app, &mut term, &rx);
    drop(term);
    terminal::restore()?;
    result
}

fn event_loop(app: &mut App, term: &mut terminal::Term, rx: &EventReceiver) -> io::Result<()> {
    loop {
        if app.take_dirty() {
            draw(term, app)?;
        }
        // Block until something happens; wake early only for a toast that must disappear.
        let first = match app.deadline() {
            Some(when) => match rx.recv_timeout(when.saturating_duration_since(Instant::now())) {
                Ok(ev) => Some(ev),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => return Ok(()),
            },
            None => match rx.recv() {
                Ok(ev) => Some(ev),
                Err(_) => return Ok(()),
            },
        };
        // Handle the whole burst before drawing once.
        for ev in first
            .into_iter()
            .chain(std::iter::from_fn(|| rx.try_recv().ok()))
        {
            for effect in app.handle_event(ev) {
                match effect {
                    Effect::Quit => return Ok(()),
                    Effect::ClearScreen => term.clear()?,
                }
            }
        }
        app.tick(Instant::now());
    }
}

/// One frame, wrapped in synchronized-output codes so the terminal shows it whole.
fn draw(term: &mut terminal::Term, app: &App) -> io::Result<()> {
    queue!(term.backend_mut(), BeginSynchronizedUpdate)?;
    term.draw(|frame| app.render(frame))?;
    execute!(term.backend_mut(), EndSynchronizedUpdate)?;
    Ok(())
}
