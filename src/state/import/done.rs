//! The wizard's last step: the summary, the failed rows, and the list filtered to the
//! records the import saved.

use super::{Exit, ImportWizard, MAX_FILTER_IDS};
use crate::action::Action;
use crate::effect::Effect;
use crate::sf::ingest::IngestOperation;

impl ImportWizard {
    pub(super) fn update_done(&mut self, action: Action) -> (Vec<Effect>, Option<Exit>) {
        let failures = self.written.as_ref().map_or(0, |w| w.failed_rows.len());
        match action {
            Action::Cancel | Action::ImportBack if self.failures_open => {
                self.failures_open = false;
            }
            Action::Cancel | Action::Submit => return (Vec::new(), Some(Exit::Close)),
            Action::ShowFailures => {
                if failures == 0 {
                    self.notice = Some("No row failed.".into());
                } else {
                    self.failures_open = true;
                    self.cursor = 0;
                }
            }
            Action::Up if self.failures_open => self.cursor = self.cursor.saturating_sub(1),
            Action::Down if self.failures_open => {
                self.cursor = (self.cursor + 1).min(failures.saturating_sub(1));
            }
            Action::PageUp if self.failures_open => self.cursor = self.cursor.saturating_sub(5),
            Action::PageDown if self.failures_open => {
                self.cursor = (self.cursor + 5).min(failures.saturating_sub(1));
            }
            Action::FilterImported => return (Vec::new(), self.filter_exit()),
            _ => {}
        }
        (Vec::new(), None)
    }

    /// The list filtered to the records saved, when it can be.
    fn filter_exit(&mut self) -> Option<Exit> {
        let ids = self.written.as_ref().map(|w| w.saved_ids.clone())?;
        let why_not = if self.operation == IngestOperation::Delete {
            Some("Deleted records are not in the list any more.".to_owned())
        } else if ids.is_empty() {
            Some("No record was saved.".to_owned())
        } else if ids.len() > MAX_FILTER_IDS {
            Some(format!(
                "{} records were saved: too many to filter the list by Id (at most \
                 {MAX_FILTER_IDS}); the success file lists them.",
                ids.len()
            ))
        } else {
            None
        };
        match why_not {
            Some(why) => {
                self.notice = Some(why);
                None
            }
            None => Some(Exit::Filter {
                object: self.object.clone(),
                ids,
            }),
        }
    }
}

/// `Id IN ('001…','001…')`: the WHERE clause of the records an import saved.
pub fn id_filter(ids: &[String]) -> String {
    let quoted: Vec<String> = ids.iter().map(|id| format!("'{id}'")).collect();
    format!("Id IN ({})", quoted.join(","))
}
