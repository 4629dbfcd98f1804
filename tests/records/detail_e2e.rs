//! Record detail end to end: the real runtime and client against the mock org on 127.0.0.1, keys
//! from a channel, a second plain HTTP client playing "someone else" (the `curl` of the issue).
use crate::common;

use std::path::Path;
use std::time::Duration;

use common::live::{LiveApp, LiveOptions, Observed, Prepared};
use serde_json::{Value, json};

use sfterm::mock_org::{MockOrg, MockOrgConfig};
use sfterm::state::record_detail::{Popup, Status};
use sfterm::state::{Model, Overlay};

/// What the observer reports after each frame.
#[derive(Clone, Default, Debug)]
struct Frame {
    screen: String,
    status: Option<Status>,
    staged: Vec<(String, Value)>,
    popup: Option<String>,
    problem: Option<(String, Vec<String>)>,
    conflict_loaded: bool,
    drafts_offered: usize,
    selected: Option<String>,
    writing: bool,
    record: Option<serde_json::Map<String, Value>>,
}

/// A second client with its own token: "someone else" changing records.
struct Curl {
    client: reqwest::Client,
    base: url::Url,
    token: String,
}

impl Curl {
    async fn new(org: &MockOrg) -> Curl {
        let client = reqwest::Client::new();
        let token = common::org::token_for(org, &client).await;
        Curl {
            client,
            base: org.instance_url().clone(),
            token,
        }
    }

    fn url(&self, path: &str) -> url::Url {
        self.base
            .join(&format!("services/data/v62.0/{path}"))
            .expect("url")
    }

    async fn first_account(&self) -> (String, String) {
        let body: Value = self
            .client
            .get(self.url("query"))
            .query(&[("q", "SELECT Id, Name FROM Account ORDER BY Name LIMIT 5")])
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("query")
            .json()
            .await
            .expect("json");
        let row = &body["records"][0];
        (
            row["Id"].as_str().expect("id").to_owned(),
            row["Name"].as_str().expect("name").to_owned(),
        )
    }

    async fn get(&self, object: &str, id: &str) -> Value {
        self.client
            .get(self.url(&format!("sobjects/{object}/{id}")))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("get")
            .json()
            .await
            .expect("json")
    }

    async fn patch(&self, object: &str, id: &str, body: Value) {
        let status = self
            .client
            .patch(self.url(&format!("sobjects/{object}/{id}")))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .expect("patch")
            .status();
        assert_eq!(status.as_u16(), 204);
    }
}

impl Observed for Frame {
    fn observe(model: &Model, screen: String) -> Self {
        let view = model.detail.top();
        Frame {
            screen,
            status: view.map(|v| v.status.clone()),
            staged: view
                .map(|v| {
                    v.staged
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect()
                })
                .unwrap_or_default(),
            popup: view.and_then(|v| v.popup.as_ref()).map(|p| match p {
                Popup::Editor(_) => "editor".to_string(),
                Popup::Conflict(_) => "conflict".to_string(),
                Popup::ConfirmDelete { .. } => "delete".to_string(),
                Popup::ConfirmSave => "save".to_string(),
                Popup::Leave => "leave".to_string(),
            }),
            problem: view
                .and_then(|v| v.problem.as_ref())
                .map(|p| (p.message.clone(), p.fields.clone())),
            conflict_loaded: matches!(
                view.and_then(|v| v.popup.as_ref()),
                Some(Popup::Conflict(c)) if c.server.is_some()
            ),
            drafts_offered: match &model.overlay {
                Some(Overlay::Drafts { drafts, .. }) => drafts.len(),
                _ => 0,
            },
            selected: view.and_then(|v| v.selected_field().map(str::to_string)),
            writing: view.is_some_and(|v| v.is_writing()),
            record: view.map(|v| v.record.clone()),
        }
    }

    fn screen(&self) -> &str {
        &self.screen
    }

    fn describe(&self) -> String {
        format!(
            "{:?}",
            (&self.status, &self.staged, &self.popup, &self.problem)
        )
    }
}

type App = LiveApp<Frame>;

/// Starts sfterm connected to the org with `data_dir` for drafts (and profiles.toml), and
/// opens `record` or a new record of `new`.
async fn start_app(
    org: &MockOrg,
    data_dir: &Path,
    open: Option<(&str, &str)>,
    new: Option<&str>,
) -> App {
    let mut prepared = Prepared::<Frame>::new(
        org,
        LiveOptions {
            config_dir: Some(data_dir),
            ..LiveOptions::default()
        },
    );
    let runtime = &mut prepared.runtime;
    runtime.set_opener(Box::new(|_| {
        Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "no opener",
        ))
    }));
    runtime.select_profile(0);
    runtime.dispatch(sfterm::action::Action::Connect);
    // As at a real start: connect first, then offer drafts.
    runtime.use_data_dir(data_dir.to_path_buf());
    if let Some((object, id)) = open {
        runtime.apply(|m| m.open_record(object, id));
    }
    if let Some(object) = new {
        runtime.apply(|m| m.new_record(object));
    }
    prepared.run()
}

