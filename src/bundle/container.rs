//! The signed container: a ZIP of `manifest.json`, `signature` (Ed25519 over the manifest's
//! exact bytes, hex) and the entries the manifest lists with their SHA-256.
//!
//! The reader trusts nothing in the file: entry names are checked against the known list,
//! only regular files, sizes are capped while inflating (the headers may lie), every JSON
//! document is strict, every string must be ingested text, and hashes and the signature must
//! hold before anything is returned.

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use super::jsoncheck::{self, Fault};
use super::keys::{self, hex, SigningKeyFile};
use super::{
    record_entries, Bundle, BundleError, Manifest, SenderInfo, COLLABORATORS, CONSULTATIONS,
    FACILITIES, KIND_BUNDLE, KIND_RECEIPT, MANIFEST, PROPOSALS, RECORD_ENTRIES, SIGNATURE,
    WORKBOOK,
};
use crate::record::{
    content_rev, AcceptanceRecord, AdjustmentRecord, Envelope, PaymentRecord, ProjectItem,
    ResultRecord, VisitRecord, FORMAT_VERSION, OLDEST_FORMAT_VERSION, PRODUCTS_ENTRY,
    VILLAGES_ENTRY,
};
use crate::store::{Flow, Kind, Source, StoreError};

/// The caps the reader enforces. [`ReadLimits::default`] is what CTV uses; tests lower them.
#[derive(Debug, Clone, Copy)]
pub struct ReadLimits {
    /// The file itself.
    pub max_file: u64,
    /// Entries in the ZIP.
    pub max_entries: usize,
    /// One entry, unpacked.
    pub max_entry: u64,
    /// All entries together, unpacked.
    pub max_total: u64,
    /// Unpacked bytes per packed byte (beyond the first 64 KiB of each entry).
    pub max_ratio: u64,
    /// One JSON line.
    pub max_line: u64,
    /// The manifest and the signature.
    pub max_manifest: u64,
    /// Unpacked NDJSON bytes parsed at a time (not a cap: what bounds the reader's memory).
    pub batch: usize,
    /// Records above which a received bundle is not held in memory: it is checked, then
    /// read again from its file, batch by batch, by the preview and the import.
    pub keep: u64,
}

impl Default for ReadLimits {
    fn default() -> Self {
        ReadLimits {
            max_file: 2 << 30,
            max_entries: 32,
            max_entry: 2 << 30,
            max_total: 4 << 30,
            max_ratio: 200,
            max_line: 1 << 20,
            max_manifest: 1 << 20,
            // Big enough to keep every core busy, small enough that an entry's text is
            // never held whole.
            batch: 8 << 20,
            // About 75 MB of records: a commune's or an area's year; a province's is streamed.
            keep: 50_000,
        }
    }
}

/// Writes a signed container of `kind` with `entries` (name, bytes). The manifest's counts
/// are left empty and the change range zero: what a receipt needs. See [`write_manifest`].
pub fn write_signed(
    path: &Path,
    kind: &str,
    entries: Vec<(String, Vec<u8>)>,
    key: &SigningKeyFile,
    sender: SenderInfo,
    seq: u64,
) -> Result<(), BundleError> {
    let manifest = Manifest {
        format_version: FORMAT_VERSION,
        kind: kind.to_string(),
        sender,
        seq,
        created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        changes_from: 0,
        changes_to: 0,
        full: false,
        counts: BTreeMap::new(),
        entries: BTreeMap::new(),
    };
    write_manifest(path, manifest, entries, key)
}

/// An entry already hashed and packed (a one-entry ZIP, in memory or in a temporary file),
/// so that packing can run on another thread than the one that writes the bundle.
pub struct PackedEntry {
    name: String,
    sha256: String,
    zip: Packed,
}

enum Packed {
    Mem(Vec<u8>),
    File(std::fs::File),
}

/// Where a [`Packer`] writes its one-entry ZIP.
enum Sink {
    Mem(std::io::Cursor<Vec<u8>>),
    File(std::io::BufWriter<std::fs::File>),
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Sink::Mem(c) => c.write(buf),
            Sink::File(f) => f.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::Mem(c) => c.flush(),
            Sink::File(f) => f.flush(),
        }
    }
}

impl std::io::Seek for Sink {
    fn seek(&mut self, pos: std::io::SeekFrom) -> std::io::Result<u64> {
        match self {
            Sink::Mem(c) => c.seek(pos),
            Sink::File(f) => f.seek(pos),
        }
    }
}

fn zip_err(e: zip::result::ZipError) -> BundleError {
    BundleError::Workbook(e.to_string())
}

fn temp_err(source: std::io::Error) -> BundleError {
    BundleError::Io {
        path: std::env::temp_dir(),
        source,
    }
}

/// Hashes and packs one entry: deflated at the fastest level, or stored for the workbook
/// (a ZIP already: packing it again costs time and saves nothing).
pub fn pack_entry(name: &str, bytes: &[u8]) -> Result<PackedEntry, BundleError> {
    let mut p = Packer::new(name, bytes.len() / 4)?;
    p.write(bytes)?;
    p.finish()
}

/// A [`Packer`] on a thread of its own: the caller hands over whole buffers and goes on
/// writing the next while the last ones are hashed and deflated (the export's reader was
/// its bottleneck with the packing on the same thread). Two buffers wait at most.
pub struct PackerThread {
    tx: Option<std::sync::mpsc::SyncSender<Vec<u8>>>,
    handle: Option<std::thread::JoinHandle<Result<PackedEntry, BundleError>>>,
}

impl PackerThread {
    pub fn spawn(p: Packer) -> PackerThread {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(2);
        let handle = std::thread::spawn(move || {
            let mut p = p;
            for b in rx {
                p.write(&b)?;
            }
            p.finish()
        });
        PackerThread {
            tx: Some(tx),
            handle: Some(handle),
        }
    }

