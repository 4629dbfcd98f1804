//! The composer's jobs end to end against the mock org on 127.0.0.1: Apex REST GET/POST, the
//! CustomerWS WSDL from the org and a SOAP create with a revoked token (renewed once), Postman
//! import, curl export run with curl, a 20 MB body, and the runtime staying responsive while a
//! send is in flight.
#![cfg(feature = "mock-org")]
use crate::common;

use common::live::{LiveOptions, Observed, Prepared};

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::channel::mpsc;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::Event;
use serde_json::Value;

use sfterm::app::Runtime;
use sfterm::jobs::Context;
use sfterm::jobs::composer::run;
use sfterm::mock_org::{FaultKind, MockOrg, MockOrgConfig};
use sfterm::requests::request::{RequestKind, SavedRequest};
use sfterm::requests::store::RequestStore;
use sfterm::sf::SfClient;
use sfterm::state::Model;
use sfterm::state::composer::Mode;
use sfterm::state::composer::job::{ComposerJob, ComposerOutcome, ResponseView};
use sfterm::ui::Theme;

async fn org() -> MockOrg {
    let _ = rustls::crypto::ring::default_provider().install_default();
    MockOrg::start(MockOrgConfig::default())
        .await
        .expect("mock org")
}

async fn client(org: &MockOrg) -> SfClient {
    common::org::logged_in_client(org).await
}

struct Jobs {
    client: SfClient,
    dir: tempfile::TempDir,
    copied: Arc<Mutex<Vec<String>>>,
}

impl Jobs {
    async fn new(org: &MockOrg) -> Jobs {
        Jobs {
            client: client(org).await,
            dir: tempfile::tempdir().expect("temp dir"),
            copied: Arc::new(Mutex::new(Vec::new())),
        }
    }

    async fn run(&self, job: ComposerJob) -> ComposerOutcome {
        let copied = Arc::clone(&self.copied);
        let ctx = Context::standalone(
            "Demo org",
            self.client.clone(),
            self.dir.path().to_path_buf(),
            Box::new(move |text: &str| {
                copied.lock().expect("lock").push(text.to_string());
                Ok(())
            }),
        );
        run(&ctx, job).await
    }

    async fn send(&self, request: SavedRequest) -> ResponseView {
        match self.run(ComposerJob::Send { request }).await {
            ComposerOutcome::Sent {
                result: Ok(view),
                entry: Some(_),
            } => *view,
            other => panic!("not sent: {other:?}"),
        }
    }

    async fn account_named(&self, name: &str) -> Option<String> {
        let page = self
            .client
            .query(&format!(
                "SELECT Id, Name FROM Account WHERE Name = '{name}'"
            ))
            .await
            .expect("query");
        page.records
            .first()
            .and_then(|r| r.get("Id"))
            .and_then(Value::as_str)
            .map(str::to_string)
    }
}

#[tokio::test]
async fn apex_rest_get_shows_contacts_and_post_creates_a_customer() {
    let org = org().await;
    let jobs = Jobs::new(&org).await;
    let search = jobs
        .send(SavedRequest::new(
            "search",
            "GET",
            "/services/apexrest/CustomerRESTWS?name=Acme",
        ))
        .await;
    assert_eq!(search.status, 200);
    let found: Value = serde_json::from_str(&search.raw).expect("json");
    let with_contacts = found
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|c| c["contacts"].as_array().is_some_and(|c| !c.is_empty()))
        })
        .expect("a seeded customer with contacts");
    let id = with_contacts["accountId"].as_str().expect("id");

    let mut get = SavedRequest::new(
        "by id",
        "GET",
        "/services/apexrest/CustomerRESTWS/{{account_id}}",
    );
    get.params = vec![];
    // A user variable of the profile, as the composer's `v` sets it.
    match jobs
        .run(ComposerJob::SetVariable {
            profile: "Demo org".into(),
            name: "account_id".into(),
            value: id.into(),
        })
        .await
    {
        ComposerOutcome::VariableSet(Ok(vars)) => assert_eq!(vars.get("account_id"), Some(id)),
        other => panic!("{other:?}"),
    }
    let customer = jobs.send(get).await;
    assert_eq!(customer.status, 200, "{}", customer.raw);
    assert!(customer.raw.contains("contacts"), "{}", customer.raw);
    assert!(
        customer
            .body
            .lines
            .iter()
            .any(|l| l.contains("\"lastName\""))
    );

    let mut post = SavedRequest::new("create", "POST", "/services/apexrest/CustomerRESTWS/");
    post.body = Some(
        r#"{"customer": {"name": "Globex Composer", "contacts": [{"lastName": "Simpson"}]}}"#
            .into(),
    );
    let created = jobs.send(post).await;
    assert!(
        created.status == 200 || created.status == 201,
        "{}",
        created.raw
    );
    assert!(
        jobs.account_named("Globex Composer").await.is_some(),
        "visible through the REST API"
    );
    org.shutdown().await;
}

