//! The Setup check popup in the TUI: pure update, rendering snapshots, key sequences through the
//! keymap, and end to end with the real runtime against the mock org.
#![cfg(feature = "mock-org")]
use crate::common;

use std::time::Duration;

use common::live::{LiveApp, LiveOptions, Observed};
use common::{demo_profiles, key_events, model_with, press, render, t0};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use sfterm::action::Action;
use sfterm::check::{CheckItem, CheckReport, Status};
use sfterm::effect::{Effect, Job, RequestId, RequestIds};
use sfterm::keymap::Context;
use sfterm::mock_org::{MockOrg, MockOrgConfig, Scenario};
use sfterm::msg::{Msg, Outcome};
use sfterm::state::Model;
use sfterm::state::check::CheckState;
use sfterm::ui::Theme;

fn item(
    id: &str,
    title: &str,
    status: Status,
    evidence: &str,
    fix: Option<&str>,
    reveal: Option<&str>,
) -> CheckItem {
    CheckItem {
        id: id.into(),
        title: title.into(),
        status,
        evidence: evidence.into(),
        fix: fix.map(Into::into),
        reveal: reveal.map(Into::into),
    }
}

/// A small report with one item of each status.
fn report() -> CheckReport {
    CheckReport {
        instance_url: Some("http://127.0.0.1:8484".into()),
        username: Some("integration@sfterm-mock.example".into()),
        items: vec![
            item(
                "token.scopes",
                "OAuth scopes are `api` only",
                Status::Pass,
                "Granted scopes: \"api\"",
                None,
                None,
            ),
            item(
                "objects.lead",
                "Lead: read, create, edit, delete",
                Status::Fail,
                "Lead describe: not deletable (has queryable, createable, updateable)",
                Some(
                    "Setup > Users > Permission Sets > IntegrationUserProfile > Object Settings > Lead > Edit: tick Delete.",
                ),
                None,
            ),
            item(
                "token.lifetime",
                "Token lifetime (introspection)",
                Status::Warn,
                "exp - iat = 24h 00m 00s: a stolen token stays usable that long",
                Some("Set the session timeout to 2 hours."),
                None,
            ),
            item(
                "login.hours",
                "Login hours on the profile",
                Status::NotVisible,
                "Login hours are not readable through the REST API",
                None,
                Some("Look at Setup > Users > Profiles > (the integration profile) > Login Hours."),
            ),
        ],
    }
}

fn spawned(effects: &[Effect]) -> RequestId {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::Spawn {
                req,
                job: Job::Check { .. },
            } => Some(*req),
            _ => None,
        })
        .expect("a check job was spawned")
}

// ------------------------------------------------------------------ pure update

#[test]
fn open_runs_once_and_a_second_run_waits_for_the_first() {
    let mut ids = RequestIds::default();
    let mut state = CheckState::default();
    let req = spawned(&state.open_and_run(None, &mut ids));
    assert!(state.open && state.owns(req));
    let again = state
        .update(Action::RerunCheck, None, &mut ids)
        .expect("used");
    assert!(again.is_empty(), "no second run while one is in flight");
    state.on_done(req, Ok(report()), t0());
    assert_eq!(state.report, Some(report()));
    assert_eq!(state.running, None);
    let again = spawned(
        &state
            .update(Action::RerunCheck, None, &mut ids)
            .expect("used"),
    );
    assert_ne!(again, req);
    // A stale result is ignored.
    state.on_done(req, Err("old".into()), t0());
    assert_eq!(state.error, None);
    state.on_done(again, Err("Not connected".into()), t0());
    assert_eq!(state.error.as_deref(), Some("Not connected"));
    assert_eq!(state.report, Some(report()), "the last report stays");
}

#[test]
fn moving_clamps_and_esc_closes_and_cancels() {
    let mut ids = RequestIds::default();
    let mut state = CheckState::default();
    let req = spawned(&state.open_and_run(None, &mut ids));
    state.on_done(req, Ok(report()), t0());
    for _ in 0..10 {
        state.update(Action::Down, None, &mut ids);
    }
    assert_eq!(state.selected, 3);
    state.update(Action::Top, None, &mut ids);
    assert_eq!(state.selected, 0);
    state.update(Action::Bottom, None, &mut ids);
    assert_eq!(state.selected, 3);
    assert!(
        state.update(Action::Quit, None, &mut ids).is_none(),
        "quit is not eaten"
    );
    let running = spawned(
        &state
            .update(Action::RerunCheck, None, &mut ids)
            .expect("used"),
    );
    let effects = state.update(Action::Cancel, None, &mut ids).expect("used");
    assert!(matches!(effects.as_slice(), [Effect::Cancel(r)] if *r == running));
    assert!(!state.open);
    assert_eq!(state.running, None);
}

