//! The Records tab's lists: pure update tests (paging, prefetch, sort, filters, SOQL line
//! errors, column chooser, exports), key sequences through the keymap, and snapshots.
use crate::common;
use crate::fixture::records_jobs;

use std::sync::Arc;

use common::{demo_profiles, model_with, press, render, t0, type_text};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;
use sfterm::action::Action;
use sfterm::effect::{Effect, Job, RequestId, RequestIds};
use sfterm::msg::{Msg, Outcome};
use sfterm::sf::SObjectDescribe;
use sfterm::sf::bulk::{BulkJob, ResultCursor};
use sfterm::state::Model;
use sfterm::state::records::job::{ExportPageDone, JobError, PageRows, RecordsJob, RecordsOutcome};
use sfterm::state::records::rowstore::RowStore;
use sfterm::state::records::{Filter, LineInput, ListView, Popup, RecordsState, Reply, SoqlError};

fn query_of(effects: &[Effect]) -> (RequestId, String) {
    records_jobs(effects)
        .into_iter()
        .find_map(|(req, job)| match job {
            RecordsJob::Query { soql, .. } => Some((req, soql)),
            _ => None,
        })
        .expect("a query job")
}

/// The only records job among effects.
fn one(effects: &[Effect]) -> (RequestId, RecordsJob) {
    let mut all = records_jobs(effects);
    assert_eq!(all.len(), 1, "{effects:?}");
    all.remove(0)
}

fn more_of(effects: &[Effect]) -> Option<(RequestId, String)> {
    records_jobs(effects)
        .into_iter()
        .find_map(|(req, job)| match job {
            RecordsJob::More { url, .. } => Some((req, url)),
            _ => None,
        })
}

fn effects(reply: Reply) -> Vec<Effect> {
    match reply {
        Reply::Effects(effects) => effects,
        other => panic!("expected effects, got {other:?}"),
    }
}

/// A page of `n` synthetic accounts starting at `from`, under `columns`.
fn page(columns: &[String], from: usize, n: usize, total: u64, next: Option<&str>) -> PageRows {
    let mut rows = RowStore::new(columns.to_vec());
    for i in from..from + n {
        let name = format!("Account {i:05}");
        let phone = format!("+1 415 555 {:04}", i % 10_000);
        let cells: Vec<Option<&str>> = columns
            .iter()
            .map(|c| match c.as_str() {
                "Name" => Some(name.as_str()),
                "Industry" => (i % 4 != 0).then_some("Energy"),
                "Phone" => Some(phone.as_str()),
                "Owner.Name" => Some("Integration User"),
                "LastModifiedDate" => Some("2026-11-27 10:02"),
                _ => None,
            })
            .collect();
        rows.push(&format!("001Dn{i:010}AAA"), cells).expect("push");
    }
    PageRows {
        rows,
        total,
        next_url: next.map(str::to_owned),
    }
}

fn describe() -> Arc<SObjectDescribe> {
    let value = json!({
        "name": "Account", "label": "Account", "queryable": true,
        "fields": [
            {"name": "Id", "type": "id", "sortable": true},
            {"name": "Name", "type": "string", "nameField": true, "sortable": true},
            {"name": "Industry", "type": "picklist", "sortable": true,
             "picklistValues": [{"value": "Energy", "active": true}, {"value": "Education", "active": true}]},
            {"name": "Phone", "type": "phone", "sortable": true},
            {"name": "Description", "type": "textarea", "sortable": false},
            {"name": "OwnerId", "type": "reference", "relationshipName": "Owner", "referenceTo": ["User"], "sortable": true},
            {"name": "LastModifiedDate", "type": "datetime", "sortable": true}
        ]
    });
    Arc::new(serde_json::from_value(value).expect("describe"))
}

/// A connected records state with the first Account page (2,000 of 2,500) loaded.
fn loaded() -> (RecordsState, RequestIds) {
    let mut ids = RequestIds::default();
    let mut s = RecordsState::default();
    s.viewport = 30;
    let e = s.connected("Demo org", &mut ids);
    let (req, soql) = query_of(&e);
    assert_eq!(
        soql,
        "SELECT Id, Name, Industry, Phone, Owner.Name, LastModifiedDate FROM Account"
    );
    let columns = s.view().columns.clone();
    s.on_outcome(
        req,
        RecordsOutcome::Page(Ok(page(&columns, 0, 2000, 2500, Some("/q/x-2000")))),
        &mut ids,
    );
    (s, ids)
}

fn act(s: &mut RecordsState, ids: &mut RequestIds, action: Action) -> Vec<Effect> {
    effects(s.update(action, t0(), ids))
}

