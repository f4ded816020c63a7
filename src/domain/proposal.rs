//! The support proposal (đề xuất hỗ trợ / đề án khuyến công): its record, money that must add
//! up, support caps and eligibility (warnings), the status workflow and the annual plan.
//!
//! One rule function, [`check_transition`], decides every status change for every front end.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::caps::SupportCaps;
use super::collaborator::Role;
use super::consultation::{dmy, lookup_code, parse_topics};
use super::facility::{FacilityData, FacilityStatus};
use super::issue::{FieldIssue, Issues, Problem};
use super::money::{parse_vnd, MoneyError};
use crate::refdata::{codes, units, CommuneKind};
use crate::text::{ingest, ingest_multiline};

const MAX_TEXT: usize = 4000;
const MAX_TITLE: usize = 300;
/// Plan years before the programme's 2012 decree are typos.
const EARLIEST_YEAR: i32 = 2012;

// ------------------------------------------------------------------------------------------
// Funding source and status

/// Nguồn kinh phí: national (KCQG) or local (KCĐP) khuyến công.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum FundingSource {
    #[serde(rename = "KCQG")]
    Kcqg,
    #[serde(rename = "KCDP")]
    Kcdp,
}

impl FundingSource {
    pub const ALL: [FundingSource; 2] = [FundingSource::Kcqg, FundingSource::Kcdp];

    /// As printed: `KCQG`, `KCĐP`.
    pub fn short(self) -> &'static str {
        match self {
            FundingSource::Kcqg => "KCQG",
            FundingSource::Kcdp => "KCĐP",
        }
    }
}

// Stored as `KCQG`, `KCDP` (ASCII, so that scripts can type it); read also as `KCĐP`,
// "quốc gia", "địa phương".
super::code_list::code_list! {
    FundingSource, code, loose = false;
    Kcqg => "KCQG", "proposal.funding.kcqg", ["quoc gia", "khuyen cong quoc gia", "national"];
    Kcdp => "KCDP", "proposal.funding.kcdp", ["dia phuong", "khuyen cong dia phuong", "local"];
}

/// The life cycle of a proposal (`proposal_statuses.csv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ProposalStatus {
    Nhap,
    DeXuat,
    DaRaSoat,
    DaGuiTinh,
    /// Returned by the province for revision: editable again, then proposed again.
    TraLai,
    PheDuyet,
    KhongDuyet,
    DangThucHien,
    HoanThanh,
    /// Stopped by the province after approval (dừng thực hiện).
    Dung,
    Rut,
}

impl ProposalStatus {
    pub const ALL: [ProposalStatus; 11] = [
        ProposalStatus::Nhap,
        ProposalStatus::DeXuat,
        ProposalStatus::DaRaSoat,
        ProposalStatus::DaGuiTinh,
        ProposalStatus::TraLai,
        ProposalStatus::PheDuyet,
        ProposalStatus::KhongDuyet,
        ProposalStatus::DangThucHien,
        ProposalStatus::HoanThanh,
        ProposalStatus::Dung,
        ProposalStatus::Rut,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ProposalStatus::Nhap => "NHAP",
            ProposalStatus::DeXuat => "DE_XUAT",
            ProposalStatus::DaRaSoat => "DA_RA_SOAT",
            ProposalStatus::DaGuiTinh => "DA_GUI_TINH",
            ProposalStatus::TraLai => "TRA_LAI",
            ProposalStatus::PheDuyet => "PHE_DUYET",
            ProposalStatus::KhongDuyet => "KHONG_DUYET",
            ProposalStatus::DangThucHien => "DANG_THUC_HIEN",
            ProposalStatus::HoanThanh => "HOAN_THANH",
            ProposalStatus::Dung => "DUNG",
            ProposalStatus::Rut => "RUT",
        }
    }

    /// A code (any case) or a label of the code list, with or without diacritics.
    pub fn parse(raw: &str) -> Option<ProposalStatus> {
        let code = lookup_code(&codes().proposal_statuses, &ingest(raw))?;
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Nothing follows: withdrawn, not approved, completed, stopped.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            ProposalStatus::Rut
                | ProposalStatus::KhongDuyet
                | ProposalStatus::HoanThanh
                | ProposalStatus::Dung
        )
    }

    /// Still in play: what "the facility has open proposals" counts.
    pub fn is_open(self) -> bool {
        !self.is_final()
    }

    /// Only a draft's content may change (a returned proposal is a draft again).
    pub fn is_editable(self) -> bool {
        matches!(self, ProposalStatus::Nhap | ProposalStatus::TraLai)
    }

    /// What the draft annual plan lists by default: proposed and beyond, not withdrawn or
    /// refused.
    pub fn in_plan(self) -> bool {
        !matches!(
            self,
            ProposalStatus::Nhap
                | ProposalStatus::TraLai
                | ProposalStatus::Rut
                | ProposalStatus::KhongDuyet
        )
    }
}

// ------------------------------------------------------------------------------------------
// The workflow rule

/// Who moves a proposal: a person in a role, the bundle export, or a decision coming back
/// from the province in a bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mover {
    Person(Role),
    Export,
    Decision,
}

impl Mover {
    pub fn key(self) -> &'static str {
        match self {
            Mover::Person(r) => r.as_str(),
            Mover::Export => "export",
            Mover::Decision => "decision",
        }
    }

    pub fn from_key(s: &str) -> Option<Mover> {
        match s {
            "export" => Some(Mover::Export),
            "decision" => Some(Mover::Decision),
            r => Role::parse(r).map(Mover::Person),
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Mover::Person(Role::Commune) => "proposal.mover.commune",
            Mover::Person(Role::Area) => "proposal.mover.area",
            Mover::Person(Role::Province) => "proposal.mover.province",
            Mover::Export => "proposal.mover.export",
            Mover::Decision => "proposal.mover.decision",
        }
    }
}

/// The province's choice of flow (setting `area_review`, carried in every receipt): whether
/// an area officer reviews proposals between the commune and the province.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flow {
    pub area_review: bool,
}

