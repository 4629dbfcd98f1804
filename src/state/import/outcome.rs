//! The import wizard's jobs coming back: each moves the wizard on (or says why not).

use jiff::Timestamp;

use super::job::{ImportJob, ImportOutcome};
use super::{FileRow, ImportWizard, Step, spawn};
use crate::effect::{Effect, RequestId, RequestIds};
use crate::ingest::mapping;
use crate::sf::bulk::PollOptions;

impl ImportWizard {
    /// A job of the wizard finished.
    pub fn on_outcome(
        &mut self,
        req: RequestId,
        outcome: ImportOutcome,
        now: Timestamp,
        ids: &mut RequestIds,
    ) -> Vec<Effect> {
        if self.list_req == Some(req) {
            self.list_req = None;
            if let ImportOutcome::Listed { dir, entries } = outcome {
                self.path.listed(dir, entries);
            }
            return Vec::new();
        }
        if self.req != Some(req) {
            return Vec::new();
        }
        self.req = None;
        if let Some(run) = self.run.as_mut() {
            run.now = now;
        }
        match outcome {
            ImportOutcome::Listed { .. } => Vec::new(),
            ImportOutcome::Header(Ok(read)) => {
                self.mapping = mapping::auto_map(&read.describe, &read.header);
                self.header = read.header;
                self.sample = read.sample;
                self.describe = Some(read.describe);
                self.key = self.key.min(self.keys().len().saturating_sub(1));
                self.step = Step::Mapping;
                self.cursor = 0;
                self.notice = None;
                Vec::new()
            }
            ImportOutcome::Header(Err(e)) => {
                self.notice = Some(e);
                self.focus = FileRow::Path;
                Vec::new()
            }
            ImportOutcome::Checked(Ok(checked)) => {
                self.notice = None;
                self.checked = Some(checked);
                Vec::new()
            }
            ImportOutcome::Checked(Err(e)) => {
                self.notice = Some(e);
                Vec::new()
            }
            ImportOutcome::Started { sent, error } => {
                let Some(run) = self.run.as_mut() else {
                    return Vec::new();
                };
                run.sent = sent;
                run.error = error;
                // Sending stopped half-way, or the user aborted meanwhile: what was created is
                // aborted, then the results.
                if run.error.is_some() || run.aborting {
                    self.abort(ids)
                } else {
                    self.poll(ids)
                }
            }
            ImportOutcome::Polled(result) => {
                let Some(run) = self.run.as_mut() else {
                    return Vec::new();
                };
                match result {
                    Ok(jobs) => {
                        for job in jobs {
                            if let Some(sent) = run.sent.iter_mut().find(|s| s.job.id == job.id) {
                                sent.job = job;
                            }
                        }
                        if run.sent.iter().all(|s| s.job.is_finished()) {
                            self.results(ids)
                        } else {
                            self.poll(ids)
                        }
                    }
                    Err(e) => {
                        run.error = Some(e);
                        self.results(ids)
                    }
                }
            }
            ImportOutcome::Aborted(jobs) => {
                if let Some(run) = self.run.as_mut() {
                    for job in jobs {
                        if let Some(sent) = run.sent.iter_mut().find(|s| s.job.id == job.id) {
                            sent.job = job;
                        }
                    }
                }
                self.results(ids)
            }
            ImportOutcome::Results(result) => {
                self.step = Step::Done;
                self.cursor = 0;
                match result {
                    Ok(written) => {
                        self.notice = self.run.as_ref().and_then(|r| r.error.clone());
                        self.written = Some(written);
                    }
                    Err(e) => self.notice = Some(format!("The results were not written: {e}")),
                }
                Vec::new()
            }
        }
    }

    /// Reads the jobs' states again after a while (longer as they take longer).
    fn poll(&mut self, ids: &mut RequestIds) -> Vec<Effect> {
        let Some(run) = self.run.as_mut() else {
            return Vec::new();
        };
        run.polls += 1;
        let delay = PollOptions::default().delay(run.polls);
        let job_ids = run
            .sent
            .iter()
            .filter(|s| !s.job.is_finished())
            .map(|s| s.job.id.clone())
            .collect();
        let (req, effect) = spawn(
            ids,
            ImportJob::Poll {
                ids: job_ids,
                delay,
            },
        );
        self.req = Some(req);
        vec![effect]
    }

    /// Downloads the results and writes the files.
    fn results(&mut self, ids: &mut RequestIds) -> Vec<Effect> {
        let (Some(run), Some(plan)) = (
            self.run.as_ref(),
            self.checked.as_ref().and_then(|c| c.plan.clone()),
        ) else {
            return Vec::new();
        };
        let job = ImportJob::Results {
            path: self.file.clone(),
            plan,
            sent: run.sent.clone(),
        };
        let (req, effect) = spawn(ids, job);
        self.req = Some(req);
        vec![effect]
    }

    /// The wizard closes because another org connected: the calls in flight to cancel, and
    /// what became of a run under way (its jobs go on in Salesforce, no result files).
    pub fn leave(self) -> (Vec<RequestId>, Option<String>) {
        let reqs = self.req.into_iter().chain(self.list_req).collect();
        let notice = self.unfinished_jobs().filter(|jobs| *jobs > 0).map(|_| {
            let ids: Vec<&str> = self
                .run
                .iter()
                .flat_map(|r| &r.sent)
                .filter(|s| !s.job.is_finished())
                .map(|s| s.job.id.as_str())
                .collect();
            let jobs = match ids.as_slice() {
                [] => "its jobs go on".to_owned(),
                [one] => format!("its job {one} goes on"),
                many => format!("its jobs {} go on", many.join(", ")),
            };
            format!(
                "The import into {} was left when another profile connected: {jobs} in \
                     Salesforce; no result files were written.",
                self.object
            )
        });
        (reqs, notice)
    }

    /// While the jobs run: those Salesforce has not finished (every part of the file's while
    /// they are being created). `None` before the run and once it is done.
    pub fn unfinished_jobs(&self) -> Option<usize> {
        if self.step != Step::Running {
            return None;
        }
        let run = self.run.as_ref()?;
        let parts = self
            .checked
            .as_ref()
            .and_then(|c| c.plan.as_ref())
            .map_or(0, |p| p.parts());
        let finished = run.sent.iter().filter(|s| s.job.is_finished()).count();
        Some(parts.max(run.sent.len()).saturating_sub(finished))
    }
}
