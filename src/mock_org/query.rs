//! `query` / `queryAll`: runs SOQL over the record store and pages the result
//! (`nextRecordsUrl`, `Sforce-Query-Options: batchSize`).

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::rest::{ApiError, Request};
use super::schema::Schema;
use super::soql::{FieldInfo, QueryOptions, QueryOutput, Row, SoqlSource};
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

    fn rows(&self, object: &str) -> Box<dyn Iterator<Item = &Row> + '_> {
        match self.inner.store.get(object) {
            Some(rows) => Box::new(rows.values().map(|r| &r.row)),
            None => Box::new(std::iter::empty()),
        }
    }

    fn row(&self, object: &str, id: &str) -> Option<&Row> {
        self.inner.store.get(object)?.get(id).map(|r| &r.row)
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

fn page(
    version: &str,
    locator: &str,
    records: &[Value],
    offset: usize,
    batch: usize,
    total: usize,
) -> Response {
    let end = (offset + batch).min(records.len());
    let slice = records.get(offset..end).unwrap_or_default().to_vec();
    let mut body = serde_json::Map::new();
    body.insert("totalSize".into(), json!(total));
    body.insert("done".into(), json!(end >= records.len()));
    if end < records.len() {
        body.insert(
            "nextRecordsUrl".into(),
            json!(format!("/services/data/v{version}/query/{locator}-{end}")),
        );
    }
    body.insert("records".into(), Value::Array(slice));
    json_response(StatusCode::OK, &Value::Object(body))
}

/// Runs `soql` on the store; a refused query becomes Salesforce's 400 error.
pub(crate) fn run_soql(
    schema: &Schema,
    inner: &Inner,
    soql: &str,
    include_deleted: bool,
    api_version: &str,
) -> Result<QueryOutput, ApiError> {
    let source = Source { schema, inner };
    let options = QueryOptions {
        include_deleted,
        api_version,
    };
    super::soql::execute(soql, &source, options).map_err(|e| ApiError::bad(e.code, e.message))
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
    let output = run_soql(
        &shared.schema,
        &inner,
        &q,
        include_deleted,
        &request.version,
    )?;
    if output.records.len() <= batch {
        return Ok(page(
            &request.version,
            "",
            &output.records,
            0,
            batch,
            output.total_size,
        ));
    }
    inner.cursor_seq += 1;
    let locator = crate::sf::id::mint("01g", inner.cursor_seq);
    let response = page(
        &request.version,
        &locator,
        &output.records,
        0,
        batch,
        output.total_size,
    );
    inner.cursors.insert(
        locator,
        Cursor {
            records: output.records,
            total_size: output.total_size,
            batch,
        },
    );
    while inner.cursors.len() > shared.config.max_query_cursors.max(1) {
        inner.cursors.shift_remove_index(0);
    }
    Ok(response)
}

/// `GET /query/{locator}-{offset}`.
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
    if offset == 0 || offset >= cursor.records.len() {
        return Err(invalid());
    }
    Ok(page(
        &request.version,
        &locator,
        &cursor.records,
        offset,
        cursor.batch,
        cursor.total_size,
    ))
}
