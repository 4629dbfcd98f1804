//! The History tab without a terminal: loading, filtering, opening in the composer, replaying
//! with the current or another profile (pure updates and keys), and a screen snapshot.
use crate::common;

use common::{model_with, press, render, t0, type_text};
use sfterm::effect::{Effect, Job, RequestId};
use sfterm::msg::{Msg, Outcome};
use sfterm::requests::history::HistoryEntry;
use sfterm::requests::request::RequestKind;
use sfterm::state::composer::Section;
use sfterm::state::composer::job::{ComposerJob, ComposerOutcome};
use sfterm::state::history::{HistoryJob, HistoryOutcome, Mode};
use sfterm::state::{Model, Tab};

fn entry(minutes: i64, method: &str, path: &str, status: u16, preview: &str) -> HistoryEntry {
    HistoryEntry {
        time: t0() + jiff::SignedDuration::from_mins(minutes),
        profile: "Demo org".into(),
        name: Some(format!("{method} {path}")),
        folder: vec!["CustomerRESTWS".into()],
        kind: RequestKind::Rest,
        method: method.into(),
        instance_url: "http://127.0.0.1:8484".into(),
        url: format!("http://127.0.0.1:8484{path}"),
        headers: vec![("Authorization".into(), "Bearer REDACTED".into())],
        body: None,
        status,
        elapsed_ms: 42,
        elapsed_us: 0,
        size: preview.len() as u64,
        content_type: Some("application/json".into()),
        preview: preview.into(),
        truncated: false,
    }
}

/// The History tab's jobs among `effects`.
fn history_jobs(effects: &[Effect]) -> Vec<(RequestId, &HistoryJob)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Spawn {
                req,
                job: Job::History(job),
            } => Some((*req, job)),
            _ => None,
        })
        .collect()
}

fn spawned(effects: &[Effect]) -> Vec<(RequestId, &ComposerJob)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Spawn {
                req,
                job: Job::Composer(job),
            } => Some((*req, job.as_ref())),
            _ => None,
        })
        .collect()
}

fn history_model() -> Model {
    let mut model = model_with(common::demo_profiles());
    let effects = press(&mut model, "3");
    assert_eq!(model.tab, Tab::History);
    let jobs = history_jobs(&effects);
    let [(req, HistoryJob::Load)] = jobs.as_slice() else {
        panic!("the first visit reads the history: {effects:?}")
    };
    let entries = vec![
        entry(
            3,
            "POST",
            "/services/apexrest/CustomerRESTWS/",
            201,
            r#"{"accountId":"001Dn000000Glob1AAB"}"#,
        ),
        entry(
            2,
            "GET",
            "/services/apexrest/CustomerRESTWS/001Dn000000001aIAA",
            200,
            r#"{"name":"Acme Corp."}"#,
        ),
        entry(
            1,
            "GET",
            "/services/apexrest/CustomerRESTWS/001000000000000AAA",
            500,
            r#"[{"errorCode":"APEX_ERROR"}]"#,
        ),
    ];
    model.handle_msg(Msg::Done {
        req: *req,
        outcome: Outcome::History(HistoryOutcome::Loaded(Ok(entries))),
    });
    model
}

#[test]
fn filter_narrows_the_list() {
    let mut model = history_model();
    assert_eq!(model.history.visible().len(), 3);
    press(&mut model, "/");
    assert!(matches!(model.history.mode, Mode::Filter(_)));
    type_text(&mut model, "500");
    press(&mut model, "enter");
    assert_eq!(model.history.visible().len(), 1);
    assert_eq!(model.history.selected_entry().map(|e| e.status), Some(500));
    press(&mut model, "/ ctrl-u");
    // Clearing the filter shows everything again.
    let mut model = history_model();
    press(&mut model, "/");
    type_text(&mut model, "post");
    press(&mut model, "enter");
    // Fuzzy: the letters may be apart ("CustomerRESTWS" has p-o-s-t too); the POST ranks
    // first.
    assert_eq!(model.history.visible()[0].method, "POST");
}

#[test]
fn the_list_follows_each_typed_key_and_esc_clears_the_filter() {
    let mut model = history_model();
    press(&mut model, "j /");
    type_text(&mut model, "50");
    // Filtered while typing, before enter; the cursor goes back to the top.
    assert_eq!(model.history.visible().len(), 1);
    assert_eq!(model.history.selected, 0);
    let screen = render(&model, 120, 40);
    assert!(screen.contains("(1 of 3) · filter \"50\""), "{screen}");
    press(&mut model, "esc");
    assert!(matches!(model.history.mode, Mode::List));
    assert_eq!(model.history.filter, "");
    assert_eq!(model.history.visible().len(), 3);
}

