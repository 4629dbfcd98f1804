//! The Composer tab: request list | editor over the response. Render only: it draws the lines
//! the state prepared (the response body is split into lines when it arrives; only the visible
//! ones are highlighted here).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

mod editor;
mod tree;

use super::{Theme, centered, pane_block, render_confirm};
use crate::action::Action;
use crate::human::{self, group_thousands};
use crate::keymap::Context;
use crate::requests::body::{BodyKind, Tok, highlight};
use crate::state::composer::{ComposerState, Mode, ResponseTab, Section, Spot, full_name};
use crate::state::path_input::PathInput;
use crate::state::{Focus, Model};

pub fn render(model: &Model, theme: &Theme, area: Rect, frame: &mut Frame) {
    let state = &model.composer;
    let focused = model.focus == Focus::Main;
    let [body, footer] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
    let list_width = (body.width / 3).clamp(22, 36);
    let [list, right] =
        Layout::horizontal([Constraint::Length(list_width), Constraint::Fill(1)]).areas(body);
    let editor_height = (right.height * 2 / 5).max(7);
    let [editor, response] =
        Layout::vertical([Constraint::Length(editor_height), Constraint::Fill(1)]).areas(right);

    tree::render(
        state,
        theme,
        focused && state.section == Section::Requests,
        list,
        frame,
    );
    editor::render(
        model,
        theme,
        focused && state.section == Section::Editor,
        editor,
        frame,
    );
    render_response(
        state,
        theme,
        focused && state.section == Section::Response,
        response,
        frame,
    );
    render_footer(model, theme, footer, frame);

    match &state.mode {
        Mode::ConfirmDelete => render_confirm(
            theme,
            "Delete request?",
            &[&format!("Delete \"{}\"?", full_name(&state.draft))],
            area,
            frame,
        ),
        Mode::PickOperation {
            source,
            wsdl,
            selected,
        } => {
            let lines: Vec<Line> = wsdl
                .operations
                .iter()
                .enumerate()
                .map(|(i, op)| {
                    let params = op
                        .params
                        .iter()
                        .map(|p| format!("{}: {}", p.name, p.type_name))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let style = if i == *selected {
                        theme.selected()
                    } else {
                        Style::default()
                    };
                    Line::styled(format!(" {}({params})", op.name), style)
                })
                .collect();
            popup(
                theme,
                &format!("{source} · pick an operation · enter uses it"),
                lines,
                0,
                area,
                frame,
            );
        }
        Mode::Report {
            title,
            lines,
            scroll,
        } => {
            let lines = lines.iter().map(|l| Line::from(l.clone())).collect();
            popup(
                theme,
                &format!("{title} · esc closes"),
                lines,
                *scroll,
                area,
                frame,
            );
        }
        Mode::Input { purpose, input } => {
            // Aligned with the text after the prompt's label.
            let indent = u16::try_from(purpose.label().chars().count() + 2).unwrap_or(0);
            render_completion(input, indent, theme, body, frame);
        }
        _ => {}
    }
}

/// A file prompt's candidates (dim) and why a tab did nothing (warn), on the lines just above
/// the prompt (as the import wizard shows them under its file line), from column `indent`
/// (under the text typed) when that leaves room.
fn render_completion(
    input: &PathInput,
    indent: u16,
    theme: &Theme,
    above: Rect,
    frame: &mut Frame,
) {
    let mut lines = Vec::new();
    if !input.candidates.is_empty() {
        lines.push(Line::styled(input.candidates.join("  "), theme.dim()));
    }
    if let Some(message) = &input.message {
        lines.push(Line::styled(message.clone(), theme.warn()));
    }
    if lines.is_empty() {
        return;
    }
    let indent = if indent < above.width / 2 { indent } else { 0 };
    let width = above.width - indent;
    let rows: usize = lines
        .iter()
        .map(|l| l.width().div_ceil(usize::from(width.max(1))).max(1))
        .sum();
    let height = u16::try_from(rows)
        .unwrap_or(u16::MAX)
        .min(6)
        .min(above.height);
    let rows = Rect {
        y: above.bottom() - height,
        height,
        ..above
    };
    frame.render_widget(Clear, rows);
    let text = Rect {
        x: rows.x + indent,
        width,
        ..rows
    };
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), text);
}

fn popup(
    theme: &Theme,
    title: &str,
    lines: Vec<Line>,
    scroll: usize,
    area: Rect,
    frame: &mut Frame,
) {
    let width = lines
        .iter()
        .map(Line::width)
        .max()
        .unwrap_or(20)
        .max(title.chars().count() + 4)
        .min(usize::from(area.width.saturating_sub(4))) as u16
        + 4;
    let height = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
    let rect = centered(area, width, height);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0))
            .block(pane_block(Line::from(format!(" {title} ")), true, theme)),
        rect,
    );
}

