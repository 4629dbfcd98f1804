//! The columns of a list: sorting by the focused column and the column chooser.

use crate::action::Action;
use crate::effect::{Effect, RequestIds};
use crate::state::text_input::TextInput;

use super::soql::SortDir;
use std::collections::BTreeMap;

use ratatui::crossterm::event::KeyEvent;

use super::rowstore::RowStore;
use super::soql::child_count;
use super::{Choice, Filter, ListView, Popup, RecordsState, default_columns};

impl RecordsState {
    pub(super) fn sort(&mut self, ids: &mut RequestIds) -> Vec<Effect> {
        let view = self.view();
        if matches!(view.filter, Filter::Soql(_)) {
            self.notice = Some(
                "Sorting works on the list's own query: clear the SOQL line (w) to sort.".into(),
            );
            return Vec::new();
        }
        let Some(column) = view.columns.get(view.focus_col).cloned() else {
            return Vec::new();
        };
        if let Some(relationship) = child_count(&column) {
            self.notice = Some(format!(
                "{column} is not sortable: SOQL cannot order by the count of {relationship}."
            ));
            return Vec::new();
        }
        if let Some(field) = self.field_of_path(&view.object, &column)
            && !field.sortable
        {
            self.notice = Some(format!(
                "{column} is not sortable (describe: sortable false)."
            ));
            return Vec::new();
        }
        let dir = match &view.sort {
            Some((c, SortDir::Asc)) if *c == column => SortDir::Desc,
            _ => SortDir::Asc,
        };
        self.notice = None;
        self.view_mut().sort = Some((column, dir));
        self.reload(ids)
    }

    pub(super) fn open_chooser(&mut self, ids: &mut RequestIds) -> Vec<Effect> {
        let object = self.view().object.clone();
        let Some(describe) = self.describe(&object).cloned() else {
            self.notice = Some(format!("Waiting for the describe of {object}…"));
            return self.describe_effects(&object, ids);
        };
        let choices = self.initial_choices(&describe);
        self.popup = Some(Popup::Columns {
            choices,
            selected: 0,
            filter: TextInput::default(),
            typing: false,
        });
        Vec::new()
    }

    pub(super) fn apply_columns(
        &mut self,
        choices: &[Choice],
        ids: &mut RequestIds,
    ) -> Vec<Effect> {
        let view = self.view();
        let chosen: Vec<&str> = choices
            .iter()
            .filter(|c| c.on && c.is_column())
            .map(|c| c.path.as_str())
            .collect();
        // Columns kept stay in place; new ones follow in chooser order.
        let mut columns: Vec<String> = view
            .columns
            .iter()
            .filter(|c| chosen.iter().any(|n| n.eq_ignore_ascii_case(c)))
            .cloned()
            .collect();
        for name in chosen {
            if !columns.iter().any(|c| c.eq_ignore_ascii_case(name)) {
                columns.push(name.to_owned());
            }
        }
        if columns.is_empty() {
            self.notice = Some("Keep at least one column.".into());
            return Vec::new();
        }
        if columns == view.columns {
            return Vec::new();
        }
        self.chosen
            .insert(view.object.to_ascii_lowercase(), columns.clone());
        let view = self.view_mut();
        view.object_columns = columns.clone();
        view.columns = columns;
        view.custom_columns = true;
        view.focus_col = view.focus_col.min(view.columns.len() - 1);
        if matches!(view.filter, Filter::Soql(_)) {
            view.filter = Filter::None;
        }
        self.reload(ids)
    }

    /// The chooser's reset: the object's default columns, shown at once (a whole query's
    /// filter goes with its columns).
    pub(super) fn reset_columns(&mut self, ids: &mut RequestIds) -> Vec<Effect> {
        self.popup = None;
        let object = self.view().object.to_ascii_lowercase();
        self.chosen.remove(&object);
        let view = self.view_mut();
        view.object_columns = default_columns(&view.object);
        view.custom_columns = false;
        if matches!(view.filter, Filter::Soql(_)) {
            view.filter = Filter::None;
        }
        view.show_object_columns();
        self.reload(ids)
    }

    /// A new list of `object`, with the columns chosen for it if any.
    pub(super) fn new_view(&self, object: &str) -> ListView {
        let mut view = ListView::new(object);
        if let Some(columns) = self.chosen.get(&object.to_ascii_lowercase()) {
            view.rows = RowStore::new(columns.clone());
            view.object_columns = columns.clone();
            view.columns = columns.clone();
            view.custom_columns = true;
        }
        view
    }

    /// The columns chosen per object (lower-cased names), for the choices file.
    pub fn chosen_columns(&self) -> BTreeMap<String, Vec<String>> {
        self.chosen.clone()
    }

    /// Columns chosen in an earlier run: used by `object`'s list from now on (at once when it
    /// has not started loading). An empty list is ignored.
    pub fn choose_columns(&mut self, object: &str, columns: Vec<String>) {
        if columns.is_empty() {
            return;
        }
        self.chosen.insert(object.to_ascii_lowercase(), columns);
        if let Some(i) = self.index_of(object)
            && !self.views[i].started()
        {
            let named = self.views[i].object.clone();
            self.views[i] = self.new_view(&named);
        }
    }

    /// The index of `object`'s list, if it has one.
    pub(super) fn index_of(&self, object: &str) -> Option<usize> {
        self.views
            .iter()
            .position(|v| v.object.eq_ignore_ascii_case(object))
    }

    /// Makes `object`'s list (created if new) the current one, without loading it.
    pub fn show_object(&mut self, object: &str) {
        self.current = match self.index_of(object) {
            Some(i) => i,
            None => {
                self.views.push(self.new_view(object));
                self.views.len() - 1
            }
        };
    }

    /// The chooser's filter line has the keys.
    pub fn chooser_typing(&self) -> bool {
        matches!(self.popup, Some(Popup::Columns { typing: true, .. }))
    }

    /// A key typed into the chooser's filter: the rows follow at once, from the top.
    pub(super) fn type_into_chooser(&mut self, key: KeyEvent) {
        if let Some(Popup::Columns {
            filter,
            selected,
            typing: true,
            ..
        }) = &mut self.popup
            && filter.handle_key(key).changed()
        {
            *selected = 0;
        }
    }

    /// An action while the chooser's filter line has the keys: enter keeps the filter and
    /// gives the keys back to the list, esc clears it.
    pub(super) fn update_chooser_filter(&mut self, action: Action) {
        let Some(Popup::Columns {
            filter,
            selected,
            typing,
            ..
        }) = &mut self.popup
        else {
            return;
        };
        match action {
            Action::Submit => *typing = false,
            Action::Cancel => {
                *filter = TextInput::default();
                *selected = 0;
                *typing = false;
            }
            _ => {}
        }
    }
}
