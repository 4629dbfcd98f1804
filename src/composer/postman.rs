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

use std::fmt;

use secrecy::SecretString;
use serde_json::Value;

use super::request::{Pair, RequestKind, SFDC_SESSION_HEADER, SavedRequest, Variables};
use crate::config::profiles::{Profile, SecretSource};

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

/// A Postman collection, imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectionImport {
    /// The collection's name (`info.name`).
    pub name: String,
    /// Every request, in collection order, with its folder path.
    pub requests: Vec<SavedRequest>,
    /// The collection's own variables that the requests still use (to define for the profile).
    pub variables: Variables,
    /// What was not mapped.
    pub report: ImportReport,
}

/// Variables at the start of a URL that stand for the org's address.
const ORIGIN_VARIABLES: &[&str] = &[
    "url",
    "endpoint",
    "_endpoint",
    "instance_url",
    "instanceUrl",
    "instance",
    "site",
];

/// Postman variable names and the session variable they become.
const RENAMES: &[(&str, &str)] = &[
    ("version", "api_version"),
    ("_version", "api_version"),
    ("apiVersion", "api_version"),
    ("api_version", "api_version"),
    ("orgId", "org_id"),
    ("org_id", "org_id"),
    ("userId", "user_id"),
    ("user_id", "user_id"),
    ("url", "instance_url"),
    ("endpoint", "instance_url"),
    ("_endpoint", "instance_url"),
    ("instanceUrl", "instance_url"),
    ("instance_url", "instance_url"),
];

/// The variables a session provides.
const SESSION_VARIABLES: &[&str] = &["instance_url", "api_version", "org_id", "user_id"];

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

/// Renames the mapped variables in `text`.
fn rename_variables(text: &str) -> String {
    let mut out = text.to_string();
    for (from, to) in RENAMES {
        if from != to {
            out = out.replace(&format!("{{{{{from}}}}}",), &format!("{{{{{to}}}}}"));
        }
    }
    out
}

/// Splits a raw Postman URL into (path, query pairs).
fn split_url(raw: &str) -> (String, Vec<Pair>) {
    match raw.split_once('?') {
        Some((path, query)) => {
            let pairs = query
                .split('&')
                .filter(|p| !p.is_empty())
                .map(|p| match p.split_once('=') {
                    Some((k, v)) => Pair::new(k, v),
                    None => Pair::new(p, ""),
                })
                .collect();
            (path.to_string(), pairs)
        }
        None => (raw.to_string(), Vec::new()),
    }
}

/// The raw URL text and query rows of a request's `url` (string or object).
fn url_parts(url: Option<&Value>) -> (String, Vec<Pair>) {
    match url {
        Some(Value::String(s)) => split_url(s),
        Some(Value::Object(o)) => {
            let path = match o.get("raw").and_then(str_of) {
                Some(raw) => split_url(raw).0,
                None => {
                    let join = |key: &str, sep: &str| match o.get(key) {
                        Some(Value::Array(a)) => {
                            a.iter().filter_map(str_of).collect::<Vec<_>>().join(sep)
                        }
                        Some(Value::String(s)) => s.clone(),
                        _ => String::new(),
                    };
                    let proto = o.get("protocol").and_then(str_of);
                    let host = join("host", ".");
                    let path = join("path", "/");
                    format!(
                        "{}{host}/{path}",
                        proto.map(|p| format!("{p}://")).unwrap_or_default()
                    )
                }
            };
            let query = match o.get("query") {
                Some(Value::Array(q)) => q
                    .iter()
                    .map(|p| Pair {
                        name: p.get("key").and_then(str_of).unwrap_or("").to_string(),
                        value: p.get("value").and_then(str_of).unwrap_or("").to_string(),
                        enabled: !disabled(p),
                    })
                    .collect(),
                _ => o
                    .get("raw")
                    .and_then(str_of)
                    .map(|r| split_url(r).1)
                    .unwrap_or_default(),
            };
            (path, query)
        }
        _ => (String::new(), Vec::new()),
    }
}

