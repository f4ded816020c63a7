//! One writer queue per database file.
//!
//! Every write transaction first takes an exclusive `flock` on a lock file beside the
//! database (`<db>-lock`, see [`lock_path`]) and holds it until after `COMMIT`/`ROLLBACK`.
//! Writers that find it taken sleep in the kernel until it is released, instead of polling
//! SQLite's lock with the busy handler (which, with 20 sessions saving back to back, spends
//! the CPU the lock holder needs; docs/PERFORMANCE.md, "One writer queue"). Linux wakes a
//! waiter on release but does not hand it the lock, so the order is not strictly first come,
//! first served.
//!
//! The lock is advisory and only orders CTV's own writers: SQLite's lock still guards the
//! file, and `BEGIN IMMEDIATE` still waits for other programs with the busy handler. So when
//! the lock file cannot be used (a folder we may not create in, a lock file of another
//! owner that we may not open, a platform without `flock`) the write goes on as before,
//! without the queue, and stays correct.
//!
//! **Bounded wait.** A blocking `flock` has no timeout, and the busy timeout must keep its
//! meaning (after [`super::BUSY_TIMEOUT`] the save is reported busy). So the lock is first
//! tried without blocking (`LOCK_NB`); if it is taken, a helper thread makes the blocking
//! call and hands the locked file over a channel, which the writer waits on with the
//! timeout. A writer that gives up drops the channel's receiving end: if the helper gets the
//! lock later, its hand-over fails and the file, with its lock, is closed at once. Each
//! wait opens the lock file afresh (its own open file description), so a late helper can
//! never release a lock that a later write of the same process holds. The alternatives were
//! worse: `SIGALRM` interrupting `flock` is process-wide (the terminal app has signal
//! handlers and job threads), and a `LOCK_NB` loop with sleeps is the polling this replaces.
//!
//! **The lock file** is created beside the database, in its folder, with the database's
//! permission bits and group (`0660`, group `ctv` on a shared server), opened with
//! `O_NOFOLLOW` (a symbolic link planted at its name is refused, not followed), `O_CLOEXEC`
//! and `O_NONBLOCK` (a FIFO planted there cannot make the open hang), and used only if it is
//! a regular file. It is never read or written, only locked; it is opened per write and
//! closed after, so an idle session holds nothing. Its path comes from the database's path
//! only, never from the environment.

use std::path::{Path, PathBuf};
use std::time::Duration;

/// The lock file of the database at `db`: `<db>-lock`, in the database's folder.
pub fn lock_path(db: &Path) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push("-lock");
    PathBuf::from(p)
}

/// This process's turn to write, held while a write transaction runs. Dropping it (after
/// the commit or the rollback, on an error and on a panic's unwinding too) closes the lock
/// file, which releases the lock.
#[derive(Debug)]
pub(crate) struct Turn {
    #[cfg(unix)]
    _file: Option<std::fs::File>,
}

impl Turn {
    /// A turn without the queue: an in-memory database, or the lock file could not be used.
    pub(crate) fn unqueued() -> Turn {
        Turn {
            #[cfg(unix)]
            _file: None,
        }
    }

    /// Whether this turn holds the lock file's lock (false: the write goes on without it).
    #[cfg(all(test, unix))]
    pub(crate) fn is_queued(&self) -> bool {
        self._file.is_some()
    }
}

/// The wait for the lock went past the timeout: another writer held it all along.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(unix), allow(dead_code))] // no queue there, so no wait runs out
pub(crate) struct TimedOut;

/// Waits (up to `timeout`) for the writer lock of the database at `db`.
pub(crate) fn take_turn(db: &Path, timeout: Duration) -> Result<Turn, TimedOut> {
    #[cfg(unix)]
    {
        unix::take_turn(db, timeout)
    }
    #[cfg(not(unix))]
    {
        let _ = (db, timeout);
        Ok(Turn::unqueued())
    }
}

#[cfg(unix)]
mod unix {
    use std::fs::{File, OpenOptions};
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
    use std::os::unix::io::AsRawFd;
    use std::path::Path;
    use std::sync::mpsc;
    use std::time::Duration;

    use super::{lock_path, TimedOut, Turn};

    const FLAGS: i32 = libc::O_NOFOLLOW | libc::O_CLOEXEC | libc::O_NONBLOCK;

