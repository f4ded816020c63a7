//! Validation of received records: the same rules as typed data, the sender's scope, clean
//! text, unique ids, honest revs, and references that resolve.

use rusqlite::{Connection, OptionalExtension};

use super::engine::Notes;
use super::{bad, invalid, Kind, RecordProblem, Sender};
use crate::domain::consultation::{self, parse_date, ConsultationData, ConsultationInput};
use crate::domain::facility::{self, FacilityInput, FacilityStatus, ValidationContext};
use crate::domain::issue::{FieldIssue, Issues, Problem};
use crate::domain::project::{self as project, ProjectKind, ProjectRefusal};
use crate::domain::proposal::{
    self, FundingSource, Mover, ProposalData, ProposalInput, ProposalMoney, ProposalStatus,
};
use crate::domain::{Profile, Role};
use crate::record::{
    ActivityRecord, CollaboratorRecord, ConsultationRecord, FacilityRecord, ProductRecord,
    ProjectItem, ProposalRecord, VillageRecord,
};
use crate::refdata::{codes, units};
use crate::store::proposals::{priorities_bits, priorities_from_bits};
use crate::store::rows::{beneficiary_data, facility_from_record};
use crate::store::{Result, StoreError};
use crate::text::ingest;

fn proposal_data(r: &ProposalRecord) -> Option<ProposalData> {
    Some(ProposalData {
        facility_id: r.facility_id.clone().unwrap_or_default(),
        plan_year: r.plan_year,
        category: r.category.clone(),
        funding: FundingSource::ALL
            .into_iter()
            .find(|f| f.code() == r.funding)?,
        title: r.title.clone(),
        rationale: r.rationale.clone(),
        objectives: r.objectives.clone(),
        content: r.content.clone(),
        place: r.place.clone(),
        time_frame: r.time_frame.clone(),
        money: ProposalMoney {
            total_cost: r.total_cost,
            support: r.support,
            counterpart: r.counterpart,
            other_sources: r.other_sources,
        },
        expected_jobs: r.expected_jobs,
        expected_products: r.expected_products.clone(),
        expected_capacity: r.expected_capacity.clone(),
        priorities: priorities_from_bits(r.priorities),
        beneficiaries: r.beneficiaries.iter().map(beneficiary_data).collect(),
        is_pilot: r.is_pilot,
    })
}

fn status_code(s: &str) -> Option<ProposalStatus> {
    ProposalStatus::ALL.into_iter().find(|x| x.code() == s)
}

/// The sender as a profile: the scope its records must lie in.
pub(super) fn sender_profile(s: &Sender) -> Option<Profile> {
    Some(Profile {
        id: s.id.clone(),
        name: s.name.clone(),
        role: Role::parse(&s.role)?,
        units: s.units.clone(),
        account: None,
        active: true,
    })
}

// ------------------------------------------------------------------------------------------
// Validation: the same rules as typed data

pub(crate) struct Checker<'a> {
    /// Whether the records' strings were all checked as ingested text already (by the
    /// bundle reader: `jsoncheck::text_ok` holds exactly when ingesting changes nothing).
    pub(super) text_checked: bool,
    pub(super) today: chrono::NaiveDate,
    pub(super) sender: Profile,
    pub(super) province: Option<&'a Profile>,
}

/// The record being checked, as a refusal names it.
struct Place<'a> {
    /// Every string was already found to be ingested text (a file's reader checks them).
    text_checked: bool,
    entity: &'static str,
    line: usize,
    id: &'a str,
}

