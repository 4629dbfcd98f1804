//! Bulk API 2.0 query jobs (`/services/data/vNN.0/jobs/query`): create, poll, results as CSV
//! pages with `Sforce-Locator` / `Sforce-NumberOfRecords`, abort, delete, list; the parallel
//! results listing (`resultPages`) is in [`super::result_pages`].
//!
//! The query runs when the job is created; the job then reports `InProgress` for
//! `MockOrgConfig::bulk_polls_in_progress` polls before `JobComplete`.
//! Result pages are gzipped (`Content-Encoding: gzip`) when the request accepts gzip.

use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Map, Value, json};

use super::query::{Source, select};
use super::rest::{ApiError, Request, method_not_allowed, parse_body};
use super::soql::{SelectItem, Selection};
use super::state::{Shared, json_response, sf_datetime};

/// One query job.
pub(crate) struct Job {
    pub id: String,
    pub operation: String,
    pub object: String,
    /// API version number that created the job (`60`).
    pub version: u32,
    /// The user who created the job (the run-as user).
    pub created_by: String,
    pub created_ms: i64,
    pub state: String,
    pub polls: u32,
    pub delimiter: String,
    pub line_ending: String,
    /// CSV header cells, in SELECT order.
    pub columns: Vec<String>,
    /// The matching rows; each result page's CSV is built from them when it is fetched.
    pub selection: Selection,
    /// Why the job failed (set by `MockOrg::fail_query_job`).
    pub error_message: Option<String>,
}

impl Job {
    fn info(&self, full: bool) -> Value {
        let mut m = Map::new();
        m.insert("id".into(), json!(self.id));
        m.insert("operation".into(), json!(self.operation));
        m.insert("object".into(), json!(self.object));
        m.insert("createdById".into(), json!(self.created_by));
        m.insert("createdDate".into(), json!(sf_datetime(self.created_ms)));
        m.insert("systemModstamp".into(), json!(sf_datetime(self.created_ms)));
        m.insert("state".into(), json!(self.state));
        m.insert("concurrencyMode".into(), json!("Parallel"));
        m.insert("contentType".into(), json!("CSV"));
        m.insert("apiVersion".into(), json!(f64::from(self.version)));
        if full {
            m.insert("jobType".into(), json!("V2Query"));
        }
        m.insert("lineEnding".into(), json!(self.line_ending));
        m.insert("columnDelimiter".into(), json!(self.delimiter));
        if full {
            let done = self.state == "JobComplete";
            m.insert(
                "numberRecordsProcessed".into(),
                json!(if done { self.selection.len() } else { 0 }),
            );
            m.insert("retries".into(), json!(0));
            m.insert(
                "totalProcessingTime".into(),
                json!(if done { 42 } else { 0 }),
            );
            m.insert("isPkChunkingSupported".into(), json!(true));
            if let Some(message) = &self.error_message {
                m.insert("errorMessage".into(), json!(message));
            }
        }
        Value::Object(m)
    }
}

pub(super) fn delimiter_char(name: &str) -> Option<char> {
    Some(match name {
        "COMMA" => ',',
        "BACKQUOTE" => '`',
        "CARET" => '^',
        "PIPE" => '|',
        "SEMICOLON" => ';',
        "TAB" => '\t',
        _ => return None,
    })
}

/// A value of a record by a dotted path, names compared case-insensitively.
fn error(status: StatusCode, code: &'static str, message: &str) -> ApiError {
    ApiError::new(status, code, message)
}

pub(super) fn version_number(request: &Request<'_>) -> u32 {
    request.version.trim_end_matches(".0").parse().unwrap_or(0)
}

/// Dispatches `jobs/query[/{id}[/results|/resultPages]]`.
pub(crate) fn route(
    shared: &Shared,
    request: &Request<'_>,
    rest: &[String],
) -> Result<Response, ApiError> {
    if version_number(request) < 47 {
        return Err(ApiError::not_found());
    }
    match rest {
        [] => match *request.method {
            Method::POST => create(shared, request),
            Method::GET => list(shared, request),
            _ => Err(method_not_allowed(request.method, "GET,POST")),
        },
        [id] => job(shared, request, id),
        [id, results] if results.eq_ignore_ascii_case("results") => {
            if *request.method == Method::GET {
                results_page(shared, request, id)
            } else {
                Err(method_not_allowed(request.method, "GET"))
            }
        }
        [id, pages] if pages.eq_ignore_ascii_case("resultPages") => {
            if *request.method == Method::GET {
                super::result_pages::list(shared, request, id)
            } else {
                Err(method_not_allowed(request.method, "GET"))
            }
        }
        _ => Err(ApiError::not_found()),
    }
}

