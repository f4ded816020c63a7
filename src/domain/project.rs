//! The đề án after approval: adjustments (điều chỉnh), monitoring visits (kiểm tra, giám sát),
//! the acceptance (nghiệm thu), payments (tạm ứng, thanh toán, quyết toán) and results
//! (at acceptance, and at a later evaluation — đánh giá hiệu quả sau hỗ trợ).
//!
//! Each record is typed as text (`…Input`), validated field by field into `…Data` (money
//! through `parse_vnd`, dates through `parse_typed_date`), and refused by the store when the
//! đề án's stage or the person's role does not allow it ([`ProjectRefusal`]).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::consultation::{date_field, dmy, ser_date, ser_opt_date};
use super::issue::{FieldIssue, Issues, Problem};
use super::proposal::{money_field, ProposalStatus};
use super::Role;
use crate::text::{ingest, ingest_multiline};

/// Notes are notes: long enough for a visit report.
const MAX_TEXT: usize = 4000;
/// Decision and document numbers, names of units.
const MAX_SHORT: usize = 300;

/// The five kinds of record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectKind {
    Adjustment,
    Visit,
    Acceptance,
    Payment,
    /// Results at acceptance.
    Result,
    /// Results at a later evaluation.
    Evaluation,
}

impl ProjectKind {
    /// The string-table key of its name ("điều chỉnh", "kiểm tra/giám sát" …).
    pub fn label_key(self) -> &'static str {
        match self {
            ProjectKind::Adjustment => "project.kind.adjustment",
            ProjectKind::Visit => "project.kind.visit",
            ProjectKind::Acceptance => "project.kind.acceptance",
            ProjectKind::Payment => "project.kind.payment",
            ProjectKind::Result => "project.kind.result",
            ProjectKind::Evaluation => "project.kind.evaluation",
        }
    }

    /// Whether a record of this kind may be added to a đề án in `status`: only after
    /// approval (approved, under way, completed, stopped); an acceptance only once it is
    /// under way (or to accept it again once completed).
    pub fn allowed_in(self, status: ProposalStatus) -> bool {
        use ProposalStatus as S;
        match self {
            ProjectKind::Acceptance => matches!(status, S::DangThucHien | S::HoanThanh),
            _ => matches!(
                status,
                S::PheDuyet | S::DangThucHien | S::HoanThanh | S::Dung
            ),
        }
    }

    /// Whether a person in `role` may add a record of this kind (the scope is checked
    /// apart): visits and evaluations by anyone at the facility, the rest by the province.
    pub fn allowed_for(self, role: Role) -> bool {
        matches!(self, ProjectKind::Visit | ProjectKind::Evaluation) || role == Role::Province
    }
}

/// Why the store refuses a đề án record (after the fields were found valid).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "refusal", rename_all = "snake_case")]
pub enum ProjectRefusal {
    /// The đề án is not at a stage that takes this record.
    #[error("a {kind:?} cannot be recorded on a proposal that is {status:?}")]
    Stage {
        kind: ProjectKind,
        status: ProposalStatus,
    },
    /// Only the province records this.
    #[error("only the province records a {kind:?}")]
    ProvinceOnly { kind: ProjectKind },
    /// The đề án has no approved support to pay against.
    #[error("the proposal has no approved support")]
    NoApprovedSupport,
    /// The payment would take the sum paid above the approved (adjusted) support.
    #[error("paid {paid} + {amount} exceeds the approved {approved}")]
    OverPaid {
        paid: i64,
        amount: i64,
        approved: i64,
    },
    /// A payment or result for a facility that is not a beneficiary of the đề án.
    #[error("{facility} is not a beneficiary")]
    NotABeneficiary { facility: String },
    /// The payment would take the sum paid to one beneficiary above its share of the
    /// approved support.
    #[error("paid {facility} {paid} + {amount} exceeds its share {share}")]
    OverShare {
        facility: String,
        paid: i64,
        amount: i64,
        share: i64,
    },
}

// ------------------------------------------------------------------------------------------
// Codes

/// Nghiệm thu: đạt / không đạt / đạt có điều kiện.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AcceptanceResult {
    Dat,
    KhongDat,
    DatCoDieuKien,
}

