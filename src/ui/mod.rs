//! Rendering. Everything here only reads the [`Model`]; where panes went is returned as
//! [`LayoutFeedback`] for the runtime to hand back (mouse focus).

pub mod api_log;
pub mod check;
pub mod composer;
pub mod field_editor;
pub mod help;
pub mod history;
pub mod main_area;
pub mod palette;
pub mod profiles;
pub mod record_detail;
pub mod records;
pub mod status_bar;
pub mod text_input;
pub mod theme;
pub mod token;
pub mod widths;

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};

use crate::state::layout::side_panes_shown;
use crate::state::{LayoutFeedback, Model, Overlay};
pub use theme::Theme;

/// Below this the layout cannot show the panes; a notice says so instead.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;
/// Below this width the side panes (profiles, token) fold away by themselves, the token's time
/// left moving to the status bar; `z` shows them anyway (see [`crate::state::layout`]). At 100
/// columns the Records list beside them still shows its default columns whole.
pub const FOLD_BELOW: u16 = 100;

/// Spinner frames for work in flight.
pub const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

pub fn render(model: &Model, theme: &Theme, frame: &mut Frame) -> LayoutFeedback {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        render_too_small(area, frame);
        return LayoutFeedback::default();
    }
    let [body, status] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
    let narrow = area.width < FOLD_BELOW;
    let side_panes = side_panes_shown(model.side_panes, narrow);
    // Wide enough for the token pane's longest usual line (a run-as username), never most of it;
    // none when the side panes are folded.
    let left_width = if side_panes {
        (body.width * 3 / 8).clamp(30, 46)
    } else {
        0
    };
    let [left, main] =
        Layout::horizontal([Constraint::Length(left_width), Constraint::Fill(1)]).areas(body);
    let profiles_height = (model.profiles.profiles.len() as u16 + 5).clamp(7, left.height / 2);
    let [profiles_area, token_area] =
        Layout::vertical([Constraint::Length(profiles_height), Constraint::Fill(1)]).areas(left);

    if side_panes {
        profiles::render(model, theme, profiles_area, frame);
        token::render(model, theme, token_area, frame);
    }
    main_area::render(model, theme, main, frame);
    status_bar::render(model, side_panes, theme, status, frame);
    profiles::render_popup(model, theme, area, frame);
    check::render(model, theme, area, frame);
    match &model.overlay {
        Some(Overlay::Help { scroll }) => help::render(model, theme, *scroll, area, frame),
        Some(Overlay::Palette(palette)) => palette::render(model, palette, theme, area, frame),
        Some(Overlay::ConfirmCopyToken) => render_confirm(
            theme,
            "Copy token?",
            &[
                "Copy the access token to the clipboard?",
                "Anyone who reads it can act as the integration user until it expires.",
            ],
            area,
            frame,
        ),
        Some(Overlay::ConfirmRevoke) => {
            let refresh = model
                .token
                .session
                .as_ref()
                .is_some_and(|s| s.login.refresh_token.is_some());
            let mut lines =
                vec!["Revoke the access token? Requests fail with it until a new login."];
            if refresh {
                lines.push("The browser login's refresh token is revoked too: you log in again.");
            }
            render_confirm(theme, "Revoke token?", &lines, area, frame);
        }
        Some(Overlay::Drafts { drafts, selected }) => {
            record_detail::render_drafts(drafts, *selected, &model.keymap, theme, area, frame);
        }
        Some(Overlay::QuitRunning { jobs }) => {
            let running = if *jobs == 1 {
                "An import job is still running in Salesforce.".to_owned()
            } else {
                format!("{jobs} import jobs are still running in Salesforce.")
            };
            let lines = [
                running.as_str(),
                "They go on without sfterm; their result files",
                "(.success, .failed, .unprocessed) are not written.",
                "Quit anyway? (n stays; esc in the import aborts them)",
            ];
            render_confirm(theme, "Quit while importing?", &lines, area, frame);
        }
        Some(Overlay::QuitStaged { count }) => {
            record_detail::render_quit(*count, &model.keymap, theme, area, frame);
        }
        None => {}
    }
    LayoutFeedback {
        profiles: profiles_area,
        token: token_area,
        main,
        narrow,
    }
}

fn render_too_small(area: Rect, frame: &mut Frame) {
    let text = format!(
        "Terminal too small ({}x{}): sfterm needs at least {MIN_WIDTH}x{MIN_HEIGHT}.",
        area.width, area.height
    );
    frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
}

/// A bordered block with a title, its border highlighted when focused.
pub fn pane_block<'a>(title: Line<'a>, focused: bool, theme: &Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(theme.border(focused))
        .title(title)
}

/// A centred rectangle of at most `width` x `height` inside `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [row] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [cell] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(row);
    cell
}

/// A question on production answered by typing (the record's name, a count): the question,
/// what to type, the typed text with the cursor in it.
pub fn render_typed_confirm(
    theme: &Theme,
    question: &str,
    what_to_type: &str,
    typed: &crate::state::text_input::TextInput,
    area: Rect,
    frame: &mut Frame,
) {
    let width = question
        .chars()
        .count()
        .max(what_to_type.chars().count())
        .max(40) as u16
        + 4;
    let popup = centered(area, width.min(area.width), 8);
    frame.render_widget(Clear, popup);
    let lines = vec![
        Line::styled(question.to_owned(), theme.error()),
        Line::raw(what_to_type.to_owned()),
        Line::from(vec![
            ratatui::text::Span::styled("> ", theme.key()),
            ratatui::text::Span::raw(typed.text().to_owned()),
        ]),
        Line::raw(""),
        Line::styled("enter delete    esc cancel", theme.key()),
    ];
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(pane_block(Line::from(" Delete? "), true, theme)),
        popup,
    );
    let x = popup.x + 3 + u16::try_from(typed.cursor()).unwrap_or(u16::MAX);
    if x < popup.right() {
        frame.set_cursor_position(ratatui::layout::Position { x, y: popup.y + 3 });
    }
}

/// A yes/no question in a popup.
pub fn render_confirm(theme: &Theme, title: &str, lines: &[&str], area: Rect, frame: &mut Frame) {
    let width = lines
        .iter()
        .map(|l| l.chars().count() as u16)
        .max()
        .unwrap_or(20)
        .max(30)
        + 4;
    let popup = centered(area, width, lines.len() as u16 + 4);
    let mut text: Vec<Line> = lines.iter().map(|l| Line::from(*l)).collect();
    text.push(Line::from(""));
    text.push(Line::styled("y yes    n no", theme.key()));
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(text)
            .wrap(Wrap { trim: false })
            .block(pane_block(Line::from(format!(" {title} ")), true, theme)),
        popup,
    );
}
