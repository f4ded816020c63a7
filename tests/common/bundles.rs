//! Sending work between databases in tests: an incremental bundle to a file, and its import
//! at the province (preview, then merge).

use std::path::{Path, PathBuf};

use ctv::bundle::receive::{self, Imported};
use ctv::bundle::{export, ExportOptions};
use ctv::store::{MergeReport, Store};

/// What changed since the last bundle, written to `path` (the keys in the test's folder).
pub fn export_to(s: &mut Store, path: PathBuf) -> PathBuf {
    super::projects::keys_dir();
    export(
        s,
        &ExportOptions {
            full: false,
            out: Some(path),
        },
        &|_, _| {},
    )
    .unwrap()
    .path
}

/// Imports a bundle at the province, trusting a new sender's key.
pub fn import_bundle(p: &mut Store, file: &Path) -> MergeReport {
    let c = receive::check(p, file).unwrap();
    match receive::import(p, &c, true).unwrap() {
        Imported::Merged(r) => r,
        other => panic!("{other:?}"),
    }
}
