//! Creating, renaming, duplicating and deleting saved requests, and taking them back with `u`:
//! each change's save or delete comes back with what it was ([`Change`]), and a change that
//! went through is kept as an [`Undo`] (a deleted request with its content, to write again).

use crate::requests::request::SavedRequest;
use crate::requests::store::slug;
use crate::state::composer::job::{Change, ComposerJob, Undo};

use super::{Command, ComposerState, full_name, new_draft};

/// How many changes `u` can take back.
const UNDO_DEPTH: usize = 50;

/// Whether `a` and `b` are stored in the same file (same folder, same file name).
pub(super) fn same_file(a: &SavedRequest, b: &SavedRequest) -> bool {
    a.folder == b.folder && slug(&a.name) == slug(&b.name)
}

impl ComposerState {
    /// Whether another saved request than `except` is stored where `request` would be.
    pub(super) fn is_taken(&self, request: &SavedRequest, except: Option<&SavedRequest>) -> bool {
        self.requests
            .iter()
            .any(|r| same_file(r, request) && !except.is_some_and(|e| same_file(e, r)))
    }

    /// The saved request stored where `request` is (its latest saved content).
    fn stored(&self, request: &SavedRequest) -> Option<&SavedRequest> {
        self.requests.iter().find(|r| same_file(r, request))
    }

    fn remember(&mut self, step: Undo) {
        self.undo.push(step);
        if self.undo.len() > UNDO_DEPTH {
            self.undo.remove(0);
        }
    }

    /// `u`: takes back the last create, rename, duplicate or delete (through a save or a
    /// delete job; the note says what was undone when it is done).
    pub(super) fn undo_last(&mut self) -> Vec<Command> {
        let Some(step) = self.undo.pop() else {
            self.note = Some("Nothing to undo.".into());
            return Vec::new();
        };
        let change = Some(Change::Undo(Box::new(step.clone())));
        let job = match &step {
            Undo::Created(r) | Undo::Duplicated(r) => ComposerJob::Delete {
                request: self.stored(r).cloned().unwrap_or_else(|| r.clone()),
                change: Change::Undo(Box::new(step.clone())),
            },
            Undo::Renamed { from, to } => {
                let current = self.stored(to).cloned().unwrap_or_else(|| to.clone());
                let mut back = current.clone();
                back.name.clone_from(&from.name);
                back.folder.clone_from(&from.folder);
                if self.is_taken(&back, Some(&current)) {
                    return self.cannot_undo(step.clone(), &back);
                }
                ComposerJob::Save {
                    request: back,
                    replaces: Some(current),
                    change,
                }
            }
            Undo::Deleted(r) => {
                if self.is_taken(r, None) {
                    return self.cannot_undo(step.clone(), r);
                }
                ComposerJob::Save {
                    request: r.clone(),
                    replaces: None,
                    change,
                }
            }
        };
        vec![Command::Job(job)]
    }

    /// Another request is where the undo would write: nothing is overwritten; the step stays.
    fn cannot_undo(&mut self, step: Undo, blocked: &SavedRequest) -> Vec<Command> {
        self.note = Some(format!(
            "Not undone ({}): a request '{}' is saved there now.",
            step.describe(),
            full_name(blocked)
        ));
        self.undo.push(step);
        Vec::new()
    }

    /// A save finished: the tree shows it (a renamed request once), the draft is it (unless
    /// an undo wrote another request), and a change is kept to undo.
    pub(super) fn on_saved(
        &mut self,
        result: Result<SavedRequest, String>,
        change: Option<Change>,
    ) {
        let request = match result {
            Ok(request) => request,
            Err(e) => {
                self.note = Some(match change {
                    Some(Change::Undo(step)) => {
                        let note = format!("Not undone ({}): {e}", step.describe());
                        self.undo.push(*step);
                        note
                    }
                    _ => format!("Not saved: {e}"),
                });
                return;
            }
        };
        // The file a rename (or its undo) removed leaves the tree.
        let removed = match &change {
            Some(Change::Rename(from)) => Some(from.as_ref().clone()),
            Some(Change::Undo(step)) => match step.as_ref() {
                Undo::Renamed { to, .. } => Some(to.clone()),
                _ => None,
            },
            _ => None,
        };
        if let Some(gone) = &removed
            && !same_file(gone, &request)
        {
            self.requests.retain(|r| !same_file(r, gone));
        }
        self.requests.retain(|r| !same_file(r, &request));
        self.requests.push(request.clone());
        self.requests
            .sort_by(|a, b| (&a.folder, &a.name).cmp(&(&b.folder, &b.name)));
        let name = full_name(&request);
        match change {
            Some(Change::Undo(step)) => {
                let was_open = removed
                    .as_ref()
                    .zip(self.original.as_ref())
                    .is_some_and(|(gone, open)| same_file(gone, open));
                if was_open {
                    // The renamed request is open: it has its old name again.
                    self.draft.name.clone_from(&request.name);
                    self.draft.folder.clone_from(&request.folder);
                    self.original = Some(request.clone());
                } else if self.original.is_none() && !self.is_dirty() {
                    // Nothing open (it was deleted): the restored request opens again.
                    self.draft = request.clone();
                    self.original = Some(request.clone());
                }
                self.note = Some(format!("Undid: {}", step.describe()));
            }
            change => {
                // The draft may have changed while the file was written: keep it.
                self.original = Some(request.clone());
                self.note = Some(match change {
                    Some(Change::Create) => {
                        self.remember(Undo::Created(request.clone()));
                        format!("Created '{name}' · u undoes.")
                    }
                    Some(Change::Duplicate) => {
                        self.remember(Undo::Duplicated(request.clone()));
                        format!("Duplicated as '{name}' · u undoes.")
                    }
                    Some(Change::Rename(from)) if !same_file(&from, &request) => {
                        let note =
                            format!("Renamed '{}' to '{name}' · u undoes.", full_name(&from));
                        self.remember(Undo::Renamed {
                            from: *from,
                            to: request.clone(),
                        });
                        note
                    }
                    _ => format!("Saved \"{name}\"."),
                });
            }
        }
        self.select_request(&request);
    }

    /// A delete finished: the request leaves the tree (and the editor, when it was open), and
    /// a delete of the user's is kept, with the request's content, to undo.
    pub(super) fn on_deleted(&mut self, result: Result<SavedRequest, String>, change: Change) {
        let request = match result {
            Ok(request) => request,
            Err(e) => {
                self.note = Some(match change {
                    Change::Undo(step) => {
                        let note = format!("Not undone ({}): {e}", step.describe());
                        self.undo.push(*step);
                        note
                    }
                    _ => format!("Not deleted: {e}"),
                });
                return;
            }
        };
        self.requests.retain(|r| !same_file(r, &request));
        if self
            .original
            .as_ref()
            .is_some_and(|open| same_file(open, &request))
        {
            self.original = None;
            self.draft = new_draft();
            self.show_response(None);
        }
        self.selected = self.selected.min(self.rows().len().saturating_sub(1));
        self.note = Some(match change {
            Change::Undo(step) => format!("Undid: {}", step.describe()),
            _ => {
                let note = format!("Deleted '{}' · u undoes.", full_name(&request));
                self.remember(Undo::Deleted(request));
                note
            }
        });
    }
}
