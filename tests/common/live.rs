//! The live app end to end in process: the real [`Runtime`] and client drawing to a
//! `TestBackend`, keys from a channel, against a mock org on 127.0.0.1. After every frame an
//! observer turns the model and the screen into the test's own frame type (any [`Observed`]),
//! published on a `watch` channel that [`LiveApp::wait_for`] polls.

use std::path::Path;
use std::time::Duration;

use futures::channel::mpsc;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use tokio::sync::watch;

use sfterm::app::Runtime;
use sfterm::config::profiles::{Profile, ProfileStore, SecretSource};
use sfterm::jobs::Clipboard;
use sfterm::login::TokenStore;
use sfterm::mock_org::MockOrg;
use sfterm::state::Model;
use sfterm::ui::Theme;

/// How long [`LiveApp::wait_for`] waits before it fails with the last screen.
const WAIT: Duration = Duration::from_secs(30);

/// What a test reads off each frame: built by the observer from the model and the screen text.
pub trait Observed: Clone + Default + Send + Sync + 'static {
    fn observe(model: &Model, screen: String) -> Self;
    /// The screen text, for the timeout message.
    fn screen(&self) -> &str;
    /// More of the frame for the timeout message (nothing by default).
    fn describe(&self) -> String {
        String::new()
    }
}

/// A change to the model before the runtime starts; gets the config dir.
pub type ModelChange<'a> = Box<dyn FnOnce(&mut Model, &Path) + 'a>;

/// How to start a [`LiveApp`].
pub struct LiveOptions<'a> {
    /// Terminal columns and rows.
    pub size: (u16, u16),
    /// The profile's client secret (the org's real one when `None`).
    pub secret: Option<&'a str>,
    /// Also add a "Demo (login host)" profile on the org's login host URL.
    pub login_host_profile: bool,
    /// Where profiles.toml lives; kept (and reused if it has profiles). A fresh temp dir when
    /// `None`, owned by the app.
    pub config_dir: Option<&'a Path>,
    /// Changes to the model before the runtime starts; gets the config dir.
    pub model: Option<ModelChange<'a>>,
    /// Where copies to the clipboard go (accepted and dropped when `None`).
    pub clipboard: Option<Clipboard>,
}

impl Default for LiveOptions<'_> {
    fn default() -> Self {
        Self {
            size: (120, 40),
            secret: None,
            login_host_profile: false,
            config_dir: None,
            model: None,
            clipboard: None,
        }
    }
}

/// A runtime set up and observed but not yet running: set hooks (opener, editor), select a
/// profile, dispatch actions, then [`Prepared::run`].
pub struct Prepared<F> {
    pub runtime: Runtime<TestBackend>,
    frames: watch::Receiver<F>,
    dir: Option<tempfile::TempDir>,
}

impl<F: Observed> Prepared<F> {
    /// Builds the profile store for `org` ("Demo org", plus "Demo (login host)" if asked), the
    /// model and the runtime per `options`.
    pub fn new(org: &MockOrg, options: LiveOptions<'_>) -> Self {
        let mut demo = super::profile(
            "Demo org",
            org.instance_url().as_str().trim_end_matches('/'),
        );
        demo.client_id = org.client_id().into();
        demo.secret = SecretSource::Plain {
            value: options
                .secret
                .unwrap_or(org.client_secret())
                .to_owned()
                .into(),
        };
        let mut profiles = vec![demo.clone()];
        if options.login_host_profile {
            let mut p = demo;
            p.name = "Demo (login host)".into();
            p.endpoint = org.login_host_url().as_str().trim_end_matches('/').into();
            profiles.push(p);
        }
        Self::with_profiles(profiles, options)
    }

