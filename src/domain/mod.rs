//! Domain types and rules: plain Rust, no terminal, no SQL.

pub mod activity;
pub mod caps;
pub mod code_list;
pub mod collaborator;
pub mod consultation;
pub mod dup;
pub mod facility;
pub mod issue;
pub mod money;
pub mod plan;
pub mod product;
pub mod project;
pub mod proposal;
pub mod report;
pub mod village;

pub use collaborator::{Profile, ProfileInput, Role};
pub use consultation::{Consultation, ConsultationData, ConsultationInput, ConsultationPatch};
pub use dup::{DupIndex, DupReason, Suspect};
pub use facility::{Facility, FacilityData, FacilityField, FacilityInput, FacilityStatus};
pub use issue::{FieldIssue, Problem, Severity};
pub use proposal::{
    FundingSource, Mover, Proposal, ProposalData, ProposalInput, ProposalPatch, ProposalStatus,
};
