//! Every pane's [`Pane`] implementation: its key contexts, typing, and how its own replies
//! (records' `Reply`, the composer's `Command`s, the detail stack's `StackReply`...) become the
//! one [`Reply`] the model routes.

use ratatui::crossterm::event::KeyEvent;

use super::Overlay;
use super::check::CheckState;
use super::composer::{self, ComposerState};
use super::history::{self, HistoryOutcome, HistoryState};
use super::palette::{PaletteOutcome, PaletteState};
use super::pane::{Ask, Pane, PaneCx, Reply};
use super::profiles::{self, ProfilesState};
use super::record_detail::{DetailStack, StackReply};
use super::records::{self, RecordsState};
use super::token::TokenState;
use crate::action::Action;
use crate::effect::{Effect, Job, RequestId, SessionJob};
use crate::keymap::Context;
use crate::msg::Outcome;
use crate::state::composer::job::{ComposerJob, ComposerOutcome};

impl Pane for Overlay {
    fn contexts(&self) -> Vec<Context> {
        vec![match self {
            Overlay::Help { .. } => Context::Help,
            Overlay::Palette(_) => Context::Palette,
            Overlay::ConfirmCopyToken | Overlay::ConfirmRevoke | Overlay::QuitRunning { .. } => {
                Context::Confirm
            }
            Overlay::Drafts { .. } => Context::Drafts,
            Overlay::QuitStaged { .. } => Context::LeaveStaged,
        }]
    }

    fn wants_text(&self) -> bool {
        matches!(self, Overlay::Palette(_))
    }

    fn type_key(&mut self, key: KeyEvent) {
        if let Overlay::Palette(palette) = self {
            palette.type_key(key);
        }
    }

    fn update(&mut self, action: Action, cx: &mut PaneCx<'_>) -> Reply {
        match self {
            Overlay::Help { scroll } => match action {
                Action::Down => *scroll = scroll.saturating_add(1),
                Action::Up => *scroll = scroll.saturating_sub(1),
                Action::Cancel | Action::Help => return Reply::ask(Ask::CloseOverlay),
                _ => {}
            },
            Overlay::Palette(palette) => match PaletteState::update(palette, action) {
                PaletteOutcome::Stay => {}
                PaletteOutcome::Close => return Reply::ask(Ask::CloseOverlay),
                PaletteOutcome::Run(action) => {
                    return Reply::ask(Ask::CloseOverlay).and(Ask::Run(action));
                }
            },
            Overlay::Drafts { drafts, selected } => match action {
                Action::Up => *selected = selected.saturating_sub(1),
                Action::Down => *selected = (*selected + 1).min(drafts.len().saturating_sub(1)),
                Action::RestoreDrafts | Action::Discard if *selected < drafts.len() => {
                    let draft = Box::new(drafts.remove(*selected));
                    *selected = (*selected).min(drafts.len().saturating_sub(1));
                    let mut reply = Reply::ask(Ask::ForgetDraft(draft.clone()));
                    if drafts.is_empty() {
                        reply = reply.and(Ask::CloseOverlay);
                    }
                    if action == Action::RestoreDrafts {
                        reply = reply.and(Ask::RestoreDraft(draft));
                    }
                    return reply;
                }
                Action::Cancel => return Reply::ask(Ask::CloseOverlay),
                _ => {}
            },
            Overlay::QuitStaged { .. } => match action {
                Action::Discard => return Reply::ask(Ask::Quit { discard: true }),
                Action::KeepDraft => return Reply::ask(Ask::Quit { discard: false }),
                Action::Cancel | Action::Deny => return Reply::ask(Ask::CloseOverlay),
                _ => {}
            },
            Overlay::QuitRunning { .. } => match action {
                Action::Confirm => return Reply::ask(Ask::QuitPastRunning),
                Action::Deny | Action::Cancel => return Reply::ask(Ask::CloseOverlay),
                _ => {}
            },
            Overlay::ConfirmRevoke => match action {
                Action::Confirm => return Reply::ask(Ask::CloseOverlay).and(Ask::Revoke),
                Action::Deny | Action::Cancel => return Reply::ask(Ask::CloseOverlay),
                _ => {}
            },
            Overlay::ConfirmCopyToken => match action {
                Action::Confirm => {
                    let req = cx.ids.allocate();
                    let job = Job::Session(SessionJob::CopyToken);
                    return Reply::effects(vec![Effect::Spawn { req, job }]).and(Ask::CloseOverlay);
                }
                Action::Deny | Action::Cancel => return Reply::ask(Ask::CloseOverlay),
                _ => {}
            },
        }
        Reply::effects(Vec::new())
    }
}

