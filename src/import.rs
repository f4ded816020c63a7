//! `ctv facilities import FILE`: read a CSV or XLSX table, map its columns to facility fields,
//! validate every row, find duplicate suspects, and write the rejected rows back out.
//!
//! Nothing here prints or writes to the database: [`prepare`] returns what it found, the CLI
//! decides (import all, nothing, or only the valid rows) and calls `Store::import_facilities`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use thiserror::Error;

use crate::domain::dup::{DupIndex, DupKey, DupReason, Suspect};
use crate::domain::facility::{validate, FacilityData, FacilityField, FacilityInput};
use crate::domain::issue::{FieldIssue, Problem};
use crate::refdata::Units;
use crate::store::{Store, StoreError};
use crate::text::fold;
use crate::words::{tr, Lang};

/// The UTF-8 byte order mark Excel writes at the start of "CSV UTF-8" files.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// How many rows at the top of a sheet may be titles above the header row.
const HEADER_SEARCH_ROWS: usize = 10;

/// The header of the column the rejects file adds.
pub const REJECTS_ERROR_COLUMN: &str = "Lỗi";

#[derive(Debug, Error)]
pub enum ImportError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: unknown file type (use .csv, .txt, .xlsx or .xlsm)")]
    UnknownFormat { path: PathBuf },
    #[error(
        "the file is not UTF-8 text (line {line}); Excel on Windows may have saved it as \
         Windows-1258: save it again as \"CSV UTF-8 (Comma delimited)\" or as .xlsx"
    )]
    Encoding { line: usize },
    #[error(
        "the file is UTF-16 text (Excel's \"Unicode Text\"); save it again as \
         \"CSV UTF-8 (Comma delimited)\" or as .xlsx"
    )]
    Utf16,
    #[error("CSV error on line {line}: {message}")]
    Csv { line: usize, message: String },
    #[error("cannot read the workbook: {message}")]
    Xlsx { message: String },
    #[error("the workbook has no sheet")]
    NoSheet,
    #[error("the file has no header row")]
    Empty,
    #[error("the required column \"{column}\" is missing")]
    MissingColumn { column: &'static str },
    #[error("the columns \"{first}\" and \"{second}\" both mean \"{field}\"")]
    DuplicateColumn {
        field: &'static str,
        first: String,
        second: String,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Where a table came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceFormat {
    Csv { delimiter: u8, bom: bool },
    Xlsx { sheet: String },
}

/// One row of a table: its line (CSV) or spreadsheet row (XLSX) number, and its cells.
pub type Row = (usize, Vec<String>);

/// A table as read: header names and rows of text cells, each row with the line (CSV) or
/// spreadsheet row (XLSX) number a person sees. Rows whose every cell is empty are left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
    pub format: SourceFormat,
}

/// Reads a CSV (`.csv`, `.txt`) or XLSX (`.xlsx`, `.xlsm`, first sheet) file.
pub fn read_table(path: &Path) -> Result<Table, ImportError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "csv" | "txt" => {
            let bytes = crate::shared::user_file::read(path).map_err(|source| ImportError::Io {
                path: path.to_path_buf(),
                source,
            })?;
            read_csv(&bytes)
        }
        "xlsx" | "xlsm" => read_xlsx(path),
        _ => Err(ImportError::UnknownFormat {
            path: path.to_path_buf(),
        }),
    }
}

fn is_blank(cells: &[String]) -> bool {
    cells.iter().all(|c| c.trim().is_empty())
}

/// CSV as Excel writes it: UTF-8 with or without BOM, separated by `,` `;` or tab (sniffed from
/// the header line, or given by an Excel `sep=` first line), CRLF or LF, quoted fields that may
/// hold separators and line breaks.
pub fn read_csv(bytes: &[u8]) -> Result<Table, ImportError> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(ImportError::Utf16);
    }
    let (bom, body) = match bytes.strip_prefix(BOM) {
        Some(rest) => (true, rest),
        None => (false, bytes),
    };
    let text = std::str::from_utf8(body).map_err(|e| ImportError::Encoding {
        line: body[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1,
    })?;

    // Excel's own hint line: "sep=;".
    let mut line_offset = 0;
    let mut text = text;
    let mut forced = None;
    if let Some(first) = text.lines().next() {
        let f = first.trim_end_matches('\r');
        if f.len() == 5 && f.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("sep=")) {
            forced = f.as_bytes().get(4).copied();
            text = text.get(first.len()..).unwrap_or("");
            text = text.strip_prefix('\r').unwrap_or(text);
            text = text.strip_prefix('\n').unwrap_or(text);
            line_offset = 1;
        }
    }
    let delimiter = forced.unwrap_or_else(|| sniff_delimiter(text));

    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows: Vec<Row> = Vec::new();
    let mut lines = LineCounter::new(text.as_bytes());
    for rec in reader.records() {
        let rec = rec.map_err(|e| ImportError::Csv {
            line: lines.line_at(e.position().map_or(0, |p| p.byte() as usize)) + line_offset,
            message: e.to_string(),
        })?;
        let line = lines.line_at(rec.position().map_or(0, |p| p.byte() as usize)) + line_offset;
        let cells: Vec<String> = rec.iter().map(str::to_string).collect();
        if !is_blank(&cells) {
            rows.push((line, cells));
        }
    }
    let (headers, rows) = split_header(rows)?;
    Ok(Table {
        headers,
        rows,
        format: SourceFormat::Csv { delimiter, bom },
    })
}

