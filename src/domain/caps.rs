//! Support caps (mức hỗ trợ tối đa) as data: each province's table (its People's Council
//! resolution), by support category, funding source and period, each row with its legal source.
//!
//! A table arrives as text rows — the shipped `data/support_caps.csv`, a file the province
//! makes in Excel (`ctv caps import`), or a receipt — and goes through [`check_rows`], which
//! checks every row and the periods together: one bad row refuses the whole table.

use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::consultation::{dmy, iso, parse_date};
use super::money::parse_vnd;
use crate::refdata::{codes, units};
use crate::text::fold;

/// The national rows shipped with the program: only rows with a named national source.
const SHIPPED_CSV: &str = include_str!("../../data/support_caps.csv");

/// The funding a cap row applies to: a code of [`super::proposal::FundingSource`] or `*` (both).
pub const ANY_FUNDING: &str = "*";

/// One cap: a limit on khuyến công support for a category and funding source in a province
/// over a period. Either limit may be absent, not both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SupportCap {
    /// A 2025 province code; `None` for a national rule (`*`).
    pub province_code: Option<String>,
    /// A code of `support_categories.csv`.
    pub category: String,
    /// `KCQG`, `KCDP` or `*`.
    pub funding: String,
    #[serde(serialize_with = "crate::refdata::serialize_date")]
    pub effective_from: NaiveDate,
    /// Last day in force (inclusive); `None`: open.
    #[serde(serialize_with = "crate::refdata::serialize_opt_date")]
    pub effective_to: Option<NaiveDate>,
    /// Whole percent of the total cost.
    pub percent: Option<u32>,
    /// Whole VND.
    pub max_vnd: Option<i64>,
    /// The legal source: document number and article.
    pub source: String,
}

impl SupportCap {
    fn in_force(&self, on: NaiveDate) -> bool {
        self.effective_from <= on && self.effective_to.is_none_or(|t| on <= t)
    }

    /// The row as text, the way a receipt carries it (ISO dates, plain numbers).
    pub fn to_text(&self) -> CapText {
        CapText {
            province_code: self.province_code.clone().unwrap_or_else(|| "*".into()),
            category: self.category.clone(),
            funding: self.funding.clone(),
            effective_from: iso(self.effective_from),
            effective_to: self.effective_to.map(iso).unwrap_or_default(),
            percent: self.percent.map(|p| p.to_string()).unwrap_or_default(),
            max_vnd: self.max_vnd.map(|m| m.to_string()).unwrap_or_default(),
            source: self.source.clone(),
        }
    }
}

/// A cap row as text, before checking: one cell per column.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapText {
    pub province_code: String,
    pub category: String,
    pub funding: String,
    pub effective_from: String,
    #[serde(default)]
    pub effective_to: String,
    #[serde(default)]
    pub percent: String,
    #[serde(default)]
    pub max_vnd: String,
    pub source: String,
}

/// A province's table as text, the way a receipt carries it to the communes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapTableText {
    pub province_code: String,
    pub rows: Vec<CapText>,
}

/// The columns of a cap table: key, whether a file must have it, and the headers people
/// write for it (compared folded, spaces and punctuation ignored).
pub const COLUMNS: [(&str, bool, &[&str]); 8] = [
    (
        "province_code",
        false,
        &["ma tinh", "tinh", "ma tinh thanh pho"],
    ),
    (
        "category",
        true,
        &[
            "noi dung",
            "ma noi dung",
            "noi dung ho tro",
            "ma noi dung ho tro",
        ],
    ),
    (
        "funding",
        true,
        &[
            "nguon kinh phi",
            "nguon von",
            "kinh phi",
            "nguon kinh phi khuyen cong",
        ],
    ),
    (
        "effective_from",
        true,
        &[
            "tu ngay",
            "hieu luc tu",
            "ap dung tu",
            "ap dung tu ngay",
            "hieu luc tu ngay",
        ],
    ),
    (
        "effective_to",
        false,
        &[
            "den ngay",
            "hieu luc den",
            "ap dung den",
            "ap dung den ngay",
            "hieu luc den ngay",
        ],
    ),
    (
        "percent",
        false,
        &["ty le", "ty le %", "phan tram", "ty le toi da"],
    ),
    (
        "max_vnd",
        false,
        &[
            "muc toi da",
            "muc toi da dong",
            "toi da",
            "so tien toi da",
            "muc ho tro toi da",
        ],
    ),
    (
        "source",
        true,
        &[
            "can cu",
            "can cu phap ly",
            "van ban",
            "nguon",
            "so hieu van ban",
        ],
    ),
];

