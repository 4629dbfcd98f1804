//! The popups over the detail view and the field editor's keys.

use serde_json::Value;

use crate::action::Action;
use crate::effect::{Effect, RequestIds};
use crate::state::field_editor::{self, FieldEditor, Submit};
use crate::state::record_detail::job::RecordJob;

use super::{Conflict, DetailReply, Pending, RecordDetailState};

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

impl RecordDetailState {
    pub(super) fn update_editor(
        &mut self,
        mut editor: FieldEditor,
        action: Action,
        ids: &mut RequestIds,
    ) -> DetailReply {
        match action {
            Action::Cancel => return DetailReply::none(),
            Action::Up => editor.move_choice(-1),
            Action::Down => editor.move_choice(1),
            Action::ExternalEditor if editor.takes_external_editor() => {
                let text = editor.text().to_string();
                self.popup = Some(Popup::Editor(Box::new(editor)));
                return DetailReply::Effects(self.local(ids, Pending::Edit, |req| {
                    Effect::OpenEditor {
                        req,
                        text,
                        extension: "txt",
                    }
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
}