#[tokio::test]
async fn soap_create_from_the_orgs_wsdl_renews_a_revoked_token_once() {
    let org = org().await;
    let jobs = Jobs::new(&org).await;
    let (source, wsdl) = match jobs
        .run(ComposerJob::LoadWsdl(
            sfterm::state::composer::job::WsdlSource::Org("CustomerWS".into()),
        ))
        .await
    {
        ComposerOutcome::Wsdl(Ok(loaded)) => loaded,
        other => panic!("{other:?}"),
    };
    assert_eq!(source, "CustomerWS");
    let envelope = wsdl.skeleton("createCustomer").expect("skeleton");
    // Fill two fields; the other placeholders are dropped at send.
    let envelope = envelope
        .replacen(
            "<tns:name>?string?</tns:name>",
            "<tns:name>Initech SOAP</tns:name>",
            1,
        )
        .replacen(
            "<tns:industry>?string?</tns:industry>",
            "<tns:industry>Software</tns:industry>",
            1,
        );
    let mut request =
        SavedRequest::new("createCustomer", "POST", "/services/Soap/class/CustomerWS");
    request.kind = RequestKind::Soap;
    request.body = Some(envelope);

    jobs.client.revoke().await.expect("revoke");
    let view = jobs.send(request).await;
    assert_eq!(view.status, 200, "{}", view.raw);
    assert!(
        view.renewed,
        "the INVALID_SESSION_ID fault renewed the token"
    );
    assert!(view.fault.is_none());
    assert!(jobs.account_named("Initech SOAP").await.is_some());

    // A fault is parsed: getCustomer with an id that does not exist.
    let mut bad = SavedRequest::new("get", "POST", "/services/Soap/class/CustomerWS");
    bad.kind = RequestKind::Soap;
    bad.body = Some(
        wsdl.skeleton("getCustomer")
            .expect("skeleton")
            .replace("?ID?", "001000000000000AAA"),
    );
    let view = jobs.send(bad).await;
    if view.status == 500 {
        assert!(view.fault.is_some(), "{}", view.raw);
    }
    org.shutdown().await;
}

#[tokio::test]
async fn postman_collection_import_keeps_folders_and_reports_the_rest() {
    let org = org().await;
    let jobs = Jobs::new(&org).await;
    let path = std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/postman/Salesforce API.postman_collection.json"
    ));
    let done = match jobs.run(ComposerJob::ImportCollection(path)).await {
        ComposerOutcome::Imported(Ok(done)) => done,
        other => panic!("{other:?}"),
    };
    assert!(done.count > 20, "{}", done.count);
    assert!(
        !done.report.is_empty(),
        "the official collection has unmapped parts"
    );
    let listing = RequestStore::new(jobs.dir.path()).list();
    assert_eq!(listing.requests.len(), done.count);
    assert!(
        listing
            .requests
            .iter()
            .all(|r| r.request.folder.first() == Some(&done.folder))
    );
    assert!(
        listing.requests.iter().any(|r| r.request.folder.len() > 1),
        "sub-folders kept"
    );
    org.shutdown().await;
}

#[tokio::test]
async fn exported_curl_returns_the_same_response() {
    let org = org().await;
    let jobs = Jobs::new(&org).await;
    let request = SavedRequest::new(
        "search",
        "GET",
        "/services/apexrest/CustomerRESTWS?name=Acme",
    );
    let shown = match jobs
        .run(ComposerJob::Curl {
            request: request.clone(),
            reveal: false,
        })
        .await
    {
        ComposerOutcome::Curl(Ok(text)) => text,
        other => panic!("{other:?}"),
    };
    let token = jobs
        .client
        .token()
        .map(|t| secrecy::ExposeSecret::expose_secret(&t.access_token).to_string())
        .expect("token");
    assert!(shown.contains("$SF_ACCESS_TOKEN"), "{shown}");
    assert!(!shown.contains(&token), "the token is not shown");
    assert_eq!(jobs.copied.lock().expect("lock").last(), Some(&shown));
    let sent = jobs.send(request).await;
    if std::process::Command::new("curl")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("curl is not installed: the command was not run");
        return;
    }
    let script = shown.clone();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("sh")
            .arg("-c")
            .arg(&script)
            .env("SF_ACCESS_TOKEN", &token)
            .output()
    })
    .await
    .expect("joined")
    .expect("curl runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let by_curl: Value = serde_json::from_slice(&out.stdout).expect("json from curl");
    let by_sfterm: Value = serde_json::from_str(&sent.raw).expect("json");
    assert_eq!(by_curl, by_sfterm);
    org.shutdown().await;
}