/// A header as compared: folded, letters and digits only, single spaces.
fn header_key(h: &str) -> String {
    fold(h.trim_start_matches('\u{feff}'))
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '%' {
                c
            } else {
                ' '
            }
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// What is wrong with a cap table; `line` 0 is the file as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CapIssue {
    pub line: usize,
    pub problem: CapProblem,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum CapProblem {
    MissingColumn {
        column: &'static str,
    },
    NoRows,
    /// A required cell is empty.
    Required {
        column: &'static str,
    },
    UnknownProvince {
        code: String,
    },
    /// A province other than the one loading the table.
    OtherProvince {
        code: String,
        own: String,
    },
    /// `*` (a national rule) in a province's own table.
    NationalRow,
    UnknownCategory {
        code: String,
    },
    UnknownFunding {
        value: String,
    },
    BadDate {
        column: &'static str,
        value: String,
    },
    FromAfterTo {
        from: String,
        to: String,
    },
    BadPercent {
        value: String,
    },
    BadMoney {
        value: String,
    },
    /// Neither a percent nor a maximum.
    NoLimit,
    /// The same province, category and funding in force twice on one day.
    Overlap {
        other_line: usize,
    },
}

/// Maps a table's headers to column keys: `Ok(index per column)`, or the missing column.
pub fn map_headers(headers: &[String]) -> Result<Vec<Option<usize>>, CapIssue> {
    let keys: Vec<String> = headers.iter().map(|h| header_key(h)).collect();
    COLUMNS
        .iter()
        .map(|(key, required, aliases)| {
            let found = keys
                .iter()
                .position(|k| k == &header_key(key) || aliases.contains(&k.as_str()));
            match found {
                None if *required => Err(CapIssue {
                    line: 0,
                    problem: CapProblem::MissingColumn { column: key },
                }),
                f => Ok(f),
            }
        })
        .collect()
}

/// The text rows of a table read from a file (headers and rows with their line numbers);
/// a file without a province column gets `own_province` on every row.
pub fn rows_from_table(
    headers: &[String],
    rows: &[(usize, Vec<String>)],
    own_province: &str,
) -> Result<Vec<(usize, CapText)>, Vec<CapIssue>> {
    let cols = map_headers(headers).map_err(|e| vec![e])?;
    let cell = |cells: &[String], k: usize| -> String {
        cols[k]
            .and_then(|i| cells.get(i))
            .map(|s| crate::text::ingest(s))
            .unwrap_or_default()
    };
    Ok(rows
        .iter()
        .map(|(line, cells)| {
            let mut province_code = cell(cells, 0);
            if cols[0].is_none() {
                province_code = own_province.to_string();
            }
            (
                *line,
                CapText {
                    province_code,
                    category: cell(cells, 1),
                    funding: cell(cells, 2),
                    effective_from: cell(cells, 3),
                    effective_to: cell(cells, 4),
                    percent: cell(cells, 5),
                    max_vnd: cell(cells, 6),
                    source: cell(cells, 7),
                },
            )
        })
        .collect())
}

/// Who a table belongs to: a province's own table refuses other provinces and `*` rows; the
/// national (shipped) table holds only `*` rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner<'a> {
    Province(&'a str),
    National,
}

/// Checks every row and the periods together. All problems are returned, each naming its
/// line; any problem refuses the whole table.
pub fn check_rows(
    rows: &[(usize, CapText)],
    owner: Owner<'_>,
) -> Result<Vec<SupportCap>, Vec<CapIssue>> {
    let mut issues = Vec::new();
    let mut caps: Vec<(usize, SupportCap)> = Vec::new();
    for (line, t) in rows {
        match check_row(t, owner) {
            Ok(c) => caps.push((*line, c)),
            Err(ps) => issues.extend(ps.into_iter().map(|problem| CapIssue {
                line: *line,
                problem,
            })),
        }
    }
    if rows.is_empty() && matches!(owner, Owner::Province(_)) {
        issues.push(CapIssue {
            line: 0,
            problem: CapProblem::NoRows,
        });
    }
    for (i, (line, c)) in caps.iter().enumerate() {
        let clash = caps[..i].iter().find(|(_, o)| {
            o.province_code == c.province_code
                && o.category == c.category
                && o.funding == c.funding
                && o.effective_from <= c.effective_to.unwrap_or(NaiveDate::MAX)
                && c.effective_from <= o.effective_to.unwrap_or(NaiveDate::MAX)
        });
        if let Some((other_line, _)) = clash {
            issues.push(CapIssue {
                line: *line,
                problem: CapProblem::Overlap {
                    other_line: *other_line,
                },
            });
        }
    }
    if issues.is_empty() {
        Ok(caps.into_iter().map(|(_, c)| c).collect())
    } else {
        issues.sort_by_key(|i| i.line);
        Err(issues)
    }
}

/// A whole percent from 0 to 100: `30`, or a fraction as an Excel percent cell reads (`0.3`,
/// `0,3`).
fn percent_value(p: &str) -> Option<u32> {
    if let Ok(n) = p.parse::<u32>() {
        return (n <= 100).then_some(n);
    }
    let f: f64 = p.replace(',', ".").parse().ok()?;
    let scaled = f * 100.0;
    let n = scaled.round();
    ((0.0..1.0).contains(&f) && (scaled - n).abs() < 1e-6).then_some(n as u32)
}

/// A province code as typed; Excel drops the leading zero of `01`.
fn province_code(raw: &str) -> String {
    crate::refdata::Units::pad_province_code(raw).unwrap_or_else(|| raw.trim().to_string())
}

fn check_row(t: &CapText, owner: Owner<'_>) -> Result<SupportCap, Vec<CapProblem>> {
    let mut ps = Vec::new();
    let required = |v: &str, column: &'static str, ps: &mut Vec<CapProblem>| {
        let empty = v.trim().is_empty();
        if empty {
            ps.push(CapProblem::Required { column });
        }
        !empty
    };
    let code = province_code(&t.province_code);
    let province = match (code.as_str(), owner) {
        ("*", Owner::National) => None,
        ("*", Owner::Province(_)) => {
            ps.push(CapProblem::NationalRow);
            None
        }
        ("", _) => {
            ps.push(CapProblem::Required {
                column: "province_code",
            });
            None
        }
        (c, _) if units().province(c).is_none() => {
            ps.push(CapProblem::UnknownProvince { code: c.into() });
            None
        }
        (c, Owner::Province(own)) if c != own => {
            ps.push(CapProblem::OtherProvince {
                code: c.into(),
                own: own.into(),
            });
            None
        }
        (c, Owner::National) => {
            ps.push(CapProblem::OtherProvince {
                code: c.into(),
                own: "*".into(),
            });
            None
        }
        (c, Owner::Province(_)) => Some(c.to_string()),
    };
    let category = t.category.trim().to_uppercase();
    if required(&category, "category", &mut ps) && !codes().support_categories.contains(&category) {
        ps.push(CapProblem::UnknownCategory {
            code: t.category.trim().into(),
        });
    }
    let funding = match t.funding.trim() {
        "*" => Some(ANY_FUNDING.to_string()),
        f if required(f, "funding", &mut ps) => match super::proposal::FundingSource::parse(f) {
            Some(s) => Some(s.code().to_string()),
            None => {
                ps.push(CapProblem::UnknownFunding { value: f.into() });
                None
            }
        },
        _ => None,
    };
    let date = |v: &str, column: &'static str, ps: &mut Vec<CapProblem>| {
        let d = parse_date(v);
        if d.is_none() {
            ps.push(CapProblem::BadDate {
                column,
                value: v.trim().into(),
            });
        }
        d
    };
    let from = if required(&t.effective_from, "effective_from", &mut ps) {
        date(&t.effective_from, "effective_from", &mut ps)
    } else {
        None
    };
    let to = match t.effective_to.trim() {
        "" => None,
        v => date(v, "effective_to", &mut ps),
    };
    if let (Some(f), Some(e)) = (from, to) {
        if f > e {
            ps.push(CapProblem::FromAfterTo {
                from: dmy(f),
                to: dmy(e),
            });
        }
    }
    let percent = match t.percent.trim().trim_end_matches('%').trim() {
        "" => None,
        p => match percent_value(p) {
            Some(n) => Some(n),
            None => {
                ps.push(CapProblem::BadPercent {
                    value: t.percent.trim().into(),
                });
                None
            }
        },
    };
    let max_vnd = match parse_vnd(&t.max_vnd) {
        Ok(Some(m)) if m >= 0 => Some(m),
        Ok(None) => None,
        _ => {
            ps.push(CapProblem::BadMoney {
                value: t.max_vnd.trim().into(),
            });
            None
        }
    };
    if t.percent.trim().is_empty() && t.max_vnd.trim().is_empty() {
        ps.push(CapProblem::NoLimit);
    }
    let source = t.source.trim().to_string();
    required(&source, "source", &mut ps);
    match (ps.is_empty(), funding, from) {
        (true, Some(funding), Some(effective_from)) => Ok(SupportCap {
            province_code: province,
            category,
            funding,
            effective_from,
            effective_to: to,
            percent,
            max_vnd,
            source,
        }),
        _ => Err(ps),
    }
}

