//! The Records tab's popups: the column chooser and the export jobs.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, List, ListItem, ListState};

use crate::state::records::{ListView, RecordsState};
use crate::ui::{Theme, centered, pane_block};

/// The column chooser; `reset_key` is the key of "back to the default columns" (its footer).
#[allow(clippy::too_many_arguments)]
pub(super) fn render_chooser(
    view: &ListView,
    describe: Option<&crate::sf::SObjectDescribe>,
    choices: &[(String, bool)],
    selected: usize,
    reset_key: &str,
    theme: &Theme,
    area: Rect,
    frame: &mut Frame,
) {
    let popup = centered(area, 64, area.height.saturating_sub(2).max(6));
    frame.render_widget(Clear, popup);
    let mut footer = vec![Span::raw(" ")];
    if !reset_key.is_empty() {
        footer.push(Span::styled(reset_key.to_owned(), theme.key()));
        footer.push(Span::raw(" default columns · "));
    }
    footer.push(Span::raw("esc closes "));
    let block: Block = pane_block(
        Line::from(format!(
            " {} columns · space toggles · enter applies ",
            view.object
        )),
        true,
        theme,
    )
    .title_bottom(Line::from(footer));
    let items: Vec<ListItem> = choices
        .iter()
        .map(|(name, on)| {
            let about = describe
                .and_then(|d| d.field(name))
                .map_or_else(String::new, |f| {
                    if f.label.is_empty() {
                        f.field_type.clone()
                    } else {
                        format!("{} · {}", f.label, f.field_type)
                    }
                });
            ListItem::new(Line::from(vec![
                Span::styled(if *on { "[x] " } else { "[ ] " }, theme.key()),
                Span::raw(format!("{name:<28} ")),
                Span::styled(about, theme.dim()),
            ]))
        })
        .collect();
    let mut state = ListState::default().with_selected(Some(selected));
    frame.render_stateful_widget(
        List::new(items)
            .block(block)
            .highlight_style(theme.selected()),
        popup,
        &mut state,
    );
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
