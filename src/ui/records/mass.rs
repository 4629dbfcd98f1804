//! The mass edit on screen: the selection count beside the load progress, the staged edit's
//! line under the list, and its popups (the field chooser, the field's editor, the questions
//! before saving on production and before deleting, the rows that failed).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, List, ListItem, ListState};

use super::fit;
use crate::action::Action;
use crate::human::group_thousands;
use crate::keymap::Context;
use crate::state::Model;
use crate::state::records::MassPopup;
use crate::ui::theme::highlighted;
use crate::ui::{Theme, centered, pane_block, render_confirm, render_typed_confirm};

/// "12 selected" for the header's right side (empty without a selection).
pub(super) fn selected_label(model: &Model) -> String {
    let records = &model.records;
    match records.mass.count(&records.view().object) {
        0 => String::new(),
        n => format!("{} selected", group_thousands(n as u64)),
    }
}

/// The staged edit's line: "Industry = Energy for 50 selected · ctrl-s save · u undo".
pub(super) fn staged_line(model: &Model, theme: &Theme) -> Option<Line<'static>> {
    let edit = model.records.mass.staged.as_ref()?;
    let hint = |action| model.keymap.hint(&[Context::Records], action);
    let mut spans = vec![
        Span::styled("staged: ", theme.warn()),
        Span::styled(
            format!(
                "{} for {} selected {}",
                edit.summary(),
                group_thousands(edit.ids.len() as u64),
                edit.object
            ),
            theme.ok(),
        ),
    ];
    if model.records.mass.is_sending() {
        spans.push(Span::styled(" · sending…", theme.dim()));
    } else {
        for (action, what) in [
            (Action::SaveMassEdit, " save"),
            (Action::UndoMassEdit, " undo"),
        ] {
            spans.push(Span::styled(" · ", theme.dim()));
            spans.push(Span::styled(hint(action), theme.key()));
            spans.push(Span::styled(what, theme.dim()));
        }
    }
    Some(Line::from(spans))
}

/// Draws the open popup of the mass edit over the tab.
pub(super) fn render_popup(model: &Model, theme: &Theme, area: Rect, frame: &mut Frame) {
    let records = &model.records;
    let Some(popup) = &records.mass.popup else {
        return;
    };
    let object = &records.view().object;
    let count = records.mass.count(object);
    match popup {
        MassPopup::Fields { filter, selected } => {
            render_fields(model, filter, *selected, theme, area, frame);
        }
        MassPopup::Editor(editor) => {
            let accept = format!("stage for {count} selected");
            let hint = crate::ui::field_editor::hint(editor, &model.keymap, &accept);
            crate::ui::field_editor::render(editor, &hint, theme, area, frame);
        }
        MassPopup::ConfirmSave => {
            let summary = records.mass.staged.as_ref().map_or_else(String::new, |e| {
                format!(
                    "Save {} on {} {} records",
                    e.summary(),
                    e.ids.len(),
                    e.object
                )
            });
            render_confirm(
                theme,
                "Save?",
                &[&format!("{summary} on PRODUCTION?")],
                area,
                frame,
            );
        }
        MassPopup::ConfirmDelete { typed } if records.production => render_typed_confirm(
            theme,
            &format!("Delete {count} {object} records on PRODUCTION?"),
            &format!("Type {count} to confirm:"),
            typed,
            area,
            frame,
        ),
        MassPopup::ConfirmDelete { .. } => {
            let question = format!("Delete {count} {object} records?");
            render_confirm(
                theme,
                "Delete?",
                &[&question, "They go to the recycle bin."],
                area,
                frame,
            );
        }
        MassPopup::Failures {
            title,
            rows,
            selected,
        } => {
            let popup_width = area.width.saturating_sub(4).min(100);
            let width = popup_width.saturating_sub(4) as usize;
            // Each row: its name and Id, then its error on up to three lines.
            let items: Vec<ListItem> = rows
                .iter()
                .map(|f| {
                    let who = if f.name == f.id {
                        f.id.clone()
                    } else {
                        format!("{} ({})", f.name, f.id)
                    };
                    let mut lines = vec![Line::raw(fit(&who, width).trim_end().to_owned())];
                    for part in wrap(&f.error, width.saturating_sub(2), 3) {
                        lines.push(Line::styled(format!("  {part}"), theme.error()));
                    }
                    ListItem::new(lines)
                })
                .collect();
            let height: usize = items.iter().map(ListItem::height).sum::<usize>() + 2;
            let height = u16::try_from(height)
                .unwrap_or(u16::MAX)
                .min(area.height.saturating_sub(2));
            let popup = centered(area, popup_width, height.max(5));
            frame.render_widget(Clear, popup);
            let block = pane_block(
                Line::from(format!(" {title} · they stay selected · esc closes ")),
                true,
                theme,
            );
            let mut state = ListState::default().with_selected(Some(*selected));
            frame.render_stateful_widget(
                List::new(items)
                    .block(block)
                    .highlight_style(theme.selected()),
                popup,
                &mut state,
            );
        }
    }
}

