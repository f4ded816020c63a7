//! Output formats shared by the subcommands: an aligned table for people, CSV that Excel opens
//! correctly (UTF-8 with BOM), TSV and JSON for scripts.

use std::io::{self, Write};

use unicode_width::UnicodeWidthStr;

use crate::text::sanitize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Csv,
    Tsv,
    Json,
}

impl Format {
    /// How a date is written: Excel users read dd/mm/yyyy (CSV); scripts get ISO dates.
    pub fn date_text(self) -> fn(chrono::NaiveDate) -> String {
        if self == Format::Csv {
            crate::domain::consultation::dmy
        } else {
            crate::domain::consultation::iso
        }
    }
}

/// A listing for people or spreadsheets in `format`: Excel CSV, TSV, else an aligned table
/// (cells cut at 60 columns). JSON is each command's own.
pub fn listing(
    out: &mut impl Write,
    format: Format,
    headers: &[&str],
    rows: &[Vec<String>],
) -> io::Result<()> {
    match format {
        Format::Csv | Format::Tsv => delimited(out, format, headers, rows),
        _ => table(out, headers, rows, 60),
    }
}

/// A `show` command's two columns: field, value.
pub fn fields(out: &mut impl Write, l: crate::words::Lang, rows: &[Vec<String>]) -> io::Result<()> {
    use crate::words::tr;
    table(out, &[tr(l, "col.field"), tr(l, "col.value")], rows, 200)
}

/// Standard output, buffered and locked.
pub type Stdout = io::BufWriter<io::StdoutLock<'static>>;
/// How a failed write to standard output is reported.
pub type StdoutError = fn(io::Error) -> super::CliError;

/// Standard output, buffered and locked, and how a failed write to it is reported.
pub fn stdout() -> (Stdout, StdoutError) {
    (io::BufWriter::new(io::stdout().lock()), |e| {
        super::CliError::Io("stdout".into(), e)
    })
}

/// A list command's output in `format`: what `json` gives as JSON, the `sheet` rows under
/// `headers` as CSV or TSV (`sheet` is told how to write dates), or what `table` writes for
/// people. JSON and the table are built only when asked for (they may read the store).
pub fn print_list<J: serde::Serialize>(
    format: Format,
    json: impl FnOnce() -> Result<J, super::CliError>,
    headers: &[&str],
    sheet: impl FnOnce(fn(chrono::NaiveDate) -> String) -> Vec<Vec<String>>,
    table: impl FnOnce(&mut Stdout, StdoutError) -> Result<(), super::CliError>,
) -> Result<(), super::CliError> {
    let (mut out, io) = stdout();
    match format {
        Format::Json => self::json(&mut out, &json()?).map_err(io)?,
        Format::Csv | Format::Tsv => {
            let rows = sheet(format.date_text());
            delimited(&mut out, format, headers, &rows).map_err(io)?
        }
        Format::Table => table(&mut out, io)?,
    }
    out.flush().map_err(io)
}

/// Cuts `s` to at most `max` terminal columns, marking the cut with "…".
pub fn truncate(s: &str, max: usize) -> String {
    if s.width() <= max {
        return s.to_string();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if w + cw + 1 > max {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    out
}

/// An aligned table; every cell is sanitised (no control characters reach the terminal) and
/// cut to `max_col` columns.
pub fn table(
    out: &mut impl Write,
    headers: &[&str],
    rows: &[Vec<String>],
    max_col: usize,
) -> std::io::Result<()> {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| truncate(&sanitize(c), max_col)).collect())
        .collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.width()).collect();
    for r in &cells {
        for (i, c) in r.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(c.width());
            }
        }
    }
    let line = |out: &mut dyn Write, r: &[&str]| -> std::io::Result<()> {
        let mut s = String::new();
        for (i, c) in r.iter().enumerate() {
            if i > 0 {
                s.push_str("  ");
            }
            s.push_str(c);
            if i + 1 < r.len() {
                s.push_str(&" ".repeat(widths[i].saturating_sub(c.width())));
            }
        }
        writeln!(out, "{}", s.trim_end())
    };
    line(out, headers)?;
    let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
    line(out, &rule.iter().map(String::as_str).collect::<Vec<_>>())?;
    for r in &cells {
        line(out, &r.iter().map(String::as_str).collect::<Vec<_>>())?;
    }
    Ok(())
}

