//! Snapshots, restore and the health check: the ways a collaborator gets months of work back.
//!
//! Snapshots are whole-database copies made with SQLite's online backup API (a page copy
//! inside one read transaction: consistent, and writers are not blocked in WAL mode) into
//! `snapshots/` beside the database. The file name carries the time, the reason and the
//! record counts, so listing them reads no database. Every file is written beside its final
//! name, fsynced and renamed: a crash leaves either the old state or the new one.
//!
//! Snapshots are kept compressed with zstd (`.db.zst`, with zstd's own checksum) and their
//! total is capped ([`CAP_SETTING`], by default [`DEFAULT_CAP_FACTOR`] × the database): over
//! the cap, the oldest weekly and then daily ones go first ([`cap_drops`]). Restore and check
//! read a compressed snapshot through a temporary file beside the database ([`unpack`]),
//! checked before use.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Datelike, NaiveDateTime, Utc};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use super::{schema_version, Result, Store, StoreError};
use crate::clock::vn_offset;

/// Why a snapshot was taken; rotation keeps a different number of each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SnapshotReason {
    Daily,
    BeforeMigration,
    BeforeImport,
    BeforeRestore,
    Manual,
}

impl SnapshotReason {
    pub const ALL: [SnapshotReason; 5] = [
        SnapshotReason::Daily,
        SnapshotReason::BeforeMigration,
        SnapshotReason::BeforeImport,
        SnapshotReason::BeforeRestore,
        SnapshotReason::Manual,
    ];

    /// The stable name used in file names.
    pub fn slug(self) -> &'static str {
        match self {
            SnapshotReason::Daily => "daily",
            SnapshotReason::BeforeMigration => "before-migration",
            SnapshotReason::BeforeImport => "before-import",
            SnapshotReason::BeforeRestore => "before-restore",
            SnapshotReason::Manual => "manual",
        }
    }

    pub fn parse(s: &str) -> Option<SnapshotReason> {
        Self::ALL.into_iter().find(|r| r.slug() == s)
    }

    /// How many of this reason rotation keeps (daily ones: see [`DAILY_KEEP`], [`WEEKLY_KEEP`]).
    fn keep(self) -> usize {
        match self {
            SnapshotReason::Daily => DAILY_KEEP,
            SnapshotReason::Manual => MANUAL_KEEP,
            _ => OTHER_KEEP,
        }
    }
}

/// The newest daily snapshot of each of the last 7 days that have one …
pub const DAILY_KEEP: usize = 7;
/// … and, of the older daily ones, the newest of each of the 4 most recent ISO weeks.
pub const WEEKLY_KEEP: usize = 4;
/// The last 3 before a migration, an import and a restore …
pub const OTHER_KEEP: usize = 3;
/// … and the last 5 asked for by hand.
pub const MANUAL_KEEP: usize = 5;

/// The setting (in the database's `settings`) for the snapshots' total size on disk, in MB.
pub const CAP_SETTING: &str = "snapshot_cap_mb";
/// Without that setting, the snapshots may take this many times the database's size.
pub const DEFAULT_CAP_FACTOR: u64 = 5;
/// Snapshots taken before a migration, an import or a restore within this many days are
/// never dropped to meet the cap.
pub const CAP_PROTECT_DAYS: i64 = 7;
/// zstd's default level: most of the gain on SQLite pages for little CPU (see PERFORMANCE.md).
const ZSTD_LEVEL: i32 = 3;
/// How a compressed snapshot's name ends.
const ZST_SUFFIX: &str = ".db.zst";

/// One snapshot file, described by its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub path: PathBuf,
    /// When it was taken, Vietnam local time.
    pub at: NaiveDateTime,
    pub reason: SnapshotReason,
    pub facilities: i64,
    pub consultations: i64,
    pub bytes: u64,
}

impl Snapshot {
    /// Whether the file is zstd-compressed (every snapshot since issue 18; older ones and
    /// raw copies of a broken database are plain SQLite files).
    pub fn is_compressed(&self) -> bool {
        self.path.to_string_lossy().ends_with(ZST_SUFFIX)
    }

    pub fn file_name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }
}

/// `<folder of the database>/snapshots`.
pub fn snapshots_dir(db: &Path) -> PathBuf {
    db.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .join("snapshots")
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A snapshot's file name; `ext` is `.db.zst` (compressed) or `.db` (a plain copy).
fn file_name_for(
    at: NaiveDateTime,
    reason: SnapshotReason,
    (f, c): (i64, i64),
    n: u32,
    ext: &str,
) -> String {
    let suffix = if n > 1 {
        format!("_{n}")
    } else {
        String::new()
    };
    format!(
        "ctv_{}_{}_f{f}_c{c}{suffix}{ext}",
        at.format("%Y-%m-%d_%H-%M-%S"),
        reason.slug()
    )
}

/// Reads a snapshot's description back from its file name (None for any other file).
fn parse_name(name: &str) -> Option<(NaiveDateTime, SnapshotReason, i64, i64)> {
    let name = name.strip_prefix("ctv_")?;
    let stem = name
        .strip_suffix(ZST_SUFFIX)
        .or_else(|| name.strip_suffix(".db"))?;
    let parts: Vec<&str> = stem.split('_').collect();
    if parts.len() < 5 {
        return None;
    }
    let at =
        NaiveDateTime::parse_from_str(&format!("{} {}", parts[0], parts[1]), "%Y-%m-%d %H-%M-%S")
            .ok()?;
    let reason = SnapshotReason::parse(parts[2])?;
    let f = parts[3].strip_prefix('f')?.parse().ok()?;
    let c = parts[4].strip_prefix('c')?.parse().ok()?;
    Some((at, reason, f, c))
}

/// The snapshots of the database at `db`, newest first. No folder: none.
pub fn list_snapshots(db: &Path) -> Result<Vec<Snapshot>> {
    let dir = snapshots_dir(db);
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_err(&dir)(e)),
    };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some((at, reason, facilities, consultations)) = parse_name(&name) {
            out.push(Snapshot {
                path: entry.path(),
                at,
                reason,
                facilities,
                consultations,
                bytes: entry.metadata().map(|m| m.len()).unwrap_or(0),
            });
        }
    }
    out.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| b.path.cmp(&a.path)));
    Ok(out)
}

/// The newest snapshot, if any: what a message about a broken file offers.
pub fn latest_snapshot(db: &Path) -> Option<Snapshot> {
    list_snapshots(db).ok()?.into_iter().next()
}

fn create_private_dir(dir: &Path) -> Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir).map_err(io_err(dir))
}

fn sync_dir(dir: &Path) {
    // Makes the rename itself durable (Unix); elsewhere the rename is what we have.
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

fn sync_file(path: &Path) -> Result<()> {
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(io_err(path))
}

/// A new, empty file readable by its owner only — on a shared server by the group too
/// (0660 in the group's 2770 folder: every snapshot is usable by the group, whoever's session
/// made it).
fn create_private_file(path: &Path) -> Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let mode = if crate::env::is_shared_run() {
            0o660
        } else {
            0o600
        };
        opts.mode(mode);
    }
    opts.open(path).map(drop).map_err(io_err(path))
}

