//! Pure application state. Nothing here does I/O or awaits: every change goes through
//! [`Model::update`] / [`Model::handle_key`], which return the [`Effect`]s for the runtime to run.

mod asks;
mod commands;
pub mod layout;
mod panes;
mod records_tab;
mod tabs;

pub mod api_log;
pub mod check;
pub mod composer;
pub mod demo_org;
pub mod field_editor;
pub mod fuzzy;
pub mod history;
pub mod import;
pub mod list_cursor;
pub mod palette;
pub mod pane;
pub mod path_input;
pub mod profiles;
pub mod record_detail;
pub mod records;
pub mod remembered;
pub mod text_area;
pub mod text_input;
pub mod token;

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::{Position, Rect};

use crate::action::{Action, Owner};
use crate::config::Environment;
use crate::config::profiles::Profile;
use crate::effect::{Effect, Job, RequestId, RequestIds};
use crate::keymap::{Context, KeyChord, Keymap};
use crate::msg::Msg;
use crate::state::record_detail::Draft;
use crate::state::record_detail::job::RecordEffect;
use palette::PaletteState;
pub use pane::{InputTarget, Pane};
use profiles::ProfilesState;
use record_detail::{DetailStack, RecordChange, RecordDetailState, StackReply};
use records::RecordsState;
use token::TokenState;

/// The pane that has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Profiles,
    Token,
    Main,
}

impl Focus {
    const ORDER: [Focus; 3] = [Focus::Profiles, Focus::Token, Focus::Main];

    fn step(self, by: isize) -> Focus {
        let at = Focus::ORDER.iter().position(|f| *f == self).unwrap_or(0) as isize;
        Focus::ORDER[(at + by).rem_euclid(Focus::ORDER.len() as isize) as usize]
    }
}

/// The tabs of the main area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Records,
    Composer,
    History,
    /// Every HTTP call the app makes.
    Log,
}

impl Tab {
    pub const ALL: [Tab; 4] = [Tab::Records, Tab::Composer, Tab::History, Tab::Log];

    pub fn title(self) -> &'static str {
        match self {
            Tab::Records => "Records",
            Tab::Composer => "Composer",
            Tab::History => "History",
            Tab::Log => "Log",
        }
    }
}

/// A popup over everything.
#[derive(Debug, Clone)]
pub enum Overlay {
    Help {
        scroll: u16,
    },
    Palette(PaletteState),
    /// "Copy the access token to the clipboard?"
    ConfirmCopyToken,
    /// "Revoke the token?" (and a browser login's refresh token with it).
    ConfirmRevoke,
    /// Drafts from an earlier run: restore or discard each.
    Drafts {
        drafts: Vec<Draft>,
        selected: usize,
    },
    /// Quitting with staged edits: discard them, keep them as a draft, or stay.
    QuitStaged {
        count: usize,
    },
    /// Quitting while an import's jobs run in Salesforce: they would go on without sfterm and
    /// their result files would not be written. Quit anyway, or stay.
    QuitRunning {
        jobs: usize,
    },
}

/// Where render put the panes, reported back so mouse clicks can move focus, and whether the
/// terminal is narrow (the side panes fold by themselves: see [`layout`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LayoutFeedback {
    pub profiles: Rect,
    pub token: Rect,
    pub main: Rect,
    pub narrow: bool,
}

/// Whether the app runs on the embedded mock org (badge and wording).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunMode {
    Normal,
    Demo,
}