#[test]
fn the_matched_letters_of_each_path_are_highlighted() {
    use ratatui::style::Modifier;
    let mut model = history_model();
    press(&mut model, "/");
    type_text(&mut model, "001Dn");
    press(&mut model, "enter");
    let backend = ratatui::backend::TestBackend::new(250, 40);
    let mut terminal = ratatui::Terminal::new(backend).expect("terminal");
    terminal
        .draw(|frame| {
            sfterm::ui::render(&model, &sfterm::ui::Theme::default(), frame);
        })
        .expect("draw");
    let buffer = terminal.backend().buffer();
    let row = (0..40)
        .find(|&y| {
            let line: String = (0..250).map(|x| buffer[(x, y)].symbol()).collect();
            line.contains("CustomerRESTWS/001Dn")
        })
        .expect("the row on screen");
    let line: String = (0..250).map(|x| buffer[(x, row)].symbol()).collect();
    let lit: String = (0..250u16)
        .filter(|&x| buffer[(x, row)].modifier.contains(Modifier::UNDERLINED))
        .map(|x| buffer[(x, row)].symbol().to_string())
        .collect();
    assert_eq!(lit, "001Dn", "only the matched letters: {line}");
}

#[test]
fn replay_with_the_current_profile_and_with_another() {
    let mut model = history_model();
    press(&mut model, "j");
    let effects = press(&mut model, "r");
    let jobs = history_jobs(&effects);
    let [
        (
            _,
            HistoryJob::Replay {
                request,
                profile: None,
            },
        ),
    ] = jobs.as_slice()
    else {
        panic!("a replay: {effects:?}")
    };
    assert_eq!(
        request.path,
        "/services/apexrest/CustomerRESTWS/001Dn000000001aIAA"
    );
    assert!(
        request
            .headers
            .iter()
            .all(|h| !h.name.eq_ignore_ascii_case("authorization"))
    );

    let effects = press(&mut model, "R");
    assert!(effects.is_empty());
    assert!(matches!(model.history.mode, Mode::PickProfile { .. }));
    let effects = press(&mut model, "j enter");
    let jobs = history_jobs(&effects);
    let [
        (
            req,
            HistoryJob::Replay {
                profile: Some(p), ..
            },
        ),
    ] = jobs.as_slice()
    else {
        panic!("a replay with a profile: {effects:?}")
    };
    assert_eq!(p.name, "Acme UAT");
    // The answer is noted in the history tab (not the composer's response).
    let req = *req;
    model.handle_msg(Msg::Done {
        req,
        outcome: Outcome::History(HistoryOutcome::Replayed {
            result: Err("Could not get the client secret".into()),
            entry: None,
        }),
    });
    assert!(
        model
            .history
            .note
            .as_deref()
            .is_some_and(|n| n.contains("Send failed"))
    );
    assert!(model.composer.response.is_none());
}

#[test]
fn enter_opens_the_request_in_the_composer() {
    let mut model = history_model();
    let effects = press(&mut model, "enter");
    assert_eq!(model.tab, Tab::Composer);
    assert_eq!(model.composer.draft.method, "POST");
    assert_eq!(model.composer.section, Section::Editor);
    assert!(model.composer.original.is_none(), "not saved until ctrl-s");
    assert!(
        spawned(&effects)
            .iter()
            .any(|(_, j)| matches!(j, ComposerJob::List { .. })),
        "the composer reads its requests on first use"
    );
}

#[test]
fn a_send_adds_to_the_history_newest_first() {
    let mut model = history_model();
    press(&mut model, "2");
    let effects = press(&mut model, "f5");
    let (req, _) = spawned(&effects)[0];
    model.handle_msg(Msg::Done {
        req,
        outcome: Outcome::Composer(ComposerOutcome::Sent {
            result: Err("x".into()),
            entry: Some(Box::new(entry(
                9,
                "GET",
                "/services/apexrest/new",
                200,
                "{}",
            ))),
        }),
    });
    assert_eq!(
        model.history.entries[0].url,
        "http://127.0.0.1:8484/services/apexrest/new"
    );
}

#[test]
fn history_screen() {
    let mut model = history_model();
    press(&mut model, "j");
    assert_screen!(render(&model, 120, 40));
}

/// Issue #20, defect 11: history rows said "0 ms" for answers under a millisecond.
#[test]
fn history_rows_show_sub_millisecond_times() {
    let mut model = history_model();
    model.history.entries[0].elapsed_ms = 0;
    model.history.entries[0].elapsed_us = 664;
    let screen = render(&model, 120, 40);
    assert!(screen.contains(" 0.7 ms "), "{screen}");
    assert!(!screen.contains(" 0 ms "), "{screen}");
}

