//! The router. [`InputTarget`] is decided once from the model (overlay, profile form, Setup
//! check popup, record detail, then the focused pane); every place that routes input — key
//! contexts, typing, paste, click, actions — asks it. Every pane answers through one trait,
//! [`Pane`], with one reply type, [`Reply`]: what it asks of the rest of the model is an
//! [`Ask`], answered by a named cross-pane rule of [`Model`] (see `Model::answer`).

use jiff::Timestamp;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use secrecy::SecretString;

use super::profiles::ProfilesState;
use super::record_detail::{Draft, StackReply};
use super::token::TokenState;
use super::{Focus, Model, Tab};
use crate::action::Action;
use crate::config::profiles::Profile;
use crate::effect::{Effect, RequestId, RequestIds};
use crate::keymap::Context;
use crate::msg::Outcome;
use crate::requests::history::HistoryEntry;

/// What has the keyboard, topmost first: an overlay covers everything, the profile form
/// covers the panes, the Setup check popup covers the main area, the detail view covers the
/// Records list. Also names the pane a job's outcome goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputTarget {
    /// Help, the palette, a confirmation, the drafts or quit popup.
    Overlay,
    /// The profile form, the secret prompt or a profile confirmation.
    ProfileForm,
    /// The Setup check popup.
    Check,
    /// The record detail views on top of the Records list.
    Detail,
    Profiles,
    Token,
    Records,
    Composer,
    History,
    /// The Log tab.
    Log,
}

/// What a pane may read of the rest of the model while it handles an action or an outcome.
pub struct PaneCx<'a> {
    pub ids: &'a mut RequestIds,
    pub now: Timestamp,
    /// The connected profile, if any.
    pub profile: Option<&'a str>,
    /// Every profile (History's "replay with").
    pub profiles: &'a [Profile],
    /// The profile the Setup check logs in with when none is connected.
    pub unconnected: Option<&'a Profile>,
    /// Rows the Records list shows.
    pub viewport: usize,
}

impl<'a> PaneCx<'a> {
    /// A context with only the ids and the time (for a pane's commands outside an action).
    pub fn bare(ids: &'a mut RequestIds, now: Timestamp) -> PaneCx<'a> {
        PaneCx {
            ids,
            now,
            profile: None,
            profiles: &[],
            unconnected: None,
            viewport: 0,
        }
    }
}

/// A pane's answer to an action or an outcome.
#[derive(Debug, Default)]
#[must_use]
pub struct Reply {
    /// The pane used it (an unused action goes on to the app's own rules).
    pub handled: bool,
    pub effects: Vec<Effect>,
    /// What only the model can do.
    pub asks: Vec<Ask>,
}

impl Reply {
    pub fn unhandled() -> Reply {
        Reply::default()
    }

    pub fn effects(effects: Vec<Effect>) -> Reply {
        Reply {
            handled: true,
            effects,
            asks: Vec::new(),
        }
    }

    pub fn ask(ask: Ask) -> Reply {
        Reply {
            handled: true,
            effects: Vec::new(),
            asks: vec![ask],
        }
    }

