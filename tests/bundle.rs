//! Bundles: the container round trip, incremental vs full, sequence numbers, proposals sent,
//! key files, `ctv verify` (the database byte-for-byte unchanged), and a corpus of bad
//! bundles built here, each refused with a message naming what is wrong.

mod common;

use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};

use ctv::bundle::export::export_with_key;
use ctv::bundle::model::content_rev;
use ctv::bundle::{
    self, keys, read_bundle, read_bundle_with, Bundle, BundleError, ExportOptions, KeyStatus,
    ReadLimits, SigningKeyFile,
};
use ctv::domain::consultation::ConsultationInput;
use ctv::domain::proposal::{ProposalInput, ProposalStatus};
use ctv::domain::{FacilityInput, ProfileInput};
use ctv::store::bundles::Selection;
use ctv::store::Store;

struct Sender {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    store: Store,
    key: SigningKeyFile,
    facilities: Vec<String>,
    proposals: Vec<String>,
}

fn profile(s: &mut Store, name: &str, role: &str, units: &str) {
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

/// A commune collaborator registers three facilities (one archived later), two
/// consultations and two proposals it proposes; the area officer reviews one and is the
/// sender.
fn sender() -> Sender {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    let mut store = Store::open(&dir.join("sender.db")).unwrap();
    profile(&mut store, "Trần Thị Bình", "commune", "00004");
    let mut facilities = Vec::new();
    for (name, phone) in [
        ("HTX mây tre đan Phú Vinh", "0912345678"),
        ("Cơ sở mộc Đồng Kỵ", "0987654321"),
        ("Cơ sở gốm Bát Tràng", "0909000111"),
    ] {
        let f = store
            .create_facility(&FacilityInput {
                name: name.into(),
                entity_type: "HTX".into(),
                commune_code: "00004".into(),
                phone: phone.into(),
                workers: "25".into(),
                notes: "Dòng một\nDòng hai".into(),
                ..Default::default()
            })
            .unwrap()
            .0;
        facilities.push(f.id);
    }
    for f in &facilities[..2] {
        store
            .add_consultation(&ConsultationInput {
                facility_id: f.clone(),
                date: "20/11/2026".into(),
                mode: "TRUC_TIEP".into(),
                topics: "KC03".into(),
                difficulties: "Thiếu vốn".into(),
                needs: "Máy chẻ nan".into(),
                follow_up_date: "30/11/2026".into(),
                ..Default::default()
            })
            .unwrap();
    }
    let mut proposals = Vec::new();
    for f in &facilities[..2] {
        let (p, _) = store
            .add_proposal(&ProposalInput {
                facility_id: f.clone(),
                plan_year: "2027".into(),
                category: "KC03".into(),
                funding: "KCĐP".into(),
                title: "Mô hình trình diễn máy chẻ nan".into(),
                total_cost: "1.250.000.000".into(),
                support: "375.000.000".into(),
                counterpart: "875.000.000".into(),
                ..Default::default()
            })
            .unwrap();
        let p = store.propose(&p.id, p.version).unwrap();
        proposals.push(p.id);
    }
    // This province uses an area review (issue 15): the reviewed proposal is the one sent.
    store.set_setting("area_review", "yes").unwrap();
    profile(&mut store, "Lê Văn Cường", "area", "00004");
    let p = store.proposal(&proposals[0]).unwrap().unwrap();
    store.review_proposal(&p.id, p.version, "Đủ hồ sơ").unwrap();
    let key = bundle::signing_key_in(&mut store, &dir.join("keys")).unwrap();
    Sender {
        _dir: tmp,
        dir,
        store,
        key,
        facilities,
        proposals,
    }
}

fn export(s: &mut Sender, full: bool, name: &str) -> (PathBuf, bundle::ExportOutcome) {
    let path = s.dir.join(name);
    let out = export_with_key(
        &mut s.store,
        &s.key,
        &ExportOptions {
            full,
            out: Some(path.clone()),
        },
        &|_, _| {},
    )
    .unwrap();
    (path, out)
}

fn all(s: &Store) -> Selection<'_> {
    // Leaked once per test: the scope outlives the selection.
    let scope: &'static std::collections::HashSet<String> =
        Box::leak(Box::new(["00004".to_string()].into_iter().collect()));
    let _ = s;
    Selection { scope, only: None }
}