impl Pane for ProfilesState {
    fn contexts(&self) -> Vec<Context> {
        match &self.mode {
            profiles::Mode::Form(_) => vec![Context::Form],
            profiles::Mode::SecretPrompt { .. } => vec![Context::Prompt],
            profiles::Mode::ConfirmDelete { .. } | profiles::Mode::ConfirmDiscard(_) => {
                vec![Context::Confirm]
            }
            profiles::Mode::List => vec![Context::Profiles, Context::List, Context::Global],
        }
    }

    fn wants_text(&self) -> bool {
        matches!(
            self.mode,
            profiles::Mode::Form(_) | profiles::Mode::SecretPrompt { .. }
        )
    }

    fn type_key(&mut self, key: KeyEvent) {
        ProfilesState::type_key(self, key);
    }

    fn update(&mut self, action: Action, _cx: &mut PaneCx<'_>) -> Reply {
        match ProfilesState::update(self, action) {
            profiles::Reply::Effects(effects) => Reply::effects(effects),
            profiles::Reply::Connect(profile, secret) => Reply::ask(Ask::Connect(profile, secret)),
        }
    }
}

impl Pane for CheckState {
    fn contexts(&self) -> Vec<Context> {
        vec![Context::Check, Context::List, Context::Global]
    }

    fn wants_text(&self) -> bool {
        false
    }

    /// The popup is modal: nothing is typed underneath it.
    fn type_key(&mut self, _key: KeyEvent) {}

    fn update(&mut self, action: Action, cx: &mut PaneCx<'_>) -> Reply {
        match CheckState::update(self, action, cx.unconnected, cx.ids) {
            Some(effects) => Reply::effects(effects),
            None => Reply::unhandled(),
        }
    }

    fn on_outcome(&mut self, req: RequestId, outcome: Outcome, cx: &mut PaneCx<'_>) -> Reply {
        if let Outcome::Check(result) = outcome {
            self.on_done(req, result.map(|r| *r), cx.now);
        }
        Reply::effects(Vec::new())
    }
}

impl Pane for DetailStack {
    fn contexts(&self) -> Vec<Context> {
        self.top().map(|v| v.key_contexts()).unwrap_or_default()
    }

    fn wants_text(&self) -> bool {
        self.top().is_some_and(|v| v.wants_text())
    }

    fn type_key(&mut self, key: KeyEvent) {
        if let Some(view) = self.top_mut()
            && view.wants_text()
        {
            view.type_key(key);
        }
    }

    fn update(&mut self, action: Action, cx: &mut PaneCx<'_>) -> Reply {
        stack_reply(DetailStack::update(self, action, cx.ids))
    }

    fn on_outcome(&mut self, req: RequestId, outcome: Outcome, cx: &mut PaneCx<'_>) -> Reply {
        match outcome {
            Outcome::Record(outcome) => {
                stack_reply(DetailStack::on_outcome(self, req, outcome, cx.ids))
            }
            Outcome::Edited(result) => stack_reply(DetailStack::on_outcome(
                self,
                req,
                crate::state::record_detail::job::RecordOutcome::Edited(result),
                cx.ids,
            )),
            Outcome::Copied(result) => stack_reply(DetailStack::on_outcome(
                self,
                req,
                crate::state::record_detail::job::RecordOutcome::Copied(result),
                cx.ids,
            )),
            _ => Reply::unhandled(),
        }
    }
}

fn stack_reply(reply: StackReply) -> Reply {
    match reply {
        StackReply::Effects(effects) => Reply::effects(effects),
        other => Reply::ask(Ask::Detail(other)),
    }
}

