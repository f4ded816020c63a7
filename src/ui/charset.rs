//! Does the terminal decode UTF-8? Asked once, before the first frame, over SSH.
//!
//! PuTTY's default "Remote character set" on many Windows PCs is a single-byte code page, and
//! the server's locale says nothing about it (PuTTY sends none; the server's default says
//! UTF-8 whatever PuTTY does). Vietnamese would then be drawn as mojibake, and what the user
//! types could not be Vietnamese at all. So the app asks the terminal itself: on a blank
//! (alternate) screen it prints [`PROBE`] at the top-left corner and asks where the cursor is
//! (`ESC[6n`). A UTF-8 terminal has moved one cell per character; a single-byte one has
//! moved one cell per byte. A terminal that does not answer in [`WAIT`] (tmux, some old
//! clients, a very slow link) is assumed to be fine: the app never depends on an answer.
//!
//! When the answer says "not UTF-8", the app does not start: it prints, in plain ASCII (the
//! one thing such a terminal shows correctly; Vietnamese without its marks), how to switch
//! PuTTY (or the old Windows console) to UTF-8, and waits. PuTTY changes the setting in a
//! running session, so Enter checks again and goes on into the app once it is right; q
//! leaves. Carrying on in an "ASCII-safe" mode instead would show names without their marks
//! and, worse, store what a single-byte terminal sends for typed Vietnamese: wrong data.
//!
//! Only over SSH (or when the locale names another character set) is the question asked: a
//! local terminal is UTF-8 in practice, and then no start pays for the wait. On Windows the
//! console gets Unicode from Rust's standard output whatever its code page, so there is
//! nothing to ask.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use crate::words::{tr, Lang};

/// Printed at the top-left corner before the cursor query: two characters, four bytes in
/// UTF-8, each byte printable in Latin-1, Windows-1252 and Windows-1258 alike.
pub const PROBE: &str = "éé";

/// How long to wait for the terminal's answer. A reply crosses the link twice: this covers a
/// slow mobile link in a commune, and costs a terminal that never answers this much once.
pub const WAIT: std::time::Duration = std::time::Duration::from_millis(300);

/// What the cursor's answer says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Utf8,
    NotUtf8,
    /// No answer (in time): assumed fine.
    NoAnswer,
}

/// Judges the 1-based column the cursor reached after [`PROBE`] was printed from column 1.
pub fn judge(column: Option<u16>) -> Verdict {
    let chars = PROBE.chars().count() as u16;
    match column {
        None => Verdict::NoAnswer,
        // More cells than characters: each byte was drawn as a character of its own.
        Some(c) if c > 1 + chars => Verdict::NotUtf8,
        Some(_) => Verdict::Utf8,
    }
}

/// The column of the last complete cursor-position report (`ESC [ row ; col R`) in `bytes`,
/// ignoring anything around it (a key typed meanwhile).
pub fn cursor_column(bytes: &[u8]) -> Option<u16> {
    let mut found = None;
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == 0x1b && bytes[i + 1] == b'[' {
            if let Some((col, len)) = parse_report(&bytes[i + 2..]) {
                found = Some(col);
                i += 2 + len;
                continue;
            }
        }
        i += 1;
    }
    found
}

/// `row ; col R` at the start of `b`: the column and the length consumed.
fn parse_report(b: &[u8]) -> Option<(u16, usize)> {
    let digits = |from: usize| b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let row = digits(0);
    if row == 0 || b.get(row) != Some(&b';') {
        return None;
    }
    let col_len = digits(row + 1);
    let end = row + 1 + col_len;
    if col_len == 0 || b.get(end) != Some(&b'R') {
        return None;
    }
    let col = std::str::from_utf8(&b[row + 1..end]).ok()?.parse().ok()?;
    Some((col, end + 1))
}

/// Text a single-byte terminal shows as written: Vietnamese without its marks (as people
/// write it when accents are not available), `đ` as `d`, anything else non-ASCII as `?`, and
/// each line ending in CR LF (the terminal is in raw mode).
pub fn ascii_only(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.nfd() {
        match c {
            '\n' => out.push_str("\r\n"),
            'đ' => out.push('d'),
            'Đ' => out.push('D'),
            c if c.is_ascii() => out.push(c),
            c if is_combining_mark(c) => {}
            _ => out.push('?'),
        }
    }
    out
}

