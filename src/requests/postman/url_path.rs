//! Postman URLs: the origin variables that stand for the org, the variables renamed to the
//! session's, and a request's path and query rows.

use serde_json::Value;

use super::{Unmapped, disabled, str_of};
use crate::requests::request::Pair;

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
pub(super) const RENAMES: &[(&str, &str)] = &[
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

/// Renames the mapped variables in `text`.
pub(super) fn rename_variables(text: &str) -> String {
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
pub(super) fn url_parts(url: Option<&Value>) -> (String, Vec<Pair>) {
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
pub(super) fn relative_path(raw: &str, notes: &mut Vec<Unmapped>) -> String {
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
