//! The annual plan in words, line by line, for `ctv plan` (table, CSV, workbook) and the plan
//! screen alike: per content a heading, per implementing unit a sub-heading, its đề án and a
//! subtotal, the content's subtotal; the totals per funding source and of the đề án; the
//! centre's activities by kind; the plan's total cost. Then the 20 June date and what is
//! still undecided.

use chrono::NaiveDate;

use crate::domain::consultation::{dmy, parse_date};
use crate::domain::plan::{days_left, deadline, Plan, PlanActivity, PlanItem, UnitKind};
use crate::domain::proposal::{MoneyTotals, ProposalStatus};
use crate::refdata::codes;
use crate::words::format::{code_label, commune_label, CommuneForm};
use crate::words::{tr, trf, Lang};

/// What a plan line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// A content (support category) heading, or the activities' heading.
    Content,
    /// An implementing unit under a content, or a kind of activity.
    Unit,
    /// One đề án.
    Item,
    /// One activity.
    Activity,
    /// A unit's, a content's or a kind's subtotal.
    Subtotal,
    /// Per funding source, the đề án's, the activities' and the plan's totals.
    Total,
}

/// One line of the plan as every format lays it out: texts, then the four amounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanLine {
    pub kind: LineKind,
    /// STT, facility (or unit), commune, category, funding, title, markers, status. Headings
    /// and total labels go in the facility column.
    pub texts: [String; 8],
    /// Total cost, support, counterpart, other sources (None: not shown on this line).
    pub money: [Option<i64>; 4],
}

impl PlanLine {
    fn label(kind: LineKind, text: String, money: [Option<i64>; 4]) -> PlanLine {
        let mut texts: [String; 8] = Default::default();
        texts[1] = text;
        PlanLine { kind, texts, money }
    }

    /// The line as one text (the plan screen's first column), indented by its level.
    pub fn outline(&self) -> String {
        let t = &self.texts;
        let join = |parts: &[&str]| {
            parts
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(" · ")
        };
        match self.kind {
            LineKind::Content | LineKind::Total => t[1].clone(),
            LineKind::Unit | LineKind::Subtotal => format!("  {}", t[1]),
            LineKind::Item => format!("    {}. {}", t[0], join(&[&t[1], &t[5], &t[6]])),
            LineKind::Activity => format!("    {}. {}", t[0], join(&[&t[5], &t[7], &t[6]])),
        }
    }
}

fn amounts(m: &MoneyTotals) -> [Option<i64>; 4] {
    [
        Some(m.total_cost),
        Some(m.support),
        Some(m.counterpart),
        Some(m.other_sources),
    ]
}

/// Column headings, in order: the 6 leading texts, the 4 amounts, then markers and status.
pub fn headers(l: Lang) -> [&'static str; 12] {
    [
        tr(l, "plan.col.no"),
        tr(l, "plan.col.unit"),
        tr(l, "proposal.col.commune"),
        tr(l, "proposal.col.category"),
        tr(l, "proposal.col.funding"),
        tr(l, "proposal.field.title"),
        tr(l, "proposal.field.total_cost"),
        tr(l, "proposal.field.support"),
        tr(l, "proposal.field.counterpart"),
        tr(l, "proposal.field.other_sources"),
        tr(l, "plan.col.markers"),
        tr(l, "plan.col.status"),
    ]
}

fn unit_short(l: Lang, u: UnitKind) -> &'static str {
    match u {
        UnitKind::Centre => tr(l, "plan.unit_short.centre"),
        UnitKind::Facility => tr(l, "plan.unit_short.facility"),
    }
}

/// The plan laid out line by line (texts not yet sanitized: each front end does it where it
/// draws or writes).
pub fn plan_lines(l: Lang, plan: &Plan) -> Vec<PlanLine> {
    let mut out = Vec::new();
    let mut n = 0;
    for g in &plan.groups {
        let cat = code_label(l, &codes().support_categories, Some(&g.category));
        out.push(PlanLine::label(
            LineKind::Content,
            format!("{} — {cat}", g.category),
            [None; 4],
        ));
        for u in &g.units {
            out.push(PlanLine::label(
                LineKind::Unit,
                tr(l, u.unit.label_key()).to_string(),
                [None; 4],
            ));
            for p in &u.items {
                n += 1;
                out.push(item_line(l, n, p));
            }
            out.push(PlanLine::label(
                LineKind::Subtotal,
                trf(
                    l,
                    "plan.subtotal_unit",
                    &[&g.category, &unit_short(l, u.unit)],
                ),
                amounts(&u.subtotal),
            ));
        }
        out.push(PlanLine::label(
            LineKind::Subtotal,
            trf(l, "plan.subtotal", &[&g.category]),
            amounts(&g.subtotal),
        ));
    }
    for (f, m) in &plan.by_funding {
        out.push(PlanLine::label(
            LineKind::Total,
            trf(l, "plan.total_funding", &[&f.short()]),
            amounts(m),
        ));
    }
    out.push(PlanLine::label(
        LineKind::Total,
        trf(l, "plan.total_projects", &[&plan.total.count]),
        amounts(&plan.total),
    ));
    if !plan.activities.is_empty() {
        out.push(PlanLine::label(
            LineKind::Content,
            tr(l, "plan.activities").to_string(),
            [None; 4],
        ));
        let mut k = 0;
        for g in &plan.activities {
            let kind = code_label(l, &codes().activity_kinds, Some(&g.kind));
            out.push(PlanLine::label(LineKind::Unit, kind.clone(), [None; 4]));
            for a in &g.activities {
                k += 1;
                out.push(activity_line(l, k, a));
            }
            out.push(PlanLine::label(
                LineKind::Subtotal,
                trf(l, "plan.subtotal", &[&kind]),
                [Some(g.cost), None, None, None],
            ));
        }
        out.push(PlanLine::label(
            LineKind::Total,
            tr(l, "plan.activities_total").to_string(),
            [Some(plan.activities_cost), None, None, None],
        ));
    }
    out.push(PlanLine::label(
        LineKind::Total,
        tr(l, "plan.grand_total").to_string(),
        [Some(plan.grand_total_cost()), None, None, None],
    ));
    out
}

