//! Receiving: the province imports a collaborator's bundle (checked, previewed, merged in
//! one transaction, recorded) and writes a signed receipt; the collaborator imports the
//! receipt and the decisions on its proposals.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use thiserror::Error;

use super::container::{read_bundle_with, verify_bundle_with, FileSource, ReadLimits};
use super::{
    keys, sender_info, write_signed, Bundle, BundleError, KeyStatus, SigningKeyFile, KIND_BUNDLE,
    KIND_RECEIPT,
};
use crate::domain::caps::{check_rows, CapTableText, CapText, Owner, SupportCap};
use crate::domain::proposal::Flow;
use crate::domain::report::Target;
use crate::record::{ActivityRecord, ProjectRecords, ProposalRecord};
use crate::store::{
    bundles::{record_received_in, trust_sender_in},
    Incoming, MergeReport, Sender, Store, StoreError,
};

/// The one entry of a receipt.
pub const RECEIPT_ENTRY: &str = "receipt.json";

/// What the province tells a sender about one bundle, and its decisions on the sender's
/// proposals (each the province's record of the proposal, which the sender takes over).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Receipt {
    pub bundle_sender_id: String,
    pub bundle_sender_name: String,
    pub bundle_seq: u64,
    /// When the province imported the bundle (RFC 3339 UTC).
    pub received_at: String,
    /// Per entity ("facility" …): records accepted (new, updated or already there).
    pub accepted: BTreeMap<String, u64>,
    /// Per entity: records that conflicted (kept for a person at the province).
    pub conflicts: BTreeMap<String, u64>,
    /// The sender's proposals the province has decided on (returned, approved, refused,
    /// started, completed, stopped), as the province holds them.
    pub decisions: Vec<ProposalRecord>,
    /// The province's records of the sender's đề án (adjustments, its own visits, the
    /// acceptance, payments, results); absent from receipts before format version 2.
    #[serde(default, skip_serializing_if = "ProjectRecords::is_empty")]
    pub projects: ProjectRecords,
    /// The province's activities in the sender's communes (absent before issue 17).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub activities: Vec<ActivityRecord>,
    /// The province's flow (absent from receipts written before issue 15).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow: Option<Flow>,
    /// The province's table of support caps in force (absent in older receipts, or when the
    /// province has not loaded one), so a commune's drafts are checked against it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caps: Option<CapTableText>,
    /// The province's yearly targets (absent in older receipts, or when it has set none),
    /// so a commune's and an area's dashboards show them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub targets: Option<Vec<Target>>,
}

impl Receipt {
    pub fn conflict_total(&self) -> u64 {
        self.conflicts.values().sum()
    }
}

#[derive(Debug, Error)]
pub enum ReceiveError {
    #[error(transparent)]
    Bundle(#[from] BundleError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The signer's key is not trusted here (new, or different from the one on file).
    #[error("the sender's key is not trusted: {0:?}")]
    UntrustedKey(KeyStatus),
    /// The same sender and sequence number, but another file.
    #[error("bundle {seq} of this sender was already imported, from a different file")]
    SeqReused { seq: u64 },
    #[error("this is a {found}, not a {expected}")]
    WrongKind { expected: String, found: String },
    /// A receipt for another collaborator's bundle.
    #[error("the receipt is for another collaborator's bundle")]
    NotForYou,
    #[error("the receipt cannot be read: {0}")]
    BadReceipt(String),
}

/// A container read and verified, with what the database knows of its sender.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The bundle; its records only when held in memory (see `streamed`).
    pub bundle: Bundle,
    /// SHA-256 of the whole file.
    pub sha256: String,
    pub key: KeyStatus,
    /// Earlier sequence numbers of this sender never received (a gap).
    pub missing: Vec<u64>,
    /// When this very (sender, seq) was imported before, if it was.
    pub already: Option<String>,
    pub sender: Sender,
    /// Where it was read from.
    pub path: PathBuf,
    /// A bundle too large to hold (more records than `ReadLimits::keep`): its records are
    /// read again from `path`, batch by batch, by the preview and the import.
    pub streamed: bool,
    /// The caps it was read with (and is read again with).
    pub limits: ReadLimits,
}

