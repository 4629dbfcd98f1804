//! The wizard's steps, pure: keys in, jobs out, outcomes in.

use std::sync::Arc;

use jiff::Timestamp;

use super::job::{Checked, Finding, HeaderRead, ImportJob, ImportOutcome};
use super::*;
use crate::effect::{Effect, Job, RequestIds};

fn contact() -> Arc<SObjectDescribe> {
    Arc::new(
        serde_json::from_str(include_str!(
            "../../../assets/mock-org/describe/Contact.json"
        ))
        .expect("describe"),
    )
}

/// A plan of `text` for a Contact insert (checked purely).
fn plan(text: &str) -> crate::ingest::Plan {
    let spec = Spec {
        object: "Contact".into(),
        operation: IngestOperation::Insert,
        external_id: None,
        mapping: crate::ingest::mapping::Mapping::default(),
        max_upload_bytes: MAX_UPLOAD_BYTES,
    };
    crate::ingest::plan_with(&spec, &contact(), &Default::default(), text.to_owned())
        .expect("the file checks")
}

fn now() -> Timestamp {
    Timestamp::from_second(1_700_000_000).expect("time")
}

/// The one job spawned by `effects`.
fn job(effects: &[Effect]) -> (RequestId, ImportJob) {
    match effects {
        [
            Effect::Spawn {
                req,
                job: Job::Import(job),
            },
        ] => (*req, job.clone()),
        other => panic!("expected one import job, got {other:?}"),
    }
}

fn header_read() -> HeaderRead {
    HeaderRead {
        header: vec!["First Name".into(), "lastname".into(), "Shoe size".into()],
        sample: vec![vec!["Ada".into(), "Lovelace".into(), "38".into()]],
        describe: contact(),
    }
}

/// A wizard on the mapping step of `contacts.csv`.
fn at_mapping(ids: &mut RequestIds) -> ImportWizard {
    let mut w = ImportWizard::new("Contact", None, false, "contacts.csv");
    let (effects, exit) = w.update(Action::Submit, now(), ids);
    assert_eq!(exit, None);
    let (req, job) = job(&effects);
    assert_eq!(
        job,
        ImportJob::Header {
            path: "contacts.csv".into(),
            object: "Contact".into()
        }
    );
    w.on_outcome(req, ImportOutcome::Header(Ok(header_read())), now(), ids);
    w
}

#[test]
fn the_file_step_reads_the_header_and_maps_columns_automatically() {
    let mut ids = RequestIds::default();
    let w = at_mapping(&mut ids);
    assert_eq!(w.step, Step::Mapping);
    assert_eq!(
        w.mapping,
        [
            Some("FirstName".to_owned()),
            Some("LastName".to_owned()),
            None
        ]
    );
}

#[test]
fn an_empty_path_or_a_directory_is_not_read() {
    let mut ids = RequestIds::default();
    let mut w = ImportWizard::new("Contact", None, false, "data/");
    let (effects, _) = w.update(Action::Submit, now(), &mut ids);
    assert!(effects.is_empty());
    assert!(
        w.notice
            .as_deref()
            .is_some_and(|n| n.contains("tab completes"))
    );
}

#[test]
fn tab_lists_the_directory_and_the_listing_completes_the_path() {
    let mut ids = RequestIds::default();
    let mut w = ImportWizard::new("Contact", None, false, "~/in/con");
    let (effects, _) = w.update(Action::Complete, now(), &mut ids);
    let (req, job) = job(&effects);
    assert_eq!(
        job,
        ImportJob::ListDir {
            dir: "~/in/".into()
        }
    );
    assert!(w.owns(req) && w.is_busy());
    let entries = vec![crate::state::path_input::Entry {
        name: "contacts.csv".into(),
        is_dir: false,
    }];
    w.on_outcome(
        req,
        ImportOutcome::Listed {
            dir: "~/in/".into(),
            entries: Ok(entries),
        },
        now(),
        &mut ids,
    );
    assert_eq!(w.path.text(), "~/in/contacts.csv");
    assert!(!w.is_busy());
}

