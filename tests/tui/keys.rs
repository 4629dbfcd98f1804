//! Key-sequence tests: keys go through the keymap and `update`; the effects are checked, not run.
use crate::common;

use common::{demo_profiles, model_with, press, type_text};
use sfterm::config::profiles::SecretSource;
use sfterm::effect::{Effect, Job, ProfileChange};
use sfterm::state::profiles::{Field, Mode};
use sfterm::state::{Focus, Overlay, Tab};

#[test]
fn new_profile_form_saves_what_was_typed() {
    let mut model = model_with(demo_profiles());
    assert!(press(&mut model, "n").is_empty());
    assert!(matches!(model.profiles.mode, Mode::Form(_)));
    type_text(&mut model, "Acme dev");
    press(&mut model, "tab tab tab"); // Login flow, Environment (My Domain) → URL
    type_text(
        &mut model,
        "https://acme-dev-ed.develop.lightning.force.com/lightning/setup/SetupOneHome/home",
    );
    press(&mut model, "tab");
    type_text(&mut model, "3MVG9clientid");
    press(&mut model, "tab space"); // secret source: prompt → env
    press(&mut model, "tab");
    type_text(&mut model, "ACME_SECRET");
    let effects = press(&mut model, "ctrl-s");
    let [
        Effect::SaveProfiles(ProfileChange::Upsert {
            original_name: None,
            profile,
        }),
    ] = &effects[..]
    else {
        panic!("expected one upsert, got {effects:?}");
    };
    assert_eq!(profile.name, "Acme dev");
    assert_eq!(profile.client_id, "3MVG9clientid");
    assert_eq!(
        profile.secret,
        SecretSource::Env {
            var: "ACME_SECRET".into()
        }
    );
    assert_eq!(
        profile.endpoint, "https://acme-dev-ed.develop.my.salesforce.com",
        "a pasted Setup URL is stored as the My Domain it stands for"
    );
}

#[test]
fn quit_keys_are_typed_in_text_fields() {
    let mut model = model_with(demo_profiles());
    press(&mut model, "n");
    type_text(&mut model, "quiet q");
    assert!(!model.quit);
    let Mode::Form(form) = &model.profiles.mode else {
        panic!("form expected")
    };
    assert_eq!(form.name.text(), "quiet q");
}

#[test]
fn invalid_form_is_not_saved_and_says_why() {
    let mut model = model_with(demo_profiles());
    press(&mut model, "n");
    type_text(&mut model, "Demo org"); // taken
    let effects = press(&mut model, "ctrl-s");
    assert!(effects.is_empty(), "{effects:?}");
    let Mode::Form(form) = &model.profiles.mode else {
        panic!("form stays open")
    };
    assert!(
        form.problems
            .iter()
            .any(|(f, m)| *f == Field::Name && m.contains("exists")),
        "{:?}",
        form.problems
    );
    assert!(
        form.problems.iter().any(|(f, _)| *f == Field::ClientId),
        "{:?}",
        form.problems
    );
}

#[test]
fn esc_on_a_changed_form_asks_and_keeps_the_text_on_no() {
    let mut model = model_with(demo_profiles());
    press(&mut model, "n");
    type_text(&mut model, "Half typed");
    press(&mut model, "esc");
    assert!(matches!(model.profiles.mode, Mode::ConfirmDiscard(_)));
    press(&mut model, "n");
    let Mode::Form(form) = &model.profiles.mode else {
        panic!("back in the form")
    };
    assert_eq!(form.name.text(), "Half typed");
    press(&mut model, "esc y");
    assert!(matches!(model.profiles.mode, Mode::List));
}

#[test]
fn delete_asks_first() {
    let mut model = model_with(demo_profiles());
    press(&mut model, "j");
    assert!(press(&mut model, "d").is_empty());
    let effects = press(&mut model, "y");
    assert!(
        matches!(&effects[..], [Effect::SaveProfiles(ProfileChange::Remove { name })] if name == "Acme UAT"),
        "{effects:?}"
    );
}

#[test]
fn enter_connects_the_selected_profile() {
    let mut model = model_with(demo_profiles());
    let effects = press(&mut model, "G k enter");
    let [
        Effect::Spawn {
            job:
                Job::Connect {
                    profile,
                    prompted_secret: None,
                },
            ..
        },
    ] = &effects[..]
    else {
        panic!("expected a connect job, got {effects:?}");
    };
    assert_eq!(profile.name, "Acme prod");
    assert_eq!(model.token.profile.as_deref(), Some("Acme prod"));
    assert_eq!(model.inflight.len(), 1, "the spinner shows the connect");
}

#[test]
fn a_prompted_secret_is_asked_for_and_passed_to_the_job() {
    let mut profiles = demo_profiles();
    profiles[0].secret = SecretSource::Prompt;
    let mut model = model_with(profiles);
    assert!(press(&mut model, "enter").is_empty());
    assert!(matches!(model.profiles.mode, Mode::SecretPrompt { .. }));
    type_text(&mut model, "typed-secret");
    let effects = press(&mut model, "enter");
    assert!(
        matches!(
            &effects[..],
            [Effect::Spawn {
                job: Job::Connect {
                    prompted_secret: Some(_),
                    ..
                },
                ..
            }]
        ),
        "{effects:?}"
    );
}

