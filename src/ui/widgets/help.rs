//! The help overlay (`?`): the keys, and what each cue means.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Widget, Wrap};

use crate::ui::theme::Theme;

/// The help overlay, centred over the dashboard.
#[derive(Debug, Clone, Copy)]
pub struct HelpOverlay<'a> {
    /// `nudge_after_s`, to say when the hold cue shows.
    pub nudge_after_s: f64,
    /// Styles.
    pub theme: &'a Theme,
}

impl Widget for HelpOverlay<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        let key = |k: &'static str, what: &'static str| {
            Line::from(vec![
                Span::styled(format!("  {k:<12}"), t.key),
                Span::styled(what, t.text),
            ])
        };
        let lines = vec![
            key("q, Ctrl-C", "quit and save the report"),
            key("space", "mark this moment (in the report)"),
            key("p", "pause analysis (privacy), again to resume"),
            key("n", "silence cues off / on"),
            key("?, Esc", "close this help"),
            Line::default(),
            Line::styled(
                format!(
                    "When a pause reaches {:.1} s, the seconds held show in big digits: \
                     wait for them to speak. One cue at a time; each can be switched off \
                     in the config ([cues]).",
                    self.nudge_after_s
                ),
                t.dim,
            ),
        ];
        let width = area.width.saturating_sub(4).min(64);
        let height = area.height.saturating_sub(2).min(13);
        let popup = Rect::new(
            area.x + (area.width - width) / 2,
            area.y + (area.height - height) / 2,
            width,
            height,
        );
        Clear.render(popup, buf);
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(
                Block::bordered()
                    .border_type(BorderType::Rounded)
                    .border_style(t.overlay)
                    .title(Span::styled(" Help ", t.key))
                    .padding(ratatui::widgets::Padding::uniform(1)),
            )
            .render(popup, buf);
    }
}
