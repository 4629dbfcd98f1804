//! Bulk API 2.0 jobs: what query and ingest jobs share (their job info, polling with backoff,
//! abort, delete, list), and query jobs' CSV result pages (each page retried by the client's
//! retry policy). Downloading all of a job's results, in parallel chunks or page by page, is in
//! [`super::download`]; ingest jobs' own calls (create, upload, close, results) are in
//! [`super::ingest`].

use std::io::Write;
use std::time::Duration;

use reqwest::Method;
use reqwest::header::{self, HeaderValue};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::client::{Req, SfClient, Target, check_id, decode, ok};
pub use super::download::{
    DEFAULT_EXPORT_CONCURRENCY, DownloadOptions, DownloadSummary, EXPORT_CONCURRENCY_ENV,
    MAX_EXPORT_CONCURRENCY, ResultCursor, default_export_concurrency, parse_export_concurrency,
    set_configured_export_concurrency,
};
use super::error::ApiError;
use super::types::ApiVersion;

/// Which Bulk API 2.0 family a job belongs to: its resource path and list filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    /// `jobs/query`: a SOQL query whose results are downloaded as CSV.
    Query,
    /// `jobs/ingest`: CSV data uploaded to insert, update, upsert or delete records.
    Ingest,
}

impl JobKind {
    /// The resource under `/services/data/vNN.0/`.
    fn resource(self) -> &'static str {
        match self {
            JobKind::Query => "jobs/query",
            JobKind::Ingest => "jobs/ingest",
        }
    }

    /// The `jobType` the list call filters on.
    fn job_type(self) -> &'static str {
        match self {
            JobKind::Query => "V2Query",
            JobKind::Ingest => "V2Ingest",
        }
    }
}

/// A Bulk API 2.0 job as Salesforce describes it (create, poll and list answers), query or
/// ingest.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkJob {
    /// The job id (prefix `750`).
    pub id: String,
    /// `query` or `queryAll`; `insert`, `update`, `upsert`, `delete` or `hardDelete`.
    #[serde(default)]
    pub operation: String,
    /// The queried sObject.
    #[serde(default)]
    pub object: String,
    /// `Open` (ingest only), `UploadComplete`, `InProgress`, `JobComplete`, `Failed` or
    /// `Aborted`.
    pub state: String,
    /// The API version that created the job (a JSON number, e.g. `60.0`); results must be
    /// fetched with it.
    #[serde(default)]
    pub api_version: Option<f64>,
    /// Records processed so far (poll answers only).
    #[serde(default)]
    pub number_records_processed: Option<u64>,
    /// Records that failed so far (ingest poll answers only).
    #[serde(default)]
    pub number_records_failed: Option<u64>,
    /// The upsert's key field (ingest upserts only).
    #[serde(default)]
    pub external_id_field_name: Option<String>,
    /// Where an open ingest job takes its data: `services/data/vNN.0/jobs/ingest/{id}/batches`,
    /// relative to the instance, without a leading slash.
    #[serde(default)]
    pub content_url: Option<String>,
    /// Why the job failed, when `Failed`.
    #[serde(default)]
    pub error_message: Option<String>,
    /// When the job was created.
    #[serde(default)]
    pub created_date: Option<String>,
}

impl BulkJob {
    /// True once the job can no longer change (`JobComplete`, `Failed`, `Aborted`).
    pub fn is_finished(&self) -> bool {
        matches!(self.state.as_str(), "JobComplete" | "Failed" | "Aborted")
    }

    /// The job's API version, if it carries a sensible one.
    pub fn version(&self) -> Option<ApiVersion> {
        let v = self.api_version?;
        (v >= 1.0 && v < f64::from(u16::MAX)).then_some(ApiVersion(v as u16))
    }
}

/// How to wait for a job: the first delay, its growth factor and cap, and the total budget.
/// The one schedule of every wait for a Bulk API job: `sfterm export` and `sfterm import`, and
/// the TUI's export and import (which poll from their state, through [`PollOptions::delay`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PollOptions {
    /// Delay before the second poll.
    pub initial: Duration,
    /// Upper bound of one delay.
    pub max: Duration,
    /// Multiplier applied after each poll (≥ 1).
    pub factor: f64,
    /// Give up after this long.
    pub timeout: Duration,
}

impl Default for PollOptions {
    /// 250 ms growing ×1.5 to 5 s, up to 30 minutes: a job done in a second is seen done
    /// within a quarter of a second of it, a long one costs a call every 5 s.
    fn default() -> Self {
        PollOptions {
            initial: Duration::from_millis(250),
            max: Duration::from_secs(5),
            factor: 1.5,
            timeout: Duration::from_secs(30 * 60),
        }
    }
}

