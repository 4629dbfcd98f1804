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

mod check;
mod csv_file;
mod values;

use std::collections::HashMap;
use std::io::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use bytes::Bytes;

use super::{CommandError, Context};
use crate::human::group_thousands;
use crate::sf::SfClient;
use crate::sf::bulk::{BulkError, BulkJob, JobKind, PollOptions, write_csv_page};
use crate::sf::ingest::{IngestOperation, IngestResults, MAX_UPLOAD_BYTES, NewIngestJob};
use check::{Checker, Target};
use csv_file::{Position, Problem};

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
    /// The CSV file: a header row of field API names (or `Relationship.ExternalIdField`),
    /// then one row per record; UTF-8, commas, LF or CRLF line endings.
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
    /// The most bytes of CSV one job takes; a bigger file is split into several jobs.
    #[arg(long, value_name = "BYTES", default_value_t = MAX_UPLOAD_BYTES)]
    pub max_upload_bytes: usize,
}

/// `file:line:column: message`.
fn located(file: &Path, problem: &Problem) -> String {
    format!(
        "{}:{}:{}: {}",
        file.display(),
        problem.at.line,
        problem.at.column,
        problem.message
    )
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
    lines.extend(problems.iter().map(|p| located(file, p)));
    if more > 0 {
        lines.push(format!("... and {} more", group_thousands(more as u64)));
    }
    CommandError::failure(lines.join("\n"))
}

/// The upsert key as the describe spells it; a usage error when it cannot be one.
fn external_id_field(
    args: &ImportArgs,
    object: &crate::sf::SObjectDescribe,
) -> Result<Option<String>, CommandError> {
    let key = match (args.operation, &args.external_id) {
        (Operation::Upsert, None) => {
            return Err(CommandError::usage(
                "an upsert needs --external-id FIELD: the External ID field (or Id) that \
                 matches each row to its record",
            ));
        }
        (Operation::Upsert, Some(key)) => key,
        (_, Some(_)) => {
            return Err(CommandError::usage(
                "--external-id is only for --operation upsert",
            ));
        }
        (_, None) => return Ok(None),
    };
    if key.eq_ignore_ascii_case("Id") {
        return Ok(Some("Id".to_owned()));
    }
    let field = object.field(key).ok_or_else(|| {
        CommandError::usage(format!(
            "--external-id {key}: {} has no such field",
            object.name
        ))
    })?;
    if !(field.external_id || field.id_lookup) {
        return Err(CommandError::usage(format!(
            "--external-id {key}: {}.{} is not an External ID field; an upsert matches rows on \
             an External ID field or on Id",
            object.name, field.name
        )));
    }
    Ok(Some(field.name.clone()))
}

/// The checked file: its text, header bytes, the data rows (bytes and start) and the jobs.
struct Checked<'a> {
    text: &'a str,
    header: Range<usize>,
    rows: Vec<(Range<usize>, Position)>,
    parts: Vec<Range<usize>>,
    new_job: NewIngestJob,
}

impl Checked<'_> {
    /// The CSV of one job: the header, then its rows as they are in the file.
    fn part_csv(&self, part: &Range<usize>) -> Vec<u8> {
        let mut csv = self.text.as_bytes()[self.header.clone()].to_vec();
        for (bytes, _) in &self.rows[part.clone()] {
            csv.extend_from_slice(&self.text.as_bytes()[bytes.clone()]);
        }
        csv
    }
}

/// Reads and checks the file against the org's describes.
async fn check_file<'a>(
    args: &ImportArgs,
    client: &SfClient,
    text: &'a str,
) -> Result<Checked<'a>, CommandError> {
    let file = args.file.as_path();
    let mut records = csv_file::records(text);
    let header = match records.next() {
        None => {
            return Err(CommandError::failure(format!(
                "{}: the file is empty; it needs a header row of field names",
                file.display()
            )));
        }
        Some(Err(problem)) => return Err(refused(file, &[problem], 0)),
        Some(Ok(header)) => header,
    };
    let object = client
        .describe(&args.object)
        .await
        .map_err(|e| CommandError::api(&e))?;
    let external_id = external_id_field(args, &object)?;
    let names: Vec<&str> = header.values.iter().map(AsRef::as_ref).collect();
    let mut parents = HashMap::new();
    for name in check::parents_needed(&object, &names) {
        // One the org cannot describe is named by the check.
        if let Ok(describe) = client.describe(&name).await {
            parents.insert(name.to_ascii_lowercase(), describe);
        }
    }
    let operation = IngestOperation::from(args.operation);
    let target = Target {
        object: &object,
        operation,
        external_id: external_id.as_deref(),
        parents: &parents,
    };
    let mut checker = Checker::new(target, &header);
    let line_ending = header.ending.unwrap_or_default();
    let mut rows = Vec::new();
    for record in records {
        let record = match record {
            Ok(record) => record,
            Err(problem) => {
                checker.add(problem);
                break;
            }
        };
        if let Some(ending) = record.ending.filter(|e| *e != line_ending) {
            checker.add(Problem {
                at: record.end,
                message: format!(
                    "this line ends with {}, the header with {}: a job takes one kind of line \
                     ending",
                    ending.as_str(),
                    line_ending.as_str()
                ),
            });
        }
        checker.row(&record);
        let start = record.starts.first().copied().unwrap_or(record.end);
        rows.push((record.bytes.clone(), start));
    }
    let (problems, more) = checker.problems();
    if !problems.is_empty() {
        return Err(refused(file, problems, more));
    }
    for note in checker.notes() {
        eprintln!("note: {note}");
    }
    let parts = csv_file::split_rows(header.bytes.len(), &rows, args.max_upload_bytes)
        .map_err(|p| refused(file, &[p], 0))?;
    Ok(Checked {
        text,
        header: header.bytes.clone(),
        rows,
        parts,
        new_job: NewIngestJob {
            object: object.name.clone(),
            operation,
            external_id_field: external_id,
            line_ending,
        },
    })
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

