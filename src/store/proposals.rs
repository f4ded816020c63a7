//! Support proposals: a form prefilled from a facility and its recorded needs, drafts that
//! may be edited, status transitions decided by `domain::proposal::check_transition` and kept
//! as history, lists with totals, the facilities with open proposals, and the annual plan.

use std::collections::HashSet;

use rusqlite::types::{ToSql, Value};
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row, Transaction};

use super::rows::{self, PROPOSAL_VIEW_SQL as COLS};
use super::{change_log, new_id, Actor, Result, Store, StoreError};
use crate::domain::consultation::{dmy, group_needs, NeedsGroup};
use crate::domain::facility::Facility;
use crate::domain::issue::{FieldIssue, Issues, Problem};
use crate::domain::proposal::{
    allowed_transitions, assess, check_transition, validate_move, BeneficiaryLine, FundingSource,
    MoveData, MoveInput, Mover, Priorities, Proposal, ProposalData, ProposalInput, ProposalMoney,
    ProposalPatch, ProposalRecord, ProposalStatus, ProposalTotals, Transition,
};
use crate::domain::Role;
use crate::refdata::{codes, units};

/// Which proposals a list shows (always within the collaborator's scope).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProposalFilter {
    /// Any of these statuses (empty: all).
    pub statuses: Vec<ProposalStatus>,
    pub year: Option<i32>,
    pub category: Option<String>,
    pub funding: Option<FundingSource>,
    /// One commune of the scope (2025 code).
    pub commune: Option<String>,
    pub facility_id: Option<String>,
}

/// A new proposal's form: the facility, the values prefilled from it and from its recorded
/// needs, and those needs to show beside the form.
#[derive(Debug, Clone, PartialEq)]
pub struct ProposalPrefill {
    pub facility: Facility,
    pub input: ProposalInput,
    pub needs: Vec<NeedsGroup>,
}

const FROM: &str = "FROM proposals p LEFT JOIN facilities f ON f.id = p.facility_id";

pub(super) fn bad(i: usize, what: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        i,
        rusqlite::types::Type::Text,
        Box::new(std::io::Error::other(what.to_string())),
    )
}

/// A code column read back into its type; a code this build does not know is a conversion
/// error naming `what`.
pub(super) fn code_at<T>(
    r: &Row<'_>,
    i: usize,
    what: &str,
    of: fn(&str) -> Option<T>,
) -> rusqlite::Result<T> {
    let s: String = r.get(i)?;
    of(&s).ok_or_else(|| bad(i, what))
}

/// [`code_at`] for a column that may be NULL.
pub(super) fn opt_code_at<T>(
    r: &Row<'_>,
    i: usize,
    what: &str,
    of: fn(&str) -> Option<T>,
) -> rusqlite::Result<Option<T>> {
    r.get::<_, Option<String>>(i)?
        .map(|s| of(&s).ok_or_else(|| bad(i, what)))
        .transpose()
}

pub(super) fn status_from_code(s: &str) -> Option<ProposalStatus> {
    ProposalStatus::ALL.into_iter().find(|x| x.code() == s)
}

pub(super) fn funding_from_code(s: &str) -> Option<FundingSource> {
    FundingSource::ALL.into_iter().find(|x| x.code() == s)
}

/// A proposal's content columns, in the order the insert and the update both bind them.
const CONTENT_COLS: &str = "plan_year, category, funding, title, rationale, objectives, content, \
    place, time_frame, total_cost, support, counterpart, other_sources, expected_jobs, \
    expected_products, expected_capacity, priorities, is_pilot";