impl PollOptions {
    /// The wait after the `polls`-th poll (1: after the first) before the next one.
    pub fn delay(&self, polls: u32) -> Duration {
        let growth = self
            .factor
            .max(1.0)
            .powi(i32::try_from(polls.saturating_sub(1)).unwrap_or(i32::MAX));
        // Past the cap (or overflowing) the delay is the cap.
        Duration::try_from_secs_f64(self.initial.as_secs_f64() * growth)
            .unwrap_or(self.max)
            .min(self.max)
    }
}

/// One downloaded page of CSV results.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultPage {
    /// The CSV text, header row included.
    pub csv: bytes::Bytes,
    /// `Sforce-NumberOfRecords`: rows in this page.
    pub records: u64,
    /// The locator of the next page; `None` on the last page (`Sforce-Locator: null`).
    pub next_locator: Option<String>,
}

/// A bulk-specific failure.
#[derive(Debug, thiserror::Error)]
pub enum BulkError {
    /// Salesforce or the network failed.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// The job ended as `Failed`.
    #[error("the bulk job {id} failed: {message}")]
    JobFailed {
        /// Job id.
        id: String,
        /// The job's `errorMessage`.
        message: String,
    },
    /// The job was aborted.
    #[error("the bulk job {id} was aborted")]
    JobAborted {
        /// Job id.
        id: String,
    },
    /// The job did not finish within the poll budget.
    #[error("the bulk job {id} was still {state} after {}s", waited.as_secs())]
    PollTimeout {
        /// Job id.
        id: String,
        /// Its last state.
        state: String,
        /// How long we waited.
        waited: Duration,
    },
    /// HTTP 409: results were asked for with another API version than the job's.
    #[error(
        "the bulk job {id} was created with API {job_version}; its results must be fetched \
             with that version (HTTP 409 version mismatch)"
    )]
    VersionMismatch {
        /// Job id.
        id: String,
        /// The job's version.
        job_version: String,
    },
    /// Writing the output failed.
    #[error("cannot write the results: {0}")]
    Write(#[from] std::io::Error),
    /// A page answer without the headers a result page has.
    #[error("bad result page: {0}")]
    BadPage(String),
    /// A page failed (after the retries the client's policy allows); `resume` is where a
    /// later download can go on.
    #[error("downloading a page of bulk job {id} failed ({source}); {written} rows were written")]
    PageFailed {
        /// Job id.
        id: String,
        /// Where the download stands: the pages not written yet.
        resume: Box<ResultCursor>,
        /// Rows written before the failure.
        written: u64,
        /// Why.
        source: ApiError,
    },
}

/// A failure that may pass with time (a download can resume after it): what the client gave
/// up retrying, network trouble, timeouts, 5xx answers.
pub(in crate::sf) fn passes(e: &ApiError) -> bool {
    match e {
        ApiError::GaveUp { .. } | ApiError::Network { .. } | ApiError::Timeout { .. } => true,
        ApiError::Api { status, .. } | ApiError::Http { status, .. } => *status >= 500,
        _ => false,
    }
}

pub(in crate::sf) fn status_of(e: &ApiError) -> Option<u16> {
    match e {
        ApiError::Api { status, .. } | ApiError::Http { status, .. } => Some(*status),
        _ => None,
    }
}

/// A 409 on a job's results is [`BulkError::VersionMismatch`]; other failures stay as they are.
pub(in crate::sf) fn version_mismatch(
    e: ApiError,
    job: &BulkJob,
    version: ApiVersion,
) -> BulkError {
    if status_of(&e) == Some(409) {
        BulkError::VersionMismatch {
            id: job.id.clone(),
            job_version: version.to_string(),
        }
    } else {
        e.into()
    }
}

impl SfClient {
    /// Creates a CSV query job (`all`: `queryAll`, soft-deleted and archived rows included).
    pub async fn create_query_job(&self, soql: &str, all: bool) -> Result<BulkJob, ApiError> {
        let path = self.data_path("jobs/query").await?;
        let body = json!({
            "operation": if all { "queryAll" } else { "query" },
            "query": soql,
            "contentType": "CSV",
            "columnDelimiter": "COMMA",
            "lineEnding": "LF",
        });
        let req = Req::new(Method::POST, Target::Instance(path, Vec::new())).json(&body)?;
        let resp = ok(self.send_authed(&req).await?)?;
        decode("bulk job", &resp.body)
    }

    /// A job's current state.
    pub async fn bulk_job(&self, kind: JobKind, id: &str) -> Result<BulkJob, ApiError> {
        check_id(id)?;
        let path = self.data_path(&format!("{}/{id}", kind.resource())).await?;
        let resp = ok(self
            .send_authed(&Req::new(Method::GET, Target::Instance(path, Vec::new())))
            .await?)?;
        decode("bulk job", &resp.body)
    }

