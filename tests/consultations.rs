//! Consultations: validation, the grace-period lock and amendments, follow-ups, the agenda in
//! Vietnam time, the needs view, scope, the change log and the bulk load.

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use ctv::clock::FixedClock;
use ctv::domain::consultation::{
    parse_date, validate, week_end, AgendaBucket, ConsultationInput, ConsultationPatch,
    FollowUpClose, FollowUpStatus,
};
use ctv::domain::issue::{Problem, Severity};
use ctv::domain::{FacilityInput, ProfileInput};
use ctv::store::{
    BulkConsultation, BulkFollowUp, ConsultationFilter, Store, StoreError, GRACE_HOURS_SETTING,
};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// A UTC instant given as Vietnam local time (UTC+7).
fn vn(y: i32, m: u32, day: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, day, h, min, 0).unwrap() - Duration::hours(7)
}

struct Fixture {
    store: Store,
    clock: FixedClock,
}

/// A store working as `role`/`units`, its clock at 25/11/2026 10:00 Vietnam time (Wednesday).
fn fixture(role: &str, units: &str) -> Fixture {
    let clock = FixedClock::new(vn(2026, 11, 25, 10, 0));
    let mut store = Store::open_in_memory(Arc::new(clock.clone())).unwrap();
    store
        .init_profile(
            &ProfileInput {
                name: "Trần Thị Bình".into(),
                role: role.into(),
                units: units.into(),
                account: None,
            },
            false,
        )
        .unwrap();
    Fixture { store, clock }
}

fn facility(s: &mut Store, name: &str, commune: &str) -> String {
    s.create_facility(&FacilityInput {
        name: name.into(),
        commune_code: commune.into(),
        ..Default::default()
    })
    .unwrap()
    .0
    .id
}

fn input(facility_id: &str) -> ConsultationInput {
    ConsultationInput {
        facility_id: facility_id.into(),
        mode: "TRUC_TIEP".into(),
        topics: "KC06".into(),
        needs: "Hỗ trợ thiết kế bao bì".into(),
        ..Default::default()
    }
}

fn with(facility_id: &str, date: &str, follow_up: &str) -> ConsultationInput {
    ConsultationInput {
        date: date.into(),
        follow_up_date: follow_up.into(),
        ..input(facility_id)
    }
}

fn problems(i: &ConsultationInput) -> Vec<(&'static str, Problem, Severity)> {
    let issues = match validate(i, d(2026, 11, 25)) {
        Ok((_, w)) => w,
        Err(e) => e,
    };
    issues
        .0
        .into_iter()
        .map(|x| (x.field, x.problem, x.severity))
        .collect()
}

// ---------------------------------------------------------------- validation

#[test]
fn dates_are_read_the_vietnamese_way_and_iso_too() {
    assert_eq!(parse_date("25/11/2026"), Some(d(2026, 11, 25)));
    assert_eq!(parse_date("5/1/2026"), Some(d(2026, 1, 5)));
    assert_eq!(parse_date("05-01-2026"), Some(d(2026, 1, 5)));
    assert_eq!(parse_date("05.01.2026"), Some(d(2026, 1, 5)));
    assert_eq!(parse_date(" 2026-01-05 "), Some(d(2026, 1, 5)));
    assert_eq!(parse_date("29/02/2028"), Some(d(2028, 2, 29)));
    for bad in [
        "29/02/2027",
        "31/04/2026",
        "25/11/26",
        "2026/1",
        "hôm nay",
        "",
        "1/2/3/2026",
    ] {
        assert_eq!(parse_date(bad), None, "{bad}");
    }
}

#[test]
fn the_date_defaults_to_today_and_cannot_be_in_the_future() {
    let (c, w) = validate(&input("f"), d(2026, 11, 25)).unwrap();
    assert_eq!(c.date, d(2026, 11, 25));
    assert!(w.0.is_empty(), "{w:?}");
    let p = problems(&with("f", "26/11/2026", ""));
    assert_eq!(
        p,
        vec![(
            "date",
            Problem::DateInFuture {
                date: "26/11/2026".into()
            },
            Severity::Error
        )]
    );
    let p = problems(&with("f", "31/02/2026", ""));
    assert_eq!(p[0].0, "date");
    assert!(matches!(p[0].1, Problem::DateFormat { .. }));
    let p = problems(&with("f", "01/01/1999", ""));
    assert_eq!(p[0].1, Problem::YearTooOld { year: 1999 });
}

#[test]
fn the_follow_up_cannot_come_before_the_consultation() {
    let p = problems(&with("f", "20/11/2026", "19/11/2026"));
    assert_eq!(
        p,
        vec![(
            "follow_up_date",
            Problem::BeforeDate {
                date: "20/11/2026".into()
            },
            Severity::Error
        )]
    );
    // The same day, a past day after the consultation, and the future are fine.
    for ok in ["20/11/2026", "22/11/2026", "2027-03-01"] {
        assert!(validate(&with("f", "20/11/2026", ok), d(2026, 11, 25)).is_ok());
    }
    let p = problems(&with("f", "20/11/2026", "1/1/2040"));
    assert_eq!(p[0].1, Problem::YearInFuture { year: 2040 });
}

#[test]
fn mode_and_topics_must_be_in_the_code_lists() {
    let mut i = input("f");
    i.mode = "bay đến".into();
    i.topics = "KC06, KC99".into();
    let p = problems(&i);
    assert!(p.contains(&(
        "mode",
        Problem::UnknownCode {
            code: "bay đến".into()
        },
        Severity::Error
    )));
    assert!(p.contains(&(
        "topics",
        Problem::UnknownCode {
            code: "KC99".into()
        },
        Severity::Error
    )));
    i.mode = String::new();
    assert!(problems(&i).contains(&("mode", Problem::Required, Severity::Error)));
    i.facility_id = String::new();
    assert!(problems(&i).contains(&("facility_id", Problem::Required, Severity::Error)));
}

#[test]
fn codes_and_labels_are_accepted_in_any_case_and_short_form() {
    let mut i = input("f");
    i.mode = "điện thoại".into();
    i.topics = "kc6; 2 KC02 KC06".into();
    let (c, _) = validate(&i, d(2026, 11, 25)).unwrap();
    assert_eq!(c.mode, "DIEN_THOAI");
    assert_eq!(
        c.topics,
        vec!["KC02", "KC06"],
        "code-list order, no repeats"
    );
    i.mode = "truc tuyen (zalo, email, hop truc tuyen)".into();
    i.topics = "Chuyển đổi số, ứng dụng công nghệ thông tin trong sản xuất CNNT".into();
    let (c, _) = validate(&i, d(2026, 11, 25)).unwrap();
    assert_eq!(c.mode, "TRUC_TUYEN");
    assert_eq!(c.topics, vec!["KC12"]);
}

#[test]
fn no_topic_is_allowed_but_needs_without_one_draw_a_warning() {
    let mut i = input("f");
    i.topics = String::new();
    let (c, w) = validate(&i, d(2026, 11, 25)).unwrap();
    assert!(c.topics.is_empty());
    assert_eq!(
        w.0.iter()
            .map(|x| (x.field, &x.problem, x.severity))
            .collect::<Vec<_>>(),
        vec![("topics", &Problem::NoTopic, Severity::Warning)]
    );
    i.needs = String::new();
    let (_, w) = validate(&i, d(2026, 11, 25)).unwrap();
    assert!(
        w.0.is_empty(),
        "a courtesy call with nothing raised needs no topic"
    );
}

