//! Profiles pane: the list with environment badges, and its popups (form, confirmations, the
//! secret prompt).

use crate::state::text_input::TextInput;
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, List, ListItem, ListState, Paragraph, Wrap};

use super::theme::badge_text;
use super::{Theme, centered, pane_block, render_confirm};
use crate::action::Action;
use crate::config::profiles::{AuthStyle, DEFAULT_CALLBACK_PORT};
use crate::keymap::Context;
use crate::state::profiles::{Field, FlowChoice, LoginHost, Mode, ProfileForm};
use crate::state::{Focus, Model};

pub fn render(model: &Model, theme: &Theme, area: Rect, frame: &mut Frame) {
    let state = &model.profiles;
    let focused = model.focus == Focus::Profiles;
    let block = pane_block(Line::from(" Profiles "), focused, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 {
        return;
    }

    let mut footer: Vec<Line> = Vec::new();
    if let Some(error) = &state.load_error {
        footer.push(Line::styled(error.clone(), theme.error()));
    } else if let Some(message) = &state.message {
        footer.push(Line::styled(message.clone(), theme.label()));
    }
    let keys = [
        (Action::NewProfile, "new"),
        (Action::EditProfile, "edit"),
        (Action::Connect, "connect"),
    ];
    let ctx = [Context::Profiles];
    let mut hint = Vec::new();
    for (action, label) in keys {
        hint.push(Span::styled(model.keymap.hint(&ctx, action), theme.key()));
        hint.push(Span::raw(format!(" {label}  ")));
    }
    footer.push(Line::from(hint));

    // Rows the footer takes once wrapped (an error with a file path is often longer than a row).
    let rows: usize = footer
        .iter()
        .map(|line| line.width().div_ceil(usize::from(inner.width)).max(1))
        .sum();
    let footer_height = u16::try_from(rows).unwrap_or(u16::MAX).min(inner.height);
    let list_area = Rect {
        height: inner.height - footer_height,
        ..inner
    };
    let footer_area = Rect {
        y: inner.y + list_area.height,
        height: footer_height,
        ..inner
    };

    let width = list_area.width as usize;
    let items: Vec<ListItem> = state
        .profiles
        .iter()
        .map(|profile| {
            let (badge, _) = model.environment_of(profile);
            let active = model.token.profile.as_deref() == Some(profile.name.as_str());
            let marker = if active { "● " } else { "  " };
            let badge_text = format!(" {} ", badge_text(badge));
            let room = width.saturating_sub(marker.chars().count() + badge_text.len() + 1);
            ListItem::new(Line::from(vec![
                Span::styled(marker, theme.ok()),
                Span::raw(super::records::fit(&profile.name, room)),
                Span::raw(" "),
                Span::styled(badge_text, theme.badge(badge)),
            ]))
        })
        .collect();
    let mut list_state =
        ListState::default().with_selected((!state.profiles.is_empty()).then_some(state.selected));
    let list = List::new(items).highlight_style(if focused {
        theme.selected()
    } else {
        theme.label()
    });
    frame.render_stateful_widget(list, list_area, &mut list_state);
    if state.profiles.is_empty() && state.load_error.is_none() {
        let hint = format!(
            "No profiles yet. Press {} to create one, or run `sfterm demo` to try a mock org.",
            model.keymap.hint(&ctx, Action::NewProfile)
        );
        frame.render_widget(
            Paragraph::new(Line::styled(hint, theme.dim())).wrap(Wrap { trim: true }),
            list_area,
        );
    }
    frame.render_widget(
        Paragraph::new(footer).wrap(Wrap { trim: true }),
        footer_area,
    );
}

/// The pane's popups, drawn over the whole screen.
pub fn render_popup(model: &Model, theme: &Theme, area: Rect, frame: &mut Frame) {
    match &model.profiles.mode {
        Mode::List => {}
        Mode::Form(form) => render_form(form, theme, area, frame),
        Mode::ConfirmDelete { name } => render_confirm(
            theme,
            "Delete profile",
            &[&format!("Delete the profile '{name}' from profiles.toml?")],
            area,
            frame,
        ),
        Mode::ConfirmDiscard(_) => render_confirm(
            theme,
            "Discard changes",
            &["The form has changes that are not saved.", "Discard them?"],
            area,
            frame,
        ),
        Mode::SecretPrompt { profile, input } => {
            let popup = centered(area, 64, 7);
            frame.render_widget(Clear, popup);
            let block = pane_block(
                Line::from(format!(" Client secret for {} ", profile.name)),
                true,
                theme,
            );
            let inner = block.inner(popup);
            frame.render_widget(block, popup);
            let lines = vec![
                Line::styled(
                    "Kept in memory for this session only, never written.",
                    theme.dim(),
                ),
                Line::from(""),
                masked_line("Secret", input, theme, true),
                Line::from(""),
                Line::styled("enter connect    esc cancel", theme.key()),
            ];
            frame.render_widget(Paragraph::new(lines), inner);
            set_cursor(frame, inner, 2, input);
        }
    }
}

const LABEL_WIDTH: usize = 13;
/// Notes under the URL start under the value, after the arrow.
const NOTE_INDENT: usize = LABEL_WIDTH + 4;

/// `text` word-wrapped to `width` columns, every line indented by `indent` spaces, so the
/// form's rows stay where the cursor arithmetic expects them (no wrapping by the paragraph).
fn indented(text: &str, indent: usize, width: usize, style: Style) -> Vec<Line<'static>> {
    let room = width.saturating_sub(indent).max(20);
    let mut rows: Vec<String> = Vec::new();
    let mut row = String::new();
    for word in text.split_whitespace() {
        let fits = row.chars().count() + 1 + word.chars().count() <= room;
        if !row.is_empty() && !fits {
            rows.push(std::mem::take(&mut row));
        }
        if !row.is_empty() {
            row.push(' ');
        }
        row.push_str(word);
    }
    rows.push(row);
    rows.into_iter()
        .map(|row| Line::styled(format!("{:indent$}{row}", ""), style))
        .collect()
}

