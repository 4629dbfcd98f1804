//! The Log tab: the app's HTTP calls newest first (time, method, status, duration, size,
//! path) over the selected call's request and response; enter shows that call over the whole
//! tab.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{Theme, pane_block};
use crate::action::Action;
use crate::human::{self, group_thousands};
use crate::keymap::Context;
use crate::requests::body::{self, BodyText};
use crate::sf::ApiCall;
use crate::state::api_log::{Mode, shown_path};
use crate::state::{Focus, Model};

pub fn render(model: &Model, theme: &Theme, area: Rect, frame: &mut Frame) {
    let state = &model.api_log;
    let focused = model.focus == Focus::Main;
    let [main, footer] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
    if let Mode::Detail { scroll } = state.mode
        && let Some(call) = state.selected_call()
    {
        let title = format!(" {} {} ", call.method, shown_path(call));
        let block = pane_block(Line::from(title), focused, theme);
        let inner = block.inner(main);
        frame.render_widget(block, main);
        frame.render_widget(
            Paragraph::new(detail_lines(call, theme, usize::MAX))
                .wrap(Wrap { trim: false })
                .scroll((scroll, 0)),
            inner,
        );
    } else {
        let [list, preview] =
            Layout::vertical([Constraint::Percentage(50), Constraint::Fill(1)]).areas(main);
        render_list(model, theme, focused, list, frame);
        let block = pane_block(Line::from(" Request and response "), false, theme);
        let inner = block.inner(preview);
        frame.render_widget(block, preview);
        if let Some(call) = state.selected_call() {
            let lines = detail_lines(call, theme, usize::from(inner.height));
            frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        }
    }
    render_footer(model, theme, footer, frame);
}

fn render_list(model: &Model, theme: &Theme, focused: bool, area: Rect, frame: &mut Frame) {
    let state = &model.api_log;
    let visible = state.visible_hits();
    let filter = state.filter_text();
    let title = if filter.is_empty() {
        format!(" API calls ({}) ", visible.len())
    } else {
        format!(
            " API calls ({} of {}) · filter \"{filter}\" ",
            visible.len(),
            state.entries.len()
        )
    };
    let block = pane_block(Line::from(title), focused, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let height = usize::from(inner.height);
    let first = state.selected.saturating_sub(height.saturating_sub(1));
    let mut lines = Vec::new();
    if state.entries.is_empty() {
        lines.push(Line::styled(
            "No API call yet: every call the app makes (lists, saves, describes, token \
             requests, composer sends) appears here.",
            theme.dim(),
        ));
    } else if visible.is_empty() {
        let esc = model.keymap.hint(&[Context::Global], Action::Cancel);
        lines.push(Line::styled(
            format!("No call matches \"{filter}\" ({esc} clears the filter)."),
            theme.warn(),
        ));
    }
    let width = usize::from(inner.width);
    for (i, hit) in visible.iter().enumerate().skip(first).take(height) {
        let line = row(model, theme, hit.item, &hit.positions, width);
        lines.push(if i == state.selected {
            line.style(theme.selected())
        } else {
            line
        });
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The path gets at least this many columns before the row drops its time, size, duration.
const PATH_ROOM: usize = 24;

/// One call's row: status, method and path first (what a narrow pane keeps), then the try,
/// duration, size and time as the width allows.
fn row(
    model: &Model,
    theme: &Theme,
    call: &ApiCall,
    positions: &[usize],
    width: usize,
) -> Line<'static> {
    let head = format!("{:<4}{:<7}", status_text(call), call.method);
    let time = call
        .at
        .to_zoned_datetime(model.tz.clone())
        .strftime("%H:%M:%S")
        .to_string();
    let duration = format!(" {:>8}", human::elapsed(call.duration));
    let size = format!(" {:>7} B", group_thousands(call.response_size));
    let retry = if call.attempt > 1 {
        format!(" try {}", call.attempt)
    } else {
        String::new()
    };
    let tails = [
        format!("{duration}{size}  {time}"),
        format!("{duration}{size}"),
        duration,
        String::new(),
    ];
    let room = |tail: &str| {
        width.saturating_sub(head.chars().count() + retry.chars().count() + tail.chars().count())
    };
    let tail = tails
        .into_iter()
        .find(|t| room(t) >= PATH_ROOM)
        .unwrap_or_default();
    let room = room(&tail);
    let path = shown_path(call);
    let shown: String = if path.chars().count() > room {
        let mut cut: String = path.chars().take(room.saturating_sub(1)).collect();
        cut.push('…');
        cut
    } else {
        format!("{path:<room$}")
    };
    let mut spans = vec![
        Span::styled(head[..4].to_string(), status_style(call, theme)),
        Span::raw(head[4..].to_string()),
    ];
    spans.extend(super::theme::highlighted(
        &shown,
        positions,
        theme.matched(),
    ));
    if !retry.is_empty() {
        spans.push(Span::styled(retry, theme.warn()));
    }
    spans.push(Span::styled(tail, theme.dim()));
    Line::from(spans)
}

fn status_text(call: &ApiCall) -> String {
    call.status.map_or_else(|| "ERR".into(), |s| s.to_string())
}

fn status_style(call: &ApiCall, theme: &Theme) -> Style {
    match call.status {
        Some(200..=299) => theme.ok(),
        Some(300..=499) => theme.warn(),
        _ => theme.error(),
    }
}

/// A body as pretty, highlighted lines (JSON re-indented, XML as it came).
fn body_lines(headers: &[(String, String)], text: &str, theme: &Theme) -> Vec<Line<'static>> {
    let content_type = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| v.as_str());
    let kind = body::kind_of(content_type, text.as_bytes());
    BodyText::new(kind, text)
        .lines
        .iter()
        .map(|l| super::composer::highlighted(kind, l, theme))
        .collect()
}

