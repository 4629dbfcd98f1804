//! Loading a list page by page: the first query, the prefetch as the cursor nears the end,
//! the describes and the errors of a page.

use std::sync::Arc;

use crate::effect::{Effect, RequestId, RequestIds};
use crate::sf::SObjectDescribe;
use crate::state::records::job::{JobError, PageRows, RecordsJob};
use crate::state::text_input::TextInput;

use super::rowstore::RowStore;
use super::soql;
use super::{Filter, LineInput, ListView, PREFETCH_ROWS, RecordsState, SoqlError, err_text, spawn};

impl RecordsState {
    /// A profile connected: a different one than before drops every loaded list; the current
    /// list loads if it has not.
    pub fn connected(&mut self, profile: &str, ids: &mut RequestIds) -> Vec<Effect> {
        let mut effects = Vec::new();
        if self.profile.as_deref() != Some(profile) {
            effects = self.forget_org();
            self.profile = Some(profile.to_owned());
            self.mass.connected(profile);
        }
        effects.extend(self.ensure_loaded(ids));
        effects
    }

    /// Another profile is being connected (or failed to connect): the lists of the org they
    /// came from go, with its describes and object names, and the loads still running stop.
    /// The lists stay empty, "not connected", until a profile connects. Exports and an import
    /// under way are no longer followed (every call would go to the new org): their jobs go on
    /// in Salesforce, and each says so.
    pub fn forget_org(&mut self) -> Vec<Effect> {
        let mut effects = Vec::new();
        for export in self.exports.iter_mut().filter(|e| e.is_running()) {
            effects.extend(export.req.take().map(Effect::Cancel));
            export.error = Some(match &export.job {
                Some(job) => format!(
                    "left when another profile connected: job {} goes on in Salesforce",
                    job.id
                ),
                None => "left when another profile connected".to_owned(),
            });
        }
        let import = self.import.take().map(|wizard| wizard.leave());
        for i in 0..self.views.len() {
            if let Some(req) = self.views[i].fetch.take() {
                effects.push(Effect::Cancel(req));
            }
            let object = self.views[i].object.clone();
            self.views[i] = self.new_view(&object);
        }
        self.describes.clear();
        self.describe_reqs.clear();
        self.refetch_reqs.clear();
        self.objects = None;
        self.global_req = None;
        self.profile = None;
        // A line or chooser open on the old org's describes goes too.
        self.input = None;
        self.popup = None;
        self.notice = None;
        if let Some((reqs, notice)) = import {
            effects.extend(reqs.into_iter().map(Effect::Cancel));
            self.notice = notice;
        }
        self.mass.forget_org();
        effects
    }

    /// Starts the current list (and its describe) if it never loaded, or reloads it if it is
    /// stale (keeping the cursor on the same record when it is still there).
    pub fn ensure_loaded(&mut self, ids: &mut RequestIds) -> Vec<Effect> {
        if self.profile.is_none() {
            return Vec::new();
        }
        let view = self.view();
        if view.stale {
            let restore = (view.cursor < view.rows.len())
                .then(|| (view.rows.id(view.cursor).to_owned(), view.cursor));
            let effects = self.reload(ids);
            let view = self.view_mut();
            view.stale = false;
            view.restore = restore;
            return effects;
        }
        if view.started() {
            return Vec::new();
        }
        self.reload(ids)
    }

    /// Data changed outside the tab (the Composer or the History sent a write): every loaded
    /// list reloads the next time it is shown.
    pub fn mark_stale(&mut self) {
        for view in self.views.iter_mut().filter(|v| v.started()) {
            view.stale = true;
        }
    }

    pub(super) fn describe_effects(&mut self, object: &str, ids: &mut RequestIds) -> Vec<Effect> {
        let key = object.to_ascii_lowercase();
        if self.describes.contains_key(&key) || self.describe_reqs.values().any(|o| *o == key) {
            return Vec::new();
        }
        let (req, effect) = spawn(
            ids,
            RecordsJob::Describe {
                object: object.to_owned(),
            },
        );
        self.describe_reqs.insert(req, key);
        vec![effect]
    }

    /// The query of a view as it stands.
    pub(super) fn query_of(&self, view: &ListView) -> String {
        self.query_with(view, &view.columns)
    }

    /// The query of a view with other columns (a whole query typed stays as it is).
    pub(super) fn query_with(&self, view: &ListView, columns: &[String]) -> String {
        match &view.filter {
            Filter::Soql(text) => text.trim().to_owned(),
            Filter::None => soql::build_query(
                &view.object,
                columns,
                None,
                view.sort.as_ref().map(|(f, d)| (f.as_str(), *d)),
            ),
            Filter::Quick(text) => {
                let name = self.name_field(&view.object);
                let condition = soql::contains_condition(&name, text);
                soql::build_query(
                    &view.object,
                    columns,
                    Some(&condition),
                    view.sort.as_ref().map(|(f, d)| (f.as_str(), *d)),
                )
            }
            Filter::Where(typed) => soql::build_query(
                &view.object,
                columns,
                Some(soql::strip_where(typed)),
                view.sort.as_ref().map(|(f, d)| (f.as_str(), *d)),
            ),
        }
    }

