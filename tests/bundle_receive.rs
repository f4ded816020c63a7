//! Bundles as files, end to end: a collaborator exports, the province checks, trusts,
//! imports (once), decides and answers with a signed receipt; the collaborator reads the
//! receipt and takes over the decision; the next bundle finds the proposal unchanged; a
//! skipped bundle shows as a sequence gap.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Duration, TimeZone, Utc};
use ctv::bundle::receive::{self, Imported, ReceiveError};
use ctv::bundle::{export, ExportOptions, KeyStatus};
use ctv::clock::FixedClock;
use ctv::domain::consultation::ConsultationInput;
use ctv::domain::proposal::{ProposalInput, ProposalStatus};
use ctv::domain::{FacilityInput, ProfileInput};
use ctv::store::Store;
use ctv::words::Lang;

fn vn(y: i32, m: u32, day: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, day, h, 0, 0).unwrap() - Duration::hours(7)
}

/// One key folder for the whole test process (keys are per profile id inside it).
fn keys_dir() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    let d = DIR.get_or_init(|| {
        let d = tempfile::tempdir().unwrap();
        std::env::set_var("CTV_KEYS_DIR", d.path());
        d
    });
    d.path()
}

fn as_profile(s: &mut Store, name: &str, role: &str, units: &str) {
    s.init_profile(
        &ProfileInput {
            name: name.into(),
            role: role.into(),
            units: units.into(),
            account: None,
        },
        true,
    )
    .unwrap();
}

fn open(dir: &Path, name: &str, clock: &FixedClock) -> Store {
    Store::open_with_clock(&dir.join(name), Arc::new(clock.clone())).unwrap()
}

/// The area officer's database: a commune collaborator's facility, consultation and a
/// proposal that the area officer reviewed (so the export sends it to the province).
fn sender(dir: &Path, clock: &FixedClock) -> (Store, String) {
    let mut s = open(dir, "sender.db", clock);
    as_profile(&mut s, "Nguyễn Văn An", "commune", "00004");
    let f = s
        .create_facility(&FacilityInput {
            name: "HTX mây tre đan Phú Vinh".into(),
            entity_type: "HTX".into(),
            commune_code: "00004".into(),
            workers: "25".into(),
            ..Default::default()
        })
        .unwrap()
        .0
        .id;
    s.add_consultation(&ConsultationInput {
        facility_id: f.clone(),
        mode: "TRUC_TIEP".into(),
        topics: "KC03".into(),
        needs: "Máy chẻ nan".into(),
        follow_up_date: "10/12/2026".into(),
        ..Default::default()
    })
    .unwrap();
    let p = s
        .add_proposal(&ProposalInput {
            facility_id: f,
            plan_year: "2027".into(),
            category: "KC03".into(),
            funding: "KCDP".into(),
            title: "Máy chẻ nan".into(),
            total_cost: "300.000.000".into(),
            support: "100.000.000".into(),
            counterpart: "200.000.000".into(),
            other_sources: "0".into(),
            ..Default::default()
        })
        .unwrap()
        .0;
    s.propose(&p.id, p.version).unwrap();
    // This province uses an area review (issue 15).
    s.set_setting("area_review", "yes").unwrap();
    as_profile(&mut s, "Lê Thị Bình", "area", "00004,00376");
    let v = s.proposal(&p.id).unwrap().unwrap().version;
    s.review_proposal(&p.id, v, "Đủ điều kiện").unwrap();
    (s, p.id)
}

fn export_to(s: &mut Store, path: PathBuf) -> PathBuf {
    keys_dir();
    let out = export(
        s,
        &ExportOptions {
            full: false,
            out: Some(path),
        },
        &|_, _| {},
    )
    .unwrap();
    out.path
}

