//! The seams between panes: a write sent from the Composer (or replayed from the History)
//! leaves the Records lists stale, and they reload when next shown, keeping the cursor on the
//! same record.
use crate::common;

use serde_json::json;
use sfterm::action::Action;
use sfterm::effect::{Effect, Job, RequestId, RequestIds};
use sfterm::msg::{Msg, Outcome};
use sfterm::requests::history::HistoryEntry;
use sfterm::state::composer::job::ComposerOutcome;
use sfterm::state::records::RecordsState;
use sfterm::state::records::job::{PageRows, RecordsJob, RecordsOutcome};
use sfterm::state::records::rowstore::RowStore;

fn query_of(effects: &[Effect]) -> Option<RequestId> {
    effects.iter().find_map(|e| match e {
        Effect::Spawn {
            req,
            job: Job::Records(RecordsJob::Query { .. }),
        } => Some(*req),
        _ => None,
    })
}

/// A page of accounts `ids` (in that order) under `columns`.
fn page(columns: &[String], ids: &[usize]) -> PageRows {
    let mut rows = RowStore::new(columns.to_vec());
    for i in ids {
        let name = format!("Account {i:05}");
        let cells: Vec<Option<&str>> = columns
            .iter()
            .map(|c| (c == "Name").then_some(name.as_str()))
            .collect();
        rows.push(&format!("001Dn{i:010}AAA"), cells).expect("push");
    }
    PageRows {
        total: ids.len() as u64,
        rows,
        next_url: None,
    }
}

/// A connected records state with accounts 0..50 loaded and the cursor on account 20.
fn loaded() -> (RecordsState, RequestIds) {
    let mut ids = RequestIds::default();
    let mut s = RecordsState::default();
    let e = s.connected("Demo org", &mut ids);
    let req = query_of(&e).expect("the first query");
    let columns = s.view().columns.clone();
    let all: Vec<usize> = (0..50).collect();
    s.on_outcome(
        req,
        RecordsOutcome::Page(Ok(page(&columns, &all))),
        &mut ids,
    );
    s.views[0].cursor = 20;
    (s, ids)
}

#[test]
fn a_stale_list_reloads_when_shown_and_keeps_the_cursor_on_the_same_record() {
    let (mut s, mut ids) = loaded();
    // Not stale: showing it again does nothing.
    assert!(s.ensure_loaded(&mut ids).is_empty());
    s.mark_stale();
    assert!(s.view().stale);
    let e = s.ensure_loaded(&mut ids);
    let req = query_of(&e).expect("a stale list reloads");
    assert!(!s.view().stale);
    // A new record sorted in before it: the cursor follows account 20 to row 21.
    let columns = s.view().columns.clone();
    let mut fresh: Vec<usize> = vec![999];
    fresh.extend(0..50);
    s.on_outcome(
        req,
        RecordsOutcome::Page(Ok(page(&columns, &fresh))),
        &mut ids,
    );
    assert_eq!(s.view().cursor, 21);
    assert_eq!(s.view().rows.id(21), "001Dn0000000020AAA");
    // Once reloaded it does not reload again.
    assert!(s.ensure_loaded(&mut ids).is_empty());
}

#[test]
fn a_deleted_cursor_record_leaves_the_cursor_where_it_was() {
    let (mut s, mut ids) = loaded();
    s.mark_stale();
    let req = query_of(&s.ensure_loaded(&mut ids)).expect("reload");
    let columns = s.view().columns.clone();
    let without: Vec<usize> = (0..50).filter(|i| *i != 20).collect();
    s.on_outcome(
        req,
        RecordsOutcome::Page(Ok(page(&columns, &without))),
        &mut ids,
    );
    assert_eq!(s.view().cursor, 20);
    assert_eq!(s.view().rows.id(20), "001Dn0000000021AAA");
}

#[test]
fn lists_never_loaded_are_not_marked_stale() {
    let (mut s, mut ids) = loaded();
    s.mark_stale();
    assert!(s.views.iter().skip(1).all(|v| !v.stale));
    // Switching to Contact loads it once, as before.
    let e = s.switch_to("Contact", &mut ids);
    assert!(query_of(&e).is_some());
}

