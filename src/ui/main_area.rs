//! The main area: tabs Records · Composer · History. Their panes arrive with later work; until
//! then each tab says plainly what it will hold, with no made-up data.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

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
    if model.tab == Tab::Records {
        let inner = block.inner(area);
        frame.render_widget(block, area);
        super::records::render(model, theme, inner, frame);
        return;
    }
    let text = match model.tab {
        Tab::Records => {
            "Not yet: the record browser (Account, Contact, Lead lists, detail view and keyboard editing) is not built yet."
        }
        Tab::Composer => {
            "Not yet: the request composer for Apex REST and Apex SOAP services is not built yet."
        }
        Tab::History => "Not yet: the history of sent requests is not built yet.",
    };
    let lines = vec![
        Line::from(""),
        Line::styled(text, theme.dim()),
        Line::from(""),
        Line::styled(
            "Profiles and the token pane on the left work today.",
            theme.label(),
        ),
    ];
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: true }).block(block),
        area,
    );
}
