//! Test harnesses: the TUI (fixture models, key sequences, rendering to a `TestBackend`) and,
//! in [`org`], a mock org with a raw HTTP client and token.
#![allow(dead_code)] // each test binary uses a different part of the harness

#[cfg(feature = "mock-org")]
pub mod cli;
#[cfg(feature = "mock-org")]
pub mod live;
pub mod org;
pub mod tmux;

use jiff::{SignedDuration, Timestamp};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use secrecy::SecretString;

use sfterm::config::profiles::{AuthStyle, Profile, SecretSource};
use sfterm::effect::{Effect, RequestId};
use sfterm::keymap::{KeyChord, Keymap};
use sfterm::msg::{Msg, Outcome};
use sfterm::sf::RenewReason;
use sfterm::state::Model;
use sfterm::state::token::SessionInfo;
use sfterm::ui::{self, Theme};

/// 2026-01-01T00:00:00Z, the fixed "now" of every fixture.
pub fn t0() -> Timestamp {
    Timestamp::from_second(1_767_225_600).expect("valid")
}

pub fn profile(name: &str, endpoint: &str) -> Profile {
    Profile {
        name: name.into(),
        endpoint: endpoint.into(),
        client_id: "3MVG9demo".into(),
        secret: SecretSource::Plain {
            value: SecretString::from("s3cr3t-value".to_owned()),
        },
        auth_style: AuthStyle::Body,
        api_version: None,
        ca_file: None,
        renew_margin_secs: None,
        flow: Default::default(),
    }
}

pub fn demo_profiles() -> Vec<Profile> {
    vec![
        profile("Demo org", "http://127.0.0.1:8484"),
        profile("Acme UAT", "https://acme--uat.sandbox.my.salesforce.com"),
        profile("Acme prod", "https://acme.my.salesforce.com"),
        profile("Demo (login host)", "https://login.salesforce.com"),
    ]
}

pub fn model_with(profiles: Vec<Profile>) -> Model {
    let mut model = Model::new(
        profiles,
        None,
        Keymap::default(),
        SignedDuration::from_secs(300),
        t0(),
    );
    model.tz = jiff::tz::TimeZone::UTC;
    model
}

/// Parses "j j enter ctrl-s" (space separated chords; "space" for a space).
pub fn key_events(keys: &str) -> Vec<KeyEvent> {
    keys.split_whitespace()
        .map(|k| {
            let chord = KeyChord::parse(k).expect("valid key");
            let modifiers = match chord.code {
                KeyCode::Char(c) if c.is_ascii_uppercase() => chord.modifiers | KeyModifiers::SHIFT,
                _ => chord.modifiers,
            };
            KeyEvent::new(chord.code, modifiers)
        })
        .collect()
}

/// Presses the keys through the keymap and `update`; returns every effect, unexecuted.
pub fn press(model: &mut Model, keys: &str) -> Vec<Effect> {
    key_events(keys)
        .into_iter()
        .flat_map(|k| model.handle_key(k))
        .collect()
}

/// Types literal text into the focused field.
pub fn type_text(model: &mut Model, text: &str) {
    for c in text.chars() {
        let effects = model.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        assert!(
            effects.is_empty(),
            "typing '{c}' must not trigger anything: {effects:?}"
        );
    }
}

/// The screen as text.
pub fn render(model: &Model, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal
        .draw(|frame| {
            ui::render(model, &Theme::default(), frame);
        })
        .expect("draw");
    terminal.backend().to_string()
}

/// Draws a frame as the app does and hands the layout back to the model (the side panes fold
/// on a narrow terminal, focus leaves them); the screen as text.
pub fn draw(model: &mut Model, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    let mut feedback = Default::default();
    terminal
        .draw(|frame| feedback = ui::render(model, &Theme::default(), frame))
        .expect("draw");
    if model.set_layout(feedback) {
        return render(model, width, height);
    }
    terminal.backend().to_string()
}

/// Fails if an access token (`00D` + 12 characters + `!` + secret) is on the screen unmasked.
pub fn assert_token_masked(screen: &str) {
    let bytes = screen.as_bytes();
    for (i, _) in screen.match_indices('!') {
        let org_id = i >= 15
            && bytes[i - 15..i].starts_with(b"00D")
            && bytes[i - 15..i].iter().all(u8::is_ascii_alphanumeric);
        if org_id {
            let after = &screen[i + 1..];
            assert!(
                after.starts_with('•'),
                "an unmasked access token is on the screen: {}",
                &screen[i - 15..(i + 20).min(screen.len())]
            );
        }
    }
}

/// Snapshots a screen with wall-clock dates and times filtered (the countdowns stay), after
/// checking that no access token is shown unmasked.
#[macro_export]
macro_rules! assert_screen {
    ($screen:expr) => {{
        let screen: String = $screen;
        $crate::common::assert_token_masked(&screen);
        insta::with_settings!({filters => vec![
            (r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", "[date time]"),
            (r"\b\d{2}:\d{2}:\d{2}\b", "[hh:mm:ss]"),
        ]}, {
            insta::assert_snapshot!(screen);
        });
    }};
    // A named snapshot, for a test with several screens.
    ($name:expr, $screen:expr) => {{
        let screen: String = $screen;
        $crate::common::assert_token_masked(&screen);
        insta::with_settings!({filters => vec![
            (r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", "[date time]"),
            (r"\b\d{2}:\d{2}:\d{2}\b", "[hh:mm:ss]"),
        ]}, {
            insta::assert_snapshot!($name, screen);
        });
    }};
}

/// The request id of the first job in `effects`.
pub fn spawned_req(effects: &[Effect]) -> RequestId {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::Spawn { req, .. } => Some(*req),
            _ => None,
        })
        .expect("a job was spawned")
}

/// The session of "Demo org" (see [`demo_profiles`]) logged in at [`t0`].
pub fn session() -> SessionInfo {
    SessionInfo {
        login: Default::default(),
        environment: None,
        profile: "Demo org".into(),
        instance_url: "http://127.0.0.1:8484".into(),
        user_id: "005Dn00000IntUsIAJ".into(),
        org_id: "00DDn00000Org01MAB".into(),
        scopes: vec!["api".into()],
        token_type: "Bearer".into(),
        issued_at: t0(),
        obtained_at: t0(),
        reason: RenewReason::Initial,
        masked_token: "00DDn00000Org01!••••••••".into(),
    }
}

/// Connects the selected profile ("Demo org" in [`demo_profiles`]): enter, then the login
/// succeeds with [`session`]. Returns the effects of the login (introspection, list loads).
pub fn connect(model: &mut Model) -> Vec<Effect> {
    let req = spawned_req(&press(model, "enter"));
    model.handle_msg(Msg::Done {
        req,
        outcome: Outcome::Login(Ok(session())),
    })
}
