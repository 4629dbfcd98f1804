//! Relationship columns (#21): the column chooser opens parents level by level (each parent's
//! describe fetched when first opened) and lists child relationships as counts; the list
//! queries, shows and sorts them; the export leaves the counts out. Pure updates, snapshots
//! and key sequences (the end-to-end run is in `relcols_e2e.rs`).
use crate::common;
use crate::fixture;
use crate::fixture::records_jobs;

use std::sync::Arc;

use common::{demo_profiles, model_with, press, render};
use serde_json::json;
use sfterm::action::Action;
use sfterm::effect::{Effect, RequestId, RequestIds};
use sfterm::msg::{Msg, Outcome};
use sfterm::sf::SObjectDescribe;
use sfterm::state::Model;
use sfterm::state::records::job::{PageRows, RecordsJob, RecordsOutcome};
use sfterm::state::records::rowstore::RowStore;
use sfterm::state::records::{ChoiceKind, LineInput, Popup, RecordsState, Reply};

fn query_of(effects: &[Effect]) -> Option<(RequestId, String)> {
    records_jobs(effects)
        .into_iter()
        .find_map(|(req, job)| match job {
            RecordsJob::Query { soql, .. } => Some((req, soql)),
            _ => None,
        })
}

fn describe_job(effects: &[Effect]) -> Option<(RequestId, String)> {
    records_jobs(effects)
        .into_iter()
        .find_map(|(req, job)| match job {
            RecordsJob::Describe { object } => Some((req, object)),
            _ => None,
        })
}

fn effects(reply: Reply) -> Vec<Effect> {
    match reply {
        Reply::Effects(e) => e,
        other => panic!("effects expected: {other:?}"),
    }
}

fn act(s: &mut RecordsState, ids: &mut RequestIds, action: Action) -> Vec<Effect> {
    effects(s.update(action, common::t0(), ids))
}

/// The run-as user's object: a name, an email and a manager (a User again).
fn user_describe() -> Arc<SObjectDescribe> {
    Arc::new(
        serde_json::from_value(json!({
            "name": "User", "label": "User", "queryable": true,
            "fields": [
                {"name": "Id", "type": "id", "sortable": true},
                {"name": "Name", "label": "Full Name", "type": "string", "sortable": true},
                {"name": "Email", "label": "Email", "type": "email", "sortable": true},
                {"name": "ManagerId", "label": "Manager ID", "type": "reference",
                 "relationshipName": "Manager", "referenceTo": ["User"], "sortable": true}
            ]
        }))
        .expect("describe"),
    )
}

/// Connected, on the Contact list, its describe (and the User's) here; Account's describe
/// asked for (by the Account list, first at connecting): its request.
fn contact_state() -> (RecordsState, RequestIds, RequestId) {
    let mut ids = RequestIds::default();
    let mut s = RecordsState::default();
    let (account, _) = describe_job(&s.connected("Demo org", &mut ids)).expect("Account's");
    s.switch_to("Contact", &mut ids);
    s.describes
        .insert("contact".into(), fixture::describe("Contact"));
    s.describes.insert("user".into(), user_describe());
    (s, ids, account)
}

/// The paths of the chooser's rows as shown.
fn rows(s: &RecordsState) -> Vec<String> {
    let Some(Popup::Columns { choices, .. }) = &s.popup else {
        panic!("chooser open")
    };
    s.chooser_rows()
        .iter()
        .map(|hit| choices[hit.item].path.clone())
        .collect()
}

/// Puts the chooser's cursor on the row of `path`.
fn select(s: &mut RecordsState, path: &str) {
    let at = rows(s)
        .iter()
        .position(|p| p == path)
        .unwrap_or_else(|| panic!("{path} not in {:?}", rows(s)));
    if let Some(Popup::Columns { selected, .. }) = &mut s.popup {
        *selected = at;
    }
}

fn selected(s: &RecordsState) -> usize {
    match &s.popup {
        Some(Popup::Columns { selected, .. }) => *selected,
        _ => panic!("chooser open"),
    }
}

fn choice(s: &RecordsState, path: &str) -> sfterm::state::records::Choice {
    let Some(Popup::Columns { choices, .. }) = &s.popup else {
        panic!("chooser open")
    };
    choices
        .iter()
        .find(|c| c.path == path)
        .cloned()
        .unwrap_or_else(|| panic!("no choice {path}"))
}

