//! Bulk API 2.0 ingest jobs (`/services/data/vNN.0/jobs/ingest`), after
//! `shared/reference/bulk-ingest.md`: create (JSON, or multipart with the data), one upload of
//! CSV data while `Open` (`PUT …/batches`, at most `MockOrgConfig::ingest_max_upload_bytes`),
//! close (`UploadComplete`) or abort (`Aborted`), poll, delete, list, and the three result
//! files (`successfulResults`, `failedResults`, `unprocessedrecords`, any letter case).
//!
//! Processing starts at the close and is paced by polls, like query jobs: the job answers
//! `InProgress` for `MockOrgConfig::bulk_polls_in_progress` polls, each processing an equal
//! share of the rows, and the next poll processes the rest ([`work`]). Each row is checked and
//! saved as the REST API does it (the same describe, validation and error codes): see
//! [`save`].

mod save;
mod work;

use std::collections::HashMap;

use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::bulk::{delimiter_char, gzip_bytes, version_number, wants_gzip};
use super::rest::{ApiError, Request, method_not_allowed, parse_body};
use super::state::{Inner, Shared, json_response, sf_datetime};
use work::{Outcome, Work};

/// The ingest jobs of the org and the faults waiting for the next ones.
#[derive(Default)]
pub(crate) struct Ingest {
    /// Jobs by id.
    pub jobs: HashMap<String, Job>,
    /// The next jobs fail after processing this many rows, with this `errorMessage`
    /// ([`super::MockOrg::fail_ingest_jobs_after`]).
    pub fail_after: Option<(usize, String)>,
}

/// What a job does with each row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operation {
    Insert,
    Update,
    Upsert,
    Delete,
    HardDelete,
}

impl Operation {
    fn parse(name: &str) -> Option<Operation> {
        Some(match name {
            "insert" => Operation::Insert,
            "update" => Operation::Update,
            "upsert" => Operation::Upsert,
            "delete" => Operation::Delete,
            "hardDelete" => Operation::HardDelete,
            _ => return None,
        })
    }

    fn as_str(self) -> &'static str {
        match self {
            Operation::Insert => "insert",
            Operation::Update => "update",
            Operation::Upsert => "upsert",
            Operation::Delete => "delete",
            Operation::HardDelete => "hardDelete",
        }
    }
}

/// One ingest job.
pub(crate) struct Job {
    pub id: String,
    /// The sObject's canonical name.
    pub object: String,
    pub operation: Operation,
    /// The upsert's key field (canonical name).
    pub external_id: Option<String>,
    /// API version number that created the job (`62`).
    pub version: u32,
    pub created_by: String,
    pub created_ms: i64,
    /// `Open`, `UploadComplete`, `InProgress`, `JobComplete`, `Failed` or `Aborted`.
    pub state: &'static str,
    pub delimiter: String,
    pub line_ending: String,
    /// The uploaded CSV, until processing parses it.
    pub data: Option<Vec<u8>>,
    /// Polls since the close.
    pub polls: u32,
    /// The parsed rows and what became of each, once processing started.
    pub work: Option<Work>,
    /// Why the job failed.
    pub error_message: Option<String>,
    /// Fail after this many rows (from [`Ingest::fail_after`] when the job was created).
    pub fail_after: Option<(usize, String)>,
}

impl Job {
    fn processed(&self) -> usize {
        self.work.as_ref().map_or(0, |w| w.outcomes.len())
    }

    fn failed(&self) -> usize {
        self.work.as_ref().map_or(0, |w| {
            w.outcomes
                .iter()
                .filter(|o| matches!(o, Outcome::Failed { .. }))
                .count()
        })
    }

    /// Whether the job can no longer change.
    fn is_finished(&self) -> bool {
        matches!(self.state, "JobComplete" | "Failed" | "Aborted")
    }

