//! The status line at the top: the session's title, a warning when a side is silent or audio
//! was lost, PAUSED, silence cues off, and the audio clock.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::cue::clock;
use crate::ui::theme::Theme;

/// The top line.
#[derive(Debug, Clone, Copy)]
pub struct StatusLine<'a> {
    /// The session's title.
    pub title: &'a str,
    /// What makes the figures doubtful so far, if anything.
    pub warning: Option<&'a str>,
    /// Audio time, seconds.
    pub now_s: f64,
    /// Analysis paused.
    pub paused: bool,
    /// Silence cues switched off with `n`.
    pub silence_cues_muted: bool,
    /// Styles.
    pub theme: &'a Theme,
}

impl Widget for StatusLine<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        buf.set_style(area, t.header);
        let left = Line::from(vec![
            Span::styled(
                " tacet",
                t.header.add_modifier(ratatui::style::Modifier::BOLD),
            ),
            Span::styled("  ", t.header),
            Span::styled(self.title, t.header),
        ]);
        let mut right = Vec::new();
        if let Some(w) = self.warning {
            right.push(Span::styled(w, t.header.patch(t.warn)));
            right.push(Span::styled("  ", t.header));
        }
        if self.silence_cues_muted {
            right.push(Span::styled("silence cues off", t.header));
            right.push(Span::styled("  ", t.header));
        }
        if self.paused {
            right.push(Span::styled(" PAUSED ", t.badge));
            right.push(Span::styled("  ", t.header));
        }
        right.push(Span::styled(format!("{} ", clock(self.now_s)), t.header));
        let right = Line::from(right);
        let rw = u16::try_from(right.width())
            .unwrap_or(u16::MAX)
            .min(area.width);
        let left_area = Rect {
            width: area.width.saturating_sub(rw + 1),
            ..area
        };
        left.render(left_area, buf);
        right.render(
            Rect {
                x: area.right() - rw,
                width: rw,
                ..area
            },
            buf,
        );
    }
}