fn type_into(s: &mut RecordsState, text: &str) {
    for c in text.chars() {
        s.type_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
}

#[test]
fn connecting_queries_the_account_list_and_its_describe() {
    let mut ids = RequestIds::default();
    let mut s = RecordsState::default();
    let e = s.connected("Demo org", &mut ids);
    let kinds: Vec<_> = records_jobs(&e).into_iter().map(|(_, j)| j).collect();
    assert!(
        kinds
            .iter()
            .any(|j| matches!(j, RecordsJob::Describe { object } if object == "Account"))
    );
    assert!(s.view().loading());
    assert_eq!(s.view().progress(), "loading…");
    // The same profile again starts nothing new.
    assert!(s.connected("Demo org", &mut ids).is_empty());
}

#[test]
fn the_next_page_is_prefetched_near_the_end_once() {
    let (mut s, mut ids) = loaded();
    assert_eq!(s.view().progress(), "2,000 of 2,500 loaded");
    assert!(
        act(&mut s, &mut ids, Action::Down).is_empty(),
        "far from the end"
    );
    s.view_at_row(1800);
    let e = act(&mut s, &mut ids, Action::Down);
    let (req, url) = more_of(&e).expect("prefetch near the end");
    assert_eq!(url, "/q/x-2000");
    assert!(
        more_of(&act(&mut s, &mut ids, Action::Down)).is_none(),
        "never two fetches of the same page"
    );
    let columns = s.view().columns.clone();
    let e = s.on_outcome(
        req,
        RecordsOutcome::Page(Ok(page(&columns, 2000, 500, 2500, None))),
        &mut ids,
    );
    assert!(e.is_empty());
    assert_eq!(s.view().progress(), "2,500 of 2,500 loaded");
    assert_eq!(s.view().rows.cell(2499, 0), Some("Account 02499"));
}

/// Test helper on the state: puts the cursor on a row.
trait AtRow {
    fn view_at_row(&mut self, row: usize);
}

impl AtRow for RecordsState {
    fn view_at_row(&mut self, row: usize) {
        let i = self.current;
        self.views[i].cursor = row;
    }
}

#[test]
fn bottom_follows_pages_to_the_end_and_esc_cancels() {
    let (mut s, mut ids) = loaded();
    let e = act(&mut s, &mut ids, Action::Bottom);
    let (req, _) = more_of(&e).expect("G fetches the next page");
    let req_cancelled = req;
    assert_eq!(s.view().cursor, 1999);
    assert!(s.view().follow_end);
    // Esc stops the fetch in flight.
    let e = act(&mut s, &mut ids, Action::Cancel);
    assert!(matches!(e.as_slice(), [Effect::Cancel(r)] if *r == req));
    assert!(!s.view().loading());
    assert!(!s.view().follow_end);
    // G again, and this time the page arrives: the cursor follows to the new end.
    let e = act(&mut s, &mut ids, Action::Bottom);
    let (req, _) = more_of(&e).expect("fetch again");
    let columns = s.view().columns.clone();
    s.on_outcome(
        req,
        RecordsOutcome::Page(Ok(page(&columns, 2000, 500, 2500, None))),
        &mut ids,
    );
    assert_eq!(s.view().cursor, 2499);
    assert!(!s.view().follow_end);
    // The cancelled request is not ours any more (a late answer is dropped).
    assert!(!s.owns(req_cancelled));
}

#[test]
fn sort_toggles_asc_desc_on_the_focused_column_and_refuses_unsortable() {
    let (mut s, mut ids) = loaded();
    let (_, soql) = query_of(&act(&mut s, &mut ids, Action::SortColumn));
    assert!(soql.ends_with("FROM Account ORDER BY Name ASC"), "{soql}");
    assert_eq!(s.view().progress(), "loading…", "re-queried from the start");
    let (_, soql) = query_of(&act(&mut s, &mut ids, Action::SortColumn));
    assert!(soql.ends_with("ORDER BY Name DESC NULLS LAST"), "{soql}");
    act(&mut s, &mut ids, Action::ColumnRight);
    let (_, soql) = query_of(&act(&mut s, &mut ids, Action::SortColumn));
    assert!(soql.ends_with("ORDER BY Industry ASC"), "{soql}");

    // Describe says Description is not sortable.
    let e = s.connected("Other org", &mut ids);
    let describe_req = records_jobs(&e)
        .into_iter()
        .find_map(|(r, j)| matches!(j, RecordsJob::Describe { .. }).then_some(r))
        .expect("describe");
    s.on_outcome(
        describe_req,
        RecordsOutcome::Described(Ok(describe())),
        &mut ids,
    );
    let i = s.current;
    s.views[i].columns = vec!["Name".into(), "Description".into()];
    s.views[i].focus_col = 1;
    assert!(act(&mut s, &mut ids, Action::SortColumn).is_empty());
    assert!(
        s.notice
            .as_deref()
            .unwrap_or("")
            .contains("Description is not sortable"),
        "{:?}",
        s.notice
    );
}

#[test]
fn quick_search_escapes_the_like_pattern() {
    let (mut s, mut ids) = loaded();
    act(&mut s, &mut ids, Action::QuickSearch);
    assert!(matches!(s.input, Some(LineInput::Search { .. })));
    type_into(&mut s, "O'Brien 50%_x\\");
    let (_, soql) = query_of(&act(&mut s, &mut ids, Action::Submit));
    assert!(
        soql.ends_with(r"WHERE Name LIKE '%O\'Brien 50\%\_x\\%'"),
        "{soql}"
    );
    assert_eq!(s.view().filter, Filter::Quick("O'Brien 50%_x\\".into()));
    // An empty search clears the filter.
    act(&mut s, &mut ids, Action::QuickSearch);
    for _ in 0..20 {
        s.type_key(common::key_events("backspace")[0]);
    }
    let (_, soql) = query_of(&act(&mut s, &mut ids, Action::Submit));
    assert!(!soql.contains("WHERE"), "{soql}");
}

#[test]
fn esc_clears_an_applied_quick_search_once_it_loaded() {
    let (mut s, mut ids) = loaded();
    act(&mut s, &mut ids, Action::QuickSearch);
    type_into(&mut s, "Acme");
    let (req, _) = query_of(&act(&mut s, &mut ids, Action::Submit));
    let columns = s.view().columns.clone();
    s.on_outcome(
        req,
        RecordsOutcome::Page(Ok(page(&columns, 0, 3, 3, None))),
        &mut ids,
    );
    let (req, soql) = query_of(&act(&mut s, &mut ids, Action::Cancel));
    assert!(!soql.contains("WHERE"), "{soql}");
    assert_eq!(s.view().filter, Filter::None);
    assert_eq!(s.notice.as_deref(), Some("Quick search cleared."));
    // Without a filter, esc is not the list's.
    s.on_outcome(
        req,
        RecordsOutcome::Page(Ok(page(&columns, 0, 3, 3, None))),
        &mut ids,
    );
    assert!(matches!(
        s.update(Action::Cancel, t0(), &mut ids),
        Reply::Unhandled
    ));
}

#[test]
fn soql_line_errors_come_back_under_the_line_with_the_position() {
    let (mut s, mut ids) = loaded();
    act(&mut s, &mut ids, Action::SoqlLine);
    type_into(&mut s, "Industry = 'Energy' AND Nme = 'x'");
    let (req, soql) = query_of(&act(&mut s, &mut ids, Action::Submit));
    assert!(
        soql.ends_with("WHERE Industry = 'Energy' AND Nme = 'x'"),
        "{soql}"
    );
    let column = soql.find("Nme").expect("in query") + 1;
    let message = format!(
        "\n{soql}\n{}^\nERROR at Row:1:Column:{column}\nNo such column 'Nme' on entity 'Account'.",
        " ".repeat(column - 1)
    );
    s.on_outcome(
        req,
        RecordsOutcome::Page(Err(JobError {
            code: Some("INVALID_FIELD".into()),
            message,
            not_connected: false,
        })),
        &mut ids,
    );
    match &s.input {
        Some(LineInput::Soql { input, error, .. }) => {
            assert_eq!(input.text(), "Industry = 'Energy' AND Nme = 'x'");
            let error = error.as_ref().expect("error shown");
            assert_eq!(error.caret, Some(24), "points at Nme in the typed text");
            assert_eq!(error.code.as_deref(), Some("INVALID_FIELD"));
            assert_eq!(error.message, "No such column 'Nme' on entity 'Account'.");
        }
        other => panic!("SOQL line not reopened: {other:?}"),
    }
    // A whole query: the caret maps directly; the columns come from its SELECT list.
    act(&mut s, &mut ids, Action::Cancel);
    act(&mut s, &mut ids, Action::SoqlLine);
    for _ in 0..40 {
        s.type_key(common::key_events("backspace")[0]);
    }
    type_into(
        &mut s,
        "SELECT Id, Name, Email FROM Contact WHERE Email != null",
    );
    let (_, soql) = query_of(&act(&mut s, &mut ids, Action::Submit));
    assert_eq!(
        soql,
        "SELECT Id, Name, Email FROM Contact WHERE Email != null"
    );
    assert_eq!(s.view().object, "Contact");
    assert_eq!(s.view().columns, ["Name", "Email"]);
}

#[test]
fn a_default_column_the_org_lacks_is_left_out() {
    let mut ids = RequestIds::default();
    let mut s = RecordsState::default();
    let (req, soql) = query_of(&s.connected("Demo org", &mut ids));
    let column = soql.find("Owner.Name").expect("default column") + 1;
    let e = s.on_outcome(
        req,
        RecordsOutcome::Page(Err(JobError {
            code: Some("INVALID_FIELD".into()),
            message: format!(
                "ERROR at Row:1:Column:{column}\nNo such column 'Name' on entity 'User'."
            ),
            not_connected: false,
        })),
        &mut ids,
    );
    let (_, soql) = query_of(&e);
    assert_eq!(
        soql,
        "SELECT Id, Name, Industry, Phone, LastModifiedDate FROM Account"
    );
    assert!(s.notice.as_deref().unwrap_or("").contains("Owner.Name"));
}

#[test]
fn column_chooser_toggles_fields_from_describe() {
    let (mut s, mut ids) = loaded();
    // Without the describe the chooser waits for it.
    assert!(act(&mut s, &mut ids, Action::ChooseColumns).is_empty());
    assert!(s.popup.is_none());
    s.describes.insert("account".into(), describe());
    act(&mut s, &mut ids, Action::ChooseColumns);
    let Some(Popup::Columns { choices, .. }) = &s.popup else {
        panic!("chooser open")
    };
    let names: Vec<(&str, bool)> = choices.iter().map(|c| (c.path.as_str(), c.on)).collect();
    assert_eq!(
        names[0],
        ("Owner.Name", true),
        "relationship columns stay listed"
    );
    assert!(names.contains(&("Description", false)));
    assert!(names.contains(&("Phone", true)));
    // Uncheck Name (2nd), check Description (6th), apply.
    act(&mut s, &mut ids, Action::Down);
    act(&mut s, &mut ids, Action::ToggleItem);
    for _ in 0..3 {
        act(&mut s, &mut ids, Action::Down);
    }
    act(&mut s, &mut ids, Action::ToggleItem);
    let (_, soql) = query_of(&act(&mut s, &mut ids, Action::Submit));
    assert_eq!(
        soql,
        "SELECT Id, Industry, Phone, Owner.Name, LastModifiedDate, Description FROM Account"
    );
    assert!(s.popup.is_none());
    assert_eq!(
        s.chosen_columns()["account"],
        [
            "Industry",
            "Phone",
            "Owner.Name",
            "LastModifiedDate",
            "Description"
        ],
        "the choice is remembered for the object"
    );
    // Esc closes without changes.
    act(&mut s, &mut ids, Action::ChooseColumns);
    assert!(act(&mut s, &mut ids, Action::Cancel).is_empty());
    assert!(s.popup.is_none());
}

#[test]
fn views_keep_their_state_when_switching_objects() {
    let (mut s, mut ids) = loaded();
    s.view_at_row(42);
    let e = act(&mut s, &mut ids, Action::NextObject);
    let (_, soql) = query_of(&e);
    assert!(soql.ends_with("FROM Contact"), "{soql}");
    assert!(soql.contains("Account.Name"), "{soql}");
    act(&mut s, &mut ids, Action::PrevObject);
    assert_eq!(s.view().object, "Account");
    assert_eq!(s.view().cursor, 42);
    assert_eq!(s.view().rows.len(), 2000);
}

#[test]
fn open_object_checks_describe_global() {
    let (mut s, mut ids) = loaded();
    let e = act(&mut s, &mut ids, Action::OpenObject);
    let global = records_jobs(&e)
        .into_iter()
        .find_map(|(r, j)| matches!(j, RecordsJob::DescribeGlobal).then_some(r))
        .expect("describe global");
    s.on_outcome(
        global,
        RecordsOutcome::Global(Ok(vec![
            ("Account".into(), true),
            ("Opportunity".into(), true),
            ("AccountHistoryX".into(), false),
        ])),
        &mut ids,
    );
    type_into(&mut s, "Nope");
    assert!(act(&mut s, &mut ids, Action::Submit).is_empty());
    assert!(
        matches!(&s.input, Some(LineInput::OpenObject { error: Some(e), .. }) if e.contains("No object called Nope"))
    );
    for _ in 0..4 {
        s.type_key(common::key_events("backspace")[0]);
    }
    type_into(&mut s, "AccountHistoryX");
    act(&mut s, &mut ids, Action::Submit);
    assert!(
        matches!(&s.input, Some(LineInput::OpenObject { error: Some(e), .. }) if e.contains("not queryable"))
    );
    for _ in 0..20 {
        s.type_key(common::key_events("backspace")[0]);
    }
    type_into(&mut s, "opp");
    act(&mut s, &mut ids, Action::Complete);
    assert_eq!(line_text(&s).as_deref(), Some("Opportunity"));
    let (_, soql) = query_of(&act(&mut s, &mut ids, Action::Submit));
    assert_eq!(soql, "SELECT Id, Name, LastModifiedDate FROM Opportunity");
    assert_eq!(s.views.len(), 4);
}

/// The text of the open input line.
fn line_text(s: &RecordsState) -> Option<String> {
    s.input.as_ref().map(|i| i.input().text().to_owned())
}

/// The completions the SOQL line offers.
fn suggestions(s: &RecordsState) -> Vec<String> {
    match &s.input {
        Some(LineInput::Soql { suggestions, .. }) => suggestions.clone(),
        other => panic!("not the SOQL line: {other:?}"),
    }
}

#[test]
fn completion_offers_fields_relationships_and_picklist_values() {
    let (mut s, mut ids) = loaded();
    s.describes.insert("account".into(), describe());
    act(&mut s, &mut ids, Action::SoqlLine);
    type_into(&mut s, "Indus");
    act(&mut s, &mut ids, Action::Complete);
    assert_eq!(line_text(&s).as_deref(), Some("Industry"));
    type_into(&mut s, " = 'E");
    act(&mut s, &mut ids, Action::Complete);
    assert_eq!(suggestions(&s), ["Energy'", "Education'"]);
    type_into(&mut s, "n");
    act(&mut s, &mut ids, Action::Complete);
    assert_eq!(line_text(&s).as_deref(), Some("Industry = 'Energy'"));
    type_into(&mut s, " AND Own");
    act(&mut s, &mut ids, Action::Complete);
    assert_eq!(suggestions(&s), ["OwnerId", "Owner."]);
}

fn bulk_job(state: &str) -> Box<BulkJob> {
    Box::new(
        serde_json::from_value(json!({
            "id": "7501x0000000001AAA", "state": state, "apiVersion": 62.0,
            "operation": "query", "object": "Account", "numberRecordsProcessed": 1200
        }))
        .expect("job"),
    )
}

#[test]
fn another_profile_connecting_leaves_a_running_export_to_salesforce() {
    let (mut s, mut ids) = loaded();
    s.export_dir = Some("/data/exports".into());
    act(&mut s, &mut ids, Action::ExportView);
    let e = act(&mut s, &mut ids, Action::Submit);
    let (req, _) = one(&e);
    let e = s.on_outcome(
        req,
        RecordsOutcome::ExportJob(Ok(bulk_job("InProgress"))),
        &mut ids,
    );
    let (poll, RecordsJob::ExportPoll { .. }) = one(&e) else {
        panic!("poll: {e:?}")
    };
    let job_id = s.exports[0]
        .job
        .as_ref()
        .map(|j| j.id.clone())
        .expect("job");
    // Its next poll would go to the other org: it is cancelled, and the export says why.
    let e = s.forget_org();
    assert!(
        e.iter()
            .any(|e| matches!(e, Effect::Cancel(r) if *r == poll)),
        "{e:?}"
    );
    assert!(s.running_export().is_none());
    assert_eq!(
        s.exports[0].error.as_deref(),
        Some(
            format!("left when another profile connected: job {job_id} goes on in Salesforce")
                .as_str()
        )
    );
    // A late answer of the cancelled poll changes nothing.
    let e = s.on_outcome(
        poll,
        RecordsOutcome::ExportJob(Ok(bulk_job("JobComplete"))),
        &mut ids,
    );
    assert!(e.is_empty(), "{e:?}");
}

#[test]
fn export_runs_create_poll_download_and_can_be_aborted() {
    let (mut s, mut ids) = loaded();
    s.export_dir = Some("/data/exports".into());
    act(&mut s, &mut ids, Action::ExportView);
    match &s.input {
        Some(LineInput::ExportPath(input)) => {
            assert_eq!(input.text(), "/data/exports/Account-20260101-000000.csv")
        }
        other => panic!("{other:?}"),
    }
    let e = act(&mut s, &mut ids, Action::Submit);
    let (req, RecordsJob::ExportCreate { soql }) = one(&e) else {
        panic!("create job: {e:?}")
    };
    assert_eq!(soql, s.view().soql);
    let e = s.on_outcome(
        req,
        RecordsOutcome::ExportJob(Ok(bulk_job("UploadComplete"))),
        &mut ids,
    );
    let (req, RecordsJob::ExportPoll { .. }) = one(&e) else {
        panic!("poll: {e:?}")
    };
    let e = s.on_outcome(
        req,
        RecordsOutcome::ExportJob(Ok(bulk_job("InProgress"))),
        &mut ids,
    );
    assert_eq!(
        s.exports[0].summary(),
        "InProgress · 1,200 records",
        "no size before a file is written"
    );
    let (req, RecordsJob::ExportPoll { .. }) = one(&e) else {
        panic!("poll again: {e:?}")
    };
    let e = s.on_outcome(
        req,
        RecordsOutcome::ExportJob(Ok(bulk_job("JobComplete"))),
        &mut ids,
    );
    let (
        req,
        RecordsJob::ExportPage {
            cursor: ResultCursor::Start,
            ..
        },
    ) = one(&e)
    else {
        panic!("first step: {e:?}")
    };
    // The step says where the download stands; the next step goes on from there.
    let stands = ResultCursor::Parallel {
        pending: vec!["/services/data/v62.0/jobs/query/750/results?locator=Mg%3D%3D".into()],
        listing: Some("/services/data/v62.0/jobs/query/750/resultPages?locator=Mw%3D%3D".into()),
    };
    let e = s.on_outcome(
        req,
        RecordsOutcome::ExportPage(Ok(ExportPageDone {
            records: 10_000,
            bytes: 1_500_000,
            next: stands.clone(),
        })),
        &mut ids,
    );
    let (req, RecordsJob::ExportPage { cursor, .. }) = one(&e) else {
        panic!("next step: {e:?}")
    };
    assert_eq!(cursor, stands);
    assert_eq!(
        s.running_export().map(|x| x.summary()).as_deref(),
        Some("JobComplete · 10,000 records · 1.5 MB")
    );
    // Abort from the jobs popup: the download stops (the job already finished on the server).
    act(&mut s, &mut ids, Action::ShowExports);
    let e = act(&mut s, &mut ids, Action::AbortExport);
    assert!(matches!(e.as_slice(), [Effect::Cancel(r)] if *r == req));
    assert_eq!(s.exports[0].state, "Aborted");
    assert!(s.running_export().is_none());

    // A job still running on the server is aborted there too.
    act(&mut s, &mut ids, Action::Cancel);
    act(&mut s, &mut ids, Action::ExportView);
    let e = act(&mut s, &mut ids, Action::Submit);
    let (req, _) = records_jobs(&e)[0].clone();
    s.on_outcome(
        req,
        RecordsOutcome::ExportJob(Ok(bulk_job("InProgress"))),
        &mut ids,
    );
    act(&mut s, &mut ids, Action::ShowExports);
    let e = act(&mut s, &mut ids, Action::AbortExport);
    assert!(
        records_jobs(&e)
            .iter()
            .any(|(_, j)| matches!(j, RecordsJob::ExportAbort { job_id } if job_id == "7501x0000000001AAA")),
        "{e:?}"
    );
}

#[test]
fn edits_and_deletes_in_the_detail_view_reach_the_list() {
    let (mut s, mut ids) = loaded();
    let id = s.view().rows.id(3).to_owned();
    let e = s.record_changed("Account", &id, &mut ids);
    let (req, RecordsJob::Refetch { soql, .. }) = one(&e) else {
        panic!("refetch: {e:?}")
    };
    assert!(soql.ends_with(&format!("WHERE Id = '{id}'")), "{soql}");
    let columns = s.view().columns.clone();
    let mut fresh = RowStore::new(columns);
    fresh
        .push(&id, [Some("Renamed"), Some("Energy"), None, None, None])
        .expect("push");
    s.on_outcome(
        req,
        RecordsOutcome::Refetched {
            ids: vec![id.clone()],
            result: Ok(Some(fresh)),
        },
        &mut ids,
    );
    assert_eq!(s.view().rows.cell(3, 0), Some("Renamed"));
    s.record_deleted("Account", &id);
    assert_eq!(s.view().rows.len(), 1999);
    assert_eq!(s.view().total, Some(2499));
}

#[test]
fn not_connected_says_connect_first() {
    let mut ids = RequestIds::default();
    let mut s = RecordsState::default();
    assert!(act(&mut s, &mut ids, Action::ReloadList).is_empty());
    assert_eq!(s.view().error.as_deref(), Some("Connect a profile first."));
    assert!(act(&mut s, &mut ids, Action::ExportView).is_empty());
    assert!(s.input.is_none());
}

// ---- through the Model: keys, routing and snapshots ----

/// Connected; returns the model and the records query the connection started.
fn connected_model() -> (Model, RequestId) {
    let mut model = model_with(demo_profiles());
    let effects = common::connect(&mut model);
    let (query, _) = query_of(&effects);
    (model, query)
}

fn deliver(model: &mut Model, req: RequestId, outcome: RecordsOutcome) -> Vec<Effect> {
    model.handle_msg(Msg::Done {
        req,
        outcome: Outcome::Records(outcome),
    })
}

fn model_with_rows(n: usize, total: u64) -> Model {
    let (mut model, req) = connected_model();
    let columns = model.records.view().columns.clone();
    let next = (n as u64) < total;
    deliver(
        &mut model,
        req,
        RecordsOutcome::Page(Ok(page(&columns, 0, n, total, next.then_some("/q/x-2000")))),
    );
    press(&mut model, "1");
    model
}

#[test]
fn keys_reach_the_list_only_when_it_has_focus() {
    let mut model = model_with_rows(2000, 2500);
    assert!(model.records_active());
    press(&mut model, "j j j");
    assert_eq!(model.records.view().cursor, 3);
    let effects = press(&mut model, "G");
    assert!(more_of(&effects).is_some(), "G loads the next page");
    assert!(
        model.inflight.values().any(|l| l.contains("page 2")),
        "{:?}",
        model.inflight
    );
    // Typing into the quick search: q is text, not quit.
    press(&mut model, "/");
    type_text(&mut model, "acme q");
    let effects = press(&mut model, "enter");
    let (_, soql) = query_of(&effects);
    assert!(soql.contains("LIKE '%acme q%'"), "{soql}");
    assert!(!model.quit);
    // In the profiles pane j moves the profile selection, not the list.
    press(&mut model, "alt-1 j");
    assert_eq!(model.profiles.selected, 1);
    // From the palette, "Open object…" brings the Records tab forward.
    press(&mut model, "2 :");
    type_text(&mut model, "open object");
    press(&mut model, "enter");
    assert!(matches!(
        model.records.input,
        Some(LineInput::OpenObject { .. })
    ));
    assert_eq!(model.tab, sfterm::state::Tab::Records);
}

#[test]
fn snapshot_list_120x40() {
    let mut model = model_with_rows(2000, 48_000);
    press(&mut model, "j l s");
    // The sort re-queried: show the list as loaded, sorted column marked.
    let view = model.records.views.first_mut().expect("account view");
    let columns = view.columns.clone();
    view.fetch = None;
    view.rows = page(&columns, 0, 1200, 48_000, None).rows;
    view.total = Some(48_000);
    view.cursor = 1;
    assert_screen!(render(&model, 120, 40));
}

#[test]
fn snapshot_list_80x24() {
    let model = model_with_rows(2000, 2500);
    assert_screen!(render(&model, 80, 24));
}

#[test]
fn snapshot_empty_list() {
    let (mut model, req) = connected_model();
    let columns = model.records.view().columns.clone();
    deliver(
        &mut model,
        req,
        RecordsOutcome::Page(Ok(page(&columns, 0, 0, 0, None))),
    );
    press(&mut model, "1");
    assert_screen!(render(&model, 120, 40));
}

#[test]
fn snapshot_loading() {
    let (mut model, _) = connected_model();
    press(&mut model, "1");
    assert_screen!(render(&model, 120, 40));
}

#[test]
fn snapshot_soql_error_line() {
    let mut model = model_with_rows(30, 30);
    press(&mut model, "w");
    type_text(&mut model, "Industry = 'Energy' AND Nme = 'x'");
    let effects = press(&mut model, "enter");
    let (req, soql) = query_of(&effects);
    let column = soql.find("Nme").expect("in query") + 1;
    deliver(
        &mut model,
        req,
        RecordsOutcome::Page(Err(JobError {
            code: Some("INVALID_FIELD".into()),
            message: format!(
                "\n{soql}\n^\nERROR at Row:1:Column:{column}\nNo such column 'Nme' on entity 'Account'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names."
            ),
            not_connected: false,
        })),
    );
    assert_screen!(render(&model, 120, 40));
}

#[test]
fn snapshot_not_connected() {
    let mut model = model_with(demo_profiles());
    press(&mut model, "1");
    assert_screen!(render(&model, 100, 30));
}

#[test]
fn enter_opens_the_detail_and_esc_returns_to_the_same_row() {
    let mut model = model_with_rows(2000, 2500);
    press(&mut model, "j j j");
    let id = model.records.view().rows.id(3).to_owned();
    let effects = press(&mut model, "enter");
    assert!(model.detail.is_open(), "the detail view opened");
    assert_eq!(model.detail.top().and_then(|v| v.id()), Some(id.as_str()));
    assert!(
        effects.iter().any(|e| matches!(
            e,
            Effect::Spawn {
                job: Job::Record(_),
                ..
            }
        )),
        "the record is loaded: {effects:?}"
    );
    assert!(!model.records_active(), "keys go to the detail view");
    press(&mut model, "esc");
    assert!(!model.detail.is_open());
    assert!(model.records_active());
    assert_eq!(model.records.view().cursor, 3);
}

#[test]
fn snapshot_column_chooser_and_export_jobs() {
    let mut model = model_with_rows(40, 40);
    model.records.describes.insert("account".into(), describe());
    press(&mut model, "c j space");
    assert_screen!(render(&model, 120, 40));
    press(&mut model, "esc x");
    press(&mut model, "enter");
    press(&mut model, "J");
    let screen = render(&model, 120, 40);
    assert!(screen.contains("Export jobs"), "{screen}");
    assert!(screen.contains("Creating · 0 records"), "{screen}");
    assert!(
        !screen.contains(" MB"),
        "no size before a file is written: {screen}"
    );
}

#[test]
fn completing_a_relationship_fetches_the_parent_describe_first() {
    let (mut s, mut ids) = loaded();
    act(&mut s, &mut ids, Action::NextObject);
    assert_eq!(s.view().object, "Contact");
    let contact: Arc<SObjectDescribe> = Arc::new(
        serde_json::from_value(json!({
            "name": "Contact", "queryable": true,
            "fields": [
                {"name": "Name", "type": "string"},
                {"name": "AccountId", "type": "reference", "relationshipName": "Account", "referenceTo": ["Account"]}
            ]
        }))
        .expect("describe"),
    );
    s.describes.insert("contact".into(), contact);
    // The Account describe asked for at connect failed (request 1), so none is in flight.
    assert!(s.owns(RequestId(1)));
    s.on_outcome(
        RequestId(1),
        RecordsOutcome::Described(Err(JobError::not_connected())),
        &mut ids,
    );
    act(&mut s, &mut ids, Action::SoqlLine);
    type_into(&mut s, "Account.Ind");
    let e = act(&mut s, &mut ids, Action::Complete);
    let (req, job) = one(&e);
    assert_eq!(
        job,
        RecordsJob::Describe {
            object: "Account".into()
        }
    );
    s.on_outcome(req, RecordsOutcome::Described(Ok(describe())), &mut ids);
    assert!(act(&mut s, &mut ids, Action::Complete).is_empty());
    assert_eq!(line_text(&s).as_deref(), Some("Account.Industry"));
}

#[test]
fn tab_again_steps_through_the_suggestions() {
    let (mut s, mut ids) = loaded();
    s.describes.insert("account".into(), describe());
    act(&mut s, &mut ids, Action::SoqlLine);
    type_into(&mut s, "Industry = 'E");
    act(&mut s, &mut ids, Action::Complete);
    assert_eq!(
        line_text(&s).as_deref(),
        Some("Industry = 'E"),
        "two candidates"
    );
    act(&mut s, &mut ids, Action::Complete);
    assert_eq!(line_text(&s).as_deref(), Some("Industry = 'Energy'"));
    act(&mut s, &mut ids, Action::Complete);
    assert_eq!(line_text(&s).as_deref(), Some("Industry = 'Education'"));
    act(&mut s, &mut ids, Action::Complete);
    assert_eq!(line_text(&s).as_deref(), Some("Industry = 'Energy'"));
}

#[test]
fn snapshot_soql_line_suggestions_80x24() {
    let mut model = model_with_rows(30, 30);
    model.records.describes.insert("account".into(), describe());
    press(&mut model, "w");
    type_text(&mut model, "Industry = 'E");
    press(&mut model, "tab");
    assert_screen!(render(&model, 80, 24));
}

// ---- issue #20, defect 2: a whole SELECT lends its columns only while it is the filter ----

/// Clears the open line (backspaces).
fn clear_line(s: &mut RecordsState) {
    let n = line_text(s).map_or(0, |t| t.chars().count());
    for _ in 0..n {
        s.type_key(common::key_events("backspace")[0]);
    }
}

const DEFAULT_QUERY: &str =
    "SELECT Id, Name, Industry, Phone, Owner.Name, LastModifiedDate FROM Account";

#[test]
fn clearing_a_whole_select_brings_back_the_objects_columns() {
    let (mut s, mut ids) = loaded();
    act(&mut s, &mut ids, Action::SoqlLine);
    type_into(&mut s, "SELECT Id, Name, Website FROM Account");
    act(&mut s, &mut ids, Action::Submit);
    assert_eq!(s.view().columns, ["Name", "Website"]);
    // An empty line: the object's own columns again, in the query and on screen.
    act(&mut s, &mut ids, Action::SoqlLine);
    clear_line(&mut s);
    let (_, soql) = query_of(&act(&mut s, &mut ids, Action::Submit));
    assert_eq!(soql, DEFAULT_QUERY);
    assert_eq!(s.view().columns, ListView::new("Account").columns);
    assert!(!s.view().custom_columns);

    // A WHERE clause after a whole SELECT filters the object's columns too.
    act(&mut s, &mut ids, Action::SoqlLine);
    type_into(&mut s, "SELECT Id, Website FROM Account");
    act(&mut s, &mut ids, Action::Submit);
    act(&mut s, &mut ids, Action::SoqlLine);
    clear_line(&mut s);
    type_into(&mut s, "Industry = 'Energy'");
    let (_, soql) = query_of(&act(&mut s, &mut ids, Action::Submit));
    assert_eq!(soql, format!("{DEFAULT_QUERY} WHERE Industry = 'Energy'"));
}

#[test]
fn the_columns_chosen_with_c_come_back_after_a_whole_select() {
    let (mut s, mut ids) = loaded();
    s.describes.insert("account".into(), describe());
    // Choose: uncheck Name (2nd).
    act(&mut s, &mut ids, Action::ChooseColumns);
    act(&mut s, &mut ids, Action::Down);
    act(&mut s, &mut ids, Action::ToggleItem);
    act(&mut s, &mut ids, Action::Submit);
    let chosen = s.view().columns.clone();
    assert!(!chosen.contains(&"Name".to_string()), "{chosen:?}");
    act(&mut s, &mut ids, Action::SoqlLine);
    type_into(&mut s, "SELECT Id, Website FROM Account");
    act(&mut s, &mut ids, Action::Submit);
    act(&mut s, &mut ids, Action::SoqlLine);
    clear_line(&mut s);
    act(&mut s, &mut ids, Action::Submit);
    assert_eq!(
        s.view().columns,
        chosen,
        "the chosen columns, not the defaults"
    );
    // The chooser's reset: the object's default columns, and the SELECT filter goes too.
    act(&mut s, &mut ids, Action::SoqlLine);
    type_into(&mut s, "SELECT Id, Website FROM Account");
    act(&mut s, &mut ids, Action::Submit);
    act(&mut s, &mut ids, Action::ChooseColumns);
    let (_, soql) = query_of(&act(&mut s, &mut ids, Action::ResetColumns));
    assert_eq!(soql, DEFAULT_QUERY);
    assert!(s.popup.is_none());
    assert_eq!(s.view().filter, Filter::None);
    assert!(!s.view().custom_columns);
    assert!(s.chosen_columns().is_empty(), "the reset is remembered too");
    // Nothing left to come back to: clearing the line keeps the defaults.
    act(&mut s, &mut ids, Action::SoqlLine);
    let (_, soql) = query_of(&act(&mut s, &mut ids, Action::Submit));
    assert_eq!(soql, DEFAULT_QUERY);
}

#[test]
fn keys_w_select_then_an_empty_line_and_c_r_restore_the_columns() {
    let mut model = model_with_rows(30, 30);
    model.records.describes.insert("account".into(), describe());
    let defaults = model.records.view().columns.clone();
    press(&mut model, "w");
    type_text(&mut model, "SELECT Id, Website FROM Account");
    press(&mut model, "enter");
    assert_eq!(model.records.view().columns, ["Website"]);
    press(&mut model, "w");
    for _ in 0.."SELECT Id, Website FROM Account".len() {
        press(&mut model, "backspace");
    }
    let (_, soql) = query_of(&press(&mut model, "enter"));
    assert_eq!(soql, DEFAULT_QUERY);
    assert_eq!(model.records.view().columns, defaults);
    // c, uncheck a column, apply; then c r: the defaults again.
    press(&mut model, "c j space enter");
    assert_ne!(model.records.view().columns, defaults);
    press(&mut model, "c");
    let screen = render(&model, 120, 40);
    assert!(screen.contains("r default columns"), "{screen}");
    let (_, soql) = query_of(&press(&mut model, "r"));
    assert_eq!(soql, DEFAULT_QUERY);
    assert_eq!(model.records.view().columns, defaults);
}

// ---- issue #20, defect 3: writes made in the detail view reach the list they came from ----

const NEW_ID: &str = "001Dn0000000NewAAA";

/// One row of `columns` for `id` with a name.
fn one_row(columns: &[String], id: &str, name: &str) -> RowStore {
    let mut rows = RowStore::new(columns.to_vec());
    let cells: Vec<Option<&str>> = columns
        .iter()
        .map(|c| (c == "Name").then_some(name))
        .collect();
    rows.push(id, cells).expect("push");
    rows
}

fn refetch_of(effects: &[Effect]) -> Option<(RequestId, String)> {
    records_jobs(effects)
        .into_iter()
        .find_map(|(req, job)| match job {
            RecordsJob::Refetch { soql, .. } => Some((req, soql)),
            _ => None,
        })
}

#[test]
fn a_record_created_in_the_detail_view_joins_the_list_and_its_count() {
    use crate::fixture;
    use sfterm::state::record_detail::job::RecordOutcome;
    let mut model = model_with_rows(300, 300);
    assert!(render(&model, 120, 40).contains("300 of 300 loaded"));
    // n on the list: the create form of an Account.
    let (req, _) = fixture::one_job(&press(&mut model, "n"));
    fixture::done(
        &mut model,
        req,
        RecordOutcome::Described(Ok(fixture::describe("Account"))),
    );
    fixture::select(&mut model, "Name");
    press(&mut model, "e");
    type_text(&mut model, "Ada Labs");
    press(&mut model, "enter");
    let (req, _) = fixture::one_job(&press(&mut model, "ctrl-s"));
    let effects = fixture::done(&mut model, req, RecordOutcome::Created(Ok(NEW_ID.into())));
    let (refetch, soql) = refetch_of(&effects).expect("the list reads the new row");
    assert!(soql.ends_with(&format!("WHERE Id = '{NEW_ID}'")), "{soql}");
    let columns = model.records.view().columns.clone();
    deliver(
        &mut model,
        refetch,
        RecordsOutcome::Refetched {
            ids: vec![NEW_ID.into()],
            result: Ok(Some(one_row(&columns, NEW_ID, "Ada Labs"))),
        },
    );
    press(&mut model, "esc");
    assert!(!model.detail.is_open());
    let view = model.records.view();
    assert_eq!(view.rows.id(0), NEW_ID, "the new record comes first");
    assert_eq!(view.total, Some(301));
    let screen = render(&model, 120, 40);
    assert!(screen.contains("301 of 301 loaded"), "{screen}");
    assert!(screen.contains("Ada Labs"), "{screen}");
}

#[test]
fn created_rows_respect_the_filter_and_are_not_loaded_twice() {
    let (mut s, mut ids) = loaded();
    s.view_at_row(5);
    let before = s.view().rows.id(5).to_owned();
    let e = s.record_created("Account", NEW_ID, &mut ids);
    let (req, soql) = refetch_of(&e).expect("refetch");
    assert!(soql.ends_with(&format!("WHERE Id = '{NEW_ID}'")), "{soql}");
    let columns = s.view().columns.clone();
    s.on_outcome(
        req,
        RecordsOutcome::Refetched {
            ids: vec![NEW_ID.into()],
            result: Ok(Some(one_row(&columns, NEW_ID, "Ada Labs"))),
        },
        &mut ids,
    );
    assert_eq!(s.view().rows.id(0), NEW_ID);
    assert_eq!(s.view().progress(), "2,001 of 2,501 loaded");
    assert_eq!(
        s.view().rows.id(s.view().cursor),
        before,
        "the cursor stays on its record"
    );
    // The next page (the query's own snapshot count) neither repeats the row nor the count.
    s.view_at_row(1900);
    let (more, _) = more_of(&act(&mut s, &mut ids, Action::Down)).expect("prefetch");
    let mut next = page(&columns, 2000, 500, 2500, None);
    next.rows.push(NEW_ID, [Some("Ada Labs")]).expect("push");
    s.on_outcome(more, RecordsOutcome::Page(Ok(next)), &mut ids);
    assert_eq!(s.view().progress(), "2,501 of 2,501 loaded");

    // Filtered by a WHERE clause: the created record is read through the filter, and one that
    // does not match stays out.
    act(&mut s, &mut ids, Action::SoqlLine);
    type_into(&mut s, "Industry = 'Energy'");
    let (req, _) = query_of(&act(&mut s, &mut ids, Action::Submit));
    s.on_outcome(
        req,
        RecordsOutcome::Page(Ok(page(&columns, 0, 10, 10, None))),
        &mut ids,
    );
    let (req, soql) = refetch_of(&s.record_created("Account", NEW_ID, &mut ids)).expect("refetch");
    assert!(
        soql.ends_with(&format!("WHERE (Industry = 'Energy') AND Id = '{NEW_ID}'")),
        "{soql}"
    );
    s.on_outcome(
        req,
        RecordsOutcome::Refetched {
            ids: vec![NEW_ID.into()],
            result: Ok(None),
        },
        &mut ids,
    );
    assert_eq!(s.view().progress(), "10 of 10 loaded");
}

#[test]
fn a_saved_record_that_leaves_the_filter_leaves_the_list() {
    let (mut s, mut ids) = loaded();
    act(&mut s, &mut ids, Action::SoqlLine);
    type_into(&mut s, "Industry = 'Energy'");
    let (req, _) = query_of(&act(&mut s, &mut ids, Action::Submit));
    let columns = s.view().columns.clone();
    s.on_outcome(
        req,
        RecordsOutcome::Page(Ok(page(&columns, 0, 10, 10, None))),
        &mut ids,
    );
    let id = s.view().rows.id(3).to_owned();
    let (req, soql) = refetch_of(&s.record_changed("Account", &id, &mut ids)).expect("refetch");
    assert!(
        soql.ends_with(&format!("WHERE (Industry = 'Energy') AND Id = '{id}'")),
        "read through the list's filter: {soql}"
    );
    s.on_outcome(
        req,
        RecordsOutcome::Refetched {
            ids: vec![id.clone()],
            result: Ok(None),
        },
        &mut ids,
    );
    assert_eq!(s.view().progress(), "9 of 9 loaded");
    assert_eq!(s.view().rows.position(&id), None);
}

#[test]
fn a_deleted_row_stays_out_of_the_count_when_the_next_page_arrives() {
    let (mut s, mut ids) = loaded();
    let id = s.view().rows.id(3).to_owned();
    s.record_deleted("Account", &id);
    assert_eq!(s.view().progress(), "1,999 of 2,499 loaded");
    s.view_at_row(1900);
    let (more, _) = more_of(&act(&mut s, &mut ids, Action::Down)).expect("prefetch");
    let columns = s.view().columns.clone();
    s.on_outcome(
        more,
        RecordsOutcome::Page(Ok(page(&columns, 2000, 500, 2500, None))),
        &mut ids,
    );
    assert_eq!(s.view().progress(), "2,499 of 2,499 loaded");
}

// ---- issue #20, defect 10: values after the operator, and the caret in WHERE mode ----

#[test]
fn picklist_values_are_offered_right_after_the_operator_and_in_an_in_list() {
    let (mut s, mut ids) = loaded();
    s.describes.insert("account".into(), describe());
    act(&mut s, &mut ids, Action::SoqlLine);
    type_into(&mut s, "Industry = ");
    act(&mut s, &mut ids, Action::Complete);
    assert_eq!(suggestions(&s), ["'Energy'", "'Education'"]);
    assert_eq!(
        line_text(&s).as_deref(),
        Some("Industry = 'E"),
        "their common start"
    );
    act(&mut s, &mut ids, Action::Complete);
    assert_eq!(line_text(&s).as_deref(), Some("Industry = 'Energy'"));

    // After IN ( and after a value already in the list.
    clear_line(&mut s);
    type_into(&mut s, "Industry IN (");
    act(&mut s, &mut ids, Action::Complete);
    assert_eq!(suggestions(&s), ["'Energy'", "'Education'"]);
    clear_line(&mut s);
    type_into(&mut s, "Industry NOT IN ('Energy', ");
    act(&mut s, &mut ids, Action::Complete);
    assert_eq!(suggestions(&s), ["'Energy'", "'Education'"]);
    clear_line(&mut s);
    type_into(&mut s, "Industry IN ('Energy', 'Ed");
    act(&mut s, &mut ids, Action::Complete);
    assert_eq!(
        line_text(&s).as_deref(),
        Some("Industry IN ('Energy', 'Education'")
    );
    // A typed start without the quote.
    clear_line(&mut s);
    type_into(&mut s, "Industry != ed");
    act(&mut s, &mut ids, Action::Complete);
    assert_eq!(line_text(&s).as_deref(), Some("Industry != 'Education'"));
    // Field names where a field goes.
    clear_line(&mut s);
    type_into(&mut s, "Industry = 'Energy' AND Ph");
    act(&mut s, &mut ids, Action::Complete);
    assert_eq!(
        line_text(&s).as_deref(),
        Some("Industry = 'Energy' AND Phone")
    );
}

#[test]
fn keys_industry_equals_tab_offers_the_picklist_values() {
    let mut model = model_with_rows(30, 30);
    model.records.describes.insert("account".into(), describe());
    press(&mut model, "w");
    type_text(&mut model, "Industry = ");
    press(&mut model, "tab tab");
    assert_eq!(
        model
            .records
            .input
            .as_ref()
            .map(|i| i.input().text().to_owned())
            .as_deref(),
        Some("Industry = 'Energy'")
    );
}

/// An INVALID_FIELD answer for `soql` pointing at `word` in it.
fn invalid_field(soql: &str, word: &str) -> RecordsOutcome {
    let column = soql.find(word).expect("in query") + 1;
    RecordsOutcome::Page(Err(JobError {
        code: Some("INVALID_FIELD".into()),
        message: format!(
            "\n{soql}\n{}^\nERROR at Row:1:Column:{column}\nNo such column '{word}' on entity 'Account'.",
            " ".repeat(column - 1)
        ),
        not_connected: false,
    }))
}

fn soql_error(s: &RecordsState) -> (String, SoqlError) {
    match &s.input {
        Some(LineInput::Soql {
            input,
            error: Some(error),
            ..
        }) => (input.text().to_owned(), error.clone()),
        other => panic!("no SOQL error line: {other:?}"),
    }
}

#[test]
fn the_caret_points_into_the_where_clause_as_typed() {
    let (mut s, mut ids) = loaded();
    act(&mut s, &mut ids, Action::SoqlLine);
    let typed = "WHERE Industry = 'Energy' AND Nme = 'x'";
    type_into(&mut s, typed);
    let (req, soql) = query_of(&act(&mut s, &mut ids, Action::Submit));
    s.on_outcome(req, invalid_field(&soql, "Nme"), &mut ids);
    let (line, error) = soql_error(&s);
    assert_eq!(line, typed, "the line comes back as typed");
    assert_eq!(error.caret, typed.find("Nme"), "under Nme");

    // The same error with a whole SELECT: the caret maps directly.
    act(&mut s, &mut ids, Action::Cancel);
    act(&mut s, &mut ids, Action::SoqlLine);
    clear_line(&mut s);
    let typed = "SELECT Id, Name FROM Account WHERE Nme = 'x'";
    type_into(&mut s, typed);
    let (req, soql) = query_of(&act(&mut s, &mut ids, Action::Submit));
    s.on_outcome(req, invalid_field(&soql, "Nme"), &mut ids);
    let (line, error) = soql_error(&s);
    assert_eq!(line, typed);
    assert_eq!(error.caret, typed.find("Nme"));
}

#[test]
fn an_error_in_the_lists_own_columns_says_so_under_a_where_clause() {
    let (mut s, mut ids) = loaded();
    let i = s.current;
    s.views[i].object_columns = vec!["Name".into(), "Gone__c".into()];
    s.views[i].custom_columns = true;
    act(&mut s, &mut ids, Action::SoqlLine);
    type_into(&mut s, "Industry = 'Energy'");
    let (req, soql) = query_of(&act(&mut s, &mut ids, Action::Submit));
    assert!(soql.contains("Gone__c"), "{soql}");
    s.on_outcome(req, invalid_field(&soql, "Gone__c"), &mut ids);
    let (line, error) = soql_error(&s);
    assert_eq!(line, "Industry = 'Energy'");
    assert_eq!(error.caret, None, "nothing to point at in the line");
    assert!(
        error.message.contains("Gone__c") && error.message.contains("list's columns"),
        "{}",
        error.message
    );
}

// ---- issue #20, defect 11: the jobs popup shows the size of the written file ----

#[test]
fn a_finished_export_shows_the_size_of_its_file_in_the_jobs_popup() {
    let mut model = model_with_rows(30, 30);
    press(&mut model, "x");
    let (req, _) = records_jobs(&press(&mut model, "enter"))
        .into_iter()
        .next()
        .expect("the export starts");
    let effects = deliver(
        &mut model,
        req,
        RecordsOutcome::ExportJob(Ok(bulk_job("JobComplete"))),
    );
    let (req, _) = one(&effects);
    deliver(
        &mut model,
        req,
        RecordsOutcome::ExportPage(Ok(ExportPageDone {
            records: 300,
            bytes: 31_234,
            next: ResultCursor::Done,
        })),
    );
    assert!(model.records.exports[0].finished);
    press(&mut model, "J");
    let screen = render(&model, 120, 40);
    assert!(
        screen.contains("JobComplete · 300 records · 31.2 KB · done"),
        "{screen}"
    );
}

// ---- issue #20: the column chooser filters as you type ----

#[test]
fn the_chooser_filters_fuzzily_toggles_the_filtered_row_and_esc_clears_first() {
    let (mut s, mut ids) = loaded();
    s.describes.insert("account".into(), describe());
    act(&mut s, &mut ids, Action::ChooseColumns);
    let all = s.chooser_rows().len();
    act(&mut s, &mut ids, Action::Find);
    assert!(s.chooser_typing() && s.wants_text());
    type_into(&mut s, "dscr");
    let rows = s.chooser_rows();
    let Some(Popup::Columns { choices, .. }) = &s.popup else {
        panic!("chooser open")
    };
    assert_eq!(choices[rows[0].item].path, "Description", "{rows:?}");
    assert_eq!(rows[0].positions, [0, 2, 3, 4]);
    assert!(rows.len() < all);
    // Enter gives the keys back to the list, the filter stays; space toggles that row.
    act(&mut s, &mut ids, Action::Submit);
    assert!(!s.chooser_typing());
    act(&mut s, &mut ids, Action::ToggleItem);
    let Some(Popup::Columns { choices, .. }) = &s.popup else {
        panic!("chooser open")
    };
    assert!(choices.iter().any(|c| c.path == "Description" && c.on));
    // Esc clears the filter (every field again), a second esc closes.
    act(&mut s, &mut ids, Action::Cancel);
    assert_eq!(s.chooser_rows().len(), all);
    assert!(s.popup.is_some());
    act(&mut s, &mut ids, Action::Cancel);
    assert!(s.popup.is_none());
}

#[test]
fn keys_slash_in_the_chooser_type_even_bound_letters_and_the_rows_are_drawn() {
    let mut model = model_with_rows(30, 30);
    model.records.describes.insert("account".into(), describe());
    press(&mut model, "c /");
    // r (reset) and c (close) are typed into the filter while it has the keys.
    type_text(&mut model, "phrc");
    assert!(model.records.popup.is_some());
    assert!(model.records.chooser_rows().is_empty());
    let screen = render(&model, 80, 24);
    assert!(screen.contains("No field matches the filter."), "{screen}");
    press(&mut model, "backspace backspace");
    let screen = render(&model, 80, 24);
    assert!(screen.contains("filter: ph"), "{screen}");
    assert_screen!(screen);
    press(&mut model, "esc");
    assert!(!model.records.chooser_typing());
    assert_eq!(
        model.records.chooser_rows().len(),
        8,
        "the filter is cleared: 6 fields and the Owner parent row"
    );
}

/// The names of the rows `/` narrows the list to while typed.
fn narrowed_names(s: &RecordsState) -> Vec<String> {
    match &s.input {
        Some(LineInput::Search {
            narrowed: Some(n), ..
        }) => n
            .rows
            .iter()
            .map(|r| s.view().rows.cell(r.row, 0).unwrap_or("").to_owned())
            .collect(),
        other => panic!("not narrowing: {other:?}"),
    }
}

#[test]
fn quick_search_narrows_the_loaded_rows_as_typed_then_enter_asks_the_org() {
    let (mut s, mut ids) = loaded();
    assert!(act(&mut s, &mut ids, Action::QuickSearch).is_empty());
    type_into(&mut s, "01999");
    let names = narrowed_names(&s);
    assert!(names.contains(&"Account 01999".to_owned()), "{names:?}");
    // Rows without 0, 1, 9, 9, 9 in that order anywhere in their cells are left out.
    assert!(!names.contains(&"Account 00000".to_owned()), "{names:?}");
    assert!(names.len() < 2000, "{}", names.len());
    // Best match first: the row that has the typed text as it is.
    assert_eq!(names[0], "Account 01999", "{names:?}");
    // Typing nothing to narrow by shows the list again; typing on narrows anew, as typed.
    for _ in 0..5 {
        s.type_key(common::key_events("backspace")[0]);
    }
    assert!(matches!(
        s.input,
        Some(LineInput::Search { narrowed: None, .. })
    ));
    type_into(&mut s, "zzzq");
    assert!(narrowed_names(&s).is_empty());
    // Enter asks the org (rows not loaded yet included); narrowing ends with the line.
    let (_, soql) = query_of(&act(&mut s, &mut ids, Action::Submit));
    assert!(soql.ends_with("WHERE Name LIKE '%zzzq%'"), "{soql}");
    assert!(s.input.is_none());
}

#[test]
fn quick_search_narrows_rows_that_arrive_while_typed() {
    let mut ids = RequestIds::default();
    let mut s = RecordsState::default();
    s.viewport = 30;
    let (req, _) = query_of(&s.connected("Demo org", &mut ids));
    act(&mut s, &mut ids, Action::QuickSearch);
    type_into(&mut s, "01999");
    assert!(narrowed_names(&s).is_empty());
    let columns = s.view().columns.clone();
    s.on_outcome(
        req,
        RecordsOutcome::Page(Ok(page(&columns, 0, 2000, 2000, None))),
        &mut ids,
    );
    assert!(narrowed_names(&s).contains(&"Account 01999".to_owned()));
}

#[test]
fn snapshot_quick_search_narrowing_80x24() {
    let mut model = model_with_rows(2000, 2500);
    press(&mut model, "/");
    type_text(&mut model, "Account 0199");
    assert_screen!(render(&model, 80, 24));
    // esc leaves the list as it was.
    press(&mut model, "esc");
    assert!(model.records.input.is_none());
    assert_eq!(model.records.view().rows.len(), 2000);
}
