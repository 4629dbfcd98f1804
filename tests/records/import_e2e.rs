//! The import wizard end to end: the real runtime and client against the mock org on
//! 127.0.0.1. A CSV of Contacts (a label as a header, two rows without a LastName) is picked
//! with tab completion, mapped automatically, previewed with the check's warning, imported
//! with Bulk API 2.0 ingest jobs; the two failures are shown with their error and the list is
//! filtered to the three records created. Quitting while the jobs run asks first, and the jobs
//! go on in Salesforce.
use crate::common;

use common::live::{LiveApp, LiveOptions, Observed};
use std::path::PathBuf;

use sfterm::mock_org::{MockOrg, MockOrgConfig};
use sfterm::state::Model;
use sfterm::state::import::Step;

#[derive(Clone, Default)]
struct Frame {
    screen: String,
    object: String,
    loaded: usize,
    total: Option<u64>,
    loading: bool,
    step: Option<Step>,
    path: String,
    mapping: Vec<Option<String>>,
    checked: bool,
    /// Saved and failed rows, once the results are written.
    written: Option<(u64, u64)>,
    filter: String,
    /// Jobs of the run Salesforce has not finished.
    unfinished: usize,
    /// The "quit while importing?" question is open.
    asking_to_quit: bool,
}

impl Observed for Frame {
    fn observe(model: &Model, screen: String) -> Self {
        let view = model.records.view();
        let wizard = model.records.import.as_deref();
        Frame {
            screen,
            object: view.object.clone(),
            loaded: view.rows.len(),
            total: view.total,
            loading: view.loading(),
            step: wizard.map(|w| w.step),
            path: wizard.map(|w| w.path.text().to_owned()).unwrap_or_default(),
            mapping: wizard.map(|w| w.mapping.clone()).unwrap_or_default(),
            checked: wizard.is_some_and(|w| w.checked.is_some()),
            written: wizard
                .and_then(|w| w.written.as_ref())
                .map(|w| (w.saved, w.failed)),
            filter: format!("{:?}", view.filter),
            unfinished: model.records.import_unfinished_jobs(),
            asking_to_quit: matches!(
                model.overlay,
                Some(sfterm::state::Overlay::QuitRunning { .. })
            ),
        }
    }

    fn screen(&self) -> &str {
        &self.screen
    }
}

