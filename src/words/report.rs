//! Reports, the dashboard and targets worded for people: figure and breakdown names, a
//! breakdown code's label, a refused period or target, and the report's words in both
//! languages (the table `REPORT`, chained into the string table).

use super::format::{code_label, commune_label, CommuneForm};
use super::{tr, trf, Lang};
use crate::domain::report::{PeriodError, TargetError, TargetKey};
use crate::refdata::codes;
use crate::store::report::{Area, Dim, Metric, Report};

/// A figure's name.
pub fn metric_label(l: Lang, m: Metric) -> &'static str {
    tr(
        l,
        match m {
            Metric::FacilitiesRegistered => "report.m.facilities_registered",
            Metric::FacilitiesActive => "report.m.facilities_active",
            Metric::Consultations => "report.m.consultations",
            Metric::ConsultationTopics => "report.m.consultation_topics",
            Metric::FollowUpsDone => "report.m.follow_ups_done",
            Metric::FollowUpsOverdue => "report.m.follow_ups_overdue",
            Metric::Proposals => "report.m.proposals",
            Metric::ProjectsApproved => "report.m.projects_approved",
            Metric::MoneyApproved => "report.m.money_approved",
            Metric::MoneyPaid => "report.m.money_paid",
            Metric::PilotsApproved => "report.m.pilots_approved",
            Metric::PilotMoneyApproved => "report.m.pilot_money_approved",
            Metric::PilotMoneyPaid => "report.m.pilot_money_paid",
            Metric::Activities => "report.m.activities",
            Metric::Attendees => "report.m.attendees",
            Metric::AttendeesWomen => "report.m.attendees_women",
            Metric::AttendeesMinority => "report.m.attendees_minority",
            Metric::JobsCreated => "report.m.jobs_created",
            Metric::WorkersTrained => "report.m.workers_trained",
            Metric::CraftVillages => "report.m.craft_villages",
            Metric::ProductsTitled => "report.m.products_titled",
            Metric::ProductTitles => "report.m.product_titles",
        },
    )
}

/// A breakdown's name ("" for the total).
pub fn dim_label(l: Lang, d: Dim) -> &'static str {
    match d {
        Dim::All => "",
        Dim::TradeGroup => tr(l, "report.d.trade_group"),
        Dim::EntityType => tr(l, "report.d.entity_type"),
        Dim::Mode => tr(l, "report.d.mode"),
        Dim::Topic | Dim::Category => tr(l, "report.d.category"),
        Dim::Status => tr(l, "report.d.status"),
        Dim::Funding => tr(l, "report.d.funding"),
        Dim::Kind => tr(l, "report.d.kind"),
        Dim::VillageStatus => tr(l, "report.d.village_status"),
        Dim::TitleKind => tr(l, "report.d.title_kind"),
    }
}

/// A breakdown code as people read it: a code-list label where there is a list, else the
/// code itself (made safe); «(chưa ghi)» for none.
pub fn code_text(l: Lang, d: Dim, code: &str) -> String {
    if code.is_empty() {
        return tr(l, "report.none").to_string();
    }
    let c = codes();
    match d {
        Dim::TradeGroup => code_label(l, &c.trade_groups, Some(code)),
        Dim::EntityType => code_label(l, &c.entity_types, Some(code)),
        Dim::Mode => code_label(l, &c.consultation_modes, Some(code)),
        Dim::Topic | Dim::Category => format!(
            "{code} — {}",
            code_label(l, &c.support_categories, Some(code))
        ),
        Dim::Status => code_label(l, &c.proposal_statuses, Some(code)),
        Dim::VillageStatus => match code {
            "CONG_NHAN" => tr(l, "report.village.cong_nhan").to_string(),
            "CHUA_CONG_NHAN" => tr(l, "report.village.chua_cong_nhan").to_string(),
            "THU_HOI" => tr(l, "report.village.thu_hoi").to_string(),
            other => crate::text::sanitize(other),
        },
        Dim::TitleKind => match code {
            "OCOP" => "OCOP".to_string(),
            "TIEU_BIEU" => tr(l, "report.title.tieu_bieu").to_string(),
            other => crate::text::sanitize(other),
        },
        Dim::Kind => code_label(l, &c.activity_kinds, Some(code)),
        Dim::Funding | Dim::All => crate::text::sanitize(code),
    }
}

