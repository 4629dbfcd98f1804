//! The profile form's login flows: the chooser shows each flow's fields only, keys make
//! profiles of every flow, nothing is lost switching flows, problems show under their field,
//! each flow's form as it looks (120x40 and 80x24), and the runtime writing what the keys made
//! to profiles.toml.
use crate::common;

use std::path::{Path, PathBuf};

use common::{demo_profiles, model_with, press, render, type_text};
use sfterm::config::profiles::{Flow, Profile, ProfileStore, SecretSource};
use sfterm::effect::{Effect, ProfileChange};
use sfterm::state::Model;
use sfterm::state::profiles::{Field, FlowChoice, Mode, ProfileForm};

fn form(model: &Model) -> &ProfileForm {
    match &model.profiles.mode {
        Mode::Form(form) => form,
        other => panic!("the form is open: {other:?}"),
    }
}

/// The profile a ctrl-s saves.
fn saved(effects: &[Effect]) -> &Profile {
    match effects {
        [Effect::SaveProfiles(ProfileChange::Upsert { profile, .. })] => profile,
        other => panic!("expected one upsert, got {other:?}"),
    }
}

/// A port nothing listens on now.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).expect("bind");
    listener.local_addr().expect("addr").port()
}

/// A readable key file (the form checks only that it can be read).
fn key_file(dir: &Path) -> PathBuf {
    let path = dir.join("acme-jwt.key");
    std::fs::write(&path, "-----BEGIN PRIVATE KEY-----\nnot a real key\n").expect("write");
    path
}

/// `n`, a name, and the chooser moved to the `steps`-th flow after client credentials; the
/// focus is left on the chooser.
fn new_form(model: &mut Model, name: &str, steps: usize) {
    press(model, "n");
    type_text(model, name);
    press(model, "tab");
    for _ in 0..steps {
        press(model, "right");
    }
}

/// Keys for a JWT profile on a My Domain; the focus ends on the audience.
fn type_jwt(model: &mut Model, key_file: &str) {
    new_form(model, "Acme JWT", 2);
    assert_eq!(form(model).flow, FlowChoice::Jwt);
    press(model, "tab tab"); // Environment (My Domain) → URL
    type_text(model, "acme.my.salesforce.com");
    press(model, "tab");
    type_text(model, "3MVG9jwt");
    press(model, "tab");
    type_text(model, "ops@acme.com");
    press(model, "tab");
    type_text(model, key_file);
    press(model, "tab");
}

/// Keys for a browser login on the production login host, without a secret; the focus ends
/// on the callback port, `port` typed unless empty.
fn type_web(model: &mut Model, port: &str) {
    new_form(model, "Acme web", 1);
    assert_eq!(form(model).flow, FlowChoice::Web);
    press(model, "tab right"); // Environment: My Domain → Production (no URL to type)
    press(model, "tab");
    type_text(model, "3MVG9web");
    press(model, "tab"); // Secret from: none (PKCE app), the default for a browser login
    assert_eq!(form(model).secret_source_name(), "none");
    press(model, "tab");
    assert_eq!(form(model).focus, Field::CallbackPort);
    type_text(model, port);
}

#[test]
fn a_jwt_profile_is_made_with_keys() {
    let dir = tempfile::tempdir().expect("dir");
    let key = key_file(dir.path());
    let mut model = model_with(demo_profiles());
    type_jwt(&mut model, key.to_str().expect("utf-8 path"));
    assert_eq!(form(&model).focus, Field::Audience);
    type_text(&mut model, "https://test.salesforce.com");
    let effects = press(&mut model, "ctrl-s");
    let profile = saved(&effects);
    assert_eq!(
        profile.flow,
        Flow::Jwt {
            username: "ops@acme.com".into(),
            key_file: key,
            audience: Some("https://test.salesforce.com".into()),
        }
    );
    assert_eq!(profile.endpoint, "https://acme.my.salesforce.com");
    assert_eq!(profile.client_id, "3MVG9jwt");
    assert_eq!(profile.secret, SecretSource::None, "JWT takes no secret");
}

#[test]
fn a_web_profile_without_a_secret_is_made_with_keys() {
    let port = free_port();
    let mut model = model_with(demo_profiles());
    type_web(&mut model, &port.to_string());
    let effects = press(&mut model, "ctrl-s");
    let profile = saved(&effects);
    assert_eq!(
        profile.flow,
        Flow::Web {
            callback_port: Some(port)
        }
    );
    assert_eq!(profile.endpoint, "https://login.salesforce.com");
    assert_eq!(profile.secret, SecretSource::None);
}

#[test]
fn tab_and_shift_tab_skip_the_fields_of_other_flows() {
    let mut model = model_with(demo_profiles());
    new_form(&mut model, "Acme via sf", 3);
    assert_eq!(form(&model).flow, FlowChoice::SfCli);
    let mut seen = Vec::new();
    for _ in 0..5 {
        press(&mut model, "tab");
        seen.push(form(&model).focus);
    }
    assert_eq!(
        seen,
        [
            Field::SfOrg,
            Field::Url,
            Field::ApiVersion,
            Field::Name,
            Field::Flow
        ]
    );
    press(&mut model, "shift-tab");
    assert_eq!(form(&model).focus, Field::Name);
    press(&mut model, "shift-tab");
    assert_eq!(form(&model).focus, Field::ApiVersion);
}

