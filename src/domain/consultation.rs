//! The consultation (ghi nhận làm việc / tư vấn): a collaborator's record of working with a
//! facility, its follow-up, and the agenda those follow-ups make.
//!
//! Consultations are history: after a grace period they are never edited, only corrected by
//! amendments that are kept beside the original (see `store::consultations`).

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Serialize, Serializer};

use super::issue::{FieldIssue, Issues, Problem};
use crate::refdata::{codes, CodeList};
use crate::text::{ingest, ingest_multiline};

/// Multi-line text fields are notes, not essays: long enough for a visit report.
const MAX_TEXT: usize = 4000;
/// No consultation predates the programme's modern form (NĐ 134/2004); older dates are typos.
const EARLIEST_YEAR: i32 = 2000;

super::code_list::keyed_enum! {
    /// The fields of a consultation, in form order. The key is also the change-log field name.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
    pub enum ConsultationField {
        Facility => "facility_id", "consult.field.facility";
        Date => "date", "consult.field.date";
        Mode => "mode", "consult.field.mode";
        Topics => "topics", "consult.field.topics";
        Difficulties => "difficulties", "consult.field.difficulties";
        Needs => "needs", "consult.field.needs";
        Advice => "advice", "consult.field.advice";
        NextStep => "next_step", "consult.field.next_step";
        FollowUpDate => "follow_up_date", "consult.field.follow_up_date";
    }
}

impl ConsultationField {
    /// Whether an amendment may correct it: the facility is fixed (record it again on the
    /// right one), and the follow-up date moves by rescheduling, which the agenda follows.
    pub fn amendable(self) -> bool {
        !matches!(
            self,
            ConsultationField::Facility | ConsultationField::FollowUpDate
        )
    }
}

/// The validated content of a consultation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsultationData {
    pub facility_id: String,
    #[serde(serialize_with = "ser_date")]
    pub date: NaiveDate,
    /// A code of `consultation_modes.csv`.
    pub mode: String,
    /// Codes of `support_categories.csv`, in list order, no repeats.
    pub topics: Vec<String>,
    pub difficulties: String,
    pub needs: String,
    pub advice: String,
    pub next_step: String,
    #[serde(serialize_with = "ser_opt_date")]
    pub follow_up_date: Option<NaiveDate>,
}

/// Dates travel as ISO `yyyy-mm-dd` (JSON, the database); people see `dd/mm/yyyy`.
pub fn ser_date<S: Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&iso(*d))
}

pub fn ser_opt_date<S: Serializer>(d: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_str(&iso(*d)),
        None => s.serialize_none(),
    }
}

