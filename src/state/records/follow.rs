//! The lists follow the writes of the record detail view and of mass edits: a saved record's
//! row is read again (and leaves a filtered list it no longer matches), a created record's row
//! joins the lists of its object that it matches, a deleted record's row goes; the count
//! follows each time.

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

/// The most records one query reads again (an `IN` list of 200 ids stays far below SOQL's
/// length limit, and its rows come back in one page).
const REFETCH_CHUNK: usize = 200;

/// `Id = '…'` for one record, `Id IN ('…', …)` for more.
fn id_condition(ids: &[String]) -> String {
    let quoted: Vec<String> = ids
        .iter()
        .map(|id| format!("'{}'", soql::escape_literal(id)))
        .collect();
    match quoted.as_slice() {
        [one] => format!("Id = {one}"),
        _ => format!("Id IN ({})", quoted.join(", ")),
    }
}

impl RecordsState {
    /// The query that reads records `ids` as `view` shows them, through the view's filter
    /// (`None` when the filter is a whole query, or a clause with its own ORDER BY or LIMIT).
    fn row_query(&self, view: &ListView, ids: &[String]) -> Option<String> {
        let by_id = id_condition(ids);
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
        records: Vec<String>,
        soql: String,
        follow: Follow,
        ids: &mut RequestIds,
    ) -> Effect {
        let view = &self.views[view];
        let (req, effect) = spawn(
            ids,
            RecordsJob::Refetch {
                object: view.object.clone(),
                ids: records,
                soql,
                columns: view.columns.clone(),
            },
        );
        self.refetch_reqs.insert(req, (view.object.clone(), follow));
        effect
    }

    /// The detail view saved `id` of `object`: its row is read again in the lists that show it.
    pub fn record_changed(&mut self, object: &str, id: &str, ids: &mut RequestIds) -> Vec<Effect> {
        self.records_changed(object, &[id.to_owned()], ids)
    }

    /// Records `changed` of `object` were saved (by the detail view or a mass edit): their rows
    /// are read again, up to 200 a query, in the lists that show them, so what Salesforce set
    /// besides the edited field (`LastModifiedDate`, formulas, triggers) shows too.
    pub fn records_changed(
        &mut self,
        object: &str,
        changed: &[String],
        ids: &mut RequestIds,
    ) -> Vec<Effect> {
        let mut effects = Vec::new();
        for i in 0..self.views.len() {
            let view = &self.views[i];
            if !view.object.eq_ignore_ascii_case(object) {
                continue;
            }
            let shown: Vec<String> = changed
                .iter()
                .filter(|id| view.rows.position(id).is_some())
                .cloned()
                .collect();
            for chunk in shown.chunks(REFETCH_CHUNK) {
                let view = &self.views[i];
                // A whole query's list reads the rows by their Ids alone.
                let soql = self.row_query(view, chunk).unwrap_or_else(|| {
                    let by_id = id_condition(chunk);
                    soql::build_query(&view.object, &view.columns, Some(&by_id), None)
                });
                effects.push(self.refetch(i, chunk.to_vec(), soql, Follow::Saved, ids));
            }
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
            let id = [id.to_owned()];
            match self.row_query(view, &id) {
                Some(soql) => effects.push(self.refetch(i, id.into(), soql, Follow::Created, ids)),
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

    /// Rows read again after a write: each replaced, dropped (no longer in the list) or added.
    pub(super) fn on_refetched(
        &mut self,
        req: RequestId,
        records: Vec<String>,
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
            // Rows read with other columns (the list's changed since) tell nothing of its cells.
            let comparable = found
                .as_ref()
                .is_none_or(|f| f.columns() == view.rows.columns());
            if !comparable {
                continue;
            }
            for id in &records {
                let fresh = found.as_ref().and_then(|f| Some((f, f.position(id)?)));
                match (follow, view.rows.position(id)) {
                    (Follow::Saved, Some(row)) => match fresh {
                        Some((fresh, at)) => {
                            let _ = view.rows.replace(row, cells(fresh, at));
                        }
                        // Read through the list's filter and not found: it left the list.
                        None => {
                            view.rows.remove(row);
                            view.total = view.total.map(|t| t.saturating_sub(1));
                            if view.cursor >= view.rows.len() {
                                view.cursor = view.rows.len().saturating_sub(1);
                            }
                        }
                    },
                    // Not while the list loads its first page again: that page has the record.
                    (Follow::Created, None) if view.total.is_some() => {
                        if let Some((fresh, at)) = fresh {
                            add_first(view, id, cells(fresh, at));
                        }
                    }
                    _ => {}
                }
            }
        }
        Vec::new()
    }
}

/// The cells of row `at` of a store read again.
fn cells(fresh: &RowStore, at: usize) -> Vec<Option<&str>> {
    (0..fresh.columns().len())
        .map(|c| fresh.cell(at, c))
        .collect()
}

/// A created record's row goes first (where it is seen) and counts; the cursor stays on the
/// record it was on.
fn add_first(view: &mut ListView, id: &str, cells: Vec<Option<&str>>) {
    let had_rows = !view.rows.is_empty();
    if view.rows.insert(0, id, cells).is_err() {
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
