//! The 412 conflict view: the server's version beside mine, reload, overwrite or discard.

use crate::action::Action;
use crate::effect::{Effect, RequestIds};
use crate::state::record_detail::job::{LoadedRecord, RecordJob};

use super::{DetailReply, Pending, Popup, RecordDetailState};

/// The 412 view: the server's current version next to mine and the opened one.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    /// The server's current record (None while it loads).
    pub server: Option<Box<LoadedRecord>>,
    pub error: Option<String>,
}

impl RecordDetailState {
    pub(super) fn update_conflict(
        &mut self,
        conflict: Conflict,
        action: Action,
        ids: &mut RequestIds,
    ) -> DetailReply {
        match action {
            Action::Cancel => {
                self.note = Some(format!(
                    "{} staged change{} kept. ctrl-s saves (and checks again).",
                    self.staged.len(),
                    if self.staged.len() == 1 { "" } else { "s" }
                ));
                DetailReply::none()
            }
            Action::ConflictReload | Action::Discard => {
                let Some(server) = conflict.server.clone() else {
                    // Still loading or failed: fetch again.
                    self.popup = Some(Popup::Conflict(Conflict {
                        server: None,
                        error: None,
                    }));
                    return DetailReply::Effects(self.fetch_conflict(ids));
                };
                self.apply_loaded(*server);
                if action == Action::Discard {
                    self.staged.clear();
                    self.note =
                        Some("Your changes were discarded; showing the server's version.".into());
                } else {
                    self.note = Some(format!(
                        "Reloaded the server's version; your {} change{} are re-applied (staged). ctrl-s saves.",
                        self.staged.len(),
                        if self.staged.len() == 1 { " is" } else { "s" }
                    ).replace(" is are", " is"));
                }
                DetailReply::none()
            }
            Action::ConflictOverwrite => {
                self.note = None;
                DetailReply::Effects(self.save(ids, false))
            }
            _ => {
                self.popup = Some(Popup::Conflict(conflict));
                DetailReply::none()
            }
        }
    }

    pub(super) fn fetch_conflict(&mut self, ids: &mut RequestIds) -> Vec<Effect> {
        let Some(id) = self.id().map(str::to_string) else {
            return Vec::new();
        };
        let object = self.object.clone();
        self.spawn(ids, Pending::ConflictFetch, RecordJob::Load { object, id })
    }
}