#[test]
fn a_bundle_goes_in_once_and_a_receipt_with_a_decision_comes_back() {
    keys_dir();
    let tmp = tempfile::tempdir().unwrap();
    let clock = FixedClock::new(vn(2026, 11, 12, 9));
    let (mut a, proposal) = sender(tmp.path(), &clock);
    let b1 = export_to(&mut a, tmp.path().join("b1.ctvb"));
    assert_eq!(
        a.proposal(&proposal).unwrap().unwrap().status,
        ProposalStatus::DaGuiTinh
    );

    let mut p = open(tmp.path(), "province.db", &clock);
    as_profile(&mut p, "Trung tâm Khuyến công Hà Nội", "province", "01");
    let c = receive::check(&p, &b1).unwrap();
    assert_eq!(c.key, KeyStatus::New);
    assert!(c.missing.is_empty());
    let preview = c.preview(&p).unwrap();
    assert_eq!(preview.count("facility").new, 1);
    assert_eq!(preview.count("proposal").new, 1);

    // An unknown key is refused unless accepted, and nothing is written.
    let changes = p.change_count().unwrap();
    assert!(matches!(
        receive::import(&mut p, &c, false),
        Err(ReceiveError::UntrustedKey(KeyStatus::New))
    ));
    assert_eq!(p.change_count().unwrap(), changes);
    assert!(p.known_senders().unwrap().is_empty());

    let done = receive::import(&mut p, &c, true).unwrap();
    let Imported::Merged(r) = done else {
        panic!("{done:?}")
    };
    assert_eq!(r.count("consultation").new, 1);
    // The records at the province are the sender's.
    let sent = a.all_records().unwrap();
    let got = p.all_records().unwrap();
    assert_eq!(got.facilities, sent.facilities);
    assert_eq!(got.consultations, sent.consultations);
    assert_eq!(got.proposals, sent.proposals);
    assert_eq!(p.known_senders().unwrap().len(), 1);

    // The same file again: nothing changes, it says when it came.
    let changes = p.change_count().unwrap();
    let again = receive::check(&p, &b1).unwrap();
    assert_eq!(again.key, KeyStatus::Known);
    assert!(matches!(
        receive::import(&mut p, &again, false).unwrap(),
        Imported::AlreadyImported { .. }
    ));
    assert_eq!(p.change_count().unwrap(), changes);

    // The province approves the proposal and answers with a receipt.
    clock.set(vn(2026, 11, 13, 9));
    let v = p.proposal(&proposal).unwrap().unwrap().version;
    p.move_proposal_with(
        &proposal,
        v,
        ProposalStatus::PheDuyet,
        &ctv::domain::proposal::MoveInput {
            decision_no: "123/QĐ-SCT".into(),
            decision_date: "13/11/2026".into(),
            ..Default::default()
        },
    )
    .unwrap();
    let pkey = ctv::bundle::signing_key(&mut p).unwrap();
    let area_id = a.profile().unwrap().id.clone();
    let rfile = tmp.path().join("b1.receipt.ctvb");
    let receipt = receive::write_receipt(&p, &pkey, &area_id, None, &rfile).unwrap();
    assert_eq!(receipt.decisions.len(), 1);
    assert_eq!(
        ctv::words::merge::receipt_summary(Lang::En, &receipt),
        "Bundle 1 arrived on 12/11/2026: 1 facilities accepted, 0 conflicts."
    );
    assert_eq!(
        ctv::words::merge::receipt_summary(Lang::Vi, &receipt),
        "Gói số 1 đã đến tỉnh ngày 12/11/2026: nhận 1 cơ sở, 0 xung đột."
    );

    // The collaborator reads it: the decision is taken over, once.
    let rc = receive::check(&a, &rfile).unwrap();
    assert_eq!(rc.key, KeyStatus::New);
    let applied = receive::apply_receipt(&mut a, &rc, true).unwrap();
    assert_eq!(applied.decisions_applied, 1);
    let pr = a.proposal(&proposal).unwrap().unwrap();
    assert_eq!(pr.status, ProposalStatus::PheDuyet);
    assert_eq!(pr.decision_no.as_deref(), Some("123/QĐ-SCT"));
    let last = a.history("proposal", &proposal).unwrap().pop().unwrap();
    assert_eq!(last.action, "decision");
    assert_eq!(a.receipts("received").unwrap().len(), 1);
    let rc = receive::check(&a, &rfile).unwrap();
    assert_eq!(
        receive::apply_receipt(&mut a, &rc, false)
            .unwrap()
            .decisions_applied,
        0
    );

    // A receipt is not the province's to import, nor another collaborator's to read.
    let rc_at_p = receive::check(&p, &rfile).unwrap();
    assert!(matches!(
        receive::import(&mut p, &rc_at_p, true),
        Err(ReceiveError::WrongKind { .. })
    ));

    // The next bundle carries the proposal as the province has it: unchanged, no conflict.
    clock.set(vn(2026, 11, 14, 9));
    let b2 = export_to(&mut a, tmp.path().join("b2.ctvb"));
    let c2 = receive::check(&p, &b2).unwrap();
    let r2 = c2.preview(&p).unwrap();
    assert_eq!(r2.count("proposal").conflicts, 0, "{r2:?}");
    assert_eq!(r2.count("proposal").updated, 0, "{r2:?}");
    receive::import(&mut p, &c2, false).unwrap();
    assert!(p.conflicts(true).unwrap().is_empty());
}

#[test]
fn a_skipped_bundle_is_reported_as_a_gap() {
    keys_dir();
    let tmp = tempfile::tempdir().unwrap();
    let clock = FixedClock::new(vn(2026, 11, 12, 9));
    let (mut a, _) = sender(tmp.path(), &clock);
    let b1 = export_to(&mut a, tmp.path().join("b1.ctvb"));
    // Bundle 2 is lost on the way; bundle 3 arrives.
    let f = a.all_records().unwrap().facilities[0].id.clone();
    for (i, workers) in [(2, 30), (3, 35)] {
        clock.set(vn(2026, 11, 12 + i, 9));
        let cur = a.facility(&f).unwrap().unwrap();
        let mut d = cur.data.clone();
        d.workers = Some(workers);
        a.update_facility_data(&f, cur.meta.version, &d).unwrap();
        export_to(&mut a, tmp.path().join(format!("b{i}.ctvb")));
    }
    let mut p = open(tmp.path(), "province.db", &clock);
    as_profile(&mut p, "Trung tâm Khuyến công Hà Nội", "province", "01");
    let c1 = receive::check(&p, &b1).unwrap();
    receive::import(&mut p, &c1, true).unwrap();
    let c3 = receive::check(&p, &tmp.path().join("b3.ctvb")).unwrap();
    assert_eq!(c3.missing, vec![2]);
    // Bundle 3 still merges: its record was based on what bundle 2 carried, which the
    // province never saw, so it is kept as a conflict rather than applied blindly.
    let r = c3.preview(&p).unwrap();
    assert_eq!(r.count("facility").conflicts, 1, "{r:?}");
    receive::import(&mut p, &c3, false).unwrap();
    assert_eq!(p.facility(&f).unwrap().unwrap().data.workers, Some(35));
    let c2 = receive::check(&p, &tmp.path().join("b2.ctvb")).unwrap();
    assert!(c2.missing.is_empty());
}
