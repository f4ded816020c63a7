//! The province's side of bundles on the command line: `ctv import FILE [--dry-run]` (also
//! a receipt, on the sender's side), `ctv receipt`, `ctv conflicts …`, `ctv duplicates …`.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use super::{output, CliError, Ctx};
use crate::bundle::receive::{self, Checked, Imported, Receipt, ReceiveError};
use crate::bundle::{BundleError, KeyStatus, KIND_RECEIPT};
use crate::store::{MergeReport, Side, Store, StoreError, ENTITIES};
use crate::text::sanitize;
use crate::words::format::{commune_label, entity_label, short_id, CommuneForm};
use crate::words::merge::{
    gap_text, import_from_text, key_status_text, preview_headers, preview_rows, receipt_summary,
};
use crate::words::{dup_reason_text, receive_error_text};
use crate::words::{tr, trf, Lang};

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The bundle (.ctvb) from a collaborator, or a receipt from the province
    pub file: PathBuf,
    /// Show what would be merged, write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Trust the sender's key if it is new or changed (otherwise asked, or refused)
    #[arg(long)]
    pub accept_key: bool,
    /// Where to write the receipt (default: beside the bundle, NAME.receipt.ctvb)
    #[arg(long, value_name = "FILE")]
    pub receipt_out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ReceiptArgs {
    /// At the province: write the receipt for this sender (id, short id or exact name)
    #[arg(long = "for", value_name = "SENDER")]
    pub for_sender: Option<String>,
    /// The bundle number (default: the sender's last)
    #[arg(long)]
    pub seq: Option<u64>,
    /// The receipt file to write
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum ConflictsCmd {
    /// Open conflicts (--all: resolved ones too)
    List {
        #[arg(long)]
        all: bool,
    },
    /// Both versions of a conflict, field by field
    Show { id: i64 },
    /// Resolve: every field keeps the live value ("mine") unless --take field=theirs
    Resolve {
        id: i64,
        /// field=mine|theirs (repeatable)
        #[arg(long = "take", value_name = "FIELD=mine|theirs")]
        take: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum DuplicatesCmd {
    /// Suspected duplicate facilities across senders (--all: decided ones too)
    List {
        #[arg(long)]
        all: bool,
    },
    /// Merge facility B into A: B's consultations and proposals move to A, B is archived
    Merge { a: String, b: String },
    /// A and B are different facilities: never suggest the pair again
    KeepApart { a: String, b: String },
}

fn fail(l: Lang, e: ReceiveError) -> CliError {
    match e {
        ReceiveError::Store(s) | ReceiveError::Bundle(BundleError::Store(s)) => CliError::Store(s),
        e => CliError::Message(receive_error_text(l, &e)),
    }
}

fn print_table(headers: &[&str], rows: &[Vec<String>]) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    output::table(&mut out, headers, rows, 60).map_err(|e| CliError::Io("stdout".into(), e))
}

/// Who sent it, its key and sequence, before anything else.
fn describe_checked(l: Lang, c: &Checked) {
    println!("{}", import_from_text(l, c));
    match key_status_text(l, c) {
        Some((text, true)) => eprintln!("{text}"),
        Some((text, false)) => println!("{text}"),
        None => {}
    }
    if let Some(text) = gap_text(l, c) {
        println!("{text}");
    }
}

/// Trust on first use behind a visible prompt: asked on a terminal, refused otherwise.
fn confirm_key(l: Lang, c: &Checked, accept_key: bool) -> Result<bool, CliError> {
    if c.key == KeyStatus::Known || accept_key {
        return Ok(accept_key);
    }
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Message(receive_error_text(
            l,
            &ReceiveError::UntrustedKey(c.key.clone()),
        )));
    }
    print!("{} ", tr(l, "merge.import.trust_prompt"));
    std::io::stdout().flush().ok();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| CliError::Io("stdin".into(), e))?;
    let yes = matches!(
        answer.trim().to_lowercase().as_str(),
        "y" | "yes" | "c" | "co" | "có"
    );
    if !yes {
        return Err(CliError::Message(
            tr(l, "merge.import.not_trusted").to_string(),
        ));
    }
    Ok(true)
}

