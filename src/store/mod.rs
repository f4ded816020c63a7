//! The SQLite store. One `Store` owns the connection; every write is one `BEGIN IMMEDIATE`
//! transaction that also writes its change-log rows.

mod activities;
mod backup;
pub mod bundles;
mod busy;
pub mod caps;
mod change_log;
mod collaborators;
mod consultations;
mod facilities;
mod flow;
mod merge;
mod plan;
mod products;
mod project_view;
mod projects;
mod proposals;
mod queue;
mod receipts;
pub mod register;
pub mod report;
mod rows;
pub mod targets;
mod villages;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::SecondsFormat;
use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior};
use rusqlite_migration::{Migrations, M};
use thiserror::Error;

use crate::clock::{Clock, SystemClock};
use crate::domain::issue::Issues;
use crate::domain::Profile;

pub use activities::{take_activities_in, ActivityFilter, ActivityRow, FacilityMatch};
pub use backup::{
    backup_to, cap_drops, check_database, check_database_with, daily_due, database_bytes,
    latest_snapshot, list_snapshots, restore, rotate, rotate_at, rotation_keeps, snapshot_cap,
    snapshot_cap_of, snapshot_from, snapshots_dir, take_daily_if_due, unpack, verify_database,
    CheckReport, DatabaseInfo, RestoreOutcome, Snapshot, SnapshotReason, UnknownCode, Unpacked,
    VersionMismatch, CAP_SETTING, CHECK_LIMIT, QUICK_SAMPLE,
};
pub use busy::BUSY_TIMEOUT;
pub use change_log::{ChangeEntry, FirstVersion};
pub use consultations::{BulkConsultation, BulkFollowUp, ConsultationFilter, GRACE_HOURS_SETTING};
pub use facilities::{FacilityFilter, FacilitySort, ImportOutcome};
pub use flow::{set_flow_in, AREA_REVIEW_SETTING};
pub use merge::{
    AllRecords, Conflict, DuplicatePair, DuplicateRow, EntityCounts, Incoming, MergeMoves,
    MergeReport, RecordProblem, Sender, Side, ENTITIES,
};
pub(crate) use merge::{Flow, Kind, Sink, Source};
pub use project_view::{
    Approval, Event, EventDetail, Outcome, ProjectFilter, ProjectPage, ProjectSums, ProjectTotals,
    Stage,
};
pub use projects::{take_project_records_in, ProjectMoney};
pub use proposals::{default_title, transition_in, ProposalFilter, ProposalMove, ProposalPrefill};
pub use queue::lock_path;
pub use receipts::{record_receipt_in, KeptReceipt};
pub use villages::{is_recognised, village_input};

/// The schema, oldest first. Never edit a released migration: add one.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/001_init.sql"),
    include_str!("migrations/002_search.sql"),
    include_str!("migrations/003_consultations.sql"),
    include_str!("migrations/004_proposals.sql"),
    include_str!("migrations/005_needs_index.sql"),
    include_str!("migrations/006_search_in_name_order.sql"),
    include_str!("migrations/007_bundles.sql"),
    include_str!("migrations/008_merge.sql"),
    include_str!("migrations/009_search_tax_code.sql"),
    include_str!("migrations/010_proposal_flow.sql"),
    include_str!("migrations/011_project_records.sql"),
    include_str!("migrations/012_project_money.sql"),
    include_str!("migrations/013_support_caps.sql"),
    include_str!("migrations/014_group_projects.sql"),
    include_str!("migrations/015_activities.sql"),
    include_str!("migrations/016_craft_villages.sql"),
    include_str!("migrations/017_targets.sql"),
    include_str!("migrations/018_compact_sort_key.sql"),
];

/// Migration 018 (index in `MIGRATIONS`): its keys are made in Rust, by its hook.
const COMPACT_SORT_KEY: usize = 17;

fn migrations() -> Migrations<'static> {
    Migrations::new(
        MIGRATIONS
            .iter()
            .enumerate()
            .map(|(i, sql)| {
                if i == COMPACT_SORT_KEY {
                    M::up_with_hook(sql, rewrite_sort_keys)
                } else {
                    M::up(sql)
                }
            })
            .collect(),
    )
}

