//! The proposal form: `f` on a facility flags it as a candidate for khuyến công support.
//!
//! A new proposal starts from `Store::proposal_prefill` (next year, the most raised support
//! category with a title, the recorded difficulties and needs as the rationale, the place, the
//! facility's priority markers); a draft is edited in the same form. Money is typed the
//! Vietnamese way (`1,25 tỷ`, `800 triệu`, `300tr`, `1 tỷ 250 triệu`, `1.250.000.000`), read
//! by `parse_vnd` and shown formatted once the field is left. Validation is the core's
//! `validate` (the parts must add up to the total: its message sits under the total and the
//! save is refused); the cap and eligibility warnings come from `assess`, with their reasons.
//! Ctrl+S (F2) saves, Esc leaves (asking first if something changed). A table of fields and a
//! [`ProposalModel`] on the one form engine ([`crate::ui::widgets::form`]).

use chrono::NaiveDate;
use ratatui::style::Style;

use super::{Env, PickPurpose, ScreenCmd};
use crate::domain::facility::FacilityData;
use crate::domain::issue::{Issues, Severity};
use crate::domain::proposal::{
    assess, field_label_key, validate, BeneficiaryLine, FundingSource, Priorities, Proposal,
    ProposalInput, ProposalPatch,
};
use crate::refdata::codes;
use crate::store::{Store, StoreError};
use crate::ui::theme::Theme;
use crate::ui::widgets::bars::wrap;
use crate::ui::widgets::form::{
    code_list_items, error_style, warning_style, FieldKind, FieldSpec, Form, FormModel, NoteRows,
    SaveOutcome, Stored, Value, Values,
};
use crate::ui::widgets::{clean, PickItem};
use crate::words::format::{code_label, commune_label, CommuneForm};
use crate::words::{tr, trf, Lang};

/// A group's beneficiaries shown above the fields at most (then how many more).
const GROUP_LINES: usize = 4;

/// The long texts: 2 to 4 rows while edited, up to 2 when not.
const NOTES: NoteRows = NoteRows {
    focused: (2, 4),
    idle: 2,
};
/// The priority markers' row labels ("ui.pform.marker.*"), in `Priorities::flags` order.
const MARKERS: [(&str, &str); 6] = [
    ("exports", "ui.pform.marker.exports"),
    ("local_materials", "ui.pform.marker.local_materials"),
    ("workers_50", "ui.pform.marker.workers_50"),
    ("woman_owned", "ui.pform.marker.woman_owned"),
    ("ethnic_owned", "ui.pform.marker.ethnic_owned"),
    ("difficult_area", "ui.pform.marker.difficult_area"),
];
/// The text fields of `ProposalInput`, in form order, with their kinds.
const TEXTS: [&str; 16] = [
    "plan_year",
    "category",
    "funding",
    "title",
    "rationale",
    "objectives",
    "content",
    "place",
    "time_frame",
    "total_cost",
    "support",
    "counterpart",
    "other_sources",
    "expected_jobs",
    "expected_products",
    "expected_capacity",
];

fn specs() -> Vec<FieldSpec> {
    let mut v: Vec<FieldSpec> = TEXTS
        .iter()
        .map(|&k| {
            let kind = match k {
                "plan_year" => FieldKind::Text { max: 4 },
                "category" => FieldKind::Picker {
                    purpose: PickPurpose::ProposalCategory,
                    clearable: false,
                    hint: "ui.pform.pick_hint",
                },
                "funding" => FieldKind::Picker {
                    purpose: PickPurpose::ProposalFunding,
                    clearable: false,
                    hint: "ui.pform.pick_hint",
                },
                "time_frame" => FieldKind::Text { max: 100 },
                "expected_jobs" => FieldKind::Text { max: 9 },
                "total_cost" | "support" | "counterpart" | "other_sources" => FieldKind::Money,
                "rationale" | "objectives" | "content" | "expected_products"
                | "expected_capacity" => FieldKind::MultiLine(NOTES),
                _ => FieldKind::Text { max: 300 },
            };
            let spec = FieldSpec::new(k, field_label_key(k).unwrap_or(""), kind);
            let required = matches!(
                k,
                "plan_year" | "category" | "funding" | "title" | "total_cost" | "support"
            );
            if required {
                spec.required()
            } else {
                spec
            }
        })
        .collect();
    for (i, (key, text)) in MARKERS.iter().enumerate() {
        let spec = FieldSpec::flag(key, text);
        // The first marker's row carries the group's label.
        v.push(if i == 0 {
            spec.labelled(Some("ui.pform.priorities"))
        } else {
            spec
        });
    }
    v
}

