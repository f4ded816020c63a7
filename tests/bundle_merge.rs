//! The province side of bundles: records merged from collaborators' databases — round trip,
//! idempotence, order independence, conflicts and their resolution, duplicates and their
//! merge, refusals that leave the database unchanged.
//!
//! Bundles are built in memory from the senders' databases (`Store::all_records`), each
//! record with its content rev and the rev the sender last sent (`base_rev`).

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use ctv::bundle::model::{
    content_rev, CollaboratorRecord, ConsultationRecord, Envelope, FacilityRecord, ProposalRecord,
};
use ctv::clock::FixedClock;
use ctv::domain::consultation::ConsultationInput;
use ctv::domain::proposal::ProposalInput;
use ctv::domain::{FacilityInput, ProfileInput};
use ctv::store::{Incoming, MergeReport, RecordProblem, Sender, Side, Store, StoreError};

fn vn(y: i32, m: u32, day: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, day, h, 0, 0).unwrap() - Duration::hours(7)
}

fn db(name: &str, role: &str, units: &str, clock: &FixedClock) -> Store {
    let mut s = Store::open_in_memory(Arc::new(clock.clone())).unwrap();
    s.init_profile(
        &ProfileInput {
            name: name.into(),
            role: role.into(),
            units: units.into(),
            account: None,
        },
        false,
    )
    .unwrap();
    s
}

fn facility(s: &mut Store, name: &str, commune: &str, phone: &str, tax: &str) -> String {
    s.create_facility(&FacilityInput {
        name: name.into(),
        entity_type: "HTX".into(),
        commune_code: commune.into(),
        phone: phone.into(),
        tax_code: tax.into(),
        workers: "12".into(),
        products: "Mây tre đan".into(),
        ..Default::default()
    })
    .unwrap()
    .0
    .id
}

fn consult(s: &mut Store, fac: &str, follow_up: &str) -> String {
    s.add_consultation(&ConsultationInput {
        facility_id: fac.into(),
        mode: "TRUC_TIEP".into(),
        topics: "KC03".into(),
        needs: "Máy chẻ nan".into(),
        follow_up_date: follow_up.into(),
        ..Default::default()
    })
    .unwrap()
    .0
    .id
}

