//! Consultations in the terminal app: `c` on a facility opens the form (facility, date and
//! collaborator filled in), saving puts the visit on the facility's timeline, newest first,
//! with its topics and follow-up; corrections after the grace period are amendments shown
//! beside the original. Driven by key events on an in-memory store, plus 80×24 snapshots.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use ctv::clock::FixedClock;
use ctv::domain::consultation::{ConsultationField, ConsultationInput, ConsultationPatch};
use ctv::domain::{FacilityInput, ProfileInput};
use ctv::store::{ConsultationFilter, Store};
use ctv::ui::keymap::Keymap;
use ctv::ui::screens::consult::ConsultPurpose;
use ctv::ui::screens::detail::Pane;
use ctv::ui::screens::{ConsultScreen, DetailScreen};
use ctv::ui::theme::Theme;
use ctv::ui::{App, AppContext};
use ctv::words::Lang;
use ratatui::crossterm::event::KeyCode;

mod common;
use common::ui::{ch, ctrl, key, press, screen_text, type_str};

const BAT_TRANG: &str = "00577";

fn clock() -> FixedClock {
    // 10:00 in Hà Nội on 25/11/2026.
    FixedClock::new(Utc.with_ymd_and_hms(2026, 11, 25, 3, 0, 0).unwrap())
}

fn store(clock: &FixedClock) -> (Store, String) {
    let mut s = Store::open_in_memory(Arc::new(clock.clone())).unwrap();
    s.init_profile(
        &ProfileInput {
            name: "Nguyễn Thị Hoa".into(),
            role: "commune".into(),
            units: BAT_TRANG.into(),
            account: None,
        },
        false,
    )
    .unwrap();
    let (f, _) = s
        .create_facility(&FacilityInput {
            name: "Cơ sở gốm sứ Minh Đức".into(),
            commune_code: BAT_TRANG.into(),
            representative: "Trần Văn Hùng".into(),
            ..Default::default()
        })
        .unwrap();
    (s, f.id)
}

fn app_on_detail(store: Store, id: &str) -> App {
    let mut a = App::new(
        AppContext {
            lang: Lang::Vi,
            theme: Theme::mono(),
            keymap: Keymap::default(),
            who: "Nguyễn Thị Hoa · cán bộ xã · Xã Bát Tràng".to_string(),
            db_label: "/home/hoa/.local/share/ctv/ctv.db".to_string(),
        },
        store,
    );
    press(&mut a, &[key(KeyCode::Enter)]);
    assert_eq!(detail(&a).facility().id, id);
    a
}

fn detail(a: &App) -> &DetailScreen {
    let other = a.top_screen();
    match other.downcast_ref::<DetailScreen>() {
        Some(d) => d,
        None => panic!("expected a detail screen, found {other:?}"),
    }
}

fn form(a: &App) -> &ConsultScreen {
    let other = a.top_screen();
    match other.downcast_ref::<ConsultScreen>() {
        Some(c) => c,
        None => panic!("expected the consultation form, found {other:?}"),
    }
}

/// Tab to `field` (the form starts on the date).
fn go_to(a: &mut App, field: ConsultationField) {
    for _ in 0..10 {
        if form_focus_is(a, field) {
            return;
        }
        press(a, &[key(KeyCode::Tab)]);
    }
    panic!("never reached {field:?}");
}

fn form_focus_is(a: &App, field: ConsultationField) -> bool {
    // The focused row is marked "›" in front of its label.
    let label = ctv::words::tr(Lang::Vi, field.label_key());
    screen_text(a)
        .lines()
        .any(|l| l.contains(&format!("› {label}")))
}

/// Logs a visit through the form: topics KC01 and KC06, a need, a follow-up on `follow_up`.
fn log_visit(a: &mut App, follow_up: &str) {
    press(a, &[ch('c')]);
    assert!(matches!(
        form(a).purpose(),
        ConsultPurpose::New { closes: None }
    ));
    go_to(a, ConsultationField::Topics);
    press(a, &[key(KeyCode::Enter)]);
    type_str(a, "KC01");
    press(a, &[key(KeyCode::Enter)]);
    press(a, &[key(KeyCode::Enter)]);
    type_str(a, "KC06");
    press(a, &[key(KeyCode::Enter)]);
    go_to(a, ConsultationField::Needs);
    type_str(a, "Cần lò nung tiết kiệm điện\nvà đào tạo thợ trẻ");
    go_to(a, ConsultationField::NextStep);
    type_str(a, "Gửi hồ sơ đề án");
    go_to(a, ConsultationField::FollowUpDate);
    type_str(a, follow_up);
    press(a, &[ctrl('s')]);
}

