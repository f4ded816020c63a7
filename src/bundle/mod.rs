//! Bundles: what a collaborator sends to the province, and what comes back (receipts and
//! decisions). See docs/bundle-format.md.
//!
//! - [`keys`]: the Ed25519 signing key (created by `ctv init`, owner-only file).
//! - [`container`]: the signed ZIP container — [`write_signed`] and the defensive
//!   [`read_bundle`], shared by bundles and receipts (`kind` in the manifest).
//! - [`export`]: the sender's side — which records go into the next bundle, the workbook,
//!   the sequence number and the sent revisions.

pub mod container;
pub mod export;
mod jsoncheck;
pub mod keys;
pub mod model;
pub mod receive;
pub(crate) mod workbook;

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use thiserror::Error;

pub use container::{
    read_bundle, read_bundle_bytes, read_bundle_with, read_manifest, verify_bundle,
    verify_bundle_with, write_signed, ReadLimits, References,
};
pub use export::{default_export_dir, export, ExportOptions, ExportOutcome, ExportProgress};
pub use keys::SigningKeyFile;

pub use crate::record::SenderInfo;
pub use crate::store::bundles::KeyStatus;
use crate::store::{Store, StoreError};

/// The kinds of container: a collaborator's bundle, or the province's receipt/decisions.
pub const KIND_BUNDLE: &str = "bundle";
pub const KIND_RECEIPT: &str = "receipt";

/// Entry names of a bundle.
pub const MANIFEST: &str = "manifest.json";
pub const SIGNATURE: &str = "signature";
pub const COLLABORATORS: &str = "collaborators.ndjson";
pub const FACILITIES: &str = "facilities.ndjson";
pub const CONSULTATIONS: &str = "consultations.ndjson";
pub const PROPOSALS: &str = "proposals.ndjson";
pub const WORKBOOK: &str = "bundle.xlsx";

/// The record entries of format version 1, in the order they are written and read.
pub const RECORD_ENTRIES: [&str; 4] = [COLLABORATORS, FACILITIES, CONSULTATIONS, PROPOSALS];

/// The entries format version 2 adds: the đề án's records after approval.
pub use crate::record::PROJECT_ENTRIES;

/// Activities with their attendees: an optional entry (a bundle without it has none).
pub const ACTIVITIES: &str = crate::record::ACTIVITY_ENTRY;

/// The record entries a bundle of format `version` may hold (the first four always, the
/// đề án's only when it carries such records).
pub fn record_entries(version: u32) -> Vec<&'static str> {
    let mut all = RECORD_ENTRIES.to_vec();
    if version >= 2 {
        all.extend(PROJECT_ENTRIES);
        all.push(ACTIVITIES);
        // The craft-village register and products: optional, like the đề án's records.
        all.extend([crate::record::VILLAGES_ENTRY, crate::record::PRODUCTS_ENTRY]);
    }
    all
}

/// The manifest: who sent what. Signed (its exact bytes) with the sender's key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format_version: u32,
    /// "bundle" or "receipt".
    pub kind: String,
    pub sender: SenderInfo,
    /// Per-sender sequence number: 1, 2, 3 …
    pub seq: u64,
    /// RFC 3339 UTC.
    pub created_at: String,
    /// The sender's change-log sequence numbers carried: (changes_from, changes_to].
    pub changes_from: i64,
    pub changes_to: i64,
    /// True when the bundle carries everything in the sender's scope.
    pub full: bool,
    /// Records per entity ("facilities" → 42).
    pub counts: BTreeMap<String, u64>,
    /// Entry name → SHA-256 (lower-case hex) of every entry but the manifest and signature.
    pub entries: BTreeMap<String, String>,
}

/// A container read and checked: hashes and signature hold, every record parsed strictly.
#[derive(Debug, Clone, PartialEq)]
pub struct Bundle {
    pub manifest: Manifest,
    pub collaborators: Vec<model::Envelope<model::CollaboratorRecord>>,
    pub facilities: Vec<model::Envelope<model::FacilityRecord>>,
    pub consultations: Vec<model::Envelope<model::ConsultationRecord>>,
    pub proposals: Vec<model::Envelope<model::ProposalRecord>>,
    /// The đề án's records (format version 2; none in a version 1 bundle).
    pub projects: crate::record::ProjectEnvelopes,
    /// Activities with their attendees (none when the entry is absent).
    pub activities: Vec<model::Envelope<crate::record::ActivityRecord>>,
    /// Craft villages and products (none in an older bundle).
    pub registers: crate::record::RegisterEnvelopes,
    /// Entries of a receipt (kind "receipt"): raw JSON the merge defines (checked: UTF-8,
    /// strict JSON without duplicate keys, text as typed text).
    pub extra: BTreeMap<String, Vec<u8>>,
}