    pub fn write(&mut self, bytes: Vec<u8>) -> Result<(), BundleError> {
        let sent = self.tx.as_ref().is_some_and(|tx| tx.send(bytes).is_ok());
        if sent {
            return Ok(());
        }
        // The packer stopped on an error: that error.
        self.join()
            .and(Err(BundleError::Workbook("packer stopped".into())))
    }

    pub fn finish(mut self) -> Result<PackedEntry, BundleError> {
        self.join()
    }

    fn join(&mut self) -> Result<PackedEntry, BundleError> {
        self.tx = None;
        match self.handle.take().map(|h| h.join()) {
            Some(Ok(r)) => r,
            _ => Err(BundleError::Workbook("packer failed".into())),
        }
    }
}

/// An entry hashed and packed as it is written, so that its unpacked text is never held
/// whole (the export writes records straight into it).
pub struct Packer {
    name: String,
    hasher: Sha256,
    zip: zip::ZipWriter<Sink>,
}

impl Packer {
    /// `cap`: the packed size expected, to allocate once.
    pub fn new(name: &str, cap: usize) -> Result<Packer, BundleError> {
        Self::with_sink(
            name,
            Sink::Mem(std::io::Cursor::new(Vec::with_capacity(cap))),
        )
    }

    /// A packer whose packed bytes wait in an anonymous temporary file (gone when dropped),
    /// for entries as big as the records of a province.
    pub fn spilled(name: &str) -> Result<Packer, BundleError> {
        let file = tempfile::tempfile().map_err(temp_err)?;
        Self::with_sink(
            name,
            Sink::File(std::io::BufWriter::with_capacity(1 << 16, file)),
        )
    }

    fn with_sink(name: &str, sink: Sink) -> Result<Packer, BundleError> {
        if !safe_name(name) || name == MANIFEST || name == SIGNATURE {
            return Err(BundleError::BadEntryName(name.to_string()));
        }
        let mut zip = zip::ZipWriter::new(sink);
        zip.start_file(name, entry_options(name)).map_err(zip_err)?;
        Ok(Packer {
            name: name.to_string(),
            hasher: Sha256::new(),
            zip,
        })
    }

    pub fn write(&mut self, bytes: &[u8]) -> Result<(), BundleError> {
        self.hasher.update(bytes);
        self.zip
            .write_all(bytes)
            .map_err(|e| BundleError::Workbook(e.to_string()))
    }

    pub fn finish(self) -> Result<PackedEntry, BundleError> {
        let zip = match self.zip.finish().map_err(zip_err)? {
            Sink::Mem(c) => Packed::Mem(c.into_inner()),
            Sink::File(f) => Packed::File(f.into_inner().map_err(|e| temp_err(e.into_error()))?),
        };
        Ok(PackedEntry {
            name: self.name,
            sha256: hex(&self.hasher.finalize()),
            zip,
        })
    }
}

fn entry_options(name: &str) -> zip::write::SimpleFileOptions {
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1))
        .unix_permissions(0o644);
    if name.ends_with(".xlsx") {
        deflated
            .compression_method(zip::CompressionMethod::Stored)
            .compression_level(None)
    } else {
        deflated
    }
}

/// Writes the container: fills `manifest.entries` with the hashes, signs the manifest, and
/// writes a temporary file beside `path` that is synced and renamed into place, so `path`
/// is either absent or complete.
pub fn write_manifest(
    path: &Path,
    manifest: Manifest,
    entries: Vec<(String, Vec<u8>)>,
    key: &SigningKeyFile,
) -> Result<(), BundleError> {
    let packed = entries
        .iter()
        .map(|(n, b)| pack_entry(n, b))
        .collect::<Result<Vec<_>, _>>()?;
    write_packed(path, manifest, packed, key)
}

/// [`write_manifest`] with entries packed beforehand ([`pack_entry`]).
pub fn write_packed(
    path: &Path,
    mut manifest: Manifest,
    entries: Vec<PackedEntry>,
    key: &SigningKeyFile,
) -> Result<(), BundleError> {
    for e in &entries {
        manifest.entries.insert(e.name.clone(), e.sha256.clone());
    }
    let manifest_bytes = serde_json::to_vec_pretty(&manifest).map_err(|e| BundleError::Json {
        entry: MANIFEST.into(),
        line: 1,
        detail: e.to_string(),
    })?;
    let signature = hex(&key.sign(&manifest_bytes));

    let io = |p: &Path| {
        let p = p.to_path_buf();
        move |source: std::io::Error| BundleError::Io { path: p, source }
    };
    let tmp = temp_path(path);
    // The user names this file: on a shared server it is written with the user's rights,
    // never the setgid group's (which could reach the database folder).
    let _rights = crate::shared::UserRights::enter().map_err(io(path))?;
    let file = std::fs::File::create(&tmp).map_err(io(&tmp))?;
    let result = (|| -> Result<(), BundleError> {
        let mut zip = zip::ZipWriter::new(std::io::BufWriter::with_capacity(1 << 20, file));
        let zerr = |e: zip::result::ZipError| BundleError::Io {
            path: tmp.clone(),
            source: std::io::Error::other(e),
        };
        let deflated = entry_options(MANIFEST);
        zip.start_file(MANIFEST, deflated).map_err(zerr)?;
        zip.write_all(&manifest_bytes).map_err(io(&tmp))?;
        zip.start_file(SIGNATURE, deflated).map_err(zerr)?;
        zip.write_all(signature.as_bytes()).map_err(io(&tmp))?;
        for e in entries {
            match e.zip {
                Packed::Mem(bytes) => {
                    let mut one =
                        zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(zerr)?;
                    zip.raw_copy_file(one.by_index_raw(0).map_err(zerr)?)
                        .map_err(zerr)?;
                }
                Packed::File(mut file) => {
                    use std::io::Seek;
                    file.rewind().map_err(temp_err)?;
                    let mut one = zip::ZipArchive::new(BufReader::with_capacity(1 << 20, file))
                        .map_err(zerr)?;
                    zip.raw_copy_file(one.by_index_raw(0).map_err(zerr)?)
                        .map_err(zerr)?;
                }
            }
        }
        let out = zip.finish().map_err(zerr)?;
        let file = out.into_inner().map_err(|e| BundleError::Io {
            path: tmp.clone(),
            source: e.into_error(),
        })?;
        file.sync_all().map_err(io(&tmp))?;
        Ok(())
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io(path)(e)
    })?;
    // The rename itself survives a power cut only once the folder is synced.
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "bundle".into());
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

