//! The main area: tabs Records · Composer · History · Log, each drawn by its own pane module.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

use super::{Theme, pane_block};
use crate::state::{Focus, Model, Tab};

pub fn render(model: &Model, theme: &Theme, area: Rect, frame: &mut Frame) {
    let mut title = vec![Span::raw(" ")];
    for (i, tab) in Tab::ALL.iter().enumerate() {
        if i > 0 {
            title.push(Span::styled(" · ", theme.dim()));
        }
        let style = if *tab == model.tab {
            theme.key().add_modifier(Modifier::UNDERLINED)
        } else {
            theme.label()
        };
        title.push(Span::styled(format!("{} {}", i + 1, tab.title()), style));
    }
    title.push(Span::raw(" "));
    if model.tab == Tab::Records
        && let Some(view) = model.detail.top()
    {
        let depth = model.detail.views.len();
        let focused = model.focus == Focus::Main;
        super::record_detail::render(view, depth, &model.keymap, focused, theme, area, frame);
        return;
    }
    let block = pane_block(Line::from(title), model.focus == Focus::Main, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    match model.tab {
        Tab::Records => super::records::render(model, theme, inner, frame),
        Tab::Composer => super::composer::render(model, theme, inner, frame),
        Tab::History => super::history::render(model, theme, inner, frame),
        Tab::Log => super::api_log::render(model, theme, inner, frame),
    }
}
