//! The stack of detail views: following a reference pushes one, esc pops it.

use crate::action::Action;
use crate::effect::{Effect, RequestId, RequestIds};
use crate::state::record_detail::Draft;
use crate::state::record_detail::job::RecordOutcome;

use super::{DetailReply, RecordChange, RecordDetailState};

/// What the stack's owner (the Records tab) hears back.
#[derive(Debug)]
pub enum StackReply {
    Effects(Vec<Effect>),
    /// The last view closed: show the list again (at the same row).
    Closed,
    /// A view closed keeping its staged edits: they live on as a draft.
    Kept(Box<RecordDetailState>),
    /// A record was created, saved or deleted: the list follows.
    Changed(RecordChange),
}

/// Detail views on top of each other: following a reference pushes, esc pops.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DetailStack {
    pub views: Vec<RecordDetailState>,
}

impl DetailStack {
    /// The view on screen.
    pub fn top(&self) -> Option<&RecordDetailState> {
        self.views.last()
    }

    pub fn top_mut(&mut self) -> Option<&mut RecordDetailState> {
        self.views.last_mut()
    }

    pub fn is_open(&self) -> bool {
        !self.views.is_empty()
    }

    /// Opens a view on top.
    pub fn push(&mut self, view: RecordDetailState) {
        self.views.push(view);
    }

    /// Whether a result with this id is awaited by any view.
    pub fn owns(&self, req: RequestId) -> bool {
        self.views.iter().any(|v| v.owns(req))
    }

    /// Staged changes across the stack.
    pub fn staged_count(&self) -> usize {
        self.views.iter().map(|v| v.staged.len()).sum()
    }

    /// Drops every staged change (quit with "discard").
    pub fn discard_all(&mut self) {
        for view in &mut self.views {
            view.staged.clear();
        }
    }

    /// The drafts of every view with staged edits.
    pub fn drafts(&self, profile: Option<&str>) -> Vec<Draft> {
        self.views.iter().filter_map(|v| v.draft(profile)).collect()
    }

    /// A connection arrived: views waiting for one load.
    pub fn connected(&mut self, ids: &mut RequestIds) -> Vec<Effect> {
        self.views
            .iter_mut()
            .flat_map(|v| v.connected(ids))
            .collect()
    }

    pub fn update(&mut self, action: Action, ids: &mut RequestIds) -> StackReply {
        let Some(top) = self.views.last_mut() else {
            return StackReply::Closed;
        };
        let reply = top.update(action, ids);
        self.apply(reply, None)
    }

    pub fn on_outcome(
        &mut self,
        req: RequestId,
        outcome: RecordOutcome,
        ids: &mut RequestIds,
    ) -> StackReply {
        let Some(at) = self.views.iter().position(|v| v.owns(req)) else {
            return StackReply::Effects(Vec::new());
        };
        let reply = self.views[at].on_outcome(req, outcome, ids);
        self.apply(reply, Some(at))
    }

    fn apply(&mut self, reply: DetailReply, at: Option<usize>) -> StackReply {
        match reply {
            DetailReply::Effects(effects) => StackReply::Effects(effects),
            DetailReply::Push(view, effects) => {
                self.views.push(*view);
                StackReply::Effects(effects)
            }
            DetailReply::Created(view, effects) => {
                let (object, id) = (view.object.clone(), view.id().unwrap_or_default().into());
                let at = at.unwrap_or(self.views.len().saturating_sub(1));
                if let Some(slot) = self.views.get_mut(at) {
                    *slot = *view;
                }
                StackReply::Changed(RecordChange::Created {
                    object,
                    id,
                    effects,
                })
            }
            DetailReply::Close => {
                self.views.pop();
                if self.views.is_empty() {
                    StackReply::Closed
                } else {
                    StackReply::Effects(Vec::new())
                }
            }
            DetailReply::KeepDraft => match self.views.pop() {
                Some(view) => StackReply::Kept(Box::new(view)),
                None => StackReply::Closed,
            },
            DetailReply::CloseWith(effects) => {
                self.views.pop();
                StackReply::Effects(effects)
            }
            DetailReply::Changed(change) => {
                // A deleted record's view and the views opened from it close.
                if let (RecordChange::Deleted { .. }, Some(at)) = (&change, at) {
                    self.views.truncate(at);
                }
                StackReply::Changed(change)
            }
        }
    }
}
