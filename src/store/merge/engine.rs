//! The merge engine: one pass over a bundle's records, entity by entity in write order and
//! batch by batch, that classifies, checks and (when importing) writes each batch before the
//! next is read — so memory holds one batch and a few maps of ids, whatever the bundle's
//! size (issue 18).
//!
//! A refusal stops the writing but not the checking: the records after it are still checked,
//! so the refusal reported is the first in record order (duplicate ids first, then by entity
//! rank and record, a record's rules before its references), as when everything was checked
//! before anything was written; the caller's transaction rolls the writes back. A write
//! error is reported only when no record is refused.

use std::collections::{HashMap, HashSet};

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::checks::{Checker, Refs};
use super::classify::{classify, count, Decision};
use super::duplicates::{other_senders, suspects_of};
use super::write::{bulk_indexes, write_batch, Writer};
use super::{bad, EntityCounts, Kind, MergeReport, RecordProblem, Sender, ENTITIES};
use crate::domain::dup::DupIndex;
use crate::record::{
    content_rev, AcceptanceRecord, ActivityRecord, AdjustmentRecord, CollaboratorRecord,
    ConsultationRecord, Envelope, FacilityRecord, PaymentRecord, ProductRecord, ProposalRecord,
    ResultRecord, VillageRecord, VisitRecord,
};
use crate::store::{Actor, Result, StoreError};

/// How a source handed over one kind of record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    Done,
    /// The source itself failed (a damaged or altered file); it keeps the reason.
    Fault,
}

/// What a source hands each batch to: the index of its first record, and the records.
pub(crate) type Sink<'a, T> = dyn FnMut(usize, &[Envelope<T>]) -> Result<()> + 'a;

/// Where a merge takes a bundle's records from: memory ([`super::Incoming`]) or a file read
/// in batches (`bundle::container::FileSource`).
pub(crate) trait Source {
    fn sender(&self) -> &Sender;
    /// The number of records (to size the page cache and choose a bulk load).
    fn total(&self) -> usize;
    /// Whether the source has already refused duplicate ids and revs that are not the hash
    /// of their content (a file's reader does both).
    fn checked(&self) -> bool;
    /// Hands the records of one kind to `f` in batches, in record order, with the index of
    /// each batch's first record. An error of `f` ends the reading and is returned.
    fn each<T: Kind>(&mut self, f: &mut Sink<'_, T>) -> Result<Flow>;
    /// After every kind: what else the source must check (the rest of a file).
    fn finish(&mut self) -> Result<Flow>;
}

/// One batch of one kind as the merge classified it (what [`Kind::note`] looks at).
pub(crate) struct Batch<'a, T> {
    pub(crate) conn: &'a Connection,
    pub(crate) sender: &'a Sender,
    pub(crate) envs: &'a [Envelope<T>],
    pub(crate) ds: &'a [Decision],
}

/// The place of a refusal: (0 duplicate id / 1 anything else, entity rank, record index,
/// 0 rules / 1 references). The smallest is reported.
type Key = (u8, usize, usize, u8);

/// What later records are checked against, gathered as the bundle is read.
#[derive(Default)]
pub(crate) struct Notes {
    /// Every facility of the bundle: its commune, and whether its row holds the bundle's
    /// version once written (not when the province's side of a conflict stays live).
    pub(crate) facilities: HashMap<String, (String, bool)>,
    pub(crate) villages: HashSet<String>,
    /// Every proposal of the bundle: its commune and status as the province held them before
    /// this merge, or as the bundle has them (None: its facility is nowhere).
    pub(crate) proposals: HashMap<String, Option<(String, String)>>,
    /// Facilities of the database looked up by id (None: not there).
    pub(crate) db_commune: HashMap<String, Option<String>>,
    /// Other senders' facilities, built at the first new or changed facility.
    dup_index: Option<DupIndex>,
    pub(crate) pairs: Vec<super::DuplicatePair>,
    /// (consultation, outcome) of each written consultation whose follow-up names one.
    pub(crate) outcomes: Vec<(String, String)>,
}

impl Notes {
    pub(crate) fn facility_batch(&mut self, b: &Batch<'_, FacilityRecord>) -> Result<()> {
        let (conn, envs, ds) = (b.conn, b.envs, b.ds);
        for (e, d) in envs.iter().zip(ds) {
            let live = !matches!(
                d,
                Decision::Conflict {
                    incoming_wins: false,
                    ..
                }
            );
            let r = &e.record;
            self.facilities
                .insert(r.id.clone(), (r.commune_code.clone(), live));
        }
        let candidates: Vec<&FacilityRecord> = envs
            .iter()
            .zip(ds)
            .filter(|(e, d)| !e.record.archived && !matches!(d, Decision::Unchanged))
            .map(|(e, _)| &e.record)
            .collect();
        if candidates.is_empty() {
            return Ok(());
        }
        if self.dup_index.is_none() {
            self.dup_index = Some(other_senders(conn, b.sender)?);
        }
        if let Some(idx) = &self.dup_index {
            self.pairs.extend(suspects_of(conn, idx, &candidates)?);
        }
        Ok(())
    }

