//! Remembered choices: the tab, the Records object and the columns chosen per object survive a
//! restart (pure updates here; the file through the real runtime against the mock org in
//! `remembered_e2e.rs`).
use crate::common;

use std::collections::BTreeMap;

use common::{connect, demo_profiles, model_with, press};
use sfterm::effect::{Effect, Job};
use sfterm::state::records::RecordsState;
use sfterm::state::records::job::RecordsJob;
use sfterm::state::remembered::Choices;
use sfterm::state::{Focus, Tab};

fn remembered(effects: &[Effect]) -> Option<Choices> {
    effects.iter().find_map(|e| match e {
        Effect::RememberChoices(c) => Some(c.clone()),
        _ => None,
    })
}

fn query(effects: &[Effect]) -> Option<String> {
    effects.iter().find_map(|e| match e {
        Effect::Spawn {
            job: Job::Records(RecordsJob::Query { soql, .. }),
            ..
        } => Some(soql.clone()),
        _ => None,
    })
}

fn account_phone() -> Choices {
    Choices {
        tab: Some("composer".into()),
        object: Some("Contact".into()),
        columns: BTreeMap::from([("account".into(), vec!["Name".into(), "Phone".into()])]),
    }
}

#[test]
fn without_a_data_directory_nothing_is_remembered() {
    let mut model = model_with(demo_profiles());
    connect(&mut model);
    assert_eq!(remembered(&press(&mut model, "2")), None);
    assert_eq!(remembered(&press(&mut model, "1 ]")), None);
}

#[test]
fn restored_choices_show_their_tab_object_and_columns_and_changes_are_written() {
    let mut model = model_with(demo_profiles());
    model.restore_choices(account_phone());
    assert_eq!(model.tab, Tab::Composer);
    assert_eq!(model.focus, Focus::Profiles, "the profiles keep the keys");
    assert_eq!(model.records.view().object, "Contact");
    assert_eq!(model.records.views[0].columns, ["Name", "Phone"]);
    assert_eq!(model.choices(), account_phone(), "nothing to write yet");

    // Connecting loads the remembered object.
    let soql = query(&connect(&mut model)).expect("a list query");
    assert!(soql.ends_with("FROM Contact"), "{soql}");

    let written = remembered(&press(&mut model, "1")).expect("the tab is written");
    assert_eq!(written.tab.as_deref(), Some("records"));
    let effects = press(&mut model, "[");
    assert_eq!(
        query(&effects).as_deref(),
        Some("SELECT Id, Name, Phone FROM Account"),
        "the remembered columns are queried"
    );
    assert_eq!(
        remembered(&effects).and_then(|c| c.object).as_deref(),
        Some("Account")
    );
    // A key that changes nothing writes nothing.
    assert_eq!(remembered(&press(&mut model, "j")), None);
}

#[test]
fn the_chooser_remembers_and_its_reset_forgets_and_another_org_keeps_them() {
    let mut s = RecordsState::default();
    s.choose_columns("Account", vec!["Name".into(), "Industry".into()]);
    assert_eq!(s.view().columns, ["Name", "Industry"]);
    assert!(s.view().custom_columns);
    s.forget_org();
    assert_eq!(
        s.view().columns,
        ["Name", "Industry"],
        "kept for the next org"
    );
    s.show_object("Widget__c");
    assert_eq!(s.view().object, "Widget__c");
    assert_eq!(s.view().columns, ["Name", "LastModifiedDate"]);
    s.choose_columns("widget__c", vec!["Size__c".into()]);
    assert_eq!(
        s.view().columns,
        ["Size__c"],
        "names are matched ignoring case"
    );
    // An empty list would show nothing: it is ignored.
    s.choose_columns("Account", Vec::new());
    assert_eq!(s.chosen_columns()["account"], ["Name", "Industry"]);
}

#[test]
fn the_file_format_tolerates_missing_keys_and_unknown_tabs() {
    let choices: Choices = serde_json::from_str(r#"{"tab": "nope"}"#).expect("parses");
    assert_eq!(choices.object, None);
    assert!(choices.columns.is_empty());
    let mut model = model_with(demo_profiles());
    model.restore_choices(choices);
    assert_eq!(model.tab, Tab::Records, "an unknown tab is ignored");
    let text = serde_json::to_string(&account_phone()).expect("serializes");
    assert_eq!(
        serde_json::from_str::<Choices>(&text).expect("round trip"),
        account_phone()
    );
}
