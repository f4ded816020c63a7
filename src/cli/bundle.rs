//! `ctv export [--full] [--out FILE]`, `ctv verify FILE`, `ctv keys show|list|trust FILE`.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use super::{CliError, Ctx};
use crate::bundle::{self, BundleError, KeyStatus};
use crate::store::Store;
use crate::text::sanitize;
use crate::words::{tr, trf, Lang};

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Everything in your scope, not only what changed since your last bundle
    #[arg(long)]
    pub full: bool,
    /// The bundle file to write (default: ctv-<name>-<seq>.ctvb here)
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The bundle file (.ctvb)
    pub file: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum KeysCmd {
    /// Your signing key's fingerprint and public key
    Show,
    /// The senders whose keys this database trusts
    List,
    /// Trust the key that signed FILE (a new sender, or a changed key you checked)
    Trust(VerifyArgs),
}

/// One line for a refused or failed bundle, in the user's language.
pub fn error_text(l: Lang, e: &BundleError) -> String {
    use BundleError as E;
    match e {
        E::Io { path, source } => trf(l, "bundle.err.io", &[&path.display(), source]),
        E::NotZip(d) => trf(l, "bundle.err.not_zip", &[d]),
        E::FileTooLarge { size, cap } => trf(l, "bundle.err.file_too_large", &[size, cap]),
        E::TooManyEntries(n) => trf(l, "bundle.err.too_many_entries", &[n]),
        E::BadEntryName(n) => trf(l, "bundle.err.bad_entry_name", &[n]),
        E::DuplicateEntry(n) => trf(l, "bundle.err.duplicate_entry", &[n]),
        E::NotRegularFile(n) => trf(l, "bundle.err.not_regular", &[n]),
        E::UnsupportedEntry(n) => trf(l, "bundle.err.unsupported", &[n]),
        E::MissingEntry(n) => trf(l, "bundle.err.missing_entry", &[n]),
        E::UnlistedEntry(n) => trf(l, "bundle.err.unlisted_entry", &[n]),
        E::EntryTooLarge { entry, cap } => trf(l, "bundle.err.entry_too_large", &[entry, cap]),
        E::TotalTooLarge { cap } => trf(l, "bundle.err.total_too_large", &[cap]),
        E::Ratio { entry, ratio } => trf(l, "bundle.err.ratio", &[entry, ratio]),
        E::Damaged { entry, detail } => trf(l, "bundle.err.damaged", &[entry, detail]),
        E::Utf8 { entry, line } => trf(l, "bundle.err.utf8", &[entry, line]),
        E::DuplicateKey { entry, line, key } => {
            trf(l, "bundle.err.duplicate_key", &[entry, line, key])
        }
        E::BadText { entry, line, field } => trf(l, "bundle.err.bad_text", &[entry, line, field]),
        E::Json {
            entry,
            line,
            detail,
        } => trf(l, "bundle.err.json", &[entry, line, &sanitize(detail)]),
        E::LineTooLong { entry, line, cap } => {
            trf(l, "bundle.err.line_too_long", &[entry, line, cap])
        }
        E::Version { found, known } => trf(l, "bundle.err.version", &[found, known]),
        E::Kind(k) => trf(l, "bundle.err.kind", &[k]),
        E::BadSignature => tr(l, "bundle.err.signature").to_string(),
        E::BadFingerprint { found } => trf(l, "bundle.err.fingerprint", &[found]),
        E::HashMismatch(n) => trf(l, "bundle.err.hash", &[n]),
        E::CountMismatch {
            entry,
            expected,
            found,
        } => trf(l, "bundle.err.count", &[entry, expected, found]),
        E::RevMismatch { entry, line } => trf(l, "bundle.err.rev", &[entry, line]),
        E::DuplicateId { entry, line, id } => trf(l, "bundle.err.duplicate_id", &[entry, line, id]),
        E::Dangling {
            entry,
            line,
            facility_id,
        } => trf(l, "bundle.err.dangling", &[entry, line, facility_id]),
        E::Key { path, problem } => trf(l, "bundle.err.key", &[&path.display(), problem]),
        E::KeyPermissions { path, mode } => trf(
            l,
            "bundle.err.key_permissions",
            &[&path.display(), &format!("{mode:o}")],
        ),
        E::KeyMissing(p) => trf(l, "bundle.err.key_missing", &[&p.display()]),
        E::NoKeyDir => tr(l, "bundle.err.no_key_dir").to_string(),
        E::Workbook(d) => trf(l, "bundle.err.workbook", &[d]),
        E::Store(s) => super::store_error_text(l, s),
    }
}

fn fail(l: Lang, e: BundleError) -> CliError {
    CliError::Message(error_text(l, &e))
}

fn refused(l: Lang, e: BundleError) -> CliError {
    CliError::Message(trf(l, "cli.verify.refused", &[&error_text(l, &e)]))
}

pub fn run_export(ctx: &Ctx, a: ExportArgs) -> Result<(), CliError> {
    let l = ctx.lang;
    let mut store = ctx.open()?;
    store.require_profile()?;
    let opts = bundle::ExportOptions {
        full: a.full,
        out: a.out,
    };
    let out = bundle::export(&mut store, &opts, &|_, _| {}).map_err(|e| fail(l, e))?;
    let n = |k: &str| out.counts.get(k).copied().unwrap_or(0);
    let kind = tr(
        l,
        if out.full {
            "cli.export.full"
        } else {
            "cli.export.incremental"
        },
    );
    println!(
        "{}",
        trf(
            l,
            "cli.export.done",
            &[
                &out.seq,
                &kind,
                &out.path.display(),
                &n("facilities"),
                &n("consultations"),
                &n("proposals"),
                &n("collaborators"),
                &out.bytes
            ]
        )
    );
    if out.proposals_sent > 0 {
        println!("{}", trf(l, "cli.export.sent", &[&out.proposals_sent]));
    }
    println!("{}", trf(l, "cli.init.key", &[&out.fingerprint]));
    Ok(())
}

