//! Fault matrix, TUI rows: the real runtime and client (TestBackend) against the faulty mock org.
//! A staged record edit survives every failed save (500, 503, an HTML page, truncated JSON, a
//! dropped connection, REQUEST_LIMIT_EXCEEDED), each shown as a message; the next save sends it.
//! (The list's rows — keys live during latency, esc cancels, a 500 is a message — are in
//! tests/records_list_e2e.rs.)
#![cfg(feature = "mock-org")]

mod common;

use std::time::Duration;

use futures::channel::mpsc;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use secrecy::SecretString;
use tokio::sync::watch;

use sfterm::app::Runtime;
use sfterm::config::profiles::ProfileStore;
use sfterm::mock_org::{FaultKind, MockOrg, MockOrgConfig};
use sfterm::sf::{ConnectionConfig, RenewReason, SfClient};
use sfterm::state::record_detail::Status;
use sfterm::ui::Theme;

#[derive(Clone, Default)]
struct Frame {
    screen: String,
    rows_loaded: usize,
    ready: bool,
    rows: Vec<String>,
    selected: Option<String>,
    staged: usize,
    writing: bool,
    problem: Option<String>,
    record_id: Option<String>,
}

struct App {
    keys: mpsc::UnboundedSender<std::io::Result<Event>>,
    frames: watch::Receiver<Frame>,
    done: tokio::task::JoinHandle<std::io::Result<sfterm::state::Model>>,
    _dir: tempfile::TempDir,
}

impl App {
    async fn start(org: &MockOrg) -> App {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store = ProfileStore::load(&dir.path().join("profiles.toml")).expect("store");
        let mut demo = common::profile(
            "Demo org",
            org.instance_url().as_str().trim_end_matches('/'),
        );
        demo.client_id = org.client_id().into();
        demo.secret = sfterm::config::profiles::SecretSource::Plain {
            value: org.client_secret().to_owned().into(),
        };
        store.upsert(None, demo).expect("add");
        store.save().expect("save");
        let mut model = common::model_with(store.profiles().to_vec());
        model.now = jiff::Timestamp::now();
        let terminal = Terminal::new(TestBackend::new(140, 45)).expect("terminal");
        let mut runtime = Runtime::new(
            model,
            Theme::default(),
            terminal,
            Some(store),
            Box::new(|_| Ok(())),
        );
        let (tx, frames) = watch::channel(Frame::default());
        runtime.observe(Box::new(move |model, terminal| {
            let top = model.detail.top();
            let _ = tx.send(Frame {
                screen: terminal.backend().to_string(),
                rows_loaded: model.records.view().rows.len(),
                ready: top.is_some_and(|d| d.status == Status::Ready),
                rows: top.map(|d| d.rows.clone()).unwrap_or_default(),
                selected: top.and_then(|d| d.selected_field().map(str::to_owned)),
                staged: model.detail.staged_count(),
                writing: top.is_some_and(|d| d.is_writing()),
                problem: top.and_then(|d| d.problem.as_ref().map(|p| p.message.clone())),
                record_id: top.and_then(|d| d.id().map(str::to_owned)),
            });
        }));
        let (keys, input) = mpsc::unbounded();
        let done = tokio::spawn(runtime.run(input));
        App {
            keys,
            frames,
            done,
            _dir: dir,
        }
    }

    fn press(&self, keys: &str) {
        for key in common::key_events(keys) {
            self.keys
                .unbounded_send(Ok(Event::Key(key)))
                .expect("running");
        }
    }

    fn type_text(&self, text: &str) {
        for c in text.chars() {
            let key = KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
            self.keys
                .unbounded_send(Ok(Event::Key(key)))
                .expect("running");
        }
    }

    async fn wait_for(&mut self, what: &str, check: impl Fn(&Frame) -> bool) -> Frame {
        let result =
            tokio::time::timeout(Duration::from_secs(30), self.frames.wait_for(|f| check(f)))
                .await
                .map(|r| r.map(|f| f.clone()));
        match result {
            Ok(Ok(frame)) => frame,
            _ => panic!(
                "timed out waiting for {what}; last screen:\n{}",
                self.frames.borrow().screen
            ),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staged_edit_survives_every_failed_save_and_is_sent_by_the_next() {
    let org = MockOrg::start(MockOrgConfig::default())
        .await
        .expect("mock org");
    let mut app = App::start(&org).await;
    app.press("enter");
    app.wait_for("the records list", |f| f.rows_loaded > 0)
        .await;
    app.press("1 enter");
    let frame = app
        .wait_for("the record detail", |f| f.ready && !f.rows.is_empty())
        .await;
    let id = frame.record_id.clone().expect("an existing record");
    let phone = frame
        .rows
        .iter()
        .position(|r| r == "Phone")
        .expect("Phone row");
    app.press("g");
    for _ in 0..phone {
        app.press("j");
    }
    app.wait_for("Phone selected", |f| f.selected.as_deref() == Some("Phone"))
        .await;
    app.press("e");
    app.type_text("+1 555 0100");
    app.press("enter");
    app.wait_for("the edit staged", |f| f.staged == 1).await;

    type Inject = Box<dyn Fn(&MockOrg)>;
    let faults: Vec<(&str, Inject, &str)> = vec![
        (
            "500",
            Box::new(|o| o.fail_next(1, 500)),
            "UNKNOWN_EXCEPTION",
        ),
        (
            "503",
            Box::new(|o| o.fail_next(1, 503)),
            "SERVER_UNAVAILABLE",
        ),
        (
            "HTML 502",
            Box::new(|o| o.fail_next_kind(1, 502, FaultKind::Html)),
            "502",
        ),
        (
            "HTML 200",
            Box::new(|o| o.fail_next_kind(1, 200, FaultKind::Html)),
            "200",
        ),
        ("dropped", Box::new(|o| o.drop_next_connections(1)), ""),
        (
            "limit",
            Box::new(|o| o.fail_next(10, 403)),
            "REQUEST_LIMIT_EXCEEDED",
        ),
    ];
    let mut previous: Option<String> = None;
    for (name, inject, says) in faults {
        inject(&org);
        app.press("ctrl-s");
        let frame = app
            .wait_for(name, |f| {
                !f.writing
                    && f.problem
                        .as_deref()
                        .is_some_and(|p| p.contains(says) && Some(p) != previous.as_deref())
            })
            .await;
        let problem = frame.problem.clone().unwrap_or_default();
        previous = Some(problem.clone());
        assert!(problem.contains(says), "{name}: {problem}");
        assert_eq!(frame.staged, 1, "{name}: the staged edit is kept");
        assert!(
            frame.screen.contains("+1 555 0100"),
            "{name}: still shown:\n{}",
            frame.screen
        );
        org.fail_next(0, 500);
    }

    app.press("ctrl-s");
    app.wait_for("the save", |f| f.staged == 0 && !f.writing)
        .await;
    let mut c = ConnectionConfig::new(
        org.instance_url().clone(),
        org.client_id(),
        SecretString::from(org.client_secret().to_owned()),
    );
    c.timeout = Duration::from_secs(10);
    let client = SfClient::new(c).expect("client");
    client.login(RenewReason::Initial).await.expect("login");
    let record = client
        .get_record("Account", &id, Some(&["Phone"]))
        .await
        .expect("read back");
    let saved = record.fields["Phone"].as_str().expect("phone");
    assert!(
        saved.ends_with("+1 555 0100"),
        "the staged edit was saved: {saved}"
    );
    app.press("ctrl-c");
    let _ = app.done.await;
}
