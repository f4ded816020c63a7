//! A walk through every screen at 60×18, 80×24 and 200×50 on `ctv demo` data, as a commune
//! collaborator and as the province (issue 16): at every size the screen's frame is whole,
//! the footer keeps its way out (F1, and q or Esc), and the walk is kept as snapshots.

use std::path::Path;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use ctv::clock::FixedClock;
use ctv::store::Store;
use ctv::ui::keymap::Keymap;
use ctv::ui::theme::Theme;
use ctv::ui::{App, AppContext};
use ctv::words::Lang;
use ratatui::crossterm::event::{KeyCode, KeyEvent};

mod common;
use common::ui::{ch, key, press, screen_text_sized, type_str};

const NOW: &str = "2026-11-25T03:00:00Z";
const SIZES: [(u16, u16); 3] = [(60, 18), (80, 24), (200, 50)];

/// A demo database of `role` (60 facilities), made by the CLI on a fixed day.
fn demo(dir: &Path, role: &str) -> Store {
    let db = dir.join(format!("{role}.db"));
    let out = std::process::Command::new(common::ctv_bin())
        .args(["demo", "--role", role, "--facilities", "60"])
        .env("CTV_DB", &db)
        .env("CTV_NOW", NOW)
        .env("CTV_KEYS_DIR", dir.join("keys"))
        .env_remove("CTV_LANG")
        .env("HOME", dir)
        .output()
        .expect("run ctv demo");
    assert!(out.status.success(), "{out:?}");
    let clock = FixedClock::new(Utc.with_ymd_and_hms(2026, 11, 25, 3, 0, 0).unwrap());
    Store::open_with_clock(&db, Arc::new(clock)).expect("open the demo")
}

fn app(store: Store, who: &str) -> App {
    App::new(
        AppContext {
            lang: Lang::Vi,
            theme: Theme::mono(),
            keymap: Keymap::default(),
            who: who.to_string(),
            db_label: "/home/demo/.local/share/ctv/ctv.db".to_string(),
        },
        store,
    )
}

/// The screens of the walk: (name, keys from the list).
fn screens() -> Vec<(&'static str, Vec<KeyEvent>)> {
    vec![
        ("list", vec![]),
        ("search", vec![ch('/')]),
        ("detail", vec![key(KeyCode::Down), key(KeyCode::Enter)]),
        ("form", vec![ch('n')]),
        ("agenda", vec![key(KeyCode::F(3))]),
        ("needs", vec![key(KeyCode::F(4))]),
        ("proposals", vec![key(KeyCode::F(5))]),
        ("page", vec![key(KeyCode::F(5)), key(KeyCode::Enter)]),
        ("bundles", vec![key(KeyCode::F(7))]),
    ]
}

/// What matters at every size: the frame is whole (its corners on the first and last body
/// rows) and the footer keeps F1 and a way out.
fn check(name: &str, text: &str) {
    let lines: Vec<&str> = text.lines().map(|l| l.trim_matches('"')).collect();
    let n = lines.len();
    assert!(
        lines[1].starts_with('┌') && lines[1].ends_with('┐'),
        "{name}\n{text}"
    );
    assert!(
        lines[n - 2].starts_with('└') && lines[n - 2].ends_with('┘'),
        "{name}\n{text}"
    );
    let footer = lines[n - 1];
    assert!(footer.contains("F1 Trợ giúp"), "{name}: {footer}");
    assert!(
        footer.contains("q Thoát") || footer.contains("Esc "),
        "{name}: {footer}"
    );
}

fn walk(role: &str, who: &str, snapshots: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(demo(dir.path(), role), who);
    for (name, keys) in screens() {
        press(&mut a, &keys);
        if name == "search" {
            type_str(&mut a, "gom");
        }
        for (w, h) in SIZES {
            // Drawn twice: a screen that measures itself when drawn shows its settled state.
            screen_text_sized(&a, w, h);
            let text = screen_text_sized(&a, w, h);
            check(&format!("{role} {name} {w}x{h}"), &text);
            if snapshots.contains(&name) {
                // The record's id is made anew by every demo.
                let text: Vec<&str> = text
                    .lines()
                    .map(|l| {
                        if l.contains("Mã bản ghi") {
                            "(record id masked)"
                        } else {
                            l
                        }
                    })
                    .collect();
                insta::assert_snapshot!(format!("walk_{role}_{name}_{w}x{h}"), text.join("\n"));
            }
        }
        // Back to the list (out of the search too), its messages gone.
        while !a.top_screen().is::<ctv::ui::screens::ListScreen>() {
            press(&mut a, &[key(KeyCode::Esc)]);
            if a.overlay().is_some() {
                press(&mut a, &[ch('c')]);
            }
        }
        if name == "search" {
            press(&mut a, &[key(KeyCode::Esc)]);
        }
        a.tick(std::time::Instant::now() + std::time::Duration::from_secs(60));
    }
}

#[test]
fn the_commune_walk_at_three_sizes() {
    walk(
        "commune",
        "Cộng tác viên dùng thử · cộng tác viên cấp xã · Xã Bát Tràng",
        &[
            "list",
            "search",
            "detail",
            "form",
            "agenda",
            "needs",
            "proposals",
            "page",
            "bundles",
        ],
    );
}

#[test]
fn the_province_walk_at_three_sizes() {
    walk(
        "province",
        "Người dùng thử · Trung tâm Khuyến công tỉnh · Thành phố Hà Nội",
        &["list", "proposals", "page"],
    );
}
