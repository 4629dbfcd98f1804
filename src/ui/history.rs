//! The History tab: sent requests newest first (status, time, size) over the selected one's
//! request and body preview.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::{Theme, centered, pane_block};
use crate::action::Action;
use crate::human::{self, group_thousands};
use crate::keymap::Context;
use crate::state::history::{Mode, shown_path};
use crate::state::{Focus, Model};

pub fn render(model: &Model, theme: &Theme, area: Rect, frame: &mut Frame) {
    let state = &model.history;
    let focused = model.focus == Focus::Main;
    let [list, detail, footer] = Layout::vertical([
        Constraint::Percentage(45),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let visible = state.visible_hits();
    let filter = state.filter_text();
    let title = if filter.is_empty() {
        format!(" Sent requests ({}) ", visible.len())
    } else {
        format!(
            " Sent requests ({} of {}) · filter \"{}\" ",
            visible.len(),
            state.entries.len(),
            filter
        )
    };
    let block = pane_block(Line::from(title), focused, theme);
    let inner = block.inner(list);
    frame.render_widget(block, list);
    let height = usize::from(inner.height);
    let first = state.selected.saturating_sub(height.saturating_sub(1));
    let mut lines = Vec::new();
    if state.entries.is_empty() {
        lines.push(Line::styled(
            "Nothing sent yet: requests sent from the Composer tab appear here.",
            theme.dim(),
        ));
    } else if visible.is_empty() {
        let count = state.entries.len();
        lines.push(Line::styled(
            format!(
                "None of the {count} sent request{} matches \"{}\".",
                if count == 1 { "" } else { "s" },
                filter
            ),
            theme.warn(),
        ));
        let esc = model.keymap.hint(&[Context::Global], Action::Cancel);
        let find = model.keymap.hint(&[Context::History], Action::Find);
        lines.push(Line::styled(
            format!("{esc} clears the filter ({find} then ctrl-u and enter edits it)."),
            theme.dim(),
        ));
    }
    for (i, hit) in visible.iter().enumerate().skip(first).take(height) {
        let e = hit.item;
        let status_style = match e.status {
            200..=299 => theme.ok(),
            400..=499 => theme.warn(),
            _ => theme.error(),
        };
        let time = e
            .time
            .to_zoned_datetime(model.tz.clone())
            .strftime("%m-%d %H:%M:%S")
            .to_string();
        let mut spans = vec![
            Span::styled(format!("{time} "), theme.dim()),
            Span::styled(format!("{:<4}", e.status), status_style),
            Span::styled(
                format!(
                    "{:>8} {:>7} B ",
                    human::elapsed(e.elapsed()),
                    group_thousands(e.size)
                ),
                theme.dim(),
            ),
            Span::raw(format!("{:<6} ", e.method)),
        ];
        spans.extend(super::theme::highlighted(
            shown_path(e),
            &hit.positions,
            theme.matched(),
        ));
        spans.push(Span::styled(format!("  {}", e.profile), theme.dim()));
        let line = Line::from(spans);
        lines.push(if i == state.selected {
            line.style(theme.selected())
        } else {
            line
        });
    }
    frame.render_widget(Paragraph::new(lines), inner);

    let block = pane_block(Line::from(" Request and response preview "), false, theme);
    let inner = block.inner(detail);
    frame.render_widget(block, detail);
    if let Some(e) = state.selected_entry() {
        let mut lines = vec![Line::from(vec![
            Span::styled(format!("{} ", e.method), theme.key()),
            Span::raw(e.url.clone()),
        ])];
        if let Some(name) = &e.name {
            lines.push(Line::styled(format!("saved request: {name}"), theme.dim()));
        }
        for (n, v) in &e.headers {
            lines.push(Line::styled(format!("{n}: {v}"), theme.dim()));
        }
        if let Some(body) = &e.body {
            lines.extend(body.lines().take(6).map(|l| Line::from(l.to_string())));
        }
        lines.push(Line::styled(
            format!("── response {} · {} B", e.status, group_thousands(e.size)),
            theme.label(),
        ));
        if let Some(preview) = state.selected_preview() {
            lines.extend(preview.lines.iter().map(|l| Line::from(l.clone())));
        }
        if e.truncated {
            lines.push(Line::styled("… (preview truncated)", theme.dim()));
        }
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
    }

    match &state.mode {
        Mode::Filter(input) => {
            super::text_input::render_labelled(input, "filter: ", true, theme, footer, frame);
        }
        Mode::PickProfile { selected } => {
            let lines: Vec<Line> = model
                .profiles
                .profiles
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    Line::styled(
                        format!(" {} ", p.name),
                        if i == *selected {
                            theme.selected()
                        } else {
                            Style::default()
                        },
                    )
                })
                .collect();
            let rect = centered(area, 44, lines.len() as u16 + 2);
            frame.render_widget(Clear, rect);
            frame.render_widget(
                Paragraph::new(lines).block(pane_block(
                    Line::from(" Replay with which profile? "),
                    true,
                    theme,
                )),
                rect,
            );
        }
        Mode::List => {
            let text = state.note.clone().unwrap_or_else(|| {
                let hints = "enter open in composer  r replay  R replay with profile…  / filter";
                if state.filter.is_empty() {
                    hints.to_string()
                } else {
                    format!("esc clear filter  {hints}")
                }
            });
            frame.render_widget(Paragraph::new(Line::styled(text, theme.dim())), footer);
        }
    }
}