/// A set of caps with the one rule for the cap in force.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SupportCaps {
    caps: Vec<SupportCap>,
}

impl SupportCaps {
    pub fn new(caps: Vec<SupportCap>) -> SupportCaps {
        SupportCaps { caps }
    }

    pub fn all(&self) -> &[SupportCap] {
        &self.caps
    }

    /// This set and `more` together.
    pub fn with(mut self, more: &[SupportCap]) -> SupportCaps {
        self.caps.extend_from_slice(more);
        self
    }

    /// The cap in force for a category and funding source in a province on a date: the
    /// province's own rows win over national (`*`) ones, and a row for the funding source
    /// over one for both (`*`).
    pub fn cap_for(
        &self,
        province_code: &str,
        category: &str,
        funding: &str,
        on: NaiveDate,
    ) -> Option<&SupportCap> {
        let rank = |c: &SupportCap| {
            let own = c.province_code.as_deref() == Some(province_code);
            let exact = c.funding == funding;
            u8::from(own) * 2 + u8::from(exact)
        };
        self.caps
            .iter()
            .filter(|c| c.category == category && c.in_force(on))
            .filter(|c| {
                c.province_code
                    .as_deref()
                    .is_none_or(|p| p == province_code)
            })
            .filter(|c| c.funding == funding || c.funding == ANY_FUNDING)
            .max_by_key(|c| (rank(c), c.effective_from))
    }
}

