//! The consultation form: log a visit, call or meeting with a facility (`c` on a facility or
//! from the agenda), or correct one already logged.
//!
//! The facility and the collaborator are fixed and shown at the top; the date starts at today.
//! Mode is chosen in a picker; topics too, one at a time (each pick adds a topic, picking it
//! again takes it away; Backspace removes the last; all chosen topics are shown, wrapped).
//! The four texts are multi-line (Enter is a new line, ↑/↓ leave from the first/last row),
//! with the same input-method rules as every field. Dates take `15/1/27` and `+7` too.
//! A table of fields and a [`ConsultModel`] on the one form engine
//! ([`crate::ui::widgets::form`]). Validation is the core's [`validate`], shown under each
//! field once visited; Ctrl+S (F2) saves, Esc leaves (asking first if something was typed).
//!
//! Three purposes share the form: a new consultation (optionally the visit that closes an
//! earlier follow-up, from the agenda), an edit in place within the grace period, and an
//! amendment after it, which also asks why (the original stays as recorded).

use chrono::NaiveDate;
use ratatui::style::Style;

use super::{Env, PickPurpose, ScreenCmd};
use crate::domain::consultation::{
    dmy, validate, Consultation, ConsultationField, ConsultationInput, ConsultationPatch,
    FollowUpClose,
};
use crate::domain::issue::{Issues, Severity};
use crate::refdata::codes;
use crate::store::{Store, StoreError};
use crate::ui::theme::Theme;
use crate::ui::widgets::form::{
    code_list_items, FieldKind, FieldSpec, Form, FormModel, NoteRows, SaveOutcome, Stored, Value,
    Values,
};
use crate::ui::widgets::{clean, PickItem};
use crate::words::format::code_label;
use crate::words::{tr, trf, Lang};

/// The four texts: 2 to 5 rows while edited, up to 3 when not.
const NOTES: NoteRows = NoteRows {
    focused: (2, 5),
    idle: 3,
};
const REASON: &str = "reason";

/// The fields in form order (the facility is fixed); an amendment shows the follow-up date
/// without editing it, and asks why.
fn specs(amend: bool) -> Vec<FieldSpec> {
    let label = |f: ConsultationField| f.label_key();
    let notes = |f: ConsultationField| FieldSpec::notes(f.key(), label(f), NOTES);
    let date = |f: ConsultationField| FieldSpec::new(f.key(), label(f), FieldKind::Date);
    let mut v = vec![
        date(ConsultationField::Date).required(),
        FieldSpec::new(
            ConsultationField::Mode.key(),
            label(ConsultationField::Mode),
            FieldKind::Picker {
                purpose: PickPurpose::ConsultMode,
                clearable: false,
                hint: "ui.form.choose_hint",
            },
        )
        .required(),
        FieldSpec::new(
            ConsultationField::Topics.key(),
            label(ConsultationField::Topics),
            FieldKind::MultiSelect {
                purpose: PickPurpose::ConsultTopic,
                hint: "ui.consult.topics_hint",
            },
        ),
        notes(ConsultationField::Difficulties),
        notes(ConsultationField::Needs),
        notes(ConsultationField::Advice),
        notes(ConsultationField::NextStep),
    ];
    if amend {
        // An amendment does not move the follow-up (the agenda reschedules it).
        v.push(FieldSpec::new(
            ConsultationField::FollowUpDate.key(),
            label(ConsultationField::FollowUpDate),
            FieldKind::Fixed {
                note: "ui.consult.not_amended",
            },
        ));
        v.push(
            FieldSpec::text(REASON, "ui.consult.reason", 300)
                .required()
                .not_stored(),
        );
    } else {
        v.push(date(ConsultationField::FollowUpDate));
    }
    v
}

fn values_of(i: &ConsultationInput) -> Values {
    let topics: Vec<String> = i
        .topics
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect();
    Values(vec![
        ("date", Value::text(&i.date)),
        ("mode", Value::text(&i.mode)),
        ("topics", Value::Codes(topics)),
        ("difficulties", Value::text(&i.difficulties)),
        ("needs", Value::text(&i.needs)),
        ("advice", Value::text(&i.advice)),
        ("next_step", Value::text(&i.next_step)),
        ("follow_up_date", Value::text(&i.follow_up_date)),
    ])
}

/// What saving does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConsultPurpose {
    /// A new consultation. With `closes`, it is the visit an earlier follow-up led to: that
    /// consultation's id and its follow-up's version.
    New { closes: Option<(String, i64)> },
    /// The author's edit within the grace period.
    Edit { id: String, version: i64 },
    /// A correction kept beside the original.
    Amend { id: String, version: i64 },
}

/// The consultation side of the form.
#[derive(Debug)]
pub struct ConsultModel {
    purpose: ConsultPurpose,
    facility_id: String,
    facility_name: String,
    collaborator: String,
    today: NaiveDate,
}

