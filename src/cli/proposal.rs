//! `ctv proposal add|edit|list|show|propose|review|return|withdraw|set-status`

use std::io::Write;

use clap::{Args, Subcommand};

use super::output::{self, Format};
use super::{CliError, Ctx};
use crate::domain::issue::{Issues, Problem};
use crate::domain::money::format_vnd;
use crate::domain::proposal::{
    BeneficiaryInput, FundingSource, MoveInput, ProposalInput, ProposalPatch, ProposalStatus,
    ProposalTotals,
};
use crate::refdata::codes;
use crate::store::{default_title, ProposalFilter, Store, StoreError};
use crate::words::format::code_label;
use crate::words::format::short_id;
use crate::words::{describe_proposal, tr, trf, Lang};

#[derive(Debug, Subcommand)]
pub enum ProposalCmd {
    /// Draft a proposal for a facility, prefilled from it and its recorded needs
    Add(Box<AddArgs>),
    /// Change a draft
    Edit(Box<EditArgs>),
    /// List proposals of your area, with totals per category and funding source
    List(ListArgs),
    /// One proposal: its content, warnings, history and what you may do with it
    Show { id: String },
    /// Propose a draft to the area (commune collaborator)
    Propose { id: String },
    /// Mark a proposal reviewed, with a comment (area officer)
    Review {
        id: String,
        #[arg(long)]
        comment: String,
    },
    /// Return a proposal with a reason: the province for revision (→ TRA_LAI), an area
    /// officer (with area review) to its commune as a draft
    Return {
        id: String,
        #[arg(long)]
        reason: String,
    },
    /// Withdraw a proposal, with a reason (proposer or reviewer)
    Withdraw {
        id: String,
        #[arg(long)]
        reason: String,
    },
    /// Approve a proposal (province): support granted (default: as asked), decision number
    /// and date, funding source, batch
    Approve {
        id: String,
        /// The support granted, e.g. 80tr (at most what was asked; default: as asked)
        #[arg(long, default_value = "")]
        amount: String,
        #[arg(long)]
        decision_no: String,
        /// dd/mm/yyyy
        #[arg(long)]
        decision_date: String,
        /// KCQG or KCĐP (default: as asked)
        #[arg(long, default_value = "")]
        funding: String,
        /// The batch (đợt) of the year
        #[arg(long, default_value = "")]
        batch: String,
    },
    /// Refuse a proposal, with a reason (province)
    Refuse {
        id: String,
        #[arg(long)]
        reason: String,
    },
    /// Start an approved đề án (province): start date, implementing unit, planned end
    Start {
        id: String,
        #[arg(long)]
        date: String,
        #[arg(long)]
        unit: String,
        #[arg(long)]
        planned_end: String,
    },
    /// Stop an approved or running đề án, with a reason (province)
    Stop {
        id: String,
        #[arg(long)]
        reason: String,
    },
    /// Set a status at the province: PHE_DUYET (with --decision), KHONG_DUYET (with --reason),
    /// DANG_THUC_HIEN, HOAN_THANH
    SetStatus {
        id: String,
        status: String,
        #[arg(long, default_value = "")]
        reason: String,
        /// The decision number (quyết định phê duyệt)
        #[arg(long)]
        decision: Option<String>,
    },
}

/// The content fields; on `add` those not given keep the prefilled values.
#[derive(Debug, Args)]
pub struct FieldArgs {
    /// Plan year (default: next year)
    #[arg(long)]
    pub year: Option<String>,
    /// Support category: KC01…KC14 (default: the one most raised in consultations)
    #[arg(long)]
    pub category: Option<String>,
    /// KCQG (national) or KCDP (local)
    #[arg(long)]
    pub funding: Option<String>,
    #[arg(long)]
    pub title: Option<String>,
    /// Why it is needed (default: the difficulties and needs recorded)
    #[arg(long)]
    pub rationale: Option<String>,
    #[arg(long)]
    pub objectives: Option<String>,
    #[arg(long)]
    pub content: Option<String>,
    #[arg(long)]
    pub place: Option<String>,
    #[arg(long)]
    pub time_frame: Option<String>,
    /// Total cost in VND: 1.250.000.000, 1250000000 or 1,25 tỷ
    #[arg(long)]
    pub total: Option<String>,
    /// Khuyến công support asked for, VND
    #[arg(long)]
    pub support: Option<String>,
    /// The facility's counterpart, VND (default 0)
    #[arg(long)]
    pub counterpart: Option<String>,
    /// Other sources, VND (default 0)
    #[arg(long)]
    pub other: Option<String>,
    /// Expected jobs
    #[arg(long)]
    pub jobs: Option<String>,
    #[arg(long)]
    pub products: Option<String>,
    #[arg(long)]
    pub capacity: Option<String>,
}

