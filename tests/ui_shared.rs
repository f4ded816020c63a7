//! The terminal app on a database that others use at the same time: two connections on one
//! file (as two collaborators' sessions on the shared server). A save that meets a newer
//! version shows both, field by field, and never overwrites silently; the idle poll of
//! `PRAGMA data_version` refreshes lists without moving the cursor or touching a form; a
//! locked database is reported and the form keeps its text; no read transaction is held
//! while idle.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use ctv::clock::FixedClock;
use ctv::domain::consultation::{ConsultationField, ConsultationInput, ConsultationPatch};
use ctv::domain::facility::FacilityField;
use ctv::domain::proposal::{ProposalInput, ProposalPatch};
use ctv::domain::{FacilityInput, ProfileInput};
use ctv::store::Store;
use ctv::ui::keymap::{Action, Keymap};
use ctv::ui::screens::consult::ConsultPurpose;
use ctv::ui::screens::{ConsultScreen, DetailScreen, FormScreen, ListScreen, ProposalFormScreen};
use ctv::ui::theme::Theme;
use ctv::ui::widgets::ConflictRow;
use ctv::ui::{App, AppContext, OverlayKind};
use ctv::words::{tr, trf, Lang};
use ratatui::crossterm::event::KeyCode;

mod common;
use common::ui::{ch, ctrl, key, press, screen_text, type_str};

const COMMUNE: &str = "00004";

fn clock_at(h: u32, m: u32) -> FixedClock {
    // Hà Nội time is UTC+7: 02:00 UTC is 09:00 there.
    FixedClock::new(Utc.with_ymd_and_hms(2026, 11, 25, h, m, 0).unwrap())
}

fn profile(name: &str) -> ProfileInput {
    ProfileInput {
        name: name.into(),
        role: "commune".into(),
        units: COMMUNE.into(),
        account: None,
    }
}

/// The first session's store on a new file, with one facility.
fn first(path: &Path) -> (Store, String) {
    let mut s = Store::open_with_clock(path, Arc::new(clock_at(2, 0))).unwrap();
    s.init_profile(&profile("Nguyễn Thị Hoa"), false).unwrap();
    let (f, _) = s
        .create_facility(&FacilityInput {
            name: "HTX mây tre đan Phú Vinh".into(),
            commune_code: COMMUNE.into(),
            phone: "0912345678".into(),
            workers: "25".into(),
            ..Default::default()
        })
        .unwrap();
    (s, f.id)
}

/// A second session on the same file, later in the morning.
fn second(path: &Path) -> Store {
    Store::open_with_clock(path, Arc::new(clock_at(3, 30))).unwrap()
}

fn app(store: Store) -> App {
    App::new(
        AppContext {
            lang: Lang::Vi,
            theme: Theme::mono(),
            keymap: Keymap::default(),
            who: "Nguyễn Thị Hoa · cán bộ xã".to_string(),
            db_label: "/srv/ctv/ctv.db".to_string(),
        },
        store,
    )
}

fn form(a: &App) -> &FormScreen {
    let other = a.top_screen();
    match other.downcast_ref::<FormScreen>() {
        Some(f) => f,
        None => panic!("expected the facility form, found {other:?}"),
    }
}

fn consult(a: &App) -> &ConsultScreen {
    let other = a.top_screen();
    match other.downcast_ref::<ConsultScreen>() {
        Some(f) => f,
        None => panic!("expected the consultation form, found {other:?}"),
    }
}

fn pform(a: &App) -> &ProposalFormScreen {
    let other = a.top_screen();
    match other.downcast_ref::<ProposalFormScreen>() {
        Some(f) => f,
        None => panic!("expected the proposal form, found {other:?}"),
    }
}

fn row<'a>(rows: &'a [ConflictRow], label_key: &'static str) -> &'a ConflictRow {
    let label = tr(Lang::Vi, label_key);
    rows.iter()
        .find(|r| r.label == label)
        .unwrap_or_else(|| panic!("no row {label} in {rows:?}"))
}