/// Strips the origin variables from the start of a URL; notes what was done.
fn relative_path(raw: &str, notes: &mut Vec<Unmapped>) -> String {
    let mut rest = raw.trim();
    let mut stripped: Vec<&str> = Vec::new();
    loop {
        let before = rest;
        for var in ORIGIN_VARIABLES {
            let token = format!("{{{{{var}}}}}");
            if let Some(r) = rest.strip_prefix(token.as_str()) {
                stripped.push(var);
                rest = r;
            }
        }
        if before == rest {
            break;
        }
    }
    if stripped.contains(&"site") {
        notes.push(Unmapped::Note(
            "{{site}} (an Experience Cloud site path) removed: the request goes to the \
             profile's instance"
                .into(),
        ));
    }
    let origins: Vec<&&str> = stripped.iter().filter(|v| **v != "site").collect();
    if origins.len() > 1 {
        notes.push(Unmapped::Note(format!(
            "the URL started with {} origin variables ({}); they were read as one",
            origins.len(),
            origins
                .iter()
                .map(|v| format!("{{{{{v}}}}}"))
                .collect::<Vec<_>>()
                .join("")
        )));
    }
    if stripped.is_empty() && (rest.starts_with("http://") || rest.starts_with("https://")) {
        notes.push(Unmapped::Note(format!(
            "the URL {rest} is absolute and kept as is (sfterm only sends to the instance)"
        )));
        return rest.to_string();
    }
    let mut path = rest.to_string();
    if !path.starts_with('/') {
        path.insert(0, '/');
    }
    // `/services/data/{{version}}` lacks the `v` Salesforce needs.
    if path.contains("/services/data/{{version}}") {
        path = path.replace("/services/data/{{version}}", "/services/data/v{{version}}");
        notes.push(Unmapped::Note(
            "/services/data/{{version}} had no \"v\"; written as v{{api_version}}".into(),
        ));
    }
    path
}

fn is_access_token(text: &str) -> bool {
    text.contains("{{access_token}}")
}

fn looks_like_soap(path: &str, body: Option<&str>) -> bool {
    path.contains("/services/Soap/")
        || body.is_some_and(|b| b.contains(":Envelope") || b.contains("<Envelope"))
}