/// Line numbers of record starts. The csv crate's own line count lags by one after a CRLF
/// (the record "starts" on the previous line's '\n'), so records are located by byte offset:
/// the first byte after the offset that is not a line break is where the record begins.
struct LineCounter<'a> {
    text: &'a [u8],
    pos: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a [u8]) -> Self {
        Self {
            text,
            pos: 0,
            line: 1,
        }
    }

    /// The 1-based line of the record starting at (or just after the line break at) `byte`.
    /// Offsets must not go backwards.
    fn line_at(&mut self, byte: usize) -> usize {
        let mut end = byte.min(self.text.len()).max(self.pos);
        while matches!(self.text.get(end), Some(b'\r' | b'\n')) {
            end += 1;
        }
        self.line += self.text[self.pos..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.pos = end;
        self.line
    }
}

/// The separator that turns the first lines into the most known column names; ties go to the
/// one that splits the first line into more cells, then to the comma.
fn sniff_delimiter(text: &str) -> u8 {
    let mut best = (b',', 0usize, 0usize);
    for d in [b',', b';', b'\t'] {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(d)
            .from_reader(text.as_bytes());
        let mut known = 0;
        let mut width = 0;
        for (i, rec) in reader.records().take(HEADER_SEARCH_ROWS).enumerate() {
            let Ok(rec) = rec else { break };
            if i == 0 {
                width = rec.len();
            }
            known = known.max(rec.iter().filter(|h| is_known_header(h)).count());
        }
        if (known, width) > (best.1, best.2) {
            best = (d, known, width);
        }
    }
    best.0
}

/// Picks the header row: the first row, unless one of the next few rows (a title above the
/// table is common) names more known columns. Rows above the header are dropped.
fn split_header(mut rows: Vec<Row>) -> Result<(Vec<String>, Vec<Row>), ImportError> {
    if rows.is_empty() {
        return Err(ImportError::Empty);
    }
    let known = |cells: &[String]| cells.iter().filter(|h| is_known_header(h)).count();
    let mut at = 0;
    let mut best = known(&rows[0].1);
    for (i, (_, cells)) in rows.iter().enumerate().take(HEADER_SEARCH_ROWS).skip(1) {
        let k = known(cells);
        if k > best {
            best = k;
            at = i;
        }
    }
    let rest = rows.split_off(at + 1);
    let headers = rows.pop().map(|(_, h)| h).unwrap_or_default();
    Ok((headers, rest))
}

/// The first sheet of an XLSX/XLSM workbook. Whole numbers read as "4" (not "4.0"), dates as
/// dd/mm/yyyy, booleans as TRUE/FALSE; empty rows are skipped.
pub fn read_xlsx(path: &Path) -> Result<Table, ImportError> {
    // Opened with the user's own rights (a shared server's setgid program), then parsed.
    let file = crate::shared::user_file::open(path).map_err(|source| ImportError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    read_xlsx_from(std::io::BufReader::new(file), path)
}

/// [`read_xlsx`] on an open reader; `path` only names the file in errors. Also what the
/// fuzz target feeds arbitrary bytes.
pub fn read_xlsx_from<R: std::io::Read + std::io::Seek>(
    reader: R,
    path: &Path,
) -> Result<Table, ImportError> {
    use calamine::{Reader, Xlsx};
    let mut wb: Xlsx<_> = Xlsx::new(reader).map_err(|e| match e {
        calamine::XlsxError::Io(source) => ImportError::Io {
            path: path.to_path_buf(),
            source,
        },
        other => ImportError::Xlsx {
            message: other.to_string(),
        },
    })?;
    let sheet = wb
        .sheet_names()
        .first()
        .cloned()
        .ok_or(ImportError::NoSheet)?;
    let range = wb.worksheet_range(&sheet).map_err(|e| ImportError::Xlsx {
        message: e.to_string(),
    })?;
    let first_row = range.start().map_or(0, |(r, _)| r as usize);
    let mut rows = Vec::new();
    for (i, row) in range.rows().enumerate() {
        let cells: Vec<String> = row.iter().map(cell_text).collect();
        if !is_blank(&cells) {
            rows.push((first_row + i + 1, cells));
        }
    }
    let (headers, rows) = split_header(rows)?;
    Ok(Table {
        headers,
        rows,
        format: SourceFormat::Xlsx { sheet },
    })
}

/// A cell's value as a person reads it in Excel.
fn cell_text(c: &calamine::Data) -> String {
    use calamine::Data;
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(d) if d.is_datetime() => {
            let (y, m, day, ..) = d.to_ymd_hms_milli();
            format!("{day:02}/{m:02}/{y:04}")
        }
        Data::DateTime(d) => number_text(d.as_f64()),
        Data::DateTimeIso(s) => iso_date_text(s),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => e.to_string(),
    }
}

