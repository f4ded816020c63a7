//! Records the user names by id or short id, and the one sentence every command says when the
//! store has none of that name in the reader's scope.

use super::CliError;
use crate::domain::facility::Facility;
use crate::domain::proposal::Proposal;
use crate::store::Store;
use crate::words::{trf, Lang};

/// `found`, or the sentence `not_found` naming the reference `r` the user typed.
pub fn named<T>(
    l: Lang,
    found: Option<T>,
    not_found: &'static str,
    r: &str,
) -> Result<T, CliError> {
    found.ok_or_else(|| CliError::Message(trf(l, not_found, &[&r])))
}

/// The facility `r` names.
pub fn facility(l: Lang, store: &Store, r: &str) -> Result<Facility, CliError> {
    named(l, store.facility_by_ref(r)?, "cli.fac.not_found", r)
}

/// The id of the facility `r` names.
pub fn facility_id(l: Lang, store: &Store, r: &str) -> Result<String, CliError> {
    facility(l, store, r).map(|f| f.id)
}

/// The proposal (đề án) `r` names.
pub fn proposal(l: Lang, store: &Store, r: &str) -> Result<Proposal, CliError> {
    named(l, store.proposal_by_ref(r)?, "cli.proposal.not_found", r)
}
