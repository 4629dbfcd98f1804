//! Mass edit of selected rows: the selection (`space` a row, `V` a range, `*` every loaded
//! row; by record Id, so it survives scrolling and paging), one field set on all of them with
//! that field's own editor (`E`: pick the field, then the typed editor; the edit is staged and
//! kept in the drafts file until `ctrl-s` sends it), and deleting them (`D`). The writes go out
//! as sObject Collections calls (the job); successes change the list in place, failures are
//! listed and stay selected.
//!
//! The popups, the keys and staging are here; what comes back in `mass_outcome.rs`.

use indexmap::IndexSet;
use ratatui::crossterm::event::KeyEvent;
use serde_json::{Map, Value};

use super::{RecordsState, spawn};
use crate::action::Action;
use crate::effect::{Effect, RequestId, RequestIds};
use crate::keymap::Context;
use crate::sf::FieldDescribe;
use crate::state::field_editor::{self, FieldEditor, Submit};
use crate::state::fuzzy::{self, Hit};
use crate::state::record_detail::{Draft, MassDraft};
use crate::state::records::job::RecordsJob;
use crate::state::text_input::TextInput;

/// A field set on every selected record, staged until sent.
#[derive(Debug, Clone, PartialEq)]
pub struct MassEdit {
    /// The profile the records belong to: it is sent only with that profile connected.
    pub profile: Option<String>,
    pub object: String,
    pub field: String,
    pub label: String,
    pub value: Value,
    /// The value as the list shows it (a reference's name).
    pub shown: String,
    pub ids: Vec<String>,
}

impl MassEdit {
    /// "Industry = Energy".
    pub fn summary(&self) -> String {
        format!("{} = {}", self.label, self.shown)
    }
}

/// A row a mass write could not change, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub id: String,
    /// The row's name (its Id when the row is not loaded).
    pub name: String,
    /// `STATUS_CODE: message (fields)`.
    pub error: String,
}

/// A popup of the mass edit.
#[derive(Debug, Clone, PartialEq)]
pub enum MassPopup {
    /// Pick the field to set: the object's updateable fields, filtered as you type.
    Fields { filter: TextInput, selected: usize },
    /// The field's typed editor (the record detail's).
    Editor(Box<FieldEditor>),
    /// Production: send the staged edit?
    ConfirmSave,
    /// Delete the selected rows? On production the count must be typed.
    ConfirmDelete { typed: TextInput },
    /// The rows a write could not change.
    Failures {
        title: String,
        rows: Vec<Failure>,
        selected: usize,
    },
}

/// What the write in flight does.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Sending {
    Update(MassEdit),
    Delete { object: String, ids: Vec<String> },
}

/// The Records list's selection and mass edit.
#[derive(Debug, Clone, Default)]
pub struct MassState {
    /// The object the selected rows are of.
    pub object: String,
    /// Selected record Ids, in the order selected.
    pub selected: IndexSet<String>,
    /// `V` pressed on this row (its Id): the range ends where `V` is pressed again.
    pub anchor: Option<String>,
    pub staged: Option<MassEdit>,
    pub popup: Option<MassPopup>,
    pub(super) sending: Option<(RequestId, Sending)>,
    pub(super) search: Option<RequestId>,
    /// `$EDITOR` open on the editor's value (`ctrl-e`).
    pub(super) editing: Option<RequestId>,
    /// A staged edit whose org's lists were dropped (another profile connected): it comes
    /// back when its profile connects again, else the model keeps it as a draft.
    pub(super) dropped: Option<MassEdit>,
}

impl MassState {
    /// Whether a write is in flight.
    pub fn is_sending(&self) -> bool {
        self.sending.is_some()
    }

    pub(super) fn owns(&self, req: RequestId) -> bool {
        self.sending.as_ref().is_some_and(|(r, _)| *r == req)
            || self.search == Some(req)
            || self.editing == Some(req)
    }

    /// Key contexts while a popup of the mass edit is open (`production`: deleting needs the
    /// count typed).
    pub fn contexts(&self, production: bool) -> Option<Vec<Context>> {
        Some(match self.popup.as_ref()? {
            MassPopup::Fields { .. } => vec![Context::Palette],
            MassPopup::Editor(editor) if editor.is_multiline() => vec![Context::TextEditor],
            MassPopup::Editor(_) => vec![Context::FieldEditor],
            MassPopup::ConfirmDelete { .. } if production => vec![Context::Prompt],
            MassPopup::ConfirmSave | MassPopup::ConfirmDelete { .. } => vec![Context::Confirm],
            MassPopup::Failures { .. } => vec![Context::RecordsPopup, Context::List],
        })
    }