    pub(crate) fn proposal_batch(&mut self, b: &Batch<'_, ProposalRecord>) -> Result<()> {
        let (conn, envs) = (b.conn, b.envs);
        let mut here =
            conn.prepare_cached("SELECT commune_code, status FROM proposals WHERE id = ?1")?;
        for e in envs {
            let r = &e.record;
            let held: Option<(String, String)> = here
                .query_row([&r.id], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()?;
            let v = match held {
                Some(v) => Some(v),
                None => {
                    let fid = r.facility_id.as_deref().unwrap_or("");
                    self.commune_of(conn, fid)?.map(|c| (c, r.status.clone()))
                }
            };
            self.proposals.insert(r.id.clone(), v);
        }
        Ok(())
    }

    /// A facility's commune: the bundle's, else the database's (looked up once).
    pub(crate) fn commune_of(&mut self, conn: &Connection, fid: &str) -> Result<Option<String>> {
        if let Some((c, _)) = self.facilities.get(fid) {
            return Ok(Some(c.clone()));
        }
        if let Some(c) = self.db_commune.get(fid) {
            return Ok(c.clone());
        }
        let c: Option<String> = conn
            .prepare_cached("SELECT commune_code FROM facilities WHERE id = ?1")?
            .query_row([fid], |r| r.get(0))
            .optional()?;
        self.db_commune.insert(fid.to_string(), c.clone());
        Ok(c)
    }
}

/// One merge: where it reads, whether (and as whom) it writes.
pub(super) struct Run<'a, 'c> {
    pub(super) conn: &'a Connection,
    /// Some: the records are written in it; None: a preview.
    pub(super) tx: Option<&'a Transaction<'c>>,
    pub(super) now: &'a str,
    pub(super) actor: &'a Actor,
    pub(super) sender: &'a Sender,
    pub(super) checker: Checker<'a>,
    /// An empty database filled by a large bundle: indexes rebuilt once at the end.
    pub(super) bulk: bool,
}

struct State {
    report: MergeReport,
    refusal: Option<(Key, StoreError)>,
    write_error: Option<StoreError>,
    notes: Notes,
    /// Whether the source refused duplicate ids and false revs itself.
    checked: bool,
    /// Ids seen per entity, when it did not.
    ids: HashMap<&'static str, HashSet<String>>,
}

impl State {
    fn refuse(&mut self, key: Key, e: StoreError) {
        if self.refusal.as_ref().is_none_or(|(k, _)| key < *k) {
            self.refusal = Some((key, e));
        }
    }
}

/// Classifies, checks and (with a transaction) writes every record of `src`; the report of
/// what it did, or the first refusal.
pub(super) fn run<S: Source>(run: &Run<'_, '_>, src: &mut S) -> Result<MergeReport> {
    let mut st = State {
        report: MergeReport::default(),
        refusal: None,
        write_error: None,
        notes: Notes::default(),
        checked: src.checked(),
        ids: HashMap::new(),
    };
    for e in ENTITIES {
        st.report
            .counts
            .insert(e.to_string(), EntityCounts::default());
    }
    let indexes = match run.tx {
        Some(tx) if run.bulk => bulk_indexes(tx)?,
        _ => Vec::new(),
    };
    if let Some(tx) = run.tx {
        for (name, _) in &indexes {
            tx.execute_batch(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))?;
        }
    }
    macro_rules! pass {
        ($t:ty) => {
            if src.each::<$t>(&mut |first, envs| batch::<$t>(run, &mut st, first, envs))?
                == Flow::Fault
            {
                return Err(StoreError::SourceFault);
            }
        };
    }
    // The write order: villages before the facilities that point at them, products after.
    pass!(CollaboratorRecord);
    pass!(VillageRecord);
    pass!(FacilityRecord);
    pass!(ProductRecord);
    pass!(ConsultationRecord);
    if let Some(tx) = run
        .tx
        .filter(|_| st.refusal.is_none() && st.write_error.is_none())
    {
        // After every consultation: an outcome may be a later one.
        let mut stmt = tx.prepare_cached(
            "UPDATE follow_ups SET outcome_id =
                (SELECT id FROM consultations WHERE id = ?2) WHERE consultation_id = ?1",
        )?;
        for (c, o) in &st.notes.outcomes {
            stmt.execute([c, o])?;
        }
    }
    pass!(ProposalRecord);
    pass!(AdjustmentRecord);
    pass!(VisitRecord);
    pass!(AcceptanceRecord);
    pass!(PaymentRecord);
    pass!(ResultRecord);
    pass!(ActivityRecord);
    if src.finish()? == Flow::Fault {
        return Err(StoreError::SourceFault);
    }
    if let Some((_, e)) = st.refusal {
        return Err(e);
    }
    if let Some(e) = st.write_error {
        return Err(e);
    }
    let mut report = st.report;
    let mut pairs = st.notes.pairs;
    pairs.sort_by(|x, y| (&x.a, &x.b).cmp(&(&y.a, &y.b)));
    pairs.dedup_by(|x, y| x.a == y.a && x.b == y.b);
    if let Some(c) = report.counts.get_mut(FacilityRecord::ENTITY) {
        let mut ids: HashSet<&str> = HashSet::new();
        for p in &pairs {
            ids.insert(&p.a);
            ids.insert(&p.b);
        }
        let bundle = &st.notes.facilities;
        c.duplicates = ids.iter().filter(|id| bundle.contains_key(**id)).count();
    }
    if let Some(tx) = run.tx {
        for (_, sql) in &indexes {
            tx.execute_batch(sql)?;
        }
        let mut pair = tx.prepare_cached(
            "INSERT OR IGNORE INTO duplicate_pairs (a, b, reasons, found_at) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for d in &pairs {
            let reasons = serde_json::to_string(&d.reasons).unwrap_or_else(|_| "[]".into());
            pair.execute(params![d.a, d.b, reasons, run.now])?;
        }
    }
    report.duplicates = pairs;
    Ok(report)
}

