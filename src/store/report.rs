//! The report (`ctv report`, the report screen) and the dashboard: every figure counted in
//! SQL for a period and a scope, by commune; a province's areas summed from its communes.
//!
//! Each figure comes from one *source*: a SELECT giving, per counted record, its id, commune,
//! date, one column per measure and one per breakdown. The report groups a source in SQL
//! (`GROUP BY commune, breakdowns`; Rust only rolls up those few groups), and the workbook's
//! second sheet lists the same source row by row, so each total is traceable to its records
//! by construction: one definition serves both.
//!
//! Definitions (all within the scope's communes, the period's days both ends included):
//! - facilities *registered*: created in the period; *active*: status active, created by its
//!   end (merged duplicates, archived, count in neither);
//! - consultations by their current date, mode and topics;
//! - follow-ups *done*: closed in the period; *overdue*: still open, due by the period's end
//!   and before today;
//! - proposals by stage: of a plan year the period touches, by their current status;
//! - đề án *approved*: decision dated in the period and not since refused/returned; money
//!   approved is `cur_support` (with adjustments), paid is `paid` (both kept by triggers);
//!   pilots (`is_pilot`) again on their own lines; a group đề án counts once, its money in
//!   the proposal's commune (the lead beneficiary's, the commune its scope is checked by),
//!   not split among the beneficiaries' communes;
//! - activities by their start date and kind; attendees named + not named (women, ethnic
//!   minorities likewise);
//! - results: the latest result record dated in the period of each đề án (and beneficiary);
//! - craft villages (not archived) by status; products of live facilities with a title not
//!   expired at the period's end (or today, if earlier), and titles by kind.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use rusqlite::types::Value;
use serde::Serialize;

use super::{Result, Store, StoreError};
use crate::domain::consultation::iso;
use crate::domain::report::{Period, TargetKey};
use crate::domain::Role;

/// Activity kinds that are training courses for the dashboard: `TAP_HUAN` («Tập huấn, đào
/// tạo nghề» in data/codes/activity_kinds.csv).
pub const TRAINING_KINDS: [&str; 1] = ["TAP_HUAN"];

/// What a figure counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    FacilitiesRegistered,
    FacilitiesActive,
    Consultations,
    ConsultationTopics,
    FollowUpsDone,
    FollowUpsOverdue,
    Proposals,
    ProjectsApproved,
    MoneyApproved,
    MoneyPaid,
    PilotsApproved,
    PilotMoneyApproved,
    PilotMoneyPaid,
    Activities,
    Attendees,
    AttendeesWomen,
    AttendeesMinority,
    JobsCreated,
    WorkersTrained,
    CraftVillages,
    ProductsTitled,
    ProductTitles,
}

impl Metric {
    pub const ALL: [Metric; 22] = [
        Metric::FacilitiesRegistered,
        Metric::FacilitiesActive,
        Metric::Consultations,
        Metric::ConsultationTopics,
        Metric::FollowUpsDone,
        Metric::FollowUpsOverdue,
        Metric::Proposals,
        Metric::ProjectsApproved,
        Metric::MoneyApproved,
        Metric::MoneyPaid,
        Metric::PilotsApproved,
        Metric::PilotMoneyApproved,
        Metric::PilotMoneyPaid,
        Metric::Activities,
        Metric::Attendees,
        Metric::AttendeesWomen,
        Metric::AttendeesMinority,
        Metric::JobsCreated,
        Metric::WorkersTrained,
        Metric::CraftVillages,
        Metric::ProductsTitled,
        Metric::ProductTitles,
    ];

    /// Whether the figure is an amount of VND.
    pub fn is_money(self) -> bool {
        matches!(
            self,
            Metric::MoneyApproved
                | Metric::MoneyPaid
                | Metric::PilotMoneyApproved
                | Metric::PilotMoneyPaid
        )
    }
}

/// How a figure is broken down (besides by commune).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dim {
    /// The figure's total.
    All,
    TradeGroup,
    EntityType,
    Mode,
    Topic,
    Status,
    Category,
    Funding,
    Kind,
    VillageStatus,
    TitleKind,
}

/// One figure: a metric, overall or for one code of a breakdown, with its communes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Figure {
    pub metric: Metric,
    pub dim: Dim,
    /// The breakdown's code ("" for the total and for records without one).
    pub code: String,
    pub total: i64,
    /// Commune code → value (communes with nothing are left out).
    pub by_commune: BTreeMap<String, i64>,
}