/// `?from, ?from+1, …`: one placeholder per content column.
fn placeholders(from: usize) -> String {
    (from..from + CONTENT_COLS.split(", ").count())
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Calls `f` with the values of [`CONTENT_COLS`], in that order.
fn with_content<R>(data: &ProposalData, f: impl FnOnce(&[&dyn ToSql]) -> R) -> R {
    let m = &data.money;
    f(&[
        &data.plan_year,
        &data.category,
        &data.funding.code(),
        &data.title,
        &data.rationale,
        &data.objectives,
        &data.content,
        &data.place,
        &data.time_frame,
        &m.total_cost,
        &m.support,
        &m.counterpart,
        &m.other_sources,
        &data.expected_jobs,
        &data.expected_products,
        &data.expected_capacity,
        &priorities_bits(&data.priorities),
        &data.is_pilot,
    ])
}

pub(crate) fn priorities_bits(p: &Priorities) -> i64 {
    p.flags()
        .iter()
        .enumerate()
        .map(|(i, (_, on))| i64::from(*on) << i)
        .sum()
}

pub(crate) fn priorities_from_bits(b: i64) -> Priorities {
    let on = |i: u32| b & (1 << i) != 0;
    Priorities {
        exports: on(0),
        local_materials: on(1),
        workers_50: on(2),
        woman_owned: on(3),
        ethnic_owned: on(4),
        difficult_area: on(5),
    }
}

fn load(conn: &Connection, id: &str) -> Result<Option<Proposal>> {
    let sql = format!("SELECT {COLS} {FROM} WHERE p.id = ?1");
    let Some(mut p) = conn
        .prepare_cached(&sql)?
        .query_row([id], rows::proposal_view)
        .optional()?
    else {
        return Ok(None);
    };
    p.data.beneficiaries = rows::beneficiaries_of(conn, id)?
        .iter()
        .map(rows::beneficiary_data)
        .collect();
    Ok(Some(p))
}

fn transition_from_row(r: &Row<'_>) -> rusqlite::Result<Transition> {
    Ok(Transition {
        seq: r.get(0)?,
        proposal_id: r.get(1)?,
        at: r.get(2)?,
        actor_id: r.get(3)?,
        actor_name: r.get(4)?,
        mover: code_at(r, 5, "mover", Mover::from_key)?,
        from: opt_code_at(r, 6, "status", status_from_code)?,
        to: code_at(r, 7, "status", status_from_code)?,
        reason: r.get(8)?,
        decision_no: r.get(9)?,
        approved_support: r.get(10)?,
        decision_date: r.get(11)?,
    })
}

impl ProposalFilter {
    pub(super) fn where_clause(&self, communes: &[String]) -> (String, Vec<Value>) {
        let mut sql = String::from("p.commune_code IN (");
        let mut args = Vec::new();
        if communes.is_empty() {
            sql.push_str("NULL");
        }
        for (i, c) in communes.iter().enumerate() {
            sql.push_str(if i == 0 { "?" } else { ",?" });
            args.push(Value::Text(c.clone()));
        }
        sql.push(')');
        if !self.statuses.is_empty() {
            sql.push_str(" AND p.status IN (");
            for (i, s) in self.statuses.iter().enumerate() {
                sql.push_str(if i == 0 { "?" } else { ",?" });
                args.push(Value::Text(s.code().to_string()));
            }
            sql.push(')');
        }
        if let Some(y) = self.year {
            sql.push_str(" AND p.plan_year = ?");
            args.push(Value::Integer(i64::from(y)));
        }
        let mut eq = |col: &str, v: Option<String>| {
            if let Some(v) = v {
                sql.push_str(&format!(" AND {col} = ?"));
                args.push(Value::Text(v));
            }
        };
        eq("p.category", self.category.clone());
        eq("p.funding", self.funding.map(|f| f.code().to_string()));
        eq("p.commune_code", self.commune.clone());
        eq("p.facility_id", self.facility_id.clone());
        (sql, args)
    }
}

/// One status change of a proposal, as asked: which proposal (on which version, when a
/// person saw it), who moves it, where to, and what was typed for the move.
pub struct ProposalMove<'a> {
    pub id: &'a str,
    pub expected_version: Option<i64>,
    pub mover: Mover,
    pub to: ProposalStatus,
    pub input: &'a MoveInput,
}

/// The export's moves (DE_XUAT or DA_RA_SOAT → DA_GUI_TINH) inside the export's own
/// transaction, at the time the bundle already carries.
pub(crate) fn mark_sent_in(
    tx: &Transaction<'_>,
    ids: &[String],
    at: &str,
    actor: &Actor,
    today: chrono::NaiveDate,
) -> Result<()> {
    let input = MoveInput::default();
    for id in ids {
        let m = ProposalMove {
            id,
            expected_version: None,
            mover: Mover::Export,
            to: ProposalStatus::DaGuiTinh,
            input: &input,
        };
        transition_in(tx, &m, today, at, actor)?;
    }
    Ok(())
}

/// The acceptance's move (DANG_THUC_HIEN → HOAN_THANH by the province) inside the
/// acceptance's own transaction, at its time: the one rule and write, like every move.
pub(crate) fn complete_by_acceptance_in(
    tx: &Transaction<'_>,
    id: &str,
    at: &str,
    actor: &Actor,
    today: chrono::NaiveDate,
) -> Result<()> {
    let input = MoveInput::default();
    let m = ProposalMove {
        id,
        expected_version: None,
        mover: Mover::Person(Role::Province),
        to: ProposalStatus::HoanThanh,
        input: &input,
    };
    transition_in(tx, &m, today, at, actor).map(drop)
}

