//! The reading side of a đề án: its page (the proposal, the province's approval, money
//! approved / paid / remaining from `project_money`, expected beside actual, and one timeline
//! of transitions, adjustments, visits, acceptances, payments and results), and F5's view of
//! many (stage and batch filters, approved / paid totals per category and funding source).
//!
//! Only reads: the records are written by `store/projects.rs` and the transitions by
//! `store/proposals.rs`. Every read goes through the store's read scope (`may_read` for one
//! đề án, the profile's communes for lists, as the proposal list does).

use chrono::NaiveDate;
use rusqlite::types::Value;
use rusqlite::{params_from_iter, OptionalExtension, Row};
use serde::Serialize;

use super::projects::ProjectMoney;
use super::proposals::{code_at, funding_from_code, opt_code_at, status_from_code, ProposalFilter};
use super::rows::{col, columns, position};
use super::{Result, Store};
use crate::domain::proposal::{category_order, FundingSource, Mover, Proposal, ProposalStatus};

/// Where a đề án stands, as F5 filters it: a status, or one of two states worked out from
/// dates and visits (overdue end date, awaiting acceptance).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Draft,
    Proposed,
    UnderReview,
    Sent,
    Returned,
    Approved,
    UnderWay,
    /// Approved or under way, and the planned end (adjusted) is before today.
    Overdue,
    /// Under way, not yet accepted, and the planned end has passed or the last visit found
    /// it 100 % done.
    AwaitingAcceptance,
    Accepted,
    Stopped,
    Refused,
    Withdrawn,
}

impl Stage {
    pub const ALL: [Stage; 13] = [
        Stage::Draft,
        Stage::Proposed,
        Stage::UnderReview,
        Stage::Sent,
        Stage::Returned,
        Stage::Approved,
        Stage::UnderWay,
        Stage::Overdue,
        Stage::AwaitingAcceptance,
        Stage::Accepted,
        Stage::Stopped,
        Stage::Refused,
        Stage::Withdrawn,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Stage::Draft => "draft",
            Stage::Proposed => "proposed",
            Stage::UnderReview => "under_review",
            Stage::Sent => "sent",
            Stage::Returned => "returned",
            Stage::Approved => "approved",
            Stage::UnderWay => "under_way",
            Stage::Overdue => "overdue",
            Stage::AwaitingAcceptance => "awaiting_acceptance",
            Stage::Accepted => "accepted",
            Stage::Stopped => "stopped",
            Stage::Refused => "refused",
            Stage::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(key: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|s| s.key() == key)
    }

    /// The one status a plain stage is (None for overdue and awaiting acceptance).
    pub fn status(self) -> Option<ProposalStatus> {
        use ProposalStatus as S;
        Some(match self {
            Stage::Draft => S::Nhap,
            Stage::Proposed => S::DeXuat,
            Stage::UnderReview => S::DaRaSoat,
            Stage::Sent => S::DaGuiTinh,
            Stage::Returned => S::TraLai,
            Stage::Approved => S::PheDuyet,
            Stage::UnderWay => S::DangThucHien,
            Stage::Accepted => S::HoanThanh,
            Stage::Stopped => S::Dung,
            Stage::Refused => S::KhongDuyet,
            Stage::Withdrawn => S::Rut,
            Stage::Overdue | Stage::AwaitingAcceptance => return None,
        })
    }

    /// The condition over `p` (proposals, with the money and stage columns the triggers keep:
    /// `cur_end`, `accepted`, `last_progress`); `today` is YYYY-MM-DD.
    /// Kept beside `overdue` and `awaiting_acceptance` below, which say the same for one
    /// đề án (a test checks they agree).
    fn condition(self, today: &str, args: &mut Vec<Value>) -> String {
        if let Some(s) = self.status() {
            args.push(Value::Text(s.code().to_string()));
            return "p.status = ?".to_string();
        }
        args.push(Value::Text(today.to_string()));
        match self {
            Stage::Overdue => {
                "p.status IN ('PHE_DUYET', 'DANG_THUC_HIEN') AND p.cur_end < ?".to_string()
            }
            _ => "p.status = 'DANG_THUC_HIEN' AND p.accepted = 0
                AND (p.cur_end < ? OR p.last_progress = 100)"
                .to_string(),
        }
    }
}

