//! Support proposals in the terminal app: `f` on a facility opens the prefilled proposal form
//! (money that must add up, cap and eligibility warnings), F5 the proposals screen with its
//! totals and chart, Enter a proposal with its history and the moves the role may make; the
//! facility list marks facilities with open proposals. Driven by key events on an in-memory
//! store with a fixed clock (25/11/2026, 10:00 in Việt Nam), plus 80×24 snapshots.

use ctv::domain::consultation::ConsultationInput;
use ctv::domain::proposal::ProposalStatus as S;
use ctv::store::{ProposalFilter, Store};
use ctv::ui::keymap::Keymap;
use ctv::ui::screens::{DetailScreen, ProposalFormScreen, ProposalViewScreen, ProposalsScreen};
use ctv::ui::theme::Theme;
use ctv::ui::{App, AppContext, OverlayKind};
use ctv::words::Lang;
use ratatui::crossterm::event::KeyCode;

mod common;
use common::proposals::{add, as_role, facility, seven_proposals, store};
use common::ui::{ch, ctrl, key, press, screen_text, type_str};

/// Seven proposals of two facilities: five proposed, one draft, one withdrawn.
fn fixture(s: &mut Store) -> (String, String) {
    let a = facility(s, "HTX mây tre đan Phú Vinh", "00376", "60");
    let b = facility(s, "Cơ sở gốm Bát Tràng", "00004", "12");
    seven_proposals(s, &a, &b);
    (a, b)
}

fn app(store: Store) -> App {
    App::new(
        AppContext {
            lang: Lang::Vi,
            theme: Theme::mono(),
            keymap: Keymap::default(),
            who: "Trần Thị Bình · cán bộ xã".to_string(),
            db_label: "/home/binh/.local/share/ctv/ctv.db".to_string(),
        },
        store,
    )
}

fn form(a: &App) -> &ProposalFormScreen {
    let other = a.top_screen();
    match other.downcast_ref::<ProposalFormScreen>() {
        Some(f) => f,
        None => panic!("expected the proposal form, found {other:?}"),
    }
}

fn list(a: &App) -> &ProposalsScreen {
    let other = a.top_screen();
    match other.downcast_ref::<ProposalsScreen>() {
        Some(p) => p,
        None => panic!("expected the proposals screen, found {other:?}"),
    }
}

fn view(a: &App) -> &ProposalViewScreen {
    let other = a.top_screen();
    match other.downcast_ref::<ProposalViewScreen>() {
        Some(v) => v,
        None => panic!("expected a proposal, found {other:?}"),
    }
}

/// Tab to a field of the proposal form.
fn go_to(a: &mut App, field: &str) {
    for _ in 0..30 {
        if form(a).focused_field() == field {
            return;
        }
        press(a, &[key(KeyCode::Tab)]);
    }
    panic!("never reached {field}");
}

/// Replace the text of a form field.
fn set(a: &mut App, field: &str, text: &str) {
    go_to(a, field);
    for _ in 0..40 {
        press(a, &[key(KeyCode::Backspace)]);
    }
    type_str(a, text);
}

/// The app on the form for a facility with a recorded need (KC03), via its detail screen.
fn app_on_form() -> App {
    app_on_form_with(false)
}

/// The form for a new proposal; with `caps`, the example table is loaded first.
fn app_on_form_with(caps: bool) -> App {
    let (mut s, _) = store();
    if caps {
        common::caps::load_example_caps(&mut s);
    }
    let fac = facility(&mut s, "HTX mây tre đan Phú Vinh", "00376", "60");
    s.add_consultation(&ConsultationInput {
        facility_id: fac,
        mode: "TRUC_TIEP".into(),
        topics: "KC03".into(),
        difficulties: "Chẻ nan thủ công, năng suất thấp".into(),
        needs: "Máy chẻ nan tự động".into(),
        ..Default::default()
    })
    .unwrap();
    let mut a = app(s);
    press(&mut a, &[key(KeyCode::Enter), ch('f')]);
    let f = form(&a);
    assert_eq!(f.value("category"), "KC03");
    assert_eq!(f.value("plan_year"), "2027");
    assert!(f.value("rationale").contains("Máy chẻ nan tự động"));
    assert_eq!(f.value("workers_50"), "true");
    assert_eq!(f.value("woman_owned"), "true");
    assert_eq!(f.value("exports"), "false");
    a
}