#[test]
fn round_trip_carries_the_records_exactly_and_sends_reviewed_proposals() {
    let mut s = sender();
    let (path, out) = export(&mut s, true, "full.ctvb");
    assert_eq!(out.seq, 1);
    assert_eq!(out.proposals_sent, 1);
    let b = read_bundle(&path).unwrap();
    assert_eq!(b.manifest.seq, 1);
    assert!(b.manifest.full);
    assert_eq!(b.manifest.kind, "bundle");
    assert_eq!(b.manifest.sender.public_key, s.key.public_hex());
    assert_eq!(b.manifest.sender.fingerprint, s.key.fingerprint());
    assert_eq!(b.manifest.sender.role, "area");
    assert_eq!(b.manifest.counts["facilities"], 3);
    assert_eq!(b.manifest.counts["consultations"], 2);
    assert_eq!(b.manifest.counts["proposals"], 2);
    assert_eq!(b.manifest.counts["collaborators"], 2);

    // After the export the database holds exactly what the bundle carries (the reviewed
    // proposal included, now sent to the province).
    let sel = all(&s.store);
    let facilities = s.store.facility_records(&sel).unwrap();
    let consultations = s.store.consultation_records(&sel).unwrap();
    let proposals = s.store.proposal_records(&sel).unwrap();
    let got = |v: &Bundle| {
        (
            v.facilities
                .iter()
                .map(|e| e.record.clone())
                .collect::<Vec<_>>(),
            v.consultations
                .iter()
                .map(|e| e.record.clone())
                .collect::<Vec<_>>(),
            v.proposals
                .iter()
                .map(|e| e.record.clone())
                .collect::<Vec<_>>(),
        )
    };
    assert_eq!(
        got(&b),
        (facilities, consultations.clone(), proposals.clone())
    );
    assert!(b.facilities[0].record.notes.contains('\n'));
    assert_eq!(consultations[0].cur_topics, vec!["KC03".to_string()]);
    assert!(consultations[0].follow_up.is_some());
    let sent = s.store.proposal(&s.proposals[0]).unwrap().unwrap();
    assert_eq!(sent.status, ProposalStatus::DaGuiTinh);
    let kept = s.store.proposal(&s.proposals[1]).unwrap().unwrap();
    assert_eq!(kept.status, ProposalStatus::DeXuat);
    let p0 = b
        .proposals
        .iter()
        .find(|p| p.record.id == s.proposals[0])
        .unwrap();
    assert_eq!(p0.record.status, "DA_GUI_TINH");
    assert_eq!(p0.record.transitions.last().unwrap().mover, "export");
    for e in &b.proposals {
        assert_eq!(e.rev, content_rev(&e.record));
        assert_eq!(e.base_rev, None);
    }
    // A file of the same name is never overwritten.
    let again = export_with_key(
        &mut s.store,
        &s.key,
        &ExportOptions {
            full: true,
            out: Some(path.clone()),
        },
        &|_, _| {},
    );
    assert!(again.is_err());

    // The workbook is a real xlsx with the three sheets and Vietnamese headers.
    use calamine::{DataType, Reader};
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
    let mut xlsx = Vec::new();
    zip.by_name("bundle.xlsx")
        .unwrap()
        .read_to_end(&mut xlsx)
        .unwrap();
    let mut wb = calamine::Xlsx::new(Cursor::new(xlsx)).unwrap();
    assert_eq!(
        wb.sheet_names(),
        vec!["Cơ sở", "Lần làm việc", "Đề xuất hỗ trợ"]
    );
    let sheet = wb.worksheet_range("Đề xuất hỗ trợ").unwrap();
    assert_eq!(
        sheet.get((0, 7)).unwrap().to_string(),
        "Tổng kinh phí".to_string()
    );
    assert_eq!(sheet.get((1, 7)).unwrap().as_f64(), Some(1_250_000_000.0));
    let cons = wb.worksheet_range("Lần làm việc").unwrap();
    assert!(cons.get((1, 3)).unwrap().is_datetime());
}

#[test]
fn incremental_carries_only_changes_with_base_revs_and_numbers_in_sequence() {
    let mut s = sender();
    let (p1, o1) = export(&mut s, false, "1.ctvb");
    assert_eq!(o1.seq, 1);
    let b1 = read_bundle(&p1).unwrap();
    // The first incremental bundle carries everything: nothing was sent before.
    assert_eq!(b1.facilities.len(), 3);
    assert!(!b1.manifest.full);
    assert_eq!(b1.manifest.changes_from, 0);

    // Nothing changed: an empty bundle, the next number.
    let (p2, o2) = export(&mut s, false, "2.ctvb");
    assert_eq!(o2.seq, 2);
    let b2 = read_bundle(&p2).unwrap();
    assert_eq!(
        (
            b2.facilities.len(),
            b2.consultations.len(),
            b2.proposals.len()
        ),
        (0, 0, 0)
    );
    assert!(b2.manifest.changes_from >= b1.manifest.changes_to);

    // Archive one facility: the next bundle carries it (archived), with the rev sent before
    // as its base.
    let f = s.store.facility(&s.facilities[2]).unwrap().unwrap();
    s.store
        .set_facility_archived(&f.id, f.meta.version, true)
        .unwrap();
    let (p3, o3) = export(&mut s, false, "3.ctvb");
    assert_eq!(o3.seq, 3);
    let b3 = read_bundle(&p3).unwrap();
    assert_eq!(b3.facilities.len(), 1);
    let e = &b3.facilities[0];
    assert!(e.record.archived);
    let before = b1.facilities.iter().find(|x| x.record.id == f.id).unwrap();
    assert_eq!(e.base_rev.as_deref(), Some(before.rev.as_str()));
    assert_ne!(e.rev, before.rev);
    assert!(b3.consultations.is_empty() && b3.proposals.is_empty());

    // Full: everything again, each with its last sent rev as base.
    let (p4, o4) = export(&mut s, true, "4.ctvb");
    assert_eq!(o4.seq, 4);
    let b4 = read_bundle(&p4).unwrap();
    assert_eq!(b4.facilities.len(), 3);
    assert_eq!(b4.consultations.len(), 2);
    assert!(b4
        .facilities
        .iter()
        .all(|e| e.base_rev.as_deref() == Some(e.rev.as_str())));
    assert_eq!(
        s.store
            .outgoing_state(&b4.manifest.sender.id)
            .unwrap()
            .last_seq,
        4
    );
}

