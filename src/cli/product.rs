//! `ctv product add|list|title|show`: a facility's products and their titles.

use clap::{Args, Subcommand};

use super::output::{self, Format};
use super::{CliError, Ctx};
use crate::domain::product::TitleInput;
use crate::record::ProductRecord;
use crate::store::Store;
use crate::words::format::short_id;
use crate::words::village::{title_mark, title_text};
use crate::words::{tr, trf};

#[derive(Debug, Subcommand)]
pub enum ProductCmd {
    Add {
        facility: String,
        #[arg(long = "name", id = "product_name")]
        name: String,
        #[arg(long, default_value = "")]
        notes: String,
        /// A first title, optional.
        #[command(flatten)]
        title: Option<TitleArgs>,
    },
    List {
        facility: Option<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    Title {
        product: String,
        #[command(flatten)]
        title: TitleArgs,
    },
    Show {
        product: String,
    },
}

/// A title on the command line.
#[derive(Debug, Args)]
pub struct TitleArgs {
    #[arg(long)]
    pub kind: String,
    #[arg(long = "year", id = "title_year")]
    pub year: String,
    #[arg(long)]
    pub level: String,
    #[arg(long, default_value = "")]
    pub certificate: String,
    #[arg(long, default_value = "")]
    pub issued: String,
    #[arg(long, default_value = "")]
    pub expiry: String,
}

impl TitleArgs {
    fn input(self) -> TitleInput {
        TitleInput {
            kind: self.kind,
            year: self.year,
            level: self.level,
            certificate: self.certificate,
            issued_date: self.issued,
            expiry_date: self.expiry,
        }
    }
}

pub fn run(ctx: &Ctx, cmd: ProductCmd) -> Result<(), CliError> {
    match cmd {
        ProductCmd::Add {
            facility,
            name,
            notes,
            title,
        } => add(ctx, &facility, &name, &notes, title),
        ProductCmd::List { facility, format } => list(ctx, facility.as_deref(), format),
        ProductCmd::Title { product, title } => add_title(ctx, &product, title),
        ProductCmd::Show { product } => show(ctx, &product),
    }
}

fn find_product(ctx: &Ctx, store: &Store, r: &str) -> Result<(ProductRecord, i64), CliError> {
    let found = store.product_by_ref(r)?;
    super::lookup::named(ctx.lang, found, "cli.product.not_found", r)
}

fn add(
    ctx: &Ctx,
    facility: &str,
    name: &str,
    notes: &str,
    title: Option<TitleArgs>,
) -> Result<(), CliError> {
    let mut store = ctx.open()?;
    store.require_profile()?;
    let fid = super::lookup::facility_id(ctx.lang, &store, facility)?;
    let titles: Vec<TitleInput> = title.into_iter().map(TitleArgs::input).collect();
    let p = store.add_product(&fid, name, notes, &titles)?;
    println!(
        "{}",
        trf(ctx.lang, "cli.product.added", &[&p.name, &short_id(&p.id)])
    );
    Ok(())
}

fn add_title(ctx: &Ctx, r: &str, title: TitleArgs) -> Result<(), CliError> {
    let mut store = ctx.open()?;
    let (p, version) = find_product(ctx, &store, r)?;
    let p = store.add_title(&p.id, version, &title.input())?;
    let today = store.today();
    let last = p
        .titles
        .last()
        .map(|t| title_text(ctx.lang, t, today))
        .unwrap_or_default();
    println!("{}", trf(ctx.lang, "cli.product.titled", &[&p.name, &last]));
    Ok(())
}

fn list(ctx: &Ctx, facility: Option<&str>, format: Format) -> Result<(), CliError> {
    let l = ctx.lang;
    let store = ctx.open_to_read()?;
    let products = match facility {
        Some(f) => {
            let fid = super::lookup::facility_id(ctx.lang, &store, f)?;
            store.products_of(&fid)?
        }
        None => store.products_in_scope()?,
    };
    let (mut out, io) = output::stdout();
    if format == Format::Json {
        let all: Vec<&ProductRecord> = products.iter().map(|(p, _)| p).collect();
        return output::json(&mut out, &all).map_err(io);
    }
    if products.is_empty() && format == Format::Table {
        println!("{}", tr(l, "cli.product.none"));
        return Ok(());
    }
    let today = store.today();
    let names = store.facility_names()?;
    let headers = [
        "id",
        tr(l, "product.field.name"),
        tr(l, "col.of_facility"),
        tr(l, "col.title_mark"),
    ];
    let rows: Vec<Vec<String>> = products
        .iter()
        .map(|(p, _)| {
            vec![
                short_id(&p.id).to_string(),
                p.name.clone(),
                names.get(&p.facility_id).cloned().unwrap_or_default(),
                title_mark(l, &p.titles, today),
            ]
        })
        .collect();
    output::listing(&mut out, format, &headers, &rows).map_err(io)
}

fn show(ctx: &Ctx, r: &str) -> Result<(), CliError> {
    let l = ctx.lang;
    let store = ctx.open_to_read()?;
    let (p, version) = find_product(ctx, &store, r)?;
    let today = store.today();
    let mut rows = vec![
        vec!["id".to_string(), p.id.clone()],
        vec![tr(l, "product.field.name").into(), p.name.clone()],
        vec![tr(l, "col.of_facility").into(), p.facility_id.clone()],
    ];
    if !p.notes.is_empty() {
        rows.push(vec![tr(l, "field.notes").into(), p.notes.clone()]);
    }
    for t in &p.titles {
        let mut text = title_text(l, t, today);
        if !t.certificate.is_empty() {
            text = format!("{text} — {}", t.certificate);
        }
        rows.push(vec![tr(l, "col.title_mark").into(), text]);
    }
    rows.push(vec![tr(l, "col.version").into(), version.to_string()]);
    let (mut out, io) = output::stdout();
    output::fields(&mut out, l, &rows).map_err(io)
}
