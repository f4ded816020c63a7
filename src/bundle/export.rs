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
    CONSULTATIONS, FACILITIES, KIND_BUNDLE, PROPOSALS,
};
use crate::domain::proposal::{check_transition, Mover, ProposalStatus};
use crate::record::{
    AcceptanceRecord, AdjustmentRecord, ConsultationRecord, FacilityRecord, PaymentRecord,
    ProjectItem, ProposalRecord, ResultRecord, TransitionRecord, VisitRecord, FORMAT_VERSION,
    PRODUCTS_ENTRY, PROJECT_ENTITIES, VILLAGES_ENTRY,
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
/// [`Lines::FLUSH`] bytes are held unpacked, the packed ones wait in a temporary file), and
/// the (id, rev) of the records they carry.
struct Lines {
    entity: &'static str,
    buf: Vec<u8>,
    pack: Option<container::PackerThread>,
    sent: SentLog,
    count: u64,
}

/// The (id, rev) pairs an entry carries, in one string (id then the 32-character rev, for
/// each record) so that a province's worth costs little more than its bytes.
#[derive(Default)]
struct SentLog {
    text: String,
    ends: Vec<usize>,
}

impl SentLog {
    const REV: usize = 32;

    fn push(&mut self, id: &str, rev: &str) {
        self.text.push_str(id);
        self.text.push_str(rev);
        self.ends.push(self.text.len());
    }

    /// (id, rev) pairs in the order pushed.
    fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts.zip(self.ends.iter().copied()).map(|(a, b)| {
            let one = &self.text[a..b];
            one.split_at(one.len() - Self::REV)
        })
    }
}

impl Lines {
    /// Unpacked bytes gathered before they are handed to the packer.
    const FLUSH: usize = 1 << 20;

    fn new(entity: &'static str, entry: &str) -> Result<Lines, BundleError> {
        Ok(Lines {
            entity,
            buf: Vec::with_capacity(Self::FLUSH + (64 << 10)),
            pack: Some(container::PackerThread::spawn(container::Packer::spilled(
                entry,
            )?)),
            sent: SentLog::default(),
            count: 0,
        })
    }

    fn flush(&mut self) -> Result<(), BundleError> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let full = std::mem::replace(&mut self.buf, Vec::with_capacity(Self::FLUSH + (64 << 10)));
        match self.pack.as_mut() {
            Some(p) => p.write(full),
            None => Ok(()),
        }
    }

    /// The packed entry (once: the lines are gone after).
    fn packed(&mut self) -> Result<container::PackedEntry, BundleError> {
        self.flush()?;
        self.buf = Vec::new();
        match self.pack.take() {
            Some(p) => p.finish(),
            None => Err(BundleError::Workbook("entry packed twice".into())),
        }
    }

    /// Appends the envelope of `record` unless, for an incremental bundle, its content is
    /// `base`, what was last sent; says whether it did. The envelope is written by hand
    /// around the record's one serialization (the rev hashes those very bytes):
    /// `{"rev":…,"base_rev":…,"record":…}` is exactly what serde writes for `Envelope`.
    fn push<T: Serialize>(
        &mut self,
        id: &str,
        record: &T,
        base: Option<&str>,
        skip_unchanged: bool,
    ) -> Result<bool, BundleError> {
        let start = self.buf.len();
        // The record is serialized in place, after room for the envelope's head is known.
        serde_json::to_writer(&mut self.buf, record).map_err(|e| BundleError::Json {
            entry: self.entity.into(),
            line: 0,
            detail: e.to_string(),
        })?;
        let rev = keys::hex(&Sha256::digest(&self.buf[start..])[..16]);
        if skip_unchanged && base == Some(rev.as_str()) {
            self.buf.truncate(start);
            return Ok(false);
        }
        let mut head = Vec::with_capacity(128);
        head.extend_from_slice(b"{\"rev\":\"");
        head.extend_from_slice(rev.as_bytes());
        match base {
            Some(b) => {
                head.extend_from_slice(b"\",\"base_rev\":\"");
                head.extend_from_slice(b.as_bytes());
                head.extend_from_slice(b"\",\"record\":");
            }
            None => head.extend_from_slice(b"\",\"base_rev\":null,\"record\":"),
        }
        self.buf.splice(start..start, head);
        self.buf.extend_from_slice(b"}\n");
        self.sent.push(id, &rev);
        self.count += 1;
        if self.buf.len() >= Self::FLUSH {
            self.flush()?;
        }
        Ok(true)
    }
}

