//! Showing a tab (reading its files the first time), the Composer's and History's commands
//! and results, and what every send does (a history entry; the lists reload after a write).

use super::pane::PaneCx;
use super::panes;
use super::*;
use crate::requests::history::HistoryEntry;

impl Model {
    pub(super) fn profile_name(&self) -> Option<String> {
        self.token.session.as_ref().map(|s| s.profile.clone())
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
                self.load_composer()
            }
            Tab::History if !self.history.loaded => {
                let commands = self.history.load();
                let mut cx = PaneCx::bare(&mut self.ids, self.now);
                let reply = panes::history_reply(commands, &mut cx);
                self.apply(reply)
            }
            _ => Vec::new(),
        }
    }

    /// A request was sent (composer or replay): it joins the history, and a write may have
    /// changed records, so the lists reload when next shown (at once when shown now).
    pub(super) fn record_send(&mut self, entry: HistoryEntry) -> Vec<Effect> {
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

    /// Reads the saved requests and the profile's variables (the Composer's first show, or
    /// after the profile changed).
    pub(super) fn load_composer(&mut self) -> Vec<Effect> {
        let profile = self.profile_name();
        let commands = self.composer.load(profile.as_deref());
        let mut cx = PaneCx::bare(&mut self.ids, self.now);
        let reply = panes::composer_reply(&mut self.composer, commands, &mut cx);
        self.apply(reply)
    }

    /// An entry of the History tab opens in the Composer with its response (the saved
    /// requests are read first if they never were).
    pub(super) fn open_request(&mut self, entry: &HistoryEntry) -> Vec<Effect> {
        self.composer.open(entry);
        self.tab = Tab::Composer;
        if self.composer.loaded {
            return Vec::new();
        }
        self.load_composer()
    }
}
