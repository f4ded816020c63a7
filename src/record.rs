//! The records a bundle carries: one struct per entity, mirroring the database rows.
//!
//! Below both `store` and `bundle`: the store reads and writes them (export, merge,
//! receipts), the bundle serialises and checks them; neither needs the other for it. Every struct
//! refuses unknown fields, and serde's derive refuses a duplicated key, so a record either
//! parses exactly or is refused. Field order is the canonical order: `rev` hashes the
//! record's JSON in this order (see [`content_rev`]).

use serde::{Deserialize, Serialize};

/// The bundle format this build writes (version 2 adds the đề án's records after approval).
pub const FORMAT_VERSION: u32 = 2;

/// The oldest bundle format this build still reads.
pub const OLDEST_FORMAT_VERSION: u32 = 1;

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
    /// The registered craft village (schema 16); left out when none, so older revs hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub village_id: Option<String>,
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

/// One beneficiary of a group đề án: the facility and its shares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BeneficiaryRecord {
    pub facility_id: String,
    pub support: i64,
    pub counterpart: i64,
}

/// A proposal with its status history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProposalRecord {
    pub id: String,
    /// None for a đề án the centre runs with no facility (schema 14); for a group đề án the
    /// lead beneficiary. A record with a facility keeps the JSON (and rev) it had before.
    pub facility_id: Option<String>,
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
    /// A group đề án's beneficiaries, the lead first (schema 14); left out when empty so the
    /// revs of older records stay the same.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub beneficiaries: Vec<BeneficiaryRecord>,
    /// A pilot (đề án điểm); left out when false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub is_pilot: bool,
    pub transitions: Vec<TransitionRecord>,
    pub created_at: String,
    pub created_by: String,
    pub updated_at: String,
    pub updated_by: String,
}

/// One attendee of an activity: a facility of the registry, a named person (with their
/// facility if any), or both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttendeeRecord {
    pub facility_id: Option<String>,
    pub person_name: String,
    /// NAM | NU, None when not recorded.
    pub gender: Option<String>,
    pub ethnic_minority: bool,
}

/// An activity (tập huấn, hội thảo, hội chợ …) with its attendees, in their order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivityRecord {
    pub id: String,
    /// activity_kinds.csv
    pub kind: String,
    pub title: String,
    /// yyyy-mm-dd
    pub start_date: String,
    pub end_date: Option<String>,
    /// Where it takes place (the scope).
    pub commune_code: String,
    pub place: String,
    pub organiser: String,
    pub proposal_id: Option<String>,
    pub cost: Option<i64>,
    pub unnamed_count: i64,
    pub unnamed_women: i64,
    pub unnamed_minority: i64,
    pub notes: String,
    pub attendees: Vec<AttendeeRecord>,
    pub archived: bool,
    pub created_at: String,
    pub created_by: String,
    pub updated_at: String,
    pub updated_by: String,
}

/// The bundle entry of activities (optional: a bundle without it has none).
pub const ACTIVITY_ENTRY: &str = "activities.ndjson";

// ------------------------------------------------------------------------------------------
// The đề án after approval (format version 2). Field names are the table's column names
// (migration 011), so one generic reader and writer serves all five (see `store::projects`).

