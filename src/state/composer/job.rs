//! The Composer's jobs and what they produce: data the composer state asks for and reads back
//! (the work is done in `jobs::composer`).

use std::path::PathBuf;

use crate::requests::body::BodyText;
use crate::requests::history::HistoryEntry;
use crate::requests::postman::EnvironmentImport;
use crate::requests::request::{SavedRequest, Variables};
use crate::requests::soap::{Fault, Wsdl};
use crate::state::path_input::Entry;

/// Where a WSDL comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WsdlSource {
    /// `GET /services/wsdl/class/<Class>` on the connected org.
    Org(String),
    /// A file on disk.
    File(PathBuf),
}

/// A job of the Composer tab.
#[derive(Debug, Clone)]
pub enum ComposerJob {
    /// Read the saved requests and the profile's user variables.
    List {
        profile: Option<String>,
    },
    /// Write a request; `replaces` is removed first when it is stored under another name.
    /// `change` says what the save is (echoed back with the outcome, for undo).
    Save {
        request: SavedRequest,
        replaces: Option<SavedRequest>,
        change: Option<Change>,
    },
    /// Remove a request's file (`change`: a delete of the user's, or an undo).
    Delete {
        request: SavedRequest,
        change: Change,
    },
    /// Resolve, send (with the live token) and record in the history.
    Send {
        request: SavedRequest,
    },
    LoadWsdl(WsdlSource),
    ImportCollection(PathBuf),
    ImportEnvironment(PathBuf),
    /// Write a response body to a file (`from` is the streamed file of a large body); a
    /// relative path is taken in the data directory.
    SaveBody {
        path: PathBuf,
        text: String,
        from: Option<PathBuf>,
    },
    /// List a directory for a file prompt's completion (as typed; relative to the data
    /// directory when `in_data_dir`, else to the working directory).
    ListDir {
        dir: String,
        in_data_dir: bool,
    },
    /// The request as curl, copied to the clipboard; the token only when `reveal`.
    Curl {
        request: SavedRequest,
        reveal: bool,
    },
    SetVariable {
        profile: String,
        name: String,
        value: String,
    },
}

impl ComposerJob {
    /// What the status bar says while the job runs.
    pub fn label(&self) -> String {
        match self {
            ComposerJob::List { .. } => "reading saved requests".into(),
            ComposerJob::Save { request, .. } => format!("saving {}", request.name),
            ComposerJob::Delete { request, .. } => format!("deleting {}", request.name),
            ComposerJob::Send { request, .. } => format!("{} {}", request.method, request.path),
            ComposerJob::LoadWsdl(_) => "loading WSDL".into(),
            ComposerJob::ImportCollection(_) => "importing Postman collection".into(),
            ComposerJob::ImportEnvironment(_) => "importing Postman environment".into(),
            ComposerJob::SaveBody { .. } => "saving body".into(),
            ComposerJob::ListDir { dir, .. } => format!("listing {dir}"),
            ComposerJob::Curl { .. } => "exporting curl".into(),
            ComposerJob::SetVariable { .. } => "saving variable".into(),
        }
    }
}

/// What a save or a delete of a saved request is, so that its outcome can be undone (`u`) or
/// can say what it undid.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Create,
    Duplicate,
    /// A rename; the request as it was stored before.
    Rename(Box<SavedRequest>),
    Delete,
    /// The undo of an earlier change.
    Undo(Box<Undo>),
}

/// A change to the saved requests that `u` can take back.
#[derive(Debug, Clone, PartialEq)]
pub enum Undo {
    /// A new request (undo deletes it).
    Created(SavedRequest),
    /// A copy (undo deletes the copy).
    Duplicated(SavedRequest),
    /// A rename (undo renames it back).
    Renamed {
        from: SavedRequest,
        to: SavedRequest,
    },
    /// A deleted request with its file's content (undo writes it again).
    Deleted(SavedRequest),
}

impl Undo {
    /// What the change was, for "Undid: ..." ("deleted request 'x'").
    pub fn describe(&self) -> String {
        use crate::state::composer::full_name;
        match self {
            Undo::Created(r) => format!("created request '{}'", full_name(r)),
            Undo::Duplicated(r) => format!("duplicated request as '{}'", full_name(r)),
            Undo::Renamed { from, to } => {
                format!("renamed '{}' to '{}'", full_name(from), full_name(to))
            }
            Undo::Deleted(r) => format!("deleted request '{}'", full_name(r)),
        }
    }
}

/// A response as the UI shows it, formatted once here.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseView {
    pub status: u16,
    pub reason: String,
    /// From sending the request to the end of the body.
    pub elapsed: std::time::Duration,
    pub size: u64,
    pub headers: Vec<(String, String)>,
    /// The pretty-printed lines (of the preview when the body is large).
    pub body: BodyText,
    /// The whole body as text, for filters, copy and save (empty when the body is large).
    pub raw: String,
    /// Where a large body was written (then only a preview is shown).
    pub file: Option<PathBuf>,
    /// A SOAP fault in the body.
    pub fault: Option<Fault>,
    /// The token was renewed after an `INVALID_SESSION_ID` fault and the request re-sent.
    pub renewed: bool,
}

/// Everything an import of a collection produced.
#[derive(Debug, Clone, PartialEq)]
pub struct CollectionImported {
    pub folder: String,
    pub count: usize,
    /// The import report: what was not mapped (empty when everything was).
    pub report: String,
    pub variables: Vec<(String, String)>,
}

#[derive(Debug)]
pub enum ComposerOutcome {
    Listed {
        requests: Vec<SavedRequest>,
        errors: Vec<String>,
        variables: Variables,
    },
    /// A save and what it was (`None`: ctrl-s).
    Saved {
        result: Result<SavedRequest, String>,
        change: Option<Change>,
    },
    /// The request whose file was removed.
    Deleted {
        result: Result<SavedRequest, String>,
        change: Change,
    },
    Sent {
        result: Result<Box<ResponseView>, String>,
        entry: Option<Box<HistoryEntry>>,
    },
    Wsdl(Result<(String, Box<Wsdl>), String>),
    Imported(Result<CollectionImported, String>),
    EnvImported(Result<Box<EnvironmentImport>, String>),
    BodySaved(Result<PathBuf, String>),
    /// The body copied to the clipboard ([`crate::msg::Outcome::Copied`], given to the
    /// composer that asked).
    Copied(Result<(), String>),
    /// A directory listed for a file prompt's completion.
    DirListed {
        dir: String,
        entries: Result<Vec<Entry>, String>,
    },
    Curl(Result<String, String>),
    VariableSet(Result<Variables, String>),
    /// The body as `$EDITOR` left it (or why it could not run).
    Edited(Result<String, String>),
}