#[test]
fn operation_and_upsert_key_are_chosen_on_their_rows() {
    let mut ids = RequestIds::default();
    let mut w = ImportWizard::new("Contact", Some(contact()), false, "x.csv");
    let _ = w.update(Action::Down, now(), &mut ids);
    assert_eq!(w.focus, FileRow::Operation);
    assert!(!w.wants_text());
    let _ = w.update(Action::CycleChoice, now(), &mut ids);
    let _ = w.update(Action::CycleChoice, now(), &mut ids);
    assert_eq!(w.operation, IngestOperation::Upsert);
    let _ = w.update(Action::Down, now(), &mut ids);
    assert_eq!(w.focus, FileRow::Key);
    assert_eq!(w.external_id().as_deref(), Some("Id"));
    let _ = w.update(Action::CycleChoice, now(), &mut ids);
    let key = w.external_id().expect("a key");
    assert!(key != "Id", "{key}");
    assert!(w.keys().contains(&"External_Id__c".to_owned()));
}

#[test]
fn the_chooser_filters_as_typed_and_sets_or_skips_the_column() {
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let mut ids = RequestIds::default();
    let mut w = at_mapping(&mut ids);
    let _ = w.update(Action::Down, now(), &mut ids);
    let _ = w.update(Action::Down, now(), &mut ids);
    assert_eq!(w.cursor, 2);
    let _ = w.update(Action::Submit, now(), &mut ids);
    assert!(w.chooser.is_some() && w.wants_text());
    assert_eq!(w.chooser_rows()[0].item, None, "skip comes first");
    for c in "mailing".chars() {
        w.type_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
    let rows = w.chooser_rows();
    assert!(!rows.is_empty());
    let first = rows[0].item.clone().expect("a field");
    assert!(first.starts_with("Mailing"), "{first}");
    let _ = w.update(Action::Submit, now(), &mut ids);
    assert_eq!(w.mapping[2], Some(first));
    assert!(w.chooser.is_none());
    let _ = w.update(Action::SkipColumn, now(), &mut ids);
    assert_eq!(w.mapping[2], None);
}

/// A checked plan of a small file (pure: built with the mock org's describe).
fn checked(errors: bool) -> Checked {
    Checked {
        plan: (!errors).then(|| Arc::new(plan("LastName\nLovelace\n"))),
        findings: vec![Finding {
            line: 3,
            column: 1,
            message: "x".into(),
            error: errors,
        }],
        more: 0,
    }
}

fn at_preview(ids: &mut RequestIds, production: bool, errors: bool) -> ImportWizard {
    let mut w = at_mapping(ids);
    w.production = production;
    let (effects, _) = w.update(Action::ImportNext, now(), ids);
    let (req, job) = job(&effects);
    let ImportJob::Check { spec, .. } = job else {
        panic!("a check");
    };
    assert_eq!(
        spec.mapping,
        crate::ingest::mapping::Mapping::Columns(w.mapping.clone())
    );
    assert_eq!(w.step, Step::Preview);
    w.on_outcome(req, ImportOutcome::Checked(Ok(checked(errors))), now(), ids);
    w
}

#[test]
fn nothing_is_sent_while_the_check_has_errors() {
    let mut ids = RequestIds::default();
    let mut w = at_preview(&mut ids, false, true);
    assert!(w.has_errors());
    let (effects, _) = w.update(Action::Submit, now(), &mut ids);
    assert!(effects.is_empty());
    assert!(w.notice.as_deref().is_some_and(|n| n.contains("errors")));
    let _ = w.update(Action::ImportBack, now(), &mut ids);
    assert_eq!(w.step, Step::Mapping);
}

#[test]
fn production_asks_before_the_run() {
    let mut ids = RequestIds::default();
    let mut w = at_preview(&mut ids, true, false);
    let (effects, _) = w.update(Action::Submit, now(), &mut ids);
    assert!(effects.is_empty());
    assert_eq!(w.confirm, Some(Confirm::Run));
    let (effects, _) = w.update(Action::Deny, now(), &mut ids);
    assert!(effects.is_empty() && w.confirm.is_none());
    let _ = w.update(Action::Submit, now(), &mut ids);
    let (effects, _) = w.update(Action::Confirm, now(), &mut ids);
    assert!(matches!(job(&effects).1, ImportJob::Start { .. }));
    assert_eq!(w.step, Step::Running);
}

fn bulk(id: &str, state: &str, processed: u64, failed: u64) -> crate::sf::bulk::BulkJob {
    serde_json::from_value(serde_json::json!({
        "id": id, "state": state,
        "numberRecordsProcessed": processed, "numberRecordsFailed": failed
    }))
    .expect("job")
}

/// A run on the preview's file whose job 750A was created: the ids, the wizard and the
/// effects that answer brought (the first poll).
fn running() -> (RequestIds, ImportWizard, Vec<Effect>) {
    let mut ids = RequestIds::default();
    let mut w = at_preview(&mut ids, false, false);
    let (effects, _) = w.update(Action::Submit, now(), &mut ids);
    let (req, _) = job(&effects);
    let sent = vec![crate::ingest::Sent {
        job: bulk("750A", "UploadComplete", 0, 0),
        uploaded: true,
    }];
    let effects = w.on_outcome(
        req,
        ImportOutcome::Started { sent, error: None },
        now(),
        &mut ids,
    );
    (ids, w, effects)
}

#[test]
fn the_run_polls_until_done_then_writes_the_results() {
    let (mut ids, mut w, effects) = running();
    let (req, job1) = job(&effects);
    assert!(matches!(job1, ImportJob::Poll { ref ids, .. } if ids == &["750A"]));
    let later = Timestamp::from_second(1_700_000_004).expect("time");
    let effects = w.on_outcome(
        req,
        ImportOutcome::Polled(Ok(vec![bulk("750A", "InProgress", 1, 0)])),
        later,
        &mut ids,
    );
    let run = w.run.as_ref().expect("running");
    assert_eq!((run.processed(), run.elapsed()), (1, 4));
    let (req, _) = job(&effects);
    let effects = w.on_outcome(
        req,
        ImportOutcome::Polled(Ok(vec![bulk("750A", "JobComplete", 1, 0)])),
        later,
        &mut ids,
    );
    let (req, results) = job(&effects);
    assert!(matches!(results, ImportJob::Results { .. }));
    let written = crate::ingest::results::Written {
        summary: vec!["Contact insert: 1 rows in 1 job".into()],
        failure: None,
        saved: 1,
        created: 1,
        failed: 0,
        unprocessed: 0,
        saved_ids: vec!["003A".into()],
        failed_rows: Vec::new(),
    };
    w.on_outcome(
        req,
        ImportOutcome::Results(Ok(Box::new(written))),
        later,
        &mut ids,
    );
    assert_eq!(w.step, Step::Done);
    let (_, exit) = w.update(Action::FilterImported, later, &mut ids);
    assert_eq!(
        exit,
        Some(Exit::Filter {
            object: "Contact".into(),
            ids: vec!["003A".into()]
        })
    );
    assert_eq!(
        id_filter(&["003A".into(), "003B".into()]),
        "Id IN ('003A','003B')"
    );
}

#[test]
fn an_abort_during_the_upload_waits_for_the_jobs_it_made() {
    let mut ids = RequestIds::default();
    let mut w = at_preview(&mut ids, false, false);
    let (effects, _) = w.update(Action::Submit, now(), &mut ids);
    let (start, _) = job(&effects);
    let _ = w.update(Action::Cancel, now(), &mut ids);
    let (effects, _) = w.update(Action::Confirm, now(), &mut ids);
    assert!(
        effects.is_empty(),
        "the upload is not cancelled: {effects:?}"
    );
    let sent = vec![crate::ingest::Sent {
        job: bulk("750A", "UploadComplete", 0, 0),
        uploaded: true,
    }];
    let effects = w.on_outcome(
        start,
        ImportOutcome::Started { sent, error: None },
        now(),
        &mut ids,
    );
    assert_eq!(
        job(&effects).1,
        ImportJob::Abort {
            ids: vec!["750A".into()]
        }
    );
}

#[test]
fn esc_while_running_asks_then_aborts_the_unfinished_jobs() {
    let (mut ids, mut w, effects) = running();
    let (poll, _) = job(&effects);
    let (effects, _) = w.update(Action::Cancel, now(), &mut ids);
    assert!(effects.is_empty());
    assert_eq!(w.confirm, Some(Confirm::Abort));
    let (effects, _) = w.update(Action::Confirm, now(), &mut ids);
    assert!(matches!(effects[0], Effect::Cancel(r) if r == poll));
    let (req, abort) = job(&effects[1..]);
    assert_eq!(
        abort,
        ImportJob::Abort {
            ids: vec!["750A".into()]
        }
    );
    let effects = w.on_outcome(
        req,
        ImportOutcome::Aborted(vec![bulk("750A", "Aborted", 0, 0)]),
        now(),
        &mut ids,
    );
    assert!(matches!(job(&effects).1, ImportJob::Results { .. }));
}
