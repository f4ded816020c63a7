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
        // The đề án's records only when the bundle has some (most bundles have none).
        .filter(|e| !e.starts_with("project_") || r.count(e) != Default::default())
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
