//! Apex REST (`/services/apexrest/...`): a few built-in demo classes with the platform's
//! routing rules (case-sensitive `urlMapping`, `/*` wildcards, longest match, namespace prefix)
//! and error shapes (404 "Could not find a match for URL", 500 `APEX_ERROR`,
//! 400 `JSON_PARSER_ERROR`, pass-through of statuses the class sets).
//!
//! Classes:
//! * `OrderResource` `/orders/*`: `GET /orders/{id}` (an order; id `0` answers the class's own
//!   404 body), `POST /orders` with body `{"order": {"accountId": ..., "lines": [...]}}`
//!   (a missing `accountId` raises `System.NullPointerException`).
//! * `EchoResource` `/echo/*`: every verb; answers `{method, path, params, body}`.
//! * `HealthResource` in namespace `sfterm`, `/health`: `GET /sfterm/health` → `"ok"`.
//! * `CustomerRESTWS` `/CustomerRESTWS/*`: customers (Account + Contacts), see
//!   [`super::customer`].

use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::oauth::form;
use super::rest::{ApiError, Request, method_not_allowed};
use super::state::{Shared, json_response};

/// A registered Apex REST class.
struct Class {
    name: &'static str,
    namespace: Option<&'static str>,
    mapping: &'static str,
}

const CLASSES: [Class; 4] = [
    Class {
        name: "CustomerRESTWS",
        namespace: None,
        mapping: "/CustomerRESTWS/*",
    },
    Class {
        name: "OrderResource",
        namespace: None,
        mapping: "/orders/*",
    },
    Class {
        name: "EchoResource",
        namespace: None,
        mapping: "/echo/*",
    },
    Class {
        name: "HealthResource",
        namespace: Some("sfterm"),
        mapping: "/health",
    },
];

/// How well `mapping` (with the namespace prefix) matches `path`: exact beats wildcard, longer
/// wildcards beat shorter ones.
fn score(class: &Class, path: &str) -> Option<(bool, usize)> {
    let full = match class.namespace {
        Some(ns) => format!("/{ns}{}", class.mapping),
        None => class.mapping.to_owned(),
    };
    match full.strip_suffix("/*") {
        Some(prefix) => {
            let hit = path == prefix || path.starts_with(&format!("{prefix}/"));
            hit.then_some((false, prefix.len()))
        }
        None => (path == full).then_some((true, full.len())),
    }
}

fn apex_error(kind: &str, message: &str, class: &str, method: &str, line: u32) -> ApiError {
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "APEX_ERROR",
        format!("{kind}: {message}\n\nClass.{class}.{method}: line {line}, column 1"),
    )
}

fn parse_json(body: &[u8]) -> Result<Option<Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    serde_json::from_slice(body).map(Some).map_err(|e| {
        ApiError::bad(
            "JSON_PARSER_ERROR",
            format!(
                "Unexpected character: was expecting a valid JSON value at [line:{}, column:{}]",
                e.line(),
                e.column()
            ),
        )
    })
}

/// Runs the class that maps `path`.
pub(crate) fn handle(
    shared: &Shared,
    request: &Request<'_>,
    path: &str,
) -> Result<Response, ApiError> {
    let path = if path.is_empty() { "/" } else { path };
    let class = CLASSES
        .iter()
        .filter_map(|c| score(c, path).map(|s| (s, c)))
        .max_by_key(|(s, _)| *s)
        .map(|(_, c)| c)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                format!("Could not find a match for URL {path}"),
            )
        })?;
    super::setup_org::require_class(shared, class.name)?;
    let method = if *request.method == Method::HEAD {
        &Method::GET
    } else {
        request.method
    };
    match class.name {
        "OrderResource" => orders(shared, method, path, request.body),
        "CustomerRESTWS" => {
            super::customer::rest(shared, method, path, request.param("name"), request.body)
        }
        "EchoResource" => {
            let params: Map<String, Value> = form(request.query.as_bytes())
                .into_iter()
                .map(|(k, v)| (k, json!(v)))
                .collect();
            let body = match parse_json(request.body) {
                Ok(v) => v.unwrap_or(Value::Null),
                Err(_) => json!(String::from_utf8_lossy(request.body)),
            };
            Ok(json_response(
                StatusCode::OK,
                &json!({"method": method.as_str(), "path": path, "params": params, "body": body}),
            ))
        }
        _ => {
            if *method == Method::GET {
                Ok(json_response(StatusCode::OK, &json!("ok")))
            } else {
                Err(method_not_allowed(method, "GET,HEAD"))
            }
        }
    }
}

fn orders(shared: &Shared, method: &Method, path: &str, body: &[u8]) -> Result<Response, ApiError> {
    let id = path
        .strip_prefix("/orders")
        .unwrap_or_default()
        .trim_start_matches('/');
    match *method {
        Method::GET => {
            if id.is_empty() {
                return Err(apex_error(
                    "System.StringException",
                    "Invalid id: ",
                    "OrderResource",
                    "doGet",
                    7,
                ));
            }
            if id == "0" {
                return Ok(json_response(
                    StatusCode::NOT_FOUND,
                    &json!({"error": "order not found", "orderId": id}),
                ));
            }
            Ok(json_response(
                StatusCode::OK,
                &json!({"orderId": id, "status": "Submitted", "total": 42.5,
                        "lines": [{"sku": "A-1", "qty": 2}, {"sku": "B-7", "qty": 1}]}),
            ))
        }
        Method::POST => {
            let value = parse_json(body)?.unwrap_or_else(|| json!({}));
            let Value::Object(params) = value else {
                return Err(ApiError::bad(
                    "JSON_PARSER_ERROR",
                    "Cannot deserialize instance of OrderResource.Params from a non-object value at [line:1, column:1]",
                ));
            };
            if let Some(unknown) = params.keys().find(|k| k.as_str() != "order") {
                return Err(ApiError::bad(
                    "JSON_PARSER_ERROR",
                    format!(
                        "Unexpected parameter encountered during deserialization: {unknown} at [line:1, column:{}]",
                        unknown.len() + 3
                    ),
                ));
            }
            let order = params.get("order").cloned().unwrap_or(Value::Null);
            let Some(account) = order.get("accountId").and_then(Value::as_str) else {
                return Err(apex_error(
                    "System.NullPointerException",
                    "Attempt to de-reference a null object",
                    "OrderResource",
                    "doPost",
                    12,
                ));
            };
            let lines = order
                .get("lines")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            let seq = {
                let mut inner = shared.lock();
                inner.job_seq += 1;
                inner.job_seq
            };
            Ok(json_response(
                StatusCode::OK,
                &json!({"orderId": crate::sf::id::mint("801", seq), "status": "Submitted",
                        "accountId": account, "lineCount": lines}),
            ))
        }
        _ => Err(method_not_allowed(method, "GET,HEAD,POST")),
    }
}
