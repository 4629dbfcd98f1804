//! Record detail, pure: key sequences through the Model and the jobs it asks for, with results
//! fed back as messages (no server). Covers staging and saving in one PATCH, the conflict view's
//! three choices, failures that keep edits, the create form, delete, drafts and quitting.
use crate::common;

use common::{demo_profiles, model_with, press, type_text};
use serde_json::{Map, json};
use sfterm::effect::{Effect, RequestId};
use sfterm::state::record_detail::Draft;
use sfterm::state::record_detail::job::{RecordEffect, RecordJob, RecordOutcome, WriteFailure};
use sfterm::state::record_detail::{Popup, Status};
use sfterm::state::{Model, Overlay};

use crate::fixture;

use fixture::*;

/// The drafts written by these effects, if any.
fn drafts_written(effects: &[Effect]) -> Option<Vec<Draft>> {
    effects.iter().find_map(|e| match e {
        Effect::Record(RecordEffect::WriteDrafts(d)) => Some(d.clone()),
        _ => None,
    })
}

fn view(model: &Model) -> &sfterm::state::record_detail::RecordDetailState {
    model.detail.top().expect("a detail view")
}

#[test]
fn fields_are_grouped_editable_first_and_nulls_show_as_empty() {
    let model = opened();
    let v = view(&model);
    assert_eq!(v.status, Status::Ready);
    assert_eq!(v.title(), "Acme Corp");
    let editable = &v.rows[..v.editable_rows];
    let read_only = &v.rows[v.editable_rows..];
    assert!(editable.contains(&"Industry".to_string()));
    assert!(read_only.contains(&"CreatedDate".to_string()));
    assert!(read_only.contains(&"Id".to_string()));
    assert_eq!(v.display("Description", v.value("Description")), "(empty)");
    assert_eq!(
        v.display("ParentId", v.value("ParentId")),
        "Acme Holdings ↗"
    );
}

#[test]
fn two_fields_are_staged_and_saved_in_one_patch_with_the_opened_version() {
    let mut model = opened();
    stage_two(&mut model);
    let v = view(&model);
    assert_eq!(v.staged.get("Industry"), Some(&json!("Energy")));
    assert_eq!(v.staged.get("Phone"), Some(&json!("+1 415 555 0199")));
    let effects = press(&mut model, "ctrl-s");
    let (req, job) = one_job(&effects);
    let RecordJob::Save {
        fields,
        if_unmodified_since,
        ..
    } = job
    else {
        panic!("a save: {job:?}");
    };
    assert_eq!(fields.len(), 2);
    assert_eq!(if_unmodified_since, Some(opened_at()));
    // Saved: staged cleared, the drafts file emptied, the record reloaded.
    let effects = done(&mut model, req, RecordOutcome::Saved(Ok(())));
    assert!(view(&model).staged.is_empty());
    assert_eq!(drafts_written(&effects), Some(Vec::new()));
    let (_, reload) = one_job(&effects);
    assert!(matches!(reload, RecordJob::Load { .. }));
}

#[test]
fn undo_unstages_the_focused_field() {
    let mut model = opened();
    stage_two(&mut model);
    select(&mut model, "Industry");
    press(&mut model, "u");
    assert_eq!(
        view(&model).staged.keys().collect::<Vec<_>>(),
        vec!["Phone"]
    );
}

/// Saves two staged fields and answers 412; returns the conflict fetch's request.
fn into_conflict(model: &mut Model) -> RequestId {
    stage_two(model);
    let (req, _) = one_job(&press(model, "ctrl-s"));
    let effects = done(
        model,
        req,
        RecordOutcome::Saved(Err(WriteFailure::Conflict)),
    );
    assert!(matches!(view(model).popup, Some(Popup::Conflict(_))));
    let (fetch, job) = one_job(&effects);
    assert!(matches!(job, RecordJob::Load { .. }));
    let mut server = account_fields();
    server.insert("Industry".into(), json!("Utilities"));
    done(
        model,
        fetch,
        loaded(server, opened_at() + jiff::SignedDuration::from_secs(60)),
    );
    fetch
}

