//! The follow-up agenda and the needs view in the terminal app: driven by key events on an
//! in-memory store with a fixed clock (Wednesday 25/11/2026, 10:00 in Việt Nam), plus 80×24
//! snapshots.

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use ctv::clock::FixedClock;
use ctv::domain::consultation::{ConsultationInput, FollowUpStatus};
use ctv::domain::{FacilityInput, ProfileInput};
use ctv::store::Store;
use ctv::ui::keymap::Keymap;
use ctv::ui::screens::{AgendaScreen, ConsultScreen, DetailScreen, NeedsScreen};
use ctv::ui::theme::Theme;
use ctv::ui::{App, AppContext, OverlayKind};
use ctv::words::Lang;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

mod common;
use common::ui::{ch, key, press, screen_text, type_str};

const TAN_PHU: &str = "25549";

/// A UTC instant given as Vietnam local time (UTC+7).
fn vn(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap() - Duration::hours(7)
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

struct Fx {
    store: Store,
    clock: FixedClock,
    /// Facility ids by name.
    ids: Vec<(&'static str, String)>,
}

impl Fx {
    fn id(&self, name: &str) -> String {
        self.ids
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, id)| id.clone())
            .unwrap()
    }
}

const MAY_TRE: &str = "HTX mây tre đan Phú Vinh";
const BANH_TRANG: &str = "Bánh tráng Bà Tư";
const GOM: &str = "Cơ sở gốm sứ Minh Đức";
const MOC: &str = "Xưởng mộc Ánh Dương";

struct Seed {
    facility: &'static str,
    date: &'static str,
    follow_up: &'static str,
    topics: &'static str,
    difficulties: &'static str,
    needs: &'static str,
    next_step: &'static str,
}

/// Recorded on 10/11 (overdue by 25/11) and on 25/11 (today and later).
const EARLY: &[Seed] = &[
    Seed {
        facility: MAY_TRE,
        date: "10/11/2026",
        follow_up: "20/11/2026",
        topics: "KC04",
        difficulties: "Máy chẻ nan cũ, hay hỏng",
        needs: "Hỗ trợ mua máy chẻ nan tự động",
        next_step: "Gửi mẫu hồ sơ đề nghị hỗ trợ máy móc",
    },
    Seed {
        facility: BANH_TRANG,
        date: "12/11/2026",
        follow_up: "22/11/2026",
        topics: "KC06",
        difficulties: "",
        needs: "Thiết kế bao bì mới cho bánh tráng phơi sương",
        next_step: "Hẹn đơn vị thiết kế đến xem sản phẩm",
    },
    Seed {
        facility: GOM,
        date: "14/11/2026",
        follow_up: "24/11/2026",
        topics: "KC04,KC07",
        difficulties: "Lò nung tốn than, khói nhiều",
        needs: "Chuyển sang lò nung bằng gas để giảm khói và tiết kiệm chi phí; tìm đầu ra xuất khẩu sang Nhật Bản và Hàn Quốc",
        next_step: "Mời tham gia hội chợ hàng thủ công tháng 12",
    },
];

const TODAY: &[Seed] = &[
    Seed {
        facility: MOC,
        date: "25/11/2026",
        follow_up: "25/11/2026",
        topics: "KC01",
        difficulties: "Thiếu thợ lành nghề",
        needs: "Mở lớp truyền nghề mộc cho 20 lao động",
        next_step: "Gọi lại xác nhận danh sách học viên",
    },
    Seed {
        facility: MAY_TRE,
        date: "25/11/2026",
        follow_up: "27/11/2026",
        topics: "",
        difficulties: "",
        needs: "Vay vốn ưu đãi",
        next_step: "Giới thiệu với ngân hàng chính sách xã",
    },
    Seed {
        facility: BANH_TRANG,
        date: "25/11/2026",
        follow_up: "09/12/2026",
        topics: "KC06",
        difficulties: "",
        needs: "",
        next_step: "Xem lại mẫu bao bì",
    },
];

fn add(store: &mut Store, fid: &str, s: &Seed) {
    store
        .add_consultation(&ConsultationInput {
            facility_id: fid.into(),
            date: s.date.into(),
            mode: "TRUC_TIEP".into(),
            topics: s.topics.into(),
            difficulties: s.difficulties.into(),
            needs: s.needs.into(),
            next_step: s.next_step.into(),
            follow_up_date: s.follow_up.into(),
            ..Default::default()
        })
        .unwrap();
}

