//! The snapshots screen (F6): the list with dates and counts, `b` backs up, Enter restores
//! through `ui::restore_and_reopen`. The store is a file in a temporary folder (snapshots
//! live beside it), with a fixed clock (25/11/2026 in Việt Nam).

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use ctv::clock::FixedClock;
use ctv::domain::consultation::ConsultationInput;
use ctv::domain::{FacilityInput, ProfileInput};
use ctv::store::{list_snapshots, SnapshotReason, Store};
use ctv::ui::keymap::Keymap;
use ctv::ui::screens::SnapshotsScreen;
use ctv::ui::theme::Theme;
use ctv::ui::{App, AppContext, Effect, OverlayKind};
use ctv::words::Lang;
use ratatui::crossterm::event::KeyCode;

mod common;
use common::ui::{ch, key, press};

const TAN_PHU: &str = "25549";

/// A UTC instant given as Vietnam local time (UTC+7).
fn vn(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap() - Duration::hours(7)
}

struct Fx {
    dir: tempfile::TempDir,
    clock: FixedClock,
    store: Store,
}

impl Fx {
    fn db(&self) -> std::path::PathBuf {
        self.dir.path().join("ctv.db")
    }
}

fn add_facility(store: &mut Store, name: &str) -> String {
    store
        .create_facility(&FacilityInput {
            name: name.into(),
            commune_code: TAN_PHU.into(),
            ..Default::default()
        })
        .unwrap()
        .0
        .id
}

/// Two facilities, one consultation, and a daily snapshot of them at 08:30.
fn fixture() -> Fx {
    let dir = tempfile::tempdir().unwrap();
    let clock = FixedClock::new(vn(2026, 11, 25, 8, 30));
    let mut store =
        Store::open_with_clock(&dir.path().join("ctv.db"), Arc::new(clock.clone())).unwrap();
    store
        .init_profile(
            &ProfileInput {
                name: "Nguyễn Thị Hoa".into(),
                role: "commune".into(),
                units: TAN_PHU.into(),
                account: None,
            },
            false,
        )
        .unwrap();
    let id = add_facility(&mut store, "HTX mây tre đan Phú Vinh");
    add_facility(&mut store, "Bánh tráng Bà Tư");
    store
        .add_consultation(&ConsultationInput {
            facility_id: id,
            date: "24/11/2026".into(),
            mode: "TRUC_TIEP".into(),
            topics: "KC04".into(),
            ..Default::default()
        })
        .unwrap();
    store.snapshot(SnapshotReason::Daily).unwrap().unwrap();
    clock.set(vn(2026, 11, 25, 10, 15));
    Fx { dir, clock, store }
}

fn ctx(lang: Lang) -> AppContext {
    AppContext {
        lang,
        theme: Theme::mono(),
        keymap: Keymap::default(),
        who: "Nguyễn Thị Hoa · cộng tác viên cấp xã · Xã Tân Phú".to_string(),
        db_label: "/home/hoa/.local/share/ctv/ctv.db".to_string(),
    }
}