    /// Whether typed keys go into a field of a popup here.
    pub fn wants_text(&self, production: bool) -> bool {
        match &self.popup {
            Some(MassPopup::Fields { .. } | MassPopup::Editor(_)) => true,
            Some(MassPopup::ConfirmDelete { .. }) => production,
            _ => false,
        }
    }

    pub fn type_key(&mut self, key: KeyEvent, production: bool) {
        match &mut self.popup {
            Some(MassPopup::Fields { filter, selected }) => {
                let changed = filter.handle_key(key).changed();
                *selected = if changed { 0 } else { *selected };
            }
            Some(MassPopup::Editor(editor)) => editor.type_key(key),
            Some(MassPopup::ConfirmDelete { typed }) if production => {
                typed.handle_key(key);
            }
            _ => {}
        }
    }

    /// How many rows of `object` are selected.
    pub fn count(&self, object: &str) -> usize {
        if self.object.eq_ignore_ascii_case(object) {
            self.selected.len()
        } else {
            0
        }
    }

    /// The staged edit as a draft for the drafts file.
    pub fn draft(&self) -> Option<Draft> {
        let edit = self.staged.as_ref().or(self.dropped.as_ref())?;
        let mut staged = Map::new();
        staged.insert(edit.field.clone(), edit.value.clone());
        Some(Draft {
            profile: edit.profile.clone(),
            object: edit.object.clone(),
            id: None,
            title: format!("{} selected", edit.ids.len()),
            opened_at: None,
            staged,
            mass: Some(MassDraft {
                ids: edit.ids.clone(),
                label: edit.label.clone(),
                shown: edit.shown.clone(),
            }),
        })
    }

    /// A staged edit the lists dropped with their org, to keep as a draft.
    pub fn take_dropped(&mut self) -> Option<Draft> {
        let draft = self.dropped.as_ref().and(self.draft_of_dropped());
        self.dropped = None;
        draft
    }

    fn draft_of_dropped(&self) -> Option<Draft> {
        let keep = MassState {
            staged: self.dropped.clone(),
            ..MassState::default()
        };
        keep.draft()
    }

    /// Another object is shown: the selection goes, unless an edit is staged on it.
    pub(super) fn object_shown(&mut self, object: &str) {
        if self.staged.is_none() && !self.object.eq_ignore_ascii_case(object) {
            self.selected.clear();
            self.anchor = None;
            self.object = object.to_owned();
        }
    }

    /// The lists' org went: the selection and popups go; a staged edit waits in `dropped`.
    pub(super) fn forget_org(&mut self) {
        if let Some(edit) = self.staged.take() {
            self.dropped = Some(edit);
        }
        self.selected.clear();
        self.anchor = None;
        self.popup = None;
        self.sending = None;
        self.search = None;
        self.editing = None;
    }

    /// `profile` connected: a staged edit of that profile comes back with its selection.
    pub(super) fn connected(&mut self, profile: &str) {
        if self
            .dropped
            .as_ref()
            .is_some_and(|e| e.profile.as_deref() == Some(profile))
            && let Some(edit) = self.dropped.take()
        {
            self.restage(edit);
        }
    }

    /// Stages `edit` again on its records.
    pub(super) fn restage(&mut self, edit: MassEdit) {
        self.object = edit.object.clone();
        self.selected = edit.ids.iter().cloned().collect();
        self.anchor = None;
        self.staged = Some(edit);
    }
}

/// The updateable fields the mass edit offers (with an editor for their type).
pub fn editable_fields(fields: &[FieldDescribe]) -> impl Iterator<Item = &FieldDescribe> {
    fields
        .iter()
        .filter(|f| f.updateable && field_editor::is_editable_type(f))
}