/// 4.0 → "4", 100233488.0 → "100233488", 2.5 → "2.5".
fn number_text(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// "2024-03-05T00:00:00" → "05/03/2024"; anything else unchanged.
fn iso_date_text(s: &str) -> String {
    let date = s
        .get(..10)
        .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    match date {
        Some(d) => d.format("%d/%m/%Y").to_string(),
        None => s.to_string(),
    }
}

// ---------------------------------------------------------------------------------------
// Columns

/// Vietnamese and English names people give the columns, besides the field keys themselves.
/// Compared after [`normalize_header`], so accents, case, spaces and underscores do not matter.
const ALIASES: &[(FacilityField, &[&str])] = &[
    (
        FacilityField::Name,
        &[
            "Tên cơ sở",
            "Tên",
            "Tên cơ sở sản xuất",
            "Tên cơ sở CNNT",
            "Tên doanh nghiệp",
            "Tên đơn vị",
            "Tên cơ sở/doanh nghiệp",
            "Facility name",
        ],
    ),
    (
        FacilityField::EntityType,
        &[
            "Loại hình",
            "Loại hình cơ sở",
            "Loại hình doanh nghiệp",
            "Entity type",
        ],
    ),
    (
        FacilityField::TaxCode,
        &[
            "Mã số thuế",
            "MST",
            "Số ĐKKD",
            "Mã số doanh nghiệp",
            "Số đăng ký kinh doanh",
            "MST/Số ĐKKD",
            "Mã số thuế/Số ĐKKD",
            "Tax code",
            "Tax number",
        ],
    ),
    (
        FacilityField::Representative,
        &[
            "Người đại diện",
            "Chủ cơ sở",
            "Đại diện",
            "Người đại diện theo pháp luật",
            "Họ tên chủ cơ sở",
            "Representative",
        ],
    ),
    (
        FacilityField::Phone,
        &[
            "Điện thoại",
            "Số điện thoại",
            "SĐT",
            "ĐT",
            "Phone",
            "Telephone",
        ],
    ),
    (
        FacilityField::Address,
        &["Địa chỉ", "Địa chỉ cơ sở", "Thôn/ấp", "Address"],
    ),
    (
        FacilityField::CommuneCode,
        &[
            "Mã xã",
            "Mã xã/phường",
            "Mã xã phường",
            "Mã xã/phường/đặc khu",
            "Mã đơn vị hành chính",
            "Commune code",
        ],
    ),
    (
        FacilityField::TradeGroup,
        &[
            "Nhóm ngành nghề",
            "Ngành nghề",
            "Nhóm ngành",
            "Mã ngành nghề",
            "Trade group",
        ],
    ),
    (
        FacilityField::Products,
        &["Sản phẩm", "Sản phẩm chính", "Sản phẩm chủ yếu", "Products"],
    ),
    (
        FacilityField::Workers,
        &[
            "Số lao động",
            "Lao động",
            "Số lao động thường xuyên",
            "Tổng số lao động",
            "Workers",
        ],
    ),
    (
        FacilityField::FoundedYear,
        &[
            "Năm thành lập",
            "Năm bắt đầu hoạt động",
            "Founded",
            "Founded year",
        ],
    ),
    (
        FacilityField::CraftVillage,
        &[
            "Làng nghề",
            "Thuộc làng nghề",
            "Tên làng nghề",
            "Craft village",
        ],
    ),
    (
        FacilityField::OcopStars,
        &[
            "Số sao OCOP",
            "OCOP",
            "Sao OCOP",
            "Hạng sao OCOP",
            "OCOP stars",
        ],
    ),
    (
        FacilityField::OcopYear,
        &[
            "Năm OCOP",
            "Năm đạt OCOP",
            "Năm công nhận OCOP",
            "OCOP year",
        ],
    ),
    (
        FacilityField::TypicalLevel,
        &[
            "Sản phẩm tiêu biểu",
            "Sản phẩm CNNT tiêu biểu",
            "Cấp sản phẩm tiêu biểu",
            "Cấp công nhận sản phẩm tiêu biểu",
            "Typical level",
        ],
    ),
    (
        FacilityField::TypicalYear,
        &[
            "Năm sản phẩm tiêu biểu",
            "Năm công nhận sản phẩm tiêu biểu",
            "Năm đạt sản phẩm tiêu biểu",
            "Typical year",
        ],
    ),
    (
        FacilityField::Exports,
        &["Xuất khẩu", "Có xuất khẩu", "Exports"],
    ),
    (
        FacilityField::LocalMaterials,
        &[
            "Nguyên liệu địa phương",
            "Sử dụng nguyên liệu địa phương",
            "Trên 50% nguyên liệu địa phương",
            "Local materials",
        ],
    ),
    (
        FacilityField::WomanOwned,
        &[
            "Chủ là nữ",
            "Nữ làm chủ",
            "Do phụ nữ làm chủ",
            "Woman owned",
        ],
    ),
    (
        FacilityField::EthnicOwned,
        &[
            "Chủ là người dân tộc thiểu số",
            "Dân tộc thiểu số",
            "DTTS",
            "Chủ là người DTTS",
            "Ethnic owned",
        ],
    ),
    (
        FacilityField::DifficultArea,
        &[
            "Vùng khó khăn",
            "Địa bàn khó khăn",
            "Địa bàn đặc biệt khó khăn",
            "Difficult area",
        ],
    ),
    (
        FacilityField::Status,
        &["Trạng thái", "Tình trạng", "Tình trạng hoạt động", "Status"],
    ),
    (FacilityField::Notes, &["Ghi chú", "Notes", "Note"]),
];

/// A header as compared: folded (no accents, lower case), `_` and runs of spaces as one space,
/// a trailing required-marker ("(*)", "*") or colon dropped.
pub fn normalize_header(h: &str) -> String {
    let f = fold(h);
    let mut words: Vec<&str> = f
        .split(|c: char| c.is_whitespace() || c == '_' || c == '\u{FEFF}' || c == '\u{200B}')
        .filter(|w| !w.is_empty())
        .collect();
    while let Some(last) = words.last_mut() {
        let trimmed = last.trim_end_matches(['*', ':']).trim_end_matches("(*)");
        let trimmed = trimmed.trim_end_matches(['*', ':']);
        if trimmed.is_empty() {
            words.pop();
        } else {
            *last = trimmed;
            break;
        }
    }
    words.join(" ")
}

fn header_table() -> &'static HashMap<String, FacilityField> {
    static T: OnceLock<HashMap<String, FacilityField>> = OnceLock::new();
    T.get_or_init(|| {
        let mut m = HashMap::new();
        for f in FacilityField::ALL {
            m.insert(normalize_header(f.key()), f);
        }
        for (f, names) in ALIASES {
            for n in *names {
                m.entry(normalize_header(n)).or_insert(*f);
            }
        }
        // The labels the app itself shows, so a table it exported reads back.
        for f in FacilityField::ALL {
            for lang in [Lang::Vi, Lang::En] {
                let label = tr(lang, f.label_key());
                if label != f.label_key() {
                    m.entry(normalize_header(label)).or_insert(f);
                }
            }
        }
        m
    })
}