impl Bundle {
    /// A bundle whose records are not held (read again from its file when merged).
    pub fn of_manifest(manifest: Manifest) -> Bundle {
        Bundle {
            manifest,
            collaborators: Vec::new(),
            facilities: Vec::new(),
            consultations: Vec::new(),
            proposals: Vec::new(),
            projects: Default::default(),
            activities: Vec::new(),
            registers: Default::default(),
            extra: BTreeMap::new(),
        }
    }

    /// Refuses consultations and proposals naming a facility that is neither in the bundle
    /// nor among `known` (the facility ids of the receiving database).
    pub fn check_references(&self, known: &HashSet<String>) -> Result<(), BundleError> {
        let here: HashSet<&str> = self
            .facilities
            .iter()
            .map(|f| f.record.id.as_str())
            .collect();
        check_dangling(
            &here,
            known,
            &mut self
                .consultations
                .iter()
                .map(|c| c.record.facility_id.as_str()),
            &mut self.proposals.iter().flat_map(|p| {
                let r = &p.record;
                r.facility_id
                    .as_deref()
                    .into_iter()
                    .chain(r.beneficiaries.iter().map(|b| b.facility_id.as_str()))
            }),
        )
    }
}

/// The first consultation, then proposal, facility id that is neither `here` (in the
/// bundle) nor `known` (1-based position in its entry's list of references).
fn check_dangling<'a>(
    here: &HashSet<&str>,
    known: &HashSet<String>,
    consultations: &mut dyn Iterator<Item = &'a str>,
    proposals: &mut dyn Iterator<Item = &'a str>,
) -> Result<(), BundleError> {
    let first = |entry: &str, ids: &mut dyn Iterator<Item = &'a str>| {
        for (i, id) in ids.enumerate() {
            if !here.contains(id) && !known.contains(id) {
                return Err(BundleError::Dangling {
                    entry: entry.into(),
                    line: i + 1,
                    facility_id: id.to_string(),
                });
            }
        }
        Ok(())
    };
    first(CONSULTATIONS, consultations)?;
    first(PROPOSALS, proposals)
}