/// Rows for the workbook thread, a batch at a time.
enum Rows {
    Facilities(Vec<FacilityRecord>),
    Consultations(Vec<ConsultationRecord>),
    Proposals(Vec<ProposalRecord>),
}

/// Hands records to the workbook thread in batches (the channel is bounded: a slow
/// workbook holds the reader back rather than letting records pile up).
struct Feed {
    tx: std::sync::mpsc::SyncSender<Rows>,
    facilities: Vec<FacilityRecord>,
    consultations: Vec<ConsultationRecord>,
    proposals: Vec<ProposalRecord>,
}

impl Feed {
    const BATCH: usize = 256;

    fn send(tx: &std::sync::mpsc::SyncSender<Rows>, rows: Rows) -> Result<(), BundleError> {
        // The workbook thread is gone only after an error, which its join reports.
        tx.send(rows)
            .map_err(|_| BundleError::Workbook("the workbook thread stopped".into()))
    }

    /// Adds `r` to its batch, sending the batch once it is full.
    fn add<T>(
        tx: &std::sync::mpsc::SyncSender<Rows>,
        batch: &mut Vec<T>,
        r: T,
        wrap: fn(Vec<T>) -> Rows,
    ) -> Result<(), BundleError> {
        batch.push(r);
        if batch.len() >= Self::BATCH {
            Self::send(tx, wrap(std::mem::take(batch)))?;
        }
        Ok(())
    }

    fn facility(&mut self, r: FacilityRecord) -> Result<(), BundleError> {
        Self::add(&self.tx, &mut self.facilities, r, Rows::Facilities)
    }

    fn consultation(&mut self, r: ConsultationRecord) -> Result<(), BundleError> {
        Self::add(&self.tx, &mut self.consultations, r, Rows::Consultations)
    }

    fn proposal(&mut self, r: ProposalRecord) -> Result<(), BundleError> {
        Self::add(&self.tx, &mut self.proposals, r, Rows::Proposals)
    }

    /// Sends what is left of every batch.
    fn flush(&mut self) -> Result<(), BundleError> {
        if !self.facilities.is_empty() {
            let rows = Rows::Facilities(std::mem::take(&mut self.facilities));
            Self::send(&self.tx, rows)?;
        }
        if !self.consultations.is_empty() {
            let rows = Rows::Consultations(std::mem::take(&mut self.consultations));
            Self::send(&self.tx, rows)?;
        }
        if !self.proposals.is_empty() {
            let rows = Rows::Proposals(std::mem::take(&mut self.proposals));
            Self::send(&self.tx, rows)?;
        }
        Ok(())
    }
}