/// What a transition must carry besides the target status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Needs {
    /// A reason or comment (return, withdraw, review, refuse, stop).
    pub reason: bool,
    /// The decision number (approval).
    pub decision_no: bool,
    /// The approval: support granted (at most what was asked), decision date, funding source.
    pub approval: bool,
    /// The start: start date, implementing unit, planned end.
    pub start: bool,
    /// An acceptance record with result DAT or DAT_CO_DIEU_KIEN (completion).
    pub acceptance: bool,
}

const NOTHING: Needs = Needs {
    reason: false,
    decision_no: false,
    approval: false,
    start: false,
    acceptance: false,
};
const REASON: Needs = Needs {
    reason: true,
    ..NOTHING
};
const APPROVAL: Needs = Needs {
    decision_no: true,
    approval: true,
    ..NOTHING
};
const START: Needs = Needs {
    start: true,
    ..NOTHING
};
const ACCEPTANCE: Needs = Needs {
    acceptance: true,
    ..NOTHING
};

/// Which movers may make a transition.
#[derive(Debug, Clone, Copy)]
enum By {
    /// Any person in scope: commune, area or province.
    Anyone,
    Area,
    Export,
    /// The province, at the province or by a decision that comes back.
    Province,
}

impl By {
    fn admits(self, m: Mover) -> bool {
        match self {
            By::Anyone => matches!(m, Mover::Person(_)),
            By::Area => m == Mover::Person(Role::Area),
            By::Export => m == Mover::Export,
            By::Province => matches!(m, Mover::Person(Role::Province) | Mover::Decision),
        }
    }

    fn label_key(self) -> &'static str {
        match self {
            By::Anyone => "proposal.by.anyone",
            By::Area => "proposal.by.area",
            By::Export => "proposal.by.export",
            By::Province => "proposal.by.province",
        }
    }
}

/// Under which flow a rule holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum When {
    Always,
    AreaReview,
    NoAreaReview,
}

impl When {
    fn holds(self, flow: Flow) -> bool {
        match self {
            When::Always => true,
            When::AreaReview => flow.area_review,
            When::NoAreaReview => !flow.area_review,
        }
    }
}

use ProposalStatus as S;

/// The label key of who may move a proposal from `from` to `to` ("only the area officer"),
/// when the move exists at all.
pub fn who_may_key(from: Option<ProposalStatus>, to: ProposalStatus) -> Option<&'static str> {
    RULES
        .iter()
        .find(|r| r.0 == from && r.1 == to)
        .map(|r| r.2.label_key())
}

/// Every allowed transition: (from, to, by whom, under which flow, what it needs). `None`
/// from is creation. Anyone in scope drafts, proposes, revises a returned proposal and
/// withdraws before the province decides; the area officer reviews or returns (to draft)
/// only where the province uses an area review; "sent" is set by the export only (proposed
/// ones without area review, reviewed ones — a reviewed proposal is never left stuck if the
/// province later drops the review); the province decides on what reaches it (on a shared
/// database, with no bundle, on what is proposed or reviewed), starts, stops and, through
/// an acceptance record, completes.
#[rustfmt::skip]
const RULES: &[(Option<ProposalStatus>, ProposalStatus, By, When, Needs)] = &[
    (None, S::Nhap, By::Anyone, When::Always, NOTHING),
    (Some(S::Nhap), S::DeXuat, By::Anyone, When::Always, NOTHING),
    (Some(S::TraLai), S::DeXuat, By::Anyone, When::Always, NOTHING),
    (Some(S::Nhap), S::Rut, By::Anyone, When::Always, REASON),
    (Some(S::TraLai), S::Rut, By::Anyone, When::Always, REASON),
    (Some(S::DeXuat), S::Rut, By::Anyone, When::Always, REASON),
    (Some(S::DaRaSoat), S::Rut, By::Anyone, When::Always, REASON),
    (Some(S::DeXuat), S::DaRaSoat, By::Area, When::AreaReview, REASON),
    (Some(S::DeXuat), S::Nhap, By::Area, When::AreaReview, REASON),
    (Some(S::DaRaSoat), S::Nhap, By::Area, When::AreaReview, REASON),
    (Some(S::DeXuat), S::DaGuiTinh, By::Export, When::NoAreaReview, NOTHING),
    (Some(S::DaRaSoat), S::DaGuiTinh, By::Export, When::Always, NOTHING),
    (Some(S::DaGuiTinh), S::PheDuyet, By::Province, When::Always, APPROVAL),
    (Some(S::DaGuiTinh), S::KhongDuyet, By::Province, When::Always, REASON),
    (Some(S::DaGuiTinh), S::TraLai, By::Province, When::Always, REASON),
    (Some(S::DeXuat), S::PheDuyet, By::Province, When::NoAreaReview, APPROVAL),
    (Some(S::DeXuat), S::KhongDuyet, By::Province, When::NoAreaReview, REASON),
    (Some(S::DeXuat), S::TraLai, By::Province, When::NoAreaReview, REASON),
    (Some(S::DaRaSoat), S::PheDuyet, By::Province, When::Always, APPROVAL),
    (Some(S::DaRaSoat), S::KhongDuyet, By::Province, When::Always, REASON),
    (Some(S::DaRaSoat), S::TraLai, By::Province, When::Always, REASON),
    (Some(S::PheDuyet), S::DangThucHien, By::Province, When::Always, START),
    (Some(S::PheDuyet), S::Dung, By::Province, When::Always, REASON),
    (Some(S::DangThucHien), S::Dung, By::Province, When::Always, REASON),
    (Some(S::DangThucHien), S::HoanThanh, By::Province, When::Always, ACCEPTANCE),
];