    /// Like [`Prepared::new`] for any server: the store gets `profiles` (unless the config dir
    /// already has some).
    pub fn with_profiles(profiles: Vec<Profile>, options: LiveOptions<'_>) -> Self {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let (owned, config_dir) = match options.config_dir {
            Some(dir) => (None, dir.to_path_buf()),
            None => {
                let dir = tempfile::tempdir().expect("temp dir");
                let path = dir.path().to_path_buf();
                (Some(dir), path)
            }
        };
        let mut store = ProfileStore::load(&config_dir.join("profiles.toml")).expect("store");
        if store.profiles().is_empty() {
            for profile in profiles {
                store.upsert(None, profile).expect("add");
            }
            store.save().expect("save");
        }
        let mut model = super::model_with(store.profiles().to_vec());
        model.now = jiff::Timestamp::now();
        if let Some(change) = options.model {
            change(&mut model, &config_dir);
        }
        let (width, height) = options.size;
        let terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
        let clipboard = options.clipboard.unwrap_or_else(|| Box::new(|_| Ok(())));
        let mut runtime = Runtime::new(model, Theme::default(), terminal, Some(store), clipboard);
        // Browser logins keep their refresh tokens beside the test's profiles, never in the
        // keychain of the machine running the tests.
        runtime.use_token_store(TokenStore::file(&config_dir, "test"));
        let (tx, frames) = watch::channel(F::default());
        runtime.observe(Box::new(move |model, terminal| {
            let _ = tx.send(F::observe(model, terminal.backend().to_string()));
        }));
        Self {
            runtime,
            frames,
            dir: owned,
        }
    }

    /// Starts the event loop on a tokio task.
    pub fn run(self) -> LiveApp<F> {
        let (keys, input) = mpsc::unbounded();
        let done = tokio::spawn(self.runtime.run(input));
        LiveApp {
            keys,
            frames: self.frames,
            done,
            dir: self.dir,
        }
    }
}

/// The running app: send keys, wait for frames, quit.
pub struct LiveApp<F> {
    keys: mpsc::UnboundedSender<std::io::Result<Event>>,
    frames: watch::Receiver<F>,
    done: tokio::task::JoinHandle<std::io::Result<Model>>,
    dir: Option<tempfile::TempDir>,
}

impl<F: Observed> LiveApp<F> {
    /// Starts the app against `org` per `options`.
    pub fn start(org: &MockOrg, options: LiveOptions<'_>) -> Self {
        Prepared::new(org, options).run()
    }

    /// Starts the app with a store of `profiles` (any server) per `options`.
    pub fn start_with(profiles: Vec<Profile>, options: LiveOptions<'_>) -> Self {
        Prepared::with_profiles(profiles, options).run()
    }

    /// The config dir the app created (None when the test passed its own).
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_ref().map(|d| d.path())
    }

    fn send(&self, event: Event) {
        self.keys.unbounded_send(Ok(event)).expect("app is running");
    }

    /// Presses space separated chords ("j j enter ctrl-s").
    pub fn press(&self, keys: &str) {
        for key in super::key_events(keys) {
            self.send(Event::Key(key));
        }
    }

    /// Types `text` one character key at a time.
    pub fn type_text(&self, text: &str) {
        for c in text.chars() {
            self.send(Event::Key(KeyEvent::new(
                KeyCode::Char(c),
                KeyModifiers::NONE,
            )));
        }
    }

    /// Pastes `text` as a terminal paste (bracketed paste).
    pub fn paste(&self, text: &str) {
        self.send(Event::Paste(text.to_owned()));
    }

    /// The latest frame.
    pub fn frame(&self) -> F {
        self.frames.borrow().clone()
    }

    /// Waits until a frame satisfies `check`; panics naming `what` with the last screen.
    pub async fn wait_for(&mut self, what: &str, check: impl Fn(&F) -> bool) -> F {
        let result = tokio::time::timeout(WAIT, self.frames.wait_for(|f| check(f)))
            .await
            .map(|r| r.map(|frame| frame.clone()));
        match result {
            Ok(Ok(frame)) => frame,
            _ => {
                let last = self.frames.borrow().clone();
                panic!(
                    "timed out waiting for {what}; last frame: {}\nlast screen:\n{}",
                    last.describe(),
                    last.screen()
                )
            }
        }
    }

    /// Presses `keys` (which must end the app) and returns the final model.
    pub async fn quit_with(self, keys: &str) -> Model {
        self.press(keys);
        self.done.await.expect("joined").expect("ran")
    }

    /// Quits with `q`; returns the final model.
    pub async fn quit(self) -> Model {
        self.quit_with("q").await
    }

    /// Stops the app the way `kill -9` does: no quit, no clean-up.
    pub fn kill(self) {
        self.done.abort();
    }
}
