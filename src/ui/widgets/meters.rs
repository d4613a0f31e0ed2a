//! Level meters for both sides, with the no-signal warning (wrong device, muted monitor)
//! beside the side that has been below -70 dBFS for `no_signal_s`.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

use crate::analysis::NO_SIGNAL_DBFS;
use crate::ui::theme::Theme;

/// Columns before the bars.
const LABEL_COLS: u16 = 12;
/// Width of a bar at most.
const BAR_MAX_COLS: u16 = 30;
/// Columns kept after a bar: a space, the level (10 with its gap) and the longest no-signal
/// warning ("no signal for 9999 s - check the device"), so the bar never cuts the warning.
const AFTER_BAR_COLS: u16 = 1 + 10 + 39;

/// Two rows: rep, prospect.
#[derive(Debug, Clone)]
pub struct LevelMeters<'a> {
    /// Latest level per side, dBFS.
    pub dbfs: [f32; 2],
    /// Per side, seconds without signal once past `no_signal_s`.
    pub no_signal_s: [Option<f64>; 2],
    /// Styles.
    pub theme: &'a Theme,
}

impl Widget for LevelMeters<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        let bar_width = area
            .width
            .saturating_sub(LABEL_COLS + AFTER_BAR_COLS)
            .clamp(8, BAR_MAX_COLS);
        let sides = [("Rep", t.rep), ("Prospect", t.prospect)];
        for (i, (name, style)) in sides.iter().enumerate() {
            let y = area.y + u16::try_from(i).unwrap_or(0);
            if y >= area.bottom() {
                break;
            }
            buf.set_string(area.x, y, name, *style);
            let db = self.dbfs[i];
            // -70 dBFS (no signal) .. 0 dBFS.
            let frac = f64::from((db - NO_SIGNAL_DBFS) / -NO_SIGNAL_DBFS).clamp(0.0, 1.0);
            let filled = (frac * f64::from(bar_width)).round() as u16;
            let bx = area.x + LABEL_COLS;
            for k in 0..bar_width {
                let (symbol, s) = if k < filled {
                    ("█", *style)
                } else {
                    ("░", t.bar_empty)
                };
                if let Some(c) = buf.cell_mut((bx + k, y)) {
                    c.set_symbol(symbol).set_style(s);
                }
            }
            let value = if db <= -99.0 {
                "   -- dB".to_string()
            } else {
                format!("{db:>5.0} dB")
            };
            let vx = bx + bar_width + 1;
            buf.set_stringn(
                vx,
                y,
                &value,
                usize::from(area.right().saturating_sub(vx)),
                t.dim,
            );
            if let Some(quiet_s) = self.no_signal_s[i] {
                let warn = format!("no signal for {quiet_s:.0} s - check the device");
                let wx = vx + 10;
                buf.set_stringn(
                    wx,
                    y,
                    &warn,
                    usize::from(area.right().saturating_sub(wx)),
                    t.warn,
                );
            }
        }
    }
}
