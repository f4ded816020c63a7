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
];

/// Command-line output.
const CLI: &[Entry] = &[
    ("cli.no_data_dir", "Không xác định được thư mục dữ liệu của người dùng; hãy chỉ định tệp bằng --db hoặc CTV_DB.", "Cannot find the user's data directory; name a file with --db or CTV_DB."),
    ("cli.summary.db", "Cơ sở dữ liệu: {}", "Database: {}"),
    ("cli.summary.who", "Người làm việc: {} — {}, {}", "Working as: {} — {}, {}"),
    ("cli.summary.no_profile", "Chưa có hồ sơ cộng tác viên. Chạy: ctv init --name \"Họ tên\" --role commune --unit MÃ_XÃ", "No collaborator profile yet. Run: ctv init --name \"Full name\" --role commune --unit COMMUNE_CODE"),
    ("cli.summary.facilities", "Số cơ sở CNNT: {}", "CNNT facilities: {}"),
    ("cli.summary.commands", "Lệnh: ctv init | ctv demo | ctv facilities import|list|show|add|archive|restore|history | ctv find TỪ_KHÓA  (ctv --help để xem chi tiết)", "Commands: ctv init | ctv demo | ctv facilities import|list|show|add|archive|restore|history | ctv find QUERY  (ctv --help for details)"),
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
const UI: &[Entry] = &[];

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
            assert!(!vi.is_empty() && !en.is_empty(), "empty translation for {k}");
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
                            let after = &src[i + pat.len()..];
                            // the key is the first string literal within this call's first line
                            let line = after.lines().next().unwrap_or("");
                            if let Some(q) = line.find('"') {
                                let rest = &line[q + 1..];
                                if let Some(end) = rest.find('"') {
                                    let key = &rest[..end];
                                    if key.contains('.') && !key.contains(' ') && !table().contains_key(key) {
                                        missing.push(format!("{}: {key}", p.display()));
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        assert!(missing.is_empty(), "i18n keys used but not defined: {missing:#?}");
    }

    #[test]
    fn trf_fills_placeholders() {
        assert_eq!(trf(Lang::En, "field.name", &[]), "Facility name");
    }
}
