//! The Composer tab without a terminal: pure updates, key sequences through the keymap, and
//! screen snapshots.
use crate::common;

use std::time::Duration;

use common::{model_with, press, render, spawned_req, type_text};
use sfterm::effect::{Effect, Job};
use sfterm::msg::{Msg, Outcome};
use sfterm::requests::body::{BodyKind, BodyText};
use sfterm::requests::request::{RequestKind, SavedRequest};
use sfterm::requests::soap::Wsdl;
use sfterm::state::Model;
use sfterm::state::composer::job::{Change, ComposerJob, ComposerOutcome, ResponseView};
use sfterm::state::composer::{Field, Mode, Row, Section};

pub(crate) fn jobs(effects: &[Effect]) -> Vec<&ComposerJob> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Spawn {
                job: Job::Composer(job),
                ..
            } => Some(job.as_ref()),
            _ => None,
        })
        .collect()
}

fn saved(folder: &[&str], name: &str, method: &str, path: &str) -> SavedRequest {
    let mut r = SavedRequest::new(name, method, path);
    r.folder = folder.iter().map(|s| (*s).to_string()).collect();
    r
}

/// A model on the Composer tab with three saved requests in two folders.
pub(crate) fn composer_model() -> Model {
    let mut model = model_with(common::demo_profiles());
    let effects = press(&mut model, "2");
    let jobs = jobs(&effects);
    assert!(
        matches!(jobs.as_slice(), [ComposerJob::List { .. }]),
        "the first visit reads the saved requests: {jobs:?}"
    );
    let req = spawned_req(&effects);
    let mut soap = saved(
        &["CustomerWS (SOAP)"],
        "getCustomer",
        "POST",
        "/services/Soap/class/CustomerWS",
    );
    soap.kind = RequestKind::Soap;
    let outcome = ComposerOutcome::Listed {
        requests: vec![
            saved(
                &["CustomerRESTWS"],
                "create customer",
                "POST",
                "/services/apexrest/CustomerRESTWS/",
            ),
            saved(
                &["CustomerRESTWS"],
                "customer by id",
                "GET",
                "/services/apexrest/CustomerRESTWS/{{account_id}}",
            ),
            soap,
        ],
        errors: vec![],
        variables: Default::default(),
    };
    model.handle_msg(Msg::Done {
        req,
        outcome: Outcome::Composer(outcome),
    });
    model
}

pub(crate) fn response(status: u16, body: &str) -> ResponseView {
    ResponseView {
        status,
        reason: "OK".into(),
        elapsed: Duration::from_millis(184),
        size: body.len() as u64,
        headers: vec![("content-type".into(), "application/json".into())],
        body: BodyText::new(BodyKind::Json, body),
        raw: body.into(),
        file: None,
        fault: None,
        renewed: false,
    }
}

#[test]
fn folders_list_and_collapse() {
    let mut model = composer_model();
    let rows = model.composer.rows();
    assert_eq!(rows.len(), 5, "{rows:?}");
    assert!(
        matches!(&rows[0], Row::Folder { path, collapsed: false } if path == &["CustomerRESTWS"])
    );
    // Fold the first folder: its two requests disappear.
    press(&mut model, "enter");
    assert_eq!(model.composer.rows().len(), 3);
    press(&mut model, "enter");
    assert_eq!(model.composer.rows().len(), 5);
}