/// An area of a province: the communes of an area collaborator's units (None: the communes
/// in no area).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Area {
    pub collaborator_id: Option<String>,
    pub name: String,
    pub communes: Vec<String>,
}

/// Which communes a report covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportScope {
    pub communes: Vec<String>,
    /// What `--scope` named (None: the profile's scope).
    pub narrowed_to: Option<String>,
    /// A province's areas (empty for a commune's or an area's report).
    pub areas: Vec<Area>,
}

/// The report: its period, scope and every figure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub period: Period,
    pub scope: ReportScope,
    /// In metric, breakdown, code order; every metric's total is there, also when 0.
    pub figures: Vec<Figure>,
}

impl Report {
    /// A figure's value (0 when nothing was counted).
    pub fn value(&self, metric: Metric, dim: Dim, code: &str) -> i64 {
        self.figure(metric, dim, code).map_or(0, |f| f.total)
    }

    pub fn figure(&self, metric: Metric, dim: Dim, code: &str) -> Option<&Figure> {
        self.figures
            .iter()
            .find(|f| f.metric == metric && f.dim == dim && f.code == code)
    }

    /// A figure summed over an area's communes.
    pub fn area_value(&self, f: &Figure, area: &Area) -> i64 {
        area.communes
            .iter()
            .filter_map(|c| f.by_commune.get(c))
            .sum()
    }

    /// The communes with anything counted, in code order.
    pub fn communes_with_figures(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .figures
            .iter()
            .flat_map(|f| f.by_commune.keys().cloned())
            .collect();
        v.sort();
        v.dedup();
        v
    }
}

/// One record behind the totals (the workbook's second sheet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TraceRow {
    /// `facility`, `consultation`, `follow_up`, `proposal`, `activity`, `attendee`,
    /// `result`, `craft_village`, `product`.
    pub entity: &'static str,
    pub id: String,
    pub commune: String,
    /// The date it is counted by (ISO), or the plan year for a proposal's stage.
    pub date: String,
    /// What it counts in: each metric and how much (measures of 0 left out).
    pub counts: Vec<(Metric, i64)>,
    /// Its breakdown codes.
    pub codes: Vec<(Dim, String)>,
}

/// A SELECT of `id, commune, date, <measures…>, <breakdowns…>` per counted record, with
/// `{scope}` for the communes and named parameters among `:from :to :from_utc :to_utc
/// :today :asof :y1 :y2`.
struct Source {
    entity: &'static str,
    measures: &'static [Metric],
    dims: &'static [Dim],
    sql: &'static str,
}

const APPROVED: &str = "('PHE_DUYET', 'DANG_THUC_HIEN', 'HOAN_THANH', 'DUNG')";

