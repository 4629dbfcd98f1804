//! The record detail view: every field of one record (label, API name, type; editable first,
//! read-only dimmed, nulls shown), staged edits saved in one PATCH with `If-Unmodified-Since`,
//! the conflict view on 412, create and delete, and the drafts those edits are kept in.
//!
//! Pure: `update` returns a [`DetailReply`]; background work goes out as [`Job::Record`] effects
//! and comes back through [`RecordDetailState::on_outcome`].
//!
//! This file holds the view's state, its keys and its actions; the popups, the conflict view,
//! the writes and their answers, the drafts and the stack of views live in the files beside it.

mod conflict;
mod drafts;
mod fields;
pub mod job;
mod outcome;
mod popups;
mod stack;

pub use conflict::Conflict;
pub use drafts::{Draft, MassDraft};
pub use popups::Popup;
pub use stack::{DetailStack, StackReply};

use crate::state::list_cursor;
use std::collections::BTreeMap;
use std::sync::Arc;

use indexmap::IndexMap;
use jiff::Timestamp;
use ratatui::crossterm::event::KeyEvent;
use serde_json::{Map, Value};

use super::field_editor::FieldEditor;
use crate::action::Action;
use crate::effect::{Effect, Job, RequestId, RequestIds};
use crate::keymap::Context;
use crate::sf::SObjectDescribe;
use crate::state::record_detail::job::{RecordEffect, RecordJob};

/// Whether the view shows an existing record or a create form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Record(String),
    New,
}

/// Where loading stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    Loading,
    /// Waiting for a connection before loading (a draft restored at start).
    WaitingForConnection,
    Ready,
    Failed(String),
}

/// The last failed write: the message and the fields Salesforce named (highlighted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub message: String,
    pub fields: Vec<String>,
}

/// What the owner of the view must do after an update.
#[derive(Debug)]
pub enum DetailReply {
    Effects(Vec<Effect>),
    /// Open another record on top (a followed reference, a created record).
    Push(Box<RecordDetailState>, Vec<Effect>),
    /// The create form became the new record: replace this view; the list adds the row.
    Created(Box<RecordDetailState>, Vec<Effect>),
    /// Go back (esc).
    Close,
    /// Go back and keep the staged edits as a draft (the leave popup's "keep as draft").
    KeepDraft,
    /// Go back and cancel these requests.
    CloseWith(Vec<Effect>),
    /// The record was saved or deleted: the list follows.
    Changed(RecordChange),
}

/// A record a detail view created, saved or deleted, which the Records list shows too.
#[derive(Debug)]
pub enum RecordChange {
    /// Saved: the list reloads its row; `effects` reload the view.
    Saved {
        object: String,
        id: String,
        effects: Vec<Effect>,
    },
    /// Deleted: the list drops its row.
    Deleted { object: String, id: String },
    /// Created: the list adds its row; `effects` load the new record's view.
    Created {
        object: String,
        id: String,
        effects: Vec<Effect>,
    },
}

impl DetailReply {
    fn none() -> DetailReply {
        DetailReply::Effects(Vec::new())
    }
}

/// What the pending request is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pending {
    Load,
    Describe,
    Save,
    Create,
    Delete,
    ConflictFetch,
    Search,
    Copy,
    Open,
    Edit,
}

/// One record's detail view (or a create form).
#[derive(Debug, Clone, PartialEq)]
pub struct RecordDetailState {
    pub object: String,
    pub target: Target,
    pub status: Status,
    pub describe: Option<Arc<SObjectDescribe>>,
    /// The version the user opened (edits are made against it).
    pub record: Map<String, Value>,
    /// Its `Last-Modified` header: sent as `If-Unmodified-Since`.
    pub opened_at: Option<Timestamp>,
    /// Referenced id → (object, name).
    pub names: BTreeMap<String, (String, String)>,
    /// Field names in display order: editable first, then read-only.
    pub rows: Vec<String>,
    /// How many of `rows` are editable.
    pub editable_rows: usize,
    pub selected: usize,
    /// Field → new value, in the order staged.
    pub staged: IndexMap<String, Value>,
    pub problem: Option<Problem>,
    pub popup: Option<Popup>,
    /// A short note: "Saved.", "Copied the id.", the URL when no browser opener exists.
    pub note: Option<String>,
    /// Production profile: every change asks, deleting needs the name typed.
    pub production: bool,
    /// The instance URL (for "open in browser").
    pub instance_url: Option<String>,
    pending: Vec<(RequestId, Pending)>,
}

