//! The rural industrial (CNNT) facility: its fields, what a person types, and the rules that
//! turn one into the other.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::collaborator::Profile;
use super::issue::{FieldIssue, Issues, Problem};
use crate::refdata::{codes, units, Units};
use crate::text::{digits_only, ingest, ingest_multiline};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FacilityStatus {
    #[default]
    Active,
    Paused,
    Closed,
}

impl FacilityStatus {
    pub const ALL: [FacilityStatus; 3] = [
        FacilityStatus::Active,
        FacilityStatus::Paused,
        FacilityStatus::Closed,
    ];
}

// English keys and the Vietnamese words found in provincial spreadsheets; empty is active.
super::code_list::code_list! {
    FacilityStatus, as_str, loose = false;
    Active => "active", "status.active", ["", "hoat dong", "dang hoat dong"];
    Paused => "paused", "status.paused", ["tam ngung", "tam dung", "tam ngung hoat dong"];
    Closed => "closed", "status.closed", ["dong cua", "da dong cua", "ngung hoat dong", "giai the"];
}

/// Levels of the typical rural-industrial product title (sản phẩm CNNT tiêu biểu); `huyen`
/// only survives on records from before the 2025 reform.
pub const TYPICAL_LEVELS: [&str; 5] = ["xa", "huyen", "tinh", "khu_vuc", "quoc_gia"];

super::code_list::keyed_enum! {
    /// The fields of a facility, in form order. The key is also the import column and the
    /// change-log field name.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
    pub enum FacilityField {
        Name => "name", "field.name";
        EntityType => "entity_type", "field.entity_type";
        TaxCode => "tax_code", "field.tax_code";
        Representative => "representative", "field.representative";
        Phone => "phone", "field.phone";
        Address => "address", "field.address";
        CommuneCode => "commune_code", "field.commune_code";
        TradeGroup => "trade_group", "field.trade_group";
        Products => "products", "field.products";
        Workers => "workers", "field.workers";
        FoundedYear => "founded_year", "field.founded_year";
        CraftVillage => "craft_village", "field.craft_village";
        OcopStars => "ocop_stars", "field.ocop_stars";
        OcopYear => "ocop_year", "field.ocop_year";
        TypicalLevel => "typical_level", "field.typical_level";
        TypicalYear => "typical_year", "field.typical_year";
        Exports => "exports", "field.exports";
        LocalMaterials => "local_materials", "field.local_materials";
        WomanOwned => "woman_owned", "field.woman_owned";
        EthnicOwned => "ethnic_owned", "field.ethnic_owned";
        DifficultArea => "difficult_area", "field.difficult_area";
        Status => "status", "field.status";
        Notes => "notes", "field.notes";
    }
}

impl FacilityField {
    pub fn is_flag(self) -> bool {
        matches!(
            self,
            FacilityField::Exports
                | FacilityField::LocalMaterials
                | FacilityField::WomanOwned
                | FacilityField::EthnicOwned
                | FacilityField::DifficultArea
        )
    }
}

/// A facility's validated values.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FacilityData {
    pub name: String,
    pub entity_type: Option<String>,
    pub tax_code: Option<String>,
    pub representative: String,
    pub phone: Option<String>,
    pub address: String,
    pub commune_code: String,
    pub trade_group: Option<String>,
    pub products: String,
    pub workers: Option<i64>,
    pub founded_year: Option<i32>,
    pub craft_village: String,
    pub ocop_stars: Option<u8>,
    pub ocop_year: Option<i32>,
    pub typical_level: Option<String>,
    pub typical_year: Option<i32>,
    pub exports: bool,
    pub local_materials: bool,
    pub woman_owned: bool,
    pub ethnic_owned: bool,
    pub difficult_area: bool,
    pub status: FacilityStatus,
    pub notes: String,
}

/// Who made a record and how often it has changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordMeta {
    pub created_at: String,
    pub created_by: String,
    pub updated_at: String,
    pub updated_by: String,
    pub version: i64,
    pub archived: bool,
}

/// A stored facility.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Facility {
    pub id: String,
    #[serde(flatten)]
    pub data: FacilityData,
    /// The pre-2025 commune code the record was given in (an import of an old list):
    /// kept as it was, never edited.
    pub old_commune_code: Option<String>,
    /// The registered craft village it belongs to (set by `Store::link_village`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub village_id: Option<String>,
    #[serde(flatten)]
    pub meta: RecordMeta,
}