/// A figure line's name: «Cơ sở đăng ký mới» or «Cơ sở đăng ký mới — Loại hình: Hợp tác xã».
pub fn figure_label(l: Lang, m: Metric, d: Dim, code: &str) -> String {
    match d {
        Dim::All => metric_label(l, m).to_string(),
        _ => format!("  {}: {}", dim_label(l, d), code_text(l, d, code)),
    }
}

/// An area's name; the communes in no area have their own.
pub fn area_label(l: Lang, a: &Area) -> String {
    match a.collaborator_id {
        Some(_) => crate::text::sanitize(&a.name),
        None => tr(l, "report.no_area").to_string(),
    }
}

/// A commune as a column heading.
pub fn commune_heading(code: &str) -> String {
    commune_label(code, CommuneForm::FullName)
}

/// The report as a table: headings and lines (figure label, then one value per column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportTable {
    pub headings: Vec<String>,
    pub lines: Vec<ReportLine>,
}

/// One figure's line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportLine {
    pub label: String,
    pub money: bool,
    /// The total, then one per area (a province) or per commune (a smaller scope).
    pub values: Vec<i64>,
}

/// Most communes a commune or area report shows as columns.
const COMMUNE_COLUMNS: usize = 12;

/// The report as a table: «Tổng», then a province's areas, or a smaller scope's communes.
pub fn report_table(l: Lang, r: &Report) -> ReportTable {
    let mut headings = vec![
        tr(l, "report.col.figure").to_string(),
        tr(l, "report.col.total").to_string(),
    ];
    let communes: Vec<String> = if r.scope.areas.is_empty() && r.scope.communes.len() > 1 {
        let with = r.communes_with_figures();
        r.scope
            .communes
            .iter()
            .filter(|c| with.contains(c))
            .take(COMMUNE_COLUMNS)
            .cloned()
            .collect()
    } else {
        Vec::new()
    };
    headings.extend(r.scope.areas.iter().map(|a| area_label(l, a)));
    headings.extend(communes.iter().map(|c| commune_heading(c)));
    let lines = r
        .figures
        .iter()
        .map(|f| {
            let mut values = vec![f.total];
            values.extend(r.scope.areas.iter().map(|a| r.area_value(f, a)));
            values.extend(
                communes
                    .iter()
                    .map(|c| f.by_commune.get(c).copied().unwrap_or(0)),
            );
            ReportLine {
                label: figure_label(l, f.metric, f.dim, &f.code),
                money: f.metric.is_money(),
                values,
            }
        })
        .collect();
    ReportTable { headings, lines }
}

/// A value as the table shows it.
pub fn value_text(money: bool, v: i64) -> String {
    if money {
        crate::domain::money::format_vnd(v)
    } else {
        super::format::group_thousands(v)
    }
}

/// The headline figures (not broken down) of each commune with any: (commune, figure, value).
pub fn commune_lines(l: Lang, r: &Report) -> Vec<[String; 3]> {
    let mut out = Vec::new();
    for c in r.communes_with_figures() {
        for f in r.figures.iter().filter(|f| f.dim == Dim::All) {
            if let Some(v) = f.by_commune.get(&c) {
                out.push([
                    commune_heading(&c),
                    metric_label(l, f.metric).to_string(),
                    value_text(f.metric.is_money(), *v),
                ]);
            }
        }
    }
    out
}

