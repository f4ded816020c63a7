//! Words: everything a person reads, at the core level.
//!
//! The core returns data (issues, refusals, store errors, merge reports); the two front ends
//! (`cli`, `ui`) word it through this module, so the command line, the import report and the
//! terminal app say the same sentence, and neither front end needs the other.
//!
//! - `table`: the string table (every user-facing string, Vietnamese first) and `tr`/`trf`;
//! - [`format`]: code-list entries, communes, statuses, roles, numbers and times;
//! - [`problems`]: validation problems ("<field label>: <problem>"), duplicate reasons, suspects;
//! - [`errors`]: store, bundle and receiving errors;
//! - [`merge`]: the province's merge preview and receipt summary;
//! - [`project`]: the đề án's records after approval (refusals, codes).

pub mod activity;
pub mod caps;
pub mod errors;
pub mod flow;
pub mod format;
pub mod group;
mod help_table;
pub mod merge;
pub mod plan;
pub mod problems;
pub mod project;
pub mod project_page;
pub mod report;
mod table;
pub mod village;

pub use errors::{bundle_error_text, io_error_text, receive_error_text, store_error_text};
pub use problems::{
    describe, describe_proposal, dup_reason_text, problem_text, refusal_text, suspect_text,
};
pub use table::{help_text, keys, tr, trf, Lang};

/// The one line a shared run says about the `CTV_*` variables it ignores (`crate::env`), the
/// first time it is asked; `None` when there is nothing to say.
pub fn env_ignored_text(l: Lang) -> Option<String> {
    let names = crate::env::ignored_once();
    (!names.is_empty()).then(|| trf(l, "cli.shared.env_ignored", &[&names.join(", ")]))
}