impl Pane for TokenState {
    fn contexts(&self) -> Vec<Context> {
        vec![Context::Token, Context::Global]
    }

    fn wants_text(&self) -> bool {
        false
    }

    fn type_key(&mut self, _key: KeyEvent) {}

    fn update(&mut self, action: Action, cx: &mut PaneCx<'_>) -> Reply {
        Reply::effects(TokenState::update(self, action, cx.ids))
    }

    fn on_outcome(&mut self, req: RequestId, outcome: Outcome, cx: &mut PaneCx<'_>) -> Reply {
        let logged_in = matches!(&outcome, Outcome::Login(Ok(_)));
        // A copy's answer is shown whoever asked (the confirmation popup spawns it).
        if !self.owns(req) && !matches!(outcome, Outcome::Copied(_)) {
            return Reply::effects(Vec::new());
        }
        let reply = Reply::effects(self.on_done(req, outcome, cx.now, cx.ids));
        if logged_in {
            reply.and(Ask::LoggedIn)
        } else {
            reply
        }
    }
}

impl Pane for RecordsState {
    fn contexts(&self) -> Vec<Context> {
        if let Some(contexts) = self
            .import_contexts()
            .or_else(|| self.mass.contexts(self.production))
        {
            contexts
        } else if self.input.is_some() || self.chooser_typing() {
            vec![Context::RecordsInput]
        } else if self.popup.is_some() {
            vec![Context::RecordsPopup, Context::List]
        } else {
            vec![Context::Records, Context::List, Context::Global]
        }
    }

    fn wants_text(&self) -> bool {
        RecordsState::wants_text(self)
    }

    fn type_key(&mut self, key: KeyEvent) {
        if let Some(wizard) = self.import.as_mut() {
            wizard.type_key(key);
        } else if RecordsState::wants_text(self) {
            RecordsState::type_key(self, key);
        }
    }

    fn update(&mut self, action: Action, cx: &mut PaneCx<'_>) -> Reply {
        if cx.viewport > 0 {
            self.viewport = cx.viewport;
        }
        match RecordsState::update(self, action, cx.now, cx.ids) {
            records::Reply::Unhandled => Reply::unhandled(),
            records::Reply::Effects(effects) => Reply::effects(effects),
            records::Reply::Open { object, id } => Reply::ask(Ask::OpenRecord { object, id }),
        }
    }

    fn on_outcome(&mut self, req: RequestId, outcome: Outcome, cx: &mut PaneCx<'_>) -> Reply {
        match outcome {
            Outcome::Records(outcome) if self.owns(req) => {
                Reply::effects(RecordsState::on_outcome(self, req, outcome, cx.ids))
            }
            Outcome::Edited(result) => {
                self.on_mass_edited(req, result);
                Reply::effects(Vec::new())
            }
            Outcome::Import(outcome) => Reply::effects(
                self.import
                    .as_mut()
                    .map(|w| w.on_outcome(req, outcome, cx.now, cx.ids))
                    .unwrap_or_default(),
            ),
            _ => Reply::effects(Vec::new()),
        }
    }
}

impl Pane for ComposerState {
    fn contexts(&self) -> Vec<Context> {
        ComposerState::contexts(self)
    }

    fn wants_text(&self) -> bool {
        ComposerState::wants_text(self)
    }

    fn type_key(&mut self, key: KeyEvent) {
        ComposerState::type_key(self, key);
    }

    /// Multi-line text keeps its line breaks in the body editor.
    fn paste(&mut self, text: &str) {
        ComposerState::paste(self, text);
    }

    fn update(&mut self, action: Action, cx: &mut PaneCx<'_>) -> Reply {
        let commands = ComposerState::update(self, action, cx.profile);
        composer_reply(self, commands, cx)
    }

