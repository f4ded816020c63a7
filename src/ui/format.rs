//! How the terminal app words and shapes stored values: code labels, statuses, typical-product
//! levels, who is working, numbers and times. Plain functions over core types (no drawing).
//!
//! The command line words values through the same functions, so both front ends say the same.

pub use crate::ui::screens::form::suspect_text;

use crate::domain::facility::FacilityStatus;
use crate::domain::Profile;
use crate::refdata::{units, CodeList};
use crate::text::sanitize;
use crate::words::{tr, trf, Lang};

/// The label of `code` in a code list, in `lang`; the code itself when it is not in the list.
pub fn code_label(lang: Lang, list: &CodeList, code: Option<&str>) -> String {
    match code.and_then(|c| list.get(c)) {
        Some(i) => match lang {
            Lang::Vi => i.label_vi.clone(),
            Lang::En => i.label_en.clone(),
        },
        None => code.unwrap_or("").to_string(),
    }
}

/// "NN1 — Chế biến, bảo quản nông, lâm, thủy sản".
pub fn code_with_label(lang: Lang, list: &CodeList, code: Option<&str>) -> String {
    match code {
        Some(c) if list.get(c).is_some() => format!("{c} — {}", code_label(lang, list, Some(c))),
        Some(c) => c.to_string(),
        None => String::new(),
    }
}

pub fn status_key(s: FacilityStatus) -> &'static str {
    match s {
        FacilityStatus::Active => "status.active",
        FacilityStatus::Paused => "status.paused",
        FacilityStatus::Closed => "status.closed",
    }
}

/// Short status for a list column: empty when active (the usual case says nothing).
pub fn status_short(lang: Lang, s: FacilityStatus) -> &'static str {
    match s {
        FacilityStatus::Active => "",
        FacilityStatus::Paused => tr(lang, "ui.list.status.paused"),
        FacilityStatus::Closed => tr(lang, "ui.list.status.closed"),
    }
}

/// i18n key of a typical-product level (`crate::domain::facility::TYPICAL_LEVELS`).
pub fn typical_level_key(level: &str) -> Option<&'static str> {
    Some(match level {
        "xa" => "ui.typical.xa",
        "huyen" => "ui.typical.huyen",
        "tinh" => "ui.typical.tinh",
        "khu_vuc" => "ui.typical.khu_vuc",
        "quoc_gia" => "ui.typical.quoc_gia",
        _ => return None,
    })
}

/// The level's full label, or the raw value if unknown.
pub fn typical_level_label(lang: Lang, level: &str) -> String {
    match typical_level_key(level) {
        Some(k) => tr(lang, k).to_string(),
        None => level.to_string(),
    }
}

/// Markers for a list row: "★4 TB tỉnh".
pub fn markers(lang: Lang, ocop_stars: Option<u8>, typical_level: Option<&str>) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(n) = ocop_stars {
        parts.push(format!("★{n}"));
    }
    if let Some(level) = typical_level {
        let short = match level {
            "xa" => "ui.typical.short.xa",
            "huyen" => "ui.typical.short.huyen",
            "tinh" => "ui.typical.short.tinh",
            "khu_vuc" => "ui.typical.short.khu_vuc",
            "quoc_gia" => "ui.typical.short.quoc_gia",
            _ => "",
        };
        if short.is_empty() {
            parts.push(sanitize(level));
        } else {
            parts.push(tr(lang, short).to_string());
        }
    }
    parts.join(" ")
}

/// A commune's short name ("Tân Phú"), or its code when unknown.
pub fn commune_short(code: &str) -> String {
    units()
        .commune(code)
        .map(|c| c.name.clone())
        .unwrap_or_else(|| code.to_string())
}

/// "Xã Tân Phú (25117)".
pub fn commune_full(code: &str) -> String {
    crate::cli::commune_label(code)
}

pub fn role_label(lang: Lang, profile: &Profile) -> &'static str {
    tr(lang, crate::cli::role_key(profile.role))
}

/// The header's "who is working": "Nguyễn Thị Hoa · cộng tác viên cấp xã · Xã Tân Phú".
pub fn who_label(lang: Lang, profile: Option<&Profile>) -> String {
    match profile {
        Some(p) => format!(
            "{} · {} · {}",
            sanitize(&p.name),
            role_label(lang, p),
            p.scope_label()
        ),
        None => tr(lang, "ui.header.no_profile").to_string(),
    }
}

/// "1.234": Vietnamese thousands separators (English too: the app speaks to Vietnamese data).
pub fn count(n: usize) -> String {
    crate::cli::output::group_thousands(i64::try_from(n).unwrap_or(i64::MAX))
}

/// An RFC 3339 UTC time as "25/11/2026 14:03" (UTC+7).
pub fn local_time(rfc3339: &str) -> String {
    crate::cli::output::local_time(rfc3339)
}

/// "Có"/"Không".
pub fn yes_no(lang: Lang, b: bool) -> &'static str {
    tr(lang, if b { "ui.yes" } else { "ui.no" })
}

/// "1.234 / 100.000 cơ sở".
pub fn position_of(lang: Lang, pos: usize, total: usize) -> String {
    trf(lang, "ui.list.position", &[&count(pos), &count(total)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_and_counts() {
        assert_eq!(markers(Lang::Vi, Some(4), Some("tinh")), "★4 TB tỉnh");
        assert_eq!(markers(Lang::Vi, None, None), "");
        assert_eq!(count(100_000), "100.000");
        assert_eq!(
            position_of(Lang::Vi, 1234, 100_000),
            "1.234 / 100.000 cơ sở"
        );
    }
}
