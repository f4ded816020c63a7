//! The đề án after approval (migrations 011, 012): adjustments, monitoring visits, the
//! acceptance, payments and results of an approved proposal.
//!
//! Each record's fields are its table's columns (see `record::ProjectItem`), so one generic
//! reader and writer serves the five tables here, in the merge and in receipts. Writes go
//! through `Store::write` with the proposal's commune through the one scope check; the stage
//! and the role are checked inside the transaction, and so is a payment against the approved
//! (adjusted) support of the view `project_money`.

use rusqlite::types::{Value, ValueRef};
use rusqlite::{params_from_iter, Connection, OptionalExtension, Transaction};
use serde::Serialize;
use serde_json::{Map, Value as Json};

use super::merge::write::json_diff;
use super::proposals::complete_by_acceptance_in;
use super::{change_log, new_id, Actor, Result, Store, StoreError};
use crate::domain::consultation::{days_late, parse_date, AgendaBucket};
use crate::domain::project::VisitDue;
use crate::domain::project::{
    self, AcceptanceInput, AcceptanceResult, AdjustmentInput, PaymentInput, ProjectKind,
    ProjectRefusal, ResultInput, VisitInput,
};
use crate::domain::proposal::ProposalStatus;
use crate::record::{
    AcceptanceRecord, AdjustmentRecord, PaymentRecord, ProjectItem, ProjectRecords, ResultRecord,
    VisitRecord,
};

// ------------------------------------------------------------------------------------------
// One reader and writer for the five tables

fn json_of(v: ValueRef<'_>, as_bool: bool) -> rusqlite::Result<Json> {
    Ok(match v {
        ValueRef::Null => Json::Null,
        ValueRef::Integer(i) if as_bool => Json::Bool(i != 0),
        ValueRef::Integer(i) => Json::from(i),
        ValueRef::Real(f) => Json::from(f),
        ValueRef::Text(t) => Json::String(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(_) => {
            return Err(rusqlite::Error::InvalidColumnType(
                0,
                "blob".into(),
                rusqlite::types::Type::Blob,
            ))
        }
    })
}

/// Rows of `T`'s table matching `cond` (with `args`), with their row versions.
fn select<T: ProjectItem>(
    conn: &Connection,
    cond: &str,
    args: Vec<Value>,
) -> Result<Vec<(T, i64)>> {
    let sql = format!("SELECT * FROM {} WHERE {cond} ORDER BY date, id", T::TABLE);
    let mut stmt = conn.prepare_cached(&sql)?;
    let names: Vec<String> = stmt.column_names().iter().map(|s| s.to_string()).collect();
    let mut rows = stmt.query(params_from_iter(args))?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let mut map = Map::new();
        let mut version = 0;
        for (i, name) in names.iter().enumerate() {
            if name == "version" {
                version = r.get(i)?;
            } else {
                map.insert(
                    name.clone(),
                    json_of(r.get_ref(i)?, T::BOOLS.contains(&name.as_str()))?,
                );
            }
        }
        let rec: T = serde_json::from_value(Json::Object(map))
            .map_err(|e| StoreError::Corrupt(format!("{}: {e}", T::TABLE)))?;
        out.push((rec, version));
    }
    Ok(out)
}

/// One record of `T` by id, with its row version.
pub(crate) fn load_item<T: ProjectItem>(conn: &Connection, id: &str) -> Result<Option<(T, i64)>> {
    Ok(
        select::<T>(conn, "id = ?", vec![Value::Text(id.to_string())])?
            .into_iter()
            .next(),
    )
}

/// The records of `T` of one proposal, by date.
pub(crate) fn items_of<T: ProjectItem>(conn: &Connection, proposal_id: &str) -> Result<Vec<T>> {
    Ok(select::<T>(
        conn,
        "proposal_id = ?",
        vec![Value::Text(proposal_id.into())],
    )?
    .into_iter()
    .map(|(r, _)| r)
    .collect())
}

