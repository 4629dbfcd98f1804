//! `sfterm demo` draws its first frame while its mock org seeds: the model's "demo org starting /
//! ready / failed" transitions (pure), and the starting screen (TestBackend snapshot).
use crate::common;

use common::{demo_profiles, model_with, press, render};
use sfterm::effect::{Effect, Job};
use sfterm::msg::Msg;
use sfterm::state::demo_org::DemoOrg;
use sfterm::state::record_detail::Draft;
use sfterm::state::{Focus, Model, Overlay, RunMode, Tab};

/// The demo at start: its profiles, the org seeding 100,000 Accounts, "Demo org" to connect.
fn starting() -> Model {
    let mut model = model_with(demo_profiles());
    model.demo_org_starting(100_000, Some("Demo org".into()));
    model
}

/// The profile of the connect job among `effects`, if one was spawned.
fn connects(effects: &[Effect]) -> Option<String> {
    effects.iter().find_map(|e| match e {
        Effect::Spawn {
            job: Job::Connect { profile, .. },
            ..
        } => Some(profile.name.clone()),
        _ => None,
    })
}

#[test]
fn while_the_org_seeds_nothing_connects_and_a_spinner_turns() {
    let model = starting();
    assert_eq!(model.run_mode, RunMode::Demo);
    assert!(model.demo_org_is_starting());
    assert!(model.is_animating(), "the status bar's spinner needs ticks");
    assert_eq!(
        model.token.profile, None,
        "no connect before the org serves"
    );
    assert!(model.inflight.is_empty());
}

#[test]
fn when_the_org_serves_the_demo_profile_connects() {
    let mut model = starting();
    let effects = model.handle_msg(Msg::DemoOrg(Ok(())));
    assert_eq!(connects(&effects).as_deref(), Some("Demo org"));
    assert_eq!(model.demo_org, Some(DemoOrg::Ready));
    assert_eq!(model.token.profile.as_deref(), Some("Demo org"));
    assert_eq!(model.profiles.selected, 0);
    assert!(model.token.is_requesting());
    assert!(!model.demo_org_is_starting());
}

#[test]
fn keys_work_while_the_org_seeds_and_the_connect_leaves_the_focus_where_it_is() {
    let mut model = starting();
    press(&mut model, "j j");
    assert_eq!(model.profiles.selected, 2, "the list moves");
    press(&mut model, "?");
    assert!(matches!(model.overlay, Some(Overlay::Help { .. })));
    press(&mut model, "esc 2");
    assert!(model.overlay.is_none());
    assert_eq!((model.tab, model.focus), (Tab::Composer, Focus::Main));

    let effects = model.handle_msg(Msg::DemoOrg(Ok(())));
    assert_eq!(connects(&effects).as_deref(), Some("Demo org"));
    assert_eq!((model.tab, model.focus), (Tab::Composer, Focus::Main));
}

#[test]
fn the_connect_happens_under_the_drafts_popup_too() {
    let mut model = starting();
    let draft: Draft = serde_json::from_value(serde_json::json!({
        "profile": "Demo org",
        "object": "Account",
        "id": "001000000000001AAA",
        "staged": {"Name": "Edited"},
    }))
    .expect("a draft");
    model.offer_drafts(vec![draft]);
    assert!(matches!(model.overlay, Some(Overlay::Drafts { .. })));
    let effects = model.handle_msg(Msg::DemoOrg(Ok(())));
    assert_eq!(connects(&effects).as_deref(), Some("Demo org"));
    assert!(
        matches!(model.overlay, Some(Overlay::Drafts { .. })),
        "the popup stays"
    );
}

#[test]
fn a_profile_the_user_connected_meanwhile_is_kept() {
    let mut model = starting();
    press(&mut model, "j enter");
    assert_eq!(model.token.profile.as_deref(), Some("Acme UAT"));
    let effects = model.handle_msg(Msg::DemoOrg(Ok(())));
    assert_eq!(connects(&effects), None);
    assert_eq!(model.token.profile.as_deref(), Some("Acme UAT"));
    assert_eq!(model.demo_org, Some(DemoOrg::Ready));
}

#[test]
fn an_open_profile_form_is_not_disturbed_a_notice_says_the_org_is_ready() {
    let mut model = starting();
    press(&mut model, "n");
    assert!(model.profiles.is_modal(), "the new-profile form is open");
    let effects = model.handle_msg(Msg::DemoOrg(Ok(())));
    assert_eq!(connects(&effects), None);
    assert!(model.profiles.is_modal());
    let notice = model.notice.clone().unwrap_or_default();
    assert!(
        notice.contains("ready") && notice.contains("Demo org"),
        "{notice}"
    );
}

#[test]
fn a_failed_start_is_said_on_screen_and_nothing_connects() {
    let mut model = starting();
    let effects = model.handle_msg(Msg::DemoOrg(Err("seeding failed: disk full".into())));
    assert!(effects.is_empty());
    assert_eq!(
        model.demo_org,
        Some(DemoOrg::Failed("seeding failed: disk full".into()))
    );
    assert!(!model.is_animating());
    let screen = render(&model, 120, 40);
    assert!(
        screen.contains("The demo org could not start: seeding failed: disk full"),
        "{screen}"
    );
    assert!(!screen.contains("starting the demo org"), "{screen}");
}

#[test]
fn the_starting_screen() {
    let model = starting();
    let screen = render(&model, 120, 40);
    assert!(
        screen.contains("starting the demo org (seeding 100,000 Accounts)…"),
        "{screen}"
    );
    assert!(!screen.contains("error"), "no connect error: {screen}");
    assert_screen!(screen);
}

#[test]
fn the_ready_screen_has_no_starting_message() {
    let mut model = starting();
    model.handle_msg(Msg::DemoOrg(Ok(())));
    let screen = render(&model, 120, 40);
    assert!(!screen.contains("seeding"), "{screen}");
}
