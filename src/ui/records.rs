//! The Records tab: object switcher, list header with load progress, the visible rows only
//! (virtual rendering: the cost follows the screen, not the loaded count), the text lines with
//! their errors and suggestions, and the column chooser / export jobs popups.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, List, ListItem, ListState, Paragraph, Wrap};

use super::{SPINNER, Theme, centered, pane_block};
use crate::action::Action;
use crate::keymap::Context;
use crate::sf::SObjectDescribe;
use crate::state::Model;
use crate::state::records::soql::SortDir;
use crate::state::records::{LineInput, ListView, Popup, RecordsState};

/// Widest a non-name column gets before the name column takes the rest.
const MAX_COLUMN: usize = 28;
/// Narrowest a column is drawn.
const MIN_COLUMN: usize = 6;

/// Draws the tab inside `area` (the main area's inner rectangle).
pub fn render(model: &Model, theme: &Theme, area: Rect, frame: &mut Frame) {
    let records = &model.records;
    if area.height < 3 || area.width < 10 {
        return;
    }
    let view = records.view();
    let footer = footer_lines(model, theme, area.width as usize);
    let footer_height = (footer.len() as u16).min(area.height.saturating_sub(3));
    let header = Rect { height: 1, ..area };
    frame.render_widget(
        Paragraph::new(header_line(model, theme, area.width)),
        header,
    );
    let list = Rect {
        y: area.y + 1,
        height: area.height - 1 - footer_height,
        ..area
    };
    let no_profile = if model.demo_org_is_starting() {
        "The demo org is starting; it connects when it serves."
    } else {
        "Connect a profile first."
    };
    render_list(records, view, &model.tz, theme, list, no_profile, frame);
    let footer_area = Rect {
        y: list.bottom(),
        height: footer_height,
        ..area
    };
    frame.render_widget(Paragraph::new(footer.clone()), footer_area);
    if let Some(line) = &records.input {
        let prompt_width = line.prompt().chars().count() as u16 + 2;
        let x =
            footer_area.x + prompt_width + u16::try_from(line.input().cursor()).unwrap_or(u16::MAX);
        if x < footer_area.right() && footer_area.height > 0 {
            frame.set_cursor_position(Position {
                x,
                y: footer_area.y,
            });
        }
    }
    match &records.popup {
        Some(Popup::Columns { choices, selected }) => {
            let describe = records.describe(&view.object).map(|d| &**d);
            render_chooser(view, describe, choices, *selected, theme, area, frame);
        }
        Some(Popup::Exports { selected }) => render_exports(records, *selected, theme, area, frame),
        None => {}
    }
}

fn header_line<'a>(model: &'a Model, theme: &Theme, width: u16) -> Line<'a> {
    let records = &model.records;
    let view = records.view();
    let mut spans = Vec::new();
    for (i, v) in records.views.iter().enumerate() {
        let style = if i == records.current {
            theme.key().add_modifier(Modifier::REVERSED)
        } else {
            theme.label()
        };
        spans.push(Span::styled(format!(" {} ", v.object), style));
        spans.push(Span::raw(" "));
    }
    let filter = match &view.filter {
        crate::state::records::Filter::None => String::new(),
        crate::state::records::Filter::Quick(text) => format!(" / {text}"),
        crate::state::records::Filter::Where(clause) => format!(" WHERE {clause}"),
        crate::state::records::Filter::Soql(_) => " (SOQL line query)".to_owned(),
    };
    spans.push(Span::styled(filter, theme.warn()));
    let mut right = view.progress();
    if view.loading() {
        right.push(' ');
        right.push_str(SPINNER[model.frame % SPINNER.len()]);
    }
    let mut used: usize = spans.iter().map(Span::width).sum();
    if used + right.chars().count() + 1 > width as usize {
        // Narrow: only the current object, so the load progress still shows.
        spans = vec![
            Span::styled(
                format!(" {} ", view.object),
                theme.key().add_modifier(Modifier::REVERSED),
            ),
            Span::styled(
                if view.filter == crate::state::records::Filter::None {
                    String::new()
                } else {
                    " (filtered)".to_owned()
                },
                theme.warn(),
            ),
        ];
        used = spans.iter().map(Span::width).sum();
    }
    let pad = (width as usize).saturating_sub(used + right.chars().count() + 1);
    if pad > 0 {
        spans.push(Span::raw(" ".repeat(pad)));
        spans.push(Span::styled(right, theme.label()));
    }
    Line::from(spans)
}