/// Declares a đề án record: `id`, `proposal_id`, the fields given, then the stamps — the
/// canonical order the rev hashes — and its [`ProjectItem`] names.
macro_rules! project_record {
    (
        $(#[$m:meta])*
        $name:ident ($entity:literal, $table:literal, $field:ident $(, bools = $bools:expr)?) {
            $($(#[$fm:meta])* $f:ident: $ty:ty,)*
        }
    ) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            pub id: String,
            pub proposal_id: String,
            $($(#[$fm])* pub $f: $ty,)*
            pub created_at: String,
            pub created_by: String,
            pub updated_at: String,
            pub updated_by: String,
        }

        impl ProjectItem for $name {
            const ENTITY: &'static str = $entity;
            const TABLE: &'static str = $table;
            const ENTRY: &'static str = concat!($table, ".ndjson");
            $(const BOOLS: &'static [&'static str] = $bools;)?
            fn id(&self) -> &str {
                &self.id
            }
            fn proposal_id(&self) -> &str {
                &self.proposal_id
            }
            fn envs(set: &ProjectEnvelopes) -> &Vec<Envelope<Self>> {
                &set.$field
            }
            fn envs_mut(set: &mut ProjectEnvelopes) -> &mut Vec<Envelope<Self>> {
                &mut set.$field
            }
        }
    };
}

project_record! {
    /// Điều chỉnh: a decision changing the approved support and/or the planned end.
    AdjustmentRecord("project_adjustment", "project_adjustments", adjustments) {
        decision_no: String,
        /// yyyy-mm-dd
        date: String,
        new_support: Option<i64>,
        new_end: Option<String>,
        reason: String,
    }
}

project_record! {
    /// Kiểm tra / giám sát: a monitoring visit.
    VisitRecord("project_visit", "project_visits", visits, bools = &["follow_up_done"]) {
        date: String,
        visitor: String,
        checked: String,
        progress_pct: Option<i64>,
        findings: String,
        follow_up_date: Option<String>,
        follow_up_done: bool,
    }
}

project_record! {
    /// Nghiệm thu: the acceptance, with the actual cost and its parts.
    AcceptanceRecord("project_acceptance", "project_acceptances", acceptances) {
        date: String,
        units: String,
        /// DAT | KHONG_DAT | DAT_CO_DIEU_KIEN
        result: String,
        actual_total: i64,
        actual_support: i64,
        actual_counterpart: i64,
        actual_other: i64,
        notes: String,
    }
}

project_record! {
    /// Tạm ứng, thanh toán, quyết toán.
    PaymentRecord("project_payment", "project_payments", payments) {
        date: String,
        amount: i64,
        /// TAM_UNG | THANH_TOAN | QUYET_TOAN
        kind: String,
        doc_no: String,
        notes: String,
        /// For a group đề án, the beneficiary it concerns (absent: the đề án as a whole).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        facility_id: Option<String>,
    }
}

project_record! {
    /// Results at acceptance (NGHIEM_THU) or at a later evaluation (DANH_GIA).
    ResultRecord("project_result", "project_results", results) {
        /// NGHIEM_THU | DANH_GIA
        stage: String,
        date: String,
        jobs_created: Option<i64>,
        workers_trained: Option<i64>,
        revenue_before: Option<i64>,
        revenue_after: Option<i64>,
        products: String,
        equipment_in_use: String,
        notes: String,
        /// For a group đề án, the beneficiary it concerns (absent: the đề án as a whole).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        facility_id: Option<String>,
    }
}

/// The records of one or more đề án, by kind (a receipt's, a proposal's).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectRecords {
    pub adjustments: Vec<AdjustmentRecord>,
    pub visits: Vec<VisitRecord>,
    pub acceptances: Vec<AcceptanceRecord>,
    pub payments: Vec<PaymentRecord>,
    pub results: Vec<ResultRecord>,
}

/// `len` and `is_empty` of a set of the five kinds (records or envelopes).
macro_rules! five_kinds_len {
    ($t:ty) => {
        impl $t {
            pub fn len(&self) -> usize {
                self.adjustments.len()
                    + self.visits.len()
                    + self.acceptances.len()
                    + self.payments.len()
                    + self.results.len()
            }

            pub fn is_empty(&self) -> bool {
                self.len() == 0
            }
        }
    };
}

five_kinds_len!(ProjectRecords);
five_kinds_len!(ProjectEnvelopes);

/// One of the five kinds of đề án record: its names, and where it sits in a
/// [`ProjectEnvelopes`]. Its fields are its table's columns.
pub trait ProjectItem:
    Serialize + serde::de::DeserializeOwned + Clone + PartialEq + Send + Sync + 'static
{
    /// The entity name (change log, record revs, conflicts, manifest counts' singular).
    const ENTITY: &'static str;
    /// The table, and the bundle entry's stem and manifest count key.
    const TABLE: &'static str;
    /// The bundle entry that carries it (`project_visits.ndjson`).
    const ENTRY: &'static str;
    /// Columns stored as 0/1 that the record holds as a bool.
    const BOOLS: &'static [&'static str] = &[];
    fn id(&self) -> &str;
    fn proposal_id(&self) -> &str;
    fn envs(set: &ProjectEnvelopes) -> &Vec<Envelope<Self>>;
    fn envs_mut(set: &mut ProjectEnvelopes) -> &mut Vec<Envelope<Self>>;
}

/// The đề án records of a bundle, in their envelopes, by kind.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProjectEnvelopes {
    pub adjustments: Vec<Envelope<AdjustmentRecord>>,
    pub visits: Vec<Envelope<VisitRecord>>,
    pub acceptances: Vec<Envelope<AcceptanceRecord>>,
    pub payments: Vec<Envelope<PaymentRecord>>,
    pub results: Vec<Envelope<ResultRecord>>,
}

