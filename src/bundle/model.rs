//! The record model now lives in [`crate::record`], below both the store and the bundle;
//! this path stays for the bundle's callers.

pub use crate::record::*;