fn entry(method: &str, kind: &str) -> HistoryEntry {
    serde_json::from_value(json!({
        "time": "2026-11-27T10:00:00Z",
        "profile": "Demo org",
        "kind": kind,
        "method": method,
        "instance_url": "http://127.0.0.1:8484",
        "url": "http://127.0.0.1:8484/services/apexrest/CustomerRESTWS",
        "headers": [],
        "body": null,
        "status": 200,
        "elapsed_ms": 3,
        "size": 2,
        "preview": "{}"
    }))
    .expect("entry")
}

fn sent(model: &mut sfterm::state::Model, method: &str, kind: &str) -> Vec<Effect> {
    let req = RequestIds::default().allocate();
    model.handle_msg(Msg::Done {
        req,
        outcome: Outcome::Composer(ComposerOutcome::Sent {
            result: Err("not the composer's".into()),
            entry: Some(Box::new(entry(method, kind))),
        }),
    })
}

#[test]
fn a_composer_write_marks_the_lists_stale_and_the_records_tab_reloads() {
    let mut model = common::model_with(common::demo_profiles());
    let (records, _) = loaded();
    model.records = records;
    model.update(Action::TabComposer);

    sent(&mut model, "GET", "rest");
    assert!(!model.records.view().stale, "a GET changes nothing");
    sent(&mut model, "POST", "soap");
    assert!(model.records.view().stale, "a SOAP call may write");
    let e = model.update(Action::TabRecords);
    assert!(query_of(&e).is_some(), "the Records tab reloads: {e:?}");
    assert!(!model.records.view().stale);

    model.update(Action::TabComposer);
    sent(&mut model, "PATCH", "rest");
    assert!(model.records.view().stale);
}

#[test]
fn a_write_finishing_while_the_records_tab_is_shown_reloads_at_once() {
    let mut model = common::model_with(common::demo_profiles());
    let (records, _) = loaded();
    model.records = records;
    let e = sent(&mut model, "DELETE", "rest");
    assert!(query_of(&e).is_some(), "{e:?}");
    assert!(!model.records.view().stale);
}

/// A connected model whose Account list has labels from describe, three rows with owners and
/// modification times, in a time zone two hours east of UTC.
fn labelled_model() -> sfterm::state::Model {
    let mut model = common::model_with(common::demo_profiles());
    let (mut records, _) = loaded();
    let columns = records.view().columns.clone();
    let mut rows = RowStore::new(columns.clone());
    for i in 0..3 {
        let name = format!("Account {i}");
        let cells: Vec<Option<&str>> = columns
            .iter()
            .map(|c| match c.as_str() {
                "Name" => Some(name.as_str()),
                "Industry" => Some("Energy"),
                "Phone" => Some("(389) 754-4133"),
                "Owner.Name" => Some("Integration User"),
                "LastModifiedDate" => Some("2024-07-24 23:02"),
                _ => None,
            })
            .collect();
        rows.push(&format!("001Dn{i:010}AAA"), cells).expect("push");
    }
    records.views[0].rows = rows;
    records.views[0].cursor = 0;
    let describe = serde_json::from_value(json!({
        "name": "Account", "label": "Account", "queryable": true,
        "fields": [
            {"name": "Id", "label": "Account ID", "type": "id"},
            {"name": "Name", "label": "Account Name", "type": "string", "nameField": true},
            {"name": "Industry", "label": "Industry", "type": "picklist"},
            {"name": "Phone", "label": "Account Phone", "type": "phone"},
            {"name": "OwnerId", "label": "Owner ID", "type": "reference",
             "relationshipName": "Owner", "referenceTo": ["User"]},
            {"name": "LastModifiedDate", "label": "Last Modified Date", "type": "datetime"}
        ]
    }))
    .expect("describe");
    records
        .describes
        .insert("account".into(), std::sync::Arc::new(describe));
    model.records = records;
    model.tz = jiff::tz::TimeZone::fixed(jiff::tz::offset(2));
    model
}

