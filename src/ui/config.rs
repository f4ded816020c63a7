//! The user's config file (TOML), e.g. `~/.config/ctv/config.toml`:
//!
//! ```toml
//! lang = "vi"        # or "en"
//! theme = "default"  # or "mono"
//! [keys]
//! quit = "q"               # action name → key, or a list of keys
//! palette = [":", "ctrl+p"]
//! ```
//!
//! A missing file gives the defaults. A bad file gives the defaults for whatever is bad plus a
//! warning to show: a typo in a config file must never stop an official from working.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::ui::theme::ThemeName;
use crate::words::{trf, Lang};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Config {
    pub lang: Lang,
    pub theme: ThemeName,
    /// Action name → key strings; turned into a keymap by [`crate::ui::keymap::Keymap::with_overrides`].
    pub keys: BTreeMap<String, Vec<String>>,
}

impl Config {
    /// Where the config file lives on this platform, if a home directory is known.
    pub fn default_path() -> Option<PathBuf> {
        crate::config_file::path()
    }

    /// Load `path` (or the default path). Never fails: problems come back as one warning string.
    pub fn load(path: Option<&Path>) -> (Config, Option<String>) {
        let path = match path {
            Some(p) => p.to_path_buf(),
            None => match Config::default_path() {
                Some(p) => p,
                None => return (Config::default(), None),
            },
        };
        // The user's own file, read with the user's own rights (a shared server).
        let read = crate::shared::user_file::read(&path)
            .and_then(|b| String::from_utf8(b).map_err(std::io::Error::other));
        match read {
            Ok(text) => {
                let (cfg, problems) = Config::parse(&text);
                let warning = (!problems.is_empty()).then(|| {
                    trf(
                        cfg.lang,
                        "ui.config.warning",
                        &[&path.display(), &problems.join("; ")],
                    )
                });
                (cfg, warning)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Config::default(), None),
            Err(e) => {
                let cfg = Config::default();
                let w = trf(cfg.lang, "ui.config.unreadable", &[&path.display(), &e]);
                (cfg, Some(w))
            }
        }
    }

    /// Parse config text: the config plus a list of problems (worded in the resulting language).
    pub fn parse(text: &str) -> (Config, Vec<String>) {
        let mut cfg = Config::default();
        let table: toml::Table = match text.parse() {
            Ok(t) => t,
            Err(e) => {
                let msg = e.message().to_string();
                let lang = cfg.lang;
                return (cfg, vec![trf(lang, "ui.config.syntax", &[&msg])]);
            }
        };
        // Language first, so the other problems are worded in it.
        // Each problem as its sentence's key and words, worded once the language is known.
        let mut problems: Vec<(&'static str, Vec<String>)> = Vec::new();
        for (k, v) in &table {
            match (k.as_str(), v) {
                ("lang", toml::Value::String(s)) => match Lang::parse(s) {
                    Some(l) => cfg.lang = l,
                    None => problems.push(("ui.config.bad_value", vec![s.clone(), "lang".into()])),
                },
                ("theme", toml::Value::String(s)) => match ThemeName::parse(s) {
                    Some(t) => cfg.theme = t,
                    None => problems.push(("ui.config.bad_value", vec![s.clone(), "theme".into()])),
                },
                ("keys", toml::Value::Table(keys)) => {
                    for (action, spec) in keys {
                        let list = match spec {
                            toml::Value::String(s) => Some(vec![s.clone()]),
                            toml::Value::Array(items) => items
                                .iter()
                                .map(|i| i.as_str().map(str::to_string))
                                .collect::<Option<Vec<_>>>(),
                            _ => None,
                        };
                        match list {
                            Some(list) => {
                                cfg.keys.insert(action.clone(), list);
                            }
                            None => problems.push(("ui.config.bad_keys", vec![action.clone()])),
                        }
                    }
                }
                (other, _) => problems.push(("ui.config.unknown_setting", vec![other.to_string()])),
            }
        }
        let lang = cfg.lang;
        let worded = problems.iter().map(|(key, words)| {
            let args: Vec<&dyn std::fmt::Display> = words.iter().map(|w| w as _).collect();
            trf(lang, key, &args)
        });
        (cfg, worded.collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_file_is_defaults_without_warning() {
        let dir = tempfile::tempdir().unwrap();
        let (cfg, w) = Config::load(Some(&dir.path().join("none.toml")));
        assert_eq!(cfg, Config::default());
        assert!(w.is_none());
    }

    #[test]
    fn good_file() {
        let (cfg, problems) = Config::parse("lang = \"en\"\ntheme = \"mono\"\n[keys]\nquit = \"x\"\npalette = [\":\", \"ctrl+p\"]\n");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(cfg.lang, Lang::En);
        assert_eq!(cfg.theme, ThemeName::Mono);
        assert_eq!(cfg.keys["quit"], vec!["x".to_string()]);
        assert_eq!(cfg.keys["palette"].len(), 2);
    }

    #[test]
    fn bad_file_gives_defaults_and_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("config.toml");
        std::fs::write(&p, "lang = = \"vi\"\n").unwrap();
        let (cfg, w) = Config::load(Some(&p));
        assert_eq!(cfg, Config::default());
        assert!(w.unwrap().contains("config.toml"));

        std::fs::write(&p, "lang = \"en\"\ntheme = \"rainbow\"\ncolour = 1\n").unwrap();
        let (cfg, w) = Config::load(Some(&p));
        assert_eq!(cfg.lang, Lang::En);
        assert_eq!(cfg.theme, ThemeName::Default);
        let w = w.unwrap();
        assert!(w.contains("rainbow") && w.contains("colour"), "{w}");
    }
}
