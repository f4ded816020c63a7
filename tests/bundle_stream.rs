//! A bundle too large to hold in memory (issue 18) is checked record by record, then read
//! again from its file, batch by batch, by the preview and the import: the same report, the
//! same records and the same refusals as a bundle held whole; a file changed after the check
//! refuses the import and leaves nothing written.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use ctv::bundle::receive::{self, Checked, Imported, ReceiveError};
use ctv::bundle::{BundleError, ReadLimits};
use ctv::domain::ProfileInput;
use ctv::store::{MergeReport, Store};

/// A demo area's whole year (every kind of record), exported in full.
fn demo_bundle(dir: &Path) -> PathBuf {
    let bin = env!("CARGO_BIN_EXE_ctv");
    let db = dir.join("sender.db");
    let out = dir.join("b.ctvb");
    for args in [
        vec!["demo", "--facilities", "300"],
        vec!["export", "--full", "--out", out.to_str().unwrap()],
    ] {
        let o = Command::new(bin)
            .arg("--db")
            .arg(&db)
            .args(&args)
            .env("CTV_KEYS_DIR", dir.join("keys"))
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    out
}

fn province(dir: &Path, name: &str, units: &str) -> Store {
    let mut s = Store::open(&dir.join(name)).unwrap();
    s.init_profile(
        &ProfileInput {
            name: "Trung tâm Khuyến công".into(),
            role: "province".into(),
            units: units.into(),
            account: None,
        },
        true,
    )
    .unwrap();
    s
}

/// Held whole (`keep` above its size) or streamed (`keep` 0), in small batches so that every
/// entry comes in many.
fn limits(streamed: bool) -> ReadLimits {
    ReadLimits {
        keep: if streamed { 0 } else { u64::MAX },
        batch: 4096,
        ..ReadLimits::default()
    }
}

fn merged(r: Result<Imported, ReceiveError>) -> MergeReport {
    match r.unwrap() {
        Imported::Merged(r) => r,
        other => panic!("{other:?}"),
    }
}

/// Rows of the tables a merge writes, read beside the store.
fn counts(db: &Path) -> Vec<i64> {
    let c = rusqlite::Connection::open(db).unwrap();
    [
        "facilities",
        "consultations",
        "proposals",
        "change_log",
        "record_revs",
    ]
    .iter()
    .map(|t| {
        c.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
            .unwrap()
    })
    .collect()
}

/// The demo bundle, checked at two provinces with `units`: held there, streamed here.
fn both(units: &str) -> (tempfile::TempDir, PathBuf, [(Store, Checked); 2]) {
    let dir = tempfile::tempdir().unwrap();
    let file = demo_bundle(dir.path());
    let side = |name: &str, streamed: bool| {
        let s = province(dir.path(), name, units);
        let c = receive::check_with(&s, &file, &limits(streamed)).unwrap();
        (s, c)
    };
    let pair = [side("held.db", false), side("streamed.db", true)];
    (dir, file, pair)
}

#[test]
fn a_streamed_bundle_previews_imports_and_stores_exactly_what_a_held_one_does() {
    let (dir, file, [(mut held, a), (mut streamed, b)]) = both("01");
    assert!(!a.streamed && b.streamed);
    assert!(!a.bundle.consultations.is_empty());
    assert!(b.bundle.facilities.is_empty() && b.bundle.consultations.is_empty());
    assert_eq!(a.bundle.manifest, b.bundle.manifest);

    let preview = a.preview(&held).unwrap();
    assert_eq!(preview, b.preview(&streamed).unwrap());
    assert!(preview.count("consultation").new > 300, "{preview:?}");
    assert!(preview.count("proposal").new > 0 && preview.count("activity").new > 0);

    let ra = merged(receive::import(&mut held, &a, true));
    let rb = merged(receive::import(&mut streamed, &b, true));
    assert_eq!(ra, rb);
    assert_eq!(ra, preview);
    // Every record the same, but each province's own profile (its id is its own).
    let records = |s: &Store| {
        let mut all = s.all_records().unwrap();
        all.collaborators
            .retain(|c| c.name != "Trung tâm Khuyến công");
        all
    };
    let (ha, sa) = (records(&held), records(&streamed));
    assert_eq!(ha.collaborators.len(), 1);
    assert_eq!(ha, sa);
    let (hp, sp) = (dir.path().join("held.db"), dir.path().join("streamed.db"));
    assert_eq!(counts(&hp), counts(&sp));
    assert_eq!(
        held.duplicate_pairs(false).unwrap(),
        streamed.duplicate_pairs(false).unwrap()
    );
    // The same file again: recognised, nothing merged twice.
    let again = receive::check_with(&streamed, &file, &limits(true)).unwrap();
    assert!(matches!(
        receive::import(&mut streamed, &again, true).unwrap(),
        Imported::AlreadyImported { .. }
    ));
    assert_eq!(counts(&hp), counts(&sp));
}

#[test]
fn a_streamed_bundle_is_refused_with_the_refusal_a_held_one_gets() {
    // A province whose units do not cover the sender's communes: every record is out of
    // scope, and the first in record order is the one named.
    let (dir, _, [(mut held, a), (mut streamed, b)]) = both("79");
    let ea = format!("{:?}", a.preview(&held).unwrap_err());
    assert_eq!(ea, format!("{:?}", b.preview(&streamed).unwrap_err()));
    assert!(ea.contains("CommuneOutOfScope"), "{ea}");
    let ia = format!("{:?}", receive::import(&mut held, &a, true).unwrap_err());
    let ib = format!(
        "{:?}",
        receive::import(&mut streamed, &b, true).unwrap_err()
    );
    assert_eq!(ia, ib);
    let (hp, sp) = (dir.path().join("held.db"), dir.path().join("streamed.db"));
    let n = counts(&sp);
    assert_eq!((n[0], n[1], n[2], n[4]), (0, 0, 0, 0), "{n:?}");
    assert_eq!(counts(&hp), n);
}

/// The file with one byte of the consultations entry changed (its manifest and signature as
/// they were).
fn tamper(file: &Path) {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(file).unwrap()).unwrap();
    let mut entries = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut v = Vec::new();
        f.read_to_end(&mut v).unwrap();
        if f.name() == "consultations.ndjson" {
            let at = v.len() - 40;
            v[at] = if v[at] == b'a' { b'b' } else { b'a' };
        }
        entries.push((f.name().to_string(), v));
    }
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let o = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in &entries {
        w.start_file(name.as_str(), o).unwrap();
        w.write_all(bytes).unwrap();
    }
    std::fs::write(file, w.finish().unwrap().into_inner()).unwrap();
}