#[test]
fn multi_line_texts_keep_their_lines() {
    let mut i = input("f");
    i.difficulties = "  Thiếu máy sấy\r\nMặt bằng   chật\r\n\r\n\u{1b}[31mđỏ\n".into();
    i.advice = "Lập hồ sơ đề án\nLiên hệ Trung tâm".into();
    let (c, _) = validate(&i, d(2026, 11, 25)).unwrap();
    assert_eq!(c.difficulties, "Thiếu máy sấy\nMặt bằng chật\n\nđỏ");
    assert_eq!(c.advice, "Lập hồ sơ đề án\nLiên hệ Trung tâm");
    i.needs = "x".repeat(4001);
    assert!(problems(&i).contains(&("needs", Problem::TooLong { max: 4000 }, Severity::Error)));
}

// ---------------------------------------------------------------- store: add, log

#[test]
fn a_consultation_is_saved_with_its_follow_up_and_logged() {
    let mut f = fixture("commune", "00004");
    let fid = facility(&mut f.store, "HTX gốm Phù Lãng", "00004");
    let (c, _) = f
        .store
        .add_consultation(&with(&fid, "20/11/2026", "02/12/2026"))
        .unwrap();
    assert_eq!(c.data.date, d(2026, 11, 20));
    assert_eq!(c.facility_name, "HTX gốm Phù Lãng");
    assert_eq!(c.collaborator_name, "Trần Thị Bình");
    assert_eq!(c.version, 1);
    let fu = c.follow_up.as_ref().unwrap();
    assert_eq!(
        (fu.due_date, fu.status),
        (d(2026, 12, 2), FollowUpStatus::Open)
    );
    let h = f.store.history("consultation", &c.id).unwrap();
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].action, "create");
    assert_eq!(
        h[0].changes["follow_up_date"],
        serde_json::json!([null, "2026-12-02"])
    );
    assert_eq!(h[0].changes["topics"], serde_json::json!([null, ["KC06"]]));
    assert_eq!(h[0].actor_name, "Trần Thị Bình");

    // A bad consultation writes nothing, not even a log row.
    let before = f.store.change_count().unwrap();
    let e = f
        .store
        .add_consultation(&with(&fid, "20/11/2026", "01/11/2026"))
        .unwrap_err();
    assert!(matches!(e, StoreError::Invalid(_)), "{e:?}");
    let e = f
        .store
        .add_consultation(&input("no-such-facility"))
        .unwrap_err();
    assert!(matches!(e, StoreError::NotFound(_)), "{e:?}");
    assert_eq!(f.store.change_count().unwrap(), before);
    assert_eq!(
        f.store
            .count_consultations(&ConsultationFilter::default())
            .unwrap(),
        1
    );
}

#[test]
fn short_ids_find_consultations() {
    let mut f = fixture("commune", "00004");
    let fid = facility(&mut f.store, "Cơ sở rèn", "00004");
    let (c, _) = f.store.add_consultation(&input(&fid)).unwrap();
    let short = &c.id[c.id.len() - 8..];
    assert_eq!(
        f.store.consultation_by_ref(short).unwrap().unwrap().id,
        c.id
    );
    assert_eq!(
        f.store
            .consultation_by_ref(&c.id.to_uppercase())
            .unwrap()
            .unwrap()
            .id,
        c.id
    );
    assert!(f.store.consultation_by_ref("zz").unwrap().is_none());
}

// ---------------------------------------------------------------- grace period, amendments

#[test]
fn within_the_grace_period_the_author_edits_and_the_log_keeps_the_trace() {
    let mut f = fixture("commune", "00004");
    let fid = facility(&mut f.store, "Cơ sở mây tre", "00004");
    let (c, _) = f
        .store
        .add_consultation(&with(&fid, "", "30/11/2026"))
        .unwrap();
    f.clock.set(vn(2026, 11, 26, 9, 59)); // 23 h 59 min later
    let patch = ConsultationPatch {
        needs: Some("Hỗ trợ máy chẻ nan".into()),
        follow_up_date: Some("03/12/2026".into()),
        ..Default::default()
    };
    let (e, _) = f.store.edit_consultation(&c.id, 1, &patch).unwrap();
    assert_eq!(e.version, 2);
    assert_eq!(e.data.needs, "Hỗ trợ máy chẻ nan");
    assert_eq!(
        e.follow_up.unwrap().due_date,
        d(2026, 12, 3),
        "the open follow-up moves"
    );
    let rec = f.store.consultation_record(&c.id).unwrap().unwrap();
    assert_eq!(
        rec.original.needs, "Hỗ trợ máy chẻ nan",
        "an edit is not an amendment"
    );
    assert!(rec.amendments.is_empty());
    let h = f.store.history("consultation", &c.id).unwrap();
    assert_eq!(h[1].action, "update");
    assert_eq!(
        h[1].changes["needs"],
        serde_json::json!(["Hỗ trợ thiết kế bao bì", "Hỗ trợ máy chẻ nan"])
    );
    assert_eq!(
        h[1].changes["follow_up_date"],
        serde_json::json!(["2026-11-30", "2026-12-03"])
    );
    // A stale version is a conflict, and nothing is written.
    let e = f.store.edit_consultation(&c.id, 1, &patch).unwrap_err();
    assert!(matches!(e, StoreError::Conflict { found: 2, .. }), "{e:?}");
}

#[test]
fn after_the_grace_period_only_amendments_correct_it() {
    let mut f = fixture("commune", "00004");
    let fid = facility(&mut f.store, "Cơ sở mây tre", "00004");
    let (c, _) = f.store.add_consultation(&input(&fid)).unwrap();
    let created = f.clock.0.lock().map(|g| *g).unwrap();
    f.clock.set(created + Duration::hours(24));
    let patch = ConsultationPatch {
        mode: Some("DIEN_THOAI".into()),
        topics: Some("KC06, KC07".into()),
        needs: Some("Hỗ trợ tham gia hội chợ".into()),
        ..Default::default()
    };
    let rec = f.store.consultation_record(&c.id).unwrap().unwrap();
    assert!(!rec.editable);
    let e = f.store.edit_consultation(&c.id, 1, &patch).unwrap_err();
    assert!(matches!(e, StoreError::Locked(_)), "{e:?}");

    let (rec, _) = f
        .store
        .amend_consultation(&c.id, 1, &patch, "Ghi nhầm hình thức")
        .unwrap();
    // The original stays exactly as recorded; the correction sits beside it.
    assert_eq!(rec.original.mode, "TRUC_TIEP");
    assert_eq!(rec.original.topics, vec!["KC06"]);
    assert_eq!(rec.original.needs, "Hỗ trợ thiết kế bao bì");
    assert_eq!(rec.consultation.data.mode, "DIEN_THOAI");
    assert_eq!(rec.consultation.data.topics, vec!["KC06", "KC07"]);
    assert_eq!(rec.amendments.len(), 1);
    let a = &rec.amendments[0];
    assert_eq!(a.actor_name, "Trần Thị Bình");
    assert_eq!(a.reason, "Ghi nhầm hình thức");
    assert_eq!(
        a.changes["mode"],
        serde_json::json!(["TRUC_TIEP", "DIEN_THOAI"])
    );
    assert!(!a.changes.contains_key("date"), "only what changed: {a:?}");
    assert_eq!(rec.consultation.version, 2);
    assert_eq!(rec.consultation.amendments, 1);

    // A second correction builds on the first.
    let (rec, _) = f
        .store
        .amend_consultation(
            &c.id,
            2,
            &ConsultationPatch {
                needs: Some("Hỗ trợ gian hàng hội chợ".into()),
                ..Default::default()
            },
            "",
        )
        .unwrap();
    assert_eq!(rec.amendments.len(), 2);
    assert_eq!(
        rec.amendments[1].changes["needs"],
        serde_json::json!(["Hỗ trợ tham gia hội chợ", "Hỗ trợ gian hàng hội chợ"])
    );
    assert_eq!(rec.consultation.data.mode, "DIEN_THOAI");
    assert_eq!(rec.original.needs, "Hỗ trợ thiết kế bao bì");

    let actions: Vec<String> = f
        .store
        .history("consultation", &c.id)
        .unwrap()
        .into_iter()
        .map(|h| h.action)
        .collect();
    assert_eq!(actions, ["create", "amend", "amend"]);

    // Lists, filters and the needs view see the corrected values.
    let by_mode = |m: &str| {
        f.store
            .count_consultations(&ConsultationFilter {
                mode: Some(m.into()),
                ..Default::default()
            })
            .unwrap()
    };
    assert_eq!((by_mode("DIEN_THOAI"), by_mode("TRUC_TIEP")), (1, 0));
    let kc07 = ConsultationFilter {
        topic: Some("KC07".into()),
        ..Default::default()
    };
    assert_eq!(f.store.count_consultations(&kc07).unwrap(), 1);
    let listed = f.store.list_consultations(&kc07, 0, 10).unwrap();
    assert_eq!(listed[0].data.needs, "Hỗ trợ gian hàng hội chợ");
    let needs = f.store.needs_by_topic(&kc07).unwrap();
    assert_eq!(needs.len(), 1);
    assert_eq!(needs[0].entries[0].needs, "Hỗ trợ gian hàng hội chợ");
}

