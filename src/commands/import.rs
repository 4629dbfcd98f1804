//! `sfterm import FILE.csv --object Account --operation insert|update|upsert|delete`: load a
//! CSV into the org with Bulk API 2.0 ingest jobs.
//!
//! 1. The file is read strictly ([`csv_file`]) and checked against the object's describe
//!    ([`check`], each value by [`values`]); each problem is printed as `file:line:column: reason` and nothing is sent.
//!    `--dry-run` stops after the check.
//! 2. The rows are cut into jobs of at most `--max-upload-bytes` (Salesforce's cap by
//!    default); each job is created, gets its one upload and is closed.
//! 3. The jobs are polled until they finish, with progress on stderr (rows processed and
//!    failed, time, rate).
//! 4. Their results are written beside the file: `NAME.success.csv` (`sf__Id`, `sf__Created`,
//!    the row), `NAME.failed.csv` (`sf__Id`, `sf__Error`, the row) and `NAME.unprocessed.csv`
//!    (rows never attempted), each readable by the user only. A summary goes to stdout; any
//!    failed row makes the exit code 1.
//!
//! Ctrl-C (or a failure half-way) aborts the unfinished jobs on Salesforce (`Aborted`), and
//! the result files still say what was saved and what was not.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::{CommandError, Context};
use crate::human::group_thousands;
use crate::ingest::mapping::Mapping;
use crate::ingest::results::write_results;
use crate::ingest::{IngestError, Plan, Problem, Sent, Spec};
use crate::sf::SfClient;
use crate::sf::bulk::{BulkError, BulkJob, JobKind, PollOptions};
use crate::sf::ingest::{IngestOperation, MAX_UPLOAD_BYTES};

/// What the import does with each row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Operation {
    /// Create a record per row.
    Insert,
    /// Change the records named by the `Id` column; empty values leave fields as they are,
    /// `#N/A` clears them.
    Update,
    /// Update the record whose --external-id field matches, or create one.
    Upsert,
    /// Move the records named by the `Id` column to the recycle bin.
    Delete,
}

impl From<Operation> for IngestOperation {
    fn from(operation: Operation) -> Self {
        match operation {
            Operation::Insert => IngestOperation::Insert,
            Operation::Update => IngestOperation::Update,
            Operation::Upsert => IngestOperation::Upsert,
            Operation::Delete => IngestOperation::Delete,
        }
    }
}

/// Arguments of `sfterm import`.
#[derive(Debug, Clone, clap::Args)]
pub struct ImportArgs {
    /// The CSV file: a header row of field API names or labels (or
    /// `Relationship.ExternalIdField`; see --map), then one row per record; UTF-8, commas, LF
    /// or CRLF line endings.
    pub file: PathBuf,
    /// The object to load into (`Account`, `Contact`, `My_Object__c`).
    #[arg(long, value_name = "OBJECT")]
    pub object: String,
    /// What to do with each row.
    #[arg(long, value_enum)]
    pub operation: Operation,
    /// The field an upsert matches rows on: an External ID field of the object, or `Id`.
    #[arg(long, value_name = "FIELD")]
    pub external_id: Option<String>,
    /// Check the file against the object's describe, then stop: nothing is sent.
    #[arg(long)]
    pub dry_run: bool,
    /// Which field a column sets when its header is neither the field's API name nor its
    /// label: `--map "Company Name=Name"`; `--map "Notes="` leaves the column out. Repeat it
    /// for more columns.
    #[arg(long = "map", value_name = "COLUMN=FIELD", value_parser = crate::ingest::mapping::parse_override)]
    pub map: Vec<(String, Option<String>)>,
    /// The most bytes of CSV one job takes; a bigger file is split into several jobs.
    #[arg(long, value_name = "BYTES", default_value_t = MAX_UPLOAD_BYTES)]
    pub max_upload_bytes: usize,
}

/// The refusal of a file with problems: the count first (after `sfterm: `), then each problem
/// on a line of its own that starts with the file name, as editors read them.
fn refused(file: &Path, problems: &[Problem], more: usize) -> CommandError {
    let total = problems.len() + more;
    let mut lines = vec![format!(
        "{} problem{} in {}: nothing was sent",
        group_thousands(total as u64),
        if total == 1 { "" } else { "s" },
        file.display()
    )];
    lines.extend(problems.iter().map(|p| crate::ingest::located(file, p)));
    if more > 0 {
        lines.push(format!("... and {} more", group_thousands(more as u64)));
    }
    CommandError::failure(lines.join("\n"))
}

/// An ingest failure as the command reports it.
fn command_error(file: &Path, e: IngestError) -> CommandError {
    match e {
        IngestError::Usage(message) => CommandError::usage(message),
        IngestError::Failure(message) => CommandError::failure(message),
        IngestError::Api(e) => CommandError::api(&e),
        IngestError::Refused { problems, more } => refused(file, &problems, more),
    }
}

/// Reads and checks the file against the org's describes; the notes go to stderr.
async fn check_file(
    args: &ImportArgs,
    client: &SfClient,
    text: String,
) -> Result<Plan, CommandError> {
    let spec = Spec {
        object: args.object.clone(),
        operation: args.operation.into(),
        external_id: args.external_id.clone(),
        mapping: Mapping::Header {
            overrides: args.map.clone(),
        },
        max_upload_bytes: args.max_upload_bytes,
    };
    let plan = crate::ingest::plan(&spec, client, text)
        .await
        .map_err(|e| match e {
            IngestError::Failure(message) => {
                CommandError::failure(format!("{}: {message}", args.file.display()))
            }
            other => command_error(&args.file, other),
        })?;
    for note in &plan.notes {
        eprintln!("note: {note}");
    }
    Ok(plan)
}

