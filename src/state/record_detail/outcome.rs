//! Writes and their answers: the save (PATCH or POST), whether a write is in flight, and every
//! job result applied to the view.

use serde_json::{Map, Value};

use crate::effect::{Effect, RequestId, RequestIds};
use crate::state::record_detail::job::{LoadedRecord, RecordJob, RecordOutcome, WriteFailure};

use super::{
    Conflict, DetailReply, Pending, Popup, Problem, RecordChange, RecordDetailState, Status,
};

impl RecordDetailState {
    /// Saves the staged changes: PATCH (with the precondition unless `checked` is false) or POST.
    pub(super) fn save(&mut self, ids: &mut RequestIds, checked: bool) -> Vec<Effect> {
        let fields: Map<String, Value> = self.staged.clone().into_iter().collect();
        self.problem = None;
        match self.id().map(str::to_string) {
            Some(id) => {
                let job = RecordJob::Save {
                    object: self.object.clone(),
                    id,
                    fields,
                    if_unmodified_since: if checked { self.opened_at } else { None },
                };
                self.spawn(ids, Pending::Save, job)
            }
            None => {
                let job = RecordJob::Create {
                    object: self.object.clone(),
                    fields,
                };
                self.spawn(ids, Pending::Create, job)
            }
        }
    }

    /// Whether a save, create or delete is in flight.
    pub fn is_writing(&self) -> bool {
        self.pending
            .iter()
            .any(|(_, p)| matches!(p, Pending::Save | Pending::Create | Pending::Delete))
    }

    pub(super) fn apply_loaded(&mut self, loaded: LoadedRecord) {
        let describe = loaded.describe;
        self.record = loaded.fields;
        self.opened_at = loaded.last_modified;
        self.names = loaded.names;
        self.set_describe(describe);
        self.status = Status::Ready;
    }

    /// A job result; the caller checked [`RecordDetailState::owns`].
    pub fn on_outcome(
        &mut self,
        req: RequestId,
        outcome: RecordOutcome,
        ids: &mut RequestIds,
    ) -> DetailReply {
        let Some(at) = self.pending.iter().position(|(r, _)| *r == req) else {
            return DetailReply::none();
        };
        let (_, what) = self.pending.remove(at);
        match (what, outcome) {
            (Pending::Load, RecordOutcome::Loaded(result)) => match result {
                Ok(loaded) => {
                    // A restored draft keeps the version its edits were made on.
                    let base = if self.staged.is_empty() {
                        None
                    } else {
                        self.opened_at
                    };
                    self.apply_loaded(*loaded);
                    if base.is_some() {
                        self.opened_at = base;
                    }
                }
                Err(e) => self.status = Status::Failed(e),
            },
            (Pending::Describe, RecordOutcome::Described(result)) => match result {
                Ok(describe) => {
                    self.set_describe(describe);
                    self.status = Status::Ready;
                }
                Err(e) => self.status = Status::Failed(e),
            },
            (Pending::ConflictFetch, RecordOutcome::Loaded(result)) => {
                if let Some(Popup::Conflict(conflict)) = &mut self.popup {
                    match result {
                        Ok(loaded) => {
                            conflict.server = Some(loaded);
                            conflict.error = None;
                        }
                        Err(e) => conflict.error = Some(e),
                    }
                }
            }
            (Pending::Save, RecordOutcome::Saved(result)) => match result {
                Ok(()) => {
                    let fields: Map<String, Value> =
                        std::mem::take(&mut self.staged).into_iter().collect();
                    for (k, v) in &fields {
                        self.record.insert(k.clone(), v.clone());
                    }
                    self.note = Some(format!(
                        "Saved {} field{}.",
                        fields.len(),
                        if fields.len() == 1 { "" } else { "s" }
                    ));
                    let id = self.id().unwrap_or_default().to_string();
                    // Reload for the new Last-Modified and server-computed fields.
                    let effects = self.load(ids);
                    self.status = Status::Ready;
                    return DetailReply::Changed(RecordChange::Saved {
                        object: self.object.clone(),
                        id,
                        effects,
                    });
                }
                Err(WriteFailure::Conflict) => {
                    self.popup = Some(Popup::Conflict(Conflict {
                        server: None,
                        error: None,
                    }));
                    return DetailReply::Effects(self.fetch_conflict(ids));
                }
                Err(WriteFailure::Failed { message, fields }) => {
                    self.problem = Some(Problem { message, fields });
                }
            },
            (Pending::Create, RecordOutcome::Created(result)) => match result {
                Ok(id) => {
                    self.staged.clear();
                    let (mut state, effects) =
                        RecordDetailState::open(self.object.clone(), id, ids);
                    state.production = self.production;
                    state.instance_url = self.instance_url.clone();
                    state.note = Some(format!("Created {}.", self.object));
                    return DetailReply::Created(Box::new(state), effects);
                }
                Err(WriteFailure::Failed { message, fields }) => {
                    self.problem = Some(Problem { message, fields });
                }
                Err(WriteFailure::Conflict) => {
                    self.problem = Some(Problem {
                        message: "The server refused the create (412).".into(),
                        fields: Vec::new(),
                    });
                }
            },
            (Pending::Delete, RecordOutcome::Deleted(result)) => match result {
                Ok(()) => {
                    self.staged.clear();
                    return DetailReply::Changed(RecordChange::Deleted {
                        object: self.object.clone(),
                        id: self.id().unwrap_or_default().to_string(),
                    });
                }
                Err(WriteFailure::Failed { message, fields }) => {
                    self.problem = Some(Problem { message, fields });
                }
                Err(WriteFailure::Conflict) => {}
            },
            (Pending::Search, RecordOutcome::Found(result)) => {
                if let Some(Popup::Editor(editor)) = &mut self.popup {
                    editor.on_found(result);
                }
            }
            (Pending::Edit, RecordOutcome::Edited(result)) => {
                if let Some(Popup::Editor(editor)) = &mut self.popup {
                    editor.take_edited(result);
                }
            }
            (Pending::Copy, RecordOutcome::Copied(Err(e))) => {
                self.note = Some(format!("Could not copy: {e}"));
            }
            (Pending::Open, RecordOutcome::Opened(Err(e))) => {
                self.note = Some(e);
            }
            _ => {}
        }
        DetailReply::none()
    }
}
