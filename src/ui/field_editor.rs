//! The field editor popup: the input (one line or several), a length counter, picklist values or
//! reference search results, and why the last enter was refused.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::{Theme, centered, pane_block, text_input};
use crate::action::Action;
use crate::keymap::{Context, Keymap};
use crate::state::field_editor::{EditorKind, FieldEditor};

/// The editor's keys under it: `enter {accept}  ctrl-e $EDITOR  esc cancel` (`$EDITOR` for text
/// only), as bound in the editor's context.
pub fn hint(editor: &FieldEditor, keymap: &Keymap, accept: &str) -> String {
    let context = if editor.is_multiline() {
        Context::TextEditor
    } else {
        Context::FieldEditor
    };
    let key = |action| keymap.hint(&[context], action);
    let external = if editor.takes_external_editor() {
        format!("  {} $EDITOR", key(Action::ExternalEditor))
    } else {
        String::new()
    };
    format!(
        "{} {accept}{external}  {} cancel",
        key(Action::Submit),
        key(Action::Cancel)
    )
}

pub fn render(editor: &FieldEditor, hint: &str, theme: &Theme, area: Rect, frame: &mut Frame) {
    let list_len = match &editor.kind {
        EditorKind::Picklist { .. } => editor.filtered().len().min(10),
        EditorKind::Reference { .. } => editor.results.len().clamp(1, 10),
        EditorKind::TextArea { .. } => 8,
        _ => 0,
    } as u16;
    let height = 7 + list_len;
    let popup = centered(area, 72, height);
    frame.render_widget(Clear, popup);
    let title = format!(
        " Edit {} ({}) · {} ",
        editor.label, editor.field, editor.type_label
    );
    let block = pane_block(Line::from(title), true, theme);
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let mut lines: Vec<Line> = Vec::new();
    let mut cursor: Option<(u16, u16)> = None;
    match &editor.kind {
        EditorKind::Boolean => {
            let mark = if editor.checked {
                "[x] true"
            } else {
                "[ ] false"
            };
            lines.push(Line::from(vec![
                Span::styled(mark, theme.selected()),
                Span::styled("   space toggles", theme.dim()),
            ]));
        }
        EditorKind::TextArea { .. } => {
            let before = editor.input.before_cursor();
            let row = before.matches('\n').count() as u16;
            let col = before.rsplit('\n').next().unwrap_or("").chars().count() as u16;
            let first = row.saturating_sub(7);
            for line in editor.text().split('\n').skip(first as usize).take(8) {
                lines.push(Line::raw(line.to_string()));
            }
            if editor.text().is_empty() {
                lines.push(Line::raw(""));
            }
            cursor = Some((col, row - first));
        }
        _ => {
            let (text, col) = text_input::line(
                &editor.input,
                inner.width.saturating_sub(2),
                Style::default(),
            );
            let mut spans = vec![Span::styled("> ", theme.key())];
            spans.extend(text.spans);
            lines.push(Line::from(spans));
            cursor = Some((2 + col, 0));
        }
    }
    let input_lines = lines.len() as u16;
    let mut info = Vec::new();
    if let Some(counter) = editor.counter() {
        let over = editor.text().chars().count() > editor.max_len();
        info.push(Span::styled(
            counter,
            if over { theme.error() } else { theme.dim() },
        ));
    }
    match &editor.kind {
        EditorKind::Number {
            precision, scale, ..
        } => info.push(Span::styled(
            format!("  {} digits, {} after the point", precision, scale),
            theme.dim(),
        )),
        EditorKind::Date => info.push(Span::styled("YYYY-MM-DD", theme.dim())),
        EditorKind::DateTime => info.push(Span::styled("YYYY-MM-DD HH:MM (UTC)", theme.dim())),
        EditorKind::Picklist { restricted, .. } => info.push(Span::styled(
            if *restricted {
                "restricted: only these values"
            } else {
                "type to filter, or a new value"
            },
            theme.dim(),
        )),
        EditorKind::Reference { target } => info.push(Span::styled(
            if editor.searching {
                format!("searching {target}…")
            } else {
                format!("type a name ({target}), enter searches, ↑↓ picks, enter takes it")
            },
            theme.dim(),
        )),
        _ => {}
    }
    lines.push(Line::from(info));
    match &editor.kind {
        EditorKind::Picklist { .. } => {
            let filtered = editor.filtered();
            let first = editor.choice.saturating_sub(9);
            for (i, (value, label)) in filtered.iter().enumerate().skip(first).take(10) {
                let text = if label.is_empty() || label == value {
                    value.clone()
                } else {
                    format!("{value}  ({label})")
                };
                let style = if i == editor.choice {
                    theme.selected()
                } else {
                    theme.label()
                };
                let pointer = if i == editor.choice { "▸ " } else { "  " };
                lines.push(Line::styled(format!("{pointer}{text}"), style));
            }
        }
        EditorKind::Reference { .. } => {
            if editor.results.is_empty() {
                lines.push(Line::styled("  (no results yet)", theme.dim()));
            }
            let first = editor.choice.saturating_sub(9);
            for (i, (id, name)) in editor.results.iter().enumerate().skip(first).take(10) {
                let style = if i == editor.choice {
                    theme.selected()
                } else {
                    theme.label()
                };
                let pointer = if i == editor.choice { "▸ " } else { "  " };
                lines.push(Line::styled(format!("{pointer}{name}  {id}"), style));
            }
        }
        _ => {}
    }
    if let Some(error) = &editor.error {
        lines.push(Line::styled(error.clone(), theme.error()));
    }
    lines.push(Line::styled(hint.to_string(), theme.key()));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
    if let Some((x, y)) = cursor
        && y < input_lines
        && inner.x + x < inner.right()
    {
        frame.set_cursor_position(Position {
            x: inner.x + x,
            y: inner.y + y,
        });
    }
}