#[derive(Debug)]
pub struct Model {
    pub focus: Focus,
    pub tab: Tab,
    pub profiles: ProfilesState,
    pub token: TokenState,
    /// The Setup check popup.
    pub check: check::CheckState,
    /// The Records tab's lists.
    pub records: RecordsState,
    pub overlay: Option<Overlay>,
    /// Jobs in flight and what the status bar says about each.
    pub inflight: BTreeMap<RequestId, String>,
    /// Jobs in flight whose call is being retried, with the latest notice ("retrying (2/4)
    /// after 503…"): the status bar shows it until the job is done.
    pub retrying: BTreeMap<RequestId, String>,
    /// The latest notice for the status bar.
    pub notice: Option<String>,
    pub now: Timestamp,
    /// The time zone times are shown in (the system's; UTC in tests).
    pub tz: jiff::tz::TimeZone,
    pub keymap: Keymap,
    pub run_mode: RunMode,
    /// The embedded mock org of `sfterm demo` while it starts (`None` outside the demo).
    pub demo_org: Option<demo_org::DemoOrg>,
    /// Where the log file is, for the help overlay.
    pub log_path: Option<String>,
    pub layout: LayoutFeedback,
    /// The user's `z` (show or hide the profiles and token panes), at the width it was made;
    /// `None`: they fold by themselves on a narrow terminal ([`layout`]).
    pub side_panes: Option<layout::SidePanes>,
    pub quit: bool,
    /// Advanced on every tick while something animates (the spinner frame).
    pub frame: usize,
    pub composer: composer::ComposerState,
    pub history: history::HistoryState,
    /// The Log tab: the client's HTTP calls.
    pub api_log: api_log::ApiLogState,
    /// Record detail views (Records tab) on top of each other.
    pub detail: DetailStack,
    /// Drafts open in no view, kept in the drafts file until restored or discarded: those
    /// offered at start, and those kept when leaving a record ("keep as draft").
    pub kept_drafts: Vec<Draft>,
    /// What the drafts file holds, as last written or read.
    written_drafts: Vec<Draft>,
    /// The choices as last written or read; `None`: they are not remembered (no data dir).
    written_choices: Option<remembered::Choices>,
    ids: RequestIds,
}

impl Model {
    pub fn new(
        profiles: Vec<Profile>,
        load_error: Option<String>,
        keymap: Keymap,
        renew_margin: SignedDuration,
        now: Timestamp,
    ) -> Model {
        Model {
            focus: Focus::Profiles,
            tab: Tab::Records,
            profiles: ProfilesState::new(profiles, load_error),
            token: TokenState::new(renew_margin),
            check: check::CheckState::default(),
            records: RecordsState::default(),
            overlay: None,
            inflight: BTreeMap::new(),
            retrying: BTreeMap::new(),
            notice: None,
            now,
            tz: jiff::tz::TimeZone::system(),
            keymap,
            run_mode: RunMode::Normal,
            demo_org: None,
            log_path: None,
            layout: LayoutFeedback::default(),
            side_panes: None,
            quit: false,
            frame: 0,
            composer: composer::ComposerState::new(),
            history: history::HistoryState::default(),
            api_log: api_log::ApiLogState::default(),
            detail: DetailStack::default(),
            kept_drafts: Vec::new(),
            written_drafts: Vec::new(),
            written_choices: None,
            ids: RequestIds::default(),
        }
    }

    /// Whether ticks are needed: a spinner turns or a countdown runs.
    pub fn is_animating(&self) -> bool {
        !self.inflight.is_empty()
            || self.token.is_animating()
            || self.records.is_busy()
            || self.demo_org_is_starting()
    }

    /// Whether the Records tab's list has the keyboard.
    pub fn records_active(&self) -> bool {
        self.input_target() == InputTarget::Records
    }

    /// The contexts that resolve a key, most specific first.
    pub fn key_contexts(&self) -> Vec<Context> {
        self.pane(self.input_target())
            .map(Pane::contexts)
            .unwrap_or_default()
    }