fn file_sha256(path: &Path) -> Result<String, BundleError> {
    let io = |source| BundleError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut f = crate::shared::user_file::open(path).map_err(io)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf).map_err(io)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(keys::hex(&h.finalize()))
}

/// Reads and verifies a bundle or receipt (hashes, signature, strict records) and looks up
/// its sender's key and sequence here. Writes nothing.
pub fn check(store: &Store, path: &Path) -> Result<Checked, ReceiveError> {
    check_with(store, path, &ReadLimits::default())
}

/// [`check`] with the given caps: a bundle of more than `limits.keep` records is verified
/// record by record and not held (its records are read again when previewed or imported).
pub fn check_with(
    store: &Store,
    path: &Path,
    limits: &ReadLimits,
) -> Result<Checked, ReceiveError> {
    checked(store, path, limits, true)
}

/// Only the head of a large bundle (manifest, signature, entry list): its records are
/// verified as the import reads them, in the same pass (`ctv import`, which imports at
/// once). A small bundle or a receipt is read whole, as by [`check_with`].
pub fn check_head(
    store: &Store,
    path: &Path,
    limits: &ReadLimits,
) -> Result<Checked, ReceiveError> {
    checked(store, path, limits, false)
}

fn checked(
    store: &Store,
    path: &Path,
    limits: &ReadLimits,
    verify: bool,
) -> Result<Checked, ReceiveError> {
    let head = FileSource::open(path, limits)?;
    let records: u64 = head.manifest().counts.values().sum();
    let streamed = head.manifest().kind == KIND_BUNDLE && records > limits.keep;
    drop(head);
    // The whole file's hash on another core while the entries are inflated and parsed.
    let (bundle, sha256) = std::thread::scope(|s| {
        let sha = s.spawn(|| file_sha256(path));
        let bundle = if !streamed {
            read_bundle_with(path, limits)
        } else if verify {
            verify_bundle_with(path, limits).map(|(m, _)| Bundle::of_manifest(m))
        } else {
            FileSource::open(path, limits).map(|f| Bundle::of_manifest(f.manifest().clone()))
        };
        let sha = sha.join().unwrap_or_else(|_| {
            Err(BundleError::Damaged {
                entry: String::new(),
                detail: "hashing failed".into(),
            })
        });
        (bundle, sha)
    });
    let (bundle, sha256) = (bundle?, sha256?);
    let m = &bundle.manifest;
    let key = store.sender_key_status(&m.sender)?;
    let (missing, already) = if m.kind == KIND_BUNDLE {
        (
            store.missing_seqs(&m.sender.id, m.seq)?,
            store.bundle_received_at(&m.sender.id, m.seq)?,
        )
    } else {
        (Vec::new(), None)
    };
    let sender = Sender {
        id: m.sender.id.clone(),
        name: m.sender.name.clone(),
        role: m.sender.role.clone(),
        units: m.sender.units.clone(),
    };
    Ok(Checked {
        bundle,
        sha256,
        key,
        missing,
        already,
        sender,
        path: path.to_path_buf(),
        streamed,
        limits: *limits,
    })
}