/// Whether a đề án's planned end has passed while it is still approved or under way.
fn overdue(status: ProposalStatus, planned_end: Option<&str>, today: &str) -> bool {
    matches!(
        status,
        ProposalStatus::PheDuyet | ProposalStatus::DangThucHien
    ) && planned_end.is_some_and(|e| e < today)
}

/// Whether a đề án waits for its acceptance (see `Stage::AwaitingAcceptance`).
fn awaiting_acceptance(
    status: ProposalStatus,
    planned_end: Option<&str>,
    today: &str,
    last_progress: Option<i64>,
    accepted: bool,
) -> bool {
    status == ProposalStatus::DangThucHien
        && !accepted
        && (planned_end.is_some_and(|e| e < today) || last_progress == Some(100))
}

/// F5's filter: the proposal list's filter, a stage and a batch (đợt).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectFilter {
    pub base: ProposalFilter,
    pub stage: Option<Stage>,
    pub batch: Option<String>,
}

impl ProjectFilter {
    fn where_clause(&self, communes: &[String], today: &str) -> (String, Vec<Value>) {
        let (mut sql, mut args) = self.base.where_clause(communes);
        if let Some(stage) = self.stage {
            sql.push_str(" AND ");
            sql.push_str(&stage.condition(today, &mut args));
        }
        if let Some(b) = &self.batch {
            sql.push_str(" AND p.batch = ?");
            args.push(Value::Text(b.clone()));
        }
        (sql, args)
    }
}

/// Sums over a set of đề án: how many, support asked, approved (adjusted), paid.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ProjectSums {
    pub count: usize,
    pub asked: i64,
    pub approved: i64,
    pub paid: i64,
}

impl ProjectSums {
    fn add(&mut self, o: &ProjectSums) {
        self.count += o.count;
        self.asked = self.asked.saturating_add(o.asked);
        self.approved = self.approved.saturating_add(o.approved);
        self.paid = self.paid.saturating_add(o.paid);
    }
}

/// F5's totals for the whole filter, per support category and per funding source (the
/// source granted once approved, else the one asked for).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProjectTotals {
    pub by_category: Vec<(String, ProjectSums)>,
    pub by_funding: Vec<(FundingSource, ProjectSums)>,
    pub total: ProjectSums,
}

/// The province's approval and the implementation, as stored on the proposal.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Approval {
    pub approved_support: Option<i64>,
    pub decision_date: Option<String>,
    pub approved_funding: Option<FundingSource>,
    pub batch: String,
    pub start_date: Option<String>,
    pub implementing_unit: String,
    /// As decided (the page shows `ProjectMoney::planned_end`, which counts adjustments).
    pub planned_end: Option<String>,
    pub stop_reason: String,
}

/// Expected (from the proposal) beside actual (the last acceptance, the last results).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub expected_jobs: Option<i64>,
    pub expected_products: String,
    pub expected_capacity: String,
    pub asked_total: i64,
    pub asked_support: i64,
    pub actual_total: Option<i64>,
    pub actual_support: Option<i64>,
    /// DAT, KHONG_DAT, DAT_CO_DIEU_KIEN of the last acceptance.
    pub acceptance_result: Option<String>,
    /// NGHIEM_THU or DANH_GIA: which results the actual figures come from.
    pub results_stage: Option<String>,
    pub jobs_created: Option<i64>,
    pub workers_trained: Option<i64>,
    pub revenue_before: Option<i64>,
    pub revenue_after: Option<i64>,
    pub products: String,
    pub equipment_in_use: String,
}

/// What happened, by kind, with the fields a reader needs (worded by `words::project_page`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventDetail {
    Status {
        from: Option<ProposalStatus>,
        to: ProposalStatus,
        mover: Mover,
        reason: String,
        decision_no: Option<String>,
        approved_support: Option<i64>,
        decision_date: Option<String>,
    },
    Adjustment {
        decision_no: String,
        new_support: Option<i64>,
        new_end: Option<String>,
        reason: String,
    },
    Visit {
        checked: String,
        progress_pct: Option<i64>,
        findings: String,
        follow_up_date: Option<String>,
    },
    Acceptance {
        units: String,
        result: String,
        actual_total: i64,
        actual_support: i64,
        actual_counterpart: i64,
        actual_other: i64,
        notes: String,
    },
    Payment {
        payment_kind: String,
        amount: i64,
        doc_no: String,
        notes: String,
    },
    Result {
        stage: String,
        jobs_created: Option<i64>,
        workers_trained: Option<i64>,
        revenue_before: Option<i64>,
        revenue_after: Option<i64>,
        products: String,
        equipment_in_use: String,
        notes: String,
    },
}

