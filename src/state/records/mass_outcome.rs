//! Sending a mass write (and a staged edit restored from the drafts file), and what it brings
//! back: the written rows change in place (the value shown at once, then the rows as
//! Salesforce now has them, read again) or leave the list (deleted, the count follows); the
//! others are listed with their errors and stay selected; the footer sums it up ("49 updated,
//! 1 failed").

use std::collections::HashMap;

use serde_json::Value;

use serde_json::Map;

use super::job::{JobError, RecordsJob};
use super::mass::{Failure, MassEdit, MassPopup, Sending};
use super::rowstore::display_value;
use super::{RecordsState, spawn};
use crate::effect::{Effect, RequestId, RequestIds};
use crate::sf::JsonRef;
use crate::state::record_detail::Draft;

impl RecordsState {
    /// A staged mass edit restored from the drafts file: shown on its object, its records
    /// selected again.
    pub fn restore_mass(&mut self, draft: &Draft, ids: &mut RequestIds) -> Vec<Effect> {
        let Some(mass) = &draft.mass else {
            return Vec::new();
        };
        let Some((field, value)) = draft.staged.iter().next() else {
            return Vec::new();
        };
        let edit = MassEdit {
            profile: draft.profile.clone(),
            object: draft.object.clone(),
            field: field.clone(),
            label: if mass.label.is_empty() {
                field.clone()
            } else {
                mass.label.clone()
            },
            value: value.clone(),
            shown: mass.shown.clone(),
            ids: mass.ids.clone(),
        };
        self.notice = Some(format!(
            "{} for {} selected is staged again: ctrl-s saves it, u undoes it.",
            edit.summary(),
            edit.ids.len()
        ));
        let effects = self.switch_to(&draft.object, ids);
        self.mass.restage(edit);
        effects
    }

    pub(super) fn send_update(&mut self, ids: &mut RequestIds) -> Vec<Effect> {
        let Some(edit) = self.mass.staged.clone() else {
            return Vec::new();
        };
        let mut fields = Map::new();
        fields.insert(edit.field.clone(), edit.value.clone());
        let (req, effect) = spawn(
            ids,
            RecordsJob::MassUpdate {
                object: edit.object.clone(),
                ids: edit.ids.clone(),
                fields,
            },
        );
        self.notice = Some(format!(
            "Saving {} on {} records…",
            edit.summary(),
            edit.ids.len()
        ));
        self.mass.sending = Some((req, Sending::Update(edit)));
        vec![effect]
    }

    pub(super) fn send_delete(&mut self, ids: &mut RequestIds) -> Vec<Effect> {
        let object = self.view().object.clone();
        let selected: Vec<String> = self.mass.selected.iter().cloned().collect();
        let (req, effect) = spawn(
            ids,
            RecordsJob::MassDelete {
                object: object.clone(),
                ids: selected.clone(),
            },
        );
        self.notice = Some(format!("Deleting {} records…", selected.len()));
        self.mass.sending = Some((
            req,
            Sending::Delete {
                object,
                ids: selected,
            },
        ));
        vec![effect]
    }
    /// `$EDITOR` gave back the mass edit's value (the editor is still open on it).
    pub fn on_mass_edited(&mut self, req: RequestId, result: Result<String, String>) {
        if self.mass.editing.take_if(|r| *r == req).is_none() {
            return;
        }
        if let Some(MassPopup::Editor(editor)) = &mut self.mass.popup {
            editor.take_edited(result);
        }
    }