/// The field a header names, if any.
pub fn lookup_header(h: &str) -> Option<FacilityField> {
    header_table().get(&normalize_header(h)).copied()
}

/// Columns that place a facility in the pre-2025 layout (lists kept since before the
/// reform): an old commune code, or the commune, district and province names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OldPlace {
    Code,
    Commune,
    District,
    Province,
}

impl OldPlace {
    /// The name given in errors about the column.
    pub fn key(self) -> &'static str {
        match self {
            OldPlace::Code => "old_commune_code",
            OldPlace::Commune => "commune_name",
            OldPlace::District => "district_name",
            OldPlace::Province => "province_name",
        }
    }
}

const OLD_PLACE_ALIASES: &[(OldPlace, &[&str])] = &[
    (
        OldPlace::Code,
        &[
            "old_commune_code",
            "Mã xã cũ",
            "Mã xã/phường cũ",
            "Mã xã trước 2025",
            "Mã xã cũ (trước 2025)",
            "Old commune code",
            "Old commune code (before 2025)",
        ],
    ),
    (
        OldPlace::Commune,
        &[
            "Xã",
            "Tên xã",
            "Xã/phường",
            "Tên xã/phường",
            "Xã/phường/thị trấn",
            "Xã, phường, thị trấn",
            "Commune",
            "Commune name",
        ],
    ),
    (
        OldPlace::District,
        &[
            "Huyện",
            "Tên huyện",
            "Quận/huyện",
            "Huyện/quận",
            "Quận/huyện/thị xã",
            "Huyện/thị xã/thành phố",
            "District",
        ],
    ),
    (
        OldPlace::Province,
        &[
            "Tỉnh",
            "Tên tỉnh",
            "Tỉnh/thành phố",
            "Tỉnh/TP",
            "Tỉnh, thành phố",
            "Province",
        ],
    ),
];

/// The pre-2025 place a header names, if any (and no facility field does).
pub fn lookup_old_place(h: &str) -> Option<OldPlace> {
    static T: OnceLock<HashMap<String, OldPlace>> = OnceLock::new();
    let t = T.get_or_init(|| {
        OLD_PLACE_ALIASES
            .iter()
            .flat_map(|(p, names)| names.iter().map(move |n| (normalize_header(n), *p)))
            .collect()
    });
    t.get(&normalize_header(h)).copied()
}

fn is_known_header(h: &str) -> bool {
    lookup_header(h).is_some() || lookup_old_place(h).is_some()
}

/// Columns `facilities list --format csv` writes that are not imported (the id, the time of
/// the last change): read back without being reported as unknown.
fn is_export_only(h: &str) -> bool {
    let h = normalize_header(h);
    ["col.facility_id", "col.updated_at"]
        .iter()
        .flat_map(|k| [tr(Lang::Vi, k), tr(Lang::En, k)])
        .any(|label| normalize_header(label) == h)
}

/// Which column holds which field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMap {
    columns: Vec<(FacilityField, usize)>,
    /// Columns of the pre-2025 place, indexed by `OldPlace as usize`.
    old_place: [Option<usize>; 4],
    ignored: Vec<String>,
}

impl ColumnMap {
    /// Headers that name no field, as written in the file (blank headers are not listed).
    pub fn ignored(&self) -> &[String] {
        &self.ignored
    }

