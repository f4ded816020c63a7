//! The header (who is working, on which database), the footer (keys that work here) and the
//! toast line.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

use super::{clean, fit, fit_left, width};
use crate::ui::theme::Theme;
use crate::words::{tr, Lang};

/// " CTV │ who …        db-path ": the path is shortened from the left (its end names the
/// file), the person's line from the right.
pub fn render_header(buf: &mut Buffer, area: Rect, who: &str, db_label: &str, theme: &Theme) {
    render_header_with_alert(buf, area, who, db_label, None, theme);
}

/// [`render_header`] with an alert badge ("⚠ 3 quá hạn") before the path, in the warning
/// style. The badge is never cut: the person's line and the path give way first.
pub fn render_header_with_alert(
    buf: &mut Buffer,
    area: Rect,
    who: &str,
    db_label: &str,
    alert: Option<&str>,
    theme: &Theme,
) {
    if area.width == 0 || area.height == 0 {
        return;
    }
    let line = Rect { height: 1, ..area };
    buf.set_style(line, theme.header);
    let total = line.width as usize;
    let brand = " CTV │ ";
    let who = clean(who);
    let db = clean(db_label);
    let badge = alert.map(|a| format!(" {} ", clean(a))).unwrap_or_default();
    let badge_w = width(&badge);
    let badge_room = if badge_w == 0 { 0 } else { badge_w + 1 };
    let room = total.saturating_sub(width(brand) + 1 + badge_room);
    // The person comes first; the path keeps at least 20 cells (its end names the file).
    let db_max = room.saturating_sub(width(&who) + 3).max(20.min(room / 2));
    let db = fit_left(&db, db_max.min(room));
    let who_max = room.saturating_sub(width(&db) + if db.is_empty() { 0 } else { 3 });
    let who = fit(&who, who_max);
    buf.set_stringn(line.x, line.y, format!("{brand}{who}"), total, theme.header);
    let db_w = width(&db) as u16;
    if db_w > 0 && db_w + 1 < line.width {
        buf.set_stringn(
            line.x + line.width - db_w - 1,
            line.y,
            &db,
            db_w as usize,
            theme.header,
        );
    }
    let used = db_w as usize + usize::from(db_w > 0) + 1;
    if badge_w > 0 && used + badge_w + width(brand) <= total {
        let x = line.x + (total - used - badge_w) as u16;
        buf.set_stringn(x, line.y, &badge, badge_w, theme.warning);
    }
}

/// The hints a footer never drops: help, quit and back (a person must always find the way out).
const ESSENTIAL_HINTS: [&str; 3] = ["ui.action.help", "ui.action.quit", "ui.action.back"];

