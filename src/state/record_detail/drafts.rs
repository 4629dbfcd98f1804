//! Drafts: staged edits kept across sessions, restored into a view and taken out of one.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::effect::{Effect, RequestIds};

use super::{RecordDetailState, Status, Target};

impl RecordDetailState {
    /// A restored draft: the record (or form) with the edits staged against the version they
    /// were made on. With `connected` false it waits for [`RecordDetailState::connected`].
    pub fn from_draft(
        draft: &Draft,
        connected: bool,
        ids: &mut RequestIds,
    ) -> (RecordDetailState, Vec<Effect>) {
        let target = match &draft.id {
            Some(id) => Target::Record(id.clone()),
            None => Target::New,
        };
        let mut state = RecordDetailState::blank(draft.object.clone(), target);
        state.staged = draft.staged.clone().into_iter().collect();
        state.opened_at = draft.opened_at;
        if draft.id.is_some() {
            state
                .record
                .insert("Name".into(), Value::String(draft.title.clone()));
        }
        if !connected {
            state.status = Status::WaitingForConnection;
            return (state, Vec::new());
        }
        let effects = state.start_loading(ids);
        (state, effects)
    }

    /// The draft of this view's staged edits, if any.
    pub fn draft(&self, profile: Option<&str>) -> Option<Draft> {
        if self.staged.is_empty() {
            return None;
        }
        Some(Draft {
            profile: profile.map(str::to_string),
            object: self.object.clone(),
            id: self.id().map(str::to_string),
            title: self.title(),
            opened_at: self.opened_at,
            staged: self.staged.clone().into_iter().collect(),
            mass: None,
        })
    }
}

/// Staged edits of one record (or the content of a create form, or a mass edit of selected
/// rows), kept on disk until saved or discarded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    /// The profile the record belongs to.
    #[serde(default)]
    pub profile: Option<String>,
    pub object: String,
    /// None for a create form.
    #[serde(default)]
    pub id: Option<String>,
    /// A name to show in the restore popup.
    #[serde(default)]
    pub title: String,
    /// `Last-Modified` of the version the edits were made on.
    #[serde(default)]
    pub opened_at: Option<Timestamp>,
    pub staged: Map<String, Value>,
    /// A mass edit of the Records list: `staged` (one field) set on each of these records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mass: Option<MassDraft>,
}

/// The records a staged mass edit goes to and how its value shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MassDraft {
    /// The selected records' Ids.
    pub ids: Vec<String>,
    /// The field's label.
    #[serde(default)]
    pub label: String,
    /// The value as the list shows it (a reference's name).
    #[serde(default)]
    pub shown: String,
}