/// Funding KCQG through its picker (the first item).
fn pick_funding(a: &mut App) {
    go_to(a, "funding");
    press(a, &[key(KeyCode::Enter)]);
    assert_eq!(a.overlay(), Some(OverlayKind::Picker));
    press(a, &[key(KeyCode::Enter)]);
    assert_eq!(form(a).value("funding"), "KCQG");
}

#[test]
fn the_form_is_prefilled_and_drawn() {
    let mut a = app_on_form();
    pick_funding(&mut a);
    set(&mut a, "total_cost", "1,25 tỷ");
    set(&mut a, "support", "375 triệu");
    set(&mut a, "counterpart", "875 triệu");
    press(&mut a, &[key(KeyCode::Tab)]);
    // Left fields are shown formatted.
    assert_eq!(form(&a).value("total_cost"), "1.250.000.000");
    let text = screen_text(&a);
    assert!(text.contains("1.250.000.000 đ"), "{text}");
    insta::assert_snapshot!("proposal_form_vi_80x24", text);
}

#[test]
fn the_form_refuses_parts_that_do_not_add_up_and_saves_nothing() {
    let mut a = app_on_form();
    pick_funding(&mut a);
    set(&mut a, "total_cost", "1,25 tỷ");
    set(&mut a, "support", "375 triệu");
    set(&mut a, "counterpart", "825 triệu");
    press(&mut a, &[ctrl('s')]);
    // Still on the form, focus on the total, the core's message under it.
    let f = form(&a);
    assert_eq!(f.focused_field(), "total_cost");
    let msgs = f.messages("total_cost", Lang::Vi);
    assert!(
        msgs.iter()
            .any(|(_, m)| m.contains("chênh lệch 50.000.000 đ")),
        "{msgs:?}"
    );
    assert!(
        a.toast().is_some_and(|t| t.contains("lỗi")),
        "{:?}",
        a.toast()
    );
    assert_eq!(
        a.store()
            .count_proposals(&ProposalFilter::default())
            .unwrap(),
        0
    );
    let text = screen_text(&a);
    assert!(text.contains("chênh lệch 50.000.000 đ"), "{text}");

    // Other sources make it add up: saved as a draft, back on the facility.
    set(&mut a, "other_sources", "50 triệu");
    press(&mut a, &[ctrl('s')]);
    assert!(a.top_screen().is::<DetailScreen>());
    assert_eq!(
        a.store()
            .count_proposals(&ProposalFilter::default())
            .unwrap(),
        1
    );
}

#[test]
fn a_cap_warning_is_shown_with_its_reason_and_does_not_block_the_save() {
    let mut a = app_on_form_with(true);
    pick_funding(&mut a);
    set(&mut a, "total_cost", "1,25 tỷ");
    set(&mut a, "support", "400 triệu");
    set(&mut a, "counterpart", "850 triệu");
    press(&mut a, &[key(KeyCode::Tab)]);
    let msgs = form(&a).messages("support", Lang::Vi);
    let cap = msgs
        .iter()
        .find(|(s, _)| *s == ctv::domain::issue::Severity::Warning)
        .map(|(_, m)| m.clone())
        .unwrap_or_default();
    // 30% of 1.25 billion is 375 million: the cap names its category and terms.
    for part in [
        "375.000.000 đ",
        "KC03",
        "30%",
        "800.000.000 đ",
        "Published example",
    ] {
        assert!(cap.contains(part), "{part} not in {cap}");
    }
    assert!(screen_text(&a).contains("Lưu ý:"));
    press(&mut a, &[ctrl('s')]);
    assert!(a.top_screen().is::<DetailScreen>());
    assert!(
        a.toast().is_some_and(|t| t.contains("1 lưu ý")),
        "{:?}",
        a.toast()
    );
}