// ------------------------------------------------------------------ keys

#[test]
fn not_connected_the_check_logs_in_with_the_selected_profile() {
    let mut model = model_with(demo_profiles());
    let effects = press(&mut model, "j tab C");
    let profile = effects
        .iter()
        .find_map(|e| match e {
            Effect::Spawn {
                job: Job::Check { profile },
                ..
            } => Some(profile.clone()),
            _ => None,
        })
        .expect("a check job");
    assert_eq!(profile.expect("a profile to log in with").name, "Acme UAT");
}

#[test]
fn capital_c_in_the_token_pane_opens_the_check_and_r_reruns() {
    let mut model = model_with(demo_profiles());
    let effects = press(&mut model, "tab C");
    let req = spawned(&effects);
    assert!(model.check.open);
    assert_eq!(model.key_contexts()[0], Context::Check);
    assert!(model.inflight.contains_key(&req), "the status bar shows it");
    model.handle_msg(Msg::Done {
        req,
        outcome: Outcome::Check(Ok(Box::new(report()))),
    });
    assert!(!model.inflight.contains_key(&req));
    assert_eq!(model.check.report, Some(report()));
    press(&mut model, "j j");
    assert_eq!(model.check.selected, 2);
    let again = spawned(&press(&mut model, "r"));
    assert_ne!(again, req);
    assert!(model.token.session.is_none(), "r did not renew a token");
    let effects = press(&mut model, "esc");
    assert!(matches!(effects.as_slice(), [Effect::Cancel(r)] if *r == again));
    assert!(!model.check.open);
}

#[test]
fn the_palette_runs_the_check_too() {
    let mut model = model_with(demo_profiles());
    press(&mut model, ":");
    common::type_text(&mut model, "setup check");
    let effects = press(&mut model, "enter");
    spawned(&effects);
    assert!(model.check.open);
}

// ------------------------------------------------------------------ rendering

#[test]
fn popup_shows_statuses_and_the_focused_items_fix() {
    let mut model = model_with(demo_profiles());
    let req = spawned(&press(&mut model, "tab C"));
    model.handle_msg(Msg::Done {
        req,
        outcome: Outcome::Check(Ok(Box::new(report()))),
    });
    press(&mut model, "j");
    let screen = render(&model, 120, 40);
    assert!(screen.contains("Setup check"), "{screen}");
    assert!(
        screen.contains("▸FAIL        Lead: read, create, edit, delete"),
        "{screen}"
    );
    assert!(
        screen.contains("1 pass 1 warn 1 fail 1 not visible"),
        "{screen}"
    );
    assert!(
        screen.contains("Object Settings > Lead > Edit: tick"),
        "{screen}"
    );
    assert_screen!(screen);
}

#[test]
fn popup_while_running_and_not_visible_detail() {
    let mut model = model_with(demo_profiles());
    let req = spawned(&press(&mut model, "tab C"));
    model.handle_msg(Msg::Done {
        req,
        outcome: Outcome::Check(Ok(Box::new(report()))),
    });
    press(&mut model, "G r");
    let screen = render(&model, 100, 30);
    assert!(screen.contains("checking…"), "{screen}");
    assert!(screen.contains("To see it:"), "{screen}");
    assert_screen!(screen);
}

#[test]
fn check_colours_follow_the_status() {
    let mut model = model_with(demo_profiles());
    let req = spawned(&press(&mut model, "tab C"));
    model.handle_msg(Msg::Done {
        req,
        outcome: Outcome::Check(Ok(Box::new(report()))),
    });
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    let theme = Theme::default();
    terminal
        .draw(|frame| {
            sfterm::ui::render(&model, &theme, frame);
        })
        .expect("draw");
    let buffer = terminal.backend().buffer().clone();
    let find = |text: &str| {
        let screen = terminal.backend().to_string();
        let row = screen.lines().position(|l| l.contains(text)).expect("line");
        let col = screen
            .lines()
            .nth(row)
            .expect("row")
            .find(text)
            .expect("col");
        let col = screen.lines().nth(row).expect("row")[..col].chars().count();
        buffer[(col as u16, row as u16)].fg
    };
    assert_eq!(find("FAIL   "), theme.error().fg.expect("colour"));
    assert_eq!(find("WARN   "), theme.warn().fg.expect("colour"));
}