impl RecordDetailState {
    fn blank(object: String, target: Target) -> RecordDetailState {
        RecordDetailState {
            object,
            target,
            status: Status::Loading,
            describe: None,
            record: Map::new(),
            opened_at: None,
            names: BTreeMap::new(),
            rows: Vec::new(),
            editable_rows: 0,
            selected: 0,
            staged: IndexMap::new(),
            problem: None,
            popup: None,
            note: None,
            production: false,
            instance_url: None,
            pending: Vec::new(),
        }
    }

    /// The detail view of one record: GETs it (with describe and reference names).
    pub fn open(
        object: String,
        id: String,
        ids: &mut RequestIds,
    ) -> (RecordDetailState, Vec<Effect>) {
        let mut state = RecordDetailState::blank(object, Target::Record(id));
        let effects = state.load(ids);
        (state, effects)
    }

    /// A create form for `object`: fetches the describe.
    pub fn new_record(object: String, ids: &mut RequestIds) -> (RecordDetailState, Vec<Effect>) {
        let mut state = RecordDetailState::blank(object.clone(), Target::New);
        let effects = state.spawn(ids, Pending::Describe, RecordJob::Describe { object });
        (state, effects)
    }

    /// A connection arrived: load if the view was waiting for one.
    pub fn connected(&mut self, ids: &mut RequestIds) -> Vec<Effect> {
        if self.status == Status::WaitingForConnection {
            self.start_loading(ids)
        } else {
            Vec::new()
        }
    }

    fn start_loading(&mut self, ids: &mut RequestIds) -> Vec<Effect> {
        match &self.target {
            Target::Record(_) => self.load(ids),
            Target::New => {
                self.status = Status::Loading;
                let object = self.object.clone();
                self.spawn(ids, Pending::Describe, RecordJob::Describe { object })
            }
        }
    }

    fn load(&mut self, ids: &mut RequestIds) -> Vec<Effect> {
        let Target::Record(id) = &self.target else {
            return Vec::new();
        };
        let job = RecordJob::Load {
            object: self.object.clone(),
            id: id.clone(),
        };
        self.status = Status::Loading;
        self.spawn(ids, Pending::Load, job)
    }

    fn spawn(&mut self, ids: &mut RequestIds, what: Pending, job: RecordJob) -> Vec<Effect> {
        let req = ids.allocate();
        self.pending.retain(|(_, p)| *p != what);
        self.pending.push((req, what));
        vec![Effect::Spawn {
            req,
            job: Job::Record(job),
        }]
    }

    fn local(
        &mut self,
        ids: &mut RequestIds,
        what: Pending,
        make: impl FnOnce(RequestId) -> Effect,
    ) -> Vec<Effect> {
        let req = ids.allocate();
        self.pending.retain(|(_, p)| *p != what);
        self.pending.push((req, what));
        vec![make(req)]
    }

    /// Whether a result with this id is awaited here.
    pub fn owns(&self, req: RequestId) -> bool {
        self.pending.iter().any(|(r, _)| *r == req)
    }

    /// The record id, when it exists.
    pub fn id(&self) -> Option<&str> {
        match &self.target {
            Target::Record(id) => Some(id),
            Target::New => None,
        }
    }

    /// The key contexts, most specific first.
    pub fn key_contexts(&self) -> Vec<Context> {
        match &self.popup {
            Some(Popup::Editor(editor)) if editor.is_multiline() => {
                vec![Context::TextEditor]
            }
            Some(Popup::Editor(_)) => vec![Context::FieldEditor],
            Some(Popup::Conflict(_)) => vec![Context::Conflict],
            Some(Popup::ConfirmDelete { .. }) if self.production => vec![Context::Prompt],
            Some(Popup::ConfirmDelete { .. } | Popup::ConfirmSave) => vec![Context::Confirm],
            Some(Popup::Leave) => vec![Context::LeaveStaged],
            None => vec![Context::Detail, Context::List, Context::Global],
        }
    }

