//! The record detail view's jobs and what they produce: data the view asks for and reads
//! back (the work is done in `jobs::record_detail`).

use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::Timestamp;
use serde_json::{Map, Value};

use super::Draft;
use crate::sf::SObjectDescribe;

/// Work the detail view asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordJob {
    /// GET the record (all fields), its describe and the names of referenced records.
    Load {
        object: String,
        id: String,
    },
    /// The describe only (for the create form).
    Describe {
        object: String,
    },
    /// One PATCH with the staged fields; `if_unmodified_since` None overwrites.
    Save {
        object: String,
        id: String,
        fields: Map<String, Value>,
        if_unmodified_since: Option<Timestamp>,
    },
    /// POST a new record.
    Create {
        object: String,
        fields: Map<String, Value>,
    },
    Delete {
        object: String,
        id: String,
    },
    /// `SELECT Id, Name FROM <object> WHERE Name LIKE '%text%'` for the reference editor.
    Search {
        object: String,
        text: String,
    },
}

impl RecordJob {
    /// What the status bar says while the job runs.
    pub fn label(&self) -> String {
        match self {
            RecordJob::Load { object, .. } => format!("loading {object}"),
            RecordJob::Describe { object } => format!("describe {object}"),
            RecordJob::Save { object, .. } => format!("saving {object}"),
            RecordJob::Create { object, .. } => format!("creating {object}"),
            RecordJob::Delete { object, .. } => format!("deleting {object}"),
            RecordJob::Search { object, .. } => format!("searching {object}"),
        }
    }
}

/// A record as loaded for the detail view.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedRecord {
    pub describe: Arc<SObjectDescribe>,
    /// All fields (without `attributes`).
    pub fields: Map<String, Value>,
    /// The `Last-Modified` header of this version (echoed as `If-Unmodified-Since`).
    pub last_modified: Option<Timestamp>,
    /// Referenced record id → (its object, its name).
    pub names: BTreeMap<String, (String, String)>,
}

/// Why a write failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteFailure {
    /// HTTP 412: the record changed since the version the edits were made on.
    Conflict,
    /// Anything else, with the fields Salesforce named.
    Failed {
        message: String,
        fields: Vec<String>,
    },
}

/// What a [`RecordJob`] produced.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordOutcome {
    Loaded(Result<Box<LoadedRecord>, String>),
    Described(Result<Arc<SObjectDescribe>, String>),
    Saved(Result<(), WriteFailure>),
    /// The new record's id.
    Created(Result<String, WriteFailure>),
    Deleted(Result<(), WriteFailure>),
    /// (id, name) pairs.
    Found(Result<Vec<(String, String)>, String>),
    /// A copy to the clipboard answered ([`crate::msg::Outcome::Copied`], given to the view
    /// that asked).
    Copied(Result<(), String>),
    /// Result of opening a URL: Err carries why (e.g. no opener), and the URL is shown instead.
    Opened(Result<(), String>),
    /// The text back from `$EDITOR` ([`crate::msg::Outcome::Edited`], given to the view that
    /// opened it).
    Edited(Result<String, String>),
}

/// Side effects of the detail view that the runtime runs itself (no Salesforce call).
#[derive(Debug, Clone, PartialEq)]
pub enum RecordEffect {
    /// Replace `<data_dir>/drafts.json` (an empty list removes the file).
    WriteDrafts(Vec<Draft>),
    /// Open a URL with the system opener; answers `Opened`.
    OpenUrl {
        req: crate::effect::RequestId,
        url: String,
    },
}

impl RecordJob {
    /// The outcome of this job when it cannot start because no client is connected.
    pub fn not_connected(&self) -> RecordOutcome {
        let message = "not connected: pick a profile and press enter to connect".to_string();
        let failure = WriteFailure::Failed {
            message: message.clone(),
            fields: Vec::new(),
        };
        match self {
            RecordJob::Load { .. } => RecordOutcome::Loaded(Err(message)),
            RecordJob::Describe { .. } => RecordOutcome::Described(Err(message)),
            RecordJob::Save { .. } => RecordOutcome::Saved(Err(failure)),
            RecordJob::Create { .. } => RecordOutcome::Created(Err(failure)),
            RecordJob::Delete { .. } => RecordOutcome::Deleted(Err(failure)),
            RecordJob::Search { .. } => RecordOutcome::Found(Err(message)),
        }
    }
}