/// Entry names a container may hold besides the fixed ones: lower-case ASCII letters,
/// digits and `_`, one extension — never a path.
fn safe_name(name: &str) -> bool {
    let Some((stem, ext)) = name.split_once('.') else {
        return name == SIGNATURE;
    };
    !stem.is_empty()
        && stem.len() <= 40
        && stem
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && matches!(ext, "json" | "ndjson" | "xlsx")
}

/// Whether `name` may appear in a container of `kind` (and format `version`).
fn allowed(kind: Option<(&str, u32)>, name: &str) -> bool {
    let fixed = [MANIFEST, SIGNATURE].contains(&name);
    match kind {
        // Before the manifest is read: the union of what any kind may hold.
        None => fixed || safe_name(name),
        Some((KIND_BUNDLE, version)) => {
            fixed || record_entries(version).contains(&name) || name == WORKBOOK
        }
        Some(_) => fixed || safe_name(name),
    }
}

/// Reads and checks a container with the default caps.
pub fn read_bundle(path: &Path) -> Result<Bundle, BundleError> {
    read_bundle_with(path, &ReadLimits::default())
}

/// A reader that counts what it lets through and stops at the caps, whatever the ZIP
/// headers claim.
struct Capped<'a, R> {
    inner: R,
    entry: &'a str,
    read: u64,
    cap: u64,
    ratio_cap: u64,
    ratio: u64,
    total: &'a mut u64,
    max_total: u64,
    hasher: Sha256,
    fault: Option<BundleError>,
}

impl<R: Read> Read for Capped<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        *self.total += n as u64;
        self.hasher.update(&buf[..n]);
        let fault = if self.read > self.cap {
            Some(BundleError::EntryTooLarge {
                entry: self.entry.to_string(),
                cap: self.cap,
            })
        } else if self.read > self.ratio_cap {
            Some(BundleError::Ratio {
                entry: self.entry.to_string(),
                ratio: self.ratio,
            })
        } else if *self.total > self.max_total {
            Some(BundleError::TotalTooLarge {
                cap: self.max_total,
            })
        } else {
            None
        };
        if let Some(f) = fault {
            self.fault = Some(f);
            return Err(std::io::Error::other("cap"));
        }
        Ok(n)
    }
}

fn damaged(entry: &str, e: impl std::fmt::Display) -> BundleError {
    BundleError::Damaged {
        entry: entry.to_string(),
        detail: e.to_string(),
    }
}

/// Opens a bundle with the user's own rights (see `crate::shared`) and refuses one over the cap,
/// before anything is read: the one way both the reader and `verify` open a file.
fn open_capped(path: &Path, limits: &ReadLimits) -> Result<std::fs::File, BundleError> {
    let io = |source| BundleError::Io {
        path: path.to_path_buf(),
        source,
    };
    let (meta, file) = {
        // Opened with the user's own rights (see `crate::shared`).
        let _rights = crate::shared::UserRights::enter().map_err(io)?;
        let file = std::fs::File::open(path).map_err(io)?;
        (file.metadata().map_err(io)?, file)
    };
    if meta.len() > limits.max_file {
        return Err(BundleError::FileTooLarge {
            size: meta.len(),
            cap: limits.max_file,
        });
    }
    Ok(file)
}

/// Reads and checks a container with the given caps.
pub fn read_bundle_with(path: &Path, limits: &ReadLimits) -> Result<Bundle, BundleError> {
    let file = open_capped(path, limits)?;
    read_from(BufReader::with_capacity(1 << 16, file), limits)
}

/// Reads and checks a container held in memory (the fuzz target, tests).
pub fn read_bundle_bytes(bytes: &[u8], limits: &ReadLimits) -> Result<Bundle, BundleError> {
    if bytes.len() as u64 > limits.max_file {
        return Err(BundleError::FileTooLarge {
            size: bytes.len() as u64,
            cap: limits.max_file,
        });
    }
    read_from(std::io::Cursor::new(bytes), limits)
}

/// The head of a container: every entry name checked, the manifest parsed, its signature
/// verified against the key it names, and the entries matched against its list. Nothing
/// else is inflated.
struct Head<R> {
    zip: zip::ZipArchive<R>,
    manifest: Manifest,
    /// Unpacked bytes read so far (the manifest and the signature), towards the total cap.
    total: u64,
}

