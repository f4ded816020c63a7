//! The store and the facility rules: validation, the change log, versions, archive, scope.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use ctv::clock::FixedClock;
use ctv::domain::facility::{normalize_phone, tax_check_digit, validate, ValidationContext};
use ctv::domain::issue::{Problem, Severity};
use ctv::domain::{FacilityInput, ProfileInput};
use ctv::store::{FacilityFilter, FacilitySort, Store, StoreError};

fn clock() -> FixedClock {
    FixedClock::new(Utc.with_ymd_and_hms(2026, 11, 25, 3, 0, 0).unwrap())
}

fn store_as(role: &str, units: &str) -> Store {
    let mut s = Store::open_in_memory(Arc::new(clock())).unwrap();
    s.init_profile(
        &ProfileInput {
            name: "Nguyễn Văn An".into(),
            role: role.into(),
            units: units.into(),
            account: None,
        },
        false,
    )
    .unwrap();
    s
}

fn input(name: &str, commune: &str) -> FacilityInput {
    FacilityInput {
        name: name.into(),
        commune_code: commune.into(),
        ..Default::default()
    }
}

fn ctx(today: (i32, u32, u32)) -> ValidationContext<'static> {
    ValidationContext {
        profile: None,
        today: chrono::NaiveDate::from_ymd_opt(today.0, today.1, today.2).unwrap(),
        spreadsheet: false,
    }
}

fn problems(i: &FacilityInput) -> Vec<(&'static str, Problem, Severity)> {
    match validate(i, &ctx((2026, 11, 25))) {
        Ok((_, w)) => {
            w.0.into_iter()
                .map(|x| (x.field, x.problem, x.severity))
                .collect()
        }
        Err(e) => {
            e.0.into_iter()
                .map(|x| (x.field, x.problem, x.severity))
                .collect()
        }
    }
}

#[test]
fn name_and_commune_are_required_and_the_commune_must_exist() {
    let p = problems(&FacilityInput::default());
    assert!(p.contains(&("name", Problem::Required, Severity::Error)));
    assert!(p.contains(&("commune_code", Problem::Required, Severity::Error)));
    let p = problems(&input("Gốm", "99999"));
    assert_eq!(
        p,
        vec![(
            "commune_code",
            Problem::UnknownCommune {
                code: "99999".into()
            },
            Severity::Error
        )]
    );
    // Excel turns 00004 into 4: padded back.
    let (d, _) = validate(&input("Gốm", "4"), &ctx((2026, 1, 1))).unwrap();
    assert_eq!(d.commune_code, "00004");
}

#[test]
fn tax_numbers_follow_the_mst_rules() {
    assert_eq!(tax_check_digit(b"010023348"), 8);
    let with_tax = |t: &str| FacilityInput {
        tax_code: t.into(),
        ..input("Gốm", "00004")
    };
    assert!(problems(&with_tax("0100233488")).is_empty());
    assert!(problems(&with_tax("0100233488-001")).is_empty());
    assert!(
        problems(&with_tax("001203004567")).is_empty(),
        "12-digit personal id"
    );
    // Wrong check digit: a warning, the record can still be saved.
    let p = problems(&with_tax("0100233487"));
    assert_eq!(
        p,
        vec![(
            "tax_code",
            Problem::TaxCheckDigit { expected: 8 },
            Severity::Warning
        )]
    );
    assert!(validate(&with_tax("0100233487"), &ctx((2026, 1, 1))).is_ok());
    for bad in [
        "12345",
        "01002334881",
        "0100233488-01",
        "01002334x8",
        "0100233488-abc",
    ] {
        assert_eq!(
            problems(&with_tax(bad)),
            vec![("tax_code", Problem::TaxFormat, Severity::Error)],
            "{bad}"
        );
    }
    assert_eq!(
        problems(&with_tax("0100233488-000")),
        vec![("tax_code", Problem::TaxBranchZero, Severity::Error)]
    );
}

