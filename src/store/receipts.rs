//! Receipts (migration 008): what the province kept of each bundle it imported, and the
//! sender taking over the province's decisions on its proposals.

use std::collections::HashSet;

use rusqlite::{params, OptionalExtension, Transaction};

use super::rows::{insert_transition, load_proposal};
use super::{change_log, Actor, Result, Store, StoreError};
use crate::domain::proposal::{check_transition, Flow, Mover, ProposalStatus};
use crate::record::{content_rev, ProposalRecord};

/// The statuses only the province sets: what a receipt carries back.
const DECIDED: [&str; 6] = [
    "TRA_LAI",
    "PHE_DUYET",
    "KHONG_DUYET",
    "DANG_THUC_HIEN",
    "HOAN_THANH",
    "DUNG",
];

/// Keeps a receipt's body (`direction`: "sent" at the province, "received" at the sender),
/// inside the caller's transaction. A receipt read again replaces the one kept.
pub fn record_receipt_in(
    tx: &Transaction<'_>,
    direction: &str,
    sender_id: &str,
    seq: u64,
    at: &str,
    body: &str,
) -> Result<()> {
    tx.execute(
        "INSERT INTO receipts (direction, sender_id, bundle_seq, at, body) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (direction, sender_id, bundle_seq) DO UPDATE SET at = excluded.at,
            body = excluded.body",
        params![direction, sender_id, seq as i64, at, body],
    )?;
    Ok(())
}

/// A kept receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptReceipt {
    pub sender_id: String,
    pub bundle_seq: u64,
    pub at: String,
    pub body: String,
}

fn status(s: &str) -> Option<ProposalStatus> {
    ProposalStatus::ALL.into_iter().find(|x| x.code() == s)
}

