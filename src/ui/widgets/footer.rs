//! The bottom line: the keys, the marks made, and the dropped-audio counter.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::ui::theme::Theme;

/// The bottom line.
#[derive(Debug, Clone, Copy)]
pub struct Footer<'a> {
    /// Marks made.
    pub marks: usize,
    /// A mark was just made.
    pub marked: bool,
    /// Audio lost so far, seconds.
    pub dropped_s: f64,
    /// Styles.
    pub theme: &'a Theme,
}

impl Widget for Footer<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        let mut keys = Vec::new();
        for (key, what) in [
            ("q", "quit"),
            ("space", "mark"),
            ("p", "pause"),
            ("n", "cues"),
            ("?", "help"),
        ] {
            keys.push(Span::styled(key, t.key));
            keys.push(Span::styled(format!(" {what}  "), t.dim));
        }
        let marks = if self.marked {
            Span::styled(format!("marked ({})", self.marks), t.good)
        } else {
            Span::styled(format!("marks {}", self.marks), t.dim)
        };
        let dropped_style = if self.dropped_s > 0.0 { t.warn } else { t.dim };
        let right = Line::from(vec![
            marks,
            Span::styled("  ", t.dim),
            Span::styled(format!("dropped {:.1} s", self.dropped_s), dropped_style),
        ]);
        let rw = u16::try_from(right.width())
            .unwrap_or(u16::MAX)
            .min(area.width);
        Line::from(keys).render(
            Rect {
                width: area.width.saturating_sub(rw + 1),
                ..area
            },
            buf,
        );
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