#[test]
fn phones_are_vietnamese_numbers_stored_normalised() {
    assert_eq!(
        normalize_phone("091 234 5678", false).as_deref(),
        Some("0912345678")
    );
    assert_eq!(
        normalize_phone("0912.345.678", false).as_deref(),
        Some("0912345678")
    );
    assert_eq!(
        normalize_phone("+84 912-345-678", false).as_deref(),
        Some("0912345678")
    );
    assert_eq!(
        normalize_phone("024 3825 1234", false).as_deref(),
        Some("02438251234")
    );
    assert_eq!(
        normalize_phone("+84 24 3825 1234", false).as_deref(),
        Some("02438251234")
    );
    assert_eq!(
        normalize_phone("0612345678", false),
        None,
        "06 is not a mobile prefix"
    );
    assert_eq!(
        normalize_phone("0241234567", false),
        None,
        "landlines have 11 digits"
    );
    assert_eq!(normalize_phone("091234567", false), None);
    assert_eq!(
        normalize_phone("912345678", true).as_deref(),
        Some("0912345678"),
        "Excel dropped the 0"
    );
    assert_eq!(normalize_phone("+1 555 1234", false), None);
    let bad = FacilityInput {
        phone: "12345".into(),
        ..input("Gốm", "00004")
    };
    assert_eq!(
        problems(&bad),
        vec![("phone", Problem::PhoneFormat, Severity::Error)]
    );
}

#[test]
fn numbers_years_and_stars_are_checked() {
    let p = |f: fn(&mut FacilityInput)| {
        let mut i = input("Gốm", "00004");
        f(&mut i);
        problems(&i)
    };
    assert_eq!(
        p(|i| i.workers = "-3".into()),
        vec![("workers", Problem::Negative, Severity::Error)]
    );
    assert!(
        p(|i| i.workers = "1.250".into()).is_empty(),
        "Vietnamese thousands"
    );
    assert!(p(|i| i.workers = "12.0".into()).is_empty(), "Excel float");
    assert_eq!(
        p(|i| i.workers = "mười".into()),
        vec![(
            "workers",
            Problem::NotAWholeNumber {
                value: "mười".into()
            },
            Severity::Error
        )]
    );
    assert_eq!(
        p(|i| i.founded_year = "2027".into()),
        vec![(
            "founded_year",
            Problem::YearInFuture { year: 2027 },
            Severity::Error
        )]
    );
    assert!(p(|i| i.founded_year = "2026".into()).is_empty());
    assert_eq!(
        p(|i| i.ocop_stars = "2".into()),
        vec![("ocop_stars", Problem::OcopStars, Severity::Error)]
    );
    assert_eq!(
        p(|i| i.ocop_stars = "6".into()),
        vec![("ocop_stars", Problem::OcopStars, Severity::Error)]
    );
    assert!(p(|i| i.ocop_stars = "4".into()).is_empty());
    assert_eq!(
        p(|i| i.entity_type = "XYZ".into()),
        vec![(
            "entity_type",
            Problem::UnknownCode { code: "XYZ".into() },
            Severity::Error
        )]
    );
    assert!(
        p(|i| i.entity_type = "htx".into()).is_empty(),
        "codes are case-insensitive"
    );
    assert!(
        p(|i| i.entity_type = "Hộ kinh doanh".into()).is_empty(),
        "a label typed in full is accepted"
    );
    assert_eq!(
        p(|i| i.trade_group = "NN9".into()),
        vec![(
            "trade_group",
            Problem::UnknownCode { code: "NN9".into() },
            Severity::Error
        )]
    );
}

#[test]
fn text_is_ingested_before_it_is_stored() {
    let mut s = store_as("commune", "00004");
    let i = FacilityInput {
        // NFD, an escape sequence, a bidi override and surrounding spaces.
        name: "  Cơ sở Vie\u{0323}\u{0302}t \u{1b}[2J\u{202e}Hưng  ".into(),
        ..input("", "00004")
    };
    let (f, _) = s.create_facility(&i).unwrap();
    assert_eq!(
        f.data.name, "Cơ sở Việt Hưng",
        "whole escape sequences are dropped"
    );
    assert!(!f.data.name.contains('\u{1b}'));
}