impl FacilityData {
    /// Each field as JSON, keyed like [`FacilityField::key`]; the change log diffs these.
    pub fn field_values(&self) -> Vec<(&'static str, serde_json::Value)> {
        use serde_json::json;
        FacilityField::ALL
            .into_iter()
            .map(|f| {
                let v = match f {
                    FacilityField::Name => json!(self.name),
                    FacilityField::EntityType => json!(self.entity_type),
                    FacilityField::TaxCode => json!(self.tax_code),
                    FacilityField::Representative => json!(self.representative),
                    FacilityField::Phone => json!(self.phone),
                    FacilityField::Address => json!(self.address),
                    FacilityField::CommuneCode => json!(self.commune_code),
                    FacilityField::TradeGroup => json!(self.trade_group),
                    FacilityField::Products => json!(self.products),
                    FacilityField::Workers => json!(self.workers),
                    FacilityField::FoundedYear => json!(self.founded_year),
                    FacilityField::CraftVillage => json!(self.craft_village),
                    FacilityField::OcopStars => json!(self.ocop_stars),
                    FacilityField::OcopYear => json!(self.ocop_year),
                    FacilityField::TypicalLevel => json!(self.typical_level),
                    FacilityField::TypicalYear => json!(self.typical_year),
                    FacilityField::Exports => json!(self.exports),
                    FacilityField::LocalMaterials => json!(self.local_materials),
                    FacilityField::WomanOwned => json!(self.woman_owned),
                    FacilityField::EthnicOwned => json!(self.ethnic_owned),
                    FacilityField::DifficultArea => json!(self.difficult_area),
                    FacilityField::Status => json!(self.status.as_str()),
                    FacilityField::Notes => json!(self.notes),
                };
                (f.key(), v)
            })
            .collect()
    }

    /// Field → [old, new] for every field that differs; `None` old means creation.
    pub fn diff(
        old: Option<&FacilityData>,
        new: &FacilityData,
    ) -> serde_json::Map<String, serde_json::Value> {
        let new_vals = new.field_values();
        let old_vals = old.map(FacilityData::field_values);
        let mut out = serde_json::Map::new();
        for (i, (k, nv)) in new_vals.into_iter().enumerate() {
            let ov = old_vals
                .as_ref()
                .map(|o| o[i].1.clone())
                .unwrap_or(serde_json::Value::Null);
            let empty_new = match &nv {
                serde_json::Value::Null => true,
                serde_json::Value::String(s) => s.is_empty(),
                serde_json::Value::Bool(b) => !b,
                _ => false,
            };
            if ov != nv && !(old.is_none() && empty_new) {
                out.insert(k.to_string(), serde_json::json!([ov, nv]));
            }
        }
        out
    }
}

/// A facility as typed in a form or read from a spreadsheet row: every value still text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FacilityInput {
    pub name: String,
    pub entity_type: String,
    pub tax_code: String,
    pub representative: String,
    pub phone: String,
    pub address: String,
    pub commune_code: String,
    pub trade_group: String,
    pub products: String,
    pub workers: String,
    pub founded_year: String,
    pub craft_village: String,
    pub ocop_stars: String,
    pub ocop_year: String,
    pub typical_level: String,
    pub typical_year: String,
    pub exports: String,
    pub local_materials: String,
    pub woman_owned: String,
    pub ethnic_owned: String,
    pub difficult_area: String,
    pub status: String,
    pub notes: String,
}

fn opt_num<T: ToString>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

fn flag_text(b: bool) -> String {
    if b {
        "1".into()
    } else {
        String::new()
    }
}