/// One entry of the timeline: its date (YYYY-MM-DD, Vietnam), when it was entered (orders
/// events of one day), who, and what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    pub date: String,
    pub at: String,
    pub who: String,
    #[serde(flatten)]
    pub detail: EventDetail,
}

/// One đề án's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectPage {
    pub proposal: Proposal,
    pub approval: Approval,
    pub money: ProjectMoney,
    pub outcome: Outcome,
    /// Oldest first.
    pub timeline: Vec<Event>,
    pub overdue: bool,
    pub awaiting_acceptance: bool,
}

columns!(
    /// The approval and implementation columns of `proposals`.
    APPROVAL, APPROVAL_SQL = [approved_support, decision_date, approved_funding, batch,
        start_date, implementing_unit, planned_end, stop_reason]
);

fn approval(r: &Row<'_>) -> rusqlite::Result<Approval> {
    Ok(Approval {
        approved_support: r.get(col!(APPROVAL, approved_support))?,
        decision_date: r.get(col!(APPROVAL, decision_date))?,
        approved_funding: opt_code_at(
            r,
            col!(APPROVAL, approved_funding),
            "funding source",
            funding_from_code,
        )?,
        batch: r.get(col!(APPROVAL, batch))?,
        start_date: r.get(col!(APPROVAL, start_date))?,
        implementing_unit: r.get(col!(APPROVAL, implementing_unit))?,
        planned_end: r.get(col!(APPROVAL, planned_end))?,
        stop_reason: r.get(col!(APPROVAL, stop_reason))?,
    })
}

columns!(MONEY, MONEY_SQL = [approved, paid, planned_end]);

fn money(r: &Row<'_>) -> rusqlite::Result<ProjectMoney> {
    Ok(ProjectMoney::new(
        r.get(col!(MONEY, approved))?,
        r.get(col!(MONEY, paid))?,
        r.get(col!(MONEY, planned_end))?,
    ))
}

columns!(
    STEP,
    STEP_SQL = [
        at,
        actor_name,
        mover,
        from_status,
        to_status,
        reason,
        decision_no,
        approved_support,
        decision_date
    ]
);

fn step(r: &Row<'_>) -> rusqlite::Result<Event> {
    let at: String = r.get(col!(STEP, at))?;
    Ok(Event {
        date: local_date(&at),
        who: r.get(col!(STEP, actor_name))?,
        detail: EventDetail::Status {
            from: opt_code_at(r, col!(STEP, from_status), "status", status_from_code)?,
            to: code_at(r, col!(STEP, to_status), "status", status_from_code)?,
            mover: code_at(r, col!(STEP, mover), "mover", Mover::from_key)?,
            reason: r.get(col!(STEP, reason))?,
            decision_no: r.get(col!(STEP, decision_no))?,
            approved_support: r.get(col!(STEP, approved_support))?,
            decision_date: r.get(col!(STEP, decision_date))?,
        },
        at,
    })
}

/// The Vietnam date of an entry time (RFC 3339); the first ten characters if unreadable.
fn local_date(at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at)
        .map(|t| {
            t.with_timezone(&crate::clock::vn_offset())
                .date_naive()
                .to_string()
        })
        .unwrap_or_else(|_| at.chars().take(10).collect())
}

/// A record table's column list and its timeline mapper: the entry's date, its entry time
/// and who (a column of the list), then the variant's fields, each read from the column of
/// the same name.
macro_rules! record_event {
    ($name:ident, $list:ident, $sql:ident, $who:ident,
     $variant:ident { $($field:ident),* $(,)? }) => {
        columns!($list, $sql = [date, created_at, $who, $($field),*]);

        fn $name(r: &Row<'_>) -> rusqlite::Result<Event> {
            Ok(Event {
                date: r.get(col!($list, date))?,
                at: r.get(col!($list, created_at))?,
                who: r.get(col!($list, $who))?,
                detail: EventDetail::$variant {
                    $($field: r.get(col!($list, $field))?),*
                },
            })
        }
    };
}

