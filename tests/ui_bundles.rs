//! The bundles screen (F7) at the province: type a bundle's path, see the preview per
//! entity, import it behind a confirmation; resolve a conflict field by field; merge a
//! suspected duplicate. Bundles are real files written by a collaborator's export.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Duration, TimeZone, Utc};
use ctv::bundle::{export, ExportOptions};
use ctv::clock::FixedClock;
use ctv::domain::consultation::ConsultationInput;
use ctv::domain::{FacilityInput, ProfileInput};
use ctv::store::Store;
use ctv::ui::keymap::Keymap;
use ctv::ui::screens::bundles::Pane;
use ctv::ui::screens::BundlesScreen;
use ctv::ui::theme::Theme;
use ctv::ui::{App, AppContext, OverlayKind};
use ctv::words::Lang;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyCode;
use ratatui::Terminal;

mod common;
use common::ui::{ch, key, press, type_str};

fn vn(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap() - Duration::hours(7)
}

fn keys_dir() {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = tempfile::tempdir().unwrap();
        std::env::set_var("CTV_KEYS_DIR", d.path());
        d
    });
}

fn profile(s: &mut Store, name: &str, role: &str, units: &str) {
    s.init_profile(
        &ProfileInput {
            name: name.into(),
            role: role.into(),
            units: units.into(),
            account: None,
        },
        true,
    )
    .unwrap();
}

fn facility(s: &mut Store, name: &str, phone: &str) -> String {
    s.create_facility(&FacilityInput {
        name: name.into(),
        entity_type: "HTX".into(),
        commune_code: "00004".into(),
        phone: phone.into(),
        workers: "20".into(),
        ..Default::default()
    })
    .unwrap()
    .0
    .id
}

fn export_to(s: &mut Store, path: PathBuf) -> PathBuf {
    keys_dir();
    export(
        s,
        &ExportOptions {
            full: false,
            out: Some(path),
        },
        &|_, _| {},
    )
    .unwrap()
    .path
}

struct Fx {
    _dir: tempfile::TempDir,
    clock: FixedClock,
    sender: Store,
    b1: PathBuf,
    province: Store,
}

/// A commune collaborator's first bundle (two facilities, a consultation), and an empty
/// province database.
fn fixture() -> Fx {
    keys_dir();
    let dir = tempfile::tempdir().unwrap();
    let clock = FixedClock::new(vn(2026, 11, 25, 9));
    let mut sender =
        Store::open_with_clock(&dir.path().join("a.db"), Arc::new(clock.clone())).unwrap();
    profile(&mut sender, "Nguyễn Văn An", "commune", "00004");
    let f = facility(&mut sender, "HTX mây tre đan Phú Vinh", "0912345678");
    facility(&mut sender, "Cơ sở mộc Hùng Phát", "");
    sender
        .add_consultation(&ConsultationInput {
            facility_id: f,
            mode: "TRUC_TIEP".into(),
            topics: "KC03".into(),
            ..Default::default()
        })
        .unwrap();
    let b1 = export_to(&mut sender, dir.path().join("b1.ctvb"));
    let mut province =
        Store::open_with_clock(&dir.path().join("p.db"), Arc::new(clock.clone())).unwrap();
    profile(&mut province, "Trung tâm Khuyến công", "province", "01");
    Fx {
        _dir: dir,
        clock,
        sender,
        b1,
        province,
    }
}

fn ctx(lang: Lang) -> AppContext {
    AppContext {
        lang,
        theme: Theme::mono(),
        keymap: Keymap::default(),
        who: "Trung tâm Khuyến công · tỉnh · Thành phố Hà Nội".to_string(),
        db_label: "/home/tinh/ctv.db".to_string(),
    }
}

/// `6fd3-4146-53d2-0d77`: a key's fingerprint, wherever the sender line wraps it.
fn is_fingerprint(word: &str) -> bool {
    let groups: Vec<&str> = word.split('-').collect();
    groups.len() == 4
        && groups
            .iter()
            .all(|g| g.len() == 4 && g.chars().all(|c| c.is_ascii_hexdigit()))
}