#[test]
fn every_change_writes_its_change_log_row_in_the_same_transaction() {
    let mut s = store_as("commune", "00004");
    let before = s.change_count().unwrap();
    let (f, _) = s
        .create_facility(&FacilityInput {
            workers: "12".into(),
            ..input("Gốm Minh Long", "00004")
        })
        .unwrap();
    assert_eq!(f.meta.version, 1);
    assert_eq!(f.meta.created_by, s.profile().unwrap().id);
    let h = s.history("facility", &f.id).unwrap();
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].action, "create");
    assert_eq!(h[0].actor_name, "Nguyễn Văn An");
    assert_eq!(
        h[0].changes["name"],
        serde_json::json!([null, "Gốm Minh Long"])
    );
    assert_eq!(h[0].changes["workers"], serde_json::json!([null, 12]));

    let mut edit = FacilityInput::from_data(&f.data);
    edit.workers = "15".into();
    let (f2, _) = s.update_facility(&f.id, 1, &edit).unwrap();
    assert_eq!(f2.meta.version, 2);
    let h = s.history("facility", &f.id).unwrap();
    assert_eq!(h.len(), 2);
    assert_eq!(h[1].action, "update");
    assert_eq!(h[1].version, 2);
    assert_eq!(
        h[1].changes.len(),
        1,
        "only the changed field: {:?}",
        h[1].changes
    );
    assert_eq!(h[1].changes["workers"], serde_json::json!([12, 15]));

    // Saving without a change writes nothing.
    let (f3, _) = s.update_facility(&f.id, 2, &edit).unwrap();
    assert_eq!(f3.meta.version, 2);
    assert_eq!(s.history("facility", &f.id).unwrap().len(), 2);

    let f4 = s.set_facility_archived(&f.id, 2, true).unwrap();
    assert!(f4.meta.archived);
    assert_eq!(f4.meta.version, 3);
    let h = s.history("facility", &f.id).unwrap();
    assert_eq!(h[2].action, "archive");
    assert_eq!(s.change_count().unwrap(), before + 3);
}

