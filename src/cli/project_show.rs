//! `ctv project show ID [--format json]`: a đề án's page — header, money approved / paid /
//! remaining, expected beside actual, and the timeline (oldest first) — worded by
//! `words::project_page` as the terminal app's page is. JSON is the read model itself.

use std::io::Write;

use clap::Args;

use super::output;
use super::{CliError, Ctx};
use crate::domain::proposal::BeneficiaryLine;
use crate::store::{ProjectPage, StoreError};
use crate::text::sanitize;
use crate::words::format::short_id;
use crate::words::group::beneficiary_rows;
use crate::words::project_page as project;
use crate::words::{tr, trf, Lang};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ShowFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The đề án (proposal): its id or the 8-character short id lists show
    pub id: String,
    /// text (default) or json
    #[arg(long, value_enum, default_value = "text")]
    pub format: ShowFormat,
}

pub fn show(ctx: &Ctx, a: ShowArgs) -> Result<(), CliError> {
    let l = ctx.lang;
    let store = ctx.open_to_read()?;
    let not_found = || CliError::Message(trf(l, "cli.proposal.not_found", &[&a.id]));
    let p = store.proposal_by_ref(&a.id)?.ok_or_else(not_found)?;
    let page = store
        .project_page(&p.id)?
        .ok_or_else(|| StoreError::NotFound(p.id.clone()))?;
    let (mut out, io) = output::stdout();
    match a.format {
        ShowFormat::Json => output::json(&mut out, &page).map_err(io)?,
        ShowFormat::Text => {
            let group = store.beneficiary_lines(&p.id)?;
            write_page(&mut out, l, &page, &group).map_err(io)?
        }
    }
    out.flush().map_err(io)
}

/// The page as text: labelled rows, then the timeline; every line sanitised.
fn write_page(
    out: &mut impl Write,
    l: Lang,
    page: &ProjectPage,
    group: &[BeneficiaryLine],
) -> std::io::Result<()> {
    let p = &page.proposal;
    let mut rows = vec![("id".to_string(), p.id.clone())];
    rows.push((
        tr(l, "proposal.field.title").to_string(),
        p.data.title.clone(),
    ));
    rows.extend(project::header_rows(l, page));
    rows.push((
        tr(l, "page.money_label").to_string(),
        project::money_line(l, &page.money, p.data.money.support),
    ));
    rows.extend(beneficiary_rows(l, group));
    output::labelled_rows(out, &rows)?;
    writeln!(out)?;
    writeln!(out, "{}", tr(l, "page.outcome"))?;
    let outcome: Vec<(String, String)> = project::outcome_rows(l, &page.outcome)
        .into_iter()
        .map(|(k, e, a)| (format!("  {k}"), format!("{e} → {a}")))
        .collect();
    output::labelled_rows(out, &outcome)?;
    writeln!(out)?;
    writeln!(out, "{}", tr(l, "page.timeline"))?;
    for e in &page.timeline {
        writeln!(out, "  {}", sanitize(&project::event_head(l, e)))?;
        for d in project::event_details(l, e) {
            for line in d.split('\n') {
                writeln!(out, "      {}", sanitize(line))?;
            }
        }
    }
    writeln!(out)?;
    writeln!(
        out,
        "{}",
        trf(l, "cli.project.see_also", &[&short_id(&p.id)])
    )
}