#[test]
fn c_opens_the_form_prefilled_and_saving_puts_the_visit_on_the_timeline() {
    let clock = clock();
    let (s, id) = store(&clock);
    let mut a = app_on_detail(s, &id);
    press(&mut a, &[ch('c')]);
    let f = form(&a);
    assert_eq!(f.value(ConsultationField::Date), "25/11/2026", "today");
    assert_eq!(f.value(ConsultationField::Mode), "TRUC_TIEP");
    let text = screen_text(&a);
    assert!(text.contains("Cơ sở gốm sứ Minh Đức"), "{text}");
    assert!(
        text.contains("Nguyễn Thị Hoa"),
        "the collaborator is shown: {text}"
    );
    press(&mut a, &[key(KeyCode::Esc)]);
    assert!(
        a.top_screen().is::<DetailScreen>(),
        "nothing typed: no question"
    );

    log_visit(&mut a, "26/11/2026");
    let d = detail(&a);
    assert_eq!(d.pane(), Pane::Info, "back on the facility");
    let saved = a
        .store()
        .list_consultations(
            &ConsultationFilter {
                facility_id: Some(id.clone()),
                ..Default::default()
            },
            0,
            10,
        )
        .unwrap();
    assert_eq!(saved.len(), 1);
    let c = &saved[0].data;
    assert_eq!(c.topics, ["KC01", "KC06"]);
    assert_eq!(c.needs, "Cần lò nung tiết kiệm điện\nvà đào tạo thợ trẻ");
    assert_eq!(c.next_step, "Gửi hồ sơ đề án");
    assert_eq!(
        c.follow_up_date,
        chrono::NaiveDate::from_ymd_opt(2026, 11, 26)
    );
    assert_eq!(saved[0].collaborator_name, "Nguyễn Thị Hoa");

    press(&mut a, &[ch('2')]);
    let lines = detail(&a).pane_text();
    assert!(
        lines[0].starts_with("25/11/2026 · Làm việc trực tiếp tại cơ sở · Nguyễn Thị Hoa"),
        "{lines:#?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("KC01") && l.contains("KC06")),
        "{lines:#?}"
    );
    assert!(
        lines.iter().any(|l| l == "Hẹn theo dõi: 26/11/2026"),
        "{lines:#?}"
    );
}

#[test]
fn bad_dates_are_named_and_nothing_is_saved() {
    let clock = clock();
    let (s, id) = store(&clock);
    let mut a = app_on_detail(s, &id);
    press(&mut a, &[ch('c')]);
    go_to(&mut a, ConsultationField::FollowUpDate);
    type_str(&mut a, "20/11/2026");
    press(&mut a, &[ctrl('s')]);
    assert!(a.top_screen().is::<ConsultScreen>(), "the form stays");
    let msgs = form(&a).messages(ConsultationField::FollowUpDate, Lang::Vi);
    assert!(!msgs.is_empty(), "a follow-up before the visit is refused");
    assert!(screen_text(&a).contains("Lỗi"), "{}", screen_text(&a));
    assert_eq!(
        a.store()
            .count_consultations(&ConsultationFilter::default())
            .unwrap(),
        0
    );
    // Esc after typing asks before throwing it away.
    press(&mut a, &[key(KeyCode::Esc)]);
    assert!(a.overlay().is_some(), "asks first");
}

