//! The human workbook inside a bundle (`bundle.xlsx`): facilities, consultations and
//! proposals with Vietnamese headers, money as VND numbers, dates as real dates shown
//! dd/mm/yyyy — for a province clerk who opens the bundle without CTV.
//!
//! Sheets are written in constant-memory mode (rows streamed to a temporary file), so a
//! province-wide bundle does not hold every cell in memory.

use std::collections::HashMap;

use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, Workbook, Worksheet, XlsxError};

use std::io::{Read, Seek};

use super::{container, BundleError, WORKBOOK};
use crate::domain::proposal::ProposalStatus;
use crate::record::{ConsultationRecord, FacilityRecord, ProposalRecord};
use crate::words::format::{known_commune_label, CommuneForm};
use crate::words::Lang;

/// The number format of VND amounts (as in the plan workbook).
const VND: &str = "#,##0 \"đ\"";
const DATE: &str = "dd/mm/yyyy";

pub(crate) struct Formats {
    pub(crate) head: Format,
    pub(crate) money: Format,
    pub(crate) date: Format,
}

/// The formats of CTV's workbooks: a bold, wrapped, shaded header; VND; dd/mm/yyyy.
pub(crate) fn formats() -> Formats {
    Formats {
        head: Format::new()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::Center)
            .set_background_color("#DDEBF7"),
        money: Format::new().set_num_format(VND),
        date: Format::new().set_num_format(DATE),
    }
}

/// An ISO date (yyyy-mm-dd, or the date part of an RFC 3339 time) as an Excel date.
fn excel_date(s: &str) -> Option<ExcelDateTime> {
    let d = chrono::NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()?;
    use chrono::Datelike;
    ExcelDateTime::from_ymd(
        u16::try_from(d.year()).ok()?,
        d.month() as u8,
        d.day() as u8,
    )
    .ok()
}

pub(crate) fn header(
    ws: &mut Worksheet,
    f: &Formats,
    cols: &[(&str, f64)],
) -> Result<(), XlsxError> {
    for (c, (h, w)) in cols.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
        ws.write_string_with_format(0, c as u16, *h, &f.head)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

pub(crate) fn text(ws: &mut Worksheet, r: u32, c: u16, s: &str) -> Result<(), XlsxError> {
    if !s.is_empty() {
        ws.write_string(r, c, s)?;
    }
    Ok(())
}

pub(crate) fn date(
    ws: &mut Worksheet,
    f: &Formats,
    r: u32,
    c: u16,
    s: &str,
) -> Result<(), XlsxError> {
    match excel_date(s) {
        Some(d) => {
            ws.write_datetime_with_format(r, c, &d, &f.date)?;
        }
        None => text(ws, r, c, s)?,
    }
    Ok(())
}

fn yes(b: bool) -> &'static str {
    if b {
        "có"
    } else {
        ""
    }
}

/// The sheets of the workbook, in order.
const FACILITY_SHEET: usize = 0;
const CONSULTATION_SHEET: usize = 1;
const PROPOSAL_SHEET: usize = 2;

/// The workbook being written, a row at a time: facilities, then consultations, then
/// proposals (each sheet's rows in order; constant-memory sheets flush as they go).
pub(crate) struct Book<'n> {
    wb: Workbook,
    f: Formats,
    /// The next row of each sheet.
    next: [u32; 3],
    /// Facility id → name (for consultations and proposals whose facility is not in this
    /// bundle).
    names: &'n HashMap<String, String>,
}

fn xlsx(e: XlsxError) -> BundleError {
    BundleError::Workbook(e.to_string())
}

