//! The import wizard over the Records list: the file step, the column mapping (and its field
//! chooser), the preview with the check's findings, the progress gauge, the summary and the
//! failed rows.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Gauge, List, ListItem, ListState, Paragraph, Wrap};

use super::fit;
use crate::human::{duration, group_thousands};
use crate::state::import::{Confirm, FileRow, ImportWizard, Step};
use crate::ui::theme::highlighted;
use crate::ui::{Theme, centered, pane_block};

/// Draws the wizard in `area` (the Records tab).
pub(super) fn render(wizard: &ImportWizard, theme: &Theme, area: Rect, frame: &mut Frame) {
    let popup = centered(
        area,
        area.width.saturating_sub(2).min(110),
        area.height.saturating_sub(1).max(8),
    );
    frame.render_widget(Clear, popup);
    let (n, name) = match wizard.step {
        Step::File => (1, "file"),
        Step::Mapping => (2, "columns → fields"),
        Step::Preview => (3, "preview and check"),
        Step::Running => (4, "running"),
        Step::Done => (5, "done"),
    };
    let title = format!(
        " Import into {} · {} · step {n}/5: {name} ",
        wizard.object,
        wizard.operation.as_str()
    );
    let block = pane_block(Line::from(title), true, theme)
        .title_bottom(Line::styled(footer(wizard), theme.dim()));
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let [body, notice] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    match wizard.step {
        Step::File => render_file(wizard, theme, body, frame),
        Step::Mapping => render_mapping(wizard, theme, body, frame),
        Step::Preview => render_preview(wizard, theme, body, frame),
        Step::Running => render_running(wizard, theme, body, frame),
        Step::Done if wizard.failures_open => render_failures(wizard, theme, body, frame),
        Step::Done => render_done(wizard, theme, body, frame),
    }
    if let Some(text) = &wizard.notice {
        frame.render_widget(
            Paragraph::new(Line::styled(text.clone(), theme.warn())),
            notice,
        );
    }
    if let Some(confirm) = wizard.confirm {
        render_confirm(wizard, confirm, theme, area, frame);
    }
}

/// The keys of the step, in the block's bottom line.
fn footer(wizard: &ImportWizard) -> String {
    let text = match wizard.step {
        _ if wizard.chooser.is_some() => "type to filter · ↑↓ choose · enter sets · esc back",
        Step::File => "enter reads the file · tab completes · ↑↓ · space changes · esc closes",
        Step::Mapping => "enter changes the field · x skips · n previews · b back · esc closes",
        Step::Preview if wizard.has_errors() => "b back to the mapping · esc closes",
        Step::Preview => "enter imports · b back to the mapping · esc closes",
        Step::Running => "esc aborts",
        Step::Done if wizard.failures_open => "↑↓ scroll · esc back",
        Step::Done => "f failures · l filter the list to these records · esc closes",
    };
    format!(" {text} ")
}

fn render_file(wizard: &ImportWizard, theme: &Theme, area: Rect, frame: &mut Frame) {
    let label = |row: FileRow, text: &'static str| {
        let style = if wizard.focus == row {
            theme.selected()
        } else {
            theme.label()
        };
        Span::styled(format!(" {text:<10} "), style)
    };
    let width = area.width.saturating_sub(13);
    let (path, col) = crate::ui::text_input::line(&wizard.path.input, width, Style::default());
    let mut spans = vec![label(FileRow::Path, "File")];
    spans.extend(path.spans);
    let mut lines = vec![Line::from(spans)];
    if !wizard.path.candidates.is_empty() {
        lines.push(Line::styled(
            format!("            {}", wizard.path.candidates.join("  ")),
            theme.dim(),
        ));
    }
    if let Some(message) = &wizard.path.message {
        lines.push(Line::styled(format!("            {message}"), theme.warn()));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(vec![
        label(FileRow::Operation, "Operation"),
        Span::raw(wizard.operation.as_str()),
        Span::styled("   (insert · update · upsert · delete)", theme.dim()),
    ]));
    if wizard.operation == crate::sf::ingest::IngestOperation::Upsert {
        lines.push(Line::from(vec![
            label(FileRow::Key, "Key field"),
            Span::raw(wizard.external_id().unwrap_or_default()),
            Span::styled(format!("   (of {})", wizard.keys().join(", ")), theme.dim()),
        ]));
    }
    lines.push(Line::from(""));
    lines.push(Line::styled(
        " A header row of field API names or labels, then one row per record (UTF-8, commas). \
         The results are written beside the file.",
        theme.dim(),
    ));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
    if wizard.wants_text() {
        frame.set_cursor_position(Position {
            x: area.x + 12 + col,
            y: area.y,
        });
    }
}