fn default_receipt_path(bundle: &Path) -> PathBuf {
    let stem = bundle
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "bundle".into());
    bundle.with_file_name(format!("{stem}.receipt.ctvb"))
}

pub fn run_import(ctx: &Ctx, a: ImportArgs) -> Result<(), CliError> {
    let l = ctx.lang;
    let mut store = if a.dry_run {
        ctx.open_to_read()?
    } else {
        ctx.open()?
    };
    // An import reads a large bundle's records once, verifying them as it merges them.
    let c = if a.dry_run {
        receive::check(&store, &a.file)
    } else {
        receive::check_head(&store, &a.file, &Default::default())
    };
    let c = c.map_err(|e| fail(l, e))?;
    describe_checked(l, &c);
    if c.bundle.manifest.kind == KIND_RECEIPT {
        return import_receipt(l, &mut store, &c, &a);
    }
    if let Some(at) = &c.already {
        println!(
            "{}",
            trf(
                l,
                "merge.import.seen",
                &[&crate::words::format::local_time(at)]
            )
        );
    }
    let show = |r: &MergeReport| -> Result<(), CliError> {
        print_table(&preview_headers(l), &preview_rows(r, l))?;
        for d in &r.duplicates {
            println!(
                "{}",
                trf(
                    l,
                    "merge.import.duplicate",
                    &[&short_id(&d.a), &short_id(&d.b)]
                )
            );
        }
        Ok(())
    };
    if a.dry_run {
        show(&c.preview(&store).map_err(|e| fail(l, e))?)?;
        println!("{}", tr(l, "merge.import.dry_run"));
        return Ok(());
    }
    // Without --dry-run the import's own report is the table: the records are classified
    // once, inside the import's transaction.
    let accept = confirm_key(l, &c, a.accept_key)?;
    match receive::import(&mut store, &c, accept).map_err(|e| fail(l, e))? {
        Imported::AlreadyImported { at } => {
            println!(
                "{}",
                trf(
                    l,
                    "merge.import.already",
                    &[&crate::words::format::local_time(&at)]
                )
            );
        }
        Imported::Merged(r) => {
            show(&r)?;
            let total: usize = ENTITIES.iter().map(|e| r.count(e).accepted()).sum();
            let conflicts: usize = ENTITIES.iter().map(|e| r.count(e).conflicts).sum();
            println!(
                "{}",
                trf(
                    l,
                    "merge.import.done",
                    &[&total, &conflicts, &r.duplicates.len()]
                )
            );
        }
    }
    // The receipt: signed with this installation's key, beside the bundle.
    let out = a
        .receipt_out
        .clone()
        .unwrap_or_else(|| default_receipt_path(&a.file));
    let m = &c.bundle.manifest;
    let key = crate::bundle::signing_key(&mut store).map_err(|e| fail(l, e.into()))?;
    let r = receive::write_receipt(&store, &key, &m.sender.id, Some(m.seq), &out)
        .map_err(|e| fail(l, e))?;
    println!("{}", trf(l, "merge.import.receipt", &[&out.display()]));
    println!("{}", receipt_summary(l, &r));
    Ok(())
}

fn import_receipt(l: Lang, store: &mut Store, c: &Checked, a: &ImportArgs) -> Result<(), CliError> {
    let r = receive::read_receipt(c).map_err(|e| fail(l, e))?;
    println!("{}", receipt_summary(l, &r));
    if a.dry_run {
        println!(
            "{}",
            trf(l, "merge.receipt.decisions_pending", &[&r.decisions.len()])
        );
        return Ok(());
    }
    let accept = confirm_key(l, c, a.accept_key)?;
    let done = receive::apply_receipt(store, c, accept).map_err(|e| fail(l, e))?;
    for d in &done.receipt.decisions {
        let status = crate::domain::proposal::ProposalStatus::ALL
            .into_iter()
            .find(|s| s.code() == d.status)
            .map(|s| crate::words::format::proposal_status_label(l, s))
            .unwrap_or_else(|| sanitize(&d.status));
        println!(
            "{}",
            trf(
                l,
                "merge.receipt.decision",
                &[
                    &short_id(&d.id),
                    &sanitize(&d.title),
                    &status,
                    &sanitize(d.decision_no.as_deref().unwrap_or("—"))
                ]
            )
        );
    }
    println!(
        "{}",
        trf(l, "merge.receipt.applied", &[&done.decisions_applied])
    );
    Ok(())
}

