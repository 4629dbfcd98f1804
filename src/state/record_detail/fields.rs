//! The record's fields as the view shows them: names, values, what can be edited, and the
//! order of the rows (editable first).

use std::sync::Arc;

use serde_json::Value;

use crate::sf::{FieldDescribe, SObjectDescribe};
use crate::state::field_editor::{self, display_datetime};

use super::{RecordDetailState, Target};

impl RecordDetailState {
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

    pub(super) fn set_describe(&mut self, describe: Arc<SObjectDescribe>) {
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
}