    /// The job info: the create / close / abort answer, or (`full`) the poll and list one.
    fn info(&self, full: bool) -> Value {
        let mut m = Map::new();
        m.insert("id".into(), json!(self.id));
        m.insert("operation".into(), json!(self.operation.as_str()));
        m.insert("object".into(), json!(self.object));
        m.insert("createdById".into(), json!(self.created_by));
        m.insert("createdDate".into(), json!(sf_datetime(self.created_ms)));
        m.insert("systemModstamp".into(), json!(sf_datetime(self.created_ms)));
        m.insert("state".into(), json!(self.state));
        if let Some(field) = &self.external_id {
            m.insert("externalIdFieldName".into(), json!(field));
        }
        m.insert("concurrencyMode".into(), json!("Parallel"));
        m.insert("contentType".into(), json!("CSV"));
        m.insert("apiVersion".into(), json!(f64::from(self.version)));
        // Only valid while the job takes its data.
        if !full || self.state == "Open" {
            m.insert(
                "contentUrl".into(),
                json!(format!(
                    "services/data/v{}.0/jobs/ingest/{}/batches",
                    self.version, self.id
                )),
            );
        }
        m.insert("lineEnding".into(), json!(self.line_ending));
        m.insert("columnDelimiter".into(), json!(self.delimiter));
        if full {
            let processed = self.processed();
            m.insert("jobType".into(), json!("V2Ingest"));
            m.insert("numberRecordsProcessed".into(), json!(processed));
            m.insert("numberRecordsFailed".into(), json!(self.failed()));
            m.insert("retries".into(), json!(0));
            // Two milliseconds a row: integers that grow with the work done.
            m.insert("totalProcessingTime".into(), json!(processed * 2));
            m.insert("apiActiveProcessingTime".into(), json!(processed * 2));
            m.insert("apexProcessingTime".into(), json!(0));
            if let Some(message) = &self.error_message {
                m.insert("errorMessage".into(), json!(message));
            }
        }
        Value::Object(m)
    }
}

fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
        "The requested resource does not exist",
    )
}

fn invalid_job(message: impl Into<String>) -> ApiError {
    ApiError::bad("INVALIDJOB", format!("InvalidJob : {}", message.into()))
}

fn invalid_state(message: impl Into<String>) -> ApiError {
    ApiError::bad("INVALIDJOBSTATE", message)
}

/// Dispatches `jobs/ingest[/{id}[/batches|/successfulResults|/failedResults|/unprocessedrecords]]`.
pub(crate) fn route(
    shared: &Shared,
    request: &Request<'_>,
    rest: &[String],
) -> Result<Response, ApiError> {
    // Bulk API 2.0 ingest came with v41.0.
    if version_number(request) < 41 {
        return Err(ApiError::not_found());
    }
    match rest {
        [] => match *request.method {
            Method::POST => create(shared, request),
            Method::GET => Ok(list(shared)),
            _ => Err(method_not_allowed(request.method, "GET,POST")),
        },
        [id] => job(shared, request, id),
        [id, batches] if batches.eq_ignore_ascii_case("batches") => match *request.method {
            Method::PUT => upload(shared, request, id),
            _ => Err(method_not_allowed(request.method, "PUT")),
        },
        [id, which] => {
            let which = which.to_ascii_lowercase();
            let results = match which.as_str() {
                "successfulresults" => Results::Successful,
                "failedresults" => Results::Failed,
                "unprocessedrecords" => Results::Unprocessed,
                _ => return Err(ApiError::not_found()),
            };
            match *request.method {
                Method::GET => results_file(shared, request, id, results),
                _ => Err(method_not_allowed(request.method, "GET")),
            }
        }
        _ => Err(ApiError::not_found()),
    }
}

