//! The craft-village register and products (issue 17): they travel commune → province →
//! receipt unchanged; an import links the village a list names (folded, in the row's
//! commune) and names the ones it cannot; titles expire on the clock's date; a phường of a
//! centrally-run city is eligible only when linked to a recognised village of the register.

mod common;

use std::sync::Arc;

use common::bundles::{export_to, import_bundle};
use common::projects::{as_profile, keys_dir, open};
use common::proposals::vn;
use common::ui::{app_vi, screen_text_sized};
use common::villages::{ocop, typical, village, village_with_product};
use common::{commune_db, ctv};
use ctv::bundle::receive;
use ctv::clock::FixedClock;
use ctv::domain::issue::Problem;
use ctv::domain::proposal::check_eligibility;
use ctv::store::{Store, StoreError};
use ctv::words::village::title_mark;
use ctv::words::Lang;

#[test]
fn villages_and_products_travel_to_the_province_and_the_receipt_counts_them() {
    keys_dir();
    let tmp = tempfile::tempdir().unwrap();
    let clock = FixedClock::new(vn(2026, 11, 25, 9));
    let (mut a, _) = open(tmp.path(), "commune.db", &clock);
    as_profile(&mut a, "Nguyễn Văn An", "commune", "00004");
    let titles = [ocop("4", "01/03/2024"), typical("TINH", "2025")];
    let (v, fid, p) = village_with_product(&mut a, "00004", &titles);
    assert_eq!(p.titles[0].expiry_date.as_deref(), Some("2027-03-01"));

    let (mut prov, _) = open(tmp.path(), "province.db", &clock);
    as_profile(&mut prov, "Trung tâm Khuyến công Hà Nội", "province", "01");
    let b1 = export_to(&mut a, tmp.path().join("b1.ctvb"));
    let r = import_bundle(&mut prov, &b1);
    assert_eq!(r.count("craft_village").new, 1, "{r:?}");
    assert_eq!(r.count("product").new, 1, "{r:?}");
    // The province holds exactly what the commune sent.
    assert_eq!(prov.village(&v.id).unwrap().unwrap().0, v);
    assert_eq!(prov.product(&p.id).unwrap().unwrap().0, p);
    let f = prov.facility(&fid).unwrap().unwrap();
    assert_eq!(f.village_id.as_deref(), Some(v.id.as_str()));
    assert!(prov.in_recognised_village(&fid).unwrap());

    // The receipt says both were accepted; the commune keeps it.
    let pkey = ctv::bundle::signing_key(&mut prov).unwrap();
    let sender = a.profile().unwrap().id.clone();
    let r1 = tmp.path().join("r1.ctvb");
    let receipt = receive::write_receipt(&prov, &pkey, &sender, None, &r1).unwrap();
    assert_eq!(receipt.accepted.get("craft_village"), Some(&1));
    assert_eq!(receipt.accepted.get("product"), Some(&1));
    let c = receive::check(&a, &r1).unwrap();
    receive::apply_receipt(&mut a, &c, true).unwrap();

    // A title added later travels as an update; the unchanged village does not travel.
    clock.set(vn(2026, 12, 2, 9));
    let (_, version) = a.product(&p.id).unwrap().unwrap();
    let p2 = a
        .add_title(&p.id, version, &ocop("5", "01/12/2026"))
        .unwrap();
    let b2 = export_to(&mut a, tmp.path().join("b2.ctvb"));
    let r = import_bundle(&mut prov, &b2);
    assert_eq!(r.count("product").updated, 1, "{r:?}");
    assert_eq!(r.count("craft_village"), Default::default(), "{r:?}");
    assert_eq!(prov.product(&p.id).unwrap().unwrap().0, p2);
    assert_eq!(
        prov.all_records().unwrap().villages,
        a.all_records().unwrap().villages
    );
    assert_eq!(
        prov.all_records().unwrap().products,
        a.all_records().unwrap().products
    );
}

