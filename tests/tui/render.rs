//! Rendering tests: fixed models drawn on a `TestBackend`, compared with insta snapshots.
use crate::common;

use common::{
    connect, demo_profiles, model_with, press, profile, render, spawned_req, t0, type_text,
};
use jiff::SignedDuration;
use sfterm::msg::{Msg, Outcome};
use sfterm::sf::{Diagnosis, Introspection, LimitInfo};
use sfterm::state::Model;

/// "Demo org" connected at t0, expiring at t0 + 2 h, 8 minutes later.
fn connected_model() -> Model {
    let mut model = model_with(demo_profiles());
    let effects = connect(&mut model);
    let introspect = spawned_req(&effects);
    let info = Introspection {
        active: true,
        scope: Some("api".into()),
        client_id: Some("3MVG9demo".into()),
        username: Some("integration@demo.sfterm.dev".into()),
        sub: None,
        token_type: Some("access_token".into()),
        exp: Some(t0() + SignedDuration::from_secs(7200)),
        iat: Some(t0()),
        nbf: Some(t0()),
    };
    model.handle_msg(Msg::Done {
        req: introspect,
        outcome: Outcome::Introspect(Ok(info)),
    });
    model.handle_msg(Msg::ApiUsage(LimitInfo {
        used: 1234,
        max: 15000,
    }));
    model.handle_msg(Msg::Tick(t0() + SignedDuration::from_secs(8 * 60)));
    model
}

#[test]
fn main_screen_before_connecting() {
    let model = model_with(demo_profiles());
    assert_screen!(render(&model, 120, 40));
}

#[test]
fn a_long_profile_name_is_cut_with_an_ellipsis_before_its_badge() {
    let long = "Acme Corporation EMEA integration sandbox (full copy)";
    let mut model = model_with(vec![profile(long, "https://test.salesforce.com")]);
    // Beside an 80-column terminal, the side panes shown with `z`.
    model.side_panes = Some(sfterm::state::layout::SidePanes {
        shown: true,
        narrow: true,
    });
    let screen = render(&model, 80, 24);
    let row = screen
        .lines()
        .find(|l| l.contains("Acme Corporatio"))
        .unwrap_or_else(|| panic!("the profile row:\n{screen}"));
    assert!(row.contains("…") && !row.contains("(full copy)"), "{row}");
    assert!(row.contains("SANDBOX"), "the badge stays: {row}");
}

#[test]
fn token_pane_when_active() {
    let model = connected_model();
    let screen = render(&model, 120, 40);
    assert!(screen.contains("● active"), "{screen}");
    assert!(screen.contains("02:00:00 (1h 52m 00s)"), "{screen}");
    assert!(screen.contains("1,234 / 15,000"), "{screen}");
    assert!(
        !screen.contains("s3cr3t"),
        "the secret never reaches the screen"
    );
    assert_screen!(screen);
}

#[test]
fn hidden_side_panes_give_the_main_area_the_width_and_the_token_time_to_the_status_bar() {
    let mut model = connected_model();
    press(&mut model, "z");
    let screen = render(&model, 100, 30);
    assert!(!screen.contains("Profiles"), "{screen}");
    assert!(!screen.contains("● active"), "{screen}");
    let status = screen.lines().last().expect("status bar");
    assert!(status.contains("token 1h 52m"), "{status}");
    let top = screen.lines().next().expect("top line");
    assert!(
        top.starts_with("\"┏ 1 Records"),
        "the main area starts at the left edge: {top}"
    );
    press(&mut model, "z");
    let screen = render(&model, 100, 30);
    assert!(screen.contains("● active"), "{screen}");
    assert_screen!(render(
        &{
            let mut hidden = connected_model();
            press(&mut hidden, "z");
            hidden
        },
        100,
        30
    ));
}

#[test]
fn countdown_moves_with_the_clock_and_turns_to_expiring_soon() {
    let mut model = connected_model();
    model.handle_msg(Msg::Tick(t0() + SignedDuration::from_secs(7200 - 400)));
    let screen = render(&model, 120, 40);
    assert!(screen.contains("expiring soon"), "{screen}");
    assert!(screen.contains("(6m 40s)"), "{screen}");
}

