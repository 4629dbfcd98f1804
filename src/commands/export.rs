//! `sfterm export "SOQL" --out FILE`: a Bulk API 2.0 query job, downloaded into a file in
//! parallel chunks (`resultPages`, API 58.0+; `--concurrency` at once, default 4) or page by
//! page by locator, the rows written in order (memory stays at a few chunks whatever the
//! result size). The choice is the client's ([`crate::sf::SfClient::download_query_job`]), the
//! same for the TUI's export.
//!
//! CSV is written as Salesforce sends it (the header row once); NDJSON turns each CSV row into
//! one JSON object keyed by the header (an empty unquoted cell, Salesforce's null, becomes
//! `null`; every other value stays a string, as the CSV carries no types).
//!
//! A page that fails for a while is retried by the client's retry policy. A download cut for
//! good (the retries ran out, the process was stopped) resumes in a new process with
//! `sfterm export --resume JOB_ID`: after every page written (chunks are written in the listed
//! order, whichever arrived first) the command records in the data directory
//! (`exports/JOB_ID.resume.json`) the file, its length and where the download stands (the
//! chunks not written yet, or the locator of the next page), so the resumed download cuts off
//! a half-written page and appends from there, every row once.

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use super::{CommandError, Context};
use crate::human::group_thousands;
use crate::sf::bulk::{
    BulkError, DownloadOptions, PollOptions, ResultCursor, parse_export_concurrency, write_csv_page,
};

/// The file format of an export.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// CSV exactly as Salesforce sends it, one header row.
    #[default]
    Csv,
    /// One JSON object per line, keys from the CSV header (`Account.Name` stays flat).
    Ndjson,
}

/// Arguments of `sfterm export`.
#[derive(Debug, Clone, clap::Args)]
pub struct ExportArgs {
    /// The SOQL query (no aggregates, GROUP BY, OFFSET or subqueries in bulk queries).
    #[arg(required_unless_present = "resume")]
    pub soql: Option<String>,
    /// The file to write.
    #[arg(long, value_name = "FILE", required_unless_present = "resume")]
    pub out: Option<PathBuf>,
    /// File format.
    #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
    pub format: ExportFormat,
    /// Include deleted and archived rows (queryAll).
    #[arg(long)]
    pub all: bool,
    /// Resume the cut download of this job (the id the failed export named) into the same
    /// file, from the last page written whole; the file, format and job are as recorded.
    #[arg(long, value_name = "JOB_ID", conflicts_with_all = ["soql", "out", "format", "all"])]
    pub resume: Option<String>,
    /// Result chunks downloaded at once (API 58.0+), 1 to 16; 1 downloads page by page.
    /// Default: SFTERM_EXPORT_CONCURRENCY, else config.toml's export_concurrency, else 4.
    #[arg(long, value_name = "N", value_parser = parse_export_concurrency)]
    pub concurrency: Option<usize>,
}

/// What `--resume` needs to go on with a cut download, written after every page.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Progress {
    job_id: String,
    /// The file being written (absolute).
    out: PathBuf,
    format: ExportFormat,
    /// Pages written whole so far.
    pages: u64,
    /// Rows in them.
    records: u64,
    /// The file's length after them: a resumed download cuts off anything after it.
    bytes: u64,
    /// Where the download goes on.
    #[serde(default)]
    cursor: ResultCursor,
    /// The locator of the next page, as files written before parallel downloads say.
    #[serde(default, skip_serializing)]
    next: Option<String>,
}

impl Progress {
    fn path(data_dir: &std::path::Path, job_id: &str) -> PathBuf {
        data_dir
            .join(crate::config::paths::EXPORTS_DIR)
            .join(format!("{job_id}.resume.json"))
    }

    fn save(&self, data_dir: &std::path::Path) -> Result<(), CommandError> {
        let text = serde_json::to_vec_pretty(self).unwrap_or_default();
        crate::private_fs::write_private(&Self::path(data_dir, &self.job_id), &text)
            .map_err(|e| CommandError::failure(e.to_string()))
    }

    fn load(data_dir: &std::path::Path, job_id: &str) -> Result<Progress, CommandError> {
        let path = Self::path(data_dir, job_id);
        let text = std::fs::read(&path).map_err(|e| {
            CommandError::usage(format!(
                "No cut export of job {job_id} to resume: {} cannot be read ({e}). Start the \
                 export again with `sfterm export \"SOQL\" --out FILE`.",
                path.display()
            ))
        })?;
        let mut progress: Progress = serde_json::from_slice(&text).map_err(|e| {
            CommandError::failure(format!(
                "{} is not an export's progress: {e}",
                path.display()
            ))
        })?;
        if progress.cursor == ResultCursor::Start && progress.pages > 0 {
            progress.cursor = ResultCursor::Serial {
                locator: progress.next.take(),
            };
        }
        Ok(progress)
    }

