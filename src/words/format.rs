//! How stored values are worded and shaped: code-list entries, communes, statuses,
//! typical-product levels, who is working, numbers and times. Plain functions over core types
//! (no drawing), used by the command line and the terminal app alike.

use crate::domain::facility::FacilityStatus;
use crate::domain::proposal::{Priorities, ProposalStatus};
use crate::domain::{Profile, Role};
use crate::refdata::{units, CodeItem, CodeList, ProvinceKind};
use crate::text::sanitize;
use crate::words::{tr, trf, Lang};

/// How a code-list entry is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeForm {
    /// "Chế biến, bảo quản nông, lâm, thủy sản"
    Label,
    /// "Chế biến, bảo quản nông, lâm, thủy sản (NN1)"
    LabelCode,
    /// "NN1 — Chế biến, bảo quản nông, lâm, thủy sản"
    CodeLabel,
}

/// The one labeller of a code-list entry: `code` in `list`, in `lang` and `form`. An unknown
/// code is shown as itself (made safe to print); no code gives "".
pub fn code_label_as(lang: Lang, list: &CodeList, code: Option<&str>, form: CodeForm) -> String {
    let Some(code) = code else {
        return String::new();
    };
    match list.get(code) {
        Some(i) => {
            let (label, _) = code_labels(lang, i);
            match form {
                CodeForm::Label => label.to_string(),
                CodeForm::LabelCode => format!("{label} ({})", i.code),
                CodeForm::CodeLabel => format!("{} — {label}", i.code),
            }
        }
        None => sanitize(code),
    }
}

/// An entry's label in `lang`, and in the other language (pickers match both).
pub fn code_labels(lang: Lang, item: &CodeItem) -> (&str, &str) {
    match lang {
        Lang::Vi => (&item.label_vi, &item.label_en),
        Lang::En => (&item.label_en, &item.label_vi),
    }
}

/// The label of `code` in a code list, in `lang`; the code itself when it is not in the list.
pub fn code_label(lang: Lang, list: &CodeList, code: Option<&str>) -> String {
    code_label_as(lang, list, code, CodeForm::Label)
}

/// How a commune is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommuneForm {
    /// "Tân Phú"
    Name,
    /// "Xã Tân Phú"
    FullName,
    /// "Xã Tân Phú (25117)"
    FullNameCode,
    /// "Phường Tân Bình (27004) — TP Hồ Chí Minh" (the province's short name is worded)
    WithProvince(Lang),
    /// "Xã Tân Phú, Tỉnh Đồng Tháp (25117)"
    WithProvinceFull,
}

/// The one labeller of a commune: `None` when the code is not a commune.
pub fn known_commune_label(code: &str, form: CommuneForm) -> Option<String> {
    let u = units();
    let c = u.commune(code)?;
    Some(match form {
        CommuneForm::Name => c.name.clone(),
        CommuneForm::FullName => c.full_name.clone(),
        CommuneForm::FullNameCode => format!("{} ({})", c.full_name, c.code),
        CommuneForm::WithProvince(lang) => format!(
            "{} ({}) — {}",
            c.full_name,
            c.code,
            province_short(lang, &c.province_code)
        ),
        CommuneForm::WithProvinceFull => match u.province(&c.province_code) {
            Some(p) => format!("{}, {} ({})", c.full_name, p.full_name, c.code),
            None => format!("{} ({})", c.full_name, c.code),
        },
    })
}

/// [`known_commune_label`], or the code itself (made safe to print) when it is unknown.
pub fn commune_label(code: &str, form: CommuneForm) -> String {
    known_commune_label(code, form).unwrap_or_else(|| sanitize(code))
}

/// "TP Hồ Chí Minh", "Đồng Tháp"; the code itself when it is unknown.
pub fn province_short(lang: Lang, code: &str) -> String {
    match units().province(code) {
        Some(p) if p.kind == ProvinceKind::ThanhPho => trf(lang, "ui.unit.city", &[&p.name]),
        Some(p) => p.name.clone(),
        None => sanitize(code),
    }
}

/// "NN1 — Chế biến, bảo quản nông, lâm, thủy sản".
pub fn code_with_label(lang: Lang, list: &CodeList, code: Option<&str>) -> String {
    match code {
        Some(c) if list.get(c).is_some() => code_label_as(lang, list, code, CodeForm::CodeLabel),
        Some(c) => c.to_string(),
        None => String::new(),
    }
}