impl RecordsState {
    /// The field chooser's rows: the index of each offered field into describe's fields that
    /// the filter lets through (fuzzy over name and label), with the matched letters of the
    /// label.
    pub fn mass_field_rows(&self) -> Vec<Hit<usize>> {
        let Some(MassPopup::Fields { filter, .. }) = &self.mass.popup else {
            return Vec::new();
        };
        let Some(describe) = self.describe(&self.mass.object) else {
            return Vec::new();
        };
        let items = describe
            .fields
            .iter()
            .enumerate()
            .filter(|(_, f)| f.updateable && field_editor::is_editable_type(f))
            .map(|(i, f)| (i, format!("{} {}", f.label, f.name)));
        let query = filter.text();
        fuzzy::filter(query, items)
            .into_iter()
            .map(|hit| Hit {
                positions: fuzzy::positions(query, &describe.fields[hit.item].label),
                item: hit.item,
            })
            .collect()
    }

    /// Whether row `row` of the current list is selected (or inside the range being marked).
    pub fn is_marked(&self, row: usize) -> bool {
        let view = self.view();
        if !self.mass.object.eq_ignore_ascii_case(&view.object) {
            return false;
        }
        let id = view.rows.id(row);
        if self.mass.selected.contains(id) {
            return true;
        }
        match self
            .mass
            .anchor
            .as_deref()
            .and_then(|a| view.rows.position(a))
        {
            Some(from) => (from.min(view.cursor)..=from.max(view.cursor)).contains(&row),
            None => false,
        }
    }

    /// The mass edit's keys and popups; `None` when the action is not one of them.
    pub(super) fn update_mass(
        &mut self,
        action: Action,
        ids: &mut RequestIds,
    ) -> Option<Vec<Effect>> {
        if self.mass.popup.is_some() {
            return Some(self.update_mass_popup(action, ids));
        }
        let object = self.view().object.clone();
        self.mass.object_shown(&object);
        let selecting = matches!(
            action,
            Action::ToggleSelect | Action::SelectRange | Action::SelectAll
        );
        if selecting && self.mass.staged.is_some() {
            self.notice = Some(self.staged_hint("is staged on the selection"));
            return Some(Vec::new());
        }
        let effects = match action {
            Action::ToggleSelect => {
                let view = self.view();
                let id = view.rows.id(view.cursor).to_owned();
                if id.is_empty() {
                    return Some(Vec::new());
                }
                if !self.mass.selected.shift_remove(&id) {
                    self.mass.selected.insert(id);
                }
                let to = self.view().cursor + 1;
                self.move_cursor(to, ids)
            }
            Action::SelectRange => {
                let anchor = self.mass.anchor.take();
                let view = self.view();
                match anchor {
                    Some(anchor) => {
                        let from = view.rows.position(&anchor).unwrap_or(view.cursor);
                        let (a, b) = (from.min(view.cursor), from.max(view.cursor));
                        let range: Vec<String> =
                            (a..=b).map(|r| view.rows.id(r).to_owned()).collect();
                        self.mass
                            .selected
                            .extend(range.into_iter().filter(|i| !i.is_empty()));
                        self.notice = None;
                    }
                    None if !view.rows.is_empty() => {
                        let id = view.rows.id(view.cursor).to_owned();
                        self.mass.anchor = Some(id);
                        self.notice = Some("Range: move to its other end and press V.".into());
                    }
                    None => {}
                }
                Vec::new()
            }
            Action::SelectAll => {
                let view = self.view();
                let all: Vec<String> = (0..view.rows.len())
                    .map(|r| view.rows.id(r).to_owned())
                    .filter(|i| !i.is_empty())
                    .collect();
                if !all.is_empty() && all.iter().all(|i| self.mass.selected.contains(i)) {
                    self.mass.selected.clear();
                } else {
                    self.mass.selected.extend(all);
                }
                self.mass.anchor = None;
                Vec::new()
            }
            Action::Cancel if self.mass.anchor.is_some() => {
                self.mass.anchor = None;
                Vec::new()
            }
            // Loading stops first (the list's own esc).
            Action::Cancel if self.view().fetch.is_some() => return None,
            Action::Cancel if self.mass.staged.is_some() => {
                self.notice = Some(self.staged_hint("keeps the selection"));
                Vec::new()
            }
            Action::Cancel if !self.mass.selected.is_empty() => {
                self.mass.selected.clear();
                self.notice = Some("Selection cleared.".into());
                Vec::new()
            }
            Action::MassEdit => self.open_fields(ids),
            Action::MassDelete => {
                if let Some(why) = self.cannot_write() {
                    self.notice = Some(why);
                } else {
                    self.mass.popup = Some(MassPopup::ConfirmDelete {
                        typed: TextInput::default(),
                    });
                }
                Vec::new()
            }
            Action::SaveMassEdit => match &self.mass.staged {
                None => {
                    self.notice =
                        Some("Nothing staged: E sets a field on the selected rows.".into());
                    Vec::new()
                }
                Some(_) if self.mass.sending.is_some() => Vec::new(),
                Some(edit) if edit.profile != self.profile => {
                    self.notice = Some(format!(
                        "This mass edit is for {}: connect that profile to send it.",
                        edit.profile.as_deref().unwrap_or("another profile")
                    ));
                    Vec::new()
                }
                Some(_) if self.production => {
                    self.mass.popup = Some(MassPopup::ConfirmSave);
                    Vec::new()
                }
                Some(_) => self.send_update(ids),
            },
            Action::UndoMassEdit if self.mass.staged.is_some() && self.mass.sending.is_none() => {
                self.mass.staged = None;
                self.notice = Some("Mass edit undone (the rows stay selected).".into());
                Vec::new()
            }
            _ => return None,
        };
        Some(effects)
    }

