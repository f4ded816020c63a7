//! Validation findings, one per field. The core names the problem; the front ends word it
//! (see `words`), so the CLI, the import report and the form all say the same thing.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Refuses the save.
    Error,
    /// Shown, but the record can be saved ("có thể gõ nhầm").
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum Problem {
    Required,
    UnknownCommune {
        code: String,
    },
    CommuneOutOfScope {
        code: String,
    },
    UnknownCode {
        code: String,
    },
    TaxFormat,
    TaxBranchZero,
    TaxCheckDigit {
        expected: u32,
    },
    PhoneFormat,
    NotAWholeNumber {
        value: String,
    },
    Negative,
    YearInFuture {
        year: i32,
    },
    YearTooOld {
        year: i32,
    },
    OcopStars,
    UnknownStatus {
        value: String,
    },
    UnknownRole {
        value: String,
    },
    UnknownUnit {
        code: String,
    },
    ScopeShape,
    /// An area's communes lie in more than one province (named): an area is part of one.
    ScopeProvinces {
        provinces: String,
    },
    TooLong {
        max: usize,
    },
    NotABoolean {
        value: String,
    },
    /// Not a date in any accepted form (dd/mm/yyyy, ISO).
    DateFormat {
        value: String,
    },
    DateInFuture {
        date: String,
    },
    /// Earlier than the date it must follow (a follow-up before its consultation).
    BeforeDate {
        date: String,
    },
    /// Needs or difficulties recorded without a support category (a warning).
    NoTopic,
    /// Corrected another way (the follow-up date is rescheduled, not amended).
    NotAmendable,
    /// A consultation of another facility.
    OtherFacility,
    /// Not an amount of money (see `domain::money`).
    MoneyFormat {
        value: String,
    },
    /// An amount that reads two ways (`1,250`, `1.5 tỷ`).
    MoneyAmbiguous {
        value: String,
    },
    /// Not a whole number of đồng.
    MoneyNotWhole {
        value: String,
    },
    TooLarge,
    /// More support approved than the proposal asks for.
    OverAsked {
        approved: i64,
        asked: i64,
    },
    /// The parts of a proposal's money do not add up to its total cost.
    SumMismatch {
        total: i64,
        parts: i64,
    },
    /// Support over a cap (a warning): which cap, and the most it allows here.
    OverCap {
        category: String,
        percent: Option<u32>,
        max_vnd: Option<i64>,
        /// dd/mm/yyyy
        effective_date: String,
        limit: i64,
        /// The cap's legal source (document number, article).
        source: String,
    },
    /// No cap is known for the proposal's category and funding source in its province
    /// (a warning): the province has not loaded its table, or it has no row for this.
    NoCapKnown {
        category: String,
        /// As printed: `KCQG`, `KCĐP`.
        funding: String,
    },
    /// Eligibility (a warning): the facility's kind of entity is not recorded.
    EntityTypeMissing,
    /// Eligibility (a warning): the facility is paused or closed.
    FacilityNotActive {
        status: String,
    },
    /// Eligibility (a warning, NĐ 235/2025): a phường of a centrally-run city, outside a
    /// recognised craft village.
    CityWardOutsideCraftVillage {
        commune: String,
        province: String,
        /// dd/mm/yyyy: since when the province is a centrally-run city.
        city_since: String,
    },
    /// A percentage outside 0–100.
    PercentRange,
    /// An adjustment that changes neither the support nor the end date.
    AdjustmentEmpty,
    /// A pre-2025 commune split across several 2025 communes (their codes): which one is
    /// meant needs a person.
    OldCommuneSplit {
        old_code: String,
        candidates: Vec<String>,
    },
    /// A group đề án (issue 17) with fewer than two beneficiaries.
    GroupTooSmall,
    /// The same facility twice among a đề án's beneficiaries.
    BeneficiaryTwice {
        facility: String,
    },
    /// The beneficiaries' shares do not add up to the đề án's support (or counterpart).
    SharesMismatch {
        counterpart: bool,
        total: i64,
        shares: i64,
    },
    /// More attendees of a kind (women, ethnic minorities) than the unnamed attendees.
    OverCount {
        count: i64,
    },
    /// An attendee with neither a facility nor a name (`position` 1-based).
    AttendeeEmpty {
        position: usize,
    },
    /// The same facility listed again at `position` (1-based).
    AttendeeTwice {
        position: usize,
    },
    /// Not a gender (NAM, NU) at attendee `position`.
    AttendeeGender {
        position: usize,
        value: String,
    },
    /// Attendee `position` names a facility this database does not hold.
    AttendeeUnknownFacility {
        position: usize,
    },
    /// Not a pre-2025 commune code (in the old-code column).
    UnknownOldCommune {
        code: String,
    },
    /// No pre-2025 commune has these names (as written in the file); `matches` > 1 when
    /// several do.
    OldCommuneNotFound {
        commune: String,
        district: String,
        province: String,
        matches: usize,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldIssue {
    /// The field's stable key (also the import column name), e.g. "tax_code".
    pub field: &'static str,
    pub severity: Severity,
    #[serde(flatten)]
    pub problem: Problem,
}

impl FieldIssue {
    pub fn error(field: &'static str, problem: Problem) -> Self {
        Self {
            field,
            severity: Severity::Error,
            problem,
        }
    }
    pub fn warning(field: &'static str, problem: Problem) -> Self {
        Self {
            field,
            severity: Severity::Warning,
            problem,
        }
    }
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// The issues of one record; `errors()` non-empty means it must not be saved.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Issues(pub Vec<FieldIssue>);

impl Issues {
    pub fn push(&mut self, i: FieldIssue) {
        self.0.push(i);
    }
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(FieldIssue::is_error)
    }
    pub fn errors(&self) -> impl Iterator<Item = &FieldIssue> {
        self.0.iter().filter(|i| i.is_error())
    }
    pub fn warnings(&self) -> impl Iterator<Item = &FieldIssue> {
        self.0.iter().filter(|i| !i.is_error())
    }
    pub fn for_field<'a>(&'a self, field: &'a str) -> impl Iterator<Item = &'a FieldIssue> + 'a {
        self.0.iter().filter(move |i| i.field == field)
    }
}
