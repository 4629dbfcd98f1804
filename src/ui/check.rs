//! The Setup check popup: a header with the counts, the items with a coloured status, and the
//! evidence, fix and "to see it" of the focused item.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::{SPINNER, Theme, centered, pane_block};
use crate::action::Action;
use crate::check::Status;
use crate::keymap::Context;
use crate::state::Model;

fn status_style(status: Status, theme: &Theme) -> Style {
    match status {
        Status::Pass => theme.ok(),
        Status::Warn => theme.warn(),
        Status::Fail => theme.error(),
        Status::NotVisible => theme.label(),
    }
}

/// The first key bound to `action` in `context`, for the footer.
fn key(model: &Model, context: Context, action: Action) -> String {
    model.keymap.hint(&[context], action)
}

pub fn render(model: &Model, theme: &Theme, area: Rect, frame: &mut Frame) {
    let state = &model.check;
    if !state.open {
        return;
    }
    let popup = centered(
        area,
        area.width.saturating_sub(6).min(110),
        area.height.saturating_sub(2),
    );
    frame.render_widget(Clear, popup);
    let block = pane_block(Line::from(" Setup check "), true, theme);
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    // The details get up to 9 rows, never so many that the list has fewer than 3.
    let detail_rows = inner.height.saturating_sub(6).clamp(3, 9);
    let [header, list, detail, footer] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(3),
        Constraint::Length(detail_rows),
        Constraint::Length(1),
    ])
    .areas(inner);

    // Header: what was checked and the counts (or the spinner).
    let mut head = Vec::new();
    if let Some(report) = &state.report {
        let c = report.counts();
        head.push(Line::from(vec![
            Span::raw(format!(
                "{} · {}  ",
                report.username.as_deref().unwrap_or("run-as user unknown"),
                report.instance_url.as_deref().unwrap_or("no instance"),
            )),
            Span::styled(format!("{} pass ", c.pass), theme.ok()),
            Span::styled(format!("{} warn ", c.warn), theme.warn()),
            Span::styled(format!("{} fail ", c.fail), theme.error()),
            Span::styled(format!("{} not visible", c.not_visible), theme.label()),
        ]));
    }
    if state.running.is_some() {
        head.push(Line::styled(
            format!(
                "{} checking… (esc closes and stops)",
                SPINNER[model.frame % SPINNER.len()]
            ),
            theme.warn(),
        ));
    } else if let Some(error) = &state.error {
        head.push(Line::styled(error.clone(), theme.error()));
    }
    frame.render_widget(Paragraph::new(head), header);

    // Items, scrolled so that the focused one is visible.
    if let Some(report) = &state.report {
        let height = usize::from(list.height).max(1);
        let offset = state.selected.saturating_sub(height - 1);
        let lines: Vec<Line> = report
            .items
            .iter()
            .enumerate()
            .skip(offset)
            .take(height)
            .map(|(i, item)| {
                let marker = if i == state.selected { "▸" } else { " " };
                let mut line = Line::from(vec![
                    Span::raw(marker),
                    Span::styled(
                        format!("{:<12}", item.status.label()),
                        status_style(item.status, theme),
                    ),
                    Span::raw(item.title.clone()),
                ]);
                if i == state.selected {
                    line = line.patch_style(theme.selected());
                }
                line
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), list);

        if let Some(item) = report.items.get(state.selected) {
            let mut text = vec![
                Line::from(vec![
                    Span::styled(item.status.label(), status_style(item.status, theme)),
                    Span::raw(format!("  {}", item.title)),
                ]),
                Line::from(vec![
                    Span::styled("Seen: ", theme.label()),
                    Span::raw(item.evidence.clone()),
                ]),
            ];
            if let Some(fix) = &item.fix {
                text.push(Line::from(vec![
                    Span::styled("Fix: ", theme.label()),
                    Span::raw(fix.clone()),
                ]));
            }
            if let Some(reveal) = &item.reveal {
                text.push(Line::from(vec![
                    Span::styled("To see it: ", theme.label()),
                    Span::raw(reveal.clone()),
                ]));
            }
            frame.render_widget(
                Paragraph::new(text)
                    .wrap(Wrap { trim: false })
                    .block(pane_block(Line::from(" Details "), false, theme)),
                detail,
            );
        }
    } else if state.running.is_none() && state.error.is_none() {
        frame.render_widget(Paragraph::new("No check has run yet."), list);
    }

    let footer_text = format!(
        "{}/{} move   {} run again   {} close",
        key(model, Context::List, Action::Down),
        key(model, Context::List, Action::Up),
        key(model, Context::Check, Action::RerunCheck),
        key(model, Context::Global, Action::Cancel),
    );
    frame.render_widget(
        Paragraph::new(Line::styled(footer_text, theme.key())),
        footer,
    );
}
