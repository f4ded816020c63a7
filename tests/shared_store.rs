//! A shared server's database in the core: profiles come from accounts, roles and scopes
//! decide what is written and what is read, network file systems are refused.

use std::path::Path;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use ctv::clock::FixedClock;
use ctv::domain::{FacilityInput, ProfileInput};
use ctv::store::{network_filesystem_kind, FacilityFilter, FacilitySort, Store, StoreError};

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 11, 25, 3, 0, 0).unwrap(),
    ))
}

fn profile(account: &str, role: &str, units: &str) -> ProfileInput {
    ProfileInput {
        name: format!("Người {account}"),
        role: role.into(),
        units: units.into(),
        account: Some(account.into()),
    }
}

fn input(name: &str, commune: &str) -> FacilityInput {
    FacilityInput {
        name: name.into(),
        commune_code: commune.into(),
        ..Default::default()
    }
}

/// A shared database with: a (commune 00004), b (commune 00008), area (00004, 00025),
/// prov (province 01), and one facility in each of 00004, 00008, 00025 and 01273 (Cao Bằng).
fn setup(path: &Path) -> Vec<String> {
    let mut s = Store::open_with_clock(path, clock()).unwrap();
    s.mark_shared().unwrap();
    s.work_as_admin("root");
    for (a, r, u) in [
        ("a", "commune", "00004"),
        ("b", "commune", "00008"),
        ("area", "area", "00004,00025"),
        ("prov", "province", "01"),
        ("cb", "province", "04"),
    ] {
        s.add_collaborator(&profile(a, r, u)).unwrap();
    }
    let mut ids = Vec::new();
    for (who, commune) in [
        ("a", "00004"),
        ("b", "00008"),
        ("area", "00025"),
        ("cb", "01273"),
    ] {
        let mut s = as_account(path, who);
        let (f, _) = s
            .create_facility(&input(&format!("Cơ sở {commune}"), commune))
            .unwrap();
        ids.push(f.id);
    }
    ids
}

fn as_account(path: &Path, account: &str) -> Store {
    let mut s = Store::open_with_clock(path, clock()).unwrap();
    s.work_as_account(account).unwrap();
    s
}

/// Refused for scope: by the store, or already by validation (the same rule, worded per field).
fn out_of_scope(e: &StoreError) -> bool {
    match e {
        StoreError::OutOfScope(_) => true,
        StoreError::Invalid(issues) => issues.errors().any(|i| {
            matches!(
                i.problem,
                ctv::domain::issue::Problem::CommuneOutOfScope { .. }
            )
        }),
        _ => false,
    }
}

fn listed(s: &Store) -> Vec<String> {
    let mut v: Vec<String> = s
        .list_facilities(
            &FacilityFilter::default(),
            FacilitySort::Name,
            false,
            0,
            100,
        )
        .unwrap()
        .into_iter()
        .map(|f| f.data.commune_code)
        .collect();
    v.sort();
    v
}

#[test]
fn the_profile_comes_from_the_account_not_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ctv.db");
    setup(&db);
    let s = Store::open_with_clock(&db, clock()).unwrap();
    assert!(s.is_shared());
    assert!(
        s.profile().is_none(),
        "no profile before the account is known"
    );
    let s = as_account(&db, "b");
    assert_eq!(s.profile().unwrap().units, vec!["00008".to_string()]);

    let mut s = Store::open_with_clock(&db, clock()).unwrap();
    assert!(matches!(
        s.work_as_account("stranger"),
        Err(StoreError::NoAccountProfile(a)) if a == "stranger"
    ));
    // Nobody can give themselves a profile (or a wider role) on a shared database.
    let mut s = as_account(&db, "a");
    let err = s
        .init_profile(&profile("x", "province", "01"), true)
        .unwrap_err();
    assert!(matches!(err, StoreError::NotAdmin), "{err:?}");
    assert!(matches!(
        s.add_collaborator(&profile("x", "commune", "00004")),
        Err(StoreError::NotAdmin)
    ));
}

#[test]
fn a_disabled_account_is_refused_and_can_be_enabled_again() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ctv.db");
    setup(&db);
    // A province officer administers accounts of the province, not another one's.
    let mut prov = as_account(&db, "prov");
    let p = prov.set_account_active("a", false).unwrap();
    assert!(!p.active);
    assert!(matches!(
        prov.set_account_active("cb", false),
        Err(StoreError::OutOfScope(_))
    ));
    let mut s = Store::open_with_clock(&db, clock()).unwrap();
    assert!(matches!(
        s.work_as_account("a"),
        Err(StoreError::AccountDisabled(a)) if a == "a"
    ));
    let mut b = as_account(&db, "b");
    assert!(matches!(
        b.set_account_active("a", true),
        Err(StoreError::NotAdmin)
    ));
    prov.set_account_active("a", true).unwrap();
    as_account(&db, "a");
}

