//! The runtime: one task owns the [`Model`] and the terminal. It turns input into actions, runs the
//! [`Effect`]s that `update` returns (jobs through [`crate::jobs::Runner`], local effects through
//! [`crate::jobs::local`], `$EDITOR` itself), feeds results back as [`Msg`]s, and draws once per
//! batch of events: at once after input, at most one frame per ~16 ms for results and ticks.

use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::{Stream, StreamExt};
use jiff::Timestamp;
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::crossterm::event::{Event, KeyEventKind, MouseButton, MouseEventKind};
use ratatui::layout::{Position, Rect};
use tokio::sync::mpsc;

use crate::config::profiles::ProfileStore;
use crate::effect::Effect;
use crate::jobs::{self, Runner};
use crate::msg::{Msg, Outcome};
use crate::state::Model;
use crate::ui::{self, Theme};

/// The shortest time between two frames.
pub const FRAME: Duration = Duration::from_millis(16);
/// How often the clock ticks while something animates (spinner, countdown).
pub const TICK: Duration = Duration::from_millis(250);
use crate::jobs::Clipboard;
use crate::opener::{Opener, system_opener};

pub struct Runtime<B: Backend> {
    model: Model,
    theme: Theme,
    terminal: Terminal<B>,
    rx: mpsc::UnboundedReceiver<Msg>,
    jobs: Runner,
    /// `None` when profiles.toml could not be read: then nothing is ever written to it.
    store: Option<ProfileStore>,
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
        let jobs = Runner::new(jobs::Context {
            session: jobs::Session::default(),
            data_dir: None,
            clipboard: Arc::new(clipboard),
            opener: Arc::new(Box::new(system_opener)),
            tx,
            token_store: Arc::default(),
            browser_paste: Arc::default(),
            job: None,
        });
        Runtime {
            model,
            theme,
            terminal,
            rx,
            jobs,
            store,
            editor: None,
            dirty: true,
            last_draw: None,
            observer: None,
            after_editor: None,
            after_first_frame: Vec::new(),
        }
    }

    /// Keeps browser logins' refresh tokens in `store` (instead of the detected one).
    pub fn use_token_store(&mut self, store: crate::login::TokenStore) {
        self.jobs.context_mut().token_store = Arc::new(std::sync::OnceLock::from(store));
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
        let choices = match crate::jobs::local::read_choices(&dir) {
            Ok(choices) => choices,
            Err(e) => {
                self.model.notice = Some(format!(
                    "Your remembered choices could not be read, so the defaults are used (the \
                     file is replaced when you change one): {e}"
                ));
                Default::default()
            }
        };
        self.jobs.context_mut().data_dir = Some(dir);
        self.apply(|model| model.restore_choices(choices));
    }

    /// Sets how URLs are opened (tests capture them).
    pub fn set_opener(&mut self, opener: Opener) {
        self.jobs.context_mut().opener = Arc::new(opener);
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
        self.jobs.cancel_all();
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
            let tx = self.jobs.context().tx.clone();
            tokio::spawn(async move {
                let _ = tx.send(work.await);
            });
        }
        loop {
            // Input in this batch: draw at once. Only batches of results and ticks wait for the
            // frame budget (they can arrive in bursts); the typed-ahead keys are drained below
            // into one frame anyway, and a frame costs well under a millisecond.
            let mut input_seen = false;
            tokio::select! {
                biased;
                Some(msg) = self.rx.recv() => self.apply_msg(msg),
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
            while let Ok(msg) = self.rx.try_recv() {
                self.apply_msg(msg);
            }
            if self.model.quit {
                break;
            }
            if self.dirty {
                let since = self.last_draw.map(|last| last.elapsed());
                if let Some(wait) = wait_before_drawing(since, input_seen) {
                    tokio::time::sleep(wait).await;
                    while let Ok(msg) = self.rx.try_recv() {
                        self.apply_msg(msg);
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
        // A pane that folded away loses the focus: the frame is drawn again with it moved.
        if self.model.set_layout(feedback) {
            let model = &self.model;
            self.terminal
                .draw(|frame| {
                    ui::render(model, theme, frame);
                })
                .map_err(|e| io::Error::other(e.to_string()))?;
        }
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
            Event::Paste(text) => {
                let effects = self.model.paste(&text);
                self.run_effects(effects);
            }
            Event::Resize(..) | Event::FocusGained => {}
            _ => return,
        }
        self.dirty = true;
    }

    fn apply_msg(&mut self, msg: Msg) {
        if let Msg::Done { req, .. } = &msg {
            self.jobs.finished(*req);
        }
        let effects = self.model.handle_msg(msg);
        self.run_effects(effects);
        self.dirty = true;
    }

    fn run_effects(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::Spawn { req, job } => self.jobs.spawn(req, job),
                Effect::Cancel(req) => self.jobs.cancel(req),
                Effect::SaveProfiles(change) => {
                    let result = crate::jobs::local::save_profiles(
                        self.store.as_mut(),
                        change,
                        self.jobs.context(),
                    );
                    let effects = self.model.handle_msg(Msg::ProfilesSaved(result));
                    self.run_effects(effects);
                }
                Effect::Copy { req, text } => {
                    let copied = self.jobs.context().copy(&text).map_err(|e| e.to_string());
                    self.apply_msg(Msg::Done {
                        req,
                        outcome: Outcome::Copied(copied),
                    });
                }
                Effect::Record(effect) => {
                    if let Some(msg) = jobs::local::record_effect(effect, self.jobs.context()) {
                        self.apply_msg(msg);
                    }
                }
                Effect::OpenEditor {
                    req,
                    text,
                    extension,
                } => {
                    let outcome = Outcome::Edited(self.edit_externally(&text, extension));
                    self.apply_msg(Msg::Done { req, outcome });
                }
                Effect::BrowserPaste(text) => {
                    let ctx = self.jobs.context();
                    let waiting = ctx.browser_paste.lock().unwrap_or_else(|p| p.into_inner());
                    if let Some(tx) = waiting.as_ref() {
                        let _ = tx.send(text);
                    }
                }
                Effect::RememberChoices(choices) => {
                    if let Some(msg) = jobs::local::write_choices(&choices, self.jobs.context()) {
                        self.apply_msg(msg);
                    }
                }
                Effect::Quit => {}
            }
        }
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
