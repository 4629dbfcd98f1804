//! Mass edit of selected rows (#21): pure updates of the selection (space, V, *, esc), staging
//! a field with its typed editor and sending it, an answer with a failed row, deleting with the
//! production guard, the draft written and restored; key sequences through the keymap and
//! snapshots of the marks, the failures popup and the typed-count question.
use crate::common;
use crate::fixture::records_jobs;

use common::{demo_profiles, model_with, press, render, session, spawned_req, t0, type_text};
use serde_json::{Value, json};
use sfterm::action::Action;
use sfterm::effect::{Effect, RequestId, RequestIds};
use sfterm::msg::{Msg, Outcome};
use sfterm::state::Model;
use sfterm::state::record_detail::job::RecordEffect;
use sfterm::state::record_detail::{Draft, MassDraft};
use sfterm::state::records::job::{PageRows, RecordsJob, RecordsOutcome};
use sfterm::state::records::rowstore::RowStore;
use sfterm::state::records::{MassPopup, RecordsState, Reply};

fn id(i: usize) -> String {
    format!("001Dn{i:010}AAA")
}

/// A page of `n` accounts under `columns` (Industry empty).
fn page(columns: &[String], n: usize, total: u64) -> PageRows {
    let mut rows = RowStore::new(columns.to_vec());
    for i in 0..n {
        let name = format!("Account {i:03}");
        let cells: Vec<Option<&str>> = columns
            .iter()
            .map(|c| match c.as_str() {
                "Name" => Some(name.as_str()),
                "Owner.Name" => Some("Integration User"),
                "LastModifiedDate" => Some("2026-11-27 10:02"),
                _ => None,
            })
            .collect();
        rows.push(&id(i), cells).expect("push");
    }
    PageRows {
        rows,
        total,
        next_url: (n as u64 > total).then(|| "/q/next".to_owned()),
    }
}

/// A connected list state with `n` Accounts loaded and the Account describe.
fn loaded(n: usize) -> (RecordsState, RequestIds) {
    let mut ids = RequestIds::default();
    let mut s = RecordsState::default();
    s.viewport = 20;
    let effects = s.connected("Demo org", &mut ids);
    for (req, job) in records_jobs(&effects) {
        let outcome = match job {
            RecordsJob::Query { columns, .. } => {
                RecordsOutcome::Page(Ok(page(&columns, n, n as u64)))
            }
            RecordsJob::Describe { .. } => {
                RecordsOutcome::Described(Ok(crate::fixture::describe("Account")))
            }
            _ => continue,
        };
        s.on_outcome(req, outcome, &mut ids);
    }
    assert_eq!(s.view().rows.len(), n);
    (s, ids)
}

fn act(s: &mut RecordsState, ids: &mut RequestIds, action: Action) -> Vec<Effect> {
    match s.update(action, t0(), ids) {
        Reply::Effects(effects) => effects,
        other => panic!("expected effects, got {other:?}"),
    }
}

fn selected(s: &RecordsState) -> Vec<String> {
    s.mass.selected.iter().cloned().collect()
}

