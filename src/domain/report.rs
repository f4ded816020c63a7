//! Reports and targets: the period a report covers (as people type it) and the province's
//! yearly targets. Plain values; the counting is in `store::report`.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::consultation::parse_date;

/// Years a period or a target may name: wider is a typo.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// The days a report covers, both ends included, with the text it was typed as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Period {
    #[serde(serialize_with = "iso_date")]
    pub from: NaiveDate,
    #[serde(serialize_with = "iso_date")]
    pub to: NaiveDate,
    /// The canonical text: `2026-Q4`, `2026-H1`, `2026` or `01/07/2026-31/12/2026`.
    pub text: String,
}

fn iso_date<S: serde::Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&super::consultation::iso(*d))
}

/// Why a period was refused (worded by `words::report::period_error_text`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeriodError {
    Empty,
    /// Not one of the accepted shapes.
    Unknown(String),
    /// A year outside [`YEARS`].
    Year(String),
    /// `Q` followed by something other than 1–4.
    Quarter(String),
    /// `H` followed by something other than 1–2.
    Half(String),
    /// One end of a range is not a date.
    Date(String),
    /// The range ends before it starts.
    Reversed {
        from: NaiveDate,
        to: NaiveDate,
    },
}

fn year(s: &str) -> Result<i32, PeriodError> {
    let y: i32 = s
        .parse()
        .ok()
        .filter(|_| s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| PeriodError::Unknown(s.to_string()))?;
    if !YEARS.contains(&y) {
        return Err(PeriodError::Year(s.to_string()));
    }
    Ok(y)
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    // Only called with valid month ends and starts.
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// The last day of month `m` of year `y`.
fn month_end(y: i32, m: u32) -> NaiveDate {
    let next = if m == 12 {
        ymd(y + 1, 1, 1)
    } else {
        ymd(y, m + 1, 1)
    };
    next.pred_opt().unwrap_or(next)
}

impl Period {
    /// A whole year.
    pub fn year(y: i32) -> Period {
        Period {
            from: ymd(y, 1, 1),
            to: ymd(y, 12, 31),
            text: y.to_string(),
        }
    }

    /// Reads `2026-Q4`, `2026-H1`, `2026` or `01/07/2026-31/12/2026` (also with spaces or an
    /// en dash around the range's dash, and lower-case `q`/`h`).
    pub fn parse(raw: &str) -> Result<Period, PeriodError> {
        let t: String = raw.trim().replace('–', "-");
        if t.is_empty() {
            return Err(PeriodError::Empty);
        }
        if t.contains('/') {
            return Self::range(&t);
        }
        let (y, part) = match t.split_once('-') {
            Some((y, p)) => (y.trim(), Some(p.trim().to_ascii_uppercase())),
            None => (t.as_str(), None),
        };
        let y = year(y)?;
        let Some(part) = part else {
            return Ok(Period::year(y));
        };
        let (first, last) = if let Some(q) = part.strip_prefix('Q') {
            let q: u32 = match q.parse() {
                Ok(q @ 1..=4) => q,
                _ => return Err(PeriodError::Quarter(part.clone())),
            };
            (3 * q - 2, 3 * q)
        } else if let Some(h) = part.strip_prefix('H') {
            let h: u32 = match h.parse() {
                Ok(h @ 1..=2) => h,
                _ => return Err(PeriodError::Half(part.clone())),
            };
            (6 * h - 5, 6 * h)
        } else {
            return Err(PeriodError::Unknown(t.clone()));
        };
        Ok(Period {
            from: ymd(y, first, 1),
            to: month_end(y, last),
            text: format!("{y}-{part}"),
        })
    }

    fn range(t: &str) -> Result<Period, PeriodError> {
        // The dash between two dd/mm/yyyy dates: the one after the first date's year.
        let parts: Vec<&str> = t.splitn(2, '-').collect();
        let [a, b] = parts.as_slice() else {
            return Err(PeriodError::Unknown(t.to_string()));
        };
        let date = |s: &str| {
            let s = s.trim();
            match parse_date(s) {
                Some(d) if YEARS.contains(&d.year()) => Ok(d),
                Some(_) => Err(PeriodError::Year(s.to_string())),
                None => Err(PeriodError::Date(s.to_string())),
            }
        };
        let (from, to) = (date(a)?, date(b)?);
        if to < from {
            return Err(PeriodError::Reversed { from, to });
        }
        Ok(Period {
            from,
            to,
            text: format!(
                "{}-{}",
                super::consultation::dmy(from),
                super::consultation::dmy(to)
            ),
        })
    }

    /// The plan years the period touches (first, last).
    pub fn years(&self) -> (i32, i32) {
        (self.from.year(), self.to.year())
    }
}

/// What the province sets a yearly target for (dashboard).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetKey {
    /// Facilities that benefit from a đề án approved in the year.
    FacilitiesSupported,
    /// Support approved in the year (VND).
    Money,
    /// Training courses held in the year.
    TrainingClasses,
    /// Typical-product titles of the year.
    TypicalProducts,
}