impl FacilityInput {
    pub fn get(&self, f: FacilityField) -> &str {
        match f {
            FacilityField::Name => &self.name,
            FacilityField::EntityType => &self.entity_type,
            FacilityField::TaxCode => &self.tax_code,
            FacilityField::Representative => &self.representative,
            FacilityField::Phone => &self.phone,
            FacilityField::Address => &self.address,
            FacilityField::CommuneCode => &self.commune_code,
            FacilityField::TradeGroup => &self.trade_group,
            FacilityField::Products => &self.products,
            FacilityField::Workers => &self.workers,
            FacilityField::FoundedYear => &self.founded_year,
            FacilityField::CraftVillage => &self.craft_village,
            FacilityField::OcopStars => &self.ocop_stars,
            FacilityField::OcopYear => &self.ocop_year,
            FacilityField::TypicalLevel => &self.typical_level,
            FacilityField::TypicalYear => &self.typical_year,
            FacilityField::Exports => &self.exports,
            FacilityField::LocalMaterials => &self.local_materials,
            FacilityField::WomanOwned => &self.woman_owned,
            FacilityField::EthnicOwned => &self.ethnic_owned,
            FacilityField::DifficultArea => &self.difficult_area,
            FacilityField::Status => &self.status,
            FacilityField::Notes => &self.notes,
        }
    }

    pub fn set(&mut self, f: FacilityField, v: String) {
        let slot = match f {
            FacilityField::Name => &mut self.name,
            FacilityField::EntityType => &mut self.entity_type,
            FacilityField::TaxCode => &mut self.tax_code,
            FacilityField::Representative => &mut self.representative,
            FacilityField::Phone => &mut self.phone,
            FacilityField::Address => &mut self.address,
            FacilityField::CommuneCode => &mut self.commune_code,
            FacilityField::TradeGroup => &mut self.trade_group,
            FacilityField::Products => &mut self.products,
            FacilityField::Workers => &mut self.workers,
            FacilityField::FoundedYear => &mut self.founded_year,
            FacilityField::CraftVillage => &mut self.craft_village,
            FacilityField::OcopStars => &mut self.ocop_stars,
            FacilityField::OcopYear => &mut self.ocop_year,
            FacilityField::TypicalLevel => &mut self.typical_level,
            FacilityField::TypicalYear => &mut self.typical_year,
            FacilityField::Exports => &mut self.exports,
            FacilityField::LocalMaterials => &mut self.local_materials,
            FacilityField::WomanOwned => &mut self.woman_owned,
            FacilityField::EthnicOwned => &mut self.ethnic_owned,
            FacilityField::DifficultArea => &mut self.difficult_area,
            FacilityField::Status => &mut self.status,
            FacilityField::Notes => &mut self.notes,
        };
        *slot = v;
    }

    /// The form's starting values when editing a stored facility.
    pub fn from_data(d: &FacilityData) -> Self {
        FacilityInput {
            name: d.name.clone(),
            entity_type: d.entity_type.clone().unwrap_or_default(),
            tax_code: d.tax_code.clone().unwrap_or_default(),
            representative: d.representative.clone(),
            phone: d.phone.clone().unwrap_or_default(),
            address: d.address.clone(),
            commune_code: d.commune_code.clone(),
            trade_group: d.trade_group.clone().unwrap_or_default(),
            products: d.products.clone(),
            workers: opt_num(d.workers),
            founded_year: opt_num(d.founded_year),
            craft_village: d.craft_village.clone(),
            ocop_stars: opt_num(d.ocop_stars),
            ocop_year: opt_num(d.ocop_year),
            typical_level: d.typical_level.clone().unwrap_or_default(),
            typical_year: opt_num(d.typical_year),
            exports: flag_text(d.exports),
            local_materials: flag_text(d.local_materials),
            woman_owned: flag_text(d.woman_owned),
            ethnic_owned: flag_text(d.ethnic_owned),
            difficult_area: flag_text(d.difficult_area),
            status: if d.status == FacilityStatus::Active {
                String::new()
            } else {
                d.status.as_str().to_string()
            },
            notes: d.notes.clone(),
        }
    }
}

/// What validation needs to know beyond the record itself.
#[derive(Debug, Clone, Copy)]
pub struct ValidationContext<'a> {
    /// The collaborator saving it: the commune must lie in their scope.
    pub profile: Option<&'a Profile>,
    pub today: NaiveDate,
    /// Values come from a spreadsheet: numbers may have lost their leading zeros.
    pub spreadsheet: bool,
}

const MAX_SHORT: usize = 300;
const MAX_LONG: usize = 4000;

