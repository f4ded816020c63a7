//! The demo generator: deterministic, valid, Vietnamese.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};
use ctv::clock::FixedClock;
use ctv::demo::{demo_communes, generate, write_csv};
use ctv::domain::facility::{tax_check_digit, validate, ValidationContext};
use ctv::domain::{FacilityInput, ProfileInput};
use ctv::store::Store;
use unicode_normalization::{is_nfc_quick, IsNormalized};

fn hanoi_communes() -> Vec<String> {
    ctv::refdata::units()
        .communes_in_province("01")
        .into_iter()
        .map(|c| c.code.clone())
        .collect()
}

fn ctx() -> ValidationContext<'static> {
    ValidationContext {
        profile: None,
        today: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        spreadsheet: false,
    }
}

#[test]
fn same_seed_same_rows_other_seed_other_rows() {
    let communes = hanoi_communes();
    let a = generate(300, 7, &communes);
    let b = generate(300, 7, &communes);
    let c = generate(300, 8, &communes);
    assert_eq!(a.len(), 300);
    assert_eq!(a, b);
    assert_ne!(a, c);
    // Not just a shifted copy: most rows differ.
    let same = a.iter().zip(&c).filter(|(x, y)| x == y).count();
    assert!(same < 10, "{same} identical rows across seeds");
    assert!(generate(10, 1, &[]).is_empty());
    assert!(generate(0, 1, &communes).is_empty());
}

#[test]
fn every_row_validates_unchanged() {
    let communes = hanoi_communes();
    let rows = generate(3000, 42, &communes);
    for d in &rows {
        let input = FacilityInput::from_data(d);
        let (back, issues) = validate(&input, &ctx()).unwrap_or_else(|e| panic!("{d:#?}\n{e:#?}"));
        assert!(issues.0.is_empty(), "warnings for {d:#?}: {issues:#?}");
        assert_eq!(&back, d);
        assert!(communes.contains(&d.commune_code));
    }
}

#[test]
fn rows_look_vietnamese_and_plausible() {
    let communes = hanoi_communes();
    let rows = generate(5000, 3, &communes);
    let nfc = |s: &str| is_nfc_quick(s.chars()) == IsNormalized::Yes;
    let mut types = std::collections::HashMap::<String, usize>::new();
    let mut phones = HashSet::new();
    let mut taxes = HashSet::new();
    let (mut no_tax, mut big, mut ocop, mut village, mut typical, mut active) = (0, 0, 0, 0, 0, 0);
    for d in &rows {
        for s in [
            &d.name,
            &d.representative,
            &d.address,
            &d.products,
            &d.craft_village,
            &d.notes,
        ] {
            assert!(nfc(s), "{s:?} is not NFC");
        }
        assert_eq!(
            d.representative.split(' ').count(),
            3,
            "{}",
            d.representative
        );
        *types.entry(d.entity_type.clone().unwrap()).or_default() += 1;
        match &d.tax_code {
            None => {
                no_tax += 1;
                assert!(
                    matches!(d.entity_type.as_deref(), Some("THT" | "HKD")),
                    "{d:?}"
                );
            }
            Some(t) if t.len() == 10 => {
                let b = t.as_bytes();
                assert_eq!(tax_check_digit(&b[..9]), u32::from(b[9] - b'0'), "{t}");
                assert!(taxes.insert(t.clone()), "tax {t} repeated");
            }
            Some(t) => assert_eq!(t.len(), 12, "{t}"),
        }
        if let Some(p) = &d.phone {
            assert_eq!(p.len(), 10);
            assert!(["03", "05", "07", "08", "09"].contains(&&p[..2]), "{p}");
            assert!(phones.insert(p.clone()), "phone {p} repeated");
        }
        if d.workers.is_some_and(|w| w >= 50) {
            big += 1;
        }
        if let Some(s) = d.ocop_stars {
            assert!((3..=5).contains(&s));
            assert!(d.ocop_year.is_some());
            ocop += 1;
        }
        if !d.craft_village.is_empty() {
            assert!(d.craft_village.starts_with("Làng nghề "));
            village += 1;
        }
        if d.typical_level.is_some() {
            typical += 1;
        }
        if let Some(y) = d.founded_year {
            assert!((1960..=2025).contains(&y));
        }
        if d.status == ctv::domain::FacilityStatus::Active {
            active += 1;
        }
    }
    let n = rows.len();
    let hkd = types["HKD"];
    assert!(
        types.values().all(|&c| c <= hkd),
        "HKD most common: {types:?}"
    );
    assert_eq!(types.len(), 5, "{types:?}");
    assert!(no_tax > 0 && big > 0 && ocop > 0 && village > 0 && typical > 0);
    assert!(active * 10 > n * 8, "{active} active of {n}");
    assert!(rows.iter().any(|d| d.name.starts_with("HTX ")));
    assert!(rows.iter().any(|d| d.name.starts_with("Công ty TNHH ")));
    assert!(rows.iter().any(|d| d.name.starts_with("Hộ kinh doanh ")));
}