#[test]
fn a_commune_collaborator_writes_and_reads_only_their_communes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ctv.db");
    let ids = setup(&db);
    let mut a = as_account(&db, "a");
    assert_eq!(listed(&a), vec!["00004"]);
    assert_eq!(
        a.count_facilities(&FacilityFilter::default()).unwrap(),
        1,
        "counts honour the read scope too"
    );
    // Another commune's facility: not found by reference, not writable by id.
    assert!(a.facility_by_ref(&ids[1]).unwrap().is_none());
    let other = Store::open_with_clock(&db, clock())
        .unwrap()
        .facility(&ids[1])
        .unwrap()
        .unwrap();
    let err = a
        .update_facility(&ids[1], other.meta.version, &input("Đổi tên", "00004"))
        .unwrap_err();
    assert!(out_of_scope(&err), "{err:?}");
    let err = a
        .set_facility_archived(&ids[1], other.meta.version, true)
        .unwrap_err();
    assert!(out_of_scope(&err), "{err:?}");
    // Moving one's own facility into another commune is a write there.
    let own = a.facility(&ids[0]).unwrap().unwrap();
    let err = a
        .update_facility(&ids[0], own.meta.version, &input("Cơ sở", "00008"))
        .unwrap_err();
    assert!(out_of_scope(&err), "{err:?}");
    assert!(out_of_scope(
        &a.create_facility(&input("Mới", "00008")).unwrap_err()
    ));
    let after = Store::open_with_clock(&db, clock())
        .unwrap()
        .facility(&ids[1])
        .unwrap()
        .unwrap();
    assert_eq!(after, other, "nothing changed");
    // The search sees the same scope as the lists.
    let idx = a.search_index().unwrap();
    assert_eq!(idx.len(), 1);
}

#[test]
fn an_area_reads_its_area_and_a_province_its_province() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ctv.db");
    setup(&db);
    assert_eq!(listed(&as_account(&db, "area")), vec!["00004", "00025"]);
    assert_eq!(
        listed(&as_account(&db, "prov")),
        vec!["00004", "00008", "00025"]
    );
    assert_eq!(listed(&as_account(&db, "cb")), vec!["01273"]);
    // Without an account's profile nothing is shown.
    let s = Store::open_with_clock(&db, clock()).unwrap();
    assert!(listed(&s).is_empty());
}

#[test]
fn a_database_that_is_not_shared_keeps_its_single_user_behaviour() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ctv.db");
    let mut s = Store::open_with_clock(&db, clock()).unwrap();
    s.init_profile(&profile("me", "commune", "00004"), false)
        .unwrap();
    drop(s);
    let s = Store::open_with_clock(&db, clock()).unwrap();
    assert!(!s.is_shared());
    assert_eq!(s.profile().unwrap().units, vec!["00004".to_string()]);
}

#[test]
fn network_file_systems_are_named_by_their_magic() {
    assert_eq!(network_filesystem_kind(0x6969), Some("NFS"));
    assert_eq!(network_filesystem_kind(0x517B), Some("SMB"));
    assert_eq!(network_filesystem_kind(0xFF53_4D42), Some("CIFS"));
    assert_eq!(network_filesystem_kind(0xFE53_4D42), Some("SMB2"));
    assert_eq!(network_filesystem_kind(0x6573_5546), Some("FUSE"));
    // ext4, xfs, btrfs, tmpfs: local.
    for local in [0xEF53_i64, 0x5846_5342, 0x9123_683E, 0x0102_1994] {
        assert_eq!(network_filesystem_kind(local), None, "{local:#x}");
    }
    // The test machine's own temp dir is local: opening works.
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(ctv::store::network_filesystem(dir.path()), None);
}

/// Issue 13, hole 4: a province officer cannot demote root or touch another province
/// officer; only root can. Removing an account archives its profile.
#[test]
fn only_root_administers_root_and_province_officers() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ctv.db");
    setup(&db);
    let mut prov = as_account(&db, "prov");
    for (account, role, unit) in [("root", "commune", "00004"), ("prov2", "province", "01")] {
        assert!(
            matches!(
                prov.add_collaborator(&profile(account, role, unit)),
                Err(StoreError::RootOnly(_))
            ),
            "{account}"
        );
    }
    {
        let mut root = Store::open_with_clock(&db, clock()).unwrap();
        root.work_as_admin("root");
        root.add_collaborator(&profile("prov2", "province", "01"))
            .unwrap();
    }
    assert!(matches!(
        prov.set_account_active("prov2", false),
        Err(StoreError::RootOnly(_))
    ));
    assert!(matches!(
        prov.remove_account("prov2"),
        Err(StoreError::RootOnly(_))
    ));
    // A commune account is the province officer's to remove: archived, history kept.
    let before = Store::open_with_clock(&db, clock())
        .unwrap()
        .collaborator_by_account("a")
        .unwrap()
        .unwrap();
    let removed = prov.remove_account("a").unwrap();
    assert_eq!(removed.id, before.id);
    assert!(!removed.active && removed.account.is_none());
    let mut s = Store::open_with_clock(&db, clock()).unwrap();
    assert!(matches!(
        s.work_as_account("a"),
        Err(StoreError::NoAccountProfile(_))
    ));
    assert!(s.collaborator(&before.id).unwrap().is_some(), "kept");
}