fn read_head<R: Read + std::io::Seek>(
    source: R,
    limits: &ReadLimits,
) -> Result<Head<R>, BundleError> {
    let mut zip = zip::ZipArchive::new(source).map_err(|e| BundleError::NotZip(e.to_string()))?;
    if zip.len() > limits.max_entries {
        return Err(BundleError::TooManyEntries(zip.len()));
    }

    // Names and kinds of every entry first: nothing is inflated from a file with a bad one.
    let mut names: Vec<String> = Vec::with_capacity(zip.len());
    for i in 0..zip.len() {
        let f = zip
            .by_index_raw(i)
            .map_err(|e| BundleError::NotZip(e.to_string()))?;
        let name = match std::str::from_utf8(f.name_raw()) {
            Ok(n) => n.to_string(),
            Err(_) => {
                return Err(BundleError::BadEntryName(
                    String::from_utf8_lossy(f.name_raw()).into_owned(),
                ))
            }
        };
        let shown = crate::text::sanitize(&name);
        if !allowed(None, &name) {
            return Err(BundleError::BadEntryName(shown));
        }
        if names.contains(&name) {
            return Err(BundleError::DuplicateEntry(shown));
        }
        let regular = f
            .unix_mode()
            .is_none_or(|m| m & 0o170000 == 0o100000 || m & 0o170000 == 0);
        if f.is_dir() || f.is_symlink() || !regular {
            return Err(BundleError::NotRegularFile(shown));
        }
        if f.encrypted()
            || !matches!(
                f.compression(),
                zip::CompressionMethod::Stored | zip::CompressionMethod::Deflated
            )
        {
            return Err(BundleError::UnsupportedEntry(shown));
        }
        names.push(name);
    }
    for fixed in [MANIFEST, SIGNATURE] {
        if !names.iter().any(|n| n == fixed) {
            return Err(BundleError::MissingEntry(fixed.into()));
        }
    }

    let mut total = 0u64;
    let small = |zip: &mut zip::ZipArchive<_>, name: &str, total: &mut u64| {
        let mut out = Vec::new();
        read_entry(zip, name, limits, limits.max_manifest, total, |r| {
            r.read_to_end(&mut out).map(drop)
        })?;
        Ok::<_, BundleError>(out)
    };
    let manifest_bytes = small(&mut zip, MANIFEST, &mut total)?;
    let signature = small(&mut zip, SIGNATURE, &mut total)?;
    let manifest = parse_manifest(&manifest_bytes)?;

    // The signature is checked against the key the manifest names; whether that key is
    // trusted for this sender is the registry's question (`Store::sender_key_status`).
    if keys::fingerprint(&keys::unhex(&manifest.sender.public_key).unwrap_or_default())
        != manifest.sender.fingerprint
    {
        return Err(BundleError::BadFingerprint {
            found: crate::text::sanitize(&manifest.sender.fingerprint),
        });
    }
    let sig = std::str::from_utf8(&signature)
        .ok()
        .and_then(|s| keys::unhex(s.trim()))
        .unwrap_or_default();
    if !keys::verify(&manifest.sender.public_key, &manifest_bytes, &sig) {
        return Err(BundleError::BadSignature);
    }

    // The entries are exactly those the manifest lists, and allowed for its kind.
    let kind = manifest.kind.as_str();
    let version = manifest.format_version;
    for name in &names {
        if name == MANIFEST || name == SIGNATURE {
            continue;
        }
        if !manifest.entries.contains_key(name) {
            return Err(BundleError::UnlistedEntry(name.clone()));
        }
        if !allowed(Some((kind, version)), name) {
            return Err(BundleError::BadEntryName(name.clone()));
        }
    }
    for name in manifest.entries.keys() {
        if !names.contains(name) {
            return Err(BundleError::MissingEntry(crate::text::sanitize(name)));
        }
    }
    if kind == KIND_BUNDLE {
        for name in RECORD_ENTRIES.iter().chain([&WORKBOOK]) {
            if !manifest.entries.contains_key(*name) {
                return Err(BundleError::MissingEntry(name.to_string()));
            }
        }
    }
    Ok(Head {
        zip,
        manifest,
        total,
    })
}

/// Reads only a container's manifest and checks its signature (and that the entries are
/// the ones it lists), without inflating the records: enough to decide whether to trust the
/// sender's key (`ctv keys trust`), in a fraction of the time of a full read.
pub fn read_manifest(path: &Path) -> Result<Manifest, BundleError> {
    let limits = ReadLimits::default();
    let io = |source| BundleError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = {
        // Opened with the user's own rights (see `crate::shared`).
        let _rights = crate::shared::UserRights::enter().map_err(io)?;
        std::fs::File::open(path).map_err(io)?
    };
    let size = file.metadata().map_err(io)?.len();
    if size > limits.max_file {
        return Err(BundleError::FileTooLarge {
            size,
            cap: limits.max_file,
        });
    }
    Ok(read_head(BufReader::with_capacity(1 << 16, file), &limits)?.manifest)
}

fn read_from<R: Read + std::io::Seek>(
    source: R,
    limits: &ReadLimits,
) -> Result<Bundle, BundleError> {
    read_checked(source, limits, None)
}

/// What `ctv verify` needs of a bundle's records once they have been checked: the facility
/// ids it carries and the facility ids its consultations and proposals name, in order.
#[derive(Debug, Default)]
pub struct References {
    pub facilities: HashSet<String>,
    pub consultations: Vec<String>,
    /// Each proposal's facility, then its beneficiaries', flattened in record order.
    pub proposals: Vec<String>,
}

impl References {
    /// Refuses a consultation or proposal naming a facility that is neither in the bundle
    /// nor among `known`; see [`Bundle::check_references`].
    pub fn check(&self, known: &HashSet<String>) -> Result<(), BundleError> {
        let here: HashSet<&str> = self.facilities.iter().map(String::as_str).collect();
        super::check_dangling(
            &here,
            known,
            &mut self.consultations.iter().map(String::as_str),
            &mut self.proposals.iter().map(String::as_str),
        )
    }
}

/// Reads and checks a container exactly as [`read_bundle`] does (every cap, hash, the
/// signature, strict JSON, revs, duplicate ids, counts), but keeps only the manifest and
/// the [`References`]: records are parsed in batches and dropped, so memory stays small
/// whatever the bundle's size.
pub fn verify_bundle(path: &Path) -> Result<(Manifest, References), BundleError> {
    verify_bundle_with(path, &ReadLimits::default())
}

/// [`verify_bundle`] with the given caps.
pub fn verify_bundle_with(
    path: &Path,
    limits: &ReadLimits,
) -> Result<(Manifest, References), BundleError> {
    let file = open_capped(path, limits)?;
    let mut refs = References::default();
    let b = read_checked(
        BufReader::with_capacity(1 << 16, file),
        limits,
        Some(&mut refs),
    )?;
    Ok((b.manifest, refs))
}

