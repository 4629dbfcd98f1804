//! `sfterm query "SOQL"`: streams every page of a query to stdout or a file, one page at a
//! time (memory stays constant whatever the result size).
//!
//! If a later page fails, what was written stays written and the command exits 1; a JSON
//! array is then left unclosed on purpose, so a consumer cannot mistake it for a full result.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use futures::StreamExt;

use super::format::{TableLayout, cell_text, columns_of_page, write_csv_line};
use super::{CommandError, Context};
use crate::human::group_thousands;
use crate::sf::json_ref::ObjectRef;
use crate::sf::{ApiError, QueryOptions, RawQueryPage};

/// How query results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum OutputFormat {
    /// Aligned columns; widths from the first page; parent fields as `Account.Name`.
    #[default]
    Table,
    /// One JSON array, written as it streams (`[`, one record per line, `]`).
    Json,
    /// One JSON object per line.
    Ndjson,
    /// RFC 4180 CSV with a header row; parent fields as `Account.Name` columns.
    Csv,
}

/// Arguments of `sfterm query`.
#[derive(Debug, Clone, clap::Args)]
pub struct QueryArgs {
    /// The SOQL query, e.g. "SELECT Id, Name FROM Account".
    pub soql: String,
    /// Include deleted and archived rows (queryAll).
    #[arg(long)]
    pub all: bool,
    /// Output format. JSON and NDJSON records keep nested parents; `attributes` is dropped.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
    /// Write the result to this file instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Writes query pages in one [`OutputFormat`], keeping only what the format needs between
/// pages (the columns / table layout), never the records.
pub struct PageWriter {
    format: OutputFormat,
    /// CSV / table columns, fixed by the first non-empty page.
    columns: Option<Vec<String>>,
    layout: Option<TableLayout>,
    /// Whether what goes before the first record is written.
    started: bool,
    /// Records written so far.
    pub rows: u64,
}

impl PageWriter {
    /// A writer that has written nothing yet.
    pub fn new(format: OutputFormat) -> PageWriter {
        PageWriter {
            format,
            columns: None,
            layout: None,
            started: false,
            rows: 0,
        }
    }

    /// What goes before the first record, once.
    fn start(&mut self, out: &mut dyn Write) -> std::io::Result<()> {
        if !self.started && self.format == OutputFormat::Json {
            out.write_all(b"[\n")?;
        }
        self.started = true;
        Ok(())
    }

    /// Writes the records of a page as received. Every record is parsed before the first is
    /// written, so a page is written whole or not at all.
    pub fn raw_page(
        &mut self,
        out: &mut dyn Write,
        page: &RawQueryPage,
    ) -> Result<(), CommandError> {
        let records = page
            .records
            .iter()
            .map(|r| serde_json::from_slice(r))
            .collect::<Result<Vec<ObjectRef<'_>>, _>>()
            .map_err(|e| CommandError::api(&crate::sf::types::query_decode_error(e)))?;
        self.start(out)?;
        Ok(self.page(out, &records)?)
    }