fn count(conn: &Connection, table: &str) -> rusqlite::Result<i64> {
    let exists: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1)",
        [table],
        |r| r.get(0),
    )?;
    if !exists {
        return Ok(0);
    }
    conn.query_row(&format!("SELECT count(*) FROM \"{table}\""), [], |r| {
        r.get(0)
    })
}

/// Copies the database behind `src` into `tmp` (a new file), then makes it self-contained
/// (rollback journal, so a snapshot is one file) and durable. Returns (facilities,
/// consultations) as of the copy.
fn copy_into(src: &Connection, tmp: &Path) -> Result<(i64, i64)> {
    create_private_file(tmp)?;
    let mut dst = Connection::open(tmp)?;
    // One read transaction for the counts and the copy, so they describe the same state.
    src.execute_batch("BEGIN")?;
    let copied = (|| -> Result<(i64, i64)> {
        let counts = (count(src, "facilities")?, count(src, "consultations")?);
        let backup = Backup::new(src, &mut dst)?;
        let mut tries = 0;
        loop {
            match backup.step(-1)? {
                StepResult::Done => break,
                StepResult::More => {}
                _ if tries < 50 => {
                    tries += 1;
                    std::thread::sleep(Duration::from_millis(100));
                }
                _ => {
                    return Err(StoreError::Sqlite(rusqlite::Error::SqliteFailure(
                        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
                        None,
                    )))
                }
            }
        }
        Ok(counts)
    })();
    let _ = src.execute_batch("COMMIT");
    let counts = copied?;
    let _mode: String = dst.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))?;
    dst.close().map_err(|(_, e)| StoreError::Sqlite(e))?;
    sync_file(tmp)?;
    Ok(counts)
}

/// Takes a snapshot of the database `src` (which lives at `db`) and applies the rotation.
pub fn snapshot_from(
    src: &Connection,
    db: &Path,
    reason: SnapshotReason,
    now: DateTime<Utc>,
) -> Result<Snapshot> {
    // Setgid: the files are created with the group's rights, which `UserRights` on another
    // thread would take away meanwhile (see `shared::GROUP_RIGHTS`).
    let _rights = crate::shared::hold_group_rights();
    let dir = snapshots_dir(db);
    create_private_dir(&dir)?;
    clean_stale_temporaries(&dir);
    let at = now.with_timezone(&vn_offset()).naive_local();
    let tmp = dir.join(format!(
        ".tmp_{}_{}_{}.db",
        at.format("%Y-%m-%d_%H-%M-%S"),
        reason.slug(),
        std::process::id()
    ));
    let packed = dir.join(format!(
        ".tmp_{}_{}_{}{ZST_SUFFIX}",
        at.format("%Y-%m-%d_%H-%M-%S"),
        reason.slug(),
        std::process::id()
    ));
    let copied = copy_into(src, &tmp).and_then(|n| compress_file(&tmp, &packed).map(|()| n));
    let _ = std::fs::remove_file(&tmp);
    let (f, c) = match copied {
        Ok(n) => n,
        Err(e) => {
            let _ = std::fs::remove_file(&packed);
            return Err(e);
        }
    };
    let mut n = 1;
    let path = loop {
        let p = dir.join(file_name_for(at, reason, (f, c), n, ZST_SUFFIX));
        if !p.exists() {
            break p;
        }
        n += 1;
    };
    if let Err(e) = std::fs::rename(&packed, &path) {
        let _ = std::fs::remove_file(&packed);
        return Err(io_err(&path)(e));
    }
    sync_dir(&dir);
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    rotate_at(db, at, cap_setting(src))?;
    Ok(Snapshot {
        path,
        at,
        reason,
        facilities: f,
        consultations: c,
        bytes,
    })
}

/// `from` (an SQLite file) compressed into the new file `to`, fsynced. zstd's frame
/// checksum is on, so a damaged snapshot is refused when unpacked, not restored.
fn compress_file(from: &Path, to: &Path) -> Result<()> {
    create_private_file(to)?;
    let run = || -> std::io::Result<()> {
        let mut input = std::fs::File::open(from)?;
        let out = std::fs::OpenOptions::new().write(true).open(to)?;
        let mut enc = zstd::stream::Encoder::new(std::io::BufWriter::new(out), ZSTD_LEVEL)?;
        enc.include_checksum(true)?;
        std::io::copy(&mut input, &mut enc)?;
        let out = enc.finish()?.into_inner().map_err(|e| e.into_error())?;
        out.sync_all()
    };
    run().map_err(io_err(to))
}

/// The first four bytes of a zstd frame.
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xB5, 0x2F, 0xFD];

fn is_zstd(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && head == ZSTD_MAGIC
}

/// A database file ready to be opened: the file itself, or a compressed snapshot unpacked
/// into a temporary file (removed when this is dropped, unless [`Unpacked::keep`] took it).
#[derive(Debug)]
pub struct Unpacked {
    path: PathBuf,
    temporary: bool,
}

impl Unpacked {
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the file is a temporary one this process unpacked.
    pub fn is_temporary(&self) -> bool {
        self.temporary
    }

    /// Takes the temporary file over (it is renamed elsewhere): no longer removed on drop.
    fn keep(mut self) -> PathBuf {
        self.temporary = false;
        std::mem::take(&mut self.path)
    }
}

