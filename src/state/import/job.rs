//! The import wizard's jobs and what they produce (the work is done in `jobs::import`).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::ingest::results::Written;
use crate::ingest::{Plan, Sent, Spec};
use crate::sf::SObjectDescribe;
use crate::sf::bulk::BulkJob;
use crate::state::path_input::Entry;

/// Rows of the file the preview shows.
pub const SAMPLE_ROWS: usize = 10;

/// A job of the import wizard. Paths may start with `~` (the job expands it).
#[derive(Debug, Clone, PartialEq)]
pub enum ImportJob {
    /// List a directory for the path completion.
    ListDir { dir: String },
    /// Read the file's header and first rows, and describe the object.
    Header { path: PathBuf, object: String },
    /// Check the whole file against the describe with the mapping.
    Check { path: PathBuf, spec: Spec },
    /// Create, fill and close the jobs.
    Start { plan: Arc<Plan> },
    /// Wait `delay`, then read each job's state.
    Poll { ids: Vec<String>, delay: Duration },
    /// Abort the unfinished jobs.
    Abort { ids: Vec<String> },
    /// Download the results and write the files beside `path`.
    Results {
        path: PathBuf,
        plan: Arc<Plan>,
        sent: Vec<Sent>,
    },
}

impl ImportJob {
    /// What the status bar says while the job runs.
    pub fn label(&self) -> String {
        match self {
            ImportJob::ListDir { dir } => format!("listing {dir}"),
            ImportJob::Header { path, .. } => format!("reading {}", path.display()),
            ImportJob::Check { path, .. } => format!("checking {}", path.display()),
            ImportJob::Start { .. } => "import: uploading".into(),
            ImportJob::Poll { .. } => "import: jobs running".into(),
            ImportJob::Abort { .. } => "import: aborting".into(),
            ImportJob::Results { .. } => "import: writing results".into(),
        }
    }
}

/// The header and the first rows of the file, and the object's describe.
#[derive(Debug, Clone, PartialEq)]
pub struct HeaderRead {
    pub header: Vec<String>,
    pub sample: Vec<Vec<String>>,
    pub describe: Arc<SObjectDescribe>,
}

/// One finding of the check: where (line, column; 0 for the whole file) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub line: u64,
    pub column: u64,
    pub message: String,
    /// An error blocks the import; a warning does not.
    pub error: bool,
}

/// The check's answer: the plan when nothing blocks it, and the findings.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub plan: Option<Arc<Plan>>,
    pub findings: Vec<Finding>,
    /// Problems beyond those listed.
    pub more: usize,
}

/// What an import job produced.
#[derive(Debug, Clone, PartialEq)]
pub enum ImportOutcome {
    Listed {
        dir: String,
        entries: Result<Vec<Entry>, String>,
    },
    Header(Result<HeaderRead, String>),
    Checked(Result<Checked, String>),
    /// The jobs created (as last seen) and why sending stopped, if it did.
    Started {
        sent: Vec<Sent>,
        error: Option<String>,
    },
    Polled(Result<Vec<BulkJob>, String>),
    Aborted(Vec<BulkJob>),
    Results(Result<Box<Written>, String>),
}
