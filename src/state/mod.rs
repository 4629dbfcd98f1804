//! Pure application state. Nothing here does I/O or awaits: every change goes through
//! [`Model::update`] / [`Model::handle_key`], which return the [`Effect`]s for the runtime to run.

pub mod check;
pub mod composer;
pub mod demo_org;
pub mod field_editor;
pub mod history;
pub mod palette;
pub mod pane;
pub mod profiles;
pub mod record_detail;
pub mod records;
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
use crate::effect::{Effect, Job, RequestId, RequestIds, SessionJob};
use crate::keymap::{Context, KeyChord, Keymap};
use crate::msg::Msg;
use crate::state::record_detail::Draft;
use crate::state::record_detail::job::RecordEffect;
use palette::{PaletteOutcome, PaletteState};
pub use pane::{InputTarget, Pane};
use profiles::{ProfilesState, Reply};
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
}

impl Tab {
    pub const ALL: [Tab; 3] = [Tab::Records, Tab::Composer, Tab::History];

    pub fn title(self) -> &'static str {
        match self {
            Tab::Records => "Records",
            Tab::Composer => "Composer",
            Tab::History => "History",
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
    /// Drafts from an earlier run: restore or discard each.
    Drafts {
        drafts: Vec<Draft>,
        selected: usize,
    },
    /// Quitting with staged edits: discard them, keep them as a draft, or stay.
    QuitStaged {
        count: usize,
    },
}

/// Where render put the panes, reported back so mouse clicks can move focus.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LayoutFeedback {
    pub profiles: Rect,
    pub token: Rect,
    pub main: Rect,
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
    /// The profiles and token panes are hidden: the main area takes the whole width (`z`).
    pub sidebar_hidden: bool,
    pub quit: bool,
    /// Advanced on every tick while something animates (the spinner frame).
    pub frame: usize,
    pub composer: composer::ComposerState,
    pub history: history::HistoryState,
    /// Record detail views (Records tab) on top of each other.
    pub detail: DetailStack,
    /// Drafts open in no view, kept in the drafts file until restored or discarded: those
    /// offered at start, and those kept when leaving a record ("keep as draft").
    pub kept_drafts: Vec<Draft>,
    /// What the drafts file holds, as last written or read.
    written_drafts: Vec<Draft>,
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
            notice: None,
            now,
            tz: jiff::tz::TimeZone::system(),
            keymap,
            run_mode: RunMode::Normal,
            demo_org: None,
            log_path: None,
            layout: LayoutFeedback::default(),
            sidebar_hidden: false,
            quit: false,
            frame: 0,
            composer: composer::ComposerState::new(),
            history: history::HistoryState::default(),
            detail: DetailStack::default(),
            kept_drafts: Vec::new(),
            written_drafts: Vec::new(),
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
        self.focus == Focus::Main
            && self.tab == Tab::Records
            && self.overlay.is_none()
            && !self.profiles.is_modal()
            && !self.detail.is_open()
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
    /// ignored, so a paste never fires actions (a "q" in it must not quit).
    pub fn paste(&mut self, text: &str) {
        let target = self.input_target();
        if let Some(pane) = self.pane_mut(target) {
            pane.paste(text);
        }
    }

    /// A key typed into whatever text field has the keyboard.
    fn type_key(&mut self, key: KeyEvent) {
        let target = self.input_target();
        if let Some(pane) = self.pane_mut(target) {
            pane.type_key(key);
        }
    }

    /// The record detail view when it has the keyboard.
    pub fn detail_in_focus(&self) -> Option<&RecordDetailState> {
        if self.focus == Focus::Main && self.tab == Tab::Records && !self.profiles.is_modal() {
            self.detail.top()
        } else {
            None
        }
    }

    /// Whether the active profile points at production (every write asks first).
    pub fn is_production(&self) -> bool {
        let Some(name) = self.token.profile.as_deref() else {
            return false;
        };
        self.profiles
            .profiles
            .iter()
            .find(|p| p.name == name)
            .is_some_and(|p| {
                Environment::of_endpoint(&p.endpoint, self.run_mode == RunMode::Demo)
                    .is_production()
            })
    }

