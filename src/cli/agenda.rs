//! `ctv agenda [--format table|csv|tsv|json]`: the open follow-ups of the collaborator's area.

use std::io::Write;

use clap::Args;

use super::output::{self, Format};
use super::{CliError, Ctx};
use crate::domain::consultation::{dmy, AgendaBucket};
use crate::words::format::short_id;
use crate::words::{tr, trf};

#[derive(Debug, Args)]
pub struct AgendaArgs {
    /// table, csv (Excel; dates dd/mm/yyyy), tsv or json (dates yyyy-mm-dd)
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// At most this many follow-ups per bucket (the earliest due); default all
    #[arg(long)]
    pub limit: Option<usize>,
}

const HEADERS: [&str; 10] = [
    "bucket",
    "due_date",
    "days_late",
    "consultation_id",
    "consultation_date",
    "facility_id",
    "facility_name",
    "commune_code",
    "mode",
    "next_step",
];

pub fn run(ctx: &Ctx, a: AgendaArgs) -> Result<(), CliError> {
    let l = ctx.lang;
    let store = ctx.open_to_read()?;
    store.require_profile()?;
    let agenda = store.agenda_limited(a.limit.unwrap_or(usize::MAX))?;
    output::print_list(
        a.format,
        || Ok(&agenda),
        &HEADERS,
        |date| {
            agenda
                .items
                .iter()
                .map(|i| {
                    let c = &i.consultation;
                    vec![
                        i.bucket.key().to_string(),
                        c.follow_up
                            .as_ref()
                            .map(|f| date(f.due_date))
                            .unwrap_or_default(),
                        i.days_late.to_string(),
                        c.id.clone(),
                        date(c.data.date),
                        c.data.facility_id.clone(),
                        c.facility_name.clone(),
                        c.commune_code.clone(),
                        c.data.mode.clone(),
                        c.data.next_step.clone(),
                    ]
                })
                .collect()
        },
        |out, io| {
            writeln!(out, "{}", trf(l, "cli.agenda.today", &[&dmy(agenda.today)])).map_err(io)?;
            for b in AgendaBucket::ALL {
                let items: Vec<_> = agenda.bucket(b).collect();
                writeln!(out).map_err(io)?;
                writeln!(out, "{} ({})", tr(l, b.label_key()), agenda.count(b)).map_err(io)?;
                if items.is_empty() {
                    continue;
                }
                let cells: Vec<Vec<String>> = items
                    .iter()
                    .map(|i| {
                        let c = &i.consultation;
                        let due = c
                            .follow_up
                            .as_ref()
                            .map(|f| dmy(f.due_date))
                            .unwrap_or_default();
                        let late = if i.days_late > 0 {
                            trf(l, "cli.agenda.days_late", &[&i.days_late])
                        } else {
                            String::new()
                        };
                        vec![
                            due,
                            late,
                            c.facility_name.clone(),
                            c.data.next_step.replace('\n', " / "),
                            short_id(&c.id).to_string(),
                        ]
                    })
                    .collect();
                let h = [
                    tr(l, "cli.agenda.due"),
                    tr(l, "cli.agenda.late"),
                    tr(l, "consult.col.facility"),
                    tr(l, "consult.field.next_step"),
                    "id",
                ];
                output::table(out, &h, &cells, 48).map_err(io)?;
                let more = agenda.count(b).saturating_sub(items.len());
                if more > 0 {
                    writeln!(out, "{}", trf(l, "cli.agenda.more", &[&more])).map_err(io)?;
                }
            }
            if !agenda.visits.is_empty() {
                writeln!(out).map_err(io)?;
                let title = trf(l, "cli.agenda.visits", &[&agenda.visits.len()]);
                writeln!(out, "{title}").map_err(io)?;
                let h = [
                    tr(l, "cli.agenda.due"),
                    tr(l, "cli.agenda.late"),
                    tr(l, "consult.col.facility"),
                    tr(l, "cli.agenda.project"),
                    "id",
                ];
                output::table(
                    out,
                    &h,
                    &crate::words::project::visit_due_rows(l, &agenda.visits),
                    48,
                )
                .map_err(io)?;
            }
            Ok(())
        },
    )
}
