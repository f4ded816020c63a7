//! The sender's side: which records go into the next bundle, written and recorded.

use std::path::PathBuf;

use super::BundleError;
use crate::store::Store;

/// What `ctv export` and the TUI's Export action ask for.
#[derive(Debug, Clone, Default)]
pub struct ExportOptions {
    /// Everything in scope rather than what changed since the last bundle.
    pub full: bool,
    /// The file to write; None: `<sender>-<seq>.ctvb` in the current folder.
    pub out: Option<PathBuf>,
}

/// What an export did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportOutcome {
    pub path: PathBuf,
    pub seq: u64,
    pub full: bool,
    pub counts: std::collections::BTreeMap<String, u64>,
    /// Proposals moved to "sent to the province".
    pub proposals_sent: usize,
    pub bytes: u64,
}

/// Progress, for the TUI's bar: (done, total) steps.
pub type ExportProgress<'a> = &'a (dyn Fn(u64, u64) + Sync);

/// Writes the next bundle of the current profile and records it.
pub fn export(
    store: &mut Store,
    opts: &ExportOptions,
    progress: ExportProgress<'_>,
) -> Result<ExportOutcome, BundleError> {
    let _ = (store, opts, progress);
    Err(BundleError::Workbook("not yet".into()))
}
