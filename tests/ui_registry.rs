//! The facility registry in the terminal app: the list, search, sort, filter, archive and the
//! detail screen, driven by key events on an in-memory store, plus 80×24 snapshots.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use ctv::clock::FixedClock;
use ctv::domain::{FacilityInput, ProfileInput};
use ctv::store::Store;
use ctv::ui::keymap::Keymap;
use ctv::ui::screens::detail::Pane;
use ctv::ui::screens::{DetailScreen, ListScreen, SetupScreen};
use ctv::ui::theme::Theme;
use ctv::ui::widgets::table::MARK;
use ctv::ui::{App, AppContext, OverlayKind};
use ctv::words::Lang;
use ratatui::backend::{CrosstermBackend, TestBackend};
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};

mod common;
use common::ui::{ch, key, press, screen_text, type_str};

const BAT_TRANG: &str = "00577";
const PHU_THUONG: &str = "00091";

fn clock() -> FixedClock {
    FixedClock::new(Utc.with_ymd_and_hms(2026, 11, 25, 3, 0, 0).unwrap())
}

fn store_with_profile(clock: &FixedClock) -> Store {
    let mut s = Store::open_in_memory(Arc::new(clock.clone())).unwrap();
    s.init_profile(
        &ProfileInput {
            name: "Nguyễn Thị Hoa".into(),
            role: "area".into(),
            units: format!("{BAT_TRANG},{PHU_THUONG}"),
            account: None,
        },
        false,
    )
    .unwrap();
    s
}

struct Seed {
    name: &'static str,
    commune: &'static str,
    group: &'static str,
    rep: &'static str,
    workers: &'static str,
    ocop: &'static str,
    typical: &'static str,
    status: &'static str,
    phone: &'static str,
}

const SEEDS: &[Seed] = &[
    Seed {
        name: "Cơ sở gốm sứ Minh Đức",
        commune: BAT_TRANG,
        group: "NN2",
        rep: "Trần Văn Hùng",
        workers: "25",
        ocop: "4",
        typical: "tinh",
        status: "",
        phone: "0912345678",
    },
    Seed {
        name: "HTX mây tre đan Phú Vinh",
        commune: PHU_THUONG,
        group: "NN2",
        rep: "Lê Thị Lan",
        workers: "40",
        ocop: "",
        typical: "",
        status: "",
        phone: "",
    },
    Seed {
        name: "Xưởng mộc Ánh Dương",
        commune: BAT_TRANG,
        group: "NN4",
        rep: "Nguyễn Văn Đức",
        workers: "8",
        ocop: "",
        typical: "",
        status: "",
        phone: "",
    },
    Seed {
        name: "Bánh tráng Bà Tư",
        commune: PHU_THUONG,
        group: "NN1",
        rep: "Võ Thị Tư",
        workers: "12",
        ocop: "3",
        typical: "",
        status: "paused",
        phone: "",
    },
    Seed {
        name: "Chế biến chè Ông Ba",
        commune: BAT_TRANG,
        group: "NN1",
        rep: "Phạm Văn Ba",
        workers: "5",
        ocop: "",
        typical: "xa",
        status: "",
        phone: "",
    },
];

/// Vietnamese order of the seeds' names.
const SORTED: [&str; 5] = [
    "Bánh tráng Bà Tư",
    "Chế biến chè Ông Ba",
    "Cơ sở gốm sứ Minh Đức",
    "HTX mây tre đan Phú Vinh",
    "Xưởng mộc Ánh Dương",
];

fn seeded_store() -> (Store, FixedClock) {
    let clock = clock();
    let mut s = store_with_profile(&clock);
    for seed in SEEDS {
        let input = FacilityInput {
            name: seed.name.into(),
            commune_code: seed.commune.into(),
            trade_group: seed.group.into(),
            representative: seed.rep.into(),
            workers: seed.workers.into(),
            ocop_stars: seed.ocop.into(),
            ocop_year: if seed.ocop.is_empty() { "" } else { "2024" }.into(),
            typical_level: seed.typical.into(),
            typical_year: if seed.typical.is_empty() { "" } else { "2025" }.into(),
            status: seed.status.into(),
            phone: seed.phone.into(),
            products: "Sản phẩm thủ công".into(),
            address: "Thôn Đông".into(),
            ..Default::default()
        };
        s.create_facility(&input).unwrap();
    }
    (s, clock)
}

fn ctx(lang: Lang) -> AppContext {
    AppContext {
        lang,
        theme: Theme::mono(),
        keymap: Keymap::default(),
        who: "Nguyễn Thị Hoa · cán bộ khu vực (huyện cũ) · 2 xã/phường".to_string(),
        db_label: "/home/hoa/.local/share/ctv/ctv.db".to_string(),
    }
}