/// How a list column is headed and drawn: its label and the narrowest it may be squeezed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnLook {
    /// The header: the field label from describe (`Owner.Name` → "Owner Name"), else the path.
    pub label: String,
    /// Datetimes (`2024-07-24 14:02`) and dates are never cut; other columns go down to 6.
    pub min_width: usize,
    /// The column holds a datetime (shown in the user's time zone).
    pub datetime: bool,
}

/// The look of the column at `path` (`Name`, `Owner.Name`) of an object, from its describe
/// (`None` before describe arrives: the path as it is).
pub fn column_look(describe: Option<&SObjectDescribe>, path: &str) -> ColumnLook {
    let plain = ColumnLook {
        label: path.to_owned(),
        min_width: MIN_COLUMN,
        datetime: false,
    };
    let Some(describe) = describe else {
        return plain;
    };
    match path.split_once('.') {
        None => match describe
            .fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(path))
        {
            Some(field) => {
                let (min_width, datetime) = match field.field_type.as_str() {
                    "datetime" => (16, true),
                    "date" => (10, false),
                    _ => (MIN_COLUMN, false),
                };
                ColumnLook {
                    label: if field.label.is_empty() {
                        path.to_owned()
                    } else {
                        field.label.clone()
                    },
                    min_width,
                    datetime,
                }
            }
            None => plain,
        },
        Some((relationship, rest)) => {
            let Some(field) = describe.fields.iter().find(|f| {
                f.relationship_name
                    .as_deref()
                    .is_some_and(|r| r.eq_ignore_ascii_case(relationship))
            }) else {
                return plain;
            };
            // "Owner ID" → "Owner"; the related field's API name follows ("Owner Name").
            let base = field.label.trim();
            let base = base
                .strip_suffix(" ID")
                .or_else(|| base.strip_suffix(" Id"))
                .unwrap_or(base);
            let base = if base.is_empty() { relationship } else { base };
            ColumnLook {
                label: format!("{base} {}", rest.replace('.', " ")),
                ..plain
            }
        }
    }
}

/// A list cell `YYYY-MM-DD HH:MM` (UTC, as the list stores datetimes) in the time zone `tz`;
/// `None` when the text is not such a datetime.
pub fn local_datetime(text: &str, tz: &jiff::tz::TimeZone) -> Option<String> {
    let civil: jiff::civil::DateTime = text.parse().ok()?;
    let instant = jiff::tz::TimeZone::UTC.to_timestamp(civil).ok()?;
    Some(
        instant
            .to_zoned_datetime(tz.clone())
            .strftime("%Y-%m-%d %H:%M")
            .to_string(),
    )
}

/// A `YYYY-MM-DD HH:MM` cell too narrow for the time shows its date alone.
fn date_first(text: &str, width: usize) -> &str {
    if (10..16).contains(&width) && text.len() == 16 && text.is_char_boundary(10) {
        &text[..10]
    } else {
        text
    }
}

/// Column widths for the visible rows: the name column (or the first) takes the slack; a
/// column is squeezed down to its look's `min_width`, never below.
pub fn column_widths(
    view: &ListView,
    looks: &[ColumnLook],
    first: usize,
    last: usize,
    width: usize,
) -> Vec<usize> {
    let n = view.columns.len();
    if n == 0 {
        return Vec::new();
    }
    let min_of = |c: usize| looks.get(c).map_or(MIN_COLUMN, |l| l.min_width);
    let natural: Vec<usize> = view
        .columns
        .iter()
        .enumerate()
        .map(|(c, name)| {
            let sorted = view.sort.as_ref().is_some_and(|(s, _)| s == name);
            let arrow = if sorted { 2 } else { 0 };
            let label = looks
                .get(c)
                .map_or(name.as_str(), |l| l.label.as_str())
                .chars()
                .count();
            let header = if first < last {
                let cells = (first..last)
                    .map(|r| view.rows.cell(r, c).map_or(7, |t| t.chars().count()))
                    .max()
                    .unwrap_or(0);
                // A long label may widen its column a little; beyond that it is cut.
                cells.max(label.min(cells.max(MIN_COLUMN) + 2) + arrow)
            } else {
                label + arrow
            };
            header.clamp(MIN_COLUMN.max(min_of(c)), MAX_COLUMN)
        })
        .collect();
    let slack_col = view
        .columns
        .iter()
        .position(|c| c.eq_ignore_ascii_case("Name"))
        .unwrap_or(0);
    let available = width.saturating_sub(n.saturating_sub(1));
    let mut widths = natural;
    widths[slack_col] = 16.min(available);
    // Too wide: the widest other column gives up a character at a time, down to its minimum
    // (datetimes whole); when that is not enough, down to 6 (a datetime to its date).
    let mut keep_whole = true;
    loop {
        let total: usize = widths.iter().sum();
        if total <= available {
            break;
        }
        // Past the first round a datetime keeps at least its date (10 characters).
        let floor = |i: usize| {
            if keep_whole {
                min_of(i)
            } else {
                min_of(i).min(10)
            }
        };
        let widest = widths
            .iter()
            .enumerate()
            .filter(|(i, w)| *i != slack_col && **w > floor(*i))
            .max_by_key(|(_, w)| **w)
            .map(|(i, _)| i);
        match widest {
            Some(i) => widths[i] -= 1,
            None if keep_whole => keep_whole = false,
            // Then the name column gives up its width, down to 10.
            None if widths[slack_col] > 10 => widths[slack_col] -= 1,
            None => {
                // Even at their narrowest the columns do not fit: the last ones get nothing.
                let mut left = available;
                for w in &mut widths {
                    *w = (*w).min(left);
                    left -= *w;
                }
                return widths;
            }
        }
    }
    let total: usize = widths.iter().sum();
    widths[slack_col] += available - total;
    widths
}

