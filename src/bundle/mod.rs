//! Bundles: what a collaborator sends to the province, and what comes back (receipts and
//! decisions). See docs/bundle-format.md.

pub mod model;