/// A record kind's name.
pub fn entity_text(l: Lang, entity: &str) -> &'static str {
    match entity {
        "facility" => tr(l, "report.entity.facility"),
        "consultation" => tr(l, "report.entity.consultation"),
        "follow_up" => tr(l, "report.entity.follow_up"),
        "activity" => tr(l, "report.entity.activity"),
        "attendee" => tr(l, "report.entity.attendee"),
        "result" => tr(l, "report.entity.result"),
        "craft_village" => tr(l, "report.entity.craft_village"),
        "product" => tr(l, "report.entity.product"),
        _ => tr(l, "report.entity.proposal"),
    }
}

/// A record's breakdown codes in words: «Nhóm ngành: …; Loại hình: …».
pub fn codes_text(l: Lang, codes: &[(Dim, String)]) -> String {
    codes
        .iter()
        .map(|(d, c)| format!("{}: {}", dim_label(l, *d), code_text(l, *d, c)))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Why a period was refused.
pub fn period_error_text(l: Lang, e: &PeriodError) -> String {
    let s = crate::text::sanitize;
    match e {
        PeriodError::Empty => tr(l, "report.period.empty").to_string(),
        PeriodError::Unknown(t) => trf(l, "report.period.unknown", &[&s(t)]),
        PeriodError::Year(t) => trf(l, "report.period.year", &[&s(t)]),
        PeriodError::Quarter(t) => trf(l, "report.period.quarter", &[&s(t)]),
        PeriodError::Half(t) => trf(l, "report.period.half", &[&s(t)]),
        PeriodError::Date(t) => trf(l, "report.period.date", &[&s(t)]),
        PeriodError::Reversed { from, to } => trf(
            l,
            "report.period.reversed",
            &[
                &crate::domain::consultation::dmy(*from),
                &crate::domain::consultation::dmy(*to),
            ],
        ),
    }
}

/// A target's name.
pub fn target_label(l: Lang, k: TargetKey) -> &'static str {
    tr(
        l,
        match k {
            TargetKey::FacilitiesSupported => "target.facilities_supported",
            TargetKey::Money => "target.money",
            TargetKey::TrainingClasses => "target.training_classes",
            TargetKey::TypicalProducts => "target.typical_products",
        },
    )
}

/// A target's value as people read it (money in VND).
pub fn target_value(k: TargetKey, v: i64) -> String {
    match k {
        TargetKey::Money => crate::domain::money::format_vnd(v),
        _ => super::format::group_thousands(v),
    }
}

/// Why a typed target was refused.
pub fn target_error_text(l: Lang, e: &TargetError) -> String {
    let s = crate::text::sanitize;
    match e {
        TargetError::Year(t) => trf(l, "target.err.year", &[&s(t)]),
        TargetError::Key(t) => {
            let keys: Vec<&str> = TargetKey::ALL.iter().map(|k| k.code()).collect();
            trf(l, "target.err.key", &[&s(t), &keys.join(", ")])
        }
        TargetError::Value(t) => trf(l, "target.err.value", &[&s(t)]),
    }
}