    /// Whether typed keys go to a text field of this view.
    pub fn wants_text(&self) -> bool {
        matches!(
            self.popup,
            Some(Popup::Editor(_)) | Some(Popup::ConfirmDelete { .. })
        )
    }

    /// A key without a binding: typed into the editor or the delete prompt.
    pub fn type_key(&mut self, key: KeyEvent) {
        match &mut self.popup {
            Some(Popup::Editor(editor)) => editor.type_key(key),
            Some(Popup::ConfirmDelete { typed }) if self.production => {
                typed.handle_key(key);
            }
            _ => {}
        }
    }

    pub fn update(&mut self, action: Action, ids: &mut RequestIds) -> DetailReply {
        match self.popup.take() {
            Some(Popup::Editor(editor)) => self.update_editor(*editor, action, ids),
            Some(Popup::Conflict(conflict)) => self.update_conflict(conflict, action, ids),
            Some(Popup::ConfirmDelete { typed }) => match action {
                Action::Confirm | Action::Submit => {
                    if self.production && typed.text().trim() != self.title() {
                        self.note = Some(format!(
                            "Type the record's name '{}' exactly to delete it.",
                            self.title()
                        ));
                        self.popup = Some(Popup::ConfirmDelete { typed });
                        return DetailReply::none();
                    }
                    let Some(id) = self.id().map(str::to_string) else {
                        return DetailReply::none();
                    };
                    let object = self.object.clone();
                    self.note = None;
                    DetailReply::Effects(self.spawn(
                        ids,
                        Pending::Delete,
                        RecordJob::Delete { object, id },
                    ))
                }
                Action::Deny | Action::Cancel => DetailReply::none(),
                _ => {
                    self.popup = Some(Popup::ConfirmDelete { typed });
                    DetailReply::none()
                }
            },
            Some(Popup::ConfirmSave) => match action {
                Action::Confirm => DetailReply::Effects(self.save(ids, true)),
                Action::Deny | Action::Cancel => DetailReply::none(),
                _ => {
                    self.popup = Some(Popup::ConfirmSave);
                    DetailReply::none()
                }
            },
            Some(Popup::Leave) => match action {
                Action::Discard => {
                    self.staged.clear();
                    DetailReply::Close
                }
                Action::KeepDraft => DetailReply::KeepDraft,
                Action::Cancel => DetailReply::none(),
                _ => {
                    self.popup = Some(Popup::Leave);
                    DetailReply::none()
                }
            },
            None => self.update_view(action, ids),
        }
    }

