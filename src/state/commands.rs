//! Actions that no popup took: routed to the pane that owns them (see
//! [`crate::action::Owner`]) or the app's own (quit, help, focus, tabs, cancel).

use super::*;

impl Model {
    /// An action outside any popup: the detail view and the Records list first when they have
    /// the keys, then the pane that owns the action (declared with the action).
    pub(super) fn run_command(&mut self, action: Action) -> Vec<Effect> {
        let owner = action.owner();
        // The detail view takes every action but the app's, and those too while its editor
        // is open.
        if let Some(view) = self.detail_in_focus()
            && (owner != Owner::App || view.popup.is_some())
        {
            return self
                .pane_update(InputTarget::Detail, action)
                .unwrap_or_default();
        }
        if owner == Owner::Records {
            self.tab = Tab::Records;
            self.focus = Focus::Main;
            self.records.production = self.is_production();
        }
        if self.records_active() {
            match self.pane_update(InputTarget::Records, action) {
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
            Owner::Profiles => self
                .pane_update(InputTarget::Profiles, action)
                .unwrap_or_default(),
            // Revoking ends the session (and a browser login's refresh token): it asks first.
            Owner::Token if action == Action::RevokeToken && self.token.can_revoke() => {
                self.overlay = Some(Overlay::ConfirmRevoke);
                Vec::new()
            }
            Owner::Token if action == Action::CopyToken => {
                if self.token.session.is_some() {
                    self.overlay = Some(Overlay::ConfirmCopyToken);
                } else {
                    self.token.note = Some("No token to copy: connect first.".into());
                }
                Vec::new()
            }
            Owner::Token => self
                .pane_update(InputTarget::Token, action)
                .unwrap_or_default(),
            Owner::Check => {
                let unconnected = self.check_target();
                let effects = self.check.open_and_run(unconnected.as_ref(), &mut self.ids);
                self.track(effects)
            }
            // Open, find and copy as curl are the Log tab's too.
            Owner::Composer
                if self.tab == Tab::Log
                    && self.focus == Focus::Main
                    && matches!(action, Action::OpenItem | Action::Find | Action::ExportCurl) =>
            {
                self.pane_update(InputTarget::Log, action)
                    .unwrap_or_default()
            }
            // Open and find are the History tab's too.
            Owner::Composer
                if self.tab == Tab::History
                    && matches!(action, Action::OpenItem | Action::Find) =>
            {
                self.pane_update(InputTarget::History, action)
                    .unwrap_or_default()
            }
            Owner::Composer => {
                // Keys reach here only on the Composer tab; the palette from anywhere, so
                // show the tab first.
                let mut effects = self.show_tab(Tab::Composer);
                effects.extend(
                    self.pane_update(InputTarget::Composer, action)
                        .unwrap_or_default(),
                );
                effects
            }
            Owner::History if self.tab == Tab::History && self.focus == Focus::Main => self
                .pane_update(InputTarget::History, action)
                .unwrap_or_default(),
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
            // From the palette: the same questions as the key.
            Action::Quit => self.ask_to_quit(),
            Action::Help => {
                self.overlay = Some(Overlay::Help { scroll: 0 });
                Vec::new()
            }
            Action::CommandPalette => {
                self.overlay = Some(Overlay::Palette(PaletteState::default()));
                Vec::new()
            }
            Action::FocusNext | Action::FocusPrev if !self.side_panes_shown() => Vec::new(),
            Action::FocusNext => {
                self.focus = self.focus.step(1);
                Vec::new()
            }
            Action::FocusPrev => {
                self.focus = self.focus.step(-1);
                Vec::new()
            }
            Action::FocusProfiles => {
                self.show_side_panes();
                self.focus = Focus::Profiles;
                Vec::new()
            }
            Action::FocusToken => {
                self.show_side_panes();
                self.focus = Focus::Token;
                Vec::new()
            }
            Action::ToggleSidebar => {
                self.toggle_side_panes();
                Vec::new()
            }
            Action::TabRecords => self.show_tab(Tab::Records),
            Action::TabComposer => self.show_tab(Tab::Composer),
            Action::TabHistory => self.show_tab(Tab::History),
            Action::TabLog => self.show_tab(Tab::Log),
            _ => Vec::new(),
        }
    }

    /// Moving in the focused list, and esc: cancel what is in flight, else clear what the
    /// focused Composer or History applied (a filter, a find). Answers and form keys mean
    /// nothing outside their popup.
    pub(super) fn focused_action(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Up
            | Action::Down
            | Action::Top
            | Action::Bottom
            | Action::PageUp
            | Action::PageDown => {
                let target = match (self.focus, self.tab) {
                    (Focus::Profiles, _) => InputTarget::Profiles,
                    (Focus::Main, Tab::Composer) => InputTarget::Composer,
                    (Focus::Main, Tab::History) => InputTarget::History,
                    (Focus::Main, Tab::Log) => InputTarget::Log,
                    _ => return Vec::new(),
                };
                self.pane_update(target, action).unwrap_or_default()
            }
            Action::Cancel => {
                let mut effects = self.token.cancel();
                if let Some(send) = self.composer.send.take() {
                    self.composer.note = Some("Cancelled.".into());
                    effects.push(Effect::Cancel(send));
                }
                if effects.is_empty() {
                    self.notice = None;
                    let target = match (self.focus, self.tab) {
                        (Focus::Main, Tab::Composer) => InputTarget::Composer,
                        (Focus::Main, Tab::History) => InputTarget::History,
                        (Focus::Main, Tab::Log) => InputTarget::Log,
                        _ => return effects,
                    };
                    return self.pane_update(target, action).unwrap_or_default();
                }
                for effect in &effects {
                    if let Effect::Cancel(req) = effect {
                        self.inflight.remove(req);
                        self.retrying.remove(req);
                    }
                }
                effects
            }
            _ => Vec::new(),
        }
    }
}