/// Migration 018's hook: every stored Vietnamese sort key rewritten as `vn_sort_key` makes it
/// now, then what is built from the keys rebuilt (the search table in key order, the indexes).
fn rewrite_sort_keys(tx: &rusqlite::Transaction) -> rusqlite_migration::HookResult {
    for table in ["facilities", "craft_villages"] {
        let rows: Vec<(i64, String)> = tx
            .prepare(&format!("SELECT rowid, name FROM {table}"))?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut set = tx.prepare(&format!(
            "UPDATE {table} SET sort_key = ?2 WHERE rowid = ?1"
        ))?;
        for (rowid, name) in rows {
            set.execute(rusqlite::params![rowid, crate::text::vn_sort_key(&name)])?;
        }
    }
    tx.execute_batch(include_str!("migrations/018_compact_sort_key_rebuild.sql"))?;
    Ok(())
}

/// SQLite's own default page cache (2 MB, as KiB negative): enough for browsing, and small
/// enough for old PCs and many sessions on one server.
pub(crate) const DEFAULT_CACHE_SIZE: i64 = -2000;

/// The schema version this build writes.
pub fn schema_version() -> usize {
    MIGRATIONS.len()
}

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("schema migration failed: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error(
        "the database was written by a newer CTV (schema {found}, this program knows {known})"
    )]
    SchemaTooNew { found: usize, known: usize },
    #[error("{0} is not a CTV database")]
    NotADatabase(PathBuf),
    #[error("the folder {0} does not exist")]
    MissingDirectory(PathBuf),
    #[error("cannot create {path}: {source}")]
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid record")]
    Invalid(Issues),
    #[error("record {0} not found")]
    NotFound(String),
    #[error(
        "record {id} was changed by someone else (version {expected} expected, {found} found)"
    )]
    Conflict {
        id: String,
        expected: i64,
        found: i64,
    },
    #[error("no collaborator profile: run `ctv init` first")]
    NoProfile,
    #[error("the account {0} has no collaborator profile on this shared database")]
    NoAccountProfile(String),
    #[error("the account {0} is disabled on this shared database")]
    AccountDisabled(String),
    #[error("{path} is on a network file system ({kind}): SQLite's locking is not safe there")]
    NetworkFilesystem { path: PathBuf, kind: &'static str },
    #[error("only an administrator (root or a province profile) may do this")]
    NotAdmin,
    #[error("only the provincial centre (a province profile) may do this")]
    ProvinceOnly,
    #[error("only root may change the profile of {0} (root or a province officer)")]
    RootOnly(String),
    #[error("a backup to a file of a shared database is for root only")]
    BackupRootOnly,
    #[error("the database is in use by {}", .0.join(", "))]
    InUseBy(Vec<String>),
    #[error("the commune {0} is outside your scope")]
    OutOfScope(String),
    #[error("a profile already exists")]
    ProfileExists,
    #[error("stored data is malformed: {0}")]
    Corrupt(String),
    /// A merge stopped because the file it read failed a check (the reader says which).
    #[error("the bundle's file failed a check while it was read")]
    SourceFault,
    #[error("consultation {0} can no longer be edited: amend it instead")]
    Locked(String),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0} is damaged (truncated or corrupt)")]
    Damaged(PathBuf),
    #[error("{0} is read-only")]
    ReadOnly(PathBuf),
    #[error("{0} is open in another program")]
    InUse(PathBuf),
    #[error("{0} already exists")]
    Exists(PathBuf),
    #[error("{0} is the database itself")]
    SameFile(PathBuf),
    #[error("consultation {0} has no follow-up")]
    NoFollowUp(String),
    #[error("the follow-up of consultation {0} is already done")]
    FollowUpDone(String),
    #[error("proposal {0}: no acceptance that passed")]
    NeedsAcceptance(String),
    #[error("only the provincial centre sets the flow")]
    FlowProvinceOnly,
    #[error("proposal {id}: {refusal}")]
    Transition {
        id: String,
        refusal: crate::domain::proposal::Refusal,
    },
    #[error("bundle: {entity} on line {line} ({id}) is refused: {problem:?}")]
    BadRecord {
        entity: String,
        /// 1-based line of the entity's record file (0: not from a file).
        line: usize,
        id: String,
        problem: merge::RecordProblem,
    },
    #[error("proposal {id}: {refusal}")]
    Project {
        id: String,
        refusal: crate::domain::project::ProjectRefusal,
    },
    #[error("proposal {id} is {status:?}: only a draft can be edited")]
    NotEditable {
        id: String,
        status: crate::domain::proposal::ProposalStatus,
    },
}

