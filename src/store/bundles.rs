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
        let mut out = Vec::new();
        self.each_facility_record(sel, |r| {
            out.push(r);
            Ok::<_, super::StoreError>(())
        })?;
        Ok(out)
    }

    /// [`Store::facility_records`] one at a time, so that no caller need hold them all.
    pub fn each_facility_record<E: From<super::StoreError>>(
        &self,
        sel: &Selection<'_>,
        mut f: impl FnMut(FacilityRecord) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        // The id index is walked in order: ids are time-ordered (v7), so the rows it visits
        // mostly follow the table's own order.
        let mut stmt = db(self.conn().prepare(&format!(
            "SELECT {FACILITY_SQL} FROM facilities ORDER BY id"
        )))?;
        let mut rows = db(stmt.query([]))?;
        while let Some(r) = db(rows.next())? {
            let (id, commune) = db(rows::facility_key(r))?;
            if sel.wants(id, commune) {
                f(db(rows::facility_record(r))?)?;
            }
        }
        Ok(())
    }

    /// Consultations as bundle records, with current topics, amendments and follow-up.
    pub fn consultation_records(&self, sel: &Selection<'_>) -> Result<Vec<ConsultationRecord>> {
        let mut out = Vec::new();
        self.each_consultation_record(sel, |r| {
            out.push(r);
            Ok::<_, super::StoreError>(())
        })?;
        Ok(out)
    }

    /// [`Store::consultation_records`] one at a time, in id order: the child tables are
    /// read beside the consultations, each in consultation order (a merge, no lookup).
    pub fn each_consultation_record<E: From<super::StoreError>>(
        &self,
        sel: &Selection<'_>,
        mut f: impl FnMut(ConsultationRecord) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let conn = self.conn();
        let mut stmt = db(conn.prepare(&format!(
            "SELECT {CONSULTATION_SQL} FROM consultations ORDER BY id"
        )))?;
        let mut topics_stmt = db(conn.prepare(
            "SELECT consultation_id, topic FROM consultation_topics
             ORDER BY consultation_id, topic",
        ))?;
        let mut topics = Children::new(db(topics_stmt.query([]))?, |r| {
            Ok((r.get(0)?, r.get::<_, String>(1)?))
        })?;
        let mut amend_stmt = db(conn.prepare(&format!(
            "SELECT {AMENDMENT_SQL} FROM consultation_amendments
             ORDER BY consultation_id, at, id"
        )))?;
        let mut amendments = Children::new(db(amend_stmt.query([]))?, rows::amendment)?;
        let mut follow_stmt = db(conn.prepare(&format!(
            "SELECT {FOLLOW_UP_SQL} FROM follow_ups ORDER BY consultation_id"
        )))?;
        let mut follow_ups = Children::new(db(follow_stmt.query([]))?, rows::follow_up)?;
        let mut rows = db(stmt.query([]))?;
        while let Some(r) = db(rows.next())? {
            let (id, commune, _) = db(rows::consultation_key(r))?;
            if !sel.wants(id, commune) {
                continue;
            }
            let mut c = db(rows::consultation_record(r))?;
            topics.take(&c.id, |t| c.cur_topics.push(t))?;
            amendments.take(&c.id, |a| c.amendments.push(a))?;
            follow_ups.take(&c.id, |x| c.follow_up = Some(x))?;
            f(c)?;
        }
        Ok(())
    }

    /// Proposals as bundle records, with their status history.
    pub fn proposal_records(&self, sel: &Selection<'_>) -> Result<Vec<ProposalRecord>> {
        let mut out = Vec::new();
        self.each_proposal_record(sel, |r| {
            out.push(r);
            Ok::<_, super::StoreError>(())
        })?;
        Ok(out)
    }

    /// [`Store::proposal_records`] one at a time, in id order.
    pub fn each_proposal_record<E: From<super::StoreError>>(
        &self,
        sel: &Selection<'_>,
        mut f: impl FnMut(ProposalRecord) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let conn = self.conn();
        let mut stmt =
            db(conn.prepare(&format!("SELECT {PROPOSAL_SQL} FROM proposals ORDER BY id")))?;
        let mut ben_stmt = db(conn.prepare(
            "SELECT proposal_id, facility_id, support, counterpart FROM proposal_beneficiaries
             ORDER BY proposal_id, position",
        ))?;
        let mut beneficiaries = Children::new(db(ben_stmt.query([]))?, |r| {
            Ok((
                r.get(0)?,
                crate::record::BeneficiaryRecord {
                    facility_id: r.get(1)?,
                    support: r.get(2)?,
                    counterpart: r.get(3)?,
                },
            ))
        })?;
        let mut tr_stmt = db(conn.prepare(&format!(
            "SELECT {TRANSITION_SQL} FROM proposal_transitions ORDER BY proposal_id, seq"
        )))?;
        let mut transitions = Children::new(db(tr_stmt.query([]))?, rows::transition)?;
        let mut rows = db(stmt.query([]))?;
        while let Some(r) = db(rows.next())? {
            let (id, commune) = db(rows::proposal_key(r))?;
            if !sel.wants(id, commune) {
                continue;
            }
            let mut p = db(rows::proposal_record(r))?;
            beneficiaries.take(&p.id, |b| p.beneficiaries.push(b))?;
            transitions.take(&p.id, |t| p.transitions.push(t))?;
            f(p)?;
        }
        Ok(())
    }

    /// How many consultations the database holds (the export's progress measure).
    pub fn consultation_total(&self) -> Result<u64> {
        let n: i64 = self
            .conn()
            .query_row("SELECT count(*) FROM consultations", [], |r| r.get(0))?;
        Ok(n.max(0) as u64)
    }

    /// The revisions this sender last sent of `entity`, in record id order, a page at a time
    /// (see [`SentRevs`]).
    pub fn sent_revs_ordered<'s>(&'s self, sender_id: &str, entity: &str) -> SentRevs<'s> {
        SentRevs {
            store: self,
            sender_id: sender_id.to_string(),
            entity: entity.to_string(),
            page: std::collections::VecDeque::new(),
            after: None,
            done: false,
        }
    }

    /// Records a written bundle, in one transaction: proposals `to_send` move to "sent to
    /// the province" (at `now`, as the bundle already says), the outgoing state advances
    /// and the sent revisions are kept for the next bundle's `base_rev`.
    #[allow(clippy::too_many_arguments)]
    pub fn record_export<'a>(
        &mut self,
        sender_id: &str,
        seq: u64,
        changes_to: i64,
        now: &str,
        file: &str,
        to_send: &[String],
        sent: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>,
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

