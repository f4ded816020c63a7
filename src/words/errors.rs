//! Store, bundle and receiving errors in words.

use crate::bundle::receive::ReceiveError;
use crate::bundle::{BundleError, KeyStatus};
use crate::domain::facility::FacilityField;
use crate::import::ImportError;
use crate::store::StoreError;
use crate::text::sanitize;
use crate::words::format::{commune_label, entity_label, short_id, CommuneForm};
use crate::words::problems::describe;
use crate::words::{tr, trf, Lang};

/// A store error in words: a validation failure as one "<field>: <problem>" line per error,
/// a broken file followed by the way back (the latest snapshot and its restore command).
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
            .map(|i| describe(l, i.field, &i.problem))
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
        StoreError::ProvinceOnly => tr(l, "store.err.province_only").to_string(),
        StoreError::RootOnly(a) => trf(l, "store.err.root_only", &[&crate::text::sanitize(a)]),
        StoreError::BackupRootOnly => tr(l, "store.err.backup_root_only").to_string(),
        StoreError::InUseBy(who) => {
            let who: Vec<String> = who.iter().map(|w| crate::text::sanitize(w)).collect();
            trf(l, "store.err.in_use_by", &[&who.join(", ")])
        }
        StoreError::OutOfScope(c) => trf(
            l,
            "store.err.out_of_scope",
            &[&commune_label(c, CommuneForm::FullNameCode)],
        ),
        StoreError::ProfileExists => tr(l, "store.err.profile_exists").to_string(),
        StoreError::Locked(id) => trf(l, "store.err.locked", &[&short_id(id)]),
        StoreError::NoFollowUp(id) => trf(l, "store.err.no_follow_up", &[&short_id(id)]),
        StoreError::FollowUpDone(id) => trf(l, "store.err.follow_up_done", &[&short_id(id)]),
        StoreError::NeedsAcceptance(_) => tr(l, "proposal.refused.needs_acceptance").to_string(),
        StoreError::FlowProvinceOnly => tr(l, "proposal.refused.area_review_setting").to_string(),
        StoreError::Transition { id, refusal } => trf(
            l,
            "store.err.transition",
            &[
                &short_id(id),
                &crate::words::problems::refusal_text(l, refusal),
            ],
        ),
        StoreError::Project { id, refusal } => crate::words::project::refusal_text(l, id, refusal),
        StoreError::NotEditable { id, status } => trf(
            l,
            "store.err.not_editable",
            &[
                &short_id(id),
                &crate::words::format::proposal_status_label(l, *status),
            ],
        ),
        StoreError::Io { path, source } if is_disk_full(source) => {
            trf(l, "store.err.io_full", &[&path.display()])
        }
        StoreError::Io { path, source } => trf(
            l,
            "store.err.io",
            &[&path.display(), &io_error_text(l, source)],
        ),
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
        StoreError::SourceFault => tr(l, "store.err.source_fault").to_string(),
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
            .map(|i| describe(l, i.field, &i.problem))
            .collect::<Vec<_>>()
            .join("; "),
        P::DuplicateId => tr(l, "merge.err.duplicate_id").to_string(),
        P::RevMismatch => tr(l, "merge.err.rev_mismatch").to_string(),
        P::MissingFacility { facility_id } => {
            trf(l, "merge.err.missing_facility", &[&short_id(facility_id)])
        }
        P::BadSender => tr(l, "merge.err.bad_sender").to_string(),
        P::UncleanText { field } => trf(l, "merge.err.unclean_text", &[field]),
        P::MissingProposal { proposal_id } => {
            trf(l, "merge.err.missing_proposal", &[&short_id(proposal_id)])
        }
        P::MissingVillage { village_id } => {
            trf(l, "merge.err.missing_village", &[&short_id(village_id)])
        }
        P::Refused {
            proposal_id,
            refusal,
        } => crate::words::project::refusal_text(l, proposal_id, refusal),
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
            if crate::store::default_db_path().as_deref() != Some(db) {
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

/// One line for a refused or failed bundle, in the user's language.
pub fn bundle_error_text(l: Lang, e: &BundleError) -> String {
    use BundleError as E;
    match e {
        E::Io { path, source } => trf(
            l,
            "bundle.err.io",
            &[&path.display(), &io_error_text(l, source)],
        ),
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
        E::Store(s) => store_error_text(l, s),
    }
}

/// The words for a receiving failure.
pub fn receive_error_text(l: Lang, e: &ReceiveError) -> String {
    match e {
        ReceiveError::Store(s) => store_error_text(l, s),
        ReceiveError::Bundle(BundleError::Store(s)) => store_error_text(l, s),
        ReceiveError::Bundle(b) => trf(l, "merge.err.unreadable", &[&bundle_error_text(l, b)]),
        ReceiveError::UntrustedKey(KeyStatus::Changed { on_file }) => {
            trf(l, "merge.err.key_changed", &[on_file])
        }
        ReceiveError::UntrustedKey(_) => tr(l, "merge.err.key_new").to_string(),
        ReceiveError::SeqReused { seq } => trf(l, "merge.err.seq_reused", &[seq]),
        ReceiveError::WrongKind { found, .. } => {
            trf(l, "merge.err.wrong_kind", &[&sanitize(found)])
        }
        ReceiveError::NotForYou => tr(l, "merge.err.not_for_you").to_string(),
        ReceiveError::BadReceipt(d) => trf(l, "merge.err.bad_receipt", &[&sanitize(d)]),
    }
}

/// An import error in words, in `lang`. Store errors keep their own (English) wording: the CLI
/// words those with its store error text.
pub fn import_error_text(lang: Lang, e: &ImportError) -> String {
    match e {
        ImportError::Io { source, .. } => {
            trf(lang, "import.err.io", &[&io_error_text(lang, source)])
        }
        ImportError::Write { source, .. } => trf(lang, "import.err.write", &[source]),
        ImportError::UnknownFormat { .. } => tr(lang, "import.err.unknown_format").to_string(),
        ImportError::Encoding { line } => trf(lang, "import.err.encoding", &[line]),
        ImportError::Utf16 => tr(lang, "import.err.utf16").to_string(),
        ImportError::Csv { line, message } => trf(lang, "import.err.csv", &[line, message]),
        ImportError::Xlsx { message } => trf(lang, "import.err.xlsx", &[message]),
        ImportError::NoSheet => tr(lang, "import.err.no_sheet").to_string(),
        ImportError::Empty => tr(lang, "import.err.empty").to_string(),
        ImportError::MissingColumn { column } => {
            let label =
                FacilityField::from_key(column).map_or(*column, |f| tr(lang, f.label_key()));
            trf(lang, "import.err.missing_column", &[&label, column])
        }
        ImportError::DuplicateColumn {
            field,
            first,
            second,
        } => {
            let label = FacilityField::from_key(field).map_or(*field, |f| tr(lang, f.label_key()));
            trf(
                lang,
                "import.err.duplicate_column",
                &[first, second, &label],
            )
        }
        ImportError::Store(se) => se.to_string(),
    }
}

/// An operating-system error in the user's words: the common kinds said plainly, the rest
/// with the system's own text (which is English) after a Vietnamese lead.
pub fn io_error_text(l: Lang, e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    let key = match e.kind() {
        K::NotFound => "io.not_found",
        K::PermissionDenied => "io.permission_denied",
        K::AlreadyExists => "io.already_exists",
        K::IsADirectory => "io.is_a_directory",
        K::NotADirectory => "io.not_a_directory",
        K::StorageFull => "io.storage_full",
        K::ReadOnlyFilesystem => "io.read_only",
        K::UnexpectedEof | K::InvalidData => "io.damaged",
        _ => return trf(l, "io.other", &[e]),
    };
    tr(l, key).to_string()
}