fn propose(s: &mut Store, fac: &str) -> String {
    s.add_proposal(&ProposalInput {
        facility_id: fac.into(),
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
    .0
    .id
}

/// A bundle as the reader hands it over: typed records in envelopes.
#[derive(Debug, Clone, Default)]
struct TestBundle {
    sender: Option<Sender>,
    collaborators: Vec<Envelope<CollaboratorRecord>>,
    facilities: Vec<Envelope<FacilityRecord>>,
    consultations: Vec<Envelope<ConsultationRecord>>,
    proposals: Vec<Envelope<ProposalRecord>>,
}

impl TestBundle {
    fn incoming(&self) -> Incoming<'_> {
        Incoming {
            sender: self.sender.as_ref().unwrap(),
            collaborators: &self.collaborators,
            facilities: &self.facilities,
            consultations: &self.consultations,
            proposals: &self.proposals,
            projects: ctv::record::ProjectEnvelopes::none(),
            activities: &[],
            registers: ctv::record::RegisterEnvelopes::none(),
        }
    }
}

fn env<T: serde::Serialize>(record: T, sent: &HashMap<String, String>, id: &str) -> Envelope<T> {
    Envelope {
        rev: content_rev(&record),
        base_rev: sent.get(id).cloned(),
        record,
    }
}

/// Everything of the sender's database, as a full bundle; `sent` holds the revs the sender
/// sent before (its base revs) and is updated as an export would.
fn bundle_from(s: &Store, sent: &mut HashMap<String, String>) -> TestBundle {
    let p = s.profile().unwrap().clone();
    let all = s.all_records().unwrap();
    let mut b = TestBundle {
        sender: Some(Sender {
            id: p.id.clone(),
            name: p.name.clone(),
            role: p.role.as_str().into(),
            units: p.units.clone(),
        }),
        ..Default::default()
    };
    b.collaborators = all
        .collaborators
        .into_iter()
        .filter(|c| c.id == p.id)
        .map(|r| {
            let id = r.id.clone();
            env(r, sent, &id)
        })
        .collect();
    b.facilities = all
        .facilities
        .into_iter()
        .map(|r| {
            let id = r.id.clone();
            env(r, sent, &id)
        })
        .collect();
    b.consultations = all
        .consultations
        .into_iter()
        .map(|r| {
            let id = r.id.clone();
            env(r, sent, &id)
        })
        .collect();
    b.proposals = all
        .proposals
        .into_iter()
        .map(|r| {
            let id = r.id.clone();
            env(r, sent, &id)
        })
        .collect();
    for e in &b.facilities {
        sent.insert(e.record.id.clone(), e.rev.clone());
    }
    for e in &b.consultations {
        sent.insert(e.record.id.clone(), e.rev.clone());
    }
    for e in &b.proposals {
        sent.insert(e.record.id.clone(), e.rev.clone());
    }
    for e in &b.collaborators {
        sent.insert(e.record.id.clone(), e.rev.clone());
    }
    b
}

fn province(clock: &FixedClock) -> Store {
    db("Sở Công Thương Hà Nội", "province", "01", clock)
}

fn import(p: &mut Store, b: &TestBundle) -> MergeReport {
    p.apply_merge(&b.incoming(), |_, _| Ok(())).unwrap()
}

/// The commune collaborator of Phú Vinh with a small notebook: two facilities, three
/// consultations (one with an open follow-up), a proposal sent on.
fn commune_a(clock: &FixedClock) -> Store {
    let mut a = db("Nguyễn Văn An", "commune", "00004", clock);
    let f1 = facility(
        &mut a,
        "HTX mây tre đan Phú Vinh",
        "00004",
        "0912345678",
        "",
    );
    let f2 = facility(&mut a, "Cơ sở mộc Hùng Phát", "00004", "", "");
    consult(&mut a, &f1, "05/12/2026");
    consult(&mut a, &f1, "");
    consult(&mut a, &f2, "");
    let p = propose(&mut a, &f1);
    let v = a.proposal(&p).unwrap().unwrap().version;
    a.propose(&p, v).unwrap();
    a
}

#[test]
fn round_trip_into_an_empty_province_gives_the_same_records() {
    let clock = FixedClock::new(vn(2026, 11, 20, 9));
    let a = commune_a(&clock);
    let b = bundle_from(&a, &mut HashMap::new());
    let mut p = province(&clock);

    let preview = p.preview_merge(&b.incoming()).unwrap();
    assert_eq!(preview.count("facility").new, 2);
    assert_eq!(preview.count("consultation").new, 3);
    assert_eq!(preview.count("proposal").new, 1);
    assert_eq!(
        p.count_all_facilities().unwrap(),
        0,
        "a preview writes nothing"
    );

    let r = import(&mut p, &b);
    assert_eq!(r, preview, "apply does what the preview said");

    let sent = a.all_records().unwrap();
    let got = p.all_records().unwrap();
    assert_eq!(got.facilities, sent.facilities);
    assert_eq!(got.consultations, sent.consultations);
    assert_eq!(got.proposals, sent.proposals);
    let me = a.profile().unwrap().id.clone();
    assert!(got
        .collaborators
        .iter()
        .any(|c| c.id == me && c.name == "Nguyễn Văn An"));
    // Open follow-ups are on the province's agenda data too.
    assert!(got
        .consultations
        .iter()
        .any(|c| c.follow_up.as_ref().is_some_and(|f| f.status == "open")));

    // Merged-in records have change-log rows in the sender's name.
    let f = &got.facilities[0];
    let h = p.history("facility", &f.id).unwrap();
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].action, "create");
    assert_eq!(h[0].actor_id, me);
    assert_eq!(h[0].actor_name, "Nguyễn Văn An");
}

#[test]
fn the_same_bundle_twice_changes_nothing_the_second_time() {
    let clock = FixedClock::new(vn(2026, 11, 20, 9));
    let a = commune_a(&clock);
    let b = bundle_from(&a, &mut HashMap::new());
    let mut p = province(&clock);
    import(&mut p, &b);
    let before = p.all_records().unwrap();
    let changes = p.change_count().unwrap();
    clock.set(vn(2026, 11, 21, 9));
    let again = import(&mut p, &b);
    assert!(again.is_noop(), "{again:?}");
    assert_eq!(again.count("facility").unchanged, 2);
    assert_eq!(again.count("consultation").unchanged, 3);
    assert_eq!(p.all_records().unwrap(), before);
    assert_eq!(p.change_count().unwrap(), changes);
}