impl Drop for Unpacked {
    fn drop(&mut self) {
        if self.temporary {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// `file` as an SQLite file: unchanged if it is not zstd-compressed, else decompressed into
/// a new private temporary file in the folder of `beside` (the database, so that a restore
/// can rename it into place), fsynced. A damaged compressed file is [`StoreError::Damaged`].
pub fn unpack(file: &Path, beside: &Path) -> Result<Unpacked> {
    if !is_zstd(file) {
        return Ok(Unpacked {
            path: file.to_path_buf(),
            temporary: false,
        });
    }
    let _rights = crate::shared::hold_group_rights();
    let dir = beside
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let out = Unpacked {
        path: dir.join(format!(".ctv-unpack-{}.db", std::process::id())),
        temporary: true,
    };
    create_private_file(&out.path)?;
    let run = || -> std::io::Result<()> {
        let input = std::fs::File::open(file)?;
        let dst = std::fs::OpenOptions::new().write(true).open(&out.path)?;
        let mut w = std::io::BufWriter::new(dst);
        let mut dec = zstd::stream::Decoder::new(input)?;
        std::io::copy(&mut dec, &mut w)?;
        w.into_inner().map_err(|e| e.into_error())?.sync_all()
    };
    match run() {
        Ok(()) => Ok(out),
        // zstd reports a bad frame or checksum as invalid data; anything else is the disk's.
        Err(e)
            if e.kind() == std::io::ErrorKind::InvalidData
                || e.kind() == std::io::ErrorKind::Other =>
        {
            Err(StoreError::Damaged(file.to_path_buf()))
        }
        Err(e) => Err(io_err(&out.path)(e)),
    }
}

/// The cap setting as read on `conn` (None if unset, unreadable or no number).
fn cap_setting(conn: &Connection) -> Option<u64> {
    conn.query_row(
        "SELECT value FROM settings WHERE key = ?1",
        [CAP_SETTING],
        |r| r.get::<_, String>(0),
    )
    .ok()
    .and_then(|v| v.trim().parse::<u64>().ok())
}

/// The database's size on disk: the file and its WAL.
pub fn database_bytes(db: &Path) -> u64 {
    let len = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    len(db) + len(&sidecar(db, "-wal"))
}

/// The snapshots' cap in bytes: the setting (MB) if given, else [`DEFAULT_CAP_FACTOR`] × the
/// database's size.
pub fn snapshot_cap(db: &Path, setting_mb: Option<u64>) -> u64 {
    match setting_mb {
        Some(mb) => mb.saturating_mul(1_000_000),
        None => database_bytes(db).saturating_mul(DEFAULT_CAP_FACTOR),
    }
}

/// Which snapshots go to bring their total down to `cap` bytes, in the order they go: the
/// weekly ones (daily snapshots older than the 7 newest days), oldest first; then the daily
/// ones, oldest first; then any other, oldest first. Never the newest of each reason, nor
/// one taken before a migration, an import or a restore within [`CAP_PROTECT_DAYS`] of
/// `now`; `may_delete` says what this run may remove at all (a shared server's rules).
pub fn cap_drops(
    snaps: &[Snapshot],
    cap: u64,
    now: NaiveDateTime,
    may_delete: impl Fn(&Snapshot) -> bool,
) -> Vec<PathBuf> {
    let mut total: u64 = snaps.iter().map(|s| s.bytes).sum();
    if total <= cap {
        return Vec::new();
    }
    let mut sorted: Vec<&Snapshot> = snaps.iter().collect();
    sorted.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| b.path.cmp(&a.path)));
    let mut newest = HashSet::new();
    let mut recent_days = Vec::new();
    for s in &sorted {
        if !newest.iter().any(|(r, _)| *r == s.reason) {
            newest.insert((s.reason, s.path.clone()));
        }
        let day = s.at.date();
        if s.reason == SnapshotReason::Daily
            && !recent_days.contains(&day)
            && recent_days.len() < DAILY_KEEP
        {
            recent_days.push(day);
        }
    }
    let since = now - chrono::Duration::days(CAP_PROTECT_DAYS);
    let protected = |s: &Snapshot| {
        newest.iter().any(|(_, p)| *p == s.path)
            || (matches!(
                s.reason,
                SnapshotReason::BeforeMigration
                    | SnapshotReason::BeforeImport
                    | SnapshotReason::BeforeRestore
            ) && s.at >= since)
    };
    // 0: weekly, 1: daily, 2: the rest; oldest first within each.
    let tier = |s: &Snapshot| match s.reason {
        SnapshotReason::Daily if !recent_days.contains(&s.at.date()) => 0,
        SnapshotReason::Daily => 1,
        _ => 2,
    };
    let mut candidates: Vec<&Snapshot> = sorted
        .into_iter()
        .filter(|s| !protected(s) && may_delete(s))
        .collect();
    candidates.sort_by(|a, b| {
        tier(a)
            .cmp(&tier(b))
            .then_with(|| a.at.cmp(&b.at))
            .then_with(|| a.path.cmp(&b.path))
    });
    let mut out = Vec::new();
    for s in candidates {
        if total <= cap {
            break;
        }
        total = total.saturating_sub(s.bytes);
        out.push(s.path.clone());
    }
    out
}

/// A snapshot interrupted by a crash (or by quitting the app mid-copy) leaves a temporary
/// file; one older than an hour is nobody's work in progress.
fn clean_stale_temporaries(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let stale = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > Duration::from_secs(3600));
        if stale && e.file_name().to_string_lossy().starts_with(".tmp_") {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Which of `snaps` the rotation keeps: see [`DAILY_KEEP`] and the constants after it. The
/// newest of each reason is always kept.
pub fn rotation_keeps(snaps: &[Snapshot]) -> HashSet<PathBuf> {
    let mut sorted: Vec<&Snapshot> = snaps.iter().collect();
    sorted.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| b.path.cmp(&a.path)));
    let mut keep = HashSet::new();
    for reason in SnapshotReason::ALL {
        let of: Vec<&Snapshot> = sorted
            .iter()
            .copied()
            .filter(|s| s.reason == reason)
            .collect();
        if reason != SnapshotReason::Daily {
            keep.extend(of.iter().take(reason.keep()).map(|s| s.path.clone()));
            continue;
        }
        // Newest per day, for the 7 newest days.
        let mut days = Vec::new();
        let mut rest = Vec::new();
        for s in of {
            let day = s.at.date();
            if days.contains(&day) {
                continue;
            }
            if days.len() < DAILY_KEEP {
                days.push(day);
                keep.insert(s.path.clone());
            } else {
                rest.push(s);
            }
        }
        // Then the newest of each older ISO week, for 4 weeks.
        let mut weeks = Vec::new();
        for s in rest {
            let w = s.at.date().iso_week();
            let week = (w.year(), w.week());
            if !weeks.contains(&week) && weeks.len() < WEEKLY_KEEP {
                weeks.push(week);
                keep.insert(s.path.clone());
            }
        }
    }
    keep
}

/// Who runs a rotation on a shared server: its rules depend on it (see [`shared_keeps`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rotator {
    /// The real uid of the run.
    pub uid: u32,
    /// Vietnam local time now, from the system clock.
    pub now: NaiveDateTime,
}

impl Rotator {
    /// This process, if it is a shared run (`crate::env::is_shared_run`).
    fn current() -> Option<Rotator> {
        if !crate::env::is_shared_run() {
            return None;
        }
        #[cfg(unix)]
        // SAFETY: getuid only reads the process credentials.
        let uid = unsafe { libc::getuid() };
        #[cfg(not(unix))]
        let uid = 1;
        Some(Rotator {
            uid,
            now: Utc::now().with_timezone(&vn_offset()).naive_local(),
        })
    }
}

/// The uid that created a snapshot (the account whose run named it).
fn owner_of(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).ok().map(|m| m.uid())
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// Which snapshots a rotation by `who` on a shared server may delete. Snapshots dated in the
/// future (a moved clock) take no real one's place; manual ones rotate within each account's
/// own quota; a user's run deletes only snapshots its own account named, and never one taken
/// before a migration, an import or a restore (root's run may delete any the rules allow).
pub fn shared_deletable(snaps: &[(Snapshot, Option<u32>)], who: Rotator) -> Vec<PathBuf> {
    let real: Vec<Snapshot> = snaps
        .iter()
        .filter(|(s, _)| s.at <= who.now + chrono::Duration::minutes(5))
        .map(|(s, _)| s.clone())
        .collect();
    let not_manual: Vec<Snapshot> = real
        .iter()
        .filter(|s| s.reason != SnapshotReason::Manual)
        .cloned()
        .collect();
    let mut keep = rotation_keeps(&not_manual);
    let mut owners: Vec<Option<u32>> = snaps.iter().map(|(_, o)| *o).collect();
    owners.sort();
    owners.dedup();
    for owner in owners {
        let manual: Vec<Snapshot> = snaps
            .iter()
            .filter(|(s, o)| *o == owner && s.reason == SnapshotReason::Manual)
            .filter(|(s, _)| real.iter().any(|r| r.path == s.path))
            .map(|(s, _)| s.clone())
            .collect();
        keep.extend(rotation_keeps(&manual));
    }
    let root = who.uid == 0;
    snaps
        .iter()
        .filter(|(s, _)| !keep.contains(&s.path))
        .filter(|(s, owner)| {
            root || (*owner == Some(who.uid)
                && matches!(s.reason, SnapshotReason::Daily | SnapshotReason::Manual))
        })
        .map(|(s, _)| s.path.clone())
        .collect()
}

