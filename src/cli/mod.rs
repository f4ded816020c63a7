//! The command line: scriptable twins of what the terminal app does. One file per subcommand;
//! each prints and returns an exit code: 0 success, 1 bad input (reported), 2 usage.

pub mod activity;
mod admin;
mod agenda;
mod backup;
pub mod bundle;
mod caps;
mod check;
pub mod consult;
mod demo;
mod facilities;
mod find;
pub mod help;
mod import;
mod init;
mod lookup;
pub mod merge;
pub mod output;
pub mod plan;
pub mod product;
pub mod project;
pub mod project_show;
pub mod proposal;
mod register;
pub mod report;
mod restore;
mod settings;
mod snapshots;
mod targets;
pub mod village;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::store::{default_db_path, Store, StoreError};
use crate::words::format::role_key;
use crate::words::{store_error_text, tr, trf, Lang};

#[derive(Debug, Parser)]
#[command(
    name = "ctv",
    version,
    about = "CTV — sổ tay cộng tác viên khuyến công / the khuyến công collaborator's notebook"
)]
pub struct Cli {
    /// Database file (default: the platform data directory; also CTV_DB)
    #[arg(long, global = true, env = "CTV_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Language of messages: vi (default) or en
    #[arg(long, global = true, value_name = "vi|en", value_parser = ["vi", "en"])]
    pub lang: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Set who is working: name, role and scope (commune, area or province)
    Init(init::InitArgs),
    /// The province's settings: `ctv settings area-review yes|no` (province only)
    #[command(subcommand)]
    Settings(settings::SettingsCmd),
    /// Fill the database with realistic synthetic data, to try CTV out
    Demo(demo::DemoArgs),
    /// The facility registry: import, list, show, add, archive
    #[command(subcommand)]
    Facilities(facilities::FacilitiesCmd),
    /// The craft-village register: add, edit, list, show, archive, import, adopt, link
    #[command(subcommand)]
    Village(village::VillageCmd),
    /// A facility's products and their titles (OCOP, typical product)
    #[command(subcommand)]
    Product(product::ProductCmd),
    /// Search facilities without diacritics ("lang nghe" finds "làng nghề")
    Find(Box<find::FindArgs>),
    /// Consultations: record, list, show, edit, amend; follow-ups done or rescheduled
    #[command(subcommand)]
    Consult(consult::ConsultCmd),
    /// Open follow-ups of your area: overdue, today, this week, later
    Agenda(agenda::AgendaArgs),
    /// Support proposals: add, edit, list, show, propose, review, return, withdraw
    #[command(subcommand)]
    Proposal(proposal::ProposalCmd),
    /// The đề án after approval: adjust, visit, accept, pay, result, records
    #[command(subcommand)]
    Project(project::ProjectCmd),
    /// The draft annual plan of a year: table, CSV or Excel
    Plan(plan::PlanArgs),
    /// The register of đề án: approval, money, stage, acceptance and results; table, CSV,
    /// Excel or JSON
    Register(register::RegisterArgs),
    /// The report of a period and scope: facilities, consultations, đề án, money,
    /// activities, results, craft villages, products; table, Excel or JSON
    Report(report::ReportArgs),
    /// The province's yearly targets: set (province), list with what is achieved
    #[command(subcommand)]
    Targets(targets::TargetsCmd),
    /// Support caps: the province loads its table (import); list the caps in force
    #[command(subcommand)]
    Caps(caps::CapsCmd),
    /// Activities with attendees: training, workshops, fairs, study tours, outreach, votes
    #[command(subcommand)]
    Activity(activity::ActivityCmd),
    /// Back up the database: a snapshot beside it, or a copy to FILE
    Backup(backup::BackupArgs),
    /// Replace the database by a backup (checked first; the current one is kept as a snapshot)
    Restore(restore::RestoreArgs),
    /// Check the database: file integrity, links, change log, reference codes (exit 0/1)
    Check(check::CheckArgs),
    /// List the automatic and manual snapshots with their dates and record counts
    Snapshots,
    /// Shared server: set-up (root) and accounts
    #[command(subcommand)]
    Admin(admin::AdminCmd),
    /// Import a collaborator's bundle at the province (preview, then merge in one go), or a
    /// receipt from the province
    Import(merge::ImportArgs),
    /// Receipts: read ones (collaborator), or write one for a sender (--for, province)
    Receipt(merge::ReceiptArgs),
    /// Records changed on both sides: list, show both versions, resolve field by field
    #[command(subcommand)]
    Conflicts(merge::ConflictsCmd),
    /// Suspected duplicate facilities across senders: list, merge, keep apart
    #[command(subcommand)]
    Duplicates(merge::DuplicatesCmd),
    /// Write a signed bundle for the province: what changed since your last one (or --full)
    Export(bundle::ExportArgs),
    /// Check a bundle without changing anything: signature, hashes, sender's key, sequence
    Verify(bundle::VerifyArgs),
    /// Your signing key, and the senders' keys this database trusts
    #[command(subcommand)]
    Keys(bundle::KeysCmd),
}

