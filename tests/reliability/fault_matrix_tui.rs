//! Fault matrix, TUI rows: the real runtime and client (TestBackend) against the faulty mock org.
//! A staged record edit survives every failed save (an HTML page, a failure that lasts through
//! every try), each shown as a message; a save that meets a failure that passes is retried,
//! the status bar saying so, and goes through. Under a failure rate a save succeeds or keeps
//! the edit with a message. (The list's rows — keys live during latency and retries, esc
//! cancels, a lasting 500 is a message, 20,000 rows under 5% failures — are in
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
    /// What the status bar says of a call being retried.
    retrying: Option<String>,
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
            retrying: model.retrying.values().next().cloned(),
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

/// The app on `org`, a record open in the detail view with "+1 555 0100" staged on its Phone.
/// Returns the app and the record's Id.
async fn stage_a_phone_edit(org: &MockOrg) -> (App, String) {
    let mut app = start_app(org).await;
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
    (app, id)
}

/// The Phone of the record, read through the API.
async fn phone_of(org: &MockOrg, id: &str) -> String {
    let client = common::org::logged_in_client(org).await;
    let record = client
        .get_record("Account", id, Some(&["Phone"]))
        .await
        .expect("read back");
    record.fields["Phone"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staged_edit_survives_every_failed_save_and_is_sent_by_the_next() {
    let org = MockOrg::start(MockOrgConfig::default())
        .await
        .expect("mock org");
    let (mut app, id) = stage_a_phone_edit(&org).await;

    type Inject = Box<dyn Fn(&MockOrg)>;
    let faults: Vec<(&str, Inject, &str)> = vec![
        // Not Salesforce's answer: never taken for success, not retried.
        (
            "HTML 200",
            Box::new(|o| o.fail_next_kind(1, 200, FaultKind::Html)),
            "200",
        ),
        // A failure that passes, lasting through all four tries.
        (
            "500 on every try",
            Box::new(|o| o.fail_next(4, 500)),
            "tried 4 times",
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

    // A 503 that passes: retried after its Retry-After, the status bar saying so; saved.
    org.fail_next(1, 503);
    app.press("ctrl-s");
    let frame = app
        .wait_for("the retry on the status bar", |f| {
            f.screen.contains("retrying (2/4) after 503…")
        })
        .await;
    assert_eq!(frame.staged, 1, "still staged while it waits");
    assert_eq!(frame.retrying.as_deref(), Some("retrying (2/4) after 503…"));
    app.wait_for("the save", |f| f.staged == 0 && !f.writing)
        .await;
    let saved = phone_of(&org, &id).await;
    assert!(
        saved.ends_with("+1 555 0100"),
        "the staged edit was saved: {saved}"
    );
    let _ = app.quit_with("ctrl-c").await;
}

/// Issue #19, acceptance: with a share of data API calls failing (a seeded mix; 30%, more than
/// the acceptance's 5%, so that the save surely meets some), a save either succeeds (read back
/// through the API) or keeps the edit with a message.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_a_failure_rate_a_save_succeeds_or_keeps_the_edit_with_a_message() {
    let org = MockOrg::start(MockOrgConfig::default())
        .await
        .expect("mock org");
    let (mut app, id) = stage_a_phone_edit(&org).await;
    org.set_fail_rate(0.3, 7);
    app.press("ctrl-s");
    let frame = app
        .wait_for("the save done or refused", |f| {
            !f.writing && (f.staged == 0 || f.problem.is_some())
        })
        .await;
    assert!(org.calls_failed_at_random() > 0, "the save met failures");
    org.set_fail_rate(0.0, 0);
    if frame.staged == 0 {
        assert!(phone_of(&org, &id).await.ends_with("+1 555 0100"));
    } else {
        assert!(frame.screen.contains("+1 555 0100"), "{}", frame.screen);
        assert!(
            frame.problem.as_deref().is_some_and(|p| !p.is_empty()),
            "a message"
        );
    }
    let _ = app.quit_with("ctrl-c").await;
}
