//! The import wizard in the whole model: key sequences (I, typing, tab, enter, n, f, l, the
//! production question) with the jobs answered by hand, and snapshots of its steps (mapping,
//! preview with findings, progress, done).
use crate::common;
use crate::fixture::describe;

use std::sync::Arc;

use common::{demo_profiles, model_with, press, profile, render, type_text};
use sfterm::effect::{Effect, Job, RequestId};
use sfterm::ingest::results::{FailedRow, Written};
use sfterm::ingest::{Plan, Sent, Spec};
use sfterm::msg::{Msg, Outcome};
use sfterm::sf::bulk::{BulkJob, PollOptions};
use sfterm::sf::ingest::{IngestOperation, MAX_UPLOAD_BYTES};
use sfterm::state::import::Step;
use sfterm::state::import::job::{Checked, Finding, HeaderRead, ImportJob, ImportOutcome};
use sfterm::state::path_input::Entry;
use sfterm::state::records::Filter;
use sfterm::state::{Model, Overlay};

const CSV: &str = "FirstName,Last Name,Email,Shoe size\n\
                   Ada,Lovelace,ada@example.org,38\n\
                   Alan,,alan@example.org,44\n\
                   Grace,Hopper,grace@example.org,37\n";

fn screen(model: &Model) -> String {
    render(model, 120, 32)
}

/// The import job among `effects`.
fn import_job(effects: &[Effect]) -> (RequestId, ImportJob) {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::Spawn {
                req,
                job: Job::Import(job),
            } => Some((*req, job.clone())),
            _ => None,
        })
        .unwrap_or_else(|| panic!("an import job: {effects:?}"))
}

fn answer(model: &mut Model, req: RequestId, outcome: ImportOutcome) -> Vec<Effect> {
    model.handle_msg(Msg::Done {
        req,
        outcome: Outcome::Import(outcome),
    })
}

fn plan() -> Arc<Plan> {
    let spec = Spec {
        object: "Contact".into(),
        operation: IngestOperation::Insert,
        external_id: None,
        mapping: sfterm::ingest::mapping::Mapping::Columns(vec![
            Some("FirstName".into()),
            Some("LastName".into()),
            Some("Email".into()),
            None,
        ]),
        max_upload_bytes: MAX_UPLOAD_BYTES,
    };
    Arc::new(
        sfterm::ingest::plan_with(&spec, &describe("Contact"), &Default::default(), CSV.into())
            .expect("checks"),
    )
}

fn bulk(state: &str, processed: u64, failed: u64) -> BulkJob {
    serde_json::from_value(serde_json::json!({
        "id": "750Dn000000Ingst1AAA", "state": state,
        "numberRecordsProcessed": processed, "numberRecordsFailed": failed
    }))
    .expect("job")
}

/// A model connected to `endpoint`'s org with the wizard on the Contact mapping step of
/// `/data/contacts.csv` (typed with a tab completion).
fn at_mapping(endpoint: &str) -> Model {
    let mut model = model_with(vec![profile("Demo org", endpoint)]);
    common::connect(&mut model);
    press(&mut model, "1 ]");
    assert_eq!(model.records.view().object, "Contact");
    press(&mut model, "I");
    let wizard = model.records.import.as_deref().expect("the wizard opens");
    assert_eq!(
        (wizard.object.as_str(), wizard.step),
        ("Contact", Step::File)
    );
    type_text(&mut model, "/data/con");
    let (req, job) = import_job(&press(&mut model, "tab"));
    assert_eq!(
        job,
        ImportJob::ListDir {
            dir: "/data/".into()
        }
    );
    let entries = vec![
        Entry {
            name: "contacts.csv".into(),
            is_dir: false,
        },
        Entry {
            name: "accounts.csv".into(),
            is_dir: false,
        },
    ];
    answer(
        &mut model,
        req,
        ImportOutcome::Listed {
            dir: "/data/".into(),
            entries: Ok(entries),
        },
    );
    let (req, job) = import_job(&press(&mut model, "enter"));
    assert_eq!(
        job,
        ImportJob::Header {
            path: "/data/contacts.csv".into(),
            object: "Contact".into()
        }
    );
    let read = HeaderRead {
        header: ["FirstName", "Last Name", "Email", "Shoe size"]
            .map(String::from)
            .to_vec(),
        sample: vec![
            ["Ada", "Lovelace", "ada@example.org", "38"]
                .map(String::from)
                .to_vec(),
            ["Alan", "", "alan@example.org", "44"]
                .map(String::from)
                .to_vec(),
            ["Grace", "Hopper", "grace@example.org", "37"]
                .map(String::from)
                .to_vec(),
        ],
        describe: describe("Contact"),
    };
    answer(&mut model, req, ImportOutcome::Header(Ok(read)));
    model
}