pub fn run_receipt(ctx: &Ctx, a: ReceiptArgs) -> Result<(), CliError> {
    let l = ctx.lang;
    let Some(who) = a.for_sender else {
        // The sender's side: the receipts read so far.
        let store = ctx.open_to_read()?;
        let kept = store.receipts("received")?;
        if kept.is_empty() {
            println!("{}", tr(l, "merge.receipt.none"));
        }
        for k in kept {
            match serde_json::from_str::<Receipt>(&k.body) {
                Ok(r) => println!("{}", receipt_summary(l, &r)),
                Err(_) => println!("{}", trf(l, "merge.err.bad_receipt", &[&k.bundle_seq])),
            }
        }
        return Ok(());
    };
    let mut store = ctx.open()?;
    let senders = store.known_senders()?;
    let who_l = who.trim().to_lowercase();
    let sender = senders
        .iter()
        .find(|s| {
            s.id == who
                || s.id.ends_with(&who_l) && who_l.len() >= 6
                || s.name.to_lowercase() == who_l
        })
        .ok_or_else(|| CliError::Message(trf(l, "merge.err.no_sender", &[&sanitize(&who)])))?;
    let out = a.out.unwrap_or_else(|| {
        PathBuf::from(format!(
            "receipt-{}-{}.ctvb",
            short_id(&sender.id),
            a.seq.or(sender.last_seq).unwrap_or(0)
        ))
    });
    let key = crate::bundle::signing_key(&mut store).map_err(|e| fail(l, e.into()))?;
    let r =
        receive::write_receipt(&store, &key, &sender.id, a.seq, &out).map_err(|e| fail(l, e))?;
    println!("{}", trf(l, "merge.import.receipt", &[&out.display()]));
    println!("{}", receipt_summary(l, &r));
    println!(
        "{}",
        trf(l, "merge.receipt.decisions_pending", &[&r.decisions.len()])
    );
    Ok(())
}

fn value_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "—".into(),
        serde_json::Value::String(s) => sanitize(s),
        other => sanitize(&other.to_string()),
    }
}

pub fn run_conflicts(ctx: &Ctx, c: ConflictsCmd) -> Result<(), CliError> {
    let l = ctx.lang;
    match c {
        ConflictsCmd::List { all } => {
            let store = ctx.open_to_read()?;
            let list = store.conflicts(!all)?;
            if list.is_empty() {
                println!("{}", tr(l, "merge.conflicts.none"));
                return Ok(());
            }
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|c| {
                    vec![
                        c.id.to_string(),
                        entity_label(l, &c.entity).to_string(),
                        short_id(&c.record_id).to_string(),
                        c.differing_fields().join(", "),
                        crate::words::format::local_time(&c.found_at),
                        c.status.clone(),
                    ]
                })
                .collect();
            print_table(
                &[
                    "#",
                    tr(l, "merge.col.entity"),
                    tr(l, "merge.col.record"),
                    tr(l, "merge.col.fields"),
                    tr(l, "merge.col.found"),
                    tr(l, "merge.col.status"),
                ],
                &rows,
            )
        }
        ConflictsCmd::Show { id } => {
            let store = ctx.open_to_read()?;
            let c = store
                .conflict(id)?
                .ok_or_else(|| CliError::Store(StoreError::NotFound(id.to_string())))?;
            let mine = store.conflict_live(&c)?.unwrap_or(serde_json::Value::Null);
            let theirs = store.conflict_other(&c)?;
            println!(
                "{}",
                trf(
                    l,
                    "merge.conflicts.header",
                    &[&c.id, &entity_label(l, &c.entity), &short_id(&c.record_id)]
                )
            );
            let fields: Vec<String> = match theirs.as_object() {
                Some(o) => o
                    .keys()
                    .filter(|k| mine.get(k.as_str()) != o.get(k.as_str()))
                    .cloned()
                    .collect(),
                None => Vec::new(),
            };
            let rows: Vec<Vec<String>> = fields
                .iter()
                .map(|f| {
                    vec![
                        f.clone(),
                        value_text(mine.get(f).unwrap_or(&serde_json::Value::Null)),
                        value_text(theirs.get(f).unwrap_or(&serde_json::Value::Null)),
                    ]
                })
                .collect();
            print_table(
                &[
                    tr(l, "merge.col.field"),
                    tr(l, "merge.col.mine"),
                    tr(l, "merge.col.theirs"),
                ],
                &rows,
            )?;
            println!("{}", tr(l, "merge.conflicts.hint"));
            Ok(())
        }
        ConflictsCmd::Resolve { id, take } => {
            let mut picks = Vec::with_capacity(take.len());
            for t in &take {
                let parsed = t
                    .split_once('=')
                    .and_then(|(f, s)| Some((f.trim().to_string(), Side::parse(s)?)));
                match parsed {
                    Some(p) => picks.push(p),
                    None => {
                        return Err(CliError::Message(trf(l, "merge.err.take", &[&sanitize(t)])))
                    }
                }
            }
            let mut store = ctx.open()?;
            store.resolve_conflict(id, &picks)?;
            println!("{}", trf(l, "merge.conflicts.resolved", &[&id]));
            Ok(())
        }
    }
}