fn render_form(form: &ProfileForm, theme: &Theme, area: Rect, frame: &mut Frame) {
    let popup = centered(area, 84, 24);
    frame.render_widget(Clear, popup);
    let title = if form.original_name.is_some() {
        " Edit profile "
    } else {
        " New profile "
    };
    let block = pane_block(Line::from(title), true, theme);
    let inner = block.inner(popup);
    frame.render_widget(block, popup);

    let width = usize::from(inner.width);
    let mut lines: Vec<Line> = Vec::new();
    let mut cursor = None;
    for field in form.visible_fields() {
        let focused = form.focus == field;
        let row = lines.len() as u16;
        lines.push(field_line(form, field, focused, theme));
        if focused
            && !field.is_choice()
            && let Some(input) = form.input(field)
        {
            cursor = Some((row, input));
        }
        for (_, problem) in form.problems.iter().filter(|(f, _)| *f == field) {
            lines.extend(indented(
                &format!("✗ {problem}"),
                LABEL_WIDTH + 2,
                width,
                theme.error(),
            ));
        }
        lines.extend(notes_under(form, field, width, theme));
    }
    lines.push(Line::from(""));
    if form.saving {
        lines.push(Line::styled("saving…", theme.warn()));
    }
    lines.push(Line::styled(
        "tab/↓ next  shift-tab/↑ back  space/→ change choice  ctrl-s save  esc cancel",
        theme.key(),
    ));
    frame.render_widget(Paragraph::new(lines), inner);
    if let Some((row, input)) = cursor {
        set_cursor(frame, inner, row, input);
    }
}

/// The row of one field: its label and value (a choice between ‹ › when focused, a secret
/// masked, the default in dim when nothing is typed).
fn field_line(form: &ProfileForm, field: Field, focused: bool, theme: &Theme) -> Line<'static> {
    let choice = |value: &str| choice_line(field, value, focused, theme);
    match field {
        Field::Flow => choice(form.flow.label()),
        Field::LoginHost => choice(form.login_host.label()),
        Field::SecretSource => choice(secret_source_label(form.secret_source_name())),
        Field::AuthStyle => choice(match form.auth_style() {
            AuthStyle::Body => "in the form body",
            AuthStyle::Basic => "HTTP Basic header",
        }),
        Field::SecretValue if form.secret_source_name() == "plain" => masked_line(
            secret_value_label(form),
            form.secret_value(),
            theme,
            focused,
        ),
        _ => {
            let input = form.input(field).map_or("", TextInput::text);
            let label = if field == Field::SecretValue {
                secret_value_label(form)
            } else {
                field.label()
            };
            let mut line = text_line(label, input, focused, theme);
            if input.is_empty()
                && let Some(placeholder) = placeholder(form, field)
            {
                line.push_span(Span::styled(placeholder, theme.dim()));
            }
            line
        }
    }
}