    fn update_view(&mut self, action: Action, ids: &mut RequestIds) -> DetailReply {
        let rows = self.rows.len();
        match action {
            Action::Up
            | Action::Down
            | Action::Top
            | Action::Bottom
            | Action::PageUp
            | Action::PageDown => self.selected = list_cursor::step(self.selected, rows, action),
            Action::Cancel => {
                if self.is_writing() {
                    // A write may already have reached the server: let it answer.
                    self.note = Some("Waiting for the server's answer…".into());
                    return DetailReply::none();
                }
                if !self.staged.is_empty() {
                    self.popup = Some(Popup::Leave);
                    return DetailReply::none();
                }
                let effects: Vec<Effect> = self
                    .pending
                    .drain(..)
                    .map(|(r, _)| Effect::Cancel(r))
                    .collect();
                if effects.is_empty() {
                    return DetailReply::Close;
                }
                // Back to the list (or the record below); the loads in flight are dropped.
                return DetailReply::CloseWith(effects);
            }
            Action::EditField | Action::Submit => return self.edit_selected(),
            Action::FollowReference => return self.follow(ids),
            Action::UndoField => {
                if let Some(name) = self.selected_field().map(str::to_string)
                    && self.staged.shift_remove(&name).is_some()
                {
                    self.note = Some(format!("{name}: change undone."));
                }
            }
            Action::SaveRecord => {
                if self.staged.is_empty() {
                    self.note = Some("Nothing staged: e edits the focused field.".into());
                } else if self.production {
                    self.popup = Some(Popup::ConfirmSave);
                } else {
                    return DetailReply::Effects(self.save(ids, true));
                }
            }
            Action::ReloadRecord => {
                if self.target == Target::New {
                    return DetailReply::Effects(self.start_loading(ids));
                }
                return DetailReply::Effects(self.load(ids));
            }
            Action::NewRecord => {
                let (state, effects) = RecordDetailState::new_record(self.object.clone(), ids);
                let mut state = state;
                state.production = self.production;
                state.instance_url = self.instance_url.clone();
                return DetailReply::Push(Box::new(state), effects);
            }
            Action::DeleteRecord if self.id().is_some() => {
                self.popup = Some(Popup::ConfirmDelete {
                    typed: crate::state::text_input::TextInput::default(),
                });
            }
            Action::CopyValue => {
                let Some(name) = self.selected_field().map(str::to_string) else {
                    return DetailReply::none();
                };
                let value = self.staged.get(&name).unwrap_or(self.value(&name)).clone();
                let text = match value {
                    Value::String(s) => s,
                    Value::Null => String::new(),
                    other => other.to_string(),
                };
                self.note = Some(format!("Copied {name}."));
                return DetailReply::Effects(
                    self.local(ids, Pending::Copy, |req| Effect::Copy { req, text }),
                );
            }
            Action::CopyRecordId => {
                if let Some(id) = self.id().map(str::to_string) {
                    self.note = Some(format!("Copied the id {id}."));
                    return DetailReply::Effects(
                        self.local(ids, Pending::Copy, |req| Effect::Copy { req, text: id }),
                    );
                }
            }
            Action::OpenInBrowser => {
                if let (Some(id), Some(base)) = (self.id(), self.instance_url.as_deref()) {
                    let url = format!("{}/{id}", base.trim_end_matches('/'));
                    self.note = Some(format!("Opening {url}"));
                    return DetailReply::Effects(self.local(ids, Pending::Open, |req| {
                        Effect::Record(RecordEffect::OpenUrl { req, url })
                    }));
                }
                self.note = Some("Not connected: no instance URL to open.".into());
            }
            _ => {}
        }
        DetailReply::none()
    }

    fn edit_selected(&mut self) -> DetailReply {
        let Some(name) = self.selected_field().map(str::to_string) else {
            return DetailReply::none();
        };
        let Some(field) = self.field(&name).cloned() else {
            return DetailReply::none();
        };
        if !self.is_editable(&field) {
            self.note = Some(format!("{} is read-only.", field.label));
            return DetailReply::none();
        }
        let current = self.staged.get(&name).unwrap_or(self.value(&name)).clone();
        let editor = FieldEditor::for_field(&field, &current, &self.names);
        self.note = None;
        self.popup = Some(Popup::Editor(Box::new(editor)));
        DetailReply::none()
    }

    fn follow(&mut self, ids: &mut RequestIds) -> DetailReply {
        let Some(name) = self.selected_field().map(str::to_string) else {
            return DetailReply::none();
        };
        let Some(field) = self.field(&name).cloned() else {
            return DetailReply::none();
        };
        if field.field_type != "reference" {
            return self.edit_selected();
        }
        let Value::String(id) = self.value(&name).clone() else {
            self.note = Some(format!("{} is empty: nothing to follow.", field.label));
            return DetailReply::none();
        };
        let object = self
            .names
            .get(&id)
            .map(|(o, _)| o.clone())
            .or_else(|| field.reference_to.first().cloned())
            .unwrap_or_default();
        let (mut state, effects) = RecordDetailState::open(object, id, ids);
        state.production = self.production;
        state.instance_url = self.instance_url.clone();
        DetailReply::Push(Box::new(state), effects)
    }
}