    fn forget(data_dir: &std::path::Path, job_id: &str) {
        let _ = std::fs::remove_file(Self::path(data_dir, job_id));
    }
}

/// Splits CSV text into records of cells; `None` marks an empty unquoted cell (null).
pub fn parse_csv(text: &str) -> Vec<Vec<Option<String>>> {
    let mut records = Vec::new();
    let mut record: Vec<Option<String>> = Vec::new();
    let mut cell = String::new();
    let mut quoted_cell = false;
    let mut in_quotes = false;
    let mut chars = text.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        any = true;
        if in_quotes {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    cell.push('"');
                } else {
                    in_quotes = false;
                }
            } else {
                cell.push(c);
            }
            continue;
        }
        match c {
            '"' => {
                in_quotes = true;
                quoted_cell = true;
            }
            ',' => {
                record.push(finish_cell(&mut cell, &mut quoted_cell));
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                record.push(finish_cell(&mut cell, &mut quoted_cell));
                records.push(std::mem::take(&mut record));
                any = false;
            }
            _ => cell.push(c),
        }
    }
    if any {
        record.push(finish_cell(&mut cell, &mut quoted_cell));
        records.push(record);
    }
    records
}

fn finish_cell(cell: &mut String, quoted: &mut bool) -> Option<String> {
    let value = std::mem::take(cell);
    let was_quoted = std::mem::replace(quoted, false);
    (was_quoted || !value.is_empty()).then_some(value)
}

/// Writes one CSV page (header row first) as NDJSON lines; returns the rows written.
pub fn write_ndjson_page(out: &mut dyn Write, csv: &[u8]) -> std::io::Result<u64> {
    let text = String::from_utf8_lossy(csv);
    let mut records = parse_csv(&text).into_iter();
    let Some(header) = records.next() else {
        return Ok(0);
    };
    let keys: Vec<String> = header.into_iter().map(Option::unwrap_or_default).collect();
    let mut rows = 0;
    for record in records {
        let mut object = Map::new();
        for (key, value) in keys.iter().zip(record) {
            object.insert(key.clone(), value.map_or(Value::Null, Value::String));
        }
        serde_json::to_writer(&mut *out, &object)?;
        out.write_all(b"\n")?;
        rows += 1;
    }
    Ok(rows)
}

/// The progress line on stderr: `12,000 records · 3.4 MB · 2,100 records/s`.
pub(crate) fn progress_line_text(records: u64, bytes: u64, elapsed: Duration) -> String {
    let secs = elapsed.as_secs_f64().max(0.001);
    format!(
        "{} records · {:.1} MB · {} records/s",
        group_thousands(records),
        bytes as f64 / 1_000_000.0,
        group_thousands((records as f64 / secs) as u64)
    )
}

fn bulk_error(e: BulkError) -> CommandError {
    match e {
        BulkError::Api(e) => CommandError::api(&e),
        BulkError::Write(e) => CommandError::output(&e),
        other => CommandError::new(super::EXIT_FAILURE, other.to_string()),
    }
}

/// Runs `sfterm export`: a new job, or `--resume` of a cut download.
pub(crate) async fn run(args: ExportArgs, ctx: &mut Context) -> Result<(), CommandError> {
    let data_dir = ctx.data_dir();
    let (client, job, progress, file) = match &args.resume {
        Some(job_id) => {
            let progress = Progress::load(&data_dir, job_id.trim())?;
            let (_, client) = super::connect(ctx).await?;
            let job = client
                .query_job(&progress.job_id)
                .await
                .map_err(|e| CommandError::api(&e))?;
            // Whatever came after the last page written whole is cut off, then appended to.
            let file = crate::private_fs::append(&progress.out)
                .map_err(|e| CommandError::failure(e.to_string()))?;
            file.set_len(progress.bytes).map_err(|e| {
                CommandError::failure(format!("cannot resume {}: {e}", progress.out.display()))
            })?;
            (client, job, progress, file)
        }
        None => {
            let (soql, out) = match (&args.soql, &args.out) {
                (Some(soql), Some(out)) if !soql.trim().is_empty() => (soql, out),
                _ => return Err(CommandError::usage("The SOQL query is empty.")),
            };
            let (_, client) = super::connect(ctx).await?;
            let progress_line = ctx.stderr_is_terminal;
            let job = client
                .create_query_job(soql, args.all)
                .await
                .map_err(|e| CommandError::api(&e))?;
            let job = client
                .wait_for_query_job(&job.id, PollOptions::default(), |j| {
                    if progress_line {
                        eprint!("\r\x1b[2Kjob {} {}", j.id, j.state);
                    }
                })
                .await
                .map_err(bulk_error)?;
            // A new file is 0600 (readable by the user only); one that exists keeps its mode.
            let file = crate::private_fs::create(out).map_err(|e| {
                CommandError::usage(format!("cannot create {}: {}", out.display(), e.source))
            })?;
            let out = std::path::absolute(out).unwrap_or_else(|_| out.clone());
            let progress = Progress {
                job_id: job.id.clone(),
                out,
                format: args.format,
                pages: 0,
                records: 0,
                bytes: 0,
                cursor: ResultCursor::Start,
                next: None,
            };
            (client, job, progress, file)
        }
    };
    let options = DownloadOptions {
        concurrency: args
            .concurrency
            .unwrap_or_else(crate::sf::bulk::default_export_concurrency),
        ..DownloadOptions::default()
    };
    download(
        (&client, &job, options),
        progress,
        file,
        &data_dir,
        ctx.stderr_is_terminal,
    )
    .await
}