#[test]
fn open_edit_and_send_a_request() {
    let mut model = composer_model();
    press(&mut model, "j j enter");
    assert_eq!(model.composer.section, Section::Editor);
    assert_eq!(model.composer.draft.name, "customer by id");
    assert!(!model.composer.is_dirty());
    // Edit the path in place (enter on the request bar), cycle the quick prefix; esc puts
    // the path back.
    press(&mut model, "enter");
    assert!(matches!(model.composer.mode, Mode::InPlace { .. }));
    press(&mut model, "ctrl-t");
    let Mode::InPlace { input, .. } = &model.composer.mode else {
        panic!("still editing")
    };
    assert_eq!(
        input.text(),
        "/services/data/v{{api_version}}/{{account_id}}"
            .replace("{{account_id}}", "CustomerRESTWS/{{account_id}}")
    );
    assert_eq!(model.composer.draft.path, input.text(), "the draft follows");
    press(&mut model, "esc");
    assert_eq!(
        model.composer.draft.path,
        "/services/apexrest/CustomerRESTWS/{{account_id}}"
    );
    // Add a query parameter and a header.
    press(&mut model, "a");
    type_text(&mut model, "fields: Name");
    press(&mut model, "enter");
    assert_eq!(model.composer.draft.params[0].name, "fields");
    assert_eq!(model.composer.draft.params[0].value, "Name");
    assert!(model.composer.is_dirty());
    // Method cycles.
    press(&mut model, "m");
    assert_eq!(model.composer.draft.method, "POST");
    // Send: one job with the draft; the response arrives and is shown.
    let effects = press(&mut model, "f5");
    let [ComposerJob::Send { request }] = jobs(&effects).as_slice() else {
        panic!("one send job: {effects:?}")
    };
    assert_eq!(request.params.len(), 1);
    assert!(model.composer.is_sending());
    let req = spawned_req(&effects);
    model.handle_msg(Msg::Done {
        req,
        outcome: Outcome::Composer(ComposerOutcome::Sent {
            result: Ok(Box::new(response(
                200,
                r#"{"records":[{"Name":"Acme"},{"Name":"Globex"}]}"#,
            ))),
            entry: None,
        }),
    });
    assert!(!model.composer.is_sending());
    assert_eq!(
        model.composer.response.as_ref().map(|r| r.status),
        Some(200)
    );
    // ctrl-s saves over the stored file.
    let effects = press(&mut model, "ctrl-s");
    assert!(matches!(
        jobs(&effects).as_slice(),
        [ComposerJob::Save {
            replaces: Some(_),
            ..
        }]
    ));
}

#[test]
fn body_editor_types_newlines_and_keeps_text_on_esc() {
    let mut model = composer_model();
    press(&mut model, "l b");
    assert!(matches!(model.composer.mode, Mode::Body(_)));
    type_text(&mut model, "{\"name\":");
    press(&mut model, "enter");
    type_text(&mut model, "\"Globex\"}");
    // q and j are typed, not actions.
    type_text(&mut model, "qj");
    press(&mut model, "backspace backspace esc");
    assert_eq!(
        model.composer.draft.body.as_deref(),
        Some("{\"name\":\n\"Globex\"}")
    );
    assert_eq!(model.composer.field, Field::Body);
    assert!(!model.quit);
}

#[test]
fn find_filter_and_headers_in_the_response() {
    let mut model = composer_model();
    let effects = press(&mut model, "f5");
    let req = spawned_req(&effects);
    model.handle_msg(Msg::Done {
        req,
        outcome: Outcome::Composer(ComposerOutcome::Sent {
            result: Ok(Box::new(response(
                200,
                r#"{"records":[{"Name":"Acme"},{"Name":"Globex"},{"Name":"acme two"}]}"#,
            ))),
            entry: None,
        }),
    });
    press(&mut model, "l l /");
    type_text(&mut model, "acme");
    press(&mut model, "enter");
    assert_eq!(model.composer.matches.len(), 2);
    let first = model.composer.scroll;
    press(&mut model, "n");
    assert!(model.composer.scroll > first);
    press(&mut model, "N");
    assert_eq!(model.composer.scroll, first);
    press(&mut model, "f");
    type_text(&mut model, "$.records[*].Name");
    press(&mut model, "enter");
    assert_eq!(
        model.composer.shown.joined(),
        "[\n  \"Acme\",\n  \"Globex\",\n  \"acme two\"\n]"
    );
    press(&mut model, "H");
    assert_eq!(
        model.composer.shown.lines,
        vec!["content-type: application/json"]
    );
    // Y copies the raw body; the answer comes back to the composer.
    let effects = press(&mut model, "Y");
    let req = effects
        .iter()
        .find_map(|e| match e {
            sfterm::effect::Effect::Copy { req, text } if text.contains("Globex") => Some(*req),
            _ => None,
        })
        .expect("a copy of the body");
    model.handle_msg(sfterm::msg::Msg::Done {
        req,
        outcome: sfterm::msg::Outcome::Copied(Ok(())),
    });
    assert_eq!(
        model.composer.note.as_deref(),
        Some("Copied to the clipboard.")
    );
    // Saving the body asks for a job.
    let effects = {
        press(&mut model, "s");
        press(&mut model, "enter")
    };
    assert!(matches!(
        jobs(&effects).as_slice(),
        [ComposerJob::SaveBody { .. }]
    ));
}