/// A mock org of 20 Accounts whose ingest jobs report `InProgress` for `polls` polls, sfterm
/// started against it, and `csv` written as `name` in a folder of the test's own; that folder.
async fn start(polls: u32, name: &str, csv: &str) -> (MockOrg, LiveApp<Frame>, PathBuf) {
    let org = MockOrg::start(MockOrgConfig {
        records: 20,
        bulk_polls_in_progress: polls,
        ..MockOrgConfig::default()
    })
    .await
    .expect("mock org");
    let app: LiveApp<Frame> = LiveApp::start(&org, LiveOptions::default());
    let dir = app.dir().expect("its own config dir").join("in");
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join(name), csv).expect("csv");
    (org, app, dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_csv_of_contacts_is_imported_its_failures_shown_and_the_list_filtered() {
    let (org, mut app, dir) = start(
        MockOrgConfig::default().bulk_polls_in_progress,
        "contacts.csv",
        "FirstName,Last Name,Email\n\
         Ada,Lovelace,ada@example.org\n\
         Alan,,alan@example.org\n\
         Grace,Hopper,grace@example.org\n\
         Edsger,,\n\
         Barbara,Liskov,barbara@example.org\n",
    )
    .await;

    app.press("enter");
    app.wait_for("the first page", |f| f.loaded > 0 && !f.loading)
        .await;
    app.press("1 ]");
    app.wait_for("the Contact list", |f| {
        f.object == "Contact" && !f.loading && f.total.is_some()
    })
    .await;

    // I opens the wizard on Contact; tab completes the file name.
    app.press("I");
    app.wait_for("the wizard", |f| f.step == Some(Step::File))
        .await;
    app.type_text(&format!("{}/con", dir.display()));
    app.press("tab");
    let expected = format!("{}/contacts.csv", dir.display());
    app.wait_for("the completed path", |f| f.path == expected)
        .await;

    // Enter reads the header: each column is matched (Last Name by its label).
    app.press("enter");
    let frame = app
        .wait_for("the mapping", |f| f.step == Some(Step::Mapping))
        .await;
    assert_eq!(
        frame.mapping,
        [
            Some("FirstName".to_owned()),
            Some("LastName".to_owned()),
            Some("Email".to_owned())
        ]
    );

    // n checks the whole file: no errors, a warning for the two rows without a LastName.
    app.press("n");
    let frame = app
        .wait_for("the preview", |f| {
            f.step == Some(Step::Preview) && f.checked
        })
        .await;
    assert!(
        frame.screen.contains("no errors: enter imports"),
        "{}",
        frame.screen
    );
    assert!(
        frame.screen.contains("2 rows have an empty LastName"),
        "{}",
        frame.screen
    );

    // Enter runs the import; the results come back: 3 saved, 2 failed.
    app.press("enter");
    let frame = app
        .wait_for("the results", |f| f.step == Some(Step::Done))
        .await;
    assert_eq!(frame.written, Some((3, 2)), "{}", frame.screen);
    assert!(
        frame.screen.contains("3 saved (3 created, 0 updated)"),
        "{}",
        frame.screen
    );
    for file in ["success", "failed", "unprocessed"] {
        assert!(dir.join(format!("contacts.{file}.csv")).exists(), "{file}");
    }

    // f shows each failed row with its error.
    app.press("f");
    let frame = app
        .wait_for("the failures", |f| {
            f.screen.contains("REQUIRED_FIELD_MISSING")
        })
        .await;
    assert!(frame.screen.contains("FirstName=Alan"), "{}", frame.screen);
    assert!(
        frame.screen.contains("FirstName=Edsger"),
        "{}",
        frame.screen
    );
    app.press("esc");

    // l filters the list to the three records created.
    app.press("l");
    let frame = app
        .wait_for("the list of the imported contacts", |f| {
            f.step.is_none() && !f.loading && f.total == Some(3)
        })
        .await;
    assert!(frame.filter.contains("Id IN ("), "{}", frame.filter);
    assert_eq!(frame.loaded, 3);

    app.quit_with("ctrl-c").await;
    org.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quitting_while_the_job_runs_asks_and_the_job_goes_on_in_salesforce() {
    // The job stays InProgress for as long as the test looks.
    let (org, mut app, dir) = start(
        100_000,
        "accounts.csv",
        "Name,Industry\nAnalytical Engines,Technology\n",
    )
    .await;
    let file = dir.join("accounts.csv");
    app.press("enter");
    app.wait_for("the first page", |f| f.loaded > 0 && !f.loading)
        .await;
    app.press("1 I");
    app.wait_for("the wizard", |f| f.step == Some(Step::File))
        .await;
    app.type_text(&file.display().to_string());
    app.press("enter");
    app.wait_for("the mapping", |f| f.step == Some(Step::Mapping))
        .await;
    app.press("n");
    app.wait_for("the preview", |f| {
        f.step == Some(Step::Preview) && f.checked
    })
    .await;
    app.press("enter");
    app.wait_for("the job created and running", |f| {
        f.step == Some(Step::Running) && f.unfinished == 1 && org.ingest_jobs().len() == 1
    })
    .await;

    // ctrl-c asks; n stays with the import running.
    app.press("ctrl-c");
    let frame = app.wait_for("the question", |f| f.asking_to_quit).await;
    assert!(
        frame
            .screen
            .contains("An import job is still running in Salesforce."),
        "{}",
        frame.screen
    );
    app.press("n");
    app.wait_for("back to the import", |f| {
        !f.asking_to_quit && f.step == Some(Step::Running)
    })
    .await;

    // ctrl-c, y: sfterm quits and leaves the job to Salesforce (not aborted).
    app.press("ctrl-c");
    app.wait_for("the question again", |f| f.asking_to_quit)
        .await;
    app.quit_with("y").await;
    let jobs = org.ingest_jobs();
    assert_eq!(jobs.len(), 1);
    assert_ne!(jobs[0].1, "Aborted", "{jobs:?}");
    org.shutdown().await;
}