    /// This reply, also asking `ask`.
    pub fn and(mut self, ask: Ask) -> Reply {
        self.asks.push(ask);
        self
    }
}

/// What a pane asks of the rest of the model: each is one cross-pane rule.
#[derive(Debug)]
pub enum Ask {
    /// Close the overlay.
    CloseOverlay,
    /// Run an action chosen in the palette.
    Run(Action),
    /// Open a draft offered at start in a detail view.
    RestoreDraft(Box<Draft>),
    /// A draft offered at start was restored or discarded: it leaves the kept ones.
    ForgetDraft(Box<Draft>),
    /// Quit; `discard` drops every staged edit first.
    Quit { discard: bool },
    /// Quit though an import runs: asks about staged edits if there are any, else quits.
    QuitPastRunning,
    /// Log in with this profile (and the secret typed at the prompt).
    Connect(Box<Profile>, Option<SecretString>),
    /// Open a record of the list in the detail view.
    OpenRecord { object: String, id: String },
    /// Open a History entry in the Composer: its request and the response it recorded.
    OpenRequest(Box<HistoryEntry>),
    /// Open the profile form on a new profile (a Postman environment import).
    NewProfileForm(Box<Profile>),
    /// A request was sent (Composer or replay): it joins the history.
    Sent(Box<HistoryEntry>),
    /// The detail views closed one, kept a draft, saved or deleted a record.
    Detail(StackReply),
    /// A login succeeded: the detail views follow the new session.
    LoggedIn,
    /// The user confirmed revoking the token.
    Revoke,
}

/// What each input target does with keys, pastes, actions and its jobs' outcomes.
pub trait Pane {
    /// The key contexts that resolve a key here, most specific first.
    fn contexts(&self) -> Vec<Context>;
    /// Whether unbound keys and pastes go into a text field here.
    fn wants_text(&self) -> bool;
    /// An unbound key typed into the text field (nothing when none has the keyboard).
    fn type_key(&mut self, key: KeyEvent);
    /// Pasted text, typed as if by hand (never fires actions; newlines dropped).
    fn paste(&mut self, text: &str) {
        if !self.wants_text() {
            return;
        }
        for c in text.chars().filter(|c| !c.is_control()) {
            self.type_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
    }
    /// An action routed here.
    fn update(&mut self, action: Action, cx: &mut PaneCx<'_>) -> Reply;
    /// A job of this pane finished (`req` is the id it was started with).
    fn on_outcome(&mut self, _req: RequestId, _outcome: Outcome, _cx: &mut PaneCx<'_>) -> Reply {
        Reply::unhandled()
    }
}

impl Model {
    /// What has the keyboard now.
    pub fn input_target(&self) -> InputTarget {
        if self.overlay.is_some() {
            InputTarget::Overlay
        } else if self.profiles.is_modal() {
            InputTarget::ProfileForm
        } else if self.check.open {
            InputTarget::Check
        } else if self.detail_in_focus().is_some() {
            InputTarget::Detail
        } else {
            match (self.focus, self.tab) {
                (Focus::Profiles, _) => InputTarget::Profiles,
                (Focus::Token, _) => InputTarget::Token,
                (Focus::Main, Tab::Records) => InputTarget::Records,
                (Focus::Main, Tab::Composer) => InputTarget::Composer,
                (Focus::Main, Tab::History) => InputTarget::History,
                (Focus::Main, Tab::Log) => InputTarget::Log,
            }
        }
    }

    /// The pane of `target`.
    pub fn pane(&self, target: InputTarget) -> Option<&dyn Pane> {
        Some(match target {
            InputTarget::Overlay => self.overlay.as_ref()?,
            InputTarget::ProfileForm | InputTarget::Profiles => &self.profiles,
            InputTarget::Check => &self.check,
            InputTarget::Detail if self.detail.is_open() => &self.detail,
            InputTarget::Detail => return None,
            InputTarget::Token => &self.token,
            InputTarget::Records => &self.records,
            InputTarget::Composer => &self.composer,
            InputTarget::History => &self.history,
            InputTarget::Log => &self.api_log,
        })
    }

    /// Runs `work` on the pane of `target` with the context it may read (borrowed from the
    /// other panes: nothing is copied, this runs for every key). `R::default()` when the target
    /// has no pane (no overlay open).
    pub(super) fn with_pane<R: Default>(
        &mut self,
        target: InputTarget,
        work: impl FnOnce(&mut dyn Pane, &mut PaneCx<'_>) -> R,
    ) -> R {
        let viewport = self.layout.main.height.saturating_sub(5) as usize;
        let Model {
            overlay,
            profiles: profiles_pane,
            check,
            detail,
            token,
            records,
            composer,
            history,
            api_log,
            ids,
            now,
            ..
        } = self;
        let connected = token.session.is_some();
        // The pane, and what the context reads of the profiles and the token (not of itself).
        let (pane, profiles, token): (&mut dyn Pane, Option<&ProfilesState>, Option<&TokenState>) =
            match target {
                InputTarget::Overlay => match overlay {
                    Some(overlay) => (overlay, Some(profiles_pane), Some(token)),
                    None => return R::default(),
                },
                InputTarget::ProfileForm | InputTarget::Profiles => {
                    (profiles_pane, None, Some(token))
                }
                InputTarget::Token => (token, Some(profiles_pane), None),
                InputTarget::Check => (check, Some(profiles_pane), Some(token)),
                InputTarget::Detail => (detail, Some(profiles_pane), Some(token)),
                InputTarget::Records => (records, Some(profiles_pane), Some(token)),
                InputTarget::Composer => (composer, Some(profiles_pane), Some(token)),
                InputTarget::History => (history, Some(profiles_pane), Some(token)),
                InputTarget::Log => (api_log, Some(profiles_pane), Some(token)),
            };
        let mut cx = PaneCx {
            ids,
            now: *now,
            profile: token
                .and_then(|t| t.session.as_ref())
                .map(|s| s.profile.as_str()),
            profiles: profiles.map_or(&[], |p| &p.profiles),
            unconnected: if connected {
                None
            } else {
                profiles.and_then(ProfilesState::selected_profile)
            },
            viewport,
        };
        work(pane, &mut cx)
    }

    /// Gives `action` to the pane of `target`; `None` when the pane does not use it.
    pub(super) fn pane_update(
        &mut self,
        target: InputTarget,
        action: Action,
    ) -> Option<Vec<Effect>> {
        let reply = self.with_pane(target, |pane, cx| pane.update(action, cx));
        let handled = reply.handled;
        let effects = self.apply(reply);
        handled.then_some(effects)
    }

    /// Gives a job's outcome to the pane that started it.
    pub(super) fn pane_outcome(&mut self, req: RequestId, outcome: Outcome) -> Vec<Effect> {
        let target = match &outcome {
            Outcome::Check(_) => InputTarget::Check,
            Outcome::Record(_) => InputTarget::Detail,
            Outcome::Records(_) | Outcome::Import(_) => InputTarget::Records,
            Outcome::Composer(_) => InputTarget::Composer,
            // `$EDITOR` answers whoever opened it: a detail view's field, a mass edit's value or
            // the composer's body (which says no to an answer it does not await).
            Outcome::Edited(_) if self.detail.owns(req) => InputTarget::Detail,
            Outcome::Edited(_) if self.records.owns(req) => InputTarget::Records,
            Outcome::Edited(_) => InputTarget::Composer,
            // A copy answers whoever asked: the Log's curl, a detail view's field, the
            // composer's body, else the token (which copies itself).
            Outcome::Copied(_) if self.api_log.copying == Some(req) => InputTarget::Log,
            Outcome::Copied(_) if self.detail.owns(req) => InputTarget::Detail,
            Outcome::Copied(_) if self.composer.copying == Some(req) => InputTarget::Composer,
            Outcome::History(_) => InputTarget::History,
            Outcome::Login(_)
            | Outcome::Introspect(_)
            | Outcome::ExpiryAssumed { .. }
            | Outcome::Revoke(_)
            | Outcome::Copied(_)
            | Outcome::ApiChecked(_) => InputTarget::Token,
        };
        let reply = self.with_pane(target, |pane, cx| pane.on_outcome(req, outcome, cx));
        self.apply(reply)
    }

    /// Runs a reply: its effects (tracked as in flight) and its asks, in order.
    pub(super) fn apply(&mut self, reply: Reply) -> Vec<Effect> {
        let mut effects = self.track(reply.effects);
        for ask in reply.asks {
            effects.extend(self.answer(ask));
        }
        effects
    }
}
