//! The composer's editor: the request bar (method, then the path with the query string the
//! params make), the params and headers as a table, the body and the send button. The path and
//! the cells are edited where they are shown (the terminal cursor in place); the body has its
//! own editor.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{highlighted, method_style};
use crate::action::Action;
use crate::keymap::Context;
use crate::requests::body::BodyKind;
use crate::requests::request::{Pair, RequestKind};
use crate::state::Model;
use crate::state::composer::{
    Column, ComposerState, Field, Mode, Spot, Table, full_name, query_string,
};
use crate::state::text_input::TextInput;
use crate::ui::text_input;
use crate::ui::{Theme, pane_block};

/// The look of the text being edited in place (underlined: a field, in any theme).
fn edit_style() -> Style {
    Style::default().add_modifier(Modifier::UNDERLINED)
}

/// The width of a table's name column: its widest name, within bounds.
fn name_width(rows: &[Pair]) -> usize {
    rows.iter()
        .map(|p| p.name.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(8, 24)
}

/// What a line of the editor shows and where the cursor goes on it (a spot edited in place).
struct Drawn {
    line: Line<'static>,
    cursor: Option<u16>,
}

/// The text being edited at `spot`, when it is.
fn editing(state: &ComposerState, spot: Spot) -> Option<&TextInput> {
    match &state.mode {
        Mode::InPlace {
            spot: at, input, ..
        } if *at == spot => Some(input),
        _ => None,
    }
}

/// A cell `width` columns wide: the text (padded), or the input being edited with the column
/// of the cursor in it.
fn cell(
    text: &str,
    input: Option<&TextInput>,
    width: usize,
    style: Style,
) -> (Vec<Span<'static>>, Option<u16>) {
    match input {
        Some(input) => {
            let width = width.max(1);
            let (line, col) = text_input::line(
                input,
                u16::try_from(width).unwrap_or(u16::MAX),
                edit_style(),
            );
            let shown = line.width();
            let mut spans = line.spans;
            if shown < width {
                spans.push(Span::styled(" ".repeat(width - shown), edit_style()));
            }
            (spans, Some(col))
        }
        None => {
            let shown: String = text.chars().take(width).collect();
            let pad = width.saturating_sub(shown.chars().count());
            (
                vec![Span::styled(shown, style), Span::raw(" ".repeat(pad))],
                None,
            )
        }
    }
}

/// The request bar: method, then the path (edited in place) and the query string the enabled
/// params add, `{{variables}}` as written.
fn request_bar(state: &ComposerState, focused: bool, width: usize, theme: &Theme) -> Drawn {
    let draft = &state.draft;
    let on = |field: Field| focused && state.field == field;
    let marker = if on(Field::Method) || on(Field::Path) {
        Span::styled("▸", theme.key())
    } else {
        Span::raw(" ")
    };
    let mut method_look = method_style(&draft.method, theme);
    if on(Field::Method) {
        method_look = method_look.patch(theme.selected());
    }
    let mut spans = vec![
        marker,
        Span::styled(draft.method.clone(), method_look),
        Span::raw(" ".repeat(7usize.saturating_sub(draft.method.chars().count()).max(1))),
    ];
    let lead = 1 + 6.max(draft.method.chars().count()) + 1;
    let query = query_string(draft);
    let mut cursor = None;
    match editing(state, Spot::Path) {
        Some(input) => {
            // The path scrolls with the cursor; the query string follows when there is room.
            let room = width.saturating_sub(lead).max(1);
            let (line, col) =
                text_input::line(input, u16::try_from(room).unwrap_or(u16::MAX), edit_style());
            let used = line.width();
            spans.extend(line.spans);
            cursor = Some(u16::try_from(lead).unwrap_or(0) + col);
            let left = room.saturating_sub(used + 1);
            if left > 0 {
                spans.push(Span::raw(" "));
                spans.push(Span::styled(
                    query.chars().take(left).collect::<String>(),
                    theme.dim(),
                ));
            }
        }
        None => {
            let path_style = if on(Field::Path) {
                theme.selected()
            } else {
                Style::default()
            };
            spans.push(Span::styled(draft.path.clone(), path_style));
            spans.push(Span::styled(query, theme.dim()));
        }
    }
    Drawn {
        line: Line::from(spans),
        cursor,
    }
}

/// The rows of a table (`Params`, `Headers`): name and value cells, a disabled row dimmed.
fn table(
    state: &ComposerState,
    table: Table,
    focused: bool,
    width: usize,
    theme: &Theme,
) -> Vec<Drawn> {
    let (rows, label, sep) = match table {
        Table::Params => (&state.draft.params, "Params  ", " = "),
        Table::Headers => (&state.draft.headers, "Headers ", ": "),
    };
    if rows.is_empty() {
        let placeholder = match table {
            Table::Params => Field::Param(0),
            Table::Headers => Field::Header(0),
        };
        let on = focused && state.field == placeholder;
        let marker = if on {
            Span::styled("▸", theme.key())
        } else {
            Span::raw(" ")
        };
        let line = Line::from(vec![
            marker,
            Span::styled(label, theme.label()),
            Span::styled(
                "(none · a adds)",
                if on { theme.selected() } else { theme.dim() },
            ),
        ]);
        return vec![Drawn { line, cursor: None }];
    }
    let names = name_width(rows);
    let mut out = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let field = match table {
            Table::Params => Field::Param(i),
            Table::Headers => Field::Header(i),
        };
        let is_on = focused && state.field == field;
        let marker = if is_on {
            Span::styled("▸", theme.key())
        } else {
            Span::raw(" ")
        };
        let (name_style, value_style) = if !row.enabled {
            (theme.dim(), theme.dim())
        } else {
            (theme.key(), Style::default())
        };
        let mut spans = vec![
            marker,
            Span::styled(if i == 0 { label } else { "        " }, theme.label()),
        ];
        let lead = 1 + label.len();
        let name_input = editing(state, Spot::Cell(table, i, Column::Name));
        let value_input = editing(state, Spot::Cell(table, i, Column::Value));
        // The name cell widens while it is typed into, so the typed text stays in view.
        let name_cell = name_input.map_or(names, |input| names.max(input.len() + 1).min(40));
        let (name_spans, name_col) = cell(&row.name, name_input, name_cell, name_style);
        spans.extend(name_spans);
        spans.push(Span::raw(sep));
        let value_at = lead + name_cell + sep.len();
        let value_width = width.saturating_sub(value_at).max(1);
        let (value_spans, value_col) = cell(&row.value, value_input, value_width, value_style);
        spans.extend(value_spans);
        if !row.enabled && value_input.is_none() {
            spans.push(Span::styled(" (off)", theme.dim()));
        }
        let cursor = name_col
            .map(|c| u16::try_from(lead).unwrap_or(0) + c)
            .or(value_col.map(|c| u16::try_from(value_at).unwrap_or(0) + c));
        let mut line = Line::from(spans);
        if is_on && name_input.is_none() && value_input.is_none() {
            line = line.style(theme.selected());
        }
        out.push(Drawn { line, cursor });
    }
    out
}

