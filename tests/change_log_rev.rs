//! Issue 18: a created facility's change-log row holds its rev, not its body. The first
//! version is the current row with the later diffs undone; `ctv check` walks that back to the
//! logged rev and names a record whose history does not reproduce; history screens show the
//! rebuilt creation (from a bundle: "created (from bundle N of SENDER)"); rows written
//! before the change (with the body) still read and check.

mod common;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use common::bundles::{export_to, import_bundle};
use common::projects::{as_profile, keys_dir, open};
use common::proposals::vn;
use common::{ctv, sql};
use ctv::clock::FixedClock;
use ctv::domain::{FacilityData, FacilityInput};
use ctv::record::content_rev;
use ctv::store::bundles::Selection;
use ctv::store::{check_database, check_database_with, Store};
use ctv::words::{trf, Lang};

fn clock() -> FixedClock {
    FixedClock::new(vn(2027, 2, 3, 9))
}

fn create(s: &mut Store, name: &str) -> String {
    s.create_facility(&FacilityInput {
        name: name.into(),
        entity_type: "HKD".into(),
        representative: "Trần Văn Bình".into(),
        commune_code: "00004".into(),
        products: "Mây tre đan".into(),
        ..Default::default()
    })
    .unwrap()
    .0
    .id
}

/// Three edits (two fields, then one, then the archive flag), each a minute apart.
fn edit_three_times(s: &mut Store, c: &FixedClock, id: &str) {
    let f = s.facility(id).unwrap().unwrap();
    let mut d: FacilityData = f.data.clone();
    d.name = "HTX mây tre đan Phú Vinh".into();
    d.workers = Some(12);
    c.set(vn(2027, 2, 3, 10));
    let f = s.update_facility_data(id, f.meta.version, &d).unwrap();
    d.notes = "Đã ghé thăm".into();
    c.set(vn(2027, 2, 3, 11));
    let f = s.update_facility_data(id, f.meta.version, &d).unwrap();
    c.set(vn(2027, 2, 3, 12));
    s.set_facility_archived(id, f.meta.version, true).unwrap();
}

fn logged_create(db: &Path, id: &str) -> String {
    sql(db)
        .query_row(
            "SELECT changes FROM change_log WHERE entity = 'facility' AND record_id = ?1
               AND action = 'create'",
            [id],
            |r| r.get(0),
        )
        .unwrap()
}

fn commune(dir: &Path, c: &FixedClock) -> (Store, PathBuf) {
    keys_dir();
    let (mut s, db) = open(dir, "commune.db", c);
    as_profile(&mut s, "Nguyễn Văn An", "commune", "00004");
    (s, db)
}