/// A proposal status's label from the code list (data a province may edit).
pub fn proposal_status_label(lang: Lang, s: ProposalStatus) -> String {
    code_label(
        lang,
        &crate::refdata::codes().proposal_statuses,
        Some(s.code()),
    )
}

/// The set markers' short labels, joined: "XK, NL>50%".
pub fn priorities_text(l: Lang, m: &Priorities) -> String {
    m.flags()
        .iter()
        .filter(|(_, on)| *on)
        .map(|(k, _)| tr(l, Priorities::label_key(k)))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn status_key(s: FacilityStatus) -> &'static str {
    s.label_key()
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

pub fn role_key(r: Role) -> &'static str {
    r.label_key()
}

pub fn role_label(lang: Lang, profile: &Profile) -> &'static str {
    tr(lang, role_key(profile.role))
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

/// "12.3 MB": a size on disk, in millions of bytes ("25 KB" below one: a compressed
/// snapshot of a small database would read "0.0 MB").
pub fn megabytes(bytes: u64) -> String {
    if bytes < 1_000_000 {
        return format!("{} KB", bytes.div_ceil(1000));
    }
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}

/// "On disk: 12.3 MB / cap 60.0 MB": the snapshots' total against their cap.
pub fn snapshot_usage(lang: Lang, snaps: &[crate::store::Snapshot], cap: u64) -> String {
    let total: u64 = snaps.iter().map(|s| s.bytes).sum();
    crate::words::trf(
        lang,
        "cli.snapshots.usage",
        &[&megabytes(total), &megabytes(cap)],
    )
}

/// "1.234": Vietnamese thousands separators (English too: the app speaks to Vietnamese data).
pub fn count(n: usize) -> String {
    group_thousands(i64::try_from(n).unwrap_or(i64::MAX))
}

/// "1.250.000" — Vietnamese thousands separators.
pub fn group_thousands(n: i64) -> String {
    let s = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push('.');
        }
        out.push(c);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    out
}

/// An RFC 3339 UTC time as Vietnamese people read it: "25/11/2026 14:03" (UTC+7).
pub fn local_time(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| {
            t.with_timezone(&crate::clock::vn_offset())
                .format("%d/%m/%Y %H:%M")
                .to_string()
        })
        .unwrap_or_else(|_| rfc3339.to_string())
}

/// "hằng ngày", "trước khi nhập"…
pub fn reason_label(l: Lang, r: crate::store::SnapshotReason) -> &'static str {
    use crate::store::SnapshotReason as R;
    match r {
        R::Daily => tr(l, "snapshot.reason.daily"),
        R::BeforeMigration => tr(l, "snapshot.reason.before-migration"),
        R::BeforeImport => tr(l, "snapshot.reason.before-import"),
        R::BeforeRestore => tr(l, "snapshot.reason.before-restore"),
        R::Manual => tr(l, "snapshot.reason.manual"),
    }
}

/// The name of a bundle entity ("cơ sở", "đề xuất" …).
pub fn entity_label(l: Lang, entity: &str) -> &'static str {
    match entity {
        "collaborator" => tr(l, "merge.entity.collaborator"),
        "facility" => tr(l, "merge.entity.facility"),
        "consultation" => tr(l, "merge.entity.consultation"),
        "proposal" => tr(l, "merge.entity.proposal"),
        "project_adjustment" => tr(l, "project.kind.adjustment"),
        "project_visit" => tr(l, "project.kind.visit"),
        "project_acceptance" => tr(l, "project.kind.acceptance"),
        "project_payment" => tr(l, "project.kind.payment"),
        "project_result" => tr(l, "project.entity.result"),
        "activity" => tr(l, "activity.entity"),
        "craft_village" => tr(l, "merge.entity.craft_village"),
        "product" => tr(l, "merge.entity.product"),
        _ => tr(l, "merge.entity.manifest"),
    }
}

/// The last 8 hex digits of an id (the random part of a UUIDv7), as lists show it.
pub fn short_id(id: &str) -> &str {
    &id[id.len().saturating_sub(8)..]
}