/// The record `id` as read, or `NotFound`.
pub(crate) fn found<T>(id: &str, record: Option<T>) -> Result<T> {
    record.ok_or_else(|| StoreError::NotFound(id.to_string()))
}

/// An edit made on version `expected` of `id`, which is at `found` now: a `Conflict` unless
/// they are the same (nothing is written then).
pub(crate) fn same_version(id: &str, expected: i64, found: i64) -> Result<()> {
    if expected == found {
        Ok(())
    } else {
        Err(StoreError::Conflict {
            id: id.into(),
            expected,
            found,
        })
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Who the store attributes writes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub id: String,
    pub name: String,
}

pub struct Store {
    /// Declared first so that it is dropped before `busy`, which its busy handler points to.
    conn: Connection,
    busy: Box<busy::BusyWait>,
    clock: Arc<dyn Clock>,
    path: Option<PathBuf>,
    profile: Option<Profile>,
    /// A shared server's database: the profile comes from the account, and reading is limited
    /// to the profile's scope.
    shared: bool,
    /// Who writes when root administers a shared database without a profile of its own.
    admin: Option<Actor>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .field("profile", &self.profile)
            .finish()
    }
}

/// The default database: `<platform data dir>/ctv.db`.
pub fn default_db_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("vn", "khuyencong", "ctv").map(|d| d.data_dir().join("ctv.db"))
}

/// The data folder of the default database: only its owner may enter it.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir)
}

impl Store {
    /// Opens (creating if needed) the database at `path` with the real clock.
    pub fn open(path: &Path) -> Result<Store> {
        Self::open_with_clock(path, Arc::new(SystemClock))
    }

    /// The one way the front ends open the database for work — the command line, the
    /// terminal app's start, its job threads and its reopen after a restore: with the given
    /// clock, the default folder created private when missing, and a shared database bound to
    /// the account (the profile is the account's, whatever the settings say).
    pub fn open_for_work(path: &Path, clock: Arc<dyn Clock>) -> Result<Store> {
        if let Some(dir) = path.parent() {
            let is_default = default_db_path().as_deref() == Some(path);
            if is_default && !dir.exists() {
                create_private_dir(dir).map_err(|source| StoreError::Io {
                    path: dir.to_path_buf(),
                    source,
                })?;
            }
        }
        let mut store = Store::open_with_clock(path, clock)?;
        store.bind_account()?;
        // Test hook: a database that cannot grow, to see the disk-full path end to end.
        if let Some(pages) = crate::env::var("CTV_MAX_PAGE_COUNT").and_then(|v| v.parse().ok()) {
            store.limit_pages(pages)?;
        }
        Ok(store)
    }

    pub fn open_with_clock(path: &Path, clock: Arc<dyn Clock>) -> Result<Store> {
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if !dir.is_dir() {
            return Err(StoreError::MissingDirectory(dir.to_path_buf()));
        }
        if let Some(kind) = network_filesystem(dir) {
            return Err(StoreError::NetworkFilesystem {
                path: path.to_path_buf(),
                kind,
            });
        }
        if !path.exists() {
            create_private_file(path)?;
        } else {
            if !looks_like_sqlite(path) {
                return Err(StoreError::NotADatabase(path.to_path_buf()));
            }
            check_header(path)?;
            // Root may write to a file without write permission; a file marked read-only is
            // still not ours to change.
            if std::fs::metadata(path).is_ok_and(|m| m.permissions().readonly()) {
                return Err(StoreError::ReadOnly(path.to_path_buf()));
            }
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI,
        )?;
        if conn.is_readonly(rusqlite::MAIN_DB)? {
            return Err(StoreError::ReadOnly(path.to_path_buf()));
        }
        Self::init(conn, clock, Some(path.to_path_buf())).map_err(|e| match e {
            StoreError::Sqlite(ref s) if backup::is_broken(s) => {
                StoreError::Damaged(path.to_path_buf())
            }
            StoreError::Sqlite(ref s)
                if s.sqlite_error_code() == Some(rusqlite::ErrorCode::ReadOnly) =>
            {
                StoreError::ReadOnly(path.to_path_buf())
            }
            e => e,
        })
    }

