//! The record detail view's popups: the field editors, the conflict view, the questions
//! (delete, save on production, leave), the drafts offered at start and the quit question.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::key;
use crate::action::Action;
use crate::keymap::{Context, Keymap};
use crate::state::record_detail::Draft;
use crate::state::record_detail::{Popup, RecordDetailState};
use crate::ui::records::fit;
use crate::ui::{Theme, centered, pane_block, render_confirm, render_typed_confirm};

pub(super) fn render_popup(
    view: &RecordDetailState,
    keymap: &Keymap,
    theme: &Theme,
    area: Rect,
    frame: &mut Frame,
) {
    match &view.popup {
        Some(Popup::Editor(editor)) => {
            let hint = crate::ui::field_editor::hint(editor, keymap, "accept");
            crate::ui::field_editor::render(editor, &hint, theme, area, frame);
        }
        Some(Popup::Conflict(conflict)) => {
            render_conflict(view, conflict, keymap, theme, area, frame)
        }
        Some(Popup::ConfirmDelete { typed }) => {
            if view.production {
                let question = format!(
                    "Delete the {} '{}' on PRODUCTION?",
                    view.object,
                    view.title()
                );
                render_typed_confirm(
                    theme,
                    &question,
                    "Type the record's name to confirm:",
                    typed,
                    area,
                    frame,
                );
            } else {
                let question = format!("Delete the {} '{}'?", view.object, view.title());
                render_confirm(
                    theme,
                    "Delete?",
                    &[&question, "This cannot be undone here."],
                    area,
                    frame,
                );
            }
        }
        Some(Popup::ConfirmSave) => {
            let question = format!(
                "Save {} change(s) to '{}' on PRODUCTION?",
                view.staged.len(),
                view.title()
            );
            render_confirm(theme, "Save?", &[&question], area, frame);
        }
        Some(Popup::Leave) => {
            let n = view.staged.len();
            render_choice(
                theme,
                "Leave?",
                &format!(
                    "Discard {n} staged change{}?",
                    if n == 1 { "" } else { "s" }
                ),
                &format!(
                    "{} discard   {} keep as draft   {} stay",
                    key(keymap, Context::LeaveStaged, Action::Discard),
                    key(keymap, Context::LeaveStaged, Action::KeepDraft),
                    key(keymap, Context::LeaveStaged, Action::Cancel)
                ),
                area,
                frame,
            );
        }
        None => {}
    }
}

fn render_conflict(
    view: &RecordDetailState,
    conflict: &crate::state::record_detail::Conflict,
    keymap: &Keymap,
    theme: &Theme,
    area: Rect,
    frame: &mut Frame,
) {
    let rows = view.staged.len() as u16;
    let popup = centered(area, area.width.saturating_sub(4).min(110), rows + 8);
    frame.render_widget(Clear, popup);
    let title = match conflict.server.as_ref().and_then(|s| s.last_modified) {
        Some(at) => format!(
            " Conflict: {} changed on the server at {} ",
            view.title(),
            at.strftime("%Y-%m-%d %H:%M:%S UTC")
        ),
        None => format!(" Conflict: {} changed on the server ", view.title()),
    };
    let block = pane_block(Line::from(title), true, theme);
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let col = ((inner.width as usize).saturating_sub(21) / 3).saturating_sub(1);
    let mut lines = vec![Line::styled(
        format!(
            "{} {} {} {}",
            fit("Field", 20),
            fit("Yours", col),
            fit("Server now", col),
            fit("Opened with", col)
        ),
        theme.label().add_modifier(Modifier::BOLD),
    )];
    for (name, mine) in &view.staged {
        let server = match &conflict.server {
            Some(s) => view.display(name, s.fields.get(name).unwrap_or(&serde_json::Value::Null)),
            None if conflict.error.is_some() => "?".into(),
            None => "loading…".into(),
        };
        let opened = view.display(name, view.value(name));
        let changed = conflict.server.as_ref().is_some_and(|s| {
            s.fields.get(name).unwrap_or(&serde_json::Value::Null) != view.value(name)
        });
        lines.push(Line::from(vec![
            Span::raw(format!("{} ", fit(name, 20))),
            Span::styled(
                format!("{} ", fit(&view.display(name, mine), col)),
                theme.ok(),
            ),
            Span::styled(
                format!("{} ", fit(&server, col)),
                if changed { theme.warn() } else { theme.label() },
            ),
            Span::styled(fit(&opened, col), theme.dim()),
        ]));
    }
    lines.push(Line::raw(""));
    if let Some(e) = &conflict.error {
        lines.push(Line::styled(
            format!("Could not load the server's version: {e}"),
            theme.error(),
        ));
    } else {
        lines.push(Line::styled(
            "Someone saved this record after you opened it. Nothing is overwritten unless you say so.",
            theme.dim(),
        ));
    }
    lines.push(Line::styled(
        format!(
            "{} reload and re-apply mine   {} overwrite anyway",
            key(keymap, Context::Conflict, Action::ConflictReload),
            key(keymap, Context::Conflict, Action::ConflictOverwrite),
        ),
        theme.key(),
    ));
    lines.push(Line::styled(
        format!(
            "{} discard mine   {} back (keep staged)",
            key(keymap, Context::Conflict, Action::Discard),
            key(keymap, Context::Conflict, Action::Cancel)
        ),
        theme.key(),
    ));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// A question with named choices.
fn render_choice(
    theme: &Theme,
    title: &str,
    question: &str,
    choices: &str,
    area: Rect,
    frame: &mut Frame,
) {
    let width = question.chars().count().max(choices.chars().count()) as u16 + 4;
    let popup = centered(area, width.max(30), 5);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(vec![
            Line::raw(question.to_string()),
            Line::raw(""),
            Line::styled(choices.to_string(), theme.key()),
        ])
        .block(pane_block(Line::from(format!(" {title} ")), true, theme)),
        popup,
    );
}