    /// "Industry = Energy is staged …: ctrl-s saves it, u undoes it."
    fn staged_hint(&self, what: &str) -> String {
        let summary = self
            .mass
            .staged
            .as_ref()
            .map_or(String::new(), MassEdit::summary);
        format!("{summary} {what}: ctrl-s saves it, u undoes it.")
    }

    /// Why the selection cannot be written now, if it cannot.
    fn cannot_write(&self) -> Option<String> {
        if self.profile.is_none() {
            Some("Connect a profile first.".into())
        } else if self.mass.count(&self.view().object) == 0 {
            Some("Select rows first: space a row, V a range, * every loaded row.".into())
        } else if self.mass.sending.is_some() {
            Some("A mass write is in flight: wait for its answer.".into())
        } else if self.mass.staged.is_some() {
            Some(self.staged_hint("is staged"))
        } else {
            None
        }
    }

    /// `E`: the field chooser (the describe is fetched first if it has not come).
    fn open_fields(&mut self, ids: &mut RequestIds) -> Vec<Effect> {
        if let Some(why) = self.cannot_write() {
            self.notice = Some(why);
            return Vec::new();
        }
        let object = self.view().object.clone();
        if self.describe(&object).is_none() {
            self.notice = Some(format!(
                "The fields of {object} are loading: press E again."
            ));
            return self.describe_effects(&object, ids);
        }
        self.mass.popup = Some(MassPopup::Fields {
            filter: TextInput::default(),
            selected: 0,
        });
        Vec::new()
    }

    fn update_mass_popup(&mut self, action: Action, ids: &mut RequestIds) -> Vec<Effect> {
        let Some(popup) = self.mass.popup.take() else {
            return Vec::new();
        };
        match popup {
            MassPopup::Fields { filter, selected } => self.update_fields(filter, selected, action),
            MassPopup::Editor(editor) => return self.update_mass_editor(*editor, action, ids),
            MassPopup::ConfirmSave => match action {
                Action::Confirm | Action::Submit => return self.send_update(ids),
                Action::Deny | Action::Cancel => {}
                _ => self.mass.popup = Some(MassPopup::ConfirmSave),
            },
            MassPopup::ConfirmDelete { typed } => match action {
                Action::Confirm | Action::Submit => {
                    let count = self.mass.count(&self.view().object);
                    if self.production && typed.text().trim() != count.to_string() {
                        self.notice = Some(format!("Type {count} exactly to delete them."));
                        self.mass.popup = Some(MassPopup::ConfirmDelete { typed });
                        return Vec::new();
                    }
                    return self.send_delete(ids);
                }
                Action::Deny | Action::Cancel => {}
                _ => self.mass.popup = Some(MassPopup::ConfirmDelete { typed }),
            },
            MassPopup::Failures {
                title,
                rows,
                mut selected,
            } => match action {
                Action::Cancel | Action::Submit | Action::Quit => {}
                Action::Up => {
                    selected = selected.saturating_sub(1);
                    self.mass.popup = Some(MassPopup::Failures {
                        title,
                        rows,
                        selected,
                    });
                }
                Action::Down => {
                    selected = (selected + 1).min(rows.len().saturating_sub(1));
                    self.mass.popup = Some(MassPopup::Failures {
                        title,
                        rows,
                        selected,
                    });
                }
                _ => {
                    self.mass.popup = Some(MassPopup::Failures {
                        title,
                        rows,
                        selected,
                    })
                }
            },
        }
        Vec::new()
    }

