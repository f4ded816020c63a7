//! `ctv export [--full] [--out FILE]`, `ctv verify FILE`, `ctv keys show|list|trust FILE`.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use super::{CliError, Ctx};
use crate::bundle::{self, BundleError, KeyStatus};
use crate::store::Store;
use crate::text::sanitize;
use crate::words::{bundle_error_text, tr, trf, Lang};

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

fn fail(l: Lang, e: BundleError) -> CliError {
    CliError::Message(bundle_error_text(l, &e))
}

fn refused(l: Lang, e: BundleError) -> CliError {
    CliError::Message(trf(l, "cli.verify.refused", &[&bundle_error_text(l, &e)]))
}

/// How many records of kind `k` a bundle holds (absent means none).
fn count(counts: &std::collections::BTreeMap<String, u64>, k: &str) -> u64 {
    counts.get(k).copied().unwrap_or(0)
}

/// "full" or "incremental", as export and verify both say it.
fn kind_text(l: Lang, full: bool) -> &'static str {
    tr(
        l,
        if full {
            "cli.export.full"
        } else {
            "cli.export.incremental"
        },
    )
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
    let n = |k: &str| count(&out.counts, k);
    let kind = kind_text(l, out.full);
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
    if let Some(t) = crate::words::flow::returned_unrevised_text(l, out.returned_unrevised) {
        println!("{t}");
    }
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
    // Records are checked and dropped as they are read: only the references are kept.
    let (manifest, refs) = bundle::verify_bundle(&a.file).map_err(|e| refused(l, e))?;
    let store = open_read_only(ctx)?;
    let known = match &store {
        Some(s) => s.facility_ids()?,
        None => Default::default(),
    };
    // Without a database a reference to a facility sent earlier cannot be checked.
    if store.is_some() {
        refs.check(&known).map_err(|e| refused(l, e))?;
    }
    drop(refs);
    let m = &manifest;
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
                    Some(r) => tr(l, crate::words::format::role_key(r)).to_string(),
                    None => sanitize(&s.role),
                },
                &sanitize(&s.units.join(", ")),
                &m.seq,
                &sanitize(&crate::words::format::local_time(&m.created_at))
            ]
        )
    );
    let n = |k: &str| count(&m.counts, k);
    let kind = kind_text(l, m.full);
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
    // The manifest and its signature are all that trusting a key needs: the records are
    // checked when the bundle is imported.
    let manifest = bundle::read_manifest(file).map_err(|e| refused(l, e))?;
    let mut store = ctx.open()?;
    let s = &manifest.sender;
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
