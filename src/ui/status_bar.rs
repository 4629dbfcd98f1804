//! The bottom line: environment badge, profile, instance, API usage, work in flight, key hints.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme::badge_text;
use super::{SPINNER, Theme};
use crate::action::Action;
use crate::human::group_thousands;
use crate::keymap::Context;
use crate::state::Model;

/// `side_panes`: whether the profiles and token panes show (else the token's time left shows
/// here).
pub fn render(model: &Model, side_panes: bool, theme: &Theme, area: Rect, frame: &mut Frame) {
    let active = model
        .token
        .profile
        .as_deref()
        .and_then(|name| model.profiles.profiles.iter().find(|p| p.name == name));
    let mut left = Vec::new();
    // The instance URL's place: it is left out first when the bar is narrow (the token pane
    // shows it too), so the API usage never gets cut.
    let mut url_at = None;
    // The token's time left (side panes folded): it goes after the key hints, before the
    // message is cut.
    let mut token_at = None;
    if let Some(profile) = active {
        let (badge, confirmed) = model.environment_of(profile);
        let mark = if confirmed { "✓" } else { "" };
        left.push(Span::styled(
            format!(" {}{mark} ", badge_text(badge)),
            theme.badge(badge),
        ));
        left.push(Span::raw(format!(" {}", profile.name)));
        if let Some(session) = &model.token.session {
            url_at = Some(left.len());
            left.push(Span::styled(
                format!(" · {}", session.instance_url),
                theme.label(),
            ));
        }
        // With the side panes folded (`z`, a narrow terminal), the token's time left is shown
        // here instead.
        if !side_panes && model.token.session.is_some() {
            token_at = Some(left.len());
            let left_text = match model.token.remaining(model.now) {
                Some(left) => format!(" · token {}", crate::human::duration(left.as_secs())),
                None => " · token expiry unknown".to_owned(),
            };
            left.push(Span::styled(left_text, theme.label()));
        }
        if let Some(usage) = model.token.usage {
            left.push(Span::styled(
                format!(
                    " · API {}/{}",
                    group_thousands(usage.used),
                    group_thousands(usage.max)
                ),
                theme.label(),
            ));
        }
    } else {
        left.push(Span::styled(" no profile in use", theme.dim()));
        let key = model.keymap.hint(&[Context::Global], Action::ToggleSidebar);
        if !side_panes && !key.is_empty() {
            left.push(Span::styled(" · ", theme.dim()));
            left.push(Span::styled(key, theme.key()));
            left.push(Span::styled(" profiles", theme.dim()));
        }
    }

    let middle = if let Some(export) = model.records.running_export() {
        Line::from(vec![
            Span::styled(SPINNER[model.frame % SPINNER.len()], theme.key()),
            Span::raw(format!(" export {}: {}", export.object, export.summary())),
        ])
    } else if model.demo_org_is_starting()
        && let Some(status) = model.demo_org.as_ref().and_then(|d| d.status())
    {
        Line::from(vec![
            Span::styled(SPINNER[model.frame % SPINNER.len()], theme.key()),
            Span::raw(format!(" {status}")),
        ])
    } else if let Some((label, more)) = model.inflight_label() {
        let extra = if more > 0 {
            format!(" (+{more})")
        } else {
            String::new()
        };
        Line::from(vec![
            Span::styled(SPINNER[model.frame % SPINNER.len()], theme.key()),
            Span::raw(format!(" {label}{extra}")),
        ])
    } else if let Some(notice) = &model.notice {
        Line::styled(notice.as_str(), theme.warn())
    } else {
        Line::from("")
    };

    // The keys that do it where the keyboard is now (in a popup with typing, ctrl-c quits and
    // `?` types): one missing there is left out.
    let contexts = model.key_contexts();
    let hints: Vec<(String, &str)> = [
        (Action::Help, "help"),
        (Action::CommandPalette, "commands"),
        (Action::Quit, "quit"),
    ]
    .into_iter()
    .map(|(action, what)| (model.keymap.hint(&contexts, action), what))
    .filter(|(key, _)| !key.is_empty())
    .collect();
    let spans = |with_words: bool| {
        let mut spans = Vec::new();
        for (i, (key, what)) in hints.iter().enumerate() {
            spans.push(Span::styled(key.clone(), theme.key()));
            spans.push(Span::raw(match (with_words, i + 1 == hints.len()) {
                (true, false) => format!(" {what}  "),
                (true, true) => format!(" {what} "),
                (false, _) => " ".to_owned(),
            }));
        }
        Line::from(spans)
    };
    let full_hints = spans(true);
    let short_hints = spans(false);
    let without = |leave_out: &[Option<usize>]| {
        let spans = left
            .iter()
            .enumerate()
            .filter(|(i, _)| !leave_out.contains(&Some(*i)))
            .map(|(_, span)| span.clone());
        Line::from(spans.collect::<Vec<_>>())
    };
    let without_url = without(&[url_at]);
    let without_url_token = without(&[url_at, token_at]);
    let with_url = Line::from(left);
    let no_hints = Line::default();
    // What goes first when the bar is narrow: the instance URL (the token pane shows it too),
    // then the key hints shrink, then they go, then the token's time left; the message is cut
    // only after all of that, and the profile and API usage never are.
    let candidates = [
        (&with_url, &full_hints),
        (&without_url, &full_hints),
        (&without_url, &short_hints),
        (&without_url, &no_hints),
        (&without_url_token, &no_hints),
    ];
    let width = usize::from(area.width);
    let fits = |left: &Line, right: &Line| {
        let gaps = if right.width() > 0 { 4 } else { 2 };
        left.width() + middle.width() + right.width() + gaps <= width
    };
    let (left, right) = candidates
        .iter()
        .find(|(left, right)| fits(left, right))
        .copied()
        .unwrap_or((&without_url_token, &no_hints));
    let [l, m, r] = Layout::horizontal([
        Constraint::Length(left.width() as u16),
        Constraint::Fill(1),
        Constraint::Length(right.width() as u16),
    ])
    .spacing(2)
    .areas(area);
    frame.render_widget(Paragraph::new(left.clone()), l);
    frame.render_widget(Paragraph::new(cut(middle, usize::from(m.width))), m);
    frame.render_widget(Paragraph::new(right.clone()), r);
}

/// The line cut to `width` columns, ending in '…' when something was cut.
fn cut(line: Line<'_>, width: usize) -> Line<'_> {
    if line.width() <= width {
        return line;
    }
    let style = line.style;
    let mut spans = Vec::new();
    let mut room = width.saturating_sub(1);
    for span in line.spans {
        if room == 0 {
            break;
        }
        let text: String = span.content.chars().take(room).collect();
        room -= text.chars().count();
        spans.push(Span::styled(text, span.style));
    }
    spans.push(Span::raw("…"));
    Line::from(spans).style(style)
}
