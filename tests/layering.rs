//! The layers hold: the core (everything under src/ except `ui`, `cli` and main.rs) never
//! names `ui` or `cli`, `ui` never names `cli`, and `cli` never names `ui`. Only main.rs knows
//! both front ends.
//!
//! Not a grep: each file is tokenized (comments, strings and char literals skipped), every
//! path (`crate::a::b`, `super::super::x`, `self::y`, use trees with `{…}` groups, bare paths
//! in the crate root) is resolved against the module the file (and any inline `mod m { … }`)
//! defines, and the first segment of the absolute path decides which layer it reaches.

use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Ident(String),
    PathSep,
    Open,
    Close,
    Comma,
    Other,
}

/// Rust source → tokens that matter for paths. Comments, string, byte-string, raw-string and
/// char literals are dropped; lifetimes are not mistaken for char literals.
fn tokenize(src: &str) -> Vec<Tok> {
    let c: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        let next = c.get(i + 1).copied();
        if ch == '/' && next == Some('/') {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if ch == '/' && next == Some('*') {
            let mut depth = 1;
            i += 2;
            while i < c.len() && depth > 0 {
                if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                } else {
                    i += 1;
                }
            }
        } else if ch == '"' {
            i = skip_string(&c, i + 1);
        } else if (ch == 'r' || ch == 'b') && is_raw_or_byte_string(&c, i) {
            // b"..", br"..", r"..", r#".."#
            let mut j = i;
            if c[j] == 'b' {
                j += 1;
            }
            if c.get(j) == Some(&'r') {
                j += 1;
                let mut hashes = 0;
                while c.get(j) == Some(&'#') {
                    hashes += 1;
                    j += 1;
                }
                j += 1; // the opening quote
                'raw: while j < c.len() {
                    if c[j] == '"' && (1..=hashes).all(|k| c.get(j + k) == Some(&'#')) {
                        j += 1 + hashes;
                        break 'raw;
                    }
                    j += 1;
                }
                i = j;
            } else {
                i = skip_string(&c, j + 1);
            }
        } else if ch == '\'' {
            // A char literal ('a', '\n', '\u{1F600}') or a lifetime ('a, 'static).
            if next == Some('\\') {
                let mut j = i + 3; // past the escaped character, which may be a quote
                while j < c.len() && c[j] != '\'' {
                    j += 1;
                }
                i = j + 1;
            } else if c.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                i += 1;
                while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                    i += 1;
                }
            }
        } else if ch.is_alphabetic() || ch == '_' {
            if ch == 'r' && next == Some('#') {
                i += 2;
            }
            let from = i;
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            out.push(Tok::Ident(c[from..i].iter().collect()));
        } else if ch.is_ascii_digit() {
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            out.push(Tok::Other);
        } else if ch == ':' && next == Some(':') {
            out.push(Tok::PathSep);
            i += 2;
        } else {
            out.push(match ch {
                '{' => Tok::Open,
                '}' => Tok::Close,
                ',' => Tok::Comma,
                c if c.is_whitespace() => {
                    i += 1;
                    continue;
                }
                _ => Tok::Other,
            });
            i += 1;
        }
    }
    out
}

fn is_raw_or_byte_string(c: &[char], i: usize) -> bool {
    // Only at the start of a token: `br"`, `b"`, `r"`, `r#"`, `r##"`.
    if i > 0 && (c[i - 1].is_alphanumeric() || c[i - 1] == '_') {
        return false;
    }
    let mut j = i;
    if c[j] == 'b' {
        j += 1;
        if c.get(j) == Some(&'"') {
            return true;
        }
        if c.get(j) == Some(&'\'') {
            return false;
        }
    }
    if c.get(j) != Some(&'r') {
        return false;
    }
    j += 1;
    while c.get(j) == Some(&'#') {
        j += 1;
    }
    c.get(j) == Some(&'"')
}

fn skip_string(c: &[char], mut i: usize) -> usize {
    while i < c.len() {
        match c[i] {
            '\\' => i += 2,
            '"' => return i + 1,
            _ => i += 1,
        }
    }
    i
}

