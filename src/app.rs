//! The runtime: one task owns the [`Model`] and the terminal. It turns input into actions, runs the
//! [`Effect`]s that `update` returns (spawned jobs with a cancel token each), feeds results back as
//! [`Msg`]s, and draws once per batch of events: at once after input, at most one frame per ~16 ms
//! for results and ticks.

use std::collections::HashMap;
use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::{Stream, StreamExt};
use jiff::Timestamp;
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::crossterm::event::{Event, KeyEventKind, MouseButton, MouseEventKind};
use ratatui::layout::{Position, Rect};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::config::profiles::{Profile, ProfileStore};
use crate::effect::{Effect, Job, ProfileChange, RequestId, SessionJob};
use crate::msg::{Msg, Outcome};
use crate::sf::{Diagnosis, RenewReason, SfClient, Token};
use crate::state::Model;
use crate::state::token::SessionInfo;
use crate::ui::{self, Theme};

/// The shortest time between two frames.
pub const FRAME: Duration = Duration::from_millis(16);
/// How often the clock ticks while something animates (spinner, countdown).
pub const TICK: Duration = Duration::from_millis(250);
/// Per-request timeout of the Salesforce client by default; `SFTERM_TIMEOUT` (seconds) overrides it.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Writes text to the clipboard (OSC 52 in a terminal; a capture in tests).
pub type Clipboard = Box<dyn Fn(&str) -> io::Result<()> + Send + Sync>;

/// Opens a URL in the browser (`xdg-open` / `open`; a capture in tests).
pub type Opener = Box<dyn Fn(&str) -> io::Result<()> + Send + Sync>;

/// Opens a URL with the platform's opener, without waiting for it. `NotFound` when none exists.
pub fn system_opener(url: &str) -> io::Result<()> {
    let candidates: &[&str] = if cfg!(target_os = "macos") {
        &["open"]
    } else {
        &["xdg-open", "open"]
    };
    for program in candidates {
        match std::process::Command::new(program)
            .arg(url)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
        {
            Ok(_) => return Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::NotFound,
        "no opener (xdg-open/open)",
    ))
}

/// What background tasks send to the UI task.
enum Incoming {
    Msg(Msg),
    /// A connect job built a client that holds a token.
    Connected {
        req: RequestId,
        profile: String,
        client: SfClient,
    },
}

struct Connection {
    profile: String,
    client: SfClient,
    watcher: JoinHandle<()>,
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.watcher.abort();
    }
}

pub struct Runtime<B: Backend> {
    model: Model,
    theme: Theme,
    terminal: Terminal<B>,
    tx: mpsc::UnboundedSender<Incoming>,
    rx: mpsc::UnboundedReceiver<Incoming>,
    jobs: HashMap<RequestId, CancellationToken>,
    connection: Option<Connection>,
    /// `None` when profiles.toml could not be read: then nothing is ever written to it.
    store: Option<ProfileStore>,
    clipboard: Arc<Clipboard>,
    opener: Opener,
    /// Where drafts.json lives (None = drafts are not written) and where the composer keeps
    /// saved requests, history and large bodies (None = the platform's data dir).
    data_dir: Option<std::path::PathBuf>,
    dirty: bool,
    last_draw: Option<Instant>,
    observer: Option<Observer<B>>,
    editor: Option<EditorHook>,
    /// Called once the screen is restored after the editor (resumes the key input).
    after_editor: Option<Box<dyn FnMut() + Send>>,
    /// Background work started right after the first frame.
    after_first_frame: Vec<Startup>,
}

/// Background work that ends with a message for the model.
type Startup = std::pin::Pin<Box<dyn Future<Output = Msg> + Send>>;

/// Runs an external editor on a text (the file extension is the second argument) and returns
/// the edited text. It owns the terminal while it runs (the TUI sets one up that suspends and
/// restores the screen and pauses the key input).
pub type EditorHook = Box<dyn FnMut(&str, &str) -> io::Result<String> + Send>;

/// Called after every frame with the model and the terminal (tests watch the app with it).
pub type Observer<B> = Box<dyn FnMut(&Model, &Terminal<B>) + Send>;