fn fixture() -> Fx {
    let clock = FixedClock::new(vn(2026, 11, 14, 9));
    let mut store = Store::open_in_memory(Arc::new(clock.clone())).unwrap();
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
    let mut ids = Vec::new();
    for name in [MAY_TRE, BANH_TRANG, GOM, MOC] {
        let f = store
            .create_facility(&FacilityInput {
                name: name.into(),
                commune_code: TAN_PHU.into(),
                ..Default::default()
            })
            .unwrap()
            .0;
        ids.push((name, f.id));
    }
    let mut fx = Fx { store, clock, ids };
    for s in EARLY {
        let id = fx.id(s.facility);
        add(&mut fx.store, &id, s);
    }
    fx.clock.set(vn(2026, 11, 25, 10));
    for s in TODAY {
        let id = fx.id(s.facility);
        add(&mut fx.store, &id, s);
    }
    fx
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

fn agenda(a: &App) -> &AgendaScreen {
    let other = a.top_screen();
    match other.downcast_ref::<AgendaScreen>() {
        Some(s) => s,
        None => panic!("expected the agenda, found {other:?}"),
    }
}

fn needs(a: &App) -> &NeedsScreen {
    let other = a.top_screen();
    match other.downcast_ref::<NeedsScreen>() {
        Some(s) => s,
        None => panic!("expected the needs view, found {other:?}"),
    }
}

/// The app on the fixture, on the agenda (F3 from the list).
fn on_agenda(lang: Lang) -> (App, FixedClock) {
    let fx = fixture();
    let clock = fx.clock.clone();
    let mut a = App::new(ctx(lang), fx.store);
    press(&mut a, &[key(KeyCode::F(3))]);
    (a, clock)
}

fn follow_up_of(a: &App, consultation_id: &str) -> ctv::domain::consultation::FollowUp {
    a.store()
        .consultation(consultation_id)
        .unwrap()
        .unwrap()
        .follow_up
        .unwrap()
}

// ----- the agenda -----

#[test]
fn f3_opens_the_agenda_in_buckets_with_days_late() {
    let (a, _) = on_agenda(Lang::Vi);
    assert_eq!(a.screen_depth(), 2);
    let s = agenda(&a);
    let c = s.counts();
    assert_eq!(
        (c.overdue, c.today, c.this_week, c.later),
        (3, 1, 1, 1),
        "{c:?}"
    );
    assert_eq!(
        s.facility_names(),
        vec![MAY_TRE, BANH_TRANG, GOM, MOC, MAY_TRE, BANH_TRANG]
    );
    let text = screen_text(&a);
    assert!(text.contains("Quá hạn (3)"), "{text}");
    assert!(text.contains("trễ 5 ngày"), "{text}");
    assert!(text.contains("trễ 1 ngày"), "{text}");
    assert!(text.contains("⚠ 3 quá hạn"), "{text}");
    insta::assert_snapshot!("agenda_vi_80x24", text);
}

#[test]
fn the_agenda_in_english() {
    let (a, _) = on_agenda(Lang::En);
    insta::assert_snapshot!("agenda_en_80x24", screen_text(&a));
}

#[test]
fn the_palette_opens_the_agenda_and_f4_swaps_in_the_needs_view() {
    let fx = fixture();
    let mut a = App::new(ctx(Lang::Vi), fx.store);
    press(&mut a, &[ch(':')]);
    type_str(&mut a, "lich hen");
    let first = a.picker().and_then(|p| p.matches().next().cloned());
    assert_eq!(first.map(|i| i.code), Some("agenda".to_string()));
    press(&mut a, &[key(KeyCode::Enter)]);
    assert_eq!(a.overlay(), None);
    agenda(&a);
    press(&mut a, &[key(KeyCode::F(4))]);
    needs(&a);
    assert_eq!(a.screen_depth(), 2, "one view replaces the other");
    press(&mut a, &[key(KeyCode::F(3))]);
    agenda(&a);
    assert_eq!(a.screen_depth(), 2);
    press(&mut a, &[key(KeyCode::Esc)]);
    assert_eq!(a.screen_depth(), 1);
}

#[test]
fn moving_and_opening_the_facility() {
    let (mut a, _) = on_agenda(Lang::Vi);
    press(&mut a, &[key(KeyCode::End)]);
    assert_eq!(agenda(&a).selected(), 5);
    press(&mut a, &[key(KeyCode::Down)]);
    assert_eq!(agenda(&a).selected(), 5, "stays on the last");
    press(&mut a, &[key(KeyCode::Home), ch('j'), ch('j'), ch('k')]);
    assert_eq!(agenda(&a).selected(), 1);
    press(&mut a, &[key(KeyCode::Enter)]);
    let other = a.top_screen();
    match other.downcast_ref::<DetailScreen>() {
        Some(d) => assert_eq!(d.facility().data.name, BANH_TRANG),
        None => panic!("expected the detail, found {other:?}"),
    }
    press(&mut a, &[key(KeyCode::Esc)]);
    assert_eq!(agenda(&a).selected(), 1, "cursor kept");
}

#[test]
fn done_with_a_note_closes_the_follow_up_and_the_header_counts_down() {
    let (mut a, _) = on_agenda(Lang::Vi);
    assert_eq!(a.overdue_count(), 3);
    let (id, due) = agenda(&a)
        .selected_item()
        .map(|(i, d)| (i.to_string(), d.to_string()))
        .unwrap();
    assert_eq!(due, "20/11/2026");
    press(&mut a, &[ch('d')]);
    assert!(agenda(&a).is_asking());
    // Printable keys are the note now, not commands ('d', 'r', 'q').
    type_str(&mut a, "Đã gọi, cơ sở gửi hồ sơ qua Zalo; q r d");
    assert!(!a.should_quit());
    insta::assert_snapshot!("agenda_done_prompt_vi_80x24", screen_text(&a));
    press(&mut a, &[key(KeyCode::Enter)]);
    assert!(!agenda(&a).is_asking());
    let fu = follow_up_of(&a, &id);
    assert_eq!(fu.status, FollowUpStatus::Done);
    assert_eq!(fu.note, "Đã gọi, cơ sở gửi hồ sơ qua Zalo; q r d");
    assert!(
        a.toast().is_some_and(|t| t.contains("Đã đánh dấu xong")),
        "{:?}",
        a.toast()
    );
    assert_eq!(agenda(&a).counts().overdue, 2);
    assert_eq!(a.overdue_count(), 2);
    assert!(screen_text(&a).contains("⚠ 2 quá hạn"));
}

#[test]
fn an_empty_note_is_asked_about_once_then_accepted() {
    let (mut a, _) = on_agenda(Lang::Vi);
    let id = agenda(&a).selected_item().unwrap().0.to_string();
    press(&mut a, &[ch('d'), key(KeyCode::Enter)]);
    assert!(agenda(&a).is_asking());
    assert!(
        agenda(&a)
            .prompt_error()
            .is_some_and(|e| e.contains("Chưa có ghi chú")),
        "{:?}",
        agenda(&a).prompt_error()
    );
    assert_eq!(follow_up_of(&a, &id).status, FollowUpStatus::Open);
    press(&mut a, &[key(KeyCode::Enter)]);
    assert!(!agenda(&a).is_asking());
    assert_eq!(follow_up_of(&a, &id).status, FollowUpStatus::Done);
}

#[test]
fn esc_cancels_the_prompt_and_changes_nothing() {
    let (mut a, _) = on_agenda(Lang::Vi);
    let id = agenda(&a).selected_item().unwrap().0.to_string();
    press(&mut a, &[ch('d')]);
    type_str(&mut a, "ghi chú");
    press(&mut a, &[key(KeyCode::Esc)]);
    assert!(!agenda(&a).is_asking());
    assert_eq!(a.screen_depth(), 2, "Esc closed the prompt only");
    assert_eq!(follow_up_of(&a, &id).status, FollowUpStatus::Open);
}

#[test]
fn reschedule_to_a_valid_date_moves_it_to_its_bucket() {
    let (mut a, _) = on_agenda(Lang::Vi);
    let id = agenda(&a).selected_item().unwrap().0.to_string();
    press(&mut a, &[ch('r')]);
    type_str(&mut a, "2/12/2026");
    press(&mut a, &[key(KeyCode::Tab)]);
    type_str(&mut a, "Cơ sở bận thu hoạch");
    press(&mut a, &[key(KeyCode::Enter)]);
    assert!(!agenda(&a).is_asking());
    assert_eq!(follow_up_of(&a, &id).due_date, date(2026, 12, 2));
    assert!(
        a.toast().is_some_and(|t| t.contains("sang 02/12/2026")),
        "{:?}",
        a.toast()
    );
    let c = agenda(&a).counts();
    assert_eq!((c.overdue, c.later), (2, 2));
    // The cursor follows the moved follow-up.
    assert_eq!(
        agenda(&a).selected_item().map(|(_, d)| d),
        Some("02/12/2026")
    );
    assert_eq!(a.overdue_count(), 2);
    // The reason went to the change log.
    let log = a.store().history("follow_up", &id).unwrap();
    assert!(
        log.iter().any(|e| e.action == "reschedule"
            && e.changes
                .get("reason")
                .is_some_and(|v| v[1] == "Cơ sở bận thu hoạch")),
        "{log:?}"
    );
}

#[test]
fn reschedule_to_a_bad_date_says_which_field_and_changes_nothing() {
    let (mut a, _) = on_agenda(Lang::Vi);
    let id = agenda(&a).selected_item().unwrap().0.to_string();
    let before = follow_up_of(&a, &id);
    press(&mut a, &[ch('r')]);
    type_str(&mut a, "32/13/2026");
    press(&mut a, &[key(KeyCode::Enter)]);
    assert!(agenda(&a).is_asking(), "the prompt stays open");
    assert_eq!(
        agenda(&a).prompt_error(),
        Some("Ngày hẹn theo dõi: \"32/13/2026\" không phải ngày hợp lệ (dd/mm/yyyy)")
    );
    insta::assert_snapshot!("agenda_reschedule_error_vi_80x24", screen_text(&a));
    assert_eq!(follow_up_of(&a, &id), before);
    // Before today: refused too, naming the earliest date allowed.
    for _ in 0..10 {
        press(&mut a, &[key(KeyCode::Backspace)]);
    }
    type_str(&mut a, "24/11/2026");
    press(&mut a, &[key(KeyCode::Enter)]);
    assert_eq!(
        agenda(&a).prompt_error(),
        Some("Ngày hẹn theo dõi: Không được trước ngày 25/11/2026")
    );
    assert_eq!(follow_up_of(&a, &id), before);
    // An input method's backspace (Ctrl+H) edits the date too.
    for _ in 0..10 {
        press(
            &mut a,
            &[KeyEvent::new(KeyCode::Char('h'), KeyModifiers::CONTROL)],
        );
    }
    type_str(&mut a, "25/11/2026");
    press(&mut a, &[key(KeyCode::Enter)]);
    assert!(!agenda(&a).is_asking());
    assert_eq!(follow_up_of(&a, &id).due_date, date(2026, 11, 25));
    assert_eq!(agenda(&a).counts().today, 2);
}

#[test]
fn a_stale_version_shows_the_conflict_and_reloads() {
    let (mut a, _) = on_agenda(Lang::Vi);
    let id = agenda(&a).selected_item().unwrap().0.to_string();
    press(&mut a, &[ch('d')]);
    type_str(&mut a, "Đã xong");
    // Meanwhile someone else moves it (another session on the same database).
    let v = follow_up_of(&a, &id).version;
    a.store_mut()
        .reschedule_follow_up(&id, v, "30/11/2026", "")
        .unwrap();
    press(&mut a, &[key(KeyCode::Enter)]);
    assert!(!agenda(&a).is_asking());
    let toast = a.toast().unwrap_or_default().to_string();
    assert!(toast.contains("vừa được người khác sửa"), "{toast}");
    let fu = follow_up_of(&a, &id);
    assert_eq!(fu.status, FollowUpStatus::Open, "nothing overwritten");
    assert_eq!(fu.due_date, date(2026, 11, 30));
    // Reloaded: it now shows under "this week", and marking it done works.
    assert_eq!(agenda(&a).counts().overdue, 2);
    assert_eq!(
        agenda(&a).selected_item().map(|(_, d)| d),
        Some("30/11/2026")
    );
    press(&mut a, &[ch('d')]);
    type_str(&mut a, "Đã xong");
    press(&mut a, &[key(KeyCode::Enter)]);
    assert_eq!(follow_up_of(&a, &id).status, FollowUpStatus::Done);
}

#[test]
fn v_logs_the_visit_it_led_to_and_closes_the_follow_up() {
    let (mut a, _) = on_agenda(Lang::Vi);
    let id = agenda(&a)
        .selected_item()
        .map(|(i, _)| i.to_string())
        .unwrap();
    press(&mut a, &[ch('v')]);
    let other = a.top_screen();
    match other.downcast_ref::<ConsultScreen>() {
        Some(f) => assert!(
            matches!(
                f.purpose(),
                ctv::ui::screens::consult::ConsultPurpose::New { closes: Some((c, _)) } if *c == id
            ),
            "{:?}",
            f.purpose()
        ),
        None => panic!("expected the consultation form, found {other:?}"),
    }
    // Date (today) and mode are filled in: save straight away.
    press(
        &mut a,
        &[KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)],
    );
    assert!(a.top_screen().is::<AgendaScreen>(), "back on the agenda");
    let fu = follow_up_of(&a, &id);
    assert_eq!(fu.status, FollowUpStatus::Done);
    let outcome = fu.outcome_id.expect("closed by the new consultation");
    let visit = a.store().consultation(&outcome).unwrap().unwrap();
    assert_eq!(visit.data.date, date(2026, 11, 25));
    assert_eq!(agenda(&a).counts().overdue, 2, "the agenda reloaded");
    assert!(
        a.toast().is_some_and(|t| t.contains("đã xong")),
        "{:?}",
        a.toast()
    );
}