/// `2026-11-25`.
pub fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// `25/11/2026`, the way dates are shown.
pub fn dmy(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// A date as people type it: `25/11/2026`, `25-11-2026`, `25.11.2026`, `5/1/2026`, or ISO
/// `2026-11-25`. Two-digit years are refused (ambiguous).
pub fn parse_date(raw: &str) -> Option<NaiveDate> {
    let t = raw.trim();
    let parts: Vec<&str> = t.split(['/', '-', '.']).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    if !parts
        .iter()
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let n = |s: &str| s.parse::<u32>().ok();
    if a.len() == 4 {
        NaiveDate::from_ymd_opt(a.parse().ok()?, n(b)?, n(c)?)
    } else if c.len() == 4 && a.len() <= 2 && b.len() <= 2 {
        NaiveDate::from_ymd_opt(c.parse().ok()?, n(b)?, n(a)?)
    } else {
        None
    }
}

/// Most days a relative date (`+7`) may reach: further is a typo.
const MAX_OFFSET_DAYS: i64 = 3660;

/// A date as a person types it into a form or on the command line: everything
/// [`parse_date`] reads, a two-digit year meaning 20yy (`15/1/27`), and days from `today`
/// (`+7`, `-3`). Stored data keeps the strict [`parse_date`].
pub fn parse_typed_date(raw: &str, today: NaiveDate) -> Option<NaiveDate> {
    let t = raw.trim();
    if let Some((sign, n)) = t
        .strip_prefix('+')
        .map(|n| (1, n))
        .or_else(|| t.strip_prefix('-').map(|n| (-1, n)))
    {
        let n = n.trim();
        if n.is_empty() || n.len() > 4 || !n.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let days: i64 = n.parse().ok()?;
        if days > MAX_OFFSET_DAYS {
            return None;
        }
        return today.checked_add_signed(Duration::days(sign * days));
    }
    if let Some(d) = parse_date(t) {
        return Some(d);
    }
    let parts: Vec<&str> = t.split(['/', '-', '.']).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let num = |s: &str| {
        (!s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    if c.len() != 2 {
        return None;
    }
    NaiveDate::from_ymd_opt(2000 + num(c)? as i32, num(b)?, num(a)?)
}

impl ConsultationData {
    /// Each field as JSON, keyed like [`ConsultationField::key`]; the change log and the
    /// amendments diff these.
    pub fn field_value(&self, f: ConsultationField) -> serde_json::Value {
        use serde_json::json;
        match f {
            ConsultationField::Facility => json!(self.facility_id),
            ConsultationField::Date => json!(iso(self.date)),
            ConsultationField::Mode => json!(self.mode),
            ConsultationField::Topics => json!(self.topics),
            ConsultationField::Difficulties => json!(self.difficulties),
            ConsultationField::Needs => json!(self.needs),
            ConsultationField::Advice => json!(self.advice),
            ConsultationField::NextStep => json!(self.next_step),
            ConsultationField::FollowUpDate => json!(self.follow_up_date.map(iso)),
        }
    }

    /// Field → [old, new] for every field that differs; `None` old means creation (empty
    /// values are then left out).
    pub fn diff(
        old: Option<&ConsultationData>,
        new: &ConsultationData,
    ) -> serde_json::Map<String, serde_json::Value> {
        let mut out = serde_json::Map::new();
        for f in ConsultationField::ALL {
            let nv = new.field_value(f);
            let ov = old.map_or(serde_json::Value::Null, |o| o.field_value(f));
            let empty_new = match &nv {
                serde_json::Value::Null => true,
                serde_json::Value::String(s) => s.is_empty(),
                serde_json::Value::Array(a) => a.is_empty(),
                _ => false,
            };
            if ov != nv && !(old.is_none() && empty_new) {
                out.insert(f.key().to_string(), serde_json::json!([ov, nv]));
            }
        }
        out
    }

    /// Sets one field from its JSON form (as written by [`Self::field_value`]): replays an
    /// amendment. Unknown keys and malformed values are ignored, so an old amendment never
    /// makes a record unreadable.
    pub fn apply(&mut self, key: &str, v: &serde_json::Value) {
        let Some(f) = ConsultationField::from_key(key) else {
            return;
        };
        let text = v.as_str();
        match f {
            ConsultationField::Date => {
                if let Some(d) = text.and_then(parse_date) {
                    self.date = d;
                }
            }
            ConsultationField::Topics => {
                if let Some(a) = v.as_array() {
                    self.topics = a
                        .iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect();
                }
            }
            ConsultationField::FollowUpDate => self.follow_up_date = text.and_then(parse_date),
            _ => {
                if let (Some(slot), Some(s)) = (self.text_mut(f), text) {
                    *slot = s.to_string();
                }
            }
        }
    }

    /// The field's value, for the fields that are plain text.
    fn text_mut(&mut self, f: ConsultationField) -> Option<&mut String> {
        match f {
            ConsultationField::Facility => Some(&mut self.facility_id),
            ConsultationField::Mode => Some(&mut self.mode),
            ConsultationField::Difficulties => Some(&mut self.difficulties),
            ConsultationField::Needs => Some(&mut self.needs),
            ConsultationField::Advice => Some(&mut self.advice),
            ConsultationField::NextStep => Some(&mut self.next_step),
            ConsultationField::Date
            | ConsultationField::Topics
            | ConsultationField::FollowUpDate => None,
        }
    }
}

/// A consultation as typed: every value still text. An empty date means today.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConsultationInput {
    /// The facility's full id (front ends resolve short ids first).
    pub facility_id: String,
    pub date: String,
    pub mode: String,
    /// Codes (or labels) separated by commas, semicolons or spaces; `KC6` and `6` mean `KC06`.
    pub topics: String,
    pub difficulties: String,
    pub needs: String,
    pub advice: String,
    pub next_step: String,
    pub follow_up_date: String,
}

impl ConsultationInput {
    /// The form's starting values for a stored consultation.
    pub fn from_data(d: &ConsultationData) -> Self {
        ConsultationInput {
            facility_id: d.facility_id.clone(),
            date: dmy(d.date),
            mode: d.mode.clone(),
            topics: d.topics.join(", "),
            difficulties: d.difficulties.clone(),
            needs: d.needs.clone(),
            advice: d.advice.clone(),
            next_step: d.next_step.clone(),
            follow_up_date: d.follow_up_date.map(dmy).unwrap_or_default(),
        }
    }
}

/// A partial change: `Some` fields replace the stored ones (an edit or an amendment).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConsultationPatch {
    pub date: Option<String>,
    pub mode: Option<String>,
    pub topics: Option<String>,
    pub difficulties: Option<String>,
    pub needs: Option<String>,
    pub advice: Option<String>,
    pub next_step: Option<String>,
    /// Only an edit within the grace period may set it; an empty string clears it.
    pub follow_up_date: Option<String>,
}

impl ConsultationPatch {
    /// `base` with this patch laid over it.
    pub fn over(&self, base: &ConsultationData) -> ConsultationInput {
        let mut i = ConsultationInput::from_data(base);
        let set = |slot: &mut String, v: &Option<String>| {
            if let Some(v) = v {
                slot.clone_from(v);
            }
        };
        set(&mut i.date, &self.date);
        set(&mut i.mode, &self.mode);
        set(&mut i.topics, &self.topics);
        set(&mut i.difficulties, &self.difficulties);
        set(&mut i.needs, &self.needs);
        set(&mut i.advice, &self.advice);
        set(&mut i.next_step, &self.next_step);
        set(&mut i.follow_up_date, &self.follow_up_date);
        i
    }

    pub fn is_empty(&self) -> bool {
        *self == ConsultationPatch::default()
    }
}

/// A code typed as its code (any case) or as its label in full (with or without tones).
pub(crate) fn lookup_code(list: &CodeList, raw: &str) -> Option<String> {
    let up = raw.to_uppercase();
    if list.contains(&up) {
        return Some(up);
    }
    let folded = crate::text::fold(raw);
    list.items()
        .iter()
        .find(|i| crate::text::fold(&i.label_vi) == folded || i.label_en.eq_ignore_ascii_case(raw))
        .map(|i| i.code.clone())
}

/// A support category: `KC06`, `kc6`, `6`, or the label.
fn lookup_topic(raw: &str) -> Option<String> {
    let list = &codes().support_categories;
    if let Some(c) = lookup_code(list, raw) {
        return Some(c);
    }
    let up = raw.to_uppercase();
    let digits = up.strip_prefix("KC").unwrap_or(&up);
    if !digits.is_empty() && digits.len() <= 2 && digits.bytes().all(|b| b.is_ascii_digit()) {
        let code = format!("KC{:0>2}", digits);
        if list.contains(&code) {
            return Some(code);
        }
    }
    None
}

/// Support category codes from a typed list; unknown ones are reported, repeats dropped,
/// the rest in code-list order.
pub fn parse_topics(raw: &str, issues: &mut Issues) -> Vec<String> {
    let list = &codes().support_categories;
    let mut found = Vec::new();
    // A label contains spaces and commas, so try the whole text as one label first.
    let whole = ingest(raw);
    if whole.contains(' ') {
        if let Some(c) = lookup_code(list, &whole) {
            return vec![c];
        }
    }
    for part in whole.split([',', ';', ' ']).filter(|p| !p.is_empty()) {
        match lookup_topic(part) {
            Some(c) => found.push(c),
            None => issues.push(FieldIssue::error(
                "topics",
                Problem::UnknownCode {
                    code: part.to_string(),
                },
            )),
        }
    }
    let order = |c: &String| list.items().iter().position(|i| &i.code == c);
    found.sort_by_key(order);
    found.dedup();
    found
}

pub(crate) fn date_field(
    issues: &mut Issues,
    key: &'static str,
    raw: &str,
    today: NaiveDate,
) -> Option<NaiveDate> {
    let v = ingest(raw);
    if v.is_empty() {
        return None;
    }
    match parse_typed_date(&v, today) {
        None => {
            issues.push(FieldIssue::error(key, Problem::DateFormat { value: v }));
            None
        }
        Some(d) if d.year() < EARLIEST_YEAR => {
            issues.push(FieldIssue::error(
                key,
                Problem::YearTooOld { year: d.year() },
            ));
            None
        }
        // A follow-up years ahead is a typo for this year's date.
        Some(d) if d > today + Duration::days(5 * 366) => {
            issues.push(FieldIssue::error(
                key,
                Problem::YearInFuture { year: d.year() },
            ));
            None
        }
        Some(d) => Some(d),
    }
}

/// Turns typed values into a consultation, or says what is wrong, field by field. `today` is
/// the collaborator's local date (the default date; no consultation happens after it).
/// Warnings (needs recorded without a topic) come back beside the data.
pub fn validate(
    input: &ConsultationInput,
    today: NaiveDate,
) -> Result<(ConsultationData, Issues), Issues> {
    let mut issues = Issues::default();
    let facility_id = ingest(&input.facility_id);
    if facility_id.is_empty() {
        issues.push(FieldIssue::error("facility_id", Problem::Required));
    }

    let date = if ingest(&input.date).is_empty() {
        Some(today)
    } else {
        date_field(&mut issues, "date", &input.date, today)
    };
    if let Some(d) = date.filter(|d| *d > today) {
        issues.push(FieldIssue::error(
            "date",
            Problem::DateInFuture { date: dmy(d) },
        ));
    }

    let mode_raw = ingest(&input.mode);
    let mode = if mode_raw.is_empty() {
        issues.push(FieldIssue::error("mode", Problem::Required));
        String::new()
    } else {
        lookup_code(&codes().consultation_modes, &mode_raw).unwrap_or_else(|| {
            issues.push(FieldIssue::error(
                "mode",
                Problem::UnknownCode {
                    code: mode_raw.clone(),
                },
            ));
            String::new()
        })
    };

    let topics = parse_topics(&input.topics, &mut issues);

    let text = |issues: &mut Issues, key: &'static str, raw: &str| {
        let v = ingest_multiline(raw);
        if v.chars().count() > MAX_TEXT {
            issues.push(FieldIssue::error(key, Problem::TooLong { max: MAX_TEXT }));
        }
        v
    };
    let difficulties = text(&mut issues, "difficulties", &input.difficulties);
    let needs = text(&mut issues, "needs", &input.needs);
    let advice = text(&mut issues, "advice", &input.advice);
    let next_step = text(&mut issues, "next_step", &input.next_step);

    let follow_up_date = date_field(&mut issues, "follow_up_date", &input.follow_up_date, today);
    if let (Some(f), Some(d)) = (follow_up_date, date) {
        if f < d {
            issues.push(FieldIssue::error(
                "follow_up_date",
                Problem::BeforeDate { date: dmy(d) },
            ));
        }
    }

    // Allowed (a courtesy call has no topic), but needs without a topic fall outside every
    // group of the needs view: say so.
    if topics.is_empty()
        && (!needs.is_empty() || !difficulties.is_empty())
        && !issues.for_field("topics").any(|i| i.is_error())
    {
        issues.push(FieldIssue::warning("topics", Problem::NoTopic));
    }

    match date {
        Some(date) if !issues.has_errors() => Ok((
            ConsultationData {
                facility_id,
                date,
                mode,
                topics,
                difficulties,
                needs,
                advice,
                next_step,
                follow_up_date,
            },
            issues,
        )),
        _ => Err(issues),
    }
}