pub(super) fn render(model: &Model, theme: &Theme, focused: bool, area: Rect, frame: &mut Frame) {
    let state = &model.composer;
    let draft = &state.draft;
    let dirty = if state.is_dirty() { " *" } else { "" };
    let send = model.keymap.hint(&[Context::Composer], Action::SendRequest);
    let title = Line::from(vec![
        Span::raw(" "),
        Span::styled(full_name(draft), theme.label()),
        Span::raw(format!("{dirty} · {send} send ")),
    ]);
    let block = pane_block(title, focused, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let kind = if draft.kind == RequestKind::Soap {
        BodyKind::Xml
    } else {
        BodyKind::Json
    };

    if let Mode::Body(text) = &state.mode {
        let height = usize::from(inner.height);
        let width = usize::from(inner.width.max(1));
        let first = text.row.saturating_sub(height.saturating_sub(1));
        // Long lines scroll sideways with the cursor (one offset for every line shown).
        let left = text.col.saturating_sub(width - 1);
        let lines: Vec<Line> = text
            .lines
            .iter()
            .skip(first)
            .take(height)
            .map(|l| {
                let shown: String = l.chars().skip(left).take(width).collect();
                highlighted(kind, &shown, theme)
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), inner);
        frame.set_cursor_position(Position {
            x: inner.x + u16::try_from(text.col - left).unwrap_or(0),
            y: inner.y + u16::try_from(text.row - first).unwrap_or(0),
        });
        return;
    }

    let width = usize::from(inner.width);
    let mut drawn = vec![request_bar(state, focused, width, theme)];
    drawn.extend(table(state, Table::Params, focused, width, theme));
    drawn.extend(table(state, Table::Headers, focused, width, theme));
    let marker = |field: Field| {
        if focused && state.field == field {
            Span::styled("▸", theme.key())
        } else {
            Span::raw(" ")
        }
    };
    let body = draft.body.as_deref().unwrap_or("");
    let body_lines = body.lines().count();
    let soap = if draft.kind == RequestKind::Soap {
        "SOAP, the session goes in the envelope at send · "
    } else {
        ""
    };
    let mut lines: Vec<Line> = Vec::new();
    let mut cursor = None;
    for (y, d) in drawn.into_iter().enumerate() {
        if let Some(x) = d.cursor {
            cursor = Some((x, y));
        }
        lines.push(d.line);
    }
    lines.push(Line::from(vec![
        marker(Field::Body),
        Span::styled("Body    ", theme.label()),
        Span::styled(
            if body.is_empty() {
                format!("{soap}(empty · b edits)")
            } else {
                format!(
                    "{soap}{body_lines} line{} · b edits",
                    if body_lines == 1 { "" } else { "s" }
                )
            },
            theme.dim(),
        ),
    ]));
    let sending = if state.is_sending() {
        "  sending…"
    } else {
        ""
    };
    lines.push(Line::from(vec![
        marker(Field::Send),
        Span::styled(
            format!("[ Send ({send}) ]"),
            if focused && state.field == Field::Send {
                theme.selected()
            } else {
                theme.key()
            },
        ),
        Span::styled(sending, theme.warn()),
    ]));
    let room = usize::from(inner.height).saturating_sub(lines.len() + 1);
    for l in body.lines().take(room) {
        lines.push(highlighted(kind, &format!("  {l}"), theme));
    }
    // Variables: the session's and the profile's own.
    let mut vars = vec![Span::styled("vars ", theme.label())];
    vars.push(Span::styled(
        "{{instance_url}} {{api_version}} {{org_id}}",
        theme.dim(),
    ));
    for (k, v) in state.variables.iter() {
        vars.push(Span::raw(format!("  {k}={v}")));
    }
    while lines.len() + 1 < usize::from(inner.height) {
        lines.push(Line::from(""));
    }
    lines.truncate(usize::from(inner.height).saturating_sub(1));
    lines.push(Line::from(vars));
    frame.render_widget(Paragraph::new(lines), inner);
    if let Some((x, y)) = cursor
        && y + 1 < usize::from(inner.height)
    {
        frame.set_cursor_position(Position {
            x: inner.x + x.min(inner.width.saturating_sub(1)),
            y: inner.y + u16::try_from(y).unwrap_or(0),
        });
    }
}