/// Cuts text to `width` characters, marking the cut with "…".
pub fn fit(text: &str, width: usize) -> String {
    let count = text.chars().count();
    if count <= width {
        format!("{text:<width$}")
    } else if width == 0 {
        String::new()
    } else {
        let mut out: String = text.chars().take(width - 1).collect();
        out.push('…');
        out
    }
}

/// `no_profile`: what the empty list says when no profile is connected.
fn render_list(
    records: &RecordsState,
    view: &ListView,
    tz: &jiff::tz::TimeZone,
    theme: &Theme,
    area: Rect,
    no_profile: &str,
    frame: &mut Frame,
) {
    if area.height < 2 {
        return;
    }
    let body_height = (area.height - 1) as usize;
    // The scroll offset is kept in the state; a smaller terminal than last time is clamped here.
    let mut top = view.scroll;
    if view.cursor >= top + body_height {
        top = view.cursor + 1 - body_height;
    }
    let last = (top + body_height).min(view.rows.len());
    let describe = records.describe(&view.object).map(|d| &**d);
    let looks: Vec<ColumnLook> = view
        .columns
        .iter()
        .enumerate()
        .map(|(c, path)| {
            let mut look = column_look(describe, path);
            // Before describe arrives: a column of datetimes is still never cut.
            let datetimes = || {
                (top..last).all(|r| {
                    view.rows
                        .cell(r, c)
                        .is_none_or(|t| t.len() == 16 && t.parse::<jiff::civil::DateTime>().is_ok())
                })
            };
            if describe.is_none() && top < last && datetimes() {
                look.min_width = 16;
            }
            look
        })
        .collect();
    let widths = column_widths(
        view,
        &looks,
        top,
        last,
        area.width.saturating_sub(1) as usize,
    );

    let mut header = vec![Span::raw(" ")];
    for (c, name) in view.columns.iter().enumerate() {
        let arrow = match &view.sort {
            Some((col, SortDir::Asc)) if col == name => " ▲",
            Some((col, SortDir::Desc)) if col == name => " ▼",
            _ => "",
        };
        let mut style = theme.label().add_modifier(Modifier::BOLD);
        if c == view.focus_col {
            style = style.add_modifier(Modifier::UNDERLINED);
        }
        if c > 0 {
            header.push(Span::raw(" "));
        }
        header.push(Span::styled(
            fit(&format!("{}{arrow}", looks[c].label), widths[c]),
            style,
        ));
    }
    frame.render_widget(
        Paragraph::new(Line::from(header)),
        Rect { height: 1, ..area },
    );

    let body = Rect {
        y: area.y + 1,
        height: area.height - 1,
        ..area
    };
    if view.rows.is_empty() {
        let text = if let Some(error) = &view.error {
            Line::styled(error.clone(), theme.error())
        } else if records.profile.is_none() {
            Line::styled(no_profile.to_owned(), theme.warn())
        } else if view.loading() {
            Line::styled(format!("Loading {}…", view.object), theme.dim())
        } else if view.total == Some(0) {
            Line::styled("No records match.", theme.dim())
        } else {
            Line::from("")
        };
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), body);
        return;
    }
    let mut lines = Vec::with_capacity(last - top);
    for row in top..last {
        let selected = row == view.cursor;
        let mut spans = vec![Span::raw(if selected { "▸" } else { " " })];
        for (c, width) in widths.iter().enumerate() {
            if c > 0 {
                spans.push(Span::raw(" "));
            }
            match view.rows.cell(row, c) {
                Some(text) if looks[c].min_width >= 10 => {
                    let local = if looks[c].datetime {
                        local_datetime(text, tz)
                    } else {
                        None
                    };
                    let text = local.as_deref().unwrap_or(text);
                    spans.push(Span::raw(fit(date_first(text, *width), *width)));
                }
                Some(text) => spans.push(Span::raw(fit(text, *width))),
                None => spans.push(Span::styled(fit("(empty)", *width), theme.dim())),
            }
        }
        let line = Line::from(spans);
        lines.push(if selected {
            line.style(theme.selected())
        } else {
            line
        });
    }
    frame.render_widget(Paragraph::new(lines), body);
}

