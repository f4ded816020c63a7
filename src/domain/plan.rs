//! The annual plan (kế hoạch khuyến công, issue 17), grouped the way provinces submit it: by
//! content (support category, code-list order), within it by implementing unit — the
//! provincial centre, or the facility (cơ sở CNNT, one or a group) — with subtotals; then a
//! total per funding source and the grand total of the đề án; then the centre's own
//! activities of the year by kind; and the submission date in view.
//!
//! Rules kept here (the store only reads rows):
//! - a đề án with no facility (the centre's own) or drafted by a province profile is
//!   implemented by the centre; any other by its facility or facilities;
//! - an activity linked to a đề án is listed with its cost but not added up: its money is
//!   already the đề án's;
//! - the plan for year Y is sent upward before 20 June of Y − 1 (TT 36/2013/TT-BCT, Art. 10;
//!   docs/DOMAIN.md, «The calendar»: proposals for *next* year's plan).

use chrono::NaiveDate;
use serde::Serialize;

use super::proposal::{
    category_order, FundingSource, MoneyTotals, Priorities, ProposalMoney, ProposalStatus,
};

/// Who implements a đề án.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// The provincial centre (Trung tâm Khuyến công).
    Centre,
    /// The facility, or the facilities of a group đề án.
    Facility,
}

impl UnitKind {
    pub fn label_key(self) -> &'static str {
        match self {
            UnitKind::Centre => "plan.unit.centre",
            UnitKind::Facility => "plan.unit.facility",
        }
    }
}

/// One đề án as the plan lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanItem {
    pub id: String,
    /// The facility's name (the lead's for a group; empty with no facility).
    pub facility_name: String,
    pub commune_code: String,
    pub category: String,
    pub funding: FundingSource,
    pub title: String,
    pub money: ProposalMoney,
    pub priorities: Priorities,
    pub status: ProposalStatus,
    pub is_pilot: bool,
    /// How many facilities a group đề án supports (0 for a đề án of one facility or none).
    pub beneficiaries: usize,
    pub unit: UnitKind,
}

/// The đề án of one content implemented by one kind of unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitGroup {
    pub unit: UnitKind,
    pub items: Vec<PlanItem>,
    pub subtotal: MoneyTotals,
}

/// One content (support category) of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContentGroup {
    pub category: String,
    pub units: Vec<UnitGroup>,
    pub subtotal: MoneyTotals,
}

/// An activity of the plan year as the plan lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanActivity {
    pub id: String,
    pub kind: String,
    pub title: String,
    /// ISO dates.
    pub start_date: String,
    pub end_date: Option<String>,
    pub organiser: String,
    pub commune_code: String,
    pub cost: i64,
    /// The đề án it belongs to: its cost is that đề án's money, not added again.
    pub proposal_id: Option<String>,
}

impl PlanActivity {
    /// Whether its cost counts in the plan's money (not when a đề án already holds it).
    pub fn counted(&self) -> bool {
        self.proposal_id.is_none()
    }
}

/// The activities of one kind, and the cost they add (linked ones left out).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActivityGroup {
    pub kind: String,
    pub activities: Vec<PlanActivity>,
    pub cost: i64,
}

/// The annual plan of a scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub year: i32,
    pub groups: Vec<ContentGroup>,
    pub by_funding: Vec<(FundingSource, MoneyTotals)>,
    /// The đề án's grand total.
    pub total: MoneyTotals,
    pub activities: Vec<ActivityGroup>,
    /// What the activities add (those linked to a đề án left out).
    pub activities_cost: i64,
    /// Đề án of the year not decided yet, by status (only the statuses that have some), in
    /// the workflow's order.
    pub pending: Vec<(ProposalStatus, usize)>,
    /// Whether the province has an area review (then «Đã đề xuất» awaits it).
    pub area_review: bool,
}

impl Plan {
    /// The total cost of the whole plan: the đề án's and the activities' not already in one.
    pub fn grand_total_cost(&self) -> i64 {
        self.total.total_cost.saturating_add(self.activities_cost)
    }

    /// How many đề án of the year are not decided yet.
    pub fn pending_count(&self) -> usize {
        self.pending.iter().map(|(_, n)| n).sum()
    }
}