#[test]
fn wsdl_operation_fills_a_soap_skeleton() {
    let mut model = composer_model();
    let effects = press(&mut model, "w");
    assert!(effects.is_empty());
    type_text(&mut model, "CustomerWS");
    let effects = press(&mut model, "enter");
    let [ComposerJob::LoadWsdl(_)] = jobs(&effects).as_slice() else {
        panic!("a WSDL job: {effects:?}")
    };
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/mock-org/CustomerWS.wsdl"
    ))
    .expect("shipped WSDL");
    let wsdl = Wsdl::parse(&text).expect("parses");
    model.handle_msg(Msg::Done {
        req: spawned_req(&effects),
        outcome: Outcome::Composer(ComposerOutcome::Wsdl(Ok((
            "CustomerWS".into(),
            Box::new(wsdl),
        )))),
    });
    assert!(matches!(model.composer.mode, Mode::PickOperation { .. }));
    let screen = render(&model, 120, 40);
    assert!(
        screen.contains("createCustomer(customer: Customer)"),
        "{screen}"
    );
    press(&mut model, "enter");
    let draft = &model.composer.draft;
    assert_eq!(draft.kind, RequestKind::Soap);
    assert_eq!(draft.path, "/services/Soap/class/CustomerWS");
    let body = draft.body.as_deref().expect("a body");
    assert!(body.contains("<tns:createCustomer>"), "{body}");
    assert!(body.contains("<tns:name>?string?</tns:name>"), "{body}");
    assert!(body.contains("SessionHeader"), "{body}");
}

#[test]
fn delete_asks_first_and_new_request_saves() {
    let mut model = composer_model();
    press(&mut model, "j enter");
    let effects = press(&mut model, "d");
    assert!(effects.is_empty());
    assert!(matches!(model.composer.mode, Mode::ConfirmDelete));
    let effects = press(&mut model, "n");
    assert!(effects.is_empty(), "no deletes without a yes");
    press(&mut model, "d");
    let effects = press(&mut model, "y");
    assert!(
        matches!(jobs(&effects).as_slice(), [ComposerJob::Delete { request, .. }] if request.name == "create customer")
    );

    let effects = press(&mut model, "h n");
    assert!(effects.is_empty());
    type_text(&mut model, "Scratch/probe");
    let effects = press(&mut model, "enter");
    let [
        ComposerJob::Save {
            request,
            replaces: None,
            change: Some(Change::Create),
        },
    ] = jobs(&effects).as_slice()
    else {
        panic!("a save: {effects:?}")
    };
    assert_eq!(request.folder, vec!["Scratch"]);
    assert_eq!(request.name, "probe");
}

#[test]
fn soap_fault_and_renewal_are_shown() {
    let mut model = composer_model();
    let effects = press(&mut model, "f5");
    let body = r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><soapenv:Fault><faultcode>sf:INVALID_SESSION_ID</faultcode><faultstring>INVALID_SESSION_ID: Invalid Session ID found in SessionHeader</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>"#;
    let mut view = response(500, body);
    view.body = BodyText::new(BodyKind::Xml, body);
    view.reason = "Internal Server Error".into();
    view.fault = Some(sfterm::requests::soap::Fault {
        code: "sf:INVALID_SESSION_ID".into(),
        message: "INVALID_SESSION_ID: Invalid Session ID found in SessionHeader".into(),
        detail: None,
    });
    model.handle_msg(Msg::Done {
        req: spawned_req(&effects),
        outcome: Outcome::Composer(ComposerOutcome::Sent {
            result: Ok(Box::new(view)),
            entry: None,
        }),
    });
    assert_screen!(render(&model, 120, 40));
}