/// The second session changes the workers (and is another person).
fn someone_else_edits_the_facility(path: &Path, id: &str) -> Store {
    let mut b = second(path);
    b.init_profile(&profile("Lê Văn Minh"), true).unwrap();
    let f = b.facility(id).unwrap().unwrap();
    let mut other = FacilityInput::from_data(&f.data);
    other.workers = "30".into();
    b.update_facility(id, f.meta.version, &other).unwrap();
    b
}

// ------------------------------------------------------------------------------------------
// conflicts in the forms

#[test]
fn a_facility_conflict_shows_both_versions_and_never_overwrites_silently() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ctv.db");
    let (a_store, id) = first(&path);
    let mut a = app(a_store);
    press(&mut a, &[ch('e')]);
    assert!(form(&a).is_edit());
    let b = someone_else_edits_the_facility(&path, &id);
    press(&mut a, &[key(KeyCode::End)]);
    type_str(&mut a, " (cơ sở 2)");
    press(&mut a, &[ctrl('s')]);

    // Not saved: the dialog lists theirs beside ours, field by field.
    let c = form(&a).conflict().expect("the conflict dialog");
    assert_eq!(c.who, "Lê Văn Minh");
    assert_eq!(c.when, "25/11/2026 10:30");
    assert_eq!(c.found, 2);
    let workers = row(&c.rows, FacilityField::Workers.label_key());
    assert_eq!(
        (workers.theirs.as_str(), workers.mine.as_str()),
        ("30", "25")
    );
    let name = row(&c.rows, FacilityField::Name.label_key());
    assert_eq!(name.theirs, "HTX mây tre đan Phú Vinh");
    assert_eq!(name.mine, "HTX mây tre đan Phú Vinh (cơ sở 2)");
    assert_eq!(c.rows.len(), 2, "only the fields that differ: {:?}", c.rows);
    let stored = b.facility(&id).unwrap().unwrap();
    assert_eq!(stored.data.name, "HTX mây tre đan Phú Vinh");
    assert_eq!(stored.data.workers, Some(30));

    // Back to editing: the text is still there and nothing was written.
    press(&mut a, &[key(KeyCode::Esc)]);
    assert!(form(&a).conflict().is_none());
    assert_eq!(
        form(&a).value(FacilityField::Name),
        "HTX mây tre đan Phú Vinh (cơ sở 2)"
    );
    assert_eq!(b.facility(&id).unwrap().unwrap().meta.version, 2);

    // Saving again meets the same newer version: the dialog again, never a silent write.
    press(&mut a, &[ctrl('s')]);
    assert!(form(&a).conflict().is_some());
    assert_eq!(b.facility(&id).unwrap().unwrap().meta.version, 2);

    // Overwrite knowingly: ours is saved over version 2.
    press(&mut a, &[key(KeyCode::Tab), key(KeyCode::Enter)]);
    assert!(a.top_screen().is::<ListScreen>(), "saved and left");
    let now = b.facility(&id).unwrap().unwrap();
    assert_eq!(now.meta.version, 3);
    assert_eq!(now.data.name, "HTX mây tre đan Phú Vinh (cơ sở 2)");
    assert_eq!(now.data.workers, Some(25), "ours, knowingly");
}

#[test]
fn reloading_after_a_conflict_asks_first_then_takes_the_stored_record() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ctv.db");
    let (a_store, id) = first(&path);
    let mut a = app(a_store);
    press(&mut a, &[ch('e')]);
    let _b = someone_else_edits_the_facility(&path, &id);
    press(&mut a, &[key(KeyCode::End)]);
    type_str(&mut a, " (cơ sở 2)");
    press(&mut a, &[ctrl('s')]);
    assert!(form(&a).conflict().is_some());
    // Third choice: reload. It asks; No keeps everything as it was.
    press(
        &mut a,
        &[key(KeyCode::Tab), key(KeyCode::Tab), key(KeyCode::Enter)],
    );
    assert_eq!(a.overlay(), Some(OverlayKind::Confirm));
    press(&mut a, &[ch('n')]);
    assert!(form(&a).conflict().is_some());
    assert_eq!(
        form(&a).value(FacilityField::Name),
        "HTX mây tre đan Phú Vinh (cơ sở 2)"
    );
    // The highlight is still on "reload"; Yes: the form now holds the stored record, and
    // saving works on its version.
    press(&mut a, &[key(KeyCode::Enter)]);
    assert_eq!(a.overlay(), Some(OverlayKind::Confirm));
    press(&mut a, &[ch('y')]);
    assert!(form(&a).conflict().is_none());
    assert_eq!(
        form(&a).value(FacilityField::Name),
        "HTX mây tre đan Phú Vinh"
    );
    assert_eq!(form(&a).value(FacilityField::Workers), "30");
    assert!(!form(&a).has_unsaved_changes());
    press(&mut a, &[ctrl('s')]);
    assert!(a.top_screen().is::<ListScreen>());
}