#[test]
fn amendments_refuse_the_follow_up_date_stale_versions_and_bad_values() {
    let mut f = fixture("commune", "00004");
    let fid = facility(&mut f.store, "Cơ sở mây tre", "00004");
    let (c, _) = f
        .store
        .add_consultation(&with(&fid, "20/11/2026", "27/11/2026"))
        .unwrap();
    let e = f
        .store
        .amend_consultation(
            &c.id,
            1,
            &ConsultationPatch {
                follow_up_date: Some("28/11/2026".into()),
                ..Default::default()
            },
            "",
        )
        .unwrap_err();
    let StoreError::Invalid(i) = e else {
        panic!("{e:?}")
    };
    assert_eq!(i.0[0].field, "follow_up_date");
    assert_eq!(i.0[0].problem, Problem::NotAmendable);
    // A corrected date must still come before the follow-up.
    let e = f
        .store
        .amend_consultation(
            &c.id,
            1,
            &ConsultationPatch {
                date: Some("24/11/2026".into()),
                ..Default::default()
            },
            "",
        )
        .map(|_| ());
    assert!(e.is_ok());
    let e = f
        .store
        .amend_consultation(
            &c.id,
            2,
            &ConsultationPatch {
                date: Some("28/11/2026".into()),
                ..Default::default()
            },
            "",
        )
        .unwrap_err();
    assert!(matches!(e, StoreError::Invalid(_)), "{e:?}");
    let e = f
        .store
        .amend_consultation(&c.id, 1, &ConsultationPatch::default(), "")
        .unwrap_err();
    assert!(matches!(e, StoreError::Conflict { .. }), "{e:?}");
    // The timeline follows the corrected date.
    let tl = f.store.facility_timeline(&fid, 0, 10).unwrap();
    assert_eq!(tl[0].data.date, d(2026, 11, 24));
}

#[test]
fn the_grace_period_is_a_setting_and_belongs_to_the_author() {
    let mut f = fixture("commune", "00004");
    let fid = facility(&mut f.store, "Cơ sở mây tre", "00004");
    f.store.set_setting(GRACE_HOURS_SETTING, "2").unwrap();
    let (c, _) = f.store.add_consultation(&input(&fid)).unwrap();
    let created = f.clock.0.lock().map(|g| *g).unwrap();
    f.clock.set(created + Duration::minutes(119));
    let rec = f.store.consultation_record(&c.id).unwrap().unwrap();
    assert!(rec.editable);
    f.clock.set(created + Duration::hours(2));
    let rec = f.store.consultation_record(&c.id).unwrap().unwrap();
    assert!(!rec.editable);

    // Another collaborator of the same commune amends, never edits, even at once.
    f.store.set_setting(GRACE_HOURS_SETTING, "24").unwrap();
    f.store
        .init_profile(
            &ProfileInput {
                name: "Lê Văn Cường".into(),
                role: "commune".into(),
                units: "00004".into(),
                account: None,
            },
            true,
        )
        .unwrap();
    let patch = ConsultationPatch {
        advice: Some("Đăng ký OCOP".into()),
        ..Default::default()
    };
    assert!(matches!(
        f.store.edit_consultation(&c.id, 1, &patch),
        Err(StoreError::Locked(_))
    ));
    let (rec, _) = f.store.amend_consultation(&c.id, 1, &patch, "").unwrap();
    assert_eq!(rec.amendments[0].actor_name, "Lê Văn Cường");
}

#[test]
fn once_amended_even_the_author_within_the_grace_period_amends() {
    let mut f = fixture("commune", "00004");
    let fid = facility(&mut f.store, "Cơ sở mây tre", "00004");
    let (c, _) = f.store.add_consultation(&input(&fid)).unwrap();
    let patch = ConsultationPatch {
        advice: Some("Đăng ký OCOP".into()),
        ..Default::default()
    };
    f.store.amend_consultation(&c.id, 1, &patch, "").unwrap();
    assert!(matches!(
        f.store.edit_consultation(&c.id, 2, &patch),
        Err(StoreError::Locked(_))
    ));
}

// ---------------------------------------------------------------- follow-ups

#[test]
fn a_follow_up_is_done_by_the_consultation_it_led_to() {
    let mut f = fixture("commune", "00004");
    let fid = facility(&mut f.store, "Cơ sở mây tre", "00004");
    let other = facility(&mut f.store, "Cơ sở gốm", "00004");
    let (first, _) = f
        .store
        .add_consultation(&with(&fid, "10/11/2026", "20/11/2026"))
        .unwrap();
    let (earlier, _) = f
        .store
        .add_consultation(&with(&fid, "05/11/2026", ""))
        .unwrap();
    let (elsewhere, _) = f.store.add_consultation(&input(&other)).unwrap();
    let (next, _) = f
        .store
        .add_consultation(&with(&fid, "21/11/2026", ""))
        .unwrap();
    let close = |id: &str| FollowUpClose {
        outcome_id: Some(id.into()),
        note: String::new(),
    };
    let problem = |e: StoreError| match e {
        StoreError::Invalid(i) => (i.0[0].field, i.0[0].problem.clone()),
        e => panic!("{e:?}"),
    };
    let e = f
        .store
        .complete_follow_up(&first.id, 1, &close(&elsewhere.id))
        .unwrap_err();
    assert_eq!(problem(e), ("outcome_id", Problem::OtherFacility));
    let e = f
        .store
        .complete_follow_up(&first.id, 1, &close(&earlier.id))
        .unwrap_err();
    assert_eq!(
        problem(e),
        (
            "outcome_id",
            Problem::BeforeDate {
                date: "10/11/2026".into()
            }
        )
    );
    let fu = f
        .store
        .complete_follow_up(&first.id, 1, &close(&next.id))
        .unwrap();
    assert_eq!(fu.status, FollowUpStatus::Done);
    assert_eq!(fu.outcome_id.as_deref(), Some(next.id.as_str()));
    assert_eq!(fu.version, 2);
    let e = f
        .store
        .complete_follow_up(&first.id, 2, &FollowUpClose::default())
        .unwrap_err();
    assert!(matches!(e, StoreError::FollowUpDone(_)), "{e:?}");
    let e = f
        .store
        .complete_follow_up(&earlier.id, 1, &FollowUpClose::default())
        .unwrap_err();
    assert!(matches!(e, StoreError::NoFollowUp(_)), "{e:?}");
    let h = f.store.history("follow_up", &first.id).unwrap();
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].action, "done");
    assert_eq!(
        h[0].changes["outcome_id"],
        serde_json::json!([null, next.id])
    );
    // The consultation itself is untouched.
    assert_eq!(f.store.consultation(&first.id).unwrap().unwrap().version, 1);
}

