//! Activities with attendees (issue 17): added and read back with the change log, refused in
//! words when wrong (nothing written), a stale edit is a conflict, lists filter, and a
//! training course of 25 attendees travels commune → province → receipt unchanged.

mod common;

use std::path::{Path, PathBuf};

use common::activities::{facilities, training_course};
use common::projects::{as_profile, keys_dir, open};
use common::proposals::vn;
use common::{commune_db, ctv};
use ctv::bundle::receive::{self, Imported};
use ctv::bundle::{export, ExportOptions};
use ctv::clock::FixedClock;
use ctv::domain::activity::{ActivityInput, AttendeeCounts, AttendeeInput};
use ctv::domain::issue::Problem;
use ctv::store::{ActivityFilter, Store, StoreError};
use ctv::words::activity::describe_activity;
use ctv::words::Lang;

fn clock() -> FixedClock {
    FixedClock::new(vn(2027, 1, 20, 9))
}

fn export_to(s: &mut Store, path: PathBuf, full: bool) -> PathBuf {
    keys_dir();
    export(
        s,
        &ExportOptions {
            full,
            out: Some(path),
        },
        &|_, _| {},
    )
    .unwrap()
    .path
}

fn import(p: &mut Store, file: &Path) -> ctv::store::MergeReport {
    let c = receive::check(p, file).unwrap();
    match receive::import(p, &c, true).unwrap() {
        Imported::Merged(r) => r,
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_training_course_is_recorded_with_its_attendees_and_counted() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut s, _) = open(tmp.path(), "c.db", &clock());
    as_profile(&mut s, "Nguyễn Văn An", "commune", "00004");
    let f = facilities(&mut s, "00004", 8);
    let a = s.add_activity(&training_course("00004", &f)).unwrap();
    let (back, version) = s.activity(&a.id).unwrap().unwrap();
    assert_eq!(back, a);
    assert_eq!(version, 1);
    assert_eq!(a.attendees.len(), 20);
    assert_eq!(a.cost, Some(45_000_000));
    assert_eq!(
        (a.start_date.as_str(), a.end_date.as_deref()),
        ("2027-01-12", Some("2027-01-14"))
    );
    let c = AttendeeCounts::of(&a);
    assert_eq!((c.total, c.facilities, c.women, c.minority), (25, 8, 9, 4));
    // The list counts the same, and finds it by period, kind, commune, text and facility.
    let rows = s.activities(&ActivityFilter::default()).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].counts, c);
    let find = |f: ActivityFilter| s.activities(&f).unwrap().len();
    let day = |d| chrono::NaiveDate::from_ymd_opt(2027, 1, d).unwrap();
    assert_eq!(
        find(ActivityFilter {
            since: Some(day(14)),
            ..Default::default()
        }),
        1
    );
    assert_eq!(
        find(ActivityFilter {
            since: Some(day(15)),
            ..Default::default()
        }),
        0
    );
    assert_eq!(
        find(ActivityFilter {
            until: Some(day(11)),
            ..Default::default()
        }),
        0
    );
    assert_eq!(
        find(ActivityFilter {
            kind: Some("HOI_CHO".into()),
            ..Default::default()
        }),
        0
    );
    assert_eq!(
        find(ActivityFilter {
            kind: Some("TAP_HUAN".into()),
            ..Default::default()
        }),
        1
    );
    assert_eq!(
        find(ActivityFilter {
            commune: Some("00376".into()),
            ..Default::default()
        }),
        0
    );
    assert_eq!(
        find(ActivityFilter {
            text: Some("dan may".into()),
            ..Default::default()
        }),
        1
    );
    assert_eq!(
        find(ActivityFilter {
            text: Some("hội chợ".into()),
            ..Default::default()
        }),
        0
    );
    assert_eq!(s.activities_of_facility(&f[7]).unwrap().len(), 1);
    let other = facilities(&mut s, "00004", 1);
    assert!(s.activities_of_facility(&other[0]).unwrap().is_empty());
    // One change-log row, the creation.
    let h = s.history("activity", &a.id).unwrap();
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].action, "create");
    // Archived: out of the lists, kept, logged.
    let r = s.archive_activity(&a.id, 1).unwrap();
    assert!(r.archived);
    assert!(s.activities(&ActivityFilter::default()).unwrap().is_empty());
    assert_eq!(
        s.activities(&ActivityFilter {
            include_archived: true,
            ..Default::default()
        })
        .unwrap()
        .len(),
        1
    );
    assert_eq!(s.history("activity", &a.id).unwrap().len(), 2);
}

