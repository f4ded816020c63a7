//! Money: whole VND in an `i64`, shown Vietnamese style (`1.250.000.000 đ`), read from what
//! people type.
//!
//! Accepted: `1250000000`, `1.250.000.000` (dots grouping thousands), `1 250 000 000`, and a
//! unit word with an optional decimal comma: `1,25 tỷ`, `800 triệu`, `500 nghìn`, short
//! `300tr`, `500k`, or several going down (`1 tỷ 250 triệu`); an optional trailing `đ`,
//! `đồng`, `VND`. Refused as ambiguous: a lone comma or a dot that is not a
//! thousands grouping (`1,250` is 1250 to an English Excel but 1,25 to a Vietnamese one;
//! `1.5 tỷ` reads two ways), and an amount that is not a whole number of đồng.

use crate::text::fold;

/// Why a typed amount is not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoneyError {
    /// Not an amount at all.
    Format,
    /// Could be read two ways: give it without separators or with dots (1.250.000).
    Ambiguous,
    Negative,
    /// More than an `i64` holds.
    TooLarge,
    /// Not a whole number of đồng (`1,0000000001 tỷ`).
    Fraction,
}

/// "1.250.000.000" — Vietnamese thousands separators.
pub fn group_thousands(n: i64) -> String {
    let s = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// "1.250.000.000 đ".
pub fn format_vnd(n: i64) -> String {
    format!("{} đ", group_thousands(n))
}

/// `1.250.000.000` or `1 250 000 000`: groups of three after a first group of one to three.
fn grouped(s: &str, sep: char) -> Option<String> {
    let parts: Vec<&str> = s.split(sep).collect();
    let (first, rest) = parts.split_first()?;
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if !digits(first) || first.len() > 3 || rest.is_empty() {
        return None;
    }
    if rest.iter().all(|p| p.len() == 3 && digits(p)) {
        Some(parts.concat())
    } else {
        None
    }
}

/// Reads a typed amount of VND. An empty text is `Ok(None)`.
pub fn parse_vnd(raw: &str) -> Result<Option<i64>, MoneyError> {
    // NBSP and narrow NBSP come from copied spreadsheet cells.
    let t: String = raw
        .trim()
        .chars()
        .map(|c| {
            if c == '\u{a0}' || c == '\u{202f}' {
                ' '
            } else {
                c
            }
        })
        .collect();
    if t.is_empty() {
        return Ok(None);
    }
    let folded = fold(&t);
    let (negative, body) = match folded.strip_prefix('-') {
        Some(b) => (true, b.trim_start().to_string()),
        None => (false, folded.clone()),
    };
    // Strip a currency word at the end, then a unit word.
    let mut body = body.trim().to_string();
    for cur in ["dong", "vnd", "d"] {
        if let Some(b) = body.strip_suffix(cur) {
            if b.is_empty() || b.ends_with(|c: char| c.is_ascii_digit() || c == ' ') {
                body = b.trim_end().to_string();
                break;
            }
        }
    }
    let terms = split_terms(&body).ok_or(MoneyError::Format)?;
    let value = match terms.as_slice() {
        [(number, None)] => plain_amount(number)?,
        _ => {
            // `1 tỷ 250 triệu`: each unit smaller than the one before, nothing unitless after.
            let mut total: i64 = 0;
            let mut last = i64::MAX;
            for (number, unit) in &terms {
                let Some(mult) = *unit else {
                    return Err(MoneyError::Format);
                };
                if mult >= last {
                    return Err(MoneyError::Format);
                }
                last = mult;
                total = total
                    .checked_add(scaled_amount(number, mult)?)
                    .ok_or(MoneyError::TooLarge)?;
            }
            total
        }
    };
    if negative && value != 0 {
        return Err(MoneyError::Negative);
    }
    Ok(Some(value))
}

/// Unit words (folded), longest first where one starts another (`trieu` before `tr`).
const UNITS: [(&str, i64); 6] = [
    ("trieu", 1_000_000),
    ("tr", 1_000_000),
    ("ty", 1_000_000_000),
    ("nghin", 1_000),
    ("ngan", 1_000),
    ("k", 1_000),
];

/// `1 ty 250 trieu` → [("1", tỷ), ("250", triệu)]; `1250000` → [("1250000", None)].
/// None when a word is not a unit.
fn split_terms(body: &str) -> Option<Vec<(String, Option<i64>)>> {
    let mut terms = Vec::new();
    let mut rest = body.trim();
    while !rest.is_empty() {
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || matches!(c, ',' | '.' | ' ')))
            .unwrap_or(rest.len());
        let number = rest[..end].trim().to_string();
        rest = &rest[end..];
        if rest.is_empty() {
            terms.push((number, None));
            break;
        }
        let (word, mult) = UNITS.iter().find(|(w, _)| {
            rest.strip_prefix(w)
                .is_some_and(|after| !after.starts_with(|c: char| c.is_alphabetic()))
        })?;
        terms.push((number, Some(*mult)));
        rest = rest[word.len()..].trim_start();
    }
    Some(terms)
}

