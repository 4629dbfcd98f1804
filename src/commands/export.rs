//! `sfterm export "SOQL" --out FILE`: a Bulk API 2.0 query job, downloaded page by page into
//! a file (memory stays at one page whatever the result size).
//!
//! CSV is written as Salesforce sends it (the header row once); NDJSON turns each CSV row into
//! one JSON object keyed by the header (an empty unquoted cell, Salesforce's null, becomes
//! `null`; every other value stays a string, as the CSV carries no types).

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use super::{CommandError, Context};
use crate::human::group_thousands;
use crate::sf::bulk::{BulkError, DownloadOptions, PollOptions, write_csv_page};

/// The file format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
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
    pub soql: String,
    /// The file to write.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// File format.
    #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
    pub format: ExportFormat,
    /// Include deleted and archived rows (queryAll).
    #[arg(long)]
    pub all: bool,
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
pub(crate) fn progress_line(records: u64, bytes: u64, elapsed: Duration) -> String {
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

/// Runs `sfterm export`.
pub(crate) async fn run(args: ExportArgs, ctx: &mut Context) -> Result<(), CommandError> {
    if args.soql.trim().is_empty() {
        return Err(CommandError::usage("The SOQL query is empty."));
    }
    let (_, client) = super::connect(ctx).await?;
    let progress = ctx.stderr_is_terminal;
    let job = client
        .create_query_job(&args.soql, args.all)
        .await
        .map_err(|e| CommandError::api(&e))?;
    let job = client
        .wait_for_query_job(&job.id, PollOptions::default(), |j| {
            if progress {
                eprint!("\r\x1b[2Kjob {} {}", j.id, j.state);
            }
        })
        .await
        .map_err(bulk_error)?;
    // A new file is 0600 (readable by the user only); one that exists keeps its mode.
    let file = crate::private_fs::create(&args.out).map_err(|e| {
        CommandError::usage(format!(
            "cannot create {}: {}",
            args.out.display(),
            e.source
        ))
    })?;
    let mut out = BufWriter::new(file);
    let started = Instant::now();
    let mut first = true;
    let mut records = 0u64;
    let mut bytes = 0u64;
    let format = args.format;
    let result = client
        .download_query_job(&job, None, DownloadOptions::default(), |page| {
            match format {
                ExportFormat::Csv => write_csv_page(&mut out, &page.csv, first)?,
                ExportFormat::Ndjson => {
                    write_ndjson_page(&mut out, &page.csv)?;
                }
            }
            first = false;
            records += page.records;
            bytes += page.csv.len() as u64;
            if progress {
                eprint!(
                    "\r\x1b[2K{}",
                    progress_line(records, bytes, started.elapsed())
                );
            }
            Ok(())
        })
        .await;
    if progress {
        eprint!("\r\x1b[2K");
    }
    out.flush().map_err(|e| CommandError::output(&e))?;
    let summary = result.map_err(bulk_error)?;
    if progress {
        eprintln!(
            "{} records written to {}",
            group_thousands(summary.records),
            args.out.display()
        );
    }
    Ok(())
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
            progress_line(12_000, 3_400_000, Duration::from_secs(2)),
            "12,000 records · 3.4 MB · 6,000 records/s"
        );
    }
}