fn render_mapping(wizard: &ImportWizard, theme: &Theme, area: Rect, frame: &mut Frame) {
    let mut items = vec![ListItem::new(Line::styled(
        format!(" {:<24} {:<28} {}", "Column", "Field", "First row"),
        theme.label(),
    ))];
    for (i, column) in wizard.header.iter().enumerate() {
        let field = wizard.mapping.get(i).cloned().flatten();
        let sample = wizard
            .sample
            .first()
            .and_then(|row| row.get(i))
            .cloned()
            .unwrap_or_default();
        let (text, style) = match field {
            Some(field) => (field, Style::default()),
            None => ("— skipped".to_owned(), theme.warn()),
        };
        items.push(ListItem::new(Line::from(vec![
            Span::raw(format!(" {} ", fit(column, 24))),
            Span::styled(format!("{} ", fit(&text, 28)), style),
            Span::styled(sample, theme.dim()),
        ])));
    }
    let mut state = ListState::default().with_selected(Some(wizard.cursor + 1));
    frame.render_stateful_widget(
        List::new(items).highlight_style(theme.selected()),
        area,
        &mut state,
    );
    if wizard.chooser.is_some() {
        render_chooser(wizard, theme, area, frame);
    }
}

fn render_chooser(wizard: &ImportWizard, theme: &Theme, area: Rect, frame: &mut Frame) {
    let Some(chooser) = &wizard.chooser else {
        return;
    };
    let popup = centered(area, 60, area.height.saturating_sub(2).max(6));
    frame.render_widget(Clear, popup);
    let column = wizard
        .header
        .get(wizard.cursor)
        .cloned()
        .unwrap_or_default();
    let block = pane_block(Line::from(format!(" Field of {column} ")), true, theme);
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let [line, list] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(inner);
    crate::ui::text_input::render_labelled(&chooser.filter, "filter: ", true, theme, line, frame);
    let rows = wizard.chooser_rows();
    let describe = wizard.describe.as_deref();
    let mut items: Vec<ListItem> = rows
        .iter()
        .map(|hit| match &hit.item {
            None => ListItem::new(Line::styled("— skip this column", theme.warn())),
            Some(name) => {
                let mut spans = highlighted(name, &hit.positions, theme.matched());
                let about = describe
                    .and_then(|d| d.field(name))
                    .map_or_else(String::new, |f| format!("{} · {}", f.label, f.field_type));
                let pad = 28usize.saturating_sub(name.chars().count());
                spans.push(Span::raw(" ".repeat(pad + 1)));
                spans.push(Span::styled(about, theme.dim()));
                ListItem::new(Line::from(spans))
            }
        })
        .collect();
    if items.is_empty() {
        items.push(ListItem::new(Line::styled(
            "No field matches the filter.",
            theme.warn(),
        )));
    }
    let mut state =
        ListState::default().with_selected((!rows.is_empty()).then_some(chooser.selected));
    frame.render_stateful_widget(
        List::new(items).highlight_style(theme.selected()),
        list,
        &mut state,
    );
}

