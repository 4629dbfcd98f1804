//! Actions that no pane popup took: an overlay's, the app's own (quit, help, focus, tabs) and
//! those routed to the pane that owns them (see [`crate::action::Owner`]).

use super::*;

impl Model {
    /// An action while an overlay has the keys: only the overlay gets it.
    pub(super) fn overlay_update(&mut self, action: Action) -> Vec<Effect> {
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

    /// An action outside any popup: the detail view and the Records list first when they have
    /// the keys, then the pane that owns the action (declared with the action).
    pub(super) fn run_command(&mut self, action: Action) -> Vec<Effect> {
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
    pub(super) fn app_action(&mut self, action: Action) -> Vec<Effect> {
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
    pub(super) fn focused_action(&mut self, action: Action) -> Vec<Effect> {
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
}
