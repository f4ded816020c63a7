//! A facility's products and their titles: OCOP stars (3–5, a certificate lasting 36 months)
//! and the typical rural industrial product (sản phẩm CNNT tiêu biểu) at a level.

use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;

use super::consultation::iso;
use super::facility::year;
use super::issue::{FieldIssue, Issues, Problem};
use super::village::typed_date;
use crate::record::TitleRecord;
use crate::text::{ingest, ingest_multiline};

/// How long an OCOP certificate lasts (Quyết định 148/QĐ-TTg: 36 months from issue).
pub const OCOP_MONTHS: u32 = 36;

/// The kind of a title.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum TitleKind {
    Ocop,
    TieuBieu,
}

impl TitleKind {
    pub fn code(self) -> &'static str {
        match self {
            TitleKind::Ocop => "OCOP",
            TitleKind::TieuBieu => "TIEU_BIEU",
        }
    }

    pub fn parse(raw: &str) -> Option<TitleKind> {
        match crate::text::fold(raw.trim())
            .replace(['_', '-'], " ")
            .as_str()
        {
            "ocop" => Some(TitleKind::Ocop),
            "tieu bieu" | "typical" | "sp tieu bieu" | "san pham tieu bieu" => {
                Some(TitleKind::TieuBieu)
            }
            _ => None,
        }
    }

    /// The levels a title of this kind takes (OCOP: stars).
    pub fn levels(self) -> &'static [&'static str] {
        match self {
            TitleKind::Ocop => &["3", "4", "5"],
            TitleKind::TieuBieu => &["HUYEN", "TINH", "KHU_VUC", "QUOC_GIA"],
        }
    }
}

/// The fields of a product and a title: (key, string-table key of the label).
pub const FIELDS: [(&str, &str); 8] = [
    ("product", "product.field.name"),
    ("notes", "field.notes"),
    ("title_kind", "product.field.kind"),
    ("title_year", "product.field.year"),
    ("title_level", "product.field.level"),
    ("certificate", "product.field.certificate"),
    ("issued_date", "product.field.issued_date"),
    ("expiry_date", "product.field.expiry_date"),
];

/// A title as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TitleInput {
    pub kind: String,
    pub year: String,
    pub level: String,
    pub certificate: String,
    pub issued_date: String,
    /// Empty: OCOP's default (issued + 36 months).
    pub expiry_date: String,
}

/// The default end of an OCOP certificate: 36 months after it was issued; without an issue
/// date, the end of the 36 months from the last day of its year (the latest it can run).
pub fn ocop_expiry(year: i32, issued: Option<NaiveDate>) -> Option<NaiveDate> {
    let from = issued.or_else(|| NaiveDate::from_ymd_opt(year, 12, 31))?;
    from.checked_add_months(Months::new(OCOP_MONTHS))
}

/// A product name: required, one line.
pub fn validate_name(raw: &str, issues: &mut Issues) -> String {
    let name = ingest(raw);
    if name.is_empty() {
        issues.push(FieldIssue::error("product", Problem::Required));
    } else if name.chars().count() > 200 {
        issues.push(FieldIssue::error("product", Problem::TooLong { max: 200 }));
    }
    name
}

/// Product notes.
pub fn validate_notes(raw: &str, issues: &mut Issues) -> String {
    let notes = ingest_multiline(raw);
    if notes.chars().count() > 4000 {
        issues.push(FieldIssue::error("notes", Problem::TooLong { max: 4000 }));
    }
    notes
}

