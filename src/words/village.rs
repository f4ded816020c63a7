//! Craft villages, products and titles in words: the village's rows as shown, a title
//! ("OCOP 4★ (2024), đến 15/03/2027"), the facility list's marker, the adoption summary.

use chrono::NaiveDate;

use crate::domain::consultation::{dmy, parse_date};
use crate::domain::product::is_expired;
use crate::domain::village::VillageStatus;
use crate::record::{TitleRecord, VillageRecord};
use crate::refdata::codes;
use crate::text::sanitize;
use crate::words::format::{code_label, commune_label, CommuneForm};
use crate::words::{tr, trf, Lang};

/// The strings of the register, products and titles (vi first, en).
pub(crate) const VILLAGE: &[super::table::Entry] = &[
    ("village.field.name", "Tên làng nghề", "Craft village"),
    ("village.field.communes", "Xã/phường", "Communes"),
    ("village.field.traditional", "Làng nghề truyền thống", "Traditional craft village"),
    ("village.field.decision_no", "Số quyết định công nhận", "Recognition decision no."),
    ("village.field.decision_date", "Ngày quyết định công nhận", "Recognition decision date"),
    ("village.field.status", "Tình trạng công nhận", "Recognition status"),
    ("village.field.village", "Làng nghề (danh mục)", "Craft village (register)"),
    ("village.no", "Không", "No"),
    ("village.status.CONG_NHAN", "Đã công nhận", "Recognised"),
    ("village.status.CHUA_CONG_NHAN", "Chưa công nhận", "Not recognised"),
    ("village.status.THU_HOI", "Đã thu hồi", "Withdrawn"),
    ("merge.entity.craft_village", "làng nghề", "craft villages"),
    ("merge.entity.product", "sản phẩm", "products"),
    ("product.field.name", "Tên sản phẩm", "Product"),
    ("product.field.kind", "Loại danh hiệu", "Title kind"),
    ("product.field.year", "Năm công nhận", "Year"),
    ("product.field.level", "Hạng / cấp", "Stars / level"),
    ("product.field.certificate", "Số giấy chứng nhận", "Certificate no."),
    ("product.field.issued_date", "Ngày cấp", "Issued"),
    ("product.field.expiry_date", "Ngày hết hạn", "Expires"),
    ("product.level.HUYEN", "cấp huyện", "district level"),
    ("product.level.TINH", "cấp tỉnh", "provincial level"),
    ("product.level.KHU_VUC", "cấp khu vực", "regional level"),
    ("product.level.QUOC_GIA", "cấp quốc gia", "national level"),
    ("product.title.ocop", "OCOP {}★ ({})", "OCOP {}★ ({})"),
    ("product.title.typical", "SP CNNT tiêu biểu {} ({})", "Typical product, {} ({})"),
    ("product.title.until", "{}, đến {}", "{}, until {}"),
    ("product.title.expired", "{}, hết hạn {}", "{}, expired {}"),
    ("product.mark.ocop", "OCOP {}★", "OCOP {}★"),
    ("product.mark.typical", "SPTB", "Typical"),
    ("product.mark.ocop_expired", "{}★ hết hạn", "{}★ expired"),
    ("product.mark.typical_expired", "SPTB hết hạn", "Typical, expired"),
    ("col.title_mark", "Danh hiệu", "Title"),
    ("col.of_facility", "Cơ sở", "Facility"),
    ("col.products", "Sản phẩm", "Products"),
    ("ui.action.villages", "Làng nghề", "Craft villages"),
    ("ui.villages.title", "Danh mục làng nghề", "Craft-village register"),
    ("ui.villages.count", "{} làng nghề", "{} villages"),
    ("ui.villages.hint", "n thêm · Enter/e sửa · a lưu trữ", "n add · Enter/e edit · a archive"),
    ("ui.villages.empty", "Chưa có làng nghề nào: n để thêm (hoặc `ctv village import`, `ctv village adopt`).", "No craft villages yet: n to add one (or `ctv village import`, `ctv village adopt`)."),
    ("ui.villages.col.decision", "Quyết định", "Decision"),
    ("ui.villages.col.status", "Tình trạng", "Status"),
    ("ui.villages.col.facilities", "Cơ sở", "Fac."),
    ("ui.villages.form.new", "Thêm làng nghề", "New craft village"),
    ("ui.villages.form.edit", "Sửa làng nghề", "Edit craft village"),
    ("merge.err.missing_village", "làng nghề {} không có trong gói cũng như trong cơ sở dữ liệu", "craft village {} is neither in the bundle nor in the database"),
    ("ui.villages.saved", "Đã lưu làng nghề {}.", "Craft village {} saved."),
    ("cli.village.not_found", "Không tìm thấy làng nghề {}.", "No craft village {}."),
    ("cli.village.added", "Đã thêm làng nghề {} (mã {}).", "Craft village {} added (id {})."),
    ("cli.village.edited", "Đã sửa làng nghề {}.", "Craft village {} saved."),
    ("cli.village.archived", "Đã lưu trữ làng nghề {}.", "Craft village {} archived."),
    ("cli.village.restored", "Đã khôi phục làng nghề {}.", "Craft village {} restored."),
    ("cli.village.none", "Chưa có làng nghề nào.", "No craft villages yet."),
    ("cli.village.facilities", "Cơ sở thuộc làng nghề: {}", "Facilities in the village: {}"),
    ("cli.village.import.line", "Dòng {}: {}", "Line {}: {}"),
    ("cli.village.import.refused", "Không nhập: {} lỗi. Sửa tệp rồi nhập lại (chưa ghi gì).", "Not imported: {} errors. Fix the file and import again (nothing was written)."),
    ("cli.village.import.done", "Đã nhập {} làng nghề ({} đã có trong danh mục).", "{} craft villages imported ({} already registered)."),
    ("cli.village.import.no_name", "thiếu cột tên làng nghề", "no craft-village name column"),
    ("cli.village.adopted", "Đã lập {} làng nghề từ tên ghi tự do và gắn {} cơ sở (chưa rõ công nhận: hãy sửa tình trạng).", "{} craft villages made from the free-text names and {} facilities linked (recognition unknown: set their status)."),
    ("cli.village.linked", "Đã gắn cơ sở {} vào làng nghề {}.", "Facility {} linked to craft village {}."),
    ("cli.village.unlinked", "Đã bỏ gắn làng nghề của cơ sở {}.", "Facility {} no longer linked to a craft village."),
    ("cli.product.not_found", "Không tìm thấy sản phẩm {}.", "No product {}."),
    ("cli.product.added", "Đã thêm sản phẩm {} (mã {}).", "Product {} added (id {})."),
    ("cli.product.titled", "Đã thêm danh hiệu cho sản phẩm {}: {}", "Title added to product {}: {}"),
    ("cli.demo.register", "Đã lập {} làng nghề và {} sản phẩm có danh hiệu.", "{} craft villages and {} products with titles made."),
    ("cli.product.none", "Chưa có sản phẩm nào.", "No products yet."),
    ("import.village.unmatched", "Làng nghề «{}» không có trong danh mục của xã {}: giữ tên ghi tự do, chưa gắn.", "Craft village «{}» is not in the register of commune {}: kept as free text, not linked."),
    ("import.village.matched", "{} cơ sở gắn với làng nghề trong danh mục.", "{} facilities linked to registered craft villages."),
    ("help.village", "Danh mục làng nghề: thêm, sửa, xem, lưu trữ, nhập từ tệp, lập từ tên ghi tự do, gắn cơ sở", "The craft-village register: add, edit, list, show, archive, import, adopt free-text names, link a facility"),
    ("help.village.add", "Thêm một làng nghề", "Add a craft village"),
    ("help.village.edit", "Sửa một làng nghề (chỉ các trường được ghi)", "Edit a craft village (only the fields given)"),
    ("help.village.list", "Các làng nghề trong phạm vi của bạn", "The craft villages in your scope"),
    ("help.village.show", "Một làng nghề và các cơ sở của nó", "One craft village and its facilities"),
    ("help.village.archive", "Lưu trữ (hoặc khôi phục) một làng nghề", "Archive (or restore) a craft village"),
    ("help.village.import", "Nhập danh mục làng nghề từ CSV/XLSX (kiểm tra cả tệp, lỗi ghi số dòng)", "Import craft villages from CSV/XLSX (the whole file is checked; errors name the line)"),
    ("help.village.adopt", "Lập làng nghề từ các tên ghi tự do của cơ sở và gắn các cơ sở đó", "Make craft villages from the facilities' free-text names and link those facilities"),
    ("help.village.link", "Gắn một cơ sở vào làng nghề (hoặc bỏ gắn)", "Link a facility to a craft village (or unlink it)"),
    ("help.arg.village", "Làng nghề: mã đầy đủ hoặc mã ngắn", "The craft village: its id or short id"),
    ("help.arg.village_name", "Tên làng nghề", "The craft village's name"),
    ("help.arg.communes", "Mã xã/phường 2025; nhiều xã cách nhau bằng dấu phẩy (xã đầu là xã của làng)", "2025 commune codes, comma separated (the first is the village's own)"),
    ("help.arg.trade_group", "Nhóm ngành nghề (mã hoặc tên)", "Trade group (code or name)"),
    ("help.arg.traditional", "Làng nghề truyền thống: có/không", "Traditional craft village: yes/no"),
    ("help.arg.decision_date", "Ngày quyết định, dd/mm/yyyy", "Decision date, dd/mm/yyyy"),
    ("help.arg.village_status", "Tình trạng: CONG_NHAN, CHUA_CONG_NHAN, THU_HOI", "Status: CONG_NHAN, CHUA_CONG_NHAN, THU_HOI"),
    ("help.arg.restore", "Khôi phục thay vì lưu trữ", "Restore instead of archiving"),
    ("help.arg.archived", "Chỉ những mục đã lưu trữ", "Only the archived ones"),
    ("help.arg.none", "Bỏ gắn", "Unlink"),
    ("help.product", "Sản phẩm của cơ sở và danh hiệu (OCOP, sản phẩm CNNT tiêu biểu)", "A facility's products and their titles (OCOP, typical product)"),
    ("help.product.add", "Thêm sản phẩm cho một cơ sở", "Add a product to a facility"),
    ("help.product.list", "Sản phẩm và danh hiệu (của một cơ sở, hoặc trong phạm vi)", "Products and titles (of one facility, or in your scope)"),
    ("help.product.title", "Thêm danh hiệu cho sản phẩm (OCOP hết hạn sau 36 tháng kể từ ngày cấp)", "Add a title to a product (OCOP expires 36 months after issue)"),
    ("help.product.show", "Một sản phẩm và danh hiệu của nó", "One product and its titles"),
    ("help.arg.product", "Sản phẩm: mã đầy đủ hoặc mã ngắn", "The product: its id or short id"),
    ("help.arg.product_name", "Tên sản phẩm", "The product's name"),
    ("help.arg.kind", "Loại: OCOP hoặc TIEU_BIEU", "Kind: OCOP or TIEU_BIEU"),
    ("help.arg.title_year", "Năm công nhận", "Year awarded"),
    ("help.arg.level", "OCOP: số sao 3–5; tiêu biểu: HUYEN, TINH, KHU_VUC, QUOC_GIA", "OCOP: stars 3–5; typical: HUYEN, TINH, KHU_VUC, QUOC_GIA"),
    ("help.arg.certificate", "Số giấy chứng nhận", "Certificate number"),
    ("help.arg.issued", "Ngày cấp, dd/mm/yyyy", "Issued on, dd/mm/yyyy"),
    ("help.arg.expiry", "Ngày hết hạn (mặc định OCOP: ngày cấp + 36 tháng)", "Expiry (OCOP default: issued + 36 months)"),
];