    fn update_fields(&mut self, filter: TextInput, mut selected: usize, action: Action) {
        self.mass.popup = Some(MassPopup::Fields {
            filter: filter.clone(),
            selected,
        });
        let rows = self.mass_field_rows();
        match action {
            Action::Up => selected = selected.saturating_sub(1),
            Action::Down => selected = (selected + 1).min(rows.len().saturating_sub(1)),
            Action::Cancel if !filter.text().is_empty() => {
                self.mass.popup = Some(MassPopup::Fields {
                    filter: TextInput::default(),
                    selected: 0,
                });
                return;
            }
            Action::Cancel => {
                self.mass.popup = None;
                return;
            }
            Action::Submit => {
                let field = rows.get(selected).and_then(|hit| {
                    self.describe(&self.mass.object)
                        .and_then(|d| d.fields.get(hit.item).cloned())
                });
                if let Some(field) = field {
                    let editor = FieldEditor::for_field(&field, &Value::Null, &Default::default());
                    self.mass.popup = Some(MassPopup::Editor(Box::new(editor)));
                }
                return;
            }
            _ => {}
        }
        self.mass.popup = Some(MassPopup::Fields { filter, selected });
    }

    fn update_mass_editor(
        &mut self,
        mut editor: FieldEditor,
        action: Action,
        ids: &mut RequestIds,
    ) -> Vec<Effect> {
        match action {
            Action::Cancel => return Vec::new(),
            Action::Up => editor.move_choice(-1),
            Action::Down => editor.move_choice(1),
            Action::ExternalEditor if editor.takes_external_editor() => {
                let req = ids.allocate();
                self.mass.editing = Some(req);
                let text = editor.text().to_owned();
                self.mass.popup = Some(MassPopup::Editor(Box::new(editor)));
                return vec![Effect::OpenEditor {
                    req,
                    text,
                    extension: "txt",
                }];
            }
            Action::Submit => match editor.submit() {
                Submit::Accept(value) => {
                    self.stage(&editor, value);
                    return Vec::new();
                }
                Submit::Invalid => {}
                Submit::Search { object, text } => {
                    let (req, effect) = spawn(ids, RecordsJob::Search { object, text });
                    self.mass.search = Some(req);
                    self.mass.popup = Some(MassPopup::Editor(Box::new(editor)));
                    return vec![effect];
                }
            },
            _ => {}
        }
        self.mass.popup = Some(MassPopup::Editor(Box::new(editor)));
        Vec::new()
    }

    /// Stages the editor's value on the selection (written to the drafts file at once).
    fn stage(&mut self, editor: &FieldEditor, value: Value) {
        let shown = match (&value, &editor.kind) {
            (Value::Null, _) => "(empty)".to_owned(),
            (Value::String(id), field_editor::EditorKind::Reference { .. }) => editor
                .results
                .iter()
                .find(|(rid, _)| rid == id)
                .map_or_else(|| id.clone(), |(_, name)| name.clone()),
            (Value::String(s), _) => s.clone(),
            (other, _) => other.to_string(),
        };
        let view = self.view();
        // The loaded rows in list order first, then any selected row not loaded now.
        let mut in_list: IndexSet<String> = (0..view.rows.len())
            .map(|r| view.rows.id(r))
            .filter(|id| self.mass.selected.contains(*id))
            .map(str::to_owned)
            .collect();
        in_list.extend(self.mass.selected.iter().cloned());
        let in_list: Vec<String> = in_list.into_iter().collect();
        let edit = MassEdit {
            profile: self.profile.clone(),
            object: view.object.clone(),
            field: editor.field.clone(),
            label: editor.label.clone(),
            value,
            shown,
            ids: in_list,
        };
        self.notice = None;
        self.mass.staged = Some(edit);
    }
}
