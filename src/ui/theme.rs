//! Colours. Only the 16 named ANSI colours (only `TERM` survives SSH, and PuTTY's defaults
//! are 16 colours); no RGB, no indexed colours. The monochrome theme (for `NO_COLOR` or
//! `theme = "mono"`) shows the selection by reverse video alone.

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ThemeName {
    #[default]
    Default,
    Mono,
}

impl ThemeName {
    pub fn parse(s: &str) -> Option<ThemeName> {
        match s.trim().to_ascii_lowercase().as_str() {
            "default" | "color" | "colour" => Some(ThemeName::Default),
            "mono" | "monochrome" | "none" => Some(ThemeName::Mono),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub name: ThemeName,
    pub base: Style,
    pub header: Style,
    pub footer: Style,
    pub footer_key: Style,
    pub title: Style,
    pub border: Style,
    pub selected: Style,
    pub dim: Style,
    pub popup: Style,
    pub popup_border: Style,
    pub input: Style,
    pub info: Style,
    pub error: Style,
    pub button: Style,
    pub button_focused: Style,
    /// Something needs attention soon (the header's overdue count, late follow-ups).
    pub warning: Style,
}

impl Theme {
    /// The theme for a config choice, honouring `NO_COLOR` (any non-empty value).
    pub fn from_config(name: ThemeName) -> Theme {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        if no_color {
            Theme::mono()
        } else {
            Theme::named(name)
        }
    }

    pub fn named(name: ThemeName) -> Theme {
        match name {
            ThemeName::Default => Theme::default_colors(),
            ThemeName::Mono => Theme::mono(),
        }
    }

    pub fn default_colors() -> Theme {
        let plain = Style::default();
        Theme {
            name: ThemeName::Default,
            base: plain,
            header: Style::default().fg(Color::Black).bg(Color::Cyan),
            footer: plain,
            footer_key: Style::default()
                .fg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
            title: Style::default()
                .fg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
            border: Style::default().fg(Color::DarkGray),
            selected: Style::default().fg(Color::Black).bg(Color::Yellow),
            dim: Style::default().fg(Color::DarkGray),
            // Popups keep the terminal's background: any palette stays readable.
            popup: plain,
            popup_border: Style::default().fg(Color::Cyan),
            input: Style::default().add_modifier(Modifier::UNDERLINED),
            info: Style::default().fg(Color::Black).bg(Color::Green),
            error: Style::default()
                .fg(Color::White)
                .bg(Color::Red)
                .add_modifier(Modifier::BOLD),
            button: plain,
            button_focused: Style::default()
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
            // Its own background: readable on the cyan header and on light or dark terminals.
            warning: Style::default()
                .fg(Color::Yellow)
                .bg(Color::Black)
                .add_modifier(Modifier::BOLD),
        }
    }

    pub fn mono() -> Theme {
        let plain = Style::default();
        let rev = Style::default().add_modifier(Modifier::REVERSED);
        let bold = Style::default().add_modifier(Modifier::BOLD);
        Theme {
            name: ThemeName::Mono,
            base: plain,
            header: rev,
            footer: plain,
            footer_key: bold,
            title: bold,
            border: plain,
            selected: rev,
            dim: plain,
            popup: plain,
            popup_border: bold,
            input: Style::default().add_modifier(Modifier::UNDERLINED),
            info: rev,
            error: rev.add_modifier(Modifier::BOLD),
            button: plain,
            button_focused: rev,
            warning: bold,
        }
    }

    #[cfg(test)]
    fn styles(&self) -> [Style; 16] {
        [
            self.base,
            self.header,
            self.footer,
            self.footer_key,
            self.title,
            self.border,
            self.selected,
            self.dim,
            self.popup,
            self.popup_border,
            self.input,
            self.info,
            self.error,
            self.button,
            self.button_focused,
            self.warning,
        ]
    }
}

impl Default for Theme {
    fn default() -> Self {
        Theme::default_colors()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named_16(c: Option<Color>) -> bool {
        use Color::*;
        matches!(
            c,
            None | Some(
                Reset
                    | Black
                    | Red
                    | Green
                    | Yellow
                    | Blue
                    | Magenta
                    | Cyan
                    | Gray
                    | DarkGray
                    | LightRed
                    | LightGreen
                    | LightYellow
                    | LightBlue
                    | LightMagenta
                    | LightCyan
                    | White
            )
        )
    }

    #[test]
    fn only_named_colours() {
        for t in [Theme::default_colors(), Theme::mono()] {
            for s in t.styles() {
                assert!(named_16(s.fg) && named_16(s.bg), "{s:?}");
            }
        }
    }

    #[test]
    fn mono_has_no_colour_and_reverses_the_selection() {
        let t = Theme::mono();
        for s in t.styles() {
            assert!(s.fg.is_none() && s.bg.is_none(), "{s:?}");
        }
        assert!(t.selected.add_modifier.contains(Modifier::REVERSED));
    }
}