/// The message shown instead of the app, in `lang`, ready to print to such a terminal.
pub fn message(lang: Lang) -> String {
    ascii_only(&format!(
        "{}\n\n{}\n",
        tr(lang, "ui.charset.not_utf8"),
        tr(lang, "ui.charset.prompt")
    ))
}

/// Whether the question is worth asking: both ends are a terminal, and the session comes
/// over SSH or the locale names another character set. (The variables only decide whether
/// to ask; nothing else is taken from them.)
pub fn worth_asking() -> bool {
    use std::io::IsTerminal;
    if !cfg!(unix) || !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        return false;
    }
    let set = |k: &str| std::env::var_os(k).is_some_and(|v| !v.is_empty());
    set("SSH_CONNECTION") || set("SSH_CLIENT") || set("SSH_TTY") || locale_is_not_utf8()
}

/// The locale in force (LC_ALL, else LC_CTYPE, else LANG) names a character set other than
/// UTF-8.
fn locale_is_not_utf8() -> bool {
    ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        .is_some_and(|v| names_other_charset(&v))
}

/// `vi_VN.TCVN`, `en_US.ISO-8859-1@euro`: yes. `vi_VN.UTF-8`, `C.utf8`: no. "C", "POSIX" and
/// a locale without a character set name none: no (the probe decides alone there).
fn names_other_charset(locale: &str) -> bool {
    match locale.split_once('.') {
        Some((_, cs)) => {
            let cs = cs
                .split('@')
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase();
            cs != "utf-8" && cs != "utf8"
        }
        None => false,
    }
}

/// Before the app starts: asks the terminal (see the module comment) and, while it says
/// "not UTF-8", shows how to fix it and waits for Enter (check again) or q (leave).
/// Ok(true): start the app. Ok(false): the user chose to leave.
pub fn ensure_utf8(lang: Lang) -> std::io::Result<bool> {
    if !worth_asking() {
        return Ok(true);
    }
    imp::ensure_utf8(lang)
}

#[cfg(unix)]
mod imp {
    use std::io::{self, Write};
    use std::time::Instant;

    use ratatui::crossterm::terminal::{disable_raw_mode, enable_raw_mode};

    use super::{cursor_column, judge, message, Lang, Verdict, PROBE, WAIT};

    /// Raw mode while alive: the answer and the keys arrive unbuffered and unechoed.
    struct Raw;

    impl Raw {
        fn enter() -> io::Result<Raw> {
            enable_raw_mode()?;
            Ok(Raw)
        }
    }

    impl Drop for Raw {
        fn drop(&mut self) {
            let _ = disable_raw_mode();
        }
    }

    pub fn ensure_utf8(lang: Lang) -> io::Result<bool> {
        let _raw = Raw::enter()?;
        let mut out = io::stdout();
        loop {
            if judge(probe(&mut out)?) != Verdict::NotUtf8 {
                return Ok(true);
            }
            out.write_all(message(lang).as_bytes())?;
            out.flush()?;
            // Enter: check again (the user has changed the setting); q, Esc or Ctrl+C: leave.
            loop {
                match read_byte()? {
                    None | Some(b'q' | b'Q' | 0x1b | 0x03 | 0x04) => return Ok(false),
                    Some(b'\r' | b'\n') => break,
                    Some(_) => {}
                }
            }
        }
    }