    /// The column index of a field, if the file has it.
    pub fn column(&self, field: FacilityField) -> Option<usize> {
        self.columns
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, i)| *i)
    }

    /// The mapped fields with their column index, in file order.
    pub fn fields(&self) -> impl Iterator<Item = (FacilityField, usize)> + '_ {
        self.columns.iter().copied()
    }

    /// The raw cell of `field` in a row ("" when the column is absent or the row is short).
    pub fn cell<'a>(&self, cells: &'a [String], field: FacilityField) -> &'a str {
        self.column(field)
            .and_then(|i| cells.get(i))
            .map_or("", String::as_str)
    }

    /// The raw cell of a pre-2025 place column in a row ("" when absent).
    pub fn old_cell<'a>(&self, cells: &'a [String], place: OldPlace) -> &'a str {
        self.old_place[place as usize]
            .and_then(|i| cells.get(i))
            .map_or("", String::as_str)
    }

    /// Whether every mapped cell of a row is empty.
    fn row_is_empty(&self, cells: &[String]) -> bool {
        let blank = |i: usize| cells.get(i).is_none_or(|c| c.trim().is_empty());
        self.fields().all(|(_, i)| blank(i)) && self.old_place.iter().flatten().all(|&i| blank(i))
    }

    /// One row as form input.
    pub fn input(&self, cells: &[String]) -> FacilityInput {
        let mut input = FacilityInput::default();
        for &(f, i) in &self.columns {
            if let Some(v) = cells.get(i) {
                input.set(f, v.clone());
            }
        }
        input
    }
}

/// Matches headers to facility fields. Unknown headers are listed in [`ColumnMap::ignored`];
/// a missing `name` column, no commune at all (a 2025 code, a pre-2025 code, or the
/// commune and province names), or two columns for one field, is an error.
pub fn map_columns(headers: &[String]) -> Result<ColumnMap, ImportError> {
    let mut columns: Vec<(FacilityField, usize)> = Vec::new();
    let mut old_place: [Option<usize>; 4] = [None; 4];
    let mut ignored = Vec::new();
    let duplicate = |field: &'static str, j: usize, h: &str| ImportError::DuplicateColumn {
        field,
        first: headers[j].trim().to_string(),
        second: h.trim().to_string(),
    };
    for (i, h) in headers.iter().enumerate() {
        if normalize_header(h).is_empty() {
            continue;
        }
        match (lookup_header(h), lookup_old_place(h)) {
            (Some(f), _) => {
                if let Some(&(_, j)) = columns.iter().find(|(g, _)| *g == f) {
                    return Err(duplicate(f.key(), j, h));
                }
                columns.push((f, i));
            }
            (None, Some(p)) => {
                if let Some(j) = old_place[p as usize] {
                    return Err(duplicate(p.key(), j, h));
                }
                old_place[p as usize] = Some(i);
            }
            (None, None) if is_export_only(h) => {}
            (None, None) => ignored.push(h.trim().to_string()),
        }
    }
    let has = |f: FacilityField| columns.iter().any(|(g, _)| *g == f);
    if !has(FacilityField::Name) {
        return Err(ImportError::MissingColumn {
            column: FacilityField::Name.key(),
        });
    }
    let has_old = |p: OldPlace| old_place[p as usize].is_some();
    let named = has_old(OldPlace::Commune) && has_old(OldPlace::Province);
    if !has(FacilityField::CommuneCode) && !has_old(OldPlace::Code) && !named {
        return Err(ImportError::MissingColumn {
            column: FacilityField::CommuneCode.key(),
        });
    }
    Ok(ColumnMap {
        columns,
        old_place,
        ignored,
    })
}

// ---------------------------------------------------------------------------------------
// Pre-2025 communes

/// Where a row's facility is, when the row places it in the pre-2025 layout: sets the 2025
/// commune code in `input` and returns the old code to keep on the record. `Ok(None)` when
/// the row gives a 2025 code (or nothing: validation then says what is missing).
///
/// In the commune code column a 2025 code wins (most communes that kept their code are the
/// same place); a code that is only a pre-2025 one is mapped. An old-code column is always
/// read as pre-2025. Names are used only when no code is given. A commune split across
/// several 2025 communes is refused with the candidates: which one needs a person.
pub fn resolve_old_commune(
    map: &ColumnMap,
    cells: &[String],
    input: &mut FacilityInput,
) -> Result<Option<String>, Problem> {
    let units = crate::refdata::units();
    let is_old = |code: &str| !units.old_to_new_links(code).is_empty();
    let old = map.old_cell(cells, OldPlace::Code).trim();
    let raw = input.commune_code.trim();
    if !raw.is_empty() {
        return match Units::pad_commune_code(raw) {
            Some(code) if units.commune(&code).is_none() && is_old(&code) => {
                map_old_code(&code, input).map(Some)
            }
            // Both codes given (a list this program exported): the old one is kept as is.
            _ => Ok(Units::pad_commune_code(old).filter(|c| is_old(c))),
        };
    }
    if !old.is_empty() {
        return match Units::pad_commune_code(old) {
            Some(code) if !units.old_to_new_links(&code).is_empty() => {
                map_old_code(&code, input).map(Some)
            }
            _ => Err(Problem::UnknownOldCommune {
                code: crate::text::ingest(old),
            }),
        };
    }
    let commune = map.old_cell(cells, OldPlace::Commune).trim();
    if commune.is_empty() {
        return Ok(None);
    }
    let district = map.old_cell(cells, OldPlace::District).trim();
    let province = map.old_cell(cells, OldPlace::Province).trim();
    let found = find_old_commune(commune, district, province);
    match found.as_slice() {
        [code] => map_old_code(code, input).map(Some),
        _ => Err(Problem::OldCommuneNotFound {
            commune: crate::text::ingest(commune),
            district: crate::text::ingest(district),
            province: crate::text::ingest(province),
            matches: found.len(),
        }),
    }
}

