//! Who is working: a collaborator's profile, role and scope.

use serde::{Deserialize, Serialize};

use super::issue::{FieldIssue, Issues, Problem};
use crate::refdata::units;
use crate::text::ingest;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// A commune collaborator: one commune (or a few).
    Commune,
    /// An area officer: a set of communes, e.g. a former district (huyện).
    Area,
    /// The provincial centre: one province.
    Province,
}

// The English keys and the Vietnamese words people type.
super::code_list::code_list! {
    Role, as_str, loose = false;
    Commune => "commune", "role.commune", ["xa", "phuong", "cap xa"];
    Area => "area", "role.area", ["district", "huyen", "khu vuc", "cum"];
    Province => "province", "role.province", ["tinh", "cap tinh"];
}

/// A saved profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub id: String,
    pub name: String,
    pub role: Role,
    /// 2025 commune codes (commune/area roles) or one province code (province role).
    pub units: Vec<String>,
    pub account: Option<String>,
    pub active: bool,
}

impl Profile {
    /// Whether a commune (2025 code) lies in this collaborator's scope.
    pub fn covers_commune(&self, commune_code: &str) -> bool {
        match self.role {
            Role::Province => units()
                .commune(commune_code)
                .is_some_and(|c| self.units.contains(&c.province_code)),
            Role::Commune | Role::Area => self.units.iter().any(|u| u == commune_code),
        }
    }

    /// The communes in scope, sorted by code.
    pub fn communes(&self) -> Vec<String> {
        match self.role {
            Role::Province => self
                .units
                .iter()
                .flat_map(|p| units().communes_in_province(p))
                .map(|c| c.code.clone())
                .collect(),
            Role::Commune | Role::Area => {
                let mut v = self.units.clone();
                v.sort();
                v.dedup();
                v
            }
        }
    }

    /// A short human label for the scope: one commune's name, "N xã/phường", or the province.
    pub fn scope_label(&self) -> String {
        let u = units();
        match (self.role, self.units.as_slice()) {
            (Role::Province, [p]) => u
                .province(p)
                .map(|p| p.full_name.clone())
                .unwrap_or_else(|| p.clone()),
            (_, [c]) => u
                .commune(c)
                .map(|c| c.full_name.clone())
                .unwrap_or_else(|| c.clone()),
            (_, many) => format!("{} xã/phường", many.len()),
        }
    }
}

/// What `ctv init` and the first-run wizard collect.
#[derive(Debug, Clone, Default)]
pub struct ProfileInput {
    pub name: String,
    pub role: String,
    /// Commune codes, pre-2025 district codes (expanded to their 2025 communes, for an area
    /// officer), or a province code — comma separated as typed.
    pub units: String,
    pub account: Option<String>,
}

/// The validated parts of a profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileData {
    pub name: String,
    pub role: Role,
    pub units: Vec<String>,
    pub account: Option<String>,
}

impl ProfileInput {
    pub fn validate(&self) -> Result<ProfileData, Issues> {
        let mut issues = Issues::default();
        let name = ingest(&self.name);
        if name.is_empty() {
            issues.push(FieldIssue::error("name", Problem::Required));
        }
        let role = Role::parse(&self.role);
        if role.is_none() {
            if self.role.trim().is_empty() {
                issues.push(FieldIssue::error("role", Problem::Required));
            } else {
                issues.push(FieldIssue::error(
                    "role",
                    Problem::UnknownRole {
                        value: ingest(&self.role),
                    },
                ));
            }
        }
        let raw: Vec<String> = self
            .units
            .split([',', ';', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        let mut codes = Vec::new();
        if raw.is_empty() {
            issues.push(FieldIssue::error("unit", Problem::Required));
        }
        let u = units();
        if let Some(role) = role {
            for r in &raw {
                match role {
                    Role::Province => match crate::refdata::Units::pad_province_code(r) {
                        Some(p) if u.province(&p).is_some() => codes.push(p),
                        _ => issues.push(FieldIssue::error(
                            "unit",
                            Problem::UnknownUnit { code: ingest(r) },
                        )),
                    },
                    Role::Commune | Role::Area => {
                        // A 3-digit code is a pre-2025 district: an area officer's ready-made scope.
                        if r.len() == 3
                            && r.chars().all(|c| c.is_ascii_digit())
                            && u.old_district(r).is_some()
                        {
                            codes.extend(
                                u.new_communes_of_old_district(r)
                                    .into_iter()
                                    .map(str::to_string),
                            );
                            continue;
                        }
                        match crate::refdata::Units::pad_commune_code(r) {
                            Some(c) if u.commune(&c).is_some() => codes.push(c),
                            _ => issues.push(FieldIssue::error(
                                "unit",
                                Problem::UnknownUnit { code: ingest(r) },
                            )),
                        }
                    }
                }
            }
            if role == Role::Province && raw.len() > 1 {
                issues.push(FieldIssue::error("unit", Problem::ScopeShape));
            }
            if role != Role::Province {
                let mut provinces: Vec<&str> = codes
                    .iter()
                    .filter_map(|c| u.commune(c))
                    .map(|c| c.province_code.as_str())
                    .collect();
                provinces.sort_unstable();
                provinces.dedup();
                if provinces.len() > 1 {
                    let names: Vec<String> = provinces
                        .iter()
                        .map(|p| u.province(p).map_or(p.to_string(), |x| x.name.clone()))
                        .collect();
                    issues.push(FieldIssue::error(
                        "unit",
                        Problem::ScopeProvinces {
                            provinces: names.join(", "),
                        },
                    ));
                }
            }
        }
        codes.sort();
        codes.dedup();
        let account = self
            .account
            .as_deref()
            .map(ingest)
            .filter(|a| !a.is_empty());
        match (issues.has_errors(), role) {
            (false, Some(role)) => Ok(ProfileData {
                name,
                role,
                units: codes,
                account,
            }),
            _ => Err(issues),
        }
    }
}
