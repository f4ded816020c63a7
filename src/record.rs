//! The records a bundle carries: one struct per entity, mirroring the database rows.
//!
//! Below both `store` and `bundle`: the store reads and writes them (export, merge,
//! receipts), the bundle serialises and checks them; neither needs the other for it. Every struct
//! refuses unknown fields, and serde's derive refuses a duplicated key, so a record either
//! parses exactly or is refused. Field order is the canonical order: `rev` hashes the
//! record's JSON in this order (see [`content_rev`]).

use serde::{Deserialize, Serialize};

/// The bundle format this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// Envelope of every record line: the revision bookkeeping the merge needs, then the record.
///
/// `rev` is the content hash of `record` (see [`content_rev`]). `base_rev` is the revision
/// the sender last sent of this record (None if never sent): the province's copy is still
/// the sender's base when its current rev equals `base_rev`, so the update applies;
/// otherwise the record changed on both sides and is a conflict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Envelope<T> {
    pub rev: String,
    pub base_rev: Option<String>,
    pub record: T,
}

/// Who signed a container (the manifest's `sender`, and a sender the province trusts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SenderInfo {
    /// The collaborator id (UUID).
    pub id: String,
    pub name: String,
    /// commune | area | province
    pub role: String,
    /// 2025 commune codes, or one province code.
    pub units: Vec<String>,
    /// Ed25519 public key, 64 hex digits.
    pub public_key: String,
    /// `keys::fingerprint` of the public key.
    pub fingerprint: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CollaboratorRecord {
    pub id: String,
    pub name: String,
    pub role: String,
    /// 2025 commune codes, or one province code.
    pub units: Vec<String>,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FacilityRecord {
    pub id: String,
    pub name: String,
    pub entity_type: Option<String>,
    pub tax_code: Option<String>,
    pub representative: String,
    pub phone: Option<String>,
    pub address: String,
    pub commune_code: String,
    pub trade_group: Option<String>,
    pub products: String,
    pub workers: Option<i64>,
    pub founded_year: Option<i32>,
    pub craft_village: String,
    pub ocop_stars: Option<u8>,
    pub ocop_year: Option<i32>,
    pub typical_level: Option<String>,
    pub typical_year: Option<i32>,
    pub exports: bool,
    pub local_materials: bool,
    pub woman_owned: bool,
    pub ethnic_owned: bool,
    pub difficult_area: bool,
    pub status: String,
    pub notes: String,
    pub old_commune_code: Option<String>,
    pub archived: bool,
    pub created_at: String,
    pub created_by: String,
    pub updated_at: String,
    pub updated_by: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmendmentRecord {
    pub id: String,
    pub at: String,
    pub actor_id: String,
    pub actor_name: String,
    pub reason: String,
    /// field → [old, new], as in the database.
    pub changes: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowUpRecord {
    pub due_date: String,
    pub status: String,
    pub outcome_id: Option<String>,
    pub note: String,
    pub closed_at: Option<String>,
    pub closed_by: Option<String>,
    pub updated_at: String,
    pub updated_by: String,
}

/// A consultation with what belongs to it: current topics, amendments, follow-up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsultationRecord {
    pub id: String,
    pub facility_id: String,
    pub collaborator_id: String,
    /// yyyy-mm-dd, as recorded.
    pub date: String,
    pub mode: String,
    /// As recorded (comma separated in the database).
    pub topics: Vec<String>,
    pub difficulties: String,
    pub needs: String,
    pub advice: String,
    pub next_step: String,
    pub follow_up_date: Option<String>,
    /// After amendments.
    pub cur_date: String,
    pub cur_mode: String,
    pub cur_topics: Vec<String>,
    pub amendments: Vec<AmendmentRecord>,
    pub follow_up: Option<FollowUpRecord>,
    pub created_at: String,
    pub created_by: String,
    pub updated_at: String,
    pub updated_by: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransitionRecord {
    pub at: String,
    pub actor_id: String,
    pub actor_name: String,
    pub mover: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub reason: String,
    pub decision_no: Option<String>,
    /// An approval's support granted and decision date (absent before schema 10: old revs
    /// stay the same).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_support: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_date: Option<String>,
}

/// A proposal with its status history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProposalRecord {
    pub id: String,
    pub facility_id: String,
    pub plan_year: i32,
    pub category: String,
    pub funding: String,
    pub title: String,
    pub rationale: String,
    pub objectives: String,
    pub content: String,
    pub place: String,
    pub time_frame: String,
    pub total_cost: i64,
    pub support: i64,
    pub counterpart: i64,
    pub other_sources: i64,
    pub expected_jobs: Option<i64>,
    pub expected_products: String,
    pub expected_capacity: String,
    pub priorities: i64,
    pub status: String,
    pub decision_no: Option<String>,
    /// The province's approval and the đề án's implementation (schema 10). Left out of the
    /// JSON when empty, so a record without them keeps the rev it had before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_support: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_funding: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub batch: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub implementing_unit: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planned_end: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub stop_reason: String,
    pub transitions: Vec<TransitionRecord>,
    pub created_at: String,
    pub created_by: String,
    pub updated_at: String,
    pub updated_by: String,
}

/// The content hash of a record: SHA-256 of its canonical JSON (field order as declared),
/// first 16 bytes in lower-case hex. The same content gives the same rev on every machine,
/// which makes re-imports idempotent and the merge independent of arrival order.
pub fn content_rev<T: Serialize>(record: &T) -> String {
    use sha2::{Digest, Sha256};
    // Serializing these plain structs cannot fail; an empty body would still hash stably.
    let json = serde_json::to_vec(record).unwrap_or_default();
    let digest = Sha256::digest(&json);
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_and_duplicate_fields_are_refused() {
        let ok = r#"{"id":"a","name":"N","role":"commune","units":["1"],"active":true}"#;
        assert!(serde_json::from_str::<CollaboratorRecord>(ok).is_ok());
        let unknown = r#"{"id":"a","name":"N","role":"commune","units":["1"],"active":true,"x":1}"#;
        assert!(serde_json::from_str::<CollaboratorRecord>(unknown).is_err());
        let dup = r#"{"id":"a","id":"b","name":"N","role":"commune","units":["1"],"active":true}"#;
        assert!(serde_json::from_str::<CollaboratorRecord>(dup).is_err());
    }

    #[test]
    fn rev_follows_content() {
        let a = CollaboratorRecord {
            id: "a".into(),
            name: "Nguyễn Văn A".into(),
            role: "commune".into(),
            units: vec!["26734".into()],
            active: true,
        };
        let mut b = a.clone();
        assert_eq!(content_rev(&a), content_rev(&b));
        assert_eq!(content_rev(&a).len(), 32);
        b.name.push('x');
        assert_ne!(content_rev(&a), content_rev(&b));
    }
}
