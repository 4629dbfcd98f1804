//! Starting the TUI: settings, keys, profiles, logging, the terminal, then the runtime. Also
//! `sfterm demo`, which does the same on the embedded mock org with ready-made profiles.

use std::path::PathBuf;

use jiff::{SignedDuration, Timestamp};

use crate::action::Action;
use crate::app::Runtime;
use crate::cli::{EXIT_FAILURE, EXIT_USAGE};
use crate::config::paths;
use crate::config::profiles::ProfileStore;
use crate::config::settings::Settings;
use crate::keymap::Keymap;
use crate::state::{Model, RunMode};
use crate::term::{self, TerminalGuard};
use crate::ui::Theme;
use crate::ui::theme::ThemeKind;

/// Why a command ended badly: the message for stderr and the exit code.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    pub fn new(code: u8, message: impl Into<String>) -> Failure {
        Failure {
            code,
            message: message.into(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct TuiOptions {
    /// Where config.toml is.
    pub settings_dir: PathBuf,
    /// Where profiles.toml is.
    pub profiles_dir: PathBuf,
    /// The profiles when they are already in memory (the demo's: its file is only written
    /// when the user changes one); `None` reads `profiles_dir/profiles.toml`.
    pub profile_store: Option<ProfileStore>,
    /// Connect with this profile at start.
    pub connect: Option<String>,
    pub run_mode: RunMode,
    /// Drafts, saved requests, history and response bodies (the demo uses a scratch one of its
    /// own, removed when it ends).
    pub data_dir: PathBuf,
}

impl TuiOptions {
    pub fn new(config_dir: Option<PathBuf>, connect: Option<String>) -> TuiOptions {
        let dir = config_dir.unwrap_or_else(paths::config_dir);
        TuiOptions {
            settings_dir: dir.clone(),
            profiles_dir: dir,
            profile_store: None,
            connect,
            run_mode: RunMode::Normal,
            data_dir: paths::data_dir(),
        }
    }
}

/// How many tightened files the start-up notice names (the log names them all).
const NOTICE_NAMES: usize = 3;

pub async fn run(options: TuiOptions) -> Result<(), Failure> {
    run_with(options, |_| {}).await
}

/// The runtime of the real terminal.
type TermRuntime = Runtime<ratatui::backend::CrosstermBackend<std::io::Stdout>>;

/// [`run`], with `start` called on the runtime before its first frame (the demo tells it that
/// its mock org is starting there, and starts it in the background).
async fn run_with(
    options: TuiOptions,
    start: impl FnOnce(&mut TermRuntime),
) -> Result<(), Failure> {
    if !term::has_tty() {
        return Err(Failure::new(
            EXIT_USAGE,
            "the terminal UI needs a terminal, and stdin/stdout are not one.\n\
             For scripts use the subcommands (see `sfterm --help`), e.g. `sfterm mock-org`.",
        ));
    }
    let settings = Settings::load(&options.settings_dir.join("config.toml"))
        .map_err(|e| Failure::new(EXIT_FAILURE, e.to_string()))?;
    let keymap = Keymap::load(&settings.keys).map_err(|e| Failure::new(EXIT_FAILURE, e))?;
    crate::sf::types::set_configured_attempts(settings.retries);
    crate::sf::bulk::set_configured_export_concurrency(settings.export_concurrency);
    let log = crate::logging::init(&paths::data_dir(), &settings.log_level).ok();
    // After the log is open (so its own line lands there), before profiles.toml is read (so its
    // warning below only shows when it could not be made private). The settings directory is
    // the config directory, also in the demo (whose profiles live in a temp dir of its own).
    let tightened =
        crate::private_fs::tighten(&paths::own_files(&options.settings_dir, &paths::data_dir()));
    tightened.log();

    let loaded = match options.profile_store {
        Some(store) => Ok(store),
        None => ProfileStore::load(&options.profiles_dir.join("profiles.toml")),
    };
    let (store, profiles, load_error) = match loaded {
        Ok(store) => {
            let profiles = store.profiles().to_vec();
            (Some(store), profiles, None)
        }
        Err(e) => (None, Vec::new(), Some(e.to_string())),
    };
    let permission_warning = store.as_ref().and_then(ProfileStore::permission_warning);
    let margin =
        SignedDuration::from_secs(settings.renew_margin_secs.try_into().unwrap_or(i64::MAX));
    let mut model = Model::new(profiles, load_error, keymap, margin, Timestamp::now());
    model.run_mode = options.run_mode;
    // Exports are files the user asked for: they go to the real data directory even in the demo.
    model.records.export_dir = Some(paths::data_dir().join(paths::EXPORTS_DIR));
    model.log_path = log.as_ref().map(|(path, _)| path.display().to_string());
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let theme = Theme::new(ThemeKind::from_setting(&settings.theme, no_color));
    tracing::info!(profiles = model.profiles.profiles.len(), mode = ?options.run_mode, "starting the TUI");

    let setup_error = |e| Failure::new(EXIT_FAILURE, format!("cannot set up the terminal: {e}"));
    term::exit_when_the_terminal_hangs_up();
    // The input first: see `PausableInput::new`.
    let input = term::PausableInput::new().map_err(setup_error)?;
    let (guard, terminal) = TerminalGuard::enter().map_err(setup_error)?;
    let mut runtime = Runtime::new(model, theme, terminal, store, Box::new(term::osc52_copy));
    let editor_input = input.clone();
    runtime.set_editor(Box::new(move |text, extension| {
        term::edit_externally(&editor_input, text, extension)
    }));
    let resume_input = input.clone();
    runtime.set_after_editor(Box::new(move || resume_input.resume()));
    let warnings: Vec<String> = tightened
        .notice(NOTICE_NAMES)
        .into_iter()
        .chain(permission_warning)
        .collect();
    if !warnings.is_empty() {
        runtime.notify(format!("Warning: {}", warnings.join(" ")));
    }
    start(&mut runtime);
    // Connect before the drafts popup opens: the popup takes the keys (and the connect action),
    // and restoring a draft needs the connection anyway.
    if let Some(name) = &options.connect {
        connect_at_start(&mut runtime, name);
    }
    runtime.use_data_dir(options.data_dir.clone());
    let input = forced_panic::arm(input);
    let result = runtime.run(input).await;
    drop(guard);
    result
        .map(|_| ())
        .map_err(|e| Failure::new(EXIT_FAILURE, format!("terminal error: {e}")))
}

/// The test-only panic trigger: in debug builds, `SFTERM_TEST_PANIC=1` makes the first key press
/// panic inside the running TUI, so a test can check that the terminal is restored and the panic
/// reported. Release builds compile it out (the variable does nothing there): a shipped binary
/// has no way to be told to crash.
mod forced_panic {
    use std::io;

    use futures::Stream;
    use ratatui::crossterm::event::Event;

    /// The environment variable that arms the trigger (debug builds only).
    pub const VAR: &str = "SFTERM_TEST_PANIC";

    #[cfg(debug_assertions)]
    pub fn arm<S>(input: S) -> impl Stream<Item = io::Result<Event>> + Unpin
    where
        S: Stream<Item = io::Result<Event>> + Unpin,
    {
        use futures::StreamExt;
        let armed = std::env::var(VAR).is_ok_and(|v| v == "1");
        input.inspect(move |event| {
            if armed && matches!(event, Ok(Event::Key(_))) {
                panic!("forced panic ({VAR}=1): a key was pressed");
            }
        })
    }

    #[cfg(not(debug_assertions))]
    pub fn arm<S>(input: S) -> S
    where
        S: Stream<Item = io::Result<Event>> + Unpin,
    {
        let _ = VAR;
        input
    }
}

/// Selects the named profile and connects, as if the user had pressed enter on it.
fn connect_at_start<B: ratatui::backend::Backend>(runtime: &mut Runtime<B>, name: &str) {
    let position = runtime
        .model()
        .profiles
        .profiles
        .iter()
        .position(|p| p.name.eq_ignore_ascii_case(name));
    match position {
        Some(index) => {
            runtime.select_profile(index);
            runtime.dispatch(Action::Connect);
        }
        None => runtime.notify(format!("No profile called '{name}'.")),
    }
}

#[cfg(feature = "mock-org")]
pub async fn run_demo(args: crate::cli::DemoArgs) -> Result<(), Failure> {
    use crate::config::profiles::{AuthStyle, Flow, Profile, SecretSource};
    use crate::mock_org::{BoundMockOrg, MockOrgConfig};
    use crate::msg::Msg;
    use secrecy::SecretString;

    if !term::has_tty() {
        return run(TuiOptions::new(None, None)).await; // reports the missing terminal
    }
    // The browser login's callback: a free port, registered on the embedded org's app. The
    // org approves at once (no page to click through), as a real org does for a user who
    // approved the app before.
    let callback_port = std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| {
            Failure::new(
                EXIT_FAILURE,
                format!("no free port for the demo login: {e}"),
            )
        })?;
    let config = MockOrgConfig {
        token_ttl: std::time::Duration::from_secs(args.token_ttl),
        records: args.records,
        scenario: args.scenario,
        callback_urls: vec![crate::config::profiles::callback_url(callback_port)],
        auto_approve: true,
        ..MockOrgConfig::default()
    };
    // Only the listeners are bound before the first frame (their URLs go into the profiles);
    // the data is seeded in the background while the TUI runs, and the demo profile connects
    // once the org serves.
    let org = BoundMockOrg::bind(config)
        .map_err(|e| Failure::new(EXIT_FAILURE, format!("mock org: {e}")))?;

    // The demo's profiles live in a throwaway directory, so the user's own file is never touched.
    let dir = std::env::temp_dir().join(format!("sfterm-demo-{}", std::process::id()));
    let profile = |name: &str, endpoint: &url::Url, (id, secret): (&str, &str)| Profile {
        name: name.into(),
        endpoint: endpoint.as_str().trim_end_matches('/').into(),
        client_id: id.into(),
        secret: SecretSource::Plain {
            value: SecretString::from(secret.to_owned()),
        },
        auth_style: AuthStyle::Body,
        api_version: None,
        ca_file: None,
        renew_margin_secs: None,
        flow: Flow::ClientCredentials,
    };
    let main_app = (org.client_id(), org.client_secret());
    // The JWT profile's key is written while the org seeds (making it takes a moment).
    let jwt_base = dir.join("demo-org");
    let browser_login = Profile {
        secret: SecretSource::None,
        flow: Flow::Web {
            callback_port: Some(callback_port),
        },
        ..profile(DEMO_BROWSER_PROFILE, org.login_host_url(), main_app)
    };
    let jwt = Profile {
        secret: SecretSource::None,
        flow: Flow::Jwt {
            username: org.username().to_owned(),
            key_file: crate::mock_org::jwt_key_path(&jwt_base),
            audience: None,
        },
        ..profile("Demo (JWT)", org.login_host_url(), main_app)
    };
    let demo_profiles = [
        profile(DEMO_PROFILE, org.instance_url(), main_app),
        browser_login,
        jwt,
        profile("Demo (login host)", org.login_host_url(), main_app),
        profile(
            "Demo (no run-as user)",
            org.instance_url(),
            org.app_without_run_as_user(),
        ),
        profile(
            "Demo (wrong secret)",
            org.instance_url(),
            (org.client_id(), "not-the-secret"),
        ),
    ];
    let profile_names: Vec<String> = demo_profiles.iter().map(|p| p.name.clone()).collect();
    // Kept in memory: the file is written (with its fsyncs) only if the user changes a profile.
    let store = || -> Result<ProfileStore, String> {
        let mut store =
            ProfileStore::load(&dir.join("profiles.toml")).map_err(|e| e.to_string())?;
        for p in demo_profiles {
            store.upsert(None, p).map_err(|e| e.to_string())?;
        }
        Ok(store)
    };
    let store = store().map_err(|e| Failure::new(EXIT_FAILURE, format!("demo profiles: {e}")))?;

    // Saved requests, history and drafts of the demo live in their own `demo` folder of the data
    // dir: apart from the user's own, and kept between runs, so drafts of a demo session that
    // was killed are offered again. The Composer offers ready-made requests on the org's
    // customer services, written after the first frame (on a first run that is five files with
    // their fsyncs, tens of milliseconds); {{customer_id}} is set once the org has seeded its
    // customers, before the demo profile connects (a Composer shown earlier reads the requests
    // and variables again when next shown: its profile changed).
    let data_dir = paths::data_dir().join(paths::DEMO_DIR);
    let (org_tx, mut org_rx) = tokio::sync::oneshot::channel();
    let started = {
        let data_dir = data_dir.clone();
        async move {
            let dir = data_dir.clone();
            // Written while the org seeds.
            let written =
                tokio::task::spawn_blocking(move || crate::requests::demo::write_requests(&dir));
            let keys = org.jwt_writer();
            let jwt_files = tokio::task::spawn_blocking(move || {
                // The demo's folder exists only once something is written there.
                if let Some(folder) = jwt_base.parent() {
                    crate::private_fs::create_dir_all(folder).map_err(|e| e.to_string())?;
                }
                keys(&jwt_base).map_err(|e| e.to_string())
            });
            let org = org.start().await;
            if let Ok(Err(e)) = jwt_files.await {
                tracing::warn!(error = %e, "demo JWT key not written");
            }
            if let Ok(Err(e)) = written.await {
                tracing::warn!(error = %e, "demo requests not written");
            }
            let org = match org {
                Ok(org) => org,
                Err(e) => return Msg::DemoOrg(Err(e.to_string())),
            };
            let customer = org
                .first_account_with_contacts()
                .or_else(|| org.first_record_id("Account"));
            let _ = org_tx.send(org);
            // An org without Accounts (`--records 0`) leaves it unset: sending asks for it.
            if let Some(customer) = customer {
                let set = tokio::task::spawn_blocking(move || {
                    let names: Vec<&str> = profile_names.iter().map(String::as_str).collect();
                    crate::requests::demo::set_customer(&data_dir, &names, &customer)
                });
                if let Ok(Err(e)) = set.await {
                    tracing::warn!(error = %e, "demo variable not written");
                }
            }
            Msg::DemoOrg(Ok(()))
        }
    };
    let options = TuiOptions {
        settings_dir: paths::config_dir(),
        profiles_dir: dir.clone(),
        profile_store: Some(store),
        connect: None,
        run_mode: RunMode::Demo,
        data_dir,
    };
    let records = args.records;
    let demo_logins = crate::login::TokenStore::file(&dir, "the demo's own, not your keychain");
    let result = run_with(options, move |runtime| {
        runtime.use_token_store(demo_logins);
        runtime.apply(|model| {
            model.demo_org_starting(records, Some(DEMO_PROFILE.to_owned()));
            Vec::new()
        });
        runtime.after_first_frame(started);
    })
    .await;
    let _ = std::fs::remove_dir_all(&dir);
    // Quitting while the org still seeds leaves nothing to stop: its thread ends with the process.
    if let Ok(org) = org_rx.try_recv() {
        org.shutdown().await;
    }
    result
}

/// The demo profile that connects once the mock org serves.
#[cfg(feature = "mock-org")]
const DEMO_PROFILE: &str = "Demo org";
/// The demo profile that logs in through the browser.
#[cfg(feature = "mock-org")]
const DEMO_BROWSER_PROFILE: &str = "Demo (browser login)";

#[cfg(not(feature = "mock-org"))]
pub async fn run_demo(_args: crate::cli::DemoArgs) -> Result<(), Failure> {
    Err(Failure::new(
        EXIT_USAGE,
        "this build has no mock org (built without the `mock-org` feature)",
    ))
}