fn render_preview(wizard: &ImportWizard, theme: &Theme, area: Rect, frame: &mut Frame) {
    let table_height = (wizard.sample.len() as u16 + 2).min(area.height / 2);
    let [table, findings] =
        Layout::vertical([Constraint::Length(table_height), Constraint::Min(1)]).areas(area);
    // The columns sent, each as wide as its name or values (at most 20).
    let kept: Vec<(usize, &str)> = wizard
        .mapping
        .iter()
        .enumerate()
        .filter_map(|(i, f)| f.as_deref().map(|f| (i, f)))
        .collect();
    let widths: Vec<usize> = kept
        .iter()
        .map(|(i, name)| {
            wizard
                .sample
                .iter()
                .filter_map(|row| row.get(*i))
                .map(|v| v.chars().count())
                .chain([name.chars().count()])
                .max()
                .unwrap_or(0)
                .clamp(4, 20)
        })
        .collect();
    let row_line = |cells: Vec<String>| {
        let text: Vec<String> = cells.iter().zip(&widths).map(|(c, w)| fit(c, *w)).collect();
        format!(" {}", text.join(" │ "))
    };
    let mut lines = vec![Line::styled(
        row_line(kept.iter().map(|(_, n)| (*n).to_owned()).collect()),
        theme.label(),
    )];
    for row in &wizard.sample {
        let cells = kept
            .iter()
            .map(|(i, _)| row.get(*i).cloned().unwrap_or_default())
            .collect();
        lines.push(Line::raw(row_line(cells)));
    }
    frame.render_widget(Paragraph::new(lines), table);
    let mut lines = Vec::new();
    match &wizard.checked {
        None => lines.push(Line::styled(" Checking the file…", theme.dim())),
        Some(checked) => {
            let errors = checked.findings.iter().filter(|f| f.error).count() + checked.more;
            let summary = match &checked.plan {
                Some(plan) => format!(
                    " {} rows in {} job{} · no errors: enter imports",
                    group_thousands(plan.rows() as u64),
                    plan.parts(),
                    if plan.parts() == 1 { "" } else { "s" }
                ),
                None => format!(
                    " {errors} error{} in {}: nothing can be sent",
                    if errors == 1 { "" } else { "s" },
                    wizard.file.display()
                ),
            };
            let style = if checked.plan.is_some() {
                theme.ok()
            } else {
                theme.error()
            };
            lines.push(Line::styled(summary, style));
            for finding in checked.findings.iter().skip(wizard.cursor) {
                let (mark, style) = if finding.error {
                    ("✗", theme.error())
                } else {
                    ("!", theme.warn())
                };
                let at = if finding.line == 0 {
                    String::new()
                } else {
                    format!(
                        "{}:{}:{}: ",
                        wizard.file.display(),
                        finding.line,
                        finding.column
                    )
                };
                lines.push(Line::from(vec![
                    Span::styled(format!(" {mark} "), style),
                    Span::raw(format!("{at}{}", finding.message)),
                ]));
            }
            if checked.more > 0 {
                lines.push(Line::styled(
                    format!(" … and {} more", group_thousands(checked.more as u64)),
                    theme.dim(),
                ));
            }
        }
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), findings);
}

