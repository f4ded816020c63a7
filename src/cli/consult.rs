//! `ctv consult add|list|show|edit|amend|done|reschedule|needs`

use std::io::Write;

use clap::{Args, Subcommand};

use super::output::{self, Format};
use super::{CliError, Ctx};
use crate::domain::consultation::{
    dmy, parse_date, parse_typed_date, Consultation, ConsultationField, ConsultationInput,
    ConsultationPatch, FollowUp, FollowUpClose, FollowUpStatus,
};
use crate::domain::issue::{Issues, Problem};
use crate::refdata::codes;
use crate::store::{ConsultationFilter, Store, StoreError};
use crate::words::format::code_label;
use crate::words::format::short_id;
use crate::words::{describe, tr, trf, Lang};

#[derive(Debug, Subcommand)]
pub enum ConsultCmd {
    /// Record working with a facility (date defaults to today)
    Add(Box<AddArgs>),
    /// List consultations of your area, newest first
    List(ListArgs),
    /// One consultation: as recorded, each correction, and its follow-up
    Show { id: String },
    /// Change your own consultation within the grace period (24 hours by default)
    Edit(Box<EditArgs>),
    /// Correct a consultation: the correction is kept beside the original
    Amend(Box<AmendArgs>),
    /// Mark a consultation's follow-up done
    Done(DoneArgs),
    /// Move a follow-up to another date (or set one)
    Reschedule(RescheduleArgs),
    /// Difficulties and needs raised in your area, grouped by support category
    Needs(NeedsArgs),
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// The facility: its id or the 8-character short id lists show
    #[arg(long)]
    pub facility: String,
    /// dd/mm/yyyy (or yyyy-mm-dd); default today
    #[arg(long, default_value = "")]
    pub date: String,
    /// How: TRUC_TIEP, DIEN_THOAI, TRUC_TUYEN, HOI_NGHI, TAI_CO_QUAN
    #[arg(long)]
    pub mode: String,
    /// Support category (KC01…KC14); repeat it or separate with commas
    #[arg(long)]
    pub topic: Vec<String>,
    #[arg(long, default_value = "")]
    pub difficulties: String,
    #[arg(long, default_value = "")]
    pub needs: String,
    #[arg(long, default_value = "")]
    pub advice: String,
    #[arg(long, default_value = "")]
    pub next_step: String,
    /// Follow-up date, dd/mm/yyyy (not before the consultation)
    #[arg(long, default_value = "")]
    pub follow_up: String,
}

/// The fields an edit or an amendment may change; those not given stay.
#[derive(Debug, Args)]
pub struct PatchArgs {
    #[arg(long)]
    pub date: Option<String>,
    #[arg(long)]
    pub mode: Option<String>,
    /// Replaces all topics; repeat it or separate with commas
    #[arg(long)]
    pub topic: Vec<String>,
    /// Remove every topic
    #[arg(long, conflicts_with = "topic")]
    pub no_topics: bool,
    #[arg(long)]
    pub difficulties: Option<String>,
    #[arg(long)]
    pub needs: Option<String>,
    #[arg(long)]
    pub advice: Option<String>,
    #[arg(long)]
    pub next_step: Option<String>,
}

impl PatchArgs {
    fn patch(self) -> ConsultationPatch {
        let topics = if self.no_topics {
            Some(String::new())
        } else if self.topic.is_empty() {
            None
        } else {
            Some(self.topic.join(","))
        };
        ConsultationPatch {
            date: self.date,
            mode: self.mode,
            topics,
            difficulties: self.difficulties,
            needs: self.needs,
            advice: self.advice,
            next_step: self.next_step,
            follow_up_date: None,
        }
    }
}

#[derive(Debug, Args)]
pub struct EditArgs {
    pub id: String,
    #[command(flatten)]
    pub fields: PatchArgs,
    /// New follow-up date (an empty string removes it)
    #[arg(long)]
    pub follow_up: Option<String>,
}