#[test]
fn the_list_is_headed_by_labels_and_shows_whole_local_datetimes() {
    let model = labelled_model();
    let screen = common::render(&model, 120, 40);
    assert!(screen.contains("Account Name"), "{screen}");
    assert!(screen.contains("Owner Name"), "{screen}");
    assert!(screen.contains("Last Modified"), "{screen}");
    assert!(!screen.contains("Owner.Name"), "{screen}");
    // 23:02 UTC is 01:02 the next day at UTC+2, drawn whole.
    assert!(screen.contains("2024-07-25 01:02"), "{screen}");
    assert_screen!(screen);
    // At 80 columns the time gives way but the date stays whole.
    let narrow = common::render(&model, 80, 24);
    assert!(narrow.contains("2024-07-25"), "{narrow}");
    assert!(!narrow.contains("2024-07-…"), "{narrow}");
}

#[test]
fn a_narrow_status_bar_leaves_out_the_instance_url_before_cutting_the_api_usage() {
    let mut model = common::model_with(common::demo_profiles());
    common::connect(&mut model);
    model.handle_msg(Msg::ApiUsage(sfterm::sf::LimitInfo {
        used: 1234,
        max: 15000,
    }));
    let status = |width| {
        let screen = common::render(&model, width, 24);
        screen.lines().last().expect("status line").to_owned()
    };
    let wide = status(120);
    assert!(
        wide.contains("http://127.0.0.1:8484 · API 1,234/15,000"),
        "{wide}"
    );
    // At 80 columns the side panes fold: the token's time left joins the bar, the URL goes.
    let narrow = status(80);
    assert!(
        narrow.contains("Demo org · token expiry unknown · API 1,234/15,000 "),
        "{narrow}"
    );
    assert!(!narrow.contains("127.0.0.1"), "{narrow}");
}

/// Issue #20, defect 9: the list says which org its records come from, and switching to a
/// profile whose login fails leaves no record of the previous org on screen.
#[test]
fn a_failed_login_to_another_profile_clears_the_lists_of_the_previous_org() {
    use common::{demo_profiles, model_with, press, render, spawned_req};
    use sfterm::sf::Diagnosis;
    let mut model = model_with(demo_profiles());
    let req = query_of(&common::connect(&mut model)).expect("the Account list loads");
    let columns = model.records.view().columns.clone();
    model.handle_msg(Msg::Done {
        req,
        outcome: Outcome::Records(RecordsOutcome::Page(Ok(page(&columns, &[1, 2, 3])))),
    });
    press(&mut model, "1");
    let screen = render(&model, 120, 40);
    let header = screen
        .lines()
        .find(|l| l.contains("3 of 3 loaded"))
        .unwrap_or_else(|| panic!("the list's header: {screen}"));
    // The main area, right of the profiles pane (which names every profile).
    let main = header
        .split_once("│┃")
        .map(|(_, main)| main)
        .unwrap_or_else(|| panic!("the main area has the focus: {header}"));
    assert!(main.contains("Demo org"), "whose records: {header}");

    // Acme UAT: its login fails.
    let login = spawned_req(&press(&mut model, "alt-1 j enter"));
    model.handle_msg(Msg::Done {
        req: login,
        outcome: Outcome::Login(Err(Box::new(Diagnosis {
            title: "Wrong client secret".into(),
            what_salesforce_said: "invalid_client: invalid client credentials".into(),
            meaning: "The secret does not match the app.".into(),
            fix: "Edit the profile (e).".into(),
        }))),
    });
    assert!(
        model.records.view().rows.is_empty(),
        "the Demo org rows are gone"
    );
    let screen = render(&model, 120, 40);
    assert!(!screen.contains("Account 00001"), "{screen}");
    assert!(
        screen.contains("Acme UAT is not connected"),
        "the list says whose records it waits for: {screen}"
    );
    // Back to Demo org: its lists load again.
    let login = spawned_req(&press(&mut model, "k enter"));
    let effects = model.handle_msg(Msg::Done {
        req: login,
        outcome: Outcome::Login(Ok(common::session())),
    });
    assert!(query_of(&effects).is_some(), "the Account list loads again");
}