#[test]
fn switching_the_chooser_back_and_forth_loses_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let key = key_file(dir.path());
    let mut model = model_with(demo_profiles());
    type_jwt(&mut model, key.to_str().expect("utf-8 path"));
    // Back to the chooser, round every flow, back to JWT.
    for _ in 0..6 {
        press(&mut model, "shift-tab");
    }
    assert_eq!(form(&model).focus, Field::Flow);
    press(&mut model, "right");
    assert_eq!(form(&model).flow, FlowChoice::SfCli);
    press(&mut model, "tab");
    type_text(&mut model, "acme-dev");
    press(&mut model, "shift-tab right right");
    assert_eq!(form(&model).flow, FlowChoice::Web);
    press(&mut model, "right");
    let form = form(&model);
    assert_eq!(form.flow, FlowChoice::Jwt);
    assert_eq!(form.username.text(), "ops@acme.com");
    assert_eq!(form.client_id.text(), "3MVG9jwt");
    assert_eq!(form.sf_org.text(), "acme-dev", "kept, though not saved");
    let effects = press(&mut model, "ctrl-s");
    assert!(matches!(saved(&effects).flow, Flow::Jwt { .. }));
}

#[test]
fn opening_a_profile_of_any_flow_and_leaving_asks_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let mut profiles = demo_profiles();
    let base = profiles[2].clone();
    profiles.push(Profile {
        name: "Web".into(),
        secret: SecretSource::None,
        flow: Flow::Web {
            callback_port: Some(1818),
        },
        ..base.clone()
    });
    profiles.push(Profile {
        name: "JWT".into(),
        secret: SecretSource::None,
        flow: Flow::Jwt {
            username: "ops@acme.com".into(),
            key_file: key_file(dir.path()),
            audience: None,
        },
        ..base.clone()
    });
    profiles.push(Profile {
        name: "CLI".into(),
        endpoint: String::new(),
        client_id: String::new(),
        secret: SecretSource::None,
        flow: Flow::SfCli { org: "acme".into() },
        ..base
    });
    let count = profiles.len();
    let mut model = model_with(profiles);
    for at in 0..count {
        model.profiles.selected = at;
        press(&mut model, "e");
        assert!(!form(&model).is_changed(), "profile {at}");
        press(&mut model, "esc");
        assert!(
            matches!(model.profiles.mode, Mode::List),
            "profile {at}: {:?}",
            model.profiles.mode
        );
    }
}

#[test]
fn problems_show_under_the_jwt_fields_they_are_about() {
    let mut model = model_with(demo_profiles());
    type_jwt(&mut model, "/definitely/not/here/acme.pem");
    // The username field again, made unlike a username.
    press(&mut model, "shift-tab shift-tab");
    press(&mut model, "ctrl-u");
    type_text(&mut model, "ops");
    assert!(press(&mut model, "ctrl-s").is_empty(), "not saved");
    let problems: Vec<Field> = form(&model).problems.iter().map(|(f, _)| *f).collect();
    assert_eq!(problems, [Field::Username, Field::KeyFile]);
    let screen = render(&model, 120, 40);
    let rows: Vec<&str> = screen.lines().collect();
    let row_of = |text: &str| {
        rows.iter()
            .position(|r| r.contains(text))
            .unwrap_or_else(|| panic!("{text} on screen:\n{screen}"))
    };
    assert_eq!(
        row_of("does not look like a Salesforce username"),
        row_of("Username") + 1
    );
    assert_eq!(row_of("Cannot read the key file"), row_of("Key file") + 1);
}

#[test]
fn a_web_secret_typed_in_plain_is_masked() {
    let mut model = model_with(demo_profiles());
    type_web(&mut model, "");
    press(&mut model, "shift-tab right right right right"); // none → prompt → env → command → plain
    assert_eq!(form(&model).secret_source_name(), "plain");
    press(&mut model, "tab");
    type_text(&mut model, "typed-web-secret");
    let screen = render(&model, 120, 40);
    assert!(!screen.contains("typed-web-secret"), "{screen}");
    assert!(!format!("{model:?}").contains("typed-web-secret"));
}

/// Each flow's form at both sizes.
fn snapshot_both_sizes(model: &Model, flow: &str) {
    assert_screen!(format!("{flow}_120x40"), render(model, 120, 40));
    assert_screen!(format!("{flow}_80x24"), render(model, 80, 24));
}

#[test]
fn client_credentials_form() {
    let mut model = model_with(demo_profiles());
    new_form(&mut model, "Acme dev", 0);
    press(&mut model, "tab tab");
    type_text(&mut model, "acme.my.salesforce.com");
    press(&mut model, "tab");
    type_text(&mut model, "3MVG9acme");
    snapshot_both_sizes(&model, "client_credentials");
}