/// Why a transition is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "refusal", rename_all = "snake_case")]
pub enum Refusal {
    /// The proposal is withdrawn, refused, completed or stopped.
    #[error("the proposal is {from:?}: its status no longer changes")]
    Final { from: ProposalStatus },
    /// "Sent to the province" is set by the bundle export only.
    #[error("only the bundle export sets DA_GUI_TINH")]
    ExportOnly,
    /// The transition exists, but someone else makes it.
    #[error("{mover:?} may not move a proposal from {from:?} to {to:?}")]
    WrongMover {
        mover: Mover,
        from: Option<ProposalStatus>,
        to: ProposalStatus,
        flow: Flow,
    },
    /// The move belongs to the other flow (an area review the province does not use, or a
    /// step the area review must come before).
    #[error("not in this province's flow: {from:?} to {to:?}")]
    NotInFlow {
        from: Option<ProposalStatus>,
        to: ProposalStatus,
        flow: Flow,
    },
    /// No one moves a proposal this way.
    #[error("no transition from {from:?} to {to:?}")]
    NoSuchTransition {
        from: Option<ProposalStatus>,
        to: ProposalStatus,
    },
}

/// THE rule: under the province's `flow`, may `mover` move a proposal from `from` (None:
/// create it) to `to`, and what must the move carry? Used by the store for every write, so
/// the CLI, the TUI, the export and the receipts agree.
pub fn check_transition(
    flow: Flow,
    mover: Mover,
    from: Option<ProposalStatus>,
    to: ProposalStatus,
) -> Result<Needs, Refusal> {
    if let Some(f) = from.filter(|f| f.is_final()) {
        return Err(Refusal::Final { from: f });
    }
    let mut rules = RULES.iter().filter(|r| r.0 == from && r.1 == to);
    let Some(first) = rules.clone().next() else {
        return Err(Refusal::NoSuchTransition { from, to });
    };
    if let Some(r) = rules.find(|r| r.3.holds(flow)) {
        if r.2.admits(mover) {
            return Ok(r.4);
        }
        if to == S::DaGuiTinh {
            return Err(Refusal::ExportOnly);
        }
        return Err(Refusal::WrongMover {
            mover,
            from,
            to,
            flow,
        });
    }
    let _ = first;
    Err(Refusal::NotInFlow { from, to, flow })
}

/// The statuses `mover` may move a proposal to from `from`, in list order: a screen's actions.
pub fn allowed_transitions(
    flow: Flow,
    mover: Mover,
    from: ProposalStatus,
) -> Vec<(ProposalStatus, Needs)> {
    ProposalStatus::ALL
        .into_iter()
        .filter_map(|to| {
            check_transition(flow, mover, Some(from), to)
                .ok()
                .map(|n| (to, n))
        })
        .collect()
}

// ------------------------------------------------------------------------------------------
// What a move carries

/// A move as typed (CLI options, the TUI's prompt and form): every field optional text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MoveInput {
    pub reason: String,
    pub decision_no: String,
    /// The support granted, as typed (`80tr`); empty: what was asked.
    pub approved_support: String,
    pub decision_date: String,
    /// KCQG/KCĐP; empty: the funding source asked.
    pub funding: String,
    pub batch: String,
    pub start_date: String,
    pub implementing_unit: String,
    pub planned_end: String,
}

impl MoveInput {
    /// A move that carries only a reason (return, refuse, stop, withdraw).
    pub fn with_reason(reason: impl Into<String>) -> MoveInput {
        MoveInput {
            reason: reason.into(),
            ..Default::default()
        }
    }
}

/// The province's approval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    pub support: i64,
    pub decision_no: String,
    pub date: NaiveDate,
    pub funding: FundingSource,
    pub batch: String,
}

/// The start of implementation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Start {
    pub date: NaiveDate,
    pub implementing_unit: String,
    pub planned_end: NaiveDate,
}

/// A move checked against what its rule needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MoveData {
    pub reason: String,
    pub decision_no: Option<String>,
    pub approval: Option<Approval>,
    pub start: Option<Start>,
}

/// A required one-line text of at most a title's length (title, implementing unit).
fn required_line(issues: &mut Issues, key: &'static str, raw: &str) -> String {
    let v = ingest(raw);
    if v.is_empty() {
        issues.push(FieldIssue::error(key, Problem::Required));
    } else if v.chars().count() > MAX_TITLE {
        issues.push(FieldIssue::error(key, Problem::TooLong { max: MAX_TITLE }));
    }
    v
}

/// A required date as typed (the consultation's date reading, with its checks).
fn typed_date(
    issues: &mut Issues,
    key: &'static str,
    raw: &str,
    today: NaiveDate,
) -> Option<NaiveDate> {
    if ingest(raw).is_empty() {
        issues.push(FieldIssue::error(key, Problem::Required));
        return None;
    }
    super::consultation::date_field(issues, key, raw, today)
}

