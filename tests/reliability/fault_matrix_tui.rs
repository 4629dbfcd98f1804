//! Fault matrix, TUI rows: the real runtime and client (TestBackend) against the faulty mock org.
//! A staged record edit survives every failed save (500, 503, an HTML page, truncated JSON, a
//! dropped connection, REQUEST_LIMIT_EXCEEDED), each shown as a message; the next save sends it.
//! (The list's rows — keys live during latency, esc cancels, a 500 is a message — are in
//! tests/records/list_e2e.rs.)
#![cfg(feature = "mock-org")]

use crate::common;

use common::live::{LiveApp, LiveOptions, Observed};
use sfterm::mock_org::{FaultKind, MockOrg, MockOrgConfig};
use sfterm::state::Model;
use sfterm::state::record_detail::Status;

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

impl Observed for Frame {
    fn observe(model: &Model, screen: String) -> Self {
        let top = model.detail.top();
        Frame {
            screen,
            rows_loaded: model.records.view().rows.len(),
            ready: top.is_some_and(|d| d.status == Status::Ready),
            rows: top.map(|d| d.rows.clone()).unwrap_or_default(),
            selected: top.and_then(|d| d.selected_field().map(str::to_owned)),
            staged: model.detail.staged_count(),
            writing: top.is_some_and(|d| d.is_writing()),
            problem: top.and_then(|d| d.problem.as_ref().map(|p| p.message.clone())),
            record_id: top.and_then(|d| d.id().map(str::to_owned)),
        }
    }

    fn screen(&self) -> &str {
        &self.screen
    }
}

type App = LiveApp<Frame>;

/// The app against `org` in a 140x45 terminal.
async fn start_app(org: &MockOrg) -> App {
    LiveApp::start(
        org,
        LiveOptions {
            size: (140, 45),
            ..LiveOptions::default()
        },
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staged_edit_survives_every_failed_save_and_is_sent_by_the_next() {
    let org = MockOrg::start(MockOrgConfig::default())
        .await
        .expect("mock org");
    let mut app = start_app(&org).await;
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
    let client = common::org::logged_in_client(&org).await;
    let record = client
        .get_record("Account", &id, Some(&["Phone"]))
        .await
        .expect("read back");
    let saved = record.fields["Phone"].as_str().expect("phone");
    assert!(
        saved.ends_with("+1 555 0100"),
        "the staged edit was saved: {saved}"
    );
    let _ = app.quit_with("ctrl-c").await;
}