impl Checked {
    /// The records held in memory (none for a `streamed` bundle: `preview` and `import`
    /// read those from the file).
    pub fn incoming(&self) -> Incoming<'_> {
        Incoming {
            sender: &self.sender,
            collaborators: &self.bundle.collaborators,
            facilities: &self.bundle.facilities,
            consultations: &self.bundle.consultations,
            proposals: &self.bundle.proposals,
            projects: &self.bundle.projects,
            activities: &self.bundle.activities,
            registers: &self.bundle.registers,
        }
    }

    fn require_kind(&self, kind: &str) -> Result<(), ReceiveError> {
        if self.bundle.manifest.kind != kind {
            return Err(ReceiveError::WrongKind {
                expected: kind.into(),
                found: self.bundle.manifest.kind.clone(),
            });
        }
        Ok(())
    }

    fn require_trust(&self, accept_key: bool) -> Result<(), ReceiveError> {
        if self.key != KeyStatus::Known && !accept_key {
            return Err(ReceiveError::UntrustedKey(self.key.clone()));
        }
        Ok(())
    }

    /// What importing would do (the bundle's records against this database). For this very
    /// file imported before, nothing: compared again, its records would read as conflicts
    /// with what the province has resolved since.
    pub fn preview(&self, store: &Store) -> Result<MergeReport, ReceiveError> {
        self.require_kind(KIND_BUNDLE)?;
        if self.is_this_file_imported(store)? {
            return Ok(MergeReport::default());
        }
        if !self.streamed {
            return Ok(store.preview_merge(&self.incoming())?);
        }
        let mut src = self.reopen()?;
        let r = store.preview_merge_from(&mut src);
        self.settle(r, &mut src)
    }

    /// The file again, for a streamed bundle: the same manifest, or it was replaced since.
    fn reopen(&self) -> Result<FileSource, ReceiveError> {
        let src = FileSource::open(&self.path, &self.limits)?;
        if src.manifest() != &self.bundle.manifest {
            return Err(BundleError::Damaged {
                entry: super::MANIFEST.into(),
                detail: "the file changed since it was checked".into(),
            }
            .into());
        }
        Ok(src)
    }

    /// A streamed merge's outcome: when the file failed a check on the way, the fault
    /// reported is the one a whole read finds first (as if it had been read before merging).
    fn settle<T>(&self, r: Result<T, StoreError>, src: &mut FileSource) -> Result<T, ReceiveError> {
        match r {
            Err(StoreError::SourceFault) => {
                let first = verify_bundle_with(&self.path, &self.limits).err();
                let e = first
                    .or_else(|| src.take_fault())
                    .unwrap_or(BundleError::Damaged {
                        entry: String::new(),
                        detail: "changed while it was read".into(),
                    });
                Err(e.into())
            }
            r => Ok(r?),
        }
    }

    /// Whether this sender's bundle of this number was imported, and was this very file.
    fn is_this_file_imported(&self, store: &Store) -> Result<bool, ReceiveError> {
        if self.already.is_none() {
            return Ok(false);
        }
        let m = &self.bundle.manifest;
        let same: Option<String> = store.bundle_received_sha(&m.sender.id, m.seq)?;
        Ok(same.as_deref() == Some(self.sha256.as_str()))
    }
}

/// How an import ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Imported {
    Merged(MergeReport),
    /// This very file was imported before (on that date): nothing to do.
    AlreadyImported {
        at: String,
    },
}

