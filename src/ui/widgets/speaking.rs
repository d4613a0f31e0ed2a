//! Who is speaking now (rep, prospect, both, silence) and for how long.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::ui::state::Speaking;
use crate::ui::theme::Theme;

/// One line: "Now   Rep speaking   4.2 s".
#[derive(Debug, Clone, Copy)]
pub struct SpeakingLine<'a> {
    /// Who speaks.
    pub speaking: Speaking,
    /// Styles.
    pub theme: &'a Theme,
}

impl Widget for SpeakingLine<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        let (who, style, for_s) = match self.speaking {
            Speaking::Paused => ("analysis paused", t.dim, None),
            Speaking::Waiting => ("waiting for speech", t.dim, None),
            Speaking::Rep { for_s } => ("Rep speaking", t.rep, Some(for_s)),
            Speaking::Prospect { for_s } => ("Prospect speaking", t.prospect, Some(for_s)),
            Speaking::Both { for_s } => ("Both speaking", t.warn, Some(for_s)),
            Speaking::Silence { for_s } => ("Silence", t.text, Some(for_s)),
        };
        let mut spans = vec![
            Span::styled("Now", t.dim),
            Span::raw("        "),
            Span::styled(who, style),
        ];
        if let Some(s) = for_s {
            spans.push(Span::styled(format!("   {s:.1} s"), t.text));
        }
        Line::from(spans).render(area, buf);
    }
}
