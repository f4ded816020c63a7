//! Activities with attendees (issue 17): training courses, workshops, fairs, study tours,
//! outreach, typical-product votes (`data/codes/activity_kinds.csv`).
//!
//! An activity is typed as text (`ActivityInput`) and validated field by field into
//! `ActivityData`: dates as people type them (`parse_typed_date`), the cost as money
//! (`parse_vnd`), counts of attendees not listed by name. Its attendees are part of it:
//! facilities of the registry and/or named people (with gender and ethnic minority, which
//! the programme reports).

use chrono::NaiveDate;
use serde::Serialize;

use super::consultation::{date_field, ser_date, ser_opt_date};
use super::issue::{FieldIssue, Issues, Problem};
use super::project::{done, long_text, opt_count, opt_money, short_text};
use crate::record::{ActivityRecord, AttendeeRecord};
use crate::text::{fold, ingest};

/// More attendees than this on one activity is a typo (a whole province's fair lists fewer).
pub const MAX_ATTENDEES: usize = 5000;

/// Gender as the programme reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Gender {
    Nam,
    Nu,
}

// `NAM`, `nữ`, `nu`, `male`, `female`, `m`, `f` (any case, with or without marks).
super::code_list::code_list! {
    Gender, code, loose = false;
    Nam => "NAM", "activity.gender.nam", ["male", "m"];
    Nu => "NU", "activity.gender.nu", ["female", "f"];
}

/// An activity kind: the code, or a label of `activity_kinds.csv` (folded, either language).
pub fn parse_kind(raw: &str) -> Option<String> {
    let f = fold(raw.trim());
    if f.is_empty() {
        return None;
    }
    crate::refdata::codes()
        .activity_kinds
        .items()
        .iter()
        .find(|i| {
            fold(&i.code) == f.replace([' ', '-'], "_")
                || fold(&i.label_vi) == f
                || fold(&i.label_en) == f
        })
        .map(|i| i.code.clone())
}

/// One attendee as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttendeeInput {
    /// A facility's full id (the front ends resolve short ids and search text first).
    pub facility_id: String,
    pub person_name: String,
    /// `NAM` / `NU` (or as [`Gender::parse`] reads it); empty: not recorded.
    pub gender: String,
    pub ethnic_minority: bool,
}

/// An activity as typed (every field text, as in the form and on the command line).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActivityInput {
    pub kind: String,
    pub title: String,
    pub start_date: String,
    pub end_date: String,
    pub commune_code: String,
    pub place: String,
    pub organiser: String,
    pub proposal_id: String,
    pub cost: String,
    pub unnamed_count: String,
    pub unnamed_women: String,
    pub unnamed_minority: String,
    pub notes: String,
    pub attendees: Vec<AttendeeInput>,
}

impl ActivityInput {
    /// A stored record as the form shows it (dates dd/mm/yyyy, money and counts as digits).
    pub fn from_record(r: &ActivityRecord) -> ActivityInput {
        let dmy = |iso: &str| {
            super::consultation::parse_date(iso)
                .map(super::consultation::dmy)
                .unwrap_or_else(|| iso.to_string())
        };
        let count = |n: i64| if n == 0 { String::new() } else { n.to_string() };
        ActivityInput {
            kind: r.kind.clone(),
            title: r.title.clone(),
            start_date: dmy(&r.start_date),
            end_date: r.end_date.as_deref().map(dmy).unwrap_or_default(),
            commune_code: r.commune_code.clone(),
            place: r.place.clone(),
            organiser: r.organiser.clone(),
            proposal_id: r.proposal_id.clone().unwrap_or_default(),
            cost: r.cost.map(|c| c.to_string()).unwrap_or_default(),
            unnamed_count: count(r.unnamed_count),
            unnamed_women: count(r.unnamed_women),
            unnamed_minority: count(r.unnamed_minority),
            notes: r.notes.clone(),
            attendees: r
                .attendees
                .iter()
                .map(|a| AttendeeInput {
                    facility_id: a.facility_id.clone().unwrap_or_default(),
                    person_name: a.person_name.clone(),
                    gender: a.gender.clone().unwrap_or_default(),
                    ethnic_minority: a.ethnic_minority,
                })
                .collect(),
        }
    }
}

