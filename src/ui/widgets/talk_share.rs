//! The talk-share gauge: the rep's share of talk over the whole call and over the recent
//! window, each a bar with the target marked `|` and the warning line marked `!`.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::Widget;

use crate::ui::theme::Theme;

/// Columns before the bars: "Talk share  " and the row label.
const LABEL_COLS: u16 = 24;
/// Columns after the bars: " 100%  target 43%".
const VALUE_COLS: u16 = 18;

/// "last 3 min" / "last 45 s" for a window in seconds.
pub fn window_label(window_s: f64) -> String {
    if window_s >= 60.0 && (window_s % 60.0).abs() < 1e-9 {
        format!("last {:.0} min", window_s / 60.0)
    } else {
        format!("last {window_s:.0} s")
    }
}

/// Two rows: whole call, recent window.
#[derive(Debug, Clone)]
pub struct TalkShareGauge<'a> {
    /// Rep share of talk, whole call.
    pub call: Option<f64>,
    /// Rep share of talk, recent window.
    pub recent: Option<f64>,
    /// Target share.
    pub target: f64,
    /// Warning share.
    pub warn: f64,
    /// The recent window, seconds.
    pub window_s: f64,
    /// Styles.
    pub theme: &'a Theme,
}

impl TalkShareGauge<'_> {
    fn bar(&self, share: Option<f64>, x: u16, y: u16, width: u16, buf: &mut Buffer) {
        let t = self.theme;
        let cell = |f: f64| ((f.clamp(0.0, 1.0) * f64::from(width)).round() as u16).min(width);
        let filled = share.map_or(0, cell);
        let target = cell(self.target).min(width.saturating_sub(1));
        let warn = cell(self.warn).min(width.saturating_sub(1));
        let fill_style: Style = if share.is_some_and(|s| s > self.warn) {
            t.warn
        } else {
            t.bar_filled
        };
        for i in 0..width {
            let (symbol, style) = if i == target {
                ("|", t.marker)
            } else if i == warn {
                ("!", t.marker)
            } else if i < filled {
                ("█", fill_style)
            } else {
                ("░", t.bar_empty)
            };
            if let Some(c) = buf.cell_mut((x + i, y)) {
                c.set_symbol(symbol).set_style(style);
            }
        }
    }
}

impl Widget for TalkShareGauge<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        if area.height == 0 || area.width < LABEL_COLS + 10 {
            return;
        }
        let bar_width = area
            .width
            .saturating_sub(LABEL_COLS + VALUE_COLS)
            .clamp(10, 50);
        let rows = [
            ("whole call".to_string(), self.call),
            (window_label(self.window_s), self.recent),
        ];
        for (i, (label, share)) in rows.iter().enumerate() {
            let y = area.y + u16::try_from(i).unwrap_or(0);
            if y >= area.y + area.height {
                break;
            }
            if i == 0 {
                buf.set_string(area.x, y, "Talk share", t.text);
            }
            buf.set_string(area.x + 12, y, label, t.dim);
            let bx = area.x + LABEL_COLS;
            self.bar(*share, bx, y, bar_width, buf);
            let value = share.map_or("  --".to_string(), |s| format!("{:>3.0}%", s * 100.0));
            let style = if share.is_some_and(|s| s > self.warn) {
                t.warn
            } else {
                t.text
            };
            let vx = bx + bar_width + 1;
            buf.set_stringn(
                vx,
                y,
                &value,
                usize::from(area.right().saturating_sub(vx)),
                style,
            );
            if i == 0 {
                let hint = format!("target {:.0}%", self.target * 100.0);
                let hx = vx + 6;
                buf.set_stringn(
                    hx,
                    y,
                    &hint,
                    usize::from(area.right().saturating_sub(hx)),
                    t.dim,
                );
            }
        }
    }
}