fn render_running(wizard: &ImportWizard, theme: &Theme, area: Rect, frame: &mut Frame) {
    let Some(run) = &wizard.run else {
        return;
    };
    let processed = run.processed();
    let secs = run.elapsed();
    let rate = processed / secs.max(1) as u64;
    let [top, gauge, rest] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(area);
    let state = if run.aborting {
        "Aborting…".to_owned()
    } else {
        run.state()
    };
    frame.render_widget(
        Paragraph::new(vec![
            Line::raw(format!(
                " {} · {} job{}",
                state,
                run.sent.len(),
                if run.sent.len() == 1 { "" } else { "s" }
            )),
            Line::raw(format!(
                " {} of {} processed · {} failed · {} · {} rows/s",
                group_thousands(processed),
                group_thousands(run.rows),
                group_thousands(run.failed()),
                duration(secs),
                group_thousands(rate)
            )),
        ]),
        top,
    );
    let ratio = if run.rows == 0 {
        0.0
    } else {
        (processed as f64 / run.rows as f64).clamp(0.0, 1.0)
    };
    frame.render_widget(
        Gauge::default()
            .gauge_style(theme.ok())
            .ratio(ratio)
            .label(format!("{:.0}%", ratio * 100.0)),
        gauge,
    );
    let jobs: Vec<Line> = run
        .sent
        .iter()
        .map(|s| {
            Line::styled(
                format!(
                    " job {} · {} · {} processed",
                    s.job.id,
                    s.job.state,
                    group_thousands(s.job.number_records_processed.unwrap_or(0))
                ),
                theme.dim(),
            )
        })
        .collect();
    frame.render_widget(Paragraph::new(jobs), rest);
}

fn render_done(wizard: &ImportWizard, theme: &Theme, area: Rect, frame: &mut Frame) {
    let Some(written) = &wizard.written else {
        frame.render_widget(
            Paragraph::new(Line::styled(" No results were written.", theme.error())),
            area,
        );
        return;
    };
    let mut lines: Vec<Line> = Vec::new();
    let head = format!(
        " {} saved ({} created, {} updated) · {} failed · {} unprocessed",
        group_thousands(written.saved),
        group_thousands(written.created),
        group_thousands(written.saved - written.created),
        group_thousands(written.failed),
        group_thousands(written.unprocessed),
    );
    let style = if written.failure.is_some() {
        theme.warn()
    } else {
        theme.ok()
    };
    lines.push(Line::styled(head, style));
    lines.push(Line::from(""));
    lines.extend(written.summary.iter().map(|l| Line::raw(format!(" {l}"))));
    if let Some(run) = &wizard.run {
        lines.push(Line::raw(format!("   took {}", duration(run.elapsed()))));
    }
    if let Some(failure) = &written.failure {
        lines.push(Line::from(""));
        lines.push(Line::styled(format!(" {failure}"), theme.warn()));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

fn render_failures(wizard: &ImportWizard, theme: &Theme, area: Rect, frame: &mut Frame) {
    let Some(written) = &wizard.written else {
        return;
    };
    let items: Vec<ListItem> = written
        .failed_rows
        .iter()
        .map(|row| {
            let values: Vec<String> = row.values.iter().map(|(k, v)| format!("{k}={v}")).collect();
            ListItem::new(vec![
                Line::styled(format!(" {}", row.error), theme.error()),
                Line::styled(format!("   {}", values.join(", ")), theme.dim()),
            ])
        })
        .collect();
    let mut state = ListState::default().with_selected(Some(wizard.cursor));
    frame.render_stateful_widget(
        List::new(items)
            .block(pane_block(
                Line::from(format!(
                    " {} failed row{} (also in the failed file) ",
                    group_thousands(written.failed),
                    if written.failed == 1 { "" } else { "s" }
                )),
                false,
                theme,
            ))
            .highlight_style(theme.selected()),
        area,
        &mut state,
    );
}

fn render_confirm(
    wizard: &ImportWizard,
    confirm: Confirm,
    theme: &Theme,
    area: Rect,
    frame: &mut Frame,
) {
    let question = match confirm {
        Confirm::Run => format!(
            "This is a production org. Run the {} of {} rows into {}?",
            wizard.operation.as_str(),
            wizard
                .checked
                .as_ref()
                .and_then(|c| c.plan.as_ref())
                .map_or(0, |p| p.rows()),
            wizard.object
        ),
        Confirm::Abort => "Abort the import? Rows already processed stay saved.".to_owned(),
    };
    crate::ui::render_confirm(theme, "Import", &[&question], area, frame);
}