    /// A mass update or delete answered: each record's error by position (`None`: written).
    pub(super) fn on_mass_written(
        &mut self,
        req: RequestId,
        result: Result<Vec<Option<String>>, JobError>,
        ids: &mut RequestIds,
    ) -> Vec<Effect> {
        let Some((_, sending)) = self.mass.sending.take_if(|(r, _)| *r == req) else {
            return Vec::new();
        };
        let (object, sent) = match &sending {
            Sending::Update(edit) => (edit.object.clone(), edit.ids.clone()),
            Sending::Delete { object, ids } => (object.clone(), ids.clone()),
        };
        let errors = match result {
            Ok(errors) => errors,
            // Nothing was written (no connection, an id refused before sending): the edit
            // stays staged.
            Err(e) => {
                self.notice = Some(format!("Nothing was sent: {}", super::err_text(&e)));
                return Vec::new();
            }
        };
        let mut written = Vec::new();
        let mut failures = Vec::new();
        for (i, id) in sent.iter().enumerate() {
            match errors.get(i) {
                Some(None) => written.push(id.clone()),
                Some(Some(error)) => failures.push((id.clone(), error.clone())),
                None => failures.push((id.clone(), "no result came back for it".to_owned())),
            }
        }
        let failures: Vec<Failure> = failures
            .into_iter()
            .map(|(id, error)| Failure {
                name: self.row_name(&object, &id).unwrap_or_else(|| id.clone()),
                id,
                error,
            })
            .collect();
        let mut effects = Vec::new();
        let verb = match &sending {
            Sending::Update(edit) => {
                self.show_written(edit, &written);
                effects = self.records_changed(&object, &written, ids);
                self.mass.staged = None;
                "updated"
            }
            Sending::Delete { .. } => {
                for id in &written {
                    self.record_deleted(&object, id);
                }
                "deleted"
            }
        };
        for id in &written {
            self.mass.selected.shift_remove(id);
        }
        let mut summary = format!("{} {verb}", written.len());
        if !failures.is_empty() {
            summary.push_str(&format!(", {} failed (still selected)", failures.len()));
            let title = format!(
                "{} of {} {object} records not {verb}",
                failures.len(),
                sent.len()
            );
            self.mass.popup = Some(MassPopup::Failures {
                title,
                rows: failures,
                selected: 0,
            });
        }
        summary.push('.');
        self.notice = Some(summary);
        effects
    }

    /// The written rows of the lists of the edit's object show the new value: the field's
    /// column, and for a reference the parent's name column (`Owner.Name`).
    fn show_written(&mut self, edit: &MassEdit, written: &[String]) {
        let text = display_value(&JsonRef::from(&edit.value)).map(|t| t.into_owned());
        let relationship = self
            .describe(&edit.object)
            .and_then(|d| d.field(&edit.field))
            .and_then(|f| f.relationship_name.clone());
        for view in self
            .views
            .iter_mut()
            .filter(|v| v.object.eq_ignore_ascii_case(&edit.object))
        {
            let mut changes: Vec<(usize, Option<String>)> = Vec::new();
            for (c, column) in view.rows.columns().iter().enumerate() {
                if column.eq_ignore_ascii_case(&edit.field) {
                    changes.push((c, text.clone()));
                } else if let Some(rel) = &relationship
                    && column.len() > rel.len() + 1
                    && column[..rel.len()].eq_ignore_ascii_case(rel)
                    && column[rel.len()..].eq_ignore_ascii_case(".Name")
                {
                    let name = (edit.value != Value::Null).then(|| edit.shown.clone());
                    changes.push((c, name));
                }
            }
            if changes.is_empty() {
                continue;
            }
            let rows: HashMap<&str, usize> =
                (0..view.rows.len()).map(|r| (view.rows.id(r), r)).collect();
            let targets: Vec<usize> = written
                .iter()
                .filter_map(|id| rows.get(id.as_str()).copied())
                .collect();
            for row in targets {
                let mut cells: Vec<Option<String>> = (0..view.rows.columns().len())
                    .map(|c| view.rows.cell(row, c).map(str::to_owned))
                    .collect();
                for (c, value) in &changes {
                    cells[*c].clone_from(value);
                }
                let _ = view.rows.replace(row, cells.iter().map(Option::as_deref));
            }
        }
    }

    /// The name a loaded row of `object` shows (its name field's column).
    fn row_name(&self, object: &str, id: &str) -> Option<String> {
        let name = self.name_field(object);
        self.views
            .iter()
            .filter(|v| v.object.eq_ignore_ascii_case(object))
            .find_map(|view| {
                let c = view
                    .rows
                    .columns()
                    .iter()
                    .position(|c| c.eq_ignore_ascii_case(&name))?;
                let row = view.rows.position(id)?;
                view.rows.cell(row, c).map(str::to_owned)
            })
    }

    /// The mass edit's reference search answered.
    pub(super) fn on_mass_found(
        &mut self,
        req: RequestId,
        result: Result<Vec<(String, String)>, String>,
    ) -> Vec<Effect> {
        if self.mass.search.take_if(|r| *r == req).is_none() {
            return Vec::new();
        }
        if let Some(MassPopup::Editor(editor)) = &mut self.mass.popup {
            editor.on_found(result);
        }
        Vec::new()
    }
}