/// CSV for Excel (`Format::Csv`) or TSV (anything else), the two delimited formats of a list.
pub fn delimited(
    out: &mut impl Write,
    format: Format,
    headers: &[&str],
    rows: &[Vec<String>],
) -> io::Result<()> {
    if format == Format::Csv {
        csv_for_excel(out, headers, rows)
    } else {
        tsv(out, headers, rows)
    }
}

/// `label  value` rows aligned on the widest label, empty values left out; a value's further
/// lines are indented under it. Every line is sanitised.
pub fn labelled_rows(out: &mut impl Write, rows: &[(String, String)]) -> io::Result<()> {
    let width = rows.iter().map(|(k, _)| k.width()).max().unwrap_or(0);
    for (k, v) in rows.iter().filter(|(_, v)| !v.is_empty()) {
        for (i, line) in v.split('\n').enumerate() {
            let key = if i == 0 { k.as_str() } else { "" };
            let pad = width - key.width();
            writeln!(
                out,
                "{}{}  {}",
                sanitize(key),
                " ".repeat(pad),
                sanitize(line)
            )?;
        }
    }
    Ok(())
}

/// Pretty JSON and a final newline.
pub fn json(out: &mut impl Write, value: &impl serde::Serialize) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value).map_err(io::Error::from)?;
    writeln!(out)
}

/// CSV for Excel: UTF-8 with a BOM, comma separated, CRLF line ends.
pub fn csv_for_excel(
    out: &mut impl Write,
    headers: &[&str],
    rows: &[Vec<String>],
) -> std::io::Result<()> {
    out.write_all("\u{feff}".as_bytes())?;
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    w.write_record(headers).map_err(std::io::Error::other)?;
    for r in rows {
        w.write_record(r).map_err(std::io::Error::other)?;
    }
    w.flush()
}

/// Tab-separated, no quoting: tabs and newlines inside values become spaces.
pub fn tsv(out: &mut impl Write, headers: &[&str], rows: &[Vec<String>]) -> std::io::Result<()> {
    writeln!(out, "{}", headers.join("\t"))?;
    for r in rows {
        let cells: Vec<String> = r
            .iter()
            .map(|c| sanitize(&c.replace(['\t', '\n', '\r'], " ")))
            .collect();
        writeln!(out, "{}", cells.join("\t"))?;
    }
    Ok(())
}

/// Writes a finished output to the file the user named, or to the screen. Returns whether it
/// went to a file (the caller then says so).
pub fn deliver(out: Option<&std::path::Path>, buf: &[u8]) -> Result<bool, super::CliError> {
    let err = |what: String| move |e| super::CliError::Io(what, e);
    match out {
        Some(path) => {
            crate::shared::user_file::write(path, buf).map_err(err(path.display().to_string()))?;
            Ok(true)
        }
        None => {
            let mut o = io::stdout().lock();
            o.write_all(buf).map_err(err("stdout".into()))?;
            o.flush().map_err(err("stdout".into()))?;
            Ok(false)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_never_emits_escape_sequences() {
        let mut out = Vec::new();
        table(
            &mut out,
            &["a"],
            &[vec!["x\u{1b}[2Jy\u{1b}]52;c;aGk=\u{7}".into()]],
            60,
        )
        .unwrap();
        let s = String::from_utf8(out).unwrap();
        assert!(!s.contains('\u{1b}') && !s.contains('\u{7}'), "{s:?}");
    }

    #[test]
    fn csv_has_bom_and_crlf() {
        let mut out = Vec::new();
        csv_for_excel(&mut out, &["tên"], &[vec!["Làng nghề, gốm".into()]]).unwrap();
        assert!(out.starts_with("\u{feff}".as_bytes()));
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\u{feff}tên\r\n\"Làng nghề, gốm\"\r\n"
        );
    }
}