#[test]
fn a_village_travels_only_with_a_sender_whose_scope_holds_all_its_communes() {
    keys_dir();
    let tmp = tempfile::tempdir().unwrap();
    let clock = FixedClock::new(vn(2026, 11, 25, 9));
    let (mut a, _) = open(tmp.path(), "commune.db", &clock);
    // Written by the province over two communes; a commune of one of them works here.
    as_profile(&mut a, "Trung tâm", "province", "01");
    let both = a
        .add_village(&village("Làng lụa Vạn Phúc", "00004, 00376"))
        .unwrap();
    as_profile(&mut a, "Lê Văn Bình", "commune", "00004");
    let own = a.add_village(&village("Làng mây tre", "00004")).unwrap();
    // A commune cannot register a village reaching outside its scope, nor edit one.
    let refused = a.add_village(&village("Làng gốm", "00004, 00376"));
    assert!(
        matches!(refused, Err(StoreError::Invalid(_))),
        "{refused:?}"
    );
    let edit = a.set_village_archived(&both.id, 1, true);
    assert!(matches!(edit, Err(StoreError::OutOfScope(_))), "{edit:?}");
    // Its bundle carries its own village only (the province would refuse the other).
    let (mut prov, _) = open(tmp.path(), "province.db", &clock);
    as_profile(&mut prov, "Trung tâm Khuyến công Hà Nội", "province", "01");
    let b = export_to(&mut a, tmp.path().join("b.ctvb"));
    let r = import_bundle(&mut prov, &b);
    assert_eq!(r.count("craft_village").new, 1, "{r:?}");
    assert!(prov.village(&own.id).unwrap().is_some());
    assert!(prov.village(&both.id).unwrap().is_none());
}