/// The job's settings from a create body; the object and upsert key checked against the
/// describe.
fn new_job(
    shared: &Shared,
    request: &Request<'_>,
    body: &Map<String, Value>,
) -> Result<Job, ApiError> {
    let text = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_owned);
    let operation_name = text("operation").unwrap_or_default();
    let operation = Operation::parse(&operation_name)
        .ok_or_else(|| invalid_job(format!("Invalid operation: {operation_name}")))?;
    let object_name = text("object").ok_or_else(|| invalid_job("object is required"))?;
    let object = shared
        .schema
        .object(&object_name)
        .ok_or_else(|| invalid_job(format!("sObject type '{object_name}' is not supported")))?;
    let external_id = match (operation, text("externalIdFieldName")) {
        (Operation::Upsert, None) => {
            return Err(invalid_job(
                "External ID field is required for upsert operations",
            ));
        }
        (Operation::Upsert, Some(name)) => {
            let key = work::key_fields(object)
                .into_iter()
                .find(|k| k.eq_ignore_ascii_case(&name))
                .ok_or_else(|| {
                    invalid_job(format!(
                        "Field name provided, {name} does not match an External ID, Salesforce \
                         Id, or indexed field for {}",
                        object.name
                    ))
                })?;
            Some(key)
        }
        (_, _) => None,
    };
    if text("contentType").is_some_and(|c| c != "CSV") {
        return Err(invalid_job("contentType must be CSV"));
    }
    let delimiter = text("columnDelimiter").unwrap_or_else(|| "COMMA".to_owned());
    if delimiter_char(&delimiter).is_none() {
        return Err(invalid_job(format!(
            "Invalid column delimiter: {delimiter}"
        )));
    }
    let line_ending = text("lineEnding").unwrap_or_else(|| "LF".to_owned());
    if line_ending != "LF" && line_ending != "CRLF" {
        return Err(invalid_job(format!("Invalid line ending: {line_ending}")));
    }
    Ok(Job {
        id: String::new(),
        object: object.name.clone(),
        operation,
        external_id,
        version: version_number(request),
        created_by: shared.user_id.clone(),
        created_ms: shared.clock.now_ms(),
        state: "Open",
        delimiter,
        line_ending,
        data: None,
        polls: 0,
        work: None,
        error_message: None,
        fail_after: None,
    })
}

/// `POST jobs/ingest`: JSON settings (an `Open` job), or multipart settings and data (a job
/// already `UploadComplete`).
fn create(shared: &Shared, request: &Request<'_>) -> Result<Response, ApiError> {
    let content_type = request
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let (body, data) = match multipart_boundary(content_type) {
        Some(boundary) => {
            let (job, data) = multipart_parts(request.body, &boundary)?;
            (parse_body(&job)?, Some(data))
        }
        None => (parse_body(request.body)?, None),
    };
    let mut job = new_job(shared, request, &body)?;
    if let Some(data) = data {
        check_upload_size(shared, data.len())?;
        job.data = Some(data);
        job.state = "UploadComplete";
    }
    let mut inner = shared.lock();
    inner.job_seq += 1;
    job.id = crate::sf::id::mint("750", inner.job_seq);
    job.fail_after = inner.ingest.fail_after.clone();
    let info = job.info(false);
    inner.ingest.jobs.insert(job.id.clone(), job);
    Ok(json_response(StatusCode::OK, &info))
}

/// The boundary of a `multipart/form-data` content type.
fn multipart_boundary(content_type: &str) -> Option<String> {
    let mut parts = content_type.split(';').map(str::trim);
    if !parts.next()?.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    parts
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("boundary"))
        .map(|(_, v)| v.trim().trim_matches('"').to_owned())
}