/// The shared reader: with `refs`, records are dropped once checked (only references are
/// kept); without, they are kept in the returned bundle.
fn read_checked<R: Read + std::io::Seek>(
    source: R,
    limits: &ReadLimits,
    mut refs: Option<&mut References>,
) -> Result<Bundle, BundleError> {
    let Head {
        mut zip,
        manifest,
        mut total,
    } = read_head(source, limits)?;
    let mut bundle = Bundle::of_manifest(manifest);
    let keep = refs.is_none();
    // Records found per entry (the bundle's vectors stay empty when they are not kept).
    let mut found: BTreeMap<String, u64> = BTreeMap::new();
    let listed: Vec<String> = bundle.manifest.entries.keys().cloned().collect();
    for name in &listed {
        let expected = bundle.manifest.entries[name].clone();
        let t = &mut total;
        let z = &mut zip;
        let outcome = match name.as_str() {
            COLLABORATORS => {
                let out = &mut bundle.collaborators;
                stream_records(z, name, limits, t, |r| &r.id, gather(out, keep, |_| {}))
            }
            FACILITIES => {
                let out = &mut bundle.facilities;
                let mut refs = refs.as_deref_mut();
                let mut look = |e: &Envelope<crate::record::FacilityRecord>| {
                    if let Some(r) = refs.as_deref_mut() {
                        r.facilities.insert(e.record.id.clone());
                    }
                };
                stream_records(z, name, limits, t, |r| &r.id, gather(out, keep, &mut look))
            }
            CONSULTATIONS => {
                let out = &mut bundle.consultations;
                let mut refs = refs.as_deref_mut();
                let mut look = |e: &Envelope<crate::record::ConsultationRecord>| {
                    if let Some(r) = refs.as_deref_mut() {
                        r.consultations.push(e.record.facility_id.clone());
                    }
                };
                stream_records(z, name, limits, t, |r| &r.id, gather(out, keep, &mut look))
            }
            PROPOSALS => {
                let out = &mut bundle.proposals;
                let mut refs = refs.as_deref_mut();
                let mut look = |e: &Envelope<crate::record::ProposalRecord>| {
                    if let Some(r) = refs.as_deref_mut() {
                        let p = &e.record;
                        r.proposals.extend(
                            p.facility_id
                                .iter()
                                .cloned()
                                .chain(p.beneficiaries.iter().map(|b| b.facility_id.clone())),
                        );
                    }
                };
                stream_records(z, name, limits, t, |r| &r.id, gather(out, keep, &mut look))
            }
            AdjustmentRecord::ENTRY => {
                read_project::<_, AdjustmentRecord>(z, name, limits, t, &mut bundle, keep)
            }
            VisitRecord::ENTRY => {
                read_project::<_, VisitRecord>(z, name, limits, t, &mut bundle, keep)
            }
            AcceptanceRecord::ENTRY => {
                read_project::<_, AcceptanceRecord>(z, name, limits, t, &mut bundle, keep)
            }
            PaymentRecord::ENTRY => {
                read_project::<_, PaymentRecord>(z, name, limits, t, &mut bundle, keep)
            }
            ResultRecord::ENTRY => {
                read_project::<_, ResultRecord>(z, name, limits, t, &mut bundle, keep)
            }
            super::ACTIVITIES => {
                let out = &mut bundle.activities;
                stream_records(z, name, limits, t, |r| &r.id, gather(out, keep, |_| {}))
            }
            VILLAGES_ENTRY => {
                let out = &mut bundle.registers.villages;
                stream_records(z, name, limits, t, |r| &r.id, gather(out, keep, |_| {}))
            }
            PRODUCTS_ENTRY => {
                let out = &mut bundle.registers.products;
                stream_records(z, name, limits, t, |r| &r.id, gather(out, keep, |_| {}))
            }
            _ => {
                let mut out = Vec::new();
                let h = read_entry(z, name, limits, limits.max_entry, t, |r| {
                    r.read_to_end(&mut out).map(drop)
                })
                .map_err(Parse::Now)?;
                let checked = if name.ends_with(".xlsx") {
                    Ok(())
                } else {
                    check_extra(name, &out)
                };
                if !name.ends_with(".xlsx") {
                    bundle.extra.insert(name.clone(), out);
                }
                match checked {
                    Ok(()) => Ok((h, 0)),
                    Err(e) => Err(Parse::After(h, e)),
                }
            }
        };
        found.insert(name.clone(), settle(name, &expected, outcome)?);
    }
    check_counts(&bundle.manifest, &found)?;
    Ok(bundle)
}

/// Each record entry holds as many records as the manifest counts (none when unlisted).
fn check_counts(manifest: &Manifest, found: &BTreeMap<String, u64>) -> Result<(), BundleError> {
    let counts = [
        (COLLABORATORS, "collaborators"),
        (FACILITIES, "facilities"),
        (CONSULTATIONS, "consultations"),
        (PROPOSALS, "proposals"),
        (
            AdjustmentRecord::ENTRY,
            <AdjustmentRecord as ProjectItem>::TABLE,
        ),
        (VisitRecord::ENTRY, <VisitRecord as ProjectItem>::TABLE),
        (
            AcceptanceRecord::ENTRY,
            <AcceptanceRecord as ProjectItem>::TABLE,
        ),
        (PaymentRecord::ENTRY, <PaymentRecord as ProjectItem>::TABLE),
        (ResultRecord::ENTRY, <ResultRecord as ProjectItem>::TABLE),
        (super::ACTIVITIES, "activities"),
        (VILLAGES_ENTRY, "craft_villages"),
        (PRODUCTS_ENTRY, "facility_products"),
    ];
    for (entry, key) in counts {
        let expected = manifest.counts.get(key).copied().unwrap_or(0);
        let found = found.get(entry).copied().unwrap_or(0);
        if expected != found {
            return Err(BundleError::CountMismatch {
                entry: entry.into(),
                expected,
                found,
            });
        }
    }
    Ok(())
}

/// How an entry read to its end compares with the manifest: a changed entry is reported as
/// changed, even when it also failed to parse.
fn settle(
    name: &str,
    expected: &str,
    outcome: Result<(String, u64), Parse>,
) -> Result<u64, BundleError> {
    match outcome {
        Ok((h, n)) if h == expected => Ok(n),
        Ok(_) => Err(BundleError::HashMismatch(name.to_string())),
        Err(Parse::After(h, _)) if h != expected => {
            Err(BundleError::HashMismatch(name.to_string()))
        }
        Err(Parse::After(_, e)) | Err(Parse::Now(e)) => Err(e),
    }
}