/// A named attendee as a clerk types one line of a paper list: `Tên;NU;dtts;CƠ SỞ` — the
/// name, the gender (NAM/NU, or empty), «dtts» for an ethnic minority (or empty), and the
/// facility (id, short id or name) if any. The command line (`--person`) and the form's
/// attendee lines read the same syntax.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonLine {
    pub person_name: String,
    pub gender: String,
    pub ethnic_minority: bool,
    /// The facility as typed (the front end resolves it through the store).
    pub facility: Option<String>,
}

/// Reads one person line; None when the third part is neither empty nor an ethnic-minority
/// mark (`dtts`, `x`, `có`, `yes`, `1`; `kinh`, `không`, `no`, `0` say no).
pub fn parse_person_line(raw: &str) -> Option<PersonLine> {
    let parts: Vec<String> = raw.split(';').map(ingest).collect();
    let part = |i: usize| parts.get(i).cloned().unwrap_or_default();
    let ethnic_minority = match fold(&part(2)).as_str() {
        "" | "kinh" | "khong" | "no" | "0" => false,
        "dtts" | "x" | "co" | "yes" | "1" | "dan toc thieu so" => true,
        _ => return None,
    };
    Some(PersonLine {
        person_name: part(0),
        gender: part(1),
        ethnic_minority,
        facility: Some(part(3)).filter(|f| !f.is_empty()),
    })
}

/// A named attendee as one person line (the inverse of [`parse_person_line`]), its facility
/// written as `facility` (a short id).
pub fn person_line(a: &AttendeeRecord, facility: Option<&str>) -> String {
    let mut parts = vec![
        a.person_name.clone(),
        a.gender.clone().unwrap_or_default(),
        if a.ethnic_minority {
            "dtts".into()
        } else {
            String::new()
        },
        facility.unwrap_or("").to_string(),
    ];
    while parts.len() > 1 && parts.last().is_some_and(String::is_empty) {
        parts.pop();
    }
    parts.join(";")
}

/// One attendee, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attendee {
    pub facility_id: Option<String>,
    pub person_name: String,
    pub gender: Option<Gender>,
    pub ethnic_minority: bool,
}

impl Attendee {
    pub fn to_record(&self) -> AttendeeRecord {
        AttendeeRecord {
            facility_id: self.facility_id.clone(),
            person_name: self.person_name.clone(),
            gender: self.gender.map(|g| g.code().to_string()),
            ethnic_minority: self.ethnic_minority,
        }
    }
}

/// An activity, validated. Serialises with the record's field names (dates ISO).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActivityData {
    pub kind: String,
    pub title: String,
    #[serde(serialize_with = "ser_date")]
    pub start_date: NaiveDate,
    #[serde(serialize_with = "ser_opt_date")]
    pub end_date: Option<NaiveDate>,
    pub commune_code: String,
    pub place: String,
    pub organiser: String,
    pub proposal_id: Option<String>,
    pub cost: Option<i64>,
    pub unnamed_count: i64,
    pub unnamed_women: i64,
    pub unnamed_minority: i64,
    pub notes: String,
    #[serde(skip)]
    pub attendees: Vec<Attendee>,
}

