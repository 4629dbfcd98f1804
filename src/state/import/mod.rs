//! The import wizard of the Records tab (`I`): pick a file (tab completes the path), an
//! operation (and an upsert's key field), map each CSV column to a field (matched by API name
//! or label; editable, or skipped), preview the first rows with the check's findings, run the
//! Bulk API 2.0 ingest jobs with a progress gauge, then see the failures or filter the list to
//! the records just saved. The checks and the job sequence are `crate::ingest`'s, the same
//! as `sfterm import`'s.
//!
//! Pure: each step's I/O is an [`ImportJob`] (run by `jobs::import`).

mod done;
pub mod job;
mod outcome;

pub use done::id_filter;

use crate::state::list_cursor;
use std::path::PathBuf;
use std::sync::Arc;

use jiff::Timestamp;
use ratatui::crossterm::event::KeyEvent;

use crate::action::Action;
use crate::effect::{Effect, Job, RequestId, RequestIds};
use crate::ingest::Spec;
use crate::ingest::mapping;
use crate::ingest::results::Written;
use crate::sf::SObjectDescribe;
use crate::sf::ingest::{IngestOperation, MAX_UPLOAD_BYTES};
use crate::state::fuzzy::{self, Hit};
use crate::state::path_input::{Completion, PathInput};
use crate::state::text_input::TextInput;
use job::{Checked, ImportJob};

/// The most Ids the list is filtered to (`WHERE Id IN (...)`).
pub const MAX_FILTER_IDS: usize = 200;

/// The operations, in the order space cycles them.
pub const OPERATIONS: [IngestOperation; 4] = [
    IngestOperation::Insert,
    IngestOperation::Update,
    IngestOperation::Upsert,
    IngestOperation::Delete,
];

/// Where the wizard is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The file, the operation, the upsert key.
    File,
    /// Each column → a field.
    Mapping,
    /// The first rows and the check's findings.
    Preview,
    /// The jobs run.
    Running,
    /// The summary (and the failures).
    Done,
}

/// The row of the file step that has the keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileRow {
    Path,
    Operation,
    Key,
}

/// A question the wizard asks before going on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirm {
    /// Run the import on a production org?
    Run,
    /// Abort the running jobs?
    Abort,
}

/// The field chooser of one column: the fields the operation can write, filtered as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chooser {
    pub filter: TextInput,
    pub selected: usize,
}

/// The jobs while they run.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub started: Timestamp,
    /// When the jobs were last seen.
    pub now: Timestamp,
    pub sent: Vec<crate::ingest::Sent>,
    /// Rows in the file.
    pub rows: u64,
    pub aborting: bool,
    /// Why sending or polling stopped.
    pub error: Option<String>,
    polls: u32,
}

impl Run {
    pub fn processed(&self) -> u64 {
        self.sent
            .iter()
            .map(|s| s.job.number_records_processed.unwrap_or(0))
            .sum()
    }

    pub fn failed(&self) -> u64 {
        self.sent
            .iter()
            .map(|s| s.job.number_records_failed.unwrap_or(0))
            .sum()
    }

    /// Seconds since the start.
    pub fn elapsed(&self) -> i64 {
        (self.now.as_second() - self.started.as_second()).max(0)
    }

    /// `InProgress`, or the states of the jobs (`JobComplete, InProgress`).
    pub fn state(&self) -> String {
        let mut states: Vec<&str> = self.sent.iter().map(|s| s.job.state.as_str()).collect();
        states.dedup();
        if states.is_empty() {
            "Uploading".into()
        } else {
            states.join(", ")
        }
    }
}

/// How the wizard ends, for the Records list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exit {
    Close,
    /// Filter the list of `object` to these records.
    Filter {
        object: String,
        ids: Vec<String>,
    },
}

/// The import wizard.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportWizard {
    pub object: String,
    /// The org is production: the run asks first.
    pub production: bool,
    pub step: Step,
    pub path: PathInput,
    pub focus: FileRow,
    pub operation: IngestOperation,
    pub describe: Option<Arc<SObjectDescribe>>,
    /// The upsert key chosen among [`ImportWizard::keys`].
    pub key: usize,
    pub header: Vec<String>,
    pub sample: Vec<Vec<String>>,
    /// The field of each column (`None`: skipped).
    pub mapping: Vec<Option<String>>,
    /// The column (mapping), the finding (preview) or the failure (done) at the cursor.
    pub cursor: usize,
    pub chooser: Option<Chooser>,
    pub checked: Option<Checked>,
    pub confirm: Option<Confirm>,
    pub run: Option<Run>,
    pub written: Option<Box<Written>>,
    /// The failed rows are shown (done).
    pub failures_open: bool,
    /// The latest message (an error, or what is going on).
    pub notice: Option<String>,
    /// The path the file step ended with (read by the later steps).
    pub file: PathBuf,
    req: Option<RequestId>,
    list_req: Option<RequestId>,
}