fn values_of(i: &ProposalInput) -> Values {
    let texts = [
        &i.plan_year,
        &i.category,
        &i.funding,
        &i.title,
        &i.rationale,
        &i.objectives,
        &i.content,
        &i.place,
        &i.time_frame,
        &i.total_cost,
        &i.support,
        &i.counterpart,
        &i.other_sources,
        &i.expected_jobs,
        &i.expected_products,
        &i.expected_capacity,
    ];
    let mut v: Vec<(&'static str, Value)> = TEXTS
        .iter()
        .zip(texts)
        .map(|(k, t)| (*k, Value::text(t)))
        .collect();
    v.extend(i.priorities.flags().map(|(k, on)| (k, Value::Flag(on))));
    Values(v)
}

/// What saving does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProposalPurpose {
    New,
    /// A draft, as loaded at `version`.
    Edit {
        id: String,
        version: i64,
    },
}

/// The proposal side of the form.
#[derive(Debug)]
pub struct ProposalModel {
    purpose: ProposalPurpose,
    facility_id: String,
    /// The facility's name (the lead's for a group; empty for none), not sanitised.
    facility_name: String,
    /// For the cap and eligibility warnings while typing; None for the centre's own đề án
    /// (no facility: no eligibility to assess, as the store does).
    facility: Option<FacilityData>,
    /// What the form does not edit but the draft keeps: a group's beneficiaries and shares
    /// (checked against the support typed), the pilot flag, the commune of a đề án with no
    /// facility.
    kept: ProposalInput,
    /// A group's beneficiaries as shown above the fields (names and shares).
    group: Vec<BeneficiaryLine>,
    /// Linked to a recognised village of the register (eligibility of a city's phường).
    in_recognised_village: bool,
    today: NaiveDate,
    /// The caps in force here, read once when the form opens.
    caps: crate::domain::caps::SupportCaps,
}

impl ProposalModel {
    /// Who carries it out, for the title: the facility's name, «Nhóm N cơ sở» for a group,
    /// «Trung tâm» for the centre's own đề án.
    fn who(&self, lang: Lang) -> String {
        if self.facility.is_none() {
            tr(lang, "proposal.centre").to_string()
        } else if self.group.len() >= 2 {
            trf(lang, "proposal.group_of", &[&self.group.len()])
        } else {
            self.facility_name.clone()
        }
    }

    fn input(&self, values: &Values) -> ProposalInput {
        let t = |k: &str| values.text(k);
        let f = |k: &str| values.flag(k);
        ProposalInput {
            facility_id: self.facility_id.clone(),
            plan_year: t("plan_year"),
            category: t("category"),
            funding: t("funding"),
            title: t("title"),
            rationale: t("rationale"),
            objectives: t("objectives"),
            content: t("content"),
            place: t("place"),
            time_frame: t("time_frame"),
            total_cost: t("total_cost"),
            support: t("support"),
            counterpart: t("counterpart"),
            other_sources: t("other_sources"),
            expected_jobs: t("expected_jobs"),
            expected_products: t("expected_products"),
            expected_capacity: t("expected_capacity"),
            priorities: Priorities {
                exports: f("exports"),
                local_materials: f("local_materials"),
                workers_50: f("workers_50"),
                woman_owned: f("woman_owned"),
                ethnic_owned: f("ethnic_owned"),
                difficult_area: f("difficult_area"),
            },
            // Groups and the centre's own đề án are made at the command line (issue 17); the
            // form keeps their beneficiaries, pilot flag and commune as they are.
            beneficiaries: self.kept.beneficiaries.clone(),
            is_pilot: self.kept.is_pilot,
            commune_code: self.kept.commune_code.clone(),
        }
    }
}

impl FormModel for ProposalModel {
    type Record = Proposal;

    fn title(&self, lang: Lang) -> String {
        let key = match self.purpose {
            ProposalPurpose::New => "ui.pform.title_new",
            ProposalPurpose::Edit { .. } => "ui.pform.title_edit",
        };
        trf(lang, key, &[&clean(&self.who(lang))])
    }