#[test]
fn a_follow_up_is_closed_with_a_note() {
    let mut f = fixture("commune", "00004");
    let fid = facility(&mut f.store, "Cơ sở mây tre", "00004");
    let (c, _) = f
        .store
        .add_consultation(&with(&fid, "", "27/11/2026"))
        .unwrap();
    let fu = f
        .store
        .complete_follow_up(
            &c.id,
            1,
            &FollowUpClose {
                outcome_id: None,
                note: "Cơ sở đã tự mua máy\nKhông cần hỗ trợ nữa".into(),
            },
        )
        .unwrap();
    assert_eq!(fu.note, "Cơ sở đã tự mua máy\nKhông cần hỗ trợ nữa");
    assert!(fu.closed_at.is_some());
    assert_eq!(f.store.agenda().unwrap().items.len(), 0);
}

#[test]
fn rescheduling_moves_the_date_and_logs_old_and_new() {
    let mut f = fixture("commune", "00004");
    let fid = facility(&mut f.store, "Cơ sở mây tre", "00004");
    let (c, _) = f
        .store
        .add_consultation(&with(&fid, "10/11/2026", "20/11/2026"))
        .unwrap();
    // Not into the past (today is 25/11/2026).
    let e = f
        .store
        .reschedule_follow_up(&c.id, 1, "24/11/2026", "")
        .unwrap_err();
    let StoreError::Invalid(i) = e else {
        panic!("{e:?}")
    };
    assert_eq!(
        i.0[0].problem,
        Problem::BeforeDate {
            date: "25/11/2026".into()
        }
    );
    assert!(matches!(
        f.store.reschedule_follow_up(&c.id, 1, "ngày mai", ""),
        Err(StoreError::Invalid(_))
    ));
    let fu = f
        .store
        .reschedule_follow_up(&c.id, 1, "2/12/2026", "Chủ cơ sở đi vắng")
        .unwrap();
    assert_eq!((fu.due_date, fu.version), (d(2026, 12, 2), 2));
    let h = f.store.history("follow_up", &c.id).unwrap();
    assert_eq!(h[0].action, "reschedule");
    assert_eq!(
        h[0].changes["due_date"],
        serde_json::json!(["2026-11-20", "2026-12-02"])
    );
    assert_eq!(
        h[0].changes["reason"],
        serde_json::json!([null, "Chủ cơ sở đi vắng"])
    );
    // The agreed date of the consultation itself is history and stays.
    let c2 = f.store.consultation(&c.id).unwrap().unwrap();
    assert_eq!(c2.data.follow_up_date, Some(d(2026, 11, 20)));
    assert!(matches!(
        f.store.reschedule_follow_up(&c.id, 1, "3/12/2026", ""),
        Err(StoreError::Conflict { .. })
    ));
    // A consultation without a follow-up gets one.
    let (bare, _) = f.store.add_consultation(&input(&fid)).unwrap();
    let fu = f
        .store
        .reschedule_follow_up(&bare.id, 0, "30/11/2026", "")
        .unwrap();
    assert_eq!(fu.status, FollowUpStatus::Open);
    assert_eq!(
        f.store.history("follow_up", &bare.id).unwrap()[0].action,
        "schedule"
    );
}

// ---------------------------------------------------------------- agenda

#[test]
fn week_end_is_the_sunday_of_the_iso_week() {
    assert_eq!(week_end(d(2026, 11, 25)), d(2026, 11, 29));
    assert_eq!(week_end(d(2026, 11, 29)), d(2026, 11, 29));
    assert_eq!(week_end(d(2026, 11, 30)), d(2026, 12, 6));
    assert_eq!(
        week_end(d(2026, 12, 31)),
        d(2027, 1, 3),
        "across the year end"
    );
    assert_eq!(
        week_end(d(2028, 2, 28)),
        d(2028, 3, 5),
        "across a leap February"
    );
}

/// Consultations on `fid` dated `date` with follow-ups on each of `dues`.
fn follow_ups(s: &mut Store, fid: &str, date: &str, dues: &[&str]) {
    for due in dues {
        s.add_consultation(&ConsultationInput {
            next_step: format!("Gặp lại ngày {due}"),
            ..with(fid, date, due)
        })
        .unwrap();
    }
}

fn buckets(s: &Store) -> Vec<(String, AgendaBucket, i64)> {
    s.agenda()
        .unwrap()
        .items
        .into_iter()
        .map(|i| {
            (
                i.consultation.follow_up.unwrap().due_date.to_string(),
                i.bucket,
                i.days_late,
            )
        })
        .collect()
}

#[test]
fn the_agenda_turns_over_at_vietnamese_midnight_not_utc() {
    let mut f = fixture("commune", "00004");
    let fid = facility(&mut f.store, "Cơ sở mây tre", "00004");
    follow_ups(
        &mut f.store,
        &fid,
        "20/11/2026",
        &["25/11/2026", "26/11/2026", "29/11/2026", "30/11/2026"],
    );
    use AgendaBucket::*;
    // 23:59 on Wednesday 25/11 in Việt Nam (16:59 UTC).
    f.clock.set(vn(2026, 11, 25, 23, 59));
    assert_eq!(
        buckets(&f.store),
        vec![
            ("2026-11-25".into(), Today, 0),
            ("2026-11-26".into(), ThisWeek, 0),
            ("2026-11-29".into(), ThisWeek, 0),
            ("2026-11-30".into(), Later, 0),
        ]
    );
    assert_eq!(f.store.overdue_count().unwrap(), 0);
    // 00:00 on Thursday 26/11 in Việt Nam — still 25/11 in UTC (17:00).
    f.clock.set(vn(2026, 11, 26, 0, 0));
    assert_eq!(
        f.clock.0.lock().map(|g| g.date_naive()).unwrap(),
        d(2026, 11, 25)
    );
    assert_eq!(
        buckets(&f.store),
        vec![
            ("2026-11-25".into(), Overdue, 1),
            ("2026-11-26".into(), Today, 0),
            ("2026-11-29".into(), ThisWeek, 0),
            ("2026-11-30".into(), Later, 0),
        ]
    );
    assert_eq!(f.store.overdue_count().unwrap(), 1);
    // Sunday: nothing is left of the week after today.
    f.clock.set(vn(2026, 11, 29, 6, 0));
    let b = buckets(&f.store);
    assert_eq!(b[2], ("2026-11-29".into(), Today, 0));
    assert_eq!(b[3], ("2026-11-30".into(), Later, 0));
    // Monday: a new week.
    f.clock.set(vn(2026, 11, 30, 0, 1));
    let b = buckets(&f.store);
    assert_eq!(b[0], ("2026-11-25".into(), Overdue, 5));
    assert_eq!(b[3], ("2026-11-30".into(), Today, 0));
    assert_eq!(f.store.overdue_count().unwrap(), 3);
}

