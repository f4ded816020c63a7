//! The shared provincial server: who the kernel says the user is, the setgid `ctv` group's
//! rights kept away from the files a user names, and the system configuration that says where
//! the shared database is (see docs/shared-server.md).
//!
//! The binary is installed setgid `ctv`; the data directory is open to that group only. So
//! the process runs with the user's uid and the `ctv` effective gid: every file the user names
//! (import, export, reports, backups) must be opened with the user's own rights, or a user
//! could write an export over the database. `user_file` does that for every such path.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use thiserror::Error;

/// The system configuration a setgid binary reads, in order: the one beside its prefix
/// (`/usr/local/bin/ctv` → `/usr/local/etc/ctv/shared.toml`), then `/etc/ctv/shared.toml`.
pub const SYSTEM_CONFIG: &str = "/etc/ctv/shared.toml";

/// The group whose rights open the shared data directory.
pub const GROUP: &str = "ctv";

#[derive(Debug, Error)]
pub enum SharedError {
    #[error("no shared-server configuration ({0})")]
    NoConfig(String),
    #[error("{path} is not safe: {why}")]
    Unsafe { path: PathBuf, why: &'static str },
    #[error("{path}: {message}")]
    Bad { path: PathBuf, message: String },
}

/// True when the process runs with an effective group other than the real one: the
/// installed setgid binary, whose group rights must not be lent to user-named paths.
pub fn is_setgid() -> bool {
    #[cfg(unix)]
    // SAFETY: getegid/getgid only read the process credentials.
    unsafe {
        libc::getegid() != libc::getgid()
    }
    #[cfg(not(unix))]
    false
}

/// True when the real user is root (the administrator of a shared server).
pub fn is_root() -> bool {
    #[cfg(unix)]
    // SAFETY: getuid only reads the process credentials.
    unsafe {
        libc::getuid() == 0
    }
    #[cfg(not(unix))]
    false
}

/// The account name of the real uid, from the password database (never `$USER`, which the
/// user sets).
pub fn real_account() -> Option<String> {
    #[cfg(unix)]
    {
        // SAFETY: getuid only reads the process credentials.
        let uid = unsafe { libc::getuid() };
        account_of_uid(uid)
    }
    #[cfg(not(unix))]
    None
}

/// The account name of `uid` (its number if the password database does not know it).
pub fn account_name(uid: u32) -> String {
    #[cfg(unix)]
    {
        account_of_uid(uid).unwrap_or_else(|| uid.to_string())
    }
    #[cfg(not(unix))]
    uid.to_string()
}

/// The other processes that have `files` open, as (pid, account): read from `/proc/*/fd`
/// (Linux; root sees every process, a user their own). Elsewhere: none known.
pub fn processes_holding(files: &[PathBuf]) -> Vec<(u32, String)> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::MetadataExt;
        let targets: Vec<PathBuf> = files.iter().filter_map(|f| f.canonicalize().ok()).collect();
        if targets.is_empty() {
            return Vec::new();
        }
        let me = std::process::id();
        let mut out = Vec::new();
        let Ok(procs) = std::fs::read_dir("/proc") else {
            return out;
        };
        for p in procs.flatten() {
            let Some(pid) = p.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
                continue;
            };
            if pid == me {
                continue;
            }
            let Ok(fds) = std::fs::read_dir(p.path().join("fd")) else {
                continue;
            };
            let holds = fds
                .flatten()
                .filter_map(|fd| std::fs::read_link(fd.path()).ok())
                .any(|l| targets.contains(&l));
            if holds {
                let uid = std::fs::metadata(p.path())
                    .map(|m| m.uid())
                    .unwrap_or(u32::MAX);
                out.push((pid, account_name(uid)));
            }
        }
        out
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = files;
        Vec::new()
    }
}

#[cfg(unix)]
fn account_of_uid(uid: libc::uid_t) -> Option<String> {
    let mut buf = vec![0u8; 4096];
    loop {
        // SAFETY: passwd is plain data; getpwuid_r writes into it and `buf`, both owned here
        // and alive while `result` is read.
        let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        let rc = unsafe {
            libc::getpwuid_r(
                uid,
                &mut pwd,
                buf.as_mut_ptr().cast(),
                buf.len(),
                &mut result,
            )
        };
        if rc == libc::ERANGE && buf.len() < 1 << 20 {
            buf.resize(buf.len() * 2, 0);
            continue;
        }
        if rc != 0 || result.is_null() || pwd.pw_name.is_null() {
            return None;
        }
        // SAFETY: pw_name points into `buf`, NUL-terminated by getpwuid_r.
        let name = unsafe { std::ffi::CStr::from_ptr(pwd.pw_name) };
        return name.to_str().ok().map(str::to_string);
    }
}

/// The effective gid belongs to the whole process, not to one thread: while `UserRights`
/// has dropped the group on one thread, a job thread (the daily snapshot) creating files in
/// the group's folder would fail. Both take this lock, so the two never overlap.
static GROUP_RIGHTS: std::sync::Mutex<()> = std::sync::Mutex::new(());

