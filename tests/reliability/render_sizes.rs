//! Property test: drawing the whole app (through the TestBackend harness) at any terminal size
//! from 1x1 to 400x150 never panics, for every app state in [`STATES`]. A new pane adds its
//! states as one line each. Cases: `PROPTEST_CASES` (default 16 sizes up to 400x150, 64 up to 12x12).

use crate::common;
use crate::fixture;
use crate::mutate;

use common::{demo_profiles, model_with, press, profile, render, t0, type_text};
use proptest::prelude::*;
use sfterm::config::profiles::SecretSource;
use sfterm::effect::{Effect, RequestId};
use sfterm::msg::{Msg, Outcome};
use sfterm::sf::{Diagnosis, LimitInfo, RenewReason};
use sfterm::state::Model;
use sfterm::state::token::SessionInfo;

fn spawned_req(effects: &[Effect]) -> Option<RequestId> {
    effects.iter().find_map(|e| match e {
        Effect::Spawn { req, .. } => Some(*req),
        _ => None,
    })
}

fn connected() -> Model {
    let mut model = model_with(demo_profiles());
    if let Some(req) = spawned_req(&press(&mut model, "enter")) {
        model.handle_msg(Msg::Done {
            req,
            outcome: Outcome::Login(Ok(SessionInfo {
                login: Default::default(),
                environment: None,
                profile: "Demo org".into(),
                instance_url: "http://127.0.0.1:8484".into(),
                user_id: "005Dn00000IntUsIAJ".into(),
                org_id: "00DDn00000Org01MAB".into(),
                scopes: vec!["api".into(), "refresh_token".into(), "web".into()],
                token_type: "Bearer".into(),
                issued_at: t0(),
                obtained_at: t0(),
                reason: RenewReason::Initial,
                masked_token: "00DDn00000Org01!••••••••".into(),
            })),
        });
    }
    model.handle_msg(Msg::ApiUsage(LimitInfo {
        used: 14_999,
        max: 15_000,
    }));
    model
}

fn login_failed() -> Model {
    let mut model = model_with(demo_profiles());
    if let Some(req) = spawned_req(&press(&mut model, "G enter")) {
        model.handle_msg(Msg::Done {
            req,
            outcome: Outcome::Login(Err(Box::new(Diagnosis {
                title: "Wrong login host ".repeat(5),
                what_salesforce_said: "invalid_grant: x ".repeat(40),
                meaning: "A very long explanation. ".repeat(30),
                fix: "Edit the profile (e) and set the My Domain URL.".into(),
            }))),
        });
    }
    model
}

fn many_long_profiles() -> Model {
    let long = "x".repeat(300);
    let profiles = (0..60)
        .map(|i| {
            profile(
                &format!("{i} {long} 名前 💥"),
                &format!("https://{long}.my.salesforce.com"),
            )
        })
        .collect();
    let mut model = model_with(profiles);
    press(&mut model, "G");
    model
}

fn with_keys(model: fn() -> Model, keys: &'static str, text: &'static str) -> impl Fn() -> Model {
    move || {
        let mut m = model();
        press(&mut m, keys);
        if !text.is_empty() {
            type_text(&mut m, text);
        }
        m
    }
}

fn secret_prompt() -> Model {
    let mut p = profile("Prompted", "https://acme.my.salesforce.com");
    p.secret = SecretSource::Prompt;
    let mut model = model_with(vec![p]);
    press(&mut model, "enter");
    type_text(&mut model, "typed-secret");
    model
}

fn staged() -> Model {
    let mut model = fixture::opened();
    fixture::stage_two(&mut model);
    model
}

/// Builds one app state.
type Build = Box<dyn Fn() -> Model>;

/// Every app state drawn at random sizes. Add new panes' states here (one line each).
fn states() -> Vec<(&'static str, Build)> {
    vec![
        ("start", Box::new(|| model_with(demo_profiles()))),
        ("no profiles", Box::new(|| model_with(Vec::new()))),
        ("connected", Box::new(connected)),
        ("login failed", Box::new(login_failed)),
        ("many long profiles", Box::new(many_long_profiles)),
        (
            "new profile form",
            Box::new(with_keys(connected, "n", "Acme dev 💥")),
        ),
        ("edit profile form", Box::new(with_keys(connected, "e", ""))),
        ("confirm delete", Box::new(with_keys(connected, "d", ""))),
        ("help", Box::new(with_keys(connected, "?", ""))),
        ("palette", Box::new(with_keys(connected, ":", "tok"))),
        (
            "palette no match",
            Box::new(with_keys(connected, ":", "zzzzzz")),
        ),
        ("secret prompt", Box::new(secret_prompt)),
        ("records tab", Box::new(with_keys(connected, "1", ""))),
        ("composer tab", Box::new(with_keys(connected, "2", ""))),
        ("history tab", Box::new(with_keys(connected, "3", ""))),
        ("record detail", Box::new(fixture::opened)),
        ("record detail, staged edits", Box::new(staged)),
        (
            "record detail, editing a field",
            Box::new(with_keys(staged, "e", "x")),
        ),
    ]
}

proptest! {
    #![proptest_config(mutate::config(16))]

    #[test]
    fn any_state_renders_at_any_size(w in 1u16..=400, h in 1u16..=150) {
        for (name, build) in states() {
            let model = build();
            let screen = std::panic::catch_unwind(|| render(&model, w, h));
            prop_assert!(screen.is_ok(), "state {name:?} panicked at {w}x{h}");
        }
    }

}

proptest! {
    #![proptest_config(mutate::config(64))]

    #[test]
    fn tiny_sizes(w in 1u16..=12, h in 1u16..=12) {
        for (_, build) in states() {
            render(&build(), w, h);
        }
    }
}

#[test]
fn every_state_renders_at_the_extremes() {
    for (name, build) in states() {
        let model = build();
        for (w, h) in [(1, 1), (400, 150), (1, 150), (400, 1), (80, 24)] {
            let screen = render(&model, w, h);
            assert!(
                !screen.contains("typed-secret"),
                "{name}: the typed secret is masked"
            );
            assert!(
                !screen.contains("s3cr3t-value"),
                "{name}: the profile secret is masked"
            );
        }
    }
}