/// Every path the tokens name, as written (use trees expanded), each with the module it is
/// written in relative to the file (inline `mod m { … }` nesting).
fn paths(toks: &[Tok]) -> Vec<(Vec<String>, Vec<String>)> {
    let mut out = Vec::new();
    let mut inline: Vec<(String, usize)> = Vec::new(); // (module, brace depth at its `{`)
    let mut depth = 0usize;
    let mut i = 0;
    while i < toks.len() {
        match &toks[i] {
            Tok::Open => depth += 1,
            Tok::Close => {
                depth = depth.saturating_sub(1);
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
            }
            Tok::Ident(kw) if kw == "mod" => {
                // `mod m;` declares a child (not a path); `mod m { … }` nests the paths inside.
                if let (Some(Tok::Ident(name)), Some(Tok::Open)) =
                    (toks.get(i + 1), toks.get(i + 2))
                {
                    inline.push((name.clone(), depth));
                    depth += 1;
                    i += 3;
                } else {
                    i += 2;
                }
                continue;
            }
            Tok::Ident(_) if i == 0 || toks[i - 1] != Tok::PathSep => {
                let here: Vec<String> = inline.iter().map(|(m, _)| m.clone()).collect();
                let (found, next) = path_tree(toks, i, Vec::new());
                for p in found {
                    if p.len() > 1 || matches!(p.first().map(String::as_str), Some("ui" | "cli")) {
                        out.push((here.clone(), p));
                    }
                }
                i = next;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Reads `a::b::{c, d::e}` from `i`; returns the expanded paths and where it stopped.
fn path_tree(toks: &[Tok], mut i: usize, prefix: Vec<String>) -> (Vec<Vec<String>>, usize) {
    let mut path = prefix;
    loop {
        match toks.get(i) {
            Some(Tok::Ident(s)) => {
                path.push(s.clone());
                i += 1;
            }
            Some(Tok::Open) if !path.is_empty() => {
                // A use group: `prefix::{ tree, tree, … }`.
                let mut all = Vec::new();
                i += 1;
                loop {
                    match toks.get(i) {
                        Some(Tok::Close) => return (all, i + 1),
                        Some(Tok::Comma) => i += 1,
                        Some(Tok::Ident(_)) | Some(Tok::Open) => {
                            let (found, mut next) = path_tree(toks, i, path.clone());
                            all.extend(found);
                            // `name as alias`: the alias is not a path.
                            if toks.get(next) == Some(&Tok::Ident("as".into())) {
                                next += 2;
                            }
                            i = next;
                        }
                        None => return (all, i),
                        Some(_) => i += 1,
                    }
                }
            }
            _ => return (vec![path], i),
        }
        if toks.get(i) == Some(&Tok::PathSep) {
            i += 1;
        } else {
            return (vec![path], i);
        }
    }
}

/// The top-level module a path written in module `at` reaches (`None`: not this crate's, or
/// not resolvable to a top module, e.g. a local name).
fn reaches(at: &[String], path: &[String], root_modules: &[String]) -> Option<String> {
    let mut abs: Vec<String>;
    let mut rest = path;
    match path.first().map(String::as_str) {
        Some("crate") => {
            abs = Vec::new();
            rest = &path[1..];
        }
        Some("super") | Some("self") => {
            abs = at.to_vec();
            while let Some(first) = rest.first() {
                match first.as_str() {
                    "super" => {
                        // More `super`s than modules would leave the crate: a compile error.
                        abs.pop()?;
                    }
                    "self" => {}
                    _ => break,
                }
                rest = &rest[1..];
            }
        }
        Some(first) if at.is_empty() && root_modules.iter().any(|m| m == first) => {
            abs = Vec::new();
        }
        _ => return None,
    }
    abs.extend(rest.iter().cloned());
    abs.into_iter().next()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layer {
    Core,
    Ui,
    Cli,
}

fn layer_of(top: &str) -> Layer {
    match top {
        "ui" => Layer::Ui,
        "cli" => Layer::Cli,
        _ => Layer::Core,
    }
}

fn forbidden(from: Layer, to: Layer) -> bool {
    matches!(
        (from, to),
        (Layer::Core, Layer::Ui)
            | (Layer::Core, Layer::Cli)
            | (Layer::Ui, Layer::Cli)
            | (Layer::Cli, Layer::Ui)
    )
}

/// The module path a file under src/ defines: src/ui/screens/form.rs → [ui, screens, form].
fn module_of(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|l| l == "mod" || l == "lib") {
        parts.pop();
    }
    parts
}

/// The violations in one file's source, as "file:path".
fn check_source(module: &[String], src: &str, root_modules: &[String]) -> Vec<String> {
    let from = module.first().map_or(Layer::Core, |m| layer_of(m));
    let mut bad = Vec::new();
    for (inline, path) in paths(&tokenize(src)) {
        let at: Vec<String> = module.iter().cloned().chain(inline).collect();
        if let Some(top) = reaches(&at, &path, root_modules) {
            if forbidden(from, layer_of(&top)) {
                bad.push(path.join("::"));
            }
        }
    }
    bad
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read src") {
        let p = e.expect("dir entry").path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn no_layer_reaches_up_or_across() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let root_modules: Vec<String> = files
        .iter()
        .filter_map(|f| module_of(f.strip_prefix(&src).ok()?).first().cloned())
        .collect();
    let mut violations = Vec::new();
    let mut checked = 0;
    for f in &files {
        let rel = f.strip_prefix(&src).expect("under src");
        if rel == Path::new("main.rs") {
            continue; // the binary: the one place that wires both front ends
        }
        let text = std::fs::read_to_string(f).expect("read source");
        let module = module_of(rel);
        for p in check_source(&module, &text, &root_modules) {
            violations.push(format!("{}: {p}", rel.display()));
        }
        checked += 1;
    }
    assert!(
        checked > 50,
        "only {checked} files found under {}",
        src.display()
    );
    assert!(
        violations.is_empty(),
        "layering broken (core must not name ui/cli; ui and cli must not name each other):\n{}",
        violations.join("\n")
    );
}

fn roots() -> Vec<String> {
    ["ui", "cli", "store", "domain", "words", "text"]
        .map(String::from)
        .to_vec()
}

fn module(path: &str) -> Vec<String> {
    module_of(Path::new(path))
}

#[test]
fn the_checker_finds_every_way_of_naming_a_forbidden_module() {
    let r = roots();
    // Core → ui / cli, written in several ways.
    for src in [
        "use crate::ui::i18n::tr;",
        "use crate::{store::Store, ui::format};",
        "use crate::{store::{Store, StoreError}, cli};",
        "fn f() { let _ = crate::cli::store_error_text(l, &e); }",
        "use super::super::ui::x;",
        "fn f() { super::super::cli::run(); }",
        "mod tests { use super::super::super::ui::App; }",
        "mod a { mod b { fn f() { super::super::super::super::cli::x(); } } }",
        "use crate :: ui :: App;",
        "use crate::r#ui::App;",
    ] {
        assert!(
            !check_source(&module("store/merge.rs"), src, &r).is_empty(),
            "not caught: {src}"
        );
    }
    // ui → cli, cli → ui, and a bare path in the crate root.
    assert!(!check_source(&module("ui/app.rs"), "use crate::cli::Ctx;", &r).is_empty());
    assert!(!check_source(
        &module("ui/screens/list.rs"),
        "super::super::super::cli::x()",
        &r
    )
    .is_empty());
    assert!(!check_source(&module("cli/mod.rs"), "crate::ui::launch(&p)", &r).is_empty());
    assert!(!check_source(&module("cli/merge.rs"), "use super::super::ui;", &r).is_empty());
    assert!(!check_source(
        &module("lib.rs"),
        "mod x { fn f() { super::ui::a(); } }",
        &r
    )
    .is_empty());
    assert!(!check_source(
        &module("shared.rs"),
        "use crate::{self as c, cli as front};",
        &r
    )
    .is_empty());
}

#[test]
fn the_checker_leaves_allowed_and_unrelated_text_alone() {
    let r = roots();
    for (file, src) in [
        // Front ends use the core and words; the core uses words.
        (
            "ui/app.rs",
            "use crate::words::{tr, Lang}; use crate::store::Store;",
        ),
        (
            "cli/mod.rs",
            "use crate::words::store_error_text; use super::output;",
        ),
        (
            "domain/proposal.rs",
            "use crate::words::format::code_label; use super::money;",
        ),
        // Inside a front end, its own modules.
        (
            "ui/screens/list.rs",
            "use super::super::widgets::Picker; use crate::ui::App;",
        ),
        (
            "cli/merge.rs",
            "use super::{output, CliError}; crate::cli::output::table();",
        ),
        // `super` that stays inside the core: store/merge/rows.rs → store; a `ui` module
        // inside the core is not the front end.
        (
            "store/merge/rows.rs",
            "use super::super::StoreError; use super::Row;",
        ),
        (
            "store/merge/rows.rs",
            "use super::super::ui::x; mod t { use super::super::cli; }",
        ),
        // Declaring the front ends in the crate root is not using them.
        ("lib.rs", "pub mod cli;\npub mod ui;\npub mod words;"),
        // Words in comments, strings, raw strings and char literals are not paths.
        (
            "store/mod.rs",
            "// crate::ui::App\n/* crate::cli::x /* nested */ */ let s = \"crate::ui::x\";",
        ),
        (
            "store/mod.rs",
            "let s = r#\"use crate::cli::Ctx;\"#; let c = '\\''; let d: &'static str = \"\";",
        ),
        (
            "store/mod.rs",
            "/// See [`crate::ui::App`].\nfn f<'a>(x: &'a str) {}",
        ),
        // A local `ui` or a field is not the crate's module.
        (
            "store/mod.rs",
            "let ui = 1; let y = self.cli.x; ui::helper();",
        ),
    ] {
        assert_eq!(
            check_source(&module(file), src, &r),
            Vec::<String>::new(),
            "{file}: {src}"
        );
    }
}