/// The field chooser: the updateable fields (label, API name, type), filtered as you type.
fn render_fields(
    model: &Model,
    filter: &crate::state::text_input::TextInput,
    selected: usize,
    theme: &Theme,
    area: Rect,
    frame: &mut Frame,
) {
    let records = &model.records;
    let object = &records.mass.object;
    let count = records.mass.count(object);
    let popup = centered(area, 72, area.height.saturating_sub(2).max(6));
    frame.render_widget(Clear, popup);
    let block = pane_block(
        Line::from(format!(
            " Set a field on {count} selected {object} · type to filter · enter picks · esc "
        )),
        true,
        theme,
    );
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    if inner.height < 2 {
        return;
    }
    let line_area = Rect { height: 1, ..inner };
    let list_area = Rect {
        y: inner.y + 1,
        height: inner.height - 1,
        ..inner
    };
    crate::ui::text_input::render_labelled(filter, "field: ", true, theme, line_area, frame);
    let describe = records.describe(object);
    let rows = records.mass_field_rows();
    let mut items: Vec<ListItem> = rows
        .iter()
        .filter_map(|hit| {
            let field = describe?.fields.get(hit.item)?;
            let mut spans = highlighted(&field.label, &hit.positions, theme.matched());
            let pad = 30usize.saturating_sub(field.label.chars().count());
            spans.push(Span::raw(" ".repeat(pad + 1)));
            spans.push(Span::styled(
                format!(
                    "{} · {}",
                    field.name,
                    crate::state::field_editor::type_label(field)
                ),
                theme.dim(),
            ));
            Some(ListItem::new(Line::from(spans)))
        })
        .collect();
    if items.is_empty() {
        items.push(ListItem::new(Line::styled(
            "No updateable field matches.",
            theme.warn(),
        )));
    }
    let mut state = ListState::default().with_selected((!rows.is_empty()).then_some(selected));
    frame.render_stateful_widget(
        List::new(items).highlight_style(theme.selected()),
        list_area,
        &mut state,
    );
}

/// Text on at most `max` lines of `width` characters, cut between words (the last line marked
/// "…" when more was left).
fn wrap(text: &str, width: usize, max: usize) -> Vec<String> {
    let width = width.max(10);
    let mut lines: Vec<String> = vec![String::new()];
    for word in text.split_whitespace() {
        if let Some(line) = lines.last()
            && !line.is_empty()
            && line.chars().count() + 1 + word.chars().count() > width
        {
            lines.push(String::new());
        }
        if let Some(line) = lines.last_mut() {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    if lines.len() > max {
        lines.truncate(max);
        if let Some(last) = lines.last_mut() {
            *last = format!("{last} …");
        }
    }
    lines
        .into_iter()
        .map(|l| fit(&l, width).trim_end().to_owned())
        .collect()
}
