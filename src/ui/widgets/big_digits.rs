//! Big digits: a number drawn five rows tall in block characters, so the seconds held can be
//! read from across the desk. Cells are doubled in width when the area allows it.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::Widget;

/// Rows of every glyph.
pub const HEIGHT: u16 = 5;

/// A 3-column, 5-row bitmap per character ('#' = ink); '.' is one column wide.
fn glyph(c: char) -> Option<&'static [&'static str; 5]> {
    Some(match c {
        '0' => &["###", "# #", "# #", "# #", "###"],
        '1' => &[" # ", "## ", " # ", " # ", "###"],
        '2' => &["###", "  #", "###", "#  ", "###"],
        '3' => &["###", "  #", " ##", "  #", "###"],
        '4' => &["# #", "# #", "###", "  #", "  #"],
        '5' => &["###", "#  ", "###", "  #", "###"],
        '6' => &["###", "#  ", "###", "# #", "###"],
        '7' => &["###", "  #", "  #", " # ", " # "],
        '8' => &["###", "# #", "###", "# #", "###"],
        '9' => &["###", "# #", "###", "  #", "###"],
        '.' => &[" ", " ", " ", " ", "#"],
        ':' => &[" ", "#", " ", "#", " "],
        ' ' => &[" ", " ", " ", " ", " "],
        _ => return None,
    })
}

/// `text` (digits, '.', ':', ' ') in big characters, centred in its area.
#[derive(Debug, Clone, Copy)]
pub struct BigDigits<'a> {
    text: &'a str,
    style: Style,
}

impl<'a> BigDigits<'a> {
    /// Big digits of `text` in `style`.
    pub fn new(text: &'a str, style: Style) -> BigDigits<'a> {
        BigDigits { text, style }
    }

    /// Columns needed at a given cell width (1 or 2), one blank column between glyphs.
    pub fn width(text: &str, scale: u16) -> u16 {
        let cols: usize = text
            .chars()
            .filter_map(glyph)
            .map(|g| g[0].chars().count())
            .sum();
        let glyphs = text.chars().filter_map(glyph).count();
        let gaps = glyphs.saturating_sub(1);
        u16::try_from(cols * usize::from(scale) + gaps * usize::from(scale)).unwrap_or(u16::MAX)
    }
}

impl Widget for BigDigits<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.height < HEIGHT {
            // Too small for big digits: the plain number, centred.
            let w = u16::try_from(self.text.chars().count()).unwrap_or(u16::MAX);
            let x = area.x + area.width.saturating_sub(w) / 2;
            buf.set_stringn(x, area.y, self.text, usize::from(area.width), self.style);
            return;
        }
        let scale = if BigDigits::width(self.text, 2) <= area.width {
            2
        } else {
            1
        };
        let width = BigDigits::width(self.text, scale).min(area.width);
        let mut x = area.x + (area.width - width) / 2;
        let right = area.x + area.width;
        for g in self.text.chars().filter_map(glyph) {
            let cols = u16::try_from(g[0].chars().count()).unwrap_or(0);
            for (dy, row) in g.iter().enumerate() {
                let y = area.y + u16::try_from(dy).unwrap_or(0);
                for (dx, ink) in row.chars().enumerate() {
                    for k in 0..scale {
                        let cx = x + u16::try_from(dx).unwrap_or(0) * scale + k;
                        if cx < right
                            && ink == '#'
                            && let Some(cell) = buf.cell_mut((cx, y))
                        {
                            cell.set_symbol("█").set_style(self.style);
                        }
                    }
                }
            }
            x = x.saturating_add((cols + 1) * scale);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_a_number_five_rows_tall() {
        let area = Rect::new(0, 0, 11, 5);
        let mut buf = Buffer::empty(area);
        BigDigits::new("1.5", Style::new()).render(area, &mut buf);
        let expected = Buffer::with_lines([
            "  █    ███ ",
            " ██    █   ",
            "  █    ███ ",
            "  █      █ ",
            " ███ █ ███ ",
        ]);
        assert_eq!(buf, expected);
    }

    #[test]
    fn doubles_cells_when_there_is_room() {
        assert_eq!(BigDigits::width("1.5", 1), 9);
        assert_eq!(BigDigits::width("1.5", 2), 18);
        let area = Rect::new(0, 0, 18, 5);
        let mut buf = Buffer::empty(area);
        BigDigits::new("1.5", Style::new()).render(area, &mut buf);
        assert_eq!(buf[(0, 0)].symbol(), " ");
        assert_eq!(buf[(2, 0)].symbol(), "█");
        assert_eq!(buf[(3, 0)].symbol(), "█");
    }

    #[test]
    fn falls_back_to_plain_text_when_short() {
        let area = Rect::new(0, 0, 7, 1);
        let mut buf = Buffer::empty(area);
        BigDigits::new("2.5", Style::new()).render(area, &mut buf);
        assert_eq!(buf, Buffer::with_lines(["  2.5  "]));
    }
}
