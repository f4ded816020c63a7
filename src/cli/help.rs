//! The command line in the user's language: `--help`, every command's and option's
//! description, and clap's own errors, Vietnamese by default and English with `--lang en`
//! (or `CTV_LANG`, or `lang = "en"` in the config file).
//!
//! The clap definitions stay in English (doc comments, for developers); the words people read
//! come from the string table (`help.<command path>[.<option>]`, or `help.arg.<option>` for an
//! option that means the same everywhere). A test walks the whole command tree so that no
//! command or option is left without both languages.

use std::ffi::OsString;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, Command, CommandFactory, FromArgMatches};

use super::Cli;
use crate::words::{help_text, tr, trf, Lang};

/// The language to speak before the arguments are parsed: `--lang X` / `--lang=X` among the
/// arguments, then `CTV_LANG`, then the config file's `lang`, else Vietnamese. A `--lang` the
/// program does not know is refused later, by the parser, in Vietnamese.
pub fn lang_before_parse(args: &[OsString]) -> Lang {
    let mut it = args.iter().filter_map(|a| a.to_str());
    while let Some(a) = it.next() {
        if a == "--" {
            break;
        }
        let given = match a.strip_prefix("--lang") {
            Some("") => it.next(),
            Some(rest) => rest.strip_prefix('='),
            None => None,
        };
        if let Some(l) = given.and_then(Lang::parse) {
            return l;
        }
    }
    crate::env::var("CTV_LANG")
        .as_deref()
        .and_then(Lang::parse)
        .or_else(crate::config_file::lang)
        .unwrap_or_default()
}

/// The whole command tree, worded in `l`.
pub fn command(l: Lang) -> Command {
    let mut root = Cli::command();
    // Globals and the generated help/version options exist only after a build; word them
    // after it (a built command is not rebuilt by the parser).
    root.build();
    localize(root, l, "")
}

/// Parses `args` (the program name first) with help and errors in `l`.
pub fn parse(l: Lang, args: Vec<OsString>) -> Result<Cli, clap::Error> {
    let mut matches = command(l).try_get_matches_from(args)?;
    Cli::from_arg_matches_mut(&mut matches)
}

fn localize(cmd: Command, l: Lang, path: &str) -> Command {
    let about_key = if path.is_empty() {
        "help.ctv".to_string()
    } else {
        format!("help.{path}")
    };
    let mut cmd = cmd;
    if let Some(text) = help_text(l, &about_key) {
        cmd = cmd.about(text);
    }
    if l == Lang::Vi {
        cmd = cmd
            .help_template(tr(l, "cli.help.template"))
            .subcommand_help_heading(tr(l, "cli.help.commands"))
            .subcommand_value_name(tr(l, "cli.help.command"));
    }
    let ids: Vec<(String, bool, bool)> = cmd
        .get_arguments()
        .map(|a| {
            let empty_default = !a.get_default_values().is_empty()
                && a.get_default_values().iter().all(|v| v.is_empty());
            (a.get_id().to_string(), a.is_positional(), empty_default)
        })
        .collect();
    for (id, positional, empty_default) in ids {
        let text = arg_help(l, path, &id);
        cmd = cmd.mut_arg(id.as_str(), |a| {
            word_arg(a, l, text, positional, empty_default)
        });
    }
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        if name == "help" {
            // clap's generated `help` command: its nested copies of the tree are never shown.
            cmd = cmd.mut_subcommand("help", |s| s.about(tr(l, "cli.help.help_command")));
            continue;
        }
        let sub_path = if path.is_empty() {
            name.clone()
        } else {
            format!("{path}.{name}")
        };
        cmd = cmd.mut_subcommand(name.as_str(), |s| localize(s, l, &sub_path));
    }
    cmd
}

/// The commands and options that have no words in `l` (`help.<path>`): what the test of the
/// whole tree checks is empty.
pub fn missing_words(l: Lang) -> Vec<String> {
    let mut root = Cli::command();
    root.build();
    let mut missing = Vec::new();
    collect_missing(&root, l, "", &mut missing);
    missing
}

fn collect_missing(cmd: &Command, l: Lang, path: &str, out: &mut Vec<String>) {
    let key = if path.is_empty() {
        "help.ctv".to_string()
    } else {
        format!("help.{path}")
    };
    if help_text(l, &key).is_none() {
        out.push(key.clone());
    }
    for a in cmd.get_arguments() {
        let generated = matches!(
            a.get_action(),
            ArgAction::Help | ArgAction::HelpShort | ArgAction::HelpLong | ArgAction::Version
        );
        let id = a.get_id().as_str();
        if !generated && arg_help(l, path, id).is_none() {
            out.push(format!("{key}.{id}"));
        }
    }
    for s in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let sub = if path.is_empty() {
            s.get_name().to_string()
        } else {
            format!("{path}.{}", s.get_name())
        };
        collect_missing(s, l, &sub, out);
    }
}

/// An option's words: the command's own (`help.<path>.<id>`), else the shared one.
fn arg_help(l: Lang, path: &str, id: &str) -> Option<&'static str> {
    let own = if path.is_empty() {
        format!("help.ctv.{id}")
    } else {
        format!("help.{path}.{id}")
    };
    help_text(l, &own).or_else(|| help_text(l, &format!("help.arg.{id}")))
}

