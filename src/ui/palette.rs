//! The command palette popup.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, List, ListItem, ListState, Paragraph};

use super::{Theme, centered, pane_block};
use crate::keymap::Context;
use crate::state::Model;
use crate::state::palette::PaletteState;

pub fn render(model: &Model, palette: &PaletteState, theme: &Theme, area: Rect, frame: &mut Frame) {
    let popup = centered(area, 70, 18);
    frame.render_widget(Clear, popup);
    let block = pane_block(Line::from(" Commands "), true, theme);
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    if inner.height < 2 {
        return;
    }
    let query_area = Rect { height: 1, ..inner };
    let list_area = Rect {
        y: inner.y + 2,
        height: inner.height.saturating_sub(2),
        ..inner
    };
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled("> ", theme.key()),
            Span::raw(palette.input.value()),
        ])),
        query_area,
    );
    let cursor_x = query_area.x + 2 + palette.input.visual_cursor() as u16;
    if cursor_x < query_area.right() {
        frame.set_cursor_position(Position {
            x: cursor_x,
            y: query_area.y,
        });
    }
    let contexts = [
        Context::Profiles,
        Context::Token,
        Context::List,
        Context::Global,
    ];
    let items: Vec<ListItem> = if palette.matches.is_empty() {
        vec![ListItem::new(Line::styled(
            "no command matches",
            theme.dim(),
        ))]
    } else {
        palette
            .matches
            .iter()
            .map(|action| {
                let key = model.keymap.hint(&contexts, *action);
                ListItem::new(Line::from(vec![
                    Span::raw(format!("{:<44}", action.help())),
                    Span::styled(key, theme.key()),
                ]))
            })
            .collect()
    };
    let mut state = ListState::default()
        .with_selected((!palette.matches.is_empty()).then_some(palette.selected));
    frame.render_stateful_widget(
        List::new(items).highlight_style(theme.selected()),
        list_area,
        &mut state,
    );
}