#[test]
fn parents_open_level_by_level_and_describes_are_fetched_when_first_opened() {
    let (mut s, mut ids, account) = contact_state();
    act(&mut s, &mut ids, Action::ChooseColumns);
    // The default column Account.Name waits, pinned first, for Account's describe.
    let first = choice(&s, "Account.Name");
    assert!(first.pinned && first.on, "{first:?}");
    assert_eq!(rows(&s)[0], "Account.Name");
    // Parent rows and child counts are listed with the fields; no parent is open yet.
    let shown = rows(&s);
    assert!(shown.contains(&"Account".to_owned()) && shown.contains(&"Owner".to_owned()));
    assert!(shown.contains(&"COUNT(Cases)".to_owned()), "{shown:?}");
    assert!(!shown.iter().any(|p| p.starts_with("Owner.")), "{shown:?}");
    assert!(
        !shown.contains(&"JigsawContact".to_owned()),
        "a reference without a target opens nowhere"
    );

    // Owner leads to User, whose describe is here: its fields at once, no job.
    select(&mut s, "Owner");
    assert!(act(&mut s, &mut ids, Action::ExpandItem).is_empty());
    let shown = rows(&s);
    let at = shown.iter().position(|p| p == "Owner").expect("owner");
    assert_eq!(
        shown[at + 1..at + 4],
        ["Owner.Id", "Owner.Name", "Owner.Email"]
    );
    assert_eq!(choice(&s, "Owner.Name").depth, 1);
    assert_eq!(
        rows(&s)[selected(&s)],
        "Owner",
        "the cursor stays on the parent"
    );

    // Account's describe is fetched when Account is opened (here: already asked for by the
    // Account list, so not twice); the row waits for it.
    select(&mut s, "Account");
    assert!(describe_job(&act(&mut s, &mut ids, Action::ExpandItem)).is_none());
    assert!(matches!(
        choice(&s, "Account").kind,
        ChoiceKind::Parent {
            open: true,
            loaded: false,
            ..
        }
    ));
    assert_eq!(s.notice.as_deref(), Some("Loading the fields of Account…"));
    s.on_outcome(
        account,
        RecordsOutcome::Described(Ok(fixture::describe("Account"))),
        &mut ids,
    );
    // The pinned Account.Name joined its place under Account, still checked.
    let name = choice(&s, "Account.Name");
    assert!(!name.pinned && name.on && name.depth == 1, "{name:?}");
    assert_eq!(rows(&s).iter().filter(|p| *p == "Account.Name").count(), 1);
    assert_eq!(rows(&s)[selected(&s)], "Account");
    assert!(s.notice.is_none());

    // Account.Owner: User again, here already. ← closes; the fields stay listed, hidden.
    select(&mut s, "Account.Owner");
    act(&mut s, &mut ids, Action::ExpandItem);
    assert!(rows(&s).contains(&"Account.Owner.Name".to_owned()));
    select(&mut s, "Account.Owner.Name");
    act(&mut s, &mut ids, Action::ToggleItem);
    act(&mut s, &mut ids, Action::CollapseItem);
    assert_eq!(rows(&s)[selected(&s)], "Account.Owner");
    assert!(!rows(&s).contains(&"Account.Owner.Name".to_owned()));
    assert!(choice(&s, "Account.Owner.Name").on, "kept while hidden");

    // The filter finds fields under parents, open or not.
    act(&mut s, &mut ids, Action::Find);
    for c in "owner.name".chars() {
        s.type_key(ratatui::crossterm::event::KeyEvent::from(
            ratatui::crossterm::event::KeyCode::Char(c),
        ));
    }
    let found = rows(&s);
    assert!(
        found.contains(&"Owner.Name".to_owned())
            && found.contains(&"Account.Owner.Name".to_owned()),
        "{found:?}"
    );
    act(&mut s, &mut ids, Action::Cancel);

    // Check Owner.Name and the count of Cases, apply: one query with both.
    select(&mut s, "Owner.Name");
    act(&mut s, &mut ids, Action::ToggleItem);
    select(&mut s, "COUNT(Cases)");
    act(&mut s, &mut ids, Action::ToggleItem);
    let e = act(&mut s, &mut ids, Action::Submit);
    let (_, soql) = query_of(&e).expect("the list reloads");
    assert_eq!(
        soql,
        "SELECT Id, Name, Account.Name, Email, Phone, LastModifiedDate, Account.Owner.Name, \
         Owner.Name, (SELECT Id FROM Cases) FROM Contact"
    );
    assert_eq!(
        s.chosen_columns()["contact"][5..],
        ["Account.Owner.Name", "Owner.Name", "COUNT(Cases)"],
        "remembered as chosen"
    );
    // Opened again: the chosen parents are open where their describes are here.
    act(&mut s, &mut ids, Action::ChooseColumns);
    let shown = rows(&s);
    assert!(
        shown.contains(&"Account.Owner.Name".to_owned())
            && shown.contains(&"Owner.Name".to_owned()),
        "{shown:?}"
    );
    assert!(choice(&s, "COUNT(Cases)").on);
}