/// Turns typed values into a facility, or says what is wrong, field by field.
/// Warnings (a doubtful tax check digit) are returned beside the data.
pub fn validate(
    input: &FacilityInput,
    ctx: &ValidationContext,
) -> Result<(FacilityData, Issues), Issues> {
    let mut issues = Issues::default();
    let year_now = ctx.today.year();

    let text = |issues: &mut Issues,
                key: &'static str,
                raw: &str,
                max: usize,
                multiline: bool|
     -> String {
        let v = if multiline {
            ingest_multiline(raw)
        } else {
            ingest(raw)
        };
        if v.chars().count() > max {
            issues.push(FieldIssue::error(key, Problem::TooLong { max }));
        }
        v
    };

    let name = text(&mut issues, "name", &input.name, 200, false);
    if name.is_empty() {
        issues.push(FieldIssue::error("name", Problem::Required));
    }
    let representative = text(
        &mut issues,
        "representative",
        &input.representative,
        MAX_SHORT,
        false,
    );
    let address = text(&mut issues, "address", &input.address, MAX_SHORT, false);
    let products = text(&mut issues, "products", &input.products, MAX_SHORT, false);
    let craft_village = text(
        &mut issues,
        "craft_village",
        &input.craft_village,
        MAX_SHORT,
        false,
    );
    let notes = text(&mut issues, "notes", &input.notes, MAX_LONG, true);

    // Commune: a 2025 code, matched by code, never by name.
    let commune_code = commune_field(
        &mut issues,
        "commune_code",
        &input.commune_code,
        ctx.profile,
    );

    let entity_type = code_field(
        &mut issues,
        "entity_type",
        &input.entity_type,
        &codes().entity_types,
    );
    let trade_group = code_field(
        &mut issues,
        "trade_group",
        &input.trade_group,
        &codes().trade_groups,
    );

    let tax_code = check_tax_code(&input.tax_code, ctx.spreadsheet, &mut issues);
    let phone = check_phone(&input.phone, ctx.spreadsheet, &mut issues);

    let workers = whole_number(&mut issues, "workers", &input.workers);
    let founded_year = year(&mut issues, "founded_year", &input.founded_year, year_now);
    let ocop_stars = match whole_number(&mut issues, "ocop_stars", &input.ocop_stars) {
        Some(n) if (3..=5).contains(&n) => Some(n as u8),
        Some(_) => {
            issues.push(FieldIssue::error("ocop_stars", Problem::OcopStars));
            None
        }
        None => None,
    };
    let ocop_year = year(&mut issues, "ocop_year", &input.ocop_year, year_now);
    let typical_level = {
        let v = crate::text::fold(&ingest(&input.typical_level)).replace(' ', "_");
        if v.is_empty() {
            None
        } else if TYPICAL_LEVELS.contains(&v.as_str()) {
            Some(v)
        } else {
            issues.push(FieldIssue::error(
                "typical_level",
                Problem::UnknownCode {
                    code: ingest(&input.typical_level),
                },
            ));
            None
        }
    };
    let typical_year = year(&mut issues, "typical_year", &input.typical_year, year_now);
    let status = match FacilityStatus::parse(&input.status) {
        Some(s) => s,
        None => {
            issues.push(FieldIssue::error(
                "status",
                Problem::UnknownStatus {
                    value: ingest(&input.status),
                },
            ));
            FacilityStatus::Active
        }
    };

    let exports = flag(&mut issues, "exports", &input.exports);
    let local_materials = flag(&mut issues, "local_materials", &input.local_materials);
    let woman_owned = flag(&mut issues, "woman_owned", &input.woman_owned);
    let ethnic_owned = flag(&mut issues, "ethnic_owned", &input.ethnic_owned);
    let difficult_area = flag(&mut issues, "difficult_area", &input.difficult_area);

    if issues.has_errors() {
        return Err(issues);
    }
    Ok((
        FacilityData {
            name,
            entity_type,
            tax_code,
            representative,
            phone,
            address,
            commune_code,
            trade_group,
            products,
            workers,
            founded_year,
            craft_village,
            ocop_stars,
            ocop_year,
            typical_level,
            typical_year,
            exports,
            local_materials,
            woman_owned,
            ethnic_owned,
            difficult_area,
            status,
            notes,
        },
        issues,
    ))
}