    /// Opens the detail view of a record in the Records tab (the list calls this on enter).
    pub fn open_record(&mut self, object: &str, id: &str) -> Vec<Effect> {
        self.open_detail(object, Some(id))
    }

    /// Opens the create form for `object` in the Records tab.
    pub fn new_record(&mut self, object: &str) -> Vec<Effect> {
        self.open_detail(object, None)
    }

    /// Pushes a detail view of `id` (or a create form) onto the Records tab. Without a
    /// connection the view waits and loads once connected.
    /// A record with a kept draft reopens with those edits staged again.
    fn open_detail(&mut self, object: &str, id: Option<&str>) -> Vec<Effect> {
        let profile = self.token.profile.as_deref();
        let kept = id.and_then(|id| {
            self.kept_drafts.iter().position(|d| {
                d.object == object && d.id.as_deref() == Some(id) && d.profile.as_deref() == profile
            })
        });
        let draft = match kept {
            Some(at) => {
                self.notice = Some("Your kept draft is staged again.".into());
                self.kept_drafts.remove(at)
            }
            None => Draft {
                profile: None,
                object: object.to_string(),
                id: id.map(str::to_string),
                title: String::new(),
                opened_at: None,
                staged: serde_json::Map::new(),
            },
        };
        let connected = self.token.session.is_some();
        let (mut view, effects) = RecordDetailState::from_draft(&draft, connected, &mut self.ids);
        self.prepare_view(&mut view);
        self.detail.push(view);
        self.tab = Tab::Records;
        self.focus = Focus::Main;
        self.track(effects)
    }

    fn prepare_view(&self, view: &mut RecordDetailState) {
        view.production = self.is_production();
        view.instance_url = self.token.session.as_ref().map(|s| s.instance_url.clone());
    }

    /// Offers drafts found at start (restore / discard popup).
    pub fn offer_drafts(&mut self, drafts: Vec<Draft>) {
        self.written_drafts = drafts.clone();
        if drafts.is_empty() {
            return;
        }
        self.kept_drafts = drafts.clone();
        self.overlay = Some(Overlay::Drafts {
            drafts,
            selected: 0,
        });
    }

    /// The drafts that belong in the file now: staged edits of open views plus the offered ones.
    pub fn current_drafts(&self) -> Vec<Draft> {
        let profile = self.token.profile.as_deref();
        let mut drafts = self.kept_drafts.clone();
        drafts.extend(self.detail.drafts(profile));
        drafts
    }

    /// Adds a drafts-file write when the drafts changed.
    fn sync_drafts(&mut self, mut effects: Vec<Effect>) -> Vec<Effect> {
        let now = self.current_drafts();
        if now != self.written_drafts {
            self.written_drafts = now.clone();
            effects.insert(0, Effect::Record(RecordEffect::WriteDrafts(now)));
        }
        effects
    }