/// Imports one request item.
fn import_request(
    item: &Value,
    folder: &[String],
    collection_vars: &Variables,
    notes: &mut Vec<Unmapped>,
) -> SavedRequest {
    let name = item
        .get("name")
        .and_then(str_of)
        .unwrap_or("Unnamed request")
        .to_string();
    let request = item.get("request").cloned().unwrap_or(Value::Null);
    // A request may be a bare URL string.
    let (method, url, headers_v, body_v, description) = match &request {
        Value::String(s) => (
            "GET".to_string(),
            Some(Value::String(s.clone())),
            None,
            None,
            String::new(),
        ),
        Value::Object(o) => (
            o.get("method")
                .and_then(str_of)
                .unwrap_or("GET")
                .to_ascii_uppercase(),
            o.get("url").cloned(),
            o.get("header").cloned(),
            o.get("body").cloned(),
            text_of(o.get("description")),
        ),
        _ => ("GET".into(), None, None, None, String::new()),
    };
    if let Some(auth) = request.get("auth") {
        let kind = auth.get("type").and_then(str_of).unwrap_or("unknown");
        if kind != "noauth" {
            notes.push(Unmapped::Auth(kind.to_string()));
        }
    }
    if let Some(Value::Array(events)) = item.get("event") {
        for e in events {
            let has_code = match e.get("script").and_then(|s| s.get("exec")) {
                Some(Value::Array(lines)) => lines
                    .iter()
                    .any(|l| l.as_str().is_some_and(|l| !l.trim().is_empty())),
                Some(Value::String(s)) => !s.trim().is_empty(),
                _ => false,
            };
            if has_code {
                let listen = e.get("listen").and_then(str_of).unwrap_or("event");
                notes.push(Unmapped::Script(listen.to_string()));
            }
        }
    }
    let (raw_url, query) = url_parts(url.as_ref());
    let path = relative_path(&raw_url, notes);

    let mut headers = Vec::new();
    if let Some(Value::Array(hs)) = &headers_v {
        for h in hs {
            let hname = h.get("key").and_then(str_of).unwrap_or("").to_string();
            let value = h.get("value").and_then(str_of).unwrap_or("").to_string();
            if hname.is_empty() {
                continue;
            }
            if hname.eq_ignore_ascii_case("authorization") {
                notes.push(Unmapped::DroppedHeader(
                    hname,
                    "sfterm sends the profile's token as Authorization at send time".into(),
                ));
                continue;
            }
            if hname.eq_ignore_ascii_case(SFDC_SESSION_HEADER) {
                notes.push(Unmapped::Note(format!(
                    "{SFDC_SESSION_HEADER} is filled with the profile's token at send time"
                )));
                headers.push(Pair {
                    name: SFDC_SESSION_HEADER.to_string(),
                    value: String::new(),
                    enabled: !disabled(h),
                });
                continue;
            }
            if is_access_token(&value) {
                notes.push(Unmapped::DroppedHeader(
                    hname,
                    "it carried {{access_token}}; the token is only sent as Authorization".into(),
                ));
                continue;
            }
            headers.push(Pair {
                name: hname,
                value,
                enabled: !disabled(h),
            });
        }
    }

    let mut body = None;
    if let Some(b) = &body_v {
        let mode = b.get("mode").and_then(str_of).unwrap_or("raw");
        match mode {
            "raw" => {
                let raw = b.get("raw").and_then(str_of).unwrap_or("");
                if !raw.is_empty() {
                    body = Some(raw.to_string());
                }
            }
            "urlencoded" => {
                let mut form = url::form_urlencoded::Serializer::new(String::new());
                let mut any = false;
                if let Some(Value::Array(fields)) = b.get("urlencoded") {
                    for f in fields {
                        let k = f.get("key").and_then(str_of).unwrap_or("");
                        if disabled(f) {
                            notes.push(Unmapped::Note(format!(
                                "disabled form field \"{k}\" left out of the body"
                            )));
                            continue;
                        }
                        form.append_pair(k, f.get("value").and_then(str_of).unwrap_or(""));
                        any = true;
                    }
                }
                if any {
                    // Keep the {{variables}} readable: the encoder escapes their braces.
                    let encoded = form
                        .finish()
                        .replace("%7B%7B", "{{")
                        .replace("%7D%7D", "}}");
                    body = Some(encoded);
                    if !headers
                        .iter()
                        .any(|h| h.name.eq_ignore_ascii_case("content-type"))
                    {
                        headers.push(Pair::new(
                            "Content-Type",
                            "application/x-www-form-urlencoded",
                        ));
                    }
                }
            }
            other => {
                let has_content = match b.get(other) {
                    Some(Value::Array(a)) => !a.is_empty(),
                    Some(Value::Object(o)) => o
                        .values()
                        .any(|v| v.as_str().is_some_and(|s| !s.is_empty())),
                    Some(Value::String(s)) => !s.is_empty(),
                    _ => false,
                };
                notes.push(Unmapped::Body(format!(
                    "{other}{}",
                    if has_content { "" } else { " (empty)" }
                )));
            }
        }
    }
    // The SOAP session id is filled at send time.
    if let Some(b) = &mut body {
        if b.contains(">{{access_token}}<") {
            *b = b.replace(">{{access_token}}<", "><");
            notes.push(Unmapped::Note(
                "the SOAP sessionId is filled with the profile's token at send time".into(),
            ));
        } else if is_access_token(b) {
            notes.push(Unmapped::UnknownVariable("access_token".into()));
        }
    }

    let kind = if looks_like_soap(&path, body.as_deref()) {
        RequestKind::Soap
    } else {
        RequestKind::Rest
    };
    let mut saved = SavedRequest {
        name,
        folder: folder.to_vec(),
        method,
        path: rename_variables(&path),
        params: query
            .into_iter()
            .map(|p| Pair {
                name: rename_variables(&p.name),
                value: rename_variables(&p.value),
                enabled: p.enabled,
            })
            .collect(),
        headers: headers
            .into_iter()
            .map(|p| Pair {
                value: rename_variables(&p.value),
                ..p
            })
            .collect(),
        body: body.map(|b| rename_variables(&b)),
        kind,
        description,
    };
    if saved.method.is_empty() {
        saved.method = "GET".into();
    }
    for v in saved.variables_used() {
        if !SESSION_VARIABLES.contains(&v.as_str())
            && collection_vars.get(&v).is_none()
            && v != "access_token"
        {
            notes.push(Unmapped::UnknownVariable(v));
        }
    }
    saved
}