/// Validates an activity field by field; every problem names its field (attendees by their
/// position, 1-based). `today` reads relative dates (`+7`).
pub fn validate(input: &ActivityInput, today: NaiveDate) -> Result<(ActivityData, Issues), Issues> {
    let mut issues = Issues::default();
    let kind_raw = ingest(&input.kind);
    let kind = if kind_raw.is_empty() {
        issues.push(FieldIssue::error("kind", Problem::Required));
        String::new()
    } else {
        parse_kind(&kind_raw).unwrap_or_else(|| {
            issues.push(FieldIssue::error(
                "kind",
                Problem::UnknownCode {
                    code: kind_raw.clone(),
                },
            ));
            String::new()
        })
    };
    let title = short_text(&mut issues, "title", &input.title, true);
    let start = date_field(&mut issues, "start_date", &input.start_date, today);
    if start.is_none() && ingest(&input.start_date).is_empty() {
        issues.push(FieldIssue::error("start_date", Problem::Required));
    }
    let end_date = date_field(&mut issues, "end_date", &input.end_date, today);
    if let (Some(s), Some(e)) = (start, end_date) {
        if e < s {
            issues.push(FieldIssue::error(
                "end_date",
                Problem::BeforeDate {
                    date: super::consultation::dmy(s),
                },
            ));
        }
    }
    let commune_code = ingest(&input.commune_code);
    if commune_code.is_empty() {
        issues.push(FieldIssue::error("commune_code", Problem::Required));
    } else if crate::refdata::units().commune(&commune_code).is_none() {
        issues.push(FieldIssue::error(
            "commune_code",
            Problem::UnknownCommune {
                code: commune_code.clone(),
            },
        ));
    }
    let place = short_text(&mut issues, "place", &input.place, false);
    let organiser = short_text(&mut issues, "organiser", &input.organiser, false);
    let proposal_id = Some(ingest(&input.proposal_id)).filter(|p| !p.is_empty());
    let cost = opt_money(&mut issues, "cost", &input.cost);
    let unnamed_count = opt_count(&mut issues, "unnamed_count", &input.unnamed_count).unwrap_or(0);
    let mut part = |key: &'static str, raw: &str| {
        let n = opt_count(&mut issues, key, raw).unwrap_or(0);
        if n > unnamed_count {
            issues.push(FieldIssue::error(
                key,
                Problem::OverCount {
                    count: unnamed_count,
                },
            ));
        }
        n
    };
    let unnamed_women = part("unnamed_women", &input.unnamed_women);
    let unnamed_minority = part("unnamed_minority", &input.unnamed_minority);
    let notes = long_text(&mut issues, "notes", &input.notes, false);
    let attendees = attendees(&mut issues, &input.attendees);
    let data = start.map(|start_date| ActivityData {
        kind,
        title,
        start_date,
        end_date,
        commune_code,
        place,
        organiser,
        proposal_id,
        cost,
        unnamed_count,
        unnamed_women,
        unnamed_minority,
        notes,
        attendees,
    });
    done(issues, data)
}

/// Each attendee is a facility or a named person (or both); a facility once; a known gender.
fn attendees(issues: &mut Issues, input: &[AttendeeInput]) -> Vec<Attendee> {
    if input.len() > MAX_ATTENDEES {
        issues.push(FieldIssue::error(
            "attendees",
            Problem::TooLong { max: MAX_ATTENDEES },
        ));
    }
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(input.len());
    for (i, a) in input.iter().enumerate() {
        let position = i + 1;
        let facility_id = Some(ingest(&a.facility_id)).filter(|f| !f.is_empty());
        let person_name = short_text(issues, "attendees", &a.person_name, false);
        if facility_id.is_none() && person_name.is_empty() {
            issues.push(FieldIssue::error(
                "attendees",
                Problem::AttendeeEmpty { position },
            ));
        }
        // A facility may come twice only as different named people of it.
        if let Some(f) = &facility_id {
            if !seen.insert((f.clone(), fold(&person_name))) {
                issues.push(FieldIssue::error(
                    "attendees",
                    Problem::AttendeeTwice { position },
                ));
            }
        }
        let g = ingest(&a.gender);
        let gender = if g.is_empty() {
            None
        } else {
            let parsed = Gender::parse(&g);
            if parsed.is_none() {
                issues.push(FieldIssue::error(
                    "attendees",
                    Problem::AttendeeGender { position, value: g },
                ));
            }
            parsed
        };
        out.push(Attendee {
            facility_id,
            person_name,
            gender,
            ethnic_minority: a.ethnic_minority,
        });
    }
    out
}

/// Attendee counts as the programme reports them: everyone (named and unnamed), facilities,
/// women, ethnic minorities.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct AttendeeCounts {
    pub total: i64,
    pub facilities: i64,
    pub women: i64,
    pub minority: i64,
}

impl AttendeeCounts {
    pub fn of(r: &ActivityRecord) -> AttendeeCounts {
        let named = r.attendees.len() as i64;
        let facilities = r
            .attendees
            .iter()
            .filter_map(|a| a.facility_id.as_deref())
            .collect::<std::collections::HashSet<_>>()
            .len() as i64;
        let women = r
            .attendees
            .iter()
            .filter(|a| a.gender.as_deref() == Some(Gender::Nu.code()))
            .count() as i64;
        let minority = r.attendees.iter().filter(|a| a.ethnic_minority).count() as i64;
        AttendeeCounts {
            total: named + r.unnamed_count,
            facilities,
            women: women + r.unnamed_women,
            minority: minority + r.unnamed_minority,
        }
    }
}