/// The drafts popup shown at start.
pub fn render_drafts(
    drafts: &[Draft],
    selected: usize,
    keymap: &Keymap,
    theme: &Theme,
    area: Rect,
    frame: &mut Frame,
) {
    let popup = centered(area, 80, drafts.len().min(10) as u16 + 7);
    frame.render_widget(Clear, popup);
    let mut lines = vec![
        Line::raw("Unsaved changes from an earlier session were kept as drafts:"),
        Line::raw(""),
    ];
    for (i, draft) in drafts.iter().enumerate().take(10) {
        let fields: Vec<&str> = draft.staged.keys().map(String::as_str).collect();
        let what = match &draft.id {
            Some(id) => format!("{} '{}' ({id})", draft.object, draft.title),
            None => format!("new {}", draft.object),
        };
        let profile = draft
            .profile
            .as_deref()
            .map(|p| format!(" · {p}"))
            .unwrap_or_default();
        let text = match &draft.mass {
            // A mass edit: "mass edit: Industry = Energy on 50 Account records · Demo org".
            Some(mass) => format!(
                "mass edit: {} = {} on {} {} records{profile}",
                mass.label,
                mass.shown,
                mass.ids.len(),
                draft.object
            ),
            None => format!("{what}{profile}: {}", fields.join(", ")),
        };
        let style = if i == selected {
            theme.selected()
        } else {
            theme.label()
        };
        let pointer = if i == selected { "▸ " } else { "  " };
        lines.push(Line::styled(fit(&format!("{pointer}{text}"), 76), style));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        format!(
            "{} restore   {} discard   {} later (kept)",
            key(keymap, Context::Drafts, Action::RestoreDrafts),
            key(keymap, Context::Drafts, Action::Discard),
            key(keymap, Context::Drafts, Action::Cancel)
        ),
        theme.key(),
    ));
    frame.render_widget(
        Paragraph::new(lines).block(pane_block(Line::from(" Restore drafts? "), true, theme)),
        popup,
    );
}

/// "Discard N staged changes?" when quitting.
pub fn render_quit(count: usize, keymap: &Keymap, theme: &Theme, area: Rect, frame: &mut Frame) {
    render_choice(
        theme,
        "Quit?",
        &format!(
            "Discard {count} staged change{}?",
            if count == 1 { "" } else { "s" }
        ),
        &format!(
            "{} discard and quit   {} keep as draft and quit   {} stay",
            key(keymap, Context::LeaveStaged, Action::Discard),
            key(keymap, Context::LeaveStaged, Action::KeepDraft),
            key(keymap, Context::LeaveStaged, Action::Cancel)
        ),
        area,
        frame,
    );
}