#[test]
fn conflict_reload_takes_the_new_version_and_keeps_mine_staged() {
    let mut model = opened();
    into_conflict(&mut model);
    press(&mut model, "r");
    let v = view(&model);
    assert!(v.popup.is_none());
    assert_eq!(v.value("Industry"), &json!("Utilities"));
    assert_eq!(v.staged.get("Industry"), Some(&json!("Energy")));
    assert_eq!(
        v.opened_at,
        Some(opened_at() + jiff::SignedDuration::from_secs(60))
    );
    // Saving again is checked against the new version.
    let (_, job) = one_job(&press(&mut model, "ctrl-s"));
    assert!(matches!(
        job,
        RecordJob::Save { if_unmodified_since: Some(t), .. } if t == opened_at() + jiff::SignedDuration::from_secs(60)
    ));
}

#[test]
fn conflict_overwrite_saves_without_the_precondition() {
    let mut model = opened();
    into_conflict(&mut model);
    let (_, job) = one_job(&press(&mut model, "o"));
    let RecordJob::Save {
        fields,
        if_unmodified_since,
        ..
    } = job
    else {
        panic!("a save");
    };
    assert_eq!(if_unmodified_since, None);
    assert_eq!(fields.get("Industry"), Some(&json!("Energy")));
}

#[test]
fn conflict_discard_shows_the_server_version_and_clears_mine() {
    let mut model = opened();
    into_conflict(&mut model);
    let effects = press(&mut model, "d");
    let v = view(&model);
    assert!(v.staged.is_empty());
    assert_eq!(v.value("Industry"), &json!("Utilities"));
    assert_eq!(drafts_written(&effects), Some(Vec::new()));
}

#[test]
fn conflict_esc_goes_back_with_the_edits_still_staged() {
    let mut model = opened();
    into_conflict(&mut model);
    let effects = press(&mut model, "esc");
    assert!(jobs(&effects).is_empty());
    let v = view(&model);
    assert!(v.popup.is_none());
    assert_eq!(v.staged.len(), 2);
    assert_eq!(v.value("Industry"), &json!("Manufacturing"));
}

#[test]
fn a_failed_save_keeps_the_edits_and_highlights_the_named_fields() {
    let mut model = opened();
    stage_two(&mut model);
    let (req, _) = one_job(&press(&mut model, "ctrl-s"));
    done(
        &mut model,
        req,
        RecordOutcome::Saved(Err(WriteFailure::Failed {
            message: "STRING_TOO_LONG: Phone: data value too large".into(),
            fields: vec!["Phone".into()],
        })),
    );
    let v = view(&model);
    assert_eq!(v.staged.len(), 2);
    let problem = v.problem.as_ref().expect("problem shown");
    assert_eq!(problem.fields, vec!["Phone".to_string()]);
    assert!(problem.message.contains("STRING_TOO_LONG"));
}

#[test]
fn invalid_input_never_leaves_the_editor() {
    let mut model = opened();
    // Restricted picklist: a value not in the list is refused.
    select(&mut model, "CleanStatus");
    press(&mut model, "e");
    type_text(&mut model, "Bogus");
    press(&mut model, "enter");
    let Some(Popup::Editor(editor)) = &view(&model).popup else {
        panic!("editor stays open");
    };
    assert!(editor.error.as_deref().unwrap_or("").contains("restricted"));
    press(&mut model, "esc");
    assert!(view(&model).staged.is_empty());
    // Number with precision: 9 digits do not fit NumberOfEmployees (8).
    select(&mut model, "NumberOfEmployees");
    press(&mut model, "e");
    type_text(&mut model, "0000000");
    press(&mut model, "enter");
    assert!(matches!(view(&model).popup, Some(Popup::Editor(_))));
    press(&mut model, "esc");
    // Text over its length (Site: 80).
    select(&mut model, "Site");
    press(&mut model, "e");
    type_text(&mut model, &"x".repeat(81));
    press(&mut model, "enter");
    let Some(Popup::Editor(editor)) = &view(&model).popup else {
        panic!("editor stays open");
    };
    assert!(editor.error.as_deref().unwrap_or("").contains("at most 80"));
    assert_eq!(editor.counter().as_deref(), Some("81/80"));
}

#[test]
fn a_non_restricted_picklist_takes_a_typed_value() {
    let mut model = opened();
    select(&mut model, "AccountSource");
    press(&mut model, "e");
    type_text(&mut model, "Trade show");
    press(&mut model, "enter");
    assert_eq!(
        view(&model).staged.get("AccountSource"),
        Some(&json!("Trade show"))
    );
}

