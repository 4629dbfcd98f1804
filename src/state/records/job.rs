//! The Records tab's jobs and what they produce: data the list state asks for and reads back
//! (the work is done in `jobs::records`).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::rowstore::RowStore;
use crate::sf::SObjectDescribe;
use crate::sf::bulk::{BulkJob, ResultCursor};

/// Rows per export result page when the download goes page by page (progress moves at least
/// this often); parallel chunks have the size Salesforce chose.
pub const EXPORT_PAGE_ROWS: u32 = 10_000;

/// A job of the Records tab.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordsJob {
    /// The first page of a list's query; rows are stored under `columns`.
    Query {
        object: String,
        soql: String,
        columns: Vec<String>,
    },
    /// The next page (`nextRecordsUrl`).
    More {
        object: String,
        url: String,
        columns: Vec<String>,
        page: u32,
    },
    /// Records again (after an edit in the detail view or a mass edit), by `soql`.
    Refetch {
        object: String,
        ids: Vec<String>,
        soql: String,
        columns: Vec<String>,
    },
    Describe {
        object: String,
    },
    DescribeGlobal,
    /// Create a Bulk API 2.0 query job for `soql`.
    ExportCreate {
        soql: String,
    },
    /// Wait `delay`, then read the job's state.
    ExportPoll {
        job_id: String,
        delay: Duration,
    },
    /// Download the next pages of results from `cursor` (a step: a few chunks in parallel, or
    /// pages by locator, the client decides) and append them to `path` in order
    /// ([`ResultCursor::Start`]: the first step, which creates the file with the header row).
    ExportPage {
        job: Box<BulkJob>,
        cursor: ResultCursor,
        path: PathBuf,
    },
    ExportAbort {
        job_id: String,
    },
    /// Set `fields` on each of `ids` (sObject Collections, 200 a call, `allOrNone` false).
    MassUpdate {
        object: String,
        ids: Vec<String>,
        fields: serde_json::Map<String, serde_json::Value>,
    },
    /// Delete each of `ids` (sObject Collections, 200 a call, `allOrNone` false).
    MassDelete {
        object: String,
        ids: Vec<String>,
    },
    /// The mass edit's reference editor: records of `object` whose name contains `text`.
    Search {
        object: String,
        text: String,
    },
}

impl RecordsJob {
    /// What the status bar says while the job runs.
    pub fn label(&self) -> String {
        match self {
            RecordsJob::Query { object, .. } => format!("query {object}"),
            RecordsJob::More { object, page, .. } => format!("query {object} (page {page})"),
            RecordsJob::Refetch { object, ids, .. } if ids.len() > 1 => {
                format!("reload {} {object} rows", ids.len())
            }
            RecordsJob::Refetch { object, .. } => format!("reload {object} row"),
            RecordsJob::Describe { object } => format!("describe {object}"),
            RecordsJob::DescribeGlobal => "describe global".into(),
            RecordsJob::ExportCreate { .. } => "export: creating bulk job".into(),
            RecordsJob::ExportPoll { job_id, .. } => format!("export: job {job_id}"),
            RecordsJob::ExportPage { job, .. } => format!("export: downloading {}", job.id),
            RecordsJob::ExportAbort { job_id } => format!("export: aborting {job_id}"),
            RecordsJob::MassUpdate { object, ids, .. } => {
                format!("updating {} {object} records", ids.len())
            }
            RecordsJob::MassDelete { object, ids } => {
                format!("deleting {} {object} records", ids.len())
            }
            RecordsJob::Search { object, .. } => format!("searching {object}"),
        }
    }
}

/// A failure as the list shows it: Salesforce's error code and message (or the client's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobError {
    pub code: Option<String>,
    pub message: String,
    /// No session: "Connect a profile first".
    pub not_connected: bool,
}

impl JobError {
    pub fn not_connected() -> JobError {
        JobError {
            code: None,
            message: "Connect a profile first.".into(),
            not_connected: true,
        }
    }
}

/// One page of rows.
#[derive(Debug, Clone, PartialEq)]
pub struct PageRows {
    pub rows: RowStore,
    pub total: u64,
    pub next_url: Option<String>,
}

/// What a Records job produced.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordsOutcome {
    Page(Result<PageRows, JobError>),
    Refetched {
        ids: Vec<String>,
        result: Result<Option<RowStore>, JobError>,
    },
    Described(Result<Arc<SObjectDescribe>, JobError>),
    /// Queryable object names of describe global.
    Global(Result<Vec<(String, bool)>, JobError>),
    ExportJob(Result<Box<BulkJob>, JobError>),
    /// A step of pages was written: their rows, the file's size and where the download stands.
    ExportPage(Result<ExportPageDone, JobError>),
    Aborted(Result<(), JobError>),
    /// A mass update or delete: each record's error (`None`: written), in the order sent.
    MassWritten(Result<Vec<Option<String>>, JobError>),
    /// (id, name) pairs for the mass edit's reference editor.
    Found(Result<Vec<(String, String)>, String>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportPageDone {
    pub records: u64,
    /// The size of the file once this page is written (read from the file itself).
    pub bytes: u64,
    /// Where the download goes on ([`ResultCursor::Done`]: it is complete).
    pub next: ResultCursor,
}

impl RecordsJob {
    /// The outcome this job gets when there is no connection.
    pub fn not_connected(&self) -> RecordsOutcome {
        let e = JobError::not_connected();
        match self {
            RecordsJob::Query { .. } | RecordsJob::More { .. } => RecordsOutcome::Page(Err(e)),
            RecordsJob::Refetch { ids, .. } => RecordsOutcome::Refetched {
                ids: ids.clone(),
                result: Err(e),
            },
            RecordsJob::Describe { .. } => RecordsOutcome::Described(Err(e)),
            RecordsJob::DescribeGlobal => RecordsOutcome::Global(Err(e)),
            RecordsJob::ExportCreate { .. } | RecordsJob::ExportPoll { .. } => {
                RecordsOutcome::ExportJob(Err(e))
            }
            RecordsJob::ExportPage { .. } => RecordsOutcome::ExportPage(Err(e)),
            RecordsJob::ExportAbort { .. } => RecordsOutcome::Aborted(Err(e)),
            RecordsJob::MassUpdate { .. } | RecordsJob::MassDelete { .. } => {
                RecordsOutcome::MassWritten(Err(e))
            }
            RecordsJob::Search { .. } => RecordsOutcome::Found(Err(e.message)),
        }
    }
}