#[test]
fn timeline_is_newest_first_and_shows_amendments_beside_the_original() {
    let clock = clock();
    let (mut s, id) = store(&clock);
    let add = |s: &mut Store, date: &str, needs: &str| {
        s.add_consultation(&ConsultationInput {
            facility_id: id.clone(),
            date: date.into(),
            mode: "DIEN_THOAI".into(),
            topics: "KC02".into(),
            needs: needs.into(),
            ..Default::default()
        })
        .unwrap()
        .0
    };
    add(&mut s, "10/11/2026", "Tập huấn quản lý");
    let newer = add(&mut s, "20/11/2026", "Vốn mua máy");
    // Two days later the grace period is over: the correction is an amendment.
    clock.set(Utc.with_ymd_and_hms(2026, 11, 27, 3, 0, 0).unwrap());
    s.amend_consultation(
        &newer.id,
        newer.version,
        &ConsultationPatch {
            needs: Some("Vốn mua máy ép".into()),
            ..Default::default()
        },
        "Ghi thiếu tên máy",
    )
    .unwrap();
    let mut a = app_on_detail(s, &id);
    press(&mut a, &[ch('2')]);
    let lines = detail(&a).pane_text();
    let first = lines
        .iter()
        .position(|l| l.starts_with("20/11/2026"))
        .unwrap();
    let second = lines
        .iter()
        .position(|l| l.starts_with("10/11/2026"))
        .unwrap();
    assert!(first < second, "newest first: {lines:#?}");
    assert!(
        lines.iter().any(|l| l.ends_with("Vốn mua máy ép")),
        "current value: {lines:#?}"
    );
    assert!(
        lines.iter().any(|l| l.contains("Ghi thiếu tên máy")),
        "why: {lines:#?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("Vốn mua máy → Vốn mua máy ép")),
        "the original beside the correction: {lines:#?}"
    );
    insta::assert_snapshot!("timeline_vi_80x24", screen_text(&a));

    // `e` on the selected (newest) consultation: past its grace period, so an amendment.
    press(&mut a, &[ch('e')]);
    assert!(matches!(form(&a).purpose(), ConsultPurpose::Amend { .. }));
    go_to(&mut a, ConsultationField::Advice);
    type_str(&mut a, "Hướng dẫn lập đề án");
    press(&mut a, &[ctrl('s')]);
    assert!(a.top_screen().is::<ConsultScreen>(), "a reason is required");
    // The failed save put the cursor in the reason field; the follow-up date is not
    // amendable and Tab passes it by.
    assert!(
        screen_text(&a).contains("› Lý do đính chính"),
        "{}",
        screen_text(&a)
    );
    press(&mut a, &[key(KeyCode::BackTab)]);
    assert!(
        screen_text(&a).contains("› Việc tiếp theo"),
        "{}",
        screen_text(&a)
    );
    press(&mut a, &[key(KeyCode::Tab)]);
    type_str(&mut a, "Bổ sung nội dung tư vấn");
    press(&mut a, &[ctrl('s')]);
    assert!(a.top_screen().is::<DetailScreen>(), "{}", screen_text(&a));
    let rec = a.store().consultation_record(&newer.id).unwrap().unwrap();
    assert_eq!(rec.amendments.len(), 2);
    assert_eq!(rec.original.advice, "", "the original is never rewritten");
    assert_eq!(rec.consultation.data.advice, "Hướng dẫn lập đề án");
}

#[test]
fn within_the_grace_period_e_edits_in_place() {
    let clock = clock();
    let (mut s, id) = store(&clock);
    s.add_consultation(&ConsultationInput {
        facility_id: id.clone(),
        date: "25/11/2026".into(),
        mode: "TRUC_TIEP".into(),
        ..Default::default()
    })
    .unwrap();
    clock.set(Utc.with_ymd_and_hms(2026, 11, 25, 5, 0, 0).unwrap());
    let mut a = app_on_detail(s, &id);
    press(&mut a, &[ch('2'), ch('e')]);
    assert!(matches!(form(&a).purpose(), ConsultPurpose::Edit { .. }));
    go_to(&mut a, ConsultationField::Advice);
    type_str(&mut a, "Tư vấn bao bì");
    press(&mut a, &[ctrl('s')]);
    assert!(a.top_screen().is::<DetailScreen>());
    let c = &a
        .store()
        .list_consultations(&ConsultationFilter::default(), 0, 5)
        .unwrap()[0];
    assert_eq!(c.data.advice, "Tư vấn bao bì");
    assert_eq!(c.amendments, 0, "an edit, not an amendment");
    let log = a.store().history("consultation", &c.id).unwrap();
    assert_eq!(
        log.last().unwrap().action,
        "update",
        "the edit is in the change log"
    );
}

#[test]
fn snapshot_consultation_form_vi_80x24() {
    let clock = clock();
    let (s, id) = store(&clock);
    let mut a = app_on_detail(s, &id);
    press(&mut a, &[ch('c')]);
    go_to(&mut a, ConsultationField::Difficulties);
    type_str(&mut a, "Thiếu vốn, mặt bằng chật");
    insta::assert_snapshot!("consult_form_vi_80x24", screen_text(&a));
}

/// Choose `code` in the picker of the focused field (Enter opens it, Enter chooses).
fn pick(a: &mut App, code: &str) {
    press(a, &[key(KeyCode::Enter)]);
    assert!(a.overlay().is_some(), "the picker is open");
    type_str(a, code);
    press(a, &[key(KeyCode::Enter)]);
    assert!(a.overlay().is_none(), "chosen");
}

