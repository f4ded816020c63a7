//! The activity form (F10, `n` or `e`): kind, title, dates, commune, place, organiser, cost,
//! and the attendee editor — facilities picked from the registry one after the other in a
//! searchable picker (choosing one again takes it away), named people one per line in the
//! syntax of `ctv activity --person` (`Tên;NU;dtts;CƠ SỞ`), and counts of those not listed
//! by name. A table of fields and an [`ActivityModel`] on the one form engine.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::form::commune_items;
use super::{Env, PickPurpose, ScreenCmd};
use crate::domain::activity::{
    field_label_key, parse_person_line, person_line, validate, ActivityInput, AttendeeInput,
};
use crate::domain::issue::{FieldIssue, Issues, Problem};
use crate::record::ActivityRecord;
use crate::refdata::codes;
use crate::store::{FacilityMatch, Store, StoreError};
use crate::ui::widgets::form::{
    code_list_items, FieldKind, FieldSpec, Form, FormModel, NoteRows, SaveOutcome, Stored, Value,
    Values,
};
use crate::ui::widgets::{clean, PickItem};
use crate::words::format::{commune_label, short_id, CommuneForm};
use crate::words::{tr, trf, Lang};

/// The named attendees: 3 to 8 rows while edited, up to 4 when not.
const PEOPLE: NoteRows = NoteRows {
    focused: (3, 8),
    idle: 4,
};
const NOTES: NoteRows = NoteRows {
    focused: (2, 4),
    idle: 2,
};

/// The field of the attendee facilities (the named people are `attendees`, where the core's
/// attendee problems are shown).
const FACILITIES: &str = "attendee_facilities";

fn specs() -> Vec<FieldSpec> {
    let label = |k: &str| field_label_key(k).unwrap_or("");
    vec![
        FieldSpec::new(
            "kind",
            label("kind"),
            FieldKind::Picker {
                purpose: PickPurpose::ActivityKind,
                clearable: false,
                hint: "ui.pform.pick_hint",
            },
        )
        .required(),
        FieldSpec::text("title", label("title"), 300).required(),
        FieldSpec::new("start_date", label("start_date"), FieldKind::Date).required(),
        FieldSpec::new("end_date", label("end_date"), FieldKind::Date),
        FieldSpec::new(
            "commune_code",
            label("commune_code"),
            FieldKind::Picker {
                purpose: PickPurpose::Commune,
                clearable: false,
                hint: "ui.pform.pick_hint",
            },
        )
        .required(),
        FieldSpec::text("place", label("place"), 300),
        FieldSpec::text("organiser", label("organiser"), 300),
        FieldSpec::new("cost", label("cost"), FieldKind::Money),
        FieldSpec::new(
            FACILITIES,
            "ui.activity.facilities",
            FieldKind::MultiSelect {
                purpose: PickPurpose::ActivityFacility,
                hint: "ui.activity.pick_facility_hint",
            },
        ),
        FieldSpec::notes("attendees", "ui.activity.people", PEOPLE),
        FieldSpec::text("unnamed_count", label("unnamed_count"), 7),
        FieldSpec::text("unnamed_women", label("unnamed_women"), 7),
        FieldSpec::text("unnamed_minority", label("unnamed_minority"), 7),
        FieldSpec::notes("notes", label("notes"), NOTES),
    ]
}

/// What saving does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActivityPurpose {
    New,
    Edit { id: String, version: i64 },
}

/// The activity side of the form.
#[derive(Debug)]
pub struct ActivityModel {
    purpose: ActivityPurpose,
    today: NaiveDate,
    /// The facilities attendees are picked from: id → (name, commune).
    choices: Vec<(String, String, String)>,
    names: HashMap<String, String>,
    /// The linked đề án, kept as it was (the form does not change it).
    proposal_id: String,
}