// File modes are Unix; on Windows the key folder is the user's profile, private by default.
#[cfg(unix)]
#[test]
fn key_files_are_private_and_a_foreign_or_open_key_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let mut s = sender();
    let dir = s.dir.join("keys");
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&s.key.path), 0o600);
    let text = std::fs::read_to_string(&s.key.path).unwrap();
    assert!(!text.contains(&s.key.public_hex()));
    // The fingerprint: 4 groups of 4 hex digits, from the public key.
    assert_eq!(s.key.fingerprint().len(), 19);
    assert_eq!(
        s.key.fingerprint(),
        keys::fingerprint(&keys::unhex(&s.key.public_hex()).unwrap())
    );
    let id = s.store.profile().unwrap().id.clone();
    assert_eq!(
        s.store.profile_public_key(&id).unwrap(),
        Some(s.key.public_hex())
    );
    // Loading again gives the same key.
    let again = bundle::signing_key_in(&mut s.store, &dir).unwrap();
    assert_eq!(again.public_hex(), s.key.public_hex());

    // Readable by others: refused, and the message says how to fix it.
    std::fs::set_permissions(&s.key.path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let e = bundle::signing_key_in(&mut s.store, &dir).unwrap_err();
    assert!(
        matches!(e, BundleError::KeyPermissions { mode: 0o644, .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("600"));

    // The database knows a key but this account has no key file: refused, never replaced
    // (a new key would look like a forgery at the province).
    let other = s.dir.join("other-keys");
    let e = bundle::signing_key_in(&mut s.store, &other).unwrap_err();
    assert!(matches!(e, BundleError::KeyMissing(_)), "{e:?}");
    assert!(!other.join(format!("{id}.key")).exists());
}

// ------------------------------------------------------------------ the province's side

fn sha(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

/// A province database (its own profile), returned with its folder.
fn province() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("province.db");
    let mut st = Store::open(&db).unwrap();
    profile(&mut st, "Trung tâm Khuyến công", "province", "01");
    drop(st);
    (tmp, db)
}

fn verify(db: &Path, file: &Path) -> (i32, String, String) {
    common::ctv(db, &["--lang", "en", "verify", file.to_str().unwrap()])
}

#[test]
fn verify_reports_key_status_and_gaps_without_writing_to_the_database() {
    let mut s = sender();
    let (p1, _) = export(&mut s, false, "1.ctvb");
    let (_p2, _) = export(&mut s, false, "2.ctvb");
    let (p3, _) = export(&mut s, false, "3.ctvb");
    let (_tmp, db) = province();
    let before = sha(&db);

    let (code, out, err) = verify(&db, &p1);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("The bundle is sound"), "{out}");
    assert!(out.contains("Lê Văn Cường"), "{out}");
    assert!(
        err.contains("NEW") && err.contains(&s.key.fingerprint()),
        "{err}"
    );
    assert_eq!(sha(&db), before, "verify wrote to the database");

    // Trusted (and bundle 1 received): bundle 3 shows bundle 2 missing.
    let mut st = Store::open(&db).unwrap();
    let b1 = read_bundle(&p1).unwrap();
    assert_eq!(
        st.sender_key_status(&b1.manifest.sender).unwrap(),
        KeyStatus::New
    );
    st.trust_sender(&b1.manifest.sender).unwrap();
    assert_eq!(
        st.sender_key_status(&b1.manifest.sender).unwrap(),
        KeyStatus::Known
    );
    assert_eq!(
        st.missing_seqs(&b1.manifest.sender.id, 3).unwrap(),
        vec![1, 2]
    );
    drop(st);
    let (code, out, err) = common::ctv(&db, &["--lang", "en", "keys", "list"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("Lê Văn Cường") && out.contains(&s.key.fingerprint()),
        "{out}"
    );
    let before = sha(&db);
    let (code, out, err) = verify(&db, &p3);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("known"), "{out}");
    assert!(
        out.contains("Bundle 1 from Lê Văn Cường is missing"),
        "{out}"
    );
    assert!(
        out.contains("Bundle 2 from Lê Văn Cường is missing"),
        "{out}"
    );
    assert_eq!(sha(&db), before, "verify wrote to the database");
}

// ------------------------------------------------------------------ the bad-bundle corpus

/// The entries of a good bundle, in order, unpacked.
fn entries_of(path: &Path) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let mut v = Vec::new();
            f.read_to_end(&mut v).unwrap();
            (f.name().to_string(), v)
        })
        .collect()
}