/// Checks a move's typed values against what its rule `needs`: `asked` is the support the
/// proposal asks for (the most that may be approved) and its funding source (the default).
/// Values a move does not need are ignored.
pub fn validate_move(
    needs: Needs,
    input: &MoveInput,
    asked: (i64, FundingSource),
    today: NaiveDate,
) -> Result<MoveData, Issues> {
    let mut issues = Issues::default();
    let reason = ingest_multiline(&input.reason);
    if needs.reason && reason.is_empty() {
        issues.push(FieldIssue::error("reason", Problem::Required));
    }
    if reason.chars().count() > MAX_TEXT {
        issues.push(FieldIssue::error(
            "reason",
            Problem::TooLong { max: MAX_TEXT },
        ));
    }
    let decision_no = Some(ingest(&input.decision_no)).filter(|d| !d.is_empty());
    if needs.decision_no && decision_no.is_none() {
        issues.push(FieldIssue::error("decision_no", Problem::Required));
    }
    let mut approval = None;
    if needs.approval {
        let support = if input.approved_support.trim().is_empty() {
            Some(asked.0)
        } else {
            let before = issues.0.len();
            let v = money_field(
                &mut issues,
                "approved_support",
                &input.approved_support,
                true,
            );
            if issues.0.len() > before {
                None
            } else if v > asked.0 {
                issues.push(FieldIssue::error(
                    "approved_support",
                    Problem::OverAsked {
                        approved: v,
                        asked: asked.0,
                    },
                ));
                None
            } else {
                Some(v)
            }
        };
        let date = typed_date(&mut issues, "decision_date", &input.decision_date, today);
        if let Some(d) = date.filter(|d| *d > today) {
            issues.push(FieldIssue::error(
                "decision_date",
                Problem::DateInFuture { date: dmy(d) },
            ));
        }
        let funding = if input.funding.trim().is_empty() {
            Some(asked.1)
        } else {
            let f = FundingSource::parse(&input.funding);
            if f.is_none() {
                issues.push(FieldIssue::error(
                    "approved_funding",
                    Problem::UnknownCode {
                        code: ingest(&input.funding),
                    },
                ));
            }
            f
        };
        let batch = ingest(&input.batch);
        if batch.chars().count() > MAX_TITLE {
            issues.push(FieldIssue::error(
                "batch",
                Problem::TooLong { max: MAX_TITLE },
            ));
        }
        if let (Some(support), Some(date), Some(funding), Some(no)) =
            (support, date, funding, decision_no.clone())
        {
            approval = Some(Approval {
                support,
                decision_no: no,
                date,
                funding,
                batch,
            });
        }
    }
    let mut start = None;
    if needs.start {
        let date = typed_date(&mut issues, "start_date", &input.start_date, today);
        let unit = required_line(&mut issues, "implementing_unit", &input.implementing_unit);
        let end = typed_date(&mut issues, "planned_end", &input.planned_end, today);
        if let (Some(d), Some(e)) = (date, end) {
            if e < d {
                issues.push(FieldIssue::error(
                    "planned_end",
                    Problem::BeforeDate { date: dmy(d) },
                ));
            } else if !unit.is_empty() {
                start = Some(Start {
                    date: d,
                    implementing_unit: unit,
                    planned_end: e,
                });
            }
        }
    }
    if issues.has_errors() {
        return Err(issues);
    }
    Ok(MoveData {
        reason,
        decision_no,
        approval,
        start,
    })
}

// ------------------------------------------------------------------------------------------
// The record

/// Priority markers used in appraisal, prefilled from the facility.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Priorities {
    pub exports: bool,
    /// More than 50% local raw materials.
    pub local_materials: bool,
    /// 50 or more workers.
    pub workers_50: bool,
    pub woman_owned: bool,
    pub ethnic_owned: bool,
    pub difficult_area: bool,
}

impl Priorities {
    pub fn from_facility(f: &FacilityData) -> Priorities {
        Priorities {
            exports: f.exports,
            local_materials: f.local_materials,
            workers_50: f.workers.is_some_and(|w| w >= 50),
            woman_owned: f.woman_owned,
            ethnic_owned: f.ethnic_owned,
            difficult_area: f.difficult_area,
        }
    }

    /// (key, set) in display order.
    pub fn flags(&self) -> [(&'static str, bool); 6] {
        [
            ("exports", self.exports),
            ("local_materials", self.local_materials),
            ("workers_50", self.workers_50),
            ("woman_owned", self.woman_owned),
            ("ethnic_owned", self.ethnic_owned),
            ("difficult_area", self.difficult_area),
        ]
    }

    /// The i18n key of a marker's short label.
    pub fn label_key(key: &str) -> &'static str {
        match key {
            "exports" => "proposal.marker.exports",
            "local_materials" => "proposal.marker.local_materials",
            "workers_50" => "proposal.marker.workers_50",
            "woman_owned" => "proposal.marker.woman_owned",
            "ethnic_owned" => "proposal.marker.ethnic_owned",
            _ => "proposal.marker.difficult_area",
        }
    }

    pub fn count(&self) -> usize {
        self.flags().iter().filter(|(_, on)| *on).count()
    }
}

/// Money in whole VND: total cost = support + counterpart + other sources.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ProposalMoney {
    pub total_cost: i64,
    /// Kinh phí khuyến công: what is asked for.
    pub support: i64,
    /// Vốn đối ứng: the facility's own contribution.
    pub counterpart: i64,
    pub other_sources: i64,
}

impl ProposalMoney {
    /// The sum of the parts, or None if it overflows.
    pub fn parts(&self) -> Option<i64> {
        self.support
            .checked_add(self.counterpart)?
            .checked_add(self.other_sources)
    }
}

/// A proposal's validated content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProposalData {
    pub facility_id: String,
    pub plan_year: i32,
    /// A code of `support_categories.csv`.
    pub category: String,
    pub funding: FundingSource,
    pub title: String,
    pub rationale: String,
    pub objectives: String,
    pub content: String,
    pub place: String,
    pub time_frame: String,
    #[serde(flatten)]
    pub money: ProposalMoney,
    pub expected_jobs: Option<i64>,
    pub expected_products: String,
    pub expected_capacity: String,
    pub priorities: Priorities,
    /// A group đề án's beneficiaries (issue 17), the lead (= `facility_id`) first; empty for
    /// a đề án of one facility or of none. Left out of the change log when empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub beneficiaries: Vec<Beneficiary>,
    /// A pilot (đề án điểm).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub is_pilot: bool,
}

/// One facility of a group đề án and its shares of the support and the counterpart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Beneficiary {
    pub facility_id: String,
    pub support: i64,
    pub counterpart: i64,
}

/// A beneficiary as pages show it: its name, its shares and the sum paid to it so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BeneficiaryLine {
    pub facility_id: String,
    pub facility_name: String,
    pub support: i64,
    pub counterpart: i64,
    pub paid: i64,
}

/// A beneficiary as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BeneficiaryInput {
    pub facility_id: String,
    pub support: String,
    pub counterpart: String,
}

impl ProposalData {
    /// Whether the đề án has a facility (one, or the lead of a group); none = run by the
    /// centre (stored as NULL).
    pub fn has_facility(&self) -> bool {
        !self.facility_id.is_empty()
    }

