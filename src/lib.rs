//! CTV — the khuyến công collaborator's notebook.
//!
//! The core (`text`, `search`, `refdata`, `domain`, `store`, `import`, `bundle`, `words`) knows
//! nothing of the terminal; `cli` and `ui` are two thin front ends over it, and word what the
//! core returns through `words`.

pub mod bundle;
pub mod clock;
pub mod config_file;
pub mod demo;
pub mod domain;
pub mod env;
pub mod import;
pub mod record;
pub mod refdata;
pub mod report_book;
pub mod search;
pub mod shared;
pub mod store;
pub mod text;
pub mod words;

pub mod cli;
pub mod ui;