const SOURCES: &[Source] = &[
    Source {
        entity: "facility",
        measures: &[Metric::FacilitiesRegistered, Metric::FacilitiesActive],
        dims: &[Dim::TradeGroup, Dim::EntityType],
        sql: "SELECT f.id, f.commune_code, date(f.created_at, '+7 hours'),
                f.created_at >= :from_utc, f.status = 'active',
                coalesce(f.trade_group, ''), coalesce(f.entity_type, '')
              FROM facilities f
              WHERE f.archived = 0 AND f.commune_code IN {scope} AND f.created_at < :to_utc",
    },
    Source {
        entity: "consultation",
        measures: &[Metric::Consultations],
        dims: &[Dim::Mode],
        sql: "SELECT c.id, c.commune_code, c.cur_date, 1, c.cur_mode
              FROM consultations c
              WHERE c.commune_code IN {scope} AND c.cur_date BETWEEN :from AND :to",
    },
    Source {
        entity: "consultation",
        measures: &[Metric::ConsultationTopics],
        dims: &[Dim::Topic],
        sql: "SELECT c.id, c.commune_code, c.cur_date, 1, t.topic
              FROM consultations c JOIN consultation_topics t ON t.consultation_id = c.id
              WHERE c.commune_code IN {scope} AND c.cur_date BETWEEN :from AND :to",
    },
    Source {
        entity: "follow_up",
        measures: &[Metric::FollowUpsDone],
        dims: &[],
        sql: "SELECT u.consultation_id, u.commune_code, date(u.closed_at, '+7 hours'), 1
              FROM follow_ups u
              WHERE u.status = 'done' AND u.commune_code IN {scope} AND u.live = 1
                AND u.closed_at >= :from_utc AND u.closed_at < :to_utc",
    },
    Source {
        entity: "follow_up",
        measures: &[Metric::FollowUpsOverdue],
        dims: &[],
        sql: "SELECT u.consultation_id, u.commune_code, u.due_date, 1
              FROM follow_ups u
              WHERE u.status = 'open' AND u.commune_code IN {scope} AND u.live = 1
                AND u.due_date <= :to AND u.due_date < :today",
    },
    Source {
        entity: "proposal",
        measures: &[Metric::Proposals],
        dims: &[Dim::Status],
        sql: "SELECT p.id, p.commune_code, CAST(p.plan_year AS TEXT), 1, p.status
              FROM proposals p
              WHERE p.commune_code IN {scope} AND p.plan_year BETWEEN :y1 AND :y2",
    },
    Source {
        entity: "proposal",
        measures: &[
            Metric::ProjectsApproved,
            Metric::MoneyApproved,
            Metric::MoneyPaid,
        ],
        dims: &[Dim::Category, Dim::Funding],
        sql: "SELECT p.id, p.commune_code, p.decision_date, 1, coalesce(p.cur_support, 0), p.paid,
                p.category, coalesce(p.approved_funding, p.funding)
              FROM proposals p
              WHERE p.commune_code IN {scope} AND p.decision_date BETWEEN :from AND :to
                AND p.status IN {approved}",
    },
    Source {
        entity: "proposal",
        measures: &[
            Metric::PilotsApproved,
            Metric::PilotMoneyApproved,
            Metric::PilotMoneyPaid,
        ],
        dims: &[],
        sql: "SELECT p.id, p.commune_code, p.decision_date, 1, coalesce(p.cur_support, 0), p.paid
              FROM proposals p
              WHERE p.commune_code IN {scope} AND p.decision_date BETWEEN :from AND :to
                AND p.status IN {approved} AND p.is_pilot = 1",
    },
    Source {
        entity: "activity",
        measures: &[
            Metric::Activities,
            Metric::Attendees,
            Metric::AttendeesWomen,
            Metric::AttendeesMinority,
        ],
        dims: &[Dim::Kind],
        sql: "SELECT a.id, a.commune_code, a.start_date, 1, a.unnamed_count, a.unnamed_women,
                a.unnamed_minority, a.kind
              FROM activities a
              WHERE a.archived = 0 AND a.commune_code IN {scope}
                AND a.start_date BETWEEN :from AND :to",
    },
    Source {
        entity: "attendee",
        measures: &[
            Metric::Attendees,
            Metric::AttendeesWomen,
            Metric::AttendeesMinority,
        ],
        dims: &[Dim::Kind],
        sql: "SELECT a.id || '#' || t.position, a.commune_code, a.start_date, 1,
                t.gender IS 'NU', t.ethnic_minority, a.kind
              FROM activities a JOIN activity_attendees t ON t.activity_id = a.id
              WHERE a.archived = 0 AND a.commune_code IN {scope}
                AND a.start_date BETWEEN :from AND :to",
    },
    Source {
        entity: "result",
        measures: &[Metric::JobsCreated, Metric::WorkersTrained],
        dims: &[],
        sql: "SELECT r.id, r.commune_code, r.date, coalesce(r.jobs_created, 0),
                coalesce(r.workers_trained, 0)
              FROM (SELECT x.id, p.commune_code, x.date, x.jobs_created, x.workers_trained,
                      row_number() OVER (PARTITION BY x.proposal_id, coalesce(x.facility_id, '')
                                         ORDER BY x.date DESC, x.created_at DESC) AS n
                    FROM project_results x JOIN proposals p ON p.id = x.proposal_id
                    WHERE x.date BETWEEN :from AND :to AND p.commune_code IN {scope}) r
              WHERE r.n = 1",
    },
    Source {
        entity: "craft_village",
        measures: &[Metric::CraftVillages],
        dims: &[Dim::VillageStatus],
        sql: "SELECT v.id, v.commune_code, coalesce(v.decision_date, ''), 1, v.status
              FROM craft_villages v
              WHERE v.archived = 0 AND v.commune_code IN {scope}",
    },
    Source {
        entity: "product",
        measures: &[Metric::ProductsTitled],
        dims: &[],
        sql: "SELECT fp.id, f.commune_code, '', 1
              FROM facility_products fp CROSS JOIN facilities f ON f.id = fp.facility_id
              WHERE fp.archived = 0 AND f.archived = 0 AND f.commune_code IN {scope}
                AND EXISTS (SELECT 1 FROM product_titles t WHERE t.product_id = fp.id
                            AND t.year <= :y2
                            AND (t.expiry_date IS NULL OR t.expiry_date >= :asof))",
    },
    Source {
        entity: "product",
        measures: &[Metric::ProductTitles],
        dims: &[Dim::TitleKind],
        sql: "SELECT DISTINCT fp.id, f.commune_code, '', 1, t.kind
              FROM product_titles t CROSS JOIN facility_products fp ON fp.id = t.product_id
                CROSS JOIN facilities f ON f.id = fp.facility_id
              WHERE fp.archived = 0 AND f.archived = 0 AND f.commune_code IN {scope}
                AND t.year <= :y2 AND (t.expiry_date IS NULL OR t.expiry_date >= :asof)",
    },
];