/// A job created for one part of the file, as last seen, and whether its data got there.
struct Sent {
    job: BulkJob,
    uploaded: bool,
}

/// Creates, fills and closes a job per part, then polls each until it finishes. `sent` holds
/// every job created, as last seen, for the results (and the abort) whatever happens.
async fn send_and_wait(
    client: &SfClient,
    checked: &Checked<'_>,
    sent: &mut Vec<Sent>,
    progress: &mut Progress,
    started: Instant,
) -> Result<(), CommandError> {
    let api = |e: crate::sf::ApiError| CommandError::api(&e);
    let of = checked.parts.len();
    for (i, part) in checked.parts.iter().enumerate() {
        progress.show(
            format!("upload {i}"),
            &format!(
                "job {}/{of}: uploading {} rows",
                i + 1,
                group_thousands(part.len() as u64)
            ),
        );
        let job = client
            .create_ingest_job(&checked.new_job)
            .await
            .map_err(api)?;
        sent.push(Sent {
            job: job.clone(),
            uploaded: false,
        });
        client
            .upload_ingest_data(&job, Bytes::from(checked.part_csv(part)))
            .await
            .map_err(api)?;
        sent[i].uploaded = true;
        sent[i].job = client.close_ingest_job(&job.id).await.map_err(api)?;
    }
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

/// One result file being assembled from the jobs' results (one header row).
struct ResultFile {
    csv: Vec<u8>,
    /// The header when no job gave one: the `sf__` columns, then the file's header.
    fallback_header: String,
}

impl ResultFile {
    fn new(lead: &str, header: &str) -> ResultFile {
        ResultFile {
            csv: Vec::new(),
            fallback_header: format!("{lead}{header}"),
        }
    }

    fn add(&mut self, page: &[u8]) {
        // Writing to memory cannot fail.
        let first = self.csv.is_empty();
        let _ = write_csv_page(&mut self.csv, page, first);
    }

    fn finish(mut self) -> Vec<u8> {
        if self.csv.is_empty() {
            self.csv = self.fallback_header.into_bytes();
        }
        self.csv
    }
}

/// `(rows, rows whose second column is true)` of a result CSV.
fn count_rows(csv: &[u8]) -> (u64, u64) {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(csv);
    reader
        .byte_records()
        .flatten()
        .fold((0, 0), |(rows, yes), r| {
            (rows + 1, yes + u64::from(r.get(1) == Some(b"true")))
        })
}

/// `dir/NAME.what.csv` beside the input file.
fn beside(file: &Path, what: &str) -> PathBuf {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "import".to_owned());
    file.with_file_name(format!("{stem}.{what}.csv"))
}

