//! Waiting for another process's write lock.
//!
//! SQLite's own busy handler (`busy_timeout`) sleeps 1, 2, 5, 10, 15, 20, 25, 25, 25, 50,
//! 50, then 100 ms between tries. A writer that has waited a while therefore sleeps 100 ms
//! at a time, while a newcomer tries again after 1 ms and usually wins: with 20 sessions
//! saving back to back the unlucky ones waited seconds (docs/PERFORMANCE.md, "Shared
//! server"). This handler retries after short sleeps (1 ms, growing to 10 ms, plus up to
//! half again of random jitter so that waiters do not wake in step) until the same overall
//! timeout, then gives up: the caller gets SQLITE_BUSY and reports it plainly.

use std::cell::Cell;
use std::ffi::{c_int, c_void};
use std::time::{Duration, Instant};

use rusqlite::Connection;

/// How long a statement waits for a lock before the store reports the database busy.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The state one connection's handler keeps between its calls. Boxed by the store so that
/// its address stays put while SQLite holds it.
#[derive(Debug)]
pub(crate) struct BusyWait {
    timeout: Cell<Duration>,
    /// When the current wait began (the handler's first call for this lock).
    started: Cell<Instant>,
    /// xorshift64 state for the jitter.
    rng: Cell<u64>,
}

impl BusyWait {
    pub(crate) fn new() -> Box<BusyWait> {
        let now = Instant::now();
        // Any varying seed will do: the jitter only has to differ between processes.
        let seed = u64::from(std::process::id()).wrapping_mul(0x9E37_79B9_7F4A_7C15)
            ^ std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(0x2545_F491_4F6C_DD1D);
        Box::new(BusyWait {
            timeout: Cell::new(BUSY_TIMEOUT),
            started: Cell::new(now),
            rng: Cell::new(seed | 1),
        })
    }

    pub(crate) fn set_timeout(&self, timeout: Duration) {
        self.timeout.set(timeout);
    }

    pub(crate) fn timeout(&self) -> Duration {
        self.timeout.get()
    }

    fn next_random(&self) -> u64 {
        let mut x = self.rng.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.rng.set(x);
        x
    }

    /// The pause before try number `count + 1`: 1 ms growing to 10 ms, plus jitter.
    fn pause(&self, count: c_int) -> Duration {
        const STEPS_US: [u64; 8] = [1_000, 1_000, 2_000, 2_000, 3_000, 5_000, 7_000, 10_000];
        let base = STEPS_US[(count.max(0) as usize).min(STEPS_US.len() - 1)];
        let jitter = self.next_random() % (base / 2 + 1);
        Duration::from_micros(base + jitter)
    }

    /// One call of the handler: true to try again (after sleeping), false to give up.
    fn wait(&self, count: c_int) -> bool {
        let now = Instant::now();
        if count == 0 {
            self.started.set(now);
        }
        let waited = now.saturating_duration_since(self.started.get());
        let timeout = self.timeout.get();
        if waited >= timeout {
            return false;
        }
        std::thread::sleep(self.pause(count).min(timeout - waited));
        true
    }
}

unsafe extern "C" fn busy_callback(ctx: *mut c_void, count: c_int) -> c_int {
    // SAFETY: `ctx` is the `BusyWait` the store boxed and keeps alive for as long as the
    // connection (the connection is dropped first, see `Store`'s field order).
    let wait = unsafe { &*(ctx as *const BusyWait) };
    c_int::from(wait.wait(count))
}

/// Make `conn` wait with `wait` (replacing SQLite's default handler and `busy_timeout`).
pub(crate) fn install(conn: &Connection, wait: &BusyWait) -> rusqlite::Result<()> {
    // SAFETY: the handle is valid while `conn` lives; `wait` outlives the connection (its
    // owner, the store, drops the connection first).
    let rc = unsafe {
        rusqlite::ffi::sqlite3_busy_handler(
            conn.handle(),
            Some(busy_callback),
            wait as *const BusyWait as *mut c_void,
        )
    };
    if rc == rusqlite::ffi::SQLITE_OK {
        Ok(())
    } else {
        Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rc),
            None,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_grow_from_one_to_ten_ms_with_jitter() {
        let w = BusyWait::new();
        let p0 = w.pause(0);
        assert!(p0 >= Duration::from_millis(1) && p0 <= Duration::from_micros(1_500));
        for n in [7, 8, 100, c_int::MAX] {
            let p = w.pause(n);
            assert!(
                p >= Duration::from_millis(10) && p <= Duration::from_millis(15),
                "{p:?}"
            );
        }
    }

    #[test]
    fn gives_up_once_the_timeout_has_passed() {
        let w = BusyWait::new();
        w.set_timeout(Duration::ZERO);
        assert!(!w.wait(0));
        w.set_timeout(Duration::from_secs(5));
        assert!(w.wait(0), "a fresh wait tries again");
    }

    #[test]
    fn a_write_waits_for_the_lock_and_then_reports_busy() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let a = Connection::open(&path).unwrap();
        a.execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE t (x);")
            .unwrap();
        let b = Connection::open(&path).unwrap();
        let wait = BusyWait::new();
        wait.set_timeout(Duration::from_millis(50));
        install(&b, &wait).unwrap();
        a.execute_batch("BEGIN IMMEDIATE; INSERT INTO t VALUES (1);")
            .unwrap();
        let err = b.execute_batch("BEGIN IMMEDIATE").unwrap_err();
        assert_eq!(
            err.sqlite_error_code(),
            Some(rusqlite::ErrorCode::DatabaseBusy)
        );
        a.execute_batch("COMMIT").unwrap();
        b.execute_batch("BEGIN IMMEDIATE; INSERT INTO t VALUES (2); COMMIT;")
            .unwrap();
        let n: i64 = a
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 2);
    }
}