fn walk(items: &[Value], folder: &mut Vec<String>, vars: &Variables, out: &mut CollectionImport) {
    for item in items {
        let name = item
            .get("name")
            .and_then(str_of)
            .unwrap_or("Unnamed")
            .to_string();
        if let Some(Value::Array(children)) = item.get("item") {
            let mut notes = Vec::new();
            if let Some(auth) = item.get("auth") {
                let kind = auth.get("type").and_then(str_of).unwrap_or("unknown");
                notes.push(Unmapped::Auth(kind.to_string()));
            }
            if let Some(Value::Array(events)) = item.get("event") {
                for e in events {
                    let listen = e.get("listen").and_then(str_of).unwrap_or("event");
                    notes.push(Unmapped::Script(listen.to_string()));
                }
            }
            folder.push(name);
            if !notes.is_empty() {
                out.report.items.push(ReportItem {
                    item: folder.join("/"),
                    unmapped: notes,
                });
            }
            walk(children, folder, vars, out);
            folder.pop();
            continue;
        }
        let mut notes = Vec::new();
        let mut request = import_request(item, folder, vars, &mut notes);
        // Two requests with the same name in a folder would share a file.
        let base = request.name.clone();
        let mut n = 2;
        while out.requests.iter().any(|r| {
            r.folder == request.folder
                && super::store::slug(&r.name) == super::store::slug(&request.name)
        }) {
            request.name = format!("{base} ({n})");
            n += 1;
        }
        if request.name != base {
            notes.push(Unmapped::Note(format!(
                "renamed from \"{base}\": another request in the folder has that name"
            )));
        }
        if item.get("disabled").and_then(Value::as_bool) == Some(true) {
            notes.push(Unmapped::Note("the item was disabled in Postman".into()));
        }
        if !notes.is_empty() {
            let mut path = request.folder.clone();
            path.push(request.name.clone());
            out.report.items.push(ReportItem {
                item: path.join("/"),
                unmapped: notes,
            });
        }
        out.requests.push(request);
    }
}

/// Imports a collection (v2.0 / v2.1 JSON). Requests keep their folder path, prefixed by
/// `base_folder` (e.g. the collection's name, or nothing).
pub fn import_collection(
    json: &str,
    base_folder: &[String],
) -> Result<CollectionImport, PostmanError> {
    let doc: Value =
        serde_json::from_str(json).map_err(|e| PostmanError::NotJson(e.to_string()))?;
    let Some(Value::Array(items)) = doc.get("item") else {
        return Err(PostmanError::WrongShape("collection (no \"item\" list)"));
    };
    let name = doc
        .get("info")
        .and_then(|i| i.get("name"))
        .and_then(str_of)
        .unwrap_or("Postman collection")
        .to_string();
    let mut top_notes = Vec::new();
    if let Some(schema) = doc
        .get("info")
        .and_then(|i| i.get("schema"))
        .and_then(str_of)
        && !schema.contains("v2.1")
        && !schema.contains("v2.0")
    {
        top_notes.push(Unmapped::Note(format!(
            "schema {schema} is not v2.1; imported as if it were"
        )));
    }
    let mut vars = Variables::new();
    if let Some(Value::Array(vs)) = doc.get("variable") {
        for v in vs {
            let Some(key) = v.get("key").and_then(str_of) else {
                continue;
            };
            let value = match v.get("value") {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Null) | None => String::new(),
                Some(other) => other.to_string(),
            };
            if RENAMES.iter().any(|(from, _)| *from == key) {
                top_notes.push(Unmapped::Note(format!(
                    "collection variable {{{{{key}}}}} = {value:?} replaced by the profile's value"
                )));
            } else if disabled(v) {
                top_notes.push(Unmapped::Note(format!(
                    "disabled collection variable {{{{{key}}}}} not imported"
                )));
            } else {
                vars.set(key, value);
            }
        }
    }
    if let Some(auth) = doc.get("auth") {
        let kind = auth.get("type").and_then(str_of).unwrap_or("unknown");
        top_notes.push(Unmapped::Auth(kind.to_string()));
    }
    if let Some(Value::Array(events)) = doc.get("event") {
        for e in events {
            let listen = e.get("listen").and_then(str_of).unwrap_or("event");
            top_notes.push(Unmapped::Script(listen.to_string()));
        }
    }
    let mut out = CollectionImport {
        name: name.clone(),
        requests: Vec::new(),
        variables: Variables::new(),
        report: ImportReport::default(),
    };
    if !top_notes.is_empty() {
        out.report.items.push(ReportItem {
            item: name,
            unmapped: top_notes,
        });
    }
    let mut folder = base_folder.to_vec();
    walk(items, &mut folder, &vars, &mut out);
    // Offer only the collection variables the requests use.
    let used: Vec<String> = out
        .requests
        .iter()
        .flat_map(SavedRequest::variables_used)
        .collect();
    for (k, v) in vars.iter() {
        if used.iter().any(|u| u == k) {
            out.variables.set(k, v);
        }
    }
    Ok(out)
}