pub(super) fn method_style(method: &str, theme: &Theme) -> Style {
    match method {
        "GET" => theme.ok(),
        "POST" | "PUT" | "PATCH" => theme.warn(),
        "DELETE" => theme.error(),
        _ => theme.label(),
    }
}

pub(super) fn highlighted(kind: BodyKind, line: &str, theme: &Theme) -> Line<'static> {
    Line::from(
        highlight(kind, line)
            .into_iter()
            .map(|(tok, text)| {
                let style = match tok {
                    Tok::Plain => Style::default(),
                    Tok::Key => theme.key(),
                    Tok::Str => theme.ok(),
                    Tok::Literal => theme.warn(),
                    Tok::Tag => theme.label(),
                    Tok::Attr => theme.dim(),
                };
                Span::styled(text.to_string(), style)
            })
            .collect::<Vec<_>>(),
    )
}

fn render_response(
    state: &ComposerState,
    theme: &Theme,
    focused: bool,
    area: Rect,
    frame: &mut Frame,
) {
    let title = match &state.response {
        Some(r) => {
            let status_style = match r.status {
                200..=299 => theme.ok(),
                300..=399 => theme.label(),
                400..=499 => theme.warn(),
                _ => theme.error(),
            };
            let tab = match state.response_tab {
                ResponseTab::Body => format!("Body · H headers({})", r.headers.len()),
                ResponseTab::Headers => format!("Headers({}) · H body", r.headers.len()),
            };
            let mut spans = vec![
                Span::raw(" "),
                Span::styled(format!("{} {}", r.status, r.reason), status_style),
                Span::raw(format!(
                    " · {} · {} B",
                    human::elapsed(r.elapsed),
                    group_thousands(r.size)
                )),
            ];
            // What the lines shown are comes before the hints, so a narrow pane keeps it.
            if let Some(f) = &state.filter {
                spans.push(Span::styled(format!(" · filter {f}"), theme.key()));
            }
            if !state.find.is_empty() {
                spans.push(Span::styled(
                    format!(" · /{} ({} lines)", state.find, state.matches.len()),
                    theme.key(),
                ));
            }
            spans.push(Span::raw(format!(" · {tab} ")));
            Line::from(spans)
        }
        None if state.is_sending() => Line::styled(" sending… (esc cancels) ", theme.warn()),
        None => Line::from(" Response "),
    };
    let block = pane_block(title, focused, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(r) = &state.response else {
        return;
    };
    let mut top = Vec::new();
    if let Some(e) = &state.filter_error {
        let lead = format!("filter {} not applied: ", e.expr);
        top.push(Line::styled(format!("{lead}{}", e.message), theme.error()));
        if let Some(at) = e.at {
            // A caret under the character where the expression goes wrong.
            let column = "filter ".chars().count() + at;
            top.push(Line::styled(
                format!("{}^", " ".repeat(column)),
                theme.error(),
            ));
        }
    }
    if let Some(f) = &r.fault {
        top.push(Line::styled(
            format!("Fault {}", f.code),
            theme.error().add_modifier(Modifier::BOLD),
        ));
        top.push(Line::styled(f.message.clone(), theme.error()));
    }
    if r.renewed {
        top.push(Line::styled(
            "The first answer was INVALID_SESSION_ID: the token was renewed and the request sent again.",
            theme.warn(),
        ));
    }
    if let Some(file) = &r.file {
        top.push(Line::styled(
            format!("Preview; the whole body is in {}", file.display()),
            theme.dim(),
        ));
    }
    // Fault and notes wrap: their height is what they take at this width (at most half).
    let width = usize::from(inner.width.max(1));
    let top_height = top
        .iter()
        .map(|l| l.width().max(1).div_ceil(width))
        .sum::<usize>()
        .min(usize::from(inner.height / 2));
    let [head, rest] = Layout::vertical([
        Constraint::Length(u16::try_from(top_height).unwrap_or(0)),
        Constraint::Fill(1),
    ])
    .areas(inner);
    if !top.is_empty() {
        frame.render_widget(
            Paragraph::new(top)
                .wrap(Wrap { trim: false })
                .block(Block::default().borders(Borders::NONE)),
            head,
        );
    }
    let height = usize::from(rest.height);
    let lines: Vec<Line> = state
        .shown
        .lines
        .iter()
        .enumerate()
        .skip(state.scroll)
        .take(height)
        .map(|(i, l)| {
            let line = highlighted(state.shown.kind, l, theme);
            if state.matches.binary_search(&i).is_ok() {
                line.style(Style::default().add_modifier(Modifier::REVERSED))
            } else {
                line
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), rest);
}

fn render_footer(model: &Model, theme: &Theme, area: Rect, frame: &mut Frame) {
    let state = &model.composer;
    if let Mode::Input { purpose, input } = &state.mode {
        let input = &input.input;
        let label = format!("{}: ", purpose.label());
        let width = usize::from(area.width).saturating_sub(label.chars().count());
        let (value, col) = super::text_input::line(
            input,
            u16::try_from(width).unwrap_or(u16::MAX),
            ratatui::style::Style::default(),
        );
        let mut spans = vec![Span::styled(label.clone(), theme.key())];
        spans.extend(value.spans);
        frame.render_widget(Paragraph::new(Line::from(spans)), area);
        let x = label.chars().count() + usize::from(col);
        frame.set_cursor_position(Position {
            x: area.x
                + u16::try_from(x)
                    .unwrap_or(0)
                    .min(area.width.saturating_sub(1)),
            y: area.y,
        });
        return;
    }
    let line = if let Some(note) = &state.note {
        Line::styled(note.clone(), theme.warn())
    } else {
        let hints: &[(Context, Action, &str)] = match (&state.mode, state.section) {
            (Mode::Body(_), _) => &[
                (Context::ComposerBody, Action::Cancel, "done"),
                (Context::ComposerBody, Action::SendRequest, "send"),
                (Context::ComposerBody, Action::SaveRequest, "save"),
            ],
            (
                Mode::InPlace {
                    spot: Spot::Path, ..
                },
                _,
            ) => &[
                (Context::ComposerInline, Action::Submit, "done"),
                (Context::ComposerInline, Action::Cancel, "put back"),
                (Context::ComposerInline, Action::PathPrefix, "prefix"),
                (Context::ComposerInline, Action::SendRequest, "send"),
            ],
            (Mode::InPlace { .. }, _) => &[
                (Context::ComposerInline, Action::Submit, "done"),
                (Context::ComposerInline, Action::NextField, "other cell"),
                (Context::ComposerInline, Action::Cancel, "put back"),
                (Context::ComposerInline, Action::SendRequest, "send"),
            ],
            (_, Section::Requests) if !state.tree_filter.is_empty() => &[
                (Context::Composer, Action::OpenItem, "open"),
                (Context::Global, Action::Cancel, "clear filter"),
                (Context::Composer, Action::Find, "filter"),
                (Context::Composer, Action::UndoRequest, "undo"),
            ],
            (_, Section::Requests) => &[
                (Context::Composer, Action::OpenItem, "open"),
                (Context::Composer, Action::Find, "filter"),
                (Context::Composer, Action::NewRequest, "new"),
                (Context::Composer, Action::UndoRequest, "undo"),
                (Context::Composer, Action::NextSection, "editor"),
                (Context::Composer, Action::ImportPostman, "import"),
                (Context::Composer, Action::LoadWsdl, "WSDL"),
            ],
            (_, Section::Editor) => &[
                (Context::Composer, Action::OpenItem, "edit"),
                (Context::Composer, Action::CycleMethod, "method"),
                (Context::ComposerEditor, Action::AddRow, "add row"),
                (Context::Composer, Action::EditBody, "body"),
                (Context::Composer, Action::SendRequest, "send"),
                (Context::Composer, Action::SaveRequest, "save"),
                (Context::Composer, Action::ExportCurl, "curl"),
            ],
            (_, Section::Response) if state.filter.is_some() || !state.find.is_empty() => &[
                (Context::Global, Action::Cancel, "clear filter/find"),
                (Context::ComposerResponse, Action::Find, "find"),
                (Context::ComposerResponse, Action::FilterBody, "filter"),
                (Context::ComposerResponse, Action::ToggleHeaders, "headers"),
                (Context::ComposerResponse, Action::SaveBody, "save"),
            ],
            (_, Section::Response) => &[
                (Context::ComposerResponse, Action::Find, "find"),
                (Context::ComposerResponse, Action::FilterBody, "filter"),
                (Context::ComposerResponse, Action::ToggleHeaders, "headers"),
                (Context::ComposerResponse, Action::SaveBody, "save"),
                (Context::ComposerResponse, Action::CopyBody, "copy"),
            ],
        };
        let mut spans = Vec::new();
        for (context, action, label) in hints {
            spans.push(Span::styled(
                model.keymap.hint(&[*context], *action),
                theme.key(),
            ));
            spans.push(Span::raw(format!(" {label}  ")));
        }
        Line::from(spans)
    };
    frame.render_widget(Paragraph::new(line), area);
}