#[test]
fn space_v_star_and_esc_select_rows_by_id() {
    let (mut s, mut ids) = loaded(30);
    act(&mut s, &mut ids, Action::ToggleSelect);
    assert_eq!(s.view().cursor, 1, "space moves down");
    act(&mut s, &mut ids, Action::ToggleSelect);
    assert_eq!(selected(&s), [id(0), id(1)]);
    // Again on a selected row unselects it.
    act(&mut s, &mut ids, Action::Up);
    act(&mut s, &mut ids, Action::ToggleSelect);
    assert_eq!(selected(&s), [id(0)]);
    assert!(s.is_marked(0) && !s.is_marked(1));

    // V starts a range at row 5; the rows up to the cursor show marked; V again selects them.
    for _ in 0..3 {
        act(&mut s, &mut ids, Action::Down);
    }
    assert_eq!(s.view().cursor, 5);
    act(&mut s, &mut ids, Action::SelectRange);
    for _ in 0..3 {
        act(&mut s, &mut ids, Action::Down);
    }
    assert!(s.is_marked(6), "inside the range being marked");
    assert_eq!(
        s.mass.count("Account"),
        1,
        "not selected before the second V"
    );
    act(&mut s, &mut ids, Action::SelectRange);
    assert_eq!(s.mass.count("Account"), 5);
    assert!((5..=8).all(|r| s.is_marked(r)) && !s.is_marked(9));

    // esc first leaves a range being marked, then clears the selection.
    act(&mut s, &mut ids, Action::SelectRange);
    act(&mut s, &mut ids, Action::Cancel);
    assert!(s.mass.anchor.is_none());
    assert_eq!(s.mass.count("Account"), 5);
    act(&mut s, &mut ids, Action::Cancel);
    assert_eq!(s.mass.count("Account"), 0);

    // * selects every loaded row, again none.
    act(&mut s, &mut ids, Action::SelectAll);
    assert_eq!(s.mass.count("Account"), 30);
    act(&mut s, &mut ids, Action::SelectAll);
    assert_eq!(s.mass.count("Account"), 0);

    // By Id: the rows stay selected when the list moves, and go with another object.
    act(&mut s, &mut ids, Action::SelectAll);
    act(&mut s, &mut ids, Action::Bottom);
    act(&mut s, &mut ids, Action::Top);
    assert_eq!(s.mass.count("Account"), 30);
    act(&mut s, &mut ids, Action::NextObject);
    assert_eq!(s.view().object, "Contact");
    act(&mut s, &mut ids, Action::PrevObject);
    assert_eq!(s.mass.count("Account"), 0, "cleared on object change");
    act(&mut s, &mut ids, Action::SelectAll);
    s.forget_org();
    assert_eq!(s.mass.count("Account"), 0, "cleared on org change");
}

#[test]
fn esc_stops_loading_first_then_clears_the_selection_then_the_quick_search() {
    let (mut s, mut ids) = loaded(10);
    act(&mut s, &mut ids, Action::ToggleSelect);
    // A quick search applied (its page loaded).
    act(&mut s, &mut ids, Action::QuickSearch);
    for c in "acc".chars() {
        s.type_key(ratatui::crossterm::event::KeyEvent::from(
            ratatui::crossterm::event::KeyCode::Char(c),
        ));
    }
    let effects = act(&mut s, &mut ids, Action::Submit);
    let (req, _) = records_jobs(&effects).remove(0);
    assert!(s.view().fetch.is_some());
    act(&mut s, &mut ids, Action::Cancel);
    assert!(s.view().fetch.is_none(), "loading stopped");
    assert_eq!(s.mass.count("Account"), 1, "the selection stays");
    let _ = req;
    act(&mut s, &mut ids, Action::Cancel);
    assert_eq!(s.mass.count("Account"), 0);
    assert!(matches!(
        s.view().filter,
        sfterm::state::records::Filter::Quick(_)
    ));
    act(&mut s, &mut ids, Action::Cancel);
    assert_eq!(s.view().filter, sfterm::state::records::Filter::None);
}

/// Selects rows 0..n, picks Industry in the chooser and accepts `value` in its editor.
fn stage_industry(s: &mut RecordsState, ids: &mut RequestIds, n: usize, value: &str) {
    for _ in 0..n {
        act(s, ids, Action::ToggleSelect);
    }
    act(s, ids, Action::MassEdit);
    assert!(matches!(s.mass.popup, Some(MassPopup::Fields { .. })));
    for c in "industry".chars() {
        s.type_key(ratatui::crossterm::event::KeyEvent::from(
            ratatui::crossterm::event::KeyCode::Char(c),
        ));
    }
    let rows = s.mass_field_rows();
    let describe = s.describe("Account").expect("describe").clone();
    assert_eq!(
        describe.fields[rows[0].item].name, "Industry",
        "best match first"
    );
    act(s, ids, Action::Submit);
    let Some(MassPopup::Editor(editor)) = &s.mass.popup else {
        panic!("the typed editor: {:?}", s.mass.popup);
    };
    assert_eq!(editor.field, "Industry");
    for c in value.chars() {
        s.type_key(ratatui::crossterm::event::KeyEvent::from(
            ratatui::crossterm::event::KeyCode::Char(c),
        ));
    }
    act(s, ids, Action::Submit);
}

