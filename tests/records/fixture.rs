//! Shared fixtures of the record detail tests: describes from the mock org's assets, an Account,
//! and key helpers. A module of the records test binary, also included with `#[path]` by
//! tests/reliability/ (render_sizes).
#![allow(dead_code)] // each test binary uses a different part

use std::sync::Arc;

use jiff::Timestamp;
use serde_json::{Map, Value, json};
use sfterm::effect::{Effect, Job, RequestId};
use sfterm::msg::{Msg, Outcome};
use sfterm::sf::SObjectDescribe;
use sfterm::state::Model;
use sfterm::state::record_detail::job::{LoadedRecord, RecordJob, RecordOutcome, WriteFailure};
use sfterm::state::records::job::RecordsJob;

use crate::common::{demo_profiles, model_with, press, type_text};

/// The Records tab's jobs among effects, with their request ids.
pub fn records_jobs(effects: &[Effect]) -> Vec<(RequestId, RecordsJob)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Spawn {
                req,
                job: Job::Records(job),
            } => Some((*req, job.clone())),
            _ => None,
        })
        .collect()
}

pub const ACCOUNT_ID: &str = "001Dn00000Acme1AAB";

pub fn describe(object: &str) -> Arc<SObjectDescribe> {
    let path = format!(
        "{}/assets/mock-org/describe/{object}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(path)
        .expect("describe asset")
        .replace("__VERSION__", "62.0")
        .replace("__INSTANCE__", "http://127.0.0.1");
    Arc::new(serde_json::from_str(&text).expect("describe parses"))
}

pub fn opened_at() -> Timestamp {
    Timestamp::from_second(1_767_225_600).expect("valid")
}

pub fn account_fields() -> Map<String, Value> {
    let value = json!({
        "Id": ACCOUNT_ID,
        "Name": "Acme Corp",
        "Industry": "Manufacturing",
        "Phone": "+1 415 555 0100",
        "Website": "acme.example.com",
        "AnnualRevenue": 2500000.0,
        "NumberOfEmployees": 120,
        "ParentId": "001Dn00000Pare1AAB",
        "Description": null,
        "CreatedDate": "2025-03-02T09:11:00.000+0000",
        "LastModifiedDate": "2026-01-01T00:00:00.000+0000",
    });
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

pub fn loaded(fields: Map<String, Value>, at: Timestamp) -> RecordOutcome {
    let mut names = std::collections::BTreeMap::new();
    names.insert(
        "001Dn00000Pare1AAB".to_string(),
        ("Account".to_string(), "Acme Holdings".to_string()),
    );
    RecordOutcome::Loaded(Ok(Box::new(LoadedRecord {
        describe: describe("Account"),
        fields,
        last_modified: Some(at),
        names,
    })))
}

/// Every job spawned, with its request id.
pub fn jobs(effects: &[Effect]) -> Vec<(RequestId, RecordJob)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Spawn {
                req,
                job: Job::Record(job),
            } => Some((*req, job.clone())),
            _ => None,
        })
        .collect()
}

pub fn one_job(effects: &[Effect]) -> (RequestId, RecordJob) {
    let all = jobs(effects);
    assert_eq!(all.len(), 1, "one job expected: {effects:?}");
    all.into_iter().next().expect("one")
}

pub fn done(model: &mut Model, req: RequestId, outcome: RecordOutcome) -> Vec<Effect> {
    model.handle_msg(Msg::Done {
        req,
        outcome: Outcome::Record(outcome),
    })
}

/// A model connected to "Demo org" (a login answered by hand).
pub fn connected() -> Model {
    let mut model = model_with(demo_profiles());
    crate::common::connect(&mut model);
    model
}

/// A model with Acme Corp open and loaded.
pub fn opened() -> Model {
    let mut model = connected();
    open_acme(&mut model);
    model
}

/// Opens Acme Corp in a connected `model` and loads it.
pub fn open_acme(model: &mut Model) {
    let (req, job) = one_job(&model.open_record("Account", ACCOUNT_ID));
    assert_eq!(
        job,
        RecordJob::Load {
            object: "Account".into(),
            id: ACCOUNT_ID.into()
        }
    );
    done(model, req, loaded(account_fields(), opened_at()));
}

/// Moves the focus to a field with j/k.
pub fn select(model: &mut Model, field: &str) {
    let rows = model.detail.top().expect("open").rows.clone();
    let target = rows
        .iter()
        .position(|r| r == field)
        .unwrap_or_else(|| panic!("{field} is a row"));
    press(model, "g");
    for _ in 0..target {
        press(model, "j");
    }
    assert_eq!(
        model.detail.top().expect("open").selected_field(),
        Some(field)
    );
}

/// Stages Industry → Energy (picklist) and Phone → +1 415 555 0199 with the keys a user presses.
pub fn stage_two(model: &mut Model) {
    select(model, "Industry");
    press(model, "e");
    type_text(model, "Energy");
    press(model, "enter");
    select(model, "Phone");
    press(model, "e");
    for _ in 0..4 {
        press(model, "backspace");
    }
    type_text(model, "0199");
    press(model, "enter");
}

/// Acme Corp with [`stage_two`]'s edits, saved after someone set Industry to Utilities 14
/// minutes after it was opened: the conflict view.
pub fn in_conflict() -> Model {
    let mut model = opened();
    conflict(&mut model);
    model
}

/// [`stage_two`] on the record open in `model`, then a save that meets a change on the
/// server (see [`in_conflict`]).
pub fn conflict(model: &mut Model) {
    stage_two(model);
    let (req, _) = one_job(&press(model, "ctrl-s"));
    let effects = done(
        model,
        req,
        RecordOutcome::Saved(Err(WriteFailure::Conflict)),
    );
    let (fetch, _) = one_job(&effects);
    let mut server = account_fields();
    server.insert("Industry".into(), json!("Utilities"));
    done(
        model,
        fetch,
        loaded(server, opened_at() + jiff::SignedDuration::from_secs(840)),
    );
}