#[test]
fn demo_communes_follow_the_profile() {
    let clock = FixedClock::new(Utc.with_ymd_and_hms(2026, 11, 25, 3, 0, 0).unwrap());
    let mut store = Store::open_in_memory(Arc::new(clock)).unwrap();
    let p = store
        .init_profile(
            &ProfileInput {
                name: "Trần Thị Lan".into(),
                role: "commune".into(),
                units: "4, 8".into(),
                account: None,
            },
            false,
        )
        .unwrap();
    assert_eq!(demo_communes(&p), ["00004", "00008"]);
    let rows = generate(50, 1, &demo_communes(&p));
    assert!(rows
        .iter()
        .all(|d| d.commune_code == "00004" || d.commune_code == "00008"));
    // The demo path: everything it generates is accepted by the store, in scope.
    let out = store.import_facilities(&rows).unwrap();
    assert_eq!(out.inserted, 50);
}

#[test]
fn csv_has_english_headers_and_reads_back() {
    let communes = hanoi_communes();
    let rows = generate(200, 11, &communes);
    let mut buf = Vec::new();
    write_csv(&rows, &mut buf).unwrap();
    assert!(!buf.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(buf.clone()).unwrap();
    assert!(
        text.starts_with("name,entity_type,tax_code,representative,phone,address,commune_code,")
    );
    let table = ctv::import::read_csv(&buf).unwrap();
    assert_eq!(table.rows.len(), 200);
    let map = ctv::import::map_columns(&table.headers).unwrap();
    assert!(map.ignored().is_empty());
    for ((_, cells), d) in table.rows.iter().zip(&rows) {
        let (back, _) = validate(&map.input(cells), &ctx()).unwrap();
        assert_eq!(&back, d);
    }
}

mod common;

/// `ctv demo --role`: a profile of each role over a scope that has data, and the README's
/// «lang nghe» example finds craft-village cooperatives on the demo data (issue 16).
#[test]
fn demo_roles_and_the_readme_search_work() {
    for (role, scope) in [
        ("commune", "Bát Tràng"),
        ("area", "6 xã/phường"),
        ("province", "Hà Nội"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("ctv.db");
        let (code, out, err) = common::ctv(&db, &["demo", "--role", role, "--facilities", "120"]);
        assert_eq!(code, 0, "{role}: {err}");
        assert!(out.contains(scope), "{role}: {out}");
        // Proposals in every stage, whatever the role (the province decided them).
        let (code, out, _) = common::ctv(&db, &["proposal", "list", "--format", "json"]);
        assert_eq!(code, 0);
        for status in [
            "NHAP",
            "DE_XUAT",
            "TRA_LAI",
            "PHE_DUYET",
            "DANG_THUC_HIEN",
            "HOAN_THANH",
            "KHONG_DUYET",
            "RUT",
            "DUNG",
        ] {
            assert!(
                out.contains(&format!("\"status\": \"{status}\"")),
                "{role}: no {status}"
            );
        }
        let (code, out, _) = common::ctv(&db, &["find", "lang nghe", "--format", "json"]);
        assert_eq!(code, 0);
        assert!(
            out.to_lowercase().contains("làng nghề"),
            "{role}: «lang nghe» finds no «làng nghề»: {out}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = common::ctv(&dir.path().join("x.db"), &["demo", "--role", "huyen"]);
    assert_eq!(code, 2);
    assert!(err.contains("commune, area, province"), "{err}");
}