#[derive(Debug, Args)]
pub struct AmendArgs {
    pub id: String,
    #[command(flatten)]
    pub fields: PatchArgs,
    /// Why the correction is made (kept with it)
    #[arg(long, default_value = "")]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct DoneArgs {
    pub id: String,
    /// How it ended
    #[arg(long, default_value = "")]
    pub note: String,
    /// The consultation it led to (same facility)
    #[arg(long)]
    pub by: Option<String>,
}

#[derive(Debug, Args)]
pub struct RescheduleArgs {
    pub id: String,
    /// The new date, dd/mm/yyyy (today or later)
    pub date: String,
    #[arg(long, default_value = "")]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct FilterArgs {
    /// Only this facility (id or short id)
    #[arg(long)]
    pub facility: Option<String>,
    /// From this date (dd/mm/yyyy)
    #[arg(long)]
    pub since: Option<String>,
    /// Up to this date (dd/mm/yyyy)
    #[arg(long)]
    pub until: Option<String>,
    #[arg(long)]
    pub mode: Option<String>,
    /// Only this support category (KC01…KC14)
    #[arg(long)]
    pub topic: Option<String>,
    /// Only this collaborator's (name or id)
    #[arg(long)]
    pub collaborator: Option<String>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// table, csv (Excel; dates dd/mm/yyyy), tsv or json (dates yyyy-mm-dd)
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct NeedsArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

pub fn run(ctx: &Ctx, cmd: ConsultCmd) -> Result<(), CliError> {
    match cmd {
        ConsultCmd::Add(a) => add(ctx, *a),
        ConsultCmd::List(a) => list(ctx, a),
        ConsultCmd::Show { id } => show(ctx, &id),
        ConsultCmd::Edit(a) => edit(ctx, *a),
        ConsultCmd::Amend(a) => amend(ctx, *a),
        ConsultCmd::Done(a) => done(ctx, a),
        ConsultCmd::Reschedule(a) => reschedule(ctx, a),
        ConsultCmd::Needs(a) => needs(ctx, a),
    }
}

fn warn(l: Lang, issues: &Issues) {
    for w in issues.warnings() {
        eprintln!(
            "{} {}",
            tr(l, "cli.warning"),
            describe(l, w.field, &w.problem)
        );
    }
}

fn find(ctx: &Ctx, store: &Store, id: &str) -> Result<Consultation, CliError> {
    let found = store.consultation_by_ref(id)?;
    super::lookup::named(ctx.lang, found, "cli.consult.not_found", id)
}

fn add(ctx: &Ctx, a: AddArgs) -> Result<(), CliError> {
    let l = ctx.lang;
    let mut store = ctx.open()?;
    store.require_profile()?;
    let input = ConsultationInput {
        facility_id: super::lookup::facility_id(ctx.lang, &store, &a.facility)?,
        date: a.date,
        mode: a.mode,
        topics: a.topic.join(","),
        difficulties: a.difficulties,
        needs: a.needs,
        advice: a.advice,
        next_step: a.next_step,
        follow_up_date: a.follow_up,
    };
    let (c, warnings) = store.add_consultation(&input)?;
    warn(l, &warnings);
    println!(
        "{}",
        trf(
            l,
            "cli.consult.added",
            &[&dmy(c.data.date), &c.facility_name, &short_id(&c.id)]
        )
    );
    if let Some(f) = &c.follow_up {
        println!(
            "{}",
            trf(l, "cli.consult.follow_up_on", &[&dmy(f.due_date)])
        );
    }
    Ok(())
}

fn edit(ctx: &Ctx, a: EditArgs) -> Result<(), CliError> {
    let l = ctx.lang;
    let mut store = ctx.open()?;
    let c = find(ctx, &store, &a.id)?;
    let mut patch = a.fields.patch();
    patch.follow_up_date = a.follow_up;
    if patch.is_empty() {
        return Err(CliError::Message(tr(l, "cli.consult.nothing").into()));
    }
    let (c, warnings) = store.edit_consultation(&c.id, c.version, &patch)?;
    warn(l, &warnings);
    println!("{}", trf(l, "cli.consult.edited", &[&short_id(&c.id)]));
    Ok(())
}

fn amend(ctx: &Ctx, a: AmendArgs) -> Result<(), CliError> {
    let l = ctx.lang;
    let mut store = ctx.open()?;
    let c = find(ctx, &store, &a.id)?;
    let patch = a.fields.patch();
    if patch.is_empty() {
        return Err(CliError::Message(tr(l, "cli.consult.nothing").into()));
    }
    let before = c.amendments;
    let (rec, warnings) = store.amend_consultation(&c.id, c.version, &patch, &a.reason)?;
    warn(l, &warnings);
    let key = if rec.amendments.len() as i64 > before {
        "cli.consult.amended"
    } else {
        "cli.consult.unchanged"
    };
    println!("{}", trf(l, key, &[&short_id(&c.id)]));
    Ok(())
}

fn done(ctx: &Ctx, a: DoneArgs) -> Result<(), CliError> {
    let l = ctx.lang;
    let mut store = ctx.open()?;
    let c = find(ctx, &store, &a.id)?;
    let outcome_id = match &a.by {
        Some(r) => Some(find(ctx, &store, r)?.id),
        None => None,
    };
    let version = c
        .follow_up
        .as_ref()
        .map(|f| f.version)
        .ok_or_else(|| StoreError::NoFollowUp(c.id.clone()))?;
    store.complete_follow_up(
        &c.id,
        version,
        &FollowUpClose {
            outcome_id,
            note: a.note,
        },
    )?;
    println!(
        "{}",
        trf(l, "cli.consult.done", &[&c.facility_name, &short_id(&c.id)])
    );
    Ok(())
}

fn reschedule(ctx: &Ctx, a: RescheduleArgs) -> Result<(), CliError> {
    let l = ctx.lang;
    let mut store = ctx.open()?;
    let c = find(ctx, &store, &a.id)?;
    let version = c.follow_up.as_ref().map_or(0, |f| f.version);
    let f = store.reschedule_follow_up(&c.id, version, &a.date, &a.reason)?;
    println!(
        "{}",
        trf(
            l,
            "cli.consult.rescheduled",
            &[&c.facility_name, &dmy(f.due_date)]
        )
    );
    Ok(())
}

/// Turns the filter options into a store filter, or names the option that is wrong.
fn filter(ctx: &Ctx, store: &Store, a: &FilterArgs) -> Result<ConsultationFilter, CliError> {
    let l = ctx.lang;
    let date = |key: &'static str, v: &Option<String>| -> Result<_, CliError> {
        match v {
            None => Ok(None),
            Some(s) => parse_typed_date(s, store.today()).map(Some).ok_or_else(|| {
                CliError::Message(describe(
                    l,
                    key,
                    &Problem::DateFormat {
                        value: s.trim().to_string(),
                    },
                ))
            }),
        }
    };
    let code = |key: &'static str,
                list: &crate::refdata::CodeList,
                v: &Option<String>|
     -> Result<Option<String>, CliError> {
        let Some(v) = v else { return Ok(None) };
        let up = v.trim().to_uppercase();
        let up = match up.strip_prefix("KC") {
            Some(n) if key == "topics" && n.len() == 1 => format!("KC0{n}"),
            _ => up,
        };
        if list.contains(&up) {
            Ok(Some(up))
        } else {
            Err(CliError::Message(describe(
                l,
                key,
                &Problem::UnknownCode {
                    code: v.trim().to_string(),
                },
            )))
        }
    };
    let collaborator_id = match &a.collaborator {
        None => None,
        Some(r) => Some(collaborator(ctx, store, r)?),
    };
    Ok(ConsultationFilter {
        facility_id: match &a.facility {
            Some(r) => Some(super::lookup::facility_id(ctx.lang, store, r)?),
            None => None,
        },
        since: date("since", &a.since)?,
        until: date("until", &a.until)?,
        mode: code("mode", &codes().consultation_modes, &a.mode)?,
        topic: code("topics", &codes().support_categories, &a.topic)?,
        collaborator_id,
    })
}