/// The screen, with what differs from run to run masked: the temporary path, the key's
/// fingerprint and the time the bundle was made.
fn screen_text(a: &App, dir: &Path) -> String {
    let tmp = dir.display().to_string();
    common::ui::screen_text_sized(a, 100, 24)
        .lines()
        .map(|l| {
            if l.contains(&tmp[..tmp.len().min(12)]) {
                "(path masked)".to_string()
            } else if l.contains("Gói số")
                || l.contains("Bundle ")
                || l.contains("khóa")
                || l.contains("key ")
                || l.split_whitespace().any(is_fingerprint)
            {
                "(sender line masked)".to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn bundles(a: &App) -> &BundlesScreen {
    let other = a.top_screen();
    match other.downcast_ref::<BundlesScreen>() {
        Some(s) => s,
        None => panic!("expected the bundles screen, found {other:?}"),
    }
}

#[test]
fn f7_previews_a_bundle_then_imports_it_after_a_confirmation() {
    let fx = fixture();
    let dir = fx.b1.parent().unwrap().to_path_buf();
    let b1 = fx.b1.display().to_string();
    let mut a = App::new(ctx(Lang::Vi), fx.province);
    press(&mut a, &[key(KeyCode::F(7))]);
    assert_eq!(bundles(&a).pane(), Pane::Import);

    // A path that is not a bundle: said in the prompt, nothing else happens.
    type_str(&mut a, "/khong/co/tep.ctvb");
    press(&mut a, &[key(KeyCode::Enter)]);
    assert!(bundles(&a).preview().is_none());
    // The system's error in Vietnamese (issue 16: "No such file or directory" before).
    let text = screen_text(&a, &dir);
    assert!(text.contains("không có tệp hay thư"), "{text}");
    assert!(!text.contains("No such file"), "{text}");
    // Esc empties the typed path and keeps the screen (it closed it before).
    press(&mut a, &[key(KeyCode::Esc)]);
    assert!(a.top_screen().is::<BundlesScreen>(), "Esc kept F7 open");
    assert!(!screen_text(&a, &dir).contains("/khong/co/tep.ctvb"));
    type_str(&mut a, &b1);
    press(&mut a, &[key(KeyCode::Enter)]);
    let p = bundles(&a).preview().expect("a preview");
    assert_eq!(p.count("facility").new, 2);
    assert_eq!(p.count("consultation").new, 1);
    insta::assert_snapshot!("bundles_preview_vi_100x24", screen_text(&a, &dir));

    // Enter asks (naming the new key); no leaves the database as it was.
    press(&mut a, &[key(KeyCode::Enter)]);
    assert_eq!(a.overlay(), Some(OverlayKind::Confirm));
    press(&mut a, &[ch('n')]);
    assert_eq!(a.store().count_all_facilities().unwrap(), 0);
    press(&mut a, &[key(KeyCode::Enter), ch('c')]);
    assert_eq!(a.store().count_all_facilities().unwrap(), 2);
    assert!(
        bundles(&a).outcome().unwrap().contains("4 bản ghi"),
        "{:?}",
        bundles(&a).outcome()
    );
    assert_eq!(a.store().known_senders().unwrap().len(), 1);
}

#[test]
fn the_preview_in_english() {
    let fx = fixture();
    let dir = fx.b1.parent().unwrap().to_path_buf();
    let b1 = fx.b1.display().to_string();
    let mut a = App::new(ctx(Lang::En), fx.province);
    press(&mut a, &[key(KeyCode::F(7))]);
    type_str(&mut a, &b1);
    press(&mut a, &[key(KeyCode::Enter)]);
    insta::assert_snapshot!("bundles_preview_en_100x24", screen_text(&a, &dir));
}

#[test]
fn a_conflict_is_resolved_field_by_field_and_a_duplicate_merged() {
    let mut fx = fixture();
    let dir = fx.b1.parent().unwrap().to_path_buf();
    // Import bundle 1, then both sides change the cooperative.
    let c = ctv::bundle::receive::check(&fx.province, &fx.b1).unwrap();
    ctv::bundle::receive::import(&mut fx.province, &c, true).unwrap();
    let f = fx.sender.all_records().unwrap().facilities[0].id.clone();
    let live = fx.province.facility(&f).unwrap().unwrap();
    let mut d = live.data.clone();
    d.notes = "Tỉnh đã khảo sát".into();
    fx.clock.set(vn(2026, 11, 26, 9));
    fx.province
        .update_facility_data(&f, live.meta.version, &d)
        .unwrap();
    let mine = fx.sender.facility(&f).unwrap().unwrap();
    let mut d = mine.data.clone();
    d.workers = Some(45);
    fx.clock.set(vn(2026, 11, 27, 9));
    fx.sender
        .update_facility_data(&f, mine.meta.version, &d)
        .unwrap();
    // A second collaborator of the commune registered the same cooperative (same phone).
    let mut other = Store::open_with_clock(&dir.join("b.db"), Arc::new(fx.clock.clone())).unwrap();
    profile(&mut other, "Phạm Văn Cường", "commune", "00004");
    facility(&mut other, "Mây tre Phú Vinh (anh Tâm)", "0912345678");
    let b2 = export_to(&mut fx.sender, dir.join("b2.ctvb"));
    let bo = export_to(&mut other, dir.join("other.ctvb"));
    for b in [&b2, &bo] {
        let c = ctv::bundle::receive::check(&fx.province, b).unwrap();
        ctv::bundle::receive::import(&mut fx.province, &c, true).unwrap();
    }
    assert_eq!(fx.province.conflicts(true).unwrap().len(), 1);
    assert_eq!(fx.province.duplicate_pairs(true).unwrap().len(), 1);

    let mut a = App::new(ctx(Lang::Vi), fx.province);
    press(&mut a, &[key(KeyCode::F(7)), key(KeyCode::Tab)]);
    assert_eq!(bundles(&a).pane(), Pane::Conflicts);
    assert_eq!(bundles(&a).conflict_count(), 1);
    press(&mut a, &[key(KeyCode::Enter)]);
    assert!(bundles(&a).is_resolving());
    insta::assert_snapshot!("bundles_conflict_vi_100x24", screen_text(&a, &dir));
    // The live version is the sender's later edit (45 workers); take the province's notes.
    let notes_row = {
        let c = a.store().conflicts(true).unwrap().remove(0);
        let mut fields: Vec<String> = c.differing_fields();
        fields.sort();
        let theirs = a.store().conflict_other(&c).unwrap();
        let live = a.store().conflict_live(&c).unwrap().unwrap();
        let o = theirs.as_object().unwrap();
        o.keys()
            .filter(|k| live.get(k.as_str()) != o.get(k.as_str()))
            .position(|k| k == "notes")
            .unwrap()
    };
    for _ in 0..notes_row {
        a.handle_key(key(KeyCode::Down));
    }
    press(&mut a, &[key(KeyCode::Enter), ch('s')]);
    assert_eq!(a.overlay(), Some(OverlayKind::Confirm));
    press(&mut a, &[ch('c')]);
    assert!(!bundles(&a).is_resolving());
    assert_eq!(bundles(&a).conflict_count(), 0);
    let fac = a.store().facility(&f).unwrap().unwrap();
    assert_eq!(fac.data.workers, Some(45));
    assert_eq!(fac.data.notes, "Tỉnh đã khảo sát");

    // Duplicates: m asks, then merges B into A.
    press(&mut a, &[ch('3')]);
    assert_eq!(bundles(&a).duplicate_count(), 1);
    insta::assert_snapshot!("bundles_duplicates_vi_100x24", screen_text(&a, &dir));
    let pair = a.store().duplicate_pairs(true).unwrap().remove(0);
    press(&mut a, &[ch('m')]);
    assert_eq!(a.overlay(), Some(OverlayKind::Confirm));
    press(&mut a, &[ch('c')]);
    assert_eq!(bundles(&a).duplicate_count(), 0);
    assert_eq!(
        a.store().merged_into(&pair.b).unwrap(),
        Some(pair.a.clone())
    );

    // Issue 16: bundle 2 opened again shows no conflict now that it is resolved — it was
    // imported already, so importing it again would change nothing.
    press(&mut a, &[ch('1')]);
    assert_eq!(bundles(&a).pane(), Pane::Import);
    type_str(&mut a, &b2.display().to_string());
    press(&mut a, &[key(KeyCode::Enter)]);
    let p = bundles(&a).preview().expect("a preview");
    assert!(p.is_noop() && p.conflicts.is_empty(), "{p:?}");
    let text = screen_text(&a, &dir);
    assert!(text.contains("đã được nhập"), "{text}");
    assert!(!text.contains("Không đổi"), "no preview table: {text}");
}

/// F8 at the collaborator's: asks first (no: nothing written), then writes the next bundle
/// into the export folder and says where; the bundle is a real one the province can read.
#[test]
fn f8_exports_the_next_bundle_after_a_confirmation() {
    let fx = fixture();
    let out = tempfile::tempdir().unwrap();
    let mut sender = fx.sender;
    sender
        .create_facility(&FacilityInput {
            name: "Làng nghề bún Phú Đô".into(),
            entity_type: "HTX".into(),
            commune_code: "00004".into(),
            ..Default::default()
        })
        .unwrap();
    let mut a = App::new(ctx(Lang::En), sender);
    a.set_export_dir(out.path().to_path_buf());
    press(&mut a, &[key(KeyCode::F(8))]);
    assert_eq!(a.overlay(), Some(OverlayKind::Confirm));
    press(&mut a, &[ch('n')]);
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0);

    press(&mut a, &[key(KeyCode::F(8)), ch('c')]);
    let toast = a.toast().expect("a message").to_string();
    assert!(toast.contains("Bundle 2 written: 1 facilities"), "{toast}");
    let files: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1);
    assert!(toast.contains(&files[0].file_name().unwrap().to_string_lossy().to_string()));
    let b = ctv::bundle::read_bundle(&files[0]).unwrap();
    assert_eq!(b.manifest.seq, 2);
    assert_eq!(b.facilities.len(), 1);
    assert_eq!(b.facilities[0].record.name, "Làng nghề bún Phú Đô");
}

/// With the event loop's channel, the export runs on a job thread: the footer shows a
/// progress bar until the job says it is done, and the file is there.
#[test]
fn an_export_on_a_job_thread_shows_its_progress_then_the_result() {
    let fx = fixture();
    let out = tempfile::tempdir().unwrap();
    let mut a = App::new(ctx(Lang::Vi), fx.sender);
    let (tx, rx) = std::sync::mpsc::channel();
    a.set_job_sender(tx);
    a.set_export_dir(out.path().to_path_buf());
    press(&mut a, &[key(KeyCode::F(8)), ch('c')]);
    // Asking again while it runs is refused plainly.
    press(&mut a, &[key(KeyCode::F(8))]);
    assert_eq!(a.overlay(), None);
    assert_eq!(a.toast(), Some("Một gói đang được xuất; chờ xong đã."));
    let mut saw_bar = false;
    loop {
        let ev = rx.recv_timeout(std::time::Duration::from_secs(60)).unwrap();
        let done = matches!(
            ev,
            ctv::ui::event::AppEvent::Job(ctv::ui::event::JobEvent::ExportDone { .. })
        );
        a.handle_event(ev);
        if !done {
            let mut term = Terminal::new(TestBackend::new(80, 24)).unwrap();
            term.draw(|f| a.render(f)).unwrap();
            let last = term.backend().to_string();
            saw_bar |= last.contains("Đang xuất gói…");
        } else {
            break;
        }
    }
    assert!(saw_bar, "the progress bar was never drawn");
    let toast = a.toast().unwrap().to_string();
    assert!(toast.contains("Đã xuất gói số 2"), "{toast}");
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 1);
}