/// Tạm ứng / thanh toán / quyết toán.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PaymentKind {
    TamUng,
    ThanhToan,
    QuyetToan,
}

/// When results are counted: at acceptance, or at a later evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ResultStage {
    NghiemThu,
    DanhGia,
}

// Each accepts its code (any case, `_` or `-` or a space) or the words people type.
super::code_list::code_list! {
    AcceptanceResult, code, loose = true;
    Dat => "DAT", "project.result.dat", ["passed", "pass"];
    KhongDat => "KHONG_DAT", "project.result.khong_dat", ["failed", "fail", "not passed"];
    DatCoDieuKien => "DAT_CO_DIEU_KIEN", "project.result.dat_co_dieu_kien",
        ["conditional", "passed with conditions", "dat co dk"];
}

super::code_list::code_list! {
    PaymentKind, code, loose = true;
    TamUng => "TAM_UNG", "project.pay.tam_ung", ["advance"];
    ThanhToan => "THANH_TOAN", "project.pay.thanh_toan", ["payment"];
    QuyetToan => "QUYET_TOAN", "project.pay.quyet_toan", ["settlement", "final"];
}

super::code_list::code_list! {
    ResultStage, code, loose = true;
    NghiemThu => "NGHIEM_THU", "project.stage.nghiem_thu", ["acceptance"];
    DanhGia => "DANH_GIA", "project.stage.danh_gia", ["evaluation", "danh gia hieu qua"];
}

// ------------------------------------------------------------------------------------------
// Field readers

/// A required date (empty: `today`) that is not in the future.
fn past_date(issues: &mut Issues, key: &'static str, raw: &str, today: NaiveDate) -> NaiveDate {
    if ingest(raw).is_empty() {
        return today;
    }
    match date_field(issues, key, raw, today) {
        Some(d) if d > today => {
            issues.push(FieldIssue::error(
                key,
                Problem::DateInFuture { date: dmy(d) },
            ));
            today
        }
        Some(d) => d,
        None => today,
    }
}

pub(crate) fn short_text(
    issues: &mut Issues,
    key: &'static str,
    raw: &str,
    required: bool,
) -> String {
    let v = ingest(raw);
    if v.is_empty() && required {
        issues.push(FieldIssue::error(key, Problem::Required));
    } else if v.chars().count() > MAX_SHORT {
        issues.push(FieldIssue::error(key, Problem::TooLong { max: MAX_SHORT }));
    }
    v
}

pub(crate) fn long_text(
    issues: &mut Issues,
    key: &'static str,
    raw: &str,
    required: bool,
) -> String {
    let v = ingest_multiline(raw);
    if v.is_empty() && required {
        issues.push(FieldIssue::error(key, Problem::Required));
    } else if v.chars().count() > MAX_TEXT {
        issues.push(FieldIssue::error(key, Problem::TooLong { max: MAX_TEXT }));
    }
    v
}

/// Money that may be left empty.
pub(crate) fn opt_money(issues: &mut Issues, key: &'static str, raw: &str) -> Option<i64> {
    if ingest(raw).is_empty() {
        return None;
    }
    let before = issues.0.len();
    let v = money_field(issues, key, raw, true);
    (issues.0.len() == before).then_some(v)
}

/// A count of people that may be left empty (`1.200` reads as 1200).
pub(crate) fn opt_count(issues: &mut Issues, key: &'static str, raw: &str) -> Option<i64> {
    let v = ingest(raw);
    if v.is_empty() {
        return None;
    }
    match v.replace('.', "").parse::<i64>() {
        Ok(n) if n < 0 => {
            issues.push(FieldIssue::error(key, Problem::Negative));
            None
        }
        Ok(n) => Some(n),
        Err(_) => {
            issues.push(FieldIssue::error(
                key,
                Problem::NotAWholeNumber { value: v },
            ));
            None
        }
    }
}

fn code_field<T: super::code_list::CodeList>(
    issues: &mut Issues,
    key: &'static str,
    raw: &str,
) -> Option<T> {
    let v = ingest(raw);
    if v.is_empty() {
        issues.push(FieldIssue::error(key, Problem::Required));
        return None;
    }
    let found = T::parse(&v);
    if found.is_none() {
        issues.push(FieldIssue::error(key, Problem::UnknownCode { code: v }));
    }
    found
}