/// Issue #20, defect 4: opening a History entry in the composer showed the response viewed
/// before instead of that entry's.
#[test]
fn an_entry_opens_with_its_own_response() {
    let mut model = history_model();
    press(&mut model, "2");
    let effects = press(&mut model, "f5");
    let (req, _) = spawned(&effects)
        .into_iter()
        .find(|(_, j)| matches!(j, ComposerJob::Send { .. }))
        .expect("a send");
    let body = r#"{"DailyApiRequests":{"Max":15000,"Remaining":14998}}"#;
    model.handle_msg(Msg::Done {
        req,
        outcome: Outcome::Composer(ComposerOutcome::Sent {
            result: Ok(Box::new(sfterm::state::composer::job::ResponseView {
                status: 200,
                reason: "OK".into(),
                elapsed: std::time::Duration::from_millis(7),
                size: body.len() as u64,
                headers: vec![("content-type".into(), "application/json".into())],
                body: sfterm::requests::body::BodyText::new(
                    sfterm::requests::body::BodyKind::Json,
                    body,
                ),
                raw: body.into(),
                file: None,
                fault: None,
                renewed: false,
            })),
            entry: None,
        }),
    });
    press(&mut model, "l l /");
    type_text(&mut model, "Max");
    press(&mut model, "enter");
    // Back to the History: the second entry (GET … 200, "Acme Corp.") opens.
    press(&mut model, "3 j enter");
    assert_eq!(model.tab, Tab::Composer);
    let c = &model.composer;
    let shown = c.response.as_ref().expect("the entry's response");
    assert_eq!(shown.status, 200);
    assert_eq!(shown.elapsed, std::time::Duration::from_millis(42));
    assert_eq!(shown.size, r#"{"name":"Acme Corp."}"#.len() as u64);
    assert_eq!(c.shown.joined(), "{\n  \"name\": \"Acme Corp.\"\n}");
    assert_eq!(c.find, "");
    assert!(c.matches.is_empty());
    let screen = render(&model, 120, 40);
    assert!(screen.contains("Acme Corp."), "{screen}");
    assert!(!screen.contains("DailyApiRequests"), "{screen}");
    assert!(screen.contains("200 OK · 42 ms"), "{screen}");
}

/// A send still in flight when another request is opened answered the request that was open:
/// it goes to the History, not under the one opened since.
#[test]
fn a_send_in_flight_does_not_land_under_a_request_opened_since() {
    let mut model = history_model();
    press(&mut model, "2");
    let effects = press(&mut model, "f5");
    let (req, _) = spawned(&effects)
        .into_iter()
        .find(|(_, j)| matches!(j, ComposerJob::Send { .. }))
        .expect("a send");
    // Another request: the second History entry, with its own recorded response.
    press(&mut model, "3 j enter");
    assert_eq!(model.tab, Tab::Composer);
    model.handle_msg(Msg::Done {
        req,
        outcome: Outcome::Composer(ComposerOutcome::Sent {
            result: Err("late".into()),
            entry: Some(Box::new(entry(
                9,
                "GET",
                "/services/apexrest/late",
                500,
                "{}",
            ))),
        }),
    });
    let c = &model.composer;
    assert_eq!(
        c.response.as_ref().map(|r| r.status),
        Some(200),
        "the opened entry's own response stays"
    );
    assert!(
        !c.note
            .as_deref()
            .unwrap_or_default()
            .contains("Send failed"),
        "{:?}",
        c.note
    );
    assert_eq!(
        model.history.entries[0].url, "http://127.0.0.1:8484/services/apexrest/late",
        "the history keeps it"
    );
}

/// Issue #20, defect 7: a filter matching nothing said "Nothing sent yet…" while entries
/// existed. It says that nothing matches and how to clear the filter; esc clears it.
#[test]
fn a_filter_matching_nothing_says_so_and_esc_clears_it() {
    let mut model = history_model();
    press(&mut model, "/");
    type_text(&mut model, "zzz");
    press(&mut model, "enter");
    assert!(model.history.visible().is_empty());
    let screen = render(&model, 120, 40);
    assert!(!screen.contains("Nothing sent yet"), "{screen}");
    assert!(
        screen.contains("None of the 3 sent requests matches \"zzz\""),
        "{screen}"
    );
    assert!(screen.contains("esc clears the filter"), "{screen}");
    press(&mut model, "esc");
    assert_eq!(model.history.filter, "");
    assert_eq!(model.history.visible().len(), 3);
    // `/` then ctrl-u and enter clears it too.
    press(&mut model, "/");
    type_text(&mut model, "zzz");
    press(&mut model, "enter / ctrl-u enter");
    assert_eq!(model.history.visible().len(), 3);
    // An empty history is still "Nothing sent yet".
    let mut empty = model_with(common::demo_profiles());
    let effects = press(&mut empty, "3");
    let jobs = history_jobs(&effects);
    let [(req, _)] = jobs.as_slice() else {
        panic!("a load: {effects:?}")
    };
    empty.handle_msg(Msg::Done {
        req: *req,
        outcome: Outcome::History(HistoryOutcome::Loaded(Ok(Vec::new()))),
    });
    let screen = render(&empty, 120, 40);
    assert!(screen.contains("Nothing sent yet"), "{screen}");
}
