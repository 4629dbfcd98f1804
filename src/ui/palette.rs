//! The command palette popup.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, List, ListItem, ListState};

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
    super::text_input::render_labelled(&palette.input, "> ", true, theme, query_area, frame);
    // The panes' own keys first, then any context that binds the action.
    let first = [
        Context::Profiles,
        Context::Token,
        Context::List,
        Context::Global,
    ];
    let contexts: Vec<Context> = first
        .iter()
        .chain(Context::ALL.iter().filter(|c| !first.contains(c)))
        .copied()
        .collect();
    let width = usize::from(list_area.width);
    let items: Vec<ListItem> = if palette.matches.is_empty() {
        vec![ListItem::new(Line::styled(
            "no command matches",
            theme.dim(),
        ))]
    } else {
        palette
            .matches
            .iter()
            .zip(&palette.highlights)
            .map(|(action, positions)| {
                let key = model.keymap.hint(&contexts, *action);
                let (text, key) = row(action.help(), &key, width);
                let mut spans = super::theme::highlighted(&text, positions, theme.matched());
                spans.push(Span::styled(key, theme.key()));
                ListItem::new(Line::from(spans))
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

/// One palette row `width` characters wide: the help text (cut with "…" when long) and the key
/// right-aligned, with at least one space between them.
pub fn row(help: &str, key: &str, width: usize) -> (String, String) {
    let key_width = key.chars().count();
    if key_width == 0 {
        return (super::records::fit(help, width), String::new());
    }
    let text_width = width.saturating_sub(key_width + 1);
    let text = super::records::fit(help, text_width);
    let gap = width.saturating_sub(text.chars().count() + key_width);
    (format!("{text}{}", " ".repeat(gap)), key.to_string())
}

#[cfg(test)]
mod tests {
    use super::row;

    #[test]
    fn a_long_help_text_is_cut_and_the_key_stays_right_aligned() {
        let (text, key) = row(
            "Ask Salesforce when the token expires (introspection)",
            "i",
            40,
        );
        assert_eq!(format!("{text}{key}").chars().count(), 40);
        assert!(text.ends_with("… "), "{text:?}");
        assert_eq!(key, "i");
        let (text, key) = row("Focus the token pane", "alt-2", 30);
        assert_eq!(format!("{text}{key}"), "Focus the token pane     alt-2");
        let (text, key) = row("No key here at all, long", "", 10);
        assert_eq!((text.as_str(), key.as_str()), ("No key he…", ""));
    }
}
