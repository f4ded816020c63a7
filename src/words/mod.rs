//! Words: everything a person reads, at the core level.
//!
//! The core returns data (issues, refusals, store errors, merge reports); the two front ends
//! (`cli`, `ui`) word it through this module, so the command line, the import report and the
//! terminal app say the same sentence, and neither front end needs the other.
//!
//! - [`table`]: the string table (every user-facing string, Vietnamese first) and `tr`/`trf`.

mod table;

pub use table::{keys, tr, trf, Lang};
