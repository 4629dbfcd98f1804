//! `query` / `queryAll`: runs SOQL over the record store and pages the result
//! (`nextRecordsUrl`, `Sforce-Query-Options: batchSize`).

use std::borrow::Cow;

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::rest::{ApiError, Request};
use super::schema::Schema;
use super::soql::{FieldInfo, QueryOptions, Selection, SoqlSource};
use super::state::{Cursor, Inner, Shared, json_response};

/// The record store seen through the SOQL engine's interface.
pub(crate) struct Source<'a> {
    pub schema: &'a Schema,
    pub inner: &'a Inner,
}

impl SoqlSource for Source<'_> {
    fn object_name(&self, name: &str) -> Option<String> {
        self.schema.object(name).map(|o| o.name.clone())
    }

    fn field(&self, object: &str, name: &str) -> Option<FieldInfo> {
        self.schema
            .object(object)?
            .field(name)
            .map(super::schema::FieldMeta::soql_info)
    }

    fn relationship(&self, object: &str, name: &str) -> Option<FieldInfo> {
        self.schema
            .object(object)?
            .relationship(name)
            .map(super::schema::FieldMeta::soql_info)
    }

    fn rows(&self, object: &str) -> Box<dyn Iterator<Item = u32> + '_> {
        match self.inner.store.get(object) {
            Some(table) => Box::new(table.iter_positions()),
            None => Box::new(std::iter::empty()),
        }
    }

    fn find(&self, object: &str, id: &str) -> Option<u32> {
        self.inner.store.get(object)?.position(id)
    }

    fn value(&self, object: &str, pos: u32, field: &str) -> Option<Cow<'_, Value>> {
        self.inner
            .store
            .get(object)?
            .value(pos, field)
            .map(Cow::Owned)
    }

    fn is_deleted(&self, object: &str, pos: u32) -> bool {
        self.inner
            .store
            .get(object)
            .is_some_and(|t| t.is_deleted(pos))
    }
}

/// Batch size from `Sforce-Query-Options: batchSize=N` (clamped to 200..=2000, default 2000).
fn batch_size(request: &Request<'_>) -> usize {
    request
        .headers
        .get("sforce-query-options")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.split(',').find_map(|part| {
                let (k, n) = part.split_once('=')?;
                k.trim()
                    .eq_ignore_ascii_case("batchSize")
                    .then(|| n.trim().parse::<usize>().ok())?
            })
        })
        .map_or(2000, |n| n.clamp(200, 2000))
}

/// One page of a query result: records `offset..offset + batch` of `selection`, rendered now.
fn page(
    source: &Source<'_>,
    version: &str,
    locator: &str,
    selection: &Selection,
    offset: usize,
    batch: usize,
) -> Response {
    let len = selection.len();
    let end = (offset + batch).min(len);
    let mut body = serde_json::Map::new();
    body.insert("totalSize".into(), json!(selection.total_size()));
    body.insert("done".into(), json!(end >= len));
    if end < len {
        body.insert(
            "nextRecordsUrl".into(),
            json!(format!("/services/data/v{version}/query/{locator}-{end}")),
        );
    }
    body.insert(
        "records".into(),
        Value::Array(selection.records(source, offset..end)),
    );
    json_response(StatusCode::OK, &Value::Object(body))
}

/// Runs `soql` on the store without building records; a refused query becomes Salesforce's
/// 400 error.
pub(crate) fn select(
    schema: &Schema,
    inner: &Inner,
    soql: &str,
    include_deleted: bool,
    api_version: &str,
) -> Result<Selection, ApiError> {
    let source = Source { schema, inner };
    let options = QueryOptions {
        include_deleted,
        api_version,
    };
    super::soql::select(soql, &source, options).map_err(|e| ApiError::bad(e.code, e.message))
}

/// `GET /query?q=` and `GET /queryAll?q=`.
pub(crate) fn query(
    shared: &Shared,
    request: &Request<'_>,
    include_deleted: bool,
) -> Result<Response, ApiError> {
    let Some(q) = request.param("q").filter(|q| !q.trim().is_empty()) else {
        return Err(ApiError::bad(
            "MALFORMED_QUERY",
            "A query string has to be specified",
        ));
    };
    // `columns=true`: the column metadata only; names that do not resolve fall through to the
    // query, which reports them.
    if request.param("columns").as_deref() == Some("true")
        && let Some(response) = super::columns::metadata(&shared.schema, &q)
    {
        return Ok(response);
    }
    let batch = batch_size(request);
    let mut inner = shared.lock();
    let selection = select(
        &shared.schema,
        &inner,
        &q,
        include_deleted,
        &request.version,
    )?;
    let source = Source {
        schema: &shared.schema,
        inner: &inner,
    };
    if selection.len() <= batch {
        return Ok(page(&source, &request.version, "", &selection, 0, batch));
    }
    let locator = crate::sf::id::mint("01g", inner.cursor_seq + 1);
    let response = page(&source, &request.version, &locator, &selection, 0, batch);
    inner.cursor_seq += 1;
    inner.cursors.insert(locator, Cursor { selection, batch });
    while inner.cursors.len() > shared.config.max_query_cursors.max(1) {
        inner.cursors.shift_remove_index(0);
    }
    Ok(response)
}

/// `GET /query/{locator}-{offset}`: the page is rendered from the cursor's row positions now.
pub(crate) fn next_page(
    shared: &Shared,
    request: &Request<'_>,
    segment: &str,
) -> Result<Response, ApiError> {
    let invalid = || ApiError::bad("INVALID_QUERY_LOCATOR", "invalid query locator");
    let (locator, offset) = segment.rsplit_once('-').ok_or_else(invalid)?;
    let offset: usize = offset.parse().map_err(|_| invalid())?;
    let locator = crate::sf::id::normalize(locator).ok_or_else(invalid)?;
    let inner = shared.lock();
    let cursor = inner.cursors.get(&locator).ok_or_else(invalid)?;
    if offset == 0 || offset >= cursor.selection.len() {
        return Err(invalid());
    }
    let source = Source {
        schema: &shared.schema,
        inner: &inner,
    };
    Ok(page(
        &source,
        &request.version,
        &locator,
        &cursor.selection,
        offset,
        cursor.batch,
    ))
}