#[test]
fn e_stages_the_typed_value_and_ctrl_s_sends_one_collections_job_with_every_id() {
    let (mut s, mut ids) = loaded(60);
    stage_industry(&mut s, &mut ids, 50, "Energy");
    let staged = s.mass.staged.clone().expect("staged");
    assert_eq!(staged.summary(), "Industry = Energy");
    assert_eq!(staged.ids.len(), 50);
    assert_eq!(staged.ids[0], id(0), "in list order");
    assert!(s.mass.popup.is_none());
    // The draft holds it.
    let draft = s.mass.draft().expect("a draft");
    assert_eq!(draft.staged.get("Industry"), Some(&json!("Energy")));
    assert_eq!(draft.mass.as_ref().map(|m| m.ids.len()), Some(50));
    // Selecting is refused while it is staged.
    act(&mut s, &mut ids, Action::ToggleSelect);
    assert_eq!(s.mass.count("Account"), 50);
    assert!(s.notice.as_deref().unwrap_or("").contains("ctrl-s"));

    let effects = act(&mut s, &mut ids, Action::SaveMassEdit);
    let (req, job) = records_jobs(&effects).remove(0);
    let RecordsJob::MassUpdate {
        object,
        ids: sent,
        fields,
    } = job
    else {
        panic!("{job:?}");
    };
    assert_eq!((object.as_str(), sent.len()), ("Account", 50));
    assert_eq!(Value::Object(fields), json!({"Industry": "Energy"}));

    // Row 7 fails: 49 change in place, the failure is listed and stays selected.
    let mut errors = vec![None; 50];
    errors[7] = Some("FIELD_CUSTOM_VALIDATION_EXCEPTION: Industry is locked (Industry)".into());
    s.on_outcome(req, RecordsOutcome::MassWritten(Ok(errors)), &mut ids);
    let industry = s
        .view()
        .columns
        .iter()
        .position(|c| c == "Industry")
        .expect("Industry column");
    let energy = (0..50)
        .filter(|r| s.view().rows.cell(*r, industry) == Some("Energy"))
        .count();
    assert_eq!(energy, 49);
    assert_eq!(s.view().rows.cell(7, industry), None);
    assert_eq!(selected(&s), [id(7)]);
    assert!(s.mass.staged.is_none());
    assert_eq!(
        s.notice.as_deref(),
        Some("49 updated, 1 failed (still selected).")
    );
    let Some(MassPopup::Failures { rows, .. }) = &s.mass.popup else {
        panic!("the failures popup");
    };
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].name, "Account 007");
    assert!(
        rows[0]
            .error
            .starts_with("FIELD_CUSTOM_VALIDATION_EXCEPTION")
    );
    act(&mut s, &mut ids, Action::Cancel);
    assert!(s.mass.popup.is_none());
}

#[test]
fn the_written_rows_are_read_again_and_show_what_salesforce_set() {
    let (mut s, mut ids) = loaded(260);
    // 260 selected: the rows are read again 200 at a time.
    stage_industry(&mut s, &mut ids, 260, "Energy");
    let effects = act(&mut s, &mut ids, Action::SaveMassEdit);
    let (req, _) = records_jobs(&effects).remove(0);
    let mut errors = vec![None; 260];
    errors[3] = Some("FIELD_CUSTOM_VALIDATION_EXCEPTION: no".into());
    let effects = s.on_outcome(req, RecordsOutcome::MassWritten(Ok(errors)), &mut ids);
    let refetches: Vec<(RequestId, Vec<String>, String)> = records_jobs(&effects)
        .into_iter()
        .filter_map(|(req, job)| match job {
            RecordsJob::Refetch { ids, soql, .. } => Some((req, ids, soql)),
            _ => None,
        })
        .collect();
    assert_eq!(refetches.len(), 2, "{effects:?}");
    assert_eq!(refetches[0].1.len(), 200);
    assert_eq!(refetches[1].1.len(), 59);
    assert!(
        !refetches.iter().any(|(_, ids, _)| ids.contains(&id(3))),
        "the failed row is not read"
    );
    assert!(
        refetches[0]
            .2
            .contains(&format!("WHERE Id IN ('{}', '{}'", id(0), id(1))),
        "{}",
        refetches[0].2
    );
    // Salesforce's answer: the new LastModifiedDate; row 5 is gone (deleted meanwhile).
    let columns = s.view().columns.clone();
    let mut fresh = RowStore::new(columns.clone());
    for wanted in refetches[0].1.iter().filter(|i| **i != id(5)) {
        let cells: Vec<Option<&str>> = columns
            .iter()
            .map(|c| match c.as_str() {
                "Name" => Some("Renamed by a trigger"),
                "Industry" => Some("Energy"),
                "LastModifiedDate" => Some("2026-12-07 03:30"),
                _ => None,
            })
            .collect();
        fresh.push(wanted, cells).expect("push");
    }
    s.on_outcome(
        refetches[0].0,
        RecordsOutcome::Refetched {
            ids: refetches[0].1.clone(),
            result: Ok(Some(fresh)),
        },
        &mut ids,
    );
    let view = s.view();
    let column = |name: &str| columns.iter().position(|c| c == name).expect(name);
    assert_eq!(
        view.rows.position(&id(5)),
        None,
        "gone from the org, gone from the list"
    );
    assert_eq!(view.total, Some(259));
    let row = view.rows.position(&id(0)).expect("row 0");
    assert_eq!(
        view.rows.cell(row, column("Name")),
        Some("Renamed by a trigger")
    );
    assert_eq!(
        view.rows.cell(row, column("LastModifiedDate")),
        Some("2026-12-07 03:30")
    );
    let failed = view.rows.position(&id(3)).expect("row 3");
    assert_eq!(
        view.rows.cell(failed, column("Name")),
        Some("Account 003"),
        "not written, not read"
    );
    let later = view.rows.position(&id(250)).expect("row 250");
    assert_eq!(
        view.rows.cell(later, column("LastModifiedDate")),
        Some("2026-11-27 10:02"),
        "its read has not answered yet"
    );
}