/// Whether the proposal has an acceptance that passed (đạt, or đạt có điều kiện).
fn accepted(tx: &Transaction<'_>, id: &str) -> Result<bool> {
    Ok(tx
        .prepare_cached(
            "SELECT 1 FROM project_acceptances WHERE proposal_id = ?1
                AND result IN ('DAT', 'DAT_CO_DIEU_KIEN') LIMIT 1",
        )?
        .exists([id])?)
}

/// THE write of a status change, inside the caller's transaction (the CLI and the TUI
/// through [`Store::move_proposal_with`], the export, and the acceptance of a project):
/// the rule under the province's flow, what the move needs (checked by
/// `domain::proposal::validate_move`), the version, the row with the approval or start
/// data, its history row and the change log.
pub fn transition_in(
    tx: &Transaction<'_>,
    m: &ProposalMove<'_>,
    today: chrono::NaiveDate,
    at: &str,
    actor: &Actor,
) -> Result<Proposal> {
    let cur = load(tx, m.id)?.ok_or_else(|| StoreError::NotFound(m.id.to_string()))?;
    // A stale view first: the rule is judged on the status the person saw.
    if let Some(v) = m.expected_version.filter(|v| *v != cur.version) {
        return Err(StoreError::Conflict {
            id: m.id.to_string(),
            expected: v,
            found: cur.version,
        });
    }
    let flow = super::flow::flow_in(tx)?;
    let needs = check_transition(flow, m.mover, Some(cur.status), m.to).map_err(|refusal| {
        StoreError::Transition {
            id: m.id.to_string(),
            refusal,
        }
    })?;
    let data = validate_move(
        needs,
        m.input,
        (cur.data.money.support, cur.data.funding),
        today,
    )
    .map_err(StoreError::Invalid)?;
    if needs.acceptance && !accepted(tx, m.id)? {
        return Err(StoreError::NeedsAcceptance(m.id.to_string()));
    }
    let version = cur.version + 1;
    let mut next = cur.clone();
    next.status = m.to;
    // The decision number stays once given (an approved proposal keeps it under way).
    if data.decision_no.is_some() {
        next.decision_no = data.decision_no.clone();
    }
    if let Some(a) = &data.approval {
        next.approved_support = Some(a.support);
        next.decision_date = Some(a.date.to_string());
        next.approved_funding = Some(a.funding);
        next.batch = a.batch.clone();
    }
    if let Some(st) = &data.start {
        next.start_date = Some(st.date.to_string());
        next.implementing_unit = st.implementing_unit.clone();
        next.planned_end = Some(st.planned_end.to_string());
    }
    if m.to == ProposalStatus::Dung {
        next.stop_reason = data.reason.clone();
    }
    tx.prepare_cached(
        "UPDATE proposals SET status = ?2, decision_no = ?3, approved_support = ?4,
            decision_date = ?5, approved_funding = ?6, batch = ?7, start_date = ?8,
            implementing_unit = ?9, planned_end = ?10, stop_reason = ?11, updated_at = ?12,
            updated_by = ?13, version = ?14 WHERE id = ?1",
    )?
    .execute(params![
        m.id,
        m.to.code(),
        next.decision_no,
        next.approved_support,
        next.decision_date,
        next.approved_funding.map(FundingSource::code),
        next.batch,
        next.start_date,
        next.implementing_unit,
        next.planned_end,
        next.stop_reason,
        at,
        actor.id,
        version
    ])?;
    insert_transition(tx, m.id, at, actor, m.mover, Some(cur.status), m.to, &data)?;
    let mut changes = serde_json::Map::new();
    changes.insert(
        "status".into(),
        serde_json::json!([cur.status.code(), m.to.code()]),
    );
    if !data.reason.is_empty() {
        changes.insert("reason".into(), serde_json::json!([null, data.reason]));
    }
    super::flow::diff_fields(
        &serde_json::to_value(&cur).unwrap_or_default(),
        &serde_json::to_value(&next).unwrap_or_default(),
        &super::flow::DECISION_FIELDS,
        &mut changes,
    );
    change_log::record(
        tx,
        at,
        actor,
        "proposal",
        m.id,
        m.mover.key(),
        version,
        &changes,
    )?;
    load(tx, m.id)?.ok_or_else(|| StoreError::NotFound(m.id.to_string()))
}