#[test]
fn a_created_and_three_times_edited_facility_logs_its_rev_and_checks() {
    let tmp = tempfile::tempdir().unwrap();
    let c = clock();
    let (mut s, db) = commune(tmp.path(), &c);
    let id = create(&mut s, "Cơ sở mây tre Phú Vinh");
    let first = s.facility(&id).unwrap().unwrap();
    edit_three_times(&mut s, &c, &id);
    assert_eq!(s.facility(&id).unwrap().unwrap().meta.version, 4);

    // The row holds the rev only, and the rebuilt first version hashes to it.
    let logged: serde_json::Value = serde_json::from_str(&logged_create(&db, &id)).unwrap();
    let rev = logged["rev"].as_str().unwrap().to_string();
    assert_eq!(logged.as_object().unwrap().len(), 1, "{logged}");
    let v1 = s.first_facility_version(&id).unwrap().unwrap();
    assert!(v1.reproduced);
    assert_eq!(content_rev(&v1.record), rev);
    assert_eq!(v1.record.name, first.data.name);
    assert_eq!(v1.record.workers, None);
    assert_eq!(v1.record.notes, "");
    assert!(!v1.record.archived);
    assert_eq!(v1.record.updated_at, first.meta.updated_at);

    // History shows the creation with the values it was entered with, as before.
    let h = s.history("facility", &id).unwrap();
    assert_eq!(h.len(), 4);
    assert_eq!(h[0].action, "create");
    assert_eq!(h[0].from_bundle, None);
    assert_eq!(
        h[0].changes["name"],
        serde_json::json!([null, "Cơ sở mây tre Phú Vinh"])
    );
    assert_eq!(h[0].changes["products"][1], "Mây tre đan");
    assert!(!h[0].changes.contains_key("workers"));
    drop(s);

    let r = check_database(&db).unwrap();
    assert!(r.is_ok(), "{r:?}");
    assert_eq!(r.histories_checked, 1);
    let r = check_database_with(&db, true).unwrap();
    assert!(r.is_ok(), "{r:?}");
    let (code, out, _) = ctv(&db, &["--lang", "en", "check", "--quick"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("The history of 1 records gives back their first version"),
        "{out}"
    );
}

#[test]
fn a_tampered_history_row_is_named_by_check() {
    let tmp = tempfile::tempdir().unwrap();
    let c = clock();
    let (mut s, db) = commune(tmp.path(), &c);
    let good = create(&mut s, "Cơ sở gốm Bát Tràng");
    let id = create(&mut s, "Cơ sở mây tre Phú Vinh");
    edit_three_times(&mut s, &c, &id);
    edit_three_times(&mut s, &c, &good);
    drop(s);
    // Someone rewrites what the first edit says the name was.
    let n = sql(&db)
        .execute(
            "UPDATE change_log SET changes = replace(changes, 'Cơ sở mây tre Phú Vinh', 'Cơ sở khác')
              WHERE record_id = ?1 AND version = 2",
            [&id],
        )
        .unwrap();
    assert_eq!(n, 1);
    let r = check_database(&db).unwrap();
    assert!(!r.is_ok());
    assert_eq!(r.histories_total, 1);
    assert_eq!(r.histories, vec![("facility".to_string(), id.clone())]);
    let (code, out, _) = ctv(&db, &["--lang", "en", "check"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!("Facility {id}: its history does not give back")),
        "{out}"
    );

    // A new value that is not what the next state holds is found too (the rev alone would
    // not see it: the walk takes the old values).
    sql(&db)
        .execute(
            "UPDATE change_log SET changes = replace(changes, '\"Đã ghé thăm\"', '\"Khác\"')
              WHERE record_id = ?1 AND version = 3",
            [&good],
        )
        .unwrap();
    let r = check_database(&db).unwrap();
    assert_eq!(r.histories_total, 2, "{r:?}");
}

#[test]
fn a_facility_created_by_a_bundle_shows_its_bundle_and_first_version() {
    let tmp = tempfile::tempdir().unwrap();
    let c = clock();
    let (mut a, _) = commune(tmp.path(), &c);
    let id = create(&mut a, "Cơ sở mây tre Phú Vinh");
    edit_three_times(&mut a, &c, &id);
    let scope: HashSet<String> = ["00004".to_string()].into();
    let sent = a
        .facility_records(&Selection {
            scope: &scope,
            only: None,
        })
        .unwrap()
        .remove(0);
    let b1 = export_to(&mut a, tmp.path().join("b1.ctvb"));
    c.set(vn(2027, 2, 4, 9));
    let (mut p, pdb) = open(tmp.path(), "province.db", &c);
    as_profile(&mut p, "Trung tâm Khuyến công Hà Nội", "province", "01");
    let r = import_bundle(&mut p, &b1);
    assert_eq!(r.count("facility").new, 1, "{r:?}");

    // The province edits it once more.
    c.set(vn(2027, 2, 5, 9));
    let f = p.facility(&id).unwrap().unwrap();
    p.set_facility_archived(&id, f.meta.version, false).unwrap();

    let logged: serde_json::Value = serde_json::from_str(&logged_create(&pdb, &id)).unwrap();
    assert_eq!(logged["updated_at"], sent.updated_at.as_str());
    let v1 = p.first_facility_version(&id).unwrap().unwrap();
    assert!(v1.reproduced);
    assert_eq!(v1.record, sent, "version 1 here is the record as it came");
    assert_eq!(content_rev(&v1.record), logged["rev"].as_str().unwrap());

    let h = p.history("facility", &id).unwrap();
    assert_eq!(h[0].action, "create");
    assert_eq!(h[0].actor_name, "Nguyễn Văn An");
    assert_eq!(h[0].from_bundle, Some(1));
    assert_eq!(
        h[0].changes["name"],
        serde_json::json!([null, "HTX mây tre đan Phú Vinh"])
    );
    assert_eq!(
        trf(
            Lang::En,
            "history.create_from_bundle",
            &[&1, &h[0].actor_name]
        ),
        "Created (from bundle 1 of Nguyễn Văn An)"
    );
    drop(p);
    let r = check_database(&pdb).unwrap();
    assert!(r.is_ok(), "{r:?}");
    let (code, out, _) = ctv(&pdb, &["--lang", "en", "facilities", "history", &id]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Created (from bundle 1 of"), "{out}");
}

#[test]
fn a_creation_row_with_its_body_still_reads_and_checks() {
    let tmp = tempfile::tempdir().unwrap();
    let c = clock();
    let (mut s, db) = commune(tmp.path(), &c);
    let id = create(&mut s, "Cơ sở mây tre Phú Vinh");
    let data = s.facility(&id).unwrap().unwrap().data;
    edit_three_times(&mut s, &c, &id);
    drop(s);
    // The row as the program wrote it before issue 18.
    let body = serde_json::Value::Object(FacilityData::diff(None, &data)).to_string();
    let conn = sql(&db);
    conn.execute(
        "UPDATE change_log SET changes = ?2 WHERE record_id = ?1 AND action = 'create'",
        [&id, &body],
    )
    .unwrap();
    drop(conn);
    let s = Store::open_with_clock(&db, std::sync::Arc::new(c.clone())).unwrap();
    let h = s.history("facility", &id).unwrap();
    assert_eq!(
        serde_json::Value::Object(h[0].changes.clone()).to_string(),
        body
    );
    let v1 = s.first_facility_version(&id).unwrap().unwrap();
    assert!(v1.reproduced);
    assert_eq!(v1.record.name, "Cơ sở mây tre Phú Vinh");
    drop(s);
    assert!(check_database(&db).unwrap().is_ok());

    // A body that does not agree with the later diffs is named.
    sql(&db)
        .execute(
            "UPDATE change_log SET changes = replace(changes, 'Mây tre đan', 'Gốm')
              WHERE record_id = ?1 AND action = 'create'",
            [&id],
        )
        .unwrap();
    let r = check_database(&db).unwrap();
    assert_eq!(r.histories, vec![("facility".to_string(), id)]);
}