#[test]
fn the_proposals_screen_shows_totals_and_a_chart() {
    let (mut s, _) = store();
    fixture(&mut s);
    let mut a = app(s);
    press(&mut a, &[key(KeyCode::F(5))]);
    let p = list(&a);
    assert_eq!(p.count(), 7);
    let t = p.totals();
    assert_eq!(t.total.asked, 1_685_000_000);
    // Nothing approved nor paid yet.
    assert_eq!((t.total.approved, t.total.paid), (0, 0));
    let text = screen_text(&a);
    for part in [
        "KC03",
        "1.125.000.000 đ",
        "Phê duyệt",
        "Đã chi",
        "█",
        "KCQG",
        "KCĐP",
    ] {
        assert!(text.contains(part), "{part} not in\n{text}");
    }
    insta::assert_snapshot!("proposals_vi_80x24", text);

    // Filter: proposed only, funding KCQG.
    press(&mut a, &[ch('f')]);
    assert_eq!(a.overlay(), Some(OverlayKind::Picker));
    press(&mut a, &[key(KeyCode::Enter)]); // status
    type_str(&mut a, "đã đề xuất");
    press(&mut a, &[key(KeyCode::Enter)]);
    assert_eq!(list(&a).filter().statuses, vec![S::DeXuat]);
    press(&mut a, &[ch('f')]);
    type_str(&mut a, "nguồn");
    press(&mut a, &[key(KeyCode::Enter)]);
    type_str(&mut a, "KCQG");
    press(&mut a, &[key(KeyCode::Enter)]);
    let p = list(&a);
    assert_eq!(p.count(), 2);
    assert_eq!(p.totals().total.asked, 975_000_000);
    assert!(screen_text(&a).contains("Lọc: Đã đề xuất · KCQG"));
}

/// The app on the proposals screen, the second row (a proposed one) open.
fn open_first_as(s: Store) -> App {
    let mut a = app(s);
    press(
        &mut a,
        &[key(KeyCode::F(5)), key(KeyCode::Down), key(KeyCode::Enter)],
    );
    view(&a);
    a
}

#[test]
fn an_area_officer_reviews_with_a_comment_and_returns_with_a_reason() {
    let (mut s, _) = store();
    fixture(&mut s);
    as_role(&mut s, "Lê Văn Cường", "area", "00376,00004");
    let mut a = open_first_as(s);
    let v = view(&a);
    assert_eq!(v.record().proposal.status, S::DeXuat);
    let id = v.record().proposal.id.clone();
    let footer = a.footer_hints();
    assert!(footer.iter().any(|(k, _)| k == "r"), "{footer:?}");
    assert!(footer.iter().any(|(k, _)| k == "t"), "{footer:?}");
    assert!(!footer.iter().any(|(k, _)| k == "p"), "{footer:?}");

    // Review: the comment is required (the core says so in the prompt).
    press(&mut a, &[ch('r')]);
    assert!(view(&a).is_asking());
    press(&mut a, &[key(KeyCode::Enter)]);
    assert!(
        view(&a)
            .prompt_error()
            .is_some_and(|e| e.contains("Bắt buộc")),
        "{:?}",
        view(&a).prompt_error()
    );
    type_str(&mut a, "Đủ hồ sơ");
    press(&mut a, &[key(KeyCode::Enter)]);
    assert!(!view(&a).is_asking());
    assert_eq!(view(&a).record().proposal.status, S::DaRaSoat);
    assert!(a.toast().is_some_and(|t| t.contains("Đã rà soát")));

    // Return it to the commune, with a reason: a draft again, both moves in the history.
    press(&mut a, &[ch('t')]);
    type_str(&mut a, "Thiếu báo giá máy");
    press(&mut a, &[key(KeyCode::Enter)]);
    assert_eq!(view(&a).record().proposal.status, S::Nhap);
    let h = a.store().proposal_history(&id).unwrap();
    let last: Vec<_> = h.iter().rev().take(2).collect();
    assert_eq!(last[0].reason, "Thiếu báo giá máy");
    assert_eq!(last[0].actor_name, "Lê Văn Cường");
    assert_eq!(last[1].reason, "Đủ hồ sơ");
    // Scroll to the end (the view learns its height when drawn): the timeline, with the
    // newest move and its reason (once the message, drawn over the last rows, has gone).
    a.tick(std::time::Instant::now() + std::time::Duration::from_secs(60));
    let _ = screen_text(&a);
    press(&mut a, &[key(KeyCode::End)]);
    let text = screen_text(&a);
    assert!(
        text.contains("Diễn biến") || text.contains("Đủ hồ sơ"),
        "{text}"
    );
    assert!(text.contains("Lê Văn Cường"), "{text}");
    assert!(text.contains("Thiếu báo giá máy"), "{text}");
    insta::assert_snapshot!("proposal_view_returned_vi_80x24", text);
}

