//! The cue panel: the one cue on screen. "Hold the silence" is the seconds held in big digits
//! with a line worded for the situation; the others are a line or two of calm text.

use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::big_digits::{self, BigDigits};
use crate::session::split::DaySoFar;
use crate::timeline::{Party, Samples, samples_to_s};
use crate::ui::state::{Cue, PauseEnd};
use crate::ui::theme::Theme;

/// The words under the hold cue, for who held the floor when the silence began.
pub fn hold_words(after: Party) -> &'static str {
    match after {
        Party::Rep => "You asked. Let them answer.",
        Party::Prospect => "Let them think.",
    }
}

/// The outcome of a pause, in words.
pub fn outcome_words(end: PauseEnd, length_s: f64) -> String {
    match end {
        PauseEnd::Held => format!("Held {length_s:.1} s - they spoke"),
        PauseEnd::Broken => format!("You broke the silence at {length_s:.1} s"),
        PauseEnd::Both => format!("You both spoke at {length_s:.1} s"),
    }
}

/// The day so far, in words, for between calls: no call yet, or the latest call's length,
/// share and pauses held, then the calls, the pauses held, the rep's share of talk and the
/// longest monologue of the day.
pub fn day_words(day: &DaySoFar) -> Vec<String> {
    if day.calls == 0 {
        return vec!["No call yet. It starts when one side answers the other.".into()];
    }
    let calls = if day.calls == 1 {
        "1 call".to_string()
    } else {
        format!("{} calls", day.calls)
    };
    let share = |talk: [Samples; 2]| {
        let total = talk[0] + talk[1];
        if total > 0 {
            format!("{:.0}%", 100.0 * talk[0] as f64 / total as f64)
        } else {
            "-".into()
        }
    };
    let mut lines = Vec::new();
    if let Some(last) = day.last {
        lines.push(format!(
            "Last call: {}, your share {}, {} of {} pauses held",
            clock(samples_to_s(last.duration)),
            share(last.talk),
            last.held,
            last.held + last.broken
        ));
        lines.push(String::new());
    }
    lines.push(format!(
        "So far: {calls}, {} of {} pauses held",
        day.held,
        day.held + day.broken
    ));
    lines.push(format!(
        "your share of talk {}, longest monologue {}",
        share(day.talk),
        clock(samples_to_s(day.longest_monologue))
    ));
    lines
}

/// `m:ss` of a duration in seconds.
pub fn clock(seconds: f64) -> String {
    let s = seconds.max(0.0) as u64;
    format!("{}:{:02}", s / 60, s % 60)
}

/// The cue panel.
#[derive(Debug, Clone)]
pub struct CuePanel<'a> {
    cue: Option<&'a Cue>,
    paused: bool,
    theme: &'a Theme,
}

impl<'a> CuePanel<'a> {
    /// The panel for `cue` (or PAUSED, which replaces every cue).
    pub fn new(cue: Option<&'a Cue>, paused: bool, theme: &'a Theme) -> CuePanel<'a> {
        CuePanel { cue, paused, theme }
    }

    fn text(&self, lines: Vec<Line<'a>>, area: Rect, buf: &mut Buffer) {
        let height = u16::try_from(lines.len()).unwrap_or(u16::MAX);
        // Wrapped lines may take more rows: leave room for one extra row each side.
        let top = area.height.saturating_sub(height + 1) / 2;
        let inner = Rect {
            y: area.y + top,
            height: area.height - top,
            ..area
        };
        Paragraph::new(lines)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true })
            .render(inner, buf);
    }

    fn hold(&self, held_s: f64, after: Party, area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        let digits = format!("{held_s:.1}");
        // Digits, a blank row, the words, and the quiet reminder under them.
        let needed = big_digits::HEIGHT + 3;
        if area.height < needed {
            let line = Line::from(vec![
                Span::styled(format!("{digits} s  "), t.hold_digits),
                Span::styled(hold_words(after), t.cue),
            ]);
            self.text(vec![line], area, buf);
            return;
        }
        let top = area.y + (area.height - needed) / 2;
        let big = Rect::new(area.x, top, area.width, big_digits::HEIGHT);
        BigDigits::new(&digits, t.hold_digits).render(big, buf);
        // The unit, small, on the digits' baseline.
        let scale = if BigDigits::width(&digits, 2) <= area.width {
            2
        } else {
            1
        };
        let w = BigDigits::width(&digits, scale);
        let unit_x = area.x + (area.width.saturating_sub(w)) / 2 + w + 1;
        if unit_x < area.x + area.width {
            buf.set_string(unit_x, top + big_digits::HEIGHT - 1, "s", t.dim);
        }
        let words = Rect::new(area.x, top + big_digits::HEIGHT + 1, area.width, 2);
        Paragraph::new(vec![
            Line::styled(hold_words(after), t.cue),
            Line::styled("hold the silence", t.dim),
        ])
        .alignment(Alignment::Center)
        .render(words, buf);
    }
}

impl Widget for CuePanel<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        if self.paused {
            self.text(
                vec![
                    Line::styled(" PAUSED ", t.badge),
                    Line::default(),
                    Line::styled("Nothing is measured until you press p again.", t.dim),
                ],
                area,
                buf,
            );
            return;
        }
        let Some(cue) = self.cue else {
            return;
        };
        match cue {
            Cue::Hold { held_s, after } => self.hold(*held_s, *after, area, buf),
            Cue::Outcome { end, length_s } => {
                let style = if *end == PauseEnd::Held {
                    t.good
                } else {
                    t.warn
                };
                self.text(
                    vec![Line::styled(outcome_words(*end, *length_s), style)],
                    area,
                    buf,
                );
            }
            Cue::Interruption => self.text(
                vec![
                    Line::styled("You are talking over them.", t.warn),
                    Line::default(),
                    Line::styled("Let them finish.", t.cue),
                ],
                area,
                buf,
            ),
            Cue::Monologue { length_s, question } => self.text(
                vec![
                    Line::styled(
                        format!("You have had the floor for {}.", clock(*length_s)),
                        t.warn,
                    ),
                    Line::default(),
                    Line::styled("Hand them the wheel:", t.dim),
                    Line::styled(format!("\"{question}\""), t.cue),
                ],
                area,
                buf,
            ),
            Cue::BetweenCalls { day } => {
                let mut lines = vec![Line::styled("Between calls", t.cue), Line::default()];
                lines.extend(day_words(day).into_iter().map(|l| Line::styled(l, t.dim)));
                self.text(lines, area, buf);
            }
            Cue::TalkShare { share } => self.text(
                vec![
                    Line::styled(
                        format!("You have {:.0}% of the talk lately.", share * 100.0),
                        t.warn,
                    ),
                    Line::default(),
                    Line::styled("Ask, then listen.", t.cue),
                ],
                area,
                buf,
            ),
        }
    }
}