#[test]
fn the_header_recounts_after_midnight_without_a_timer() {
    let (mut a, clock) = on_agenda(Lang::Vi);
    assert_eq!(a.overdue_count(), 3);
    // 26/11 00:30 in Việt Nam: today's follow-up is now a day late. Nothing is redrawn by
    // itself (no timer); the next key recounts.
    clock.set(vn(2026, 11, 26, 0) + Duration::minutes(30));
    press(&mut a, &[key(KeyCode::Down)]);
    assert_eq!(a.overdue_count(), 4);
}

#[test]
fn no_overdue_no_badge() {
    let fx = fixture();
    let mut store = fx.store;
    for item in store.agenda().unwrap().items {
        let fu = item.consultation.follow_up.unwrap();
        store
            .complete_follow_up(
                &item.consultation.id,
                fu.version,
                &ctv::domain::consultation::FollowUpClose {
                    outcome_id: None,
                    note: "xong".into(),
                },
            )
            .unwrap();
    }
    let mut a = App::new(ctx(Lang::Vi), store);
    assert_eq!(a.overdue_count(), 0);
    assert!(!screen_text(&a).contains("quá hạn"));
    press(&mut a, &[key(KeyCode::F(3))]);
    let text = screen_text(&a);
    assert!(
        text.contains("Không có việc theo dõi nào đang chờ"),
        "{text}"
    );
}

