//! The router, as a table: for every overlay and popup over every pane with a text field, a
//! printable key and a paste reach only the one on top.
use crate::common;
use crate::fixture;

use common::{demo_profiles, model_with, press};
use sfterm::state::palette::PaletteState;
use sfterm::state::profiles::{Mode as ProfilesMode, ProfileForm};
use sfterm::state::record_detail::Draft;
use sfterm::state::{InputTarget, Model, Overlay};

/// A pane underneath, with a text field open, and how to read what it holds.
struct Under {
    name: &'static str,
    open: fn() -> Model,
    text: fn(&Model) -> String,
}

/// What goes on top, the target it makes, and whether it takes typed text itself.
struct Top {
    name: &'static str,
    put: fn(&mut Model),
    target: InputTarget,
    takes_text: bool,
}

fn unders() -> Vec<Under> {
    vec![
        Under {
            name: "composer body editor",
            open: || {
                let mut model = model_with(demo_profiles());
                press(&mut model, "2 b");
                model
            },
            text: |m| format!("{:?}", m.composer.mode),
        },
        Under {
            name: "composer name input",
            open: || {
                let mut model = model_with(demo_profiles());
                press(&mut model, "2 n");
                model
            },
            text: |m| format!("{:?}", m.composer.mode),
        },
        Under {
            name: "composer path edited in place",
            open: || {
                let mut model = model_with(demo_profiles());
                press(&mut model, "2 l enter");
                model
            },
            text: |m| format!("{:?}", m.composer.mode),
        },
        Under {
            name: "composer tree filter",
            open: || {
                let mut model = model_with(demo_profiles());
                press(&mut model, "2 /");
                model
            },
            text: |m| format!("{:?}", m.composer.mode),
        },
        Under {
            name: "history filter",
            open: || {
                let mut model = model_with(demo_profiles());
                press(&mut model, "3 /");
                model
            },
            text: |m| format!("{:?}", m.history.mode),
        },
        Under {
            name: "records quick search",
            open: || {
                let mut model = model_with(demo_profiles());
                press(&mut model, "1 /");
                model
            },
            text: |m| format!("{:?}", m.records.input),
        },
        Under {
            name: "record detail field editor",
            open: || {
                let mut model = fixture::opened();
                press(&mut model, "g e");
                model
            },
            text: |m| format!("{:?}", m.detail.top().map(|v| &v.popup)),
        },
    ]
}

fn tops() -> Vec<Top> {
    vec![
        Top {
            name: "help",
            put: |m| m.overlay = Some(Overlay::Help { scroll: 0 }),
            target: InputTarget::Overlay,
            takes_text: false,
        },
        Top {
            name: "palette",
            put: |m| m.overlay = Some(Overlay::Palette(PaletteState::default())),
            target: InputTarget::Overlay,
            takes_text: true,
        },
        Top {
            name: "copy token confirmation",
            put: |m| m.overlay = Some(Overlay::ConfirmCopyToken),
            target: InputTarget::Overlay,
            takes_text: false,
        },
        Top {
            name: "drafts popup",
            put: |m| {
                m.overlay = Some(Overlay::Drafts {
                    drafts: vec![Draft {
                        profile: None,
                        object: "Account".into(),
                        id: None,
                        title: "Acme".into(),
                        opened_at: None,
                        staged: serde_json::Map::new(),
                        mass: None,
                    }],
                    selected: 0,
                });
            },
            target: InputTarget::Overlay,
            takes_text: false,
        },
        Top {
            name: "quit with staged edits",
            put: |m| m.overlay = Some(Overlay::QuitStaged { count: 1 }),
            target: InputTarget::Overlay,
            takes_text: false,
        },
        Top {
            name: "profile form",
            put: |m| m.profiles.mode = ProfilesMode::Form(Box::new(ProfileForm::new_profile())),
            target: InputTarget::ProfileForm,
            takes_text: true,
        },
        Top {
            name: "setup check popup",
            put: |m| m.check.open = true,
            target: InputTarget::Check,
            takes_text: false,
        },
    ]
}

/// What the top holds, to see whether typing reached it.
fn top_text(model: &Model) -> String {
    format!("{:?} {:?}", model.overlay, model.profiles.mode)
}

#[test]
fn a_key_and_a_paste_reach_only_the_top_of_every_stack() {
    let mut checked = 0;
    for under in unders() {
        for top in tops() {
            let mut model = (under.open)();
            assert!(
                model
                    .pane(model.input_target())
                    .is_some_and(|p| p.wants_text()),
                "{}: a text field is open",
                under.name
            );
            let before = (under.text)(&model);
            (top.put)(&mut model);
            assert_eq!(
                model.input_target(),
                top.target,
                "{} over {}",
                top.name,
                under.name
            );
            let top_before = top_text(&model);
            // "ü" is bound to nothing anywhere: it can only be typed.
            let effects = press_char(&mut model, 'ü');
            assert!(
                effects.is_empty(),
                "{} over {}: {effects:?}",
                top.name,
                under.name
            );
            model.paste("pasted");
            assert_eq!(
                (under.text)(&model),
                before,
                "{} over {}: the pane underneath got the key or the paste",
                top.name,
                under.name
            );
            assert_eq!(
                top_text(&model) != top_before,
                top.takes_text,
                "{} over {}: the top {} the text",
                top.name,
                under.name,
                if top.takes_text { "did not get" } else { "got" }
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 49);
}

#[test]
fn without_a_popup_the_key_and_the_paste_reach_the_pane() {
    for under in unders() {
        let mut model = (under.open)();
        let before = (under.text)(&model);
        press_char(&mut model, 'ü');
        let typed = (under.text)(&model);
        assert_ne!(typed, before, "{}: the key was typed", under.name);
        model.paste("pasted");
        assert_ne!(
            (under.text)(&model),
            typed,
            "{}: the paste was typed",
            under.name
        );
    }
}

fn press_char(model: &mut Model, c: char) -> Vec<sfterm::effect::Effect> {
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    model.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}