/// A collaborator by id, short id, or name (diacritics optional; one match).
fn collaborator(ctx: &Ctx, store: &Store, r: &str) -> Result<String, CliError> {
    let all = store.collaborators()?;
    let t = r.trim().to_lowercase();
    if let Some(p) = all.iter().find(|p| p.id == t || short_id(&p.id) == t) {
        return Ok(p.id.clone());
    }
    let q = crate::text::fold(r.trim());
    let exact: Vec<_> = all
        .iter()
        .filter(|p| crate::text::fold(&p.name) == q)
        .collect();
    let hits = if exact.is_empty() {
        all.iter()
            .filter(|p| crate::text::fold(&p.name).contains(&q))
            .collect()
    } else {
        exact
    };
    match hits.as_slice() {
        [one] => Ok(one.id.clone()),
        _ => Err(CliError::Message(trf(
            ctx.lang,
            "cli.consult.unknown_collaborator",
            &[&r.trim()],
        ))),
    }
}

/// One line of a multi-line text, for a table cell.
fn one_line(s: &str) -> String {
    s.replace('\n', " / ")
}

fn follow_up_cell(l: Lang, f: Option<&FollowUp>) -> String {
    match f {
        None => String::new(),
        Some(f) if f.status == FollowUpStatus::Done => {
            trf(l, "cli.consult.fu_done", &[&dmy(f.due_date)])
        }
        Some(f) => dmy(f.due_date),
    }
}