/// The record detail steps a user takes, on top of the shared harness.
trait DetailSteps {
    /// Waits for the record loaded and no save running.
    async fn loaded(&mut self) -> Frame;
    /// Moves the focus to a field with j presses, as a user does.
    async fn select(&mut self, field: &str);
    /// Stages Industry → Energy and Phone → +1 415 555 0199.
    async fn stage_industry_and_phone(&mut self);
}

impl DetailSteps for App {
    async fn loaded(&mut self) -> Frame {
        self.wait_for("the record loaded", |f| {
            f.status == Some(Status::Ready) && !f.writing
        })
        .await
    }

    async fn select(&mut self, field: &str) {
        self.press("g");
        let mut current = self
            .wait_for("the top row", |f| f.selected.is_some() && f.popup.is_none())
            .await
            .selected;
        let mut steps = 0;
        while current.as_deref() != Some(field) {
            steps += 1;
            assert!(steps < 300, "{field} not found");
            let before = current.clone();
            self.press("j");
            current = self
                .wait_for("the next row", |f| f.selected != before)
                .await
                .selected;
        }
    }

    async fn stage_industry_and_phone(&mut self) {
        self.select("Industry").await;
        self.press("e");
        self.type_text("Energy");
        self.press("enter");
        self.select("Phone").await;
        self.press("e");
        for _ in 0..40 {
            self.press("backspace");
        }
        self.type_text("+1 415 555 0199");
        self.press("enter");
        self.wait_for("two staged", |f| f.staged.len() == 2).await;
    }
}