/// One batch of one kind: ids, classification, what later kinds look up, references,
/// then validation on another core while the batch is written.
fn batch<T: Kind>(
    run: &Run<'_, '_>,
    st: &mut State,
    first: usize,
    envs: &[Envelope<T>],
) -> Result<()> {
    let conn = run.conn;
    let unchecked = !st.checked;
    for (i, env) in envs.iter().enumerate() {
        let id = env.record.id();
        let twice = unchecked && !st.ids.entry(T::ENTITY).or_default().insert(id.to_string());
        if id.is_empty() || twice {
            let e = bad(T::ENTITY, first + i + 1, id, RecordProblem::DuplicateId);
            st.refuse((0, T::RANK, first + i, 0), e);
            break;
        }
    }
    let mut ds = Vec::with_capacity(envs.len());
    for env in envs {
        let d = classify(conn, env)?;
        count(&mut st.report, T::ENTITY, env.record.id(), &d);
        ds.push(d);
    }
    let b = Batch {
        conn,
        sender: run.sender,
        envs,
        ds: &ds,
    };
    T::note(&b, &mut st.notes)?;
    {
        let mut refs = Refs {
            conn,
            checker: &run.checker,
            notes: &mut st.notes,
        };
        let mut found = None;
        for (i, (env, d)) in envs.iter().zip(&ds).enumerate() {
            if matches!(d, Decision::Unchanged) {
                continue;
            }
            match env.record.refs(&mut refs, first + i + 1) {
                Err(e @ StoreError::BadRecord { .. }) => {
                    found = Some(((1, T::RANK, first + i, 1), e));
                    break;
                }
                Err(e) => return Err(e),
                Ok(()) => {}
            }
        }
        if let Some((k, e)) = found {
            st.refuse(k, e);
        }
    }
    let revs = unchecked;
    let tx = run
        .tx
        .filter(|_| st.refusal.is_none() && st.write_error.is_none());
    let Some(tx) = tx else {
        if let Some((k, e)) = validate_batch(&run.checker, revs, first, envs, &ds) {
            st.refuse(k, e);
        }
        return Ok(());
    };
    let w = Writer {
        tx,
        now: run.now,
        actor: run.actor,
        facilities: &st.notes.facilities,
    };
    // Validation runs on another core while SQLite writes; a refusal rolls the whole
    // transaction back, and is reported rather than any write error it caused.
    let (refused, written) = std::thread::scope(|s| {
        let checker = &run.checker;
        let v = s.spawn(|| validate_batch(checker, revs, first, envs, &ds));
        let w = write_batch(&w, envs, &ds);
        let refused = v.join().unwrap_or_else(|_| {
            Some((
                (0, 0, 0, 0),
                StoreError::Corrupt("validation failed".into()),
            ))
        });
        (refused, w)
    });
    match (refused, written) {
        (Some((k, e)), _) => st.refuse(k, e),
        (None, Err(e)) => st.write_error = Some(e),
        (None, Ok(())) => {}
    }
    Ok(())
}

/// The first refusal among one batch's written records: a rev that is not the content's
/// (when the source did not check it), or a failed check.
fn validate_batch<T: Kind>(
    checker: &Checker<'_>,
    revs: bool,
    first: usize,
    envs: &[Envelope<T>],
    ds: &[Decision],
) -> Option<(Key, StoreError)> {
    for (i, (env, d)) in envs.iter().zip(ds).enumerate() {
        if matches!(d, Decision::Unchanged) {
            continue;
        }
        let r = &env.record;
        let res = if revs && content_rev(r) != env.rev {
            Err(bad(
                T::ENTITY,
                first + i + 1,
                r.id(),
                RecordProblem::RevMismatch,
            ))
        } else {
            r.check(checker, first + i + 1)
        };
        if let Err(e) = res {
            return Some(((1, T::RANK, first + i, 0), e));
        }
    }
    None
}