#[test]
fn a_reference_is_picked_from_a_name_search() {
    let mut model = opened();
    select(&mut model, "ParentId");
    press(&mut model, "e");
    for _ in 0.."Acme Holdings".len() {
        press(&mut model, "backspace");
    }
    type_text(&mut model, "Glob");
    let (req, job) = one_job(&press(&mut model, "enter"));
    assert_eq!(
        job,
        RecordJob::Search {
            object: "Account".into(),
            text: "Glob".into()
        }
    );
    done(
        &mut model,
        req,
        RecordOutcome::Found(Ok(vec![
            ("001Dn00000Glob1AAB".into(), "Globex".into()),
            ("001Dn00000Glob2AAB".into(), "Globex Japan".into()),
        ])),
    );
    press(&mut model, "down enter");
    let v = view(&model);
    assert_eq!(v.staged.get("ParentId"), Some(&json!("001Dn00000Glob2AAB")));
    assert_eq!(
        v.display("ParentId", &json!("001Dn00000Glob2AAB")),
        "Globex Japan ↗"
    );
}

#[test]
fn enter_follows_a_reference_and_esc_comes_back() {
    let mut model = opened();
    select(&mut model, "ParentId");
    let (_, job) = one_job(&press(&mut model, "enter"));
    assert_eq!(
        job,
        RecordJob::Load {
            object: "Account".into(),
            id: "001Dn00000Pare1AAB".into()
        }
    );
    assert_eq!(model.detail.views.len(), 2);
    press(&mut model, "esc");
    assert_eq!(model.detail.views.len(), 1);
    assert_eq!(view(&model).selected_field(), Some("ParentId"));
    press(&mut model, "esc");
    assert!(!model.detail.is_open());
}

#[test]
fn copy_and_open_in_browser_go_to_the_runtime() {
    let mut model = opened();
    model.detail.top_mut().expect("open").instance_url =
        Some("https://acme.my.salesforce.com".into());
    let effects = press(&mut model, "Y");
    assert!(effects.iter().any(|e| matches!(
        e,
        Effect::Copy { text, .. } if text == ACCOUNT_ID
    )));
    let effects = press(&mut model, "o");
    let req = effects
        .iter()
        .find_map(|e| match e {
            Effect::Record(RecordEffect::OpenUrl { req, url })
                if url == &format!("https://acme.my.salesforce.com/{ACCOUNT_ID}") =>
            {
                Some(*req)
            }
            _ => None,
        })
        .expect("open url");
    // No opener: the URL is shown.
    done(
        &mut model,
        req,
        RecordOutcome::Opened(Err(format!(
            "No browser; the record is at https://acme.my.salesforce.com/{ACCOUNT_ID}"
        ))),
    );
    assert!(
        view(&model)
            .note
            .as_deref()
            .unwrap_or("")
            .contains(ACCOUNT_ID)
    );
}

#[test]
fn create_form_marks_required_fields_and_keeps_input_on_error() {
    let mut model = connected();
    let (req, job) = one_job(&model.new_record("Contact"));
    assert_eq!(
        job,
        RecordJob::Describe {
            object: "Contact".into()
        }
    );
    done(
        &mut model,
        req,
        RecordOutcome::Described(Ok(describe("Contact"))),
    );
    let v = view(&model);
    assert_eq!(v.rows.first().map(String::as_str), Some("LastName"));
    let last_name = v.field("LastName").expect("field").clone();
    assert!(v.is_required(&last_name));
    select(&mut model, "FirstName");
    press(&mut model, "e");
    type_text(&mut model, "Ada");
    press(&mut model, "enter");
    let (req, job) = one_job(&press(&mut model, "ctrl-s"));
    assert!(
        matches!(job, RecordJob::Create { ref fields, .. } if fields.get("FirstName") == Some(&json!("Ada")))
    );
    done(
        &mut model,
        req,
        RecordOutcome::Created(Err(WriteFailure::Failed {
            message: "REQUIRED_FIELD_MISSING: Required fields are missing: [LastName]".into(),
            fields: vec!["LastName".into()],
        })),
    );
    let v = view(&model);
    assert_eq!(v.staged.get("FirstName"), Some(&json!("Ada")));
    assert_eq!(
        v.problem.as_ref().map(|p| p.fields.clone()),
        Some(vec!["LastName".to_string()])
    );
    // Fixing it and creating opens the new record.
    select(&mut model, "LastName");
    press(&mut model, "e");
    type_text(&mut model, "Lovelace");
    press(&mut model, "enter");
    let (req, _) = one_job(&press(&mut model, "ctrl-s"));
    let effects = done(
        &mut model,
        req,
        RecordOutcome::Created(Ok("003Dn00000Ada01AAB".into())),
    );
    let (_, job) = one_job(&effects);
    assert!(matches!(job, RecordJob::Load { ref id, .. } if id == "003Dn00000Ada01AAB"));
    assert_eq!(view(&model).id(), Some("003Dn00000Ada01AAB"));
}