impl Place<'_> {
    fn bad(&self, problem: RecordProblem) -> StoreError {
        bad(self.entity, self.line, self.id, problem)
    }

    fn invalid(&self, field: &'static str, p: Problem) -> StoreError {
        invalid(self.entity, self.line, self.id, field, p)
    }

    /// Received text passes the ingest typed text passes: already clean, or refused.
    fn texts(&self, fields: &[(&'static str, &String)]) -> Result<()> {
        if self.text_checked {
            return Ok(());
        }
        match fields
            .iter()
            .find(|(_, v)| crate::text::ingest_multiline(v) != v.as_str())
        {
            Some((field, _)) => Err(self.bad(RecordProblem::UncleanText {
                field: field.to_string(),
            })),
            None => Ok(()),
        }
    }
}

fn unknown_code(v: &str) -> Problem {
    Problem::UnknownCode {
        code: crate::text::sanitize(v),
    }
}

fn unknown_status(v: &str) -> Problem {
    Problem::UnknownStatus {
        value: crate::text::sanitize(v),
    }
}

impl Checker<'_> {
    pub(super) fn scope(&self, entity: &str, line: usize, id: &str, commune: &str) -> Result<()> {
        let ok = self.sender.covers_commune(commune)
            && self.province.is_none_or(|p| p.covers_commune(commune));
        if ok {
            Ok(())
        } else {
            Err(invalid(
                entity,
                line,
                id,
                "commune_code",
                Problem::CommuneOutOfScope {
                    code: commune.to_string(),
                },
            ))
        }
    }

    pub(super) fn collaborator(&self, line: usize, r: &CollaboratorRecord) -> Result<()> {
        let at = Place {
            text_checked: self.text_checked,
            entity: "collaborator",
            line,
            id: &r.id,
        };
        at.texts(&[("name", &r.name)])?;
        if ingest(&r.name).is_empty() {
            return Err(at.invalid("name", Problem::Required));
        }
        if Role::parse(&r.role).is_none() {
            return Err(at.invalid(
                "role",
                Problem::UnknownRole {
                    value: crate::text::sanitize(&r.role),
                },
            ));
        }
        let u = units();
        if let Some(unit) = r
            .units
            .iter()
            .find(|unit| u.commune(unit).is_none() && u.province(unit).is_none())
        {
            return Err(at.invalid(
                "units",
                Problem::UnknownUnit {
                    code: crate::text::sanitize(unit),
                },
            ));
        }
        Ok(())
    }

    pub(super) fn facility(&self, line: usize, r: &FacilityRecord) -> Result<()> {
        let at = Place {
            text_checked: self.text_checked,
            entity: "facility",
            line,
            id: &r.id,
        };
        if FacilityStatus::parse(&r.status).is_none() {
            return Err(at.invalid("status", unknown_status(&r.status)));
        }
        at.texts(&[
            ("name", &r.name),
            ("representative", &r.representative),
            ("address", &r.address),
            ("products", &r.products),
            ("craft_village", &r.craft_village),
            ("notes", &r.notes),
        ])?;
        let data = facility_from_record(r.clone(), 0).data;
        let ctx = ValidationContext {
            profile: Some(&self.sender),
            today: self.today,
            spreadsheet: false,
        };
        if let Err(issues) = facility::validate(&FacilityInput::from_data(&data), &ctx) {
            return Err(at.bad(RecordProblem::Invalid { issues }));
        }
        self.scope(at.entity, line, &r.id, &r.commune_code)
    }

    pub(super) fn village(&self, line: usize, r: &VillageRecord) -> Result<()> {
        let at = Place {
            text_checked: self.text_checked,
            entity: VillageRecord::ENTITY,
            line,
            id: &r.id,
        };
        if crate::domain::village::VillageStatus::ALL
            .iter()
            .all(|s| s.code() != r.status)
        {
            return Err(at.invalid("village_status", unknown_status(&r.status)));
        }
        at.texts(&[
            ("name", &r.name),
            ("decision_no", &r.decision_no),
            ("notes", &r.notes),
        ])?;
        let input = crate::store::village_input(r);
        if let Err(issues) = crate::domain::village::validate(&input, None, self.today) {
            return Err(at.bad(RecordProblem::Invalid { issues }));
        }
        r.communes
            .iter()
            .try_for_each(|c| self.scope(at.entity, line, &r.id, c))
    }

    pub(super) fn product(&self, line: usize, r: &ProductRecord) -> Result<()> {
        use crate::domain::product::{validate_name, validate_notes, validate_title, TitleInput};
        let at = Place {
            text_checked: self.text_checked,
            entity: ProductRecord::ENTITY,
            line,
            id: &r.id,
        };
        at.texts(&[("name", &r.name), ("notes", &r.notes)])?;
        let mut issues = Issues::default();
        validate_name(&r.name, &mut issues);
        validate_notes(&r.notes, &mut issues);
        for t in &r.titles {
            at.texts(&[("certificate", &t.certificate)])?;
            let input = TitleInput {
                kind: t.kind.clone(),
                year: t.year.to_string(),
                level: t.level.clone(),
                certificate: t.certificate.clone(),
                issued_date: t.issued_date.clone().unwrap_or_default(),
                expiry_date: t.expiry_date.clone().unwrap_or_default(),
            };
            if let Err(i) = validate_title(&input, self.today) {
                issues.0.extend(i.0);
            }
        }
        if issues.has_errors() {
            return Err(at.bad(RecordProblem::Invalid { issues }));
        }
        Ok(())
    }

    pub(super) fn consultation(&self, line: usize, r: &ConsultationRecord) -> Result<()> {
        let at = Place {
            text_checked: self.text_checked,
            entity: "consultation",
            line,
            id: &r.id,
        };
        let date = |field: &'static str, v: &str| {
            parse_date(v).ok_or_else(|| {
                at.invalid(
                    field,
                    Problem::DateFormat {
                        value: crate::text::sanitize(v),
                    },
                )
            })
        };
        let d = date("date", &r.date)?;
        date("cur_date", &r.cur_date)?;
        let follow_up_date = match &r.follow_up_date {
            Some(f) => Some(date("follow_up_date", f)?),
            None => None,
        };
        at.texts(&[
            ("difficulties", &r.difficulties),
            ("needs", &r.needs),
            ("advice", &r.advice),
            ("next_step", &r.next_step),
        ])?;
        let data = ConsultationData {
            facility_id: r.facility_id.clone(),
            date: d,
            mode: r.mode.clone(),
            topics: r.topics.clone(),
            difficulties: r.difficulties.clone(),
            needs: r.needs.clone(),
            advice: r.advice.clone(),
            next_step: r.next_step.clone(),
            follow_up_date,
        };
        if let Err(issues) =
            consultation::validate(&ConsultationInput::from_data(&data), self.today)
        {
            return Err(at.bad(RecordProblem::Invalid { issues }));
        }
        let c = codes();
        if !c.consultation_modes.contains(&r.cur_mode) {
            return Err(at.invalid("mode", unknown_code(&r.cur_mode)));
        }
        if let Some(t) = r
            .cur_topics
            .iter()
            .find(|t| !c.support_categories.contains(t))
        {
            return Err(at.invalid("topics", unknown_code(t)));
        }
        if let Some(f) = &r.follow_up {
            date("follow_up_date", &f.due_date)?;
            if consultation::FollowUpStatus::parse(&f.status).is_none() {
                return Err(at.invalid("follow_up", unknown_status(&f.status)));
            }
        }
        if ingest(&r.collaborator_id).is_empty() {
            return Err(at.invalid("collaborator_id", Problem::Required));
        }
        Ok(())
    }

    pub(super) fn proposal(&self, line: usize, r: &ProposalRecord) -> Result<()> {
        let at = Place {
            text_checked: self.text_checked,
            entity: "proposal",
            line,
            id: &r.id,
        };
        let Some(data) = proposal_data(r) else {
            return Err(at.invalid("funding", unknown_code(&r.funding)));
        };
        at.texts(&[
            ("title", &r.title),
            ("rationale", &r.rationale),
            ("objectives", &r.objectives),
            ("content", &r.content),
            ("place", &r.place),
            ("time_frame", &r.time_frame),
            ("expected_products", &r.expected_products),
            ("expected_capacity", &r.expected_capacity),
            ("batch", &r.batch),
            ("implementing_unit", &r.implementing_unit),
            ("stop_reason", &r.stop_reason),
        ])?;
        approval_fields(&at, r)?;
        if status_code(&r.status).is_none() {
            return Err(at.invalid("status", unknown_status(&r.status)));
        }
        if r.priorities < 0
            || r.priorities >= 64
            || priorities_bits(&priorities_from_bits(r.priorities)) != r.priorities
        {
            return Err(at.invalid(
                "priorities",
                Problem::NotAWholeNumber {
                    value: r.priorities.to_string(),
                },
            ));
        }
        for t in &r.transitions {
            let ok = status_code(&t.to_status).is_some()
                && t.from_status
                    .as_deref()
                    .is_none_or(|f| status_code(f).is_some())
                && Mover::from_key(&t.mover).is_some();
            if !ok {
                return Err(at.invalid("transitions", unknown_status(&t.to_status)));
            }
        }
        if let Err(issues) = proposal::validate(&ProposalInput::from_data(&data), self.today) {
            return Err(at.bad(RecordProblem::Invalid { issues }));
        }
        Ok(())
    }
}