    fn on_stack_reply(&mut self, reply: StackReply) -> Vec<Effect> {
        match reply {
            StackReply::Effects(effects) => self.track(effects),
            StackReply::Closed => Vec::new(),
            StackReply::Kept(view) => {
                if let Some(draft) = view.draft(self.token.profile.as_deref()) {
                    let changes = match draft.staged.len() {
                        1 => "1 staged change".to_string(),
                        n => format!("{n} staged changes"),
                    };
                    self.notice = Some(format!(
                        "Kept {changes} of {} as a draft: opening the record again stages \
                         them; the next start offers them.",
                        draft.title
                    ));
                    self.kept_drafts.push(draft);
                }
                Vec::new()
            }
            StackReply::Changed(RecordChange::Saved {
                object,
                id,
                mut effects,
            }) => {
                effects.extend(self.records.record_changed(&object, &id, &mut self.ids));
                self.track(effects)
            }
            StackReply::Changed(RecordChange::Deleted { object, id }) => {
                self.records.record_deleted(&object, &id);
                self.notice = Some(format!("Deleted the {object}."));
                Vec::new()
            }
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
        self.sync_drafts(effects)
    }

    fn update_inner(&mut self, action: Action) -> Vec<Effect> {
        if action == Action::Quit
            && self.detail.staged_count() > 0
            && !matches!(self.overlay, Some(Overlay::QuitStaged { .. }))
        {
            self.overlay = Some(Overlay::QuitStaged {
                count: self.detail.staged_count(),
            });
            return Vec::new();
        }
        if action == Action::Quit {
            self.quit = true;
            return vec![Effect::Quit];
        }
        match self.input_target() {
            InputTarget::Overlay => return self.overlay_update(action),
            InputTarget::ProfileForm => {
                let reply = self.profiles.update(action);
                return self.apply_profiles_reply(reply);
            }
            InputTarget::Check => {
                let unconnected = self.check_target();
                if let Some(effects) =
                    self.check
                        .update(action, unconnected.as_ref(), &mut self.ids)
                {
                    return self.track(effects);
                }
            }
            InputTarget::Composer if self.composer.is_modal() => {
                return self.composer_update(action);
            }
            InputTarget::History if self.history.is_modal() => return self.history_update(action),
            _ => {}
        }
        self.run_command(action)
    }

    /// An action while an overlay has the keys: only the overlay gets it.
    fn overlay_update(&mut self, action: Action) -> Vec<Effect> {
        match &mut self.overlay {
            Some(Overlay::Help { scroll }) => {
                match action {
                    Action::Down => *scroll = scroll.saturating_add(1),
                    Action::Up => *scroll = scroll.saturating_sub(1),
                    Action::Cancel | Action::Help => self.overlay = None,
                    _ => {}
                }
                return Vec::new();
            }
            Some(Overlay::Palette(palette)) => {
                return match palette.update(action) {
                    PaletteOutcome::Stay => Vec::new(),
                    PaletteOutcome::Close => {
                        self.overlay = None;
                        Vec::new()
                    }
                    PaletteOutcome::Run(action) => {
                        self.overlay = None;
                        self.run_command(action)
                    }
                };
            }
            Some(Overlay::Drafts { drafts, selected }) => {
                match action {
                    Action::Up => *selected = selected.saturating_sub(1),
                    Action::Down => *selected = (*selected + 1).min(drafts.len().saturating_sub(1)),
                    Action::RestoreDrafts | Action::Discard if *selected < drafts.len() => {
                        let draft = drafts.remove(*selected);
                        *selected = (*selected).min(drafts.len().saturating_sub(1));
                        if let Some(at) = self.kept_drafts.iter().position(|d| *d == draft) {
                            self.kept_drafts.remove(at);
                        }
                        if drafts.is_empty() {
                            self.overlay = None;
                        }
                        if action == Action::RestoreDrafts {
                            let connected = self.token.session.is_some();
                            let (mut view, effects) =
                                RecordDetailState::from_draft(&draft, connected, &mut self.ids);
                            self.prepare_view(&mut view);
                            self.detail.push(view);
                            self.tab = Tab::Records;
                            self.focus = Focus::Main;
                            return self.track(effects);
                        }
                    }
                    Action::Cancel => self.overlay = None,
                    _ => {}
                }
                return Vec::new();
            }
            Some(Overlay::QuitStaged { .. }) => {
                match action {
                    Action::Discard => {
                        self.detail.discard_all();
                        self.overlay = None;
                        self.quit = true;
                        return vec![Effect::Quit];
                    }
                    Action::KeepDraft => {
                        self.overlay = None;
                        self.quit = true;
                        return vec![Effect::Quit];
                    }
                    Action::Cancel | Action::Deny => self.overlay = None,
                    _ => {}
                }
                return Vec::new();
            }
            Some(Overlay::ConfirmCopyToken) => {
                return match action {
                    Action::Confirm => {
                        self.overlay = None;
                        self.spawn(Job::Session(SessionJob::CopyToken))
                    }
                    Action::Deny | Action::Cancel => {
                        self.overlay = None;
                        Vec::new()
                    }
                    _ => Vec::new(),
                };
            }
            None => {}
        }
        Vec::new()
    }

    /// The profile the Setup check logs in with when none is connected: the selected one.
    fn check_target(&self) -> Option<Profile> {
        if self.token.session.is_some() {
            None
        } else {
            self.profiles.selected_profile().cloned()
        }
    }

    fn profile_name(&self) -> Option<String> {
        self.token.session.as_ref().map(|s| s.profile.clone())
    }

    fn composer_update(&mut self, action: Action) -> Vec<Effect> {
        let profile = self.profile_name();
        let commands = self.composer.update(action, profile.as_deref());
        self.composer_commands(commands)
    }

    fn composer_commands(&mut self, commands: Vec<composer::Command>) -> Vec<Effect> {
        let mut effects = Vec::new();
        for command in commands {
            match command {
                composer::Command::Job(job) => {
                    let is_send =
                        matches!(job, crate::state::composer::job::ComposerJob::Send { .. });
                    let spawned = self.spawn(Job::Composer(Box::new(job)));
                    if is_send {
                        if let Some(old) = self.composer.send.take() {
                            self.inflight.remove(&old);
                            effects.push(Effect::Cancel(old));
                        }
                        if let Some(Effect::Spawn { req, .. }) = spawned.first() {
                            self.composer.send = Some(*req);
                        }
                    }
                    effects.extend(spawned);
                }
                composer::Command::Editor(text, extension) => {
                    let req = self.ids.allocate();
                    effects.push(Effect::OpenEditor {
                        req,
                        text,
                        extension,
                    });
                }
                composer::Command::NewProfile(profile, _secret) => {
                    // The secret is not carried over: the user picks its source in the form
                    // (and types it only when choosing "plain" or at connect time).
                    let mut form = profiles::ProfileForm::edit(&profile);
                    form.original_name = None;
                    form.secret_source = 0;
                    form.secret_value.clear();
                    self.profiles.mode = profiles::Mode::Form(Box::new(form));
                    self.focus = Focus::Profiles;
                }
            }
        }
        effects
    }

    fn history_update(&mut self, action: Action) -> Vec<Effect> {
        let commands = self.history.update(action, &self.profiles.profiles);
        let mut effects = Vec::new();
        for command in commands {
            match command {
                history::Command::Job(job) => effects.extend(self.spawn(Job::History(job))),
                history::Command::Open(request) => {
                    self.composer.open(request);
                    self.tab = Tab::Composer;
                    if !self.composer.loaded {
                        let profile = self.profile_name();
                        let commands = self.composer.load(profile.as_deref());
                        effects.extend(self.composer_commands(commands));
                    }
                }
            }
        }
        effects
    }

    /// Shows a tab, reading its files the first time.
    fn show_tab(&mut self, tab: Tab) -> Vec<Effect> {
        self.tab = tab;
        self.focus = Focus::Main;
        match tab {
            Tab::Records => {
                let effects = self.records.ensure_loaded(&mut self.ids);
                self.track(effects)
            }
            Tab::Composer if self.composer.is_stale(self.profile_name().as_deref()) => {
                let profile = self.profile_name();
                let commands = self.composer.load(profile.as_deref());
                self.composer_commands(commands)
            }
            Tab::History if !self.history.loaded => {
                let commands = self.history.load();
                let mut effects = Vec::new();
                for command in commands {
                    if let history::Command::Job(job) = command {
                        effects.extend(self.spawn(Job::History(job)));
                    }
                }
                effects
            }
            _ => Vec::new(),
        }
    }

    fn on_composer_outcome(
        &mut self,
        req: RequestId,
        outcome: crate::state::composer::job::ComposerOutcome,
    ) -> Vec<Effect> {
        use crate::state::composer::job::ComposerOutcome;
        match outcome {
            ComposerOutcome::Sent { result, entry } => {
                let mut effects = self.record_send(entry.map(|e| *e));
                // A send that is no longer awaited (a newer one replaced it) only counts for
                // the history.
                if self.composer.send == Some(req) {
                    let outcome = ComposerOutcome::Sent {
                        result,
                        entry: None,
                    };
                    let commands = self.composer.on_outcome(outcome);
                    effects.extend(self.composer_commands(commands));
                }
                effects
            }
            outcome => {
                let commands = self.composer.on_outcome(outcome);
                self.composer_commands(commands)
            }
        }
    }

    fn on_history_outcome(&mut self, outcome: history::HistoryOutcome) -> Vec<Effect> {
        match outcome {
            history::HistoryOutcome::Replayed { result, entry } => {
                let effects = self.record_send(entry.map(|e| *e));
                self.history.on_outcome(history::HistoryOutcome::Replayed {
                    result,
                    entry: None,
                });
                effects
            }
            outcome => {
                self.history.on_outcome(outcome);
                Vec::new()
            }
        }
    }

    /// A request was sent (composer or replay): it joins the history, and a write may have
    /// changed records, so the lists reload when next shown (at once when shown now).
    fn record_send(
        &mut self,
        entry: Option<crate::requests::history::HistoryEntry>,
    ) -> Vec<Effect> {
        let Some(entry) = entry else {
            return Vec::new();
        };
        let mut effects = Vec::new();
        if entry.kind == crate::requests::request::RequestKind::Soap
            || !matches!(entry.method.as_str(), "GET" | "HEAD" | "OPTIONS")
        {
            self.records.mark_stale();
            if self.tab == Tab::Records {
                let reload = self.records.ensure_loaded(&mut self.ids);
                effects.extend(self.track(reload));
            }
        }
        self.history.push(entry);
        effects
    }

    /// An action outside any popup: the detail view and the Records list first when they have
    /// the keys, then the pane that owns the action (declared with the action).
    fn run_command(&mut self, action: Action) -> Vec<Effect> {
        let owner = action.owner();
        // The detail view takes every action but the app's, and those too while its editor
        // is open.
        if let Some(view) = self.detail_in_focus()
            && (owner != Owner::App || view.popup.is_some())
        {
            let reply = self.detail.update(action, &mut self.ids);
            return self.on_stack_reply(reply);
        }
        if owner == Owner::Records {
            self.tab = Tab::Records;
            self.focus = Focus::Main;
        }
        if self.records_active() {
            match self.records_update(action) {
                Some(effects) => return effects,
                None if self.records.input.is_some() || self.records.popup.is_some() => {
                    return Vec::new();
                }
                None => {}
            }
        }
        match owner {
            Owner::App => self.app_action(action),
            Owner::Focused => self.focused_action(action),
            Owner::Profiles => {
                let reply = self.profiles.update(action);
                self.apply_profiles_reply(reply)
            }
            Owner::Token if action == Action::CopyToken => {
                if self.token.session.is_some() {
                    self.overlay = Some(Overlay::ConfirmCopyToken);
                } else {
                    self.token.note = Some("No token to copy: connect first.".into());
                }
                Vec::new()
            }
            Owner::Token => {
                let effects = self.token.update(action, &mut self.ids);
                self.track(effects)
            }
            Owner::Check => {
                let unconnected = self.check_target();
                let effects = self.check.open_and_run(unconnected.as_ref(), &mut self.ids);
                self.track(effects)
            }
            // Open and find are the History tab's too.
            Owner::Composer
                if self.tab == Tab::History
                    && matches!(action, Action::OpenItem | Action::Find) =>
            {
                self.history_update(action)
            }
            Owner::Composer => {
                // Keys reach here only on the Composer tab; the palette from anywhere, so
                // show the tab first.
                let mut effects = self.show_tab(Tab::Composer);
                effects.extend(self.composer_update(action));
                effects
            }
            Owner::History if self.tab == Tab::History && self.focus == Focus::Main => {
                self.history_update(action)
            }
            Owner::Detail if action == Action::NewRecord => {
                let object = self.records.view().object.clone();
                self.new_record(&object)
            }
            // Handled above when their pane has the keys.
            Owner::History | Owner::Records | Owner::Detail => Vec::new(),
        }
    }

    /// Quitting, help, the palette, focus, tabs and the side panes.
    fn app_action(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Quit => {
                self.quit = true;
                vec![Effect::Quit]
            }
            Action::Help => {
                self.overlay = Some(Overlay::Help { scroll: 0 });
                Vec::new()
            }
            Action::CommandPalette => {
                self.overlay = Some(Overlay::Palette(PaletteState::default()));
                Vec::new()
            }
            Action::FocusNext | Action::FocusPrev if self.sidebar_hidden => Vec::new(),
            Action::FocusNext => {
                self.focus = self.focus.step(1);
                Vec::new()
            }
            Action::FocusPrev => {
                self.focus = self.focus.step(-1);
                Vec::new()
            }
            Action::FocusProfiles => {
                self.sidebar_hidden = false;
                self.focus = Focus::Profiles;
                Vec::new()
            }
            Action::FocusToken => {
                self.sidebar_hidden = false;
                self.focus = Focus::Token;
                Vec::new()
            }
            Action::ToggleSidebar => {
                self.sidebar_hidden = !self.sidebar_hidden;
                if self.sidebar_hidden {
                    self.focus = Focus::Main;
                }
                Vec::new()
            }
            Action::TabRecords => self.show_tab(Tab::Records),
            Action::TabComposer => self.show_tab(Tab::Composer),
            Action::TabHistory => self.show_tab(Tab::History),
            _ => Vec::new(),
        }
    }