/// `IN (…)` of the scope's communes. Codes are checked to be digits, so they are written
/// into the SQL (one statement for any number of communes, no parameter limit).
fn in_list(communes: &[String]) -> Result<String> {
    if communes.is_empty() {
        return Ok("(NULL)".into());
    }
    let mut s = String::from("(");
    for (i, c) in communes.iter().enumerate() {
        if c.is_empty() || !c.bytes().all(|b| b.is_ascii_digit()) {
            return Err(StoreError::OutOfScope(c.clone()));
        }
        if i > 0 {
            s.push(',');
        }
        s.push('\'');
        s.push_str(c);
        s.push('\'');
    }
    s.push(')');
    Ok(s)
}

/// The start of a Vietnam local day as the UTC text `created_at` and `closed_at` hold.
fn utc_start(d: NaiveDate) -> String {
    let prev = d.pred_opt().unwrap_or(d);
    format!("{}T17:00:00", iso(prev))
}

/// The statement's named parameters, of those it uses.
fn params_for(sql: &str, period: &Period, today: NaiveDate) -> Vec<(&'static str, Value)> {
    let (y1, y2) = period.years();
    let next = period.to.succ_opt().unwrap_or(period.to);
    let all: [(&'static str, Value); 8] = [
        (":from_utc", Value::Text(utc_start(period.from))),
        (":to_utc", Value::Text(utc_start(next))),
        (":from", Value::Text(iso(period.from))),
        (":today", Value::Text(iso(today))),
        (":asof", Value::Text(iso(period.to.min(today)))),
        (":to", Value::Text(iso(period.to))),
        (":y1", Value::Integer(i64::from(y1))),
        (":y2", Value::Integer(i64::from(y2))),
    ];
    all.into_iter()
        .filter(|(name, _)| {
            // `:to` is also a prefix of `:to_utc`, `:today`: match whole names.
            sql.match_indices(name).any(|(i, _)| {
                !sql[i + name.len()..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
            })
        })
        .collect()
}

fn source_sql(s: &Source, scope: &str) -> String {
    s.sql
        .replace("{scope}", scope)
        .replace("{approved}", APPROVED)
}

/// Runs `sql` with its named parameters.
fn query_each(
    conn: &rusqlite::Connection,
    sql: &str,
    period: &Period,
    today: NaiveDate,
    mut f: impl FnMut(&rusqlite::Row<'_>) -> Result<()>,
) -> Result<()> {
    let params = params_for(sql, period, today);
    let refs: Vec<(&str, &dyn rusqlite::ToSql)> = params
        .iter()
        .map(|(n, v)| (*n, v as &dyn rusqlite::ToSql))
        .collect();
    let mut stmt = conn.prepare(sql)?;
    let mut rows = stmt.query(refs.as_slice())?;
    while let Some(r) = rows.next()? {
        f(r)?;
    }
    Ok(())
}

/// A text column that may hold an integer (a plan year) or NULL.
fn text_at(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<String> {
    Ok(match r.get_ref(i)? {
        rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
        rusqlite::types::ValueRef::Integer(n) => n.to_string(),
        _ => String::new(),
    })
}

/// Figures being added up: (metric, breakdown, code) → commune → value.
type Tally = BTreeMap<(Metric, Dim, String), BTreeMap<String, i64>>;

fn add(t: &mut Tally, key: (Metric, Dim, String), commune: &str, v: i64) {
    if v == 0 {
        return;
    }
    *t.entry(key)
        .or_default()
        .entry(commune.to_string())
        .or_default() += v;
}

/// One source grouped in SQL (by commune and breakdowns), rolled up into the tally.
fn tally_source(
    conn: &rusqlite::Connection,
    s: &Source,
    scope: &str,
    period: &Period,
    today: NaiveDate,
    t: &mut Tally,
) -> Result<()> {
    let m = s.measures.len();
    let sums: Vec<String> = (0..m).map(|i| format!("sum(m{i})")).collect();
    let dims: Vec<String> = (0..s.dims.len()).map(|i| format!("d{i}")).collect();
    let cols: Vec<String> = ["id", "commune", "day"]
        .into_iter()
        .map(String::from)
        .chain((0..m).map(|i| format!("m{i}")))
        .chain(dims.iter().cloned())
        .collect();
    let group: Vec<String> = std::iter::once("commune".to_string())
        .chain(dims.iter().cloned())
        .collect();
    let sql = format!(
        "WITH src ({}) AS ({}) SELECT {}, {} FROM src GROUP BY {}",
        cols.join(", "),
        source_sql(s, scope),
        group.join(", "),
        sums.join(", "),
        group.join(", ")
    );
    query_each(conn, &sql, period, today, |r| {
        let commune: String = r.get(0)?;
        let codes: Vec<String> = (0..s.dims.len())
            .map(|i| text_at(r, 1 + i))
            .collect::<rusqlite::Result<_>>()?;
        for (i, metric) in s.measures.iter().enumerate() {
            let v: i64 = r.get::<_, Option<i64>>(1 + s.dims.len() + i)?.unwrap_or(0);
            add(t, (*metric, Dim::All, String::new()), &commune, v);
            for (d, code) in s.dims.iter().zip(&codes) {
                add(t, (*metric, *d, code.clone()), &commune, v);
            }
        }
        Ok(())
    })
}

impl Store {
    /// The communes a report covers: the profile's scope, or what `narrow` names within it —
    /// a commune code, or an area collaborator (id, short id or name) — each commune passing
    /// the one scope check. A province's report (not narrowed) also gets its areas.
    pub fn report_scope(&self, narrow: Option<&str>) -> Result<ReportScope> {
        let profile = self.require_profile()?.clone();
        let Some(n) = narrow.map(str::trim).filter(|n| !n.is_empty()) else {
            let areas = if profile.role == Role::Province {
                self.areas(&profile.communes())?
            } else {
                Vec::new()
            };
            return Ok(ReportScope {
                communes: profile.communes(),
                narrowed_to: None,
                areas,
            });
        };
        let communes = if crate::refdata::units().commune(n).is_some() {
            vec![n.to_string()]
        } else {
            let area = self.area_collaborator(n)?;
            let mut c = area.units.clone();
            c.sort();
            c.dedup();
            c
        };
        for c in &communes {
            self.check_scope(c)?;
        }
        Ok(ReportScope {
            communes,
            narrowed_to: Some(n.to_string()),
            areas: Vec::new(),
        })
    }

    /// An area collaborator known here by id, short id or (folded) name.
    fn area_collaborator(&self, reference: &str) -> Result<crate::domain::Profile> {
        let fold = crate::text::fold(&crate::text::ingest(reference));
        let id = super::resolve_ref(self.conn(), "collaborators", reference)?;
        self.collaborators()?
            .into_iter()
            .filter(|p| p.role == Role::Area)
            .find(|p| Some(&p.id) == id.as_ref() || crate::text::fold(&p.name) == fold)
            .ok_or_else(|| StoreError::NotFound(reference.to_string()))
    }

    /// The province's areas over `communes`: each active area collaborator's communes (a
    /// commune in several areas counts in the first by name), then those in none.
    pub fn areas(&self, communes: &[String]) -> Result<Vec<Area>> {
        let mut left: std::collections::BTreeSet<String> = communes.iter().cloned().collect();
        let mut areas = Vec::new();
        let mut collabs: Vec<_> = self
            .collaborators()?
            .into_iter()
            .filter(|p| p.role == Role::Area && p.active)
            .collect();
        collabs.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
        for p in collabs {
            let mine: Vec<String> = p
                .units
                .iter()
                .filter(|c| left.remove(c.as_str()))
                .cloned()
                .collect();
            if !mine.is_empty() {
                let mut mine = mine;
                mine.sort();
                areas.push(Area {
                    collaborator_id: Some(p.id.clone()),
                    name: p.name.clone(),
                    communes: mine,
                });
            }
        }
        if !areas.is_empty() {
            areas.push(Area {
                collaborator_id: None,
                name: String::new(),
                communes: left.into_iter().collect(),
            });
        }
        Ok(areas)
    }

    /// The report for a period and scope (see the module's definitions).
    pub fn report(&self, period: &Period, scope: &ReportScope) -> Result<Report> {
        self.report_with_progress(period, scope, &mut |_, _| {})
    }

    /// [`Store::report`], saying after each part how many of how many are done.
    pub fn report_with_progress(
        &self,
        period: &Period,
        scope: &ReportScope,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<Report> {
        let list = in_list(&scope.communes)?;
        let today = self.today();
        let mut t = Tally::new();
        for (i, s) in SOURCES.iter().enumerate() {
            tally_source(self.conn(), s, &list, period, today, &mut t)?;
            progress(i + 1, SOURCES.len());
        }
        for m in Metric::ALL {
            t.entry((m, Dim::All, String::new())).or_default();
        }
        let figures = t
            .into_iter()
            .map(|((metric, dim, code), by_commune)| Figure {
                metric,
                dim,
                code,
                total: by_commune.values().sum(),
                by_commune,
            })
            .collect();
        Ok(Report {
            period: period.clone(),
            scope: scope.clone(),
            figures,
        })
    }

    /// Every record behind the report's figures, source by source, in id order.
    pub fn report_records(
        &self,
        period: &Period,
        scope: &ReportScope,
        mut f: impl FnMut(TraceRow) -> Result<()>,
    ) -> Result<()> {
        let list = in_list(&scope.communes)?;
        let today = self.today();
        for s in SOURCES {
            let sql = format!("SELECT * FROM ({}) ORDER BY 2, 1", source_sql(s, &list));
            query_each(self.conn(), &sql, period, today, |r| {
                let m = s.measures.len();
                let counts = s
                    .measures
                    .iter()
                    .enumerate()
                    .map(|(i, metric)| Ok((*metric, r.get::<_, Option<i64>>(3 + i)?.unwrap_or(0))))
                    .filter(|c: &rusqlite::Result<(Metric, i64)>| {
                        c.as_ref().map_or(true, |(_, v)| *v != 0)
                    })
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                let codes = s
                    .dims
                    .iter()
                    .enumerate()
                    .map(|(i, d)| Ok((*d, text_at(r, 3 + m + i)?)))
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                f(TraceRow {
                    entity: s.entity,
                    id: r.get(0)?,
                    commune: r.get(1)?,
                    date: text_at(r, 2)?,
                    counts,
                    codes,
                })
            })?;
        }
        Ok(())
    }

    /// The dashboard of a year over the scope's communes: each target (if the province set
    /// one) against what is achieved, with the achieved amount per month.
    pub fn dashboard(&self, year: i32, scope: &ReportScope) -> Result<Dashboard> {
        let list = in_list(&scope.communes)?;
        let period = Period::year(year);
        let today = self.today();
        let targets = self.targets(Some(year))?;
        let mut rows = Vec::new();
        for key in TargetKey::ALL {
            let sql = dashboard_sql(key).replace("{scope}", &list).replace(
                "{training}",
                &format!("('{}')", TRAINING_KINDS.join("', '")),
            );
            let sql = sql.replace("{approved}", APPROVED);
            let mut by_month = [0i64; 12];
            let mut achieved = 0;
            query_each(self.conn(), &sql, &period, today, |r| {
                let month: Option<String> = r.get(0)?;
                let v: i64 = r.get::<_, Option<i64>>(1)?.unwrap_or(0);
                achieved += v;
                if let Some(m) = month.and_then(|m| m.parse::<usize>().ok()) {
                    if (1..=12).contains(&m) {
                        by_month[m - 1] += v;
                    }
                }
                Ok(())
            })?;
            rows.push(DashRow {
                key,
                target: targets.iter().find(|t| t.key == key).map(|t| t.value),
                achieved,
                by_month,
            });
        }
        Ok(Dashboard { year, rows })
    }
}

/// `month ("01"…"12" or NULL), amount` rows for one target key.
fn dashboard_sql(key: TargetKey) -> &'static str {
    match key {
        // Each beneficiary once, in the month of its first approval of the year.
        TargetKey::FacilitiesSupported => {
            "SELECT substr(d, 6, 2), count(*) FROM (
               SELECT fid, min(decision_date) AS d FROM (
                 SELECT p.facility_id AS fid, p.decision_date FROM proposals p
                 WHERE p.commune_code IN {scope} AND p.facility_id IS NOT NULL
                   AND p.decision_date BETWEEN :from AND :to AND p.status IN {approved}
                 UNION ALL
                 SELECT b.facility_id, p.decision_date FROM proposals p
                   JOIN proposal_beneficiaries b ON b.proposal_id = p.id
                 WHERE p.commune_code IN {scope}
                   AND p.decision_date BETWEEN :from AND :to AND p.status IN {approved})
               GROUP BY fid)
             GROUP BY 1"
        }
        TargetKey::Money => {
            "SELECT substr(p.decision_date, 6, 2), sum(coalesce(p.cur_support, 0)) FROM proposals p
             WHERE p.commune_code IN {scope} AND p.decision_date BETWEEN :from AND :to
               AND p.status IN {approved}
             GROUP BY 1"
        }
        TargetKey::TrainingClasses => {
            "SELECT substr(a.start_date, 6, 2), count(*) FROM activities a
             WHERE a.archived = 0 AND a.commune_code IN {scope} AND a.kind IN {training}
               AND a.start_date BETWEEN :from AND :to
             GROUP BY 1"
        }
        TargetKey::TypicalProducts => {
            "SELECT substr(t.issued_date, 6, 2), count(*) FROM product_titles t
               CROSS JOIN facility_products fp ON fp.id = t.product_id
               CROSS JOIN facilities f ON f.id = fp.facility_id
             WHERE t.kind = 'TIEU_BIEU' AND t.year = :y1 AND fp.archived = 0 AND f.archived = 0
               AND f.commune_code IN {scope}
             GROUP BY 1"
        }
    }
}

/// One line of the dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DashRow {
    pub key: TargetKey,
    /// The province's target for the year, if set.
    pub target: Option<i64>,
    pub achieved: i64,
    /// Achieved per month (January first); a typical product without an issue date counts
    /// in `achieved` only.
    pub by_month: [i64; 12],
}

/// This year's targets against what is achieved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dashboard {
    pub year: i32,
    pub rows: Vec<DashRow>,
}

impl Dashboard {
    /// The share of the target achieved, in whole percent (None without a target).
    pub fn percent(row: &DashRow) -> Option<i64> {
        row.target
            .filter(|t| *t > 0)
            .map(|t| (row.achieved.saturating_mul(100) / t).min(999))
    }
}

/// The months of a year up to `today` (12 for a past year), for a sparkline.
pub fn months_so_far(year: i32, today: NaiveDate) -> usize {
    match today.year().cmp(&year) {
        std::cmp::Ordering::Greater => 12,
        std::cmp::Ordering::Equal => today.month() as usize,
        std::cmp::Ordering::Less => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_parameters_a_statement_names_are_given() {
        let p = Period::parse("2026-Q4").unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let names = |sql: &str| -> Vec<&str> {
            params_for(sql, &p, today)
                .into_iter()
                .map(|(n, _)| n)
                .collect()
        };
        assert_eq!(names("x < :to_utc"), vec![":to_utc"]);
        assert_eq!(names("x <= :to AND y < :today"), vec![":today", ":to"]);
        assert_eq!(utc_start(p.from), "2026-09-30T17:00:00");
    }

    #[test]
    fn a_code_that_is_not_digits_is_refused() {
        assert!(in_list(&["00004".into(), "0'1".into()]).is_err());
        assert_eq!(in_list(&[]).unwrap(), "(NULL)");
        assert_eq!(
            in_list(&["00004".into(), "00376".into()]).unwrap(),
            "('00004','00376')"
        );
    }
}