/// Opens the database read-only, if there is one: `verify` must not write a byte to it.
fn open_read_only(ctx: &Ctx) -> Result<Option<Store>, CliError> {
    if !ctx.db_path.exists() {
        return Ok(None);
    }
    let mut store = Store::open_read_only(&ctx.db_path)?;
    // A shared database: the profile is the account's (reading only).
    store.bind_account()?;
    // An older database has no registry of senders yet: nothing to compare with.
    Ok(store.is_current_schema()?.then_some(store))
}

pub fn run_verify(ctx: &Ctx, a: VerifyArgs) -> Result<(), CliError> {
    let l = ctx.lang;
    let b = bundle::read_bundle(&a.file).map_err(|e| refused(l, e))?;
    let store = open_read_only(ctx)?;
    let known = match &store {
        Some(s) => s.facility_ids()?,
        None => Default::default(),
    };
    // Without a database a reference to a facility sent earlier cannot be checked.
    if store.is_some() {
        b.check_references(&known).map_err(|e| refused(l, e))?;
    }
    let m = &b.manifest;
    let s = &m.sender;
    println!("{}", tr(l, "cli.verify.ok"));
    println!(
        "{}",
        trf(
            l,
            "cli.verify.sender",
            &[
                &sanitize(&s.name),
                &match crate::domain::Role::parse(&s.role) {
                    Some(r) => tr(l, super::role_key(r)).to_string(),
                    None => sanitize(&s.role),
                },
                &sanitize(&s.units.join(", ")),
                &m.seq,
                &sanitize(&super::output::local_time(&m.created_at))
            ]
        )
    );
    let n = |k: &str| m.counts.get(k).copied().unwrap_or(0);
    let kind = tr(
        l,
        if m.full {
            "cli.export.full"
        } else {
            "cli.export.incremental"
        },
    );
    println!(
        "{}",
        trf(
            l,
            "cli.verify.counts",
            &[
                &n("facilities"),
                &n("consultations"),
                &n("proposals"),
                &n("collaborators"),
                &kind
            ]
        )
    );
    let Some(store) = store else {
        println!("{}", tr(l, "cli.verify.no_db"));
        return Ok(());
    };
    // Exit 1 unless the key is trusted: a script can rely on `ctv verify` before importing.
    let mut alarm = false;
    match store.sender_key_status(s)? {
        KeyStatus::Known => println!("{}", trf(l, "cli.verify.key_known", &[&s.fingerprint])),
        KeyStatus::New => {
            alarm = true;
            eprintln!("{}", trf(l, "cli.verify.key_new", &[&s.fingerprint]));
        }
        KeyStatus::Changed { on_file } => {
            alarm = true;
            eprintln!(
                "{}",
                trf(l, "cli.verify.key_changed", &[&s.fingerprint, &on_file])
            );
        }
    }
    if let Some(at) = store.bundle_received_at(&s.id, m.seq)? {
        println!("{}", trf(l, "cli.verify.already", &[&sanitize(&at)]));
    }
    for gap in store.missing_seqs(&s.id, m.seq)? {
        println!("{}", trf(l, "cli.verify.gap", &[&gap, &sanitize(&s.name)]));
    }
    if alarm {
        return Err(CliError::Reported);
    }
    Ok(())
}

pub fn run_keys(ctx: &Ctx, c: KeysCmd) -> Result<(), CliError> {
    let l = ctx.lang;
    match c {
        KeysCmd::Show => {
            let mut store = ctx.open()?;
            let key = bundle::signing_key(&mut store).map_err(|e| fail(l, e))?;
            let p = store.require_profile()?;
            println!(
                "{}",
                trf(
                    l,
                    "cli.keys.show",
                    &[
                        &p.name,
                        &key.fingerprint(),
                        &key.public_hex(),
                        &key.path.display()
                    ]
                )
            );
            Ok(())
        }
        KeysCmd::List => {
            let store = ctx.open_to_read()?;
            let senders = store.known_senders()?;
            if senders.is_empty() {
                println!("{}", tr(l, "cli.keys.none"));
                return Ok(());
            }
            println!("{}", tr(l, "cli.keys.header"));
            for s in senders {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    sanitize(&s.name),
                    sanitize(&s.role),
                    s.fingerprint,
                    s.trusted_at.get(..10).unwrap_or(&s.trusted_at),
                    s.last_seq.map(|n| n.to_string()).unwrap_or_default()
                );
            }
            Ok(())
        }
        KeysCmd::Trust(a) => trust(ctx, &a.file),
    }
}

fn trust(ctx: &Ctx, file: &Path) -> Result<(), CliError> {
    let l = ctx.lang;
    let b = bundle::read_bundle(file).map_err(|e| refused(l, e))?;
    let mut store = ctx.open()?;
    let s = &b.manifest.sender;
    let name = sanitize(&s.name);
    match store.sender_key_status(s)? {
        KeyStatus::Known => {
            println!("{}", trf(l, "cli.keys.already", &[&name, &s.fingerprint]));
            return Ok(());
        }
        KeyStatus::Changed { on_file } => {
            println!(
                "{}",
                trf(l, "cli.keys.replaced", &[&name, &on_file, &s.fingerprint])
            );
        }
        KeyStatus::New => {}
    }
    store.trust_sender(s)?;
    println!("{}", trf(l, "cli.keys.trusted", &[&name, &s.fingerprint]));
    Ok(())
}