    /// The field quick search looks in: describe's name field, else `Name`.
    pub fn name_field(&self, object: &str) -> String {
        self.describe(object)
            .and_then(|d| d.fields.iter().find(|f| f.name_field))
            .map_or_else(|| "Name".to_owned(), |f| f.name.clone())
    }

    /// Re-queries the current list from the start.
    pub(super) fn reload(&mut self, ids: &mut RequestIds) -> Vec<Effect> {
        if self.profile.is_none() {
            self.view_mut().error = Some("Connect a profile first.".into());
            return Vec::new();
        }
        let mut effects = Vec::new();
        let object = self.view().object.clone();
        effects.extend(self.describe_effects(&object, ids));
        let soql = self.query_of(self.view());
        let (req, effect) = spawn(
            ids,
            RecordsJob::Query {
                object: object.clone(),
                soql: soql.clone(),
                columns: self.view().columns.clone(),
            },
        );
        let view = self.view_mut();
        if let Some(old) = view.fetch.replace(req) {
            effects.push(Effect::Cancel(old));
        }
        view.soql = soql;
        view.rows = RowStore::new(view.columns.clone());
        view.total = None;
        view.next_url = None;
        view.pages = 0;
        view.cursor = 0;
        view.scroll = 0;
        view.follow_end = false;
        view.error = None;
        view.restore = None;
        view.stale = false;
        view.added.clear();
        effects.push(effect);
        effects
    }

    /// Fetches the next page if the cursor is near the end (or `G` follows) and none is in flight.
    pub(super) fn prefetch(&mut self, ids: &mut RequestIds) -> Vec<Effect> {
        let margin = PREFETCH_ROWS.max(self.viewport * 2);
        let view = self.view();
        let near = view.follow_end || view.cursor + margin >= view.rows.len();
        let Some(url) = view.next_url.clone() else {
            return Vec::new();
        };
        if view.fetch.is_some() || !near || view.error.is_some() {
            return Vec::new();
        }
        let (req, effect) = spawn(
            ids,
            RecordsJob::More {
                object: view.object.clone(),
                url,
                columns: view.columns.clone(),
                page: view.pages + 1,
            },
        );
        self.view_mut().fetch = Some(req);
        vec![effect]
    }

    pub(super) fn keep_cursor_visible(&mut self) {
        let height = self.viewport.max(1);
        let view = self.view_mut();
        let len = view.rows.len();
        if len == 0 {
            view.cursor = 0;
            view.scroll = 0;
            return;
        }
        view.cursor = view.cursor.min(len - 1);
        if view.cursor < view.scroll {
            view.scroll = view.cursor;
        } else if view.cursor >= view.scroll + height {
            view.scroll = view.cursor + 1 - height;
        }
    }

    pub(super) fn move_cursor(&mut self, to: usize, ids: &mut RequestIds) -> Vec<Effect> {
        let view = self.view_mut();
        view.follow_end = false;
        view.cursor = to;
        self.keep_cursor_visible();
        self.prefetch(ids)
    }

    /// Switches to the view of `object` (created if new) and loads it if needed.
    pub fn switch_to(&mut self, object: &str, ids: &mut RequestIds) -> Vec<Effect> {
        self.show_object(object);
        self.mass.object_shown(object);
        self.notice = None;
        self.ensure_loaded(ids)
    }

    /// A describe arrived: kept for completion, sorting and the column chooser.
    pub(super) fn on_described(
        &mut self,
        req: RequestId,
        result: Result<Arc<SObjectDescribe>, JobError>,
    ) -> Vec<Effect> {
        let key = self.describe_reqs.remove(&req);
        match result {
            Ok(describe) => {
                let key = key.unwrap_or_else(|| describe.name.to_ascii_lowercase());
                if !describe.queryable
                    && let Some(view) = self
                        .views
                        .iter_mut()
                        .find(|v| v.object.eq_ignore_ascii_case(&describe.name))
                {
                    view.error = Some(format!("{} is not queryable.", describe.name));
                }
                let name = describe.name.clone();
                self.describes.insert(key, describe);
                self.chooser_described(&name);
            }
            Err(e) => {
                if let Some(key) = key
                    && let Some(view) = self
                        .views
                        .iter_mut()
                        .find(|v| v.object.eq_ignore_ascii_case(&key))
                    && view.error.is_none()
                    && view.total.is_none()
                    && view.fetch.is_none()
                {
                    view.error = Some(err_text(&e));
                }
            }
        }
        Vec::new()
    }

    pub(super) fn on_page(
        &mut self,
        req: RequestId,
        result: Result<PageRows, JobError>,
        ids: &mut RequestIds,
    ) -> Vec<Effect> {
        let Some(index) = self.views.iter().position(|v| v.fetch == Some(req)) else {
            return Vec::new();
        };
        let previous = self.current;
        self.current = index;
        let effects = self.apply_page(result, ids);
        self.current = previous;
        // Rows that arrive while `/` is typed are narrowed too.
        if index == self.current {
            self.narrow_search();
        }
        effects
    }