/// Deletes the snapshots the rotation does not keep, then those over the cap (`cap_mb`: the
/// setting, see [`snapshot_cap`]); `now` is Vietnam local time. Returns what was removed.
pub fn rotate_at(db: &Path, now: NaiveDateTime, cap_mb: Option<u64>) -> Result<Vec<PathBuf>> {
    let snaps = list_snapshots(db)?;
    let cap = snapshot_cap(db, cap_mb);
    let mut removed = Vec::new();
    let mut remove = |p: PathBuf| -> Result<()> {
        std::fs::remove_file(&p).map_err(io_err(&p))?;
        removed.push(p);
        Ok(())
    };
    if let Some(who) = Rotator::current() {
        let owned: Vec<(Snapshot, Option<u32>)> = snaps
            .into_iter()
            .map(|s| {
                let o = owner_of(&s.path);
                (s, o)
            })
            .collect();
        let gone = shared_deletable(&owned, who);
        let left: Vec<(Snapshot, Option<u32>)> = owned
            .into_iter()
            .filter(|(s, _)| !gone.contains(&s.path))
            .collect();
        for p in gone {
            remove(p)?;
        }
        // The same ownership rules as the rotation's: a user's run removes only the daily
        // and manual snapshots its own account named.
        let snaps: Vec<Snapshot> = left.iter().map(|(s, _)| s.clone()).collect();
        let over = cap_drops(&snaps, cap, who.now, |s| {
            who.uid == 0
                || (left
                    .iter()
                    .any(|(l, o)| l.path == s.path && *o == Some(who.uid))
                    && matches!(s.reason, SnapshotReason::Daily | SnapshotReason::Manual))
        });
        for p in over {
            remove(p)?;
        }
        return Ok(removed);
    }
    let keep = rotation_keeps(&snaps);
    let (kept, gone): (Vec<Snapshot>, Vec<Snapshot>) =
        snaps.into_iter().partition(|s| keep.contains(&s.path));
    for s in gone {
        remove(s.path)?;
    }
    for p in cap_drops(&kept, cap, now, |_| true) {
        remove(p)?;
    }
    Ok(removed)
}

/// The cap setting of the database at `db`, read on a connection of its own.
fn cap_setting_of(db: &Path) -> Option<u64> {
    Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .ok()
    .and_then(|c| cap_setting(&c))
}

/// The snapshots' cap in bytes for the database at `db` (what `ctv snapshots` shows).
pub fn snapshot_cap_of(db: &Path) -> u64 {
    snapshot_cap(db, cap_setting_of(db))
}

/// [`rotate_at`] now, with the database's own cap setting.
pub fn rotate(db: &Path) -> Result<Vec<PathBuf>> {
    let now = Utc::now().with_timezone(&vn_offset()).naive_local();
    rotate_at(db, now, cap_setting_of(db))
}

/// Whether no daily snapshot was taken yet on `now`'s day (Vietnam time).
pub fn daily_due(db: &Path, now: DateTime<Utc>) -> bool {
    let today = now.with_timezone(&vn_offset()).date_naive();
    !list_snapshots(db)
        .unwrap_or_default()
        .iter()
        .any(|s| s.reason == SnapshotReason::Daily && s.at.date() == today)
}

/// The daily snapshot, on a connection of its own (a job thread can run it while the app
/// draws). Nothing to do if one was taken today or nothing was ever written.
pub fn take_daily_if_due(db: &Path, now: DateTime<Utc>) -> Result<Option<Snapshot>> {
    if !daily_due(db, now) {
        return Ok(None);
    }
    // Opening the database needs the group's rights too (see `snapshot_from`).
    let _rights = crate::shared::hold_group_rights();
    let conn = Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(Duration::from_secs(5))?;
    daily_on(&conn, db, now)
}

fn daily_on(conn: &Connection, db: &Path, now: DateTime<Utc>) -> Result<Option<Snapshot>> {
    let has_change_log: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'change_log')",
        [],
        |r| r.get(0),
    )?;
    let written = has_change_log
        && conn.query_row("SELECT EXISTS (SELECT 1 FROM change_log)", [], |r| {
            r.get::<_, bool>(0)
        })?;
    if !written {
        return Ok(None);
    }
    snapshot_from(conn, db, SnapshotReason::Daily, now).map(Some)
}

impl Store {
    /// A snapshot of this database now (None for an in-memory store).
    pub fn snapshot(&self, reason: SnapshotReason) -> Result<Option<Snapshot>> {
        match self.path() {
            Some(p) => snapshot_from(self.conn(), p, reason, self.clock().now()).map(Some),
            None => Ok(None),
        }
    }

    /// Sets the snapshots' cap in MB (None: back to the default, 5 × the database).
    pub fn set_snapshot_cap(&mut self, mb: Option<u64>) -> Result<()> {
        // On a shared server the snapshots are the group's: their cap is the administrator's.
        if (self.is_shared() || crate::env::is_shared_run()) && !crate::shared::is_root() {
            return Err(StoreError::NotAdmin);
        }
        match mb {
            Some(mb) => self.set_setting(CAP_SETTING, &mb.to_string()),
            None => self.write(|tx| {
                tx.execute("DELETE FROM settings WHERE key = ?1", [CAP_SETTING])?;
                Ok(())
            }),
        }
    }

    /// A copy of a shared database into a file of the user's choosing carries every record
    /// of every commune and the accounts table: root's alone. Anyone may still take a manual
    /// snapshot, which stays in the group's closed folder.
    pub fn check_may_backup_to_file(&self) -> Result<()> {
        if (self.is_shared() || crate::env::is_shared_run()) && !crate::shared::is_root() {
            return Err(StoreError::BackupRootOnly);
        }
        Ok(())
    }

    /// The daily snapshot on this store's own connection, if due (the command line's way).
    pub fn take_daily_if_due(&self) -> Result<Option<Snapshot>> {
        let now = self.clock().now();
        match self.path() {
            Some(p) if daily_due(p, now) => daily_on(self.conn(), p, now),
            _ => Ok(None),
        }
    }

    /// Caps the database size at its current pages (or `pages`, if more): every later write
    /// that needs a new page fails as on a full disk. For tests of the disk-full path.
    pub fn limit_pages(&self, pages: i64) -> Result<()> {
        let _now: i64 =
            self.conn()
                .query_row(&format!("PRAGMA max_page_count = {pages}"), [], |r| {
                    r.get(0)
                })?;
        Ok(())
    }
}