    /// The facility, then its eligibility warnings (they do not depend on what is typed).
    fn header(
        &self,
        lang: Lang,
        theme: &Theme,
        issues: &Issues,
        value_w: usize,
    ) -> Vec<(String, String, Style)> {
        let mut lines = Vec::new();
        if self.facility.is_none() {
            lines.push((
                tr(lang, "proposal.field.facility").to_string(),
                clean(&format!(
                    "{} · {}",
                    tr(lang, "proposal.centre"),
                    commune_label(&self.kept.commune_code, CommuneForm::Name)
                )),
                theme.base,
            ));
        } else if self.group.is_empty() {
            lines.push((
                tr(lang, "proposal.field.facility").to_string(),
                clean(&self.facility_name),
                theme.base,
            ));
        }
        // A group: its beneficiaries with their shares (at most four lines, then how many
        // more), then the pilot mark.
        let shares = crate::words::group::share_lines(lang, &self.group);
        let more = shares.len().saturating_sub(GROUP_LINES);
        for (i, line) in shares.into_iter().take(GROUP_LINES).enumerate() {
            let label = if i == 0 {
                tr(lang, "proposal.field.beneficiaries").to_string()
            } else {
                String::new()
            };
            lines.push((label, clean(&line), theme.base));
        }
        if more > 0 {
            lines.push((
                String::new(),
                trf(lang, "ui.pform.more_beneficiaries", &[&more]),
                theme.dim,
            ));
        }
        if self.kept.is_pilot {
            lines.push((
                tr(lang, "proposal.field.pilot").to_string(),
                tr(lang, "proposal.pilot_mark").to_string(),
                theme.base,
            ));
        }
        let mut notes = Vec::new();
        for i in issues
            .for_field("facility_id")
            .chain(issues.for_field("beneficiaries"))
            .chain(issues.for_field("commune_code"))
        {
            let (k, style) = match i.severity {
                Severity::Error => ("ui.form.error", error_style(theme)),
                Severity::Warning => ("ui.form.warning", warning_style(theme)),
            };
            let text = crate::words::problem_text(lang, &i.problem);
            for line in wrap(&trf(lang, k, &[&text]), value_w) {
                notes.push((String::new(), line, style));
            }
        }
        lines.extend(notes.into_iter().take(3));
        lines
    }