impl Store {
    /// The body of the receipt for (sender, seq), or for the sender's last bundle.
    pub fn receipt_body(
        &self,
        direction: &str,
        sender_id: &str,
        seq: Option<u64>,
    ) -> Result<Option<String>> {
        let seq = seq.map_or(-1, |s| s as i64);
        Ok(self
            .conn()
            .query_row(
                "SELECT body FROM receipts WHERE direction = ?1 AND sender_id = ?2
                    AND (?3 < 0 OR bundle_seq = ?3)
                 ORDER BY bundle_seq DESC LIMIT 1",
                params![direction, sender_id, seq],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Receipts kept in one direction, newest bundle first.
    pub fn receipts(&self, direction: &str) -> Result<Vec<KeptReceipt>> {
        let mut stmt = self.conn().prepare(
            "SELECT sender_id, bundle_seq, at, body FROM receipts WHERE direction = ?1
             ORDER BY bundle_seq DESC, sender_id",
        )?;
        let rows = stmt.query_map([direction], |r| {
            Ok(KeptReceipt {
                sender_id: r.get(0)?,
                bundle_seq: r.get::<_, i64>(1)?.max(0) as u64,
                at: r.get(2)?,
                body: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The SHA-256 of the file a received bundle came in.
    pub fn bundle_received_sha(&self, sender_id: &str, seq: u64) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT sha256 FROM bundles_received WHERE sender_id = ?1 AND seq = ?2",
                params![sender_id, seq as i64],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The proposals last sent by `sender_id` that the province has decided on, as the
    /// province holds them.
    pub fn decided_proposals_of(&self, sender_id: &str) -> Result<Vec<ProposalRecord>> {
        let mut stmt = self.conn().prepare(
            "SELECT p.id FROM proposals p JOIN record_revs r ON r.entity = 'proposal' AND r.id = p.id
             WHERE r.sender_id = ?1 AND p.status IN (?2, ?3, ?4, ?5, ?6, ?7) ORDER BY p.id",
        )?;
        let ids: Vec<String> = stmt
            .query_map(
                params![
                    sender_id, DECIDED[0], DECIDED[1], DECIDED[2], DECIDED[3], DECIDED[4],
                    DECIDED[5]
                ],
                |r| r.get(0),
            )?
            .collect::<rusqlite::Result<_>>()?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some((r, _)) = load_proposal(self.conn(), &id)? {
                out.push(r);
            }
        }
        Ok(out)
    }

    /// The sender takes over the province's decisions: each proposal gets the province's
    /// status, decision and approval, implementation data and status history (the same
    /// transitions, so both databases hold the same record and the next bundle finds it
    /// unchanged; the record as taken over is what the sender has now sent, the base of its
    /// next change). Every step must be one the province may make from the local status
    /// (`check_transition` with the decision mover, under the receipt's `flow`, which is
    /// stored here first); a proposal unknown here, up to date, or already further along here
    /// (an older receipt read again) is skipped. One transaction, with `also` inside it.
    /// Returns how many proposals changed.
    pub fn take_decisions(
        &mut self,
        province: &Actor,
        flow: Option<Flow>,
        decisions: &[ProposalRecord],
        also: impl FnOnce(&Transaction<'_>) -> Result<()>,
    ) -> Result<usize> {
        let me = self.require_profile()?.id.clone();
        let now = self.now_string();
        self.write(|tx| {
            if let Some(f) = flow {
                super::flow::set_flow_in(tx, f, &now, province)?;
            }
            let flow = super::flow::flow_in(tx)?;
            let mut changed = 0;
            for d in decisions {
                let Some((local, version)) = load_proposal(tx, &d.id)? else {
                    continue;
                };
                if content_rev(&local) == content_rev(d) {
                    continue;
                }
                let key = |t: &crate::record::TransitionRecord| {
                    (t.at.clone(), t.mover.clone(), t.to_status.clone())
                };
                let have: HashSet<(String, String, String)> =
                    local.transitions.iter().map(key).collect();
                if d.transitions.iter().all(|t| have.contains(&key(t))) {
                    continue;
                }
                let mut cur = status(&local.status)
                    .ok_or_else(|| StoreError::Corrupt(format!("proposal {}", d.id)))?;
                for t in &d.transitions {
                    if have.contains(&key(t)) {
                        continue;
                    }
                    let to = status(&t.to_status)
                        .ok_or_else(|| StoreError::Corrupt(format!("proposal {}", d.id)))?;
                    let needs = check_transition(flow, Mover::Decision, Some(cur), to).map_err(
                        |refusal| StoreError::Transition {
                            id: d.id.clone(),
                            refusal,
                        },
                    )?;
                    let missing = (needs.decision_no
                        && t.decision_no.as_deref().unwrap_or("").is_empty())
                        || (needs.reason && t.reason.is_empty());
                    if missing {
                        return Err(StoreError::Corrupt(format!(
                            "proposal {}: a decision without its data",
                            d.id
                        )));
                    }
                    insert_transition(tx, &d.id, t)?;
                    cur = to;
                }
                if cur.code() != d.status {
                    return Err(StoreError::Corrupt(format!(
                        "proposal {}: status history",
                        d.id
                    )));
                }
                tx.execute(
                    "UPDATE proposals SET status = ?2, decision_no = ?3, updated_at = ?4,
                        updated_by = ?5, version = ?6, approved_support = ?7, decision_date = ?8,
                        approved_funding = ?9, batch = ?10, start_date = ?11,
                        implementing_unit = ?12, planned_end = ?13, stop_reason = ?14
                     WHERE id = ?1",
                    params![
                        d.id,
                        d.status,
                        d.decision_no,
                        d.updated_at,
                        d.updated_by,
                        version + 1,
                        d.approved_support,
                        d.decision_date,
                        d.approved_funding,
                        d.batch,
                        d.start_date,
                        d.implementing_unit,
                        d.planned_end,
                        d.stop_reason
                    ],
                )?;
                let old = serde_json::to_value(&local).unwrap_or_default();
                let new = serde_json::to_value(d).unwrap_or_default();
                let mut changes = serde_json::Map::new();
                super::flow::diff_fields(&old, &new, &["status"], &mut changes);
                super::flow::diff_fields(&old, &new, &super::flow::DECISION_FIELDS, &mut changes);
                change_log::record(
                    tx,
                    &now,
                    province,
                    "proposal",
                    &d.id,
                    "decision",
                    version + 1,
                    &changes,
                )?;
                // Both ends now hold this record: it is the base of the sender's next change.
                tx.execute(
                    "INSERT INTO bundle_sent_revs (sender_id, entity, record_id, rev)
                     VALUES (?1, 'proposal', ?2, ?3)
                     ON CONFLICT (sender_id, entity, record_id) DO UPDATE SET rev = excluded.rev",
                    params![me, d.id, content_rev(d)],
                )?;
                changed += 1;
            }
            also(tx)?;
            Ok(changed)
        })
    }
}