#[test]
fn u_undoes_the_staged_edit_and_a_failed_send_keeps_it() {
    let (mut s, mut ids) = loaded(10);
    stage_industry(&mut s, &mut ids, 3, "Energy");
    act(&mut s, &mut ids, Action::UndoMassEdit);
    assert!(s.mass.staged.is_none());
    assert_eq!(s.mass.count("Account"), 3, "the rows stay selected");

    act(&mut s, &mut ids, Action::MassEdit);
    act(&mut s, &mut ids, Action::Submit);
    act(&mut s, &mut ids, Action::Cancel);
    assert!(s.mass.staged.is_none(), "esc in the editor stages nothing");

    stage_industry(&mut s, &mut ids, 0, "Energy");
    let effects = act(&mut s, &mut ids, Action::SaveMassEdit);
    let (req, _) = records_jobs(&effects).remove(0);
    let error = sfterm::state::records::job::JobError::not_connected();
    s.on_outcome(req, RecordsOutcome::MassWritten(Err(error)), &mut ids);
    assert!(s.mass.staged.is_some(), "nothing was sent: still staged");
    assert!(
        s.notice
            .as_deref()
            .unwrap_or("")
            .starts_with("Nothing was sent")
    );
}

#[test]
fn d_deletes_after_asking_and_on_production_only_with_the_count_typed() {
    let (mut s, mut ids) = loaded(10);
    for _ in 0..3 {
        act(&mut s, &mut ids, Action::ToggleSelect);
    }
    act(&mut s, &mut ids, Action::MassDelete);
    assert!(matches!(
        s.mass.popup,
        Some(MassPopup::ConfirmDelete { .. })
    ));
    act(&mut s, &mut ids, Action::Deny);
    assert!(s.mass.popup.is_none());

    s.production = true;
    act(&mut s, &mut ids, Action::MassDelete);
    assert!(s.mass.wants_text(s.production), "the count is typed");
    for c in "2".chars() {
        s.type_key(ratatui::crossterm::event::KeyEvent::from(
            ratatui::crossterm::event::KeyCode::Char(c),
        ));
    }
    assert!(
        act(&mut s, &mut ids, Action::Submit).is_empty(),
        "2 is not 3"
    );
    assert_eq!(s.notice.as_deref(), Some("Type 3 exactly to delete them."));
    s.type_key(ratatui::crossterm::event::KeyEvent::from(
        ratatui::crossterm::event::KeyCode::Backspace,
    ));
    s.type_key(ratatui::crossterm::event::KeyEvent::from(
        ratatui::crossterm::event::KeyCode::Char('3'),
    ));
    let effects = act(&mut s, &mut ids, Action::Submit);
    let (req, job) = records_jobs(&effects).remove(0);
    assert_eq!(
        job,
        RecordsJob::MassDelete {
            object: "Account".into(),
            ids: vec![id(0), id(1), id(2)],
        }
    );
    let errors = vec![None, Some("DELETE_FAILED: has open cases".into()), None];
    s.on_outcome(req, RecordsOutcome::MassWritten(Ok(errors)), &mut ids);
    assert_eq!(s.view().rows.len(), 8, "two rows left the list");
    assert_eq!(s.view().total, Some(8), "and the count");
    assert_eq!(selected(&s), [id(1)]);
    assert_eq!(
        s.notice.as_deref(),
        Some("2 deleted, 1 failed (still selected).")
    );
}

