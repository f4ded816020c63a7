//! `ctv settings area-review yes|no`: the province's choice of flow (issue 15);
//! `ctv settings snapshot-cap MB|default`: the snapshots' cap on disk (issue 18).

use clap::Subcommand;

use super::{CliError, Ctx};
use crate::store::Store;
use crate::words::{tr, trf, Lang};

#[derive(Debug, Subcommand)]
pub enum SettingsCmd {
    /// Whether area officers review proposals before the province (province only); without
    /// a value, shows the current choice
    AreaReview {
        #[arg(value_name = "yes|no")]
        value: Option<String>,
    },
    /// The snapshots' total size on disk, in MB ("default": 5 times the database); without
    /// a value, shows the current cap
    SnapshotCap {
        #[arg(value_name = "MB|default")]
        value: Option<String>,
    },
}

/// yes/no, có/không, 1/0, on/off; anything else names the option.
pub(super) fn yes_no(l: Lang, raw: &str) -> Result<bool, CliError> {
    match crate::text::fold(raw.trim()).as_str() {
        "yes" | "y" | "co" | "1" | "on" | "true" => Ok(true),
        "no" | "n" | "khong" | "0" | "off" | "false" => Ok(false),
        _ => Err(CliError::Message(trf(
            l,
            "flow.area_review.bad",
            &[&crate::text::sanitize(raw)],
        ))),
    }
}

/// «Rà soát của cán bộ khu vực: không (xã → tỉnh)».
pub(super) fn print_flow(l: Lang, store: &Store) -> Result<(), CliError> {
    let flow = store.flow()?;
    println!(
        "{}: {}",
        tr(l, "flow.area_review"),
        crate::words::flow::area_review_text(l, flow)
    );
    Ok(())
}

/// Prints the snapshot cap as it stands (the setting, or the default and what it is now).
fn print_cap(l: Lang, ctx: &Ctx, store: &Store) -> Result<(), CliError> {
    let bytes = crate::words::format::megabytes(crate::store::snapshot_cap_of(&ctx.db_path));
    let text = match store.setting(crate::store::CAP_SETTING)? {
        Some(_) => bytes,
        None => trf(l, "cli.snapshots.cap_default", &[&bytes]),
    };
    println!("{}", trf(l, "cli.snapshots.cap", &[&text]));
    Ok(())
}

pub fn run(ctx: &Ctx, cmd: SettingsCmd) -> Result<(), CliError> {
    let l = ctx.lang;
    match cmd {
        SettingsCmd::SnapshotCap { value: None } => print_cap(l, ctx, &ctx.open_to_read()?),
        SettingsCmd::SnapshotCap { value: Some(v) } => {
            let folded = crate::text::fold(v.trim());
            let mb = match folded.as_str() {
                "default" | "mac dinh" => None,
                n => match n.parse::<u64>() {
                    Ok(mb) if mb > 0 => Some(mb),
                    _ => {
                        return Err(CliError::Message(trf(
                            l,
                            "cli.snapshots.cap_bad",
                            &[&crate::text::sanitize(&v)],
                        )))
                    }
                },
            };
            let mut store = ctx.open()?;
            store.set_snapshot_cap(mb)?;
            print_cap(l, ctx, &store)
        }
        SettingsCmd::AreaReview { value: None } => print_flow(l, &ctx.open_to_read()?),
        SettingsCmd::AreaReview { value: Some(v) } => {
            let on = yes_no(l, &v)?;
            let mut store = ctx.open()?;
            store.set_area_review(on)?;
            println!(
                "{}",
                trf(
                    l,
                    "flow.area_review.set",
                    &[&crate::words::flow::area_review_text(l, store.flow()?)]
                )
            );
            Ok(())
        }
    }
}
