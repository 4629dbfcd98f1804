//! Background work of the Records tab's import wizard: listing a directory for the path
//! completion (`local::list_dir`), reading the file's head, the check, and the steps of the
//! ingest jobs (send, poll, abort, results), each a separate job so the wizard drives progress
//! and the abort.
//! The checks and the job sequence are `crate::ingest`'s (the same as `sfterm import`).

use std::path::Path;
use std::sync::Arc;

use crate::ingest::{IngestError, located};
use crate::sf::SfClient;
use crate::sf::bulk::JobKind;
use crate::state::import::job::{
    Checked, Finding, HeaderRead, ImportJob, ImportOutcome, SAMPLE_ROWS,
};

use super::local::{expand_home, list_dir};

/// Does one job of the wizard (`None`: not connected).
pub async fn run(client: Option<&SfClient>, job: ImportJob) -> ImportOutcome {
    let not_connected = || "Connect a profile first.".to_owned();
    match job {
        ImportJob::ListDir { dir } => {
            let entries = list_dir(&dir, Path::new(""));
            ImportOutcome::Listed { dir, entries }
        }
        ImportJob::Header { path, object } => ImportOutcome::Header(match client {
            Some(client) => header(client, &path, &object).await,
            None => Err(not_connected()),
        }),
        ImportJob::Check { path, spec } => ImportOutcome::Checked(match client {
            Some(client) => check(client, &path, &spec).await,
            None => Err(not_connected()),
        }),
        ImportJob::Start { plan } => {
            let mut sent = Vec::new();
            let error = match client {
                Some(client) => crate::ingest::send(client, &plan, &mut sent, |_| {})
                    .await
                    .err()
                    .map(|e| e.to_string()),
                None => Some(not_connected()),
            };
            ImportOutcome::Started { sent, error }
        }
        ImportJob::Poll { ids, delay } => {
            tokio::time::sleep(delay).await;
            let Some(client) = client else {
                return ImportOutcome::Polled(Err(not_connected()));
            };
            let mut jobs = Vec::new();
            for id in ids {
                match client.bulk_job(JobKind::Ingest, &id).await {
                    Ok(job) => jobs.push(job),
                    Err(e) => return ImportOutcome::Polled(Err(e.to_string())),
                }
            }
            ImportOutcome::Polled(Ok(jobs))
        }
        ImportJob::Abort { ids } => {
            let mut jobs = Vec::new();
            if let Some(client) = client {
                for id in ids {
                    match client.abort_bulk_job(JobKind::Ingest, &id).await {
                        Ok(job) => jobs.push(job),
                        Err(e) => tracing::warn!(job = %id, error = %e, "import job not aborted"),
                    }
                }
            }
            ImportOutcome::Aborted(jobs)
        }
        ImportJob::Results { path, plan, sent } => ImportOutcome::Results(match client {
            Some(client) => {
                crate::ingest::results::write_results(&expand_home(path), client, &plan, &sent)
                    .await
                    .map(Box::new)
                    .map_err(|e| message(&e))
            }
            None => Err(not_connected()),
        }),
    }
}

/// An ingest failure in plain words (the file's problems each as `line:column: reason`).
fn message(e: &IngestError) -> String {
    match e {
        IngestError::Usage(m) | IngestError::Failure(m) => m.clone(),
        IngestError::Api(e) => e.to_string(),
        IngestError::Refused { problems, .. } => problems
            .iter()
            .map(|p| located(Path::new(""), p).trim_start_matches(':').to_owned())
            .collect::<Vec<_>>()
            .join("; "),
    }
}

/// The file's text, or why it cannot be read.
fn read_text(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(expand_home(path.to_path_buf()))
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    crate::ingest::decode(&bytes).map_err(|p| located(path, &p))
}

async fn header(client: &SfClient, path: &Path, object: &str) -> Result<HeaderRead, String> {
    let text = read_text(path)?;
    let mut records = crate::ingest::csv_file::records(&text);
    let header: Vec<String> = match records.next() {
        None => return Err(format!("{}: the file is empty", path.display())),
        Some(Err(p)) => return Err(located(path, &p)),
        Some(Ok(r)) => r.values.iter().map(|v| v.to_string()).collect(),
    };
    let sample = records
        .take(SAMPLE_ROWS)
        .map_while(Result::ok)
        .map(|r| r.values.iter().map(|v| v.to_string()).collect())
        .collect();
    let describe = client.describe(object).await.map_err(|e| e.to_string())?;
    Ok(HeaderRead {
        header,
        sample,
        describe,
    })
}

async fn check(
    client: &SfClient,
    path: &Path,
    spec: &crate::ingest::Spec,
) -> Result<Checked, String> {
    let text = match read_text(path) {
        Ok(text) => text,
        Err(e) => return Err(e),
    };
    match crate::ingest::plan(spec, client, text).await {
        Ok(plan) => Ok(Checked {
            findings: plan
                .notes
                .iter()
                .map(|note| Finding {
                    line: 0,
                    column: 0,
                    message: note.clone(),
                    error: false,
                })
                .collect(),
            plan: Some(Arc::new(plan)),
            more: 0,
        }),
        Err(IngestError::Refused { problems, more }) => Ok(Checked {
            plan: None,
            findings: problems
                .into_iter()
                .map(|p| Finding {
                    line: p.at.line,
                    column: p.at.column,
                    message: p.message,
                    error: true,
                })
                .collect(),
            more,
        }),
        Err(e) => Err(message(&e)),
    }
}