    fn apply_page(
        &mut self,
        result: Result<PageRows, JobError>,
        ids: &mut RequestIds,
    ) -> Vec<Effect> {
        let view = self.view_mut();
        view.fetch = None;
        match result {
            Ok(page) => {
                if page.rows.columns() != view.rows.columns() {
                    return Vec::new();
                }
                // A record created here since the query is already in the list.
                let rows = if view.added.is_empty() {
                    page.rows
                } else {
                    without(page.rows, &view.added)
                };
                if let Err(e) = view.rows.append(&rows) {
                    view.error = Some(e.to_string());
                    view.follow_end = false;
                    return Vec::new();
                }
                // Later pages repeat the query's count; rows created or deleted here since
                // changed it.
                if view.pages == 0 {
                    view.total = Some(page.total);
                }
                view.next_url = page.next_url;
                view.pages += 1;
                if view.next_url.is_none() {
                    view.rows.shrink_to_fit();
                }
                if view.follow_end {
                    view.cursor = view.rows.len().saturating_sub(1);
                    view.follow_end = view.next_url.is_some();
                }
                if let Some((id, at)) = view.restore.take() {
                    view.cursor = view.rows.position(&id).unwrap_or(at);
                }
                self.keep_cursor_visible();
                self.prefetch(ids)
            }
            Err(e) => {
                view.follow_end = false;
                self.page_error(e, ids)
            }
        }
    }

    fn page_error(&mut self, e: JobError, ids: &mut RequestIds) -> Vec<Effect> {
        let position = soql::error_position(&e.message);
        let view = self.view();
        let first_page = view.total.is_none();
        // A default column this org lacks (e.g. Owner.Name without User access): leave it out.
        if first_page
            && !view.custom_columns
            && !matches!(view.filter, Filter::Soql(_))
            && e.code.as_deref() == Some("INVALID_FIELD")
            && let Some(pos) = position
            && let Some(column) = soql::column_at(&view.soql, pos.column)
            && view.columns.len() > 1
            && let Some(i) = view.columns.iter().position(|c| *c == column)
        {
            let view = self.view_mut();
            view.columns.remove(i);
            view.object_columns.retain(|c| *c != column);
            view.focus_col = view.focus_col.min(view.columns.len() - 1);
            self.notice = Some(format!(
                "{column} is not available in this org: column left out."
            ));
            return self.reload(ids);
        }
        let text = err_text(&e);
        let typed = match &view.filter {
            Filter::Where(clause) => Some((clause.clone(), false)),
            Filter::Soql(query) => Some((query.clone(), true)),
            _ => None,
        };
        let soql_error = first_page && position.is_some()
            || matches!(
                e.code.as_deref(),
                Some("MALFORMED_QUERY" | "INVALID_FIELD" | "INVALID_TYPE")
            );
        if let Some((typed, full)) = typed.filter(|_| soql_error && first_page) {
            let (caret, in_list) = match position.filter(|p| p.row == 1) {
                Some(p) if full => (p.column.checked_sub(1), false),
                Some(p) => match where_caret(&view.soql, &typed, p.column) {
                    Some(caret) => (Some(caret), false),
                    None => (None, true),
                },
                None => (None, false),
            };
            let mut message = soql::error_detail(&e.message);
            if in_list {
                message = format!("In the list's columns or sort, not in this line: {message}");
            }
            self.input = Some(LineInput::Soql {
                input: TextInput::new(typed),
                error: Some(SoqlError {
                    code: e.code.clone(),
                    message,
                    caret,
                }),
                suggestions: Vec::new(),
                replace_from: 0,
            });
        }
        self.view_mut().error = Some(text);
        Vec::new()
    }
}

/// Where a 1-based `column` of the list's query `soql` falls in the WHERE clause `typed` on
/// the SOQL line (typed with or without the keyword): a character index in `typed`, or
/// `None` when it points into the list's own part (columns, sort).
fn where_caret(soql: &str, typed: &str, column: usize) -> Option<usize> {
    let clause = soql::strip_where(typed);
    let start = soql.find(" WHERE ")? + " WHERE ".len();
    let at = column
        .checked_sub(1)?
        .checked_sub(soql[..start].chars().count())?;
    let lead = typed.chars().count() - clause.chars().count();
    // The end of the clause too: an error at its end (unexpected <EOF>) points there.
    (at <= clause.chars().count()).then_some(lead + at)
}

/// The rows of a page but those of `skip` (records already in the list).
fn without(rows: RowStore, skip: &[String]) -> RowStore {
    if !(0..rows.len()).any(|r| skip.iter().any(|id| id == rows.id(r))) {
        return rows;
    }
    let mut kept = RowStore::new(rows.columns().to_vec());
    for r in (0..rows.len()).filter(|r| !skip.iter().any(|id| id == rows.id(*r))) {
        let cells: Vec<Option<&str>> = (0..rows.columns().len()).map(|c| rows.cell(r, c)).collect();
        // Fewer cells than the page held: the store cannot be full.
        let _ = kept.push(rows.id(r), cells);
    }
    kept
}