#[test]
fn a_move_the_role_may_not_make_is_refused_by_the_core_in_words() {
    let (mut s, _) = store();
    fixture(&mut s);
    let mut a = open_first_as(s);
    assert_eq!(view(&a).record().proposal.status, S::DeXuat);
    // The commune has no review key in the footer, but pressing it asks the core anyway.
    assert!(!a.footer_hints().iter().any(|(k, _)| k == "r"));
    press(&mut a, &[ch('r')]);
    let toast = a.toast().unwrap_or_default().to_string();
    let refusal = ctv::domain::proposal::check_transition(
        a.store().flow().unwrap(),
        ctv::domain::proposal::Mover::Person(ctv::domain::Role::Commune),
        Some(S::DeXuat),
        S::DaRaSoat,
    )
    .unwrap_err();
    assert!(
        toast.contains(&ctv::words::problems::refusal_text(Lang::Vi, &refusal)),
        "{toast}"
    );
    assert_eq!(view(&a).record().proposal.status, S::DeXuat);
}

#[test]
fn a_stale_proposal_is_refused_with_the_conflict_message_and_reloaded() {
    let (mut s, _) = store();
    fixture(&mut s);
    as_role(&mut s, "Lê Văn Cường", "area", "00376,00004");
    let mut a = open_first_as(s);
    let p = view(&a).record().proposal.clone();
    // Someone else reviews it meanwhile.
    a.store_mut()
        .review_proposal(&p.id, p.version, "Đã xem")
        .unwrap();
    press(&mut a, &[ch('t')]);
    type_str(&mut a, "Thiếu hồ sơ");
    press(&mut a, &[key(KeyCode::Enter)]);
    let toast = a.toast().unwrap_or_default().to_string();
    let want = ctv::words::store_error_text(
        Lang::Vi,
        &ctv::store::StoreError::Conflict {
            id: p.id.clone(),
            expected: p.version,
            found: p.version + 1,
        },
    );
    assert!(toast.contains(&want), "{toast}");
    assert_eq!(view(&a).record().proposal.status, S::DaRaSoat);
}

