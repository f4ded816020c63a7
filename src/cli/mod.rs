//! The command line: scriptable twins of what the terminal app does. One file per subcommand;
//! each prints and returns an exit code: 0 success, 1 bad input (reported), 2 usage.

mod admin;
mod agenda;
mod backup;
pub mod bundle;
mod check;
pub mod consult;
mod demo;
mod facilities;
mod find;
mod import;
mod init;
pub mod merge;
pub mod output;
pub mod plan;
pub mod proposal;
mod restore;
mod snapshots;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::store::{default_db_path, Store, StoreError};
use crate::ui::i18n::{tr, trf, Lang};

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
    #[arg(long, global = true, value_name = "vi|en")]
    pub lang: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Set who is working: name, role and scope (commune, area or province)
    Init(init::InitArgs),
    /// Fill the database with realistic synthetic data, to try CTV out
    Demo(demo::DemoArgs),
    /// The facility registry: import, list, show, add, archive
    #[command(subcommand)]
    Facilities(facilities::FacilitiesCmd),
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
    /// The draft annual plan of a year: table, CSV or Excel
    Plan(plan::PlanArgs),
    /// Back up the database: a snapshot beside it, or a copy to FILE
    Backup(backup::BackupArgs),
    /// Replace the database by a backup (checked first; the current one is kept as a snapshot)
    Restore(restore::RestoreArgs),
    /// Check the database: file integrity, links, change log, reference codes (exit 0/1)
    Check,
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
        if let Some(dir) = self.db_path.parent() {
            let is_default = default_db_path().as_deref() == Some(self.db_path.as_path());
            if is_default && !dir.exists() {
                create_private_dir(dir).map_err(|e| CliError::Io(dir.display().to_string(), e))?;
            }
        }
        let mut store = Store::open(&self.db_path)?;
        // A database marked shared makes this a shared run (`crate::env`): say once which
        // test and tuning variables it ignores.
        say_ignored_variables(self.lang);
        // A shared database: the profile is the account's, whatever the settings say.
        store.bind_account()?;
        // Test hook: a database that cannot grow, to see the disk-full path end to end.
        if let Some(pages) = crate::env::var("CTV_MAX_PAGE_COUNT").and_then(|v| v.parse().ok()) {
            store.limit_pages(pages)?;
        }
        Ok(store)
    }
}

/// Says once on stderr which `CTV_*` variables a shared run ignores (see `crate::env`).
pub fn say_ignored_variables(l: Lang) {
    let names = crate::env::ignored_once();
    if !names.is_empty() {
        eprintln!("{}", trf(l, "cli.shared.env_ignored", &[&names.join(", ")]));
    }
}

fn create_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir)
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

pub fn run(cli: Cli) -> ExitCode {
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
            crate::ui::launch(&ctx, cli.lang.as_deref())
        }
        None => summary(&ctx),
        Some(Command::Init(a)) => init::run(&ctx, a),
        Some(Command::Demo(a)) => demo::run(&ctx, a),
        Some(Command::Facilities(c)) => facilities::run(&ctx, c),
        Some(Command::Find(a)) => find::run(&ctx, *a),
        Some(Command::Consult(c)) => consult::run(&ctx, c),
        Some(Command::Agenda(a)) => agenda::run(&ctx, a),
        Some(Command::Proposal(c)) => proposal::run(&ctx, c),
        Some(Command::Plan(a)) => plan::run(&ctx, a),
        Some(Command::Backup(a)) => backup::run(&ctx, a),
        Some(Command::Restore(a)) => restore::run(&ctx, a),
        Some(Command::Check) => check::run(&ctx),
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

pub fn role_key(r: crate::domain::Role) -> &'static str {
    match r {
        crate::domain::Role::Commune => "role.commune",
        crate::domain::Role::Area => "role.area",
        crate::domain::Role::Province => "role.province",
    }
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

