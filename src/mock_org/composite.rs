//! `POST /composite`: several REST subrequests in one call, with `@{ref.path}` references
//! between them and `allOrNone` rollback.

use std::collections::HashMap;

use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::rest::{ApiError, Request, method_not_allowed, parse_body, percent_decode, route};
use super::state::{Record, Shared, json_response};

/// Most subrequests one composite call may hold.
const MAX_SUBREQUESTS: usize = 25;

/// How to undo one write of the transaction.
enum Undo {
    Created {
        object: String,
        id: String,
    },
    Changed {
        object: String,
        id: String,
        before: Record,
    },
}

/// Looks `ref.path` up in earlier results (`acc.id`, `q.records[0].Id`).
fn resolve(results: &HashMap<String, Value>, path: &str) -> Option<String> {
    let mut parts = path.split('.');
    let mut value = results.get(parts.next()?)?;
    for part in parts {
        let (name, indexes) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !name.is_empty() {
            value = value.get(name)?;
        }
        for index in indexes.split(']').filter(|s| !s.is_empty()) {
            value = value.get(index.trim_start_matches('[').parse::<usize>().ok()?)?;
        }
    }
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

/// Replaces every `@{...}` in `text` with the referenced value.
fn substitute(text: &str, results: &HashMap<String, Value>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("@{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return Ok(out);
        };
        let path = &after[..end];
        out.push_str(&resolve(results, path).ok_or_else(|| path.to_owned())?);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn substitute_value(value: &Value, results: &HashMap<String, Value>) -> Result<Value, String> {
    Ok(match value {
        Value::String(s) => Value::String(substitute(s, results)?),
        Value::Array(a) => Value::Array(
            a.iter()
                .map(|v| substitute_value(v, results))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| Ok((k.clone(), substitute_value(v, results)?)))
                .collect::<Result<Map<_, _>, String>>()?,
        ),
        other => other.clone(),
    })
}

fn sub_response(reference: &str, status: u16, headers: Value, body: Value) -> Value {
    json!({"body": body, "httpHeaders": headers, "httpStatusCode": status, "referenceId": reference})
}

fn halted(reference: &str) -> Value {
    sub_response(
        reference,
        400,
        json!({}),
        ApiError::bad(
            "PROCESSING_HALTED",
            "The transaction was rolled back since another operation in the same transaction failed.",
        )
        .array(),
    )
}

/// Runs one subrequest; returns status, `httpHeaders` and body.
async fn run_one(
    shared: &Shared,
    outer: &Request<'_>,
    method: &Method,
    url: &str,
    body: &[u8],
    undo: &mut Vec<Undo>,
) -> (u16, Value, Value) {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let segments: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(percent_decode)
        .collect();
    let skip = usize::from(
        segments
            .first()
            .is_some_and(|s| s.eq_ignore_ascii_case("services")),
    ) * 2;
    let version = segments
        .get(skip)
        .and_then(|v| v.strip_prefix('v'))
        .and_then(|v| v.strip_suffix(".0"))
        .and_then(|n| n.parse::<u32>().ok())
        .filter(|n| (31..=shared.config.latest_api_version).contains(n));
    let Some(version) = version else {
        return (404, json!({}), ApiError::not_found().array());
    };
    let segments = &segments[skip + 1..];
    let lower: Vec<String> = segments.iter().map(|s| s.to_ascii_lowercase()).collect();
    let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
    let mut headers = HeaderMap::new();
    for name in [
        "if-match",
        "if-none-match",
        "if-modified-since",
        "if-unmodified-since",
    ] {
        if let Some(v) = outer.headers.get(name) {
            headers.insert(name, v.clone());
        }
    }
    let request = Request {
        method,
        headers: &headers,
        query,
        body,
        version: format!("{version}.0"),
        apex_path: None,
    };
    // Remember the state of a record this subrequest may change.
    if let (["sobjects", _, _], true) = (
        lower.as_slice(),
        matches!(*method, Method::PATCH | Method::DELETE),
    ) && let Some(object) = shared.schema.object(&segments[1])
    {
        let id = crate::sf::id::normalize(&segments[2]).unwrap_or_default();
        if let Some(before) = shared
            .lock()
            .store
            .get(&object.name)
            .and_then(|s| s.get(&id))
        {
            undo.push(Undo::Changed {
                object: object.name.clone(),
                id,
                before,
            });
        }
    }
    let response: Response = match route(shared, &request, segments, &lower) {
        Ok(r) => r,
        Err(e) => return (e.status.as_u16(), json!({}), e.array()),
    };
    let status = response.status().as_u16();
    let mut http_headers = Map::new();
    for (name, key) in [
        (header::LOCATION, "Location"),
        (header::ETAG, "ETag"),
        (header::LAST_MODIFIED, "Last-Modified"),
    ] {
        if let Some(v) = response.headers().get(name).and_then(|v| v.to_str().ok()) {
            http_headers.insert(key.to_owned(), json!(v));
        }
    }
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap_or_default();
    let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    if status == 201
        && matches!(lower.as_slice(), ["sobjects", _])
        && let (Some(object), Some(id)) = (
            shared.schema.object(&segments[1]),
            body.get("id").and_then(Value::as_str),
        )
    {
        undo.push(Undo::Created {
            object: object.name.clone(),
            id: id.to_owned(),
        });
    }
    (status, Value::Object(http_headers), body)
}

fn rollback(shared: &Shared, undo: Vec<Undo>) {
    let mut inner = shared.lock();
    for step in undo.into_iter().rev() {
        match step {
            Undo::Created { object, id } => {
                if let Some(store) = inner.store.get_mut(&object) {
                    store.remove(&id);
                }
            }
            Undo::Changed { object, id, before } => {
                if let Some(store) = inner.store.get_mut(&object) {
                    store.put(&id, &before);
                }
            }
        }
    }
}

/// `POST /services/data/vNN.0/composite`.
pub(crate) async fn composite(
    shared: &Shared,
    request: &Request<'_>,
) -> Result<Response, ApiError> {
    if *request.method != Method::POST {
        return Err(method_not_allowed(request.method, "POST"));
    }
    let body = parse_body(request.body)?;
    let all_or_none = body
        .get("allOrNone")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let Some(subrequests) = body.get("compositeRequest").and_then(Value::as_array) else {
        return Err(ApiError::bad(
            "JSON_PARSER_ERROR",
            "compositeRequest is required",
        ));
    };
    if subrequests.len() > MAX_SUBREQUESTS {
        return Err(ApiError::bad(
            "LIMIT_EXCEEDED",
            format!("Limit Exceeded: max subrequests is {MAX_SUBREQUESTS}"),
        ));
    }
    let mut results: HashMap<String, Value> = HashMap::new();
    let mut responses = Vec::with_capacity(subrequests.len());
    let mut undo = Vec::new();
    let mut failed = false;
    for sub in subrequests {
        let reference = sub
            .get("referenceId")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if failed && all_or_none {
            responses.push(halted(reference));
            continue;
        }
        let method = sub
            .get("method")
            .and_then(Value::as_str)
            .and_then(|m| Method::from_bytes(m.to_ascii_uppercase().as_bytes()).ok());
        let url = sub.get("url").and_then(Value::as_str);
        let (Some(method), Some(url)) = (method, url) else {
            return Err(ApiError::bad(
                "JSON_PARSER_ERROR",
                "each subrequest needs method and url",
            ));
        };
        let prepared = substitute(url, &results).and_then(|url| {
            let body = match sub.get("body") {
                Some(b) => serde_json::to_vec(&substitute_value(b, &results)?).unwrap_or_default(),
                None => Vec::new(),
            };
            Ok((url, body))
        });
        let (status, headers, body) = match prepared {
            Ok((url, body)) => run_one(shared, request, &method, &url, &body, &mut undo).await,
            Err(path) => (
                400,
                json!({}),
                ApiError::bad(
                    "INVALID_FIELD",
                    format!("Invalid reference specified. No value for {path} found in {reference}. Provided referenceId ('{reference}') must start with a letter or a number, and it can contain only letters, numbers and underscores ('_')."),
                )
                .array(),
            ),
        };
        if status >= 400 {
            failed = true;
        }
        results.insert(reference.to_owned(), body.clone());
        responses.push(sub_response(reference, status, headers, body));
    }
    if failed && all_or_none {
        rollback(shared, undo);
        for response in &mut responses {
            let status = response
                .get("httpStatusCode")
                .and_then(Value::as_u64)
                .unwrap_or(400);
            if status < 400 {
                let reference = response
                    .get("referenceId")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                *response = halted(&reference);
            }
        }
    }
    Ok(json_response(
        StatusCode::OK,
        &json!({"compositeResponse": responses}),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_resolve_paths_and_indexes() {
        let mut results = HashMap::new();
        results.insert("acc".to_owned(), json!({"id": "001A", "n": 3}));
        results.insert("q".to_owned(), json!({"records": [{"Id": "003B"}]}));
        assert_eq!(
            substitute("x/@{acc.id}/@{q.records[0].Id}", &results).as_deref(),
            Ok("x/001A/003B")
        );
        assert_eq!(substitute("@{acc.n}", &results).as_deref(), Ok("3"));
        assert_eq!(
            substitute("@{acc.missing}", &results),
            Err("acc.missing".to_owned())
        );
        assert_eq!(
            substitute("no refs @{", &results).as_deref(),
            Ok("no refs @{")
        );
    }
}