#[test]
fn snapshot_facility_conflict_vi_80x24() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ctv.db");
    let (a_store, id) = first(&path);
    let mut a = app(a_store);
    press(&mut a, &[ch('e')]);
    let _b = someone_else_edits_the_facility(&path, &id);
    press(&mut a, &[key(KeyCode::End)]);
    type_str(&mut a, " (cơ sở 2)");
    press(&mut a, &[ctrl('s')]);
    insta::assert_snapshot!("facility_conflict_vi_80x24", screen_text(&a));
}

/// A consultation by the first session, opened for an edit in place; the second session
/// (the same collaborator in another window) edits it meanwhile.
fn consultation_conflict() -> (tempfile::TempDir, App, Store, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ctv.db");
    let (mut s, id) = first(&path);
    let (c, _) = s
        .add_consultation(&ConsultationInput {
            facility_id: id.clone(),
            date: "25/11/2026".into(),
            mode: "TRUC_TIEP".into(),
            needs: "Vốn mua máy".into(),
            ..Default::default()
        })
        .unwrap();
    let mut a = app(s);
    press(&mut a, &[key(KeyCode::Enter), ch('2'), ch('e')]);
    assert!(matches!(consult(&a).purpose(), ConsultPurpose::Edit { .. }));
    let mut b = second(&path);
    b.edit_consultation(
        &c.id,
        c.version,
        &ConsultationPatch {
            needs: Some("Vốn mua máy dệt".into()),
            ..Default::default()
        },
    )
    .unwrap();
    // Ours: advice typed, then save.
    for _ in 0..5 {
        press(&mut a, &[key(KeyCode::Tab)]);
    }
    type_str(&mut a, "Tư vấn bao bì");
    press(&mut a, &[ctrl('s')]);
    (dir, a, b, c.id)
}

#[test]
fn a_consultation_conflict_shows_both_versions_and_can_overwrite() {
    let (_dir, mut a, b, cid) = consultation_conflict();
    let c = consult(&a).conflict().expect("the conflict dialog");
    assert_eq!(c.who, "Nguyễn Thị Hoa");
    let needs = row(&c.rows, ConsultationField::Needs.label_key());
    assert_eq!(needs.theirs, "Vốn mua máy dệt");
    assert_eq!(needs.mine, "Vốn mua máy");
    let advice = row(&c.rows, ConsultationField::Advice.label_key());
    assert_eq!(
        (advice.theirs.as_str(), advice.mine.as_str()),
        ("", "Tư vấn bao bì")
    );
    assert_eq!(
        consult(&a).value(ConsultationField::Advice),
        "Tư vấn bao bì"
    );
    assert_eq!(b.consultation(&cid).unwrap().unwrap().data.advice, "");
    // Overwrite knowingly.
    press(&mut a, &[key(KeyCode::Tab), key(KeyCode::Enter)]);
    assert!(a.top_screen().is::<DetailScreen>());
    let now = b.consultation(&cid).unwrap().unwrap();
    assert_eq!(now.data.advice, "Tư vấn bao bì");
    assert_eq!(now.data.needs, "Vốn mua máy");
}

#[test]
fn snapshot_consultation_conflict_vi_80x24() {
    let (_dir, a, _b, _) = consultation_conflict();
    insta::assert_snapshot!("consultation_conflict_vi_80x24", screen_text(&a));
}

