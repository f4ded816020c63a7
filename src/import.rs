//! `ctv facilities import FILE`: read a CSV or XLSX table, map its columns to facility fields,
//! validate every row, find duplicate suspects, and write the rejected rows back out.
//!
//! Nothing here prints or writes to the database: [`prepare`] returns what it found, the CLI
//! decides (import all, nothing, or only the valid rows) and calls `Store::import_facilities`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use thiserror::Error;

use crate::domain::dup::{DupIndex, DupKey, Suspect};
use crate::domain::facility::{validate, FacilityData, FacilityField, FacilityInput};
use crate::domain::issue::{FieldIssue, Problem};
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
            known = known.max(rec.iter().filter(|h| lookup_header(h).is_some()).count());
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
    let known = |cells: &[String]| cells.iter().filter(|h| lookup_header(h).is_some()).count();
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

/// Which column holds which field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMap {
    columns: Vec<(FacilityField, usize)>,
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
/// a missing `name` or `commune_code` column, or two columns for one field, is an error.
pub fn map_columns(headers: &[String]) -> Result<ColumnMap, ImportError> {
    let mut columns: Vec<(FacilityField, usize)> = Vec::new();
    let mut ignored = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        if normalize_header(h).is_empty() {
            continue;
        }
        match lookup_header(h) {
            Some(f) => {
                if let Some(&(_, j)) = columns.iter().find(|(g, _)| *g == f) {
                    return Err(ImportError::DuplicateColumn {
                        field: f.key(),
                        first: headers[j].trim().to_string(),
                        second: h.trim().to_string(),
                    });
                }
                columns.push((f, i));
            }
            None => ignored.push(h.trim().to_string()),
        }
    }
    for required in [FacilityField::Name, FacilityField::CommuneCode] {
        if !columns.iter().any(|(f, _)| *f == required) {
            return Err(ImportError::MissingColumn {
                column: required.key(),
            });
        }
    }
    Ok(ColumnMap { columns, ignored })
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
    /// file (ids "line:N"). Shown to a person, never merged.
    pub suspects: Vec<Suspect>,
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
}

impl Prepared {
    /// The validated rows, ready for `Store::import_facilities`.
    pub fn valid_data(&self) -> Vec<FacilityData> {
        self.valid.iter().map(|r| r.data.clone()).collect()
    }

    /// Every row error, in file order.
    pub fn errors(&self) -> impl Iterator<Item = &RowError> {
        self.invalid.iter().flat_map(|(_, _, e)| e)
    }

    /// Valid rows that have at least one duplicate suspect.
    pub fn rows_with_suspects(&self) -> impl Iterator<Item = &PreparedRow> {
        self.valid.iter().filter(|r| !r.suspects.is_empty())
    }
}

/// The synthetic duplicate-index id of a row of the file being imported.
pub fn line_id(line: usize) -> String {
    format!("line:{line}")
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
    for (line, cells) in &table.rows {
        let line = *line;
        if map
            .fields()
            .all(|(_, i)| cells.get(i).is_none_or(|c| c.trim().is_empty()))
        {
            out.skipped.push(line);
            continue;
        }
        let input = map.input(cells);
        match validate(&input, &ctx) {
            Ok((data, issues)) => {
                let key = DupKey {
                    id: line_id(line),
                    name: data.name.clone(),
                    commune_code: data.commune_code.clone(),
                    tax_code: data.tax_code.clone(),
                    phone: data.phone.clone(),
                };
                let suspects = index.check_and_insert(key);
                out.valid.push(PreparedRow {
                    line,
                    data,
                    warnings: issues.0,
                    suspects,
                });
            }
            Err(issues) => {
                let errors = issues
                    .errors()
                    .map(|i| RowError {
                        line,
                        field: i.field,
                        problem: i.problem.clone(),
                        value: FacilityField::from_key(i.field)
                            .map(|f| map.cell(cells, f).to_string())
                            .unwrap_or_default(),
                    })
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
    let stem = input
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    input.with_file_name(format!("{stem}.loi.csv"))
}

/// Writes the rejected rows as a CSV Excel opens directly (UTF-8 with BOM, commas, CRLF): the
/// original headers and cells, plus a "Lỗi" column saying what is wrong, in Vietnamese.
/// After fixing, the file can be imported again (the "Lỗi" column is ignored).
pub fn write_rejects(path: &Path, table: &Table, prepared: &Prepared) -> Result<(), ImportError> {
    let bytes = rejects_csv(table, prepared).map_err(|source| ImportError::Write {
        path: path.to_path_buf(),
        source,
    })?;
    crate::shared::user_file::write(path, &bytes).map_err(|source| ImportError::Write {
        path: path.to_path_buf(),
        source,
    })
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