#[test]
fn composer_screen() {
    let mut model = composer_model();
    press(&mut model, "j j enter");
    let effects = press(&mut model, "f5");
    model.handle_msg(Msg::Done {
        req: spawned_req(&effects),
        outcome: Outcome::Composer(ComposerOutcome::Sent {
            result: Ok(Box::new(response(
                200,
                r#"{"accountId":"001Dn000000001aIAA","name":"Acme Corp.","contacts":[{"lastName":"Davis","firstName":"Amanda"}],"phone":null,"employees":42}"#,
            ))),
            entry: None,
        }),
    });
    assert_screen!(render(&model, 120, 40));
}

#[test]
fn esc_cancels_a_send_in_flight() {
    let mut model = composer_model();
    let effects = press(&mut model, "f5");
    let req = spawned_req(&effects);
    let effects = press(&mut model, "esc");
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Cancel(r) if *r == req)),
        "{effects:?}"
    );
    assert!(!model.composer.is_sending());
    let _ = Duration::ZERO;
}

#[test]
fn enter_on_the_send_button_sends() {
    let mut model = composer_model();
    press(&mut model, "l G");
    assert_eq!(model.composer.field, Field::Send);
    let effects = press(&mut model, "enter");
    assert!(matches!(
        jobs(&effects).as_slice(),
        [ComposerJob::Send { .. }]
    ));
}

#[test]
fn a_postman_environment_opens_the_profile_form_without_the_secret() {
    let mut model = composer_model();
    press(&mut model, "E");
    type_text(&mut model, "env.json");
    let effects = press(&mut model, "enter");
    let [ComposerJob::ImportEnvironment(path)] = jobs(&effects).as_slice() else {
        panic!("an import: {effects:?}")
    };
    assert_eq!(path.to_str(), Some("env.json"));
    let text = r#"{"name": "Acme UAT env", "values": [
        {"key": "url", "value": "https://acme--uat.sandbox.my.salesforce.com", "enabled": true},
        {"key": "clientId", "value": "3MVGuat", "enabled": true},
        {"key": "clientSecret", "value": "uat-secret-value", "enabled": true}]}"#;
    let imported = sfterm::requests::postman::import_environment(
        text,
        "Acme UAT env",
        sfterm::config::profiles::SecretSource::Prompt,
    )
    .expect("imports");
    model.handle_msg(Msg::Done {
        req: spawned_req(&effects),
        outcome: Outcome::Composer(ComposerOutcome::EnvImported(Ok(Box::new(imported)))),
    });
    let sfterm::state::profiles::Mode::Form(form) = &model.profiles.mode else {
        panic!("the profile form is open")
    };
    assert_eq!(form.name_text(), "Acme UAT env");
    assert_eq!(form.client_id.text(), "3MVGuat");
    assert!(form.original_name.is_none(), "a new profile");
    assert_eq!(form.secret_source_name(), "prompt");
    assert_eq!(
        form.secret_value().text(),
        "",
        "the secret is not carried into the form"
    );
    let screen = render(&model, 120, 40);
    assert!(!screen.contains("uat-secret-value"));
}

#[test]
fn opening_another_request_does_not_drop_unsaved_edits_silently() {
    let mut model = composer_model();
    press(&mut model, "j enter m");
    assert!(model.composer.is_dirty());
    assert_eq!(model.composer.draft.method, "PATCH");
    press(&mut model, "h j enter");
    assert_eq!(
        model.composer.draft.name, "create customer",
        "still the edited one"
    );
    assert!(
        model
            .composer
            .note
            .as_deref()
            .is_some_and(|n| n.contains("unsaved"))
    );
    press(&mut model, "enter");
    assert_eq!(model.composer.draft.name, "customer by id");
}