/// A village's status in words.
pub fn village_status_text(l: Lang, code: &str) -> String {
    VillageStatus::ALL
        .into_iter()
        .find(|s| s.code() == code)
        .map_or_else(|| sanitize(code), |s| tr(l, s.label_key()).to_string())
}

/// A village's communes by name (`form`), in order, joined by `sep`.
pub fn communes_text(codes: &[String], form: CommuneForm, sep: &str) -> String {
    codes
        .iter()
        .map(|c| commune_label(c, form))
        .collect::<Vec<_>>()
        .join(sep)
}

/// A village's fields as (label, value) rows, as `village show` and the list screen show them.
pub fn village_rows(l: Lang, v: &VillageRecord) -> Vec<(String, String)> {
    let communes = communes_text(&v.communes, CommuneForm::FullNameCode, "; ");
    let yes_no = |b: bool| tr(l, if b { "cli.yes" } else { "village.no" }).to_string();
    let rows = [
        ("village.field.name", sanitize(&v.name)),
        ("village.field.communes", communes),
        (
            "field.trade_group",
            code_label(l, &codes().trade_groups, v.trade_group.as_deref()),
        ),
        ("village.field.traditional", yes_no(v.traditional)),
        ("village.field.decision_no", sanitize(&v.decision_no)),
        (
            "village.field.decision_date",
            v.decision_date
                .as_deref()
                .and_then(parse_date)
                .map(dmy)
                .unwrap_or_default(),
        ),
        ("village.field.status", village_status_text(l, &v.status)),
        ("field.notes", sanitize(&v.notes)),
    ];
    rows.into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (tr(l, k).to_string(), v))
        .collect()
}