    /// Opens an existing database only to read it (`ctv verify`): no migration, no journal
    /// change, no snapshot — the file is not written at all. A database of an older schema
    /// opens too; [`Store::is_current_schema`] tells the caller.
    pub fn open_read_only(path: &Path) -> Result<Store> {
        if !looks_like_sqlite(path) {
            return Err(StoreError::NotADatabase(path.to_path_buf()));
        }
        check_header(path)?;
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI,
        )?;
        let busy = busy::BusyWait::new();
        busy::install(&conn, &busy)?;
        let found: usize =
            conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
                .map_err(|_| StoreError::NotADatabase(path.to_path_buf()))? as usize;
        if found > schema_version() {
            return Err(StoreError::SchemaTooNew {
                found,
                known: schema_version(),
            });
        }
        let mut store = Store {
            conn,
            clock: Arc::new(SystemClock),
            path: Some(path.to_path_buf()),
            profile: None,
            shared: false,
            admin: None,
            busy,
        };
        if found == schema_version() {
            store.shared = store.setting(SHARED_SETTING)?.as_deref() == Some("1");
            if !store.shared {
                store.profile = store.load_current_profile()?;
            }
        }
        Ok(store)
    }

    /// Whether the database has this program's schema (always, unless opened read-only).
    pub fn is_current_schema(&self) -> Result<bool> {
        let found: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?;
        Ok(found as usize == schema_version())
    }

    /// A private in-memory database, for tests and benchmarks.
    pub fn open_in_memory(clock: Arc<dyn Clock>) -> Result<Store> {
        Self::init(Connection::open_in_memory()?, clock, None)
    }

    fn init(mut conn: Connection, clock: Arc<dyn Clock>, path: Option<PathBuf>) -> Result<Store> {
        let busy = busy::BusyWait::new();
        busy::install(&conn, &busy)?;
        let not_a_database = |e: rusqlite::Error| {
            if matches!(
                e.sqlite_error_code(),
                Some(rusqlite::ErrorCode::NotADatabase)
            ) {
                StoreError::NotADatabase(path.clone().unwrap_or_default())
            } else {
                StoreError::Sqlite(e)
            }
        };
        // Everything that refuses a file is decided before the first write to it (switching
        // to WAL rewrites the header).
        let found: usize = conn
            .query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
            .map_err(not_a_database)? as usize;
        if found > schema_version() {
            return Err(StoreError::SchemaTooNew {
                found,
                known: schema_version(),
            });
        }
        if let Some(p) = &path {
            if found == 0 {
                // A new file is empty; an SQLite file of another program is not ours to fill.
                let tables: i64 =
                    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
                if tables > 0 {
                    return Err(StoreError::NotADatabase(p.clone()));
                }
            }
        }
        // journal_mode answers with a row, so it is read rather than executed.
        let _mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(not_a_database)?;
        // FULL: in WAL mode each commit is fsynced, so a save the user saw succeed survives a
        // power cut too (NORMAL survives only a crash of the process).
        conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")?;
        if let Some(p) = &path {
            if found > 0 && found < schema_version() {
                backup::snapshot_from(&conn, p, SnapshotReason::BeforeMigration, clock.now())?;
            }
        }
        migrations().to_latest(&mut conn)?;
        let mut store = Store {
            conn,
            busy,
            clock,
            path,
            profile: None,
            shared: false,
            admin: None,
        };
        store.shared = store.setting(SHARED_SETTING)?.as_deref() == Some("1");
        if store.shared && store.path.is_some() {
            // From now on this process ignores test and tuning variables (`crate::env`).
            crate::env::mark_shared_run();
        }
        if !store.shared {
            store.profile = store.load_current_profile()?;
        }
        Ok(store)
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The collaborator working now (None until `ctv init` or the first-run setup).
    pub fn profile(&self) -> Option<&Profile> {
        self.profile.as_ref()
    }

    /// The communes of the current profile's scope (none without a profile).
    pub(crate) fn scope_communes(&self) -> Vec<String> {
        self.profile().map(|p| p.communes()).unwrap_or_default()
    }

    /// Writes are refused outside the profile's scope, whatever the record and the front end.
    pub(crate) fn check_scope(&self, commune_code: &str) -> Result<()> {
        match self.profile() {
            Some(p) if p.covers_commune(commune_code) => Ok(()),
            Some(_) => Err(StoreError::OutOfScope(commune_code.to_string())),
            None => Err(StoreError::NoProfile),
        }
    }

    /// A commune or area collaborator's own communes, which lists and searches show by
    /// default (the rest on request, read-only); None for a province or without a profile.
    pub fn own_area(&self) -> Option<Vec<String>> {
        self.profile()
            .filter(|p| p.role != crate::domain::Role::Province)
            .map(|p| p.communes())
    }

    pub fn require_profile(&self) -> Result<&Profile> {
        self.profile.as_ref().ok_or(StoreError::NoProfile)
    }

    fn actor(&self) -> Result<Actor> {
        match (&self.profile, &self.admin) {
            (Some(p), _) => Ok(Actor {
                id: p.id.clone(),
                name: p.name.clone(),
            }),
            (None, Some(a)) => Ok(a.clone()),
            (None, None) => Err(StoreError::NoProfile),
        }
    }

    /// Whether this is a shared server's database (`ctv admin setup-shared`).
    pub fn is_shared(&self) -> bool {
        self.shared
    }

    /// The communes a list may show: on a shared database the profile's scope (nothing
    /// without a profile), elsewhere everything in the file (None).
    /// Root administering without a profile reads everything (it can read the file anyway).
    pub(crate) fn read_scope(&self) -> Option<Vec<String>> {
        self.scoped_reading().then(|| self.scope_communes())
    }

    fn scoped_reading(&self) -> bool {
        self.shared && !(self.profile.is_none() && self.admin.is_some())
    }

    /// A record of `table` by full id or a unique ending of it (the short id lists show),
    /// read by `load`.
    pub(crate) fn by_ref<T>(
        &self,
        table: &str,
        reference: &str,
        load: impl FnOnce(&str) -> Result<Option<T>>,
    ) -> Result<Option<T>> {
        match resolve_ref(self.conn(), table, reference)? {
            Some(id) => load(&id),
            None => Ok(None),
        }
    }

    /// [`Store::by_ref`] for a record that has a commune: on a shared database one outside the
    /// reader's scope is not found.
    pub(crate) fn by_ref_in_scope<T>(
        &self,
        table: &str,
        reference: &str,
        load: impl FnOnce(&str) -> Result<Option<T>>,
        commune: impl FnOnce(&T) -> &str,
    ) -> Result<Option<T>> {
        Ok(self
            .by_ref(table, reference, load)?
            .filter(|r| self.may_read(commune(r))))
    }

    /// Whether a record of `commune_code` may be shown.
    pub(crate) fn may_read(&self, commune_code: &str) -> bool {
        !self.scoped_reading()
            || self
                .profile()
                .is_some_and(|p| p.covers_commune(commune_code))
    }

    pub(crate) fn now_string(&self) -> String {
        self.clock
            .now()
            .to_rfc3339_opts(SecondsFormat::Millis, true)
    }

    pub fn today(&self) -> chrono::NaiveDate {
        self.clock
            .now()
            .with_timezone(&crate::clock::vn_offset())
            .date_naive()
    }

    /// One bulk write of `n` rows (imports, the demo), all or none. A large transaction
    /// overflows the default 2 MB page cache and SQLite then spills pages to disk
    /// mid-transaction (measured: 13 s instead of ~2 s for 100,000 rows), so it gets a bigger
    /// cache, handed back afterwards. With `rebuild` (a table small beside the import) the
    /// secondary indexes of `tables` are built once at the end, a sort several times cheaper
    /// than as many random B-tree inserts; they are dropped and re-created with their own
    /// stored SQL inside the same transaction, so a failure restores them with everything else.
    pub(crate) fn bulk_write<T>(
        &mut self,
        n: usize,
        rebuild: bool,
        tables: &[&str],
        f: impl FnOnce(&Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        let big = n > 1000;
        if big {
            self.conn().execute_batch("PRAGMA cache_size = -131072")?;
        }
        let result = self.write(|tx| {
            let indexes = if rebuild {
                explicit_indexes(tx, tables)?
            } else {
                Vec::new()
            };
            for (name, _) in &indexes {
                tx.execute_batch(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))?;
            }
            let out = f(tx)?;
            for (_, sql) in &indexes {
                tx.execute_batch(sql)?;
            }
            Ok(out)
        });
        if big {
            self.conn()
                .execute_batch(&format!("PRAGMA cache_size = {DEFAULT_CACHE_SIZE}"))?;
        }
        result
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction: all of it is written, or nothing.
    /// The transaction runs in this session's turn of the database's writer queue
    /// (`queue.rs`), taken before `BEGIN` and given back after the commit or rollback.
    pub(crate) fn write<T>(&mut self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        // Declared before `tx`, so dropped after it (the rollback of an error comes first).
        let _turn = self.writer_turn()?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        // On a shared database an account disabled or removed meanwhile (by the
        // administrator, while this session was open) writes nothing more: checked inside the
        // same transaction, so no write slips in after the change.
        if self.shared {
            if let Some(p) = &self.profile {
                let active: Option<bool> = tx
                    .query_row(
                        "SELECT active AND account IS NOT NULL FROM collaborators WHERE id = ?1",
                        [&p.id],
                        |r| r.get(0),
                    )
                    .optional()?;
                if active != Some(true) {
                    let who = p.account.clone().unwrap_or_else(|| p.name.clone());
                    return Err(StoreError::AccountDisabled(who));
                }
            }
        }
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// Waits, up to the busy timeout, for this session's turn to write. A wait that runs out
    /// is reported as SQLite reports a lock held too long (SQLITE_BUSY, "database is
    /// locked"), so the user reads the same words as before the queue.
    fn writer_turn(&self) -> Result<queue::Turn> {
        let Some(path) = &self.path else {
            return Ok(queue::Turn::unqueued());
        };
        queue::take_turn(path, self.busy.timeout()).map_err(|queue::TimedOut| {
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
                Some("database is locked".into()),
            ))
        })
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// How long a statement waits for another process's lock before the database is
    /// reported busy ([`BUSY_TIMEOUT`] unless changed; tests shorten it).
    pub fn set_busy_timeout(&self, timeout: Duration) {
        self.busy.set_timeout(timeout);
    }

    /// SQLite's `PRAGMA data_version`: it changes when another connection (another
    /// process, a job thread) commits to the file, not on this connection's own writes. One
    /// cheap statement that leaves no transaction open: the terminal app polls it while idle.
    pub fn data_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    pub fn set_setting(&mut self, key: &str, value: &str) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, value],
            )?;
            Ok(())
        })
    }
}