pub(crate) fn done<T>(issues: Issues, data: Option<T>) -> Result<(T, Issues), Issues> {
    match data {
        Some(d) if !issues.has_errors() => Ok((d, issues)),
        _ => Err(issues),
    }
}

// ------------------------------------------------------------------------------------------
// Adjustment

/// Read from a received record too (its fields as text; others ignored).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct AdjustmentInput {
    pub decision_no: String,
    pub date: String,
    pub new_support: String,
    pub new_end: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdjustmentData {
    pub decision_no: String,
    #[serde(serialize_with = "ser_date")]
    pub date: NaiveDate,
    pub new_support: Option<i64>,
    #[serde(serialize_with = "ser_opt_date")]
    pub new_end: Option<NaiveDate>,
    pub reason: String,
}

pub fn validate_adjustment(
    input: &AdjustmentInput,
    today: NaiveDate,
) -> Result<(AdjustmentData, Issues), Issues> {
    let mut issues = Issues::default();
    let decision_no = short_text(&mut issues, "decision_no", &input.decision_no, true);
    let date = past_date(&mut issues, "date", &input.date, today);
    let new_support = opt_money(&mut issues, "new_support", &input.new_support);
    let new_end = date_field(&mut issues, "new_end", &input.new_end, today);
    if new_end.is_some_and(|e| e < date) {
        issues.push(FieldIssue::error(
            "new_end",
            Problem::BeforeDate { date: dmy(date) },
        ));
    }
    if ingest(&input.new_support).is_empty() && ingest(&input.new_end).is_empty() {
        issues.push(FieldIssue::error("new_support", Problem::AdjustmentEmpty));
    }
    let reason = long_text(&mut issues, "reason", &input.reason, true);
    let data = AdjustmentData {
        decision_no,
        date,
        new_support,
        new_end,
        reason,
    };
    done(issues, Some(data))
}

// ------------------------------------------------------------------------------------------
// Visit

/// Read from a received record too (its fields as text; others ignored).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct VisitInput {
    pub date: String,
    /// Who went (names).
    pub visitor: String,
    /// What was checked.
    pub checked: String,
    /// `40`, `40%`.
    pub progress_pct: String,
    pub findings: String,
    pub follow_up_date: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VisitData {
    #[serde(serialize_with = "ser_date")]
    pub date: NaiveDate,
    pub visitor: String,
    pub checked: String,
    pub progress_pct: Option<i64>,
    pub findings: String,
    #[serde(serialize_with = "ser_opt_date")]
    pub follow_up_date: Option<NaiveDate>,
}

pub fn validate_visit(input: &VisitInput, today: NaiveDate) -> Result<(VisitData, Issues), Issues> {
    let mut issues = Issues::default();
    let date = past_date(&mut issues, "date", &input.date, today);
    let visitor = short_text(&mut issues, "visitor", &input.visitor, true);
    let checked = long_text(&mut issues, "checked", &input.checked, false);
    let pct_raw = ingest(&input.progress_pct);
    let progress_pct = if pct_raw.is_empty() {
        None
    } else {
        match pct_raw.trim_end_matches('%').trim().parse::<i64>() {
            Ok(n) if (0..=100).contains(&n) => Some(n),
            Ok(_) => {
                issues.push(FieldIssue::error("progress_pct", Problem::PercentRange));
                None
            }
            Err(_) => {
                issues.push(FieldIssue::error(
                    "progress_pct",
                    Problem::NotAWholeNumber { value: pct_raw },
                ));
                None
            }
        }
    };
    let findings = long_text(&mut issues, "findings", &input.findings, false);
    let follow_up_date = date_field(&mut issues, "follow_up_date", &input.follow_up_date, today);
    if follow_up_date.is_some_and(|f| f < date) {
        issues.push(FieldIssue::error(
            "follow_up_date",
            Problem::BeforeDate { date: dmy(date) },
        ));
    }
    let data = VisitData {
        date,
        visitor,
        checked,
        progress_pct,
        findings,
        follow_up_date,
    };
    done(issues, Some(data))
}

