//! The Log tab (`4`): the app's API calls newest first, filtered as you type, one opened with
//! its request and response, copied as curl without the token. Key sequences and snapshots on
//! a fixed model; end to end against the mock org over HTTP.
use crate::common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::live::{LiveApp, LiveOptions, Observed};
use common::{connect, demo_profiles, model_with, press, render, t0, type_text};
use sfterm::effect::Effect;
use sfterm::mock_org::{MockOrg, MockOrgConfig};
use sfterm::msg::{Msg, Outcome};
use sfterm::sf::ApiCall;
use sfterm::state::api_log::Mode;
use sfterm::state::{Model, Tab};

const INSTANCE: &str = "http://127.0.0.1:8484";
const RECORDS: &str =
    r#"{"totalSize":1,"done":true,"records":[{"Id":"001Dn00000Acme1AAA","Name":"Acme"}]}"#;
const TOKEN_FORM: &str = "grant_type=client_credentials&client_id=3MVG9&client_secret=REDACTED";
const TOKEN_ANSWER: &str = r#"{"access_token":"REDACTED","instance_url":"http://127.0.0.1:8484"}"#;

fn call(seconds: i64, method: &str, path: &str, status: Option<u16>) -> ApiCall {
    let json = "application/json;charset=UTF-8".to_string();
    ApiCall {
        at: t0() + jiff::SignedDuration::from_secs(seconds),
        method: method.into(),
        url: format!("{INSTANCE}{path}"),
        request_headers: vec![
            ("authorization".into(), "Bearer REDACTED".into()),
            ("accept".into(), "application/json".into()),
        ],
        request_body: String::new(),
        request_size: 0,
        status,
        response_headers: vec![("content-type".into(), json)],
        response_body: RECORDS.into(),
        response_size: RECORDS.len() as u64,
        duration: Duration::from_millis(42),
        attempt: 1,
        error: None,
    }
}

fn token_call() -> ApiCall {
    ApiCall {
        method: "POST".into(),
        url: format!("{INSTANCE}/services/oauth2/token"),
        request_headers: vec![(
            "content-type".into(),
            "application/x-www-form-urlencoded".into(),
        )],
        request_body: TOKEN_FORM.into(),
        request_size: TOKEN_FORM.len() as u64,
        response_body: TOKEN_ANSWER.into(),
        response_size: TOKEN_ANSWER.len() as u64,
        ..call(0, "POST", "", Some(200))
    }
}

/// Connected "Demo org" with a token request, a describe, a query retried after a 503 and a
/// failed save in its log, on the Log tab.
fn logged_model() -> Model {
    let mut model = model_with(demo_profiles());
    // The introspection answers, so nothing of the token is in flight (esc would cancel it).
    let introspect = common::spawned_req(&connect(&mut model));
    model.handle_msg(Msg::Done {
        req: introspect,
        outcome: Outcome::Introspect(Err("not asked in this test".into())),
    });
    let mut retried = call(
        3,
        "GET",
        "/services/data/v62.0/query?q=SELECT+Id%2C+Name+FROM+Account",
        Some(200),
    );
    retried.attempt = 2;
    let mut save = call(
        4,
        "PATCH",
        "/services/data/v62.0/sobjects/Account/001Dn00000Acme1AAA",
        Some(400),
    );
    save.request_body = r#"{"Name":""}"#.into();
    save.request_size = 11;
    save.response_body = r#"[{"message":"Required fields are missing: [Name]","errorCode":"REQUIRED_FIELD_MISSING"}]"#.into();
    save.response_size = save.response_body.len() as u64;
    for c in [
        token_call(),
        call(
            1,
            "GET",
            "/services/data/v62.0/sobjects/Account/describe",
            Some(200),
        ),
        call(
            2,
            "GET",
            "/services/data/v62.0/query?q=SELECT+Id%2C+Name+FROM+Account",
            Some(503),
        ),
        retried,
        save,
    ] {
        model.handle_msg(Msg::ApiCall(Box::new(c)));
    }
    press(&mut model, "4");
    model
}

#[test]
fn the_log_at_80x24_and_120x40_with_the_side_panes_shown_and_folded() {
    assert_eq!(logged_model().tab, Tab::Log);
    // Folded by themselves at 80x24 (shown by `z`), shown at 120x40 (folded by `z`).
    for (name, width, height, toggled) in [
        ("log_80x24_folded", 80, 24, false),
        ("log_80x24_side_panes", 80, 24, true),
        ("log_120x40_side_panes", 120, 40, false),
        ("log_120x40_folded", 120, 40, true),
    ] {
        let screen = crate::layout::shot(logged_model(), width, height, toggled);
        assert!(screen.contains("4 Log"), "{screen}");
        assert!(screen.contains("PATCH"), "newest first: {screen}");
        assert_screen!(name, screen);
    }
}

#[test]
fn an_opened_call_shows_its_request_and_response() {
    let mut model = logged_model();
    press(&mut model, "G enter");
    assert!(matches!(model.api_log.mode, Mode::Detail { .. }));
    let screen = render(&model, 120, 40);
    assert!(screen.contains("client_secret=REDACTED"), "{screen}");
    assert!(
        screen.contains("\"access_token\": \"REDACTED\""),
        "{screen}"
    );
    assert_screen!(screen);
}