fn wizard(model: &Model) -> &sfterm::state::import::ImportWizard {
    model.records.import.as_deref().expect("open")
}

#[test]
fn mapping_matches_names_and_labels_and_skips_the_rest() {
    let model = at_mapping("http://127.0.0.1:8484");
    let text = screen(&model);
    assert!(text.contains("— skipped"), "{text}");
    assert_eq!(
        wizard(&model).mapping,
        [
            Some("FirstName".into()),
            Some("LastName".into()),
            Some("Email".into()),
            None
        ]
    );
    insta::assert_snapshot!("import_mapping", text);
}

#[test]
fn the_field_chooser_filters_as_typed_and_sets_the_column() {
    let mut model = at_mapping("http://127.0.0.1:8484");
    press(&mut model, "G enter");
    type_text(&mut model, "maildesc");
    let text = screen(&model);
    assert!(text.contains("Field of Shoe size"), "{text}");
    press(&mut model, "enter");
    let field = wizard(&model).mapping[3].clone().expect("a field");
    assert!(field.starts_with("Mailing"), "{field}");
    press(&mut model, "x");
    assert_eq!(wizard(&model).mapping[3], None);
}

/// The preview of the mapping step, the check answered with `checked`.
fn preview(model: &mut Model, checked: Checked) {
    let (req, job) = import_job(&press(model, "n"));
    let ImportJob::Check { path, spec } = job else {
        panic!("a check: {job:?}");
    };
    assert_eq!(path, std::path::PathBuf::from("/data/contacts.csv"));
    assert_eq!(
        spec.mapping,
        sfterm::ingest::mapping::Mapping::Columns(wizard(model).mapping.clone())
    );
    answer(model, req, ImportOutcome::Checked(Ok(checked)));
}

#[test]
fn the_preview_lists_the_findings_and_nothing_is_sent_with_errors() {
    let mut model = at_mapping("http://127.0.0.1:8484");
    let checked = Checked {
        plan: None,
        findings: vec![
            Finding {
                line: 1,
                column: 16,
                message: "Contact has no field Emial (did you mean Email?)".into(),
                error: true,
            },
            Finding {
                line: 3,
                column: 17,
                message: "Email takes an email address, not \"alan@\"".into(),
                error: true,
            },
        ],
        more: 0,
    };
    preview(&mut model, checked);
    let text = screen(&model);
    assert!(
        text.contains("/data/contacts.csv:1:16: Contact has no field Emial"),
        "{text}"
    );
    assert!(text.contains("2 errors"), "{text}");
    insta::assert_snapshot!("import_preview_with_findings", text);
    let effects = press(&mut model, "enter");
    assert!(effects.is_empty(), "nothing is sent: {effects:?}");
    press(&mut model, "b");
    assert_eq!(wizard(&model).step, Step::Mapping);
}

fn ok_checked() -> Checked {
    Checked {
        plan: Some(plan()),
        findings: vec![Finding {
            line: 0,
            column: 0,
            message: "1 row has an empty LastName (required): Salesforce will refuse it (line 3)"
                .into(),
            error: false,
        }],
        more: 0,
    }
}

/// An import run on the preview's file whose one job was created: the model, and the
/// effects that answer brought (the first poll).
fn running() -> (Model, Vec<Effect>) {
    let mut model = at_mapping("http://127.0.0.1:8484");
    preview(&mut model, ok_checked());
    let (req, job) = import_job(&press(&mut model, "enter"));
    assert!(matches!(job, ImportJob::Start { .. }));
    let sent = vec![Sent {
        job: bulk("UploadComplete", 0, 0),
        uploaded: true,
    }];
    let effects = answer(
        &mut model,
        req,
        ImportOutcome::Started { sent, error: None },
    );
    (model, effects)
}

#[test]
fn quitting_while_the_jobs_run_asks_first() {
    let (mut model, _) = running();
    // ctrl-c (quit, in the import) asks; n stays.
    press(&mut model, "ctrl-c");
    assert!(matches!(
        model.overlay,
        Some(Overlay::QuitRunning { jobs: 1 })
    ));
    assert!(!model.quit);
    let text = screen(&model);
    assert!(
        text.contains("An import job is still running in Salesforce."),
        "{text}"
    );
    insta::assert_snapshot!("import_quit_while_running", text);
    press(&mut model, "n");
    assert!(model.overlay.is_none());
    assert!(!model.quit);
    assert_eq!(
        model.records.import.as_ref().map(|w| w.step),
        Some(Step::Running),
        "the import goes on"
    );
    // ctrl-c then y quits; ctrl-c on the question goes past it too.
    press(&mut model, "ctrl-c");
    let effects = press(&mut model, "y");
    assert!(model.quit, "{effects:?}");
    assert!(effects.iter().any(|e| matches!(e, Effect::Quit)));
}

