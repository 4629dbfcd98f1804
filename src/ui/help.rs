//! The help overlay, generated from the keymap: the keys of the focused pane, then the global ones.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::{Theme, centered, pane_block};
use crate::keymap::Context;
use crate::state::{Focus, Model};

pub fn render(model: &Model, theme: &Theme, scroll: u16, area: Rect, frame: &mut Frame) {
    let popup = centered(area, 96, area.height.saturating_sub(4).max(10));
    frame.render_widget(Clear, popup);
    let pane_contexts: &[Context] = match model.focus {
        _ if model.check.open => &[Context::Check, Context::List],
        Focus::Profiles => &[Context::Profiles, Context::List],
        Focus::Token => &[Context::Token],
        Focus::Main => match model.tab {
            crate::state::Tab::Composer => &[
                Context::Composer,
                Context::ComposerEditor,
                Context::ComposerResponse,
                Context::ComposerBody,
                Context::ComposerInput,
                Context::List,
            ],
            crate::state::Tab::History => &[Context::History, Context::List],
            crate::state::Tab::Records if model.detail.is_open() => &[
                Context::Detail,
                Context::List,
                Context::FieldEditor,
                Context::TextEditor,
                Context::Conflict,
            ],
            crate::state::Tab::Records => &[
                Context::Records,
                Context::List,
                Context::RecordsInput,
                Context::RecordsPopup,
                Context::RecordsImport,
                Context::RecordsImportInput,
            ],
        },
    };
    let mut lines = Vec::new();
    for context in pane_contexts
        .iter()
        .chain([Context::Global, Context::Form].iter())
    {
        lines.push(Line::styled(section_title(*context), theme.warn()));
        for (action, keys) in model.keymap.bindings_in(*context) {
            let keys = keys
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" / ");
            lines.push(Line::from(vec![
                Span::styled(format!("  {keys:<22}"), theme.key()),
                Span::raw(action.help()),
            ]));
        }
        lines.push(Line::from(""));
    }
    lines.push(Line::styled(
        "Keys can be changed in config.toml: [keys.<table>] action = [\"key\", ...]",
        theme.dim(),
    ));
    if let Some(path) = &model.log_path {
        lines.push(Line::styled(format!("Log file: {path}"), theme.dim()));
    }
    let block = pane_block(Line::from(" Help · esc closes · j/k scroll "), true, theme);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0))
            .block(block),
        popup,
    );
}

fn section_title(context: Context) -> &'static str {
    match context {
        Context::Profiles => "Profiles",
        Context::List => "Lists",
        Context::Token => "Token",
        Context::Global => "Everywhere",
        Context::Form => "Forms",
        Context::Prompt => "Prompts",
        Context::Palette => "Command palette",
        Context::Confirm => "Questions",
        Context::Help => "Help",
        Context::Check => "Setup check",
        Context::Composer => "Composer",
        Context::ComposerEditor => "Composer editor",
        Context::ComposerResponse => "Composer response",
        Context::ComposerInput => "Composer input",
        Context::ComposerBody => "Body editor",
        Context::ComposerPopup => "Composer pickers",
        Context::History => "History",
        Context::Records => "Records",
        Context::RecordsInput => "Records: text lines",
        Context::RecordsPopup => "Records: columns and exports",
        Context::RecordsImport => "Records: import",
        Context::RecordsImportInput => "Records: import lines (path, field filter)",
        Context::Detail => "Record detail",
        Context::FieldEditor => "Field editor",
        Context::TextEditor => "Text editor",
        Context::Conflict => "Save conflict",
        Context::Drafts => "Drafts",
        Context::LeaveStaged => "Staged changes",
    }
}