#[test]
fn a_stale_version_is_a_conflict_and_overwrites_nothing() {
    let mut s = store_as("commune", "00004");
    let (f, _) = s.create_facility(&input("Gốm Minh Long", "00004")).unwrap();
    let mut a = FacilityInput::from_data(&f.data);
    a.workers = "10".into();
    s.update_facility(&f.id, 1, &a).unwrap();
    let mut b = FacilityInput::from_data(&f.data);
    b.workers = "99".into();
    match s.update_facility(&f.id, 1, &b) {
        Err(StoreError::Conflict {
            expected: 1,
            found: 2,
            ..
        }) => {}
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(s.facility(&f.id).unwrap().unwrap().data.workers, Some(10));
    assert!(matches!(
        s.set_facility_archived(&f.id, 1, true),
        Err(StoreError::Conflict { .. })
    ));
}

#[test]
fn archived_facilities_are_hidden_but_kept() {
    let mut s = store_as("commune", "00004");
    let (a, _) = s.create_facility(&input("Gốm A", "00004")).unwrap();
    s.create_facility(&input("Mây tre B", "00004")).unwrap();
    s.set_facility_archived(&a.id, 1, true).unwrap();
    let live = FacilityFilter::default();
    assert_eq!(s.count_facilities(&live).unwrap(), 1);
    let archived = FacilityFilter {
        archived: true,
        ..Default::default()
    };
    assert_eq!(s.count_facilities(&archived).unwrap(), 1);
    assert!(s.facility(&a.id).unwrap().is_some());
    assert_eq!(
        s.search_index().unwrap().len(),
        1,
        "archived records are not searched"
    );
    let r = s.set_facility_archived(&a.id, 2, false).unwrap();
    assert!(!r.meta.archived);
    assert_eq!(s.count_facilities(&live).unwrap(), 2);
}

#[test]
fn search_follows_every_create_edit_archive_and_restore() {
    let mut s = store_as("commune", "00004");
    let names = |s: &Store, q: &str| -> Vec<String> {
        let idx = s.search_index().unwrap();
        idx.search(q, 10)
            .iter()
            .map(|h| idx.doc(h.index).name.to_string())
            .collect()
    };
    let (a, _) = s.create_facility(&input("Gốm Bát Tràng", "00004")).unwrap();
    assert_eq!(names(&s, "bat trang"), ["Gốm Bát Tràng"]);
    let mut edit = input("Gốm Chu Đậu", "00004");
    edit.representative = "Lê Thị Hoa".into();
    s.update_facility(&a.id, 1, &edit).unwrap();
    assert!(names(&s, "bat trang").is_empty(), "the old name is gone");
    assert_eq!(names(&s, "chu dau"), ["Gốm Chu Đậu"]);
    assert_eq!(names(&s, "le thi hoa"), ["Gốm Chu Đậu"]);
    s.set_facility_archived(&a.id, 2, true).unwrap();
    assert!(names(&s, "chu dau").is_empty());
    s.set_facility_archived(&a.id, 3, false).unwrap();
    assert_eq!(names(&s, "chu dau"), ["Gốm Chu Đậu"]);
}

#[test]
fn a_commune_collaborator_writes_only_in_their_scope() {
    let mut s = store_as("commune", "00004");
    match s.create_facility(&input("Gốm", "00008")) {
        Err(StoreError::Invalid(i)) => {
            assert_eq!(
                i.0[0].problem,
                Problem::CommuneOutOfScope {
                    code: "00008".into()
                }
            )
        }
        other => panic!("{other:?}"),
    }
    let (f, _) = s.create_facility(&input("Gốm", "00004")).unwrap();
    let mut moved = FacilityInput::from_data(&f.data);
    moved.commune_code = "00008".into();
    assert!(s.update_facility(&f.id, 1, &moved).is_err());

    // A province officer covers every commune of the province.
    let mut p = store_as("province", "01");
    assert!(p.create_facility(&input("Gốm", "00008")).is_ok());
    let other_province = ctv::refdata::units()
        .communes()
        .iter()
        .find(|c| c.province_code != "01")
        .unwrap();
    assert!(p
        .create_facility(&input("Gốm", &other_province.code))
        .is_err());
}

#[test]
fn an_area_officer_can_take_a_former_district_as_scope() {
    let s = store_as("area", "001"); // Quận Ba Đình before 2025
    let p = s.profile().unwrap();
    assert!(p.units.len() > 1, "{:?}", p.units);
    assert!(p.covers_commune("00004"));
    let bad = ProfileInput {
        name: "A".into(),
        role: "mayor".into(),
        units: "00004".into(),
        account: None,
    };
    let e = bad.validate().unwrap_err();
    assert_eq!(
        e.0[0].problem,
        Problem::UnknownRole {
            value: "mayor".into()
        }
    );
}

#[test]
fn lists_sort_the_vietnamese_way() {
    let mut s = store_as("commune", "00004");
    for n in [
        "Đức Thành",
        "Dũng Tiến",
        "Ân Phát",
        "An Bình",
        "Bình Minh",
        "Ơn Trời",
        "Ô Long",
        "Ốc Đảo",
    ] {
        s.create_facility(&input(n, "00004")).unwrap();
    }
    let names: Vec<String> = s
        .list_facilities(
            &FacilityFilter::default(),
            FacilitySort::Name,
            false,
            0,
            100,
        )
        .unwrap()
        .into_iter()
        .map(|f| f.data.name)
        .collect();
    assert_eq!(
        names,
        [
            "An Bình",
            "Ân Phát",
            "Bình Minh",
            "Dũng Tiến",
            "Đức Thành",
            "Ô Long",
            "Ốc Đảo",
            "Ơn Trời"
        ]
    );
    let window = s
        .list_facilities(&FacilityFilter::default(), FacilitySort::Name, false, 2, 3)
        .unwrap();
    assert_eq!(window.len(), 3);
    assert_eq!(window[0].data.name, "Bình Minh");
}

#[test]
fn duplicate_suspects_come_with_their_reason() {
    let mut s = store_as("commune", "00004");
    let (f, _) = s
        .create_facility(&FacilityInput {
            tax_code: "0100233488".into(),
            phone: "0912345678".into(),
            ..input("HTX Mây tre đan Phú Vinh", "00004")
        })
        .unwrap();
    let (d, _) = validate(
        &FacilityInput {
            phone: "+84 912 345 678".into(),
            ..input("Cơ sở mây tre đan Phú Vinh", "00004")
        },
        &ctx((2026, 1, 1)),
    )
    .unwrap();
    let sus = s.duplicate_suspects(&d, None).unwrap();
    assert_eq!(sus.len(), 1);
    assert_eq!(sus[0].id, f.id);
    assert_eq!(sus[0].reasons.len(), 2, "{:?}", sus[0].reasons);
    // Editing the record itself is not a duplicate of itself.
    assert!(s
        .duplicate_suspects(&f.data, Some(&f.id))
        .unwrap()
        .is_empty());
}

#[test]
fn the_database_file_is_private_and_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ctv.db");
    let id = {
        let mut s = Store::open(&path).unwrap();
        s.init_profile(
            &ProfileInput {
                name: "Lê Thị Bình".into(),
                role: "xã".into(),
                units: "00004".into(),
                account: None,
            },
            false,
        )
        .unwrap();
        s.create_facility(&input("Gốm", "00004")).unwrap().0.id
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let s = Store::open(&path).unwrap();
    assert_eq!(s.profile().unwrap().name, "Lê Thị Bình");
    assert!(s.facility(&id).unwrap().is_some());
    let suffix = &id[id.len() - 8..];
    assert_eq!(s.facility_by_ref(suffix).unwrap().unwrap().id, id);
}

#[test]
fn a_file_that_is_not_a_database_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ke-hoach.xlsx.db");
    std::fs::write(&path, b"PK\x03\x04 this is a spreadsheet, not a database").unwrap();
    let before = std::fs::read(&path).unwrap();
    assert!(matches!(
        Store::open(&path),
        Err(StoreError::NotADatabase(_))
    ));
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert!(matches!(
        Store::open(&dir.path().join("missing/ctv.db")),
        Err(StoreError::MissingDirectory(_))
    ));
}

