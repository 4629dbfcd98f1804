//! Drawing a [`TextInput`] in a fixed width: the text scrolls horizontally so the cursor stays
//! visible, and the caller learns the column where the terminal cursor goes.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Theme;
use crate::state::text_input::TextInput;

/// Display width of one character (wide CJK characters take two columns).
fn char_width(c: char) -> usize {
    let mut buf = [0u8; 4];
    Span::raw(&*c.encode_utf8(&mut buf)).width()
}

/// The visible part of `input` in `width` columns, styled with `style`, and the cursor column
/// (from the left of that width; always `< width` when `width > 0`). With `mask`, every
/// character shows as `•` (secrets).
pub fn view(input: &TextInput, width: u16, style: Style, mask: bool) -> (Line<'static>, u16) {
    let width = usize::from(width);
    let chars: Vec<(char, usize)> = input
        .text()
        .chars()
        .map(|c| {
            let shown = if mask { '•' } else { c };
            (shown, char_width(shown))
        })
        .collect();
    let cursor = input.cursor().min(chars.len());
    if width == 0 {
        return (Line::default(), 0);
    }
    // First visible character: the cursor (plus one column for it at the end) must fit.
    let mut first = 0;
    let mut before: usize = chars[..cursor].iter().map(|(_, w)| w).sum();
    while before + 1 > width && first < cursor {
        before -= chars[first].1;
        first += 1;
    }
    let mut shown = String::new();
    let mut used = 0;
    for (c, w) in &chars[first..] {
        if used + w > width {
            break;
        }
        shown.push(*c);
        used += w;
    }
    let column = u16::try_from(before.min(width - 1)).unwrap_or(u16::MAX);
    (Line::from(Span::styled(shown, style)), column)
}

/// The visible part of `input` in `width` columns (see [`view`]), unmasked.
pub fn line(input: &TextInput, width: u16, style: Style) -> (Line<'static>, u16) {
    view(input, width, style, false)
}

/// A filter or query line: `label` (as a key) then `input`, in `area`'s first row; with
/// `cursor`, the terminal cursor goes where the input's is (when it falls inside `area`).
pub fn render_labelled(
    input: &TextInput,
    label: &str,
    cursor: bool,
    theme: &Theme,
    area: Rect,
    frame: &mut Frame,
) {
    let label_width = u16::try_from(label.chars().count()).unwrap_or(u16::MAX);
    let (text, col) = line(
        input,
        area.width.saturating_sub(label_width),
        Style::default(),
    );
    let mut spans = vec![Span::styled(label.to_owned(), theme.key())];
    spans.extend(text.spans);
    let row = Rect {
        height: area.height.min(1),
        ..area
    };
    frame.render_widget(Paragraph::new(Line::from(spans)), row);
    let x = area.x.saturating_add(label_width).saturating_add(col);
    if cursor && x < area.right() {
        frame.set_cursor_position(Position { x, y: area.y });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(input: &TextInput, width: u16) -> (String, u16) {
        let (line, col) = line(input, width, Style::default());
        (line.to_string(), col)
    }

    #[test]
    fn short_text_shows_whole_with_the_cursor_after_it() {
        let t = TextInput::new("abc");
        assert_eq!(shown(&t, 10), ("abc".into(), 3));
    }

    #[test]
    fn long_text_scrolls_to_keep_the_cursor_visible() {
        let mut t = TextInput::new("0123456789");
        assert_eq!(shown(&t, 5), ("6789".into(), 4));
        t.set_cursor(0);
        assert_eq!(shown(&t, 5), ("01234".into(), 0));
        t.set_cursor(7);
        assert_eq!(shown(&t, 5), ("34567".into(), 4));
    }

    #[test]
    fn wide_characters_count_two_columns() {
        let t = TextInput::new("日本語");
        assert_eq!(shown(&t, 10), ("日本語".into(), 6));
        assert_eq!(shown(&t, 4), ("語".into(), 2));
    }

    #[test]
    fn masked_text_shows_bullets_only() {
        let t = TextInput::new("secret");
        let (line, col) = view(&t, 20, Style::default(), true);
        assert_eq!(line.to_string(), "••••••");
        assert_eq!(col, 6);
    }

    #[test]
    fn zero_width_draws_nothing() {
        assert_eq!(shown(&TextInput::new("x"), 0), (String::new(), 0));
    }
}
