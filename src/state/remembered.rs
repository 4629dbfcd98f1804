//! Choices that survive a restart: the tab and the Records object last shown, and the columns
//! chosen per object. Pure: the runtime reads the file at start ([`Model::restore_choices`])
//! and writes it when [`Model::sync_choices`] asks with [`Effect::RememberChoices`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Model, Tab};
use crate::effect::Effect;

/// What the choices file (`ui-state.json` in the data directory) holds.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Choices {
    /// The tab shown last: `"records"`, `"composer"`, `"history"` or `"log"`.
    pub tab: Option<String>,
    /// The Records object shown last, as named (`"Contact"`).
    pub object: Option<String>,
    /// The columns chosen with the column chooser, by object as named.
    pub columns: BTreeMap<String, Vec<String>>,
}

impl Tab {
    /// The tab's name in the choices file.
    pub fn key(self) -> &'static str {
        match self {
            Tab::Records => "records",
            Tab::Composer => "composer",
            Tab::History => "history",
            Tab::Log => "log",
        }
    }

    /// The tab of a name in the choices file.
    pub fn from_key(key: &str) -> Option<Tab> {
        Tab::ALL.into_iter().find(|t| t.key() == key)
    }
}

impl Model {
    /// The choices as they are now.
    pub fn choices(&self) -> Choices {
        Choices {
            tab: Some(self.tab.key().to_owned()),
            object: Some(self.records.view().object.clone()),
            columns: self.records.chosen_columns(),
        }
    }

    /// Applies the choices of an earlier run (the tab is shown without taking the keys from
    /// the profiles) and from now on asks for the file to be written when they change.
    pub fn restore_choices(&mut self, choices: Choices) -> Vec<Effect> {
        for (object, columns) in choices.columns {
            self.records.choose_columns(&object, columns);
        }
        if let Some(object) = &choices.object {
            self.records.show_object(object);
        }
        let focus = self.focus;
        let effects = match choices.tab.as_deref().and_then(Tab::from_key) {
            Some(tab) => self.show_tab(tab),
            None => Vec::new(),
        };
        self.focus = focus;
        self.written_choices = Some(self.choices());
        effects
    }

    /// Adds [`Effect::RememberChoices`] when the choices changed since last written (only
    /// once [`Model::restore_choices`] ran: without a data directory nothing is remembered).
    pub(super) fn sync_choices(&mut self, mut effects: Vec<Effect>) -> Vec<Effect> {
        let Some(written) = &self.written_choices else {
            return effects;
        };
        let now = self.choices();
        if *written != now {
            self.written_choices = Some(now.clone());
            effects.push(Effect::RememberChoices(now));
        }
        effects
    }
}