async fn start_org() -> MockOrg {
    let _ = rustls::crypto::ring::default_provider().install_default();
    MockOrg::start(MockOrgConfig::default())
        .await
        .expect("mock org")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edit_industry_and_phone_save_and_another_client_sees_them() {
    let org = start_org().await;
    let curl = Curl::new(&org).await;
    let (id, _) = curl.first_account().await;
    let dir = tempfile::tempdir().expect("dir");
    let mut app = start_app(&org, dir.path(), Some(("Account", &id)), None).await;
    app.loaded().await;
    app.stage_industry_and_phone().await;
    let frame = app
        .wait_for("staged shown", |f| f.screen.contains("(staged)"))
        .await;
    assert!(frame.screen.contains("→ Energy"), "{}", frame.screen);
    assert!(
        dir.path().join("drafts.json").exists(),
        "staged edits are kept as a draft"
    );
    app.press("ctrl-s");
    app.wait_for("saved", |f| {
        f.staged.is_empty() && f.screen.contains("Saved 2 fields")
    })
    .await;
    let record = curl.get("Account", &id).await;
    assert_eq!(record["Industry"], json!("Energy"));
    assert_eq!(record["Phone"], json!("+1 415 555 0199"));
    assert!(
        !dir.path().join("drafts.json").exists(),
        "a saved draft is removed"
    );
    app.quit().await;
    org.shutdown().await;
}

/// Opens the account, stages two edits, lets `curl` change Industry, saves: the conflict view.
async fn conflict(org: &MockOrg, curl: &Curl, dir: &Path) -> (App, String) {
    let (id, _) = curl.first_account().await;
    let mut app = start_app(org, dir, Some(("Account", &id)), None).await;
    app.loaded().await;
    app.stage_industry_and_phone().await;
    // HTTP dates have whole seconds: change it in a later second than the version opened.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    curl.patch("Account", &id, json!({"Industry": "Utilities"}))
        .await;
    app.press("ctrl-s");
    let frame = app
        .wait_for("the conflict view with the server's values", |f| {
            f.conflict_loaded
        })
        .await;
    assert!(frame.screen.contains("Server now"), "{}", frame.screen);
    assert!(frame.screen.contains("Utilities"), "{}", frame.screen);
    (app, id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conflict_reload_and_reapply_then_save() {
    let org = start_org().await;
    let curl = Curl::new(&org).await;
    let dir = tempfile::tempdir().expect("dir");
    let (mut app, id) = conflict(&org, &curl, dir.path()).await;
    app.press("r");
    let frame = app
        .wait_for("reloaded with mine staged", |f| {
            f.popup.is_none() && f.staged.len() == 2
        })
        .await;
    assert_eq!(
        frame
            .record
            .as_ref()
            .and_then(|r| r.get("Industry").cloned()),
        Some(json!("Utilities"))
    );
    app.press("ctrl-s");
    app.wait_for("saved against the new version", |f| {
        f.staged.is_empty() && !f.writing
    })
    .await;
    let record = curl.get("Account", &id).await;
    assert_eq!(record["Industry"], json!("Energy"));
    assert_eq!(record["Phone"], json!("+1 415 555 0199"));
    app.quit().await;
    org.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conflict_overwrite_anyway() {
    let org = start_org().await;
    let curl = Curl::new(&org).await;
    let dir = tempfile::tempdir().expect("dir");
    let (mut app, id) = conflict(&org, &curl, dir.path()).await;
    app.press("o");
    app.wait_for("overwritten", |f| {
        f.staged.is_empty() && f.popup.is_none() && !f.writing
    })
    .await;
    let record = curl.get("Account", &id).await;
    assert_eq!(record["Industry"], json!("Energy"));
    app.quit().await;
    org.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conflict_discard_mine() {
    let org = start_org().await;
    let curl = Curl::new(&org).await;
    let dir = tempfile::tempdir().expect("dir");
    let (mut app, id) = conflict(&org, &curl, dir.path()).await;
    app.press("d");
    let frame = app
        .wait_for("mine discarded", |f| {
            f.staged.is_empty() && f.popup.is_none()
        })
        .await;
    assert_eq!(
        frame
            .record
            .as_ref()
            .and_then(|r| r.get("Industry").cloned()),
        Some(json!("Utilities"))
    );
    let record = curl.get("Account", &id).await;
    assert_eq!(
        record["Industry"],
        json!("Utilities"),
        "the other change stays"
    );
    assert_ne!(record["Phone"], json!("+1 415 555 0199"));
    app.quit().await;
    org.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_a_contact_without_last_name_names_it_and_keeps_the_form() {
    let org = start_org().await;
    let dir = tempfile::tempdir().expect("dir");
    let mut app = start_app(&org, dir.path(), None, Some("Contact")).await;
    app.loaded().await;
    app.select("FirstName").await;
    app.press("e");
    app.type_text("Ada");
    app.press("enter");
    app.wait_for("one typed", |f| f.staged.len() == 1).await;
    app.press("ctrl-s");
    let frame = app.wait_for("the error", |f| f.problem.is_some()).await;
    let (message, fields) = frame.problem.clone().expect("problem");
    assert_eq!(fields, vec!["LastName".to_string()], "{message}");
    assert!(message.contains("LastName"), "{message}");
    assert_eq!(frame.staged.len(), 1, "the form keeps what was typed");
    assert!(frame.screen.contains("Ada"), "{}", frame.screen);
    app.quit_with("q d").await;
    org.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_with_staged_edits_the_next_start_offers_them_back() {
    let org = start_org().await;
    let curl = Curl::new(&org).await;
    let (id, _) = curl.first_account().await;
    let dir = tempfile::tempdir().expect("dir");
    let mut app = start_app(&org, dir.path(), Some(("Account", &id)), None).await;
    app.loaded().await;
    app.stage_industry_and_phone().await;
    app.kill();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("drafts.json"))
            .expect("drafts file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    let mut app = start_app(&org, dir.path(), None, None).await;
    let frame = app
        .wait_for("the drafts popup", |f| f.drafts_offered == 1)
        .await;
    assert!(frame.screen.contains("Restore drafts?"), "{}", frame.screen);
    assert!(frame.screen.contains("Industry, Phone"), "{}", frame.screen);
    app.press("r");
    let frame = app
        .wait_for("the record with the edits staged", |f| {
            f.status == Some(Status::Ready) && f.staged.len() == 2
        })
        .await;
    assert!(frame.screen.contains("→ Energy"), "{}", frame.screen);
    app.press("ctrl-s");
    app.wait_for("saved", |f| f.staged.is_empty() && !f.writing)
        .await;
    assert_eq!(curl.get("Account", &id).await["Industry"], json!("Energy"));
    app.quit().await;
    org.shutdown().await;
}

/// Stages two fields, leaves the app the way `leave` does, and checks that the next start
/// offers the draft back and restores it.
async fn the_next_start_offers_the_draft_after(leave: &str) {
    let org = start_org().await;
    let curl = Curl::new(&org).await;
    let (id, _) = curl.first_account().await;
    let dir = tempfile::tempdir().expect("dir");
    let mut app = start_app(&org, dir.path(), Some(("Account", &id)), None).await;
    app.loaded().await;
    app.stage_industry_and_phone().await;
    match leave {
        "kill" => app.kill(),
        // The leave popup's "keep as draft", then q (nothing open is staged: no question).
        "esc k q" => {
            app.press("esc");
            app.wait_for("the leave popup", |f| f.popup.is_some()).await;
            app.press("k");
            let frame = app
                .wait_for("back on the list", |f| f.status.is_none())
                .await;
            assert!(frame.screen.contains("Kept 2 staged"), "{}", frame.screen);
            app.quit().await;
        }
        keys => {
            app.quit_with(keys).await;
        }
    }
    assert!(dir.path().join("drafts.json").exists(), "after {leave}");

    let mut app = start_app(&org, dir.path(), None, None).await;
    let frame = app
        .wait_for("the drafts popup", |f| f.drafts_offered == 1)
        .await;
    assert!(frame.screen.contains("Industry, Phone"), "{}", frame.screen);
    app.press("r");
    app.wait_for("the record with the edits staged", |f| {
        f.status == Some(Status::Ready) && f.staged.len() == 2
    })
    .await;
    app.quit_with("q d").await;
    org.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_as_draft_on_leaving_the_record_the_next_start_offers_it() {
    the_next_start_offers_the_draft_after("esc k q").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_as_draft_on_quitting_the_next_start_offers_it() {
    the_next_start_offers_the_draft_after("q k").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_the_next_start_offers_the_draft() {
    the_next_start_offers_the_draft_after("kill").await;
}