#[test]
fn focus_tabs_help_and_palette() {
    let mut model = model_with(demo_profiles());
    assert_eq!(model.focus, Focus::Profiles);
    press(&mut model, "tab");
    assert_eq!(model.focus, Focus::Token);
    press(&mut model, "shift-tab shift-tab");
    assert_eq!(model.focus, Focus::Main);
    press(&mut model, "2");
    assert_eq!(model.tab, Tab::Composer);

    press(&mut model, "?");
    assert!(matches!(model.overlay, Some(Overlay::Help { .. })));
    press(&mut model, "esc");
    assert!(model.overlay.is_none());

    press(&mut model, ":");
    type_text(&mut model, "new profile");
    press(&mut model, "enter");
    assert!(model.overlay.is_none());
    assert!(
        matches!(model.profiles.mode, Mode::Form(_)),
        "the palette ran new_profile"
    );
}

#[test]
fn esc_clears_the_palette_query_then_closes_it() {
    let mut model = model_with(demo_profiles());
    press(&mut model, ":");
    type_text(&mut model, "tok");
    let Some(Overlay::Palette(palette)) = &model.overlay else {
        panic!("the palette is open")
    };
    let narrowed = palette.matches.len();
    press(&mut model, "esc");
    let Some(Overlay::Palette(palette)) = &model.overlay else {
        panic!("the first esc only clears the query")
    };
    assert_eq!(palette.input.text(), "");
    assert!(palette.matches.len() > narrowed);
    press(&mut model, "esc");
    assert!(model.overlay.is_none());
}

#[test]
fn q_quits_from_a_list() {
    let mut model = model_with(demo_profiles());
    let effects = press(&mut model, "q");
    assert!(matches!(effects[..], [Effect::Quit]));
    assert!(model.quit);
}

#[test]
fn token_keys_without_a_connection_explain_instead_of_failing() {
    let mut model = model_with(demo_profiles());
    press(&mut model, "tab");
    assert!(press(&mut model, "r").is_empty());
    assert!(
        model
            .token
            .note
            .as_deref()
            .is_some_and(|n| n.contains("Not connected"))
    );
}

#[test]
fn paste_types_into_a_form_and_never_fires_actions() {
    let mut model = model_with(demo_profiles());
    model.paste("quit\nnow");
    assert!(!model.quit, "a paste on the list must not act as keys");
    assert!(matches!(model.profiles.mode, Mode::List));

    press(&mut model, "n");
    model.paste("Pasted q name\n");
    let Mode::Form(form) = &model.profiles.mode else {
        panic!("the form stays open")
    };
    assert_eq!(form.name.text(), "Pasted q name");
    assert!(!model.quit);
}

#[test]
fn z_hides_the_side_panes_and_focus_stays_in_the_main_area_until_they_are_back() {
    let mut model = model_with(demo_profiles());
    assert_eq!(model.focus, Focus::Profiles);
    press(&mut model, "z");
    assert!(!model.side_panes_shown());
    assert_eq!(model.focus, Focus::Main);
    press(&mut model, "tab");
    assert_eq!(
        model.focus,
        Focus::Main,
        "tab does not move into hidden panes"
    );
    press(&mut model, "alt-1");
    assert!(
        model.side_panes_shown(),
        "focusing the profiles shows them again"
    );
    assert_eq!(model.focus, Focus::Profiles);
    press(&mut model, "z z");
    assert!(model.side_panes_shown());
}

#[test]
fn after_duplicating_the_copy_is_selected_so_d_does_not_delete_the_original() {
    let mut model = model_with(demo_profiles());
    let effects = press(&mut model, "j y");
    assert!(
        matches!(&effects[..], [Effect::SaveProfiles(ProfileChange::Duplicate { name })] if name == "Acme UAT"),
        "{effects:?}"
    );
    // The runtime writes profiles.toml (the copy goes last) and answers with the profiles.
    let mut saved = demo_profiles();
    let mut copy = saved[1].clone();
    copy.name = "Acme UAT (copy)".into();
    saved.push(copy);
    model.handle_msg(sfterm::msg::Msg::ProfilesSaved(Ok(saved)));
    assert_eq!(
        model.profiles.selected_profile().map(|p| p.name.as_str()),
        Some("Acme UAT (copy)")
    );
    press(&mut model, "d");
    let effects = press(&mut model, "y");
    assert!(
        matches!(&effects[..], [Effect::SaveProfiles(ProfileChange::Remove { name })] if name == "Acme UAT (copy)"),
        "{effects:?}"
    );
}

#[test]
fn revoking_the_token_asks_first() {
    use sfterm::effect::SessionJob;
    let revokes = |effects: &[Effect]| {
        effects
            .iter()
            .filter(|e| {
                matches!(
                    e,
                    Effect::Spawn {
                        job: Job::Session(SessionJob::Revoke),
                        ..
                    }
                )
            })
            .count()
    };
    let mut model = model_with(demo_profiles());
    common::connect(&mut model);
    let effects = press(&mut model, "tab R");
    assert_eq!(revokes(&effects), 0, "nothing is revoked before the answer");
    assert!(matches!(model.overlay, Some(Overlay::ConfirmRevoke)));
    let screen = common::render(&model, 120, 40);
    assert!(screen.contains("Revoke token?"), "{screen}");
    let effects = press(&mut model, "n");
    assert_eq!(revokes(&effects), 0);
    assert!(model.overlay.is_none(), "n keeps the token");
    let effects = press(&mut model, "R y");
    assert_eq!(revokes(&effects), 1, "y revokes: {effects:?}");
    assert!(model.overlay.is_none());
}