record_event!(
    adjustment,
    ADJUSTMENT,
    ADJUSTMENT_SQL,
    who,
    Adjustment {
        decision_no,
        new_support,
        new_end,
        reason
    }
);
record_event!(
    visit,
    VISIT,
    VISIT_SQL,
    visitor,
    Visit {
        checked,
        progress_pct,
        findings,
        follow_up_date
    }
);
record_event!(
    acceptance,
    ACCEPTANCE,
    ACCEPTANCE_SQL,
    who,
    Acceptance {
        units,
        result,
        actual_total,
        actual_support,
        actual_counterpart,
        actual_other,
        notes
    }
);
// `kind` names the entry's kind in JSON: the payment's kind is read as `payment_kind`.
record_event!(
    payment,
    PAYMENT,
    PAYMENT_SQL,
    who,
    Payment {
        payment_kind,
        amount,
        doc_no,
        notes
    }
);
record_event!(
    result,
    RESULT,
    RESULT_SQL,
    who,
    Result {
        stage,
        jobs_created,
        workers_trained,
        revenue_before,
        revenue_after,
        products,
        equipment_in_use,
        notes
    }
);

/// Expected from the proposal, actual from the last acceptance and the last results in
/// `timeline` (oldest first).
fn outcome(p: &Proposal, timeline: &[Event]) -> Outcome {
    let d = &p.data;
    let mut o = Outcome {
        expected_jobs: d.expected_jobs,
        expected_products: d.expected_products.clone(),
        expected_capacity: d.expected_capacity.clone(),
        asked_total: d.money.total_cost,
        asked_support: d.money.support,
        ..Outcome::default()
    };
    for e in timeline {
        match &e.detail {
            EventDetail::Acceptance {
                result,
                actual_total,
                actual_support,
                ..
            } => {
                o.acceptance_result = Some(result.clone());
                o.actual_total = Some(*actual_total);
                o.actual_support = Some(*actual_support);
            }
            EventDetail::Result {
                stage,
                jobs_created,
                workers_trained,
                revenue_before,
                revenue_after,
                products,
                equipment_in_use,
                ..
            } => {
                o.results_stage = Some(stage.clone());
                o.jobs_created = *jobs_created;
                o.workers_trained = *workers_trained;
                o.revenue_before = *revenue_before;
                o.revenue_after = *revenue_after;
                o.products = products.clone();
                o.equipment_in_use = equipment_in_use.clone();
            }
            _ => {}
        }
    }
    o
}