const LIST_HEADERS: [&str; 17] = [
    "id",
    "date",
    "facility_id",
    "facility_name",
    "commune_code",
    "collaborator",
    "mode",
    "topics",
    "difficulties",
    "needs",
    "advice",
    "next_step",
    "follow_up_date",
    "follow_up_due",
    "follow_up_status",
    "amendments",
    "created_at",
];

fn list(ctx: &Ctx, a: ListArgs) -> Result<(), CliError> {
    let l = ctx.lang;
    let store = ctx.open_to_read()?;
    store.require_profile()?;
    let f = filter(ctx, &store, &a.filter)?;
    let rows = store.list_consultations(&f, 0, usize::MAX >> 1)?;
    output::print_list(
        a.format,
        || Ok(&rows),
        &LIST_HEADERS,
        |date| {
            rows.iter()
                .map(|c| {
                    let d = &c.data;
                    vec![
                        c.id.clone(),
                        date(d.date),
                        d.facility_id.clone(),
                        c.facility_name.clone(),
                        c.commune_code.clone(),
                        c.collaborator_name.clone(),
                        d.mode.clone(),
                        d.topics.join(","),
                        d.difficulties.clone(),
                        d.needs.clone(),
                        d.advice.clone(),
                        d.next_step.clone(),
                        d.follow_up_date.map(date).unwrap_or_default(),
                        c.follow_up
                            .as_ref()
                            .map(|f| date(f.due_date))
                            .unwrap_or_default(),
                        c.follow_up
                            .as_ref()
                            .map(|f| f.status.as_str().to_string())
                            .unwrap_or_default(),
                        c.amendments.to_string(),
                        c.created_at.clone(),
                    ]
                })
                .collect()
        },
        |out, io| {
            let cells: Vec<Vec<String>> = rows
                .iter()
                .map(|c| {
                    let d = &c.data;
                    let mark = if c.amendments > 0 { "*" } else { "" };
                    vec![
                        format!("{}{mark}", short_id(&c.id)),
                        dmy(d.date),
                        c.facility_name.clone(),
                        d.mode.clone(),
                        d.topics.join(","),
                        one_line(if d.needs.is_empty() {
                            &d.difficulties
                        } else {
                            &d.needs
                        }),
                        follow_up_cell(l, c.follow_up.as_ref()),
                    ]
                })
                .collect();
            let h = [
                "id",
                tr(l, "consult.field.date"),
                tr(l, "consult.col.facility"),
                tr(l, "consult.col.mode"),
                tr(l, "consult.col.topics"),
                tr(l, "consult.col.needs"),
                tr(l, "consult.col.follow_up"),
            ];
            output::table(out, &h, &cells, 40).map_err(io)?;
            writeln!(out, "{}", trf(l, "cli.consult.count", &[&rows.len()])).map_err(io)?;
            if rows.iter().any(|c| c.amendments > 0) {
                writeln!(out, "{}", tr(l, "cli.consult.amended_mark")).map_err(io)?;
            }
            Ok(())
        },
    )
}

