//! `ctv village add|edit|list|show|archive|import|adopt|link`: the craft-village register.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::output::{self, Format};
use super::{CliError, Ctx};
use crate::domain::village::{VillageInput, FIELDS};
use crate::import::normalize_header;
use crate::record::VillageRecord;
use crate::store::{village_input, Store};
use crate::words::format::short_id;
use crate::words::village::{village_rows, village_status_text};
use crate::words::{describe, tr, trf};

#[derive(Debug, Subcommand)]
pub enum VillageCmd {
    Add(VillageArgs),
    Edit {
        village: String,
        #[command(flatten)]
        fields: VillageArgs,
    },
    List {
        #[arg(long)]
        commune: Option<String>,
        #[arg(long)]
        archived: bool,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    Show {
        village: String,
    },
    Archive {
        village: String,
        #[arg(long)]
        restore: bool,
    },
    Import {
        file: PathBuf,
    },
    Adopt,
    Link {
        facility: String,
        village: Option<String>,
        #[arg(long, conflicts_with = "village")]
        none: bool,
    },
}

/// The fields of a village on the command line (an edit changes only those given).
#[derive(Debug, Args, Default)]
pub struct VillageArgs {
    #[arg(long = "name", id = "village_name")]
    pub name: Option<String>,
    #[arg(long)]
    pub communes: Option<String>,
    #[arg(long)]
    pub trade_group: Option<String>,
    #[arg(long)]
    pub traditional: Option<String>,
    #[arg(long)]
    pub decision_no: Option<String>,
    #[arg(long)]
    pub decision_date: Option<String>,
    #[arg(long = "status", id = "village_status")]
    pub status: Option<String>,
    #[arg(long)]
    pub notes: Option<String>,
}

impl VillageArgs {
    /// `base` with the fields given here put over it.
    fn over(self, mut base: VillageInput) -> VillageInput {
        let set = |slot: &mut String, v: Option<String>| {
            if let Some(v) = v {
                *slot = v;
            }
        };
        set(&mut base.name, self.name);
        set(&mut base.communes, self.communes);
        set(&mut base.trade_group, self.trade_group);
        set(&mut base.traditional, self.traditional);
        set(&mut base.decision_no, self.decision_no);
        set(&mut base.decision_date, self.decision_date);
        set(&mut base.status, self.status);
        set(&mut base.notes, self.notes);
        base
    }
}

pub fn run(ctx: &Ctx, cmd: VillageCmd) -> Result<(), CliError> {
    match cmd {
        VillageCmd::Add(a) => add(ctx, a),
        VillageCmd::Edit { village, fields } => edit(ctx, &village, fields),
        VillageCmd::List {
            commune,
            archived,
            format,
        } => list(ctx, commune.as_deref(), archived, format),
        VillageCmd::Show { village } => show(ctx, &village),
        VillageCmd::Archive { village, restore } => archive(ctx, &village, !restore),
        VillageCmd::Import { file } => import(ctx, &file),
        VillageCmd::Adopt => adopt(ctx),
        VillageCmd::Link {
            facility,
            village,
            none: _,
        } => link(ctx, &facility, village.as_deref()),
    }
}

/// A village by id or short id, in the reader's scope.
pub fn find_village(ctx: &Ctx, store: &Store, r: &str) -> Result<(VillageRecord, i64), CliError> {
    let found = store.village_by_ref(r)?;
    super::lookup::named(ctx.lang, found, "cli.village.not_found", r)
}

fn add(ctx: &Ctx, a: VillageArgs) -> Result<(), CliError> {
    let mut store = ctx.open()?;
    store.require_profile()?;
    let v = store.add_village(&a.over(VillageInput::default()))?;
    println!(
        "{}",
        trf(ctx.lang, "cli.village.added", &[&v.name, &short_id(&v.id)])
    );
    Ok(())
}

fn edit(ctx: &Ctx, r: &str, a: VillageArgs) -> Result<(), CliError> {
    let mut store = ctx.open()?;
    let (old, version) = find_village(ctx, &store, r)?;
    let v = store.edit_village(&old.id, version, &a.over(village_input(&old)))?;
    println!("{}", trf(ctx.lang, "cli.village.edited", &[&v.name]));
    Ok(())
}

fn archive(ctx: &Ctx, r: &str, archived: bool) -> Result<(), CliError> {
    let mut store = ctx.open()?;
    let (old, version) = find_village(ctx, &store, r)?;
    let v = store.set_village_archived(&old.id, version, archived)?;
    let key = if archived {
        "cli.village.archived"
    } else {
        "cli.village.restored"
    };
    println!("{}", trf(ctx.lang, key, &[&v.name]));
    Ok(())
}

fn list(ctx: &Ctx, commune: Option<&str>, archived: bool, format: Format) -> Result<(), CliError> {
    let l = ctx.lang;
    let store = ctx.open_to_read()?;
    let villages = store.list_villages(commune, archived)?;
    let (mut out, io) = output::stdout();
    if format == Format::Json {
        let all: Vec<&VillageRecord> = villages.iter().map(|(v, _)| v).collect();
        return output::json(&mut out, &all).map_err(io);
    }
    if villages.is_empty() && format == Format::Table {
        println!("{}", tr(l, "cli.village.none"));
        return Ok(());
    }
    let headers = [
        "id",
        tr(l, "village.field.name"),
        tr(l, "village.field.communes"),
        tr(l, "village.field.decision_no"),
        tr(l, "village.field.status"),
    ];
    let rows: Vec<Vec<String>> = villages
        .iter()
        .map(|(v, _)| {
            vec![
                short_id(&v.id).to_string(),
                v.name.clone(),
                v.communes.join(", "),
                v.decision_no.clone(),
                village_status_text(l, &v.status),
            ]
        })
        .collect();
    output::listing(&mut out, format, &headers, &rows).map_err(io)
}

fn show(ctx: &Ctx, r: &str) -> Result<(), CliError> {
    let l = ctx.lang;
    let store = ctx.open_to_read()?;
    let (v, version) = find_village(ctx, &store, r)?;
    let mut rows: Vec<Vec<String>> = vec![vec!["id".into(), v.id.clone()]];
    rows.extend(village_rows(l, &v).into_iter().map(|(k, v)| vec![k, v]));
    rows.push(vec![tr(l, "col.version").into(), version.to_string()]);
    let facilities = store.village_facilities(&v.id)?;
    let names: Vec<String> = facilities
        .iter()
        .map(|(id, name)| format!("{name} ({})", short_id(id)))
        .collect();
    let (mut out, io) = output::stdout();
    output::fields(&mut out, l, &rows).map_err(io)?;
    drop(out);
    println!(
        "{}",
        crate::text::sanitize(&trf(l, "cli.village.facilities", &[&names.join("; ")]))
    );
    Ok(())
}

/// Which field each column of a village list holds (by key, label or common names).
fn column_field(header: &str) -> Option<&'static str> {
    let h = normalize_header(header);
    let aliases: [(&str, &[&str]); 8] = [
        ("village", &["Tên làng nghề", "Làng nghề", "Tên", "name"]),
        ("communes", &["Mã xã", "Xã", "commune_code", "commune"]),
        ("trade_group", &["Nhóm ngành", "Ngành nghề"]),
        ("traditional", &["Truyền thống"]),
        (
            "village_decision_no",
            &["Số quyết định", "Số QĐ", "decision_no"],
        ),
        (
            "village_decision_date",
            &["Ngày quyết định", "Ngày QĐ", "decision_date"],
        ),
        ("village_status", &["Tình trạng", "status"]),
        ("notes", &["Ghi chú"]),
    ];
    aliases
        .iter()
        .find(|(key, names)| {
            normalize_header(key) == h
                || FIELDS.iter().any(|(k, label)| {
                    k == key && normalize_header(tr(crate::words::Lang::Vi, label)) == h
                })
                || names.iter().any(|n| normalize_header(n) == h)
        })
        .map(|(k, _)| *k)
}

