//! The craft-village form (from F12): name, communes, trade group, traditional, the
//! recognition decision and status, notes — on the one form engine, saved through
//! `Store::add_village` / `Store::edit_village` (with the version it was opened on).

use super::{Env, PickPurpose, ScreenCmd};
use crate::domain::issue::Issues;
use crate::domain::village::{validate, VillageInput, VillageStatus, FIELDS};
use crate::record::VillageRecord;
use crate::refdata::codes;
use crate::store::{village_input, Store, StoreError};
use crate::ui::widgets::form::{
    code_list_items, FieldKind, FieldSpec, Form, FormModel, NoteRows, SaveOutcome, Stored, Value,
    Values,
};
use crate::ui::widgets::{clean, PickItem};
use crate::words::format::{code_label_as, CodeForm};
use crate::words::village::village_status_text;
use crate::words::{tr, trf, Lang};

const NOTES: NoteRows = NoteRows {
    focused: (2, 4),
    idle: 1,
};

fn specs() -> Vec<FieldSpec> {
    FIELDS
        .iter()
        .map(|&(key, label)| match key {
            "village" => FieldSpec::text(key, label, 200).required(),
            "communes" => FieldSpec::text(key, label, 200).required(),
            "trade_group" => FieldSpec::new(
                key,
                label,
                FieldKind::Picker {
                    purpose: PickPurpose::TradeGroup,
                    clearable: true,
                    hint: "ui.pform.pick_hint",
                },
            ),
            "traditional" => FieldSpec::flag(key, label),
            "village_decision_date" => FieldSpec::new(key, label, FieldKind::Date),
            "village_status" => FieldSpec::new(
                key,
                label,
                FieldKind::Picker {
                    purpose: PickPurpose::Status,
                    clearable: false,
                    hint: "ui.pform.pick_hint",
                },
            ),
            "notes" => FieldSpec::notes(key, label, NOTES),
            _ => FieldSpec::text(key, label, 200),
        })
        .collect()
}

fn values_of(i: &VillageInput) -> Values {
    let flag = crate::domain::facility::parse_flag(&i.traditional).unwrap_or(false);
    Values(vec![
        ("village", Value::text(&i.name)),
        ("communes", Value::text(&i.communes)),
        ("trade_group", Value::text(&i.trade_group)),
        ("traditional", Value::Flag(flag)),
        ("village_decision_no", Value::text(&i.decision_no)),
        ("village_decision_date", Value::text(&i.decision_date)),
        ("village_status", Value::text(&i.status)),
        ("notes", Value::text(&i.notes)),
    ])
}

fn input_of(v: &Values) -> VillageInput {
    VillageInput {
        name: v.text("village"),
        communes: v.text("communes"),
        trade_group: v.text("trade_group"),
        traditional: if v.flag("traditional") { "1" } else { "0" }.into(),
        decision_no: v.text("village_decision_no"),
        decision_date: v.text("village_decision_date"),
        status: v.text("village_status"),
        notes: v.text("notes"),
    }
}

/// The village side of the form: new, or the stored one at a version.
#[derive(Debug)]
pub struct VillageModel {
    editing: Option<(String, i64)>,
}

impl FormModel for VillageModel {
    type Record = VillageRecord;

    fn title(&self, lang: Lang) -> String {
        tr(
            lang,
            if self.editing.is_some() {
                "ui.villages.form.edit"
            } else {
                "ui.villages.form.new"
            },
        )
        .to_string()
    }

    fn choice_text(&self, lang: Lang, key: &str, code: &str) -> Option<String> {
        if code.trim().is_empty() {
            return None;
        }
        Some(match key {
            "trade_group" => {
                code_label_as(lang, &codes().trade_groups, Some(code), CodeForm::LabelCode)
            }
            _ => village_status_text(lang, code),
        })
    }

    fn picker(
        &self,
        lang: Lang,
        key: &str,
        _chosen: &[String],
        _store: &Store,
    ) -> Option<(String, Vec<PickItem>)> {
        match key {
            "trade_group" => {
                let mut items = vec![PickItem::new("", tr(lang, "ui.form.none"))];
                items.extend(code_list_items(lang, &codes().trade_groups, &[]));
                Some((tr(lang, "ui.form.pick.trade_group").to_string(), items))
            }
            "village_status" => {
                let items = VillageStatus::ALL
                    .iter()
                    .map(|s| PickItem::new(s.code(), tr(lang, s.label_key())))
                    .collect();
                Some((tr(lang, "village.field.status").to_string(), items))
            }
            _ => None,
        }
    }

    fn validate(&self, values: &Values, store: &Store) -> Issues {
        match validate(&input_of(values), store.profile(), store.today()) {
            Ok(_) => Issues::default(),
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
        let input = input_of(values);
        let saved = match &self.editing {
            None => store.add_village(&input),
            Some((id, version)) => store.edit_village(id, *version, &input),
        };
        match saved {
            Ok(v) => SaveOutcome::Saved(ScreenCmd::PopWith {
                message: trf(env.lang, "ui.villages.saved", &[&clean(&v.name)]),
                error: false,
            }),
            Err(e) => SaveOutcome::Failed(e),
        }
    }

    fn stored(&self, store: &Store) -> Result<Option<Stored<VillageRecord>>, StoreError> {
        let Some((id, _)) = &self.editing else {
            return Ok(None);
        };
        Ok(store.village(id)?.map(|(v, _)| Stored {
            values: values_of(&village_input(&v)),
            updated_by: v.updated_by.clone(),
            updated_at: v.updated_at.clone(),
            record: v,
        }))
    }

    fn set_version(&mut self, found: i64) {
        if let Some((_, version)) = &mut self.editing {
            *version = found;
        }
    }

    fn reopen(record: VillageRecord, store: &Store) -> Result<Form<Self>, StoreError> {
        let (_, version) = store
            .village(&record.id)?
            .ok_or_else(|| StoreError::NotFound(record.id.clone()))?;
        Ok(VillageFormScreen::edit(&record, version, store).form)
    }
}

/// The craft-village form.
#[derive(Debug)]
pub struct VillageFormScreen {
    form: Form<VillageModel>,
}

impl VillageFormScreen {
    crate::ui::widgets::form::form_screen_methods!(VillageRecord);

    /// A new village, in the first commune of the writer's scope, recognised.
    pub fn new(store: &Store) -> VillageFormScreen {
        let commune = store
            .profile()
            .and_then(|p| p.communes().first().cloned())
            .unwrap_or_default();
        let input = VillageInput {
            communes: commune,
            status: VillageStatus::CongNhan.code().into(),
            ..Default::default()
        };
        let model = VillageModel { editing: None };
        VillageFormScreen {
            form: Form::new(model, specs(), values_of(&input), store.today()),
        }
    }

    /// A stored village, as loaded at `version`.
    pub fn edit(v: &VillageRecord, version: i64, store: &Store) -> VillageFormScreen {
        let model = VillageModel {
            editing: Some((v.id.clone(), version)),
        };
        VillageFormScreen {
            form: Form::new(model, specs(), values_of(&village_input(v)), store.today()),
        }
    }

    /// The typed text of a field (tests).
    pub fn value(&self, key: &str) -> String {
        self.form.text(key)
    }
}

crate::ui::widgets::form::form_screen_impl!(VillageFormScreen);
