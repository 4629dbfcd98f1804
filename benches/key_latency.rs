//! Key-to-frame latency of the TUI while ten slow (5 s) requests are in flight (issue #10).
//!
//! Starts the mock org in process, runs the real [`Runtime`] on a 120x40 `TestBackend` with the
//! demo's profile connected, opens the Account list, makes every `/services/data` request take
//! 5 s (`MockOrg::set_latency`) and sends ten requests from the Composer (ctrl-r), then presses
//! `j`/`k` in the Records list one key at a time. Each sample is the time from sending a key into
//! the runtime's input stream to the observer seeing the frame whose cursor row reflects it.
//!
//! Two pacings: keys 30 ms apart (key repeat; a person cannot type faster) and back to back (the
//! next key as soon as the previous frame is seen). Prints p50/p95/p99/max for each.
//!
//! `cargo bench --bench key_latency` (`SFTERM_BENCH_KEYS=N` for N keys per pacing, default 200).

#[path = "../tests/common/org.rs"]
#[allow(dead_code)] // only its token_for
mod org;

use std::time::{Duration, Instant};

use futures::channel::mpsc;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use tokio::sync::watch;

use sfterm::app::Runtime;
use sfterm::config::profiles::{AuthStyle, Profile, ProfileStore, SecretSource};
use sfterm::keymap::Keymap;
use sfterm::mock_org::{MockOrg, MockOrgConfig};
use sfterm::state::Model;
use sfterm::ui::Theme;

/// What the observer reports after each frame.
#[derive(Clone, Default)]
struct Seen {
    /// Frames drawn so far.
    frames: u64,
    /// The Records list's cursor row.
    cursor: usize,
    /// Rows loaded in the Records list.
    rows: usize,
    /// Background jobs in flight.
    inflight: usize,
}

type Keys = mpsc::UnboundedSender<std::io::Result<Event>>;

fn send(keys: &Keys, code: KeyCode, modifiers: KeyModifiers) {
    keys.unbounded_send(Ok(Event::Key(KeyEvent::new(code, modifiers))))
        .expect("the runtime is running");
}