/// A draft proposal by the first session, opened in its form; the second session changes
/// its title meanwhile.
fn proposal_conflict() -> (tempfile::TempDir, App, Store, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ctv.db");
    let (mut s, id) = first(&path);
    let (p, _) = s
        .add_proposal(&ProposalInput {
            facility_id: id.clone(),
            plan_year: "2027".into(),
            category: "KC03".into(),
            funding: "KCQG".into(),
            title: "Hỗ trợ máy dệt".into(),
            total_cost: "1.000.000.000".into(),
            support: "300.000.000".into(),
            counterpart: "700.000.000".into(),
            ..Default::default()
        })
        .unwrap();
    let mut a = app(s);
    a.dispatch(Action::Proposals);
    press(&mut a, &[key(KeyCode::Enter), ch('e')]);
    assert_eq!(pform(&a).value("title"), "Hỗ trợ máy dệt");
    let mut b = second(&path);
    b.edit_proposal(
        &p.id,
        p.version,
        &ProposalPatch {
            title: Some("Hỗ trợ máy dệt và nhuộm".into()),
            support: Some("350.000.000".into()),
            counterpart: Some("650.000.000".into()),
            ..Default::default()
        },
    )
    .unwrap();
    for _ in 0..3 {
        press(&mut a, &[key(KeyCode::Tab)]);
    }
    assert_eq!(pform(&a).focused_field(), "title");
    press(&mut a, &[key(KeyCode::End)]);
    type_str(&mut a, " tự động");
    press(&mut a, &[ctrl('s')]);
    (dir, a, b, p.id)
}

#[test]
fn a_proposal_conflict_shows_both_versions_and_can_reload() {
    let (_dir, mut a, b, pid) = proposal_conflict();
    let c = pform(&a).conflict().expect("the conflict dialog");
    let title = row(&c.rows, "proposal.field.title");
    assert_eq!(title.theirs, "Hỗ trợ máy dệt và nhuộm");
    assert_eq!(title.mine, "Hỗ trợ máy dệt tự động");
    let support = row(&c.rows, "proposal.field.support");
    assert_eq!(support.theirs, "350.000.000");
    assert_eq!(support.mine, "300.000.000");
    assert_eq!(
        b.proposal(&pid).unwrap().unwrap().data.title,
        "Hỗ trợ máy dệt và nhuộm"
    );
    // Reload, confirmed: the form holds the stored draft.
    press(
        &mut a,
        &[
            key(KeyCode::Tab),
            key(KeyCode::Tab),
            key(KeyCode::Enter),
            ch('y'),
        ],
    );
    assert!(pform(&a).conflict().is_none());
    assert_eq!(pform(&a).value("title"), "Hỗ trợ máy dệt và nhuộm");
    assert!(!pform(&a).has_unsaved_changes());
}

#[test]
fn snapshot_proposal_conflict_vi_80x24() {
    let (_dir, a, _b, _) = proposal_conflict();
    insta::assert_snapshot!("proposal_conflict_vi_80x24", screen_text(&a));
}

// ------------------------------------------------------------------------------------------
// refresh on change

fn add_facility(s: &mut Store, name: &str) -> String {
    s.create_facility(&FacilityInput {
        name: name.into(),
        commune_code: COMMUNE.into(),
        ..Default::default()
    })
    .unwrap()
    .0
    .id
}

fn list_selected(a: &App) -> String {
    let other = a.top_screen();
    match other.downcast_ref::<ListScreen>() {
        Some(l) => l.selected_name().unwrap_or_default().to_string(),
        None => panic!("expected the list, found {other:?}"),
    }
}

