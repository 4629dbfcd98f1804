//! Side effects requested by the pure state; the runtime (`app.rs`) is the one place that runs them.

use std::fmt;

use secrecy::SecretString;

use crate::config::profiles::Profile;
use crate::sf::RenewReason;

/// Identifies one spawned job, so its result can be matched to what the UI still waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(pub u64);

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// Hands out request ids in order.
#[derive(Debug, Default)]
pub struct RequestIds(u64);

impl RequestIds {
    pub fn allocate(&mut self) -> RequestId {
        self.0 += 1;
        RequestId(self.0)
    }
}

#[derive(Debug)]
pub enum Effect {
    /// Run a job in the background; its result comes back as `Msg::Done { req, .. }`.
    Spawn {
        req: RequestId,
        job: Job,
    },
    /// Stop a job; its result, if any, is dropped.
    Cancel(RequestId),
    /// Write a change to `profiles.toml`; the runtime answers with `Msg::ProfilesSaved`.
    SaveProfiles(ProfileChange),
    /// Drafts file and browser for the record detail view.
    Record(crate::state::record_detail::job::RecordEffect),
    /// Copy `text` to the clipboard (OSC 52); answered `Msg::Done { req, Outcome::Copied }` to
    /// the pane that asked (the composer's body, the Log's curl, a record's field or id).
    Copy {
        req: RequestId,
        text: String,
    },
    /// Hand the terminal to `$EDITOR` on `text` (a temporary file ending in `.extension`); the
    /// edited text comes back as `Msg::Done { req, Outcome::Edited }` to the pane that asked
    /// (the composer's body, a field of the detail view, a mass edit's value).
    OpenEditor {
        req: RequestId,
        text: String,
        extension: &'static str,
    },
    /// An address the user pasted for the browser login in progress (the redirect the
    /// browser ended on, when it could not reach the loopback listener).
    BrowserPaste(String),
    /// Write the choices file (the tab, the object, the chosen columns) in the data directory.
    RememberChoices(crate::state::remembered::Choices),
    Quit,
}

#[derive(Debug)]
pub enum Job {
    /// Build a client for the profile and get a first token (then introspect it).
    Connect {
        profile: Box<Profile>,
        prompted_secret: Option<SecretString>,
    },
    /// Work on the connected profile's session.
    Session(SessionJob),
    /// Run the Setup check: with the connected profile's client, or (not connected) with a new
    /// client for `profile`, so that a failing login is diagnosed too.
    Check { profile: Option<Box<Profile>> },
    /// Composer and History tabs.
    Composer(Box<crate::state::composer::job::ComposerJob>),
    /// History tab: read the file, replay an entry.
    History(crate::state::history::HistoryJob),
    /// Records tab lists: query pages, describes, exports.
    Records(crate::state::records::job::RecordsJob),
    /// Record detail: load, save, create, delete, search.
    Record(crate::state::record_detail::job::RecordJob),
    /// The Records tab's import wizard: list a directory, read, check, send, poll, results.
    Import(crate::state::import::job::ImportJob),
}

/// Jobs that need a connected client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionJob {
    /// Get a new token.
    Renew(RenewReason),
    Revoke,
    Introspect,
    /// Copy the access token to the clipboard (OSC 52).
    CopyToken,
    /// One real data API call (`GET /limits`); the client renews once on `INVALID_SESSION_ID`.
    CheckApi,
}

impl Job {
    /// What the status bar says while the job runs.
    pub fn label(&self) -> String {
        match self {
            Job::Connect { profile, .. } => format!("connecting {}", profile.name),
            Job::Session(SessionJob::Renew(_)) => "renewing token".into(),
            Job::Session(SessionJob::Revoke) => "revoking token".into(),
            Job::Session(SessionJob::Introspect) => "introspecting token".into(),
            Job::Session(SessionJob::CopyToken) => "copying token".into(),
            Job::Session(SessionJob::CheckApi) => "GET /limits".into(),
            Job::Check { .. } => "Setup check".into(),
            Job::Composer(job) => job.label(),
            Job::History(job) => job.label(),
            Job::Records(job) => job.label(),
            Job::Record(job) => job.label(),
            Job::Import(job) => job.label(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ProfileChange {
    /// Create (`original_name` None) or replace the profile called `original_name`.
    Upsert {
        original_name: Option<String>,
        profile: Box<Profile>,
    },
    Remove {
        name: String,
    },
    Duplicate {
        name: String,
    },
}
