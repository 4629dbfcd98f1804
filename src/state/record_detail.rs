//! The record detail view: every field of one record (label, API name, type; editable first,
//! read-only dimmed, nulls shown), staged edits saved in one PATCH with `If-Unmodified-Since`,
//! the conflict view on 412, create and delete, and the drafts those edits are kept in.
//!
//! Pure: `update` returns a [`DetailReply`]; background work goes out as [`Job::Record`] effects
//! and comes back through [`RecordDetailState::on_outcome`].

use std::collections::BTreeMap;
use std::sync::Arc;

use indexmap::IndexMap;
use jiff::Timestamp;
use ratatui::crossterm::event::KeyEvent;
use serde_json::{Map, Value};

use super::field_editor::{self, FieldEditor, Submit, display_datetime};
use crate::action::Action;
use crate::effect::{Effect, Job, RequestId, RequestIds};
use crate::jobs::record_detail::{
    Draft, LoadedRecord, RecordEffect, RecordJob, RecordOutcome, WriteFailure,
};
use crate::keymap::Context;
use crate::sf::{FieldDescribe, SObjectDescribe};

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

/// The 412 view: the server's current version next to mine and the opened one.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    /// The server's current record (None while it loads).
    pub server: Option<Box<LoadedRecord>>,
    pub error: Option<String>,
}

/// A popup over the detail view.
#[derive(Debug, Clone, PartialEq)]
pub enum Popup {
    Editor(Box<FieldEditor>),
    Conflict(Conflict),
    /// Delete? On production the record name must be typed.
    ConfirmDelete {
        typed: crate::state::text_input::TextInput,
    },
    /// Production: confirm every save.
    ConfirmSave,
    /// "Discard N staged changes?" when leaving with esc.
    Leave,
}

/// What the owner of the view must do after an update.
#[derive(Debug)]
pub enum DetailReply {
    Effects(Vec<Effect>),
    /// Open another record on top (a followed reference, a created record).
    Push(Box<RecordDetailState>, Vec<Effect>),
    /// Replace this view (the create form became the new record).
    Replace(Box<RecordDetailState>, Vec<Effect>),
    /// Go back (esc).
    Close,
    /// Go back and keep the staged edits as a draft (the leave popup's "keep as draft").
    KeepDraft,
    /// Go back and cancel these requests.
    CloseWith(Vec<Effect>),
    /// The record was saved or deleted: the list follows.
    Changed(RecordChange),
}