    /// Field → [old, new] for every field that differs (None old: creation, empties left out).
    pub fn diff(
        old: Option<&ProposalData>,
        new: &ProposalData,
    ) -> serde_json::Map<String, serde_json::Value> {
        let as_map = |d: &ProposalData| match serde_json::to_value(d) {
            Ok(serde_json::Value::Object(m)) => m,
            _ => serde_json::Map::new(),
        };
        let nm = as_map(new);
        let om = old.map(as_map);
        let mut out = serde_json::Map::new();
        for (k, nv) in nm {
            let ov = om
                .as_ref()
                .and_then(|m| m.get(&k).cloned())
                .unwrap_or(serde_json::Value::Null);
            let empty =
                matches!(&nv, serde_json::Value::Null) || nv.as_str().is_some_and(str::is_empty);
            if ov != nv && !(old.is_none() && empty) {
                out.insert(k, serde_json::json!([ov, nv]));
            }
        }
        out
    }
}

/// A proposal as typed: every value still text, the markers as check boxes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProposalInput {
    pub facility_id: String,
    pub plan_year: String,
    /// A code (`KC03`, `KC3`, `3`) or a label.
    pub category: String,
    /// `KCQG` or `KCĐP`.
    pub funding: String,
    pub title: String,
    pub rationale: String,
    pub objectives: String,
    pub content: String,
    pub place: String,
    pub time_frame: String,
    pub total_cost: String,
    pub support: String,
    pub counterpart: String,
    pub other_sources: String,
    pub expected_jobs: String,
    pub expected_products: String,
    pub expected_capacity: String,
    pub priorities: Priorities,
    /// A group đề án's facilities with their shares (the first is the lead); empty for one
    /// facility (`facility_id`) or none.
    pub beneficiaries: Vec<BeneficiaryInput>,
    pub is_pilot: bool,
    /// Where a đề án with no facility takes place (a province profile's own đề án); ignored
    /// when there is a facility.
    pub commune_code: String,
}

impl ProposalInput {
    /// The form's values for a stored proposal (money as `1.250.000.000`).
    pub fn from_data(d: &ProposalData) -> ProposalInput {
        use super::money::group_thousands as g;
        ProposalInput {
            facility_id: d.facility_id.clone(),
            plan_year: d.plan_year.to_string(),
            category: d.category.clone(),
            funding: d.funding.code().to_string(),
            title: d.title.clone(),
            rationale: d.rationale.clone(),
            objectives: d.objectives.clone(),
            content: d.content.clone(),
            place: d.place.clone(),
            time_frame: d.time_frame.clone(),
            total_cost: g(d.money.total_cost),
            support: g(d.money.support),
            counterpart: g(d.money.counterpart),
            other_sources: g(d.money.other_sources),
            expected_jobs: d.expected_jobs.map(|j| j.to_string()).unwrap_or_default(),
            expected_products: d.expected_products.clone(),
            expected_capacity: d.expected_capacity.clone(),
            priorities: d.priorities,
            beneficiaries: d
                .beneficiaries
                .iter()
                .map(|b| BeneficiaryInput {
                    facility_id: b.facility_id.clone(),
                    support: g(b.support),
                    counterpart: g(b.counterpart),
                })
                .collect(),
            is_pilot: d.is_pilot,
            commune_code: String::new(),
        }
    }
}

/// A partial change of a draft: `Some` fields replace the stored ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProposalPatch {
    pub plan_year: Option<String>,
    pub category: Option<String>,
    pub funding: Option<String>,
    pub title: Option<String>,
    pub rationale: Option<String>,
    pub objectives: Option<String>,
    pub content: Option<String>,
    pub place: Option<String>,
    pub time_frame: Option<String>,
    pub total_cost: Option<String>,
    pub support: Option<String>,
    pub counterpart: Option<String>,
    pub other_sources: Option<String>,
    pub expected_jobs: Option<String>,
    pub expected_products: Option<String>,
    pub expected_capacity: Option<String>,
    pub priorities: Option<Priorities>,
}

impl ProposalPatch {
    pub fn over(&self, base: &ProposalData) -> ProposalInput {
        let mut i = ProposalInput::from_data(base);
        let set = |slot: &mut String, v: &Option<String>| {
            if let Some(v) = v {
                slot.clone_from(v);
            }
        };
        set(&mut i.plan_year, &self.plan_year);
        set(&mut i.category, &self.category);
        set(&mut i.funding, &self.funding);
        set(&mut i.title, &self.title);
        set(&mut i.rationale, &self.rationale);
        set(&mut i.objectives, &self.objectives);
        set(&mut i.content, &self.content);
        set(&mut i.place, &self.place);
        set(&mut i.time_frame, &self.time_frame);
        set(&mut i.total_cost, &self.total_cost);
        set(&mut i.support, &self.support);
        set(&mut i.counterpart, &self.counterpart);
        set(&mut i.other_sources, &self.other_sources);
        set(&mut i.expected_jobs, &self.expected_jobs);
        set(&mut i.expected_products, &self.expected_products);
        set(&mut i.expected_capacity, &self.expected_capacity);
        if let Some(p) = self.priorities {
            i.priorities = p;
        }
        i
    }

    pub fn is_empty(&self) -> bool {
        *self == ProposalPatch::default()
    }
}

/// The fields in form order: (key, i18n label key). The key names the field in issues.
pub const FIELDS: [(&str, &str); 17] = [
    ("facility_id", "proposal.field.facility"),
    ("plan_year", "proposal.field.plan_year"),
    ("category", "proposal.field.category"),
    ("funding", "proposal.field.funding"),
    ("title", "proposal.field.title"),
    ("rationale", "proposal.field.rationale"),
    ("objectives", "proposal.field.objectives"),
    ("content", "proposal.field.content"),
    ("place", "proposal.field.place"),
    ("time_frame", "proposal.field.time_frame"),
    ("total_cost", "proposal.field.total_cost"),
    ("support", "proposal.field.support"),
    ("counterpart", "proposal.field.counterpart"),
    ("other_sources", "proposal.field.other_sources"),
    ("expected_jobs", "proposal.field.expected_jobs"),
    ("expected_products", "proposal.field.expected_products"),
    ("expected_capacity", "proposal.field.expected_capacity"),
];