super::code_list::keyed_enum! {
    /// Where an open follow-up falls on the agenda (the label is the bucket's heading).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
    #[serde(rename_all = "snake_case")]
    pub enum AgendaBucket {
        Overdue => "overdue", "agenda.overdue";
        Today => "today", "agenda.today";
        ThisWeek => "this_week", "agenda.this_week";
        Later => "later", "agenda.later";
    }
}

impl AgendaBucket {
    /// The bucket of a follow-up due on `due`, seen on `today` (Vietnam local dates). "This
    /// week" is the rest of the current ISO week, Monday to Sunday.
    pub fn of(due: NaiveDate, today: NaiveDate) -> AgendaBucket {
        if due < today {
            AgendaBucket::Overdue
        } else if due == today {
            AgendaBucket::Today
        } else if due <= week_end(today) {
            AgendaBucket::ThisWeek
        } else {
            AgendaBucket::Later
        }
    }
}

/// The Sunday that ends `day`'s ISO week.
pub fn week_end(day: NaiveDate) -> NaiveDate {
    day + Duration::days(6 - i64::from(day.weekday().num_days_from_monday()))
}

/// Days between a due date and today, when the due date has passed.
pub fn days_late(due: NaiveDate, today: NaiveDate) -> i64 {
    (today - due).num_days().max(0)
}