#[allow(clippy::too_many_arguments)]
fn insert_transition(
    tx: &Transaction<'_>,
    id: &str,
    at: &str,
    actor: &Actor,
    mover: Mover,
    from: Option<ProposalStatus>,
    to: ProposalStatus,
    data: &MoveData,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO proposal_transitions (proposal_id, at, actor_id, actor_name, mover,
            from_status, to_status, reason, decision_no, approved_support, decision_date)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        id,
        at,
        actor.id,
        actor.name,
        mover.key(),
        from.map(|f| f.code()),
        to.code(),
        data.reason,
        data.decision_no,
        data.approval.as_ref().map(|a| a.support),
        data.approval.as_ref().map(|a| a.date.to_string())
    ])?;
    Ok(())
}

/// "Xây dựng mô hình trình diễn kỹ thuật — HTX mây tre đan Phú Vinh": a title to start from.
pub fn default_title(category: &str, facility_name: &str) -> String {
    match codes().support_categories.get(category) {
        Some(c) => format!("{} — {facility_name}", c.label_vi),
        None => facility_name.to_string(),
    }
}

impl Store {
    /// The warnings a proposal of `facility` carries on `on` (eligibility with the register's
    /// village, the cap in force).
    fn assess_on(
        &self,
        data: &crate::domain::proposal::ProposalData,
        facility: &crate::domain::facility::Facility,
        on: chrono::NaiveDate,
    ) -> Result<Issues> {
        let in_village = self.in_recognised_village(&facility.id)?;
        Ok(assess(
            data,
            &facility.data,
            in_village,
            on,
            &self.support_caps()?,
        ))
    }
}

impl Store {
    fn proposal_actor(&self) -> Result<(Actor, Role)> {
        let p = self.require_profile()?;
        Ok((
            Actor {
                id: p.id.clone(),
                name: p.name.clone(),
            },
            p.role,
        ))
    }

    /// A new proposal's form for a facility: next year's plan, the facility's priority markers,
    /// its place, and from its consultations the most raised support category (with a title to
    /// start from) and the difficulties and needs recorded, newest first, as the rationale.
    pub fn proposal_prefill(&self, facility_id: &str) -> Result<ProposalPrefill> {
        let facility = self
            .facility(facility_id)?
            .ok_or_else(|| StoreError::NotFound(facility_id.to_string()))?;
        let recent = self.facility_timeline(&facility.id, 0, 50)?;
        let needs = group_needs(&recent, None);
        let category = needs
            .iter()
            .find_map(|g| g.topic.clone())
            .unwrap_or_default();
        let mut entries: Vec<_> = needs.iter().flat_map(|g| g.entries.iter()).collect();
        // Newest first; a consultation under several topics becomes adjacent, then one.
        entries.sort_by_key(|e| std::cmp::Reverse((e.date, e.consultation_id.as_str())));
        entries.dedup_by(|a, b| a.consultation_id == b.consultation_id);
        let rationale = entries
            .iter()
            .take(5)
            .map(|e| {
                let text = [e.difficulties.as_str(), e.needs.as_str()]
                    .iter()
                    .filter(|s| !s.is_empty())
                    .map(|s| s.replace('\n', "; "))
                    .collect::<Vec<_>>()
                    .join(" — ");
                format!("{}: {text}", dmy(e.date))
            })
            .collect::<Vec<_>>()
            .join("\n");
        let d = &facility.data;
        let u = units();
        let place = [
            d.address.clone(),
            u.commune(&d.commune_code)
                .map(|c| c.full_name.clone())
                .unwrap_or_default(),
            u.commune(&d.commune_code)
                .and_then(|c| u.province(&c.province_code))
                .map(|p| p.full_name.clone())
                .unwrap_or_default(),
        ]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
        let input = ProposalInput {
            facility_id: facility.id.clone(),
            plan_year: (chrono::Datelike::year(&self.today()) + 1).to_string(),
            title: if category.is_empty() {
                String::new()
            } else {
                default_title(&category, &d.name)
            },
            category,
            rationale,
            place,
            priorities: Priorities::from_facility(d),
            ..Default::default()
        };
        Ok(ProposalPrefill {
            facility,
            input,
            needs,
        })
    }