#[test]
fn the_body_editor_scrolls_sideways_with_the_cursor() {
    let mut model = composer_model();
    press(&mut model, "l b");
    let long = format!("{{\"name\": \"{}END\"}}", "x".repeat(150));
    type_text(&mut model, &long);
    let screen = render(&model, 120, 40);
    assert!(screen.contains("xEND\"}"), "{screen}");
    press(&mut model, "home");
    let screen = render(&model, 120, 40);
    assert!(screen.contains("{\"name\": \"xxx"), "{screen}");
}

/// Issue #20, defect 11: a local org answers in under a millisecond; the title said "0 ms".
#[test]
fn the_response_title_shows_a_sub_millisecond_time() {
    let mut model = composer_model();
    let effects = press(&mut model, "f5");
    let mut view = response(200, "{}");
    view.elapsed = Duration::from_micros(664);
    model.handle_msg(Msg::Done {
        req: spawned_req(&effects),
        outcome: Outcome::Composer(ComposerOutcome::Sent {
            result: Ok(Box::new(view)),
            entry: None,
        }),
    });
    let screen = render(&model, 120, 40);
    assert!(screen.contains("200 OK · 0.7 ms · 2 B"), "{screen}");
}

/// The answer to a send of the composer, as the job gives it back.
fn answer(model: &mut Model, effects: &[Effect], view: ResponseView) {
    model.handle_msg(Msg::Done {
        req: spawned_req(effects),
        outcome: Outcome::Composer(ComposerOutcome::Sent {
            result: Ok(Box::new(view)),
            entry: None,
        }),
    });
}

/// Issue #20, defect 4: the find term and filter of one response stayed on the next request's
/// response ("/Jack (0 lines)" over `/limits`). A new response starts clean.
#[test]
fn a_new_response_starts_with_no_find_filter_or_scroll() {
    let mut model = composer_model();
    let effects = press(&mut model, "f5");
    answer(
        &mut model,
        &effects,
        response(
            200,
            r#"{"records":[{"Name":"Jack"},{"Name":"Jill"},{"Name":"Jack two"}]}"#,
        ),
    );
    press(&mut model, "l l /");
    type_text(&mut model, "Jack");
    press(&mut model, "enter f");
    type_text(&mut model, "$.records[*].Name");
    press(&mut model, "enter H j");
    assert_eq!(model.composer.find, "Jack");
    assert!(model.composer.filter.is_some());
    // The next send's answer.
    let effects = press(&mut model, "f5");
    answer(
        &mut model,
        &effects,
        response(
            200,
            r#"{"DailyApiRequests":{"Max":15000,"Remaining":14998}}"#,
        ),
    );
    let c = &model.composer;
    assert_eq!(c.find, "", "the find term belonged to the last response");
    assert!(c.matches.is_empty());
    assert_eq!(c.filter, None);
    assert_eq!(c.scroll, 0);
    assert_eq!(c.response_tab, sfterm::state::composer::ResponseTab::Body);
    assert_eq!(c.shown.lines.first().map(String::as_str), Some("{"));
    let screen = render(&model, 120, 40);
    assert!(!screen.contains("/Jack"), "{screen}");
    assert!(!screen.contains("filter $"), "{screen}");
    assert!(screen.contains("DailyApiRequests"), "{screen}");
}

