//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod caps;
pub mod project;
pub mod projects;
pub mod proposals;
pub mod pty;
pub mod report;
pub mod ui;

use std::path::PathBuf;

/// The built `ctv` binary (cargo builds it for integration tests).
pub fn ctv_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_ctv"))
}

/// Runs `ctv` with `args` against `db`, returning (exit code, stdout, stderr).
pub fn ctv(db: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(ctv_bin())
        .args(args)
        .env("CTV_DB", db)
        .env_remove("CTV_LANG")
        .env("HOME", db.parent().unwrap_or(std::path::Path::new("/tmp")))
        .output()
        .expect("run ctv");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A database with a commune collaborator of Phường Ba Đình, made through the CLI.
pub fn commune_db() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ctv.db");
    let init = [
        "init",
        "--name",
        "Lê Thị Hoa",
        "--role",
        "commune",
        "--unit",
        "00004",
    ];
    assert_eq!(ctv(&db, &init).0, 0);
    (dir, db)
}