/// Footer hints "F1 Trợ giúp  : Lệnh  …", as many whole hints as fit. When not all fit, the
/// last ones (the least important) give way first, never help, quit or back.
pub fn render_footer(
    buf: &mut Buffer,
    area: Rect,
    hints: &[(String, &'static str)],
    theme: &Theme,
    lang: Lang,
) {
    if area.width == 0 || area.height == 0 {
        return;
    }
    let line = Rect { height: 1, ..area };
    buf.set_style(line, theme.footer);
    let max = line.width as usize;
    let cost =
        |(keys, label): &(String, &'static str)| 2 + width(keys) + 1 + width(tr(lang, label));
    let essential = |label: &str| ESSENTIAL_HINTS.contains(&label);
    // The first hint is preceded by one space, not two.
    let mut used = 1 + hints
        .iter()
        .filter(|h| essential(h.1))
        .map(cost)
        .sum::<usize>()
        .saturating_sub(1);
    let mut shown: Vec<bool> = hints.iter().map(|h| essential(h.1)).collect();
    for (i, h) in hints.iter().enumerate() {
        if !shown[i] && used + cost(h) <= max {
            used += cost(h);
            shown[i] = true;
        } else if !shown[i] {
            // Keep the order's priority: a later, shorter hint does not pass an earlier one.
            break;
        }
    }
    let mut x = 0usize;
    for (h, _) in hints.iter().zip(&shown).filter(|(_, s)| **s) {
        let (keys, label) = h;
        let label = tr(lang, label);
        let sep = if x == 0 { 1 } else { 2 };
        if x + sep + width(keys) + 1 + width(label) > max {
            break;
        }
        x += sep;
        buf.set_stringn(line.x + x as u16, line.y, keys, max - x, theme.footer_key);
        x += width(keys) + 1;
        buf.set_stringn(line.x + x as u16, line.y, label, max - x, theme.footer);
        x += width(label);
    }
}

/// A message over the bottom of `area`, word-wrapped to at most 3 lines (a long config
/// warning must be readable, not cut).
pub fn render_toast(buf: &mut Buffer, area: Rect, text: &str, style: Style) {
    if area.width < 3 || area.height == 0 {
        return;
    }
    let inner_w = area.width as usize - 2;
    let mut lines = wrap(&clean(text), inner_w);
    let max_lines = (area.height as usize).min(3);
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            *last = fit(&format!("{last} …"), inner_w);
        }
    }
    let top = area.y + area.height - lines.len() as u16;
    for (i, l) in lines.iter().enumerate() {
        let y = top + i as u16;
        // Blank the whole line first: the message sits over the last rows of the screen.
        let blank = " ".repeat(area.width as usize);
        buf.set_stringn(area.x, y, blank, area.width as usize, style);
        buf.set_stringn(area.x + 1, y, l, inner_w, style);
    }
}

/// Greedy word wrap by display width; words longer than a line are cut.
pub fn wrap(text: &str, max: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    for word in text.split_whitespace() {
        let sep = usize::from(!cur.is_empty());
        if width(&cur) + sep + width(word) <= max {
            if sep == 1 {
                cur.push(' ');
            }
            cur.push_str(word);
        } else {
            if !cur.is_empty() {
                lines.push(std::mem::take(&mut cur));
            }
            cur = fit(word, max);
        }
    }
    if !cur.is_empty() || lines.is_empty() {
        lines.push(cur);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(buf: &Buffer, y: u16) -> String {
        (0..buf.area.width)
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect()
    }

    #[test]
    fn header_fits_80_columns() {
        let area = Rect::new(0, 0, 80, 1);
        let mut buf = Buffer::empty(area);
        let who = "Nguyễn Thị Hoa · Cộng tác viên · Xã Tân Phú, tỉnh Đồng Tháp";
        let db = "/home/hoa/.local/share/ctv/du-lieu-cong-tac-vien-2026.db";
        render_header(&mut buf, area, who, db, &Theme::mono());
        let text = row(&buf, 0);
        assert!(text.contains("Nguyễn Thị Hoa"), "{text}");
        assert!(text.trim_end().ends_with("2026.db"), "{text}");
        assert_eq!(width(&text), 80);
    }

    #[test]
    fn header_alert_is_never_cut() {
        let area = Rect::new(0, 0, 80, 1);
        let mut buf = Buffer::empty(area);
        let who = "Nguyễn Thị Hoa · Cộng tác viên · Xã Tân Phú, tỉnh Đồng Tháp, rất dài";
        let db = "/home/hoa/.local/share/ctv/du-lieu-cong-tac-vien-2026.db";
        render_header_with_alert(&mut buf, area, who, db, Some("⚠ 3 quá hạn"), &Theme::mono());
        let text = row(&buf, 0);
        assert!(text.contains(" ⚠ 3 quá hạn  …"), "{text}");
        assert!(text.trim_end().ends_with("2026.db"), "{text}");
        assert_eq!(width(&text), 80);
    }

    #[test]
    fn toast_wraps() {
        assert_eq!(wrap("một hai ba bốn", 7), vec!["một hai", "ba bốn"]);
        let area = Rect::new(0, 0, 12, 5);
        let mut buf = Buffer::empty(area);
        render_toast(
            &mut buf,
            area,
            "một hai ba bốn năm sáu bảy tám chín mười",
            Style::default(),
        );
        assert_eq!(row(&buf, 2), " một hai ba ");
        assert_eq!(row(&buf, 1), "            ");
        assert!(row(&buf, 4).trim_end().ends_with('…'), "{:?}", row(&buf, 4));
    }

    /// The footer of `hints` (keys, label key) drawn `w` cells wide, in Vietnamese.
    fn footer(w: u16, hints: &[(&str, &'static str)]) -> String {
        let area = Rect::new(0, 0, w, 1);
        let mut buf = Buffer::empty(area);
        let hints: Vec<(String, &'static str)> =
            hints.iter().map(|(k, l)| (k.to_string(), *l)).collect();
        render_footer(&mut buf, area, &hints, &Theme::mono(), Lang::Vi);
        row(&buf, 0)
    }

    #[test]
    fn footer_keeps_whole_hints() {
        let text = footer(24, &[("F1", "ui.action.help"), ("q", "ui.action.quit")]);
        assert!(text.starts_with(" F1 Trợ giúp  q Thoát"), "{text}");
    }

    #[test]
    fn footer_drops_the_last_hints_never_quit_or_back() {
        let text = footer(
            50,
            &[
                ("F1", "ui.action.help"),
                ("Enter", "ui.action.open"),
                ("/", "ui.action.search"),
                ("n", "ui.action.new"),
                ("Esc", "ui.action.back"),
                ("q", "ui.action.quit"),
            ],
        );
        assert!(text.starts_with(" F1 Trợ giúp  Enter Mở"), "{text}");
        assert!(text.trim_end().ends_with("Esc Quay lại  q Thoát"), "{text}");
        assert!(
            !text.contains("Tìm") && !text.contains("Thêm mới"),
            "{text}"
        );
    }
}
