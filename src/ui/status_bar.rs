//! The bottom line: environment badge, profile, instance, API usage, work in flight, key hints.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme::badge_text;
use super::{SPINNER, Theme};
use crate::action::Action;
use crate::config::Environment;
use crate::human::group_thousands;
use crate::keymap::Context;
use crate::state::{Model, RunMode};

pub fn render(model: &Model, theme: &Theme, area: Rect, frame: &mut Frame) {
    let demo = model.run_mode == RunMode::Demo;
    let active = model
        .token
        .profile
        .as_deref()
        .and_then(|name| model.profiles.profiles.iter().find(|p| p.name == name));
    let mut left = Vec::new();
    // The instance URL's place: it is left out first when the bar is narrow (the token pane
    // shows it too), so the API usage never gets cut.
    let mut url_at = None;
    if let Some(profile) = active {
        let badge = Environment::of_endpoint(&profile.endpoint, demo);
        left.push(Span::styled(
            format!(" {} ", badge_text(badge)),
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
        // With the side panes hidden (`z`), the token's time left is shown here instead.
        if model.sidebar_hidden && model.token.session.is_some() {
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
    } else if let Some(label) = model.inflight.values().next_back() {
        let more = model.inflight.len().saturating_sub(1);
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

    let hint = |action| model.keymap.hint(&[Context::Global], action);
    let right = Line::from(vec![
        Span::styled(hint(Action::Help), theme.key()),
        Span::raw(" help  "),
        Span::styled(hint(Action::CommandPalette), theme.key()),
        Span::raw(" commands  "),
        Span::styled(hint(Action::Quit), theme.key()),
        Span::raw(" quit "),
    ]);
    let right_width = right.width();
    let left_width: usize = left.iter().map(Span::width).sum();
    if let Some(at) = url_at
        && left_width + 2 + right_width > usize::from(area.width)
    {
        left.remove(at);
    }
    let left = Line::from(left);
    let [l, m, r] = Layout::horizontal([
        Constraint::Length(left.width() as u16),
        Constraint::Fill(1),
        Constraint::Length(right.width() as u16),
    ])
    .spacing(2)
    .areas(area);
    frame.render_widget(Paragraph::new(left), l);
    frame.render_widget(Paragraph::new(middle), m);
    frame.render_widget(Paragraph::new(right), r);
}