#[test]
fn an_import_links_the_village_it_names_folded_in_its_commune_and_names_the_rest() {
    let (dir, db) = commune_db();
    let (code, _, err) = ctv(
        &db,
        &[
            "village",
            "add",
            "--name",
            "Làng mây tre đan Phú Vinh",
            "--communes",
            "00004",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let csv = dir.path().join("ds.csv");
    std::fs::write(
        &csv,
        "Tên cơ sở,Mã xã,Làng nghề\n\
         HTX mây tre A,00004,lang may tre dan phu vinh\n\
         Cơ sở gốm B,00004,Làng gốm Bát Tràng\n\
         Cơ sở C,00004,\n",
    )
    .unwrap();
    let (code, out, err) = ctv(&db, &["facilities", "import", csv.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("1 cơ sở gắn với làng nghề"), "{out}");
    // The unmatched one is named with its line; it keeps its free text.
    assert!(err.contains("Dòng 3"), "{err}");
    assert!(err.contains("«Làng gốm Bát Tràng»"), "{err}");
    assert!(!err.contains("Dòng 2"), "{err}");
    let s = Store::open(&db).unwrap();
    let (v, _) = s
        .find_villages("LÀNG MÂY TRE ĐAN PHÚ VINH", None)
        .unwrap()
        .remove(0);
    let linked = s.village_facilities(&v.id).unwrap();
    assert_eq!(linked.len(), 1);
    assert_eq!(linked[0].1, "HTX mây tre A");
    let all = s
        .list_facilities(&Default::default(), Default::default(), false, 0, 10)
        .unwrap();
    let b = all.iter().find(|f| f.data.name == "Cơ sở gốm B").unwrap();
    assert_eq!(b.village_id, None);
    assert_eq!(b.data.craft_village, "Làng gốm Bát Tràng");
}

#[test]
fn a_village_list_with_a_bad_row_is_refused_whole_naming_the_line() {
    let (dir, db) = commune_db();
    let csv = dir.path().join("lang.csv");
    std::fs::write(
        &csv,
        "Tên làng nghề,Mã xã,Tình trạng\n\
         Làng mây tre,00004,đã công nhận\n\
         Làng rèn,99999,\n",
    )
    .unwrap();
    let (code, _, err) = ctv(&db, &["village", "import", csv.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("Dòng 3: Xã/phường"), "{err}");
    assert!(err.contains("99999"), "{err}");
    let (_, out, _) = ctv(&db, &["village", "list"]);
    assert!(out.contains("Chưa có làng nghề nào"), "{out}");
    // Fixed, it imports; the same list again registers nothing twice.
    std::fs::write(
        &csv,
        "Tên làng nghề,Mã xã,Tình trạng\nLàng mây tre,00004,đã công nhận\n",
    )
    .unwrap();
    let (code, out, err) = ctv(&db, &["village", "import", csv.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Đã nhập 1 làng nghề (0"), "{out}");
    let (_, out, _) = ctv(&db, &["village", "import", csv.to_str().unwrap()]);
    assert!(out.contains("Đã nhập 0 làng nghề (1"), "{out}");
}

#[test]
fn titles_expire_on_the_clocks_date_and_the_list_marks_them() {
    let clock = FixedClock::new(vn(2027, 2, 28, 9));
    let mut s = Store::open_in_memory(Arc::new(clock.clone())).unwrap();
    as_profile(&mut s, "Trần Thị Bình", "commune", "00004");
    let (_, fid, _) = village_with_product(&mut s, "00004", &[ocop("4", "01/03/2024")]);
    let mark = |s: &Store| {
        let t = s.titles_of_facilities(&[&fid]).unwrap();
        title_mark(Lang::Vi, &t[&fid], s.today())
    };
    // The certificate runs 36 months: to 01/03/2027 inclusive.
    assert_eq!(mark(&s), "OCOP 4★");
    clock.set(vn(2027, 3, 1, 23));
    assert_eq!(mark(&s), "OCOP 4★");
    clock.set(vn(2027, 3, 2, 0));
    assert_eq!(mark(&s), "4★ hết hạn");

    // The terminal app's list shows the same marks, dated the same way.
    clock.set(vn(2027, 2, 28, 9));
    let app = app_vi(s);
    let screen = screen_text_sized(&app, 100, 12);
    assert!(screen.contains("OCOP 4★"), "{screen}");
    clock.set(vn(2027, 3, 2, 9));
    let s = app.into_store();
    let app = app_vi(s);
    let screen = screen_text_sized(&app, 100, 12);
    assert!(screen.contains("4★ hết hạn"), "{screen}");
    assert!(!screen.contains("OCOP 4★"), "{screen}");
}

#[test]
fn a_phuong_of_a_city_is_eligible_only_in_a_recognised_village_of_the_register() {
    let clock = FixedClock::new(vn(2026, 11, 25, 9));
    let mut s = Store::open_in_memory(Arc::new(clock.clone())).unwrap();
    as_profile(&mut s, "Trần Thị Bình", "commune", "00004");
    // 00004 Phường Ba Đình, Hà Nội: a phường of a centrally-run city.
    let (v, fid, _) = village_with_product(&mut s, "00004", &[]);
    let ward_warning = |s: &Store| {
        let f = s.facility(&fid).unwrap().unwrap();
        check_eligibility(&f.data, s.in_recognised_village(&fid).unwrap(), s.today())
            .into_iter()
            .any(|i| matches!(i.problem, Problem::CityWardOutsideCraftVillage { .. }))
    };
    assert!(!ward_warning(&s), "linked to a recognised village");
    // Not (or no longer) recognised: the warning comes back, free text or not.
    let (_, version) = s.village(&v.id).unwrap().unwrap();
    let mut input = ctv::store::village_input(&v);
    input.status = "THU_HOI".into();
    s.edit_village(&v.id, version, &input).unwrap();
    assert!(ward_warning(&s));
    input.status = "CONG_NHAN".into();
    s.edit_village(&v.id, version + 1, &input).unwrap();
    assert!(!ward_warning(&s));
    // An edit on a stale version is a conflict and changes nothing.
    input.status = "THU_HOI".into();
    assert!(matches!(
        s.edit_village(&v.id, version, &input),
        Err(StoreError::Conflict { .. })
    ));
    assert!(!ward_warning(&s));
    // Unlinked, the free-text name alone does not qualify.
    let f = s.facility(&fid).unwrap().unwrap();
    s.link_village(&fid, f.meta.version, None).unwrap();
    assert!(ward_warning(&s));
    assert!(!s
        .facility(&fid)
        .unwrap()
        .unwrap()
        .data
        .craft_village
        .is_empty());
}

#[test]
fn adopting_the_free_text_names_makes_one_village_per_name_and_commune() {
    let clock = FixedClock::new(vn(2026, 11, 25, 9));
    let mut s = Store::open_in_memory(Arc::new(clock.clone())).unwrap();
    as_profile(&mut s, "Trần Thị Bình", "commune", "00004,00376");
    for (name, commune, village) in [
        ("Cơ sở A", "00004", "Làng gốm"),
        ("Cơ sở B", "00004", "LÀNG GỐM"),
        ("Cơ sở C", "00376", "Làng gốm"),
        ("Cơ sở D", "00376", ""),
    ] {
        s.create_facility(&ctv::domain::FacilityInput {
            name: name.into(),
            commune_code: commune.into(),
            craft_village: village.into(),
            ..Default::default()
        })
        .unwrap();
    }
    let changes = s.change_count().unwrap();
    assert_eq!(s.adopt_villages().unwrap(), (2, 3));
    // Two villages and three links, each logged.
    assert_eq!(s.change_count().unwrap(), changes + 5);
    let vs = s.list_villages(None, false).unwrap();
    assert_eq!(vs.len(), 2);
    assert!(vs.iter().all(|(v, _)| v.status == "CHUA_CONG_NHAN"));
    // Done once: nothing left to adopt.
    assert_eq!(s.adopt_villages().unwrap(), (0, 0));
}

#[test]
fn f12_lists_the_register_and_n_registers_a_village_on_the_form() {
    use common::ui::{ctrl, key, press, type_str};
    use ctv::ui::screens::village_form::VillageFormScreen;
    use ctv::ui::screens::villages::VillagesScreen;
    use ratatui::crossterm::event::KeyCode;

    let clock = FixedClock::new(vn(2026, 11, 25, 9));
    let mut s = Store::open_in_memory(Arc::new(clock.clone())).unwrap();
    as_profile(&mut s, "Trần Thị Bình", "commune", "00004");
    s.add_village(&village("Làng mây tre đan Phú Vinh", "00004"))
        .unwrap();
    let mut app = app_vi(s);
    press(&mut app, &[key(KeyCode::F(12))]);
    let list = app.top_screen().downcast_ref::<VillagesScreen>().unwrap();
    assert_eq!(list.names(), vec!["Làng mây tre đan Phú Vinh"]);
    let screen = screen_text_sized(&app, 100, 12);
    assert!(screen.contains("Danh mục làng nghề"), "{screen}");
    assert!(screen.contains("Đã công nhận"), "{screen}");

    // n: a new village, its commune prefilled from the scope; typed, saved.
    press(&mut app, &[common::ui::ch('n')]);
    let form = app
        .top_screen()
        .downcast_ref::<VillageFormScreen>()
        .unwrap();
    assert_eq!(form.value("communes"), "00004");
    type_str(&mut app, "Làng gốm Bát Tràng");
    press(&mut app, &[ctrl('s')]);
    let list = app.top_screen().downcast_ref::<VillagesScreen>().unwrap();
    assert_eq!(
        list.names(),
        vec!["Làng gốm Bát Tràng", "Làng mây tre đan Phú Vinh"]
    );
    let s = app.into_store();
    let found = s
        .find_villages("lang gom bat trang", Some("00004"))
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0.status, "CONG_NHAN");
}

#[test]
fn a_facility_linked_to_a_village_the_province_cannot_know_refuses_the_bundle() {
    keys_dir();
    let tmp = tempfile::tempdir().unwrap();
    let clock = FixedClock::new(vn(2026, 11, 25, 9));
    let (mut a, _) = open(tmp.path(), "commune.db", &clock);
    // A village over two communes, made here by the province; the commune of one of them
    // links its facility to it, but its bundle cannot carry the village.
    as_profile(&mut a, "Trung tâm", "province", "01");
    let v = a
        .add_village(&village("Làng lụa Vạn Phúc", "00004, 00376"))
        .unwrap();
    as_profile(&mut a, "Lê Văn Bình", "commune", "00004");
    let f = a
        .create_facility(&ctv::domain::FacilityInput {
            name: "Cơ sở lụa Minh".into(),
            commune_code: "00004".into(),
            ..Default::default()
        })
        .unwrap()
        .0;
    a.link_village(&f.id, f.meta.version, Some(&v.id)).unwrap();
    let b = export_to(&mut a, tmp.path().join("b.ctvb"));
    let (mut prov, _) = open(tmp.path(), "province.db", &clock);
    as_profile(&mut prov, "Trung tâm Khuyến công Hà Nội", "province", "01");
    let c = receive::check(&prov, &b).unwrap();
    let err = receive::import(&mut prov, &c, true).unwrap_err();
    let text = ctv::words::receive_error_text(Lang::Vi, &err);
    assert!(text.contains("làng nghề"), "{text}");
    assert!(text.contains(&v.id[v.id.len() - 8..]), "{text}");
    // Nothing was written.
    assert!(prov.facility(&f.id).unwrap().is_none());
}
