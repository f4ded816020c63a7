//! Activities worded for people: field labels and problems, one activity as labelled lines,
//! a list row; and the activity strings of the table (chained into `table()`).

use super::format::{code_label, commune_label, short_id, CommuneForm};
use super::problems::{describe, problem_text};
use super::{tr, trf, Lang};
use crate::domain::activity::{field_label_key, AttendeeCounts, Gender};
use crate::domain::issue::Problem;
use crate::domain::money::format_vnd;
use crate::record::ActivityRecord;
use crate::store::ActivityRow;
use crate::text::sanitize;

/// "<field label>: <problem>" for an activity's fields (others as [`describe`] words them).
pub fn describe_activity(l: Lang, field: &str, problem: &Problem) -> String {
    match field_label_key(field) {
        Some(k) => {
            let mut s = format!("{}: {}", tr(l, k), problem_text(l, problem));
            if field == "kind" && matches!(problem, Problem::UnknownCode { .. }) {
                let codes: Vec<&str> = crate::refdata::codes()
                    .activity_kinds
                    .items()
                    .iter()
                    .map(|i| i.code.as_str())
                    .collect();
                s.push(' ');
                s.push_str(&trf(l, "problem.valid_codes", &[&codes.join(", ")]));
            }
            s
        }
        None => describe(l, field, problem),
    }
}

/// The label of an activity kind.
pub fn kind_label(l: Lang, code: &str) -> String {
    code_label(l, &crate::refdata::codes().activity_kinds, Some(code))
}

/// "01/12/2026" or "01/12/2026 – 03/12/2026".
pub fn period_text(start: &str, end: Option<&str>) -> String {
    let d = |s: &str| {
        crate::domain::consultation::parse_date(s)
            .map(crate::domain::consultation::dmy)
            .unwrap_or_else(|| sanitize(s))
    };
    match end.filter(|e| *e != start) {
        Some(e) => format!("{} – {}", d(start), d(e)),
        None => d(start),
    }
}

/// "25 người (12 nữ, 3 DTTS), 8 cơ sở".
pub fn counts_text(l: Lang, c: &AttendeeCounts) -> String {
    trf(
        l,
        "activity.counts",
        &[&c.total, &c.women, &c.minority, &c.facilities],
    )
}

/// One attendee: "Nguyễn Thị Lan (nữ, DTTS) — Cơ sở mây tre Phú Vinh".
pub fn attendee_text(
    l: Lang,
    a: &crate::record::AttendeeRecord,
    facility_name: &dyn Fn(&str) -> Option<String>,
) -> String {
    let mut marks = Vec::new();
    if let Some(g) = a.gender.as_deref().and_then(Gender::parse) {
        marks.push(tr(l, g.label_key()).to_string());
    }
    if a.ethnic_minority {
        marks.push(tr(l, "activity.minority_mark").to_string());
    }
    let mut s = sanitize(&a.person_name);
    if !marks.is_empty() {
        s.push_str(&format!(" ({})", marks.join(", ")));
    }
    if let Some(f) = &a.facility_id {
        let name = facility_name(f)
            .map(|n| sanitize(&n))
            .unwrap_or_else(|| short_id(f).to_string());
        if s.is_empty() {
            s = name;
        } else {
            s.push_str(" — ");
            s.push_str(&name);
        }
    }
    s
}