impl<'n> Book<'n> {
    pub(crate) fn new(names: &'n HashMap<String, String>) -> Result<Book<'n>, BundleError> {
        Self::start(names).map_err(xlsx)
    }

    fn start(names: &'n HashMap<String, String>) -> Result<Book<'n>, XlsxError> {
        let f = formats();
        let mut wb = Workbook::new();
        // The fastest deflate level: a little size for a lot of time on a province's workbook.
        wb.set_zip_compression_level(1);
        for (name, cols) in [
            ("Cơ sở", FACILITY_COLUMNS),
            ("Lần làm việc", CONSULTATION_COLUMNS),
            ("Đề xuất hỗ trợ", PROPOSAL_COLUMNS),
        ] {
            let ws = wb.add_worksheet_with_constant_memory()?;
            ws.set_name(name)?;
            header(ws, &f, cols)?;
        }
        Ok(Book {
            wb,
            f,
            next: [1; 3],
            names,
        })
    }

    fn name_of(&self, id: &str) -> &'n str {
        self.names.get(id).map(String::as_str).unwrap_or("")
    }

    pub(crate) fn facility(&mut self, x: &FacilityRecord) -> Result<(), BundleError> {
        self.facility_row(x).map_err(xlsx)
    }

    fn facility_row(&mut self, x: &FacilityRecord) -> Result<(), XlsxError> {
        let r = self.next[FACILITY_SHEET];
        self.next[FACILITY_SHEET] += 1;
        let f = &self.f;
        let ws = self.wb.worksheet_from_index(FACILITY_SHEET)?;
        text(ws, r, 0, &x.id)?;
        text(ws, r, 1, &x.name)?;
        text(ws, r, 2, x.entity_type.as_deref().unwrap_or(""))?;
        text(ws, r, 3, x.tax_code.as_deref().unwrap_or(""))?;
        text(ws, r, 4, &x.representative)?;
        text(ws, r, 5, x.phone.as_deref().unwrap_or(""))?;
        text(ws, r, 6, &x.address)?;
        text(ws, r, 7, &x.commune_code)?;
        text(
            ws,
            r,
            8,
            &known_commune_label(&x.commune_code, CommuneForm::FullName).unwrap_or_default(),
        )?;
        text(ws, r, 9, x.trade_group.as_deref().unwrap_or(""))?;
        text(ws, r, 10, &x.products)?;
        if let Some(w) = x.workers {
            ws.write_number(r, 11, w as f64)?;
        }
        if let Some(y) = x.founded_year {
            ws.write_number(r, 12, f64::from(y))?;
        }
        text(ws, r, 13, &x.craft_village)?;
        if let Some(s) = x.ocop_stars {
            ws.write_number(r, 14, f64::from(s))?;
        }
        text(ws, r, 15, &x.status)?;
        text(ws, r, 16, yes(x.archived))?;
        date(ws, f, r, 17, &x.updated_at)?;
        Ok(())
    }

    pub(crate) fn consultation(&mut self, x: &ConsultationRecord) -> Result<(), BundleError> {
        self.consultation_row(x).map_err(xlsx)
    }

    fn consultation_row(&mut self, x: &ConsultationRecord) -> Result<(), XlsxError> {
        let r = self.next[CONSULTATION_SHEET];
        self.next[CONSULTATION_SHEET] += 1;
        let name = self.name_of(&x.facility_id);
        let f = &self.f;
        let ws = self.wb.worksheet_from_index(CONSULTATION_SHEET)?;
        text(ws, r, 0, &x.id)?;
        text(ws, r, 1, &x.facility_id)?;
        text(ws, r, 2, name)?;
        date(ws, f, r, 3, &x.cur_date)?;
        text(ws, r, 4, &x.cur_mode)?;
        text(ws, r, 5, &x.cur_topics.join(", "))?;
        text(ws, r, 6, &x.difficulties)?;
        text(ws, r, 7, &x.needs)?;
        text(ws, r, 8, &x.advice)?;
        text(ws, r, 9, &x.next_step)?;
        if let Some(d) = x.follow_up.as_ref().map(|u| u.due_date.as_str()) {
            date(ws, f, r, 10, d)?;
        }
        Ok(())
    }

    pub(crate) fn proposal(&mut self, x: &ProposalRecord) -> Result<(), BundleError> {
        self.proposal_row(x).map_err(xlsx)
    }

    fn proposal_row(&mut self, x: &ProposalRecord) -> Result<(), XlsxError> {
        let r = self.next[PROPOSAL_SHEET];
        self.next[PROPOSAL_SHEET] += 1;
        let fid = x.facility_id.as_deref().unwrap_or("");
        let name = self.name_of(fid);
        let f = &self.f;
        let ws = self.wb.worksheet_from_index(PROPOSAL_SHEET)?;
        text(ws, r, 0, &x.id)?;
        text(ws, r, 1, fid)?;
        text(ws, r, 2, name)?;
        ws.write_number(r, 3, f64::from(x.plan_year))?;
        text(ws, r, 4, &x.category)?;
        text(ws, r, 5, &x.funding)?;
        text(ws, r, 6, &x.title)?;
        // VND amounts stay far below 2^53, so f64 holds them exactly.
        for (c, v) in [x.total_cost, x.support, x.counterpart, x.other_sources]
            .into_iter()
            .enumerate()
        {
            ws.write_number_with_format(r, 7 + c as u16, v as f64, &f.money)?;
        }
        let status = ProposalStatus::parse(&x.status)
            .map(|s| crate::words::format::proposal_status_label(Lang::Vi, s))
            .unwrap_or_else(|| x.status.clone());
        text(ws, r, 11, &status)?;
        text(ws, r, 12, x.decision_no.as_deref().unwrap_or(""))?;
        Ok(())
    }

    /// The finished workbook, packed as the bundle's entry (it waits in a temporary file).
    pub(crate) fn finish(mut self) -> Result<container::PackedEntry, BundleError> {
        let temp = |e: std::io::Error| BundleError::Io {
            path: std::env::temp_dir(),
            source: e,
        };
        let mut file = tempfile::tempfile().map_err(temp)?;
        self.wb
            .save_to_writer(std::io::BufWriter::with_capacity(1 << 20, &mut file))
            .map_err(xlsx)?;
        file.rewind().map_err(temp)?;
        let mut packer = container::Packer::spilled(WORKBOOK)?;
        let mut buf = vec![0; 1 << 20];
        loop {
            let n = file.read(&mut buf).map_err(temp)?;
            if n == 0 {
                break;
            }
            packer.write(&buf[..n])?;
        }
        packer.finish()
    }
}

const FACILITY_COLUMNS: &[(&str, f64)] = &[
    ("Mã định danh", 38.0),
    ("Tên cơ sở", 36.0),
    ("Loại hình", 12.0),
    ("Mã số thuế", 14.0),
    ("Người đại diện", 24.0),
    ("Điện thoại", 14.0),
    ("Địa chỉ", 30.0),
    ("Mã xã/phường", 10.0),
    ("Xã/phường", 24.0),
    ("Nhóm ngành", 10.0),
    ("Sản phẩm", 30.0),
    ("Số lao động", 10.0),
    ("Năm thành lập", 10.0),
    ("Làng nghề", 20.0),
    ("OCOP (sao)", 8.0),
    ("Trạng thái", 10.0),
    ("Đã lưu trữ", 8.0),
    ("Cập nhật", 12.0),
];

const CONSULTATION_COLUMNS: &[(&str, f64)] = &[
    ("Mã định danh", 38.0),
    ("Mã cơ sở", 38.0),
    ("Tên cơ sở", 30.0),
    ("Ngày", 12.0),
    ("Hình thức", 10.0),
    ("Nội dung", 16.0),
    ("Khó khăn", 36.0),
    ("Nhu cầu", 36.0),
    ("Tư vấn", 36.0),
    ("Bước tiếp theo", 30.0),
    ("Hẹn theo dõi", 12.0),
];

const PROPOSAL_COLUMNS: &[(&str, f64)] = &[
    ("Mã định danh", 38.0),
    ("Mã cơ sở", 38.0),
    ("Tên cơ sở", 30.0),
    ("Năm kế hoạch", 8.0),
    ("Nội dung hỗ trợ", 10.0),
    ("Nguồn kinh phí", 10.0),
    ("Tên đề án", 44.0),
    ("Tổng kinh phí", 18.0),
    ("Kinh phí khuyến công", 18.0),
    ("Đối ứng", 18.0),
    ("Nguồn khác", 18.0),
    ("Trạng thái", 18.0),
    ("Số quyết định", 16.0),
];
