//! The annual plan of the scope (`ctv plan`, the plan screen): the đề án of the year with
//! what the grouping needs (who implements each, how many beneficiaries, pilot or not), the
//! activities of the year, and what is still undecided. The rules are
//! [`crate::domain::plan`]'s; this only reads rows.

use rusqlite::params_from_iter;
use rusqlite::types::Value;

use super::proposals::{code_at, funding_from_code, priorities_from_bits, status_from_code};
use super::{ProposalFilter, Result, Store};
use crate::domain::plan::{build, Plan, PlanActivity, PlanItem, UnitKind, PENDING};
use crate::domain::proposal::{ProposalMoney, ProposalStatus};

impl Store {
    /// The annual plan of the scope for `year`: đề án proposed and beyond (drafts and
    /// returned ones too if asked), withdrawn and refused ones left out; the activities that
    /// start in the year (not archived); the đề án of the year not decided yet.
    pub fn annual_plan(&self, year: i32, include_drafts: bool) -> Result<Plan> {
        let communes = self.scope_communes();
        let statuses = ProposalStatus::ALL
            .into_iter()
            .filter(|s| s.in_plan() || (include_drafts && s.is_editable()))
            .collect();
        let filter = ProposalFilter {
            statuses,
            year: Some(year),
            ..Default::default()
        };
        let (w, args) = filter.where_clause(&communes);
        // The centre implements a đề án with no facility (its own: a fair, a course, a
        // survey). A đề án the province drafted for a facility is still the facility's: the
        // centre writes many of them.
        let sql = format!(
            "SELECT p.id, coalesce(f.name, ''), p.commune_code, p.category, p.funding, p.title,
                p.total_cost, p.support, p.counterpart, p.other_sources, p.priorities, p.status,
                p.is_pilot,
                (SELECT count(*) FROM proposal_beneficiaries b WHERE b.proposal_id = p.id),
                p.facility_id IS NULL
             FROM proposals p LEFT JOIN facilities f ON f.id = p.facility_id
             WHERE {w}
             ORDER BY p.facility_sort, p.id"
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let items = stmt
            .query_map(params_from_iter(args), |r| {
                let centre: bool = r.get(14)?;
                Ok(PlanItem {
                    id: r.get(0)?,
                    facility_name: r.get(1)?,
                    commune_code: r.get(2)?,
                    category: r.get(3)?,
                    funding: code_at(r, 4, "funding", funding_from_code)?,
                    title: r.get(5)?,
                    money: ProposalMoney {
                        total_cost: r.get(6)?,
                        support: r.get(7)?,
                        counterpart: r.get(8)?,
                        other_sources: r.get(9)?,
                    },
                    priorities: priorities_from_bits(r.get(10)?),
                    status: code_at(r, 11, "status", status_from_code)?,
                    is_pilot: r.get(12)?,
                    beneficiaries: r.get::<_, i64>(13)?.max(0) as usize,
                    unit: if centre {
                        UnitKind::Centre
                    } else {
                        UnitKind::Facility
                    },
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;

        // Activities starting in the year, in the scope.
        let mut sql = String::from(
            "SELECT a.id, a.kind, a.title, a.start_date, a.end_date, a.organiser,
                a.commune_code, coalesce(a.cost, 0), a.proposal_id
             FROM activities a
             WHERE a.archived = 0 AND a.start_date BETWEEN ? AND ? AND ",
        );
        let mut args = vec![
            Value::Text(format!("{year:04}-01-01")),
            Value::Text(format!("{year:04}-12-31")),
        ];
        super::consultations::push_scope(&mut sql, &mut args, "a.commune_code", &communes);
        sql.push_str(" ORDER BY a.start_date, a.id");
        let mut stmt = self.conn().prepare(&sql)?;
        let activities = stmt
            .query_map(params_from_iter(args), |r| {
                Ok(PlanActivity {
                    id: r.get(0)?,
                    kind: r.get(1)?,
                    title: r.get(2)?,
                    start_date: r.get(3)?,
                    end_date: r.get(4)?,
                    organiser: r.get(5)?,
                    commune_code: r.get(6)?,
                    cost: r.get(7)?,
                    proposal_id: r.get(8)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;

        // What of the year is not decided yet, by status.
        let filter = ProposalFilter {
            statuses: PENDING.to_vec(),
            year: Some(year),
            ..Default::default()
        };
        let (w, args) = filter.where_clause(&communes);
        let mut stmt = self.conn().prepare(&format!(
            "SELECT p.status, count(*) FROM proposals p WHERE {w} GROUP BY p.status"
        ))?;
        let pending = stmt
            .query_map(params_from_iter(args), |r| {
                let n: i64 = r.get(1)?;
                Ok((
                    code_at(r, 0, "status", status_from_code)?,
                    n.max(0) as usize,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let area_review = self.flow()?.area_review;
        Ok(build(year, items, activities, pending, area_review))
    }
}