impl<B: Backend> Runtime<B> {
    pub fn new(
        model: Model,
        theme: Theme,
        terminal: Terminal<B>,
        store: Option<ProfileStore>,
        clipboard: Clipboard,
    ) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        Runtime {
            model,
            theme,
            terminal,
            tx,
            rx,
            jobs: HashMap::new(),
            connection: None,
            store,
            clipboard: Arc::new(clipboard),
            opener: Box::new(system_opener),
            editor: None,
            data_dir: None,
            dirty: true,
            last_draw: None,
            observer: None,
            after_editor: None,
            after_first_frame: Vec::new(),
        }
    }

    /// Uses `dir` for drafts (`dir/drafts.json`, offering the ones found there: restore /
    /// discard), saved requests, history and large response bodies.
    pub fn use_data_dir(&mut self, dir: std::path::PathBuf) {
        match crate::jobs::record_detail::read_drafts(&dir) {
            Ok(drafts) => self.model.offer_drafts(drafts),
            Err(e) => {
                self.model.notice = Some(format!("Drafts could not be read (kept as is): {e}"));
                // Never overwrite a file that could not be read.
                return;
            }
        }
        self.data_dir = Some(dir);
    }

    /// Sets how URLs are opened (tests capture them).
    pub fn set_opener(&mut self, opener: Opener) {
        self.opener = opener;
    }

    /// Sets the external editor (`$EDITOR` in a terminal; a stand-in in tests).
    pub fn set_editor(&mut self, editor: EditorHook) {
        self.editor = Some(editor);
    }

    /// Sets what runs after the editor once the screen is cleared for a full redraw: the TUI
    /// resumes its key input there (clearing asks the terminal for the cursor position, and a
    /// running input reader would take the answer).
    pub fn set_after_editor(&mut self, after: Box<dyn FnMut() + Send>) {
        self.after_editor = Some(after);
    }

    /// Sets a function called after every frame.
    pub fn observe(&mut self, observer: Observer<B>) {
        self.observer = Some(observer);
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    pub fn terminal(&self) -> &Terminal<B> {
        &self.terminal
    }

    /// Selects a profile in the list (used to connect at start).
    pub fn select_profile(&mut self, index: usize) {
        self.model.profiles.selected = index;
    }

    /// Changes the model outside a key press (e.g. the record list opening a record in tests)
    /// and runs the effects the change returns.
    pub fn apply(&mut self, change: impl FnOnce(&mut Model) -> Vec<Effect>) {
        let effects = change(&mut self.model);
        self.run_effects(effects);
        self.dirty = true;
    }

    /// Shows a notice in the status bar.
    pub fn notify(&mut self, notice: String) {
        self.model.notice = Some(notice);
    }

    /// Runs `work` in the background once the first frame is on screen, and applies the message
    /// it ends with like a job's result (the demo seeds its mock org this way: the seeding does
    /// not compete with the first frame for the CPU).
    pub fn after_first_frame(&mut self, work: impl Future<Output = Msg> + Send + 'static) {
        self.after_first_frame.push(Box::pin(work));
    }

    /// Applies an action as if its key was pressed (used to auto-connect in the demo).
    pub fn dispatch(&mut self, action: crate::action::Action) {
        let effects = self.model.update(action);
        self.run_effects(effects);
    }

    /// Runs until the user quits or the input ends. Returns the final model (for tests).
    pub async fn run<S>(mut self, mut input: S) -> io::Result<Model>
    where
        S: Stream<Item = io::Result<Event>> + Unpin,
    {
        let result = self.event_loop(&mut input).await;
        for (_, token) in self.jobs.drain() {
            token.cancel();
        }
        match result {
            Ok(()) => Ok(self.model),
            Err(e) => {
                // The terminal failed, most likely it is gone (a closed pty); the caller's guard
                // restores what can be restored. ratatui's Drop would try to show the cursor
                // again and report failing with `eprintln!`, which panics when stderr is that
                // dead terminal.
                std::mem::forget(self.terminal);
                Err(e)
            }
        }
    }

    /// Draws, then handles input, results and ticks until the model quits or the input ends.
    async fn event_loop<S>(&mut self, input: &mut S) -> io::Result<()>
    where
        S: Stream<Item = io::Result<Event>> + Unpin,
    {
        let mut tick = tokio::time::interval(TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        self.draw()?;
        for work in self.after_first_frame.drain(..) {
            let tx = self.tx.clone();
            tokio::spawn(async move {
                let _ = tx.send(Incoming::Msg(work.await));
            });
        }
        loop {
            // Input in this batch: draw at once. Only batches of results and ticks wait for the
            // frame budget (they can arrive in bursts); the typed-ahead keys are drained below
            // into one frame anyway, and a frame costs well under a millisecond.
            let mut input_seen = false;
            tokio::select! {
                biased;
                Some(incoming) = self.rx.recv() => self.handle_incoming(incoming),
                event = input.next() => match event {
                    Some(Ok(event)) => {
                        input_seen = true;
                        self.handle_event(event);
                    }
                    Some(Err(e)) => return Err(e),
                    None => break,
                },
                _ = tick.tick(), if self.model.is_animating() => {
                    self.apply_msg(Msg::Tick(Timestamp::now()));
                }
            }
            // Drain whatever else is ready (typed-ahead keys, results) before drawing once.
            // (Polled inside `select!` with this task's waker: crossterm's EventStream keeps the
            // waker of its first pending poll, so a no-op waker would lose the next key.)
            while !self.model.quit {
                tokio::select! {
                    biased;
                    event = input.next() => match event {
                        Some(Ok(event)) => {
                            input_seen = true;
                            self.handle_event(event);
                        }
                        Some(Err(e)) => return Err(e),
                        None => break,
                    },
                    () = std::future::ready(()) => break,
                }
            }
            while let Ok(incoming) = self.rx.try_recv() {
                self.handle_incoming(incoming);
            }
            if self.model.quit {
                break;
            }
            if self.dirty {
                let since = self.last_draw.map(|last| last.elapsed());
                if let Some(wait) = wait_before_drawing(since, input_seen) {
                    tokio::time::sleep(wait).await;
                    while let Ok(incoming) = self.rx.try_recv() {
                        self.handle_incoming(incoming);
                    }
                }
                self.draw()?;
            }
        }
        Ok(())
    }

    fn draw(&mut self) -> io::Result<()> {
        let (model, theme) = (&self.model, &self.theme);
        let mut feedback = Default::default();
        self.terminal
            .draw(|frame| feedback = ui::render(model, theme, frame))
            .map_err(|e| io::Error::other(e.to_string()))?;
        self.model.layout = feedback;
        self.dirty = false;
        self.last_draw = Some(Instant::now());
        if let Some(observer) = self.observer.as_mut() {
            observer(&self.model, &self.terminal);
        }
        Ok(())
    }

    fn handle_event(&mut self, event: Event) {
        match event {
            Event::Key(key) if key.kind == KeyEventKind::Press => {
                let effects = self.model.handle_key(key);
                self.run_effects(effects);
            }
            Event::Mouse(mouse) if mouse.kind == MouseEventKind::Down(MouseButton::Left) => {
                self.model.click(mouse.column, mouse.row);
            }
            Event::Paste(text) => self.model.paste(&text),
            Event::Resize(..) | Event::FocusGained => {}
            _ => return,
        }
        self.dirty = true;
    }

    fn handle_incoming(&mut self, incoming: Incoming) {
        match incoming {
            Incoming::Msg(msg) => self.apply_msg(msg),
            Incoming::Connected {
                req,
                profile,
                client,
            } => {
                if self.model.token.owns(req) {
                    let watcher = watch_client(&client, &profile, self.tx.clone());
                    self.connection = Some(Connection {
                        profile,
                        client,
                        watcher,
                    });
                }
            }
        }
    }

    fn apply_msg(&mut self, msg: Msg) {
        if let Msg::Done { req, .. } = &msg {
            self.jobs.remove(req);
        }
        let effects = self.model.handle_msg(msg);
        self.run_effects(effects);
        self.dirty = true;
    }

    fn run_effects(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::Spawn { req, job } => self.spawn(req, job),
                Effect::Cancel(req) => {
                    if let Some(token) = self.jobs.remove(&req) {
                        token.cancel();
                    }
                }
                Effect::SaveProfiles(change) => {
                    let result = self.save_profiles(change);
                    let effects = self.model.handle_msg(Msg::ProfilesSaved(result));
                    self.run_effects(effects);
                }
                Effect::Record(effect) => self.run_record_effect(effect),
                Effect::OpenEditor {
                    req,
                    text,
                    extension,
                } => {
                    let result = self.edit_externally(&text, extension);
                    let outcome =
                        Outcome::Composer(crate::jobs::composer::ComposerOutcome::Edited(result));
                    let effects = self.model.handle_msg(Msg::Done { req, outcome });
                    self.run_effects(effects);
                    self.dirty = true;
                }
                Effect::Quit => {}
            }
        }
    }

    fn run_record_effect(&mut self, effect: crate::jobs::record_detail::RecordEffect) {
        use crate::jobs::record_detail::{RecordEffect, RecordOutcome, write_drafts};
        let (req, outcome) = match effect {
            RecordEffect::WriteDrafts(drafts) => {
                if let Some(dir) = &self.data_dir
                    && let Err(e) = write_drafts(dir, &drafts)
                {
                    tracing::warn!(error = %e, "drafts not written");
                    self.model.notice = Some(format!("Drafts could not be written: {e}"));
                }
                return;
            }
            RecordEffect::Copy { req, text } => (
                req,
                RecordOutcome::Copied((self.clipboard)(&text).map_err(|e| e.to_string())),
            ),
            RecordEffect::OpenUrl { req, url } => (
                req,
                RecordOutcome::Opened((self.opener)(&url).map_err(|e| {
                    format!("No browser could be opened ({e}); the record is at {url}")
                })),
            ),
            RecordEffect::EditExternally { req, text } => (
                req,
                RecordOutcome::Edited(self.edit_externally(&text, "txt")),
            ),
        };
        let effects = self.model.handle_msg(Msg::Done {
            req,
            outcome: Outcome::Record(outcome),
        });
        self.run_effects(effects);
    }

    /// Hands `text` to the external editor (`$EDITOR`, a temporary file ending in `.extension`)
    /// and returns the edited text; then clears the screen for a full redraw and resumes input.
    fn edit_externally(&mut self, text: &str, extension: &str) -> Result<String, String> {
        let result = match self.editor.as_mut() {
            Some(editor) => editor(text, extension).map_err(|e| e.to_string()),
            None => Err("no external editor in this terminal".into()),
        };
        // The editor drew over the screen: clear it and draw everything again. (`resize` clears
        // without `Terminal::clear`'s cursor-position query, which reads the answer from stdin
        // and times out.)
        let cleared = self
            .terminal
            .size()
            .and_then(|size| self.terminal.resize(Rect::from((Position::ORIGIN, size))));
        if let Err(e) = cleared {
            tracing::warn!(error = %e, "could not clear the screen after the editor");
        }
        if let Some(after) = self.after_editor.as_mut() {
            after();
        }
        self.dirty = true;
        result
    }

    fn save_profiles(&mut self, change: ProfileChange) -> Result<Vec<Profile>, String> {
        let Some(store) = self.store.as_mut() else {
            return Err("profiles.toml could not be read, so it is not written either".into());
        };
        let before = store.clone();
        let result = match change {
            ProfileChange::Upsert {
                original_name,
                profile,
            } => store.upsert(original_name.as_deref(), *profile),
            ProfileChange::Remove { name } => store.remove(&name),
            ProfileChange::Duplicate { name } => store.duplicate(&name).map(|_| ()),
        }
        .and_then(|()| store.save());
        match result {
            Ok(()) => Ok(store.profiles().to_vec()),
            Err(e) => {
                *store = before; // keep memory and disk in step
                Err(e.to_string())
            }
        }
    }

    fn client(&self) -> Option<(String, SfClient)> {
        self.connection
            .as_ref()
            .map(|c| (c.profile.clone(), c.client.clone()))
    }

    fn spawn(&mut self, req: RequestId, job: Job) {
        let cancel = CancellationToken::new();
        self.jobs.insert(req, cancel.clone());
        let tx = self.tx.clone();
        let send = move |outcome: Outcome| {
            let _ = tx.send(Incoming::Msg(Msg::Done { req, outcome }));
        };
        if let Job::Connect {
            profile,
            prompted_secret,
        } = job
        {
            self.connection = None;
            let tx = self.tx.clone();
            tokio::spawn(async move {
                let name = profile.name.clone();
                let result = tokio::select! {
                    _ = cancel.cancelled() => return,
                    result = connect(*profile, prompted_secret) => result,
                };
                match result {
                    Ok((client, session)) => {
                        let _ = tx.send(Incoming::Connected {
                            req,
                            profile: name,
                            client: client.clone(),
                        });
                        send(Outcome::Login(Ok(session)));
                        // One real API call, so the usage figure shows from the start.
                        let _ = client.limits().await;
                    }
                    Err(diagnosis) => send(Outcome::Login(Err(Box::new(diagnosis)))),
                }
            });
            return;
        }
        if let Job::Check { profile } = job {
            let connected = self.client().map(|(_, client)| client);
            tokio::spawn(async move {
                let work = async {
                    let client = match (connected, profile) {
                        (Some(client), _) => client,
                        (None, Some(profile)) => check_client(*profile).await?,
                        (None, None) => {
                            return Err("Not connected: pick a profile and press enter to \
                                        connect, then run the check again (r)."
                                .to_owned());
                        }
                    };
                    Ok(Box::new(crate::check::run(&client).await))
                };
                tokio::select! {
                    _ = cancel.cancelled() => {}
                    outcome = work => send(Outcome::Check(outcome)),
                }
            });
            return;
        }
        if let Job::Records(job) = job {
            let client = self.client().map(|(_, client)| client);
            tokio::spawn(async move {
                let outcome = match client {
                    Some(client) => tokio::select! {
                        _ = cancel.cancelled() => return,
                        outcome = crate::jobs::records::run(&client, job) => outcome,
                    },
                    None => crate::jobs::records::not_connected(&job),
                };
                send(Outcome::Records(outcome));
            });
            return;
        }
        let job = match job {
            Job::Session(job) => job,
            Job::Composer(job) => {
                let clipboard = Arc::clone(&self.clipboard);
                let ctx = crate::jobs::composer::JobContext {
                    client: self.client(),
                    data_dir: self
                        .data_dir
                        .clone()
                        .unwrap_or_else(crate::config::paths::data_dir),
                    copy: Arc::new(move |text: &str| clipboard(text)),
                };
                tokio::spawn(async move {
                    tokio::select! {
                        _ = cancel.cancelled() => {}
                        outcome = crate::jobs::composer::run(ctx, *job) => {
                            send(Outcome::Composer(outcome));
                        }
                    }
                });
                return;
            }
            Job::Record(job) => {
                let Some((_, client)) = self.client() else {
                    send(Outcome::Record(crate::jobs::record_detail::not_connected(
                        &job,
                    )));
                    return;
                };
                tokio::spawn(async move {
                    tokio::select! {
                        _ = cancel.cancelled() => {}
                        outcome = crate::jobs::record_detail::run(&client, job) => {
                            send(Outcome::Record(outcome));
                        }
                    }
                });
                return;
            }
            Job::Connect { .. } | Job::Check { .. } | Job::Records(_) => return,
        };
        let Some((profile, client)) = self.client() else {
            send(match job {
                SessionJob::Renew(_) => Outcome::Login(Err(Box::new(not_connected()))),
                SessionJob::Introspect => Outcome::Introspect(Err("not connected".into())),
                SessionJob::Revoke => Outcome::Revoke(Err("not connected".into())),
                SessionJob::CopyToken => Outcome::Copied(Err("not connected".into())),
                SessionJob::CheckApi => Outcome::ApiChecked(Err("not connected".into())),
            });
            return;
        };
        let clipboard = Arc::clone(&self.clipboard);
        tokio::spawn(async move {
            let work = async {
                match job {
                    SessionJob::Renew(reason) => Outcome::Login(
                        client
                            .login(reason)
                            .await
                            .map(|token| session_info(&profile, &token))
                            .map_err(|e| Box::new(e.diagnosis())),
                    ),
                    SessionJob::Introspect => {
                        Outcome::Introspect(client.introspect().await.map_err(|e| e.to_string()))
                    }
                    SessionJob::Revoke => {
                        Outcome::Revoke(client.revoke().await.map_err(|e| e.to_string()))
                    }
                    SessionJob::CopyToken => Outcome::Copied(match client.token() {
                        Some(token) => {
                            clipboard(token.access_token.expose_secret()).map_err(|e| e.to_string())
                        }
                        None => Err("no token".into()),
                    }),
                    SessionJob::CheckApi => Outcome::ApiChecked(
                        client.limits().await.map(|_| ()).map_err(|e| e.to_string()),
                    ),
                }
            };
            tokio::select! {
                _ = cancel.cancelled() => {}
                outcome = work => send(outcome),
            }
        });
    }
}