#[test]
fn issue16_enter_in_a_picker_chooses_and_stays_so_tab_does_not_skip_a_field() {
    let clock = clock();
    let (s, id) = store(&clock);
    let mut a = app_on_detail(s, &id);
    press(&mut a, &[ch('c')]);
    go_to(&mut a, ConsultationField::Mode);
    pick(&mut a, "dien thoai");
    assert_eq!(form(&a).value(ConsultationField::Mode), "DIEN_THOAI");
    assert!(
        form_focus_is(&a, ConsultationField::Mode),
        "stays on the field"
    );
    // Tab then goes to the very next field, and what is typed lands there.
    press(&mut a, &[key(KeyCode::Tab)]);
    assert!(form_focus_is(&a, ConsultationField::Topics));
    pick(&mut a, "KC01");
    assert!(form_focus_is(&a, ConsultationField::Topics));
    press(&mut a, &[key(KeyCode::Tab)]);
    type_str(&mut a, "Thiếu vốn");
    assert_eq!(form(&a).value(ConsultationField::Difficulties), "Thiếu vốn");
    assert_eq!(form(&a).value(ConsultationField::Needs), "");
}

#[test]
fn issue16_a_multi_select_shows_every_chosen_item() {
    let clock = clock();
    let (s, id) = store(&clock);
    let mut a = app_on_detail(s, &id);
    press(&mut a, &[ch('c')]);
    go_to(&mut a, ConsultationField::Topics);
    for code in ["KC01", "KC03", "KC07"] {
        pick(&mut a, code);
    }
    press(&mut a, &[key(KeyCode::Tab)]);
    let text = screen_text(&a);
    for code in ["KC01", "KC03", "KC07"] {
        assert!(text.contains(code), "{code} shown:\n{text}");
    }
    // More than fit in three rows: the rest are counted.
    go_to(&mut a, ConsultationField::Topics);
    pick(&mut a, "KC04");
    assert_eq!(
        form(&a).value(ConsultationField::Topics),
        "KC01, KC03, KC07, KC04"
    );
    let text = screen_text(&a);
    assert!(text.contains("+1"), "{text}");
}

#[test]
fn issue16_a_multi_line_field_left_shows_its_first_lines() {
    let clock = clock();
    let (s, id) = store(&clock);
    let mut a = app_on_detail(s, &id);
    press(&mut a, &[ch('c')]);
    go_to(&mut a, ConsultationField::Needs);
    type_str(&mut a, "dòng một\ndòng hai\ndòng ba\ndòng bốn\ndòng năm");
    press(&mut a, &[key(KeyCode::Tab)]);
    let text = screen_text(&a);
    assert!(text.contains("dòng một"), "{text}");
    assert!(!text.contains("dòng năm"), "only the first rows: {text}");
}

#[test]
fn issue16_dates_typed_as_days_from_today_or_with_a_short_year() {
    let clock = clock();
    let (s, id) = store(&clock);
    let mut a = app_on_detail(s, &id);
    press(&mut a, &[ch('c')]);
    go_to(&mut a, ConsultationField::Date);
    for _ in 0..12 {
        press(&mut a, &[key(KeyCode::Backspace)]);
    }
    type_str(&mut a, "24/11/26");
    go_to(&mut a, ConsultationField::FollowUpDate);
    assert_eq!(form(&a).value(ConsultationField::Date), "24/11/2026");
    type_str(&mut a, "+7");
    press(&mut a, &[key(KeyCode::Tab)]);
    assert_eq!(
        form(&a).value(ConsultationField::FollowUpDate),
        "02/12/2026",
        "shown as the date it means once left"
    );
    // A wrong one is named under the field.
    go_to(&mut a, ConsultationField::FollowUpDate);
    for _ in 0..12 {
        press(&mut a, &[key(KeyCode::Backspace)]);
    }
    type_str(&mut a, "+x");
    press(&mut a, &[ctrl('s')]);
    let msgs = form(&a).messages(ConsultationField::FollowUpDate, Lang::Vi);
    assert!(msgs.iter().any(|(_, m)| m.contains("+x")), "{msgs:?}");
    for _ in 0..4 {
        press(&mut a, &[key(KeyCode::Backspace)]);
    }
    type_str(&mut a, "15/1/27");
    press(&mut a, &[ctrl('s')]);
    assert!(a.top_screen().is::<DetailScreen>(), "saved");
    let saved = a
        .store()
        .list_consultations(&ConsultationFilter::default(), 0, 10)
        .unwrap();
    assert_eq!(
        saved[0].data.date,
        chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
    );
    assert_eq!(
        saved[0].data.follow_up_date,
        chrono::NaiveDate::from_ymd_opt(2027, 1, 15)
    );
}