// ---- through the Model: keys, drafts, production, snapshots ----

/// Connected to `profile` (index in [`demo_profiles`]) with 60 Accounts and their describe.
fn model(profile: usize) -> Model {
    let mut model = model_with(demo_profiles());
    for _ in 0..profile {
        press(&mut model, "j");
    }
    let req = spawned_req(&press(&mut model, "enter"));
    let mut login = session();
    login.profile = demo_profiles()[profile].name.clone();
    let effects = model.handle_msg(Msg::Done {
        req,
        outcome: Outcome::Login(Ok(login)),
    });
    for (req, job) in records_jobs(&effects) {
        let outcome = match job {
            RecordsJob::Query { columns, .. } => RecordsOutcome::Page(Ok(page(&columns, 60, 60))),
            RecordsJob::Describe { .. } => {
                RecordsOutcome::Described(Ok(crate::fixture::describe("Account")))
            }
            _ => continue,
        };
        model.handle_msg(Msg::Done {
            req,
            outcome: Outcome::Records(outcome),
        });
    }
    press(&mut model, "1");
    model
}

fn drafts_written(effects: &[Effect]) -> Option<Vec<Draft>> {
    effects.iter().find_map(|e| match e {
        Effect::Record(RecordEffect::WriteDrafts(drafts)) => Some(drafts.clone()),
        _ => None,
    })
}

#[test]
fn keys_select_stage_write_the_draft_and_send() {
    let mut model = model(0);
    press(&mut model, "space space space j V j j V");
    assert_eq!(model.records.mass.count("Account"), 6);
    press(&mut model, "E");
    type_text(&mut model, "industr");
    press(&mut model, "enter");
    type_text(&mut model, "Energy");
    let effects = press(&mut model, "enter");
    let drafts = drafts_written(&effects).expect("the drafts file is written at once");
    assert_eq!(drafts.len(), 1);
    assert_eq!(drafts[0].mass.as_ref().map(|m| m.ids.len()), Some(6));
    assert_eq!(drafts[0].profile.as_deref(), Some("Demo org"));
    let screen = render(&model, 120, 30);
    assert!(
        screen.contains("staged: Industry = Energy for 6 selected Account · ctrl-s save · u undo"),
        "{screen}"
    );
    let effects = press(&mut model, "ctrl-s");
    assert!(
        records_jobs(&effects)
            .iter()
            .any(|(_, j)| matches!(j, RecordsJob::MassUpdate { ids, .. } if ids.len() == 6))
    );
    // q while it is staged asks first.
    press(&mut model, "q");
    assert!(!model.quit);
    assert!(model.overlay.is_some());
}