/// The i18n label key of a proposal field (also `reason`, `decision_no`).
pub fn field_label_key(key: &str) -> Option<&'static str> {
    match key {
        "reason" => Some("proposal.field.reason"),
        "decision_no" => Some("proposal.field.decision_no"),
        "approved_support" => Some("proposal.field.approved_support"),
        "decision_date" => Some("proposal.field.decision_date"),
        "approved_funding" => Some("proposal.field.approved_funding"),
        "batch" => Some("proposal.field.batch"),
        "start_date" => Some("proposal.field.start_date"),
        "implementing_unit" => Some("proposal.field.implementing_unit"),
        "planned_end" => Some("proposal.field.planned_end"),
        "stop_reason" => Some("proposal.field.stop_reason"),
        "beneficiaries" => Some("proposal.field.beneficiaries"),
        "commune_code" => Some("proposal.field.commune"),
        _ => FIELDS.iter().find(|(k, _)| *k == key).map(|(_, l)| *l),
    }
}

pub(crate) fn money_field(
    issues: &mut Issues,
    key: &'static str,
    raw: &str,
    required: bool,
) -> i64 {
    match parse_vnd(raw) {
        Ok(Some(v)) => v,
        Ok(None) => {
            if required {
                issues.push(FieldIssue::error(key, Problem::Required));
            }
            0
        }
        Err(e) => {
            let value = ingest(raw);
            let problem = match e {
                MoneyError::Format => Problem::MoneyFormat { value },
                MoneyError::Ambiguous => Problem::MoneyAmbiguous { value },
                MoneyError::Negative => Problem::Negative,
                MoneyError::TooLarge => Problem::TooLarge,
                MoneyError::Fraction => Problem::MoneyNotWhole { value },
            };
            issues.push(FieldIssue::error(key, problem));
            0
        }
    }
}

/// Turns typed values into a proposal, or says what is wrong, field by field. The money must
/// add up: total cost = support + counterpart + other sources (empty parts count as 0).
pub fn validate(input: &ProposalInput, today: NaiveDate) -> Result<(ProposalData, Issues), Issues> {
    let mut issues = Issues::default();
    // No facility is allowed here (a đề án the centre runs); the store refuses it for anyone
    // but a province profile and asks for its commune then.
    let mut facility_id = ingest(&input.facility_id);

    let year_raw = ingest(&input.plan_year);
    let plan_year = match year_raw.parse::<i32>() {
        _ if year_raw.is_empty() => {
            issues.push(FieldIssue::error("plan_year", Problem::Required));
            0
        }
        Ok(y) if y < EARLIEST_YEAR => {
            issues.push(FieldIssue::error(
                "plan_year",
                Problem::YearTooOld { year: y },
            ));
            0
        }
        Ok(y) if y > today.year() + 5 => {
            issues.push(FieldIssue::error(
                "plan_year",
                Problem::YearInFuture { year: y },
            ));
            0
        }
        Ok(y) => y,
        Err(_) => {
            issues.push(FieldIssue::error(
                "plan_year",
                Problem::NotAWholeNumber { value: year_raw },
            ));
            0
        }
    };

    let cat_raw = ingest(&input.category);
    let category = if cat_raw.is_empty() {
        issues.push(FieldIssue::error("category", Problem::Required));
        String::new()
    } else {
        // The consultation topics reader accepts KC3, 3 and labels; exactly one is wanted.
        let mut topic_issues = Issues::default();
        match parse_topics(&cat_raw, &mut topic_issues).as_slice() {
            [one] if !topic_issues.has_errors() => one.clone(),
            _ => {
                issues.push(FieldIssue::error(
                    "category",
                    Problem::UnknownCode { code: cat_raw },
                ));
                String::new()
            }
        }
    };

    let fund_raw = ingest(&input.funding);
    let funding = match FundingSource::parse(&fund_raw) {
        Some(f) => Some(f),
        None if fund_raw.is_empty() => {
            issues.push(FieldIssue::error("funding", Problem::Required));
            None
        }
        None => {
            issues.push(FieldIssue::error(
                "funding",
                Problem::UnknownCode { code: fund_raw },
            ));
            None
        }
    };

    let title = required_line(&mut issues, "title", &input.title);
    let text = |issues: &mut Issues, key: &'static str, raw: &str| {
        let v = ingest_multiline(raw);
        if v.chars().count() > MAX_TEXT {
            issues.push(FieldIssue::error(key, Problem::TooLong { max: MAX_TEXT }));
        }
        v
    };
    let rationale = text(&mut issues, "rationale", &input.rationale);
    let objectives = text(&mut issues, "objectives", &input.objectives);
    let content = text(&mut issues, "content", &input.content);
    let place = text(&mut issues, "place", &input.place);
    let time_frame = text(&mut issues, "time_frame", &input.time_frame);
    let expected_products = text(&mut issues, "expected_products", &input.expected_products);
    let expected_capacity = text(&mut issues, "expected_capacity", &input.expected_capacity);

    let money = ProposalMoney {
        total_cost: money_field(&mut issues, "total_cost", &input.total_cost, true),
        support: money_field(&mut issues, "support", &input.support, true),
        counterpart: money_field(&mut issues, "counterpart", &input.counterpart, false),
        other_sources: money_field(&mut issues, "other_sources", &input.other_sources, false),
    };
    let money_ok = ["total_cost", "support", "counterpart", "other_sources"]
        .iter()
        .all(|k| issues.for_field(k).next().is_none());
    if money_ok {
        match money.parts() {
            Some(parts) if parts == money.total_cost => {}
            Some(parts) => issues.push(FieldIssue::error(
                "total_cost",
                Problem::SumMismatch {
                    total: money.total_cost,
                    parts,
                },
            )),
            None => issues.push(FieldIssue::error("total_cost", Problem::TooLarge)),
        }
    }

    let beneficiaries = validate_beneficiaries(&mut issues, input, money_ok.then_some(&money));
    if let Some(lead) = beneficiaries.first() {
        if !facility_id.is_empty() && facility_id != lead.facility_id {
            issues.push(FieldIssue::error(
                "beneficiaries",
                Problem::BeneficiaryTwice {
                    facility: facility_id.clone(),
                },
            ));
        }
        facility_id.clone_from(&lead.facility_id);
    }

    let jobs_raw = ingest(&input.expected_jobs);
    let expected_jobs = if jobs_raw.is_empty() {
        None
    } else {
        match jobs_raw.replace('.', "").parse::<i64>() {
            Ok(n) if n < 0 => {
                issues.push(FieldIssue::error("expected_jobs", Problem::Negative));
                None
            }
            Ok(n) => Some(n),
            Err(_) => {
                issues.push(FieldIssue::error(
                    "expected_jobs",
                    Problem::NotAWholeNumber { value: jobs_raw },
                ));
                None
            }
        }
    };

    match funding {
        Some(funding) if !issues.has_errors() => Ok((
            ProposalData {
                facility_id,
                plan_year,
                category,
                funding,
                title,
                rationale,
                objectives,
                content,
                place,
                time_frame,
                money,
                expected_jobs,
                expected_products,
                expected_capacity,
                priorities: input.priorities,
                beneficiaries,
                is_pilot: input.is_pilot,
            },
            issues,
        )),
        _ => Err(issues),
    }
}