/// Why a bundle could not be written or was refused. Every reading error names the entry
/// (and the line, for records); nothing is written anywhere when one is returned.
#[derive(Debug, Error)]
pub enum BundleError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("not a CTV bundle (not a ZIP file, or cut short): {0}")]
    NotZip(String),
    #[error("the file is {size} bytes, more than the {cap} a bundle may have")]
    FileTooLarge { size: u64, cap: u64 },
    #[error("the bundle has {0} entries, more than a bundle may have")]
    TooManyEntries(usize),
    #[error("entry name {0:?} is not allowed (only the known entry names, no folders or paths)")]
    BadEntryName(String),
    #[error("entry {0} appears twice")]
    DuplicateEntry(String),
    #[error("entry {0} is not a regular file (folder or symbolic link)")]
    NotRegularFile(String),
    #[error("entry {0} is encrypted or uses an unsupported compression")]
    UnsupportedEntry(String),
    #[error("entry {0} is missing")]
    MissingEntry(String),
    #[error("entry {0} is not listed in the manifest")]
    UnlistedEntry(String),
    #[error("entry {entry} is larger than the cap of {cap} bytes")]
    EntryTooLarge { entry: String, cap: u64 },
    #[error("the bundle unpacks to more than the cap of {cap} bytes")]
    TotalTooLarge { cap: u64 },
    #[error("entry {entry} expands more than {ratio} times its packed size (a ZIP bomb?)")]
    Ratio { entry: String, ratio: u64 },
    #[error("entry {entry} is damaged: {detail}")]
    Damaged { entry: String, detail: String },
    #[error("entry {entry}, line {line}: not valid UTF-8 text")]
    Utf8 { entry: String, line: usize },
    #[error("entry {entry}, line {line}: key {key:?} appears twice")]
    DuplicateKey {
        entry: String,
        line: usize,
        key: String,
    },
    #[error(
        "entry {entry}, line {line}: field {field:?} holds control characters, escape sequences \
         or untrimmed text"
    )]
    BadText {
        entry: String,
        line: usize,
        field: String,
    },
    #[error("entry {entry}, line {line}: {detail}")]
    Json {
        entry: String,
        line: usize,
        detail: String,
    },
    #[error("entry {entry}, line {line}: a line is longer than {cap} bytes")]
    LineTooLong {
        entry: String,
        line: usize,
        cap: u64,
    },
    #[error("bundle format version {found} is not the version {known} this program reads")]
    Version { found: u32, known: u32 },
    #[error("unknown container kind {0:?}")]
    Kind(String),
    #[error("the signature does not match the manifest (the bundle was changed, or not signed by the key it names)")]
    BadSignature,
    #[error("the sender's fingerprint {found} does not belong to the public key it names")]
    BadFingerprint { found: String },
    #[error("entry {0} does not match its SHA-256 in the manifest (changed after signing)")]
    HashMismatch(String),
    #[error("entry {entry}: the manifest counts {expected} records, the entry has {found}")]
    CountMismatch {
        entry: String,
        expected: u64,
        found: u64,
    },
    #[error("entry {entry}, line {line}: the revision does not match the record's content")]
    RevMismatch { entry: String, line: usize },
    #[error("entry {entry}, line {line}: record id {id} appears twice")]
    DuplicateId {
        entry: String,
        line: usize,
        id: String,
    },
    #[error("entry {entry}, line {line}: facility {facility_id} is neither in the bundle nor in the database")]
    Dangling {
        entry: String,
        line: usize,
        facility_id: String,
    },
    #[error("key file {path}: {problem}")]
    Key { path: PathBuf, problem: String },
    #[error("key file {path} may be read by others (mode {mode:o}); it must be 600")]
    KeyPermissions { path: PathBuf, mode: u32 },
    #[error("no key file for this profile at {0}: it was made on another computer or account")]
    KeyMissing(PathBuf),
    #[error("the platform has no data directory for the key")]
    NoKeyDir,
    #[error("the workbook could not be written: {0}")]
    Workbook(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The signing key of the current profile: loaded from the key folder, or created there if
/// this profile has none yet (a profile made before keys existed). Refused if the database
/// knows a public key for the profile that this account's key file does not match.
pub fn signing_key(store: &mut Store) -> Result<SigningKeyFile, BundleError> {
    let dir = keys::key_dir().ok_or(BundleError::NoKeyDir)?;
    signing_key_in(store, &dir)
}

/// [`signing_key`] with an explicit key folder.
pub fn signing_key_in(
    store: &mut Store,
    dir: &std::path::Path,
) -> Result<SigningKeyFile, BundleError> {
    let profile = store.require_profile()?.clone();
    let path = keys::key_path(dir, &profile.id);
    let on_file = store.profile_public_key(&profile.id)?;
    if path.exists() {
        let key = keys::load(&path)?;
        match on_file {
            Some(pk) if pk != key.public_hex() => Err(BundleError::Key {
                path,
                problem: "this key is not the one recorded for the profile".into(),
            }),
            Some(_) => Ok(key),
            None => {
                store.set_profile_key(&profile.id, &key.public_hex(), &key.fingerprint())?;
                Ok(key)
            }
        }
    } else if on_file.is_some() {
        Err(BundleError::KeyMissing(path))
    } else {
        let key = keys::create(&path)?;
        store.set_profile_key(&profile.id, &key.public_hex(), &key.fingerprint())?;
        Ok(key)
    }
}

/// The sender block for the current profile and its key.
pub fn sender_info(store: &Store, key: &SigningKeyFile) -> Result<SenderInfo, BundleError> {
    let p = store.require_profile()?;
    Ok(SenderInfo {
        id: p.id.clone(),
        name: p.name.clone(),
        role: p.role.as_str().to_string(),
        units: p.units.clone(),
        public_key: key.public_hex(),
        fingerprint: key.fingerprint(),
    })
}