#[test]
fn a_long_bucket_lists_a_window_and_says_how_many_more() {
    let mut fx = fixture();
    let id = fx.id(MOC);
    for n in 0..103 {
        fx.store
            .add_consultation(&ConsultationInput {
                facility_id: id.clone(),
                date: "25/11/2026".into(),
                mode: "DIEN_THOAI".into(),
                next_step: format!("Việc số {n}"),
                follow_up_date: "15/01/2027".into(),
                ..Default::default()
            })
            .unwrap();
    }
    let mut a = App::new(ctx(Lang::Vi), fx.store);
    press(&mut a, &[key(KeyCode::F(3))]);
    let listed = agenda(&a).facility_names().len();
    assert_eq!(listed, 5 + ctv::ui::screens::agenda::PER_BUCKET);
    assert_eq!(agenda(&a).counts().later, 104);
    press(&mut a, &[key(KeyCode::End)]);
    let text = screen_text(&a);
    assert!(text.contains("Sau này (104)"), "{text}");
    let more = 104 - ctv::ui::screens::agenda::PER_BUCKET;
    assert!(text.contains(&format!("… và {more} mục nữa")), "{text}");
}

// ----- the needs view -----

fn on_needs() -> App {
    let fx = fixture();
    let mut a = App::new(ctx(Lang::Vi), fx.store);
    press(&mut a, &[key(KeyCode::F(4))]);
    a
}