    pub fn handle_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let contexts = self.key_contexts();
        match self.keymap.resolve(&contexts, KeyChord::from_event(&key)) {
            Some(action) => self.update(action),
            None => {
                self.type_key(key);
                Vec::new()
            }
        }
    }

    /// Pasted text goes into the text field that has the keyboard, as typed; elsewhere it is
    /// ignored, so a paste never fires actions (a "q" in it must not quit). While a browser
    /// login waits and no text field has the keyboard, a paste is the address the browser
    /// ended on, for the login.
    pub fn paste(&mut self, text: &str) -> Vec<Effect> {
        let target = self.input_target();
        let typing = self.with_pane(target, |pane, _| pane.wants_text());
        if !typing && self.token.browser.is_some() {
            return vec![Effect::BrowserPaste(text.trim().to_owned())];
        }
        self.with_pane(target, |pane, _| pane.paste(text));
        Vec::new()
    }

    /// A key typed into whatever text field has the keyboard.
    pub(super) fn type_key(&mut self, key: KeyEvent) {
        self.with_pane(self.input_target(), |pane, _| pane.type_key(key));
    }

    /// The record detail view when it has the keyboard.
    pub fn detail_in_focus(&self) -> Option<&RecordDetailState> {
        if self.focus == Focus::Main && self.tab == Tab::Records && !self.profiles.is_modal() {
            self.detail.top()
        } else {
            None
        }
    }

    /// Focus follows a left click.
    pub fn click(&mut self, column: u16, row: u16) {
        if matches!(
            self.input_target(),
            InputTarget::Overlay | InputTarget::ProfileForm | InputTarget::Check
        ) {
            return;
        }
        let at = Position { x: column, y: row };
        if self.layout.profiles.contains(at) {
            self.focus = Focus::Profiles;
        } else if self.layout.token.contains(at) {
            self.focus = Focus::Token;
        } else if self.layout.main.contains(at) {
            self.focus = Focus::Main;
        }
    }

    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        let effects = self.update_inner(action);
        self.keep_focus_visible();
        let effects = self.sync_drafts(effects);
        self.sync_choices(effects)
    }

    pub(super) fn update_inner(&mut self, action: Action) -> Vec<Effect> {
        if action == Action::Quit {
            return self.ask_to_quit();
        }
        let target = self.input_target();
        let popup_first = match target {
            InputTarget::Overlay | InputTarget::ProfileForm => {
                return self.pane_update(target, action).unwrap_or_default();
            }
            InputTarget::Check => true,
            InputTarget::Composer => self.composer.is_modal(),
            InputTarget::History => self.history.is_modal(),
            InputTarget::Log => self.api_log.is_modal(),
            _ => false,
        };
        // The check popup lets the app's keys (quit, help, palette) through.
        if popup_first && let Some(effects) = self.pane_update(target, action) {
            return effects;
        }
        self.run_command(action)
    }

    /// The profile the Setup check logs in with when none is connected: the selected one.
    pub(super) fn check_target(&self) -> Option<Profile> {
        if self.token.session.is_some() {
            None
        } else {
            self.profiles.selected_profile().cloned()
        }
    }

    /// What the status bar says about the jobs in flight: a job being retried first (the retry
    /// notice, then its label, so a narrow bar cuts the label), else the latest job's label; and
    /// how many others run.
    pub fn inflight_label(&self) -> Option<(String, usize)> {
        let others = self.inflight.len().saturating_sub(1);
        let retried = self.retrying.iter().rev().find_map(|(req, notice)| {
            let label = self.inflight.get(req)?;
            Some(format!("{notice} {label}"))
        });
        retried
            .or_else(|| self.inflight.values().next_back().cloned())
            .map(|label| (label, others))
    }

    /// Records the spawned jobs among `effects` as in flight.
    pub(super) fn track(&mut self, effects: Vec<Effect>) -> Vec<Effect> {
        for effect in &effects {
            match effect {
                Effect::Spawn { req, job } => {
                    self.inflight.insert(*req, job.label());
                }
                Effect::Cancel(req) => {
                    self.inflight.remove(req);
                    self.retrying.remove(req);
                }
                _ => {}
            }
        }
        effects
    }

    pub fn handle_msg(&mut self, msg: Msg) -> Vec<Effect> {
        let mut effects = self.route_msg(msg);
        self.keep_focus_visible();
        effects.extend(self.sync_records());
        let effects = self.sync_drafts(effects);
        self.sync_choices(effects)
    }

    fn route_msg(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Tick(now) => {
                self.now = now;
                self.frame = self.frame.wrapping_add(1);
                let effects = self.token.tick(now, &mut self.ids);
                self.track(effects)
            }
            Msg::Done { req, outcome } => {
                self.inflight.remove(&req);
                self.retrying.remove(&req);
                self.pane_outcome(req, outcome)
            }
            Msg::Retrying { req, notice } => {
                if self.inflight.contains_key(&req) {
                    self.retrying.insert(req, notice);
                }
                Vec::new()
            }
            Msg::TokenChanged(session) => {
                let effects = self.token.on_new_session(session, &mut self.ids);
                self.track(effects)
            }
            Msg::ApiCall(call) => {
                self.api_log.push(*call);
                Vec::new()
            }
            Msg::ApiUsage(usage) => {
                self.token.on_usage(usage);
                Vec::new()
            }
            Msg::BrowserLogin(wait) => {
                self.token.browser = Some(wait);
                Vec::new()
            }
            Msg::BrowserLoginPasteRefused(why) => {
                if let Some(wait) = &mut self.token.browser {
                    wait.paste_refused = Some(why);
                }
                Vec::new()
            }
            Msg::ProfilesSaved(result) => {
                self.profiles.on_saved(result);
                Vec::new()
            }
            Msg::Error(message) => {
                self.notice = Some(message);
                Vec::new()
            }
            Msg::DemoOrg(result) => self.on_demo_org(result),
        }
    }
}