#[test]
fn wrong_input_is_refused_in_words_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut s, _) = open(tmp.path(), "c.db", &clock());
    as_profile(&mut s, "Nguyễn Văn An", "commune", "00004");
    let f = facilities(&mut s, "00004", 4);
    let changes = s.change_count().unwrap();
    let mut bad = training_course("00004", &f);
    bad.kind = "dạy múa".into();
    bad.end_date = "10/01/2027".into();
    bad.cost = "nhiều tiền".into();
    bad.unnamed_women = "6".into();
    bad.attendees = vec![
        AttendeeInput::default(),
        AttendeeInput {
            facility_id: f[0].clone(),
            ..Default::default()
        },
        AttendeeInput {
            facility_id: f[0].clone(),
            ..Default::default()
        },
        AttendeeInput {
            person_name: "Lò Thị Mai".into(),
            gender: "không rõ".into(),
            ..Default::default()
        },
    ];
    let Err(StoreError::Invalid(issues)) = s.add_activity(&bad) else {
        panic!("refused");
    };
    let words: Vec<String> = issues
        .errors()
        .map(|i| describe_activity(Lang::Vi, i.field, &i.problem))
        .collect();
    let all = words.join("\n");
    for expected in [
        "Loại hoạt động: ",
        "TAP_HUAN",
        "Ngày kết thúc: ",
        "Kinh phí: ",
        "Trong đó nữ: nhiều hơn số người không ghi tên (5)",
        "Người tham dự: người thứ 1 không có cơ sở cũng không có tên",
        "Người tham dự: người thứ 3: cơ sở này đã có trong danh sách",
        "Người tham dự: người thứ 4: giới tính «không rõ» không rõ (NAM hoặc NU)",
    ] {
        assert!(all.contains(expected), "{expected:?} not in:\n{all}");
    }
    // A facility this database does not hold, and a commune outside the scope.
    let mut unknown = training_course("00004", &f);
    unknown.attendees = vec![AttendeeInput {
        facility_id: "0190a000-0000-7000-8000-000000000000".into(),
        ..Default::default()
    }];
    let Err(StoreError::Invalid(issues)) = s.add_activity(&unknown) else {
        panic!("refused");
    };
    assert_eq!(
        issues.errors().next().unwrap().problem,
        Problem::AttendeeUnknownFacility { position: 1 }
    );
    let mut elsewhere = training_course("00376", &f);
    elsewhere.attendees.clear();
    assert!(matches!(
        s.add_activity(&elsewhere),
        Err(StoreError::OutOfScope(c)) if c == "00376"
    ));
    assert_eq!(s.change_count().unwrap(), changes);
    assert!(s
        .activities(&ActivityFilter {
            include_archived: true,
            ..Default::default()
        })
        .unwrap()
        .is_empty());
}

#[test]
fn an_edit_on_a_stale_version_is_a_conflict_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut s, _) = open(tmp.path(), "c.db", &clock());
    as_profile(&mut s, "Nguyễn Văn An", "commune", "00004");
    let f = facilities(&mut s, "00004", 8);
    let a = s.add_activity(&training_course("00004", &f)).unwrap();
    let mut input = ActivityInput::from_record(&a);
    input.title = "Lớp đan mây (khóa 2)".into();
    input.attendees.truncate(3);
    let e = s.edit_activity(&a.id, 1, &input).unwrap();
    assert_eq!(e.attendees.len(), 3);
    assert_eq!(e.created_at, a.created_at);
    let h = s.history("activity", &a.id).unwrap();
    assert_eq!(h.last().unwrap().action, "update");
    assert!(h.last().unwrap().changes.contains_key("title"));
    assert!(h.last().unwrap().changes.contains_key("attendees"));
    // Someone else saw version 1.
    let changes = s.change_count().unwrap();
    input.title = "Lớp đan mây (khóa 3)".into();
    assert!(matches!(
        s.edit_activity(&a.id, 1, &input),
        Err(StoreError::Conflict {
            expected: 1,
            found: 2,
            ..
        })
    ));
    assert!(matches!(
        s.archive_activity(&a.id, 1),
        Err(StoreError::Conflict {
            expected: 1,
            found: 2,
            ..
        })
    ));
    assert_eq!(s.change_count().unwrap(), changes);
    assert_eq!(s.activity(&a.id).unwrap().unwrap().0, e);
}