impl Checker<'_> {
    /// An activity passes what typed data passes: ISO dates, clean text, the field rules of
    /// `activity::validate` (read back as the form's text, giving the same content), a known
    /// gender code, and a commune in the sender's scope.
    pub(super) fn activity(&self, line: usize, r: &ActivityRecord) -> Result<()> {
        use crate::domain::activity::{self, ActivityInput};
        let at = Place {
            text_checked: self.text_checked,
            entity: ActivityRecord::ENTITY,
            line,
            id: &r.id,
        };
        for (field, d) in [
            ("start_date", Some(&r.start_date)),
            ("end_date", r.end_date.as_ref()),
        ] {
            if let Some(d) = d {
                if chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err() {
                    let value = crate::text::sanitize(d);
                    return Err(at.invalid(field, Problem::DateFormat { value }));
                }
            }
        }
        at.texts(&[
            ("title", &r.title),
            ("place", &r.place),
            ("organiser", &r.organiser),
            ("notes", &r.notes),
        ])?;
        for (i, a) in r.attendees.iter().enumerate() {
            at.texts(&[("attendees", &a.person_name)])?;
            if let Some(g) = a.gender.as_deref().filter(|g| !["NAM", "NU"].contains(g)) {
                let value = crate::text::sanitize(g);
                let position = i + 1;
                return Err(at.invalid("attendees", Problem::AttendeeGender { position, value }));
            }
        }
        let (d, _) = activity::validate(&ActivityInput::from_record(r), self.today)
            .map_err(|issues| at.bad(RecordProblem::Invalid { issues }))?;
        if d.kind != r.kind {
            return Err(at.invalid("kind", unknown_code(&r.kind)));
        }
        self.scope(at.entity, line, &r.id, &r.commune_code)
    }
}