/// The setting that marks a shared server's database.
pub const SHARED_SETTING: &str = "shared";

/// The names of file systems whose locking SQLite cannot trust, by `statfs` `f_type`.
/// sshfs and other FUSE mounts report FUSE's magic: refused too, as their locks are local
/// to one machine at best.
pub fn network_filesystem_kind(f_type: i64) -> Option<&'static str> {
    match f_type as u32 {
        0x6969 => Some("NFS"),
        0x517B => Some("SMB"),
        0xFF53_4D42 => Some("CIFS"),
        0xFE53_4D42 => Some("SMB2"),
        0x6573_5546 => Some("FUSE"),
        0x0102_1997 => Some("9P"),
        0x7375_7245 => Some("Coda"),
        0x5346_414F => Some("AFS"),
        0x6B41_4653 => Some("AFS"),
        0x0BD0_0BD0 => Some("Lustre"),
        0x4750_4653 => Some("GPFS"),
        0x0BAD_1DEA => Some("OCFS2"),
        0x0119_0104 => Some("CEPH"),
        _ => None,
    }
}

/// The kind of network file system `dir` is on, if it is on one.
pub fn network_filesystem(dir: &Path) -> Option<&'static str> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::ffi::OsStrExt;
        let c = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
        // SAFETY: statfs writes into the zeroed struct owned here.
        let mut st: libc::statfs = unsafe { std::mem::zeroed() };
        if unsafe { libc::statfs(c.as_ptr(), &mut st) } != 0 {
            return None;
        }
        #[allow(clippy::unnecessary_cast)]
        network_filesystem_kind(st.f_type as i64)
    }
    // A share named by its UNC path (\\server\share) is SMB. (A share mapped to a drive
    // letter canonicalizes to that letter and is not recognised here.)
    #[cfg(windows)]
    {
        let canon = std::fs::canonicalize(dir).ok()?;
        is_unc_path(&canon.to_string_lossy()).then_some("SMB")
    }
    #[cfg(not(any(target_os = "linux", windows)))]
    {
        let _ = dir;
        None
    }
}