    pub(super) fn take_turn(db: &Path, timeout: Duration) -> Result<Turn, TimedOut> {
        let Some(file) = open(db) else {
            return Ok(Turn::unqueued());
        };
        match flock(&file, libc::LOCK_EX | libc::LOCK_NB) {
            Ok(()) => return Ok(queued(file)),
            Err(e) if e.raw_os_error() == Some(libc::EWOULDBLOCK) => {}
            Err(_) => return Ok(Turn::unqueued()),
        }
        if timeout.is_zero() {
            return Err(TimedOut);
        }
        let (hand, wait) = mpsc::sync_channel::<File>(1);
        let helper = std::thread::Builder::new()
            .name("ctv-writer-queue".into())
            .stack_size(64 * 1024)
            .spawn(move || {
                if flock(&file, libc::LOCK_EX).is_ok() {
                    // The writer gave up meanwhile: the file comes back and is closed here,
                    // which releases the lock at once.
                    let _ = hand.send(file);
                }
            });
        if helper.is_err() {
            // No thread to wait with: the busy handler waits instead, as before the queue.
            return Ok(Turn::unqueued());
        }
        match wait.recv_timeout(timeout) {
            Ok(file) => Ok(queued(file)),
            Err(mpsc::RecvTimeoutError::Timeout) => Err(TimedOut),
            // The blocking flock failed (not a timeout): no queue for this write.
            Err(mpsc::RecvTimeoutError::Disconnected) => Ok(Turn::unqueued()),
        }
    }

    fn queued(file: File) -> Turn {
        Turn { _file: Some(file) }
    }

    /// `flock(2)`, retried when a signal interrupts it.
    fn flock(file: &File, op: i32) -> std::io::Result<()> {
        loop {
            // SAFETY: the descriptor is valid while `file` lives; flock touches no memory.
            if unsafe { libc::flock(file.as_raw_fd(), op) } == 0 {
                return Ok(());
            }
            let e = std::io::Error::last_os_error();
            if e.kind() != std::io::ErrorKind::Interrupted {
                return Err(e);
            }
        }
    }

    /// The lock file of `db`, opened (created with the database's mode and group when
    /// missing); None when it cannot be used.
    fn open(db: &Path) -> Option<File> {
        let path = lock_path(db);
        for _ in 0..2 {
            match OpenOptions::new()
                .read(true)
                .custom_flags(FLAGS)
                .open(&path)
            {
                Ok(f) => return regular(f),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(_) => return None,
            }
            let db_meta = std::fs::metadata(db).ok()?;
            let mode = db_meta.mode() & 0o666;
            // `create_new` is O_CREAT|O_EXCL: nothing at the name is followed or reused.
            match OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(mode)
                .custom_flags(FLAGS)
                .open(&path)
            {
                Ok(f) => {
                    give_rights(&f, mode, db_meta.gid());
                    return regular(f);
                }
                // Another session created it meanwhile: open theirs.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(_) => return None,
            }
        }
        None
    }

    /// The database's group and mode for a lock file this process just created (the umask
    /// may have taken bits off; a folder without the setgid bit gives the process's group).
    /// Best effort: a lock file the group cannot open only means no queue for them.
    fn give_rights(f: &File, mode: u32, gid: u32) {
        if f.metadata().is_ok_and(|m| m.gid() != gid) {
            // SAFETY: a valid descriptor; -1 leaves the owner as it is.
            unsafe {
                libc::fchown(f.as_raw_fd(), libc::uid_t::MAX, gid);
            }
        }
        let _ = f.set_permissions(std::fs::Permissions::from_mode(mode));
    }