fn footer_lines(model: &Model, theme: &Theme, width: usize) -> Vec<Line<'static>> {
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
            LineInput::Search(_) => lines.push(Line::styled(
                format!(
                    "{} contains the text · enter searches · esc",
                    records.name_field(&view.object)
                ),
                theme.dim(),
            )),
            LineInput::ExportPath(_) => lines.push(Line::styled(
                "Bulk API 2.0 query job of this view, written as CSV · enter starts · esc",
                theme.dim(),
            )),
        }
        return lines;
    }
    if let Some(notice) = &records.notice {
        lines.push(Line::styled(notice.clone(), theme.warn()));
    } else if let Some(error) = view.error.as_ref().filter(|_| !view.rows.is_empty()) {
        lines.push(Line::styled(error.clone(), theme.error()));
    } else {
        let contexts = [Context::Records, Context::List];
        let hint = |action| model.keymap.hint(&contexts, action);
        let mut spans = Vec::new();
        for (action, text) in [
            (Action::OpenRecord, " open "),
            (Action::PrevObject, "/"),
            (Action::NextObject, " object "),
            (Action::QuickSearch, " search "),
            (Action::SoqlLine, " SOQL "),
            (Action::SortColumn, " sort "),
            (Action::ChooseColumns, " columns "),
            (Action::ExportView, " export "),
            (Action::ShowExports, " jobs"),
        ] {
            spans.push(Span::styled(hint(action), theme.key()));
            spans.push(Span::styled(text, theme.dim()));
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

fn render_chooser(
    view: &ListView,
    describe: Option<&crate::sf::SObjectDescribe>,
    choices: &[(String, bool)],
    selected: usize,
    theme: &Theme,
    area: Rect,
    frame: &mut Frame,
) {
    let popup = centered(area, 64, area.height.saturating_sub(2).max(6));
    frame.render_widget(Clear, popup);
    let block: Block = pane_block(
        Line::from(format!(
            " {} columns · space toggles · enter applies ",
            view.object
        )),
        true,
        theme,
    );
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

fn render_exports(
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

#[cfg(test)]
mod tests {
    use super::*;

    fn describe() -> SObjectDescribe {
        serde_json::from_value(serde_json::json!({
            "name": "Account", "label": "Account", "queryable": true,
            "fields": [
                {"name": "Name", "label": "Account Name", "type": "string"},
                {"name": "OwnerId", "label": "Owner ID", "type": "reference",
                 "relationshipName": "Owner", "referenceTo": ["User"]},
                {"name": "LastModifiedDate", "label": "Last Modified Date", "type": "datetime"},
                {"name": "CloseDate", "label": "Close Date", "type": "date"}
            ]
        }))
        .expect("describe")
    }

    #[test]
    fn columns_are_headed_by_their_describe_labels() {
        let d = describe();
        let look = |path| column_look(Some(&d), path);
        assert_eq!(look("Name").label, "Account Name");
        assert_eq!(look("Owner.Name").label, "Owner Name");
        assert_eq!(look("owner.Email").label, "Owner Email");
        let modified = look("LastModifiedDate");
        assert_eq!(modified.label, "Last Modified Date");
        assert!(modified.datetime);
        assert_eq!(modified.min_width, 16);
        assert_eq!(look("CloseDate").min_width, 10);
        assert_eq!(look("Unknown__c").label, "Unknown__c");
        assert_eq!(look("Parent.Name").label, "Parent.Name");
        assert_eq!(column_look(None, "Owner.Name").label, "Owner.Name");
    }

    #[test]
    fn list_datetimes_are_shown_in_the_users_time_zone() {
        let plus_two = jiff::tz::TimeZone::fixed(jiff::tz::offset(2));
        assert_eq!(
            local_datetime("2024-07-24 23:02", &plus_two).as_deref(),
            Some("2024-07-25 01:02")
        );
        assert_eq!(
            local_datetime("2024-07-24 14:02", &jiff::tz::TimeZone::UTC).as_deref(),
            Some("2024-07-24 14:02")
        );
        assert_eq!(local_datetime("Acme", &plus_two), None);
    }
}