/// What a database file holds, once it has passed [`verify_database`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DatabaseInfo {
    pub schema: usize,
    pub facilities: i64,
    pub consultations: i64,
}

/// Checks that `path` is a whole CTV database this program can use: an SQLite file, with
/// CTV's tables, a known schema version, and a passing integrity check. A compressed
/// snapshot is unpacked beside itself first and checked as what it holds.
pub fn verify_database(path: &Path) -> Result<DatabaseInfo> {
    let file = unpack(path, path)?;
    verify_plain(file.path()).map_err(|e| named(e, file.path(), path))
}

fn verify_plain(path: &Path) -> Result<DatabaseInfo> {
    if !path.is_file() {
        return Err(StoreError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::from(std::io::ErrorKind::NotFound),
        });
    }
    if !super::looks_like_sqlite(path) {
        return Err(StoreError::NotADatabase(path.to_path_buf()));
    }
    super::check_header(path)?;
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    let not_db = |e: rusqlite::Error| {
        if is_broken(&e) {
            StoreError::Damaged(path.to_path_buf())
        } else {
            StoreError::Sqlite(e)
        }
    };
    let schema: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(not_db)?;
    let schema = schema.max(0) as usize;
    if schema > schema_version() {
        return Err(StoreError::SchemaTooNew {
            found: schema,
            known: schema_version(),
        });
    }
    let tables: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'
               AND name IN ('settings', 'collaborators', 'facilities', 'change_log')",
            [],
            |r| r.get(0),
        )
        .map_err(not_db)?;
    if schema == 0 || tables < 4 {
        return Err(StoreError::NotADatabase(path.to_path_buf()));
    }
    let problems = integrity(&conn).map_err(not_db)?;
    if !problems.is_empty() {
        return Err(StoreError::Damaged(path.to_path_buf()));
    }
    Ok(DatabaseInfo {
        schema,
        facilities: count(&conn, "facilities").map_err(not_db)?,
        consultations: count(&conn, "consultations").map_err(not_db)?,
    })
}

/// SQLite's own verdict on a damaged file, as opposed to any other failure.
pub fn is_broken(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseCorrupt) | Some(rusqlite::ErrorCode::NotADatabase)
    )
}

/// `PRAGMA integrity_check`'s complaints (empty when the file is sound).
fn integrity(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare("PRAGMA integrity_check")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for r in rows {
        let r = r?;
        if r != "ok" {
            out.push(r);
        }
    }
    Ok(out)
}

fn sidecar(db: &Path, suffix: &str) -> PathBuf {
    let mut s = db.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// What a restore did.
#[derive(Debug)]
pub struct RestoreOutcome {
    pub restored: DatabaseInfo,
    /// The database as it was before, kept as a snapshot (None if there was none).
    pub kept: Option<PathBuf>,
}

/// Replaces the database at `db` by the CTV database `from`, after checking `from`
/// ([`verify_database`]) and keeping the current database as a `before-restore` snapshot.
/// The new file is written beside the database, fsynced and renamed over it, so a crash
/// leaves one or the other. Refused while another program has the database open.
pub fn restore(db: &Path, from: &Path, now: DateTime<Utc>) -> Result<RestoreOutcome> {
    // A compressed snapshot is unpacked beside the database and checked there: the checked
    // file is the one renamed into place.
    let source = unpack(from, db)?;
    let info = verify_plain(source.path()).map_err(|e| named(e, source.path(), from))?;
    if let (Ok(a), Ok(b)) = (db.canonicalize(), from.canonicalize()) {
        if a == b {
            return Err(StoreError::SameFile(a));
        }
    }
    let dir = db
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !dir.is_dir() {
        return Err(StoreError::MissingDirectory(dir.to_path_buf()));
    }
    let wal = sidecar(db, "-wal");
    // Other sessions with the file open would go on writing into the file replaced under
    // them: refused before anything is written, naming whom to wait for.
    let holders = holders_of(db);
    if !holders.is_empty() {
        return Err(StoreError::InUseBy(holders));
    }
    // The replaced file's owner, group and mode go to the new one (a shared server's
    // database is root:ctv 0660; a restore must not lock the group out).
    let kept_rights = rights_of(db);
    let kept = if db.exists() {
        Some(keep_current(db, now)?)
    } else {
        None
    };
    // Our connection was the last one if closing it removed the WAL; a WAL still there
    // belongs to another CTV (or another program) with the file open. A refused restore
    // leaves no snapshot behind.
    if wal.exists() {
        if let Some(k) = &kept {
            let _ = std::fs::remove_file(k);
        }
        return Err(StoreError::InUse(db.to_path_buf()));
    }
    let tmp = if source.is_temporary() {
        source.keep()
    } else {
        let tmp = sidecar(db, ".restoring");
        let copied = (|| -> Result<()> {
            let src = Connection::open_with_flags(
                from,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?;
            copy_into(&src, &tmp).map(drop)
        })();
        if let Err(e) = copied {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        tmp
    };
    if let Some(r) = kept_rights {
        if let Err(e) = apply_rights(&tmp, r) {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
    }
    if let Err(e) = std::fs::rename(&tmp, db) {
        let _ = std::fs::remove_file(&tmp);
        return Err(io_err(db)(e));
    }
    // No WAL may survive beside the new file: SQLite would replay it onto the wrong database.
    let _ = std::fs::remove_file(sidecar(db, "-shm"));
    sync_dir(dir);
    Ok(RestoreOutcome {
        restored: info,
        kept,
    })
}

/// The accounts of the other processes holding the database (or its WAL/SHM) open, each
/// named once.
fn holders_of(db: &Path) -> Vec<String> {
    let files = [db.to_path_buf(), sidecar(db, "-wal"), sidecar(db, "-shm")];
    let mut who: Vec<String> = crate::shared::processes_holding(&files)
        .into_iter()
        .map(|(_, account)| account)
        .collect();
    who.sort();
    who.dedup();
    who
}

/// (uid, gid, mode) of a file, where the platform has them.
#[cfg(unix)]
type Rights = (u32, u32, u32);
#[cfg(not(unix))]
type Rights = ();

fn rights_of(path: &Path) -> Option<Rights> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path)
            .ok()
            .map(|m| (m.uid(), m.gid(), m.mode() & 0o7777))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

fn apply_rights(path: &Path, rights: Rights) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let (uid, gid, mode) = rights;
        // Only root may give a file away; anyone else keeps their own file, same group if a
        // member (the mode is what matters most: the group must keep reading and writing).
        let (u, g) = if crate::shared::is_root() {
            (Some(uid), Some(gid))
        } else {
            (None, Some(gid))
        };
        if let Err(e) = std::os::unix::fs::chown(path, u, g) {
            if crate::shared::is_root() {
                return Err(io_err(path)(e));
            }
        }
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .map_err(io_err(path))?;
    }
    #[cfg(not(unix))]
    let _ = (path, rights);
    Ok(())
}

/// Keeps the database about to be replaced: a snapshot if SQLite can still read it, else a
/// plain copy of the file (and its WAL) under a snapshot name.
fn keep_current(db: &Path, now: DateTime<Utc>) -> Result<PathBuf> {
    let conn = Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(Duration::from_secs(5))?;
    let snap = (|| -> Result<Snapshot> {
        // Fold the WAL into the file first, so that nothing lives only in the WAL.
        let _: (i64, i64, i64) = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
        snapshot_from(&conn, db, SnapshotReason::BeforeRestore, now)
    })();
    drop(conn);
    match snap {
        Ok(s) => Ok(s.path),
        Err(StoreError::Sqlite(e)) if is_broken(&e) => raw_copy(db, now),
        Err(StoreError::Damaged(_)) => raw_copy(db, now),
        Err(e) => Err(e),
    }
}

fn raw_copy(db: &Path, now: DateTime<Utc>) -> Result<PathBuf> {
    let dir = snapshots_dir(db);
    create_private_dir(&dir)?;
    let at = now.with_timezone(&vn_offset()).naive_local();
    let dest = dir.join(file_name_for(
        at,
        SnapshotReason::BeforeRestore,
        (0, 0),
        1,
        ".db",
    ));
    let tmp = dir.join(format!(".tmp_raw_{}.db", std::process::id()));
    create_private_file(&tmp)?;
    std::fs::copy(db, &tmp).map_err(io_err(&tmp))?;
    sync_file(&tmp)?;
    std::fs::rename(&tmp, &dest).map_err(io_err(&dest))?;
    let wal = sidecar(db, "-wal");
    if wal.exists() {
        let _ = std::fs::copy(&wal, sidecar(&dest, "-wal"));
    }
    sync_dir(&dir);
    Ok(dest)
}

/// Copies the database at `db` to a new file `dest` (refused if `dest` exists).
pub fn backup_to(db: &Path, dest: &Path) -> Result<DatabaseInfo> {
    if dest.exists() {
        return Err(StoreError::Exists(dest.to_path_buf()));
    }
    let dir = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !dir.is_dir() {
        return Err(StoreError::MissingDirectory(dir.to_path_buf()));
    }
    let src = Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    src.busy_timeout(Duration::from_secs(5))?;
    let schema: i64 = src.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let tmp = sidecar(dest, ".tmp");
    let (facilities, consultations) = match copy_into(&src, &tmp) {
        Ok(n) => n,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
    };
    std::fs::rename(&tmp, dest).map_err(io_err(dest))?;
    sync_dir(dir);
    Ok(DatabaseInfo {
        schema: schema.max(0) as usize,
        facilities,
        consultations,
    })
}

// ------------------------------------------------------------------------------------------
// The health check

/// A record whose version disagrees with its change log.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VersionMismatch {
    pub entity: &'static str,
    pub id: String,
    pub version: i64,
    /// The highest version the change log has for it (None: no entry at all).
    pub logged: Option<i64>,
}

