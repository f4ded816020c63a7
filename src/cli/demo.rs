//! `ctv demo [--facilities N] [--consultations M] [--seed S]`: realistic synthetic data to try CTV out.

use clap::Args;

use super::{CliError, Ctx};
use crate::domain::ProfileInput;
use crate::words::{tr, trf};

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// How many facilities to create
    #[arg(long, default_value_t = 200)]
    pub facilities: usize,
    /// How many consultations to record with them (default: five per facility)
    #[arg(long)]
    pub consultations: Option<usize>,
    /// Random seed (the same seed gives the same data)
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Whom to work as when the database has no profile yet: a commune collaborator (Xã Bát
    /// Tràng), an area officer (former huyện Gia Lâm) or a provincial officer (Hà Nội)
    #[arg(long, value_parser = ["commune", "area", "province"], default_value = "province")]
    pub role: String,
}

/// The demo's profile for a role: (units, name key). A commune known for its craft villages,
/// the former district around it, and the whole province.
fn demo_scope(role: &str) -> (&'static str, &'static str) {
    match role {
        "commune" => ("00577", "cli.demo.name.commune"),
        "area" => ("018", "cli.demo.name.area"),
        _ => ("01", "cli.demo.name.province"),
    }
}

pub fn run(ctx: &Ctx, a: DemoArgs) -> Result<(), CliError> {
    let l = ctx.lang;
    let mut store = ctx.open()?;
    // Whom the demo works as at the end; proposals are decided by the province, so a
    // commune's or area's demo is written as the province first, then handed over.
    let mut hand_over: Option<ProfileInput> = None;
    if store.profile().is_none() {
        let (units, name_key) = demo_scope(&a.role);
        let input = ProfileInput {
            name: tr(l, name_key).into(),
            role: a.role.clone(),
            units: units.into(),
            account: None,
        };
        if a.role == "province" {
            let p = store.init_profile(&input, false)?;
            println!(
                "{}",
                trf(l, "cli.demo.profile", &[&p.name, &p.scope_label()])
            );
        } else {
            let province = ProfileInput {
                name: tr(l, "cli.demo.name.centre").into(),
                role: "province".into(),
                units: "01".into(),
                account: None,
            };
            store.init_profile(&province, false)?;
            hand_over = Some(input);
        }
    }
    let communes = match &hand_over {
        Some(input) => {
            input
                .validate()
                .map_err(crate::store::StoreError::Invalid)?
                .units
        }
        None => crate::demo::demo_communes(store.require_profile()?),
    };
    if communes.is_empty() {
        return Err(CliError::Message(tr(l, "cli.demo.no_communes").to_string()));
    }
    let rows = crate::demo::generate(a.facilities, a.seed, &communes);
    let out = store.import_facilities(&rows)?;
    println!("{}", trf(l, "cli.demo.done", &[&out.inserted]));
    let n = a.consultations.unwrap_or(a.facilities.saturating_mul(5));
    let groups: Vec<Option<String>> = rows.iter().map(|r| r.trade_group.clone()).collect();
    let consultations =
        crate::demo::generate_consultations(&out.ids, &groups, n, a.seed, store.today());
    if !consultations.is_empty() {
        store.import_consultations(&consultations)?;
        let open = consultations
            .iter()
            .filter(|c| {
                c.data.follow_up_date.is_some() && c.follow_up == crate::store::BulkFollowUp::Open
            })
            .count();
        println!(
            "{}",
            trf(l, "cli.demo.consultations", &[&consultations.len(), &open])
        );
    }
    let (villages, products) = crate::demo::add_demo_register(&mut store, &out.ids, 300)?;
    println!("{}", trf(l, "cli.demo.register", &[&villages, &products]));
    // Proposals in every stage: one for every tenth facility, at most 400.
    if store.require_profile()?.role == crate::domain::Role::Province {
        let n = (out.ids.len() / 10).clamp(out.ids.len().min(11), 400);
        let made = crate::demo::add_demo_proposals(&mut store, &out.ids, n, a.seed)?;
        println!("{}", trf(l, "cli.demo.proposals", &[&made]));
        crate::demo::add_demo_targets(&mut store)?;
    }
    let made = crate::demo::add_demo_activities(&mut store, &out.ids, a.seed)?;
    if made > 0 {
        println!("{}", trf(l, "cli.demo.activities", &[&made]));
    }
    if let Some(input) = hand_over {
        let p = store.init_profile(&input, true)?;
        println!(
            "{}",
            trf(l, "cli.demo.profile", &[&p.name, &p.scope_label()])
        );
    }
    Ok(())
}