#[tokio::test]
async fn a_20_mb_body_goes_to_a_file_with_a_preview() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut json = String::from("{\"records\":[");
    while json.len() < 20 * 1024 * 1024 {
        json.push_str("{\"Id\":\"001Dn000000001aIAA\",\"Name\":\"Acme Corp.\"},");
    }
    json.push_str("{}]}");
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("content-type", "application/json".parse().expect("value"));
    let resp = sfterm::sf::RawResponse {
        status: reqwest::StatusCode::OK,
        headers,
        body: bytes::Bytes::from(json.clone()),
        elapsed: Duration::from_millis(5),
        delivery: Default::default(),
    };
    let view = sfterm::jobs::composer::response_view(&resp, dir.path(), false, None)
        .await
        .expect("view");
    let file = view.file.expect("written to a file");
    assert_eq!(
        std::fs::metadata(&file).expect("file").len(),
        json.len() as u64
    );
    assert!(view.raw.is_empty());
    assert!(
        view.body.lines.len() < 50_000,
        "only the preview is split: {}",
        view.body.lines.len()
    );
    assert!(
        view.body.lines[1].contains("\"records\""),
        "{:?}",
        &view.body.lines[..3]
    );
}

/// What the observer reports after each frame.
#[derive(Clone, Default)]
struct Frame {
    screen: String,
    sending: bool,
    tab: String,
    status: Option<u16>,
    note: Option<String>,
    /// The path of the request in the editor, and whether it has changes not saved yet.
    draft_path: String,
    unsaved: bool,
    /// What the status bar says of a call being retried.
    retrying: Option<String>,
}

impl Observed for Frame {
    fn observe(model: &Model, screen: String) -> Self {
        Frame {
            retrying: model.retrying.values().next().cloned(),
            screen,
            sending: model.composer.is_sending(),
            tab: format!("{:?}", model.tab),
            status: model.composer.response.as_ref().map(|r| r.status),
            note: model.composer.note.clone(),
            draft_path: model.composer.draft.path.clone(),
            unsaved: model.composer.original.as_ref() != Some(&model.composer.draft),
        }
    }

    fn screen(&self) -> &str {
        &self.screen
    }
}