fn topics_text(l: Lang, topics: &[String]) -> String {
    topics
        .iter()
        .map(|t| {
            format!(
                "{t} — {}",
                code_label(l, &codes().support_categories, Some(t))
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A JSON change-log value as text: dates as dd/mm/yyyy, lists joined.
fn value_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => parse_date(s)
            .filter(|_| s.len() == 10 && s.as_bytes()[4] == b'-')
            .map(dmy)
            .unwrap_or_else(|| s.clone()),
        serde_json::Value::Array(a) => a.iter().map(value_text).collect::<Vec<_>>().join(", "),
        serde_json::Value::Null => "∅".into(),
        other => other.to_string(),
    }
}

fn show(ctx: &Ctx, id: &str) -> Result<(), CliError> {
    let l = ctx.lang;
    let store = ctx.open_to_read()?;
    let c = find(ctx, &store, id)?;
    let rec = store
        .consultation_record(&c.id)?
        .ok_or_else(|| StoreError::NotFound(c.id.clone()))?;
    let c = &rec.consultation;
    let d = &c.data;
    let mut rows: Vec<(String, String)> = vec![
        ("id".into(), c.id.clone()),
        (
            tr(l, "consult.field.facility").into(),
            format!("{} [{}]", c.facility_name, short_id(&d.facility_id)),
        ),
        (tr(l, "consult.field.date").into(), dmy(d.date)),
        (
            tr(l, "consult.col.collaborator").into(),
            c.collaborator_name.clone(),
        ),
        (
            tr(l, "consult.field.mode").into(),
            code_label(l, &codes().consultation_modes, Some(&d.mode)),
        ),
        (
            tr(l, "consult.field.topics").into(),
            topics_text(l, &d.topics),
        ),
        (
            tr(l, "consult.field.difficulties").into(),
            d.difficulties.clone(),
        ),
        (tr(l, "consult.field.needs").into(), d.needs.clone()),
        (tr(l, "consult.field.advice").into(), d.advice.clone()),
        (tr(l, "consult.field.next_step").into(), d.next_step.clone()),
        (
            tr(l, "consult.field.follow_up_date").into(),
            d.follow_up_date.map(dmy).unwrap_or_default(),
        ),
    ];
    if let Some(f) = &c.follow_up {
        let state = match f.status {
            FollowUpStatus::Open => trf(l, "cli.consult.fu_open", &[&dmy(f.due_date)]),
            FollowUpStatus::Done => {
                let mut s = trf(
                    l,
                    "cli.consult.fu_closed",
                    &[&f.closed_at
                        .as_deref()
                        .map(crate::words::format::local_time)
                        .unwrap_or_default()],
                );
                if let Some(o) = &f.outcome_id {
                    s.push_str(&trf(l, "cli.consult.fu_by", &[&short_id(o)]));
                }
                if !f.note.is_empty() {
                    s.push_str(&format!("\n{}", f.note));
                }
                s
            }
        };
        rows.push((tr(l, "consult.col.follow_up").into(), state));
    }
    rows.push((
        tr(l, "col.updated_at").into(),
        crate::words::format::local_time(&c.updated_at),
    ));
    let lock = if rec.editable {
        trf(
            l,
            "cli.consult.editable_until",
            &[&crate::words::format::local_time(&rec.editable_until)],
        )
    } else {
        tr(l, "cli.consult.locked").to_string()
    };
    rows.push((tr(l, "consult.col.editing").into(), lock));

    let (mut out, io) = output::stdout();
    let width = rows
        .iter()
        .map(|(k, _)| unicode_width::UnicodeWidthStr::width(k.as_str()))
        .max()
        .unwrap_or(0);
    let print = |out: &mut dyn Write, k: &str, v: &str| -> std::io::Result<()> {
        let pad = width.saturating_sub(unicode_width::UnicodeWidthStr::width(k));
        for (i, line) in v.split('\n').enumerate() {
            let key = if i == 0 { k } else { "" };
            let pad = if i == 0 { pad } else { width };
            writeln!(
                out,
                "{key}{}  {}",
                " ".repeat(pad),
                crate::text::sanitize(line)
            )?;
        }
        Ok(())
    };
    for (k, v) in rows.iter().filter(|(_, v)| !v.is_empty()) {
        print(&mut out, k, v).map_err(io)?;
    }
    if !rec.amendments.is_empty() {
        writeln!(out).map_err(io)?;
        writeln!(
            out,
            "{}",
            trf(l, "cli.consult.amendments", &[&rec.amendments.len()])
        )
        .map_err(io)?;
        for a in &rec.amendments {
            writeln!(
                out,
                "{}",
                trf(
                    l,
                    "cli.consult.amendment",
                    &[&crate::words::format::local_time(&a.at), &a.actor_name]
                )
            )
            .map_err(io)?;
            if !a.reason.is_empty() {
                print(
                    &mut out,
                    "",
                    &format!("{} {}", tr(l, "cli.consult.reason"), a.reason),
                )
                .map_err(io)?;
            }
            for (k, v) in &a.changes {
                let label =
                    ConsultationField::from_key(k).map_or(k.as_str(), |f| tr(l, f.label_key()));
                let old = v.get(0).map(value_text).unwrap_or_default();
                let new = v.get(1).map(value_text).unwrap_or_default();
                print(&mut out, "", &format!("{label}: {old} → {new}")).map_err(io)?;
            }
        }
    }
    out.flush().map_err(io)
}

const NEEDS_HEADERS: [&str; 9] = [
    "topic",
    "topic_label",
    "facilities",
    "consultation_id",
    "date",
    "facility_id",
    "facility_name",
    "difficulties",
    "needs",
];

fn needs(ctx: &Ctx, a: NeedsArgs) -> Result<(), CliError> {
    let l = ctx.lang;
    let store = ctx.open_to_read()?;
    store.require_profile()?;
    let f = filter(ctx, &store, &a.filter)?;
    let groups = store.needs_by_topic(&f)?;
    let label = |t: Option<&str>| match t {
        Some(t) => code_label(l, &codes().support_categories, Some(t)),
        None => tr(l, "cli.consult.no_topic").to_string(),
    };
    output::print_list(
        a.format,
        || Ok(&groups),
        &NEEDS_HEADERS,
        |date| {
            groups
                .iter()
                .flat_map(|g| {
                    g.entries.iter().map(move |e| {
                        vec![
                            g.topic.clone().unwrap_or_default(),
                            label(g.topic.as_deref()),
                            g.facilities.to_string(),
                            e.consultation_id.clone(),
                            date(e.date),
                            e.facility_id.clone(),
                            e.facility_name.clone(),
                            e.difficulties.clone(),
                            e.needs.clone(),
                        ]
                    })
                })
                .collect()
        },
        |out, io| {
            for g in &groups {
                writeln!(
                    out,
                    "{} {} — {}",
                    g.topic.as_deref().unwrap_or("—"),
                    label(g.topic.as_deref()),
                    trf(l, "cli.consult.needs_facilities", &[&g.facilities])
                )
                .map_err(io)?;
                for e in &g.entries {
                    let text = [e.difficulties.as_str(), e.needs.as_str()]
                        .iter()
                        .filter(|s| !s.is_empty())
                        .map(|s| one_line(s))
                        .collect::<Vec<_>>()
                        .join(" | ");
                    writeln!(
                        out,
                        "  {}  {}: {}",
                        dmy(e.date),
                        crate::text::sanitize(&e.facility_name),
                        output::truncate(&crate::text::sanitize(&text), 100)
                    )
                    .map_err(io)?;
                }
            }
            if groups.is_empty() {
                writeln!(out, "{}", tr(l, "cli.consult.no_needs")).map_err(io)?;
            }
            Ok(())
        },
    )
}