#[test]
fn login_host_mistake_shows_the_diagnosis() {
    let mut model = model_with(demo_profiles());
    let req = spawned_req(&press(&mut model, "G enter"));
    let diagnosis = Diagnosis {
        title: "Wrong login host".into(),
        what_salesforce_said: "invalid_grant: request not supported on this domain".into(),
        meaning: "Client credentials must be sent to your My Domain, not login.salesforce.com."
            .into(),
        fix: "Edit the profile (e) and set the My Domain URL.".into(),
    };
    model.handle_msg(Msg::Done {
        req,
        outcome: Outcome::Login(Err(Box::new(diagnosis))),
    });
    let screen = render(&model, 120, 40);
    assert!(screen.contains("● error"), "{screen}");
    assert!(!screen.contains("{\""), "no raw JSON on screen");
    assert_screen!(screen);
}

#[test]
fn profile_form() {
    let mut model = model_with(demo_profiles());
    press(&mut model, "n");
    type_text(&mut model, "Acme dev");
    press(&mut model, "tab tab tab");
    type_text(&mut model, "acme.lightning.force.com/lightning/page/home");
    assert_screen!(render(&model, 120, 40));
}

#[test]
fn help_overlay_is_generated_from_the_keymap() {
    let mut model = model_with(demo_profiles());
    press(&mut model, "?");
    let screen = render(&model, 120, 40);
    assert!(screen.contains("Create a profile"), "{screen}");
    assert_screen!(screen);
}

#[test]
fn command_palette_filters() {
    let mut model = model_with(demo_profiles());
    press(&mut model, ":");
    type_text(&mut model, "tok");
    assert_screen!(render(&model, 120, 40));
}

#[test]
fn small_terminals_get_a_notice() {
    let model = connected_model();
    let screen = render(&model, 40, 10);
    assert!(screen.contains("Terminal too small"), "{screen}");
}

#[test]
fn every_size_renders_without_panicking() {
    let mut model = connected_model();
    press(&mut model, "n");
    for (w, h) in [
        (1, 1),
        (2, 1),
        (1, 2),
        (59, 15),
        (60, 16),
        (61, 17),
        (80, 24),
        (400, 120),
    ] {
        render(&model, w, h);
    }
    for w in (1..=200).step_by(13) {
        for h in (1..=60).step_by(7) {
            render(&model, w, h);
        }
    }
    // The form and overlays at tiny sizes too.
    let mut model = connected_model();
    press(&mut model, "?");
    render(&model, 60, 16);
}

#[test]
#[should_panic(expected = "unmasked access token")]
fn the_screen_check_catches_an_unmasked_token() {
    common::assert_token_masked("token    00DDn00000Org01!AQabcdefSECRET");
}

/// The status bar at `width`: its last line.
fn status_bar(model: &Model, width: u16) -> String {
    let screen = render(model, width, 24);
    screen.lines().last().expect("status bar").to_string()
}

#[test]
fn status_bar_messages_get_their_room_and_the_hints_shrink_first() {
    let mut model = connected_model();
    model.handle_msg(Msg::ApiUsage(LimitInfo {
        used: 35,
        max: 15_000,
    }));
    // Nothing in flight: the middle of the bar shows the notice.
    model.inflight.clear();
    model.notice = Some("Deleted the Contact.".into());
    let status = status_bar(&model, 120);
    assert!(status.contains("Deleted the Contact."), "{status}");
    assert!(status.contains("API 35/15,000"), "{status}");
    let status = status_bar(&model, 80);
    assert!(status.contains("Deleted the Contact."), "{status}");
    assert!(status.contains("API 35/15,000"), "{status}");
    // Narrower still: the hints go before the message is cut.
    let status = status_bar(&model, 60);
    assert!(status.contains("API 35/15,000"), "{status}");
    assert!(status.contains("Deleted the Contact."), "{status}");
    assert!(!status.contains("commands"), "{status}");
    // A message longer than the room left is cut with '…', never the usage.
    model.notice = Some("x".repeat(200));
    let status = status_bar(&model, 80);
    assert!(status.contains("API 35/15,000"), "{status}");
    assert!(status.contains("x…"), "{status}");
}