/// The progress line: `job 1/2 750… InProgress · 1,500 processed · 3 failed · 12s · 125 rows/s`.
fn progress_line(
    job: (usize, usize, &BulkJob),
    processed: u64,
    failed: u64,
    elapsed: Duration,
) -> String {
    let (n, of, info) = job;
    let rate = processed as f64 / elapsed.as_secs_f64().max(0.001);
    format!(
        "job {n}/{of} {} {} · {} processed · {} failed · {} · {} rows/s",
        info.id,
        info.state,
        group_thousands(processed),
        group_thousands(failed),
        crate::human::duration(elapsed.as_secs() as i64),
        group_thousands(rate as u64)
    )
}

/// Progress on stderr: redrawn in place on a terminal, else a line when something changed.
struct Progress {
    terminal: bool,
    last: String,
}

impl Progress {
    fn show(&mut self, key: String, line: &str) {
        if self.terminal {
            eprint!("\r\x1b[2K{line}");
        } else if key != self.last {
            eprintln!("{line}");
        }
        self.last = key;
    }

    fn clear(&self) {
        if self.terminal {
            eprint!("\r\x1b[2K");
        }
    }
}

/// Creates, fills and closes a job per part, then polls each until it finishes. `sent` holds
/// every job created, as last seen, for the results (and the abort) whatever happens.
async fn send_and_wait(
    client: &SfClient,
    plan: &Plan,
    sent: &mut Vec<Sent>,
    progress: &mut Progress,
    started: Instant,
) -> Result<(), CommandError> {
    let of = plan.parts();
    crate::ingest::send(client, plan, sent, |i| {
        progress.show(
            format!("upload {i}"),
            &format!(
                "job {}/{of}: uploading {} rows",
                i + 1,
                group_thousands(crate::ingest::part_rows(plan, i) as u64)
            ),
        );
    })
    .await
    .map_err(|e| CommandError::api(&e))?;
    let (mut processed, mut failed) = (0u64, 0u64);
    for (i, slot) in sent.iter_mut().enumerate() {
        let id = slot.job.id.clone();
        let job = client
            .wait_for_bulk_job(JobKind::Ingest, &id, PollOptions::default(), |j| {
                let p = processed + j.number_records_processed.unwrap_or(0);
                let f = failed + j.number_records_failed.unwrap_or(0);
                let line = progress_line((i + 1, of, j), p, f, started.elapsed());
                progress.show(format!("{} {} {p} {f}", j.id, j.state), &line);
            })
            .await
            .map_err(|e| match e {
                BulkError::Api(e) => CommandError::api(&e),
                other => CommandError::failure(other.to_string()),
            })?;
        processed += job.number_records_processed.unwrap_or(0);
        failed += job.number_records_failed.unwrap_or(0);
        slot.job = job;
    }
    Ok(())
}

/// Runs `sfterm import`.
pub(crate) async fn run(args: ImportArgs, ctx: &mut Context) -> Result<(), CommandError> {
    let bytes = std::fs::read(&args.file)
        .map_err(|e| CommandError::usage(format!("cannot read {}: {e}", args.file.display())))?;
    let text = crate::ingest::decode(&bytes).map_err(|p| refused(&args.file, &[p], 0))?;
    let (_, client) = super::connect(ctx).await?;
    let checked = check_file(&args, &client, text).await?;
    let rows = group_thousands(checked.rows() as u64);
    if args.dry_run || checked.rows() == 0 {
        writeln!(
            ctx.stdout,
            "{}: {rows} rows checked against {} for {}: no problems. {}",
            args.file.display(),
            checked.new_job.object,
            checked.new_job.operation.as_str(),
            if checked.rows() == 0 {
                "Nothing to import.".to_owned()
            } else {
                format!(
                    "Dry run: nothing was sent ({} job{} would be).",
                    checked.parts(),
                    if checked.parts() == 1 { "" } else { "s" }
                )
            }
        )?;
        return Ok(());
    }
    let started = Instant::now();
    let mut progress = Progress {
        terminal: ctx.stderr_is_terminal,
        last: String::new(),
    };
    let mut sent = Vec::new();
    let outcome = tokio::select! {
        result = send_and_wait(&client, &checked, &mut sent, &mut progress, started) => result,
        _ = tokio::signal::ctrl_c() => Err(CommandError::failure(
            "interrupted: the import's unfinished jobs were aborted on Salesforce",
        )),
    };
    progress.clear();
    if outcome.is_err() {
        for sent in sent.iter_mut().filter(|s| !s.job.is_finished()) {
            match client.abort_bulk_job(JobKind::Ingest, &sent.job.id).await {
                Ok(aborted) => sent.job = aborted,
                Err(e) => eprintln!("warning: could not abort job {}: {e}", sent.job.id),
            }
        }
    }
    let written = write_results(&args.file, &client, &checked, &sent)
        .await
        .map_err(|e| command_error(&args.file, e))?;
    let (summary, failure) = (written.summary.join("\n"), written.failure);
    writeln!(
        ctx.stdout,
        "{summary}\n  took {}",
        crate::human::duration(started.elapsed().as_secs() as i64)
    )?;
    outcome?;
    match failure {
        Some(message) => Err(CommandError::failure(message)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_shows_counts_time_and_rate() {
        let job: BulkJob =
            serde_json::from_str(r#"{"id":"750000000000001AAA","state":"InProgress"}"#)
                .expect("json");
        assert_eq!(
            progress_line((1, 2, &job), 1500, 3, Duration::from_secs(12)),
            "job 1/2 750000000000001AAA InProgress · 1,500 processed · 3 failed · 12s · 125 rows/s"
        );
    }
}
