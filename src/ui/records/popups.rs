//! The Records tab's popups: the column chooser and the export jobs.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, List, ListItem, ListState};

use crate::state::fuzzy::Hit;
use crate::state::records::{Choice, ChoiceKind, ListView, RecordsState};
use crate::state::text_input::TextInput;
use crate::ui::theme::highlighted;
use crate::ui::{Theme, centered, pane_block};

/// What the column chooser shows.
pub(super) struct Chooser<'a> {
    pub choices: &'a [Choice],
    /// The choices the filter lets through, with the matched letters of each name.
    pub rows: Vec<Hit<usize>>,
    pub selected: usize,
    pub filter: &'a TextInput,
    /// The filter line has the keys (the cursor is in it).
    pub typing: bool,
    /// The key of "back to the default columns" and of the filter (the footer).
    pub reset_key: String,
    pub find_key: String,
}

/// The column chooser: the fields (filtered as you type after `/`, the matched letters
/// highlighted), the filter line, and the keys in the footer.
pub(super) fn render_chooser(
    view: &ListView,
    chooser: &Chooser<'_>,
    theme: &Theme,
    area: Rect,
    frame: &mut Frame,
) {
    let popup = centered(area, 72, area.height.saturating_sub(2).max(6));
    frame.render_widget(Clear, popup);
    let mut footer = vec![Span::raw(" ")];
    for (key, what) in [
        (&chooser.find_key, " filter · "),
        (&chooser.reset_key, " default columns · "),
    ] {
        if !key.is_empty() {
            footer.push(Span::styled(key.clone(), theme.key()));
            footer.push(Span::raw(what));
        }
    }
    let filtered = !chooser.filter.text().is_empty();
    footer.push(Span::raw(if filtered {
        "esc clears the filter "
    } else {
        "esc closes "
    }));
    let block: Block = pane_block(
        Line::from(format!(
            " {} columns · space toggles · enter applies ",
            view.object
        )),
        true,
        theme,
    )
    .title_bottom(Line::from(footer));
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let show_line = chooser.typing || filtered;
    let (list_area, line_area) = if show_line && inner.height > 1 {
        let list = Rect {
            height: inner.height - 1,
            ..inner
        };
        let line = Rect {
            y: inner.y + inner.height - 1,
            height: 1,
            ..inner
        };
        (list, Some(line))
    } else {
        (inner, None)
    };
    let mut items: Vec<ListItem> = chooser
        .rows
        .iter()
        .filter_map(|hit| {
            let choice = chooser.choices.get(hit.item)?;
            // Rows under a parent are indented; a filtered list is flat.
            let indent = if filtered { 0 } else { choice.depth * 2 };
            let mark = match &choice.kind {
                ChoiceKind::Parent { open: true, .. } => "▾ ",
                ChoiceKind::Parent { .. } => "▸ ",
                _ if choice.on => "[x] ",
                _ => "[ ] ",
            };
            let mut spans = vec![
                Span::raw(" ".repeat(indent)),
                Span::styled(mark, theme.key()),
            ];
            spans.extend(highlighted(&choice.path, &hit.positions, theme.matched()));
            let width = indent + mark.chars().count() + choice.path.chars().count();
            let pad = 32usize.saturating_sub(width);
            spans.push(Span::raw(format!("{} ", " ".repeat(pad))));
            let about = match &choice.kind {
                ChoiceKind::Parent {
                    open: true,
                    loaded: false,
                    ..
                } => format!("{} · loading…", choice.about),
                _ => choice.about.clone(),
            };
            spans.push(Span::styled(about, theme.dim()));
            Some(ListItem::new(Line::from(spans)))
        })
        .collect();
    if items.is_empty() {
        items.push(ListItem::new(Line::styled(
            "No field matches the filter.",
            theme.warn(),
        )));
    }
    let selected = (!chooser.rows.is_empty()).then_some(chooser.selected);
    let mut state = ListState::default().with_selected(selected);
    frame.render_stateful_widget(
        List::new(items).highlight_style(theme.selected()),
        list_area,
        &mut state,
    );
    if let Some(line_area) = line_area {
        crate::ui::text_input::render_labelled(
            chooser.filter,
            "filter: ",
            chooser.typing,
            theme,
            line_area,
            frame,
        );
    }
}

pub(super) fn render_exports(
    records: &RecordsState,
    selected: usize,
    theme: &Theme,
    area: Rect,
    frame: &mut Frame,
) {
    let popup = centered(area, area.width.saturating_sub(4).min(96), 12);
    frame.render_widget(Clear, popup);
    let block = pane_block(
        Line::from(" Export jobs · a aborts · esc closes "),
        true,
        theme,
    );
    let items: Vec<ListItem> = if records.exports.is_empty() {
        vec![ListItem::new(Line::styled(
            "No exports yet: x exports the current view.",
            theme.dim(),
        ))]
    } else {
        records
            .exports
            .iter()
            .map(|e| {
                let style = if e.error.is_some() {
                    theme.error()
                } else if e.finished {
                    Style::default()
                } else {
                    theme.warn()
                };
                let mut text = format!("{:<10} {}", e.object, e.summary());
                if e.finished {
                    text.push_str(" · done");
                }
                let detail = match &e.error {
                    Some(error) => error.clone(),
                    None => e.path.display().to_string(),
                };
                ListItem::new(vec![
                    Line::styled(text, style),
                    Line::styled(format!("  {detail}"), theme.dim()),
                ])
            })
            .collect()
    };
    let mut state =
        ListState::default().with_selected((!records.exports.is_empty()).then_some(selected));
    frame.render_stateful_widget(
        List::new(items)
            .block(block)
            .highlight_style(theme.selected()),
        popup,
        &mut state,
    );
}
