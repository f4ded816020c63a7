//! `ctv activity add|edit|list|show|archive`: activities with attendees (tập huấn, hội thảo,
//! hội chợ, khảo sát, tuyên truyền, bình chọn sản phẩm tiêu biểu).
//!
//! Attendees for a clerk with a paper list: `--facility` takes several facilities at once
//! (ids, short ids or search text, comma separated or repeated; a search must find one
//! facility, else the candidates are named); `--person "Tên;NU;dtts;CƠ SỞ"` one named
//! person (gender, «dtts» for an ethnic minority, the facility if any); `--unnamed N` with
//! `--women`/`--minority` counts those not listed by name.

use std::io::Write;

use clap::{Args, Subcommand};

use super::output::{self, Format};
use super::{CliError, Ctx};
use crate::domain::activity::{parse_person_line, ActivityInput, AttendeeInput};
use crate::domain::consultation::{parse_date, parse_typed_date};
use crate::domain::money::format_vnd;
use crate::record::ActivityRecord;
use crate::store::{ActivityFilter, ActivityRow, FacilityMatch, Store, StoreError};
use crate::words::activity::{activity_lines, activity_row_cells, describe_activity, LIST_HEADERS};
use crate::words::format::short_id;
use crate::words::{tr, trf, Lang};

#[derive(Debug, Subcommand)]
pub enum ActivityCmd {
    /// Record an activity with its attendees
    Add(Box<FieldArgs>),
    /// Change an activity: the options given replace its fields; attendees are added
    Edit(Box<EditArgs>),
    /// List activities of your area, newest first
    List(ListArgs),
    /// One activity with its attendees
    Show {
        id: String,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Archive an activity (it is kept, not deleted)
    Archive {
        id: String,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
}

#[derive(Debug, Args)]
pub struct FieldArgs {
    #[arg(long)]
    pub kind: Option<String>,
    #[arg(long)]
    pub title: Option<String>,
    #[arg(long)]
    pub start: Option<String>,
    #[arg(long)]
    pub end: Option<String>,
    #[arg(long)]
    pub commune: Option<String>,
    #[arg(long)]
    pub place: Option<String>,
    #[arg(long)]
    pub organiser: Option<String>,
    #[arg(long)]
    pub proposal: Option<String>,
    #[arg(long)]
    pub cost: Option<String>,
    #[arg(long)]
    pub unnamed: Option<String>,
    #[arg(long)]
    pub women: Option<String>,
    #[arg(long)]
    pub minority: Option<String>,
    #[arg(long)]
    pub notes: Option<String>,
    #[arg(long)]
    pub facility: Vec<String>,
    #[arg(long)]
    pub person: Vec<String>,
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct EditArgs {
    pub id: String,
    /// Remove the attendee at this position (1 = first; repeat for several)
    #[arg(long)]
    pub remove: Vec<usize>,
    #[command(flatten)]
    pub fields: FieldArgs,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[arg(long)]
    pub since: Option<String>,
    #[arg(long)]
    pub until: Option<String>,
    #[arg(long)]
    pub kind: Option<String>,
    #[arg(long)]
    pub commune: Option<String>,
    #[arg(long)]
    pub text: Option<String>,
    #[arg(long)]
    pub facility: Option<String>,
    #[arg(long)]
    pub archived: bool,
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

fn io(e: std::io::Error) -> CliError {
    CliError::Io("stdout".into(), e)
}

/// A store call: a validation failure is worded field by field.
fn checked<T>(l: Lang, r: Result<T, StoreError>) -> Result<T, CliError> {
    r.map_err(|e| match &e {
        StoreError::Invalid(issues) => CliError::Message(
            issues
                .errors()
                .map(|i| describe_activity(l, i.field, &i.problem))
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        _ => CliError::Store(e),
    })
}

/// The facility a reference names (`Store::match_facility`); several are named back.
fn facility_of(l: Lang, store: &Store, r: &str) -> Result<String, CliError> {
    match store.match_facility(r)? {
        FacilityMatch::One(id) => Ok(id),
        FacilityMatch::NotFound => Err(CliError::Message(trf(l, "cli.fac.not_found", &[&r]))),
        FacilityMatch::Many(many) => {
            let names: Vec<String> = many
                .iter()
                .map(|(id, name)| format!("{} ({})", crate::text::sanitize(name), short_id(id)))
                .collect();
            Err(CliError::Message(trf(
                l,
                "cli.activity.facility_ambiguous",
                &[&crate::text::sanitize(r), &names.join(", ")],
            )))
        }
    }
}

/// `Tên;NU;dtts;CƠ SỞ` (see `domain::activity::parse_person_line`).
fn person_of(l: Lang, store: &Store, raw: &str) -> Result<AttendeeInput, CliError> {
    let p = parse_person_line(raw).ok_or_else(|| {
        CliError::Message(trf(
            l,
            "cli.activity.bad_minority",
            &[&crate::text::sanitize(raw)],
        ))
    })?;
    Ok(AttendeeInput {
        facility_id: match &p.facility {
            Some(f) => facility_of(l, store, f)?,
            None => String::new(),
        },
        person_name: p.person_name,
        gender: p.gender,
        ethnic_minority: p.ethnic_minority,
    })
}

/// The attendees the options add, in the order given: facilities, then persons.
fn new_attendees(l: Lang, store: &Store, a: &FieldArgs) -> Result<Vec<AttendeeInput>, CliError> {
    let mut out = Vec::new();
    for r in a.facility.iter().flat_map(|f| f.split(',')).map(str::trim) {
        if !r.is_empty() {
            out.push(AttendeeInput {
                facility_id: facility_of(l, store, r)?,
                ..Default::default()
            });
        }
    }
    for p in &a.person {
        out.push(person_of(l, store, p)?);
    }
    Ok(out)
}

/// The options given over `base` (the stored activity, or empty for a new one).
fn apply(l: Lang, store: &Store, base: &mut ActivityInput, a: &FieldArgs) -> Result<(), CliError> {
    let set = |field: &mut String, v: &Option<String>| {
        if let Some(v) = v {
            *field = v.clone();
        }
    };
    set(&mut base.kind, &a.kind);
    set(&mut base.title, &a.title);
    set(&mut base.start_date, &a.start);
    set(&mut base.end_date, &a.end);
    set(&mut base.commune_code, &a.commune);
    set(&mut base.place, &a.place);
    set(&mut base.organiser, &a.organiser);
    set(&mut base.cost, &a.cost);
    set(&mut base.unnamed_count, &a.unnamed);
    set(&mut base.unnamed_women, &a.women);
    set(&mut base.unnamed_minority, &a.minority);
    set(&mut base.notes, &a.notes);
    if let Some(p) = &a.proposal {
        base.proposal_id = if p.trim().is_empty() {
            String::new()
        } else {
            super::lookup::proposal(l, store, p)?.id
        };
    }
    base.attendees.extend(new_attendees(l, store, a)?);
    Ok(())
}

fn find(l: Lang, store: &Store, id: &str) -> Result<(ActivityRecord, i64), CliError> {
    let found = store.activity_by_ref(id)?;
    super::lookup::named(l, found, "cli.activity.not_found", id)
}

pub fn run(ctx: &Ctx, cmd: ActivityCmd) -> Result<(), CliError> {
    let l = ctx.lang;
    match cmd {
        ActivityCmd::Add(a) => {
            let mut store = ctx.open()?;
            let profile = store.require_profile()?;
            // One commune in scope: it is where the activity takes place unless told.
            let communes = profile.communes();
            let mut input = ActivityInput {
                commune_code: match communes.as_slice() {
                    [one] => one.clone(),
                    _ => String::new(),
                },
                ..Default::default()
            };
            apply(l, &store, &mut input, &a)?;
            let r = checked(l, store.add_activity(&input))?;
            done(l, &store, &r, a.format, "cli.activity.added")
        }
        ActivityCmd::Edit(e) => {
            let mut store = ctx.open()?;
            let (old, version) = find(l, &store, &e.id)?;
            let mut input = ActivityInput::from_record(&old);
            let mut remove = e.remove.clone();
            remove.sort_unstable();
            remove.dedup();
            for pos in remove.into_iter().rev() {
                if pos == 0 || pos > input.attendees.len() {
                    return Err(CliError::Message(trf(
                        l,
                        "cli.activity.no_attendee",
                        &[&pos, &input.attendees.len()],
                    )));
                }
                input.attendees.remove(pos - 1);
            }
            apply(l, &store, &mut input, &e.fields)?;
            let r = checked(l, store.edit_activity(&old.id, version, &input))?;
            done(l, &store, &r, e.fields.format, "cli.activity.saved")
        }
        ActivityCmd::List(a) => list(ctx, a),
        ActivityCmd::Show { id, format } => {
            let store = ctx.open_to_read()?;
            let (r, _) = find(l, &store, &id)?;
            show(l, &store, &r, format)
        }
        ActivityCmd::Archive { id, format } => {
            let mut store = ctx.open()?;
            let (r, version) = find(l, &store, &id)?;
            let r = store.archive_activity(&r.id, version)?;
            done(l, &store, &r, format, "cli.activity.archived")
        }
    }
}

/// After a write: the record as JSON, or a line of words and the activity.
fn done(
    l: Lang,
    store: &Store,
    r: &ActivityRecord,
    format: Format,
    key: &'static str,
) -> Result<(), CliError> {
    if format == Format::Json {
        let mut out = std::io::stdout().lock();
        return output::json(&mut out, r).map_err(io);
    }
    println!(
        "{}",
        trf(
            l,
            key,
            &[&crate::text::sanitize(&r.title), &short_id(&r.id)]
        )
    );
    show(l, store, r, format)
}

fn show(l: Lang, store: &Store, r: &ActivityRecord, format: Format) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    if format == Format::Json {
        return output::json(&mut out, r).map_err(io);
    }
    let name = |id: &str| store.facility(id).ok().flatten().map(|f| f.data.name);
    let lines = activity_lines(l, r, &name);
    output::labelled_rows(&mut out, &lines).map_err(io)
}

fn date_opt(
    l: Lang,
    store: &Store,
    option: &str,
    v: &Option<String>,
) -> Result<Option<chrono::NaiveDate>, CliError> {
    match v {
        None => Ok(None),
        Some(s) => parse_typed_date(s, store.today()).map(Some).ok_or_else(|| {
            CliError::Message(trf(
                l,
                "cli.activity.bad_date",
                &[&option, &crate::text::sanitize(s)],
            ))
        }),
    }
}

fn list(ctx: &Ctx, a: ListArgs) -> Result<(), CliError> {
    let l = ctx.lang;
    let store = ctx.open_to_read()?;
    let kind = match &a.kind {
        Some(k) => Some(crate::domain::activity::parse_kind(k).ok_or_else(|| {
            CliError::Message(describe_activity(
                l,
                "kind",
                &crate::domain::issue::Problem::UnknownCode {
                    code: crate::text::sanitize(k),
                },
            ))
        })?),
        None => None,
    };
    let facility_id = match &a.facility {
        Some(r) => Some(super::lookup::facility_id(l, &store, r)?),
        None => None,
    };
    let filter = ActivityFilter {
        since: date_opt(l, &store, "--since", &a.since)?,
        until: date_opt(l, &store, "--until", &a.until)?,
        kind,
        commune: a.commune.clone(),
        text: a.text.clone(),
        facility_id,
        include_archived: a.archived,
    };
    let rows = store.activities(&filter)?;
    let mut out = std::io::stdout().lock();
    print_rows(l, &mut out, &rows, a.format)
}

fn print_rows(
    l: Lang,
    out: &mut impl Write,
    rows: &[ActivityRow],
    format: Format,
) -> Result<(), CliError> {
    if format == Format::Json {
        return output::json(out, &rows).map_err(io);
    }
    let headers: Vec<&str> = LIST_HEADERS.iter().map(|k| tr(l, k)).collect();
    // People read dd/mm/yyyy; scripts (TSV) get ISO dates.
    let date = match format {
        Format::Table => crate::domain::consultation::dmy,
        other => other.date_text(),
    };
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let d = |s: &str| parse_date(s).map(date).unwrap_or_else(|| s.to_string());
            activity_row_cells(l, r, &d, &|v| match format {
                Format::Table => format_vnd(v),
                _ => v.to_string(),
            })
        })
        .collect();
    match format {
        Format::Table => {
            output::table(out, &headers, &cells, 40).map_err(io)?;
            writeln!(out, "{}", trf(l, "cli.activity.count", &[&rows.len()])).map_err(io)
        }
        other => output::delimited(out, other, &headers, &cells).map_err(io),
    }
}