/// A group's beneficiaries: at least two, no facility twice, and (when the proposal's own
/// money is valid) shares adding up to its support and its counterpart exactly.
fn validate_beneficiaries(
    issues: &mut Issues,
    input: &ProposalInput,
    money: Option<&ProposalMoney>,
) -> Vec<Beneficiary> {
    if input.beneficiaries.is_empty() {
        return Vec::new();
    }
    if input.beneficiaries.len() < 2 {
        issues.push(FieldIssue::error("beneficiaries", Problem::GroupTooSmall));
    }
    let mut out: Vec<Beneficiary> = Vec::with_capacity(input.beneficiaries.len());
    let mut shares_ok = true;
    for b in &input.beneficiaries {
        let facility_id = ingest(&b.facility_id);
        if facility_id.is_empty() {
            issues.push(FieldIssue::error("beneficiaries", Problem::Required));
            shares_ok = false;
            continue;
        }
        if out.iter().any(|o| o.facility_id == facility_id) {
            issues.push(FieldIssue::error(
                "beneficiaries",
                Problem::BeneficiaryTwice {
                    facility: facility_id.clone(),
                },
            ));
        }
        let before = issues.0.len();
        let support = money_field(issues, "beneficiaries", &b.support, true);
        let counterpart = money_field(issues, "beneficiaries", &b.counterpart, false);
        shares_ok &= issues.0.len() == before;
        out.push(Beneficiary {
            facility_id,
            support,
            counterpart,
        });
    }
    if let (Some(m), true) = (money, shares_ok) {
        let sum = |f: fn(&Beneficiary) -> i64| {
            out.iter()
                .try_fold(0i64, |acc, b| acc.checked_add(f(b)))
                .unwrap_or(i64::MAX)
        };
        for (counterpart, total, shares) in [
            (false, m.support, sum(|b| b.support)),
            (true, m.counterpart, sum(|b| b.counterpart)),
        ] {
            if shares != total {
                issues.push(FieldIssue::error(
                    "beneficiaries",
                    Problem::SharesMismatch {
                        counterpart,
                        total,
                        shares,
                    },
                ));
            }
        }
    }
    out
}

// ------------------------------------------------------------------------------------------
// Caps and eligibility (warnings)

