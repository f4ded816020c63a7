//! The streaming export on a demo database (every kind of record): what the bundle carries,
//! read back, is each record as the database's own one-record readers give it, in id order,
//! with its content rev; a second full bundle names every record's first rev as its base.

mod common;

use ctv::bundle::export::export_with_key;
use ctv::bundle::model::content_rev;
use ctv::bundle::{read_bundle, ExportOptions, SigningKeyFile};
use ctv::store::Store;

fn ascending<'a>(ids: impl Iterator<Item = &'a str>) -> bool {
    let ids: Vec<&str> = ids.collect();
    ids.windows(2).all(|w| w[0] < w[1])
}

fn count(db: &std::path::Path, table: &str) -> usize {
    let conn = rusqlite::Connection::open(db).unwrap();
    let n: i64 = conn
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap();
    n as usize
}

#[test]
fn a_demo_export_read_back_is_the_database_record_by_record() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ctv.db");
    let (code, _, err) = common::ctv(&db, &["demo", "--facilities", "120"]);
    assert_eq!(code, 0, "{err}");
    let mut store = Store::open(&db).unwrap();
    let key = SigningKeyFile::ephemeral();
    let out = dir.path().join("b1.ctvb");
    let opts = ExportOptions {
        full: true,
        out: Some(out.clone()),
    };
    export_with_key(&mut store, &key, &opts, &|_, _| {}).unwrap();
    let b = read_bundle(&out).unwrap();

    // Every kind of record travels (the demo makes them all).
    assert!(!b.collaborators.is_empty());
    assert!(!b.facilities.is_empty());
    assert!(!b.consultations.is_empty());
    assert!(!b.proposals.is_empty());
    assert!(b.consultations.iter().any(|c| c.record.follow_up.is_some()));
    assert!(b
        .consultations
        .iter()
        .any(|c| !c.record.cur_topics.is_empty()));
    assert!(b.proposals.iter().any(|p| p.record.transitions.len() > 1));
    // The demo's scope is its whole database: every row travels.
    assert_eq!(b.facilities.len(), count(&db, "facilities"));
    assert_eq!(b.consultations.len(), count(&db, "consultations"));
    assert_eq!(b.proposals.len(), count(&db, "proposals"));
    assert_eq!(
        b.manifest.counts["consultations"],
        b.consultations.len() as u64
    );

    // In id order, each with the rev of its content and nothing sent before it.
    assert!(ascending(b.facilities.iter().map(|e| e.record.id.as_str())));
    assert!(ascending(
        b.consultations.iter().map(|e| e.record.id.as_str())
    ));
    assert!(ascending(b.proposals.iter().map(|e| e.record.id.as_str())));
    for e in &b.facilities {
        assert_eq!(e.rev, content_rev(&e.record));
        assert_eq!(e.base_rev, None);
        let f = store.facility(&e.record.id).unwrap().unwrap();
        assert_eq!(f.data.name, e.record.name);
        assert_eq!(f.data.commune_code, e.record.commune_code);
    }
    // Consultations and proposals (after the export, which moved some to "sent to the
    // province" as the bundle says) as the one-record readers give them: topics,
    // amendments, follow-ups, beneficiaries and transitions joined to the right record.
    for e in &b.consultations {
        assert_eq!(e.rev, content_rev(&e.record));
        let c = store.consultation_record(&e.record.id).unwrap().unwrap();
        assert_eq!(c.consultation.data.facility_id, e.record.facility_id);
        assert_eq!(c.consultation.updated_at, e.record.updated_at);
        assert_eq!(c.amendments.len(), e.record.amendments.len());
        assert_eq!(
            c.consultation.follow_up.map(|f| f.due_date.to_string()),
            e.record.follow_up.as_ref().map(|f| f.due_date.clone())
        );
    }
    for e in &b.proposals {
        assert_eq!(e.rev, content_rev(&e.record));
        let p = store.proposal_record(&e.record.id).unwrap().unwrap();
        assert_eq!(p.proposal.status.code(), e.record.status);
        assert_eq!(p.history.len(), e.record.transitions.len());
    }

    // A second full bundle: the same records, each naming the rev just sent as its base
    // (what the paged reader of sent revs finds, in id order).
    let out2 = dir.path().join("b2.ctvb");
    let opts = ExportOptions {
        full: true,
        out: Some(out2.clone()),
    };
    export_with_key(&mut store, &key, &opts, &|_, _| {}).unwrap();
    let b2 = read_bundle(&out2).unwrap();
    assert_eq!(b2.consultations.len(), b.consultations.len());
    for (a, z) in b.consultations.iter().zip(&b2.consultations) {
        assert_eq!(z.record, a.record);
        assert_eq!(z.base_rev.as_deref(), Some(a.rev.as_str()));
    }
    for (a, z) in b.facilities.iter().zip(&b2.facilities) {
        assert_eq!(z.base_rev.as_deref(), Some(a.rev.as_str()));
    }
    // And an incremental one after that carries nothing: nothing changed.
    let out3 = dir.path().join("b3.ctvb");
    let opts = ExportOptions {
        full: false,
        out: Some(out3.clone()),
    };
    export_with_key(&mut store, &key, &opts, &|_, _| {}).unwrap();
    let b3 = read_bundle(&out3).unwrap();
    assert!(b3.facilities.is_empty() && b3.consultations.is_empty() && b3.proposals.is_empty());
}