/// A bundle read while it is merged (issue 18): the head checked first (manifest,
/// signature, entry list), then each record entry inflated, hashed and parsed in batches
/// that go straight to the merge, and the rest of the file checked at the end. The records
/// are never all in memory. A fault of the file is kept here (the merge only hears that
/// there was one, and rolls back); the one to report is the one [`verify_bundle`] finds
/// first, as if the file had been read whole before the merge.
pub struct FileSource {
    zip: zip::ZipArchive<BufReader<std::fs::File>>,
    manifest: Manifest,
    sender: crate::store::Sender,
    limits: ReadLimits,
    /// Unpacked bytes so far, towards the total cap.
    total: u64,
    /// Records per entry read so far.
    found: BTreeMap<String, u64>,
    fault: Option<BundleError>,
}

impl FileSource {
    /// Opens a bundle and checks its head; nothing else is inflated yet.
    pub fn open(path: &Path, limits: &ReadLimits) -> Result<FileSource, BundleError> {
        let file = open_capped(path, limits)?;
        let Head {
            zip,
            manifest,
            total,
        } = read_head(BufReader::with_capacity(1 << 16, file), limits)?;
        let m = &manifest.sender;
        let sender = crate::store::Sender {
            id: m.id.clone(),
            name: m.name.clone(),
            role: m.role.clone(),
            units: m.units.clone(),
        };
        Ok(FileSource {
            zip,
            manifest,
            sender,
            limits: *limits,
            total,
            found: BTreeMap::new(),
            fault: None,
        })
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The fault that stopped the reading, if one did.
    pub fn take_fault(&mut self) -> Option<BundleError> {
        self.fault.take()
    }

    fn failed(&mut self, e: BundleError) -> Flow {
        self.fault = Some(e);
        Flow::Fault
    }
}

impl Source for FileSource {
    fn sender(&self) -> &crate::store::Sender {
        &self.sender
    }

    fn total(&self) -> usize {
        let n: u64 = self.manifest.counts.values().sum();
        usize::try_from(n).unwrap_or(usize::MAX)
    }

    fn checked(&self) -> bool {
        // `parse_line` refuses a rev that is not the content's, `stream_records` an id twice.
        true
    }

    fn each<T: Kind>(&mut self, f: &mut crate::store::Sink<'_, T>) -> Result<Flow, StoreError> {
        let name = format!("{}.ndjson", T::TABLE);
        let Some(expected) = self.manifest.entries.get(&name).cloned() else {
            return Ok(Flow::Done);
        };
        // The next batch is inflated and parsed on another thread while the merge takes
        // this one (one batch waits in the channel: memory stays at about three batches).
        let (zip, limits, total) = (&mut self.zip, &self.limits, &mut self.total);
        let (outcome, stop) = std::thread::scope(|s| {
            let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, Vec<Envelope<T>>)>(1);
            let reader = s.spawn(|| {
                let send = move |first, batch| tx.send((first, batch)).is_ok();
                stream_records(zip, &name, limits, total, <T as Kind>::id, send)
            });
            let mut stop = None;
            for (first, batch) in rx.iter() {
                if let Err(e) = f(first, &batch) {
                    stop = Some(e);
                    break;
                }
            }
            drop(rx);
            let outcome = reader.join().unwrap_or_else(|_| {
                Err(Parse::Now(BundleError::Damaged {
                    entry: name.clone(),
                    detail: "reader failed".into(),
                }))
            });
            (outcome, stop)
        });
        if let Some(e) = stop {
            return Err(e);
        }
        match settle(&name, &expected, outcome) {
            Ok(n) => {
                self.found.insert(name, n);
                Ok(Flow::Done)
            }
            Err(e) => Ok(self.failed(e)),
        }
    }

    fn finish(&mut self) -> Result<Flow, StoreError> {
        let rest: Vec<(String, String)> = self
            .manifest
            .entries
            .iter()
            .filter(|(name, _)| !self.found.contains_key(*name))
            .map(|(n, h)| (n.clone(), h.clone()))
            .collect();
        for (name, expected) in rest {
            let mut out = Vec::new();
            let xlsx = name.ends_with(".xlsx");
            let read = read_entry(
                &mut self.zip,
                &name,
                &self.limits,
                self.limits.max_entry,
                &mut self.total,
                |r| {
                    if xlsx {
                        // Hashed as it is drained: nothing to keep.
                        Ok(())
                    } else {
                        r.read_to_end(&mut out).map(drop)
                    }
                },
            );
            let outcome = match read {
                Err(e) => Err(Parse::Now(e)),
                Ok(h) => match if xlsx {
                    Ok(())
                } else {
                    check_extra(&name, &out)
                } {
                    Ok(()) => Ok((h, 0)),
                    Err(e) => Err(Parse::After(h, e)),
                },
            };
            if let Err(e) = settle(&name, &expected, outcome) {
                return Ok(self.failed(e));
            }
            self.found.insert(name, 0);
        }
        match check_counts(&self.manifest, &self.found) {
            Ok(()) => Ok(Flow::Done),
            Err(e) => Ok(self.failed(e)),
        }
    }
}

/// A failure while reading an entry: `Now` stopped reading (caps, damage); `After` is a
/// parse error found in an entry read to its end, with the entry's hash.
enum Parse {
    Now(BundleError),
    After(String, BundleError),
}

impl From<Parse> for BundleError {
    fn from(p: Parse) -> Self {
        match p {
            Parse::Now(e) | Parse::After(_, e) => e,
        }
    }
}