    /// Where a validated proposal belongs and the one scope check of its writer: the
    /// facility (for a group the lead) and its commune, with every beneficiary's commune in
    /// the scope; with no facility, only a province profile, at `commune` (required, known,
    /// in its scope).
    fn proposal_place(
        &self,
        data: &ProposalData,
        role: Role,
        commune: &str,
    ) -> Result<(Option<crate::domain::Facility>, String)> {
        if !data.has_facility() {
            let commune = crate::text::ingest(commune);
            let problem = if role != Role::Province {
                Some(("facility_id", Problem::Required))
            } else if commune.is_empty() {
                Some(("commune_code", Problem::Required))
            } else if crate::refdata::units().commune(&commune).is_none() {
                Some((
                    "commune_code",
                    Problem::UnknownCommune {
                        code: commune.clone(),
                    },
                ))
            } else {
                None
            };
            if let Some((key, problem)) = problem {
                return Err(StoreError::Invalid(Issues(vec![FieldIssue::error(
                    key, problem,
                )])));
            }
            self.check_scope(&commune)?;
            return Ok((None, commune));
        }
        for b in data.beneficiaries.iter().skip(1) {
            let f = self
                .facility(&b.facility_id)?
                .ok_or_else(|| StoreError::NotFound(b.facility_id.clone()))?;
            self.check_scope(&f.data.commune_code)?;
        }
        let facility = self
            .facility(&data.facility_id)?
            .ok_or_else(|| StoreError::NotFound(data.facility_id.clone()))?;
        self.check_scope(&facility.data.commune_code)?;
        let commune = facility.data.commune_code.clone();
        Ok((Some(facility), commune))
    }

