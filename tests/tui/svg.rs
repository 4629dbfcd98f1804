//! A drawn frame (the `TestBackend` buffer the snapshot tests read) as an SVG image, with its
//! colours and text styles: the README's screens. One cell is [`CELL_W`] x [`CELL_H`] pixels on
//! a dark terminal palette; box-drawing characters become lines, so borders join up whatever
//! font the viewer has; text runs are stretched to their cells (`textLength`), so columns line
//! up too. The output is deterministic: the same buffer gives the same bytes.

use std::fmt::Write as _;

use ratatui::buffer::{Buffer, Cell};
use ratatui::style::{Color, Modifier};

/// Cell width and height in pixels (a 14 px monospace font).
pub const CELL_W: f32 = 8.4;
pub const CELL_H: f32 = 18.0;
const FONT_SIZE: f32 = 14.0;
/// From a cell's top to the text baseline.
const BASELINE: f32 = 13.5;
/// Margin around the terminal.
const PAD: f32 = 10.0;
const DEFAULT_FG: &str = "#d4d4d4";
const DEFAULT_BG: &str = "#1e1e1e";

/// The 16 ANSI colours (xterm order: black, red, green, yellow, blue, magenta, cyan, white,
/// then the bright ones), as VS Code's dark terminal shows them.
const ANSI: [&str; 16] = [
    "#000000", "#cd3131", "#0dbc79", "#e5e510", "#2472c8", "#bc3fbc", "#11a8cd", "#e5e5e5",
    "#666666", "#f14c4c", "#23d18b", "#f5f543", "#3b8eea", "#d670d6", "#29b8db", "#ffffff",
];

/// `color` as `#rrggbb`; `None` for the terminal's default (`Reset`).
fn hex(color: Color) -> Option<String> {
    let ansi = |i: usize| Some(ANSI[i].to_owned());
    match color {
        Color::Reset => None,
        Color::Black => ansi(0),
        Color::Red => ansi(1),
        Color::Green => ansi(2),
        Color::Yellow => ansi(3),
        Color::Blue => ansi(4),
        Color::Magenta => ansi(5),
        Color::Cyan => ansi(6),
        Color::Gray => ansi(7),
        Color::DarkGray => ansi(8),
        Color::LightRed => ansi(9),
        Color::LightGreen => ansi(10),
        Color::LightYellow => ansi(11),
        Color::LightBlue => ansi(12),
        Color::LightMagenta => ansi(13),
        Color::LightCyan => ansi(14),
        Color::White => ansi(15),
        Color::Rgb(r, g, b) => Some(format!("#{r:02x}{g:02x}{b:02x}")),
        Color::Indexed(i) => Some(indexed(i)),
    }
}

/// xterm's 256-colour palette.
fn indexed(i: u8) -> String {
    match i {
        0..=15 => ANSI[usize::from(i)].to_owned(),
        16..=231 => {
            let level = |v: u8| if v == 0 { 0 } else { 55 + v * 40 };
            let n = i - 16;
            let (r, g, b) = (level(n / 36), level(n / 6 % 6), level(n % 6));
            format!("#{r:02x}{g:02x}{b:02x}")
        }
        _ => {
            let v = 8 + (i - 232) * 10;
            format!("#{v:02x}{v:02x}{v:02x}")
        }
    }
}

/// What a cell looks like once reverse video and the defaults are resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Look {
    fg: String,
    /// `None`: the terminal's background (nothing to paint).
    bg: Option<String>,
    bold: bool,
    italic: bool,
    dim: bool,
    underline: bool,
    crossed: bool,
    hidden: bool,
}

fn look(cell: &Cell) -> Look {
    let m = cell.modifier;
    let (mut fg, mut bg) = (hex(cell.fg), hex(cell.bg));
    if m.contains(Modifier::REVERSED) {
        (fg, bg) = (
            Some(bg.unwrap_or_else(|| DEFAULT_BG.to_owned())),
            Some(fg.unwrap_or_else(|| DEFAULT_FG.to_owned())),
        );
    }
    Look {
        fg: fg.unwrap_or_else(|| DEFAULT_FG.to_owned()),
        bg,
        bold: m.contains(Modifier::BOLD),
        italic: m.contains(Modifier::ITALIC),
        dim: m.contains(Modifier::DIM),
        underline: m.contains(Modifier::UNDERLINED),
        crossed: m.contains(Modifier::CROSSED_OUT),
        hidden: m.contains(Modifier::HIDDEN),
    }
}