#[test]
fn delete_asks_first() {
    let mut model = opened();
    assert!(jobs(&press(&mut model, "d")).is_empty());
    assert!(matches!(
        view(&model).popup,
        Some(Popup::ConfirmDelete { .. })
    ));
    let (req, job) = one_job(&press(&mut model, "y"));
    assert!(matches!(job, RecordJob::Delete { .. }));
    done(&mut model, req, RecordOutcome::Deleted(Ok(())));
    assert!(!model.detail.is_open());
}

#[test]
fn on_production_saves_ask_and_deleting_needs_the_name_typed() {
    let mut model = opened();
    model.detail.top_mut().expect("open").production = true;
    stage_two(&mut model);
    assert!(jobs(&press(&mut model, "ctrl-s")).is_empty());
    assert!(matches!(view(&model).popup, Some(Popup::ConfirmSave)));
    let (_, job) = one_job(&press(&mut model, "y"));
    assert!(matches!(job, RecordJob::Save { .. }));

    let mut model = opened();
    model.detail.top_mut().expect("open").production = true;
    press(&mut model, "d");
    type_text(&mut model, "Acme");
    assert!(
        jobs(&press(&mut model, "enter")).is_empty(),
        "a wrong name does not delete"
    );
    type_text(&mut model, " Corp");
    let (_, job) = one_job(&press(&mut model, "enter"));
    assert!(matches!(job, RecordJob::Delete { .. }));
}

#[test]
fn every_change_of_staged_edits_is_written_to_the_drafts_file() {
    let mut model = opened();
    select(&mut model, "Industry");
    press(&mut model, "e");
    type_text(&mut model, "Energy");
    let effects = press(&mut model, "enter");
    let drafts = drafts_written(&effects).expect("drafts written");
    assert_eq!(drafts.len(), 1);
    assert_eq!(drafts[0].id.as_deref(), Some(ACCOUNT_ID));
    assert_eq!(drafts[0].opened_at, Some(opened_at()));
    assert_eq!(drafts[0].staged.get("Industry"), Some(&json!("Energy")));
    // Nothing changed: nothing written.
    assert_eq!(drafts_written(&press(&mut model, "j")), None);
    let effects = press(&mut model, "k u");
    assert_eq!(drafts_written(&effects), Some(Vec::new()));
}

#[test]
fn drafts_found_at_start_are_offered_and_restore_with_the_edits_staged() {
    let mut model = model_with(demo_profiles());
    let mut staged = Map::new();
    staged.insert("Industry".into(), json!("Energy"));
    let draft = Draft {
        profile: Some("Demo org".into()),
        object: "Account".into(),
        id: Some(ACCOUNT_ID.into()),
        title: "Acme Corp".into(),
        opened_at: Some(opened_at()),
        staged,
        mass: None,
    };
    model.offer_drafts(vec![
        draft.clone(),
        Draft {
            id: None,
            object: "Contact".into(),
            ..draft.clone()
        },
    ]);
    assert!(matches!(model.overlay, Some(Overlay::Drafts { .. })));
    // Not connected: the restored view waits, edits staged.
    let effects = press(&mut model, "enter");
    assert!(jobs(&effects).is_empty());
    assert_eq!(view(&model).status, Status::WaitingForConnection);
    assert_eq!(view(&model).staged.get("Industry"), Some(&json!("Energy")));
    // The second draft is discarded; the file keeps the restored one only.
    let effects = press(&mut model, "d");
    assert!(model.overlay.is_none());
    let written = drafts_written(&effects).expect("written");
    assert_eq!(written.len(), 1);
    // Loading later keeps the version the edits were made on.
    let view_mut = model.detail.top_mut().expect("open");
    let mut ids = sfterm::effect::RequestIds::default();
    let effects = view_mut.connected(&mut ids);
    let (req, _) = one_job(&effects);
    view_mut.on_outcome(
        req,
        loaded(
            account_fields(),
            opened_at() + jiff::SignedDuration::from_secs(99),
        ),
        &mut ids,
    );
    assert_eq!(view(&model).opened_at, Some(opened_at()));
    assert_eq!(view(&model).staged.len(), 1);
}

