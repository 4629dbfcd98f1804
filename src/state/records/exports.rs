//! Exports of a view: a Bulk API 2.0 query job polled until done, its result pages written
//! to a CSV file, and the jobs popup's abort.

use std::path::PathBuf;

use crate::effect::{Effect, RequestId, RequestIds};
use crate::human::group_thousands;
use crate::sf::bulk::{BulkJob, PollOptions, ResultCursor};
use crate::state::records::job::{ExportPageDone, JobError, RecordsJob};

use super::{RecordsState, err_text, spawn};

/// An export of a view (Bulk API 2.0 query job → CSV file).
#[derive(Debug, Clone, PartialEq)]
pub struct Export {
    pub object: String,
    pub path: PathBuf,
    pub soql: String,
    /// The job's state as Salesforce says (`UploadComplete`, `InProgress`, `JobComplete`,
    /// `Failed`, `Aborted`), or ours before the job exists (`Creating`).
    pub state: String,
    pub job: Option<Box<BulkJob>>,
    pub records: u64,
    /// The size of the file written so far.
    pub bytes: u64,
    pub req: Option<RequestId>,
    pub error: Option<String>,
    /// Written completely.
    pub finished: bool,
    polls: u32,
}

impl Export {
    pub fn is_running(&self) -> bool {
        !self.finished && self.error.is_none() && self.state != "Aborted"
    }

    /// "JobComplete · 20,000 records · 4.1 MB" (the file's size once one is written).
    pub fn summary(&self) -> String {
        let mut text = format!("{} · {} records", self.state, group_thousands(self.records));
        if self.bytes > 0 {
            text.push_str(" · ");
            text.push_str(&file_size(self.bytes));
        }
        text
    }
}