/// An activity as labelled lines (the CLI's `show`, the terminal app's detail).
pub fn activity_lines(
    l: Lang,
    r: &ActivityRecord,
    facility_name: &dyn Fn(&str) -> Option<String>,
) -> Vec<(String, String)> {
    let label = |k: &str| field_label_key(k).map_or(String::new(), |k| tr(l, k).to_string());
    let attendees: Vec<String> = r
        .attendees
        .iter()
        .enumerate()
        .map(|(i, a)| format!("{}. {}", i + 1, attendee_text(l, a, facility_name)))
        .collect();
    let mut rows = vec![
        (
            tr(l, "activity.h.id").to_string(),
            short_id(&r.id).to_string(),
        ),
        (label("kind"), kind_label(l, &r.kind)),
        (label("title"), sanitize(&r.title)),
        (
            tr(l, "activity.h.dates").to_string(),
            period_text(&r.start_date, r.end_date.as_deref()),
        ),
        (
            label("commune_code"),
            commune_label(&r.commune_code, CommuneForm::FullNameCode),
        ),
        (label("place"), sanitize(&r.place)),
        (label("organiser"), sanitize(&r.organiser)),
        (
            label("proposal_id"),
            r.proposal_id
                .as_deref()
                .map(short_id)
                .unwrap_or("")
                .to_string(),
        ),
        (label("cost"), r.cost.map(format_vnd).unwrap_or_default()),
        (
            tr(l, "activity.h.counts").to_string(),
            counts_text(l, &AttendeeCounts::of(r)),
        ),
        (label("attendees"), attendees.join("\n")),
    ];
    if r.unnamed_count > 0 {
        rows.push((
            label("unnamed_count"),
            trf(
                l,
                "activity.unnamed",
                &[&r.unnamed_count, &r.unnamed_women, &r.unnamed_minority],
            ),
        ));
    }
    rows.push((label("notes"), sanitize(&r.notes)));
    if r.archived {
        rows.push((
            tr(l, "activity.h.archived").to_string(),
            tr(l, "activity.archived_mark").to_string(),
        ));
    }
    rows
}

/// The columns of an activity list (string-table keys).
pub const LIST_HEADERS: [&str; 9] = [
    "activity.h.id",
    "activity.h.dates",
    "activity.field.kind",
    "activity.field.title",
    "activity.field.commune_code",
    "activity.h.total",
    "activity.h.women",
    "activity.h.minority",
    "activity.field.cost",
];

/// A list row's cells, dates and money written by the caller's format.
pub fn activity_row_cells(
    l: Lang,
    r: &ActivityRow,
    date: &dyn Fn(&str) -> String,
    money: &dyn Fn(i64) -> String,
) -> Vec<String> {
    let c = &r.counts;
    let r = &r.record;
    let dates = match r.end_date.as_deref().filter(|e| *e != r.start_date) {
        Some(e) => format!("{} – {}", date(&r.start_date), date(e)),
        None => date(&r.start_date),
    };
    vec![
        short_id(&r.id).to_string(),
        dates,
        kind_label(l, &r.kind),
        sanitize(&r.title),
        commune_label(&r.commune_code, CommuneForm::Name),
        c.total.to_string(),
        c.women.to_string(),
        c.minority.to_string(),
        r.cost.map(money).unwrap_or_default(),
    ]
}