/// A 2025 commune code typed or imported: padded, known, and in `profile`'s scope.
pub(crate) fn commune_field(
    issues: &mut Issues,
    key: &'static str,
    raw: &str,
    profile: Option<&crate::domain::Profile>,
) -> String {
    let commune_raw = ingest(raw);
    if commune_raw.is_empty() {
        issues.push(FieldIssue::error(key, Problem::Required));
        return String::new();
    }
    match Units::pad_commune_code(&commune_raw) {
        Some(c) if units().commune(&c).is_some() => {
            if let Some(p) = profile {
                if !p.covers_commune(&c) {
                    issues.push(FieldIssue::error(
                        key,
                        Problem::CommuneOutOfScope { code: c.clone() },
                    ));
                }
            }
            c
        }
        _ => {
            issues.push(FieldIssue::error(
                key,
                Problem::UnknownCommune {
                    code: commune_raw.clone(),
                },
            ));
            commune_raw
        }
    }
}

/// A code of `list` typed as its code or its label in full (None when empty or unknown,
/// the unknown one reported).
pub(crate) fn code_field(
    issues: &mut Issues,
    key: &'static str,
    raw: &str,
    list: &crate::refdata::CodeList,
) -> Option<String> {
    let v = ingest(raw);
    if v.is_empty() {
        return None;
    }
    // Codes are upper-case; accept a label typed in full as well.
    let up = v.to_uppercase();
    if list.contains(&up) {
        return Some(up);
    }
    let folded = crate::text::fold(&v);
    if let Some(item) = list
        .items()
        .iter()
        .find(|i| crate::text::fold(&i.label_vi) == folded || i.label_en.eq_ignore_ascii_case(&v))
    {
        return Some(item.code.clone());
    }
    issues.push(FieldIssue::error(key, Problem::UnknownCode { code: v }));
    None
}

/// A yes/no field: [`parse_flag`], anything else reported.
pub(crate) fn flag(issues: &mut Issues, key: &'static str, raw: &str) -> bool {
    match parse_flag(raw) {
        Some(b) => b,
        None => {
            issues.push(FieldIssue::error(
                key,
                Problem::NotABoolean { value: ingest(raw) },
            ));
            false
        }
    }
}

/// "x", "1", "có", "yes" … → true; "", "0", "không", "no" … → false.
pub fn parse_flag(raw: &str) -> Option<bool> {
    match crate::text::fold(raw.trim()).as_str() {
        "" | "0" | "khong" | "k" | "no" | "n" | "false" | "sai" => Some(false),
        "1" | "x" | "co" | "c" | "yes" | "y" | "true" | "dung" | "v" => Some(true),
        _ => None,
    }
}

/// A whole number as people and Excel write it: "12", "12.0", "1.250" (Vietnamese thousands).
pub(crate) fn whole_number(issues: &mut Issues, key: &'static str, raw: &str) -> Option<i64> {
    let v = raw.trim().replace(' ', "");
    if v.is_empty() {
        return None;
    }
    let (neg, body) = match v.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, v.as_str()),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let parsed = if all_digits(body) {
        body.parse::<i64>().ok()
    } else if let Some((int, frac)) = body
        .split_once('.')
        .filter(|(i, f)| all_digits(i) && !f.is_empty() && f.bytes().all(|b| b == b'0'))
    {
        // Excel's "12.0"
        let _ = frac;
        int.parse::<i64>().ok()
    } else {
        let groups: Vec<&str> = body.split('.').collect();
        let thousands = groups.len() > 1
            && (1..=3).contains(&groups[0].len())
            && all_digits(groups[0])
            && groups[1..].iter().all(|g| g.len() == 3 && all_digits(g));
        if thousands {
            groups.concat().parse::<i64>().ok()
        } else {
            None
        }
    };
    match parsed {
        Some(_) if neg => {
            issues.push(FieldIssue::error(key, Problem::Negative));
            None
        }
        Some(n) => Some(n),
        None => {
            issues.push(FieldIssue::error(
                key,
                Problem::NotAWholeNumber { value: ingest(raw) },
            ));
            None
        }
    }
}

pub(crate) fn year(
    issues: &mut Issues,
    key: &'static str,
    raw: &str,
    year_now: i32,
) -> Option<i32> {
    let n = whole_number(issues, key, raw)?;
    let y = i32::try_from(n).unwrap_or(i32::MAX);
    if y > year_now {
        issues.push(FieldIssue::error(key, Problem::YearInFuture { year: y }));
        None
    } else if y < 1800 {
        issues.push(FieldIssue::error(key, Problem::YearTooOld { year: y }));
        None
    } else {
        Some(y)
    }
}

