//! Record detail snapshots: the detail view with staged changes and a failed save, each editor
//! kind, the conflict view, the create form with an error, the drafts popup and the quit question.
use crate::common;
use crate::fixture;

use common::{demo_profiles, model_with, press, render, type_text};
use fixture::*;
use serde_json::{Map, json};
use sfterm::state::Model;
use sfterm::state::record_detail::Draft;
use sfterm::state::record_detail::job::{RecordOutcome, WriteFailure};

fn screen(model: &Model) -> String {
    render(model, 120, 40)
}

/// The Contact create form, loaded.
fn contact_form() -> Model {
    let mut model = connected();
    let (req, _) = one_job(&model.new_record("Contact"));
    done(
        &mut model,
        req,
        RecordOutcome::Described(Ok(describe("Contact"))),
    );
    model
}

#[test]
fn detail_with_staged_changes_and_a_failed_save() {
    let mut model = opened();
    stage_two(&mut model);
    let (req, _) = one_job(&press(&mut model, "ctrl-s"));
    done(
        &mut model,
        req,
        RecordOutcome::Saved(Err(WriteFailure::Failed {
            message: "FIELD_CUSTOM_VALIDATION_EXCEPTION: Phone must start with +1".into(),
            fields: vec!["Phone".into()],
        })),
    );
    select(&mut model, "Name");
    let text = screen(&model);
    assert!(text.contains("Manufacturing → Energy"), "{text}");
    assert!(text.contains("(staged)"));
    assert!(text.contains("ctrl-s save 2 changes"));
    assert_screen!(text);
}

#[test]
fn detail_read_only_fields_come_after_the_editable_ones() {
    let mut model = opened();
    press(&mut model, "G");
    let text = screen(&model);
    assert!(text.contains("read-only"), "{text}");
    assert_screen!(text);
}

#[test]
fn editor_text_with_counter() {
    let mut model = opened();
    select(&mut model, "Phone");
    press(&mut model, "e");
    assert_screen!(screen(&model));
}

#[test]
fn editor_textarea() {
    let mut model = opened();
    select(&mut model, "Description");
    press(&mut model, "e");
    type_text(&mut model, "First line");
    press(&mut model, "enter");
    type_text(&mut model, "Second line");
    assert_screen!(screen(&model));
}

#[test]
fn editor_currency_refuses_too_many_decimals() {
    let mut model = opened();
    select(&mut model, "AnnualRevenue");
    press(&mut model, "e");
    type_text(&mut model, ".55");
    press(&mut model, "enter");
    let text = screen(&model);
    assert!(text.contains("at most 0 decimal places"), "{text}");
    assert_screen!(text);
}

#[test]
fn editor_picklist_filtered() {
    let mut model = opened();
    select(&mut model, "Industry");
    press(&mut model, "e");
    type_text(&mut model, "en");
    assert_screen!(screen(&model));
}

#[test]
fn editor_reference_results() {
    let mut model = opened();
    select(&mut model, "ParentId");
    press(&mut model, "e");
    for _ in 0.."Acme Holdings".len() {
        press(&mut model, "backspace");
    }
    type_text(&mut model, "Glob");
    let (req, _) = one_job(&press(&mut model, "enter"));
    done(
        &mut model,
        req,
        RecordOutcome::Found(Ok(vec![
            ("001Dn00000Glob1AAB".into(), "Globex".into()),
            ("001Dn00000Glob2AAB".into(), "Globex Japan".into()),
        ])),
    );
    press(&mut model, "down");
    assert_screen!(screen(&model));
}

#[test]
fn editor_date_with_an_invalid_date() {
    let mut model = contact_form();
    select(&mut model, "Birthdate");
    press(&mut model, "e");
    type_text(&mut model, "31/12/1990");
    press(&mut model, "enter");
    let text = screen(&model);
    assert!(text.contains("use YYYY-MM-DD"), "{text}");
    assert_screen!(text);
}