// ------------------------------------------------------------------------------------------
// Acceptance

/// Read from a received record too (its fields as text; others ignored).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct AcceptanceInput {
    pub date: String,
    /// The units taking part (Sở, the commune, the beneficiary …).
    pub units: String,
    /// `DAT`, `đạt`, `không đạt`, `đạt có điều kiện`.
    pub result: String,
    pub actual_total: String,
    pub actual_support: String,
    pub actual_counterpart: String,
    pub actual_other: String,
    pub notes: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AcceptanceData {
    #[serde(serialize_with = "ser_date")]
    pub date: NaiveDate,
    pub units: String,
    pub result: AcceptanceResult,
    pub actual_total: i64,
    pub actual_support: i64,
    pub actual_counterpart: i64,
    pub actual_other: i64,
    pub notes: String,
}

/// The actual cost must add up as a proposal's does: total = support + counterpart + other
/// (empty parts count as 0); the problem names both figures.
pub fn validate_acceptance(
    input: &AcceptanceInput,
    today: NaiveDate,
) -> Result<(AcceptanceData, Issues), Issues> {
    let mut issues = Issues::default();
    let date = past_date(&mut issues, "date", &input.date, today);
    let units = long_text(&mut issues, "units", &input.units, true);
    let result = code_field::<AcceptanceResult>(&mut issues, "result", &input.result);
    let keys = [
        "actual_total",
        "actual_support",
        "actual_counterpart",
        "actual_other",
    ];
    let raws = [
        &input.actual_total,
        &input.actual_support,
        &input.actual_counterpart,
        &input.actual_other,
    ];
    let mut v = [0i64; 4];
    for (i, (k, raw)) in keys.iter().zip(raws).enumerate() {
        v[i] = money_field(&mut issues, k, raw, i < 2);
    }
    if keys.iter().all(|k| issues.for_field(k).next().is_none()) {
        match v[1].checked_add(v[2]).and_then(|s| s.checked_add(v[3])) {
            Some(parts) if parts == v[0] => {}
            Some(parts) => issues.push(FieldIssue::error(
                "actual_total",
                Problem::SumMismatch { total: v[0], parts },
            )),
            None => issues.push(FieldIssue::error("actual_total", Problem::TooLarge)),
        }
    }
    let notes = long_text(&mut issues, "notes", &input.notes, false);
    let data = result.map(|result| AcceptanceData {
        date,
        units,
        result,
        actual_total: v[0],
        actual_support: v[1],
        actual_counterpart: v[2],
        actual_other: v[3],
        notes,
    });
    done(issues, data)
}

// ------------------------------------------------------------------------------------------
// Payment

/// Read from a received record too (its fields as text; others ignored).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct PaymentInput {
    pub date: String,
    pub amount: String,
    /// `TAM_UNG`, `tạm ứng`, `thanh toán`, `quyết toán`.
    pub kind: String,
    pub doc_no: String,
    pub notes: String,
    /// The beneficiary paid, for a group đề án (empty: the đề án as a whole).
    #[serde(alias = "facility_id")]
    pub facility: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaymentData {
    #[serde(serialize_with = "ser_date")]
    pub date: NaiveDate,
    pub amount: i64,
    pub kind: PaymentKind,
    pub doc_no: String,
    pub notes: String,
    /// Named as the record's field; left out for the đề án as a whole.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facility_id: Option<String>,
}

/// The beneficiary a payment or result names, if any.
fn facility_field(raw: &str) -> Option<String> {
    Some(ingest(raw)).filter(|f| !f.is_empty())
}

pub fn validate_payment(
    input: &PaymentInput,
    today: NaiveDate,
) -> Result<(PaymentData, Issues), Issues> {
    let mut issues = Issues::default();
    let date = past_date(&mut issues, "date", &input.date, today);
    let before = issues.0.len();
    let amount = money_field(&mut issues, "amount", &input.amount, true);
    if issues.0.len() == before && amount == 0 {
        issues.push(FieldIssue::error("amount", Problem::Required));
    }
    let kind = code_field::<PaymentKind>(&mut issues, "kind", &input.kind);
    let doc_no = short_text(&mut issues, "doc_no", &input.doc_no, false);
    let notes = long_text(&mut issues, "notes", &input.notes, false);
    let data = kind.map(|kind| PaymentData {
        date,
        amount,
        kind,
        doc_no,
        notes,
        facility_id: facility_field(&input.facility),
    });
    done(issues, data)
}