/// Inflates one entry through the caps, handing it to `body`, then drains the rest so the
/// hash (returned) covers all of it and the CRC is checked.
fn read_entry<R: Read + std::io::Seek>(
    zip: &mut zip::ZipArchive<R>,
    name: &str,
    limits: &ReadLimits,
    cap: u64,
    total: &mut u64,
    body: impl FnOnce(&mut dyn BufRead) -> std::io::Result<()>,
) -> Result<String, BundleError> {
    let f = zip.by_name(name).map_err(|e| damaged(name, e))?;
    let packed = f.compressed_size();
    let mut capped = Capped {
        inner: f,
        entry: name,
        read: 0,
        cap,
        ratio_cap: packed
            .saturating_mul(limits.max_ratio)
            .saturating_add(64 << 10),
        ratio: limits.max_ratio,
        total,
        max_total: limits.max_total,
        hasher: Sha256::new(),
        fault: None,
    };
    let res = {
        let mut br = BufReader::with_capacity(1 << 16, &mut capped);
        body(&mut br).and_then(|_| std::io::copy(&mut br, &mut std::io::sink()).map(drop))
    };
    if let Err(e) = res {
        return Err(capped.fault.take().unwrap_or_else(|| damaged(name, e)));
    }
    Ok(hex(&capped.hasher.finalize()))
}

fn parse_manifest(bytes: &[u8]) -> Result<Manifest, BundleError> {
    let json_err = |detail: String| BundleError::Json {
        entry: MANIFEST.into(),
        line: 1,
        detail,
    };
    if std::str::from_utf8(bytes).is_err() {
        return Err(BundleError::Utf8 {
            entry: MANIFEST.into(),
            line: 1,
        });
    }
    // The version first: a newer format is named as such, not as a list of unknown fields.
    let probe: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| json_err(e.to_string()))?;
    match probe.get("format_version").and_then(|v| v.as_u64()) {
        Some(v) if (u64::from(OLDEST_FORMAT_VERSION)..=u64::from(FORMAT_VERSION)).contains(&v) => {}
        Some(v) => {
            return Err(BundleError::Version {
                found: u32::try_from(v).unwrap_or(u32::MAX),
                known: FORMAT_VERSION,
            })
        }
        None => return Err(json_err("format_version is missing".into())),
    }
    check_json(MANIFEST, 1, &String::from_utf8_lossy(bytes))?;
    let m: Manifest = serde_json::from_slice(bytes).map_err(|e| json_err(e.to_string()))?;
    if m.kind != KIND_BUNDLE && m.kind != KIND_RECEIPT {
        return Err(BundleError::Kind(crate::text::sanitize(&m.kind)));
    }
    Ok(m)
}

/// The strict first pass (duplicate keys, text) with the entry and line named.
fn check_json(entry: &str, line: usize, doc: &str) -> Result<(), BundleError> {
    jsoncheck::check(doc).map_err(|f| match f {
        Fault::DuplicateKey(key) => BundleError::DuplicateKey {
            entry: entry.into(),
            line,
            key: crate::text::sanitize(&key),
        },
        Fault::BadText(field) => BundleError::BadText {
            entry: entry.into(),
            line,
            field: crate::text::sanitize(&field),
        },
        Fault::Syntax(detail) => BundleError::Json {
            entry: entry.into(),
            line,
            detail,
        },
    })
}

/// A receipt's own entries: UTF-8, and strict JSON (per line for `.ndjson`).
fn check_extra(name: &str, bytes: &[u8]) -> Result<(), BundleError> {
    if name.ends_with(".ndjson") {
        for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
            if line.is_empty() {
                continue;
            }
            let Ok(line) = std::str::from_utf8(line) else {
                return Err(BundleError::Utf8 {
                    entry: name.into(),
                    line: i + 1,
                });
            };
            check_json(name, i + 1, line)?;
        }
        Ok(())
    } else {
        let Ok(text) = std::str::from_utf8(bytes) else {
            return Err(BundleError::Utf8 {
                entry: name.into(),
                line: 1,
            });
        };
        check_json(name, 1, text)
    }
}

/// Reads one NDJSON entry of records: one strict envelope per line, its rev matching its
/// content, no id twice. The entry is inflated (through the caps) and hashed as it is read,
/// and its lines are parsed in batches (each on every core, in order-preserving chunks), so
/// the entry's text is never held whole. Each batch goes to `sink` with the index of its
/// first record; a sink that returns false stops the reading (the rest is still hashed).
/// Returns the entry's hash and its number of records; the first fault in line order wins,
/// and a duplicate id only when no line is faulty.
fn stream_records<R, T>(
    zip: &mut zip::ZipArchive<R>,
    name: &str,
    limits: &ReadLimits,
    total: &mut u64,
    id: fn(&T) -> &str,
    mut sink: impl FnMut(usize, Vec<Envelope<T>>) -> bool,
) -> Result<(String, u64), Parse>
where
    R: Read + std::io::Seek,
    T: DeserializeOwned + serde::Serialize + Send,
{
    let mut fault: Option<BundleError> = None;
    let mut dup: Option<BundleError> = None;
    // Ids seen, kept as 128-bit hashes (16 bytes each, not a string each: a province's
    // 500,000 consultations cost 8 MB); two ids that differ share one with odds of 1 in 2^128.
    let mut seen: HashSet<u128> = HashSet::new();
    let mut count = 0u64;
    let mut line = 1usize;
    let batch = limits.batch.max(1);
    let mut buf: Vec<u8> = Vec::with_capacity(batch + (1 << 16));
    let hash = read_entry(zip, name, limits, limits.max_entry, total, |r| {
        loop {
            let eof = {
                let got = r.fill_buf()?;
                let n = got.len();
                buf.extend_from_slice(got);
                r.consume(n);
                n == 0
            };
            if !eof && buf.len() < batch {
                continue;
            }
            let cut = if eof {
                buf.len()
            } else {
                buf.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1)
            };
            if cut > 0 {
                match parse_batch::<T>(name, line, &buf[..cut], limits) {
                    Ok(batch) => {
                        let first = count as usize;
                        for env in &batch {
                            count += 1;
                            let rid = id(&env.record);
                            if dup.is_none() && !seen.insert(id_hash(rid)) {
                                dup = Some(BundleError::DuplicateId {
                                    entry: name.into(),
                                    line: count as usize,
                                    id: crate::text::sanitize(rid),
                                });
                            }
                        }
                        if !sink(first, batch) {
                            return Ok(());
                        }
                    }
                    Err(e) => {
                        // Stop parsing; the rest is drained for the hash by `read_entry`.
                        fault = Some(e);
                        return Ok(());
                    }
                }
                line += buf[..cut].iter().filter(|&&b| b == b'\n').count();
                buf.drain(..cut);
            }
            if eof {
                return Ok(());
            }
            // A line longer than the cap with no end in sight: refused without reading on.
            if buf.len() as u64 > limits.max_line {
                fault = Some(BundleError::LineTooLong {
                    entry: name.into(),
                    line,
                    cap: limits.max_line,
                });
                return Ok(());
            }
        }
    })
    .map_err(Parse::Now)?;
    if let Some(e) = fault {
        return Err(Parse::After(hash, e));
    }
    if let Some(e) = dup {
        return Err(Parse::After(hash, e));
    }
    Ok((hash, count))
}

