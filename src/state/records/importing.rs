//! The import wizard over the list: opening it on the current object, giving it the keys,
//! and its end (closed, or the list filtered to the records it saved).

use jiff::Timestamp;

use super::{Filter, RecordsState, Reply};
use crate::action::Action;
use crate::effect::{Effect, RequestIds};
use crate::keymap::Context;
use crate::state::import::{Exit, ImportWizard, id_filter};

impl RecordsState {
    /// `I`: the wizard on the current object.
    pub(super) fn open_import(&mut self) -> Vec<Effect> {
        if self.profile.is_none() {
            self.notice = Some("Connect a profile first.".into());
            return Vec::new();
        }
        let object = self.view().object.clone();
        let describe = self.describe(&object).cloned();
        self.import = Some(Box::new(ImportWizard::new(
            &object,
            describe,
            self.production,
            "",
        )));
        Vec::new()
    }

    /// The key contexts while the wizard is open.
    pub fn import_contexts(&self) -> Option<Vec<Context>> {
        let wizard = self.import.as_ref()?;
        Some(if wizard.confirm.is_some() {
            vec![Context::Confirm]
        } else if wizard.wants_text() {
            vec![Context::RecordsImportInput]
        } else {
            vec![Context::RecordsImport, Context::List]
        })
    }

    /// The jobs of an import under way that Salesforce has not finished (0: none under way).
    pub fn import_unfinished_jobs(&self) -> usize {
        self.import
            .as_ref()
            .and_then(|w| w.unfinished_jobs())
            .unwrap_or(0)
    }

    pub(super) fn update_import(
        &mut self,
        action: Action,
        now: Timestamp,
        ids: &mut RequestIds,
    ) -> Reply {
        let Some(wizard) = self.import.as_mut() else {
            return Reply::Unhandled;
        };
        if action == Action::Quit {
            return Reply::Unhandled;
        }
        let (mut effects, exit) = wizard.update(action, now, ids);
        match exit {
            None => {}
            Some(Exit::Close) => self.import = None,
            Some(Exit::Filter { object, ids: saved }) => {
                self.import = None;
                if self.view().object.eq_ignore_ascii_case(&object) {
                    let view = self.view_mut();
                    view.filter = Filter::Where(id_filter(&saved));
                    view.show_object_columns();
                    self.notice = Some(format!(
                        "The {} records just imported (w edits the filter).",
                        saved.len()
                    ));
                    effects.extend(self.reload(ids));
                }
            }
        }
        Reply::Effects(effects)
    }
}
