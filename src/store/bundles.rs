//! Bundle bookkeeping (migration 007): the profile's public key, the sender's outgoing state
//! (sequence, change-log position, sent revisions) and, at the province, the registry of
//! senders' keys and of bundles received.

use std::collections::HashMap;

use rusqlite::{params, OptionalExtension, Transaction};

use super::rows::{
    self, AMENDMENT_SQL, COLLABORATOR_SQL, CONSULTATION_SQL, FACILITY_SQL, FOLLOW_UP_SQL,
    PROPOSAL_SQL, TRANSITION_SQL,
};
use super::{Result, Store};
use crate::record::{
    CollaboratorRecord, ConsultationRecord, FacilityRecord, ProposalRecord, SenderInfo,
};

/// Whether a sender's key is the one on file at this database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyStatus {
    /// The same key as on file for this sender.
    Known,
    /// No key on file for this sender yet.
    New,
    /// A different key is on file: an alarm. `on_file` is its fingerprint.
    Changed { on_file: String },
}

/// What this installation has sent as one sender.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutgoingState {
    pub last_seq: u64,
    pub last_change_seq: i64,
    pub last_at: Option<String>,
    pub last_file: String,
}

/// A sender the province knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownSender {
    pub id: String,
    pub name: String,
    pub role: String,
    pub units: Vec<String>,
    pub public_key: String,
    pub fingerprint: String,
    pub trusted_at: String,
    /// The highest sequence number received, if any.
    pub last_seq: Option<u64>,
}