/// The day whose caps apply to a proposal: chosen by its plan year (the support is for that
/// year's plan, whenever the decision is signed) — today when the plan year is this year,
/// else the first day of the plan year.
pub fn cap_date(plan_year: i32, today: NaiveDate) -> NaiveDate {
    if plan_year == today.year() {
        today
    } else {
        NaiveDate::from_ymd_opt(plan_year, 1, 1).unwrap_or(today)
    }
}

/// Parses the shipped national table (`*` rows with a national source only).
pub fn load_shipped() -> Result<SupportCaps, Vec<CapIssue>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(SHIPPED_CSV.as_bytes());
    let mut rows = Vec::new();
    for (i, r) in reader.deserialize::<CapText>().enumerate() {
        match r {
            Ok(t) => rows.push((i + 2, t)),
            Err(_) => {
                return Err(vec![CapIssue {
                    line: i + 2,
                    problem: CapProblem::Required { column: "source" },
                }])
            }
        }
    }
    check_rows(&rows, Owner::National).map(SupportCaps::new)
}

/// The shipped national caps, parsed on first use.
pub fn shipped_caps() -> &'static SupportCaps {
    static CAPS: OnceLock<SupportCaps> = OnceLock::new();
    // The shipped file is checked by the tests (`load_shipped`); a broken build gets no caps
    // rather than a panic, and every proposal then says that no cap is known.
    CAPS.get_or_init(|| load_shipped().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(p: &str, cat: &str, f: &str, from: &str, to: &str) -> CapText {
        CapText {
            province_code: p.into(),
            category: cat.into(),
            funding: f.into(),
            effective_from: from.into(),
            effective_to: to.into(),
            percent: "30".into(),
            max_vnd: "800tr".into(),
            source: "NQ 1/2025/NQ-HĐND, Điều 3".into(),
        }
    }

    #[test]
    fn percents_are_whole_or_an_excel_fraction() {
        assert_eq!(percent_value("30"), Some(30));
        assert_eq!(percent_value("0.3"), Some(30));
        assert_eq!(percent_value("0,35"), Some(35));
        assert_eq!(percent_value("150"), None);
        assert_eq!(percent_value("30.5"), None);
        assert_eq!(percent_value("0.305"), None);
    }

    #[test]
    fn the_shipped_table_checks() {
        assert!(load_shipped().is_ok());
    }

    #[test]
    fn periods_touching_are_not_an_overlap_but_sharing_a_day_is() {
        let own = Owner::Province("01");
        let ok = [
            (2, text("01", "KC03", "KCQG", "01/01/2025", "31/12/2025")),
            (3, text("1", "KC03", "KCQG", "01/01/2026", "")),
            (4, text("01", "KC03", "KCĐP", "01/01/2025", "")),
        ];
        let caps = check_rows(&ok, own).unwrap();
        assert_eq!(caps[1].province_code.as_deref(), Some("01"));
        assert_eq!(caps[1].max_vnd, Some(800_000_000));
        assert_eq!(caps[2].funding, "KCDP");
        let bad = [
            (2, text("01", "KC03", "KCQG", "01/01/2025", "31/12/2025")),
            (3, text("01", "KC03", "KCQG", "31/12/2025", "")),
        ];
        let e = check_rows(&bad, own).unwrap_err();
        assert_eq!(
            e,
            vec![CapIssue {
                line: 3,
                problem: CapProblem::Overlap { other_line: 2 }
            }]
        );
    }

    #[test]
    fn the_cap_in_force_prefers_own_province_and_exact_funding() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        let row = |p: Option<&str>, f: &str, from, to, max| SupportCap {
            province_code: p.map(String::from),
            category: "KC03".into(),
            funding: f.into(),
            effective_from: from,
            effective_to: to,
            percent: None,
            max_vnd: Some(max),
            source: "x".into(),
        };
        let caps = SupportCaps::new(vec![
            row(None, "*", d(2020, 1, 1), None, 1),
            row(Some("01"), "*", d(2025, 1, 1), Some(d(2025, 12, 31)), 2),
            row(Some("01"), "KCDP", d(2025, 1, 1), None, 3),
        ]);
        let max = |p, f, on| caps.cap_for(p, "KC03", f, on).and_then(|c| c.max_vnd);
        assert_eq!(max("01", "KCQG", d(2025, 6, 1)), Some(2));
        assert_eq!(max("01", "KCDP", d(2025, 6, 1)), Some(3));
        assert_eq!(max("01", "KCQG", d(2026, 1, 1)), Some(1));
        assert_eq!(max("02", "KCQG", d(2025, 6, 1)), Some(1));
        assert_eq!(max("02", "KCQG", d(2019, 6, 1)), None);
    }
}