impl ActivityModel {
    /// The form's values as the core's input, with the person lines' facilities resolved
    /// through the store; a line that cannot be read is reported on `attendees`.
    fn input(&self, values: &Values, store: &Store) -> (ActivityInput, Issues) {
        let t = |k: &str| values.text(k);
        let mut issues = Issues::default();
        let mut attendees: Vec<AttendeeInput> = match values.get(FACILITIES) {
            Some(Value::Codes(ids)) => ids
                .iter()
                .map(|id| AttendeeInput {
                    facility_id: id.clone(),
                    ..Default::default()
                })
                .collect(),
            _ => Vec::new(),
        };
        for line in t("attendees").lines().filter(|l| !l.trim().is_empty()) {
            let position = attendees.len() + 1;
            let Some(p) = parse_person_line(line) else {
                issues.push(FieldIssue::error(
                    "attendees",
                    Problem::NotABoolean {
                        value: crate::text::ingest(line),
                    },
                ));
                continue;
            };
            let facility_id = match &p.facility {
                None => String::new(),
                Some(f) => match store.match_facility(f) {
                    Ok(FacilityMatch::One(id)) => id,
                    _ => {
                        issues.push(FieldIssue::error(
                            "attendees",
                            Problem::AttendeeUnknownFacility { position },
                        ));
                        continue;
                    }
                },
            };
            attendees.push(AttendeeInput {
                facility_id,
                person_name: p.person_name,
                gender: p.gender,
                ethnic_minority: p.ethnic_minority,
            });
        }
        let input = ActivityInput {
            kind: t("kind"),
            title: t("title"),
            start_date: t("start_date"),
            end_date: t("end_date"),
            commune_code: t("commune_code"),
            place: t("place"),
            organiser: t("organiser"),
            proposal_id: self.proposal_id.clone(),
            cost: t("cost"),
            unnamed_count: t("unnamed_count"),
            unnamed_women: t("unnamed_women"),
            unnamed_minority: t("unnamed_minority"),
            notes: t("notes"),
            attendees,
        };
        (input, issues)
    }
}

/// The form's values of a stored activity: facility-only attendees in the picker, named
/// people as lines (their facility by short id).
fn values_of(r: &ActivityInput) -> Values {
    let mut facilities = Vec::new();
    let mut people = Vec::new();
    for a in &r.attendees {
        if a.person_name.is_empty() {
            facilities.push(a.facility_id.clone());
        } else {
            let rec = crate::record::AttendeeRecord {
                facility_id: None,
                person_name: a.person_name.clone(),
                gender: Some(a.gender.clone()).filter(|g| !g.is_empty()),
                ethnic_minority: a.ethnic_minority,
            };
            let f = Some(short_id(&a.facility_id)).filter(|f| !f.is_empty());
            people.push(person_line(&rec, f));
        }
    }
    let t = |k: &'static str, v: &str| (k, Value::text(v));
    Values(vec![
        t("kind", &r.kind),
        t("title", &r.title),
        t("start_date", &r.start_date),
        t("end_date", &r.end_date),
        t("commune_code", &r.commune_code),
        t("place", &r.place),
        t("organiser", &r.organiser),
        t("cost", &r.cost),
        (FACILITIES, Value::Codes(facilities)),
        t("attendees", &people.join("\n")),
        t("unnamed_count", &r.unnamed_count),
        t("unnamed_women", &r.unnamed_women),
        t("unnamed_minority", &r.unnamed_minority),
        t("notes", &r.notes),
    ])
}

impl FormModel for ActivityModel {
    type Record = ActivityRecord;

    fn title(&self, lang: Lang) -> String {
        match self.purpose {
            ActivityPurpose::New => tr(lang, "ui.activity.title_new").to_string(),
            ActivityPurpose::Edit { .. } => tr(lang, "ui.activity.title_edit").to_string(),
        }
    }

    fn choice_text(&self, lang: Lang, key: &str, code: &str) -> Option<String> {
        if code.trim().is_empty() {
            return None;
        }
        Some(match key {
            "kind" => crate::words::activity::kind_label(lang, code),
            "commune_code" => commune_label(code, CommuneForm::FullNameCode),
            _ => self
                .names
                .get(code)
                .map(|n| clean(n))
                .unwrap_or_else(|| short_id(code).to_string()),
        })
    }

    fn picker(
        &self,
        lang: Lang,
        key: &str,
        chosen: &[String],
        store: &Store,
    ) -> Option<(String, Vec<PickItem>)> {
        match key {
            "kind" => Some((
                tr(lang, "ui.activity.pick_kind").to_string(),
                code_list_items(lang, &codes().activity_kinds, &[]),
            )),
            "commune_code" => {
                let scope = store.profile().map(|p| p.communes()).unwrap_or_default();
                Some((
                    tr(lang, "ui.form.pick.commune").to_string(),
                    commune_items(lang, scope.iter().map(String::as_str)),
                ))
            }
            FACILITIES => {
                let items = self
                    .choices
                    .iter()
                    .map(|(id, name, commune)| {
                        let mark = if chosen.contains(id) { "● " } else { "" };
                        PickItem::new(id.clone(), clean(name))
                            .with_hint(format!(
                                "{mark}{}",
                                commune_label(commune, CommuneForm::Name)
                            ))
                            .with_extra(short_id(id).to_string())
                    })
                    .collect();
                Some((tr(lang, "ui.activity.pick_facility").to_string(), items))
            }
            _ => None,
        }
    }