/// The call's request and response; at most `max` lines (the preview stops early).
fn detail_lines(call: &ApiCall, theme: &Theme, max: usize) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(vec![
        Span::styled(format!("{} ", call.method), theme.key()),
        Span::raw(call.url.clone()),
    ])];
    let mut facts = format!(
        "{} · {}",
        call.at.strftime("%Y-%m-%d %H:%M:%S UTC"),
        human::elapsed(call.duration)
    );
    if call.attempt > 1 {
        facts.push_str(&format!(" · try {} (a retry)", call.attempt));
    }
    lines.push(Line::styled(facts, theme.dim()));
    lines.push(Line::styled(
        format!("── request · {} B", group_thousands(call.request_size)),
        theme.label(),
    ));
    for (n, v) in &call.request_headers {
        lines.push(Line::styled(format!("{n}: {v}"), theme.dim()));
    }
    lines.extend(body_lines(&call.request_headers, &call.request_body, theme));
    if call.request_size > call.request_body.len() as u64 {
        lines.push(Line::styled("… (body cut at 64 KB)", theme.dim()));
    }
    let response = match call.status {
        Some(status) => format!(
            "── response {status} · {} B",
            group_thousands(call.response_size)
        ),
        None => "── no response".to_string(),
    };
    lines.push(Line::styled(response, status_style(call, theme)));
    if let Some(error) = &call.error {
        lines.push(Line::styled(error.clone(), theme.error()));
    }
    for (n, v) in &call.response_headers {
        lines.push(Line::styled(format!("{n}: {v}"), theme.dim()));
    }
    lines.extend(body_lines(
        &call.response_headers,
        &call.response_body,
        theme,
    ));
    if call.response_size > call.response_body.len() as u64 {
        lines.push(Line::styled("… (body cut at 64 KB)", theme.dim()));
    }
    lines.truncate(max);
    lines
}

fn render_footer(model: &Model, theme: &Theme, area: Rect, frame: &mut Frame) {
    let state = &model.api_log;
    if let Mode::Filter(input) = &state.mode {
        super::text_input::render_labelled(input, "filter: ", true, theme, area, frame);
        return;
    }
    let key = |action| model.keymap.hint(&[Context::Log, Context::List], action);
    let text = state.note.clone().unwrap_or_else(|| {
        let esc = model.keymap.hint(&[Context::Global], Action::Cancel);
        let (open, curl, find) = (
            key(Action::OpenItem),
            key(Action::ExportCurl),
            key(Action::Find),
        );
        match state.mode {
            Mode::Detail { .. } => format!("{esc} back  {curl} copy as curl  ↑↓ scroll"),
            _ if !state.filter.is_empty() => {
                format!("{esc} clear filter  {open} open  {curl} copy as curl  {find} filter")
            }
            _ => format!("{open} open  {curl} copy as curl  {find} filter"),
        }
    });
    frame.render_widget(Paragraph::new(Line::styled(text, theme.dim())), area);
}
