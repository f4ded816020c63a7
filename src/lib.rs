//! CTV — the khuyến công collaborator's notebook.
//!
//! The core (`text`, `search`, `refdata`, `domain`, `store`, `import`) knows nothing of the
//! terminal; `cli` and `ui` are two thin front ends over it.

pub mod bundle;
pub mod clock;
pub mod demo;
pub mod domain;
pub mod env;
pub mod import;
pub mod refdata;
pub mod search;
pub mod shared;
pub mod store;
pub mod text;

pub mod cli;
pub mod ui;