enum Kind {
    File,
    Symlink,
    Dir,
}

fn zip_of(entries: &[(String, Vec<u8>, Kind)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let o = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes, kind) in entries {
        match kind {
            Kind::File => {
                w.start_file(name.as_str(), o).unwrap();
                w.write_all(bytes).unwrap();
            }
            Kind::Symlink => w
                .add_symlink(name.as_str(), String::from_utf8_lossy(bytes), o)
                .unwrap(),
            Kind::Dir => w.add_directory(name.as_str(), o).unwrap(),
        }
    }
    w.finish().unwrap().into_inner()
}

/// Re-signs a bundle after changing its entries (and, through `edit`, its manifest text):
/// the hashes and the signature hold, so only the reader's other checks can refuse it.
fn resign(
    key: &SigningKeyFile,
    good: &[(String, Vec<u8>)],
    change: impl Fn(&str, &mut Vec<u8>),
    edit: impl Fn(&mut serde_json::Value),
    text_edit: impl Fn(String) -> String,
) -> Vec<(String, Vec<u8>, Kind)> {
    let mut entries: Vec<(String, Vec<u8>)> = good
        .iter()
        .filter(|(n, _)| n != "manifest.json" && n != "signature")
        .cloned()
        .collect();
    for (n, b) in entries.iter_mut() {
        change(n, b);
    }
    let manifest = &good.iter().find(|(n, _)| n == "manifest.json").unwrap().1;
    let mut m: serde_json::Value = serde_json::from_slice(manifest).unwrap();
    let hashes: serde_json::Map<String, serde_json::Value> = entries
        .iter()
        .map(|(n, b)| {
            use sha2::Digest;
            (n.clone(), keys::hex(&sha2::Sha256::digest(b)).into())
        })
        .collect();
    m["entries"] = hashes.into();
    edit(&mut m);
    let text = text_edit(serde_json::to_string_pretty(&m).unwrap());
    let sig = keys::hex(&key.sign(text.as_bytes()));
    let mut out = vec![
        ("manifest.json".to_string(), text.into_bytes(), Kind::File),
        ("signature".to_string(), sig.into_bytes(), Kind::File),
    ];
    out.extend(entries.into_iter().map(|(n, b)| (n, b, Kind::File)));
    out
}

/// Replaces the first occurrence of `from` in entry `name`.
fn replace_in(
    name: &'static str,
    from: &'static str,
    to: &'static str,
) -> impl Fn(&str, &mut Vec<u8>) {
    move |n, b| {
        if n == name {
            let s = String::from_utf8(b.clone()).unwrap();
            assert!(s.contains(from), "{from} not in {name}");
            *b = s.replacen(from, to, 1).into_bytes();
        }
    }
}

fn no_change(_: &str, _: &mut Vec<u8>) {}
fn no_edit(_: &mut serde_json::Value) {}
fn same(s: String) -> String {
    s
}

/// A consultation or proposal line with a changed record keeps a matching rev, so that the
/// check under test is the one that refuses it.
fn rewrite_line(
    name: &'static str,
    f: impl Fn(&mut serde_json::Value) + 'static,
) -> impl Fn(&str, &mut Vec<u8>) {
    move |n, b| {
        if n != name {
            return;
        }
        let text = String::from_utf8(b.clone()).unwrap();
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let mut v: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
        f(&mut v["record"]);
        // The rev of the record as the reader will see it (struct field order).
        use ctv::bundle::model::{ConsultationRecord, FacilityRecord, ProposalRecord};
        let r = v["record"].clone();
        let rev = match name {
            "facilities.ndjson" => serde_json::from_value::<FacilityRecord>(r)
                .ok()
                .map(|x| content_rev(&x)),
            "consultations.ndjson" => serde_json::from_value::<ConsultationRecord>(r)
                .ok()
                .map(|x| content_rev(&x)),
            _ => serde_json::from_value::<ProposalRecord>(r)
                .ok()
                .map(|x| content_rev(&x)),
        };
        v["rev"] = rev.unwrap_or_default().into();
        lines[0] = serde_json::to_string(&v).unwrap();
        *b = (lines.join("\n") + "\n").into_bytes();
    }
}