/// The arms of a box-drawing character (left, right, up, down) and whether they are heavy.
fn box_arms(symbol: &str) -> Option<([bool; 4], bool)> {
    let (l, r, u, d) = (true, true, true, true);
    let arms = |left, right, up, down| [left, right, up, down];
    Some(match symbol {
        "─" => (arms(l, r, !u, !d), false),
        "│" => (arms(!l, !r, u, d), false),
        "┌" | "╭" => (arms(!l, r, !u, d), false),
        "┐" | "╮" => (arms(l, !r, !u, d), false),
        "└" | "╰" => (arms(!l, r, u, !d), false),
        "┘" | "╯" => (arms(l, !r, u, !d), false),
        "├" => (arms(!l, r, u, d), false),
        "┤" => (arms(l, !r, u, d), false),
        "┬" => (arms(l, r, !u, d), false),
        "┴" => (arms(l, r, u, !d), false),
        "┼" => (arms(l, r, u, d), false),
        "━" => (arms(l, r, !u, !d), true),
        "┃" => (arms(!l, !r, u, d), true),
        "┏" => (arms(!l, r, !u, d), true),
        "┓" => (arms(l, !r, !u, d), true),
        "┗" => (arms(!l, r, u, !d), true),
        "┛" => (arms(l, !r, u, !d), true),
        "┣" => (arms(!l, r, u, d), true),
        "┫" => (arms(l, !r, u, d), true),
        "┳" => (arms(l, r, !u, d), true),
        "┻" => (arms(l, r, u, !d), true),
        "╋" => (arms(l, r, u, d), true),
        _ => return None,
    })
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// One run of text: consecutive cells of one look.
struct Run {
    col: u16,
    cells: u16,
    text: String,
    look: Look,
}

/// `buffer` as an SVG document titled `title` (the image's accessible name).
pub fn render(buffer: &Buffer, title: &str) -> String {
    let area = buffer.area;
    let width = f32::from(area.width) * CELL_W + 2.0 * PAD;
    let height = f32::from(area.height) * CELL_H + 2.0 * PAD;
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" \
         viewBox=\"0 0 {width:.0} {height:.0}\" font-family=\"ui-monospace, SFMono-Regular, \
         Menlo, Consolas, 'DejaVu Sans Mono', monospace\" font-size=\"{FONT_SIZE}\">"
    );
    let _ = writeln!(svg, "<title>{}</title>", escape(title));
    let _ = writeln!(
        svg,
        "<rect width=\"100%\" height=\"100%\" rx=\"6\" fill=\"{DEFAULT_BG}\"/>"
    );
    let x = |col: u16| PAD + f32::from(col) * CELL_W;
    let y = |row: u16| PAD + f32::from(row) * CELL_H;

    // Backgrounds: one rectangle per run of cells with the same colour.
    for row in 0..area.height {
        let mut col = 0;
        while col < area.width {
            let bg = look(&buffer[(area.x + col, area.y + row)]).bg;
            let start = col;
            while col < area.width && look(&buffer[(area.x + col, area.y + row)]).bg == bg {
                col += 1;
            }
            if let Some(bg) = bg {
                let _ = writeln!(
                    svg,
                    "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{CELL_H:.1}\" fill=\"{bg}\"/>",
                    x(start),
                    y(row),
                    f32::from(col - start) * CELL_W
                );
            }
        }
    }

    // Box drawing as strokes from the cell's centre to its edges, one path per colour and weight.
    let mut strokes: Vec<((String, bool), String)> = Vec::new();
    let mut runs: Vec<(u16, Run)> = Vec::new();
    for row in 0..area.height {
        let mut current: Option<Run> = None;
        for col in 0..area.width {
            let cell = &buffer[(area.x + col, area.y + row)];
            let style = look(cell);
            if let Some((arms, heavy)) = box_arms(cell.symbol()).filter(|_| !style.hidden) {
                let (cx, cy) = (x(col) + CELL_W / 2.0, y(row) + CELL_H / 2.0);
                let ends = [
                    (x(col), cy),
                    (x(col) + CELL_W, cy),
                    (cx, y(row)),
                    (cx, y(row) + CELL_H),
                ];
                let key = (style.fg.clone(), heavy);
                let index = match strokes.iter().position(|(k, _)| *k == key) {
                    Some(i) => i,
                    None => {
                        strokes.push((key, String::new()));
                        strokes.len() - 1
                    }
                };
                let path = &mut strokes[index].1;
                for (arm, (ex, ey)) in arms.iter().zip(ends) {
                    if *arm {
                        let _ = write!(path, "M{cx:.1} {cy:.1}L{ex:.1} {ey:.1}");
                    }
                }
                runs.extend(current.take().map(|r| (row, r)));
                continue;
            }
            match current.as_mut() {
                Some(run) if run.look == style => {
                    run.cells += 1;
                    run.text.push_str(cell.symbol());
                }
                _ => {
                    runs.extend(current.take().map(|r| (row, r)));
                    current = Some(Run {
                        col,
                        cells: 1,
                        text: cell.symbol().to_owned(),
                        look: style,
                    });
                }
            }
        }
        runs.extend(current.take().map(|r| (row, r)));
    }
    for ((color, heavy), path) in &strokes {
        let _ = writeln!(
            svg,
            "<path d=\"{path}\" stroke=\"{color}\" stroke-width=\"{}\" fill=\"none\"/>",
            if *heavy { 2 } else { 1 }
        );
    }

    // Text, without the spaces around it; each run stretched over exactly its cells.
    let _ = writeln!(svg, "<g xml:space=\"preserve\">");
    for (row, run) in runs {
        if run.look.hidden {
            continue;
        }
        let leading = run.text.chars().take_while(|c| *c == ' ').count();
        let text = run.text.trim_matches(' ');
        if text.is_empty() {
            continue;
        }
        let cells = text.chars().count();
        let col = run.col + u16::try_from(leading).unwrap_or(0);
        let mut attrs = format!("fill=\"{}\"", run.look.fg);
        if run.look.bold {
            attrs.push_str(" font-weight=\"bold\"");
        }
        if run.look.italic {
            attrs.push_str(" font-style=\"italic\"");
        }
        if run.look.dim {
            attrs.push_str(" fill-opacity=\"0.6\"");
        }
        match (run.look.underline, run.look.crossed) {
            (true, true) => attrs.push_str(" text-decoration=\"underline line-through\""),
            (true, false) => attrs.push_str(" text-decoration=\"underline\""),
            (false, true) => attrs.push_str(" text-decoration=\"line-through\""),
            (false, false) => {}
        }
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" textLength=\"{:.1}\" lengthAdjust=\"spacingAndGlyphs\" {attrs}>{}</text>",
            x(col),
            y(row) + BASELINE,
            cells as f32 * CELL_W,
            escape(text)
        );
    }
    let _ = writeln!(svg, "</g>");
    svg.push_str("</svg>\n");
    svg
}

