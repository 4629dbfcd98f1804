//! Token status pane: state, expiry with a live countdown and gauge, who the token acts as, and
//! the plain-language diagnosis when login failed.

use jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{Theme, pane_block};
use crate::action::Action;
use crate::human::{self, group_thousands};
use crate::keymap::Context;
use crate::sf::RenewReason;
use crate::state::demo_org::DemoOrg;
use crate::state::token::{Expiry, Phase};
use crate::state::{Focus, Model};

/// Under this much time left the gauge is red.
const CRITICAL_SECS: i64 = 120;

pub fn render(model: &Model, theme: &Theme, area: Rect, frame: &mut Frame) {
    let token = &model.token;
    let block = pane_block(Line::from(" Token "), model.focus == Focus::Token, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let now = model.now;
    let phase = token.phase(now);
    let mut lines = vec![phase_line(phase, token.is_requesting(), theme)];

    if let Some(session) = &token.session {
        match &token.expiry {
            Expiry::Known {
                exp, iat, assumed, ..
            } => {
                let left = token.remaining(now);
                let time = local(*exp, model, "%H:%M:%S");
                let time = if *assumed { format!("~{time}") } else { time };
                lines.push(field(
                    "expires",
                    match left {
                        Some(left) => format!("{time} ({})", human::duration(left.as_secs())),
                        None => format!("{time} (past)"),
                    },
                    theme,
                ));
                let total = iat
                    .map_or(7200, |iat| exp.duration_since(iat).as_secs())
                    .max(1);
                let left_secs = left.map_or(0, |l| l.as_secs());
                let style = if left_secs < CRITICAL_SECS {
                    theme.error()
                } else if left_secs < token.expiring_soon().as_secs() {
                    theme.warn()
                } else {
                    theme.ok()
                };
                let ratio = (left_secs as f64 / total as f64).clamp(0.0, 1.0);
                lines.push(gauge_line(ratio, inner.width, style, theme));
                if *assumed {
                    lines.push(Line::styled("  assumed: 2 h after issue", theme.dim()));
                }
            }
            Expiry::Checking => lines.push(field("expires", "checking…".into(), theme)),
            Expiry::Unknown { why } => {
                lines.push(field("expires", "unknown".into(), theme));
                lines.push(Line::styled(format!("  {why}"), theme.dim()));
            }
        }
        lines.push(field(
            "issued",
            local(session.issued_at, model, "%Y-%m-%d %H:%M:%S"),
            theme,
        ));
        lines.push(field(
            "user",
            token.username.clone().unwrap_or_else(|| "…".into()),
            theme,
        ));
        lines.push(field("user id", session.user_id.clone(), theme));
        lines.push(field("org", session.org_id.clone(), theme));
        lines.push(field("instance", session.instance_url.clone(), theme));
        lines.push(field("scopes", session.scopes.join(" "), theme));
        lines.push(field("type", session.token_type.clone(), theme));
        lines.push(field("token", session.masked_token.clone(), theme));
        lines.push(field("flow", session.login.flow.clone(), theme));
        if let Some(kept) = &session.login.refresh_token {
            lines.push(field("refresh", format!("held in {kept}"), theme));
        }
        lines.push(field("renews", session.login.renewal.clone(), theme));
        let usage = token.usage.map_or_else(
            || "–".into(),
            |u| {
                format!(
                    "{} / {} today",
                    group_thousands(u.used),
                    group_thousands(u.max)
                )
            },
        );
        lines.push(field("API", usage, theme));
        // Two short lines, so the pane's narrow width never wraps them.
        let (how, why) = match session.reason {
            RenewReason::Initial => ("connect", None),
            RenewReason::Manual => ("by you", None),
            RenewReason::BeforeExpiry => ("auto", Some("before expiry")),
            RenewReason::InvalidSession => ("auto", Some("after INVALID_SESSION_ID")),
        };
        lines.push(field(
            "renewed",
            format!("{} ({how})", local(session.obtained_at, model, "%H:%M:%S")),
            theme,
        ));
        if let Some(why) = why {
            lines.push(field("", why.to_owned(), theme));
        }
    } else if let Some(profile) = &token.profile {
        lines.push(field("profile", profile.clone(), theme));
    }

    // The demo's mock org seeding (or failed to start): said here, not as a connect error.
    if token.session.is_none()
        && let Some(demo) = &model.demo_org
        && let Some(status) = demo.status()
    {
        let style = match demo {
            DemoOrg::Failed(_) => theme.error(),
            _ => theme.warn(),
        };
        lines.push(Line::from(""));
        lines.push(Line::styled(upper_first(&status), style));
        if let DemoOrg::Starting {
            connect: Some(name),
            ..
        } = demo
        {
            lines.push(Line::styled(
                format!("'{name}' connects once it serves."),
                theme.dim(),
            ));
        }
    }
    if let Some(wait) = &token.browser {
        lines.push(Line::from(""));
        lines.push(Line::styled("Log in in the browser", theme.warn()));
        let opened = match &wait.not_opened {
            None => "The login page opened in your browser.".to_owned(),
            Some(why) => format!("No browser opened ({why})."),
        };
        lines.push(Line::styled(opened, theme.dim()));
        lines.push(Line::styled(
            "If it did not, open this address:",
            theme.dim(),
        ));
        lines.push(Line::from(wait.url.clone()));
        lines.push(Line::styled(
            format!(
                "Approve, and the browser returns to 127.0.0.1:{}. From another machine (SSH), \
                 paste the address the browser ends on here.",
                wait.port
            ),
            theme.dim(),
        ));
        if let Some(why) = &wait.paste_refused {
            lines.push(Line::styled(
                format!("Pasted address refused: {why}"),
                theme.error(),
            ));
        }
    }
    if let Some(diagnosis) = &token.diagnosis {
        lines.push(Line::from(""));
        lines.push(Line::styled(diagnosis.title.clone(), theme.error()));
        if !diagnosis.what_salesforce_said.is_empty() {
            lines.push(Line::styled(
                format!("Salesforce said: {}", diagnosis.what_salesforce_said),
                theme.dim(),
            ));
        }
        lines.push(Line::from(diagnosis.meaning.clone()));
        lines.push(Line::from(vec![
            Span::styled("Fix: ", theme.key()),
            Span::raw(diagnosis.fix.clone()),
        ]));
    }
    if let Some(note) = &token.note {
        lines.push(Line::styled(note.clone(), theme.label()));
    }
    if token.session.is_some() && model.focus == Focus::Token {
        let keys = [
            (Action::RenewToken, "renew"),
            (Action::RevokeToken, "revoke"),
            (Action::Introspect, "introspect"),
            (Action::CopyToken, "copy"),
            (Action::CheckApi, "API"),
            (Action::SetupCheck, "setup check"),
        ];
        let mut hint = Vec::new();
        for (action, label) in keys {
            hint.push(Span::styled(
                model.keymap.hint(&[Context::Token], action),
                theme.key(),
            ));
            hint.push(Span::raw(format!(" {label} ")));
        }
        lines.push(Line::from(hint));
    }

    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// The share of the token's life that is left, as a bar of the pane's width.
fn gauge_line(ratio: f64, width: u16, style: Style, theme: &Theme) -> Line<'static> {
    let width = usize::from(width);
    let filled = ((ratio * width as f64).round() as usize).min(width);
    Line::from(vec![
        Span::styled("█".repeat(filled), style),
        Span::styled("░".repeat(width - filled), theme.dim()),
    ])
}

fn phase_line(phase: Phase, requesting: bool, theme: &Theme) -> Line<'static> {
    let style: Style = match phase {
        Phase::Active => theme.ok(),
        Phase::ExpiringSoon | Phase::Requesting => theme.warn(),
        Phase::Expired | Phase::Revoked | Phase::Error => theme.error(),
        Phase::NotConnected => theme.dim(),
    };
    let mut spans = vec![Span::styled(format!("● {}", phase.label()), style)];
    if requesting && phase != Phase::Requesting {
        spans.push(Span::styled("  renewing…", theme.warn()));
    }
    Line::from(spans)
}

fn field(label: &str, value: String, theme: &Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{label:<9}"), theme.label()),
        Span::raw(value),
    ])
}

fn local(ts: Timestamp, model: &Model, format: &str) -> String {
    ts.to_zoned_datetime(model.tz.clone())
        .strftime(format)
        .to_string()
}

/// `text` with its first letter in upper case (status lines start lower case in the status bar).
fn upper_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