#[test]
fn the_agenda_across_month_and_year_ends() {
    let mut f = fixture("commune", "00004");
    let fid = facility(&mut f.store, "Cơ sở mây tre", "00004");
    f.clock.set(vn(2026, 12, 31, 8, 0)); // Thursday
    follow_ups(
        &mut f.store,
        &fid,
        "01/11/2026",
        &[
            "30/11/2026",
            "31/12/2026",
            "01/01/2027",
            "03/01/2027",
            "04/01/2027",
        ],
    );
    use AgendaBucket::*;
    assert_eq!(
        buckets(&f.store),
        vec![
            ("2026-11-30".into(), Overdue, 31),
            ("2026-12-31".into(), Today, 0),
            ("2027-01-01".into(), ThisWeek, 0),
            ("2027-01-03".into(), ThisWeek, 0),
            ("2027-01-04".into(), Later, 0),
        ]
    );
    // New Year's Eve at 17:00 UTC is already 1 January in Việt Nam.
    f.clock
        .set(Utc.with_ymd_and_hms(2026, 12, 31, 17, 0, 0).unwrap());
    let b = buckets(&f.store);
    assert_eq!(b[1], ("2026-12-31".into(), Overdue, 1));
    assert_eq!(b[2], ("2027-01-01".into(), Today, 0));
    // The end of February, in a common and a leap year.
    let fid2 = facility(&mut f.store, "Cơ sở gốm", "00004");
    f.clock.set(vn(2027, 2, 27, 9, 0)); // Saturday
    follow_ups(
        &mut f.store,
        &fid2,
        "20/02/2027",
        &["28/02/2027", "01/03/2027"],
    );
    let a = f.store.agenda().unwrap();
    let feb: Vec<_> = a
        .items
        .iter()
        .filter(|i| i.consultation.data.facility_id == fid2)
        .map(|i| i.bucket)
        .collect();
    assert_eq!(feb, vec![ThisWeek, Later]);
    f.clock.set(vn(2028, 3, 1, 9, 0));
    let late: Vec<i64> = f
        .store
        .agenda()
        .unwrap()
        .items
        .iter()
        .filter(|i| i.consultation.data.facility_id == fid2)
        .map(|i| i.days_late)
        .collect();
    assert_eq!(late, vec![367, 366], "2028 is a leap year");
}

#[test]
fn the_agenda_leaves_out_done_follow_ups_and_archived_facilities() {
    let mut f = fixture("commune", "00004");
    let a = facility(&mut f.store, "Cơ sở mây tre", "00004");
    let b = facility(&mut f.store, "Cơ sở gốm", "00004");
    follow_ups(
        &mut f.store,
        &a,
        "20/11/2026",
        &["21/11/2026", "22/11/2026"],
    );
    follow_ups(&mut f.store, &b, "20/11/2026", &["23/11/2026"]);
    assert_eq!(f.store.overdue_count().unwrap(), 3);
    let first = f.store.agenda().unwrap().items[0].consultation.clone();
    f.store
        .complete_follow_up(&first.id, 1, &FollowUpClose::default())
        .unwrap();
    assert_eq!(f.store.overdue_count().unwrap(), 2);
    let v = f.store.facility(&b).unwrap().unwrap().meta.version;
    f.store.set_facility_archived(&b, v, true).unwrap();
    assert_eq!(f.store.overdue_count().unwrap(), 1);
    let agenda = f.store.agenda().unwrap();
    assert_eq!(agenda.count(AgendaBucket::Overdue), 1);
    assert_eq!(
        agenda.items[0].consultation.data.next_step,
        "Gặp lại ngày 22/11/2026"
    );
}

// ---------------------------------------------------------------- scope

fn province_with_two_communes() -> (Fixture, String, String) {
    let mut f = fixture("province", "01");
    let inside = facility(&mut f.store, "Cơ sở Ba Đình", "00004");
    let outside = facility(&mut f.store, "Cơ sở Hoàn Kiếm", "00070");
    follow_ups(&mut f.store, &inside, "20/11/2026", &["21/11/2026"]);
    follow_ups(&mut f.store, &outside, "20/11/2026", &["21/11/2026"]);
    // Now work as a commune collaborator of 00004 in the same database.
    f.store
        .init_profile(
            &ProfileInput {
                name: "Lê Văn Cường".into(),
                role: "commune".into(),
                units: "00004".into(),
                account: None,
            },
            true,
        )
        .unwrap();
    (f, inside, outside)
}

#[test]
fn scope_limits_what_is_written_and_listed() {
    let (mut f, inside, outside) = province_with_two_communes();
    let e = f.store.add_consultation(&input(&outside)).unwrap_err();
    assert!(
        matches!(e, StoreError::OutOfScope(ref c) if c == "00070"),
        "{e:?}"
    );
    let all = ConsultationFilter::default();
    let listed = f.store.list_consultations(&all, 0, 100).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].data.facility_id, inside);
    assert_eq!(f.store.agenda().unwrap().items.len(), 1);
    assert_eq!(f.store.overdue_count().unwrap(), 1);
    // Every write on a consultation outside the scope is refused, and nothing is written.
    let theirs = f.store.facility_timeline(&outside, 0, 10).unwrap()[0].clone();
    let before = f.store.change_count().unwrap();
    let patch = ConsultationPatch {
        needs: Some("x".into()),
        ..Default::default()
    };
    for e in [
        f.store
            .amend_consultation(&theirs.id, 1, &patch, "")
            .map(|_| ()),
        f.store.edit_consultation(&theirs.id, 1, &patch).map(|_| ()),
        f.store
            .complete_follow_up(&theirs.id, 1, &FollowUpClose::default())
            .map(|_| ()),
        f.store
            .reschedule_follow_up(&theirs.id, 1, "30/11/2026", "")
            .map(|_| ()),
    ] {
        assert!(matches!(e, Err(StoreError::OutOfScope(_))), "{e:?}");
    }
    assert_eq!(f.store.change_count().unwrap(), before);
}

#[test]
fn a_facility_that_moves_takes_its_consultations_along() {
    let (mut f, inside, _) = province_with_two_communes();
    // Back to the province to move the facility to Hoàn Kiếm.
    f.store
        .init_profile(
            &ProfileInput {
                name: "Trung tâm".into(),
                role: "province".into(),
                units: "01".into(),
                account: None,
            },
            true,
        )
        .unwrap();
    let fac = f.store.facility(&inside).unwrap().unwrap();
    let mut data = fac.data.clone();
    data.commune_code = "00070".into();
    f.store
        .update_facility_data(&inside, fac.meta.version, &data)
        .unwrap();
    let c = &f.store.facility_timeline(&inside, 0, 10).unwrap()[0];
    assert_eq!(c.commune_code, "00070");
    f.store
        .init_profile(
            &ProfileInput {
                name: "Lê Văn Cường".into(),
                role: "commune".into(),
                units: "00004".into(),
                account: None,
            },
            true,
        )
        .unwrap();
    assert_eq!(f.store.agenda().unwrap().items.len(), 0);
    assert_eq!(
        f.store
            .count_consultations(&ConsultationFilter::default())
            .unwrap(),
        0
    );
}