/// A record a detail view saved or deleted, which the Records list shows too.
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
        make: impl FnOnce(RequestId) -> RecordEffect,
    ) -> Vec<Effect> {
        let req = ids.allocate();
        self.pending.retain(|(_, p)| *p != what);
        self.pending.push((req, what));
        vec![Effect::Record(make(req))]
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

    /// The record's name (or its id).
    pub fn title(&self) -> String {
        let name_field = self
            .describe
            .as_ref()
            .and_then(|d| d.fields.iter().find(|f| f.name_field))
            .map_or("Name", |f| f.name.as_str());
        match (self.record.get(name_field), &self.target) {
            (Some(Value::String(name)), _) if !name.is_empty() => name.clone(),
            (_, Target::Record(id)) => id.clone(),
            (_, Target::New) => format!("New {}", self.object),
        }
    }

    /// The describe of a field.
    pub fn field(&self, name: &str) -> Option<&FieldDescribe> {
        self.describe.as_ref().and_then(|d| d.field(name))
    }

    /// The focused field's name.
    pub fn selected_field(&self) -> Option<&str> {
        self.rows.get(self.selected).map(String::as_str)
    }

    /// Whether the field can be edited in this view (create: createable; else updateable).
    pub fn is_editable(&self, field: &FieldDescribe) -> bool {
        let allowed = match self.target {
            Target::New => field.createable,
            Target::Record(_) => field.updateable,
        };
        allowed && field_editor::is_editable_type(field)
    }

    /// Required on the create form.
    pub fn is_required(&self, field: &FieldDescribe) -> bool {
        self.target == Target::New && field.required_on_create()
    }

    /// The opened value of a field (`null` when absent).
    pub fn value(&self, name: &str) -> &Value {
        self.record.get(name).unwrap_or(&Value::Null)
    }

    /// A value as shown: `(empty)` for null, names for references, dates readable.
    pub fn display(&self, name: &str, value: &Value) -> String {
        let field_type = self.field(name).map_or("", |f| f.field_type.as_str());
        match value {
            Value::Null => "(empty)".into(),
            Value::String(s) if field_type == "reference" => match self.names.get(s) {
                Some((_, n)) => format!("{n} ↗"),
                None => format!("{s} ↗"),
            },
            Value::String(s) if field_type == "datetime" => display_datetime(s),
            Value::String(s) => s.replace('\n', "⏎"),
            Value::Number(n) => match n.as_f64() {
                Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 1e15 => {
                    format!("{}", f as i64)
                }
                _ => n.to_string(),
            },
            Value::Object(map) => {
                let parts: Vec<String> = ["street", "city", "state", "postalCode", "country"]
                    .iter()
                    .filter_map(|k| map.get(*k).and_then(Value::as_str))
                    .map(str::to_string)
                    .collect();
                if parts.is_empty() {
                    "(empty)".into()
                } else {
                    parts.join(", ")
                }
            }
            other => other.to_string(),
        }
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
        })
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
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => self.selected = (self.selected + 1).min(rows.saturating_sub(1)),
            Action::Top => self.selected = 0,
            Action::Bottom => self.selected = rows.saturating_sub(1),
            Action::PageUp => self.selected = self.selected.saturating_sub(10),
            Action::PageDown => self.selected = (self.selected + 10).min(rows.saturating_sub(1)),
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
                    self.local(ids, Pending::Copy, |req| RecordEffect::Copy { req, text }),
                );
            }
            Action::CopyRecordId => {
                if let Some(id) = self.id().map(str::to_string) {
                    self.note = Some(format!("Copied the id {id}."));
                    return DetailReply::Effects(self.local(ids, Pending::Copy, |req| {
                        RecordEffect::Copy { req, text: id }
                    }));
                }
            }
            Action::OpenInBrowser => {
                if let (Some(id), Some(base)) = (self.id(), self.instance_url.as_deref()) {
                    let url = format!("{}/{id}", base.trim_end_matches('/'));
                    self.note = Some(format!("Opening {url}"));
                    return DetailReply::Effects(
                        self.local(ids, Pending::Open, |req| RecordEffect::OpenUrl { req, url }),
                    );
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

    fn update_editor(
        &mut self,
        mut editor: FieldEditor,
        action: Action,
        ids: &mut RequestIds,
    ) -> DetailReply {
        match action {
            Action::Cancel => return DetailReply::none(),
            Action::Up => editor.move_choice(-1),
            Action::Down => editor.move_choice(1),
            Action::ExternalEditor
                if editor.is_multiline()
                    || matches!(editor.kind, field_editor::EditorKind::Text { .. }) =>
            {
                let text = editor.text().to_string();
                self.popup = Some(Popup::Editor(Box::new(editor)));
                return DetailReply::Effects(self.local(ids, Pending::Edit, |req| {
                    RecordEffect::EditExternally { req, text }
                }));
            }
            Action::Submit => match editor.submit() {
                Submit::Accept(value) => {
                    let name = editor.field.clone();
                    if *self.value(&name) == value {
                        self.staged.shift_remove(&name);
                    } else {
                        self.staged.insert(name.clone(), value.clone());
                    }
                    if let (Value::String(id), Some((rid, label))) =
                        (&value, editor.results.get(editor.choice).cloned())
                        && *id == rid
                    {
                        let target = match &editor.kind {
                            field_editor::EditorKind::Reference { target } => target.clone(),
                            _ => String::new(),
                        };
                        self.names.insert(rid, (target, label));
                    }
                    if let Some(problem) = &mut self.problem {
                        problem.fields.retain(|f| !f.eq_ignore_ascii_case(&name));
                    }
                    return DetailReply::none();
                }
                Submit::Invalid => {}
                Submit::Search { object, text } => {
                    self.popup = Some(Popup::Editor(Box::new(editor)));
                    return DetailReply::Effects(self.spawn(
                        ids,
                        Pending::Search,
                        RecordJob::Search { object, text },
                    ));
                }
            },
            _ => {}
        }
        self.popup = Some(Popup::Editor(Box::new(editor)));
        DetailReply::none()
    }

    fn update_conflict(
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

    fn fetch_conflict(&mut self, ids: &mut RequestIds) -> Vec<Effect> {
        let Some(id) = self.id().map(str::to_string) else {
            return Vec::new();
        };
        let object = self.object.clone();
        self.spawn(ids, Pending::ConflictFetch, RecordJob::Load { object, id })
    }

    /// Saves the staged changes: PATCH (with the precondition unless `checked` is false) or POST.
    fn save(&mut self, ids: &mut RequestIds, checked: bool) -> Vec<Effect> {
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

    fn apply_loaded(&mut self, loaded: LoadedRecord) {
        let describe = loaded.describe;
        self.record = loaded.fields;
        self.opened_at = loaded.last_modified;
        self.names = loaded.names;
        self.set_describe(describe);
        self.status = Status::Ready;
    }

    fn set_describe(&mut self, describe: Arc<SObjectDescribe>) {
        let keep = self.selected_field().map(str::to_string);
        let mut editable = Vec::new();
        let mut read_only = Vec::new();
        for field in &describe.fields {
            let allowed = match self.target {
                Target::New => field.createable,
                Target::Record(_) => field.updateable,
            };
            if allowed && field_editor::is_editable_type(field) {
                editable.push((field.required_on_create(), field.name.clone()));
            } else if self.target != Target::New {
                read_only.push(field.name.clone());
            }
        }
        if self.target == Target::New {
            // Required fields first on the create form.
            editable.sort_by_key(|(required, _)| !*required);
        }
        self.editable_rows = editable.len();
        self.rows = editable
            .into_iter()
            .map(|(_, n)| n)
            .chain(read_only)
            .collect();
        self.describe = Some(describe);
        self.selected = keep
            .and_then(|k| self.rows.iter().position(|r| *r == k))
            .unwrap_or(0)
            .min(self.rows.len().saturating_sub(1));
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
                    return DetailReply::Replace(Box::new(state), effects);
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
                    match result {
                        Ok(text) => {
                            let text = if editor.is_multiline() {
                                text.strip_suffix('\n').unwrap_or(&text).to_string()
                            } else {
                                text.lines().next().unwrap_or_default().to_string()
                            };
                            editor.set_text(text);
                        }
                        Err(e) => editor.error = Some(format!("$EDITOR failed: {e}")),
                    }
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

/// What the stack's owner (the Records tab) hears back.
#[derive(Debug)]
pub enum StackReply {
    Effects(Vec<Effect>),
    /// The last view closed: show the list again (at the same row).
    Closed,
    /// A view closed keeping its staged edits: they live on as a draft.
    Kept(Box<RecordDetailState>),
    /// A record was saved or deleted: the list follows.
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
            DetailReply::Replace(view, effects) => {
                let at = at.unwrap_or(self.views.len().saturating_sub(1));
                if let Some(slot) = self.views.get_mut(at) {
                    *slot = *view;
                }
                StackReply::Effects(effects)
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
