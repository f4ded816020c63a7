//! `ctv facilities import|list|show|add|archive|restore|history`

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::output::{self, Format};
use super::{CliError, Ctx};
use crate::domain::facility::{format_phone, FacilityField, FacilityInput};
use crate::domain::FacilityStatus;
use crate::refdata::{codes, Units};
use crate::store::{FacilityFilter, FacilitySort};
use crate::words::format::{code_label, status_key};
use crate::words::format::{commune_label, known_commune_label, short_id, CommuneForm};
use crate::words::suspect_text;
use crate::words::{tr, trf, Lang};

#[derive(Debug, Subcommand)]
pub enum FacilitiesCmd {
    /// Import facilities from a CSV or XLSX file (all rows or none, unless --skip-invalid)
    Import(ImportArgs),
    /// List facilities, sorted the Vietnamese way
    List(ListArgs),
    /// Show one facility with every field
    Show { id: String },
    /// Register a facility (the same rules as the form in the terminal app)
    Add(Box<AddArgs>),
    /// Archive a facility (it is hidden from lists, never deleted)
    Archive { id: String },
    /// Bring an archived facility back
    Restore { id: String },
    /// Who changed what, when, on one facility
    History { id: String },
    /// Change fields of a facility: --set FIELD=VALUE (field keys as in `--format json`)
    Edit(EditArgs),
}

#[derive(Debug, Args)]
pub struct EditArgs {
    pub id: String,
    /// FIELD=VALUE, e.g. --set workers=12 --set notes="…" (repeatable)
    #[arg(long = "set", value_name = "FIELD=VALUE", required = true)]
    pub set: Vec<String>,
    /// Save only if the facility is still at this version (as read earlier): a change made
    /// meanwhile by someone else is reported, never overwritten
    #[arg(long, value_name = "N")]
    pub if_version: Option<i64>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    pub file: PathBuf,
    /// Import the valid rows and write the rejected ones to <file>.loi.csv
    #[arg(long)]
    pub skip_invalid: bool,
    /// Check the file and report, without writing to the database (the list of duplicate
    /// suspects is still written beside the file)
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only this 2025 commune code
    #[arg(long)]
    pub commune: Option<String>,
    /// Only this rural-trade group (NN1…NN7)
    #[arg(long)]
    pub trade_group: Option<String>,
    /// active, paused or closed
    #[arg(long)]
    pub status: Option<String>,
    /// List archived facilities instead
    #[arg(long)]
    pub archived: bool,
    /// Also the facilities outside the collaborator's own area (a commune's or area's default)
    #[arg(long)]
    pub all: bool,
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    #[arg(long)]
    pub name: String,
    #[arg(long)]
    pub commune: String,
    #[arg(long, default_value = "")]
    pub entity_type: String,
    #[arg(long, default_value = "")]
    pub tax_code: String,
    #[arg(long, default_value = "")]
    pub representative: String,
    #[arg(long, default_value = "")]
    pub phone: String,
    #[arg(long, default_value = "")]
    pub address: String,
    #[arg(long, default_value = "")]
    pub trade_group: String,
    #[arg(long, default_value = "")]
    pub products: String,
    #[arg(long, default_value = "")]
    pub workers: String,
    #[arg(long, default_value = "")]
    pub founded_year: String,
    #[arg(long, default_value = "")]
    pub notes: String,
    /// Save even when duplicate suspects are found
    #[arg(long)]
    pub force: bool,
}

pub fn run(ctx: &Ctx, cmd: FacilitiesCmd) -> Result<(), CliError> {
    match cmd {
        FacilitiesCmd::Import(a) => import(ctx, a),
        FacilitiesCmd::List(a) => list(ctx, a),
        FacilitiesCmd::Show { id } => show(ctx, &id),
        FacilitiesCmd::Add(a) => add(ctx, *a),
        FacilitiesCmd::Archive { id } => set_archived(ctx, &id, true),
        FacilitiesCmd::Restore { id } => set_archived(ctx, &id, false),
        FacilitiesCmd::History { id } => history(ctx, &id),
        FacilitiesCmd::Edit(a) => edit(ctx, a),
    }
}

