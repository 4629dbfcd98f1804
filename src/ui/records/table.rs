//! The list itself: the column header with the sort arrow and only the visible rows (virtual
//! rendering: the cost follows the screen, not the loaded count).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::columns::{ColumnLook, column_look, column_widths, date_first, local_datetime};
use super::fit;
use crate::state::records::soql::SortDir;
use crate::state::records::{LineInput, ListView, RecordsState};
use crate::ui::Theme;
use crate::ui::theme::highlighted;
use crate::ui::widths::display_width;

/// `no_profile`: what the empty list says when no profile is connected.
pub(super) fn render_list(
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
    let widths = column_widths(view, &looks, area.width.saturating_sub(1) as usize);

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
        // A cut label keeps the sort arrow.
        let text = format!("{}{arrow}", looks[c].label);
        let text = if arrow.is_empty() || display_width(&text) <= widths[c] || widths[c] < 4 {
            fit(&text, widths[c])
        } else {
            format!("{}{arrow}", fit(&looks[c].label, widths[c] - 2))
        };
        header.push(Span::styled(text, style));
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
    // While `/` is typed, the loaded rows it matches, best match first.
    let narrowed = match &records.input {
        Some(LineInput::Search {
            narrowed: Some(n), ..
        }) => Some(n.rows.as_slice()),
        _ => None,
    };
    let (top, last) = match narrowed {
        Some([]) => {
            let text = Line::styled(
                "No loaded row matches: enter searches the org.",
                theme.dim(),
            );
            frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), body);
            return;
        }
        Some(rows) => (0, rows.len().min(body_height)),
        None => (top, last),
    };
    let mut lines = Vec::with_capacity(last - top);
    for shown in top..last {
        let (row, marks) = match narrowed {
            Some(rows) => (rows[shown].row, Some(&rows[shown])),
            None => (shown, None),
        };
        let selected = if narrowed.is_some() {
            shown == 0
        } else {
            row == view.cursor
        };
        // A selected row (mass edit) is marked ✓ and bold, the cursor's row ▸.
        let marked = records.is_marked(row);
        let mut spans = vec![match (marked, selected) {
            (true, _) => Span::styled("✓", theme.ok()),
            (false, true) => Span::raw("▸"),
            (false, false) => Span::raw(" "),
        }];
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
                Some(text) => match marks.map(|m| m.marks_of(c)).filter(|m| !m.is_empty()) {
                    Some(positions) => {
                        spans.extend(highlighted(&fit(text, *width), positions, theme.matched()))
                    }
                    None => spans.push(Span::raw(fit(text, *width))),
                },
                None => spans.push(Span::styled(fit("(empty)", *width), theme.dim())),
            }
        }
        let mut line = Line::from(spans);
        if marked {
            line = line.style(Style::default().add_modifier(Modifier::BOLD));
        }
        lines.push(if selected {
            line.patch_style(theme.selected())
        } else {
            line
        });
    }
    frame.render_widget(Paragraph::new(lines), body);
}