pub fn store_error_text(l: Lang, e: &StoreError) -> String {
    match e {
        StoreError::SchemaTooNew { found, known } => {
            trf(l, "store.err.schema_too_new", &[found, known])
        }
        StoreError::NotADatabase(p) => {
            with_restore_offer(l, p, trf(l, "store.err.not_a_database", &[&p.display()]))
        }
        StoreError::MissingDirectory(p) => trf(l, "store.err.missing_dir", &[&p.display()]),
        StoreError::Create { path, source } => {
            trf(l, "store.err.create", &[&path.display(), source])
        }
        StoreError::Invalid(issues) => issues
            .errors()
            .map(|i| consult::describe(l, i.field, &i.problem))
            .collect::<Vec<_>>()
            .join("\n"),
        StoreError::NotFound(id) => trf(l, "store.err.not_found", &[id]),
        StoreError::Conflict {
            id,
            expected,
            found,
        } => trf(l, "store.err.conflict", &[id, expected, found]),
        StoreError::NoProfile => tr(l, "store.err.no_profile").to_string(),
        StoreError::NoAccountProfile(a) => {
            let a = crate::text::sanitize(a);
            trf(l, "store.err.no_account", &[&a, &a])
        }
        StoreError::AccountDisabled(a) => trf(
            l,
            "store.err.account_disabled",
            &[&crate::text::sanitize(a)],
        ),
        StoreError::NetworkFilesystem { path, kind } => {
            trf(l, "store.err.network_fs", &[&path.display(), kind])
        }
        StoreError::NotAdmin => tr(l, "store.err.not_admin").to_string(),
        StoreError::RootOnly(a) => trf(l, "store.err.root_only", &[&crate::text::sanitize(a)]),
        StoreError::BackupRootOnly => tr(l, "store.err.backup_root_only").to_string(),
        StoreError::InUseBy(who) => {
            let who: Vec<String> = who.iter().map(|w| crate::text::sanitize(w)).collect();
            trf(l, "store.err.in_use_by", &[&who.join(", ")])
        }
        StoreError::OutOfScope(c) => trf(l, "store.err.out_of_scope", &[&commune_label(c)]),
        StoreError::ProfileExists => tr(l, "store.err.profile_exists").to_string(),
        StoreError::Locked(id) => trf(l, "store.err.locked", &[&short_id(id)]),
        StoreError::NoFollowUp(id) => trf(l, "store.err.no_follow_up", &[&short_id(id)]),
        StoreError::FollowUpDone(id) => trf(l, "store.err.follow_up_done", &[&short_id(id)]),
        StoreError::Transition { id, refusal } => trf(
            l,
            "store.err.transition",
            &[&short_id(id), &refusal.text(l)],
        ),
        StoreError::NotEditable { id, status } => trf(
            l,
            "store.err.not_editable",
            &[&short_id(id), &status.label(l)],
        ),
        StoreError::Io { path, source } if is_disk_full(source) => {
            trf(l, "store.err.io_full", &[&path.display()])
        }
        StoreError::Io { path, source } => trf(l, "store.err.io", &[&path.display(), source]),
        StoreError::Damaged(p) => {
            with_restore_offer(l, p, trf(l, "store.err.damaged", &[&p.display()]))
        }
        StoreError::ReadOnly(p) => trf(l, "store.err.read_only", &[&p.display()]),
        StoreError::InUse(p) => trf(l, "store.err.in_use", &[&p.display()]),
        StoreError::Exists(p) => trf(l, "store.err.exists", &[&p.display()]),
        StoreError::SameFile(p) => trf(l, "store.err.same_file", &[&p.display()]),
        StoreError::BadRecord {
            entity,
            line,
            id,
            problem,
        } => bad_record_text(l, entity, *line, id, problem),
        StoreError::Sqlite(s) => sqlite_error_text(l, s),
        StoreError::Migration(rusqlite_migration::Error::RusqliteError { err, .. }) => {
            sqlite_error_text(l, err)
        }
        StoreError::Migration(_) | StoreError::Corrupt(_) => trf(l, "store.err.database", &[&e]),
    }
}

/// The name of a bundle entity ("cơ sở", "đề xuất" …).
pub fn entity_label(l: Lang, entity: &str) -> &'static str {
    match entity {
        "collaborator" => tr(l, "merge.entity.collaborator"),
        "facility" => tr(l, "merge.entity.facility"),
        "consultation" => tr(l, "merge.entity.consultation"),
        "proposal" => tr(l, "merge.entity.proposal"),
        _ => tr(l, "merge.entity.manifest"),
    }
}