/// A code stored in records that the reference data no longer has.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UnknownCode {
    /// What kind of code: "commune", "entity_type", "trade_group", "mode", "topic".
    pub kind: &'static str,
    pub code: String,
    /// How many records carry it.
    pub records: i64,
}

/// What `ctv check` reports. Lists are cut at [`CHECK_LIMIT`] items; the counts are whole.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct CheckReport {
    pub schema: usize,
    /// The file is shorter than its header says (copied half-way).
    pub truncated: bool,
    pub integrity: Vec<String>,
    pub foreign_keys: Vec<String>,
    pub versions: Vec<VersionMismatch>,
    pub versions_total: usize,
    /// Change-log entries about records that do not exist: (entity, id).
    pub orphans: Vec<(String, String)>,
    pub orphans_total: usize,
    pub unknown_codes: Vec<UnknownCode>,
    /// Đề án whose money and stage columns (kept by triggers) differ from what their project
    /// records give (the view `project_calc`): ids, and how many in all.
    pub kept_money: Vec<String>,
    pub kept_money_total: usize,
    /// Records whose history does not reproduce the creation row (the rev, or the logged
    /// body): (entity, id); how many in all; how many records were walked.
    pub histories: Vec<(String, String)>,
    pub histories_total: usize,
    pub histories_checked: usize,
}

pub const CHECK_LIMIT: usize = 20;

impl CheckReport {
    pub fn is_ok(&self) -> bool {
        !self.truncated
            && self.integrity.is_empty()
            && self.foreign_keys.is_empty()
            && self.versions_total == 0
            && self.orphans_total == 0
            && self.unknown_codes.is_empty()
            && self.kept_money_total == 0
            && self.histories_total == 0
    }
}

/// Checks the database at `path` without changing it (opened read-only, never migrated, so
/// a damaged or older file can be checked too). A compressed snapshot is unpacked beside
/// itself first ([`unpack`]).
pub fn check_database(path: &Path) -> Result<CheckReport> {
    check_database_with(path, false)
}

/// How many records `ctv check --quick` walks back through their history.
pub const QUICK_SAMPLE: usize = 1000;

/// [`check_database`]; `quick` walks the history of a random sample of [`QUICK_SAMPLE`]
/// records instead of every record.
pub fn check_database_with(path: &Path, quick: bool) -> Result<CheckReport> {
    let file = unpack(path, path)?;
    check_plain(file.path(), quick).map_err(|e| named(e, file.path(), path))
}

/// An error about the unpacked temporary file `tmp`, told about the file the user named.
fn named(e: StoreError, tmp: &Path, orig: &Path) -> StoreError {
    match e {
        StoreError::NotADatabase(p) if p == tmp => StoreError::NotADatabase(orig.to_path_buf()),
        StoreError::Damaged(p) if p == tmp => StoreError::Damaged(orig.to_path_buf()),
        e => e,
    }
}

fn check_plain(path: &Path, quick: bool) -> Result<CheckReport> {
    if !path.is_file() {
        return Err(StoreError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::from(std::io::ErrorKind::NotFound),
        });
    }
    if !super::looks_like_sqlite(path) {
        return Err(StoreError::NotADatabase(path.to_path_buf()));
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(Duration::from_secs(5))?;
    let mut report = CheckReport {
        truncated: super::check_header(path).is_err(),
        ..Default::default()
    };
    let run = |report: &mut CheckReport| -> rusqlite::Result<()> {
        let schema: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        report.schema = schema.max(0) as usize;
        report.integrity.extend(integrity(&conn)?);
        if !report.integrity.is_empty() {
            return Ok(());
        }
        foreign_keys(&conn, report)?;
        versions(&conn, report)?;
        codes(&conn, report)?;
        kept_money(&conn, report)?;
        if report.schema == schema_version() {
            // Older files have other columns; they are checked once migrated.
            histories(&conn, report, quick)?;
        }
        Ok(())
    };
    if let Err(e) = run(&mut report) {
        if is_broken(&e) || report.integrity.is_empty() {
            report.integrity.push(e.to_string());
        }
    }
    if report.schema > schema_version() {
        return Err(StoreError::SchemaTooNew {
            found: report.schema,
            known: schema_version(),
        });
    }
    Ok(report)
}

fn table_exists(conn: &Connection, name: &str) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1)",
        [name],
        |r| r.get(0),
    )
}