/// A file size as people read it: "512 B", "31.2 KB", "4.1 MB", "1.3 GB" (powers of 1,000).
pub fn file_size(bytes: u64) -> String {
    const UNITS: [&str; 3] = ["KB", "MB", "GB"];
    if bytes < 1_000 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1_000.0;
    let mut unit = 0;
    while value >= 999.95 && unit + 1 < UNITS.len() {
        value /= 1_000.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

impl RecordsState {
    /// Exports the view. Child counts are left out (Bulk API 2.0 runs no subqueries), and
    /// the notice says so.
    pub(super) fn start_export(&mut self, path: PathBuf, ids: &mut RequestIds) -> Vec<Effect> {
        let (counts, columns): (Vec<String>, Vec<String>) = self
            .view()
            .columns
            .iter()
            .cloned()
            .partition(|c| super::soql::child_count(c).is_some());
        let soql = self.query_with(self.view(), &columns);
        let (req, effect) = spawn(ids, RecordsJob::ExportCreate { soql: soql.clone() });
        self.exports.push(Export {
            object: self.view().object.clone(),
            path,
            soql,
            state: "Creating".into(),
            job: None,
            records: 0,
            bytes: 0,
            req: Some(req),
            error: None,
            finished: false,
            polls: 0,
        });
        self.notice = Some(if counts.is_empty() {
            "Export started: J shows the jobs.".into()
        } else {
            format!(
                "Export started without {}: Bulk API 2.0 cannot count child records. J shows the jobs.",
                counts.join(", ")
            )
        });
        vec![effect]
    }

    pub(super) fn abort_export(&mut self, at: usize, ids: &mut RequestIds) -> Vec<Effect> {
        let Some(export) = self.exports.get_mut(at) else {
            return Vec::new();
        };
        if !export.is_running() {
            return Vec::new();
        }
        let mut effects = Vec::new();
        if let Some(req) = export.req.take() {
            effects.push(Effect::Cancel(req));
        }
        export.state = "Aborted".into();
        let unfinished_on_server = export
            .job
            .as_ref()
            .is_some_and(|j| !j.is_finished())
            .then(|| export.job.as_ref().map(|j| j.id.clone()))
            .flatten();
        if let Some(job_id) = unfinished_on_server {
            let (req, effect) = spawn(ids, RecordsJob::ExportAbort { job_id });
            if let Some(export) = self.exports.get_mut(at) {
                export.req = Some(req);
            }
            effects.push(effect);
        }
        effects
    }

    pub(super) fn on_export_job(
        &mut self,
        req: RequestId,
        result: Result<Box<BulkJob>, JobError>,
        ids: &mut RequestIds,
    ) -> Vec<Effect> {
        let Some(at) = self.exports.iter().position(|e| e.req == Some(req)) else {
            return Vec::new();
        };
        let export = &mut self.exports[at];
        export.req = None;
        let job = match result {
            Ok(job) => job,
            Err(e) => {
                export.error = Some(err_text(&e));
                self.notice = Some(format!("Export failed: {}", err_text(&e)));
                return Vec::new();
            }
        };
        export.state = job.state.clone();
        if let Some(n) = job.number_records_processed {
            // Progress while the job runs; the download counts again from zero.
            if !job.is_finished() {
                export.records = n;
            }
        }
        let next = match job.state.as_str() {
            "JobComplete" => {
                export.records = 0;
                RecordsJob::ExportPage {
                    job: job.clone(),
                    cursor: ResultCursor::Start,
                    path: export.path.clone(),
                }
            }
            "Failed" | "Aborted" => {
                let why = job
                    .error_message
                    .clone()
                    .unwrap_or_else(|| job.state.clone());
                export.error = Some(why.clone());
                self.notice = Some(format!("Export {}: {why}", job.state));
                export.job = Some(job);
                return Vec::new();
            }
            _ => {
                export.polls += 1;
                let delay = PollOptions::default().delay(export.polls);
                RecordsJob::ExportPoll {
                    job_id: job.id.clone(),
                    delay,
                }
            }
        };
        export.job = Some(job);
        let (req, effect) = spawn(ids, next);
        self.exports[at].req = Some(req);
        vec![effect]
    }

    /// A step of the export's result pages was written: the next step, or done.
    pub(super) fn on_export_page(
        &mut self,
        req: RequestId,
        result: Result<ExportPageDone, JobError>,
        ids: &mut RequestIds,
    ) -> Vec<Effect> {
        let Some(at) = self.exports.iter().position(|e| e.req == Some(req)) else {
            return Vec::new();
        };
        let export = &mut self.exports[at];
        export.req = None;
        match result {
            Ok(done) => {
                export.records += done.records;
                export.bytes = done.bytes;
                match (done.next, export.job.clone()) {
                    (cursor, Some(job)) if !cursor.is_done() => {
                        let job = RecordsJob::ExportPage {
                            job,
                            cursor,
                            path: export.path.clone(),
                        };
                        let (req, effect) = spawn(ids, job);
                        self.exports[at].req = Some(req);
                        return vec![effect];
                    }
                    _ => {
                        export.finished = true;
                        self.notice = Some(format!(
                            "Exported {} {} rows to {}",
                            group_thousands(export.records),
                            export.object,
                            export.path.display()
                        ));
                    }
                }
            }
            Err(e) => {
                export.error = Some(err_text(&e));
                self.notice = Some(format!("Export failed: {}", err_text(&e)));
            }
        }
        Vec::new()
    }

    /// The abort of an export job answered.
    pub(super) fn on_export_aborted(
        &mut self,
        req: RequestId,
        result: Result<(), JobError>,
    ) -> Vec<Effect> {
        if let Some(export) = self.exports.iter_mut().find(|e| e.req == Some(req)) {
            export.req = None;
            if let Err(e) = result {
                export.error = Some(format!("abort: {}", err_text(&e)));
            }
        }
        Vec::new()
    }

    /// The running export, for the status bar.
    pub fn running_export(&self) -> Option<&Export> {
        self.exports.iter().rev().find(|e| e.is_running())
    }
}

#[cfg(test)]
mod tests {
    use super::file_size;

    #[test]
    fn file_sizes_read_like_a_file_manager() {
        assert_eq!(file_size(0), "0 B");
        assert_eq!(file_size(999), "999 B");
        assert_eq!(file_size(31_234), "31.2 KB");
        assert_eq!(file_size(999_960), "1.0 MB");
        assert_eq!(file_size(1_500_000), "1.5 MB");
        assert_eq!(file_size(4_100_000_000_000), "4100.0 GB");
    }
}