/// Imports a checked bundle at the province: one transaction merges the records, trusts a
/// new (or explicitly accepted) key, records the bundle and keeps what its receipt says.
pub fn import(store: &mut Store, c: &Checked, accept_key: bool) -> Result<Imported, ReceiveError> {
    c.require_kind(KIND_BUNDLE)?;
    c.require_trust(accept_key)?;
    let m = &c.bundle.manifest;
    if let Some(at) = &c.already {
        if c.is_this_file_imported(store)? {
            return Ok(Imported::AlreadyImported { at: at.clone() });
        }
        return Err(ReceiveError::SeqReused { seq: m.seq });
    }
    let now = store.now_string();
    let trust = c.key != KeyStatus::Known;
    // As the manifest counts them (the reader checked each against its entry): the first
    // four always, the đề án's and activities only when it carries them.
    let mc = &c.bundle.manifest.counts;
    let counts: BTreeMap<String, u64> =
        ["collaborators", "facilities", "consultations", "proposals"]
            .into_iter()
            .map(|k| (k.to_string(), mc.get(k).copied().unwrap_or(0)))
            .chain(
                mc.iter()
                    .filter(|(k, _)| k.starts_with("project_") || *k == "activities")
                    .map(|(k, v)| (k.clone(), *v)),
            )
            .collect();
    let also = |tx: &rusqlite::Transaction<'_>, report: &MergeReport| {
        if trust {
            trust_sender_in(tx, &m.sender, &now)?;
        }
        record_received_in(tx, &m.sender.id, m.seq, &c.sha256, &now, &counts)?;
        let body = Receipt {
            bundle_sender_id: m.sender.id.clone(),
            bundle_sender_name: m.sender.name.clone(),
            bundle_seq: m.seq,
            received_at: now.clone(),
            accepted: report
                .counts
                .iter()
                .map(|(k, v)| (k.clone(), v.accepted() as u64))
                .collect(),
            conflicts: report
                .counts
                .iter()
                .map(|(k, v)| (k.clone(), v.conflicts as u64))
                .collect(),
            decisions: Vec::new(),
            projects: ProjectRecords::default(),
            activities: Vec::new(),
            flow: None,
            caps: None,
            targets: None,
        };
        let json = serde_json::to_string(&body).unwrap_or_else(|_| "{}".into());
        crate::store::record_receipt_in(tx, "sent", &m.sender.id, m.seq, &now, &json)
    };
    let report = if c.streamed {
        let mut src = c.reopen()?;
        let r = store.apply_merge_from(&mut src, also);
        c.settle(r, &mut src)?
    } else {
        store.apply_merge(&c.incoming(), also)?
    };
    Ok(Imported::Merged(report))
}

/// The receipt for a sender's bundle `seq` (the last one received when None), with the
/// province's current decisions on that sender's proposals.
pub fn receipt_for(
    store: &Store,
    sender_id: &str,
    seq: Option<u64>,
) -> Result<Receipt, ReceiveError> {
    let body = store
        .receipt_body("sent", sender_id, seq)?
        .ok_or_else(|| StoreError::NotFound(sender_id.to_string()))?;
    let mut r: Receipt =
        serde_json::from_str(&body).map_err(|e| ReceiveError::BadReceipt(e.to_string()))?;
    r.decisions = store.decided_proposals_of(sender_id)?;
    r.projects = store.project_records_for_receipt(sender_id)?;
    r.activities = store.activities_for_receipt(sender_id)?;
    r.flow = Some(store.flow()?);
    r.caps = receipt_caps(store)?;
    r.targets = store.targets_for_receipt()?;
    Ok(r)
}

/// The province's table of caps in force, as a receipt carries it.
fn receipt_caps(store: &Store) -> Result<Option<CapTableText>, ReceiveError> {
    Ok(store.caps_for_receipt()?.map(|t| CapTableText {
        province_code: t.province_code,
        rows: t.rows.iter().map(|c| c.to_text()).collect(),
    }))
}

/// The caps a receipt brings, checked like an imported table (codes, dates, overlaps, a
/// source on every row) and for this profile's province; a bad table refuses the receipt.
fn received_caps(
    store: &Store,
    receipt: &Receipt,
) -> Result<Option<(String, Vec<SupportCap>)>, ReceiveError> {
    let Some(t) = &receipt.caps else {
        return Ok(None);
    };
    if store.caps_province().as_deref() != Some(t.province_code.as_str()) {
        return Err(ReceiveError::BadReceipt(format!(
            "support caps of province {}",
            t.province_code
        )));
    }
    let rows: Vec<(usize, CapText)> = (1..).zip(t.rows.iter().cloned()).collect();
    let caps = check_rows(&rows, Owner::Province(&t.province_code)).map_err(|issues| {
        let line = issues.first().map_or(0, |i| i.line);
        ReceiveError::BadReceipt(format!("support caps, row {line}"))
    })?;
    Ok(Some((t.province_code.clone(), caps)))
}

