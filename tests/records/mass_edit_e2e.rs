//! Mass edit end to end (#21): the real runtime and client against the mock org on 127.0.0.1.
//! Select 50 Accounts, set Industry on all of them with one row rejected by the org (a
//! validation rule injected with `reject_writes`): 49 change in place, the failed one is
//! listed and stays selected; then `D` deletes. And a staged mass edit survives the app being
//! killed: the next start offers it back and restores it on its records.
use crate::common;

use std::path::Path;

use common::live::{LiveApp, LiveOptions, Observed, Prepared};
use serde_json::{Value, json};
use sfterm::mock_org::{MockOrg, MockOrgConfig};
use sfterm::state::records::MassPopup;
use sfterm::state::{Model, Overlay};

#[derive(Clone, Default, Debug)]
struct Frame {
    screen: String,
    loaded: usize,
    loading: bool,
    total: Option<u64>,
    /// The Ids and Industry cells of the list's rows.
    ids: Vec<String>,
    industry: Vec<Option<String>>,
    /// The LastModifiedDate cells of the list's rows.
    modified: Vec<Option<String>>,
    selected: Vec<String>,
    staged: Option<(String, usize)>,
    popup: Option<String>,
    failed: Vec<String>,
    notice: Option<String>,
    drafts_offered: usize,
    sending: bool,
}

impl Observed for Frame {
    fn observe(model: &Model, screen: String) -> Self {
        let records = &model.records;
        let view = records.view();
        let column = view.columns.iter().position(|c| c == "Industry");
        let modified = view.columns.iter().position(|c| c == "LastModifiedDate");
        Frame {
            screen,
            loaded: view.rows.len(),
            loading: view.loading(),
            total: view.total,
            ids: (0..view.rows.len())
                .map(|r| view.rows.id(r).to_owned())
                .collect(),
            industry: (0..view.rows.len())
                .map(|r| column.and_then(|c| view.rows.cell(r, c).map(str::to_owned)))
                .collect(),
            modified: (0..view.rows.len())
                .map(|r| modified.and_then(|c| view.rows.cell(r, c).map(str::to_owned)))
                .collect(),
            selected: records.mass.selected.iter().cloned().collect(),
            staged: records
                .mass
                .staged
                .as_ref()
                .map(|e| (e.summary(), e.ids.len())),
            popup: records.mass.popup.as_ref().map(|p| match p {
                MassPopup::Fields { .. } => "fields".to_owned(),
                MassPopup::Editor(_) => "editor".to_owned(),
                MassPopup::ConfirmSave => "save".to_owned(),
                MassPopup::ConfirmDelete { .. } => "delete".to_owned(),
                MassPopup::Failures { .. } => "failures".to_owned(),
            }),
            failed: match &records.mass.popup {
                Some(MassPopup::Failures { rows, .. }) => {
                    rows.iter().map(|f| f.id.clone()).collect()
                }
                _ => Vec::new(),
            },
            notice: records.notice.clone(),
            drafts_offered: match &model.overlay {
                Some(Overlay::Drafts { drafts, .. }) => drafts.len(),
                _ => 0,
            },
            sending: records.mass.is_sending(),
        }
    }

    fn screen(&self) -> &str {
        &self.screen
    }

    fn describe(&self) -> String {
        format!(
            "{:?}",
            (
                self.loaded,
                &self.staged,
                &self.popup,
                self.selected.len(),
                &self.notice
            )
        )
    }
}

type App = LiveApp<Frame>;

/// sfterm connected to the org, with drafts in `data_dir`, on the Records list.
fn start_app(org: &MockOrg, data_dir: &Path) -> App {
    let mut prepared = Prepared::<Frame>::new(
        org,
        LiveOptions {
            config_dir: Some(data_dir),
            ..LiveOptions::default()
        },
    );
    let runtime = &mut prepared.runtime;
    runtime.select_profile(0);
    runtime.dispatch(sfterm::action::Action::Connect);
    runtime.use_data_dir(data_dir.to_path_buf());
    runtime.dispatch(sfterm::action::Action::TabRecords);
    prepared.run()
}