/// Issue #20, defect 4: the response of one request stayed under the next one opened.
#[test]
fn opening_another_saved_request_leaves_the_last_response_behind() {
    let mut model = composer_model();
    press(&mut model, "j enter");
    let effects = press(&mut model, "f5");
    answer(
        &mut model,
        &effects,
        response(201, r#"{"accountId":"001"}"#),
    );
    press(&mut model, "l /");
    type_text(&mut model, "001");
    press(&mut model, "enter");
    assert_eq!(model.composer.matches.len(), 1);
    // The same request again keeps its answer; another one does not show it.
    press(&mut model, "h h enter");
    assert_eq!(model.composer.draft.name, "create customer");
    assert!(model.composer.response.is_some());
    press(&mut model, "h j enter");
    assert_eq!(model.composer.draft.name, "customer by id");
    assert!(model.composer.response.is_none());
    assert_eq!(model.composer.find, "");
    let screen = render(&model, 120, 40);
    assert!(!screen.contains("accountId"), "{screen}");
}

/// Issue #20, defect 10: an invalid JSONPath left the title saying "filter $.nope[" over the
/// unfiltered body. The error is shown with its position; the title claims no filter.
#[test]
fn an_invalid_filter_shows_its_error_and_is_not_claimed() {
    let mut model = composer_model();
    let effects = press(&mut model, "f5");
    answer(
        &mut model,
        &effects,
        response(200, r#"{"records":[{"Name":"Acme"}]}"#),
    );
    press(&mut model, "l l f");
    type_text(&mut model, "$.nope[");
    press(&mut model, "enter");
    assert_eq!(model.composer.filter, None, "not applied");
    let screen = render(&model, 120, 40);
    let title = screen
        .lines()
        .find(|l| l.contains("200 OK"))
        .expect("the response title");
    assert!(!title.contains("filter"), "{title}");
    assert!(
        screen.contains("filter $.nope[ not applied: a ']' is missing"),
        "{screen}"
    );
    // The caret points past the '[' (character 8), under the expression.
    let line = screen
        .lines()
        .position(|l| l.contains("filter $.nope[ not applied"))
        .expect("the error line");
    let error = screen.lines().nth(line).expect("line");
    let caret = screen.lines().nth(line + 1).expect("the caret line");
    let at = |l: &str, pat: &str| l.find(pat).map(|b| l[..b].chars().count());
    assert_eq!(
        at(caret, "^"),
        at(error, "$.nope[").map(|c| c + "$.nope[".len()),
        "{error}\n{caret}"
    );
    // f opens the input on the expression to fix; a good one applies and is claimed.
    press(&mut model, "f");
    let Mode::Input { input, .. } = &model.composer.mode else {
        panic!("the filter input")
    };
    assert_eq!(input.text(), "$.nope[");
    press(&mut model, "ctrl-u");
    type_text(&mut model, "$.records[0].Name");
    press(&mut model, "enter");
    assert_eq!(model.composer.filter.as_deref(), Some("$.records[0].Name"));
    let screen = render(&model, 160, 40);
    assert!(screen.contains("filter $.records[0].Name"), "{screen}");
    assert!(!screen.contains("not applied"), "{screen}");
}

/// Issue #20, conventions: esc clears an applied find and filter of the response view (and a
/// send in flight is still what esc cancels first).
#[test]
fn esc_clears_the_find_and_filter_of_the_response() {
    let mut model = composer_model();
    let effects = press(&mut model, "f5");
    let body = r#"{"records":[{"Name":"Acme"},{"Name":"Globex"}]}"#;
    answer(&mut model, &effects, response(200, body));
    press(&mut model, "l l f");
    type_text(&mut model, "$.records[*].Name");
    press(&mut model, "enter /");
    type_text(&mut model, "globex");
    press(&mut model, "enter");
    assert!(model.composer.filter.is_some());
    assert_eq!(model.composer.matches.len(), 1);
    press(&mut model, "esc");
    let c = &model.composer;
    assert_eq!(c.filter, None);
    assert_eq!(c.find, "");
    assert!(c.matches.is_empty());
    assert_eq!(c.shown, BodyText::new(BodyKind::Json, body));
    // A bad filter's error goes too.
    press(&mut model, "f");
    type_text(&mut model, "$.[");
    press(&mut model, "enter");
    assert!(model.composer.filter_error.is_some());
    press(&mut model, "esc");
    assert!(model.composer.filter_error.is_none());
    assert!(!render(&model, 120, 40).contains("not applied"));
}