#[test]
fn another_profile_connecting_leaves_a_running_import_to_salesforce() {
    let (mut model, effects) = running();
    let (poll, _) = import_job(&effects);
    let effects = model.records.forget_org();
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Cancel(r) if *r == poll)),
        "{effects:?}"
    );
    assert!(model.records.import.is_none());
    let notice = model.records.notice.clone().unwrap_or_default();
    assert!(
        notice.starts_with(
            "The import into Contact was left when another profile connected: its job 750"
        ),
        "{notice}"
    );
    assert!(
        notice.ends_with("goes on in Salesforce; no result files were written."),
        "{notice}"
    );
}

#[test]
fn run_progress_done_failures_and_the_filtered_list() {
    let (mut model, effects) = running();
    let (req, job) = import_job(&effects);
    assert!(
        matches!(job, ImportJob::Poll { delay, .. } if delay == PollOptions::default().delay(1))
    );
    model.now += jiff::SignedDuration::from_secs(2);
    let effects = answer(
        &mut model,
        req,
        ImportOutcome::Polled(Ok(vec![bulk("InProgress", 2, 1)])),
    );
    let text = screen(&model);
    assert!(
        text.contains("2 of 3 processed · 1 failed · 2s · 1 rows/s"),
        "{text}"
    );
    insta::assert_snapshot!("import_progress", text);
    let (req, _) = import_job(&effects);
    let effects = answer(
        &mut model,
        req,
        ImportOutcome::Polled(Ok(vec![bulk("JobComplete", 3, 1)])),
    );
    let (req, job) = import_job(&effects);
    assert!(matches!(job, ImportJob::Results { .. }));
    let written = Written {
        summary: vec![
            "Contact insert: 3 rows in 1 job".into(),
            "  2 saved (2 created, 0 updated): /data/contacts.success.csv".into(),
            "  1 failed: /data/contacts.failed.csv".into(),
            "  0 unprocessed: /data/contacts.unprocessed.csv".into(),
        ],
        failure: Some("1 of 3 rows were not saved: see /data/contacts.failed.csv".into()),
        saved: 2,
        created: 2,
        failed: 1,
        unprocessed: 0,
        saved_ids: vec!["003Dn00000Imp01AAA".into(), "003Dn00000Imp02AAA".into()],
        failed_rows: vec![FailedRow {
            error: "REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --"
                .into(),
            values: vec![
                ("FirstName".into(), "Alan".into()),
                ("LastName".into(), String::new()),
                ("Email".into(), "alan@example.org".into()),
            ],
        }],
    };
    answer(
        &mut model,
        req,
        ImportOutcome::Results(Ok(Box::new(written))),
    );
    let text = screen(&model);
    assert!(
        text.contains("2 saved (2 created, 0 updated) · 1 failed"),
        "{text}"
    );
    insta::assert_snapshot!("import_done", text);
    assert_eq!(
        model.records.import_unfinished_jobs(),
        0,
        "done: nothing to ask about on quit"
    );
    press(&mut model, "f");
    let text = screen(&model);
    assert!(text.contains("REQUIRED_FIELD_MISSING"), "{text}");
    assert!(
        text.contains("FirstName=Alan, LastName=, Email=alan@example.org"),
        "{text}"
    );
    press(&mut model, "esc l");
    assert!(model.records.import.is_none());
    assert_eq!(
        model.records.view().filter,
        Filter::Where("Id IN ('003Dn00000Imp01AAA','003Dn00000Imp02AAA')".into())
    );
}

#[test]
fn on_production_the_run_asks_first() {
    let mut model = at_mapping("https://login.salesforce.com");
    preview(&mut model, ok_checked());
    let effects = press(&mut model, "enter");
    assert!(effects.is_empty(), "{effects:?}");
    let text = screen(&model);
    assert!(text.contains("This is a production org"), "{text}");
    assert!(press(&mut model, "n").is_empty());
    assert_eq!(wizard(&model).step, Step::Preview);
    press(&mut model, "enter");
    let (_, job) = import_job(&press(&mut model, "y"));
    assert!(matches!(job, ImportJob::Start { .. }));
}

#[test]
fn import_needs_a_connection() {
    let mut model = model_with(demo_profiles());
    press(&mut model, "1 I");
    assert!(model.records.import.is_none());
}