fn spawn(ids: &mut RequestIds, job: ImportJob) -> (RequestId, Effect) {
    let req = ids.allocate();
    (
        req,
        Effect::Spawn {
            req,
            job: Job::Import(job),
        },
    )
}

impl ImportWizard {
    /// A wizard for `object`, its describe when known, `start` the path shown first.
    pub fn new(
        object: &str,
        describe: Option<Arc<SObjectDescribe>>,
        production: bool,
        start: &str,
    ) -> ImportWizard {
        ImportWizard {
            object: object.to_owned(),
            production,
            step: Step::File,
            path: PathInput::new(start),
            focus: FileRow::Path,
            operation: IngestOperation::Insert,
            describe,
            key: 0,
            header: Vec::new(),
            sample: Vec::new(),
            mapping: Vec::new(),
            cursor: 0,
            chooser: None,
            checked: None,
            confirm: None,
            run: None,
            written: None,
            failures_open: false,
            notice: None,
            file: PathBuf::new(),
            req: None,
            list_req: None,
        }
    }

    /// Whether a job's result is the wizard's.
    pub fn owns(&self, req: RequestId) -> bool {
        self.req == Some(req) || self.list_req == Some(req)
    }

    /// Whether something runs (the spinner).
    pub fn is_busy(&self) -> bool {
        self.req.is_some() || self.list_req.is_some()
    }

    /// Whether typed keys go into a line (the path, the chooser's filter).
    pub fn wants_text(&self) -> bool {
        self.confirm.is_none()
            && ((self.step == Step::File && self.focus == FileRow::Path)
                || (self.step == Step::Mapping && self.chooser.is_some()))
    }

    pub fn type_key(&mut self, key: KeyEvent) {
        if self.step == Step::File {
            self.path.type_key(key);
        } else if let Some(chooser) = self.chooser.as_mut()
            && chooser.filter.handle_key(key).changed()
        {
            chooser.selected = 0;
        }
    }

    /// The fields an upsert can match on (`Id` first).
    pub fn keys(&self) -> Vec<String> {
        self.describe
            .as_deref()
            .map_or_else(|| vec!["Id".to_owned()], mapping::upsert_keys)
    }

    /// The upsert key chosen (upserts only).
    pub fn external_id(&self) -> Option<String> {
        (self.operation == IngestOperation::Upsert)
            .then(|| self.keys().get(self.key).cloned())
            .flatten()
    }

    /// The chooser's entries: `None` (skip the column) first, then the fields, filtered.
    pub fn chooser_rows(&self) -> Vec<Hit<Option<String>>> {
        let Some(chooser) = &self.chooser else {
            return Vec::new();
        };
        let targets = self
            .describe
            .as_deref()
            .map(|d| mapping::targets(d, self.operation))
            .unwrap_or_default();
        let query = chooser.filter.text();
        let mut rows = Vec::new();
        if query.is_empty() {
            rows.push(Hit {
                item: None,
                positions: Vec::new(),
            });
        }
        let label = |name: &str| {
            self.describe
                .as_deref()
                .and_then(|d| d.field(name))
                .map_or(String::new(), |f| f.label.clone())
        };
        rows.extend(
            fuzzy::filter(
                query,
                targets
                    .iter()
                    .map(|n| (n.clone(), format!("{n} {}", label(n)))),
            )
            .into_iter()
            .map(|hit| Hit {
                positions: fuzzy::positions(query, &hit.item),
                item: Some(hit.item),
            }),
        );
        rows
    }

    /// Whether the check found something that blocks the import.
    pub fn has_errors(&self) -> bool {
        self.checked
            .as_ref()
            .is_some_and(|c| c.plan.is_none() || c.findings.iter().any(|f| f.error))
    }