#[tokio::test]
async fn the_ui_keeps_taking_keys_while_a_send_runs() {
    let org = org().await;
    let data = tempfile::tempdir().expect("data dir");
    let mut prepared = Prepared::<Frame>::new(&org, LiveOptions::default());
    prepared.runtime.use_data_dir(data.path().to_path_buf());
    let mut app = prepared.run();
    app.press("enter");
    app.wait_for("connected", |f| f.screen.contains("● active"))
        .await;
    app.press("2 n");
    app.type_text("Demo/search");
    app.press("enter enter ctrl-t");
    // The data API (where the mock org's latency applies), through the quick prefix.
    app.type_text("query?q=SELECT+Id,Name+FROM+Account");
    app.press("enter");
    app.wait_for("the path", |f| f.screen.contains("/query"))
        .await;
    // The org answers slowly: the send is in flight while the user switches tabs.
    org.set_latency(Duration::from_millis(1500));
    app.press("f5");
    app.wait_for("sending", |f| f.sending).await;
    app.press("3");
    let frame = app
        .wait_for("the History tab while sending", |f| f.tab == "History")
        .await;
    assert!(
        frame.sending,
        "the key was handled while the request was still running"
    );
    app.press("2");
    let frame = app.wait_for("the response", |f| f.status.is_some()).await;
    assert_eq!(frame.status, Some(200));
    assert!(frame.screen.contains("\"records\""), "{}", frame.screen);
    org.set_latency(Duration::ZERO);
    // History has it now.
    app.press("3");
    let frame = app
        .wait_for("history row", |f| {
            f.tab == "History" && f.screen.contains("/query")
        })
        .await;
    assert!(frame.screen.contains("200"), "{}", frame.screen);
    common::assert_token_masked(&frame.screen);
    // Fault matrix, composer row: a send that fails for good (a Salesforce 500 from Apex, a
    // connection reset on every try) shows what happened and keeps the unsaved request as typed;
    // a 503 that passes is retried (the status bar says so) and the answer arrives.
    app.press("2");
    let typed = "/services/data/v{{api_version}}/query?q=SELECT+Id,Name+FROM+Account";
    org.fail_next_with(1, 500, Some("APEX_ERROR"), None);
    app.press("f5");
    let frame = app
        .wait_for("the failed answer", |f| !f.sending && f.status == Some(500))
        .await;
    assert_eq!(frame.draft_path, typed, "{}", frame.screen);
    assert!(frame.unsaved);
    org.fail_next(1, 503);
    app.press("f5");
    let frame = app
        .wait_for("the retry on the status bar", |f| {
            f.screen.contains("retrying (2/4) after 503…")
        })
        .await;
    assert_eq!(frame.retrying.as_deref(), Some("retrying (2/4) after 503…"));
    app.wait_for("the answer after the retry", |f| {
        !f.sending && f.status == Some(200) && f.retrying.is_none()
    })
    .await;
    org.fail_next_kind(4, 200, FaultKind::ResetMidBody);
    app.press("f5");
    let frame = app
        .wait_for("the reset connection", |f| {
            !f.sending
                && f.note
                    .as_deref()
                    .is_some_and(|n| n.starts_with("Send failed: Connection dropped"))
        })
        .await;
    assert!(
        frame
            .note
            .as_deref()
            .is_some_and(|n| n.contains("tried 4 times")),
        "{:?}",
        frame.note
    );
    assert_eq!(frame.draft_path, typed, "{}", frame.screen);
    assert!(frame.unsaved);
    // And the next send goes through with it.
    app.press("f5");
    let frame = app
        .wait_for("a good answer again", |f| {
            !f.sending && f.status == Some(200)
        })
        .await;
    assert_eq!(frame.draft_path, typed);
    app.quit().await;
    let history = std::fs::read_to_string(data.path().join("history.jsonl")).expect("history file");
    assert!(history.contains("REDACTED"));
    org.shutdown().await;
}

#[tokio::test]
async fn ctrl_e_hands_the_body_to_the_external_editor() {
    let data = tempfile::tempdir().expect("data dir");
    let model = common::model_with(common::demo_profiles());
    let terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    let mut runtime = Runtime::new(
        model,
        Theme::default(),
        terminal,
        None,
        Box::new(|_| Ok(())),
    );
    runtime.use_data_dir(data.path().to_path_buf());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen_by_editor = Arc::clone(&seen);
    runtime.set_editor(Box::new(move |text: &str, extension: &str| {
        seen_by_editor
            .lock()
            .expect("lock")
            .push(format!("{text}|{extension}"));
        Ok("{\"name\": \"From the editor\"}\n".into())
    }));
    let (keys, input) = mpsc::unbounded();
    let done = tokio::spawn(runtime.run(input));
    for key in common::key_events("2 l b") {
        keys.unbounded_send(Ok(Event::Key(key))).expect("running");
    }
    for c in "{}".chars() {
        let key = ratatui::crossterm::event::KeyEvent::new(
            ratatui::crossterm::event::KeyCode::Char(c),
            ratatui::crossterm::event::KeyModifiers::NONE,
        );
        keys.unbounded_send(Ok(Event::Key(key))).expect("running");
    }
    for key in common::key_events("ctrl-e q") {
        keys.unbounded_send(Ok(Event::Key(key))).expect("running");
    }
    let model = tokio::time::timeout(Duration::from_secs(10), done)
        .await
        .expect("quits")
        .expect("joined")
        .expect("ran");
    assert_eq!(seen.lock().expect("lock").as_slice(), ["{}|json"]);
    assert_eq!(
        model.composer.draft.body.as_deref(),
        Some("{\"name\": \"From the editor\"}")
    );
}