#[test]
fn a_database_from_a_newer_ctv_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ctv.db");
    drop(Store::open(&path).unwrap());
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch("PRAGMA user_version = 99;").unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    match Store::open(&path) {
        Err(StoreError::SchemaTooNew { found: 99, known }) => {
            assert_eq!(known, ctv::store::schema_version())
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn a_bulk_import_is_all_or_nothing_and_keeps_every_index() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ctv.db");
    let index_names = || -> Vec<String> {
        let c = rusqlite::Connection::open(&path).unwrap();
        let mut st = c
            .prepare("SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name")
            .unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let mut s = Store::open_with_clock(&path, Arc::new(clock())).unwrap();
    s.init_profile(
        &ProfileInput {
            name: "Tỉnh".into(),
            role: "province".into(),
            units: "01".into(),
            account: None,
        },
        false,
    )
    .unwrap();
    let before = index_names();
    assert!(before.contains(&"facilities_sort".to_string()));
    let communes: Vec<String> = ctv::refdata::units()
        .communes_in_province("01")
        .iter()
        .map(|c| c.code.clone())
        .collect();
    let rows = ctv::demo::generate(6000, 3, &communes);
    let out = s.import_facilities(&rows).unwrap();
    assert_eq!(out.inserted, 6000);
    assert_eq!(
        s.count_facilities(&FacilityFilter::default()).unwrap(),
        6000
    );
    assert_eq!(s.history("facility", &out.ids[17]).unwrap().len(), 1);
    // The list order still comes from its index after the rebuild.
    let first = s
        .list_facilities(&FacilityFilter::default(), FacilitySort::Name, false, 0, 3)
        .unwrap();
    let mut names: Vec<String> = rows.iter().map(|r| r.name.clone()).collect();
    names.sort_by(|a, b| ctv::text::vn_cmp(a, b));
    assert_eq!(first[0].data.name, names[0]);
    assert_eq!(
        index_names(),
        before,
        "indexes dropped for the bulk load are back"
    );

    // A second batch with an out-of-scope row writes nothing at all.
    let mut bad = ctv::demo::generate(10, 4, &communes);
    bad[9].commune_code = ctv::refdata::units()
        .communes()
        .iter()
        .find(|c| c.province_code != "01")
        .unwrap()
        .code
        .clone();
    assert!(s.import_facilities(&bad).is_err());
    assert_eq!(
        s.count_facilities(&FacilityFilter::default()).unwrap(),
        6000
    );
}