#[test]
fn parents_stop_at_five_levels_and_polymorphic_ones_offer_name() {
    let (mut s, mut ids, _) = contact_state();
    act(&mut s, &mut ids, Action::ChooseColumns);
    // ReportsTo leads to Contact again: open it four times.
    let mut path = String::from("ReportsTo");
    for _ in 0..4 {
        select(&mut s, &path);
        act(&mut s, &mut ids, Action::ExpandItem);
        path.push_str(".ReportsTo");
    }
    let deepest = "ReportsTo.ReportsTo.ReportsTo.ReportsTo";
    assert!(rows(&s).contains(&format!("{deepest}.LastName")));
    assert!(
        !rows(&s)
            .iter()
            .any(|p| p == &format!("{deepest}.ReportsTo")),
        "no fifth relationship"
    );

    // A reference to two objects: Name only, without a describe.
    let mut task: serde_json::Value = json!({
        "name": "Task", "label": "Task", "queryable": true,
        "fields": [
            {"name": "Id", "type": "id"},
            {"name": "Subject", "type": "string", "sortable": true},
            {"name": "WhatId", "type": "reference", "relationshipName": "What",
             "referenceTo": ["Account", "Opportunity"], "sortable": true}
        ],
        "childRelationships": []
    });
    task["fields"][1]["label"] = json!("Subject");
    s.describes.insert(
        "task".into(),
        Arc::new(serde_json::from_value(task).expect("describe")),
    );
    s.popup = None;
    s.switch_to("Task", &mut ids);
    act(&mut s, &mut ids, Action::ChooseColumns);
    select(&mut s, "What");
    assert!(act(&mut s, &mut ids, Action::ToggleItem).is_empty());
    let shown = rows(&s);
    assert_eq!(shown[shown.len() - 1], "What.Name", "{shown:?}");
    assert!(choice(&s, "What").about.contains("Name only"));
}

/// Contact rows with every column the tests choose.
fn contact_page(columns: &[String], n: usize) -> PageRows {
    let mut rows = RowStore::new(columns.to_vec());
    for i in 0..n {
        let name = format!("Contact {i:03}");
        let account = format!("Account {:03}", i / 2);
        let count = (i % 3).to_string();
        let cells: Vec<Option<&str>> = columns
            .iter()
            .map(|c| match c.as_str() {
                "Name" => Some(name.as_str()),
                // Every fourth contact has no account: its parent column is empty.
                "Account.Name" => (i % 4 != 3).then_some(account.as_str()),
                "Email" => Some("someone@example.com"),
                "Owner.Name" => Some("Integration User"),
                "COUNT(Cases)" => Some(count.as_str()),
                _ => None,
            })
            .collect();
        rows.push(&format!("003Dn{i:010}AAA"), cells).expect("push");
    }
    PageRows {
        rows,
        total: n as u64,
        next_url: None,
    }
}

fn deliver(model: &mut Model, req: RequestId, outcome: RecordsOutcome) -> Vec<Effect> {
    model.handle_msg(Msg::Done {
        req,
        outcome: Outcome::Records(outcome),
    })
}

/// The app on the Contact list (Records focused), describes of Contact and User here, and the
/// request of Account's describe (asked for by the Account list at connecting).
fn contact_model() -> (Model, RequestId) {
    let mut model = model_with(demo_profiles());
    let (account, _) = describe_job(&common::connect(&mut model)).expect("Account's describe");
    let e = press(&mut model, "1 ]");
    let (req, soql) = query_of(&e).expect("the Contact list loads");
    assert!(soql.ends_with("FROM Contact"), "{soql}");
    let columns = model.records.view().columns.clone();
    deliver(
        &mut model,
        req,
        RecordsOutcome::Page(Ok(contact_page(&columns, 12))),
    );
    model
        .records
        .describes
        .insert("contact".into(), fixture::describe("Contact"));
    model
        .records
        .describes
        .insert("user".into(), user_describe());
    (model, account)
}