fn facility_id(l: Lang, store: &Store, r: &str) -> Result<String, CliError> {
    store
        .facility_by_ref(r)?
        .map(|f| f.id)
        .ok_or_else(|| CliError::Message(trf(l, "merge.err.no_facility", &[&sanitize(r)])))
}

pub fn run_duplicates(ctx: &Ctx, c: DuplicatesCmd) -> Result<(), CliError> {
    let l = ctx.lang;
    match c {
        DuplicatesCmd::List { all } => {
            let store = ctx.open_to_read()?;
            let list = store.duplicate_pairs(!all)?;
            if list.is_empty() {
                println!("{}", tr(l, "merge.duplicates.none"));
                return Ok(());
            }
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|d| {
                    vec![
                        short_id(&d.a).to_string(),
                        d.a_name.clone(),
                        short_id(&d.b).to_string(),
                        d.b_name.clone(),
                        commune_label(&d.commune_code, CommuneForm::FullNameCode),
                        d.reasons
                            .iter()
                            .map(|r| dup_reason_text(l, r))
                            .collect::<Vec<_>>()
                            .join("; "),
                        d.status.clone(),
                    ]
                })
                .collect();
            print_table(
                &[
                    "A",
                    tr(l, "merge.col.name"),
                    "B",
                    tr(l, "merge.col.name"),
                    tr(l, "merge.col.commune"),
                    tr(l, "merge.col.reasons"),
                    tr(l, "merge.col.status"),
                ],
                &rows,
            )?;
            println!("{}", tr(l, "merge.duplicates.hint"));
            Ok(())
        }
        DuplicatesCmd::Merge { a, b } => {
            let mut store = ctx.open()?;
            let (a, b) = (facility_id(l, &store, &a)?, facility_id(l, &store, &b)?);
            let moves = store.merge_facilities(&a, &b)?;
            println!(
                "{}",
                trf(
                    l,
                    "merge.duplicates.merged",
                    &[
                        &short_id(&b),
                        &short_id(&a),
                        &moves.consultations.len(),
                        &moves.proposals.len()
                    ]
                )
            );
            Ok(())
        }
        DuplicatesCmd::KeepApart { a, b } => {
            let mut store = ctx.open()?;
            let (a, b) = (facility_id(l, &store, &a)?, facility_id(l, &store, &b)?);
            store.keep_apart(&a, &b)?;
            println!(
                "{}",
                trf(
                    l,
                    "merge.duplicates.kept_apart",
                    &[&short_id(&a), &short_id(&b)]
                )
            );
            Ok(())
        }
    }
}
