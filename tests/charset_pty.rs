//! The UTF-8 check at start-up (ui::charset), against fake terminals in a pseudo-terminal: one
//! that answers the cursor query as a Latin-1 PuTTY would, one that answers as a UTF-8
//! terminal, one that never answers. The session looks like SSH (SSH_CONNECTION), which is
//! when the app asks.
#![cfg(unix)]

mod common;

use std::time::{Duration, Instant};

use common::pty::Pty;
use common::{commune_db, ctv_bin};

const QUERY: &[u8] = b"\x1b[6n";

fn spawn_over_ssh(dir: &std::path::Path, db: &std::path::Path, lang: &str) -> Pty {
    let home = dir.to_str().unwrap();
    Pty::spawn(
        &ctv_bin(),
        &["--db", db.to_str().unwrap(), "--lang", lang],
        &[
            ("HOME", home),
            ("XDG_CONFIG_HOME", home),
            ("XDG_DATA_HOME", home),
            ("SSH_CONNECTION", "192.0.2.7 50122 192.0.2.1 22"),
            ("LANG", "C.UTF-8"),
        ],
        24,
        80,
    )
}

fn count(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len()).filter(|w| *w == needle).count()
}

/// Waits until the app has sent its `n`th cursor query.
fn wait_for_query(p: &Pty, n: usize) {
    let start = Instant::now();
    while count(&p.raw(), QUERY) < n {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "no cursor query; screen:\n{}",
            p.screen()
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn a_latin1_putty_is_told_how_to_switch_and_enter_checks_again() {
    let (dir, db) = commune_db();
    let mut p = spawn_over_ssh(dir.path(), &db, "vi");
    wait_for_query(&p, 1);
    // "éé" is 4 bytes: a Latin-1 terminal drew 4 cells from column 1.
    p.send(b"\x1b[1;5R");
    p.wait_for("Remote character set: chon UTF-8");
    let screen = p.screen();
    assert!(screen.contains("PuTTY"), "{screen}");
    assert!(screen.contains("chcp 65001"), "{screen}");
    assert!(screen.contains("Nhan q de thoat"), "{screen}");
    assert!(
        !screen.contains("cơ sở"),
        "the app did not start:\n{screen}"
    );
    let raw = p.raw();
    let after_probe = raw.windows(QUERY.len()).position(|w| w == QUERY).unwrap();
    assert!(
        raw[after_probe..].is_ascii(),
        "after the probe, nothing but ASCII went to the terminal"
    );

    // The user switches PuTTY to UTF-8 (Change Settings) and presses Enter: asked again,
    // this time answered as UTF-8, the app starts.
    p.send_str("\r");
    wait_for_query(&p, 2);
    p.send(b"\x1b[1;3R");
    p.wait_for("0 / 0 cơ sở");
    p.send_str("q");
    assert_eq!(p.wait_exit(), 0);
}

#[test]
fn q_leaves_without_starting_and_the_message_is_in_english_too() {
    let (dir, db) = commune_db();
    let mut p = spawn_over_ssh(dir.path(), &db, "en");
    wait_for_query(&p, 1);
    p.send(b"\x1b[1;5R");
    p.wait_for("Window > Translation > Remote character set: UTF-8");
    p.send_str("q");
    assert_eq!(p.wait_exit(), 1);
    assert_eq!(
        count(&p.raw(), b"\x1b[?1049h"),
        1,
        "only the probe's screen"
    );
    assert!(
        p.screen().contains("so CTV has not started"),
        "{}",
        p.screen()
    );
}

#[test]
fn a_utf8_answer_starts_the_app() {
    let (dir, db) = commune_db();
    let mut p = spawn_over_ssh(dir.path(), &db, "vi");
    wait_for_query(&p, 1);
    p.send(b"\x1b[1;3R");
    p.wait_for("0 / 0 cơ sở");
    assert!(!p.screen().contains("PuTTY"));
    p.send_str("q");
    assert_eq!(p.wait_exit(), 0);
}

#[test]
fn a_terminal_that_never_answers_gets_the_app_all_the_same() {
    let (dir, db) = commune_db();
    let mut p = spawn_over_ssh(dir.path(), &db, "vi");
    wait_for_query(&p, 1);
    // No answer: the app gives up waiting and starts as usual, asking nothing more.
    p.wait_for("0 / 0 cơ sở");
    assert!(!p.screen().contains("PuTTY"));
    assert_eq!(count(&p.raw(), QUERY), 1);
    p.send_str("q");
    assert_eq!(p.wait_exit(), 0);
}