/// The scriptable twin of the form's save: the same validation, scope and version check.
/// A conflict shows the stored value beside the one asked for, field by field.
fn edit(ctx: &Ctx, a: EditArgs) -> Result<(), CliError> {
    let l = ctx.lang;
    let mut store = ctx.open()?;
    let f = super::lookup::facility(ctx.lang, &store, &a.id)?;
    let mut input = FacilityInput::from_data(&f.data);
    let mut asked = Vec::new();
    for kv in &a.set {
        let (k, v) = kv.split_once('=').unwrap_or((kv.as_str(), ""));
        let Some(field) = FacilityField::ALL
            .iter()
            .copied()
            .find(|x| x.key() == k.trim())
        else {
            return Err(CliError::Message(trf(
                l,
                "cli.edit.unknown_field",
                &[&crate::text::sanitize(k)],
            )));
        };
        input.set(field, v.to_string());
        asked.push(field);
    }
    let expected = a.if_version.unwrap_or(f.meta.version);
    match store.update_facility(&f.id, expected, &input) {
        Ok((saved, warnings)) => {
            for w in warnings.warnings() {
                eprintln!(
                    "{}",
                    crate::words::problems::describe_facility(l, w.field, &w.problem)
                );
            }
            println!(
                "{}",
                trf(l, "cli.edit.done", &[&saved.data.name, &saved.meta.version])
            );
            Ok(())
        }
        Err(e @ crate::store::StoreError::Conflict { .. }) => {
            eprintln!("{}", crate::words::store_error_text(l, &e));
            if let Some(now) = store.facility(&f.id)? {
                let theirs = FacilityInput::from_data(&now.data);
                for field in asked {
                    let (t, y) = (theirs.get(field), input.get(field));
                    if t != y {
                        eprintln!(
                            "{}",
                            trf(
                                l,
                                "cli.edit.conflict_field",
                                &[
                                    &tr(l, field.label_key()),
                                    &crate::text::sanitize(t),
                                    &crate::text::sanitize(y)
                                ]
                            )
                        );
                    }
                }
            }
            Err(CliError::Reported)
        }
        Err(e) => Err(e.into()),
    }
}

const LIST_HEADERS: [&str; 16] = [
    "id",
    "name",
    "entity_type",
    "tax_code",
    "representative",
    "phone",
    "address",
    "commune_code",
    "commune_name",
    "trade_group",
    "products",
    "workers",
    "founded_year",
    "status",
    "notes",
    "updated_at",
];