/// Issue 13, hole 5: a session opened before its account was disabled (or removed) writes
/// nothing more: the store checks the account inside each write's transaction.
#[test]
fn an_open_session_of_a_disabled_or_removed_account_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ctv.db");
    setup(&db);
    let mut a = as_account(&db, "a");
    let mut b = as_account(&db, "b");
    let mut prov = as_account(&db, "prov");
    prov.set_account_active("a", false).unwrap();
    prov.remove_account("b").unwrap();
    for (who, s) in [("a", &mut a), ("b", &mut b)] {
        let commune = if who == "a" { "00004" } else { "00008" };
        let err = s
            .create_facility(&input("Sau khi khóa", commune))
            .unwrap_err();
        assert!(
            matches!(err, StoreError::AccountDisabled(_)),
            "{who}: {err:?}"
        );
    }
    // Reading still works in the open session (read-only until it quits).
    assert_eq!(listed(&a), vec!["00004".to_string()]);
    let root = {
        let mut r = Store::open_with_clock(&db, clock()).unwrap();
        r.work_as_admin("root");
        r
    };
    assert!(!listed(&root).is_empty());
    let n = root
        .list_facilities(
            &FacilityFilter::default(),
            FacilitySort::Name,
            false,
            0,
            100,
        )
        .unwrap()
        .iter()
        .filter(|f| f.data.name == "Sau khi khóa")
        .count();
    assert_eq!(n, 0, "nothing was written");
}

/// Issue 13, hole 6: a facility outside the reader's scope with the same phone is reported
/// without its name, commune or id.
#[test]
fn a_duplicate_outside_the_scope_is_not_named() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ctv.db");
    setup(&db);
    let mut a = as_account(&db, "a");
    let mut with_phone = input("Gốm Bí Mật", "00004");
    with_phone.phone = "0912345678".into();
    let (secret, _) = a.create_facility(&with_phone).unwrap();
    let b = as_account(&db, "b");
    let mut probe = input("Khác hẳn", "00008");
    probe.phone = "0912345678".into();
    let data = ctv::domain::facility::validate(&probe, &b.validation_context(false))
        .unwrap()
        .0;
    let suspects = b.duplicate_suspects(&data, None).unwrap();
    assert_eq!(suspects.len(), 1, "{suspects:?}");
    let s = &suspects[0];
    assert!(
        s.id.is_empty() && s.name.is_empty() && s.commune_code.is_empty(),
        "{s:?}"
    );
    assert!(!format!("{s:?}").contains(&secret.id));
    let text = ctv::words::suspect_text(ctv::words::Lang::En, s);
    assert!(text.contains("outside your area"), "{text}");
    // Within the scope it is named as before.
    let a_data =
        ctv::domain::facility::validate(&probe_in(&with_phone), &a.validation_context(false))
            .unwrap()
            .0;
    let own = a.duplicate_suspects(&a_data, None).unwrap();
    assert!(own.iter().any(|s| s.id == secret.id), "{own:?}");
}

fn probe_in(f: &FacilityInput) -> FacilityInput {
    FacilityInput {
        name: "Khác hẳn".into(),
        ..f.clone()
    }
}

/// Issue 13, hole 6: `proposal show` / `consult show` of another commune's record find
/// nothing (the one read-scope check); in scope they are found.
#[test]
fn another_communes_proposal_is_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ctv.db");
    let ids = setup(&db);
    let mut a = as_account(&db, "a");
    let p = a
        .add_proposal(&ctv::domain::ProposalInput {
            facility_id: ids[0].clone(),
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
    assert!(a.proposal_by_ref(&p.id).unwrap().is_some());
    let b = as_account(&db, "b");
    assert!(b.proposal_by_ref(&p.id).unwrap().is_none());
    assert!(b.proposal_record(&p.id).unwrap().is_none());
    let prov = as_account(&db, "prov");
    assert!(prov.proposal_by_ref(&p.id).unwrap().is_some());
}

/// Issue 13, hole 6: a bundle exported from a shared server carries the sender's own profile,
/// not every account of the server.
#[test]
fn a_bundle_from_a_shared_server_carries_the_senders_profile_only() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ctv.db");
    setup(&db);
    let mut a = as_account(&db, "a");
    let me = a.profile().unwrap().id.clone();
    let key = ctv::bundle::signing_key_in(&mut a, &dir.path().join("keys")).unwrap();
    let out = dir.path().join("a.ctvb");
    ctv::bundle::export::export_with_key(
        &mut a,
        &key,
        &ctv::bundle::ExportOptions {
            full: true,
            out: Some(out.clone()),
        },
        &|_, _| {},
    )
    .unwrap();
    let b = ctv::bundle::read_bundle(&out).unwrap();
    let ids: Vec<&str> = b
        .collaborators
        .iter()
        .map(|e| e.record.id.as_str())
        .collect();
    assert_eq!(ids, vec![me.as_str()]);
}