/// The report's, the dashboard's and the targets' words.
pub(crate) const REPORT: &[super::table::Entry] = &[
    ("report.m.facilities_registered", "Cơ sở đăng ký mới", "Facilities registered"),
    ("report.m.facilities_active", "Cơ sở đang hoạt động", "Facilities active"),
    ("report.m.consultations", "Lần làm việc, tư vấn", "Consultations"),
    ("report.m.consultation_topics", "Lần làm việc theo nội dung", "Consultations by topic"),
    ("report.m.follow_ups_done", "Việc hẹn đã làm", "Follow-ups done"),
    ("report.m.follow_ups_overdue", "Việc hẹn quá hạn", "Follow-ups overdue"),
    ("report.m.proposals", "Đề xuất theo giai đoạn", "Proposals by stage"),
    ("report.m.projects_approved", "Đề án được phê duyệt", "Đề án approved"),
    ("report.m.money_approved", "Kinh phí được duyệt", "Money approved"),
    ("report.m.money_paid", "Kinh phí đã chi trả", "Money paid"),
    ("report.m.pilots_approved", "Đề án điểm được phê duyệt", "Pilot đề án approved"),
    ("report.m.pilot_money_approved", "Kinh phí đề án điểm được duyệt", "Pilot money approved"),
    ("report.m.pilot_money_paid", "Kinh phí đề án điểm đã chi trả", "Pilot money paid"),
    ("report.m.activities", "Hoạt động", "Activities"),
    ("report.m.attendees", "Lượt người tham dự", "Attendees"),
    ("report.m.attendees_women", "Trong đó nữ", "Of whom women"),
    ("report.m.attendees_minority", "Trong đó người dân tộc thiểu số", "Of whom ethnic minorities"),
    ("report.m.jobs_created", "Việc làm tạo thêm", "Jobs created"),
    ("report.m.workers_trained", "Lao động được đào tạo", "Workers trained"),
    ("report.m.craft_villages", "Làng nghề", "Craft villages"),
    ("report.m.products_titled", "Sản phẩm có danh hiệu còn hiệu lực", "Products with an unexpired title"),
    ("report.m.product_titles", "Sản phẩm theo danh hiệu", "Products by title"),
    ("report.d.trade_group", "Nhóm ngành", "Trade group"),
    ("report.d.entity_type", "Loại hình", "Entity type"),
    ("report.d.mode", "Hình thức", "Mode"),
    ("report.d.category", "Nội dung", "Category"),
    ("report.d.status", "Giai đoạn", "Stage"),
    ("report.d.funding", "Nguồn vốn", "Funding"),
    ("report.d.kind", "Loại hoạt động", "Kind"),
    ("report.d.village_status", "Tình trạng", "Status"),
    ("report.d.title_kind", "Danh hiệu", "Title"),
    ("report.none", "(chưa ghi)", "(none)"),
    ("report.village.cong_nhan", "Đã công nhận", "Recognised"),
    ("report.village.chua_cong_nhan", "Chưa công nhận", "Not recognised"),
    ("report.village.thu_hoi", "Bị thu hồi", "Withdrawn"),
    ("report.title.tieu_bieu", "Sản phẩm CNNT tiêu biểu", "Typical rural industrial product"),
    ("report.no_area", "Không thuộc khu vực", "In no area"),
    ("report.col.figure", "Nội dung", "Figure"),
    ("report.col.total", "Tổng", "Total"),
    ("report.col.commune", "Xã/phường", "Commune"),
    ("report.col.value", "Số", "Value"),
    ("report.col.record", "Mã hồ sơ", "Record id"),
    ("report.col.kind", "Loại hồ sơ", "Record kind"),
    ("report.col.date", "Ngày (năm)", "Date (year)"),
    ("report.col.counts_in", "Tính vào", "Counts in"),
    ("report.col.breakdown", "Phân loại", "Breakdown"),
    ("report.sheet.totals", "Tổng hợp", "Totals"),
    ("report.sheet.records", "Hồ sơ", "Records"),
    ("report.title", "Báo cáo {} — {}", "Report {} — {}"),
    ("report.by_commune", "Theo xã/phường", "By commune"),
    ("report.entity.facility", "Cơ sở", "Facility"),
    ("report.entity.consultation", "Lần làm việc", "Consultation"),
    ("report.entity.follow_up", "Việc hẹn", "Follow-up"),
    ("report.entity.proposal", "Đề xuất/đề án", "Proposal"),
    ("report.entity.activity", "Hoạt động", "Activity"),
    ("report.entity.attendee", "Người tham dự", "Attendee"),
    ("report.entity.result", "Kết quả", "Result"),
    ("report.entity.craft_village", "Làng nghề", "Craft village"),
    ("report.entity.product", "Sản phẩm", "Product"),
    ("report.period.empty", "Kỳ báo cáo: chưa nhập (ví dụ 2026-Q4, 2026-H1, 2026 hoặc 01/07/2026-31/12/2026)", "Period: missing (e.g. 2026-Q4, 2026-H1, 2026 or 01/07/2026-31/12/2026)"),
    ("report.period.unknown", "Kỳ báo cáo «{}» không đọc được: ghi 2026-Q4, 2026-H1, 2026 hoặc 01/07/2026-31/12/2026", "Period «{}» cannot be read: write 2026-Q4, 2026-H1, 2026 or 01/07/2026-31/12/2026"),
    ("report.period.year", "Kỳ báo cáo: năm «{}» ngoài khoảng 2000–2100", "Period: the year «{}» is outside 2000–2100"),
    ("report.period.quarter", "Kỳ báo cáo: quý «{}» không có (Q1 đến Q4)", "Period: there is no quarter «{}» (Q1 to Q4)"),
    ("report.period.half", "Kỳ báo cáo: «{}» không phải nửa năm (H1 hoặc H2)", "Period: «{}» is not a half year (H1 or H2)"),
    ("report.period.date", "Kỳ báo cáo: «{}» không phải ngày dd/mm/yyyy", "Period: «{}» is not a date dd/mm/yyyy"),
    ("report.period.reversed", "Kỳ báo cáo: ngày cuối {} trước ngày đầu {}", "Period: the last day {} comes before the first {}"),
    ("report.written", "Đã ghi báo cáo {} vào {}", "Report {} written to {}"),
    ("report.xlsx_needs_out", "Định dạng xlsx cần --out TỆP", "The xlsx format needs --out FILE"),
    ("target.facilities_supported", "Cơ sở được hỗ trợ", "Facilities supported"),
    ("target.money", "Kinh phí hỗ trợ", "Support money"),
    ("target.training_classes", "Lớp tập huấn, đào tạo", "Training classes"),
    ("target.typical_products", "Sản phẩm tiêu biểu", "Typical products"),
    ("target.err.year", "Năm «{}»: ghi năm 4 chữ số từ 2000 đến 2100", "Year «{}»: write a 4-digit year from 2000 to 2100"),
    ("target.err.key", "Chỉ tiêu «{}» không có; các chỉ tiêu: {}", "There is no target «{}»; the targets: {}"),
    ("target.err.value", "Giá trị «{}»: ghi một số không âm (kinh phí: 1,5 tỷ, 300tr …)", "Value «{}»: write a number of at least 0 (money: 1,5 tỷ, 300tr …)"),
    ("target.set", "Đã đặt chỉ tiêu năm {}: {} = {}", "Target for {} set: {} = {}"),
    ("target.unchanged", "Chỉ tiêu năm {} đã là {} = {}: không đổi", "The target for {} already is {} = {}: unchanged"),
    ("target.none", "Chưa có chỉ tiêu nào", "No targets yet"),
    ("target.col.year", "Năm", "Year"),
    ("target.col.key", "Mã chỉ tiêu", "Key"),
    ("target.col.target", "Chỉ tiêu", "Target"),
    ("target.col.achieved", "Đã đạt", "Achieved"),
    ("target.col.percent", "Tỷ lệ", "Share"),
    ("ui.action.report", "Báo cáo", "Report"),
    ("ui.action.dashboard", "Chỉ tiêu năm", "Yearly targets"),
    ("ui.action.report_period", "Chọn kỳ", "Choose the period"),
    ("ui.action.report_scope", "Chọn địa bàn", "Choose the scope"),
    ("ui.action.report_export", "Xuất Excel", "Write Excel"),
    ("ui.action.set_target", "Đặt chỉ tiêu", "Set a target"),
    ("ui.dashboard.pick_key", "Chỉ tiêu cần đặt", "Target to set"),
    ("ui.dashboard.value_title", "Chỉ tiêu năm {}: {}", "Target of {}: {}"),
    ("ui.dashboard.value", "Giá trị", "Value"),
    ("ui.dashboard.value_hint", "Số; kinh phí ghi như 1,5 tỷ hoặc 300tr. Enter: lưu, Esc: thôi", "A number; money as 1,5 tỷ or 300tr. Enter: save, Esc: cancel"),
    ("ui.context.report", "Báo cáo, chỉ tiêu", "Report, targets"),
    ("ui.report.title", "Báo cáo", "Report"),
    ("ui.report.period_line", "Kỳ {} ({} – {}) · Địa bàn: {}", "Period {} ({} – {}) · Scope: {}"),
    ("ui.report.period_item", "{}: {} – {}", "{}: {} – {}"),
    ("ui.report.pick_period", "Kỳ báo cáo", "Period"),
    ("ui.report.pick_scope", "Địa bàn", "Scope"),
    ("ui.report.scope_all", "Toàn bộ địa bàn của bạn", "All of your scope"),
    ("ui.report.area", "Khu vực: {}", "Area: {}"),
    ("ui.report.computing", "Đang tính… {}/{}", "Counting… {}/{}"),
    ("ui.report.computing_start", "Đang tính…", "Counting…"),
    ("ui.report.written", "Đã ghi báo cáo vào {}", "Report written to {}"),
    ("ui.report.writing", "Đang ghi báo cáo ra Excel…", "Writing the report workbook…"),
    ("ui.report.export_failed", "Không ghi được báo cáo: {}", "The report could not be written: {}"),
    ("ui.dashboard.title", "Chỉ tiêu năm", "Yearly targets"),
    ("ui.dashboard.heading", "Chỉ tiêu năm {}", "Targets of {}"),
    ("ui.dashboard.pick_year", "Năm", "Year"),
    ("ui.dashboard.no_target", "chưa đặt", "not set"),
    ("ui.dashboard.line", "{}: đạt {} / chỉ tiêu {}", "{}: {} achieved of {}"),
    ("help.report", "Báo cáo theo kỳ và địa bàn: cơ sở, làm việc, đề án, kinh phí, hoạt động, kết quả, làng nghề, sản phẩm; bảng, Excel hoặc JSON", "The report of a period and scope: facilities, consultations, đề án, money, activities, results, craft villages, products; table, Excel or JSON"),
    ("help.report.period", "Kỳ báo cáo: 2026-Q4, 2026-H1, 2026 hoặc 01/07/2026-31/12/2026", "The period: 2026-Q4, 2026-H1, 2026 or 01/07/2026-31/12/2026"),
    ("help.report.scope", "Thu hẹp địa bàn: mã một xã, hoặc một cán bộ khu vực (tên hoặc mã)", "Narrow the scope: a commune code, or an area officer (name or id)"),
    ("help.report.format", "table (bảng), xlsx (cần --out; trang 2 liệt kê hồ sơ sau mỗi số) hoặc json", "table, xlsx (needs --out; sheet 2 lists the records behind each figure) or json"),
    ("help.report.out", "Ghi ra tệp này thay vì màn hình", "Write to this file instead of the screen"),
    ("help.targets", "Chỉ tiêu năm của tỉnh: đặt (tỉnh), xem kèm số đã đạt", "The province's yearly targets: set (province), list with what is achieved"),
    ("help.targets.set", "Đặt một chỉ tiêu năm (chỉ Trung tâm cấp tỉnh)", "Set one yearly target (the province only)"),
    ("help.targets.set.year", "Năm, ví dụ 2027", "The year, e.g. 2027"),
    ("help.targets.set.key", "Chỉ tiêu: facilities_supported, money, training_classes, typical_products", "The target: facilities_supported, money, training_classes, typical_products"),
    ("help.targets.set.value", "Giá trị: số (kinh phí ghi như 1,5 tỷ hoặc 300tr)", "The value: a number (money as 1,5 tỷ or 300tr)"),
    ("help.targets.list", "Các chỉ tiêu và số đã đạt trong địa bàn của bạn", "The targets and what your scope has achieved"),
    ("help.targets.list.year", "Chỉ năm này (mặc định: năm nay)", "Only this year (default: this year)"),
    ("help.targets.list.format", "Định dạng: table (bảng) hoặc json", "Output: table or json"),
];