#[test]
fn ctrl_e_hands_a_text_value_to_the_editor_and_it_comes_back_to_the_mass_editor() {
    let mut model = model(0);
    press(&mut model, "space space E");
    type_text(&mut model, "description");
    press(&mut model, "enter");
    type_text(&mut model, "draft");
    let screen = render(&model, 120, 30);
    assert!(screen.contains("ctrl-e $EDITOR"), "{screen}");
    let effects = press(&mut model, "ctrl-e");
    let (req, text) = effects
        .iter()
        .find_map(|e| match e {
            Effect::OpenEditor {
                req,
                text,
                extension: "txt",
            } => Some((*req, text.clone())),
            _ => None,
        })
        .expect("$EDITOR opened on the value");
    assert_eq!(text, "draft");
    // What the editor gives back replaces the value (less the newline editors add).
    model.handle_msg(Msg::Done {
        req,
        outcome: Outcome::Edited(Ok("Line one\nLine two\n".into())),
    });
    let Some(MassPopup::Editor(editor)) = &model.records.mass.popup else {
        panic!("the editor stays open: {:?}", model.records.mass.popup);
    };
    assert_eq!(editor.text(), "Line one\nLine two");
    press(&mut model, "ctrl-s");
    let staged = model.records.mass.staged.as_ref().expect("staged");
    assert_eq!(staged.field, "Description");
    assert_eq!(staged.value, json!("Line one\nLine two"));
    assert_eq!(staged.ids.len(), 2);
    // A late answer for an editor no longer open changes nothing (nor the composer's body).
    let body = model.composer.draft.body.clone();
    model.handle_msg(Msg::Done {
        req,
        outcome: Outcome::Edited(Ok("again".into())),
    });
    assert_eq!(
        model.records.mass.staged.as_ref().map(|e| e.value.clone()),
        Some(json!("Line one\nLine two"))
    );
    assert_eq!(model.composer.draft.body, body);
}

#[test]
fn on_production_saving_asks_first() {
    let mut model = model(2);
    assert!(model.records.production);
    press(&mut model, "space E");
    type_text(&mut model, "industry");
    press(&mut model, "enter");
    type_text(&mut model, "Energy");
    press(&mut model, "enter");
    let effects = press(&mut model, "ctrl-s");
    assert!(records_jobs(&effects).is_empty(), "asks first");
    assert!(matches!(
        model.records.mass.popup,
        Some(MassPopup::ConfirmSave)
    ));
    let effects = press(&mut model, "y");
    assert_eq!(records_jobs(&effects).len(), 1);
}

#[test]
fn a_mass_draft_offered_at_start_is_staged_again_on_its_records() {
    let mut model = model(0);
    let mut staged = serde_json::Map::new();
    staged.insert("Industry".into(), json!("Energy"));
    let draft = Draft {
        profile: Some("Demo org".into()),
        object: "Account".into(),
        id: None,
        title: "3 selected".into(),
        opened_at: None,
        staged,
        mass: Some(MassDraft {
            ids: vec![id(1), id(2), id(40)],
            label: "Industry".into(),
            shown: "Energy".into(),
        }),
    };
    model.offer_drafts(vec![draft.clone()]);
    let screen = render(&model, 120, 30);
    assert!(
        screen.contains("Industry = Energy on 3 Account records"),
        "{screen}"
    );
    let effects = press(&mut model, "r");
    assert!(model.overlay.is_none());
    let staged = model.records.mass.staged.clone().expect("staged again");
    assert_eq!(staged.ids, [id(1), id(2), id(40)]);
    assert_eq!(model.records.mass.count("Account"), 3);
    assert!(model.records.is_marked(40));
    // The drafts file still holds it (now from the list).
    assert_eq!(model.current_drafts(), vec![draft]);
    let _ = effects;
}

#[test]
fn snapshot_selection_marks_and_count() {
    let mut model = model(0);
    press(&mut model, "space space j j V j j V j *");
    // * selected every row: again clears, then mark a few again.
    press(&mut model, "* g space j space");
    assert_eq!(model.records.mass.count("Account"), 2);
    press(&mut model, "j j V j");
    assert_screen!(render(&model, 100, 20));
}

#[test]
fn snapshot_failures_popup() {
    let mut model = model(0);
    press(&mut model, "space space space E");
    type_text(&mut model, "industry");
    press(&mut model, "enter");
    type_text(&mut model, "Energy");
    press(&mut model, "enter");
    let req = spawned_req(&press(&mut model, "ctrl-s"));
    model.handle_msg(Msg::Done {
        req,
        outcome: Outcome::Records(RecordsOutcome::MassWritten(Ok(vec![
            None,
            Some(
                "FIELD_CUSTOM_VALIDATION_EXCEPTION: Industry cannot change this quarter (Industry)"
                    .into(),
            ),
            None,
        ]))),
    });
    assert_screen!(render(&model, 100, 24));
}

#[test]
fn snapshot_production_delete_asks_for_the_count() {
    let mut model = model(2);
    press(&mut model, "space space space space D");
    type_text(&mut model, "4");
    assert_screen!(render(&model, 100, 24));
}