    fn regular(f: File) -> Option<File> {
        f.metadata()
            .is_ok_and(|m| m.file_type().is_file())
            .then_some(f)
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
    use std::time::Instant;

    fn db_in(dir: &Path, mode: u32) -> PathBuf {
        let db = dir.join("t.db");
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode)
            .open(&db)
            .unwrap();
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(mode)).unwrap();
        db
    }

    #[test]
    fn the_lock_file_is_created_beside_the_database_with_its_mode() {
        let dir = tempfile::tempdir().unwrap();
        for mode in [0o600, 0o660] {
            let db = db_in(dir.path(), mode);
            let turn = take_turn(&db, Duration::ZERO).unwrap();
            assert!(turn.is_queued());
            let lock = lock_path(&db);
            assert_eq!(lock, dir.path().join("t.db-lock"));
            let meta = std::fs::symlink_metadata(&lock).unwrap();
            assert!(meta.file_type().is_file());
            assert_eq!(meta.mode() & 0o777, mode, "{mode:o}");
            assert_eq!(meta.gid(), std::fs::metadata(&db).unwrap().gid());
            drop(turn);
            std::fs::remove_file(&db).unwrap();
            std::fs::remove_file(&lock).unwrap();
        }
    }

    #[test]
    fn a_symbolic_link_or_a_fifo_at_the_lock_files_name_is_not_used() {
        let dir = tempfile::tempdir().unwrap();
        let db = db_in(dir.path(), 0o600);
        let target = dir.path().join("elsewhere");
        std::os::unix::fs::symlink(&target, lock_path(&db)).unwrap();
        let turn = take_turn(&db, Duration::ZERO).unwrap();
        assert!(!turn.is_queued());
        assert!(!target.exists(), "the link was not followed");
        std::fs::remove_file(lock_path(&db)).unwrap();

        let c =
            std::ffi::CString::new(lock_path(&db).into_os_string().into_encoded_bytes()).unwrap();
        // SAFETY: a valid C string.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let turn = take_turn(&db, Duration::ZERO).unwrap();
        assert!(
            !turn.is_queued(),
            "a FIFO is not a lock file (and did not hang)"
        );
    }

    #[test]
    fn a_second_writer_waits_for_the_first_and_then_gets_its_turn() {
        let dir = tempfile::tempdir().unwrap();
        let db = db_in(dir.path(), 0o600);
        let first = take_turn(&db, Duration::ZERO).unwrap();
        assert!(first.is_queued());
        assert_eq!(
            take_turn(&db, Duration::ZERO).unwrap_err(),
            TimedOut,
            "taken: no wait at all"
        );
        let t = Instant::now();
        assert_eq!(
            take_turn(&db, Duration::from_millis(100)).unwrap_err(),
            TimedOut
        );
        assert!(t.elapsed() >= Duration::from_millis(100));
        let releaser = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            drop(first);
        });
        let t = Instant::now();
        let second = take_turn(&db, Duration::from_secs(5)).unwrap();
        assert!(second.is_queued());
        let waited = t.elapsed();
        assert!(
            waited >= Duration::from_millis(50) && waited < Duration::from_secs(4),
            "{waited:?}"
        );
        releaser.join().unwrap();
        // The helper threads of the two timed-out waits got the lock after `first` went and
        // let it go at once: after `second` the lock is free again.
        drop(second);
        std::thread::sleep(Duration::from_millis(50));
        assert!(take_turn(&db, Duration::ZERO).unwrap().is_queued());
    }

    // Through the store: two handles on one file, as two sessions (or a job thread).

    fn store(db: &Path) -> crate::store::Store {
        crate::store::Store::open(db).unwrap()
    }

    #[test]
    fn a_second_store_waits_for_the_first_stores_write_and_then_writes() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("ctv.db");
        drop(store(&db));
        let (started, wait) = std::sync::mpsc::channel();
        let first = std::thread::spawn({
            let db = db.clone();
            move || {
                let mut a = store(&db);
                a.write(|tx| {
                    tx.execute("INSERT INTO settings (key, value) VALUES ('a', '1')", [])?;
                    started.send(()).unwrap();
                    std::thread::sleep(Duration::from_millis(300));
                    Ok(())
                })
                .unwrap();
            }
        });
        let mut b = store(&db);
        wait.recv().unwrap();
        // Reading takes no turn: it does not wait for the writer.
        let t = Instant::now();
        assert_eq!(b.setting("a").unwrap(), None);
        assert!(t.elapsed() < Duration::from_millis(200));
        let t = Instant::now();
        b.set_setting("b", "2").unwrap();
        let waited = t.elapsed();
        assert!(waited >= Duration::from_millis(150), "{waited:?}");
        first.join().unwrap();
        assert_eq!(b.setting("a").unwrap().as_deref(), Some("1"));
        assert_eq!(b.setting("b").unwrap().as_deref(), Some("2"));
    }

    #[test]
    fn a_turn_held_past_the_busy_timeout_is_reported_busy_in_the_same_words() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("ctv.db");
        let mut s = store(&db);
        s.set_busy_timeout(Duration::from_millis(100));
        let held = take_turn(&db, Duration::ZERO).unwrap();
        assert!(held.is_queued());
        let t = Instant::now();
        let err = s.set_setting("k", "v").unwrap_err();
        assert!(t.elapsed() >= Duration::from_millis(100));
        let crate::store::StoreError::Sqlite(e) = &err else {
            panic!("{err:?}");
        };
        assert_eq!(
            e.sqlite_error_code(),
            Some(rusqlite::ErrorCode::DatabaseBusy)
        );
        use crate::words::{store_error_text, tr, Lang};
        for l in [Lang::Vi, Lang::En] {
            assert_eq!(store_error_text(l, &err), tr(l, "store.err.busy"));
        }
        assert_eq!(s.setting("k").unwrap(), None, "nothing was written");
        drop(held);
        s.set_setting("k", "v").unwrap();
        assert_eq!(s.setting("k").unwrap().as_deref(), Some("v"));
    }

    #[test]
    fn a_write_that_fails_or_panics_gives_its_turn_back() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("ctv.db");
        let mut s = store(&db);
        let err = s
            .write(|_| -> crate::store::Result<()> {
                Err(crate::store::StoreError::NotFound("x".into()))
            })
            .unwrap_err();
        assert!(matches!(err, crate::store::StoreError::NotFound(_)));
        assert!(take_turn(&db, Duration::ZERO).unwrap().is_queued());
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _ = s.write(|_| -> crate::store::Result<()> { panic!("in a write") });
        }));
        assert!(panicked.is_err());
        assert!(take_turn(&db, Duration::ZERO).unwrap().is_queued());
    }
}