#[test]
fn an_update_fast_forwards_and_is_logged_as_the_sender() {
    let clock = FixedClock::new(vn(2026, 11, 20, 9));
    let mut a = commune_a(&clock);
    let mut sent = HashMap::new();
    let b1 = bundle_from(&a, &mut sent);
    let mut p = province(&clock);
    import(&mut p, &b1);

    clock.set(vn(2026, 11, 22, 9));
    let f = b1.facilities[0].record.id.clone();
    let cur = a.facility(&f).unwrap().unwrap();
    let mut d = cur.data.clone();
    d.workers = Some(40);
    a.update_facility_data(&f, cur.meta.version, &d).unwrap();
    let b2 = bundle_from(&a, &mut sent);
    let r = import(&mut p, &b2);
    assert_eq!(r.count("facility").updated, 1);
    assert_eq!(r.count("facility").unchanged, 1);
    assert_eq!(r.count("facility").conflicts, 0);
    assert_eq!(p.facility(&f).unwrap().unwrap().data.workers, Some(40));
    let h = p.history("facility", &f).unwrap();
    assert_eq!(h.last().unwrap().action, "update");
    assert_eq!(
        h.last().unwrap().changes["workers"],
        serde_json::json!([12, 40])
    );
}

/// Two senders (a commune collaborator and the area officer over it) both changed the same
/// facility since the version they had; one sender also has a duplicate of another facility.
struct TwoSenders {
    clock: FixedClock,
    a1: TestBundle,
    a2: TestBundle,
    b_area: TestBundle,
}

fn two_sender_bundles() -> TwoSenders {
    let clock = FixedClock::new(vn(2026, 11, 20, 9));
    let mut a = db("Nguyễn Văn An", "commune", "00004", &clock);
    let x = facility(&mut a, "HTX mây tre đan Phú Vinh", "00004", "", "");
    let mut sent_a = HashMap::new();
    let a1 = bundle_from(&a, &mut sent_a);

    // The area officer holds the same record (as the province had it) and edits it.
    let mut area = db("Lê Thị Bình", "area", "00004,00376", &clock);
    let xr = a1.facilities[0].record.clone();
    let mut x_by_area = xr.clone();
    x_by_area.notes = "Đã kiểm tra tại chỗ".into();
    x_by_area.updated_at = "2026-11-21T02:00:00.000Z".into();
    x_by_area.updated_by = area.profile().unwrap().id.clone();
    let dup = facility(
        &mut area,
        "Hợp tác xã Mây tre đan Phú Vinh",
        "00004",
        "",
        "",
    );
    let _ = dup;
    let mut sent_area = HashMap::new();
    let mut b_area = bundle_from(&area, &mut sent_area);
    b_area.facilities.push(Envelope {
        rev: content_rev(&x_by_area),
        base_rev: Some(a1.facilities[0].rev.clone()),
        record: x_by_area,
    });

    clock.set(vn(2026, 11, 22, 9));
    let cur = a.facility(&x).unwrap().unwrap();
    let mut d = cur.data.clone();
    d.workers = Some(30);
    a.update_facility_data(&x, cur.meta.version, &d).unwrap();
    let a2 = bundle_from(&a, &mut sent_a);
    TwoSenders {
        clock,
        a1,
        a2,
        b_area,
    }
}

/// The province after both senders' bundles, in one order or the other, and its records
/// (the senders' only: the province's own profile differs between databases).
fn two_senders_into(t: &TwoSenders, order_ab: bool) -> (Store, ctv::store::AllRecords) {
    let mut p = province(&t.clock);
    import(&mut p, &t.a1);
    if order_ab {
        import(&mut p, &t.a2);
        import(&mut p, &t.b_area);
    } else {
        import(&mut p, &t.b_area);
        import(&mut p, &t.a2);
    }
    let mut all = p.all_records().unwrap();
    let me = p.profile().unwrap().id.clone();
    all.collaborators.retain(|c| c.id != me);
    (p, all)
}

fn two_senders(order_ab: bool) -> (Store, ctv::store::AllRecords) {
    two_senders_into(&two_sender_bundles(), order_ab)
}