/// Presses `j` until the chooser's cursor is on `path` (from the top).
fn press_to(model: &mut Model, path: &str) {
    let shown = rows(&model.records);
    let at = shown
        .iter()
        .position(|p| p == path)
        .unwrap_or_else(|| panic!("{path} not in {shown:?}"));
    press(model, "g");
    for _ in 0..at {
        press(model, "j");
    }
}

#[test]
fn keys_open_account_pick_owner_name_and_the_list_shows_them() {
    let (mut model, account) = contact_model();
    press(&mut model, "c");
    press_to(&mut model, "Account");
    press(&mut model, "l");
    assert!(render(&model, 120, 30).contains("loading…"));
    model.handle_msg(Msg::Done {
        req: account,
        outcome: Outcome::Records(RecordsOutcome::Described(Ok(fixture::describe("Account")))),
    });
    press(&mut model, "j j j");
    assert_screen!("chooser_with_account_open", render(&model, 120, 30));

    // Owner.Name joins the columns; Account.Name is one already.
    press_to(&mut model, "Owner");
    press(&mut model, "right");
    press_to(&mut model, "Owner.Name");
    press(&mut model, "space");
    let e = press(&mut model, "enter");
    let (req, soql) = query_of(&e).expect("reload");
    assert_eq!(
        soql,
        "SELECT Id, Name, Account.Name, Email, Phone, LastModifiedDate, Owner.Name FROM Contact"
    );
    let columns = model.records.view().columns.clone();
    deliver(
        &mut model,
        req,
        RecordsOutcome::Page(Ok(contact_page(&columns, 12))),
    );
    assert_screen!("contact_list_with_parent_columns", render(&model, 120, 30));

    // Sorting by the parent column: ORDER BY Account.Name.
    press(&mut model, "l");
    let e = press(&mut model, "s");
    let (_, soql) = query_of(&e).expect("sorted");
    assert!(soql.ends_with("ORDER BY Account.Name ASC"), "{soql}");
}

#[test]
fn a_count_column_shows_but_does_not_sort_and_the_export_leaves_it_out() {
    let (mut model, _) = contact_model();
    press(&mut model, "c");
    press_to(&mut model, "COUNT(Cases)");
    press(&mut model, "space");
    let e = press(&mut model, "enter");
    let (req, soql) = query_of(&e).expect("reload");
    assert!(
        soql.contains(", (SELECT Id FROM Cases) FROM Contact"),
        "{soql}"
    );
    let columns = model.records.view().columns.clone();
    deliver(
        &mut model,
        req,
        RecordsOutcome::Page(Ok(contact_page(&columns, 12))),
    );
    let shown: Vec<Option<&str>> = (0..4)
        .map(|r| model.records.view().rows.cell(r, 5))
        .collect();
    assert_eq!(shown, [Some("0"), Some("1"), Some("2"), Some("0")]);
    // s on the count: not sortable, said in the status bar, nothing sent.
    let last = columns.len() - 1;
    for _ in 0..last {
        press(&mut model, "l");
    }
    assert!(query_of(&press(&mut model, "s")).is_none());
    let notice = model.records.notice.clone().unwrap_or_default();
    assert!(notice.contains("COUNT(Cases) is not sortable"), "{notice}");
    // The export runs without it and says so.
    press(&mut model, "x");
    assert!(matches!(
        model.records.input,
        Some(LineInput::ExportPath(_))
    ));
    let e = press(&mut model, "enter");
    let soql = records_jobs(&e)
        .into_iter()
        .find_map(|(_, job)| match job {
            RecordsJob::ExportCreate { soql } => Some(soql),
            _ => None,
        })
        .expect("export job");
    assert_eq!(
        soql,
        "SELECT Id, Name, Account.Name, Email, Phone, LastModifiedDate FROM Contact"
    );
    let notice = model.records.notice.clone().unwrap_or_default();
    assert!(
        notice.contains("without COUNT(Cases)") && notice.contains("Bulk API 2.0"),
        "{notice}"
    );
}