    /// Handles an action; `Some(exit)` when the wizard ends.
    pub fn update(
        &mut self,
        action: Action,
        now: Timestamp,
        ids: &mut RequestIds,
    ) -> (Vec<Effect>, Option<Exit>) {
        if let Some(confirm) = self.confirm {
            return (self.answer(confirm, action, now, ids), None);
        }
        if self.chooser.is_some() {
            return (self.update_chooser(action), None);
        }
        match self.step {
            Step::File => self.update_file(action, ids),
            Step::Mapping => self.update_mapping(action, ids),
            Step::Preview => self.update_preview(action, now, ids),
            Step::Running => {
                if action == Action::Cancel && self.run.as_ref().is_some_and(|r| !r.aborting) {
                    self.confirm = Some(Confirm::Abort);
                }
                (Vec::new(), None)
            }
            Step::Done => self.update_done(action),
        }
    }

    fn answer(
        &mut self,
        confirm: Confirm,
        action: Action,
        now: Timestamp,
        ids: &mut RequestIds,
    ) -> Vec<Effect> {
        match action {
            Action::Confirm => {
                self.confirm = None;
                match confirm {
                    Confirm::Run => self.start(now, ids),
                    Confirm::Abort => self.abort(ids),
                }
            }
            Action::Deny | Action::Cancel => {
                self.confirm = None;
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    fn update_file(&mut self, action: Action, ids: &mut RequestIds) -> (Vec<Effect>, Option<Exit>) {
        let rows = if self.operation == IngestOperation::Upsert {
            vec![FileRow::Path, FileRow::Operation, FileRow::Key]
        } else {
            vec![FileRow::Path, FileRow::Operation]
        };
        let at = rows.iter().position(|r| *r == self.focus).unwrap_or(0);
        match action {
            Action::Cancel => return (Vec::new(), Some(Exit::Close)),
            Action::Up => self.focus = rows[at.saturating_sub(1)],
            Action::Down | Action::NextField => {
                self.focus = rows[(at + 1).min(rows.len() - 1)];
            }
            Action::PrevField => self.focus = rows[at.saturating_sub(1)],
            Action::Complete if self.focus == FileRow::Path => {
                if let Completion::List(dir) = self.path.complete() {
                    let (req, effect) = spawn(ids, ImportJob::ListDir { dir });
                    self.list_req = Some(req);
                    return (vec![effect], None);
                }
            }
            Action::CycleChoice | Action::ToggleItem => match self.focus {
                FileRow::Operation => {
                    let i = OPERATIONS
                        .iter()
                        .position(|o| *o == self.operation)
                        .unwrap_or(0);
                    self.operation = OPERATIONS[(i + 1) % OPERATIONS.len()];
                }
                FileRow::Key => self.key = (self.key + 1) % self.keys().len().max(1),
                FileRow::Path => {}
            },
            Action::Submit | Action::ImportNext => {
                let typed = self.path.text().trim().to_owned();
                if typed.is_empty() || typed.ends_with('/') {
                    self.notice = Some("Type the path of a CSV file (tab completes).".into());
                    return (Vec::new(), None);
                }
                self.file = PathBuf::from(typed);
                self.notice = Some(format!("Reading {}…", self.file.display()));
                let job = ImportJob::Header {
                    path: self.file.clone(),
                    object: self.object.clone(),
                };
                let (req, effect) = spawn(ids, job);
                self.req = Some(req);
                return (vec![effect], None);
            }
            _ => {}
        }
        (Vec::new(), None)
    }

    fn update_mapping(
        &mut self,
        action: Action,
        ids: &mut RequestIds,
    ) -> (Vec<Effect>, Option<Exit>) {
        match action {
            Action::Cancel => return (Vec::new(), Some(Exit::Close)),
            Action::Up
            | Action::Down
            | Action::Top
            | Action::Bottom
            | Action::PageUp
            | Action::PageDown => {
                self.cursor = list_cursor::step(self.cursor, self.header.len(), action);
            }
            Action::SkipColumn => {
                if let Some(field) = self.mapping.get_mut(self.cursor) {
                    *field = None;
                }
            }
            Action::Submit | Action::OpenItem => {
                self.chooser = Some(Chooser {
                    filter: TextInput::default(),
                    selected: 0,
                });
            }
            Action::ImportBack => {
                self.step = Step::File;
                self.focus = FileRow::Path;
            }
            Action::ImportNext => return (self.check(ids), None),
            _ => {}
        }
        (Vec::new(), None)
    }

    fn update_chooser(&mut self, action: Action) -> Vec<Effect> {
        let rows = self.chooser_rows();
        let Some(chooser) = self.chooser.as_mut() else {
            return Vec::new();
        };
        match action {
            Action::Up | Action::Down | Action::PageUp | Action::PageDown => {
                chooser.selected = list_cursor::step(chooser.selected, rows.len(), action);
            }
            Action::Submit => {
                if let Some(hit) = rows.get(chooser.selected)
                    && let Some(field) = self.mapping.get_mut(self.cursor)
                {
                    field.clone_from(&hit.item);
                }
                self.chooser = None;
            }
            Action::Cancel => {
                if chooser.filter.is_empty() {
                    self.chooser = None;
                } else {
                    chooser.filter.clear();
                    chooser.selected = 0;
                }
            }
            _ => {}
        }
        Vec::new()
    }

    /// The mapping step is done: check the whole file.
    fn check(&mut self, ids: &mut RequestIds) -> Vec<Effect> {
        self.step = Step::Preview;
        self.cursor = 0;
        self.checked = None;
        self.notice = Some("Checking the file…".into());
        let spec = Spec {
            object: self.object.clone(),
            operation: self.operation,
            external_id: self.external_id(),
            mapping: mapping::Mapping::Columns(self.mapping.clone()),
            max_upload_bytes: MAX_UPLOAD_BYTES,
        };
        let (req, effect) = spawn(
            ids,
            ImportJob::Check {
                path: self.file.clone(),
                spec,
            },
        );
        self.req = Some(req);
        vec![effect]
    }

    fn update_preview(
        &mut self,
        action: Action,
        now: Timestamp,
        ids: &mut RequestIds,
    ) -> (Vec<Effect>, Option<Exit>) {
        let findings = self.checked.as_ref().map_or(0, |c| c.findings.len());
        match action {
            Action::Cancel => return (Vec::new(), Some(Exit::Close)),
            Action::Up => self.cursor = self.cursor.saturating_sub(1),
            Action::Down => self.cursor = (self.cursor + 1).min(findings.saturating_sub(1)),
            Action::ImportBack => {
                self.step = Step::Mapping;
                self.cursor = 0;
                self.notice = None;
            }
            Action::Submit | Action::ImportNext => {
                let Some(plan) = self.checked.as_ref().and_then(|c| c.plan.clone()) else {
                    self.notice = Some(if self.checked.is_none() {
                        "The check is still running.".into()
                    } else {
                        "Nothing can be sent while the file has errors: fix them (b goes back \
                         to the mapping)."
                            .into()
                    });
                    return (Vec::new(), None);
                };
                if plan.rows() == 0 {
                    self.notice = Some("The file has no rows: nothing to import.".into());
                } else if self.production {
                    self.confirm = Some(Confirm::Run);
                } else {
                    return (self.start(now, ids), None);
                }
            }
            _ => {}
        }
        (Vec::new(), None)
    }

    /// Sends the checked file.
    fn start(&mut self, now: Timestamp, ids: &mut RequestIds) -> Vec<Effect> {
        let Some(plan) = self.checked.as_ref().and_then(|c| c.plan.clone()) else {
            return Vec::new();
        };
        self.run = Some(Run {
            started: now,
            now,
            sent: Vec::new(),
            rows: plan.rows() as u64,
            aborting: false,
            error: None,
            polls: 0,
        });
        self.step = Step::Running;
        self.notice = None;
        let (req, effect) = spawn(ids, ImportJob::Start { plan });
        self.req = Some(req);
        vec![effect]
    }

    /// Aborts the unfinished jobs (the poll in flight is dropped). While the jobs are being
    /// created the upload is let finish, so that every job it made is aborted when it answers.
    fn abort(&mut self, ids: &mut RequestIds) -> Vec<Effect> {
        let Some(run) = self.run.as_mut() else {
            return Vec::new();
        };
        run.aborting = true;
        if run.sent.is_empty() && self.req.is_some() {
            self.notice = Some("Aborting once the upload answers…".into());
            return Vec::new();
        }
        let mut effects: Vec<Effect> = self.req.take().map(Effect::Cancel).into_iter().collect();
        let unfinished: Vec<String> = run
            .sent
            .iter()
            .filter(|s| !s.job.is_finished())
            .map(|s| s.job.id.clone())
            .collect();
        let (req, effect) = spawn(ids, ImportJob::Abort { ids: unfinished });
        self.req = Some(req);
        effects.push(effect);
        effects
    }
}

#[cfg(test)]
mod tests;
