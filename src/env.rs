//! The one door to CTV's environment variables (`CTV_*`).
//!
//! Test and tuning variables (`CTV_NOW`, `CTV_KEYS_DIR`, `CTV_EXPORT_DIR`,
//! `CTV_MAX_PAGE_COUNT`, …) move the clock or point the program elsewhere. On a shared
//! server the user sets the environment of a program that runs with the group's rights, so a
//! shared run honours only the variables of [`SHARED_ALLOWED`]: an allow-list, so that a
//! variable added later is ignored there until someone decides otherwise. Every read of a
//! `CTV_*` variable goes through [`var`] (a test checks that no other code reads one).

use std::sync::atomic::{AtomicBool, Ordering};

/// What a shared run honours: the language of messages (harmless), and the database path of
/// the trusted-group set-up (the setgid program ignores it on its own, see `cli`).
pub const SHARED_ALLOWED: &[&str] = &["CTV_LANG", "CTV_DB"];

/// Set once the database turned out to be a shared server's (see [`mark_shared_run`]).
static SHARED_DB: AtomicBool = AtomicBool::new(false);
/// Whether the ignored variables were already reported (once per process).
static SAID: AtomicBool = AtomicBool::new(false);

/// A shared run: the program runs setgid, or the database is marked shared.
pub fn is_shared_run() -> bool {
    SHARED_DB.load(Ordering::SeqCst) || crate::shared::is_setgid()
}

/// Called by the store when it opens a database marked shared: from now on this process
/// honours only [`SHARED_ALLOWED`].
pub fn mark_shared_run() {
    SHARED_DB.store(true, Ordering::SeqCst);
}

/// Whether `name` is honoured in this run.
pub fn honoured(name: &str) -> bool {
    !is_shared_run() || SHARED_ALLOWED.contains(&name)
}

/// The value of `name` (a `CTV_*` variable), unless a shared run ignores it. Empty counts
/// as unset.
pub fn var(name: &str) -> Option<String> {
    if !honoured(name) {
        return None;
    }
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The `CTV_*` variables set in the environment that this run ignores, the first time it is
/// asked in a shared run (the front end says so once); later calls return nothing.
pub fn ignored_once() -> Vec<String> {
    if !is_shared_run() {
        return Vec::new();
    }
    let mut names: Vec<String> = std::env::vars_os()
        .filter_map(|(k, v)| {
            let k = k.into_string().ok()?;
            (k.starts_with("CTV_") && !v.is_empty() && !SHARED_ALLOWED.contains(&k.as_str()))
                .then_some(k)
        })
        .collect();
    if names.is_empty() || SAID.swap(true, Ordering::SeqCst) {
        return Vec::new();
    }
    names.sort();
    names
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                rust_files(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }

    /// The allow-list is only as good as its monopoly: no other code may read a `CTV_*`
    /// variable directly.
    #[test]
    fn no_ctv_variable_is_read_outside_this_module() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        assert!(files.len() > 20, "the source tree was found");
        let needles = ["env::var(\"CTV_", "env::var_os(\"CTV_", "env!(\"CTV_"];
        let mut offenders = Vec::new();
        for f in files {
            if f.ends_with("src/env.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&f).unwrap();
            // The door itself (`crate::env::var`) is how it should be done.
            let flat: String = text
                .split_whitespace()
                .collect::<String>()
                .replace("crate::env::var(", "");
            for n in needles {
                if flat.contains(n) {
                    offenders.push(format!("{}: {n}", f.display()));
                }
            }
        }
        assert!(
            offenders.is_empty(),
            "read CTV_* through crate::env::var: {offenders:?}"
        );
    }

    #[test]
    fn a_shared_run_honours_the_allow_list_only() {
        // Not setgid in tests; before marking, everything is honoured.
        assert!(super::honoured("CTV_NOW") || super::is_shared_run());
        assert!(super::SHARED_ALLOWED.contains(&"CTV_LANG"));
        for n in [
            "CTV_NOW",
            "CTV_KEYS_DIR",
            "CTV_EXPORT_DIR",
            "CTV_MAX_PAGE_COUNT",
        ] {
            assert!(
                !super::SHARED_ALLOWED.contains(&n),
                "{n} must not be allowed"
            );
        }
    }
}
