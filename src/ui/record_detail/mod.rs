//! The record detail view: a row per field (marker, label, value, type, flags), staged changes as
//! `old → new`, fields named by a failed save highlighted, and the popups over it (editor,
//! conflict, delete, save confirmation, leave with staged changes). Also the drafts popup and the
//! quit question, which the app shows over everything.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::widths::{display_width, fit};
use super::{Theme, pane_block};
use crate::action::Action;
use crate::keymap::{Context, Keymap};
use crate::state::field_editor::type_label;
use crate::state::record_detail::{RecordDetailState, Status, Target};

mod popups;

use popups::render_popup;
pub use popups::{render_drafts, render_quit};

fn key(keymap: &Keymap, context: Context, action: Action) -> String {
    keymap.hint(&[context], action)
}

/// Draws the view into `area` (the main area, borders included).
pub fn render(
    view: &RecordDetailState,
    depth: usize,
    keymap: &Keymap,
    focused: bool,
    theme: &Theme,
    area: Rect,
    frame: &mut Frame,
) {
    let mut title = vec![Span::raw(" ")];
    if depth > 1 {
        title.push(Span::styled(format!("{depth}· "), theme.dim()));
    }
    let heading = match &view.target {
        Target::Record(id) => format!("{} · {} · {id}", view.object, view.title()),
        Target::New => format!("New {}", view.object),
    };
    title.push(Span::styled(
        heading,
        theme.label().add_modifier(Modifier::BOLD),
    ));
    if view.production {
        title.push(Span::styled("  PROD", theme.error()));
    }
    title.push(Span::raw(" "));
    let block = pane_block(Line::from(title), focused, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height < 3 {
        return;
    }
    let [body, focus, message, help] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(1),
        Constraint::Length(2),
        Constraint::Length(1),
    ])
    .areas(inner);
    if let Some(field) = view.selected_field().and_then(|n| view.field(n)) {
        let mut spans = vec![
            Span::styled(field.label.clone(), theme.label()),
            Span::styled(
                format!(" · API name {} · {}", field.name, type_label(field)),
                theme.dim(),
            ),
        ];
        if let Some(help) = field.inline_help_text.as_deref().filter(|h| !h.is_empty()) {
            spans.push(Span::styled(format!(" · {help}"), theme.dim()));
        }
        frame.render_widget(Paragraph::new(Line::from(spans)), focus);
    }

    match &view.status {
        Status::Loading if view.describe.is_none() => {
            frame.render_widget(Paragraph::new(Line::styled("Loading…", theme.dim())), body);
        }
        Status::WaitingForConnection => {
            frame.render_widget(
                Paragraph::new(vec![Line::styled(
                    format!(
                        "{} staged change(s) restored from a draft. Connect a profile \
                             (enter in Profiles) and the record loads.",
                        view.staged.len()
                    ),
                    theme.warn(),
                )])
                .wrap(Wrap { trim: true }),
                body,
            );
        }
        Status::Failed(e) if view.describe.is_none() => {
            frame.render_widget(
                Paragraph::new(vec![
                    Line::styled(format!("Could not load: {e}"), theme.error()),
                    Line::styled(
                        format!(
                            "{} retries · esc back{}",
                            key(keymap, Context::Detail, Action::ReloadRecord),
                            if view.staged.is_empty() {
                                String::new()
                            } else {
                                format!(" · {} staged change(s) kept", view.staged.len())
                            }
                        ),
                        theme.dim(),
                    ),
                ])
                .wrap(Wrap { trim: true }),
                body,
            );
        }
        _ => render_rows(view, theme, body, frame),
    }

    let mut notes = Vec::new();
    if let Some(problem) = &view.problem {
        notes.push(Line::styled(problem.message.clone(), theme.error()));
    }
    if let Some(note) = &view.note {
        notes.push(Line::styled(note.clone(), theme.dim()));
    }
    if let Status::Failed(e) = &view.status
        && view.describe.is_some()
    {
        notes.push(Line::styled(format!("Reload failed: {e}"), theme.error()));
    }
    frame.render_widget(Paragraph::new(notes).wrap(Wrap { trim: true }), message);

    let n = view.staged.len();
    let save = if view.target == Target::New {
        "create".to_string()
    } else if n == 0 {
        "save".to_string()
    } else {
        format!("save {n} change{}", if n == 1 { "" } else { "s" })
    };
    let mut hints = vec![
        (
            key(keymap, Context::Detail, Action::EditField),
            "edit".to_string(),
        ),
        (
            key(keymap, Context::Detail, Action::FollowReference),
            "follow".to_string(),
        ),
        (key(keymap, Context::Detail, Action::SaveRecord), save),
        (
            key(keymap, Context::Detail, Action::UndoField),
            "undo field".to_string(),
        ),
    ];
    if view.target != Target::New {
        hints.push((
            key(keymap, Context::Detail, Action::NewRecord),
            "new".to_string(),
        ));
        hints.push((
            key(keymap, Context::Detail, Action::DeleteRecord),
            "delete".to_string(),
        ));
        hints.push((
            key(keymap, Context::Detail, Action::CopyValue),
            "copy".to_string(),
        ));
        hints.push((
            key(keymap, Context::Detail, Action::CopyRecordId),
            "copy id".to_string(),
        ));
        hints.push((
            key(keymap, Context::Detail, Action::OpenInBrowser),
            "browser".to_string(),
        ));
    }
    hints.push((
        key(keymap, Context::Global, Action::Cancel),
        "back".to_string(),
    ));
    let mut spans = Vec::new();
    for (k, what) in hints {
        if k.is_empty() {
            continue;
        }
        spans.push(Span::styled(k, theme.key()));
        spans.push(Span::styled(format!(" {what}  "), theme.dim()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), help);

    // Popups get the whole screen (the main area is narrow next to the side panes).
    let screen = frame.area();
    render_popup(view, keymap, theme, screen, frame);
}