impl FieldArgs {
    fn patch(self) -> ProposalPatch {
        ProposalPatch {
            plan_year: self.year,
            category: self.category,
            funding: self.funding,
            title: self.title,
            rationale: self.rationale,
            objectives: self.objectives,
            content: self.content,
            place: self.place,
            time_frame: self.time_frame,
            total_cost: self.total,
            support: self.support,
            counterpart: self.counterpart,
            other_sources: self.other,
            expected_jobs: self.jobs,
            expected_products: self.products,
            expected_capacity: self.capacity,
            priorities: None,
        }
    }
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// The facility (id or short id); for a group repeat ID=SUPPORT[/COUNTERPART]; none for
    /// a đề án the centre runs
    #[arg(long)]
    pub facility: Vec<String>,
    /// A pilot đề án (đề án điểm)
    #[arg(long)]
    pub pilot: bool,
    /// Where a đề án with no facility takes place (2025 commune code)
    #[arg(long)]
    pub commune: Option<String>,
    #[command(flatten)]
    pub fields: FieldArgs,
}

#[derive(Debug, Args)]
pub struct EditArgs {
    pub id: String,
    #[command(flatten)]
    pub fields: FieldArgs,
}

#[derive(Debug, Args)]
pub struct FilterArgs {
    /// Only these statuses (NHAP, DE_XUAT, DA_RA_SOAT, …); repeat or separate with commas
    #[arg(long)]
    pub status: Vec<String>,
    /// Only open proposals (not withdrawn, refused or completed)
    #[arg(long, conflicts_with = "status")]
    pub open: bool,
    #[arg(long, value_parser = super::help::plan_year())]
    pub year: Option<i32>,
    /// KC01…KC14
    #[arg(long)]
    pub category: Option<String>,
    /// KCQG or KCDP
    #[arg(long)]
    pub funding: Option<String>,
    /// One commune of your area (2025 code)
    #[arg(long)]
    pub commune: Option<String>,
    /// One facility (id or short id)
    #[arg(long)]
    pub facility: Option<String>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// table (with totals), csv (Excel), tsv or json
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

pub fn run(ctx: &Ctx, cmd: ProposalCmd) -> Result<(), CliError> {
    match cmd {
        ProposalCmd::Add(a) => add(ctx, *a),
        ProposalCmd::Edit(a) => edit(ctx, *a),
        ProposalCmd::List(a) => list(ctx, a),
        ProposalCmd::Show { id } => show(ctx, &id),
        ProposalCmd::Propose { id } => transition(
            ctx,
            &id,
            ProposalStatus::DeXuat,
            "",
            None,
            "cli.proposal.proposed",
        ),
        ProposalCmd::Review { id, comment } => transition(
            ctx,
            &id,
            ProposalStatus::DaRaSoat,
            &comment,
            None,
            "cli.proposal.reviewed",
        ),
        ProposalCmd::Return { id, reason } => {
            let to = match ctx.open_to_read()?.profile().map(|p| p.role) {
                Some(crate::domain::Role::Province) => ProposalStatus::TraLai,
                _ => ProposalStatus::Nhap,
            };
            transition(ctx, &id, to, &reason, None, "cli.proposal.returned")
        }
        ProposalCmd::Approve {
            id,
            amount,
            decision_no,
            decision_date,
            funding,
            batch,
        } => move_with(
            ctx,
            &id,
            ProposalStatus::PheDuyet,
            &MoveInput {
                approved_support: amount,
                decision_no,
                decision_date,
                funding,
                batch,
                ..Default::default()
            },
            "cli.proposal.status_set",
        ),
        ProposalCmd::Refuse { id, reason } => move_with(
            ctx,
            &id,
            ProposalStatus::KhongDuyet,
            &MoveInput::with_reason(reason),
            "cli.proposal.status_set",
        ),
        ProposalCmd::Start {
            id,
            date,
            unit,
            planned_end,
        } => move_with(
            ctx,
            &id,
            ProposalStatus::DangThucHien,
            &MoveInput {
                start_date: date,
                implementing_unit: unit,
                planned_end,
                ..Default::default()
            },
            "cli.proposal.status_set",
        ),
        ProposalCmd::Stop { id, reason } => move_with(
            ctx,
            &id,
            ProposalStatus::Dung,
            &MoveInput::with_reason(reason),
            "cli.proposal.status_set",
        ),
        ProposalCmd::Withdraw { id, reason } => transition(
            ctx,
            &id,
            ProposalStatus::Rut,
            &reason,
            None,
            "cli.proposal.withdrawn",
        ),
        ProposalCmd::SetStatus {
            id,
            status,
            reason,
            decision,
        } => {
            let to = ProposalStatus::parse(&status).ok_or_else(|| {
                CliError::Message(describe_proposal(
                    ctx.lang,
                    "status",
                    &Problem::UnknownCode {
                        code: status.trim().to_string(),
                    },
                ))
            })?;
            transition(
                ctx,
                &id,
                to,
                &reason,
                decision.as_deref(),
                "cli.proposal.status_set",
            )
        }
    }
}

fn warn(l: Lang, issues: &Issues) {
    for w in issues.warnings() {
        eprintln!(
            "{} {}",
            tr(l, "cli.warning"),
            describe_proposal(l, w.field, &w.problem)
        );
    }
}

fn invalid_text(l: Lang, e: &StoreError) -> Option<String> {
    match e {
        StoreError::Invalid(issues) => Some(
            issues
                .errors()
                .map(|i| describe_proposal(l, i.field, &i.problem))
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        _ => None,
    }
}

/// Runs a store call; a validation failure is printed with proposal field labels.
fn checked<T>(l: Lang, r: Result<T, StoreError>) -> Result<T, CliError> {
    r.map_err(|e| match invalid_text(l, &e) {
        Some(text) => CliError::Message(text),
        None => CliError::Store(e),
    })
}

fn add(ctx: &Ctx, a: AddArgs) -> Result<(), CliError> {
    let l = ctx.lang;
    let mut store = ctx.open()?;
    store.require_profile()?;
    // `ID` for one facility, `ID=SUPPORT[/COUNTERPART]` for each of a group.
    let mut group = Vec::new();
    for raw in &a.facility {
        let (r, share) = match raw.split_once('=') {
            Some((r, share)) => (r.trim(), Some(share)),
            None => (raw.trim(), None),
        };
        let f = super::lookup::facility(l, &store, r)?;
        group.push((f, share));
    }
    let patch = a.fields.patch();
    let mut input = match group.first() {
        Some((lead, _)) => store.proposal_prefill(&lead.id)?.input,
        None => ProposalInput {
            commune_code: a.commune.clone().unwrap_or_default(),
            ..ProposalInput::default()
        },
    };
    input.is_pilot = a.pilot;
    if group.len() > 1 || group.iter().any(|(_, s)| s.is_some()) {
        input.beneficiaries = group
            .iter()
            .map(|(f, share)| {
                let (support, counterpart) = share
                    .unwrap_or_default()
                    .split_once('/')
                    .unwrap_or((share.unwrap_or_default(), ""));
                BeneficiaryInput {
                    facility_id: f.id.clone(),
                    support: support.to_string(),
                    counterpart: counterpart.to_string(),
                }
            })
            .collect();
    }
    // The prefilled title follows the category chosen here.
    let lead_name = group.first().map(|(f, _)| f.data.name.as_str());
    if let (Some(name), None, Some(_)) = (lead_name, &patch.title, &patch.category) {
        let probe = crate::domain::proposal::ProposalInput {
            category: patch.category.clone().unwrap_or_default(),
            ..Default::default()
        };
        let mut issues = Issues::default();
        let cat = crate::domain::consultation::parse_topics(&probe.category, &mut issues);
        if let [c] = cat.as_slice() {
            input.title = default_title(c, name);
        }
    }
    let set = |slot: &mut String, v: Option<String>| {
        if let Some(v) = v {
            *slot = v;
        }
    };
    set(&mut input.plan_year, patch.plan_year);
    set(&mut input.category, patch.category);
    set(&mut input.funding, patch.funding);
    set(&mut input.title, patch.title);
    set(&mut input.rationale, patch.rationale);
    set(&mut input.objectives, patch.objectives);
    set(&mut input.content, patch.content);
    set(&mut input.place, patch.place);
    set(&mut input.time_frame, patch.time_frame);
    set(&mut input.total_cost, patch.total_cost);
    set(&mut input.support, patch.support);
    set(&mut input.counterpart, patch.counterpart);
    set(&mut input.other_sources, patch.other_sources);
    set(&mut input.expected_jobs, patch.expected_jobs);
    set(&mut input.expected_products, patch.expected_products);
    set(&mut input.expected_capacity, patch.expected_capacity);
    let (p, warnings) = checked(l, store.add_proposal(&input))?;
    warn(l, &warnings);
    println!(
        "{}",
        trf(
            l,
            "cli.proposal.added",
            &[
                &p.data.title,
                &short_id(&p.id),
                &format_vnd(p.data.money.support)
            ]
        )
    );
    Ok(())
}

fn edit(ctx: &Ctx, a: EditArgs) -> Result<(), CliError> {
    let l = ctx.lang;
    let mut store = ctx.open()?;
    let p = super::lookup::proposal(ctx.lang, &store, &a.id)?;
    let patch = a.fields.patch();
    if patch.is_empty() {
        return Err(CliError::Message(tr(l, "cli.proposal.nothing").into()));
    }
    let (p, warnings) = checked(l, store.edit_proposal(&p.id, p.version, &patch))?;
    warn(l, &warnings);
    println!("{}", trf(l, "cli.proposal.edited", &[&short_id(&p.id)]));
    Ok(())
}

/// A move with what it carries (approve, refuse, start, stop), worded by `done_key`.
fn move_with(
    ctx: &Ctx,
    id: &str,
    to: ProposalStatus,
    input: &MoveInput,
    done_key: &'static str,
) -> Result<(), CliError> {
    let l = ctx.lang;
    let mut store = ctx.open()?;
    let p = super::lookup::proposal(ctx.lang, &store, id)?;
    let p = checked(l, store.move_proposal_with(&p.id, p.version, to, input))?;
    println!(
        "{}",
        trf(
            l,
            done_key,
            &[
                &p.data.title,
                &crate::words::format::proposal_status_label(l, p.status)
            ]
        )
    );
    Ok(())
}

fn transition(
    ctx: &Ctx,
    id: &str,
    to: ProposalStatus,
    reason: &str,
    decision: Option<&str>,
    done_key: &'static str,
) -> Result<(), CliError> {
    let input = MoveInput {
        reason: reason.to_string(),
        decision_no: decision.unwrap_or_default().to_string(),
        ..Default::default()
    };
    move_with(ctx, id, to, &input, done_key)
}

fn parse_filter(ctx: &Ctx, store: &Store, a: &FilterArgs) -> Result<ProposalFilter, CliError> {
    let l = ctx.lang;
    let unknown = |key: &'static str, v: &str| {
        CliError::Message(describe_proposal(
            l,
            key,
            &Problem::UnknownCode {
                code: v.trim().to_string(),
            },
        ))
    };
    let mut statuses = Vec::new();
    for s in a.status.iter().flat_map(|s| s.split(',')) {
        statuses.push(ProposalStatus::parse(s).ok_or_else(|| unknown("status", s))?);
    }
    if a.open {
        statuses = ProposalStatus::ALL
            .into_iter()
            .filter(|s| s.is_open())
            .collect();
    }
    let category = match &a.category {
        None => None,
        Some(c) => {
            let mut issues = Issues::default();
            match crate::domain::consultation::parse_topics(c, &mut issues).as_slice() {
                [one] if !issues.has_errors() => Some(one.clone()),
                _ => return Err(unknown("category", c)),
            }
        }
    };
    let funding = match &a.funding {
        None => None,
        Some(f) => Some(FundingSource::parse(f).ok_or_else(|| unknown("funding", f))?),
    };
    let commune = match &a.commune {
        None => None,
        Some(c) => Some(
            crate::refdata::Units::pad_commune_code(c).ok_or_else(|| unknown("facility_id", c))?,
        ),
    };
    let facility_id = match &a.facility {
        None => None,
        Some(r) => Some(super::lookup::facility_id(l, store, r)?),
    };
    Ok(ProposalFilter {
        statuses,
        year: a.year,
        category,
        funding,
        commune,
        facility_id,
    })
}

const LIST_HEADERS: [&str; 20] = [
    "id",
    "plan_year",
    "status",
    "facility_id",
    "facility_name",
    "commune_code",
    "category",
    "funding",
    "title",
    "total_cost",
    "support",
    "counterpart",
    "other_sources",
    "expected_jobs",
    "priorities",
    "decision_no",
    "place",
    "time_frame",
    "created_at",
    "updated_at",
];

fn list(ctx: &Ctx, a: ListArgs) -> Result<(), CliError> {
    let l = ctx.lang;
    let store = ctx.open_to_read()?;
    store.require_profile()?;
    let f = parse_filter(ctx, &store, &a.filter)?;
    let rows = store.list_proposals(&f, 0, usize::MAX >> 1)?;
    output::print_list(
        a.format,
        || {
            let totals = store.proposal_totals(&f)?;
            Ok(serde_json::json!({ "proposals": rows, "totals": totals }))
        },
        &LIST_HEADERS,
        |_| {
            // Money as plain integers: Excel reads them as numbers.
            rows.iter()
                .map(|p| {
                    let d = &p.data;
                    vec![
                        p.id.clone(),
                        d.plan_year.to_string(),
                        p.status.code().to_string(),
                        d.facility_id.clone(),
                        p.facility_name.clone(),
                        p.commune_code.clone(),
                        d.category.clone(),
                        d.funding.code().to_string(),
                        d.title.clone(),
                        d.money.total_cost.to_string(),
                        d.money.support.to_string(),
                        d.money.counterpart.to_string(),
                        d.money.other_sources.to_string(),
                        d.expected_jobs.map(|j| j.to_string()).unwrap_or_default(),
                        d.priorities
                            .flags()
                            .iter()
                            .filter(|(_, on)| *on)
                            .map(|(k, _)| *k)
                            .collect::<Vec<_>>()
                            .join(","),
                        p.decision_no.clone().unwrap_or_default(),
                        d.place.clone(),
                        d.time_frame.clone(),
                        p.created_at.clone(),
                        p.updated_at.clone(),
                    ]
                })
                .collect()
        },
        |out, io| {
            let cells: Vec<Vec<String>> = rows
                .iter()
                .map(|p| {
                    let d = &p.data;
                    vec![
                        short_id(&p.id).to_string(),
                        d.plan_year.to_string(),
                        crate::words::group::facility_label(l, p),
                        d.category.clone(),
                        d.funding.short().to_string(),
                        d.title.clone(),
                        format_vnd(d.money.total_cost),
                        format_vnd(d.money.support),
                        crate::words::format::proposal_status_label(l, p.status),
                    ]
                })
                .collect();
            let h = [
                "id",
                tr(l, "proposal.col.year"),
                tr(l, "proposal.field.facility"),
                tr(l, "proposal.col.category"),
                tr(l, "proposal.col.funding"),
                tr(l, "proposal.field.title"),
                tr(l, "proposal.field.total_cost"),
                tr(l, "proposal.field.support"),
                tr(l, "proposal.field.status"),
            ];
            output::table(out, &h, &cells, 40).map_err(io)?;
            writeln!(out, "{}", trf(l, "cli.proposal.count", &[&rows.len()])).map_err(io)?;
            if !rows.is_empty() {
                write_totals(out, l, &store.proposal_totals(&f)?).map_err(io)?;
            }
            Ok(())
        },
    )
}

/// The totals of a list: requested support and total cost per category and funding source.
fn write_totals(out: &mut impl Write, l: Lang, t: &ProposalTotals) -> std::io::Result<()> {
    writeln!(out)?;
    let row = |name: String, m: &crate::domain::proposal::MoneyTotals| {
        vec![
            name,
            m.count.to_string(),
            format_vnd(m.total_cost),
            format_vnd(m.support),
        ]
    };
    let mut cells: Vec<Vec<String>> = t
        .by_category
        .iter()
        .map(|(c, m)| {
            row(
                format!(
                    "{c} {}",
                    code_label(l, &codes().support_categories, Some(c))
                ),
                m,
            )
        })
        .collect();
    cells.extend(
        t.by_funding
            .iter()
            .map(|(f, m)| row(tr(l, f.label_key()).to_string(), m)),
    );
    cells.push(row(tr(l, "proposal.col.grand_total").to_string(), &t.total));
    let h = [
        tr(l, "proposal.col.totals"),
        tr(l, "proposal.col.count"),
        tr(l, "proposal.field.total_cost"),
        tr(l, "proposal.field.support"),
    ];
    output::table(out, &h, &cells, 60)
}

fn show(ctx: &Ctx, id: &str) -> Result<(), CliError> {
    let l = ctx.lang;
    let store = ctx.open_to_read()?;
    let p = super::lookup::proposal(ctx.lang, &store, id)?;
    let rec = store
        .proposal_record(&p.id)?
        .ok_or_else(|| StoreError::NotFound(p.id.clone()))?;
    let p = &rec.proposal;
    let d = &p.data;
    let label = |k: &'static str| tr(l, k).to_string();
    let mut rows: Vec<(String, String)> = vec![
        ("id".into(), p.id.clone()),
        (
            label("proposal.field.facility"),
            if d.has_facility() {
                format!("{} [{}]", p.facility_name, short_id(&d.facility_id))
            } else {
                label("proposal.no_facility")
            },
        ),
        (
            label("proposal.col.commune"),
            crate::words::format::commune_label(
                &p.commune_code,
                crate::words::format::CommuneForm::FullNameCode,
            ),
        ),
        (
            label("proposal.field.status"),
            crate::words::format::proposal_status_label(l, p.status),
        ),
        (
            label("proposal.field.decision_no"),
            p.decision_no.clone().unwrap_or_default(),
        ),
        (label("proposal.field.plan_year"), d.plan_year.to_string()),
        (
            label("proposal.field.category"),
            format!(
                "{} — {}",
                d.category,
                code_label(l, &codes().support_categories, Some(&d.category))
            ),
        ),
        (
            label("proposal.field.funding"),
            tr(l, d.funding.label_key()).to_string(),
        ),
        (label("proposal.field.title"), d.title.clone()),
        (label("proposal.field.rationale"), d.rationale.clone()),
        (label("proposal.field.objectives"), d.objectives.clone()),
        (label("proposal.field.content"), d.content.clone()),
        (label("proposal.field.place"), d.place.clone()),
        (label("proposal.field.time_frame"), d.time_frame.clone()),
        (
            label("proposal.field.total_cost"),
            format_vnd(d.money.total_cost),
        ),
        (label("proposal.field.support"), format_vnd(d.money.support)),
        (
            label("proposal.field.counterpart"),
            format_vnd(d.money.counterpart),
        ),
        (
            label("proposal.field.other_sources"),
            format_vnd(d.money.other_sources),
        ),
        (
            label("proposal.field.expected_jobs"),
            d.expected_jobs.map(|j| j.to_string()).unwrap_or_default(),
        ),
        (
            label("proposal.field.expected_products"),
            d.expected_products.clone(),
        ),
        (
            label("proposal.field.expected_capacity"),
            d.expected_capacity.clone(),
        ),
        (
            label("proposal.field.priorities"),
            crate::words::format::priorities_text(l, &d.priorities),
        ),
    ];
    // The approval, start and stop, after the decision number.
    rows.splice(5..5, crate::words::flow::approval_rows(l, p));
    // A group's beneficiaries after the facility (the lead), then the pilot mark.
    let group = store.beneficiary_lines(&p.id)?;
    rows.splice(2..2, crate::words::group::beneficiary_rows(l, &group));
    if d.is_pilot {
        rows.push((label("proposal.field.pilot"), tr(l, "cli.yes").to_string()));
    }
    if !rec.actions.is_empty() {
        rows.push((
            label("proposal.col.actions"),
            rec.actions
                .iter()
                .map(|(s, _)| {
                    format!(
                        "{} ({})",
                        crate::words::format::proposal_status_label(l, *s),
                        s.code()
                    )
                })
                .collect::<Vec<_>>()
                .join(", "),
        ));
    }
    let (mut out, io) = output::stdout();
    output::labelled_rows(&mut out, &rows).map_err(io)?;
    for w in rec.warnings.warnings() {
        writeln!(
            out,
            "{} {}",
            tr(l, "cli.warning"),
            describe_proposal(l, w.field, &w.problem)
        )
        .map_err(io)?;
    }
    writeln!(out).map_err(io)?;
    writeln!(out, "{}", tr(l, "cli.proposal.history")).map_err(io)?;
    for t in &rec.history {
        let from = t
            .from
            .map(|f| crate::words::format::proposal_status_label(l, f))
            .unwrap_or_else(|| tr(l, "proposal.status.new").to_string());
        let mut line = trf(
            l,
            "cli.proposal.history_line",
            &[
                &crate::words::format::local_time(&t.at),
                &t.actor_name,
                &from,
                &crate::words::format::proposal_status_label(l, t.to),
            ],
        );
        if let Some(dn) = &t.decision_no {
            line.push_str(&format!(" [{dn}]"));
        }
        if !t.reason.is_empty() {
            line.push_str(&format!(" — {}", t.reason.replace('\n', " / ")));
        }
        writeln!(out, "  {}", crate::text::sanitize(&line)).map_err(io)?;
    }
    out.flush().map_err(io)
}
