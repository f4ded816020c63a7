//! Activities in the terminal app: F10 opens the list, `n` the form; a training course is
//! recorded with two facilities picked by search, and the facility page shows it beside its
//! consultations. Driven by key events on an in-memory store with a fixed clock.

use ctv::store::{ActivityFilter, Store};
use ctv::ui::screens::{ActivitiesScreen, ActivityFormScreen, DetailScreen};
use ctv::ui::{App, OverlayKind};
use ratatui::crossterm::event::KeyCode;

mod common;
use common::proposals::{as_role, facility, store};
use common::ui::{app_vi, ch, ctrl, key, press, screen_text, type_str};

fn form(a: &App) -> &ActivityFormScreen {
    let other = a.top_screen();
    match other.downcast_ref::<ActivityFormScreen>() {
        Some(f) => f,
        None => panic!("expected the activity form, found {other:?}"),
    }
}

fn go_to(a: &mut App, field: &str) {
    for _ in 0..30 {
        if form(a).focused_field() == field {
            return;
        }
        press(a, &[key(KeyCode::Tab)]);
    }
    panic!("never reached {field}");
}

/// Opens the field's picker, types `query` and takes the first match.
fn pick(a: &mut App, field: &str, query: &str) {
    go_to(a, field);
    press(a, &[key(KeyCode::Enter)]);
    assert_eq!(a.overlay(), Some(OverlayKind::Picker), "{field}");
    type_str(a, query);
    press(a, &[key(KeyCode::Enter)]);
    assert_eq!(a.overlay(), None, "{field}");
}

fn fixture() -> (Store, String, String) {
    let (mut s, _) = store();
    as_role(&mut s, "Trần Thị Bình", "commune", "00004");
    let a = facility(&mut s, "Cơ sở gốm Bát Tràng", "00004", "12");
    let b = facility(&mut s, "HTX mây tre đan Phú Vinh", "00004", "60");
    facility(&mut s, "Xưởng mộc Chàng Sơn", "00004", "8");
    (s, a, b)
}

#[test]
fn an_activity_with_two_facilities_is_recorded_from_the_list() {
    let (s, gom, may) = fixture();
    let mut a = app_vi(s);
    press(&mut a, &[key(KeyCode::F(10))]);
    assert!(a.top_screen().is::<ActivitiesScreen>());
    assert!(
        screen_text(&a).contains("Chưa có hoạt động nào"),
        "{}",
        screen_text(&a)
    );
    press(&mut a, &[ch('n')]);
    let f = form(&a);
    // Dated today, in the user's only commune.
    assert_eq!(f.value("start_date"), "25/11/2026");
    assert_eq!(f.value("commune_code"), "00004");
    pick(&mut a, "kind", "tap huan");
    assert_eq!(form(&a).value("kind"), "TAP_HUAN");
    go_to(&mut a, "title");
    type_str(&mut a, "Lớp tập huấn marketing online");
    pick(&mut a, "attendee_facilities", "gom bat");
    pick(&mut a, "attendee_facilities", "phu vinh");
    assert_eq!(
        form(&a).value("attendee_facilities"),
        format!("{gom}, {may}")
    );
    go_to(&mut a, "attendees");
    type_str(&mut a, "Lò Thị Mai;NU;dtts");
    go_to(&mut a, "unnamed_count");
    type_str(&mut a, "3");
    let text = screen_text(&a);
    assert!(text.contains("Cơ sở gốm Bát Tràng"), "{text}");
    press(&mut a, &[ctrl('s')]);
    let list = match a.top_screen().downcast_ref::<ActivitiesScreen>() {
        Some(l) => l,
        None => panic!("back on the list: {:?}", a.top_screen()),
    };
    assert_eq!(list.len(), 1);
    let cells = &list.cells()[0];
    assert!(
        cells.contains(&"Lớp tập huấn marketing online".to_string()),
        "{cells:?}"
    );
    assert!(cells.contains(&"6".to_string()), "{cells:?}");
    let rows = a.store().activities(&ActivityFilter::default()).unwrap();
    let (r, _) = a.store().activity(&rows[0].record.id).unwrap().unwrap();
    let ids: Vec<Option<&str>> = r
        .attendees
        .iter()
        .map(|x| x.facility_id.as_deref())
        .collect();
    assert_eq!(ids, vec![Some(gom.as_str()), Some(may.as_str()), None]);
    assert_eq!(r.attendees[2].gender.as_deref(), Some("NU"));
    assert!(r.attendees[2].ethnic_minority);
    assert_eq!(r.unnamed_count, 3);
    assert_eq!(a.store().history("activity", &r.id).unwrap().len(), 1);
}

#[test]
fn a_refused_save_names_the_field_and_writes_nothing() {
    let (s, _, _) = fixture();
    let mut a = app_vi(s);
    press(&mut a, &[key(KeyCode::F(10)), ch('n')]);
    pick(&mut a, "kind", "hoi cho");
    go_to(&mut a, "title");
    type_str(&mut a, "Hội chợ");
    go_to(&mut a, "unnamed_count");
    type_str(&mut a, "2");
    go_to(&mut a, "unnamed_women");
    type_str(&mut a, "5");
    press(&mut a, &[ctrl('s')]);
    assert!(a.top_screen().is::<ActivityFormScreen>());
    let msgs = form(&a).messages("unnamed_women", ctv::words::Lang::Vi);
    assert!(
        msgs.iter()
            .any(|(_, m)| m.contains("nhiều hơn số người không ghi tên (2)")),
        "{msgs:?}"
    );
    assert!(a
        .store()
        .activities(&ActivityFilter::default())
        .unwrap()
        .is_empty());
}

#[test]
fn the_facility_page_shows_its_activities_beside_its_consultations() {
    let (mut s, gom, _) = fixture();
    s.add_activity(&ctv::domain::activity::ActivityInput {
        kind: "HOI_CHO".into(),
        title: "Hội chợ làng nghề Hà Nội".into(),
        start_date: "20/11/2026".into(),
        end_date: "22/11/2026".into(),
        commune_code: "00004".into(),
        attendees: vec![ctv::domain::activity::AttendeeInput {
            facility_id: gom.clone(),
            ..Default::default()
        }],
        ..Default::default()
    })
    .unwrap();
    let mut a = app_vi(s);
    let cmd = ctv::ui::screens::open_facility(&gom, ctv::words::Lang::Vi, a.store());
    let ctv::ui::screens::ScreenCmd::Push(d) = cmd else {
        panic!("{cmd:?}");
    };
    assert!(d.is::<DetailScreen>());
    let _ = &mut a;
    let mut d = d;
    let env_keymap = ctv::ui::keymap::Keymap::default();
    let theme = ctv::ui::theme::Theme::mono();
    let env = ctv::ui::screens::Env {
        lang: ctv::words::Lang::Vi,
        keymap: &env_keymap,
        theme: &theme,
    };
    d.handle_action(ctv::ui::keymap::Action::Pane2, &env, a.store_mut());
    let detail = d.downcast_ref::<DetailScreen>().unwrap();
    let text = detail.pane_text().join("\n");
    assert!(text.contains("Hoạt động đã tham dự (1)"), "{text}");
    assert!(
        text.contains("20/11/2026 – 22/11/2026 · Hội chợ, triển lãm · Hội chợ làng nghề Hà Nội"),
        "{text}"
    );
}