#[test]
fn f4_opens_the_needs_grouped_by_topic() {
    let mut a = on_needs();
    assert_eq!(
        needs(&a).group_shape(),
        vec![
            (Some("KC04"), 2, 2),
            (Some("KC01"), 1, 1),
            (Some("KC06"), 1, 1),
            (Some("KC07"), 1, 1),
            (None, 1, 1),
        ]
    );
    insta::assert_snapshot!("needs_vi_80x24", screen_text(&a));
    // Enter unfolds the first group: its entries, wrapped.
    press(&mut a, &[key(KeyCode::Enter)]);
    let text = screen_text(&a);
    assert!(text.contains("▾ KC04"), "{text}");
    assert!(text.contains("Hỗ trợ mua máy chẻ nan tự động"), "{text}");
    insta::assert_snapshot!("needs_expanded_vi_80x24", text);
    // Down to the first entry; Enter opens its facility.
    press(&mut a, &[key(KeyCode::Down), key(KeyCode::Enter)]);
    let other = a.top_screen();
    match other.downcast_ref::<DetailScreen>() {
        Some(d) => assert_eq!(d.facility().data.name, GOM),
        None => panic!("expected the detail, found {other:?}"),
    }
    press(
        &mut a,
        &[key(KeyCode::Esc), key(KeyCode::Up), key(KeyCode::Enter)],
    );
    assert!(!screen_text(&a).contains("▾ KC04"));
}