// ------------------------------------------------------------------ end to end

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_runs_against_the_mock_org_without_blocking_the_ui() {
    check_end_to_end(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_of_a_profile_that_cannot_log_in_diagnoses_the_endpoint() {
    check_end_to_end(true).await;
}

/// Runs the app on the mock org; with `login_host` the profile points at the login host (its
/// login fails) and the check runs without connecting first.
async fn check_end_to_end(login_host: bool) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let org = MockOrg::start(MockOrgConfig {
        records: 5,
        scenario: Scenario::MissingLeadDelete,
        latency: Duration::from_millis(30),
        ..Default::default()
    })
    .await
    .expect("mock org");
    let endpoint = if login_host {
        org.login_host_url()
    } else {
        org.instance_url()
    };
    let mut demo = common::profile("Demo org", endpoint.as_str().trim_end_matches('/'));
    demo.client_id = org.client_id().into();
    demo.secret = sfterm::config::profiles::SecretSource::Plain {
        value: org.client_secret().to_owned().into(),
    };
    let mut app = LiveApp::<Frame>::start_with(vec![demo], LiveOptions::default());
    if login_host {
        app.press("tab C");
        let frame = app
            .wait_for("the report", |f| {
                f.reported && !f.screen.contains("checking… (esc")
            })
            .await;
        assert!(
            frame.screen.contains("FAIL        Token endpoint"),
            "{}",
            frame.screen
        );
        assert!(frame.screen.contains("My Domain"), "{}", frame.screen);
        app.quit().await;
        org.shutdown().await;
        return;
    }
    app.press("enter");
    app.wait_for("connected", |f| f.connected).await;
    app.press("tab C");
    let frame = app
        .wait_for("the check to be running", |f| {
            f.screen.contains("checking… (esc")
        })
        .await;
    assert!(frame.screen.contains("Setup check"), "{}", frame.screen);
    let frame = app
        .wait_for("the report", |f| {
            f.reported && !f.screen.contains("checking… (esc")
        })
        .await;
    assert!(
        frame.screen.contains("FAIL        Lead"),
        "{}",
        frame.screen
    );
    assert!(frame.screen.contains("1 fail"), "{}", frame.screen);
    assert!(!frame.screen.contains(org.client_secret()));
    common::assert_token_masked(&frame.screen);
    let model = app.quit().await;
    let report = model.check.report.expect("report kept");
    assert_eq!(
        report.item("objects.lead").expect("lead").status,
        Status::Fail
    );
    org.shutdown().await;
}

/// What the end-to-end check test reads off each frame.
#[derive(Clone, Default)]
struct Frame {
    screen: String,
    /// A session exists.
    connected: bool,
    /// The check has a report.
    reported: bool,
}

impl Observed for Frame {
    fn observe(model: &Model, screen: String) -> Self {
        Frame {
            screen,
            connected: model.token.session.is_some(),
            reported: model.check.report.is_some(),
        }
    }

    fn screen(&self) -> &str {
        &self.screen
    }
}

#[test]
fn popup_renders_at_every_size_with_the_list_visible() {
    let mut model = model_with(demo_profiles());
    let req = spawned(&press(&mut model, "tab C"));
    model.handle_msg(Msg::Done {
        req,
        outcome: Outcome::Check(Ok(Box::new(report()))),
    });
    press(&mut model, "G");
    for (w, h) in [(60, 16), (61, 17), (80, 24), (200, 60), (30, 10)] {
        let screen = render(&model, w, h);
        if w >= 60 && h >= 16 {
            assert!(screen.contains("NOT VISIBLE"), "{w}x{h}\n{screen}");
            assert!(
                screen.contains("WARN        Token"),
                "{w}x{h}: the list shows\n{screen}"
            );
        }
    }
}

#[test]
fn keys_are_not_typed_into_the_composer_under_the_popup() {
    let mut model = model_with(demo_profiles());
    press(&mut model, "2");
    let before = format!("{:?}", model.composer);
    spawned(&model.update(Action::SetupCheck));
    assert!(model.check.open);
    for key in key_events("x y z n b space") {
        let effects = model.handle_key(key);
        assert!(effects.is_empty(), "{effects:?}");
    }
    model.paste("pasted text");
    model.click(100, 5);
    assert_eq!(
        format!("{:?}", model.composer),
        before,
        "nothing reaches the composer underneath"
    );
    assert!(model.check.open);
}
