//! The Records tab: object switcher, list header with load progress, the visible rows only
//! (virtual rendering: the cost follows the screen, not the loaded count), the text lines with
//! their errors and suggestions, and the column chooser / export jobs popups.
//!
//! Here the tab's layout and its header line; column looks and widths in `columns.rs`,
//! the list in `table.rs`, the footer and text lines in `footer.rs`, the popups in `popups.rs`.

mod columns;
mod footer;
mod import;
mod mass;
mod popups;
mod table;

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{SPINNER, Theme};
use crate::action::Action;
use crate::keymap::Context;
use crate::state::Model;
use crate::state::records::Popup;

pub use crate::ui::widths::fit;
pub use columns::{ColumnLook, column_look, column_widths, local_datetime};
use footer::footer_lines;
use popups::{Chooser, render_chooser, render_exports};
use table::render_list;

/// Draws the tab inside `area` (the main area's inner rectangle).
pub fn render(model: &Model, theme: &Theme, area: Rect, frame: &mut Frame) {
    let records = &model.records;
    if area.height < 3 || area.width < 10 {
        return;
    }
    let view = records.view();
    let footer = footer_lines(model, theme, area.width as usize);
    let footer_height = (footer.len() as u16).min(area.height.saturating_sub(3));
    let header = Rect { height: 1, ..area };
    frame.render_widget(
        Paragraph::new(header_line(model, theme, area.width)),
        header,
    );
    let list = Rect {
        y: area.y + 1,
        height: area.height - 1 - footer_height,
        ..area
    };
    let token = &model.token;
    let no_profile = match (&token.profile, &token.diagnosis) {
        _ if model.demo_org_is_starting() => {
            "The demo org is starting; it connects when it serves.".to_owned()
        }
        (Some(profile), _) if token.is_requesting() => {
            format!("Connecting {profile}… its records show once it connects.")
        }
        (Some(profile), Some(diagnosis)) => format!(
            "{profile} is not connected ({}): its records show once it connects.",
            diagnosis.title
        ),
        _ => "Connect a profile first.".to_owned(),
    };
    render_list(records, view, &model.tz, theme, list, &no_profile, frame);
    let footer_area = Rect {
        y: list.bottom(),
        height: footer_height,
        ..area
    };
    frame.render_widget(Paragraph::new(footer.clone()), footer_area);
    if let Some(line) = &records.input {
        let prompt_width = line.prompt().chars().count() as u16 + 2;
        let x =
            footer_area.x + prompt_width + u16::try_from(line.input().cursor()).unwrap_or(u16::MAX);
        if x < footer_area.right() && footer_area.height > 0 {
            frame.set_cursor_position(Position {
                x,
                y: footer_area.y,
            });
        }
    }
    match &records.popup {
        Some(Popup::Columns {
            choices,
            selected,
            filter,
            typing,
        }) => {
            let chooser = Chooser {
                choices,
                rows: records.chooser_rows(),
                selected: *selected,
                filter,
                typing: *typing,
                reset_key: model
                    .keymap
                    .hint(&[Context::RecordsPopup], Action::ResetColumns),
                find_key: model.keymap.hint(&[Context::RecordsPopup], Action::Find),
            };
            render_chooser(view, &chooser, theme, area, frame);
        }
        Some(Popup::Exports { selected }) => render_exports(records, *selected, theme, area, frame),
        None => {}
    }
    mass::render_popup(model, theme, area, frame);
    if let Some(wizard) = &records.import {
        import::render(wizard, theme, area, frame);
    }
}

fn header_line<'a>(model: &'a Model, theme: &Theme, width: u16) -> Line<'a> {
    let records = &model.records;
    let view = records.view();
    let mut spans = Vec::new();
    for (i, v) in records.views.iter().enumerate() {
        let style = if i == records.current {
            theme.key().add_modifier(Modifier::REVERSED)
        } else {
            theme.label()
        };
        spans.push(Span::styled(format!(" {} ", v.object), style));
        spans.push(Span::raw(" "));
    }
    let filter = match &view.filter {
        crate::state::records::Filter::None => String::new(),
        crate::state::records::Filter::Quick(text) => format!(" / {text}"),
        crate::state::records::Filter::Where(typed) => {
            format!(" WHERE {}", crate::state::records::soql::strip_where(typed))
        }
        crate::state::records::Filter::Soql(_) => " (SOQL line query)".to_owned(),
    };
    spans.push(Span::styled(filter.clone(), theme.warn()));
    let mut right = mass::selected_label(model);
    let progress = view.progress();
    if !right.is_empty() && !progress.is_empty() {
        right.push_str(" · ");
    }
    right.push_str(&progress);
    if view.loading() {
        right.push(' ');
        right.push_str(SPINNER[model.frame % SPINNER.len()]);
    }
    // Whose records these are: the profile the lists were loaded with.
    if let Some(profile) = &records.profile {
        if !right.is_empty() {
            right.push_str(" · ");
        }
        right.push_str(profile);
    }
    let width_of = |spans: &[Span]| spans.iter().map(Span::width).sum::<usize>();
    let right_width = right.chars().count();
    let mut used = width_of(&spans);
    if used + right_width + 1 > width as usize {
        // Narrow: only the current object, and the filter as much as fits (at least
        // "(filtered)"), so the load progress and the profile still show.
        let current = Span::styled(
            format!(" {} ", view.object),
            theme.key().add_modifier(Modifier::REVERSED),
        );
        let room = (width as usize).saturating_sub(current.width() + right_width + 1);
        let filter = match filter.chars().count() {
            0 => String::new(),
            n if n <= room => filter,
            _ if room >= 24 => fit(&filter, room),
            _ => " (filtered)".to_owned(),
        };
        spans = vec![current, Span::styled(filter, theme.warn())];
        used = width_of(&spans);
    }
    // Narrower still: the right side is cut rather than left out.
    let room = (width as usize).saturating_sub(used + 1);
    let right = if right.chars().count() > room {
        fit(&right, room)
    } else {
        right
    };
    let pad = (width as usize).saturating_sub(used + right.chars().count() + 1);
    if !right.is_empty() {
        spans.push(Span::raw(" ".repeat(pad.max(1))));
        spans.push(Span::styled(right, theme.label()));
    }
    Line::from(spans)
}