#[test]
fn a_file_changed_after_its_check_is_refused_whole_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let file = demo_bundle(dir.path());
    let mut p = province(dir.path(), "p.db", "01");
    let db = dir.path().join("p.db");
    let checked: Checked = receive::check_with(&p, &file, &limits(true)).unwrap();
    let before = counts(&db);
    tamper(&file);
    // The facilities, read and written before the consultations, are rolled back with them.
    let e = receive::import(&mut p, &checked, true).unwrap_err();
    assert!(
        matches!(&e, ReceiveError::Bundle(BundleError::HashMismatch(n)) if n == "consultations.ndjson"),
        "{e:?}"
    );
    assert_eq!(counts(&db), before);
    assert_eq!(counts(&db)[0], 0);
    // The head alone passes (`ctv import`); the import reading the records finds the change.
    let head = receive::check_head(&p, &file, &limits(true)).unwrap();
    let e = receive::import(&mut p, &head, true).unwrap_err();
    assert!(
        matches!(e, ReceiveError::Bundle(BundleError::HashMismatch(_))),
        "{e:?}"
    );
    assert_eq!(counts(&db), before);
    // Held whole, the same file is refused by the check itself.
    let e = receive::check_with(&p, &file, &limits(false)).unwrap_err();
    assert!(
        matches!(e, ReceiveError::Bundle(BundleError::HashMismatch(_))),
        "{e:?}"
    );
}
