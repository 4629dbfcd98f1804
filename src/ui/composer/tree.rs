//! The tree of saved requests: folders and requests, the filter's matched characters
//! highlighted, and the filter in the title.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::method_style;
use crate::requests::request::RequestKind;
use crate::state::composer::{ComposerState, Row};
use crate::ui::theme::highlighted;
use crate::ui::{Theme, pane_block};

pub(super) fn render(
    state: &ComposerState,
    theme: &Theme,
    focused: bool,
    area: Rect,
    frame: &mut Frame,
) {
    let filter = state.tree_filter_text();
    let hits = state.row_hits();
    let title = if filter.is_empty() {
        " Requests ".to_string()
    } else {
        let count = hits
            .iter()
            .filter(|h| matches!(h.item, Row::Request { .. }))
            .count();
        format!(" /{filter} · {count} of {} ", state.requests.len())
    };
    let block = pane_block(Line::from(title), focused, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let mut lines = Vec::new();
    if state.requests.is_empty() {
        lines.push(Line::styled("No saved requests.", theme.dim()));
        lines.push(Line::styled("n new · i import Postman", theme.dim()));
    } else if hits.is_empty() {
        lines.push(Line::styled(
            format!("Nothing matches \"{filter}\"."),
            theme.warn(),
        ));
        lines.push(Line::styled("esc clears the filter", theme.dim()));
    }
    let height = usize::from(inner.height);
    let first = state.selected.saturating_sub(height.saturating_sub(1));
    for (i, hit) in hits.iter().enumerate().skip(first).take(height) {
        let mut line = match &hit.item {
            Row::Folder { path, collapsed } => {
                let mark = if *collapsed { "▸" } else { "▾" };
                let mut spans = vec![
                    Span::raw("  ".repeat(path.len() - 1)),
                    Span::styled(format!("{mark} "), theme.label()),
                ];
                let name = path.last().map_or("", String::as_str);
                spans.extend(
                    highlighted(name, &hit.positions, theme.matched())
                        .into_iter()
                        .map(|mut s| {
                            s.style = theme.label().patch(s.style);
                            s
                        }),
                );
                Line::from(spans)
            }
            Row::Request { index, depth } => {
                let Some(r) = state.requests.get(*index) else {
                    continue;
                };
                let method = if r.kind == RequestKind::Soap {
                    "SOAP".to_string()
                } else {
                    r.method.clone()
                };
                let mut spans = vec![
                    Span::raw("  ".repeat(*depth)),
                    Span::styled(format!("{method:<6} "), method_style(&r.method, theme)),
                ];
                spans.extend(highlighted(&r.name, &hit.positions, theme.matched()));
                Line::from(spans)
            }
        };
        if i == state.selected {
            line = line.style(if focused {
                theme.selected()
            } else {
                Style::default().add_modifier(Modifier::UNDERLINED)
            });
        }
        lines.push(line);
    }
    for e in &state.list_errors {
        lines.push(Line::styled(e.clone(), theme.error()));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