fn create(shared: &Shared, request: &Request<'_>) -> Result<Response, ApiError> {
    let body = parse_body(request.body)?;
    let text = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_owned);
    let operation = text("operation").unwrap_or_default();
    if operation != "query" && operation != "queryAll" {
        return Err(ApiError::bad(
            "INVALIDJOB",
            format!("InvalidJob : Invalid operation: {operation}"),
        ));
    }
    let Some(q) = text("query") else {
        return Err(ApiError::bad(
            "INVALIDJOB",
            "InvalidJob : query is required",
        ));
    };
    let delimiter = text("columnDelimiter").unwrap_or_else(|| "COMMA".to_owned());
    if delimiter_char(&delimiter).is_none() {
        return Err(ApiError::bad(
            "INVALIDJOB",
            format!("InvalidJob : Invalid column delimiter: {delimiter}"),
        ));
    }
    let line_ending = text("lineEnding").unwrap_or_else(|| "LF".to_owned());
    if line_ending != "LF" && line_ending != "CRLF" {
        return Err(ApiError::bad(
            "INVALIDJOB",
            format!("InvalidJob : Invalid line ending: {line_ending}"),
        ));
    }
    let mut inner = shared.lock();
    let selection = select(
        shared,
        &inner,
        &q,
        operation == "queryAll",
        &request.version,
    )?;
    let columns = csv_columns(&q)?;
    let object = selection.object().to_owned();
    // Compound fields (addresses) have no CSV form.
    if let Some(schema) = shared.schema.object(&object)
        && columns
            .iter()
            .filter_map(|c| schema.field(c))
            .any(|f| schema.compound(&f.name).is_some())
    {
        return Err(ApiError::bad(
            "API_ERROR",
            "Selecting compound data not supported in Bulk Query",
        ));
    }
    inner.job_seq += 1;
    let job = Job {
        id: crate::sf::id::mint("750", inner.job_seq),
        operation,
        object,
        version: version_number(request),
        created_by: shared.user_id.clone(),
        created_ms: shared.clock.now_ms(),
        state: "UploadComplete".to_owned(),
        polls: 0,
        delimiter,
        line_ending,
        columns,
        selection,
        error_message: None,
    };
    let info = job.info(false);
    inner.jobs.insert(job.id.clone(), job);
    Ok(json_response(StatusCode::OK, &info))
}

/// The CSV header of a query that ran: its SELECT list, as written.
fn csv_columns(soql: &str) -> Result<Vec<String>, ApiError> {
    let parsed = super::soql::parse(soql).map_err(|e| ApiError::bad(e.code, e.message))?;
    parsed
        .select
        .iter()
        .map(|item| match item {
            SelectItem::Field(path) => Ok(path.dotted()),
            // Salesforce calls subqueries "aggregate relationships".
            SelectItem::Count { .. }
            | SelectItem::Aggregate { .. }
            | SelectItem::SubQuery { .. } => Err(ApiError::bad(
                "API_ERROR",
                "Aggregate Relationships not supported in Bulk Query with CSV content type",
            )),
        })
        .collect()
}

fn list(shared: &Shared, _request: &Request<'_>) -> Result<Response, ApiError> {
    let inner = shared.lock();
    let mut jobs: Vec<&Job> = inner.jobs.values().collect();
    jobs.sort_by_key(|j| j.id.clone());
    let records: Vec<Value> = jobs.iter().map(|j| j.info(true)).collect();
    Ok(json_response(
        StatusCode::OK,
        &json!({"done": true, "records": records, "nextRecordsUrl": null}),
    ))
}