impl Store {
    /// The public key (hex) recorded for a profile, if it has one.
    pub fn profile_public_key(&self, id: &str) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT public_key FROM collaborators WHERE id = ?1",
                [id],
                |r| r.get::<_, Option<String>>(0),
            )
            .optional()?
            .flatten())
    }

    /// The fingerprint recorded for a profile, if it has a key.
    pub fn profile_fingerprint(&self, id: &str) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT key_fingerprint FROM collaborators WHERE id = ?1",
                [id],
                |r| r.get::<_, Option<String>>(0),
            )
            .optional()?
            .flatten())
    }

    /// Records the public half of a profile's key (the key folder holds the secret).
    pub fn set_profile_key(&mut self, id: &str, public_key: &str, fingerprint: &str) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE collaborators SET public_key = ?2, key_fingerprint = ?3 WHERE id = ?1",
                params![id, public_key, fingerprint],
            )?;
            Ok(())
        })
    }

    /// The outgoing state of a sender (all zero before the first bundle).
    pub fn outgoing_state(&self, sender_id: &str) -> Result<OutgoingState> {
        Ok(self
            .conn()
            .query_row(
                "SELECT last_seq, last_change_seq, last_at, last_file
                 FROM bundle_outgoing WHERE sender_id = ?1",
                [sender_id],
                |r| {
                    Ok(OutgoingState {
                        last_seq: r.get::<_, i64>(0)?.max(0) as u64,
                        last_change_seq: r.get(1)?,
                        last_at: r.get(2)?,
                        last_file: r.get(3)?,
                    })
                },
            )
            .optional()?
            .unwrap_or_default())
    }

    /// The revisions this sender last sent of `entity`, by record id.
    pub fn sent_revs(&self, sender_id: &str, entity: &str) -> Result<HashMap<String, String>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT record_id, rev FROM bundle_sent_revs WHERE sender_id = ?1 AND entity = ?2",
        )?;
        let rows = stmt.query_map([sender_id, entity], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Whether the sender's key is the one on file here (see [`KeyStatus`]).
    pub fn sender_key_status(&self, sender: &SenderInfo) -> Result<KeyStatus> {
        let on_file: Option<(String, String)> = self
            .conn()
            .query_row(
                "SELECT public_key, fingerprint FROM bundle_senders WHERE collaborator_id = ?1",
                [&sender.id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        Ok(match on_file {
            None => KeyStatus::New,
            Some((pk, _)) if pk == sender.public_key => KeyStatus::Known,
            Some((_, fp)) => KeyStatus::Changed { on_file: fp },
        })
    }

    /// The sequence numbers before `seq` not yet received from this sender (a gap), oldest
    /// first. A bundle already received is not missing.
    pub fn missing_seqs(&self, sender_id: &str, seq: u64) -> Result<Vec<u64>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT seq FROM bundles_received WHERE sender_id = ?1 AND seq < ?2 ORDER BY seq",
        )?;
        let got: Vec<i64> = stmt
            .query_map(params![sender_id, seq as i64], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let got: std::collections::HashSet<u64> = got.into_iter().map(|s| s as u64).collect();
        Ok((1..seq).filter(|s| !got.contains(s)).collect())
    }

    /// When this bundle (sender, seq) was received, if it was.
    pub fn bundle_received_at(&self, sender_id: &str, seq: u64) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT received_at FROM bundles_received WHERE sender_id = ?1 AND seq = ?2",
                params![sender_id, seq as i64],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Trusts `sender`'s key (a new sender, or a changed key accepted explicitly).
    pub fn trust_sender(&mut self, sender: &SenderInfo) -> Result<()> {
        let now = self.now_string();
        self.write(|tx| trust_sender_in(tx, sender, &now))
    }

    /// The senders this database knows, by name.
    pub fn known_senders(&self) -> Result<Vec<KnownSender>> {
        let mut stmt = self.conn().prepare(
            "SELECT s.collaborator_id, s.name, s.role, s.scope, s.public_key, s.fingerprint,
                    s.trusted_at, (SELECT max(seq) FROM bundles_received r
                                   WHERE r.sender_id = s.collaborator_id)
             FROM bundle_senders s ORDER BY s.name, s.collaborator_id",
        )?;
        let rows = stmt.query_map([], |r| {
            let scope: String = r.get(3)?;
            Ok(KnownSender {
                id: r.get(0)?,
                name: r.get(1)?,
                role: r.get(2)?,
                units: serde_json::from_str(&scope).unwrap_or_default(),
                public_key: r.get(4)?,
                fingerprint: r.get(5)?,
                trusted_at: r.get(6)?,
                last_seq: r.get::<_, Option<i64>>(7)?.map(|s| s.max(0) as u64),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The facility ids of this database (for the bundle's reference check).
    pub fn facility_ids(&self) -> Result<std::collections::HashSet<String>> {
        let mut stmt = self.conn().prepare("SELECT id FROM facilities")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// Inserts or replaces a sender's trusted key, inside the caller's transaction (the import
/// trusts a new sender in the same transaction as it merges).
pub fn trust_sender_in(tx: &Transaction<'_>, sender: &SenderInfo, now: &str) -> Result<()> {
    let scope = serde_json::to_string(&sender.units).unwrap_or_else(|_| "[]".into());
    tx.execute(
        "INSERT INTO bundle_senders
             (collaborator_id, name, role, scope, public_key, fingerprint, trusted_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (collaborator_id) DO UPDATE SET
             name = excluded.name, role = excluded.role, scope = excluded.scope,
             public_key = excluded.public_key, fingerprint = excluded.fingerprint,
             trusted_at = excluded.trusted_at",
        params![
            sender.id,
            sender.name,
            sender.role,
            scope,
            sender.public_key,
            sender.fingerprint,
            now
        ],
    )?;
    Ok(())
}

/// Records a received bundle, inside the caller's (import) transaction.
pub fn record_received_in(
    tx: &Transaction<'_>,
    sender_id: &str,
    seq: u64,
    sha256: &str,
    received_at: &str,
    counts: &std::collections::BTreeMap<String, u64>,
) -> Result<()> {
    let counts = serde_json::to_string(counts).unwrap_or_else(|_| "{}".into());
    tx.execute(
        "INSERT INTO bundles_received (sender_id, seq, sha256, received_at, counts)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (sender_id, seq) DO NOTHING",
        params![sender_id, seq as i64, sha256, received_at, counts],
    )?;
    Ok(())
}

/// Which records a bundle loads: those of facilities in `scope` (commune codes), and, for an
/// incremental bundle, only the ids in `only`.
pub struct Selection<'a> {
    pub scope: &'a std::collections::HashSet<String>,
    pub only: Option<&'a std::collections::HashSet<String>>,
}

impl Selection<'_> {
    fn wants(&self, id: &str, commune: &str) -> bool {
        self.scope.contains(commune) && self.only.is_none_or(|o| o.contains(id))
    }
}

impl Store {
    /// The change-log rows in (from, to]: (entity, record id), distinct.
    pub fn changed_records(&self, from: i64, to: i64) -> Result<Vec<(String, String)>> {
        let mut stmt = self.conn().prepare(
            "SELECT DISTINCT entity, record_id FROM change_log WHERE seq > ?1 AND seq <= ?2",
        )?;
        let rows = stmt.query_map(params![from, to], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Collaborators as bundle records (all, or those in `only`).
    pub fn collaborator_records(
        &self,
        only: Option<&std::collections::HashSet<String>>,
    ) -> Result<Vec<CollaboratorRecord>> {
        let mut stmt = self.conn().prepare(&format!(
            "SELECT {COLLABORATOR_SQL} FROM collaborators ORDER BY id"
        ))?;
        let rows = stmt.query_map([], rows::collaborator)?;
        let mut out = Vec::new();
        for r in rows {
            let r = r?;
            if only.is_none_or(|o| o.contains(&r.id)) {
                out.push(r);
            }
        }
        Ok(out)
    }

    /// Facilities as bundle records, archived ones included, in id (creation) order.
    pub fn facility_records(&self, sel: &Selection<'_>) -> Result<Vec<FacilityRecord>> {
        let mut stmt = self
            .conn()
            .prepare(&format!("SELECT {FACILITY_SQL} FROM facilities"))?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let (id, commune) = rows::facility_key(r)?;
            if sel.wants(id, commune) {
                out.push(rows::facility_record(r)?);
            }
        }
        // Read in table order (a walk of the id index would visit rows at random), then put
        // in id (creation) order so the same database gives the same bundle.
        out.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    /// Consultations as bundle records, with current topics, amendments and follow-up.
    pub fn consultation_records(&self, sel: &Selection<'_>) -> Result<Vec<ConsultationRecord>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!("SELECT {CONSULTATION_SQL} FROM consultations"))?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        let mut amended = std::collections::HashSet::new();
        while let Some(r) = rows.next()? {
            let (id, commune, has_amendments) = rows::consultation_key(r)?;
            if !sel.wants(id, commune) {
                continue;
            }
            if has_amendments {
                amended.insert(id.to_string());
            }
            out.push(rows::consultation_record(r)?);
        }
        drop(rows);
        out.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        let index = index_by_id(&out, |c| &c.id);
        let mut stmt = conn.prepare(
            "SELECT consultation_id, topic FROM consultation_topics
             ORDER BY consultation_id, topic",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let cid: String = r.get(0)?;
            if let Some(&i) = index.get(&cid) {
                out[i].cur_topics.push(r.get(1)?);
            }
        }
        drop(rows);
        if !amended.is_empty() {
            let mut stmt = conn.prepare(&format!(
                "SELECT {AMENDMENT_SQL} FROM consultation_amendments
                 ORDER BY consultation_id, at, id"
            ))?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let (cid, a) = rows::amendment(r)?;
                if let Some(&i) = index.get(&cid) {
                    out[i].amendments.push(a);
                }
            }
        }
        let mut stmt = conn.prepare(&format!("SELECT {FOLLOW_UP_SQL} FROM follow_ups"))?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let (cid, f) = rows::follow_up(r)?;
            if let Some(&i) = index.get(&cid) {
                out[i].follow_up = Some(f);
            }
        }
        Ok(out)
    }

    /// Proposals as bundle records, with their status history.
    pub fn proposal_records(&self, sel: &Selection<'_>) -> Result<Vec<ProposalRecord>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!("SELECT {PROPOSAL_SQL} FROM proposals"))?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let (id, commune) = rows::proposal_key(r)?;
            if sel.wants(id, commune) {
                out.push(rows::proposal_record(r)?);
            }
        }
        drop(rows);
        out.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        let mut groups = rows::all_beneficiaries(conn)?;
        for p in &mut out {
            if let Some(list) = groups.remove(&p.id) {
                p.beneficiaries = list;
            }
        }
        let index = index_by_id(&out, |p| &p.id);
        let mut stmt = conn.prepare(&format!(
            "SELECT {TRANSITION_SQL} FROM proposal_transitions ORDER BY proposal_id, seq"
        ))?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let (pid, t) = rows::transition(r)?;
            if let Some(&i) = index.get(&pid) {
                out[i].transitions.push(t);
            }
        }
        Ok(out)
    }

    /// Records a written bundle, in one transaction: proposals `to_send` move to "sent to
    /// the province" (at `now`, as the bundle already says), the outgoing state advances
    /// and the sent revisions are kept for the next bundle's `base_rev`.
    #[allow(clippy::too_many_arguments)]
    pub fn record_export(
        &mut self,
        sender_id: &str,
        seq: u64,
        changes_to: i64,
        now: &str,
        file: &str,
        to_send: &[String],
        sent: &[(&str, &str, &str)],
    ) -> Result<()> {
        let actor = self.actor()?;
        let today = self.today();
        self.write(|tx| {
            let before: i64 =
                tx.query_row("SELECT coalesce(max(seq), 0) FROM change_log", [], |r| {
                    r.get(0)
                })?;
            super::proposals::mark_sent_in(tx, to_send, now, &actor, today)?;
            // The moves just made are in this bundle already; a change by someone else since
            // the bundle was read is not, and goes in the next one.
            let upto = if before == changes_to {
                tx.query_row("SELECT coalesce(max(seq), 0) FROM change_log", [], |r| {
                    r.get(0)
                })?
            } else {
                changes_to
            };
            tx.execute(
                "INSERT INTO bundle_outgoing (sender_id, last_seq, last_change_seq, last_at, last_file)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (sender_id) DO UPDATE SET last_seq = excluded.last_seq,
                     last_change_seq = excluded.last_change_seq, last_at = excluded.last_at,
                     last_file = excluded.last_file",
                params![sender_id, seq as i64, upto, now, file],
            )?;
            let mut stmt = tx.prepare_cached(
                "INSERT INTO bundle_sent_revs (sender_id, entity, record_id, rev)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (sender_id, entity, record_id) DO UPDATE SET rev = excluded.rev",
            )?;
            for (entity, id, rev) in sent {
                stmt.execute(params![sender_id, entity, id, rev])?;
            }
            Ok(())
        })
    }
}

impl Store {
    /// Facility id → name, for the bundle workbook's consultation and proposal sheets.
    pub fn facility_names(&self) -> Result<HashMap<String, String>> {
        let mut stmt = self.conn().prepare("SELECT id, name FROM facilities")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// Record id → position, for attaching rows of child tables to their record.
fn index_by_id<T>(records: &[T], id: impl Fn(&T) -> &String) -> HashMap<String, usize> {
    records
        .iter()
        .enumerate()
        .map(|(i, r)| (id(r).clone(), i))
        .collect()
}