#[test]
fn a_training_course_travels_to_the_province_and_back_unchanged() {
    keys_dir();
    let tmp = tempfile::tempdir().unwrap();
    let clock = clock();
    let (mut a, _) = open(tmp.path(), "commune.db", &clock);
    as_profile(&mut a, "Nguyễn Văn An", "commune", "00004");
    let f = facilities(&mut a, "00004", 8);
    let course = a.add_activity(&training_course("00004", &f)).unwrap();
    let b1 = export_to(&mut a, tmp.path().join("b1.ctvb"), false);
    let (mut p, _) = open(tmp.path(), "province.db", &clock);
    as_profile(&mut p, "Trung tâm Khuyến công Hà Nội", "province", "01");
    let r = import(&mut p, &b1);
    assert_eq!(r.count("activity").new, 1, "{r:?}");
    assert_eq!(r.count("facility").new, 8, "{r:?}");
    assert_eq!(p.activity(&course.id).unwrap().unwrap().0, course);

    // The province runs a fair in the commune with two of its facilities.
    clock.set(vn(2027, 1, 21, 9));
    let fair = p
        .add_activity(&ActivityInput {
            kind: "hội chợ, triển lãm".into(),
            title: "Hội chợ hàng thủ công mỹ nghệ".into(),
            start_date: "18/01/2027".into(),
            commune_code: "00004".into(),
            attendees: vec![
                AttendeeInput {
                    facility_id: f[0].clone(),
                    ..Default::default()
                },
                AttendeeInput {
                    facility_id: f[1].clone(),
                    person_name: "Đinh Thị Hà".into(),
                    gender: "NU".into(),
                    ethnic_minority: true,
                },
            ],
            ..Default::default()
        })
        .unwrap();
    let pkey = ctv::bundle::signing_key(&mut p).unwrap();
    let sender = a.profile().unwrap().id.clone();
    let r1 = tmp.path().join("r1.ctvb");
    let receipt = receive::write_receipt(&p, &pkey, &sender, None, &r1).unwrap();
    // The commune's own course does not come back (it has it); the province's fair does.
    assert_eq!(receipt.activities, vec![fair.clone()]);
    assert_eq!(receipt.accepted.get("activity"), Some(&1));
    let c = receive::check(&a, &r1).unwrap();
    assert_eq!(
        receive::apply_receipt(&mut a, &c, true)
            .unwrap()
            .activities_applied,
        1
    );
    // Both databases hold the same activities.
    assert_eq!(
        a.all_records().unwrap().activities,
        p.all_records().unwrap().activities
    );
    assert_eq!(a.activities_of_facility(&f[1]).unwrap().len(), 2);
    // Read twice, nothing more changes.
    let c = receive::check(&a, &r1).unwrap();
    assert_eq!(
        receive::apply_receipt(&mut a, &c, false)
            .unwrap()
            .activities_applied,
        0
    );

    // The commune's next bundle (everything) shows both unchanged at the province.
    let b2 = export_to(&mut a, tmp.path().join("b2.ctvb"), true);
    let c2 = receive::check(&p, &b2).unwrap();
    let r = c2.preview(&p).unwrap();
    assert_eq!(r.count("activity").unchanged, 2, "{r:?}");
    assert!(r.is_noop(), "{r:?}");
    let changes = p.change_count().unwrap();
    import(&mut p, &b2);
    assert_eq!(p.change_count().unwrap(), changes);

    // An edit at the commune is an update at the province.
    let (_, v) = a.activity(&course.id).unwrap().unwrap();
    let mut input = ActivityInput::from_record(&course);
    input.unnamed_count = "6".into();
    let edited = a.edit_activity(&course.id, v, &input).unwrap();
    let b3 = export_to(&mut a, tmp.path().join("b3.ctvb"), false);
    let r = import(&mut p, &b3);
    assert_eq!(r.count("activity").updated, 1, "{r:?}");
    assert_eq!(
        r.count("activity").unchanged + r.count("activity").new,
        0,
        "{r:?}"
    );
    assert_eq!(p.activity(&course.id).unwrap().unwrap().0, edited);
    assert!(p.conflicts(true).unwrap().is_empty());
}