fn not_connected() -> Diagnosis {
    Diagnosis {
        title: "Not connected".into(),
        what_salesforce_said: String::new(),
        meaning: "There is no session to renew.".into(),
        fix: "Pick a profile and press enter to connect.".into(),
    }
}

/// A client for the Setup check of a profile that is not connected (it logs in itself, so a
/// failing login becomes check items). A secret asked at connect time cannot be used here.
async fn check_client(profile: Profile) -> Result<SfClient, String> {
    if matches!(
        profile.secret,
        crate::config::profiles::SecretSource::Prompt
    ) {
        return Err(format!(
            "Profile \"{}\" asks for its secret when connecting: connect it (enter), then run \
             the check again (r).",
            profile.name
        ));
    }
    client_for(&profile, None)
        .await
        .map_err(|d| format!("{}: {}", d.title, d.meaning))
}

/// Resolves the secret, builds the client and gets the first token (also used by the
/// composer to replay a request against another profile).
pub(crate) async fn connect(
    profile: Profile,
    prompted: Option<SecretString>,
) -> Result<(SfClient, SessionInfo), Diagnosis> {
    let client = client_for(&profile, prompted).await?;
    let token = client
        .login(RenewReason::Initial)
        .await
        .map_err(|e| e.diagnosis())?;
    Ok((client, session_info(&profile.name, &token)))
}