    /// Prints the probe on a blank alternate screen, asks for the cursor and returns the
    /// column of the answer, if one came within [`WAIT`]. The normal screen is left as it was.
    fn probe(out: &mut impl Write) -> io::Result<Option<u16>> {
        let _alt = AltScreen;
        out.write_all(format!("\x1b[?1049h\x1b[H{PROBE}\x1b[6n").as_bytes())?;
        out.flush()?;
        let deadline = Instant::now() + WAIT;
        let mut got = Vec::new();
        let column = loop {
            if let Some(c) = cursor_column(&got) {
                break Some(c);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || !readable(left)? {
                break None;
            }
            let mut buf = [0u8; 64];
            match read_some(&mut buf)? {
                0 => break None,
                n => got.extend_from_slice(&buf[..n]),
            }
        };
        Ok(column)
    }

    /// Leaves the probe's alternate screen (blanked first) on every way out of [`probe`].
    struct AltScreen;

    impl Drop for AltScreen {
        fn drop(&mut self) {
            let mut out = io::stdout();
            let _ = out.write_all(b"\x1b[2J\x1b[?1049l");
            let _ = out.flush();
        }
    }

    /// Whether standard input has bytes within `wait`.
    fn readable(wait: std::time::Duration) -> io::Result<bool> {
        let ms = wait.as_millis().clamp(1, 60_000) as libc::c_int;
        loop {
            let mut fd = libc::pollfd {
                fd: libc::STDIN_FILENO,
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one pollfd owned here, count 1.
            let r = unsafe { libc::poll(&mut fd, 1, ms) };
            if r >= 0 {
                return Ok(r > 0);
            }
            let e = io::Error::last_os_error();
            if e.kind() != io::ErrorKind::Interrupted {
                return Err(e);
            }
        }
    }

    /// One read(2) from standard input, straight from the descriptor: nothing is left in a
    /// buffer that the app's input thread would not see.
    fn read_some(buf: &mut [u8]) -> io::Result<usize> {
        loop {
            // SAFETY: reads at most buf.len() bytes into buf.
            let n = unsafe { libc::read(libc::STDIN_FILENO, buf.as_mut_ptr().cast(), buf.len()) };
            if n >= 0 {
                return Ok(n as usize);
            }
            let e = io::Error::last_os_error();
            if e.kind() != io::ErrorKind::Interrupted {
                return Err(e);
            }
        }
    }

    /// One key's first byte (blocking); None at end of input.
    fn read_byte() -> io::Result<Option<u8>> {
        let mut b = [0u8; 16];
        match read_some(&mut b)? {
            0 => Ok(None),
            _ => Ok(Some(b[0])),
        }
    }
}

#[cfg(not(unix))]
mod imp {
    /// Never reached: [`super::worth_asking`] is false off Unix.
    pub fn ensure_utf8(_lang: super::Lang) -> std::io::Result<bool> {
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cursor_report_is_found_among_other_bytes() {
        assert_eq!(cursor_column(b"\x1b[1;3R"), Some(3));
        assert_eq!(cursor_column(b"x\x1b[12;40Ry"), Some(40));
        assert_eq!(cursor_column(b"\x1b[A\x1b[1;5R"), Some(5));
        assert_eq!(cursor_column(b"\x1b[1;5"), None, "incomplete");
        assert_eq!(cursor_column(b"\x1b[;5R"), None);
        assert_eq!(cursor_column(b"\x1b[1;R"), None);
        assert_eq!(cursor_column(b""), None);
    }

    #[test]
    fn one_cell_per_byte_is_not_utf8() {
        // "éé" from column 1: UTF-8 ends at 3, a single-byte charset at 5 (4 bytes).
        assert_eq!(judge(Some(3)), Verdict::Utf8);
        assert_eq!(judge(Some(5)), Verdict::NotUtf8);
        assert_eq!(judge(Some(4)), Verdict::NotUtf8);
        assert_eq!(judge(None), Verdict::NoAnswer);
        assert_eq!(PROBE.len(), 4);
    }

    #[test]
    fn a_locale_naming_another_charset_is_told_apart() {
        assert!(names_other_charset("vi_VN.TCVN"));
        assert!(names_other_charset("en_US.ISO-8859-1@euro"));
        assert!(!names_other_charset("vi_VN.UTF-8"));
        assert!(!names_other_charset("C.utf8"));
        assert!(!names_other_charset("de_DE.UTF-8@euro"));
        assert!(!names_other_charset("C"));
        assert!(!names_other_charset("POSIX"));
    }

    #[test]
    fn the_message_is_plain_ascii_in_both_languages() {
        for lang in [Lang::Vi, Lang::En] {
            let m = message(lang);
            assert!(m.is_ascii(), "{m}");
            assert!(m.contains("PuTTY") && m.contains("UTF-8"), "{m}");
            assert!(m.contains("chcp 65001"), "{m}");
            assert!(!m.contains('?'), "nothing became '?': {m}");
            assert!(!m.replace("\r\n", "").contains('\n'), "raw-mode line ends");
        }
        assert_eq!(ascii_only("Đổi sang UTF-8 được"), "Doi sang UTF-8 duoc");
        assert_eq!(ascii_only("a→b"), "a?b");
    }
}
