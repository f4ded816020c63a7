//! Terminal setup and teardown.
//!
//! [`init`] enters raw mode and the alternate screen and turns bracketed paste on (mouse
//! capture stays off so PuTTY's select-to-copy keeps working). [`restore`] undoes it and is
//! safe to call any number of times; [`TerminalGuard`] calls it on drop and the panic hook
//! calls it *before* the panic message is printed, so the message lands on a sane screen.

use std::io::{self, Stdout, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Once;

use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::cursor::Show;
use ratatui::crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EndSynchronizedUpdate, EnterAlternateScreen,
    LeaveAlternateScreen,
};
use ratatui::Terminal;

/// Whether the terminal is currently in our mode (so restore runs once).
static ACTIVE: AtomicBool = AtomicBool::new(false);
static PANIC_HOOK: Once = Once::new();

/// Crossterm, behind the wrapper that scrolls lists with the terminal's own scroll.
pub type Backend = crate::ui::scroll_backend::ScrollBackend<CrosstermBackend<TermWriter>>;
pub type Term = Terminal<Backend>;

/// Buffered stdout that throws its buffer away when dropped during a panic: a half-built frame
/// must not be flushed onto the normal screen after [`restore`] has run.
///
/// Each flush is one frame. A large one is wrapped in synchronized-output codes so the terminal
/// shows it whole; a small one (a cursor move, a typed letter) goes out in one write that
/// arrives in one piece anyway, without the 16 bytes of codes.
pub struct TermWriter {
    inner: Option<Stdout>,
    frame: Vec<u8>,
}

/// Frames at least this large are wrapped in synchronized-output codes.
const SYNC_FROM: usize = 512;

impl TermWriter {
    pub fn new() -> TermWriter {
        TermWriter {
            inner: Some(io::stdout()),
            frame: Vec::with_capacity(64 * 1024),
        }
    }
}

impl Default for TermWriter {
    fn default() -> Self {
        TermWriter::new()
    }
}

impl Write for TermWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.inner.is_some() {
            self.frame.extend_from_slice(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        let Some(out) = self.inner.as_mut() else {
            return Ok(());
        };
        if !self.frame.is_empty() {
            let mut lock = out.lock();
            let sync = self.frame.len() >= SYNC_FROM;
            if sync {
                lock.write_all(b"\x1b[?2026h")?;
            }
            lock.write_all(&self.frame)?;
            if sync {
                lock.write_all(b"\x1b[?2026l")?;
            }
            self.frame.clear();
            lock.flush()?;
        }
        Ok(())
    }
}

impl Drop for TermWriter {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.frame.clear(); // discard, do not flush
        } else {
            let _ = self.flush();
        }
    }
}

/// Restores the terminal when dropped (normal return, `?` early return, or unwinding).
pub struct TerminalGuard {
    _private: (),
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        let _ = restore();
    }
}

/// Enter raw mode + alternate screen + bracketed paste, install the panic hook, and return the
/// ratatui terminal (writing through a `BufWriter`) with a guard that restores on drop.
pub fn init() -> io::Result<(Term, TerminalGuard)> {
    install_panic_hook();
    enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    let guard = TerminalGuard { _private: () };
    let mut out = io::stdout();
    execute!(out, EnterAlternateScreen)?;
    // Not every console knows bracketed paste (old Windows consoles); pasting still works without.
    let _ = execute!(out, EnableBracketedPaste);
    let mut terminal = Terminal::new(crate::ui::scroll_backend::ScrollBackend::new(
        CrosstermBackend::new(TermWriter::new()),
    ))?;
    // A known blank screen (and cursor) to start from, so that the backend's copy of it is
    // exact. Nothing here or later asks the terminal anything: some terminals never answer.
    ratatui::backend::Backend::clear(terminal.backend_mut())?;
    Ok((terminal, guard))
}

/// Leave our terminal mode. Idempotent: only the first call after [`init`] does anything.
pub fn restore() -> io::Result<()> {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return Ok(());
    }
    let mut out = io::stdout();
    // Every step is attempted even if one fails (the terminal may already be gone).
    let a = execute!(out, EndSynchronizedUpdate);
    let b = execute!(out, DisableBracketedPaste);
    let c = execute!(out, LeaveAlternateScreen, Show);
    let d = disable_raw_mode();
    let _ = out.flush();
    let _ = (a, b);
    c.and(d)
}

/// Chain a hook that restores the terminal before the default hook prints the panic.
pub fn install_panic_hook() {
    PANIC_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let _ = restore();
            previous(info);
        }));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restore_without_init_is_a_no_op() {
        assert!(restore().is_ok());
        assert!(restore().is_ok());
    }
}
