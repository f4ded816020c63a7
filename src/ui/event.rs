//! One channel for everything that can wake the app: terminal input, signals, background jobs.
//!
//! The input thread blocks on `crossterm::event::read()` (no polling, so an idle app uses no
//! CPU); background jobs and the signal thread hold clones of the same [`EventSender`]. The
//! main loop blocks on the receiver, then drains whatever else is queued before drawing once
//! (atuin's trick: a pasted burst or an input method's backspace+letter pair costs one frame).

use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::Arc;
use std::thread;

use crate::search::SearchIndex;

use ratatui::crossterm::event::{self as ct, Event};

/// Something the app must react to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppEvent {
    /// A terminal event: key, paste, resize…
    Input(Event),
    /// SIGTERM or SIGHUP (Unix): leave cleanly.
    Signal(i32),
    /// Reading the terminal failed (e.g. it went away): leave cleanly.
    InputClosed(String),
    /// A background job reports (placeholder until export/import jobs exist).
    Job(JobEvent),
    /// The database changed underneath us (another process, an import): screens reload.
    DataChanged,
}

/// What a background job can say. Placeholder: the export/import jobs will grow this.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobEvent {
    Finished {
        message: String,
    },
    Failed {
        message: String,
    },
    /// The search index, built on a job thread with its own connection (or the error text).
    SearchIndex(Result<IndexReady, String>),
    /// The export job's progress, in per-mille.
    ExportProgress {
        done: u64,
        total: u64,
    },
    /// The report job's progress: parts done of all.
    ReportProgress {
        done: usize,
        total: usize,
    },
    /// The report job ended: the report, or the error in words.
    ReportDone(Box<Result<crate::store::report::Report, String>>),
    /// The report's workbook is written (or not): what to tell the user, and whether it
    /// failed.
    ReportWritten {
        message: String,
        error: bool,
    },
    /// The export job ended: what to tell the user, and whether it failed.
    ExportDone {
        message: String,
        error: bool,
    },
}

/// A finished search index, shared read-only with the screens.
#[derive(Clone)]
pub struct IndexReady {
    pub index: Arc<SearchIndex>,
    /// `Store::last_change_seq()` when the build was asked for: a later write makes it stale.
    pub generation: i64,
}

impl PartialEq for IndexReady {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.index, &other.index) && self.generation == other.generation
    }
}

impl Eq for IndexReady {}

impl std::fmt::Debug for IndexReady {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IndexReady")
            .field("docs", &self.index.len())
            .field("generation", &self.generation)
            .finish()
    }
}

pub type EventSender = Sender<AppEvent>;
pub type EventReceiver = Receiver<AppEvent>;

pub fn channel() -> (EventSender, EventReceiver) {
    mpsc::channel()
}

/// Start the thread that blocks on terminal input and forwards every event, none dropped.
pub fn spawn_input_thread(tx: EventSender) -> std::io::Result<thread::JoinHandle<()>> {
    thread::Builder::new()
        .name("ctv-input".into())
        .spawn(move || loop {
            match ct::read() {
                Ok(ev) => {
                    if tx.send(AppEvent::Input(ev)).is_err() {
                        return; // the app has gone
                    }
                }
                Err(e) => {
                    let _ = tx.send(AppEvent::InputClosed(e.to_string()));
                    return;
                }
            }
        })
}

/// Turn SIGTERM and SIGHUP into [`AppEvent::Signal`] so the loop restores the terminal and
/// leaves. A second SIGTERM while the first is still being handled ends the process at once,
/// so a stuck app can always be stopped.
#[cfg(unix)]
pub fn spawn_signal_thread(tx: EventSender) -> std::io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGTERM};
    use signal_hook::flag;
    use std::sync::atomic::AtomicBool;
    use std::sync::Arc;

    let term_now = Arc::new(AtomicBool::new(false));
    for sig in [SIGTERM, SIGHUP] {
        // Order matters: the conditional shutdown must see the flag from the previous signal.
        flag::register_conditional_shutdown(sig, 1, Arc::clone(&term_now))?;
        flag::register(sig, Arc::clone(&term_now))?;
    }
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP])?;
    thread::Builder::new()
        .name("ctv-signals".into())
        .spawn(move || {
            if let Some(sig) = signals.forever().next() {
                let _ = tx.send(AppEvent::Signal(sig));
            }
        })?;
    Ok(())
}

#[cfg(not(unix))]
pub fn spawn_signal_thread(_tx: EventSender) -> std::io::Result<()> {
    Ok(())
}