thread_local! {
    /// How many `RightsLock`s this thread holds (the lock is taken once per thread, so a
    /// snapshot inside a snapshot's caller does not deadlock).
    static RIGHTS_HELD: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Holds [`GROUP_RIGHTS`] (see there) while alive. Re-entrant on one thread.
pub struct RightsLock {
    guard: Option<std::sync::MutexGuard<'static, ()>>,
    counted: bool,
}

impl RightsLock {
    fn take() -> RightsLock {
        if RIGHTS_HELD.with(|h| h.get()) > 0 {
            RIGHTS_HELD.with(|h| h.set(h.get() + 1));
            return RightsLock {
                guard: None,
                counted: true,
            };
        }
        // A panic while holding it leaves nothing half-done in the credentials (Drop of
        // UserRights restores them), so a poisoned lock is still usable.
        let guard = GROUP_RIGHTS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        RIGHTS_HELD.with(|h| h.set(1));
        RightsLock {
            guard: Some(guard),
            counted: true,
        }
    }

    fn none() -> RightsLock {
        RightsLock {
            guard: None,
            counted: false,
        }
    }
}

impl Drop for RightsLock {
    fn drop(&mut self) {
        if self.counted {
            RIGHTS_HELD.with(|h| h.set(h.get().saturating_sub(1)));
        }
        drop(self.guard.take());
    }
}

/// Held by code that creates files with the group's rights from a job thread (the daily
/// snapshot): `UserRights` cannot drop the group meanwhile. A no-op when not setgid.
pub fn hold_group_rights() -> RightsLock {
    if is_setgid() {
        RightsLock::take()
    } else {
        RightsLock::none()
    }
}

/// While alive, the effective group is the user's real group: what is opened meanwhile is
/// opened with the user's own rights. Dropping it takes the saved setgid group back. A no-op
/// when the binary is not setgid.
pub struct UserRights {
    #[cfg(unix)]
    saved: Option<libc::gid_t>,
    /// Dropped after `Drop::drop` has restored the group (fields drop after the body).
    _lock: RightsLock,
}

impl UserRights {
    pub fn enter() -> io::Result<UserRights> {
        #[cfg(unix)]
        {
            if !is_setgid() {
                return Ok(UserRights {
                    saved: None,
                    _lock: RightsLock::none(),
                });
            }
            let lock = RightsLock::take();
            // SAFETY: credential calls on this process; the saved set-group-id keeps the
            // group so that it can be taken back on drop.
            unsafe {
                let saved = libc::getegid();
                if libc::setegid(libc::getgid()) != 0 {
                    return Err(io::Error::last_os_error());
                }
                Ok(UserRights {
                    saved: Some(saved),
                    _lock: lock,
                })
            }
        }
        #[cfg(not(unix))]
        Ok(UserRights {
            _lock: RightsLock::none(),
        })
    }
}

impl Drop for UserRights {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Some(g) = self.saved {
            // SAFETY: returns to the saved set-group-id, which is always permitted.
            unsafe {
                libc::setegid(g);
            }
        }
    }
}

/// Every path a user names is opened through these, with the user's own rights.
pub mod user_file {
    use super::*;

    /// Opens an existing file to read.
    pub fn open(path: &Path) -> io::Result<File> {
        let _rights = UserRights::enter()?;
        File::open(path)
    }

    /// Creates (or truncates) a file to write.
    pub fn create(path: &Path) -> io::Result<File> {
        let _rights = UserRights::enter()?;
        File::create(path)
    }

    /// Creates a file that must not exist yet.
    pub fn create_new(path: &Path) -> io::Result<File> {
        let _rights = UserRights::enter()?;
        File::create_new(path)
    }

    pub fn read(path: &Path) -> io::Result<Vec<u8>> {
        use std::io::Read;
        let mut v = Vec::new();
        open(path)?.read_to_end(&mut v)?;
        Ok(v)
    }

    pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
        use std::io::Write;
        let mut f = create(path)?;
        f.write_all(bytes)?;
        f.sync_all()
    }

    /// Whether the user could see that `path` exists (a stat with the user's rights).
    pub fn exists(path: &Path) -> bool {
        UserRights::enter().is_ok_and(|_r| path.exists())
    }

    /// Whether `dir` is a directory the user can see.
    pub fn is_dir(path: &Path) -> bool {
        UserRights::enter().is_ok_and(|_r| path.is_dir())
    }
}

/// What the system configuration says.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
pub struct SystemConfig {
    /// The shared database.
    pub db: PathBuf,
}

/// The configuration files a setgid binary may read, most specific first.
pub fn system_config_candidates() -> Vec<PathBuf> {
    let mut v = Vec::new();
    if let Some(prefix) = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().and_then(Path::parent).map(Path::to_path_buf))
    {
        v.push(prefix.join("etc/ctv/shared.toml"));
    }
    v.push(PathBuf::from(SYSTEM_CONFIG));
    v
}