/// A Postman environment, imported as a connection profile.
#[derive(Debug, Clone)]
pub struct EnvironmentImport {
    /// The new profile (not saved yet); its secret source is the one the caller chose.
    pub profile: Profile,
    /// The client secret found in the environment, for the caller to put where the chosen
    /// source reads it (never written to `profiles.toml`).
    pub secret: Option<SecretString>,
    /// The other non-empty, non-secret values, as user variables for the profile.
    pub variables: Variables,
    /// What was not imported, and why.
    pub report: Vec<String>,
}

const ENDPOINT_KEYS: &[&str] = &[
    "endpoint",
    "instance_url",
    "instanceUrl",
    "_endpoint",
    "url",
    "loginUrl",
];
const CLIENT_ID_KEYS: &[&str] = &["clientId", "client_id", "consumerKey", "consumer_key"];
const SECRET_KEYS: &[&str] = &[
    "clientSecret",
    "client_secret",
    "consumerSecret",
    "consumer_secret",
];
const VERSION_KEYS: &[&str] = &["version", "apiVersion", "api_version", "_version"];
/// Credentials of other flows: never imported.
const SKIPPED_SECRETS: &[&str] = &[
    "username",
    "password",
    "secret_token",
    "access_token",
    "init_access_token",
    "refresh_token",
    "securityToken",
];