/// Resolves the secret and builds the profile's client, without logging in.
async fn client_for(
    profile: &Profile,
    prompted: Option<SecretString>,
) -> Result<SfClient, Diagnosis> {
    let source = profile.secret.clone();
    let secret = tokio::task::spawn_blocking(move || source.resolve(prompted))
        .await
        .map_err(|e| secret_problem(&e.to_string()))?
        .map_err(|e| secret_problem(&e.to_string()))?;
    let config = crate::config::connection_config(profile, secret).map_err(|e| Diagnosis {
        title: "The profile cannot be used".into(),
        what_salesforce_said: String::new(),
        meaning: e.to_string(),
        fix: e.fix().into(),
    })?;
    SfClient::new(config).map_err(|e| e.diagnosis())
}

fn secret_problem(message: &str) -> Diagnosis {
    Diagnosis {
        title: "Could not get the client secret".into(),
        what_salesforce_said: String::new(),
        meaning: message.to_owned(),
        fix: "Edit the profile (e): check the secret's source (variable name, command).".into(),
    }
}

/// What the UI may know of a token: everything but the secret, which is masked.
pub fn session_info(profile: &str, token: &Token) -> SessionInfo {
    let secret = token.access_token.expose_secret();
    let prefix = secret.split_once('!').map_or("", |(org, _)| org);
    SessionInfo {
        profile: profile.to_owned(),
        instance_url: token.instance_url.as_str().trim_end_matches('/').to_owned(),
        user_id: token.user_id.clone(),
        org_id: token.org_id.clone(),
        scopes: token.scopes.clone(),
        token_type: token.token_type.clone(),
        issued_at: token.issued_at,
        obtained_at: token.obtained_at,
        reason: token.reason,
        masked_token: format!("{prefix}!••••••••"),
    }
}

