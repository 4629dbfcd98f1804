//! Import a Postman collection (schema v2.1) as saved requests, and a Postman environment as
//! a connection profile.
//!
//! Salesforce collections address the org through variables: `{{url}}`, `{{endpoint}}`,
//! `{{_endpoint}}` (and `{{site}}`) at the start of a URL become the profile's instance
//! (paths are stored relative to it), `{{version}}` becomes `{{api_version}}`, `{{orgId}}` /
//! `{{userId}}` become `{{org_id}}` / `{{user_id}}`, and `{{access_token}}` is left to the send
//! (Bearer header, SOAP `sessionId`, `X-SFDC-Session`). Everything that cannot be carried over
//! (auth blocks, scripts, form-data and file bodies, variables without a value) is listed in the
//! [`ImportReport`], per request: nothing is dropped silently.
//!
//! Here the error and report types; the collection walk in `collection.rs`, one request item in
//! `item.rs`, URLs and variable names in `url_path.rs`, environments in `environment.rs`.

mod collection;
mod environment;
mod item;
mod url_path;

use std::fmt;

use serde_json::Value;

pub use collection::{CollectionImport, import_collection};
pub use environment::{EnvironmentImport, import_environment};

/// Why a file could not be imported at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostmanError {
    /// Not JSON.
    #[error("not a JSON file: {0}")]
    NotJson(String),
    /// JSON, but not a Postman collection or environment.
    #[error("not a Postman {0}")]
    WrongShape(&'static str),
    /// The caller asked to store the secret in plain text.
    #[error(
        "the client secret is not written to profiles.toml: choose an environment variable, a \
         command or typing it at connect time"
    )]
    PlainSecret,
}

/// One thing that was not carried over, or was changed, when importing a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unmapped {
    /// An `auth` block (its type): sfterm applies the profile's token instead.
    Auth(String),
    /// A pre-request or test script (its `listen` value): not run.
    Script(String),
    /// A variable used by the request that has no value (define it for the profile).
    UnknownVariable(String),
    /// A body mode that is not imported (`formdata`, `file`, `graphql`).
    Body(String),
    /// A header that was dropped, and why.
    DroppedHeader(String, String),
    /// Something changed on the way in, in plain words.
    Note(String),
}

impl fmt::Display for Unmapped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unmapped::Auth(t) => write!(
                f,
                "auth block ({t}) not imported: the profile's token is sent instead"
            ),
            Unmapped::Script(l) => write!(f, "{l} script not imported (scripts are not run)"),
            Unmapped::UnknownVariable(v) => {
                write!(
                    f,
                    "variable {{{{{v}}}}} has no value: define it for the profile"
                )
            }
            Unmapped::Body(m) => write!(f, "{m} body not imported: add the body by hand"),
            Unmapped::DroppedHeader(h, why) => write!(f, "header {h} dropped: {why}"),
            Unmapped::Note(n) => f.write_str(n),
        }
    }
}

/// What was not mapped for one request (or the collection / a folder).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportItem {
    /// `folder/.../name` of the request, or of the folder, or the collection's name.
    pub item: String,
    /// What was not mapped.
    pub unmapped: Vec<Unmapped>,
}

/// Everything that was not mapped, per item (items with nothing to report are left out).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Items with something to report, in collection order.
    pub items: Vec<ReportItem>,
}

impl ImportReport {
    /// Whether everything was mapped.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Every entry of `item`.
    pub fn for_item(&self, item: &str) -> &[Unmapped] {
        self.items
            .iter()
            .find(|i| i.item == item)
            .map_or(&[], |i| i.unmapped.as_slice())
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for item in &self.items {
            writeln!(f, "{}:", item.item)?;
            for u in &item.unmapped {
                writeln!(f, "  - {u}")?;
            }
        }
        Ok(())
    }
}

fn str_of(v: &Value) -> Option<&str> {
    v.as_str()
}

fn text_of(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Object(o)) => o.get("content").and_then(str_of).unwrap_or("").to_string(),
        _ => String::new(),
    }
}

fn disabled(v: &Value) -> bool {
    v.get("disabled").and_then(Value::as_bool).unwrap_or(false)
}