/// Whether a follow-up still waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FollowUpStatus {
    Open,
    Done,
}

impl FollowUpStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            FollowUpStatus::Open => "open",
            FollowUpStatus::Done => "done",
        }
    }
    pub fn parse(s: &str) -> Option<FollowUpStatus> {
        match s {
            "open" => Some(FollowUpStatus::Open),
            "done" => Some(FollowUpStatus::Done),
            _ => None,
        }
    }
}

/// The agreed follow-up of a consultation: its current due date (after any rescheduling) and
/// how it ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FollowUp {
    #[serde(serialize_with = "ser_date")]
    pub due_date: NaiveDate,
    pub status: FollowUpStatus,
    /// The consultation it led to, when it was closed by one.
    pub outcome_id: Option<String>,
    /// The closing note.
    pub note: String,
    pub closed_at: Option<String>,
    pub closed_by: Option<String>,
    pub updated_at: String,
    pub version: i64,
}

/// How a follow-up is marked done: by the consultation it led to, with a note, or both.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FollowUpClose {
    /// A consultation id (full, or the short form a front end resolved).
    pub outcome_id: Option<String>,
    pub note: String,
}

/// A stored consultation. `data` holds the current values: the original with its
/// amendments applied (see [`ConsultationRecord`] for both).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Consultation {
    pub id: String,
    #[serde(flatten)]
    pub data: ConsultationData,
    pub facility_name: String,
    pub commune_code: String,
    /// Who worked with the facility (the profile that recorded it).
    pub collaborator_id: String,
    pub collaborator_name: String,
    pub created_at: String,
    pub created_by: String,
    pub updated_at: String,
    pub updated_by: String,
    pub version: i64,
    /// How many amendments correct it.
    pub amendments: i64,
    pub follow_up: Option<FollowUp>,
}

