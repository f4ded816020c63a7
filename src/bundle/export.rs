//! The sender's side: which records go into the next bundle, written and recorded.
//!
//! Incremental by default: the records named by the change log since this sender's last
//! bundle (archived ones included) whose content differs from what was last sent; `full`
//! sends everything in the profile's scope. The file is written completely (temporary file,
//! fsync, rename) before anything is recorded; then one transaction moves the reviewed
//! proposals to "sent to the province", advances the sequence and keeps the sent revisions.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{
    container, keys, sender_info, workbook, BundleError, Manifest, SigningKeyFile, COLLABORATORS,
    CONSULTATIONS, FACILITIES, KIND_BUNDLE, PROPOSALS, WORKBOOK,
};
use crate::domain::proposal::{check_transition, Mover, ProposalStatus};
use crate::record::{
    AcceptanceRecord, AdjustmentRecord, PaymentRecord, ProjectItem, ProposalRecord, ResultRecord,
    TransitionRecord, VisitRecord, FORMAT_VERSION, PRODUCTS_ENTRY, PROJECT_ENTITIES,
    VILLAGES_ENTRY,
};
use crate::store::bundles::Selection;
use crate::store::{Store, StoreError};

/// What `ctv export` and the TUI's Export action ask for.
#[derive(Debug, Clone, Default)]
pub struct ExportOptions {
    /// Everything in scope rather than what changed since the last bundle.
    pub full: bool,
    /// The file to write; None: `ctv-<name>-<seq>.ctvb` in the current folder.
    pub out: Option<PathBuf>,
}

/// What an export did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportOutcome {
    pub path: PathBuf,
    pub seq: u64,
    pub full: bool,
    pub counts: BTreeMap<String, u64>,
    /// Proposals moved to "sent to the province".
    pub proposals_sent: usize,
    /// Proposals the province returned that are not revised yet: they travel as returned
    /// and are not sent (the report says so).
    pub returned_unrevised: usize,
    pub bytes: u64,
    pub fingerprint: String,
}

/// Progress, for the TUI's bar: (done, total) in per-mille steps.
pub type ExportProgress<'a> = &'a (dyn Fn(u64, u64) + Sync);