fn import(ctx: &Ctx, file: &std::path::Path) -> Result<(), CliError> {
    let l = ctx.lang;
    let mut store = ctx.open()?;
    store.require_profile()?;
    let table = crate::import::read_table(file).map_err(|e| {
        CliError::Message(trf(
            l,
            "cli.import.file_error",
            &[&file.display(), &e.to_string()],
        ))
    })?;
    let cols: Vec<Option<&str>> = table.headers.iter().map(|h| column_field(h)).collect();
    if !cols.contains(&Some("village")) {
        return Err(CliError::Message(trf(
            l,
            "cli.import.file_error",
            &[&file.display(), &tr(l, "cli.village.import.no_name")],
        )));
    }
    let mut inputs = Vec::with_capacity(table.rows.len());
    for (line, cells) in &table.rows {
        let mut input = VillageInput::default();
        for (field, cell) in cols.iter().zip(cells) {
            let slot = match field {
                Some("village") => &mut input.name,
                Some("communes") => &mut input.communes,
                Some("trade_group") => &mut input.trade_group,
                Some("traditional") => &mut input.traditional,
                Some("village_decision_no") => &mut input.decision_no,
                Some("village_decision_date") => &mut input.decision_date,
                Some("village_status") => &mut input.status,
                Some("notes") => &mut input.notes,
                _ => continue,
            };
            slot.clone_from(cell);
        }
        inputs.push((*line, input));
    }
    match store.import_villages(&inputs)? {
        Ok((n, already)) => {
            println!("{}", trf(l, "cli.village.import.done", &[&n, &already]));
            Ok(())
        }
        Err(rows) => {
            let mut n = 0;
            for (line, issues) in &rows {
                for i in &issues.0 {
                    n += 1;
                    eprintln!(
                        "{}",
                        trf(
                            l,
                            "cli.village.import.line",
                            &[line, &describe(l, i.field, &i.problem)]
                        )
                    );
                }
            }
            eprintln!("{}", trf(l, "cli.village.import.refused", &[&n]));
            Err(CliError::Reported)
        }
    }
}

fn adopt(ctx: &Ctx) -> Result<(), CliError> {
    let mut store = ctx.open()?;
    let (created, linked) = store.adopt_villages()?;
    println!(
        "{}",
        trf(ctx.lang, "cli.village.adopted", &[&created, &linked])
    );
    Ok(())
}

fn link(ctx: &Ctx, facility: &str, village: Option<&str>) -> Result<(), CliError> {
    let l = ctx.lang;
    let mut store = ctx.open()?;
    let f = super::lookup::facility(l, &store, facility)?;
    let v = village.map(|r| find_village(ctx, &store, r)).transpose()?;
    store.link_village(
        &f.id,
        f.meta.version,
        v.as_ref().map(|(v, _)| v.id.as_str()),
    )?;
    match v {
        Some((v, _)) => println!("{}", trf(l, "cli.village.linked", &[&f.data.name, &v.name])),
        None => println!("{}", trf(l, "cli.village.unlinked", &[&f.data.name])),
    }
    Ok(())
}
