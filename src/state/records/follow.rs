//! The lists follow the writes of the record detail view: a saved record's row is read again
//! (and leaves a filtered list it no longer matches), a created record's row joins the lists
//! of its object that it matches, a deleted record's row goes; the count follows each time.

use crate::effect::{Effect, RequestId, RequestIds};
use crate::state::records::job::{JobError, RecordsJob};

use super::rowstore::RowStore;
use super::soql;
use super::{Filter, ListView, RecordsState, spawn};

/// Why a row is read again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Follow {
    /// The record was saved: its row is replaced, or dropped when it left the list's filter.
    Saved,
    /// The record was created: its row joins the list when it matches the filter.
    Created,
}

impl RecordsState {
    /// The query that reads record `id` as `view` shows it, through the view's filter (`None`
    /// when the filter is a whole query, or a clause with its own ORDER BY or LIMIT).
    fn row_query(&self, view: &ListView, id: &str) -> Option<String> {
        let by_id = format!("Id = '{}'", soql::escape_literal(id));
        let condition = match &view.filter {
            Filter::None => by_id,
            Filter::Quick(text) => {
                let name = self.name_field(&view.object);
                format!("({}) AND {by_id}", soql::contains_condition(&name, text))
            }
            Filter::Where(typed) if !soql::has_clause_tail(soql::strip_where(typed)) => {
                format!("({}) AND {by_id}", soql::strip_where(typed))
            }
            Filter::Where(_) | Filter::Soql(_) => return None,
        };
        Some(soql::build_query(
            &view.object,
            &view.columns,
            Some(&condition),
            None,
        ))
    }

    fn refetch(
        &mut self,
        view: usize,
        id: &str,
        soql: String,
        follow: Follow,
        ids: &mut RequestIds,
    ) -> Effect {
        let view = &self.views[view];
        let (req, effect) = spawn(
            ids,
            RecordsJob::Refetch {
                object: view.object.clone(),
                id: id.to_owned(),
                soql,
                columns: view.columns.clone(),
            },
        );
        self.refetch_reqs.insert(req, (view.object.clone(), follow));
        effect
    }

    /// The detail view saved `id` of `object`: its row is read again in the lists that show it.
    pub fn record_changed(&mut self, object: &str, id: &str, ids: &mut RequestIds) -> Vec<Effect> {
        let mut effects = Vec::new();
        for i in 0..self.views.len() {
            let view = &self.views[i];
            if !view.object.eq_ignore_ascii_case(object) || view.rows.position(id).is_none() {
                continue;
            }
            // A whole query's list reads the row by its Id alone.
            let soql = self.row_query(view, id).unwrap_or_else(|| {
                let by_id = format!("Id = '{}'", soql::escape_literal(id));
                soql::build_query(&view.object, &view.columns, Some(&by_id), None)
            });
            effects.push(self.refetch(i, id, soql, Follow::Saved, ids));
        }
        effects
    }

    /// The detail view created `id` of `object`: the loaded lists of that object read its row
    /// through their filter (a list filtered by a whole query reloads when shown next).
    pub fn record_created(&mut self, object: &str, id: &str, ids: &mut RequestIds) -> Vec<Effect> {
        let mut effects = Vec::new();
        for i in 0..self.views.len() {
            let view = &self.views[i];
            if !view.object.eq_ignore_ascii_case(object) || !view.started() {
                continue;
            }
            match self.row_query(view, id) {
                Some(soql) => effects.push(self.refetch(i, id, soql, Follow::Created, ids)),
                None => self.views[i].stale = true,
            }
        }
        effects
    }

    /// The detail view deleted `id`: drop its row.
    pub fn record_deleted(&mut self, object: &str, id: &str) {
        for view in self
            .views
            .iter_mut()
            .filter(|v| v.object.eq_ignore_ascii_case(object))
        {
            if let Some(row) = view.rows.position(id) {
                view.rows.remove(row);
                view.total = view.total.map(|t| t.saturating_sub(1));
                if view.cursor >= view.rows.len() {
                    view.cursor = view.rows.len().saturating_sub(1);
                }
            }
        }
    }

    /// A row read again after a write: replaced, dropped (no longer in the list) or added.
    pub(super) fn on_refetched(
        &mut self,
        req: RequestId,
        id: String,
        result: Result<Option<RowStore>, JobError>,
    ) -> Vec<Effect> {
        let Some((object, follow)) = self.refetch_reqs.remove(&req) else {
            return Vec::new();
        };
        let Ok(found) = result else {
            return Vec::new();
        };
        for view in self
            .views
            .iter_mut()
            .filter(|v| v.object.eq_ignore_ascii_case(&object))
        {
            let fresh = found
                .as_ref()
                .filter(|f| f.columns() == view.rows.columns() && !f.is_empty());
            match (follow, view.rows.position(&id)) {
                (Follow::Saved, Some(row)) => match fresh {
                    Some(fresh) => {
                        let _ = view.rows.replace(row, cells(fresh));
                    }
                    None if found.is_none() => {
                        view.rows.remove(row);
                        view.total = view.total.map(|t| t.saturating_sub(1));
                        if view.cursor >= view.rows.len() {
                            view.cursor = view.rows.len().saturating_sub(1);
                        }
                    }
                    None => {}
                },
                // Not while the list loads its first page again: that page has the record.
                (Follow::Created, None) if view.total.is_some() => {
                    if let Some(fresh) = fresh {
                        add_first(view, &id, fresh);
                    }
                }
                _ => {}
            }
        }
        Vec::new()
    }
}

/// The cells of a one-row store.
fn cells(fresh: &RowStore) -> Vec<Option<&str>> {
    (0..fresh.columns().len())
        .map(|c| fresh.cell(0, c))
        .collect()
}

/// A created record's row goes first (where it is seen) and counts; the cursor stays on the
/// record it was on.
fn add_first(view: &mut ListView, id: &str, fresh: &RowStore) {
    let had_rows = !view.rows.is_empty();
    if view.rows.insert(0, id, cells(fresh)).is_err() {
        return;
    }
    view.added.push(id.to_owned());
    view.total = view.total.map(|t| t + 1);
    if had_rows {
        view.cursor += 1;
        if view.scroll > 0 {
            view.scroll += 1;
        }
    }
}