#[test]
fn keys_move_filter_open_and_copy_as_curl() {
    let mut model = logged_model();
    let path = |m: &Model| {
        m.api_log
            .selected_call()
            .map(|c| format!("{} {}", c.method, sfterm::state::api_log::shown_path(c)))
    };
    assert_eq!(
        path(&model).as_deref(),
        Some("PATCH /services/data/v62.0/sobjects/Account/001Dn00000Acme1AAA")
    );
    press(&mut model, "j");
    assert_eq!(model.api_log.selected, 1);
    // `/` filters as you type; enter keeps the filter, esc clears it.
    press(&mut model, "/");
    type_text(&mut model, "describe");
    assert_eq!(model.api_log.visible_hits().len(), 1);
    press(&mut model, "enter");
    assert_eq!(model.api_log.filter, "describe");
    assert!(render(&model, 120, 40).contains("filter \"describe\""));
    press(&mut model, "esc");
    assert!(model.api_log.filter.is_empty());
    assert_eq!(model.api_log.visible_hits().len(), 5);
    // enter opens, esc goes back.
    press(&mut model, "enter");
    assert!(matches!(model.api_log.mode, Mode::Detail { .. }));
    press(&mut model, "esc");
    assert!(matches!(model.api_log.mode, Mode::List));
    // c copies the selected call as curl, the token as $SF_ACCESS_TOKEN.
    press(&mut model, "g");
    let effects = press(&mut model, "c");
    let (req, text) = effects
        .iter()
        .find_map(|e| match e {
            Effect::Copy { req, text } => Some((*req, text.clone())),
            _ => None,
        })
        .expect("a copy");
    assert!(text.starts_with("curl -sS -X PATCH http://127.0.0.1:8484/services/data/v62.0/sobjects/Account/001Dn00000Acme1AAA \\"), "{text}");
    assert!(
        text.contains("-H 'Authorization: Bearer '\"$SF_ACCESS_TOKEN\""),
        "{text}"
    );
    assert!(text.contains("--data-binary '{\"Name\":\"\"}'"), "{text}");
    model.handle_msg(Msg::Done {
        req,
        outcome: Outcome::Copied(Ok(())),
    });
    assert!(
        model
            .api_log
            .note
            .as_deref()
            .is_some_and(|n| n.starts_with("Copied as curl")),
        "{:?}",
        model.api_log.note
    );
    // `y` copies too; the composer's own notes stay untouched.
    assert!(!press(&mut model, "y").is_empty());
    assert!(model.composer.note.is_none());
}

/// What the e2e test watches: the screen, the log's calls and the tab.
#[derive(Clone, Default)]
struct Frame {
    screen: String,
    calls: Vec<(String, String, Option<u16>)>,
    all: String,
    note: Option<String>,
}

impl Observed for Frame {
    fn observe(model: &Model, screen: String) -> Self {
        Frame {
            screen,
            calls: model
                .api_log
                .entries
                .iter()
                .map(|c| (c.method.clone(), c.url.clone(), c.status))
                .collect(),
            all: format!("{:?}", model.api_log.entries),
            note: model.api_log.note.clone(),
        }
    }

    fn screen(&self) -> &str {
        &self.screen
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_records_query_is_logged_and_copies_as_curl_without_the_token() {
    let org = MockOrg::start(MockOrgConfig::default())
        .await
        .expect("mock org");
    let copied = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = copied.clone();
    let mut app: LiveApp<Frame> = LiveApp::start(
        &org,
        LiveOptions {
            clipboard: Some(Box::new(move |text: &str| {
                sink.lock().expect("lock").push(text.to_owned());
                Ok(())
            })),
            ..LiveOptions::default()
        },
    );
    app.press("enter");
    app.wait_for("the records query", |f| {
        f.calls
            .iter()
            .any(|(m, url, status)| m == "GET" && url.contains("/query?q=") && *status == Some(200))
    })
    .await;
    app.press("4");
    let frame = app
        .wait_for("the Log tab listing the query", |f| {
            f.screen.contains("API calls") && f.screen.contains("/query?q=")
        })
        .await;
    assert!(
        frame.calls.iter().any(|(m, url, s)| m == "POST"
            && url.ends_with("/services/oauth2/token")
            && *s == Some(200)),
        "the token request is logged: {:?}",
        frame.calls
    );
    common::assert_token_masked(&frame.screen);
    common::assert_token_masked(&frame.all);
    assert!(!frame.all.contains(org.client_secret()), "{}", frame.all);
    app.press("/");
    app.type_text("query?q=");
    app.press("enter");
    app.press("c");
    app.wait_for("the copy", |f| {
        f.note
            .as_deref()
            .is_some_and(|n| n.starts_with("Copied as curl"))
    })
    .await;
    let text = copied
        .lock()
        .expect("lock")
        .last()
        .cloned()
        .expect("copied");
    assert!(text.starts_with("curl -sS -X GET "), "{text}");
    assert!(text.contains("/query?q="), "{text}");
    assert!(text.contains("\"$SF_ACCESS_TOKEN\""), "{text}");
    common::assert_token_masked(&text);
    assert!(!text.contains("REDACTED"), "{text}");
    app.quit().await;
}