    fn validate(&self, values: &Values, store: &Store) -> Issues {
        let (input, mut issues) = self.input(values, store);
        match validate(&input, self.today) {
            Ok((_, warnings)) => {
                issues.0.extend(warnings.0);
                issues
            }
            Err(found) => {
                issues.0.extend(found.0);
                issues
            }
        }
    }

    fn save(
        &mut self,
        values: &Values,
        _seen: &[bool],
        env: &Env,
        store: &mut Store,
    ) -> SaveOutcome {
        let (input, issues) = self.input(values, store);
        if issues.has_errors() {
            return SaveOutcome::Failed(StoreError::Invalid(issues));
        }
        let result = match self.purpose.clone() {
            ActivityPurpose::New => store.add_activity(&input),
            ActivityPurpose::Edit { id, version } => store.edit_activity(&id, version, &input),
        };
        match result {
            Ok(r) => SaveOutcome::Saved(ScreenCmd::PopSaved {
                message: trf(env.lang, "ui.activity.saved", &[&clean(&r.title)]),
                id: r.id,
            }),
            Err(e) => SaveOutcome::Failed(e),
        }
    }

    fn stored(&self, store: &Store) -> Result<Option<Stored<ActivityRecord>>, StoreError> {
        let ActivityPurpose::Edit { id, .. } = &self.purpose else {
            return Ok(None);
        };
        Ok(store.activity(id)?.map(|(r, _)| Stored {
            values: values_of(&ActivityInput::from_record(&r)),
            updated_by: r.updated_by.clone(),
            updated_at: r.updated_at.clone(),
            record: r,
        }))
    }

    fn set_version(&mut self, found: i64) {
        if let ActivityPurpose::Edit { version, .. } = &mut self.purpose {
            *version = found;
        }
    }

    fn reopen(record: ActivityRecord, store: &Store) -> Result<Form<Self>, StoreError> {
        let version = store.activity(&record.id)?.map_or(0, |(_, v)| v);
        Ok(ActivityFormScreen::edit(&record, version, store)?.form)
    }
}

/// The activity form.
#[derive(Debug)]
pub struct ActivityFormScreen {
    form: Form<ActivityModel>,
}

impl ActivityFormScreen {
    crate::ui::widgets::form::form_screen_methods!(ActivityRecord);

    fn build(
        purpose: ActivityPurpose,
        input: &ActivityInput,
        store: &Store,
    ) -> Result<ActivityFormScreen, StoreError> {
        let choices = store.attendee_choices()?;
        let mut names: HashMap<String, String> = choices
            .iter()
            .map(|(id, name, _)| (id.clone(), name.clone()))
            .collect();
        // Attendees from outside the picker's list (archived since) keep their names.
        for a in &input.attendees {
            if !a.facility_id.is_empty() && !names.contains_key(&a.facility_id) {
                if let Some(f) = store.facility(&a.facility_id)? {
                    names.insert(f.id, f.data.name);
                }
            }
        }
        let model = ActivityModel {
            purpose,
            today: store.today(),
            choices,
            names,
            proposal_id: input.proposal_id.clone(),
        };
        Ok(ActivityFormScreen {
            form: Form::new(model, specs(), values_of(input), store.today()),
        })
    }

    /// A new activity, dated today, in the user's commune when they have one.
    pub fn new_activity(store: &Store) -> Result<ActivityFormScreen, StoreError> {
        let communes = store.profile().map(|p| p.communes()).unwrap_or_default();
        let input = ActivityInput {
            start_date: crate::domain::consultation::dmy(store.today()),
            commune_code: match communes.as_slice() {
                [one] => one.clone(),
                _ => String::new(),
            },
            ..Default::default()
        };
        Self::build(ActivityPurpose::New, &input, store)
    }

    /// A stored activity to change, as loaded at `version`.
    pub fn edit(
        r: &ActivityRecord,
        version: i64,
        store: &Store,
    ) -> Result<ActivityFormScreen, StoreError> {
        Self::build(
            ActivityPurpose::Edit {
                id: r.id.clone(),
                version,
            },
            &ActivityInput::from_record(r),
            store,
        )
    }

    // ----- inspection (tests) -----

    /// The typed text of a field (the chosen codes joined with ", ").
    pub fn value(&self, key: &str) -> String {
        self.form.text(key)
    }

    /// The key of the focused field.
    pub fn focused_field(&self) -> &'static str {
        self.form.focused_key()
    }

    /// What is shown under a field: (severity, text).
    pub fn messages(&self, key: &str, lang: Lang) -> Vec<(crate::domain::issue::Severity, String)> {
        self.form.messages(key, lang)
    }
}

crate::ui::widgets::form::form_screen_impl!(ActivityFormScreen);