#[test]
fn web_form_shows_the_callback_url() {
    let mut model = model_with(demo_profiles());
    type_web(&mut model, "");
    let screen = render(&model, 80, 24);
    assert!(
        screen.contains("http://localhost:1717/OauthRedirect"),
        "{screen}"
    );
    snapshot_both_sizes(&model, "web");
    type_text(&mut model, "8123");
    assert!(render(&model, 80, 24).contains("http://localhost:8123/OauthRedirect"));
}

#[test]
fn jwt_form_with_its_problems() {
    let mut model = model_with(demo_profiles());
    type_jwt(&mut model, "/definitely/not/here/acme.pem");
    press(&mut model, "ctrl-s");
    snapshot_both_sizes(&model, "jwt");
}

#[test]
fn salesforce_cli_form() {
    let mut model = model_with(demo_profiles());
    new_form(&mut model, "Acme via sf", 3);
    press(&mut model, "tab");
    type_text(&mut model, "acme-dev");
    snapshot_both_sizes(&model, "sf");
}

/// End to end: the runtime writes what the form's keys made to profiles.toml.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jwt_and_web_profiles_made_with_keys_are_written_to_profiles_toml() {
    use common::live::{LiveApp, LiveOptions, Observed};

    #[derive(Clone, Default)]
    struct Screen(String, usize);
    impl Observed for Screen {
        fn observe(model: &Model, screen: String) -> Self {
            Screen(screen, model.profiles.profiles.len())
        }
        fn screen(&self) -> &str {
            &self.0
        }
    }

    let keys = tempfile::tempdir().expect("dir");
    let key = key_file(keys.path());
    let config = tempfile::tempdir().expect("dir");
    let org = common::profile("Demo org", "http://127.0.0.1:8484");
    let mut app: LiveApp<Screen> = LiveApp::start_with(
        vec![org],
        LiveOptions {
            config_dir: Some(config.path()),
            ..LiveOptions::default()
        },
    );

    // JWT: name, chooser → JWT, My Domain URL, client id, username, key file.
    app.press("n");
    app.type_text("Acme JWT");
    app.press("tab right right tab tab");
    app.type_text("acme.my.salesforce.com");
    app.press("tab");
    app.type_text("3MVG9jwt");
    app.press("tab");
    app.type_text("ops@acme.com");
    app.press("tab");
    app.type_text(key.to_str().expect("utf-8 path"));
    app.press("ctrl-s");
    app.wait_for("the JWT profile saved", |s| s.1 == 2).await;

    // Web: name, chooser → web, production, client id, no secret, a free callback port.
    let port = free_port();
    app.press("n");
    app.type_text("Acme web");
    app.press("tab right tab right tab");
    app.type_text("3MVG9web");
    app.press("tab tab");
    app.type_text(&port.to_string());
    app.press("ctrl-s");
    app.wait_for("the web profile saved", |s| s.1 == 3).await;
    app.quit().await;

    let path = config.path().join("profiles.toml");
    let text = std::fs::read_to_string(&path).expect("profiles.toml");
    let doc: toml_edit::DocumentMut = text.parse().expect("toml");
    let tables = doc["profile"].as_array_of_tables().expect("[[profile]]");
    let table = |name: &str| {
        tables
            .iter()
            .find(|t| t["name"].as_str() == Some(name))
            .unwrap_or_else(|| panic!("{name} in:\n{text}"))
    };
    let keys_of = |name: &str| {
        table(name)
            .iter()
            .map(|(k, _)| k.to_owned())
            .collect::<Vec<_>>()
    };

    let jwt = table("Acme JWT");
    assert_eq!(jwt["flow"].as_str(), Some("jwt"));
    assert_eq!(jwt["username"].as_str(), Some("ops@acme.com"));
    assert_eq!(jwt["key_file"].as_str(), key.to_str());
    assert_eq!(
        jwt["endpoint"].as_str(),
        Some("https://acme.my.salesforce.com")
    );
    assert_eq!(jwt["client_id"].as_str(), Some("3MVG9jwt"));
    assert_eq!(
        keys_of("Acme JWT"),
        [
            "name",
            "flow",
            "username",
            "key_file",
            "endpoint",
            "client_id"
        ],
        "no secret, auth style or other flow's keys:\n{text}"
    );

    let web = table("Acme web");
    assert_eq!(web["flow"].as_str(), Some("web"));
    assert_eq!(web["callback_port"].as_integer(), Some(i64::from(port)));
    assert_eq!(
        web["endpoint"].as_str(),
        Some("https://login.salesforce.com")
    );
    assert_eq!(
        keys_of("Acme web"),
        ["name", "flow", "callback_port", "endpoint", "client_id"],
        "no secret key for a browser login without one:\n{text}"
    );

    // And they read back as the form made them.
    let store = ProfileStore::load(&path).expect("loads");
    let names: Vec<&str> = store.profiles().iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Demo org", "Acme JWT", "Acme web"]);
    assert_eq!(store.profiles()[2].secret, SecretSource::None);
}