/// Downloads every job's results (the rows of parts whose data never got to Salesforce count
/// as unprocessed), writes the three files and returns the summary and the failure to report,
/// if any.
async fn write_results(
    args: &ImportArgs,
    client: &SfClient,
    checked: &Checked<'_>,
    sent: &[Sent],
) -> Result<(String, Option<String>), CommandError> {
    let header = &checked.text[checked.header.clone()];
    let mut success = ResultFile::new("\"sf__Id\",\"sf__Created\",", header);
    let mut failed = ResultFile::new("\"sf__Id\",\"sf__Error\",", header);
    let mut unprocessed = ResultFile::new("", header);
    let mut job_failures = Vec::new();
    for (i, Sent { job, uploaded }) in sent.iter().enumerate() {
        if !uploaded || !job.is_finished() {
            unprocessed.add(&checked.part_csv(&checked.parts[i]));
            continue;
        }
        if job.state == "Failed" {
            job_failures.push(format!(
                "job {} failed: {}",
                job.id,
                job.error_message
                    .as_deref()
                    .unwrap_or("Salesforce gave no reason")
            ));
        }
        for (which, file) in [
            (IngestResults::Successful, &mut success),
            (IngestResults::Failed, &mut failed),
            (IngestResults::Unprocessed, &mut unprocessed),
        ] {
            let csv = client
                .ingest_results(&job.id, which)
                .await
                .map_err(|e| CommandError::api(&e))?;
            file.add(&csv);
        }
    }
    for part in checked.parts.iter().skip(sent.len()) {
        unprocessed.add(&checked.part_csv(part));
    }
    let mut lines = vec![format!(
        "{} {}: {} rows in {} job{}",
        checked.new_job.object,
        checked.new_job.operation.as_str(),
        group_thousands(checked.rows.len() as u64),
        checked.parts.len(),
        if checked.parts.len() == 1 { "" } else { "s" }
    )];
    let mut counts = [0u64; 3];
    for (i, (what, file)) in [
        ("success", success),
        ("failed", failed),
        ("unprocessed", unprocessed),
    ]
    .into_iter()
    .enumerate()
    {
        let csv = file.finish();
        let (rows, created) = count_rows(&csv);
        counts[i] = rows;
        let path = beside(&args.file, what);
        crate::private_fs::write_private(&path, &csv)
            .map_err(|e| CommandError::failure(e.to_string()))?;
        let label = match what {
            "success" => format!(
                "{} saved ({} created, {} updated)",
                group_thousands(rows),
                group_thousands(created),
                group_thousands(rows - created)
            ),
            other => format!("{} {other}", group_thousands(rows)),
        };
        lines.push(format!("  {label}: {}", path.display()));
    }
    let [_, failed_rows, unprocessed_rows] = counts;
    let failure = if !job_failures.is_empty() {
        Some(job_failures.join("\n"))
    } else if failed_rows > 0 || unprocessed_rows > 0 {
        Some(format!(
            "{} of {} rows were not saved: see {}",
            group_thousands(failed_rows + unprocessed_rows),
            group_thousands(checked.rows.len() as u64),
            beside(
                &args.file,
                if failed_rows > 0 {
                    "failed"
                } else {
                    "unprocessed"
                }
            )
            .display()
        ))
    } else {
        None
    };
    Ok((lines.join("\n"), failure))
}

/// Runs `sfterm import`.
pub(crate) async fn run(args: ImportArgs, ctx: &mut Context) -> Result<(), CommandError> {
    let bytes = std::fs::read(&args.file)
        .map_err(|e| CommandError::usage(format!("cannot read {}: {e}", args.file.display())))?;
    let text = csv_file::decode(&bytes).map_err(|p| refused(&args.file, &[p], 0))?;
    let (_, client) = super::connect(ctx).await?;
    let checked = check_file(&args, &client, text).await?;
    let rows = group_thousands(checked.rows.len() as u64);
    if args.dry_run || checked.rows.is_empty() {
        writeln!(
            ctx.stdout,
            "{}: {rows} rows checked against {} for {}: no problems. {}",
            args.file.display(),
            checked.new_job.object,
            checked.new_job.operation.as_str(),
            if checked.rows.is_empty() {
                "Nothing to import.".to_owned()
            } else {
                format!(
                    "Dry run: nothing was sent ({} job{} would be).",
                    checked.parts.len(),
                    if checked.parts.len() == 1 { "" } else { "s" }
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
    let (summary, failure) = write_results(&args, &client, &checked, &sent).await?;
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
    fn results_go_beside_the_input() {
        assert_eq!(
            beside(Path::new("/d/accounts.csv"), "failed"),
            PathBuf::from("/d/accounts.failed.csv")
        );
        assert_eq!(
            beside(Path::new("rows"), "success"),
            PathBuf::from("rows.success.csv")
        );
    }

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

    #[test]
    fn result_files_keep_one_header_and_count_created_rows() {
        let mut file = ResultFile::new("\"sf__Id\",\"sf__Created\",", "Name\n");
        file.add(b"\"sf__Id\",\"sf__Created\",Name\n\"001A\",\"true\",\"a\"\n");
        file.add(b"\"sf__Id\",\"sf__Created\",Name\n\"001B\",\"false\",\"b\"\n");
        let csv = file.finish();
        assert_eq!(csv.iter().filter(|b| **b == b'\n').count(), 3);
        assert_eq!(count_rows(&csv), (2, 1));
        let empty = ResultFile::new("\"sf__Id\",\"sf__Error\",", "Name\n").finish();
        assert_eq!(empty, b"\"sf__Id\",\"sf__Error\",Name\n");
        assert_eq!(count_rows(&empty), (0, 0));
    }
}