    fn on_outcome(&mut self, req: RequestId, outcome: Outcome, cx: &mut PaneCx<'_>) -> Reply {
        let outcome = match outcome {
            Outcome::Composer(outcome) => outcome,
            Outcome::Edited(result) if self.editing.take_if(|r| *r == req).is_some() => {
                ComposerOutcome::Edited(result)
            }
            Outcome::Copied(result) if self.copying.take_if(|r| *r == req).is_some() => {
                ComposerOutcome::Copied(result)
            }
            _ => return Reply::unhandled(),
        };
        match outcome {
            ComposerOutcome::Sent { result, entry } => {
                // A send that is no longer awaited (a newer one replaced it) only counts for
                // the history.
                let mut reply = if self.send == Some(req) {
                    let outcome = ComposerOutcome::Sent {
                        result,
                        entry: None,
                    };
                    let commands = ComposerState::on_outcome(self, outcome);
                    composer_reply(self, commands, cx)
                } else {
                    Reply::effects(Vec::new())
                };
                if let Some(entry) = entry {
                    reply.asks.insert(0, Ask::Sent(entry));
                }
                reply
            }
            outcome => {
                let commands = ComposerState::on_outcome(self, outcome);
                composer_reply(self, commands, cx)
            }
        }
    }
}

/// The composer's commands as a reply: jobs spawned (a new send replaces the one in flight),
/// `$EDITOR` opened, and the profile form asked for.
pub(super) fn composer_reply(
    composer: &mut ComposerState,
    commands: Vec<composer::Command>,
    cx: &mut PaneCx<'_>,
) -> Reply {
    let mut reply = Reply::effects(Vec::new());
    for command in commands {
        match command {
            composer::Command::Job(job) => {
                let req = cx.ids.allocate();
                if matches!(job, ComposerJob::Send { .. })
                    && let Some(old) = composer.send.replace(req)
                {
                    reply.effects.push(Effect::Cancel(old));
                }
                let job = Job::Composer(Box::new(job));
                reply.effects.push(Effect::Spawn { req, job });
            }
            composer::Command::Copy(text) => {
                let req = cx.ids.allocate();
                composer.copying = Some(req);
                reply.effects.push(Effect::Copy { req, text });
            }
            composer::Command::Editor(text, extension) => {
                let req = cx.ids.allocate();
                composer.editing = Some(req);
                reply.effects.push(Effect::OpenEditor {
                    req,
                    text,
                    extension,
                });
            }
            // The secret is not carried over: the user picks its source in the form.
            composer::Command::NewProfile(profile, _secret) => {
                reply.asks.push(Ask::NewProfileForm(profile));
            }
        }
    }
    reply
}

impl Pane for HistoryState {
    fn contexts(&self) -> Vec<Context> {
        HistoryState::contexts(self)
    }

    fn wants_text(&self) -> bool {
        matches!(self.mode, history::Mode::Filter(_))
    }

    fn type_key(&mut self, key: KeyEvent) {
        HistoryState::type_key(self, key);
    }

    fn update(&mut self, action: Action, cx: &mut PaneCx<'_>) -> Reply {
        let commands = HistoryState::update(self, action, cx.profiles);
        history_reply(commands, cx)
    }

    fn on_outcome(&mut self, _req: RequestId, outcome: Outcome, _cx: &mut PaneCx<'_>) -> Reply {
        let Outcome::History(outcome) = outcome else {
            return Reply::unhandled();
        };
        let mut reply = Reply::effects(Vec::new());
        match outcome {
            HistoryOutcome::Replayed { result, entry } => {
                if let Some(entry) = entry {
                    reply = reply.and(Ask::Sent(entry));
                }
                HistoryState::on_outcome(
                    self,
                    HistoryOutcome::Replayed {
                        result,
                        entry: None,
                    },
                );
            }
            outcome => HistoryState::on_outcome(self, outcome),
        }
        reply
    }
}

/// The history's commands as a reply: jobs spawned, requests opened in the Composer.
pub(super) fn history_reply(commands: Vec<history::Command>, cx: &mut PaneCx<'_>) -> Reply {
    let mut reply = Reply::effects(Vec::new());
    for command in commands {
        match command {
            history::Command::Job(job) => {
                let req = cx.ids.allocate();
                reply.effects.push(Effect::Spawn {
                    req,
                    job: Job::History(job),
                });
            }
            history::Command::Open(request) => {
                reply.asks.push(Ask::OpenRequest(request));
            }
        }
    }
    reply
}