#[test]
fn bad_bundles_are_refused_with_a_clear_message_and_the_database_unchanged() {
    let mut s = sender();
    let (good_path, _) = export(&mut s, true, "good.ctvb");
    let good = entries_of(&good_path);
    let good_bytes = std::fs::read(&good_path).unwrap();
    let key = &s.key;
    let (_tmp, db) = province();
    // The province trusts the sender: only the bundle's own faults are left to refuse.
    {
        let mut st = Store::open(&db).unwrap();
        st.trust_sender(&read_bundle(&good_path).unwrap().manifest.sender)
            .unwrap();
    }
    let (code, _, err) = verify(&db, &good_path);
    assert_eq!(code, 0, "{err}");
    let before = sha(&db);

    let mut cases: Vec<(String, Vec<u8>, &str)> = Vec::new();
    let mut add = |name: &str, bytes: Vec<u8>, expect: &'static str| {
        cases.push((name.to_string(), bytes, expect));
    };

    add(
        "truncated",
        good_bytes[..good_bytes.len() / 2].to_vec(),
        "not a ZIP",
    );
    add("not a zip", b"hello, province".to_vec(), "not a ZIP");
    add("empty file", Vec::new(), "not a ZIP");
    // One flipped byte inside each entry's packed data.
    {
        let mut zip = zip::ZipArchive::new(Cursor::new(good_bytes.clone())).unwrap();
        for i in 0..zip.len() {
            let f = zip.by_index_raw(i).unwrap();
            let (name, start, len) = (f.name().to_string(), f.data_start(), f.compressed_size());
            drop(f);
            let mut bytes = good_bytes.clone();
            let at = (start + len / 2) as usize;
            bytes[at] ^= 0x20;
            // Whatever breaks first — inflating, the CRC, the hash, the signature — the
            // message names the entry or the signature.
            let expect: &'static str = match name.as_str() {
                "manifest.json" => "manifest",
                "signature" => "signature",
                "collaborators.ndjson" => "collaborators.ndjson",
                "facilities.ndjson" => "facilities.ndjson",
                "consultations.ndjson" => "consultations.ndjson",
                "proposals.ndjson" => "proposals.ndjson",
                _ => "bundle.xlsx",
            };
            add(&format!("flipped byte in {name}"), bytes, expect);
        }
    }
    // A signature by another key over the same manifest.
    {
        let other = SigningKeyFile::ephemeral();
        let mut e: Vec<(String, Vec<u8>, Kind)> = good
            .iter()
            .map(|(n, b)| (n.clone(), b.clone(), Kind::File))
            .collect();
        let m = e[0].1.clone();
        e[1].1 = keys::hex(&other.sign(&m)).into_bytes();
        add("wrong signature", zip_of(&e), "signature does not match");
    }
    // Signed by another key that the manifest names as the sender's: a changed key.
    {
        let other = SigningKeyFile::ephemeral();
        let pk = other.public_hex();
        let fp = other.fingerprint();
        let e = resign(
            &other,
            &good,
            no_change,
            move |m| {
                m["sender"]["public_key"] = pk.clone().into();
                m["sender"]["fingerprint"] = fp.clone().into();
            },
            same,
        );
        add("changed key", zip_of(&e), "HAS CHANGED");
    }
    // An unknown sender's key (a new collaborator id): not trusted, said so.
    {
        let other = SigningKeyFile::ephemeral();
        let pk = other.public_hex();
        let fp = other.fingerprint();
        let e = resign(
            &other,
            &good,
            no_change,
            move |m| {
                m["sender"]["id"] = "01900000-0000-7000-8000-000000000001".into();
                m["sender"]["public_key"] = pk.clone().into();
                m["sender"]["fingerprint"] = fp.clone().into();
            },
            same,
        );
        add("unknown key", zip_of(&e), "NEW");
    }
    {
        let mut e = resign(key, &good, no_change, no_edit, same);
        e.push(("notes.json".into(), b"{}".to_vec(), Kind::File));
        add("extra entry", zip_of(&e), "not listed in the manifest");
    }
    {
        // Listed and signed, but not a name a bundle may hold.
        let mut g = good.clone();
        g.push(("extra.json".into(), b"{}".to_vec()));
        let e = resign(key, &g, no_change, no_edit, same);
        add("extra entry, signed", zip_of(&e), "not allowed");
    }
    for bad in [
        "../facilities.ndjson",
        "/etc/passwd",
        "x/facilities.ndjson",
        "C:\\x.json",
        "FACILITIES.NDJSON",
    ] {
        let mut e = resign(key, &good, no_change, no_edit, same);
        e.push((bad.into(), b"{}".to_vec(), Kind::File));
        add(
            &format!("path-like name {bad}"),
            zip_of(&e),
            "is not allowed",
        );
    }
    {
        let mut e = resign(key, &good, no_change, no_edit, same);
        e.retain(|(n, _, _)| n != "facilities.ndjson");
        e.push((
            "facilities.ndjson".into(),
            b"/etc/passwd".to_vec(),
            Kind::Symlink,
        ));
        add("symlink entry", zip_of(&e), "not a regular file");
    }
    {
        let mut e = resign(key, &good, no_change, no_edit, same);
        e.push(("facilities/".into(), Vec::new(), Kind::Dir));
        add("directory entry", zip_of(&e), "is not allowed");
    }
    {
        let mut e = resign(key, &good, no_change, no_edit, same);
        e.retain(|(n, _, _)| n != "proposals.ndjson");
        add("missing entry", zip_of(&e), "proposals.ndjson is missing");
    }
    {
        // One line longer than the 1 MiB a record may have.
        // Letters in a pseudo-random order, so that it does not pack well (that is the
        // ratio cap's case).
        let mut x: u64 = 1;
        let long: String = (0..1_100_000)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (b'a' + ((x >> 33) % 26) as u8) as char
            })
            .collect();
        let e = resign(
            key,
            &good,
            move |n, b| {
                if n == "facilities.ndjson" {
                    let s = String::from_utf8(b.clone()).unwrap();
                    *b = s.replacen("Dòng một", &long, 1).into_bytes();
                }
            },
            no_edit,
            same,
        );
        add("oversized line", zip_of(&e), "longer than");
    }
    {
        // 30 MB of newlines pack into a few KB.
        let e = resign(
            key,
            &good,
            |n, b| {
                if n == "consultations.ndjson" {
                    b.extend(std::iter::repeat_n(b'\n', 30 << 20));
                }
            },
            no_edit,
            same,
        );
        add("zip bomb ratio", zip_of(&e), "expands more than");
    }
    add(
        "duplicate key in a record",
        zip_of(&resign(
            key,
            &good,
            replace_in("facilities.ndjson", "{\"id\":", "{\"id\":\"x\",\"id\":"),
            no_edit,
            same,
        )),
        "appears twice",
    );
    add(
        "duplicate key in the manifest",
        zip_of(&resign(key, &good, no_change, no_edit, |t| {
            t.replacen("\"counts\": {", "\"counts\": {\n    \"facilities\": 1,", 1)
        })),
        "appears twice",
    );
    add(
        "unknown field",
        zip_of(&resign(
            key,
            &good,
            rewrite_line("facilities.ndjson", |r| r["extra"] = 1.into()),
            no_edit,
            same,
        )),
        "unknown field",
    );
    add(
        "unknown manifest field",
        zip_of(&resign(
            key,
            &good,
            no_change,
            |m| m["extra"] = 1.into(),
            same,
        )),
        "unknown field",
    );
    add(
        "invalid UTF-8",
        zip_of(&resign(
            key,
            &good,
            |n, b| {
                if n == "facilities.ndjson" {
                    let at = b.windows(4).position(|w| w == b"Ph\xc3\xba").unwrap();
                    b[at + 2] = 0xff;
                }
            },
            no_edit,
            same,
        )),
        "not valid UTF-8",
    );
    add(
        "escape sequence in a name",
        zip_of(&resign(
            key,
            &good,
            rewrite_line("facilities.ndjson", |r| {
                r["name"] = "HTX \u{1b}[2J\u{1b}]0;pwned\u{7}".into()
            }),
            no_edit,
            same,
        )),
        "control characters",
    );
    add(
        "bidi override in a name",
        zip_of(&resign(
            key,
            &good,
            rewrite_line("consultations.ndjson", |r| {
                r["needs"] = "abc\u{202e}xyz".into()
            }),
            no_edit,
            same,
        )),
        "control characters",
    );
    add(
        "wrong format version",
        zip_of(&resign(
            key,
            &good,
            no_change,
            |m| m["format_version"] = 3.into(),
            same,
        )),
        "format version 3; this program reads version 2",
    );
    add(
        "unknown kind",
        zip_of(&resign(
            key,
            &good,
            no_change,
            |m| m["kind"] = "payload".into(),
            same,
        )),
        "container kind",
    );
    add(
        "duplicate record id",
        zip_of(&resign(
            key,
            &good,
            |n, b| {
                if n == "facilities.ndjson" {
                    let s = String::from_utf8(b.clone()).unwrap();
                    let first = s.lines().next().unwrap().to_string();
                    *b = format!("{s}{first}\n").into_bytes();
                }
            },
            |m| m["counts"]["facilities"] = 4.into(),
            same,
        )),
        "appears twice",
    );
    {
        let ghost = "01900000-0000-7000-8000-00000000dead";
        add(
            "dangling reference",
            zip_of(&resign(
                key,
                &good,
                rewrite_line("consultations.ndjson", move |r| {
                    r["facility_id"] = ghost.into()
                }),
                no_edit,
                same,
            )),
            "neither in the bundle nor in the database",
        );
    }
    add(
        "revision does not match the content",
        zip_of(&resign(
            key,
            &good,
            replace_in("facilities.ndjson", "Đồng Kỵ", "Đồng Kỵ 2"),
            no_edit,
            same,
        )),
        "revision does not match",
    );
    add(
        "count mismatch",
        zip_of(&resign(
            key,
            &good,
            no_change,
            |m| m["counts"]["consultations"] = 5.into(),
            same,
        )),
        "the manifest counts 5",
    );
    add(
        "malformed record",
        zip_of(&resign(
            key,
            &good,
            replace_in(
                "proposals.ndjson",
                "\"total_cost\":",
                "\"total_cost\":\"a\",\"x\":",
            ),
            no_edit,
            same,
        )),
        "proposals.ndjson, line 1",
    );

    assert!(cases.len() >= 20, "{} cases", cases.len());
    let dir = s.dir.join("bad");
    std::fs::create_dir_all(&dir).unwrap();
    for (i, (name, bytes, expect)) in cases.iter().enumerate() {
        let path = dir.join(format!("{i:02}.ctvb"));
        std::fs::write(&path, bytes).unwrap();
        let (code, out, err) = verify(&db, &path);
        assert_eq!(code, 1, "{name}: accepted\n{out}{err}");
        assert!(
            err.contains(expect),
            "{name}: expected «{expect}» in the message, got\n{err}"
        );
        assert!(
            !err.contains('\u{1b}'),
            "{name}: raw escape reached the terminal"
        );
        assert_eq!(sha(&db), before, "{name}: the database changed");
        // And in Vietnamese, the default, a message too (not a panic).
        let (code, _, err_vi) = common::ctv(&db, &["verify", path.to_str().unwrap()]);
        assert_eq!(code, 1, "{name}");
        assert!(
            !err_vi.trim().is_empty() && !err_vi.contains("panicked"),
            "{name}: {err_vi}"
        );
    }
}