fn app_with(store: Store) -> App {
    App::new(ctx(Lang::Vi), store)
}

fn app() -> App {
    app_with(seeded_store().0)
}

fn list(a: &App) -> &ListScreen {
    let other = a.top_screen();
    match other.downcast_ref::<ListScreen>() {
        Some(l) => l,
        None => panic!("expected the list, found {other:?}"),
    }
}

fn detail(a: &App) -> &DetailScreen {
    let other = a.top_screen();
    match other.downcast_ref::<DetailScreen>() {
        Some(d) => d,
        None => panic!("expected a detail screen, found {other:?}"),
    }
}

fn draw(a: &App) -> Buffer {
    let mut term = Terminal::new(TestBackend::new(80, 24)).unwrap();
    term.draw(|f| a.render(f)).unwrap();
    term.backend().buffer().clone()
}

/// The buffer as text with emphasised runs (search matches) in [brackets].
fn marked_text(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        let mut open = false;
        for x in 0..buf.area.width {
            let cell = &buf[(x, y)];
            let marked = cell.modifier.contains(MARK);
            if marked && !open {
                line.push('[');
                open = true;
            } else if !marked && open {
                line.push(']');
                open = false;
            }
            line.push_str(cell.symbol());
        }
        if open {
            line.push(']');
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

// ----- navigation -----

#[test]
fn opens_on_the_list_in_vietnamese_order() {
    let a = app();
    let l = list(&a);
    assert_eq!(l.total(), 5);
    assert_eq!(l.loaded_names(), SORTED);
    assert_eq!(l.selected_name(), Some(SORTED[0]));
}

#[test]
fn down_end_home_move_the_cursor() {
    let mut a = app();
    press(&mut a, &[key(KeyCode::Down)]);
    assert_eq!(list(&a).selected_name(), Some(SORTED[1]));
    press(&mut a, &[key(KeyCode::End)]);
    assert_eq!(list(&a).selected_name(), Some(SORTED[4]));
    press(&mut a, &[key(KeyCode::Down)]);
    assert_eq!(list(&a).selected(), 4, "stays on the last row");
    press(&mut a, &[key(KeyCode::Home)]);
    assert_eq!(list(&a).selected_name(), Some(SORTED[0]));
    press(&mut a, &[ch('j'), ch('j'), ch('k')]);
    assert_eq!(list(&a).selected_name(), Some(SORTED[1]));
}

#[test]
fn enter_opens_the_detail_and_esc_comes_back() {
    let mut a = app();
    press(
        &mut a,
        &[key(KeyCode::Down), key(KeyCode::Down), key(KeyCode::Enter)],
    );
    assert_eq!(a.screen_depth(), 2);
    assert_eq!(detail(&a).facility().data.name, SORTED[2]);
    assert_eq!(detail(&a).pane(), Pane::Info);
    let text = screen_text(&a);
    assert!(text.contains("Trần Văn Hùng"), "{text}");
    assert!(text.contains("0912 345 678"), "{text}");
    press(&mut a, &[key(KeyCode::Esc)]);
    assert_eq!(a.screen_depth(), 1);
    assert_eq!(list(&a).selected_name(), Some(SORTED[2]), "cursor kept");
}

#[test]
fn q_quits_from_the_list() {
    let mut a = app();
    let fx = a.handle_key(ch('q'));
    assert!(a.should_quit(), "{fx:?}");
}

// ----- search -----

#[test]
fn slash_search_duc_finds_duc_and_enter_opens_it() {
    let mut a = app();
    press(&mut a, &[ch('/')]);
    assert!(list(&a).is_searching());
    assert!(
        list(&a).index_ready(),
        "in-memory stores build the index at once"
    );
    type_str(&mut a, "duc");
    let results = list(&a).result_texts();
    assert!(!results.is_empty() && results.len() < 5, "{results:?}");
    assert_eq!(results[0], "Cơ sở gốm sứ Minh Đức");
    // The representative match says which field matched.
    assert!(
        results
            .iter()
            .any(|r| r.starts_with("Xưởng mộc Ánh Dương · người đại diện: Nguyễn Văn Đức")),
        "{results:?}"
    );
    // 'q' and 'n' are text here, not commands.
    assert!(!a.should_quit());
    press(&mut a, &[key(KeyCode::Enter)]);
    assert_eq!(a.screen_depth(), 2);
    assert_eq!(detail(&a).facility().data.name, "Cơ sở gốm sứ Minh Đức");
    // Back to the results, still searching; Esc clears the search.
    press(&mut a, &[key(KeyCode::Esc)]);
    assert_eq!(a.screen_depth(), 1);
    assert_eq!(list(&a).query(), Some("duc"));
    press(&mut a, &[key(KeyCode::Esc)]);
    assert!(!list(&a).is_searching());
    assert_eq!(list(&a).total(), 5);
    assert_eq!(a.screen_depth(), 1);
}

#[test]
fn search_highlights_the_matched_letters() {
    let mut a = app();
    press(&mut a, &[ch('/')]);
    type_str(&mut a, "duc");
    let text = marked_text(&draw(&a));
    assert!(text.contains("Minh [Đức]"), "{text}");
    assert!(text.contains("Nguyễn Văn [Đức]"), "{text}");
}

#[test]
fn search_results_keep_the_list_columns() {
    let mut a = app();
    press(&mut a, &[ch('/')]);
    type_str(&mut a, "duc");
    let text = screen_text(&a);
    let header = text.lines().find(|l| l.contains("Tên cơ sở")).unwrap_or("");
    for col in ["Xã/phường", "Nhóm", "LĐ", "Danh hiệu"] {
        assert!(header.contains(col), "{col}: {text}");
    }
    // No result has a status: the empty column gives its room to the name (issue 16).
    assert!(!header.contains("Trạng thái"), "{text}");
    let row = text.lines().find(|l| l.contains("Minh Đức")).unwrap_or("");
    for cell in ["Bát Tràng", "NN2", "25", "★4 TB tỉnh"] {
        assert!(row.contains(cell), "{cell}: {text}");
    }
    // Moving through the results and typing more keep them.
    press(&mut a, &[key(KeyCode::Down)]);
    type_str(&mut a, " ");
    let text = screen_text(&a);
    let row = text.lines().find(|l| l.contains("Minh Đức")).unwrap_or("");
    assert!(row.contains("NN2") && row.contains("25"), "{text}");
    // A paused facility brings the status column back.
    press(&mut a, &[key(KeyCode::Esc), ch('/')]);
    type_str(&mut a, "ba tu");
    let text = screen_text(&a);
    let header = text.lines().find(|l| l.contains("Tên cơ sở")).unwrap_or("");
    assert!(header.contains("Trạng thái"), "{text}");
    let row = text.lines().find(|l| l.contains("Bà Tư")).unwrap_or("");
    assert!(row.contains("Tạm ngừng"), "{text}");
}

#[test]
fn search_ime_backspaces_requery() {
    let mut a = app();
    press(&mut a, &[ch('/')]);
    // Unikey over PuTTY: "đ" typed as d, d → backspace + đ; Ctrl+H is the backspace.
    type_str(&mut a, "dd");
    press(
        &mut a,
        &[KeyEvent::new(KeyCode::Char('h'), KeyModifiers::CONTROL)],
    );
    press(
        &mut a,
        &[KeyEvent::new(KeyCode::Char('h'), KeyModifiers::CONTROL)],
    );
    type_str(&mut a, "đức");
    assert_eq!(list(&a).query(), Some("đức"));
    assert_eq!(list(&a).result_texts()[0], "Cơ sở gốm sứ Minh Đức");
}

#[test]
fn search_index_follows_an_archive() {
    let mut a = app();
    press(&mut a, &[ch('/')]);
    type_str(&mut a, "minh duc");
    assert_eq!(list(&a).result_texts(), ["Cơ sở gốm sứ Minh Đức"]);
    press(
        &mut a,
        &[key(KeyCode::Enter), ch('a'), ch('c'), key(KeyCode::Esc)],
    );
    assert_eq!(a.screen_depth(), 1);
    // Back on the search: the index was rebuilt without the archived facility.
    assert!(
        list(&a).result_texts().is_empty(),
        "{:?}",
        list(&a).result_texts()
    );
    press(&mut a, &[key(KeyCode::Esc)]);
    assert_eq!(list(&a).total(), 4);
}

// ----- sort and filter -----

#[test]
fn sort_by_workers_reorders() {
    let mut a = app();
    press(&mut a, &[ch('s')]);
    assert_eq!(a.overlay(), Some(OverlayKind::Picker));
    type_str(&mut a, "nhieu");
    press(&mut a, &[key(KeyCode::Enter)]);
    assert_eq!(a.overlay(), None);
    assert_eq!(
        list(&a).loaded_names(),
        [
            "HTX mây tre đan Phú Vinh",
            "Cơ sở gốm sứ Minh Đức",
            "Bánh tráng Bà Tư",
            "Xưởng mộc Ánh Dương",
            "Chế biến chè Ông Ba"
        ]
    );
    assert!(screen_text(&a).contains("Lao động (nhiều → ít)"));
}

#[test]
fn filter_by_trade_group() {
    let mut a = app();
    press(&mut a, &[ch('f')]);
    type_str(&mut a, "nhom");
    press(&mut a, &[key(KeyCode::Enter)]);
    assert_eq!(
        a.overlay(),
        Some(OverlayKind::Picker),
        "the trade-group picker"
    );
    type_str(&mut a, "NN1");
    press(&mut a, &[key(KeyCode::Enter)]);
    assert_eq!(a.overlay(), None);
    let l = list(&a);
    assert_eq!(l.total(), 2);
    assert_eq!(
        l.loaded_names(),
        ["Bánh tráng Bà Tư", "Chế biến chè Ông Ba"]
    );
    assert_eq!(l.filter().trade_group.as_deref(), Some("NN1"));
    assert!(screen_text(&a).contains("Lọc: NN1"));
    // Clear it again.
    press(&mut a, &[ch('f')]);
    type_str(&mut a, "bo moi");
    press(&mut a, &[key(KeyCode::Enter)]);
    assert_eq!(list(&a).total(), 5);
}

#[test]
fn filter_by_commune() {
    let mut a = app();
    press(&mut a, &[ch('f')]);
    type_str(&mut a, "theo xa");
    press(&mut a, &[key(KeyCode::Enter)]);
    type_str(&mut a, "phu thuong");
    press(&mut a, &[key(KeyCode::Enter)]);
    assert_eq!(
        list(&a).loaded_names(),
        ["Bánh tráng Bà Tư", "HTX mây tre đan Phú Vinh"]
    );
}

// ----- archive -----

#[test]
fn archive_asks_then_hides_and_the_archive_view_shows_it() {
    let mut a = app();
    press(&mut a, &[key(KeyCode::Down), ch('a')]);
    assert_eq!(a.overlay(), Some(OverlayKind::Confirm));
    // Default No: nothing happens.
    press(&mut a, &[key(KeyCode::Enter)]);
    assert_eq!(list(&a).total(), 5);
    press(&mut a, &[ch('a'), ch('c')]);
    assert_eq!(a.overlay(), None);
    assert_eq!(list(&a).total(), 4);
    assert!(!list(&a).loaded_names().contains(&"Chế biến chè Ông Ba"));
    assert!(a.toast().is_some_and(|t| t.contains("Chế biến chè Ông Ba")));
    // The message sits inside the frame: its bottom border stays whole (issue 16).
    let text = screen_text(&a);
    let lines: Vec<&str> = text.lines().collect();
    let border = lines[lines.len() - 2];
    assert!(
        border.starts_with("\"└") && border.ends_with("┘\"") && !border.contains(' '),
        "{text}"
    );
    assert!(
        lines[lines.len() - 3].contains("Chế biến chè Ông Ba"),
        "{text}"
    );
    // Show the archive, restore it with u.
    press(&mut a, &[ch('f')]);
    type_str(&mut a, "luu tru");
    press(&mut a, &[key(KeyCode::Enter)]);
    assert_eq!(list(&a).loaded_names(), ["Chế biến chè Ông Ba"]);
    let text = screen_text(&a);
    assert!(text.contains("đã lưu trữ"), "{text}");
    let footer = text.lines().last().unwrap_or_default().to_string();
    assert!(
        footer.contains("u Khôi phục") && footer.contains("q Thoát"),
        "{footer}"
    );
    press(&mut a, &[ch('u')]);
    assert_eq!(list(&a).total(), 0);
    press(&mut a, &[ch('f')]);
    type_str(&mut a, "dang quan ly");
    press(&mut a, &[key(KeyCode::Enter)]);
    assert_eq!(list(&a).total(), 5);
}

#[test]
fn archive_of_a_record_changed_elsewhere_reports_the_conflict() {
    let mut a = app();
    // Someone else edits the first row after the list was loaded.
    let id = {
        let s = a.store();
        let rows = s
            .list_facilities(&Default::default(), Default::default(), false, 0, 1)
            .unwrap();
        rows[0].id.clone()
    };
    let f = a.store().facility(&id).unwrap().unwrap();
    let mut input = ctv::domain::FacilityInput::from_data(&f.data);
    input.workers = "99".into();
    a.store_mut().update_facility(&id, 1, &input).unwrap();
    press(&mut a, &[ch('a'), ch('c')]);
    let t = a.toast().unwrap_or_default().to_string();
    assert!(t.contains("vừa được người khác sửa"), "{t}");
    assert!(!a.store().facility(&id).unwrap().unwrap().meta.archived);
}

#[test]
fn archive_from_the_detail_screen() {
    let mut a = app();
    press(&mut a, &[key(KeyCode::Enter), ch('a'), ch('y')]);
    assert!(detail(&a).facility().meta.archived);
    assert!(screen_text(&a).contains("ĐÃ LƯU TRỮ"));
    press(&mut a, &[key(KeyCode::Esc)]);
    assert_eq!(list(&a).total(), 4, "the list reloaded after the pop");
}

// ----- detail -----

fn app_with_history() -> App {
    let (mut s, clock) = seeded_store();
    let f = s
        .list_facilities(&Default::default(), Default::default(), false, 2, 1)
        .unwrap()
        .remove(0);
    assert_eq!(f.data.name, "Cơ sở gốm sứ Minh Đức");
    clock.set(Utc.with_ymd_and_hms(2026, 12, 1, 9, 30, 0).unwrap());
    let mut input = FacilityInput::from_data(&f.data);
    input.workers = "30".into();
    input.status = "paused".into();
    s.update_facility(&f.id, 1, &input).unwrap();
    let mut a = app_with(s);
    press(
        &mut a,
        &[key(KeyCode::Down), key(KeyCode::Down), key(KeyCode::Enter)],
    );
    a
}

#[test]
fn detail_panes_switch_with_tab_and_digits() {
    let mut a = app_with_history();
    press(&mut a, &[key(KeyCode::Tab)]);
    assert_eq!(detail(&a).pane(), Pane::Consultations);
    assert!(screen_text(&a).contains("Chưa có lần làm việc nào"));
    press(&mut a, &[key(KeyCode::BackTab), key(KeyCode::BackTab)]);
    assert_eq!(detail(&a).pane(), Pane::History);
    press(&mut a, &[ch('1')]);
    assert_eq!(detail(&a).pane(), Pane::Info);
    press(&mut a, &[ch('3')]);
    assert_eq!(detail(&a).pane(), Pane::Proposals);
}

#[test]
fn detail_history_lists_create_and_update_newest_first() {
    let mut a = app_with_history();
    press(&mut a, &[ch('4')]);
    let lines = detail(&a).pane_text();
    let update = lines
        .iter()
        .position(|l| l.starts_with("01/12/2026 16:30 · Nguyễn Thị Hoa · Sửa (phiên bản 2)"))
        .unwrap_or_else(|| panic!("{lines:#?}"));
    let create = lines
        .iter()
        .position(|l| l.starts_with("25/11/2026 10:00 · Nguyễn Thị Hoa · Tạo mới (phiên bản 1)"))
        .unwrap_or_else(|| panic!("{lines:#?}"));
    assert!(update < create, "newest first: {lines:#?}");
    assert!(
        lines.iter().any(|l| l.contains("Số lao động: 25 → 30")),
        "{lines:#?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("Trạng thái: Đang hoạt động → Tạm ngừng")),
        "{lines:#?}"
    );
}

#[test]
fn detail_info_shows_labels_and_meta() {
    let a = app_with_history();
    let lines = detail(&a).pane_text();
    for want in [
        "Tên cơ sở: Cơ sở gốm sứ Minh Đức",
        "Nhóm ngành nghề: NN2 — Sản xuất hàng thủ công mỹ nghệ",
        "Mã xã/phường: Xã Bát Tràng, Thành phố Hà Nội (00577)",
        "Số sao OCOP: 4 sao",
        "Cấp sản phẩm CNNT tiêu biểu: Cấp tỉnh",
        "Trạng thái: Tạm ngừng",
        "Xuất khẩu: Không",
        "Tạo lúc: 25/11/2026 10:00, bởi Nguyễn Thị Hoa",
        "Cập nhật lúc: 01/12/2026 16:30, bởi Nguyễn Thị Hoa",
        "Phiên bản: 2",
    ] {
        assert!(
            lines.iter().any(|l| l == want),
            "{want:?} not in {lines:#?}"
        );
    }
}

#[test]
fn detail_scrolls() {
    let mut a = app_with_history();
    screen_text(&a); // a draw tells the screen its height
    let before = screen_text(&a);
    press(&mut a, &[key(KeyCode::End)]);
    let after = screen_text(&a);
    assert_ne!(before, after);
    assert!(after.contains("Mã bản ghi"), "{after}");
}

// ----- first run -----

#[test]
fn no_profile_opens_the_wizard_which_hands_over_to_the_list() {
    let store = Store::open_in_memory(Arc::new(clock())).unwrap();
    let mut a = App::new(
        AppContext {
            who: ctv::words::format::who_label(Lang::Vi, store.profile()),
            ..ctx(Lang::Vi)
        },
        store,
    );
    assert!(a.top_screen().is::<SetupScreen>());
    assert!(screen_text(&a).contains("Chưa có hồ sơ cộng tác viên"));
    type_str(&mut a, "Nguyễn Thị Hoa");
    press(&mut a, &[key(KeyCode::Enter), key(KeyCode::Enter)]);
    assert_eq!(a.overlay(), Some(OverlayKind::Picker), "the commune picker");
    type_str(&mut a, PHU_THUONG);
    press(&mut a, &[key(KeyCode::Enter), key(KeyCode::Enter)]);
    assert_eq!(a.screen_depth(), 1);
    assert_eq!(list(&a).total(), 0);
    let text = screen_text(&a);
    assert!(
        text.contains("Nguyễn Thị Hoa · cộng tác viên cấp xã"),
        "{text}"
    );
    assert!(text.contains("Chưa có cơ sở nào. Nhấn n để thêm"), "{text}");
    assert!(text.contains("ctv facilities import"), "{text}");
}

// ----- a large list -----

fn big_store(n: usize) -> Store {
    let clock = clock();
    let mut s = store_with_profile(&clock);
    let communes = vec![BAT_TRANG.to_string(), PHU_THUONG.to_string()];
    let rows = ctv::demo::generate(n, 7, &communes);
    s.import_facilities(&rows).unwrap();
    s
}

#[test]
fn a_thousand_facilities_load_only_a_window() {
    let mut a = app_with(big_store(1000));
    let l = list(&a);
    assert_eq!(l.total(), 1000);
    assert!(l.loaded_rows() <= 300, "{}", l.loaded_rows());
    assert_eq!(l.loads(), 1);
    screen_text(&a);
    // Line by line through the first rows: no new query.
    for _ in 0..30 {
        press(&mut a, &[key(KeyCode::Down)]);
    }
    assert_eq!(list(&a).loads(), 1);
    press(&mut a, &[key(KeyCode::End)]);
    let l = list(&a);
    assert_eq!(l.selected(), 999);
    assert!(l.loaded_rows() <= 300);
    assert_eq!(l.loads(), 2);
    assert!(l.selected_name().is_some());
    let text = screen_text(&a);
    assert!(text.contains("1.000 / 1.000 cơ sở"), "{text}");
    press(&mut a, &[key(KeyCode::PageUp), key(KeyCode::Home)]);
    assert!(list(&a).selected_name().is_some());
}

/// A writer the test can read while the terminal holds it.
#[derive(Clone, Default)]
struct Counter(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Counter {
    fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

/// An 80×24 terminal on the real (crossterm) backend, writing into a counter.
fn real_terminal() -> (Terminal<CrosstermBackend<Counter>>, Counter) {
    let out = Counter::default();
    let opts = TerminalOptions {
        viewport: Viewport::Fixed(Rect::new(0, 0, 80, 24)),
    };
    let term = Terminal::with_options(CrosstermBackend::new(out.clone()), opts).unwrap();
    (term, out)
}

#[test]
fn a_cursor_move_writes_only_the_changed_rows() {
    let mut a = app_with(big_store(1000));
    let (mut term, out) = real_terminal();
    term.draw(|f| a.render(f)).unwrap();
    let mut worst = 0;
    // Within the page (17 rows at 80×24); scrolling redraws the rows that move.
    for _ in 0..15 {
        out.take();
        a.handle_key(key(KeyCode::Down));
        term.draw(|f| a.render(f)).unwrap();
        worst = worst.max(out.take().len());
    }
    // Two rows and the counter (the loop adds 16 bytes of synchronized-output codes). The
    // selection is the whole row everywhere (issue 16), so both rows are rewritten whole.
    assert!(worst <= 300 - 16, "{worst} bytes for one cursor move");
    // Idle: nothing to draw (the loop draws only when dirty).
    a.take_dirty();
    assert!(!a.is_dirty());
    // And a frame drawn anyway sends no cell, only ratatui's style reset and cursor state.
    term.draw(|f| a.render(f)).unwrap();
    let idle = String::from_utf8_lossy(&out.take()).to_string();
    assert!(
        !idle.chars().any(|c| c.is_alphanumeric() && !c.is_ascii()),
        "{idle:?}"
    );
    assert!(idle.len() <= 32, "{idle:?}");
}

// ----- snapshots (80×24, Vietnamese) -----

#[test]
fn snapshot_list_vi_80x24() {
    let mut a = app();
    press(&mut a, &[key(KeyCode::Down)]);
    insta::assert_snapshot!("list_vi_80x24", screen_text(&a));
}

#[test]
fn snapshot_list_searching_vi_80x24() {
    let mut a = app();
    press(&mut a, &[ch('/')]);
    type_str(&mut a, "duc");
    insta::assert_snapshot!("list_search_vi_80x24", marked_text(&draw(&a)));
}

#[test]
fn snapshot_detail_info_vi_80x24() {
    let a = app_with_history();
    insta::assert_snapshot!("detail_info_vi_80x24", screen_text(&a));
}

#[test]
fn snapshot_detail_history_vi_80x24() {
    let mut a = app_with_history();
    press(&mut a, &[ch('4')]);
    insta::assert_snapshot!("detail_history_vi_80x24", screen_text(&a));
}

#[test]
fn snapshot_list_help_vi_80x24() {
    let mut a = app();
    press(&mut a, &[key(KeyCode::F(1))]);
    insta::assert_snapshot!("list_help_vi_80x24", screen_text(&a));
}

#[test]
fn snapshot_list_en_80x24() {
    let mut a = App::new(ctx(Lang::En), seeded_store().0);
    press(&mut a, &[key(KeyCode::End)]);
    insta::assert_snapshot!("list_en_80x24", screen_text(&a));
}

/// Field trial (issue 16): on a facility outside the user's area, `e`, `c` and `f` are
/// refused when the key is pressed, with the reason, and no form opens.
#[test]
fn actions_outside_the_area_are_refused_at_the_key_press() {
    let (mut s, _clock) = seeded_store();
    // The area officer narrows to Bát Tràng only: Phú Thượng's facilities are now outside.
    s.init_profile(
        &ProfileInput {
            name: "Nguyễn Thị Hoa".into(),
            role: "area".into(),
            units: BAT_TRANG.into(),
            account: None,
        },
        true,
    )
    .unwrap();
    let mut a = app_with(s);
    // `o` shows the other areas too; "Bánh tráng Bà Tư" (Phú Thượng) sorts first.
    press(&mut a, &[ch('o')]);
    assert_eq!(list(&a).selected_name(), Some("Bánh tráng Bà Tư"));
    // `p` proposes (flag) from the list; `f` is the filter here; `a` archives.
    for k in ['e', 'c', 'p', 'a'] {
        press(&mut a, &[ch(k)]);
        assert!(a.top_screen().is::<ListScreen>(), "{k} opened a form");
        assert_eq!(a.overlay(), None, "{k} asked a question");
        let text = screen_text(&a);
        assert!(text.contains("nằm ngoài địa bàn"), "{k}: {text}");
    }
    // Inside the area the form opens as before.
    press(&mut a, &[key(KeyCode::Down)]);
    assert_eq!(list(&a).selected_name(), Some("Chế biến chè Ông Ba"));
    press(&mut a, &[ch('c')]);
    assert!(
        !a.top_screen().is::<ListScreen>(),
        "c on Chế biến chè Ông Ba opens the form: {}",
        screen_text(&a)
    );
}

/// The area officer narrowed to Bát Tràng (Phú Thượng's two facilities outside).
fn app_of_bat_trang() -> App {
    let (mut s, _clock) = seeded_store();
    s.init_profile(
        &ProfileInput {
            name: "Nguyễn Thị Hoa".into(),
            role: "area".into(),
            units: BAT_TRANG.into(),
            account: None,
        },
        true,
    )
    .unwrap();
    app_with(s)
}

/// Field trial (issue 16): the list and the search show the user's own area by default;
/// `o` (in the footer and the help) shows the other areas too, marked read-only in the title,
/// and back.
#[test]
fn the_list_and_search_show_the_own_area_until_o() {
    let mut a = app_of_bat_trang();
    assert_eq!(
        list(&a).loaded_names(),
        [
            "Chế biến chè Ông Ba",
            "Cơ sở gốm sứ Minh Đức",
            "Xưởng mộc Ánh Dương"
        ]
    );
    let text = screen_text(&a);
    assert!(!text.contains("chỉ xem"), "{text}");
    let footer = text.lines().last().unwrap_or_default().to_string();
    assert!(footer.contains("o Cả tỉnh"), "{footer}");
    // The search too: a facility of Phú Thượng is not found.
    press(&mut a, &[ch('/')]);
    type_str(&mut a, "phu vinh");
    assert!(
        list(&a).result_texts().is_empty(),
        "{:?}",
        list(&a).result_texts()
    );
    press(&mut a, &[key(KeyCode::Esc)]);
    // `o`: all five, the title says they are shown read-only.
    press(&mut a, &[ch('o')]);
    assert!(list(&a).shows_other_areas());
    assert_eq!(list(&a).total(), 5);
    let text = screen_text(&a);
    assert!(text.contains("cả tỉnh (ngoài địa bàn: chỉ xem)"), "{text}");
    press(&mut a, &[ch('/')]);
    type_str(&mut a, "phu vinh");
    assert_eq!(
        list(&a).result_texts().first().copied(),
        Some("HTX mây tre đan Phú Vinh")
    );
    press(&mut a, &[key(KeyCode::Esc), ch('o')]);
    assert_eq!(list(&a).total(), 3);
    // The help lists the key (its list section).
    let sections = Keymap::default().help_sections();
    assert!(
        sections
            .iter()
            .flat_map(|(_, rows)| rows)
            .any(|(k, l)| k == "o" && *l == "ui.action.other_areas"),
        "{sections:?}"
    );
}

/// A province sees its whole province: nothing to toggle.
#[test]
fn a_province_has_no_other_areas_key() {
    let clock = clock();
    let mut s = Store::open_in_memory(Arc::new(clock.clone())).unwrap();
    s.init_profile(
        &ProfileInput {
            name: "Sở Công Thương".into(),
            role: "province".into(),
            units: "01".into(),
            account: None,
        },
        false,
    )
    .unwrap();
    let a = app_with(s);
    let text = screen_text(&a);
    let footer = text.lines().last().unwrap_or_default().to_string();
    assert!(!footer.contains("Cả tỉnh"), "{footer}");
}

/// Field trial (issue 16): Esc leaves the archive view (back to the current list).
#[test]
fn esc_leaves_the_archive_view() {
    let mut a = app();
    press(&mut a, &[key(KeyCode::Down), ch('a'), ch('c')]);
    assert_eq!(list(&a).total(), 4);
    press(&mut a, &[ch('f')]);
    type_str(&mut a, "luu tru");
    press(&mut a, &[key(KeyCode::Enter)]);
    assert!(list(&a).filter().archived);
    press(&mut a, &[key(KeyCode::Esc)]);
    assert!(!list(&a).filter().archived);
    assert_eq!(list(&a).total(), 4);
    assert!(a.top_screen().is::<ListScreen>());
}

/// Field trial (issue 16): `u` on a facility that is not archived claims nothing (in the list
/// and on its detail screen).
#[test]
fn u_on_an_active_facility_says_nothing_was_restored() {
    let mut a = app();
    press(&mut a, &[ch('u')]);
    assert_eq!(a.toast(), None);
    assert_eq!(list(&a).total(), 5);
    press(&mut a, &[key(KeyCode::Enter), ch('u')]);
    assert!(a.top_screen().is::<DetailScreen>());
    assert_eq!(a.toast(), None);
    let text = screen_text(&a);
    assert!(!text.contains("khôi phục"), "{text}");
}

/// Field trial (issue 16): at 60 columns the detail's four tabs stay reachable (the counts,
/// then the names of the other tabs, give way), in both languages.
#[test]
fn detail_tabs_stay_reachable_at_60_columns() {
    for lang in [Lang::Vi, Lang::En] {
        let (mut s, _clock) = seeded_store();
        // Enough consultations for the counts to take room.
        let f = s
            .list_facilities(&Default::default(), Default::default(), false, 2, 1)
            .unwrap()
            .remove(0);
        for _ in 0..12 {
            s.add_consultation(&ctv::domain::consultation::ConsultationInput {
                facility_id: f.id.clone(),
                mode: "TRUC_TIEP".into(),
                topics: "KC03".into(),
                ..Default::default()
            })
            .unwrap();
        }
        let mut a = App::new(ctx(lang), s);
        press(
            &mut a,
            &[key(KeyCode::Down), key(KeyCode::Down), key(KeyCode::Enter)],
        );
        assert_eq!(detail(&a).facility().id, f.id);
        let text = common::ui::screen_text_sized(&a, 60, 18);
        let tabs = text.lines().nth(2).unwrap_or_default().to_string();
        for n in ["1 ", "2 ", "3 ", "4 "] {
            assert!(tabs.contains(n), "{lang:?} {n}: {text}");
        }
        // Pane 4 shows the history when chosen.
        press(&mut a, &[ch('4')]);
        assert_eq!(detail(&a).pane(), Pane::History);
    }
}

/// Field trial (issue 16): a pop-up clears the rows it covers across the screen (inside its
/// frame), so no cut words of the list are left at its edges.
#[test]
fn a_popup_leaves_no_fragments_at_its_edges() {
    for keys in [vec![ch('a')], vec![ch('f')], vec![key(KeyCode::F(1))]] {
        let mut a = app();
        press(&mut a, &keys);
        assert!(a.overlay().is_some());
        for size in [(60, 18), (80, 24)] {
            let text = common::ui::screen_text_sized(&a, size.0, size.1);
            for line in text
                .lines()
                .filter(|l| l.contains('┌') || l.contains('└'))
                .skip(1)
            {
                let line = line.trim_matches('"');
                // Inside the screen's frame: blank up to the popup's border, and after it.
                let inner: String = line.chars().skip(1).collect();
                let (left, rest) = inner.split_at(inner.find(['┌', '└']).unwrap_or(0));
                let right = rest.rsplit_once(['┐', '┘']).map_or("", |(_, r)| r);
                // (On the frame's own top or bottom row, its line.)
                let blank = |s: &str| s.chars().all(|c| c == ' ' || c == '─');
                assert!(blank(left), "{keys:?} {size:?} {line:?}\n{text}");
                assert!(
                    blank(right.trim_end_matches(['│', '┐', '┘'])),
                    "{keys:?} {size:?} {line:?}\n{text}"
                );
            }
        }
    }
}