/// A record id's 128-bit hash (two SipHash-1-3 halves, told apart by a leading byte).
fn id_hash(id: &str) -> u128 {
    use std::hash::{Hash, Hasher};
    let half = |k: u8| {
        let mut h = std::hash::DefaultHasher::new();
        k.hash(&mut h);
        id.hash(&mut h);
        h.finish()
    };
    (u128::from(half(0)) << 64) | u128::from(half(1))
}

/// Reads the entry of one kind of đề án record into the bundle.
fn read_project<R: Read + std::io::Seek, T: ProjectItem>(
    zip: &mut zip::ZipArchive<R>,
    name: &str,
    limits: &ReadLimits,
    total: &mut u64,
    bundle: &mut Bundle,
    keep: bool,
) -> Result<(String, u64), Parse> {
    let out = T::envs_mut(&mut bundle.projects);
    let id = <T as ProjectItem>::id;
    stream_records(zip, name, limits, total, id, gather(out, keep, |_| {}))
}

/// A sink for [`stream_records`] that keeps the records in `out`, or shows each to `look`
/// and drops it.
fn gather<'a, T>(
    out: &'a mut Vec<Envelope<T>>,
    keep: bool,
    mut look: impl FnMut(&Envelope<T>) + 'a,
) -> impl FnMut(usize, Vec<Envelope<T>>) -> bool + 'a {
    move |_, batch| {
        if keep {
            out.extend(batch);
        } else {
            batch.iter().for_each(&mut look);
        }
        true
    }
}

/// Parses a batch of whole NDJSON lines, the first numbered `first`; the first fault in
/// line order wins.
fn parse_batch<T: DeserializeOwned + serde::Serialize + Send>(
    entry: &str,
    first: usize,
    bytes: &[u8],
    limits: &ReadLimits,
) -> Result<Vec<Envelope<T>>, BundleError> {
    // Chunk boundaries just after a newline, with the number of the chunk's first line.
    let parts = if bytes.len() < (1 << 20) {
        1
    } else {
        std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
    };
    let mut chunks: Vec<(usize, &[u8])> = Vec::with_capacity(parts);
    let mut from = 0usize;
    let mut line = first;
    for k in 1..=parts {
        let mut to = if k == parts {
            bytes.len()
        } else {
            (bytes.len() * k / parts).max(from)
        };
        if k < parts {
            match bytes[to..].iter().position(|&b| b == b'\n') {
                Some(p) => to += p + 1,
                None => to = bytes.len(),
            }
        }
        let chunk = &bytes[from..to];
        chunks.push((line, chunk));
        line += chunk.iter().filter(|&&b| b == b'\n').count();
        from = to;
        if from == bytes.len() {
            break;
        }
    }
    let parsed: Vec<Result<Vec<Envelope<T>>, BundleError>> = std::thread::scope(|s| {
        let handles: Vec<_> = chunks
            .iter()
            .map(|&(first, chunk)| s.spawn(move || parse_chunk(entry, first, chunk, limits)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(BundleError::Damaged {
                        entry: entry.into(),
                        detail: "parser failed".into(),
                    })
                })
            })
            .collect()
    });
    let mut out = Vec::new();
    for p in parsed {
        out.append(&mut p?);
    }
    Ok(out)
}

fn parse_chunk<T: DeserializeOwned + serde::Serialize>(
    entry: &str,
    first: usize,
    chunk: &[u8],
    limits: &ReadLimits,
) -> Result<Vec<Envelope<T>>, BundleError> {
    let mut out = Vec::new();
    let mut rest = chunk;
    let mut n = first;
    while !rest.is_empty() {
        let (line, next) = match rest.iter().position(|&b| b == b'\n') {
            Some(p) => (&rest[..p], &rest[p + 1..]),
            None => (rest, &rest[rest.len()..]),
        };
        if line.len() as u64 > limits.max_line {
            return Err(BundleError::LineTooLong {
                entry: entry.into(),
                line: n,
                cap: limits.max_line,
            });
        }
        out.push(parse_line(entry, n, line)?);
        rest = next;
        n += 1;
    }
    Ok(out)
}

fn parse_line<T: DeserializeOwned + serde::Serialize>(
    entry: &str,
    n: usize,
    line: &[u8],
) -> Result<Envelope<T>, BundleError> {
    let Ok(line) = std::str::from_utf8(line) else {
        return Err(BundleError::Utf8 {
            entry: entry.into(),
            line: n,
        });
    };
    // Parsed from `str`: the line was checked as UTF-8 once, not again per string.
    check_json(entry, n, line)?;
    let env: Envelope<T> = serde_json::from_str(line).map_err(|e| BundleError::Json {
        entry: entry.into(),
        line: n,
        detail: e.to_string(),
    })?;
    if content_rev(&env.record) != env.rev {
        return Err(BundleError::RevMismatch {
            entry: entry.into(),
            line: n,
        });
    }
    Ok(env)
}