#[cfg(test)]
mod tests {
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    use super::*;

    #[test]
    fn colours_styles_and_boxes_become_rects_text_and_strokes() {
        let mut buffer = Buffer::empty(Rect::new(0, 0, 12, 2));
        buffer.set_string(0, 0, "┌─", Style::default().fg(Color::Cyan));
        buffer.set_string(2, 0, " ok ", Style::default().fg(Color::Green).bold());
        buffer.set_string(6, 0, "<a&b>", Style::default().reversed());
        buffer.set_string(0, 1, "dim", Style::default().dim().bg(Color::Rgb(1, 2, 3)));
        buffer.set_string(4, 1, "x", Style::default().fg(Color::Indexed(196)));
        let svg = render(&buffer, "A & B");
        assert!(svg.starts_with("<svg "), "{svg}");
        assert!(svg.contains("<title>A &amp; B</title>"), "{svg}");
        // The corner and the line: strokes in cyan, no text.
        assert!(
            svg.contains("<path d=\"M14.2 19.0L18.4 19.0M14.2 19.0L14.2 28.0M22.6 19.0L18.4 19.0M22.6 19.0L26.8 19.0\" stroke=\"#11a8cd\" stroke-width=\"1\""),
            "{svg}"
        );
        assert!(!svg.contains(">┌"), "{svg}");
        // Bold green text without its spaces, starting one cell later.
        assert!(
            svg.contains("<text x=\"35.2\" y=\"23.5\" textLength=\"16.8\" lengthAdjust=\"spacingAndGlyphs\" fill=\"#0dbc79\" font-weight=\"bold\">ok</text>"),
            "{svg}"
        );
        // Reverse video: default background as text colour on the default foreground, escaped.
        assert!(
            svg.contains(
                "<rect x=\"60.4\" y=\"10.0\" width=\"42.0\" height=\"18.0\" fill=\"#d4d4d4\"/>"
            ),
            "{svg}"
        );
        assert!(
            svg.contains("fill=\"#1e1e1e\">&lt;a&amp;b&gt;</text>"),
            "{svg}"
        );
        // Dim text on an RGB background, and a 256-colour index.
        assert!(svg.contains("fill=\"#010203\"/>"), "{svg}");
        assert!(svg.contains("fill-opacity=\"0.6\">dim</text>"), "{svg}");
        assert!(svg.contains("fill=\"#ff0000\">x</text>"), "{svg}");
        assert_eq!(svg, render(&buffer, "A & B"), "deterministic");
    }
}