impl Consultation {
    pub fn open_follow_up(&self) -> Option<&FollowUp> {
        self.follow_up
            .as_ref()
            .filter(|f| f.status == FollowUpStatus::Open)
    }
}

/// A correction kept beside the original: who, when, why, and field → [old, new].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Amendment {
    pub id: String,
    pub consultation_id: String,
    pub at: String,
    pub actor_id: String,
    pub actor_name: String,
    pub reason: String,
    pub changes: serde_json::Map<String, serde_json::Value>,
}

/// A consultation as a screen shows it: the values as first recorded, each correction in
/// order, and the result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConsultationRecord {
    /// The consultation with its current values.
    pub consultation: Consultation,
    /// The values as recorded (never changed after the grace period).
    pub original: ConsultationData,
    pub amendments: Vec<Amendment>,
    /// Until when the author may still edit it in place (RFC 3339 UTC).
    pub editable_until: String,
    /// Whether the current profile may still edit it in place.
    pub editable: bool,
}

/// One open follow-up on the agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgendaItem {
    pub bucket: AgendaBucket,
    /// Days past the due date (0 unless overdue).
    pub days_late: i64,
    pub consultation: Consultation,
}

/// The open follow-ups of the collaborator's scope, by due date, each in its bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Agenda {
    #[serde(serialize_with = "ser_date")]
    pub today: NaiveDate,
    #[serde(serialize_with = "ser_date")]
    pub week_end: NaiveDate,
    /// The listed items (all of them, or a window per bucket: `Store::agenda_limited`).
    pub items: Vec<AgendaItem>,
    /// How many follow-ups each bucket holds, listed or not.
    pub counts: AgendaCounts,
    /// The đề án's monitoring visits whose follow-up is open (`Store::visit_follow_ups`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub visits: Vec<super::project::VisitDue>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct AgendaCounts {
    pub overdue: usize,
    pub today: usize,
    pub this_week: usize,
    pub later: usize,
}

impl Agenda {
    /// The listed items of one bucket.
    pub fn bucket(&self, b: AgendaBucket) -> impl Iterator<Item = &AgendaItem> {
        self.items.iter().filter(move |i| i.bucket == b)
    }
    /// How many follow-ups the bucket holds (listed or not).
    pub fn count(&self, b: AgendaBucket) -> usize {
        match b {
            AgendaBucket::Overdue => self.counts.overdue,
            AgendaBucket::Today => self.counts.today,
            AgendaBucket::ThisWeek => self.counts.this_week,
            AgendaBucket::Later => self.counts.later,
        }
    }
}

/// Difficulties and needs raised under one support category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NeedsGroup {
    /// The support category; None for consultations recorded without one.
    pub topic: Option<String>,
    /// How many distinct facilities raised something under it.
    pub facilities: usize,
    /// How many consultations raised something under it (`entries` may list only the newest).
    pub raised: usize,
    pub entries: Vec<NeedsEntry>,
}