    /// Polls with growing delays until the job is finished (`JobComplete`, `Failed` or
    /// `Aborted`) and returns it as last seen; `on_poll` sees every answer. Only running out
    /// of `poll.timeout` is an error ([`BulkError::PollTimeout`]).
    pub async fn wait_for_bulk_job(
        &self,
        kind: JobKind,
        id: &str,
        poll: PollOptions,
        mut on_poll: impl FnMut(&BulkJob),
    ) -> Result<BulkJob, BulkError> {
        let started = std::time::Instant::now();
        let mut polls = 0;
        loop {
            let job = self.bulk_job(kind, id).await?;
            polls += 1;
            on_poll(&job);
            if job.is_finished() {
                return Ok(job);
            }
            let delay = poll.delay(polls);
            if started.elapsed() + delay > poll.timeout {
                return Err(BulkError::PollTimeout {
                    id: job.id,
                    state: job.state,
                    waited: started.elapsed(),
                });
            }
            tokio::time::sleep(delay).await;
        }
    }

    /// Moves a job to `state` (`PATCH {"state": ...}`): `UploadComplete` closes an ingest
    /// job's upload, `Aborted` stops a job that has not finished.
    pub(in crate::sf) async fn set_bulk_job_state(
        &self,
        kind: JobKind,
        id: &str,
        state: &str,
    ) -> Result<BulkJob, ApiError> {
        check_id(id)?;
        let path = self.data_path(&format!("{}/{id}", kind.resource())).await?;
        let req = Req::new(Method::PATCH, Target::Instance(path, Vec::new()))
            .json(&json!({"state": state}))?;
        let resp = ok(self.send_authed(&req).await?)?;
        decode("bulk job", &resp.body)
    }

    /// Aborts a job that has not finished: Salesforce stops processing it.
    pub async fn abort_bulk_job(&self, kind: JobKind, id: &str) -> Result<BulkJob, ApiError> {
        self.set_bulk_job_state(kind, id, "Aborted").await
    }

    /// Deletes a job and its data or results.
    pub async fn delete_bulk_job(&self, kind: JobKind, id: &str) -> Result<(), ApiError> {
        check_id(id)?;
        let path = self.data_path(&format!("{}/{id}", kind.resource())).await?;
        ok(self
            .send_authed(&Req::new(
                Method::DELETE,
                Target::Instance(path, Vec::new()),
            ))
            .await?)?;
        Ok(())
    }

    /// The org's recent jobs of one kind (first page of `GET jobs/query?jobType=V2Query` or
    /// `jobs/ingest?jobType=V2Ingest`).
    pub async fn list_bulk_jobs(&self, kind: JobKind) -> Result<Vec<BulkJob>, ApiError> {
        #[derive(Deserialize)]
        struct List {
            records: Vec<BulkJob>,
        }
        let path = self.data_path(kind.resource()).await?;
        let req = Req::new(
            Method::GET,
            Target::Instance(path, vec![("jobType".into(), kind.job_type().into())]),
        );
        let resp = ok(self.send_authed(&req).await?)?;
        Ok(decode::<List>("bulk job list", &resp.body)?.records)
    }

    /// A query job's current state.
    pub async fn query_job(&self, id: &str) -> Result<BulkJob, ApiError> {
        self.bulk_job(JobKind::Query, id).await
    }

    /// Polls a query job until it is `JobComplete` ([`SfClient::wait_for_bulk_job`]); `Failed`
    /// and `Aborted` are errors carrying the job's message.
    pub async fn wait_for_query_job(
        &self,
        id: &str,
        poll: PollOptions,
        on_poll: impl FnMut(&BulkJob),
    ) -> Result<BulkJob, BulkError> {
        let job = self
            .wait_for_bulk_job(JobKind::Query, id, poll, on_poll)
            .await?;
        match job.state.as_str() {
            "Failed" => Err(BulkError::JobFailed {
                id: job.id,
                message: job
                    .error_message
                    .unwrap_or_else(|| "Salesforce gave no reason".to_owned()),
            }),
            "Aborted" => Err(BulkError::JobAborted { id: job.id }),
            _ => Ok(job),
        }
    }

    /// Aborts a query job that has not finished.
    pub async fn abort_query_job(&self, id: &str) -> Result<BulkJob, ApiError> {
        self.abort_bulk_job(JobKind::Query, id).await
    }

    /// Deletes a query job and its results.
    pub async fn delete_query_job(&self, id: &str) -> Result<(), ApiError> {
        self.delete_bulk_job(JobKind::Query, id).await
    }