fn word_arg(
    a: Arg,
    l: Lang,
    text: Option<&'static str>,
    positional: bool,
    empty_default: bool,
) -> Arg {
    let mut a = match text {
        Some(t) => a.help(t),
        None => a,
    };
    // `[default: ]` says nothing; the environment's value is nobody's business on a shared host.
    if empty_default {
        a = a.hide_default_value(true);
    }
    // The descriptions name the variable (CTV_DB) where it matters.
    a = a.hide_env(true);
    // clap writes "[possible values: …]" and "[default: …]" in English: say them in the
    // table's words instead.
    if l == Lang::Vi && !a.is_hide_possible_values_set() {
        let values: Vec<String> = a
            .get_possible_values()
            .iter()
            .filter(|v| !v.is_hide_set())
            .map(|v| v.get_name().to_string())
            .collect();
        if !values.is_empty() {
            let text = a.get_help().map(|h| h.to_string()).unwrap_or_default();
            let values = values.join(", ");
            a = a
                .hide_possible_values(true)
                .help(trf(l, "cli.help.values", &[&text, &values]));
        }
    }
    if l == Lang::Vi && !empty_default && !a.is_hide_default_value_set() {
        let defaults: Vec<String> = a
            .get_default_values()
            .iter()
            .map(|v| v.to_string_lossy().into_owned())
            .collect();
        if !defaults.is_empty() && !a.is_positional() {
            let text = a.get_help().map(|h| h.to_string()).unwrap_or_default();
            a = a.hide_default_value(true).help(trf(
                l,
                "cli.help.default",
                &[&text, &defaults.join(", ")],
            ));
        }
    }
    if matches!(
        a.get_action(),
        ArgAction::Help | ArgAction::HelpShort | ArgAction::HelpLong
    ) {
        a = a.help(tr(l, "cli.help.help"));
    } else if matches!(a.get_action(), ArgAction::Version) {
        a = a.help(tr(l, "cli.help.version"));
    }
    if l == Lang::Vi {
        a = a.help_heading(tr(
            l,
            if positional {
                "cli.help.arguments"
            } else {
                "cli.help.options"
            },
        ));
    }
    a
}

/// A plan year as an option: four digits, from the programme's 2012 decree to 2100 (`27` is a
/// typo, not the year 27).
pub fn plan_year() -> clap::builder::RangedI64ValueParser<i32> {
    clap::value_parser!(i32).range(2012..=2100)
}

/// clap's error, worded in `l` (English keeps clap's own wording).
pub fn error_text(l: Lang, e: &clap::Error) -> String {
    if l == Lang::En || matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        return e.render().to_string();
    }
    let arg = context(e, ContextKind::InvalidArg);
    let value = context(e, ContextKind::InvalidValue);
    let valid = context(e, ContextKind::ValidValue);
    let sub = context(e, ContextKind::InvalidSubcommand);
    let mut out = match e.kind() {
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            let mut s = trf(l, "cli.clap.invalid_value", &[&value, &arg]);
            if !valid.is_empty() {
                s.push(' ');
                s.push_str(&trf(l, "cli.clap.valid_values", &[&valid]));
            } else if arg.starts_with("--year") {
                s.push(' ');
                s.push_str(tr(l, "cli.clap.year_range"));
                s.push('.');
            }
            s
        }
        ErrorKind::UnknownArgument => trf(l, "cli.clap.unknown_argument", &[&arg]),
        ErrorKind::InvalidSubcommand => trf(l, "cli.clap.unknown_command", &[&sub]),
        ErrorKind::MissingRequiredArgument => trf(l, "cli.clap.missing", &[&arg]),
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            tr(l, "cli.clap.missing_command").to_string()
        }
        ErrorKind::ArgumentConflict => trf(
            l,
            "cli.clap.conflict",
            &[&arg, &context(e, ContextKind::PriorArg)],
        ),
        ErrorKind::NoEquals
        | ErrorKind::TooManyValues
        | ErrorKind::TooFewValues
        | ErrorKind::WrongNumberOfValues => trf(l, "cli.clap.values_count", &[&arg]),
        _ => tr(l, "cli.clap.other").to_string(),
    };
    let suggested = [
        ContextKind::SuggestedArg,
        ContextKind::SuggestedSubcommand,
        ContextKind::SuggestedValue,
    ]
    .into_iter()
    .map(|k| context(e, k))
    .find(|s| !s.is_empty());
    if let Some(s) = suggested {
        out.push('\n');
        out.push_str(&trf(l, "cli.clap.did_you_mean", &[&s]));
    }
    let usage = context(e, ContextKind::Usage);
    if !usage.is_empty() {
        out.push_str("\n\n");
        out.push_str(usage.trim_start_matches("Usage:").trim());
    }
    out.push('\n');
    out.push_str(tr(l, "cli.clap.see_help"));
    out
}

fn context(e: &clap::Error, kind: ContextKind) -> String {
    match e.get(kind) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join(", "),
        Some(ContextValue::StyledStr(s)) => s.to_string(),
        Some(ContextValue::StyledStrs(v)) => v
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        Some(ContextValue::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}