#[test]
fn two_senders_in_either_order_give_the_same_database() {
    let t = two_sender_bundles();
    let (p1, r1) = two_senders_into(&t, true);
    let (p2, r2) = two_senders_into(&t, false);
    assert_eq!(r1, r2);
    let strip = |s: &Store| {
        s.conflicts(false)
            .unwrap()
            .into_iter()
            .map(|c| {
                (
                    c.entity,
                    c.record_id,
                    c.older_rev,
                    c.newer_rev,
                    c.older,
                    c.newer,
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&p1), strip(&p2));
    assert_eq!(
        strip(&p1).len(),
        1,
        "the facility changed on both sides is a conflict"
    );
    let dups = |s: &Store| {
        s.duplicate_pairs(true)
            .unwrap()
            .into_iter()
            .map(|d| (d.a, d.b, d.reasons))
            .collect::<Vec<_>>()
    };
    assert_eq!(dups(&p1), dups(&p2));
    assert_eq!(
        dups(&p1).len(),
        1,
        "the two Phú Vinh cooperatives are suspects"
    );
    // The live version is the later one (the commune's edit of 22/11), both ways.
    let x = &p1.conflicts(false).unwrap()[0].record_id;
    assert_eq!(p1.facility(x).unwrap().unwrap().data.workers, Some(30));
}

#[test]
fn a_conflict_is_kept_with_both_versions_and_resolved_field_by_field() {
    let (mut p, _) = two_senders(true);
    let c = p.conflicts(true).unwrap().remove(0);
    assert_eq!(c.entity, "facility");
    let mut fields = c.differing_fields();
    fields.retain(|f| f != "updated_at" && f != "updated_by");
    fields.sort();
    assert_eq!(fields, vec!["notes".to_string(), "workers".to_string()]);
    // Mine (live): the commune's workers; theirs: the area officer's notes.
    let live = p.conflict_live(&c).unwrap().unwrap();
    assert_eq!(live["workers"], 30);
    assert_eq!(
        p.conflict_other(&c).unwrap()["notes"],
        "Đã kiểm tra tại chỗ"
    );

    let merged = p
        .resolve_conflict(
            c.id,
            &[
                ("workers".into(), Side::Mine),
                ("notes".into(), Side::Theirs),
            ],
        )
        .unwrap();
    assert_eq!(merged["notes"], "Đã kiểm tra tại chỗ");
    let f = p.facility(&c.record_id).unwrap().unwrap();
    assert_eq!(f.data.workers, Some(30));
    assert_eq!(f.data.notes, "Đã kiểm tra tại chỗ");
    assert!(p.conflicts(true).unwrap().is_empty());
    assert_eq!(p.conflicts(false).unwrap()[0].status, "resolved");
    let h = p.history("facility", &c.record_id).unwrap();
    assert_eq!(h.last().unwrap().action, "resolve");
    assert_eq!(
        h.last().unwrap().changes["notes"],
        serde_json::json!(["", "Đã kiểm tra tại chỗ"])
    );
    // A resolved conflict cannot be resolved again; an unknown field is refused.
    assert!(p.resolve_conflict(c.id, &[]).is_err());
}

#[test]
fn resolving_with_an_unknown_field_changes_nothing() {
    let (mut p, _) = two_senders(false);
    let before = p.all_records().unwrap();
    let c = p.conflicts(true).unwrap().remove(0);
    let err = p
        .resolve_conflict(c.id, &[("no_such_field".into(), Side::Theirs)])
        .unwrap_err();
    assert!(matches!(err, StoreError::BadRecord { .. }), "{err:?}");
    assert_eq!(p.all_records().unwrap(), before);
    assert_eq!(p.conflicts(true).unwrap().len(), 1);
}

#[test]
fn a_duplicate_across_senders_is_listed_and_merged_with_its_work() {
    let clock = FixedClock::new(vn(2026, 11, 20, 9));
    let a = commune_a(&clock);
    let mut b = db("Phạm Văn Cường", "commune", "00004", &clock);
    // Same phone as A's cooperative, under another name.
    let twin = facility(
        &mut b,
        "Mây tre Phú Vinh (anh Tâm)",
        "00004",
        "0912345678",
        "",
    );
    let c1 = consult(&mut b, &twin, "");
    let pr = propose(&mut b, &twin);
    let other = facility(&mut b, "Cơ sở mộc Hùng Phát Hai", "00004", "", "");
    let ba = bundle_from(&a, &mut HashMap::new());
    let bb = bundle_from(&b, &mut HashMap::new());
    let mut p = province(&clock);
    import(&mut p, &ba);
    let r = import(&mut p, &bb);
    let original = ba
        .facilities
        .iter()
        .find(|f| f.record.phone.is_some())
        .unwrap();
    let orig_id = original.record.id.clone();
    let pairs = p.duplicate_pairs(true).unwrap();
    assert!(
        pairs
            .iter()
            .any(|d| [&d.a, &d.b].contains(&&twin) && [&d.a, &d.b].contains(&&orig_id)),
        "{pairs:?}"
    );
    assert!(r.count("facility").duplicates >= 1);

    // Keep the mộc pair apart (if suggested), merge the mây tre pair.
    let hung_phat = ba
        .facilities
        .iter()
        .find(|f| f.record.name.contains("Hùng Phát"))
        .unwrap()
        .record
        .id
        .clone();
    p.keep_apart(&hung_phat, &other).unwrap();
    let moves = p.merge_facilities(&orig_id, &twin).unwrap();
    assert_eq!(moves.consultations, vec![c1.clone()]);
    assert_eq!(moves.proposals, vec![pr.clone()]);
    assert_eq!(
        p.consultation(&c1).unwrap().unwrap().data.facility_id,
        orig_id
    );
    assert_eq!(p.proposal(&pr).unwrap().unwrap().data.facility_id, orig_id);
    let loser = p.facility(&twin).unwrap().unwrap();
    assert!(loser.meta.archived);
    assert_eq!(p.merged_into(&twin).unwrap(), Some(orig_id.clone()));
    assert_eq!(
        p.history("facility", &twin).unwrap().last().unwrap().action,
        "merge"
    );
    assert_eq!(
        p.history("consultation", &c1)
            .unwrap()
            .last()
            .unwrap()
            .changes["facility_id"],
        serde_json::json!([twin, orig_id])
    );
    assert!(
        p.duplicate_pairs(true).unwrap().is_empty(),
        "both pairs decided"
    );

    // Decided pairs are not suggested again when the bundle comes back.
    let again = p.preview_merge(&bb.incoming()).unwrap();
    assert!(again.duplicates.is_empty(), "{:?}", again.duplicates);
}

fn refused(p: &mut Store, b: &TestBundle) -> (String, usize, RecordProblem) {
    let changes = p.change_count().unwrap();
    let before = p.all_records().unwrap();
    match p.apply_merge(&b.incoming(), |_, _| Ok(())) {
        Err(StoreError::BadRecord {
            entity,
            line,
            problem,
            ..
        }) => {
            assert_eq!(p.change_count().unwrap(), changes);
            assert_eq!(p.all_records().unwrap(), before);
            (entity, line, problem)
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn a_bundle_with_one_bad_record_is_refused_whole_naming_entity_and_line() {
    let clock = FixedClock::new(vn(2026, 11, 20, 9));
    let a = commune_a(&clock);
    let good = bundle_from(&a, &mut HashMap::new());
    let mut p = province(&clock);

    // A commune code that does not exist (rev recomputed: the content itself is wrong).
    let mut b = good.clone();
    b.facilities[1].record.commune_code = "99999".into();
    b.facilities[1].rev = content_rev(&b.facilities[1].record);
    let (e, line, prob) = refused(&mut p, &b);
    assert_eq!((e.as_str(), line), ("facility", 2));
    assert!(matches!(prob, RecordProblem::Invalid { .. }), "{prob:?}");

    // Money that does not add up.
    let mut b = good.clone();
    b.proposals[0].record.total_cost += 1;
    b.proposals[0].rev = content_rev(&b.proposals[0].record);
    let (e, line, _) = refused(&mut p, &b);
    assert_eq!((e.as_str(), line), ("proposal", 1));

    // An unknown consultation mode.
    let mut b = good.clone();
    b.consultations[2].record.mode = "TELEPATHY".into();
    b.consultations[2].rev = content_rev(&b.consultations[2].record);
    let (e, line, _) = refused(&mut p, &b);
    assert_eq!((e.as_str(), line), ("consultation", 3));

    // A consultation of a facility nobody has.
    let mut b = good.clone();
    b.consultations[0].record.facility_id = "0191d7a0-0000-7000-8000-000000000000".into();
    b.consultations[0].rev = content_rev(&b.consultations[0].record);
    let (_, _, prob) = refused(&mut p, &b);
    assert!(
        matches!(prob, RecordProblem::MissingFacility { .. }),
        "{prob:?}"
    );

    // The same id twice.
    let mut b = good.clone();
    let dup = b.facilities[0].clone();
    b.facilities.push(dup);
    let (e, line, prob) = refused(&mut p, &b);
    assert_eq!(
        (e.as_str(), line, prob),
        ("facility", 3, RecordProblem::DuplicateId)
    );

    // A rev that is not the content's.
    let mut b = good.clone();
    b.facilities[0].record.notes = "sửa tay".into();
    let (_, _, prob) = refused(&mut p, &b);
    assert_eq!(prob, RecordProblem::RevMismatch);

    // An escape sequence in a name.
    let mut b = good.clone();
    b.facilities[0].record.name = "HTX \u{1b}[31mđỏ".into();
    b.facilities[0].rev = content_rev(&b.facilities[0].record);
    let (_, _, prob) = refused(&mut p, &b);
    assert!(
        matches!(prob, RecordProblem::UncleanText { .. }),
        "{prob:?}"
    );

    // Outside the sender's scope.
    let mut b = good.clone();
    b.facilities[0].record.commune_code = "00376".into();
    b.facilities[0].rev = content_rev(&b.facilities[0].record);
    let (_, _, prob) = refused(&mut p, &b);
    assert!(matches!(prob, RecordProblem::Invalid { .. }), "{prob:?}");

    // And the good bundle still goes in.
    assert_eq!(import(&mut p, &good).count("facility").new, 2);
}

#[test]
fn with_several_bad_records_the_first_in_record_order_is_reported() {
    // Validation runs beside the writes and references are checked apart: the refusal
    // named is still the first one a record-by-record check meets, in preview and import.
    let clock = FixedClock::new(vn(2026, 11, 20, 9));
    let a = commune_a(&clock);
    let good = bundle_from(&a, &mut HashMap::new());
    let mut p = province(&clock);
    let first = |p: &mut Store, b: &TestBundle| {
        let (e, line, prob) = refused(p, b);
        match p.preview_merge(&b.incoming()) {
            Err(StoreError::BadRecord {
                entity,
                line: l,
                problem,
                ..
            }) => assert_eq!((&entity, l, &problem), (&e, line, &prob)),
            other => panic!("preview: expected a refusal, got {other:?}"),
        }
        (e, line, prob)
    };

    // A dangling reference on consultation 1 before an unknown mode on consultation 3.
    let mut b = good.clone();
    b.consultations[0].record.facility_id = "0191d7a0-0000-7000-8000-000000000000".into();
    b.consultations[0].rev = content_rev(&b.consultations[0].record);
    b.consultations[2].record.mode = "TELEPATHY".into();
    b.consultations[2].rev = content_rev(&b.consultations[2].record);
    let (e, line, prob) = first(&mut p, &b);
    assert_eq!((e.as_str(), line), ("consultation", 1));
    assert!(
        matches!(prob, RecordProblem::MissingFacility { .. }),
        "{prob:?}"
    );

    // An unknown mode on consultation 1 before a dangling reference on consultation 3;
    // the same record's own fields before its reference.
    let mut b = good.clone();
    b.consultations[0].record.mode = "TELEPATHY".into();
    b.consultations[0].record.facility_id = "0191d7a0-0000-7000-8000-000000000000".into();
    b.consultations[0].rev = content_rev(&b.consultations[0].record);
    b.consultations[2].record.facility_id = "0191d7a0-0000-7000-8000-000000000001".into();
    b.consultations[2].rev = content_rev(&b.consultations[2].record);
    let (e, line, prob) = first(&mut p, &b);
    assert_eq!((e.as_str(), line), ("consultation", 1));
    assert!(matches!(prob, RecordProblem::Invalid { .. }), "{prob:?}");

    // A bad facility before any consultation's reference.
    let mut b = good.clone();
    b.facilities[1].record.commune_code = "99999".into();
    b.facilities[1].rev = content_rev(&b.facilities[1].record);
    b.consultations[0].record.facility_id = "0191d7a0-0000-7000-8000-000000000000".into();
    b.consultations[0].rev = content_rev(&b.consultations[0].record);
    let (e, line, _) = first(&mut p, &b);
    assert_eq!((e.as_str(), line), ("facility", 2));
}