/// Imports an environment as a profile named `profile_name` whose secret comes from
/// `secret_source` (a [`SecretSource::Plain`] source is refused).
pub fn import_environment(
    json: &str,
    profile_name: &str,
    secret_source: SecretSource,
) -> Result<EnvironmentImport, PostmanError> {
    if matches!(secret_source, SecretSource::Plain { .. }) {
        return Err(PostmanError::PlainSecret);
    }
    let doc: Value =
        serde_json::from_str(json).map_err(|e| PostmanError::NotJson(e.to_string()))?;
    let Some(Value::Array(values)) = doc.get("values") else {
        return Err(PostmanError::WrongShape("environment (no \"values\" list)"));
    };
    let mut entries: Vec<(String, String)> = Vec::new();
    let mut report = Vec::new();
    for v in values {
        let Some(key) = v.get("key").and_then(str_of) else {
            continue;
        };
        let value = v
            .get("value")
            .and_then(str_of)
            .unwrap_or("")
            .trim()
            .to_string();
        if v.get("enabled").and_then(Value::as_bool) == Some(false) {
            report.push(format!("{key}: disabled in Postman, not imported"));
            continue;
        }
        entries.push((key.to_string(), value));
    }
    let pick = |keys: &[&str]| {
        keys.iter().find_map(|k| {
            entries
                .iter()
                .find(|(key, v)| key == k && !v.is_empty())
                .map(|(key, v)| (key.clone(), v.clone()))
        })
    };
    let endpoint = pick(ENDPOINT_KEYS);
    let client_id = pick(CLIENT_ID_KEYS);
    let secret = pick(SECRET_KEYS);
    let version = pick(VERSION_KEYS);
    let mut profile = Profile::new(
        profile_name,
        endpoint.as_ref().map_or("", |(_, v)| v.as_str()),
        client_id.as_ref().map_or("", |(_, v)| v.as_str()),
    );
    profile.secret = secret_source;
    if endpoint.is_none() {
        report.push("no url / endpoint value: set the profile's endpoint by hand".into());
    }
    if let Err(crate::config::EndpointError::InsecureScheme { .. }) = profile.normalized_endpoint()
    {
        report.push(format!(
            "{} is not https: sfterm only connects over https (http only to 127.0.0.1 / \
             localhost); fix the profile's endpoint before connecting",
            profile.endpoint
        ));
    }
    if client_id.is_none() {
        report.push("no clientId value: set the profile's client id by hand".into());
    }
    if secret.is_none() {
        report.push("no clientSecret value: provide the secret through the chosen source".into());
    }
    if let Some((key, v)) = &version {
        let v = v.trim_start_matches('v');
        if v.parse::<crate::sf::ApiVersion>().is_ok() {
            profile.api_version = Some(if v.contains('.') {
                v.to_string()
            } else {
                format!("{v}.0")
            });
        } else {
            report.push(format!("{key} = {v:?} is not an API version; not pinned"));
        }
    }
    let used: Vec<&str> = [&endpoint, &client_id, &secret, &version]
        .iter()
        .filter_map(|o| o.as_ref().map(|(k, _)| k.as_str()))
        .collect();
    let mut variables = Variables::new();
    for (key, value) in &entries {
        if used.contains(&key.as_str()) {
            continue;
        }
        if SKIPPED_SECRETS.contains(&key.as_str()) || SECRET_KEYS.contains(&key.as_str()) {
            if !value.is_empty() {
                report.push(format!(
                    "{key}: a credential of another login flow, not imported"
                ));
            }
            continue;
        }
        if value.is_empty() {
            continue;
        }
        variables.set(key.clone(), value.clone());
        report.push(format!("{key}: kept as the profile variable {{{{{key}}}}}"));
    }
    Ok(EnvironmentImport {
        profile,
        secret: secret.map(|(_, v)| SecretString::from(v)),
        variables,
        report,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;
    use serde_json::json;

    fn collection(items: Value) -> String {
        json!({
            "info": {"name": "T", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
            "variable": [{"key": "account_id", "value": "001A"}, {"key": "unused", "value": "x"}],
            "item": items
        })
        .to_string()
    }

    #[test]
    fn maps_salesforce_variables_and_url_objects() {
        let c = collection(json!([{
            "name": "F",
            "item": [{
                "name": "Get",
                "request": {
                    "method": "get",
                    "header": [
                        {"key": "Authorization", "value": "Bearer {{access_token}}"},
                        {"key": "X-Off", "value": "1", "disabled": true}
                    ],
                    "url": {
                        "host": ["{{_endpoint}}"],
                        "path": ["services", "data", "v{{version}}", "sobjects", "Account", "{{account_id}}"],
                        "query": [{"key": "fields", "value": "Name"}, {"key": "x", "value": "{{jobId}}", "disabled": true}]
                    }
                }
            }]
        }]));
        let imp = import_collection(&c, &[]).expect("import");
        let r = &imp.requests[0];
        assert_eq!(r.folder, vec!["F".to_string()]);
        assert_eq!(r.method, "GET");
        assert_eq!(
            r.path,
            "/services/data/v{{api_version}}/sobjects/Account/{{account_id}}"
        );
        assert_eq!(r.params.len(), 2);
        assert!(!r.params[1].enabled);
        assert_eq!(r.headers.len(), 1);
        assert!(!r.headers[0].enabled);
        assert_eq!(imp.variables.get("account_id"), Some("001A"));
        assert_eq!(imp.variables.get("unused"), None);
        let notes = imp.report.for_item("F/Get");
        assert!(matches!(notes[0], Unmapped::DroppedHeader(..)), "{notes:?}");
        // Disabled rows are not sent, so their variables are not reported.
        assert_eq!(notes.len(), 1, "{notes:?}");
    }

    #[test]
    fn bodies_scripts_auth_reported() {
        let c = collection(json!([
            {"name": "Form", "event": [{"listen": "test", "script": {"exec": ["pm.x()"]}}],
             "request": {"method": "POST", "url": "{{url}}{{url}}{{site}}/services/oauth2/token",
               "auth": {"type": "bearer"},
               "body": {"mode": "urlencoded", "urlencoded": [
                 {"key": "grant_type", "value": "password"},
                 {"key": "username", "value": "{{username}}"},
                 {"key": "off", "value": "1", "disabled": true}]}}},
            {"name": "Upload", "request": {"method": "POST", "url": "{{endpoint}}/x",
               "body": {"mode": "formdata", "formdata": [{"key": "f", "type": "file"}]}}},
            {"name": "Soap", "request": {"method": "POST", "url": "{{endpoint}}/services/Soap/m/46.0",
               "header": [{"key": "X-SFDC-Session", "value": "{{access_token}}"}],
               "body": {"mode": "raw", "raw": "<e:Envelope><e:Header><m:SessionHeader><m:sessionId>{{access_token}}</m:sessionId></m:SessionHeader></e:Header></e:Envelope>"}}}
        ]));
        let imp = import_collection(&c, &["Imported".to_string()]).expect("import");
        let form = &imp.requests[0];
        assert_eq!(form.path, "/services/oauth2/token");
        assert_eq!(
            form.body.as_deref(),
            Some("grant_type=password&username={{username}}")
        );
        assert!(
            form.headers
                .iter()
                .any(|h| h.value == "application/x-www-form-urlencoded")
        );
        let notes: Vec<String> = imp
            .report
            .for_item("Imported/Form")
            .iter()
            .map(ToString::to_string)
            .collect();
        let all = notes.join("\n");
        for needle in [
            "auth block (bearer)",
            "test script",
            "{{site}}",
            "origin variables",
            "disabled form field",
            "{{username}} has no value",
        ] {
            assert!(all.contains(needle), "{needle} missing in:\n{all}");
        }
        assert!(matches!(
            imp.report.for_item("Imported/Upload")[0],
            Unmapped::Body(_)
        ));
        let soap = &imp.requests[2];
        assert_eq!(soap.kind, RequestKind::Soap);
        assert!(
            soap.body
                .as_deref()
                .is_some_and(|b| b.contains("<m:sessionId></m:sessionId>"))
        );
        assert_eq!(soap.headers[0].name, SFDC_SESSION_HEADER);
        assert_eq!(soap.headers[0].value, "");
    }

    #[test]
    fn duplicate_names_get_a_suffix() {
        let item = json!({"name": "Same", "request": "{{endpoint}}/a"});
        let imp = import_collection(&collection(json!([item.clone(), item])), &[]).expect("import");
        assert_eq!(imp.requests[1].name, "Same (2)");
        assert!(!imp.report.for_item("Same (2)").is_empty());
    }

    #[test]
    fn not_a_collection() {
        assert!(matches!(
            import_collection("nope", &[]),
            Err(PostmanError::NotJson(_))
        ));
        assert!(matches!(
            import_collection("{}", &[]),
            Err(PostmanError::WrongShape(_))
        ));
    }

    #[test]
    fn environment_to_profile() {
        let env = json!({"name": "E", "values": [
            {"key": "url", "value": "https://acme.my.salesforce.com", "enabled": true},
            {"key": "version", "value": "61.0", "enabled": true},
            {"key": "clientId", "value": "3MVGkey", "enabled": true},
            {"key": "clientSecret", "value": "s3cret", "enabled": true},
            {"key": "password", "value": "pw", "enabled": true},
            {"key": "account_id", "value": "001A", "enabled": true},
            {"key": "off", "value": "x", "enabled": false}
        ]})
        .to_string();
        let source = SecretSource::Env {
            var: "ACME_SECRET".into(),
        };
        let imp = import_environment(&env, "Acme", source).expect("import");
        assert_eq!(imp.profile.endpoint, "https://acme.my.salesforce.com");
        assert_eq!(imp.profile.client_id, "3MVGkey");
        assert_eq!(imp.profile.api_version.as_deref(), Some("61.0"));
        assert!(matches!(imp.profile.secret, SecretSource::Env { .. }));
        assert_eq!(
            imp.secret.as_ref().map(|s| s.expose_secret().to_string()),
            Some("s3cret".into())
        );
        assert!(!format!("{:?}", imp.profile).contains("s3cret"));
        assert_eq!(imp.variables.get("account_id"), Some("001A"));
        assert_eq!(imp.variables.get("password"), None);
        let report = imp.report.join("\n");
        assert!(report.contains("password: a credential"), "{report}");
        assert!(report.contains("off: disabled"), "{report}");
        let plain = SecretSource::Plain {
            value: SecretString::from("x".to_string()),
        };
        assert!(matches!(
            import_environment(&env, "A", plain),
            Err(PostmanError::PlainSecret)
        ));
    }
}