/// Reads one timeline entry from a record table's row.
type EventMapper = fn(&Row<'_>) -> rusqlite::Result<Event>;

fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

impl Store {
    /// One đề án's page, or None when it is not there or outside the reader's scope.
    pub fn project_page(&self, id: &str) -> Result<Option<ProjectPage>> {
        let Some(proposal) = self
            .proposal(id)?
            .filter(|p| self.may_read(&p.commune_code))
        else {
            return Ok(None);
        };
        let conn = self.conn();
        let approval = conn
            .prepare_cached(&format!(
                "SELECT {APPROVAL_SQL} FROM proposals WHERE id = ?1"
            ))?
            .query_row([id], approval)?;
        let money = conn
            .prepare_cached(&format!(
                "SELECT {MONEY_SQL} FROM project_money WHERE proposal_id = ?1"
            ))?
            .query_row([id], money)
            .optional()?
            .unwrap_or_default();
        let mut timeline = Vec::new();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {STEP_SQL} FROM proposal_transitions WHERE proposal_id = ?1 ORDER BY seq"
        ))?;
        for e in stmt.query_map([id], step)? {
            timeline.push(e?);
        }
        // The person who entered a record, by name (the visit names its visitors itself).
        let who = |table: &str| {
            format!(
                "coalesce((SELECT c.name FROM collaborators c WHERE c.id = {table}.created_by), '')
                    AS who"
            )
        };
        let records: [(&str, &str, EventMapper, &str); 5] = [
            ("project_adjustments", ADJUSTMENT_SQL, adjustment, ""),
            ("project_visits", VISIT_SQL, visit, ""),
            ("project_acceptances", ACCEPTANCE_SQL, acceptance, ""),
            (
                "project_payments",
                PAYMENT_SQL,
                payment,
                ", kind AS payment_kind",
            ),
            ("project_results", RESULT_SQL, result, ""),
        ];
        for (table, cols, map, extra) in records {
            let sql = format!(
                "SELECT {cols} FROM (SELECT *, {}{extra} FROM {table} WHERE proposal_id = ?1)",
                who(table)
            );
            let mut stmt = conn.prepare_cached(&sql)?;
            for e in stmt.query_map([id], map)? {
                timeline.push(e?);
            }
        }
        // One day's events in the order they were entered; a stable sort keeps the
        // transitions' own order when two share a time.
        timeline.sort_by(|a, b| (&a.date, &a.at).cmp(&(&b.date, &b.at)));
        let today = iso(self.today());
        let last_progress = timeline
            .iter()
            .rev()
            .find_map(|e| match &e.detail {
                EventDetail::Visit { progress_pct, .. } => Some(*progress_pct),
                _ => None,
            })
            .flatten();
        let accepted = timeline.iter().any(|e| {
            matches!(&e.detail, EventDetail::Acceptance { result, .. } if result != "KHONG_DAT")
        });
        let end = money.planned_end.as_deref();
        let status = proposal.status;
        Ok(Some(ProjectPage {
            overdue: overdue(status, end, &today),
            awaiting_acceptance: awaiting_acceptance(status, end, &today, last_progress, accepted),
            outcome: outcome(&proposal, &timeline),
            proposal,
            approval,
            money,
            timeline,
        }))
    }

    /// Đề án of the scope matching `filter`, in the proposal list's order.
    pub fn list_projects(
        &self,
        filter: &ProjectFilter,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<Proposal>> {
        let (w, args) = filter.where_clause(&self.scope_communes(), &iso(self.today()));
        self.list_where(&w, args, offset, limit)
    }

    pub fn count_projects(&self, filter: &ProjectFilter) -> Result<usize> {
        let (w, args) = filter.where_clause(&self.scope_communes(), &iso(self.today()));
        self.count_where(&w, args)
    }

    /// Support asked, approved (adjusted) and paid for the whole filter, per category and per
    /// funding source (one grouped query, whatever the page of the list).
    pub fn project_totals(&self, filter: &ProjectFilter) -> Result<ProjectTotals> {
        let (w, args) = filter.where_clause(&self.scope_communes(), &iso(self.today()));
        let sql = format!(
            "SELECT p.category, coalesce(p.approved_funding, p.funding), count(*),
                sum(p.support), sum(coalesce(p.cur_support, 0)), sum(p.paid)
             FROM proposals p WHERE {w} GROUP BY 1, 2"
        );
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let mut rows = stmt.query(params_from_iter(args))?;
        let mut t = ProjectTotals::default();
        while let Some(r) = rows.next()? {
            let category: String = r.get(0)?;
            let funding = code_at(r, 1, "funding source", funding_from_code)?;
            let n: i64 = r.get(2)?;
            let sums = ProjectSums {
                count: n.max(0) as usize,
                asked: r.get(3)?,
                approved: r.get(4)?,
                paid: r.get(5)?,
            };
            match t.by_category.iter_mut().find(|(c, _)| *c == category) {
                Some((_, s)) => s.add(&sums),
                None => t.by_category.push((category, sums)),
            }
            match t.by_funding.iter_mut().find(|(f, _)| *f == funding) {
                Some((_, s)) => s.add(&sums),
                None => t.by_funding.push((funding, sums)),
            }
            t.total.add(&sums);
        }
        t.by_category.sort_by_key(|(c, _)| category_order(c));
        t.by_funding.sort_by_key(|(f, _)| *f);
        Ok(t)
    }

    /// The batches (đợt) given to đề án of the scope, in order.
    pub fn project_batches(&self) -> Result<Vec<String>> {
        let (w, args) = ProposalFilter::default().where_clause(&self.scope_communes());
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT DISTINCT p.batch FROM proposals p WHERE {w} AND p.batch <> '' ORDER BY 1"
        ))?;
        let rows = stmt.query_map(params_from_iter(args), |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }
}