/// The `job` (JSON) and `content` (CSV) parts of a multipart create.
fn multipart_parts(body: &[u8], boundary: &str) -> Result<(Vec<u8>, Vec<u8>), ApiError> {
    let bad = |what: &str| invalid_job(format!("the multipart request {what}"));
    let delimiter = format!("--{boundary}");
    let mut job = None;
    let mut content = None;
    let mut rest = body;
    while let Some(start) = find(rest, delimiter.as_bytes()) {
        rest = &rest[start + delimiter.len()..];
        if rest.starts_with(b"--") {
            break;
        }
        let Some(head_end) = find(rest, b"\r\n\r\n") else {
            return Err(bad("has a part without headers"));
        };
        let head = String::from_utf8_lossy(&rest[..head_end]).to_ascii_lowercase();
        let part = &rest[head_end + 4..];
        let end = find(part, format!("\r\n{delimiter}").as_bytes())
            .ok_or_else(|| bad("is not closed by its boundary"))?;
        let value = part[..end].to_vec();
        if head.contains("name=\"job\"") {
            job = Some(value);
        } else if head.contains("name=\"content\"") {
            content = Some(value);
        }
        rest = &part[end + 2..];
    }
    match (job, content) {
        (Some(job), Some(content)) => Ok((job, content)),
        _ => Err(bad("needs a \"job\" part and a \"content\" part")),
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn check_upload_size(shared: &Shared, len: usize) -> Result<(), ApiError> {
    let max = shared.config.ingest_max_upload_bytes;
    if len > max {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "EXCEEDED_MAX_SIZE_REQUEST",
            format!(
                "The upload has {len} bytes; a job takes at most {max}. Split the data into \
                 several jobs."
            ),
        ));
    }
    Ok(())
}

fn list(shared: &Shared) -> Response {
    let inner = shared.lock();
    let mut jobs: Vec<&Job> = inner.ingest.jobs.values().collect();
    jobs.sort_by(|a, b| a.id.cmp(&b.id));
    let records: Vec<Value> = jobs.iter().map(|j| j.info(true)).collect();
    json_response(
        StatusCode::OK,
        &json!({"done": true, "records": records, "nextRecordsUrl": null}),
    )
}

/// A job by id (15 or 18 characters).
fn job_mut<'a>(inner: &'a mut Inner, raw_id: &str) -> Result<&'a mut Job, ApiError> {
    let id = crate::sf::id::normalize(raw_id).unwrap_or_default();
    inner.ingest.jobs.get_mut(&id).ok_or_else(not_found)
}

/// Data and results belong to the API version that created the job (UNCONFIRMED for ingest;
/// Salesforce documents it for query results).
fn same_version(job: &Job, request: &Request<'_>) -> Result<(), ApiError> {
    if job.version == version_number(request) {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::CONFLICT,
            "API_VERSION_MISMATCH",
            "The API version of the request does not match the version of the job",
        ))
    }
}

fn job(shared: &Shared, request: &Request<'_>, raw_id: &str) -> Result<Response, ApiError> {
    match *request.method {
        Method::GET => {
            let mut inner = shared.lock();
            let id = job_mut(&mut inner, raw_id)?.id.clone();
            work::advance(shared, &mut inner, &id);
            let job = job_mut(&mut inner, &id)?;
            Ok(json_response(StatusCode::OK, &job.info(true)))
        }
        Method::PATCH => {
            let body = parse_body(request.body)?;
            let mut inner = shared.lock();
            let job = job_mut(&mut inner, raw_id)?;
            match body.get("state").and_then(Value::as_str) {
                Some("UploadComplete") if job.state == "Open" => job.state = "UploadComplete",
                Some("Aborted") if !job.is_finished() => job.state = "Aborted",
                Some(state @ ("UploadComplete" | "Aborted")) => {
                    return Err(invalid_state(format!(
                        "InvalidJobState : Job with id: {} is {}; it cannot become {state}",
                        job.id, job.state
                    )));
                }
                other => {
                    return Err(invalid_state(format!(
                        "InvalidJobState : Invalid state: {}; only UploadComplete or Aborted",
                        other.unwrap_or("(none)")
                    )));
                }
            }
            Ok(json_response(StatusCode::OK, &job.info(false)))
        }
        Method::DELETE => {
            let mut inner = shared.lock();
            let job = job_mut(&mut inner, raw_id)?;
            if job.state == "Open" || job.state == "InProgress" {
                return Err(invalid_state(format!(
                    "InvalidJobState : Job with id: {} is {}; only a job that is \
                     UploadComplete, JobComplete, Aborted or Failed can be deleted",
                    job.id, job.state
                )));
            }
            let id = job.id.clone();
            inner.ingest.jobs.remove(&id);
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        _ => Err(method_not_allowed(request.method, "DELETE,GET,PATCH")),
    }
}

/// `PUT jobs/ingest/{id}/batches`: the job's one upload, `text/csv`, while it is `Open`.
fn upload(shared: &Shared, request: &Request<'_>, raw_id: &str) -> Result<Response, ApiError> {
    let csv = request
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("text/csv"));
    let mut inner = shared.lock();
    let job = job_mut(&mut inner, raw_id)?;
    same_version(job, request)?;
    if !csv {
        return Err(ApiError::bad(
            "INVALIDCONTENTTYPE",
            "InvalidContentType : the job's data must be sent as text/csv",
        ));
    }
    if job.state != "Open" {
        return Err(invalid_state(format!(
            "InvalidJobState : Job with id: {} is {}; data can only be uploaded while it is Open",
            job.id, job.state
        )));
    }
    if job.data.is_some() {
        return Err(invalid_state(format!(
            "InvalidJobState : Job with id: {} already has its data: a job takes one upload",
            job.id
        )));
    }
    check_upload_size(shared, request.body.len())?;
    job.data = Some(request.body.to_vec());
    Ok(StatusCode::CREATED.into_response())
}