/// The system configuration, only from a root-owned file that only root can change (and in
/// root-owned folders): a user must not be able to turn the group's rights elsewhere.
pub fn read_system_config() -> Result<(PathBuf, SystemConfig), SharedError> {
    let candidates = system_config_candidates();
    let Some(path) = candidates.iter().find(|p| p.is_file()) else {
        let names: Vec<String> = candidates.iter().map(|p| p.display().to_string()).collect();
        return Err(SharedError::NoConfig(names.join(", ")));
    };
    check_root_owned(path)?;
    let mut dir = path.parent();
    while let Some(d) = dir {
        if d.as_os_str().is_empty() {
            break;
        }
        check_root_owned(d)?;
        dir = d.parent();
    }
    let text = std::fs::read_to_string(path).map_err(|e| SharedError::Bad {
        path: path.clone(),
        message: e.to_string(),
    })?;
    let cfg: SystemConfig = toml::from_str(&text).map_err(|e| SharedError::Bad {
        path: path.clone(),
        message: e.to_string(),
    })?;
    Ok((path.clone(), cfg))
}

fn check_root_owned(path: &Path) -> Result<(), SharedError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let m = std::fs::metadata(path).map_err(|e| SharedError::Bad {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        if m.uid() != 0 {
            return Err(SharedError::Unsafe {
                path: path.to_path_buf(),
                why: "not owned by root",
            });
        }
        // A sticky directory (/tmp) lets others add files, not replace root's.
        let sticky = m.is_dir() && m.mode() & 0o1000 != 0;
        if m.mode() & 0o022 != 0 && !sticky {
            return Err(SharedError::Unsafe {
                path: path.to_path_buf(),
                why: "writable by others than root",
            });
        }
        Ok(())
    }
    // A shared server is a Linux machine (setgid, groups, root-owned files): there is no
    // such thing to trust elsewhere, so any system configuration found is refused.
    #[cfg(not(unix))]
    Err(SharedError::Unsafe {
        path: path.to_path_buf(),
        why: "a shared server runs only on Linux",
    })
}

/// Writes the system configuration (`ctv admin setup-shared`), root-owned, mode 0644.
pub fn write_system_config(path: &Path, cfg: &SystemConfig) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let text = toml::to_string(cfg).map_err(io::Error::other)?;
    std::fs::write(path, text)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644))?;
    }
    Ok(())
}

/// Keeps what the process creates usable by its group (the WAL, the SHM, snapshots) and
/// closed to others.
pub fn set_group_umask() {
    #[cfg(unix)]
    // SAFETY: umask only changes the process's file-creation mask.
    unsafe {
        libc::umask(0o007);
    }
}

/// The gid of a group by name.
pub fn group_id(name: &str) -> Option<u32> {
    #[cfg(unix)]
    {
        let c = std::ffi::CString::new(name).ok()?;
        let mut buf = vec![0u8; 16384];
        // SAFETY: as getpwuid_r: `grp` and `buf` are owned here and outlive `result`.
        let mut grp: libc::group = unsafe { std::mem::zeroed() };
        let mut result: *mut libc::group = std::ptr::null_mut();
        let rc = unsafe {
            libc::getgrnam_r(
                c.as_ptr(),
                &mut grp,
                buf.as_mut_ptr().cast(),
                buf.len(),
                &mut result,
            )
        };
        if rc != 0 || result.is_null() {
            return None;
        }
        Some(grp.gr_gid)
    }
    #[cfg(not(unix))]
    {
        let _ = name;
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn the_account_of_uid_0_is_root() {
        assert_eq!(account_of_uid(0).as_deref(), Some("root"));
    }

    #[cfg(unix)]
    #[test]
    fn user_rights_is_a_no_op_without_setgid() {
        assert!(!is_setgid());
        let before = unsafe { libc::getegid() };
        {
            let _r = UserRights::enter().unwrap();
            assert_eq!(unsafe { libc::getegid() }, before);
        }
        assert_eq!(unsafe { libc::getegid() }, before);
    }

    #[test]
    fn the_rights_lock_excludes_other_threads_and_is_reentrant() {
        let outer = RightsLock::take();
        // The same thread takes it again (a snapshot inside a caller holding it).
        let inner = RightsLock::take();
        let other = std::thread::spawn(|| GROUP_RIGHTS.try_lock().is_ok())
            .join()
            .unwrap();
        assert!(!other, "another thread cannot take it while held");
        drop(inner);
        let other = std::thread::spawn(|| GROUP_RIGHTS.try_lock().is_ok())
            .join()
            .unwrap();
        assert!(!other, "still held by the outer lock");
        drop(outer);
        let other = std::thread::spawn(|| GROUP_RIGHTS.try_lock().is_ok())
            .join()
            .unwrap();
        assert!(other, "free once every holder is gone");
    }

    #[cfg(unix)]
    #[test]
    fn a_config_writable_by_others_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("shared.toml");
        std::fs::write(&p, "db = \"/srv/ctv/ctv.db\"\n").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o666)).unwrap();
        assert!(matches!(
            check_root_owned(&p),
            Err(SharedError::Unsafe { .. })
        ));
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        let owned_by_root = unsafe { libc::getuid() } == 0;
        assert_eq!(check_root_owned(&p).is_ok(), owned_by_root);
    }
}
