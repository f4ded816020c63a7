//! The province's merge in words: the preview table and the receipt's summary line.

use crate::bundle::receive::{Checked, Receipt};
use crate::bundle::KeyStatus;
use crate::store::{MergeReport, ENTITIES};
use crate::text::sanitize;
use crate::words::format::{entity_label, local_time};
use crate::words::{tr, trf, Lang};

/// "Gói số 7 đã đến tỉnh ngày 12/11/2026: nhận 42 cơ sở, 1 xung đột."
pub fn receipt_summary(l: Lang, r: &Receipt) -> String {
    let day = local_time(&r.received_at)
        .split(' ')
        .next()
        .unwrap_or_default()
        .to_string();
    let facilities = r.accepted.get("facility").copied().unwrap_or(0);
    trf(
        l,
        "merge.receipt.summary",
        &[&r.bundle_seq, &day, &facilities, &r.conflict_total()],
    )
}

/// The preview table: one row per entity.
pub fn preview_rows(r: &MergeReport, l: Lang) -> Vec<Vec<String>> {
    ENTITIES
        .iter()
        // The đề án's and the register's records only when the bundle has some (most
        // bundles have none).
        .filter(|e| {
            !(e.starts_with("project_") || matches!(**e, "craft_village" | "product"))
                || r.count(e) != Default::default()
        })
        .map(|e| {
            let c = r.count(e);
            vec![
                entity_label(l, e).to_string(),
                c.new.to_string(),
                c.updated.to_string(),
                c.unchanged.to_string(),
                c.conflicts.to_string(),
                c.duplicates.to_string(),
            ]
        })
        .collect()
}

pub fn preview_headers(l: Lang) -> [&'static str; 6] {
    [
        tr(l, "merge.col.entity"),
        tr(l, "merge.col.new"),
        tr(l, "merge.col.updated"),
        tr(l, "merge.col.unchanged"),
        tr(l, "merge.col.conflicts"),
        tr(l, "merge.col.duplicates"),
    ]
}

/// What a checked bundle's signing key means for the reader: nothing when it is known, else
/// "new sender" or "the key changed" (`true`: a warning).
pub fn key_status_text(l: Lang, c: &Checked) -> Option<(String, bool)> {
    let fingerprint = sanitize(&c.bundle.manifest.sender.fingerprint);
    match &c.key {
        KeyStatus::Known => None,
        KeyStatus::New => Some((trf(l, "merge.import.key_new", &[&fingerprint]), false)),
        KeyStatus::Changed { on_file } => Some((
            trf(
                l,
                "merge.import.key_changed",
                &[&sanitize(on_file), &fingerprint],
            ),
            true,
        )),
    }
}

/// "Bundles 3, 4 from X have not arrived", when a checked bundle skips some.
pub fn gap_text(l: Lang, c: &Checked) -> Option<String> {
    if c.missing.is_empty() {
        return None;
    }
    let list = c
        .missing
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let sender = sanitize(&c.bundle.manifest.sender.name);
    Some(trf(l, "merge.import.gap", &[&list, &sender]))
}

/// A record field's label in `l` ("Trạng thái", "Số lao động"), for the conflict views: the
/// key itself only for a field no form shows.
pub fn field_label(l: Lang, entity: &str, key: &str) -> String {
    use crate::domain::consultation::ConsultationField;
    use crate::domain::facility::FacilityField;
    let label = match entity {
        "consultation" => ConsultationField::from_key(key).map(|f| tr(l, f.label_key())),
        _ => None,
    }
    .or_else(|| FacilityField::from_key(key).map(|f| tr(l, f.label_key())));
    label.map_or_else(|| crate::text::sanitize(key), str::to_string)
}

/// A stored value as a person reads it: yes/no for true/false, "—" for nothing, text made
/// safe for the terminal.
pub fn field_value(l: Lang, v: Option<&serde_json::Value>) -> String {
    use serde_json::Value;
    match v {
        None | Some(Value::Null) => "—".into(),
        Some(Value::Bool(true)) => tr(l, "ui.action.yes").into(),
        Some(Value::Bool(false)) => tr(l, "ui.action.no").into(),
        Some(Value::String(s)) => match crate::domain::facility::FacilityStatus::parse(s) {
            // A facility's status is stored as a code (`active`).
            Some(st) if st.as_str() == s => tr(l, super::format::status_key(st)).into(),
            _ => crate::text::sanitize(s),
        },
        Some(other) => crate::text::sanitize(&other.to_string()),
    }
}

/// "Gói số 3 của Lê Thị Hoa (cộng tác viên cấp xã), lập …, khóa …": who sent a bundle, with
/// the role in words (the manifest carries its code).
pub fn import_from_text(l: Lang, c: &Checked) -> String {
    use crate::domain::Role;
    use crate::text::sanitize;
    let m = &c.bundle.manifest;
    let role = Role::parse(&m.sender.role).map_or_else(
        || sanitize(&m.sender.role),
        |r| tr(l, super::format::role_key(r)).to_string(),
    );
    trf(
        l,
        "merge.import.from",
        &[
            &m.seq,
            &sanitize(&m.sender.name),
            &role,
            &super::format::local_time(&m.created_at),
            &sanitize(&m.sender.fingerprint),
        ],
    )
}