// ------------------------------------------------------------------------------------------
// Results

/// Read from a received record too (its fields as text; others ignored).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct ResultInput {
    /// `NGHIEM_THU` (at acceptance) or `DANH_GIA` (a later evaluation).
    pub stage: String,
    pub date: String,
    pub jobs_created: String,
    pub workers_trained: String,
    pub revenue_before: String,
    pub revenue_after: String,
    pub products: String,
    pub equipment_in_use: String,
    pub notes: String,
    /// The beneficiary the results are for, in a group đề án (empty: the whole đề án).
    #[serde(alias = "facility_id")]
    pub facility: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResultData {
    pub stage: ResultStage,
    #[serde(serialize_with = "ser_date")]
    pub date: NaiveDate,
    pub jobs_created: Option<i64>,
    pub workers_trained: Option<i64>,
    pub revenue_before: Option<i64>,
    pub revenue_after: Option<i64>,
    pub products: String,
    pub equipment_in_use: String,
    pub notes: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facility_id: Option<String>,
}

impl ResultData {
    /// Which kind of record this is for the rules of who may add it.
    pub fn kind(&self) -> ProjectKind {
        match self.stage {
            ResultStage::NghiemThu => ProjectKind::Result,
            ResultStage::DanhGia => ProjectKind::Evaluation,
        }
    }
}

pub fn validate_result(
    input: &ResultInput,
    today: NaiveDate,
) -> Result<(ResultData, Issues), Issues> {
    let mut issues = Issues::default();
    let stage = code_field::<ResultStage>(&mut issues, "stage", &input.stage);
    let date = past_date(&mut issues, "date", &input.date, today);
    let jobs_created = opt_count(&mut issues, "jobs_created", &input.jobs_created);
    let workers_trained = opt_count(&mut issues, "workers_trained", &input.workers_trained);
    let revenue_before = opt_money(&mut issues, "revenue_before", &input.revenue_before);
    let revenue_after = opt_money(&mut issues, "revenue_after", &input.revenue_after);
    let products = long_text(&mut issues, "products", &input.products, false);
    let equipment_in_use = long_text(
        &mut issues,
        "equipment_in_use",
        &input.equipment_in_use,
        false,
    );
    let notes = long_text(&mut issues, "notes", &input.notes, false);
    let data = stage.map(|stage| ResultData {
        stage,
        date,
        jobs_created,
        workers_trained,
        revenue_before,
        revenue_after,
        products,
        equipment_in_use,
        notes,
        facility_id: facility_field(&input.facility),
    });
    done(issues, data)
}

/// A monitoring visit whose follow-up date is still open, on the agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VisitDue {
    pub bucket: super::consultation::AgendaBucket,
    /// Days past the due date (0 unless overdue).
    pub days_late: i64,
    pub visit: crate::record::VisitRecord,
    pub proposal_title: String,
    pub facility_name: String,
}