/// Turns a typed title into a title, or says what is wrong.
/// The title as the record holds it (codes as stored, dates ISO).
pub fn validate_title(input: &TitleInput, today: NaiveDate) -> Result<TitleRecord, Issues> {
    let mut issues = Issues::default();
    let kind = TitleKind::parse(&input.kind);
    if kind.is_none() {
        let p = if input.kind.trim().is_empty() {
            Problem::Required
        } else {
            Problem::UnknownCode {
                code: ingest(&input.kind),
            }
        };
        issues.push(FieldIssue::error("title_kind", p));
    }
    let y = year(&mut issues, "title_year", &input.year, today.year());
    if y.is_none() && input.year.trim().is_empty() {
        issues.push(FieldIssue::error("title_year", Problem::Required));
    }
    let raw_level = crate::text::fold(&ingest(&input.level))
        .replace([' ', '-'], "_")
        .trim_end_matches("_sao")
        .to_uppercase();
    let level = kind.and_then(|k| {
        let ok = k.levels().contains(&raw_level.as_str());
        if !ok {
            let p = if raw_level.is_empty() {
                Problem::Required
            } else if k == TitleKind::Ocop {
                Problem::OcopStars
            } else {
                Problem::UnknownCode {
                    code: ingest(&input.level),
                }
            };
            issues.push(FieldIssue::error("title_level", p));
        }
        ok.then(|| raw_level.clone())
    });
    let certificate = ingest(&input.certificate);
    if certificate.chars().count() > 200 {
        issues.push(FieldIssue::error(
            "certificate",
            Problem::TooLong { max: 200 },
        ));
    }
    let issued = typed_date(&mut issues, "issued_date", &input.issued_date, today);
    // An expiry may lie ahead: read it without the not-in-the-future rule.
    let expiry_raw = ingest(&input.expiry_date);
    let expiry = if expiry_raw.is_empty() {
        None
    } else {
        match super::consultation::parse_typed_date(&expiry_raw, today) {
            Some(d) => Some(d),
            None => {
                issues.push(FieldIssue::error(
                    "expiry_date",
                    Problem::DateFormat { value: expiry_raw },
                ));
                None
            }
        }
    };
    let issued_d = issued.as_deref().and_then(super::consultation::parse_date);
    if let (Some(i), Some(e)) = (issued_d, expiry) {
        if e <= i {
            issues.push(FieldIssue::error(
                "expiry_date",
                Problem::BeforeDate { date: iso(i) },
            ));
        }
    }
    if issues.has_errors() {
        return Err(issues);
    }
    let (Some(kind), Some(year), Some(level)) = (kind, y, level) else {
        return Err(issues);
    };
    let expiry_date = expiry.or_else(|| match kind {
        TitleKind::Ocop => ocop_expiry(year, issued_d),
        TitleKind::TieuBieu => None,
    });
    Ok(TitleRecord {
        kind: kind.code().to_string(),
        year,
        level,
        certificate,
        issued_date: issued,
        expiry_date: expiry_date.map(iso),
    })
}

/// Whether a title has run out on `today` (an expiry date before it).
pub fn is_expired(expiry_date: Option<&str>, today: NaiveDate) -> bool {
    expiry_date
        .and_then(super::consultation::parse_date)
        .is_some_and(|e| e < today)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn an_ocop_certificate_lasts_36_months_from_issue() {
        let t = validate_title(
            &TitleInput {
                kind: "ocop".into(),
                year: "2023".into(),
                level: "4 sao".into(),
                issued_date: "15/3/2023".into(),
                ..Default::default()
            },
            d(2026, 12, 4),
        )
        .expect("valid");
        assert_eq!(t.level, "4");
        assert_eq!(t.expiry_date.as_deref(), Some("2026-03-15"));
        assert!(is_expired(t.expiry_date.as_deref(), d(2026, 3, 16)));
        assert!(!is_expired(t.expiry_date.as_deref(), d(2026, 3, 15)));
    }

    #[test]
    fn a_typical_product_needs_a_known_level_and_has_no_default_expiry() {
        let today = d(2026, 12, 4);
        let ok = validate_title(
            &TitleInput {
                kind: "TIEU_BIEU".into(),
                year: "2025".into(),
                level: "tỉnh".into(),
                ..Default::default()
            },
            today,
        )
        .expect("valid");
        assert_eq!((ok.level.as_str(), ok.expiry_date), ("TINH", None));
        let bad = validate_title(
            &TitleInput {
                kind: "OCOP".into(),
                year: "2025".into(),
                level: "6".into(),
                ..Default::default()
            },
            today,
        )
        .expect_err("six stars");
        assert!(bad.0.iter().any(|i| i.field == "title_level"));
    }
}
