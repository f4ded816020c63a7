//! Where the user's config file lives, and the one setting both front ends read from it: the
//! language. The terminal app reads the rest of the file (`ui::config`).

use std::path::PathBuf;

use crate::words::Lang;

/// `~/.config/ctv/config.toml` or the platform's equivalent, if a home directory is known.
pub fn path() -> Option<PathBuf> {
    directories::ProjectDirs::from("vn", "khuyencong", "ctv")
        .map(|d| d.config_dir().join("config.toml"))
}

/// The file's `lang = "vi"|"en"`, if the file exists, reads as TOML and says a known one.
/// Anything else is the terminal app's to report; the command line just does not use it.
pub fn lang() -> Option<Lang> {
    let bytes = crate::shared::user_file::read(&path()?).ok()?;
    let table: toml::Table = std::str::from_utf8(&bytes).ok()?.parse().ok()?;
    table.get("lang")?.as_str().and_then(Lang::parse)
}