/// What every subcommand gets: the language and a way to open the database.
pub struct Ctx {
    pub lang: Lang,
    pub db_path: PathBuf,
}

impl Ctx {
    /// Opens the database and, at the first start of the day, takes the daily snapshot.
    pub fn open(&self) -> Result<Store, CliError> {
        let store = self.open_without_daily()?;
        if let Err(e) = store.take_daily_if_due() {
            // A failed snapshot must not stop the work; it is reported every time until it works.
            eprintln!(
                "{}",
                trf(
                    self.lang,
                    "cli.daily_failed",
                    &[&store_error_text(self.lang, &e)]
                )
            );
        }
        Ok(store)
    }

    /// Opens the database for a command that only reads: no daily snapshot, which protects
    /// the day's changes and would make a lookup wait seconds on a large database.
    pub fn open_to_read(&self) -> Result<Store, CliError> {
        self.open_without_daily()
    }

    /// Opens the database only (the terminal app takes the daily snapshot on a job thread).
    pub fn open_without_daily(&self) -> Result<Store, CliError> {
        let store = Store::open_for_work(
            &self.db_path,
            std::sync::Arc::new(crate::clock::SystemClock),
        )?;
        // A database marked shared makes this a shared run (`crate::env`): say once which
        // test and tuning variables it ignores.
        say_ignored_variables(self.lang);
        Ok(store)
    }
}

/// Says once on stderr which `CTV_*` variables a shared run ignores (see `crate::env`).
pub fn say_ignored_variables(l: Lang) {
    if let Some(text) = crate::words::env_ignored_text(l) {
        eprintln!("{text}");
    }
}

/// A failure worth one clear line to the user; all are "bad input" (exit 1).
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
    #[error("{0}")]
    Message(String),
    /// Already reported in detail; exit 1 without another line.
    #[error("reported")]
    Reported,
}

/// How the terminal app is started, given by `main` so that the command line does not depend
/// on the terminal front end: the context (database path, language) and the `--lang` given.
pub type StartTui<'a> = &'a dyn Fn(&Ctx, Option<Lang>) -> Result<(), CliError>;