/// What an empty field stands for.
fn placeholder(form: &ProfileForm, field: Field) -> Option<String> {
    match field {
        Field::CallbackPort => Some(format!("{DEFAULT_CALLBACK_PORT} (default)")),
        Field::SfOrg => Some("alias or username, as `sf org list` shows it".into()),
        Field::KeyFile => Some("path to the private key (PEM) of the app's certificate".into()),
        Field::Username => Some("the Salesforce user to log in as (pre-authorised)".into()),
        Field::Audience => Some(match form.default_audience() {
            Some(aud) => format!("optional; default {aud}"),
            None => "optional; default from the endpoint".into(),
        }),
        _ => None,
    }
}

/// The hints and warnings under a field.
fn notes_under(
    form: &ProfileForm,
    field: Field,
    width: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    match field {
        Field::Url => match form.endpoint_hint() {
            Ok((url, notes)) => {
                lines.push(Line::styled(
                    format!("{:LABEL_WIDTH$}  → {url}", ""),
                    theme.ok(),
                ));
                for note in notes {
                    lines.extend(indented(&note, NOTE_INDENT, width, theme.dim()));
                }
            }
            Err(why) => lines.extend(indented(&why, NOTE_INDENT, width, theme.dim())),
        },
        Field::LoginHost
            if form.flow == FlowChoice::ClientCredentials
                && matches!(form.login_host, LoginHost::Production | LoginHost::Sandbox) =>
        {
            lines.extend(indented(
                "! client credentials need the My Domain URL; login/test hosts refuse them",
                LABEL_WIDTH + 2,
                width,
                theme.warn(),
            ));
        }
        Field::SecretValue if form.secret_source_name() == "plain" => {
            lines.extend(indented(
                "! stored in plain text in profiles.toml (file made private, 0600)",
                LABEL_WIDTH + 2,
                width,
                theme.warn(),
            ));
        }
        // The callback URL the app must list, exactly, to paste into its settings.
        Field::CallbackPort => match form.callback_url() {
            Ok(url) => {
                lines.push(Line::styled(
                    format!("{:LABEL_WIDTH$}  → {url}", ""),
                    theme.ok(),
                ));
                lines.extend(indented(
                    "add this callback URL to the app (it must match exactly)",
                    NOTE_INDENT,
                    width,
                    theme.dim(),
                ));
            }
            Err(why) => lines.extend(indented(&why, NOTE_INDENT, width, theme.dim())),
        },
        _ => {}
    }
    lines
}

fn secret_source_label(name: &str) -> &'static str {
    match name {
        "none" => "none (PKCE app)",
        "env" => "environment variable",
        "command" => "command output (e.g. pass show sf/prod)",
        "plain" => "plain text in profiles.toml",
        _ => "prompt when connecting (memory only)",
    }
}

fn secret_value_label(form: &ProfileForm) -> &'static str {
    match form.secret_source_name() {
        "env" => "Variable",
        "command" => "Command",
        _ => "Secret",
    }
}

fn label_span(label: &str, focused: bool, theme: &Theme) -> Span<'static> {
    let style = if focused { theme.key() } else { theme.label() };
    Span::styled(format!("{label:>LABEL_WIDTH$}  "), style)
}

fn text_line(label: &str, value: &str, focused: bool, theme: &Theme) -> Line<'static> {
    Line::from(vec![
        label_span(label, focused, theme),
        Span::raw(value.to_owned()),
    ])
}

fn choice_line(field: Field, value: &str, focused: bool, theme: &Theme) -> Line<'static> {
    let value = if focused {
        format!("‹ {value} ›")
    } else {
        value.to_owned()
    };
    Line::from(vec![
        label_span(field.label(), focused, theme),
        Span::raw(value),
    ])
}

fn masked_line(label: &str, input: &TextInput, theme: &Theme, focused: bool) -> Line<'static> {
    let dots = "•".repeat(input.len());
    Line::from(vec![label_span(label, focused, theme), Span::raw(dots)])
}

fn set_cursor(frame: &mut Frame, inner: Rect, row: u16, input: &TextInput) {
    let x = inner.x + LABEL_WIDTH as u16 + 2 + u16::try_from(input.cursor()).unwrap_or(u16::MAX);
    let y = inner.y + row;
    if x < inner.right() && y < inner.bottom() {
        frame.set_cursor_position(Position { x, y });
    }
}
