//! One Postman request item imported as a saved request: method, URL, headers, body, and what
//! could not be carried over.

use serde_json::Value;

use super::url_path::{relative_path, rename_variables, url_parts};
use super::{Unmapped, disabled, str_of, text_of};
use crate::requests::request::{Pair, RequestKind, SFDC_SESSION_HEADER, SavedRequest, Variables};

/// The variables a session provides.
const SESSION_VARIABLES: &[&str] = &["instance_url", "api_version", "org_id", "user_id"];

fn is_access_token(text: &str) -> bool {
    text.contains("{{access_token}}")
}

fn looks_like_soap(path: &str, body: Option<&str>) -> bool {
    path.contains("/services/Soap/")
        || body.is_some_and(|b| b.contains(":Envelope") || b.contains("<Envelope"))
}

/// Imports one request item.
pub(super) fn import_request(
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