#[test]
fn the_facility_list_marks_facilities_with_open_proposals() {
    let (mut s, _) = store();
    let a_id = facility(&mut s, "HTX mây tre đan Phú Vinh", "00376", "60");
    let _b = facility(&mut s, "Cơ sở gốm Bát Tràng", "00004", "12");
    let c = facility(&mut s, "Xưởng mộc Ánh Dương", "00376", "5");
    add(&mut s, &a_id, "KC03", "KCQG", ["100", "30", "70", ""]);
    let w = add(&mut s, &c, "KC03", "KCQG", ["100", "30", "70", ""]);
    s.withdraw_proposal(&w.id, w.version, "Không còn nhu cầu")
        .unwrap();
    let a = app(s);
    let text = screen_text(&a);
    let line = |name: &str| {
        text.lines()
            .find(|l| l.contains(name))
            .unwrap_or_default()
            .to_string()
    };
    assert!(line("HTX mây tre").contains('⚑'), "{text}");
    assert!(!line("gốm Bát Tràng").contains('⚑'), "{text}");
    // Withdrawn is not open.
    assert!(!line("Xưởng mộc").contains('⚑'), "{text}");

    // The facility's proposals pane lists them (HTX is the second row by name).
    let mut a = a;
    press(&mut a, &[key(KeyCode::Down), key(KeyCode::Enter), ch('3')]);
    let text = screen_text(&a);
    assert!(
        text.contains("2027 · Nháp · KC03 · 30 đ · Đề án KC03"),
        "{text}"
    );
}

#[test]
fn issue16_money_typed_the_short_way_is_read_and_written_out() {
    let mut a = app_on_form();
    pick_funding(&mut a);
    set(&mut a, "total_cost", "1 tỷ 250 triệu");
    set(&mut a, "support", "300tr");
    set(&mut a, "counterpart", "950tr");
    press(&mut a, &[key(KeyCode::Tab)]);
    assert_eq!(form(&a).value("total_cost"), "1.250.000.000");
    assert_eq!(form(&a).value("support"), "300.000.000");
    assert_eq!(form(&a).value("counterpart"), "950.000.000");
    assert!(form(&a).messages("total_cost", Lang::Vi).is_empty());
    // A wrong one is named under its field.
    set(&mut a, "other_sources", "2 tỷ 5");
    press(&mut a, &[key(KeyCode::Tab)]);
    let msgs = form(&a).messages("other_sources", Lang::Vi);
    assert!(msgs.iter().any(|(_, m)| m.contains("2 tỷ 5")), "{msgs:?}");
}

#[test]
fn the_province_approves_returns_and_refuses_from_the_view() {
    let (mut s, _) = store();
    fixture(&mut s);
    // No area review: the province decides on what is proposed (a shared database).
    s.set_setting("area_review", "no").unwrap();
    as_role(&mut s, "Phạm Thu Hà", "province", "01");
    let mut a = open_first_as(s);
    assert_eq!(view(&a).record().proposal.status, S::DeXuat);
    let footer = a.footer_hints();
    for k in ["y", "n", "t", "w"] {
        assert!(footer.iter().any(|(f, _)| f == k), "{k}: {footer:?}");
    }
    assert!(!footer.iter().any(|(f, _)| f == "r"), "{footer:?}");

    // Approve asks its fields; the amount is prefilled with the support asked, and a
    // missing decision number is said in the prompt, nothing changed.
    press(&mut a, &[ch('y')]);
    assert!(view(&a).is_asking());
    let text = screen_text(&a);
    assert!(text.contains("Phê duyệt đề án"), "{text}");
    press(&mut a, &[key(KeyCode::Enter)]);
    let err = view(&a).prompt_error().unwrap_or_default().to_string();
    assert!(err.contains("Số quyết định"), "{err}");
    assert_eq!(view(&a).record().proposal.status, S::DeXuat);
    press(&mut a, &[key(KeyCode::Esc)]);
    assert!(!view(&a).is_asking());

    // Return for revision, with a reason: «Tỉnh trả lại để sửa».
    press(&mut a, &[ch('t')]);
    type_str(&mut a, "Bổ sung báo giá");
    press(&mut a, &[key(KeyCode::Enter)]);
    assert_eq!(view(&a).record().proposal.status, S::TraLai);
    assert!(a.toast().is_some_and(|t| t.contains("Tỉnh trả lại để sửa")));
    // Returned, it waits for the commune: the province may still propose it again itself
    // (anyone in scope), but no longer decide.
    let footer = a.footer_hints();
    assert!(!footer.iter().any(|(f, _)| f == "y"), "{footer:?}");
}
