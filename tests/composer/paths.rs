//! The composer's file prompts complete paths with tab (the shared `PathInput`): pure updates
//! through the keymap and a screen snapshot. The listing against real files, then the import,
//! is in e2e.rs.
use crate::common;

use common::{press, render, spawned_req, type_text};
use sfterm::msg::{Msg, Outcome};
use sfterm::state::Model;
use sfterm::state::composer::Mode;
use sfterm::state::composer::job::{ComposerJob, ComposerOutcome};
use sfterm::state::path_input::Entry;

use super::tab::{composer_model, jobs, response};

/// The composer with a response, the save-body prompt open and emptied.
pub(crate) fn save_prompt() -> Model {
    let mut model = composer_model();
    let effects = press(&mut model, "f5");
    let req = spawned_req(&effects);
    model.handle_msg(Msg::Done {
        req,
        outcome: Outcome::Composer(ComposerOutcome::Sent {
            result: Ok(Box::new(response(200, r#"{"Name":"Acme"}"#))),
            entry: None,
        }),
    });
    press(&mut model, "l l s ctrl-u");
    prompt(&model);
    model
}

/// The text of the open prompt.
pub(crate) fn prompt(model: &Model) -> String {
    match &model.composer.mode {
        Mode::Input { input, .. } => input.text().to_string(),
        other => panic!("a prompt is open: {other:?}"),
    }
}

fn candidates(model: &Model) -> Vec<String> {
    match &model.composer.mode {
        Mode::Input { input, .. } => input.candidates.clone(),
        other => panic!("a prompt is open: {other:?}"),
    }
}

fn listed(model: &mut Model, req: sfterm::effect::RequestId, dir: &str, names: &[&str]) {
    let entries = names
        .iter()
        .map(|n| Entry {
            name: n.trim_end_matches('/').to_string(),
            is_dir: n.ends_with('/'),
        })
        .collect();
    model.handle_msg(Msg::Done {
        req,
        outcome: Outcome::Composer(ComposerOutcome::DirListed {
            dir: dir.to_string(),
            entries: Ok(entries),
        }),
    });
}

const NAMES: [&str; 4] = ["contacts.csv", "contacts.json", "accounts.csv", "old/"];

#[test]
fn tab_in_the_save_prompt_lists_completes_the_common_prefix_then_cycles() {
    let mut model = save_prompt();
    type_text(&mut model, "out/con");
    let effects = press(&mut model, "tab");
    // A relative path to save to is in the data directory: the listing is there too.
    let [
        ComposerJob::ListDir {
            dir,
            in_data_dir: true,
        },
    ] = jobs(&effects).as_slice()
    else {
        panic!("tab asks for a listing: {effects:?}")
    };
    assert_eq!(dir, "out/");
    listed(&mut model, spawned_req(&effects), "out/", &NAMES);
    assert_eq!(prompt(&model), "out/contacts.");
    assert_eq!(candidates(&model), ["contacts.csv", "contacts.json"]);
    // Nothing more in common: a second tab cycles, from the listing already there.
    assert!(press(&mut model, "tab").is_empty());
    assert_eq!(prompt(&model), "out/contacts.csv");
    assert!(press(&mut model, "tab").is_empty());
    assert_eq!(prompt(&model), "out/contacts.json");
    let effects = press(&mut model, "enter");
    let [ComposerJob::SaveBody { path, .. }] = jobs(&effects).as_slice() else {
        panic!("enter saves: {effects:?}")
    };
    assert_eq!(path.to_str(), Some("out/contacts.json"));
}

#[test]
fn a_listing_for_a_closed_or_edited_prompt_is_dropped() {
    let mut model = save_prompt();
    type_text(&mut model, "out/con");
    let effects = press(&mut model, "tab");
    let req = spawned_req(&effects);
    // Typed on before the listing came: the tab is over.
    type_text(&mut model, "t");
    listed(&mut model, req, "out/", &NAMES);
    assert_eq!(prompt(&model), "out/cont");
    assert!(candidates(&model).is_empty());
    // Closed: the listing changes nothing.
    let effects = press(&mut model, "tab");
    press(&mut model, "esc");
    listed(&mut model, spawned_req(&effects), "out/", &NAMES);
    assert!(matches!(model.composer.mode, Mode::Normal));
}

#[test]
fn the_import_prompts_complete_and_the_wsdl_prompt_only_a_path() {
    let mut model = composer_model();
    for key in ["i", "E"] {
        press(&mut model, key);
        type_text(&mut model, "~/Down");
        let effects = press(&mut model, "tab");
        assert!(
            matches!(
                jobs(&effects).as_slice(),
                [ComposerJob::ListDir { dir, in_data_dir: false }] if dir == "~/"
            ),
            "{key}: {effects:?}"
        );
        press(&mut model, "esc");
    }
    // The WSDL source is a class name or a path: a class name does not complete.
    press(&mut model, "w ctrl-u");
    type_text(&mut model, "CustomerWS");
    assert!(press(&mut model, "tab").is_empty());
    let Mode::Input { input, .. } = &model.composer.mode else {
        panic!("the WSDL prompt stays open")
    };
    assert!(
        input
            .message
            .as_deref()
            .is_some_and(|m| m.contains("file path")),
        "{:?}",
        input.message
    );
    press(&mut model, "ctrl-u");
    type_text(&mut model, "./wsdl/Cus");
    let effects = press(&mut model, "tab");
    assert!(
        matches!(
            jobs(&effects).as_slice(),
            [ComposerJob::ListDir { dir, in_data_dir: false }] if dir == "./wsdl/"
        ),
        "{effects:?}"
    );
    // Other prompts take tab as nothing (no listing).
    press(&mut model, "esc n");
    assert!(press(&mut model, "tab").is_empty());
}

#[test]
fn snapshot_save_prompt_with_candidates() {
    let mut model = save_prompt();
    type_text(&mut model, "out/c");
    let effects = press(&mut model, "tab");
    listed(&mut model, spawned_req(&effects), "out/", &NAMES);
    assert_eq!(prompt(&model), "out/contacts.");
    crate::assert_screen!(render(&model, 100, 24));
}
