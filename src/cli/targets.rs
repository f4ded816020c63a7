//! `ctv targets set YEAR KEY VALUE` (province) and `ctv targets list [--year Y]`: the yearly
//! targets and what the scope has achieved (the dashboard's figures).

use chrono::Datelike;
use clap::Subcommand;

use super::output;
use super::{CliError, Ctx};
use crate::domain::report::Target;
use crate::store::report::Dashboard;
use crate::words::report::{target_error_text, target_label, target_value};
use crate::words::{tr, trf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TargetsFormat {
    Table,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum TargetsCmd {
    /// Set one yearly target (the province only)
    Set {
        /// The year, e.g. 2027
        year: String,
        /// facilities_supported, money, training_classes, typical_products
        key: String,
        /// The value (money as 1,5 tỷ or 300tr)
        value: String,
    },
    /// The targets and what your scope has achieved
    List {
        /// Only this year (default: this year)
        #[arg(long)]
        year: Option<i32>,
        #[arg(long, value_enum, default_value = "table")]
        format: TargetsFormat,
    },
}

pub fn run(ctx: &Ctx, cmd: TargetsCmd) -> Result<(), CliError> {
    let l = ctx.lang;
    match cmd {
        TargetsCmd::Set { year, key, value } => {
            let t = Target::parse(&year, &key, &value)
                .map_err(|e| CliError::Message(target_error_text(l, &e)))?;
            let mut store = ctx.open()?;
            let changed = store.set_target(&t)?;
            let args: [&dyn std::fmt::Display; 3] = [
                &t.year,
                &target_label(l, t.key),
                &target_value(t.key, t.value),
            ];
            let key = if changed {
                "target.set"
            } else {
                "target.unchanged"
            };
            println!("{}", trf(l, key, &args));
            Ok(())
        }
        TargetsCmd::List { year, format } => {
            let store = ctx.open_to_read()?;
            let year = year.unwrap_or_else(|| store.today().year());
            let scope = store.report_scope(None)?;
            let d = store.dashboard(year, &scope)?;
            let mut buf = Vec::new();
            let io = |e| CliError::Io("targets".into(), e);
            match format {
                TargetsFormat::Json => output::json(&mut buf, &d).map_err(io)?,
                TargetsFormat::Table => {
                    let heads = [
                        tr(l, "target.col.year"),
                        tr(l, "target.col.key"),
                        tr(l, "report.col.figure"),
                        tr(l, "target.col.target"),
                        tr(l, "target.col.achieved"),
                        tr(l, "target.col.percent"),
                    ];
                    let rows: Vec<Vec<String>> = d
                        .rows
                        .iter()
                        .map(|r| {
                            vec![
                                d.year.to_string(),
                                r.key.code().to_string(),
                                target_label(l, r.key).to_string(),
                                r.target.map(|v| target_value(r.key, v)).unwrap_or_default(),
                                target_value(r.key, r.achieved),
                                Dashboard::percent(r)
                                    .map(|p| format!("{p}%"))
                                    .unwrap_or_default(),
                            ]
                        })
                        .collect();
                    output::table(&mut buf, &heads, &rows, 40).map_err(io)?;
                    if d.rows.iter().all(|r| r.target.is_none()) {
                        use std::io::Write;
                        writeln!(buf, "{}", tr(l, "target.none")).map_err(io)?;
                    }
                }
            }
            output::deliver(None, &buf)?;
            Ok(())
        }
    }
}