fn screen_text(a: &App) -> String {
    // The temporary folder differs from run to run (and may be cut to fit): mask its line.
    common::ui::screen_text(a)
        .lines()
        .map(|l| {
            if l.contains("Thư mục bản sao lưu:") || l.contains("Snapshot folder:") {
                "(snapshot folder line masked)".to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn snapshots(a: &App) -> &SnapshotsScreen {
    let other = a.top_screen();
    match other.downcast_ref::<SnapshotsScreen>() {
        Some(s) => s,
        None => panic!("expected the snapshots screen, found {other:?}"),
    }
}

fn on_snapshots(lang: Lang) -> (App, Fx) {
    let mut fx = fixture();
    let store = std::mem::replace(
        &mut fx.store,
        Store::open_in_memory(Arc::new(fx.clock.clone())).unwrap(),
    );
    let mut a = App::new(ctx(lang), store);
    press(&mut a, &[key(KeyCode::F(6))]);
    (a, fx)
}

#[test]
fn f6_lists_the_snapshots_with_date_reason_and_counts() {
    let (a, _fx) = on_snapshots(Lang::Vi);
    assert_eq!(a.screen_depth(), 2);
    assert_eq!(snapshots(&a).len(), 1);
    let text = screen_text(&a);
    assert!(text.contains("25/11/2026 08:30"), "{text}");
    assert!(text.contains("hằng ngày"), "{text}");
    assert!(text.contains("MB"), "{text}");
    insta::assert_snapshot!("snapshots_vi_80x24", text);
}

#[test]
fn the_screen_in_english() {
    let (a, _fx) = on_snapshots(Lang::En);
    insta::assert_snapshot!("snapshots_en_80x24", screen_text(&a));
}

#[test]
fn the_palette_offers_backup_and_restore() {
    let fx = fixture();
    let mut a = App::new(ctx(Lang::Vi), fx.store);
    press(&mut a, &[ch(':')]);
    for c in "sao luu".chars() {
        a.handle_key(ch(c));
    }
    let labels: Vec<String> = a
        .picker()
        .unwrap()
        .matches()
        .map(|i| i.label.clone())
        .collect();
    assert!(
        labels.iter().any(|l| l == "Sao lưu / khôi phục"),
        "{labels:?}"
    );
    press(&mut a, &[key(KeyCode::Enter)]);
    assert!(a.top_screen().is::<SnapshotsScreen>());
}

#[test]
fn b_asks_then_takes_a_manual_snapshot() {
    let (mut a, fx) = on_snapshots(Lang::Vi);
    press(&mut a, &[ch('b')]);
    assert_eq!(a.overlay(), Some(OverlayKind::Confirm));
    // No leaves things as they were.
    press(&mut a, &[ch('n')]);
    assert_eq!(list_snapshots(&fx.db()).unwrap().len(), 1);
    press(&mut a, &[ch('b'), ch('c')]);
    assert_eq!(a.overlay(), None);
    let list = list_snapshots(&fx.db()).unwrap();
    assert_eq!(list.len(), 2, "{list:?}");
    let manual = &list[0];
    assert_eq!(manual.reason, SnapshotReason::Manual);
    assert_eq!((manual.facilities, manual.consultations), (2, 1));
    // The file is named by the clock's time.
    assert!(
        manual.file_name().contains("2026-11-25_10-15-00"),
        "{}",
        manual.file_name()
    );
    assert_eq!(snapshots(&a).len(), 2);
    assert_eq!(snapshots(&a).selected_path(), Some(manual.path.as_path()));
    let toast = a.toast().unwrap_or_default();
    assert!(toast.contains(&manual.file_name()), "{toast}");
}

#[test]
fn enter_asks_then_hands_the_restore_to_the_loop() {
    let (mut a, _fx) = on_snapshots(Lang::Vi);
    let chosen = snapshots(&a).selected_path().unwrap().to_path_buf();
    assert!(press(&mut a, &[key(KeyCode::Enter)]).is_empty());
    assert_eq!(a.overlay(), Some(OverlayKind::Confirm));
    let text = screen_text(&a);
    assert!(text.contains("25/11/2026 08:30"), "{text}");
    insta::assert_snapshot!("snapshots_restore_confirm_vi_80x24", text);
    let effects = press(&mut a, &[ch('c')]);
    assert_eq!(effects, vec![Effect::Restore(chosen)]);
}

#[test]
fn restore_and_reopen_brings_back_the_snapshot_and_keeps_the_current_data() {
    let (mut a, fx) = on_snapshots(Lang::Vi);
    let from = snapshots(&a).selected_path().unwrap().to_path_buf();
    // A facility added after the snapshot …
    add_facility(a.store_mut(), "Xưởng mộc Ánh Dương");
    assert_eq!(a.store().count_all_facilities().unwrap(), 3);
    let a = ctv::ui::restore_and_reopen(a, &from).unwrap();
    // … is gone after the restore, and the app is back on its first screen.
    assert_eq!(a.store().count_all_facilities().unwrap(), 2);
    assert_eq!(a.screen_depth(), 1);
    let toast = a.toast().unwrap_or_default().to_string();
    assert!(toast.starts_with("Đã khôi phục từ bản sao"), "{toast}");
    // The data as it was before the restore is kept as a snapshot, with the third facility.
    let kept: Vec<_> = list_snapshots(&fx.db())
        .unwrap()
        .into_iter()
        .filter(|s| s.reason == SnapshotReason::BeforeRestore)
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(kept[0].facilities, 3);
    assert!(toast.contains(&kept[0].file_name()), "{toast}");
}

#[test]
fn a_failed_restore_reopens_the_database_unchanged() {
    let (a, fx) = on_snapshots(Lang::Vi);
    let bogus = fx.dir.path().join("not-a-backup.db");
    std::fs::write(&bogus, b"hello").unwrap();
    let a = ctv::ui::restore_and_reopen(a, &bogus).unwrap();
    assert_eq!(a.store().count_all_facilities().unwrap(), 2);
    let toast = a.toast().unwrap_or_default().to_string();
    assert!(toast.starts_with("Không khôi phục được"), "{toast}");
}