/// Statuses of a đề án not decided yet (the plan's «chưa xử lý xong»), in workflow order:
/// drafts and returned ones not (re)sent, proposed ones not reviewed or sent, reviewed ones
/// not sent, sent ones not decided.
pub const PENDING: [ProposalStatus; 5] = [
    ProposalStatus::Nhap,
    ProposalStatus::TraLai,
    ProposalStatus::DeXuat,
    ProposalStatus::DaRaSoat,
    ProposalStatus::DaGuiTinh,
];

/// The day the plan for `year` is due upward: 20 June of the year before.
pub fn deadline(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year - 1, 6, 20).unwrap_or(NaiveDate::MIN)
}

/// Days from `today` to the plan's due date: positive while it lies ahead, 0 on the day,
/// negative once it has passed (by that many days).
pub fn days_left(year: i32, today: NaiveDate) -> i64 {
    (deadline(year) - today).num_days()
}

/// The plan year a collaborator works on at `today`: next year's plan is the one being
/// gathered and sent (by 20 June).
pub fn default_year(today: NaiveDate) -> i32 {
    chrono::Datelike::year(&today) + 1
}

/// Builds the plan from its đề án (within a unit, the given order is kept) and activities
/// (kept in the given order within a kind).
pub fn build(
    year: i32,
    items: Vec<PlanItem>,
    activities: Vec<PlanActivity>,
    pending: Vec<(ProposalStatus, usize)>,
    area_review: bool,
) -> Plan {
    let mut groups: Vec<ContentGroup> = Vec::new();
    let mut by_funding: Vec<(FundingSource, MoneyTotals)> = Vec::new();
    let mut total = MoneyTotals::default();
    for it in items {
        total.add(&it.money);
        match by_funding.iter_mut().find(|(f, _)| *f == it.funding) {
            Some((_, t)) => t.add(&it.money),
            None => {
                let mut t = MoneyTotals::default();
                t.add(&it.money);
                by_funding.push((it.funding, t));
            }
        }
        let gi = match groups.iter().position(|g| g.category == it.category) {
            Some(i) => i,
            None => {
                groups.push(ContentGroup {
                    category: it.category.clone(),
                    units: Vec::new(),
                    subtotal: MoneyTotals::default(),
                });
                groups.len() - 1
            }
        };
        let g = &mut groups[gi];
        g.subtotal.add(&it.money);
        let ui = match g.units.iter().position(|u| u.unit == it.unit) {
            Some(i) => i,
            None => {
                g.units.push(UnitGroup {
                    unit: it.unit,
                    items: Vec::new(),
                    subtotal: MoneyTotals::default(),
                });
                g.units.len() - 1
            }
        };
        let u = &mut g.units[ui];
        u.subtotal.add(&it.money);
        u.items.push(it);
    }
    groups.sort_by_key(|g| category_order(&g.category));
    for g in &mut groups {
        g.units.sort_by_key(|u| u.unit);
    }
    by_funding.sort_by_key(|(f, _)| *f);

    let mut kinds: Vec<ActivityGroup> = Vec::new();
    let mut activities_cost = 0i64;
    for a in activities {
        let add = if a.counted() { a.cost } else { 0 };
        activities_cost = activities_cost.saturating_add(add);
        match kinds.iter_mut().find(|k| k.kind == a.kind) {
            Some(k) => {
                k.cost = k.cost.saturating_add(add);
                k.activities.push(a);
            }
            None => kinds.push(ActivityGroup {
                kind: a.kind.clone(),
                cost: add,
                activities: vec![a],
            }),
        }
    }
    let kind_order = |k: &str| {
        crate::refdata::codes()
            .activity_kinds
            .items()
            .iter()
            .position(|i| i.code == k)
            .unwrap_or(usize::MAX)
    };
    kinds.sort_by_key(|k| kind_order(&k.kind));

    let mut pending: Vec<(ProposalStatus, usize)> =
        pending.into_iter().filter(|(_, n)| *n > 0).collect();
    pending.sort_by_key(|(s, _)| PENDING.iter().position(|p| p == s).unwrap_or(usize::MAX));
    Plan {
        year,
        groups,
        by_funding,
        total,
        activities: kinds,
        activities_cost,
        pending,
        area_review,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_plan_for_a_year_is_due_on_20_june_of_the_year_before() {
        assert_eq!(deadline(2027), d(2026, 6, 20));
        assert_eq!(days_left(2027, d(2026, 6, 10)), 10);
        assert_eq!(days_left(2027, d(2026, 6, 20)), 0);
        assert_eq!(days_left(2027, d(2026, 6, 21)), -1);
        assert_eq!(default_year(d(2026, 3, 1)), 2027);
    }
}