/// Stores `rec` as row `version` (inserted, or replacing the row of the same id).
pub(crate) fn write_item<T: ProjectItem>(
    tx: &Transaction<'_>,
    rec: &T,
    version: i64,
) -> Result<()> {
    let Ok(Json::Object(map)) = serde_json::to_value(rec) else {
        return Err(StoreError::Corrupt(format!("{}: not a record", T::TABLE)));
    };
    let mut cols = Vec::with_capacity(map.len() + 1);
    let mut args = Vec::with_capacity(map.len() + 1);
    for (k, v) in map {
        let value = match v {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Integer(i64::from(b)),
            Json::Number(n) => Value::Integer(n.as_i64().unwrap_or_default()),
            Json::String(s) => Value::Text(s),
            other => Value::Text(other.to_string()),
        };
        cols.push(k);
        args.push(value);
    }
    cols.push("version".into());
    args.push(Value::Integer(version));
    let marks = vec!["?"; cols.len()].join(", ");
    let set = cols
        .iter()
        .filter(|c| *c != "id")
        .map(|c| format!("{c} = excluded.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "INSERT INTO {} ({}) VALUES ({marks}) ON CONFLICT (id) DO UPDATE SET {set}",
        T::TABLE,
        cols.join(", ")
    );
    tx.prepare_cached(&sql)?.execute(params_from_iter(args))?;
    Ok(())
}

/// Every record of one proposal, by kind and date.
pub(crate) fn records_of(conn: &Connection, proposal_id: &str) -> Result<ProjectRecords> {
    Ok(ProjectRecords {
        adjustments: items_of(conn, proposal_id)?,
        visits: items_of(conn, proposal_id)?,
        acceptances: items_of(conn, proposal_id)?,
        payments: items_of(conn, proposal_id)?,
        results: items_of(conn, proposal_id)?,
    })
}

// ------------------------------------------------------------------------------------------
// Receipts: the province's records of a sender's đề án go back to the sender

/// The records of one kind on the proposals `sender_id` sent, except those that came from
/// that sender (it has them).
fn for_receipt<T: ProjectItem>(conn: &Connection, sender_id: &str) -> Result<Vec<T>> {
    let cond = format!(
        "proposal_id IN (SELECT id FROM record_revs WHERE entity = 'proposal' AND sender_id = ?1)
         AND NOT EXISTS (SELECT 1 FROM record_revs x WHERE x.entity = ?2
            AND x.id = {}.id AND x.sender_id = ?1)",
        T::TABLE
    );
    let args = vec![Value::Text(sender_id.into()), Value::Text(T::ENTITY.into())];
    Ok(select::<T>(conn, &cond, args)?
        .into_iter()
        .map(|(r, _)| r)
        .collect())
}

/// The sender takes over the province's records of one kind: absent → added; different →
/// the province's version (its records are the province's to make); the same → nothing.
/// Records of a proposal unknown here are skipped. Returns how many changed.
fn take_kind<T: ProjectItem>(
    tx: &Transaction<'_>,
    records: &[T],
    province: &Actor,
    at: &str,
) -> Result<usize> {
    let mut changed = 0;
    for r in records {
        let known: Option<i64> = tx
            .prepare_cached("SELECT 1 FROM proposals WHERE id = ?1")?
            .query_row([r.proposal_id()], |row| row.get(0))
            .optional()?;
        if known.is_none() {
            continue;
        }
        let new = serde_json::to_value(r).unwrap_or(Json::Null);
        let (version, changes) = match load_item::<T>(tx, r.id())? {
            Some((local, _)) if local == *r => continue,
            Some((local, v)) => {
                let old = serde_json::to_value(&local).unwrap_or(Json::Null);
                (v + 1, json_diff(Some(&old), &new))
            }
            None => (1, json_diff(None, &new)),
        };
        write_item(tx, r, version)?;
        change_log::record(
            tx,
            at,
            province,
            T::ENTITY,
            r.id(),
            "receipt",
            version,
            &changes,
        )?;
        changed += 1;
    }
    Ok(changed)
}

/// The sender's side of a receipt's đề án records, inside the receipt's transaction (after
/// the decisions, so a completed đề án is completed first). Returns how many changed.
pub fn take_project_records_in(
    tx: &Transaction<'_>,
    records: &ProjectRecords,
    province: &Actor,
    at: &str,
) -> Result<usize> {
    Ok(take_kind(tx, &records.adjustments, province, at)?
        + take_kind(tx, &records.visits, province, at)?
        + take_kind(tx, &records.acceptances, province, at)?
        + take_kind(tx, &records.payments, province, at)?
        + take_kind(tx, &records.results, province, at)?)
}

// ------------------------------------------------------------------------------------------
// Money

/// A đề án's money as the view `project_money` defines it: the approved support (the
/// latest adjustment's when there is one), the planned end likewise, and the sum paid.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProjectMoney {
    /// None until approved.
    pub approved: Option<i64>,
    pub paid: i64,
    /// What is left to pay (None without an approved support).
    pub remaining: Option<i64>,
    /// yyyy-mm-dd
    pub planned_end: Option<String>,
}