fn map_old_code(code: &str, input: &mut FacilityInput) -> Result<String, Problem> {
    match crate::refdata::units().old_to_new_links(code) {
        [one] => {
            input.commune_code = one.new_code.clone();
            Ok(code.to_string())
        }
        links => Err(Problem::OldCommuneSplit {
            old_code: code.to_string(),
            candidates: links.iter().map(|l| l.new_code.clone()).collect(),
        }),
    }
}

/// A unit's name as compared: folded, the kind in front dropped ("Phường", "Quận", "TP.",
/// "Tỉnh" …), spaces and punctuation out, numbers without leading zeros ("Phường 01" = "1").
fn place_key(name: &str, kinds: &[&str]) -> String {
    let folded = fold(name);
    let mut words: Vec<&str> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    for kind in kinds {
        let k: Vec<&str> = kind.split(' ').collect();
        if words.len() > k.len() && words.starts_with(&k) {
            words.drain(..k.len());
            break;
        }
    }
    let joined = words.concat();
    match joined.trim_start_matches('0') {
        "" if !joined.is_empty() => "0".into(),
        t if t.bytes().all(|b| b.is_ascii_digit()) => t.to_string(),
        _ => joined,
    }
}

const COMMUNE_KINDS: &[&str] = &["thi tran", "xa", "phuong", "tt", "p", "x"];
const DISTRICT_KINDS: &[&str] = &["thanh pho", "thi xa", "huyen", "quan", "tp", "tx", "h", "q"];
const PROVINCE_KINDS: &[&str] = &["thanh pho", "tinh", "tp"];

/// The pre-2025 commune codes with these names (district and province may be empty: then
/// they do not narrow the search).
fn find_old_commune(commune: &str, district: &str, province: &str) -> Vec<String> {
    static BY_NAME: OnceLock<HashMap<String, Vec<usize>>> = OnceLock::new();
    let units = crate::refdata::units();
    let by_name = BY_NAME.get_or_init(|| {
        let mut m: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, c) in units.old_communes().iter().enumerate() {
            m.entry(place_key(&c.name, COMMUNE_KINDS))
                .or_default()
                .push(i);
        }
        m
    });
    let (d_key, p_key) = (
        place_key(district, DISTRICT_KINDS),
        place_key(province, PROVINCE_KINDS),
    );
    by_name
        .get(&place_key(commune, COMMUNE_KINDS))
        .into_iter()
        .flatten()
        .map(|&i| &units.old_communes()[i])
        .filter(|c| {
            let d = units.old_district(&c.district_code);
            let d_ok =
                d_key.is_empty() || d.is_some_and(|d| place_key(&d.name, DISTRICT_KINDS) == d_key);
            let p_ok = p_key.is_empty()
                || d.and_then(|d| units.old_province(&d.province_code))
                    .is_some_and(|p| place_key(&p.name, PROVINCE_KINDS) == p_key);
            d_ok && p_ok
        })
        .map(|c| c.code.clone())
        .collect()
}

// ---------------------------------------------------------------------------------------
// Validation and duplicates

/// One refusal of one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: usize,
    /// The field key, e.g. "tax_code".
    pub field: &'static str,
    pub problem: Problem,
    /// The cell as it was in the file.
    pub value: String,
}

/// A row that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedRow {
    pub line: usize,
    pub data: FacilityData,
    /// Findings that do not refuse the row (a doubtful tax check digit).
    pub warnings: Vec<FieldIssue>,
    /// Facilities this row may duplicate: stored ones (their ids) and earlier rows of the same
    /// file (ids "line:N", see [`line_of`]). Shown to a person, never merged.
    pub suspects: Vec<Suspect>,
    /// The pre-2025 commune code the row gave, mapped to `data.commune_code`.
    pub old_commune_code: Option<String>,
    /// The registered craft village its free-text `craft_village` matched (folded name, a
    /// village lying in the row's commune).
    pub village_id: Option<String>,
}

/// What [`prepare`] found in a table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prepared {
    pub valid: Vec<PreparedRow>,
    /// Rejected rows: line, the raw cells, and every error found in the row.
    pub invalid: Vec<(usize, Vec<String>, Vec<RowError>)>,
    pub ignored_columns: Vec<String>,
    /// Rows with something only in ignored columns (a template's pre-numbered "STT" rows):
    /// left out, neither imported nor rejected.
    pub skipped: Vec<usize>,
    /// Valid rows whose craft village is not in the register of their commune: (line, the
    /// name as the list wrote it, commune). They keep the free text, unlinked.
    pub unmatched_villages: Vec<(usize, String, String)>,
}

impl Prepared {
    /// The validated rows, ready for `Store::import_facilities`.
    pub fn valid_data(&self) -> Vec<FacilityData> {
        self.valid.iter().map(|r| r.data.clone()).collect()
    }