fn db<T>(r: rusqlite::Result<T>) -> Result<T> {
    Ok(r?)
}

/// The rows of a child table ordered by their parent's id, read beside the parents (also in
/// id order): each parent takes its rows, skipping those of parents not read.
struct Children<'s, T> {
    rows: rusqlite::Rows<'s>,
    map: fn(&rusqlite::Row<'_>) -> rusqlite::Result<(String, T)>,
    next: Option<(String, T)>,
}

impl<'s, T> Children<'s, T> {
    fn new(
        mut rows: rusqlite::Rows<'s>,
        map: fn(&rusqlite::Row<'_>) -> rusqlite::Result<(String, T)>,
    ) -> Result<Self> {
        let next = rows.next()?.map(map).transpose()?;
        Ok(Children { rows, map, next })
    }

    fn advance(&mut self) -> Result<()> {
        self.next = self.rows.next()?.map(self.map).transpose()?;
        Ok(())
    }

    /// Hands the rows of parent `id` to `f`, in their order.
    fn take(&mut self, id: &str, mut f: impl FnMut(T)) -> Result<()> {
        while let Some((parent, _)) = &self.next {
            match parent.as_str().cmp(id) {
                std::cmp::Ordering::Less => self.advance()?,
                std::cmp::Ordering::Equal => {
                    if let Some((_, v)) = self.next.take() {
                        f(v);
                    }
                    self.advance()?;
                }
                std::cmp::Ordering::Greater => break,
            }
        }
        Ok(())
    }
}

/// What a sender last sent of one entity, in record id order, read a page at a time so that
/// a province-wide list is never held whole: [`SentRevs::get`] asks for ids in order.
pub struct SentRevs<'s> {
    store: &'s Store,
    sender_id: String,
    entity: String,
    page: std::collections::VecDeque<(String, String)>,
    after: Option<String>,
    done: bool,
}

impl SentRevs<'_> {
    const PAGE: i64 = 4096;

    /// The revision last sent of record `id`; ids must be asked in ascending order.
    pub fn get(&mut self, id: &str) -> Result<Option<String>> {
        loop {
            while let Some((rid, _)) = self.page.front() {
                match rid.as_str().cmp(id) {
                    std::cmp::Ordering::Less => {
                        self.page.pop_front();
                    }
                    std::cmp::Ordering::Equal => return Ok(self.page.pop_front().map(|(_, r)| r)),
                    std::cmp::Ordering::Greater => return Ok(None),
                }
            }
            if self.done {
                return Ok(None);
            }
            self.fill()?;
        }
    }

    fn fill(&mut self) -> Result<()> {
        let mut stmt = self.store.conn().prepare_cached(
            "SELECT record_id, rev FROM bundle_sent_revs
             WHERE sender_id = ?1 AND entity = ?2 AND record_id > ?3
             ORDER BY record_id LIMIT ?4",
        )?;
        // '' sorts before every id.
        let after = self.after.as_deref().unwrap_or("");
        let rows = stmt.query_map(
            params![self.sender_id, self.entity, after, Self::PAGE],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        for row in rows {
            self.page.push_back(row?);
        }
        self.done = (self.page.len() as i64) < Self::PAGE;
        self.after = self.page.back().map(|(id, _)| id.clone());
        if self.after.is_none() {
            self.done = true;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::Store;

    /// More than a page of sent revs, asked for in id order with gaps and misses: each id
    /// finds its own rev, across page boundaries.
    #[test]
    fn sent_revs_are_found_in_order_across_pages() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&dir.path().join("t.db")).expect("open");
        let n = 10_000;
        store.conn().execute_batch("BEGIN").expect("begin");
        for i in 0..n {
            store
                .conn()
                .execute(
                    "INSERT INTO bundle_sent_revs (sender_id, entity, record_id, rev)
                     VALUES ('s', 'consultation', ?1, ?2)",
                    [format!("id{i:06}"), format!("rev{i}")],
                )
                .expect("insert");
        }
        // Another entity and sender interleave in the key order and must not be returned.
        store
            .conn()
            .execute(
                "INSERT INTO bundle_sent_revs VALUES ('s', 'facility', 'id000001', 'other'),
                 ('t', 'consultation', 'id000003', 'other')",
                [],
            )
            .expect("insert");
        store.conn().execute_batch("COMMIT").expect("commit");
        let mut revs = store.sent_revs_ordered("s", "consultation");
        assert_eq!(revs.get("a").expect("get"), None);
        for i in (0..n).step_by(7) {
            assert_eq!(
                revs.get(&format!("id{i:06}")).expect("get"),
                Some(format!("rev{i}"))
            );
            assert_eq!(revs.get(&format!("id{i:06}x")).expect("get"), None);
        }
        assert_eq!(revs.get("zz").expect("get"), None);
        let mut none = store.sent_revs_ordered("s", "proposal");
        assert_eq!(none.get("id000001").expect("get"), None);
    }
}