impl ProjectMoney {
    pub fn new(approved: Option<i64>, paid: i64, planned_end: Option<String>) -> ProjectMoney {
        ProjectMoney {
            approved,
            paid,
            remaining: approved.map(|a| a.saturating_sub(paid)),
            planned_end,
        }
    }
}

fn money_in(conn: &Connection, proposal_id: &str) -> Result<Option<ProjectMoney>> {
    Ok(conn
        .prepare_cached(
            "SELECT approved, planned_end, paid FROM project_money WHERE proposal_id = ?1",
        )?
        .query_row([proposal_id], |r| {
            Ok(ProjectMoney::new(r.get(0)?, r.get(2)?, r.get(1)?))
        })
        .optional()?)
}

// ------------------------------------------------------------------------------------------
// Writing

/// The part of `approved` that may be paid to `facility`, which must be a beneficiary of the
/// đề án (refused otherwise). For a group: its support share × approved / asked, rounded
/// down (so the shares never add up to more than the approved support); None for the one
/// facility of a đề án without beneficiary rows (the total check is its limit).
fn approved_share(
    tx: &Transaction<'_>,
    proposal_id: &str,
    facility: &str,
    approved: i64,
) -> Result<Option<i64>> {
    let (lead, asked): (Option<String>, i64) = tx
        .prepare_cached("SELECT facility_id, support FROM proposals WHERE id = ?1")?
        .query_row([proposal_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let share: Option<i64> = tx
        .prepare_cached(
            "SELECT support FROM proposal_beneficiaries WHERE proposal_id = ?1 AND facility_id = ?2",
        )?
        .query_row([proposal_id, facility], |r| r.get(0))
        .optional()?;
    let group: bool = tx
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM proposal_beneficiaries WHERE proposal_id = ?1)",
        )?
        .query_row([proposal_id], |r| r.get(0))?;
    match share {
        Some(s) if asked > 0 => Ok(Some(
            i64::try_from(i128::from(s) * i128::from(approved) / i128::from(asked))
                .unwrap_or(i64::MAX),
        )),
        Some(_) => Ok(Some(0)),
        None if !group && lead.as_deref() == Some(facility) => Ok(None),
        None => Err(StoreError::Project {
            id: proposal_id.to_string(),
            refusal: ProjectRefusal::NotABeneficiary {
                facility: facility.to_string(),
            },
        }),
    }
}

/// A proposal's status, read inside a transaction.
fn status_in(tx: &Transaction<'_>, proposal_id: &str) -> Result<ProposalStatus> {
    let code: String = tx.query_row(
        "SELECT status FROM proposals WHERE id = ?1",
        [proposal_id],
        |r| r.get(0),
    )?;
    ProposalStatus::ALL
        .into_iter()
        .find(|s| s.code() == code)
        .ok_or_else(|| StoreError::Corrupt(format!("proposal {proposal_id}")))
}

/// A new record of `T` from its validated content: the content's fields (dates ISO, codes as
/// stored — the same names as the record's) with its id, proposal and stamps.
fn new_record<T: ProjectItem, D: Serialize>(
    data: &D,
    proposal_id: &str,
    now: &str,
    by: &str,
) -> Result<T> {
    let Ok(Json::Object(mut m)) = serde_json::to_value(data) else {
        return Err(StoreError::Corrupt(format!("{}: not a record", T::TABLE)));
    };
    m.insert("id".into(), Json::from(new_id()));
    m.insert("proposal_id".into(), Json::from(proposal_id));
    for k in ["created_at", "updated_at"] {
        m.insert(k.into(), Json::from(now));
    }
    for k in ["created_by", "updated_by"] {
        m.insert(k.into(), Json::from(by));
    }
    for k in T::BOOLS {
        m.insert((*k).into(), Json::Bool(false));
    }
    serde_json::from_value(Json::Object(m))
        .map_err(|e| StoreError::Corrupt(format!("{}: {e}", T::TABLE)))
}