    /// The org's recent query jobs.
    pub async fn list_query_jobs(&self) -> Result<Vec<BulkJob>, ApiError> {
        self.list_bulk_jobs(JobKind::Query).await
    }

    /// Fetches one page of results with the job's API version (`locator` `None`: the first).
    pub async fn query_job_page(
        &self,
        job: &BulkJob,
        locator: Option<&str>,
        max_records: Option<u32>,
    ) -> Result<ResultPage, BulkError> {
        check_id(&job.id)?;
        let version = self.job_version(job).await?;
        let path = format!(
            "/services/data/{}/jobs/query/{}/results",
            version.path_segment(),
            job.id
        );
        let mut query = Vec::new();
        if let Some(max) = max_records {
            query.push(("maxRecords".to_owned(), max.to_string()));
        }
        if let Some(l) = locator {
            query.push(("locator".to_owned(), l.to_owned()));
        }
        self.result_page_at(job, Target::Instance(path, query), version)
            .await
    }

    /// The API version a job's results are fetched with: its own (else the client's).
    pub(in crate::sf) async fn job_version(&self, job: &BulkJob) -> Result<ApiVersion, ApiError> {
        match job.version() {
            Some(v) => Ok(v),
            None => self.api_version().await,
        }
    }

    /// Fetches one page of results (a locator page or a `resultUrl` chunk of `resultPages`):
    /// its CSV, `Sforce-NumberOfRecords` (else the rows counted) and `Sforce-Locator`.
    pub(in crate::sf) async fn result_page_at(
        &self,
        job: &BulkJob,
        target: Target,
        version: ApiVersion,
    ) -> Result<ResultPage, BulkError> {
        let req = Req::new(Method::GET, target)
            .header(header::ACCEPT, HeaderValue::from_static("text/csv"));
        let resp = self.send_authed(&req).await?;
        let resp = ok(resp).map_err(|e| version_mismatch(e, job, version))?;
        let text = |name: &str| {
            resp.headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
        };
        let records = match text("sforce-numberofrecords") {
            Some(n) => n
                .parse()
                .map_err(|_| BulkError::BadPage(format!("Sforce-NumberOfRecords {n:?}")))?,
            None => count_csv_rows(&resp.body),
        };
        let next_locator = text("sforce-locator")
            .filter(|l| !l.is_empty() && *l != "null")
            .map(str::to_owned);
        Ok(ResultPage {
            csv: resp.body,
            records,
            next_locator,
        })
    }
}

/// Writes a CSV page, dropping its header row unless `with_header`.
pub fn write_csv_page(out: &mut impl Write, csv: &[u8], with_header: bool) -> std::io::Result<()> {
    if with_header {
        out.write_all(csv)
    } else {
        let end = header_end(csv);
        out.write_all(csv.get(end..).unwrap_or_default())
    }
}

/// The byte offset just past the first CSV record (quotes may hold line breaks).
pub fn header_end(csv: &[u8]) -> usize {
    let mut quoted = false;
    for (i, b) in csv.iter().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => return i + 1,
            _ => {}
        }
    }
    csv.len()
}

/// Counts CSV records after the header (for pages without `Sforce-NumberOfRecords`).
fn count_csv_rows(csv: &[u8]) -> u64 {
    let mut quoted = false;
    let mut rows = 0u64;
    for b in csv {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => rows += 1,
            _ => {}
        }
    }
    rows.saturating_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_is_dropped_once_even_with_quoted_newlines() {
        let csv = b"\"Id\",\"Na\nme\"\n\"1\",\"a\"\n";
        assert_eq!(header_end(csv), 13);
        let mut out = Vec::new();
        write_csv_page(&mut out, csv, false).expect("write");
        assert_eq!(out, b"\"1\",\"a\"\n");
        assert_eq!(count_csv_rows(csv), 1);
    }

    #[test]
    fn the_poll_schedule_grows_to_its_cap() {
        let poll = PollOptions::default();
        let ms = |n| poll.delay(n).as_millis();
        assert_eq!([ms(0), ms(1), ms(2), ms(3)], [250, 250, 375, 562]);
        assert_eq!(ms(9), 5000, "capped");
        assert_eq!(ms(u32::MAX), 5000, "no overflow");
        let flat = PollOptions {
            factor: 0.5,
            ..poll
        };
        assert_eq!(flat.delay(7), Duration::from_millis(250), "never shrinks");
    }

    #[test]
    fn job_versions() {
        let job: BulkJob = serde_json::from_str(
            r#"{"id":"750000000000001AAA","state":"JobComplete","apiVersion":60.0}"#,
        )
        .expect("json");
        assert_eq!(job.version(), Some(ApiVersion(60)));
        assert!(job.is_finished());
    }
}