    /// The matched village of each valid row, in `valid_data` order.
    pub fn valid_village_ids(&self) -> Vec<Option<String>> {
        self.valid.iter().map(|r| r.village_id.clone()).collect()
    }

    /// The pre-2025 commune code of each valid row, in `valid_data` order (for
    /// `Store::import_facilities_with_old_codes`).
    pub fn valid_old_codes(&self) -> Vec<Option<String>> {
        self.valid
            .iter()
            .map(|r| r.old_commune_code.clone())
            .collect()
    }

    /// The validated rows with their pre-2025 codes and matched villages, moved out (no copy)
    /// for `Store::import_facilities_linked`: at a million rows a second copy of every row
    /// was a large share of the import's peak memory.
    pub fn into_import_parts(
        self,
    ) -> (Vec<FacilityData>, Vec<Option<String>>, Vec<Option<String>>) {
        let n = self.valid.len();
        let (mut data, mut old, mut villages) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        for r in self.valid {
            data.push(r.data);
            old.push(r.old_commune_code);
            villages.push(r.village_id);
        }
        (data, old, villages)
    }

    /// Every row error, in file order.
    pub fn errors(&self) -> impl Iterator<Item = &RowError> {
        self.invalid.iter().flat_map(|(_, _, e)| e)
    }

    /// Valid rows that have at least one duplicate suspect.
    pub fn rows_with_suspects(&self) -> impl Iterator<Item = &PreparedRow> {
        self.valid.iter().filter(|r| !r.suspects.is_empty())
    }

    /// How many rows are suspected duplicates, in all and by reason (a row counts under
    /// each reason any of its suspects has), and how many (row, suspect) pairs there are.
    pub fn suspect_counts(&self) -> SuspectCounts {
        let mut c = SuspectCounts::default();
        for r in self.rows_with_suspects() {
            c.rows += 1;
            c.pairs += r.suspects.len();
            let has = |f: fn(&DupReason) -> bool| r.suspects.iter().flat_map(|s| &s.reasons).any(f);
            c.same_tax += usize::from(has(|x| matches!(x, DupReason::SameTaxCode { .. })));
            c.same_phone += usize::from(has(|x| matches!(x, DupReason::SamePhone { .. })));
            c.similar_name += usize::from(has(|x| matches!(x, DupReason::SimilarName { .. })));
        }
        c
    }
}

/// The duplicate suspects of an import, counted (see [`Prepared::suspect_counts`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SuspectCounts {
    pub rows: usize,
    pub pairs: usize,
    pub same_tax: usize,
    pub same_phone: usize,
    pub similar_name: usize,
}

/// The synthetic duplicate-index id of a row of the file being imported.
pub fn line_id(line: usize) -> String {
    format!("line:{line}")
}

/// The line of the file a suspect id made by [`line_id`] stands for.
pub fn line_of(id: &str) -> Option<usize> {
    id.strip_prefix("line:")?.parse().ok()
}