fn render_rows(view: &RecordDetailState, theme: &Theme, area: Rect, frame: &mut Frame) {
    let height = area.height as usize;
    let first = view.selected.saturating_sub(height.saturating_sub(1));
    // The widths follow every row of the record, not only the visible ones, so the columns
    // stay put while scrolling (a record has hundreds of fields at most).
    let mut needs = Columns {
        label: 0,
        value: 0,
        kind: 0,
        flags: 9,
        api: 0,
    };
    for name in &view.rows {
        let Some(field) = view.field(name) else {
            continue;
        };
        needs.label = needs.label.max(display_width(&field.label));
        needs.value = needs.value.max(display_width(&value_text(view, name)));
        needs.kind = needs.kind.max(display_width(&type_label(field)));
        needs.api = needs.api.max(display_width(&field.name));
    }
    // Each visible row's value and type, formatted once.
    let visible: Vec<_> = view
        .rows
        .iter()
        .enumerate()
        .skip(first)
        .take(height)
        .filter_map(|(i, name)| {
            let field = view.field(name)?;
            Some((i, name, field, value_text(view, name), type_label(field)))
        })
        .collect();
    let widths = Columns::fit(&needs, area.width as usize);
    let Columns {
        label: label_w,
        value: value_w,
        kind: type_w,
        flags: flag_w,
        api: api_w,
    } = widths;
    let mut lines = Vec::new();
    for (i, name, field, value, kind) in visible {
        let editable = i < view.editable_rows;
        let staged = view.staged.get(name);
        let flagged = view
            .problem
            .as_ref()
            .is_some_and(|p| p.fields.iter().any(|f| f.eq_ignore_ascii_case(name)));
        let marker = if flagged {
            "!"
        } else if staged.is_some() {
            "*"
        } else {
            " "
        };
        let flags = if staged.is_some() {
            "(staged)"
        } else if view.is_required(field) {
            "required"
        } else if !editable {
            "read-only"
        } else {
            ""
        };
        let base = if flagged {
            theme.error()
        } else if !editable {
            theme.dim()
        } else if view.is_required(field) {
            theme.label().add_modifier(Modifier::BOLD)
        } else {
            theme.label()
        };
        let style = if i == view.selected {
            base.patch(theme.selected())
        } else {
            base
        };
        let pointer = if i == view.selected { "▸" } else { " " };
        let mut text = format!(
            "{pointer}{marker}{} {}",
            fit(&field.label, label_w),
            fit(&value, value_w)
        );
        for (cell, width) in [(kind, type_w), (flags.to_string(), flag_w)] {
            if width > 0 {
                text.push(' ');
                text.push_str(&fit(&cell, width));
            }
        }
        if api_w > 0 {
            text.push(' ');
            text.push_str(&fit(&field.name, api_w));
        }
        lines.push(Line::styled(text, style));
    }
    if view.rows.is_empty() {
        lines.push(Line::styled("No fields.", theme.dim()));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

/// A row's value as shown: the opened value, with the staged one after an arrow.
fn value_text(view: &RecordDetailState, name: &str) -> String {
    let opened = view.display(name, view.value(name));
    match view.staged.get(name) {
        Some(new) if view.target == Target::New => view.display(name, new),
        Some(new) => format!("{opened} → {}", view.display(name, new)),
        None if view.target == Target::New => String::new(),
        None => opened,
    }
}

/// The widths of the detail view's columns (0 = left out), or what the visible rows need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Columns {
    label: usize,
    value: usize,
    kind: usize,
    flags: usize,
    api: usize,
}

impl Columns {
    /// The value always shows: the API name goes first when the width runs short (the focus
    /// line shows it), then the type shrinks, then the flags (the row marker still says
    /// staged or failed) and the type go. Every column is as wide as the visible rows need
    /// (`needs`), within bounds.
    fn fit(needs: &Columns, width: usize) -> Columns {
        let label = needs
            .label
            .clamp(8, 28)
            .min(20.max(width / 6))
            .min(width / 4);
        let (kind_need, api_need, value_need) = (needs.kind, needs.api, needs.value);
        // The value wants what the visible rows need, up to half the width: the API name and
        // the type's width beyond 15 give way for that. It must have a third of the width:
        // the flags and then the type go for that.
        let wanted = value_need.min(width / 2);
        let needed = (width / 3).max(12);
        let mut columns = Columns {
            label,
            value: 0,
            kind: kind_need.min(32),
            flags: 9,
            api: if width >= 110 {
                api_need.clamp(10, 32)
            } else {
                0
            },
        };
        let value_room = |c: &Columns| {
            // Two marker columns, then a space before each column after the label.
            let gaps = 1 + [c.kind, c.flags, c.api].iter().filter(|w| **w > 0).count();
            width.saturating_sub(2 + c.label + c.kind + c.flags + c.api + gaps)
        };
        let short = |c: &Columns, of: usize| of.saturating_sub(value_room(c));
        if short(&columns, wanted.max(needed)) > 0 {
            columns.api = 0;
        }
        let give = short(&columns, wanted.max(needed));
        columns.kind = columns.kind.saturating_sub(give).max(columns.kind.min(15));
        if short(&columns, needed) > 0 {
            columns.flags = 0;
        }
        if short(&columns, needed) > 0 {
            columns.kind = 0;
        }
        // Narrow (the side panes beside an 80-column terminal): what is typed matters more
        // than the type, which the focus line shows anyway.
        if width < 70 && short(&columns, wanted) > 0 {
            columns.flags = 0;
            columns.kind = 0;
        }
        columns.value = value_room(&columns);
        // The value needs less than it got: the label, then the type, then the API name
        // (where there is one) take back what they were cut by, so no column keeps spare
        // width while another is cut.
        let mut spare = columns.value.saturating_sub(value_need.max(needed));
        let kind_wants = if columns.kind > 0 {
            kind_need.min(32)
        } else {
            0
        };
        let api_wants = if columns.api > 0 { api_need.min(32) } else { 0 };
        for (width, need) in [
            (&mut columns.label, needs.label.min(40)),
            (&mut columns.kind, kind_wants),
            (&mut columns.api, api_wants),
        ] {
            let more = need.saturating_sub(*width).min(spare);
            *width += more;
            spare -= more;
        }
        columns.value = value_room(&columns);
        columns
    }
}