fn job(shared: &Shared, request: &Request<'_>, raw_id: &str) -> Result<Response, ApiError> {
    let id = crate::sf::id::normalize(raw_id).unwrap_or_default();
    let mut inner = shared.lock();
    let not_found = || {
        error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "The requested resource does not exist",
        )
    };
    match *request.method {
        Method::GET => {
            let job = inner.jobs.get_mut(&id).ok_or_else(not_found)?;
            if job.state == "UploadComplete" || job.state == "InProgress" {
                if job.polls >= shared.config.bulk_polls_in_progress {
                    job.state = "JobComplete".to_owned();
                } else {
                    job.state = "InProgress".to_owned();
                }
                job.polls += 1;
            }
            Ok(json_response(StatusCode::OK, &job.info(true)))
        }
        Method::PATCH => {
            let body = parse_body(request.body)?;
            let job = inner.jobs.get_mut(&id).ok_or_else(not_found)?;
            if body.get("state").and_then(Value::as_str) != Some("Aborted") {
                return Err(ApiError::bad(
                    "INVALIDJOBSTATE",
                    "Invalid state: only Aborted is allowed",
                ));
            }
            if job.state == "JobComplete" || job.state == "Failed" {
                return Err(ApiError::bad(
                    "INVALIDJOBSTATE",
                    format!("Job with id: {id} is already {}", job.state),
                ));
            }
            job.state = "Aborted".to_owned();
            Ok(json_response(StatusCode::OK, &job.info(false)))
        }
        Method::DELETE => {
            inner.jobs.remove(&id).ok_or_else(not_found)?;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        _ => Err(method_not_allowed(request.method, "DELETE,GET,PATCH")),
    }
}

/// True when the request's `Accept-Encoding` lists `gzip` (without `q=0`).
pub(super) fn wants_gzip(request: &Request<'_>) -> bool {
    request
        .headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|part| {
            let mut bits = part.split(';').map(str::trim);
            bits.next().is_some_and(|c| c.eq_ignore_ascii_case("gzip"))
                && !bits.any(|p| p.replace(' ', "") == "q=0")
        })
}

/// Gzips a result page.
pub(super) fn gzip_bytes(data: &[u8]) -> Result<Vec<u8>, ApiError> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder
        .write_all(data)
        .and_then(|()| encoder.finish())
        .map_err(|e| {
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "UNKNOWN_EXCEPTION",
                &format!("cannot compress the results: {e}"),
            )
        })
}

/// The CSV of a results page: the header row (the job's columns), then the records of `range`,
/// each cell read straight from the org's rows.
fn write_csv(
    selection: &Selection,
    columns: &[String],
    source: &dyn super::soql::SoqlSource,
    range: std::ops::Range<usize>,
    separator: char,
    eol: &str,
) -> Vec<u8> {
    let mut separator_bytes = [0; 4];
    let separator = separator.encode_utf8(&mut separator_bytes).as_bytes();
    let mut csv = Vec::with_capacity(64 + range.len() * 16 * columns.len());
    for (i, column) in columns.iter().enumerate() {
        if i > 0 {
            csv.extend_from_slice(separator);
        }
        push_quoted(&mut csv, column);
    }
    csv.extend_from_slice(eol.as_bytes());
    let mut reader = selection.path_reader(source, columns);
    let (mut text, mut json) = (String::new(), Vec::new());
    for &pos in selection.positions(range) {
        reader.seek(pos);
        for i in 0..columns.len() {
            if i > 0 {
                csv.extend_from_slice(separator);
            }
            if let Some(text) = reader.text(i, &mut text) {
                push_text_cell(&mut csv, text);
                continue;
            }
            json.clear();
            if reader.write_json(i, &mut json) && json != b"null" {
                // A number, a boolean or a compound value: its JSON.
                push_quoted(&mut csv, &String::from_utf8_lossy(&json));
            }
        }
        csv.extend_from_slice(eol.as_bytes());
    }
    csv
}

/// Appends the CSV cell of a text as Salesforce writes it: quoted, its NUL characters dropped,
/// a date-time's `+0000` written `Z`.
fn push_text_cell(csv: &mut Vec<u8>, text: &str) {
    match text.strip_suffix("+0000") {
        Some(stamp) if text.len() == 28 && text.as_bytes().get(10) == Some(&b'T') => {
            csv.push(b'"');
            csv.extend_from_slice(stamp.as_bytes());
            csv.extend_from_slice(b"Z\"");
        }
        _ if text.contains('\0') => push_quoted(csv, &text.replace('\0', "")),
        _ => push_quoted(csv, text),
    }
}

/// Appends `value` in double quotes, a `"` in it doubled.
pub(super) fn push_quoted(csv: &mut Vec<u8>, value: &str) {
    csv.push(b'"');
    for (i, part) in value.split('"').enumerate() {
        if i > 0 {
            csv.extend_from_slice(b"\"\"");
        }
        csv.extend_from_slice(part.as_bytes());
    }
    csv.push(b'"');
}