/// Validates every row as spreadsheet input in the current profile's scope and checks each
/// valid row for duplicates against the stored facilities and the earlier rows of the file.
/// Writes nothing.
pub fn prepare(store: &Store, table: &Table) -> Result<Prepared, ImportError> {
    store.require_profile()?;
    let map = map_columns(&table.headers)?;
    let ctx = store.validation_context(true);
    let mut index: DupIndex = store.dup_index()?;
    let mut out = Prepared {
        ignored_columns: map.ignored().to_vec(),
        ..Prepared::default()
    };
    // (folded name, commune) → the registered village, looked up once per pair.
    let mut villages: HashMap<(String, String), Option<String>> = HashMap::new();
    for (line, cells) in &table.rows {
        let line = *line;
        if map.row_is_empty(cells) {
            out.skipped.push(line);
            continue;
        }
        let mut input = map.input(cells);
        let place = resolve_old_commune(&map, cells, &mut input);
        match validate(&input, &ctx).and_then(|ok| match &place {
            Ok(_) => Ok(ok),
            Err(_) => Err(crate::domain::issue::Issues(Vec::new())),
        }) {
            Ok((data, issues)) => {
                let key = DupKey {
                    id: line_id(line),
                    name: data.name.clone(),
                    commune_code: data.commune_code.clone(),
                    tax_code: data.tax_code.clone(),
                    phone: data.phone.clone(),
                };
                let suspects = index.check_and_insert(key);
                let village_id = if data.craft_village.is_empty() {
                    None
                } else {
                    let key = (fold(&data.craft_village), data.commune_code.clone());
                    let found = match villages.get(&key) {
                        Some(v) => v.clone(),
                        None => {
                            let v = store
                                .find_villages(&data.craft_village, Some(&data.commune_code))?
                                .into_iter()
                                .find(|(v, _)| v.communes.contains(&data.commune_code))
                                .map(|(v, _)| v.id);
                            villages.insert(key, v.clone());
                            v
                        }
                    };
                    if found.is_none() {
                        out.unmatched_villages.push((
                            line,
                            data.craft_village.clone(),
                            data.commune_code.clone(),
                        ));
                    }
                    found
                };
                out.valid.push(PreparedRow {
                    line,
                    data,
                    warnings: issues.0,
                    suspects,
                    old_commune_code: place.unwrap_or_default(),
                    village_id,
                });
            }
            Err(issues) => {
                // A pre-2025 place that does not map says why, instead of "commune required".
                let place_error = place.err().map(|problem| RowError {
                    line,
                    field: FacilityField::CommuneCode.key(),
                    problem,
                    value: [OldPlace::Code, OldPlace::Commune]
                        .iter()
                        .map(|&p| map.old_cell(cells, p))
                        .chain([map.cell(cells, FacilityField::CommuneCode)])
                        .find(|c| !c.trim().is_empty())
                        .unwrap_or("")
                        .to_string(),
                });
                let commune_key = FacilityField::CommuneCode.key();
                let errors = place_error
                    .iter()
                    .cloned()
                    .chain(
                        issues
                            .errors()
                            .filter(|i| place_error.is_none() || i.field != commune_key)
                            .map(|i| RowError {
                                line,
                                field: i.field,
                                problem: i.problem.clone(),
                                value: FacilityField::from_key(i.field)
                                    .map(|f| map.cell(cells, f).to_string())
                                    .unwrap_or_default(),
                            }),
                    )
                    .collect();
                out.invalid.push((line, cells.clone(), errors));
            }
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// Rejects

/// "<stem>.loi.csv" beside the input: `ds.xlsx` → `ds.loi.csv`.
pub fn rejects_path(input: &Path) -> PathBuf {
    beside(input, "loi.csv")
}

/// "<stem>.<suffix>" in the input's folder.
fn beside(input: &Path, suffix: &str) -> PathBuf {
    let stem = input
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    input.with_file_name(format!("{stem}.{suffix}"))
}

/// Writes a report file made by `make` (with the user's own rights on a shared server).
fn write_report(
    path: &Path,
    make: impl FnOnce() -> std::io::Result<Vec<u8>>,
) -> Result<(), ImportError> {
    let error = |source| ImportError::Write {
        path: path.to_path_buf(),
        source,
    };
    let bytes = make().map_err(error)?;
    crate::shared::user_file::write(path, &bytes).map_err(error)
}

/// Writes the rejected rows as a CSV Excel opens directly (UTF-8 with BOM, commas, CRLF): the
/// original headers and cells, plus a "Lỗi" column saying what is wrong, in Vietnamese.
/// After fixing, the file can be imported again (the "Lỗi" column is ignored).
pub fn write_rejects(path: &Path, table: &Table, prepared: &Prepared) -> Result<(), ImportError> {
    write_report(path, || rejects_csv(table, prepared))
}

/// "<stem>.nghi_trung.csv" beside the input: the full list of duplicate suspects.
pub fn suspects_path(input: &Path) -> PathBuf {
    beside(input, "nghi_trung.csv")
}

/// Writes every duplicate suspect as a CSV Excel opens directly (UTF-8 with BOM, commas,
/// CRLF): one line per row and suspect — the row's line, name and commune, the facility it
/// may duplicate (a stored one by its id, an earlier row as «dòng N») and why.
pub fn write_suspects(path: &Path, prepared: &Prepared, lang: Lang) -> Result<(), ImportError> {
    write_report(path, || suspects_csv(prepared, lang))
}

fn suspects_csv(prepared: &Prepared, l: Lang) -> std::io::Result<Vec<u8>> {
    use crate::words::format::{commune_label, CommuneForm};
    let mut buf = BOM.to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut buf);
        w.write_record(crate::words::problems::suspects_file_header(l))?;
        let commune = |code: &str| commune_label(code, CommuneForm::Name);
        for r in prepared.rows_with_suspects() {
            for s in &r.suspects {
                let reasons: Vec<String> = s
                    .reasons
                    .iter()
                    .map(|x| crate::words::problems::dup_reason_text(l, x))
                    .collect();
                let (name, place) = if s.id.is_empty() {
                    (tr(l, "dup.outside_scope").to_string(), String::new())
                } else {
                    (s.name.clone(), commune(&s.commune_code))
                };
                w.write_record([
                    crate::words::problems::line_label(l, r.line),
                    r.data.name.clone(),
                    commune(&r.data.commune_code),
                    name,
                    place,
                    crate::words::problems::suspect_ref(l, &s.id),
                    reasons.join("; "),
                ])?;
            }
        }
        w.flush()?;
    }
    Ok(buf)
}

fn rejects_csv(table: &Table, prepared: &Prepared) -> std::io::Result<Vec<u8>> {
    let mut buf = BOM.to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .flexible(false)
            .from_writer(&mut buf);
        let width = table.headers.len();
        let mut header: Vec<&str> = table.headers.iter().map(String::as_str).collect();
        header.push(REJECTS_ERROR_COLUMN);
        w.write_record(&header)?;
        for (_, cells, errors) in &prepared.invalid {
            let mut rec: Vec<String> = (0..width)
                .map(|i| cells.get(i).cloned().unwrap_or_default())
                .collect();
            let text: Vec<String> = errors
                .iter()
                .map(|e| crate::words::problems::describe_facility(Lang::Vi, e.field, &e.problem))
                .collect();
            rec.push(text.join("; "));
            w.write_record(&rec)?;
        }
        w.flush()?;
    }
    Ok(buf)
}