/// `1,25` of a unit worth `mult` đồng.
fn scaled_amount(body: &str, mult: i64) -> Result<i64, MoneyError> {
    if body.is_empty() {
        return Err(MoneyError::Format);
    }
    if body.contains('.') {
        return Err(MoneyError::Ambiguous);
    }
    let (int, frac) = match body.split_once(',') {
        Some((i, f)) => (i, f),
        None => (body, ""),
    };
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || !digits(int) || !digits(frac) || frac.contains(',') {
        return Err(MoneyError::Format);
    }
    let int: i64 = int.parse().map_err(|_| MoneyError::TooLarge)?;
    let mut v = int.checked_mul(mult).ok_or(MoneyError::TooLarge)?;
    if !frac.is_empty() {
        // The fraction must come to whole đồng: 1,25 tỷ yes, 1,0000000001 tỷ no.
        let f: i128 = frac.parse().map_err(|_| MoneyError::TooLarge)?;
        let denom = 10i128
            .checked_pow(frac.len() as u32)
            .ok_or(MoneyError::TooLarge)?;
        let num = f * i128::from(mult);
        if num % denom != 0 {
            return Err(MoneyError::Fraction);
        }
        v = v
            .checked_add(i64::try_from(num / denom).map_err(|_| MoneyError::TooLarge)?)
            .ok_or(MoneyError::TooLarge)?;
    }
    Ok(v)
}

/// An amount without a unit: plain digits or thousands grouped with dots or spaces.
fn plain_amount(body: &str) -> Result<i64, MoneyError> {
    let digits = if !body.is_empty() && body.bytes().all(|b| b.is_ascii_digit()) {
        body.to_string()
    } else if let Some(d) = grouped(body, '.').or_else(|| grouped(body, ' ')) {
        d
    } else if body.contains(',') || body.contains('.') {
        // A comma (decimal or English grouping) or a stray dot: two readings.
        let plain = body
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b',' || b == b'.');
        return Err(if plain {
            MoneyError::Ambiguous
        } else {
            MoneyError::Format
        });
    } else {
        return Err(MoneyError::Format);
    };
    digits.parse::<i64>().map_err(|_| MoneyError::TooLarge)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_the_vietnamese_way() {
        assert_eq!(format_vnd(1_250_000_000), "1.250.000.000 đ");
        assert_eq!(format_vnd(0), "0 đ");
        assert_eq!(format_vnd(-50_000), "-50.000 đ");
        assert_eq!(group_thousands(999), "999");
    }

    #[test]
    fn short_units_and_compound_amounts_as_people_type_them() {
        assert_eq!(parse_vnd("300tr"), Ok(Some(300_000_000)));
        assert_eq!(parse_vnd("300 tr"), Ok(Some(300_000_000)));
        assert_eq!(parse_vnd("1 tỷ 250 triệu"), Ok(Some(1_250_000_000)));
        assert_eq!(parse_vnd("1tỷ250tr"), Ok(Some(1_250_000_000)));
        assert_eq!(parse_vnd("2 tỷ 5 trăm"), Err(MoneyError::Format));
        assert_eq!(
            parse_vnd("1 tỷ 250 triệu 500 nghìn đ"),
            Ok(Some(1_250_500_000))
        );
        assert_eq!(parse_vnd("500k"), Ok(Some(500_000)));
        assert_eq!(parse_vnd("1,5tr"), Ok(Some(1_500_000)));
        // The old forms still read the same.
        assert_eq!(parse_vnd("1,25 tỷ"), Ok(Some(1_250_000_000)));
        assert_eq!(parse_vnd("1.250.000.000"), Ok(Some(1_250_000_000)));
        assert_eq!(parse_vnd("800 triệu"), Ok(Some(800_000_000)));
    }

    #[test]
    fn wrong_compound_amounts_are_refused_with_a_reason() {
        // Units must go down, and nothing may follow the last unit without one.
        assert_eq!(parse_vnd("250 triệu 1 tỷ"), Err(MoneyError::Format));
        assert_eq!(parse_vnd("1 tỷ 1 tỷ"), Err(MoneyError::Format));
        assert_eq!(parse_vnd("1 tỷ 250"), Err(MoneyError::Format));
        assert_eq!(parse_vnd("tr"), Err(MoneyError::Format));
        assert_eq!(parse_vnd("3 kg"), Err(MoneyError::Format));
        assert_eq!(parse_vnd("1.5 tr"), Err(MoneyError::Ambiguous));
        assert_eq!(parse_vnd("99999999999 tỷ"), Err(MoneyError::TooLarge));
        assert_eq!(parse_vnd("-300tr"), Err(MoneyError::Negative));
    }
}