impl ConsultModel {
    fn input(&self, values: &Values) -> ConsultationInput {
        ConsultationInput {
            facility_id: self.facility_id.clone(),
            date: values.text("date"),
            mode: values.text("mode"),
            topics: values.text("topics"),
            difficulties: values.text("difficulties"),
            needs: values.text("needs"),
            advice: values.text("advice"),
            next_step: values.text("next_step"),
            follow_up_date: values.text("follow_up_date"),
        }
    }
}

impl FormModel for ConsultModel {
    type Record = Consultation;
    const LABEL_WIDTH: usize = 20;

    fn title(&self, lang: Lang) -> String {
        let key = match self.purpose {
            ConsultPurpose::New { .. } => "ui.consult.title_new",
            ConsultPurpose::Edit { .. } => "ui.consult.title_edit",
            ConsultPurpose::Amend { .. } => "ui.consult.title_amend",
        };
        trf(lang, key, &[&clean(&self.facility_name)])
    }

    /// Who and with whom, then a blank line.
    fn header(
        &self,
        lang: Lang,
        theme: &Theme,
        _issues: &Issues,
        _value_w: usize,
    ) -> Vec<(String, String, Style)> {
        vec![
            (
                tr(lang, "consult.field.facility").to_string(),
                clean(&self.facility_name),
                theme.base,
            ),
            (
                tr(lang, "ui.consult.collaborator").to_string(),
                clean(&self.collaborator),
                theme.base,
            ),
            (String::new(), String::new(), theme.base),
        ]
    }

    fn choice_text(&self, lang: Lang, key: &str, code: &str) -> Option<String> {
        let code = code.trim();
        if code.is_empty() {
            return None;
        }
        Some(if key == "topics" {
            topics_text(lang, &[code.to_string()])
        } else {
            code_label(lang, &codes().consultation_modes, Some(code))
        })
    }

    fn picker(
        &self,
        lang: Lang,
        key: &str,
        chosen: &[String],
        _store: &Store,
    ) -> Option<(String, Vec<PickItem>)> {
        let (title, list) = match key {
            "mode" => ("ui.consult.pick.mode", &codes().consultation_modes),
            "topics" => ("ui.consult.pick.topic", &codes().support_categories),
            _ => return None,
        };
        let items = code_list_items(lang, list, chosen);
        Some((tr(lang, title).to_string(), items))
    }

    fn validate(&self, values: &Values, _store: &Store) -> Issues {
        match validate(&self.input(values), self.today) {
            Ok((_, warnings)) => warnings,
            Err(issues) => issues,
        }
    }

    fn save(
        &mut self,
        values: &Values,
        _seen: &[bool],
        env: &Env,
        store: &mut Store,
    ) -> SaveOutcome {
        let lang = env.lang;
        let input = self.input(values);
        let result = match self.purpose.clone() {
            ConsultPurpose::New { closes } => match store.add_consultation(&input) {
                Ok((c, _)) => match closes {
                    // The visit is saved either way; a follow-up someone else closed or moved
                    // in the meantime is only reported.
                    Some((earlier, version)) => {
                        let close = FollowUpClose {
                            outcome_id: Some(c.id.clone()),
                            note: String::new(),
                        };
                        match store.complete_follow_up(&earlier, version, &close) {
                            Ok(_) => Ok((tr(lang, "ui.consult.saved_closed").to_string(), false)),
                            Err(e) => Ok((
                                trf(
                                    lang,
                                    "ui.consult.saved_not_closed",
                                    &[&crate::words::store_error_text(lang, &e)],
                                ),
                                true,
                            )),
                        }
                    }
                    None => Ok((tr(lang, "ui.consult.saved").to_string(), false)),
                },
                Err(e) => Err(e),
            },
            ConsultPurpose::Edit { id, version } => {
                let patch = patch_of(&input);
                store
                    .edit_consultation(&id, version, &patch)
                    .map(|_| (tr(lang, "ui.consult.saved").to_string(), false))
            }
            ConsultPurpose::Amend { id, version } => {
                let reason = values.text(REASON).trim().to_string();
                if reason.is_empty() {
                    return SaveOutcome::Refused {
                        key: REASON,
                        message: tr(lang, "ui.consult.reason_required").to_string(),
                        error: true,
                    };
                }
                let mut patch = patch_of(&input);
                // The follow-up date is moved by rescheduling, not amended.
                patch.follow_up_date = None;
                store
                    .amend_consultation(&id, version, &patch, &reason)
                    .map(|_| (tr(lang, "ui.consult.amended").to_string(), false))
            }
        };
        match result {
            Ok((message, error)) => SaveOutcome::Saved(ScreenCmd::PopWith { message, error }),
            Err(e) => SaveOutcome::Failed(e),
        }
    }