/// A `domain::project` validation: typed input and today → the content, or the issues.
type Validate<I, D> = fn(&I, chrono::NaiveDate) -> std::result::Result<(D, Issues), Issues>;

/// Dates a đề án record may hold (ISO, strictly).
const PROJECT_DATES: [&str; 3] = ["date", "new_end", "follow_up_date"];

impl Checker<'_> {
    /// A đề án record passes what typed data passes: ISO dates, clean text, the field rules
    /// of `validate` (read back as the form's text), and a kind the sender's role may make.
    pub(super) fn project<T, I, D>(
        &self,
        line: usize,
        r: &T,
        validate: Validate<I, D>,
    ) -> Result<()>
    where
        T: ProjectItem,
        I: serde::de::DeserializeOwned,
    {
        let at = Place {
            text_checked: self.text_checked,
            entity: T::ENTITY,
            line,
            id: r.id(),
        };
        let Ok(serde_json::Value::Object(fields)) = serde_json::to_value(r) else {
            return Err(at.bad(RecordProblem::RevMismatch));
        };
        let mut typed = serde_json::Map::new();
        for (k, v) in fields {
            match v {
                serde_json::Value::String(t) => {
                    if PROJECT_DATES.contains(&k.as_str()) && parse_date(&t).is_none() {
                        let value = crate::text::sanitize(&t);
                        let field = PROJECT_DATES
                            .into_iter()
                            .find(|d| *d == k)
                            .unwrap_or("date");
                        return Err(at.invalid(field, Problem::DateFormat { value }));
                    }
                    if crate::text::ingest_multiline(&t) != t {
                        return Err(at.bad(RecordProblem::UncleanText { field: k }));
                    }
                    typed.insert(k, serde_json::Value::String(t));
                }
                serde_json::Value::Number(n) => {
                    typed.insert(k, serde_json::Value::String(n.to_string()));
                }
                _ => {}
            }
        }
        let input: I = serde_json::from_value(serde_json::Value::Object(typed))
            .map_err(|_| at.bad(RecordProblem::RevMismatch))?;
        if let Err(issues) = validate(&input, self.today) {
            return Err(at.bad(RecordProblem::Invalid { issues }));
        }
        let kind = project_kind_of(r);
        if let Some(kind) = kind.filter(|k| !k.allowed_for(self.sender.role)) {
            return Err(at.bad(RecordProblem::Refused {
                proposal_id: crate::text::sanitize(r.proposal_id()),
                refusal: Box::new(ProjectRefusal::ProvinceOnly { kind }),
            }));
        }
        Ok(())
    }
}

