//! Results of background work, sent back to the UI task. Each result of a spawned job carries the
//! [`RequestId`] it was started with, so a result the user no longer waits for is dropped.

use jiff::Timestamp;

use crate::config::profiles::Profile;
use crate::effect::RequestId;
use crate::sf::{Diagnosis, Introspection, LimitInfo};
use crate::state::token::SessionInfo;

#[derive(Debug)]
pub enum Msg {
    /// The clock moved (sent only while something animates).
    Tick(Timestamp),
    /// A spawned job finished.
    Done { req: RequestId, outcome: Outcome },
    /// A call of the job `req` met a failure that passes and is tried again after a wait:
    /// `notice` is what the status bar says ("retrying (2/4) after 503…").
    Retrying { req: RequestId, notice: String },
    /// The client obtained a new token by itself (renewal after `INVALID_SESSION_ID`).
    TokenChanged(SessionInfo),
    /// An HTTP exchange of the client, secrets masked (the Log tab).
    ApiCall(Box<crate::sf::ApiCall>),
    /// `Sforce-Limit-Info` of the latest API response.
    ApiUsage(LimitInfo),
    /// The profiles file was written (or could not be); carries the profiles as now stored.
    ProfilesSaved(Result<Vec<Profile>, String>),
    /// Something failed outside a job; shown as a message, never fatal.
    Error(String),
    /// The embedded mock org of `sfterm demo` serves (`Ok`) or could not start (why).
    DemoOrg(Result<(), String>),
    /// A browser login waits for the user in the browser.
    BrowserLogin(crate::state::token::BrowserWait),
    /// A pasted address was not the browser login's redirect (why); the login goes on.
    BrowserLoginPasteRefused(String),
}

/// What a job produced.
#[derive(Debug)]
pub enum Outcome {
    Login(Result<SessionInfo, Box<Diagnosis>>),
    Introspect(Result<Introspection, String>),
    /// The flow cannot introspect (no client secret): the expiry is assumed from the issue
    /// time; the run-as username from the identity URL, when it answered.
    ExpiryAssumed {
        username: Option<String>,
    },
    Revoke(Result<(), String>),
    /// Text was copied to the clipboard (or could not be): the token, or an
    /// [`crate::effect::Effect::Copy`] for the pane that asked.
    Copied(Result<(), String>),
    /// The API call of [`crate::effect::SessionJob::CheckApi`] succeeded (or why not).
    ApiChecked(Result<(), String>),
    /// The Setup check's report (or why it could not run).
    Check(Result<Box<crate::check::CheckReport>, String>),
    /// A job of the Composer or History tab.
    Composer(crate::state::composer::job::ComposerOutcome),
    /// A job of the History tab.
    History(crate::state::history::HistoryOutcome),
    /// A Records tab job finished.
    Records(crate::state::records::job::RecordsOutcome),
    /// A record detail job finished.
    Record(crate::state::record_detail::job::RecordOutcome),
    /// A job of the import wizard finished.
    Import(crate::state::import::job::ImportOutcome),
    /// The text edited in `$EDITOR` (or why not), for the pane that opened it
    /// ([`crate::effect::Effect::OpenEditor`]).
    Edited(Result<String, String>),
}