#[test]
fn caps_hold_whatever_the_headers_say() {
    let mut s = sender();
    let (path, _) = export(&mut s, true, "good.ctvb");
    let small = ReadLimits {
        max_entry: 2_000,
        ..ReadLimits::default()
    };
    let e = read_bundle_with(&path, &small).unwrap_err();
    assert!(
        matches!(e, BundleError::EntryTooLarge { cap: 2_000, .. }),
        "{e:?}"
    );
    let e = read_bundle_with(
        &path,
        &ReadLimits {
            max_total: 5_000,
            ..ReadLimits::default()
        },
    )
    .unwrap_err();
    assert!(matches!(e, BundleError::TotalTooLarge { .. }), "{e:?}");
    let e = read_bundle_with(
        &path,
        &ReadLimits {
            max_file: 100,
            ..ReadLimits::default()
        },
    )
    .unwrap_err();
    assert!(matches!(e, BundleError::FileTooLarge { .. }), "{e:?}");
    let e = read_bundle_with(
        &path,
        &ReadLimits {
            max_entries: 3,
            ..ReadLimits::default()
        },
    )
    .unwrap_err();
    assert!(matches!(e, BundleError::TooManyEntries(7)), "{e:?}");
    assert!(read_bundle(&path).is_ok());
}

#[test]
fn a_receipt_uses_the_same_container() {
    let s = sender();
    let path = s.dir.join("receipt.ctvb");
    let sender = bundle::SenderInfo {
        id: "01900000-0000-7000-8000-00000000abcd".into(),
        name: "Trung tâm Khuyến công".into(),
        role: "province".into(),
        units: vec!["01".into()],
        public_key: s.key.public_hex(),
        fingerprint: s.key.fingerprint(),
    };
    bundle::write_signed(
        &path,
        "receipt",
        vec![(
            "receipt.json".into(),
            br#"{"accepted":42,"conflicts":1}"#.to_vec(),
        )],
        &s.key,
        sender.clone(),
        7,
    )
    .unwrap();
    let b = read_bundle(&path).unwrap();
    assert_eq!(b.manifest.kind, "receipt");
    assert_eq!(b.manifest.seq, 7);
    assert_eq!(b.manifest.sender, sender);
    assert_eq!(
        b.extra.get("receipt.json").map(Vec::as_slice),
        Some(&br#"{"accepted":42,"conflicts":1}"#[..])
    );
    // A receipt's own entries are strict JSON too.
    let bad = s.dir.join("bad-receipt.ctvb");
    bundle::write_signed(
        &bad,
        "receipt",
        vec![("receipt.json".into(), br#"{"a":1,"a":2}"#.to_vec())],
        &s.key,
        sender,
        8,
    )
    .unwrap();
    assert!(matches!(
        read_bundle(&bad).unwrap_err(),
        BundleError::DuplicateKey { .. }
    ));
}

#[test]
fn keys_trust_reads_only_the_signed_manifest() {
    let mut s = sender();
    let (good_path, _) = export(&mut s, true, "good.ctvb");
    let good = entries_of(&good_path);
    let dir = good_path.parent().unwrap().to_path_buf();

    // The records are damaged (their hash no longer matches) but the manifest and its
    // signature are intact: the full reader refuses it, the manifest reader does not inflate
    // the records and so names the sender.
    let damaged: Vec<(String, Vec<u8>, Kind)> = good
        .iter()
        .map(|(n, b)| {
            let mut b = b.clone();
            if n == "facilities.ndjson" {
                b.extend_from_slice(b"{}\n");
            }
            (n.clone(), b, Kind::File)
        })
        .collect();
    let damaged_path = dir.join("damaged.ctvb");
    std::fs::write(&damaged_path, zip_of(&damaged)).unwrap();
    assert!(matches!(
        read_bundle(&damaged_path),
        Err(BundleError::HashMismatch(_))
    ));
    let m = bundle::read_manifest(&damaged_path).unwrap();
    assert_eq!(m.sender.fingerprint, s.key.fingerprint());

    // A manifest changed after signing is refused, and nothing is trusted.
    let forged: Vec<(String, Vec<u8>, Kind)> = good
        .iter()
        .map(|(n, b)| {
            let b = if n == "manifest.json" {
                String::from_utf8(b.clone())
                    .unwrap()
                    .replacen("Lê Văn Cường", "Lê Văn Cướp", 1)
                    .into_bytes()
            } else {
                b.clone()
            };
            (n.clone(), b, Kind::File)
        })
        .collect();
    let forged_path = dir.join("forged.ctvb");
    std::fs::write(&forged_path, zip_of(&forged)).unwrap();
    assert!(matches!(
        bundle::read_manifest(&forged_path),
        Err(BundleError::BadSignature)
    ));
    let (_tmp, db) = province();
    let before = sha(&db);
    let (code, out, err) = common::ctv(
        &db,
        &[
            "--lang",
            "en",
            "keys",
            "trust",
            forged_path.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("signature"), "{err}");
    assert_eq!(sha(&db), before, "a refused trust wrote to the database");

    // The good file: trusted from its manifest, and listed.
    let (code, out, err) = common::ctv(
        &db,
        &["--lang", "en", "keys", "trust", good_path.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains(&s.key.fingerprint()), "{out}");
    let st = Store::open(&db).unwrap();
    assert_eq!(st.sender_key_status(&m.sender).unwrap(), KeyStatus::Known);
}

/// Issue 18: records are parsed in batches as the entry is inflated. Whatever the batch
/// size, the records read are the same, `verify` keeps the same references, and a faulty
/// entry is refused with the same (first in line order) fault.
#[test]
fn records_read_in_batches_are_the_same_and_the_first_fault_still_wins() {
    let mut s = sender();
    let (path, _) = export(&mut s, true, "good.ctvb");
    let whole = read_bundle(&path).unwrap();
    let tiny = ReadLimits {
        batch: 1,
        ..ReadLimits::default()
    };
    assert_eq!(read_bundle_with(&path, &tiny).unwrap(), whole);
    for limits in [ReadLimits::default(), tiny] {
        let (manifest, refs) = bundle::verify_bundle_with(&path, &limits).unwrap();
        assert_eq!(manifest, whole.manifest);
        let ids: std::collections::HashSet<String> = whole
            .facilities
            .iter()
            .map(|f| f.record.id.clone())
            .collect();
        assert_eq!(refs.facilities, ids);
        let named: Vec<String> = whole
            .consultations
            .iter()
            .map(|c| c.record.facility_id.clone())
            .collect();
        assert!(!named.is_empty());
        assert_eq!(refs.consultations, named);
        assert_eq!(
            refs.proposals.len(),
            whole
                .proposals
                .iter()
                .map(|p| p.record.facility_id.iter().count() + p.record.beneficiaries.len())
                .sum::<usize>()
        );
    }

    // A duplicated id on line 4 and a broken line 5: the broken line is reported, as when
    // the entry was parsed whole; without the broken line, the duplicate.
    let good = entries_of(&path);
    let faulty = |broken: bool| {
        zip_of(&resign(
            &s.key,
            &good,
            move |n, b| {
                if n == "facilities.ndjson" {
                    let t = String::from_utf8(b.clone()).unwrap();
                    let first = t.lines().next().unwrap().to_string();
                    let tail = if broken { "{\"rev\":\n" } else { "" };
                    *b = format!("{t}{first}\n{tail}").into_bytes();
                }
            },
            move |m| m["counts"]["facilities"] = (if broken { 5 } else { 4 }).into(),
            same,
        ))
    };
    for (broken, expect) in [(true, "line 5"), (false, "appears twice")] {
        let bad = s.dir.join(format!("bad-{broken}.ctvb"));
        std::fs::write(&bad, faulty(broken)).unwrap();
        let mut seen = Vec::new();
        for limits in [ReadLimits::default(), tiny] {
            seen.push(read_bundle_with(&bad, &limits).unwrap_err().to_string());
            seen.push(
                bundle::verify_bundle_with(&bad, &limits)
                    .unwrap_err()
                    .to_string(),
            );
        }
        assert!(seen[0].contains(expect), "{seen:?}");
        assert!(seen.iter().all(|e| e == &seen[0]), "{seen:?}");
    }

    // A line longer than the cap is refused by number, however the entry is cut.
    for batch in [1, 1 << 20] {
        let e = read_bundle_with(
            &path,
            &ReadLimits {
                max_line: 40,
                batch,
                ..ReadLimits::default()
            },
        )
        .unwrap_err();
        assert!(
            matches!(
                e,
                BundleError::LineTooLong {
                    line: 1,
                    cap: 40,
                    ..
                }
            ),
            "{e:?}"
        );
    }
}