/// The kept columns of `proposals` against `project_calc` (schema 14 on; older files have
/// neither).
fn kept_money(conn: &Connection, report: &mut CheckReport) -> rusqlite::Result<()> {
    let has_view: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'view' AND name = 'project_calc')",
        [],
        |r| r.get(0),
    )?;
    if !has_view {
        return Ok(());
    }
    let mut stmt = conn.prepare(
        "SELECT p.id FROM proposals p JOIN project_calc c ON c.proposal_id = p.id
         WHERE c.approved IS NOT p.cur_support OR c.planned_end IS NOT p.cur_end
            OR c.paid IS NOT p.paid OR c.last_progress IS NOT p.last_progress
            OR c.accepted IS NOT p.accepted
            OR p.facility_sort IS NOT (SELECT f.sort_key FROM facilities f WHERE f.id = p.facility_id)
         ORDER BY p.id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        report.kept_money_total += 1;
        if report.kept_money.len() < CHECK_LIMIT {
            report.kept_money.push(r.get(0)?);
        }
    }
    Ok(())
}

/// Walks every facility (or a sample) back through its history to its creation row: the
/// first version must hash to the logged rev (or give the logged body).
fn histories(conn: &Connection, report: &mut CheckReport, quick: bool) -> rusqlite::Result<()> {
    let sql = if quick {
        format!("SELECT id FROM facilities ORDER BY random() LIMIT {QUICK_SAMPLE}")
    } else {
        "SELECT id FROM facilities ORDER BY id".to_string()
    };
    let ids: Vec<String> = conn
        .prepare(&sql)?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in ids {
        report.histories_checked += 1;
        // No creation row at all is the version check's finding, not this one's.
        let Some(first) = super::change_log::first_facility(conn, &id)? else {
            continue;
        };
        if !first.reproduced {
            report.histories_total += 1;
            if report.histories.len() < CHECK_LIMIT {
                report.histories.push(("facility".to_string(), id));
            }
        }
    }
    Ok(())
}

fn foreign_keys(conn: &Connection, report: &mut CheckReport) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let table: String = r.get(0)?;
        let rowid: Option<i64> = r.get(1)?;
        let parent: String = r.get(2)?;
        report.foreign_keys.push(format!(
            "{table} #{} → {parent}",
            rowid.map_or_else(|| "?".into(), |n| n.to_string())
        ));
    }
    Ok(())
}

fn versions(conn: &Connection, report: &mut CheckReport) -> rusqlite::Result<()> {
    for (entity, table) in [
        ("facility", "facilities"),
        ("consultation", "consultations"),
    ] {
        if !table_exists(conn, table)? {
            continue;
        }
        // The change log's index (entity, record_id, seq) makes each lookup a short seek.
        let mut stmt = conn.prepare(&format!(
            "SELECT t.id, t.version,
                    (SELECT max(version) FROM change_log c
                      WHERE c.entity = ?1 AND c.record_id = t.id) AS logged
               FROM {table} t
              WHERE logged IS NULL OR logged <> t.version"
        ))?;
        let mut rows = stmt.query([entity])?;
        while let Some(r) = rows.next()? {
            report.versions_total += 1;
            if report.versions.len() < CHECK_LIMIT {
                report.versions.push(VersionMismatch {
                    entity,
                    id: r.get(0)?,
                    version: r.get(1)?,
                    logged: r.get(2)?,
                });
            }
        }
        let mut stmt = conn.prepare(&format!(
            "SELECT DISTINCT record_id FROM change_log
              WHERE entity = ?1 AND record_id NOT IN (SELECT id FROM {table})"
        ))?;
        let mut rows = stmt.query([entity])?;
        while let Some(r) = rows.next()? {
            report.orphans_total += 1;
            if report.orphans.len() < CHECK_LIMIT {
                report.orphans.push((entity.to_string(), r.get(0)?));
            }
        }
    }
    Ok(())
}