pub(super) fn one_issue(field: &'static str, p: Problem) -> Issues {
    let mut i = Issues::default();
    i.push(FieldIssue::error(field, p));
    i
}

/// The reference checks of one batch: what the bundle holds so far ([`Notes`]) and the
/// database. Each returns a refusal as `StoreError::BadRecord`.
pub(crate) struct Refs<'a, 'c> {
    pub(crate) conn: &'a Connection,
    pub(crate) checker: &'a Checker<'c>,
    pub(crate) notes: &'a mut Notes,
}

impl Refs<'_, '_> {
    /// A facility of the bundle or of the database, in the sender's scope.
    pub(crate) fn facility(
        &mut self,
        entity: &str,
        line: usize,
        id: &str,
        fid: &str,
    ) -> Result<()> {
        match self.notes.commune_of(self.conn, fid)? {
            Some(c) => self.checker.scope(entity, line, id, &c),
            None => Err(bad(
                entity,
                line,
                id,
                RecordProblem::MissingFacility {
                    facility_id: crate::text::sanitize(fid),
                },
            )),
        }
    }

    /// A facility's craft village: in the bundle or here.
    pub(crate) fn village(&mut self, line: usize, r: &FacilityRecord) -> Result<()> {
        let Some(vid) = r.village_id.as_deref() else {
            return Ok(());
        };
        let here = self
            .conn
            .prepare_cached("SELECT 1 FROM craft_villages WHERE id = ?1")?
            .exists([vid])?;
        if self.notes.villages.contains(vid) || here {
            return Ok(());
        }
        let problem = RecordProblem::MissingVillage {
            village_id: crate::text::sanitize(vid),
        };
        Err(bad(FacilityRecord::ENTITY, line, &r.id, problem))
    }

    /// A proposal's facility and every beneficiary of a group, in the sender's scope; a
    /// proposal with no facility (the centre's own) is refused as one without its facility.
    pub(crate) fn proposal(&mut self, line: usize, r: &ProposalRecord) -> Result<()> {
        let entity = ProposalRecord::ENTITY;
        self.facility(entity, line, &r.id, r.facility_id.as_deref().unwrap_or(""))?;
        for b in &r.beneficiaries {
            self.facility(entity, line, &r.id, &b.facility_id)?;
        }
        Ok(())
    }