/// The i18n label key of a field of any of the five records.
pub fn field_label_key(key: &str) -> Option<&'static str> {
    Some(match key {
        "decision_no" => "project.field.decision_no",
        "date" => "project.field.date",
        "new_support" => "project.field.new_support",
        "new_end" => "project.field.new_end",
        "reason" => "project.field.reason",
        "visitor" => "project.field.visitor",
        "checked" => "project.field.checked",
        "progress_pct" => "project.field.progress_pct",
        "findings" => "project.field.findings",
        "follow_up_date" => "project.field.follow_up_date",
        "units" => "project.field.units",
        "result" => "project.field.result",
        "actual_total" => "project.field.actual_total",
        "actual_support" => "project.field.actual_support",
        "actual_counterpart" => "project.field.actual_counterpart",
        "actual_other" => "project.field.actual_other",
        "notes" => "project.field.notes",
        "amount" => "project.field.amount",
        "kind" => "project.field.kind",
        "doc_no" => "project.field.doc_no",
        "stage" => "project.field.stage",
        "jobs_created" => "project.field.jobs_created",
        "workers_trained" => "project.field.workers_trained",
        "revenue_before" => "project.field.revenue_before",
        "revenue_after" => "project.field.revenue_after",
        "products" => "project.field.products",
        "equipment_in_use" => "project.field.equipment_in_use",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 3, 10).unwrap()
    }

    #[test]
    fn money_and_dates_read_as_typed() {
        let (p, _) = validate_payment(
            &PaymentInput {
                date: "15/1/27".into(),
                amount: "300tr".into(),
                kind: "tạm ứng".into(),
                ..Default::default()
            },
            today(),
        )
        .unwrap();
        assert_eq!(p.amount, 300_000_000);
        assert_eq!(p.kind, PaymentKind::TamUng);
        assert_eq!(p.date, NaiveDate::from_ymd_opt(2027, 1, 15).unwrap());
        let (v, _) = validate_visit(
            &VisitInput {
                visitor: "Lê Thị Hoa".into(),
                progress_pct: "40%".into(),
                follow_up_date: "+7".into(),
                ..Default::default()
            },
            today(),
        )
        .unwrap();
        assert_eq!(v.progress_pct, Some(40));
        assert_eq!(v.follow_up_date, NaiveDate::from_ymd_opt(2027, 3, 17));
    }

    #[test]
    fn each_bad_field_is_named() {
        let issues = validate_visit(
            &VisitInput {
                progress_pct: "140".into(),
                date: "+3".into(),
                ..Default::default()
            },
            today(),
        )
        .unwrap_err();
        let fields: Vec<_> = issues.errors().map(|i| i.field).collect();
        assert_eq!(fields, ["date", "visitor", "progress_pct"]);
        let issues = validate_adjustment(
            &AdjustmentInput {
                decision_no: "12/QĐ-SCT".into(),
                reason: "Giá thiết bị tăng".into(),
                ..Default::default()
            },
            today(),
        )
        .unwrap_err();
        assert_eq!(
            issues.errors().next().map(|i| &i.problem),
            Some(&Problem::AdjustmentEmpty)
        );
    }

    #[test]
    fn acceptance_parts_must_add_up_and_the_figures_are_named() {
        let issues = validate_acceptance(
            &AcceptanceInput {
                units: "Sở Công Thương, UBND xã, HTX".into(),
                result: "đạt có điều kiện".into(),
                actual_total: "1 tỷ 250 triệu".into(),
                actual_support: "250tr".into(),
                actual_counterpart: "900tr".into(),
                ..Default::default()
            },
            today(),
        )
        .unwrap_err();
        assert_eq!(
            issues.errors().next().map(|i| (i.field, &i.problem)),
            Some((
                "actual_total",
                &Problem::SumMismatch {
                    total: 1_250_000_000,
                    parts: 1_150_000_000
                }
            ))
        );
    }

    #[test]
    fn codes_read_with_or_without_marks() {
        assert_eq!(
            AcceptanceResult::parse("khong dat"),
            Some(AcceptanceResult::KhongDat)
        );
        assert_eq!(AcceptanceResult::parse("DAT"), Some(AcceptanceResult::Dat));
        assert_eq!(ResultStage::parse("đánh giá"), Some(ResultStage::DanhGia));
        assert_eq!(
            PaymentKind::parse("QUYET_TOAN"),
            Some(PaymentKind::QuyetToan)
        );
        assert_eq!(PaymentKind::parse("tiền mặt"), None);
    }

    #[test]
    fn who_and_when() {
        use ProposalStatus as S;
        assert!(ProjectKind::Visit.allowed_for(Role::Commune));
        assert!(ProjectKind::Evaluation.allowed_for(Role::Commune));
        assert!(!ProjectKind::Payment.allowed_for(Role::Commune));
        assert!(ProjectKind::Payment.allowed_for(Role::Province));
        assert!(!ProjectKind::Visit.allowed_in(S::DaGuiTinh));
        assert!(!ProjectKind::Payment.allowed_in(S::KhongDuyet));
        assert!(!ProjectKind::Acceptance.allowed_in(S::PheDuyet));
        assert!(ProjectKind::Acceptance.allowed_in(S::DangThucHien));
    }
}
