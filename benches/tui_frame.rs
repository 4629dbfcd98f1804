//! Criterion benchmark of one TUI frame (issue #10): the Records tab's Account list with
//! 100,000 loaded rows (and 2,000 for comparison), drawn at 120x40 into ratatui's `TestBackend`,
//! the cursor in the middle of the list. Also prints the row store's heap bytes for 100k rows.
//!
//! Run: `cargo bench --bench tui_frame`. Figures: docs/benchmarks.md.

#[path = "../tests/common/mod.rs"]
#[macro_use]
#[allow(unused_macros, unused_imports)]
mod common;

use std::hint::black_box;

use common::{demo_profiles, model_with, press};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sfterm::effect::{Effect, Job};
use sfterm::msg::{Msg, Outcome};
use sfterm::state::Model;
use sfterm::state::records::job::{PageRows, RecordsJob, RecordsOutcome};
use sfterm::state::records::rowstore::RowStore;
use sfterm::ui::{self, Theme};

/// `n` synthetic Accounts under `columns` (the list's default columns).
fn rows(columns: &[String], n: usize) -> RowStore {
    let mut rows = RowStore::new(columns.to_vec());
    for i in 0..n {
        let name = format!("Account {i:06} Holdings");
        let phone = format!("+1 415 555 {:04}", i % 10_000);
        let cells: Vec<Option<&str>> = columns
            .iter()
            .map(|c| match c.as_str() {
                "Name" => Some(name.as_str()),
                "Industry" => (i % 4 != 0).then_some("Energy"),
                "Phone" => Some(phone.as_str()),
                "Owner.Name" => Some("Integration User"),
                "LastModifiedDate" => Some("2026-11-27 10:02"),
                _ => None,
            })
            .collect();
        rows.push(&format!("001Dn{i:010}AAA"), cells)
            .expect("row fits");
    }
    rows
}

/// A model logged in to the demo profile, on the Records tab, with `n` Accounts loaded.
fn model_with_rows(n: usize) -> Model {
    let mut model = model_with(demo_profiles());
    let effects = common::connect(&mut model);
    let query = effects
        .iter()
        .find_map(|e| match e {
            Effect::Spawn {
                req,
                job: Job::Records(RecordsJob::Query { .. }),
            } => Some(*req),
            _ => None,
        })
        .expect("the records query starts on login");
    let columns = model.records.view().columns.clone();
    model.handle_msg(Msg::Done {
        req: query,
        outcome: Outcome::Records(RecordsOutcome::Page(Ok(PageRows {
            rows: rows(&columns, n),
            total: n as u64,
            next_url: None,
        }))),
    });
    press(&mut model, "1");
    let view = model.records.views.first_mut().expect("the Account view");
    assert_eq!(view.rows.len(), n, "all rows loaded");
    view.cursor = n / 2;
    model
}

fn frame(c: &mut Criterion) {
    let theme = Theme::default();
    let mut group = c.benchmark_group("tui_frame/records_list_120x40");
    for n in [2_000usize, 100_000] {
        let model = model_with_rows(n);
        if n == 100_000 {
            let bytes = model.records.view().rows.heap_bytes();
            eprintln!(
                "row store: {n} rows, {:.1} MiB heap ({} bytes/row)",
                bytes as f64 / (1024.0 * 1024.0),
                bytes / n
            );
        }
        let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
        terminal
            .draw(|f| {
                ui::render(&model, &theme, f);
            })
            .expect("draw");
        assert!(
            terminal.backend().to_string().contains("Account"),
            "the list is on screen"
        );
        group.bench_with_input(BenchmarkId::from_parameter(n), &model, |b, model| {
            b.iter(|| {
                terminal
                    .draw(|f| {
                        black_box(ui::render(model, &theme, f));
                    })
                    .expect("draw");
            });
        });
    }
    group.finish();
}

criterion_group!(benches, frame);
criterion_main!(benches);
