//! The craft-village register (làng nghề / làng nghề truyền thống): what a village is, and the
//! one check typed, imported and received villages pass.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::consultation::{iso, parse_typed_date};
use super::facility::{code_field, commune_field, flag};
use super::issue::{FieldIssue, Issues, Problem};
use super::Profile;
use crate::refdata::codes;
use crate::text::{ingest, ingest_multiline};

/// Whether the province recognises the village (công nhận), not yet, or withdrew it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum VillageStatus {
    #[default]
    CongNhan,
    ChuaCongNhan,
    ThuHoi,
}

impl VillageStatus {
    pub const ALL: [VillageStatus; 3] = [
        VillageStatus::CongNhan,
        VillageStatus::ChuaCongNhan,
        VillageStatus::ThuHoi,
    ];
}

// The code, or the words a list writes ("đã công nhận", "chưa công nhận", "thu hồi").
// Empty is the default (recognised: the register is of recognised villages).
super::code_list::code_list! {
    VillageStatus, code, loose = true;
    CongNhan => "CONG_NHAN", "village.status.CONG_NHAN",
        ["", "da cong nhan", "recognised", "recognized"];
    ChuaCongNhan => "CHUA_CONG_NHAN", "village.status.CHUA_CONG_NHAN",
        ["not recognised", "not recognized"];
    ThuHoi => "THU_HOI", "village.status.THU_HOI", ["withdrawn"];
}

/// A village as typed or read from a list: text, checked by [`validate`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VillageInput {
    pub name: String,
    /// 2025 commune codes, separated by `,` or `;` (the first is the village's own).
    pub communes: String,
    pub trade_group: String,
    pub traditional: String,
    pub decision_no: String,
    pub decision_date: String,
    pub status: String,
    pub notes: String,
}

/// A checked village.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct VillageData {
    pub name: String,
    /// At least one, no repeats; the first is the village's commune (its scope).
    pub communes: Vec<String>,
    pub trade_group: Option<String>,
    pub traditional: bool,
    pub decision_no: String,
    /// ISO date of the recognition decision.
    pub decision_date: Option<String>,
    pub status: VillageStatus,
    pub notes: String,
}

/// The fields of a village, in form order: (key, string-table key of the label). The keys
/// are the form's, the CSV's and the change log's; those only a village has are named so
/// that a facility's or a proposal's message never borrows their label.
pub const FIELDS: [(&str, &str); 8] = [
    ("village", "village.field.name"),
    ("communes", "village.field.communes"),
    ("trade_group", "field.trade_group"),
    ("traditional", "village.field.traditional"),
    ("village_decision_no", "village.field.decision_no"),
    ("village_decision_date", "village.field.decision_date"),
    ("village_status", "village.field.status"),
    ("notes", "field.notes"),
];

/// The label key of a field only a village or a product has (None: not one of theirs).
pub fn field_label_key(field: &str) -> Option<&'static str> {
    FIELDS
        .iter()
        .chain(super::product::FIELDS.iter())
        .filter(|(k, _)| !matches!(*k, "trade_group" | "notes"))
        .find(|(k, _)| *k == field)
        .map(|(_, l)| *l)
}

const MAX_NAME: usize = 200;
const MAX_NOTES: usize = 4000;

/// Turns typed values into a village, or says what is wrong, field by field. `profile`: the
/// writer, who must cover every commune of the village.
pub fn validate(
    input: &VillageInput,
    profile: Option<&Profile>,
    today: NaiveDate,
) -> Result<VillageData, Issues> {
    let mut issues = Issues::default();
    let name = ingest(&input.name);
    if name.is_empty() {
        issues.push(FieldIssue::error("village", Problem::Required));
    } else if name.chars().count() > MAX_NAME {
        issues.push(FieldIssue::error(
            "village",
            Problem::TooLong { max: MAX_NAME },
        ));
    }
    let mut communes: Vec<String> = Vec::new();
    for raw in input.communes.split([',', ';']).map(str::trim) {
        if raw.is_empty() {
            continue;
        }
        let c = commune_field(&mut issues, "communes", raw, profile);
        if !communes.contains(&c) {
            communes.push(c);
        }
    }
    if communes.is_empty() {
        issues.push(FieldIssue::error("communes", Problem::Required));
    }
    let trade_group = code_field(
        &mut issues,
        "trade_group",
        &input.trade_group,
        &codes().trade_groups,
    );
    let traditional = flag(&mut issues, "traditional", &input.traditional);
    let decision_no = ingest(&input.decision_no);
    if decision_no.chars().count() > MAX_NAME {
        issues.push(FieldIssue::error(
            "village_decision_no",
            Problem::TooLong { max: MAX_NAME },
        ));
    }
    let decision_date = typed_date(
        &mut issues,
        "village_decision_date",
        &input.decision_date,
        today,
    );
    let status = VillageStatus::parse(&input.status).unwrap_or_else(|| {
        issues.push(FieldIssue::error(
            "village_status",
            Problem::UnknownCode {
                code: ingest(&input.status),
            },
        ));
        VillageStatus::default()
    });
    let notes = ingest_multiline(&input.notes);
    if notes.chars().count() > MAX_NOTES {
        issues.push(FieldIssue::error(
            "notes",
            Problem::TooLong { max: MAX_NOTES },
        ));
    }
    if issues.has_errors() {
        return Err(issues);
    }
    Ok(VillageData {
        name,
        communes,
        trade_group,
        traditional,
        decision_no,
        decision_date,
        status,
        notes,
    })
}

/// A typed date (`15/1/2026`, ISO, `+7`) no later than today, as ISO; empty is None.
pub(crate) fn typed_date(
    issues: &mut Issues,
    key: &'static str,
    raw: &str,
    today: NaiveDate,
) -> Option<String> {
    let t = ingest(raw);
    if t.is_empty() {
        return None;
    }
    match parse_typed_date(&t, today) {
        Some(d) if d > today => {
            issues.push(FieldIssue::error(
                key,
                Problem::DateInFuture { date: t.clone() },
            ));
            None
        }
        Some(d) => Some(iso(d)),
        None => {
            issues.push(FieldIssue::error(key, Problem::DateFormat { value: t }));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> VillageInput {
        VillageInput {
            name: " Làng gốm Bát Tràng ".into(),
            communes: "00004; 00004, 00008".into(),
            traditional: "có".into(),
            decision_date: "15/1/2020".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_typed_village_is_cleaned_and_its_communes_kept_in_order_once() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 4).expect("date");
        let v = validate(&input(), None, today).expect("valid");
        assert_eq!(v.name, "Làng gốm Bát Tràng");
        assert_eq!(v.communes, vec!["00004", "00008"]);
        assert!(v.traditional);
        assert_eq!(v.decision_date.as_deref(), Some("2020-01-15"));
        assert_eq!(v.status, VillageStatus::CongNhan);
    }

    #[test]
    fn bad_fields_are_named() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 4).expect("date");
        let bad = VillageInput {
            name: String::new(),
            communes: "99999".into(),
            status: "maybe".into(),
            decision_date: "31/12/2030".into(),
            ..Default::default()
        };
        let issues = validate(&bad, None, today).expect_err("invalid");
        let fields: Vec<&str> = issues.0.iter().map(|i| i.field).collect();
        for f in [
            "village",
            "communes",
            "village_status",
            "village_decision_date",
        ] {
            assert!(fields.contains(&f), "{f} not in {fields:?}");
        }
    }
}