/// The job `raw_id` whose results the request may read: it exists (else 404), was created with
/// the request's API version (else 409) and is `JobComplete` (else 412 `JOB_NOT_COMPLETE`).
pub(super) fn completed_job<'a>(
    inner: &'a super::state::Inner,
    request: &Request<'_>,
    raw_id: &str,
) -> Result<&'a Job, ApiError> {
    let id = crate::sf::id::normalize(raw_id).unwrap_or_default();
    let job = inner.jobs.get(&id).ok_or_else(|| {
        error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "The requested resource does not exist",
        )
    })?;
    if job.version != version_number(request) {
        return Err(error(
            StatusCode::CONFLICT,
            "API_VERSION_MISMATCH",
            "The API version of the request does not match the version of the job",
        ));
    }
    if job.state != "JobComplete" {
        return Err(error(
            StatusCode::PRECONDITION_FAILED,
            "JOB_NOT_COMPLETE",
            &format!(
                "can only download query results of successfully completed bulk job with status: JOB_COMPLETE. Current status: {}",
                job.state.to_ascii_uppercase()
            ),
        ));
    }
    Ok(job)
}

fn results_page(
    shared: &Shared,
    request: &Request<'_>,
    raw_id: &str,
) -> Result<Response, ApiError> {
    let inner = shared.lock();
    let job = completed_job(&inner, request, raw_id)?;
    let max = request
        .param("maxRecords")
        .and_then(|m| m.parse::<usize>().ok())
        .filter(|m| *m > 0)
        .unwrap_or(shared.config.bulk_page_size.max(1));
    let offset = match request
        .param("locator")
        .filter(|l| !l.is_empty() && l != "null")
    {
        None => 0,
        Some(locator) => B64
            .decode(locator.as_bytes())
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| s.parse::<usize>().ok())
            .filter(|o| *o <= job.selection.len())
            .ok_or_else(|| {
                ApiError::bad("INVALID_LOCATOR", format!("Invalid locator: {locator}"))
            })?,
    };
    let end = (offset + max).min(job.selection.len());
    let separator = delimiter_char(&job.delimiter).unwrap_or(',');
    let eol = if job.line_ending == "CRLF" {
        "\r\n"
    } else {
        "\n"
    };
    let source = Source {
        schema: &shared.schema,
        inner: &inner,
    };
    let csv = write_csv(
        &job.selection,
        &job.columns,
        &source,
        offset..end,
        separator,
        eol,
    );
    let locator = if end < job.selection.len() {
        B64.encode(end.to_string())
    } else {
        "null".to_owned()
    };
    let slow = if offset == 0 {
        inner.slow_first_result_page_ms
    } else {
        0
    };
    // Compressing needs no data of the org's: others' requests need not wait for it.
    drop(inner);
    let gzip = wants_gzip(request);
    let body = if gzip { gzip_bytes(&csv)? } else { csv };
    let mut response = if slow > 0 {
        // The headers go at once, the body after the delay: the page arrives last.
        let delayed = futures::stream::once(async move {
            tokio::time::sleep(std::time::Duration::from_millis(slow)).await;
            Ok::<_, std::convert::Infallible>(bytes::Bytes::from(body))
        });
        (StatusCode::OK, axum::body::Body::from_stream(delayed)).into_response()
    } else {
        (StatusCode::OK, body).into_response()
    };
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv"));
    if gzip {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    }
    if let Ok(v) = HeaderValue::from_str(&locator) {
        headers.insert("sforce-locator", v);
    }
    headers.insert("sforce-numberofrecords", HeaderValue::from(end - offset));
    Ok(response)
}

/// The CSV writer against the renderer it replaced (each record built as a `Value`, then each
/// cell looked up in it): byte-for-byte the same pages.
#[cfg(test)]
mod tests {
    use super::super::query::tests::org;
    use super::*;

    /// The page as the old renderer wrote it.
    fn csv_by_value(
        selection: &Selection,
        columns: &[String],
        source: &dyn super::super::soql::SoqlSource,
        range: std::ops::Range<usize>,
        separator: &str,
        eol: &str,
    ) -> String {
        let quote = |value: &str| format!("\"{}\"", value.replace('"', "\"\""));
        let mut csv = columns
            .iter()
            .map(|c| quote(c))
            .collect::<Vec<_>>()
            .join(separator);
        csv.push_str(eol);
        for record in selection.records(source, range) {
            let cells: Vec<String> = columns
                .iter()
                .map(|c| {
                    cell(lookup(&record, c))
                        .as_deref()
                        .map(quote)
                        .unwrap_or_default()
                })
                .collect();
            csv.push_str(&cells.join(separator));
            csv.push_str(eol);
        }
        csv
    }