pub fn run(cli: Cli, start_tui: StartTui) -> ExitCode {
    let lang = cli
        .lang
        .as_deref()
        .and_then(Lang::parse)
        .or_else(|| crate::env::var("CTV_LANG").as_deref().and_then(Lang::parse))
        .unwrap_or_default();
    let db_path = if crate::shared::is_setgid() {
        match setgid_db_path(lang, cli.db.is_some()) {
            Some(p) => p,
            None => return ExitCode::from(1),
        }
    } else {
        let Some(p) = cli.db.clone().or_else(default_db_path) else {
            eprintln!("{}", tr(lang, "cli.no_data_dir"));
            return ExitCode::from(1);
        };
        p
    };
    let ctx = Ctx { lang, db_path };
    let result = match cli.command {
        // The terminal app; without a terminal (a pipe, a script) the plain summary.
        None if std::io::IsTerminal::is_terminal(&std::io::stdout()) => {
            start_tui(&ctx, cli.lang.as_deref().and_then(Lang::parse))
        }
        None => summary(&ctx),
        Some(Command::Init(a)) => init::run(&ctx, a),
        Some(Command::Settings(c)) => settings::run(&ctx, c),
        Some(Command::Demo(a)) => demo::run(&ctx, a),
        Some(Command::Facilities(c)) => facilities::run(&ctx, c),
        Some(Command::Village(c)) => village::run(&ctx, c),
        Some(Command::Product(c)) => product::run(&ctx, c),
        Some(Command::Find(a)) => find::run(&ctx, *a),
        Some(Command::Consult(c)) => consult::run(&ctx, c),
        Some(Command::Agenda(a)) => agenda::run(&ctx, a),
        Some(Command::Proposal(c)) => proposal::run(&ctx, c),
        Some(Command::Project(c)) => project::run(&ctx, c),
        Some(Command::Plan(a)) => plan::run(&ctx, a),
        Some(Command::Caps(c)) => caps::run(&ctx, c),
        Some(Command::Activity(c)) => activity::run(&ctx, c),
        Some(Command::Register(a)) => register::run(&ctx, a),
        Some(Command::Report(a)) => report::run(&ctx, a),
        Some(Command::Targets(c)) => targets::run(&ctx, c),
        Some(Command::Backup(a)) => backup::run(&ctx, a),
        Some(Command::Restore(a)) => restore::run(&ctx, a),
        Some(Command::Check(a)) => check::run(&ctx, a),
        Some(Command::Snapshots) => snapshots::run(&ctx),
        Some(Command::Admin(c)) => admin::run(&ctx, c),
        Some(Command::Import(a)) => merge::run_import(&ctx, a),
        Some(Command::Receipt(a)) => merge::run_receipt(&ctx, a),
        Some(Command::Conflicts(c)) => merge::run_conflicts(&ctx, c),
        Some(Command::Duplicates(c)) => merge::run_duplicates(&ctx, c),
        Some(Command::Export(a)) => bundle::run_export(&ctx, a),
        Some(Command::Verify(a)) => bundle::run_verify(&ctx, a),
        Some(Command::Keys(c)) => bundle::run_keys(&ctx, c),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(CliError::Reported) => ExitCode::from(1),
        Err(e) => {
            eprintln!("{}", error_text(lang, &e));
            ExitCode::from(1)
        }
    }
}

/// The installed setgid program works on the shared database of the root-owned system
/// configuration only: a path from the user (`--db`, `CTV_DB`) could turn the group's rights
/// on another file. What it creates stays usable by the group.
fn setgid_db_path(lang: Lang, user_named_db: bool) -> Option<PathBuf> {
    if user_named_db {
        eprintln!("{}", tr(lang, "cli.shared.db_ignored"));
    }
    say_ignored_variables(lang);
    crate::shared::set_group_umask();
    match crate::shared::read_system_config() {
        Ok((_, cfg)) => Some(cfg.db),
        Err(e) => {
            eprintln!("{}", trf(lang, "cli.shared.no_config", &[&e]));
            None
        }
    }
}

/// `ctv` with no subcommand: what is in the database and what one can do.
fn summary(ctx: &Ctx) -> Result<(), CliError> {
    let store = ctx.open()?;
    let l = ctx.lang;
    println!("{}", trf(l, "cli.summary.db", &[&ctx.db_path.display()]));
    match store.profile() {
        Some(p) => println!(
            "{}",
            trf(
                l,
                "cli.summary.who",
                &[&p.name, &tr(l, role_key(p.role)), &p.scope_label()]
            )
        ),
        None => println!("{}", tr(l, "cli.summary.no_profile")),
    }
    let n = store.count_facilities(&Default::default())?;
    println!("{}", trf(l, "cli.summary.facilities", &[&n]));
    let overdue = store.overdue_count()?;
    if overdue > 0 {
        println!("{}", trf(l, "cli.summary.overdue", &[&overdue]));
    }
    println!();
    println!("{}", tr(l, "cli.summary.commands"));
    Ok(())
}

/// One line for the user, in their language.
pub fn error_text(l: Lang, e: &CliError) -> String {
    match e {
        CliError::Store(s) => store_error_text(l, s),
        CliError::Io(what, err) => trf(l, "cli.err.io", &[what, err]),
        CliError::Message(m) => m.clone(),
        CliError::Reported => String::new(),
    }
}