    /// A proposal's commune and status: the bundle's (as the province held it before this
    /// merge, if it did), else the database's; None: in neither.
    fn proposal_of(&mut self, pid: &str) -> Result<Option<(String, String)>> {
        if let Some(v) = self.notes.proposals.get(pid) {
            return Ok(v.clone());
        }
        Ok(self
            .conn
            .prepare_cached("SELECT commune_code, status FROM proposals WHERE id = ?1")?
            .query_row([pid], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    fn held(&self, table: &str, id: &str) -> Result<bool> {
        Ok(self
            .conn
            .prepare_cached(&format!("SELECT 1 FROM {table} WHERE id = ?1"))?
            .exists([id])?)
    }

    /// A đề án record: its proposal, here or in the bundle, in the sender's scope and at a
    /// stage that takes it.
    pub(crate) fn project<T: Kind + ProjectItem>(&mut self, line: usize, r: &T) -> Result<()> {
        let pid = ProjectItem::proposal_id(r);
        let rid = Kind::id(r);
        let entity = <T as Kind>::ENTITY;
        let Some((commune, status)) = self.proposal_of(pid)? else {
            let problem = RecordProblem::MissingProposal {
                proposal_id: crate::text::sanitize(pid),
            };
            return Err(bad(entity, line, rid, problem));
        };
        self.checker.scope(entity, line, rid, &commune)?;
        let stage = project_kind_of(r);
        let status = status_code(&status);
        if let Some((kind, status)) = stage.zip(status).filter(|(k, s)| !k.allowed_in(*s)) {
            let problem = RecordProblem::Refused {
                proposal_id: crate::text::sanitize(pid),
                refusal: Box::new(ProjectRefusal::Stage { kind, status }),
            };
            return Err(bad(entity, line, rid, problem));
        }
        Ok(())
    }

    /// An activity's attendees' facilities and its đề án: in the bundle or here.
    pub(crate) fn activity(&mut self, line: usize, r: &ActivityRecord) -> Result<()> {
        for fid in r.attendees.iter().filter_map(|a| a.facility_id.as_deref()) {
            if !self.notes.facilities.contains_key(fid) && !self.held("facilities", fid)? {
                let problem = RecordProblem::MissingFacility {
                    facility_id: crate::text::sanitize(fid),
                };
                return Err(bad(ActivityRecord::ENTITY, line, &r.id, problem));
            }
        }
        if let Some(pid) = r.proposal_id.as_deref() {
            if !self.notes.proposals.contains_key(pid) && !self.held("proposals", pid)? {
                let problem = RecordProblem::MissingProposal {
                    proposal_id: crate::text::sanitize(pid),
                };
                return Err(bad(ActivityRecord::ENTITY, line, &r.id, problem));
            }
        }
        Ok(())
    }
}

/// The rule kind of a đề án record (results by their stage).
fn project_kind_of<T: ProjectItem>(r: &T) -> Option<ProjectKind> {
    let v = serde_json::to_value(r).ok()?;
    let stage = v.get("stage").and_then(|s| s.as_str());
    Some(match T::ENTITY {
        "project_adjustment" => ProjectKind::Adjustment,
        "project_visit" => ProjectKind::Visit,
        "project_acceptance" => ProjectKind::Acceptance,
        "project_payment" => ProjectKind::Payment,
        _ if stage == Some(project::ResultStage::DanhGia.code()) => ProjectKind::Evaluation,
        _ => ProjectKind::Result,
    })
}

pub(super) fn checker<'a>(
    sender: &Sender,
    today: chrono::NaiveDate,
    province: Option<&'a Profile>,
    text_checked: bool,
) -> Result<Checker<'a>> {
    let id = &sender.id;
    let sender =
        sender_profile(sender).ok_or_else(|| bad("manifest", 0, id, RecordProblem::BadSender))?;
    Ok(Checker {
        text_checked,
        today,
        sender,
        province,
    })
}

/// The approval and implementation data of a received proposal (schema 10): a known funding
/// code, ISO dates, and no negative support.
fn approval_fields(at: &Place<'_>, r: &ProposalRecord) -> Result<()> {
    if let Some(f) = r.approved_funding.as_deref() {
        if FundingSource::ALL.iter().all(|x| x.code() != f) {
            return Err(at.invalid("approved_funding", unknown_code(f)));
        }
    }
    if r.approved_support.is_some_and(|v| v < 0) {
        return Err(at.invalid("approved_support", Problem::Negative));
    }
    for (field, d) in [
        ("decision_date", &r.decision_date),
        ("start_date", &r.start_date),
        ("planned_end", &r.planned_end),
    ] {
        if let Some(d) = d {
            if chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err() {
                return Err(at.invalid(field, Problem::DateFormat { value: d.clone() }));
            }
        }
    }
    Ok(())
}