    /// Writes one page's records (as [`ObjectRef`]s: `attributes` already dropped).
    fn page(&mut self, out: &mut dyn Write, records: &[ObjectRef<'_>]) -> std::io::Result<()> {
        match self.format {
            OutputFormat::Json => {
                for record in records {
                    if self.rows > 0 {
                        out.write_all(b",\n")?;
                    }
                    serde_json::to_writer(&mut *out, record)?;
                    self.rows += 1;
                }
            }
            OutputFormat::Ndjson => {
                for record in records {
                    serde_json::to_writer(&mut *out, record)?;
                    out.write_all(b"\n")?;
                    self.rows += 1;
                }
            }
            OutputFormat::Csv => {
                if records.is_empty() {
                    return Ok(());
                }
                let columns = match &self.columns {
                    Some(c) => c,
                    None => {
                        let cols = columns_of_page(records);
                        write_csv_line(out, &cols)?;
                        self.columns.insert(cols)
                    }
                };
                for record in records {
                    write_csv_line(out, columns.iter().map(|c| cell_text(record.lookup(c))))?;
                    self.rows += 1;
                }
            }
            OutputFormat::Table => {
                if records.is_empty() {
                    return Ok(());
                }
                let layout = match &self.layout {
                    Some(l) => l,
                    None => {
                        let layout =
                            TableLayout::from_first_page(columns_of_page(records), records);
                        out.write_all(layout.header().as_bytes())?;
                        self.layout.insert(layout)
                    }
                };
                for record in records {
                    out.write_all(layout.row(record).as_bytes())?;
                    self.rows += 1;
                }
            }
        }
        Ok(())
    }

    /// What goes after the last record (and before it, when there was no page).
    pub fn finish(&mut self, out: &mut dyn Write) -> std::io::Result<()> {
        self.start(out)?;
        match self.format {
            OutputFormat::Json if self.rows > 0 => out.write_all(b"\n]\n"),
            OutputFormat::Json => out.write_all(b"]\n"),
            OutputFormat::Table if self.rows == 0 => out.write_all(b"No rows.\n"),
            _ => Ok(()),
        }
    }
}

/// The progress line drawn on stderr (when it is a terminal): `page 3 · 6,000 of 100,000`.
pub(crate) fn progress_line(page: u64, rows: u64, total: u64) -> String {
    format!(
        "page {page} · {} of {}",
        group_thousands(rows),
        group_thousands(total)
    )
}

/// Above this many rows `sfterm query` suggests `sfterm export`.
pub(crate) const EXPORT_HINT_ABOVE: u64 = 50_000;

/// The stderr hint for large results.
pub(crate) fn export_hint(total: u64) -> String {
    format!(
        "hint: {} rows; `sfterm export \"SOQL\" --out FILE` uses a Bulk API job and is faster \
         for large results",
        group_thousands(total)
    )
}

/// Runs `sfterm query`.
pub(crate) async fn run(args: QueryArgs, ctx: &mut Context) -> Result<(), CommandError> {
    if args.soql.trim().is_empty() {
        return Err(CommandError::usage("The SOQL query is empty."));
    }
    // Open the output file before logging in so a bad path fails fast.
    let mut file = match &args.out {
        // A new file is 0600 (readable by the user only); one that exists keeps its mode.
        Some(path) => Some(BufWriter::new(crate::private_fs::create(path).map_err(
            |e| CommandError::usage(format!("cannot create {}: {}", path.display(), e.source)),
        )?)),
        None => None,
    };
    let mut pages_written = 0u64;
    let result = match super::connect(ctx).await {
        Ok((_, client)) => {
            let mut stdout = BufWriter::new(&mut ctx.stdout);
            let out: &mut dyn Write = match &mut file {
                Some(f) => f,
                None => &mut stdout,
            };
            let opts = QueryOptions {
                include_deleted: args.all,
                batch_size: None,
            };
            let pages = client.query_stream(&args.soql, opts);
            let result = stream(
                pages,
                args.format,
                out,
                ctx.stderr_is_terminal,
                &mut pages_written,
            )
            .await;
            out.flush()
                .map_err(|e| CommandError::output(&e))
                .and(result)
        }
        Err(e) => Err(e),
    };
    // Leave no file behind when not even the first page could be fetched.
    if result.is_err()
        && pages_written == 0
        && let Some(path) = &args.out
    {
        drop(file.take());
        let _ = std::fs::remove_file(path);
    }
    result
}

/// Writes every page as it arrives; counts the pages written in `pages_written`. Nothing is
/// written before the first page succeeds.
async fn stream(
    mut pages: impl futures::Stream<Item = Result<RawQueryPage, ApiError>> + Unpin,
    format: OutputFormat,
    out: &mut dyn Write,
    progress: bool,
    pages_written: &mut u64,
) -> Result<(), CommandError> {
    let clear = || {
        if progress {
            eprint!("\r\x1b[2K");
        }
    };
    let mut writer = PageWriter::new(format);
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| {
            clear();
            CommandError::api(&e)
        })?;
        // Rows printed on the same terminal must not start after the progress text.
        clear();
        if *pages_written == 0 && page.total_size > EXPORT_HINT_ABOVE {
            clear();
            eprintln!("{}", export_hint(page.total_size));
        }
        writer.raw_page(out, &page)?;
        out.flush()?;
        *pages_written += 1;
        if progress {
            eprint!(
                "{}",
                progress_line(*pages_written, writer.rows, page.total_size)
            );
        }
    }
    clear();
    writer.finish(out)?;
    if progress {
        eprintln!("{} rows", group_thousands(writer.rows));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    /// A query response body with these records, read as the client reads it.
    fn raw_page(records: &Value) -> RawQueryPage {
        let body = json!({"totalSize": 3, "done": false, "records": records}).to_string();
        RawQueryPage::decode(&body.into()).expect("a query page")
    }

    /// Writes pages given as JSON arrays of records, each parsed as `sfterm query` does.
    fn write_pages(format: OutputFormat, pages: &[Value]) -> String {
        let mut out = Vec::new();
        let mut w = PageWriter::new(format);
        for p in pages {
            w.raw_page(&mut out, &raw_page(p)).expect("page");
        }
        w.finish(&mut out).expect("finish");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn a_page_with_a_record_that_is_no_object_writes_nothing() {
        for format in [OutputFormat::Json, OutputFormat::Csv] {
            let mut out = Vec::new();
            let mut w = PageWriter::new(format);
            let bad = raw_page(&json!([{"Id": "001A"}, 42]));
            let e = w.raw_page(&mut out, &bad).expect_err("not a record");
            assert!(e.message.contains("query"), "{e:?}");
            assert!(out.is_empty(), "{format:?}: {out:?}");
            assert_eq!(w.rows, 0);
        }
    }

    fn two_pages() -> Vec<Value> {
        vec![
            json!([
                {"attributes": {"type": "Contact"}, "Id": "003A", "LastName": "Ng",
                 "Account": {"attributes": {"type": "Account"}, "Name": "Acme, Inc."}},
                {"attributes": {"type": "Contact"}, "Id": "003B", "LastName": "O\"Brien",
                 "Account": null}
            ]),
            json!([
                {"attributes": {"type": "Contact"}, "Id": "003C", "LastName": "Li",
                 "Account": {"attributes": {"type": "Account"}, "Name": "Globex"}}
            ]),
        ]
    }

    #[test]
    fn json_is_a_streamed_array_without_attributes() {
        let text = write_pages(OutputFormat::Json, &two_pages());
        assert_eq!(
            text,
            "[\n{\"Id\":\"003A\",\"LastName\":\"Ng\",\"Account\":{\"Name\":\"Acme, Inc.\"}},\n\
             {\"Id\":\"003B\",\"LastName\":\"O\\\"Brien\",\"Account\":null},\n\
             {\"Id\":\"003C\",\"LastName\":\"Li\",\"Account\":{\"Name\":\"Globex\"}}\n]\n"
        );
        let parsed: Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(parsed.as_array().map(Vec::len), Some(3));
        assert_eq!(write_pages(OutputFormat::Json, &[]), "[\n]\n");
        let empty: Value =
            serde_json::from_str(&write_pages(OutputFormat::Json, &[json!([])])).expect("json");
        assert_eq!(empty, json!([]));
    }

    #[test]
    fn ndjson_one_record_per_line() {
        let text = write_pages(OutputFormat::Ndjson, &two_pages());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(
            lines[2],
            r#"{"Id":"003C","LastName":"Li","Account":{"Name":"Globex"}}"#
        );
    }

    #[test]
    fn csv_has_header_flattened_parents_and_quoting() {
        let text = write_pages(OutputFormat::Csv, &two_pages());
        assert_eq!(
            text,
            "Id,LastName,Account.Name\r\n\
             003A,Ng,\"Acme, Inc.\"\r\n\
             003B,\"O\"\"Brien\",\r\n\
             003C,Li,Globex\r\n"
        );
        assert_eq!(write_pages(OutputFormat::Csv, &[json!([])]), "");
    }

    #[test]
    fn table_aligns_columns_from_the_first_page() {
        let text = write_pages(OutputFormat::Table, &two_pages());
        assert_eq!(
            text,
            "Id    LastName  Account.Name\n\
             ────  ────────  ────────────\n\
             003A  Ng        Acme, Inc.\n\
             003B  O\"Brien\n\
             003C  Li        Globex\n"
        );
        assert_eq!(write_pages(OutputFormat::Table, &[]), "No rows.\n");
    }

    #[test]
    fn large_results_hint_at_export() {
        assert!(export_hint(120_000).contains("120,000 rows"));
        assert!(export_hint(120_000).contains("sfterm export"));
        assert_eq!(EXPORT_HINT_ABOVE, 50_000);
    }

    #[test]
    fn progress_line_groups_digits() {
        assert_eq!(progress_line(3, 6000, 100_000), "page 3 · 6,000 of 100,000");
    }
}