/// The level of a typical-product title in words ("cấp tỉnh").
fn level_text(l: Lang, level: &str) -> String {
    let key = match level {
        "HUYEN" => "product.level.HUYEN",
        "TINH" => "product.level.TINH",
        "KHU_VUC" => "product.level.KHU_VUC",
        "QUOC_GIA" => "product.level.QUOC_GIA",
        other => return sanitize(other),
    };
    tr(l, key).to_string()
}

/// "OCOP 4★ (2024), đến 15/03/2027" / "…, hết hạn 15/03/2026" on `today`.
pub fn title_text(l: Lang, t: &TitleRecord, today: NaiveDate) -> String {
    let head = if t.kind == "OCOP" {
        trf(l, "product.title.ocop", &[&sanitize(&t.level), &t.year])
    } else {
        trf(
            l,
            "product.title.typical",
            &[&level_text(l, &t.level), &t.year],
        )
    };
    let Some(e) = t.expiry_date.as_deref().and_then(parse_date) else {
        return head;
    };
    let key = if is_expired(t.expiry_date.as_deref(), today) {
        "product.title.expired"
    } else {
        "product.title.until"
    };
    trf(l, key, &[&head, &dmy(e)])
}

/// The facility list's short marker: the best unexpired title ("OCOP 4★", the most stars
/// first, then a typical product), else the best expired one marked so ("4★ hết hạn"),
/// else nothing.
pub fn title_mark(l: Lang, titles: &[TitleRecord], today: NaiveDate) -> String {
    let rank = |t: &TitleRecord| {
        let kind = if t.kind == "OCOP" { 1 } else { 0 };
        (kind, t.level.clone(), t.year)
    };
    let short = |t: &TitleRecord| {
        if t.kind == "OCOP" {
            trf(l, "product.mark.ocop", &[&sanitize(&t.level)])
        } else {
            tr(l, "product.mark.typical").to_string()
        }
    };
    let (expired, live): (Vec<&TitleRecord>, Vec<&TitleRecord>) = titles
        .iter()
        .partition(|t| is_expired(t.expiry_date.as_deref(), today));
    if let Some(t) = live.into_iter().max_by_key(|t| rank(t)) {
        return short(t);
    }
    // Short enough for the list's column: "4★ hết hạn".
    match expired.into_iter().max_by_key(|t| rank(t)) {
        Some(t) if t.kind == "OCOP" => trf(l, "product.mark.ocop_expired", &[&sanitize(&t.level)]),
        Some(_) => tr(l, "product.mark.typical_expired").to_string(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn title(kind: &str, level: &str, expiry: Option<&str>) -> TitleRecord {
        TitleRecord {
            kind: kind.into(),
            year: 2024,
            level: level.into(),
            certificate: String::new(),
            issued_date: None,
            expiry_date: expiry.map(String::from),
        }
    }

    #[test]
    fn the_mark_prefers_a_live_title_and_says_when_all_have_expired() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 4).expect("date");
        let ts = [
            title("OCOP", "5", Some("2026-01-01")),
            title("OCOP", "3", Some("2027-06-01")),
        ];
        assert_eq!(title_mark(Lang::Vi, &ts, today), "OCOP 3★");
        assert_eq!(title_mark(Lang::Vi, &ts[..1], today), "5★ hết hạn");
        assert_eq!(title_mark(Lang::En, &[], today), "");
        let typical = [title("TIEU_BIEU", "TINH", None)];
        assert_eq!(title_mark(Lang::Vi, &typical, today), "SPTB");
    }
}