#[test]
fn another_sessions_change_refreshes_the_list_and_keeps_the_selected_record() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ctv.db");
    let (mut s, _) = first(&path);
    let binh = add_facility(&mut s, "Cơ sở gốm Bình An");
    add_facility(&mut s, "Cơ sở nón lá Tân Hòa");
    let mut a = app(s);
    press(&mut a, &[key(KeyCode::Down)]);
    let before = list_selected(&a);
    assert_eq!(before, "Cơ sở nón lá Tân Hòa");
    // Idle, nothing changed: nothing reloads, nothing to draw.
    a.take_dirty();
    assert!(!a.poll_outside_changes());
    assert!(!a.is_dirty(), "an idle poll draws nothing");

    // Another session adds a facility that sorts first and renames one.
    let mut b = second(&path);
    add_facility(&mut b, "Cơ sở chổi đót An Phú");
    let f = b.facility(&binh).unwrap().unwrap();
    let mut input = FacilityInput::from_data(&f.data);
    input.name = "Cơ sở gốm Bình An Mới".into();
    b.update_facility(&binh, f.meta.version, &input).unwrap();

    assert!(a.poll_outside_changes(), "the idle tick sees the change");
    let text = screen_text(&a);
    assert!(text.contains("Cơ sở chổi đót An Phú"), "{text}");
    assert!(text.contains("Cơ sở gốm Bình An Mới"), "{text}");
    assert_eq!(list_selected(&a), before, "the same record stays selected");
    assert!(!a.poll_outside_changes(), "seen once");
}

#[test]
fn the_detail_timeline_refreshes_too_and_keeps_the_selected_consultation() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ctv.db");
    let (mut s, id) = first(&path);
    let (mine, _) = s
        .add_consultation(&ConsultationInput {
            facility_id: id.clone(),
            date: "20/11/2026".into(),
            mode: "TRUC_TIEP".into(),
            ..Default::default()
        })
        .unwrap();
    let mut a = app(s);
    press(&mut a, &[key(KeyCode::Enter), ch('2')]);
    let selected = |a: &App| {
        let other = a.top_screen();
        match other.downcast_ref::<DetailScreen>() {
            Some(d) => d.selected_consultation().map(|c| c.id.clone()),
            None => panic!("expected the detail, found {other:?}"),
        }
    };
    assert_eq!(selected(&a).as_deref(), Some(mine.id.as_str()));
    let mut b = second(&path);
    b.add_consultation(&ConsultationInput {
        facility_id: id,
        date: "25/11/2026".into(),
        mode: "TRUC_TIEP".into(),
        needs: "Cần vốn mua máy dệt".into(),
        ..Default::default()
    })
    .unwrap();
    assert!(!screen_text(&a).contains("Cần vốn mua máy dệt"));
    assert!(a.poll_outside_changes());
    assert!(screen_text(&a).contains("Cần vốn mua máy dệt"));
    assert_eq!(
        selected(&a).as_deref(),
        Some(mine.id.as_str()),
        "the newer one came above; the selection stayed on ours"
    );
}

#[test]
fn an_open_form_is_not_touched_by_a_refresh() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ctv.db");
    let (s, id) = first(&path);
    let mut a = app(s);
    press(&mut a, &[ch('e'), key(KeyCode::End)]);
    type_str(&mut a, " (cơ sở 2)");
    let _b = someone_else_edits_the_facility(&path, &id);
    a.poll_outside_changes();
    assert_eq!(
        form(&a).value(FacilityField::Name),
        "HTX mây tre đan Phú Vinh (cơ sở 2)"
    );
    assert_eq!(form(&a).value(FacilityField::Workers), "25", "not reloaded");
    // Leaving the form shows the list as it is now.
    press(&mut a, &[key(KeyCode::Esc), ch('y')]);
    assert!(a.top_screen().is::<ListScreen>());
}

#[test]
fn no_read_transaction_is_held_while_idle() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ctv.db");
    let (mut s, _) = first(&path);
    for i in 0..30 {
        add_facility(&mut s, &format!("Cơ sở số {i:02}"));
    }
    let mut a = app(s);
    // Move about: list windows, a detail, back; then an idle poll.
    press(
        &mut a,
        &[key(KeyCode::PageDown), key(KeyCode::Enter), ch('2')],
    );
    press(&mut a, &[key(KeyCode::Esc), key(KeyCode::Down)]);
    let _ = screen_text(&a);
    a.poll_outside_changes();
    // Another connection writes, then checkpoints the whole WAL away: that is only
    // possible when no connection still reads an older snapshot.
    let mut b = second(&path);
    add_facility(&mut b, "Cơ sở mới");
    let conn = rusqlite::Connection::open(&path).unwrap();
    let (busy, log, done): (i64, i64, i64) = conn
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!(
        (busy, log, done),
        (0, 0, 0),
        "the checkpoint was not blocked"
    );
}