/// Where the terminal app writes bundles: `CTV_EXPORT_DIR`, else the user's Documents
/// folder, else the home folder (where people look for a file to send), else the current one.
pub fn default_export_dir() -> PathBuf {
    if let Some(d) = crate::env::var("CTV_EXPORT_DIR") {
        return PathBuf::from(d);
    }
    directories::UserDirs::new()
        .and_then(|u| {
            u.document_dir()
                .filter(|d| crate::shared::user_file::is_dir(d))
                .map(Path::to_path_buf)
                .or_else(|| Some(u.home_dir().to_path_buf()))
        })
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The default file name of bundle `seq`: `ctv-nguyen-van-a-0007.ctvb`.
pub fn default_file_name(sender_name: &str, seq: u64) -> String {
    let mut slug = String::new();
    for c in crate::text::fold(sender_name).chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    format!("ctv-{slug}-{seq:04}.ctvb")
}

/// One NDJSON entry being built: the lines, packed as they come (only the last
/// [`Lines::FLUSH`] bytes are held unpacked), and the (entity, id, rev) they carry.
struct Lines {
    buf: Vec<u8>,
    pack: Option<container::Packer>,
    sent: Vec<(&'static str, String, String)>,
    count: u64,
}

impl Lines {
    /// Unpacked bytes gathered before they are handed to the packer.
    const FLUSH: usize = 1 << 20;

    fn new(entry: &str) -> Result<Lines, BundleError> {
        Ok(Lines {
            buf: Vec::with_capacity(Self::FLUSH + (64 << 10)),
            pack: Some(container::Packer::new(entry, 1 << 16)?),
            sent: Vec::new(),
            count: 0,
        })
    }

    fn flush(&mut self) -> Result<(), BundleError> {
        if let Some(p) = self.pack.as_mut() {
            p.write(&self.buf)?;
        }
        self.buf.clear();
        Ok(())
    }

    /// The packed entry (once: the lines are gone after).
    fn packed(&mut self) -> Result<container::PackedEntry, BundleError> {
        self.flush()?;
        match self.pack.take() {
            Some(p) => p.finish(),
            None => Err(BundleError::Workbook("entry packed twice".into())),
        }
    }

    /// Appends the envelope of `record` unless, for an incremental bundle, its content is
    /// what was last sent. The envelope is written by hand around the record's one
    /// serialization (the rev hashes those very bytes): `{"rev":…,"base_rev":…,"record":…}`
    /// is exactly what serde writes for `Envelope`.
    fn push<T: Serialize>(
        &mut self,
        entity: &'static str,
        id: &str,
        record: &T,
        sent: &HashMap<String, String>,
        skip_unchanged: bool,
    ) -> Result<(), BundleError> {
        let json = serde_json::to_vec(record).map_err(|e| BundleError::Json {
            entry: entity.into(),
            line: 0,
            detail: e.to_string(),
        })?;
        let rev = keys::hex(&Sha256::digest(&json)[..16]);
        let base = sent.get(id);
        if skip_unchanged && base == Some(&rev) {
            return Ok(());
        }
        self.buf.extend_from_slice(b"{\"rev\":\"");
        self.buf.extend_from_slice(rev.as_bytes());
        match base {
            Some(b) => {
                self.buf.extend_from_slice(b"\",\"base_rev\":\"");
                self.buf.extend_from_slice(b.as_bytes());
                self.buf.extend_from_slice(b"\",\"record\":");
            }
            None => self
                .buf
                .extend_from_slice(b"\",\"base_rev\":null,\"record\":"),
        }
        self.buf.extend_from_slice(&json);
        self.buf.extend_from_slice(b"}\n");
        self.sent.push((entity, id.to_string(), rev));
        self.count += 1;
        if self.buf.len() >= Self::FLUSH {
            self.flush()?;
        }
        Ok(())
    }
}

/// Writes the next bundle of the current profile and records it. Uses the profile's key
/// from the key folder (created there if the profile has none yet).
pub fn export(
    store: &mut Store,
    opts: &ExportOptions,
    progress: ExportProgress<'_>,
) -> Result<ExportOutcome, BundleError> {
    let key = super::signing_key(store)?;
    export_with_key(store, &key, opts, progress)
}

/// [`export`] with a given key.
pub fn export_with_key(
    store: &mut Store,
    key: &SigningKeyFile,
    opts: &ExportOptions,
    progress: ExportProgress<'_>,
) -> Result<ExportOutcome, BundleError> {
    let sender = sender_info(store, key)?;
    let state = store.outgoing_state(&sender.id)?;
    let seq = state.last_seq + 1;
    let path = match &opts.out {
        // A folder: the bundle gets its usual name inside it.
        Some(p) if crate::shared::user_file::is_dir(p) => {
            p.join(default_file_name(&sender.name, seq))
        }
        Some(p) => p.clone(),
        None => PathBuf::from(default_file_name(&sender.name, seq)),
    };
    if crate::shared::user_file::exists(&path) {
        return Err(StoreError::Exists(path).into());
    }
    progress(0, 1000);

    let changes_to = store.last_change_seq()?;
    // A full bundle carries the whole change log so far; an incremental one what followed
    // the last bundle.
    let changes_from = if opts.full { 0 } else { state.last_change_seq };
    let changed: Option<HashMap<&'static str, HashSet<String>>> = if opts.full {
        None
    } else {
        let mut by: HashMap<&'static str, HashSet<String>> = HashMap::new();
        for (entity, id) in store.changed_records(changes_from, changes_to)? {
            let bucket = match entity.as_str() {
                "collaborator" => "collaborator",
                "facility" => "facility",
                // A follow-up travels inside its consultation (its id is the consultation's).
                "consultation" | "follow_up" => "consultation",
                "proposal" => "proposal",
                "activity" => "activity",
                "craft_village" => "craft_village",
                "product" => "product",
                e => match PROJECT_ENTITIES.iter().find(|p| **p == e) {
                    Some(p) => p,
                    None => continue,
                },
            };
            by.entry(bucket).or_default().insert(id);
        }
        Some(by)
    };
    let empty = HashSet::new();
    let only = |entity: &str| changed.as_ref().map(|c| c.get(entity).unwrap_or(&empty));
    let scope: HashSet<String> = store.scope_communes().into_iter().collect();

    let mut collaborators = store.collaborator_records(only("collaborator"))?;
    // From a shared server a bundle carries the sender's own profile, not the accounts of
    // everyone on the server.
    if store.is_shared() {
        collaborators.retain(|r| r.id == sender.id);
    }
    let facilities = store.facility_records(&Selection {
        scope: &scope,
        only: only("facility"),
    })?;
    progress(60, 1000);
    let consultations = store.consultation_records(&Selection {
        scope: &scope,
        only: only("consultation"),
    })?;
    progress(180, 1000);
    let mut proposals = store.proposal_records(&Selection {
        scope: &scope,
        only: only("proposal"),
    })?;
    progress(200, 1000);

    // What the province's flow sends (proposed ones without an area review, reviewed ones)
    // goes as "sent to the province": the bundle carries them as the database will hold
    // them once the export is recorded (same time, same transition, the same rule).
    let now = store.now_string();
    let actor = store.require_profile()?.clone();
    let flow = store.flow()?;
    let mut to_send = Vec::new();
    let mut returned_unrevised = 0;
    for p in proposals.iter_mut() {
        let Some(status) = ProposalStatus::ALL
            .into_iter()
            .find(|s| s.code() == p.status)
        else {
            continue;
        };
        if status == ProposalStatus::TraLai {
            returned_unrevised += 1;
        }
        let sends = check_transition(flow, Mover::Export, Some(status), ProposalStatus::DaGuiTinh);
        if sends.is_ok() {
            to_send.push(p.id.clone());
            mark_sent(p, &now, &actor.id, &actor.name);
        }
    }

    let skip = !opts.full;
    let names = store.facility_names()?;
    let (entries, sent, counts) = std::thread::scope(|s| {
        // The workbook is the slowest part: it is built beside the records.
        let book = s.spawn(|| workbook::build(&facilities, &consultations, &proposals, &names));
        let mut c = Lines::new(COLLABORATORS)?;
        let sent_c = store.sent_revs(&sender.id, "collaborator")?;
        for r in &collaborators {
            c.push("collaborator", &r.id, r, &sent_c, skip)?;
        }
        let mut f = Lines::new(FACILITIES)?;
        let sent_f = store.sent_revs(&sender.id, "facility")?;
        for r in &facilities {
            f.push("facility", &r.id, r, &sent_f, skip)?;
        }
        drop(sent_f);
        progress(300, 1000);
        let mut k = Lines::new(CONSULTATIONS)?;
        let sent_k = store.sent_revs(&sender.id, "consultation")?;
        for (i, r) in consultations.iter().enumerate() {
            k.push("consultation", &r.id, r, &sent_k, skip)?;
            if i % 50_000 == 0 {
                progress(300 + (300 * i / consultations.len().max(1)) as u64, 1000);
            }
        }
        drop(sent_k);
        let mut p = Lines::new(PROPOSALS)?;
        let sent_p = store.sent_revs(&sender.id, "proposal")?;
        for r in &proposals {
            p.push("proposal", &r.id, r, &sent_p, skip)?;
        }
        let mut projects = [
            project_lines::<AdjustmentRecord>(
                store,
                &sender.id,
                &scope,
                only(AdjustmentRecord::ENTITY),
                skip,
            )?,
            project_lines::<VisitRecord>(
                store,
                &sender.id,
                &scope,
                only(VisitRecord::ENTITY),
                skip,
            )?,
            project_lines::<AcceptanceRecord>(
                store,
                &sender.id,
                &scope,
                only(AcceptanceRecord::ENTITY),
                skip,
            )?,
            project_lines::<PaymentRecord>(
                store,
                &sender.id,
                &scope,
                only(PaymentRecord::ENTITY),
                skip,
            )?,
            project_lines::<ResultRecord>(
                store,
                &sender.id,
                &scope,
                only(ResultRecord::ENTITY),
                skip,
            )?,
        ];
        let mut a = Lines::new(super::ACTIVITIES)?;
        let sent_a = store.sent_revs(&sender.id, "activity")?;
        for r in &store.activity_records(&Selection {
            scope: &scope,
            only: only("activity"),
        })? {
            a.push("activity", &r.id, r, &sent_a, skip)?;
        }
        // The register: villages lying wholly in the scope, products of its facilities.
        let villages = store.village_records(&Selection {
            scope: &scope,
            only: only("craft_village"),
        })?;
        let products = store.product_records(&Selection {
            scope: &scope,
            only: only("product"),
        })?;
        let mut registers = [
            (
                "craft_villages",
                VILLAGES_ENTRY,
                lines_of(
                    store,
                    &sender.id,
                    "craft_village",
                    VILLAGES_ENTRY,
                    &villages,
                    |r| &r.id,
                    skip,
                )?,
            ),
            (
                "facility_products",
                PRODUCTS_ENTRY,
                lines_of(
                    store,
                    &sender.id,
                    "product",
                    PRODUCTS_ENTRY,
                    &products,
                    |r| &r.id,
                    skip,
                )?,
            ),
        ];
        progress(500, 1000);
        // Packed here while the workbook thread is still busy.
        let mut packed = Vec::with_capacity(10);
        for lines in [&mut c, &mut f, &mut k, &mut p] {
            packed.push(lines.packed()?);
        }
        // A kind of đề án record travels only when there is some (most bundles have none).
        for (_, _, lines) in projects
            .iter_mut()
            .chain(registers.iter_mut())
            .filter(|(_, _, l)| l.count > 0)
        {
            packed.push(lines.packed()?);
        }
        // So do activities (the entry is optional for readers).
        if a.count > 0 {
            packed.push(a.packed()?);
        }
        progress(650, 1000);
        let book = book
            .join()
            .map_err(|_| BundleError::Workbook("the workbook thread failed".into()))??;
        packed.push(container::pack_entry(WORKBOOK, &book)?);
        progress(700, 1000);
        let counts: BTreeMap<String, u64> = [
            ("collaborators", c.count),
            ("facilities", f.count),
            ("consultations", k.count),
            ("proposals", p.count),
        ]
        .into_iter()
        .chain(
            projects
                .iter()
                .chain(registers.iter())
                .filter(|(_, _, l)| l.count > 0)
                .map(|(key, _, l)| (*key, l.count)),
        )
        .chain((a.count > 0).then_some(("activities", a.count)))
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let mut sent = Vec::new();
        sent.append(&mut c.sent);
        sent.append(&mut f.sent);
        sent.append(&mut k.sent);
        sent.append(&mut p.sent);
        for (_, _, l) in projects.iter_mut().chain(registers.iter_mut()) {
            sent.append(&mut l.sent);
        }
        sent.append(&mut a.sent);
        Ok::<_, BundleError>((packed, sent, counts))
    })?;
    // Proposals carried only as unchanged are not in the bundle and so are not sent now.
    let carried: HashSet<&str> = sent
        .iter()
        .filter(|(e, _, _)| *e == "proposal")
        .map(|(_, id, _)| id.as_str())
        .collect();
    to_send.retain(|id| carried.contains(id.as_str()));

    let manifest = Manifest {
        format_version: FORMAT_VERSION,
        kind: KIND_BUNDLE.into(),
        sender: sender.clone(),
        seq,
        created_at: now.clone(),
        changes_from,
        changes_to,
        full: opts.full,
        counts: counts.clone(),
        entries: BTreeMap::new(),
    };
    container::write_packed(&path, manifest, entries, key)?;
    progress(950, 1000);

    let sent_refs: Vec<(&str, &str, &str)> = sent
        .iter()
        .map(|(e, id, rev)| (*e, id.as_str(), rev.as_str()))
        .collect();
    let file_name = path.display().to_string();
    if let Err(e) = store.record_export(
        &sender.id, seq, changes_to, &now, &file_name, &to_send, &sent_refs,
    ) {
        // Not recorded: the file must not travel with a sequence number used again.
        let _ = std::fs::remove_file(&path);
        return Err(e.into());
    }
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    progress(1000, 1000);
    Ok(ExportOutcome {
        path,
        seq,
        full: opts.full,
        counts,
        proposals_sent: to_send.len(),
        returned_unrevised,
        bytes,
        fingerprint: key.fingerprint(),
    })
}

/// The lines of one kind of đề án record for the bundle: (manifest count key, entry, lines).
fn project_lines<T: ProjectItem>(
    store: &Store,
    sender_id: &str,
    scope: &HashSet<String>,
    only: Option<&HashSet<String>>,
    skip: bool,
) -> Result<(&'static str, &'static str, Lines), BundleError> {
    let records: Vec<T> = store.project_item_records(&Selection { scope, only })?;
    let lines = lines_of(store, sender_id, T::ENTITY, T::ENTRY, &records, T::id, skip)?;
    Ok((T::TABLE, T::ENTRY, lines))
}

/// The lines of `records` of one entity, each against what this sender last sent of it.
fn lines_of<T: serde::Serialize>(
    store: &Store,
    sender_id: &str,
    entity: &'static str,
    entry: &str,
    records: &[T],
    id: fn(&T) -> &str,
    skip: bool,
) -> Result<Lines, BundleError> {
    let sent = store.sent_revs(sender_id, entity)?;
    let mut lines = Lines::new(entry)?;
    for r in records {
        lines.push(entity, id(r), r, &sent, skip)?;
    }
    Ok(lines)
}

/// The proposal as `Store::record_export` will leave it: → DA_GUI_TINH by the export, at
/// `now`.
fn mark_sent(p: &mut ProposalRecord, now: &str, actor_id: &str, actor_name: &str) {
    p.transitions.push(TransitionRecord {
        at: now.to_string(),
        actor_id: actor_id.to_string(),
        actor_name: actor_name.to_string(),
        mover: "export".into(),
        from_status: Some(p.status.clone()),
        to_status: ProposalStatus::DaGuiTinh.code().to_string(),
        reason: String::new(),
        decision_no: None,
        approved_support: None,
        decision_date: None,
    });
    p.status = ProposalStatus::DaGuiTinh.code().to_string();
    p.updated_at = now.to_string();
    p.updated_by = actor_id.to_string();
}

/// Whether `path` looks like a bundle file name (for file pickers).
pub fn is_bundle_file(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "ctvb")
}
