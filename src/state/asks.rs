//! The cross-pane rules: what the model does for each [`Ask`] a pane returns. Each is one
//! named method, here or beside the panes it joins (`records_tab.rs`, `tabs.rs`).

use super::pane::Ask;
use super::*;

impl Model {
    /// Quit (a key, or the palette): asks about an import under way, then about staged edits;
    /// quit again on either question goes on past it (staged edits stay drafts).
    pub(super) fn ask_to_quit(&mut self) -> Vec<Effect> {
        match self.overlay {
            Some(Overlay::QuitStaged { .. }) => self.answer(Ask::Quit { discard: false }),
            Some(Overlay::QuitRunning { .. }) => self.quit_past_running(),
            _ => match self.records.import_unfinished_jobs() {
                0 => self.quit_past_running(),
                jobs => {
                    self.overlay = Some(Overlay::QuitRunning { jobs });
                    Vec::new()
                }
            },
        }
    }

    /// Quitting once no import needs asking about: staged edits are asked about first (discard,
    /// keep as a draft, stay), else sfterm quits.
    pub(super) fn quit_past_running(&mut self) -> Vec<Effect> {
        let staged = self.detail.staged_count() + usize::from(self.records.mass.staged.is_some());
        if staged > 0 {
            self.overlay = Some(Overlay::QuitStaged { count: staged });
            return Vec::new();
        }
        self.answer(Ask::Quit { discard: false })
    }

    /// Carries out what a pane asked.
    pub(super) fn answer(&mut self, ask: Ask) -> Vec<Effect> {
        match ask {
            Ask::CloseOverlay => {
                self.overlay = None;
                Vec::new()
            }
            Ask::Run(action) => self.run_command(action),
            Ask::Revoke => self
                .pane_update(InputTarget::Token, Action::RevokeToken)
                .unwrap_or_default(),
            Ask::RestoreDraft(draft) => self.restore_draft(&draft),
            Ask::ForgetDraft(draft) => {
                if let Some(at) = self.kept_drafts.iter().position(|d| *d == *draft) {
                    self.kept_drafts.remove(at);
                }
                Vec::new()
            }
            Ask::QuitPastRunning => self.quit_past_running(),
            Ask::Quit { discard } => {
                if discard {
                    self.detail.discard_all();
                    self.records.mass.staged = None;
                }
                self.overlay = None;
                self.quit = true;
                vec![Effect::Quit]
            }
            Ask::Connect(profile, secret) => self.connect(profile, secret),
            Ask::OpenRecord { object, id } => self.open_record(&object, &id),
            Ask::OpenRequest(entry) => self.open_request(&entry),
            Ask::NewProfileForm(profile) => {
                self.new_profile_form(&profile);
                Vec::new()
            }
            Ask::Sent(entry) => self.record_send(*entry),
            Ask::Detail(reply) => self.on_stack_reply(reply),
            Ask::LoggedIn => self.detail_views_follow_the_session(),
        }
    }

    /// Starts logging in with `profile`: the token pane waits for it, focus on the profiles.
    fn connect(
        &mut self,
        profile: Box<Profile>,
        prompted_secret: Option<secrecy::SecretString>,
    ) -> Vec<Effect> {
        let req = self.ids.allocate();
        let mut effects = self.token.start_connect(&profile.name, req);
        self.focus = Focus::Profiles;
        effects.push(Effect::Spawn {
            req,
            job: Job::Connect {
                profile,
                prompted_secret,
            },
        });
        self.track(effects)
    }

    /// A draft offered at start opens in a detail view with its edits staged.
    fn restore_draft(&mut self, draft: &Draft) -> Vec<Effect> {
        if draft.mass.is_some() {
            return self.restore_mass_edit(draft);
        }
        let connected = self.token.session.is_some();
        let (mut view, effects) = RecordDetailState::from_draft(draft, connected, &mut self.ids);
        self.prepare_view(&mut view);
        self.detail.push(view);
        self.tab = Tab::Records;
        self.focus = Focus::Main;
        self.track(effects)
    }

    /// The profile form on a new profile (a Postman environment import). The secret is not
    /// carried over: the user picks its source in the form (and types it only when choosing
    /// "plain" or at connect time).
    fn new_profile_form(&mut self, profile: &Profile) {
        let mut form = profiles::ProfileForm::edit(profile);
        form.original_name = None;
        form.forget_secret();
        self.profiles.mode = profiles::Mode::Form(Box::new(form));
        self.focus = Focus::Profiles;
    }

    /// A login succeeded: open detail views get the instance and production guard of the
    /// new session, and those waiting for a connection load.
    fn detail_views_follow_the_session(&mut self) -> Vec<Effect> {
        let instance = self.token.session.as_ref().map(|s| s.instance_url.clone());
        let production = self.is_production();
        for view in &mut self.detail.views {
            view.instance_url.clone_from(&instance);
            view.production = production;
        }
        let effects = self.detail.connected(&mut self.ids);
        self.track(effects)
    }
}