/// Facilities as a sheet for Excel that `facilities import` reads back unchanged: the id, every
/// field under its form label (codes as the code lists write them, flags "Có", the status in
/// words), the commune's name and the pre-2025 commune code beside its code, and when it was
/// last changed. The id, name and date columns are not imported.
pub fn facility_sheet(
    lang: Lang,
    facilities: &[crate::domain::Facility],
) -> (Vec<&'static str>, Vec<Vec<String>>) {
    use crate::domain::facility::{FacilityField, FacilityInput};
    let mut header = vec![tr(lang, "col.facility_id")];
    header.extend(FacilityField::ALL.iter().map(|f| tr(lang, f.label_key())));
    header.extend(
        ["col.commune_name", "col.old_commune_code", "col.updated_at"].map(|k| tr(lang, k)),
    );
    let rows = facilities
        .iter()
        .map(|f| {
            let input = FacilityInput::from_data(&f.data);
            let mut row = vec![f.id.clone()];
            row.extend(FacilityField::ALL.iter().map(|&field| match field {
                FacilityField::Status => tr(lang, status_key(f.data.status)).to_string(),
                _ if field.is_flag() => {
                    let set = !input.get(field).is_empty();
                    if set { tr(lang, "cli.yes") } else { "" }.to_string()
                }
                _ => input.get(field).to_string(),
            }));
            row.push(
                units()
                    .commune(&f.data.commune_code)
                    .map(|c| c.full_name.clone())
                    .unwrap_or_default(),
            );
            row.push(f.old_commune_code.clone().unwrap_or_default());
            row.push(local_time(&f.meta.updated_at));
            row
        })
        .collect();
    (header, rows)
}

/// "Có"/"Không".
pub fn yes_no(lang: Lang, b: bool) -> &'static str {
    tr(lang, if b { "ui.yes" } else { "ui.no" })
}

/// "1.234 / 100.000 cơ sở".
pub fn position_of(lang: Lang, pos: usize, total: usize) -> String {
    trf(lang, "ui.list.position", &[&count(pos), &count(total)])
}

/// The string-table key that words a change-log action (create, update, archive, restore).
pub fn history_action_key(action: &str) -> Option<&'static str> {
    Some(match action {
        "create" => "ui.history.create",
        "update" => "ui.history.update",
        "archive" => "ui.history.archive",
        "restore" => "ui.history.restore",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_commune_labeller_in_every_form() {
        let f = |form| commune_label("00004", form);
        assert_eq!(f(CommuneForm::Name), "Ba Đình");
        assert_eq!(f(CommuneForm::FullName), "Phường Ba Đình");
        assert_eq!(f(CommuneForm::FullNameCode), "Phường Ba Đình (00004)");
        assert_eq!(
            f(CommuneForm::WithProvince(Lang::Vi)),
            "Phường Ba Đình (00004) — TP Hà Nội"
        );
        assert_eq!(
            f(CommuneForm::WithProvince(Lang::En)),
            "Phường Ba Đình (00004) — Hà Nội City"
        );
        assert_eq!(
            f(CommuneForm::WithProvinceFull),
            "Phường Ba Đình, Thành phố Hà Nội (00004)"
        );
        // Unknown: the code itself, made safe to print; `known_` says it is unknown.
        assert_eq!(
            commune_label("9\u{1b}[2J", CommuneForm::Name),
            sanitize("9\u{1b}[2J")
        );
        assert!(!commune_label("9\u{1b}[2J", CommuneForm::Name).contains('\u{1b}'));
        assert_eq!(known_commune_label("99999", CommuneForm::FullName), None);
    }

    #[test]
    fn one_code_labeller_in_every_form() {
        let list = &crate::refdata::codes().trade_groups;
        let f = |lang, form| code_label_as(lang, list, Some("NN1"), form);
        let vi = "Chế biến, bảo quản nông, lâm, thủy sản";
        assert_eq!(f(Lang::Vi, CodeForm::Label), vi);
        assert_eq!(f(Lang::Vi, CodeForm::LabelCode), format!("{vi} (NN1)"));
        assert_eq!(f(Lang::Vi, CodeForm::CodeLabel), format!("NN1 — {vi}"));
        assert_eq!(
            f(Lang::En, CodeForm::Label),
            "Processing and preserving farm, forest and fishery products"
        );
        assert_eq!(code_label(Lang::Vi, list, Some("ZZ9")), "ZZ9");
        assert_eq!(code_label(Lang::Vi, list, None), "");
    }

    #[test]
    fn markers_and_counts() {
        assert_eq!(markers(Lang::Vi, Some(4), Some("tinh")), "★4 TB tỉnh");
        assert_eq!(markers(Lang::Vi, None, None), "");
        assert_eq!(count(100_000), "100.000");
        assert_eq!(group_thousands(1_250_000), "1.250.000");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(-1000), "-1.000");
        assert_eq!(group_thousands(0), "0");
        assert_eq!(
            position_of(Lang::Vi, 1234, 100_000),
            "1.234 / 100.000 cơ sở"
        );
    }
}