#[test]
fn editor_datetime() {
    let mut model = contact_form();
    select(&mut model, "EmailBouncedDate");
    press(&mut model, "e");
    type_text(&mut model, "2026-03-31 14:30");
    assert_screen!(screen(&model));
}

#[test]
fn editor_boolean() {
    let mut model = connected();
    let (req, _) = one_job(&model.new_record("Lead"));
    done(
        &mut model,
        req,
        RecordOutcome::Described(Ok(describe("Lead"))),
    );
    select(&mut model, "IsUnreadByOwner");
    press(&mut model, "e space");
    assert_screen!(screen(&model));
}

#[test]
fn conflict_view() {
    let model = in_conflict();
    let text = screen(&model);
    assert!(text.contains("Yours"), "{text}");
    assert!(text.contains("Utilities"));
    assert!(text.contains("r reload and re-apply mine"), "{text}");
    assert_screen!(text);
}

#[test]
fn create_form_with_an_error() {
    let mut model = contact_form();
    select(&mut model, "FirstName");
    press(&mut model, "e");
    type_text(&mut model, "Ada");
    press(&mut model, "enter");
    let (req, _) = one_job(&press(&mut model, "ctrl-s"));
    done(
        &mut model,
        req,
        RecordOutcome::Created(Err(WriteFailure::Failed {
            message: "REQUIRED_FIELD_MISSING: Required fields are missing: [LastName]".into(),
            fields: vec!["LastName".into()],
        })),
    );
    let text = screen(&model);
    assert!(
        text.contains("Required fields are missing: [LastName]"),
        "{text}"
    );
    assert!(text.contains("Ada"));
    assert_screen!(text);
}

#[test]
fn drafts_popup() {
    let mut model = model_with(demo_profiles());
    let mut staged = Map::new();
    staged.insert("Industry".into(), json!("Energy"));
    staged.insert("Phone".into(), json!("+1 415 555 0199"));
    let draft = Draft {
        profile: Some("Demo org".into()),
        object: "Account".into(),
        id: Some(ACCOUNT_ID.into()),
        title: "Acme Corp".into(),
        opened_at: Some(opened_at()),
        staged,
        mass: None,
    };
    let mut form = Map::new();
    form.insert("FirstName".into(), json!("Ada"));
    let new_contact = Draft {
        id: None,
        object: "Contact".into(),
        title: "New Contact".into(),
        staged: form,
        ..draft.clone()
    };
    model.offer_drafts(vec![draft, new_contact]);
    assert_screen!(screen(&model));
}

#[test]
fn quit_with_staged_changes() {
    let mut model = opened();
    stage_two(&mut model);
    press(&mut model, "q");
    let text = screen(&model);
    assert!(text.contains("Discard 2 staged changes?"), "{text}");
    assert_screen!(text);
}

#[test]
fn the_value_always_shows_and_the_type_column_uses_the_room_there_is() {
    let model = opened();
    // 60x16 with the side panes: the value column stays (the type and flags give way).
    let narrow = render(&model, 60, 16);
    let row = narrow
        .lines()
        .find(|l| l.contains('▸'))
        .expect("the focused row (Account Name)");
    assert!(row.contains("Acme Corp"), "{narrow}");
    // 250 columns: whole type names, nothing cut in the type column.
    let wide = render(&model, 250, 40);
    assert!(wide.contains("reference(RecordType)"), "{wide}");
    assert!(wide.contains("reference(Account)"), "{wide}");
    assert!(!wide.contains("reference(Reco…"), "{wide}");
}

#[test]
fn a_staged_value_shows_whole_at_80x24_beside_the_side_panes() {
    let mut model = opened();
    press(&mut model, "g e");
    type_text(&mut model, " Ltd");
    press(&mut model, "enter");
    let screen = render(&model, 80, 24);
    assert!(screen.contains("Acme Corp → Acme Corp Ltd"), "{screen}");
}
