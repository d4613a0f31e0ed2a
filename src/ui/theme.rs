//! The dashboard's styles in one place: a calm colour theme and a plain one for `NO_COLOR`
//! (<https://no-color.org>), where emphasis comes from bold, dim and reversed text only.

use ratatui::style::{Color, Modifier, Style};

/// Every style the dashboard uses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Theme {
    /// Ordinary text.
    pub text: Style,
    /// Secondary text: labels, hints, units.
    pub dim: Style,
    /// The title bar.
    pub header: Style,
    /// The rep's colour (meters, "speaking" label).
    pub rep: Style,
    /// The prospect's colour.
    pub prospect: Style,
    /// The big "hold the silence" digits.
    pub hold_digits: Style,
    /// The wording of a cue.
    pub cue: Style,
    /// A pause held (good outcome).
    pub good: Style,
    /// Something to notice: silence broken, interruption, talk share above the warning line,
    /// no signal, dropped audio.
    pub warn: Style,
    /// The filled part of a bar.
    pub bar_filled: Style,
    /// The empty part of a bar.
    pub bar_empty: Style,
    /// Target markers on a bar.
    pub marker: Style,
    /// The "PAUSED" badge.
    pub badge: Style,
    /// Keys named in the footer and help.
    pub key: Style,
    /// The help overlay's frame.
    pub overlay: Style,
}

/// The colour theme.
pub const THEME: Theme = Theme {
    text: Style::new().fg(Color::Gray),
    dim: Style::new().fg(Color::DarkGray),
    header: Style::new().fg(Color::White).bg(Color::Rgb(40, 44, 52)),
    rep: Style::new().fg(Color::Cyan),
    prospect: Style::new().fg(Color::LightMagenta),
    hold_digits: Style::new().fg(Color::LightGreen),
    cue: Style::new().fg(Color::White).add_modifier(Modifier::BOLD),
    good: Style::new().fg(Color::LightGreen),
    warn: Style::new().fg(Color::Yellow),
    bar_filled: Style::new().fg(Color::Cyan),
    bar_empty: Style::new().fg(Color::DarkGray),
    marker: Style::new().fg(Color::White).add_modifier(Modifier::BOLD),
    badge: Style::new()
        .fg(Color::Black)
        .bg(Color::Yellow)
        .add_modifier(Modifier::BOLD),
    key: Style::new().fg(Color::White).add_modifier(Modifier::BOLD),
    overlay: Style::new().fg(Color::Gray),
};

/// The theme without colours (`NO_COLOR`).
pub const PLAIN: Theme = Theme {
    text: Style::new(),
    dim: Style::new().add_modifier(Modifier::DIM),
    header: Style::new().add_modifier(Modifier::REVERSED),
    rep: Style::new(),
    prospect: Style::new(),
    hold_digits: Style::new().add_modifier(Modifier::BOLD),
    cue: Style::new().add_modifier(Modifier::BOLD),
    good: Style::new().add_modifier(Modifier::BOLD),
    warn: Style::new().add_modifier(Modifier::BOLD),
    bar_filled: Style::new(),
    bar_empty: Style::new().add_modifier(Modifier::DIM),
    marker: Style::new().add_modifier(Modifier::BOLD),
    badge: Style::new().add_modifier(Modifier::REVERSED.union(Modifier::BOLD)),
    key: Style::new().add_modifier(Modifier::BOLD),
    overlay: Style::new(),
};

impl Theme {
    /// [`PLAIN`] when `NO_COLOR` is set to a non-empty value, else [`THEME`].
    pub fn from_env() -> &'static Theme {
        Theme::for_no_color(std::env::var_os("NO_COLOR").as_deref())
    }

    /// The theme for a given value of `NO_COLOR` (pure, for tests).
    pub fn for_no_color(no_color: Option<&std::ffi::OsStr>) -> &'static Theme {
        match no_color {
            Some(v) if !v.is_empty() => &PLAIN,
            _ => &THEME,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_means_no_colours() {
        let plain = Theme::for_no_color(Some(std::ffi::OsStr::new("1")));
        assert_eq!(plain, &PLAIN);
        assert_eq!(Theme::for_no_color(Some(std::ffi::OsStr::new(""))), &THEME);
        assert_eq!(Theme::for_no_color(None), &THEME);
        for s in [
            plain.text,
            plain.dim,
            plain.header,
            plain.rep,
            plain.prospect,
            plain.hold_digits,
            plain.cue,
            plain.good,
            plain.warn,
            plain.bar_filled,
            plain.bar_empty,
            plain.marker,
            plain.badge,
            plain.key,
            plain.overlay,
        ] {
            assert_eq!((s.fg, s.bg), (None, None), "{s:?}");
        }
    }
}