impl Store {
    /// Checks the person and the proposal for a new record of `kind` made of `data`, then
    /// writes it in one transaction (`within` runs after the stage check, before the insert).
    #[allow(clippy::too_many_arguments)]
    fn add_item<T: ProjectItem, D: Serialize>(
        &mut self,
        proposal_id: &str,
        kind: ProjectKind,
        data: &D,
        before: impl FnOnce(&Transaction<'_>, &T, &Actor) -> Result<()>,
        after: impl FnOnce(&Transaction<'_>, &T, &Actor) -> Result<()>,
    ) -> Result<T> {
        let p = self.require_profile()?;
        let role = p.role;
        let actor = self.actor()?;
        let proposal = self
            .proposal(proposal_id)?
            .ok_or_else(|| StoreError::NotFound(proposal_id.to_string()))?;
        self.check_scope(&proposal.commune_code)?;
        let refuse = |refusal| StoreError::Project {
            id: proposal_id.to_string(),
            refusal,
        };
        if !kind.allowed_for(role) {
            return Err(refuse(ProjectRefusal::ProvinceOnly { kind }));
        }
        let now = self.now_string();
        let rec: T = new_record(data, proposal_id, &now, &actor.id)?;
        let changes = json_diff(None, &serde_json::to_value(data).unwrap_or(Json::Null));
        self.write(|tx| {
            // The stage as it is now, inside the transaction.
            let status = status_in(tx, proposal_id)?;
            if !kind.allowed_in(status) {
                return Err(refuse(ProjectRefusal::Stage { kind, status }));
            }
            // `before` checks what the record may not break (the money), `after` does what
            // the written record entails (an acceptance completes the đề án).
            before(tx, &rec, &actor)?;
            write_item(tx, &rec, 1)?;
            after(tx, &rec, &actor)?;
            change_log::record(tx, &now, &actor, T::ENTITY, rec.id(), "create", 1, &changes)?;
            Ok(rec)
        })
    }

    /// Records an adjustment (điều chỉnh) of an approved đề án: the province only.
    pub fn add_adjustment(
        &mut self,
        proposal_id: &str,
        input: &AdjustmentInput,
    ) -> Result<AdjustmentRecord> {
        let (d, _) =
            project::validate_adjustment(input, self.today()).map_err(StoreError::Invalid)?;
        self.add_item(proposal_id, ProjectKind::Adjustment, &d, nothing, nothing)
    }

    /// Records a monitoring visit (kiểm tra, giám sát): anyone whose scope covers the
    /// facility. Its follow-up date lands on the agenda.
    pub fn add_visit(&mut self, proposal_id: &str, input: &VisitInput) -> Result<VisitRecord> {
        let (d, _) = project::validate_visit(input, self.today()).map_err(StoreError::Invalid)?;
        self.add_item(proposal_id, ProjectKind::Visit, &d, nothing, nothing)
    }

    /// Records the acceptance (nghiệm thu): the province only, on a đề án under way (or
    /// completed). A passed acceptance (đạt, đạt có điều kiện) of a đề án under way completes
    /// it (DANG_THUC_HIEN → HOAN_THANH) in the same transaction.
    pub fn add_acceptance(
        &mut self,
        proposal_id: &str,
        input: &AcceptanceInput,
    ) -> Result<AcceptanceRecord> {
        let (d, _) =
            project::validate_acceptance(input, self.today()).map_err(StoreError::Invalid)?;
        let passed = d.result != AcceptanceResult::KhongDat;
        let today = self.today();
        self.add_item(
            proposal_id,
            ProjectKind::Acceptance,
            &d,
            nothing,
            |tx, rec: &AcceptanceRecord, actor| {
                if passed && status_in(tx, proposal_id)? == ProposalStatus::DangThucHien {
                    complete_by_acceptance_in(tx, proposal_id, &rec.created_at, actor, today)?;
                }
                Ok(())
            },
        )
    }

    /// Records a payment (tạm ứng, thanh toán, quyết toán): the province only. Refused when
    /// the sum paid would exceed the approved (adjusted) support, naming the figures.
    pub fn add_payment(
        &mut self,
        proposal_id: &str,
        input: &PaymentInput,
    ) -> Result<PaymentRecord> {
        let (d, _) = project::validate_payment(input, self.today()).map_err(StoreError::Invalid)?;
        self.add_item(
            proposal_id,
            ProjectKind::Payment,
            &d,
            |tx, rec: &PaymentRecord, _| {
                let refuse = |refusal| StoreError::Project {
                    id: proposal_id.to_string(),
                    refusal,
                };
                let m = money_in(tx, proposal_id)?
                    .ok_or_else(|| StoreError::NotFound(proposal_id.to_string()))?;
                let Some(approved) = m.approved else {
                    return Err(refuse(ProjectRefusal::NoApprovedSupport));
                };
                if m.paid
                    .checked_add(rec.amount)
                    .is_none_or(|sum| sum > approved)
                {
                    return Err(refuse(ProjectRefusal::OverPaid {
                        paid: m.paid,
                        amount: rec.amount,
                        approved,
                    }));
                }
                let Some(facility) = rec.facility_id.as_deref() else {
                    return Ok(());
                };
                let Some(share) = approved_share(tx, proposal_id, facility, approved)? else {
                    return Ok(());
                };
                let paid: i64 = tx
                    .prepare_cached(
                        "SELECT coalesce(sum(amount), 0) FROM project_payments
                         WHERE proposal_id = ?1 AND facility_id = ?2",
                    )?
                    .query_row([proposal_id, facility], |r| r.get(0))?;
                if paid.checked_add(rec.amount).is_none_or(|sum| sum > share) {
                    return Err(refuse(ProjectRefusal::OverShare {
                        facility: facility.to_string(),
                        paid,
                        amount: rec.amount,
                        share,
                    }));
                }
                Ok(())
            },
            nothing,
        )
    }

    /// Records results: at acceptance (the province), or at a later evaluation (the
    /// province, or a collaborator whose scope covers the facility).
    pub fn add_result(&mut self, proposal_id: &str, input: &ResultInput) -> Result<ResultRecord> {
        let (d, _) = project::validate_result(input, self.today()).map_err(StoreError::Invalid)?;
        self.add_item(
            proposal_id,
            d.kind(),
            &d,
            |tx, rec: &ResultRecord, _| match rec.facility_id.as_deref() {
                Some(f) => approved_share(tx, proposal_id, f, 0).map(|_| ()),
                None => Ok(()),
            },
            nothing,
        )
    }

    /// Marks a visit's follow-up done (it leaves the agenda): anyone whose scope covers the
    /// facility, on the version they saw.
    pub fn close_visit_follow_up(
        &mut self,
        visit_id: &str,
        expected_version: i64,
    ) -> Result<VisitRecord> {
        let (visit, _) = load_item::<VisitRecord>(self.conn(), visit_id)?
            .ok_or_else(|| StoreError::NotFound(visit_id.to_string()))?;
        let proposal = self
            .proposal(&visit.proposal_id)?
            .ok_or_else(|| StoreError::NotFound(visit.proposal_id.clone()))?;
        self.check_scope(&proposal.commune_code)?;
        let actor = self.actor()?;
        let now = self.now_string();
        self.write(|tx| {
            let (mut v, version) = load_item::<VisitRecord>(tx, visit_id)?
                .ok_or_else(|| StoreError::NotFound(visit_id.to_string()))?;
            if version != expected_version {
                return Err(StoreError::Conflict {
                    id: visit_id.to_string(),
                    expected: expected_version,
                    found: version,
                });
            }
            if v.follow_up_date.is_none() || v.follow_up_done {
                return Err(StoreError::FollowUpDone(visit_id.to_string()));
            }
            v.follow_up_done = true;
            v.updated_at = now.clone();
            v.updated_by = actor.id.clone();
            write_item(tx, &v, version + 1)?;
            let mut changes = Map::new();
            changes.insert("follow_up_done".into(), serde_json::json!([false, true]));
            change_log::record(
                tx,
                &now,
                &actor,
                VisitRecord::ENTITY,
                visit_id,
                "update",
                version + 1,
                &changes,
            )?;
            Ok(v)
        })
    }

    // --------------------------------------------------------------------------------------
    // Reading

    /// Every record of a proposal's đề án (adjustments, visits, acceptances, payments,
    /// results), each by date. Outside the reader's scope on a shared database: none.
    pub fn project_records(&self, proposal_id: &str) -> Result<ProjectRecords> {
        match self.proposal(proposal_id)? {
            Some(p) if self.may_read(&p.commune_code) => records_of(self.conn(), proposal_id),
            _ => Ok(ProjectRecords::default()),
        }
    }

    /// The approved (adjusted) support, planned end and sum paid of a proposal (the view
    /// `project_money`).
    pub fn project_money(&self, proposal_id: &str) -> Result<Option<ProjectMoney>> {
        match self.proposal(proposal_id)? {
            Some(p) if self.may_read(&p.commune_code) => money_in(self.conn(), proposal_id),
            _ => Ok(None),
        }
    }

    /// What a receipt to `sender_id` carries of the đề án: the records of the proposals it
    /// sent, except those it sent itself.
    pub fn project_records_for_receipt(&self, sender_id: &str) -> Result<ProjectRecords> {
        let conn = self.conn();
        Ok(ProjectRecords {
            adjustments: for_receipt(conn, sender_id)?,
            visits: for_receipt(conn, sender_id)?,
            acceptances: for_receipt(conn, sender_id)?,
            payments: for_receipt(conn, sender_id)?,
            results: for_receipt(conn, sender_id)?,
        })
    }

    /// The đề án records of one kind for a bundle: those of proposals in `sel.scope`, and
    /// for an incremental bundle only the ids in `sel.only`.
    pub fn project_item_records<T: ProjectItem>(
        &self,
        sel: &super::bundles::Selection<'_>,
    ) -> Result<Vec<T>> {
        let mut cond = String::from("proposal_id IN (SELECT id FROM proposals WHERE ");
        let mut args = Vec::new();
        let scope: Vec<String> = sel.scope.iter().cloned().collect();
        super::consultations::push_scope(&mut cond, &mut args, "commune_code", &scope);
        cond.push(')');
        let mut out: Vec<T> = select::<T>(self.conn(), &cond, args)?
            .into_iter()
            .map(|(r, _)| r)
            .filter(|r| sel.only.is_none_or(|o| o.contains(r.id())))
            .collect();
        out.sort_unstable_by(|a, b| a.id().cmp(b.id()));
        Ok(out)
    }

    /// A visit by id or the short form of its id, with its row version (in the reader's
    /// scope).
    pub fn visit_by_ref(&self, reference: &str) -> Result<Option<(VisitRecord, i64)>> {
        let Some(id) = super::resolve_ref(self.conn(), VisitRecord::TABLE, reference)? else {
            return Ok(None);
        };
        let Some((v, version)) = load_item::<VisitRecord>(self.conn(), &id)? else {
            return Ok(None);
        };
        let readable = self
            .proposal(&v.proposal_id)?
            .is_some_and(|p| self.may_read(&p.commune_code));
        Ok(readable.then_some((v, version)))
    }

    /// The open visit follow-ups of the collaborator's scope, by due date, at most
    /// `per_bucket` in each agenda bucket (the agenda joins them in).
    pub fn visit_follow_ups(&self, per_bucket: usize) -> Result<Vec<VisitDue>> {
        let today = self.today();
        let mut cond = String::from("v.follow_up_date IS NOT NULL AND v.follow_up_done = 0 AND ");
        let mut args = Vec::new();
        super::consultations::push_scope(
            &mut cond,
            &mut args,
            "p.commune_code",
            &self.scope_communes(),
        );
        let sql = format!(
            "SELECT v.id, v.follow_up_date, p.title, coalesce(f.name, '') FROM project_visits v
                JOIN proposals p ON p.id = v.proposal_id
                LEFT JOIN facilities f ON f.id = p.facility_id
             WHERE {cond} ORDER BY v.follow_up_date, v.id"
        );
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let rows: Vec<(String, String, String, String)> = stmt
            .query_map(params_from_iter(args), |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut out: Vec<VisitDue> = Vec::new();
        let mut shown = [0usize; 4];
        for (id, due, proposal_title, facility_name) in rows {
            let Some(due) = parse_date(&due) else {
                continue;
            };
            let bucket = AgendaBucket::of(due, today);
            // Only the records shown are read in full.
            let n = &mut shown[AgendaBucket::ALL
                .iter()
                .position(|b| *b == bucket)
                .unwrap_or(0)];
            if *n >= per_bucket {
                continue;
            }
            let Some((visit, _)) = load_item::<VisitRecord>(self.conn(), &id)? else {
                continue;
            };
            *n += 1;
            out.push(VisitDue {
                bucket,
                days_late: days_late(due, today),
                visit,
                proposal_title,
                facility_name,
            });
        }
        Ok(out)
    }
}

/// No step before or after writing a record.
fn nothing<T>(_: &Transaction<'_>, _: &T, _: &Actor) -> Result<()> {
    Ok(())
}
