//! Bundle bookkeeping (migration 007): the profile's public key, the sender's outgoing state
//! (sequence, change-log position, sent revisions) and, at the province, the registry of
//! senders' keys and of bundles received.

use std::collections::HashMap;

use rusqlite::{params, OptionalExtension, Transaction};

use super::{Result, Store};
use crate::bundle::{KeyStatus, SenderInfo};

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

    /// The facility ids of this database (for [`crate::bundle::Bundle::check_references`]).
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