async fn start_org() -> MockOrg {
    MockOrg::start(MockOrgConfig {
        records: 120,
        ..MockOrgConfig::default()
    })
    .await
    .expect("mock org")
}

/// The Industry of records `ids` on the server.
async fn industries(org: &MockOrg, ids: &[String]) -> Vec<Value> {
    let client = reqwest::Client::new();
    let token = common::org::token_for(org, &client).await;
    let list: Vec<String> = ids.iter().map(|i| format!("'{i}'")).collect();
    let soql = format!(
        "SELECT Id, Industry FROM Account WHERE Id IN ({})",
        list.join(",")
    );
    let body: Value = client
        .get(
            org.instance_url()
                .join("services/data/v62.0/query")
                .expect("url"),
        )
        .query(&[("q", soql)])
        .bearer_auth(token)
        .send()
        .await
        .expect("query")
        .json()
        .await
        .expect("json");
    let records = body["records"].as_array().cloned().unwrap_or_default();
    ids.iter()
        .map(|id| {
            records
                .iter()
                .find(|r| r["Id"] == json!(id))
                .map_or(Value::Null, |r| r["Industry"].clone())
        })
        .collect()
}

/// Waits for the list loaded, then stages Industry = Energy on its first `n` rows.
async fn stage_energy_on(app: &mut App, n: usize) -> Frame {
    let frame = app
        .wait_for("the list loaded", |f| f.loaded > n && !f.loading)
        .await;
    for _ in 0..n {
        app.press("space");
    }
    app.wait_for("the rows selected", |f| f.selected.len() == n)
        .await;
    app.press("E");
    app.wait_for("the field chooser", |f| {
        f.popup.as_deref() == Some("fields")
    })
    .await;
    app.type_text("Industry");
    app.press("enter");
    app.wait_for("the editor", |f| f.popup.as_deref() == Some("editor"))
        .await;
    app.type_text("Energy");
    app.press("enter");
    app.wait_for("the edit staged", |f| {
        f.staged.as_ref().is_some_and(|(_, count)| *count == n)
    })
    .await;
    frame
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_selected_one_rejected_forty_nine_updated_in_place_then_d_deletes() {
    let org = start_org().await;
    let dir = tempfile::tempdir().expect("dir");
    let mut app = start_app(&org, dir.path());
    let frame = stage_energy_on(&mut app, 50).await;
    let ids: Vec<String> = frame.ids[..50].to_vec();
    org.reject_writes(&ids[7], "Industry is locked this quarter");
    let staged = app
        .wait_for("the staged line", |f| {
            f.screen
                .contains("Industry = Energy for 50 selected Account · ctrl-s save · u undo")
        })
        .await;
    let screen = staged.screen;
    let modified_before = staged.modified;
    assert!(
        modified_before[..50].iter().all(Option::is_some),
        "LastModifiedDate is shown"
    );
    assert!(
        screen.contains("50 selected · 120 of 120 loaded"),
        "{screen}"
    );
    assert!(
        dir.path().join("drafts.json").exists(),
        "staged edits are kept at once"
    );

    app.press("ctrl-s");
    let frame = app
        .wait_for("the answer", |f| f.popup.as_deref() == Some("failures"))
        .await;
    assert_eq!(frame.failed, [ids[7].clone()]);
    assert_eq!(
        frame.selected,
        [ids[7].clone()],
        "the failed row stays selected"
    );
    assert_eq!(
        frame.notice.as_deref(),
        Some("49 updated, 1 failed (still selected).")
    );
    assert!(frame.staged.is_none());
    assert!(frame.screen.contains(&ids[7]), "{}", frame.screen);
    assert!(
        frame
            .screen
            .contains("FIELD_CUSTOM_VALIDATION_EXCEPTION: Industry is locked"),
        "{}",
        frame.screen
    );
    // In place: the list shows Energy on the 49 without reloading; the server agrees.
    let shown = frame.industry[..50]
        .iter()
        .filter(|c| c.as_deref() == Some("Energy"))
        .count();
    let before = frame.industry[7].clone();
    assert_eq!(shown, 49 + usize::from(before.as_deref() == Some("Energy")));
    let server = industries(&org, &ids).await;
    for (i, value) in server.iter().enumerate() {
        if i != 7 {
            assert_eq!(value, &json!("Energy"), "{}", ids[i]);
        }
    }
    assert_eq!(
        server[7],
        before.map_or(Value::Null, Value::String),
        "not written"
    );
    // Then the 49 rows are read again: the LastModifiedDate the org set shows, the list's order
    // and count unchanged; the rejected row keeps its own.
    let frame = app
        .wait_for("the written rows read again", |f| {
            (0..50)
                .filter(|i| *i != 7)
                .all(|i| f.modified[i] != modified_before[i])
        })
        .await;
    assert_eq!(frame.ids[..50], ids[..], "same rows, same order");
    assert_eq!(frame.modified[7], modified_before[7]);
    assert_eq!(frame.loaded, 120);
    app.press("esc");
    app.wait_for("the popup closed", |f| f.popup.is_none())
        .await;
    assert!(
        !dir.path().join("drafts.json").exists(),
        "sent: no draft left"
    );

    // D: the rejected row and two more; the org refuses the rejected one again.
    app.press("space space");
    let frame = app
        .wait_for("three selected", |f| f.selected.len() == 3)
        .await;
    let deleted: Vec<String> = frame
        .selected
        .iter()
        .filter(|i| **i != ids[7])
        .cloned()
        .collect();
    app.press("D");
    app.wait_for("the question", |f| f.popup.as_deref() == Some("delete"))
        .await;
    app.press("y");
    let frame = app
        .wait_for("the delete answered", |f| {
            f.popup.as_deref() == Some("failures")
        })
        .await;
    assert_eq!(frame.loaded, 118, "two rows left the list");
    assert_eq!(frame.total, Some(118));
    assert!(deleted.iter().all(|d| !frame.ids.contains(d)));
    assert_eq!(frame.selected, [ids[7].clone()]);
    assert!(frame.screen.contains("DELETE_FAILED"), "{}", frame.screen);
    assert_eq!(org.record_count("Account"), 118);
    app.quit_with("esc q").await;
    org.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_with_a_staged_mass_edit_the_next_start_offers_it_back() {
    let org = start_org().await;
    let dir = tempfile::tempdir().expect("dir");
    let mut app = start_app(&org, dir.path());
    let frame = stage_energy_on(&mut app, 5).await;
    let ids: Vec<String> = frame.ids[..5].to_vec();
    app.kill();

    let mut app = start_app(&org, dir.path());
    let frame = app
        .wait_for("the drafts popup", |f| f.drafts_offered == 1)
        .await;
    assert!(
        frame
            .screen
            .contains("mass edit: Industry = Energy on 5 Account records · Demo org"),
        "{}",
        frame.screen
    );
    app.press("r");
    let frame = app
        .wait_for("staged again on its rows", |f| {
            f.staged.is_some() && f.loaded > 5 && !f.loading
        })
        .await;
    assert_eq!(frame.selected, ids);
    assert!(
        frame.screen.contains("Industry = Energy for 5 selected"),
        "{}",
        frame.screen
    );
    app.press("ctrl-s");
    app.wait_for("sent", |f| {
        f.staged.is_none() && !f.sending && f.notice.as_deref() == Some("5 updated.")
    })
    .await;
    assert!(
        industries(&org, &ids)
            .await
            .iter()
            .all(|v| v == &json!("Energy"))
    );
    app.quit().await;
    org.shutdown().await;
}
