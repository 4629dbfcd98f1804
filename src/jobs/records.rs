//! Background work of the Records tab lists: query pages, describes, and the steps of a Bulk
//! API 2.0 export (create, poll, download one page, abort), each a separate job so the list
//! state drives progress and cancellation without a channel.

use std::io::Write;
use std::path::PathBuf;

use super::local::expand_home;

use crate::sf::bulk::{BulkError, BulkJob, DownloadOptions, ResultCursor, write_csv_page};
use crate::sf::types::query_decode_error;
use crate::sf::{ApiError, ObjectRef, RawQueryPage, RowResults, SfClient};
use crate::state::records::job::{
    EXPORT_PAGE_ROWS, ExportPageDone, JobError, PageRows, RecordsJob, RecordsOutcome,
};
use crate::state::records::rowstore::RowStore;

impl From<ApiError> for JobError {
    fn from(e: ApiError) -> JobError {
        let not_connected = matches!(e, ApiError::NotConnected);
        match &e {
            ApiError::Api { errors, .. } if !errors.is_empty() => JobError {
                code: Some(errors[0].error_code.clone()),
                message: errors[0].message.clone(),
                not_connected,
            },
            _ => JobError {
                code: e.error_code().map(str::to_owned),
                message: e.to_string(),
                not_connected,
            },
        }
    }
}

impl From<BulkError> for JobError {
    fn from(e: BulkError) -> JobError {
        match e {
            BulkError::Api(e) => e.into(),
            other => JobError {
                code: None,
                message: other.to_string(),
                not_connected: false,
            },
        }
    }
}

/// The rows of a page under `columns`: each record is parsed from its JSON text into the
/// borrowed [`ObjectRef`] and copied into the store (no map per record, and no string per
/// cell that the store would copy again).
pub fn rows_of(page: &RawQueryPage, columns: &[String]) -> Result<RowStore, JobError> {
    let mut rows = RowStore::new(columns.to_vec());
    for text in &page.records {
        let record: ObjectRef<'_> = serde_json::from_slice(text).map_err(query_decode_error)?;
        rows.push_record(&record).map_err(|e| JobError {
            code: None,
            message: e.to_string(),
            not_connected: false,
        })?;
    }
    Ok(rows)
}

/// Runs a job on the connected client.
pub async fn run(client: &SfClient, job: RecordsJob) -> RecordsOutcome {
    match job {
        RecordsJob::Query { soql, columns, .. } => {
            RecordsOutcome::Page(page(client.query_raw(&soql).await, &columns))
        }
        RecordsJob::More { url, columns, .. } => {
            RecordsOutcome::Page(page(client.query_more_raw(&url).await, &columns))
        }
        RecordsJob::Refetch {
            ids, soql, columns, ..
        } => {
            let result = client
                .query_raw(&soql)
                .await
                .map_err(JobError::from)
                .and_then(|p| {
                    let rows = rows_of(&p, &columns)?;
                    Ok((!rows.is_empty()).then_some(rows))
                });
            RecordsOutcome::Refetched { ids, result }
        }
        RecordsJob::Describe { object } => {
            RecordsOutcome::Described(client.describe(&object).await.map_err(JobError::from))
        }
        RecordsJob::DescribeGlobal => RecordsOutcome::Global(
            client
                .describe_global()
                .await
                .map(|g| {
                    g.sobjects
                        .into_iter()
                        .map(|o| (o.name, o.queryable))
                        .collect()
                })
                .map_err(JobError::from),
        ),
        RecordsJob::ExportCreate { soql } => RecordsOutcome::ExportJob(
            client
                .create_query_job(&soql, false)
                .await
                .map(Box::new)
                .map_err(JobError::from),
        ),
        RecordsJob::ExportPoll { job_id, delay } => {
            tokio::time::sleep(delay).await;
            RecordsOutcome::ExportJob(
                client
                    .query_job(&job_id)
                    .await
                    .map(Box::new)
                    .map_err(JobError::from),
            )
        }
        RecordsJob::ExportPage { job, cursor, path } => {
            RecordsOutcome::ExportPage(export_page(client, &job, cursor, path).await)
        }
        RecordsJob::MassUpdate {
            object,
            ids,
            fields,
        } => RecordsOutcome::MassWritten(row_errors(
            client.update_records(&object, &ids, &fields).await,
        )),
        RecordsJob::MassDelete { ids, .. } => {
            RecordsOutcome::MassWritten(row_errors(client.delete_records(&ids).await))
        }
        RecordsJob::Search { object, text } => {
            RecordsOutcome::Found(super::record_detail::search(client, &object, &text).await)
        }
        RecordsJob::ExportAbort { job_id } => RecordsOutcome::Aborted(
            client
                .abort_query_job(&job_id)
                .await
                .map(|_| ())
                .map_err(JobError::from),
        ),
    }
}

/// Each record's error as the list shows it (`None`: written).
fn row_errors(results: Result<RowResults, ApiError>) -> Result<Vec<Option<String>>, JobError> {
    Ok(results?
        .into_iter()
        .map(|r| r.err().map(|e| e.to_string()))
        .collect())
}

fn page(result: Result<RawQueryPage, ApiError>, columns: &[String]) -> Result<PageRows, JobError> {
    let page = result?;
    Ok(PageRows {
        rows: rows_of(&page, columns)?,
        total: page.total_size,
        next_url: page.next_records_url.filter(|_| !page.done),
    })
}

/// One step of an export's download: at most two rounds of chunks (or pages) from `cursor`,
/// written to the file in order, so the jobs popup's progress moves after each step.
async fn export_page(
    client: &SfClient,
    job: &BulkJob,
    cursor: ResultCursor,
    path: PathBuf,
) -> Result<ExportPageDone, JobError> {
    let first = cursor == ResultCursor::Start;
    let path = expand_home(path);
    let io_error = |e: std::io::Error| JobError {
        code: None,
        message: format!("cannot write the export file: {e}"),
        not_connected: false,
    };
    let file = tokio::task::spawn_blocking(move || -> std::io::Result<std::fs::File> {
        // A new file is 0600 (its folder 0700); one the user already has keeps its mode.
        Ok(if first {
            crate::private_fs::create_parent_dir(&path)?;
            crate::private_fs::create(&path)?
        } else {
            crate::private_fs::append(&path)?
        })
    })
    .await
    .map_err(|e| JobError {
        code: None,
        message: e.to_string(),
        not_connected: false,
    })?
    .map_err(io_error)?;
    let mut out = std::io::BufWriter::new(file);
    let defaults = DownloadOptions::default();
    let options = DownloadOptions {
        max_records: Some(EXPORT_PAGE_ROWS),
        max_pages: Some(2 * defaults.concurrency as u64),
        ..defaults
    };
    // A page that fails for a while is retried by the client's retry policy. Later pages leave
    // out the header row, so the file's size is read from the file itself.
    let mut with_header = first;
    let summary = client
        .download_query_job(job, cursor, options, |page, _| {
            write_csv_page(&mut out, &page.csv, with_header)?;
            with_header = false;
            Ok(())
        })
        .await?;
    out.flush().map_err(io_error)?;
    let bytes = out.get_ref().metadata().map_err(io_error)?.len();
    Ok(ExportPageDone {
        records: summary.records,
        bytes,
        next: summary.next,
    })
}
