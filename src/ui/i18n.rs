//! Every string a person reads, in Vietnamese (first) and English.
//!
//! Strings are looked up by a stable key. The tables are split by owner (core messages, command
//! line, terminal app) so that they stay easy to scan; `tests` checks that keys are unique and
//! that every key used in the source exists.

use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "vi" | "vn" | "vie" => Some(Lang::Vi),
            "en" | "eng" => Some(Lang::En),
            _ => None,
        }
    }
}

/// (key, Vietnamese, English). `{}` marks a positional argument for [`trf`].
type Entry = (&'static str, &'static str, &'static str);

/// Messages produced by the core (validation, store errors).
const CORE: &[Entry] = &[
    ("field.name", "Tên cơ sở", "Facility name"),
];

/// Command-line output.
const CLI: &[Entry] = &[];

/// The terminal app.
const UI: &[Entry] = &[];

fn table() -> &'static HashMap<&'static str, (&'static str, &'static str)> {
    static T: OnceLock<HashMap<&'static str, (&'static str, &'static str)>> = OnceLock::new();
    T.get_or_init(|| {
        CORE.iter()
            .chain(CLI)
            .chain(UI)
            .map(|(k, vi, en)| (*k, (*vi, *en)))
            .collect()
    })
}

/// The string for `key`; the key itself if it is missing (a test guards against that).
pub fn tr(lang: Lang, key: &'static str) -> &'static str {
    match table().get(key) {
        Some((vi, en)) => match lang {
            Lang::Vi => vi,
            Lang::En => en,
        },
        None => key,
    }
}

/// `tr` with `{}` placeholders filled in order.
pub fn trf(lang: Lang, key: &'static str, args: &[&dyn std::fmt::Display]) -> String {
    let mut out = String::new();
    let mut args = args.iter();
    let mut rest = tr(lang, key);
    while let Some(pos) = rest.find("{}") {
        out.push_str(&rest[..pos]);
        if let Some(a) = args.next() {
            out.push_str(&a.to_string());
        }
        rest = &rest[pos + 2..];
    }
    out.push_str(rest);
    out
}

/// All keys, for tests and tooling.
pub fn keys() -> impl Iterator<Item = &'static str> {
    CORE.iter().chain(CLI).chain(UI).map(|(k, _, _)| *k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_translated() {
        let mut seen = std::collections::HashSet::new();
        for (k, vi, en) in CORE.iter().chain(CLI).chain(UI) {
            assert!(seen.insert(*k), "duplicate i18n key {k}");
            assert!(!vi.is_empty() && !en.is_empty(), "empty translation for {k}");
            assert_eq!(
                vi.matches("{}").count(),
                en.matches("{}").count(),
                "placeholder count differs for {k}"
            );
        }
    }

    #[test]
    fn every_key_used_in_the_source_exists() {
        // Scan src/ for tr(…, "key") / trf(…, "key", …) calls so a typo cannot ship.
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut missing = Vec::new();
        let mut stack = vec![root];
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(&dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    let src = std::fs::read_to_string(&p).unwrap();
                    for pat in ["tr(", "trf("] {
                        for (i, _) in src.match_indices(pat) {
                            let after = &src[i + pat.len()..];
                            // the key is the first string literal within this call's first line
                            let line = after.lines().next().unwrap_or("");
                            if let Some(q) = line.find('"') {
                                let rest = &line[q + 1..];
                                if let Some(end) = rest.find('"') {
                                    let key = &rest[..end];
                                    if key.contains('.') && !key.contains(' ') && !table().contains_key(key) {
                                        missing.push(format!("{}: {key}", p.display()));
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        assert!(missing.is_empty(), "i18n keys used but not defined: {missing:#?}");
    }

    #[test]
    fn trf_fills_placeholders() {
        assert_eq!(trf(Lang::En, "field.name", &[]), "Facility name");
    }
}