fn list(ctx: &Ctx, a: ListArgs) -> Result<(), CliError> {
    let l = ctx.lang;
    let store = ctx.open_to_read()?;
    let mut filter = FacilityFilter {
        archived: a.archived,
        ..Default::default()
    };
    if let Some(c) = &a.commune {
        let code = Units::pad_commune_code(c)
            .filter(|c| crate::refdata::units().commune(c).is_some())
            .ok_or_else(|| CliError::Message(trf(l, "cli.err.unknown_commune", &[c])))?;
        filter.communes = Some(vec![code]);
    } else if !a.all {
        filter.communes = store.own_area();
    }
    if let Some(t) = &a.trade_group {
        let t = t.trim().to_uppercase();
        if !codes().trade_groups.contains(&t) {
            return Err(CliError::Message(trf(
                l,
                "cli.err.unknown_trade_group",
                &[&t],
            )));
        }
        filter.trade_group = Some(t);
    }
    if let Some(s) = &a.status {
        filter.status = Some(
            FacilityStatus::parse(s)
                .ok_or_else(|| CliError::Message(trf(l, "cli.err.unknown_status", &[s])))?,
        );
    }
    let rows = store.list_facilities(&filter, FacilitySort::Name, false, 0, usize::MAX >> 1)?;
    let (mut out, io) = output::stdout();
    match a.format {
        Format::Json => {
            output::json(&mut out, &rows).map_err(io)?;
        }
        Format::Csv => {
            let (header, cells) = crate::words::format::facility_sheet(l, &rows);
            output::delimited(&mut out, a.format, &header, &cells).map_err(io)?;
        }
        Format::Tsv => {
            let cells: Vec<Vec<String>> = rows
                .iter()
                .map(|f| {
                    let d = &f.data;
                    vec![
                        f.id.clone(),
                        d.name.clone(),
                        d.entity_type.clone().unwrap_or_default(),
                        d.tax_code.clone().unwrap_or_default(),
                        d.representative.clone(),
                        d.phone.clone().unwrap_or_default(),
                        d.address.clone(),
                        d.commune_code.clone(),
                        known_commune_label(&d.commune_code, CommuneForm::FullName)
                            .unwrap_or_default(),
                        d.trade_group.clone().unwrap_or_default(),
                        d.products.clone(),
                        d.workers.map(|w| w.to_string()).unwrap_or_default(),
                        d.founded_year.map(|y| y.to_string()).unwrap_or_default(),
                        d.status.as_str().to_string(),
                        d.notes.clone(),
                        f.meta.updated_at.clone(),
                    ]
                })
                .collect();
            output::delimited(&mut out, a.format, &LIST_HEADERS, &cells).map_err(io)?;
        }
        Format::Table => {
            let cells: Vec<Vec<String>> = rows
                .iter()
                .map(|f| {
                    let d = &f.data;
                    vec![
                        short_id(&f.id).to_string(),
                        d.name.clone(),
                        commune_label(&d.commune_code, CommuneForm::Name),
                        d.trade_group.clone().unwrap_or_default(),
                        d.workers.map(|w| w.to_string()).unwrap_or_default(),
                        d.phone.as_deref().map(format_phone).unwrap_or_default(),
                    ]
                })
                .collect();
            let h = table_header(l);
            output::table(&mut out, &h, &cells, 44).map_err(io)?;
            writeln!(out, "{}", trf(l, "cli.list.count", &[&rows.len()])).map_err(io)?;
        }
    }
    out.flush().map_err(io)
}

fn show(ctx: &Ctx, id: &str) -> Result<(), CliError> {
    let l = ctx.lang;
    let store = ctx.open_to_read()?;
    let f = super::lookup::facility(ctx.lang, &store, id)?;
    let mut rows = vec![vec!["id".to_string(), f.id.clone()]];
    let input = FacilityInput::from_data(&f.data);
    for field in FacilityField::ALL {
        let raw = input.get(field).to_string();
        let v = match field {
            FacilityField::CommuneCode => commune_label(&raw, CommuneForm::FullNameCode),
            FacilityField::EntityType => {
                code_label(l, &codes().entity_types, f.data.entity_type.as_deref())
            }
            FacilityField::TradeGroup => {
                code_label(l, &codes().trade_groups, f.data.trade_group.as_deref())
            }
            FacilityField::Phone => f
                .data
                .phone
                .as_deref()
                .map(format_phone)
                .unwrap_or_default(),
            FacilityField::Status => tr(l, status_key(f.data.status)).to_string(),
            f if f.is_flag() => {
                if raw.is_empty() {
                    String::new()
                } else {
                    tr(l, "cli.yes").to_string()
                }
            }
            _ => raw,
        };
        if !v.is_empty() {
            rows.push(vec![tr(l, field.label_key()).to_string(), v]);
        }
    }
    if let Some(old) = &f.old_commune_code {
        let label = crate::words::problems::old_commune_label(old);
        rows.push(vec![tr(l, "col.old_commune_code").into(), label]);
    }
    rows.push(vec![
        tr(l, "col.version").into(),
        f.meta.version.to_string(),
    ]);
    rows.push(vec![
        tr(l, "col.updated_at").into(),
        f.meta.updated_at.clone(),
    ]);
    if f.meta.archived {
        rows.push(vec![tr(l, "col.archived").into(), tr(l, "cli.yes").into()]);
    }
    let mut out = std::io::stdout().lock();
    output::table(
        &mut out,
        &[tr(l, "col.field"), tr(l, "col.value")],
        &rows,
        200,
    )
    .map_err(|e| CliError::Io("stdout".into(), e))
}

