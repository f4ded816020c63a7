//! `ctv init --name … --role … --unit CODE[,CODE…]`

use clap::Args;

use super::{CliError, Ctx};
use crate::domain::ProfileInput;
use crate::store::StoreError;
use crate::words::format::role_key;
use crate::words::{tr, trf};

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Your full name
    #[arg(long)]
    pub name: String,
    /// commune (xã), area (khu vực / former huyện) or province (tỉnh)
    #[arg(long)]
    pub role: String,
    /// 2025 commune code(s), pre-2025 district code(s) for an area, or a province code
    #[arg(long, value_name = "CODE[,CODE…]")]
    pub unit: String,
    /// Province only: whether area officers review proposals before the province (yes/no;
    /// default no)
    #[arg(long, value_name = "yes|no")]
    pub area_review: Option<String>,
    /// Replace an existing profile (the old one stays, inactive, as the author of its records)
    #[arg(long)]
    pub replace: bool,
}

pub fn run(ctx: &Ctx, a: InitArgs) -> Result<(), CliError> {
    let area_review = match &a.area_review {
        Some(v) => {
            if crate::domain::Role::parse(a.role.trim()) != Some(crate::domain::Role::Province) {
                return Err(CliError::Message(
                    tr(ctx.lang, "flow.area_review.only_province").to_string(),
                ));
            }
            Some(super::settings::yes_no(ctx.lang, v)?)
        }
        None => None,
    };
    let mut store = ctx.open()?;
    let input = ProfileInput {
        name: a.name,
        role: a.role,
        units: a.unit,
        account: None,
    };
    let l = ctx.lang;
    match store.init_profile(&input, a.replace) {
        Ok(p) => {
            println!(
                "{}",
                trf(
                    l,
                    "cli.init.done",
                    &[&p.name, &tr(l, role_key(p.role)), &p.scope_label()]
                )
            );
            if p.units.len() > 1 {
                println!("{}", trf(l, "cli.init.communes", &[&p.units.len()]));
            }
            if p.role == crate::domain::Role::Province {
                if let Some(on) = area_review {
                    store.set_area_review(on)?;
                }
                super::settings::print_flow(l, &store)?;
            }
            // The key that signs this profile's bundles; its fingerprint is what the
            // province compares.
            let key = crate::bundle::signing_key(&mut store)
                .map_err(|e| CliError::Message(crate::words::bundle_error_text(l, &e)))?;
            println!("{}", trf(l, "cli.init.key", &[&key.fingerprint()]));
            Ok(())
        }
        Err(StoreError::ProfileExists) => {
            Err(CliError::Message(tr(l, "cli.init.exists").to_string()))
        }
        Err(e) => Err(e.into()),
    }
}
