//! Domain types and rules: plain Rust, no terminal, no SQL.

pub mod collaborator;
pub mod dup;
pub mod facility;
pub mod issue;

pub use collaborator::{Profile, ProfileInput, Role};
pub use dup::{DupIndex, DupReason, Suspect};
pub use facility::{Facility, FacilityData, FacilityField, FacilityInput, FacilityStatus};
pub use issue::{FieldIssue, Problem, Severity};