fn add(ctx: &Ctx, a: AddArgs) -> Result<(), CliError> {
    let l = ctx.lang;
    let mut store = ctx.open()?;
    let input = FacilityInput {
        name: a.name,
        commune_code: a.commune,
        entity_type: a.entity_type,
        tax_code: a.tax_code,
        representative: a.representative,
        phone: a.phone,
        address: a.address,
        trade_group: a.trade_group,
        products: a.products,
        workers: a.workers,
        founded_year: a.founded_year,
        notes: a.notes,
        ..Default::default()
    };
    store.require_profile()?;
    let (data, warnings) =
        crate::domain::facility::validate(&input, &store.validation_context(false))
            .map_err(crate::store::StoreError::Invalid)?;
    for w in warnings.warnings() {
        eprintln!(
            "{} {}",
            tr(l, "cli.warning"),
            crate::words::problems::describe_facility(l, w.field, &w.problem)
        );
    }
    let suspects = store.duplicate_suspects(&data, None)?;
    if !suspects.is_empty() {
        for s in &suspects {
            eprintln!("{}", suspect_text(l, s));
        }
        if !a.force {
            eprintln!("{}", tr(l, "cli.add.dup_refused"));
            return Err(CliError::Reported);
        }
    }
    let f = store.insert_facility(&data)?;
    println!("{}", trf(l, "cli.add.done", &[&f.data.name, &f.id]));
    Ok(())
}

fn set_archived(ctx: &Ctx, id: &str, archived: bool) -> Result<(), CliError> {
    let l = ctx.lang;
    let mut store = ctx.open()?;
    let f = super::lookup::facility(ctx.lang, &store, id)?;
    let f = store.set_facility_archived(&f.id, f.meta.version, archived)?;
    let key = if archived {
        "cli.archive.done"
    } else {
        "cli.restore.done"
    };
    println!("{}", trf(l, key, &[&f.data.name]));
    Ok(())
}

fn history(ctx: &Ctx, id: &str) -> Result<(), CliError> {
    let l = ctx.lang;
    let store = ctx.open_to_read()?;
    let f = super::lookup::facility(ctx.lang, &store, id)?;
    let rows: Vec<Vec<String>> = store
        .history("facility", &f.id)?
        .into_iter()
        .map(|e| {
            let fields: Vec<String> = e
                .changes
                .iter()
                .map(|(k, v)| {
                    let label = FacilityField::from_key(k)
                        .map(|f| tr(l, f.label_key()))
                        .unwrap_or(k.as_str());
                    let new = v.get(1).map(json_text).unwrap_or_default();
                    format!("{label}: {new}")
                })
                .collect();
            let action = match e.from_bundle {
                Some(seq) if e.action == "create" => {
                    trf(l, "history.create_from_bundle", &[&seq, &e.actor_name])
                }
                _ => e.action,
            };
            vec![
                crate::words::format::local_time(&e.at),
                e.actor_name,
                action,
                e.version.to_string(),
                fields.join("; "),
            ]
        })
        .collect();
    let mut out = std::io::stdout().lock();
    let h = [
        tr(l, "col.when"),
        tr(l, "col.who"),
        tr(l, "col.action"),
        tr(l, "col.version"),
        tr(l, "col.changes"),
    ];
    output::table(&mut out, &h, &rows, 80).map_err(|e| CliError::Io("stdout".into(), e))
}

fn json_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "∅".into(),
        other => other.to_string(),
    }
}

fn import(ctx: &Ctx, a: ImportArgs) -> Result<(), CliError> {
    super::import::run(ctx, a.file, a.skip_invalid, a.dry_run)
}

/// The facility table's columns, shared by `facilities list` and `find`.
pub(super) fn table_header(l: Lang) -> [&'static str; 6] {
    [
        "id",
        tr(l, "field.name"),
        tr(l, "col.commune"),
        tr(l, "col.trade_group"),
        tr(l, "col.workers"),
        tr(l, "field.phone"),
    ]
}