/// Writes the workbook from the rows the reader sends, until it stops sending.
fn write_book(
    rx: std::sync::mpsc::Receiver<Rows>,
    names: &HashMap<String, String>,
) -> Result<container::PackedEntry, BundleError> {
    let mut book = workbook::Book::new(names)?;
    for rows in rx {
        match rows {
            Rows::Facilities(v) => v.iter().try_for_each(|x| book.facility(x))?,
            Rows::Consultations(v) => v.iter().try_for_each(|x| book.consultation(x))?,
            Rows::Proposals(v) => v.iter().try_for_each(|x| book.proposal(x))?,
        }
    }
    book.finish()
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

    // What the province's flow sends (proposed ones without an area review, reviewed ones)
    // goes as "sent to the province": the bundle carries them as the database will hold
    // them once the export is recorded (same time, same transition, the same rule).
    let now = store.now_string();
    let actor = store.require_profile()?.clone();
    let flow = store.flow()?;
    let mut to_send = Vec::new();
    let mut returned_unrevised = 0;

    let skip = !opts.full;
    let names = store.facility_names()?;
    let consultations_total = store.consultation_total()?.max(1);
    // Records are read once, in id order, and never held together: each is written to its
    // entry and handed to the workbook thread, which writes its row and drops it.
    let (entries, lines, counts) = std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::sync_channel(8);
        let names = &names;
        let book = s.spawn(move || write_book(rx, names));
        let mut feed = Feed {
            tx,
            facilities: Vec::new(),
            consultations: Vec::new(),
            proposals: Vec::new(),
        };
        let read = (|| -> Result<_, BundleError> {
            let mut c = Lines::new("collaborator", COLLABORATORS)?;
            let sent_c = store.sent_revs(&sender.id, "collaborator")?;
            for r in &collaborators {
                c.push(&r.id, r, sent_c.get(&r.id).map(String::as_str), skip)?;
            }
            let mut f = Lines::new("facility", FACILITIES)?;
            let mut sent_f = store.sent_revs_ordered(&sender.id, "facility");
            store.each_facility_record(
                &Selection {
                    scope: &scope,
                    only: only("facility"),
                },
                |r| {
                    f.push(&r.id, &r, sent_f.get(&r.id)?.as_deref(), skip)?;
                    feed.facility(r)
                },
            )?;
            feed.flush()?;
            progress(300, 1000);
            let mut k = Lines::new("consultation", CONSULTATIONS)?;
            let mut sent_k = store.sent_revs_ordered(&sender.id, "consultation");
            let mut read = 0u64;
            store.each_consultation_record(
                &Selection {
                    scope: &scope,
                    only: only("consultation"),
                },
                |r| {
                    k.push(&r.id, &r, sent_k.get(&r.id)?.as_deref(), skip)?;
                    read += 1;
                    if read % 50_000 == 0 {
                        progress(300 + (300 * read / consultations_total).min(300), 1000);
                    }
                    feed.consultation(r)
                },
            )?;
            feed.flush()?;
            let mut p = Lines::new("proposal", PROPOSALS)?;
            let mut sent_p = store.sent_revs_ordered(&sender.id, "proposal");
            store.each_proposal_record(
                &Selection {
                    scope: &scope,
                    only: only("proposal"),
                },
                |mut r| {
                    let status = ProposalStatus::ALL
                        .into_iter()
                        .find(|s| s.code() == r.status);
                    let mut sends = false;
                    if let Some(status) = status {
                        if status == ProposalStatus::TraLai {
                            returned_unrevised += 1;
                        }
                        sends = check_transition(
                            flow,
                            Mover::Export,
                            Some(status),
                            ProposalStatus::DaGuiTinh,
                        )
                        .is_ok();
                        if sends {
                            mark_sent(&mut r, &now, &actor.id, &actor.name);
                        }
                    }
                    let carried = p.push(&r.id, &r, sent_p.get(&r.id)?.as_deref(), skip)?;
                    // Proposals carried only as unchanged are not in the bundle and so are
                    // not sent now.
                    if sends && carried {
                        to_send.push(r.id.clone());
                    }
                    feed.proposal(r)
                },
            )?;
            feed.flush()?;
            progress(620, 1000);
            let projects = [
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
            let mut a = Lines::new("activity", super::ACTIVITIES)?;
            let sent_a = store.sent_revs(&sender.id, "activity")?;
            for r in &store.activity_records(&Selection {
                scope: &scope,
                only: only("activity"),
            })? {
                a.push(&r.id, r, sent_a.get(&r.id).map(String::as_str), skip)?;
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
            let registers = [
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
            Ok((c, f, k, p, projects, registers, a))
        })();
        // No more rows: the workbook thread finishes its file.
        drop(feed);
        let book = book
            .join()
            .map_err(|_| BundleError::Workbook("the workbook thread failed".into()));
        // A workbook error is the cause of a reader's "thread stopped": it goes first.
        let book = book??;
        let (mut c, mut f, mut k, mut p, mut projects, mut registers, mut a) = read?;
        progress(650, 1000);
        let mut packed = Vec::with_capacity(16);
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
        packed.push(book);
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
        let mut lines = vec![c, f, k, p];
        lines.extend(projects.into_iter().map(|(_, _, l)| l));
        lines.extend(registers.into_iter().map(|(_, _, l)| l));
        lines.push(a);
        Ok::<_, BundleError>((packed, lines, counts))
    })?;

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

    // What each entry carried, for the next bundle's base revisions.
    let sent = lines
        .iter()
        .flat_map(|l| l.sent.iter().map(|(id, rev)| (l.entity, id, rev)));
    let file_name = path.display().to_string();
    if let Err(e) = store.record_export(
        &sender.id, seq, changes_to, &now, &file_name, &to_send, sent,
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
    let mut lines = Lines::new(entity, entry)?;
    for r in records {
        let id = id(r);
        lines.push(id, r, sent.get(id).map(String::as_str), skip)?;
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