/// Which result file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Results {
    Successful,
    Failed,
    Unprocessed,
}

fn results_file(
    shared: &Shared,
    request: &Request<'_>,
    raw_id: &str,
    which: Results,
) -> Result<Response, ApiError> {
    let mut inner = shared.lock();
    let job = job_mut(&mut inner, raw_id)?;
    same_version(job, request)?;
    // A job aborted before processing started: its upload is all unprocessed.
    work::load(job);
    if !job.is_finished() {
        return Err(invalid_state(format!(
            "InvalidJobState : Job with id: {} is {}; its results are ready once it is \
             JobComplete, Failed or Aborted",
            job.id, job.state
        )));
    }
    let csv = match which {
        Results::Successful => work::successful_csv(job),
        Results::Failed => work::failed_csv(job),
        Results::Unprocessed => work::unprocessed_csv(job),
    };
    drop(inner);
    let gzip = wants_gzip(request);
    let body = if gzip { gzip_bytes(&csv)? } else { csv };
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=UTF-8"),
    );
    if gzip {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    }
    Ok(response)
}

/// The ingest jobs and their faults, for tests that hold the [`super::MockOrg`] itself.
impl super::MockOrg {
    /// Every ingest job as `(id, state)`, oldest first.
    pub fn ingest_jobs(&self) -> Vec<(String, String)> {
        let inner = self.shared.lock();
        let mut jobs: Vec<(String, String)> = inner
            .ingest
            .jobs
            .values()
            .map(|j| (j.id.clone(), j.state.to_owned()))
            .collect();
        jobs.sort();
        jobs
    }

    /// Makes every ingest job created from now on stop after processing `rows` rows: it ends
    /// `Failed` with `message` as its `errorMessage` (e.g. `ExceededQuota : ...`, the daily
    /// record limit reached mid-job), the rest of its rows unprocessed.
    pub fn fail_ingest_jobs_after(&self, rows: usize, message: &str) {
        self.shared.lock().ingest.fail_after = Some((rows, message.to_owned()));
    }

    /// Aborts an ingest job as another user with "Manage Data Integrations" would: it
    /// processes no more rows. False when there is no such unfinished job.
    pub fn abort_ingest_job(&self, id: &str) -> bool {
        let mut inner = self.shared.lock();
        match job_mut(&mut inner, id) {
            Ok(job) if !job.is_finished() => {
                job.state = "Aborted";
                true
            }
            _ => false,
        }
    }
}
