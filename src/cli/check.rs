//! `ctv check`: a plain report on the database (read-only, never migrated); exit 1 if
//! anything is wrong.

use clap::Args;

use super::{CliError, Ctx};
use crate::store::CHECK_LIMIT;
use crate::words::{tr, trf, Lang};

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Walk back the history of a sample of records instead of every record
    #[arg(long)]
    pub quick: bool,
}

pub fn run(ctx: &Ctx, a: CheckArgs) -> Result<(), CliError> {
    let l = ctx.lang;
    if !ctx.db_path.exists() {
        return Err(CliError::Message(trf(
            l,
            "cli.no_database",
            &[&ctx.db_path.display()],
        )));
    }
    // On a shared server only an account with a profile (or root) may look.
    if crate::shared::is_setgid() && !crate::shared::is_root() {
        ctx.open_to_read()?;
    }
    let r = crate::store::check_database_with(&ctx.db_path, a.quick)?;
    println!(
        "{}",
        trf(l, "cli.check.title", &[&ctx.db_path.display(), &r.schema])
    );
    if r.truncated {
        println!("{}", tr(l, "cli.check.truncated"));
    }
    if r.integrity.is_empty() {
        println!("{}", tr(l, "cli.check.integrity_ok"));
    }
    list(l, &r.integrity, r.integrity.len(), |p| {
        trf(l, "cli.check.integrity_bad", &[p])
    });
    if r.integrity.is_empty() {
        if r.foreign_keys.is_empty() {
            println!("{}", tr(l, "cli.check.fk_ok"));
        }
        list(l, &r.foreign_keys, r.foreign_keys.len(), |p| {
            trf(l, "cli.check.fk_bad", &[p])
        });
        if r.versions_total == 0 && r.orphans_total == 0 {
            println!("{}", tr(l, "cli.check.versions_ok"));
        }
        list(l, &r.versions, r.versions_total, |v| {
            let logged = v
                .logged
                .map_or_else(|| tr(l, "check.none").to_string(), |n| n.to_string());
            trf(
                l,
                "cli.check.version_bad",
                &[&entity_label(l, v.entity), &v.id, &v.version, &logged],
            )
        });
        list(l, &r.orphans, r.orphans_total, |(entity, id)| {
            trf(l, "cli.check.orphan", &[&entity_label(l, entity), id])
        });
        if r.unknown_codes.is_empty() {
            println!("{}", tr(l, "cli.check.codes_ok"));
        }
        for u in &r.unknown_codes {
            println!(
                "{}",
                trf(
                    l,
                    "cli.check.code_bad",
                    &[&kind_label(l, u.kind), &u.code, &u.records]
                )
            );
        }
        if r.kept_money_total == 0 {
            println!("{}", tr(l, "cli.check.kept_ok"));
        }
        list(l, &r.kept_money, r.kept_money_total, |id| {
            trf(l, "cli.check.kept_bad", &[id])
        });
        if r.histories_total == 0 && r.histories_checked > 0 {
            println!(
                "{}",
                trf(l, "cli.check.history_ok", &[&r.histories_checked])
            );
        }
        list(l, &r.histories, r.histories_total, |(entity, id)| {
            trf(l, "cli.check.history_bad", &[&entity_label(l, entity), id])
        });
    }
    println!();
    if r.is_ok() {
        println!("{}", tr(l, "cli.check.ok"));
        Ok(())
    } else {
        println!("{}", tr(l, "cli.check.bad"));
        Err(CliError::Reported)
    }
}

fn list<T>(l: Lang, items: &[T], total: usize, line: impl Fn(&T) -> String) {
    for i in items.iter().take(CHECK_LIMIT) {
        println!("{}", line(i));
    }
    if total > CHECK_LIMIT.min(items.len()) {
        println!(
            "{}",
            trf(
                l,
                "cli.check.more",
                &[&(total - CHECK_LIMIT.min(items.len()))]
            )
        );
    }
}

fn entity_label(l: Lang, entity: &str) -> &'static str {
    match entity {
        "facility" => tr(l, "check.entity.facility"),
        _ => tr(l, "check.entity.consultation"),
    }
}

fn kind_label(l: Lang, kind: &str) -> &'static str {
    match kind {
        "commune" => tr(l, "check.kind.commune"),
        "entity_type" => tr(l, "check.kind.entity_type"),
        "trade_group" => tr(l, "check.kind.trade_group"),
        "mode" => tr(l, "check.kind.mode"),
        _ => tr(l, "check.kind.topic"),
    }
}