    fn choice_text(&self, lang: Lang, key: &str, code: &str) -> Option<String> {
        if code.trim().is_empty() {
            return None;
        }
        Some(if key == "category" {
            format!(
                "{} {}",
                clean(code),
                code_label(lang, &codes().support_categories, Some(code))
            )
        } else {
            FundingSource::parse(code)
                .map(|f| tr(lang, f.label_key()).to_string())
                .unwrap_or_else(|| clean(code))
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
            "category" => {
                let items = code_list_items(lang, &codes().support_categories, &[]);
                Some((tr(lang, "ui.pform.pick.category").to_string(), items))
            }
            "funding" => {
                let items = FundingSource::ALL
                    .iter()
                    .map(|f| {
                        PickItem::new(f.code(), tr(lang, f.label_key()))
                            .with_hint(f.short())
                            .with_extra(f.short())
                    })
                    .collect();
                Some((tr(lang, "ui.pform.pick.funding").to_string(), items))
            }
            _ => None,
        }
    }

    /// Errors of the core's validation, or its warnings plus the cap and eligibility ones.
    fn validate(&self, values: &Values, _store: &Store) -> Issues {
        match validate(&self.input(values), self.today) {
            Ok((data, mut warnings)) => {
                if let Some(facility) = &self.facility {
                    warnings.0.extend(
                        assess(
                            &data,
                            facility,
                            self.in_recognised_village,
                            self.today,
                            &self.caps,
                        )
                        .0,
                    );
                }
                warnings
            }
            Err(mut issues) => {
                // The eligibility warnings do not depend on what is typed: keep them shown.
                if let Some(facility) = &self.facility {
                    issues.0.extend(crate::domain::proposal::check_eligibility(
                        facility,
                        self.in_recognised_village,
                        self.today,
                    ));
                }
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
        let lang = env.lang;
        let input = self.input(values);
        let result = match self.purpose.clone() {
            ProposalPurpose::New => store.add_proposal(&input).map(|(_, w)| w),
            ProposalPurpose::Edit { id, version } => store
                .edit_proposal(&id, version, &patch_of(&input))
                .map(|(_, w)| w),
        };
        match result {
            Ok(warnings) => {
                let n = warnings.warnings().count();
                let message = if n == 0 {
                    tr(lang, "ui.pform.saved").to_string()
                } else {
                    trf(lang, "ui.pform.saved_with_warnings", &[&n])
                };
                SaveOutcome::Saved(ScreenCmd::PopWith {
                    message,
                    error: false,
                })
            }
            Err(e) => SaveOutcome::Failed(e),
        }
    }

    fn stored(&self, store: &Store) -> Result<Option<Stored<Proposal>>, StoreError> {
        let ProposalPurpose::Edit { id, .. } = &self.purpose else {
            return Ok(None);
        };
        Ok(store.proposal(id)?.map(|p| Stored {
            values: values_of(&ProposalInput::from_data(&p.data)),
            updated_by: p.updated_by.clone(),
            updated_at: p.updated_at.clone(),
            record: p,
        }))
    }

    fn set_version(&mut self, found: i64) {
        if let ProposalPurpose::Edit { version, .. } = &mut self.purpose {
            *version = found;
        }
    }

    fn reopen(record: Proposal, store: &Store) -> Result<Form<Self>, StoreError> {
        Ok(ProposalFormScreen::edit(&record, store)?.form)
    }
}

/// The proposal form.
#[derive(Debug)]
pub struct ProposalFormScreen {
    form: Form<ProposalModel>,
}

impl ProposalFormScreen {
    crate::ui::widgets::form::form_screen_methods!(Proposal);

    fn build(
        purpose: ProposalPurpose,
        facility_name: &str,
        facility: Option<FacilityData>,
        input: &ProposalInput,
        group: Vec<BeneficiaryLine>,
        store: &Store,
    ) -> ProposalFormScreen {
        let model = ProposalModel {
            purpose,
            facility_id: input.facility_id.clone(),
            facility_name: facility_name.to_string(),
            // Unreadable: not known to be in a recognised village (the warning shows).
            in_recognised_village: facility.is_some()
                && store
                    .in_recognised_village(&input.facility_id)
                    .unwrap_or(false),
            facility,
            kept: ProposalInput {
                beneficiaries: input.beneficiaries.clone(),
                is_pilot: input.is_pilot,
                commune_code: input.commune_code.clone(),
                ..ProposalInput::default()
            },
            group,
            today: store.today(),
            // Unreadable caps leave none known, which the form then says plainly.
            caps: store.support_caps().unwrap_or_default(),
        };
        let mut form = Form::new(model, specs(), values_of(input), store.today());
        // The eligibility warnings show from the start.
        form.revalidate(store);
        ProposalFormScreen { form }
    }

    /// A new proposal for a facility, prefilled from it and its recorded needs.
    pub fn new_for(facility_id: &str, store: &Store) -> Result<ProposalFormScreen, StoreError> {
        let pre = store.proposal_prefill(facility_id)?;
        Ok(Self::build(
            ProposalPurpose::New,
            &pre.facility.data.name,
            Some(pre.facility.data.clone()),
            &pre.input,
            Vec::new(),
            store,
        ))
    }

    /// A draft to change: of one facility, of a group (the lead's eligibility, the shares
    /// kept and checked against the support typed) or the centre's own (no facility).
    pub fn edit(p: &Proposal, store: &Store) -> Result<ProposalFormScreen, StoreError> {
        let facility = if p.data.has_facility() {
            let f = store
                .facility(&p.data.facility_id)?
                .ok_or_else(|| StoreError::NotFound(p.data.facility_id.clone()))?;
            Some(f.data)
        } else {
            None
        };
        let group = store.beneficiary_lines(&p.id)?;
        let mut input = ProposalInput::from_data(&p.data);
        input.commune_code.clone_from(&p.commune_code);
        Ok(Self::build(
            ProposalPurpose::Edit {
                id: p.id.clone(),
                version: p.version,
            },
            &p.facility_name,
            facility,
            &input,
            group,
            store,
        ))
    }

    // ----- inspection (tests) -----

    pub fn purpose(&self) -> &ProposalPurpose {
        &self.form.model.purpose
    }

    /// The typed text of a field (`"true"`/`"false"` for a marker).
    pub fn value(&self, key: &str) -> String {
        self.form.text(key)
    }

    /// The key of the focused field.
    pub fn focused_field(&self) -> &'static str {
        self.form.focused_key()
    }

    /// What is shown under a field (the facility's eligibility: always): (severity, text).
    pub fn messages(&self, key: &str, lang: Lang) -> Vec<(Severity, String)> {
        if key == "facility_id" {
            self.form.findings(key, lang)
        } else {
            self.form.messages(key, lang)
        }
    }

    pub fn input(&self) -> ProposalInput {
        self.form.model.input(&self.form.values())
    }

    // ----- update -----
}

/// Every field as a patch (the core keeps what did not change).
fn patch_of(i: &ProposalInput) -> ProposalPatch {
    let s = |v: &String| Some(v.clone());
    ProposalPatch {
        plan_year: s(&i.plan_year),
        category: s(&i.category),
        funding: s(&i.funding),
        title: s(&i.title),
        rationale: s(&i.rationale),
        objectives: s(&i.objectives),
        content: s(&i.content),
        place: s(&i.place),
        time_frame: s(&i.time_frame),
        total_cost: s(&i.total_cost),
        support: s(&i.support),
        counterpart: s(&i.counterpart),
        other_sources: s(&i.other_sources),
        expected_jobs: s(&i.expected_jobs),
        expected_products: s(&i.expected_products),
        expected_capacity: s(&i.expected_capacity),
        priorities: Some(i.priorities),
    }
}

crate::ui::widgets::form::form_screen_impl!(ProposalFormScreen);