#[test]
fn a_bundle_activity_naming_an_unknown_facility_is_refused_whole() {
    keys_dir();
    let tmp = tempfile::tempdir().unwrap();
    let clock = clock();
    let (mut a, _) = open(tmp.path(), "commune.db", &clock);
    as_profile(&mut a, "Nguyễn Văn An", "commune", "00004");
    let f = facilities(&mut a, "00004", 8);
    a.add_activity(&training_course("00004", &f)).unwrap();
    let b1 = export_to(&mut a, tmp.path().join("b1.ctvb"), false);
    let c = receive::check(&a, &b1).unwrap();
    // Read at the province without the facilities: the activity's references do not resolve.
    let mut bundle = c.bundle.clone();
    bundle.facilities.clear();
    let (p, _) = open(tmp.path(), "province.db", &clock);
    let mut p = p;
    as_profile(&mut p, "Trung tâm Khuyến công Hà Nội", "province", "01");
    let inc = ctv::store::Incoming {
        sender: &c.sender,
        collaborators: &bundle.collaborators,
        facilities: &bundle.facilities,
        consultations: &bundle.consultations,
        proposals: &bundle.proposals,
        projects: &bundle.projects,
        activities: &bundle.activities,
        registers: &bundle.registers,
    };
    match p.preview_merge(&inc) {
        Err(StoreError::BadRecord {
            entity,
            line,
            problem,
            ..
        }) => {
            assert_eq!((entity.as_str(), line), ("activity", 1));
            assert!(matches!(
                problem,
                ctv::store::RecordProblem::MissingFacility { .. }
            ));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_command_line_adds_lists_shows_and_refuses_in_words() {
    let (_dir, db) = commune_db();
    let add = |name: &str| {
        let (code, out, err) = ctv(
            &db,
            &[
                "facilities",
                "add",
                "--name",
                name,
                "--commune",
                "00004",
                "--force",
            ],
        );
        assert_eq!(code, 0, "{out}{err}");
    };
    add("Cơ sở gốm Bát Tràng");
    add("HTX mây tre Phú Vinh");
    add("Cơ sở mây tre Phú Vinh 2");
    let (code, out, err) = ctv(
        &db,
        &[
            "activity",
            "add",
            "--kind",
            "tập huấn",
            "--title",
            "Lớp gốm",
            "--start",
            "5/1/2027",
            "--end",
            "6/1/2027",
            "--cost",
            "12tr",
            "--facility",
            "gom bat trang, HTX mây tre Phú Vinh",
            "--person",
            "Lò Văn Sùng;nam;dtts",
            "--person",
            "Nguyễn Thị Lan;NU;;gom bat trang",
            "--unnamed",
            "10",
            "--women",
            "4",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Đã ghi hoạt động «Lớp gốm»"), "{out}");
    assert!(out.contains("14 người (5 nữ, 1 DTTS), 2 cơ sở"), "{out}");
    assert!(
        out.contains("Nguyễn Thị Lan (nữ) — Cơ sở gốm Bát Tràng"),
        "{out}"
    );
    // Ambiguous search text names the candidates; nothing is written.
    let (code, _, err) = ctv(
        &db,
        &[
            "activity",
            "add",
            "--kind",
            "HOI_THAO",
            "--title",
            "Hội thảo",
            "--start",
            "7/1/2027",
            "--facility",
            "may tre",
        ],
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("khớp nhiều cơ sở") && err.contains("HTX mây tre Phú Vinh"),
        "{err}"
    );
    // Refusals are worded field by field.
    let (code, _, err) = ctv(
        &db,
        &[
            "activity",
            "add",
            "--kind",
            "HOI_CHO",
            "--title",
            "Hội chợ",
            "--start",
            "7/1/2027",
            "--end",
            "1/1/2027",
            "--unnamed",
            "2",
            "--minority",
            "3",
        ],
    );
    assert_eq!(code, 1);
    assert!(err.contains("Ngày kết thúc: "), "{err}");
    assert!(
        err.contains("Trong đó người DTTS: nhiều hơn số người không ghi tên (2)"),
        "{err}"
    );
    let (code, out, _) = ctv(&db, &["activity", "list", "--format", "json"]);
    assert_eq!(code, 0);
    let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 1, "{out}");
    assert_eq!(rows[0]["counts"]["total"], 14);
    let id = rows[0]["id"].as_str().unwrap().to_string();
    let short = &id[id.len() - 8..];
    // Edit: remove the first attendee, add one facility; the JSON is the record.
    let (code, out, err) = ctv(
        &db,
        &[
            "activity",
            "edit",
            short,
            "--remove",
            "1",
            "--facility",
            "Phú Vinh 2",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let rec: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(rec["attendees"].as_array().unwrap().len(), 4);
    let (code, out, _) = ctv(&db, &["activity", "list", "--text", "lop gom"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("Lớp gốm") && out.contains("1 hoạt động"),
        "{out}"
    );
    let (code, out, _) = ctv(&db, &["--lang", "en", "activity", "show", short]);
    assert_eq!(code, 0);
    assert!(
        out.contains("Training course") && out.contains("Attendees"),
        "{out}"
    );
    let (code, out, _) = ctv(&db, &["activity", "archive", short, "--format", "json"]);
    assert_eq!(code, 0, "{out}");
    let rec: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(rec["archived"], true);
    let (_, out, _) = ctv(&db, &["activity", "list", "--format", "json"]);
    assert_eq!(out.trim(), "[]");
}