/// A Windows path on a network share: `\\server\share\…` or its verbatim form
/// `\\?\UNC\server\share\…` (not a verbatim local path `\\?\C:\…` nor a device `\\.\…`).
#[cfg(any(windows, test))]
fn is_unc_path(p: &str) -> bool {
    p.starts_with(r"\\?\UNC\")
        || (p.starts_with(r"\\") && !p.starts_with(r"\\?\") && !p.starts_with(r"\\.\"))
}

/// A new id, unique without coordination and ordered by creation time.
/// The full id a reference names in `table`: the id itself, or a unique ending of it (the
/// 8-character short id that lists show). `None` when nothing or more than one record matches.
/// `table` is one of the store's own table names, never user input.
pub(crate) fn resolve_ref(
    conn: &Connection,
    table: &str,
    reference: &str,
) -> Result<Option<String>> {
    let r = reference.trim().to_ascii_lowercase();
    if r.len() < 6 || !r.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-') {
        return Ok(None);
    }
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id FROM {table} WHERE id = ?1 OR substr(id, -?2) = ?1 LIMIT 2"
    ))?;
    let ids: Vec<String> = stmt
        .query_map(rusqlite::params![r, r.len() as i64], |row| row.get(0))?
        .collect::<std::result::Result<_, _>>()?;
    Ok(match <[String; 1]>::try_from(ids) {
        Ok([one]) => Some(one),
        Err(_) => None,
    })
}

pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

fn looks_like_sqlite(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 16];
    match std::fs::File::open(path).and_then(|mut f| f.read(&mut head)) {
        // An empty file is what SQLite itself leaves before the first write.
        Ok(0) => true,
        Ok(n) => n == 16 && &head == b"SQLite format 3\0",
        Err(_) => true, // let SQLite report the real error (permissions …)
    }
}

/// A file cut short (copied half-way, a pulled USB stick) is shorter than its header says.
/// Reads the 100-byte header only, so it costs nothing at every start.
pub(crate) fn check_header(path: &Path) -> Result<()> {
    use std::io::Read;
    let damaged = || StoreError::Damaged(path.to_path_buf());
    let len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if len == 0 {
        return Ok(());
    }
    let mut head = [0u8; 100];
    let read = std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut head));
    if read.is_err() {
        return Err(damaged());
    }
    let be32 = |at: usize| u32::from_be_bytes([head[at], head[at + 1], head[at + 2], head[at + 3]]);
    let page_size = match u16::from_be_bytes([head[16], head[17]]) {
        1 => 65536,
        n => u64::from(n),
    };
    if page_size < 512 || !page_size.is_power_of_two() || len % page_size != 0 {
        return Err(damaged());
    }
    // The page count in the header is only valid when written with the change counter.
    // A checkpoint by another connection writes page 1 before the pages that extend the
    // file: while a WAL is there, the file may be mid-checkpoint and SQLite decides.
    let pages = u64::from(be32(28));
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let wal_busy = std::fs::metadata(PathBuf::from(wal)).is_ok_and(|m| m.len() > 0);
    if be32(92) == be32(24) && pages > 0 && len < pages * page_size && !wal_busy {
        return Err(damaged());
    }
    Ok(())
}

fn create_private_file(path: &Path) -> Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)
        .map(drop)
        .map_err(|source| StoreError::Create {
            path: path.to_path_buf(),
            source,
        })
}

/// The explicitly created indexes of `tables` (fixed names from the code), with their SQL.
fn explicit_indexes(tx: &Transaction<'_>, tables: &[&str]) -> Result<Vec<(String, String)>> {
    let marks = vec!["?"; tables.len()].join(", ");
    let mut stmt = tx.prepare(&format!(
        "SELECT name, sql FROM sqlite_master
         WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({marks})"
    ))?;
    let rows = stmt.query_map(rusqlite::params_from_iter(tables), |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

#[cfg(test)]
mod unc_tests {
    use super::is_unc_path;

    #[test]
    fn a_share_is_told_from_a_local_or_device_path() {
        assert!(is_unc_path(r"\\server\ctv\data"));
        assert!(is_unc_path(r"\\?\UNC\server\ctv\data"));
        assert!(!is_unc_path(r"\\?\C:\Users\hoa\AppData"));
        assert!(!is_unc_path(r"C:\Users\hoa"));
        assert!(!is_unc_path(r"\\.\pipe\x"));
    }
}
