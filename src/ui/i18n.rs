//! Every string a person reads, in Vietnamese (first) and English.
//!
//! Strings are looked up by a stable key. The tables are split by owner (core messages, command
//! line, terminal app) so that they stay easy to scan; `tests` checks that keys are unique and
//! that every key used in the source exists.

use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "vi" | "vn" | "vie" => Some(Lang::Vi),
            "en" | "eng" => Some(Lang::En),
            _ => None,
        }
    }
}

/// (key, Vietnamese, English). `{}` marks a positional argument for [`trf`].
type Entry = (&'static str, &'static str, &'static str);

/// Messages produced by the core (validation, store errors).
const CORE: &[Entry] = &[
    ("field.name", "Tên cơ sở", "Facility name"),
    ("field.entity_type", "Loại hình", "Entity type"),
    ("field.tax_code", "Mã số thuế", "Tax number"),
    ("field.representative", "Người đại diện", "Representative"),
    ("field.phone", "Điện thoại", "Phone"),
    ("field.address", "Địa chỉ", "Address"),
    ("field.commune_code", "Mã xã/phường", "Commune code"),
    ("field.trade_group", "Nhóm ngành nghề", "Trade group"),
    ("field.products", "Sản phẩm chính", "Main products"),
    ("field.workers", "Số lao động", "Workers"),
    ("field.founded_year", "Năm thành lập", "Year founded"),
    ("field.craft_village", "Làng nghề", "Craft village"),
    ("field.ocop_stars", "Số sao OCOP", "OCOP stars"),
    ("field.ocop_year", "Năm đạt OCOP", "OCOP year"),
    ("field.typical_level", "Cấp sản phẩm CNNT tiêu biểu", "Typical product level"),
    ("field.typical_year", "Năm đạt sản phẩm tiêu biểu", "Typical product year"),
    ("field.exports", "Xuất khẩu", "Exports"),
    ("field.local_materials", "Trên 50% nguyên liệu địa phương", "Over 50% local raw materials"),
    ("field.woman_owned", "Chủ là nữ", "Woman-owned"),
    ("field.ethnic_owned", "Chủ là người dân tộc thiểu số", "Ethnic-minority-owned"),
    ("field.difficult_area", "Địa bàn khó khăn", "Difficult area"),
    ("field.status", "Trạng thái", "Status"),
    ("field.notes", "Ghi chú", "Notes"),
    ("problem.required", "Bắt buộc nhập", "Required"),
    ("problem.unknown_commune", "Mã xã {} không có trong danh mục 2025", "Commune code {} is not in the 2025 list"),
    ("problem.commune_out_of_scope", "Xã/phường {} nằm ngoài địa bàn bạn phụ trách", "Commune {} is outside your area"),
    ("problem.unknown_code", "\"{}\" không có trong danh mục", "\"{}\" is not in the code list"),
    ("problem.tax_format", "Mã số thuế phải có 10 chữ số (chi nhánh thêm -xxx) hoặc là số định danh 12 chữ số", "A tax number has 10 digits (a branch adds -xxx) or is a 12-digit personal id"),
    ("problem.tax_branch_zero", "Mã chi nhánh không được là 000", "A branch number cannot be 000"),
    ("problem.tax_check_digit", "Chữ số kiểm tra không khớp (có thể gõ nhầm)", "The check digit does not match (possibly a typo)"),
    ("problem.phone_format", "Số điện thoại không hợp lệ (di động: 10 số, đầu 03, 05, 07, 08, 09; cố định: 02x và 8 số)", "Not a valid phone number (mobile: 10 digits starting 03, 05, 07, 08, 09; landline: 02x and 8 digits)"),
    ("problem.not_a_whole_number", "\"{}\" không phải số nguyên", "\"{}\" is not a whole number"),
    ("problem.negative", "Không được là số âm", "Cannot be negative"),
    ("problem.year_in_future", "Năm {} chưa tới", "The year {} is in the future"),
    ("problem.year_too_old", "Năm {} quá xa, không hợp lệ", "The year {} is too far back"),
    ("problem.ocop_stars", "Số sao OCOP phải từ 3 đến 5", "OCOP stars must be 3 to 5"),
    ("problem.unknown_status", "Trạng thái \"{}\" không hợp lệ (hoạt động, tạm ngừng, đóng cửa)", "Unknown status \"{}\" (active, paused, closed)"),
    ("problem.unknown_role", "Vai trò \"{}\" không hợp lệ (xã, khu vực, tỉnh)", "Unknown role \"{}\" (commune, area, province)"),
    ("problem.unknown_unit", "Không có đơn vị hành chính mã {}", "No administrative unit has the code {}"),
    ("problem.scope_shape", "Vai trò cấp tỉnh chỉ phụ trách đúng một tỉnh", "A provincial role covers exactly one province"),
    ("problem.too_long", "Dài quá {} ký tự", "Longer than {} characters"),
    ("problem.not_a_boolean", "\"{}\" không phải có/không", "\"{}\" is not yes/no"),
    ("consult.field.facility", "Cơ sở", "Facility"),
    ("consult.field.date", "Ngày làm việc", "Date"),
    ("consult.field.mode", "Hình thức", "Mode"),
    ("consult.field.topics", "Nội dung hỗ trợ", "Support topics"),
    ("consult.field.difficulties", "Khó khăn, vướng mắc", "Difficulties raised"),
    ("consult.field.needs", "Nhu cầu hỗ trợ", "Needs"),
    ("consult.field.advice", "Nội dung tư vấn", "Advice given"),
    ("consult.field.next_step", "Việc tiếp theo", "Next step"),
    ("consult.field.follow_up_date", "Ngày hẹn theo dõi", "Follow-up date"),
    ("problem.date_format", "\"{}\" không phải ngày hợp lệ (dd/mm/yyyy)", "\"{}\" is not a valid date (dd/mm/yyyy)"),
    ("problem.date_in_future", "Ngày {} chưa tới", "The date {} is in the future"),
    ("problem.before_date", "Không được trước ngày {}", "Cannot be before {}"),
    ("problem.no_topic", "Chưa chọn nội dung hỗ trợ: nhu cầu sẽ nằm ở nhóm «Chưa phân loại»", "No support topic: the needs will be listed as \"Unclassified\""),
    ("problem.not_amendable", "Không đính chính được trường này: hãy dời lịch hẹn (reschedule)", "This field is not amended: reschedule the follow-up instead"),
    ("problem.other_facility", "Lần làm việc đó thuộc cơ sở khác", "That consultation belongs to another facility"),
    ("proposal.field.facility", "Cơ sở", "Facility"),
    ("proposal.field.plan_year", "Năm kế hoạch", "Plan year"),
    ("proposal.field.category", "Nội dung hỗ trợ", "Support category"),
    ("proposal.field.funding", "Nguồn kinh phí", "Funding source"),
    ("proposal.field.title", "Tên đề án", "Title"),
    ("proposal.field.rationale", "Sự cần thiết", "Why it is needed"),
    ("proposal.field.objectives", "Mục tiêu", "Objectives"),
    ("proposal.field.content", "Nội dung", "Content"),
    ("proposal.field.place", "Địa điểm", "Place"),
    ("proposal.field.time_frame", "Thời gian thực hiện", "Time frame"),
    ("proposal.field.total_cost", "Tổng kinh phí", "Total cost"),
    ("proposal.field.support", "Kinh phí khuyến công", "Khuyến công support"),
    ("proposal.field.counterpart", "Vốn đối ứng", "Counterpart"),
    ("proposal.field.other_sources", "Nguồn khác", "Other sources"),
    ("proposal.field.expected_jobs", "Số việc làm dự kiến", "Expected jobs"),
    ("proposal.field.expected_products", "Sản phẩm dự kiến", "Expected products"),
    ("proposal.field.expected_capacity", "Công suất dự kiến", "Expected capacity"),
    ("proposal.field.reason", "Lý do / ý kiến", "Reason / comment"),
    ("proposal.field.decision_no", "Số quyết định", "Decision number"),
    ("proposal.field.status", "Trạng thái", "Status"),
    ("proposal.field.priorities", "Tiêu chí ưu tiên", "Priority markers"),
    ("proposal.funding.kcqg", "Khuyến công quốc gia (KCQG)", "National khuyến công (KCQG)"),
    ("proposal.funding.kcdp", "Khuyến công địa phương (KCĐP)", "Local khuyến công (KCĐP)"),
    ("proposal.marker.exports", "XK", "Export"),
    ("proposal.marker.local_materials", "NL>50%", "Local>50%"),
    ("proposal.marker.workers_50", "LĐ≥50", "Workers≥50"),
    ("proposal.marker.woman_owned", "Chủ nữ", "Woman-owned"),
    ("proposal.marker.ethnic_owned", "Chủ DTTS", "Ethnic-owned"),
    ("proposal.marker.difficult_area", "Vùng khó khăn", "Difficult area"),
    ("proposal.mover.commune", "cộng tác viên cấp xã", "a commune collaborator"),
    ("proposal.mover.area", "cán bộ khu vực", "an area officer"),
    ("proposal.mover.province", "Trung tâm Khuyến công tỉnh", "the provincial centre"),
    ("proposal.mover.export", "xuất gói gửi tỉnh", "the bundle export"),
    ("proposal.mover.decision", "quyết định của tỉnh", "the province's decision"),
    ("proposal.by.commune", "cộng tác viên cấp xã", "a commune collaborator"),
    ("proposal.by.area", "cán bộ khu vực", "an area officer"),
    ("proposal.by.commune_or_area", "người đề xuất hoặc cán bộ rà soát", "the proposer or the reviewer"),
    ("proposal.by.export", "việc xuất gói gửi tỉnh", "the bundle export"),
    ("proposal.by.province", "Trung tâm Khuyến công tỉnh", "the provincial centre"),
    ("proposal.status.new", "(mới)", "(new)"),
    ("proposal.refused.final", "Đề xuất đã ở trạng thái «{}»: không chuyển trạng thái được nữa.", "The proposal is «{}»: its status can no longer change."),
    ("proposal.refused.export_only", "Trạng thái «Đã gửi tỉnh» chỉ được đặt khi xuất gói gửi tỉnh.", "«Sent to the province» is set only by the bundle export."),
    ("proposal.refused.wrong_mover", "Chỉ {} mới được chuyển đề xuất từ «{}» sang «{}» (bạn đang làm việc với vai trò {}).", "Only {} may move a proposal from «{}» to «{}» (you are working as {})."),
    ("proposal.refused.no_such", "Không thể chuyển đề xuất từ «{}» sang «{}».", "A proposal cannot go from «{}» to «{}»."),
    ("problem.money_format", "\"{}\" không phải số tiền (ví dụ: 1.250.000.000 hoặc 1,25 tỷ)", "\"{}\" is not an amount (e.g. 1.250.000.000 or 1,25 tỷ)"),
    ("problem.money_ambiguous", "\"{}\" có thể hiểu hai cách: hãy viết 1.250.000.000 (dấu chấm ngăn nghìn) hoặc 1250000000", "\"{}\" reads two ways: write 1.250.000.000 (dots between thousands) or 1250000000"),
    ("problem.money_not_whole", "\"{}\" không phải số đồng chẵn", "\"{}\" is not a whole number of đồng"),
    ("problem.too_large", "Số quá lớn", "The number is too large"),
    ("problem.sum_mismatch", "Tổng kinh phí {} không bằng kinh phí khuyến công + vốn đối ứng + nguồn khác = {} (chênh lệch {})", "The total cost {} is not khuyến công support + counterpart + other sources = {} (difference {})"),
    ("problem.over_cap", "Vượt mức hỗ trợ tối đa {} của nội dung {} ({}, áp dụng từ {})", "Over the cap of {} for {} ({}, in force from {})"),
    ("problem.cap_percent", "{}% tổng kinh phí", "{}% of the total cost"),
    ("problem.cap_max", "tối đa {}", "at most {}"),
    ("problem.entity_type_missing", "Chưa ghi loại hình cơ sở: chưa xác định được là đối tượng được hỗ trợ (DNNVV, HTX, LHHTX, THT, HKD)", "The kind of entity is not recorded: eligibility (SME, cooperative, union, cooperative group, household business) cannot be checked"),
    ("problem.facility_not_active", "Cơ sở đang ở trạng thái «{}»", "The facility is «{}»"),
    ("problem.city_ward", "{} là phường của {} (thành phố trực thuộc trung ương từ {}): chỉ được hỗ trợ khi cơ sở nằm trong làng nghề được công nhận (NĐ 235/2025)", "{} is a ward of {} (a centrally-run city since {}): support only inside a recognised craft village (Decree 235/2025)"),
    ("store.err.transition", "Đề xuất {}: {}", "Proposal {}: {}"),
    ("store.err.not_editable", "Đề xuất {} đang ở trạng thái «{}»: chỉ sửa được bản nháp (cộng tác viên cấp xã).", "Proposal {} is «{}»: only a draft can be edited (by a commune collaborator)."),
    ("agenda.overdue", "Quá hạn", "Overdue"),
    ("agenda.today", "Hôm nay", "Due today"),
    ("agenda.this_week", "Trong tuần này", "This week"),
    ("agenda.later", "Sau này", "Later"),
    ("import.err.io", "Không đọc được tệp: {}", "Cannot read the file: {}"),
    ("import.err.write", "Không ghi được tệp: {}", "Cannot write the file: {}"),
    ("import.err.unknown_format", "Không nhận ra loại tệp: hãy dùng .csv, .xlsx hoặc .xlsm", "Unknown file type: use .csv, .xlsx or .xlsm"),
    ("import.err.encoding", "Tệp không phải văn bản UTF-8 (dòng {}). Excel trên Windows có thể đã lưu theo bảng mã Windows-1258: hãy lưu lại dạng \"CSV UTF-8 (Comma delimited)\" hoặc tệp .xlsx", "The file is not UTF-8 text (line {}). Excel on Windows may have saved it as Windows-1258: save it again as \"CSV UTF-8 (Comma delimited)\" or as .xlsx"),
    ("import.err.utf16", "Tệp được lưu dạng \"Unicode Text\" (UTF-16): hãy lưu lại dạng \"CSV UTF-8 (Comma delimited)\" hoặc tệp .xlsx", "The file was saved as \"Unicode Text\" (UTF-16): save it again as \"CSV UTF-8 (Comma delimited)\" or as .xlsx"),
    ("import.err.csv", "Lỗi định dạng CSV ở dòng {}: {}", "CSV format error on line {}: {}"),
    ("import.err.xlsx", "Không đọc được bảng tính: {}", "Cannot read the workbook: {}"),
    ("import.err.no_sheet", "Bảng tính không có trang nào", "The workbook has no sheet"),
    ("import.err.empty", "Tệp không có dòng tiêu đề", "The file has no header row"),
    ("import.err.missing_column", "Thiếu cột bắt buộc \"{}\" (tên cột tiếng Anh: {})", "The required column \"{}\" is missing (English name: {})"),
    ("import.err.duplicate_column", "Hai cột \"{}\" và \"{}\" cùng là \"{}\": chỉ giữ một", "The columns \"{}\" and \"{}\" both hold \"{}\": keep only one"),
];

/// Command-line output.
const CLI: &[Entry] = &[
    ("cli.no_data_dir", "Không xác định được thư mục dữ liệu của người dùng; hãy chỉ định tệp bằng --db hoặc CTV_DB.", "Cannot find the user's data directory; name a file with --db or CTV_DB."),
    ("cli.summary.db", "Cơ sở dữ liệu: {}", "Database: {}"),
    ("cli.summary.who", "Người làm việc: {} — {}, {}", "Working as: {} — {}, {}"),
    ("cli.summary.no_profile", "Chưa có hồ sơ cộng tác viên. Chạy: ctv init --name \"Họ tên\" --role commune --unit MÃ_XÃ", "No collaborator profile yet. Run: ctv init --name \"Full name\" --role commune --unit COMMUNE_CODE"),
    ("cli.summary.facilities", "Số cơ sở CNNT: {}", "CNNT facilities: {}"),
    ("cli.summary.commands", "Lệnh: ctv init | ctv demo | ctv facilities import|list|show|add|archive|restore|history | ctv find TỪ_KHÓA | ctv consult add|list|show|edit|amend|done|reschedule|needs | ctv agenda | ctv proposal add|list|show|propose|review|return|withdraw | ctv plan --year NĂM  (ctv --help để xem chi tiết)", "Commands: ctv init | ctv demo | ctv facilities import|list|show|add|archive|restore|history | ctv find QUERY | ctv consult add|list|show|edit|amend|done|reschedule|needs | ctv agenda | ctv proposal add|list|show|propose|review|return|withdraw | ctv plan --year YEAR  (ctv --help for details)"),
    ("role.commune", "cộng tác viên cấp xã", "commune collaborator"),
    ("role.area", "cán bộ khu vực (huyện cũ)", "area officer"),
    ("role.province", "Trung tâm Khuyến công tỉnh", "provincial centre"),
    ("status.active", "Đang hoạt động", "Active"),
    ("status.paused", "Tạm ngừng", "Paused"),
    ("status.closed", "Đã đóng cửa", "Closed"),
    ("cli.err.io", "Lỗi đọc/ghi {}: {}", "Cannot read or write {}: {}"),
    ("store.err.schema_too_new", "Cơ sở dữ liệu do phiên bản CTV mới hơn tạo (lược đồ {}, chương trình này biết đến {}). Hãy cập nhật CTV; tệp không bị thay đổi.", "The database was written by a newer CTV (schema {}, this program knows {}). Update CTV; the file was not changed."),
    ("store.err.not_a_database", "{} không phải là cơ sở dữ liệu CTV. Hãy kiểm tra đường dẫn (--db) hoặc khôi phục từ bản sao lưu.", "{} is not a CTV database. Check the path (--db) or restore from a backup."),
    ("store.err.missing_dir", "Thư mục {} không tồn tại.", "The folder {} does not exist."),
    ("store.err.create", "Không tạo được {}: {}", "Cannot create {}: {}"),
    ("store.err.not_found", "Không tìm thấy bản ghi {}.", "Record {} not found."),
    ("store.err.conflict", "Bản ghi {} vừa được người khác sửa (bạn sửa phiên bản {}, hiện là {}). Không có gì bị ghi đè; hãy mở lại để xem thay đổi.", "Record {} was just changed by someone else (you edited version {}, it is now {}). Nothing was overwritten; reopen it to see the change."),
    ("store.err.no_profile", "Chưa có hồ sơ cộng tác viên. Chạy: ctv init --name \"Họ tên\" --role commune --unit MÃ_XÃ", "No collaborator profile. Run: ctv init --name \"Full name\" --role commune --unit COMMUNE_CODE"),
    ("store.err.out_of_scope", "{} nằm ngoài địa bàn phụ trách của bạn.", "{} is outside your area."),
    ("store.err.profile_exists", "Đã có hồ sơ cộng tác viên.", "A profile already exists."),
    ("store.err.database", "Lỗi cơ sở dữ liệu: {}", "Database error: {}"),
    ("store.err.locked", "Lần làm việc {} không còn sửa trực tiếp được (quá thời gian cho phép, đã có đính chính, hoặc do người khác ghi): hãy dùng «ctv consult amend».", "Consultation {} can no longer be edited in place (past the grace period, already amended, or recorded by someone else): use \"ctv consult amend\"."),
    ("store.err.no_follow_up", "Lần làm việc {} không có lịch hẹn theo dõi (đặt bằng «ctv consult reschedule»).", "Consultation {} has no follow-up (set one with \"ctv consult reschedule\")."),
    ("store.err.follow_up_done", "Việc theo dõi của lần làm việc {} đã hoàn thành.", "The follow-up of consultation {} is already done."),
    ("consult.opt.since", "Từ ngày", "Since"),
    ("consult.opt.until", "Đến ngày", "Until"),
    ("consult.opt.by", "Lần làm việc tiếp theo", "Follow-up consultation"),
    ("consult.col.facility", "Cơ sở", "Facility"),
    ("consult.col.mode", "Hình thức", "Mode"),
    ("consult.col.topics", "Nội dung", "Topics"),
    ("consult.col.needs", "Nhu cầu / khó khăn", "Needs / difficulties"),
    ("consult.col.follow_up", "Theo dõi", "Follow-up"),
    ("consult.col.collaborator", "Cộng tác viên", "Collaborator"),
    ("consult.col.editing", "Sửa trực tiếp", "Editing"),
    ("proposal.col.year", "Năm", "Year"),
    ("proposal.col.category", "Nội dung", "Category"),
    ("proposal.col.funding", "Nguồn", "Source"),
    ("proposal.col.commune", "Xã/phường", "Commune"),
    ("proposal.col.totals", "Tổng hợp", "Totals"),
    ("proposal.col.count", "Số đề xuất", "Proposals"),
    ("proposal.col.grand_total", "Tổng cộng", "Grand total"),
    ("proposal.col.actions", "Có thể chuyển sang", "May move to"),
    ("cli.proposal.not_found", "Không tìm thấy đề xuất có mã {}.", "No proposal with id {}."),
    ("cli.proposal.added", "Đã tạo bản nháp đề xuất «{}» (mã {}), kinh phí khuyến công {}.", "Drafted the proposal «{}» (id {}), khuyến công support {}."),
    ("cli.proposal.nothing", "Không có gì để thay đổi: hãy chỉ ra trường cần sửa (--total, --title, …).", "Nothing to change: name a field (--total, --title, …)."),
    ("cli.proposal.edited", "Đã sửa đề xuất {} (thay đổi được ghi trong nhật ký).", "Edited proposal {} (the change is in the change log)."),
    ("cli.proposal.proposed", "Đã gửi đề xuất «{}»: {}.", "Proposed «{}»: {}."),
    ("cli.proposal.reviewed", "Đã rà soát đề xuất «{}»: {}.", "Reviewed «{}»: {}."),
    ("cli.proposal.returned", "Đã trả lại đề xuất «{}» cho xã: {}.", "Returned «{}» to its commune: {}."),
    ("cli.proposal.withdrawn", "Đã rút đề xuất «{}»: {}.", "Withdrew «{}»: {}."),
    ("cli.proposal.status_set", "Đề xuất «{}» chuyển sang: {}.", "«{}» is now: {}."),
    ("cli.proposal.count", "{} đề xuất.", "{} proposals."),
    ("cli.proposal.history", "Lịch sử trạng thái:", "Status history:"),
    ("cli.proposal.history_line", "{} · {}: {} → {}", "{} · {}: {} → {}"),
    ("plan.col.no", "STT", "No."),
    ("plan.subtotal", "Cộng {} — {}", "Subtotal {} — {}"),
    ("plan.total_funding", "Tổng nguồn {}", "Total {}"),
    ("plan.sheet", "Kế hoạch {}", "Plan {}"),
    ("cli.plan.title", "DỰ KIẾN KẾ HOẠCH KHUYẾN CÔNG NĂM {}", "DRAFT KHUYẾN CÔNG PLAN FOR {}"),
    ("cli.plan.xlsx_needs_out", "Định dạng xlsx cần tệp đích: thêm --out TỆP.xlsx", "The xlsx format needs a file: add --out FILE.xlsx"),
    ("cli.plan.written", "Đã ghi {} ({} đề xuất).", "Wrote {} ({} proposals)."),
    ("cli.consult.not_found", "Không tìm thấy lần làm việc có mã {}.", "No consultation with id {}."),
    ("cli.consult.added", "Đã ghi nhận buổi làm việc ngày {} với «{}» (mã {}).", "Recorded the consultation of {} with «{}» (id {})."),
    ("cli.consult.follow_up_on", "Hẹn theo dõi: {}.", "Follow-up on {}."),
    ("cli.consult.nothing", "Không có gì để thay đổi: hãy chỉ ra trường cần sửa (--needs, --mode, …).", "Nothing to change: name a field (--needs, --mode, …)."),
    ("cli.consult.edited", "Đã sửa lần làm việc {} (thay đổi được ghi trong nhật ký).", "Edited consultation {} (the change is in the change log)."),
    ("cli.consult.amended", "Đã ghi đính chính cho lần làm việc {} (bản gốc được giữ nguyên).", "Amended consultation {} (the original is kept)."),
    ("cli.consult.unchanged", "Lần làm việc {} không thay đổi gì.", "Consultation {} is unchanged."),
    ("cli.consult.done", "Đã hoàn thành việc theo dõi «{}» (lần làm việc {}).", "Follow-up done: «{}» (consultation {})."),
    ("cli.consult.rescheduled", "Đã dời lịch theo dõi «{}» sang {}.", "Follow-up of «{}» moved to {}."),
    ("cli.consult.unknown_collaborator", "Không tìm thấy đúng một cộng tác viên «{}».", "No single collaborator matches «{}»."),
    ("cli.consult.fu_done", "{} ✓", "{} ✓"),
    ("cli.consult.fu_open", "hẹn {}, chưa xong", "due {}, open"),
    ("cli.consult.fu_closed", "đã xong lúc {}", "done at {}"),
    ("cli.consult.fu_by", " (qua lần làm việc {})", " (by consultation {})"),
    ("cli.consult.editable_until", "được đến {}", "until {}"),
    ("cli.consult.locked", "đã khóa: chỉ đính chính", "locked: amend only"),
    ("cli.consult.count", "{} lần làm việc.", "{} consultations."),
    ("cli.consult.amended_mark", "* có đính chính (xem: ctv consult show MÃ)", "* amended (see: ctv consult show ID)"),
    ("cli.consult.amendments", "Đính chính ({}):", "Amendments ({}):"),
    ("cli.consult.amendment", "— {}, {}", "— {}, {}"),
    ("cli.consult.reason", "Lý do:", "Reason:"),
    ("cli.consult.no_topic", "Chưa phân loại", "Unclassified"),
    ("cli.consult.needs_facilities", "{} cơ sở nêu", "raised by {} facilities"),
    ("cli.consult.no_needs", "Chưa ghi nhận khó khăn hay nhu cầu nào.", "No difficulties or needs recorded yet."),
    ("cli.agenda.today", "Hôm nay: {}", "Today: {}"),
    ("cli.agenda.days_late", "{} ngày", "{} days"),
    ("cli.agenda.due", "Ngày hẹn", "Due"),
    ("cli.agenda.late", "Trễ", "Late"),
    ("cli.agenda.more", "… và {} việc khác (bỏ --limit để xem hết)", "… and {} more (drop --limit to see all)"),
    ("cli.demo.consultations", "Đã tạo {} lần làm việc mẫu ({} việc theo dõi đang mở).", "Created {} demo consultations ({} open follow-ups)."),
    ("cli.summary.overdue", "Việc theo dõi quá hạn: {} (xem: ctv agenda)", "Overdue follow-ups: {} (see: ctv agenda)"),
    ("cli.init.done", "Đã lưu hồ sơ: {} — {}, {}.", "Profile saved: {} — {}, {}."),
    ("cli.init.communes", "Địa bàn gồm {} xã/phường.", "The area covers {} communes."),
    ("cli.init.exists", "Đã có hồ sơ cộng tác viên; dùng --replace để thay (hồ sơ cũ vẫn được giữ làm tác giả các bản ghi cũ).", "A profile already exists; use --replace to replace it (the old one is kept as the author of its records)."),
    ("cli.demo.profile", "Đã tạo hồ sơ dùng thử: {} ({}).", "Created a demo profile: {} ({})."),
    ("cli.demo.no_communes", "Địa bàn của hồ sơ không có xã/phường nào.", "The profile's area has no communes."),
    ("cli.demo.done", "Đã tạo {} cơ sở mẫu.", "Created {} demo facilities."),
    ("cli.fac.not_found", "Không tìm thấy cơ sở có mã {}.", "No facility with id {}."),
    ("dup.same_tax", "cùng mã số thuế {}", "same tax number {}"),
    ("dup.same_phone", "cùng số điện thoại {}", "same phone {}"),
    ("dup.similar_name", "tên gần giống ({}%) trong cùng xã", "similar name ({}%) in the same commune"),
    ("dup.suspect", "Có thể trùng với «{}», {}: {} [mã {}]", "May duplicate «{}», {}: {} [id {}]"),
    ("cli.err.unknown_commune", "Mã xã {} không có trong danh mục 2025.", "Commune code {} is not in the 2025 list."),
    ("cli.err.unknown_trade_group", "Nhóm ngành nghề {} không có trong danh mục (NN1…NN7).", "Trade group {} is not in the list (NN1…NN7)."),
    ("cli.err.unknown_status", "Trạng thái {} không hợp lệ (active, paused, closed).", "Unknown status {} (active, paused, closed)."),
    ("col.commune", "Xã/phường", "Commune"),
    ("col.trade_group", "Nhóm nghề", "Trade group"),
    ("col.workers", "Lao động", "Workers"),
    ("col.version", "Phiên bản", "Version"),
    ("col.updated_at", "Cập nhật lúc", "Updated at"),
    ("col.archived", "Đã lưu trữ", "Archived"),
    ("col.field", "Trường", "Field"),
    ("col.value", "Giá trị", "Value"),
    ("col.when", "Thời điểm", "When"),
    ("col.who", "Người thực hiện", "Who"),
    ("col.action", "Thao tác", "Action"),
    ("col.changes", "Thay đổi", "Changes"),
    ("cli.list.count", "{} cơ sở.", "{} facilities."),
    ("cli.yes", "Có", "Yes"),
    ("cli.warning", "Cảnh báo:", "Warning:"),
    ("cli.add.dup_refused", "Chưa lưu: có cơ sở nghi trùng. Mở cơ sở đó để cập nhật, hoặc thêm --force để vẫn lưu.", "Not saved: a suspected duplicate exists. Open that facility instead, or add --force to save anyway."),
    ("cli.add.done", "Đã lưu cơ sở «{}» (mã {}).", "Saved facility «{}» (id {})."),
    ("cli.archive.done", "Đã lưu trữ cơ sở «{}» (không bị xóa; dùng restore để khôi phục).", "Archived «{}» (not deleted; use restore to bring it back)."),
    ("cli.restore.done", "Đã khôi phục cơ sở «{}».", "Restored «{}»."),
    ("cli.find.none", "Không tìm thấy cơ sở nào.", "No facility found."),
    ("cli.import.ignored_columns", "Bỏ qua các cột không nhận ra: {}", "Ignored unknown columns: {}"),
    ("cli.import.row_error", "Dòng {}: {}", "Line {}: {}"),
    ("cli.import.row_warning", "Dòng {} (cảnh báo): {}", "Line {} (warning): {}"),
    ("cli.import.row_suspect", "Dòng {}: {}", "Line {}: {}"),
    ("cli.import.refused", "Không nhập gì: {} trên {} dòng có lỗi. Sửa tệp rồi nhập lại, hoặc dùng --skip-invalid để nhập các dòng hợp lệ.", "Nothing imported: {} of {} rows have errors. Fix the file and import again, or use --skip-invalid to import the valid rows."),
    ("cli.import.dry_run", "Kiểm tra xong (chưa ghi gì): {} dòng hợp lệ, {} dòng lỗi, {} dòng nghi trùng.", "Checked (nothing written): {} valid rows, {} with errors, {} suspected duplicates."),
    ("cli.import.rejects_written", "{} dòng lỗi đã được ghi ra {}.", "{} rejected rows written to {}."),
    ("cli.import.done", "Đã nhập {} cơ sở ({} dòng nghi trùng, xem ở trên — không có gì bị gộp tự động).", "Imported {} facilities ({} suspected duplicates, listed above — nothing was merged)."),
    ("cli.import.file_error", "{}: {}", "{}: {}"),
];

/// The terminal app.
const UI: &[Entry] = &[
    ("ui.confirm.quit", "Thoát CTV? Hồ sơ chưa được lưu.", "Quit CTV? No profile has been saved."),
    // actions (keymap labels)
    ("ui.action.quit", "Thoát", "Quit"),
    (
        "ui.action.exit",
        "Thoát khỏi CTV (từ mọi nơi)",
        "Exit CTV (from anywhere)",
    ),
    ("ui.action.back", "Quay lại", "Back"),
    ("ui.action.help", "Trợ giúp", "Help"),
    ("ui.action.palette", "Bảng lệnh", "Commands"),
    ("ui.action.redraw", "Vẽ lại màn hình", "Redraw the screen"),
    ("ui.action.up", "Lên", "Up"),
    ("ui.action.down", "Xuống", "Down"),
    ("ui.action.page_up", "Trang trước", "Page up"),
    ("ui.action.page_down", "Trang sau", "Page down"),
    ("ui.action.home", "Về đầu", "First"),
    ("ui.action.end", "Về cuối", "Last"),
    ("ui.action.search", "Tìm", "Search"),
    ("ui.action.open", "Mở", "Open"),
    ("ui.action.new", "Thêm mới", "New"),
    ("ui.action.edit", "Sửa", "Edit"),
    ("ui.action.archive", "Đưa vào lưu trữ", "Archive"),
    ("ui.action.save", "Lưu", "Save"),
    ("ui.action.next_field", "Ô sau", "Next field"),
    ("ui.action.prev_field", "Ô trước", "Previous field"),
    ("ui.action.yes", "Có", "Yes"),
    ("ui.action.no", "Không", "No"),
    (
        "ui.action.log_consultation",
        "Ghi nhận tư vấn",
        "Log a consultation",
    ),
    ("ui.action.filter", "Lọc", "Filter"),
    ("ui.action.sort", "Sắp xếp", "Sort"),
    ("ui.action.pick", "Chọn", "Pick"),
    ("ui.action.cancel", "Hủy", "Cancel"),
    ("ui.action.run", "Chạy lệnh", "Run"),
    ("ui.action.close", "Đóng", "Close"),
    ("ui.action.scroll_up", "Cuộn lên", "Scroll up"),
    ("ui.action.scroll_down", "Cuộn xuống", "Scroll down"),
    (
        "ui.action.choose",
        "Chọn nút đang sáng",
        "Choose the highlighted button",
    ),
    ("ui.action.switch", "Đổi nút", "Switch button"),
    // keymap contexts (help sections)
    ("ui.context.global", "Mọi nơi", "Everywhere"),
    ("ui.context.top_level", "Màn hình đầu tiên", "First screen"),
    ("ui.context.list", "Danh sách", "Lists"),
    ("ui.context.detail", "Xem chi tiết", "Details"),
    (
        "ui.context.form",
        "Biểu mẫu (khi đang gõ chữ)",
        "Forms (while typing)",
    ),
    ("ui.context.picker", "Hộp chọn", "Picker"),
    ("ui.context.palette", "Bảng lệnh", "Command palette"),
    ("ui.context.help", "Trợ giúp", "Help"),
    ("ui.context.confirm", "Câu hỏi Có/Không", "Yes/No question"),
    // config file
    (
        "ui.config.warning",
        "Tệp cấu hình {} có lỗi, phần lỗi dùng giá trị mặc định: {}",
        "The config file {} has problems; defaults are used for those parts: {}",
    ),
    (
        "ui.config.unreadable",
        "Không đọc được tệp cấu hình {}: {}",
        "Cannot read the config file {}: {}",
    ),
    (
        "ui.config.syntax",
        "sai cú pháp TOML: {}",
        "TOML syntax error: {}",
    ),
    (
        "ui.config.bad_value",
        "giá trị “{}” không hợp lệ cho {}",
        "“{}” is not a valid value for {}",
    ),
    (
        "ui.config.bad_keys",
        "[keys] {}: cần một phím hoặc một danh sách phím",
        "[keys] {}: expected a key or a list of keys",
    ),
    (
        "ui.config.unknown_setting",
        "không có mục cài đặt “{}”",
        "unknown setting “{}”",
    ),
    (
        "ui.config.unknown_action",
        "[keys]: không có lệnh tên “{}”",
        "[keys]: there is no command named “{}”",
    ),
    (
        "ui.config.ctrl_h",
        "[keys] {}: không được gán Ctrl+H (bộ gõ tiếng Việt dùng nó để xóa lùi)",
        "[keys] {}: Ctrl+H cannot be bound (Vietnamese input methods send it as backspace)",
    ),
    (
        "ui.config.bad_key",
        "[keys]: không hiểu phím “{}” của lệnh {}",
        "[keys]: cannot read the key “{}” for {}",
    ),
    // overlays
    ("ui.help.title", "Trợ giúp — các phím", "Help — keys"),
    ("ui.help.position", "dòng {}–{} / {}", "lines {}–{} of {}"),
    (
        "ui.palette.title",
        "Bảng lệnh — gõ để tìm",
        "Commands — type to search",
    ),
    ("ui.picker.count", "{}/{} mục", "{}/{} items"),
    (
        "ui.picker.no_match",
        "Không có mục nào khớp",
        "Nothing matches",
    ),
    ("ui.confirm.title", "Xác nhận", "Please confirm"),
    (
        "ui.confirm.discard",
        "Có thay đổi chưa lưu. Bỏ các thay đổi này?",
        "There are unsaved changes. Discard them?",
    ),
    (
        "ui.confirm.quit_unsaved",
        "Có thay đổi chưa lưu. Vẫn thoát và bỏ các thay đổi?",
        "There are unsaved changes. Quit anyway and discard them?",
    ),
    (
        "ui.toast.quit_hint",
        "Đây là màn hình đầu tiên. Nhấn {} để thoát.",
        "This is the first screen. Press {} to quit.",
    ),
    // placeholder screens
    // facility form and first-run setup (screens/form.rs, screens/setup.rs)
    (
        "ui.action.form_enter",
        "Chọn từ danh sách / bật-tắt / sang ô sau",
        "Choose from a list / toggle / next field",
    ),
    ("ui.unit.city", "TP {}", "{} City"),
    ("ui.unit.former", "{} cũ", "former {}"),
    ("ui.form.title_new", "Thêm cơ sở CNNT", "New facility"),
    ("ui.form.title_edit", "Sửa cơ sở: {}", "Edit facility: {}"),
    ("ui.form.position", "ô {}/{}", "field {} of {}"),
    (
        "ui.form.choose_hint",
        "{}: chọn từ danh sách",
        "{}: choose from a list",
    ),
    ("ui.form.none", "(để trống)", "(leave empty)"),
    ("ui.form.error", "Lỗi: {}", "Error: {}"),
    ("ui.form.warning", "Lưu ý: {}", "Note: {}"),
    (
        "ui.form.has_errors",
        "Chưa lưu: còn {} lỗi — xem các dòng “Lỗi” dưới từng ô.",
        "Not saved: {} errors — see the “Error” lines under the fields.",
    ),
    (
        "ui.form.check_warnings",
        "Có lưu ý cần xem lại (chữ vàng). Nhấn {} lần nữa để vẫn lưu.",
        "Please check the notes in yellow. Press {} again to save anyway.",
    ),
    (
        "ui.form.not_saved",
        "Chưa lưu — những gì bạn đã gõ vẫn còn nguyên. {}",
        "Not saved — everything you typed is still here. {}",
    ),
    (
        "ui.form.pick.commune",
        "Chọn xã/phường (gõ tên, không cần dấu)",
        "Choose the commune (type its name)",
    ),
    ("ui.form.pick.entity_type", "Chọn loại hình", "Choose the entity type"),
    (
        "ui.form.pick.trade_group",
        "Chọn nhóm ngành nghề",
        "Choose the trade group",
    ),
    (
        "ui.form.pick.typical_level",
        "Chọn cấp sản phẩm CNNT tiêu biểu",
        "Choose the typical product level",
    ),
    ("ui.form.pick.status", "Chọn trạng thái", "Choose the status"),
    (
        "ui.form.dup.title",
        "Có thể đã có cơ sở này",
        "This facility may already exist",
    ),
    (
        "ui.form.dup.intro",
        "Chưa lưu. Cơ sở mới giống {} cơ sở đã có trong sổ:",
        "Not saved yet. The new facility looks like {} already recorded:",
    ),
    (
        "ui.form.dup.save_anyway",
        "Vẫn lưu cơ sở mới",
        "Save the new one anyway",
    ),
    ("ui.form.dup.back", "Quay lại biểu mẫu", "Back to the form"),
    (
        "ui.form.dup.keys",
        "{}: làm mục đang sáng (mở cơ sở đó thay vì lưu, vẫn lưu, hoặc quay lại) · {}: đổi mục · {}: vẫn lưu · {}: quay lại biểu mẫu",
        "{}: do the highlighted choice (open that facility instead, save anyway, or go back) · {}: next choice · {}: save anyway · {}: back to the form",
    ),
    ("ui.setup.title", "Thiết lập lần đầu", "First-run setup"),
    ("ui.setup.step", "bước {}/{}", "step {} of {}"),
    (
        "ui.setup.welcome",
        "Chào mừng bạn đến với CTV — sổ tay cộng tác viên khuyến công. Cơ sở dữ liệu này chưa có hồ sơ người làm việc. Ba bước ngắn: họ tên, vai trò, địa bàn phụ trách.",
        "Welcome to CTV, the khuyến công collaborator's notebook. This database has no profile yet. Three short steps: your name, your role, your area.",
    ),
    ("ui.setup.name", "Họ và tên:", "Full name:"),
    (
        "ui.setup.name.hint",
        "Gõ họ tên đầy đủ, có dấu, rồi nhấn {} để tiếp tục.",
        "Type your full name, then press {} to continue.",
    ),
    (
        "ui.setup.role.question",
        "Chào {}! Bạn làm việc ở cấp nào?",
        "Hello {}! At which level do you work?",
    ),
    ("ui.setup.role.commune", "Cộng tác viên cấp xã", "Commune collaborator"),
    (
        "ui.setup.role.commune.about",
        "Phụ trách một xã/phường",
        "Covers one commune or ward",
    ),
    ("ui.setup.role.area", "Cán bộ khu vực", "Area officer"),
    (
        "ui.setup.role.area.about",
        "Phụ trách nhiều xã/phường, ví dụ cả một huyện cũ (trước 2025)",
        "Covers several communes, e.g. a whole former (pre-2025) district",
    ),
    (
        "ui.setup.role.province",
        "Trung tâm Khuyến công tỉnh",
        "Provincial khuyến công centre",
    ),
    (
        "ui.setup.role.province.about",
        "Phụ trách cả một tỉnh/thành phố",
        "Covers a whole province",
    ),
    (
        "ui.setup.choose_hint",
        "{}: chọn · {}: quay lại bước trước",
        "{}: choose · {}: previous step",
    ),
    (
        "ui.setup.unit.commune",
        "Chọn xã/phường bạn phụ trách. Gõ tên để tìm, không cần dấu: “tan binh” tìm được “Tân Bình”.",
        "Choose your commune. Type to search, diacritics optional: “tan binh” finds “Tân Bình”.",
    ),
    (
        "ui.setup.unit.area",
        "Chọn các xã/phường bạn phụ trách: thêm từng xã, hoặc thêm cả một huyện cũ (trước 2025) để lấy mọi xã/phường mới thuộc huyện đó.",
        "Choose the communes you cover: add them one by one, or add a whole former (pre-2025) district to take every new commune it went into.",
    ),
    (
        "ui.setup.unit.province",
        "Chọn tỉnh/thành phố bạn phụ trách (34 tỉnh, thành phố từ năm 2025).",
        "Choose your province (one of the 34 since 2025).",
    ),
    ("ui.setup.choose_commune", "Chọn xã/phường…", "Choose the commune…"),
    (
        "ui.setup.choose_province",
        "Chọn tỉnh/thành phố…",
        "Choose the province…",
    ),
    ("ui.setup.chosen", "Đã chọn: {}", "Chosen: {}"),
    (
        "ui.setup.area.add_commune",
        "Thêm một xã/phường…",
        "Add a commune…",
    ),
    (
        "ui.setup.area.add_district",
        "Thêm mọi xã/phường của một huyện cũ (trước 2025)…",
        "Add every commune of a former (pre-2025) district…",
    ),
    ("ui.setup.area.continue", "Tiếp tục ›", "Continue ›"),
    (
        "ui.setup.area.none_yet",
        "Chưa chọn xã/phường nào.",
        "No commune chosen yet.",
    ),
    (
        "ui.setup.area.chosen",
        "Đã chọn {} xã/phường ({} trên một xã để bỏ ra):",
        "{} communes chosen ({} on one to remove it):",
    ),
    (
        "ui.setup.none_chosen",
        "Hãy chọn ít nhất một xã/phường trước khi tiếp tục.",
        "Choose at least one commune first.",
    ),
    (
        "ui.setup.district_added",
        "Đã thêm {} xã/phường từ {}.",
        "Added {} communes from {}.",
    ),
    (
        "ui.setup.pick.commune",
        "Chọn xã/phường (gõ tên, không cần dấu)",
        "Choose the commune (type its name)",
    ),
    (
        "ui.setup.pick.district",
        "Chọn huyện cũ (trước 2025)",
        "Choose a former district (pre-2025)",
    ),
    (
        "ui.setup.pick.province",
        "Chọn tỉnh/thành phố",
        "Choose the province",
    ),
    (
        "ui.setup.confirm.intro",
        "Kiểm tra lại rồi lưu hồ sơ:",
        "Check the details, then save the profile:",
    ),
    ("ui.setup.role", "Vai trò:", "Role:"),
    ("ui.setup.unit", "Địa bàn:", "Area:"),
    ("ui.setup.scope_many", "{} xã/phường: {}", "{} communes: {}"),
    ("ui.setup.save", "Lưu hồ sơ", "Save the profile"),
    (
        "ui.setup.confirm.hint",
        "{}: lưu hồ sơ · {}: quay lại sửa",
        "{}: save · {}: go back and change",
    ),
    // registry: facility list, search, detail (screens/list.rs, screens/detail.rs)
    ("ui.action.restore", "Khôi phục", "Restore"),
    ("ui.action.next_pane", "Thẻ sau", "Next tab"),
    ("ui.action.prev_pane", "Thẻ trước", "Previous tab"),
    ("ui.action.pane_1", "Thẻ Thông tin", "Details tab"),
    ("ui.action.pane_2", "Thẻ Làm việc", "Consultations tab"),
    ("ui.action.pane_3", "Thẻ Đề xuất", "Proposals tab"),
    ("ui.action.pane_4", "Thẻ Lịch sử", "History tab"),
    ("ui.action.clear_search", "Xóa tìm kiếm", "Clear search"),
    ("ui.context.search", "Ô tìm kiếm (khi đang gõ)", "Search field (while typing)"),
    ("ui.header.no_profile", "Chưa có hồ sơ cộng tác viên", "No collaborator profile yet"),
    ("ui.yes", "Có", "Yes"),
    ("ui.no", "Không", "No"),
    ("ui.typical.xa", "Cấp xã", "Commune level"),
    ("ui.typical.huyen", "Cấp huyện (trước 2025)", "District level (before 2025)"),
    ("ui.typical.tinh", "Cấp tỉnh", "Provincial level"),
    ("ui.typical.khu_vuc", "Cấp khu vực", "Regional level"),
    ("ui.typical.quoc_gia", "Cấp quốc gia", "National level"),
    ("ui.typical.short.xa", "TB xã", "TP:com"),
    ("ui.typical.short.huyen", "TB huyện", "TP:dist"),
    ("ui.typical.short.tinh", "TB tỉnh", "TP:prov"),
    ("ui.typical.short.khu_vuc", "TB KV", "TP:reg"),
    ("ui.typical.short.quoc_gia", "TB QG", "TP:nat"),
    ("ui.list.title", "Cơ sở CNNT", "Facilities"),
    ("ui.list.title_archived", "Cơ sở CNNT đã lưu trữ", "Archived facilities"),
    ("ui.list.position", "{} / {} cơ sở", "{} / {} facilities"),
    ("ui.list.col.name", "Tên cơ sở", "Name"),
    ("ui.list.col.commune", "Xã/phường", "Commune"),
    ("ui.list.col.trade_group", "Nhóm", "Grp"),
    ("ui.list.col.workers", "LĐ", "Wkrs"),
    ("ui.list.col.markers", "Danh hiệu", "Titles"),
    ("ui.list.col.status", "Trạng thái", "Status"),
    ("ui.list.status.paused", "Tạm ngừng", "Paused"),
    ("ui.list.status.closed", "Đóng cửa", "Closed"),
    (
        "ui.list.empty",
        "Chưa có cơ sở nào. Nhấn {} để thêm, hoặc nhập từ tệp: ctv facilities import TỆP",
        "No facilities yet. Press {} to add one, or import a file: ctv facilities import FILE",
    ),
    (
        "ui.list.empty_filtered",
        "Không có cơ sở nào khớp bộ lọc. Nhấn f để đổi bộ lọc.",
        "No facility matches the filter. Press f to change it.",
    ),
    ("ui.list.sorted_by", "Sắp xếp: {}", "Sorted by {}"),
    ("ui.list.filtered_by", "Lọc: {}", "Filter: {}"),
    ("ui.list.archive_view", "đang xem kho lưu trữ", "viewing the archive"),
    (
        "ui.list.confirm_archive",
        "Đưa cơ sở «{}» vào lưu trữ? Cơ sở sẽ ẩn khỏi danh sách, không bị xóa và có thể khôi phục.",
        "Archive «{}»? It leaves the list; nothing is deleted and it can be restored.",
    ),
    ("ui.list.archived", "Đã lưu trữ cơ sở «{}».", "Archived «{}»."),
    ("ui.list.restored", "Đã khôi phục cơ sở «{}».", "Restored «{}»."),
    (
        "ui.list.gone",
        "Cơ sở này không còn nữa (có thể vừa bị lưu trữ). Danh sách đã được tải lại.",
        "This facility is no longer there (it may have just been archived). The list was reloaded.",
    ),
    ("ui.sort.title", "Sắp xếp theo", "Sort by"),
    ("ui.sort.name", "Tên (A → Z)", "Name (A → Z)"),
    ("ui.sort.name_desc", "Tên (Z → A)", "Name (Z → A)"),
    ("ui.sort.commune", "Xã/phường (theo mã)", "Commune (by code)"),
    ("ui.sort.trade_group", "Nhóm ngành nghề", "Trade group"),
    ("ui.sort.workers_desc", "Lao động (nhiều → ít)", "Workers (most first)"),
    ("ui.sort.workers", "Lao động (ít → nhiều)", "Workers (fewest first)"),
    ("ui.sort.updated_desc", "Mới cập nhật trước", "Recently updated first"),
    ("ui.sort.updated", "Lâu chưa cập nhật trước", "Least recently updated first"),
    ("ui.filter.title", "Lọc danh sách", "Filter the list"),
    ("ui.filter.all", "tất cả", "all"),
    ("ui.filter.by_commune", "Theo xã/phường", "By commune"),
    ("ui.filter.by_trade_group", "Theo nhóm ngành nghề", "By trade group"),
    ("ui.filter.by_status", "Theo trạng thái", "By status"),
    ("ui.filter.show_archived", "Xem cơ sở đã lưu trữ", "Show archived facilities"),
    ("ui.filter.show_live", "Xem cơ sở đang quản lý", "Show current facilities"),
    ("ui.filter.clear", "Bỏ mọi bộ lọc", "Clear all filters"),
    ("ui.filter.all_communes", "Tất cả xã/phường", "All communes"),
    ("ui.filter.all_trade_groups", "Tất cả nhóm ngành nghề", "All trade groups"),
    ("ui.filter.all_statuses", "Mọi trạng thái", "Any status"),
    ("ui.search.prompt", "Tìm: ", "Find: "),
    ("ui.search.count", "{}{} kết quả", "{}{} results"),
    ("ui.search.none", "Không tìm thấy cơ sở nào.", "No facility found."),
    ("ui.search.indexing", "đang lập chỉ mục…", "indexing…"),
    ("ui.search.reindexing", "đang cập nhật chỉ mục…", "updating the index…"),
    ("ui.search.field.name", "tên", "name"),
    ("ui.search.field.representative", "người đại diện", "representative"),
    ("ui.search.field.products", "sản phẩm", "products"),
    ("ui.search.field.commune", "xã/phường", "commune"),
    ("ui.search.field.phone", "điện thoại", "phone"),
    // Follow-up agenda and needs view.
    ("ui.action.agenda", "Lịch hẹn theo dõi", "Follow-up agenda"),
    ("ui.action.needs", "Nhu cầu hỗ trợ", "Support needs"),
    ("ui.action.follow_up_done", "Xong", "Done"),
    ("ui.action.reschedule", "Dời lịch", "Reschedule"),
    ("ui.action.log_visit", "Ghi lần làm việc", "Log the visit"),
    ("ui.context.agenda", "Lịch hẹn theo dõi", "Follow-up agenda"),
    ("ui.header.overdue", "⚠ {} quá hạn", "⚠ {} overdue"),
    ("ui.prompt.keys", "Enter: xác nhận · Tab: ô sau · Esc: hủy", "Enter: confirm · Tab: next field · Esc: cancel"),
    ("ui.weekday.mon", "Thứ Hai", "Monday"),
    ("ui.weekday.tue", "Thứ Ba", "Tuesday"),
    ("ui.weekday.wed", "Thứ Tư", "Wednesday"),
    ("ui.weekday.thu", "Thứ Năm", "Thursday"),
    ("ui.weekday.fri", "Thứ Sáu", "Friday"),
    ("ui.weekday.sat", "Thứ Bảy", "Saturday"),
    ("ui.weekday.sun", "Chủ Nhật", "Sunday"),
    ("ui.agenda.title", "Lịch hẹn theo dõi", "Follow-up agenda"),
    ("ui.agenda.position", "{} / {} việc", "{} of {}"),
    ("ui.agenda.today_is", "Hôm nay: {}, {}", "Today: {}, {}"),
    (
        "ui.agenda.empty",
        "Không có việc theo dõi nào đang chờ. Việc theo dõi có khi ghi một lần làm việc kèm ngày hẹn.",
        "No follow-up is waiting. A follow-up comes from a consultation recorded with a follow-up date.",
    ),
    ("ui.agenda.col.due", "Hẹn ngày", "Due"),
    ("ui.agenda.col.when", "Thời hạn", "When"),
    ("ui.agenda.col.facility", "Cơ sở", "Facility"),
    ("ui.agenda.col.next_step", "Việc đã hẹn", "Agreed next step"),
    ("ui.agenda.col.date", "Làm việc", "Consulted"),
    ("ui.agenda.late", "trễ {} ngày", "{} days late"),
    ("ui.agenda.late_one", "trễ 1 ngày", "1 day late"),
    ("ui.agenda.when_today", "hôm nay", "today"),
    ("ui.agenda.in_days", "còn {} ngày", "in {} days"),
    ("ui.agenda.more", "… và {} mục nữa", "… and {} more"),
    ("ui.agenda.selected", "{} · {} · làm việc {} ({})", "{} · {} · consulted {} ({})"),
    ("ui.agenda.next_step", "Việc đã hẹn: {}", "Agreed next step: {}"),
    ("ui.agenda.no_next_step", "Chưa ghi việc đã hẹn.", "No next step was recorded."),
    ("ui.agenda.done_title", "Xong việc theo dõi: {}", "Follow-up done: {}"),
    ("ui.agenda.note", "Ghi chú", "Note"),
    ("ui.agenda.note_hint", "Kết quả ra sao (đã gọi, đã gửi hồ sơ…)", "How it ended (called, papers sent…)"),
    (
        "ui.agenda.note_empty",
        "Chưa có ghi chú: nhấn Enter lần nữa để đánh dấu xong không ghi chú, hoặc gõ vài chữ về kết quả.",
        "No note: press Enter again to mark it done without one, or type a few words on how it ended.",
    ),
    ("ui.agenda.done", "Đã đánh dấu xong việc theo dõi «{}».", "Follow-up of «{}» marked done."),
    ("ui.agenda.reschedule_title", "Dời lịch hẹn: {} (đang hẹn {})", "Reschedule: {} (due {})"),
    ("ui.agenda.new_date", "Ngày mới", "New date"),
    ("ui.agenda.new_date_hint", "dd/mm/yyyy, từ hôm nay ({}) trở đi", "dd/mm/yyyy, today ({}) or later"),
    ("ui.agenda.reason", "Lý do", "Reason"),
    ("ui.agenda.reason_hint", "Không bắt buộc; ghi vào lịch sử", "Optional; kept in the history"),
    ("ui.agenda.rescheduled", "Đã dời lịch hẹn với «{}» sang {}.", "Follow-up with «{}» moved to {}."),
    ("ui.needs.title", "Nhu cầu hỗ trợ", "Support needs"),
    ("ui.needs.count", "{} nhóm · {} lượt", "{} groups · {} entries"),
    ("ui.needs.group_count", "{} cơ sở · {} lượt", "{} facilities · {} entries"),
    ("ui.needs.no_topic", "Chưa phân loại", "Unclassified"),
    ("ui.needs.no_filter", "Mọi lần làm việc trong địa bàn · nhấn {} để lọc", "All consultations in your area · press {} to filter"),
    ("ui.needs.bar.since", "từ {}", "from {}"),
    ("ui.needs.bar.until", "đến {}", "to {}"),
    ("ui.needs.filter_title", "Lọc nhu cầu hỗ trợ", "Filter the needs"),
    ("ui.needs.filter.since", "Từ ngày", "From"),
    ("ui.needs.filter.until", "Đến ngày", "To"),
    ("ui.needs.filter.mode", "Hình thức làm việc", "Mode"),
    ("ui.needs.filter.topic", "Nội dung hỗ trợ", "Support topic"),
    ("ui.needs.filter.collaborator", "Cộng tác viên", "Collaborator"),
    ("ui.needs.date_hint", "dd/mm/yyyy; để trống là không giới hạn", "dd/mm/yyyy; empty for no limit"),
    ("ui.needs.all_modes", "Mọi hình thức", "Any mode"),
    ("ui.needs.all_topics", "Mọi nội dung hỗ trợ", "Any topic"),
    ("ui.needs.all_collaborators", "Mọi cộng tác viên", "Anyone"),
    (
        "ui.needs.empty",
        "Chưa ghi nhận khó khăn hay nhu cầu nào trong địa bàn.",
        "No difficulties or needs recorded in your area yet.",
    ),
    (
        "ui.needs.empty_filtered",
        "Không có khó khăn hay nhu cầu nào khớp bộ lọc. Nhấn f để đổi bộ lọc.",
        "No difficulties or needs match the filter. Press f to change it.",
    ),
    ("ui.detail.pane.info", "Thông tin", "Details"),
    ("ui.detail.pane.consultations", "Làm việc", "Consultations"),
    ("ui.detail.pane.proposals", "Đề xuất", "Proposals"),
    ("ui.detail.pane.history", "Lịch sử", "History"),
    ("ui.detail.empty", "—", "—"),
    (
        "ui.detail.archived_note",
        "Cơ sở này đã được lưu trữ (nhấn u để khôi phục).",
        "This facility is archived (press u to restore it).",
    ),
    ("ui.detail.archived_badge", "ĐÃ LƯU TRỮ", "ARCHIVED"),
    ("ui.detail.stars", "{} sao", "{} stars"),
    ("ui.detail.created", "Tạo lúc", "Created"),
    ("ui.detail.updated", "Cập nhật lúc", "Updated"),
    ("ui.detail.when_who", "{}, bởi {}", "{}, by {}"),
    ("ui.detail.version", "Phiên bản", "Version"),
    ("ui.detail.archived", "Đã lưu trữ", "Archived"),
    ("ui.detail.id", "Mã bản ghi", "Record id"),
    ("ui.detail.lines", "dòng {}–{} / {}", "lines {}–{} of {}"),
    ("ui.detail.no_history", "Chưa có thay đổi nào được ghi.", "No change recorded yet."),
    (
        "ui.detail.no_consultations",
        "Chưa có lần làm việc nào. Nhấn {} để ghi nhận.",
        "No consultations yet. Press {} to log one.",
    ),
    ("ui.timeline.count", "{} lần làm việc, mới nhất trước", "{} consultations, newest first"),
    ("ui.timeline.more", "… và {} lần cũ hơn", "… and {} older"),
    ("ui.timeline.by", "{} · {} · {}", "{} · {} · {}"),
    ("ui.timeline.follow_up_open", "Hẹn theo dõi: {}", "Follow-up: {}"),
    ("ui.timeline.follow_up_late", "Hẹn theo dõi: {} (trễ {} ngày)", "Follow-up: {} ({} days late)"),
    ("ui.timeline.follow_up_done", "Hẹn {}: đã xong {}", "Follow-up {}: done {}"),
    ("ui.timeline.amended", "Đã đính chính {} lần:", "Corrected {} times:"),
    ("ui.timeline.amendment", "{} · {}: {}", "{} · {}: {}"),
    ("ui.timeline.select_hint", "↑↓ chọn · {} sửa/đính chính", "↑↓ select · {} edit/correct"),
    ("ui.consult.title_new", "Ghi nhận làm việc — {}", "Log a consultation — {}"),
    ("ui.consult.title_edit", "Sửa lần làm việc — {}", "Edit consultation — {}"),
    ("ui.consult.title_amend", "Đính chính lần làm việc — {}", "Correct consultation — {}"),
    ("ui.consult.collaborator", "Người làm việc", "Collaborator"),
    ("ui.consult.pick.mode", "Hình thức làm việc", "How it happened"),
    ("ui.consult.pick.topic", "Thêm/bớt nội dung hỗ trợ", "Add or remove a support topic"),
    ("ui.consult.topics_hint", "{}: chọn nội dung hỗ trợ", "{}: choose support topics"),
    ("ui.consult.reason", "Lý do đính chính", "Why corrected"),
    (
        "ui.consult.not_amended",
        "{} (đổi bằng «hẹn lại» trong Lịch hẹn)",
        "{} (move it with «reschedule» in the agenda)",
    ),
    (
        "ui.consult.reason_required",
        "Cần ghi lý do đính chính (ô «Lý do đính chính»).",
        "Say why it is corrected (the «Why corrected» field).",
    ),
    ("ui.consult.saved", "Đã lưu lần làm việc.", "Consultation saved."),
    (
        "ui.consult.saved_closed",
        "Đã lưu lần làm việc và đánh dấu lịch hẹn là đã xong.",
        "Consultation saved; the follow-up is marked done.",
    ),
    (
        "ui.consult.saved_not_closed",
        "Đã lưu lần làm việc, nhưng chưa đóng được lịch hẹn: {}",
        "Consultation saved, but the follow-up could not be closed: {}",
    ),
    (
        "ui.consult.amended",
        "Đã ghi đính chính; bản gốc vẫn được giữ.",
        "Correction recorded; the original is kept.",
    ),
    (
        "ui.detail.no_proposals",
        "Chưa có đề xuất hỗ trợ nào cho cơ sở này.",
        "No support proposals for this facility yet.",
    ),
    ("ui.history.entry", "{} · {} · {} (phiên bản {})", "{} · {} · {} (version {})"),
    ("ui.history.create", "Tạo mới", "Created"),
    ("ui.history.update", "Sửa", "Edited"),
    ("ui.history.archive", "Lưu trữ", "Archived"),
    ("ui.history.restore", "Khôi phục", "Restored"),
    ("ui.history.created_with", "Đã nhập: {}", "Entered: {}"),
    ("ui.history.empty", "(trống)", "(empty)"),
    ("ui.launch.terminal", "màn hình dòng lệnh", "the terminal"),
    // Proposals: the form, the list with totals, one proposal.
    ("ui.action.flag", "Đề xuất hỗ trợ", "Propose support"),
    ("ui.action.proposals", "Danh sách đề xuất", "Proposals list"),
    ("ui.action.propose", "Gửi đề xuất", "Propose"),
    ("ui.action.review", "Rà soát", "Review"),
    ("ui.action.return_proposal", "Trả lại", "Return"),
    ("ui.action.withdraw", "Rút", "Withdraw"),
    ("ui.context.proposal", "Đề xuất hỗ trợ", "Support proposal"),
    ("ui.pform.title_new", "Đề xuất hỗ trợ: {}", "Support proposal: {}"),
    ("ui.pform.title_edit", "Sửa đề xuất: {}", "Edit proposal: {}"),
    ("ui.pform.pick.category", "Nội dung hỗ trợ", "Support category"),
    ("ui.pform.pick.funding", "Nguồn kinh phí", "Funding source"),
    ("ui.pform.pick_hint", "{}: chọn", "{}: choose"),
    ("ui.pform.priorities", "Tiêu chí ưu tiên", "Priority markers"),
    ("ui.pform.marker.exports", "Có sản phẩm xuất khẩu", "Exports"),
    ("ui.pform.marker.local_materials", "Trên 50% nguyên liệu địa phương", "Over 50% local raw materials"),
    ("ui.pform.marker.workers_50", "Từ 50 lao động trở lên", "50 or more workers"),
    ("ui.pform.marker.woman_owned", "Chủ là nữ", "Woman-owned"),
    ("ui.pform.marker.ethnic_owned", "Chủ là người dân tộc thiểu số", "Ethnic-minority-owned"),
    ("ui.pform.marker.difficult_area", "Địa bàn khó khăn", "Difficult area"),
    ("ui.pform.saved", "Đã lưu đề xuất (nháp).", "Proposal saved (draft)."),
    ("ui.pform.saved_with_warnings", "Đã lưu đề xuất (nháp), có {} lưu ý.", "Proposal saved (draft), with {} notes."),
    ("ui.proposals.title", "Đề xuất hỗ trợ", "Support proposals"),
    ("ui.proposals.count", "{} đề xuất", "{} proposals"),
    ("ui.proposals.count_some", "{} / {} đề xuất", "{} of {} proposals"),
    ("ui.proposals.no_filter", "Mọi đề xuất trong địa bàn · {}: lọc", "Every proposal of your area · {}: filter"),
    (
        "ui.proposals.empty",
        "Chưa có đề xuất nào. Mở một cơ sở và bấm f để đề xuất hỗ trợ cho cơ sở đó.",
        "No proposal yet. Open a facility and press f to propose support for it.",
    ),
    ("ui.proposals.empty_filtered", "Không có đề xuất nào khớp bộ lọc.", "No proposal matches the filter."),
    ("ui.proposals.filter_title", "Lọc đề xuất", "Filter proposals"),
    ("ui.proposals.filter.status", "Theo trạng thái", "By status"),
    ("ui.proposals.filter.year", "Theo năm kế hoạch", "By plan year"),
    ("ui.proposals.filter.category", "Theo nội dung hỗ trợ", "By support category"),
    ("ui.proposals.filter.funding", "Theo nguồn kinh phí", "By funding source"),
    ("ui.proposals.filter.commune", "Theo xã/phường", "By commune"),
    ("ui.proposals.all_years", "Mọi năm", "Every year"),
    ("ui.proposals.all_funding", "Mọi nguồn kinh phí", "Every funding source"),
    ("ui.proposals.col.year", "Năm", "Year"),
    ("ui.proposals.col.status", "Trạng thái", "Status"),
    ("ui.proposals.col.category", "ND", "Cat."),
    ("ui.proposals.col.funding", "Nguồn", "Fund"),
    ("ui.proposals.col.facility", "Cơ sở · tên đề án", "Facility"),
    ("ui.proposals.col.support", "KP khuyến công", "Support"),
    ("ui.proposals.totals.heading", "Tổng theo nội dung", "Totals by category"),
    ("ui.proposals.totals.support", "KP khuyến công", "Support"),
    ("ui.proposals.totals.total_cost", "Tổng kinh phí", "Total cost"),
    ("ui.proposals.totals.funding", "{} ({} đề xuất)", "{} ({} proposals)"),
    ("ui.proposals.totals.all", "Cộng ({} đề xuất)", "Total ({} proposals)"),
    ("ui.proposals.totals.more", "… và {} nội dung khác", "… and {} more categories"),
    ("ui.proposal.status.nhap", "Nháp", "Draft"),
    ("ui.proposal.status.de_xuat", "Đã đề xuất", "Proposed"),
    ("ui.proposal.status.da_ra_soat", "Đã rà soát", "Reviewed"),
    ("ui.proposal.status.da_gui_tinh", "Đã gửi tỉnh", "Sent"),
    ("ui.proposal.status.phe_duyet", "Phê duyệt", "Approved"),
    ("ui.proposal.status.khong_duyet", "Không duyệt", "Refused"),
    ("ui.proposal.status.dang_thuc_hien", "Thực hiện", "Under way"),
    ("ui.proposal.status.hoan_thanh", "Nghiệm thu", "Completed"),
    ("ui.proposal.status.rut", "Đã rút", "Withdrawn"),
    ("ui.proposal.title", "Đề xuất: {}", "Proposal: {}"),
    ("ui.proposal.gone", "Đề xuất này không còn nữa.", "This proposal is no longer there."),
    ("ui.proposal.decision", "QĐ {}", "decision {}"),
    ("ui.proposal.history", "Lịch sử trạng thái", "Status history"),
    ("ui.proposal.history_entry", "{} · {} · {} → {}", "{} · {} · {} → {}"),
    ("ui.proposal.why", "Lý do / ý kiến: {}", "Reason / comment: {}"),
    ("ui.proposal.by_export", "gói dữ liệu gửi tỉnh", "the bundle export"),
    ("ui.proposal.by_decision", "quyết định của tỉnh", "the province's decision"),
    ("ui.proposal.review_title", "Rà soát đề xuất", "Review the proposal"),
    ("ui.proposal.return_title", "Trả lại đề xuất cho xã", "Return the proposal to the commune"),
    ("ui.proposal.withdraw_title", "Rút đề xuất", "Withdraw the proposal"),
    ("ui.proposal.comment", "Ý kiến", "Comment"),
    ("ui.proposal.reason", "Lý do", "Reason"),
    ("ui.proposal.reason_hint", "Bắt buộc; được ghi vào lịch sử", "Required; kept in the history"),
    ("ui.proposal.confirm_move", "Chuyển đề xuất sang «{}»?", "Move the proposal to «{}»?"),
    ("ui.proposal.moved", "Đề xuất đã chuyển sang «{}».", "The proposal is now «{}»."),
];

fn table() -> &'static HashMap<&'static str, (&'static str, &'static str)> {
    static T: OnceLock<HashMap<&'static str, (&'static str, &'static str)>> = OnceLock::new();
    T.get_or_init(|| {
        CORE.iter()
            .chain(CLI)
            .chain(UI)
            .map(|(k, vi, en)| (*k, (*vi, *en)))
            .collect()
    })
}

/// The string for `key`; the key itself if it is missing (a test guards against that).
pub fn tr(lang: Lang, key: &'static str) -> &'static str {
    match table().get(key) {
        Some((vi, en)) => match lang {
            Lang::Vi => vi,
            Lang::En => en,
        },
        None => key,
    }
}

/// `tr` with `{}` placeholders filled in order.
pub fn trf(lang: Lang, key: &'static str, args: &[&dyn std::fmt::Display]) -> String {
    let mut out = String::new();
    let mut args = args.iter();
    let mut rest = tr(lang, key);
    while let Some(pos) = rest.find("{}") {
        out.push_str(&rest[..pos]);
        if let Some(a) = args.next() {
            out.push_str(&a.to_string());
        }
        rest = &rest[pos + 2..];
    }
    out.push_str(rest);
    out
}

/// All keys, for tests and tooling.
pub fn keys() -> impl Iterator<Item = &'static str> {
    CORE.iter().chain(CLI).chain(UI).map(|(k, _, _)| *k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_translated() {
        let mut seen = std::collections::HashSet::new();
        for (k, vi, en) in CORE.iter().chain(CLI).chain(UI) {
            assert!(seen.insert(*k), "duplicate i18n key {k}");
            assert!(
                !vi.is_empty() && !en.is_empty(),
                "empty translation for {k}"
            );
            assert_eq!(
                vi.matches("{}").count(),
                en.matches("{}").count(),
                "placeholder count differs for {k}"
            );
        }
    }

    #[test]
    fn every_key_used_in_the_source_exists() {
        // Scan src/ for tr(…, "key") / trf(…, "key", …) calls so a typo cannot ship.
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut missing = Vec::new();
        let mut stack = vec![root];
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(&dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    let src = std::fs::read_to_string(&p).unwrap();
                    for pat in ["tr(", "trf("] {
                        for (i, _) in src.match_indices(pat) {
                            // `tr(` must be the call, not the end of `as_os_str(`.
                            let before = src[..i].chars().next_back().unwrap_or(' ');
                            if before.is_alphanumeric() || before == '_' {
                                continue;
                            }
                            let after = &src[i + pat.len()..];
                            // the key is the first string literal within this call's first line
                            let line = after.lines().next().unwrap_or("");
                            if let Some(q) = line.find('"') {
                                let rest = &line[q + 1..];
                                if let Some(end) = rest.find('"') {
                                    let key = &rest[..end];
                                    if key.contains('.')
                                        && !key.contains(' ')
                                        && !table().contains_key(key)
                                    {
                                        missing.push(format!("{}: {key}", p.display()));
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "i18n keys used but not defined: {missing:#?}"
        );
    }

    #[test]
    fn trf_fills_placeholders() {
        assert_eq!(trf(Lang::En, "field.name", &[]), "Facility name");
    }
}