/// Issue #20, defect 11: every response and history row said "0 ms". The time of a send is
/// measured from sending the request to the end of the body, and the history entry keeps it.
#[tokio::test]
async fn a_send_measures_its_time_and_the_history_keeps_it() {
    let org = org().await;
    let jobs = Jobs::new(&org).await;
    let limits = SavedRequest::new("limits", "GET", "/services/data/v{{api_version}}/limits");
    let (view, entry) = match jobs
        .run(ComposerJob::Send {
            request: limits.clone(),
        })
        .await
    {
        ComposerOutcome::Sent {
            result: Ok(view),
            entry: Some(entry),
        } => (view, entry),
        other => panic!("not sent: {other:?}"),
    };
    // A loopback answer takes well under a millisecond: it was shown as 0 ms.
    assert!(view.elapsed > Duration::ZERO, "a send takes time");
    assert_eq!(entry.elapsed().as_micros(), view.elapsed.as_micros());
    let shown = sfterm::human::elapsed(view.elapsed);
    assert!(
        !shown.starts_with("0 ") && !shown.starts_with('<'),
        "{shown}"
    );
    // The org's latency is inside the measured time.
    org.set_latency(Duration::from_millis(300));
    let view = jobs.send(limits).await;
    org.set_latency(Duration::ZERO);
    assert!(
        view.elapsed >= Duration::from_millis(300),
        "{:?}",
        view.elapsed
    );
    org.shutdown().await;
}

/// Runs every composer job in `effects` for real and hands its outcome back to the model, then
/// the jobs those outcomes ask for, until none is left.
async fn run_composer_jobs(
    jobs: &Jobs,
    model: &mut Model,
    mut effects: Vec<sfterm::effect::Effect>,
) {
    use sfterm::effect::{Effect, Job};
    use sfterm::msg::{Msg, Outcome};
    while !effects.is_empty() {
        let mut next = Vec::new();
        for effect in effects {
            if let Effect::Spawn {
                req,
                job: Job::Composer(job),
            } = effect
            {
                let outcome = jobs.run(*job).await;
                next.extend(model.handle_msg(Msg::Done {
                    req,
                    outcome: Outcome::Composer(outcome),
                }));
            }
        }
        effects = next;
    }
}

#[tokio::test]
async fn file_prompts_complete_real_paths_then_import_and_save() {
    use common::{press, type_text};
    let org = org().await;
    let jobs = Jobs::new(&org).await;
    let files = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(files.path().join("postman")).expect("dir");
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/postman/Salesforce API.postman_collection.json"
        ),
        files
            .path()
            .join("postman/Salesforce API.postman_collection.json"),
    )
    .expect("copy");
    std::fs::write(files.path().join("postman/notes.txt"), "not a collection").expect("write");

    // i: a partial path, tab lists the real directory and completes it; S and tab the file.
    let mut model = super::paths::save_prompt();
    press(&mut model, "esc i");
    type_text(&mut model, &format!("{}/pos", files.path().display()));
    let effects = press(&mut model, "tab");
    run_composer_jobs(&jobs, &mut model, effects).await;
    let dir = format!("{}/postman/", files.path().display());
    assert_eq!(super::paths::prompt(&model), dir);
    type_text(&mut model, "S");
    let effects = press(&mut model, "tab");
    run_composer_jobs(&jobs, &mut model, effects).await;
    assert_eq!(
        super::paths::prompt(&model),
        format!("{dir}Salesforce API.postman_collection.json")
    );
    // enter imports the completed file.
    let effects = press(&mut model, "enter");
    run_composer_jobs(&jobs, &mut model, effects).await;
    assert!(
        matches!(&model.composer.mode, Mode::Report { title, .. } if title == "Postman import"),
        "{:?}",
        model.composer.mode
    );
    let imported = RequestStore::new(jobs.dir.path()).list().requests.len();
    assert!(imported > 20, "{imported}");
    press(&mut model, "esc");

    // s: a relative path is completed in the data directory, where the body is saved.
    std::fs::create_dir(jobs.dir.path().join("exports")).expect("dir");
    press(&mut model, "l l s ctrl-u");
    type_text(&mut model, "exp");
    let effects = press(&mut model, "tab");
    run_composer_jobs(&jobs, &mut model, effects).await;
    assert_eq!(super::paths::prompt(&model), "exports/");
    type_text(&mut model, "acme.json");
    let effects = press(&mut model, "enter");
    run_composer_jobs(&jobs, &mut model, effects).await;
    let saved = std::fs::read_to_string(jobs.dir.path().join("exports/acme.json")).expect("saved");
    assert!(saved.contains("Acme"), "{saved}");
    org.shutdown().await;
}
