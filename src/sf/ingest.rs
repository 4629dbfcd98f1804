//! Bulk API 2.0 ingest jobs: create one, upload its CSV data, close it, and download its
//! successful, failed and unprocessed records. Polling, abort, delete and list are shared with
//! query jobs ([`super::bulk`], [`JobKind::Ingest`]).
//!
//! The life of a job: `create_ingest_job` (`Open`) → `upload_ingest_data` (once) →
//! `close_ingest_job` (`UploadComplete`; processing starts only now) →
//! [`SfClient::wait_for_bulk_job`] until `JobComplete`, `Failed` or `Aborted` →
//! `ingest_results` for each [`IngestResults`].

use bytes::Bytes;
use reqwest::Method;
use serde_json::{Map, Value, json};

use super::bulk::{BulkJob, JobKind};
use super::client::{Req, SfClient, Target, check_id, decode, ok};
use super::error::ApiError;

/// Salesforce's cap on one job's upload is 150 MB after it base64-encodes the data (about a
/// third more), so a job takes at most this many raw CSV bytes; larger data goes in several
/// jobs (the figure simple-salesforce uses too).
pub const MAX_UPLOAD_BYTES: usize = 100_000_000;

/// What an ingest job does with each row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IngestOperation {
    /// Create new records.
    Insert,
    /// Change records named by their `Id` column.
    Update,
    /// Update the record whose external id matches, or create one.
    Upsert,
    /// Move the records named by their `Id` column to the recycle bin.
    Delete,
}

impl IngestOperation {
    /// The `operation` value of the job.
    pub fn as_str(self) -> &'static str {
        match self {
            IngestOperation::Insert => "insert",
            IngestOperation::Update => "update",
            IngestOperation::Upsert => "upsert",
            IngestOperation::Delete => "delete",
        }
    }
}

/// The line ending of the uploaded CSV (the job must say which one the file uses).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LineEnding {
    /// `\n`.
    #[default]
    Lf,
    /// `\r\n`.
    Crlf,
}

impl LineEnding {
    /// The job's `lineEnding` value.
    pub fn as_str(self) -> &'static str {
        match self {
            LineEnding::Lf => "LF",
            LineEnding::Crlf => "CRLF",
        }
    }
}

/// What a new ingest job is told: the object, the operation, the upsert's key field and the
/// data's line ending (the delimiter is always a comma).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIngestJob {
    /// The sObject (`Account`).
    pub object: String,
    /// What to do with each row.
    pub operation: IngestOperation,
    /// The field upsert matches rows on (`External_Id__c`, or `Id`); upserts only.
    pub external_id_field: Option<String>,
    /// The line ending of the data.
    pub line_ending: LineEnding,
}

/// The three result files of a finished ingest job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IngestResults {
    /// Rows that were saved: `sf__Id`, `sf__Created`, then the columns sent.
    Successful,
    /// Rows that failed: `sf__Id`, `sf__Error`, then the columns sent.
    Failed,
    /// Rows never attempted (the job failed or was aborted): the columns sent.
    Unprocessed,
}

impl IngestResults {
    /// The resource under the job (the trailing slash is Salesforce's own spelling).
    fn resource(self) -> &'static str {
        match self {
            IngestResults::Successful => "successfulResults/",
            IngestResults::Failed => "failedResults/",
            IngestResults::Unprocessed => "unprocessedrecords/",
        }
    }
}

impl SfClient {
    /// Creates an ingest job (`Open`: it takes one upload).
    pub async fn create_ingest_job(&self, new: &NewIngestJob) -> Result<BulkJob, ApiError> {
        let mut body = Map::new();
        body.insert("object".into(), json!(new.object));
        body.insert("operation".into(), json!(new.operation.as_str()));
        if let Some(field) = &new.external_id_field {
            body.insert("externalIdFieldName".into(), json!(field));
        }
        body.insert("contentType".into(), json!("CSV"));
        body.insert("columnDelimiter".into(), json!("COMMA"));
        body.insert("lineEnding".into(), json!(new.line_ending.as_str()));
        let path = self.data_path("jobs/ingest").await?;
        let req = Req::new(Method::POST, Target::Instance(path, Vec::new()))
            .json(&Value::Object(body))?;
        let resp = ok(self.send_authed(&req).await?)?;
        decode("bulk job", &resp.body)
    }

    /// Uploads the job's CSV data (header row first), to the job's `contentUrl` when it gave
    /// one. A job takes one upload of at most [`MAX_UPLOAD_BYTES`].
    pub async fn upload_ingest_data(&self, job: &BulkJob, csv: Bytes) -> Result<(), ApiError> {
        check_id(&job.id)?;
        let path = match &job.content_url {
            Some(url) if url.starts_with("services/") => format!("/{url}"),
            _ => {
                self.data_path(&format!("jobs/ingest/{}/batches", job.id))
                    .await?
            }
        };
        let resp = self
            .send_raw(
                Method::PUT,
                &path,
                vec![("Content-Type".to_owned(), "text/csv".to_owned())],
                Some(csv),
            )
            .await?;
        ok(resp)?;
        Ok(())
    }

    /// Closes the job's upload (`UploadComplete`): Salesforce starts processing it.
    pub async fn close_ingest_job(&self, id: &str) -> Result<BulkJob, ApiError> {
        self.set_bulk_job_state(JobKind::Ingest, id, "UploadComplete")
            .await
    }

    /// One result file of a finished job, as CSV (header row first).
    pub async fn ingest_results(&self, id: &str, which: IngestResults) -> Result<Bytes, ApiError> {
        check_id(id)?;
        let path = self
            .data_path(&format!("jobs/ingest/{id}/{}", which.resource()))
            .await?;
        let req = Req::new(Method::GET, Target::Instance(path, Vec::new())).header(
            reqwest::header::ACCEPT,
            reqwest::header::HeaderValue::from_static("text/csv"),
        );
        Ok(ok(self.send_authed(&req).await?)?.body)
    }
}