/// `f`, then the menu item matching `query`.
fn filter_menu(a: &mut App, query: &str) {
    press(a, &[ch('f')]);
    assert_eq!(a.overlay(), Some(OverlayKind::Picker));
    type_str(a, query);
    press(a, &[key(KeyCode::Enter)]);
}

#[test]
fn filters_by_topic_dates_mode_and_collaborator_and_clear() {
    let mut a = on_needs();
    filter_menu(&mut a, "noi dung");
    assert_eq!(a.overlay(), Some(OverlayKind::Picker));
    type_str(&mut a, "KC06");
    press(&mut a, &[key(KeyCode::Enter)]);
    assert_eq!(needs(&a).filter().topic.as_deref(), Some("KC06"));
    assert_eq!(needs(&a).group_shape(), vec![(Some("KC06"), 1, 1)]);
    // The view opens on the last twelve months; the topic is added to that.
    assert!(
        screen_text(&a).contains("Lọc: từ 25/11/2025 · KC06"),
        "{}",
        screen_text(&a)
    );

    filter_menu(&mut a, "bo moi");
    assert_eq!(needs(&a).group_shape().len(), 5);

    // From 14/11: the consultations of 10/11 and 12/11 drop out.
    filter_menu(&mut a, "tu ngay");
    assert!(needs(&a).is_asking());
    type_str(&mut a, "31/02/2026");
    press(&mut a, &[key(KeyCode::Enter)]);
    assert_eq!(
        needs(&a).prompt_error(),
        Some("Từ ngày: \"31/02/2026\" không phải ngày hợp lệ (dd/mm/yyyy)")
    );
    for _ in 0..10 {
        press(&mut a, &[key(KeyCode::Backspace)]);
    }
    type_str(&mut a, "14/11/2026");
    press(&mut a, &[key(KeyCode::Enter)]);
    assert!(!needs(&a).is_asking());
    assert_eq!(needs(&a).filter().since, Some(date(2026, 11, 14)));
    assert_eq!(
        needs(&a).group_shape(),
        vec![
            (Some("KC01"), 1, 1),
            (Some("KC04"), 1, 1),
            (Some("KC07"), 1, 1),
            (None, 1, 1),
        ]
    );
    // An end before the start is refused, naming the field.
    filter_menu(&mut a, "den ngay");
    type_str(&mut a, "01/11/2026");
    press(&mut a, &[key(KeyCode::Enter)]);
    assert_eq!(
        needs(&a).prompt_error(),
        Some("Đến ngày: Không được trước ngày 14/11/2026")
    );
    press(&mut a, &[key(KeyCode::Esc)]);
    assert_eq!(needs(&a).filter().until, None);

    filter_menu(&mut a, "hinh thuc");
    type_str(&mut a, "dien thoai");
    press(&mut a, &[key(KeyCode::Enter)]);
    assert_eq!(needs(&a).filter().mode.as_deref(), Some("DIEN_THOAI"));
    let text = screen_text(&a);
    assert!(text.contains("Lọc: từ 14/11/2026 · Điện thoại"), "{text}");
    assert!(
        text.contains("Không có khó khăn hay nhu cầu nào khớp bộ lọc"),
        "{text}"
    );

    filter_menu(&mut a, "hinh thuc");
    type_str(&mut a, "moi hinh");
    press(&mut a, &[key(KeyCode::Enter)]);
    filter_menu(&mut a, "cong tac");
    type_str(&mut a, "hoa");
    press(&mut a, &[key(KeyCode::Enter)]);
    assert!(needs(&a).filter().collaborator_id.is_some());
    assert_eq!(needs(&a).group_shape().len(), 4);
    let text = screen_text(&a);
    assert!(text.contains("Nguyễn Thị Hoa"), "{text}");
    insta::assert_snapshot!("needs_filtered_vi_80x24", text);

    filter_menu(&mut a, "bo moi");
    assert_eq!(
        needs(&a).filter(),
        &ctv::store::ConsultationFilter::default()
    );
    assert!(screen_text(&a).contains("nhấn f để lọc"));
}