#[rustfmt::skip]
pub(crate) const ACTIVITY: &[super::table::Entry] = &[
    ("activity.entity", "hoạt động", "activity"),
    ("activity.field.kind", "Loại hoạt động", "Kind of activity"),
    ("activity.field.title", "Tên hoạt động", "Title"),
    ("activity.field.start_date", "Ngày bắt đầu", "Start date"),
    ("activity.field.end_date", "Ngày kết thúc", "End date"),
    ("activity.field.commune_code", "Xã/phường tổ chức", "Commune where it takes place"),
    ("activity.field.place", "Địa điểm", "Place"),
    ("activity.field.organiser", "Đơn vị tổ chức", "Organiser"),
    ("activity.field.proposal_id", "Thuộc đề án", "Part of đề án"),
    ("activity.field.cost", "Kinh phí", "Cost"),
    ("activity.field.unnamed_count", "Số người không ghi tên", "Attendees not listed by name"),
    ("activity.field.unnamed_women", "Trong đó nữ", "Of whom women"),
    ("activity.field.unnamed_minority", "Trong đó người DTTS", "Of whom ethnic minorities"),
    ("activity.field.notes", "Ghi chú", "Notes"),
    ("activity.field.attendees", "Người tham dự", "Attendees"),
    ("activity.gender.nam", "nam", "man"),
    ("activity.gender.nu", "nữ", "woman"),
    ("activity.minority_mark", "DTTS", "ethnic minority"),
    ("activity.archived_mark", "Đã lưu trữ", "Archived"),
    ("activity.counts", "{} người ({} nữ, {} DTTS), {} cơ sở", "{} people ({} women, {} ethnic minority), {} facilities"),
    ("activity.unnamed", "{} người ({} nữ, {} DTTS)", "{} people ({} women, {} ethnic minority)"),
    ("activity.h.id", "Mã", "Id"),
    ("activity.h.dates", "Thời gian", "Dates"),
    ("activity.h.counts", "Số người tham dự", "Attendance"),
    ("activity.h.total", "Số người", "People"),
    ("activity.h.women", "Nữ", "Women"),
    ("activity.h.minority", "DTTS", "Minority"),
    ("activity.h.archived", "Tình trạng", "State"),
    ("activity.p.over_count", "nhiều hơn số người không ghi tên ({})", "more than the attendees not listed by name ({})"),
    ("activity.p.attendee_empty", "người thứ {} không có cơ sở cũng không có tên", "attendee {} has neither a facility nor a name"),
    ("activity.p.attendee_twice", "người thứ {}: cơ sở này đã có trong danh sách", "attendee {}: this facility is already listed"),
    ("activity.p.attendee_gender", "người thứ {}: giới tính «{}» không rõ (NAM hoặc NU)", "attendee {}: gender «{}» unknown (NAM or NU)"),
    ("activity.p.attendee_unknown_facility", "người thứ {}: không tìm thấy cơ sở trong sổ", "attendee {}: the facility is not in the registry"),
    ("ui.action.activities", "Hoạt động: tập huấn, hội thảo, hội chợ…", "Activities: training, workshops, fairs…"),
    ("ui.activity.list_title", "Hoạt động", "Activities"),
    ("ui.activity.title_new", "Ghi hoạt động mới", "New activity"),
    ("ui.activity.title_edit", "Sửa hoạt động", "Edit activity"),
    ("ui.activity.facilities", "Cơ sở tham dự", "Facilities attending"),
    ("ui.activity.people", "Người tham dự (Tên;NU;dtts;cơ sở)", "Named people (Name;NU;dtts;facility)"),
    ("ui.activity.pick_facility", "Chọn cơ sở tham dự (chọn lại để bỏ)", "Pick a facility attending (pick again to remove)"),
    ("ui.activity.pick_facility_hint", "{}: chọn cơ sở, nhiều lần để thêm nhiều cơ sở", "{}: pick facilities, one after the other"),
    ("ui.activity.pick_kind", "Chọn loại hoạt động", "Choose the kind of activity"),
    ("ui.activity.all_kinds", "Mọi loại hoạt động", "Every kind of activity"),
    ("ui.activity.only_kind", "Chỉ: {}", "Only: {}"),
    ("ui.activity.saved", "Đã lưu hoạt động «{}»", "Activity «{}» saved"),
    ("ui.activity.archived", "Đã lưu trữ hoạt động «{}»", "Activity «{}» archived"),
    ("ui.activity.confirm_archive", "Lưu trữ hoạt động «{}»? (vẫn giữ lại, không xóa)", "Archive activity «{}»? (it is kept, not deleted)"),
    ("ui.activity.empty", "Chưa có hoạt động nào. Bấm {} để ghi hoạt động mới.", "No activities yet. Press {} to record one."),
    ("ui.activity.detail_heading", "Hoạt động đã tham dự ({})", "Activities attended ({})"),
    ("cli.demo.activities", "Đã tạo {} hoạt động mẫu (tập huấn, hội chợ, tuyên truyền) với người tham dự.", "Created {} demo activities (training, fair, outreach) with attendees."),
    ("cli.activity.added", "Đã ghi hoạt động «{}» ({})", "Activity «{}» recorded ({})"),
    ("cli.activity.saved", "Đã lưu hoạt động «{}» ({})", "Activity «{}» saved ({})"),
    ("cli.activity.archived", "Đã lưu trữ hoạt động «{}» ({})", "Activity «{}» archived ({})"),
    ("cli.activity.not_found", "Không tìm thấy hoạt động {}", "No activity {}"),
    ("cli.activity.count", "{} hoạt động", "{} activities"),
    ("cli.activity.facility_ambiguous", "«{}» khớp nhiều cơ sở: {}. Ghi mã ngắn của cơ sở.", "«{}» matches several facilities: {}. Give the facility's short id."),
    ("cli.activity.bad_minority", "--person «{}»: phần thứ ba là «dtts» (dân tộc thiểu số) hoặc để trống", "--person «{}»: the third part is «dtts» (ethnic minority) or empty"),
    ("cli.activity.no_attendee", "--remove {}: không có người tham dự ở vị trí này (có {} người)", "--remove {}: no attendee at that position (there are {})"),
    ("cli.activity.bad_date", "{} «{}»: không phải ngày (dd/mm/yyyy)", "{} «{}»: not a date (dd/mm/yyyy)"),
    ("help.activity", "Hoạt động khuyến công có người tham dự: tập huấn, hội thảo, hội chợ, khảo sát, tuyên truyền, bình chọn", "Activities with attendees: training, workshops, fairs, study tours, outreach, product votes"),
    ("help.activity.add", "Ghi một hoạt động và người tham dự", "Record an activity with its attendees"),
    ("help.activity.edit", "Sửa một hoạt động: tùy chọn nào ghi thì thay trường đó; người tham dự được thêm vào", "Change an activity: the options given replace its fields; attendees are added"),
    ("help.activity.edit.id", "Hoạt động: mã hoặc mã ngắn", "The activity: its id or short id"),
    ("help.activity.edit.remove", "Bỏ người tham dự ở vị trí này (1 = người đầu; ghi nhiều lần để bỏ nhiều người)", "Remove the attendee at this position (1 = first; repeat for several)"),
    ("help.activity.list", "Liệt kê hoạt động trong địa bàn, mới nhất trước", "List activities of your area, newest first"),
    ("help.activity.list.since", "Diễn ra từ ngày (dd/mm/yyyy)", "Taking place on or after (dd/mm/yyyy)"),
    ("help.activity.list.until", "Bắt đầu đến ngày (dd/mm/yyyy)", "Starting on or before (dd/mm/yyyy)"),
    ("help.activity.list.kind", "Chỉ loại này (TAP_HUAN, HOI_THAO, HOI_CHO, KHAO_SAT, TUYEN_TRUYEN, BINH_CHON, KHAC)", "Only this kind (TAP_HUAN, HOI_THAO, HOI_CHO, KHAO_SAT, TUYEN_TRUYEN, BINH_CHON, KHAC)"),
    ("help.activity.list.commune", "Chỉ xã/phường này (mã)", "Only this commune (its code)"),
    ("help.activity.list.text", "Chữ trong tên hoạt động (không dấu cũng được)", "Words of the title (diacritics optional)"),
    ("help.activity.list.facility", "Chỉ hoạt động cơ sở này tham dự (mã hoặc mã ngắn)", "Only activities this facility took part in (id or short id)"),
    ("help.activity.list.archived", "Kể cả hoạt động đã lưu trữ", "Include archived activities"),
    ("help.activity.show", "Một hoạt động và người tham dự", "One activity with its attendees"),
    ("help.activity.archive", "Lưu trữ một hoạt động (giữ lại, không xóa)", "Archive an activity (it is kept, not deleted)"),
    ("help.activity.add.kind", "Loại: TAP_HUAN (tập huấn), HOI_THAO, HOI_CHO, KHAO_SAT, TUYEN_TRUYEN, BINH_CHON, KHAC; hoặc tên loại", "Kind: TAP_HUAN (training), HOI_THAO, HOI_CHO, KHAO_SAT, TUYEN_TRUYEN, BINH_CHON, KHAC; or its name"),
    ("help.activity.edit.kind", "Loại: TAP_HUAN (tập huấn), HOI_THAO, HOI_CHO, KHAO_SAT, TUYEN_TRUYEN, BINH_CHON, KHAC; hoặc tên loại", "Kind: TAP_HUAN (training), HOI_THAO, HOI_CHO, KHAO_SAT, TUYEN_TRUYEN, BINH_CHON, KHAC; or its name"),
    ("help.activity.add.title", "Tên hoạt động", "The activity's title"),
    ("help.activity.edit.title", "Tên hoạt động", "The activity's title"),
    ("help.activity.add.start", "Ngày bắt đầu, dd/mm/yyyy", "Start date, dd/mm/yyyy"),
    ("help.activity.edit.start", "Ngày bắt đầu, dd/mm/yyyy", "Start date, dd/mm/yyyy"),
    ("help.activity.add.end", "Ngày kết thúc, dd/mm/yyyy (bỏ trống nếu một ngày)", "End date, dd/mm/yyyy (empty for one day)"),
    ("help.activity.edit.end", "Ngày kết thúc, dd/mm/yyyy (bỏ trống nếu một ngày)", "End date, dd/mm/yyyy (empty for one day)"),
    ("help.activity.add.organiser", "Đơn vị tổ chức", "The organiser"),
    ("help.activity.edit.organiser", "Đơn vị tổ chức", "The organiser"),
    ("help.activity.add.proposal", "Đề án của hoạt động (mã hoặc mã ngắn); chuỗi rỗng để bỏ", "The đề án it belongs to (id or short id); empty to unlink"),
    ("help.activity.edit.proposal", "Đề án của hoạt động (mã hoặc mã ngắn); chuỗi rỗng để bỏ", "The đề án it belongs to (id or short id); empty to unlink"),
    ("help.activity.add.cost", "Kinh phí (12tr, 12.000.000)", "The cost (12tr, 12.000.000)"),
    ("help.activity.edit.cost", "Kinh phí (12tr, 12.000.000)", "The cost (12tr, 12.000.000)"),
    ("help.activity.add.unnamed", "Số người tham dự không ghi tên", "Attendees not listed by name"),
    ("help.activity.edit.unnamed", "Số người tham dự không ghi tên", "Attendees not listed by name"),
    ("help.activity.add.women", "Trong số người không ghi tên: bao nhiêu nữ", "Of those not listed by name: how many women"),
    ("help.activity.edit.women", "Trong số người không ghi tên: bao nhiêu nữ", "Of those not listed by name: how many women"),
    ("help.activity.add.minority", "Trong số người không ghi tên: bao nhiêu người DTTS", "Of those not listed by name: how many ethnic minorities"),
    ("help.activity.edit.minority", "Trong số người không ghi tên: bao nhiêu người DTTS", "Of those not listed by name: how many ethnic minorities"),
    ("help.activity.add.person", "Một người tham dự: «Tên;NU;dtts;CƠ SỞ» (giới tính NAM/NU, dtts nếu là DTTS, cơ sở nếu có); ghi nhiều lần", "One named attendee: «Name;NU;dtts;FACILITY» (gender NAM/NU, dtts for an ethnic minority, their facility if any); repeat it"),
    ("help.activity.edit.person", "Một người tham dự: «Tên;NU;dtts;CƠ SỞ» (giới tính NAM/NU, dtts nếu là DTTS, cơ sở nếu có); ghi nhiều lần", "One named attendee: «Name;NU;dtts;FACILITY» (gender NAM/NU, dtts for an ethnic minority, their facility if any); repeat it"),
    ("help.activity.add.facility", "Cơ sở tham dự: mã, mã ngắn hoặc tên để tìm; nhiều cơ sở cách nhau bằng dấu phẩy hoặc ghi nhiều lần", "Facilities attending: id, short id or search text; several separated by commas or repeated"),
    ("help.activity.edit.facility", "Thêm cơ sở tham dự: mã, mã ngắn hoặc tên để tìm; nhiều cơ sở cách nhau bằng dấu phẩy", "Add facilities attending: id, short id or search text; several separated by commas"),
];