/// Forwards the client's new tokens (its own renewals too) and API usage to the UI task.
fn watch_client(
    client: &SfClient,
    profile: &str,
    tx: mpsc::UnboundedSender<Incoming>,
) -> JoinHandle<()> {
    let mut tokens = client.token_watch();
    let mut limits = client.limit_watch();
    let profile = profile.to_owned();
    tokens.mark_unchanged();
    // Usage already known before this watcher started (the connect job's first call).
    if let Some(usage) = *limits.borrow_and_update() {
        let _ = tx.send(Incoming::Msg(Msg::ApiUsage(usage)));
    }
    tokio::spawn(async move {
        loop {
            let msg = tokio::select! {
                changed = tokens.changed() => {
                    if changed.is_err() { break; }
                    let token = tokens.borrow_and_update().clone();
                    match token {
                        Some(token) => Msg::TokenChanged(session_info(&profile, &token)),
                        None => continue,
                    }
                }
                changed = limits.changed() => {
                    if changed.is_err() { break; }
                    let usage = *limits.borrow_and_update();
                    match usage {
                        Some(usage) => Msg::ApiUsage(usage),
                        None => continue,
                    }
                }
            };
            if tx.send(Incoming::Msg(msg)).is_err() {
                break;
            }
        }
    })
}

/// How long to wait before drawing a batch, given the time since the last frame (`None`: no
/// frame yet) and whether the batch holds input: a key's frame is drawn at once; results and
/// ticks, which can arrive in bursts, wait out the rest of the frame budget ([`FRAME`]).
fn wait_before_drawing(since_last_frame: Option<Duration>, input_seen: bool) -> Option<Duration> {
    match since_last_frame {
        Some(since) if !input_seen && since < FRAME => Some(FRAME - since),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_is_drawn_at_once_and_results_wait_out_the_frame_budget() {
        let early = Some(Duration::from_millis(4));
        assert_eq!(wait_before_drawing(early, true), None);
        assert_eq!(
            wait_before_drawing(early, false),
            Some(FRAME - Duration::from_millis(4))
        );
        assert_eq!(wait_before_drawing(Some(FRAME), false), None);
        assert_eq!(wait_before_drawing(None, false), None);
    }
}