// ------------------------------------------------------------------------------------------
// a busy database

#[test]
fn a_locked_database_is_reported_and_the_form_keeps_its_text() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ctv.db");
    let (s, id) = first(&path);
    s.set_busy_timeout(Duration::from_millis(100));
    let mut a = app(s);
    press(&mut a, &[ch('e'), key(KeyCode::End)]);
    type_str(&mut a, " (cơ sở 2)");
    // Another program holds the write lock.
    let other = rusqlite::Connection::open(&path).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    press(&mut a, &[ctrl('s')]);
    let banner = form(&a).banner().unwrap_or_default().to_string();
    assert!(
        banner.contains(tr(Lang::Vi, "store.err.busy")),
        "plainly reported: {banner}"
    );
    assert_eq!(
        form(&a).value(FacilityField::Name),
        "HTX mây tre đan Phú Vinh (cơ sở 2)"
    );
    assert!(form(&a).conflict().is_none());
    // Once the lock is gone the same save goes through.
    other.execute_batch("ROLLBACK").unwrap();
    press(&mut a, &[ctrl('s')]);
    assert!(a.top_screen().is::<ListScreen>());
    let b = second(&path);
    assert_eq!(
        b.facility(&id).unwrap().unwrap().data.name,
        "HTX mây tre đan Phú Vinh (cơ sở 2)"
    );
}

/// Issue 13, hole 5: an account disabled while its terminal app is open. The next save is
/// refused by the store, the form says why and keeps the text, and the app stays usable for
/// reading (back to the list, open the facility) until it quits.
#[test]
fn a_disabled_accounts_open_session_says_why_and_stays_readable() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ctv.db");
    let mut root = Store::open_with_clock(&db, Arc::new(clock_at(2, 0))).unwrap();
    root.mark_shared().unwrap();
    root.work_as_admin("root");
    root.add_collaborator(&ProfileInput {
        name: "Nguyễn Thị Hoa".into(),
        role: "commune".into(),
        units: COMMUNE.into(),
        account: Some("hoa".into()),
    })
    .unwrap();
    let mut hoa = second(&db);
    hoa.work_as_account("hoa").unwrap();
    add_facility(&mut hoa, "HTX mây tre đan Phú Vinh");
    let mut a = app(hoa);
    assert_eq!(list_selected(&a), "HTX mây tre đan Phú Vinh");

    // The administrator disables the account while the form is open.
    press(&mut a, &[ch('e')]);
    assert_eq!(a.screen_depth(), 2, "{}", screen_text(&a));
    type_str(&mut a, " mới");
    root.set_account_active("hoa", false).unwrap();
    press(&mut a, &[ctrl('s')]);

    let why = trf(Lang::Vi, "store.err.account_disabled", &[&"hoa"]);
    let why: String = why.chars().take(30).collect();
    let shown = screen_text(&a)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let toast = a.toast().unwrap_or_default().to_string();
    assert!(
        shown.contains(&why) || toast.contains(&why),
        "the reason is shown: {shown}\n{toast}"
    );
    assert_eq!(a.screen_depth(), 2, "the form stays open with its text");
    assert!(shown.contains("Phú Vinh mới"), "{shown}");
    assert_eq!(
        root.list_facilities(
            &Default::default(),
            ctv::store::FacilitySort::Name,
            false,
            0,
            10
        )
        .unwrap()[0]
            .data
            .name,
        "HTX mây tre đan Phú Vinh",
        "nothing was written"
    );

    // Reading goes on: leave the form (dropping the text), open the facility.
    press(&mut a, &[key(KeyCode::Esc)]);
    if a.screen_depth() == 2 {
        press(&mut a, &[ch('y')]);
    }
    assert_eq!(a.screen_depth(), 1, "{}", screen_text(&a));
    press(&mut a, &[key(KeyCode::Enter)]);
    assert!(a.top_screen().is::<DetailScreen>(), "{}", screen_text(&a));
    assert!(screen_text(&a).contains("HTX mây tre đan Phú Vinh"));
}