#[test]
fn quitting_with_staged_edits_asks_first() {
    let mut model = opened();
    stage_two(&mut model);
    let effects = press(&mut model, "q");
    assert!(!model.quit);
    assert!(effects.is_empty());
    assert!(matches!(
        model.overlay,
        Some(Overlay::QuitStaged { count: 2 })
    ));
    press(&mut model, "esc");
    assert!(model.overlay.is_none());
    // Keep as draft: quits, drafts stay as written.
    press(&mut model, "q");
    let effects = press(&mut model, "k");
    assert!(model.quit);
    assert_eq!(drafts_written(&effects), None);

    let mut model = opened();
    stage_two(&mut model);
    press(&mut model, "q");
    let effects = press(&mut model, "d");
    assert!(model.quit);
    assert_eq!(drafts_written(&effects), Some(Vec::new()));
}

#[test]
fn quit_from_the_palette_asks_about_staged_edits_too() {
    let mut model = opened();
    stage_two(&mut model);
    press(&mut model, ":");
    type_text(&mut model, "quit");
    let effects = press(&mut model, "enter");
    assert!(!model.quit, "{effects:?}");
    assert!(matches!(
        model.overlay,
        Some(Overlay::QuitStaged { count: 2 })
    ));
}

#[test]
fn esc_with_staged_edits_asks_before_leaving_the_record() {
    let mut model = opened();
    stage_two(&mut model);
    press(&mut model, "esc");
    assert!(matches!(view(&model).popup, Some(Popup::Leave)));
    press(&mut model, "esc");
    assert!(model.detail.is_open());
    press(&mut model, "esc d");
    assert!(!model.detail.is_open());
}

#[test]
fn leaving_a_record_with_keep_as_draft_keeps_the_draft_in_the_file() {
    let mut model = opened();
    stage_two(&mut model);
    press(&mut model, "esc");
    assert!(matches!(view(&model).popup, Some(Popup::Leave)));
    let effects = press(&mut model, "k");
    assert!(!model.detail.is_open());
    // The file is left as it was (the draft was written when staged), not emptied.
    assert_eq!(drafts_written(&effects), None);
    let kept = model.current_drafts();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].id.as_deref(), Some(ACCOUNT_ID));
    assert_eq!(kept[0].staged.get("Industry"), Some(&json!("Energy")));
    assert!(
        model
            .notice
            .as_deref()
            .unwrap_or("")
            .contains("Kept 2 staged changes"),
        "{:?}",
        model.notice
    );
    // Nothing open is staged: q quits without asking, and the draft stays in the file.
    let effects = press(&mut model, "q");
    assert!(model.quit);
    assert_eq!(drafts_written(&effects), None);
}

#[test]
fn a_record_with_a_kept_draft_reopens_with_the_edits_staged() {
    let mut model = opened();
    stage_two(&mut model);
    press(&mut model, "esc k");
    model.open_record("Account", ACCOUNT_ID);
    assert_eq!(view(&model).staged.get("Industry"), Some(&json!("Energy")));
    assert_eq!(view(&model).opened_at, Some(opened_at()));
    // The draft now lives in the view, once.
    assert_eq!(model.current_drafts().len(), 1);
    // Discarding it from the view empties the file.
    let effects = press(&mut model, "esc d");
    assert_eq!(drafts_written(&effects), Some(Vec::new()));
}

#[test]
fn ctrl_u_clears_a_field_and_ctrl_w_deletes_a_word_in_the_editor() {
    let mut model = opened();
    select(&mut model, "Phone");
    press(&mut model, "e");
    press(&mut model, "ctrl-u");
    type_text(&mut model, "+44 20 7946 0000");
    press(&mut model, "ctrl-w");
    type_text(&mut model, "0958");
    press(&mut model, "enter");
    assert_eq!(
        view(&model).staged.get("Phone"),
        Some(&json!("+44 20 7946 0958"))
    );
}

#[test]
fn z_hides_the_side_panes_in_record_detail_too() {
    let mut model = opened();
    assert!(model.side_panes_shown());
    press(&mut model, "z");
    assert!(!model.side_panes_shown(), "z is listed under Everywhere");
    assert!(model.detail.is_open(), "the record stays open");
    press(&mut model, "z");
    assert!(model.side_panes_shown());
}
