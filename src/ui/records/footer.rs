//! The lines under the list: an open text line (SOQL, search, object, export path) with its
//! error and suggestions, or else the notice or the key hints.

use ratatui::text::{Line, Span};

use super::fit;
use crate::action::Action;
use crate::human::group_thousands;
use crate::keymap::Context;
use crate::state::Model;
use crate::state::records::LineInput;
use crate::ui::Theme;

pub(super) fn footer_lines(model: &Model, theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let records = &model.records;
    let view = records.view();
    let mut lines = Vec::new();
    if let Some(input) = &records.input {
        lines.push(Line::from(vec![
            Span::styled(format!("{}: ", input.prompt()), theme.key()),
            Span::raw(input.input().text().to_owned()),
        ]));
        let prompt_width = input.prompt().chars().count() + 2;
        match input {
            LineInput::Soql {
                error, suggestions, ..
            } => {
                if let Some(error) = error {
                    if let Some(caret) = error.caret {
                        lines.push(Line::styled(
                            format!("{}^", " ".repeat(prompt_width + caret)),
                            theme.error(),
                        ));
                    }
                    let code = error
                        .code
                        .as_deref()
                        .map(|c| format!("{c}: "))
                        .unwrap_or_default();
                    for part in wrap(&format!("{code}{}", error.message), width, 3) {
                        lines.push(Line::styled(part, theme.error()));
                    }
                }
                push_suggestions(&mut lines, suggestions, input.input().text(), width, theme);
                if error.is_none() && suggestions.is_empty() {
                    lines.push(Line::styled(
                        "a WHERE clause (Industry = 'Energy') or a whole SELECT · tab completes · enter runs · esc",
                        theme.dim(),
                    ));
                }
            }
            LineInput::OpenObject {
                error, suggestions, ..
            } => {
                if let Some(error) = error {
                    lines.push(Line::styled(error.clone(), theme.error()));
                }
                push_suggestions(&mut lines, suggestions, input.input().text(), width, theme);
            }
            LineInput::Search { narrowed, .. } => {
                let name = records.name_field(&view.object);
                let text = match narrowed {
                    Some(n) => format!(
                        "{} of {} loaded match · enter searches the org ({name} contains) · esc",
                        group_thousands(n.rows.len() as u64),
                        group_thousands(n.searched as u64),
                    ),
                    None => format!("{name} contains the text · enter searches · esc"),
                };
                lines.push(Line::styled(text, theme.dim()));
            }
            LineInput::ExportPath(_) => lines.push(Line::styled(
                "Bulk API 2.0 query job of this view, written as CSV · enter starts · esc",
                theme.dim(),
            )),
        }
        return lines;
    }
    if let Some(staged) = super::mass::staged_line(model, theme) {
        lines.push(staged);
    }
    if let Some(notice) = &records.notice {
        lines.push(Line::styled(notice.clone(), theme.warn()));
    } else if let Some(error) = view.error.as_ref().filter(|_| !view.rows.is_empty()) {
        lines.push(Line::styled(error.clone(), theme.error()));
    } else {
        let contexts = [Context::Records, Context::List];
        let hint = |action| model.keymap.hint(&contexts, action);
        // With rows selected, what can be done to them; else how to get around, most useful
        // first (selecting and importing too, which a newcomer would not guess). Only whole
        // hints that fit: `?` lists every key.
        let hints: &[(&[Action], &str)] = if records.mass.count(&view.object) > 0 {
            &[
                (&[Action::MassEdit], "set a field"),
                (&[Action::MassDelete], "delete"),
                (&[Action::ToggleSelect], "select"),
                (&[Action::SelectRange], "range"),
                (&[Action::SelectAll], "all/none"),
                (&[Action::OpenRecord], "open"),
            ]
        } else {
            &[
                (&[Action::OpenRecord], "open"),
                (&[Action::QuickSearch], "search"),
                (&[Action::SoqlLine], "SOQL"),
                (&[Action::ToggleSelect], "select"),
                (&[Action::ExportView], "export"),
                (&[Action::ImportRecords], "import"),
                (&[Action::PrevObject, Action::NextObject], "object"),
                (&[Action::SortColumn], "sort"),
                (&[Action::ChooseColumns], "columns"),
                (&[Action::ShowExports], "jobs"),
            ]
        };
        let mut spans = Vec::new();
        let mut used = 0;
        for &(actions, text) in hints {
            let keys = actions
                .iter()
                .map(|a| hint(*a))
                .collect::<Vec<_>>()
                .join("/");
            let needed = keys.chars().count() + 1 + text.chars().count();
            let gap = usize::from(used > 0);
            if used + gap + needed > width {
                break;
            }
            if gap > 0 {
                spans.push(Span::raw(" "));
            }
            spans.push(Span::styled(keys, theme.key()));
            spans.push(Span::styled(format!(" {text}"), theme.dim()));
            used += gap + needed;
        }
        lines.push(Line::from(spans));
    }
    lines
}

/// The suggestions under a line, at most three rows; the one the line ends with (tab steps
/// through them) is highlighted.
fn push_suggestions(
    lines: &mut Vec<Line<'static>>,
    suggestions: &[String],
    typed: &str,
    width: usize,
    theme: &Theme,
) {
    if suggestions.is_empty() {
        return;
    }
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    let mut rows = 0;
    for s in suggestions {
        let len = s.chars().count() + 2;
        if used + len > width && !spans.is_empty() {
            lines.push(Line::from(std::mem::take(&mut spans)));
            used = 0;
            rows += 1;
            if rows == 3 {
                return;
            }
        }
        let style = if typed.ends_with(s.as_str()) {
            theme.selected()
        } else {
            theme.label()
        };
        spans.push(Span::styled(s.clone(), style));
        spans.push(Span::raw("  "));
        used += len;
    }
    if !spans.is_empty() {
        lines.push(Line::from(spans));
    }
}

/// Splits text into at most `max` lines of `width` characters (the last one cut with "…").
fn wrap(text: &str, width: usize, max: usize) -> Vec<String> {
    let width = width.max(10);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    if lines.len() > max {
        lines.truncate(max);
        if let Some(last) = lines.last_mut() {
            *last = fit(&format!("{last} …"), width).trim_end().to_owned();
        }
    }
    lines
}