/// The string-table key of an activity field's label.
pub fn field_label_key(key: &str) -> Option<&'static str> {
    Some(match key {
        "kind" => "activity.field.kind",
        "title" => "activity.field.title",
        "start_date" => "activity.field.start_date",
        "end_date" => "activity.field.end_date",
        "commune_code" => "activity.field.commune_code",
        "place" => "activity.field.place",
        "organiser" => "activity.field.organiser",
        "proposal_id" => "activity.field.proposal_id",
        "cost" => "activity.field.cost",
        "unnamed_count" => "activity.field.unnamed_count",
        "unnamed_women" => "activity.field.unnamed_women",
        "unnamed_minority" => "activity.field.unnamed_minority",
        "notes" => "activity.field.notes",
        "attendees" => "activity.field.attendees",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 4).unwrap()
    }

    fn input() -> ActivityInput {
        ActivityInput {
            kind: "tập huấn, đào tạo nghề".into(),
            title: "Lớp đan lát".into(),
            start_date: "1/12/2026".into(),
            end_date: "3/12/2026".into(),
            commune_code: "00004".into(),
            cost: "12tr".into(),
            unnamed_count: "10".into(),
            unnamed_women: "6".into(),
            ..Default::default()
        }
    }

    #[test]
    fn typed_fields_are_read() {
        let (d, _) = validate(&input(), today()).unwrap();
        assert_eq!(d.kind, "TAP_HUAN");
        assert_eq!(d.start_date, NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
        assert_eq!(d.cost, Some(12_000_000));
        assert_eq!((d.unnamed_count, d.unnamed_women), (10, 6));
    }

    #[test]
    fn refusals_name_their_field() {
        let mut i = input();
        i.end_date = "30/11/2026".into();
        i.unnamed_minority = "11".into();
        i.attendees = vec![
            AttendeeInput::default(),
            AttendeeInput {
                facility_id: "f1".into(),
                gender: "x".into(),
                ..Default::default()
            },
            AttendeeInput {
                facility_id: "f1".into(),
                ..Default::default()
            },
        ];
        let issues = validate(&i, today()).unwrap_err();
        let got: Vec<(&str, &Problem)> = issues.errors().map(|e| (e.field, &e.problem)).collect();
        assert!(got.contains(&(
            "end_date",
            &Problem::BeforeDate {
                date: "01/12/2026".into()
            }
        )));
        assert!(got.contains(&("unnamed_minority", &Problem::OverCount { count: 10 })));
        assert!(got.contains(&("attendees", &Problem::AttendeeEmpty { position: 1 })));
        assert!(got.contains(&(
            "attendees",
            &Problem::AttendeeGender {
                position: 2,
                value: "x".into()
            }
        )));
        assert!(got.contains(&("attendees", &Problem::AttendeeTwice { position: 3 })));
    }

    #[test]
    fn person_lines_read_and_write_back() {
        let p = parse_person_line(" Lò Thị Mai ; NU ; dtts ; gốm Bát Tràng").unwrap();
        assert_eq!(p.person_name, "Lò Thị Mai");
        assert_eq!(p.gender, "NU");
        assert!(p.ethnic_minority);
        assert_eq!(p.facility.as_deref(), Some("gốm Bát Tràng"));
        assert_eq!(parse_person_line("Lan").unwrap().gender, "");
        assert_eq!(parse_person_line("Lan;nu;maybe"), None);
        let a = AttendeeRecord {
            facility_id: None,
            person_name: "Lò Thị Mai".into(),
            gender: Some("NU".into()),
            ethnic_minority: false,
        };
        assert_eq!(person_line(&a, None), "Lò Thị Mai;NU");
        assert_eq!(person_line(&a, Some("1a2b3c4d")), "Lò Thị Mai;NU;;1a2b3c4d");
    }

    #[test]
    fn gender_reads_both_languages() {
        assert_eq!(Gender::parse("Nữ"), Some(Gender::Nu));
        assert_eq!(Gender::parse("male"), Some(Gender::Nam));
        assert_eq!(Gender::parse("?"), None);
    }
}