fn item_line(l: Lang, n: usize, p: &PlanItem) -> PlanLine {
    let who = if p.beneficiaries >= 2 {
        let group = trf(l, "plan.group", &[&p.beneficiaries]);
        if p.facility_name.is_empty() {
            group
        } else {
            format!("{group}: {}", p.facility_name)
        }
    } else if p.facility_name.is_empty() {
        tr(l, "plan.no_facility").to_string()
    } else {
        p.facility_name.clone()
    };
    let mut markers = Vec::new();
    if p.is_pilot {
        markers.push(tr(l, "plan.pilot").to_string());
    }
    let prio = crate::words::format::priorities_text(l, &p.priorities);
    if !prio.is_empty() {
        markers.push(prio);
    }
    PlanLine {
        kind: LineKind::Item,
        texts: [
            n.to_string(),
            who,
            commune_label(&p.commune_code, CommuneForm::FullName),
            p.category.clone(),
            p.funding.short().to_string(),
            p.title.clone(),
            markers.join(", "),
            crate::words::format::proposal_status_label(l, p.status),
        ],
        money: [
            Some(p.money.total_cost),
            Some(p.money.support),
            Some(p.money.counterpart),
            Some(p.money.other_sources),
        ],
    }
}

fn date_text(iso: &str) -> String {
    parse_date(iso).map(dmy).unwrap_or_else(|| iso.to_string())
}

fn activity_line(l: Lang, n: usize, a: &PlanActivity) -> PlanLine {
    let dates = match &a.end_date {
        Some(e) if *e != a.start_date => format!("{} – {}", date_text(&a.start_date), date_text(e)),
        _ => date_text(&a.start_date),
    };
    let markers = match &a.proposal_id {
        Some(id) => trf(l, "plan.in_project", &[&crate::words::format::short_id(id)]),
        None => String::new(),
    };
    let organiser = if a.organiser.trim().is_empty() {
        tr(l, "plan.no_facility").to_string()
    } else {
        a.organiser.clone()
    };
    PlanLine {
        kind: LineKind::Activity,
        texts: [
            n.to_string(),
            organiser,
            commune_label(&a.commune_code, CommuneForm::FullName),
            a.kind.clone(),
            String::new(),
            a.title.clone(),
            markers,
            dates,
        ],
        money: [Some(a.cost), None, None, None],
    }
}

/// «Hạn gửi kế hoạch năm 2027: 20/06/2026 — còn 10 ngày» (or today, or passed by N days).
pub fn deadline_text(l: Lang, year: i32, today: NaiveDate) -> String {
    let due = dmy(deadline(year));
    let days = days_left(year, today);
    match days {
        d if d > 0 => trf(l, "plan.deadline.ahead", &[&year, &due, &d]),
        0 => trf(l, "plan.deadline.today", &[&year, &due]),
        d => trf(l, "plan.deadline.passed", &[&year, &due, &(-d)]),
    }
}

/// What a status of a đề án not decided yet waits for.
pub fn pending_label(l: Lang, s: ProposalStatus, area_review: bool) -> &'static str {
    tr(
        l,
        match s {
            ProposalStatus::Nhap => "plan.pending.nhap",
            ProposalStatus::TraLai => "plan.pending.tra_lai",
            ProposalStatus::DeXuat if area_review => "plan.pending.de_xuat_review",
            ProposalStatus::DeXuat => "plan.pending.de_xuat",
            ProposalStatus::DaRaSoat => "plan.pending.da_ra_soat",
            ProposalStatus::DaGuiTinh => "plan.pending.da_gui_tinh",
            _ => "plan.pending.other",
        },
    )
}

/// The undecided đề án of the plan's year: a heading line, then one «label: n» per status.
pub fn pending_lines(l: Lang, plan: &Plan) -> (String, Vec<String>) {
    let n = plan.pending_count();
    if n == 0 {
        return (trf(l, "plan.pending.none", &[&plan.year]), Vec::new());
    }
    let head = trf(l, "plan.pending.count", &[&n, &plan.year]);
    let parts = plan
        .pending
        .iter()
        .map(|(s, c)| format!("{}: {c}", pending_label(l, *s, plan.area_review)))
        .collect();
    (head, parts)
}

/// A line's 12 cells as text, money formatted by `money` (blank where the line has none).
pub fn cells(line: &PlanLine, money: impl Fn(i64) -> String) -> Vec<String> {
    let t = &line.texts;
    let mut v: Vec<String> = t[..6].to_vec();
    v.extend(line.money.iter().map(|m| m.map(&money).unwrap_or_default()));
    v.push(t[6].clone());
    v.push(t[7].clone());
    v
}
