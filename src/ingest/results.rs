//! The jobs' results written beside the input: `NAME.success.csv` (`sf__Id`, `sf__Created`,
//! the row), `NAME.failed.csv` (`sf__Id`, `sf__Error`, the row) and `NAME.unprocessed.csv`
//! (rows never attempted), each readable by the user only; and what they hold, for a summary.

use std::path::{Path, PathBuf};

use super::{IngestError, Plan, Sent};
use crate::human::group_thousands;
use crate::sf::SfClient;
use crate::sf::bulk::write_csv_page;
use crate::sf::ingest::IngestResults;

/// The most failed rows and saved Ids [`Written`] carries (the files hold them all).
pub const MAX_KEPT: usize = 10_000;

/// One result file being assembled from the jobs' results (one header row).
pub struct ResultFile {
    csv: Vec<u8>,
    /// The header when no job gave one: the `sf__` columns, then the file's header.
    fallback_header: String,
}

impl ResultFile {
    pub fn new(lead: &str, header: &str) -> ResultFile {
        ResultFile {
            csv: Vec::new(),
            fallback_header: format!("{lead}{header}"),
        }
    }

    pub fn add(&mut self, page: &[u8]) {
        // Writing to memory cannot fail.
        let first = self.csv.is_empty();
        let _ = write_csv_page(&mut self.csv, page, first);
    }

    pub fn finish(mut self) -> Vec<u8> {
        if self.csv.is_empty() {
            self.csv = self.fallback_header.into_bytes();
        }
        self.csv
    }
}

/// `(rows, rows whose second column is true)` of a result CSV.
pub fn count_rows(csv: &[u8]) -> (u64, u64) {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(csv);
    reader
        .byte_records()
        .flatten()
        .fold((0, 0), |(rows, yes), r| {
            (rows + 1, yes + u64::from(r.get(1) == Some(b"true")))
        })
}

/// `dir/NAME.what.csv` beside the input file.
pub fn beside(file: &Path, what: &str) -> PathBuf {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "import".to_owned());
    file.with_file_name(format!("{stem}.{what}.csv"))
}

/// A row Salesforce refused: its error and its values by column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedRow {
    pub error: String,
    pub values: Vec<(String, String)>,
}

/// What the results said, once written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// `Contact insert: 12 rows in 1 job`, then a line per file (`  10 saved (...): path`).
    pub summary: Vec<String>,
    /// What to report as a failure (failed jobs, or rows not saved), if anything.
    pub failure: Option<String>,
    pub saved: u64,
    pub created: u64,
    pub failed: u64,
    pub unprocessed: u64,
    /// The `sf__Id` of each saved row (the first [`MAX_KEPT`]).
    pub saved_ids: Vec<String>,
    /// The failed rows with their errors (the first [`MAX_KEPT`]).
    pub failed_rows: Vec<FailedRow>,
}

/// The saved Ids of a success file and the rows of a failed file.
fn read_back(success: &[u8], failed: &[u8]) -> (Vec<String>, Vec<FailedRow>) {
    let ids = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(success)
        .records()
        .flatten()
        .filter_map(|r| r.get(0).filter(|id| !id.is_empty()).map(str::to_owned))
        .take(MAX_KEPT)
        .collect();
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(failed);
    let header: Vec<String> = reader
        .headers()
        .map(|h| h.iter().map(str::to_owned).collect())
        .unwrap_or_default();
    let rows = reader
        .records()
        .flatten()
        .take(MAX_KEPT)
        .map(|r| FailedRow {
            error: r.get(1).unwrap_or_default().to_owned(),
            values: header
                .iter()
                .zip(r.iter())
                .skip(2)
                .map(|(h, v)| (h.clone(), v.to_owned()))
                .collect(),
        })
        .collect();
    (ids, rows)
}

/// Downloads every job's results (the rows of parts whose data never got to Salesforce count
/// as unprocessed) and writes the three files beside `file`.
pub async fn write_results(
    file: &Path,
    client: &SfClient,
    plan: &Plan,
    sent: &[Sent],
) -> Result<Written, IngestError> {
    let header = plan.header();
    let mut success = ResultFile::new("\"sf__Id\",\"sf__Created\",", header);
    let mut failed = ResultFile::new("\"sf__Id\",\"sf__Error\",", header);
    let mut unprocessed = ResultFile::new("", header);
    let mut job_failures = Vec::new();
    for (i, Sent { job, uploaded }) in sent.iter().enumerate() {
        if !uploaded || !job.is_finished() {
            unprocessed.add(&plan.part_csv(i));
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
            let csv = client.ingest_results(&job.id, which).await?;
            file.add(&csv);
        }
    }
    for part in sent.len()..plan.parts() {
        unprocessed.add(&plan.part_csv(part));
    }
    let parts = plan.parts();
    let mut lines = vec![format!(
        "{} {}: {} rows in {} job{}",
        plan.new_job.object,
        plan.new_job.operation.as_str(),
        group_thousands(plan.rows() as u64),
        parts,
        if parts == 1 { "" } else { "s" }
    )];
    let mut counts = [0u64; 3];
    let mut created = 0;
    let files = [
        ("success", success.finish()),
        ("failed", failed.finish()),
        ("unprocessed", unprocessed.finish()),
    ];
    for (i, (what, csv)) in files.iter().enumerate() {
        let (rows, yes) = count_rows(csv);
        counts[i] = rows;
        let path = beside(file, what);
        crate::private_fs::write_private(&path, csv)
            .map_err(|e| IngestError::Failure(e.to_string()))?;
        let label = match *what {
            "success" => {
                created = yes;
                format!(
                    "{} saved ({} created, {} updated)",
                    group_thousands(rows),
                    group_thousands(yes),
                    group_thousands(rows - yes)
                )
            }
            other => format!("{} {other}", group_thousands(rows)),
        };
        lines.push(format!("  {label}: {}", path.display()));
    }
    let [(_, success), (_, failed), _] = &files;
    let kept = read_back(success, failed);
    let [saved, failed_rows, unprocessed_rows] = counts;
    let failure = if !job_failures.is_empty() {
        Some(job_failures.join("\n"))
    } else if failed_rows > 0 || unprocessed_rows > 0 {
        Some(format!(
            "{} of {} rows were not saved: see {}",
            group_thousands(failed_rows + unprocessed_rows),
            group_thousands(plan.rows() as u64),
            beside(
                file,
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
    Ok(Written {
        summary: lines,
        failure,
        saved,
        created,
        failed: failed_rows,
        unprocessed: unprocessed_rows,
        saved_ids: kept.0,
        failed_rows: kept.1,
    })
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

    #[test]
    fn saved_ids_and_failed_rows_are_read_back() {
        let (ids, rows) = read_back(
            b"\"sf__Id\",\"sf__Created\",LastName\n\"003A\",\"true\",\"Lovelace\"\n",
            b"\"sf__Id\",\"sf__Error\",FirstName,LastName\n\"\",\"REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --\",\"Ada\",\"\"\n",
        );
        assert_eq!(ids, ["003A"]);
        assert_eq!(rows.len(), 1);
        assert!(rows[0].error.starts_with("REQUIRED_FIELD_MISSING"));
        assert_eq!(
            rows[0].values,
            [
                ("FirstName".to_owned(), "Ada".to_owned()),
                ("LastName".to_owned(), String::new())
            ]
        );
    }
}