impl TargetKey {
    pub const ALL: [TargetKey; 4] = [
        TargetKey::FacilitiesSupported,
        TargetKey::Money,
        TargetKey::TrainingClasses,
        TargetKey::TypicalProducts,
    ];

    pub fn code(self) -> &'static str {
        match self {
            TargetKey::FacilitiesSupported => "facilities_supported",
            TargetKey::Money => "money",
            TargetKey::TrainingClasses => "training_classes",
            TargetKey::TypicalProducts => "typical_products",
        }
    }

    /// The key as typed: its code, with `-` for `_` and any case.
    pub fn parse(s: &str) -> Option<TargetKey> {
        let s = s.trim().to_ascii_lowercase().replace('-', "_");
        Self::ALL.into_iter().find(|k| k.code() == s)
    }
}

/// One target of the province: a year, what, how much.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub year: i32,
    pub key: TargetKey,
    pub value: i64,
}

/// Why a target was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetError {
    Year(String),
    Key(String),
    Value(String),
}

impl Target {
    /// A target as typed: a year, a key and a value (money is read like every money field:
    /// `1,2 tỷ`, `300tr`; the others are whole numbers).
    pub fn parse(year_text: &str, key: &str, value: &str) -> Result<Target, TargetError> {
        let year = year_text
            .trim()
            .parse::<i32>()
            .ok()
            .filter(|y| YEARS.contains(y))
            .ok_or_else(|| TargetError::Year(year_text.trim().to_string()))?;
        let key = TargetKey::parse(key).ok_or_else(|| TargetError::Key(key.trim().to_string()))?;
        let bad = || TargetError::Value(value.trim().to_string());
        let value = match key {
            TargetKey::Money => super::money::parse_vnd(value)
                .ok()
                .flatten()
                .ok_or_else(bad)?,
            _ => value.trim().parse::<i64>().map_err(|_| bad())?,
        };
        if value < 0 {
            return Err(bad());
        }
        Ok(Target { year, key, value })
    }

    /// A target received (a receipt): the same checks as typed ones.
    pub fn check(&self) -> Result<(), TargetError> {
        if !YEARS.contains(&self.year) {
            return Err(TargetError::Year(self.year.to_string()));
        }
        if self.value < 0 {
            return Err(TargetError::Value(self.value.to_string()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> (String, String) {
        let p = Period::parse(s).unwrap();
        (p.from.to_string(), p.to.to_string())
    }

    #[test]
    fn every_shape_is_read() {
        assert_eq!(p("2026-Q4"), ("2026-10-01".into(), "2026-12-31".into()));
        assert_eq!(p("2026-q1"), ("2026-01-01".into(), "2026-03-31".into()));
        assert_eq!(p("2024-Q1"), ("2024-01-01".into(), "2024-03-31".into()));
        assert_eq!(p("2026-H1"), ("2026-01-01".into(), "2026-06-30".into()));
        assert_eq!(p("2026-H2"), ("2026-07-01".into(), "2026-12-31".into()));
        assert_eq!(p(" 2026 "), ("2026-01-01".into(), "2026-12-31".into()));
        assert_eq!(
            p("01/07/2026-31/12/2026"),
            ("2026-07-01".into(), "2026-12-31".into())
        );
        assert_eq!(
            p("1/7/2026 – 15/8/2026"),
            ("2026-07-01".into(), "2026-08-15".into())
        );
        assert_eq!(Period::parse("2026-q4").unwrap().text, "2026-Q4");
    }

    #[test]
    fn bad_periods_say_why() {
        use PeriodError as E;
        assert_eq!(Period::parse(""), Err(E::Empty));
        assert_eq!(Period::parse("2026-Q5"), Err(E::Quarter("Q5".into())));
        assert_eq!(Period::parse("2026-H3"), Err(E::Half("H3".into())));
        assert_eq!(Period::parse("1990"), Err(E::Year("1990".into())));
        assert_eq!(Period::parse("26"), Err(E::Unknown("26".into())));
        assert_eq!(Period::parse("2026-M3"), Err(E::Unknown("2026-M3".into())));
        assert_eq!(
            Period::parse("31/02/2026-31/12/2026"),
            Err(E::Date("31/02/2026".into()))
        );
        assert!(matches!(
            Period::parse("31/12/2026-01/07/2026"),
            Err(E::Reversed { .. })
        ));
    }

    #[test]
    fn targets_are_read_as_typed() {
        let t = Target::parse("2027", "money", "1,5 tỷ").unwrap();
        assert_eq!((t.key, t.value), (TargetKey::Money, 1_500_000_000));
        let t = Target::parse("2027", "Training-Classes", "12").unwrap();
        assert_eq!((t.key, t.value), (TargetKey::TrainingClasses, 12));
        assert_eq!(
            Target::parse("27", "money", "1"),
            Err(TargetError::Year("27".into()))
        );
        assert_eq!(
            Target::parse("2027", "stars", "1"),
            Err(TargetError::Key("stars".into()))
        );
        assert_eq!(
            Target::parse("2027", "training_classes", "-3"),
            Err(TargetError::Value("-3".into()))
        );
    }
}