    /// Validates and records a draft proposal (status NHAP) for a facility of the scope, by
    /// anyone in scope. Returns it with its warnings (caps, eligibility).
    pub fn add_proposal(&mut self, input: &ProposalInput) -> Result<(Proposal, Issues)> {
        let (actor, role) = self.proposal_actor()?;
        let today = self.today();
        let (data, mut warnings) =
            crate::domain::proposal::validate(input, today).map_err(StoreError::Invalid)?;
        let (facility, commune) = self.proposal_place(&data, role, &input.commune_code)?;
        let mover = Mover::Person(role);
        check_transition(self.flow()?, mover, None, ProposalStatus::Nhap).map_err(|refusal| {
            StoreError::Transition {
                id: String::new(),
                refusal,
            }
        })?;
        if let Some(facility) = &facility {
            warnings.0.extend(self.assess_on(&data, facility, today)?.0);
        }
        let id = new_id();
        let now = self.now_string();
        self.write(|tx| {
            let sql = format!(
                "INSERT INTO proposals (id, facility_id, commune_code, {CONTENT_COLS}, status,
                    created_at, created_by, updated_at, updated_by, version)
                 VALUES (?1, ?2, ?3, {}, 'NHAP', ?22, ?23, ?22, ?23, 1)",
                placeholders(4)
            );
            with_content(&data, |content| {
                let head: [&dyn ToSql; 3] = [
                    &id,
                    &data.has_facility().then_some(&data.facility_id),
                    &commune,
                ];
                let tail: [&dyn ToSql; 2] = [&now, &actor.id];
                tx.prepare_cached(&sql)?
                    .execute(params_from_iter(head.iter().chain(content).chain(&tail)))
            })?;
            write_group(tx, &id, &data)?;
            insert_transition(
                tx,
                &id,
                &now,
                &actor,
                mover,
                None,
                ProposalStatus::Nhap,
                &MoveData::default(),
            )?;
            change_log::record(
                tx,
                &now,
                &actor,
                "proposal",
                &id,
                "create",
                1,
                &ProposalData::diff(None, &data),
            )
        })?;
        let p = self.proposal(&id)?.ok_or(StoreError::NotFound(id))?;
        Ok((p, warnings))
    }

    /// Changes a draft or a returned proposal made on `expected_version`, by anyone in its
    /// scope; field → [old, new] goes to the change log.
    pub fn edit_proposal(
        &mut self,
        id: &str,
        expected_version: i64,
        patch: &ProposalPatch,
    ) -> Result<(Proposal, Issues)> {
        let (actor, role) = self.proposal_actor()?;
        let today = self.today();
        let old = self
            .proposal(id)?
            .ok_or_else(|| StoreError::NotFound(id.to_string()))?;
        self.check_scope(&old.commune_code)?;
        if !old.status.is_editable() {
            return Err(StoreError::NotEditable {
                id: id.to_string(),
                status: old.status,
            });
        }
        let mut input = patch.over(&old.data);
        input.commune_code.clone_from(&old.commune_code);
        let (data, mut warnings) =
            crate::domain::proposal::validate(&input, today).map_err(StoreError::Invalid)?;
        let (facility, _) = self.proposal_place(&data, role, &old.commune_code)?;
        if let Some(facility) = &facility {
            warnings.0.extend(self.assess_on(&data, facility, today)?.0);
        }
        let now = self.now_string();
        self.write(|tx| {
            let cur = load(tx, id)?.ok_or_else(|| StoreError::NotFound(id.to_string()))?;
            if cur.version != expected_version {
                return Err(StoreError::Conflict {
                    id: id.into(),
                    expected: expected_version,
                    found: cur.version,
                });
            }
            if !cur.status.is_editable() {
                return Err(StoreError::NotEditable {
                    id: id.to_string(),
                    status: cur.status,
                });
            }
            let changes = ProposalData::diff(Some(&cur.data), &data);
            if changes.is_empty() {
                return Ok(());
            }
            let version = cur.version + 1;
            let sets = CONTENT_COLS
                .split(", ")
                .zip(2..)
                .map(|(c, i)| format!("{c} = ?{i}"))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "UPDATE proposals SET {sets}, updated_at = ?20, updated_by = ?21, version = ?22
                 WHERE id = ?1"
            );
            with_content(&data, |content| {
                let head: [&dyn ToSql; 1] = [&id];
                let tail: [&dyn ToSql; 3] = [&now, &actor.id, &version];
                tx.execute(
                    &sql,
                    params_from_iter(head.iter().chain(content).chain(&tail)),
                )
            })?;
            write_group(tx, id, &data)?;
            change_log::record(
                tx, &now, &actor, "proposal", id, "update", version, &changes,
            )
        })?;
        let p = self
            .proposal(id)?
            .ok_or_else(|| StoreError::NotFound(id.to_string()))?;
        Ok((p, warnings))
    }

    /// Moves a proposal of the scope to `to`, as the current profile's role, if the rule
    /// allows it; `reason` and `decision_no` as the rule requires (see `check_transition`).
    pub fn move_proposal(
        &mut self,
        id: &str,
        expected_version: i64,
        to: ProposalStatus,
        reason: &str,
        decision_no: Option<&str>,
    ) -> Result<Proposal> {
        let input = MoveInput {
            reason: reason.to_string(),
            decision_no: decision_no.unwrap_or_default().to_string(),
            ..Default::default()
        };
        self.move_proposal_with(id, expected_version, to, &input)
    }

    /// Moves a proposal of the scope to `to` with everything the move carries (approval,
    /// start, reason), as the current profile's role, if the rule allows it.
    pub fn move_proposal_with(
        &mut self,
        id: &str,
        expected_version: i64,
        to: ProposalStatus,
        input: &MoveInput,
    ) -> Result<Proposal> {
        let (actor, role) = self.proposal_actor()?;
        let cur = self
            .proposal(id)?
            .ok_or_else(|| StoreError::NotFound(id.to_string()))?;
        self.check_scope(&cur.commune_code)?;
        let now = self.now_string();
        let today = self.today();
        let m = ProposalMove {
            id,
            expected_version: Some(expected_version),
            mover: Mover::Person(role),
            to,
            input,
        };
        self.write(|tx| transition_in(tx, &m, today, &now, &actor))
    }

    /// Anyone in scope proposes a draft or a returned proposal (→ DE_XUAT).
    pub fn propose(&mut self, id: &str, expected_version: i64) -> Result<Proposal> {
        self.move_proposal(id, expected_version, ProposalStatus::DeXuat, "", None)
    }

    /// The area officer reviews a proposal, with a comment (DE_XUAT → DA_RA_SOAT).
    pub fn review_proposal(
        &mut self,
        id: &str,
        expected_version: i64,
        comment: &str,
    ) -> Result<Proposal> {
        self.move_proposal(
            id,
            expected_version,
            ProposalStatus::DaRaSoat,
            comment,
            None,
        )
    }

    /// Returns a proposal with a reason: the province for revision (→ TRA_LAI), an area
    /// officer who reviews to its commune as a draft (→ NHAP).
    pub fn return_proposal(
        &mut self,
        id: &str,
        expected_version: i64,
        reason: &str,
    ) -> Result<Proposal> {
        let to = match self.require_profile()?.role {
            Role::Province => ProposalStatus::TraLai,
            _ => ProposalStatus::Nhap,
        };
        self.move_proposal(id, expected_version, to, reason, None)
    }

    /// The proposer or the reviewer withdraws a proposal, with a reason.
    pub fn withdraw_proposal(
        &mut self,
        id: &str,
        expected_version: i64,
        reason: &str,
    ) -> Result<Proposal> {
        self.move_proposal(id, expected_version, ProposalStatus::Rut, reason, None)
    }

    /// For the bundle export only: marks the proposals it carries as sent to the province
    /// (proposed or reviewed → DA_GUI_TINH), all or none, in one transaction. Returns them.
    pub fn mark_sent_to_province(&mut self, ids: &[String]) -> Result<Vec<Proposal>> {
        let (actor, _) = self.proposal_actor()?;
        for id in ids {
            let p = self
                .proposal(id)?
                .ok_or_else(|| StoreError::NotFound(id.clone()))?;
            self.check_scope(&p.commune_code)?;
        }
        let now = self.now_string();
        let today = self.today();
        let input = MoveInput::default();
        self.write(|tx| {
            ids.iter()
                .map(|id| {
                    let m = ProposalMove {
                        id,
                        expected_version: None,
                        mover: Mover::Export,
                        to: ProposalStatus::DaGuiTinh,
                        input: &input,
                    };
                    transition_in(tx, &m, today, &now, &actor)
                })
                .collect()
        })
    }

    /// One proposal (reading is not restricted by scope).
    pub fn proposal(&self, id: &str) -> Result<Option<Proposal>> {
        load(self.conn(), id)
    }

    /// By full id or a unique ending of it (the 8-character short id lists show).
    /// On a shared database a proposal outside the reader's scope is not found.
    pub fn proposal_by_ref(&self, reference: &str) -> Result<Option<Proposal>> {
        self.by_ref_in_scope(
            "proposals",
            reference,
            |id| self.proposal(id),
            |p| &p.commune_code,
        )
    }

    /// A group đề án's beneficiaries, the lead first, with the sum paid to each (empty for
    /// a đề án of one facility or none).
    pub fn beneficiary_lines(&self, id: &str) -> Result<Vec<BeneficiaryLine>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT b.facility_id, coalesce(f.name, ''), b.support, b.counterpart,
                (SELECT coalesce(sum(m.amount), 0) FROM project_payments m
                 WHERE m.proposal_id = b.proposal_id AND m.facility_id = b.facility_id)
             FROM proposal_beneficiaries b LEFT JOIN facilities f ON f.id = b.facility_id
             WHERE b.proposal_id = ?1 ORDER BY b.position",
        )?;
        let rows = stmt.query_map([id], |r| {
            Ok(BeneficiaryLine {
                facility_id: r.get(0)?,
                facility_name: r.get(1)?,
                support: r.get(2)?,
                counterpart: r.get(3)?,
                paid: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// A proposal's status changes, oldest first (creation included).
    pub fn proposal_history(&self, id: &str) -> Result<Vec<Transition>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT seq, proposal_id, at, actor_id, actor_name, mover, from_status, to_status,
                reason, decision_no, approved_support, decision_date
             FROM proposal_transitions WHERE proposal_id = ?1 ORDER BY seq",
        )?;
        let rows = stmt.query_map([id], transition_from_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// A proposal with its history, today's warnings and what the current profile may do.
    pub fn proposal_record(&self, id: &str) -> Result<Option<ProposalRecord>> {
        let Some(proposal) = self
            .proposal(id)?
            .filter(|p| self.may_read(&p.commune_code))
        else {
            return Ok(None);
        };
        let history = self.proposal_history(id)?;
        // Warnings (caps, eligibility) help whoever can still change the proposal; once
        // proposed or decided they would only be noise on the page.
        let warnings = match self.facility(&proposal.data.facility_id)? {
            Some(f) if proposal.status.is_editable() => {
                self.assess_on(&proposal.data, &f, self.today())?
            }
            _ => Issues::default(),
        };
        let (editable, actions) = match self.profile() {
            Some(p) if p.covers_commune(&proposal.commune_code) => (
                proposal.status.is_editable(),
                allowed_transitions(self.flow()?, Mover::Person(p.role), proposal.status),
            ),
            _ => (false, Vec::new()),
        };
        Ok(Some(ProposalRecord {
            proposal,
            history,
            warnings,
            editable,
            actions,
        }))
    }

    /// Proposals of the scope matching `filter`: newest plan year first, then by support
    /// category and facility (Vietnamese order).
    pub fn list_proposals(
        &self,
        filter: &ProposalFilter,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<Proposal>> {
        let (w, args) = filter.where_clause(&self.scope_communes());
        self.list_where(&w, args, offset, limit)
    }

    /// Proposals (`p`, with `join`ed tables) where `w` holds, in the lists' order.
    /// One page of the proposals matching `w`, in the list's order. The page's ids are chosen
    /// first over the proposals alone (the index `proposals_f5` answers the condition and the
    /// order), then only those rows are read whole: sorting every match's whole row and
    /// facility first cost 34 ms for the 7,370 overdue đề án of a province (benches/project.rs).
    pub(super) fn list_where(
        &self,
        w: &str,
        mut args: Vec<Value>,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<Proposal>> {
        const ORDER: &str = "ORDER BY p.plan_year DESC, p.category, p.facility_sort, p.id";
        let sql = format!(
            "SELECT {COLS} {FROM} WHERE p.id IN
                (SELECT p.id FROM proposals p WHERE {w} {ORDER} LIMIT ? OFFSET ?)
             {ORDER}"
        );
        args.push(Value::Integer(limit.min(i64::MAX as usize) as i64));
        args.push(Value::Integer(offset.min(i64::MAX as usize) as i64));
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let rows = stmt.query_map(params_from_iter(args), rows::proposal_view)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    pub fn count_proposals(&self, filter: &ProposalFilter) -> Result<usize> {
        let (w, args) = filter.where_clause(&self.scope_communes());
        self.count_where(&w, args)
    }

    pub(super) fn count_where(&self, w: &str, args: Vec<Value>) -> Result<usize> {
        let n: i64 = self.conn().query_row(
            &format!("SELECT count(*) FROM proposals p WHERE {w}"),
            params_from_iter(args),
            |r| r.get(0),
        )?;
        Ok(n as usize)
    }

    /// Totals of total cost, support, counterpart and other sources for the whole filter, per
    /// support category and per funding source (one grouped query, whatever the page).
    pub fn proposal_totals(&self, filter: &ProposalFilter) -> Result<ProposalTotals> {
        let (w, args) = filter.where_clause(&self.scope_communes());
        let sql = format!(
            "SELECT p.category, p.funding, count(*), sum(p.total_cost), sum(p.support),
                sum(p.counterpart), sum(p.other_sources)
             FROM proposals p WHERE {w} GROUP BY p.category, p.funding"
        );
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let mut rows = stmt.query(params_from_iter(args))?;
        let mut totals = ProposalTotals::default();
        while let Some(r) = rows.next()? {
            let category: String = r.get(0)?;
            let funding = code_at(r, 1, "funding source", funding_from_code)?;
            let n: i64 = r.get(2)?;
            let money = ProposalMoney {
                total_cost: r.get(3)?,
                support: r.get(4)?,
                counterpart: r.get(5)?,
                other_sources: r.get(6)?,
            };
            // Add the group's sums as one entry, then fix the count.
            totals.add(&category, funding, &money);
            let extra = n.max(1) as usize - 1;
            for t in [
                totals
                    .by_category
                    .iter_mut()
                    .find(|(c, _)| *c == category)
                    .map(|(_, t)| t),
                totals
                    .by_funding
                    .iter_mut()
                    .find(|(f, _)| *f == funding)
                    .map(|(_, t)| t),
                Some(&mut totals.total),
            ]
            .into_iter()
            .flatten()
            {
                t.count += extra;
            }
        }
        totals.sort();
        Ok(totals)
    }

    /// Which of `facility_ids` have an open proposal (not withdrawn, refused or completed): the
    /// facility list's marker for the rows it shows.
    pub fn facilities_with_open_proposals(
        &self,
        facility_ids: &[String],
    ) -> Result<HashSet<String>> {
        let mut out = HashSet::new();
        let finals = ProposalStatus::ALL
            .iter()
            .filter(|s| s.is_final())
            .map(|s| format!("'{}'", s.code()))
            .collect::<Vec<_>>()
            .join(",");
        // One query per window of the list (chunked to stay under SQLite's variable limit),
        // each answered from the index on (facility_id, status).
        for chunk in facility_ids.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(",");
            let mut stmt = self.conn().prepare(&format!(
                "SELECT DISTINCT facility_id FROM proposals
                 WHERE facility_id IN ({marks}) AND status NOT IN ({finals})"
            ))?;
            let ids = stmt.query_map(params_from_iter(chunk), |r| r.get::<_, String>(0))?;
            for id in ids {
                out.insert(id?);
            }
        }
        Ok(out)
    }
}

/// A proposal's beneficiary rows, written with it (none for one facility or none).
fn write_group(tx: &Transaction<'_>, id: &str, data: &ProposalData) -> Result<()> {
    let list: Vec<_> = data
        .beneficiaries
        .iter()
        .map(rows::beneficiary_record)
        .collect();
    rows::write_beneficiaries(tx, id, &list)
}