fn codes(conn: &Connection, report: &mut CheckReport) -> rusqlite::Result<()> {
    let units = crate::refdata::units();
    let lists = crate::refdata::codes();
    type Known<'a> = Box<dyn Fn(&str) -> bool + 'a>;
    let checks: Vec<(&'static str, &str, &str, Known<'_>)> = vec![
        (
            "commune",
            "facilities",
            "commune_code",
            Box::new(|c| units.commune(c).is_some()),
        ),
        (
            "entity_type",
            "facilities",
            "entity_type",
            Box::new(|c| lists.entity_types.contains(c)),
        ),
        (
            "trade_group",
            "facilities",
            "trade_group",
            Box::new(|c| lists.trade_groups.contains(c)),
        ),
        (
            "commune",
            "consultations",
            "commune_code",
            Box::new(|c| units.commune(c).is_some()),
        ),
        (
            "mode",
            "consultations",
            "cur_mode",
            Box::new(|c| lists.consultation_modes.contains(c)),
        ),
        (
            "topic",
            "consultation_topics",
            "topic",
            Box::new(|c| lists.support_categories.contains(c)),
        ),
    ];
    let mut found: BTreeMap<(&'static str, String), i64> = BTreeMap::new();
    for (kind, table, column, known) in checks {
        if !table_exists(conn, table)? {
            continue;
        }
        let mut stmt = conn.prepare(&format!(
            "SELECT {column}, count(*) FROM {table} WHERE {column} IS NOT NULL
              AND {column} <> '' GROUP BY {column}"
        ))?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let code: String = r.get(0)?;
            if !known(&code) {
                *found.entry((kind, code)).or_default() += r.get::<_, i64>(1)?;
            }
        }
    }
    report.unknown_codes = found
        .into_iter()
        .map(|((kind, code), records)| UnknownCode {
            kind,
            code,
            records,
        })
        .collect();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(at: &str, reason: SnapshotReason, n: u32) -> Snapshot {
        let at = NaiveDateTime::parse_from_str(at, "%Y-%m-%d %H:%M").unwrap();
        Snapshot {
            path: PathBuf::from(file_name_for(at, reason, (1, 1), n, ZST_SUFFIX)),
            at,
            reason,
            facilities: 1,
            consultations: 1,
            bytes: 0,
        }
    }

    fn now() -> NaiveDateTime {
        NaiveDateTime::parse_from_str("2026-12-04 10:00", "%Y-%m-%d %H:%M").unwrap()
    }

    /// Issue 13: forged future "daily" snapshots must not push the real ones out, and a
    /// user's run deletes only what that user's runs named.
    #[test]
    fn forged_future_dailies_take_no_real_ones_place() {
        let user = 1000;
        let mut snaps: Vec<(Snapshot, Option<u32>)> = (1..=3)
            .map(|d| {
                (
                    snap(&format!("2026-12-0{d} 08:00"), SnapshotReason::Daily, 1),
                    Some(0),
                )
            })
            .collect();
        for d in 1..=9 {
            snaps.push((
                snap(&format!("2099-01-0{d} 08:00"), SnapshotReason::Daily, 1),
                Some(user),
            ));
        }
        let gone = shared_deletable(
            &snaps,
            Rotator {
                uid: user,
                now: now(),
            },
        );
        for (s, _) in &snaps[..3] {
            assert!(
                !gone.contains(&s.path),
                "a real daily was deleted: {gone:?}"
            );
        }
        // Root's own run keeps the real ones too (the forged ones are not "newer").
        let gone = shared_deletable(&snaps, Rotator { uid: 0, now: now() });
        for (s, _) in &snaps[..3] {
            assert!(!gone.contains(&s.path));
        }
        assert_eq!(gone.len(), 9, "root clears the forged ones: {gone:?}");
    }

    #[test]
    fn a_users_backups_rotate_within_their_own_quota() {
        let user = 1000;
        let mut snaps = vec![
            (snap("2026-11-01 08:00", SnapshotReason::Manual, 1), Some(0)),
            (
                snap("2026-11-01 09:00", SnapshotReason::BeforeImport, 1),
                Some(2000),
            ),
            (
                snap("2026-11-02 09:00", SnapshotReason::BeforeImport, 1),
                Some(user),
            ),
            (
                snap("2026-11-03 09:00", SnapshotReason::BeforeImport, 1),
                Some(user),
            ),
            (
                snap("2026-11-04 09:00", SnapshotReason::BeforeImport, 1),
                Some(user),
            ),
            (
                snap("2026-11-05 09:00", SnapshotReason::BeforeImport, 1),
                Some(user),
            ),
        ];
        for m in 1..=8 {
            snaps.push((
                snap(&format!("2026-12-01 08:0{m}"), SnapshotReason::Manual, 1),
                Some(user),
            ));
        }
        let gone = shared_deletable(
            &snaps,
            Rotator {
                uid: user,
                now: now(),
            },
        );
        assert!(
            !gone.contains(&snaps[0].0.path),
            "root's manual backup stays"
        );
        assert!(
            gone.iter()
                .all(|p| !p.to_string_lossy().contains("before-")),
            "a user's run never deletes a before-… snapshot: {gone:?}"
        );
        assert_eq!(gone.len(), 3, "8 manual of the user, 5 kept: {gone:?}");
        assert!(gone
            .iter()
            .all(|p| p.to_string_lossy().contains("_manual_")));
    }

    fn sized(at: &str, reason: SnapshotReason, bytes: u64) -> Snapshot {
        Snapshot {
            bytes,
            ..snap(at, reason, 1)
        }
    }

    /// Issue 18: over the cap, the weekly ones go first, oldest first, then the daily ones;
    /// the newest of each reason and anything before a migration, import or restore within
    /// 7 days stay, whatever the cap.
    #[test]
    fn the_cap_drops_weekly_then_daily_and_never_the_protected() {
        let mut snaps = Vec::new();
        // Daily: 7 recent days (28/11–4/12) and 3 weekly ones (9/11, 16/11, 23/11).
        for d in ["2026-11-09", "2026-11-16", "2026-11-23"] {
            snaps.push(sized(&format!("{d} 08:00"), SnapshotReason::Daily, 10));
        }
        for d in 28..=30 {
            snaps.push(sized(
                &format!("2026-11-{d} 08:00"),
                SnapshotReason::Daily,
                10,
            ));
        }
        for d in 1..=4 {
            snaps.push(sized(
                &format!("2026-12-0{d} 08:00"),
                SnapshotReason::Daily,
                10,
            ));
        }
        // Before an import: one 10 days ago (not protected), one 2 days ago (protected),
        // and the newest of their reason.
        snaps.push(sized("2026-11-24 09:00", SnapshotReason::BeforeImport, 10));
        snaps.push(sized("2026-12-02 09:00", SnapshotReason::BeforeImport, 10));
        snaps.push(sized("2026-12-03 09:00", SnapshotReason::BeforeImport, 10));
        // A migration 6 days 23 hours ago: protected; a manual one, the newest of its reason.
        snaps.push(sized(
            "2026-11-27 11:00",
            SnapshotReason::BeforeMigration,
            10,
        ));
        snaps.push(sized("2026-11-20 09:00", SnapshotReason::Manual, 10));
        let total: u64 = snaps.iter().map(|s| s.bytes).sum();
        assert_eq!(total, 150);

        // Under the cap: nothing goes.
        assert!(cap_drops(&snaps, 150, now(), |_| true).is_empty());

        // 20 over: the two oldest weekly ones.
        let gone = cap_drops(&snaps, 130, now(), |_| true);
        let at = |p: &PathBuf| snaps.iter().find(|s| &s.path == p).unwrap().at.to_string();
        let ats: Vec<String> = gone.iter().map(at).collect();
        assert_eq!(ats, ["2026-11-09 08:00:00", "2026-11-16 08:00:00"]);

        // 50 over: all three weekly, then the two oldest daily ones.
        let ats: Vec<String> = cap_drops(&snaps, 100, now(), |_| true)
            .iter()
            .map(at)
            .collect();
        assert_eq!(
            ats,
            [
                "2026-11-09 08:00:00",
                "2026-11-16 08:00:00",
                "2026-11-23 08:00:00",
                "2026-11-28 08:00:00",
                "2026-11-29 08:00:00"
            ]
        );

        // A cap of nothing: everything but the protected goes — the newest daily (4/12),
        // the two imports of the last 7 days, the migration of 27/11 11:00 and the manual
        // one (the newest of its reason) stay; the import of 24/11 goes after the dailies.
        let gone = cap_drops(&snaps, 0, now(), |_| true);
        let kept: Vec<String> = snaps
            .iter()
            .filter(|s| !gone.contains(&s.path))
            .map(|s| s.at.to_string())
            .collect();
        assert_eq!(
            kept,
            [
                "2026-12-04 08:00:00",
                "2026-12-02 09:00:00",
                "2026-12-03 09:00:00",
                "2026-11-27 11:00:00",
                "2026-11-20 09:00:00"
            ]
        );
        assert_eq!(gone.last().map(at).as_deref(), Some("2026-11-24 09:00:00"));

        // A shared server's user may delete only what the rules let it: nothing else goes.
        let gone = cap_drops(&snaps, 0, now(), |s| {
            s.at.date().to_string() == "2026-11-16"
        });
        assert_eq!(
            gone.iter().map(at).collect::<Vec<_>>(),
            ["2026-11-16 08:00:00"]
        );
    }

    #[test]
    fn the_default_cap_is_five_times_the_database_and_the_setting_wins() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("ctv.db");
        std::fs::write(&db, vec![0u8; 1000]).unwrap();
        assert_eq!(snapshot_cap(&db, None), 5000);
        std::fs::write(sidecar(&db, "-wal"), vec![0u8; 200]).unwrap();
        assert_eq!(snapshot_cap(&db, None), 6000);
        assert_eq!(snapshot_cap(&db, Some(3)), 3_000_000);
    }

    #[test]
    fn old_plain_snapshot_names_still_list() {
        let at = now();
        for ext in [".db", ZST_SUFFIX] {
            let name = file_name_for(at, SnapshotReason::Daily, (4, 5), 2, ext);
            let (t, r, f, c) = parse_name(&name).unwrap();
            assert_eq!((t, r, f, c), (at, SnapshotReason::Daily, 4, 5));
        }
        assert!(parse_name("ctv_x.zst").is_none());
    }
}