    fn lookup<'a>(record: &'a Value, path: &str) -> Option<&'a Value> {
        let mut value = record;
        for part in path.split('.') {
            let map = value.as_object()?;
            value = map
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(part))
                .map(|(_, v)| v)?;
        }
        Some(value)
    }

    fn cell(value: Option<&Value>) -> Option<String> {
        match value? {
            Value::Null => None,
            Value::String(s) => Some(match s.strip_suffix("+0000") {
                Some(stamp) if s.len() == 28 && s.as_bytes().get(10) == Some(&b'T') => {
                    format!("{stamp}Z")
                }
                _ => s.replace('\0', ""),
            }),
            Value::Bool(b) => Some(b.to_string()),
            Value::Number(n) => Some(n.to_string()),
            other => Some(other.to_string()),
        }
    }

    #[test]
    fn result_pages_are_written_as_the_value_renderer_built_them() {
        let shared = org();
        let inner = shared.lock();
        let source = Source {
            schema: &shared.schema,
            inner: &inner,
        };
        let queries = [
            ("SELECT Id, Name, Industry FROM Account", false),
            (
                "SELECT Name, AnnualRevenue, NumberOfEmployees, Description, BillingCity, \
                 CreatedDate, LastModifiedDate, SystemModstamp, BillingLatitude, Id FROM Account",
                true,
            ),
            (
                "SELECT Id, LastName, account.name, Account.Industry, MailingStreet FROM Contact",
                true,
            ),
            (
                "SELECT LastName, Account.Parent.Name, Account.Parent.Parent.Id, Account.Name, \
                 Account.ParentId FROM Contact ORDER BY LastName DESC LIMIT 900 OFFSET 7",
                true,
            ),
            (
                "SELECT Name, Parent.Name, Parent.Parent.Name, Parent.Industry FROM Account",
                true,
            ),
            ("SELECT Name, Company, Email, CreatedDate FROM Lead", false),
            ("SELECT Owner.Name, Name, Owner.Email FROM Account", false),
            // A row with a grandparent (Own Id) and next rows without a parent: nothing of
            // the grandparent may stay behind.
            (
                "SELECT Name, Parent.Parent.Name FROM Account ORDER BY Name",
                true,
            ),
        ];
        let mut lines = 0;
        for (soql, all) in queries {
            let selection = select(&shared, &inner, soql, all, "62.0").expect(soql);
            let columns = csv_columns(soql).expect(soql);
            let len = selection.len();
            assert!(len > 0, "{soql}");
            for (range, separator, eol) in [
                (0..len, ',', "\n"),
                (3..len.min(40), '\t', "\r\n"),
                (len.saturating_sub(5)..len + 10, '|', "\n"),
            ] {
                let new = write_csv(&selection, &columns, &source, range.clone(), separator, eol);
                let old = csv_by_value(
                    &selection,
                    &columns,
                    &source,
                    range,
                    &separator.to_string(),
                    eol,
                );
                assert_eq!(String::from_utf8_lossy(&new), old, "{soql}");
                lines += old.lines().count();
            }
        }
        assert!(lines > 5000, "{lines}");
    }

    #[test]
    fn awkward_cells_are_quoted_and_nulls_left_empty() {
        let shared = org();
        let inner = shared.lock();
        let source = Source {
            schema: &shared.schema,
            inner: &inner,
        };
        let soql = "SELECT Name, Parent.Name, AnnualRevenue, Industry, Parent.CreatedDate \
                    FROM Account WHERE Name = 'Child' OR Name = 'Own Id'";
        let selection = select(&shared, &inner, soql, true, "62.0").expect("query");
        let columns = csv_columns(soql).expect("columns");
        let csv = write_csv(&selection, &columns, &source, 0..9, ',', "\n");
        // Child's parent: a name with a quote, a backslash, control characters and a newline;
        // its creation date-time ends in Z. Child's Industry is null; Own Id's parent (Child)
        // has no creation date.
        assert_eq!(
            String::from_utf8(csv).expect("utf-8"),
            "\"Name\",\"Parent.Name\",\"AnnualRevenue\",\"Industry\",\"Parent.CreatedDate\"\n\
             \"Child\",\"Quote \"\" back\\slash \u{1} \u{1f} \n\t\r\u{8}\u{c} \u{7f}\",\"1e+300\",,\
             \"1969-12-31T23:59:59.999Z\"\n\
             \"Own Id\",\"Child\",\"-3.25\",,\n"
        );
    }
}
