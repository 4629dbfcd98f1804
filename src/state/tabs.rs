//! Showing a tab (reading its files the first time), the Composer's and History's commands
//! and results, and what every send does (a history entry; the lists reload after a write).

use super::*;

impl Model {
    pub(super) fn profile_name(&self) -> Option<String> {
        self.token.session.as_ref().map(|s| s.profile.clone())
    }

    pub(super) fn composer_update(&mut self, action: Action) -> Vec<Effect> {
        let profile = self.profile_name();
        let commands = self.composer.update(action, profile.as_deref());
        self.composer_commands(commands)
    }

    pub(super) fn composer_commands(&mut self, commands: Vec<composer::Command>) -> Vec<Effect> {
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

    pub(super) fn history_update(&mut self, action: Action) -> Vec<Effect> {
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
    pub(super) fn show_tab(&mut self, tab: Tab) -> Vec<Effect> {
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

    pub(super) fn on_composer_outcome(
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

    pub(super) fn on_history_outcome(&mut self, outcome: history::HistoryOutcome) -> Vec<Effect> {
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
    pub(super) fn record_send(
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
}