/// "Bản ghi cơ sở ở dòng 12 (…a1b2c3d4) bị từ chối: …", naming the entity file's line.
pub fn bad_record_text(
    l: Lang,
    entity: &str,
    line: usize,
    id: &str,
    problem: &crate::store::RecordProblem,
) -> String {
    use crate::store::RecordProblem as P;
    let what = match problem {
        P::Invalid { issues } => issues
            .errors()
            .map(|i| consult::describe(l, i.field, &i.problem))
            .collect::<Vec<_>>()
            .join("; "),
        P::DuplicateId => tr(l, "merge.err.duplicate_id").to_string(),
        P::RevMismatch => tr(l, "merge.err.rev_mismatch").to_string(),
        P::MissingFacility { facility_id } => {
            trf(l, "merge.err.missing_facility", &[&short_id(facility_id)])
        }
        P::BadSender => tr(l, "merge.err.bad_sender").to_string(),
        P::UncleanText { field } => trf(l, "merge.err.unclean_text", &[field]),
    };
    let entity_label = entity_label(l, entity);
    trf(
        l,
        "merge.err.bad_record",
        &[&entity_label, &line, &short_id(id), &what],
    )
}

fn is_disk_full(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::StorageFull || e.raw_os_error() == Some(28)
}

/// SQLite's failures that a person can act on, by their code; the rest as they are.
fn sqlite_error_text(l: Lang, e: &rusqlite::Error) -> String {
    use rusqlite::ErrorCode as C;
    match e.sqlite_error_code() {
        Some(C::DiskFull) => tr(l, "store.err.disk_full").to_string(),
        Some(C::DatabaseBusy) | Some(C::DatabaseLocked) => tr(l, "store.err.busy").to_string(),
        Some(C::ReadOnly) => tr(l, "store.err.read_only_db").to_string(),
        Some(C::DatabaseCorrupt) | Some(C::NotADatabase) => {
            trf(l, "store.err.damaged_sqlite", &[e])
        }
        Some(C::CannotOpen) => trf(l, "store.err.cannot_open", &[e]),
        Some(C::SystemIoFailure) => trf(l, "store.err.io_sqlite", &[e]),
        _ => trf(l, "store.err.database", &[e]),
    }
}

/// A message about a broken file, followed by the way back: the latest snapshot and the
/// exact command that restores it.
fn with_restore_offer(l: Lang, db: &std::path::Path, text: String) -> String {
    match crate::store::latest_snapshot(db) {
        Some(s) => {
            let mut cmd = String::from("ctv ");
            if default_db_path().as_deref() != Some(db) {
                cmd.push_str(&format!("--db \"{}\" ", db.display()));
            }
            cmd.push_str(&format!("restore \"{}\"", s.path.display()));
            format!(
                "{text}\n{}",
                trf(
                    l,
                    "store.err.restore_offer",
                    &[
                        &s.file_name(),
                        &s.at.format("%d/%m/%Y %H:%M"),
                        &s.facilities,
                        &s.consultations,
                        &cmd
                    ]
                )
            )
        }
        None => format!("{text}\n{}", tr(l, "store.err.no_snapshot")),
    }
}

/// "hằng ngày", "trước khi nhập"…
pub fn reason_label(l: Lang, r: crate::store::SnapshotReason) -> &'static str {
    use crate::store::SnapshotReason as R;
    match r {
        R::Daily => tr(l, "snapshot.reason.daily"),
        R::BeforeMigration => tr(l, "snapshot.reason.before-migration"),
        R::BeforeImport => tr(l, "snapshot.reason.before-import"),
        R::BeforeRestore => tr(l, "snapshot.reason.before-restore"),
        R::Manual => tr(l, "snapshot.reason.manual"),
    }
}

fn short_id(id: &str) -> &str {
    facilities::short_id(id)
}

/// "Phường Ba Đình (00004)".
pub fn commune_label(code: &str) -> String {
    match crate::refdata::units().commune(code) {
        Some(c) => format!("{} ({})", c.full_name, c.code),
        None => code.to_string(),
    }
}