/// What one consultation recorded, for the needs view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NeedsEntry {
    pub consultation_id: String,
    pub facility_id: String,
    pub facility_name: String,
    #[serde(serialize_with = "ser_date")]
    pub date: NaiveDate,
    pub difficulties: String,
    pub needs: String,
}

/// Groups consultations' difficulties and needs by topic (a consultation under several topics
/// counts in each): the groups raised by most facilities first, then in code-list order, the
/// group without a topic last; entries newest first. Consultations that recorded neither are
/// left out.
pub fn group_needs(consultations: &[Consultation], only_topic: Option<&str>) -> Vec<NeedsGroup> {
    use std::collections::{BTreeMap, HashSet};
    let mut groups: BTreeMap<Option<usize>, (HashSet<&str>, Vec<NeedsEntry>)> = BTreeMap::new();
    let list = &codes().support_categories;
    for c in consultations {
        let d = &c.data;
        if d.needs.is_empty() && d.difficulties.is_empty() {
            continue;
        }
        let keys: Vec<Option<usize>> = if d.topics.is_empty() {
            vec![None]
        } else {
            d.topics
                .iter()
                .map(|t| list.items().iter().position(|i| &i.code == t))
                .collect()
        };
        for k in keys {
            let topic = k.map(|i| list.items()[i].code.as_str());
            if only_topic.is_some() && topic != only_topic {
                continue;
            }
            let g = groups.entry(k).or_default();
            g.0.insert(d.facility_id.as_str());
            g.1.push(NeedsEntry {
                consultation_id: c.id.clone(),
                facility_id: d.facility_id.clone(),
                facility_name: c.facility_name.clone(),
                date: d.date,
                difficulties: d.difficulties.clone(),
                needs: d.needs.clone(),
            });
        }
    }
    order_needs_groups(
        groups
            .into_iter()
            .map(|(k, (facilities, mut entries))| {
                entries.sort_by(|a, b| {
                    b.date
                        .cmp(&a.date)
                        .then_with(|| b.consultation_id.cmp(&a.consultation_id))
                });
                let g = NeedsGroup {
                    topic: k.map(|i| list.items()[i].code.clone()),
                    facilities: facilities.len(),
                    raised: entries.len(),
                    entries,
                };
                (k, g)
            })
            .collect(),
    )
}

/// The groups of the needs view in their order: most facilities first, then code-list order
/// (`k`, the topic's index in the list), no topic last.
pub fn order_needs_groups(mut groups: Vec<(Option<usize>, NeedsGroup)>) -> Vec<NeedsGroup> {
    groups.sort_by(|(ka, a), (kb, b)| {
        ka.is_none()
            .cmp(&kb.is_none())
            .then(b.facilities.cmp(&a.facilities))
            .then(ka.cmp(kb))
    });
    groups.into_iter().map(|(_, g)| g).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn typed_dates_take_short_years_and_days_from_today() {
        let today = d(2026, 11, 25);
        assert_eq!(parse_typed_date("15/1/27", today), Some(d(2027, 1, 15)));
        assert_eq!(parse_typed_date("5-01-26", today), Some(d(2026, 1, 5)));
        assert_eq!(parse_typed_date("+7", today), Some(d(2026, 12, 2)));
        assert_eq!(parse_typed_date(" + 30 ", today), Some(d(2026, 12, 25)));
        assert_eq!(parse_typed_date("-3", today), Some(d(2026, 11, 22)));
        assert_eq!(parse_typed_date("+0", today), Some(today));
        // Everything the strict reader takes.
        assert_eq!(parse_typed_date("25/11/2026", today), Some(today));
        assert_eq!(parse_typed_date("2026-11-25", today), Some(today));
    }

    #[test]
    fn wrong_typed_dates_are_refused_with_the_field_named() {
        let today = d(2026, 11, 25);
        for bad in [
            "+", "+x", "+99999", "7+", "31/4/27", "15/13/27", "15/1/2", "15/1/270", "1/2/3/27",
            "hôm nay", "",
        ] {
            assert_eq!(parse_typed_date(bad, today), None, "{bad}");
        }
        // In a form the wrong text comes back as the field's message, naming what was typed.
        let input = ConsultationInput {
            facility_id: "f".into(),
            date: "+".into(),
            mode: "TRUC_TIEP".into(),
            ..Default::default()
        };
        let issues = validate(&input, today).expect_err("refused");
        assert!(issues
            .0
            .iter()
            .any(|i| i.field == "date" && i.problem == Problem::DateFormat { value: "+".into() }));
    }
}
