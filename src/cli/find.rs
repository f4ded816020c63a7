//! `ctv find QUERY [--limit N] [--format table|tsv|json]` — the same search as the terminal app.

use std::io::Write;

use clap::Args;

use super::output::{self, Format};
use super::{CliError, Ctx};
use crate::domain::facility::format_phone;
use crate::words::{tr, trf};

#[derive(Debug, Args)]
pub struct FindArgs {
    /// What to look for; diacritics optional ("lang nghe", "duc", "0912")
    #[arg(required = true, num_args = 1..)]
    pub query: Vec<String>,
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// Also the facilities outside the collaborator's own area (a commune's or area's default)
    #[arg(long)]
    pub all: bool,
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

#[derive(serde::Serialize)]
struct JsonHit<'a> {
    id: &'a str,
    name: &'a str,
    representative: &'a str,
    products: &'a str,
    commune: &'a str,
    phone: &'a str,
    tax_code: &'a str,
    score: i64,
    field: crate::search::Field,
    positions: &'a [usize],
}

pub fn run(ctx: &Ctx, a: FindArgs) -> Result<(), CliError> {
    let l = ctx.lang;
    let store = ctx.open_to_read()?;
    let query = crate::text::ingest(&a.query.join(" "));
    let index = store.search_index()?;
    let (hits, total) = match store.own_area().filter(|_| !a.all) {
        // Narrowed to the own area after ranking: every hit is ranked, the area's kept.
        Some(own) => {
            let filter = crate::store::FacilityFilter {
                communes: Some(own),
                ..Default::default()
            };
            let ids = store.facility_ids_shown(&filter)?;
            let (all, _) = index.search_counted(&query, index.len());
            let mut hits: Vec<_> = all
                .into_iter()
                .filter(|h| ids.contains(index.doc(h.index).id))
                .collect();
            let total = hits.len();
            hits.truncate(a.limit);
            (hits, total)
        }
        None => index.search_counted(&query, a.limit),
    };
    let (mut out, io) = output::stdout();
    match a.format {
        Format::Json => {
            let items: Vec<JsonHit> = hits
                .iter()
                .map(|h| {
                    let d = index.doc(h.index);
                    JsonHit {
                        id: d.id,
                        name: d.name,
                        representative: d.representative,
                        products: d.products,
                        commune: d.commune,
                        phone: d.phone,
                        tax_code: d.tax_code,
                        score: h.score,
                        field: h.field,
                        positions: &h.positions,
                    }
                })
                .collect();
            output::json(&mut out, &items).map_err(io)?;
        }
        Format::Csv => {
            // The sheet of `facilities list --format csv`: it imports back the same way.
            let mut found = Vec::with_capacity(hits.len());
            for h in &hits {
                found.extend(store.facility(index.doc(h.index).id)?);
            }
            let (header, cells) = crate::words::format::facility_sheet(l, &found);
            output::delimited(&mut out, a.format, &header, &cells).map_err(io)?;
        }
        Format::Tsv => {
            let rows: Vec<Vec<String>> = hits
                .iter()
                .map(|h| {
                    let d = index.doc(h.index);
                    [d.id, d.name, d.commune, d.representative, d.phone]
                        .map(str::to_string)
                        .to_vec()
                })
                .collect();
            let h = ["id", "name", "commune", "representative", "phone"];
            output::delimited(&mut out, a.format, &h, &rows).map_err(io)?;
        }
        Format::Table => {
            if hits.is_empty() {
                writeln!(out, "{}", tr(l, "cli.find.none")).map_err(io)?;
            } else {
                // The columns of `ctv facilities list`: trade group and workers are not in
                // the search index, so the few hits shown are read from the store.
                let mut rows: Vec<Vec<String>> = Vec::with_capacity(hits.len());
                for h in &hits {
                    let d = index.doc(h.index);
                    let f = store.facility(d.id)?;
                    let data = f.as_ref().map(|f| &f.data);
                    rows.push(vec![
                        crate::words::format::short_id(d.id).to_string(),
                        d.name.to_string(),
                        d.commune.to_string(),
                        data.and_then(|d| d.trade_group.clone()).unwrap_or_default(),
                        data.and_then(|d| d.workers)
                            .map(|w| w.to_string())
                            .unwrap_or_default(),
                        format_phone(d.phone),
                    ]);
                }
                let h = super::facilities::table_header(l);
                output::table(&mut out, &h, &rows, 44).map_err(io)?;
                let more = total.saturating_sub(hits.len());
                if more > 0 {
                    writeln!(out, "{}", trf(l, "cli.find.more", &[&more])).map_err(io)?;
                }
            }
        }
    }
    out.flush().map_err(io)
}