/// Downloads the pages from where `progress` stands into `file`, recording the progress after
/// every page; forgets it once the last page is written.
async fn download(
    (client, job, options): (
        &crate::sf::SfClient,
        &crate::sf::bulk::BulkJob,
        DownloadOptions,
    ),
    mut progress: Progress,
    file: std::fs::File,
    data_dir: &std::path::Path,
    progress_line: bool,
) -> Result<(), CommandError> {
    progress.save(data_dir)?;
    let mut out = BufWriter::new(file);
    let started = Instant::now();
    let mut written = 0u64;
    let mut saved = Ok(());
    let result = client
        .download_query_job(job, progress.cursor.clone(), options, |page, next| {
            match progress.format {
                ExportFormat::Csv => write_csv_page(&mut out, &page.csv, progress.bytes == 0)?,
                ExportFormat::Ndjson => {
                    write_ndjson_page(&mut out, &page.csv)?;
                }
            }
            out.flush()?;
            progress.bytes = out.get_ref().metadata()?.len();
            progress.pages += 1;
            progress.records += page.records;
            progress.cursor.clone_from(next);
            written += page.csv.len() as u64;
            saved = progress.save(data_dir);
            if progress_line {
                eprint!(
                    "\r\x1b[2K{}",
                    progress_line_text(progress.records, written, started.elapsed())
                );
            }
            Ok(())
        })
        .await;
    if progress_line {
        eprint!("\r\x1b[2K");
    }
    out.flush().map_err(|e| CommandError::output(&e))?;
    saved?;
    match result {
        Ok(_) => {
            Progress::forget(data_dir, &progress.job_id);
            if progress_line {
                eprintln!(
                    "{} records written to {}",
                    group_thousands(progress.records),
                    progress.out.display()
                );
            }
            Ok(())
        }
        Err(e) => {
            let mut error = bulk_error(e);
            error.message = format!(
                "{}\n{} records of job {} are in {}. Resume the download with `sfterm export \
                 --resume {}`.",
                error.message,
                group_thousands(progress.records),
                progress.job_id,
                progress.out.display(),
                progress.job_id
            );
            Err(error)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_parsing_keeps_quotes_newlines_and_nulls() {
        let rows = parse_csv("\"Id\",\"Name\"\n\"1\",\"a \"\"b\"\"\nc\"\n\"2\",\n\"3\",\"\"\n");
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[1][1].as_deref(), Some("a \"b\"\nc"));
        assert_eq!(rows[2][1], None);
        assert_eq!(rows[3][1].as_deref(), Some(""));
    }

    #[test]
    fn ndjson_rows_from_csv() {
        let mut out = Vec::new();
        let n = write_ndjson_page(
            &mut out,
            b"\"Id\",\"Account.Name\"\r\n\"1\",\"Acme\"\r\n\"2\",\r\n",
        )
        .expect("write");
        assert_eq!(n, 2);
        assert_eq!(
            String::from_utf8(out).expect("utf-8"),
            "{\"Id\":\"1\",\"Account.Name\":\"Acme\"}\n{\"Id\":\"2\",\"Account.Name\":null}\n"
        );
    }

    #[test]
    fn progress_shows_records_mb_and_rate() {
        assert_eq!(
            progress_line_text(12_000, 3_400_000, Duration::from_secs(2)),
            "12,000 records · 3.4 MB · 6,000 records/s"
        );
    }
}