/// The targets a receipt brings, checked like typed ones; a bad one refuses the receipt.
fn received_targets(receipt: &Receipt) -> Result<&[Target], ReceiveError> {
    let targets = receipt.targets.as_deref().unwrap_or_default();
    for (line, t) in (1..).zip(targets) {
        if t.check().is_err() {
            return Err(ReceiveError::BadReceipt(format!("targets, row {line}")));
        }
    }
    Ok(targets)
}

/// Writes the signed receipt for a sender's bundle to `out`.
pub fn write_receipt(
    store: &Store,
    key: &SigningKeyFile,
    sender_id: &str,
    seq: Option<u64>,
    out: &Path,
) -> Result<Receipt, ReceiveError> {
    let r = receipt_for(store, sender_id, seq)?;
    let json =
        serde_json::to_vec_pretty(&r).map_err(|e| ReceiveError::BadReceipt(e.to_string()))?;
    let me = sender_info(store, key)?;
    write_signed(
        out,
        KIND_RECEIPT,
        vec![(RECEIPT_ENTRY.to_string(), json)],
        key,
        me,
        r.bundle_seq,
    )?;
    Ok(r)
}

/// The receipt a checked container holds.
pub fn read_receipt(c: &Checked) -> Result<Receipt, ReceiveError> {
    c.require_kind(KIND_RECEIPT)?;
    let bytes = c
        .bundle
        .extra
        .get(RECEIPT_ENTRY)
        .ok_or_else(|| BundleError::MissingEntry(RECEIPT_ENTRY.into()))?;
    parse_receipt(bytes)
}

/// A receipt's JSON entry, parsed (also what the fuzz target feeds arbitrary bytes).
pub fn parse_receipt(bytes: &[u8]) -> Result<Receipt, ReceiveError> {
    serde_json::from_slice(bytes).map_err(|e| ReceiveError::BadReceipt(e.to_string()))
}

/// What a sender did with a receipt.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceiptApplied {
    pub receipt: Receipt,
    /// Proposals whose decision was taken over now (not before).
    pub decisions_applied: usize,
    /// The đề án's records added or changed now.
    pub projects_applied: usize,
    /// The province's activities added or changed now.
    pub activities_applied: usize,
}

/// The sender's side: checks the receipt is for this profile, then in one transaction keeps
/// it, trusts the province's key if asked, and takes over the province's decisions.
pub fn apply_receipt(
    store: &mut Store,
    c: &Checked,
    accept_key: bool,
) -> Result<ReceiptApplied, ReceiveError> {
    let receipt = read_receipt(c)?;
    c.require_trust(accept_key)?;
    let me = store.require_profile()?.id.clone();
    if receipt.bundle_sender_id != me {
        return Err(ReceiveError::NotForYou);
    }
    let m = &c.bundle.manifest;
    let province = crate::store::Actor {
        id: m.sender.id.clone(),
        name: m.sender.name.clone(),
    };
    let trust = c.key != KeyStatus::Known;
    let json = serde_json::to_string(&receipt).unwrap_or_else(|_| "{}".into());
    let now = store.now_string();
    let caps = received_caps(store, &receipt)?;
    let targets = received_targets(&receipt)?;
    let mut projects_applied = 0;
    let mut activities_applied = 0;
    let applied = store.take_decisions(&province, receipt.flow, &receipt.decisions, |tx| {
        if let Some((code, rows)) = &caps {
            crate::store::caps::take_caps_in(tx, &now, &province, code, rows)?;
        }
        crate::store::targets::take_targets_in(tx, &now, &province, targets)?;
        projects_applied =
            crate::store::take_project_records_in(tx, &receipt.projects, &province, &now)?;
        activities_applied =
            crate::store::take_activities_in(tx, &receipt.activities, &province, &now)?;
        if trust {
            trust_sender_in(tx, &m.sender, &now)?;
        }
        crate::store::record_receipt_in(
            tx,
            "received",
            &me,
            receipt.bundle_seq,
            &receipt.received_at,
            &json,
        )
    })?;
    Ok(ReceiptApplied {
        receipt,
        decisions_applied: applied,
        projects_applied,
        activities_applied,
    })
}
