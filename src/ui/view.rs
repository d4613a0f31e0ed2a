//! The whole dashboard: lays the widgets out from a [`UiState`]. Calm by design: one cue in
//! the middle, a few quiet rows of context around it. Below [`MIN_WIDTH_COLS`] x
//! [`MIN_HEIGHT_ROWS`] it shows one line saying the terminal is too small, rather than rows
//! and a help box cut or wrapped out of shape.

use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::Widget;

use super::state::UiState;
use super::theme::Theme;
use super::widgets::cue::CuePanel;
use super::widgets::footer::Footer;
use super::widgets::help::HelpOverlay;
use super::widgets::meters::LevelMeters;
use super::widgets::speaking::SpeakingLine;
use super::widgets::status::StatusLine;
use super::widgets::talk_share::TalkShareGauge;
use crate::timeline::samples_to_s;

/// The narrowest terminal the dashboard is drawn in: the footer's keys and counters, a
/// meter's no-signal warning and the help box's lines all fit unbroken.
pub const MIN_WIDTH_COLS: u16 = 74;
/// The lowest terminal the dashboard is drawn in: the hold cue in big digits, and the help
/// box whole.
pub const MIN_HEIGHT_ROWS: u16 = 18;

/// The dashboard over a state. Borrowed, so the state is not cloned every frame.
#[derive(Debug, Clone, Copy)]
pub struct Dashboard<'a> {
    state: &'a UiState,
    theme: &'a Theme,
}

impl<'a> Dashboard<'a> {
    /// The dashboard of `state`.
    pub fn new(state: &'a UiState, theme: &'a Theme) -> Dashboard<'a> {
        Dashboard { state, theme }
    }
}

impl Widget for Dashboard<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let s = self.state;
        let t = self.theme;
        buf.set_style(area, t.text);
        if area.width < MIN_WIDTH_COLS || area.height < MIN_HEIGHT_ROWS {
            let line = format!(
                "terminal too small ({}x{}): tacet needs {MIN_WIDTH_COLS}x{MIN_HEIGHT_ROWS}",
                area.width, area.height
            );
            let row = Rect {
                y: area.y + area.height / 2,
                height: area.height.min(1),
                ..area
            };
            Line::styled(line, t.warn)
                .alignment(Alignment::Center)
                .render(row, buf);
            return;
        }
        let [header, _, speaking, cue, talk, _, meters, _, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(3),
            Constraint::Length(2),
            Constraint::Length(1),
            Constraint::Length(2),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(area);
        let body = |r: Rect| Rect {
            x: r.x + 2.min(r.width),
            width: r.width.saturating_sub(4),
            ..r
        };
        let warning = s.warning();
        StatusLine {
            title: s.title(),
            warning: warning.as_deref(),
            now_s: samples_to_s(s.now()),
            paused: s.paused(),
            silence_cues_muted: s.silence_cues_muted(),
            theme: t,
        }
        .render(header, buf);
        SpeakingLine {
            speaking: s.speaking(),
            theme: t,
        }
        .render(body(speaking), buf);
        let current = s.cue();
        CuePanel::new(current.as_ref(), s.paused(), t).render(body(cue), buf);
        TalkShareGauge {
            call: s.share_call(),
            recent: s.share_recent(),
            target: s.talk_share_target(),
            warn: s.talk_share_warn(),
            window_s: s.recent_window_s(),
            theme: t,
        }
        .render(body(talk), buf);
        LevelMeters {
            dbfs: s.levels_dbfs(),
            no_signal_s: s.no_signal_s(),
            theme: t,
        }
        .render(body(meters), buf);
        Footer {
            marks: s.marks(),
            marked: s.mark_flash(),
            dropped_s: s.dropped_s(),
            theme: t,
        }
        .render(body(footer), buf);
        if s.help_open() {
            HelpOverlay {
                nudge_after_s: s.nudge_after_s(),
                theme: t,
            }
            .render(area, buf);
        }
    }
}
