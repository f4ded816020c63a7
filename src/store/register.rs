//! The province register of đề án (`ctv register`): one row per proposal in scope with its
//! approval, money (the `project_money` view: approved with adjustments, planned end, paid),
//! stage, acceptance and latest results. Read only.

use rusqlite::{params_from_iter, types::Value};
use serde::Serialize;

use super::proposals::{code_at, funding_from_code, status_from_code};
use super::{ProposalFilter, Result, Store};
use crate::domain::proposal::{FundingSource, ProposalStatus};

/// One đề án as the register shows it. Dates are ISO (yyyy-mm-dd).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegisterRow {
    pub id: String,
    pub facility_name: String,
    pub commune_code: String,
    pub plan_year: i32,
    pub category: String,
    pub funding: FundingSource,
    pub title: String,
    /// The support asked.
    pub asked_support: i64,
    /// The approved support, with adjustments (None: not approved).
    pub approved: Option<i64>,
    pub decision_no: Option<String>,
    pub decision_date: Option<String>,
    pub batch: String,
    pub status: ProposalStatus,
    pub start_date: Option<String>,
    pub planned_end: Option<String>,
    pub paid: i64,
    /// Approved minus paid (None: not approved).
    pub remaining: Option<i64>,
    /// `DAT`, `KHONG_DAT`, `DAT_CO_DIEU_KIEN` of the latest acceptance.
    pub acceptance_result: Option<String>,
    pub acceptance_date: Option<String>,
    /// From the latest results (acceptance or evaluation).
    pub jobs_created: Option<i64>,
    pub workers_trained: Option<i64>,
    /// No facility: the centre's own đề án.
    pub centre: bool,
    /// How many beneficiaries a group đề án has (0 or 1: one facility).
    pub group_size: usize,
}

/// The register's sums.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RegisterTotals {
    pub count: usize,
    pub asked_support: i64,
    pub approved: i64,
    pub paid: i64,
    pub remaining: i64,
    pub jobs_created: i64,
    pub workers_trained: i64,
}

impl RegisterTotals {
    pub fn of(rows: &[RegisterRow]) -> RegisterTotals {
        let mut t = RegisterTotals {
            count: rows.len(),
            ..Default::default()
        };
        for r in rows {
            t.asked_support = t.asked_support.saturating_add(r.asked_support);
            t.approved = t.approved.saturating_add(r.approved.unwrap_or(0));
            t.paid = t.paid.saturating_add(r.paid);
            t.remaining = t.remaining.saturating_add(r.remaining.unwrap_or(0));
            t.jobs_created = t.jobs_created.saturating_add(r.jobs_created.unwrap_or(0));
            t.workers_trained = t
                .workers_trained
                .saturating_add(r.workers_trained.unwrap_or(0));
        }
        t
    }
}

/// The latest row of a project table for the proposal (by date, then entry).
fn latest(table: &str, col: &str) -> String {
    format!(
        "(SELECT x.{col} FROM {table} x WHERE x.proposal_id = p.id
          ORDER BY x.date DESC, x.created_at DESC LIMIT 1)"
    )
}

impl Store {
    /// Every đề án of the scope (of a plan year when given), by year, category, funding and
    /// facility name.
    pub fn register(&self, year: Option<i32>) -> Result<Vec<RegisterRow>> {
        let filter = ProposalFilter {
            year,
            ..Default::default()
        };
        let (w, args) = filter.where_clause(&self.scope_communes());
        let sql = format!(
            "SELECT p.id, coalesce(f.name, ''), p.commune_code, p.plan_year, p.category,
                p.funding, p.title, p.support, m.approved, p.decision_no, p.decision_date,
                p.batch, p.status, p.start_date, m.planned_end, m.paid, {}, {}, {}, {},
                p.facility_id IS NULL,
                (SELECT count(*) FROM proposal_beneficiaries b WHERE b.proposal_id = p.id)
             FROM proposals p LEFT JOIN facilities f ON f.id = p.facility_id
                JOIN project_money m ON m.proposal_id = p.id
             WHERE {w}
             ORDER BY p.plan_year, p.category, p.funding, f.sort_key, p.id",
            latest("project_acceptances", "result"),
            latest("project_acceptances", "date"),
            latest("project_results", "jobs_created"),
            latest("project_results", "workers_trained"),
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let rows = stmt.query_map(params_from_iter::<Vec<Value>>(args), |r| {
            let approved: Option<i64> = r.get(8)?;
            let paid: i64 = r.get(15)?;
            Ok(RegisterRow {
                id: r.get(0)?,
                facility_name: r.get(1)?,
                commune_code: r.get(2)?,
                plan_year: r.get(3)?,
                category: r.get(4)?,
                funding: code_at(r, 5, "funding source", funding_from_code)?,
                title: r.get(6)?,
                asked_support: r.get(7)?,
                approved,
                decision_no: r.get(9)?,
                decision_date: r.get(10)?,
                batch: r.get(11)?,
                status: code_at(r, 12, "status", status_from_code)?,
                start_date: r.get(13)?,
                planned_end: r.get(14)?,
                paid,
                remaining: approved.map(|a| a.saturating_sub(paid)),
                acceptance_result: r.get(16)?,
                acceptance_date: r.get(17)?,
                jobs_created: r.get(18)?,
                workers_trained: r.get(19)?,
                centre: r.get(20)?,
                group_size: r.get::<_, i64>(21)?.max(0) as usize,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