    fn stored(&self, store: &Store) -> Result<Option<Stored<Consultation>>, StoreError> {
        let (ConsultPurpose::Edit { id, .. } | ConsultPurpose::Amend { id, .. }) = &self.purpose
        else {
            return Ok(None);
        };
        Ok(store.consultation(id)?.map(|c| Stored {
            values: values_of(&ConsultationInput::from_data(&c.data)),
            updated_by: c.updated_by.clone(),
            updated_at: c.updated_at.clone(),
            record: c,
        }))
    }

    fn set_version(&mut self, found: i64) {
        if let ConsultPurpose::Edit { version, .. } | ConsultPurpose::Amend { version, .. } =
            &mut self.purpose
        {
            *version = found;
        }
    }

    fn reopen(record: Consultation, store: &Store) -> Result<Form<Self>, StoreError> {
        Ok(ConsultScreen::correcting(&record, store).form)
    }
}

/// The consultation form.
#[derive(Debug)]
pub struct ConsultScreen {
    form: Form<ConsultModel>,
}

impl ConsultScreen {
    crate::ui::widgets::form::form_screen_methods!(Consultation);

    fn build(
        purpose: ConsultPurpose,
        facility_id: &str,
        facility_name: &str,
        store: &Store,
        input: &ConsultationInput,
    ) -> ConsultScreen {
        let amend = matches!(purpose, ConsultPurpose::Amend { .. });
        let model = ConsultModel {
            purpose,
            facility_id: facility_id.to_string(),
            facility_name: facility_name.to_string(),
            collaborator: store.profile().map(|p| p.name.clone()).unwrap_or_default(),
            today: store.today(),
        };
        ConsultScreen {
            form: Form::new(model, specs(amend), values_of(input), store.today()),
        }
    }

    /// A new consultation with the facility, dated today, by the current profile.
    pub fn new_for(facility_id: &str, facility_name: &str, store: &Store) -> ConsultScreen {
        let input = ConsultationInput {
            facility_id: facility_id.to_string(),
            date: dmy(store.today()),
            mode: codes()
                .consultation_modes
                .items()
                .first()
                .map(|i| i.code.clone())
                .unwrap_or_default(),
            ..Default::default()
        };
        Self::build(
            ConsultPurpose::New { closes: None },
            facility_id,
            facility_name,
            store,
            &input,
        )
    }

    /// The visit an open follow-up of `earlier` led to: saving also marks that follow-up done.
    pub fn closing(earlier: &Consultation, follow_up_version: i64, store: &Store) -> ConsultScreen {
        let mut s = Self::new_for(&earlier.data.facility_id, &earlier.facility_name, store);
        s.form.model.purpose = ConsultPurpose::New {
            closes: Some((earlier.id.clone(), follow_up_version)),
        };
        s
    }

    /// Correct `c`: in place while its author's grace period lasts, else as an amendment.
    pub fn correcting(c: &Consultation, store: &Store) -> ConsultScreen {
        let editable = store.consultation_editable(c).unwrap_or(false);
        let purpose = if editable {
            ConsultPurpose::Edit {
                id: c.id.clone(),
                version: c.version,
            }
        } else {
            ConsultPurpose::Amend {
                id: c.id.clone(),
                version: c.version,
            }
        };
        let input = ConsultationInput::from_data(&c.data);
        Self::build(
            purpose,
            &c.data.facility_id,
            &c.facility_name,
            store,
            &input,
        )
    }

    pub fn purpose(&self) -> &ConsultPurpose {
        &self.form.model.purpose
    }

    pub fn input(&self) -> ConsultationInput {
        self.form.model.input(&self.form.values())
    }

    /// Typed text of one field (tests).
    pub fn value(&self, field: ConsultationField) -> String {
        self.form.text(field.key())
    }

    pub fn messages(&self, field: ConsultationField, lang: Lang) -> Vec<(Severity, String)> {
        self.form.messages(field.key(), lang)
    }

    // ----- update -----
}

/// Every field as a patch (the core keeps what did not change).
fn patch_of(i: &ConsultationInput) -> ConsultationPatch {
    ConsultationPatch {
        date: Some(i.date.clone()),
        mode: Some(i.mode.clone()),
        topics: Some(i.topics.clone()),
        difficulties: Some(i.difficulties.clone()),
        needs: Some(i.needs.clone()),
        advice: Some(i.advice.clone()),
        next_step: Some(i.next_step.clone()),
        follow_up_date: Some(i.follow_up_date.clone()),
    }
}

/// "KC01 Đào tạo nghề…, KC06 …": topic codes with their short labels.
pub fn topics_text(lang: Lang, topics: &[String]) -> String {
    topics
        .iter()
        .map(|t| {
            let label = code_label(lang, &codes().support_categories, Some(t));
            format!("{} {}", clean(t), label)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

crate::ui::widgets::form::form_screen_impl!(ConsultScreen);