static NO_PROJECT_ENVELOPES: ProjectEnvelopes = ProjectEnvelopes::new();

impl ProjectEnvelopes {
    pub const fn new() -> ProjectEnvelopes {
        ProjectEnvelopes {
            adjustments: Vec::new(),
            visits: Vec::new(),
            acceptances: Vec::new(),
            payments: Vec::new(),
            results: Vec::new(),
        }
    }

    /// None at all (a version 1 bundle, a test's bundle without them).
    pub fn none() -> &'static ProjectEnvelopes {
        &NO_PROJECT_ENVELOPES
    }
}

/// The entry names of the five kinds, in the order they are written, read and merged.
pub const PROJECT_ENTRIES: [&str; 5] = [
    AdjustmentRecord::ENTRY,
    VisitRecord::ENTRY,
    AcceptanceRecord::ENTRY,
    PaymentRecord::ENTRY,
    ResultRecord::ENTRY,
];

/// Their entity names, in the same order.
pub const PROJECT_ENTITIES: [&str; 5] = [
    AdjustmentRecord::ENTITY,
    VisitRecord::ENTITY,
    AcceptanceRecord::ENTITY,
    PaymentRecord::ENTITY,
    ResultRecord::ENTITY,
];

// ------------------------------------------------------------------------------------------
// The craft-village register and a facility's products (issue 17). Optional entries: a
// bundle without them reads as none.

/// A craft village (làng nghề) with its communes (the first is its own, for scope).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VillageRecord {
    pub id: String,
    pub name: String,
    pub communes: Vec<String>,
    pub trade_group: Option<String>,
    pub traditional: bool,
    pub decision_no: String,
    /// yyyy-mm-dd
    pub decision_date: Option<String>,
    /// CONG_NHAN | CHUA_CONG_NHAN | THU_HOI
    pub status: String,
    pub notes: String,
    pub archived: bool,
    pub created_at: String,
    pub created_by: String,
    pub updated_at: String,
    pub updated_by: String,
}

/// A title of a product: OCOP stars or a typical product at a level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TitleRecord {
    /// OCOP | TIEU_BIEU
    pub kind: String,
    pub year: i32,
    /// OCOP: 3–5; TIEU_BIEU: HUYEN | TINH | KHU_VUC | QUOC_GIA
    pub level: String,
    pub certificate: String,
    pub issued_date: Option<String>,
    pub expiry_date: Option<String>,
}

/// A facility's product with its titles (scope: the facility's commune).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductRecord {
    pub id: String,
    pub facility_id: String,
    pub name: String,
    pub notes: String,
    pub titles: Vec<TitleRecord>,
    pub archived: bool,
    pub created_at: String,
    pub created_by: String,
    pub updated_at: String,
    pub updated_by: String,
}

/// The register records of a bundle, in their envelopes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RegisterEnvelopes {
    pub villages: Vec<Envelope<VillageRecord>>,
    pub products: Vec<Envelope<ProductRecord>>,
}

static NO_REGISTER_ENVELOPES: RegisterEnvelopes = RegisterEnvelopes {
    villages: Vec::new(),
    products: Vec::new(),
};

impl RegisterEnvelopes {
    /// None at all (an older bundle, a test's bundle without them).
    pub fn none() -> &'static RegisterEnvelopes {
        &NO_REGISTER_ENVELOPES
    }
}

/// Bundle entries and manifest count keys of the register records.
pub const VILLAGES_ENTRY: &str = "craft_villages.ndjson";
pub const PRODUCTS_ENTRY: &str = "facility_products.ndjson";

/// The content hash of a record: SHA-256 of its canonical JSON (field order as declared),
/// first 16 bytes in lower-case hex. The same content gives the same rev on every machine,
/// which makes re-imports idempotent and the merge independent of arrival order.
pub fn content_rev<T: Serialize>(record: &T) -> String {
    use sha2::{Digest, Sha256};
    // Serializing these plain structs cannot fail; an empty body would still hash stably.
    let json = serde_json::to_vec(record).unwrap_or_default();
    let digest = Sha256::digest(&json);
    // Hex by table: this runs for every record of every bundle read (no `format!` per byte).
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(32);
    for b in &digest[..16] {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 15)]));
    }
    out
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
        // The first 16 bytes of SHA-256 over the canonical JSON, in lower-case hex.
        use sha2::{Digest, Sha256};
        let json = serde_json::to_vec(&a).unwrap();
        let hex: String = Sha256::digest(&json)[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(content_rev(&a), hex);
    }
}
