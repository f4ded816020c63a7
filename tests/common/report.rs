//! Plain-SQL fixtures for the records of issue 17 that other branches are building a store
//! API for (activities with attendees, craft villages, products with titles, the pilot flag
//! and group beneficiaries of a đề án). The report only reads these tables (migrations
//! 014–016), so its tests write them directly here; switch each function to the store API
//! (`add_activity`, `add_village`, `add_product`, the proposal's beneficiaries and pilot
//! flag) once those land.

use std::path::Path;

use rusqlite::{params, Connection};

/// A second connection to a database file, for the inserts below.
pub fn sql(db: &Path) -> Connection {
    let c = Connection::open(db).unwrap();
    c.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
    c
}

const STAMP: &str = "2026-11-25T03:00:00.000Z";

/// One named attendee: facility, name, woman, ethnic minority.
pub type Attendee<'a> = (Option<&'a str>, &'a str, bool, bool);

/// An activity with its not-named counts (all, women, minority) and named attendees.
#[allow(clippy::too_many_arguments)]
pub fn activity(
    c: &Connection,
    id: &str,
    kind: &str,
    commune: &str,
    start: &str,
    unnamed: (i64, i64, i64),
    attendees: &[Attendee<'_>],
    archived: bool,
) {
    c.execute(
        "INSERT INTO activities (id, kind, title, title_fold, start_date, commune_code,
            unnamed_count, unnamed_women, unnamed_minority, archived, created_at, created_by,
            updated_at, updated_by)
         VALUES (?1, ?2, ?1, ?1, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'test', ?9, 'test')",
        params![id, kind, start, commune, unnamed.0, unnamed.1, unnamed.2, archived, STAMP],
    )
    .unwrap();
    for (i, (fac, name, woman, minority)) in attendees.iter().enumerate() {
        c.execute(
            "INSERT INTO activity_attendees (activity_id, position, facility_id, person_name,
                gender, ethnic_minority) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                id,
                i as i64,
                fac,
                name,
                if *woman { "NU" } else { "NAM" },
                minority
            ],
        )
        .unwrap();
    }
}

/// A craft village of a commune.
pub fn village(c: &Connection, id: &str, commune: &str, status: &str, archived: bool) {
    c.execute(
        "INSERT INTO craft_villages (id, name, name_fold, sort_key, commune_code, status, archived,
            created_at, created_by, updated_at, updated_by)
         VALUES (?1, ?1, ?1, X'00', ?2, ?3, ?4, ?5, 'test', ?5, 'test')",
        params![id, commune, status, archived, STAMP],
    )
    .unwrap();
    c.execute(
        "INSERT INTO craft_village_communes (village_id, position, commune_code) VALUES (?1, 0, ?2)",
        params![id, commune],
    )
    .unwrap();
}

/// A title of a product: kind (OCOP, TIEU_BIEU), year, issued and expiry dates (ISO).
pub type Title<'a> = (&'a str, i64, Option<&'a str>, Option<&'a str>);

/// A product of a facility with its titles.
pub fn product(c: &Connection, id: &str, facility: &str, titles: &[Title<'_>]) {
    c.execute(
        "INSERT INTO facility_products (id, facility_id, name, name_fold, created_at, created_by,
            updated_at, updated_by) VALUES (?1, ?2, ?1, ?1, ?3, 'test', ?3, 'test')",
        params![id, facility, STAMP],
    )
    .unwrap();
    for (i, (kind, year, issued, expiry)) in titles.iter().enumerate() {
        c.execute(
            "INSERT INTO product_titles (product_id, position, kind, year, level, issued_date,
                expiry_date) VALUES (?1, ?2, ?3, ?4, 'tinh', ?5, ?6)",
            params![id, i as i64, kind, year, issued, expiry],
        )
        .unwrap();
    }
}

/// Marks a đề án a pilot (đề án điểm).
pub fn pilot(c: &Connection, proposal: &str) {
    c.execute(
        "UPDATE proposals SET is_pilot = 1 WHERE id = ?1",
        [proposal],
    )
    .unwrap();
}