async fn wait(frames: &mut watch::Receiver<Seen>, what: &str, check: impl Fn(&Seen) -> bool) {
    let waited = tokio::time::timeout(Duration::from_secs(30), frames.wait_for(|s| check(s))).await;
    assert!(matches!(waited, Ok(Ok(_))), "timed out waiting for {what}");
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// Presses `count` keys (j, then k at the bottom of the first screen) and returns each key's
/// latency; `gap` is the pause between a frame being seen and the next key.
async fn measure(
    keys: &Keys,
    frames: &mut watch::Receiver<Seen>,
    count: usize,
    gap: Duration,
) -> Vec<Duration> {
    let mut samples = Vec::with_capacity(count);
    let mut down = true;
    for _ in 0..count {
        let before = frames.borrow_and_update().cursor;
        if before >= 20 {
            down = false;
        } else if before == 0 {
            down = true;
        }
        let want = if down { before + 1 } else { before - 1 };
        let code = KeyCode::Char(if down { 'j' } else { 'k' });
        let start = Instant::now();
        send(keys, code, KeyModifiers::NONE);
        wait(frames, "the cursor to move", |s| s.cursor == want).await;
        samples.push(start.elapsed());
        if !gap.is_zero() {
            tokio::time::sleep(gap).await;
        }
    }
    samples
}

/// Starts ten slow requests: the app's own (a Composer send, and the Contact and Lead lists
/// loading: `2`, ctrl-r, `1`, `]`, `]`, `[`, `[`), and as many more from a plain client in the same
/// process as it takes to have ten on the wire. Returns (app jobs in flight, requests started).
async fn slow_requests(
    keys: &Keys,
    frames: &mut watch::Receiver<Seen>,
    raw: &RawClient,
) -> (usize, usize) {
    send(keys, KeyCode::Char('2'), KeyModifiers::NONE);
    send(keys, KeyCode::Char('r'), KeyModifiers::CONTROL);
    send(keys, KeyCode::Char('1'), KeyModifiers::NONE);
    for c in [']', ']', '[', '['] {
        send(keys, KeyCode::Char(c), KeyModifiers::NONE);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let app = frames.borrow().inflight;
    for _ in app..10 {
        let raw = raw.clone();
        tokio::spawn(async move {
            let _ = raw
                .client
                .get(raw.url.clone())
                .bearer_auth(&raw.token)
                .send()
                .await;
        });
    }
    (app, app.max(10))
}

/// A plain HTTP client with a token, for the slow requests the app does not make itself.
#[derive(Clone)]
struct RawClient {
    client: reqwest::Client,
    url: url::Url,
    token: String,
}

impl RawClient {
    async fn new(org: &MockOrg) -> RawClient {
        let client = reqwest::Client::new();
        let token = org::token_for(org, &client).await;
        let url = org
            .instance_url()
            .join("services/data/v62.0/query?q=SELECT+Id,Name+FROM+Account+LIMIT+200")
            .expect("url");
        RawClient { client, url, token }
    }
}

fn report(label: &str, mut samples: Vec<Duration>) {
    samples.sort();
    println!(
        "{label:<28} n={:<4} p50 {:>9}  p95 {:>9}  p99 {:>9}  max {:>9}",
        samples.len(),
        ms(percentile(&samples, 50.0)),
        ms(percentile(&samples, 95.0)),
        ms(percentile(&samples, 99.0)),
        ms(samples.last().copied().unwrap_or_default()),
    );
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(run());
}

async fn run() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let count: usize = std::env::var("SFTERM_BENCH_KEYS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let org = MockOrg::start(MockOrgConfig::default())
        .await
        .expect("mock org");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = ProfileStore::load(&dir.path().join("profiles.toml")).expect("empty store");
    store
        .upsert(
            None,
            Profile {
                name: "Demo org".into(),
                endpoint: org.instance_url().as_str().trim_end_matches('/').into(),
                client_id: org.client_id().into(),
                secret: SecretSource::Plain {
                    value: org.client_secret().to_owned().into(),
                },
                auth_style: AuthStyle::Body,
                api_version: None,
                ca_file: None,
                renew_margin_secs: None,
                flow: Default::default(),
            },
        )
        .expect("add profile");
    store.save().expect("save profiles");

    let model = Model::new(
        store.profiles().to_vec(),
        None,
        Keymap::default(),
        jiff::SignedDuration::from_secs(300),
        jiff::Timestamp::now(),
    );
    let terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    let mut app = Runtime::new(
        model,
        Theme::default(),
        terminal,
        Some(store),
        Box::new(|_| Ok(())),
    );
    app.use_data_dir(dir.path().join("data"));
    let (seen_tx, mut frames) = watch::channel(Seen::default());
    let mut drawn = 0;
    app.observe(Box::new(move |model, _terminal| {
        drawn += 1;
        let _ = seen_tx.send(Seen {
            frames: drawn,
            cursor: model.records.view().cursor,
            rows: model.records.view().rows.len(),
            inflight: model.inflight.len(),
        });
    }));
    app.select_profile(0);
    app.dispatch(sfterm::action::Action::Connect);
    let (keys, input) = mpsc::unbounded();
    let done = tokio::spawn(app.run(input));

    // Connected; the Account list loads on connect.
    wait(&mut frames, "the Account list", |s| {
        s.rows > 0 && s.inflight == 0
    })
    .await;
    send(&keys, KeyCode::Char('1'), KeyModifiers::NONE);

    org.set_latency(Duration::from_secs(5));
    let first = frames.borrow().frames;
    let raw = RawClient::new(&org).await;
    let (app_jobs, inflight) = slow_requests(&keys, &mut frames, &raw).await;
    let back_to_back = measure(&keys, &mut frames, count, Duration::ZERO).await;
    let left_b = frames.borrow().inflight;
    wait(&mut frames, "the slow requests to end", |s| s.inflight == 0).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    slow_requests(&keys, &mut frames, &raw).await;
    let paced = measure(
        &keys,
        &mut frames,
        count.min(120),
        Duration::from_millis(30),
    )
    .await;
    let left_p = frames.borrow().inflight;
    let drawn_total = frames.borrow().frames - first;
    println!(
        "key-to-frame latency, 120x40 TestBackend, Records list (Accounts), {inflight} requests ({app_jobs} by the app) \
         in flight at the start (5 s latency on /services/data); {left_b} / {left_p} still in \
         flight at the end; {drawn_total} frames drawn"
    );
    report("keys back to back", back_to_back);
    report("keys 30 ms apart", paced);

    org.set_latency(Duration::ZERO);
    send(&keys, KeyCode::Char('q'), KeyModifiers::NONE);
    let _ = tokio::time::timeout(Duration::from_secs(10), done).await;
    org.shutdown().await;
}