    /// Moving in the focused list, and esc: cancel what is in flight. Answers and form keys
    /// mean nothing outside their popup.
    fn focused_action(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Up
            | Action::Down
            | Action::Top
            | Action::Bottom
            | Action::PageUp
            | Action::PageDown => match (self.focus, self.tab) {
                (Focus::Profiles, _) => {
                    let reply = self.profiles.update(action);
                    self.apply_profiles_reply(reply)
                }
                (Focus::Main, Tab::Composer) => self.composer_update(action),
                (Focus::Main, Tab::History) => self.history_update(action),
                _ => Vec::new(),
            },
            Action::Cancel => {
                let mut effects = self.token.cancel();
                if let Some(send) = self.composer.send.take() {
                    self.composer.note = Some("Cancelled.".into());
                    effects.push(Effect::Cancel(send));
                }
                if effects.is_empty() {
                    self.notice = None;
                }
                for effect in &effects {
                    if let Effect::Cancel(req) = effect {
                        self.inflight.remove(req);
                    }
                }
                effects
            }
            _ => Vec::new(),
        }
    }

    /// A key action for the Records tab; `None` when the tab does not use it.
    fn records_update(&mut self, action: Action) -> Option<Vec<Effect>> {
        let rows = self.layout.main.height.saturating_sub(5) as usize;
        if rows > 0 {
            self.records.viewport = rows;
        }
        match self.records.update(action, self.now, &mut self.ids) {
            records::Reply::Unhandled => None,
            records::Reply::Effects(effects) => Some(self.track(effects)),
            records::Reply::Open { object, id } => Some(self.open_record(&object, &id)),
        }
    }

    /// Tells the Records tab about the connection (new profile, lost session).
    fn sync_records(&mut self) -> Vec<Effect> {
        match self.token.session.as_ref().map(|s| s.profile.clone()) {
            Some(profile) if self.records.profile.as_deref() != Some(profile.as_str()) => {
                let effects = self.records.connected(&profile, &mut self.ids);
                self.track(effects)
            }
            // A lost session keeps the lists; their next query reports the error.
            _ => Vec::new(),
        }
    }

    fn apply_profiles_reply(&mut self, reply: Reply) -> Vec<Effect> {
        match reply {
            Reply::Effects(effects) => effects,
            Reply::Connect(profile, prompted_secret) => {
                let req = self.ids.allocate();
                let mut effects = self.token.start_connect(&profile.name, req);
                for effect in &effects {
                    if let Effect::Cancel(old) = effect {
                        self.inflight.remove(old);
                    }
                }
                self.focus = Focus::Profiles;
                let job = Job::Connect {
                    profile,
                    prompted_secret,
                };
                self.inflight.insert(req, job.label());
                effects.push(Effect::Spawn { req, job });
                effects
            }
        }
    }

    fn spawn(&mut self, job: Job) -> Vec<Effect> {
        let req = self.ids.allocate();
        self.inflight.insert(req, job.label());
        vec![Effect::Spawn { req, job }]
    }

    /// Records the spawned jobs among `effects` as in flight.
    fn track(&mut self, effects: Vec<Effect>) -> Vec<Effect> {
        for effect in &effects {
            match effect {
                Effect::Spawn { req, job } => {
                    self.inflight.insert(*req, job.label());
                }
                Effect::Cancel(req) => {
                    self.inflight.remove(req);
                }
                _ => {}
            }
        }
        effects
    }

    pub fn handle_msg(&mut self, msg: Msg) -> Vec<Effect> {
        let mut effects = self.route_msg(msg);
        effects.extend(self.sync_records());
        self.sync_drafts(effects)
    }

    fn route_msg(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Tick(now) => {
                self.now = now;
                self.frame = self.frame.wrapping_add(1);
                let effects = self.token.tick(now, &mut self.ids);
                self.track(effects)
            }
            Msg::Done {
                req,
                outcome: crate::msg::Outcome::Check(result),
            } => {
                self.inflight.remove(&req);
                self.check.on_done(req, result.map(|r| *r), self.now);
                Vec::new()
            }
            Msg::Done {
                req,
                outcome: crate::msg::Outcome::Record(outcome),
            } => {
                self.inflight.remove(&req);
                let reply = self.detail.on_outcome(req, outcome, &mut self.ids);
                self.on_stack_reply(reply)
            }
            Msg::Done {
                req,
                outcome: crate::msg::Outcome::Records(outcome),
            } => {
                self.inflight.remove(&req);
                if self.records.owns(req) {
                    let effects = self.records.on_outcome(req, outcome, &mut self.ids);
                    self.track(effects)
                } else {
                    Vec::new()
                }
            }
            Msg::Done { req, outcome } => {
                self.inflight.remove(&req);
                let outcome = match outcome {
                    crate::msg::Outcome::Composer(outcome) => {
                        return self.on_composer_outcome(req, outcome);
                    }
                    crate::msg::Outcome::History(outcome) => {
                        return self.on_history_outcome(outcome);
                    }
                    outcome => outcome,
                };
                let logged_in = matches!(&outcome, crate::msg::Outcome::Login(Ok(_)));
                let copied = matches!(outcome, crate::msg::Outcome::Copied(_));
                if self.token.owns(req) || copied {
                    let mut effects = self.token.on_done(req, outcome, self.now, &mut self.ids);
                    if logged_in {
                        let instance = self.token.session.as_ref().map(|s| s.instance_url.clone());
                        let production = self.is_production();
                        for view in &mut self.detail.views {
                            view.instance_url.clone_from(&instance);
                            view.production = production;
                        }
                        effects.extend(self.detail.connected(&mut self.ids));
                    }
                    self.track(effects)
                } else {
                    Vec::new()
                }
            }
            Msg::TokenChanged(session) => {
                let effects = self.token.on_new_session(session, &mut self.ids);
                self.track(effects)
            }
            Msg::ApiUsage(usage) => {
                self.token.on_usage(usage);
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