/// The MST check digit for the first nine digits (python-stdnum `vn.mst`); 10 means no digit fits.
pub fn tax_check_digit(first9: &[u8]) -> u32 {
    const W: [u32; 9] = [31, 29, 23, 19, 17, 13, 7, 5, 3];
    let total: u32 = W
        .iter()
        .zip(first9)
        .map(|(w, d)| w * u32::from(d - b'0'))
        .sum();
    10 - (total % 11)
}

/// Tax/registration number: 10 digits, 10 + "-" + 3 digits (branch), or a 12-digit personal id.
fn check_tax_code(raw: &str, spreadsheet: bool, issues: &mut Issues) -> Option<String> {
    let v: String = ingest(raw)
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '.')
        .collect();
    if v.is_empty() {
        return None;
    }
    let (main, branch) = match v.split_once('-') {
        Some((m, b)) => (m.to_string(), Some(b.to_string())),
        None => (v.clone(), None),
    };
    let mut main = main;
    if !main.bytes().all(|b| b.is_ascii_digit()) || main.is_empty() {
        issues.push(FieldIssue::error("tax_code", Problem::TaxFormat));
        return None;
    }
    // Excel drops the leading zero of "0100233488" and of a personal id "001…".
    if spreadsheet && (main.len() == 9 || main.len() == 11) {
        main.insert(0, '0');
    }
    match (main.len(), &branch) {
        (10, None) | (10, Some(_)) => {
            if let Some(b) = &branch {
                if b.len() != 3 || !b.bytes().all(|x| x.is_ascii_digit()) {
                    issues.push(FieldIssue::error("tax_code", Problem::TaxFormat));
                    return None;
                }
                if b == "000" {
                    issues.push(FieldIssue::error("tax_code", Problem::TaxBranchZero));
                    return None;
                }
            }
            let bytes = main.as_bytes();
            let expected = tax_check_digit(&bytes[..9]);
            if expected != u32::from(bytes[9] - b'0') {
                issues.push(FieldIssue::warning(
                    "tax_code",
                    Problem::TaxCheckDigit { expected },
                ));
            }
            Some(match branch {
                Some(b) => format!("{main}-{b}"),
                None => main,
            })
        }
        (12, None) => Some(main),
        _ => {
            issues.push(FieldIssue::error("tax_code", Problem::TaxFormat));
            None
        }
    }
}

/// Normalises a Vietnamese phone number to its national form ("0912345678"), or None.
pub fn normalize_phone(raw: &str, spreadsheet: bool) -> Option<String> {
    let t = raw.trim();
    if t.chars()
        .any(|c| !(c.is_ascii_digit() || " .-()+".contains(c)))
        || t.matches('+').count() > 1
    {
        return None;
    }
    if t.contains('+') && !t.starts_with("+84") {
        return None;
    }
    let mut d = digits_only(t);
    if t.starts_with("+84") || (d.starts_with("84") && (d.len() == 11 || d.len() == 12)) {
        d = format!("0{}", &d[2..]);
    }
    if spreadsheet && !d.starts_with('0') && (d.len() == 9 || d.len() == 10) {
        d.insert(0, '0');
    }
    let b = d.as_bytes();
    let mobile = b.len() == 10 && b[0] == b'0' && matches!(b[1], b'3' | b'5' | b'7' | b'8' | b'9');
    let landline = b.len() == 11 && b[0] == b'0' && b[1] == b'2';
    (mobile || landline).then_some(d)
}

fn check_phone(raw: &str, spreadsheet: bool, issues: &mut Issues) -> Option<String> {
    if raw.trim().is_empty() {
        return None;
    }
    let p = normalize_phone(raw, spreadsheet);
    if p.is_none() {
        issues.push(FieldIssue::error("phone", Problem::PhoneFormat));
    }
    p
}

/// "0912345678" → "0912 345 678"; "02438251234" → "024 3825 1234".
pub fn format_phone(p: &str) -> String {
    match p.len() {
        10 => format!("{} {} {}", &p[..4], &p[4..7], &p[7..]),
        11 => format!("{} {} {}", &p[..3], &p[3..7], &p[7..]),
        _ => p.to_string(),
    }
}
