//! Remembered choices end to end: the real runtime and client against the mock org, the
//! choices file in the data directory between two runs, and a damaged file.
use crate::common;

use std::path::Path;

use common::live::{LiveApp, LiveOptions, Observed, Prepared};
use sfterm::mock_org::{MockOrg, MockOrgConfig};
use sfterm::state::Model;
use sfterm::state::records::Popup;

#[derive(Clone, Default)]
struct Frame {
    screen: String,
    object: String,
    columns: Vec<String>,
    loaded: usize,
    loading: bool,
    chooser: Option<Vec<String>>,
    described: bool,
}

impl Observed for Frame {
    fn observe(model: &Model, screen: String) -> Self {
        let view = model.records.view();
        Frame {
            screen,
            object: view.object.clone(),
            described: model.records.describe(&view.object).is_some(),
            columns: view.columns.clone(),
            loaded: view.rows.len(),
            loading: view.loading(),
            chooser: match &model.records.popup {
                Some(Popup::Columns { choices, .. }) => {
                    Some(choices.iter().map(|c| c.path.clone()).collect())
                }
                _ => None,
            },
        }
    }

    fn screen(&self) -> &str {
        &self.screen
    }
}

impl Frame {
    fn shows(&self, object: &str) -> bool {
        self.object == object && self.loaded > 0 && !self.loading
    }
}

/// Starts sfterm as the TUI does: the data directory first, then the connection.
fn start(org: &MockOrg, dir: &Path) -> LiveApp<Frame> {
    let mut prepared = Prepared::<Frame>::new(
        org,
        LiveOptions {
            config_dir: Some(dir),
            ..LiveOptions::default()
        },
    );
    prepared.runtime.use_data_dir(dir.join("data"));
    prepared.runtime.select_profile(0);
    prepared.runtime.dispatch(sfterm::action::Action::Connect);
    prepared.run()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chosen_columns_and_the_last_object_come_back_after_a_restart() {
    let org = MockOrg::start(MockOrgConfig {
        records: 20,
        ..MockOrgConfig::default()
    })
    .await
    .expect("mock org");
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("data")).expect("data dir");

    let mut app = start(&org, dir.path());
    app.wait_for("the accounts and their describe", |f| {
        f.shows("Account") && f.described
    })
    .await;
    app.press("1 c");
    let frame = app.wait_for("the chooser", |f| f.chooser.is_some()).await;
    let at = frame
        .chooser
        .as_ref()
        .and_then(|c| c.iter().position(|n| n == "Name"))
        .expect("Name is a choice");
    app.press(&format!("{}space enter", "j ".repeat(at)));
    let frame = app
        .wait_for("the list without Name", |f| {
            f.shows("Account") && !f.columns.iter().any(|c| c == "Name")
        })
        .await;
    let chosen = frame.columns.clone();
    app.press("]");
    app.wait_for("the contacts", |f| f.shows("Contact")).await;
    app.quit().await;

    let file = dir.path().join("data").join("ui-state.json");
    let text = std::fs::read_to_string(&file).expect("the choices file");
    let saved: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(saved["object"], "Contact", "{text}");
    assert_eq!(saved["tab"], "records", "{text}");
    assert_eq!(saved["columns"]["account"], serde_json::json!(chosen));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // The next run opens on the contacts; the accounts keep their columns.
    let mut app = start(&org, dir.path());
    app.wait_for("the contacts first", |f| f.shows("Contact"))
        .await;
    app.press("1 [");
    let frame = app.wait_for("the accounts", |f| f.shows("Account")).await;
    assert_eq!(frame.columns, chosen);
    app.quit().await;

    // A damaged file is a notice; the app runs on the defaults.
    std::fs::write(&file, "{ not json").expect("damage");
    let mut app = start(&org, dir.path());
    let frame = app
        .wait_for("the defaults", |f| {
            f.shows("Account") && f.columns.iter().any(|c| c == "Name")
        })
        .await;
    assert_eq!(frame.object, "Account");
    app.wait_for("the notice", |f| {
        f.screen.contains("remembered choices could not be read")
    })
    .await;
    app.quit().await;
}