// ---------------------------------------------------------------- lists, needs, timeline

#[test]
fn filters_by_date_mode_topic_collaborator_and_facility() {
    let mut f = fixture("commune", "00004");
    let a = facility(&mut f.store, "Cơ sở mây tre", "00004");
    let b = facility(&mut f.store, "Cơ sở gốm", "00004");
    for (fid, date, mode, topics) in [
        (&a, "01/10/2026", "TRUC_TIEP", "KC01"),
        (&a, "15/10/2026", "DIEN_THOAI", "KC06,KC07"),
        (&b, "31/10/2026", "TRUC_TIEP", "KC07"),
        (&b, "01/11/2026", "HOI_NGHI", ""),
    ] {
        f.store
            .add_consultation(&ConsultationInput {
                facility_id: fid.clone(),
                date: date.into(),
                mode: mode.into(),
                topics: topics.into(),
                ..Default::default()
            })
            .unwrap();
    }
    let me = f.store.profile().unwrap().id.clone();
    let count = |flt: ConsultationFilter| f.store.count_consultations(&flt).unwrap();
    assert_eq!(count(ConsultationFilter::default()), 4);
    assert_eq!(
        count(ConsultationFilter {
            since: Some(d(2026, 10, 15)),
            until: Some(d(2026, 10, 31)),
            ..Default::default()
        }),
        2,
        "both ends inclusive"
    );
    assert_eq!(
        count(ConsultationFilter {
            mode: Some("TRUC_TIEP".into()),
            ..Default::default()
        }),
        2
    );
    assert_eq!(
        count(ConsultationFilter {
            topic: Some("KC07".into()),
            ..Default::default()
        }),
        2
    );
    assert_eq!(
        count(ConsultationFilter {
            facility_id: Some(b.clone()),
            topic: Some("KC07".into()),
            ..Default::default()
        }),
        1
    );
    assert_eq!(
        count(ConsultationFilter {
            collaborator_id: Some(me),
            ..Default::default()
        }),
        4
    );
    assert_eq!(
        count(ConsultationFilter {
            collaborator_id: Some("someone-else".into()),
            ..Default::default()
        }),
        0
    );
    // Newest first, in lists and in a facility's timeline.
    let dates: Vec<NaiveDate> = f
        .store
        .list_consultations(&ConsultationFilter::default(), 0, 10)
        .unwrap()
        .iter()
        .map(|c| c.data.date)
        .collect();
    assert_eq!(
        dates,
        vec![
            d(2026, 11, 1),
            d(2026, 10, 31),
            d(2026, 10, 15),
            d(2026, 10, 1)
        ]
    );
    let tl = f.store.facility_timeline(&a, 0, 1).unwrap();
    assert_eq!(tl.len(), 1);
    assert_eq!(tl[0].data.date, d(2026, 10, 15));
    let tl = f.store.facility_timeline(&a, 1, 10).unwrap();
    assert_eq!(tl[0].data.date, d(2026, 10, 1));
}