/// The most a cap allows for a total cost (the smaller of its percent and its maximum).
pub fn cap_limit(percent: Option<u32>, max_vnd: Option<i64>, total_cost: i64) -> Option<i64> {
    // Rounded down: a percent of a cost in whole đồng.
    let by_percent = percent
        .map(|p| (i128::from(total_cost) * i128::from(p) / 100).min(i64::MAX as i128) as i64);
    match (by_percent, max_vnd) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The cap warning of a proposal in `province_code` on `on`: over the cap in force (naming the
/// cap and its source), or — said plainly rather than applying someone else's figures — that
/// the province has no cap for this category and funding source.
pub fn check_cap(
    data: &ProposalData,
    province_code: &str,
    on: NaiveDate,
    caps: &SupportCaps,
) -> Option<FieldIssue> {
    let funding = data.funding.code();
    let Some(cap) = caps.cap_for(province_code, &data.category, funding, on) else {
        return Some(FieldIssue::warning(
            "support",
            Problem::NoCapKnown {
                category: data.category.clone(),
                funding: data.funding.short().to_string(),
            },
        ));
    };
    let limit = cap_limit(cap.percent, cap.max_vnd, data.money.total_cost)?;
    (data.money.support > limit).then(|| {
        FieldIssue::warning(
            "support",
            Problem::OverCap {
                category: cap.category.clone(),
                percent: cap.percent,
                max_vnd: cap.max_vnd,
                effective_date: dmy(cap.effective_from),
                limit,
                source: cap.source.clone(),
            },
        )
    })
}

/// Eligibility per NĐ 45/2012 as amended by NĐ 235/2025, on a date, as warnings with their
/// reason: the kind of entity must be known (all listed kinds qualify); the facility active;
/// and a phường of a centrally-run city qualifies only inside a recognised craft village —
/// `in_recognised_village`: the facility is linked to a village of the register whose status
/// is CONG_NHAN (the free-text name does not count: anyone can type one).
pub fn check_eligibility(
    f: &FacilityData,
    in_recognised_village: bool,
    on: NaiveDate,
) -> Vec<FieldIssue> {
    let mut out = Vec::new();
    match &f.entity_type {
        Some(t) if codes().entity_types.contains(t) => {}
        _ => out.push(FieldIssue::warning(
            "facility_id",
            Problem::EntityTypeMissing,
        )),
    }
    if f.status != FacilityStatus::Active {
        out.push(FieldIssue::warning(
            "facility_id",
            Problem::FacilityNotActive {
                status: f.status.as_str().to_string(),
            },
        ));
    }
    let u = units();
    if let Some(c) = u.commune(&f.commune_code) {
        let ward = u.commune_kind_on(&c.code, on) == Some(CommuneKind::Phuong);
        if ward && u.province_is_city_on(&c.province_code, on) && !in_recognised_village {
            let p = u.province(&c.province_code);
            out.push(FieldIssue::warning(
                "facility_id",
                Problem::CityWardOutsideCraftVillage {
                    commune: c.full_name.clone(),
                    province: p.map(|p| p.full_name.clone()).unwrap_or_default(),
                    city_since: p.and_then(|p| p.city_since).map(dmy).unwrap_or_default(),
                },
            ));
        }
    }
    out
}

/// Every warning a proposal of `facility` carries on `on`: eligibility and the support cap
/// in force for its province (from `caps`) on the day [`super::caps::cap_date`] gives.
pub fn assess(
    data: &ProposalData,
    facility: &FacilityData,
    in_recognised_village: bool,
    on: NaiveDate,
    caps: &SupportCaps,
) -> Issues {
    let mut issues = Issues(check_eligibility(facility, in_recognised_village, on));
    let province = units()
        .commune(&facility.commune_code)
        .map(|c| c.province_code.clone())
        .unwrap_or_default();
    let cap_on = super::caps::cap_date(data.plan_year, on);
    if let Some(w) = check_cap(data, &province, cap_on, caps) {
        issues.push(w);
    }
    issues
}

// ------------------------------------------------------------------------------------------
// Stored proposals, history, totals and the plan

/// A stored proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Proposal {
    pub id: String,
    #[serde(flatten)]
    pub data: ProposalData,
    pub status: ProposalStatus,
    /// The approval's decision number, once approved.
    pub decision_no: Option<String>,
    /// The province's approval: support granted, decision date (ISO), funding source granted,
    /// batch (đợt).
    pub approved_support: Option<i64>,
    pub decision_date: Option<String>,
    pub approved_funding: Option<FundingSource>,
    pub batch: String,
    /// Implementation: start (ISO), implementing unit, planned end (ISO); why it stopped.
    pub start_date: Option<String>,
    pub implementing_unit: String,
    pub planned_end: Option<String>,
    pub stop_reason: String,
    pub facility_name: String,
    /// How many beneficiaries a group đề án has (0 for a đề án of one facility or of none);
    /// lists read it without the beneficiaries themselves.
    #[serde(skip)]
    pub group_size: usize,
    /// The facility's commune (2025 code).
    pub commune_code: String,
    pub created_at: String,
    pub created_by: String,
    pub updated_at: String,
    pub updated_by: String,
    pub version: i64,
}

/// One status change: who, when, from, to and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transition {
    pub seq: i64,
    pub proposal_id: String,
    pub at: String,
    pub actor_id: String,
    pub actor_name: String,
    pub mover: Mover,
    /// None: the proposal was created.
    pub from: Option<ProposalStatus>,
    pub to: ProposalStatus,
    pub reason: String,
    pub decision_no: Option<String>,
    /// With an approval: the support granted and the decision's date (ISO).
    pub approved_support: Option<i64>,
    pub decision_date: Option<String>,
}

/// A proposal as a screen shows it: the record, its history (oldest first), its warnings
/// today, and what the current profile may do with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProposalRecord {
    pub proposal: Proposal,
    pub history: Vec<Transition>,
    pub warnings: Issues,
    /// Whether the current profile may edit its content.
    pub editable: bool,
    /// The transitions the current profile may make, with what each needs.
    pub actions: Vec<(ProposalStatus, Needs)>,
}

/// Sums of money over a set of proposals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct MoneyTotals {
    pub count: usize,
    pub total_cost: i64,
    pub support: i64,
    pub counterpart: i64,
    pub other_sources: i64,
}

impl MoneyTotals {
    pub fn add(&mut self, m: &ProposalMoney) {
        self.count += 1;
        self.total_cost = self.total_cost.saturating_add(m.total_cost);
        self.support = self.support.saturating_add(m.support);
        self.counterpart = self.counterpart.saturating_add(m.counterpart);
        self.other_sources = self.other_sources.saturating_add(m.other_sources);
    }
}

/// Totals for a filter: per support category (code-list order), per funding source, overall.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProposalTotals {
    pub by_category: Vec<(String, MoneyTotals)>,
    pub by_funding: Vec<(FundingSource, MoneyTotals)>,
    pub total: MoneyTotals,
}

impl ProposalTotals {
    /// Totals of a set of proposals (the store computes the same in SQL for a whole filter).
    pub fn of<'a>(proposals: impl IntoIterator<Item = &'a Proposal>) -> ProposalTotals {
        let mut t = ProposalTotals::default();
        for p in proposals {
            t.add(&p.data.category, p.data.funding, &p.data.money);
        }
        t.sort();
        t
    }

    pub(crate) fn add(&mut self, category: &str, funding: FundingSource, m: &ProposalMoney) {
        match self.by_category.iter_mut().find(|(c, _)| c == category) {
            Some((_, t)) => t.add(m),
            None => {
                let mut t = MoneyTotals::default();
                t.add(m);
                self.by_category.push((category.to_string(), t));
            }
        }
        match self.by_funding.iter_mut().find(|(f, _)| *f == funding) {
            Some((_, t)) => t.add(m),
            None => {
                let mut t = MoneyTotals::default();
                t.add(m);
                self.by_funding.push((funding, t));
            }
        }
        self.total.add(m);
    }

    pub(crate) fn sort(&mut self) {
        self.by_category.sort_by_key(|(c, _)| category_order(c));
        self.by_funding.sort_by_key(|(f, _)| *f);
    }
}

/// Position of a category in the code list (unknown codes last).
pub fn category_order(code: &str) -> usize {
    codes()
        .support_categories
        .items()
        .iter()
        .position(|i| i.code == code)
        .unwrap_or(usize::MAX)
}
