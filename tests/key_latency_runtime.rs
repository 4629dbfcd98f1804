//! The runtime draws a key's frame at once instead of waiting for the frame budget (issue #10:
//! key-to-frame latency). `benches/key_latency.rs` measures it with slow requests in flight.
mod common;

use std::time::{Duration, Instant};

use futures::channel::mpsc;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use tokio::sync::watch;

use sfterm::app::{FRAME, Runtime};
use sfterm::ui::Theme;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_right_after_a_frame_is_drawn_without_waiting_for_the_frame_budget() {
    let profiles = ["One", "Two", "Three"]
        .map(|name| common::profile(name, "https://example.my.salesforce.com"))
        .to_vec();
    let model = common::model_with(profiles);
    let terminal = Terminal::new(TestBackend::new(100, 30)).expect("terminal");
    let mut runtime = Runtime::new(
        model,
        Theme::default(),
        terminal,
        None,
        Box::new(|_| Ok(())),
    );
    let (seen_tx, mut seen) = watch::channel(None::<usize>);
    runtime.observe(Box::new(move |model, _| {
        let _ = seen_tx.send(Some(model.profiles.selected));
    }));
    let (keys, input) = mpsc::unbounded();
    let done = tokio::spawn(runtime.run(input));
    let wait = |seen: &mut watch::Receiver<Option<usize>>, want: usize| {
        let mut seen = seen.clone();
        async move {
            tokio::time::timeout(Duration::from_secs(10), seen.wait_for(|s| *s == Some(want)))
                .await
                .expect("the frame arrives")
                .expect("runtime running");
        }
    };
    wait(&mut seen, 0).await;

    let mut samples = Vec::new();
    for i in 0..20 {
        let (code, want) = if i % 2 == 0 { ('j', 1) } else { ('k', 0) };
        let start = Instant::now();
        keys.unbounded_send(Ok(Event::Key(KeyEvent::new(
            KeyCode::Char(code),
            KeyModifiers::NONE,
        ))))
        .expect("runtime running");
        wait(&mut seen, want).await;
        samples.push(start.elapsed());
    }
    samples.sort();
    let median = samples[samples.len() / 2];
    // Waiting for the budget made every sample about FRAME (16 ms); drawing at once takes ~1 ms.
    assert!(
        median < FRAME / 2,
        "median key-to-frame {median:?} (all: {samples:?})"
    );

    keys.unbounded_send(Ok(Event::Key(KeyEvent::new(
        KeyCode::Char('q'),
        KeyModifiers::NONE,
    ))))
    .expect("runtime running");
    let model = done.await.expect("join").expect("run");
    assert!(model.quit);
}