#[test]
fn the_needs_view_groups_by_topic_and_counts_distinct_facilities() {
    let mut f = fixture("commune", "00004");
    let a = facility(&mut f.store, "Cơ sở mây tre", "00004");
    let b = facility(&mut f.store, "Cơ sở gốm", "00004");
    for (fid, date, topics, difficulties, needs) in [
        (&a, "01/11/2026", "KC04", "Máy cũ", "Hỗ trợ máy chẻ nan"),
        (&a, "10/11/2026", "KC04,KC06", "", "Máy mới và bao bì"),
        (&b, "05/11/2026", "KC04", "Lò nung tốn than", ""),
        (&b, "06/11/2026", "", "", "Vay vốn"),
        (&b, "07/11/2026", "KC07", "", ""), // nothing raised
    ] {
        f.store
            .add_consultation(&ConsultationInput {
                facility_id: fid.clone(),
                date: date.into(),
                mode: "TRUC_TIEP".into(),
                topics: topics.into(),
                difficulties: difficulties.into(),
                needs: needs.into(),
                ..Default::default()
            })
            .unwrap();
    }
    let groups = f
        .store
        .needs_by_topic(&ConsultationFilter::default())
        .unwrap();
    let shape: Vec<(Option<&str>, usize, usize)> = groups
        .iter()
        .map(|g| (g.topic.as_deref(), g.facilities, g.entries.len()))
        .collect();
    assert_eq!(
        shape,
        vec![(Some("KC04"), 2, 3), (Some("KC06"), 1, 1), (None, 1, 1)]
    );
    let kc04: Vec<&str> = groups[0].entries.iter().map(|e| e.needs.as_str()).collect();
    assert_eq!(
        kc04,
        vec!["Máy mới và bao bì", "", "Hỗ trợ máy chẻ nan"],
        "newest first"
    );
    assert_eq!(groups[0].entries[1].difficulties, "Lò nung tốn than");
    let only = f
        .store
        .needs_by_topic(&ConsultationFilter {
            since: Some(d(2026, 11, 5)),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(only[0].facilities, 2);
    assert_eq!(only[0].entries.len(), 2);
}

/// The needs view reads a province cheaply (`needs_overview`): it must say exactly what the
/// full grouping says — counts, order, newest entries, corrections applied — listing at most
/// `per_group` entries of each group.
#[test]
fn the_bounded_needs_overview_agrees_with_the_full_grouping() {
    let mut f = fixture("commune", "00004");
    let a = facility(&mut f.store, "Cơ sở mây tre", "00004");
    let b = facility(&mut f.store, "Cơ sở gốm", "00004");
    let c = facility(&mut f.store, "Cơ sở dệt", "00004");
    let mut ids = Vec::new();
    for (i, (fid, topics, difficulties, needs)) in [
        (&a, "KC04", "Máy cũ", "Hỗ trợ máy chẻ nan"),
        (&a, "KC04,KC06", "", "Máy mới và bao bì"),
        (&b, "KC04", "Lò nung tốn than", ""),
        (&b, "", "", "Vay vốn"),
        (&b, "KC07", "", ""),
        (&c, "KC06", "", "Bao bì"),
        (&c, "KC04", "", ""),
    ]
    .into_iter()
    .enumerate()
    {
        let (rec, _) = f
            .store
            .add_consultation(&ConsultationInput {
                facility_id: fid.clone(),
                date: format!("{:02}/11/2026", i + 1),
                mode: "TRUC_TIEP".into(),
                topics: topics.into(),
                difficulties: difficulties.into(),
                needs: needs.into(),
                ..Default::default()
            })
            .unwrap();
        ids.push(rec);
    }
    // Corrections after the grace period: one gains a need and a topic, one loses its need.
    f.clock.set(vn(2026, 11, 28, 10, 0));
    let gain = &ids[6];
    f.store
        .amend_consultation(
            &gain.id,
            gain.version,
            &ConsultationPatch {
                topics: Some("KC04,KC01".into()),
                needs: Some("Đào tạo thợ".into()),
                ..Default::default()
            },
            "Ghi thiếu",
        )
        .unwrap();
    let lose = &ids[3];
    f.store
        .amend_consultation(
            &lose.id,
            lose.version,
            &ConsultationPatch {
                needs: Some(String::new()),
                ..Default::default()
            },
            "Ghi nhầm",
        )
        .unwrap();
    for filter in [
        ConsultationFilter::default(),
        ConsultationFilter {
            since: Some(d(2026, 11, 3)),
            ..Default::default()
        },
        ConsultationFilter {
            topic: Some("KC04".into()),
            ..Default::default()
        },
    ] {
        let full = f.store.needs_by_topic(&filter).unwrap();
        let all = f.store.needs_overview(&filter, usize::MAX).unwrap();
        assert_eq!(all, full, "{filter:?}");
        let capped = f.store.needs_overview(&filter, 1).unwrap();
        assert_eq!(capped.len(), full.len());
        for (c, g) in capped.iter().zip(&full) {
            assert_eq!(
                (&c.topic, c.facilities, c.raised),
                (&g.topic, g.facilities, g.raised)
            );
            assert_eq!(c.entries.as_slice(), &g.entries[..1], "the newest one");
        }
    }
    let full = f
        .store
        .needs_by_topic(&ConsultationFilter::default())
        .unwrap();
    let kc01 = full
        .iter()
        .find(|g| g.topic.as_deref() == Some("KC01"))
        .unwrap();
    assert_eq!(
        kc01.entries[0].needs, "Đào tạo thợ",
        "the correction counts"
    );
    assert!(
        full.iter().all(|g| g.topic.is_some()),
        "the corrected «Vay vốn» left"
    );
}

/// `needs_overview` counts in one pass over an index and merges corrected rows: over a varied dataset —
/// several communes, several topics, no topic, a facility raising one topic many times,
/// corrections that add or remove needs, change topics or move the date across the window, an
/// in-place edit, an archived and a moved facility — it must say exactly what the full
/// grouping (`needs_by_topic`) says, cut to `per_group` entries, for every filter and scope.
#[test]
fn the_needs_overview_matches_the_full_grouping_on_varied_data() {
    let mut f = fixture("province", "01");
    let communes = ["00004", "00008", "00025", "00070"];
    let facilities: Vec<String> = (0..9)
        .map(|i| {
            facility(
                &mut f.store,
                &format!("Cơ sở số {i}"),
                communes[i % communes.len()],
            )
        })
        .collect();
    // A small deterministic generator (xorshift), so a failure can be replayed.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move |n: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n) as usize
    };
    let topic_sets = [
        "",
        "KC01",
        "KC04",
        "KC06",
        "KC04,KC06",
        "KC01,KC07,KC12",
        "KC07",
        "KC04",
    ];
    let texts = ["", "Máy cũ", "Thiếu vốn", "Bao bì"];
    let mut rows = Vec::new();
    for i in 0..160 {
        // Facility 0 raises KC04 again and again; the rest at random.
        let fid = if i % 10 == 0 {
            facilities[0].clone()
        } else {
            facilities[next(facilities.len() as u64)].clone()
        };
        let topics = if i % 10 == 0 {
            "KC04"
        } else {
            topic_sets[next(topic_sets.len() as u64)]
        };
        // Few distinct dates: ties are ordered by id.
        let day = 1 + next(20);
        let (rec, _) = f
            .store
            .add_consultation(&ConsultationInput {
                facility_id: fid,
                date: format!("{day:02}/11/2026"),
                mode: if next(3) == 0 {
                    "DIEN_THOAI".into()
                } else {
                    "TRUC_TIEP".into()
                },
                topics: topics.into(),
                difficulties: texts[next(texts.len() as u64)].into(),
                needs: texts[next(texts.len() as u64)].into(),
                ..Default::default()
            })
            .unwrap();
        rows.push(rec);
    }
    // An edit within the grace period rewrites topics and needs in place (not an amendment).
    let edited = &rows[1];
    f.store
        .edit_consultation(
            &edited.id,
            edited.version,
            &ConsultationPatch {
                topics: Some("KC12".into()),
                needs: Some("Chuyển đổi số".into()),
                ..Default::default()
            },
        )
        .unwrap();
    // Corrections after the grace period.
    f.clock.set(vn(2026, 11, 28, 10, 0));
    let patches: Vec<ConsultationPatch> = vec![
        // Gains a need and a topic.
        ConsultationPatch {
            topics: Some("KC04,KC13".into()),
            needs: Some("Đào tạo thợ".into()),
            ..Default::default()
        },
        // Loses its texts.
        ConsultationPatch {
            needs: Some(String::new()),
            difficulties: Some(String::new()),
            ..Default::default()
        },
        // Loses its topics (goes to «no topic»).
        ConsultationPatch {
            topics: Some(String::new()),
            needs: Some("Vay vốn".into()),
            ..Default::default()
        },
        // Moves back in time, out of a window starting on the 5th.
        ConsultationPatch {
            date: Some("02/10/2026".into()),
            ..Default::default()
        },
        // Moves later, into the window.
        ConsultationPatch {
            date: Some("21/11/2026".into()),
            topics: Some("KC06".into()),
            ..Default::default()
        },
        // Changes only the difficulty.
        ConsultationPatch {
            difficulties: Some("Lò nung hỏng".into()),
            ..Default::default()
        },
    ];
    for (k, i) in (3..rows.len()).step_by(7).enumerate() {
        let c = &rows[i];
        f.store
            .amend_consultation(&c.id, c.version, &patches[k % patches.len()], "Sửa")
            .unwrap();
    }
    // One row corrected twice: the second correction wins.
    let twice = f.store.consultation(&rows[3].id).unwrap().unwrap();
    f.store
        .amend_consultation(
            &twice.id,
            twice.version,
            &ConsultationPatch {
                topics: Some("KC01".into()),
                needs: Some("Lần hai".into()),
                ..Default::default()
            },
            "Sửa lại",
        )
        .unwrap();
    // A facility archived, one moved to another commune.
    let archived = f.store.facility(&facilities[2]).unwrap().unwrap();
    f.store
        .set_facility_archived(&archived.id, archived.meta.version, true)
        .unwrap();
    let moved = f.store.facility(&facilities[3]).unwrap().unwrap();
    f.store
        .update_facility(
            &moved.id,
            moved.meta.version,
            &FacilityInput {
                name: format!("{} (mới)", moved.data.name),
                commune_code: "00025".into(),
                ..Default::default()
            },
        )
        .unwrap();

    let filters = |fid: &str| {
        vec![
            ConsultationFilter::default(),
            ConsultationFilter {
                since: Some(d(2026, 11, 5)),
                ..Default::default()
            },
            ConsultationFilter {
                since: Some(d(2026, 11, 5)),
                until: Some(d(2026, 11, 15)),
                ..Default::default()
            },
            ConsultationFilter {
                topic: Some("KC04".into()),
                ..Default::default()
            },
            ConsultationFilter {
                topic: Some("KC13".into()),
                since: Some(d(2026, 11, 3)),
                ..Default::default()
            },
            ConsultationFilter {
                topic: Some("KC14".into()),
                ..Default::default()
            },
            ConsultationFilter {
                facility_id: Some(fid.to_string()),
                ..Default::default()
            },
            ConsultationFilter {
                mode: Some("DIEN_THOAI".into()),
                since: Some(d(2026, 11, 8)),
                ..Default::default()
            },
        ]
    };
    let check = |store: &Store, label: &str| {
        let mut nonempty = 0;
        for filter in filters(&facilities[0]) {
            let full = store.needs_by_topic(&filter).unwrap();
            nonempty += usize::from(!full.is_empty());
            for per_group in [0, 1, 3, 10, usize::MAX] {
                let got = store.needs_overview(&filter, per_group).unwrap();
                let want: Vec<_> = full
                    .iter()
                    .map(|g| {
                        let mut g = g.clone();
                        g.entries.truncate(per_group);
                        g
                    })
                    .collect();
                assert_eq!(got, want, "{label}, {filter:?}, {per_group} per group");
            }
        }
        assert!(nonempty >= 6, "{label}: the filters find something");
    };
    check(&f.store, "province");
    // The same database seen from a few communes (a narrow scope).
    f.store
        .init_profile(
            &ProfileInput {
                name: "Lê Văn Cường".into(),
                role: "commune".into(),
                units: "00004,00025".into(),
                account: None,
            },
            true,
        )
        .unwrap();
    check(&f.store, "two communes");
}

// ---------------------------------------------------------------- bulk load, demo

#[test]
fn a_bulk_load_is_all_or_nothing_and_links_outcomes() {
    let (mut f, inside, outside) = province_with_two_communes();
    let row =
        |fid: &str, date: NaiveDate, due: Option<NaiveDate>, fu: BulkFollowUp| BulkConsultation {
            data: validate(
                &ConsultationInput {
                    facility_id: fid.into(),
                    date: date.to_string(),
                    mode: "TRUC_TIEP".into(),
                    topics: "KC04".into(),
                    follow_up_date: due.map(|d| d.to_string()).unwrap_or_default(),
                    ..Default::default()
                },
                d(2026, 11, 25),
            )
            .unwrap()
            .0,
            recorded_at: Some(Utc.from_utc_datetime(&date.and_hms_opt(10, 0, 0).unwrap())),
            follow_up: fu,
        };
    let before = f.store.change_count().unwrap();
    let bad = vec![
        row(&inside, d(2026, 1, 5), None, BulkFollowUp::Open),
        row(&outside, d(2026, 1, 6), None, BulkFollowUp::Open),
    ];
    assert!(matches!(
        f.store.import_consultations(&bad),
        Err(StoreError::OutOfScope(_))
    ));
    assert_eq!(f.store.change_count().unwrap(), before, "nothing written");

    let rows = vec![
        row(
            &inside,
            d(2026, 1, 5),
            Some(d(2026, 2, 1)),
            BulkFollowUp::Done {
                outcome: Some(1),
                note: String::new(),
            },
        ),
        row(
            &inside,
            d(2026, 2, 3),
            Some(d(2026, 3, 1)),
            BulkFollowUp::Open,
        ),
        row(
            &inside,
            d(2026, 3, 2),
            Some(d(2026, 4, 1)),
            BulkFollowUp::Done {
                outcome: None,
                note: "Đã nhận hỗ trợ".into(),
            },
        ),
    ];
    let ids = f.store.import_consultations(&rows).unwrap();
    assert_eq!(f.store.change_count().unwrap(), before + 3);
    let first = f.store.consultation(&ids[0]).unwrap().unwrap();
    let fu = first.follow_up.unwrap();
    assert_eq!(fu.status, FollowUpStatus::Done);
    assert_eq!(fu.outcome_id.as_deref(), Some(ids[1].as_str()));
    let third = f.store.consultation(&ids[2]).unwrap().unwrap();
    assert_eq!(third.follow_up.unwrap().note, "Đã nhận hỗ trợ");
    // Recorded long ago: locked.
    let rec = f.store.consultation_record(&ids[1]).unwrap().unwrap();
    assert!(!rec.editable);
    // The 21/11/2026 follow-up from the fixture and the open March one are overdue.
    assert_eq!(f.store.overdue_count().unwrap(), 2);
}

#[test]
fn demo_consultations_are_valid_varied_and_cover_every_bucket() {
    let mut f = fixture("province", "01");
    let communes = ctv::demo::demo_communes(f.store.profile().unwrap());
    let facilities = ctv::demo::generate(300, 5, &communes);
    let out = f.store.import_facilities(&facilities).unwrap();
    let groups: Vec<Option<String>> = facilities.iter().map(|x| x.trade_group.clone()).collect();
    let today = f.store.today();
    let rows = ctv::demo::generate_consultations(&out.ids, &groups, 1500, 9, today);
    assert_eq!(
        rows,
        ctv::demo::generate_consultations(&out.ids, &groups, 1500, 9, today)
    );
    assert_eq!(rows.len(), 1500);
    for r in &rows {
        let back = validate(&ConsultationInput::from_data(&r.data), today)
            .unwrap_or_else(|e| panic!("{r:#?}\n{e:#?}"))
            .0;
        assert_eq!(back, r.data);
    }
    let modes: std::collections::HashSet<&str> =
        rows.iter().map(|r| r.data.mode.as_str()).collect();
    assert!(modes.len() >= 4, "{modes:?}");
    assert!(rows.iter().any(|r| r.data.topics.len() > 1));
    assert!(rows
        .iter()
        .any(|r| r.data.difficulties.contains('\n') || r.data.advice.contains('\n')));
    f.store.import_consultations(&rows).unwrap();
    let agenda = f.store.agenda().unwrap();
    for b in AgendaBucket::ALL {
        if b == AgendaBucket::ThisWeek && week_end(today) == today {
            continue; // Sunday
        }
        assert!(agenda.count(b) > 0, "no {b:?} in the demo agenda");
    }
    // Most old follow-ups are done, some by the next visit.
    let done_by_visit = rows
        .iter()
        .filter(|r| {
            matches!(
                r.follow_up,
                BulkFollowUp::Done {
                    outcome: Some(_),
                    ..
                }
            )
        })
        .count();
    assert!(done_by_visit > 0);
    assert!(
        agenda.items.len() < rows.len() / 4,
        "{} open",
        agenda.items.len()
    );
}

#[test]
fn a_limited_agenda_lists_the_earliest_of_each_bucket_and_counts_them_all() {
    let mut f = fixture("commune", "00004");
    let fid = facility(&mut f.store, "Cơ sở mây tre", "00004");
    follow_ups(
        &mut f.store,
        &fid,
        "20/11/2026",
        &[
            "24/11/2026",
            "25/11/2026",
            "27/11/2026",
            "01/12/2026",
            "15/12/2026",
            "01/01/2027",
            "23/11/2026",
            "28/11/2026",
        ],
    );
    let due = |i: &ctv::domain::consultation::AgendaItem| {
        i.consultation
            .follow_up
            .as_ref()
            .unwrap()
            .due_date
            .to_string()
    };
    let a = f.store.agenda_limited(1).unwrap();
    let dues: Vec<String> = a.items.iter().map(due).collect();
    assert_eq!(
        dues,
        ["2026-11-23", "2026-11-25", "2026-11-27", "2026-12-01"],
        "the earliest of each bucket"
    );
    let counts = |a: &ctv::domain::consultation::Agenda| AgendaBucket::ALL.map(|b| a.count(b));
    assert_eq!(counts(&a), [2, 1, 2, 3]);
    let full = f.store.agenda().unwrap();
    assert_eq!(counts(&full), [2, 1, 2, 3]);
    assert_eq!(full.items.len(), 8);
    let none = f.store.agenda_limited(0).unwrap();
    assert!(none.items.is_empty());
    assert_eq!(counts(&none), [2, 1, 2, 3]);
}
